//! Getting passphrases: from the environment, else a terminal prompt — never a flag.

use std::io::IsTerminal;

use anyhow::{Result, bail};
use selfmodel_core::Passphrase;

/// The vault passphrase: `SELFMODEL_PASSPHRASE`, else a prompt.
pub fn passphrase() -> Result<Passphrase> {
    from_env_or_prompt("SELFMODEL_PASSPHRASE", "Vault passphrase", false)
}

/// A new passphrase from `var`, else asked twice on the terminal.
pub fn new_passphrase(var: &str, prompt: &str) -> Result<Passphrase> {
    from_env_or_prompt(var, prompt, true)
}

fn from_env_or_prompt(var: &str, prompt: &str, confirm: bool) -> Result<Passphrase> {
    if let Some(value) = std::env::var_os(var) {
        let Ok(value) = value.into_string() else {
            bail!("{var} is not valid UTF-8");
        };
        return Ok(Passphrase::new(value));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase: set {var} or run in a terminal to be asked");
    }
    let first = Passphrase::new(rpassword::prompt_password(format!("{prompt}: "))?);
    if confirm {
        let again = Passphrase::new(rpassword::prompt_password(format!("{prompt} (again): "))?);
        if again.expose() != first.expose() {
            bail!("the passphrases do not match");
        }
    }
    Ok(first)
}
