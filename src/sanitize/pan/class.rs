//! What each character means to the PAN detector.
//!
//! - a **digit**: ASCII, any Unicode decimal digit (`Nd`), or any character
//!   with a whole Unicode numeric value (circled `①`, dingbat `❶`, double
//!   circled `⓵`, superscript `⁴`, CJK `四`); values 10-20 read as two digits,
//!   as NFKC writes `⑩`;
//! - **invisible**: format characters (`Cf`: zero-width spaces and joiners,
//!   soft hyphen, bidi controls) and combining marks; skipped entirely;
//! - **blank**: white space, control characters (`Cc`: NUL, DEL, C1),
//!   private-use and unassigned code points, and the characters that render
//!   as nothing though Unicode calls them letters or symbols (Hangul fillers,
//!   braille blank); they join digit groups without counting as punctuation;
//! - a **joiner**: any punctuation or symbol (and modifier letters such as
//!   `ー` and `ʼ`, which are written as dashes and apostrophes);
//! - a **letter** (any other `L*`) or a non-digit number such as `½`: breaks a
//!   run.

use super::numeric::NUMERIC;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};

/// The class of one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// A digit with this value (0-20; 10-20 stand for two digits).
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

/// Characters that look blank though their category says letter or symbol.
fn looks_blank(c: char) -> bool {
    matches!(
        c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}' | '\u{180E}'
    )
}

/// The value of `c` as a digit 0-20, from its decimal digit value or its
/// Unicode numeric value.
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
    let i = NUMERIC.partition_point(|&(_, last, _)| last < cp);
    match NUMERIC.get(i) {
        Some(&(first, _, value)) if first <= cp => {
            u8::try_from(cp - first).ok().map(|offset| value + offset)
        }
        _ => None,
    }
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
