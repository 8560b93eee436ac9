//! Generators for the context measurements: realistic values that are not
//! card numbers but hold card-shaped digits (telephone numbers with country
//! codes in many countries and forms, IBANs of every registry country in
//! every spelling, coordinates and OLE dates at full double precision, USPS
//! IMpb and GS1 barcodes, Chinese resident identity numbers), each placed in
//! the field it is sent in; and card numbers placed in every field, split by
//! shape (unambiguous: a brand's length, plain or in a card layout;
//! ambiguous: decided by context), for recall beside them.
//!
//! Each category is a function of its own in a table, so that other
//! detectors' classes can be added as rows without touching these.

use super::{pan_of, Case, Expect, PolicyKind, Rng, BRANDS, TEXT_FIELDS};

/// Telephone numbers in a custom input the policy types as one
/// (`PolicyKind::Typed`), and without the type (the default policy): its key,
/// `alternate`, holds no telephone word, so only the type can tell.
pub(crate) const TYPED_OVERBLOCKING: &[(&str, Realistic)] = &[(
    "phones, country codes 56-69, without +, custom input alternate",
    cc56_69_in_alternate,
)];

/// Cards in custom inputs the policy types (`PolicyKind::Typed`): the type
/// lowers nothing that is not also a valid telephone number.
pub(crate) const TYPED_RECALL: &[(&str, CardCase)] = &[
    (
        "unambiguous card in a custom input typed phone",
        typed_phone_unambiguous,
    ),
    (
        "maestro 12-15 digits in a custom input typed phone",
        typed_phone_short_maestro,
    ),
    (
        "card as a JSON number in a custom input typed number",
        typed_number_card,
    ),
];
use serde_json::{json, Value};
use txveil::schema::Endpoint;

/// A generator of one realistic request that must not be flagged.
pub(crate) type Realistic = fn(&mut Rng) -> Value;

/// A generator of one card case that must be caught.
pub(crate) type CardCase = fn(&mut Rng) -> Case;

/// Realistic categories that must each stay under 1 % flagged (and under
/// 0.1 % together).
pub(crate) const OVERBLOCKING: &[(&str, Realistic)] = &[
    (
        "PH mobile with country code in billing.phone_number",
        ph_mobile_in_phone_field,
    ),
    (
        "phones, country codes 56-69, without + (phone fields)",
        cc56_69_phone_fields_ordered,
    ),
    (
        "phones, country codes 56-69, without +, keyed or after a phone word",
        cc56_69_phone_context_ordered,
    ),
    (
        "phones, country codes 56-69, without +, no context (text fields)",
        cc56_69_text_fields_ordered,
    ),
    (
        "phones of 36 countries, every form (phone fields)",
        phones_phone_fields_ordered,
    ),
    (
        "phones of 36 countries, every form (text fields)",
        phones_text_fields_ordered,
    ),
    ("wa.me and tel: links", phone_links_ordered),
    ("iban, every registry country, every spelling", ibans),
    (
        "coordinates, full precision, JSON numbers",
        coordinate_numbers,
    ),
    (
        "coordinates, full precision, \"lat,lng\" text",
        coordinate_text,
    ),
    ("usps impb barcodes", impb),
    ("ole dates, full precision", ole_dates),
    ("gs1 barcodes", gs1),
    (
        "chinese resident ids in an id field or after an id word",
        chinese_ids,
    ),
    (
        "chinese resident ids with no context (user_id, a bare note)",
        chinese_ids_bare,
    ),
    ("iban glued to a word, every registry country", ibans_glued),
    (
        "usps tracking numbers in groups of 4, key tracking_number",
        usps_grouped_keyed,
    ),
    (
        "usps tracking numbers in groups of 4, cart item_id",
        usps_grouped_item_id,
    ),
    (
        "usps tracking numbers in groups of 4, after a tracking word",
        usps_grouped_after_word,
    ),
    (
        "amazon order ids ###-#######-#######, event.transaction_id",
        amazon_orders_in_transaction_id,
    ),
    (
        "amazon order ids ###-#######-#######, order key or after an order word",
        amazon_orders_keyed_or_after_word,
    ),
    (
        "emv qr payloads (pix copia e cola, promptpay, qris, paynow)",
        emv_qr_payloads,
    ),
    ("south african id numbers, ZA orders", sa_ids),
    ("boleto typeable lines, bank and collection slips", boletos),
    ("mexican clabe, MX orders", clabes),
    ("argentine cbu and cvu, AR orders", cbus),
    ("korean resident registration numbers, KR orders", rrns),
    ("brazilian cnpj, BR orders", cnpjs),
    ("aadhaar numbers, IN orders", aadhaars),
    (
        "japanese 12-digit tracking numbers after a word or key",
        jp_trackings,
    ),
    (
        "norwegian kid references (luhn, 6-25 digits)",
        kid_references,
    ),
    ("swedish ocr references (luhn, 6-25 digits)", ocr_references),
    (
        "german and austrian phones without +, phone field, word or key",
        de_at_phones,
    ),
    ("floats as json numbers in custom inputs", floats_as_numbers),
    ("floats as text in custom inputs", floats_as_text),
    (
        "coordinates with a decimal comma, geo: uris, ; or space pairs",
        coordinates_decimal_comma,
    ),
    (
        "coordinate pairs after a word outside the table (drop pin, standort)",
        coordinates_after_any_word,
    ),
    ("polish nrb account numbers, PL orders", nrbs),
    ("hungarian account numbers, HU orders", hu_accounts),
];

/// The telephone rows of [`OVERBLOCKING`] in requests that carry no
/// country at all (no `billing.country`, `shipping.country` or
/// `*.phone_country_code`): minFraud requests nearly always carry the
/// billing country, so these are not the realistic categories (those are
/// the rows of the same names in [`OVERBLOCKING`], whose requests carry the
/// order's countries as shops send them: [`with_order_countries`]); they
/// are reported beside them to show what the request's countries decide.
pub(crate) const NO_COUNTRY: &[(&str, Realistic)] = &[
    (
        "phones, country codes 56-69, without + (phone fields)",
        cc56_69_phone_fields,
    ),
    (
        "phones, country codes 56-69, without +, keyed or after a phone word",
        cc56_69_phone_context,
    ),
    (
        "phones, country codes 56-69, without +, no context (text fields)",
        cc56_69_text_fields,
    ),
    (
        "phones of 36 countries, every form (phone fields)",
        phones_phone_fields,
    ),
    (
        "phones of 36 countries, every form (text fields)",
        phones_text_fields,
    ),
    ("wa.me and tel: links", phone_links),
];

/// Card cases by shape: recall reported beside the false positives.
pub(crate) const CARD_RECALL: &[(&str, CardCase)] = &[
    (
        "unambiguous: brand length, plain, every field",
        unambiguous_plain,
    ),
    (
        "unambiguous: card layouts, any separators, every field",
        unambiguous_layout,
    ),
    (
        "unambiguous: JSON numbers, every numeric field",
        unambiguous_number,
    ),
    (
        "ambiguous: maestro 12-15 digits (BIN ranges in use)",
        ambiguous_short_maestro,
    ),
    ("ambiguous: glued to cvv or expiry", ambiguous_glued),
    ("ambiguous: after +, 16-19 digits", ambiguous_after_plus),
    (
        "ambiguous: any shape next to a card word",
        ambiguous_with_word,
    ),
    (
        "unambiguous: any card in a national-id context",
        unambiguous_in_id_context,
    ),
    (
        "unambiguous: id-shaped card failing ISO 7064, in an id context",
        id_shaped_card_in_id_context,
    ),
    (
        "ambiguous: 00 + 18-digit card failing GS1, in a code context",
        sscc_shaped_card_in_code_context,
    ),
    (
        "unambiguous: any card after a telephone word or under a phone key",
        unambiguous_in_phone_context,
    ),
    (
        "unambiguous: any card after a code word or under a code key",
        unambiguous_in_code_context,
    ),
    (
        "unambiguous: 17/18-digit card of a range a region code starts, alone",
        region_range_card_alone,
    ),
    (
        "unambiguous: id-shaped card (real region and date) failing ISO 7064, alone",
        id_shaped_card_alone,
    ),
    (
        "unambiguous: id-shaped card passing ISO 7064 with an unheld region, alone",
        unheld_region_card_alone,
    ),
    (
        "ambiguous: maestro 12-15 digits alone in a text field (no word)",
        short_maestro_alone,
    ),
    (
        "ambiguous: maestro 12-15 digits in a card layout, alone in a text field",
        short_maestro_laid_out,
    ),
    (
        "ambiguous: maestro 12-15 digits in random groups, alone in a text field",
        short_maestro_random_groups,
    ),
    (
        "ambiguous: 00 + a card of 12-15 digits, alone in a text field",
        dialled_short_card_alone,
    ),
    (
        "unambiguous: any card written as a telephone number, alone",
        card_written_as_phone_alone,
    ),
    (
        "ambiguous: maestro 12-15 digits written as a telephone number after a card word",
        short_maestro_as_phone_after_card_word,
    ),
    (
        "unambiguous: a card that is a whole resident id, after a card word",
        whole_id_card_after_card_word,
    ),
    (
        "ambiguous: maestro 12-15 digits in random groups, telephone field or word",
        short_maestro_random_groups_phone_context,
    ),
    (
        "unambiguous: card in groups of 4 then more groups, tracking key, item id or word",
        card_grouped_then_more_in_tracking_context,
    ),
    (
        "unambiguous: card in groups of 4 alone under a tracking key",
        card_grouped_under_tracking_key,
    ),
    (
        "lowered when GS1 holds: 9x group + card in groups of 4 + more, tracking key",
        card_inside_usps_shape,
    ),
    (
        "unambiguous: card in a card layout in transaction_id, an order key or after an order word",
        card_layout_in_order_context,
    ),
    (
        "unambiguous: 17-digit card written ###-#######-####### with no order context",
        card_as_order_id_without_context,
    ),
    (
        "lowered by design: 17-digit card written ###-#######-####### in an order context",
        card_as_order_id_in_order_context,
    ),
    (
        "lowered by design: 13/14-digit card alone in a cart item id (GS1 passes 1 in 10)",
        card_gtin_shaped_alone_in_a_cart_item_id,
    ),
    (
        "ambiguous: maestro 13 digits where south african ids are sent, no country",
        short_maestro_as_sa_id,
    ),
    (
        "lowered with an id word when its structure holds: visa 13 digits where south african ids are sent, no country",
        visa13_as_sa_id,
    ),
    (
        "unambiguous: card after a reference word (kid, ocr) and a bracket or zeros, no nordic order",
        card_after_reference_mark,
    ),
    (
        "unambiguous: card after a reference word or under a reference key, nordic order",
        card_after_reference_word_nordic,
    ),
    (
        "ambiguous: maestro 12-15 digits after a reference word or under its key, any order",
        short_maestro_after_reference_word,
    ),
    (
        "lowered when mod 97 holds: card in groups of 4 inside a 26-digit nrb layout, PL order",
        card_inside_nrb_layout,
    ),
    (
        "unambiguous: card alone where nrbs and hungarian accounts are sent, PL or HU order",
        card_where_accounts_are_sent,
    ),
    (
        "ambiguous: card printed as a double in scientific notation, alone in a value",
        card_in_scientific_notation,
    ),
    (
        "ambiguous: card of 16-19 digits as a coordinate's fraction, beside a coordinate, after a word",
        card_as_coordinate_fraction,
    ),
    (
        "ambiguous: card after N, or past a double's digits (NN.card), alone in a value",
        card_after_a_number_and_a_mark,
    ),
    (
        "ambiguous: 6x card glued to 18 digits where clabes are sent, no country",
        card_glued_as_clabe,
    ),
];

// === Placement ===

const PHONE_FIELDS: &[(&str, &str)] = &[
    ("billing", "phone_number"),
    ("shipping", "phone_number"),
    ("credit_card", "bank_phone_number"),
];

fn in_phone_field(rng: &mut Rng, v: &str) -> Value {
    let (g, f) = *rng.pick(PHONE_FIELDS);
    let mut r = json!({});
    r[g][f] = json!(v);
    r
}

fn in_text_field(rng: &mut Rng, v: &str) -> Value {
    match rng.below(5) {
        0 => json!({"custom_inputs": {"note": v}}),
        1 => json!({"billing": {"address_2": v}}),
        2 => json!({"shipping": {"address_2": v}}),
        3 => json!({"event": {"transaction_id": v}}),
        _ => json!({"order": {"referrer_uri": format!("https://shop.example/c?x={v}")}}),
    }
}

/// Every place a string can go: the free-text fields of both groups, the
/// phone fields, custom inputs, cart items, the referrer; with its path.
fn anywhere(rng: &mut Rng, v: &str) -> (Value, String) {
    match rng.below(TEXT_FIELDS.len() + 5) {
        i if i < TEXT_FIELDS.len() => {
            let (g, f) = TEXT_FIELDS[i];
            let mut r = json!({});
            r[g][f] = json!(v);
            (r, format!("/{g}/{f}"))
        }
        i if i == TEXT_FIELDS.len() => (
            json!({"shopping_cart": [{"item_id": v}]}),
            "/shopping_cart/0/item_id".into(),
        ),
        i if i == TEXT_FIELDS.len() + 1 => {
            let key = *rng.pick(&["note", "phone", "tel", "lat", "iban", "tracking", "gtin"]);
            (
                json!({"custom_inputs": {key: v}}),
                format!("/custom_inputs/{key}"),
            )
        }
        i if i == TEXT_FIELDS.len() + 2 => (
            json!({"order": {"referrer_uri": format!("https://shop.example/r?ref={v}")}}),
            "/order/referrer_uri".into(),
        ),
        i if i == TEXT_FIELDS.len() + 3 => {
            let (g, f) = *rng.pick(PHONE_FIELDS);
            let mut r = json!({});
            r[g][f] = json!(v);
            (r, format!("/{g}/{f}"))
        }
        _ => (
            json!({"shopping_cart": [{"category": v}]}),
            "/shopping_cart/0/category".into(),
        ),
    }
}

