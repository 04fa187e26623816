//! Fuzzes what `selfmodel import` and `selfmodel export verify` run on a file before any vault
//! is opened: age/plain detection (and the age header parser), then the document parser — JSON,
//! format, version, schema, manifest, signature and conversion to domain types. It must return
//! an error, never panic, overflow the stack or run away with memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = selfmodel_archive::SealedFile::from_bytes(data.to_vec()) {
        let _ = file.open(None);
    }
});
