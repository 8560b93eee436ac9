//! Card number truncation: a raw PAN in, the IIN and last digits out.
//!
//! The raw number lives only in `Pan`, whose digits are zeroized on drop and
//! which has no `Debug`, `Display` or `Serialize`. What leaves is a
//! `TruncatedCard`, following `spec/pan-rules.md`:
//!
//! - IIN 6 (default) + last 4;
//! - IIN 8 + last 4 only for Discover, JCB, Mastercard, UnionPay and Visa on
//!   PANs of 16 or more digits (the brands minFraud and the PCI SSC allow);
//!   any other IIN 8 gets last 2;
//! - a policy may ask for last 2 everywhere; PANs of 12 digits always get
//!   last 2, so at least four middle digits are always removed.

use super::pan;
use zeroize::Zeroizing;

/// Why a `credit_card.number` value is not a card number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CardError {
    /// A character that is neither a digit nor a separator.
    NotDigits,
    /// Fewer than 12 or more than 19 digits.
    Length,
    /// The Luhn check digit is wrong.
    Luhn,
}

/// How many leading digits to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IinLength {
    /// The first six digits (the default).
    Six,
    /// The first eight digits, where minFraud and the brand allow it.
    Eight,
}

/// A raw card number: digits only, zeroized on drop, never printed.
pub(crate) struct Pan(Zeroizing<Vec<u8>>);

/// The card data that may leave: IIN and last digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TruncatedCard {
    /// Goes to `credit_card.issuer_id_number`.
    pub(crate) issuer_id_number: String,
    /// Goes to `credit_card.last_digits`.
    pub(crate) last_digits: String,
}

impl Pan {
    /// Reads a PAN written with any Unicode digits and separators.
    ///
    /// # Errors
    /// [`CardError`] when it is not 12–19 digits with a valid Luhn check.
    pub(crate) fn parse(raw: &str) -> Result<Self, CardError> {
        let mut digits = Zeroizing::new(Vec::with_capacity(19));
        for c in raw.chars() {
            if let Some(d) = pan::digit_value(c) {
                digits.push(d);
            } else if !is_card_separator(c) {
                return Err(CardError::NotDigits);
            }
            if digits.len() > 19 {
                return Err(CardError::Length);
            }
        }
        if !pan::PAN_LENGTHS.contains(&digits.len()) {
            return Err(CardError::Length);
        }
        if !pan::luhn_valid(&digits) {
            return Err(CardError::Luhn);
        }
        Ok(Self(digits))
    }

    /// The digits as ASCII, for keyed hashing; zeroized when dropped.
    pub(crate) fn ascii(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.iter().map(|d| d + b'0').collect())
    }

    /// Whether the brand may keep 8 + 4 digits: Discover, JCB, Mastercard,
    /// UnionPay or Visa, on a PAN of 16 digits or more.
    fn allows_iin8_last4(&self) -> bool {
        let d = &self.0;
        if d.len() < 16 {
            return false;
        }
        let prefix = |k: usize| d[..k].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
        let (p2, p3, p4, p6) = (prefix(2), prefix(3), prefix(4), prefix(6));
        let visa = d[0] == 4;
        let mastercard = (51..=55).contains(&p2) || (2221..=2720).contains(&p4);
        let discover = p4 == 6011
            || (644..=649).contains(&p3)
            || p2 == 65
            || (622_126..=622_925).contains(&p6);
        let jcb = (3528..=3589).contains(&p4);
        let unionpay = p2 == 62 || p2 == 81;
        visa || mastercard || discover || jcb || unionpay
    }

    /// Truncates to the IIN and last digits.
    pub(crate) fn truncate(&self, iin: IinLength, last4_wanted: bool) -> TruncatedCard {
        let d = &self.0;
        let iin_len = match iin {
            IinLength::Six => 6,
            IinLength::Eight => 8,
        };
        let last4 =
            last4_wanted && d.len() > 12 && (iin == IinLength::Six || self.allows_iin8_last4());
        let last_len = if last4 { 4 } else { 2 };
        let ascii = |s: &[u8]| s.iter().map(|x| char::from(x + b'0')).collect::<String>();
        TruncatedCard {
            issuer_id_number: ascii(&d[..iin_len]),
            last_digits: ascii(&d[d.len() - last_len..]),
        }
    }
}

