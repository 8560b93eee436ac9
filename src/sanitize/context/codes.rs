//! Payment references and national identity numbers whose digits take a
//! card's shapes, found with their own check digits.
//!
//! Each code is a stretch of digits written as one group or as groups
//! joined by single separators (` `, `.`, `-`, `/`), of the code's exact
//! length, whose check digits hold:
//!
//! - a boleto's typeable line (FEBRABAN): a bank slip's 47 digits, whose
//!   three fields each end in a mod-10 check digit, or a collection slip's
//!   48 (`8` first), four blocks of 11 digits each ending in its mod-10 or
//!   mod-11 check digit (by the value kind, the third digit);
//! - a Mexican CLABE (Banco de México): 18 digits, weights 3, 7, 1 mod 10;
//! - an Argentine CBU or CVU (BCRA): 22 digits, two blocks (8 and 14) each
//!   ending in a check digit of weights 3, 1, 7, 9 from its right;
//! - a Brazilian CNPJ (Receita Federal): 14 digits, two mod-11 check
//!   digits;
//! - a South African identity number (Identification Act 1997): a date of
//!   birth `YYMMDD`, four digits, citizenship `0` or `1`, `8` or `9`, and
//!   a Luhn check digit (the card's own check, so the date and the fixed
//!   digits are what tell it);
//! - a Korean resident registration number: a date of birth, a century and
//!   sex digit 1-8, five digits and a mod-11 check digit;
//! - an Aadhaar number (UIDAI): 12 digits, the first 2-9, the last a
//!   Verhoeff check digit;
//! - a Japanese carrier's 12-digit tracking number (Yamato, Sagawa, Japan
//!   Post): 11 digits and their remainder mod 7;
//! - a Polish account number (NRB: the Polish IBAN without `PL`, as Poles
//!   write it, `61 1090 1014 0000 0712 1981 2874`): 26 digits, ISO 13616's
//!   mod-97 check with `PL` (one number in 97 passes);
//! - a Hungarian account number (giro, `11773016-11111018-00000000`): 16
//!   or 24 digits, a bank's code first (the banks' codes of MNB's register
//!   start with `1`, as no card of 16 digits does), the first 8 and the
//!   rest each with a check digit of weights 9, 7, 3, 1 (one number in a
//!   hundred passes both);
//! - a national identity or taxpayer number ([`Nid`]), by its own
//!   structure (a date of birth, a region's code) and check digits where
//!   it has them, written plain or in its own layout:
//!   - Uzbekistan's PINFL (JShShIR): 14 digits, a sex and century digit
//!     3-6, the date of birth `DDMMYY`, a district, a sequence, and a check
//!     digit of weights 7, 3, 1 mod 10;
//!   - France's NIR (numéro de sécurité sociale, INSEE): 15 digits, sex
//!     1-4, 7 or 8, the year and month of birth (20-42 and 50-99 for
//!     months unknown), a department, a commune, a sequence and the key,
//!     97 minus the first 13 mod 97; plain, `1 57 12 34 567 890 12` or
//!     the key apart;
//!   - Indonesia's NIK (Dukcapil): 16 digits, a province of BPS's codes, a
//!     regency (01-30) or city (71-79), a district, the date of birth
//!     `DDMMYY` (40 added to the day for women) and a sequence;
//!   - Russia's personal INN (ФНС): 12 digits, a region, two check digits
//!     of weighted sums mod 11;
//!   - Pakistan's CNIC (NADRA): 13 digits, a province 1-7 first, written
//!     `#####-#######-#` (no check digit);
//!   - Romania's CNP: 13 digits, sex and century 1-9, the date of birth
//!     `YYMMDD`, a county 01-52, a sequence and a check digit of weights
//!     2, 7, 9, 1, 4, 6, 3, 5, 8 mod 11;
//!   - Malaysia's MyKad number (JPN): 12 digits, the date of birth
//!     `YYMMDD`, a place of birth of JPN's codes, four digits; plain or
//!     `YYMMDD-PB-####`;
//!   - Kazakhstan's IIN (ЖСН): 12 digits, the date of birth `YYMMDD`, a
//!     century and sex digit 1-6, four digits and a check digit of
//!     weights 1-11 mod 11 (weights 3-11, 1, 2 when that gives 10);
//!   - Egypt's national id: 14 digits, the century (2, 3), the date of
//!     birth `YYMMDD`, a governorate's code, a sequence and a last digit;
//!   - China's resident identity number (GB 11643-1999): 18 characters,
//!     a province's code, the date of birth `YYYYMMDD`, a sequence and
//!     the ISO 7064 MOD 11-2 check character (`X` for ten, right after
//!     the 17 digits); plain, `6-8-4` or `6-4-4-4`, as people type it;
//! - a payment reference with a Luhn check digit (Norwegian KID, Swedish
//!   OCR, Danish FIK): a whole stretch of 12 to 25 digits (shorter ones
//!   hold no card) that passes Luhn, as every card does too: its word tells
//!   it only when it is longer than the card at its start;
//! - a Finnish payment reference (viitenumero): a whole stretch of 12 to
//!   20 digits, often in groups of five from the right, whose last digit
//!   is the 7-3-1 check digit of the others.
//!
//! An EMV merchant-presented QR payload (Pix copia e cola, PromptPay, QRIS,
//! PayNow, DuitNow, ...) is found as a whole: `000201`, then tag-length-value
//! elements, the last `6304` and the CRC-16/CCITT-FALSE of everything before
//! it in four hex digits ([`emv_payloads`]).
//!
//! What each code needs besides its check digits (a word, the order's
//! country) is decided in `context`.

