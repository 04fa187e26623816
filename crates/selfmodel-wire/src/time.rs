//! Times on the wire: RFC 3339 in UTC with microseconds (`2026-01-02T03:04:05.000006Z`), the
//! form the audit log signs; any RFC 3339 time is read.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Writes a time in the wire's form.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// Reads any RFC 3339 time.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    DateTime::<Utc>::deserialize(d)
}

/// The same for optional times.
pub mod option {
    use super::*;

    /// Writes a time in the wire's form, or null.
    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::serialize(at, s),
            None => s.serialize_none(),
        }
    }

    /// Reads an RFC 3339 time or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<DateTime<Utc>>::deserialize(d)
    }
}
