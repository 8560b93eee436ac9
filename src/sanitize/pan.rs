//! The PAN detector: finds primary account numbers anywhere in a string.
//!
//! A card number can be written in many ways: `4111 1111 1111 1111`,
//! `4111;1111;1111;1111`, Swiss `4'111'111'111'111'111`, fullwidth, Arabic-Indic
//! or circled digits, control or zero-width characters between digits,
//! percent-encoded in a URL, inside a punycode label, reversed behind a
//! right-to-left override, glued to a CVV or an expiry date, zero-padded, or
//! as a JSON number times a power of ten. The detector
//!
//! 1. reads the string as it is and in every other reading (`decode::views`:
//!    percent and HTML-entity decoded, punycode labels decoded, reversed when
//!    bidi controls are present);
//! 2. classifies every character (`class`): digit, invisible, blank, joiner
//!    (any punctuation or symbol) or letter; letters end a run;
//! 3. joins digit groups into runs across gaps of blanks and at most
//!    [`MAX_GAP`] joiners ([`MAX_GAP_CHARS`] characters in all);
//! 4. checks windows of whole groups holding 12 to 19 digits against the
//!    brand table (`brand`), their lengths and the Luhn check.
//!
//! Precision comes from the shape of a window, not from the characters
//! allowed in it. A window of several groups counts only when **one
//! separator joins all its groups** (`4111-1111-1111-1111`, not
//! `12:34:56.123456+01:00` or `48.8566,2.3522`), or when its groups are laid
//! out as cards are printed (4-4-4-4, 4-6-5, 4-6-4). A run of contiguous
//! digits is also checked for a PAN at its start, after leading zeros
//! (`0004111111111111111`, `4111111111111111123`, `41111111111111110000`),
//! as are groups that one separator joins for a PAN whose last group runs
//! into more digits (`411111 111111 1111123`; context decides both), a PAN
//! printed in its layout after a CVV or an expiry typed right before its
//! first group (`1234012 8888 8888 1881`; context decides), and a
//! decimal stretch of a UUID (`8-4-4-4-12` hex digits: the digits
//! between its hex letters, across its dashes) for a PAN ending inside a
//! group (`37828224-6310-0051-...`, `a3782822-4631-0005-1f...`), except that a run starting with `1` is only
//! taken whole (Unix timestamps in seconds to nanoseconds and Snowflake ids
//! all start with `1` today, and the only cards there are UATP's), and two
//! trailing digits other than `00` are not a glued suffix (the shape of a
//! 15-digit IMEI). Two more shapes are not PANs: digits
//! written right after `+` start a telephone number, so a window starting
//! there is not a PAN if it has at most 15 digits (E.164's maximum); and a
//! valid IBAN (ISO 13616, mod-97 checked) is skipped.

pub(crate) mod brand;
mod class;
mod masked;
/// The UCD 14 numeric values the generator of [`tables`] folds in.
#[cfg(test)]
mod numeric;
#[rustfmt::skip] // generated: `tools/gen_unicode_tables`
mod tables;
#[cfg(test)]
mod tables_gen;

use super::context::{self, Candidate, Field, Rule, Shape};
use super::decode::{self, Unit};
use super::word;
#[cfg(test)]
pub(crate) use brand::is_pan;
pub(crate) use brand::luhn_valid;
use class::Class;
use std::cell::Cell;
use std::ops::Range;

/// Most punctuation or symbol characters allowed between two digit groups of
/// one PAN (blanks do not count).
pub const MAX_GAP: usize = 3;

/// Most characters of any kind between two digit groups of one PAN.
pub const MAX_GAP_CHARS: usize = 32;

/// Shortest and longest PAN the detector looks for.
pub const PAN_LENGTHS: std::ops::RangeInclusive<usize> = 12..=PAN_LENGTHS_END;

/// The longest PAN, as a constant for array lengths.
const PAN_LENGTHS_END: usize = 19;

/// [`PAN_LENGTHS`] as bits `1 << n`.
const PAN_LENGTH_BITS: u32 = (1 << (PAN_LENGTHS_END + 1)) - (1 << 12);
const _: () = assert!(*PAN_LENGTHS.start() == 12);

/// Most digits in an international phone number (E.164), country code included.
pub const MAX_PHONE_DIGITS: usize = 15;

/// The text written in place of a PAN when a policy redacts instead of rejecting.
pub const REDACTION: &str = "[PAN REDACTED]";

/// The value of a single decimal digit written in any script or form.
pub fn digit_value(c: char) -> Option<u8> {
    class::numeric_value(c).filter(|&v| v < 10)
}

/// Whether `c` is a number drawn as one stroke or a ring (CJK `一`, Roman
/// `Ⅰ`, `〡`, `〇`), which people type between digit groups as a dash:
/// `decode` reads it so between two digits, beside its reading as a digit.
pub(crate) fn is_numeric_stroke(c: char) -> bool {
    !c.is_ascii() && class::is_numeric_stroke(c)
}

/// The gap before a group: its punctuation, normalized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Gap {
    joiners: [char; MAX_GAP],
    count: usize,
}

#[derive(Clone, Debug)]
struct Group {
    /// Index range into the run's digits.
    digits: Range<usize>,
    /// Byte range in the original string.
    bytes: Range<usize>,
    /// The gap that separates this group from the one before.
    gap: Gap,
    /// Written directly after `+`.
    after_plus: bool,
    /// A blank stands in the gap before it (`8, 5612`): a decimal's
    /// fraction follows its point directly.
    blank_before: bool,
}

impl Group {
    fn len(&self) -> usize {
        self.digits.len()
    }
}

/// The state of one pass over a reading.
#[derive(Default)]
struct Run {
    digits: Vec<u8>,
    groups: Vec<Group>,
    gap: Gap,
    gap_chars: usize,
    /// The last character was `+`.
    plus_adjacent: bool,
    /// A blank stands in the gap being read.
    gap_blank: bool,
    in_group: bool,
    /// Some digit of the run lies in a UUID-shaped token: a decimal stretch
    /// of a UUID (between its hex letters, across its dashes) is also read
    /// for a PAN ending inside a group, as a UUID of decimal digits only is.
    in_uuid: bool,
}

impl Run {
    fn digit(&mut self, value: u8, bytes: &Range<usize>) {
        let (tens, ones) = (value / 10, value % 10);
        if tens > 0 {
            self.push_digit(tens, bytes);
        }
        self.push_digit(ones, bytes);
    }

    fn push_digit(&mut self, d: u8, bytes: &Range<usize>) {
        if self.in_group {
            if let Some(g) = self.groups.last_mut() {
                g.digits.end += 1;
                g.bytes = decode::cover(&g.bytes, bytes);
            }
        } else {
            let at = self.digits.len();
            self.groups.push(Group {
                digits: at..at + 1,
                bytes: bytes.clone(),
                gap: self.gap,
                after_plus: self.plus_adjacent,
                blank_before: self.gap_blank,
            });
            self.in_group = true;
        }
        self.digits.push(d);
        self.gap = Gap::default();
        self.gap_chars = 0;
        self.plus_adjacent = false;
        self.gap_blank = false;
    }

    /// A blank or joiner; returns false when the gap is now too wide.
    fn separator(&mut self, joiner: Option<char>) -> bool {
        self.in_group = false;
        self.gap_chars += 1;
        self.plus_adjacent = joiner == Some('+');
        self.gap_blank |= joiner.is_none();
        if let Some(c) = joiner {
            if self.gap.count == MAX_GAP {
                return self.groups.is_empty();
            }
            self.gap.joiners[self.gap.count] = c;
            self.gap.count += 1;
        }
        self.groups.is_empty() || self.gap_chars <= MAX_GAP_CHARS
    }

    fn reset(&mut self) {
        self.digits.clear();
        self.groups.clear();
        self.gap = Gap::default();
        self.gap_chars = 0;
        self.plus_adjacent = false;
        self.gap_blank = false;
        self.in_group = false;
        self.in_uuid = false;
    }