use std::ops::Range;

/// The codes whose digits take a card's shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    Boleto,
    Clabe,
    Cbu,
    Cnpj,
    SaId,
    Rrn,
    Aadhaar,
    JpTracking,
    /// Any stretch that passes Luhn (KID, OCR, FIK).
    LuhnReference,
    /// A Finnish payment reference (viitenumero) with its 7-3-1 check
    /// digit.
    FiReference,
    Nrb,
    HuAccount,
    /// A national identity or taxpayer number.
    National(Nid),
}

/// The national identity and taxpayer numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Nid {
    Pinfl,
    Nir,
    Nik,
    Inn,
    Cnic,
    Cnp,
    MyKad,
    KzIin,
    EgId,
    CnId,
}

impl Nid {
    /// The country that issues it (ISO 3166-1 alpha-2).
    pub(crate) fn country(self) -> [u8; 2] {
        *match self {
            Nid::Pinfl => b"UZ",
            Nid::Nir => b"FR",
            Nid::Nik => b"ID",
            Nid::Inn => b"RU",
            Nid::Cnic => b"PK",
            Nid::Cnp => b"RO",
            Nid::MyKad => b"MY",
            Nid::KzIin => b"KZ",
            Nid::EgId => b"EG",
            Nid::CnId => b"CN",
        }
    }

    /// Whether the number has check digits of its own (one number in ten
    /// or fewer passes them): then the order's country is context enough
    /// even for a card's unambiguous shape; the others (a date and a
    /// region only) need their word for one.
    pub(crate) fn checked(self) -> bool {
        matches!(
            self,
            Nid::Pinfl | Nid::Nir | Nid::Inn | Nid::Cnp | Nid::KzIin | Nid::CnId
        )
    }

