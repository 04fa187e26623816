//! An audit event's detail, typed: `key=value` pairs, one space apart, in the order added.

use std::fmt::{Display, Write};

/// What an event records beyond its action and subject: ids, counts, catalogue names, hashes,
/// never content. A key is a fixed lower-case name. A value keeps the characters such things
/// are made of (ASCII letters and digits, `.` `_` `-` `:` `,` `+` `/` `@`); any other byte is
/// written `%XX`, so no value can split the pairs or carry a text unnoticed. Details written
/// before this type read back as they were stored; the chain hashes the stored text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detail(String);

impl Detail {
    /// No pairs yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The detail with `key=value` added.
    pub fn with(mut self, key: &'static str, value: impl Display) -> Self {
        debug_assert!(
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "audit detail key {key:?}"
        );
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(key);
        self.0.push('=');
        for b in value.to_string().bytes() {
            if b.is_ascii_alphanumeric() || b".-_:,+/@".contains(&b) {
                self.0.push(char::from(b));
            } else {
                let _ = write!(self.0, "%{b:02X}");
            }
        }
        self
    }

    /// The detail with `key=` the items joined by commas.
    pub fn list<T: Display>(self, key: &'static str, items: impl IntoIterator<Item = T>) -> Self {
        let joined: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
        self.with(key, joined.join(","))
    }

    /// Whether no pair was added.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text stored in the chain.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Detail> for String {
    fn from(d: Detail) -> Self {
        d.0
    }
}

#[cfg(test)]
mod tests {
    use super::Detail;

    #[test]
    fn ids_counts_and_hashes_are_written_as_they_are() {
        let d = Detail::new()
            .with("grant", "0192f0c4-7d1e-7c3a-9b2e-6f1d2c3b4a59")
            .with("vendor", "com.example.app")
            .with("count", 2)
            .list("ids", ["a", "b"])
            .with("at", "2026-12-05T03:00:00.000+00:00");
        assert_eq!(
            d.as_str(),
            "grant=0192f0c4-7d1e-7c3a-9b2e-6f1d2c3b4a59 vendor=com.example.app count=2 ids=a,b \
             at=2026-12-05T03:00:00.000+00:00"
        );
    }

    #[test]
    fn no_value_can_split_the_pairs_or_carry_text_unnoticed() {
        let d = Detail::new()
            .with("method", "pasted list")
            .with("vendor", "x count=9")
            .with("name", "é\n%");
        assert_eq!(
            d.as_str(),
            "method=pasted%20list vendor=x%20count%3D9 name=%C3%A9%0A%25"
        );
        assert_eq!(d.as_str().split(' ').count(), 3);
        assert!(Detail::new().is_empty());
    }
}
