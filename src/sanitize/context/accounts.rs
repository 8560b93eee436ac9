//! Domestic bank account numbers and chargeback references whose digits
//! hold card-shaped windows, found with their own check digits and
//! structure, and lowered by what their context says.
//!
//! Each is a stretch of characters written as one group or as groups joined
//! by single separators (` `, `.`, `-`, `/`, a no-break space), of its
//! exact length, grouped as it is written (the separators fall only where
//! its parts end), whose checks hold:
//!
//! - a French RIB (relevé d'identité bancaire; Comité français
//!   d'organisation et de normalisation bancaires): bank code 5 digits,
//!   branch (guichet) 5, account 11 (digits or letters, a letter standing
//!   for a digit: A and J for 1, B, K and S for 2, ...), key 2, with
//!   97 − ((89 × bank + 15 × branch + 3 × account) mod 97) equal to the
//!   key (one stretch in 97 passes); written `30004 00550 00012345678 92`
//!   or plain;
//! - a Russian bank account (Bank of Russia Regulation 579-P; key by the
//!   Central Bank's procedure of 8 September 1997 No. 515): 20 digits, a
//!   balance account of the chart for clients' and banks' accounts first
//!   (`40817` a person's, `40702` a company's, `30101` a correspondent
//!   account, ...), then an ISO 4217 currency code (`810` or `643` for the
//!   rouble) and the key digit; when the text holds a Russian BIC (БИК: 9
//!   digits, `04` first), the key must hold with it (the BIC's last three
//!   digits, or `0` and its fifth and sixth for a correspondent account,
//!   before the 20 digits; weights 7, 1, 3; one stretch in ten passes);
//! - a Spanish CCC (código cuenta cliente): bank 4 digits, branch 4, two
//!   control digits, account 10; the first control digit is the mod-11
//!   check of `00` + bank + branch, the second that of the account, with
//!   weights 1, 2, 4, 8, 5, 10, 9, 7, 3, 6 (about one stretch in a hundred
//!   passes both);
//! - an acquirer reference number (ARN) of a card payment, as chargebacks
//!   carry it (Visa and Mastercard chargeback rules): 23 digits, a format
//!   code (`2`, `7` or `8`), the acquirer's 6-digit BIN (`4`, `5` or `2`
//!   first: a Visa or Mastercard range), the processing
//!   date `YDDD` (a day of the year 001-366), an 11-digit reference and a
//!   Luhn check digit over the whole (about three stretches in a thousand
//!   pass the format code, the BIN's first digit, the day and Luhn).
//!
//! - a Belgian account number: bank 3 digits, account 7, and the first ten
//!   mod 97 (97 for 0) as the last two (one stretch in 97 passes); written
//!   `123-4567890-02` or plain;
//! - an Indian RTGS transaction reference (UTR, RBI's RTGS rules): the
//!   sending bank's four-letter code, `R`, a channel digit, the day
//!   `YYYYMMDD` and an 8-digit sequence (22 characters, glued);
//! - an HDFC Bank savings account number: `50100` and nine digits, plain
//!   (no check digit is published: the series and the context tell it).
//!
//! Each but the Belgian number has more digits than any card (20 or
//! more), so a card alone, plain or in a card layout, is never lowered by
//! them; only a card-shaped window inside a longer stretch is. A Belgian
//! number's 12 digits are a card's only in Maestro's legacy ranges, an
//! ambiguous shape: it lowers nothing else (`context` asks it only for
//! windows shorter than the stretch when the shape is unambiguous). What
//! each needs besides its checks (its word, its field, the order's
//! country) is [`lowers`]; a card word wins over all of them (`context`
//! asks before).

use super::codes;
use super::{Field, Kind};
use std::ops::Range;

/// The accounts and references whose digits hold card-shaped windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Account {
    /// A French RIB whose key holds.
    FrRib,
    /// A Russian account whose key holds with a BIC of the same text.
    RuKeyed,
    /// A Russian account of the chart's structure, in a text with no BIC.
    RuStructured,
    /// A Spanish CCC whose two control digits hold.
    EsCcc,
    /// An acquirer reference number.
    Arn,
    /// A Belgian account number whose mod-97 check holds.
    BeNumber,
    /// An Indian RTGS transaction reference (UTR) with its bank's code and
    /// its day.
    RtgsUtr,
    /// An HDFC Bank savings account number (`50100` and nine digits).
    HdfcSavings,
}

