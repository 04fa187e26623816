//! The phrase a person types before an action that cannot be undone, so that neither a slip nor
//! a page acting on its own starts it: front ends ask for the phrase, and this checks it.

use crate::{Error, Result};

/// An action that cannot be undone, confirmed by typing its phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Irreversible {
    /// Erasing every belief ([`Selfmodel::erase_all`](crate::Selfmodel::erase_all)).
    EraseAll,
    /// Deleting the vault file ([`Selfmodel::destroy`](crate::Selfmodel::destroy)).
    DestroyVault,
}

impl Irreversible {
    /// The phrase to type.
    pub const fn phrase(self) -> &'static str {
        match self {
            Self::EraseAll => "erase everything",
            Self::DestroyVault => "destroy this vault",
        }
    }

    /// Accepts `typed` if it is the phrase, surrounding spaces aside; otherwise
    /// [`Error::Unconfirmed`] says what to type.
    pub fn confirm(self, typed: &str) -> Result<()> {
        if typed.trim() == self.phrase() {
            Ok(())
        } else {
            Err(Error::Unconfirmed(self.phrase()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_phrase_confirms() {
        assert!(
            Irreversible::EraseAll
                .confirm("  erase everything\n")
                .is_ok()
        );
        assert!(
            Irreversible::DestroyVault
                .confirm("destroy this vault")
                .is_ok()
        );
        let refused = Irreversible::DestroyVault
            .confirm("erase everything")
            .unwrap_err();
        assert_eq!(refused.code().as_str(), "confirmation_required");
        assert_eq!(
            refused.to_string(),
            "type \"destroy this vault\" to confirm"
        );
        assert!(Irreversible::EraseAll.confirm("Erase Everything").is_err());
    }
}