    fn finish(&mut self, found: &mut Vec<Range<usize>>, cx: &Cx<'_>) {
        if self.digits.len() >= *PAN_LENGTHS.start() {
            let uuid = self.in_uuid || self.uuid_shaped();
            // For each group, the last group up to which every gap is its
            // gap: a window's separators are all the same one where it
            // ends there or before (worked out once for the run, not for
            // every window).
            let mut same_gap_to = vec![0; self.groups.len()];
            for k in (0..self.groups.len()).rev() {
                same_gap_to[k] = match self.groups.get(k + 1) {
                    Some(next) if next.gap == self.groups[k].gap => same_gap_to[k + 1],
                    _ => k,
                };
            }
            for i in 0..self.groups.len() {
                // The lengths of the numbers starting at this group's first
                // digit that pass Luhn and a brand's prefix and lengths: one
                // pass for every window starting here, and none of them
                // read when there is none.
                let from = &self.digits[self.groups[i].digits.start..];
                let cards = card_lengths(from);
                if cards != 0 {
                    self.windows_from(i, uuid, &same_gap_to, cards, found, cx);
                }
                self.glued(i, found, cx);
                self.grouped_glued(i, cards, found, cx);
            }
        }
        self.reset();
    }

    /// Whether group `i` is the fraction of a decimal number: written after
    /// a single `.` or `,` that follows an integer part of at most five
    /// digits, with neither neighbour joined by the same character (which
    /// would make them groups of one layout, `4111.1111.1111.1111`), and no
    /// blank beside the point (`8, 5612...` is a list, not a decimal).
    fn fraction(&self, i: usize) -> bool {
        let point = |g: &Group| {
            g.gap.count == 1 && matches!(g.gap.joiners[0], '.' | ',') && !g.blank_before
        };
        let g = &self.groups[i];
        i > 0
            && point(g)
            && self.groups[i - 1].len() <= 5
            && (i == 1 || self.groups[i - 1].gap != g.gap)
            && self.groups.get(i + 1).is_none_or(|n| n.gap != g.gap)
    }

    /// The shape of the window of groups `i..=j` (a Luhn-valid number of a
    /// brand's length): `None` when it is unambiguous.
    fn shape(&self, i: usize, j: usize) -> Option<Shape> {
        let first = &self.groups[i];
        let d = &self.digits[first.digits.start..self.groups[j].digits.end];
        if first.after_plus && d.len() <= MAX_PHONE_DIGITS {
            Some(Shape::AfterPlus)
        } else if self.fraction(i) || (j == i + 1 && self.fraction(j)) {
            Some(Shape::Decimal)
        } else if first.gap.joiners[..first.gap.count].contains(&')')
            && !card_layout(&self.groups[i..=j])
        {
            Some(Shape::Bracketed)
        } else if brand::maestro_short(d) {
            Some(Shape::Short)
        } else {
            None
        }
    }

    /// Windows of whole groups starting at group `i`.
    /// `same_gap_to` tells, for each group, the last group up to which
    /// every gap is its gap; `cards`, the lengths of the numbers starting
    /// at the group's first digit that pass Luhn in a brand's range.
    fn windows_from(
        &self,
        i: usize,
        uuid: bool,
        same_gap_to: &[usize],
        cards: u32,
        found: &mut Vec<Range<usize>>,
        cx: &Cx<'_>,
    ) {
        let first = &self.groups[i];
        let pan = |d: &[u8]| cards & (1 << d.len()) != 0;
        for j in i..self.groups.len() {
            // One separator between every two groups of the window.
            let uniform = j < i + 2 || j <= same_gap_to[i + 1];
            let last = &self.groups[j];
            let len = last.digits.end - first.digits.start;
            if len > *PAN_LENGTHS.end() {
                break;
            }
            if len < *PAN_LENGTHS.start() {
                continue;
            }
            if !uniform && !card_layout(&self.groups[i..=j]) {
                continue;
            }
            let window = &self.digits[first.digits.start..last.digits.end];
            if pan(window) {
                let bytes = decode::cover(&first.bytes, &last.bytes);
                let card = match self.shape(i, j) {
                    None => cx.unambiguous(window, &bytes),
                    Some(shape) => cx.card(&Candidate {
                        shape,
                        window,
                        around: &self.digits[first.digits.start..],
                        bytes: bytes.clone(),
                        after_00: false,
                        padded: false,
                    }),
                };
                if card {
                    found.push(bytes);
                }
            }
        }
        // A UUID-shaped run of decimal digits (8-4-4-4-12) with the PAN ending
        // inside a group (`37828224-6310-0051-...`): windows of whole groups
        // plus the start of the next one.
        if !uuid {
            return;
        }
        // In a UUID one `-` joins every group: no uniformity check.
        for last in &self.groups[i + 1..] {
            if last.digits.start - first.digits.start >= *PAN_LENGTHS.end() {
                break;
            }
            for end in last.digits.start + 1..last.digits.end {
                let len = end - first.digits.start;
                if !PAN_LENGTHS.contains(&len) {
                    continue;
                }
                if pan(&self.digits[first.digits.start..end]) && cx.fired(Rule::CardShape) {
                    found.push(decode::cover(&first.bytes, &last.bytes));
                }
            }
        }
    }

    /// Whether the run is a UUID written in decimal digits only.
    fn uuid_shaped(&self) -> bool {
        self.groups.len() == 5
            && self.groups.iter().map(Group::len).eq([8, 4, 4, 4, 12])
            && self.groups[1..]
                .iter()
                .all(|g| g.gap.count == 1 && g.gap.joiners[0] == '-')
    }

    /// Whether the two digits `month` glued at the end of group `i` and
    /// the group after it are a card's expiry date typed without a space
    /// (`<card>12/28`, `<card>12/2028`, `<card>12-28`): a month (01-12),
    /// one `/` or `-`, and a year of two digits or four starting `20`. No
    /// IMEI or IMEISV is written with a date after it: this is the context
    /// that reads the two digits as a month rather than an IMEI's last two.
    fn expiry_after(&self, i: usize, month: &[u8]) -> bool {
        let Some(next) = self.groups.get(i + 1) else {
            return false;
        };
        let year = &self.digits[next.digits.clone()];
        let m = month[0] * 10 + month[1];
        (1..=12).contains(&m)
            && next.gap.count == 1
            && matches!(next.gap.joiners[0], '/' | '-')
            && (year.len() == 2 || (year.len() == 4 && year[..2] == [2, 0]))
    }

    /// Whether the first `prefix` digits of group `i`, a group of four
    /// digits more, may be a CVV or an expiry typed right before a card's
    /// first group: three to six digits (a CVV of three or four, `MMYY`,
    /// `MMYYYY`), or the two digits of a year after a month and one `/`,
    /// `-` or `.`, or a space (`12/28`, `12.28`, `12 28` then the card).
    /// Any two digits are not: a card is not the only thing printed after a
    /// two-digit code.
    fn glued_before(&self, i: usize, prefix: usize) -> bool {
        match prefix {
            3..=MAX_GLUED_DIGITS => true,
            2 => {
                i > 0 && {
                    let month = &self.digits[self.groups[i - 1].digits.clone()];
                    let gap = &self.groups[i].gap;
                    month.len() == 2
                        && (1..=12).contains(&(month[0] * 10 + month[1]))
                        && (gap.count == 0
                            || (gap.count == 1 && matches!(gap.joiners[0], '/' | '-' | '.')))
                }
            }
            _ => false,
        }
    }

    /// Whether group `j` is the last of its layout: the run's last group,
    /// or one the next group follows across another gap.
    fn layout_ends(&self, j: usize) -> bool {
        self.groups
            .get(j + 1)
            .is_none_or(|next| next.gap != self.groups[j].gap)
    }

    /// A PAN at the start of one contiguous group that is longer than the
    /// PAN (glued to a CVV, an expiry or zeros), or after leading zeros.
    fn glued(&self, i: usize, found: &mut Vec<Range<usize>>, cx: &Cx<'_>) {
        let group = &self.groups[i];
        // Both readings below start at or after the group's first digit.
        if group.len() < *PAN_LENGTHS.start() {
            return;
        }
        // The integer part or the fraction of a decimal number.
        let decimal = self.fraction(i) || self.groups.len() > i + 1 && self.fraction(i + 1);
        let d = &self.digits[group.digits.clone()];
        let zeros = d.iter().take_while(|&&x| x == 0).count();
        // `00` + up to 15 digits may be an international dialling prefix:
        // context decides.
        let dialling = zeros == 2 && d.len() - zeros <= MAX_PHONE_DIGITS;
        let strip = zeros > 0 && !group.after_plus;
        for start in [Some(0), strip.then_some(zeros)].into_iter().flatten() {
            let rest = &d[start..];
            if rest.len() < *PAN_LENGTHS.start() {
                continue;
            }
            let cards = card_lengths(rest);
            let is_pan = |d: &[u8]| cards & (1 << d.len()) != 0;
            let longest = rest.len().min(*PAN_LENGTHS.end());
            for len in *PAN_LENGTHS.start()..=longest {
                let whole = len == rest.len();
                if whole && start == 0 {
                    continue; // checked by `windows_from`
                }
                // Two digits glued then `/YY` (`<card>12/28`): an expiry
                // date typed without a space, read as the glued shape, which
                // context decides (a code word such as `imei` lowers it).
                let expiry = rest.len() == len + 2 && self.expiry_after(i, &rest[len..]);
                let allowed = whole
                    || glued_rest_allowed(rest, len, rest.len() - len)
                    || (is_pan(&rest[..len]) && cx.raised(&group.bytes))
                    || expiry;
                if !allowed {
                    continue;
                }
                if is_pan(&rest[..len]) {
                    let after_plus = group.after_plus && start + len <= MAX_PHONE_DIGITS;
                    let shape = if after_plus {
                        Shape::AfterPlus
                    } else if decimal {
                        Shape::Decimal
                    } else {
                        Shape::Glued
                    };
                    let dialled = dialling && start == zeros;
                    let candidate = Candidate {
                        shape,
                        window: &rest[..len],
                        around: if dialled || after_plus { rest } else { d },
                        bytes: group.bytes.clone(),
                        after_00: dialled,
                        padded: start > 0 && start + len == d.len(),
                    };
                    let card = if expiry && !glued_rest_allowed(rest, len, rest.len() - len) {
                        cx.expiry_glued(&candidate)
                    } else {
                        cx.card(&candidate)
                    };
                    if card {
                        found.push(group.bytes.clone());
                        return;
                    }
                }
            }
        }
    }
}

