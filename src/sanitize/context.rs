//! Context for ambiguous card shapes.
//!
//! The PAN detector (`pan`) sorts every card-shaped window it finds into
//! two kinds. An **unambiguous** shape is a Luhn-valid number of a brand's
//! length, written plain (a whole group of digits) or in a card layout
//! (one separator joining all its groups, or 4-4-4-4, 4-6-5, 4-6-4 with any
//! separators): it is a card number wherever it is, and nothing here can
//! clear it. An **ambiguous** shape ([`Shape`]) is one that ordinary data
//! takes as often as cards do: it is decided here, by context, and the
//! decision names the rule that made it ([`Rule`]):
//!
//! 1. a word that **raises** ([`words::RAISING`]: card, visa, tarjeta, 卡,
//!    カード, 카드, ...) in the field's key or just before the digits makes it a
//!    card, whatever else holds;
//! 2. otherwise it is **lowered** (not a card) when its own context says what
//!    else it is:
//!    - a telephone number: the digits (with their country code) are a valid
//!      number in E.164 by libphonenumber's metadata (the `phonenumber`
//!      crate), in a telephone field (`*.phone_number`, custom inputs typed
//!      `phone`) or next to a telephone word ([`words::LOWERING`]), or alone
//!      in the value, written with the country code apart
//!      ([`written_as_phone`]) or after `00`;
//!    - a decimal number ([`Shape::Decimal`]): the value is a list of
//!      decimal numbers (a coordinate pair), or a coordinate, time or
//!      quantity word is in the key or near (`lat`, `lng`, `created`,
//!      `score`); in a number (a JSON number, a custom input typed
//!      `number`) whose significant digits are more than the card's; a card
//!      divided by a power of ten is a decimal too, so a lone number in text
//!      needs its word;
//!    - a double of a card's size in scientific notation
//!      ([`Shape::Scientific`], [`Shape::Rounded`]): a coordinate, time or
//!      quantity word, or a valid telephone number in a telephone context;
//!      when the printing hid a digit, also an id field (transaction,
//!      session, cart item) or an order or code word;
//!    - a longer code holding the digits ([`Shape::Glued`]): the whole group
//!      is a GTIN or SSCC (GS1 mod 10), a USPS IMpb (`420` + ZIP + a
//!      tracking number with its GS1 check digit), or a Chinese resident
//!      identity number (GB 11643: date of birth and ISO 7064 MOD 11-2); or a
//!      word naming such a code is near;
//!    - a payment reference or identity number ([`codes`]: a boleto line, a
//!      CLABE, a CBU, a CNPJ, a South African, Korean or Indian identity
//!      number, a Japanese tracking number, a KID or OCR reference) holding
//!      the digits, whose own check digits hold and whose word or the
//!      order's country names it ([`code_context`]); or an EMV QR payload
//!      (Pix, PromptPay, ...) whose CRC holds;
//! 3. otherwise it is a card (fail closed).
//!
//! An unambiguous shape is lowered only by a context and an independent
//! check at once ([`decide_unambiguous`]): a Chinese resident identity
//! number, a USPS tracking number, an Amazon order id, a code of [`codes`]
//! in its context, the elements of an EMV QR payload, a GTIN-13 or GTIN-14
//! alone in a cart item's id with its GS1 check digit, or a telephone
//! number of the order's country in a telephone field or next to a
//! telephone word.
//!
//! IBANs are not windows at all: a valid IBAN (ISO 13616 mod 97, the
//! registry's length for its country, any case, spaced, dashed or glued to
//! a word) is not read for card numbers ([`iban_spans`]).

mod accounts;
mod codes;
mod iins;
mod refs;
mod regions;
pub(crate) mod words;

use std::ops::Range;

/// What the scan knows about the field a value is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    /// The field's kind.
    pub(crate) kind: Kind,
    /// A caller-chosen key (custom inputs, unknown keys), read for words.
    pub(crate) key: Option<&'a str>,
    /// The countries of the order the request is about ([`Order`]), when
    /// it names any.
    pub(crate) order: Option<&'a Order>,
}

/// The countries the request says its own order is in, as the app sent
/// them: the ISO 3166-1 alpha-2 codes of `billing.country` and
/// `shipping.country`, the calling codes of `billing.phone_country_code`
/// and `shipping.phone_country_code`, and the digits of
/// `billing.phone_number` and `shipping.phone_number` (with their calling
/// code before them when the request gives one). The card issuer's country
/// (`credit_card.country`) and the bank's telephone number are not the
/// order's, and are not read.
///
/// A short Maestro window that is a valid telephone number of one of these
/// countries, and all the digits of its value, is a telephone number of
/// the order ([`Order::holds`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Order {
    /// Upper-case alpha-2 codes; `[0, 0]` for none.
    countries: [[u8; 2]; 2],
    /// Calling codes; 0 for none.
    codes: [u16; 2],
    /// The digits of the telephone fields, as sent (`national`) and with
    /// the group's calling code before them.
    phones: [Digits; 2],
}

/// Up to 15 digits (E.164's most), or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Digits {
    len: u8,
    d: [u8; 15],
}

impl Digits {
    fn of(text: &str) -> Self {
        let mut out = Digits::default();
        for v in text.chars().filter_map(super::pan::digit_value) {
            if usize::from(out.len) == out.d.len() {
                return Digits::default();
            }
            out.d[usize::from(out.len)] = v;
            out.len += 1;
        }
        out
    }

    fn get(&self) -> &[u8] {
        &self.d[..usize::from(self.len)]
    }
}

impl Order {
    /// Notes one field of `billing` (`shipping` when `shipping`) as the app
    /// sent it; fields other than the country, the telephone number and its
    /// calling code are left alone.
    pub(crate) fn note(&mut self, shipping: bool, key: &str, value: &str) {
        let i = usize::from(shipping);
        match key {
            "country" => {
                if let [a, b] = value.trim().as_bytes() {
                    if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() {
                        self.countries[i] = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
                    }
                }
            }
            "phone_country_code" => {
                let v = value.trim();
                let v = v.strip_prefix('+').unwrap_or(v);
                if (1..=4).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
                    self.codes[i] = v.parse().unwrap_or(0);
                }
            }
            "phone_number" => self.phones[i] = Digits::of(value),
            _ => {}
        }
    }

    /// Whether `cc` (upper-case alpha-2) is `billing.country` or
    /// `shipping.country`.
    pub(crate) fn in_country(&self, cc: &[u8; 2]) -> bool {
        self.countries.contains(cc)
    }

    /// Whether the request names any country, calling code or telephone
    /// number of its order.
    pub(crate) fn is_empty(&self) -> bool {
        *self == Order::default()
    }

    /// Whether `digits` are a telephone number of the order: a valid number
    /// in E.164 by libphonenumber's metadata ([`phone_valid`]) whose
    /// country by the metadata is `billing.country` or `shipping.country`,
    /// or whose calling code is `billing.phone_country_code` or
    /// `shipping.phone_country_code`, or that is the number of a telephone
    /// field of the request (with its calling code, or written with it).
    /// Validity is always needed: a calling code shared by a card range
    /// (`63`, `62`, `57`, `58`) says nothing on its own.
    pub(crate) fn holds(&self, digits: &[u8]) -> bool {
        let Some(n) = phone_e164(digits) else {
            return false;
        };
        if self.of_country(&n) {
            return true;
        }
        self.phones.iter().zip(self.codes).any(|(p, calling)| {
            let p = p.get();
            if p.is_empty() {
                return false;
            }
            if p == digits {
                return true;
            }
            // The national number after the group's calling code, with or
            // without its trunk `0`.
            let national = digits_of_code(calling).and_then(|c| digits.strip_prefix(&c[..]));
            national.is_some_and(|rest| rest == p || p.strip_prefix(&[0]) == Some(rest))
        })
    }
}

impl Order {
    /// Whether `digits` are a valid telephone number (by libphonenumber's
    /// metadata) of a country the request names for its order: its country
    /// by the metadata is `billing.country` or `shipping.country`, or its
    /// calling code is `billing.phone_country_code` or
    /// `shipping.phone_country_code`. Unlike [`Order::holds`], the
    /// request's own telephone fields count for nothing: a card in a
    /// telephone field is not made a telephone number by being there.
    pub(crate) fn holds_by_country(&self, digits: &[u8]) -> bool {
        phone_e164(digits).is_some_and(|n| self.of_country(&n))
    }

    fn of_country(&self, n: &phonenumber::PhoneNumber) -> bool {
        if self.codes.contains(&n.code().value()) {
            return true;
        }
        let region = n
            .metadata(&phonenumber::metadata::DATABASE)
            .map(|m| m.id().as_bytes());
        region.is_some_and(|r| self.countries.iter().any(|c| c[..] == *r))
    }
}

/// The digits of calling code `code` (none for 0).
fn digits_of_code(code: u16) -> Option<Vec<u8>> {
    (code != 0).then(|| code.to_string().bytes().map(|b| b - b'0').collect())
}

impl<'a> Field<'a> {
    /// The context of the value under `key`: a schema field (by its policy
    /// path, `None` for keys minFraud does not have), or a custom input.
    pub(crate) fn of(schema: Option<&str>, custom: bool, key: &'a str) -> Self {
        let kind = match schema {
            Some(path) if path.ends_with("phone_number") => Kind::Phone,
            Some("shopping_cart[].item_id") => Kind::Gtin,
            Some("event.transaction_id") => Kind::Order,
            Some("device.session_id") => Kind::Session,
            Some("transaction_id" | "chargeback_code") => Kind::Chargeback,
            _ => Kind::Text,
        };
        // A schema field's own name says nothing the kind does not; a
        // caller-chosen key is read for words.
        let key = (custom || schema.is_none()).then_some(key);
        Field {
            kind,
            key,
            order: None,
        }
    }
}

/// The kinds of field that decide ambiguous shapes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Free text, or anything not known better.
    #[default]
    Text,
    /// A telephone number (`billing.phone_number`, `shipping.phone_number`,
    /// `credit_card.bank_phone_number`, a custom input typed `phone`).
    Phone,
    /// A JSON number, or a custom input typed `number`.
    Number,
    /// A cart item's id, which shops fill with the product's GTIN (EAN,
    /// UPC): GS1 check digits count there.
    Gtin,
    /// The shop's transaction id (`event.transaction_id`), which shops fill
    /// with their order ids.
    Order,
    /// The session's id (`device.session_id`), which apps fill with ids
    /// they make (tick counts, dated ids).
    Session,
    /// A report's transaction id or chargeback code: the report endpoint
    /// is where chargebacks are reported, with the acquirer's reference.
    Chargeback,
}

