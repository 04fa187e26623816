//! The canonical form of a JSON value, as RFC 8785 (JSON Canonicalization Scheme) defines it:
//! what the export's signature and beliefs hash cover.
//!
//! Written out here rather than taken from `serde_json`'s output, whose member order depends on
//! a crate feature (`preserve_order`) that any crate in the build may switch on:
//! - no whitespace between tokens;
//! - object members sorted by name, compared as UTF-16 code units, recursively;
//! - strings with only `"` `\` and control characters escaped (`\b \f \n \r \t`, others as
//!   `\u00xx`, lowercase), every other character as raw UTF-8;
//! - numbers as IEEE 754 doubles in ECMAScript's shortest form (`1`, `0.5`, `1e-7`, `1e+21`).

use serde_json::Value;

use crate::wire;

/// The canonical UTF-8 bytes of `value`.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = String::new();
    write_value(value, &mut out);
    out.into_bytes()
}

/// The canonical bytes of the object `value` with the members `names` added, cut where each of
/// their values goes: one more part than names, in canonical order. Members of `value` with
/// those names are left out.
pub fn split_at(value: &serde_json::Map<String, Value>, names: &[&str]) -> Vec<Vec<u8>> {
    let mut members: Vec<(&str, Option<&Value>)> = value
        .iter()
        .filter(|(k, _)| !names.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), Some(v)))
        .collect();
    members.extend(names.iter().map(|n| (*n, None)));
    members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    let mut parts = Vec::with_capacity(names.len() + 1);
    let mut part = String::from("{");
    for (i, (k, v)) in members.into_iter().enumerate() {
        if i > 0 {
            part.push(',');
        }
        write_string(k, &mut part);
        part.push(':');
        match v {
            Some(v) => write_value(v, &mut part),
            None => parts.push(std::mem::take(&mut part).into_bytes()),
        }
    }
    part.push('}');
    parts.push(part.into_bytes());
    parts
}

/// Appends the canonical bytes of one wire belief, written straight from its fields (members in
/// canonical order) rather than through a [`Value`]: the same bytes as [`to_vec`] of its
/// serialised form.
pub fn write_belief(b: &wire::Belief, out: &mut String) {
    let wire::Belief {
        id,
        statement,
        category,
        confidence,
        purposes,
        sensitivity,
        status,
        evidence,
        provenance,
        created_at,
        updated_at,
        expires_at,
        confirmed_at,
        history,
    } = b;
    let mut o = Object::open(out);
    o.key("category").string(category);
    o.key("confidence").number(*confidence);
    if let Some(at) = confirmed_at {
        o.key("confirmed_at").string(at);
    }
    o.key("created_at").string(created_at);
    o.key("evidence").out.push('[');
    for (i, e) in evidence.iter().enumerate() {
        if i > 0 {
            o.out.push(',');
        }
        let wire::Evidence {
            kind,
            source,
            summary,
            observed_at,
            content_sha256,
        } = e;
        let mut e = Object::open(o.out);
        e.key("content_sha256").optional(content_sha256.as_deref());
        e.key("kind").string(kind);
        e.key("observed_at").string(observed_at);
        e.key("source").string(source);
        e.key("summary").string(summary);
        e.close();
    }
    o.out.push(']');
    o.key("expires_at").optional(expires_at.as_deref());
    o.key("history").out.push('[');
    for (i, r) in history.iter().enumerate() {
        if i > 0 {
            o.out.push(',');
        }
        let wire::Rectification {
            at,
            actor,
            reason,
            before,
            after,
        } = r;
        let mut r = Object::open(o.out);
        write_actor(actor, r.key("actor").out);
        write_snapshot(after, r.key("after").out);
        r.key("at").string(at);
        write_snapshot(before, r.key("before").out);
        r.key("reason").string(reason);
        r.close();
    }
    o.out.push(']');
    o.key("id").string(id);
    let wire::Provenance { actor, method } = provenance;
    let mut p = Object::open(o.key("provenance").out);
    write_actor(actor, p.key("actor").out);
    p.key("method").string(method);
    p.close();
    write_strings(purposes, o.key("purposes").out);
    o.key("sensitivity").string(sensitivity);
    o.key("statement").string(statement);
    o.key("status").string(status);
    o.key("updated_at").string(updated_at);
    o.close();
}

