//! Strict JSON parsing for requests.
//!
//! `serde_json::Value` silently keeps the last of two equal keys. Two parsers
//! that disagree about which duplicate counts could let one value be sanitized
//! and another be sent, so duplicate keys are refused here. Nesting is bounded
//! by serde_json's recursion limit (128); invalid UTF-8 and lone surrogates are
//! refused by serde_json itself. No error carries request content.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Why a body is not an acceptable JSON request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    /// Not JSON at all: syntax, encoding, or too deeply nested.
    Syntax,
    /// An object has the same key twice.
    DuplicateKey,
    /// The top level is valid JSON but not an object.
    NotAnObject,
}

struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

const DUPLICATE_KEY: &str = "duplicate key";

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
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
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let StrictValue(v) = map.next_value()?;
            if out.insert(key, v).is_some() {
                return Err(de::Error::custom(DUPLICATE_KEY));
            }
        }
        Ok(Value::Object(out))
    }
}

/// Parses a request body into a JSON object, refusing duplicate keys.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonProblem> {
    match serde_json::from_slice::<StrictValue>(bytes) {
        Ok(StrictValue(Value::Object(map))) => Ok(map),
        Ok(_) => Err(JsonProblem::NotAnObject),
        Err(e) if e.to_string().starts_with(DUPLICATE_KEY) => Err(JsonProblem::DuplicateKey),
        Err(_) => Err(JsonProblem::Syntax),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_objects() {
        let m = parse_object(br#"{"a":{"b":[1,2.5,"x",null,true]}}"#).unwrap();
        assert_eq!(m["a"]["b"][1], serde_json::json!(2.5));
    }

    #[test]
    fn refuses_duplicate_keys_at_any_depth() {
        assert_eq!(
            parse_object(br#"{"a":1,"a":2}"#),
            Err(JsonProblem::DuplicateKey)
        );
        assert_eq!(
            parse_object(br#"{"x":[{"k":1,"k":1}]}"#),
            Err(JsonProblem::DuplicateKey)
        );
        // The same key spelled with an escape is still the same key.
        assert_eq!(
            parse_object(br#"{"ab":1,"a\u0062":2}"#),
            Err(JsonProblem::DuplicateKey)
        );
    }

    #[test]
    fn refuses_non_objects_and_garbage() {
        assert_eq!(parse_object(b"[1]"), Err(JsonProblem::NotAnObject));
        assert_eq!(parse_object(b"\"s\""), Err(JsonProblem::NotAnObject));
        assert_eq!(parse_object(b"{"), Err(JsonProblem::Syntax));
        assert_eq!(parse_object(b"{} x"), Err(JsonProblem::Syntax));
        assert_eq!(parse_object(b"{\"a\":\"\xff\"}"), Err(JsonProblem::Syntax));
        assert_eq!(parse_object(br#"{"a":"\ud800"}"#), Err(JsonProblem::Syntax));
        assert_eq!(parse_object(b"\xef\xbb\xbf{}"), Err(JsonProblem::Syntax));
        assert_eq!(parse_object(b""), Err(JsonProblem::Syntax));
    }

    #[test]
    fn refuses_nesting_bombs_without_overflowing_the_stack() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_object(deep.as_bytes()), Err(JsonProblem::Syntax));
    }
}
