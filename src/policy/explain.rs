//! `txveil policy explain`: what a policy does to every field, for reviewers.

use super::{
    Action, CardDigestSearch, IinLength, InputType, OnEmail, OnPan, OnUsername, Policy,
    UnknownEnum, Unlisted, UsernameForm,
};
use crate::schema::{Endpoint, Ty};
use serde_json::json;
use std::fmt::Write as _;

/// How to render an explanation or a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Aligned plain text.
    Text,
    /// Markdown tables, for pull requests.
    Markdown,
    /// JSON, for tools.
    Json,
}

/// What a policy does to one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Treatment {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The field's policy path (`billing.city`, `custom_inputs.*`).
    pub path: String,
    /// What the field is.
    pub summary: &'static str,
    /// The action, or `None` when no rule names the field (unlisted).
    pub action: Option<Action>,
    /// The key in the file that decides it, when listed.
    pub rule: Option<String>,
    /// The type the policy gives a custom input (`type = "phone"`).
    pub input_type: Option<InputType>,
    /// The field's type, to tell `keep` of `last_4_digits` apart.
    ty: Ty,
}

impl Treatment {
    /// The action's short name, with `(unlisted)` when no rule names the field.
    pub fn action_name(&self, unlisted: Unlisted) -> String {
        match &self.action {
            Some(a) => a.name().to_owned(),
            None => match unlisted {
                Unlisted::Drop => "drop (unlisted)".into(),
                Unlisted::Reject => "reject (unlisted)".into(),
            },
        }
    }

    /// What leaves, in words.
    pub fn outcome(&self, unlisted: Unlisted) -> String {
        match &self.action {
            None => match unlisted {
                Unlisted::Drop => "not sent".into(),
                Unlisted::Reject => "its presence rejects the request".into(),
            },
            Some(a) => describe(a, self.ty),
        }
    }
}

impl Treatment {
    /// The value's type as the detectors read it: `phone` (minFraud's
    /// telephone fields, custom inputs typed `phone`), `gtin` (a cart
    /// item's id), `number`, `boolean`, `string` (a typed custom input),
    /// `format` (a fixed format: country, currency, IIN, a listed value...),
    /// `email`, `custom` (an untyped custom input), or `text`.
    pub fn value_type(&self) -> &'static str {
        if let Some(t) = self.input_type {
            return t.name();
        }
        if self.path.starts_with("custom_inputs.") {
            return "custom";
        }
        match self.ty {
            _ if self.path.ends_with("phone_number") => "phone",
            _ if self.path == "shopping_cart[].item_id" => "gtin",
            Ty::Email => "email",
            Ty::RawPan => "card number",
            Ty::RawUsername => "username",
            Ty::Bool => "boolean",
            Ty::Positive | Ty::NonNegative | Ty::Quantity => "number",
            t if crate::schema::format_guards(t) => "format",
            _ => "text",
        }
    }

    /// The detectors that read the value, in the order they run: `pan`
    /// (card numbers: unambiguous shapes always, ambiguous ones by context),
    /// `email` (addresses in kept text, `on_email`), `echo` (the request's
    /// own username, address and card number, `on_username`, `on_email`,
    /// `on_pan`), `format` (a value valid for a fixed format skips the scan;
    /// any other value is scanned). Empty when the field is not sent.
    pub fn detectors(&self) -> Vec<&'static str> {
        let mut v = self.transaction_detectors();
        if self.endpoint == Endpoint::Report {
            // A report carries no username, address or card to echo.
            v.retain(|d| *d != "echo");
        }
        v
    }

    fn transaction_detectors(&self) -> Vec<&'static str> {
        match &self.action {
            None | Some(Action::Drop | Action::Reject) => Vec::new(),
            // Scanned as the app sent it, before the hash.
            Some(Action::HashEmail | Action::HashUsername(_) | Action::KeyedHash) => vec!["pan"],
            Some(Action::TruncatePan(_)) => vec!["truncate_pan"],
            Some(Action::Keep) => match self.value_type() {
                "email" => vec!["pan", "echo"],
                "format" | "boolean" => vec!["format", "pan"],
                "number" => vec!["pan", "echo"],
                _ => vec!["pan", "email", "echo"],
            },
        }
    }

    /// What decides the ambiguous card shapes in the value: `card_words`
    /// (a card word before the digits, or in a custom input's key, makes
    /// them a card), `phone_type` (a valid telephone number by
    /// libphonenumber's metadata, or one of a possible length written with
    /// its country code apart, is one), `lone_phone` (a value that is
    /// only a valid telephone number, written with its country code apart,
    /// is one), `order_country` (a value whose only digits are a valid
    /// telephone number of a country the request names for its order, in
    /// `billing.country`, `shipping.country`, `*.phone_country_code` or its
    /// telephone fields, holds one, however it is written; a payment
    /// reference or identity number of that country with its check digits
    /// is one), `gtin_type` (a GTIN or SSCC with
    /// its GS1 check digit is one), `key_words` (a custom input's key is read
    /// for telephone, coordinate, time, quantity, code, identity and
    /// payment-reference words),
    /// `nearby_words` (the same words next to the digits), `check_digits`
    /// (IBAN mod 97, USPS IMpb, GB 11643 resident ids, GS1 element strings,
    /// an EMV QR payload's CRC, boleto lines, CLABE, CBU/CVU, CNPJ, South
    /// African and Korean identity numbers, Aadhaar, Japanese tracking
    /// numbers), `number_list` (a list of decimals is coordinates),
    /// `number_type` (a number's fraction digits are its precision, unless
    /// its significant digits are a card). Empty when no card scan reads
    /// the value.
    pub fn contexts(&self) -> Vec<&'static str> {
        if !self.detectors().contains(&"pan") {
            return Vec::new();
        }
        let custom = self.path.starts_with("custom_inputs.");
        let ty = self.value_type();
        if ty == "number" {
            // A JSON number has no words of its own: only a custom input's
            // key is read.
            return if custom {
                vec!["card_words", "key_words", "number_type"]
            } else {
                vec!["number_type"]
            };
        }
        let mut v = vec!["card_words"];
        match ty {
            "phone" => v.push("phone_type"),
            "gtin" => v.push("gtin_type"),
            _ => {}
        }
        v.push("lone_phone");
        // The scan of a transaction's kept values reads the order's
        // countries; a token is checked before it (any card in it refuses
        // it), and a hashed value as the app sent it.
        if self.endpoint == Endpoint::Transaction
            && matches!(self.action, Some(Action::Keep))
            && self.ty != Ty::Token
        {
            v.push("order_country");
        }
        if custom {
            v.push("key_words");
        }
        v.extend(["nearby_words", "check_digits", "number_list"]);
        v
    }
}

