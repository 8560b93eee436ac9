//! What each character means to the PAN detector.
//!
//! - a **digit**: ASCII, any Unicode decimal digit (`Nd`), any character
//!   whose NFKC form is one or two digits (circled `①` to `㊿`, parenthesized
//!   `⑴`, with a full stop `⒈` or a comma `🄂`, superscript `⁴`, fullwidth),
//!   or any other character with a whole Unicode numeric value 0-20 (dingbat
//!   `❶`, CJK `四`); values 10-99 read as two digits, as NFKC writes `㉑`.
//!   Those drawn as one stroke or a ring (CJK `一`, Roman `Ⅰ`, `〡`, `〇`:
//!   [`tables::NUMERIC_STROKES`]) are also read as a dash between two
//!   digits, in a reading of their own (`decode`);
//! - **invisible**: format characters (`Cf`: zero-width spaces and joiners,
//!   soft hyphen, bidi controls) and combining marks; skipped entirely;
//! - **blank**: white space, control characters (`Cc`: NUL, DEL, C1),
//!   private-use and unassigned code points, and the characters that render
//!   as nothing though Unicode calls them letters or symbols (Hangul fillers,
//!   braille blank); they join digit groups without counting as punctuation;
//! - a **joiner**: any punctuation or symbol (and modifier letters such as
//!   `ー` and `ʼ`, which are written as dashes and apostrophes), and letters
//!   drawn as one stroke that are typed as a dash (Korean `ㅡ`, `ǀ`, `丨`, `十`,
//!   `ᐧ`: every letter whose UTS 39 confusable skeleton is a dash, a
//!   vertical line or a dot, and the few such letters the confusables do
//!   not map, such as Korean `ㆍ`, the middle dot Korean keyboards type;
//!   [`tables::STROKE_LETTERS`]);
//! - a **letter** (any other `L*`) or a non-digit number such as `½`: breaks a
//!   run.

use super::tables::{ND_ZEROS, NUMBERS, NUMERIC_STROKES, STROKE_LETTERS};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};

/// The class of one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// A digit with this value (0-99; 10-99 stand for two digits).
    Digit(u8),
    /// Skipped: neither joins nor breaks.
    Invisible,
    /// Joins digit groups; not counted as punctuation.
    Blank,
    /// Joins digit groups; the character, normalized (NFKC, dashes as `-`).
    Joiner(char),
    /// Ends a run.
    Break,
}

/// Characters that look blank though their category says letter or symbol.
fn looks_blank(c: char) -> bool {
    matches!(
        c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}' | '\u{180E}'
    )
}

/// The value of `c` as a number 0-99 (10-99 stand for two digits), from its
/// decimal digit value, its NFKC form or its Unicode numeric value.
pub(super) fn numeric_value(c: char) -> Option<u8> {
    if c.is_ascii() {
        return c.is_ascii_digit().then(|| c as u8 - b'0');
    }
    let cp = c as u32;
    if c.general_category() == G::DecimalNumber {
        if let Some(&zero) = ND_ZEROS.iter().find(|&&z| z <= cp && cp - z < 10) {
            return u8::try_from(cp - zero).ok();
        }
    }
    let i = NUMBERS.partition_point(|&(_, last, _)| last < cp);
    match NUMBERS.get(i) {
        Some(&(first, _, value)) if first <= cp => {
            u8::try_from(cp - first).ok().map(|offset| value + offset)
        }
        _ => None,
    }
}

/// Whether `c` is a letter drawn as one stroke ([`STROKE_LETTERS`]).
pub(super) fn is_stroke_letter(c: char) -> bool {
    let cp = c as u32;
    let i = STROKE_LETTERS.partition_point(|&(_, last)| last < cp);
    STROKE_LETTERS.get(i).is_some_and(|&(first, _)| first <= cp)
}