/// The ambiguous shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// 12 to 15 digits in Maestro's ranges (50, 56-69) only: the legacy
    /// Maestro lengths, which telephone numbers with country codes 50-69
    /// share.
    Short,
    /// Digits written right after `+` (at most 15: E.164's maximum).
    AfterPlus,
    /// A card at the start of a longer group of digits, or after leading
    /// zeros.
    Glued,
    /// A decimal number: an integer part of at most five digits and a
    /// fraction, or the fraction itself, with no blank beside the point.
    Decimal,
    /// Digits right after a closing bracket, outside a card layout: GS1
    /// barcodes in their human-readable form put each application
    /// identifier in brackets (`(01)09501101530003(17)250101`).
    Bracketed,
    /// A number in scientific notation whose value is an integer of a
    /// card's length, as programs print doubles (Java's
    /// `4.012888888881881E15`): its digits with the zeros its exponent
    /// adds.
    Scientific,
    /// The same when the printing did not show every digit: the last lost
    /// to the printing or to the double (Excel's and .NET's
    /// `4.01288888888188E+15`, 15 digits of 16: the digits printed and the
    /// check digit Luhn gives), or trailing zeros left to the exponent
    /// (Java's `4.01288888888188E15` for a card ending in 0). Every number
    /// of a card's length with a card's prefix has such a reading, so what
    /// it is depends on context alone.
    Rounded,
}

/// The rule that made a window a card: named in a rejection's message,
/// never with the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// An unambiguous card shape.
    CardShape,
    /// An ambiguous shape with a card word in the key or just before it.
    RaisingWord,
    /// An ambiguous shape nothing lowered.
    Unexplained(Shape),
    /// A masked card showing more than a truncation may (`pan::masked`).
    Masked,
}

impl Rule {
    /// The rule's name, as rejections and `docs/detection.md` write it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Rule::CardShape => "card_shape",
            Rule::RaisingWord => "card_word",
            Rule::Unexplained(Shape::Short) => "short_maestro",
            Rule::Unexplained(Shape::AfterPlus) => "after_plus",
            Rule::Unexplained(Shape::Glued) => "glued",
            Rule::Unexplained(Shape::Decimal) => "decimal",
            Rule::Unexplained(Shape::Bracketed) => "bracketed",
            Rule::Unexplained(Shape::Scientific) => "scientific",
            Rule::Unexplained(Shape::Rounded) => "scientific_rounded",
            Rule::Masked => "masked",
        }
    }
}

/// One ambiguous window, as the detector found it.
pub(crate) struct Candidate<'a> {
    /// Its shape.
    pub(crate) shape: Shape,
    /// The window's digits (values 0-9).
    pub(crate) window: &'a [u8],
    /// The digits of the whole group (for [`Shape::Glued`]) or of the run
    /// from the window's first digit to the run's end (otherwise).
    pub(crate) around: &'a [u8],
    /// The window's bytes in the original string.
    pub(crate) bytes: Range<usize>,
    /// Written after `00` (an international dialling prefix).
    pub(crate) after_00: bool,
    /// The whole group is the card after leading zeros (`000` + card): zero
    /// padding, which no check digit of the padded code lowers.
    pub(crate) padded: bool,
}

/// How far before a window a word is read (bytes of the original string).
const WORDS_BEFORE: usize = 40;

/// How far after a window a word is read.
const WORDS_AFTER: usize = 12;

/// The text whose words count for the digits at `bytes` of `text`: up to
/// [`WORDS_BEFORE`] bytes before them and [`WORDS_AFTER`] after.
fn around<'t>(text: &'t str, bytes: &Range<usize>) -> (&'t str, &'t str) {
    (
        words::window_before(text, bytes.start, WORDS_BEFORE),
        words::window_after(text, bytes.end, WORDS_AFTER),
    )
}

/// The most bytes a code of [`codes::find`] spans: 48 digits of up to four
/// bytes and seven separators of up to two.
const MAX_CODE_BYTES: usize = 48 * 4 + 7 * 2;

/// The items of `found` (a code, reference or account each, sorted by the
/// start of their bytes, `span`) whose bytes hold `bytes`, nearest first.
/// None spans more than [`MAX_CODE_BYTES`]: the ones that may hold the
/// window start that near before it, so the walk back is bounded.
fn covering<'s, T>(
    found: &'s [T],
    span: impl Fn(&T) -> &Range<usize> + Copy + 's,
    bytes: &Range<usize>,
) -> impl Iterator<Item = &'s T> + 's {
    let upto = found.partition_point(|f| span(f).start <= bytes.start);
    let bytes = bytes.clone();
    found[..upto]
        .iter()
        .rev()
        .take_while(move |f| bytes.start - span(f).start <= MAX_CODE_BYTES)
        .filter(move |f| span(f).end >= bytes.end)
}

/// Whether the code `f` of `text` is what its context says: its check
/// digits hold (`codes`), and
/// - a boleto's typeable line: its three (or four) field check digits are
///   enough (one stretch of digits in a thousand passes them);
/// - a CLABE: its word (key or near), or the order in MX and its first
///   three digits an institution of Banco de México's catalogue (a CLABE
///   has one check digit: one number in ten passes; no Visa, Mastercard or
///   Amex prefix is an institution's code);
/// - a CBU or CVU, a CNPJ: its word, or the order's country (AR, BR): two
///   check digits each (one number in a hundred passes);
/// - a South African or Korean identity number: an identity word (or its
///   own: RRN) or the order's country (ZA, KR): their dates of birth and
///   fixed digits are the independent check; the structure alone is not
///   enough (13-digit Maestro cards written as character references pass a
///   South African number's about 1.5 times in 1,000);
/// - an Aadhaar number: its own word (aadhaar, uidai, kyc): one Verhoeff
///   digit, with a generic `id` or the order's country alone, is too weak;
/// - a Japanese tracking number: a Japanese tracking word or a carrier's
///   name, or a tracking word in an order in JP (one number in seven
///   passes the check);
/// - a Polish NRB or a Hungarian account number: its word (konto,
///   rachunek, nrb; számla, bankszámla) or the order's country (PL, HU):
///   mod 97 passes one number in 97, the Hungarian pair of check digits one
///   in a hundred;
/// - a payment reference with a Luhn check digit (KID, OCR, FIK): its word,
///   for a card at the start of a longer reference written plain (one
///   group of digits: a 20-digit KID whose first 16 are a card's), in an
///   order of any country; never for a number that is itself a card of a
///   brand's length and range (12 to 15 digits in Maestro's ranges
///   included), in any layout, nor for a card after a bracket or after
///   leading zeros, even in a Norwegian, Swedish or Danish order: Luhn holds
///   for every card, "kid" is an everyday word and "OCR" what
///   card-scanning SDKs log (`OCR: 4111...`, `(OCR) 4111...`,
///   `KID: 004111...`).
///
/// A card word wins over all of them (checked before this is asked).
/// `shape` is the window's ambiguous shape (`None` for an unambiguous one);
/// `padded` says it follows leading zeros.
fn code_context(
    f: &codes::Found,
    whole: &Whole<'_>,
    field: &Field<'_>,
    shape: Option<Shape>,
    padded: bool,
) -> bool {
    let text = whole.text;
    use codes::Code;
    if f.code == Code::Boleto {
        return true;
    }
    let key = field.key.unwrap_or("");
    let (before, after) = around(text, &f.bytes);
    let w = words::code_words_in_key(key)
        .union(words::code_words(before))
        .union(words::code_words(after));
    let country = |cc: &[u8; 2]| field.order.is_some_and(|o| o.in_country(cc));
    match f.code {
        Code::Boleto => true,
        Code::Clabe => w.clabe || (country(b"MX") && whole.clabe_bank_at(&f.bytes)),
        Code::Cbu => w.cbu || country(b"AR"),
        Code::Cnpj => w.cnpj || country(b"BR"),
        Code::SaId => w.id || country(b"ZA"),
        Code::Rrn => w.id || w.rrn || country(b"KR"),
        Code::Aadhaar => w.aadhaar,
        Code::JpTracking => w.tracking_jp || (w.tracking && country(b"JP")),
        Code::Nrb => w.account_pl || country(b"PL"),
        Code::HuAccount => w.account_hu || country(b"HU"),
        Code::National(n) => {
            let named = n.named_in(key) || n.named_in(before) || n.named_in(after);
            let of_country = country(&n.country());
            // A card's unambiguous shape needs the number's word, or the
            // order's country with its check digits or an identity word
            // (`national_id`, `ID no.`); an ambiguous one its word or the
            // order's country.
            named || (of_country && (shape.is_some() || n.checked() || w.id))
        }
        Code::LuhnReference => {
            w.reference && !padded && shape == Some(Shape::Glued) && plain(text, f.bytes.clone())
        }
        // Its check digit passes one number in ten: its word (viite,
        // viitenumero) in the key or near, for any shape. The order in
        // Finland is not enough: a card glued to its CVV would pass one
        // time in ten there.
        Code::FiReference => w.fi_reference,
    }
}

/// The most significant digits a program prints for a binary double
/// (IEEE 754 binary64 round-trips through 17).
const MAX_DOUBLE_DIGITS: usize = 17;

/// What [`decide`] reads in the whole of a text (a list of numbers, GS1
/// element strings, its geographic words, every digit in order), worked
/// out once for all the candidates found in it: deciding each then costs
/// the same however long the text, and the scan stays linear however many
/// candidates it holds.
pub(crate) struct Whole<'t> {
    text: &'t str,
    numbers_list: std::cell::OnceCell<bool>,
    gs1_element_strings: std::cell::OnceCell<bool>,
    geo: std::cell::OnceCell<bool>,
    digits: std::cell::OnceCell<Vec<u8>>,
    codes: std::cell::OnceCell<Vec<codes::Found>>,
    emv: std::cell::OnceCell<Vec<codes::Emv>>,
    lone_number: std::cell::OnceCell<bool>,
    refs: std::cell::OnceCell<Vec<refs::Found>>,
    accounts: std::cell::OnceCell<Vec<accounts::Found>>,
    numbers: std::cell::OnceCell<Vec<Number>>,
    card_data: std::cell::OnceCell<bool>,
}

