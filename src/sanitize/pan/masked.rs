//! A card printed masked that shows more of itself than a truncation may.
//!
//! Receipts, back offices and payment pages print cards masked:
//! `411111******1111`, `5555 55** **** 4444`, `**** **** **** 1111`. The
//! PCI DSS allows at most the first 6 and last 4 digits of a card to be
//! shown together, and the first 8 with the last 4 only for a card of 16
//! digits or more. A masked form that shows more gives the card away:
//! `42222222*2222` is 12 of the 13 digits of a Visa card, and the Luhn check
//! digit gives back the one hidden.
//!
//! A masked form here is, as a whole token (no letter or digit touching
//! it):
//! - the first digits: the group right before the mask, and the groups of
//!   four before it, joined by one space, `-` or `.` (`4222 2222`);
//! - the mask: `*`, `#`, `•`, `●`, `∙`, `…`, `x` or `X`, or two or more
//!   `.`, in groups joined the same way (a lone `x` between short numbers,
//!   `1920x1080`, shows too few first digits to name a brand);
//! - the last digits: the digits right after the mask, or the group after
//!   one separator.
//!
//! A `-` or `.` joining the form to letters or digits beyond
//! (`ORD-12345678-****-2222`) makes it part of a longer id, not a card.
//!
//! Two or more of one mask character stand for one digit each: the card has
//! as many digits as the form, when its brand issues that length
//! (`4222 2222 **** 2222` is taken for a 16-digit Visa card, as the request's
//! own card under `iin = 8` is shown). One mask character, mixed ones, `…`,
//! or a count that gives no length the brand issues stand for any number:
//! the card may have any length its brand issues (the brand table's, by the
//! first digits) that leaves a digit hidden.
//!
//! The first and last digits may also be written apart, each after its
//! word, in one text: `bin 42222222 last4 2222`, `BIN: 42222222, ending
//! 2222` ([`worded`]); they are then read as a form with a mask of any
//! length.
//!
//! The form is a card found when, for one of those lengths, it shows more
//! than six first digits of a card shorter than 16, more than eight first
//! digits, or more than four last ones. Forms with fewer than six first
//! digits do not say the brand and show no more than a truncation does.

use super::brand;
use crate::sanitize::context::words as context_words;
use crate::sanitize::decode::{unit_origin, Unit};
use std::ops::Range;

/// The most first digits a truncation shows: 8 for a card of 16 digits or
/// more, 6 otherwise; and the most last digits, 4.
const FIRST_MAX_LONG: usize = 8;
const FIRST_MAX_SHORT: usize = 6;
const LAST_MAX: usize = 4;

/// The fewest digits a form that shows more than a truncation may holds:
/// 7 first and 4 last, or 6 and 5.
pub(super) const MIN_DIGITS_SHOWN: usize = 11;

/// The length from which a card's truncation may show 8 first digits.
const LONG_CARD: usize = 16;

/// A digit's value: ASCII and fullwidth digits, the two [`may_hold`] sees
/// on the bytes (a masked form in other scripts' digits is not read).
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{ff10}'..='\u{ff19}' => Some((u32::from(c) - 0xff10) as u8),
        _ => None,
    }
}

fn is_mask(c: char) -> bool {
    matches!(
        c,
        '*' | '#' | '\u{2022}' | '\u{25cf}' | '\u{2219}' | '\u{2026}' | '\u{ff0a}' | 'x' | 'X'
    )
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '\u{a0}')
}

/// A separator that joins a token to what follows (`ORD-1234`), unlike a
/// space, which ends it.
fn joins(c: char) -> bool {
    matches!(c, '-' | '.')
}

/// The bytes of a mask character ([`Chars::mask_at`]) starting at byte
/// `i` of `b`, or `None`.
fn mask_char_at(b: &[u8], i: usize) -> Option<usize> {
    let at = |k: usize| b.get(k).copied();
    match at(i)? {
        b'*' | b'#' | b'x' | b'X' => Some(1),
        b'.' => (at(i + 1) == Some(b'.') || (i > 0 && b[i - 1] == b'.')).then_some(1),
        0xE2 => matches!(
            (at(i + 1), at(i + 2)),
            (Some(0x80), Some(0xA2 | 0xA6)) | (Some(0x97), Some(0x8F)) | (Some(0x88), Some(0x99))
        )
        .then_some(3),
        0xEF => (at(i + 1) == Some(0xBC) && at(i + 2) == Some(0x8A)).then_some(3),
        _ => None,
    }
}

