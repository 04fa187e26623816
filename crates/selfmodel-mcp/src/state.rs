//! What the MCP server keeps between runs: the server key it pinned, a pending grant request's
//! poll secret, and the bearer token. One JSON file per MCP client, mode 0600 in a 0700
//! directory, replaced atomically (temporary file, fsync, rename, fsync of the directory).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;

/// The state file's format version.
const VERSION: u32 = 1;

/// A grant request waiting for the person.
#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct StoredPending {
    pub request_id: String,
    pub user_code: String,
    pub poll_secret: String,
    pub expires_at: DateTime<Utc>,
    pub interval_secs: u64,
}

/// The file's content. Secrets are wiped from memory on drop and never shown by `Debug`.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct Stored {
    pub version: u32,
    /// The vendor id the grant was asked under (`mcp:<client>`).
    pub vendor_id: String,
    /// The Selfmodel server's identity key (hex), pinned at first contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_key: Option<String>,
    /// A grant request the person has not decided yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<StoredPending>,
    /// The bearer token of the approved grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The approved grant's id (shown to the person; not secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
}

impl Stored {
    /// A fresh state for a vendor id.
    pub fn new(vendor_id: &str) -> Self {
        Self {
            version: VERSION,
            vendor_id: vendor_id.to_owned(),
            server_key: None,
            pending: None,
            token: None,
            grant_id: None,
        }
    }

    /// Forgets the token and grant (revoked, expired, or unknown to the server).
    pub fn forget_grant(&mut self) {
        if let Some(t) = &mut self.token {
            t.zeroize();
        }
        self.token = None;
        self.grant_id = None;
    }

    /// Forgets the pending request.
    pub fn forget_pending(&mut self) {
        if let Some(p) = &mut self.pending {
            p.poll_secret.zeroize();
        }
        self.pending = None;
    }
}

impl Drop for Stored {
    fn drop(&mut self) {
        self.forget_grant();
        self.forget_pending();
    }
}

impl std::fmt::Debug for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stored")
            .field("vendor_id", &self.vendor_id)
            .field("server_key", &self.server_key)
            .field(
                "pending",
                &self.pending.as_ref().map(|p| p.request_id.as_str()),
            )
            .field("has_token", &self.token.is_some())
            .field("grant_id", &self.grant_id)
            .finish()
    }
}

/// Where the state lives.
#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    path: PathBuf,
    /// The directory is ours (the default location): keep it at 0700 even if it existed.
    own_dir: bool,
}

impl StateFile {
    /// A file the person named (`--state`).
    pub fn at(path: PathBuf) -> Self {
        Self {
            path,
            own_dir: false,
        }
    }

    /// The default file for an MCP client: `<config dir>/mcp/<slug>.json`, e.g.
    /// `~/.config/selfmodel/mcp/claude-ai.json`.
    pub fn default_for(slug: &str) -> Result<Self, Error> {
        let dirs =
            directories::ProjectDirs::from("org", "Selfmodel", "selfmodel").ok_or_else(|| {
                Error::Config(
                    "no home directory to keep the MCP state in; pass --state FILE".into(),
                )
            })?;
        Ok(Self {
            path: dirs.config_dir().join("mcp").join(format!("{slug}.json")),
            own_dir: true,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the state, if there is any. A file others can read is made private first.
    pub fn load(&self) -> Result<Option<Stored>, Error> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => Zeroizing::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::state(&self.path, e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(&self.path).map_err(|e| Error::state(&self.path, e))?;
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    path = %self.path.display(),
                    "the MCP state file was readable by others; making it private (0600)"
                );
                std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| Error::state(&self.path, e))?;
            }
        }
        let stored: Stored = serde_json::from_slice(&bytes).map_err(|e| {
            Error::state(
                &self.path,
                format!("{e}; delete the file to pair with Selfmodel again"),
            )
        })?;
        if stored.version != VERSION {
            return Err(Error::state(
                &self.path,
                format!(
                    "version {} is not supported (expected {VERSION})",
                    stored.version
                ),
            ));
        }
        Ok(Some(stored))
    }

    /// Writes the state atomically: a private temporary file beside it, flushed, renamed over
    /// the old one, then the directory flushed. A crash leaves the old file or the new one.
    pub fn save(&self, stored: &Stored) -> Result<(), Error> {
        let err = |e: std::io::Error| Error::state(&self.path, e);
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        create_private_dir(&dir).map_err(err)?;
        #[cfg(unix)]
        if self.own_dir {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
        }
        let name = self
            .path
            .file_name()
            .ok_or_else(|| Error::state(&self.path, "not a file name"))?
            .to_string_lossy()
            .into_owned();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let bytes = Zeroizing::new(
            serde_json::to_vec_pretty(stored).map_err(|e| Error::state(&self.path, e))?,
        );
        let written = (|| {
            let mut f = open_private(&tmp)?;
            f.write_all(&bytes)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, &self.path)?;
            // The rename itself is durable once the directory is flushed.
            #[cfg(unix)]
            std::fs::File::open(&dir)?.sync_all()?;
            Ok(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(err)
    }
}

/// Creates a directory (and missing parents) with mode 0700; an existing one is left as it is.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Opens (truncating) a file only its owner can read or write.
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let f = o.open(path)?;
    // A leftover temporary file keeps its old mode when truncated: set it again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_privately_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::at(dir.path().join("new/sub/state.json"));
        assert!(file.load().unwrap().is_none());
        let mut s = Stored::new("mcp:test");
        s.token = Some("smt_abc_def".into());
        s.server_key = Some("00".repeat(32));
        file.save(&s).unwrap();
        let back = file.load().unwrap().unwrap();
        assert_eq!(back.token.as_deref(), Some("smt_abc_def"));
        assert_eq!(back.vendor_id, "mcp:test");
        assert!(!format!("{back:?}").contains("smt_abc_def"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(file.path()), 0o600);
            assert_eq!(mode(&dir.path().join("new/sub")), 0o700);
            assert_eq!(mode(&dir.path().join("new")), 0o700);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("new/sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"]);
    }

    #[test]
    fn forgetting_clears_secrets() {
        let mut s = Stored::new("mcp:test");
        s.token = Some("smt_x_y".into());
        s.grant_id = Some("g".into());
        s.pending = Some(StoredPending {
            request_id: "r".into(),
            user_code: "ABCD-EFGH".into(),
            poll_secret: "smp_x_y".into(),
            expires_at: Utc::now(),
            interval_secs: 2,
        });
        s.forget_grant();
        s.forget_pending();
        assert!(s.token.is_none() && s.grant_id.is_none() && s.pending.is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_file_is_made_private_on_load() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::at(dir.path().join("state.json"));
        file.save(&Stored::new("mcp:test")).unwrap();
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        file.load().unwrap().unwrap();
        let mode = std::fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
