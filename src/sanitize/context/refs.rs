//! Reference numbers whose digits hold card-shaped windows: found with
//! their own structure and check digits, and lowered by what their context
//! says.
//!
//! Each reference is a stretch of digits written as one group or as groups
//! joined by single separators (` `, `.`, `-`, `/`, a no-break space), of
//! the reference's length, whose structure holds:
//!
//! - a Brazilian electronic fiscal document's access key (chave de acesso
//!   of the NF-e, NFC-e, CT-e, MDF-e; Manual de Orientação do Contribuinte,
//!   SEFAZ): 44 digits, the issuer state's IBGE code, the year and month of
//!   issue, the issuer's CNPJ with its two mod-11 check digits (or a CPF
//!   after three zeros), the document model (55, 57, 58, 59, 62, 65, 66,
//!   67), series, number, the emission type (1-9), a code and the key's
//!   own mod-11 check digit;
//! - a WeChat Pay transaction id: 28 digits, `420` first, the day of
//!   payment (`YYYYMMDD`) at digits 11-18;
//! - a WeChat Pay refund id (`refund_id`): 29 digits, `50` first, the day
//!   of the refund (`YYYYMMDD`) at digits 11-18;
//! - a Pix end-to-end id (Banco Central do Brasil, Manual de Padrões para
//!   Iniciação do Pix): `E` (a payment) or `D` (a devolução), the paying
//!   institution's 8-digit ISPB, the moment it was made as
//!   `yyyyMMddHHmm`, then 11 letters or digits: 32 characters in all,
//!   glued into one word;
//! - an ISO 11649 creditor reference (`RF`, two check digits, up to 21
//!   more), digits only after `RF`, in any case and grouped or not: its
//!   check digits hold (ISO 7064 MOD 97-10, as an IBAN's);
//! - a .NET `DateTime.Ticks` value: 18 digits, 100-nanosecond ticks since
//!   0001-01-01, near today;
//! - an order id that starts with the moment it was made, `YYMMDDhhmmss`,
//!   then a sequence (17 to 22 digits): a real date near today, a real
//!   time of day;
//! - an airline e-ticket number (IATA Resolution 722): a 3-digit airline
//!   accounting code, a 9-digit serial and its remainder mod 7;
//! - a UPI transaction reference (UTR, RRN; NPCI): 12 digits, the year's
//!   last digit, the day of the year, the hour, a sequence; the day at
//!   most three years ago;
//! - a Shopify order id (13 digits) or variant id (14 digits, `3` or `4`
//!   first);
//! - a Google Play order id: `GPA.` then `dddd-dddd-dddd-ddddd`;
//! - a Flipkart order id: `OD` then 18 digits, glued to the letters (the
//!   `OD` starting a word), and no more digits;
//! - a marketplace's order id written plain: Taobao's and Tmall's (18 or
//!   19 digits), Lazada's (15), AliExpress's (16), never `0` first (a
//!   card after zeros is zero padding);
//! - a Korean parcel's tracking number: CJ Logistics' 12 digits (the
//!   first 11 and their remainder mod 7) or Korea Post's 13, written plain,
//!   never `0` first;
//! - an IMEISV (3GPP TS 23.003): a device's 8-digit type allocation code,
//!   6-digit serial and 2-digit software version, 16 digits written plain
//!   (no check digit: the IMEI's Luhn digit is not in it).
//!
//! "Near today" is the clock of the machine that sanitizes: a request is
//! sanitized when it is made, and the ids it carries were made before it
//! (a chargeback report's up to a few years before). The bounds are at
//! [`DATED_BACK_DAYS`], [`TICKS_BACK_DAYS`] and [`AHEAD_DAYS`].
//!
//! What each needs besides its structure (a field's type, a word, the
//! order's country) is [`lowers`]; a card word wins over all of them
//! (`context` asks before).

use super::codes::{self, Group};
use super::words;
use super::{Field, Kind, Shape};
use std::ops::Range;