/// One stretch of a text written as a telephone number may be: digits and
/// the characters telephone numbers are written with (blanks, `-`, `.`,
/// brackets, `+`), between any other characters (a letter, `,`, `/`, `;`,
/// `|`): `63 917 123 4567` in `call 63 917 123 4567 / 63 918 765 4321`.
struct Number {
    /// From its first digit to the end of its last.
    bytes: Range<usize>,
    digits: Vec<u8>,
    /// Its digits are one group (nothing between them).
    plain: bool,
}

/// Words naming a card's expiry date or security code (a card's data
/// besides its number), as card forms and notes write them.
const CARD_DATA: &[&str] = &[
    "exp",
    "expiry",
    "expires",
    "expiration",
    "valid",
    "thru",
    "cvv",
    "cvc",
    "cvv2",
    "cvc2",
    "csc",
    "vencimiento",
    "caducidad",
    "validade",
    "vencimento",
    "scadenza",
    "gültig",
    "ablaufdatum",
];

/// Whether `text` holds a card's data besides its number: an expiry date
/// (`12/29`, `12/2029`: a month 01-12, `/`, two or four digits, not inside
/// a longer run of digits) or a word of [`CARD_DATA`].
fn card_data(text: &str) -> bool {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let expiry = (0..b.len()).any(|i| {
        let month = digit(i)
            && digit(i + 1)
            && (i == 0 || !digit(i - 1))
            && matches!((b[i], b[i + 1]), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'));
        month
            && b.get(i + 2) == Some(&b'/')
            && digit(i + 3)
            && digit(i + 4)
            && (!digit(i + 5) || (digit(i + 6) && !digit(i + 7)))
    });
    expiry
        || text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| CARD_DATA.contains(&w.to_lowercase().as_str()))
}

/// The [`Number`]s of `text`, in order.
fn numbers(text: &str) -> Vec<Number> {
    let mut out = Vec::new();
    let mut cur: Option<Number> = None;
    for (at, ch) in text.char_indices() {
        if let Some(v) = super::pan::digit_value(ch) {
            let end = at + ch.len_utf8();
            match cur.as_mut() {
                Some(n) => {
                    n.plain &= n.bytes.end == at;
                    n.bytes.end = end;
                    n.digits.push(v);
                }
                None => {
                    cur = Some(Number {
                        bytes: at..end,
                        digits: vec![v],
                        plain: true,
                    });
                }
            }
        } else if !(ch.is_whitespace() || matches!(ch, '-' | '.' | '(' | ')' | '+')) {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    out
}

impl<'t> Whole<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Whole {
            text,
            numbers_list: std::cell::OnceCell::new(),
            gs1_element_strings: std::cell::OnceCell::new(),
            geo: std::cell::OnceCell::new(),
            digits: std::cell::OnceCell::new(),
            codes: std::cell::OnceCell::new(),
            emv: std::cell::OnceCell::new(),
            lone_number: std::cell::OnceCell::new(),
            refs: std::cell::OnceCell::new(),
            accounts: std::cell::OnceCell::new(),
            numbers: std::cell::OnceCell::new(),
            card_data: std::cell::OnceCell::new(),
        }
    }

    /// Whether the text holds what a card is written with besides its
    /// number ([`card_data`]): then digits beside other numbers are read
    /// as before, not as telephone numbers one after the other.
    fn card_data(&self) -> bool {
        *self.card_data.get_or_init(|| card_data(self.text))
    }

    /// Whether the window at `bytes` lies within telephone numbers: every
    /// [`Number`] of the text it touches (one, or two or more written one
    /// after the other: `63917... / 63918...`) passes `is_phone`, whole.
    fn in_phones(&self, bytes: &Range<usize>, is_phone: impl Fn(&Number) -> bool) -> bool {
        self.phones_touched(bytes, is_phone) > 0
    }

    /// How many [`Number`]s of the text the window at `bytes` touches, when
    /// every one passes `is_phone`, whole (0 otherwise, and in a text
    /// holding a card's data: [`Whole::card_data`]).
    fn phones_touched(&self, bytes: &Range<usize>, is_phone: impl Fn(&Number) -> bool) -> usize {
        if self.card_data() {
            return 0;
        }
        let numbers = self.numbers.get_or_init(|| numbers(self.text));
        let from = numbers.partition_point(|n| n.bytes.end <= bytes.start);
        let touched = &numbers[from..];
        let count = touched
            .iter()
            .take_while(|n| n.bytes.start < bytes.end)
            .count();
        if touched[..count].iter().all(is_phone) {
            count
        } else {
            0
        }
    }

    /// The digits of the [`Number`] that holds the window at `bytes` whole,
    /// when one does.
    fn number_holding(&self, bytes: &Range<usize>) -> Option<&[u8]> {
        if self.card_data() {
            return None;
        }
        let numbers = self.numbers.get_or_init(|| numbers(self.text));
        let at = numbers.partition_point(|n| n.bytes.end <= bytes.start);
        numbers
            .get(at)
            .filter(|n| n.bytes.start <= bytes.start && bytes.end <= n.bytes.end)
            .map(|n| &n.digits[..])
    }

    /// The bank accounts and acquirer references of the text holding the
    /// window at `bytes` ([`accounts::find`]: each longer than any card).
    /// For an unambiguous shape (`!ambiguous`), only the ones of more
    /// characters than the window (`window`).
    fn accounts_over<'s>(
        &'s self,
        bytes: &Range<usize>,
        window: usize,
        ambiguous: bool,
    ) -> impl Iterator<Item = &'s accounts::Found> + 's {
        let found = self.accounts.get_or_init(|| accounts::find(self.text));
        covering(found, |f| &f.bytes, bytes).filter(move |f| ambiguous || f.chars > window)
    }

    /// Whether the window at `bytes` lies inside a bank account or acquirer
    /// reference whose checks hold and whose context names it
    /// ([`accounts::lowers`]).
    fn in_account(
        &self,
        bytes: &Range<usize>,
        window: usize,
        field: &Field<'_>,
        ambiguous: bool,
    ) -> bool {
        self.accounts_over(bytes, window, ambiguous)
            .any(|f| accounts::lowers(f, self.text, field))
    }

    /// The reference numbers of the text ([`refs::find`]), sorted by their
    /// start.
    fn refs(&self) -> &[refs::Found] {
        self.refs
            .get_or_init(|| refs::find(self.text, today_number()))
    }

    /// The reference numbers of the text holding the window at `bytes`
    /// (`window` digits) and more digits besides when `longer`.
    fn refs_over<'s>(
        &'s self,
        bytes: &Range<usize>,
        window: usize,
        longer: bool,
    ) -> impl Iterator<Item = &'s refs::Found> + 's {
        covering(self.refs(), |f| &f.bytes, bytes).filter(move |f| {
            !longer || f.digits > window || f.kind.prefixed() || f.kind.whole_by_context()
        })
    }

    /// Whether the window at `bytes` (`window` digits) lies inside a
    /// reference number whose structure holds and whose context says it is
    /// that reference ([`refs::lowers`]); `shape` is the window's
    /// ambiguous shape, `None` for an unambiguous one, which only a
    /// reference of more digits than the window, one whose digits are
    /// glued to its own letters ([`refs::Ref::prefixed`]), or one that its
    /// context names as a whole ([`refs::Ref::whole_by_context`]) holds.
    fn in_ref(
        &self,
        bytes: &Range<usize>,
        window: usize,
        field: &Field<'_>,
        shape: Option<Shape>,
    ) -> bool {
        self.refs_over(bytes, window, shape.is_none())
            .any(|f| refs::lowers(f, self.text, field, shape))
    }

    /// The codes of the text ([`codes::find`]), sorted by their start.
    fn codes(&self) -> &[codes::Found] {
        self.codes.get_or_init(|| codes::find(self.text))
    }

    /// Whether the window at `bytes` lies inside a code of the text whose
    /// check digits hold and whose context says it is that code
    /// ([`code_context`]); `shape` is the window's ambiguous shape (`None`
    /// for an unambiguous one), `padded` says it follows leading zeros.
    fn in_code(
        &self,
        bytes: &Range<usize>,
        field: &Field<'_>,
        shape: Option<Shape>,
        padded: bool,
    ) -> bool {
        covering(self.codes(), |f| &f.bytes, bytes)
            .any(|f| code_context(f, self, field, shape, padded))
    }

    /// Whether the window at `bytes` lies inside a code of the text whose
    /// check digits hold, whatever its context.
    fn code_over(&self, bytes: &Range<usize>) -> bool {
        covering(self.codes(), |f| &f.bytes, bytes).next().is_some()
    }

    /// Where the EMV QR payload holding the window at `bytes` starts, when
    /// the window lies inside one whose CRC holds: an ambiguous shape
    /// anywhere in it, an unambiguous one only across its elements (a
    /// card's shape inside one element's value is that value's, and stays
    /// a card).
    pub(crate) fn emv_at(&self, bytes: &Range<usize>, ambiguous: bool) -> Option<usize> {
        let payloads = self.emv.get_or_init(|| codes::emv_payloads(self.text));
        // In order and apart: only the last payload starting at or before
        // the window can hold it (found without reading the others, so a
        // text of many payloads and many windows is still read in linear
        // time).
        let p = payloads.get(
            payloads
                .partition_point(|p| p.bytes.start <= bytes.start)
                .checked_sub(1)?,
        )?;
        (bytes.end <= p.bytes.end
            && (ambiguous
                || !p
                    .leaves
                    .iter()
                    .any(|l| l.start <= bytes.start && bytes.end <= l.end)))
        .then_some(p.bytes.start)
    }

    /// Whether the code at `bytes` starts with a CLABE institution code
    /// ([`codes::clabe_bank`]).
    fn clabe_bank_at(&self, bytes: &Range<usize>) -> bool {
        let digits: Vec<u8> = self
            .text
            .get(bytes.clone())
            .unwrap_or("")
            .chars()
            .filter_map(super::pan::digit_value)
            .take(3)
            .collect();
        codes::clabe_bank(&digits)
    }

    /// Whether the text, trimmed, is one decimal number and nothing else
    /// (`0.41234567890123456`, `-12,5`, `1.5e-7`): a number written as
    /// text.
    fn lone_number(&self) -> bool {
        *self.lone_number.get_or_init(|| lone_number(self.text))
    }

    /// Whether the number's significant digits (its mantissa's digits past
    /// leading zeros, in a value that is one number: `4.111...1E15`,
    /// `4.111...1e-3`; the text's digits otherwise) are `window` and then
    /// zeros only: a card times a power of ten.
    fn significant_is(&self, window: &[u8]) -> bool {
        self.significant()
            .strip_prefix(window)
            .is_some_and(|rest| rest.iter().all(|&d| d == 0))
    }

    /// The significant digits of the value: past leading zeros, and only
    /// the mantissa's when the value is one number with an exponent (the
    /// exponent's digits say where the point goes, not what the number
    /// holds).
    fn significant(&self) -> &[u8] {
        let held = self.held();
        let digits = if self.lone_number() {
            let t = self.text.trim();
            let exponent = t.find(['e', 'E']).map_or(0, |at| {
                t[at..]
                    .chars()
                    .filter(|&ch| super::pan::digit_value(ch).is_some())
                    .count()
            });
            &held[..held.len() - exponent]
        } else {
            held
        };
        let from = digits.iter().take_while(|&&d| d == 0).count();
        &digits[from..]
    }

    /// Whether the value, one number, is what a program prints for a
    /// binary double: a decimal point (not a comma) and at most 17
    /// significant digits (IEEE 754's round trip needs no more, so no
    /// shortest or `%.17g` printing writes more). A number with a decimal
    /// comma (`3,4111...`) or more digits (`12.4111...1111`) was not
    /// printed from a double: its fraction is not a double's precision.
    fn printed_double(&self) -> bool {
        let t = self.text.trim();
        let mantissa = t.find(['e', 'E']).map_or(t, |at| &t[..at]);
        !mantissa.contains(',') && self.significant().len() <= MAX_DOUBLE_DIGITS
    }

    fn numbers_list(&self) -> bool {
        *self.numbers_list.get_or_init(|| numbers_list(self.text))
    }

    fn gs1_element_strings(&self) -> bool {
        *self
            .gs1_element_strings
            .get_or_init(|| gs1_element_strings(self.text))
    }

    fn geo(&self) -> bool {
        *self.geo.get_or_init(|| words::lowering(self.text).geo)
    }

    /// Whether `digits` are all the digits the text holds, in order: the
    /// value is that number and nothing else (a telephone field holding a
    /// telephone number, not a note that also holds one).
    fn whole_value(&self, digits: &[u8]) -> bool {
        self.held() == digits
    }

    /// As [`Whole::whole_value`], for the digits of `c`'s whole group, with
    /// the `00` it was dialled after (`0063917...`) when it was.
    fn whole_number(&self, c: &Candidate<'_>) -> bool {
        match self.held() {
            [0, 0, rest @ ..] if c.after_00 => rest == c.around,
            held => !c.after_00 && held == c.around,
        }
    }

    /// Whether all the digits the text holds are a USPS tracking number
    /// ([`usps_tracking`]) written as one ([`written_as_tracking`]): the
    /// value is one (`9400 6853 8989 3767 8237 37`), not digits of other
    /// scripts or behind letters that only add up to one's length and
    /// check digit around a card.
    fn usps_tracking(&self) -> bool {
        usps_tracking(self.held()) && written_as_tracking(self.text)
    }

    /// Whether the text holds a letter of any script.
    fn has_letters(&self) -> bool {
        self.text.chars().any(char::is_alphabetic)
    }

    fn held(&self) -> &[u8] {
        self.digits.get_or_init(|| {
            self.text
                .chars()
                .filter_map(super::pan::digit_value)
                .collect()
        })
    }
}