// === Telephone numbers ===

/// (country code, mobile or geographic prefixes, national significant number
/// lengths), from the national numbering plans as libphonenumber's metadata
/// describes them.
const PLANS: &[(&str, &[&str], &[usize])] = &[
    (
        "63",
        &[
            "917", "918", "919", "920", "927", "928", "935", "939", "945", "955", "977", "995",
            "998", "2",
        ],
        &[10],
    ),
    (
        "62",
        &[
            "811", "812", "813", "821", "822", "852", "853", "815", "856", "857", "817", "818",
            "819", "878", "838", "896", "898", "881",
        ],
        &[10, 11, 12],
    ),
    (
        "57",
        &[
            "300", "301", "310", "311", "312", "313", "315", "316", "317", "320", "321", "350",
            "601", "604",
        ],
        &[10],
    ),
    ("58", &["412", "414", "416", "424", "426", "212"], &[10]),
    ("60", &["12", "13", "16", "17", "19", "3"], &[9]),
    ("60", &["11"], &[10]),
    ("56", &["9", "2"], &[9]),
    ("61", &["4", "2", "3"], &[9]),
    ("64", &["21", "22", "27"], &[8, 9]),
    ("65", &["8", "9", "6"], &[8]),
    ("66", &["8", "9", "6"], &[9]),
    ("51", &["9"], &[9]),
    ("52", &["55", "33", "81", "222"], &[10]),
    ("54", &["911", "9351"], &[10, 11]),
    ("55", &["119", "219", "319", "41", "51"], &[10, 11]),
    ("1", &["212", "415", "646", "312", "713"], &[10]),
    ("44", &["7700", "7911", "7400", "20"], &[10]),
    (
        "49",
        &["151", "152", "157", "160", "170", "176", "30", "89"],
        &[10, 11],
    ),
    ("33", &["6", "7", "1"], &[9]),
    ("34", &["6", "7", "91"], &[9]),
    ("39", &["3", "06"], &[9, 10]),
    ("31", &["6", "20"], &[9]),
    ("48", &["5", "6", "7", "22"], &[9]),
    ("7", &["9", "495"], &[10]),
    ("86", &["13", "15", "18", "10"], &[10, 11]),
    ("81", &["90", "80", "70", "3"], &[9, 10]),
    ("82", &["10", "2"], &[9, 10]),
    ("91", &["98", "97", "96", "70", "80", "11"], &[10]),
    ("90", &["5", "212"], &[10]),
    ("20", &["10", "11", "12", "2"], &[9, 10]),
    ("27", &["6", "7", "8", "11"], &[9]),
    ("234", &["80", "81", "70", "90"], &[10]),
    ("254", &["7", "1"], &[9]),
    ("971", &["50", "52", "55", "4"], &[8, 9]),
    ("966", &["5", "11"], &[9]),
    ("84", &["9", "3", "7", "8"], &[9]),
    ("880", &["17", "18", "19", "2"], &[9, 10]),
];

/// A country code and national significant number from the plans; `cc56_69`
/// picks only codes 56-69.
pub(crate) fn number(rng: &mut Rng, cc56_69: bool) -> (String, String) {
    loop {
        let (cc, prefixes, lengths) = *rng.pick(PLANS);
        let first = cc.as_bytes()[0];
        if cc56_69 && !(cc.len() == 2 && (first == b'5' && cc >= "56" || first == b'6')) {
            continue;
        }
        let prefix = *rng.pick(prefixes);
        let len = *rng.pick(lengths);
        if len <= prefix.len() {
            continue;
        }
        return (
            cc.to_owned(),
            format!("{prefix}{}", rng.digits(len - prefix.len())),
        );
    }
}

/// The country (ISO 3166-1 alpha-2) whose numbering plan each calling code
/// of [`PLANS`] is drawn from.
pub(crate) const PLAN_COUNTRIES: &[(&str, &str)] = &[
    ("63", "PH"),
    ("62", "ID"),
    ("57", "CO"),
    ("58", "VE"),
    ("60", "MY"),
    ("56", "CL"),
    ("61", "AU"),
    ("64", "NZ"),
    ("65", "SG"),
    ("66", "TH"),
    ("51", "PE"),
    ("52", "MX"),
    ("54", "AR"),
    ("55", "BR"),
    ("1", "US"),
    ("44", "GB"),
    ("49", "DE"),
    ("33", "FR"),
    ("34", "ES"),
    ("39", "IT"),
    ("31", "NL"),
    ("48", "PL"),
    ("7", "RU"),
    ("86", "CN"),
    ("81", "JP"),
    ("82", "KR"),
    ("91", "IN"),
    ("90", "TR"),
    ("20", "EG"),
    ("27", "ZA"),
    ("234", "NG"),
    ("254", "KE"),
    ("971", "AE"),
    ("966", "SA"),
    ("84", "VN"),
    ("880", "BD"),
];

pub(crate) fn country_of(cc: &str) -> &'static str {
    PLAN_COUNTRIES
        .iter()
        .find(|(c, _)| *c == cc)
        .map_or("US", |(_, country)| country)
}

/// `request` with the order's countries as shops send them beside a
/// telephone number of calling code `cc`. The generator's assumption,
/// stated so that the figures can be read against it: 17 orders in 20 are
/// billed in the telephone number's own country (`billing.country`; shipped
/// there too, `shipping.country`, in 3 of 5 of those; the calling code in
/// `billing.phone_country_code` in 1 of 4), 2 in 20 in another country (a
/// buyer abroad, a number of another country; shipped there too in 1 of 2),
/// and 1 in 20 carry no country. The same numbers with no country at all
/// are the rows of [`NO_COUNTRY`]: the countries are drawn by a generator of
/// their own, seeded from `rng`'s state without advancing it, so that both
/// rows hold the same numbers.
fn with_order_countries(rng: &Rng, cc: &str, mut request: Value) -> Value {
    let rng = &mut Rng::new(rng.0.rotate_left(29) ^ 0x9E37_79B9_7F4A_7C15);
    let own = country_of(cc);
    let (billing, shipping, code) = match rng.below(20) {
        0 => (None, None, None),
        1 | 2 => {
            let other = loop {
                let (_, c) = *rng.pick(PLAN_COUNTRIES);
                if c != own {
                    break c;
                }
            };
            (Some(other), rng.chance(2).then_some(other), None)
        }
        _ => (
            Some(own),
            (rng.below(5) < 3).then_some(own),
            rng.chance(4).then_some(cc),
        ),
    };
    if let Some(c) = billing {
        request["billing"]["country"] = json!(c);
    }
    if let Some(c) = shipping {
        request["shipping"]["country"] = json!(c);
    }
    if let Some(c) = code {
        request["billing"]["phone_country_code"] = json!(c);
    }
    request
}

/// `case` with `country` as its request's `billing.country` (and, in one
/// case in two, `shipping.country`): a card in an order of that country.
/// Reports carry no country and are left as they are.
pub(crate) fn with_country(rng: &mut Rng, mut case: Case, country: &str) -> Case {
    if case.endpoint != Endpoint::Transaction || !case.request.is_object() {
        return case;
    }
    let groups: &[&str] = if rng.chance(2) {
        &["billing", "shipping"]
    } else {
        &["billing"]
    };
    for g in groups {
        match &mut case.request[*g] {
            Value::Null => case.request[*g] = json!({"country": country}),
            Value::Object(o) => {
                o.entry("country").or_insert_with(|| json!(country));
            }
            _ => {}
        }
    }
    case
}

/// `nsn` split into groups of 3, 3 and the rest, joined by `sep`.
fn grouped(nsn: &str, sep: &str) -> String {
    let n = nsn.len();
    if n < 7 {
        return nsn.to_owned();
    }
    format!("{}{sep}{}{sep}{}", &nsn[..3], &nsn[3..6], &nsn[6..n])
}

fn written(rng: &mut Rng, cc: &str, nsn: &str, plus: bool) -> String {
    let p = if plus { "+" } else { "" };
    match rng.below(6) {
        0 | 1 => format!("{p}{cc}{nsn}"),
        2 => format!("{p}{cc} {}", grouped(nsn, " ")),
        3 => format!("{p}{cc}-{}", grouped(nsn, "-")),
        4 => format!("{p}{cc} {nsn}"),
        _ => format!("{p}({cc}) {}", grouped(nsn, ".")),
    }
}

fn ph_mobile_in_phone_field(rng: &mut Rng) -> Value {
    let prefix = *rng.pick(&[
        "917", "918", "919", "920", "927", "935", "945", "977", "995", "998",
    ]);
    let nsn = format!("{prefix}{}", rng.digits(7));
    let plus = rng.chance(3);
    let v = written(rng, "63", &nsn, plus);
    json!({"billing": {"phone_number": v, "phone_country_code": "63"}})
}

/// A generator of a request holding a telephone number, with the order's
/// countries (`true`: [`with_order_countries`]) or none.
type Phones = fn(&mut Rng, bool) -> Value;

/// `generate`'s request, with the order's countries or without.
fn ordered(rng: &mut Rng, generate: Phones) -> Value {
    generate(rng, true)
}

fn unordered(rng: &mut Rng, generate: Phones) -> Value {
    generate(rng, false)
}

/// `request` (holding a number of calling code `cc`) with the order's
/// countries when `countries`.
fn countries_if(rng: &Rng, countries: bool, cc: &str, request: Value) -> Value {
    if countries {
        with_order_countries(rng, cc, request)
    } else {
        request
    }
}

fn cc56_69_phone_fields_in(rng: &mut Rng, countries: bool) -> Value {
    let (cc, nsn) = number(rng, true);
    let v = written(rng, &cc, &nsn, false);
    let r = in_phone_field(rng, &v);
    countries_if(rng, countries, &cc, r)
}

fn cc56_69_text_fields_in(rng: &mut Rng, countries: bool) -> Value {
    let (cc, nsn) = number(rng, true);
    let v = written(rng, &cc, &nsn, false);
    let r = in_text_field(rng, &v);
    countries_if(rng, countries, &cc, r)
}

fn cc56_69_phone_fields(rng: &mut Rng) -> Value {
    unordered(rng, cc56_69_phone_fields_in)
}

fn cc56_69_phone_fields_ordered(rng: &mut Rng) -> Value {
    ordered(rng, cc56_69_phone_fields_in)
}

fn cc56_69_text_fields(rng: &mut Rng) -> Value {
    unordered(rng, cc56_69_text_fields_in)
}

fn cc56_69_text_fields_ordered(rng: &mut Rng) -> Value {
    ordered(rng, cc56_69_text_fields_in)
}

/// Custom input keys shops give a second telephone number.
const PHONE_KEYS: &[&str] = &[
    "mobile",
    "mobile_number",
    "contact_number",
    "whatsapp",
    "telefono",
    "celular",
    "no_hp",
    "alt_phone",
];

/// What people write before a telephone number in a note or an address
/// line.
const PHONE_WORDS: &[&str] = &[
    "call",
    "Pls call",
    "Tel:",
    "Mobile",
    "mobile no.",
    "WhatsApp:",
    "Contact #:",
    "Cel.",
    "HP",
    "Telp.",
];

/// A value in a telephone number's context: a custom input keyed as one, or
/// free text with its word before it; and the path it is at.
fn in_phone_context(rng: &mut Rng, v: &str) -> (Value, String) {
    if rng.chance(2) {
        let key = *rng.pick(PHONE_KEYS);
        (
            json!({"custom_inputs": {key: v}}),
            format!("/custom_inputs/{key}"),
        )
    } else {
        let word = *rng.pick(PHONE_WORDS);
        let v = format!("{word} {v}");
        match rng.below(3) {
            0 => (
                json!({"custom_inputs": {"note": v}}),
                "/custom_inputs/note".into(),
            ),
            1 => (
                json!({"shipping": {"address_2": v}}),
                "/shipping/address_2".into(),
            ),
            _ => (
                json!({"billing": {"address_2": v}}),
                "/billing/address_2".into(),
            ),
        }
    }
}

fn cc56_69_phone_context_in(rng: &mut Rng, countries: bool) -> Value {
    let (cc, nsn) = number(rng, true);
    let v = written(rng, &cc, &nsn, false);
    let r = in_phone_context(rng, &v).0;
    countries_if(rng, countries, &cc, r)
}

fn cc56_69_phone_context(rng: &mut Rng) -> Value {
    unordered(rng, cc56_69_phone_context_in)
}

fn cc56_69_phone_context_ordered(rng: &mut Rng) -> Value {
    ordered(rng, cc56_69_phone_context_in)
}