/// The references whose digits hold card-shaped windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ref {
    /// A Brazilian fiscal document's 44-digit access key whose issuer's
    /// CNPJ (or CPF) check digits hold.
    FiscalKey,
    /// A 44-digit access key whose fixed fields and own check digit hold,
    /// but not its issuer's check digits.
    FiscalKeyUnchecked,
    /// A WeChat Pay transaction id.
    WeChatPay,
    /// A WeChat Pay refund id.
    WeChatRefund,
    /// A Pix end-to-end id (`E` or `D` and 31 more).
    PixEndToEnd,
    /// An ISO 11649 creditor reference (`RF` and its digits).
    RfCreditor,
    /// A .NET `DateTime.Ticks` value.
    Ticks,
    /// An order id starting `YYMMDDhhmmss`.
    DatedId,
    /// An airline e-ticket number.
    ETicket,
    /// A UPI transaction reference.
    Utr,
    /// A Shopify order id.
    ShopifyOrder,
    /// A Shopify variant id.
    ShopifyVariant,
    /// A Google Play order id.
    GooglePlay,
    /// A Flipkart order id (`OD` and 18 digits).
    Flipkart,
    /// A marketplace's order id written plain, of 15, 16, 18 or 19 digits.
    MarketOrder,
    /// A Korean parcel's tracking number.
    KrParcel,
    /// A device's IMEISV.
    Imeisv,
}

impl Ref {
    /// Whether the reference's digits are glued to letters of its own
    /// (`OD...`, `E...`, `RF...`): written so, its whole digits are no card
    /// layout, and its context may lower a card's shape of all of them, not
    /// only of a part.
    pub(crate) fn prefixed(self) -> bool {
        matches!(self, Ref::Flipkart | Ref::PixEndToEnd | Ref::RfCreditor)
    }

    /// Whether the reference may be all of a card's unambiguous shape (a
    /// tick count of 18 digits is one of Maestro's lengths): its context
    /// then must name what it is, and its structure hold ([`lowers`]).
    pub(crate) fn whole_by_context(self) -> bool {
        self == Ref::Ticks
    }
}

/// One reference found: what it is, its bytes, its digits' count,
/// whether its groups are written apart (`618-1234567890`), and whether
/// the moment it names is recent: a UPI reference's day at most
/// [`FRESH_DAYS`] before today, a tick count's at most [`DATED_BACK_DAYS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) kind: Ref,
    pub(crate) bytes: Range<usize>,
    pub(crate) digits: usize,
    pub(crate) grouped: bool,
    pub(crate) fresh: bool,
}

/// The most groups a reference is written in (an access key printed on a
/// DANFE: eleven groups of four).
const MAX_GROUPS: usize = 11;

/// The longest reference (an access key).
const MAX_DIGITS: usize = 44;

/// How many days before today a dated order id's date may be: a chargeback
/// report names orders of up to three years before.
pub(crate) const DATED_BACK_DAYS: i64 = 3 * 366;

/// How many days before today a tick count may be: ids and times stored as
/// ticks, twenty years back.
pub(crate) const TICKS_BACK_DAYS: i64 = 20 * 366;

/// How many days before today a payment being scored was made: the
/// reference of a transaction that minFraud scores is days old at most.
pub(crate) const FRESH_DAYS: i64 = 7;

/// How many days after today a date may be: time zones, and ids made for
/// the next days (bookings, expiries).
pub(crate) const AHEAD_DAYS: i64 = 31;

/// Every reference of `text` (overlapping ones included), in order of
/// their start; `today` is the day of sanitizing, in days since
/// 1970-01-01 (UTC).
pub(crate) fn find(text: &str, today: i64) -> Vec<Found> {
    let mut out = Vec::new();
    codes::tokens(text, |digits, groups| {
        refs_in(text, digits, groups, today, &mut out);
    });
    out.sort_by_key(|f| f.bytes.start);
    out
}

