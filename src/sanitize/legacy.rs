//! The core as it was before the single-pass rewrite, kept only so that
//! `tests/differential.rs` can compare the two on the same requests. It is
//! not used by txveil itself and goes away with that test.
#![allow(missing_docs, unreachable_pub, clippy::missing_errors_doc)]

mod json;
mod validate;

use super::{
    card, email, pan, username, Applied, FieldPath, Rejection, RejectionKind, EMAIL_REDACTION,
};
use crate::policy::{Action, OnEmail, OnPan, Policy, Section, Unlisted};
use crate::schema::{self, Endpoint, Ty};
use card::Pan;
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

/// The (path, action) pairs applied to a request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    entries: Vec<(String, Applied)>,
}

impl Report {
    fn push(&mut self, path: &FieldPath, applied: Applied) {
        self.entries.push((path.to_string(), applied));
    }
    fn push_child(&mut self, parent: &str, name: &'static str, applied: Applied) {
        self.entries.push((format!("{parent}/{name}"), applied));
    }
    /// Every (path, action) pair, in the order applied.
    pub fn entries(&self) -> &[(String, Applied)] {
        &self.entries
    }
}

/// What the old core made of a request.
#[derive(Clone, Debug, PartialEq)]
pub struct Sanitized {
    /// The request that may be sent.
    pub body: Map<String, Value>,
    /// What was applied where.
    pub report: Report,
}

fn number_holds_pan(n: &serde_json::Number) -> bool {
    if n.is_u64() || n.is_i64() {
        return pan::contains_pan(&n.to_string());
    }
    let Some(f) = n.as_f64() else {
        return false;
    };
    let text = format!("{f}");
    if pan::contains_pan(&text) {
        return true;
    }
    let integer: Vec<u8> = text
        .trim_start_matches('-')
        .bytes()
        .take_while(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    integer.len() >= 16 && pan::brand::could_start_a_pan(&integer)
}

// === Entry points ===

/// Sanitizes a request body (bytes, as received) for `endpoint` under `policy`.
///
/// # Errors
/// A [`Rejection`] naming the code and path; then nothing may be forwarded.
pub fn sanitize_request(
    policy: &Policy,
    endpoint: Endpoint,
    body: &[u8],
) -> Result<Sanitized, Rejection> {
    let map = json::parse_object(body)
        .map_err(|_| Rejection::new(FieldPath::root(), RejectionKind::JsonInvalid))?;
    sanitize_map(policy, endpoint, map)
}

/// Sanitizes an already-parsed request. Prefer [`sanitize_request`] for bytes
/// from the network: it also refuses duplicate keys.
///
/// # Errors
/// A [`Rejection`] naming the code and path.
pub fn sanitize_value(
    policy: &Policy,
    endpoint: Endpoint,
    request: Value,
) -> Result<Sanitized, Rejection> {
    match request {
        Value::Object(map) => sanitize_map(policy, endpoint, map),
        _ => Err(Rejection::new(
            FieldPath::root(),
            RejectionKind::JsonInvalid,
        )),
    }
}

fn sanitize_map(
    policy: &Policy,
    endpoint: Endpoint,
    input: Map<String, Value>,
) -> Result<Sanitized, Rejection> {
    let mut walk = Walk {
        policy,
        endpoint,
        section: policy.section(endpoint),
        report: Report::default(),
        fingerprints: Vec::new(),
        computed: Vec::new(),
    };
    let mut body = match endpoint {
        Endpoint::Transaction => walk.transaction(input)?,
        Endpoint::Report => {
            let mut out = Map::new();
            let mut derived = Derived::default();
            walk.object(None, input, &FieldPath::root(), &mut out, &mut derived)?;
            out
        }
    };
    let mut scan = Scan {
        endpoint,
        on_pan: policy.on_pan(),
        on_email: policy.on_email(),
        computed: &walk.computed,
        report: &mut walk.report,
    };
    scan.map(&mut body, &FieldPath::root(), 0, None)?;
    if endpoint == Endpoint::Transaction {
        drop_empty_groups(&mut body, &mut walk.report);
    }
    validate_body(endpoint, &body)?;
    Ok(Sanitized {
        body,
        report: walk.report,
    })
}

/// Values derived from raw fields, applied after a group's own fields so that
/// they win over values the caller also gave.
#[derive(Default)]
struct Derived {
    email_domain: Option<String>,
    username_md5: Option<String>,
    card: Option<card::TruncatedCard>,
    legacy_last_digits: Option<Value>,
}

struct Walk<'p> {
    policy: &'p Policy,
    endpoint: Endpoint,
    section: &'p Section,
    report: Report,
    fingerprints: Vec<(String, String)>,
    /// Hashes txveil computed (MD5, HMAC). Their hex digits may happen to
    /// look like a PAN; being one-way outputs, they are exempt from the scan.
    computed: Vec<String>,
}

