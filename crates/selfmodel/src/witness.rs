//! The local witness: rollback detection. SQLCipher's page MACs prove that each page was written
//! by a key holder, not that it is the *latest* page — an older copy of the vault file (a backup
//! restored, a file copied back) opens without complaint. So the latest audit checkpoint of each
//! vault — its id, the number of audit events, the head hash and the head event's time — is kept
//! **outside** the vault file, in a small JSON file per vault in the platform state directory
//! (`$SELFMODEL_STATE_DIR/witness/<vault_id>.json`, else e.g.
//! `~/.local/state/selfmodel/witness/<vault_id>.json`; directory 0700, file 0600, written to a
//! temporary file and renamed into place).
//!
//! At unlock, the vault must still hold the witnessed event with the witnessed hash. A vault with
//! fewer events is older than the one last opened on this machine; a different hash at that
//! position means the history was rewritten. Either way the vault still opens — the person must
//! be able to get at their data — and [`crate::Selfmodel::integrity_warning`] says what was
//! found; the witness is then left alone until the person accepts the current state
//! ([`crate::Selfmodel::accept_current_state`]).
//!
//! The witness follows the chain after every change made through `Selfmodel::change`, at unlock
//! and at close. A witness that lags behind (a crash, a vendor proposal between two changes, a
//! second process) is harmless: the vault's chain still extends it. Failing to write it is
//! logged, never fatal. What it cannot catch: someone who also rolls back this state directory,
//! or a vault opened only on another machine — the signed checkpoints vendors keep
//! ([`crate::SignedCheckpoint`]) are the witnesses for that.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use selfmodel_core::Hash;
use selfmodel_core::audit::canonical_time;
use selfmodel_vault::VaultError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Result, Selfmodel};

/// The environment variable that overrides the state directory witnesses are kept in.
pub const STATE_DIR_ENV: &str = "SELFMODEL_STATE_DIR";
/// The vault's metadata key holding its id.
const VAULT_ID_KEY: &str = "vault_id";
/// The witness file's format version.
const VERSION: u32 = 1;

/// What this machine last saw of a vault's audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The vault's id (its `vault_id` metadata).
    pub vault_id: String,
    /// How many audit events the chain had (the head event's sequence number).
    pub seq: u64,
    /// The head event's hash.
    pub head: Hash,
    /// When the head event happened.
    pub at: DateTime<Utc>,
    /// When this witness was written.
    pub recorded_at: DateTime<Utc>,
}

/// What a vault's audit chain says against the witness kept on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackWarning {
    /// The vault has fewer audit events than the one last opened here: an older copy.
    Older {
        /// The event count this machine saw.
        witnessed: u64,
        /// When the last event it saw happened.
        witnessed_at: DateTime<Utc>,
        /// The event count the vault has now.
        found: u64,
    },
    /// The witnessed event is there, but with a different hash: the history was rewritten.
    Rewritten {
        /// The witnessed event.
        seq: u64,
        /// When the witnessed event happened.
        witnessed_at: DateTime<Utc>,
        /// Its hash as this machine saw it.
        witnessed_head: Hash,
        /// Its hash in the vault now.
        found_head: Hash,
    },
}

impl RollbackWarning {
    /// A stable, machine-readable code: `vault_older` or `history_rewritten`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Older { .. } => "vault_older",
            Self::Rewritten { .. } => "history_rewritten",
        }
    }
}

impl std::fmt::Display for RollbackWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let day = |at: &DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
        match self {
            Self::Older {
                witnessed,
                witnessed_at,
                found,
            } => write!(
                f,
                "this vault is older than the one last opened on this machine (audit event \
                 {witnessed} of {}): it may have been restored from a backup or replaced (it has \
                 {found} audit events)",
                day(witnessed_at)
            ),
            Self::Rewritten {
                seq, witnessed_at, ..
            } => write!(
                f,
                "the audit history was rewritten since this vault was last opened on this \
                 machine (audit event {seq} of {} has a different hash now)",
                day(witnessed_at)
            ),
        }
    }
}

/// Where witnesses are kept: one JSON file per vault in a private directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessStore {
    dir: PathBuf,
}

/// The witness file as stored.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessFile {
    version: u32,
    vault_id: String,
    seq: u64,
    head: String,
    at: String,
    recorded_at: String,
}

impl WitnessStore {
    /// Witnesses in `<state_dir>/witness`.
    pub fn in_state_dir(state_dir: &Path) -> Self {
        Self {
            dir: state_dir.join("witness"),
        }
    }