/// Whether the character ending right before byte `i` of `b` is a digit
/// (ASCII or fullwidth).
fn digit_before(b: &[u8], i: usize) -> bool {
    (i >= 1 && b[i - 1].is_ascii_digit())
        || (i >= 3 && b[i - 3] == 0xEF && b[i - 2] == 0xBC && (0x90..=0x99).contains(&b[i - 1]))
}

/// Whether `text` may hold a masked form: a mask character right after a
/// digit, or after a separator right after one (where [`find`] starts
/// reading a form).
pub(super) fn may_hold(b: &[u8]) -> bool {
    let starts = |i: usize| {
        mask_char_at(b, i).is_some()
            && (digit_before(b, i)
                || (i >= 1 && matches!(b[i - 1], b' ' | b'-' | b'.') && digit_before(b, i - 1))
                || (i >= 2 && b[i - 2..i] == [0xC2, 0xA0] && digit_before(b, i - 2)))
    };
    // Every mask character's first byte is one of these.
    memchr::memchr3_iter(b'*', b'#', b'.', b).any(starts)
        || memchr::memchr2_iter(b'x', b'X', b).any(starts)
        || memchr::memchr2_iter(0xE2, 0xEF, b).any(starts)
}

/// The characters of a text, as the form is read in them.
struct Chars(Vec<(usize, char)>);

impl Chars {
    fn at(&self, i: usize) -> Option<char> {
        self.0.get(i).map(|&(_, c)| c)
    }

    fn digit_at(&self, i: usize) -> bool {
        self.at(i).and_then(digit).is_some()
    }

    /// Whether character `i` is a mask character: one of [`is_mask`], or
    /// a dot beside another dot.
    fn mask_at(&self, i: usize) -> bool {
        match self.at(i) {
            Some('.') => self.at(i + 1) == Some('.') || (i > 0 && self.at(i - 1) == Some('.')),
            Some(c) => is_mask(c),
            None => false,
        }
    }
}

/// Byte ranges of the original string where a reading of it (`views`:
/// percent, entity or escape decoded) holds a masked form that shows more
/// than a truncation may (`4222%202222%20%2A%2A%2A%2A%202222` as Python's
/// `quote` writes it).
pub(super) fn find_in_views(views: &[Vec<Unit>], key: Option<&str>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for view in views {
        let read: String = view.iter().map(|(c, _)| *c).collect();
        let found = find(&read, key);
        if found.is_empty() {
            continue;
        }
        // Byte offsets of `read` to the indices of `view`'s characters.
        let starts: Vec<usize> = read.char_indices().map(|(b, _)| b).collect();
        let index = |b: usize| starts.partition_point(|&s| s < b);
        for r in found {
            out.push(unit_origin(&view[index(r.start)..index(r.end)]));
        }
    }
    out
}

