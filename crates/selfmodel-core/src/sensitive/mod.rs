//! Minimisation as a rule: secrets and identifiers that have no place in a self-model.
//!
//! A self-model says what systems believe about a person — preferences, expertise, habits — in
//! words. It never needs a credential, a payment card, a government id or a way to contact or
//! link the person, and holding one would turn the vault into something worth stealing and every
//! grant into a way to leak it. So statements, evidence summaries and sources (and rectification
//! reasons) are scanned, and a value carrying any of these is refused (GDPR Art. 5(1)(c)):
//!
//! - **credentials**: AWS access key ids (`AKIA…`), GitHub tokens (`ghp_…`, `github_pat_…`),
//!   Slack tokens (`xox…`), API keys with well-known prefixes (`sk-…`, `sk_live_…`, `AIza…`),
//!   PEM private key headers, JSON Web Tokens, long random-looking hex or base64 runs, and
//!   `password: …` / `pwd=…` / `password is …`-style assignments;
//! - **payment cards**: 13–19 digits, optionally grouped, of a card network's range (2–6) and
//!   passing the Luhn check;
//! - **government and bank identifiers**: US social security numbers (`123-45-6789`, without the
//!   never-issued ranges), UK National Insurance numbers (with the prefixes that are never
//!   allocated excluded) and IBANs (mod-97 checked);
//! - **contact identifiers**: email addresses and phone numbers (international `+…` form, North
//!   American `(415) 555-2671` form and UK mobiles `07911 123456`). These are not secrets, but
//!   they identify the person (or a third party named in evidence) directly and let vendors link
//!   what they receive; a self-model describes a person without them. Other national numbers
//!   without a `+` are not matched, because they cannot be told apart from other numbers
//!   reliably.
//!
//! The checks prefer precision: numbers must pass their checksum or validity rules, so dates,
//! version numbers, counts, UUIDs and short hashes pass. What was found is named by kind only;
//! the matched text is never echoed, so it does not reach logs, error messages or HTTP responses.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::error::{CoreError, Result};

/// A kind of data that has no place in a self-model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SensitiveKind {
    /// A private key (PEM header).
    PrivateKey,
    /// An AWS access key id.
    AwsAccessKey,
    /// A GitHub token.
    GitHubToken,
    /// A Slack token.
    SlackToken,
    /// An API key with a well-known prefix (OpenAI/Anthropic `sk-`, Stripe, Google).
    ApiKey,
    /// A JSON Web Token.
    Jwt,
    /// A long random-looking hex or base64 string: a key, token or raw hash.
    RandomSecret,
    /// A password or other secret written as `name: value`.
    Password,
    /// A payment card number (Luhn-checked).
    PaymentCard,
    /// A US social security number.
    UsSsn,
    /// A UK National Insurance number.
    UkNino,
    /// An international bank account number (mod-97 checked).
    Iban,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
}

impl SensitiveKind {
    /// Every kind, most specific first.
    pub const ALL: &'static [SensitiveKind] = &[
        Self::PrivateKey,
        Self::AwsAccessKey,
        Self::GitHubToken,
        Self::SlackToken,
        Self::ApiKey,
        Self::Jwt,
        Self::RandomSecret,
        Self::Password,
        Self::PaymentCard,
        Self::UsSsn,
        Self::UkNino,
        Self::Iban,
        Self::Email,
        Self::Phone,
    ];

    /// A stable, machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PrivateKey => "private_key",
            Self::AwsAccessKey => "aws_access_key",
            Self::GitHubToken => "github_token",
            Self::SlackToken => "slack_token",
            Self::ApiKey => "api_key",
            Self::Jwt => "jwt",
            Self::RandomSecret => "random_secret",
            Self::Password => "password",
            Self::PaymentCard => "payment_card",
            Self::UsSsn => "us_ssn",
            Self::UkNino => "uk_nino",
            Self::Iban => "iban",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    /// What it is, in words that fit "contains what looks like …".
    pub fn describe(&self) -> &'static str {
        match self {
            Self::PrivateKey => "a private key",
            Self::AwsAccessKey => "an AWS access key",
            Self::GitHubToken => "a GitHub token",
            Self::SlackToken => "a Slack token",
            Self::ApiKey => "an API key",
            Self::Jwt => "a JSON Web Token",
            Self::RandomSecret => "a key, token or hash (a long random-looking string)",
            Self::Password => "a password or secret",
            Self::PaymentCard => "a payment card number",
            Self::UsSsn => "a US social security number",
            Self::UkNino => "a UK National Insurance number",
            Self::Iban => "a bank account number (IBAN)",
            Self::Email => "an email address",
            Self::Phone => "a phone number",
        }
    }
}