    /// The default place: `$SELFMODEL_STATE_DIR/witness`, else the platform state directory's
    /// (`$XDG_STATE_HOME` or `~/.local/state` `/selfmodel/witness` on Linux; the local data
    /// directory's `state/witness` where the platform has no state directory). `None` without a
    /// home directory.
    pub fn default_location() -> Option<Self> {
        if let Some(dir) = std::env::var_os(STATE_DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(Self::in_state_dir(Path::new(&dir)));
        }
        let dirs = directories::ProjectDirs::from("org", "Selfmodel", "selfmodel")?;
        let state = dirs
            .state_dir()
            .map(Path::to_owned)
            .unwrap_or_else(|| dirs.data_local_dir().join("state"));
        Some(Self::in_state_dir(&state))
    }

    /// The directory holding the witness files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The witness file of a vault. Ids that are not plain UUID-like text are hashed, so that a
    /// vault id can never name a path outside the directory.
    pub fn path_for(&self, vault_id: &str) -> PathBuf {
        let plain = !vault_id.is_empty()
            && vault_id.len() <= 64
            && vault_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let name = if plain {
            vault_id.to_owned()
        } else {
            hex::encode(Sha256::digest(vault_id.as_bytes()))
        };
        self.dir.join(format!("{name}.json"))
    }

    /// The witness kept for a vault, if any. A file that does not parse, or names another vault,
    /// is an error.
    pub fn load(&self, vault_id: &str) -> Result<Option<Witness>> {
        let path = self.path_for(vault_id);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(VaultError::Io(e).into()),
        };
        let bad = |why: String| VaultError::Data(format!("{}: {why}", path.display()));
        let file: WitnessFile =
            serde_json::from_slice(&bytes).map_err(|e| bad(format!("not a witness file ({e})")))?;
        if file.version != VERSION {
            return Err(bad(format!("unknown witness version {}", file.version)).into());
        }
        if file.vault_id != vault_id {
            return Err(bad(format!("it names vault {}", file.vault_id)).into());
        }
        let time = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| bad(format!("bad time '{s}' ({e})")))
        };
        let mut head = [0u8; 32];
        hex::decode_to_slice(&file.head, &mut head)
            .map_err(|_| bad("the head is not 32 bytes of hex".into()))?;
        Ok(Some(Witness {
            vault_id: file.vault_id,
            seq: file.seq,
            head: Hash(head),
            at: time(&file.at)?,
            recorded_at: time(&file.recorded_at)?,
        }))
    }

    /// Writes a vault's witness: to a temporary file (0600) in the directory (0700, created if
    /// missing), flushed to disk, then renamed over the old one.
    pub fn save(&self, w: &Witness) -> Result<()> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(VaultError::Io)?;
        let file = WitnessFile {
            version: VERSION,
            vault_id: w.vault_id.clone(),
            seq: w.seq,
            head: w.head.to_hex(),
            at: canonical_time(&w.at),
            recorded_at: canonical_time(&w.recorded_at),
        };
        let mut text = serde_json::to_vec_pretty(&file)
            .map_err(|e| VaultError::Data(format!("witness: {e}")))?;
        text.push(b'\n');
        let dest = self.path_for(&w.vault_id);
        let mut tmp_name = dest.as_os_str().to_owned();
        tmp_name.push(format!(
            ".{}.{:08x}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        let tmp = PathBuf::from(tmp_name);
        let written = (|| {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &dest)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(VaultError::Io(e).into());
        }
        Ok(())
    }

    /// Deletes a vault's witness, if there is one.
    pub fn remove(&self, vault_id: &str) -> Result<()> {
        match std::fs::remove_file(self.path_for(vault_id)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(VaultError::Io(e).into()),
        }
    }
}

/// The witness state of an unlocked vault.
#[derive(Default)]
pub(crate) struct WitnessState {
    store: Option<WitnessStore>,
    vault_id: Option<String>,
    warning: Option<RollbackWarning>,
}

impl WitnessState {
    pub(crate) fn new(store: Option<WitnessStore>) -> Self {
        Self {
            store,
            ..Self::default()
        }
    }
}

impl Selfmodel {
    /// What the vault's audit chain said against this machine's witness when it was unlocked
    /// (or since): an older copy of the vault, or a rewritten history. `None` when it extends
    /// the witness, or when there was no witness yet.
    pub fn integrity_warning(&self) -> Option<&RollbackWarning> {
        self.witness.warning.as_ref()
    }

    /// Where this vault's witness is kept, if anywhere.
    pub fn witness_store(&self) -> Option<&WitnessStore> {
        self.witness.store.as_ref()
    }

    /// The witness kept on this machine for this vault, if any.
    pub fn witness(&mut self) -> Result<Option<Witness>> {
        let Some(store) = self.witness.store.clone() else {
            return Ok(None);
        };
        let id = self.vault_id()?;
        store.load(&id)
    }