impl Walk<'_> {
    fn transaction(&mut self, input: Map<String, Value>) -> Result<Map<String, Value>, Rejection> {
        let root = FieldPath::root();
        let mut out = Map::new();
        for (position, (key, value)) in input.into_iter().enumerate() {
            if value.is_null() {
                continue;
            }
            let Some(&group) = schema::TRANSACTION_GROUPS.iter().find(|g| **g == key) else {
                self.unlisted(
                    &root.dynamic(&key, position + 1),
                    RejectionKind::FieldUnknown,
                )?;
                continue;
            };
            let path = root.known(group);
            match (group, value) {
                ("shopping_cart", Value::Array(items)) => {
                    let mut cart = Vec::new();
                    for (i, item) in items.into_iter().enumerate() {
                        match item {
                            Value::Null => {}
                            Value::Object(fields) => {
                                let mut o = Map::new();
                                let mut d = Derived::default();
                                self.object(Some(group), fields, &path.index(i), &mut o, &mut d)?;
                                if !o.is_empty() {
                                    cart.push(Value::Object(o));
                                }
                            }
                            _ => {
                                return Err(Rejection::new(
                                    path.index(i),
                                    RejectionKind::FieldInvalid,
                                ))
                            }
                        }
                    }
                    if !cart.is_empty() {
                        out.insert(key, Value::Array(cart));
                    }
                }
                ("custom_inputs", Value::Object(fields)) => {
                    let o = self.custom_inputs(fields, &path)?;
                    if !o.is_empty() {
                        out.insert(key, Value::Object(o));
                    }
                }
                ("shopping_cart" | "custom_inputs", _) | (_, Value::Array(_)) => {
                    return Err(Rejection::new(path, RejectionKind::FieldInvalid));
                }
                (_, Value::Object(fields)) => {
                    let mut o = Map::new();
                    let mut d = Derived::default();
                    self.object(Some(group), fields, &path, &mut o, &mut d)?;
                    self.apply_derived(group, &path, &mut o, d);
                    if !o.is_empty() {
                        out.insert(key, Value::Object(o));
                    }
                }
                _ => return Err(Rejection::new(path, RejectionKind::FieldInvalid)),
            }
        }
        if !self.fingerprints.is_empty() {
            let path = root.known("custom_inputs");
            let entry = out
                .entry("custom_inputs")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(ci) = entry {
                for (k, v) in self.fingerprints.drain(..) {
                    self.report
                        .push(&path.dynamic(&k, usize::MAX), Applied::Fingerprinted);
                    ci.insert(k, Value::String(v));
                }
            }
        }
        Ok(out)
    }

    fn unlisted(&mut self, path: &FieldPath, kind: RejectionKind) -> Result<(), Rejection> {
        match self.policy.unlisted() {
            Unlisted::Drop => {
                self.report.push(path, Applied::DroppedUnlisted);
                Ok(())
            }
            Unlisted::Reject => Err(Rejection::new(path.clone(), kind)),
        }
    }

    fn custom_inputs(
        &mut self,
        fields: Map<String, Value>,
        path: &FieldPath,
    ) -> Result<Map<String, Value>, Rejection> {
        let mut out = Map::new();
        for (position, (key, value)) in fields.into_iter().enumerate() {
            if value.is_null() {
                continue;
            }
            let p = path.dynamic(&key, position + 1);
            match self.section.custom_action(&key).cloned() {
                None => self.unlisted(&p, RejectionKind::FieldForbidden)?,
                Some(Action::Keep) => {
                    self.report.push(&p, Applied::Kept);
                    out.insert(key, value);
                }
                Some(Action::KeyedHash) => {
                    let hashed = self.keyed_hash(&value, &p)?;
                    self.report.push(&p, Applied::KeyedHash);
                    out.insert(key, Value::String(hashed));
                }
                Some(Action::Reject) => {
                    return Err(Rejection::new(p, RejectionKind::FieldForbidden))
                }
                Some(_) => self.report.push(&p, Applied::Dropped),
            }
        }
        Ok(out)
    }

    fn keyed_hash(&mut self, value: &Value, path: &FieldPath) -> Result<String, Rejection> {
        let key = self
            .policy
            .hash_key()
            .ok_or_else(|| Rejection::new(path.clone(), RejectionKind::HashKeyMissing))?;
        let hashed = match value {
            Value::String(s) => key.hmac_hex(s.as_bytes()),
            Value::Number(n) => key.hmac_hex(n.to_string().as_bytes()),
            _ => return Err(Rejection::new(path.clone(), RejectionKind::FieldInvalid)),
        };
        self.computed.push(hashed.clone());
        Ok(hashed)
    }

    /// Applies the section's rules to the fields of one object.
    fn object(
        &mut self,
        group: Option<&'static str>,
        fields: Map<String, Value>,
        path: &FieldPath,
        out: &mut Map<String, Value>,
        derived: &mut Derived,
    ) -> Result<(), Rejection> {
        let has_domain = fields.get("domain").is_some_and(|v| !v.is_null());
        let parent = path.to_string();
        for (position, (name, value)) in fields.into_iter().enumerate() {
            if value.is_null() {
                continue;
            }
            let rule = self.section.rule(group, &name);
            let Some(field) = rule
                .map(|r| r.field)
                .or_else(|| schema::field(self.endpoint, group, &name))
            else {
                self.unlisted(
                    &path.dynamic(&name, position + 1),
                    RejectionKind::FieldUnknown,
                )?;
                continue;
            };
            let p = || path.known(field.name);
            if field.ty == Ty::Token {
                check_token(&value, &p())?;
            }
            let Some(rule) = rule else {
                self.unlisted(&p(), RejectionKind::FieldForbidden)?;
                continue;
            };
            match &rule.action {
                Action::Keep if field.ty == Ty::LegacyLastDigits => {
                    self.report
                        .push_child(&parent, field.name, Applied::RenamedLegacy);
                    derived.legacy_last_digits = Some(value);
                }
                Action::Keep => {
                    self.report.push_child(&parent, field.name, Applied::Kept);
                    out.insert(name, value);
                }
                Action::Drop => self
                    .report
                    .push_child(&parent, field.name, Applied::Dropped),
                Action::Reject => return Err(Rejection::new(p(), RejectionKind::FieldForbidden)),
                Action::HashEmail => {
                    let Value::String(address) = &value else {
                        return Err(Rejection::new(p(), RejectionKind::EmailInvalid));
                    };
                    let hashed = email::hash_email(address)
                        .map_err(|_| Rejection::new(p(), RejectionKind::EmailInvalid))?;
                    self.report
                        .push_child(&parent, field.name, Applied::HashedEmail);
                    if hashed.domain.is_some() || address != &hashed.md5_hex {
                        self.computed.push(hashed.md5_hex.clone());
                    }
                    out.insert(name, Value::String(hashed.md5_hex));
                    let domain_kept = self
                        .section
                        .rule(group, "domain")
                        .is_some_and(|r| r.action == Action::Keep);
                    if !has_domain && domain_kept {
                        derived.email_domain = hashed.domain;
                    }
                }
                Action::HashUsername(form) => {
                    let Value::String(username) = &value else {
                        return Err(Rejection::new(p(), RejectionKind::FieldInvalid));
                    };
                    self.report
                        .push_child(&parent, field.name, Applied::HashedUsername);
                    let md5 = username::hash(username, *form);
                    self.computed.push(md5.clone());
                    derived.username_md5 = Some(md5);
                }
                Action::TruncatePan(t) => {
                    let pan = match &value {
                        Value::String(s) => Pan::parse(s),
                        Value::Number(n) if n.is_u64() => Pan::parse(&n.to_string()),
                        _ => return Err(Rejection::new(p(), RejectionKind::CardNumberInvalid)),
                    }
                    .map_err(|_| Rejection::new(p(), RejectionKind::CardNumberInvalid))?;
                    self.report
                        .push_child(&parent, field.name, Applied::TruncatedPan);
                    derived.card = Some(pan.truncate(t.iin, t.last4));
                    if let Some(target) = &t.fingerprint {
                        let key = self
                            .policy
                            .hash_key()
                            .ok_or_else(|| Rejection::new(p(), RejectionKind::HashKeyMissing))?;
                        let fingerprint = key.hmac_hex(&pan.ascii());
                        self.computed.push(fingerprint.clone());
                        self.fingerprints.push((target.clone(), fingerprint));
                    }
                }
                Action::KeyedHash => {
                    let hashed = self.keyed_hash(&value, &p())?;
                    self.report
                        .push_child(&parent, field.name, Applied::KeyedHash);
                    out.insert(name, Value::String(hashed));
                }
            }
        }
        Ok(())
    }

    fn apply_derived(
        &mut self,
        group: &'static str,
        path: &FieldPath,
        out: &mut Map<String, Value>,
        d: Derived,
    ) {
        let mut set = |report: &mut Report, name: &'static str, value: String, applied: Applied| {
            if out.insert(name.to_owned(), Value::String(value)).is_some() {
                report.push(&path.known(name), Applied::Superseded);
            }
            if applied != Applied::Superseded {
                report.push(&path.known(name), applied);
            }
        };
        match group {
            "email" => {
                if let Some(domain) = d.email_domain {
                    set(&mut self.report, "domain", domain, Applied::FilledDomain);
                }
            }
            "account" => {
                if let Some(md5) = d.username_md5 {
                    set(&mut self.report, "username_md5", md5, Applied::Superseded);
                }
            }
            "credit_card" => {
                if let Some(card) = d.card {
                    set(
                        &mut self.report,
                        "issuer_id_number",
                        card.issuer_id_number,
                        Applied::Superseded,
                    );
                    set(
                        &mut self.report,
                        "last_digits",
                        card.last_digits,
                        Applied::Superseded,
                    );
                } else {
                    if let Some(last) = d.legacy_last_digits {
                        out.entry("last_digits").or_insert(last);
                    }
                    let given = |k: &str| out.get(k).and_then(Value::as_str);
                    if let (Some(iin), Some(last)) =
                        (given("issuer_id_number"), given("last_digits"))
                    {
                        if let Some(narrowed) = card::narrowed_iin(iin, last) {
                            out.insert("issuer_id_number".into(), Value::String(narrowed));
                            self.report
                                .push(&path.known("issuer_id_number"), Applied::NarrowedIin);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// minFraud's guard against a PAN sent as a token: all digits of 1–19
/// characters, or a PAN anywhere in it.
fn check_token(value: &Value, path: &FieldPath) -> Result<(), Rejection> {
    let text: std::borrow::Cow<'_, str> = match value {
        Value::String(s) => s.into(),
        Value::Number(n) => n.to_string().into(),
        _ => return Ok(()),
    };
    if pan::contains_pan(&text) {
        return Err(Rejection::new(path.clone(), RejectionKind::PanDetected));
    }
    if (1..=19).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::new(path.clone(), RejectionKind::FieldInvalid));
    }
    Ok(())
}

// === Scan: card numbers and email addresses in everything that is left ===

/// The path segment for an output key: a schema name where it is one.
fn segment(
    path: &FieldPath,
    depth: usize,
    in_custom: bool,
    key: &str,
    position: usize,
) -> FieldPath {
    if in_custom {
        return path.dynamic(key, position);
    }
    let known = if depth == 0 {
        schema::TRANSACTION_GROUPS
            .iter()
            .copied()
            .find(|g| *g == key)
    } else {
        None
    }
    .or_else(|| {
        schema::TRANSACTION
            .iter()
            .chain(schema::REPORT)
            .map(|f| f.name)
            .find(|n| *n == key)
    });
    match known {
        Some(name) => path.known(name),
        None => path.dynamic(key, position),
    }
}

/// `email.address` and `account.username_md5` hold MD5s, which minFraud
/// requires as 32 hex digits. About one MD5 in a few hundred has a decimal
/// run that passes Luhn in a brand range; scanning them would reject
/// legitimate pre-hashed requests, so an exact 32-hex value there is not
/// scanned. Anything else in those fields is.
fn is_md5_field(parent: &str, key: &str) -> bool {
    matches!(
        (parent, key),
        ("/email", "address") | ("/account", "username_md5")
    )
}

/// Field types whose valid values can hold neither 12 digits nor an email
/// address: such a field is checked against its format instead of scanned
/// (a value that fails the format is scanned, then refused by validation).
fn format_guards(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::Country
            | Ty::Currency
            | Ty::Region
            | Ty::SingleChar
            | Ty::OneOf(_)
            | Ty::Iin
            | Ty::LastDigits
            | Ty::PhoneCc
            | Ty::Bool
            | Ty::MaxmindId
    )
}

struct Scan<'a> {
    endpoint: Endpoint,
    on_pan: OnPan,
    on_email: OnEmail,
    computed: &'a [String],
    report: &'a mut Report,
}

