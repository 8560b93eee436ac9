//! The PAN detector: finds primary account numbers anywhere in a string.
//!
//! A card number can be written in many ways: `4111 1111 1111 1111`,
//! `4111-1111-1111-1111`, fullwidth or Arabic-Indic digits, zero-width
//! characters between digits, a dot or slash every few digits. The detector
//!
//! 1. classifies every character: a decimal digit (ASCII, any Unicode `Nd`
//!    digit, or anything whose NFKC form is digits, such as `①` or `¹`); an
//!    invisible character (format `Cf`, combining marks, variation selectors),
//!    which is skipped entirely; a separator (Unicode spaces and dashes, and
//!    `. / _ , : | \ + ( )` and their fullwidth forms); or a break;
//! 2. joins digit groups whose gaps hold at most [`MAX_GAP`] separators into
//!    runs;
//! 3. checks every window of consecutive groups holding 12 to 19 digits
//!    against the brand ranges with their lengths and the Luhn check.
//!
//! Windows always start and end at group boundaries, so a long order number
//! does not hide a PAN by accident, and a PAN glued to a CVV or an expiry
//! (`4111111111111111 12/29`) is still found. Two kinds of text that look
//! like digit runs are excluded: a group of at most three digits written
//! directly after `+` is a telephone country code, and a window starting
//! there is not a PAN if it has at most 15 digits (E.164's maximum; longer
//! ones are still checked); and UUIDs (`8-4-4-4-12` hex) are skipped.

use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Most separator characters allowed between two digit groups of one PAN.
pub const MAX_GAP: usize = 3;

/// Shortest and longest PAN the detector looks for.
pub const PAN_LENGTHS: std::ops::RangeInclusive<usize> = 12..=19;

/// Most digits in an international phone number (E.164), country code included.
pub const MAX_PHONE_DIGITS: usize = 15;

/// The text written in place of a PAN when a policy redacts instead of rejecting.
pub const REDACTION: &str = "[PAN REDACTED]";

/// First code point of every block of ten Unicode `Nd` digits.
const ND_ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
    // Added after Unicode 14: Garay, Sunuwar, Kawi, Myanmar Extended-C,
    // Gurung Khema, Kirat Rai, outlined digits, Nag Mundari, Ol Onal.
    0x10D40, 0x11BF0, 0x11F50, 0x116D0, 0x16130, 0x16D70, 0x1CCF0, 0x1E4F0, 0x1E5F1,
];

/// The value of a Unicode decimal digit, if `c` is one.
pub(crate) fn digit_value(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    if c.is_ascii() || c.general_category() != GeneralCategory::DecimalNumber {
        return None;
    }
    let cp = c as u32;
    ND_ZEROS
        .iter()
        .filter(|&&zero| zero <= cp && cp - zero < 10)
        .map(|&zero| (cp - zero) as u8)
        .next()
}

/// What one source character contributes to a digit run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    Digit(u8),
    Separator { plus: bool },
    Invisible,
    Break,
}

fn ascii_event(c: char) -> Event {
    match c {
        '0'..='9' => Event::Digit(c as u8 - b'0'),
        '+' => Event::Separator { plus: true },
        ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '-' | '.' | '/' | '_' | ',' | ':' | '|'
        | '\\' | '(' | ')' => Event::Separator { plus: false },
        _ => Event::Break,
    }
}

/// Classifies `c`, pushing its events (NFKC may turn one character into several).
fn classify(c: char, out: &mut Vec<Event>) {
    if c.is_ascii() {
        out.push(ascii_event(c));
        return;
    }
    if let Some(d) = digit_value(c) {
        out.push(Event::Digit(d));
        return;
    }
    use GeneralCategory as G;
    match c.general_category() {
        G::Format | G::NonspacingMark | G::EnclosingMark => {
            out.push(Event::Invisible);
            return;
        }
        G::SpaceSeparator | G::LineSeparator | G::ParagraphSeparator | G::DashPunctuation => {
            out.push(Event::Separator { plus: false });
            return;
        }
        _ => {}
    }
    if matches!(
        c,
        '\u{2212}' | '\u{00B7}' | '\u{2022}' | '\u{2027}' | '\u{30FB}' | '\u{3002}'
    ) {
        out.push(Event::Separator { plus: false });
        return;
    }
    if c.is_whitespace() {
        out.push(Event::Separator { plus: false });
        return;
    }
    let start = out.len();
    for folded in std::iter::once(c).nfkc() {
        let e = if folded.is_ascii() {
            ascii_event(folded)
        } else {
            digit_value(folded).map_or(Event::Break, Event::Digit)
        };
        if e == Event::Break {
            out.truncate(start);
            out.push(Event::Break);
            return;
        }
        out.push(e);
    }
    if out.len() == start {
        out.push(Event::Invisible);
    }
}

