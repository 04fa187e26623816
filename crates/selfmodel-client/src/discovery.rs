//! Finding the server: the discovery file it writes, and the identity key a vendor pins.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The server's public identity key (Ed25519), pinned by a vendor at pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerKey(pub [u8; 32]);

impl ServerKey {
    /// The key as lowercase hex (how it is stored and shown).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Display for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl FromStr for ServerKey {
    type Err = Error;

    /// Parses 64 hex digits.
    fn from_str(s: &str) -> Result<Self, Error> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut key)
            .map_err(|_| Error::Config(format!("'{s}' is not a 32-byte hex key")))?;
        Ok(Self(key))
    }
}

/// The discovery file the server writes (mode 0600, in a 0700 directory): where it listens and
/// the key it proves itself with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Discovery {
    /// Format version (1).
    pub version: u32,
    /// Base URL, e.g. `http://127.0.0.1:7420`.
    pub url: String,
    /// TCP port.
    pub port: u16,
    /// The Unix socket, if the server opened one.
    #[serde(default)]
    pub unix_socket: Option<PathBuf>,
    /// The server's public identity key, hex.
    pub public_key: String,
    /// The serving process.
    pub pid: u32,
}

impl Discovery {
    /// Where the server writes the file by default: `$XDG_RUNTIME_DIR/selfmodel/api.json`, else
    /// `$XDG_DATA_HOME` (or `~/.local/share`) `/selfmodel/run/api.json`.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(rt) = std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
            return Some(PathBuf::from(rt).join("selfmodel").join("api.json"));
        }
        let home = std::env::var_os("HOME")?;
        let data = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(home).join(".local/share"));
        Some(data.join("selfmodel").join("run").join("api.json"))
    }

    /// Reads the discovery file at its default path.
    pub fn load_default() -> Result<Self, Error> {
        let path = Self::default_path()
            .ok_or_else(|| Error::Discovery("no runtime or home directory".into()))?;
        Self::load(&path)
    }

    /// Reads a discovery file. Refuses one another user could have written or replaced, since
    /// it names the key the server is trusted by: the file and its directory must belong to this
    /// user and give group and others no access.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let shown = path.display();
        let meta = std::fs::symlink_metadata(path).map_err(|e| {
            Error::Discovery(format!("{shown}: {e} (is `selfmodel serve` running?)"))
        })?;
        #[cfg(unix)]
        {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dir_meta = std::fs::symlink_metadata(dir)
                .map_err(|e| Error::Discovery(format!("{}: {e}", dir.display())))?;
            if let Some(why) = not_private(&meta, false).or_else(|| not_private(&dir_meta, true)) {
                return Err(Error::Discovery(format!(
                    "{shown}: {why}; refusing to trust it"
                )));
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let text = std::fs::read(path).map_err(|e| Error::Discovery(format!("{shown}: {e}")))?;
        let d: Self =
            serde_json::from_slice(&text).map_err(|e| Error::Discovery(format!("{shown}: {e}")))?;
        if d.version != 1 {
            return Err(Error::Discovery(format!(
                "{shown}: version {} is not supported (expected 1)",
                d.version
            )));
        }
        Ok(d)
    }

    /// The key the discovery file names.
    pub fn server_key(&self) -> Result<ServerKey, Error> {
        self.public_key
            .parse()
            .map_err(|_| Error::Discovery("the public key is not 32 bytes of hex".into()))
    }
}

/// Why a discovery file (or its directory) cannot be trusted, if it cannot.
#[cfg(unix)]
fn not_private(meta: &std::fs::Metadata, is_dir: bool) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let what = if is_dir { "its directory" } else { "the file" };
    if meta.file_type().is_symlink() {
        return Some(format!("{what} is a symbolic link"));
    }
    if meta.file_type().is_dir() != is_dir {
        return Some(format!(
            "{what} is not a {}",
            if is_dir { "directory" } else { "file" }
        ));
    }
    if meta.uid() != rustix::process::getuid().as_raw() {
        return Some(format!(
            "{what} belongs to another user (uid {})",
            meta.uid()
        ));
    }
    if meta.mode() & 0o077 != 0 {
        return Some(format!(
            "{what} is open to other users (mode {:o})",
            meta.mode() & 0o777
        ));
    }
    None
}