/// Refuses `text` if it carries a secret or identifier; the error names `field` and the kind
/// found, never the text.
pub fn check(field: &str, text: &str) -> Result<()> {
    match find(text) {
        Some(kind) => Err(CoreError::Sensitive {
            field: field.to_owned(),
            kind,
        }),
        None => Ok(()),
    }
}

/// The first kind of sensitive data found in `text`, if any (more specific kinds first).
pub fn find(text: &str) -> Option<SensitiveKind> {
    let b = text.as_bytes();
    private_key(text)
        .or_else(|| jwt(b))
        .or_else(|| prefixed_token(b))
        .or_else(|| password(b))
        .or_else(|| iban(b))
        .or_else(|| uk_nino(b))
        .or_else(|| email(b))
        .or_else(|| phone(b))
        .or_else(|| numbers(b))
        .or_else(|| random_secret(b))
}

/// How many ASCII digits `b` holds: kinds made of digit groups are looked for only where there
/// are enough of them, most text having none.
fn digits(b: &[u8]) -> usize {
    b.iter().filter(|c| c.is_ascii_digit()).count()
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Maximal runs of bytes satisfying `pred`, as (start, end).
fn runs(b: &[u8], pred: impl Fn(u8) -> bool) -> impl Iterator<Item = (usize, usize)> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !pred(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && pred(b[i]) {
            i += 1;
        }
        (start < i).then_some((start, i))
    })
}