/// A telephone number in any form, and its (first) calling code.
fn any_form(rng: &mut Rng) -> (String, String) {
    let (cc, nsn) = number(rng, false);
    let v = match rng.below(5) {
        0 => written(rng, &cc, &nsn, true),
        1 => written(rng, &cc, &nsn, false),
        2 => format!("00{cc}{nsn}"),
        3 => format!("0{nsn}"),
        _ => {
            let (cc2, nsn2) = number(rng, false);
            format!("+{cc}{nsn} / +{cc2} {}", grouped(&nsn2, " "))
        }
    };
    (v, cc)
}

fn phones_phone_fields_in(rng: &mut Rng, countries: bool) -> Value {
    let (v, cc) = any_form(rng);
    let r = in_phone_field(rng, &v);
    countries_if(rng, countries, &cc, r)
}

fn phones_text_fields_in(rng: &mut Rng, countries: bool) -> Value {
    let (v, cc) = any_form(rng);
    let r = in_text_field(rng, &v);
    countries_if(rng, countries, &cc, r)
}

fn phones_phone_fields(rng: &mut Rng) -> Value {
    unordered(rng, phones_phone_fields_in)
}

fn phones_phone_fields_ordered(rng: &mut Rng) -> Value {
    ordered(rng, phones_phone_fields_in)
}

fn phones_text_fields(rng: &mut Rng) -> Value {
    unordered(rng, phones_text_fields_in)
}

fn phones_text_fields_ordered(rng: &mut Rng) -> Value {
    ordered(rng, phones_text_fields_in)
}

fn phone_links_in(rng: &mut Rng, countries: bool) -> Value {
    let only = rng.chance(2);
    let (cc, nsn) = number(rng, only);
    let v = match rng.below(5) {
        0 => format!("https://wa.me/{cc}{nsn}"),
        1 => format!("https://wa.me/{cc}{nsn}?text=Hola"),
        2 => format!("https://api.whatsapp.com/send?phone={cc}{nsn}"),
        3 => format!("tel:+{cc}{nsn}"),
        _ => format!("WhatsApp {cc}{nsn}"),
    };
    let r = match rng.below(3) {
        0 => json!({"order": {"referrer_uri": v}}),
        1 => json!({"custom_inputs": {"contact": v}}),
        _ => json!({"billing": {"address_2": v}}),
    };
    countries_if(rng, countries, &cc, r)
}

fn phone_links(rng: &mut Rng) -> Value {
    unordered(rng, phone_links_in)
}

fn phone_links_ordered(rng: &mut Rng) -> Value {
    ordered(rng, phone_links_in)
}

// === IBANs ===

/// Every country of the SWIFT IBAN Registry with its IBAN length, and how
/// many leading BBAN characters are letters (bank codes).
pub(crate) const IBAN_COUNTRIES: &[(&str, usize, usize)] = &[
    ("AD", 24, 0),
    ("AE", 23, 0),
    ("AL", 28, 0),
    ("AT", 20, 0),
    ("AZ", 28, 4),
    ("BA", 20, 0),
    ("BE", 16, 0),
    ("BG", 22, 4),
    ("BH", 22, 4),
    ("BI", 27, 0),
    ("BR", 29, 0),
    ("BY", 28, 4),
    ("CH", 21, 0),
    ("CR", 22, 0),
    ("CY", 28, 0),
    ("CZ", 24, 0),
    ("DE", 22, 0),
    ("DJ", 27, 0),
    ("DK", 18, 0),
    ("DO", 28, 4),
    ("EE", 20, 0),
    ("EG", 29, 0),
    ("ES", 24, 0),
    ("FI", 18, 0),
    ("FK", 18, 2),
    ("FO", 18, 0),
    ("FR", 27, 0),
    ("GB", 22, 4),
    ("GE", 22, 2),
    ("GI", 23, 4),
    ("GL", 18, 0),
    ("GR", 27, 0),
    ("GT", 28, 0),
    ("HN", 28, 4),
    ("HR", 21, 0),
    ("HU", 28, 0),
    ("IE", 22, 4),
    ("IL", 23, 0),
    ("IQ", 23, 4),
    ("IS", 26, 0),
    ("IT", 27, 1),
    ("JO", 30, 4),
    ("KW", 30, 4),
    ("KZ", 20, 0),
    ("LB", 28, 0),
    ("LC", 32, 4),
    ("LI", 21, 0),
    ("LT", 20, 0),
    ("LU", 20, 0),
    ("LV", 21, 4),
    ("LY", 25, 0),
    ("MC", 27, 0),
    ("MD", 24, 2),
    ("ME", 22, 0),
    ("MK", 19, 0),
    ("MN", 20, 0),
    ("MR", 27, 0),
    ("MT", 31, 4),
    ("MU", 30, 4),
    ("NI", 28, 4),
    ("NL", 18, 4),
    ("NO", 15, 0),
    ("OM", 23, 0),
    ("PK", 24, 4),
    ("PL", 28, 0),
    ("PS", 29, 4),
    ("PT", 25, 0),
    ("QA", 29, 4),
    ("RO", 24, 4),
    ("RS", 22, 0),
    ("RU", 33, 0),
    ("SA", 24, 0),
    ("SC", 31, 4),
    ("SD", 18, 0),
    ("SE", 24, 0),
    ("SI", 19, 0),
    ("SK", 24, 0),
    ("SM", 27, 1),
    ("SO", 23, 0),
    ("ST", 25, 0),
    ("SV", 28, 4),
    ("TL", 23, 0),
    ("TN", 24, 0),
    ("TR", 26, 0),
    ("UA", 29, 0),
    ("VA", 22, 0),
    ("VG", 24, 4),
    ("XK", 20, 0),
    ("YE", 30, 4),
];

/// A valid IBAN (ISO 13616 check digits) of `cc`, compact and upper case.
pub(crate) fn iban_of(rng: &mut Rng, cc: &str, len: usize, letters: usize) -> String {
    let head: String = (0..letters)
        .map(|_| char::from(b'A' + rng.below(26) as u8))
        .collect();
    let bban = format!("{head}{}", rng.digits(len - 4 - letters));
    let rem = format!("{bban}{cc}00").bytes().fold(0u32, |r, b| {
        if b.is_ascii_digit() {
            (r * 10 + u32::from(b - b'0')) % 97
        } else {
            (r * 100 + u32::from(b - b'A') + 10) % 97
        }
    });
    format!("{cc}{:02}{bban}", 98 - rem)
}

pub(crate) fn fours(s: &str, sep: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(sep)
}

fn ibans(rng: &mut Rng) -> Value {
    let (cc, len, letters) = *rng.pick(IBAN_COUNTRIES);
    let iban = iban_of(rng, cc, len, letters);
    let v = match rng.below(9) {
        0 => iban,
        1 => iban.to_lowercase(),
        2 => fours(&iban, " "),
        3 => fours(&iban.to_lowercase(), " "),
        4 => fours(&iban, "-"),
        5 => fours(&iban, "  "),
        6 => format!("IBAN:{iban}"),
        7 => format!("IBAN{}", fours(&iban, " ")),
        _ => format!("Überweisung auf {iban}EUR"),
    };
    match rng.below(3) {
        0 => json!({"custom_inputs": {"refund_account": v}}),
        1 => json!({"billing": {"address_2": v}}),
        _ => json!({"payment": {"decline_code": v}}),
    }
}

/// An IBAN glued to the words around it with no separator, as people type
/// it into a note or a refund field: a German one every other time (the
/// country whose 18 digits after the check digits hold cards most often).
fn ibans_glued(rng: &mut Rng) -> Value {
    let (cc, len, letters) = if rng.chance(2) {
        ("DE", 22, 0)
    } else {
        *rng.pick(IBAN_COUNTRIES)
    };
    let iban = iban_of(rng, cc, len, letters);
    let before = *rng.pick(&[
        "", "Kontonr", "IBAN", "iban", "Konto", "an", "compte", "cuenta", "rekening",
    ]);
    let after = *rng.pick(&[
        "", "bitte", "danke", "EUR", "Danke", "thanks", "merci", "gracias",
    ]);
    let iban = if rng.chance(3) {
        iban.to_lowercase()
    } else {
        iban
    };
    let v = format!("{before}{iban}{after}");
    match rng.below(3) {
        0 => json!({"custom_inputs": {"note": v}}),
        1 => json!({"billing": {"address_2": v}}),
        _ => json!({"payment": {"decline_code": v}}),
    }
}

// === Coordinates, OLE dates ===

/// A latitude or longitude as JavaScript and serde print a double: 15 to 17
/// significant digits.
fn degrees(rng: &mut Rng, max: usize) -> f64 {
    let whole = rng.below(max) as f64;
    let frac = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    let v = whole + frac;
    if rng.chance(2) {
        -v
    } else {
        v
    }
}

fn coordinate_numbers(rng: &mut Rng) -> Value {
    let (lat, lng) = (degrees(rng, 90), degrees(rng, 180));
    match rng.below(3) {
        0 => json!({"custom_inputs": {"lat": lat, "lng": lng}}),
        1 => json!({"custom_inputs": {"delivery_latitude": lat, "delivery_longitude": lng}}),
        _ => json!({"custom_inputs": {"geo_a": lat, "geo_b": lng}}),
    }
}

fn coordinate_text(rng: &mut Rng) -> Value {
    let (lat, lng) = (degrees(rng, 90), degrees(rng, 180));
    let v = match rng.below(4) {
        0 => format!("{lat},{lng}"),
        1 => format!("{lat}, {lng}"),
        2 => format!("{lat} {lng}"),
        _ => format!("https://maps.google.com/?q={lat},{lng}"),
    };
    match rng.below(3) {
        0 => json!({"custom_inputs": {"location": v}}),
        1 => json!({"shipping": {"address_2": v}}),
        _ => json!({"billing": {"address_2": v}}),
    }
}

