//! The generator of `tables.rs`, run as a test: it derives every table from
//! the Unicode data of the crates txveil uses (`unicode-properties` for
//! general categories, `unicode-normalization` for NFKC, `unicode-security`
//! for the UTS 39 confusables), and fails when the checked-in tables differ
//! from what the crates say. `tools/gen_unicode_tables` writes them again
//! (`TXVEIL_WRITE_TABLES=1`).

use super::numeric::NUMERIC;
use std::fmt::Write as _;
use unicode_normalization::UnicodeNormalization as _;
use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};

fn all_chars() -> impl Iterator<Item = char> {
    (0u32..=0x10FFFF).filter_map(char::from_u32)
}

fn is_letter(c: char) -> bool {
    matches!(
        c.general_category(),
        G::UppercaseLetter | G::LowercaseLetter | G::TitlecaseLetter | G::OtherLetter
    )
}

/// First code point of every block of ten `Nd` digits.
pub(super) fn nd_zeros() -> Vec<u32> {
    let mut zeros = Vec::new();
    let mut run_start = None;
    for cp in 0u32..=0x110000 {
        let nd = char::from_u32(cp).is_some_and(|c| c.general_category() == G::DecimalNumber);
        match (nd, run_start) {
            (true, None) => run_start = Some(cp),
            (false, Some(start)) => {
                assert!(
                    (cp - start) % 10 == 0,
                    "an Nd run of {} at U+{start:04X}",
                    cp - start
                );
                zeros.extend((start..cp).step_by(10));
                run_start = None;
            }
            _ => {}
        }
    }
    zeros
}

/// The digits a character's NFKC form writes, read as a number: `㉑` is
/// `21`, `⒇` is `(20)`, `⒛` is `20.`, `🄂` is `1,`. Only forms of one or two
/// ASCII digits, alone or in parentheses or before a full stop or comma.
pub(super) fn nfkc_number(c: char) -> Option<u8> {
    if c.is_ascii() || c.general_category() == G::DecimalNumber {
        return None;
    }
    let n: String = std::iter::once(c).nfkc().collect();
    let inner = n
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| n.strip_suffix(['.', ',']))
        .unwrap_or(&n);
    if (1..=2).contains(&inner.len()) && inner.bytes().all(|b| b.is_ascii_digit()) {
        inner.parse().ok()
    } else {
        None
    }
}

/// Runs of code points whose values rise by one: `(first, last, value)`.
fn runs(values: impl Iterator<Item = (u32, u8)>) -> Vec<(u32, u32, u8)> {
    let mut out: Vec<(u32, u32, u8)> = Vec::new();
    for (cp, v) in values {
        match out.last_mut() {
            Some((first, last, value))
                if *last + 1 == cp && u32::from(*value) + (cp - *first) == u32::from(v) =>
            {
                *last = cp;
            }
            _ => out.push((cp, cp, v)),
        }
    }
    out
}

/// Every non-`Nd` character read as a number: the NFKC forms above, and
/// the whole numeric values 0-20 of the UCD 14 table (`numeric.rs`: CJK
/// numerals, Roman numerals, ...), whose values the crates do not carry.
pub(super) fn numbers() -> Vec<(u32, u32, u8)> {
    runs(all_chars().filter_map(|c| {
        nfkc_number(c)
            .or_else(|| ucd_value(c as u32))
            .map(|v| (c as u32, v))
    }))
}

/// The whole numeric value 0-20 of `cp` in the UCD 14 table.
fn ucd_value(cp: u32) -> Option<u8> {
    let i = NUMERIC.partition_point(|&(_, last, _)| last < cp);
    NUMERIC
        .get(i)
        .filter(|&&(first, _, _)| first <= cp)
        .map(|&(first, _, v)| v + u8::try_from(cp - first).unwrap_or(0))
}

/// Skeletons (UTS 39) of the strokes people type between digit groups: a
/// dash, a vertical line (confused with `l`), a dot.
const STROKES: &[&str] = &[
    "-", "l", "|", ".", "\u{B7}", "\u{30FC}", "\u{4E00}", "\u{4E28}", "_", "/", "\u{2014}",
];

