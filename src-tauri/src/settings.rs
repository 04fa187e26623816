//! The desktop app's own settings, kept in a small JSON file beside the vault
//! (`<vault file>.settings.json`). Nothing in it is secret: the auto-lock time and whether the
//! vault is the demo (whose passphrase is public).

use std::path::{Path, PathBuf};

use selfmodel_core::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::dto::{IpcError, Settings};

/// Auto-lock minutes when nothing is set.
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 10;
/// The longest auto-lock time accepted (one day).
pub const MAX_AUTO_LOCK_MINUTES: u32 = 24 * 60;

/// The settings file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredSettings {
    /// Lock after this many idle minutes.
    pub auto_lock_minutes: u32,
    /// The vault was created by "try the demo" and still has the demo passphrase.
    pub demo: bool,
    /// Run the vendor API while the vault is unlocked.
    pub api_enabled: bool,
    /// The vendor API's port on 127.0.0.1 and ::1.
    pub api_port: u16,
}

impl Default for StoredSettings {
    fn default() -> Self {
        Self {
            auto_lock_minutes: DEFAULT_AUTO_LOCK_MINUTES,
            demo: false,
            api_enabled: true,
            api_port: selfmodel_http::DEFAULT_PORT,
        }
    }
}

impl StoredSettings {
    /// The part the UI edits.
    pub fn public(&self) -> Settings {
        Settings {
            auto_lock_minutes: self.auto_lock_minutes,
            api_enabled: self.api_enabled,
            api_port: self.api_port,
        }
    }

    /// Sets the auto-lock time, refusing values outside `1..=MAX_AUTO_LOCK_MINUTES`.
    pub fn set_auto_lock(&mut self, minutes: u32) -> Result<(), IpcError> {
        if !(1..=MAX_AUTO_LOCK_MINUTES).contains(&minutes) {
            return Err(IpcError::new(
                ErrorCode::InvalidField,
                format!("invalid auto_lock_minutes: choose 1 to {MAX_AUTO_LOCK_MINUTES} minutes"),
            ));
        }
        self.auto_lock_minutes = minutes;
        Ok(())
    }
}

impl StoredSettings {
    /// Turns the vendor API on or off and sets its port (1024 or above).
    pub fn set_api(&mut self, enabled: bool, port: u16) -> Result<(), IpcError> {
        if port < 1024 {
            return Err(IpcError::new(
                ErrorCode::InvalidField,
                "invalid api_port: choose a port from 1024 to 65535",
            ));
        }
        self.api_enabled = enabled;
        self.api_port = port;
        Ok(())
    }
}

/// Where the settings of the vault at `vault` live.
pub fn path_for(vault: &Path) -> PathBuf {
    let mut name = vault.file_name().unwrap_or_default().to_os_string();
    name.push(".settings.json");
    vault.with_file_name(name)
}

/// Reads the settings; defaults when the file is missing or unreadable.
pub fn load(vault: &Path) -> StoredSettings {
    let path = path_for(vault);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice::<StoredSettings>(&bytes).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), "ignoring unreadable settings: {e}");
            StoredSettings::default()
        }),
        Err(_) => StoredSettings::default(),
    }
}

/// Writes the settings atomically (a temporary file renamed over the old one).
pub fn save(vault: &Path, settings: &StoredSettings) -> Result<(), IpcError> {
    let path = path_for(vault);
    let tmp = path.with_extension("json.tmp");
    let io = |e: std::io::Error| IpcError::new(ErrorCode::Io, format!("cannot save settings: {e}"));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let json = serde_json::to_vec_pretty(settings)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("cannot encode settings: {e}")))?;
    std::fs::write(&tmp, json).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_beside_the_vault() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vault = dir.path().join("vault.db");
        assert_eq!(load(&vault), StoredSettings::default());
        let mut s = StoredSettings::default();
        s.set_auto_lock(3).expect("3 minutes is fine");
        s.demo = true;
        save(&vault, &s).expect("save");
        assert!(dir.path().join("vault.db.settings.json").exists());
        assert_eq!(load(&vault), s);
    }

    #[test]
    fn auto_lock_is_bounded() {
        let mut s = StoredSettings::default();
        assert_eq!(
            s.set_auto_lock(0).map_err(|e| e.code),
            Err(ErrorCode::InvalidField)
        );
        assert!(s.set_auto_lock(MAX_AUTO_LOCK_MINUTES + 1).is_err());
        assert_eq!(s.auto_lock_minutes, DEFAULT_AUTO_LOCK_MINUTES);
    }

    #[test]
    fn unreadable_settings_fall_back_to_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vault = dir.path().join("v.db");
        std::fs::write(path_for(&vault), b"{not json").expect("write");
        assert_eq!(load(&vault), StoredSettings::default());
    }
}