fn ole_dates(rng: &mut Rng) -> Value {
    // Days since 1899-12-30 for 2000-2035, with the time of day as the fraction.
    let days = rng.range(36_526, 49_309) as f64;
    let v = days + (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    match rng.below(3) {
        0 => json!({"custom_inputs": {"created": v}}),
        1 => json!({"custom_inputs": {"created": v.to_string()}}),
        _ => {
            json!({"shopping_cart": [{"item_id": "sku-1", "price": 10.5}], "custom_inputs": {"ordered_at": v}})
        }
    }
}

// === Barcodes ===

/// The GS1 check digit of `body` (weights 3, 1 from the right).
pub(crate) fn gs1_check(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

fn with_gs1(body: String) -> String {
    let c = gs1_check(&body);
    format!("{body}{c}")
}

/// A USPS tracking number of the IMpb: channel 92-95, service type, a 6- or
/// 9-digit mailer id, serial, GS1 check digit: 22 digits.
fn usps_tracking(rng: &mut Rng) -> String {
    let channel = *rng.pick(&["92", "93", "94", "95"]);
    with_gs1(format!("{channel}{}", rng.digits(19)))
}

fn impb(rng: &mut Rng) -> Value {
    let zip = if rng.chance(2) {
        rng.digits(5)
    } else {
        rng.digits(9)
    };
    let tracking = usps_tracking(rng);
    let v = match rng.below(4) {
        0 | 1 => format!("420{zip}{tracking}"),
        2 => format!("420{zip} {tracking}"),
        _ => format!("(420){zip}({}){}", &tracking[..2], &tracking[2..]),
    };
    match rng.below(3) {
        0 => json!({"custom_inputs": {"label_scan": v}}),
        1 => json!({"shipping": {"address_2": v}}),
        _ => json!({"event": {"transaction_id": v}}),
    }
}

fn gs1(rng: &mut Rng) -> Value {
    let gtin = with_gs1(format!("{}{}", rng.below(10), rng.digits(12)));
    let expiry = format!(
        "{:02}{:02}{:02}",
        rng.range(24, 35),
        rng.range(1, 12),
        rng.range(1, 28)
    );
    let lot = format!("L{}", rng.digits_between(3, 8));
    let serial = rng.digits_between(6, 12);
    let sscc = with_gs1(format!("{}{}", rng.below(10), rng.digits(16)));
    let v = match rng.below(6) {
        0 => format!("(01){gtin}(17){expiry}(10){lot}"),
        1 => format!("01{gtin}17{expiry}10{lot}"),
        2 => format!("(01){gtin}(21){serial}"),
        3 => format!("01{gtin}21{serial}"),
        4 => format!("(00){sscc}"),
        _ => format!("00{sscc}"),
    };
    match rng.below(3) {
        0 => json!({"shopping_cart": [{"item_id": v, "quantity": 1}]}),
        1 => json!({"custom_inputs": {"scan": v}}),
        _ => json!({"shopping_cart": [{"category": v}]}),
    }
}

// === National identity numbers ===

/// A Chinese resident identity number (GB 11643-1999): region, birth date,
/// sequence, ISO 7064 MOD 11-2 check character.
pub(crate) fn chinese_id(rng: &mut Rng) -> String {
    let region = *rng.pick(&[
        "110101", "120101", "130102", "140105", "150102", "210102", "220102", "230102", "310101",
        "320102", "330102", "340102", "350102", "360102", "370102", "410102", "420102", "430102",
        "440103", "450102", "460105", "500101", "510104", "520102", "530102", "540102", "610102",
        "620102", "630102", "640104", "650102",
    ]);
    let birth = format!(
        "{}{:02}{:02}",
        rng.range(1940, 2008),
        rng.range(1, 12),
        rng.range(1, 28)
    );
    let body = format!("{region}{birth}{}", rng.digits(3));
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    format!("{body}{}", char::from(check))
}

/// Custom input keys cross-border shops give the buyer's identity number
/// (China's customs clearance asks for it beside the order).
const ID_KEYS: &[&str] = &[
    "id_number",
    "idcard_no",
    "buyer_id_number",
    "national_id",
    "shenfenzheng",
    "identity_no",
];

/// Words written before an identity number in free text.
const ID_WORDS: &[&str] = &[
    "身份证",
    "身份证号码：",
    "身份證號碼 ",
    "ID no.",
    "National ID:",
];

/// A value in an identity number's context: a custom input keyed as one, or
/// free text with its word before it; and the path it is at.
fn in_id_context(rng: &mut Rng, v: &str) -> (Value, String) {
    if rng.chance(2) {
        let key = *rng.pick(ID_KEYS);
        (
            json!({"custom_inputs": {key: v}}),
            format!("/custom_inputs/{key}"),
        )
    } else {
        let word = *rng.pick(ID_WORDS);
        let v = format!("{word} {v}");
        match rng.below(3) {
            0 => (
                json!({"billing": {"address_2": v}}),
                "/billing/address_2".into(),
            ),
            1 => (
                json!({"shipping": {"address_2": v}}),
                "/shipping/address_2".into(),
            ),
            _ => (
                json!({"custom_inputs": {"note": v}}),
                "/custom_inputs/note".into(),
            ),
        }
    }
}

fn chinese_ids(rng: &mut Rng) -> Value {
    let id = chinese_id(rng);
    in_id_context(rng, &id).0
}

fn chinese_ids_bare(rng: &mut Rng) -> Value {
    let id = chinese_id(rng);
    match rng.below(2) {
        0 => json!({"account": {"user_id": id}}),
        _ => json!({"custom_inputs": {"note": id}}),
    }
}

/// The ISO 7064 MOD 11-2 check character of a 17-digit body.
fn iso7064_check(body: &str) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

// === Cards, by shape ===

pub(crate) fn rejected(request: Value, path: String) -> Case {
    Case {
        request,
        endpoint: Endpoint::Transaction,
        policy: PolicyKind::Default,
        expect: Expect::Rejected("PAN_DETECTED", path),
    }
}

/// Whether a PAN of `len` digits with this start is only a Maestro legacy
/// length (12-15 digits in 50 or 56-69), which collides with telephone
/// numbers: an ambiguous shape.
pub(crate) fn maestro_short(pan: &str) -> bool {
    let p2 = &pan[..2];
    pan.len() <= 15 && (p2 == "50" || ("56".."70").contains(&p2))
}

/// A card of a brand's length outside the Maestro legacy lengths.
pub(crate) fn unambiguous_pan(rng: &mut Rng) -> String {
    loop {
        let (prefix, lengths) = *rng.pick(BRANDS);
        let len = *rng.pick(lengths);
        let p = pan_of(rng, prefix, len);
        if !maestro_short(&p) {
            return p;
        }
    }
}

fn unambiguous_plain(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let (request, path) = anywhere(rng, &p);
    rejected(request, path)
}

const LAYOUT_SEPARATORS: &[&str] = &[
    " ", "-", ".", "/", "_", "  ", " - ", "\u{a0}", "\u{2009}", "\u{3000}", "\u{2013}", ";", "*",
    ":", "|", "'", "\u{30fb}", "\u{00b7}", "~", "=",
];

fn unambiguous_layout(rng: &mut Rng) -> Case {
    let p = loop {
        let p = unambiguous_pan(rng);
        if matches!(p.len(), 13..=16 | 19) {
            break p;
        }
    };
    let sizes: &[usize] = match p.len() {
        15 => &[4, 6, 5],
        14 => &[4, 6, 4],
        13 => &[4, 4, 4, 1],
        19 => &[4, 4, 4, 4, 3],
        _ => &[4, 4, 4, 4],
    };
    let mixed = rng.chance(3);
    let first = *rng.pick(LAYOUT_SEPARATORS);
    let mut out = String::new();
    let mut at = 0;
    for (i, &n) in sizes.iter().enumerate() {
        if i > 0 {
            let sep: &str = if mixed {
                rng.pick::<&str>(LAYOUT_SEPARATORS)
            } else {
                first
            };
            out.push_str(sep);
        }
        out.push_str(&p[at..at + n]);
        at += n;
    }
    let (request, path) = anywhere(rng, &out);
    rejected(request, path)
}

fn unambiguous_number(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let n: Value = serde_json::from_str(&p).unwrap();
    let (request, path) = match rng.below(4) {
        0 => (json!({"custom_inputs": {"lat": n}}), "/custom_inputs/lat"),
        1 => (json!({"order": {"amount": n}}), "/order/amount"),
        2 => (
            json!({"shopping_cart": [{"price": n}]}),
            "/shopping_cart/0/price",
        ),
        _ => (json!({"device": {"session_age": n}}), "/device/session_age"),
    };
    rejected(request, path.into())
}

fn ambiguous_short_maestro(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(&[
        "5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763", "5612", "6390",
    ]);
    let len = rng.range(12, 15);
    let p = pan_of(rng, prefix, len);
    let (request, path) = anywhere(rng, &p);
    rejected(request, path)
}

fn ambiguous_glued(rng: &mut Rng) -> Case {
    let p = loop {
        let p = unambiguous_pan(rng);
        if !p.starts_with('1') {
            break p;
        }
    };
    let v = match rng.below(4) {
        0 => format!("{p}{}", rng.digits(3)),
        1 => format!("{p}{}", rng.digits(4)),
        2 => format!("{p}{:02}{:02}", rng.range(1, 12), rng.range(25, 35)),
        _ => format!(
            "{p}{:02}{}{}",
            rng.range(1, 12),
            rng.range(2025, 2035),
            rng.digits(3)
        ),
    };
    let (request, path) = anywhere(rng, &v);
    rejected(request, path)
}

fn ambiguous_after_plus(rng: &mut Rng) -> Case {
    let p = loop {
        let p = unambiguous_pan(rng);
        if p.len() >= 16 {
            break p;
        }
    };
    let v = match rng.below(3) {
        0 => format!("+{p}"),
        1 => format!("note=card+{p}+thanks"),
        _ => format!("+{}", fours(&p, " ")),
    };
    let (request, path) = anywhere(rng, &v);
    rejected(request, path)
}

fn ambiguous_with_word(rng: &mut Rng) -> Case {
    let word = *rng.pick(&[
        "card",
        "Visa",
        "Maestro",
        "cc#",
        "Karte",
        "tarjeta",
        "carte",
        "cartão",
        "卡号",
        "カード",
        "카드",
    ]);
    let p = match rng.below(3) {
        0 => {
            let prefix = *rng.pick(&["5018", "6304", "6759", "6390", "5612"]);
            let len = rng.range(12, 15);
            pan_of(rng, prefix, len)
        }
        1 => {
            let p = unambiguous_pan(rng);
            format!("{p}{}", rng.digits(3))
        }
        _ => {
            // A telephone-looking Maestro: country code 63 or 62 first.
            let prefix = *rng.pick(&["6391", "6281"]);
            let len = rng.range(12, 13);
            pan_of(rng, prefix, len)
        }
    };
    let v = format!("{word} {p}");
    let (request, path) = anywhere(rng, &v);
    rejected(request, path)
}

fn unambiguous_in_id_context(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let (request, path) = in_id_context(rng, &p);
    rejected(request, path)
}

/// An 18-digit UnionPay number laid out as a Gansu resident id (province 62,
/// a date of birth) that passes Luhn but not ISO 7064 MOD 11-2: the
/// independent check fails, so the id context must not clear it.
fn id_shaped_card_in_id_context(rng: &mut Rng) -> Case {
    let p = loop {
        let body = format!(
            "6201{:02}{}{:02}{:02}{}",
            rng.range(1, 30),
            rng.range(1940, 2008),
            rng.range(1, 12),
            rng.range(1, 28),
            rng.digits(3)
        );
        let luhn = char::from(b'0' + super::luhn_check_digit(&body));
        if u8::try_from(luhn).ok() != Some(iso7064_check(&body)) {
            break format!("{body}{luhn}");
        }
    };
    let (request, path) = in_id_context(rng, &p);
    rejected(request, path)
}

/// `00` and an 18-digit card (UnionPay, Maestro) whose digits fail the GS1
/// check, in a cart item's id or under a code word: read as the card.
fn sscc_shaped_card_in_code_context(rng: &mut Rng) -> Case {
    let p = loop {
        let prefix = *rng.pick(&["62", "6759"]);
        let p = pan_of(rng, prefix, 18);
        if gs1_check(&p[..17]) != p.chars().last().unwrap_or(' ') {
            break p;
        }
    };
    let v = format!("00{p}");
    let (request, path) = match rng.below(3) {
        0 => (
            json!({"shopping_cart": [{"item_id": v, "quantity": 1}]}),
            "/shopping_cart/0/item_id".to_owned(),
        ),
        1 => (
            json!({"custom_inputs": {"scan": v}}),
            "/custom_inputs/scan".to_owned(),
        ),
        _ => (
            json!({"custom_inputs": {"note": format!("SSCC {v}")}}),
            "/custom_inputs/note".to_owned(),
        ),
    };
    rejected(request, path)
}

// === Custom inputs typed in the policy ===

fn cc56_69_in_alternate(rng: &mut Rng) -> Value {
    let (cc, nsn) = number(rng, true);
    let v = written(rng, &cc, &nsn, false);
    json!({"custom_inputs": {"alternate": v}})
}

fn typed(request: Value, path: &str) -> Case {
    Case {
        request,
        endpoint: Endpoint::Transaction,
        policy: PolicyKind::Typed,
        expect: Expect::Rejected("PAN_DETECTED", path.to_owned()),
    }
}

fn typed_phone_unambiguous(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    // After `+`, at most 15 digits are a telephone number anywhere (E.164).
    let v = match rng.below(3) {
        1 if p.len() >= 16 => format!("+{p}"),
        0 | 1 => p,
        _ => fours(&p, " "),
    };
    typed(
        json!({"custom_inputs": {"alternate": v}}),
        "/custom_inputs/alternate",
    )
}

/// Forwarded only when the digits are also a valid telephone number with
/// their country code, as in minFraud's own telephone fields (`holds`
/// counts those as forwarded by the field's type).
fn typed_phone_short_maestro(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(&[
        "5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763", "5612", "6390",
    ]);
    let len = rng.range(12, 15);
    let p = pan_of(rng, prefix, len);
    typed(
        json!({"custom_inputs": {"alternate": p}}),
        "/custom_inputs/alternate",
    )
}

fn typed_number_card(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let n: Value = serde_json::from_str(&p).unwrap();
    typed(
        json!({"custom_inputs": {"points": n}}),
        "/custom_inputs/points",
    )
}

fn unambiguous_in_phone_context(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let (request, path) = in_phone_context(rng, &p);
    rejected(request, path)
}

fn unambiguous_in_code_context(rng: &mut Rng) -> Case {
    let mut p = unambiguous_pan(rng);
    let (request, path) = match rng.below(3) {
        0 => {
            let key = *rng.pick(&["scan", "barcode", "gtin", "sscc", "tracking"]);
            (
                json!({"custom_inputs": {key: p}}),
                format!("/custom_inputs/{key}"),
            )
        }
        1 => {
            // A GTIN's length and check digit alone in a cart item's id is
            // a GTIN (measured apart: `card_gtin_shaped_alone_in_a_cart_item_id`).
            while matches!(p.len(), 13 | 14) && gs1_check_holds(&p) {
                p = unambiguous_pan(rng);
            }
            (
                json!({"shopping_cart": [{"item_id": p}]}),
                "/shopping_cart/0/item_id".to_owned(),
            )
        }
        _ => {
            let word = *rng.pick(&["SSCC", "EAN", "scan:", "barcode"]);
            (
                json!({"custom_inputs": {"note": format!("{word} {p}")}}),
                "/custom_inputs/note".to_owned(),
            )
        }
    };
    rejected(request, path)
}

/// Whether `digits`' last digit is GS1's check digit of the others.
fn gs1_check_holds(digits: &str) -> bool {
    let (body, last) = digits.split_at(digits.len() - 1);
    last.starts_with(gs1_check(body))
}

/// A 13- or 14-digit card of a brand's length alone in a cart item id:
/// forwarded when GS1's check digit holds (one in ten), as a GTIN.
fn card_gtin_shaped_alone_in_a_cart_item_id(rng: &mut Rng) -> Case {
    let p = loop {
        let (prefix, lengths) = *rng.pick(BRANDS);
        let short: Vec<usize> = lengths
            .iter()
            .copied()
            .filter(|n| matches!(n, 13 | 14))
            .collect();
        if !short.is_empty() {
            let len = *rng.pick(&short);
            break pan_of(rng, prefix, len);
        }
    };
    rejected(
        json!({"shopping_cart": [{"item_id": p, "quantity": 1}]}),
        "/shopping_cart/0/item_id".to_owned(),
    )
}

// === Cards written alone in a text field ===

/// Maestro's legacy-length ranges in use (as `ambiguous_short_maestro`).
const SHORT_MAESTRO_PREFIXES: &[&str] = &[
    "5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763", "5612", "6390",
];

/// `v` alone in a free-text field, with its path.
fn alone_in_text(rng: &mut Rng, v: &str) -> (Value, String) {
    match rng.below(5) {
        0 => (
            json!({"custom_inputs": {"note": v}}),
            "/custom_inputs/note".into(),
        ),
        1 => (
            json!({"billing": {"address_2": v}}),
            "/billing/address_2".into(),
        ),
        2 => (
            json!({"shipping": {"address_2": v}}),
            "/shipping/address_2".into(),
        ),
        3 => (
            json!({"event": {"transaction_id": v}}),
            "/event/transaction_id".into(),
        ),
        _ => (
            json!({"account": {"user_id": v}}),
            "/account/user_id".into(),
        ),
    }
}

/// A short Maestro card written plain, alone in a text field with no word:
/// the case a telephone number written alone is lowered in, so the cards
/// that are also valid telephone numbers are this row's misses.
fn short_maestro_alone(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(SHORT_MAESTRO_PREFIXES);
    let len = rng.range(12, 15);
    let p = pan_of(rng, prefix, len);
    let (request, path) = alone_in_text(rng, &p);
    rejected(request, path)
}

/// A short Maestro card in groups of four, as cards are printed: never
/// written as a telephone number, so always caught.
fn short_maestro_laid_out(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(SHORT_MAESTRO_PREFIXES);
    let len = rng.range(12, 15);
    let p = pan_of(rng, prefix, len);
    let sep = *rng.pick(&[" ", "-", ".", "  "]);
    let v = fours(&p, sep);
    let (request, path) = alone_in_text(rng, &v);
    rejected(request, path)
}

/// A short Maestro card in random groups (one to six digits each, one
/// separator of those telephone numbers are typed with): the groupings a
/// telephone number written with its country code apart may share.
fn short_maestro_random_groups(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(SHORT_MAESTRO_PREFIXES);
    let len = rng.range(12, 15);
    let p = pan_of(rng, prefix, len);
    let groups = super::groups_of(rng, &p);
    let sep = *rng.pick(&[" ", "-", "."]);
    let v = groups.join(sep);
    let (request, path) = alone_in_text(rng, &v);
    rejected(request, path)
}

// === Cards shaped as resident identity numbers, alone ===

/// `v` alone where a resident id is sent with no identity word: the
/// account's user id or a note.
fn alone_as_id(rng: &mut Rng, v: &str) -> (Value, String) {
    if rng.chance(2) {
        (
            json!({"account": {"user_id": v}}),
            "/account/user_id".into(),
        )
    } else {
        (
            json!({"custom_inputs": {"note": v}}),
            "/custom_inputs/note".into(),
        )
    }
}

/// A Luhn-valid card of 18 digits (or 17 and an `X` after it) in a brand
/// range whose first digits a GB/T 2260 region code may start (JCB on
/// Discover 3101-3102, Diners 36, Maestro 50, Maestro, UnionPay and
/// Discover 61-65, UnionPay 81-82), alone in a user id or a note.
fn region_range_card_alone(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(&[
        "3101", "3102", "36", "50", "61", "62", "63", "64", "65", "81", "82",
    ]);
    let v = if rng.chance(4) {
        format!("{}X", pan_of(rng, prefix, 17))
    } else {
        pan_of(rng, prefix, 18)
    };
    let (request, path) = alone_as_id(rng, &v);
    rejected(request, path)
}

/// The body of an identity number with a real region and date of birth:
/// region, date, sequence (17 digits).
fn id_body(rng: &mut Rng, region: &str) -> String {
    format!(
        "{region}{}{:02}{:02}{}",
        rng.range(1940, 2008),
        rng.range(1, 12),
        rng.range(1, 28),
        rng.digits(3)
    )
}

/// An 18-digit UnionPay (or Maestro 50, Diners 36) number shaped as a
/// resident id of a real region with a real date of birth, whose Luhn
/// check digit is not its ISO 7064 check character: caught alone.
fn id_shaped_card_alone(rng: &mut Rng) -> Case {
    let p = loop {
        let region = *rng.pick(&["620102", "650102", "360102", "500101", "610102", "630102"]);
        let body = id_body(rng, region);
        let luhn = char::from(b'0' + super::luhn_check_digit(&body));
        if u8::try_from(luhn).ok() != Some(iso7064_check(&body)) {
            break format!("{body}{luhn}");
        }
    };
    let (request, path) = alone_as_id(rng, &p);
    rejected(request, path)
}

/// An 18-digit card that passes Luhn and ISO 7064 with a date of birth,
/// but whose region code no revision of GB/T 2260 held (`..99` in a real
/// prefecture): the structure alone does not clear it without a word.
fn unheld_region_card_alone(rng: &mut Rng) -> Case {
    let p = loop {
        let region = *rng.pick(&["620199", "650199", "360199", "500199", "610199"]);
        let body = id_body(rng, region);
        let luhn = char::from(b'0' + super::luhn_check_digit(&body));
        if u8::try_from(luhn).ok() == Some(iso7064_check(&body)) {
            break format!("{body}{luhn}");
        }
    };
    let (request, path) = alone_as_id(rng, &p);
    rejected(request, path)
}

/// A card of 12 to 15 digits (every brand with such a length) after `00`,
/// alone in a text field: the shape of a number dialled with its
/// international prefix, which a possible length for the country code
/// lowers; the cards whose digits have such a length are this row's misses.
fn dialled_short_card_alone(rng: &mut Rng) -> Case {
    let p = loop {
        let (prefix, lengths) = *rng.pick(super::BRANDS);
        let len = *rng.pick(lengths);
        if len <= 15 {
            break pan_of(rng, prefix, len);
        }
    };
    let (request, path) = alone_in_text(rng, &format!("00{p}"));
    rejected(request, path)
}

/// `digits` written as a telephone number with its country code apart: the
/// first two digits, then groups of three and the rest, joined by `sep`.
fn phone_written(digits: &str, sep: &str) -> String {
    let (cc, nsn) = digits.split_at(2);
    let mut groups = vec![cc.to_owned()];
    let mut at = 0;
    while nsn.len() - at > 4 {
        groups.push(nsn[at..at + 3].to_owned());
        at += 3;
    }
    groups.push(nsn[at..].to_owned());
    groups.join(sep)
}

/// A card of a brand's length (not only Maestro's) written as a telephone
/// number is (`41 111 111 111 111 1`): an unambiguous shape stays a card
/// however it is grouped, alone in a text field.
fn card_written_as_phone_alone(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let sep = *rng.pick(&[" ", "-", "."]);
    let (request, path) = alone_in_text(rng, &phone_written(&p, sep));
    rejected(request, path)
}

/// A short Maestro card written as a telephone number, after a card word:
/// the word raises it whatever libphonenumber says.
fn short_maestro_as_phone_after_card_word(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(&["6390", "6391", "6281", "5730", "6011", "5893"]);
    let len = rng.range(12, 13);
    let p = pan_of(rng, prefix, len);
    let word = *rng.pick(&["card", "Maestro", "tarjeta", "cartão", "卡号", "카드"]);
    let (request, path) = alone_in_text(rng, &format!("{word} {}", phone_written(&p, " ")));
    rejected(request, path)
}

/// An 18-digit card that is also a whole resident id (a held region, a
/// real date of birth, ISO 7064 equal to Luhn), after a card word: the
/// word keeps it a card.
fn whole_id_card_after_card_word(rng: &mut Rng) -> Case {
    let p = loop {
        let region = *rng.pick(&["620102", "650102", "360102", "500101", "610102"]);
        let body = id_body(rng, region);
        let luhn = char::from(b'0' + super::luhn_check_digit(&body));
        if u8::try_from(luhn).ok() == Some(iso7064_check(&body)) {
            break format!("{body}{luhn}");
        }
    };
    let word = *rng.pick(&["card", "UnionPay", "卡号", "银行卡", "tarjeta"]);
    let (request, path) = alone_as_id(rng, &format!("{word} {p}"));
    rejected(request, path)
}

/// A short Maestro card in random groups (as `short_maestro_random_groups`)
/// in a telephone field, under a telephone key or after a telephone word:
/// a number of a possible length written with its country code apart is
/// lowered there, so such cards are this row's misses.
fn short_maestro_random_groups_phone_context(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(SHORT_MAESTRO_PREFIXES);
    let len = rng.range(12, 15);
    let p = pan_of(rng, prefix, len);
    let groups = super::groups_of(rng, &p);
    let sep = *rng.pick(&[" ", "-", "."]);
    let v = groups.join(sep);
    let (request, path) = if rng.chance(3) {
        let (g, f) = *rng.pick(PHONE_FIELDS);
        let mut r = json!({});
        r[g][f] = json!(v);
        (r, format!("/{g}/{f}"))
    } else {
        in_phone_context(rng, &v)
    };
    rejected(request, path)
}

// === USPS tracking numbers in groups of four ===

/// A USPS tracking number as printed on a label or a receipt: 22 digits,
/// a channel and service prefix in use, the GS1 check digit last.
fn usps_printed(rng: &mut Rng) -> String {
    let prefix = *rng.pick(&["9400", "9205", "9270", "9300", "9361", "9407"]);
    with_gs1(format!("{prefix}{}", rng.digits(17)))
}

fn usps_grouped(rng: &mut Rng) -> String {
    fours(&usps_printed(rng), " ")
}

fn usps_grouped_keyed(rng: &mut Rng) -> Value {
    let v = usps_grouped(rng);
    let key = *rng.pick(&[
        "tracking_number",
        "tracking",
        "usps_tracking",
        "tracking_no",
    ]);
    json!({"custom_inputs": {key: v}})
}

fn usps_grouped_item_id(rng: &mut Rng) -> Value {
    json!({"shopping_cart": [{"item_id": usps_grouped(rng), "quantity": 1}]})
}

fn usps_grouped_after_word(rng: &mut Rng) -> Value {
    let v = usps_grouped(rng);
    let note = match rng.below(3) {
        0 => format!("tracking {v}"),
        1 => format!("USPS Tracking #: {v}"),
        _ => format!("Shipped, tracking number {v}"),
    };
    match rng.below(2) {
        0 => json!({"custom_inputs": {"note": note}}),
        _ => json!({"shipping": {"address_2": note}}),
    }
}

/// A card in one of the tracking placements above: under a tracking key,
/// in a cart item's id, or after a tracking word in a note; with its path.
fn in_tracking_context(rng: &mut Rng, v: &str) -> (Value, String) {
    match rng.below(3) {
        0 => (
            json!({"custom_inputs": {"tracking_number": v}}),
            "/custom_inputs/tracking_number".into(),
        ),
        1 => (
            json!({"shopping_cart": [{"item_id": v}]}),
            "/shopping_cart/0/item_id".into(),
        ),
        _ => (
            json!({"custom_inputs": {"note": format!("tracking {v}")}}),
            "/custom_inputs/note".into(),
        ),
    }
}

pub(crate) fn card_of_16(rng: &mut Rng) -> String {
    loop {
        let p = unambiguous_pan(rng);
        if p.len() == 16 {
            return p;
        }
    }
}

fn card_grouped_then_more_in_tracking_context(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let more = rng.range(1, 2);
    let tail: Vec<String> = (0..more).map(|_| rng.digits_between(2, 4)).collect();
    let v = format!("{} {}", fours(&p, " "), tail.join(" "));
    let (request, path) = in_tracking_context(rng, &v);
    rejected(request, path)
}

fn card_grouped_under_tracking_key(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let (request, path) = in_tracking_context(rng, &fours(&p, " "));
    rejected(request, path)
}

/// A 16-digit card after a USPS channel group and before two more digits,
/// 22 digits in all: lowered when the whole passes GS1's check (one in ten)
/// with a tracking context, by design.
fn card_inside_usps_shape(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let v = format!(
        "{} {} {}",
        rng.pick(&["9400", "9205", "9300"]),
        fours(&p, " "),
        rng.digits(2)
    );
    let (request, path) = in_tracking_context(rng, &v);
    rejected(request, path)
}

// === Order ids in Amazon's layout ===

/// An order id as Amazon writes it: `###-#######-#######`.
fn amazon_order_id(rng: &mut Rng) -> String {
    format!("{}-{}-{}", rng.digits(3), rng.digits(7), rng.digits(7))
}

fn amazon_orders_in_transaction_id(rng: &mut Rng) -> Value {
    json!({"event": {"transaction_id": amazon_order_id(rng), "type": "purchase"}})
}

/// An order id under an order key, or after an order word in a note.
fn in_order_context(rng: &mut Rng, v: &str) -> (Value, String) {
    match rng.below(4) {
        0 => (
            json!({"event": {"transaction_id": v}}),
            "/event/transaction_id".into(),
        ),
        1 => {
            let key = *rng.pick(&["order_id", "amazon_order", "order_number", "bestellnummer"]);
            (
                json!({"custom_inputs": {key: v}}),
                format!("/custom_inputs/{key}"),
            )
        }
        _ => {
            let note = match rng.below(4) {
                0 => format!("Amazon order {v}"),
                1 => format!("Order #{v} shipped"),
                2 => format!("Bestellung {v}"),
                _ => format!("注文番号 {v}"),
            };
            (
                json!({"custom_inputs": {"note": note}}),
                "/custom_inputs/note".into(),
            )
        }
    }
}

fn amazon_orders_keyed_or_after_word(rng: &mut Rng) -> Value {
    loop {
        let v = amazon_order_id(rng);
        let (request, path) = in_order_context(rng, &v);
        if path != "/event/transaction_id" {
            return request;
        }
    }
}

fn card_of_len(rng: &mut Rng, len: usize) -> String {
    loop {
        let (prefix, lengths) = *rng.pick(BRANDS);
        if lengths.contains(&len) {
            return pan_of(rng, prefix, len);
        }
    }
}

fn card_layout_in_order_context(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let sep = *rng.pick(&[" ", "-", ".", ""]);
    let (request, path) = in_order_context(rng, &fours(&p, sep));
    rejected(request, path)
}

fn order_layout(p: &str) -> String {
    format!("{}-{}-{}", &p[..3], &p[3..10], &p[10..])
}

fn card_as_order_id_without_context(rng: &mut Rng) -> Case {
    let p = card_of_len(rng, 17);
    let v = order_layout(&p);
    let (request, path) = match rng.below(3) {
        0 => (json!({"custom_inputs": {"note": v}}), "/custom_inputs/note"),
        1 => (json!({"billing": {"address_2": v}}), "/billing/address_2"),
        _ => (
            json!({"custom_inputs": {"reference": format!("ref {v}")}}),
            "/custom_inputs/reference",
        ),
    };
    rejected(request, path.into())
}

fn card_as_order_id_in_order_context(rng: &mut Rng) -> Case {
    let p = card_of_len(rng, 17);
    let (request, path) = in_order_context(rng, &order_layout(&p));
    rejected(request, path)
}

// === Payment references and national identity numbers ===
//
// Realistic values whose digits carry a check of their own (and often
// Luhn's, or a card's length), as shops in Brazil, Mexico, Argentina,
// South Africa, Korea, India, Japan and the Nordic countries send them:
// in a custom input keyed as what it is, in a note or an address line
// after its word or with none, or as the account's user id; in 17
// requests of 20 with the billing country of the number's own country
// ([`own_country`]).

/// `request` with `billing.country` = `country` in 17 requests of 20.
pub(crate) fn own_country(rng: &mut Rng, mut request: Value, country: &str) -> Value {
    if rng.below(20) < 17 {
        request["billing"]["country"] = json!(country);
    }
    request
}

/// `v` where shops put it: a custom input under one of `keys`; a note or
/// an address line after one of `words` (the empty word included); the
/// account's user id.
pub(crate) fn placed(rng: &mut Rng, v: &str, keys: &[&str], words: &[&str]) -> Value {
    placed_at(rng, v, keys, words).0
}

/// As [`placed`], with the path of the value.
pub(crate) fn placed_at(rng: &mut Rng, v: &str, keys: &[&str], words: &[&str]) -> (Value, String) {
    match rng.below(4) {
        0 => {
            let key = *rng.pick(keys);
            (
                json!({"custom_inputs": {key: v}}),
                format!("/custom_inputs/{key}"),
            )
        }
        1 => (
            json!({"custom_inputs": {"note": format!("{}{v}", rng.pick(words))}}),
            "/custom_inputs/note".into(),
        ),
        2 => (
            json!({"billing": {"address_2": format!("{}{v}", rng.pick(words))}}),
            "/billing/address_2".into(),
        ),
        _ => (
            json!({"account": {"user_id": v}}),
            "/account/user_id".into(),
        ),
    }
}

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF), as EMV QR codes
/// close their payload with (tag 63).
pub(crate) fn crc16_ccitt(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc ^= u16::from(b) << 8;
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

fn tlv(tag: &str, value: &str) -> String {
    format!("{tag}{:02}{value}", value.len())
}

/// An EMV merchant-presented QR payload (Pix copia e cola, PromptPay,
/// QRIS, PayNow, DuitNow), with its CRC.
pub(crate) fn emv_qr(rng: &mut Rng) -> String {
    let (gui_tag, account, country, currency, city) = match rng.below(6) {
        0..=2 => {
            let key = match rng.below(5) {
                0 => format!("+55{}9{}", rng.range(11, 99), rng.digits(8)),
                1 => format!("fulano{}@gmail.com", rng.below(1000)),
                2 => rng.digits(11),
                3 => rng.digits(14),
                _ => {
                    let h = rng.hex(32);
                    format!(
                        "{}-{}-{}-{}-{}",
                        &h[..8],
                        &h[8..12],
                        &h[12..16],
                        &h[16..20],
                        &h[20..]
                    )
                }
            };
            let account = if rng.chance(4) {
                // A dynamic code: the payload's location.
                format!(
                    "{}{}",
                    tlv("00", "br.gov.bcb.pix"),
                    tlv("25", &format!("pix.example.com/qr/v2/{}", rng.hex(24)))
                )
            } else {
                format!("{}{}", tlv("00", "br.gov.bcb.pix"), tlv("01", &key))
            };
            ("26", account, "BR", "986", "SAO PAULO")
        }
        3 => (
            "29",
            format!(
                "{}{}",
                tlv("00", "A000000677010111"),
                tlv("01", &format!("00668{}", rng.digits(8)))
            ),
            "TH",
            "764",
            "BANGKOK",
        ),
        4 => (
            "26",
            format!(
                "{}{}{}",
                tlv("00", "ID.CO.QRIS.WWW"),
                tlv("01", &format!("93600{}", rng.digits(13))),
                tlv("02", &rng.digits(15))
            ),
            "ID",
            "360",
            "JAKARTA",
        ),
        _ => (
            "26",
            format!(
                "{}{}{}",
                tlv("00", "SG.PAYNOW"),
                tlv("01", "2"),
                tlv("02", &format!("{}{}", rng.digits(9), "W"))
            ),
            "SG",
            "702",
            "SINGAPORE",
        ),
    };
    let mut s = tlv("00", "01");
    if rng.chance(3) {
        s.push_str(&tlv("01", "12"));
    }
    s.push_str(&tlv(gui_tag, &account));
    let category = *rng.pick::<&str>(&["0000", "5411", "5812", "5999"]);
    s.push_str(&tlv("52", category));
    s.push_str(&tlv("53", currency));
    if rng.below(10) < 7 {
        let amount = format!("{}.{:02}", rng.range(1, 900), rng.below(100));
        s.push_str(&tlv("54", &amount));
    }
    s.push_str(&tlv("58", country));
    let name = *rng.pick::<&str>(&["FULANO DE TAL", "LOJA EXEMPLO LTDA", "MERCHANT 01"]);
    s.push_str(&tlv("59", name));
    s.push_str(&tlv("60", city));
    let txid = match rng.below(3) {
        0 => "***".to_owned(),
        1 => format!("TX{}", rng.digits_between(6, 20)),
        _ => rng.digits_between(4, 25),
    };
    s.push_str(&tlv("62", &tlv("05", &txid)));
    s.push_str("6304");
    let crc = crc16_ccitt(s.as_bytes());
    format!("{s}{crc:04X}")
}

fn emv_qr_payloads(rng: &mut Rng) -> Value {
    let v = emv_qr(rng);
    match rng.below(4) {
        0 => {
            let key = *rng.pick(&["pix", "pix_copia_cola", "qr_payload", "emv", "promptpay"]);
            json!({"custom_inputs": {key: v}})
        }
        1 => {
            json!({"custom_inputs": {"note": format!("{}{v}", rng.pick(&["Pix copia e cola: ", "", "QR: "]))}})
        }
        2 => json!({"custom_inputs": {"payload": v}}),
        _ => json!({"order": {"referrer_uri": format!("https://shop.example/pay?qr={v}")}}),
    }
}

/// A South African identity number: date of birth, sequence (gender),
/// citizenship 0 or 1, `8` (or `9` in older numbers), Luhn check digit.
pub(crate) fn sa_id(rng: &mut Rng) -> String {
    let body = format!(
        "{:02}{:02}{:02}{:04}{}{}",
        rng.range(1935, 2007) % 100,
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(10_000),
        rng.below(2),
        if rng.chance(10) { 9 } else { 8 }
    );
    let check = super::luhn_check_digit(&body);
    format!("{body}{check}")
}

/// The keys and words South African identity numbers are sent with.
const SA_ID_KEYS: &[&str] = &[
    "id_number",
    "sa_id",
    "identity_number",
    "idno",
    "rsa_id",
    "id",
];
const SA_ID_WORDS: &[&str] = &[
    "ID: ",
    "ID number ",
    "SA ID ",
    "",
    "identity no. ",
    "ID no ",
];

/// 13 digits as South African identity numbers are written: plain, or
/// 6-4-3 (date of birth, sequence and citizenship, the rest).
fn sa_written(rng: &mut Rng, id: String) -> String {
    match rng.below(4) {
        0 => format!("{} {} {}", &id[..6], &id[6..10], &id[10..]),
        _ => id,
    }
}

fn sa_ids(rng: &mut Rng) -> Value {
    let id = sa_id(rng);
    let v = sa_written(rng, id);
    let r = placed(rng, &v, SA_ID_KEYS, SA_ID_WORDS);
    own_country(rng, r, "ZA")
}

/// A 13-digit Maestro card (an ambiguous shape) written and placed as
/// South African identity numbers are, with their words, in a request
/// with no country: what lowering a whole value that is a South African
/// number by its structure alone costs.
fn short_maestro_as_sa_id(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(SHORT_MAESTRO_PREFIXES);
    let p = pan_of(rng, prefix, 13);
    let v = sa_written(rng, p);
    let (request, path) = placed_at(rng, &v, SA_ID_KEYS, SA_ID_WORDS);
    rejected(request, path)
}

/// A 13-digit Visa card (unambiguous) written and placed as South African
/// identity numbers are, with their words, in a request with no country.
fn visa13_as_sa_id(rng: &mut Rng) -> Case {
    let p = pan_of(rng, "4", 13);
    let v = sa_written(rng, p);
    let (request, path) = placed_at(rng, &v, SA_ID_KEYS, SA_ID_WORDS);
    rejected(request, path)
}

/// The mod-10 check digit of a boleto field (weights 2, 1 from the right).
fn boleto_mod10(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The mod-11 check digit of a boleto's bar code (weights 2 to 9 from the
/// right; 0, 10 and 11 become 1).
fn boleto_mod11(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (2 + (i as u32 % 8)))
        .sum();
    match 11 - sum % 11 {
        0 | 10 | 11 => 1,
        d => d,
    }
}

/// The mod-11 check digit of a collection slip's block (weights 2 to 9
/// from the right; remainders 0 and 1 give 0).
fn collection_mod11(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (2 + (i as u32 % 8)))
        .sum();
    match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    }
}

