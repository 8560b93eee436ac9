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

#[cfg(test)]
mod tests {
    use super::*;

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