/// Whether `text` may hide a mask in an encoding: a percent-encoded or
/// character-reference `*`, `#` or `•` (the readings are made only then
/// for a string with too few digits for a card).
pub(super) fn may_hide(text: &str) -> bool {
    let b = text.as_bytes();
    let ci = |needle: &[u8]| {
        memchr::memchr2_iter(b'%', b'&', b).any(|i| {
            b.get(i + 1..i + 1 + needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        })
    };
    ci(b"2a") || ci(b"23") || ci(b"e2%80%a2") || ci(b"ast;") || ci(b"#42") || ci(b"#x2a")
}

/// Words before a card's first digits, and before its last digits, in
/// ASCII lower case (longer ones first).
const FIRST_WORDS: [&str; 2] = ["bin", "iin"];
const LAST_WORDS: [&str; 8] = [
    "last 4 digits",
    "last four",
    "last 4",
    "last4",
    "ending in",
    "ends in",
    "ending",
    "ends",
];

/// Byte ranges of `text` holding a masked form that shows more than a
/// truncation may (see the module's documentation); `key`, the field's
/// caller-chosen key, is read for a card word.
pub(super) fn find(text: &str, key: Option<&str>) -> Vec<Range<usize>> {
    let mut out = worded(text);
    if !may_hold(text.as_bytes()) {
        return out;
    }
    out.extend(masked(text, key));
    out
}

/// The card's first digits after a word naming them (`bin`, `iin`) and its
/// last digits after a word naming them (`last4`, `ending`), in one text:
/// the stretch from the first to the last, when together they show more
/// than a truncation may ([`Form::shows_too_much`], the mask of any
/// length).
fn worded(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    // Both first words end in `n`: most texts have no `bin` or `iin`.
    let named = memchr::memchr2_iter(b'n', b'N', b).any(|i| {
        i >= 2
            && FIRST_WORDS
                .iter()
                .any(|w| b[i - 2..=i].eq_ignore_ascii_case(w.as_bytes()))
    });
    if !named {
        return Vec::new();
    }
    let Some((first, first_at)) = after_word(b, &FIRST_WORDS, 6..=9) else {
        return Vec::new();
    };
    let Some((last, last_at)) = after_word(b, &LAST_WORDS, 4..=5) else {
        return Vec::new();
    };
    let form = Form {
        first,
        last: last.len(),
        hidden: None,
        lone: false,
        start: 0,
        end: 0,
    };
    if !form.shows_too_much() {
        return Vec::new();
    }
    let stretch = first_at.start.min(last_at.start)..first_at.end.max(last_at.end);
    std::iter::once(stretch).collect()
}

/// The first run of `digits` ASCII digits (values 0-9) standing alone
/// after one of `words` (case aside, the word not inside a longer one),
/// with at most three of ` :=#-` between them; and its bytes.
fn after_word(
    b: &[u8],
    words: &[&str],
    digits: std::ops::RangeInclusive<usize>,
) -> Option<(Vec<u8>, Range<usize>)> {
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let Some(w) = words.iter().find(|w| {
            b.get(i..i + w.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(w.as_bytes()))
        }) else {
            continue;
        };
        let mut j = i + w.len();
        if b.get(j).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let gap = j;
        while j < b.len() && j - gap < 3 && matches!(b[j], b' ' | b':' | b'=' | b'#' | b'-') {
            j += 1;
        }
        let start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let alone = b.get(j).is_none_or(|c| !c.is_ascii_alphanumeric());
        if alone && digits.contains(&(j - start)) {
            return Some((b[start..j].iter().map(|d| d - b'0').collect(), i..j));
        }
    }
    None
}

/// [`find`]'s masked forms (`key`: the field's, read for a card word).
fn masked(text: &str, key: Option<&str>) -> Vec<Range<usize>> {
    let chars = Chars(text.char_indices().collect());
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.0.len() {
        // A mask starts right after a digit, or after a separator right
        // after a digit.
        let after_digit = i > 0 && chars.digit_at(i - 1);
        let after_sep_digit =
            i > 1 && chars.at(i - 1).is_some_and(is_separator) && chars.digit_at(i - 2);
        if !chars.mask_at(i) || !(after_digit || after_sep_digit) {
            i += 1;
            continue;
        }
        let (form, next) = read_form(&chars, i);
        // Forms of the brands whose numbers start with `1` (UATP, JCB 1800,
        // GPN 1946) look like the ids and order numbers that start so, and
        // lone masks like an id's separators: read after a card word (in
        // the text or the key) only.
        let worded = || context_words::raises(text) || key.is_some_and(context_words::raises);
        let named = |f: &Form| (f.first[0] != 1 && !f.lone) || worded();
        if let Some(form) = form.filter(|f| f.shows_too_much() && named(f)) {
            let end = chars.0.get(form.end).map_or(text.len(), |&(b, _)| b);
            out.push(chars.0[form.start].0..end);
        }
        i = next.max(i + 1);
    }
    out
}

/// A masked form: its first digits, how many last digits it shows, and
/// where it stands (character indices, end excluded).
struct Form {
    first: Vec<u8>,
    last: usize,
    /// How many digits the mask stands for, when each mask character is
    /// one.
    hidden: Option<usize>,
    /// A mask of one `#`, or one `x` set apart by spaces: read after a
    /// card word only.
    lone: bool,
    start: usize,
    end: usize,
}