fn write_actor(a: &wire::Actor, out: &mut String) {
    let mut o = Object::open(out);
    match a {
        wire::Actor::Vendor { grant_id, name } => {
            o.key("grant_id").string(grant_id);
            o.key("kind").string("vendor");
            o.key("name").string(name);
        }
        wire::Actor::Person => o.key("kind").string("person"),
        wire::Actor::Import => o.key("kind").string("import"),
        wire::Actor::System => o.key("kind").string("system"),
    }
    o.close();
}

fn write_snapshot(s: &wire::Snapshot, out: &mut String) {
    let wire::Snapshot {
        statement,
        confidence,
        purposes,
    } = s;
    let mut o = Object::open(out);
    o.key("confidence").number(*confidence);
    write_strings(purposes, o.key("purposes").out);
    o.key("statement").string(statement);
    o.close();
}

fn write_strings(items: &[String], out: &mut String) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(s, out);
    }
    out.push(']');
}

/// An object being written member by member; the caller gives the members in canonical order.
struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    fn open(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    /// Starts a member: its key and colon; the value is written next.
    fn key(&mut self, name: &str) -> Member<'_> {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_string(name, self.out);
        self.out.push(':');
        Member { out: self.out }
    }

    fn close(self) {
        self.out.push('}');
    }
}

/// Where a member's value goes.
struct Member<'a> {
    out: &'a mut String,
}

impl Member<'_> {
    fn string(self, s: &str) {
        write_string(s, self.out);
    }

    fn optional(self, s: Option<&str>) {
        match s {
            Some(s) => write_string(s, self.out),
            None => self.out.push_str("null"),
        }
    }

    fn number(self, x: f64) {
        // As `serde_json` would: a double that is not finite serialises as null.
        if x.is_finite() {
            self.out.push_str(&es_number(x));
        } else {
            self.out.push_str("null");
        }
    }
}

/// Appends the canonical bytes of `value`.
pub fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (name, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(name, out);
                out.push(':');
                write_value(member, out);
            }
            out.push('}');
        }
    }
}

fn write_number(n: &serde_json::Number, out: &mut String) {
    // RFC 8785 treats every number as a double; integers beyond 2^53 lose precision, which the
    // schema rules out for the export's counts.
    let x = if let Some(u) = n.as_u64() {
        u as f64
    } else if let Some(i) = n.as_i64() {
        i as f64
    } else {
        n.as_f64().unwrap_or(0.0)
    };
    out.push_str(&es_number(x));
}

