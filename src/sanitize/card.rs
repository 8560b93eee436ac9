//! Card number truncation: a raw PAN in, the IIN and last digits out.
//!
//! The raw number lives only in `Pan`, whose digits are zeroized on drop and
//! which has no `Debug`, `Display` or `Serialize`. What leaves is a
//! `TruncatedCard`, following `spec/pan-rules.md`:
//!
//! - IIN 6 (default) + last 4;
//! - IIN 8 + last 4 only for Discover, JCB, Mastercard, UnionPay and Visa on
//!   PANs of 16 or more digits (the brands minFraud and the PCI SSC allow);
//!   any other IIN 8 gets last 2; on PANs shorter than 16 digits an IIN 8
//!   falls back to IIN 6, which hides more;
//! - the same rule holds for an IIN and last digits the app sends itself
//!   (`narrowed_iin`);
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

pub use crate::policy::IinLength;

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

    /// The digit values (0-9), held as the PAN is.
    pub(crate) fn digits(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.to_vec())
    }

    /// The digits as ASCII, for keyed hashing; zeroized when dropped.
    pub(crate) fn ascii(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.iter().map(|d| d + b'0').collect())
    }

    /// Truncates to the IIN and last digits. An 8-digit IIN is only used on
    /// PANs of 16 digits or more (PCI SSC FAQ 1091); a shorter PAN gets the
    /// IIN-6 truncation, so `iin = 8` never hides fewer digits than `iin = 6`.
    pub(crate) fn truncate(&self, iin: IinLength, last4_wanted: bool) -> TruncatedCard {
        let d = &self.0;
        let iin = if d.len() < 16 { IinLength::Six } else { iin };
        let iin_len = match iin {
            IinLength::Six => 6,
            IinLength::Eight => 8,
        };
        let last4 = last4_wanted
            && d.len() > 12
            && (iin == IinLength::Six || pan::brand::allows_iin8_last4(&d[..8]));
        let last_len = if last4 { 4 } else { 2 };
        let ascii = |s: &[u8]| s.iter().map(|x| char::from(x + b'0')).collect::<String>();
        TruncatedCard {
            issuer_id_number: ascii(&d[..iin_len]),
            last_digits: ascii(&d[d.len() - last_len..]),
        }
    }
}