/// The references among the stretches of whole groups of one token.
fn refs_in(text: &str, digits: &[u8], groups: &[Group], today: i64, out: &mut Vec<Found>) {
    if digits.len() < 12 {
        return;
    }
    codes::stretches(digits, groups, MAX_GROUPS, MAX_DIGITS, |d, parts, bytes| {
        let lens: Vec<usize> = parts.iter().map(|g| g.digits.len()).collect();
        let before = &text[..bytes.start];
        let gpa = before.ends_with("GPA.");
        // `OD` starting a word (`OD3883...`, not `CODE3883...`), the
        // digits not running on.
        let word_start = |b: &str| !b.chars().next_back().is_some_and(char::is_alphanumeric);
        let runs_on = text[bytes.end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric());
        let od = before.strip_suffix("OD").is_some_and(word_start) && !runs_on;
        let mut glued = Glued::default();
        if lens.len() == 1 {
            // `E` or `D` starting a word of 32 letters and digits.
            glued.pix = before.strip_suffix(['E', 'D']).is_some_and(word_start)
                && 1 + word_len(&text[bytes.start..]) == PIX_ID_LEN;
        }
        // `RF` (any case) starting a word, the reference's last digit
        // ending it.
        glued.rf = before.len() >= 2
            && before.is_char_boundary(before.len() - 2)
            && before[before.len() - 2..].eq_ignore_ascii_case("RF")
            && word_start(&before[..before.len() - 2])
            && groups.last().is_some_and(|g| g.bytes.end == bytes.end)
            && !runs_on;
        for kind in refs_of(d, &lens, gpa, od, glued, today) {
            out.push(Found {
                kind,
                bytes: bytes.clone(),
                digits: d.len(),
                grouped: parts.len() > 1,
                fresh: match kind {
                    Ref::Utr => utr_day(d, today).is_some_and(|day| near(day, today, FRESH_DAYS)),
                    Ref::Ticks => ticks_day(d).is_some_and(|day| near(day, today, DATED_BACK_DAYS)),
                    _ => false,
                },
            });
        }
    });
}

/// The letters a stretch of digits is glued to, when they are a
/// reference's own.
#[derive(Clone, Copy, Default)]
struct Glued {
    /// After `E` or `D` starting a word of [`PIX_ID_LEN`] characters.
    pix: bool,
    /// After `RF` starting a word, the digits ending it.
    rf: bool,
}

/// The characters of a Pix end-to-end id.
const PIX_ID_LEN: usize = 32;

/// How many letters and digits `text` starts with.
fn word_len(text: &str) -> usize {
    text.chars().take_while(|c| c.is_alphanumeric()).count()
}

/// The references the digits `d` (in groups of `lens` digits; after
/// `GPA.` when `gpa`, glued to `OD` when `od`, to a Pix id's or a
/// creditor reference's letters per `glued`) are.
fn refs_of(
    d: &[u8],
    lens: &[usize],
    gpa: bool,
    od: bool,
    glued: Glued,
    today: i64,
) -> impl Iterator<Item = Ref> {
    let key = (d.len() == 44).then(|| fiscal_key(d, today)).flatten();
    let plain = lens.len() == 1;
    let checks: [(Ref, bool); 17] = [
        (Ref::FiscalKey, key == Some(true)),
        (Ref::FiscalKeyUnchecked, key == Some(false)),
        (Ref::WeChatPay, d.len() == 28 && wechat_pay(d, today)),
        (
            Ref::WeChatRefund,
            d.len() == 29 && d[..2] == [5, 0] && day_at(d, 10, today),
        ),
        (
            Ref::PixEndToEnd,
            glued.pix && d.len() >= 20 && moment_at(d, 8, today),
        ),
        (
            Ref::RfCreditor,
            glued.rf && d.len() <= 23 && creditor_ref(d),
        ),
        (Ref::Ticks, d.len() == 18 && ticks(d, today)),
        (
            Ref::DatedId,
            (17..=22).contains(&d.len()) && dated_id(d, today),
        ),
        (Ref::ETicket, d.len() == 13 && e_ticket(d, lens)),
        (Ref::Utr, d.len() == 12 && lens.len() == 1 && utr(d, today)),
        (Ref::ShopifyOrder, d.len() == 13 && lens.len() == 1),
        (
            Ref::ShopifyVariant,
            d.len() == 14 && lens.len() == 1 && matches!(d[0], 3 | 4),
        ),
        (Ref::GooglePlay, gpa && lens == [4, 4, 4, 5]),
        (Ref::Flipkart, od && plain && d.len() == 18),
        (
            Ref::MarketOrder,
            !od && plain && d[0] != 0 && matches!(d.len(), 15 | 16 | 18 | 19),
        ),
        (
            Ref::KrParcel,
            plain && d[0] != 0 && (d.len() == 13 || (d.len() == 12 && mod7(d))),
        ),
        (Ref::Imeisv, plain && d.len() == 16),
    ];
    checks.into_iter().filter(|c| c.1).map(|c| c.0)
}

