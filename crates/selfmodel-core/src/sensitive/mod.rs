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

use memchr::memmem::Finder;

use crate::error::{CoreError, Result};

mod credentials;
mod identifiers;
mod numbers;

use credentials::{jwt, password, prefixed_token, private_key, random_secret};
use identifiers::{email, iban, uk_nino};
use numbers::{numbers, phone};

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

#[cfg(test)]
mod tests;