impl Scan<'_> {
    /// The schema type of `key` in an object of `group` at `depth`.
    fn field_ty(&self, depth: usize, group: Option<&'static str>, key: &str) -> Option<Ty> {
        match (self.endpoint, depth, group) {
            (Endpoint::Report, 0, _) => schema::field(Endpoint::Report, None, key),
            (Endpoint::Transaction, _, Some(g)) if depth > 0 => {
                schema::field(Endpoint::Transaction, Some(g), key)
            }
            _ => None,
        }
        .map(|f| f.ty)
    }

    fn map(
        &mut self,
        body: &mut Map<String, Value>,
        path: &FieldPath,
        depth: usize,
        group: Option<&'static str>,
    ) -> Result<(), Rejection> {
        let parent = if depth == 1 {
            path.to_string()
        } else {
            String::new()
        };
        let in_custom = depth == 1 && group == Some("custom_inputs");
        let mut remove = Vec::new();
        for (position, (key, value)) in body.iter_mut().enumerate() {
            let p = || segment(path, depth, in_custom, key, position + 1);
            if pan::contains_pan(key) {
                match self.on_pan {
                    OnPan::Reject => return Err(Rejection::new(p(), RejectionKind::PanDetected)),
                    OnPan::Redact => {
                        remove.push((key.clone(), position + 1));
                        continue;
                    }
                }
            }
            if is_md5_field(&parent, key) && value.as_str().is_some_and(email::is_md5_hex) {
                continue;
            }
            let ty = self.field_ty(depth, group, key);
            if ty.is_some_and(|t| format_guards(t) && validate::valid(t, value)) {
                continue;
            }
            let child_group = if depth == 0 && self.endpoint == Endpoint::Transaction {
                schema::TRANSACTION_GROUPS
                    .iter()
                    .copied()
                    .find(|g| *g == key)
            } else {
                group
            };
            let nested = matches!(value, Value::Object(_) | Value::Array(_));
            let child = if nested { Some(p()) } else { None };
            // `email.address` has its own action; every other string is searched.
            let emails = ty != Some(Ty::Email);
            if self.value(value, child.as_ref(), &p, depth, child_group, emails)? {
                remove.push((key.clone(), position + 1));
            }
        }
        for (key, position) in remove {
            body.remove(&key);
            self.report.push(
                &segment(path, depth, in_custom, &key, position),
                Applied::RedactedPan,
            );
        }
        Ok(())
    }

    /// Scans one value; returns true when it must be removed (a redacted
    /// number). `path` is given for arrays and objects; `leaf` makes the path
    /// of a scalar only when something is found.
    fn value(
        &mut self,
        value: &mut Value,
        path: Option<&FieldPath>,
        leaf: &dyn Fn() -> FieldPath,
        depth: usize,
        group: Option<&'static str>,
        emails: bool,
    ) -> Result<bool, Rejection> {
        match value {
            Value::String(s) if self.computed.contains(s) => Ok(false),
            Value::String(s) => {
                self.pans(s, leaf)?;
                if emails && self.emails(s, leaf)? {
                    // An address replaced by its MD5 may have joined digits
                    // around it into a card-shaped run: judge the new text.
                    self.pans(s, leaf)?;
                }
                Ok(false)
            }
            Value::Number(n) => {
                if number_holds_pan(n) {
                    match self.on_pan {
                        OnPan::Reject => Err(Rejection::new(leaf(), RejectionKind::PanDetected)),
                        OnPan::Redact => Ok(true),
                    }
                } else {
                    Ok(false)
                }
            }
            Value::Array(items) => {
                let path = path.cloned().unwrap_or_else(leaf);
                let mut i = 0;
                let mut index = 0;
                while i < items.len() {
                    let item_path = path.index(index);
                    let nested = matches!(items[i], Value::Object(_) | Value::Array(_));
                    let leaf = || path.index(index);
                    if self.value(
                        &mut items[i],
                        nested.then_some(&item_path),
                        &leaf,
                        depth + 1,
                        group,
                        emails,
                    )? {
                        items.remove(i);
                        self.report.push(&item_path, Applied::RedactedPan);
                    } else {
                        i += 1;
                    }
                    index += 1;
                }
                Ok(false)
            }
            Value::Object(map) => {
                let path = path.cloned().unwrap_or_else(leaf);
                self.map(map, &path, depth + 1, group)?;
                Ok(false)
            }
            Value::Bool(_) | Value::Null => Ok(false),
        }
    }

    /// Applies `on_pan` to the card numbers found in `s`.
    fn pans(&mut self, s: &mut String, leaf: &dyn Fn() -> FieldPath) -> Result<(), Rejection> {
        match self.on_pan {
            OnPan::Reject if pan::contains_pan(s) => {
                Err(Rejection::new(leaf(), RejectionKind::PanDetected))
            }
            OnPan::Redact => {
                if let Some(redacted) = pan::redact(s) {
                    *s = redacted;
                    self.report.push(&leaf(), Applied::RedactedPan);
                }
                Ok(())
            }
            OnPan::Reject => Ok(()),
        }
    }

    /// Applies `on_email` to the addresses found in `s`; true when it changed.
    fn emails(&mut self, s: &mut String, leaf: &dyn Fn() -> FieldPath) -> Result<bool, Rejection> {
        if self.on_email == OnEmail::Keep {
            return Ok(false);
        }
        let found = email::find::find_emails(s);
        if found.is_empty() {
            return Ok(false);
        }
        let applied = match self.on_email {
            OnEmail::Reject => return Err(Rejection::new(leaf(), RejectionKind::EmailDetected)),
            OnEmail::Hash => Applied::HashedFoundEmail,
            OnEmail::Keep | OnEmail::Redact => Applied::RedactedEmail,
        };
        let mut out = String::with_capacity(s.len() + 16 * found.len());
        let mut at = 0;
        for f in found {
            out.push_str(&s[at..f.bytes.start]);
            // Fullwidth and other compatibility forms (`＠`, `．`) folded first,
            // so that an address hashes the same however it was typed.
            let hashed = match applied {
                Applied::HashedFoundEmail => {
                    let folded: String = f.text.nfkc().collect();
                    email::hash_email(&folded).ok()
                }
                _ => None,
            };
            match hashed {
                Some(h) => out.push_str(&h.md5_hex),
                None => out.push_str(EMAIL_REDACTION),
            }
            at = f.bytes.end;
        }
        out.push_str(&s[at..]);
        *s = out;
        self.report.push(&leaf(), applied);
        Ok(true)
    }
}

