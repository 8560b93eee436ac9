//! Why a request is refused. A [`Rejection`] carries a stable machine code
//! ([`RejectionKind`]) and the path of the field, never a value: it is
//! safe to log and to send back to the app. Which of several refusals a
//! request gets is the traversal's business (see the `sanitize` module).

use super::path::FieldPath;

use std::fmt;

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
    pub(super) fn new(path: FieldPath, kind: RejectionKind) -> Self {
        Self {
            path,
            kind,
            rule: None,
        }
    }

    /// A `PAN_DETECTED` rejection at `path`, naming the `rule` that found
    /// the card.
    pub(super) fn pan(path: FieldPath, rule: &'static str) -> Self {
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
