//! Unicode normalization with an ASCII fast path: NFC and NFKC leave ASCII
//! text as it is, so the common case is a copy.

use unicode_normalization::UnicodeNormalization as _;

/// The NFC form of `s`.
pub(crate) fn nfc(s: &str) -> String {
    if s.is_ascii() {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// The NFKC form of `s`.
pub(crate) fn nfkc(s: &str) -> String {
    if s.is_ascii() {
        s.to_owned()
    } else {
        s.nfkc().collect()
    }
}

/// Whether `c` shows nothing and is no part of what a name or an address
/// says: a format character (`Cf`: zero-width space and joiners, word
/// joiner, soft hyphen, bidi marks, BOM, tag characters) or a default
/// ignorable code point (Unicode's `Default_Ignorable_Code_Point`,
/// DerivedCoreProperties.txt: the Hangul fillers U+115F, U+1160, U+3164 and
/// U+FFA0, the Khmer inherent vowels U+17B4 and U+17B5, the combining
/// grapheme joiner, the Mongolian free variation selectors, the variation
/// selectors, and the code points reserved as ignorable). The one table the
/// email finder and the echo search skip characters by.
pub(crate) fn shows_nothing(c: char) -> bool {
    use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
    !c.is_ascii() && (default_ignorable(c) || c.general_category() == G::Format)
}

/// Unicode's `Default_Ignorable_Code_Point` (Unicode 16,
/// DerivedCoreProperties.txt).
fn default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_shows_nothing_is_every_default_ignorable_and_format_character() {
        for c in [
            '\u{200B}',
            '\u{200D}',
            '\u{2060}',
            '\u{AD}',
            '\u{200E}',
            '\u{FEFF}',
            '\u{FE0F}',
            '\u{E0100}',
            '\u{34F}',
            '\u{180B}',
            '\u{180E}',
            '\u{3164}',
            '\u{FFA0}',
            '\u{115F}',
            '\u{1160}',
            '\u{17B4}',
            '\u{17B5}',
            '\u{E0041}',
            '\u{1D173}',
            '\u{1BCA0}',
        ] {
            assert!(shows_nothing(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            'a', ' ', '-', '\u{E9}', '\u{301}', '\u{AC00}', '\u{1100}', '\u{17B6}', '\u{2800}',
        ] {
            assert!(!shows_nothing(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn agrees_with_the_crate_on_ascii_and_beyond() {
        let all_ascii: String = (0u8..=127).map(char::from).collect();
        for s in [
            all_ascii.as_str(),
            "",
            "Jane.Doe+x@Example.COM",
            "e\u{301}cole",
            "ＪＡＮＥ＠ｅｘａｍｐｌｅ．ｃｏｍ",
            "ﬁ\u{212B}",
        ] {
            assert_eq!(nfc(s), s.nfc().collect::<String>());
            assert_eq!(nfkc(s), s.nfkc().collect::<String>());
        }
    }
}