/// What `action` sends for a field of type `ty`, in words.
pub fn describe(action: &Action, ty: Ty) -> String {
    match action {
        Action::Keep if ty == Ty::LegacyLastDigits => "sent as credit_card.last_digits".into(),
        Action::Keep => "sent as is".into(),
        Action::Drop => "not sent".into(),
        Action::Reject => "its presence rejects the request".into(),
        Action::HashEmail => {
            "MD5 of the canonical address (official client rules); fills email.domain when absent and kept".into()
        }
        Action::HashUsername(form) => {
            let form = match form {
                UsernameForm::Raw => "the raw value",
                UsernameForm::TrimNfc => "the trimmed, NFC value",
                UsernameForm::TrimNfcLowercase => "the trimmed, NFC, lowercased value",
            };
            format!("MD5 of {form}, sent as account.username_md5")
        }
        Action::TruncatePan(t) => {
            let iin = match t.iin {
                IinLength::Six => "6",
                IinLength::Eight => "8",
            };
            let last = match (t.last4, t.iin) {
                (false, _) => "last 2 digits",
                (true, IinLength::Six) => "last 4 digits",
                (true, IinLength::Eight) => "last 4 digits (Discover, JCB, Mastercard, UnionPay, Visa on 16+ digits; else 2)",
            };
            let mut s = format!("first {iin} digits as issuer_id_number, {last} as last_digits; never the number");
            if let Some(fp) = &t.fingerprint {
                let _ = write!(s, "; HMAC-SHA256 of the whole number as custom_inputs.{fp}");
            }
            s
        }
        Action::KeyedHash => "HMAC-SHA256 under the hash key".into(),
    }
}

/// Every field of both endpoints with what the policy does to it, in schema
/// order; custom inputs as `custom_inputs.*` and each key the policy names.
pub fn treatments(policy: &Policy) -> Vec<Treatment> {
    let mut out = Vec::new();
    for endpoint in Endpoint::ALL {
        for field in endpoint.fields() {
            out.push(Treatment {
                endpoint,
                path: field.path.to_owned(),
                summary: field.summary,
                action: policy.action_for(endpoint, field.path).cloned(),
                rule: policy.source_of(endpoint, field.path).map(str::to_owned),
                input_type: None,
                ty: field.ty,
            });
            if field.path == "custom_inputs.*" {
                for key in policy.custom_input_keys(endpoint) {
                    let path = format!("custom_inputs.{key}");
                    out.push(Treatment {
                        endpoint,
                        rule: policy.source_of(endpoint, &path).map(str::to_owned),
                        action: policy.action_for(endpoint, &path).cloned(),
                        input_type: policy.custom_input_type(endpoint, key),
                        path,
                        summary: field.summary,
                        ty: field.ty,
                    });
                }
            }
        }
    }
    out
}

