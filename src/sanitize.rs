//! The pure core: a minFraud request in, a request that is safe to send out.
//!
//! [`sanitize_request`] reads the bytes strictly in one pass into a borrowed
//! tree (`doc`: strings without escapes and numbers stay slices of the
//! input, objects sorted by key) and traverses it once:
//!
//! 1. the request's own secrets (the raw username, email address and card
//!    number its policy hashes or truncates, and the countries of its
//!    order) are read first from their fixed places (`secrets`), so that
//!    every other value is read knowing them;
//! 2. then group by group (each cart item as one): the policy's action on
//!    each field and the values derived from them (`Walk`); then each field
//!    that stays, with its path, group and schema field known, is searched
//!    for echoes of the secrets (`EchoSearch`), read by the detectors for
//!    card numbers ([`pan`]) and email addresses, and validated with the
//!    official Python client's rules (`Scan`);
//! 3. what is left is written into one buffer. It does no I/O.
//!
//! A request with several problems is refused for the one that ranks
//! first: the policy's own refusal wherever it stands, then an echo, then
//! the first card or address found, then the first invalid field. The
//! output is a [`Sanitized`], which only this module can make and which is
//! the only thing the upstream client accepts.
//!
//! The outgoing request is *built* from what the policy allows, never made by
//! deleting from the input: a field nobody decided about is not copied.

pub mod card;
pub(crate) mod context;
pub(crate) mod decode;
pub(crate) mod doc;
pub mod echo;
pub(crate) mod email;
pub mod pan;
pub mod path;
mod secrets;
mod unicode;
pub mod username;
pub(crate) mod validate;
pub(crate) mod word;

use crate::json::key;
use crate::policy::{
    Action, InputType, OnEmail, OnPan, OnUsername, Policy, Rule, Section, Truncation, UnknownEnum,
    Unlisted, UsernameForm,
};
use crate::schema::{self, format_guards, Endpoint, Ty};
use bytes::Bytes;
use doc::{Arena, ArenaVec, Obj, Text, Val};
pub use path::FieldPath;
use path::ShownKey;
use serde_json::{Map, Value};
use std::fmt;
use word::Facts;

// === Rejection ===

/// Why a request was refused. Carries a machine code and a path, never a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Where in the request (JSON pointer; digits of caller-chosen keys masked).
    pub path: FieldPath,
    /// What was wrong.
    pub kind: RejectionKind,
    /// For `PAN_DETECTED`, the detector's rule that found the card
    /// (`card_shape`, `card_word`, `short_maestro`, `glued`, `decimal`,
    /// `bracketed`; see `docs/detection.md`), never the value.
    rule: Option<&'static str>,
}

/// The kinds of rejection, each with a stable machine code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionKind {
    /// Not JSON, duplicate keys, invalid UTF-8, too deeply nested, or not an object.
    JsonInvalid,
    /// A value breaks the field's rule (after sanitizing).
    FieldInvalid,
    /// The policy says this field must not be sent (`reject`, or `unlisted = "reject"`).
    FieldForbidden,
    /// A field minFraud does not have, under `unlisted = "reject"`.
    FieldUnknown,
    /// A card number was found where none may be.
    PanDetected,
    /// An email address was found in a kept string under `on_email = "reject"`.
    EmailDetected,
    /// The request's own username was found in another kept string or key
    /// under `on_username = "reject"`.
    UsernameDetected,
    /// `credit_card.number` is not a card number (characters, length or Luhn).
    CardNumberInvalid,
    /// `email.address` cannot be hashed (no `@`, or a domain IDNA refuses).
    EmailInvalid,
    /// A report without `tag` or without any transaction identifier.
    RequestInvalid,
    /// The policy needs the hash key and none was configured.
    HashKeyMissing,
    /// The body is longer than the maximum request size.
    RequestTooLarge,
}

impl RejectionKind {
    /// The machine code (`PAN_DETECTED`, ...), stable across versions.
    pub fn code(self) -> &'static str {
        match self {
            RejectionKind::JsonInvalid => "JSON_INVALID",
            RejectionKind::FieldInvalid => "FIELD_INVALID",
            RejectionKind::FieldForbidden => "FIELD_FORBIDDEN",
            RejectionKind::FieldUnknown => "FIELD_UNKNOWN",
            RejectionKind::PanDetected => "PAN_DETECTED",
            RejectionKind::EmailDetected => "EMAIL_DETECTED",
            RejectionKind::UsernameDetected => "USERNAME_DETECTED",
            RejectionKind::CardNumberInvalid => "CARD_NUMBER_INVALID",
            RejectionKind::EmailInvalid => "EMAIL_INVALID",
            RejectionKind::RequestInvalid => "REQUEST_INVALID",
            RejectionKind::HashKeyMissing => "HASH_KEY_MISSING",
            RejectionKind::RequestTooLarge => "REQUEST_TOO_LARGE",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            RejectionKind::JsonInvalid => "the body is not a single JSON object with unique keys",
            RejectionKind::FieldInvalid => "the value is not valid for this field",
            RejectionKind::FieldForbidden => "the policy does not allow this field",
            RejectionKind::FieldUnknown => "minFraud has no such field",
            RejectionKind::PanDetected => "a card number (PAN) was found",
            RejectionKind::EmailDetected => "an email address was found",
            RejectionKind::UsernameDetected => "the request's username was found in another field",
            RejectionKind::CardNumberInvalid => "not a valid card number",
            RejectionKind::EmailInvalid => "not an email address or an MD5 of one",
            RejectionKind::RequestInvalid => {
                "a report needs `tag` and one of ip_address, maxmind_id, minfraud_id, transaction_id"
            }
            RejectionKind::HashKeyMissing => "the policy needs a hash key and none is configured",
            RejectionKind::RequestTooLarge => "the request is longer than the maximum request size",
        }
    }
}

impl Rejection {
    fn new(path: FieldPath, kind: RejectionKind) -> Self {
        Self {
            path,
            kind,
            rule: None,
        }
    }

    /// A `PAN_DETECTED` rejection at `path`, naming the `rule` that found
    /// the card.
    fn pan(path: FieldPath, rule: &'static str) -> Self {
        Self {
            rule: Some(rule),
            ..Self::new(path, RejectionKind::PanDetected)
        }
    }

    /// The detector's rule that found a card, for `PAN_DETECTED`.
    pub fn rule(&self) -> Option<&'static str> {
        self.rule
    }

    /// The machine code of the rejection.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.to_string();
        let path = if path.is_empty() { "/" } else { &path };
        write!(
            f,
            "{} at {}: {}",
            self.kind.code(),
            path,
            self.kind.describe()
        )?;
        match self.rule {
            Some(rule) => write!(f, " (rule: {rule})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Rejection {}

// === Report ===

/// What was done to one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Applied {
    /// Forwarded unchanged.
    Kept,
    /// Left out by the policy.
    Dropped,
    /// Left out because the policy does not name it.
    DroppedUnlisted,
    /// Email canonicalized and MD5-hashed.
    HashedEmail,
    /// `email.domain` filled from the address.
    FilledDomain,
    /// Username hashed into `account.username_md5`.
    HashedUsername,
    /// Card number truncated to IIN and last digits.
    TruncatedPan,
    /// HMAC of the card number written to a custom input.
    Fingerprinted,
    /// Replaced by its HMAC-SHA256.
    KeyedHash,
    /// `last_4_digits` forwarded as `last_digits`.
    RenamedLegacy,
    /// A given value replaced by one derived from a raw field.
    Superseded,
    /// A PAN replaced by `[PAN REDACTED]` (or the value dropped).
    RedactedPan,
    /// An app-supplied 8-digit IIN cut to 6 digits: with the 4 last digits it
    /// could have been most or all of a PAN shorter than 16 digits.
    NarrowedIin,
    /// An email address found in a kept string replaced by its MD5.
    HashedFoundEmail,
    /// An email address found in a kept string replaced by `[EMAIL REDACTED]`.
    RedactedEmail,
    /// A group or cart item left empty by sanitizing, not sent.
    DroppedEmpty,
    /// The request's own username found in another field, replaced by
    /// `account.username_md5`'s value.
    HashedUsernameEcho,
    /// The request's own username found in another field, replaced by
    /// `[USERNAME REDACTED]` (or the entry dropped, for a key).
    RedactedUsername,
    /// A value of a listed-values field that txveil's tables do not hold,
    /// forwarded under `unknown_enum = "forward"`.
    ForwardedUnknownEnum,
}

impl Applied {
    /// The name used in audit records.
    pub fn name(self) -> &'static str {
        match self {
            Applied::Kept => "keep",
            Applied::Dropped => "drop",
            Applied::DroppedUnlisted => "drop_unlisted",
            Applied::HashedEmail => "hash_email",
            Applied::FilledDomain => "fill_domain",
            Applied::HashedUsername => "hash_username",
            Applied::TruncatedPan => "truncate_pan",
            Applied::Fingerprinted => "fingerprint",
            Applied::KeyedHash => "keyed_hash",
            Applied::RenamedLegacy => "rename_legacy",
            Applied::Superseded => "superseded",
            Applied::RedactedPan => "redact_pan",
            Applied::NarrowedIin => "narrow_iin",
            Applied::HashedFoundEmail => "hash_found_email",
            Applied::RedactedEmail => "redact_email",
            Applied::DroppedEmpty => "drop_empty",
            Applied::HashedUsernameEcho => "hash_username_echo",
            Applied::RedactedUsername => "redact_username",
            Applied::ForwardedUnknownEnum => "forward_unknown_enum",
        }
    }
}

/// Where a report entry applies: a schema field, cheap to record and
/// rendered only when asked for, or a path already rendered.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Spot {
    /// `/group/name`, `/shopping_cart/i/name`, or `/name` (reports).
    Field(Place, &'static str),
    /// A field of `custom_inputs`, by its key as paths show it.
    Custom(ShownKey),
    /// Any other path, rendered when asked for.
    Path(FieldPath),
}

impl Spot {
    /// The path, appended to `out` as [`FieldPath`] writes it.
    fn render_into(&self, out: &mut String) {
        match self {
            Spot::Field(place, name) => place.render_into(name, out),
            Spot::Custom(key) => custom_path(key, out),
            Spot::Path(p) => {
                use std::fmt::Write as _;
                let _ = write!(out, "{p}");
            }
        }
    }

    /// The path as a [`FieldPath`], for a rejection.
    fn path(&self) -> FieldPath {
        match self {
            Spot::Field(place, name) => place.path().known(name),
            Spot::Custom(key) => FieldPath::root().known("custom_inputs").shown(*key),
            Spot::Path(p) => p.clone(),
        }
    }
}

/// An object the walk is in: its group and, for cart items, the index,
/// packed into one `Copy` word (the group's position in
/// [`schema::TRANSACTION_GROUPS`] above the index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Place(u64);

/// [`Place`]'s low half when the object is not a cart item.
const NO_INDEX: u64 = u32::MAX as u64;
/// [`Place`]'s high half when the object is not in a group.
const NO_GROUP: u64 = u32::MAX as u64;

impl Place {
    /// The top level of a request.
    const TOP: Place = Place(NO_GROUP << 32 | NO_INDEX);

    /// The group at `position` in [`schema::TRANSACTION_GROUPS`].
    fn in_group(position: usize) -> Place {
        let group = u64::try_from(position).map_or(NO_GROUP, |g| g.min(NO_GROUP));
        Place(group << 32 | NO_INDEX)
    }

    /// Item `i` of this place (a cart). An index beyond `u32` (no body
    /// holds four billion items) is shown as the largest one.
    fn item(self, i: usize) -> Place {
        let i = u64::try_from(i).map_or(NO_INDEX - 1, |i| i.min(NO_INDEX - 1));
        Place(self.0 & !NO_INDEX | i)
    }