/// What the app itself sent as `issuer_id_number` and `last_digits`, under the
/// same rule as txveil's own truncation: an 8-digit IIN with 4 last digits
/// only for a PAN of 16 or more digits. txveil's own truncation knows the
/// PAN's length; the app's does not say it, so its 8 + 4 are kept only when
/// every card the brand table allows under that IIN has 16 or more digits
/// (Mastercard, JCB). Under a Visa IIN (13, 16 or 19 digits) or one in
/// Maestro's 50 and 56-69 (12 to 19 digits, Discover's and UnionPay's IINs
/// among them) the 12 digits are all of a 13-digit card but one, which Luhn
/// gives back (`42222222` + `2222` of `4222222222222`), or the whole of a
/// 12-digit one (`50123456` + `7896`). Such an IIN is cut to 6 digits, and
/// so it is when the group has no last digits (`last_digits` `None`): the
/// last 4 then stand elsewhere, in a custom input or a note, or reach
/// minFraud another way. Returns the IIN to forward when it must change.
pub(crate) fn narrowed_iin(iin: &str, last_digits: Option<&str>) -> Option<String> {
    let digit = |b: u8| b.wrapping_sub(b'0');
    let digits: Vec<u8> = iin.bytes().map(digit).collect();
    let last_four = last_digits.is_none_or(|l| l.len() == 4 && l.bytes().all(|b| digit(b) < 10));
    let risky = iin.len() == 8
        && last_four
        && digits.iter().all(|&d| d < 10)
        && (!pan::brand::allows_iin8_last4(&digits) || pan::brand::issues_under_16(&digits));
    risky.then(|| iin[..6].to_owned())
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
        // Diners and Maestro on 16 digits: last 2.
        assert_eq!(
            t("3056930009020004", IinLength::Eight),
            ("30569300".into(), "04".into())
        );
        assert_eq!(
            t("6759649826438453", IinLength::Eight),
            ("67596498".into(), "53".into())
        );
    }

    #[test]
    fn iin8_falls_back_to_iin6_on_pans_shorter_than_16_digits() {
        // Regression for issue 8, item 9: 8 + 4 of a 13-digit PAN hides one
        // digit, which Luhn gives back.
        assert_eq!(
            t("4222222222222", IinLength::Eight),
            ("422222".into(), "2222".into())
        );
        assert_eq!(
            t("378282246310005", IinLength::Eight),
            ("378282".into(), "0005".into())
        );
        assert_eq!(
            t("36227206271667", IinLength::Eight),
            ("362272".into(), "1667".into())
        );
        let c = Pan::parse("501234567896")
            .unwrap()
            .truncate(IinLength::Eight, true);
        assert_eq!(
            (c.issuer_id_number.as_str(), c.last_digits.as_str()),
            ("501234", "96")
        );
        for len in 12..=19 {
            let mut body = "5".to_owned() + &"3".repeat(len - 2);
            let check = (0..10u8)
                .find(|d| {
                    let mut x: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
                    x.push(*d);
                    pan::luhn_valid(&x)
                })
                .unwrap();
            body.push(char::from(b'0' + check));
            for iin in [IinLength::Six, IinLength::Eight] {
                let c = Pan::parse(&body).unwrap().truncate(iin, true);
                let hidden = len - c.issuer_id_number.len() - c.last_digits.len();
                let six = Pan::parse(&body).unwrap().truncate(IinLength::Six, true);
                let hidden_six = len - six.issuer_id_number.len() - six.last_digits.len();
                assert!(hidden >= hidden_six.min(4), "{len} digits hide {hidden}");
                assert!(hidden >= 2, "{len} digits hide {hidden}");
            }
        }
    }

    #[test]
    fn app_supplied_iin8_and_last4_are_narrowed_unless_every_card_under_the_iin_has_16_digits() {
        // Regression for issue 8, item 8: 50123456 + 7896 is the whole PAN.
        assert_eq!(
            narrowed_iin("50123456", Some("7896")).as_deref(),
            Some("501234")
        );
        assert_eq!(
            narrowed_iin("37828224", Some("0005")).as_deref(),
            Some("378282")
        );
        assert_eq!(
            narrowed_iin("36227206", Some("1667")).as_deref(),
            Some("362272")
        );
        assert_eq!(narrowed_iin("55555555", Some("4444")), None);
        assert_eq!(narrowed_iin("22230031", Some("3222")), None);
        assert_eq!(narrowed_iin("35660020", Some("0505")), None);
        // Visa issues 13 digits: 8 + 4 are all of 4222222222222 but the
        // digit Luhn gives back.
        assert_eq!(
            narrowed_iin("42222222", Some("2222")).as_deref(),
            Some("422222")
        );
        assert_eq!(
            narrowed_iin("42424242", Some("4242")).as_deref(),
            Some("424242")
        );
        // Discover's and UnionPay's IINs lie inside Maestro's 56-69, which
        // issues 12 to 15 digits.
        assert_eq!(
            narrowed_iin("60111111", Some("1117")).as_deref(),
            Some("601111")
        );
        assert_eq!(
            narrowed_iin("62000000", Some("0004")).as_deref(),
            Some("620000")
        );
        assert_eq!(
            narrowed_iin("62000000", Some("0005")).as_deref(),
            Some("620000")
        );
        assert_eq!(narrowed_iin("50123456", Some("96")), None);
        assert_eq!(narrowed_iin("501234", Some("7896")), None);
        // Without last digits in the group they may stand in any other
        // field: cut the same.
        assert_eq!(narrowed_iin("42222222", None).as_deref(), Some("422222"));
        assert_eq!(narrowed_iin("50123456", None).as_deref(), Some("501234"));
        assert_eq!(narrowed_iin("55555555", None), None);
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