    /// The words that name it, as its issuer and the forms that ask for it
    /// write them (whole words, lower-cased), and in scripts without
    /// spaces or with their own (matched anywhere).
    fn words(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Nid::Pinfl => (&["pinfl", "jshshir", "jshir", "пинфл", "жшшир"], &[]),
            Nid::Nir => (
                &[
                    "nir", "secu", "sécu", "insee", "nss", "vitale", "sociale", "ssn",
                ],
                &[],
            ),
            Nid::Nik => (&["nik", "ktp", "ektp", "kependudukan"], &[]),
            Nid::Inn => (&["inn", "инн", "налогоплательщика"], &[]),
            Nid::Cnic => (&["cnic", "nic", "nicop", "nadra"], &["شناختی"]),
            Nid::Cnp => (&["cnp"], &[]),
            Nid::MyKad => (
                &["mykad", "nric", "ic", "icno", "kp", "pengenalan", "mykid"],
                &[],
            ),
            Nid::KzIin => (&["iin", "иин", "жсн"], &[]),
            Nid::EgId => (&["nid"], &["الرقم القومي", "رقم قومي", "الرقم_القومي"]),
            Nid::CnId => (
                &["shenfenzheng", "sfz"],
                &[
                    "身份证",
                    "身份證",
                    "公民身份",
                    "居民身份",
                    "证件号",
                    "證件號",
                ],
            ),
        }
    }

    /// Whether `text` holds one of its words.
    pub(crate) fn named_in(self, text: &str) -> bool {
        let (whole, anywhere) = self.words();
        !text.is_empty()
            && (anywhere.iter().any(|w| text.contains(w))
                || super::words::word_forms(text).any(|w| whole.contains(&w.as_str())))
    }
}

/// One code found, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) code: Code,
    pub(crate) bytes: Range<usize>,
}

/// An EMV QR payload whose CRC holds: its bytes, and the bytes of the
/// values of its elements (of the nested ones inside a template).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Emv {
    pub(crate) bytes: Range<usize>,
    pub(crate) leaves: Vec<Range<usize>>,
}

/// The most groups any code is written in (a boleto's printed line:
/// 5.5 5.6 5.6 1 14).
const MAX_GROUPS: usize = 8;

/// The longest code (a collection slip's 48 digits).
const MAX_DIGITS: usize = 48;

/// One group of digits: its digits (as indices into the token's) and bytes.
pub(crate) struct Group {
    pub(crate) digits: Range<usize>,
    pub(crate) bytes: Range<usize>,
}

/// Calls `visit` with the digits and the groups of every token of `text`:
/// a run of groups of digits (of any script) joined by single separators
/// (` `, `.`, `-`, `/`, a no-break space). The codes here and the
/// reference numbers of `refs` are stretches of whole groups of one token.
pub(crate) fn tokens(text: &str, visit: impl FnMut(&[u8], &[Group])) {
    tokens_of(text, crate::sanitize::pan::digit_value, visit);
}

/// [`tokens`] of the characters `value` gives a value (digits, and for
/// bank accounts letters too), the values in place of the digits.
pub(crate) fn tokens_of(
    text: &str,
    value: impl Fn(char) -> Option<u8>,
    mut visit: impl FnMut(&[u8], &[Group]),
) {
    let mut digits: Vec<u8> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    // Whether the last character was a separator after a group.
    let mut pending_sep = false;
    for (at, ch) in text.char_indices() {
        if let Some(v) = value(ch) {
            let end = at + ch.len_utf8();
            match groups.last_mut() {
                Some(g) if g.bytes.end == at => {
                    g.bytes.end = end;
                    g.digits.end += 1;
                }
                _ => {
                    if !pending_sep {
                        visit(&digits, &groups);
                        digits.clear();
                        groups.clear();
                    }
                    groups.push(Group {
                        digits: digits.len()..digits.len() + 1,
                        bytes: at..end,
                    });
                }
            }
            digits.push(v);
            pending_sep = false;
        } else if matches!(ch, ' ' | '.' | '-' | '/' | '\u{a0}')
            && !pending_sep
            && groups.last().is_some_and(|g| g.bytes.end == at)
        {
            pending_sep = true;
        } else {
            pending_sep = false;
            visit(&digits, &groups);
            digits.clear();
            groups.clear();
        }
    }
    visit(&digits, &groups);
}

