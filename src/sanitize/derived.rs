//! Values derived from a whole group, written once its own fields met the
//! policy: `email.domain` from the address, `account.username_md5`, the
//! card's IIN and last digits (and a legacy `last_4_digits` or an 8-digit
//! IIN the app sent), and a card number wrapped across `address` and
//! `address_2`. They need the group first; they win over values the app
//! also gave, and the report records what they superseded. The raw values
//! they come from met the detectors before any action (`actions`).

use super::compact::keep_in_order;
use super::doc::{Obj, Text, Val};
use super::report::Place;
use super::walk::Walk;
use super::word::Facts;
use super::{card, pan};
use super::{Applied, Rejection};
use crate::policy::OnPan;
use crate::schema;

/// Values derived from raw fields, applied after a group's own fields so that
/// they win over values the caller also gave.
#[derive(Default)]
pub(super) struct Derived<'a> {
    /// Whether the app sent `email.domain` itself.
    pub(super) domain_given: bool,
    pub(super) email_domain: Option<String>,
    pub(super) username_md5: Option<&'a str>,
    pub(super) card: Option<card::TruncatedCard>,
    pub(super) legacy_last_digits: Option<Val<'a>>,
}

impl<'a> Walk<'_, 'a> {
    /// A card number wrapped across `address` and `address_2` of one group,
    /// as legacy apps wrap free text at a fixed width (`... 4111 1111 11` +
    /// `11 1111 1111`): the two kept lines are read as one, joined directly
    /// and with a space, and a card that spans the join is a card found
    /// (`on_pan`; a rejection names `address`, a redaction replaces the part
    /// in each line). A card within one line is left to the detectors. Other
    /// fields are not joined (see SECURITY.md).
    pub(super) fn wrapped_address(
        &mut self,
        place: Place,
        o: &mut Obj<'a>,
    ) -> Result<(), Rejection> {
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
        // Each line keeps what is left of it; a line left blank is taken
        // out.
        let lines = [("address", head), ("address_2", tail)];
        let arena = self.arena;
        keep_in_order(o.entries_mut(), |_, _, entry| {
            let Some((_, text)) = lines.iter().find(|(name, _)| entry.key.as_str() == *name) else {
                return Ok::<_, Rejection>(true);
            };
            if text.trim().is_empty() {
                return Ok(false);
            }
            entry.val = Val::str_in(arena, text);
            Ok(true)
        })?;
        for (name, _) in lines {
            self.report.push_field(place, name, Applied::RedactedPan);
        }
        Ok(())
    }

    /// Writes the values derived from a group's raw fields into it: they
    /// win over values the app also gave.
    pub(super) fn apply_derived(&mut self, place: Place, out: &mut Obj<'a>, d: &mut Derived<'a>) {
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
    /// not given, and an 8-digit IIN cut to 6 where, with the last digits
    /// (given or not), it could spell most or all of a shorter card
    /// ([`card::narrowed_iin`]).
    fn card_as_given(&mut self, place: Place, out: &mut Obj<'a>, legacy: Option<Val<'a>>) {
        let filled = schema::filled();
        if let Some(last) = legacy {
            if !out.contains_key("last_digits") {
                let field = filled.map(|f| f.last_digits);
                out.insert_field(Text::plain("last_digits"), last, field);
            }
        }
        let given = |k: &str| out.get(k).and_then(Val::as_str);
        let Some(iin) = given("issuer_id_number") else {
            return;
        };
        if let Some(narrowed) = card::narrowed_iin(iin, given("last_digits")) {
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