/// Leaves out groups, cart items and the cart itself when sanitizing left
/// them empty (`{"order":{}}` after a redaction).
fn drop_empty_groups(body: &mut Map<String, Value>, report: &mut Report) {
    let root = FieldPath::root();
    let mut empty = Vec::new();
    for (position, (key, value)) in body.iter_mut().enumerate() {
        let path = segment(&root, 0, false, key, position + 1);
        match value {
            Value::Object(m) if m.is_empty() => empty.push((key.clone(), path)),
            Value::Array(items) => {
                let mut index = 0;
                items.retain(|item| {
                    let keep = !matches!(item, Value::Object(m) if m.is_empty());
                    if !keep {
                        report.push(&path.index(index), Applied::DroppedEmpty);
                    }
                    index += 1;
                    keep
                });
                if items.is_empty() {
                    empty.push((key.clone(), path));
                }
            }
            _ => {}
        }
    }
    for (key, path) in empty {
        body.remove(&key);
        report.push(&path, Applied::DroppedEmpty);
    }
}

// === Validation ===

fn validate_body(endpoint: Endpoint, body: &Map<String, Value>) -> Result<(), Rejection> {
    let root = FieldPath::root();
    let check = |group: Option<&'static str>, fields: &Map<String, Value>, path: &FieldPath| {
        for (position, (name, value)) in fields.iter().enumerate() {
            let field = schema::field(endpoint, group, name);
            let ok = match field {
                Some(f) if group == Some("custom_inputs") => {
                    validate::custom_input_key(name) && validate::valid(f.ty, value)
                }
                Some(f) => validate::valid(f.ty, value),
                None => false,
            };
            if !ok {
                let p = segment(path, 1, group == Some("custom_inputs"), name, position + 1);
                return Err(Rejection::new(p, RejectionKind::FieldInvalid));
            }
        }
        Ok(())
    };
    match endpoint {
        Endpoint::Report => {
            check(None, body, &root)?;
            if !body.contains_key("tag") {
                return Err(Rejection::new(
                    root.known("tag"),
                    RejectionKind::RequestInvalid,
                ));
            }
            let ids = ["ip_address", "maxmind_id", "minfraud_id", "transaction_id"];
            if !ids.iter().any(|k| body.contains_key(*k)) {
                return Err(Rejection::new(root, RejectionKind::RequestInvalid));
            }
            Ok(())
        }
        Endpoint::Transaction => {
            for (position, (group, value)) in body.iter().enumerate() {
                let Some(&g) = schema::TRANSACTION_GROUPS.iter().find(|x| **x == group) else {
                    return Err(Rejection::new(
                        root.dynamic(group, position + 1),
                        RejectionKind::FieldUnknown,
                    ));
                };
                let path = root.known(g);
                match value {
                    Value::Object(fields) => check(Some(g), fields, &path)?,
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            match item {
                                Value::Object(fields) => check(Some(g), fields, &path.index(i))?,
                                _ => {
                                    return Err(Rejection::new(
                                        path.index(i),
                                        RejectionKind::FieldInvalid,
                                    ))
                                }
                            }
                        }
                    }
                    _ => return Err(Rejection::new(path, RejectionKind::FieldInvalid)),
                }
            }
            Ok(())
        }
    }
}