/// A boleto's typeable line (linha digitável): a bank slip's 47 digits in
/// their printed layout or plain, or a collection slip's 48 (utility
/// bills, taxes) in four blocks of 11 and a check digit.
pub(crate) fn boleto(rng: &mut Rng) -> String {
    if rng.chance(4) {
        // Collection slip: `8`, segment, value kind (6/7 mod 10, 8/9 mod 11).
        let kind = *rng.pick(&[6u8, 7, 8, 9]);
        let body = format!(
            "8{}{}{:011}{}{}",
            rng.range(1, 9),
            kind,
            rng.below(1_000_000),
            rng.digits(4),
            rng.digits(25)
        );
        let check = |s: &str| {
            if kind <= 7 {
                boleto_mod10(s)
            } else {
                collection_mod11(s)
            }
        };
        let general = check(&body);
        let code = format!("{}{general}{}", &body[..3], &body[3..]);
        let blocks: Vec<String> = (0..4)
            .map(|i| {
                let b = &code[i * 11..i * 11 + 11];
                format!("{b}{}", check(b))
            })
            .collect();
        return match rng.below(3) {
            0 => blocks.concat(),
            1 => blocks
                .iter()
                .map(|b| format!("{}-{}", &b[..11], &b[11..]))
                .collect::<Vec<_>>()
                .join(" "),
            _ => blocks.join(" "),
        };
    }
    let bank = *rng.pick(&[
        "341", "422", "623", "655", "237", "001", "104", "033", "748", "756",
    ]);
    let free = rng.digits(25);
    let due = format!("{:04}", rng.range(1000, 9999));
    let value = format!("{:010}", rng.range(1000, 999_999));
    let code_body = format!("{bank}9{due}{value}{free}");
    let general = boleto_mod11(&code_body);
    let f1 = format!("{bank}9{}", &free[..5]);
    let f1 = format!("{f1}{}", boleto_mod10(&f1));
    let f2 = free[5..15].to_string();
    let f2 = format!("{f2}{}", boleto_mod10(&f2));
    let f3 = free[15..].to_string();
    let f3 = format!("{f3}{}", boleto_mod10(&f3));
    match rng.below(10) {
        0..=2 => format!("{f1}{f2}{f3}{general}{due}{value}"),
        3 => format!("{} {} {} {general} {due}{value}", &f1, &f2, &f3),
        _ => format!(
            "{}.{} {}.{} {}.{} {general} {due}{value}",
            &f1[..5],
            &f1[5..],
            &f2[..5],
            &f2[5..],
            &f3[..5],
            &f3[5..]
        ),
    }
}

