//! The discovery file: where the API listens and the server's public identity key, for vendors
//! on this machine to find and pin. Mode 0600 in a 0700 directory.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The discovery file's contents.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Discovery {
    /// Format version (1).
    pub version: u32,
    /// The base URL, e.g. `http://127.0.0.1:7420`.
    pub url: String,
    /// The TCP port.
    pub port: u16,
    /// The Unix socket, if one is open.
    pub unix_socket: Option<PathBuf>,
    /// The vault's public identity key (hex) that signs server proofs.
    pub public_key: String,
    /// The serving process.
    pub pid: u32,
}

/// `$XDG_RUNTIME_DIR/selfmodel` if there is a runtime dir, else the platform data dir's
/// `selfmodel/run`.
pub fn default_dir() -> Option<PathBuf> {
    if let Some(rt) = std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(rt).join("selfmodel"));
    }
    let home = std::env::var_os("HOME")?;
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(home).join(".local/share"));
    Some(data.join("selfmodel").join("run"))
}

/// Creates a private (0700) directory if it is missing, and refuses one that is not private:
/// it must be a directory itself (not a link to one), owned by this user, with no access for
/// group or others. Another user who can write there could replace the discovery file.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    let me = rustix::process::getuid().as_raw();
    if !meta.file_type().is_dir() || meta.uid() != me || meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "{} is not private: it must be a directory owned by you with mode 0700 \
                 (fix it with `chmod 700`, or remove it so it is made anew)",
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// An exclusive lock on a server directory's `api.lock`, held while a server serves from it.
pub struct DirLock(#[allow(dead_code, reason = "held for its lock")] std::fs::File);

/// Takes the lock of a private server directory, so a second server cannot take over the
/// first one's discovery file and socket (and then remove them on exit). Refuses while another
/// process holds it.
pub fn lock(dir: &Path) -> std::io::Result<DirLock> {
    private_dir(dir)?;
    let path = dir.join("api.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(&path)?;
    match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(DirLock(file)),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            format!(
                "another Selfmodel server is already serving from {}; stop it first",
                dir.display()
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Writes the discovery file atomically with mode 0600.
pub fn write(path: &Path, d: &Discovery) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(&serde_json::to_vec_pretty(d).map_err(std::io::Error::other)?)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
