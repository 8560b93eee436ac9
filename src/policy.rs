//! Policies: which fields leave, and in what form, decided by a TOML file.
//!
//! A policy is parsed in two steps, as ripgrep does with its arguments:
//! `raw` mirrors the file with serde (`deny_unknown_fields`), then
//! `compile` checks every key against the field table and every action
//! against the field's type, once. A [`Policy`] that exists is valid.
//!
//! ```toml
//! version = 1
//! description = "what this policy is for"
//! unlisted = "drop"      # fields the policy does not name: "drop" or "reject"
//! on_pan = "reject"      # a PAN found after the field actions: "reject" or "redact"
//! on_email = "hash"      # an email address in a kept string: "hash", "redact", "reject", "keep"
//! on_username = "hash"   # the request's own username echoed elsewhere: "hash", "redact", "reject", "keep"
//! unknown_enum = "forward" # a listed-values field's value txveil does not know yet: "forward" or "reject"
//! card_digest_search = "other_fields" # digests of the card beside the app's IIN and last digits: "other_fields", "all_fields" or "off"
//!
//! [transaction]          # Score, Insights, Factors
//! "email.address"      = "hash_email"
//! "credit_card.number" = { action = "truncate_pan", iin = 6 }
//! "billing.*"          = "keep"
//!
//! [report]               # Report Transaction
//! "ip_address" = "keep"
//! ```
//!
//! See `docs/policies.md` for every action and option.

mod compile;
pub mod diff;
pub mod explain;
pub(crate) mod raw;

use crate::schema::{Endpoint, Field};
use crate::secret::HashKey;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

pub use compile::suggest;

/// The policy shipped with txveil and used when none is given.
pub const DEFAULT_POLICY_SOURCE: &str = include_str!("../policies/default.toml");

/// The name the embedded default policy reports as its origin.
pub const DEFAULT_POLICY_ORIGIN: &str = "policies/default.toml (embedded)";

/// What happens to fields a policy does not name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unlisted {
    /// They are left out of the forwarded request (the default).
    Drop,
    /// The request is rejected.
    Reject,
}

/// What happens when a PAN is found after the field actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnPan {
    /// The request is rejected, naming the path (the default).
    Reject,
    /// The PAN is replaced by `[PAN REDACTED]`; numbers and keys holding one are dropped.
    Redact,
}

/// What happens to an email address found in a kept string (any field but
/// `email.address`, which has its own action). What counts as an address is
/// documented in `docs/policies.md` ("What counts as an email address").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OnEmail {
    /// Forwarded as written.
    Keep,
    /// Replaced by the MD5 of its canonical form, as `email.address` is hashed,
    /// so ids stay linkable (the default).
    Hash,
    /// Replaced by `[EMAIL REDACTED]`.
    Redact,
    /// The request is rejected, naming the path.
    Reject,
}

impl OnEmail {
    /// The setting as written in a policy file.
    pub fn name(self) -> &'static str {
        match self {
            OnEmail::Keep => "keep",
            OnEmail::Hash => "hash",
            OnEmail::Redact => "redact",
            OnEmail::Reject => "reject",
        }
    }
}

/// What happens to the request's own raw `account.username` found in
/// another kept string or key (`user_id`, a session id, a custom input): an
/// echo of the username is treated as the username is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OnUsername {
    /// Forwarded as written.
    Keep,
    /// Replaced by `account.username_md5`'s value, the MD5 of the username
    /// in the policy's canonical form, so ids stay linkable (the default).
    Hash,
    /// Replaced by `[USERNAME REDACTED]`.
    Redact,
    /// The request is rejected, naming the path.
    Reject,
}

impl OnUsername {
    /// The setting as written in a policy file.
    pub fn name(self) -> &'static str {
        match self {
            OnUsername::Keep => "keep",
            OnUsername::Hash => "hash",
            OnUsername::Redact => "redact",
            OnUsername::Reject => "reject",
        }
    }
}

/// The type of a custom input, as minFraud's account settings type custom
/// inputs (`"custom_inputs.mobile" = { action = "keep", type = "phone" }`).
/// The type says what the value is, so the card detector decides shapes
/// that telephone numbers and cards share as it does in minFraud's own
/// telephone fields, and the value is validated as that type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum InputType {
    /// A telephone number: a string, read as `billing.phone_number` is.
    Phone,
    /// A JSON number (minFraud's range, strictly between -1e13 and 1e13).
    Number,
    /// `true` or `false`.
    Boolean,
    /// A string of 1 to 255 characters without a newline.
    String,
}