fn number(d: &[u8]) -> u64 {
    d.iter().fold(0, |a, &x| a * 10 + u64::from(x))
}

/// The IBGE codes of the Brazilian states, the first two digits of an
/// access key.
const IBGE_STATES: &[u64] = &[
    11, 12, 13, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 32, 33, 35, 41, 42, 43, 50,
    51, 52, 53,
];

/// The models of the documents whose keys have this structure: NF-e (55),
/// CT-e (57), MDF-e (58), CF-e SAT (59), NFCom (62), NFC-e (65), NF3e (66),
/// CT-e OS (67).
const FISCAL_MODELS: &[u64] = &[55, 57, 58, 59, 62, 65, 66, 67];

/// The sum of `body`'s digits weighted 2 to 9 from the right, repeating.
fn mod11_sum(body: &[u8]) -> u64 {
    body.iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| u64::from(x) * (2 + (i as u64 % 8)))
        .sum()
}

/// The mod-11 check digit of `body` (weights 2-9; 0 for remainders 0 and
/// 1).
fn mod11_digit(body: &[u8]) -> u8 {
    match mod11_sum(body) % 11 {
        0 | 1 => 0,
        r => 11 - r as u8,
    }
}

/// Whether `d` (14 digits) is a CNPJ with its two check digits.
pub(crate) fn cnpj(d: &[u8]) -> bool {
    d.len() == 14 && mod11_digit(&d[..12]) == d[12] && mod11_digit(&d[..13]) == d[13]
}

/// Whether `d` (11 digits) is a CPF with its two check digits.
fn cpf(d: &[u8]) -> bool {
    let digit = |body: &[u8]| {
        let n = body.len() as u64 + 1;
        let s: u64 = body
            .iter()
            .enumerate()
            .map(|(i, &x)| u64::from(x) * (n - i as u64))
            .sum();
        match s % 11 {
            0 | 1 => 0,
            r => 11 - r as u8,
        }
    };
    d.len() == 11 && digit(&d[..9]) == d[9] && digit(&d[..10]) == d[10]
}

/// Whether `d` (44 digits) is a fiscal document's access key: `None`
/// when its fixed fields or its own check digit fail, else whether its
/// issuer's CNPJ (or CPF after three zeros) check digits hold. The year of
/// issue is from 2006 (the NF-e's first) to this year.
fn fiscal_key(d: &[u8], today: i64) -> Option<bool> {
    let (year, _, _) = super::civil_date(u64::try_from(today + AHEAD_DAYS).unwrap_or(0));
    let yy = number(&d[2..4]);
    let month = number(&d[4..6]);
    let issuer = &d[6..20];
    let fixed = IBGE_STATES.contains(&number(&d[..2]))
        && (6..=u64::from(year % 100)).contains(&yy)
        && (1..=12).contains(&month)
        && FISCAL_MODELS.contains(&number(&d[20..22]))
        && (1..=9).contains(&d[34])
        && mod11_digit(&d[..43]) == d[43];
    fixed.then(|| cnpj(issuer) || (issuer[..3] == [0, 0, 0] && cpf(&issuer[3..])))
}

/// Days since 1970-01-01 of a proleptic Gregorian date, when it is one.
pub(crate) fn day_number(year: i64, month: i64, day: i64) -> Option<i64> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days).contains(&day) {
        return None;
    }
    // Years counted from March, so that the leap day ends the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Whether the day `day` is near `today`: at most `back` days before it,
/// at most [`AHEAD_DAYS`] after.
fn near(day: i64, today: i64, back: i64) -> bool {
    (today - back..=today + AHEAD_DAYS).contains(&day)
}

