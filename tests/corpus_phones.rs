//! Generators for telephone numbers written with their country code and no
//! `+` beside other numbers in one value: two numbers in one telephone
//! field or note (`639171234567 / 639181234567`), a number in a delivery
//! note that holds another number (`gate 2, ring 639171234567`); and cards
//! placed the same way, for recall beside them (`src/sanitize/context.rs`,
//! the `Number`s of a text).

use super::context::{
    card_of_16, country_of, maestro_short, number, rejected, CardCase, Realistic,
};
use super::{pan_of, Rng};
use serde_json::{json, Value};

/// Each under 1 % flagged.
pub(crate) const OVERBLOCKING: &[(&str, Realistic)] = &[
    (
        "two phones, country codes 56-69, without +, one phone field or after a phone word",
        two_phones,
    ),
    (
        "phone, country codes 56-69, without +, in a note with another number, the order's country",
        phone_beside_other_number,
    ),
];

/// Cards placed beside telephone numbers: a card that is no telephone
/// number stays a card; a short Maestro card (12-15 digits) that is a
/// valid number of the order's country is lowered by design, as it is
/// alone in its value.
pub(crate) const RECALL: &[(&str, CardCase)] = &[
    (
        "card of 16 digits beside a phone, one phone field or note, the order's country",
        card_beside_phone,
    ),
    (
        "card of 16 digits split by a comma into two numbers, the order's country",
        card_split_by_comma,
    ),
    (
        "maestro 12-15 digits with its expiry or security code, the order's country",
        short_maestro_with_card_data,
    ),
    (
        "lowered by design when a valid number of the order's country: maestro 12-15 digits in a note with another number",
        short_maestro_beside_other_number,
    ),
];

const SEPARATORS: &[&str] = &[" / ", ", ", " or ", " | ", "; "];

/// A number of calling code 56-69 as E.164 digits without `+`, valid by
/// libphonenumber's metadata (as the numbers people give are), and its
/// country.
fn e164_digits(rng: &mut Rng) -> (String, &'static str) {
    loop {
        let (cc, nsn) = number(rng, true);
        if valid(&cc, &nsn) {
            return (format!("{cc}{nsn}"), country_of(&cc));
        }
    }
}

fn valid(cc: &str, nsn: &str) -> bool {
    phonenumber::parse(None, format!("+{cc}{nsn}")).is_ok_and(|n| phonenumber::is_valid(&n))
}

fn two_phones(rng: &mut Rng) -> Value {
    let (a, country) = e164_digits(rng);
    let b = loop {
        let (b, c) = e164_digits(rng);
        if c == country {
            break b;
        }
    };
    let v = format!("{a}{}{b}", rng.pick(SEPARATORS));
    let request = match rng.below(3) {
        0 => json!({"billing": {"phone_number": v}}),
        1 => json!({"shipping": {"phone_number": v}}),
        _ => {
            json!({"custom_inputs": {"note": format!("{}{v}", rng.pick(&["call ", "WhatsApp: ", "tel "]))}})
        }
    };
    with_country(request, country)
}

const NOTES: &[&str] = &[
    "pls deliver after 5pm {}",
    "gate 2, ring {}",
    "leave at unit 12B, {}",
    "2nd floor, {}",
    "{} (after 18:30)",
];

fn note(rng: &mut Rng, v: &str) -> String {
    rng.pick(NOTES).replace("{}", v)
}

fn phone_beside_other_number(rng: &mut Rng) -> Value {
    let (v, country) = e164_digits(rng);
    let n = note(rng, &v);
    let request = if rng.chance(2) {
        json!({"custom_inputs": {"note": n}})
    } else {
        json!({"shipping": {"address_2": n}})
    };
    with_country(request, country)
}

fn with_country(mut request: Value, country: &str) -> Value {
    request["billing"]["country"] = json!(country);
    request
}

fn card_beside_phone(rng: &mut Rng) -> super::Case {
    let p = card_of_16(rng);
    let (phone, country) = e164_digits(rng);
    let sep = *rng.pick(SEPARATORS);
    let v = if rng.chance(2) {
        format!("{p}{sep}{phone}")
    } else {
        format!("{phone}{sep}{p}")
    };
    let (request, path) = if rng.chance(2) {
        (
            json!({"billing": {"phone_number": v}}),
            "/billing/phone_number",
        )
    } else {
        (json!({"custom_inputs": {"note": v}}), "/custom_inputs/note")
    };
    rejected(with_country(request, country), path.into())
}

fn card_split_by_comma(rng: &mut Rng) -> super::Case {
    let p = card_of_16(rng);
    let at = rng.range(6, 10);
    let v = format!("{}, {}", &p[..at], &p[at..]);
    let country = *rng.pick(&["DK", "PH", "CO", "DE", "US"]);
    rejected(
        with_country(json!({"custom_inputs": {"note": v}}), country),
        "/custom_inputs/note".into(),
    )
}

fn short_maestro_with_card_data(rng: &mut Rng) -> super::Case {
    let p = short_maestro(rng);
    let month = rng.range(1, 12);
    let year = rng.range(26, 33);
    let cvv = rng.digits(3);
    let v = match rng.below(4) {
        0 => format!("{p} exp {month:02}/{year}"),
        1 => format!("{p} {month:02}/{year}"),
        2 => format!("{p} cvv {cvv}"),
        _ => format!("{p}, {month:02}/20{year}, {cvv}"),
    };
    let country = *rng.pick(&["PH", "CO", "VE"]);
    rejected(
        with_country(json!({"custom_inputs": {"note": v}}), country),
        "/custom_inputs/note".into(),
    )
}

fn short_maestro(rng: &mut Rng) -> String {
    loop {
        let prefix = *rng.pick(&[
            "639", "630", "5018", "56", "58", "6304", "6759", "57", "60", "67",
        ]);
        let len = rng.range(12, 15);
        let p = pan_of(rng, prefix, len);
        if maestro_short(&p) {
            return p;
        }
    }
}

fn short_maestro_beside_other_number(rng: &mut Rng) -> super::Case {
    let p = short_maestro(rng);
    let country = *rng.pick(&["PH", "CO", "VE"]);
    let n = note(rng, &p);
    rejected(
        with_country(json!({"custom_inputs": {"note": n}}), country),
        "/custom_inputs/note".into(),
    )
}
