//! `RawPolicy` → `Policy`: every key, action and option checked once, with
//! file, line and key in each error.

use super::raw::{RawPolicy, RawTest};
use super::{
    line_of, Action, CardDigestSearch, Error, ErrorKind, Expectation, IinLength, InputType,
    OnEmail, OnPan, OnUsername, Policy, PolicyTest, Rule, Section, Truncation, UnknownEnum,
    Unlisted, UsernameForm,
};
use crate::schema::{custom_input_key, Endpoint, Field, Ty};
use std::collections::BTreeMap;
use toml::{Spanned, Value};

const ACTIONS: &[&str] = &[
    "keep",
    "drop",
    "reject",
    "hash_email",
    "hash_username",
    "truncate_pan",
    "keyed_hash",
];

struct Ctx<'a> {
    source: &'a str,
    origin: &'a str,
}

impl Ctx<'_> {
    fn err(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: Option<&str>,
        kind: ErrorKind,
    ) -> Error {
        Error {
            origin: self.origin.to_owned(),
            line: span.map(|s| line_of(self.source, s.start)),
            key: key.map(str::to_owned),
            kind,
        }
    }

    /// A top-level setting (`on_pan = "redact"`): the value of the choice it
    /// names, the first choice (the default) when it is absent, or an error
    /// naming its line and key and listing `expected` for any other value.
    fn setting<T: Copy>(
        &self,
        value: Option<&toml::Spanned<String>>,
        key: &str,
        choices: &[(&str, T)],
        expected: &'static str,
    ) -> Result<T, Error> {
        let Some(value) = value else {
            return Ok(choices[0].1);
        };
        choices
            .iter()
            .find(|(name, _)| *name == value.get_ref())
            .map(|&(_, t)| t)
            .ok_or_else(|| {
                self.err(
                    Some(value.span()),
                    Some(key),
                    ErrorKind::BadSetting(expected),
                )
            })
    }
}

pub(super) fn compile(
    raw: RawPolicy,
    source: &str,
    origin: &str,
    digest: String,
) -> Result<Policy, Error> {
    let cx = Ctx { source, origin };
    if *raw.version.get_ref() != 1 {
        return Err(cx.err(
            Some(raw.version.span()),
            Some("version"),
            ErrorKind::UnsupportedVersion,
        ));
    }
    let unlisted = cx.setting(
        raw.unlisted.as_ref(),
        "unlisted",
        &[("drop", Unlisted::Drop), ("reject", Unlisted::Reject)],
        "\"drop\", \"reject\"",
    )?;
    let on_pan = cx.setting(
        raw.on_pan.as_ref(),
        "on_pan",
        &[("reject", OnPan::Reject), ("redact", OnPan::Redact)],
        "\"reject\", \"redact\"",
    )?;
    let on_email = cx.setting(
        raw.on_email.as_ref(),
        "on_email",
        &[
            ("hash", OnEmail::Hash),
            ("redact", OnEmail::Redact),
            ("reject", OnEmail::Reject),
            ("keep", OnEmail::Keep),
        ],
        "\"hash\", \"redact\", \"reject\", \"keep\"",
    )?;
    let on_username = cx.setting(
        raw.on_username.as_ref(),
        "on_username",
        &[
            ("hash", OnUsername::Hash),
            ("redact", OnUsername::Redact),
            ("reject", OnUsername::Reject),
            ("keep", OnUsername::Keep),
        ],
        "\"hash\", \"redact\", \"reject\", \"keep\"",
    )?;
    let unknown_enum = cx.setting(
        raw.unknown_enum.as_ref(),
        "unknown_enum",
        &[
            ("forward", UnknownEnum::Forward),
            ("reject", UnknownEnum::Reject),
        ],
        "\"forward\", \"reject\"",
    )?;
    let card_digest_search = cx.setting(
        raw.card_digest_search.as_ref(),
        "card_digest_search",
        &[
            ("other_fields", CardDigestSearch::OtherFields),
            ("all_fields", CardDigestSearch::AllFields),
            ("off", CardDigestSearch::Off),
        ],
        "\"other_fields\", \"all_fields\", \"off\"",
    )?;
    let transaction = section(
        &cx,
        Endpoint::Transaction,
        raw.transaction.unwrap_or_default(),
    )?;
    let report = section(&cx, Endpoint::Report, raw.report.unwrap_or_default())?;
    let tests = raw
        .test
        .into_iter()
        .map(|t| test_case(&cx, t))
        .collect::<Result<_, _>>()?;
    Ok(Policy {
        origin: origin.to_owned(),
        digest: digest.into(),
        description: raw.description.unwrap_or_default(),
        unlisted,
        on_pan,
        on_email,
        on_username,
        unknown_enum,
        card_digest_search,
        transaction,
        report,
        tests,
        hash_key: None,
    })
}