impl Run {
    /// A card printed in groups whose first group follows leading zeros
    /// (`0004111 1111 1111 1111`) or whose last group runs into more digits
    /// (`4111 1111 1111 11111234`, `411111 ###### 1111123`).
    ///
    /// - Laid out as cards are printed ([`card_layout`]), whatever
    ///   separator stands in each gap, with a CVV or an expiry glued
    ///   ([`MAX_GLUED_DIGITS`] at most; two digits only to a group longer
    ///   than four where the layout ends, [`Run::layout_ends`], or before
    ///   `/YY`, [`Run::expiry_after`]):
    ///   as unambiguous as the layout itself.
    /// - Any other groups that **one separator joins**, the first (its
    ///   zeros cut off) of four digits or more: the last group
    ///   running into more digits is the glued shape ([`Shape::Glued`]),
    ///   as a card at the start of one contiguous run is
    ///   ([`glued_rest_allowed`]): context decides, a card word always
    ///   makes it a card.
    ///
    /// `cards` as for [`Run::windows_from`].
    fn grouped_glued(&self, i: usize, cards: u32, found: &mut Vec<Range<usize>>, cx: &Cx<'_>) {
        let first = &self.groups[i];
        if i + 1 >= self.groups.len() || first.after_plus {
            return;
        }
        let d = &self.digits;
        let zeros = d[first.digits.clone()]
            .iter()
            .take_while(|&&x| x == 0)
            .count();
        // `00` before a number may be an international dialling prefix:
        // cut off only when the layout after it holds more digits than a
        // telephone number can (E.164's [`MAX_PHONE_DIGITS`]), or when
        // context says the digits are no telephone number.
        let strip = zeros > 0 && zeros < first.len();
        // A CVV or an expiry typed right before the card's first group of
        // four (`1234012 8888 8888 1881`, `12/284012 ...`).
        let prefix = first.len().saturating_sub(4);
        let prefixed = prefix != zeros && self.glued_before(i, prefix);
        // The separator of a window with one separator: its first gap's.
        let common = self.groups[i + 1].gap;
        let skips = [Some(0), strip.then_some(zeros), prefixed.then_some(prefix)];
        for skip in skips.into_iter().flatten() {
            let glued_before = prefixed && skip == prefix;
            let start = first.digits.start + skip;
            // Every window read below starts at `start` and passes Luhn in
            // a brand's range.
            let cards = if skip == 0 {
                cards
            } else {
                card_lengths(&d[start..])
            };
            if cards == 0 {
                continue;
            }
            let dialling = skip == 2 && skip == zeros;
            // The lengths of the groups read so far (each holds a digit,
            // and fewer than `PAN_LENGTHS.end()` digits are read before
            // the last group): kept on the stack.
            let mut lens = [0usize; PAN_LENGTHS_END + 1];
            lens[0] = first.len() - skip;
            // Every card layout starts with a group of four.
            let mut layout = lens[0] == 4;
            // A card's first group holds its issuer's prefix: four digits
            // at least, however it is grouped (not `###-#######-...`).
            let mut uniform = lens[0] >= 4;
            let mut count = 1;
            for (j, last) in self.groups.iter().enumerate().skip(i + 1) {
                uniform &= last.gap == common;
                if !layout && !uniform {
                    break;
                }
                let before = last.digits.start - start;
                if before >= *PAN_LENGTHS.end() {
                    break;
                }
                for cut in 1..=last.len() {
                    let len = before + cut;
                    let rest = last.len() - cut;
                    if len > *PAN_LENGTHS.end() {
                        break;
                    }
                    // Whole groups without zeros cut off are `windows_from`'s.
                    if len < *PAN_LENGTHS.start() || (rest == 0 && skip == 0) {
                        continue;
                    }
                    if cards & (1 << len) == 0 {
                        continue;
                    }
                    lens[count] = cut;
                    let window = GluedWindow {
                        first: i,
                        last: j,
                        start,
                        len,
                        skip,
                        lens: &lens[..=count],
                        layout,
                        uniform,
                        dialling,
                        glued_before,
                    };
                    if let Some(cover) = self.glued_window(&window, cx) {
                        found.push(cover);
                        return;
                    }
                }
                // A group inside a layout has four digits, or six as the
                // second of three: after any other, no layout can follow.
                layout &= last.len() == 4 || (count == 1 && last.len() == 6);
                lens[count] = last.len();
                count += 1;
            }
        }
    }

    /// Whether `w`, one window of [`Run::grouped_glued`] (its digits from
    /// `w.start` to `w.len` of them, cut in the group `w.last`), is a card:
    /// its bytes when it is.
    fn glued_window(&self, w: &GluedWindow<'_>, cx: &Cx<'_>) -> Option<Range<usize>> {
        let d = &self.digits;
        let (first, last) = (&self.groups[w.first], &self.groups[w.last]);
        let (i, j, len, skip) = (w.first, w.last, w.len, w.skip);
        let (layout, uniform, dialling, glued_before, lens) =
            (w.layout, w.uniform, w.dialling, w.glued_before, w.lens);
        // The digits of the last group after the window.
        let rest = last.len() - lens[lens.len() - 1];
        let digits = &d[w.start..last.digits.end];
        let cover = decode::cover(&first.bytes, &last.bytes);
        // A card printed in groups starting with `1` (UATP, JCB
        // 1800, GPN 1946) is read glued too: timestamps and
        // Snowflake ids are one run, never a card layout.
        // Two digits glued to a group that is longer than
        // four where the layout ends (the run's last group, or
        // the next one written apart by another separator), or
        // before `/YY`: no IMEI is printed in a card's layout.
        // Two digits of a group of four are no tail (IBANs and
        // tracking numbers are printed in fours).
        let tail = glued_tail_allowed(digits, len, rest)
            || (last.len() > 4 && self.layout_ends(j))
            || self.expiry_after(j, &digits[len..]);
        let printed = layout
            && lengths_layout(lens)
            && rest <= MAX_GLUED_DIGITS
            && tail
            && !(dialling && digits.len() <= MAX_PHONE_DIGITS);
        if printed && glued_before {
            // Digits glued before the layout: the glued shape,
            // which context decides.
            let candidate = Candidate {
                shape: Shape::Glued,
                window: &digits[..len],
                around: &d[first.digits.start..last.digits.end],
                bytes: cover.clone(),
                after_00: false,
                padded: false,
            };
            return cx.card(&candidate).then_some(cover);
        }
        if glued_before {
            return None;
        }
        if printed {
            // A card layout: lowered only as unambiguous shapes
            // are (a lowering context with an independent check).
            return cx.grouped_glued(&digits[..len], &cover).then_some(cover);
        }
        // As in one contiguous run, and `00` then at most 15
        // digits may be dialled: read after a card word only.
        let dialled = dialling && digits.len() <= MAX_PHONE_DIGITS;
        // Two digits then `/YY`: an expiry typed without a space.
        let expiry = rest == 2
            && !dialled
            && self.expiry_after(j, &digits[len..])
            && !glued_rest_allowed(digits, len, rest);
        if !uniform
            || !((glued_rest_allowed(digits, len, rest) && !dialled) || expiry || cx.raised(&cover))
        {
            return None;
        }
        let decimal = self.fraction(i) || (j == i + 1 && self.fraction(j));
        let candidate = Candidate {
            shape: if decimal {
                Shape::Decimal
            } else {
                Shape::Glued
            },
            window: &digits[..len],
            around: if dialled {
                digits
            } else {
                &d[first.digits.start..last.digits.end]
            },
            bytes: cover.clone(),
            after_00: dialled,
            padded: skip > 0 && rest == 0,
        };
        let card = if expiry {
            cx.expiry_glued(&candidate)
        } else {
            cx.card(&candidate)
        };
        card.then_some(cover)
    }
}

