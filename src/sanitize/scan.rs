//! What each field that the policy lets through meets ([`Scan`]), in this
//! order: the search for the request's own secrets (`echo_search`), the
//! detectors on the value (`detect`), then validation of the value as they
//! leave it. Nested objects and arrays are read the same way, with their
//! paths built only when something is found.
//!
//! Refusals wait while the traversal goes on, since a later one may rank
//! higher: the policy's own refusal anywhere, then an echo (which stops the
//! reading), then a card or address found, then the first invalid field
//! ([`Scan::refusal`]).

use super::compact::keep_in_order;
use super::doc::{self, Arena, ArenaVec, Obj, Val};
use super::echo_search::{echo_text_in, EchoSearch};
use super::path::FieldPath;
use super::report::Place;
use super::word::Facts;
use super::{context, echo, email, pan, validate};
use super::{Applied, Rejection, RejectionKind, Report};
use crate::json::key;
use crate::policy::{InputType, OnEmail, OnPan, OnUsername, Policy, UnknownEnum};
use crate::schema::{self, format_guards, Endpoint, Ty};

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
    /// requires as 32 hex digits. An exact 32-hex value there is read only
    /// over its decimal stretches, as any run of digits
    /// (`pan::digest_pans`), with no other reading; anything else in those
    /// fields is scanned in full.
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
pub(super) struct Scan<'p, 't> {
    pub(super) arena: &'t Arena,
    pub(super) endpoint: Endpoint,
    pub(super) on_pan: OnPan,
    pub(super) on_email: OnEmail,
    pub(super) unknown_enum: UnknownEnum,
    /// Hashes txveil computed (MD5, HMAC). Their hex digits may happen to
    /// look like a PAN; being one-way outputs, they are exempt from the
    /// detectors.
    pub(super) computed: ArenaVec<'t, &'t str>,
    /// What the detectors found and did, recorded after the policy's
    /// actions and the echoes.
    pub(super) report: Report,
    /// The first field found invalid, in output order: it refuses the
    /// request when nothing else does (a card number, an address or an
    /// echo outranks an invalid value).
    pub(super) invalid: Option<Rejection>,
    /// A card or address the detectors refused while the echo search goes
    /// on: an echo found in any field outranks it.
    pub(super) refused: Option<Rejection>,
    /// An echo that refused the request: nothing is read after it, and
    /// only the policy's own refusals outrank it.
    pub(super) echoed: Option<Rejection>,
    /// Whether the scan changed the value being checked (a found address
    /// hashed, a username echo replaced): such a value is never forwarded as
    /// an unknown listed value.
    pub(super) rewritten: bool,
    /// The field whose value is being scanned, for the card detector's
    /// ambiguous shapes (`context`).
    pub(super) cx: context::Field<'t>,
    /// The types the policy gives custom inputs (`type = "phone"`).
    pub(super) custom_types: &'p std::collections::HashMap<String, InputType>,
    /// The countries the request names for its order, when it names any.
    pub(super) order: Option<&'t context::Order>,
    /// The request's raw username and its MD5, looked for in the other
    /// readings of free-text values (the echo search looks for it as
    /// written).
    pub(super) username: Option<&'p (echo::Token, &'t str)>,
    pub(super) on_username: OnUsername,
    /// Whether the value being scanned is free text a username can be
    /// copied into ([`echo_text_field`]).
    pub(super) echo_text: bool,
    /// The search for the request's own secrets, when it has any.
    pub(super) echo: Option<EchoSearch<'p, 't>>,
    /// The request's card as minFraud receives it, read for in the
    /// digests the app sent.
    pub(super) truncation: Option<&'p pan::Truncation>,
}

impl<'p, 't> Scan<'p, 't> {
    pub(super) fn new(
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
            truncation: echoes.truncation.as_ref(),
            echo: (endpoint == Endpoint::Transaction && !echoes.is_empty()).then(|| EchoSearch {
                arena,
                policy,
                echoes,
                found: Report::default(),
            }),
        }
    }

    /// The fields of a transaction's group at `place`, named `name`.
    pub(super) fn group(&mut self, place: Place, name: &'static str, fields: &mut Obj<'t>) {
        let path = || FieldPath::root().known(name);
        let level = Level::new(&path, Some(&path), 1, Some(name), Some(place));
        self.fields(fields, &level);
    }

    /// The fields of the cart item at `index` among those the policy lets
    /// through; `sent` counts the items before it that are sent
    /// (validation's index).
    pub(super) fn item(&mut self, cart: Place, index: usize, sent: usize, fields: &mut Obj<'t>) {
        let cart_path = || FieldPath::root().known("shopping_cart");
        let path = || cart_path().index(index);
        let sent_path = || cart_path().index(sent);
        let level = Level::new(
            &path,
            Some(&sent_path),
            2,
            Some("shopping_cart"),
            Some(cart.item(index)),
        );
        self.fields(fields, &level);
    }

    /// The fields of a report.
    pub(super) fn report_fields(&mut self, fields: &mut Obj<'t>) {
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
    pub(super) fn refusal(&mut self) -> Option<Rejection> {
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
    ///
    /// Entries the echo search or the detectors take out are taken out as
    /// they are met ([`keep_in_order`]); what was taken out is recorded
    /// once the whole object is read, after what was found in the entries
    /// that stay.
    fn map(&mut self, body: &mut Obj<'t>, level: &Level<'_>) -> Result<(), Rejection> {
        let mut echoed = Vec::new();
        let mut redacted = Vec::new();
        keep_in_order(body.entries_mut(), |at, _, entry| {
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
                if let Some(found) = found {
                    echoed.push(found);
                    return Ok(false);
                }
            }
            if self.refused.is_some() {
                return Ok(true);
            }
            // Positions count the entries the echo search left.
            let position = at - echoed.len();
            match self.entry(level, entry, position, redacted.len(), facts) {
                Ok(false) => Ok(true),
                Ok(true) => {
                    let key = entry.key.as_str();
                    let path = (level.path)();
                    redacted.push(segment(
                        &path,
                        level.depth,
                        level.in_custom,
                        key,
                        position + 1,
                    ));
                    Ok(false)
                }
                Err(r) if level.fields.is_some() => {
                    self.refused = Some(r);
                    Ok(true)
                }
                Err(r) => Err(r),
            }
        })?;
        if let Some(echo) = self.echo.as_mut() {
            for (spot, applied) in echoed {
                echo.found.push_spot(spot, applied);
            }
        }
        for path in redacted {
            self.report.push(path, Applied::RedactedPan);
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
            // Its decimal stretches are read for a card all the same.
            if let Some(rule) = value
                .as_str()
                .and_then(|s| pan::digest_pans(s, self.truncation))
            {
                return match self.on_pan {
                    OnPan::Reject => Err(Rejection::pan(p(), rule)),
                    OnPan::Redact => Ok(true),
                };
            }
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
        keep_in_order(items, |index, _, item| {
            let item_path = || leaf().index(index);
            if self.value(item, &item_path, &nested)? {
                self.report.push(item_path(), Applied::RedactedPan);
                return Ok(false);
            }
            Ok(true)
        })
    }
}