    fn group(self) -> Option<&'static str> {
        usize::try_from(self.0 >> 32)
            .ok()
            .and_then(|g| schema::TRANSACTION_GROUPS.get(g))
            .copied()
    }

    fn index(self) -> Option<usize> {
        let i = self.0 & NO_INDEX;
        (i != NO_INDEX).then(|| usize::try_from(i).unwrap_or(usize::MAX))
    }

    /// The object's own path.
    fn path(self) -> FieldPath {
        let mut p = FieldPath::root();
        if let Some(g) = self.group() {
            p = p.known(g);
        }
        if let Some(i) = self.index() {
            p = p.index(i);
        }
        p
    }

    /// `/group/index/name`, appended to `out` directly: the group and the
    /// name are schema names, which need no JSON pointer escaping (a test
    /// holds every schema name to that).
    fn render_into(self, name: &'static str, out: &mut String) {
        use std::fmt::Write as _;
        if let Some(g) = self.group() {
            out.push('/');
            out.push_str(g);
        }
        if let Some(i) = self.index() {
            let _ = write!(out, "/{i}");
        }
        out.push('/');
        out.push_str(name);
    }
}

/// What was done to a request, for audit records: every (path, action) pair,
/// kept fields included. Paths are JSON pointers with caller-chosen keys
/// masked; never a value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    entries: Vec<(Spot, Applied)>,
}

impl Report {
    fn push(&mut self, path: FieldPath, applied: Applied) {
        self.entries.push((Spot::Path(path), applied));
    }

    /// Records a schema field, by its place and name: rendered only when
    /// asked for.
    fn push_field(&mut self, place: Place, name: &'static str, applied: Applied) {
        self.entries.push((Spot::Field(place, name), applied));
    }

    fn push_spot(&mut self, spot: Spot, applied: Applied) {
        self.entries.push((spot, applied));
    }

    /// Every (path, action) pair, in the order applied.
    pub fn entries(&self) -> Vec<(String, Applied)> {
        self.entries
            .iter()
            .map(|(spot, applied)| (render(spot), *applied))
            .collect()
    }

    /// Where `other` (another policy's report on the same request) treats
    /// paths differently from this one: each such path with `other`'s action,
    /// or `None` where `other` did nothing to a path this report has. Sorted
    /// by path; only these paths are rendered.
    pub fn differences(&self, other: &Report) -> Vec<(String, Option<Applied>)> {
        let mut mine: std::collections::HashMap<&Spot, Applied> =
            self.entries.iter().map(|(s, a)| (s, *a)).collect();
        let mut theirs = Vec::new();
        for (spot, applied) in &other.entries {
            if mine.get(spot) == Some(applied) {
                mine.remove(spot);
            } else {
                theirs.push((render(spot), *applied));
            }
        }
        let mut left: std::collections::BTreeMap<String, Applied> =
            mine.into_iter().map(|(s, a)| (render(s), a)).collect();
        let mut out: std::collections::BTreeMap<String, Option<Applied>> =
            std::collections::BTreeMap::new();
        for (path, applied) in theirs {
            // The same path may be recorded in another form in each report.
            if left.get(&path) == Some(&applied) {
                left.remove(&path);
            } else {
                left.remove(&path);
                out.insert(path, Some(applied));
            }
        }
        out.extend(left.into_keys().map(|p| (p, None)));
        out.into_iter().collect()
    }

    /// The pairs whose action is not [`Applied::Kept`], in the order applied:
    /// what sanitizing changed.
    pub fn changes(&self) -> impl Iterator<Item = (String, Applied)> + '_ {
        self.entries
            .iter()
            .filter(|(_, a)| *a != Applied::Kept)
            .map(|(spot, applied)| (render(spot), *applied))
    }

    /// Calls `f` with each pair whose action is not [`Applied::Kept`], in
    /// the order applied, as [`Report::changes`] yields them; every path is
    /// rendered into one reused buffer.
    pub fn each_change(&self, mut f: impl FnMut(&str, Applied)) {
        let mut path = String::with_capacity(64);
        for (spot, applied) in self.entries.iter().filter(|(_, a)| *a != Applied::Kept) {
            path.clear();
            spot.render_into(&mut path);
            f(&path, *applied);
        }
    }

    /// How many fields were forwarded unchanged.
    pub fn kept(&self) -> usize {
        self.entries
            .iter()
            .filter(|(_, a)| *a == Applied::Kept)
            .count()
    }
}

/// `/custom_inputs/<key>`, as [`FieldPath`] writes it, appended to `out`.
fn custom_path(key: &ShownKey, out: &mut String) {
    out.push_str("/custom_inputs/");
    // Writing into a String cannot fail.
    let _ = key.write_to(out);
}

fn render(spot: &Spot) -> String {
    let mut out = String::with_capacity(48);
    spot.render_into(&mut out);
    out
}

// === Sanitized ===

/// A request that went through a policy. Only this module can make one, and
/// the upstream client accepts nothing else.
///
/// `Debug` shows the body's length, not the body: a test or log line that
/// prints a request it did not expect to be accepted must not print the card
/// number or address that got through.
#[derive(Clone, PartialEq)]
pub struct Sanitized {
    endpoint: Endpoint,
    /// Shared, so that the client sends it without a copy.
    json: Bytes,
    report: Report,
    policy_digest: std::sync::Arc<str>,
}

impl fmt::Debug for Sanitized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sanitized")
            .field("endpoint", &self.endpoint)
            .field("json_bytes", &self.json.len())
            .field("report", &self.report)
            .field("policy_digest", &self.policy_digest)
            .finish()
    }
}

impl Sanitized {
    /// The endpoint the request was sanitized for.
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }
    /// The request that may be sent, as a JSON object (read back from
    /// [`Sanitized::json`]; for inspection, not for forwarding).
    pub fn body(&self) -> Map<String, Value> {
        serde_json::from_slice(&self.json).unwrap_or_default()
    }
    /// The request that may be sent, as compact JSON bytes.
    pub fn json(&self) -> &[u8] {
        &self.json
    }
    /// The same bytes as [`Sanitized::json`], shared (a reference, not a
    /// copy): the body the client sends.
    #[cfg(feature = "client")]
    pub(crate) fn shared_json(&self) -> Bytes {
        self.json.clone()
    }
    /// What was applied to which path.
    pub fn report(&self) -> &Report {
        &self.report
    }
    /// The report, once the request itself is no longer needed.
    pub fn into_report(self) -> Report {
        self.report
    }
    /// The digest of the policy that made this request.
    pub fn policy_digest(&self) -> &str {
        &self.policy_digest
    }
    /// The request as compact JSON.
    pub fn to_json(&self) -> String {
        // The writer produces UTF-8 from UTF-8 input.
        String::from_utf8_lossy(&self.json).into_owned()
    }
}

// === Entry points ===

/// The most arena memory a thread keeps between requests. A large or
/// deeply structured request can need tens of megabytes for its tree;
/// that is given back at once instead of being held for the next one.
const KEEP: usize = 1 << 20;
thread_local! {
    /// Each thread's arena, reset for every request: the memory of the
    /// last tree (up to [`KEEP`]) is reused by the next.
    static ARENA: std::cell::RefCell<Arena> = std::cell::RefCell::new(Arena::new());
}

/// The longest body [`sanitize_request`] reads: 1 MiB, fifty times the
/// 20,000 bytes minFraud (and the sidecar) accept, so that batch input of
/// any realistic request passes while a runaway input is refused at once.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 1 << 20;

/// Sanitizes a request body (bytes, as received) for `endpoint` under
/// `policy`; a body longer than [`DEFAULT_MAX_REQUEST_BYTES`] is refused
/// with `REQUEST_TOO_LARGE` ([`sanitize_request_limited`] takes another
/// limit).
///
/// # Errors
/// A [`Rejection`] naming the code and path; then nothing may be forwarded.
pub fn sanitize_request(
    policy: &Policy,
    endpoint: Endpoint,
    body: &[u8],
) -> Result<Sanitized, Rejection> {
    sanitize_request_limited(policy, endpoint, body, DEFAULT_MAX_REQUEST_BYTES)
}

/// As [`sanitize_request`], refusing a body longer than `max_bytes` with
/// `REQUEST_TOO_LARGE` (path `/`) before reading it.
///
/// # Errors
/// A [`Rejection`] naming the code and path; then nothing may be forwarded.
pub fn sanitize_request_limited(
    policy: &Policy,
    endpoint: Endpoint,
    body: &[u8],
    max_bytes: usize,
) -> Result<Sanitized, Rejection> {
    if body.len() > max_bytes {
        return Err(Rejection::new(
            FieldPath::root(),
            RejectionKind::RequestTooLarge,
        ));
    }
    ARENA.with(|cell| match cell.try_borrow_mut() {
        Ok(mut arena) => {
            arena.reset();
            let result = sanitize_in(policy, endpoint, body, &arena);
            if arena.allocated_bytes() > KEEP {
                *arena = Arena::new();
            }
            result
        }
        // Not reached (sanitizing calls nothing that sanitizes); a fresh
        // arena keeps it correct if it ever were.
        Err(_) => sanitize_in(policy, endpoint, body, &Arena::new()),
    })
}

fn sanitize_in(
    policy: &Policy,
    endpoint: Endpoint,
    body: &[u8],
    arena: &Arena,
) -> Result<Sanitized, Rejection> {
    let input = doc::parse_object(body, arena)
        .map_err(|_| Rejection::new(FieldPath::root(), RejectionKind::JsonInvalid))?;
    sanitize_obj(policy, endpoint, input, body.len(), arena)
}

/// Sanitizes an already-parsed request: it is written out and read as bytes
/// from the network are.
///
/// # Errors
/// A [`Rejection`] naming the code and path.
pub fn sanitize_value(
    policy: &Policy,
    endpoint: Endpoint,
    request: Value,
) -> Result<Sanitized, Rejection> {
    let bytes = match &request {
        Value::Object(_) => serde_json::to_vec(&request).ok(),
        _ => None,
    }
    .ok_or_else(|| Rejection::new(FieldPath::root(), RejectionKind::JsonInvalid))?;
    sanitize_request(policy, endpoint, &bytes)
}

fn sanitize_obj<'a>(
    policy: &Policy,
    endpoint: Endpoint,
    input: Obj<'a>,
    size: usize,
    arena: &'a Arena,
) -> Result<Sanitized, Rejection> {
    // The request's own secrets first: every other value is read knowing
    // them.
    let secrets = match endpoint {
        Endpoint::Transaction => secrets::Secrets::gather(policy.section(endpoint), &input, arena),
        Endpoint::Report => secrets::Secrets::default(),
    };
    let echoes = secrets.echoes;
    let mut walk = Walk {
        arena,
        policy,
        endpoint,
        section: policy.section(endpoint),
        report: Report {
            entries: Vec::with_capacity(64),
        },
        fingerprints: Vec::new(),
        reads: secrets.reads,
        scan: Scan::new(
            policy,
            endpoint,
            arena,
            &echoes,
            secrets.order,
            &secrets.computed,
        ),
    };
    let mut body = match endpoint {
        Endpoint::Transaction => walk.transaction(input)?,
        Endpoint::Report => walk.report(input)?,
    };
    let mut scan = walk.scan;
    let refusal = scan.refusal();
    // The policy's actions first, then the echoes found, then what the
    // detectors found.
    let mut report = walk.report;
    if let Some(echo) = scan.echo.take() {
        report.entries.extend(echo.found.entries);
    }
    report.entries.extend(scan.report.entries);
    if endpoint == Endpoint::Transaction {
        drop_empty_groups(&mut body, &mut report);
    }
    if let Some(r) = refusal {
        return Err(r);
    }
    if endpoint == Endpoint::Report {
        report_has_ids(&body)?;
    }
    let mut json = Vec::with_capacity(size);
    doc::write_obj(&mut json, &body);
    // The tree owns no memory outside the arena: dropping it would walk it
    // and free nothing.
    std::mem::forget(body);
    Ok(Sanitized {
        endpoint,
        json: Bytes::from(json),
        report,
        policy_digest: policy.shared_digest(),
    })
}