/// Whether `d` (28 digits) is a WeChat Pay transaction id: `420`, then
/// the day of payment as `YYYYMMDD` at digits 11-18, near today.
fn wechat_pay(d: &[u8], today: i64) -> bool {
    d[..3] == [4, 2, 0] && day_at(d, 10, today)
}

/// Whether the digits of `d` from `at` are a day as `YYYYMMDD` at most
/// [`DATED_BACK_DAYS`] before today.
fn day_at(d: &[u8], at: usize, today: i64) -> bool {
    let n = |r: Range<usize>| number(&d[at + r.start..at + r.end]) as i64;
    d.len() >= at + 8
        && day_number(n(0..4), n(4..6), n(6..8))
            .is_some_and(|day| near(day, today, DATED_BACK_DAYS))
}

/// Whether the digits of `d` from `at` are a moment as `yyyyMMddHHmm` of
/// a day at most [`DATED_BACK_DAYS`] before today.
fn moment_at(d: &[u8], at: usize, today: i64) -> bool {
    d.len() >= at + 12
        && number(&d[at + 8..at + 10]) < 24
        && number(&d[at + 10..at + 12]) < 60
        && day_at(d, at, today)
}

/// Whether `d` (the digits after `RF`: two check digits and the
/// reference) is an ISO 11649 creditor reference: `RF` and `d` pass the
/// IBAN's MOD 97-10 check ([`super::mod97_ok`]).
fn creditor_ref(d: &[u8]) -> bool {
    let chars: Vec<u8> = b"RF"
        .iter()
        .copied()
        .chain(d.iter().map(|x| b'0' + x))
        .collect();
    d.len() >= 3 && super::mod97_ok(&chars)
}

/// The ticks (100 ns) from 0001-01-01 to 1970-01-01.
const TICKS_AT_UNIX_EPOCH: u64 = 621_355_968_000_000_000;

/// Ticks in a day.
const TICKS_PER_DAY: u64 = 864_000_000_000;

/// Whether `d` (18 digits) is a tick count of a moment near today.
fn ticks(d: &[u8], today: i64) -> bool {
    ticks_day(d).is_some_and(|day| near(day, today, TICKS_BACK_DAYS))
}

/// The day (since 1970-01-01) of the tick count `d`, when it is after
/// 1970.
fn ticks_day(d: &[u8]) -> Option<i64> {
    let since_epoch = number(d).checked_sub(TICKS_AT_UNIX_EPOCH)?;
    i64::try_from(since_epoch / TICKS_PER_DAY).ok()
}

/// Whether `d` starts with a moment near today as `YYMMDDhhmmss` (a real
/// date of this century, a real time of day).
fn dated_id(d: &[u8], today: i64) -> bool {
    let n = |r: Range<usize>| number(&d[r]) as i64;
    n(6..8) < 24
        && n(8..10) < 60
        && n(10..12) < 60
        && day_number(2000 + n(0..2), n(2..4), n(4..6))
            .is_some_and(|day| near(day, today, DATED_BACK_DAYS))
}

/// Whether the first 11 digits of `d` (12 digits) leave the last as
/// their remainder mod 7 (CJ Logistics' check digit).
fn mod7(d: &[u8]) -> bool {
    number(&d[..11]) % 7 == u64::from(d[11])
}

/// Whether `d` (13 digits, in groups of `lens`) is an e-ticket number: the
/// 9-digit serial's remainder mod 7 is its last digit; written plain, or
/// the airline's code apart (`618-1234567890`, `618 123456789 0`).
fn e_ticket(d: &[u8], lens: &[usize]) -> bool {
    let laid_out = lens.len() == 1 || lens[0] == 3;
    laid_out && number(&d[3..12]) % 7 == u64::from(d[12])
}

/// Whether `d` (12 digits) is a UPI transaction reference of a day at most
/// [`DATED_BACK_DAYS`] before today: the year's last digit, the day of the
/// year, the hour (00-23), six digits.
fn utr(d: &[u8], today: i64) -> bool {
    utr_day(d, today).is_some()
}