/// One window [`Run::grouped_glued`] reads: the groups it runs from and
/// to (indices), where its digits start and how many it takes (cut in its
/// last group), the lengths of its groups so far, and what the groups
/// before it told.
struct GluedWindow<'l> {
    first: usize,
    last: usize,
    start: usize,
    len: usize,
    /// Digits of the first group left out (zeros, or a CVV or expiry typed
    /// before the card).
    skip: usize,
    lens: &'l [usize],
    /// The groups so far are laid out as a card's.
    layout: bool,
    /// One separator joins the groups so far.
    uniform: bool,
    /// After `00`, as a telephone number is dialled.
    dialling: bool,
    /// The skipped digits are a CVV or expiry typed before the card.
    glued_before: bool,
}

/// The lengths `n` (as bits `1 << n`, up to the longest PAN) for which
/// the first `n` digits of `digits` pass the Luhn check: one pass for all
/// of them. From the right, every second digit is doubled, so the digit
/// at index `k` is doubled in a number of odd length when `k` is odd, and
/// in one of even length when `k` is even: two running sums, one for each.
fn luhn_lengths(digits: &[u8]) -> u32 {
    let (mut odd_len, mut even_len) = (0u32, 0u32);
    let mut ok = 0u32;
    for (k, &d) in digits.iter().take(PAN_LENGTHS_END).enumerate() {
        let d = u32::from(d);
        let doubled = if d >= 5 { 2 * d - 9 } else { 2 * d };
        if k % 2 == 0 {
            odd_len += d;
            even_len += doubled;
        } else {
            odd_len += doubled;
            even_len += d;
        }
        let n = k + 1;
        let sum = if n % 2 == 1 { odd_len } else { even_len };
        if sum % 10 == 0 {
            ok |= 1 << n;
        }
    }
    ok
}

/// The lengths `n` (as bits `1 << n`) of a card's for which the first `n`
/// digits of `digits` pass the Luhn check in a brand's range: the brand
/// table is read only when some length passes Luhn.
fn card_lengths(digits: &[u8]) -> u32 {
    let luhn = luhn_lengths(digits) & PAN_LENGTH_BITS;
    if luhn == 0 {
        return 0;
    }
    luhn & brand::brand_lengths(digits)
}

/// Most digits glued after the last group of a grouped card: a CVV (3 or
/// 4), an expiry (4 or 6) or zero padding.
const MAX_GLUED_DIGITS: usize = 6;

/// Whether a PAN of `len` digits at the start of one contiguous run of
/// `digits` may be followed directly by `rest` more digits and still be read
/// as a PAN. Not when the run starts with `1` (Unix timestamps and Snowflake
/// ids do, and they are written as one run), nor when [`glued_tail_allowed`]
/// says no.
fn glued_rest_allowed(digits: &[u8], len: usize, rest: usize) -> bool {
    rest == 0 || (digits[0] != 1 && glued_tail_allowed(digits, len, rest))
}

/// Whether `rest` digits glued after a PAN of `len` digits at the start of
/// `digits` may be a CVV, an expiry or zero padding: not exactly two digits
/// other than `00` (a 15-digit IMEI is 13 digits plus two; a CVV has three
/// or four, an expiry four or six).
fn glued_tail_allowed(digits: &[u8], len: usize, rest: usize) -> bool {
    rest != 2 || digits[len..len + 2] == [0, 0]
}

/// Groups laid out as card numbers are printed, whatever the separators:
/// fours with a shorter last group (4-4-4-4, 4-4-4-4-3, 4-4-4-1), or the
/// American Express and Diners layouts 4-6-5 and 4-6-4.
fn card_layout(groups: &[Group]) -> bool {
    let len = |i: usize| groups[i].len();
    match groups.len() {
        3 if len(0) == 4 && len(1) == 6 && (len(2) == 5 || len(2) == 4) => true,
        n if n >= 3 => {
            groups[..n - 1].iter().all(|g| g.len() == 4) && (1..=4).contains(&len(n - 1))
        }
        _ => false,
    }
}

/// [`card_layout`] on group lengths.
fn lengths_layout(lens: &[usize]) -> bool {
    match *lens {
        [4, 6, 5] | [4, 6, 4] => true,
        [.., last] if lens.len() >= 3 => {
            lens[..lens.len() - 1].iter().all(|&l| l == 4) && (1..=4).contains(&last)
        }
        _ => false,
    }
}

/// Byte ranges of the groups of IPv6-shaped text (three or more groups of one
/// to four hex digits joined by `:`) that hold a hex letter.
fn ipv6_letter_groups(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_hexdigit()
            || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b':'))
        {
            i += 1;
            continue;
        }
        // The groups holding a letter go straight to `out`, and are taken
        // back when the text turns out not to be IPv6-shaped: no list is
        // made for every hex digit that could start one.
        let kept = out.len();
        let mut groups = 0;
        let mut p = i;
        loop {
            let start = p;
            while p < b.len() && b[p].is_ascii_hexdigit() && p - start < 5 {
                p += 1;
            }
            if p - start > 4 {
                groups = 0;
                break;
            }
            groups += 1;
            if b[start..p].iter().any(u8::is_ascii_alphabetic) {
                out.push(start..p);
            }
            if p < b.len() && b[p] == b':' {
                p += 1;
                if p < b.len() && b[p] == b':' {
                    p += 1;
                }
            } else {
                break;
            }
        }
        let bounded = p >= b.len() || !b[p].is_ascii_alphanumeric();
        if groups < 3 || !bounded {
            out.truncate(kept);
        }
        i = p.max(i + 1);
    }
    out
}

/// Byte ranges of UUID-shaped tokens (`8-4-4-4-12` hex digits, bounded by
/// non-alphanumerics). Their hex letters end a run as any letter does; the
/// decimal stretches between them are read as UUID runs (see
/// `Run::in_uuid`).
fn uuid_spans(s: &str) -> Vec<Range<usize>> {
    const SHAPE: [usize; 5] = [8, 4, 4, 4, 12];
    let b = s.as_bytes();
    let mut out = Vec::new();
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
            out.push(i..p);
            i = p;
        } else {
            i += 1;
        }
    }
    out
}

/// Byte ranges of hash-shaped tokens: exactly 32, 40, 56, 64, 96 or 128 hex
/// digits (MD5, SHA-1, SHA-2) of one case, at least four of them letters,
/// bounded by non-alphanumerics. About one MD5 in a few hundred holds a
/// Luhn-valid decimal run in a brand range by chance.
fn hash_tokens(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let token = &b[start..i];
        let lower = token.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
        let upper = token.iter().all(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'));
        let letters = token.iter().filter(|c| c.is_ascii_alphabetic()).count();
        if matches!(token.len(), 32 | 40 | 56 | 64 | 96 | 128) && (lower || upper) && letters >= 4 {
            out.push(start..i);
        }
    }
    out
}

/// Byte ranges of the hash-shaped tokens of `s` ([`hash_tokens`], which the
/// scan leaves unread) that hold the request's own card `own`: its first
/// and last digits around a card-shaped window of the token's digits read
/// in order with its hex letters left out, or read backwards
/// ([`Truncation::in_stretches`]): a card in plain sight among hex
/// letters, split by them (`4437e3726e...`) or reversed. A random 64-hex
/// digest matches about one time in 10^9.
pub(crate) fn own_card_in_hash_tokens(s: &str, own: &Truncation) -> Vec<Range<usize>> {
    hash_tokens(s)
        .into_iter()
        .filter(|r| {
            let digits: String = s[r.clone()].chars().filter(char::is_ascii_digit).collect();
            let backwards: String = digits.chars().rev().collect();
            own.in_stretches(&digits) || own.in_stretches(&backwards)
        })
        .collect()
}

