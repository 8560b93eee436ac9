//! Words that raise or lower the odds that an ambiguous digit shape is a
//! card number, read in a field's key and just before (or, for lowering
//! words, just after) the digits.
//!
//! Sources: the card brands' own names (the brand table in `pan/brand.rs`);
//! the word for "card", "credit card" and "card number" in the languages of
//! the markets minFraud serves, as the networks' localized checkout pages
//! and the issue tracker's examples write them (card, karte, tarjeta, carte,
//! cartão, 卡, カード, 카드); the keyword lists that data-loss-prevention
//! products publish for their credit-card and telephone detectors (hotwords
//! near the match raise or lower its likelihood); and the names of the
//! codes whose digits look like cards (GS1's GTIN, EAN, UPC, SSCC; ISBN;
//! USPS and carriers' tracking numbers; IMEI, ICCID; IBAN), and of national
//! identity numbers (the name GB 11643 gives the Chinese resident identity
//! number, 公民身份号码, and the words forms and customs declarations of
//! cross-border shops label it with: 身份证, ID number, id card no.).
//!
//! The words of the codes `codes` finds are their own names as their
//! issuers and the forms that ask for them write them: FEBRABAN's boleto
//! and linha digitável, Banco de México's CLABE and SPEI, the BCRA's CBU and
//! CVU, the Receita Federal's CNPJ and CPF, UIDAI's Aadhaar, the Korean
//! resident registration number (주민등록번호, RRN, jumin), the Nordic
//! banks' payment references (Norwegian KID, Swedish OCR, Danish FIK), the
//! Japanese carriers' tracking numbers (追跡番号, 伝票番号, お問い合わせ番号,
//! and the carriers' names); and, for decimal numbers, the names shops give
//! scores, ratios and measures.
//!
//! Latin-script words match whole words, case-insensitively (a key's
//! `snake_case` and `camelCase` parts are words); words in scripts without
//! spaces (Chinese, Japanese, Korean) match anywhere.

/// Words that make an ambiguous shape a card.
pub(crate) const RAISING: &[&str] = &[
    // English and the brands.
    "card",
    "cards",
    "cc",
    "ccn",
    "ccnum",
    "pan",
    "visa",
    "mastercard",
    "mc",
    "amex",
    "americanexpress",
    "maestro",
    "discover",
    "diners",
    "jcb",
    "unionpay",
    "rupay",
    "troy",
    "uzcard",
    "humo",
    "belkart",
    "prostir",
    "uatp",
    "credit",
    "debit",
    "cvv",
    "cvc",
    "cvv2",
    "creditcard",
    "debitcard",
    "cardnumber",
    "cardno",
    // German, Spanish, French, Portuguese, Italian, Dutch, Polish, Turkish,
    // Indonesian and Malay, Vietnamese.
    "karte",
    "kreditkarte",
    "kartennummer",
    "tarjeta",
    "crédito",
    "débito",
    "carte",
    "bancaire",
    "cartão",
    "cartao",
    "carta",
    "kaart",
    "creditcard",
    "karta",
    "kart",
    "kartu",
    "kad",
    "thẻ",
    // Cyrillic, Arabic, Thai, Hebrew.
    "карта",
    "карты",
    "карту",
    "картка",
    "بطاقة",
    "บัตร",
    "כרטיס",
];

/// Raising words in scripts without spaces, matched anywhere.
const RAISING_CJK: &[&str] = &["卡", "カード", "카드"];

/// Words that say digits are a telephone number.
const PHONE: &[&str] = &[
    "tel",
    "tele",
    "telephone",
    "phone",
    "mobile",
    "mobil",
    "cell",
    "cellphone",
    "fax",
    "whatsapp",
    "wa",
    "viber",
    "sms",
    "call",
    "móvil",
    "movil",
    "celular",
    "teléfono",
    "telefono",
    "telefone",
    "telefon",
    "handy",
    "portable",
    "hp",
    "telp",
    "nomor",
    "ponsel",
    "sdt",
    "contact",
    "cel",
    "telefonnummer",
    "handynummer",
    "mobilnummer",
    "festnetz",
    "rückruf",
    "anrufen",
];

/// Telephone words in scripts without spaces, or written with dots.
const PHONE_ANYWHERE: &[&str] = &["wa.me", "电话", "手机", "電話", "携帯", "전화", "휴대폰"];