fn on_pan_text(p: &Policy) -> &'static str {
    match p.on_pan() {
        OnPan::Reject => "reject (the request is refused, naming the path)",
        OnPan::Redact => {
            "redact (replaced by [PAN REDACTED]; numbers and keys holding one are dropped)"
        }
    }
}

fn on_email_text(p: &Policy) -> &'static str {
    match p.on_email() {
        OnEmail::Hash => {
            "hash (an email address in any kept string is replaced by the MD5 of its canonical form)"
        }
        OnEmail::Redact => "redact (an email address in any kept string becomes [EMAIL REDACTED])",
        OnEmail::Reject => "reject (an email address in any kept string refuses the request)",
        OnEmail::Keep => "keep (email addresses in kept strings are sent as written)",
    }
}

fn on_username_text(p: &Policy) -> &'static str {
    match p.on_username() {
        OnUsername::Hash => {
            "hash (the request's own username found in another kept string becomes account.username_md5's value)"
        }
        OnUsername::Redact => {
            "redact (the request's own username found in another kept string becomes [USERNAME REDACTED])"
        }
        OnUsername::Reject => {
            "reject (the request's own username found in another kept string refuses the request)"
        }
        OnUsername::Keep => "keep (echoes of the username in other fields are sent as written)",
    }
}

fn card_digest_search_text(p: &Policy) -> &'static str {
    match p.card_digest_search() {
        CardDigestSearch::OtherFields => {
            "other_fields (beside the app's IIN and last digits, a kept value shaped as an MD5, SHA-1, SHA-256 or SHA-512 of a card that fits them is a card found; account.username_md5 and an MD5 email.address are not searched)"
        }
        CardDigestSearch::AllFields => {
            "all_fields (beside the app's IIN and last digits, a kept value shaped as an MD5, SHA-1, SHA-256 or SHA-512 of a card that fits them is a card found, account.username_md5 and an MD5 email.address too)"
        }
        CardDigestSearch::Off => {
            "off (digests of the card beside the app's IIN and last digits are not searched)"
        }
    }
}

fn unknown_enum_text(p: &Policy) -> &'static str {
    match p.unknown_enum() {
        UnknownEnum::Forward => {
            "forward (a listed-values field's value txveil does not know is sent when it has the values' shape and the scan left it as written)"
        }
        UnknownEnum::Reject => {
            "reject (a listed-values field's value txveil does not know refuses the request)"
        }
    }
}

fn unlisted_text(p: &Policy) -> &'static str {
    match p.unlisted() {
        Unlisted::Drop => "drop (fields no rule names are not sent)",
        Unlisted::Reject => "reject (a field no rule names rejects the request)",
    }
}

/// What the detection columns say, printed before them.
const DETECTION_LEGEND: &str = "\
detectors: pan = card numbers (a brand's length, plain or in a card layout, everywhere; \
ambiguous shapes decided by context); email = addresses in kept text (on_email); \
echo = the request's own username, address and card number (on_username, on_email, on_pan); \
format = a value valid for its fixed format skips the scan; truncate_pan = the card field's own truncation
contexts: card_words = a card word before the digits or in the key makes them a card; \
phone_type = a valid telephone number (libphonenumber), or one of a possible length written with its \
country code apart, is one; \
lone_phone = a value that is only a valid telephone number, its country code written apart, is one; \
order_country = a value whose only digits are a valid telephone number of the order's country (billing.country, \
shipping.country, *.phone_country_code, the order's telephone fields) holds one, however written, and a payment \
reference or identity number of that country with its check digits is one; gtin_type = a GTIN/SSCC with its \
GS1 check digit is one; key_words = the custom input's key is read for telephone, coordinate, \
time, quantity, code, identity and payment-reference words; nearby_words = the same words next to the digits; \
check_digits = IBAN, USPS IMpb, GB 11643 resident ids, GS1 element strings, EMV QR CRC, boleto, CLABE, CBU/CVU, \
CNPJ, South African and Korean ids, Aadhaar, Japanese tracking numbers; \
number_list = a list of decimals is coordinates; number_type = a number's fraction digits are its precision, \
unless its significant digits are a card (docs/detection.md)";

/// `items` joined by commas, `-` when empty.
fn list(items: &[&str]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(",")
    }
}