impl InputType {
    /// Every type, as written in a policy file.
    pub const NAMES: &'static [&'static str] = &["phone", "number", "boolean", "string"];

    /// The type as written in a policy file.
    pub fn name(self) -> &'static str {
        match self {
            InputType::Phone => "phone",
            InputType::Number => "number",
            InputType::Boolean => "boolean",
            InputType::String => "string",
        }
    }

    /// The type written `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "phone" => InputType::Phone,
            "number" => InputType::Number,
            "boolean" => InputType::Boolean,
            "string" => InputType::String,
            _ => return None,
        })
    }
}

/// What happens to a value of a field whose values minFraud lists
/// (`payment.processor`, `event.type`, `shipping.delivery_speed`, a
/// report's `tag`, ...) when txveil's tables do not hold it: MaxMind adds
/// values (payment processors above all) between txveil releases, and the
/// official clients accept them as soon as they are updated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum UnknownEnum {
    /// Forwarded when it has the shape of the field's values (a lowercase
    /// ASCII letter, then up to 31 lowercase letters, digits and `_`) and
    /// the scan left it as written (the default): minFraud decides, and
    /// ignores a value it does not know with an `INPUT_INVALID` warning.
    Forward,
    /// The request is refused with `FIELD_INVALID`, naming the path.
    Reject,
}

impl UnknownEnum {
    /// The setting as written in a policy file.
    pub fn name(self) -> &'static str {
        match self {
            UnknownEnum::Forward => "forward",
            UnknownEnum::Reject => "reject",
        }
    }
}

/// Which kept values are searched for an unkeyed digest (MD5, SHA-1,
/// SHA-256, SHA-512) of the card when the app sends the card as its own
/// truncation (`credit_card.issuer_id_number` and
/// `credit_card.last_digits`, without `credit_card.number`): each
/// digest-shaped value is compared with the digest of every Luhn-valid card
/// the truncation allows (up to 10^5 per length). A match is a card found
/// (`on_pan`, rule `digest`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CardDigestSearch {
    /// Not searched.
    Off,
    /// Every kept value and custom input key but `account.username_md5`
    /// and an `email.address` sent as an MD5 (the default): minFraud's
    /// official clients send those two MD5s beside the IIN and last digits
    /// with most cards, and searching them costs every such request the
    /// hashing of every candidate.
    OtherFields,
    /// Every kept value and custom input key, those two as well.
    AllFields,
}

impl CardDigestSearch {
    /// The setting as written in a policy file.
    pub fn name(self) -> &'static str {
        match self {
            CardDigestSearch::Off => "off",
            CardDigestSearch::OtherFields => "other_fields",
            CardDigestSearch::AllFields => "all_fields",
        }
    }
}

/// How many leading digits of a card number a truncation keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IinLength {
    /// The first six digits (the default).
    Six,
    /// The first eight digits, where minFraud and the brand allow it.
    Eight,
}

/// How a username is canonicalized before hashing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UsernameForm {
    /// Hash the value exactly as sent (the official clients' behaviour).
    Raw,
    /// Trim Unicode white space, then NFC.
    TrimNfc,
    /// Trim, NFC, then full Unicode lowercase.
    TrimNfcLowercase,
}

/// Card truncation options.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Truncation {
    /// How many leading digits become `issuer_id_number`.
    pub iin: IinLength,
    /// Whether four last digits may be kept (where the brand allows); two otherwise.
    pub last4: bool,
    /// A custom input key that receives an HMAC-SHA256 of the whole PAN.
    pub fingerprint: Option<String>,
}

/// What a policy does to one field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Forwarded unchanged (`last_4_digits` is forwarded as `last_digits`).
    Keep,
    /// Left out.
    Drop,
    /// Its presence rejects the request.
    Reject,
    /// Canonicalized and MD5-hashed as MaxMind's clients do.
    HashEmail,
    /// Canonicalized and MD5-hashed into `account.username_md5`.
    HashUsername(UsernameForm),
    /// Truncated to `issuer_id_number` and `last_digits`.
    TruncatePan(Truncation),
    /// Replaced by its HMAC-SHA256 under the configured hash key.
    KeyedHash,
}