/// Whether `c`, found in `text` (the original string of a field described
/// by `field`), is a card: `Some(rule)` when it is.
#[cfg(test)]
pub(crate) fn decide(c: &Candidate<'_>, text: &str, field: &Field<'_>) -> Option<Rule> {
    decide_in(c, &Whole::new(text), field)
}

/// As [`decide`], with what the whole text tells worked out once: first
/// what decides every shape (a loyalty programme named, an EMV QR payload,
/// a card word, a reference, code or account whose checks hold), then
/// what lowers the candidate's own shape ([`Ambiguous`]).
pub(crate) fn decide_in(c: &Candidate<'_>, whole: &Whole<'_>, field: &Field<'_>) -> Option<Rule> {
    let text = whole.text;
    let (before, after) = around(text, &c.bytes);
    let key = field.key.unwrap_or("");
    // A private-label loyalty number in its context ([`iins`]).
    if let Some(names) = iins::programme(c.around) {
        if iins::named(&[key, before, after], names) {
            return None;
        }
    }
    // Inside an EMV QR payload whose CRC holds: its bytes are no words, so
    // a card word counts in the key or before the payload only.
    if let Some(start) = whole.emv_at(&c.bytes, true) {
        return raised(text, start, field).then_some(Rule::RaisingWord);
    }
    if words::raises(key) || words::raises(before) {
        return Some(Rule::RaisingWord);
    }
    let lowering = words::lowering_in_key(key)
        .union(words::lowering(before))
        .union(words::lowering(after));
    // Inside an order id written as Amazon writes them, in a transaction
    // id or with an order word ([`amazon_order_layout`]).
    if (field.kind == Kind::Order || lowering.order) && amazon_order_layout(text, c.bytes.clone()) {
        return None;
    }
    // Inside a payment reference or identity number whose own check
    // digits hold and whose context names it ([`code_context`]).
    if whole.in_code(&c.bytes, field, Some(c.shape), c.padded) {
        return None;
    }
    // Inside a reference number whose structure holds and whose context
    // names it ([`refs::lowers`]).
    if whole.in_ref(&c.bytes, c.window.len(), field, Some(c.shape)) {
        return None;
    }
    // Inside a bank account or acquirer reference whose checks hold and
    // whose context names it ([`accounts::lowers`]).
    if whole.in_account(&c.bytes, c.window.len(), field, true) {
        return None;
    }
    let a = Ambiguous {
        c,
        whole,
        field,
        text,
        phone_context: field.kind == Kind::Phone || lowering.phone,
        lowering,
    };
    let lowered = match c.shape {
        Shape::Short => a.short_lowered(),
        // E.164 allows at most 15 digits after `+`; test data and new ranges
        // are not always in libphonenumber's metadata, so any such number is
        // a telephone number unless a card word raised it (above).
        Shape::AfterPlus => true,
        Shape::Glued => a.glued_lowered(),
        Shape::Decimal => a.decimal_lowered(),
        Shape::Bracketed => whole.gs1_element_strings(),
        Shape::Scientific | Shape::Rounded => a.double_lowered(),
    };
    (!lowered).then_some(Rule::Unexplained(c.shape))
}

/// An ambiguous candidate that no word raised and no checked reference
/// lowered, with its context: what lowers it depends on its shape.
struct Ambiguous<'c, 'w> {
    c: &'c Candidate<'c>,
    whole: &'w Whole<'w>,
    field: &'c Field<'c>,
    text: &'w str,
    /// The words in the key and around the candidate that lower.
    lowering: words::Lowering,
    /// A telephone field, or a telephone word in the key or near.
    phone_context: bool,
}

impl Ambiguous<'_, '_> {
    /// A cart item id holding this code and nothing else (its digits and
    /// no letters: an id that is a sentence around the digits is no
    /// GTIN). A cart item id is a GTIN (8 to 14 digits), never an SSCC.
    fn item_is_code(&self) -> bool {
        self.field.kind == Kind::Gtin && !self.whole.has_letters()
    }

    /// A GTIN's context: a code word, or a cart item id that is the code.
    fn gtin_context(&self) -> bool {
        let c = self.c;
        !c.padded
            && (self.lowering.code
                || (c.around.len() <= 14
                    && self.whole.whole_value(c.around)
                    && self.item_is_code()))
    }

    /// A GS1 element string as scanned (`00` + SSCC, `01` + GTIN, then more
    /// application identifiers, one run of digits) is what a cart item's id
    /// or a code word's value holds; its `00` is the SSCC's identifier, not
    /// padding. A card printed in groups after an expiry (`0128` + `4111
    /// 1111 ...`) is no scan.
    fn element_string(&self) -> bool {
        let c = self.c;
        (self.lowering.code || self.item_is_code())
            && self.whole.whole_value(c.around)
            && plain(self.text, c.bytes.clone())
            && gs1_element_digits(c.around)
            // `0` + a 15-digit card starting with 1 (UATP) has the digits of
            // `01` + a GTIN-14: zero padding, which a GS1 check does not clear.
            && !(c.padded && c.around.len() == 16)
    }

    /// After `00` in a telephone field or next to a telephone word, a length
    /// the country's plan allows is enough (test data and new ranges are not
    /// always in the metadata); after `00` alone, the number must be valid:
    /// a card of 12-15 digits after two zeros has a possible length for some
    /// country code far more often than it is a valid number.
    fn phone(&self, d: &[u8]) -> bool {
        let c = self.c;
        phone_valid(d)
            || (c.shape == Shape::AfterPlus || (c.after_00 && self.phone_context))
                && phone_possible(d)
    }

    /// A telephone number with no telephone word or field: the value holds
    /// this number's digits and nothing else, libphonenumber's metadata says
    /// it is a valid number of its country code, and it is written as one
    /// (the country code apart, [`written_as_phone`]), not as a card. What
    /// this costs in recall is measured in `docs/detection.md` (short Maestro
    /// cards in random groups alone in a text field).
    fn lone_phone(&self) -> bool {
        let c = self.c;
        self.whole.whole_value(c.around) && written_as_phone(self.text, c.bytes.start, c.around)
    }

