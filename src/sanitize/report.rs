//! What was done to a request, for audit records: a [`Report`] holds every
//! (path, action) pair, kept fields included, in the order applied.
//!
//! A path is recorded cheaply while the traversal runs (a [`Spot`]: a
//! [`Place`], which packs a group and a cart index into one word, with a
//! schema name) and rendered as a JSON pointer only when asked for.
//! Invariant: a path never holds a value; caller-chosen keys are shown
//! with their digits masked ([`ShownKey`]).

use super::path::{FieldPath, ShownKey};
use crate::schema;

/// What was done to one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Applied {
    /// Forwarded unchanged.
    Kept,
    /// Left out by the policy.
    Dropped,
    /// Left out because the policy does not name it.
    DroppedUnlisted,
    /// Email canonicalized and MD5-hashed.
    HashedEmail,
    /// `email.domain` filled from the address.
    FilledDomain,
    /// Username hashed into `account.username_md5`.
    HashedUsername,
    /// Card number truncated to IIN and last digits.
    TruncatedPan,
    /// HMAC of the card number written to a custom input.
    Fingerprinted,
    /// Replaced by its HMAC-SHA256.
    KeyedHash,
    /// `last_4_digits` forwarded as `last_digits`.
    RenamedLegacy,
    /// A given value replaced by one derived from a raw field.
    Superseded,
    /// A PAN replaced by `[PAN REDACTED]` (or the value dropped).
    RedactedPan,
    /// An app-supplied 8-digit IIN cut to 6 digits: with the 4 last digits it
    /// could have been most or all of a PAN shorter than 16 digits.
    NarrowedIin,
    /// An email address found in a kept string replaced by its MD5.
    HashedFoundEmail,
    /// An email address found in a kept string replaced by `[EMAIL REDACTED]`.
    RedactedEmail,
    /// A group or cart item left empty by sanitizing, not sent.
    DroppedEmpty,
    /// The request's own username found in another field, replaced by
    /// `account.username_md5`'s value.
    HashedUsernameEcho,
    /// The request's own username found in another field, replaced by
    /// `[USERNAME REDACTED]` (or the entry dropped, for a key).
    RedactedUsername,
    /// A value of a listed-values field that txveil's tables do not hold,
    /// forwarded under `unknown_enum = "forward"`.
    ForwardedUnknownEnum,
}

impl Applied {
    /// The name used in audit records.
    pub fn name(self) -> &'static str {
        match self {
            Applied::Kept => "keep",
            Applied::Dropped => "drop",
            Applied::DroppedUnlisted => "drop_unlisted",
            Applied::HashedEmail => "hash_email",
            Applied::FilledDomain => "fill_domain",
            Applied::HashedUsername => "hash_username",
            Applied::TruncatedPan => "truncate_pan",
            Applied::Fingerprinted => "fingerprint",
            Applied::KeyedHash => "keyed_hash",
            Applied::RenamedLegacy => "rename_legacy",
            Applied::Superseded => "superseded",
            Applied::RedactedPan => "redact_pan",
            Applied::NarrowedIin => "narrow_iin",
            Applied::HashedFoundEmail => "hash_found_email",
            Applied::RedactedEmail => "redact_email",
            Applied::DroppedEmpty => "drop_empty",
            Applied::HashedUsernameEcho => "hash_username_echo",
            Applied::RedactedUsername => "redact_username",
            Applied::ForwardedUnknownEnum => "forward_unknown_enum",
        }
    }
}

/// Where a report entry applies: a schema field, cheap to record and
/// rendered only when asked for, or a path already rendered.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Spot {
    /// `/group/name`, `/shopping_cart/i/name`, or `/name` (reports).
    Field(Place, &'static str),
    /// A field of `custom_inputs`, by its key as paths show it.
    Custom(ShownKey),
    /// Any other path, rendered when asked for.
    Path(FieldPath),
}

impl Spot {
    /// The path, appended to `out` as [`FieldPath`] writes it.
    pub(super) fn render_into(&self, out: &mut String) {
        match self {
            Spot::Field(place, name) => place.render_into(name, out),
            Spot::Custom(key) => custom_path(key, out),
            Spot::Path(p) => {
                use std::fmt::Write as _;
                let _ = write!(out, "{p}");
            }
        }
    }

    /// The path as a [`FieldPath`], for a rejection.
    pub(super) fn path(&self) -> FieldPath {
        match self {
            Spot::Field(place, name) => place.path().known(name),
            Spot::Custom(key) => FieldPath::root().known("custom_inputs").shown(*key),
            Spot::Path(p) => p.clone(),
        }
    }
}

/// An object the walk is in: its group and, for cart items, the index,
/// packed into one `Copy` word (the group's position in
/// [`schema::TRANSACTION_GROUPS`] above the index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Place(u64);

/// [`Place`]'s low half when the object is not a cart item.
const NO_INDEX: u64 = u32::MAX as u64;
/// [`Place`]'s high half when the object is not in a group.
const NO_GROUP: u64 = u32::MAX as u64;

impl Place {
    /// The top level of a request.
    pub(super) const TOP: Place = Place(NO_GROUP << 32 | NO_INDEX);

    /// The group at `position` in [`schema::TRANSACTION_GROUPS`].
    pub(super) fn in_group(position: usize) -> Place {
        let group = u64::try_from(position).map_or(NO_GROUP, |g| g.min(NO_GROUP));
        Place(group << 32 | NO_INDEX)
    }