/// Renders the explanation of `policy`.
pub fn render(policy: &Policy, format: Format) -> String {
    let rows = treatments(policy);
    let unlisted = policy.unlisted();
    match format {
        Format::Json => {
            let fields = |e: Endpoint| {
                rows.iter()
                    .filter(|t| t.endpoint == e)
                    .map(|t| {
                        json!({
                            "field": t.path,
                            "action": t.action.as_ref().map_or("unlisted", Action::name),
                            "effective": t.action_name(unlisted),
                            "rule": t.rule,
                            "outcome": t.outcome(unlisted),
                            "type": t.value_type(),
                            "detectors": t.detectors(),
                            "contexts": t.contexts(),
                        })
                    })
                    .collect::<Vec<_>>()
            };
            let v = json!({
                "policy": policy.origin(),
                "sha256": policy.digest(),
                "description": policy.description(),
                "unlisted": match unlisted { Unlisted::Drop => "drop", Unlisted::Reject => "reject" },
                "on_pan": match policy.on_pan() { OnPan::Reject => "reject", OnPan::Redact => "redact" },
                "on_email": policy.on_email().name(),
                "on_username": policy.on_username().name(),
                "unknown_enum": policy.unknown_enum().name(),
                "card_digest_search": policy.card_digest_search().name(),
                "transaction": fields(Endpoint::Transaction),
                "report": fields(Endpoint::Report),
            });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        Format::Text => {
            let mut s = String::new();
            let _ = writeln!(s, "policy:      {}", policy.origin());
            let _ = writeln!(s, "sha256:      {}", policy.digest());
            let _ = writeln!(s, "description: {}", policy.description());
            let _ = writeln!(s, "unlisted:    {}", unlisted_text(policy));
            let _ = writeln!(s, "on_pan:      {}", on_pan_text(policy));
            let _ = writeln!(s, "on_email:    {}", on_email_text(policy));
            let _ = writeln!(s, "on_username: {}", on_username_text(policy));
            let _ = writeln!(s, "unknown_enum: {}", unknown_enum_text(policy));
            let _ = writeln!(s, "card_digest_search: {}", card_digest_search_text(policy));
            for e in Endpoint::ALL {
                let _ = writeln!(s, "\n[{}]", e.name());
                let _ = writeln!(
                    s,
                    "{:<40} {:<18} {:<28} WHAT LEAVES",
                    "FIELD", "ACTION", "RULE"
                );
                for t in rows.iter().filter(|t| t.endpoint == e) {
                    let _ = writeln!(
                        s,
                        "{:<40} {:<18} {:<28} {}",
                        t.path,
                        t.action_name(unlisted),
                        t.rule.as_deref().unwrap_or("-"),
                        t.outcome(unlisted)
                    );
                }
            }
            let _ = writeln!(s, "\n{DETECTION_LEGEND}");
            for e in Endpoint::ALL {
                let _ = writeln!(s, "\n[{} detection]", e.name());
                let _ = writeln!(
                    s,
                    "{:<40} {:<12} {:<20} CONTEXTS",
                    "FIELD", "TYPE", "DETECTORS"
                );
                for t in rows.iter().filter(|t| t.endpoint == e) {
                    let _ = writeln!(
                        s,
                        "{:<40} {:<12} {:<20} {}",
                        t.path,
                        t.value_type(),
                        list(&t.detectors()),
                        list(&t.contexts())
                    );
                }
            }
            s
        }
        Format::Markdown => {
            let mut s = String::new();
            let _ = writeln!(s, "### Policy `{}`\n", policy.origin());
            let _ = writeln!(s, "- sha256: `{}`", policy.digest());
            let _ = writeln!(s, "- description: {}", policy.description());
            let _ = writeln!(s, "- unlisted: {}", unlisted_text(policy));
            let _ = writeln!(s, "- on_pan: {}", on_pan_text(policy));
            let _ = writeln!(s, "- on_email: {}", on_email_text(policy));
            let _ = writeln!(s, "- on_username: {}", on_username_text(policy));
            let _ = writeln!(s, "- unknown_enum: {}", unknown_enum_text(policy));
            let _ = writeln!(
                s,
                "- card_digest_search: {}",
                card_digest_search_text(policy)
            );
            for e in Endpoint::ALL {
                let _ = writeln!(s, "\n#### {}\n", e.name());
                let _ = writeln!(
                    s,
                    "| field | action | rule | what leaves |\n|---|---|---|---|"
                );
                for t in rows.iter().filter(|t| t.endpoint == e) {
                    let _ = writeln!(
                        s,
                        "| `{}` | {} | {} | {} |",
                        t.path,
                        t.action_name(unlisted),
                        t.rule
                            .as_deref()
                            .map_or("-".to_owned(), |r| format!("`{r}`")),
                        t.outcome(unlisted)
                    );
                }
            }
            let _ = writeln!(s, "\n{DETECTION_LEGEND}");
            for e in Endpoint::ALL {
                let _ = writeln!(s, "\n#### {} detection\n", e.name());
                let _ = writeln!(
                    s,
                    "| field | type | detectors | contexts |\n|---|---|---|---|"
                );
                for t in rows.iter().filter(|t| t.endpoint == e) {
                    let _ = writeln!(
                        s,
                        "| `{}` | {} | {} | {} |",
                        t.path,
                        t.value_type(),
                        list(&t.detectors()),
                        list(&t.contexts())
                    );
                }
            }
            s
        }
    }
}