fn boletos(rng: &mut Rng) -> Value {
    let v = boleto(rng);
    let r = placed(
        rng,
        &v,
        &["boleto", "linha_digitavel", "codigo_barras", "pagamento"],
        &["Linha digitável: ", "boleto ", "", "Código de barras: "],
    );
    own_country(rng, r, "BR")
}

/// Banks' codes in SPEI (Banco de México's catalogue of participants).
const CLABE_BANKS: &[&str] = &[
    "002", "012", "014", "019", "021", "030", "036", "042", "044", "058", "059", "060", "062",
    "072", "106", "127", "130", "137", "138", "140", "145", "147", "166", "600", "610", "638",
    "646", "646", "646", "652", "653", "659", "699", "722",
];

/// A Mexican CLABE: bank, branch city, account, and the check digit of
/// weights 3, 7, 1 (mod 10).
pub(crate) fn clabe(rng: &mut Rng) -> String {
    let body = format!("{}{}", rng.pick(CLABE_BANKS), rng.digits(14));
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| (u32::from(b - b'0') * [3, 7, 1][i % 3]) % 10)
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// A card of every brand (outside the short Maestro lengths a reference's
/// word lowers) after a payment reference's word (KID, OCR: also
/// an everyday word and what card-scanning SDKs log) and a mark that makes
/// its shape ambiguous (a closing bracket, leading zeros: `00` alone is a
/// dialling prefix, decided as one), in every free text field of an order
/// outside Norway, Sweden and Denmark, or of none.
fn card_after_reference_mark(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let word = *rng.pick(&["KID", "kid", "OCR", "ocr", "referens", "FIK"]);
    let v = match rng.below(5) {
        0 => format!("scanned ({word}) {p}"),
        1 => format!("for my {word} (age 7) {p}"),
        2 => format!("1) {p} {word}"),
        3 => format!("{word}: 000{p}"),
        _ => format!("{word} 0{p}"),
    };
    let (request, path) = alone_in_text(rng, &v);
    let mut request = request;
    if rng.below(3) > 0 {
        // Countries whose own codes (a CLABE in MX, a CNPJ in BR, ...)
        // lower nothing here: what those cost is in their own rows.
        let country = *rng.pick(&["US", "DE", "GB", "FR", "PH", "AU"]);
        request["billing"]["country"] = json!(country);
    }
    rejected(request, path)
}