/// Calls `visit` with each stretch of whole groups of a token (`digits`
/// in `groups`) of at most `max_groups` groups and `max_digits` digits:
/// its digits, its groups and its bytes.
pub(crate) fn stretches(
    digits: &[u8],
    groups: &[Group],
    max_groups: usize,
    max_digits: usize,
    mut visit: impl FnMut(&[u8], &[Group], Range<usize>),
) {
    for i in 0..groups.len() {
        for j in i..groups.len().min(i + max_groups) {
            let d = &digits[groups[i].digits.start..groups[j].digits.end];
            if d.len() > max_digits {
                break;
            }
            visit(
                d,
                &groups[i..=j],
                groups[i].bytes.start..groups[j].bytes.end,
            );
        }
    }
}

/// Every code of `text` (overlapping ones included), in order.
pub(crate) fn find(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    tokens(text, |digits, groups| {
        codes_in(text, digits, groups, &mut out)
    });
    out
}

/// The codes among the stretches of whole groups of one token: each code
/// of a fixed length in any stretch, a Luhn reference only as the whole
/// token (`KID 1234567890123452`).
fn codes_in(text: &str, digits: &[u8], groups: &[Group], out: &mut Vec<Found>) {
    let (Some(first), Some(last)) = (groups.first(), groups.last()) else {
        return;
    };
    if (12..=25).contains(&digits.len()) && luhn(digits) {
        out.push(Found {
            code: Code::LuhnReference,
            bytes: first.bytes.start..last.bytes.end,
        });
    }
    if (12..=20).contains(&digits.len()) && fi_reference(digits) {
        out.push(Found {
            code: Code::FiReference,
            bytes: first.bytes.start..last.bytes.end,
        });
    }
    stretches(digits, groups, MAX_GROUPS, MAX_DIGITS, |d, parts, bytes| {
        let lens: Vec<usize> = parts.iter().map(|g| g.digits.len()).collect();
        // A Chinese resident id's check character `X` (ten) right after
        // its 17 digits.
        let x = text[bytes.end..].starts_with(['X', 'x']);
        for n in national(d, &lens, x) {
            out.push(Found {
                code: Code::National(n),
                bytes: bytes.clone(),
            });
        }
        for code in codes_of(d) {
            out.push(Found {
                code,
                bytes: bytes.clone(),
            });
        }
    });
}

/// Whether `d` (4 to 20 digits) is a Finnish payment reference
/// (viitenumero; Finance Finland's standard): its last digit is the check
/// digit of the others weighted 7, 3, 1 from the right, ten minus the
/// sum's last digit (0 for 0).
pub(crate) fn fi_reference(d: &[u8]) -> bool {
    let Some((&check, body)) = d.split_last() else {
        return false;
    };
    if !(4..=20).contains(&d.len()) {
        return false;
    }
    let sum = weighted_sum(body.iter().rev(), &[7, 3, 1]);
    (10 - sum % 10) % 10 == u32::from(check)
}

/// The codes of a fixed length `d` (a stretch's digits) is.
fn codes_of(d: &[u8]) -> impl Iterator<Item = Code> {
    let checks: [(Code, bool); 10] = [
        (Code::Boleto, matches!(d.len(), 47 | 48) && boleto(d)),
        (Code::Clabe, d.len() == 18 && clabe(d)),
        (Code::Cbu, d.len() == 22 && cbu(d)),
        (Code::Cnpj, d.len() == 14 && cnpj(d)),
        (Code::SaId, d.len() == 13 && sa_id(d)),
        (Code::Rrn, d.len() == 13 && rrn(d)),
        (Code::Aadhaar, d.len() == 12 && aadhaar(d)),
        (Code::JpTracking, d.len() == 12 && jp_tracking(d)),
        (Code::Nrb, d.len() == 26 && nrb(d)),
        (Code::HuAccount, matches!(d.len(), 16 | 24) && hu_account(d)),
    ];
    checks.into_iter().filter(|c| c.1).map(|c| c.0)
}

