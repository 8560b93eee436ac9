//! The request's own secrets, read from their fixed places before any other
//! value is read: the raw username, the email address and the card number
//! that the policy hashes or truncates, and the countries of the order.
//!
//! Every other value of the request is searched for echoes of the three
//! ([`super::echo`]) and read for card numbers in the order's context
//! ([`super::context`]) as the traversal meets it, so these must be known
//! first. Each lives at one place (`account.username`, `email.address`,
//! `credit_card.number`, the country and telephone fields of `billing` and
//! `shipping`), which is looked up directly. What reading a secret found (a
//! card number in it, its hash, the parsed card) is kept for the policy's
//! action on the same field, which then need not read it again.

use super::card::Pan;
use super::context::Order;
use super::doc::{Arena, Obj, Val};
use super::echo::Echoes;
use super::email::{self, EmailError, HashedEmail};
use super::{pan, username};
use crate::policy::{Action, Policy, Section, UsernameForm};
use crate::schema;

/// A raw value read ahead of its action: whether it holds a card number
/// as the app sent it (see [`super::walk::Walk::transform`]), and what
/// its action makes of it.
pub(crate) struct Read<T> {
    pub(crate) holds_pan: bool,
    /// The rule a card found answers to when it is a copy of the request's
    /// own card that the card scan alone does not read as one (`echo`).
    pub(crate) rule: Option<&'static str>,
    pub(crate) made: T,
}

/// What the secrets' own fields' actions will need, read once.
#[derive(Default)]
pub(crate) struct Reads<'a> {
    /// `email.address` under `hash_email`: the address hashed.
    pub(crate) email: Option<Read<Result<HashedEmail, EmailError>>>,
    /// `account.username` under `hash_username`: its MD5 (none when it
    /// holds a card number, which is not hashed).
    pub(crate) username: Option<Read<Option<&'a str>>>,
    /// `credit_card.number` under `truncate_pan`, when it is a card number.
    pub(crate) card: Option<Pan>,
    /// Whether the truncation writes the card's fingerprint to a custom
    /// input.
    pub(crate) fingerprint: bool,
}

/// The secrets of one request.
#[derive(Default)]
pub(crate) struct Secrets<'a> {
    /// The raw username, email address and card number, and what an echo
    /// of each is replaced by.
    pub(crate) echoes: Echoes<'a>,
    /// The countries of the order, as the app sent them.
    pub(crate) order: Order,
    pub(crate) reads: Reads<'a>,
    /// The MD5s txveil makes of the username and the address: known before
    /// any value is read, so that a value equal to one (an app may send
    /// the same digest elsewhere) is taken for txveil's own hash wherever
    /// it stands.
    pub(crate) computed: Vec<&'a str>,
}

impl<'a> Secrets<'a> {
    /// Reads the secrets of a transaction `input` under `section`. A
    /// username or address that holds a card number is not a secret to
    /// look for (the field is refused or left out); a value the action
    /// cannot take (not a string, not a card number) is left for the
    /// traversal to refuse.
    pub(crate) fn gather(
        policy: &Policy,
        section: &Section,
        input: &Obj<'a>,
        arena: &'a Arena,
    ) -> Secrets<'a> {
        let mut out = Secrets::default();
        // The card first, wherever it stands in the body: the username and
        // the address are read for copies of it.
        for entry in input.entries() {
            if let (Val::Obj(o), Some("credit_card")) =
                (&entry.val, schema::group(entry.key.as_str()))
            {
                out.card(section, o);
                if out.echoes.card.is_none() {
                    out.echoes.truncated =
                        super::digest::Truncated::of_group(section, o, policy.card_digest_search());
                    let given = |k: &str| o.get(k).and_then(|v| v.as_str());
                    out.echoes.spread = super::spread::Spread::new(
                        given("issuer_id_number"),
                        given("last_digits").or_else(|| given("last_4_digits")),
                    );
                }
            }
        }
        for entry in input.entries() {
            let Val::Obj(o) = &entry.val else {
                continue;
            };
            match schema::group(entry.key.as_str()) {
                Some("email") => out.email(section, o, arena),
                Some("account") => out.username(section, o, arena),
                Some("billing") => out.order.note_group(false, o),
                Some("shipping") => out.order.note_group(true, o),
                _ => {}
            }
        }
        if let Some(truncated) = &out.echoes.truncated {
            truncated.search_request(input);
        }
        out
    }

    /// `email.address` under `hash_email`, from the `email` group `o`.
    fn email(&mut self, section: &Section, o: &Obj<'a>, arena: &'a Arena) {
        let Some(Val::Str(address)) = o.get("address") else {
            return;
        };
        if !matches!(rule(section, "email", "address"), Some(Action::HashEmail)) {
            return;
        }
        let address = address.as_str();
        let mut read = read_email(address);
        if !read.holds_pan && !email::is_md5_hex(address) {
            read.rule = self.copy_of_card(address);
            read.holds_pan = read.rule.is_some();
        }
        if let (false, Ok(hashed)) = (read.holds_pan, &read.made) {
            let md5 = &*arena.alloc_str(&hashed.md5_hex);
            if hashed.domain.is_some() || address != md5 {
                self.computed.push(md5);
            }
            if !email::is_md5_hex(address) {
                self.echoes.set_email(address, md5);
            }
        }
        self.reads.email = Some(read);
    }

    /// `account.username` under `hash_username`, from the `account` group
    /// `o`.
    fn username(&mut self, section: &Section, o: &Obj<'a>, arena: &'a Arena) {
        let Some(Val::Str(raw)) = o.get("username") else {
            // No raw username: an app that hashed it itself may still have
            // copied it elsewhere, which its MD5 finds.
            if let Some(Val::Str(md5)) = o.get("username_md5") {
                self.echoes.set_username_digest(md5.as_str());
            }
            return;
        };
        let Some(Action::HashUsername(form)) = rule(section, "account", "username") else {
            return;
        };
        let raw = raw.as_str();
        let read = match self.copy_of_card(raw) {
            // Not hashed: the MD5 of a copy of the card is what is kept out.
            Some(rule) => Read {
                holds_pan: true,
                rule: Some(rule),
                made: None,
            },
            None => read_username(raw, *form, arena),
        };
        if let Some(md5) = read.made {
            self.computed.push(md5);
            self.echoes.set_username(raw, md5);
        }
        self.reads.username = Some(read);
    }

    /// `credit_card.number` under `truncate_pan`, from the `credit_card`
    /// group `o`: the card and how much of it minFraud receives.
    fn card(&mut self, section: &Section, o: &Obj<'a>) {
        if let (Some(Val::Str(iin)), Some(Val::Str(last))) =
            (o.get("issuer_id_number"), o.get("last_digits"))
        {
            self.echoes.truncation = super::pan::Truncation::new(iin.as_str(), last.as_str());
        }
        let Some(value) = o.get("number") else {
            return;
        };
        let Some(Action::TruncatePan(t)) = rule(section, "credit_card", "number") else {
            return;
        };
        let Ok(card) = parse_card(value) else {
            return;
        };
        let truncated = card.truncate(t.iin, t.last4);
        let shown = (
            truncated.issuer_id_number.len(),
            truncated.last_digits.len(),
        );
        let sent = value.as_str().unwrap_or("");
        self.echoes.truncation =
            super::pan::Truncation::new(&truncated.issuer_id_number, &truncated.last_digits);
        self.echoes.set_card(card.digits(), sent, shown);
        self.reads.card = Some(card);
        self.reads.fingerprint = t.fingerprint.is_some();
    }
}