/// Values derived from raw fields, applied after a group's own fields so that
/// they win over values the caller also gave.
#[derive(Default)]
struct Derived<'a> {
    /// Whether the app sent `email.domain` itself.
    domain_given: bool,
    email_domain: Option<String>,
    username_md5: Option<&'a str>,
    card: Option<card::TruncatedCard>,
    legacy_last_digits: Option<Val<'a>>,
}

/// The traversal: each group of the request meets the policy's actions
/// here, then its fields that stay meet the echo search, the detectors and
/// validation ([`Scan`]) before the next group is read.
struct Walk<'p, 'a> {
    arena: &'a Arena,
    policy: &'p Policy,
    endpoint: Endpoint,
    section: &'p Section,
    report: Report,
    /// The card's fingerprints: custom input keys and HMACs.
    fingerprints: Vec<(String, String)>,
    /// What reading the secrets' own fields found, for their actions.
    reads: secrets::Reads<'a>,
    /// The echo search, the detectors and validation, which each group
    /// meets once the policy's actions are applied to it.
    scan: Scan<'p, 'a>,
}

impl<'a> Walk<'_, 'a> {
    /// Applies the policy to a transaction's groups, in place: a group the
    /// policy lets through stays where it is, transformed; the rest is
    /// taken out. Nothing is moved out of the tree and back in.
    fn transaction(&mut self, mut input: Obj<'a>) -> Result<Obj<'a>, Rejection> {
        if self.reads.fingerprint && input.get("custom_inputs").is_none_or(Val::is_null) {
            // The card's fingerprint goes to a custom input: the group is
            // met in its place even when the app sent none.
            input.insert(
                Text::plain("custom_inputs"),
                Val::Obj(Obj::with_capacity_in(1, self.arena)),
            );
        }
        let root = FieldPath::root();
        keep_in_order(input.entries_mut(), |position, _, entry| {
            if entry.val.is_null() {
                return Ok(false);
            }
            let Some(at) = schema::group_position(entry.key.as_str()) else {
                let spot = Spot::Path(root.dynamic(entry.key.as_str(), position + 1));
                self.unlisted(spot, RejectionKind::FieldUnknown)?;
                return Ok(false);
            };
            entry.key = Text::plain(schema::TRANSACTION_GROUPS[at]);
            self.group(at, &mut entry.val)
        })?;
        for (key, _) in self.fingerprints.drain(..) {
            let spot = Spot::Custom(ShownKey::new(&key, usize::MAX));
            self.report.push_spot(spot, Applied::Fingerprinted);
        }
        Ok(input)
    }

    /// The group at `at` in [`schema::TRANSACTION_GROUPS`], holding
    /// `value`: the policy's actions over its fields and the values derived
    /// from them; then each field that stays meets the echo search, the
    /// detectors and validation ([`Scan::group`]). True when the group is
    /// sent.
    fn group(&mut self, at: usize, value: &mut Val<'a>) -> Result<bool, Rejection> {
        let group = schema::TRANSACTION_GROUPS[at];
        let place = Place::in_group(at);
        let invalid =
            || Rejection::new(FieldPath::root().known(group), RejectionKind::FieldInvalid);
        let fields = match (group, value) {
            ("shopping_cart", Val::Arr(items)) => return self.cart(place, items),
            ("custom_inputs", Val::Obj(fields)) => {
                self.custom_inputs(fields)?;
                self.insert_fingerprints(fields);
                fields
            }
            ("shopping_cart" | "custom_inputs", _) | (_, Val::Arr(_)) => return Err(invalid()),
            (_, Val::Obj(o)) => {
                let mut d = Derived::default();
                self.object(place, o, &mut d).map_err(|r| *r)?;
                self.apply_derived(place, o, &mut d);
                if matches!(group, "billing" | "shipping") {
                    self.wrapped_address(place, o)?;
                }
                o
            }
            _ => return Err(invalid()),
        };
        // A group the policy leaves empty is not sent; one the detectors
        // leave empty is taken out with the report's note (see
        // [`drop_empty_groups`]).
        let sent = !fields.is_empty();
        if sent {
            self.scan.group(place, group, fields);
        }
        Ok(sent)
    }

    /// The cart at `place`: each item as a group, items left empty by the
    /// policy taken out and the rest kept in their order.
    fn cart(&mut self, place: Place, items: &mut ArenaVec<'a, Val<'a>>) -> Result<bool, Rejection> {
        // Items the detectors leave non-empty: validation counts only these.
        let mut sent = 0;
        keep_in_order(items, |i, kept, item| match item {
            Val::Null => Ok(false),
            Val::Obj(o) => {
                let mut d = Derived::default();
                self.object(place.item(i), o, &mut d).map_err(|r| *r)?;
                if o.is_empty() {
                    return Ok(false);
                }
                self.scan.item(place, kept, &mut sent, o);
                Ok(true)
            }
            _ => Err(Rejection::new(
                place.path().index(i),
                RejectionKind::FieldInvalid,
            )),
        })?;
        Ok(!items.is_empty())
    }

    /// Writes the card's fingerprints into `custom_inputs`, over any value
    /// the app gave the same keys.
    fn insert_fingerprints(&mut self, fields: &mut Obj<'a>) {
        for (k, v) in &self.fingerprints {
            fields.insert_field(
                Text::new_in(self.arena, k),
                Val::str_in(self.arena, v),
                schema::filled().map(|f| f.custom_input),
            );
        }
    }

    fn unlisted(&mut self, spot: Spot, kind: RejectionKind) -> Result<(), Rejection> {
        match self.policy.unlisted() {
            Unlisted::Drop => {
                self.report.push_spot(spot, Applied::DroppedUnlisted);
                Ok(())
            }
            Unlisted::Reject => Err(Rejection::new(spot.path(), kind)),
        }
    }

    /// A report's fields: the policy's actions, then each field that
    /// stays meets the detectors and validation.
    fn report(&mut self, mut fields: Obj<'a>) -> Result<Obj<'a>, Rejection> {
        let mut derived = Derived::default();
        self.object(Place::TOP, &mut fields, &mut derived)
            .map_err(|r| *r)?;
        self.scan.report_fields(&mut fields);
        Ok(fields)
    }

    /// The fields of `custom_inputs`: each is recorded by its [`ShownKey`];
    /// a full path is built only for a rejection.
    fn custom_inputs(&mut self, fields: &mut Obj<'a>) -> Result<(), Rejection> {
        keep_in_order(fields.entries_mut(), |position, _, entry| {
            if entry.val.is_null() {
                return Ok(false);
            }
            let key = entry.key.as_str();
            let spot = Spot::Custom(ShownKey::new(key, position + 1));
            let path = || spot.path();
            let applied = match self.section.custom_action(key) {
                None => {
                    self.unlisted(spot, RejectionKind::FieldForbidden)?;
                    return Ok(false);
                }
                Some(Action::Keep) => Applied::Kept,
                Some(Action::KeyedHash) if self.card_before_action(None, &entry.val, &path)? => {
                    Applied::RedactedPan
                }
                Some(Action::KeyedHash) => {
                    let hashed = self.keyed_hash(&entry.val, &path)?;
                    entry.val = Val::str_in(self.arena, &hashed);
                    Applied::KeyedHash
                }
                Some(Action::Reject) => {
                    return Err(Rejection::new(spot.path(), RejectionKind::FieldForbidden))
                }
                Some(_) => Applied::Dropped,
            };
            self.report.push_spot(spot, applied);
            entry.mark.field = schema::filled().map(|f| f.custom_input);
            Ok(matches!(applied, Applied::Kept | Applied::KeyedHash))
        })
    }

    /// A card number wrapped across `address` and `address_2` of one group,
    /// as legacy apps wrap free text at a fixed width (`... 4111 1111 11` +
    /// `11 1111 1111`): the two kept lines are read as one, joined directly
    /// and with a space, and a card that spans the join is a card found
    /// (`on_pan`; a rejection names `address`, a redaction replaces the part
    /// in each line). A card within one line is left to the detectors. Other
    /// fields are not joined (see SECURITY.md).
    fn wrapped_address(&mut self, place: Place, o: &mut Obj<'a>) -> Result<(), Rejection> {
        let (mut first, mut second) = (None, None);
        for e in o.entries() {
            match (e.key.as_str(), &e.val) {
                ("address", Val::Str(s)) => first = Some(s.as_str()),
                ("address_2", Val::Str(s)) => second = Some(s.as_str()),
                _ => {}
            }
        }
        let (Some(first), Some(second)) = (first, second) else {
            return Ok(());
        };
        // ASCII digits of a line with nothing encoded (no byte outside
        // ASCII, no `%` or `&`).
        let plain_digits = |s: &str| {
            let facts = Facts::of(s.as_bytes());
            (!facts.encoded).then_some(facts.digits)
        };
        // Fewer digits in all than the shortest card, and nothing encoded:
        // nothing can span the join.
        if let (Some(a), Some(b)) = (plain_digits(first), plain_digits(second)) {
            if a.saturating_add(b) < *pan::PAN_LENGTHS.start() {
                return Ok(());
            }
        }
        let mut cut = None;
        for glue in ["", " "] {
            let joined = format!("{first}{glue}{second}");
            let join = first.len();
            let second_at = join + glue.len();
            if let Some(r) = pan::find_pans(&joined)
                .into_iter()
                .find(|r| r.start < join && r.end > second_at)
            {
                cut = Some((r.start, r.end - second_at));
                break;
            }
        }
        let Some((start, end)) = cut else {
            return Ok(());
        };
        if self.policy.on_pan() == OnPan::Reject {
            return Err(Rejection::pan(
                place.path().known("address"),
                "wrapped_address",
            ));
        }
        let head = format!("{}{}", &first[..start], pan::REDACTION);
        let tail = second[end..].to_owned();
        for (name, text) in [("address", head), ("address_2", tail)] {
            if text.trim().is_empty() {
                o.remove(name);
            } else if let Some(entry) = o.entries_mut().iter_mut().find(|e| e.key.as_str() == name)
            {
                entry.val = Val::str_in(self.arena, &text);
            }
            self.report.push_field(place, name, Applied::RedactedPan);
        }
        Ok(())
    }

    /// Whether `value`, as the app sent it, holds a card number (`known`
    /// when the field was read ahead, see [`secrets`]). Every value meets
    /// the detector before an action transforms it: a hash of a card
    /// number (unkeyed MD5 above all, beside the same card's IIN and last
    /// digits) would let the number be recovered or correlated, so a card
    /// found in a field to be hashed is a card found. Under `on_pan =
    /// "reject"` that refuses the request, naming the field; under `redact`
    /// the caller leaves the field out (a hash of the redacted text would
    /// link unrelated customers). `credit_card.number`'s truncation is the
    /// one action that expects a card, and does not come here.
    fn card_before_action(
        &self,
        known: Option<(bool, Option<&'static str>)>,
        value: &Val<'_>,
        path: &dyn Fn() -> FieldPath,
    ) -> Result<bool, Rejection> {
        let (found, rule) = known.unwrap_or_else(|| {
            let found = match value {
                Val::Str(s) => pan::contains_pan(s.as_str()),
                Val::Num(n) => pan::number_holds_pan(n),
                _ => false,
            };
            (found, None)
        });
        if found && self.policy.on_pan() == OnPan::Reject {
            let rule = rule.unwrap_or_else(|| match value {
                Val::Num(n) => pan::number_rule(n, None),
                Val::Str(s) => pan::rule_of(s.as_str()),
                _ => "card_shape",
            });
            return Err(Rejection::pan(path(), rule));
        }
        Ok(found)
    }

    fn keyed_hash(
        &mut self,
        value: &Val<'_>,
        path: &dyn Fn() -> FieldPath,
    ) -> Result<String, Rejection> {
        let key = self
            .policy
            .hash_key()
            .ok_or_else(|| Rejection::new(path(), RejectionKind::HashKeyMissing))?;
        let hashed = match value {
            Val::Str(s) => key.hmac_hex(s.as_str().as_bytes()),
            Val::Num(n) => key.hmac_hex(n.text().as_bytes()),
            _ => return Err(Rejection::new(path(), RejectionKind::FieldInvalid)),
        };
        self.scan.computed.push(self.arena.alloc_str(&hashed));
        Ok(hashed)
    }

    /// Applies the section's rules to the fields of one object, in place:
    /// what the policy lets through stays (possibly transformed), the rest
    /// is taken out. A refusal comes back boxed: the common result is
    /// one word.
    #[inline(never)]
    fn object(
        &mut self,
        place: Place,
        fields: &mut Obj<'a>,
        derived: &mut Derived<'a>,
    ) -> Result<(), Box<Rejection>> {
        self.object_fields(place, fields, derived).map_err(Box::new)
    }

    /// [`Walk::object`]'s work: each field is named by the schema and
    /// given its rule's action; a field the schema or the policy does not
    /// name is `unlisted`.
    #[inline(always)]
    fn object_fields(
        &mut self,
        place: Place,
        fields: &mut Obj<'a>,
        derived: &mut Derived<'a>,
    ) -> Result<(), Rejection> {
        let group = place.group();
        // Only `email.domain` is ever filled from a hashed address.
        derived.domain_given =
            group == Some("email") && fields.get("domain").is_some_and(|v| !v.is_null());
        let mut rules = Rules::new(self.section.group_rules(group));
        keep_in_order(fields.entries_mut(), |position, _, entry| {
            if entry.val.is_null() {
                return Ok(false);
            }
            let name = entry.key.as_str();
            let rule = rules.next(name);
            let Some(field) = rule
                .map(|r| r.field)
                .or_else(|| schema::field(self.endpoint, group, name))
            else {
                let spot = Spot::Path(place.path().dynamic(name, position + 1));
                self.unlisted(spot, RejectionKind::FieldUnknown)?;
                return Ok(false);
            };
            if field.ty == Ty::Token {
                check_token(&entry.val, &place.path().known(field.name))?;
            }
            let Some(rule) = rule else {
                let spot = Spot::Field(place, field.name);
                self.unlisted(spot, RejectionKind::FieldForbidden)?;
                return Ok(false);
            };
            let keep = self.apply(place, field, &rule.action, &mut entry.val, derived)?;
            entry.mark.field = Some(field);
            Ok(keep)
        })
    }

    /// Applies `action` to `value` of `field` and records it; true when
    /// the field stays (as it is or transformed).
    fn apply(
        &mut self,
        place: Place,
        field: &'static schema::Field,
        action: &Action,
        value: &mut Val<'a>,
        derived: &mut Derived<'a>,
    ) -> Result<bool, Rejection> {
        let p = || place.path().known(field.name);
        let applied = match action {
            Action::Keep if field.ty == Ty::LegacyLastDigits => {
                derived.legacy_last_digits = Some(std::mem::replace(value, Val::Null));
                Applied::RenamedLegacy
            }
            Action::Keep => Applied::Kept,
            Action::Drop => Applied::Dropped,
            Action::Reject => return Err(Rejection::new(p(), RejectionKind::FieldForbidden)),
            Action::HashEmail => self.hash_email(value, derived, &p)?,
            Action::HashUsername(form) => self.hash_username(*form, value, derived, &p)?,
            Action::TruncatePan(t) => self.truncate_card(t, value, derived, &p)?,
            Action::KeyedHash if self.card_before_action(None, value, &p)? => Applied::RedactedPan,
            Action::KeyedHash => {
                let hashed = self.keyed_hash(value, &p)?;
                *value = Val::str_in(self.arena, &hashed);
                Applied::KeyedHash
            }
        };
        self.report.push_field(place, field.name, applied);
        Ok(matches!(
            applied,
            Applied::Kept | Applied::HashedEmail | Applied::KeyedHash
        ))
    }

    /// `email.address` under `hash_email`: replaced by the MD5 of its
    /// canonical form, its domain kept for `email.domain` when the policy
    /// keeps that field and the app sent none. An address holding a card
    /// number is left out (its domain still filled).
    fn hash_email(
        &mut self,
        value: &mut Val<'a>,
        derived: &mut Derived<'a>,
        p: &dyn Fn() -> FieldPath,
    ) -> Result<Applied, Rejection> {
        let Val::Str(address) = &*value else {
            return Err(Rejection::new(p(), RejectionKind::EmailInvalid));
        };
        let address = address.as_str();
        // Read ahead with the request's secrets (its MD5 then listed as
        // txveil's own), or here.
        let gathered = self.reads.email.take();
        let listed = gathered.is_some();
        let read = gathered.unwrap_or_else(|| secrets::read_email(address));
        let domain_wanted = !derived.domain_given
            && self
                .section
                .rule(Some("email"), "domain")
                .is_some_and(|r| r.action == Action::Keep);
        if self.card_before_action(Some((read.holds_pan, read.rule)), value, p)? {
            if domain_wanted {
                derived.email_domain = read.made.ok().and_then(|h| h.domain);
            }
            return Ok(Applied::RedactedPan);
        }
        let hashed = read
            .made
            .map_err(|_| Rejection::new(p(), RejectionKind::EmailInvalid))?;
        if !listed && (hashed.domain.is_some() || address != hashed.md5_hex) {
            let kept = self.arena.alloc_str(&hashed.md5_hex);
            self.scan.computed.push(kept);
        }
        *value = Val::str_in(self.arena, &hashed.md5_hex);
        if domain_wanted {
            derived.email_domain = hashed.domain;
        }
        Ok(Applied::HashedEmail)
    }

    /// `account.username` under `hash_username`: its MD5 goes to
    /// `account.username_md5`, the raw value nowhere. A username holding
    /// a card number is left out.
    fn hash_username(
        &mut self,
        form: UsernameForm,
        value: &Val<'a>,
        derived: &mut Derived<'a>,
        p: &dyn Fn() -> FieldPath,
    ) -> Result<Applied, Rejection> {
        let read = self.reads.username.take();
        if self.card_before_action(read.as_ref().map(|r| (r.holds_pan, r.rule)), value, p)? {
            return Ok(Applied::RedactedPan);
        }
        let Val::Str(username) = value else {
            return Err(Rejection::new(p(), RejectionKind::FieldInvalid));
        };
        let md5 = read.and_then(|r| r.made).unwrap_or_else(|| {
            self.arena
                .alloc_str(&username::hash(username.as_str(), form))
        });
        self.scan.computed.push(md5);
        derived.username_md5 = Some(md5);
        Ok(Applied::HashedUsername)
    }

    /// `credit_card.number` under `truncate_pan`: its IIN and last digits
    /// go to their fields, its HMAC to the fingerprint's custom input when
    /// the policy asks for one; the number itself nowhere.
    fn truncate_card(
        &mut self,
        t: &Truncation,
        value: &Val<'a>,
        derived: &mut Derived<'a>,
        p: &dyn Fn() -> FieldPath,
    ) -> Result<Applied, Rejection> {
        let pan = match self.reads.card.take() {
            Some(pan) => pan,
            None => secrets::parse_card(value)
                .map_err(|()| Rejection::new(p(), RejectionKind::CardNumberInvalid))?,
        };
        derived.card = Some(pan.truncate(t.iin, t.last4));
        if let Some(target) = &t.fingerprint {
            let key = self
                .policy
                .hash_key()
                .ok_or_else(|| Rejection::new(p(), RejectionKind::HashKeyMissing))?;
            let fingerprint = key.hmac_hex(&pan.ascii());
            self.scan.computed.push(self.arena.alloc_str(&fingerprint));
            self.fingerprints.push((target.clone(), fingerprint));
        }
        Ok(Applied::TruncatedPan)
    }

    /// Writes the values derived from a group's raw fields into it: they
    /// win over values the app also gave.
    fn apply_derived(&mut self, place: Place, out: &mut Obj<'a>, d: &mut Derived<'a>) {
        let filled = schema::filled();
        match place.group() {
            Some("email") => {
                if let Some(domain) = d.email_domain.take() {
                    let field = filled.map(|f| f.email_domain);
                    self.derive(
                        place,
                        out,
                        ("domain", field),
                        &domain,
                        Applied::FilledDomain,
                    );
                }
            }
            Some("account") => {
                if let Some(md5) = d.username_md5.take() {
                    let field = filled.map(|f| f.username_md5);
                    self.derive(
                        place,
                        out,
                        ("username_md5", field),
                        md5,
                        Applied::Superseded,
                    );
                }
            }
            Some("credit_card") => match d.card.take() {
                Some(card) => {
                    let iin = ("issuer_id_number", filled.map(|f| f.issuer_id_number));
                    let last = ("last_digits", filled.map(|f| f.last_digits));
                    self.derive(place, out, iin, &card.issuer_id_number, Applied::Superseded);
                    self.derive(place, out, last, &card.last_digits, Applied::Superseded);
                }
                None => self.card_as_given(place, out, d.legacy_last_digits.take()),
            },
            _ => {}
        }
    }

    /// Sets the field `name` of `out` to a `value` txveil derived and
    /// records `applied`, and that a value the app gave was superseded.
    fn derive(
        &mut self,
        place: Place,
        out: &mut Obj<'a>,
        (name, field): (&'static str, Option<&'static schema::Field>),
        value: &str,
        applied: Applied,
    ) {
        let value = Val::str_in(self.arena, value);
        if out.insert_field(Text::plain(name), value, field).is_some() {
            self.report.push_field(place, name, Applied::Superseded);
        }
        if applied != Applied::Superseded {
            self.report.push_field(place, name, applied);
        }
    }

    /// A card the app sent as IIN and last digits, without its number:
    /// `last_4_digits` (`legacy`) forwarded as `last_digits` when that is
    /// not given, and an 8-digit IIN cut to 6 where, with the last digits,
    /// it could spell most or all of a shorter card ([`card::narrowed_iin`]).
    fn card_as_given(&mut self, place: Place, out: &mut Obj<'a>, legacy: Option<Val<'a>>) {
        let filled = schema::filled();
        if let Some(last) = legacy {
            if !out.contains_key("last_digits") {
                let field = filled.map(|f| f.last_digits);
                out.insert_field(Text::plain("last_digits"), last, field);
            }
        }
        let given = |k: &str| out.get(k).and_then(Val::as_str);
        let (Some(iin), Some(last)) = (given("issuer_id_number"), given("last_digits")) else {
            return;
        };
        if let Some(narrowed) = card::narrowed_iin(iin, last) {
            out.insert_field(
                Text::plain("issuer_id_number"),
                Val::str_in(self.arena, &narrowed),
                filled.map(|f| f.issuer_id_number),
            );
            self.report
                .push_field(place, "issuer_id_number", Applied::NarrowedIin);
        }
    }
}

/// Keeps the items for which `keep` (given each item's position, how many
/// were kept before it, and the item) says so, in their order: each kept
/// item moves down over those left out, and the rest is cut off once. The
/// first refusal stops it.
fn keep_in_order<T, E>(
    items: &mut ArenaVec<'_, T>,
    mut keep: impl FnMut(usize, usize, &mut T) -> Result<bool, E>,
) -> Result<(), E> {
    let mut kept = 0;
    for position in 0..items.len() {
        if keep(position, kept, &mut items[position])? {
            if kept != position {
                items.swap(kept, position);
            }
            kept += 1;
        }
    }
    items.truncate(kept);
    Ok(())
}

/// A group's rules, sorted by field name, met in step with the group's
/// fields (sorted by key the same way): each field's rule is found by
/// moving forward, never by searching again.
struct Rules<'p> {
    rules: &'p [Rule],
    next: usize,
}

impl<'p> Rules<'p> {
    fn new(rules: &'p [Rule]) -> Self {
        Rules { rules, next: 0 }
    }

    /// The rule of the field `name`; fields are asked for in key order.
    #[inline(always)]
    fn next(&mut self, name: &str) -> Option<&'p Rule> {
        let word = key::key_word(name.as_bytes());
        // Names are compared byte by byte only where their first words
        // are equal, and then once.
        loop {
            let r = self.rules.get(self.next)?;
            let order = r
                .key
                .cmp(&word)
                .then_with(|| key::same_word_order(r.field.name, name));
            match order {
                std::cmp::Ordering::Less => self.next += 1,
                std::cmp::Ordering::Equal => return Some(r),
                std::cmp::Ordering::Greater => return None,
            }
        }
    }
}