/// Words that say decimals are coordinates.
const GEO: &[&str] = &[
    "lat",
    "lng",
    "lon",
    "latitude",
    "longitude",
    "coord",
    "coords",
    "coordinates",
    "geo",
    "gps",
    "location",
    "maps",
    "position",
    "loc",
];

/// Words that say decimals are times (OLE automation dates, Excel serial
/// dates, Julian days).
const TIME: &[&str] = &[
    "date",
    "time",
    "timestamp",
    "created",
    "updated",
    "modified",
    "ordered",
    "at",
    "ole",
    "serial",
    "julian",
    "excel",
    "when",
];

/// Words that name a code whose digits look like a card's.
const CODE: &[&str] = &[
    "tracking", "usps", "ups", "fedex", "dhl", "shipment", "parcel", "barcode", "gtin", "ean",
    "upc", "isbn", "sku", "sscc", "imei", "iccid", "iban", "bic", "swift", "impb", "scan",
];

/// Whether `lower` (lower-cased) names GS1 itself: `gs1` after a
/// character that is not a letter (`GS1-128`, `(GS1)`). The letters `gs`
/// alone are no word for it: random ids and tokens hold them.
fn names_gs1(lower: &str) -> bool {
    lower.match_indices("gs1").any(|(at, _)| {
        lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphabetic())
    })
}

/// Words that name an order or a transaction, whose ids shops show in
/// layouts no card is printed in (Amazon's `###-#######-#######`).
const ORDER: &[&str] = &[
    "order",
    "orders",
    "orderid",
    "ordernumber",
    "transaction",
    "txn",
    "amazon",
    "bestellung",
    "bestellnummer",
    "auftrag",
    "pedido",
    "commande",
    "ordine",
    "bestelling",
    "zamówienie",
    "заказ",
];

/// Order words of scripts written without spaces, found inside longer runs
/// (`注文番号`).
const ORDER_ANYWHERE: &[&str] = &["注文", "订单", "訂單", "주문"];

/// Words that name a national identity number. `id` counts as a whole word
/// only (`id_number`, `ID no.`), never inside one (`paid`).
const NATIONAL_ID: &[&str] = &[
    "id",
    "idno",
    "idnumber",
    "idcard",
    "identity",
    "identification",
    "nationalid",
    "national",
    "resident",
    "citizen",
    "shenfenzheng",
    "sfz",
];

/// National identity words in scripts without spaces.
const NATIONAL_ID_ANYWHERE: &[&str] = &[
    "身份证",
    "身份證",
    "公民身份",
    "居民身份",
    "证件号",
    "證件號",
];

/// Words that say a decimal number is a quantity (a score, a ratio, a
/// measure): its fraction digits are the number's precision.
const QUANTITY: &[&str] = &[
    "score",
    "scores",
    "ratio",
    "rate",
    "risk",
    "probability",
    "prob",
    "confidence",
    "weight",
    "kg",
    "avg",
    "average",
    "mean",
    "conversion",
    "discount",
    "percent",
    "percentage",
    "pct",
    "factor",
    "similarity",
    "distance",
    "km",
];

/// Which kinds of lowering words were seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lowering {
    /// A telephone word.
    pub(crate) phone: bool,
    /// A coordinate word.
    pub(crate) geo: bool,
    /// A code's name.
    pub(crate) code: bool,
    /// A time word.
    pub(crate) time: bool,
    /// A national identity number's name.
    pub(crate) id: bool,
    /// An order's or a transaction's name.
    pub(crate) order: bool,
    /// A quantity's name (a score, a ratio).
    pub(crate) quantity: bool,
}

impl Lowering {
    /// Both sets of words.
    pub(crate) fn union(self, other: Lowering) -> Lowering {
        Lowering {
            phone: self.phone || other.phone,
            geo: self.geo || other.geo,
            code: self.code || other.code,
            time: self.time || other.time,
            id: self.id || other.id,
            order: self.order || other.order,
            quantity: self.quantity || other.quantity,
        }
    }
}

/// The words of `text`: runs of letters, split where a lower-case letter
/// meets an upper-case one (`deliveryLat`), lower-cased.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_alphabetic() {
            if prev_lower && c.is_uppercase() && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_lowercase();
            word.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out.into_iter()
}

/// Runs of letters of `text`, lower-cased, not split at case changes
/// (`WhatsApp` is one word here, two for [`words`]).
fn whole_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The words of `text` in both forms: each run of letters whole, and its
/// parts split where a lower-case letter meets an upper-case one
/// (`variantId`: `variant`, `id`, `variantid`), lower-cased.
pub(crate) fn word_forms(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).chain(whole_words(text))
}