impl Form {
    fn shows_too_much(&self) -> bool {
        let f = self.first.len();
        if f < FIRST_MAX_SHORT || (f == FIRST_MAX_SHORT && self.last <= LAST_MAX) {
            return false;
        }
        let lengths = brand::brand_lengths(&self.first);
        let too_much = |n: usize| {
            f > FIRST_MAX_LONG || self.last > LAST_MAX || (n < LONG_CARD && f > FIRST_MAX_SHORT)
        };
        let shown = f + self.last;
        let issued = |n: usize| n <= super::PAN_LENGTHS_END && lengths & (1 << n) != 0;
        match self.hidden.map(|h| shown + h) {
            Some(n) if issued(n) => too_much(n),
            _ => (shown + 1..=super::PAN_LENGTHS_END).any(|n| issued(n) && too_much(n)),
        }
    }
}

/// Reads the masked form whose mask starts at character `m`; returns it
/// (when it is one, as a whole token) and where reading may go on.
fn read_form(chars: &Chars, m: usize) -> (Option<Form>, usize) {
    // The mask, in groups joined by one separator; `group` counts the
    // characters of the group the mask ends in.
    let mut j = m;
    let (mut count, mut same, mut group) = (0usize, true, 0usize);
    let first_mask = chars.at(m);
    loop {
        if chars.mask_at(j) {
            count += 1;
            same &= chars.at(j) == first_mask && chars.at(j) != Some('\u{2026}');
            group += 1;
            j += 1;
        } else if chars.at(j).is_some_and(is_separator) && chars.mask_at(j + 1) {
            group = 0;
            j += 1;
        } else {
            break;
        }
    }
    let mask_end = j;
    // One `#` is also an id's separator (`12345678#1234`), and one `x` set
    // apart by spaces a product (`12345678 x 2`): masks after a card word
    // only.
    let single = count == 1 && (j - m) == 1;
    let spaced = (m > 0 && chars.at(m - 1).is_some_and(is_separator))
        || chars.at(j).is_some_and(is_separator);
    let lone =
        single && (chars.at(m) == Some('#') || (matches!(chars.at(m), Some('x' | 'X')) && spaced));
    // The last digits: right after the mask, or after one separator; a
    // group of four cut short goes on after a separator (`2*22 2`).
    if chars.at(j).is_some_and(is_separator) && chars.digit_at(j + 1) {
        group = 0;
        j += 1;
    }
    let mut last = 0;
    loop {
        while chars.digit_at(j) {
            last += 1;
            group += 1;
            j += 1;
        }
        if group < 4 && chars.at(j).is_some_and(is_separator) && chars.digit_at(j + 1) {
            group = 0;
            j += 1;
        } else {
            break;
        }
    }
    let joined_after =
        chars.at(j).is_some_and(joins) && chars.at(j + 1).is_some_and(char::is_alphanumeric);
    if last == 0
        || joined_after
        || chars
            .at(j)
            .is_some_and(|c| c.is_alphanumeric() || is_mask(c))
    {
        return (None, j.max(mask_end));
    }
    // The first digits: the group before the mask, and whole groups of
    // four before it.
    let mut s = m;
    if s > 0 && chars.at(s - 1).is_some_and(is_separator) {
        s -= 1;
    }
    let group_end = s;
    while s > 0 && chars.digit_at(s - 1) {
        s -= 1;
    }
    // A mask joined by `-` or `.` to the digits before it follows a
    // printed group (four digits, or Amex's six), not a longer number
    // (`12345678-XXX-1234` is an id).
    if group_end < m && chars.at(group_end).is_some_and(joins) && group_end - s > 6 {
        return (None, j);
    }
    let mut start = s;
    while start >= 5
        && chars.at(start - 1).is_some_and(is_separator)
        && (start - 5..start - 1).all(|k| chars.digit_at(k))
        && (start == 5 || chars.at(start - 6).is_none_or(|c| !c.is_alphanumeric()))
    {
        start -= 5;
    }
    let before = |k: usize| start >= k && chars.at(start - k).is_some_and(char::is_alphanumeric);
    let joined_before = start >= 1 && chars.at(start - 1).is_some_and(joins) && before(2);
    if before(1) || joined_before {
        return (None, j);
    }
    // The groups' digits, their separators left out.
    let first: Vec<u8> = (start..group_end)
        .filter_map(|k| chars.at(k).and_then(digit))
        .collect();
    // Two or more of one mask character stand for a digit each.
    let hidden = (count >= 2 && same).then_some(count);
    let form = Form {
        first,
        last,
        hidden,
        lone,
        start,
        end: j,
    };
    (Some(form), j)
}

