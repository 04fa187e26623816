//! Bearer tokens and poll secrets: 256 random bits behind a public id, stored only as a SHA-256
//! hash, compared in constant time.

use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Prefix of a grant's bearer token.
pub const TOKEN_PREFIX: &str = "smt";
/// Prefix of a grant request's poll secret.
pub const POLL_PREFIX: &str = "smp";

const ID_HEX: usize = 16;
const SECRET_HEX: usize = 64;

/// A freshly made secret: its public id, its full text (shown once) and the hash to store.
pub struct Minted {
    /// The public id, used to look the secret up.
    pub id: String,
    /// The whole secret as the holder presents it: `<prefix>_<id>_<secret>`.
    pub text: Zeroizing<String>,
    /// SHA-256 of the secret part, the only thing stored.
    pub hash: [u8; 32],
}

/// Makes a new secret with the given prefix.
pub fn mint(prefix: &str) -> Minted {
    let mut rng = rand::rng();
    let mut id = [0u8; ID_HEX / 2];
    rng.fill_bytes(&mut id);
    let mut secret = Zeroizing::new([0u8; SECRET_HEX / 2]);
    rng.fill_bytes(secret.as_mut());
    let secret_hex = Zeroizing::new(hex::encode(&secret[..]));
    let id = hex::encode(id);
    let text = Zeroizing::new(format!("{prefix}_{id}_{}", secret_hex.as_str()));
    Minted {
        hash: hash(&secret_hex),
        id,
        text,
    }
}

/// Splits a presented secret into its public id and secret part, if it has the right shape.
pub fn parse<'a>(prefix: &str, text: &'a str) -> Option<(&'a str, &'a str)> {
    let rest = text.strip_prefix(prefix)?.strip_prefix('_')?;
    let (id, secret) = rest.split_once('_')?;
    let hexy = |s: &str, n: usize| {
        s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    (hexy(id, ID_HEX) && hexy(secret, SECRET_HEX)).then_some((id, secret))
}

/// SHA-256 of a secret part. A fast hash suffices: the secret has 256 bits of entropy.
pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Whether a presented secret part matches a stored hash, in constant time.
pub fn matches(secret: &str, stored: &[u8]) -> bool {
    bool::from(hash(secret).as_slice().ct_eq(stored))
}

/// A short code the person matches between the vendor's screen and their own: `XXXX-XXXX` from
/// consonants that are hard to confuse (RFC 8628 §6.1).
pub fn user_code() -> String {
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut rng = rand::rng();
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_secrets_parse_and_match() {
        let m = mint(TOKEN_PREFIX);
        let (id, secret) = parse(TOKEN_PREFIX, &m.text).unwrap();
        assert_eq!(id, m.id);
        assert!(matches(secret, &m.hash));
        assert!(!matches(&"0".repeat(64), &m.hash));
        assert!(
            parse(POLL_PREFIX, &m.text).is_none(),
            "a token is not a poll secret"
        );
        assert!(parse(TOKEN_PREFIX, "smt_short_secret").is_none());
        assert!(parse(TOKEN_PREFIX, &m.text.to_uppercase()).is_none());
        assert_ne!(mint(TOKEN_PREFIX).text.as_str(), m.text.as_str());
    }

    #[test]
    fn user_codes_look_right() {
        let c = user_code();
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
    }
}
