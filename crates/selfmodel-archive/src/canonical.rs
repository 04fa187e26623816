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

/// The canonical UTF-8 bytes of `value`.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = String::new();
    write_value(value, &mut out);
    out.into_bytes()
}

/// Appends the canonical bytes of the object `value` with one more member, `name`, whose
/// canonical bytes are already known (`raw`): how a large section is covered without building
/// its tree.
pub fn write_with_member(
    out: &mut Vec<u8>,
    value: &serde_json::Map<String, Value>,
    name: &str,
    raw: &[u8],
) {
    let mut members: Vec<(&str, Option<&Value>)> = value
        .iter()
        .filter(|(k, _)| k.as_str() != name)
        .map(|(k, v)| (k.as_str(), Some(v)))
        .collect();
    members.push((name, None));
    members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    out.reserve(raw.len() + 4096);
    out.push(b'{');
    for (i, (k, v)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let mut s = String::new();
        write_string(k, &mut s);
        s.push(':');
        if let Some(v) = v {
            write_value(v, &mut s);
        }
        out.extend_from_slice(s.as_bytes());
        if v.is_none() {
            out.extend_from_slice(raw);
        }
    }
    out.push(b'}');
}

/// Builds the canonical bytes of an array one element at a time.
#[derive(Default)]
pub struct ArrayWriter {
    buf: String,
    len: usize,
}

impl ArrayWriter {
    /// Appends one element.
    pub fn push(&mut self, v: &Value) {
        self.buf.push(if self.len == 0 { '[' } else { ',' });
        write_value(v, &mut self.buf);
        self.len += 1;
    }

    /// The canonical array.
    pub fn finish(mut self) -> Vec<u8> {
        if self.len == 0 {
            self.buf.push('[');
        }
        self.buf.push(']');
        self.buf.into_bytes()
    }
}

fn write_value(value: &Value, out: &mut String) {
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
        let mut arr = ArrayWriter::default();
        for item in whole["beliefs"].as_array().unwrap() {
            arr.push(item);
        }
        let raw = arr.finish();
        assert_eq!(raw, to_vec(&whole["beliefs"]));
        let mut rest = whole.as_object().unwrap().clone();
        rest.remove("beliefs");
        let mut joined = Vec::new();
        write_with_member(&mut joined, &rest, "beliefs", &raw);
        assert_eq!(joined, to_vec(&whole));
        assert_eq!(ArrayWriter::default().finish(), b"[]");
    }

    #[test]
    fn parsed_and_built_values_agree() {
        // 1.0 written by serde_json as "1.0" and an integer 1 are the same number.
        let parsed: Value = serde_json::from_str("{\"c\": 1.0, \"d\": 1}").unwrap();
        assert_eq!(canon(&parsed), "{\"c\":1,\"d\":1}");
        assert_eq!(canon(&json!({"d": 1u64, "c": 1.0f64})), "{\"c\":1,\"d\":1}");
    }
}