    /// A telephone number of the request's own order, written plain: the
    /// value's digits are this number and no others, written as one group
    /// (written with its country code apart it is one in any order,
    /// `lone_phone`; in a card's groups or any other grouping it stays a
    /// card), and it is a valid number of a country the request names for
    /// its order ([`Order::holds`]). What this costs in recall is measured
    /// in `docs/detection.md` (12-15-digit Maestro cards that are valid
    /// numbers of the order's country, alone in a value).
    fn order_phone(&self) -> bool {
        let c = self.c;
        self.field.order.is_some_and(|o| {
            c.window.len() == c.around.len()
                && self.whole.whole_value(c.around)
                && plain(self.text, c.bytes.clone())
                && o.holds(c.around)
        })
    }

    /// Telephone numbers of the request's own order written one after the
    /// other in one value (`pls call 639171234567 or 639181234567`, `gate 2,
    /// ring 639171234567`): each number the window touches (`least` of them
    /// at least) is written plain and is a valid number of a country the
    /// request names for its order ([`Order::holds`]), as `order_phone` asks
    /// of a number alone in its value. What this costs in recall is
    /// measured in `docs/detection.md`.
    fn order_phones(&self, least: usize) -> bool {
        self.field.order.is_some_and(|o| {
            self.whole
                .phones_touched(&self.c.bytes, |n| n.plain && o.holds(&n.digits))
                >= least
        })
    }

    /// A short Maestro window ([`Shape::Short`]).
    fn short_lowered(&self) -> bool {
        let (c, whole, phone_context) = (self.c, self.whole, self.phone_context);
        // Inside a USPS tracking number, whatever its grouping: its own GS1
        // check digit and its channel identifier (9x, which no short Maestro
        // window starts with, so the window is inside it) say what the
        // digits are.
        whole.usps_tracking()
            || (phone_context && whole.whole_value(c.around) && phone_valid(c.around))
            || (phone_context && whole.whole_value(c.window) && phone_valid(c.window))
            || (phone_context && whole.in_phones(&c.bytes, |n| phone_valid(&n.digits)))
            || self.order_phones(1)
            || (self.gtin_context() && gs1_code(c.around))
            || self.lone_phone()
            || self.order_phone()
            || (phone_context
                && whole.whole_value(c.around)
                && phone_possible(c.around)
                && phone_layout(self.text, c.bytes.start, c.around))
    }

    /// A card glued to more digits ([`Shape::Glued`]).
    fn glued_lowered(&self) -> bool {
        let (c, whole, phone_context) = (self.c, self.whole, self.phone_context);
        ((phone_context || c.after_00) && whole.whole_number(c) && self.phone(c.around))
            || (phone_context && whole.in_phones(&c.bytes, |n| phone_valid(&n.digits)))
            // A window across two numbers or more (`4534123456,
            // 4587654321`); a card glued to more digits inside one
            // number is not lowered by the order.
            || self.order_phones(2)
            || impb(c.around)
            || chinese_id(c.around, self.text, c.bytes.clone())
            || (self.gtin_context() && gs1_code(c.around))
            || self.element_string()
            || whole.gs1_element_strings()
    }

    /// A card divided by a power of ten is a decimal too
    /// ([`Shape::Decimal`]): a decimal is lowered by its words (a
    /// coordinate, a time, a quantity), as one of a list of numbers, or as
    /// a number (a JSON number, a custom input typed `number`, a value that
    /// is one number) printed as programs print doubles
    /// ([`Whole::printed_double`]) whose significant digits are more than
    /// the window: its fraction digits are the number's precision. A number
    /// whose significant digits (the mantissa's, whatever the exponent) are
    /// the card and zeros is the card times a power of ten, and stays a
    /// card; so does a card after `N,` or after more digits than a double
    /// prints.
    fn decimal_lowered(&self) -> bool {
        let (c, whole, lowering) = (self.c, self.whole, &self.lowering);
        whole.numbers_list()
            || lowering.geo
            || lowering.time
            || lowering.quantity
            || ((self.field.kind == Kind::Number || whole.lone_number())
                && whole.printed_double()
                && !whole.significant_is(c.window))
            || (whole.geo() && numbers_list(list_around(self.text, c.bytes.clone())))
            || coordinate_pair(list_around(self.text, c.bytes.clone()))
    }

    /// A double of a card's size in scientific notation
    /// ([`Shape::Scientific`], [`Shape::Rounded`]) is no amount, coordinate
    /// or measurement a shop sends: a coordinate, time or quantity word
    /// lowers it (a card word raised it before), and so does a telephone
    /// field or word when the digits are a valid telephone number (a
    /// spreadsheet prints telephone numbers so). With its last digit lost it
    /// is whatever number of that size the context names: an id in a
    /// transaction, session or cart item id, or next to an order, code or
    /// tracking word (a spreadsheet's import of order ids); otherwise a
    /// card.
    fn double_lowered(&self) -> bool {
        let (c, lowering) = (self.c, &self.lowering);
        lowering.geo
            || lowering.time
            || lowering.quantity
            || (self.phone_context && phone_valid(c.window))
            || (c.shape == Shape::Rounded
                && (matches!(self.field.kind, Kind::Order | Kind::Session | Kind::Gtin)
                    || lowering.order
                    || lowering.code))
    }
}

/// Whether an **unambiguous** card shape, `window` at `bytes` of `text`, is
/// a card: `Some(Rule::CardShape)` unless both a lowering context and an
/// independent check say it is something else. One such pair is a USPS
/// tracking number ([`usps_tracking`]: all the value's digits, with their
/// GS1 check digit) in a cart item's id or with a code word (tracking,
/// usps, ...) in the key or near. Another is an Amazon order id's layout,
/// `###-#######-#######` ([`amazon_order_layout`]), in a transaction id or
/// with an order word. The last is a
/// Chinese resident identity number, the whole value's digits, with its
/// ISO 7064 MOD 11-2 check character: with a national-identity word in the
/// key or next to the digits (身份证, `id_number`, ID no.), GB 11643's
/// structure (a province code, a plausible date of birth) is enough;
/// without one, every part must hold (a region code GB/T 2260 has held, a
/// real date of birth of someone living: [`chinese_id_whole`]). A card word
/// wins over both. What this costs in recall is measured in
/// `docs/detection.md` (with the word, about 7 in 100,000 18-digit cards of
/// the ranges a province code starts; without it, under 1 in 1,000,000).
pub(crate) fn decide_unambiguous(
    window: &[u8],
    bytes: Range<usize>,
    whole: &Whole<'_>,
    field: &Field<'_>,
) -> Option<Rule> {
    let text = whole.text;
    // A private-label loyalty number, written plain, in its context
    // ([`iins`]).
    if let Some(names) = iins::programme(window) {
        let (before, after) = around(text, &bytes);
        if plain(text, bytes.clone())
            && iins::named(&[field.key.unwrap_or(""), before, after], names)
        {
            return None;
        }
    }
    let suspects = Suspects::of(window, &bytes, whole, field);
    if suspects.none() {
        return Some(Rule::CardShape);
    }
    suspects.decide(window, bytes, whole, field)
}

/// What may make an unambiguous card shape something else, each found
/// by arithmetic or layout alone (almost every card fails them all);
/// context then decides ([`Suspects::decide`]).
struct Suspects {
    chinese: bool,
    usps: bool,
    order_id: bool,
    phone_shape: bool,
    phones_across: bool,
    emv: Option<usize>,
    gtin: bool,
    coded: bool,
    referenced: bool,
    account: bool,
}

impl Suspects {
    fn of(window: &[u8], bytes: &Range<usize>, whole: &Whole<'_>, field: &Field<'_>) -> Suspects {
        let text = whole.text;
        let chinese = matches!(window.len(), 17 | 18) && chinese_id(window, text, bytes.clone());
        // Inside the tracking number, never its start: cards of 16 digits
        // start 9112, 9360 (and so a card glued to more digits would be the
        // start of a USPS-shaped number).
        let usps = !chinese && whole.usps_tracking() && !whole.held().starts_with(window);
        let order_id = !chinese && !usps && amazon_order_layout(text, bytes.clone());
        // The value's digits are this number and nothing else, or the number
        // is one of several written one after the other (`49151... /
        // 49160...`: [`Number`]), of a length a telephone number may have.
        let phone_shape = (8..=15).contains(&window.len())
            && (whole.whole_value(window) || whole.number_holding(bytes) == Some(window));
        // Or it spans more than one such number, in an order that names a
        // country.
        let phones_across = field.order.is_some_and(|o| !o.is_empty())
            && !whole.card_data()
            && !phone_shape
            && whole.number_holding(bytes).is_none()
            && !whole.whole_value(window);
        let emv = whole.emv_at(bytes, false);
        // A cart item's id that is this number alone, written plain, of a
        // GTIN-13's or GTIN-14's length, with its GS1 check digit: an EAN
        // barcode's number (the 13-digit GTINs of Germany's, Japan's and
        // Russia's prefixes 40-49 start as Visa cards do).
        let gtin = field.kind == Kind::Gtin
            && matches!(window.len(), 13 | 14)
            && !whole.has_letters()
            && whole.whole_value(window)
            && plain(text, bytes.clone())
            && gs1_valid(window);
        let coded = whole.code_over(bytes);
        // Inside a longer reference number (never the whole of one).
        let referenced = whole.refs_over(bytes, window.len(), true).next().is_some();
        // Inside a bank account or acquirer reference (each longer than any
        // card).
        let account = whole
            .accounts_over(bytes, window.len(), false)
            .next()
            .is_some();
        Suspects {
            chinese,
            usps,
            order_id,
            phone_shape,
            phones_across,
            emv,
            gtin,
            coded,
            referenced,
            account,
        }
    }

    /// Whether nothing makes the shape a suspect.
    fn none(&self) -> bool {
        !self.chinese
            && !self.usps
            && !self.order_id
            && !self.phone_shape
            && !self.phones_across
            && self.emv.is_none()
            && !self.coded
            && !self.referenced
            && !self.account
            && !self.gtin
    }