/// One account or reference found, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) kind: Account,
    pub(crate) bytes: Range<usize>,
    /// How many digits (and letters) it has.
    pub(crate) chars: usize,
}

/// The most groups a stretch is read across.
const MAX_GROUPS: usize = 8;

/// The longest stretch (a RIB, an ARN: 23 characters).
const MAX_CHARS: usize = 23;

/// A character's value in an account: a digit's (of any script), or an
/// ASCII letter's as 10 and up (`A` = 10), as a RIB reads its letters.
fn value_of(ch: char) -> Option<u8> {
    crate::sanitize::pan::digit_value(ch).or_else(|| {
        ch.is_ascii_alphabetic()
            .then(|| ch.to_ascii_uppercase() as u8 - b'A' + 10)
    })
}

/// Every account and reference of `text` (overlapping ones included), in
/// order of their start: among the stretches of whole groups of each token
/// of digits and letters ([`codes::tokens_of`]).
pub(crate) fn find(text: &str) -> Vec<Found> {
    let bics = bics(text);
    let mut out = Vec::new();
    codes::tokens_of(text, value_of, |values, groups| {
        codes::stretches(values, groups, MAX_GROUPS, MAX_CHARS, |v, parts, bytes| {
            if v.len() < 12 {
                return;
            }
            // Where the groups end inside the stretch.
            let from = parts[0].digits.start;
            let mut cuts = [0usize; MAX_GROUPS];
            for (k, g) in parts[..parts.len() - 1].iter().enumerate() {
                cuts[k] = g.digits.end - from;
            }
            let cuts = &cuts[..parts.len() - 1];
            for kind in kinds_of(v, cuts, &bics) {
                out.push(Found {
                    kind,
                    bytes: bytes.clone(),
                    chars: v.len(),
                });
            }
        });
    });
    out.sort_by_key(|f| f.bytes.start);
    out
}

/// Whether every cut is one of `allowed`.
fn cut_at(cuts: &[usize], allowed: &[usize]) -> bool {
    cuts.iter().all(|c| allowed.contains(c))
}

/// What the stretch `v` (its groups ending at `cuts`) is.
fn kinds_of(v: &[u8], cuts: &[usize], bics: &[[u8; 9]]) -> Vec<Account> {
    let mut out = Vec::new();
    let digits = |r: Range<usize>| v[r].iter().all(|&x| x < 10);
    if v.len() == 23 && digits(0..10) && digits(21..23) && cut_at(cuts, &[5, 10, 21]) && rib(v) {
        out.push(Account::FrRib);
    }
    if v.len() == 20 && digits(0..20) {
        if cut_at(cuts, &[3, 5, 8, 9, 13]) && ru_structure(v) {
            if bics.is_empty() {
                out.push(Account::RuStructured);
            } else if bics.iter().any(|b| ru_key(v, b)) {
                out.push(Account::RuKeyed);
            }
        }
        if cut_at(cuts, &[4, 8, 10]) && ccc(v) {
            out.push(Account::EsCcc);
        }
    }
    if v.len() == 22 && cuts.is_empty() && rtgs_utr(v) {
        out.push(Account::RtgsUtr);
    }
    if v.len() == 14 && cuts.is_empty() && digits(0..14) && v[..5] == [5, 0, 1, 0, 0] {
        out.push(Account::HdfcSavings);
    }
    if v.len() == 12 && digits(0..12) && cut_at(cuts, &[3, 10]) && be_account(v) {
        out.push(Account::BeNumber);
    }
    if v.len() == 23
        && digits(0..23)
        && (cut_at(cuts, &[4, 8, 12, 16, 20]) || cut_at(cuts, &[1, 7, 11, 22]))
        && arn(v)
    {
        out.push(Account::Arn);
    }
    out
}

/// The digit a RIB's account letter stands for (A-I 1-9, J-R 1-9, S-Z
/// 2-9), a digit itself.
fn rib_digit(x: u8) -> u32 {
    match x {
        0..=9 => u32::from(x),
        // A = 10 ... I = 18
        10..=18 => u32::from(x - 9),
        // J = 19 ... R = 27
        19..=27 => u32::from(x - 18),
        // S = 28 ... Z = 35
        _ => u32::from(x - 26),
    }
}

