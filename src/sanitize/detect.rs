//! The detectors on one string: card numbers ([`pan`]), email addresses
//! (`email::find`) and the request's username in another reading (percent,
//! entity or escape decoded, markup removed, base64 or hex decoded).
//!
//! Each reading of a text ([`decode::Readings`]) is made once and read by
//! every detector. A detector that changes the text (an address hashed, a
//! username replaced) has the new text judged again for cards, where it
//! changed. Hashes txveil computed are exempt.

use super::doc::Text;
use super::echo_search::{replace_spans, username_echo_replacement};
use super::path::FieldPath;
use super::scan::Scan;
use super::word::Facts;
use super::{decode, echo, email, pan, unicode};
use super::{Applied, Rejection, RejectionKind, EMAIL_REDACTION};
use crate::policy::{OnEmail, OnPan};

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

impl<'t> Scan<'_, 't> {
    /// Scans one string (hashes txveil computed are exempt). Each detector
    /// also decides from `facts` (what one pass over the string tells)
    /// whether it needs to read further.
    pub(super) fn text(
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
        self.pans(s, &readings, facts, leaf, None)?;
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
            self.pans(s, &readings, facts, leaf, Some(changed))?;
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
    /// free text, when the request has one). Most strings end here, before
    /// their readings are set up: this asks each detector's quick test
    /// (`pan::ruled_out`, `email::find::ruled_out`), which each detector
    /// also applies behind its own entry point; a string with too few
    /// digits for a card may still hold a masked one that shows too much
    /// (`pan::may_be_masked`).
    pub(super) fn nothing_to_read(&self, text: &str, facts: &Facts, emails: bool) -> bool {
        if !pan::ruled_out(facts) || pan::may_be_masked(text, facts) {
            return false;
        }
        // No `@`, escape, encoding or base64 run: no address, and no other
        // reading for the username either.
        if email::find::ruled_out(facts) {
            return true;
        }
        let addresses_left = !emails || self.on_email == OnEmail::Keep;
        addresses_left && !self.username_may_read(text, facts)
    }

    /// Whether the request's username may stand in another reading of
    /// `text` (a free-text value, when the request has a username): only a
    /// text with an escape, an entity, a character outside ASCII or a
    /// base64 run reads otherwise, and no reading is longer than the text.
    fn username_may_read(&self, text: &str, facts: &Facts) -> bool {
        self.username
            .filter(|_| self.echo_text)
            .is_some_and(|(token, _)| {
                (facts.encoded || facts.escape || facts.token)
                    && text.len() >= token.min_ascii_len()
            })
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
        if !self.username_may_read(s.as_str(), &facts) {
            return Ok(());
        }
        let Some((token, md5)) = self.username else {
            return Ok(());
        };
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
        self.pans(s, &decode::Readings::new(s.as_str()), facts, leaf, None)
    }

    /// Applies `on_pan` to the card numbers found in `s`, whose readings
    /// and facts are `readings` and `facts`. With `changed`, the value is
    /// one the scan itself changed (addresses replaced by their MD5) after
    /// the value as sent was judged: only the cards whose digits touch
    /// `changed` (digits joined around a hash) count. Digits wholly before
    /// or after it were judged in the value as sent, in their own context
    /// (an EMV QR payload whose CRC held before an address inside it was
    /// hashed; the hash breaks the CRC).
    fn pans(
        &mut self,
        s: &mut Text<'t>,
        readings: &decode::Readings<'_>,
        facts: Facts,
        leaf: &dyn Fn() -> FieldPath,
        changed: Option<std::ops::Range<usize>>,
    ) -> Result<(), Rejection> {
        let (mut spans, mut rule) = pan::find_pans_read(readings, &facts, &self.cx);
        // The request's own card among a hash-shaped token's hex letters,
        // which the card scan does not read.
        let own = self
            .truncation
            .filter(|_| facts.digits >= *pan::PAN_LENGTHS.start())
            .map(|own| pan::own_card_in_hash_tokens(s.as_str(), own))
            .unwrap_or_default();
        if !own.is_empty() {
            rule = rule.or(Some("echo"));
            spans.extend(own);
            spans = pan::merge(spans);
        }
        if let Some(changed) = changed {
            spans.retain(|r| r.start <= changed.end && changed.start <= r.end);
        }
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
        // `readings` are of `s` as it stands: the addresses' byte ranges
        // are its.
        debug_assert!(std::ptr::eq(readings.text(), s.as_str()));
        if self.on_email == OnEmail::Keep {
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