/// minFraud's guard against a PAN sent as a token: all digits of 1–19
/// characters, or a PAN anywhere in it.
fn check_token(value: &Val<'_>, path: &FieldPath) -> Result<(), Rejection> {
    let text: std::borrow::Cow<'_, str> = match value {
        Val::Str(s) => s.as_str().into(),
        Val::Num(n) => n.text(),
        _ => return Ok(()),
    };
    if pan::contains_pan(&text) {
        return Err(Rejection::pan(path.clone(), pan::rule_of(&text)));
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
    let known = if depth == 0 { schema::group(key) } else { None }.or_else(|| {
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

/// Whether `on_email` leaves `s`, whose [`Facts`] are `facts`, as it
/// is without reading it.
fn emails_left_alone(
    on_email: OnEmail,
    s: &str,
    facts: &Facts,
    binary: &decode::BinaryReading<'_>,
) -> bool {
    on_email == OnEmail::Keep || email::find::none_possible_given(s, facts, binary)
}

/// Whether a custom input's `value` is of the type the policy gives it
/// (`None`: untyped, any custom input value).
fn typed(ty: Option<&InputType>, value: &Val<'_>) -> bool {
    match ty {
        None => true,
        Some(InputType::Phone | InputType::String) => matches!(value, Val::Str(_)),
        Some(InputType::Number) => matches!(value, Val::Num(_)),
        Some(InputType::Boolean) => matches!(value, Val::Bool(_)),
    }
}

/// The bytes of `new` where it differs from `old`: from the first byte
/// that differs to the last, counted from both ends.
fn changed_stretch(old: &str, new: &str) -> std::ops::Range<usize> {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
        .min(a.len() - head)
        .min(b.len() - head);
    head..b.len() - tail
}

/// The text written in place of an email address under `on_email = "redact"`.
pub const EMAIL_REDACTION: &str = "[EMAIL REDACTED]";

/// An object the scan is in.
struct Level<'x> {
    /// The object's path.
    path: &'x dyn Fn() -> FieldPath,
    /// The object's path as validation names it (a cart item's index
    /// counts only the items that are sent), when its entries are fields
    /// of a group, a cart item or a report, each one left validated.
    fields: Option<&'x dyn Fn() -> FieldPath>,
    depth: usize,
    group: Option<&'static str>,
    /// A transaction's group or cart item, whose fields are searched for
    /// the request's own secrets.
    place: Option<Place>,
    /// `custom_inputs` or an object in it.
    custom: bool,
    /// The fields of `custom_inputs`.
    in_custom: bool,
    /// `email.address` and `account.username_md5` hold MD5s, which minFraud
    /// requires as 32 hex digits. About one MD5 in a few hundred has a
    /// decimal run that passes Luhn in a brand range; scanning them would
    /// reject legitimate pre-hashed requests, so an exact 32-hex value
    /// there is not scanned. Anything else in those fields is.
    md5_key: Option<&'static str>,
}

impl<'x> Level<'x> {
    fn new(
        path: &'x dyn Fn() -> FieldPath,
        fields: Option<&'x dyn Fn() -> FieldPath>,
        depth: usize,
        group: Option<&'static str>,
        place: Option<Place>,
    ) -> Self {
        let custom = group == Some("custom_inputs");
        Level {
            path,
            fields,
            depth,
            group,
            place,
            custom,
            in_custom: depth == 1 && custom,
            md5_key: match (depth, group) {
                (1, Some("email")) => Some("address"),
                (1, Some("account")) => Some("username_md5"),
                _ => None,
            },
        }
    }
}

/// What a value's container tells the scan of it.
#[derive(Clone, Copy)]
struct Inner {
    /// The depth of the object holding the value.
    depth: usize,
    group: Option<&'static str>,
    /// Whether strings are searched for email addresses.
    emails: bool,
}

/// What each field that the policy lets through meets, as the traversal
/// reaches it: the echo search ([`EchoSearch`]), the detectors (card
/// numbers, email addresses, the username in other readings), then
/// validation of the value as they leave it. What they refuse waits in
/// `echoed`, `refused` and `invalid` while the traversal goes on, since the
/// policy's own refusal of any later field outranks them ([`Scan::refusal`]).
struct Scan<'p, 't> {
    arena: &'t Arena,
    endpoint: Endpoint,
    on_pan: OnPan,
    on_email: OnEmail,
    unknown_enum: UnknownEnum,
    /// Hashes txveil computed (MD5, HMAC). Their hex digits may happen to
    /// look like a PAN; being one-way outputs, they are exempt from the
    /// detectors.
    computed: ArenaVec<'t, &'t str>,
    /// What the detectors found and did, recorded after the policy's
    /// actions and the echoes.
    report: Report,
    /// The first field found invalid, in output order: it refuses the
    /// request when nothing else does (a card number, an address or an
    /// echo outranks an invalid value).
    invalid: Option<Rejection>,
    /// A card or address the detectors refused while the echo search goes
    /// on: an echo found in any field outranks it.
    refused: Option<Rejection>,
    /// An echo that refused the request: nothing is read after it, and
    /// only the policy's own refusals outrank it.
    echoed: Option<Rejection>,
    /// Whether the scan changed the value being checked (a found address
    /// hashed, a username echo replaced): such a value is never forwarded as
    /// an unknown listed value.
    rewritten: bool,
    /// The field whose value is being scanned, for the card detector's
    /// ambiguous shapes (`context`).
    cx: context::Field<'t>,
    /// The types the policy gives custom inputs (`type = "phone"`).
    custom_types: &'p std::collections::HashMap<String, InputType>,
    /// The countries the request names for its order, when it names any.
    order: Option<&'t context::Order>,
    /// The request's raw username and its MD5, looked for in the other
    /// readings of free-text values (the echo search looks for it as
    /// written).
    username: Option<&'p (echo::Token, &'t str)>,
    on_username: OnUsername,
    /// Whether the value being scanned is free text a username can be
    /// copied into ([`echo_text_field`]).
    echo_text: bool,
    /// The search for the request's own secrets, when it has any.
    echo: Option<EchoSearch<'p, 't>>,
}

impl<'p, 't> Scan<'p, 't> {
    fn new(
        policy: &'p Policy,
        endpoint: Endpoint,
        arena: &'t Arena,
        echoes: &'p echo::Echoes<'t>,
        order: context::Order,
        computed: &[&'t str],
    ) -> Self {
        let mut listed = ArenaVec::with_capacity_in(computed.len() + 4, arena);
        listed.extend_from_slice(computed);
        Scan {
            arena,
            endpoint,
            on_pan: policy.on_pan(),
            on_email: policy.on_email(),
            unknown_enum: policy.unknown_enum(),
            computed: listed,
            report: Report::default(),
            invalid: None,
            refused: None,
            echoed: None,
            rewritten: false,
            cx: context::Field::default(),
            custom_types: &policy.section(endpoint).custom_types,
            order: (!order.is_empty()).then(|| &*arena.alloc(order)),
            username: echoes.username.as_ref(),
            on_username: policy.on_username(),
            echo_text: false,
            echo: (endpoint == Endpoint::Transaction && !echoes.is_empty()).then(|| EchoSearch {
                arena,
                policy,
                echoes,
                found: Report::default(),
            }),
        }
    }

    /// The fields of a transaction's group at `place`, named `name`.
    fn group(&mut self, place: Place, name: &'static str, fields: &mut Obj<'t>) {
        let path = || FieldPath::root().known(name);
        let level = Level::new(&path, Some(&path), 1, Some(name), Some(place));
        self.fields(fields, &level);
    }

    /// The fields of the cart item sent at `index`; `sent` counts the items
    /// before it that the detectors left non-empty (validation's index).
    fn item(&mut self, cart: Place, index: usize, sent: &mut usize, fields: &mut Obj<'t>) {
        let cart_path = || FieldPath::root().known("shopping_cart");
        let path = || cart_path().index(index);
        let at = *sent;
        let sent_path = || cart_path().index(at);
        let level = Level::new(
            &path,
            Some(&sent_path),
            2,
            Some("shopping_cart"),
            Some(cart.item(index)),
        );
        self.fields(fields, &level);
        if !fields.is_empty() {
            *sent += 1;
        }
    }

    /// The fields of a report.
    fn report_fields(&mut self, fields: &mut Obj<'t>) {
        let root = FieldPath::root;
        let level = Level::new(&root, Some(&root), 0, None, None);
        self.fields(fields, &level);
    }

    /// The fields of an object at `level`, unless an echo has refused the
    /// request already; an echo found here refuses it.
    fn fields(&mut self, fields: &mut Obj<'t>, level: &Level<'_>) {
        if self.echoed.is_some() {
            return;
        }
        if let Err(r) = self.map(fields, level) {
            self.echoed = Some(r);
        }
    }

    /// What refuses the request, once every group met the policy: an
    /// echo, else a card or address the detectors found, else the first
    /// invalid field.
    fn refusal(&mut self) -> Option<Rejection> {
        self.echoed
            .take()
            .or_else(|| self.refused.take())
            .or_else(|| self.invalid.take())
    }

    /// The schema field `key` names in an object of `group` at `depth`.
    fn field(
        &self,
        depth: usize,
        group: Option<&'static str>,
        key: &str,
    ) -> Option<&'static schema::Field> {
        match (self.endpoint, depth, group) {
            (Endpoint::Report, 0, _) => schema::field(Endpoint::Report, None, key),
            (Endpoint::Transaction, _, Some(g)) if depth > 0 => {
                schema::field(Endpoint::Transaction, Some(g), key)
            }
            _ => None,
        }
    }

    /// Reads the entries of `body`, an object at `level`: with a place (a
    /// transaction's group or cart item), each field is first searched for
    /// the request's own secrets ([`EchoSearch`]); then it meets the
    /// detectors and, with the level's `fields`, validation. An echo
    /// refuses the request at once; a card or address the detectors refuse
    /// in a field waits in `refused` while the echo search goes on through
    /// the request's other fields, since an echo outranks it.
    fn map(&mut self, body: &mut Obj<'t>, level: &Level<'_>) -> Result<(), Rejection> {
        let mut remove = Vec::new();
        let mut echoed = Vec::new();
        for (at, entry) in body.entries_mut().iter_mut().enumerate() {
            // What a pass over a string tells, for the echo search and the
            // detectors alike.
            let mut facts = None;
            if let (Some(place), Some(echo)) = (level.place, self.echo.as_mut()) {
                let found = echo.entry(
                    place,
                    entry,
                    level.in_custom,
                    at,
                    &self.computed,
                    &mut facts,
                )?;
                if let Some((spot, applied)) = found {
                    echoed.push((entry.key.as_str().to_owned(), spot, applied));
                    continue;
                }
            }
            if self.refused.is_some() {
                continue;
            }
            // Positions count the entries the echo search left.
            let position = at - echoed.len();
            match self.entry(level, entry, position, remove.len(), facts) {
                Ok(false) => {}
                Ok(true) => remove.push((entry.key.as_str().to_owned(), position + 1)),
                Err(r) if level.fields.is_some() => self.refused = Some(r),
                Err(r) => return Err(r),
            }
        }
        if let Some(echo) = self.echo.as_mut() {
            for (key, spot, applied) in echoed {
                body.remove(&key);
                echo.found.push_spot(spot, applied);
            }
        }
        for (key, position) in remove {
            body.remove(&key);
            self.report.push(
                segment(
                    &(level.path)(),
                    level.depth,
                    level.in_custom,
                    &key,
                    position,
                ),
                Applied::RedactedPan,
            );
        }
        Ok(())
    }

    /// Scans one entry at `position` of an object at `level`, `removed`
    /// entries before it having been taken out; true when the entry is to
    /// be taken out (a card number in its key or value, redacted).
    fn entry(
        &mut self,
        level: &Level<'_>,
        entry: &mut crate::json::Entry<'t, doc::Mark>,
        position: usize,
        removed: usize,
        facts: Option<Facts>,
    ) -> Result<bool, Rejection> {
        let (depth, custom, in_custom) = (level.depth, level.custom, level.in_custom);
        let key = entry.key.as_str();
        let value = &mut entry.val;
        let p = || segment(&(level.path)(), depth, in_custom, key, position + 1);
        let field = entry
            .mark
            .field
            .or_else(|| self.field(depth, level.group, key));
        // Validation names the field by its position among the entries
        // that stay.
        let check = level
            .fields
            .filter(|_| self.invalid.is_none())
            .map(|fields| (fields, position - removed));
        // A key that is a group's or a schema field's name holds no PAN
        // (`tests::schema_names_hold_no_pan`); caller-chosen keys are
        // searched.
        let named = field.is_some() && !custom;
        if !named && pan::contains_pan(key) {
            return match self.on_pan {
                OnPan::Reject => Err(Rejection::pan(p(), pan::rule_of(key))),
                OnPan::Redact => Ok(true),
            };
        }
        if level.md5_key.is_some_and(|k| key::same_key(k, key))
            && value.as_str().is_some_and(email::is_md5_hex)
        {
            if let Some(at) = check {
                self.check(at, field, custom, key, value);
            }
            return Ok(false);
        }
        if let Some(f) = field {
            if format_guards(f.ty) && validate::valid(f.ty, value) {
                // Valid for its type; custom inputs also check their key.
                if let Some(at) = check.filter(|_| custom) {
                    self.check(at, field, custom, key, value);
                }
                return Ok(false);
            }
        }
        let entries = self.report.entries.len();
        let removed = self.detect(level, field, key, value, &p, facts)?;
        if !removed {
            if let Some(at) = check {
                self.rewritten = self.report.entries.len() != entries;
                self.check(at, field, custom, key, value);
                self.rewritten = false;
            }
        }
        Ok(removed)
    }

    /// The detectors on `value`, of `field` by `key` at `level` (`facts`:
    /// of a string, when known); true when it is to be taken out.
    fn detect(
        &mut self,
        level: &Level<'_>,
        field: Option<&'static schema::Field>,
        key: &'t str,
        value: &mut Val<'t>,
        p: &dyn Fn() -> FieldPath,
        facts: Option<Facts>,
    ) -> Result<bool, Rejection> {
        self.echo_text = echo_text_in(self.endpoint, field);
        // `email.address` has its own action; every other string is searched.
        let emails = field.is_none_or(|f| f.ty != Ty::Email);
        match value {
            Val::Str(s) => {
                let facts = facts.unwrap_or_else(|| Facts::of(s.as_str().as_bytes()));
                if !self.nothing_to_read(s.as_str(), &facts, emails) {
                    self.read_as(field, level, key);
                    self.text(s, p, emails, facts)?;
                }
                Ok(false)
            }
            _ => {
                self.read_as(field, level, key);
                let inner = Inner {
                    depth: level.depth,
                    group: level.group,
                    emails,
                };
                self.value(value, p, &inner)
            }
        }
    }

    /// Sets what the card detector knows of the field being read, by its
    /// `key` at `level`.
    fn read_as(&mut self, field: Option<&'static schema::Field>, level: &Level<'_>, key: &'t str) {
        let in_custom = level.in_custom;
        self.cx = context::Field::of(field.map(|f| f.path), level.custom, key);
        self.cx.order = self.order;
        // A custom input the policy types is read as that type: a
        // telephone number as minFraud's telephone fields are.
        if in_custom && !self.custom_types.is_empty() {
            match self.custom_types.get(key) {
                Some(InputType::Phone) => self.cx.kind = context::Kind::Phone,
                Some(InputType::Number) => self.cx.kind = context::Kind::Number,
                _ => {}
            }
        }
    }

    /// Validates a field the scan leaves in place, `at` (the object's path
    /// as validation names it, and the field's position there); the first
    /// invalid field is kept in `invalid`.
    #[inline(always)]
    fn check(
        &mut self,
        at: (&dyn Fn() -> FieldPath, usize),
        field: Option<&'static schema::Field>,
        custom: bool,
        key: &str,
        value: &Val<'_>,
    ) {
        let ok = match field {
            Some(f) if custom => {
                schema::custom_input_key(key)
                    && validate::valid(f.ty, value)
                    && typed(self.custom_types.get(key), value)
            }
            Some(f) => validate::valid(f.ty, value),
            None => false,
        };
        if !ok {
            let (fields, position) = at;
            let p = segment(&fields(), 1, custom, key, position + 1);
            if self.forwards_unknown(field, value) {
                self.report.push(p, Applied::ForwardedUnknownEnum);
            } else {
                self.invalid = Some(Rejection::new(p, RejectionKind::FieldInvalid));
            }
        }
    }

    /// Whether `value`, invalid for `field`, is a listed-values field's value
    /// that txveil does not know and the policy forwards: it has the shape
    /// of the field's values and the scan (cards, addresses, the request's
    /// own username) left it as the app sent it.
    fn forwards_unknown(&self, field: Option<&'static schema::Field>, value: &Val<'_>) -> bool {
        self.unknown_enum == UnknownEnum::Forward
            && !self.rewritten
            && field.is_some_and(|f| matches!(f.ty, Ty::OneOf(_)))
            && value.as_str().is_some_and(validate::enum_shaped)
    }

    /// Scans one value inside a field, in an object at `inner`; returns true when it
    /// must be removed (a redacted number). `leaf` makes its path, only
    /// when something is found.
    fn value(
        &mut self,
        value: &mut Val<'t>,
        leaf: &dyn Fn() -> FieldPath,
        inner: &Inner,
    ) -> Result<bool, Rejection> {
        match value {
            Val::Str(s) => {
                let facts = Facts::of(s.as_str().as_bytes());
                if !self.nothing_to_read(s.as_str(), &facts, inner.emails) {
                    self.text(s, leaf, inner.emails, facts)?;
                }
                Ok(false)
            }
            Val::Num(n) => {
                if pan::number_holds_pan_in(n, self.cx.key) {
                    match self.on_pan {
                        OnPan::Reject => {
                            Err(Rejection::pan(leaf(), pan::number_rule(n, self.cx.key)))
                        }
                        OnPan::Redact => Ok(true),
                    }
                } else {
                    Ok(false)
                }
            }
            Val::Arr(items) => {
                self.items(items, leaf, inner)?;
                Ok(false)
            }
            Val::Obj(map) => {
                let level = Level::new(leaf, None, inner.depth + 1, inner.group, None);
                self.map(map, &level)?;
                Ok(false)
            }
            Val::Bool(_) | Val::Null => Ok(false),
        }
    }

    /// Scans the items of an array.
    fn items(
        &mut self,
        items: &mut ArenaVec<'t, Val<'t>>,
        leaf: &dyn Fn() -> FieldPath,
        inner: &Inner,
    ) -> Result<(), Rejection> {
        let nested = Inner {
            depth: inner.depth + 1,
            ..*inner
        };
        let mut i = 0;
        let mut index = 0;
        while i < items.len() {
            let item_path = || leaf().index(index);
            if self.value(&mut items[i], &item_path, &nested)? {
                items.remove(i);
                self.report.push(item_path(), Applied::RedactedPan);
            } else {
                i += 1;
            }
            index += 1;
        }
        Ok(())
    }

    /// Scans one string (hashes txveil computed are exempt).
    fn text(
        &mut self,
        s: &mut Text<'t>,
        leaf: &dyn Fn() -> FieldPath,
        emails: bool,
        facts: Facts,
    ) -> Result<(), Rejection> {
        if self.computed.iter().any(|&c| c == s.as_str()) {
            return Ok(());
        }
        // Both detectors read the same readings, each made once.
        let text = s.as_str();
        let readings = decode::Readings::new(text);
        self.pans(s, &readings, facts, leaf)?;
        let redacted;
        let readings = if std::ptr::eq(s.as_str(), text) {
            &readings
        } else {
            redacted = decode::Readings::new(s.as_str());
            &redacted
        };
        let facts = if std::ptr::eq(readings.text(), text) {
            facts
        } else {
            Facts::of(readings.text().as_bytes())
        };
        let before = readings.text();
        if emails && self.emails(s, readings, facts, leaf)? {
            // An address replaced by its MD5 may have joined digits
            // around it into a card-shaped run: judge the new text where
            // it changed.
            let hashed = s.as_str();
            let facts = Facts::of(hashed.as_bytes());
            let readings = decode::Readings::new(hashed);
            let changed = changed_stretch(before, hashed);
            self.pans_where_changed(s, &readings, facts, leaf, changed)?;
            if std::ptr::eq(s.as_str(), hashed) {
                return self.username_read(s, &readings, facts, leaf);
            }
            let facts = Facts::of(s.as_str().as_bytes());
            return self.username_read(s, &decode::Readings::new(s.as_str()), facts, leaf);
        }
        self.username_read(s, readings, facts, leaf)
    }

    /// Whether the facts of `text` alone rule out all that [`Scan::text`]
    /// looks for: a card number, an address (when `emails`, and
    /// `on_email` acts on one), and the username in another reading (for
    /// free text, when the request has one). Most strings end here.
    fn nothing_to_read(&self, text: &str, facts: &Facts, emails: bool) -> bool {
        if !pan::ruled_out(facts) {
            return false;
        }
        // No `@`, escape, encoding or base64 run: no address, and no other
        // reading for the username either.
        if email::find::ruled_out(facts) {
            return true;
        }
        let addresses_left = !emails || self.on_email == OnEmail::Keep;
        let username_read = match self.username.filter(|_| self.echo_text) {
            Some((token, _)) => {
                (facts.encoded || facts.escape || facts.token)
                    && text.len() >= token.min_ascii_len()
            }
            None => false,
        };
        addresses_left && !username_read
    }

    /// Applies `on_username` to the request's username found in another
    /// reading of `s` (percent, entity or escape decoded, markup removed,
    /// base64 or hex decoded): the echo pass found it as written.
    fn username_read(
        &mut self,
        s: &mut Text<'t>,
        readings: &decode::Readings<'_>,
        facts: Facts,
        leaf: &dyn Fn() -> FieldPath,
    ) -> Result<(), Rejection> {
        let Some((token, md5)) = self.username.filter(|_| self.echo_text) else {
            return Ok(());
        };
        // Only a text with an escape, an entity, a character outside ASCII
        // or a base64 run reads otherwise, and no reading is longer than
        // the text.
        if !(facts.encoded || facts.escape || facts.token)
            || s.as_str().len() < token.min_ascii_len()
        {
            return Ok(());
        }
        let spans = echo::find_in_views(token, readings.views(), false);
        if spans.is_empty() {
            return Ok(());
        }
        let Some((with, applied)) = username_echo_replacement(self.on_username, md5)
            .map_err(|kind| Rejection::new(leaf(), kind))?
        else {
            return Ok(());
        };
        let out = replace_spans(s.as_str(), &spans, with);
        *s = Text::new_in(self.arena, &out);
        self.report.push(leaf(), applied);
        // What is left is judged again, as after an address was hashed.
        let facts = Facts::of(s.as_str().as_bytes());
        self.pans(s, &decode::Readings::new(s.as_str()), facts, leaf)
    }

    /// Applies `on_pan` to the card numbers found in `s`, whose facts are
    /// `facts`.
    fn pans(
        &mut self,
        s: &mut Text<'t>,
        readings: &decode::Readings<'_>,
        facts: Facts,
        leaf: &dyn Fn() -> FieldPath,
    ) -> Result<(), Rejection> {
        if pan::ruled_out(&facts) {
            return Ok(());
        }
        let (spans, rule) = pan::find_pans_read(readings, &facts, &self.cx);
        if spans.is_empty() {
            return Ok(());
        }
        match self.on_pan {
            OnPan::Reject => Err(Rejection::pan(leaf(), rule.unwrap_or("card_shape"))),
            OnPan::Redact => {
                if let Some(redacted) = pan::redact_spans(s.as_str(), spans) {
                    *s = Text::new_in(self.arena, &redacted);
                    self.report.push(leaf(), Applied::RedactedPan);
                }
                Ok(())
            }
        }
    }

    /// As [`Scan::pans`], for a value the scan itself changed (addresses
    /// replaced by their MD5) after the value as sent was judged: only the
    /// cards whose digits touch `changed` (digits joined around a hash)
    /// count. Digits wholly before or after it were judged in the value as
    /// sent, in their own context (an EMV QR payload whose CRC held before
    /// an address inside it was hashed; the hash breaks the CRC).
    fn pans_where_changed(
        &mut self,
        s: &mut Text<'t>,
        readings: &decode::Readings<'_>,
        facts: Facts,
        leaf: &dyn Fn() -> FieldPath,
        changed: std::ops::Range<usize>,
    ) -> Result<(), Rejection> {
        if pan::ruled_out(&facts) {
            return Ok(());
        }
        let (spans, rule) = pan::find_pans_read(readings, &facts, &self.cx);
        let spans: Vec<_> = spans
            .into_iter()
            .filter(|r| r.start <= changed.end && changed.start <= r.end)
            .collect();
        if spans.is_empty() {
            return Ok(());
        }
        match self.on_pan {
            OnPan::Reject => Err(Rejection::pan(leaf(), rule.unwrap_or("card_shape"))),
            OnPan::Redact => {
                if let Some(redacted) = pan::redact_spans(s.as_str(), spans) {
                    *s = Text::new_in(self.arena, &redacted);
                    self.report.push(leaf(), Applied::RedactedPan);
                }
                Ok(())
            }
        }
    }

    /// Applies `on_email` to the addresses found in `s`; true when it changed.
    fn emails(
        &mut self,
        s: &mut Text<'t>,
        readings: &decode::Readings<'_>,
        facts: Facts,
        leaf: &dyn Fn() -> FieldPath,
    ) -> Result<bool, Rejection> {
        // `readings` are of `s` as it stands: their base64 answer is its.
        let own;
        let binary = if std::ptr::eq(readings.text(), s.as_str()) {
            readings.binary()
        } else {
            own = decode::BinaryReading::new(s.as_str());
            &own
        };
        if emails_left_alone(self.on_email, s.as_str(), &facts, binary) {
            return Ok(false);
        }
        let text = s.as_str();
        let found = email::find::find_emails_read(readings, &facts);
        if found.is_empty() {
            return Ok(false);
        }
        let applied = match self.on_email {
            OnEmail::Reject => return Err(Rejection::new(leaf(), RejectionKind::EmailDetected)),
            OnEmail::Hash => Applied::HashedFoundEmail,
            OnEmail::Keep | OnEmail::Redact => Applied::RedactedEmail,
        };
        let card = self.echo.as_ref().and_then(|e| e.echoes.card.as_ref());
        let mut out = String::with_capacity(text.len() + 16 * found.len());
        let mut at = 0;
        for f in found {
            out.push_str(&text[at..f.bytes.start]);
            // An address holding a copy of the request's card (`<middle
            // digits>@example.com`) is a card found before it is hashed:
            // its unkeyed MD5 beside the card's IIN and last digits would
            // give the hidden digits back.
            let holds_card = card.is_some_and(|card| {
                card.find_any(&f.text, &echo::Seen::of(f.text.as_bytes()))
                    .or_else(|| card.find_hidden(&f.text))
                    .is_some()
            });
            if holds_card {
                if self.on_pan == OnPan::Reject {
                    return Err(Rejection::pan(leaf(), "echo"));
                }
                out.push_str(pan::REDACTION);
                at = f.bytes.end;
                self.report.push(leaf(), Applied::RedactedPan);
                continue;
            }
            // Fullwidth and other compatibility forms (`＠`, `．`) folded first,
            // so that an address hashes the same however it was typed.
            let hashed = match applied {
                Applied::HashedFoundEmail => {
                    let folded = unicode::nfkc(&f.text);
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
        out.push_str(&text[at..]);
        *s = Text::new_in(self.arena, &out);
        self.report.push(leaf(), applied);
        Ok(true)
    }
}

// === Echoes: the request's own secrets in its other fields ===

/// The text written in place of a username echo under `on_username = "redact"`.
pub const USERNAME_REDACTION: &str = "[USERNAME REDACTED]";

/// What `on_username` writes in place of a username echo (`md5`: the
/// username's MD5, as `account.username_md5` has it) and how the report
/// records it: `Ok(None)` leaves the echo, `Err` refuses the request.
fn username_echo_replacement(
    on: OnUsername,
    md5: &str,
) -> Result<Option<(&str, Applied)>, RejectionKind> {
    match on {
        OnUsername::Keep => Ok(None),
        OnUsername::Reject => Err(RejectionKind::UsernameDetected),
        OnUsername::Hash => Ok(Some((md5, Applied::HashedUsernameEcho))),
        OnUsername::Redact => Ok(Some((USERNAME_REDACTION, Applied::RedactedUsername))),
    }
}

/// What `on_email` writes in place of an echo of the request's address
/// (`md5`: its MD5, as `email.address` has it) and how the report records
/// it: `Ok(None)` leaves the echo, `Err` refuses the request.
fn address_echo_replacement(
    on: OnEmail,
    md5: &str,
) -> Result<Option<(&str, Applied)>, RejectionKind> {
    match on {
        OnEmail::Keep => Ok(None),
        OnEmail::Reject => Err(RejectionKind::EmailDetected),
        OnEmail::Hash => Ok(Some((md5, Applied::HashedFoundEmail))),
        OnEmail::Redact => Ok(Some((EMAIL_REDACTION, Applied::RedactedEmail))),
    }
}

/// Field types of free text, where an app may copy a username or an address
/// (`user_id`, a session id, a custom input, a URL). The card number is
/// looked for in every kept value but the hashes and truncated card data
/// txveil wrote.
fn echo_text_field(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::Str
            | Ty::NonEmptyStr
            | Ty::Token
            | Ty::Uri
            | Ty::CustomValue
            | Ty::MaxmindId
            | Ty::MinfraudId
    )
}

/// Whether a value of `field` on `endpoint` is free text the scan reads for
/// the username's echoes in its other readings: a Transaction's text
/// fields ([`echo_text_field`]) and listed-values fields (which hold text
/// of the app's choosing when the value is not one txveil knows).
fn echo_text_in(endpoint: Endpoint, field: Option<&schema::Field>) -> bool {
    endpoint == Endpoint::Transaction
        && field.is_some_and(|f| echo_text_field(f.ty) || matches!(f.ty, Ty::OneOf(_)))
}

/// Fields whose values txveil derived from the secrets themselves.
fn echo_exempt_field(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::Md5 | Ty::Email | Ty::Hostname | Ty::Iin | Ty::LastDigits
    )
}

/// Looks for the request's raw username, email address and card number in
/// every other kept value and caller-chosen key ([`echo`]), as the scan
/// meets each field and before the detectors read it: what it changes is
/// marked for the detectors, which then read and validate it as any other
/// value.
struct EchoSearch<'p, 'a> {
    arena: &'a Arena,
    policy: &'p Policy,
    echoes: &'p echo::Echoes<'a>,
    /// What the echoes found did, recorded after the policy's actions.
    found: Report,
}

/// A text being searched for echoes, as the replacements so far left it.
struct Rewrite<'a> {
    text: std::borrow::Cow<'a, str>,
    /// What a pass over `text` tells.
    seen: echo::Seen,
    changed: bool,
}

/// What an echo found in a value or key comes to.
enum EchoHit<'a> {
    /// Nothing (or kept under the policy).
    None,
    /// The value rewritten.
    Changed(Val<'a>),
    /// A key or number to be left out.
    Drop(Applied),
}

impl<'a> EchoSearch<'_, 'a> {
    /// One field at `position` of the group or cart item at `place`
    /// (`custom`: of `custom_inputs`): an echo in its value is replaced,
    /// or the entry is to be left out (its spot and what is recorded for
    /// it returned), or the request is refused. `computed` are txveil's own
    /// hashes; `facts`, what a pass over a string value tells, is filled
    /// when the search needs it and left for the detectors while the value
    /// stands.
    fn entry(
        &mut self,
        place: Place,
        entry: &mut crate::json::Entry<'a, doc::Mark>,
        custom: bool,
        position: usize,
        computed: &[&'a str],
        facts: &mut Option<Facts>,
    ) -> Result<Option<(Spot, Applied)>, Rejection> {
        let Some(field) = entry.mark.field else {
            return Ok(None);
        };
        if echo_exempt_field(field.ty) {
            return self.digest(place, field, &entry.val, computed);
        }
        let mut seen = None;
        if let Val::Str(s) = &entry.val {
            let s = s.as_str();
            // An ASCII text shorter than any of the three holds none; most
            // others hold too few digits (or no `@`) for any of them.
            if s.len() >= self.echoes.min_ascii_len() || !s.is_ascii() {
                let f = *facts.get_or_insert_with(|| Facts::of(s.as_bytes()));
                seen = echo::Seen::from_facts(&f);
                if let (Some(seen), false) = (seen, custom) {
                    if !self.echoes.may_hold(s, &seen) {
                        return Ok(None);
                    }
                }
            } else if !custom {
                return Ok(None);
            }
        }
        let key = entry.key.as_str();
        let spot = || {
            if custom {
                Spot::Custom(ShownKey::new(key, position + 1))
            } else {
                Spot::Field(place, field.name)
            }
        };
        if custom {
            if let EchoHit::Drop(applied) = self.key(key, &spot)? {
                return Ok(Some((spot(), applied)));
            }
        }
        // A listed-values field holds text of the app's choosing when
        // its value is not one txveil knows (`unknown_enum`).
        let val = &entry.val;
        let text_field = || {
            echo_text_field(field.ty)
                || (matches!(field.ty, Ty::OneOf(_)) && !validate::valid(field.ty, val))
        };
        match self.value(&entry.val, seen, text_field, &spot, computed)? {
            EchoHit::None => Ok(None),
            EchoHit::Changed(out) => {
                entry.val = out;
                *facts = None;
                Ok(None)
            }
            EchoHit::Drop(applied) => Ok(Some((spot(), applied))),
        }
    }

    /// A field derived from the secrets themselves: only an MD5 the app
    /// sent (`account.username_md5`, a pre-hashed `email.address`) is read,
    /// for the card's own digest, and `email.domain` (filled from the
    /// address, or sent) for a copy of the card: a stretch of its middle in
    /// an address's domain would otherwise be forwarded there as written.
    fn digest(
        &self,
        place: Place,
        field: &'static schema::Field,
        value: &Val<'_>,
        computed: &[&str],
    ) -> Result<Option<(Spot, Applied)>, Rejection> {
        let (Some(card), Val::Str(s)) = (&self.echoes.card, value) else {
            return Ok(None);
        };
        let s = s.as_str();
        let found = match field.ty {
            // txveil's own hashes of the address and username are not the
            // app's.
            Ty::Md5 | Ty::Email => !computed.contains(&s) && card.find_digest(s).is_some(),
            Ty::Hostname => card.find_any(s, &echo::Seen::of(s.as_bytes())).is_some(),
            _ => false,
        };
        if !found {
            return Ok(None);
        }
        let spot = Spot::Field(place, field.name);
        match self.policy.on_pan() {
            OnPan::Reject => Err(Rejection::pan(spot.path(), "echo")),
            OnPan::Redact => Ok(Some((spot, Applied::RedactedPan))),
        }
    }

    /// A caller-chosen key: any echo in it leaves the entry out (a key
    /// cannot be rewritten), or rejects the request.
    fn key(&mut self, key: &str, spot: &dyn Fn() -> Spot) -> Result<EchoHit<'a>, Rejection> {
        let seen = echo::Seen::of(key.as_bytes());
        if let Some(card) = &self.echoes.card {
            if card.find_any(key, &seen).is_some() {
                return self.card_found(spot, "echo");
            }
        }
        if let Some((token, _)) = &self.echoes.email {
            if token.may_occur(key, &seen) && !echo::find(token, key, true).is_empty() {
                return match self.policy.on_email() {
                    OnEmail::Keep => Ok(EchoHit::None),
                    OnEmail::Reject => {
                        Err(Rejection::new(spot().path(), RejectionKind::EmailDetected))
                    }
                    OnEmail::Hash | OnEmail::Redact => Ok(EchoHit::Drop(Applied::RedactedEmail)),
                };
            }
        }
        if let Some((token, _)) = &self.echoes.username {
            let views = || {
                // Keys are read decoded as text (percent, entities,
                // escapes), not as base64: a key such as `items_in_session`
                // is one long base64 run.
                decode::may_have_views(key).then(|| decode::views_of(key, &decode::items(key)))
            };
            let in_views =
                || views().is_some_and(|v| !echo::find_in_views(token, &v, false).is_empty());
            if token.may_occur(key, &seen) && !echo::find(token, key, false).is_empty()
                || in_views()
            {
                return match self.policy.on_username() {
                    OnUsername::Keep => Ok(EchoHit::None),
                    OnUsername::Reject => Err(Rejection::new(
                        spot().path(),
                        RejectionKind::UsernameDetected,
                    )),
                    OnUsername::Hash | OnUsername::Redact => {
                        Ok(EchoHit::Drop(Applied::RedactedUsername))
                    }
                };
            }
        }
        Ok(EchoHit::None)
    }

    /// One value: the card number in any string or number, the address and
    /// the username in free-text fields (`text_field`). `seen`, when the
    /// caller knows it, tells what a pass over the value would; hashes in
    /// `computed` are txveil's own.
    fn value(
        &mut self,
        value: &Val<'a>,
        seen: Option<echo::Seen>,
        text_field: impl Fn() -> bool,
        spot: &dyn Fn() -> Spot,
        computed: &[&str],
    ) -> Result<EchoHit<'a>, Rejection> {
        let (text, seen): (std::borrow::Cow<'a, str>, echo::Seen) = match value {
            Val::Str(s) => match self.may_hold(s.as_str(), seen, computed) {
                Some(seen) => (s.as_str().into(), seen),
                None => return Ok(EchoHit::None),
            },
            Val::Num(n) => {
                let text = n.text();
                if text.len() < self.echoes.min_ascii_len() {
                    return Ok(EchoHit::None);
                }
                // A number is left whole or not at all.
                if let Some(card) = &self.echoes.card {
                    if card
                        .find_any(&text, &echo::Seen::of(text.as_bytes()))
                        .is_some()
                    {
                        return self.card_found(spot, "echo");
                    }
                }
                if !text_field() {
                    return Ok(EchoHit::None);
                }
                let seen = echo::Seen::of(text.as_bytes());
                (text, seen)
            }
            _ => return Ok(EchoHit::None),
        };
        let mut out = Rewrite {
            text,
            seen,
            changed: false,
        };
        self.card_echo(&mut out, spot)?;
        let echoes = self.echoes;
        if text_field() {
            if let Some((token, md5)) = &echoes.email {
                let with = address_echo_replacement(self.policy.on_email(), md5);
                if let Some(hit) = self.replace_echo(&mut out, token, true, with, spot)? {
                    return Ok(hit);
                }
            }
            if let Some((token, md5)) = &echoes.username {
                let with = username_echo_replacement(self.policy.on_username(), md5);
                if let Some(hit) = self.replace_echo(&mut out, token, false, with, spot)? {
                    return Ok(hit);
                }
            }
        }
        if !out.changed {
            return Ok(EchoHit::None);
        }
        Ok(EchoHit::Changed(Val::str_in(self.arena, &out.text)))
    }

    /// What a pass over the string `s` tells the search (`seen`, when the
    /// caller knows it), or `None` when it cannot hold any of the three:
    /// too short, too few digits, no `@`, or one of txveil's own hashes
    /// (`computed`).
    fn may_hold(&self, s: &str, seen: Option<echo::Seen>, computed: &[&str]) -> Option<echo::Seen> {
        let seen = match seen {
            Some(seen) => seen,
            None if s.len() < self.echoes.min_ascii_len() && s.is_ascii() => return None,
            None => echo::Seen::of(s.as_bytes()),
        };
        (self.echoes.may_hold(s, &seen) && !computed.contains(&s)).then_some(seen)
    }

    /// The card number in `out`, replaced by the redaction mark, or the
    /// request refused (`on_pan`).
    fn card_echo(
        &mut self,
        out: &mut Rewrite<'a>,
        spot: &dyn Fn() -> Spot,
    ) -> Result<(), Rejection> {
        let Some(card) = &self.echoes.card else {
            return Ok(());
        };
        let Some(r) = card.find_any(&out.text, &out.seen) else {
            return Ok(());
        };
        if self.policy.on_pan() == OnPan::Reject {
            return Err(Rejection::pan(spot().path(), "echo"));
        }
        out.text.to_mut().replace_range(r, pan::REDACTION);
        out.seen = echo::Seen::of(out.text.as_bytes());
        out.changed = true;
        self.found.push_spot(spot(), Applied::RedactedPan);
        Ok(())
    }

    /// The echoes of `token` (`before_at`: as the local part of an
    /// address) in `out`, replaced as `with` says: by a text, recorded as
    /// its [`Applied`]; left (`Ok(None)`); or the request refused. A card
    /// in the text is looked for first ([`EchoSearch::card_before_echo`]),
    /// and what it comes to is returned.
    fn replace_echo(
        &mut self,
        out: &mut Rewrite<'a>,
        token: &echo::Token,
        before_at: bool,
        with: Result<Option<(&str, Applied)>, RejectionKind>,
        spot: &dyn Fn() -> Spot,
    ) -> Result<Option<EchoHit<'a>>, Rejection> {
        if !token.may_occur(&out.text, &out.seen) {
            return Ok(None);
        }
        let spans = echo::find(token, &out.text, before_at);
        if spans.is_empty() {
            return Ok(None);
        }
        let Some((with, applied)) = with.map_err(|kind| Rejection::new(spot().path(), kind))?
        else {
            return Ok(None);
        };
        if let Some(hit) = self.card_before_echo(&out.text, spot)? {
            return Ok(Some(hit));
        }
        out.text = replace_spans(&out.text, &spans, with).into();
        out.seen = echo::Seen::of(out.text.as_bytes());
        out.changed = true;
        self.found.push_spot(spot(), applied);
        Ok(None)
    }

    /// A value about to have an echo of the username or the address
    /// replaced is read for card numbers first, as it is: the replacement
    /// (an MD5, a mark) could part a card's digits so that the scan after
    /// this pass would not see them (`4945 <username> 7365`, a card glued
    /// to the address `...0528@example.com`). A card found is a card found
    /// (`on_pan`): the value is refused, or left out.
    fn card_before_echo(
        &self,
        text: &str,
        spot: &dyn Fn() -> Spot,
    ) -> Result<Option<EchoHit<'a>>, Rejection> {
        if !pan::contains_pan(text) {
            return Ok(None);
        }
        self.card_found(spot, pan::rule_of(text)).map(Some)
    }

    /// A card found in a value that is left whole or not at all (a key, a
    /// number, a text an echo was about to be replaced in): `on_pan` refuses
    /// the request naming `rule`, or leaves the value out.
    fn card_found(
        &self,
        spot: &dyn Fn() -> Spot,
        rule: &'static str,
    ) -> Result<EchoHit<'a>, Rejection> {
        match self.policy.on_pan() {
            OnPan::Reject => Err(Rejection::pan(spot().path(), rule)),
            OnPan::Redact => Ok(EchoHit::Drop(Applied::RedactedPan)),
        }
    }
}