impl Secrets<'_> {
    /// `Some("echo")` when `raw` (a username or an email address, as sent)
    /// holds a copy of the request's own card in a spelling the echo search
    /// knows and the card scan alone does not ([`super::echo::Card::find_any`]:
    /// a stretch showing its middle, letters or `x` between its digits, a
    /// masked copy, a digest), or any of the digits minFraud does not
    /// receive ([`super::echo::Card::find_hidden`]: the first 8 under `iin =
    /// 6`, the hidden middle alone). Its unkeyed MD5 beside the card's IIN
    /// and last digits would give the hidden digits back in seconds.
    fn copy_of_card(&self, raw: &str) -> Option<&'static str> {
        let card = self.echoes.card.as_ref()?;
        card.find_any(raw, &super::echo::Seen::of(raw.as_bytes()))
            .or_else(|| card.find_hidden(raw))
            .map(|_| "echo")
    }
}

/// The action of `group.name` under `section`.
fn rule<'s>(section: &'s Section, group: &str, name: &str) -> Option<&'s Action> {
    section.rule(Some(group), name).map(|r| &r.action)
}

/// `email.address` as `hash_email` reads it: a card number in it (an MD5
/// the app sent is not read for one) and the address hashed.
pub(crate) fn read_email(address: &str) -> Read<Result<HashedEmail, EmailError>> {
    Read {
        holds_pan: !email::is_md5_hex(address) && pan::contains_pan(address),
        rule: None,
        made: email::hash_email(address),
    }
}

/// `account.username` as `hash_username` reads it: a card number in it,
/// or else its MD5 in `form`.
pub(crate) fn read_username<'a>(
    raw: &str,
    form: UsernameForm,
    arena: &'a Arena,
) -> Read<Option<&'a str>> {
    let holds_pan = pan::contains_pan(raw);
    Read {
        holds_pan,
        rule: None,
        made: (!holds_pan).then(|| &*arena.alloc_str(&username::hash(raw, form))),
    }
}

/// `credit_card.number` as `truncate_pan` reads it: a string of digits and
/// separators, or a whole JSON number, that is a card number.
pub(crate) fn parse_card(value: &Val<'_>) -> Result<Pan, ()> {
    match value {
        Val::Str(s) => Pan::parse(s.as_str()),
        Val::Num(n) if n.as_u64().is_some() => Pan::parse(&n.text()),
        _ => return Err(()),
    }
    .map_err(|_| ())
}

impl Order {
    /// Notes the country and telephone fields of `billing` (`shipping`
    /// when `shipping`), as the app sent them.
    fn note_group(&mut self, shipping: bool, o: &Obj<'_>) {
        for e in o.entries() {
            match &e.val {
                Val::Str(s) => self.note(shipping, e.key.as_str(), s.as_str()),
                Val::Num(n) => self.note(shipping, e.key.as_str(), n.raw()),
                _ => {}
            }
        }
    }
}