/// The national numbers the digits `d`, written in groups of `lens`
/// digits, are.
fn national(d: &[u8], lens: &[usize], x: bool) -> impl Iterator<Item = Nid> {
    let plain = lens.len() == 1;
    let n = d.len();
    // A resident id as typed: plain, 6-8-4 or 6-4-4-4 (its last group one
    // shorter before an `X`).
    let cn_layout = match (lens, x) {
        ([_], _) => true,
        ([6, 8, last] | [6, 4, 4, last], false) => *last == 4,
        ([6, 8, last] | [6, 4, 4, last], true) => *last == 3,
        _ => false,
    };
    let checks: [(Nid, bool); 10] = [
        (Nid::KzIin, n == 12 && plain && kz_iin(d)),
        (Nid::Inn, n == 12 && plain && inn(d)),
        (
            Nid::MyKad,
            n == 12 && (plain || lens == [6, 2, 4]) && mykad(d),
        ),
        (
            Nid::Cnic,
            n == 13 && (plain || lens == [5, 7, 1]) && cnic(d),
        ),
        (Nid::Cnp, n == 13 && plain && cnp(d)),
        (Nid::Pinfl, n == 14 && plain && pinfl(d)),
        (Nid::EgId, n == 14 && plain && eg_id(d)),
        (
            Nid::Nir,
            n == 15 && (plain || lens == [1, 2, 2, 2, 3, 3, 2] || lens == [13, 2]) && nir(d),
        ),
        (Nid::Nik, n == 16 && plain && nik(d)),
        (
            Nid::CnId,
            cn_layout && ((n == 18 && cn_id(d, None)) || (n == 17 && x && cn_id(d, Some(10)))),
        ),
    ];
    checks.into_iter().filter(|c| c.1).map(|c| c.0)
}

/// Whether `d` (six digits) is a date `DDMMYY` of any century.
fn ddmmyy(d: &[u8]) -> bool {
    date(&[d[4], d[5], d[2], d[3], d[0], d[1]])
}

/// The sum of `digits` each times the weight at its place in `weights`,
/// the weights repeating.
fn weighted_sum<'a>(digits: impl IntoIterator<Item = &'a u8>, weights: &[u32]) -> u32 {
    digits
        .into_iter()
        .zip(weights.iter().cycle())
        .map(|(&x, &w)| u32::from(x) * w)
        .sum()
}

fn pinfl(d: &[u8]) -> bool {
    let sum = weighted_sum(&d[..13], &[7, 3, 1]);
    (3..=6).contains(&d[0]) && ddmmyy(&d[1..7]) && sum % 10 == u32::from(d[13])
}

fn nir(d: &[u8]) -> bool {
    let body = d[..13].iter().fold(0u64, |a, &x| a * 10 + u64::from(x));
    let key = u64::from(number(&d[13..]));
    let month = number(&d[3..5]);
    matches!(d[0], 1..=4 | 7 | 8)
        && matches!(month, 1..=12 | 20..=42 | 50..=99)
        && number(&d[5..7]) != 0
        && key == 97 - body % 97
}

/// The first two digits of the NIK: BPS's province codes.
const NIK_PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97,
];

fn nik(d: &[u8]) -> bool {
    let day = number(&d[6..8]);
    let day = if day > 40 { day - 40 } else { day };
    let dob = [d[10], d[11], d[8], d[9], (day / 10) as u8, (day % 10) as u8];
    NIK_PROVINCES.contains(&number(&d[..2]))
        && matches!(number(&d[2..4]), 1..=30 | 71..=79)
        && number(&d[4..6]) != 0
        && date(&dob)
        && number(&d[12..]) != 0
}

fn inn(d: &[u8]) -> bool {
    let check = |body: &[u8], w: &[u32]| {
        body.iter()
            .zip(w)
            .map(|(&x, &w)| u32::from(x) * w)
            .sum::<u32>()
            % 11
            % 10
    };
    const W1: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    const W2: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    number(&d[..2]) != 0
        && check(&d[..10], &W1) == u32::from(d[10])
        && check(&d[..11], &W2) == u32::from(d[11])
}

fn cnic(d: &[u8]) -> bool {
    (1..=7).contains(&d[0])
}

fn cnp(d: &[u8]) -> bool {
    const W: [u32; 12] = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];
    let sum: u32 = d[..12].iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    let check = match sum % 11 {
        10 => 1,
        r => r,
    };
    d[0] != 0 && date(&d[1..7]) && (1..=52).contains(&number(&d[7..9])) && check == u32::from(d[12])
}

