//! A disclosure set's members packed into one blob: the belief numbers in ascending order, the
//! first as a varint and each next one as its distance from the one before, so that a set of a
//! hundred beliefs takes about a hundred bytes and no index entry per member. "Who received this
//! belief" scans the sets with [`SET_HAS`]; there are as many sets as distinct pages disclosed,
//! not as many as reads.

use integer_encoding::VarInt;
use rusqlite::Connection;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};

use crate::error::{Result, VaultError};

/// SQL `set_has(members, n)`: whether the packed set `members` holds belief number `n` (false
/// when either is NULL).
pub(crate) const SET_HAS: &str = "set_has";

/// SQL aggregate `set_pack(n)`: the packed set of the numbers aggregated, in any order.
pub(crate) const SET_PACK: &str = "set_pack";

/// Packs belief numbers (each positive), in any order, duplicates dropped.
pub(crate) fn pack(numbers: &mut [i64]) -> Vec<u8> {
    numbers.sort_unstable();
    let mut out = Vec::with_capacity(numbers.len() * 2);
    let mut buf = [0u8; 10];
    let mut last = 0i64;
    for &n in numbers.iter() {
        if n == last {
            continue;
        }
        let len = ((n - last) as u64).encode_var(&mut buf);
        out.extend_from_slice(&buf[..len]);
        last = n;
    }
    out
}

/// The belief numbers of a packed set, in ascending order.
pub(crate) fn unpack(members: &[u8]) -> Result<Vec<i64>> {
    let mut numbers = Vec::with_capacity(members.len());
    for_each(members, |n| {
        numbers.push(n);
        true
    })?;
    Ok(numbers)
}

/// Whether a packed set holds `n`: stops at the first number past it.
fn contains(members: &[u8], n: i64) -> Result<bool> {
    let mut found = false;
    for_each(members, |m| {
        found = m == n;
        m < n
    })?;
    Ok(found)
}

/// Calls `f` with each number in order until it returns false.
fn for_each(members: &[u8], mut f: impl FnMut(i64) -> bool) -> Result<()> {
    let damaged = || VaultError::Data("a damaged disclosure set".into());
    let (mut rest, mut last) = (members, 0i64);
    while !rest.is_empty() {
        let (delta, len) = u64::decode_var(rest).ok_or_else(damaged)?;
        last = i64::try_from(delta)
            .ok()
            .filter(|d| *d > 0)
            .and_then(|d| last.checked_add(d))
            .ok_or_else(damaged)?;
        rest = &rest[len..];
        if !f(last) {
            break;
        }
    }
    Ok(())
}

/// Makes [`SET_HAS`] and [`SET_PACK`] known to a connection.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function(SET_HAS, 2, flags, |ctx| {
        let (Some(members), Some(n)) = (ctx.get::<Option<Vec<u8>>>(0)?, ctx.get::<Option<i64>>(1)?)
        else {
            return Ok(false);
        };
        contains(&members, n).map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
    })?;
    conn.create_aggregate_function(SET_PACK, 1, flags, Packer)?;
    Ok(())
}

/// The [`SET_PACK`] aggregate.
struct Packer;

impl Aggregate<Vec<i64>, Vec<u8>> for Packer {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Vec<i64>> {
        Ok(Vec::new())
    }

    fn step(&self, ctx: &mut Context<'_>, numbers: &mut Vec<i64>) -> rusqlite::Result<()> {
        numbers.push(ctx.get(0)?);
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        numbers: Option<Vec<i64>>,
    ) -> rusqlite::Result<Vec<u8>> {
        Ok(pack(&mut numbers.unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_packs_and_unpacks_to_its_sorted_members() {
        let mut numbers = vec![300, 1, 2, 2, 20_000, 7];
        let packed = pack(&mut numbers);
        // 1, +1, +5, +293 (two bytes), +19,700 (three bytes).
        assert_eq!(packed.len(), 1 + 1 + 1 + 2 + 3);
        assert_eq!(unpack(&packed).unwrap(), vec![1, 2, 7, 300, 20_000]);
        for n in [1, 2, 7, 300, 20_000] {
            assert!(contains(&packed, n).unwrap(), "{n}");
        }
        for n in [0, 3, 299, 301, 20_001, -1] {
            assert!(!contains(&packed, n).unwrap(), "{n}");
        }
    }

    #[test]
    fn a_hundred_neighbours_take_about_a_hundred_bytes() {
        let mut numbers: Vec<i64> = (5_000..5_100).collect();
        assert_eq!(pack(&mut numbers).len(), 2 + 99);
    }

    #[test]
    fn damaged_blobs_are_refused_not_misread() {
        for bad in [
            &[0x80][..],             // a varint that never ends
            &[0x00][..],             // a zero step: not ascending
            &[0xff; 11][..],         // longer than any u64
            &[0x81, 0x80, 0x80][..], // cut short
        ] {
            assert!(unpack(bad).is_err(), "{bad:?}");
        }
        // Past i64::MAX.
        let mut big = (i64::MAX as u64).encode_var_vec();
        big.extend(1u64.encode_var_vec());
        assert!(unpack(&big).is_err());
    }

    #[test]
    #[allow(
        clippy::disallowed_methods,
        reason = "the SQL functions alone: nothing is stored"
    )]
    fn the_sql_functions_agree_with_the_rust_ones() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let packed: Vec<u8> = conn
            .query_row(
                "SELECT set_pack(column1) FROM (VALUES (9), (3), (3), (4))",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(unpack(&packed).unwrap(), vec![3, 4, 9]);
        let has = |n: Option<i64>| -> bool {
            conn.query_row(
                "SELECT set_has(?1, ?2)",
                rusqlite::params![packed, n],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert!(has(Some(4)));
        assert!(!has(Some(5)));
        assert!(!has(None));
    }
}
