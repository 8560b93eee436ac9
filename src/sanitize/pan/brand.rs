//! Card brand ranges and the Luhn check.
//!
//! A digit run is taken for a PAN only when it has a length its brand issues
//! and starts with one of that brand's issuer identification numbers. The
//! table below is the union of the published ranges; each row names its
//! source. Where sources disagree on lengths, the wider reading is taken: a
//! missed card is a leak, a flagged non-card is a rejected request.
//!
//! Sources:
//! - ISO/IEC 7812-1:2017, the major industry identifier (first digit: 1
//!   airlines, 2 airlines and financial, 3 travel and entertainment, 4-6
//!   banking and financial, 8 healthcare and telecommunications, 9 national
//!   assignment) and PAN lengths up to 19 digits.
//! - The issuer identification number table in Wikipedia's "Payment card
//!   number" article (IIN ranges and lengths per network), which collects the
//!   networks' own publications.
//! - Discover Global Network's "IIN ranges" in its card acceptance guide
//!   (Discover, Diners Club International, JCB and UnionPay ranges accepted on
//!   the Discover network, including 3088-3094, 3096-3102, 3112-3120,
//!   3158-3159, 3337-3349).
//! - Mastercard's Maestro range (50, 56-69; 12 to 19 digits) from its BIN
//!   table guidance, and the 2-series range 2221-2720.
//! - National schemes from their operators: Mir (NSPK, 2200-2204), Borica
//!   (2205), Uzcard (8600), Humo (9860), Belkart (9112), Prostir (9804),
//!   GPN Indonesia (1946, 9360), Troy (9792), RuPay (NPCI: 60, 65, 81, 82,
//!   508, 353, 356), UATP (1, 15 digits), JCB's 15-digit 1800 and 2131.

use std::ops::RangeInclusive;

/// One row: numbers starting with a prefix in `prefixes` (compared on their
/// first `digits` digits) may be a card of a length in `lengths`.
struct Row {
    digits: usize,
    prefixes: RangeInclusive<u32>,
    lengths: RangeInclusive<usize>,
}

const fn row(digits: usize, from: u32, to: u32, min: usize, max: usize) -> Row {
    Row {
        digits,
        prefixes: from..=to,
        lengths: min..=max,
    }
}

/// Every known range. Visa (13, 16 or 19 digits) is handled apart because its
/// lengths are not a range.
const ROWS: &[Row] = &[
    row(1, 1, 1, 15, 15),       // UATP
    row(4, 1800, 1800, 15, 15), // JCB (legacy 15-digit)
    row(4, 1946, 1946, 16, 19), // GPN Indonesia
    row(4, 2131, 2131, 15, 15), // JCB (legacy 15-digit)
    row(4, 2200, 2204, 16, 19), // Mir
    row(4, 2205, 2205, 16, 16), // Borica
    row(4, 2221, 2720, 16, 16), // Mastercard 2-series
    row(3, 300, 305, 14, 19),   // Diners Club Carte Blanche / International
    row(4, 3088, 3094, 16, 19), // JCB on the Discover network
    row(4, 3095, 3095, 14, 19), // Diners Club International
    row(4, 3096, 3102, 16, 19), // JCB on the Discover network
    row(4, 3112, 3120, 16, 19), // JCB on the Discover network
    row(4, 3158, 3159, 16, 19), // JCB on the Discover network
    row(4, 3337, 3349, 16, 19), // JCB on the Discover network
    row(2, 34, 34, 15, 15),     // American Express
    row(3, 353, 353, 16, 16),   // RuPay (JCB co-branded)
    row(3, 356, 356, 16, 16),   // RuPay (JCB co-branded)
    row(4, 3528, 3589, 16, 19), // JCB
    row(2, 36, 36, 14, 19),     // Diners Club International
    row(2, 37, 37, 15, 15),     // American Express
    row(2, 38, 39, 14, 19),     // Diners Club International
    row(2, 50, 50, 12, 19),     // Maestro (and RuPay 508, Verve 506-507)
    row(2, 51, 55, 16, 16),     // Mastercard
    row(2, 56, 69, 12, 19),     // Maestro; Discover, UnionPay, RuPay, Troy 16-19
    row(2, 81, 82, 16, 19),     // UnionPay, RuPay
    row(4, 8600, 8600, 16, 16), // Uzcard
    row(4, 9112, 9112, 16, 16), // Belkart
    row(4, 9360, 9360, 16, 19), // GPN Indonesia
    row(4, 9792, 9792, 16, 16), // Troy
    row(4, 9804, 9804, 16, 16), // Prostir
    row(4, 9860, 9860, 16, 16), // Humo
];

fn prefix(digits: &[u8], k: usize) -> u32 {
    digits[..k]
        .iter()
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
}

/// Whether `digits` (values 0-9) start with a known IIN and have one of that
/// brand's lengths.
pub(crate) fn in_brand_range(digits: &[u8]) -> bool {
    let n = digits.len();
    (4..=super::PAN_LENGTHS_END).contains(&n) && brand_lengths(digits) & (1 << n) != 0
}