/// The day a UPI reference `d` names, when it is one of a day at most
/// [`DATED_BACK_DAYS`] before today (of this year or the three before,
/// by the year's last digit).
fn utr_day(d: &[u8], today: i64) -> Option<i64> {
    let (year, _, _) = super::civil_date(u64::try_from(today).unwrap_or(0));
    let ordinal = number(&d[1..4]) as i64;
    let hour = number(&d[4..6]);
    if hour > 23 || ordinal == 0 {
        return None;
    }
    let year = i64::from(year);
    (year - 3..=year).find_map(|y| {
        let first = day_number(y, 1, 1)?;
        let last = day_number(y, 12, 31)?;
        let day = first + ordinal - 1;
        (y.rem_euclid(10) == i64::from(d[0]) && day <= last && near(day, today, DATED_BACK_DAYS))
            .then_some(day)
    })
}

/// Words naming the references, read in the key and around the digits.
const TICKET: &[&str] = &[
    "ticket",
    "tickets",
    "eticket",
    "etkt",
    "tkt",
    "ticketnumber",
    "ticketno",
    "billet",
    "bilhete",
    "flugschein",
    "biglietto",
    "billete",
];

/// Ticket words in scripts without spaces.
const TICKET_ANYWHERE: &[&str] = &["航空券", "机票", "機票", "항공권", "电子客票"];

/// Words naming a UPI or IMPS transaction reference.
const UTR: &[&str] = &[
    "utr", "upi", "rrn", "imps", "neft", "rtgs", "bhim", "paytm", "phonepe", "gpay",
];

/// Words naming a reference or a payment, besides the order words.
const REFERENCE: &[&str] = &[
    "ref",
    "refno",
    "reference",
    "invoice",
    "receipt",
    "trade",
    "booking",
    "reservation",
    "confirmation",
    "payment",
    "session",
];

/// Words naming a Brazilian fiscal document or its access key.
const FISCAL: &[&str] = &[
    "chave", "acesso", "nfe", "nf", "nfce", "cte", "mdfe", "danfe", "dacte", "sefaz", "nota",
    "fiscal", "xml",
];

/// Words naming a product's variant.
const VARIANT: &[&str] = &["variant", "variants", "variantid", "product", "products"];

/// Korean carriers' names, and the platform's own for a parcel.
const KR_PARCEL: &[&str] = &[
    "cj",
    "cjlogistics",
    "koreapost",
    "epost",
    "hanjin",
    "lotte",
    "logen",
    "kdexp",
];

/// Korean words for a parcel's tracking number (운송장, 송장: waybill;
/// 택배: parcel delivery; 등기: registered mail) and carriers' names.
const KR_PARCEL_ANYWHERE: &[&str] = &[
    "운송장",
    "송장",
    "택배",
    "등기",
    "대한통운",
    "우체국",
    "한진",
    "롯데",
];

/// Marketplaces' names, whose order ids are written plain.
const MARKET: &[&str] = &["taobao", "tmall", "lazada", "aliexpress", "alibaba"];

/// Marketplaces' names and order-number words in Chinese and Thai
/// (订单号 is also an order word of `words`).
const MARKET_ANYWHERE: &[&str] = &["淘宝", "天猫", "速卖通", "订单号", "訂單號"];

/// The countries where each marketplace's plain order ids are made: Lazada
/// (15 digits) sells in these six, Taobao and Tmall (18 or 19) in China.
const LAZADA_COUNTRIES: &[[u8; 2]] = &[*b"MY", *b"PH", *b"SG", *b"TH", *b"VN", *b"ID"];

/// Words naming a device's IMEISV.
const IMEISV: &[&str] = &["imei", "imeisv", "svn", "device", "deviceid", "handset"];

/// Words naming a tick count.
const TICKS: &[&str] = &["ticks", "tick"];