/// Runs of two or more numeric character references written one after
/// another (`&#106;&#97;&#110;&#101;`): text spelled out as code points, whose
/// decimal numbers are not digits anyone reads. The decoded reading (see
/// `decode::views`) reads what they spell; a single reference between
/// digit groups (`4111&#32;1111...`) stays part of the run.
fn entity_runs(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = memchr::memmem::find(&b[i..], b"&#") {
        let start = i + found;
        let mut end = start;
        let mut count = 0;
        while let Some(len) = numeric_reference_len(&b[end..]) {
            end += len;
            count += 1;
        }
        if count >= 2 {
            out.push(start..end);
        }
        i = end.max(start + 2);
    }
    out
}

/// The length of a complete numeric character reference (`&#52;`,
/// `&#x34;`) of a valid code point at the start of `b`.
fn numeric_reference_len(b: &[u8]) -> Option<usize> {
    let rest = b.strip_prefix(b"&#")?;
    let (radix, digits) = match rest.first() {
        Some(b'x' | b'X') => (16, &rest[1..]),
        _ => (10, rest),
    };
    let n = digits
        .iter()
        .take(9)
        .take_while(|d| d.is_ascii_hexdigit() && (radix == 16 || d.is_ascii_digit()))
        .count();
    if n == 0 || n > 8 || digits.get(n) != Some(&b';') {
        return None;
    }
    let value = u32::from_str_radix(std::str::from_utf8(&digits[..n]).ok()?, radix).ok()?;
    char::from_u32(value)?;
    Some(2 + usize::from(radix == 16) + n + 1)
}

/// Byte ranges of `text` that are not read for PANs: valid IBANs, runs of
/// numeric character references, IPv6 groups holding a hex letter,
/// hash-shaped tokens (unless `digest`: the value is a digest field's, read
/// over its decimal stretches, [`digest_pans`]).
fn exempt(text: &str, digest: bool) -> Vec<Range<usize>> {
    let mut skip = context::iban_spans(text);
    skip.extend(entity_runs(text));
    if !digest {
        skip.extend(hash_tokens(text));
    }
    skip.extend(ipv6_letter_groups(text));
    skip
}

/// Scans one reading: `items` are its characters with the bytes of the
/// string as sent they stand for.
///
/// A reading is decided as free text of its own: exemptions, layouts, the
/// value's digits and the words near a window are the reading's (a `%2D`
/// between groups is a dash there, and its `2` is no digit of the value),
/// and the key's words count; the field's kind and the order's countries
/// do not, since they say what the value holds as written (a cart item's
/// id holds a GTIN as scanned, a note the order's telephone number as
/// typed, not one escaped, reversed or encoded). A card word in the
/// string as sent still raises (a base64 token after `card:` is read
/// alone). What it finds is reported as bytes of the string as sent.
fn scan(items: &[Unit], found: &mut Vec<Range<usize>>, cx: &Cx<'_>) {
    // A reading with fewer digits than the shortest card holds none: it
    // needs no text, context or exemptions made (most readings of base64
    // and hex runs are words).
    if !enough_digits(items) {
        return;
    }
    let mut text = String::with_capacity(items.len());
    text.extend(items.iter().map(|(c, _)| *c));
    let sent = Sent {
        text: cx.text,
        whole: &cx.whole,
        items,
        starts: std::cell::OnceCell::new(),
    };
    let free_text = Field {
        kind: context::Kind::Text,
        key: cx.field.key,
        order: None,
    };
    let reading = Cx {
        text: &text,
        whole: context::Whole::new(&text),
        field: &free_text,
        rule: Cell::new(None),
        sent: Some(&sent),
        digest: false,
    };
    let mut here = Vec::new();
    scan_text(items, &text, &mut here, &reading);
    scientific(&text, &mut here, &reading);
    found.extend(here.iter().map(|r| sent.range(r)));
    if let Some(rule) = reading.rule.get() {
        cx.fired(rule);
    }
}

/// 2^53, the largest integer below which every integer is a double.
const DOUBLE_EXACT: [u8; 16] = [9, 0, 0, 7, 1, 9, 9, 2, 5, 4, 7, 4, 0, 9, 9, 2];

/// Most digits a mantissa in scientific notation is read with (a double
/// prints at most 17 significant digits; a little more for zeros).
const MAX_MANTISSA_DIGITS: usize = 24;

/// Numbers of `text` written in scientific notation whose value is an
/// integer of a card's length, as programs print a double that holds a
/// card: Java's `Double.toString` (`4.012888888881881E15`: every digit,
/// trailing zeros left out, `4.01288888888188E15` for a card ending in 0)
/// and Excel's or .NET's `E14` format (`4.01288888888188E+15`: 15 digits,
/// the 16th lost, which the Luhn check gives back; so is the last digit of
/// a 16-digit card above 2^53, which a double cannot hold exactly). An integer part of 1
/// to 3 ASCII digits, a `.`, a fraction, `e` or `E`, an optional `+` and 1
/// to 3 digits, not inside a longer number. The value's digits (the
/// mantissa's and the zeros the exponent adds) are a card candidate when
/// they are a card; when the printing lost exactly one digit, so are the
/// digits printed with the check digit Luhn gives. A number that lost two
/// digits or more no longer says which card it was (ten candidates or
/// more) and is left. They are [`Shape::Scientific`] and [`Shape::Rounded`]:
/// context decides.
///
/// Each `e` reads back over one run of digits (which ends at it) and a
/// bounded mantissa, and forward over at most four characters: linear.
fn scientific(text: &str, found: &mut Vec<Range<usize>>, cx: &Cx<'_>) {
    let b = text.as_bytes();
    let mut digits: Vec<u8> = Vec::with_capacity(PAN_LENGTHS_END + 4);
    for e in memchr::memchr2_iter(b'e', b'E', b) {
        let mut f = e;
        while f > 0 && b[f - 1].is_ascii_digit() && e - f <= MAX_MANTISSA_DIGITS {
            f -= 1;
        }
        if f == e || f < 2 || b[f - 1] != b'.' || e - f > MAX_MANTISSA_DIGITS {
            continue;
        }
        let dot = f - 1;
        let mut start = dot;
        while start > 0 && b[start - 1].is_ascii_digit() && dot - start < 3 {
            start -= 1;
        }
        if start == dot || (start > 0 && (b[start - 1].is_ascii_digit() || b[start - 1] == b'.')) {
            continue;
        }
        let mut k = e + 1;
        if b.get(k) == Some(&b'+') {
            k += 1;
        }
        let exp_start = k;
        while k < b.len() && b[k].is_ascii_digit() && k - exp_start < 3 {
            k += 1;
        }
        if k == exp_start || b.get(k).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let exponent: usize = text[exp_start..k].parse().unwrap_or(usize::MAX);
        digits.clear();
        digits.extend(b[start..dot].iter().chain(&b[f..e]).map(|d| d - b'0'));
        // Where the point stands once the exponent moved it; the digits
        // after it must be zeros for the value to be an integer.
        let Some(point) = (dot - start).checked_add(exponent) else {
            continue;
        };
        if point > digits.len() + PAN_LENGTHS_END || digits.iter().skip(point).any(|&d| d != 0) {
            continue;
        }
        digits.truncate(point);
        let printed = digits.len();
        digits.resize(point, 0);
        let lead = digits.iter().take_while(|&&d| d == 0).count();
        let value = &digits[lead..];
        let len = value.len();
        if !PAN_LENGTHS.contains(&len) {
            continue;
        }
        // Digits the printing left out, or that the double could not hold:
        // past 2^53 doubles step by 2, so a 16-digit value's last digit
        // may be the card's give or take one. (Past 10^16 they step by 16
        // or more: the value no longer says which card it was.)
        let past_exact = len == 16 && value > &DOUBLE_EXACT[..];
        let lost = (point - printed).max(usize::from(past_exact));
        let bytes = start..k;
        let decide = |window: &[u8], shape: Shape| {
            cx.card(&Candidate {
                shape,
                window,
                around: window,
                bytes: bytes.clone(),
                after_00: false,
                padded: false,
            })
        };
        // Digits the printing did not show (zeros the exponent added, or a
        // digit the double could not hold) are any digit the card had:
        // context decides such a value.
        let shape = if lost == 0 {
            Shape::Scientific
        } else {
            Shape::Rounded
        };
        if card_lengths(value) & (1 << len) != 0 {
            if decide(value, shape) {
                found.push(bytes.clone());
            }
            continue;
        }
        if lost == 1 {
            let mut completed = value.to_vec();
            completed[len - 1] = (0..10)
                .find(|&d| {
                    completed[len - 1] = d;
                    brand::luhn_valid(&completed)
                })
                .unwrap_or(0);
            if card_lengths(&completed) & (1 << len) != 0 && decide(&completed, Shape::Rounded) {
                found.push(bytes);
            }
        }
    }
}