/// ECMAScript's `Number.prototype.toString` for a finite double.
pub fn es_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        // -0 prints as 0; JSON cannot hold NaN or infinities, so they never get here.
        return "0".into();
    }
    if x < 0.0 {
        return format!("-{}", es_number(-x));
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, e.g. "1.2345e-7".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let n = exp + 1; // the value is 0.digits × 10^n
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let e = (n - 1).abs();
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{sign}{e}")
        } else {
            format!("{first}.{rest}e{sign}{e}")
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(v: &Value) -> String {
        String::from_utf8(to_vec(v)).unwrap()
    }

    #[test]
    fn numbers_follow_ecmascript() {
        // RFC 8785, appendix B, and section 3.2.2.3.
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (0.5, "0.5"),
            (4.5, "4.5"),
            (0.002, "0.002"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1e-27, "1e-27"),
            (1e21, "1e+21"),
            (1e30, "1e+30"),
            (123e18, "123000000000000000000"),
            (295147905179352830000.0, "295147905179352830000"),
            (9007199254740992.0, "9007199254740992"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (333333333.3333333, "333333333.3333333"),
            (0.30000000000000004, "0.30000000000000004"),
            (1.5e-7, "1.5e-7"),
            (-1.5e21, "-1.5e+21"),
        ];
        for (x, want) in cases {
            assert_eq!(es_number(*x), *want, "{x:e}");
        }
    }

    #[test]
    fn members_are_sorted_and_nested() {
        let v = json!({"b": [1, {"z": true, "a": null}], "a": "x", "\u{e9}": 1, "\u{1f600}": 2, "\u{fb33}": 3});
        // UTF-16 order: "a" < "b" < "é" (U+00E9) < "😀" (D83D DE00) < "שּ" (U+FB33).
        assert_eq!(
            canon(&v),
            "{\"a\":\"x\",\"b\":[1,{\"a\":null,\"z\":true}],\"\u{e9}\":1,\"\u{1f600}\":2,\"\u{fb33}\":3}"
        );
    }

    #[test]
    fn strings_escape_only_what_json_requires() {
        let v = json!("\"\\/\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}é\u{2028}");
        assert_eq!(
            canon(&v),
            "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}é\u{2028}\""
        );
    }

    #[test]
    fn pieces_agree_with_the_whole() {
        let whole = json!({"z": 1, "beliefs": [{"b": 2, "a": [1.5, "x"]}, null], "a": true});
        let mut rest = whole.as_object().unwrap().clone();
        rest.remove("beliefs");
        let [before, after] = <[Vec<u8>; 2]>::try_from(split_at(&rest, &["beliefs"])).unwrap();
        assert_eq!(before, b"{\"a\":true,\"beliefs\":");
        assert_eq!(after, b",\"z\":1}");
        let mut joined = before;
        joined.extend(to_vec(&whole["beliefs"]));
        joined.extend(after);
        assert_eq!(joined, to_vec(&whole));
        // The member first or last.
        assert_eq!(
            split_at(&serde_json::Map::new(), &["only"]),
            [b"{\"only\":".to_vec(), b"}".to_vec()]
        );
        // Two members cut out: the parts between them join into the whole.
        let whole = json!({"z": 1, "beliefs": [1], "access_log": [2], "b": true});
        let mut rest = whole.as_object().unwrap().clone();
        rest.remove("access_log");
        let parts = split_at(&rest, &["access_log", "beliefs"]);
        assert_eq!(parts.len(), 3);
        let mut joined = parts[0].clone();
        joined.extend(to_vec(&whole["access_log"]));
        joined.extend(&parts[1]);
        joined.extend(to_vec(&whole["beliefs"]));
        joined.extend(&parts[2]);
        assert_eq!(joined, to_vec(&whole));
        rest.remove("b");
        rest.remove("beliefs");
        assert_eq!(
            split_at(&rest, &["zz"]),
            [b"{\"z\":1,\"zz\":".to_vec(), b"}".to_vec()]
        );
    }

    #[test]
    fn beliefs_written_from_their_fields_agree_with_their_values() {
        let snap = |c: f64| wire::Snapshot {
            statement: "said \"so\"\n\u{1}".into(),
            confidence: c,
            purposes: vec!["a".into(), "b".into()],
        };
        let actors = [
            wire::Actor::Person,
            wire::Actor::Import,
            wire::Actor::System,
            wire::Actor::Vendor {
                grant_id: "g\t1".into(),
                name: "Ünï \u{1f600}".into(),
            },
        ];
        for (i, actor) in actors.into_iter().enumerate() {
            let b = wire::Belief {
                id: format!("id-{i}"),
                statement: "likes \"jazz\"\u{7f}\u{2028}".into(),
                category: "interests".into(),
                confidence: [0.0, 1.0, 0.1 + 0.2, 1e-7][i],
                purposes: if i == 0 { vec![] } else { vec!["x".into()] },
                sensitivity: "normal".into(),
                status: "active".into(),
                evidence: (0..i)
                    .map(|k| wire::Evidence {
                        kind: "observed".into(),
                        source: format!("s{k}"),
                        summary: "sum\\mary".into(),
                        observed_at: "2026-01-01T00:00:00.000000Z".into(),
                        content_sha256: (k % 2 == 0).then(|| "ab".repeat(32)),
                    })
                    .collect(),
                provenance: wire::Provenance {
                    actor: actor.clone(),
                    method: "api".into(),
                },
                created_at: "2026-01-01T00:00:00.000000Z".into(),
                updated_at: "2026-01-02T00:00:00.000000Z".into(),
                expires_at: (i % 2 == 1).then(|| "2027-01-01T00:00:00.000000Z".into()),
                confirmed_at: (i % 3 == 1).then(|| "2026-06-01T00:00:00.000000Z".into()),
                history: (0..i % 3)
                    .map(|k| wire::Rectification {
                        at: "2026-01-01T00:00:00.000000Z".into(),
                        actor: actor.clone(),
                        reason: format!("r{k}"),
                        before: snap(0.5),
                        after: snap(1.0),
                    })
                    .collect(),
            };
            let mut direct = String::new();
            write_belief(&b, &mut direct);
            let via_value = to_vec(&serde_json::to_value(&b).unwrap());
            assert_eq!(direct, String::from_utf8(via_value).unwrap(), "actor {i}");
        }
    }

    #[test]
    fn parsed_and_built_values_agree() {
        // 1.0 written by serde_json as "1.0" and an integer 1 are the same number.
        let parsed: Value = serde_json::from_str("{\"c\": 1.0, \"d\": 1}").unwrap();
        assert_eq!(canon(&parsed), "{\"c\":1,\"d\":1}");
        assert_eq!(canon(&json!({"d": 1u64, "c": 1.0f64})), "{\"c\":1,\"d\":1}");
    }
}