/// A RIB's key: (89 × bank + 15 × branch + 3 × account + key) mod 97 = 0.
fn rib(v: &[u8]) -> bool {
    let num = |r: Range<usize>| {
        v[r].iter()
            .fold(0u64, |a, &x| a * 10 + u64::from(rib_digit(x)))
    };
    let sum = 89 * num(0..5) + 15 * num(5..10) + 3 * num(10..21) + num(21..23);
    sum.is_multiple_of(97)
}

/// The balance accounts (first order and second, Regulation 579-P) that
/// clients' and banks' accounts are opened on, as invoices print them.
const RU_BALANCE: &[u32] = &[
    30101, 30102, 30109, 30110, 30111, 30114, 30231, 30232, 30233, 30601, 30606, 40101, 40102,
    40105, 40116, 40302, 40501, 40502, 40503, 40601, 40602, 40603, 40701, 40702, 40703, 40802,
    40803, 40804, 40805, 40807, 40809, 40810, 40813, 40817, 40820, 40821, 40822, 40823, 40824,
    42301, 42302, 42303, 42304, 42305, 42306, 42307, 42601, 42602, 42603, 42604, 42605, 42606,
    42607, 47422, 47423, 60322,
];

/// ISO 4217 numeric codes a Russian account is opened in (810 is the
/// rouble's old code that the chart keeps; 643 its current one).
const RU_CURRENCIES: &[u32] = &[
    36, 124, 156, 203, 344, 356, 392, 398, 417, 643, 756, 810, 826, 840, 933, 944, 949, 972, 975,
    978, 985, 986,
];

fn number(d: &[u8]) -> u32 {
    d.iter().fold(0, |a, &x| a * 10 + u32::from(x))
}

/// A Russian account's structure: a balance account of [`RU_BALANCE`]
/// and a currency of [`RU_CURRENCIES`].
fn ru_structure(v: &[u8]) -> bool {
    RU_BALANCE.binary_search(&number(&v[..5])).is_ok()
        && RU_CURRENCIES.binary_search(&number(&v[5..8])).is_ok()
}

/// A Russian account's key with `bic`: the BIC's last three digits (for a
/// correspondent account `301..`, `0` and its fifth and sixth) then the 20
/// digits, weights 7, 1, 3 repeated, the last digits of the products
/// adding up to a multiple of ten.
fn ru_key(v: &[u8], bic: &[u8; 9]) -> bool {
    let head = if v[..3] == [3, 0, 1] {
        [0, bic[4], bic[5]]
    } else {
        [bic[6], bic[7], bic[8]]
    };
    let sum: u32 = head
        .iter()
        .chain(v)
        .zip([7u32, 1, 3].iter().cycle())
        .map(|(&x, &w)| (u32::from(x) * w) % 10)
        .sum();
    sum.is_multiple_of(10)
}

/// The Russian BICs of `text`: groups of exactly nine digits starting `04`.
fn bics(text: &str) -> Vec<[u8; 9]> {
    let mut out = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    let mut flush = |run: &mut Vec<u8>| {
        if let Ok(b) = <[u8; 9]>::try_from(&run[..]) {
            if b[..2] == [0, 4] {
                out.push(b);
            }
        }
        run.clear();
    };
    for ch in text.chars() {
        match crate::sanitize::pan::digit_value(ch) {
            Some(v) => run.push(v),
            None => flush(&mut run),
        }
    }
    flush(&mut run);
    out
}

/// A Spanish CCC's two control digits.
fn ccc(v: &[u8]) -> bool {
    const W: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let dc = |d: &[u8]| {
        let s: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
        match 11 - s % 11 {
            11 => 0,
            10 => 1,
            c => c as u8,
        }
    };
    let first = [&[0, 0][..], &v[..8]].concat();
    dc(&first) == v[8] && dc(&v[10..20]) == v[9]
}

/// An RTGS UTR as Indian banks print it: the bank's four-letter code (its
/// IFSC's first four), `R`, a channel digit, the day `YYYYMMDD` (a real
/// date of this century) and an 8-digit sequence.
fn rtgs_utr(v: &[u8]) -> bool {
    let letters = v[..4].iter().all(|&x| x >= 10);
    let r = v[4] == b'R' - b'A' + 10;
    let digits = v[5..].iter().all(|&x| x < 10);
    if !(letters && r && digits) {
        return false;
    }
    let (year, month, day) = (number(&v[6..10]), number(&v[10..12]), number(&v[12..14]));
    let leap = year.is_multiple_of(4);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (2000..=2099).contains(&year) && (1..=days).contains(&day)
}