/// Whether `items` hold as many digits as the shortest card, counted as
/// [`Run::digit`] counts them (a numeric character of value 10 or more
/// gives two).
fn enough_digits(items: &[Unit]) -> bool {
    let mut digits = 0;
    for (c, _) in items {
        digits += if c.is_ascii() {
            usize::from(c.is_ascii_digit())
        } else {
            class::numeric_value(*c).map_or(0, |v| 1 + usize::from(v >= 10))
        };
        if digits >= *PAN_LENGTHS.start() {
            return true;
        }
    }
    false
}

/// The string as sent behind a reading: its text, and the bytes of it each
/// of the reading's characters stands for.
struct Sent<'a> {
    text: &'a str,
    /// What context reads in the whole of `text`.
    whole: &'a context::Whole<'a>,
    items: &'a [Unit],
    /// Where each item starts in the reading's text, worked out when first
    /// asked (only a window's decision or a card found asks).
    starts: std::cell::OnceCell<Vec<usize>>,
}

impl Sent<'_> {
    /// The index of the item at byte `at` of the reading's text (or the
    /// first one after it).
    fn item_at(&self, at: usize) -> usize {
        let starts = self.starts.get_or_init(|| {
            let mut next = 0;
            self.items
                .iter()
                .map(|(c, _)| {
                    let start = next;
                    next += c.len_utf8();
                    start
                })
                .collect()
        });
        starts.partition_point(|&s| s < at)
    }

    /// The bytes of the string as sent that `r` (bytes of the reading's
    /// text, whole characters) stands for.
    fn range(&self, r: &Range<usize>) -> Range<usize> {
        let first = self
            .item_at(r.start)
            .min(self.items.len().saturating_sub(1));
        let last = self.item_at(r.end).saturating_sub(1).max(first);
        match (self.items.get(first), self.items.get(last)) {
            (Some((_, a)), Some((_, b))) => decode::cover(&decode::bytes(a), &decode::bytes(b)),
            _ => 0..self.text.len(),
        }
    }

    /// Whether a card word stands just before the window at `r` of the
    /// reading, read in the string as sent.
    fn raised(&self, r: &Range<usize>, field: &Field<'_>) -> bool {
        context::raised(self.text, self.range(r).start, field)
    }
}

/// As [`scan`], with `text` the characters of `items`. The bytes it reports
/// are bytes of `text`.
fn scan_text(items: &[Unit], text: &str, found: &mut Vec<Range<usize>>, cx: &Cx<'_>) {
    // Sorted and disjoint, walked with one pointer: linear in the text
    // however many exempt spans it holds.
    let skip = merge(exempt(text, cx.digest));
    let uuids = uuid_spans(text);
    let mut next_uuid = 0;
    let mut next = 0;
    let mut run = Run {
        digits: Vec::with_capacity(32),
        groups: Vec::with_capacity(8),
        ..Run::default()
    };
    let mut at = 0;
    for (c, _) in items {
        while skip.get(next).is_some_and(|r| r.end <= at) {
            next += 1;
        }
        let class = if skip.get(next).is_some_and(|r| r.start <= at) {
            Class::Break
        } else {
            class::classify(*c)
        };
        while uuids.get(next_uuid).is_some_and(|r| r.end <= at) {
            next_uuid += 1;
        }
        let in_uuid = uuids.get(next_uuid).is_some_and(|r| r.start <= at);
        let bytes = &(at..at + c.len_utf8());
        at = bytes.end;
        match class {
            Class::Digit(v) => {
                run.in_uuid |= in_uuid;
                run.digit(v, bytes);
            }
            Class::Invisible => {}
            Class::Blank | Class::Joiner(_) => {
                let joiner = match class {
                    Class::Joiner(j) => Some(j),
                    _ => None,
                };
                if !run.separator(joiner) {
                    run.finish(found, cx);
                    run.separator(joiner);
                }
            }
            Class::Break => run.finish(found, cx),
        }
    }
    run.finish(found, cx);
}

/// Cheap test that rules out most strings: no encoding that could hide
/// more (`%XX`, `&#`, `xn--`), and fewer than 12 digits between any two
/// letters (letters end a run in the only reading such a string has, so no
/// window crosses one: a user agent's `Chrome/41.0.2272.89 Safari/537.36`
/// holds 25 digits but never more than 10 in a row of non-letters). Digits
/// and letters of any script count as the scan classifies them (`Zürich`,
/// `São Paulo` and `Kraków` are ruled out; twelve Arabic-Indic digits are
/// not).
/// `facts` are `s`'s.
#[cfg(test)]
fn too_few_digits(s: &str, facts: &word::Facts) -> bool {
    too_few_digits_given(s, facts, &decode::BinaryReading::new(s))
}

