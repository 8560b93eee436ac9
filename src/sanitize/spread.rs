//! A card's first digits written apart from its truncation.
//!
//! An app that sends its own truncation of the card
//! (`credit_card.issuer_id_number`, `credit_card.last_digits`) often writes
//! the card's BIN elsewhere too: `custom_inputs.bin = "42222222"`. With the
//! last 4 digits minFraud receives, 8 first digits are all of a 13-digit
//! card but the one the Luhn check digit gives back (the rule of
//! `card::narrowed_iin`, here across fields). Such a value is a card found
//! (`on_pan`, rule [`RULE`]) when the request's truncation shows 4 last
//! digits and no `credit_card.number` (whose own truncation knows the
//! card's length), and:
//! - it is 7 or 8 digits (any script; a string or a JSON number), the first
//!   digits of a card whose brand issues cards shorter than 16 digits, or
//!   that may keep only 6 digits with the last 4 (the brand table's, by
//!   those digits);
//! - and the context says it is the card's: it starts with the IIN the app
//!   sent (6 digits), or its key names one: `bin`, `iin`, `issuer`,
//!   `prefix`, `first` or `head` with card words only (`card_bin`, `bin8`,
//!   `issuerBin`, `cc_first8`, `card_prefix`; not `warehouse_bin`).
//!
//! The fields of `credit_card` itself are the truncation, and are left to
//! it.

use super::pan::brand;
use crate::json::{Mark, Val};

/// The rule a card's first digits written apart from its truncation
/// answer to.
pub(crate) const RULE: &str = "spread";

/// The fewest and most digits read as a card's first digits written apart.
const FIRST_DIGITS: std::ops::RangeInclusive<usize> = 7..=8;

/// Words of a key that name a card's first digits.
const BIN_WORDS: [&str; 6] = ["bin", "iin", "issuer", "prefix", "first", "head"];

/// Words that may stand beside them in such a key (`card_bin`,
/// `cc_first8`, `bin_number`); a key with any other word names something
/// else (`warehouse_bin`, `bin_location`).
const CARD_WORDS: [&str; 8] = [
    "card", "cc", "pan", "credit", "number", "num", "no", "digits",
];

/// The request's truncation, as far as a first-digits value elsewhere is
/// read against it.
#[derive(Debug)]
pub(crate) struct Spread {
    /// The first 6 digits of the IIN the app sent (values 0-9), if any.
    iin: Option<[u8; 6]>,
}

impl Spread {
    /// From the `credit_card` group's `issuer_id_number` and last digits
    /// (`last_digits` or `last_4_digits`), as sent: `None` unless 4 ASCII
    /// last digits are given.
    pub(crate) fn new(iin: Option<&str>, last: Option<&str>) -> Option<Spread> {
        let last = last?;
        if last.len() != 4 || !last.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let iin = iin
            .filter(|i| i.len() >= 6 && i.bytes().all(|b| b.is_ascii_digit()))
            .map(|i| {
                let b = i.as_bytes();
                std::array::from_fn(|k| b[k] - b'0')
            });
        Some(Spread { iin })
    }

    /// Whether `value` under `key` is the card's first digits written apart
    /// (see the module's documentation).
    pub(crate) fn reveals<M: Mark>(&self, key: &str, value: &Val<'_, M>) -> bool {
        let Some(digits) = first_digits(value) else {
            return false;
        };
        let risky = brand::brand_lengths(&digits) != 0
            && (!brand::allows_iin8_last4(&digits) || brand::issues_under_16(&digits));
        if !risky {
            return false;
        }
        self.iin.is_some_and(|iin| digits.starts_with(&iin)) || names_a_bin(key)
    }
}

/// The digits of a value that is 7 or 8 digits and nothing else (white
/// space around it aside): a string of decimal digits of any script, or
/// a JSON integer.
fn first_digits<M: Mark>(value: &Val<'_, M>) -> Option<Vec<u8>> {
    let text = match value {
        Val::Str(s) => s.as_str(),
        Val::Num(n) => n.raw(),
        _ => return None,
    }
    .trim();
    if !FIRST_DIGITS.contains(&text.chars().count()) {
        return None;
    }
    text.chars().map(super::echo::digit_of).collect()
}

/// Whether `key` names a card's first digits: its words (split at what is
/// not a letter, and before an upper-case letter after a lower-case one)
/// hold one of [`BIN_WORDS`] and nothing but those and [`CARD_WORDS`].
fn names_a_bin(key: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut lower_before = false;
    for c in key.chars() {
        if (!c.is_alphabetic() || (c.is_uppercase() && lower_before)) && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphabetic() {
            word.extend(c.to_lowercase());
        }
        lower_before = c.is_lowercase();
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    words.iter().any(|w| BIN_WORDS.contains(&w.as_str()))
        && words
            .iter()
            .all(|w| BIN_WORDS.contains(&w.as_str()) || CARD_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Val<'_, ()> {
        Val::Str(crate::json::Text::plain(text))
    }

    #[test]
    fn the_first_eight_digits_of_a_short_issuing_brand_beside_the_last_four() {
        let with_iin = Spread::new(Some("422222"), Some("2222")).unwrap();
        assert!(with_iin.reveals("note_ref", &s("42222222")));
        assert!(with_iin.reveals(
            "x",
            &s("\u{ff14}\u{ff12}\u{ff12}\u{ff12}\u{ff12}\u{ff12}\u{ff12}\u{ff12}")
        ));
        assert!(with_iin.reveals("x", &s("4222222")));
        // Another card's first digits, under an ordinary key.
        assert!(!with_iin.reveals("order_ref", &s("41234567")));
        let last_only = Spread::new(None, Some("2222")).unwrap();
        for key in [
            "bin",
            "bin8",
            "card_bin",
            "issuerBin",
            "IIN",
            "cc_first8",
            "card_prefix",
            "pan_head",
        ] {
            assert!(last_only.reveals(key, &s("42222222")), "{key}");
        }
        for key in [
            "order_ref",
            "binary",
            "cabin",
            "robin_id",
            "warehouse_bin",
            "bin_location",
        ] {
            assert!(!last_only.reveals(key, &s("42222222")), "{key}");
        }
        // Mastercard and JCB issue 16 digits or more: 8 + 4 are allowed.
        assert!(!last_only.reveals("bin", &s("55555555")));
        // No brand's first digits.
        assert!(!last_only.reveals("bin", &s("00012345")));
        // Not 7 or 8 digits.
        assert!(!last_only.reveals("bin", &s("422222")));
        assert!(!last_only.reveals("bin", &s("4222222222")));
        assert!(!last_only.reveals("bin", &s("4222-2222")));
        assert!(Spread::new(Some("422222"), Some("22")).is_none());
        assert!(Spread::new(Some("422222"), None).is_none());
    }

    #[test]
    fn names_a_bin_reads_the_words_of_a_key() {
        assert!(names_a_bin("bin"));
        assert!(names_a_bin("cc-bin"));
        assert!(names_a_bin("cardBIN"));
        assert!(!names_a_bin("cabinet"));
        assert!(!names_a_bin("binding"));
    }
}
