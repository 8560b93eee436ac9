//! The search for the request's own secrets (its raw username, email
//! address and card number, read first by `secrets`) in every other kept
//! value and caller-chosen key ([`EchoSearch`]). It runs as the scan meets
//! each field, before the detectors read it: what it replaces is marked,
//! and the detectors then read and validate the value as any other.

use super::doc::{self, Arena, Val};
use super::path::ShownKey;
use super::report::{Place, Spot};
use super::word::Facts;
use super::{decode, echo, pan, validate};
use super::{Applied, Rejection, RejectionKind, Report, EMAIL_REDACTION, USERNAME_REDACTION};
use crate::policy::{OnEmail, OnPan, OnUsername, Policy};
use crate::schema::{self, Endpoint, Ty};

/// What `on_username` writes in place of a username echo (`md5`: the
/// username's MD5, as `account.username_md5` has it) and how the report
/// records it: `Ok(None)` leaves the echo, `Err` refuses the request.
pub(super) fn username_echo_replacement(
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
pub(super) fn echo_text_in(endpoint: Endpoint, field: Option<&schema::Field>) -> bool {
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
pub(super) struct EchoSearch<'p, 'a> {
    pub(super) arena: &'a Arena,
    pub(super) policy: &'p Policy,
    pub(super) echoes: &'p echo::Echoes<'a>,
    /// What the echoes found did, recorded after the policy's actions.
    pub(super) found: Report,
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
    pub(super) fn entry(
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
        if let Some(t) = &self.echoes.truncated {
            let key = custom.then(|| entry.key.as_str());
            let spot = || match key {
                Some(key) => Spot::Custom(ShownKey::new(key, position + 1)),
                None => Spot::Field(place, field.name),
            };
            let found = self.truncated_digest(t, field.ty, key, &entry.val, computed, spot)?;
            if found.is_some() {
                return Ok(found);
            }
        }
        if let Some(spread) = &self.echoes.spread {
            if field.group != Some("credit_card") && spread.reveals(entry.key.as_str(), &entry.val)
            {
                let spot = if custom {
                    Spot::Custom(ShownKey::new(entry.key.as_str(), position + 1))
                } else {
                    Spot::Field(place, field.name)
                };
                return match self.policy.on_pan() {
                    OnPan::Reject => Err(Rejection::pan(spot.path(), super::spread::RULE)),
                    OnPan::Redact => Ok(Some((spot, Applied::RedactedPan))),
                };
            }
        }
        if echo_exempt_field(field.ty) {
            return self.digest(place, field, &entry.val, computed);
        }
        let mut seen = None;
        // Whether `seen` was found to hold one of the three already.
        let mut checked = false;
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
                    checked = true;
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
        match self.value(&entry.val, (seen, checked), text_field, &spot, computed)? {
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
    /// for the card's digits or its own digest, and `email.domain` (filled from the
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
            // An MD5 the app sent is read for the card's digits as any
            // kept value is (a card in plain sight between hex letters).
            Ty::Md5 | Ty::Email => {
                !computed.contains(&s) && card.find_any(s, &echo::Seen::of(s.as_bytes())).is_some()
            }
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
        // A key that holds the username is what `on_username` says of it.
        let username_hit = || match self.policy.on_username() {
            OnUsername::Keep => Ok(EchoHit::None),
            OnUsername::Reject => Err(Rejection::new(
                spot().path(),
                RejectionKind::UsernameDetected,
            )),
            OnUsername::Hash | OnUsername::Redact => Ok(EchoHit::Drop(Applied::RedactedUsername)),
        };
        if let Some((digest, _)) = &self.echoes.username_digest {
            if self.echoes.username.is_none() && !digest.find(key).0.is_empty() {
                return username_hit();
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
                return username_hit();
            }
        }
        Ok(EchoHit::None)
    }

    /// One value: the card number in any string or number, the address and
    /// the username in free-text fields (`text_field`). `seen`, when the
    /// caller knows it, tells what a pass over the value would (and whether
    /// the caller found that it may hold one of the three); hashes in
    /// `computed` are txveil's own.
    fn value(
        &mut self,
        value: &Val<'a>,
        seen: (Option<echo::Seen>, bool),
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
                // A number is left whole or not at all. Its text is ASCII:
                // shorter than the card's stretches, it holds no copy of
                // the card ([`echo::Card::min_ascii_len`]).
                if let Some(card) = self
                    .echoes
                    .card
                    .as_ref()
                    .filter(|card| text.len() >= card.min_ascii_len())
                {
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
            } else if let Some((digest, md5)) = &echoes.username_digest {
                let (spans, _) = digest.find(&out.text);
                if !spans.is_empty() {
                    let with = username_echo_replacement(self.policy.on_username(), md5);
                    if let Some(hit) = self.replace_found(&mut out, &spans, with, spot)? {
                        return Ok(hit);
                    }
                }
            }
        }
        if !out.changed {
            return Ok(EchoHit::None);
        }
        Ok(EchoHit::Changed(Val::str_in(self.arena, &out.text)))
    }

    /// What a pass over the string `s` tells the search (`seen`, when the
    /// caller knows it, and whether it found that `s` may hold one of the
    /// three), or `None` when it cannot hold any of the three: too short,
    /// too few digits, no `@`, or one of txveil's own hashes (`computed`).
    fn may_hold(
        &self,
        s: &str,
        seen: (Option<echo::Seen>, bool),
        computed: &[&str],
    ) -> Option<echo::Seen> {
        let (seen, checked) = match seen {
            (Some(seen), checked) => (seen, checked),
            (None, _) if s.len() < self.echoes.min_ascii_len() && s.is_ascii() => return None,
            (None, _) => (echo::Seen::of(s.as_bytes()), false),
        };
        ((checked || self.echoes.may_hold(s, &seen)) && !computed.contains(&s)).then_some(seen)
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
        self.replace_found(out, &spans, with, spot)
    }

    /// The echoes at `spans` of `out` (sorted, apart), replaced as `with`
    /// says ([`EchoSearch::replace_echo`]).
    fn replace_found(
        &mut self,
        out: &mut Rewrite<'a>,
        spans: &[std::ops::Range<usize>],
        with: Result<Option<(&str, Applied)>, RejectionKind>,
        spot: &dyn Fn() -> Spot,
    ) -> Result<Option<EchoHit<'a>>, Rejection> {
        let Some((with, applied)) = with.map_err(|kind| Rejection::new(spot().path(), kind))?
        else {
            return Ok(None);
        };
        if let Some(hit) = self.card_before_echo(&out.text, spot)? {
            return Ok(Some(hit));
        }
        out.text = replace_spans(&out.text, spans, with).into();
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
pub(super) fn replace_spans(text: &str, spans: &[std::ops::Range<usize>], with: &str) -> String {
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
