//! Reading export files with a size cap, and writing them atomically.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{ArchiveError, Result};

/// Reads at most `limit` bytes of the file at `path`; a larger file is refused without reading
/// more than `limit + 1` bytes (regular files are refused from their size alone).
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>> {
    Ok(read_capped_keeping(path, limit)?.0)
}

/// [`read_capped`], also handing back the open file when it is a regular file (which can be
/// read again from its start; a pipe cannot).
pub(crate) fn read_capped_keeping(path: &Path, limit: u64) -> Result<(Vec<u8>, Option<File>)> {
    let with_path = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let mut file = File::open(path).map_err(with_path)?;
    let meta = file.metadata().map_err(with_path)?;
    if meta.is_dir() {
        return Err(ArchiveError::Io(io::Error::other(format!(
            "{} is a directory",
            path.display()
        ))));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(ArchiveError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(with_path)?;
    if bytes.len() as u64 > limit {
        return Err(ArchiveError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok((bytes, meta.is_file().then_some(file)))
}

/// A file written next to its destination (mode 0600) and moved into place only when complete:
/// the destination never holds a partial file. Dropped before [`AtomicFile::persist`], it leaves
/// nothing behind.
pub struct AtomicFile {
    tmp: BufWriter<NamedTempFile>,
    dest: PathBuf,
    overwrite: bool,
}

impl AtomicFile {
    /// Starts writing a file for `dest`; unless `overwrite`, an existing `dest` is refused now and
    /// again, race-free, when it is moved into place.
    pub fn create(dest: &Path, overwrite: bool) -> Result<Self> {
        if !overwrite && dest.exists() {
            return Err(ArchiveError::Exists(dest.to_owned()));
        }
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // tempfile creates the file with O_EXCL and mode 0600.
        let tmp = tempfile::Builder::new()
            .prefix(".selfmodel-export-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        Ok(Self {
            tmp: BufWriter::with_capacity(1 << 20, tmp),
            dest: dest.to_owned(),
            overwrite,
        })
    }

    /// Flushes and fsyncs the content, moves it to the destination, and fsyncs the directory.
    pub fn persist(self) -> Result<u64> {
        let tmp = self.tmp.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        let len = tmp.as_file().metadata()?.len();
        let persisted = if self.overwrite {
            tmp.persist(&self.dest)
        } else {
            tmp.persist_noclobber(&self.dest)
        };
        persisted.map_err(|e| {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                ArchiveError::Exists(self.dest.clone())
            } else {
                ArchiveError::Io(e.error)
            }
        })?;
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(len)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn atomic_write_is_private_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.json");
        let mut f = AtomicFile::create(&dest, false).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert!(!dest.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let mut f = AtomicFile::create(&dest, false).unwrap();
        f.write_all(b"whole").unwrap();
        assert_eq!(f.persist().unwrap(), 5);
        assert_eq!(std::fs::read(&dest).unwrap(), b"whole");
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            AtomicFile::create(&dest, false)
                .err()
                .unwrap()
                .code()
                .as_str(),
            "already_exists"
        );
        let mut f = AtomicFile::create(&dest, true).unwrap();
        f.write_all(b"again").unwrap();
        f.persist().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"again");
    }

    #[test]
    fn reads_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        File::create(&p).unwrap().set_len(1 << 30).unwrap();
        let err = read_capped(&p, 1 << 20).unwrap_err();
        assert_eq!(err.code().as_str(), "too_large");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(read_capped(&p, 5).unwrap(), b"12345");
        assert_eq!(read_capped(&p, 4).unwrap_err().code().as_str(), "too_large");
    }
}