/// Whether `c` is a number drawn as one stroke or a ring
/// ([`NUMERIC_STROKES`]: CJK `一`, Roman `Ⅰ`, `〡`, `〇`).
pub(super) fn is_numeric_stroke(c: char) -> bool {
    let cp = c as u32;
    let i = NUMERIC_STROKES.partition_point(|&(_, last)| last < cp);
    NUMERIC_STROKES
        .get(i)
        .is_some_and(|&(first, _)| first <= cp)
}

/// Classifies one character.
pub(super) fn classify(c: char) -> Class {
    if c.is_ascii() {
        return match c {
            '0'..='9' => Class::Digit(c as u8 - b'0'),
            'a'..='z' | 'A'..='Z' => Class::Break,
            '\0'..=' ' | '\x7f' => Class::Blank,
            _ => Class::Joiner(c),
        };
    }
    if let Some(v) = numeric_value(c) {
        return Class::Digit(v);
    }
    if looks_blank(c) {
        return Class::Blank;
    }
    if is_stroke_letter(c) {
        return Class::Joiner('-');
    }
    match c.general_category() {
        G::Format | G::NonspacingMark | G::EnclosingMark | G::SpacingMark => Class::Invisible,
        G::SpaceSeparator | G::LineSeparator | G::ParagraphSeparator => Class::Blank,
        G::Control | G::PrivateUse | G::Unassigned | G::Surrogate => Class::Blank,
        G::UppercaseLetter
        | G::LowercaseLetter
        | G::TitlecaseLetter
        | G::OtherLetter
        | G::LetterNumber
        | G::OtherNumber
        | G::DecimalNumber => Class::Break,
        G::DashPunctuation => Class::Joiner('-'),
        G::ModifierLetter
        | G::ConnectorPunctuation
        | G::OpenPunctuation
        | G::ClosePunctuation
        | G::InitialPunctuation
        | G::FinalPunctuation
        | G::OtherPunctuation
        | G::MathSymbol
        | G::CurrencySymbol
        | G::ModifierSymbol
        | G::OtherSymbol => Class::Joiner(normalized(c)),
    }
}

/// The first character of `c`'s NFKC form, with the minus sign as `-`, so
/// that `－` and `-` count as the same separator.
fn normalized(c: char) -> char {
    if c == '\u{2212}' {
        return '-';
    }
    std::iter::once(c).nfkc().next().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_digits_of_every_form() {
        for (c, v) in [
            ('7', 7),
            ('\u{0667}', 7),
            ('\u{FF17}', 7),
            ('\u{2460}', 1),
            ('\u{2776}', 1),
            ('\u{2780}', 1),
            ('\u{24F5}', 1),
            ('\u{24FF}', 0),
            ('\u{2074}', 4),
            ('\u{56DB}', 4),
            ('\u{277F}', 10),
            ('\u{1D7D2}', 4),
        ] {
            assert_eq!(classify(c), Class::Digit(v), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn sorts_the_rest() {
        assert_eq!(classify('a'), Class::Break);
        assert_eq!(classify('\u{00E9}'), Class::Break);
        assert_eq!(classify('\u{00BD}'), Class::Break);
        assert_eq!(classify('\u{200B}'), Class::Invisible);
        assert_eq!(classify('\u{0301}'), Class::Invisible);
        for blank in [
            '\0', '\u{1}', '\u{7f}', '\u{85}', '\u{3164}', '\u{FFA0}', '\u{115F}', '\u{1160}',
            '\u{2800}', '\u{E000}', '\u{3000}',
        ] {
            assert_eq!(classify(blank), Class::Blank, "U+{:04X}", blank as u32);
        }
        assert_eq!(classify('\u{FF0D}'), Class::Joiner('-'));
        assert_eq!(classify('\u{2013}'), Class::Joiner('-'));
        assert_eq!(classify('\u{066C}'), Class::Joiner('\u{066C}'));
        assert_eq!(classify('\u{FF1B}'), Class::Joiner(';'));
        assert_eq!(classify('\u{30FC}'), Class::Joiner('\u{30FC}'));
        assert_eq!(classify('\''), Class::Joiner('\''));
    }
}
