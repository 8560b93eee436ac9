//! Unkeyed digests of a card beside the truncation the app sent.
//!
//! minFraud's own clients send a card as `credit_card.issuer_id_number` and
//! `credit_card.last_digits`, never the number. When the app also sends an
//! unkeyed digest of the card (an MD5, SHA-1, SHA-256 or SHA-512 of its
//! digits: the "card fingerprint" or token many apps compute) in any kept
//! value, the two together give the card back: a 16-digit card with 6 + 4
//! digits known has 10^5 Luhn-valid candidates, hashed in well under a
//! second. PCI DSS 3.5.1 requires that hashed and truncated forms of one PAN
//! cannot be correlated.
//!
//! With the card itself in the request, its digests are looked for directly
//! ([`super::echo::Card::find_digest`]). Without it, a value that has a
//! digest's shape ([`shapes`]: hex of 16, 20, 32 or 64 bytes in either case,
//! or their base64, standard or URL-safe, padded or not) is tested against
//! every Luhn-valid card consistent with the truncation, for each length the
//! IIN's brand issues where the candidates are at most
//! [`MAX_CANDIDATES`] ([`Truncated`]). A match is the card found.
//!
//! Cost: nothing unless the request carries the app's truncation; then one
//! pass over the request's strings and keys for a digest's shape
//! ([`Truncated::search_request`]); and only when one is found, one pass
//! over the candidates, each hashed once per algorithm that one of the
//! request's digests has, its digest's leading 8 bytes looked up among
//! theirs. That pass is about 10^5 hashes for a 16-digit card: hundreds of
//! times what the rest of a request costs. The policy's
//! `card_digest_search` says which values are searched; by default not
//! `account.username_md5` and an MD5 `email.address`, which minFraud's
//! clients send beside the truncation with most cards (SECURITY.md).

use std::cell::RefCell;
use std::ops::Range;

use md5::Digest as _;
use zeroize::Zeroizing;

use super::doc::{Obj, Val};
use super::pan::brand;
use super::report::Spot;
use super::{Applied, Rejection};
use crate::policy::{Action, CardDigestSearch, OnPan, Section};
use crate::schema::Ty;

/// Most candidates tested for one length of the card: every length of 16
/// digits or fewer beside an IIN of 6 and the last 4, and 18 or fewer beside
/// an IIN of 8. Longer cards (17-19 digits beside 6 + 4: 10^6 to 10^8
/// candidates) are not tested (SECURITY.md says what that leaves).
pub(crate) const MAX_CANDIDATES: u64 = 100_000;

/// A digest algorithm apps use for card tokens and fingerprints, told apart
/// by its output's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Algo {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

impl Algo {
    const ALL: [Algo; 4] = [Algo::Md5, Algo::Sha1, Algo::Sha256, Algo::Sha512];