impl Action {
    /// The action's name as written in policy files.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::Drop => "drop",
            Action::Reject => "reject",
            Action::HashEmail => "hash_email",
            Action::HashUsername(_) => "hash_username",
            Action::TruncatePan(_) => "truncate_pan",
            Action::KeyedHash => "keyed_hash",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::HashUsername(form) => {
                let form = match form {
                    UsernameForm::Raw => "raw",
                    UsernameForm::TrimNfc => "trim + NFC",
                    UsernameForm::TrimNfcLowercase => "trim + NFC + lowercase",
                };
                write!(f, "hash_username ({form})")
            }
            Action::TruncatePan(t) => {
                let iin = match t.iin {
                    IinLength::Six => 6,
                    IinLength::Eight => 8,
                };
                let last = if t.last4 {
                    "last 4 where allowed"
                } else {
                    "last 2"
                };
                write!(f, "truncate_pan (IIN {iin}, {last}")?;
                if let Some(fp) = &t.fingerprint {
                    write!(f, ", HMAC fingerprint into custom_inputs.{fp}")?;
                }
                f.write_str(")")
            }
            other => f.write_str(other.name()),
        }
    }
}

/// One field rule of a compiled section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rule {
    pub(crate) field: &'static Field,
    pub(crate) action: Action,
    /// The field name's first eight bytes as a word
    /// ([`crate::json::key::key_word`]), for matching keys without `memcmp`.
    pub(crate) key: u64,
}

/// The rules of one endpoint.
#[derive(Clone, Debug, Default)]
pub(crate) struct Section {
    /// Per group ("" for report fields), its rules sorted by field name;
    /// groups in the order first set. Requests are read with their keys
    /// sorted, so a lookup is a short binary search.
    pub(crate) rules: Vec<(&'static str, Vec<Rule>)>,
    /// `custom_inputs.*`.
    pub(crate) custom_default: Option<Action>,
    /// `custom_inputs.<key>`.
    pub(crate) custom: HashMap<String, Action>,
    /// `custom_inputs.<key>` with a `type`.
    pub(crate) custom_types: HashMap<String, InputType>,
    /// Effective policy path → the key written in the file that set it.
    pub(crate) sources: HashMap<String, String>,
    /// The keys as written, with their lines, in file order.
    pub(crate) written: Vec<(String, usize)>,
}

impl Section {
    pub(crate) fn rule(&self, group: Option<&str>, name: &str) -> Option<&Rule> {
        let rules = self.group_rules(group);
        rules
            .binary_search_by(|r| crate::json::key::key_order(r.field.name, name))
            .ok()
            .map(|i| &rules[i])
    }

    /// The rules of `group`, sorted by field name.
    pub(crate) fn group_rules(&self, group: Option<&str>) -> &[Rule] {
        let group = group.unwrap_or("");
        self.rules
            .iter()
            .find(|(g, _)| crate::json::key::same_key(g, group))
            .map_or(&[], |(_, rules)| rules)
    }

    /// Sets the rule of `rule.field`, replacing an earlier one.
    pub(crate) fn set_rule(&mut self, rule: Rule) {
        let group = rule.field.group.unwrap_or("");
        let at = match self.rules.iter().position(|(g, _)| *g == group) {
            Some(at) => at,
            None => {
                self.rules.push((group, Vec::new()));
                self.rules.len() - 1
            }
        };
        let rules = &mut self.rules[at].1;
        match rules.binary_search_by(|r| r.field.name.cmp(rule.field.name)) {
            Ok(i) => rules[i] = rule,
            Err(i) => rules.insert(i, rule),
        }
    }

    pub(crate) fn custom_action(&self, key: &str) -> Option<&Action> {
        self.custom.get(key).or(self.custom_default.as_ref())
    }
}

/// An example case of a policy (`[[test]]`), run by `txveil policy test`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyTest {
    /// The case's name.
    pub name: String,
    /// Line of the case in the policy file.
    pub line: usize,
    /// Which request body the input is.
    pub endpoint: Endpoint,
    /// The request, as JSON text.
    pub input: String,
    /// What must come out.
    pub expect: Expectation,
}

/// The outcome a policy test expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// This sanitized request (JSON text).
    Output(String),
    /// A rejection with this code, and this path when given.
    Reject {
        /// The rejection code (`PAN_DETECTED`, ...).
        code: String,
        /// The JSON pointer, when the case pins it.
        path: Option<String>,
    },
}

