//! The policy file as written: plain serde structs, no checks beyond shape.
//! Action values stay `toml::Value` so that `compile` can say exactly what is
//! wrong with one, with its line. `compile` turns this into a [`Policy`](super::Policy).

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A whole policy file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub(crate) version: Spanned<i64>,
    pub(crate) description: Option<String>,
    pub(crate) unlisted: Option<Spanned<String>>,
    pub(crate) on_pan: Option<Spanned<String>>,
    pub(crate) on_email: Option<Spanned<String>>,
    pub(crate) on_username: Option<Spanned<String>>,
    pub(crate) transaction: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    pub(crate) report: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    /// Example cases run by `txveil policy test`.
    #[serde(default)]
    pub(crate) test: Vec<Spanned<RawTest>>,
}

/// One `[[test]]` case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTest {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) endpoint: Option<String>,
    /// The request, as a JSON string.
    pub(crate) input: String,
    /// The expected sanitized request, as a JSON string.
    pub(crate) output: Option<String>,
    /// The expected rejection code.
    pub(crate) reject: Option<String>,
    /// The expected rejection path (JSON pointer).
    pub(crate) path: Option<String>,
}