fn mykad(d: &[u8]) -> bool {
    date(&d[..6])
        && matches!(
            number(&d[6..8]),
            1..=16 | 21..=68 | 71..=72 | 74..=79 | 82..=93 | 98..=99
        )
}

fn kz_iin(d: &[u8]) -> bool {
    let sum = |w: &dyn Fn(usize) -> u32| -> u32 {
        d[..11]
            .iter()
            .enumerate()
            .map(|(i, &x)| u32::from(x) * w(i))
            .sum::<u32>()
            % 11
    };
    let mut check = sum(&|i| i as u32 + 1);
    if check == 10 {
        check = sum(&|i| (i as u32 + 2) % 11 + 1);
    }
    date(&d[..6]) && (1..=6).contains(&d[6]) && check == u32::from(d[11])
}

/// Egypt's governorates' codes (the eighth and ninth digits), and 88 for
/// those born abroad.
const EG_GOVERNORATES: &[u32] = &[
    1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 32, 33,
    34, 35, 88,
];

fn eg_id(d: &[u8]) -> bool {
    matches!(d[0], 2 | 3) && date(&d[1..7]) && EG_GOVERNORATES.contains(&number(&d[7..9]))
}

/// GB 11643's province codes (the first two digits), and 71, 81-83 of the
/// residence permits of Taiwan, Hong Kong and Macao residents.
const CN_PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// Whether `d` (18 digits, or 17 whose check character is `check`) is a
/// resident identity number: a province, a date of birth from 1900, and
/// the ISO 7064 MOD 11-2 check character.
fn cn_id(d: &[u8], check: Option<u32>) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = d[..17].iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    let check = check.unwrap_or_else(|| u32::from(d[17]));
    let century = number(&d[6..8]);
    CN_PROVINCES.contains(&number(&d[..2]))
        && (19..=20).contains(&century)
        && date(&d[8..14])
        && (12 - sum % 11) % 11 == check
}

fn number(d: &[u8]) -> u32 {
    d.iter().fold(0, |a, &x| a * 10 + u32::from(x))
}