    /// Records the vault's current audit head as this machine's witness, replacing whatever was
    /// there, and clears [`Selfmodel::integrity_warning`]: for the person who has looked into a
    /// warning and accepts the vault as it is (a backup restored on purpose, say). Refused while
    /// the audit chain itself is broken.
    pub fn accept_current_state(&mut self) -> Result<Witness> {
        if let selfmodel_core::ChainVerdict::Broken {
            first_bad_event,
            reason,
        } = self.verify_audit()?
        {
            return Err(VaultError::Corrupted(format!(
                "the audit chain is broken at event {first_bad_event} ({reason}); it cannot be \
                 accepted as the witness"
            ))
            .into());
        }
        let store = self.witness.store.clone().ok_or_else(|| {
            VaultError::Io(std::io::Error::other(
                "no state directory to keep the witness in (set SELFMODEL_STATE_DIR)",
            ))
        })?;
        let w = self.current_witness()?;
        store.save(&w)?;
        self.witness.warning = None;
        tracing::info!(
            seq = w.seq,
            "the current audit head was accepted as the witness"
        );
        Ok(w)
    }

    /// Compares the vault with its witness, setting the warning. Reads only.
    pub(crate) fn check_witness(&mut self) -> Result<()> {
        let Some(store) = self.witness.store.clone() else {
            return Ok(());
        };
        let id = self.vault_id()?;
        let witness = match store.load(&id) {
            Ok(Some(w)) => w,
            Ok(None) => return Ok(()),
            Err(e) => {
                tracing::warn!("the vault's witness is unreadable and will be replaced: {e}");
                return Ok(());
            }
        };
        let (found, event) = self
            .vault
            .read(|r| Ok::<_, crate::Error>((r.audit_head()?.0, r.audit_event(witness.seq)?)))?;
        self.witness.warning = match event {
            _ if found < witness.seq => Some(RollbackWarning::Older {
                witnessed: witness.seq,
                witnessed_at: witness.at,
                found,
            }),
            Some(e) if e.hash != witness.head => Some(RollbackWarning::Rewritten {
                seq: witness.seq,
                witnessed_at: witness.at,
                witnessed_head: witness.head,
                found_head: e.hash,
            }),
            // The head is past the witnessed event but the event is gone: removed, which
            // `audit verify` names too.
            None => Some(RollbackWarning::Rewritten {
                seq: witness.seq,
                witnessed_at: witness.at,
                witnessed_head: witness.head,
                found_head: Hash::GENESIS,
            }),
            Some(_) => None,
        };
        if let Some(w) = &self.witness.warning {
            tracing::info!(code = w.code(), "{w}");
        }
        Ok(())
    }

    /// Moves the witness up to the vault's current head, unless a warning stands (then the
    /// witness keeps what the person has not yet accepted) or another process already recorded
    /// a later event. Failures are logged, never returned: the change they follow is committed.
    pub(crate) fn record_witness(&mut self) {
        let Some(store) = self.witness.store.clone() else {
            return;
        };
        if self.witness.warning.is_some() {
            return;
        }
        let recorded = (|| {
            let w = self.current_witness()?;
            if let Ok(Some(seen)) = store.load(&w.vault_id)
                && seen.seq > w.seq
            {
                return Ok(());
            }
            store.save(&w)
        })();
        if let Err(e) = recorded {
            tracing::warn!(
                "could not record the vault's audit head outside the vault (rollback detection \
                 stays at an older event): {e}"
            );
        }
    }

    /// Where this vault's witness is, to delete it with the vault ([`forget`]).
    pub(crate) fn witness_file(&mut self) -> Option<(WitnessStore, String)> {
        let store = self.witness.store.clone()?;
        self.vault_id().ok().map(|id| (store, id))
    }

    /// The vault's current head as a witness.
    fn current_witness(&mut self) -> Result<Witness> {
        let vault_id = self.vault_id()?;
        let head = self.vault.read(|r| {
            let (seq, _) = r.audit_head()?;
            Ok::<_, crate::Error>(r.audit_event(seq)?)
        })?;
        let head = head.ok_or_else(|| VaultError::Data("the audit chain is empty".into()))?;
        Ok(Witness {
            vault_id,
            seq: head.seq,
            head: head.hash,
            at: head.at,
            recorded_at: Utc::now(),
        })
    }

    fn vault_id(&mut self) -> Result<String> {
        if let Some(id) = &self.witness.vault_id {
            return Ok(id.clone());
        }
        let id = self
            .vault
            .read(|r| Ok::<_, crate::Error>(r.meta(VAULT_ID_KEY)?))?
            .ok_or_else(|| VaultError::Data("the vault has no id".into()))?;
        self.witness.vault_id = Some(id.clone());
        Ok(id)
    }
}

/// Deletes a destroyed vault's witness: a copy of it restored later is a vault the person chose
/// to bring back, not a rollback.
pub(crate) fn forget(witness: Option<(WitnessStore, String)>) {
    if let Some((store, id)) = witness
        && let Err(e) = store.remove(&id)
    {
        tracing::warn!("could not delete the destroyed vault's witness: {e}");
    }
}
