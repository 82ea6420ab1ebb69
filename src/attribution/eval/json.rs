//! `jsondecode` straight into the value evaluation uses: maps in key order
//! (Terraform iterates maps by key; hcl-rs keeps insertion order) and bounded
//! in nodes, in one pass. Decoding into `hcl::Value` and then sorting and
//! counting walked a big data file three times.

use std::cell::Cell;
use std::fmt;

use hcl::{Map, Number, Value};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::functions::MAX_NODES;

/// `text` decoded, its maps sorted by key (a repeated key keeps its last
/// value, as Terraform's decoder does). Errors are as a user reads them.
pub(super) fn decode(text: &str) -> Result<Value, String> {
    let nodes = Cell::new(0);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed { nodes: &nodes }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    value.map_err(|e| match nodes.get() > MAX_NODES {
        true => format!("a value holds more than {MAX_NODES} elements"),
        false => format!("jsondecode: invalid JSON: {e}"),
    })
}

#[derive(Clone, Copy)]
struct Seed<'a> {
    nodes: &'a Cell<usize>,
}

impl Seed<'_> {
    fn count<E: serde::de::Error>(self) -> Result<(), E> {
        let n = self.nodes.get() + 1;
        self.nodes.set(n);
        match n > MAX_NODES {
            true => Err(E::custom("too many nodes")),
            false => Ok(()),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.count()?;
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.count()?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.count()?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.count()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.count()?;
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            entries.push((key, value));
        }
        // Stable: of equal keys, the last one decoded is last; keep it.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Map::with_capacity(entries.len());
        let mut entries = entries.into_iter().peekable();
        while let Some((key, value)) = entries.next() {
            if entries.peek().is_some_and(|(next, _)| *next == key) {
                continue;
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::eval::functions::{check_size, sort_keys};

    /// The old way: hcl-rs's own decoding, then sorting.
    fn reference(text: &str) -> Value {
        let mut v: Value = serde_json::from_str(text).unwrap();
        check_size(&v).unwrap();
        sort_keys(&mut v, 0);
        v
    }

    #[test]
    fn maps_come_sorted_with_the_last_of_a_repeated_key() {
        let text =
            r#"{"b": {"z": 1, "a": [true, null, 1.5, -3, "s"]}, "a": 1, "c": {"k": 1, "k": 2}}"#;
        let v = decode(text).unwrap();
        assert_eq!(v, reference(text));
        let Value::Object(o) = &v else {
            panic!("{v:?}")
        };
        assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        let Value::Object(b) = &o["b"] else { panic!() };
        assert_eq!(b.keys().collect::<Vec<_>>(), ["a", "z"]);
        assert_eq!(o["c"], reference(r#"{"k": 2}"#));
    }

    #[test]
    fn errors_name_invalid_json_and_too_many_elements() {
        let e = decode(r#"{"a": }"#).unwrap_err();
        assert!(e.starts_with("jsondecode: invalid JSON: "), "{e}");
        let e = decode("[1] 2").unwrap_err();
        assert!(e.starts_with("jsondecode: invalid JSON: "), "{e}");
        let big = format!("[{}0]", "0,".repeat(MAX_NODES));
        assert_eq!(
            decode(&big).unwrap_err(),
            format!("a value holds more than {MAX_NODES} elements")
        );
        let fits = format!("[{}0]", "0,".repeat(MAX_NODES - 2));
        assert!(decode(&fits).is_ok());
    }
}