/// The Luhn check over all of `d`.
pub(crate) fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            match (i % 2 == 1, x * 2) {
                (true, y) if y > 9 => y - 9,
                (true, y) => y,
                _ => x,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The check digit of weights 2, 1 from the right (digits of products
/// summed), as boletos' fields use.
fn mod10(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let y = u32::from(x) * if i % 2 == 0 { 2 } else { 1 };
            y / 10 + y % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// The weighted sum of weights 2 to 9 from the right, mod 11.
fn mod11_sum(body: &[u8]) -> u32 {
    body.iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * (2 + (i as u32 % 8)))
        .sum::<u32>()
        % 11
}

/// A collection slip's block check digit by mod 11: remainders 0 and 1
/// give 0.
fn collection_mod11(body: &[u8], check: u8) -> bool {
    match mod11_sum(body) {
        0 | 1 => check == 0,
        r => u32::from(check) == 11 - r,
    }
}

/// A boleto's typeable line: a bank slip (47 digits: fields of 9, 10 and
/// 10 digits with their mod-10 check digits, then the bar code's check
/// digit, due factor and value), or a collection slip (48 digits, `8`
/// first: four blocks of 11 with their check digits, mod 10 when the
/// third digit is 6 or 7, mod 11 when 8 or 9).
fn boleto(d: &[u8]) -> bool {
    if d.len() == 47 {
        return mod10(&d[..9]) == d[9] && mod10(&d[10..20]) == d[20] && mod10(&d[21..31]) == d[31];
    }
    if d.len() != 48 || d[0] != 8 {
        return false;
    }
    let kind = d[2];
    (0..4).all(|b| {
        let block = &d[b * 12..b * 12 + 11];
        let check = d[b * 12 + 11];
        match kind {
            6 | 7 => mod10(block) == check,
            8 | 9 => collection_mod11(block, check),
            _ => false,
        }
    })
}

/// A CLABE's check: weights 3, 7, 1 over the first 17 digits (each product
/// mod 10), the last digit making the sum a multiple of ten.
fn clabe(d: &[u8]) -> bool {
    let sum: u32 = d[..17]
        .iter()
        .enumerate()
        .map(|(i, &x)| (u32::from(x) * [3, 7, 1][i % 3]) % 10)
        .sum();
    (10 - sum % 10) % 10 == u32::from(d[17])
}

/// The three-digit institution codes of Banco de México's catalogue of
/// SPEI participants (banks 002-168, brokers and other institutions
/// 600-738, settlement 901-902), sorted: a CLABE's first three digits.
const CLABE_BANKS: &[u16] = &[
    2, 6, 9, 12, 14, 19, 21, 30, 32, 36, 37, 42, 44, 58, 59, 60, 62, 72, 102, 103, 106, 108, 110,
    112, 113, 116, 124, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140,
    141, 143, 145, 147, 148, 150, 151, 152, 154, 155, 156, 157, 158, 159, 160, 166, 167, 168, 600,
    601, 602, 605, 606, 608, 610, 613, 616, 617, 618, 619, 620, 621, 622, 623, 626, 627, 628, 629,
    630, 631, 632, 633, 634, 636, 637, 638, 640, 642, 646, 647, 648, 649, 651, 652, 653, 655, 656,
    659, 670, 674, 677, 679, 684, 685, 686, 689, 699, 703, 706, 710, 715, 722, 723, 727, 728, 730,
    732, 734, 738, 901, 902,
];

/// Whether a CLABE's first three digits are an institution of Banco de
/// México's catalogue.
pub(crate) fn clabe_bank(d: &[u8]) -> bool {
    d.len() >= 3
        && CLABE_BANKS
            .binary_search(&(u16::from(d[0]) * 100 + u16::from(d[1]) * 10 + u16::from(d[2])))
            .is_ok()
}

/// A CBU block's check digit: weights 3, 1, 7, 9 from the right.
fn cbu_check(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * [3, 1, 7, 9][i % 4])
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn cbu(d: &[u8]) -> bool {
    cbu_check(&d[..7]) == d[7] && cbu_check(&d[8..21]) == d[21]
}

fn cnpj(d: &[u8]) -> bool {
    let check = |body: &[u8]| match mod11_sum(body) {
        0 | 1 => 0,
        r => (11 - r) as u8,
    };
    check(&d[..12]) == d[12] && check(&d[..13]) == d[13]
}

/// Whether `yy`, `mm`, `dd` can be a date of birth (any century).
fn date(yymmdd: &[u8]) -> bool {
    let (y, m, day) = (
        number(&yymmdd[..2]),
        number(&yymmdd[2..4]),
        number(&yymmdd[4..6]),
    );
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn sa_id(d: &[u8]) -> bool {
    date(&d[..6]) && d[10] <= 1 && matches!(d[11], 8 | 9) && luhn(d)
}

fn rrn(d: &[u8]) -> bool {
    const W: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = d[..12].iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    date(&d[..6]) && (1..=8).contains(&d[6]) && (11 - sum % 11) % 10 == u32::from(d[12])
}

const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// The Verhoeff check over all of `d` (the check digit last).
fn verhoeff(d: &[u8]) -> bool {
    let mut c = 0u8;
    for (i, &x) in d.iter().rev().enumerate() {
        c = VERHOEFF_D[usize::from(c)][usize::from(VERHOEFF_P[i % 8][usize::from(x)])];
    }
    c == 0
}

fn aadhaar(d: &[u8]) -> bool {
    d[0] >= 2 && verhoeff(d)
}

/// A Polish NRB: the IBAN check with `PL` (P = 25, L = 21) moved after the
/// 24 digits of the BBAN, mod 97 equal to 1 (ISO 13616).
fn nrb(d: &[u8]) -> bool {
    let rem = d[2..]
        .iter()
        .chain(&[2, 5, 2, 1])
        .chain(&d[..2])
        .fold(0u32, |r, &x| (r * 10 + u32::from(x)) % 97);
    rem == 1
}

/// A Hungarian account number: the bank (a code starting with `1`) and
/// branch (8 digits) and the account (8 or 16), each ending in a check
/// digit of weights 9, 7, 3, 1.
fn hu_account(d: &[u8]) -> bool {
    let block = |b: &[u8]| weighted_sum(b, &[9, 7, 3, 1]).is_multiple_of(10);
    d[0] == 1 && block(&d[..8]) && block(&d[8..])
}

fn jp_tracking(d: &[u8]) -> bool {
    let body = d[..11].iter().fold(0u64, |a, &x| a * 10 + u64::from(x));
    body % 7 == u64::from(d[11])
}

/// The EMV merchant-presented QR payloads of `text` whose CRC holds, in
/// order and apart (each search starts where the last payload ended).
pub(crate) fn emv_payloads(text: &str) -> Vec<Emv> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = text.get(from..).and_then(|t| t.find("000201")) {
        let start = from + k;
        // At most EMV_MAX bytes are read from each start: linear in the
        // text however many starts it holds.
        match emv_at(b, start) {
            Some(emv) => {
                from = emv.bytes.end;
                out.push(emv);
            }
            None => from = start + 1,
        }
    }
    out
}

/// The longest payload: 512 characters (EMV QR Code Specification for
/// Payment Systems, Merchant-Presented Mode, 4.6).
const EMV_MAX: usize = 512;

/// The element at `at` of `b`: its tag, and its value's bytes.
fn element(b: &[u8], at: usize) -> Option<(u32, Range<usize>)> {
    let head = b.get(at..at + 4)?;
    if !head.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let tag = u32::from(head[0] - b'0') * 10 + u32::from(head[1] - b'0');
    let len = usize::from(head[2] - b'0') * 10 + usize::from(head[3] - b'0');
    let value = at + 4..at + 4 + len;
    (value.end <= b.len()).then_some((tag, value))
}

/// The payload starting at `start` (`000201`), when its elements run to
/// a CRC element that holds. The elements are walked once, each in
/// constant time but for its value's bytes: linear in the payload.
fn emv_at(b: &[u8], start: usize) -> Option<Emv> {
    let mut at = start;
    let mut leaves = Vec::new();
    // At most 100 top-level elements (tags 00-99).
    for _ in 0..100 {
        let (tag, value) = element(b, at)?;
        if value.end - start > EMV_MAX {
            return None;
        }
        if tag == 63 {
            if value.len() != 4 || !b[value.clone()].iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let crc = std::str::from_utf8(&b[value.clone()])
                .ok()
                .and_then(|h| u16::from_str_radix(h, 16).ok())?;
            if crc16_ccitt(&b[start..value.start]) != crc {
                return None;
            }
            leaves.push(value.clone());
            return Some(Emv {
                bytes: start..value.end,
                leaves,
            });
        }
        // Templates hold elements of their own: their values are the leaves
        // when they parse whole.
        let template = matches!(tag, 26..=51 | 62 | 64 | 80..=99);
        let nested = template.then(|| nested_values(b, value.clone())).flatten();
        match nested {
            Some(values) => leaves.extend(values),
            None => leaves.push(value.clone()),
        }
        at = value.end;
    }
    None
}

/// The values of the elements that fill `within` exactly, when they do.
fn nested_values(b: &[u8], within: Range<usize>) -> Option<Vec<Range<usize>>> {
    let mut at = within.start;
    let mut values = Vec::new();
    while at < within.end {
        let (_, value) = element(b, at)?;
        if value.end > within.end {
            return None;
        }
        at = value.end;
        values.push(value);
    }
    Some(values)
}

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no
/// reflection, no final XOR (EMV QR Code Specification for Payment
/// Systems, Merchant-Presented Mode, 4.7.3).
fn crc16_ccitt(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &x in data {
        crc ^= u16::from(x) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

#[cfg(test)]
#[path = "codes_tests.rs"]
mod tests;