/// As `too_few_digits`, with whether `s` has a base64 or hex reading
/// asked of `binary` (`s`'s, perhaps already known).
fn too_few_digits_given(s: &str, facts: &word::Facts, binary: &decode::BinaryReading<'_>) -> bool {
    let b = s.as_bytes();
    // A base64 or hex run that decodes to text is read in full.
    if (facts.encoded || facts.token) && binary.get() {
        return false;
    }
    // First what the count eight bytes at a time tells (most strings stop
    // here), then the exact walk.
    if ruled_out(facts) || short_rfc3339(s) {
        return true;
    }
    // Only an `xn--` label, starting at an `x`, can start another reading
    // in plain ASCII.
    if !facts.encoded
        && facts.digits < *PAN_LENGTHS.start()
        && !joinable_run(facts)
        && !(0..b.len()).any(|i| b[i] | 0x20 == b'x' && decode::view_starts_at(b, i))
    {
        return true;
    }
    // Without `%XX`, `&#` or `xn--`, the string is its only reading (or
    // that and its reverse, with bidi controls: the same characters). A
    // character outside ASCII is classified as the scan classifies it:
    // its digits count (two for the values 10-20), a letter ends a run.
    // Digits since the last letter: the walk stops as soon as they could
    // hold the shortest card.
    let shortest = *PAN_LENGTHS.start();
    let mut digits = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => digits += 1,
            b'%' | b'&' | b'x' | b'X' | b'\\' | b'=' | b'<' if decode::view_starts_at(b, i) => {
                return false
            }
            // An exponent's `e` between digits (`5.60800000089E11`): the
            // digits before it may be a card the exponent completes.
            b'e' | b'E'
                if i > 0
                    && b[i - 1].is_ascii_digit()
                    && b.get(i + 1)
                        .is_some_and(|&n| n.is_ascii_digit() || n == b'+') => {}
            b'a'..=b'z' | b'A'..=b'Z' => digits = 0,
            0x80.. => {
                // `i` is always where a character starts.
                let Some(ch) = s.get(i..).and_then(|rest| rest.chars().next()) else {
                    return false;
                };
                if decode::view_starts_at(b, i) && ('\u{E0000}'..='\u{E007F}').contains(&ch) {
                    // Unicode TAG characters carry ASCII text invisibly.
                    return false;
                }
                match class::classify(ch) {
                    Class::Digit(v) => digits += if v >= 10 { 2 } else { 1 },
                    Class::Break => digits = 0,
                    Class::Invisible | Class::Blank | Class::Joiner(_) => {}
                }
                i += ch.len_utf8() - 1;
            }
            _ => {}
        }
        if digits >= shortest {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether a string whose [`word::Facts`] are `facts` is ruled out without
/// reading it again: plain ASCII (no non-ASCII byte, `%` or `&`), no `x` or
/// `X` (where a punycode label could start), no run of base64 characters
/// long enough to decode to a card, and fewer digits than the shortest
/// card.
#[inline]
pub(crate) fn ruled_out(facts: &word::Facts) -> bool {
    !facts.encoded
        && !facts.x
        && !facts.token
        && facts.digits < *PAN_LENGTHS.start()
        && !joinable_run(facts)
}

/// Whether a string ruled out for a card ([`ruled_out`]) may still hold a
/// masked card that shows more than a truncation may: as many digits as
/// such a form shows (7 + 4 of a 12-digit Maestro card), and a mask after
/// one.
pub(crate) fn may_be_masked(text: &str, facts: &word::Facts) -> bool {
    facts.digits >= masked::MIN_DIGITS_SHOWN && masked::may_hold(text.as_bytes())
}

/// Whether escapes or markup could join shorter base64 runs into one long
/// enough to decode to a card (`Y<b>2</b>FyZCA...`, `MzQ\/...`): an
/// escape, `=` or `<`, and as many letters and digits as the shortest run
/// read.
#[inline]
fn joinable_run(facts: &word::Facts) -> bool {
    facts.escape && facts.letters + facts.digits >= decode::MIN_BASE64
}

/// Whether `s` is an RFC 3339 date-time (`event.time`'s form) with at most
/// [`SHORT_FRACTION`] fraction digits. No PAN can be read in one: the `T`
/// and a `Z` are letters and end a run; the date holds 8 digits; the time's
/// groups hold 2, 2, 2, the fraction, then 2 and 2 for an offset, and no
/// two neighbours hold 12. A window of three or more groups is read only
/// when one separator joins them all or they are laid out as a card (fours,
/// or 4-6-5 and 4-6-4), and here `:` (hours, minutes, seconds: 6 digits),
/// `.` and `+`/`-` alternate and every group but the fraction has 2 digits;
/// a single group is read only from 12 digits. `tests::rfc3339_times_with_
/// short_fractions_hold_no_pan` holds the full detector to this.
fn short_rfc3339(s: &str) -> bool {
    (20..=35).contains(&s.len())
        && super::validate::rfc3339_fraction(s).is_some_and(|f| f <= SHORT_FRACTION)
}

/// The longest fraction of seconds [`short_rfc3339`] vouches for.
const SHORT_FRACTION: usize = 7;

/// Byte ranges of every PAN found in `s`, merged where they overlap, in order.
pub fn find_pans(s: &str) -> Vec<Range<usize>> {
    let facts = word::Facts::of(s.as_bytes());
    // What the facts rule out needs no readings made.
    if ruled_out(&facts) {
        return Vec::new();
    }
    find_pans_given(s, &facts)
}

/// As [`find_pans`], with `s`'s [`word::Facts`] already known.
pub(crate) fn find_pans_given(s: &str, facts: &word::Facts) -> Vec<Range<usize>> {
    find_pans_in(s, facts, &Field::default())
}

/// As [`find_pans_given`], for a value of the field `field` describes:
/// ambiguous shapes are decided by that context (`context`).
pub(crate) fn find_pans_in(s: &str, facts: &word::Facts, field: &Field<'_>) -> Vec<Range<usize>> {
    find_pans_explained(s, facts, field).0
}

/// As [`find_pans_in`], with the name of the rule that found the first card
/// (`card_shape`, `card_word`, `short_maestro`, `glued`, ...).
pub(crate) fn find_pans_explained(
    s: &str,
    facts: &word::Facts,
    field: &Field<'_>,
) -> (Vec<Range<usize>>, Option<&'static str>) {
    find_pans_read(&decode::Readings::new(s), facts, field)
}

/// As [`find_pans_explained`], on readings another detector may share.
pub(crate) fn find_pans_read(
    readings: &decode::Readings<'_>,
    facts: &word::Facts,
    field: &Field<'_>,
) -> (Vec<Range<usize>>, Option<&'static str>) {
    if too_few_digits_given(readings.text(), facts, readings.binary()) {
        // A masked card's mask letters (`4222 22XX XXXX 2222`) end the
        // runs that count: it is read on its own, when the string has as
        // many digits as a form that shows too much (or digits outside
        // ASCII, or an encoding).
        let masked = if facts.digits >= masked::MIN_DIGITS_SHOWN || facts.encoded {
            masked_cards(readings, field.key)
        } else {
            Vec::new()
        };
        let rule = (!masked.is_empty()).then(|| Rule::Masked.name());
        return (masked, rule);
    }
    if readings.text().len() > decode::MAX_TEXT {
        // Longer than readings hold positions of: refused whole, never
        // passed unread.
        let whole = 0..readings.text().len();
        return (std::iter::once(whole).collect(), Some(TOO_LONG));
    }
    find_pans_fully(readings, field)
}

/// The rule named for a string longer than [`decode::MAX_TEXT`], which is
/// taken whole for a card number instead of being read.
const TOO_LONG: &str = "too_long";

/// The rule named for a string whose readings pass their budget
/// (`decode::Readings::over_budget`), which is taken whole for a card
/// number instead of being read further.
const TOO_MANY_READINGS: &str = "too_many_readings";

/// What the scan of one reading knows: its text (the string as sent, or a
/// reading's characters), what context reads in the whole of it, and the
/// field.
struct Cx<'a> {
    text: &'a str,
    /// What context reads in the whole of `text`, once.
    whole: context::Whole<'a>,
    field: &'a Field<'a>,
    /// The rule that made the first card found a card.
    rule: Cell<Option<Rule>>,
    /// For a reading ([`scan`]), the string as sent behind `text`.
    sent: Option<&'a Sent<'a>>,
    /// `text` is a digest field's value: its hash shape exempts nothing.
    digest: bool,
}

impl Cx<'_> {
    /// Whether an ambiguous window is a card in this context.
    fn card(&self, c: &Candidate<'_>) -> bool {
        if self.digest {
            // A digest's digits are random: an ambiguous shape among them
            // (a short Maestro window, a card at the start of a longer
            // stretch) is the digest's, and no word can stand in it.
            return false;
        }
        if self.raised_as_sent(&c.bytes) {
            return self.fired(Rule::RaisingWord);
        }
        if let Some(raised) = self.emv_as_sent(&c.bytes, true) {
            return raised && self.fired(Rule::RaisingWord);
        }
        context::decide_in(c, &self.whole, self.field).is_some_and(|r| self.fired(r))
    }

    /// Whether an unambiguous window is a card: always, but for the one
    /// lowering context with an independent check (`context::decide_unambiguous`).
    fn unambiguous(&self, window: &[u8], bytes: &Range<usize>) -> bool {
        if self.digest {
            // In a digest only the request's own card tells (`digest_pans`):
            // a random MD5 holds a card-shaped stretch about once in 3,900,
            // and txveil's own MD5 sent back must pass as it did.
            return false;
        }
        if let Some(raised) = self.emv_as_sent(bytes, false) {
            return raised && self.fired(Rule::CardShape);
        }
        if self.raised_as_sent(bytes) {
            return self.fired(Rule::CardShape);
        }
        context::decide_unambiguous(window, bytes.clone(), &self.whole, self.field)
            .is_some_and(|r| self.fired(r))
    }

    /// In a reading, for a window whose bytes as sent lie in an EMV QR
    /// payload whose CRC holds as sent (a URL query's `+` read as a space
    /// breaks the CRC in the reading; `ambiguous` as
    /// `context::Whole::emv_at`): whether a card word stands in the key or
    /// before the payload. `None` outside one.
    fn emv_as_sent(&self, bytes: &Range<usize>, ambiguous: bool) -> Option<bool> {
        let sent = self.sent?;
        let start = sent.whole.emv_at(&sent.range(bytes), ambiguous)?;
        Some(context::raised(sent.text, start, self.field))
    }

    /// In a reading, whether a card word stands before the window in the
    /// string as sent.
    fn raised_as_sent(&self, bytes: &Range<usize>) -> bool {
        self.sent.is_some_and(|sent| sent.raised(bytes, self.field))
    }

    /// Whether a card printed in a layout, its last group glued to more
    /// digits, is a card: as [`Cx::unambiguous`], named as the glued shape
    /// nothing lowered.
    fn grouped_glued(&self, window: &[u8], bytes: &Range<usize>) -> bool {
        (self.raised_as_sent(bytes)
            || context::decide_unambiguous(window, bytes.clone(), &self.whole, self.field)
                .is_some())
            && self.fired(Rule::Unexplained(Shape::Glued))
    }

    /// Whether a card glued to a month and followed by its year
    /// ([`Run::expiry_after`]) is a card: as an ambiguous glued window,
    /// lowered also by a code word in the key or near (`imei`, `iccid`,
    /// `tracking`: a code whose last digits happen to be followed by a
    /// date).
    fn expiry_glued(&self, c: &Candidate<'_>) -> bool {
        if !self.raised_as_sent(&c.bytes) && context::code_named(self.text, &c.bytes, self.field) {
            return false;
        }
        self.card(c)
    }

    /// Whether a card word stands in the key or just before `bytes`: then
    /// even shapes the detector leaves alone (a run starting with `1` glued
    /// to more digits) are cards.
    fn raised(&self, bytes: &Range<usize>) -> bool {
        // A digest's hex letters are no words (`cc`).
        !self.digest
            && (context::raised(self.text, bytes.start, self.field) || self.raised_as_sent(bytes))
            && self.fired(Rule::RaisingWord)
    }

    /// Notes that `rule` found a card; true.
    fn fired(&self, rule: Rule) -> bool {
        if self.rule.get().is_none() {
            self.rule.set(Some(rule));
        }
        true
    }
}

