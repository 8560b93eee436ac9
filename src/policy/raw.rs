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
    pub(crate) unknown_enum: Option<Spanned<String>>,
    pub(crate) card_digest_search: Option<Spanned<String>>,
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

/// A shape mistake in a policy that is valid TOML: what serde refused,
/// said in the policy's own terms.
pub(crate) struct ShapeMistake {
    /// Where the mistake starts (a byte offset into the source).
    pub(crate) at: Option<usize>,
    /// The key at fault.
    pub(crate) key: String,
    /// What is wrong, and how to write it.
    pub(crate) message: String,
}

/// Finds the first shape mistake the policy's deserializer would refuse
/// with a message in serde's terms: a dotted field path left unquoted (TOML
/// reads `email.address = ...` as a table `email` holding `address`), a
/// group that is not a table, a setting that is not a string, `[test]`
/// written for `[[test]]`. `None` when the source is not TOML or holds
/// none of these.
pub(crate) fn shape_mistake(source: &str) -> Option<ShapeMistake> {
    use toml_edit::{ImDocument, Item, Value};
    let doc = ImDocument::parse(source).ok()?;
    let root = doc.as_table();
    let at = |key: &str| {
        root.get_key_value(key)
            .and_then(|(k, v)| k.span().or_else(|| v.span()))
            .map(|s| s.start)
    };
    for group in ["transaction", "report"] {
        let Some(item) = root.get(group) else {
            continue;
        };
        let Some(table) = item.as_table_like() else {
            return Some(ShapeMistake {
                at: at(group),
                key: group.to_owned(),
                message: format!(
                    "`{group}` is a table of field paths and their actions: \
                     write `[{group}]`, then one `\"path\" = \"action\"` per line"
                ),
            });
        };
        for (key, value) in table.iter() {
            let Some(inner) = value.as_table_like() else {
                continue;
            };
            if inner.contains_key("action") {
                continue;
            }
            // Follow the dotted keys down to the value to name the path
            // the author meant.
            let mut path = key.to_owned();
            let mut cur = inner;
            while let Some((k, v)) = single(cur) {
                path.push('.');
                path.push_str(k);
                match v.as_table_like() {
                    Some(t) if !t.contains_key("action") => cur = t,
                    _ => break,
                }
            }
            let start = table
                .get_key_value(key)
                .and_then(|(k, v)| k.span().or_else(|| v.span()))
                .map(|s| s.start);
            let message = if inner.is_dotted() {
                format!(
                    "an unquoted dotted key: TOML reads `{path} = ...` as tables nested \
                     under `{key}`; quote the field path: `\"{path}\" = ...`"
                )
            } else {
                format!(
                    "`{key}` holds a table without `action`: a field path takes an action \
                     name (\"keep\") or an action table ({{ action = \"...\" }}); \
                     quote dotted paths: `\"{path}\" = ...`"
                )
            };
            return Some(ShapeMistake {
                at: start,
                key: path,
                message,
            });
        }
    }
    for setting in ["description", "unlisted", "on_pan", "on_email"] {
        match root.get(setting) {
            Some(Item::Value(Value::String(_))) | None => {}
            Some(_) => {
                return Some(ShapeMistake {
                    at: at(setting),
                    key: setting.to_owned(),
                    message: format!("`{setting}` is a string: `{setting} = \"...\"`"),
                })
            }
        }
    }
    match root.get("version") {
        Some(Item::Value(Value::Integer(_))) | None => {}
        Some(_) => {
            return Some(ShapeMistake {
                at: at("version"),
                key: "version".to_owned(),
                message: "`version` is a number: `version = 1`".to_owned(),
            })
        }
    }
    match root.get("test") {
        Some(Item::ArrayOfTables(_)) | None => {}
        Some(_) => {
            return Some(ShapeMistake {
                at: at("test"),
                key: "test".to_owned(),
                message: "example cases are written `[[test]]` (each case its own \
                          `[[test]]` block with `name`, `input` and `output` or `reject`)"
                    .to_owned(),
            })
        }
    }
    None
}

/// The one entry of a table that has exactly one.
fn single(t: &dyn toml_edit::TableLike) -> Option<(&str, &toml_edit::Item)> {
    let mut it = t.iter();
    let first = it.next()?;
    it.next().is_none().then_some(first)
}