    /// Item `i` of this place (a cart). An index beyond `u32` (no body
    /// holds four billion items) is shown as the largest one.
    pub(super) fn item(self, i: usize) -> Place {
        let i = u64::try_from(i).map_or(NO_INDEX - 1, |i| i.min(NO_INDEX - 1));
        Place(self.0 & !NO_INDEX | i)
    }

    pub(super) fn group(self) -> Option<&'static str> {
        usize::try_from(self.0 >> 32)
            .ok()
            .and_then(|g| schema::TRANSACTION_GROUPS.get(g))
            .copied()
    }

    pub(super) fn index(self) -> Option<usize> {
        let i = self.0 & NO_INDEX;
        (i != NO_INDEX).then(|| usize::try_from(i).unwrap_or(usize::MAX))
    }

    /// The object's own path.
    pub(super) fn path(self) -> FieldPath {
        let mut p = FieldPath::root();
        if let Some(g) = self.group() {
            p = p.known(g);
        }
        if let Some(i) = self.index() {
            p = p.index(i);
        }
        p
    }

    /// `/group/index/name`, appended to `out` directly: the group and the
    /// name are schema names, which need no JSON pointer escaping (a test
    /// holds every schema name to that).
    pub(super) fn render_into(self, name: &'static str, out: &mut String) {
        use std::fmt::Write as _;
        if let Some(g) = self.group() {
            out.push('/');
            out.push_str(g);
        }
        if let Some(i) = self.index() {
            let _ = write!(out, "/{i}");
        }
        out.push('/');
        out.push_str(name);
    }
}

/// What was done to a request, for audit records: every (path, action) pair,
/// kept fields included. Paths are JSON pointers with caller-chosen keys
/// masked; never a value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub(super) entries: Vec<(Spot, Applied)>,
}

impl Report {
    pub(super) fn push(&mut self, path: FieldPath, applied: Applied) {
        self.entries.push((Spot::Path(path), applied));
    }

    /// Records a schema field, by its place and name: rendered only when
    /// asked for.
    pub(super) fn push_field(&mut self, place: Place, name: &'static str, applied: Applied) {
        self.entries.push((Spot::Field(place, name), applied));
    }

    pub(super) fn push_spot(&mut self, spot: Spot, applied: Applied) {
        self.entries.push((spot, applied));
    }

    /// Every (path, action) pair, in the order applied.
    pub fn entries(&self) -> Vec<(String, Applied)> {
        self.entries
            .iter()
            .map(|(spot, applied)| (render(spot), *applied))
            .collect()
    }

    /// Where `other` (another policy's report on the same request) treats
    /// paths differently from this one: each such path with `other`'s action,
    /// or `None` where `other` did nothing to a path this report has. Sorted
    /// by path; only these paths are rendered.
    pub fn differences(&self, other: &Report) -> Vec<(String, Option<Applied>)> {
        let mut mine: std::collections::HashMap<&Spot, Applied> =
            self.entries.iter().map(|(s, a)| (s, *a)).collect();
        let mut theirs = Vec::new();
        for (spot, applied) in &other.entries {
            if mine.get(spot) == Some(applied) {
                mine.remove(spot);
            } else {
                theirs.push((render(spot), *applied));
            }
        }
        let mut left: std::collections::BTreeMap<String, Applied> =
            mine.into_iter().map(|(s, a)| (render(s), a)).collect();
        let mut out: std::collections::BTreeMap<String, Option<Applied>> =
            std::collections::BTreeMap::new();
        for (path, applied) in theirs {
            // The same path may be recorded in another form in each report.
            if left.get(&path) == Some(&applied) {
                left.remove(&path);
            } else {
                left.remove(&path);
                out.insert(path, Some(applied));
            }
        }
        out.extend(left.into_keys().map(|p| (p, None)));
        out.into_iter().collect()
    }

    /// The pairs whose action is not [`Applied::Kept`], in the order applied:
    /// what sanitizing changed.
    pub fn changes(&self) -> impl Iterator<Item = (String, Applied)> + '_ {
        self.entries
            .iter()
            .filter(|(_, a)| *a != Applied::Kept)
            .map(|(spot, applied)| (render(spot), *applied))
    }

    /// Calls `f` with each pair whose action is not [`Applied::Kept`], in
    /// the order applied, as [`Report::changes`] yields them; every path is
    /// rendered into one reused buffer.
    pub fn each_change(&self, mut f: impl FnMut(&str, Applied)) {
        let mut path = String::with_capacity(64);
        for (spot, applied) in self.entries.iter().filter(|(_, a)| *a != Applied::Kept) {
            path.clear();
            spot.render_into(&mut path);
            f(&path, *applied);
        }
    }

    /// How many fields were forwarded unchanged.
    pub fn kept(&self) -> usize {
        self.entries
            .iter()
            .filter(|(_, a)| *a == Applied::Kept)
            .count()
    }
}

/// `/custom_inputs/<key>`, as [`FieldPath`] writes it, appended to `out`.
pub(super) fn custom_path(key: &ShownKey, out: &mut String) {
    out.push_str("/custom_inputs/");
    // Writing into a String cannot fail.
    let _ = key.write_to(out);
}

pub(super) fn render(spot: &Spot) -> String {
    let mut out = String::with_capacity(48);
    spot.render_into(&mut out);
    out
}