/// `v` after a payment reference's word (or under a key naming one, as
/// card-scanning SDKs name their text: `ocr_text`), in a free-text field,
/// with its path.
fn after_reference_word(rng: &mut Rng, v: &str) -> (Value, String) {
    if rng.chance(4) {
        let key = *rng.pick(&["ocr_text", "kid", "ocr", "kid_nummer", "betalningsreferens"]);
        return (
            json!({"custom_inputs": {key: v}}),
            format!("/custom_inputs/{key}"),
        );
    }
    let text = match rng.below(5) {
        0 => format!("KID: {v}"),
        1 => format!("OCR {v}"),
        2 => format!("Present till min kid {v}"),
        3 => format!("{v} via OCR"),
        _ => format!("referens {v}"),
    };
    alone_in_text(rng, &text)
}

/// A card of a brand's length (outside Maestro's 12-15 digits) after a
/// reference's word or under its key, in an order of Norway, Sweden or
/// Denmark: the word and the country lower no card.
fn card_after_reference_word_nordic(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let (mut request, path) = after_reference_word(rng, &p);
    request["billing"]["country"] = json!(*rng.pick(&["NO", "SE", "DK"]));
    rejected(request, path)
}

/// A Maestro card of 12 to 15 digits (an ambiguous shape) after a
/// reference's word or under its key, written plain or in a card layout,
/// in an order of any country (Nordic ones included): a reference's word
/// lowers no number that is itself a card of a brand's length.
fn short_maestro_after_reference_word(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(SHORT_MAESTRO_PREFIXES);
    let len = rng.range(12, 15);
    let p = pan_of(rng, prefix, len);
    let v = if rng.chance(3) { fours(&p, "-") } else { p };
    let (mut request, path) = after_reference_word(rng, &v);
    if rng.below(3) > 0 {
        let country = *rng.pick(&["NO", "SE", "DK", "US", "DE"]);
        request["billing"]["country"] = json!(country);
    }
    rejected(request, path)
}

/// A card printed as runtimes print a double holding it or a fraction of
/// it: Java's `Double.toString` (`4.012888888881881E15`), JavaScript's and
/// Python's small scales (`4.012888888881881e-7`), with a sign or not,
/// alone in a free-text field or a custom input with no quantity word.
/// A card of 16 to 19 digits written as the fraction of a latitude (a
/// two-digit integer part: more significant digits than a double prints)
/// beside a longitude, after a word, in a note.
fn card_as_coordinate_fraction(rng: &mut Rng) -> Case {
    let p = loop {
        let p = unambiguous_pan(rng);
        if p.len() >= 16 {
            break p;
        }
    };
    let lng = degrees(rng, 170);
    let v = format!("Drop pin: {}.{p}, {lng}", rng.range(10, 89));
    rejected(
        json!({"custom_inputs": {"note": v}}),
        "/custom_inputs/note".into(),
    )
}

fn card_in_scientific_notation(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let (head, tail) = p.split_at(1);
    let sign = if rng.chance(5) { "-" } else { "" };
    let v = match rng.below(4) {
        0 => format!("{sign}{head}.{tail}E{}", p.len() - 1),
        1 => format!("{sign}{head}.{tail}e-{}", rng.range(1, 12)),
        2 => format!("{sign}{head}.{tail}E-{}", rng.range(1, 12)),
        _ => format!("{sign}{head}.{tail}e+{}", rng.range(1, 12)),
    };
    let (request, path) = if rng.chance(3) {
        let key = *rng.pick(&["v", "value", "amount_raw", "feature", "raw"]);
        (
            json!({"custom_inputs": {key: v}}),
            format!("/custom_inputs/{key}"),
        )
    } else {
        alone_in_text(rng, &v)
    };
    rejected(request, path)
}

/// A card after a short number and a comma (a list's index, a CSV row:
/// `3,4111...`) or after digits and a point that make more significant
/// digits than a double prints (`12.4111...`: 18 or more), alone in a
/// free-text field.
fn card_after_a_number_and_a_mark(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let v = if rng.chance(2) {
        format!("{},{p}", rng.range(0, 99_999))
    } else {
        // At least 18 significant digits, and at most five before the
        // point (the decimal shape).
        let least = 10usize.pow(17u32.saturating_sub(p.len() as u32).max(1));
        format!("{}.{p}", rng.range(least, 99_999))
    };
    let (request, path) = alone_in_text(rng, &v);
    rejected(request, path)
}

/// The first four digits of Polish banks' sort codes (NBP's register: PKO
/// BP, Pekao, Santander, mBank, ING, Millennium, Alior, Credit Agricole,
/// Citi Handlowy, BNP Paribas, Pocztowy, Nest).
const PL_BANKS: &[&str] = &[
    "1020", "1240", "1090", "1140", "1050", "1160", "2490", "1940", "1030", "1600", "1320", "1870",
];

/// A Polish NRB: IBAN check digits, a sort code (bank, branch, a check
/// digit of weights 3, 9, 7, 1, 3, 9, 7) and 16 digits of account.
pub(crate) fn nrb(rng: &mut Rng) -> String {
    let bank = format!("{}{}", rng.pick(PL_BANKS), rng.digits(3));
    let sum: u32 = bank
        .bytes()
        .zip([3, 9, 7, 1, 3, 9, 7])
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let bban = format!("{bank}{}{}", (10 - sum % 10) % 10, rng.digits(16));
    let rem = format!("{bban}252100")
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    format!("{:02}{bban}", 98 - rem)
}

/// 26 digits as Poles write an NRB: `61 1090 1014 0000 0712 1981 2874`, or
/// plain.
fn nrb_written(rng: &mut Rng, n: &str) -> String {
    if rng.chance(4) {
        n.to_owned()
    } else {
        let groups: Vec<&str> = (0..6).map(|i| &n[2 + 4 * i..6 + 4 * i]).collect();
        format!("{} {}", &n[..2], groups.join(" "))
    }
}

const NRB_KEYS: &[&str] = &[
    "konto",
    "nr_konta",
    "rachunek",
    "numer_rachunku",
    "bank_account",
];
const NRB_WORDS: &[&str] = &[
    "Zwrot na konto ",
    "Nr rachunku: ",
    "konto: ",
    "",
    "przelew na ",
];

fn nrbs(rng: &mut Rng) -> Value {
    let n = nrb(rng);
    let v = nrb_written(rng, &n);
    let r = placed(rng, &v, NRB_KEYS, NRB_WORDS);
    own_country(rng, r, "PL")
}

/// Hungarian banks' three-digit codes (MNB's register: OTP, CIB, Erste,
/// Raiffeisen, K&H, MBH, UniCredit, Magyar Államkincstár, ...).
const HU_BANKS: &[&str] = &[
    "117", "107", "116", "120", "104", "101", "109", "103", "118", "100", "108", "114",
];

/// A Hungarian account number: bank and branch with a check digit, then 8
/// or 16 digits of account ending in its own check digit (weights 9, 7,
/// 3, 1).
pub(crate) fn hu_account(rng: &mut Rng) -> String {
    let block = |body: String| {
        let sum: u32 = body
            .bytes()
            .zip([9, 7, 3, 1].iter().cycle())
            .map(|(b, &w)| u32::from(b - b'0') * w)
            .sum();
        format!("{body}{}", (10 - sum % 10) % 10)
    };
    let first = block(format!("{}{}", rng.pick(HU_BANKS), rng.digits(4)));
    let rest = if rng.chance(3) {
        block(rng.digits(7))
    } else {
        block(rng.digits(15))
    };
    format!("{first}{rest}")
}

fn hu_accounts(rng: &mut Rng) -> Value {
    let a = hu_account(rng);
    let groups: Vec<&str> = (0..a.len() / 8).map(|i| &a[8 * i..8 * i + 8]).collect();
    let v = match rng.below(5) {
        0 => a.clone(),
        1 => groups.join(" "),
        _ => groups.join("-"),
    };
    let r = placed(
        rng,
        &v,
        &["bankszamla", "szamlaszam", "bank_account", "szamla"],
        &["Bankszámla: ", "Számlaszám: ", "utalás ", "", "Refund to "],
    );
    own_country(rng, r, "HU")
}

/// A card of 16 digits in groups of four between two digits and eight more
/// written as an NRB is (`61 4111 1111 1111 1111 2874 1234`), where NRBs
/// are sent, in a Polish order: forwarded when the 26 digits pass the
/// NRB's mod-97 check (one in 97).
fn card_inside_nrb_layout(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let n = format!("{}{p}{}", rng.digits(2), rng.digits(8));
    let groups: Vec<&str> = (0..6).map(|i| &n[2 + 4 * i..6 + 4 * i]).collect();
    let v = format!("{} {}", &n[..2], groups.join(" "));
    let (mut request, path) = placed_at(rng, &v, NRB_KEYS, NRB_WORDS);
    request["billing"]["country"] = json!("PL");
    rejected(request, path)
}

/// A card of a brand's length alone, plain or in a card layout, where NRBs
/// and Hungarian account numbers are sent, in a Polish or Hungarian order.
fn card_where_accounts_are_sent(rng: &mut Rng) -> Case {
    let p = unambiguous_pan(rng);
    let v = if rng.chance(2) { p } else { fours(&p, " ") };
    let (mut request, path) = if rng.chance(2) {
        placed_at(rng, &v, NRB_KEYS, NRB_WORDS)
    } else {
        placed_at(
            rng,
            &v,
            &["bankszamla", "szamlaszam", "szamla"],
            &["Bankszámla: ", "Számlaszám: ", "utalás "],
        )
    };
    request["billing"]["country"] = json!(*rng.pick(&["PL", "HU"]));
    rejected(request, path)
}

/// The keys and words CLABEs are sent with.
const CLABE_KEYS: &[&str] = &[
    "clabe",
    "clabe_interbancaria",
    "cuenta",
    "spei",
    "cuenta_clabe",
];
const CLABE_WORDS: &[&str] = &["CLABE: ", "CLABE interbancaria ", "SPEI ", "cuenta ", ""];

/// 18 digits as CLABEs are written: plain, or 3-3-11-1 (bank, branch
/// city, account, check digit).
fn clabe_written(rng: &mut Rng, c: String) -> String {
    if rng.chance(5) {
        format!("{} {} {} {}", &c[..3], &c[3..6], &c[6..17], &c[17..])
    } else {
        c
    }
}

fn clabes(rng: &mut Rng) -> Value {
    let c = clabe(rng);
    let v = clabe_written(rng, c);
    let r = placed(rng, &v, CLABE_KEYS, CLABE_WORDS);
    own_country(rng, r, "MX")
}

/// A card of the brands whose first three digits can be a CLABE
/// institution's (Discover 6011, 644-649, 65; UnionPay 62; Maestro 6304,
/// 6759) glued to more digits up to 18 as the detector reads glued cards (a
/// 15-digit card and a CVV, a 16-digit one and `00`, a 17-digit one and
/// one digit: an ambiguous shape), written and placed as CLABEs are, with
/// their words, in a request with no country: what lowering a whole value
/// that is a CLABE of a catalogued institution costs.
fn card_glued_as_clabe(rng: &mut Rng) -> Case {
    let (prefix, len) = *rng.pick(&[
        ("6011", 16),
        ("644", 16),
        ("646", 16),
        ("648", 16),
        ("65", 16),
        ("62", 16),
        ("62", 17),
        ("6304", 15),
        ("6759", 15),
    ]);
    let mut v = pan_of(rng, prefix, len);
    if len == 16 {
        v.push_str("00");
    } else {
        v.push_str(&rng.digits(18 - len));
    }
    let v = clabe_written(rng, v);
    let (request, path) = placed_at(rng, &v, CLABE_KEYS, CLABE_WORDS);
    rejected(request, path)
}