/// Letters drawn as one stroke or a dot that UTS 39's confusables do not
/// map, typed between digit groups: Bopomofo `ㄧ` (U+3127, a horizontal
/// stroke in horizontal text); Hangul araea `ㆍ` (U+318D, the middle dot
/// Korean keyboards type) and its jamo `ᆞ` (U+119E); the Canadian
/// syllabics finals `ᐨ` (U+1428, a short horizontal stroke), `ᐟ` (U+141F, an
/// acute stroke like `/`) and `ᐠ` (U+1420, a grave stroke like `\`); Thai
/// paiyannoi `ฯ` (U+0E2F); CJK `十` (U+5341, a cross typed for `+`; the
/// UCD 14 table this generator folds in gives it no numeric value).
const MORE_STROKES: &[char] = &[
    '\u{3127}', '\u{318D}', '\u{119E}', '\u{1428}', '\u{141F}', '\u{1420}', '\u{0E2F}', '\u{5341}',
];

/// Letters that are drawn as a single stroke and so are typed as a dash
/// (Korean `ㅡ` U+3161, `ᅳ`, `ǀ`, `ᐧ`, `丨`, `ⵏ`, `ᛁ`, `ꞏ`, `ㄧ`): every
/// letter outside ASCII whose UTS 39 confusable skeleton is one of
/// [`STROKES`] and that is not a number.
pub(super) fn stroke_letters() -> Vec<(u32, u32)> {
    strokes(
        |c| is_letter(c) && nfkc_number(c).is_none() && ucd_value(c as u32).is_none(),
        MORE_STROKES,
    )
}

/// Numbers drawn as a stroke or a ring that UTS 39's confusables do not
/// map to one of [`STROKES`], typed between digit groups: Hangzhou `〡`
/// (U+3021, a vertical stroke) and ideographic `〇` (U+3007, a ring typed
/// for a bullet).
const MORE_NUMERIC_STROKES: &[char] = &['\u{3021}', '\u{3007}'];

/// Characters that are numbers (CJK `一`, Roman `Ⅰ`: a whole numeric value,
/// not a decimal digit nor an NFKC form of digits) drawn as one stroke or
/// a ring, and so typed between digit groups as a dash (`4111一
/// 1111一...`): their UTS 39 skeleton is one of [`STROKES`], or they are
/// one of [`MORE_NUMERIC_STROKES`]. The detector reads them as digits, and
/// also, between two digits, as a dash (a second reading).
pub(super) fn numeric_strokes() -> Vec<(u32, u32)> {
    strokes(
        |c| {
            c.general_category() != G::DecimalNumber
                && nfkc_number(c).is_none()
                && ucd_value(c as u32).is_some()
        },
        MORE_NUMERIC_STROKES,
    )
}

/// The characters outside ASCII of a `kind` whose UTS 39 confusable
/// skeleton is one of [`STROKES`], or that are among `more`, as runs of
/// code points `(first, last)`.
fn strokes(kind: impl Fn(char) -> bool, more: &[char]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for c in all_chars().filter(|&c| !c.is_ascii() && kind(c)) {
        let mut buf = [0u8; 4];
        let skeleton: String = unicode_security::skeleton(c.encode_utf8(&mut buf)).collect();
        if !STROKES.contains(&skeleton.as_str()) && !more.contains(&c) {
            continue;
        }
        let cp = c as u32;
        match out.last_mut() {
            Some((_, last)) if *last + 1 == cp => *last = cp,
            _ => out.push((cp, cp)),
        }
    }
    out
}