    /// The algorithm whose digests are `n` bytes long.
    fn of_len(n: usize) -> Option<Algo> {
        match n {
            16 => Some(Algo::Md5),
            20 => Some(Algo::Sha1),
            32 => Some(Algo::Sha256),
            64 => Some(Algo::Sha512),
            _ => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The digest of `msg` (at most 64 bytes are used of `out`); its
    /// length.
    fn hash(self, msg: &[u8], out: &mut [u8; 64]) -> usize {
        fn put(out: &mut [u8; 64], d: &[u8]) -> usize {
            out[..d.len()].copy_from_slice(d);
            d.len()
        }
        match self {
            Algo::Md5 => put(out, &md5::Md5::digest(msg)),
            Algo::Sha1 => put(out, &sha1::Sha1::digest(msg)),
            Algo::Sha256 => put(out, &sha2::Sha256::digest(msg)),
            Algo::Sha512 => put(out, &sha2::Sha512::digest(msg)),
        }
    }
}

/// A value's stretch that has a digest's shape, and the bytes it spells.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) at: Range<usize>,
    algo: Algo,
    bytes: Zeroizing<Vec<u8>>,
}

/// Shortest text a digest is written in: an MD5 in base64 without padding.
const SHAPE_MIN: usize = 22;

/// The stretches of `text` that have a digest's shape: a whole run of hex
/// digits (bounded by characters that are not hex digits) of 32, 40, 64 or
/// 128 characters, or a whole run of base64 characters (standard or
/// URL-safe alphabet) of 22, 27, 43 or 86 characters, followed by the
/// padding its length asks for or by none, whose unused low bits are zero
/// (as an encoder writes them). Linear in `text`.
pub(crate) fn shapes(text: &[u8]) -> Vec<Shape> {
    let mut out = Vec::new();
    if !has_long_run(text) {
        return out;
    }
    for run in runs(text, |c| c.is_ascii_hexdigit()) {
        if matches!(run.len(), 32 | 40 | 64 | 128) {
            let bytes = Zeroizing::new(
                text[run.clone()]
                    .chunks(2)
                    .map(|p| (hex_value(p[0]) << 4) | hex_value(p[1]))
                    .collect::<Vec<u8>>(),
            );
            if let Some(algo) = Algo::of_len(bytes.len()) {
                out.push(Shape {
                    at: run,
                    algo,
                    bytes,
                });
            }
        }
    }
    for url in [false, true] {
        let in_alphabet = |c: u8| base64_value(c, url).is_some();
        for run in runs(text, in_alphabet) {
            let (bytes_len, pad) = match run.len() {
                22 => (16, 2),
                27 => (20, 1),
                43 => (32, 1),
                86 => (64, 2),
                _ => continue,
            };
            let after = &text[run.end..];
            let padded = after.iter().take_while(|&&c| c == b'=').count();
            if padded != 0 && padded != pad {
                continue;
            }
            let Some(bytes) = base64_decode(&text[run.clone()], url, bytes_len) else {
                continue;
            };
            // A run in both alphabets (no `+`, `/`, `-` or `_`) once.
            if url && out.iter().any(|s| s.at == run) {
                continue;
            }
            if let Some(algo) = Algo::of_len(bytes.len()) {
                out.push(Shape {
                    at: run.start..run.end + padded,
                    algo,
                    bytes,
                });
            }
        }
    }
    out
}

/// Whether `text` has [`SHAPE_MIN`] bytes in a row of the base64 alphabets
/// (standard and URL-safe, which hold the hex digits): the least every
/// digest's shape needs. One pass; most strings have no such run.
fn has_long_run(text: &[u8]) -> bool {
    if text.len() < SHAPE_MIN {
        return false;
    }
    let mut run = 0;
    for &c in text {
        if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_') {
            run += 1;
            if run == SHAPE_MIN {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// The maximal runs of bytes of `text` for which `inside` holds.
fn runs<'t>(
    text: &'t [u8],
    inside: impl Fn(u8) -> bool + 't,
) -> impl Iterator<Item = Range<usize>> + 't {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < text.len() && !inside(text[at]) {
            at += 1;
        }
        if at >= text.len() {
            return None;
        }
        let start = at;
        while at < text.len() && inside(text[at]) {
            at += 1;
        }
        Some(start..at)
    })
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c.to_ascii_lowercase().wrapping_sub(b'a') + 10,
    }
}

/// The value of `c` in the standard base64 alphabet (`url`: the URL-safe
/// one).
fn base64_value(c: u8, url: bool) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' if !url => Some(62),
        b'/' if !url => Some(63),
        b'-' if url => Some(62),
        b'_' if url => Some(63),
        _ => None,
    }
}