    /// Whether context makes the suspect shape something else: `None`
    /// when it does, `Some(Rule::CardShape)` when it stays a card.
    fn decide(
        &self,
        window: &[u8],
        bytes: Range<usize>,
        whole: &Whole<'_>,
        field: &Field<'_>,
    ) -> Option<Rule> {
        let text = whole.text;
        // Across the elements of an EMV QR payload whose CRC holds: a card word
        // counts in the key or before the payload only (its bytes are no
        // words).
        if let Some(start) = self.emv {
            return raised(text, start, field).then_some(Rule::CardShape);
        }
        let key = field.key.unwrap_or("");
        let before = words::window_before(text, bytes.start, WORDS_BEFORE);
        if words::raises(key) || words::raises(before) {
            return Some(Rule::CardShape);
        }
        // A GTIN in a cart item's id: the field's type and GS1's check digit.
        // What this costs in recall is measured in `docs/detection.md` (13-
        // and 14-digit cards alone in a cart item id pass GS1's check one in
        // ten).
        if self.gtin {
            return None;
        }
        // Inside a payment reference or identity number whose check digits
        // hold and whose context names it ([`code_context`]).
        if self.coded && whole.in_code(&bytes, field, None, false) {
            return None;
        }
        // Inside a longer reference number whose structure holds and whose
        // context names it ([`refs::lowers`]): the window is a part of the
        // reference, not a card layout by itself.
        if self.referenced && whole.in_ref(&bytes, window.len(), field, None) {
            return None;
        }
        // Inside a bank account or acquirer reference whose checks hold and
        // whose context names it ([`accounts::lowers`]): the window is a part
        // of it, not a card layout by itself.
        if self.account && whole.in_account(&bytes, window.len(), field, false) {
            return None;
        }
        let after = words::window_after(text, bytes.end, WORDS_AFTER);
        let lowering = words::lowering_in_key(key)
            .union(words::lowering(before))
            .union(words::lowering(after));
        // A telephone number with its country code and no `+`, in a telephone
        // field or next to a telephone word: libphonenumber's metadata says it
        // is a valid number of a country the request names for its order
        // ([`Order::holds_by_country`]), or it is written as telephone numbers
        // are and cards are not, the country code as a group of its own and
        // the national number in telephone groups ([`written_as_phone`]:
        // `49 151 12345678`, `49-151-12345678`). Written plain in a request
        // that names no country, it stays a card. What this costs in recall is
        // measured in `docs/detection.md` (13-digit Visa numbers that are
        // valid German, Austrian or Swedish numbers, in a telephone field of
        // such an order).
        if self.phone_shape
            && (field.kind == Kind::Phone || lowering.phone)
            && (field.order.is_some_and(|o| o.holds_by_country(window))
                || written_as_phone(text, bytes.start, window))
        {
            return None;
        }
        // Across two or more telephone numbers written one after the other in
        // a telephone field or next to a telephone word (`4915112345678,
        // 4916087654321`): each number it touches is a valid number of a
        // country the request names for its order.
        if self.phones_across
            && (field.kind == Kind::Phone || lowering.phone)
            && field
                .order
                .is_some_and(|o| whole.in_phones(&bytes, |n| o.holds_by_country(&n.digits)))
        {
            return None;
        }
        if !self.chinese && !self.usps && !self.order_id {
            return Some(Rule::CardShape);
        }
        if self.order_id {
            // Written `###-#######-#######`, the layout of Amazon's order ids,
            // which no card brand prints, in a transaction id or with an order
            // word. What this costs in recall is measured in `docs/detection.md`.
            let lowered = field.kind == Kind::Order || lowering.order;
            return (!lowered).then_some(Rule::CardShape);
        }
        if self.usps {
            // A card-shaped window inside a USPS tracking number: lowered only
            // with a code's field or word as well (a cart item's id; tracking,
            // usps, barcode, ...), since one number in ten passes GS1's check.
            // What this costs in recall is measured in `docs/detection.md`.
            let lowered = (field.kind == Kind::Gtin && !whole.has_letters()) || lowering.code;
            return (!lowered).then_some(Rule::CardShape);
        }
        let id_context = lowering.id;
        // Without an identity word, every part of the number must hold: a
        // region code GB/T 2260 has held and a real date of birth of someone
        // living. What this costs in recall is measured in `docs/detection.md`.
        let lowered = whole.whole_value(window) && (id_context || chinese_id_whole(window));
        (!lowered).then_some(Rule::CardShape)
    }
}

/// Whether a code word ([`words::Lowering::code`]: `imei`, `iccid`,
/// `tracking`, ...) is in `field`'s key or near `bytes` of `text`, and no
/// card word is in the key or before them.
pub(crate) fn code_named(text: &str, bytes: &Range<usize>, field: &Field<'_>) -> bool {
    let key = field.key.unwrap_or("");
    let before = words::window_before(text, bytes.start, WORDS_BEFORE);
    let after = words::window_after(text, bytes.end, WORDS_AFTER);
    !raised(text, bytes.start, field)
        && words::lowering_in_key(key)
            .union(words::lowering(before))
            .union(words::lowering(after))
            .code
}

/// Whether a card word is in `field`'s key or just before byte `at` of
/// `text`.
pub(crate) fn raised(text: &str, at: usize, field: &Field<'_>) -> bool {
    words::raises(field.key.unwrap_or(""))
        || words::raises(words::window_before(text, at, WORDS_BEFORE))
}

// === Telephone numbers ===

/// Whether `digits` (a country code and national number) are a valid
/// telephone number by libphonenumber's metadata, written in E.164: the
/// country code and the national number and nothing else (a national
/// trunk prefix after the country code, `63 0...`, which the parser would
/// drop, is not E.164).
pub(crate) fn phone_valid(digits: &[u8]) -> bool {
    phone_e164(digits).is_some()
}

/// `digits` parsed as a telephone number in E.164, when libphonenumber's
/// metadata says it is a valid one and the parser kept every digit (no
/// trunk prefix dropped).
fn phone_e164(digits: &[u8]) -> Option<phonenumber::PhoneNumber> {
    if !(8..=15).contains(&digits.len()) || digits[0] == 0 {
        return None;
    }
    let mut e164 = String::with_capacity(digits.len() + 1);
    e164.push('+');
    e164.extend(digits.iter().map(|&d| char::from(b'0' + d)));
    let n = phonenumber::parse(None, &e164).ok()?;
    if !phonenumber::is_valid(&n) {
        return None;
    }
    let code = n.code().value().to_string();
    let national = n.national();
    let nsn = format!(
        "{}{}",
        "0".repeat(usize::from(national.zeros())),
        national.value()
    );
    (e164[1..].strip_prefix(code.as_str()) == Some(nsn.as_str())).then_some(n)
}

/// Whether the bytes `bytes` of `text` are digits only (of any script): a
/// number written plain, as one group.
fn plain(text: &str, bytes: Range<usize>) -> bool {
    text.get(bytes)
        .is_some_and(|w| w.chars().all(|ch| super::pan::digit_value(ch).is_some()))
}

/// Whether `digits`, whose first digit is at byte `start` of `text`, are a
/// valid telephone number ([`phone_valid`]) written as telephone numbers
/// are and cards are not: the country code (by the metadata) as a group of
/// its own, then the national number whole (`63 9171234567`) or in
/// telephone groups (`63 917 123 4567`, `(63) 917-123-4567`), with one kind
/// of separator (a space, `-` or `.`) between the groups of the national
/// number. Written plain, or with a first group that is not the country
/// code (`6390 5123 4567`, as cards are printed), the digits stay a card.
fn written_as_phone(text: &str, start: usize, digits: &[u8]) -> bool {
    phone_e164(digits).is_some() && phone_layout(text, start, digits)
}

/// Whether `digits` (a country code and national number), whose first
/// digit is at byte `start` of `text`, are written in a telephone layout
/// ([`written_as_phone`]), whether or not the number is valid.
fn phone_layout(text: &str, start: usize, digits: &[u8]) -> bool {
    let mut e164 = String::with_capacity(digits.len() + 1);
    e164.push('+');
    e164.extend(digits.iter().map(|&d| char::from(b'0' + d)));
    let Ok(n) = phonenumber::parse(None, &e164) else {
        return false;
    };
    let code = n.code().value().to_string().len();
    // The groups of digits as written, and the separators between them.
    let mut groups: Vec<usize> = Vec::new();
    let mut gaps: Vec<String> = Vec::new();
    let mut gap = String::new();
    let mut count = 0;
    let mut in_group = false;
    for ch in text.get(start..).unwrap_or("").chars() {
        if count == digits.len() && super::pan::digit_value(ch).is_none() {
            break;
        }
        if super::pan::digit_value(ch).is_some() {
            if !in_group {
                if !groups.is_empty() {
                    gaps.push(std::mem::take(&mut gap));
                }
                groups.push(0);
                in_group = true;
            }
            *groups.last_mut().unwrap_or(&mut 0) += 1;
            count += 1;
        } else {
            in_group = false;
            gap.push(ch);
            if gap.chars().count() > 2 {
                return false;
            }
        }
    }
    if count != digits.len() || groups.first() != Some(&code) || groups.len() < 2 {
        return false;
    }
    // After the country code: ` `, `-`, `.` or `) ` (`(63) 917...`).
    let first_gap_ok = matches!(gaps[0].as_str(), " " | "-" | "." | ") " | ")");
    let rest_gaps_ok = gaps[1..]
        .iter()
        .all(|g| matches!(g.as_str(), " " | "-" | ".") && *g == gaps[1]);
    if !(first_gap_ok && rest_gaps_ok) {
        return false;
    }
    // The national number whole, or in the groups people type telephone
    // numbers in (libphonenumber's own, `917 123 4567`, `812-3456-7890`,
    // `300 1234567`, `9 6123 4567`, a German mobile's `151 12345678`):
    // groups of one to four digits and a last one of two to eight.
    let nsn = &groups[1..];
    nsn.len() == 1
        || (nsn[..nsn.len() - 1].iter().all(|&g| (1..=4).contains(&g))
            && nsn.last().is_some_and(|&g| (2..=8).contains(&g)))
}