#[cfg(test)]
mod tests {
    use super::{find, find_in_views, may_hide};

    fn found(text: &str) -> bool {
        !find(text, None).is_empty()
    }

    #[test]
    fn forms_showing_more_than_a_truncation_are_cards() {
        for text in [
            // 8 + 4 of a 13-digit Visa.
            "42222222*2222",
            "4222 2222 * 2222",
            "4222 2222 *** 2222",
            "card 42222222\u{2026}2222 declined",
            "bin 42222222 last4 2222",
            "BIN: 42222222, ending 2222",
            "\u{ff14}\u{ff12}\u{ff12}\u{ff12}\u{ff12}\u{ff12}\u{ff12}\u{ff12}*2222",
            // 8 + 4 of a 15-digit Amex, masks counted.
            "37144963***8431",
            // 9 first digits of any card.
            "555555555***4444",
            // 8 + 4 of a 13-digit Visa card.
            "42222222...2222",
            "4222-2222-xx-2222",
            "66036037x5050",
            "uatp card 12345678*2222",
            "card 42222222#2222",
            "42222222 xx 2222",
            "4222 2222 2*22 2",
            // 5 last digits.
            "411111*****11111",
        ] {
            assert!(found(text), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_pre_check_rules_out_only_texts_without_a_form(
            s in "[0-9 .*#xX\u{2022}\u{2026}\u{ff10}-\u{ff19}\u{ff0a}\u{a0}a-c-]{0,24}"
        ) {
            if !super::may_hold(s.as_bytes()) {
                proptest::prop_assert!(super::masked(&s, None).is_empty());
            }
        }

        #[test]
        fn the_pre_check_keeps_every_form(
            s in "[a ]{0,2}[0-9\u{ff10}-\u{ff19}]{6,9}[ .\u{a0}-]?[*#xX.\u{2022}\u{2026}\u{ff0a} -]{1,6}[ .-]?[0-9]{1,5}[ a]{0,2}"
        ) {
            if !super::masked(&s, None).is_empty() {
                proptest::prop_assert!(super::may_hold(s.as_bytes()));
            }
        }
    }

    #[test]
    fn masks_in_another_reading_are_read_there() {
        for text in [
            "https://shop.example/pay?card=42222222%2A2222",
            "card=4222%202222%20%2A%20%2A%202222",
            "card 42222222&ast;2222",
            "card 42222222&#42;&#x2a;2222",
        ] {
            assert!(may_hide(text), "{text}");
            let views = crate::sanitize::decode::views(text);
            assert!(!find_in_views(&views, None).is_empty(), "{text}");
        }
        assert!(!may_hide("https://shop.example/?q=a%20b&x=1"));
    }

    #[test]
    fn truncations_a_card_may_show_are_not() {
        for text in [
            "411111******1111",
            "************1111",
            "XXXX-XXXX-XXXX-1111",
            "5555 55** **** 4444",
            "4111 11XX XXXX 1111",
            "371449*****8431",
            "**** **** **** 1111",
            // 8 + 4 of a 16-digit card, or under a brand that issues 16
            // digits or more only.
            "55555555****4444",
            "55555555*4444",
            "4222 2222 **** 2222",
            "42222222....2222",
            // 8 + 4 under a brand that issues 16 digits or more only.
            "55555555*4444",
            "order 123 4111 11** **** 1111",
            "A12345678*2222",
            "order 12345678#1234",
            "item 42222222 x 2",
            "ref 12345678-XXX-1234",
            "ref 52345678-XXX-1234",
            "ORD-12345678-****-2222",
            "12345678*2222-B",
            "1920x1080",
            "210x297 mm",
            "rated *** by 12345678 users",
            "bin 411111 last4 1111",
            "bin 55555555 last4 4444",
            "cabin 42222222 last4 2222",
            "+63 917 *** 4567",
            "DE89 **** **** **** 3000",
        ] {
            assert!(!found(text), "{text}");
        }
    }
}