/// Characters a legacy app may put between the digits of `credit_card.number`:
/// spaces, dashes, dots, slashes, underscores, and invisible characters.
fn is_card_separator(c: char) -> bool {
    use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
    matches!(
        c,
        '-' | '.' | '/' | '_' | '\u{2212}' | '\u{FF0E}' | '\u{FF0F}'
    ) || c.is_whitespace()
        || matches!(
            c.general_category(),
            G::Format | G::NonspacingMark | G::EnclosingMark | G::DashPunctuation
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pan: &str, iin: IinLength) -> (String, String) {
        let c = Pan::parse(pan).unwrap().truncate(iin, true);
        (c.issuer_id_number, c.last_digits)
    }

    #[test]
    fn six_and_four_by_default() {
        assert_eq!(
            t("4111 1111 1111 1111", IinLength::Six),
            ("411111".into(), "1111".into())
        );
        assert_eq!(
            t("378282246310005", IinLength::Six),
            ("378282".into(), "0005".into())
        );
        assert_eq!(
            t("4222222222222", IinLength::Six),
            ("422222".into(), "2222".into())
        );
    }

    #[test]
    fn eight_and_four_only_for_the_five_brands_on_16_plus_digits() {
        assert_eq!(
            t("4242424242424242", IinLength::Eight),
            ("42424242".into(), "4242".into())
        );
        assert_eq!(
            t("5555555555554444", IinLength::Eight),
            ("55555555".into(), "4444".into())
        );
        assert_eq!(
            t("2223003122003222", IinLength::Eight),
            ("22230031".into(), "3222".into())
        );
        assert_eq!(
            t("6011111111111117", IinLength::Eight),
            ("60111111".into(), "1117".into())
        );
        assert_eq!(
            t("3566002020360505", IinLength::Eight),
            ("35660020".into(), "0505".into())
        );
        assert_eq!(
            t("6200000000000005", IinLength::Eight),
            ("62000000".into(), "0005".into())
        );
        // Amex (15), Diners, Maestro: last 2.
        assert_eq!(
            t("378282246310005", IinLength::Eight),
            ("37828224".into(), "05".into())
        );
        assert_eq!(
            t("3056930009020004", IinLength::Eight),
            ("30569300".into(), "04".into())
        );
        assert_eq!(
            t("6759649826438453", IinLength::Eight),
            ("67596498".into(), "53".into())
        );
        // Visa 13 is shorter than 16: last 2.
        assert_eq!(
            t("4222222222222", IinLength::Eight),
            ("42222222".into(), "22".into())
        );
    }

    #[test]
    fn reads_any_separators_and_unicode_digits() {
        assert_eq!(
            t("４１１１－１１１１\u{200b}1111.1111", IinLength::Six),
            ("411111".into(), "1111".into())
        );
        assert_eq!(
            t("٤١١١١١١١١١١١١١١١", IinLength::Six),
            ("411111".into(), "1111".into())
        );
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(
            Pan::parse("4111 1111 1111 1112").err(),
            Some(CardError::Luhn)
        );
        assert_eq!(Pan::parse("4111").err(), Some(CardError::Length));
        assert_eq!(
            Pan::parse("41111111111111111111").err(),
            Some(CardError::Length)
        );
        assert_eq!(
            Pan::parse("4111x1111111111111").err(),
            Some(CardError::NotDigits)
        );
        assert_eq!(Pan::parse("").err(), Some(CardError::Length));
    }

    #[test]
    fn twelve_digit_pans_keep_only_two_last_digits() {
        // 12 digits, Luhn-valid.
        let c = Pan::parse("501234567896")
            .unwrap()
            .truncate(IinLength::Six, true);
        assert_eq!(c.last_digits.len(), 2);
    }
}
