//! Export files for the archive tests and the archive benchmark (`benches/archive.rs` includes
//! this file by its path): whole-vault export options, a signing key of another vault, and files
//! made by hand.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;

use chrono::Utc;
use ed25519_dalek::{Signer as _, SigningKey};
use selfmodel::archive::{ExportFile, ExportOptions, ImportOptions, Protection, Signer};
use selfmodel_archive::{Contents, Filter};
use selfmodel_core::{Belief, Catalogue, Hash};

/// The signing key of another vault, or of whoever makes a file by hand.
pub struct FileKey(SigningKey);

impl FileKey {
    /// The key whose 32 secret bytes are all `seed`.
    pub fn from_seed(seed: u8) -> Self {
        Self(SigningKey::from_bytes(&[seed; 32]))
    }
}

impl Signer for FileKey {
    fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.0.sign(msg).to_bytes()
    }
}

/// Options that export the whole vault, unarmored, protected by `protection`.
pub fn whole_export(protection: Protection, overwrite: bool) -> ExportOptions {
    ExportOptions {
        categories: BTreeSet::new(),
        purposes: BTreeSet::new(),
        beliefs: BTreeSet::new(),
        protection,
        armor: false,
        overwrite,
    }
}

/// Import options that trust the key that signed `file`, as the person trusts their own.
pub fn trusting_signer_of(file: &ExportFile) -> ImportOptions {
    let mut signer = [0u8; 32];
    hex::decode_to_slice(&file.parsed.public_key, &mut signer).unwrap();
    ImportOptions {
        trust_signer: Some(signer),
        ..ImportOptions::default()
    }
}

/// The default catalogue with its types and purposes in id order, as a vault lists them.
pub fn catalogue_in_id_order() -> Catalogue {
    let mut catalogue = Catalogue::defaults();
    catalogue.types.sort_by(|a, b| a.id.cmp(&b.id));
    catalogue.purposes.sort_by(|a, b| a.id.cmp(&b.id));
    catalogue
}

/// A whole export of the vault `vault_id` made now: `beliefs` under `catalogue`, and no vendor
/// record.
pub fn contents(vault_id: &str, catalogue: Catalogue, beliefs: Vec<Belief>) -> Contents {
    Contents {
        vault_id: vault_id.into(),
        exported_at: Utc::now(),
        catalogue,
        beliefs,
        audit_head: (0, Hash::GENESIS),
        filter: Filter::All,
        record: Default::default(),
    }
}

/// Writes `contents` to `path` as a plain export file signed by `key`.
pub fn write_signed(path: &Path, contents: Contents, key: &dyn Signer) {
    let built = selfmodel_archive::build(contents, key).unwrap();
    std::fs::write(path, built.to_vec()).unwrap();
}