/// The actions a field of type `ty` accepts.
pub(crate) fn allowed_actions(ty: Ty) -> Vec<&'static str> {
    let mut v = Vec::new();
    if !ty.input_only() || ty == Ty::LegacyLastDigits {
        v.push("keep");
    }
    v.extend(["drop", "reject"]);
    match ty {
        Ty::Email => v.push("hash_email"),
        Ty::RawUsername => v.push("hash_username"),
        Ty::RawPan => v.push("truncate_pan"),
        t if t.takes_keyed_hash() => v.push("keyed_hash"),
        _ => {}
    }
    v
}

fn section(
    cx: &Ctx<'_>,
    endpoint: Endpoint,
    entries: BTreeMap<Spanned<String>, Spanned<Value>>,
) -> Result<Section, Error> {
    let mut out = Section::default();
    // Wildcards first, so that exact paths override them whatever the file order.
    let (wild, exact): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(k, _)| k.get_ref().ends_with(".*"));
    for (key, value) in wild.into_iter().chain(exact) {
        let path = key.get_ref().as_str();
        let span = Some(key.span());
        out.written
            .push((path.to_owned(), line_of(cx.source, key.span().start)));
        if path == "custom_inputs.*" && endpoint == Endpoint::Transaction {
            let field = crate::schema::by_path(endpoint, path);
            let action = action(cx, path, &value, field.map_or(Ty::CustomValue, |f| f.ty))?;
            out.custom_default = Some(action);
            out.sources.insert(path.to_owned(), path.to_owned());
            continue;
        }
        if let (Endpoint::Transaction, Some(name)) = (endpoint, path.strip_prefix("custom_inputs."))
        {
            if !custom_input_key(name) {
                return Err(cx.err(
                    span,
                    Some(path),
                    ErrorKind::BadOption("custom input keys are 1 to 25 of a-z, 0-9 and _".into()),
                ));
            }
            let action = action(cx, path, &value, Ty::CustomValue)?;
            if let Some(ty) = input_type(cx, path, &value, &action)? {
                out.custom_types.insert(name.to_owned(), ty);
            }
            out.custom.insert(name.to_owned(), action);
            out.sources.insert(path.to_owned(), path.to_owned());
            continue;
        }
        if let Some(group) = path.strip_suffix(".*") {
            let fields: Vec<&'static Field> = endpoint
                .fields()
                .iter()
                .filter(|f| {
                    f.path
                        .strip_suffix(f.name)
                        .and_then(|g| g.strip_suffix('.'))
                        == Some(group)
                })
                .collect();
            if fields.is_empty() {
                return Err(cx.err(
                    span,
                    Some(path),
                    ErrorKind::UnknownField(suggest(endpoint, path)),
                ));
            }
            // A wildcard applies its action to every field that accepts it;
            // input-only fields (raw PAN, raw username) are never swept in.
            let first = action(cx, path, &value, Ty::Str).map_err(|e| match e.kind {
                ErrorKind::ActionNotAllowed { action, .. } => Error {
                    kind: ErrorKind::ActionNotAllowed {
                        action,
                        allowed: "keep, drop, reject, keyed_hash (on a wildcard)".into(),
                    },
                    ..e
                },
                _ => e,
            })?;
            for field in fields {
                if field.ty.input_only() || !allowed_actions(field.ty).contains(&first.name()) {
                    continue;
                }
                insert(&mut out, field, first.clone(), path);
            }
            continue;
        }
        let Some(field) = crate::schema::by_path(endpoint, path) else {
            return Err(cx.err(
                span,
                Some(path),
                ErrorKind::UnknownField(suggest(endpoint, path)),
            ));
        };
        let action = action(cx, path, &value, field.ty)?;
        insert(&mut out, field, action, path);
    }
    out.written.sort_by_key(|(_, line)| *line);
    Ok(out)
}

