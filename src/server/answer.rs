//! minFraud's answer, read once without building a tree: whether it is one
//! JSON object, and the account's `funds_remaining` and `queries_remaining`.
//! Every other value is skipped as it is read.

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// The balance an answer reports.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Balance {
    /// `funds_remaining`, in US dollars, when the answer has a number there.
    pub funds_remaining: Option<f64>,
    /// `queries_remaining`, when the answer has a whole number there.
    pub queries_remaining: Option<u64>,
}

/// Reads `body`; `None` when it is not exactly one JSON object.
pub fn read(body: &[u8]) -> Option<Balance> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let balance = de.deserialize_map(BalanceVisitor).ok()?;
    de.end().ok()?;
    Some(balance)
}

struct BalanceVisitor;

enum Key {
    Funds,
    Queries,
    Other,
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "funds_remaining" => Key::Funds,
            "queries_remaining" => Key::Queries,
            _ => Key::Other,
        })
    }
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

/// A number where one is expected; any other value is skipped, not refused:
/// the answer still goes back to the app as it is.
struct Number(Option<f64>);

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_f64<E>(self, v: f64) -> Result<Number, E> {
        Ok(Number(Some(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
        Ok(Number(Some(v as f64)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
        Ok(Number(Some(v as f64)))
    }

    fn visit_str<E>(self, _: &str) -> Result<Number, E> {
        Ok(Number(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Number, E> {
        Ok(Number(None))
    }

    fn visit_unit<E>(self) -> Result<Number, E> {
        Ok(Number(None))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Number, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Number(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Number, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Number(None))
    }
}

impl<'de> serde::Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

impl<'de> Visitor<'de> for BalanceVisitor {
    type Value = Balance;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Balance, A::Error> {
        let mut balance = Balance::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Funds => balance.funds_remaining = map.next_value::<Number>()?.0,
                Key::Queries => {
                    balance.queries_remaining = map
                        .next_value::<Number>()?
                        .0
                        .filter(|q| *q >= 0.0 && q.fract() == 0.0 && *q < 2f64.powi(53))
                        .map(|q| q as u64);
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(balance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_balance_and_skips_the_rest() {
        let body = br#"{"id":"27d26476","risk_score":0.01,"ip_address":{"risk":0.01,"traits":{"x":[1,{"funds_remaining":3}]}},
            "funds_remaining":10.25,"queries_remaining":1000,"warnings":[{"code":"X","warning":"w"}]}"#;
        assert_eq!(
            read(body),
            Some(Balance {
                funds_remaining: Some(10.25),
                queries_remaining: Some(1000)
            })
        );
        let escaped = br#"{"funds_\u0072emaining":2,"queries_remaining":0}"#;
        assert_eq!(
            read(escaped),
            Some(Balance {
                funds_remaining: Some(2.0),
                queries_remaining: Some(0)
            })
        );
        assert_eq!(read(br#"{"risk_score":1}"#), Some(Balance::default()));
        assert_eq!(
            read(br#"{"funds_remaining":"ten","queries_remaining":-1}"#),
            Some(Balance::default())
        );
        assert_eq!(
            read(br#"{"queries_remaining":1.5}"#),
            Some(Balance::default())
        );
    }

    #[test]
    fn anything_but_one_object_is_refused() {
        for bad in [
            &b""[..],
            b"[]",
            b"null",
            b"\"x\"",
            b"{",
            b"{\"a\":1}{}",
            b"{\"a\":1} x",
            b"{\"funds_remaining\":}",
            b"<html>",
        ] {
            assert_eq!(read(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert!(read(b" {} \n").is_some());
    }
}