/// The lengths (as bits `1 << n`) of the brands whose issuer prefixes
/// start `digits` (values 0-9; only the first four are read, and fewer
/// than four start none): [`in_brand_range`] of every window starting at
/// the same digit, at once.
pub(crate) fn brand_lengths(digits: &[u8]) -> u32 {
    if digits.len() < 4 {
        return 0;
    }
    match digits[0] {
        4 => return 1 << 13 | 1 << 16 | 1 << 19, // Visa
        // No issuer prefix starts with 0 or 7.
        0 | 7 => return 0,
        _ => {}
    }
    let prefixes = [1, 2, 3, 4].map(|k| prefix(digits, k));
    ROWS.iter()
        .filter(|r| r.prefixes.contains(&prefixes[r.digits - 1]))
        .fold(0, |lengths, r| {
            lengths | r.lengths.clone().fold(0, |bits, n| bits | 1 << n)
        })
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
#[cfg(test)]
pub(crate) fn is_pan(digits: &[u8]) -> bool {
    super::PAN_LENGTHS.contains(&digits.len()) && luhn_valid(digits) && in_brand_range(digits)
}

/// Whether `digits` have one of Maestro's legacy lengths (12 to 15) in its
/// ranges 50 and 56-69, where no other brand issues that length: the shape
/// telephone numbers with country codes 50-69 share.
pub(crate) fn maestro_short(digits: &[u8]) -> bool {
    digits.len() <= 15 && digits.len() >= 2 && matches!(prefix(digits, 2), 50 | 56..=69)
}

/// Whether some card of 12-19 digits could start with `digits` (its brand
/// issues a length at least as long). Used for numbers whose last digits
/// were lost to floating-point rounding, where Luhn cannot be checked.
pub(crate) fn could_start_a_pan(digits: &[u8]) -> bool {
    super::PAN_LENGTHS.clone().any(|n| {
        let mut padded = digits[..digits.len().min(n)].to_vec();
        padded.resize(n, 0);
        in_brand_range(&padded)
    })
}

/// Whether a brand of the table issues cards shorter than 16 digits under
/// the IIN `iin` (its first four digits are read): Visa's 13, Amex's 15,
/// Diners' 14, Maestro's 12 to 15 in 50 and 56-69. An IIN of 8 and last 4
/// leave one digit of a 13-digit card unknown (Luhn gives it back) and two
/// or three of a 14- or 15-digit one, where the PCI DSS allows no more than
/// the first 6 and last 4.
pub(crate) fn issues_under_16(iin: &[u8]) -> bool {
    brand_lengths(iin) & ((1 << 16) - 1) != 0
}

/// Whether an 8-digit IIN belongs to a brand that may keep 8 + 4 digits
/// (Discover, JCB, Mastercard, UnionPay, Visa: their PANs have 16 or more
/// digits; minFraud's and the PCI SSC's rule).
pub(crate) fn allows_iin8_last4(iin: &[u8]) -> bool {
    if iin.len() < 6 {
        return false;
    }
    let (p2, p3, p4, p6) = (
        prefix(iin, 2),
        prefix(iin, 3),
        prefix(iin, 4),
        prefix(iin, 6),
    );
    let visa = iin[0] == 4;
    let mastercard = (51..=55).contains(&p2) || (2221..=2720).contains(&p4);
    let discover =
        p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622_126..=622_925).contains(&p6);
    let jcb = (3528..=3589).contains(&p4);
    let unionpay = p2 == 62 || p2 == 81;
    visa || mastercard || discover || jcb || unionpay
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn knows_the_ranges_the_issue_named() {
        for (prefix, len) in [
            ("5012", 12),
            ("5612", 13),
            ("6390", 14),
            ("6759", 15),
            ("2131", 15),
            ("1800", 15),
            ("8600", 16),
            ("9860", 16),
            ("9112", 16),
            ("9804", 16),
            ("9360", 16),
            ("3088", 16),
            ("3337", 16),
            ("1946", 16),
        ] {
            let mut s = prefix.to_owned();
            s.push_str(&"0".repeat(len - prefix.len()));
            assert!(in_brand_range(&d(&s)), "{prefix} at {len}");
        }
    }

    #[test]
    fn refuses_lengths_a_brand_does_not_issue() {
        assert!(!in_brand_range(&d("411111111111")));
        assert!(!in_brand_range(&d("41111111111111")));
        assert!(!in_brand_range(&d("5111111111111")));
        assert!(!in_brand_range(&d("3411111111111111")));
        assert!(!in_brand_range(&d("7111111111111111")));
        assert!(!in_brand_range(&d("8911111111111111111")));
    }

    #[test]
    fn brand_lengths_is_the_table_row_by_row() {
        // Every four-digit start and every length: a window is in a brand's
        // range when Visa's lengths hold for a 4, or when a row's prefix
        // and lengths do.
        for start in 0..10_000u32 {
            let digits = d(&format!("{start:04}"));
            let lengths = brand_lengths(&digits);
            for n in 4..=super::super::PAN_LENGTHS_END {
                let by_rows = if digits[0] == 4 {
                    [13, 16, 19].contains(&n)
                } else {
                    ROWS.iter().any(|r| {
                        r.lengths.contains(&n) && r.prefixes.contains(&prefix(&digits, r.digits))
                    })
                };
                assert_eq!(lengths & (1 << n) != 0, by_rows, "{start:04} at {n}");
                let mut window = digits.clone();
                window.resize(n, 0);
                assert_eq!(in_brand_range(&window), by_rows, "{start:04} at {n}");
            }
        }
        assert_eq!(brand_lengths(&d("411")), 0);
    }

    #[test]
    fn rounded_numbers_are_judged_by_their_leading_digits() {
        assert!(could_start_a_pan(&d("41111111111111115")));
        assert!(!could_start_a_pan(&d("7000")));
    }
}