/// Whether `digits` (values 0–9) fall in a card brand's IIN range with one of
/// its PAN lengths. Ranges: UATP 1 (15); Mir 2200–2204 (16–19); Mastercard
/// 2221–2720 and 51–55 (16); American Express 34, 37 (15); Diners 300–305,
/// 3095, 36, 38–39 (14–19); JCB 3528–3589 (16–19); Visa 4 (13, 16, 19);
/// Maestro 50, 56–59 (16–19); Discover, UnionPay, RuPay, Maestro and others
/// under 6 (16–19); UnionPay and RuPay 81–82 (16–19); Troy 9792 (16).
pub(crate) fn in_brand_range(digits: &[u8]) -> bool {
    let n = digits.len();
    if n < 4 {
        return false;
    }
    let prefix = |k: usize| {
        digits[..k]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
    };
    let (p2, p3, p4) = (prefix(2), prefix(3), prefix(4));
    let long = (16..=19).contains(&n);
    match digits[0] {
        1 => n == 15,
        2 => ((2200..=2204).contains(&p4) && long) || ((2221..=2720).contains(&p4) && n == 16),
        3 => {
            ((p2 == 34 || p2 == 37) && n == 15)
                || (((300..=305).contains(&p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39)
                    && (14..=19).contains(&n))
                || ((3528..=3589).contains(&p4) && long)
        }
        4 => n == 13 || n == 16 || n == 19,
        5 => {
            ((51..=55).contains(&p2) && n == 16) || ((p2 == 50 || (56..=59).contains(&p2)) && long)
        }
        6 => long,
        8 => (p2 == 81 || p2 == 82) && long,
        9 => p4 == 9792 && n == 16,
        _ => false,
    }
}

/// The Luhn (mod 10) check over digit values.
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether `digits` is a plausible PAN: brand range, length and Luhn.
pub(crate) fn is_pan(digits: &[u8]) -> bool {
    PAN_LENGTHS.contains(&digits.len()) && in_brand_range(digits) && luhn_valid(digits)
}

/// Byte ranges of UUID-shaped substrings (`8-4-4-4-12` hex digits).
fn uuid_spans(s: &str) -> Vec<Range<usize>> {
    const SHAPE: [usize; 5] = [8, 4, 4, 4, 12];
    let b = s.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        let boundary_before = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let mut p = i;
        let mut ok = boundary_before;
        for (k, &len) in SHAPE.iter().enumerate() {
            if !ok {
                break;
            }
            ok = b[p..p + len].iter().all(u8::is_ascii_hexdigit);
            p += len;
            if k < 4 {
                ok = ok && b[p] == b'-';
                p += 1;
            }
        }
        ok = ok && (p == b.len() || !b[p].is_ascii_alphanumeric());
        if ok {
            spans.push(i..p);
            i = p;
        } else {
            i += 1;
        }
    }
    spans
}

struct Group {
    digits: Range<usize>,
    bytes: Range<usize>,
    after_plus: bool,
}

#[derive(Default)]
struct Run {
    digits: Vec<u8>,
    groups: Vec<Group>,
    gap: usize,
    /// The last separator seen was `+`, directly before the next digit.
    plus_adjacent: bool,
    in_group: bool,
}

impl Run {
    fn digit(&mut self, d: u8, bytes: Range<usize>) {
        if self.in_group {
            if let Some(g) = self.groups.last_mut() {
                g.digits.end += 1;
                g.bytes.end = bytes.end;
            }
        } else {
            let at = self.digits.len();
            self.groups.push(Group {
                digits: at..at + 1,
                bytes,
                after_plus: self.plus_adjacent,
            });
            self.in_group = true;
        }
        self.digits.push(d);
        self.gap = 0;
        self.plus_adjacent = false;
    }

    /// Returns false when the gap grew too long and the run must end.
    fn separator(&mut self, plus: bool) -> bool {
        self.in_group = false;
        self.gap += 1;
        self.plus_adjacent = plus;
        self.groups.is_empty() || self.gap <= MAX_GAP
    }

    fn finish(&mut self, found: &mut Vec<Range<usize>>) {
        let total: usize = self.digits.len();
        if total >= *PAN_LENGTHS.start() {
            for (i, first) in self.groups.iter().enumerate() {
                let country_code = first.after_plus && first.digits.len() <= 3;
                for last in &self.groups[i..] {
                    let len = last.digits.end - first.digits.start;
                    if len > *PAN_LENGTHS.end() {
                        break;
                    }
                    if country_code && len <= MAX_PHONE_DIGITS {
                        continue;
                    }
                    if is_pan(&self.digits[first.digits.start..last.digits.end]) {
                        found.push(first.bytes.start..last.bytes.end);
                    }
                }
            }
        }
        self.digits.clear();
        self.groups.clear();
        self.gap = 0;
        self.plus_adjacent = false;
        self.in_group = false;
    }
}

/// Cheap test that rules out most strings: fewer than 12 digits of any kind.
fn too_few_digits(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().filter(u8::is_ascii_digit).count() < *PAN_LENGTHS.start()
    } else {
        false
    }
}

/// Byte ranges of every PAN found in `s`, merged where they overlap, in order.
pub fn find_pans(s: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    if too_few_digits(s) {
        return found;
    }
    let uuids = uuid_spans(s);
    let mut run = Run::default();
    let mut events = Vec::with_capacity(4);
    for (at, c) in s.char_indices() {
        let bytes = at..at + c.len_utf8();
        events.clear();
        if uuids.iter().any(|u| u.contains(&at)) {
            events.push(Event::Break);
        } else {
            classify(c, &mut events);
        }
        for &e in &events {
            match e {
                Event::Digit(d) => run.digit(d, bytes.clone()),
                Event::Invisible => {}
                Event::Separator { plus } => {
                    if !run.separator(plus) {
                        run.finish(&mut found);
                        run.separator(plus);
                    }
                }
                Event::Break => run.finish(&mut found),
            }
        }
    }
    run.finish(&mut found);
    merge(found)
}

fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for r in spans {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Whether `s` contains a PAN anywhere.
pub fn contains_pan(s: &str) -> bool {
    !find_pans(s).is_empty()
}

/// `s` with every PAN replaced by [`REDACTION`], or `None` when it holds none.
pub fn redact(s: &str) -> Option<String> {
    let spans = find_pans(s);
    if spans.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for r in spans {
        out.push_str(&s[at..r.start]);
        out.push_str(REDACTION);
        at = r.end;
    }
    out.push_str(&s[at..]);
    Some(out)
}

#[cfg(test)]
#[path = "pan/tests.rs"]
mod tests;
