//! Credentials: private keys, tokens known by their prefix, JSON Web Tokens, passwords written
//! as assignments, and long random-looking runs.

use std::sync::LazyLock;

use super::*;

pub(super) fn private_key(text: &str) -> Option<SensitiveKind> {
    const BEGIN: &str = "-----BEGIN ";
    static FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| finder(BEGIN));
    FINDER
        .find_iter(text.as_bytes())
        .any(|at| {
            let label = &text[at + BEGIN.len()..];
            let label = label.find("-----").map_or(label, |end| &label[..end]);
            label.contains("PRIVATE KEY")
        })
        .then_some(SensitiveKind::PrivateKey)
}

pub(super) fn jwt(b: &[u8]) -> Option<SensitiveKind> {
    static FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| finder("eyJ"));
    FINDER.find(b)?;
    for (s, e) in runs(b, |c| is_word(c) || c == b'.') {
        let parts: Vec<&[u8]> = b[s..e].split(|&c| c == b'.').collect();
        let json = |p: &[u8]| p.len() >= 10 && p.starts_with(b"eyJ");
        if parts.windows(2).any(|w| json(w[0]) && json(w[1])) {
            return Some(SensitiveKind::Jwt);
        }
    }
    None
}

/// Tokens known by a prefix followed by at least so many characters mixing letters and digits.
const MIXED_TAIL_TOKENS: &[(SensitiveKind, usize, &[&[u8]])] = &[
    (
        SensitiveKind::SlackToken,
        10,
        &[
            b"xoxb-", b"xoxp-", b"xoxa-", b"xoxr-", b"xoxs-", b"xoxe-", b"xapp-",
        ],
    ),
    (
        SensitiveKind::ApiKey,
        20,
        &[
            b"sk-",
            b"sk_live_",
            b"sk_test_",
            b"rk_live_",
            b"rk_test_",
            b"pk_live_",
        ],
    ),
];

pub(super) fn prefixed_token(b: &[u8]) -> Option<SensitiveKind> {
    // The shortest is a Slack token's 15 characters.
    for (s, e) in runs(b, is_word).filter(|(s, e)| e - s >= 15) {
        let t = &b[s..e];
        let tail = |prefix: &[u8]| &t[prefix.len()..];
        let all = |t: &[u8], f: fn(u8) -> bool| t.iter().all(|&c| f(c));
        let mixed =
            |t: &[u8]| t.iter().any(u8::is_ascii_digit) && t.iter().any(u8::is_ascii_alphabetic);
        for p in [&b"AKIA"[..], b"ASIA", b"ABIA", b"ACCA"] {
            if t.len() == 20
                && t.starts_with(p)
                && all(tail(p), |c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                return Some(SensitiveKind::AwsAccessKey);
            }
        }
        for p in [&b"ghp_"[..], b"gho_", b"ghu_", b"ghs_", b"ghr_"] {
            if t.starts_with(p) && tail(p).len() >= 30 && all(tail(p), is_alnum) {
                return Some(SensitiveKind::GitHubToken);
            }
        }
        if t.starts_with(b"github_pat_") && tail(b"github_pat_").len() >= 20 {
            return Some(SensitiveKind::GitHubToken);
        }
        for &(kind, min_tail, prefixes) in MIXED_TAIL_TOKENS {
            for p in prefixes {
                if t.starts_with(p) && tail(p).len() >= min_tail && mixed(tail(p)) {
                    return Some(kind);
                }
            }
        }
        if t.starts_with(b"AIza") && t.len() == 39 {
            return Some(SensitiveKind::ApiKey);
        }
    }
    None
}