/// Whether `digits` (a country code and national number, as written after
/// `+` or `00`) have a length the country's numbering plan allows, by
/// libphonenumber's metadata: the test for a number written as
/// international, which test data and new ranges may pass without being
/// assigned.
pub(crate) fn phone_possible(digits: &[u8]) -> bool {
    if !(8..=15).contains(&digits.len()) || digits[0] == 0 {
        return false;
    }
    let mut e164 = String::with_capacity(digits.len() + 1);
    e164.push('+');
    e164.extend(digits.iter().map(|&d| char::from(b'0' + d)));
    let Ok(n) = phonenumber::parse(None, &e164) else {
        return false;
    };
    let code = n.code().value();
    let national = digits.len() - code.to_string().len();
    phonenumber::metadata::DATABASE
        .by_code(&code)
        .is_some_and(|metas| {
            let national = u16::try_from(national).unwrap_or(0);
            metas.iter().any(|m| {
                let d = m.descriptors();
                [Some(d.general()), d.fixed_line(), d.mobile()]
                    .into_iter()
                    .flatten()
                    .any(|desc| desc.possible_length().contains(&national))
            })
        })
}

// === Other check digits ===

/// The GS1 mod-10 check (weights 3 and 1 from the right, the check digit
/// last) over `digits`.
pub(crate) fn gs1_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 1 { 3 } else { 1 })
        .sum();
    digits.len() >= 8 && sum.is_multiple_of(10)
}

/// Whether `digits` are a GS1 code: a GTIN-8, -12, -13 or -14 or an SSCC-18
/// with its check digit.
fn gs1_code(digits: &[u8]) -> bool {
    matches!(digits.len(), 8 | 12 | 13 | 14 | 18) && gs1_valid(digits)
}

/// Whether `digits` are a GS1 element string as a scanner sends it, without
/// brackets: `00` and an SSCC alone, or `01` and a GTIN-14 then nothing or
/// further application identifiers ([`gs1_further`]), with the GS1 check
/// digit. An SSCC whose extension digit is `0` is not taken: three zeros
/// before a card are zero padding.
fn gs1_element_digits(digits: &[u8]) -> bool {
    match digits {
        [0, 0, rest @ ..] => rest.len() == 18 && rest[0] != 0 && gs1_valid(rest),
        [0, 1, rest @ ..] => rest.len() >= 14 && gs1_valid(&rest[..14]) && gs1_further(&rest[14..]),
        _ => false,
    }
}

/// Whether `digits` (what follows an SSCC or a GTIN in a GS1 element string)
/// are application identifiers with their values (GS1 General
/// Specifications, section 3): dates `11`, `13`, `15`, `17` (YYMMDD, a month
/// 1-12), a count `30` or `37` (up to 8 digits), a batch `10` or serial `21`
/// (up to 20 characters, the last element: a letter may end the digits).
fn gs1_further(digits: &[u8]) -> bool {
    match digits {
        [] => true,
        [1, 1 | 3 | 5 | 7, rest @ ..] => {
            rest.len() >= 6 && matches!(rest[2] * 10 + rest[3], 1..=12) && gs1_further(&rest[6..])
        }
        [1, 0, rest @ ..] | [2, 1, rest @ ..] => rest.len() <= 20,
        [3, 0 | 7, rest @ ..] => rest.len() <= 8,
        _ => false,
    }
}

/// Whether `text` holds a GS1 barcode in its human-readable form: a GTIN
/// after `(01)`, an SSCC after `(00)`, or a USPS tracking number after its
/// channel identifier `(92)` to `(95)`, with its GS1 check digit.
fn gs1_element_strings(text: &str) -> bool {
    let b = text.as_bytes();
    let digits_at = |from: usize, n: usize| -> Option<Vec<u8>> {
        let d: Vec<u8> = b
            .get(from..from + n)?
            .iter()
            .map(|c| c.wrapping_sub(b'0'))
            .collect();
        d.iter().all(|&x| x < 10).then_some(d)
    };
    let mut i = 0;
    while let Some(at) = text[i..].find('(').map(|k| i + k) {
        i = at + 1;
        let Some(ai) = digits_at(at + 1, 2) else {
            continue;
        };
        if b.get(at + 3) != Some(&b')') {
            continue;
        }
        let ok = match ai[..] {
            [0, 1] => digits_at(at + 4, 14).is_some_and(|d| gs1_valid(&d)),
            [0, 0] => digits_at(at + 4, 18).is_some_and(|d| gs1_valid(&d)),
            [9, 2..=5] => (18..=32).any(|n| {
                digits_at(at + 4, n).is_some_and(|d| {
                    !b.get(at + 4 + n).is_some_and(u8::is_ascii_digit)
                        && gs1_valid(&[&ai[..], &d[..]].concat())
                })
            }),
            _ => false,
        };
        if ok {
            return true;
        }
    }
    false
}

/// Whether the window at `bytes` of `text` is inside a stretch written as
/// Amazon writes its order ids, `###-#######-#######` (17 digits, ASCII
/// hyphens; the window is the whole or its last 14 digits), not part of a
/// longer run of digits, letters or hyphens.
fn amazon_order_layout(text: &str, bytes: Range<usize>) -> bool {
    const LEN: usize = 19;
    let b = text.as_bytes();
    let part = |c: &u8| c.is_ascii_digit() || *c == b'-';
    if bytes.end > b.len() || bytes.start > bytes.end || bytes.end - bytes.start > LEN {
        return false;
    }
    // At most LEN bytes are read on each side: deciding costs the same
    // however long the text.
    let back = b[..bytes.start]
        .iter()
        .rev()
        .take(LEN + 1)
        .take_while(|c| part(c))
        .count();
    let ahead = b[bytes.end..]
        .iter()
        .take(LEN + 1)
        .take_while(|c| part(c))
        .count();
    let (from, to) = (bytes.start - back, bytes.end + ahead);
    let apart = |c: Option<&u8>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
    to - from == LEN
        && b[from..to].iter().enumerate().all(|(i, c)| match i {
            3 | 11 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && apart(from.checked_sub(1).and_then(|k| b.get(k)))
        && apart(b.get(to))
}

/// Whether `digits` are a USPS tracking number as printed on a label or a
/// receipt: 20 to 22 digits starting with the IMpb channel identifier
/// (92 to 95) and ending with their GS1 check digit.
fn usps_tracking(digits: &[u8]) -> bool {
    matches!(digits.len(), 20..=22)
        && digits[0] == 9
        && (2..=5).contains(&digits[1])
        && gs1_valid(digits)
}

/// Whether the digits of `text` are written as a tracking number is
/// printed on a label or a receipt: in one script, with nothing but one
/// and the same separator (blanks or a dash) between its groups, and as one
/// group or in groups of four with a last group of one to four
/// (`9400 6853 8989 3767 8237 37`). Words before and after the number do
/// not count. Digits of two scripts, or groups behind letters or laid out
/// as a card is printed (`93 565432 12345 6789 3433`), are no tracking
/// number: they only hold its count of digits and its check digit.
fn written_as_tracking(text: &str) -> bool {
    let mut zero = None;
    let mut groups = Vec::with_capacity(6);
    let mut gap: Option<&str> = None;
    let mut gap_start = None;
    for (at, ch) in text.char_indices() {
        let Some(v) = super::pan::digit_value(ch) else {
            if !groups.is_empty() && gap_start.is_none() {
                gap_start = Some(at);
            }
            continue;
        };
        // The code point of this script's zero: every digit the same.
        let z = u32::from(ch).wrapping_sub(u32::from(v));
        if *zero.get_or_insert(z) != z {
            return false;
        }
        match gap_start.take() {
            Some(from) => {
                let sep = &text[from..at];
                let blank_or_dash = sep.chars().all(|c| matches!(c, ' ' | '\u{a0}' | '-'));
                if !blank_or_dash || *gap.get_or_insert(sep) != sep {
                    return false;
                }
                groups.push(1usize);
            }
            None => match groups.last_mut() {
                Some(n) => *n += 1,
                None => groups.push(1),
            },
        }
    }
    match groups.split_last() {
        Some((_, [])) => true,
        Some((last, fours)) => fours.iter().all(|&n| n == 4) && (1..=4).contains(last),
        None => false,
    }
}

/// Whether `digits` are a USPS Intelligent Mail package barcode as scanned:
/// `420`, a 5- or 9-digit ZIP code, then a tracking number of 20 to 34
/// digits starting with its channel identifier (9x) and ending with its
/// GS1 check digit.
fn impb(digits: &[u8]) -> bool {
    let [4, 2, 0, rest @ ..] = digits else {
        return false;
    };
    [5, 9].iter().any(|&zip| {
        rest.len() > zip
            && (20..=34).contains(&(rest.len() - zip))
            && rest[zip] == 9
            && gs1_valid(&rest[zip..])
    })
}

/// Whether `digits` are the first 17 or all 18 characters of a Chinese
/// resident identity number (GB 11643-1999): a province code, a date of
/// birth, a sequence number and the ISO 7064 MOD 11-2 check character
/// (`X` for ten, read from `text` after the window).
fn chinese_id(digits: &[u8], text: &str, bytes: Range<usize>) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let check = match digits.len() {
        18 => u32::from(digits[17]),
        17 => {
            // The check character is the letter right after the digits.
            let rest = text.get(bytes.end..).unwrap_or("");
            let next = rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .chars()
                .next();
            match next {
                Some('X' | 'x') => 10,
                _ => return false,
            }
        }
        _ => return false,
    };
    let province = digits[0] * 10 + digits[1];
    let year = digits[6..10]
        .iter()
        .fold(0u32, |a, &d| a * 10 + u32::from(d));
    let month = digits[10] * 10 + digits[11];
    let day = digits[12] * 10 + digits[13];
    let plausible = matches!(province, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83)
        && (1900..=2100).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day);
    let sum: u32 = digits[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    plausible && (12 - sum % 11) % 11 == check
}

/// Whether the first 17 digits of a number that passed [`chinese_id`] hold
/// every other part GB 11643-1999 gives a resident identity number: a
/// region code that a revision of GB/T 2260 held (county level or above,
/// [`regions::REGIONS`]), and a date of birth that is a real day, not after
/// today and at most 120 years before it.
fn chinese_id_whole(digits: &[u8]) -> bool {
    let number = |d: &[u8]| d.iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
    if digits.len() < 14
        || regions::REGIONS
            .binary_search(&number(&digits[..6]))
            .is_err()
    {
        return false;
    }
    let (year, month, day) = (
        number(&digits[6..10]),
        number(&digits[10..12]),
        number(&digits[12..14]),
    );
    let today = today();
    refs::day_number(year.into(), month.into(), day.into()).is_some()
        && (year, month, day) <= today
        && year + 120 >= today.0
}

/// Today (UTC) in days since 1970-01-01, from the system clock.
fn today_number() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs / 86_400).unwrap_or(0)
}