/// Names of national identity cards that hold a raising word as a part
/// (`MyKad`: Malaysia's identity card, `kad` being Malay for card): the
/// whole name is no payment card's word, and its parts do not raise.
const IDENTITY_CARD_NAMES: &[&str] = &["mykad", "mykid", "mypr", "mytentera"];

/// Whether `text` holds a raising word.
pub(crate) fn raises(text: &str) -> bool {
    !text.is_empty()
        && (RAISING_CJK.iter().any(|w| text.contains(w))
            || text
                .split(|c: char| !c.is_alphabetic())
                .filter(|run| !run.is_empty())
                .filter(|run| !IDENTITY_CARD_NAMES.contains(&run.to_lowercase().as_str()))
                .any(|run| word_forms(run).any(|w| RAISING.contains(&w.as_str()))))
}

/// The lowering words a value's text holds: whole words only. A part of a
/// run of letters (`Gs` and `UPs` of `VnphWqGs`, `FéQsUPs`) is no word in
/// free text: random ids and tokens are full of them.
pub(crate) fn lowering(text: &str) -> Lowering {
    lowering_of(text, false)
}

/// The lowering words a caller-chosen key holds: its `snake_case` and
/// `camelCase` parts are words (`deliveryLat`, `trackingNo`).
pub(crate) fn lowering_in_key(key: &str) -> Lowering {
    lowering_of(key, true)
}

fn lowering_of(text: &str, key: bool) -> Lowering {
    let mut l = Lowering::default();
    if text.is_empty() {
        return l;
    }
    let lower = text.to_lowercase();
    l.phone = PHONE_ANYWHERE.iter().any(|w| lower.contains(w));
    l.id = NATIONAL_ID_ANYWHERE.iter().any(|w| lower.contains(w));
    l.order = ORDER_ANYWHERE.iter().any(|w| lower.contains(w));
    l.code = names_gs1(&lower);
    let parts = if key {
        words(text).collect()
    } else {
        Vec::new()
    };
    for w in parts.into_iter().chain(whole_words(text)) {
        l.phone |= PHONE.contains(&w.as_str());
        l.geo |= GEO.contains(&w.as_str());
        l.code |= CODE.contains(&w.as_str());
        l.time |= TIME.contains(&w.as_str());
        l.id |= NATIONAL_ID.contains(&w.as_str());
        l.order |= ORDER.contains(&w.as_str());
        l.quantity |= QUANTITY.contains(&w.as_str());
    }
    l
}

/// Words naming a Mexican CLABE (or the account it is asked as).
const CLABE: &[&str] = &["clabe", "spei", "interbancaria", "cuenta"];

/// Words naming an Argentine CBU or CVU (or the account it is asked as).
const CBU: &[&str] = &["cbu", "cvu", "cuenta"];

/// Words naming a Brazilian CNPJ (or the CPF it is asked beside).
const CNPJ: &[&str] = &["cnpj", "cpf"];

/// Words naming an Aadhaar number.
const AADHAAR: &[&str] = &["aadhaar", "aadhar", "uidai", "kyc"];

/// Aadhaar's name in Devanagari.
const AADHAAR_ANYWHERE: &[&str] = &["आधार"];

/// Words naming a Korean resident registration number.
const RRN: &[&str] = &["rrn", "jumin"];

/// Korean words for the resident registration number.
const RRN_ANYWHERE: &[&str] = &["주민등록", "주민번호"];

/// Words naming a payment reference with a Luhn check digit.
const REFERENCE: &[&str] = &[
    "kid",
    "kidnummer",
    "ocr",
    "ocrnummer",
    "fik",
    "referanse",
    "betalingsreferanse",
    "referens",
    "referensnummer",
    "betalningsreferens",
];

/// Finnish words for a payment reference (viitenumero, the reference a
/// Finnish invoice is paid with; its inflected forms).
const FI_REFERENCE: &[&str] = &[
    "viite",
    "viitenumero",
    "viitenumeron",
    "viitenro",
    "viitteen",
    "viitettä",
    "viitteellä",
    "maksuviite",
];

/// Polish words for a bank account (konto, rachunek: the forms NRB is asked
/// in) and the number's own name.
const ACCOUNT_PL: &[&str] = &[
    "nrb", "konto", "konta", "rachunek", "rachunku", "przelew", "zwrot",
];