/// The text of `tables.rs`.
pub(super) fn generate() -> String {
    let mut s = String::new();
    s.push_str("//! Generated by `tools/gen_unicode_tables` from the Unicode data of the\n");
    let _ = writeln!(
        s,
        "//! crates txveil uses (general categories and NFKC: Unicode {}.{}.{}). Do not edit by hand.",
        unicode_normalization::UNICODE_VERSION.0,
        unicode_normalization::UNICODE_VERSION.1,
        unicode_normalization::UNICODE_VERSION.2
    );
    s.push_str("\n/// First code point of every block of ten decimal digits (`Nd`).\n");
    s.push_str("pub(super) const ND_ZEROS: &[u32] = &[\n");
    for z in nd_zeros() {
        let _ = writeln!(s, "    0x{z:X},");
    }
    s.push_str("];\n\n/// Characters read as a number 0-99 that are not decimal digits: NFKC\n");
    s.push_str("/// forms of one or two digits (circled, parenthesized, with a full stop\n");
    s.push_str("/// or comma) and whole numeric values 0-20 (UCD 14). `(first, last,\n");
    s.push_str("/// value of first)`: values rise by one.\n");
    s.push_str("pub(super) const NUMBERS: &[(u32, u32, u8)] = &[\n");
    for (first, last, v) in numbers() {
        let _ = writeln!(s, "    (0x{first:X}, 0x{last:X}, {v}),");
    }
    s.push_str("];\n\n/// Letters drawn as one stroke (a dash, a vertical line, a dot), typed\n");
    s.push_str("/// between digit groups as a dash: their UTS 39 confusable skeleton is a\n");
    s.push_str("/// stroke. `(first, last)`.\n");
    s.push_str("pub(super) const STROKE_LETTERS: &[(u32, u32)] = &[\n");
    for (first, last) in stroke_letters() {
        let _ = writeln!(s, "    (0x{first:X}, 0x{last:X}),");
    }
    s.push_str(
        "];\n\n/// Numbers drawn as one stroke or a ring (CJK `一`, Roman `Ⅰ`, `〡`, `〇`),\n",
    );
    s.push_str("/// typed between digit groups as a dash: read as digits,\n");
    s.push_str("/// and between two digits also as a dash. `(first, last)`.\n");
    s.push_str("pub(super) const NUMERIC_STROKES: &[(u32, u32)] = &[\n");
    for (first, last) in numeric_strokes() {
        let _ = writeln!(s, "    (0x{first:X}, 0x{last:X}),");
    }
    s.push_str("];\n");
    s
}

#[test]
fn every_class_holds_what_it_says() {
    use super::class::{classify, Class};
    // Every decimal digit of the crates' Unicode reads as its value.
    let mut nd = 0;
    let zeros = nd_zeros();
    for c in all_chars().filter(|c| c.general_category() == G::DecimalNumber) {
        nd += 1;
        let zero = zeros
            .iter()
            .rev()
            .find(|&&z| z <= c as u32)
            .copied()
            .unwrap_or(0);
        let want = u8::try_from(c as u32 - zero).unwrap_or(u8::MAX);
        assert!(classify(c) == Class::Digit(want), "U+{:04X}", c as u32);
    }
    assert!(nd > 700);
    // Every character whose NFKC form is one or two digits reads as them.
    let mut forms = 0;
    for c in all_chars() {
        if let Some(v) = nfkc_number(c) {
            forms += 1;
            assert!(classify(c) == Class::Digit(v), "U+{:04X}", c as u32);
        }
    }
    assert!(forms > 120, "{forms}");
    // Every stroke letter joins digit groups as a dash.
    let strokes: Vec<char> = all_chars()
        .filter(|&c| super::class::is_stroke_letter(c))
        .collect();
    for &c in &strokes {
        assert!(classify(c) == Class::Joiner('-'), "U+{:04X}", c as u32);
    }
    // Every numeric stroke reads as a digit, and as a stroke.
    let numeric: Vec<char> = all_chars()
        .filter(|&c| super::class::is_numeric_stroke(c))
        .collect();
    for &c in &numeric {
        assert!(matches!(classify(c), Class::Digit(_)), "U+{:04X}", c as u32);
    }
    for c in ['\u{4E00}', '\u{2160}', '\u{3021}', '\u{3007}'] {
        assert!(numeric.contains(&c), "U+{:04X}", c as u32);
    }
    for c in [
        '\u{3161}', '\u{1173}', '\u{1C0}', '\u{1427}', '\u{4E28}', '\u{2D4F}', '\u{16C1}',
        '\u{A78F}', '\u{3127}', '\u{318D}', '\u{119E}', '\u{1428}', '\u{141F}', '\u{1420}',
        '\u{0E2F}', '\u{5341}',
    ] {
        assert!(strokes.contains(&c), "U+{:04X}", c as u32);
    }
}

#[test]
fn the_tables_are_what_the_crates_say() {
    let generated = generate();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/sanitize/pan/tables.rs");
    if std::env::var_os("TXVEIL_WRITE_TABLES").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap();
    assert!(
        checked_in == generated,
        "src/sanitize/pan/tables.rs is not what the crates' Unicode data gives: run tools/gen_unicode_tables"
    );
}