/// A validated policy.
#[derive(Clone)]
pub struct Policy {
    origin: String,
    digest: Arc<str>,
    description: String,
    unlisted: Unlisted,
    on_pan: OnPan,
    on_email: OnEmail,
    on_username: OnUsername,
    unknown_enum: UnknownEnum,
    card_digest_search: CardDigestSearch,
    transaction: Section,
    report: Section,
    tests: Vec<PolicyTest>,
    hash_key: Option<Arc<HashKey>>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("origin", &self.origin)
            .field("digest", &self.digest)
            .field("unlisted", &self.unlisted)
            .field("on_pan", &self.on_pan)
            .field("on_email", &self.on_email)
            .field("on_username", &self.on_username)
            .field("unknown_enum", &self.unknown_enum)
            .field("card_digest_search", &self.card_digest_search)
            .field("hash_key", &self.hash_key.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Where the policy came from (a file path, or the embedded default).
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// Lowercase hex SHA-256 of the policy file's bytes: its identity in logs
    /// and audit records.
    pub fn digest(&self) -> &str {
        &self.digest
    }
    /// The digest, shared rather than copied, for each request it makes.
    pub(crate) fn shared_digest(&self) -> Arc<str> {
        Arc::clone(&self.digest)
    }
    /// The policy's `description`.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// What happens to fields the policy does not name.
    pub fn unlisted(&self) -> Unlisted {
        self.unlisted
    }
    /// What happens to a PAN found after the field actions.
    pub fn on_pan(&self) -> OnPan {
        self.on_pan
    }
    /// What happens to an email address found in a kept string.
    pub fn on_email(&self) -> OnEmail {
        self.on_email
    }
    /// What happens to an echo of the request's own username.
    pub fn on_username(&self) -> OnUsername {
        self.on_username
    }
    /// What happens to a listed-values field's value txveil does not know.
    pub fn unknown_enum(&self) -> UnknownEnum {
        self.unknown_enum
    }
    /// Which kept values are searched for a digest of the card beside the
    /// app's own truncation.
    pub fn card_digest_search(&self) -> CardDigestSearch {
        self.card_digest_search
    }
    /// The policy's example cases.
    pub fn tests(&self) -> &[PolicyTest] {
        &self.tests
    }

    pub(crate) fn section(&self, endpoint: Endpoint) -> &Section {
        match endpoint {
            Endpoint::Transaction => &self.transaction,
            Endpoint::Report => &self.report,
        }
    }

    /// The action for a field given by its policy path (`billing.city`,
    /// `custom_inputs.loyalty_tier`), or `None` when the field is unlisted.
    pub fn action_for(&self, endpoint: Endpoint, path: &str) -> Option<&Action> {
        let section = self.section(endpoint);
        if let Some(key) = path.strip_prefix("custom_inputs.") {
            return if key == "*" {
                section.custom_default.as_ref()
            } else {
                section.custom_action(key)
            };
        }
        let field = crate::schema::by_path(endpoint, path)?;
        section.rule(field.group, field.name).map(|r| &r.action)
    }

    /// The key written in the file that decides `path` (`billing.*` for
    /// `billing.city`), or `None` when the field is unlisted.
    pub fn source_of(&self, endpoint: Endpoint, path: &str) -> Option<&str> {
        let sources = &self.section(endpoint).sources;
        sources
            .get(path)
            .or_else(|| {
                path.strip_prefix("custom_inputs.")
                    .and_then(|_| sources.get("custom_inputs.*"))
            })
            .map(String::as_str)
    }

    /// The keys of a section as written in the file, with their lines.
    pub fn written_keys(&self, endpoint: Endpoint) -> &[(String, usize)] {
        &self.section(endpoint).written
    }

    /// The type a custom input `key` is given (`type = "phone"`), if any.
    pub fn custom_input_type(&self, endpoint: Endpoint, key: &str) -> Option<InputType> {
        self.section(endpoint).custom_types.get(key).copied()
    }

    /// Custom input keys named one by one in a section.
    pub fn custom_input_keys(&self, endpoint: Endpoint) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .section(endpoint)
            .custom
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    /// Whether any rule needs the hash key (`keyed_hash`, a card fingerprint).
    pub fn requires_hash_key(&self) -> bool {
        [&self.transaction, &self.report].iter().any(|s| {
            let needs = |a: &Action| match a {
                Action::KeyedHash => true,
                Action::TruncatePan(t) => t.fingerprint.is_some(),
                _ => false,
            };
            s.rules
                .iter()
                .flat_map(|(_, rules)| rules)
                .any(|r| needs(&r.action))
                || s.custom_default.iter().any(needs)
                || s.custom.values().any(needs)
        })
    }

    /// This policy with the key for `keyed_hash` and fingerprints.
    pub fn with_hash_key(mut self, key: Arc<HashKey>) -> Self {
        self.hash_key = Some(key);
        self
    }

    pub(crate) fn hash_key(&self) -> Option<&HashKey> {
        self.hash_key.as_deref()
    }

    /// The embedded default policy (`policies/default.toml`).
    ///
    /// # Errors
    /// Only if the shipped file were invalid, which a test rules out.
    pub fn embedded_default() -> Result<Self, Error> {
        parse(DEFAULT_POLICY_SOURCE, DEFAULT_POLICY_ORIGIN)
    }
}

/// Reads and compiles a policy file.
///
/// # Errors
/// [`Error`] naming the file, and the line and key where one is at fault.
pub fn load(path: &Path) -> Result<Policy, Error> {
    let origin = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|e| Error {
        origin: origin.clone(),
        line: None,
        key: None,
        kind: ErrorKind::Read(crate::file::reason(&e)),
    })?;
    parse(&source, &origin)
}