/// Hungarian words for a bank account.
const ACCOUNT_HU: &[&str] = &[
    "bankszámla",
    "bankszamla",
    "számla",
    "szamla",
    "számlaszám",
    "szamlaszam",
    "bankszámlaszám",
    "számlaszámra",
    "utalás",
    "utalas",
];

/// Japanese words for a parcel's tracking number and the carriers'
/// names.
const TRACKING_ANYWHERE: &[&str] = &[
    "追跡",
    "伝票",
    "お問い合わせ番号",
    "問合せ番号",
    "ヤマト",
    "佐川",
    "日本郵便",
    "ゆうパック",
    "西濃",
    "福山通運",
];

/// Which kinds of code words were seen (read only around a code `codes`
/// found).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CodeWords {
    pub(crate) clabe: bool,
    pub(crate) cbu: bool,
    pub(crate) cnpj: bool,
    pub(crate) aadhaar: bool,
    pub(crate) rrn: bool,
    /// A national identity number's name (as [`Lowering::id`]).
    pub(crate) id: bool,
    /// A tracking number's name (a code word of [`Lowering::code`]).
    pub(crate) tracking: bool,
    /// A Japanese tracking number's name, or a Japanese carrier's.
    pub(crate) tracking_jp: bool,
    /// A payment reference's name.
    pub(crate) reference: bool,
    /// A Finnish payment reference's name.
    pub(crate) fi_reference: bool,
    /// A Polish bank account's name.
    pub(crate) account_pl: bool,
    /// A Hungarian bank account's name.
    pub(crate) account_hu: bool,
}

impl CodeWords {
    /// Both sets of words.
    pub(crate) fn union(self, o: CodeWords) -> CodeWords {
        CodeWords {
            clabe: self.clabe || o.clabe,
            cbu: self.cbu || o.cbu,
            cnpj: self.cnpj || o.cnpj,
            aadhaar: self.aadhaar || o.aadhaar,
            rrn: self.rrn || o.rrn,
            id: self.id || o.id,
            tracking: self.tracking || o.tracking,
            tracking_jp: self.tracking_jp || o.tracking_jp,
            reference: self.reference || o.reference,
            fi_reference: self.fi_reference || o.fi_reference,
            account_pl: self.account_pl || o.account_pl,
            account_hu: self.account_hu || o.account_hu,
        }
    }
}

/// The code words a value's text holds: whole words only, as
/// [`lowering`].
pub(crate) fn code_words(text: &str) -> CodeWords {
    code_words_of(text, false)
}

/// The code words a caller-chosen key holds, its parts included, as
/// [`lowering_in_key`].
pub(crate) fn code_words_in_key(key: &str) -> CodeWords {
    code_words_of(key, true)
}

fn code_words_of(text: &str, key: bool) -> CodeWords {
    let mut c = CodeWords::default();
    if text.is_empty() {
        return c;
    }
    let lowering = lowering_of(text, key);
    c.id = lowering.id;
    c.tracking = lowering.code;
    c.tracking_jp = TRACKING_ANYWHERE.iter().any(|w| text.contains(w));
    c.rrn = RRN_ANYWHERE.iter().any(|w| text.contains(w));
    c.aadhaar = AADHAAR_ANYWHERE.iter().any(|w| text.contains(w));
    let parts = if key {
        words(text).collect()
    } else {
        Vec::new()
    };
    for w in parts.into_iter().chain(whole_words(text)) {
        let w = w.as_str();
        c.clabe |= CLABE.contains(&w);
        c.cbu |= CBU.contains(&w);
        c.cnpj |= CNPJ.contains(&w);
        c.aadhaar |= AADHAAR.contains(&w);
        c.rrn |= RRN.contains(&w);
        c.reference |= REFERENCE.contains(&w);
        c.fi_reference |= FI_REFERENCE.contains(&w);
        c.account_pl |= ACCOUNT_PL.contains(&w);
        c.account_hu |= ACCOUNT_HU.contains(&w);
    }
    c
}

/// Up to `n` bytes of `text` before byte `at`, from a character boundary.
pub(crate) fn window_before(text: &str, at: usize, n: usize) -> &str {
    let at = at.min(text.len());
    let mut from = at.saturating_sub(n);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    text.get(from..at).unwrap_or("")
}

/// Up to `n` bytes of `text` after byte `at`, to a character boundary.
pub(crate) fn window_after(text: &str, at: usize, n: usize) -> &str {
    let at = at.min(text.len());
    let mut to = (at + n).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    text.get(at..to).unwrap_or("")
}
