//! The traversal ([`Walk`]): the request's groups in their order, each cart
//! item as a group. Each group first meets the policy: every field is named
//! by the schema and given its rule's action (`actions`), then the values
//! derived from the whole group are written (`derived`); then each field
//! that stays meets the echo search, the detectors and validation
//! ([`Scan`]) before the next group is read.
//!
//! Invariants: the outgoing request is built from what the policy allows,
//! in place (a field nobody decided about is `unlisted`: dropped or
//! refused, never copied); fields are met in key order, so each group's
//! rules are met in step with them ([`Rules`]).

use super::compact::keep_in_order;
use super::derived::Derived;
use super::doc::{Arena, ArenaVec, Obj, Text, Val};
use super::path::{FieldPath, ShownKey};
use super::report::{Place, Spot};
use super::scan::Scan;
use super::{pan, secrets};
use super::{Applied, Rejection, RejectionKind, Report};
use crate::json::key;
use crate::policy::{Action, Policy, Rule, Section, Unlisted};
use crate::schema::{self, Endpoint, Ty};

/// The traversal: each group of the request meets the policy's actions
/// here, then its fields that stay meet the echo search, the detectors and
/// validation ([`Scan`]) before the next group is read.
pub(super) struct Walk<'p, 'a> {
    pub(super) arena: &'a Arena,
    pub(super) policy: &'p Policy,
    pub(super) endpoint: Endpoint,
    pub(super) section: &'p Section,
    pub(super) report: Report,
    /// The card's fingerprints: custom input keys and HMACs.
    pub(super) fingerprints: Vec<(String, String)>,
    /// What reading the secrets' own fields found, for their actions.
    pub(super) reads: secrets::Reads<'a>,
    /// The echo search, the detectors and validation, which each group
    /// meets once the policy's actions are applied to it.
    pub(super) scan: Scan<'p, 'a>,
    /// Cart items, then groups, that the detectors left empty: not sent,
    /// and recorded after everything the detectors did.
    pub(super) emptied: (Report, Report),
}

impl<'a> Walk<'_, 'a> {
    /// Applies the policy to a transaction's groups, in place: a group the
    /// policy lets through stays where it is, transformed; the rest is
    /// taken out. Nothing is moved out of the tree and back in.
    pub(super) fn transaction(&mut self, mut input: Obj<'a>) -> Result<Obj<'a>, Rejection> {
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
        // leave empty is not sent either, and that is recorded.
        if fields.is_empty() {
            return Ok(false);
        }
        self.scan.group(place, group, fields);
        Ok(self.sent_unless_emptied(group, fields.is_empty()))
    }

    /// Whether a group the policy let through is sent: not when the
    /// detectors left it `empty`, which the report records.
    fn sent_unless_emptied(&mut self, group: &'static str, empty: bool) -> bool {
        if empty {
            let path = FieldPath::root().known(group);
            self.emptied.1.push(path, Applied::DroppedEmpty);
        }
        !empty
    }

    /// The cart at `place`: each item as a group, items left empty by the
    /// policy or by the detectors taken out and the rest kept in their
    /// order. Items are named by their position in the request, then by
    /// their position among the items the policy lets through (where the
    /// detectors record what they find), and validated by their position
    /// among the items sent.
    fn cart(&mut self, place: Place, items: &mut ArenaVec<'a, Val<'a>>) -> Result<bool, Rejection> {
        // Items the policy lets through.
        let mut walked = 0;
        keep_in_order(items, |i, sent, item| match item {
            Val::Null => Ok(false),
            Val::Obj(o) => {
                let mut d = Derived::default();
                self.object(place.item(i), o, &mut d).map_err(|r| *r)?;
                if o.is_empty() {
                    return Ok(false);
                }
                let index = walked;
                walked += 1;
                self.scan.item(place, index, sent, o);
                if o.is_empty() {
                    let path = FieldPath::root().known("shopping_cart").index(index);
                    self.emptied.0.push(path, Applied::DroppedEmpty);
                    return Ok(false);
                }
                Ok(true)
            }
            _ => Err(Rejection::new(
                place.path().index(i),
                RejectionKind::FieldInvalid,
            )),
        })?;
        Ok(walked > 0 && self.sent_unless_emptied("shopping_cart", items.is_empty()))
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

    pub(super) fn unlisted(&mut self, spot: Spot, kind: RejectionKind) -> Result<(), Rejection> {
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
    pub(super) fn report(&mut self, mut fields: Obj<'a>) -> Result<Obj<'a>, Rejection> {
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
                Some(action @ Action::KeyedHash) => {
                    self.transform(action, &mut entry.val, &mut Derived::default(), &path)?
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
            Action::TruncatePan(t) => self.truncate_card(t, value, derived, &p)?,
            Action::HashEmail | Action::HashUsername(_) | Action::KeyedHash => {
                self.transform(action, value, derived, &p)?
            }
        };
        self.report.push_field(place, field.name, applied);
        Ok(matches!(
            applied,
            Applied::Kept | Applied::HashedEmail | Applied::KeyedHash
        ))
    }
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