/// `text` with the byte ranges `spans` (sorted, disjoint) replaced by `with`.
fn replace_spans(text: &str, spans: &[std::ops::Range<usize>], with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len() * spans.len());
    let mut at = 0;
    for r in spans {
        out.push_str(&text[at..r.start]);
        out.push_str(with);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Leaves out groups, cart items and the cart itself when sanitizing left
/// them empty (`{"order":{}}` after a redaction).
fn drop_empty_groups(body: &mut Obj<'_>, report: &mut Report) {
    let root = FieldPath::root();
    let mut empty = Vec::new();
    for (position, entry) in body.entries_mut().iter_mut().enumerate() {
        let key = &entry.key;
        let value = &mut entry.val;
        let path = || segment(&root, 0, false, key.as_str(), position + 1);
        match value {
            Val::Obj(m) if m.is_empty() => empty.push((key.as_str().to_owned(), path())),
            Val::Arr(items) => {
                let mut index = 0;
                let mut dropped = Vec::new();
                items.retain(|item| {
                    let keep = !matches!(item, Val::Obj(m) if m.is_empty());
                    if !keep {
                        dropped.push(index);
                    }
                    index += 1;
                    keep
                });
                if !dropped.is_empty() {
                    let p = path();
                    for i in dropped {
                        report.push(p.index(i), Applied::DroppedEmpty);
                    }
                }
                if items.is_empty() {
                    empty.push((key.as_str().to_owned(), path()));
                }
            }
            _ => {}
        }
    }
    for (key, path) in empty {
        body.remove(&key);
        report.push(path, Applied::DroppedEmpty);
    }
}

// === Validation ===

/// A report needs `tag` and at least one transaction identifier.
fn report_has_ids(body: &Obj<'_>) -> Result<(), Rejection> {
    let root = FieldPath::root();
    if !body.contains_key("tag") {
        return Err(Rejection::new(
            root.known("tag"),
            RejectionKind::RequestInvalid,
        ));
    }
    let ids = ["ip_address", "maxmind_id", "minfraud_id", "transaction_id"];
    if !ids.iter().any(|k| body.contains_key(k)) {
        return Err(Rejection::new(root, RejectionKind::RequestInvalid));
    }
    Ok(())
}

#[cfg(test)]
#[path = "sanitize/tests.rs"]
mod tests;
