//! JSON read with every object's member names unique. RFC 8785, which the signature's canonical
//! form follows, is defined on I-JSON, where a name written twice is an error; a reader that
//! kept the last of two (as `serde_json` does) would check a signature over content that another
//! reader, keeping the first, sees otherwise.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

/// A JSON value whose objects name each member once.
pub(crate) struct Unique(pub(crate) Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(Unique(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let Unique(v) = map.next_value()?;
            match members.entry(name) {
                serde_json::map::Entry::Occupied(e) => {
                    return Err(de::Error::custom(twice(e.key())));
                }
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(v);
                }
            }
        }
        Ok(Value::Object(members))
    }
}

/// The top level of a document as raw members, each named once (else the first name written
/// twice).
pub(crate) struct Members<'a> {
    pub(crate) members: BTreeMap<String, &'a RawValue>,
    pub(crate) twice: Option<String>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut out = Members {
                    members: BTreeMap::new(),
                    twice: None,
                };
                while let Some(name) = map.next_key::<String>()? {
                    let raw: &RawValue = map.next_value()?;
                    match out.members.entry(name) {
                        Entry::Occupied(e) => {
                            out.twice.get_or_insert_with(|| e.key().clone());
                        }
                        Entry::Vacant(e) => {
                            e.insert(raw);
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(MembersVisitor)
    }
}

/// What is wrong with a member written twice.
pub(crate) fn twice(name: &str) -> String {
    format!("the member '{name}' is written twice (names in an object must be unique)")
}