/// A Belgian account's check: the first ten digits mod 97 (97 for 0) are
/// the last two.
fn be_account(v: &[u8]) -> bool {
    let body = v[..10].iter().fold(0u64, |a, &x| a * 10 + u64::from(x));
    let check = match body % 97 {
        0 => 97,
        r => r,
    };
    u64::from(number(&v[10..12])) == check
}

/// An ARN's format code, its acquirer's BIN (a Visa or Mastercard range:
/// `4`, `5` or `2` first), processing day and Luhn check.
fn arn(v: &[u8]) -> bool {
    matches!(v[0], 2 | 7 | 8)
        && matches!(v[1], 2 | 4 | 5)
        && (1..=366).contains(&number(&v[8..11]))
        && super::codes::luhn(v)
}

/// Words for a bank account in general (English, and the IBAN's and BIC's
/// names, which bank details print beside the domestic number).
const ACCOUNT: &[&str] = &[
    "account", "acct", "bank", "iban", "bic", "swift", "wire", "transfer", "refund",
];

/// Indian words for a bank account or transfer (IFSC: the branch's code
/// printed beside every account; NEFT, RTGS, IMPS: the transfer systems;
/// UTR: a transfer's reference).
const ACCOUNT_IN: &[&str] = &["ifsc", "neft", "rtgs", "imps", "utr", "savings", "hdfc"];

/// Abbreviations read anywhere (`A/c`: account).
const ACCOUNT_ANYWHERE: &[&str] = &["a/c", "a/c."];

/// French words for bank details.
const ACCOUNT_FR: &[&str] = &[
    "rib",
    "compte",
    "banque",
    "bancaires",
    "guichet",
    "clé",
    "cle",
    "virement",
    "remboursement",
];

/// Russian words for a bank account (расчётный счёт, р/с, БИК).
const ACCOUNT_RU: &[&str] = &[
    "счёт",
    "счет",
    "счета",
    "счёта",
    "расчётный",
    "расчетный",
    "лицевой",
    "банк",
    "бик",
    "реквизиты",
    "получатель",
    "возврат",
    "перевод",
];

/// Russian abbreviations written with a slash (расчётный / корреспондентский
/// счёт), read anywhere.
const ACCOUNT_RU_ANYWHERE: &[&str] = &["р/с", "р/сч", "к/с", "к/сч", "л/с"];

/// Dutch and German words for a bank account (Belgium's other languages'
/// are [`ACCOUNT_FR`]'s).
const ACCOUNT_NL: &[&str] = &[
    "rekening",
    "rekeningnummer",
    "bankrekening",
    "overschrijving",
    "terugbetaling",
    "konto",
    "kontonummer",
];

/// Spanish words for a bank account.
const ACCOUNT_ES: &[&str] = &[
    "cuenta",
    "ccc",
    "banco",
    "bancaria",
    "transferencia",
    "domiciliación",
    "domiciliacion",
    "reembolso",
];

/// Spanish abbreviations read anywhere (`c/c`: cuenta corriente).
const ACCOUNT_ES_ANYWHERE: &[&str] = &["c/c", "nº cuenta"];

/// Words naming an acquirer reference number.
const ARN: &[&str] = &["arn", "arns", "acquirer", "acquirers"];

/// Where the French RIB is the domestic account number: France and the
/// territories in its banking zone (overseas departments and collectivities,
/// Monaco).
const RIB_COUNTRIES: &[&[u8; 2]] = &[
    b"FR", b"MC", b"GP", b"MQ", b"GF", b"RE", b"YT", b"PM", b"BL", b"MF", b"NC", b"PF", b"WF",
];

/// How far before a stretch its words are read (bytes).
const WORDS_BEFORE: usize = 40;

/// How far after a stretch its words are read (bytes).
const WORDS_AFTER: usize = 12;

/// The words of `text` and (for a caller-chosen key) its `snake_case` and
/// `camelCase` parts, lower-cased.
fn word_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|r| !r.is_empty())
    {
        out.push(run.to_lowercase());
        let mut part = String::new();
        let mut prev_lower = false;
        for c in run.chars() {
            if prev_lower && c.is_uppercase() && !part.is_empty() {
                out.push(std::mem::take(&mut part).to_lowercase());
            }
            prev_lower = c.is_lowercase();
            part.push(c);
        }
        if part.len() < run.len() {
            out.push(part.to_lowercase());
        }
    }
    out
}