/// Compiles a policy from its text; `origin` names it in errors.
///
/// # Errors
/// [`Error`] naming `origin`, and the line and key where one is at fault.
pub fn parse(source: &str, origin: &str) -> Result<Policy, Error> {
    let raw: raw::RawPolicy = toml::from_str(source).map_err(|e| {
        // serde speaks of maps, sequences and borrowed strings; say what
        // the author got wrong in the policy's terms where it is known.
        if let Some(m) = raw::shape_mistake(source) {
            return Error {
                origin: origin.to_owned(),
                line: m
                    .at
                    .or(e.span().map(|s| s.start))
                    .map(|b| line_of(source, b)),
                key: Some(m.key),
                kind: ErrorKind::Shape(m.message),
            };
        }
        Error {
            origin: origin.to_owned(),
            line: e.span().map(|s| line_of(source, s.start)),
            key: None,
            kind: ErrorKind::Syntax(e.message().trim().to_owned()),
        }
    })?;
    let digest = crate::json::hex(&Sha256::digest(source.as_bytes()));
    compile::compile(raw, source, origin, digest)
}

pub(crate) fn line_of(source: &str, byte: usize) -> usize {
    source.as_bytes()[..byte.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A policy that cannot be used, with where and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}{}{}: {kind}", line.map(|l| format!(":{l}")).unwrap_or_default(), key.as_ref().map(|k| format!(": key `{k}`")).unwrap_or_default())]
pub struct Error {
    /// The file (or other origin) of the policy.
    pub origin: String,
    /// The 1-based line at fault, when known.
    pub line: Option<usize>,
    /// The key at fault, when there is one.
    pub key: Option<String>,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// What is wrong with a policy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    #[error("cannot read the policy: {0}")]
    Read(String),
    /// The file is not valid TOML, or not of the policy's shape.
    #[error("{0}")]
    Syntax(String),
    /// `version` is not 1.
    #[error("unsupported policy version (this txveil reads version 1)")]
    UnsupportedVersion,
    /// A path that is not a field of the endpoint.
    #[error("unknown field{}", suggestion_text(.0))]
    UnknownField(Option<String>),
    /// An action name that does not exist.
    #[error("unknown action `{name}`{}; this field takes {}", suggestion_text(.suggestion), .valid.join(", "))]
    UnknownAction {
        /// The name written.
        name: Box<str>,
        /// The closest action the field takes, when one is close.
        suggestion: Option<Box<str>>,
        /// Every action the field takes.
        valid: Box<[&'static str]>,
    },
    /// Valid TOML that is not of a policy's shape: a dotted key that TOML
    /// reads as nested tables, a table where a name belongs, `[test]` for
    /// `[[test]]`.
    #[error("{0}")]
    Shape(String),
    /// An action that does not apply to the field's type.
    #[error("action `{action}` cannot apply to this field (allowed: {allowed})")]
    ActionNotAllowed {
        /// The action named.
        action: String,
        /// The actions the field accepts.
        allowed: String,
    },
    /// A bad option value or an option the action does not take.
    #[error("{0}")]
    BadOption(String),
    /// A bad value for a top-level setting.
    #[error("must be one of {0}")]
    BadSetting(&'static str),
    /// A `[[test]]` case that is not well formed.
    #[error("{0}")]
    BadTest(String),
}

fn suggestion_text<S: AsRef<str>>(s: &Option<S>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean `{}`?)", s.as_ref()))
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "policy/tests.rs"]
mod tests;
