//! Tombstones: what the person erased or rejected stays erased. A tombstone is a keyed hash
//! (HMAC-SHA-256 under a key kept in the vault) of a belief's category and the fingerprint of its
//! statement, never the text, so a vendor's proposal or an import of the same belief is
//! recognised without the vault keeping what it says.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use selfmodel_core::Belief;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::text;
use selfmodel_vault::{Reader, Writer};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Result;

const TOMBSTONE_KEY: &str = "tombstone.hmac_key";
/// Keys of tombstones carried in from other vaults' exports, one per line: their digests hold
/// only under the key that made them.
const CARRIED_KEYS: &str = "tombstone.carried_keys";

/// The vault's own tombstone key, if anything was ever erased.
pub(crate) fn key(r: &Reader<'_>) -> Result<Option<Zeroizing<String>>> {
    Ok(r.meta(TOMBSTONE_KEY)?.map(Zeroizing::new))
}

/// Makes tombstones made under `key` (from another vault's export) hold here: it becomes the
/// vault's own key if it has none, and is kept beside it otherwise.
pub(crate) fn adopt_key(w: &mut Writer<'_>, key: &str) -> Result<()> {
    let own = w.read().meta(TOMBSTONE_KEY)?.map(Zeroizing::new);
    match own {
        None => w.set_meta(TOMBSTONE_KEY, key)?,
        Some(own) if own.as_str() == key => {}
        Some(_) => {
            let mut carried = Zeroizing::new(w.read().meta(CARRIED_KEYS)?.unwrap_or_default());
            if !carried.lines().any(|k| k == key) {
                if !carried.is_empty() {
                    carried.push('\n');
                }
                carried.push_str(key);
                w.set_meta(CARRIED_KEYS, &carried)?;
            }
        }
    }
    Ok(())
}

/// Erases `b` as the person decided: leaves its tombstones ([`bury`]), deletes it and appends
/// `event`, its audit event.
pub(crate) fn erase(
    w: &mut Writer<'_>,
    b: &Belief,
    event: PendingEvent,
    now: DateTime<Utc>,
) -> Result<()> {
    bury(w, b, now)?;
    w.delete_belief(b.id)?;
    w.append_audit(event, now)?;
    Ok(())
}

/// Leaves tombstones for a belief the person erased or rejected: keyed hashes of its category
/// with its statement and with every wording its history records, and of its id (so an older
/// copy, in its old wording, does not come back from a backup). Never the text.
pub(crate) fn bury(w: &mut Writer<'_>, b: &Belief, now: DateTime<Utc>) -> Result<()> {
    let key = match w.read().meta(TOMBSTONE_KEY)? {
        Some(k) => Zeroizing::new(k),
        None => {
            let mut raw = Zeroizing::new([0u8; 32]);
            rand::RngCore::fill_bytes(&mut rand::rng(), raw.as_mut());
            let k = Zeroizing::new(hex::encode(&raw[..]));
            w.set_meta(TOMBSTONE_KEY, &k)?;
            k
        }
    };
    w.insert_tombstone(&tombstone(&key, &b.category, &b.statement), now)?;
    for r in &b.history {
        for wording in [&r.before.statement, &r.after.statement] {
            w.insert_tombstone(&tombstone(&key, &b.category, wording), now)?;
        }
    }
    w.insert_tombstone(&by_id(&key, b), now)?;
    Ok(())
}

/// The tombstone of a belief's id. No category is empty, so it never equals a statement's.
fn by_id(key: &str, b: &Belief) -> Vec<u8> {
    keyed(key, "", &b.id.to_string())
}

/// The tombstone digest of a belief: a keyed hash of its category and the [`text::fingerprint`]
/// of its statement, so case, punctuation, width, invisible and look-alike characters do not
/// make an erased belief new.
fn tombstone(key: &str, category: &str, statement: &str) -> Vec<u8> {
    keyed(key, category, &text::fingerprint(statement))
}

/// The digest tombstones were stored under before fingerprints: words lower-cased
/// without surrounding punctuation. Still looked up, so older tombstones keep holding.
fn tombstone_v1(key: &str, category: &str, statement: &str) -> Vec<u8> {
    let normal: String = statement
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    keyed(key, category, &normal)
}

fn keyed(key: &str, category: &str, normal: &str) -> Vec<u8> {
    #[allow(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(category.as_bytes());
    mac.update(&[0]);
    mac.update(normal.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether the person erased or rejected this belief before.
pub(crate) fn buried(r: &Reader<'_>, b: &Belief) -> Result<bool> {
    Graveyard::open(r)?.buries(r, b)
}

/// The tombstones as they are looked up: the keys read once (the vault's own, then those carried
/// in from other vaults), any type matching for an import, whose type is only a suggestion.
pub(crate) struct Graveyard(Vec<Zeroizing<String>>);

impl Graveyard {
    /// The vault's tombstones (none yet if nothing was ever erased).
    pub(crate) fn open(r: &Reader<'_>) -> Result<Self> {
        let mut keys: Vec<Zeroizing<String>> = key(r)?.into_iter().collect();
        if let Some(carried) = r.meta(CARRIED_KEYS)?.map(Zeroizing::new) {
            keys.extend(carried.lines().map(|k| Zeroizing::new(k.to_owned())));
        }
        Ok(Self(keys))
    }

    /// Whether the person erased or rejected this belief before.
    pub(crate) fn buries(&self, r: &Reader<'_>, b: &Belief) -> Result<bool> {
        for key in &self.0 {
            if r.has_tombstone(&tombstone(key, &b.category, &b.statement))?
                || r.has_tombstone(&tombstone_v1(key, &b.category, &b.statement))?
                || r.has_tombstone(&by_id(key, b))?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether the person erased or rejected a belief saying `statement` as any of `categories`.
    pub(crate) fn holds<'a>(
        &self,
        r: &Reader<'_>,
        categories: impl IntoIterator<Item = &'a str>,
        statement: &str,
    ) -> Result<bool> {
        let categories: Vec<&str> = categories.into_iter().collect();
        for key in &self.0 {
            for category in &categories {
                if r.has_tombstone(&tombstone(key, category, statement))?
                    || r.has_tombstone(&tombstone_v1(key, category, statement))?
                {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}