/// The reference words seen.
#[derive(Clone, Copy, Default)]
struct Seen {
    ticket: bool,
    fiscal: bool,
    utr: bool,
    reference: bool,
    variant: bool,
    ticks: bool,
    shopify: bool,
    /// A Korean carrier's name or parcel word.
    kr_parcel: bool,
    /// A marketplace's name.
    market: bool,
    /// Flipkart's name.
    flipkart: bool,
    /// A tracking word (a code word of [`words::lowering`]).
    tracking: bool,
    /// A device's IMEISV word.
    imeisv: bool,
    /// An order word ([`words::lowering`]'s).
    order: bool,
    /// A time word.
    time: bool,
    /// An `id`.
    id: bool,
}

fn seen(text: &str) -> Seen {
    let mut s = Seen::default();
    if text.is_empty() {
        return s;
    }
    let l = words::lowering(text);
    s.order = l.order;
    s.time = l.time;
    s.id = l.id;
    s.tracking = l.code;
    s.ticket = TICKET_ANYWHERE.iter().any(|w| text.contains(w));
    s.kr_parcel = KR_PARCEL_ANYWHERE.iter().any(|w| text.contains(w));
    s.market = MARKET_ANYWHERE.iter().any(|w| text.contains(w));
    for w in words::word_forms(text) {
        let w = w.as_str();
        s.ticket |= TICKET.contains(&w);
        s.fiscal |= FISCAL.contains(&w);
        s.utr |= UTR.contains(&w);
        s.reference |= REFERENCE.contains(&w);
        s.variant |= VARIANT.contains(&w);
        s.ticks |= TICKS.contains(&w);
        s.shopify |= w == "shopify";
        s.flipkart |= w == "flipkart";
        s.imeisv |= IMEISV.contains(&w);
        s.kr_parcel |= KR_PARCEL.contains(&w);
        s.market |= MARKET.contains(&w);
    }
    s
}

fn union(a: Seen, b: Seen) -> Seen {
    Seen {
        ticket: a.ticket || b.ticket,
        fiscal: a.fiscal || b.fiscal,
        utr: a.utr || b.utr,
        reference: a.reference || b.reference,
        variant: a.variant || b.variant,
        ticks: a.ticks || b.ticks,
        shopify: a.shopify || b.shopify,
        kr_parcel: a.kr_parcel || b.kr_parcel,
        market: a.market || b.market,
        flipkart: a.flipkart || b.flipkart,
        tracking: a.tracking || b.tracking,
        imeisv: a.imeisv || b.imeisv,
        order: a.order || b.order,
        time: a.time || b.time,
        id: a.id || b.id,
    }
}