/// A searcher for `needle`, built once.
fn finder(needle: &'static str) -> Finder<'static> {
    Finder::new(needle.as_bytes())
}

/// Whether the byte before `i` does not continue a word (start of text counts).
fn starts_word(b: &[u8], i: usize) -> bool {
    i == 0 || !is_alnum(b[i - 1])
}

/// Whether the byte at `i` does not continue a word (end of text counts).
fn ends_word(b: &[u8], i: usize) -> bool {
    i >= b.len() || !is_alnum(b[i])
}

fn private_key(text: &str) -> Option<SensitiveKind> {
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

fn jwt(b: &[u8]) -> Option<SensitiveKind> {
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

fn prefixed_token(b: &[u8]) -> Option<SensitiveKind> {
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
fn password(b: &[u8]) -> Option<SensitiveKind> {
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

fn iban(b: &[u8]) -> Option<SensitiveKind> {
    let upper_or_digit = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    for i in 0..b.len().saturating_sub(3) {
        if !(starts_word(b, i)
            && b[i].is_ascii_uppercase()
            && b[i + 1].is_ascii_uppercase()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit())
        {
            continue;
        }
        // Collect the compact form, group by group (groups separated by single spaces), and
        // try every group boundary as the end.
        let mut compact = Vec::with_capacity(34);
        let mut j = i;
        loop {
            let g = j;
            while j < b.len() && upper_or_digit(b[j]) && compact.len() < 34 {
                compact.push(b[j]);
                j += 1;
            }
            if j < b.len() && is_alnum(b[j]) {
                // The group runs into a word (or past 34 characters): not part of an IBAN.
                compact.truncate(compact.len() - (j - g));
                if (15..=34).contains(&compact.len()) && mod97(&compact) == 1 {
                    return Some(SensitiveKind::Iban);
                }
                break;
            }
            if (15..=34).contains(&compact.len()) && mod97(&compact) == 1 {
                return Some(SensitiveKind::Iban);
            }
            if j + 1 < b.len() && b[j] == b' ' && upper_or_digit(b[j + 1]) && j > g {
                j += 1;
            } else {
                break;
            }
        }
    }
    None
}

/// ISO 13616 check: move the first four characters to the end, letters to 10–35, mod 97.
fn mod97(iban: &[u8]) -> u32 {
    let (head, rest) = iban.split_at(4);
    let mut r = 0u32;
    for &c in rest.iter().chain(head) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r
}

fn uk_nino(b: &[u8]) -> Option<SensitiveKind> {
    if digits(b) < 6 {
        return None;
    }
    let u = b.to_ascii_uppercase();
    for i in 0..u.len() {
        if !starts_word(&u, i) || i + 9 > u.len() {
            continue;
        }
        let (p0, p1) = (u[i], u[i + 1]);
        if !(p0.is_ascii_uppercase() && p1.is_ascii_uppercase()) {
            continue;
        }
        let mut j = i + 2;
        let mut digits = 0;
        while j < u.len() && digits < 6 {
            if u[j] == b' ' && digits % 2 == 0 && j + 1 < u.len() && u[j + 1].is_ascii_digit() {
                j += 1;
            }
            if u[j].is_ascii_digit() {
                digits += 1;
                j += 1;
            } else {
                break;
            }
        }
        if digits != 6 {
            continue;
        }
        if j < u.len() && u[j] == b' ' {
            j += 1;
        }
        if j >= u.len() || !matches!(u[j], b'A'..=b'D') || !ends_word(&u, j + 1) {
            continue;
        }
        let bad_first = b"DFIQUV".contains(&p0);
        let bad_second = b"DFIOQUV".contains(&p1);
        let unallocated = [b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"]
            .iter()
            .any(|p| **p == [p0, p1]);
        if !(bad_first || bad_second || unallocated) {
            return Some(SensitiveKind::UkNino);
        }
    }
    None
}

fn email(b: &[u8]) -> Option<SensitiveKind> {
    let local = |c: u8| is_alnum(c) || b"._%+-".contains(&c);
    let domain = |c: u8| is_alnum(c) || c == b'.' || c == b'-';
    for (at, _) in b.iter().enumerate().filter(|(_, c)| **c == b'@') {
        let mut s = at;
        while s > 0 && local(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at || b[s] == b'.' {
            continue;
        }
        let host = &b[at + 1..e];
        let labels: Vec<&[u8]> = host.split(|&c| c == b'.').collect();
        let tld_ok = labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.iter().all(u8::is_ascii_alphabetic));
        if labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()) && tld_ok {
            // `scheme://user:secret@host` carries a password, not just an address.
            if s > 0 && b[s - 1] == b':' {
                return Some(SensitiveKind::Password);
            }
            return Some(SensitiveKind::Email);
        }
    }
    None
}

/// A UK mobile: 07 and nine more digits, written whole or grouped as UK numbers are (07911
/// 123456, 07911 123 456, 0791 112 3456, (07911) 123456), the groups apart by a space or two, a
/// dash or a dot; not inside a longer run of numbers, nor after a decimal point or a `+`.
fn uk_mobile(b: &[u8]) -> bool {
    // Longest first, so that "  " is not read as " " followed by a non-digit.
    const GAPS: [&[u8]; 5] = [b" - ", b"  ", b" ", b"-", b"."];
    // The length of the gap at `j` that more digits follow, if there is one.
    let gap = |j: usize| {
        GAPS.iter()
            .find(|g| b[j..].starts_with(g) && b.get(j + g.len()).is_some_and(u8::is_ascii_digit))
            .map(|g| g.len())
    };
    // Whether a gap ending at `i` follows a digit: the number would be part of a longer run.
    let continues = |i: usize| {
        GAPS.iter()
            .any(|g| i > g.len() && b[..i].ends_with(g) && b[i - g.len() - 1].is_ascii_digit())
    };
    (0..b.len()).any(|i| {
        if !b[i..].starts_with(b"07")
            || !starts_word(b, i)
            || (i > 0 && matches!(b[i - 1], b'.' | b'+'))
            || continues(i)
        {
            return false;
        }
        // "(07911) 123456": the first group in parentheses.
        let opened = i > 0 && b[i - 1] == b'(';
        let (mut j, mut groups) = (i, Vec::new());
        loop {
            let start = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push(j - start);
            if groups.iter().sum::<usize>() >= 11 {
                break;
            }
            let closing = [&b") "[..], b")"]
                .into_iter()
                .find(|c| opened && groups.len() == 1 && b[j..].starts_with(c))
                .map(<[u8]>::len);
            match closing.or_else(|| gap(j)) {
                Some(n) if b.get(j + n).is_some_and(u8::is_ascii_digit) => j += n,
                _ => break,
            }
        }
        matches!(
            groups.as_slice(),
            [11] | [5, 6] | [5, 3, 3] | [4, 3, 4] | [3, 4, 4]
        ) && ends_word(b, j)
            && gap(j).is_none()
    })
}

fn phone(b: &[u8]) -> Option<SensitiveKind> {
    if digits(b) < 8 {
        return None;
    }
    // International: `+` and 8 to 15 digits, grouped by spaces, dashes, dots or parentheses.
    for i in 0..b.len() {
        if b[i] != b'+' || !starts_word(b, i) || !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let mut j = i + 1;
        let mut digits = 0;
        let mut last_digit = j;
        while j < b.len() && (b[j].is_ascii_digit() || b" -.()".contains(&b[j])) {
            if b[j].is_ascii_digit() {
                digits += 1;
                last_digit = j + 1;
            } else if j + 1 < b.len() && b" -.".contains(&b[j]) && b" -.".contains(&b[j + 1]) {
                break;
            }
            j += 1;
        }
        if (8..=15).contains(&digits) && ends_word(b, last_digit) {
            return Some(SensitiveKind::Phone);
        }
    }
    if uk_mobile(b) {
        return Some(SensitiveKind::Phone);
    }
    // North American: (415) 555-2671, 415-555-2671, 415.555.2671, 415 555 2671.
    let d = |i: usize, n: usize| i + n <= b.len() && b[i..i + n].iter().all(u8::is_ascii_digit);
    let nanp =
        |area: u8, exchange: u8| (b'2'..=b'9').contains(&area) && (b'2'..=b'9').contains(&exchange);
    for i in 0..b.len() {
        if !starts_word(b, i) {
            continue;
        }
        if b[i] == b'('
            && d(i + 1, 3)
            && b.get(i + 4) == Some(&b')')
            && b.get(i + 5) == Some(&b' ')
            && d(i + 6, 3)
            && matches!(b.get(i + 9), Some(b'-' | b'.' | b' '))
            && d(i + 10, 4)
            && ends_word(b, i + 14)
            && nanp(b[i + 1], b[i + 6])
        {
            return Some(SensitiveKind::Phone);
        }
        if d(i, 3)
            && matches!(b.get(i + 3), Some(b'-' | b'.' | b' '))
            && d(i + 4, 3)
            && b.get(i + 7) == b.get(i + 3)
            && d(i + 8, 4)
            && ends_word(b, i + 12)
            && !matches!(b.get(i + 12), Some(b'-' | b'.' | b' ') if b.get(i + 13).is_some_and(u8::is_ascii_digit))
            && !(i > 0 && matches!(b[i - 1], b'-' | b'.' | b'+'))
            && nanp(b[i], b[i + 4])
        {
            return Some(SensitiveKind::Phone);
        }
    }
    None
}

/// Numbers written as digit groups: payment cards and US social security numbers.
fn numbers(b: &[u8]) -> Option<SensitiveKind> {
    // The shortest is a social security number's nine.
    if digits(b) < 9 {
        return None;
    }
    // A run: digit groups joined by single spaces, dashes or dots, bounded by non-words.
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || !starts_word(b, i) || (i > 0 && b[i - 1] == b'.') {
            i += 1;
            continue;
        }
        let mut groups: Vec<&[u8]> = Vec::new();
        let mut seps: Vec<u8> = Vec::new();
        let mut j = i;
        loop {
            let g = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push(&b[g..j]);
            if j + 1 < b.len() && b" -.".contains(&b[j]) && b[j + 1].is_ascii_digit() {
                seps.push(b[j]);
                j += 1;
            } else {
                break;
            }
        }
        let next = j;
        if ends_word(b, j) {
            if let Some(kind) = classify(&groups, &seps) {
                return Some(kind);
            }
        } else {
            // The last group runs into a word: judge only the groups before it.
            groups.pop();
            seps.pop();
            if !groups.is_empty()
                && let Some(kind) = classify(&groups, &seps)
            {
                return Some(kind);
            }
        }
        i = next.max(i + 1);
    }
    None
}

fn classify(groups: &[&[u8]], seps: &[u8]) -> Option<SensitiveKind> {
    if groups.iter().any(|g| card_number(g)) {
        return Some(SensitiveKind::PaymentCard);
    }
    // Segments: maximal stretches joined by one separator, sharing their boundary groups.
    let mut start = 0;
    while start < seps.len() {
        let sep = seps[start];
        let mut end = start + 1;
        while end < seps.len() && seps[end] == sep {
            end += 1;
        }
        let seg = &groups[start..=end];
        if sep != b'.' {
            if seg.len() == 3 && ssn(seg) {
                return Some(SensitiveKind::UsSsn);
            }
            if card_in(seg) {
                return Some(SensitiveKind::PaymentCard);
            }
        }
        start = end;
    }
    None
}

fn ssn(g: &[&[u8]]) -> bool {
    if g[0].len() != 3 || g[1].len() != 2 || g[2].len() != 4 {
        return false;
    }
    let area = g[0];
    let never_issued = area == b"000" || area == b"666" || area[0] == b'9';
    let advertised = [g[0], g[1], g[2]].concat();
    let specimen = advertised == b"078051120" || advertised == b"219099999";
    !(never_issued || g[1] == b"00" || g[2] == b"0000" || specimen)
}

/// Whether consecutive groups of 3–6 digits in `seg` make a card number.
fn card_in(seg: &[&[u8]]) -> bool {
    for s in 0..seg.len() {
        let mut digits = Vec::with_capacity(19);
        for g in &seg[s..] {
            if seg.len() > 1 && !(3..=6).contains(&g.len()) {
                break;
            }
            digits.extend_from_slice(g);
            if digits.len() > 19 {
                break;
            }
            if card_number(&digits) {
                return true;
            }
        }
    }
    false
}

/// 13–19 digits of a card network's range (major industry identifiers 2–6) passing Luhn.
fn card_number(d: &[u8]) -> bool {
    (13..=19).contains(&d.len())
        && (b'2'..=b'6').contains(&d[0])
        && d.iter().any(|&c| c != d[0])
        && luhn(d)
}

fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &c)| {
            let v = u32::from(c - b'0');
            if i % 2 == 1 {
                let v = v * 2;
                if v > 9 { v - 9 } else { v }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Long hex runs (raw hashes, keys) and long base64 runs that look random.
fn random_secret(b: &[u8]) -> Option<SensitiveKind> {
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

#[cfg(test)]
mod tests;