/// `password: value`, `pwd=value`, `api_key = value`, `password is value` and the like.
pub(super) fn password(b: &[u8]) -> Option<SensitiveKind> {
    const PASSWORDS: &[&str] = &["password", "passwd", "passphrase", "pwd", "pin"];
    const KEYS: &[&str] = &[
        "api_key",
        "api-key",
        "apikey",
        "secret_key",
        "client_secret",
        "access_token",
        "auth_token",
        "private_key",
        "access_key",
    ];
    const NOT_VALUES: &[&str] = &[
        "none",
        "null",
        "nil",
        "n/a",
        "unknown",
        "redacted",
        "hidden",
        "empty",
        "masked",
        "reset",
        "changed",
        "never",
        "forgotten",
        "required",
        "optional",
    ];
    static NAMES: LazyLock<Vec<(&str, Finder<'static>, SensitiveKind)>> = LazyLock::new(|| {
        let passwords = PASSWORDS.iter().map(|n| (*n, SensitiveKind::Password));
        let keys = KEYS.iter().map(|n| (*n, SensitiveKind::ApiKey));
        passwords
            .chain(keys)
            .map(|(name, kind)| (name, finder(name), kind))
            .collect()
    });
    // Every form needs a `:`, a `=` or an ` is `.
    let lower = b.to_ascii_lowercase();
    if memchr::memchr2(b':', b'=', b).is_none() && memchr::memmem::find(&lower, b" is ").is_none() {
        return None;
    }
    for (name, finder, kind) in NAMES.iter() {
        let name = name.as_bytes();
        for at in finder.find_iter(&lower) {
            let end = at + name.len();
            if !starts_word(&lower, at) || (end < lower.len() && is_alnum(lower[end])) {
                continue;
            }
            let mut i = end;
            while i < lower.len() && lower[i] == b' ' {
                i += 1;
            }
            let said = i > end && lower[i..].starts_with(b"is ");
            if !said && (i >= lower.len() || !(lower[i] == b':' || lower[i] == b'=')) {
                continue;
            }
            let assignment = !said && lower[i] == b'=';
            i += if said { 2 } else { 1 };
            while i < lower.len() && lower[i] == b' ' {
                i += 1;
            }
            let quoted = i < lower.len() && matches!(lower[i], b'"' | b'\'' | b'`');
            if quoted {
                i += 1;
            }
            let start = i;
            while i < lower.len() && !matches!(lower[i], b' ' | b'"' | b'\'' | b'`' | b',') {
                i += 1;
            }
            let mut end = i;
            while end > start && matches!(lower[end - 1], b'.' | b';' | b')') {
                end -= 1;
            }
            let value = &lower[start..end];
            let original = &b[start..end];
            let masked = value.iter().all(|c| matches!(c, b'*' | b'x' | b'#'));
            let word = std::str::from_utf8(value).unwrap_or_default();
            // After a colon, prose is common ("password: reset twice"): a value counts when it is
            // quoted or does not look like a word (digits, symbols, inner capitals). After an
            // "is" more so ("the password is case-sensitive", "the pin is 2000 years old"): a
            // value counts when it is quoted or mixes letters and digits, and a PIN when it ends
            // the clause.
            let secret_like = if said {
                quoted
                    || (value.iter().any(u8::is_ascii_digit)
                        && value.iter().any(u8::is_ascii_alphabetic))
            } else {
                assignment
                    || quoted
                    || value.iter().any(|c| !c.is_ascii_alphabetic())
                    || original.iter().skip(1).any(u8::is_ascii_uppercase)
            };
            let ends_clause = lower
                .get(end)
                .is_none_or(|c| matches!(c, b'.' | b',' | b';' | b')' | b'!' | b'?'));
            let ok = if name == b"pin" {
                (4..=8).contains(&value.len())
                    && value.iter().all(u8::is_ascii_digit)
                    && (!said || ends_clause)
            } else {
                value.len() >= 4 && !masked && !NOT_VALUES.contains(&word) && secret_like
            };
            if ok {
                return Some(*kind);
            }
        }
    }
    None
}

/// Long hex runs (raw hashes, keys) and long base64 runs that look random.
pub(super) fn random_secret(b: &[u8]) -> Option<SensitiveKind> {
    if b.len() < 32 {
        return None;
    }
    for (s, e) in runs(b, is_alnum) {
        let t = &b[s..e];
        if t.len() >= 32
            && t.iter().all(u8::is_ascii_hexdigit)
            && t.iter().any(u8::is_ascii_digit)
            && t.iter().any(u8::is_ascii_alphabetic)
        {
            return Some(SensitiveKind::RandomSecret);
        }
    }
    let b64 = |c: u8| is_alnum(c) || b"+/_-".contains(&c);
    for (s, e) in runs(b, b64) {
        if looks_random(&b[s..e]) {
            return Some(SensitiveKind::RandomSecret);
        }
    }
    None
}

/// A base64-alphabet run of 32+ characters mixing upper case, lower case and digits, with few
/// separators, high character entropy and mostly outside word-like stretches — unlike paths,
/// hyphenated phrases and camel-case identifiers, which are made of words.
fn looks_random(t: &[u8]) -> bool {
    if t.len() < 32 {
        return false;
    }
    let count = |f: fn(&u8) -> bool| t.iter().filter(|c| f(c)).count();
    let (upper, lower, digit) = (
        count(u8::is_ascii_uppercase),
        count(u8::is_ascii_lowercase),
        count(u8::is_ascii_digit),
    );
    let separators = t.len() - upper - lower - digit;
    if upper < 2 || lower < 2 || digit < 2 || separators * 8 > t.len() {
        return false;
    }
    // Characters inside word-like stretches (`Word`, `word`): identifiers are made of them.
    let mut wordy = 0;
    let mut i = 0;
    while i < t.len() {
        let s = if t[i].is_ascii_uppercase() { i + 1 } else { i };
        let mut e = s;
        while e < t.len() && t[e].is_ascii_lowercase() {
            e += 1;
        }
        if e - s >= 3 {
            wordy += e - i;
            i = e;
        } else {
            i += 1;
        }
    }
    let mut freq = [0u32; 256];
    for &c in t {
        freq[usize::from(c)] += 1;
    }
    let n = t.len() as f64;
    let entropy: f64 = freq
        .iter()
        .filter(|&&f| f > 0)
        .map(|&f| {
            let p = f64::from(f) / n;
            -p * p.log2()
        })
        .sum();
    entropy >= 4.0 && wordy * 2 < t.len()
}