/// Whether the reference `f` of `text` is what its context says it is,
/// for a window of `shape` (`None` for an unambiguous one) inside it:
///
/// - an access key, a WeChat Pay id, a Google Play order id, a Pix
///   end-to-end id or a creditor reference: their structure is enough (an
///   access key's two sets of mod-11 check digits and fixed fields pass
///   about one in ten million stretches of 44 digits; without its issuer's
///   check digits, one in 20,000, and the key needs a fiscal word (chave,
///   NF-e, DANFE, ...) or an order in Brazil; a WeChat id's payment day
///   near today about three in a million of 28 digits starting `420`, a
///   refund's of 29 starting `50`; `GPA.` and its layout are the id's own;
///   a Pix id's letter, length and moment near today pass about one in
///   40,000 words of its shape; a creditor reference's `RF` is its own and
///   its check digits pass one in 97);
/// - a tick count or a dated order id: a transaction or session id field,
///   or an order, reference, time or id word (a tick count near today is
///   one 18-digit number in 140; a date and time near today one in about
///   10,000 of 17 to 22 digits); a tick count that is all of an
///   unambiguous card shape (18 plain digits of Maestro's 63), a time or
///   ticks word and a moment of the last three years (the 18-digit numbers
///   from about `638` to `639`: every 18-digit card there is forwarded
///   under a time word);
/// - an e-ticket: a ticket word, or a transaction id field with the
///   airline's code written apart (mod 7 passes one number in seven);
/// - a UPI reference: a UPI word (utr, upi, rrn, ...), or a transaction id
///   field in an order in India when the day it names is at most
///   [`FRESH_DAYS`] before today (a payment being scored; one 12-digit
///   number in about 2,000 passes);
/// - a Shopify variant id: a variant or product word, or a cart item's id;
/// - a Shopify order id: the word `shopify` (`gid://shopify/Order/...`);
/// - a Flipkart order id: a transaction id field, an order word, the word
///   `flipkart`, or an order in India (the `OD` glued before the digits is
///   the id's own; no card is written so);
/// - a marketplace's plain order id: the marketplace's name (taobao,
///   tmall, 淘宝, lazada, aliexpress, ...); or a transaction id field or an
///   order word in an order of the marketplace's countries: China for 18
///   or 19 digits (Taobao, Tmall), Lazada's six for 15; AliExpress's 16
///   need its name. It lowers a card glued to more digits or a short
///   Maestro shape only (not a card after a bracket, `+` or a point), never
///   a card's unambiguous shape of all its digits;
/// - a Korean parcel's tracking number: a Korean carrier's name or parcel
///   word (CJ, 택배, 운송장, 우체국, ...), or a tracking or order word in an
///   order in KR (a CJ number's mod 7 passes one number in seven; Korea
///   Post's 13 digits have no check digit read here), for a short Maestro
///   or glued shape only;
/// - an IMEISV: an IMEI or device word (imei, imeisv, svn, device, ...);
///   it lowers glued shapes only (a UATP card after a zero: type
///   allocation codes start `01`), never a card's unambiguous shape of all
///   16 digits (those starting `35` are JCB's).
pub(crate) fn lowers(f: &Found, text: &str, field: &Field<'_>, shape: Option<Shape>) -> bool {
    // A card word just before the reference makes its windows cards.
    if super::raised(text, f.bytes.start, field) {
        return false;
    }
    let (before, after) = super::around(text, &f.bytes);
    let w = union(
        seen(field.key.unwrap_or("")),
        union(seen(before), seen(after)),
    );
    let id_field = matches!(field.kind, Kind::Order | Kind::Session);
    let country = |cc: &[u8; 2]| field.order.is_some_and(|o| o.in_country(cc));
    // The ids written plain, with no check digit or a weak one, hold a
    // card's shape as a part (glued to more digits) or as a short Maestro
    // shape; a card after a bracket, `+` or a point is no part of them.
    let part = matches!(shape, Some(Shape::Short | Shape::Glued));
    match f.kind {
        Ref::FiscalKey
        | Ref::WeChatPay
        | Ref::WeChatRefund
        | Ref::GooglePlay
        | Ref::PixEndToEnd
        | Ref::RfCreditor => true,
        Ref::FiscalKeyUnchecked => w.fiscal || field.order.is_some_and(|o| o.in_country(b"BR")),
        // All of an unambiguous 18-digit shape: a moment of the last three
        // years, and a time word (created, timestamp, ticks, ...) in the
        // key or near, not an id's.
        Ref::Ticks if shape.is_none() => f.fresh && (w.time || w.ticks),
        Ref::Ticks => id_field || w.order || w.reference || w.time || w.id || w.ticks,
        Ref::DatedId => id_field || w.order || w.reference || w.id,
        Ref::ETicket => w.ticket || (field.kind == Kind::Order && f.grouped),
        Ref::Utr => {
            w.utr
                || (f.fresh
                    && field.kind == Kind::Order
                    && field.order.is_some_and(|o| o.in_country(b"IN")))
        }
        Ref::ShopifyVariant => w.variant || field.kind == Kind::Gtin,
        Ref::ShopifyOrder => w.shopify,
        Ref::Flipkart => {
            (part || shape.is_none()) && (id_field || w.order || w.flipkart || country(b"IN"))
        }
        Ref::MarketOrder if !part => false,
        Ref::KrParcel | Ref::Imeisv if !part => false,
        Ref::MarketOrder => {
            w.market
                || ((field.kind == Kind::Order || w.order)
                    && match f.digits {
                        15 => LAZADA_COUNTRIES.iter().any(country),
                        18 | 19 => country(b"CN"),
                        _ => false,
                    })
        }
        Ref::KrParcel => w.kr_parcel || ((w.tracking || w.order || w.reference) && country(b"KR")),
        Ref::Imeisv => w.imeisv,
    }
}

#[cfg(test)]
#[path = "refs_tests.rs"]
mod tests;