/// The `n` bytes that the unpadded base64 `run` spells, when the bits past
/// them are zero.
fn base64_decode(run: &[u8], url: bool, n: usize) -> Option<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::with_capacity(n + 2));
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in run {
        acc = (acc << 6) | u32::from(base64_value(c, url)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (out.len() == n && acc == 0).then_some(out)
}

/// The truncation the app sent (`credit_card.issuer_id_number` and
/// `credit_card.last_digits`, kept by the policy, without
/// `credit_card.number`), and the cards it allows: each of the IIN brand's
/// lengths whose Luhn-valid candidates are at most [`MAX_CANDIDATES`].
pub(crate) struct Truncated {
    /// The first and the last digits, as ASCII.
    iin: Zeroizing<Vec<u8>>,
    last: Zeroizing<Vec<u8>>,
    /// The lengths tested.
    lengths: Vec<usize>,
    /// Every digest searched for so far, sorted, and whether it is the
    /// digest of a candidate ([`Truncated::search`]).
    searched: RefCell<Vec<(Zeroizing<Vec<u8>>, bool)>>,
    /// Whether [`Truncated::search_request`] found no digest's shape in
    /// the request: then no value the traversal reads has one.
    none_in_request: std::cell::Cell<bool>,
    /// Whether `account.username_md5` and an `email.address` sent as an
    /// MD5 are searched too (the MD5s minFraud's clients send with most
    /// cards).
    client_md5s: bool,
}

impl Truncated {
    /// The truncation in the `credit_card` group `o` under `section`, when
    /// both its fields are kept and hold an IIN of 6 or 8 digits and 2 to 4
    /// last digits of a brand's card.
    pub(crate) fn of_group(
        section: &Section,
        o: &Obj<'_>,
        search: CardDigestSearch,
    ) -> Option<Truncated> {
        if search == CardDigestSearch::Off {
            return None;
        }
        let kept = |name: &str| {
            section
                .rule(Some("credit_card"), name)
                .is_some_and(|r| matches!(r.action, Action::Keep))
        };
        let digits = |name: &str| -> Option<Zeroizing<Vec<u8>>> {
            if !kept(name) {
                return None;
            }
            let text = match o.get(name)? {
                Val::Str(s) => s.as_str(),
                Val::Num(n) => n.raw(),
                _ => return None,
            };
            let b = text.as_bytes();
            (!b.is_empty() && b.iter().all(u8::is_ascii_digit)).then(|| Zeroizing::new(b.to_vec()))
        };
        let iin = digits("issuer_id_number")?;
        let last = digits("last_digits").or_else(|| digits("last_4_digits"))?;
        let mut t = Truncated::new(&iin, &last)?;
        t.client_md5s = search == CardDigestSearch::AllFields;
        Some(t)
    }

    /// The truncation of `iin` (6 or 8 ASCII digits) and `last` (2 to 4),
    /// or `None` when they do not fit one or its brand issues no length
    /// with few enough candidates.
    pub(crate) fn new(iin: &[u8], last: &[u8]) -> Option<Truncated> {
        let ascii_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
        if !matches!(iin.len(), 6 | 8)
            || !(2..=4).contains(&last.len())
            || !ascii_digits(iin)
            || !ascii_digits(last)
        {
            return None;
        }
        let lengths: Vec<usize> = super::pan::PAN_LENGTHS
            .filter(|&n| n >= iin.len() + last.len())
            .filter(|&n| {
                let mut card: Vec<u8> = iin.iter().map(|c| c - b'0').collect();
                card.resize(n, 0);
                brand::in_brand_range(&card)
            })
            .filter(|&n| candidates(n - iin.len() - last.len()) <= MAX_CANDIDATES)
            .collect();
        if lengths.is_empty() {
            return None;
        }
        Some(Truncated {
            iin: Zeroizing::new(iin.to_vec()),
            last: Zeroizing::new(last.to_vec()),
            lengths,
            searched: RefCell::default(),
            none_in_request: std::cell::Cell::new(false),
            client_md5s: true,
        })
    }

    /// Whether the traversal reads a value of type `ty` for digests.
    pub(crate) fn reads_type(&self, ty: Ty) -> bool {
        !matches!(ty, Ty::Iin | Ty::LastDigits)
            && (self.client_md5s || !matches!(ty, Ty::Md5 | Ty::Email))
    }

    /// Whether the traversal reads the field `key` of `group` for digests
    /// ([`Truncated::reads_type`]).
    fn reads(&self, group: &str, key: &str) -> bool {
        self.client_md5s
            || !matches!(
                (group, key),
                ("account", "username_md5") | ("email", "address")
            )
    }

    /// The lengths of card tested.
    #[cfg(test)]
    pub(crate) fn lengths(&self) -> &[usize] {
        &self.lengths
    }

    /// How many candidates are hashed per algorithm (at most).
    #[cfg(test)]
    pub(crate) fn candidate_count(&self) -> u64 {
        self.lengths
            .iter()
            .map(|&n| candidates(n - self.iin.len() - self.last.len()))
            .sum()
    }

    /// The byte range of `text` where a digest of a card consistent with
    /// the truncation stands ([`shapes`]).
    pub(crate) fn find(&self, text: &str) -> Option<Range<usize>> {
        if self.none_in_request.get() || text.len() < SHAPE_MIN {
            return None;
        }
        shapes(text.as_bytes())
            .into_iter()
            .find(|s| self.is_card_digest(s))
            .map(|s| s.at)
    }

    /// Searches, in one pass over the candidates ([`Truncated::search`]),
    /// for every digest-shaped string value and key of the request `input`
    /// that the traversal reads ([`super::echo_search::EchoSearch::truncated_digest`]),
    /// so that each candidate is hashed once per algorithm however many
    /// digests the request holds.
    pub(crate) fn search_request(&self, input: &Obj<'_>) {
        fn strings(v: &Val<'_>, out: &mut Vec<Shape>) {
            match v {
                Val::Str(s) => out.extend(shapes(s.as_str().as_bytes())),
                Val::Arr(items) => items.iter().for_each(|item| strings(item, out)),
                Val::Obj(o) => {
                    for e in o.entries() {
                        out.extend(shapes(e.key.as_str().as_bytes()));
                        strings(&e.val, out);
                    }
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        for entry in input.entries() {
            match (&entry.val, crate::schema::group(entry.key.as_str())) {
                (Val::Obj(o), Some(group)) => {
                    for e in o.entries() {
                        if !self.reads(group, e.key.as_str()) {
                            continue;
                        }
                        out_key(&mut found, e.key.as_str());
                        strings(&e.val, &mut found);
                    }
                }
                _ => {
                    out_key(&mut found, entry.key.as_str());
                    strings(&entry.val, &mut found);
                }
            }
        }
        self.none_in_request.set(found.is_empty());
        self.search(&found);
    }

    /// Whether `shape` spells the digest of one of the candidates: known
    /// when the request's digests were searched for together
    /// ([`Truncated::search_request`]), else searched for alone.
    fn is_card_digest(&self, shape: &Shape) -> bool {
        if let Some(hit) = self.searched_for(&shape.bytes) {
            return hit;
        }
        self.search(std::slice::from_ref(shape));
        self.searched_for(&shape.bytes).unwrap_or(false)
    }

    /// Whether `digest` is a candidate's, when it was searched for.
    fn searched_for(&self, digest: &[u8]) -> Option<bool> {
        let searched = self.searched.borrow();
        searched
            .binary_search_by(|(d, _)| d[..].cmp(digest))
            .ok()
            .map(|i| searched[i].1)
    }

    /// Searches for the digests of `shapes` not searched for yet, all in
    /// one pass over the candidates: each candidate is hashed once under
    /// each algorithm that one of them has, and its digest's leading 8
    /// bytes looked up among theirs (sorted); only an equal lead compares
    /// the whole digest.
    pub(crate) fn search(&self, shapes: &[Shape]) {
        let mut wanted: [Vec<(u64, usize)>; 4] = Default::default();
        for (i, shape) in shapes.iter().enumerate() {
            if self.searched_for(&shape.bytes).is_none() {
                wanted[shape.algo.index()].push((lead(&shape.bytes), i));
            }
        }
        if wanted.iter().all(Vec::is_empty) {
            return;
        }
        for w in &mut wanted {
            w.sort_unstable();
        }
        let mut found = vec![false; shapes.len()];
        let mut out = Zeroizing::new([0u8; 64]);
        self.each_candidate(|card| {
            for algo in Algo::ALL {
                let w = &wanted[algo.index()];
                if w.is_empty() {
                    continue;
                }
                let n = algo.hash(card, &mut out);
                let key = lead(&out[..]);
                let from = w.partition_point(|&(k, _)| k < key);
                for &(_, i) in w[from..].iter().take_while(|&&(k, _)| k == key) {
                    if out[..n] == shapes[i].bytes[..] {
                        found[i] = true;
                    }
                }
            }
        });
        let mut searched = self.searched.borrow_mut();
        for &(_, i) in wanted.iter().flatten() {
            searched.push((shapes[i].bytes.clone(), found[i]));
        }
        searched.sort_by(|a, b| a.0[..].cmp(&b.0[..]));
        searched.dedup_by(|a, b| a.0 == b.0);
    }

    /// Calls `f` with every Luhn-valid card (ASCII digits) of the tested
    /// lengths that starts with the IIN and ends with the last digits, in
    /// one buffer: the middle digits but the one next to the last digits
    /// run through every value, and that one is the digit the Luhn check
    /// asks for.
    pub(crate) fn each_candidate(&self, mut f: impl FnMut(&[u8])) {
        let mut buf = Zeroizing::new([0u8; 19]);
        let (a, l) = (self.iin.len(), self.last.len());
        for &n in &self.lengths {
            let card = &mut buf[..n];
            card[..a].copy_from_slice(&self.iin);
            card[n - l..].copy_from_slice(&self.last);
            // Weight of the digit at `p`: doubled every second place from
            // the check digit (the last).
            let doubled = |p: usize| (n - 1 - p) % 2 == 1;
            let value = |p: usize, c: u8| luhn_value(c - b'0', doubled(p));
            let fixed: u32 = (0..a).chain(n - l..n).map(|p| value(p, card[p])).sum();
            if n == a + l {
                if fixed.is_multiple_of(10) {
                    f(card);
                }
                continue;
            }
            // The free middle digits (`a..solved`) count up from all zeros.
            let solved = n - l - 1;
            card[a..solved].fill(b'0');
            loop {
                let sum = fixed + (a..solved).map(|p| value(p, card[p])).sum::<u32>();
                let need = ((10 - sum % 10) % 10) as u8;
                card[solved] = b'0' + luhn_digit(need, doubled(solved));
                f(card);
                // Next: the rightmost free digit that is not 9 goes up one,
                // the ones after it back to 0; none left ends the length.
                match (a..solved).rev().find(|&p| card[p] != b'9') {
                    Some(p) => {
                        card[p] += 1;
                        card[p + 1..solved].fill(b'0');
                    }
                    None => break,
                }
            }
        }
    }
}

/// The digest shapes of a key.
fn out_key(out: &mut Vec<Shape>, key: &str) {
    out.extend(shapes(key.as_bytes()));
}

/// Luhn-valid cards with `middle` hidden digits: one in ten of their values.
fn candidates(middle: usize) -> u64 {
    match middle {
        0 => 1,
        m => 10u64.saturating_pow(u32::try_from(m - 1).unwrap_or(u32::MAX)),
    }
}

/// What digit `d` adds to a Luhn sum (`doubled`: at a doubled place).
fn luhn_value(d: u8, doubled: bool) -> u32 {
    let d = u32::from(d);
    match (doubled, d * 2) {
        (false, _) => d,
        (true, x) if x > 9 => x - 9,
        (true, x) => x,
    }
}

/// The digit that adds `need` (0-9) to a Luhn sum ([`luhn_value`] is one to
/// one on the digits at either kind of place).
fn luhn_digit(need: u8, doubled: bool) -> u8 {
    const DOUBLED: [u8; 10] = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
    if doubled {
        DOUBLED[usize::from(need)]
    } else {
        need
    }
}

/// The leading 8 bytes of a digest.
fn lead(d: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_be_bytes(b)
}

impl super::echo_search::EchoSearch<'_, '_> {
    /// A digest of the card in `value` or in `key` (a custom input's key)
    /// of a field of type `ty` ([`Truncated::find`]; txveil's own hashes
    /// in `computed` and the truncation's own fields are not read): the
    /// card found (`on_pan`), the request refused naming the rule `digest`,
    /// or under `redact` the entry left out (its spot and what is recorded
    /// returned).
    pub(super) fn truncated_digest(
        &self,
        truncated: &Truncated,
        ty: Ty,
        key: Option<&str>,
        value: &Val<'_>,
        computed: &[&str],
        spot: impl Fn() -> Spot,
    ) -> Result<Option<(Spot, Applied)>, Rejection> {
        if !truncated.reads_type(ty) {
            return Ok(None);
        }
        let in_value = match value {
            Val::Str(s) => {
                let s = s.as_str();
                !computed.contains(&s) && truncated.find(s).is_some()
            }
            _ => false,
        };
        if !(in_value || key.is_some_and(|k| truncated.find(k).is_some())) {
            return Ok(None);
        }
        match self.policy.on_pan() {
            OnPan::Reject => Err(Rejection::pan(spot().path(), RULE)),
            OnPan::Redact => Ok(Some((spot(), Applied::RedactedPan))),
        }
    }
}

/// The rule a digest of the card beside the app's truncation answers to.
pub(crate) const RULE: &str = "digest";

#[cfg(test)]
mod tests;
