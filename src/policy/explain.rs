//! `txveil policy explain`: what a policy does to every field, for reviewers.

use super::{Action, OnEmail, OnPan, OnUsername, Policy, UnknownEnum, Unlisted};
use crate::sanitize::card::IinLength;
use crate::sanitize::username::UsernameForm;
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
                ty: field.ty,
            });
            if field.path == "custom_inputs.*" {
                for key in policy.custom_input_keys(endpoint) {
                    let path = format!("custom_inputs.{key}");
                    out.push(Treatment {
                        endpoint,
                        rule: policy.source_of(endpoint, &path).map(str::to_owned),
                        action: policy.action_for(endpoint, &path).cloned(),
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
            s
        }
    }
}