/// As [`find_pans`], without the pre-checks.
fn find_pans_fully(
    readings: &decode::Readings<'_>,
    field: &Field<'_>,
) -> (Vec<Range<usize>>, Option<&'static str>) {
    let s = readings.text();
    let mut found = Vec::new();
    let cx = Cx {
        text: s,
        whole: context::Whole::new(s),
        field,
        rule: Cell::new(None),
        sent: None,
        digest: false,
    };
    if readings.over_budget() {
        // Built so that its readings never end: refused whole, never
        // passed partly read.
        return (
            std::iter::once(0..s.len()).collect(),
            Some(TOO_MANY_READINGS),
        );
    }
    // The string as sent is its own first reading: its items' bytes are
    // the bytes `scan_text` reports.
    scan_text(readings.base(), s, &mut found, &cx);
    scientific(s, &mut found, &cx);
    let masked = masked_cards(readings, field.key);
    if !masked.is_empty() {
        cx.fired(Rule::Masked);
        found.extend(masked);
    }
    for view in readings.unit_views() {
        scan(view, &mut found, &cx);
    }
    (merge(found), cx.rule.get().map(Rule::name))
}

/// The masked cards that show more than a truncation may
/// ([`masked::find`]; `key`, the field's, is read for a card word): in the
/// string as sent, and in its readings when a mask may be percent-encoded
/// or written as a reference there.
fn masked_cards(readings: &decode::Readings<'_>, key: Option<&str>) -> Vec<Range<usize>> {
    let s = readings.text();
    let mut out = masked::find(s, key);
    if masked::may_hide(s) {
        out.extend(masked::find_in_views(readings.unit_views(), key));
    }
    out
}

pub(crate) fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
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

/// The request's own card as minFraud receives it: the first and last
/// digits the app sent (`credit_card.issuer_id_number`,
/// `credit_card.last_digits`) or txveil's truncation of
/// `credit_card.number`.
#[derive(Debug, Default)]
pub(crate) struct Truncation {
    first: Vec<u8>,
    last: Vec<u8>,
}

impl Truncation {
    /// From the digits of the IIN and the last digits (ASCII, as sent);
    /// `None` unless both are digits only, the IIN of 6 or 8.
    pub(crate) fn new(iin: &str, last: &str) -> Option<Self> {
        let digits = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.bytes().map(|b| b - b'0').collect::<Vec<u8>>())
        };
        let first = digits(iin).filter(|d| matches!(d.len(), 6 | 8))?;
        let last = digits(last).filter(|d| (2..=4).contains(&d.len()))?;
        Some(Truncation { first, last })
    }

    /// Whether a stretch of ASCII digits of `s` holds a card of a brand's
    /// length that starts with these first digits and ends with these last
    /// ones: the request's own card, wherever it stands in the stretch (a
    /// chance match is about one in 10^11 per place).
    fn in_stretches(&self, s: &str) -> bool {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start >= *PAN_LENGTHS.start() {
                let d: Vec<u8> = b[start..i].iter().map(|c| c - b'0').collect();
                for at in 0..d.len() {
                    let from = &d[at..];
                    if !from.starts_with(&self.first) {
                        continue;
                    }
                    let cards = card_lengths(from);
                    let found = PAN_LENGTHS.clone().any(|n| {
                        cards & (1 << n) != 0 && n <= from.len() && from[..n].ends_with(&self.last)
                    });
                    if found {
                        return true;
                    }
                }
            }
            i += 1;
        }
        false
    }
}

/// The card found in a value of a field that holds a digest
/// (`account.username_md5`, a pre-hashed `email.address`: 32 hex digits,
/// which are not decoded or read otherwise): its decimal stretches
/// (between its hex letters) are read as any run of digits, whatever its
/// hash shape, as a UUID's are; the ambiguous shapes among them (a short
/// Maestro window, a card at the start of a longer stretch) are the
/// digest's own random digits, unless `own`, the request's card as
/// minFraud receives it, says they are its card (its first and last digits
/// around a card-shaped window anywhere in a stretch: rule `echo`). `None`
/// when it holds none, else the rule that found one. What this costs on
/// real MD5s is measured in `docs/detection.md`.
pub(crate) fn digest_pans(s: &str, own: Option<&Truncation>) -> Option<&'static str> {
    if own.is_some_and(|t| t.in_stretches(s)) {
        return Some("echo");
    }
    let readings = decode::Readings::new(s);
    let field = Field::default();
    let cx = Cx {
        text: s,
        whole: context::Whole::new(s),
        field: &field,
        rule: Cell::new(None),
        sent: None,
        digest: true,
    };
    let mut found = Vec::new();
    scan_text(readings.base(), s, &mut found, &cx);
    (!found.is_empty()).then(|| cx.rule.get().map_or(Rule::CardShape.name(), Rule::name))
}

/// Whether `s` contains a PAN anywhere.
pub fn contains_pan(s: &str) -> bool {
    !find_pans(s).is_empty()
}

/// The rule that makes `s` hold a card for [`contains_pan`]: asked only
/// once a rejection is decided, so that only a refused value is read a
/// second time, to name its rule.
pub(crate) fn rule_of(s: &str) -> &'static str {
    let (_, rule) = find_pans_explained(s, &word::Facts::of(s.as_bytes()), &Field::default());
    rule.unwrap_or(Rule::CardShape.name())
}

/// The rule that makes the JSON number `n` (under `key`) hold a card for
/// [`number_holds_pan_in`]: the scan's rule on its digits, or `rounded`
/// when only its leading digits, beyond what a 64-bit float holds exactly,
/// could start a card. Asked only once a rejection is decided.
pub(crate) fn number_rule(n: &super::doc::Num<'_>, key: Option<&str>) -> &'static str {
    use super::doc::NumValue;
    let number = Field {
        kind: context::Kind::Number,
        key,
        order: None,
    };
    let rule = |text: &str| find_pans_explained(text, &word::Facts::of(text.as_bytes()), &number).1;
    match n.value() {
        NumValue::U(_) | NumValue::I(_) => rule(&n.text()),
        NumValue::F(f) => rule(n.raw()).or_else(|| rule(&format!("{f}"))),
    }
    .unwrap_or("rounded")
}

/// Whether a JSON number holds a PAN: its digits as the app wrote them,
/// its digits as forwarded, written out in full (`41111111111111110000`,
/// `0.00004111111111111111`), or, for a number too large to be held
/// exactly, leading digits that could start a card (the rounding may have
/// changed its check digit).
pub(crate) fn number_holds_pan(n: &super::doc::Num<'_>) -> bool {
    number_holds_pan_in(n, None)
}

/// As [`number_holds_pan`], for a number under a caller-chosen `key` (read
/// for words by `context`).
pub(crate) fn number_holds_pan_in(n: &super::doc::Num<'_>, key: Option<&str>) -> bool {
    use super::doc::NumValue;
    // Written without an exponent and with fewer digits than the shortest
    // card, a number cannot hold one in any form: its shortest form has no
    // more digits than it was written with.
    let raw = n.raw().as_bytes();
    if !raw.iter().any(|b| matches!(b, b'e' | b'E'))
        && (raw.len() < *PAN_LENGTHS.start()
            || raw.iter().filter(|b| b.is_ascii_digit()).count() < *PAN_LENGTHS.start())
    {
        return false;
    }
    let number = Field {
        kind: context::Kind::Number,
        key,
        order: None,
    };
    let holds =
        |text: &str| !find_pans_in(text, &word::Facts::of(text.as_bytes()), &number).is_empty();
    let f = match n.value() {
        NumValue::U(_) | NumValue::I(_) => return holds(&n.text()),
        NumValue::F(f) => f,
    };
    // The digits as the app wrote them (`0.5105105105105100`, `4111...e-5`:
    // more than a 64-bit float keeps), then those forwarded: the float's
    // shortest form, which rounding may have given other digits.
    if holds(n.raw()) {
        return true;
    }
    let text = format!("{f}");
    if holds(&text) {
        return true;
    }
    let integer: Vec<u8> = text
        .trim_start_matches('-')
        .bytes()
        .take_while(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    integer.len() >= 16 && brand::could_start_a_pan(&integer)
}

/// `s` with every PAN replaced by [`REDACTION`], or `None` when it holds none.
pub fn redact(s: &str) -> Option<String> {
    redact_spans(s, find_pans(s))
}

/// `s` with the PANs at `spans` (from [`find_pans`]) replaced by
/// [`REDACTION`], or `None` when there are none.
pub(crate) fn redact_spans(s: &str, spans: Vec<Range<usize>>) -> Option<String> {
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