fn cbu_check(body: &str, weights: [u32; 4]) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * weights[i % 4])
        .sum();
    (10 - sum % 10) % 10
}

/// An Argentine CBU (bank account) or CVU (virtual account, Mercado Pago
/// and other wallets: `0000003` first): two blocks with a check digit each.
pub(crate) fn cbu(rng: &mut Rng) -> String {
    let cvu = rng.chance(2);
    let b1 = if cvu {
        "0000003".to_owned()
    } else {
        format!(
            "{}{:04}",
            rng.pick(&[
                "011", "007", "017", "072", "285", "191", "034", "044", "027", "150", "143"
            ]),
            rng.below(10_000)
        )
    };
    // Block 1 (7 digits) weighs 7, 1, 3, 9 from its left, block 2 (13
    // digits) 3, 9, 7, 1: both 3, 1, 7, 9 from their right.
    let b1 = format!("{b1}{}", cbu_check(&b1, [3, 1, 7, 9]));
    let b2 = if cvu {
        format!("00{}", rng.digits(11))
    } else {
        rng.digits(13)
    };
    let b2 = format!("{b2}{}", cbu_check(&b2, [3, 1, 7, 9]));
    format!("{b1}{b2}")
}

fn cbus(rng: &mut Rng) -> Value {
    let v = cbu(rng);
    let r = placed(
        rng,
        &v,
        &["cvu", "cbu", "alias_cbu", "cuenta", "cbu_cvu"],
        &["CVU: ", "CBU ", "transferir al CVU ", "", "CBU/CVU: "],
    );
    own_country(rng, r, "AR")
}

/// A Korean resident registration number: date of birth, a digit for the
/// century and sex, five digits, the mod-11 check digit.
pub(crate) fn rrn(rng: &mut Rng) -> String {
    let year = rng.range(1940, 2005);
    let s = if year < 2000 {
        rng.range(1, 2)
    } else {
        rng.range(3, 4)
    };
    let body = format!(
        "{:02}{:02}{:02}{s}{}",
        year % 100,
        rng.range(1, 12),
        rng.range(1, 28),
        rng.digits(5)
    );
    const W: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", (11 - sum % 11) % 10)
}

fn rrns(rng: &mut Rng) -> Value {
    let id = rrn(rng);
    let v = if rng.chance(2) {
        format!("{}-{}", &id[..6], &id[6..])
    } else {
        id
    };
    let r = placed(
        rng,
        &v,
        &["rrn", "jumin", "resident_no", "jumin_no", "resident_number"],
        &["주민등록번호 ", "RRN ", "", "주민번호: "],
    );
    own_country(rng, r, "KR")
}

/// A Brazilian CNPJ (company register): 8 digits, branch, two mod-11
/// check digits.
pub(crate) fn cnpj(rng: &mut Rng) -> String {
    let body = format!(
        "{}{}",
        rng.digits(8),
        rng.pick(&["0001", "0001", "0001", "0002", "0003"])
    );
    let check = |s: &str| {
        let sum: u32 = s
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * (2 + (i as u32 % 8)))
            .sum();
        match sum % 11 {
            0 | 1 => 0,
            r => 11 - r,
        }
    };
    let one = format!("{body}{}", check(&body));
    format!("{one}{}", check(&one))
}

fn cnpjs(rng: &mut Rng) -> Value {
    let c = cnpj(rng);
    let v = if rng.chance(2) {
        format!(
            "{}.{}.{}/{}-{}",
            &c[..2],
            &c[2..5],
            &c[5..8],
            &c[8..12],
            &c[12..]
        )
    } else {
        c
    };
    let r = placed(
        rng,
        &v,
        &["cnpj", "cpf_cnpj", "documento", "tax_id"],
        &["CNPJ: ", "CNPJ ", "CPF/CNPJ ", ""],
    );
    own_country(rng, r, "BR")
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
const VERHOEFF_INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/// An Aadhaar number: 11 digits (the first 2-9) and the Verhoeff check
/// digit.
pub(crate) fn aadhaar(rng: &mut Rng) -> String {
    let body = format!("{}{}", rng.range(2, 9), rng.digits(10));
    let mut c = 0u8;
    for (i, b) in body.bytes().rev().enumerate() {
        c = VERHOEFF_D[usize::from(c)][usize::from(VERHOEFF_P[(i + 1) % 8][usize::from(b - b'0')])];
    }
    format!("{body}{}", VERHOEFF_INV[usize::from(c)])
}

fn aadhaars(rng: &mut Rng) -> Value {
    let a = aadhaar(rng);
    let v = match rng.below(3) {
        0 => a,
        1 => format!("{} {} {}", &a[..4], &a[4..8], &a[8..]),
        _ => format!("{}-{}-{}", &a[..4], &a[4..8], &a[8..]),
    };
    let r = placed(
        rng,
        &v,
        &["aadhaar", "aadhaar_no", "uid", "kyc_id", "aadhar_number"],
        &[
            "Aadhaar: ",
            "Aadhaar no ",
            "UIDAI ",
            "KYC ",
            "",
            "Aadhar card no. ",
        ],
    );
    own_country(rng, r, "IN")
}

/// A Japanese carrier's 12-digit tracking number (Yamato, Sagawa, Japan
/// Post): 11 digits and their remainder mod 7.
pub(crate) fn jp_tracking(rng: &mut Rng) -> String {
    let body = format!("{}{}", rng.range(1, 9), rng.digits(10));
    let rem = body.parse::<u64>().unwrap() % 7;
    format!("{body}{rem}")
}

fn jp_trackings(rng: &mut Rng) -> Value {
    let t = jp_tracking(rng);
    let v = if rng.chance(2) {
        format!("{}-{}-{}", &t[..4], &t[4..8], &t[8..])
    } else {
        t
    };
    let word = *rng.pick(&[
        "追跡番号 ",
        "お問い合わせ伝票番号: ",
        "delivered, tracking ",
        "ヤマト ",
        "佐川急便 ",
        "伝票番号:",
    ]);
    match rng.below(3) {
        0 => json!({"custom_inputs": {"note": format!("{word}{v}")}, "billing": {"country": "JP"}}),
        1 => json!({"shipping": {"address_2": format!("{word}{v}")}}),
        _ => {
            let key = *rng.pick(&["tracking_number", "denpyo_no", "tracking"]);
            json!({"custom_inputs": {key: v}})
        }
    }
}

/// A Norwegian KID or Swedish OCR payment reference: 6 to 25 digits, the
/// last a Luhn (mod 10) check digit.
fn luhn_reference(rng: &mut Rng) -> String {
    let len = rng.range(6, 25);
    let body = format!("{}{}", rng.range(1, 9), rng.digits(len - 2));
    format!("{body}{}", super::luhn_check_digit(&body))
}

fn kid_references(rng: &mut Rng) -> Value {
    let v = luhn_reference(rng);
    let r = match rng.below(3) {
        0 => {
            let key = *rng.pick(&["kid", "kid_nummer", "betalingsreferanse"]);
            json!({"custom_inputs": {key: v}})
        }
        1 => {
            json!({"custom_inputs": {"note": format!("{}{v}", rng.pick(&["KID: ", "KID ", "Betal med KID ", "KID-nummer "]))}})
        }
        _ => {
            json!({"billing": {"address_2": format!("{}{v}", rng.pick(&["KID: ", "KID ", "kid "]))}})
        }
    };
    own_country(rng, r, "NO")
}

fn ocr_references(rng: &mut Rng) -> Value {
    let v = luhn_reference(rng);
    let r = match rng.below(3) {
        0 => {
            let key = *rng.pick(&["ocr", "ocr_nummer", "referens", "betalningsreferens"]);
            json!({"custom_inputs": {key: v}})
        }
        1 => {
            json!({"custom_inputs": {"note": format!("{}{v}", rng.pick(&["OCR: ", "OCR-nummer ", "Ange OCR ", "OCR "]))}})
        }
        _ => {
            json!({"billing": {"address_2": format!("{}{v}", rng.pick(&["OCR: ", "OCR-nr ", "ocr "]))}})
        }
    };
    own_country(rng, r, "SE")
}

/// A German or Austrian telephone number with its country code and no `+`
/// (plain, spaced, dashed), in a telephone field, after a telephone word
/// or under a telephone key; the order's country is the number's.
fn de_at_phones(rng: &mut Rng) -> Value {
    let (cc, nsn, country) = match rng.below(3) {
        0 => (
            "49",
            format!(
                "{}{}",
                rng.pick(&[
                    "151", "152", "157", "159", "160", "162", "170", "171", "172", "173", "174",
                    "175", "176", "177", "178", "179"
                ]),
                rng.digits(8)
            ),
            "DE",
        ),
        1 => (
            "49",
            format!(
                "{}{}",
                rng.pick(&[
                    "211", "221", "228", "231", "341", "351", "421", "511", "611", "621", "711",
                    "911"
                ]),
                rng.digits(8)
            ),
            "DE",
        ),
        _ => (
            "43",
            format!(
                "{}{}",
                rng.pick(&["650", "660", "664", "676", "677", "680", "681", "688", "699"]),
                rng.digits(7)
            ),
            "AT",
        ),
    };
    let v = match rng.below(3) {
        0 => format!("{cc}{nsn}"),
        1 => format!("{cc} {} {}", &nsn[..3], &nsn[3..]),
        _ => format!("{cc}-{}-{}", &nsn[..3], &nsn[3..]),
    };
    match rng.below(4) {
        0 => json!({"billing": {"phone_number": v, "country": country}}),
        1 => {
            json!({"shipping": {"phone_number": v, "country": country}, "billing": {"country": country}})
        }
        2 => {
            json!({"custom_inputs": {"note": format!("{}{v}", rng.pick(&["Tel. ", "Telefon: ", "Handy ", "Rückruf: ", "bitte anrufen "]))}, "billing": {"country": country}})
        }
        _ => {
            json!({"custom_inputs": {*rng.pick(&["mobile", "telefon", "phone2", "handynummer"]): v}, "billing": {"country": country}})
        }
    }
}

/// A double as Python's `repr` and JavaScript print it (shortest form,
/// up to 17 significant digits).
fn quantity(rng: &mut Rng) -> f64 {
    let frac = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    match rng.below(3) {
        0 => frac,
        1 => frac * [1.0, 10.0, 100.0, 1000.0][rng.below(4)],
        _ => rng.range(1, 99) as f64 / [3.0, 7.0, 9.0, 11.0, 13.0, 17.0][rng.below(6)],
    }
}

/// Keys shops send model scores and ratios under, with and without a word
/// that names a quantity.
const QUANTITY_KEYS: &[&str] = &[
    "score",
    "ratio",
    "risk",
    "avg_basket",
    "conversion",
    "weight_kg",
    "discount_rate",
    "model_score",
    "x1",
    "f_17",
    "v",
];

fn floats_as_numbers(rng: &mut Rng) -> Value {
    let key = *rng.pick(QUANTITY_KEYS);
    json!({"custom_inputs": {key: quantity(rng)}})
}

fn floats_as_text(rng: &mut Rng) -> Value {
    let key = *rng.pick(QUANTITY_KEYS);
    json!({"custom_inputs": {key: format!("{:?}", quantity(rng))}})
}

/// Coordinates as European locales write them (a decimal comma, pairs
/// split by `;`), `geo:` URIs, and pairs split by `;` or a space, with no
/// coordinate word in the key.
fn coordinates_decimal_comma(rng: &mut Rng) -> Value {
    let (lat, lng) = (degrees(rng, 70), degrees(rng, 170));
    let comma = |x: f64| format!("{x}").replace('.', ",");
    let v = match rng.below(5) {
        0 => format!("{}; {}", comma(lat), comma(lng)),
        1 => format!("{};{}", comma(lat), comma(lng)),
        2 => format!("geo:{lat},{lng}"),
        3 => format!("{lat};{lng}"),
        _ => format!("{lat} {lng}"),
    };
    let key = *rng.pick(&["note", "pickup", "drop_point", "location_hint", "punto"]);
    json!({"custom_inputs": {key: v}})
}

/// Coordinate pairs at full double precision after a word no table holds
/// (`Drop pin:`, `Standort:`, `my location`), in a note or an address
/// line: the pair's own shape (two decimals in a latitude's and a
/// longitude's range, a double's digits) tells them.
fn coordinates_after_any_word(rng: &mut Rng) -> Value {
    let (lat, lng) = (degrees(rng, 89), degrees(rng, 179));
    let pair = match rng.below(4) {
        0 => format!("{lat},{lng}"),
        1 => format!("{lat}, {lng}"),
        2 => format!("{lat};{lng}"),
        _ => format!("{lat} {lng}"),
    };
    let word = *rng.pick(&[
        "Drop pin: ",
        "deliver here ",
        "Standort: ",
        "my location ",
        "GPS ",
    ]);
    let v = format!("{word}{pair}");
    if rng.chance(2) {
        json!({"custom_inputs": {"note": v}})
    } else {
        json!({"shipping": {"address_2": v}})
    }
}