/// The words a context holds, by table.
#[derive(Default)]
struct Seen {
    account: bool,
    fr: bool,
    ru: bool,
    es: bool,
    nl: bool,
    india: bool,
    arn: bool,
}

fn seen(text: &str) -> Seen {
    let mut s = Seen::default();
    if text.is_empty() {
        return s;
    }
    let lower = text.to_lowercase();
    s.ru = ACCOUNT_RU_ANYWHERE.iter().any(|w| lower.contains(w));
    s.es = ACCOUNT_ES_ANYWHERE.iter().any(|w| lower.contains(w));
    s.account = ACCOUNT_ANYWHERE.iter().any(|w| lower.contains(w));
    for w in word_list(text) {
        let w = w.as_str();
        s.account |= ACCOUNT.contains(&w);
        s.fr |= ACCOUNT_FR.contains(&w);
        s.ru |= ACCOUNT_RU.contains(&w);
        s.es |= ACCOUNT_ES.contains(&w);
        s.nl |= ACCOUNT_NL.contains(&w);
        s.india |= ACCOUNT_IN.contains(&w);
        s.arn |= ARN.contains(&w);
    }
    s
}

/// Whether the account or reference `f` of `text` is what its context says
/// it is:
///
/// - a French RIB, a Spanish CCC, a Russian account: a bank word (its
///   language's: RIB, compte; cuenta, CCC, c/c; счёт, р/с, БИК; or
///   account, bank, IBAN) in the key or near, or the order in its country
///   (France and its banking zone; Spain; Russia);
/// - a Russian account whose key holds with a BIC of the same text: the
///   BIC and the key are enough;
/// - a Belgian account number (12 digits: a Maestro card's legacy length):
///   its Dutch or German word (rekening, konto) or the order in Belgium;
/// - an RTGS UTR: its bank's code, `R` and a real day are its own; a bank
///   or Indian transfer word (UTR, RTGS, NEFT, IFSC), the order in India,
///   or a transaction id field;
/// - an HDFC Bank account number (14 digits, `50100` first: a 14-digit
///   Maestro card's legacy shape, ambiguous): a bank word (account, A/c,
///   IFSC) or the order in India;
/// - an ARN: its word (ARN, acquirer reference) in the key or near, or a
///   report's transaction id or chargeback code (the report endpoint is
///   where chargebacks are reported).
///
/// What these cost in recall is measured in `docs/detection.md`.
pub(crate) fn lowers(f: &Found, text: &str, field: &Field<'_>) -> bool {
    let key = seen(field.key.unwrap_or(""));
    let before = seen(super::words::window_before(
        text,
        f.bytes.start,
        WORDS_BEFORE,
    ));
    let after = seen(super::words::window_after(text, f.bytes.end, WORDS_AFTER));
    let any = |g: fn(&Seen) -> bool| g(&key) || g(&before) || g(&after);
    let country = |cc: &[u8; 2]| field.order.is_some_and(|o| o.in_country(cc));
    let bank = any(|s| s.account);
    match f.kind {
        Account::FrRib => bank || any(|s| s.fr) || RIB_COUNTRIES.iter().any(|c| country(c)),
        Account::RuKeyed => true,
        Account::RuStructured => bank || any(|s| s.ru) || country(b"RU"),
        Account::EsCcc => bank || any(|s| s.es) || country(b"ES"),
        Account::Arn => any(|s| s.arn) || field.kind == Kind::Chargeback,
        Account::BeNumber => any(|s| s.nl) || country(b"BE"),
        Account::RtgsUtr => {
            bank || any(|s| s.india)
                || country(b"IN")
                || matches!(field.kind, Kind::Order | Kind::Chargeback)
        }
        Account::HdfcSavings => bank || any(|s| s.india) || country(b"IN"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Account> {
        find(text).into_iter().map(|f| f.kind).collect()
    }

    /// A RIB's key for its bank, branch and account.
    fn rib_key(bank: u64, branch: u64, account: u64) -> u64 {
        97 - (89 * bank + 15 * branch + 3 * account) % 97
    }

    #[test]
    fn a_rib_is_found_by_its_key_plain_or_in_its_groups() {
        let k = rib_key(30004, 550, 12_345_678);
        let spaced = format!("30004 00550 00012345678 {k:02}");
        assert_eq!(kinds(&spaced), [Account::FrRib]);
        assert_eq!(kinds(&spaced.replace(' ', "")), [Account::FrRib]);
        // The wrong key, or groups cut where a RIB's parts do not end.
        let wrong = format!("30004 00550 00012345678 {:02}", (k + 1) % 97);
        assert!(kinds(&wrong).is_empty());
        let regrouped = format!("3000 4005 5000 0123 4567 8{k:02}");
        assert!(kinds(&regrouped).is_empty());
    }

    #[test]
    fn a_rib_account_may_hold_letters_read_as_digits() {
        // `A` stands for 1, `J` for 1, `S` for 2.
        let k = rib_key(20041, 1005, 123_412_212);
        let v = format!("20041 01005 00A234J2S12 {k:02}");
        assert_eq!(kinds(&v), [Account::FrRib]);
    }

    #[test]
    fn a_russian_account_is_checked_with_the_bic_of_the_same_text() {
        // Sberbank's BIC 044525225 and one of its correspondent account's
        // own settlement accounts, key 5 (the ninth digit).
        let account = "40702810538000000000";
        let key_ok = (0..10).find(|&k| {
            let mut a: Vec<u8> = account.bytes().map(|b| b - b'0').collect();
            a[8] = k;
            ru_key(&a, &[0, 4, 4, 5, 2, 5, 2, 2, 5])
        });
        let mut a = account.to_owned();
        a.replace_range(8..9, &key_ok.unwrap().to_string());
        assert_eq!(kinds(&format!("р/с {a} БИК 044525225")), [Account::RuKeyed]);
        let mut wrong = a.clone();
        let k = (key_ok.unwrap() + 1) % 10;
        wrong.replace_range(8..9, &k.to_string());
        assert!(kinds(&format!("р/с {wrong} БИК 044525225")).is_empty());
        // No BIC: the chart's structure only.
        assert_eq!(kinds(&format!("р/с {wrong}")), [Account::RuStructured]);
        assert!(kinds("р/с 41234810538000000000").is_empty());
    }

    #[test]
    fn an_rtgs_utr_needs_its_bank_code_and_a_real_day() {
        assert_eq!(kinds("SBINR52026120712345678"), [Account::RtgsUtr]);
        assert_eq!(kinds("hdfcr62026022812345678"), [Account::RtgsUtr]);
        assert!(kinds("SBINR52026023012345678").is_empty());
        assert!(kinds("SBINN52026120712345678").is_empty());
        assert!(kinds("SB1NR52026120712345678").is_empty());
    }

    #[test]
    fn a_ccc_needs_both_control_digits() {
        // 2100 0418 45 0200051332: a CCC whose control digits hold.
        assert_eq!(kinds("2100 0418 45 0200051332"), [Account::EsCcc]);
        assert_eq!(kinds("21000418450200051332"), [Account::EsCcc]);
        assert!(kinds("2100 0418 46 0200051332").is_empty());
        assert!(kinds("2100 0418 54 0200051332").is_empty());
    }

    #[test]
    fn an_arn_needs_its_format_code_day_and_luhn() {
        let body = "7412345612300000000001";
        let check = (0..10)
            .find(|&c| {
                let d: Vec<u8> = format!("{body}{c}").bytes().map(|b| b - b'0').collect();
                super::super::codes::luhn(&d)
            })
            .unwrap();
        let v = format!("{body}{check}");
        assert_eq!(kinds(&v), [Account::Arn]);
        let grouped: Vec<String> = v
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        assert_eq!(kinds(&grouped.join(" ")), [Account::Arn]);
        // Another format code, another BIN range, day 000 (each with its
        // Luhn digit made to hold again).
        for body in [
            "3412345612300000000001",
            "7312345612300000000001",
            "7412345600000000000001",
        ] {
            let v = (0..10)
                .map(|c| format!("{body}{c}"))
                .find(|v| {
                    super::super::codes::luhn(&v.bytes().map(|b| b - b'0').collect::<Vec<_>>())
                })
                .unwrap();
            assert!(kinds(&v).is_empty());
        }
    }
}
