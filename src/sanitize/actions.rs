//! The policy's actions on one raw field: `hash_email`, `hash_username`,
//! `truncate_pan` and `keyed_hash`.
//!
//! The rule of when a value meets the detectors lives here, in one place:
//! every raw value an action transforms meets the card detector as the app
//! sent it first ([`Walk::transform`]); a hash of a card number would let it
//! be recovered or correlated. `credit_card.number`'s truncation is the one
//! action that expects a card. Hashes txveil computes are listed
//! (`Scan::computed`) so that the detectors do not read them as text.

use super::derived::Derived;
use super::doc::Val;
use super::email::{EmailError, HashedEmail};
use super::path::FieldPath;
use super::secrets::Read;
use super::walk::Walk;
use super::{pan, secrets, username};
use super::{Applied, Rejection, RejectionKind};
use crate::policy::{Action, OnPan, Truncation, UsernameForm};

/// What a transforming action knows of its raw value before the card
/// detector reads it: what reading it ahead found (see [`secrets`]), or
/// nothing.
enum Ahead<'a> {
    /// `hash_email`: the address read (ahead, `listed`, or here).
    Email {
        read: Read<Result<HashedEmail, EmailError>>,
        listed: bool,
    },
    /// `hash_username`: the username read ahead, if it was.
    Username(Option<Read<Option<&'a str>>>),
    /// `keyed_hash`: nothing read ahead.
    Nothing,
}

impl<'a> Walk<'_, 'a> {
    /// Applies an action that transforms its raw value (`hash_email`,
    /// `hash_username`, `keyed_hash`) to `value`. This is the one place
    /// where a raw value meets the card detector before an action: the
    /// value, as the app sent it, is read for a card first
    /// ([`Walk::card_before_action`]), and only a value holding none is
    /// transformed.
    pub(super) fn transform(
        &mut self,
        action: &Action,
        value: &mut Val<'a>,
        derived: &mut Derived<'a>,
        path: &dyn Fn() -> FieldPath,
    ) -> Result<Applied, Rejection> {
        let ahead = match action {
            Action::HashEmail => {
                let Val::Str(address) = &*value else {
                    return Err(Rejection::new(path(), RejectionKind::EmailInvalid));
                };
                // Read ahead with the request's secrets (its MD5 then
                // listed as txveil's own), or here.
                match self.reads.email.take() {
                    Some(read) => Ahead::Email { read, listed: true },
                    None => Ahead::Email {
                        read: secrets::read_email(address.as_str()),
                        listed: false,
                    },
                }
            }
            Action::HashUsername(_) => Ahead::Username(self.reads.username.take()),
            _ => Ahead::Nothing,
        };
        let known = match &ahead {
            Ahead::Email { read, .. } => Some((read.holds_pan, read.rule)),
            Ahead::Username(read) => read.as_ref().map(|r| (r.holds_pan, r.rule)),
            Ahead::Nothing => None,
        };
        let holds_card = self.card_before_action(known, value, path)?;
        match (action, ahead) {
            (Action::HashEmail, Ahead::Email { read, listed }) => {
                self.hash_email(read, listed, holds_card, value, derived, path)
            }
            (_, _) if holds_card => Ok(Applied::RedactedPan),
            (Action::HashUsername(form), Ahead::Username(read)) => {
                self.hash_username(*form, read, value, derived, path)
            }
            _ => {
                let hashed = self.keyed_hash(value, path)?;
                *value = Val::str_in(self.arena, &hashed);
                Ok(Applied::KeyedHash)
            }
        }
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

    /// `email.address` under `hash_email`, `read` (ahead when `listed`):
    /// replaced by the MD5 of its canonical form, its domain kept for
    /// `email.domain` when the policy keeps that field and the app sent
    /// none. An address holding a card number is left out (its domain still
    /// filled).
    fn hash_email(
        &mut self,
        read: Read<Result<HashedEmail, EmailError>>,
        listed: bool,
        holds_card: bool,
        value: &mut Val<'a>,
        derived: &mut Derived<'a>,
        p: &dyn Fn() -> FieldPath,
    ) -> Result<Applied, Rejection> {
        let domain_wanted = !derived.domain_given
            && self
                .section
                .rule(Some("email"), "domain")
                .is_some_and(|r| r.action == Action::Keep);
        if holds_card {
            if domain_wanted {
                derived.email_domain = read.made.ok().and_then(|h| h.domain);
            }
            return Ok(Applied::RedactedPan);
        }
        let hashed = read
            .made
            .map_err(|_| Rejection::new(p(), RejectionKind::EmailInvalid))?;
        let address = value.as_str().unwrap_or_default();
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

    /// `account.username` under `hash_username` (`read` ahead, if it
    /// was), holding no card number: its MD5 goes to
    /// `account.username_md5`, the raw value nowhere.
    fn hash_username(
        &mut self,
        form: UsernameForm,
        read: Option<Read<Option<&'a str>>>,
        value: &Val<'a>,
        derived: &mut Derived<'a>,
        p: &dyn Fn() -> FieldPath,
    ) -> Result<Applied, Rejection> {
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
    pub(super) fn truncate_card(
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
}
