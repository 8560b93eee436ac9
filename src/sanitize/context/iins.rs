//! Issuer identification numbers (ISO/IEC 7812-1) inside the brand table's
//! wide ranges that a non-payment issuer holds: private-label loyalty and
//! membership programmes, whose card numbers follow ISO/IEC 7812 (an IIN,
//! an account number, a Luhn check digit) without any payment brand
//! issuing them.
//!
//! The brand table (`pan/brand.rs`) takes Maestro's 50 and 56-69 and
//! UnionPay's 62 whole, because a brand's ranges are not all published: a
//! number there is a card unless something independent says otherwise. A
//! number is a payment card's (a PAN, in PCI DSS's sense) only when a
//! payment brand issues its IIN; the IINs below are the programmes' own, as
//! their issuers print them on the cards and in their apps, and no payment
//! brand's. A number of such an IIN, of its programme's length, is that
//! programme's number when its context names a loyalty or membership card
//! (a loyalty word, the programme's name) and no payment word (a brand's
//! name, credit, debit, cvv) is near: the generic word "card" (a loyalty
//! card, Clubcard) does not make it a payment card. Without a loyalty
//! word it stays a card, and an IIN not listed here stays a card (fail
//! closed).

/// The programmes: their IIN, the length of their numbers, and their
/// names as words.
const PROGRAMMES: &[(&[u8], usize, &[&str])] = &[
    // Tesco Clubcard (United Kingdom, Ireland, Central Europe).
    (&[6, 3, 4, 0, 0, 4], 18, &["tesco", "clubcard"]),
    // IKEA Family (membership card, every IKEA market).
    (&[6, 2, 7, 5, 9, 8, 0], 19, &["ikea", "family"]),
];

/// Words that name a loyalty or membership card.
const LOYALTY: &[&str] = &[
    "loyalty",
    "loyaltycard",
    "member",
    "membership",
    "rewards",
    "reward",
    "points",
    "bonus",
    "clubcard",
    "club",
    "kundenkarte",
    "fidelite",
    "fidélité",
    "fidelidad",
    "fidelidade",
    "fedeltà",
    "stammkunde",
];

/// Words that name a payment card: a brand, a payment function, a card's
/// security code. Near a private-label number they keep it a card.
const PAYMENT: &[&str] = &[
    "visa",
    "mastercard",
    "mc",
    "maestro",
    "amex",
    "discover",
    "diners",
    "jcb",
    "unionpay",
    "rupay",
    "credit",
    "debit",
    "creditcard",
    "debitcard",
    "kreditkarte",
    "crédito",
    "débito",
    "bancaire",
    "cvv",
    "cvc",
    "cvv2",
    "cc",
    "ccn",
    "pan",
    "payment",
];

/// The words of a programme whose IIN and length `window` has: `None` when
/// it is no private-label number.
pub(crate) fn programme(window: &[u8]) -> Option<&'static [&'static str]> {
    PROGRAMMES
        .iter()
        .find(|(iin, len, _)| window.len() == *len && window.starts_with(iin))
        .map(|p| p.2)
}

/// Whether `texts` (the key, the text before and after the number) name a
/// loyalty card or the programme (`names`), and no payment card.
pub(crate) fn named(texts: &[&str], names: &[&str]) -> bool {
    let mut loyalty = false;
    for t in texts {
        for w in super::words::word_forms(t) {
            if PAYMENT.contains(&w.as_str()) {
                return false;
            }
            loyalty |= LOYALTY.contains(&w.as_str()) || names.contains(&w.as_str());
        }
    }
    loyalty
}

#[cfg(test)]
mod tests {
    use crate::sanitize::context::Field;
    use crate::sanitize::pan::{self, luhn_valid};
    use crate::sanitize::word::Facts;

    fn flagged(s: &str, field: &Field<'_>) -> bool {
        !pan::find_pans_in(s, &Facts::of(s.as_bytes()), field).is_empty()
    }

    /// Luhn-valid numbers of `len` digits starting with `iin`.
    fn numbers(iin: &str, len: usize) -> Vec<String> {
        (0..40u64)
            .map(|i| {
                let body = format!("{iin}{:0w$}", i * 7_919_777, w = len - iin.len() - 1);
                (0..10)
                    .map(|c| format!("{body}{c}"))
                    .find(|s| luhn_valid(&s.bytes().map(|b| b - b'0').collect::<Vec<_>>()))
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn loyalty_numbers_are_not_cards_in_their_context() {
        let note = Field::of(None, true, "note");
        for (iin, len, name) in [
            ("634004", 18, "Tesco Clubcard"),
            ("6275980", 19, "IKEA Family"),
        ] {
            for n in numbers(iin, len) {
                // A card's shape of a brand's range: refused with no
                // context, as every card.
                assert!(flagged(&n, &note));
                for key in ["loyalty_card", "clubcard", "membership_no"] {
                    assert!(!flagged(&n, &Field::of(None, true, key)), "{key}");
                }
                assert!(!flagged(&format!("{name} {n}"), &note));
                assert!(!flagged(&format!("loyalty card: {n}"), &note));
                // A payment word, or a card layout, keeps it a card.
                assert!(flagged(&format!("{name} Visa {n}"), &note));
                assert!(flagged(
                    &format!("loyalty card: {n}"),
                    &Field::of(None, true, "cc")
                ));
                let fours: Vec<&str> = n
                    .as_bytes()
                    .chunks(4)
                    .map(|g| std::str::from_utf8(g).unwrap_or(""))
                    .collect();
                assert!(flagged(&format!("loyalty {}", fours.join(" ")), &note));
            }
        }
        // Another IIN of the same range, or another length, stays a card.
        for n in numbers("634005", 18).iter().chain(&numbers("634004", 16)) {
            assert!(flagged(n, &Field::of(None, true, "loyalty_card")));
        }
    }
}