fn insert(out: &mut Section, field: &'static Field, action: Action, written: &str) {
    out.sources
        .insert(field.path.to_owned(), written.to_owned());
    out.set_rule(Rule {
        field,
        action,
        key: crate::json::key::key_word(field.name.as_bytes()),
    });
}

fn action(cx: &Ctx<'_>, path: &str, value: &Spanned<Value>, ty: Ty) -> Result<Action, Error> {
    let span = Some(value.span());
    let fail = |kind| cx.err(span.clone(), Some(path), kind);
    let (name, options) = match value.get_ref() {
        Value::String(s) => (s.as_str(), None),
        Value::Table(t) => match t.get("action") {
            Some(Value::String(s)) => (s.as_str(), Some(t)),
            _ => {
                return Err(fail(ErrorKind::BadOption(
                    "an action table needs `action = \"...\"`".into(),
                )))
            }
        },
        _ => {
            return Err(fail(ErrorKind::BadOption(
                "an action is a name (\"keep\") or a table ({ action = \"...\" })".into(),
            )))
        }
    };
    let allowed = allowed_actions(ty);
    if !ACTIONS.contains(&name) {
        // The closest action this field takes; failing that, the closest
        // of all, which the next error then says does not apply here.
        let suggestion = closest(name, allowed.iter().copied())
            .or_else(|| closest(name, ACTIONS.iter().copied()));
        return Err(fail(ErrorKind::UnknownAction {
            name: name.into(),
            suggestion: suggestion.map(Into::into),
            valid: allowed.into(),
        }));
    }
    if !allowed.contains(&name) {
        return Err(fail(ErrorKind::ActionNotAllowed {
            action: name.to_owned(),
            allowed: allowed.join(", "),
        }));
    }
    let takes: &[&str] = match name {
        "truncate_pan" => &["iin", "last_digits", "fingerprint"],
        "hash_username" => &["canonical", "case"],
        // One custom input's type (`input_type`).
        "keep" if path.starts_with("custom_inputs.") && path != "custom_inputs.*" => &["type"],
        _ => &[],
    };
    if let Some(t) = options {
        if let Some(extra) = t
            .keys()
            .find(|k| *k != "action" && !takes.contains(&k.as_str()))
        {
            return Err(fail(ErrorKind::BadOption(format!(
                "`{name}` takes no option `{extra}`"
            ))));
        }
    }
    let opt = |k: &str| options.and_then(|t| t.get(k));
    Ok(match name {
        "keep" => Action::Keep,
        "drop" => Action::Drop,
        "reject" => Action::Reject,
        "hash_email" => Action::HashEmail,
        "keyed_hash" => Action::KeyedHash,
        "hash_username" => {
            let canonical = match opt("canonical") {
                None => "trim_nfc",
                Some(Value::String(s)) if s == "trim_nfc" || s == "raw" => s.as_str(),
                Some(_) => {
                    return Err(fail(ErrorKind::BadOption(
                        "`canonical` is \"trim_nfc\" or \"raw\"".into(),
                    )))
                }
            };
            let lower = match opt("case") {
                None => false,
                Some(Value::String(s)) if s == "preserve" => false,
                Some(Value::String(s)) if s == "lower" => true,
                Some(_) => {
                    return Err(fail(ErrorKind::BadOption(
                        "`case` is \"preserve\" or \"lower\"".into(),
                    )))
                }
            };
            Action::HashUsername(match (canonical, lower) {
                ("raw", false) => UsernameForm::Raw,
                ("raw", true) => {
                    return Err(fail(ErrorKind::BadOption(
                        "`case = \"lower\"` needs `canonical = \"trim_nfc\"`".into(),
                    )))
                }
                (_, false) => UsernameForm::TrimNfc,
                (_, true) => UsernameForm::TrimNfcLowercase,
            })
        }
        "truncate_pan" => {
            let iin = match opt("iin") {
                None => IinLength::Six,
                Some(Value::Integer(6)) => IinLength::Six,
                Some(Value::Integer(8)) => IinLength::Eight,
                Some(_) => return Err(fail(ErrorKind::BadOption("`iin` is 6 or 8".into()))),
            };
            let last4 = match opt("last_digits") {
                None | Some(Value::Integer(4)) => true,
                Some(Value::Integer(2)) => false,
                Some(_) => {
                    return Err(fail(ErrorKind::BadOption("`last_digits` is 4 or 2".into())))
                }
            };
            let fingerprint = match opt("fingerprint") {
                None => None,
                Some(Value::String(k)) if custom_input_key(k) => Some(k.clone()),
                Some(_) => {
                    return Err(fail(ErrorKind::BadOption(
                        "`fingerprint` is a custom input key (1 to 25 of a-z, 0-9, _)".into(),
                    )))
                }
            };
            Action::TruncatePan(Truncation {
                iin,
                last4,
                fingerprint,
            })
        }
        _ => {
            return Err(fail(ErrorKind::UnknownAction {
                name: name.into(),
                suggestion: None,
                valid: allowed_actions(ty).into(),
            }))
        }
    })
}