/// Today's date (UTC) as (year, month, day), from the system clock.
fn today() -> (u32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// The proleptic Gregorian date of `days` after 1970-01-01: eras of 400
/// years (146,097 days), years counted from March so that the leap day
/// ends the year.
fn civil_date(days: u64) -> (u32, u32, u32) {
    let z = days + 719_468; // days from 0000-03-01
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (
        u32::try_from(year).unwrap_or(u32::MAX),
        month as u32,
        day as u32,
    )
}

/// The stretch of `text` around `bytes` made of digits, `.`, `,`, signs and
/// spaces: the list a number is written in inside a longer value
/// (`https://maps.example/?q=48.8583701,2.2944813`).
/// At most [`LIST_REACH`] bytes are read on each side, so that deciding
/// costs the same however long the text: a stretch that goes on further is
/// no coordinate pair, and `""` is returned.
fn list_around(text: &str, bytes: Range<usize>) -> &str {
    let b = text.as_bytes();
    let listed = |c: u8| c.is_ascii_digit() || matches!(c, b'.' | b',' | b';' | b'-' | b'+' | b' ');
    let start = bytes.start.min(b.len());
    let mut from = start;
    while from > 0 && listed(b[from - 1]) {
        if start - from == LIST_REACH {
            return "";
        }
        from -= 1;
    }
    let end = bytes.end.min(b.len());
    let mut to = end;
    while to < b.len() && listed(b[to]) {
        if to - end == LIST_REACH {
            return "";
        }
        to += 1;
    }
    // Both ends are ASCII or the text's ends: character boundaries.
    text.get(from..to).unwrap_or("")
}

/// Whether `text`, trimmed, is one decimal number and nothing else: a
/// sign, digits, a `.` or `,` and digits, an exponent.
fn lone_number(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let decimal = mantissa
        .split_once(['.', ','])
        .is_some_and(|(whole, fraction)| digits(whole) && digits(fraction));
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    decimal && exponent_ok
}

/// Whether `list` (a number's [`list_around`]) is a coordinate pair as apps
/// print one: two decimal numbers and nothing else, apart by `,`, `;` or
/// blanks, a latitude (at most 90 either way) then a longitude (at most
/// 180), each with four decimals or more and at most the 17 significant
/// digits a double prints. A card's digits in either number make it
/// longer than a double prints (a 16-digit card after a 2-digit integer
/// part is 18), but for a card of 12-15 digits after a 1-digit integer
/// part: what that costs in recall is measured in `docs/detection.md`.
fn coordinate_pair(list: &str) -> bool {
    let numbers: Vec<&str> = list
        .split(|c: char| matches!(c, ',' | ';') || c.is_whitespace())
        .filter(|n| !n.is_empty())
        .collect();
    let coordinate = |n: &str, most: u32| {
        let n = n.strip_prefix(['-', '+']).unwrap_or(n);
        let Some((whole, fraction)) = n.split_once('.') else {
            return false;
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let significant = whole
            .bytes()
            .chain(fraction.bytes())
            .skip_while(|&b| b == b'0')
            .count();
        (1..=3).contains(&whole.len())
            && fraction.len() >= 4
            && digits(whole)
            && digits(fraction)
            && significant <= MAX_DOUBLE_DIGITS
            && whole.parse::<u32>().is_ok_and(|w| w <= most)
    };
    matches!(numbers[..], [lat, lng] if coordinate(lat, 90) && coordinate(lng, 180))
}

/// How far [`list_around`] reads on each side of a number: a latitude and a
/// longitude at full double precision, with signs and a separator, take
/// under 45 bytes.
const LIST_REACH: usize = 48;

/// Whether `text` is a list of at least two decimal numbers and nothing
/// else (`48.85837012345679,2.294481234567891`, `-33.86 151.20`): a
/// coordinate pair or a vector, not one number a card could be divided
/// into.
///
/// The numbers may be written with a decimal comma, as European locales
/// write them, when `;` or white space splits the list
/// (`48,8583701; 2,2944813`).
fn numbers_list(text: &str) -> bool {
    numbers_list_with(text, '.', &[',', ';']) || numbers_list_with(text, ',', &[';'])
}

/// As [`numbers_list`], with `point` as the decimal separator and `splits`
/// (and white space) between the numbers.
fn numbers_list_with(text: &str, point: char, splits: &[char]) -> bool {
    let numbers = text
        .trim()
        .split(|c: char| splits.contains(&c) || c.is_whitespace())
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>();
    numbers.len() >= 2
        && numbers.iter().all(|n| {
            let n = n.strip_prefix(['-', '+']).unwrap_or(n);
            let (whole, fraction) = n.split_once(point).unwrap_or((n, ""));
            !whole.is_empty()
                && whole.len() <= 3
                && !fraction.is_empty()
                && whole
                    .bytes()
                    .chain(fraction.bytes())
                    .all(|b| b.is_ascii_digit())
        })
}

// === IBANs ===

/// The IBAN length of every country in the SWIFT IBAN Registry (release 99,
/// 2025), sorted by country code.
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BI", 27),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DJ", 27),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FK", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HN", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"LY", 25),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MN", 20),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NI", 28),
    (b"NL", 18),
    (b"NO", 15),
    (b"OM", 23),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"RU", 33),
    (b"SA", 24),
    (b"SC", 31),
    (b"SD", 18),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"SO", 23),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
    (b"YE", 30),
];

fn iban_length(cc: [u8; 2]) -> Option<usize> {
    let cc = [cc[0].to_ascii_uppercase(), cc[1].to_ascii_uppercase()];
    IBAN_LENGTHS
        .binary_search_by(|(c, _)| c.as_slice().cmp(&cc[..]))
        .ok()
        .map(|i| IBAN_LENGTHS[i].1)
}

/// Byte ranges of the valid IBANs in `s`: a registry country code in either
/// case, two check digits, then letters and digits up to the country's
/// length, with one or two of the same white space character (a space, a
/// no-break space as web pages and word processors print them, a narrow
/// no-break, thin, figure or ideographic space, a tab), or one `-` or `.`,
/// between groups of four;
/// after a non-alphanumeric character or glued to a word of letters
/// (`IBAN:DE89...`, `ibanDE89...`, `KontonrDE89...`), before a
/// non-alphanumeric character or a word of letters (`...3000EUR`,
/// `...3000bitte`), never inside a run of letters and digits; ISO 13616 mod
/// 97 checked.
pub(crate) fn iban_spans(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i + 15 <= b.len() {
        let len = (b[i].is_ascii_alphabetic()
            && b[i + 1].is_ascii_alphabetic()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
            && iban_may_start(b, i))
        .then(|| iban_length([b[i], b[i + 1]]))
        .flatten();
        let Some(len) = len else {
            i += 1;
            continue;
        };
        let mut chars = [0u8; 34];
        let mut n = 0;
        let mut end = i;
        let mut gap: Option<(char, usize)> = None;
        // Each character is read once from here on: a gap holds at most
        // two, and the walk stops at the first that is neither.
        for c in s[i..].chars() {
            if n == len {
                break;
            }
            if c.is_ascii_alphanumeric() {
                chars[n] = (c as u8).to_ascii_uppercase();
                n += 1;
                gap = None;
            } else if n % 4 == 0 && (c.is_whitespace() || matches!(c, '-' | '.')) {
                let count = match gap {
                    None => 1,
                    Some((prev, k)) if prev == c && c.is_whitespace() && k < 2 => k + 1,
                    Some(_) => break,
                };
                gap = Some((c, count));
            } else {
                break;
            }
            end += c.len_utf8();
        }
        let bounded = iban_may_end(b, end);
        if n == len && gap.is_none() && bounded && mod97_ok(&chars[..n]) {
            spans.push(i..end);
            i = end;
        } else {
            i += 1;
        }
    }
    spans
}

/// Whether an IBAN may end at `end`: before a character that is not a
/// letter or digit, or before a word glued to it ([`glued_word`]:
/// `...3000EUR`, `...598018bitte`); not inside a longer run of letters and
/// digits (a UUID's hex group, `...3000ab12`).
fn iban_may_end(b: &[u8], end: usize) -> bool {
    glued_word(b[end.min(b.len())..].iter())
}

/// Whether an IBAN may start at `i`: after a character that is not a letter
/// or digit, or after a word glued to it ([`glued_word`]: `IBAN`,
/// `Kontonr`, `ibande89...`). The letters before `i` are read back only to
/// the first character that is not a letter: the two digits of an earlier
/// start ends that reading, so the whole scan stays linear.
fn iban_may_start(b: &[u8], i: usize) -> bool {
    glued_word(b[..i.min(b.len())].iter().rev())
}

/// Whether the run of letters and digits that `run` starts with (read away
/// from the IBAN) is empty or a word glued to it: letters only, running to
/// a character that is neither or to the text's end, with one letter
/// beyond `a`-`f` at least. A run holding a digit, or of hex letters only,
/// is part of a longer code (a UUID's or a hash's hex), where an IBAN's
/// check digits hold by chance.
fn glued_word<'a>(run: impl Iterator<Item = &'a u8>) -> bool {
    let (mut letters, mut hex_only) = (0, true);
    for c in run.take_while(|c| c.is_ascii_alphanumeric()) {
        if !c.is_ascii_alphabetic() {
            return false;
        }
        letters += 1;
        hex_only &= c.is_ascii_hexdigit();
    }
    letters == 0 || !hex_only
}

/// ISO 7064 MOD 97-10 as ISO 13616 (IBAN) and ISO 11649 (creditor
/// reference) apply it to `chars` (upper-case ASCII letters and digits,
/// two letters and two check digits first): the rest, then those four,
/// letters as 10-35, is 1 mod 97.
fn mod97_ok(chars: &[u8]) -> bool {
    let mut rem: u32 = 0;
    for &c in chars[4..].iter().chain(&chars[..4]) {
        rem = match c {
            b'0'..=b'9' => (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(c - b'A') + 10) % 97,
            _ => return false,
        };
    }
    rem == 1
}

#[cfg(test)]
#[path = "context/tests.rs"]
mod tests;
