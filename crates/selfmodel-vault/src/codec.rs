//! Conversions between stored column values and domain values.

use chrono::{DateTime, Utc};
use selfmodel_core::{Snapshot, audit::canonical_time};

use crate::error::{Result, VaultError};

/// A timestamp as stored: RFC 3339, UTC, microseconds (sorts as text).
pub fn time(at: &DateTime<Utc>) -> String {
    canonical_time(at)
}

/// An access-log time as stored: microseconds since the Unix epoch.
pub fn micros(at: &DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// Reads an access-log time.
pub fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| VaultError::Data(format!("{us} is not a time in microseconds")))
}

/// Reads a stored timestamp.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        // What [`time`] wrote for a year past 9999 (`+10000-…`), which older versions stored.
        .or_else(|_| s.parse::<DateTime<Utc>>())
        .map_err(|_| VaultError::Data(format!("'{s}' is not a timestamp")))
}

/// Reads any stored `FromStr` value (enums, ids), naming what failed.
pub fn parse<T: std::str::FromStr>(what: &str, s: &str) -> Result<T> {
    s.parse()
        .map_err(|_| VaultError::Data(format!("'{s}' is not a valid {what}")))
}

/// A rectification snapshot as stored: a small JSON object.
pub fn snapshot_json(s: &Snapshot) -> String {
    serde_json::json!({
        "statement": s.statement,
        "confidence": s.confidence,
        "purposes": s.purposes,
    })
    .to_string()
}

/// Reads a stored snapshot.
pub fn parse_snapshot(s: &str) -> Result<Snapshot> {
    let bad = || VaultError::Data("a rectification snapshot does not parse".into());
    let v: serde_json::Value = serde_json::from_str(s).map_err(|_| bad())?;
    Ok(Snapshot {
        statement: v["statement"].as_str().ok_or_else(bad)?.to_owned(),
        confidence: v["confidence"].as_f64().ok_or_else(bad)?,
        purposes: v["purposes"]
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|p| p.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<Result<_>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_time_written_reads_back() {
        for at in [
            "2026-03-01T12:00:00.000001Z",
            "+10000-01-01T04:00:00Z",
            "0001-01-01T00:00:00Z",
        ] {
            let t: DateTime<Utc> = at.parse().unwrap();
            assert_eq!(parse_time(&time(&t)).unwrap(), t, "{at}");
        }
    }
}