/// The `type` option of one kept custom input (`{ action = "keep", type =
/// "phone" }`), as minFraud's account settings type custom inputs.
fn input_type(
    cx: &Ctx<'_>,
    path: &str,
    value: &Spanned<Value>,
    action: &Action,
) -> Result<Option<InputType>, Error> {
    let Some(written) = value.get_ref().as_table().and_then(|t| t.get("type")) else {
        return Ok(None);
    };
    let fail = |message: String| {
        cx.err(
            Some(value.span()),
            Some(path),
            ErrorKind::BadOption(message),
        )
    };
    if *action != Action::Keep {
        return Err(fail(
            "`type` types a kept custom input: `{ action = \"keep\", type = \"phone\" }`".into(),
        ));
    }
    match written.as_str().and_then(InputType::from_name) {
        Some(ty) => Ok(Some(ty)),
        None => Err(fail(format!(
            "`type` is one of \"{}\" (minFraud's custom input types)",
            InputType::NAMES.join("\", \"")
        ))),
    }
}

fn test_case(cx: &Ctx<'_>, t: Spanned<RawTest>) -> Result<PolicyTest, Error> {
    let span = t.span();
    let line = line_of(cx.source, span.start);
    let t = t.into_inner();
    let fail = |msg: String| cx.err(Some(span.clone()), Some("test"), ErrorKind::BadTest(msg));
    let endpoint = match t.endpoint.as_deref() {
        None | Some("transaction") => Endpoint::Transaction,
        Some("report") => Endpoint::Report,
        Some(_) => {
            return Err(fail(format!(
                "test `{}`: endpoint is \"transaction\" or \"report\"",
                t.name
            )))
        }
    };
    let expect = match (t.output, t.reject) {
        (Some(out), None) => {
            if t.path.is_some() {
                return Err(fail(format!(
                    "test `{}`: `path` goes with `reject`",
                    t.name
                )));
            }
            if serde_json::from_str::<serde_json::Value>(&out).is_err() {
                return Err(fail(format!("test `{}`: `output` is not JSON", t.name)));
            }
            Expectation::Output(out)
        }
        (None, Some(code)) => Expectation::Reject { code, path: t.path },
        _ => {
            return Err(fail(format!(
                "test `{}`: give exactly one of `output` and `reject`",
                t.name
            )))
        }
    };
    Ok(PolicyTest {
        name: t.name,
        line,
        endpoint,
        input: t.input,
        expect,
    })
}

/// The known path closest to `path` (for "did you mean" in errors).
pub fn suggest(endpoint: Endpoint, path: &str) -> Option<String> {
    let mut candidates: Vec<String> = endpoint
        .fields()
        .iter()
        .map(|f| f.path.to_owned())
        .collect();
    let mut groups: Vec<String> = endpoint
        .fields()
        .iter()
        .filter_map(|f| f.path.strip_suffix(f.name))
        .map(|g| format!("{g}*"))
        .collect();
    groups.dedup();
    candidates.extend(groups);
    closest(path, candidates.iter().map(String::as_str))
}

fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (distance(word, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_owned())
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
