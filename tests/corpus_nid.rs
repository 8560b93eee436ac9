//! Generators for national identity and taxpayer numbers whose digits take
//! card shapes (`src/sanitize/context/codes.rs`, `codes::Nid`): each with
//! its own structure and check digits, placed as shops send them (a custom
//! input under the local name, a note after the local word, the user id
//! alone), in an order of its country; and card numbers placed the same
//! way, for recall beside them.

use super::{pan_of, Case, Expect, PolicyKind, Rng, BRANDS};
use serde_json::{json, Value};
use txveil::schema::Endpoint;

/// A generator of one realistic request that must not be flagged.
pub(crate) type Realistic = fn(&mut Rng) -> Value;

/// A generator of one card case that must be caught.
pub(crate) type CardCase = fn(&mut Rng) -> Case;

/// National numbers that their structure and context tell from cards:
/// each under 1 % flagged.
pub(crate) const OVERBLOCKING: &[(&str, Realistic)] = &[
    ("uz pinfl (key, note, user id; UZ orders)", pinfl_requests),
    (
        "fr nir, plain and grouped (key, note, user id; FR orders)",
        nir_requests,
    ),
    (
        "ru personal inn (key, note, user id; RU orders)",
        inn_requests,
    ),
    ("ro cnp (key, note, user id; RO orders)", cnp_requests),
    (
        "my mykad, plain and YYMMDD-PB-#### (key, note, user id; MY orders)",
        mykad_requests,
    ),
    ("kz iin (key, note, user id; KZ orders)", kz_requests),
    (
        "eg national id (key, note, user id; EG orders)",
        eg_requests,
    ),
    (
        "pk cnic, plain and #####-#######-# (key, note, user id; PK orders)",
        cnic_requests,
    ),
    (
        "cn resident ids, plain, 6-8-4 and 6 4 4 4 (id_number, 身份证号, user id; CN orders)",
        cn_requests,
    ),
];

/// National numbers with no check digit whose card-shaped ones context
/// does not tell without their word: reported, not held under 1 %.
pub(crate) const LIMITS: &[(&str, Realistic)] = &[(
    "id nik (key, note, user id; ID orders; whole 16-digit card shapes need the word)",
    nik_requests,
)];

/// Cards placed as the national numbers are, in a card layout or after a
/// card word: must be caught.
pub(crate) const RECALL: &[(&str, CardCase)] = &[
    (
        "card in a card layout under a national id key, in the id's country",
        card_layout_under_id_key,
    ),
    (
        "card after a card word beside a national id word, in the id's country",
        card_after_card_word,
    ),
];

/// Cards written plain where the national numbers are: those that pass a
/// number's structure (and check digits) are forwarded by design; what
/// that costs, measured, not held.
pub(crate) const COSTS: &[(&str, CardCase)] = &[
    (
        "card plain under a national id key, in the id's country",
        card_plain_under_id_key,
    ),
    (
        "card plain in user id, in a UZ, FR, RU, RO, MY, KZ, EG, PK or ID order",
        card_plain_in_user_id,
    ),
];

// === Dates ===

/// A date of birth from 1950 to 2008 as (year, month, day).
fn birth(rng: &mut Rng) -> (usize, usize, usize) {
    let year = rng.range(1950, 2008);
    let month = rng.range(1, 12);
    let days = match month {
        2 if year.is_multiple_of(4) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (year, month, rng.range(1, days))
}

fn weighted(body: &str, weights: &[usize]) -> usize {
    body.bytes()
        .zip(weights.iter().cycle())
        .map(|(b, &w)| usize::from(b - b'0') * w)
        .sum()
}

// === The numbers ===

fn pinfl(rng: &mut Rng) -> String {
    let (y, m, d) = birth(rng);
    let sex = if y < 2000 { 3 } else { 5 } + rng.below(2);
    let body = format!(
        "{sex}{d:02}{m:02}{:02}{:03}{:03}",
        y % 100,
        rng.range(1, 998),
        rng.range(1, 998)
    );
    let check = weighted(&body, &[7, 3, 1]) % 10;
    format!("{body}{check}")
}

fn nir(rng: &mut Rng) -> String {
    let (y, m, _) = birth(rng);
    let dep = loop {
        let d = rng.range(1, 95);
        if d != 20 {
            break d;
        }
    };
    let body = format!(
        "{}{:02}{m:02}{dep:02}{:03}{:03}",
        rng.range(1, 2),
        y % 100,
        rng.range(1, 899),
        rng.range(1, 998)
    );
    let key = 97 - body.parse::<u64>().unwrap_or(0) % 97;
    let v = format!("{body}{key:02}");
    if rng.chance(2) {
        v
    } else {
        let b = v.as_bytes();
        [
            &b[..1],
            &b[1..3],
            &b[3..5],
            &b[5..7],
            &b[7..10],
            &b[10..13],
            &b[13..],
        ]
        .iter()
        .map(|g| std::str::from_utf8(g).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

fn inn(rng: &mut Rng) -> String {
    let region = *rng.pick(&[
        "77", "50", "78", "23", "66", "61", "16", "02", "52", "63", "74", "54",
    ]);
    let mut v = format!("{region}{:02}{}", rng.range(1, 51), rng.digits(6));
    let c1 = weighted(&v, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10;
    v.push(char::from(b'0' + c1 as u8));
    let c2 = weighted(&v, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10;
    v.push(char::from(b'0' + c2 as u8));
    v
}

fn cnp(rng: &mut Rng) -> String {
    let (y, m, d) = birth(rng);
    let sex = if y < 2000 { 1 } else { 5 } + rng.below(2);
    let body = format!(
        "{sex}{:02}{m:02}{d:02}{:02}{:03}",
        y % 100,
        rng.range(1, 52),
        rng.range(1, 999)
    );
    let check = match weighted(&body, &[2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11 {
        10 => 1,
        r => r,
    };
    format!("{body}{check}")
}

fn mykad(rng: &mut Rng) -> String {
    let (y, m, d) = birth(rng);
    let place = if rng.chance(4) {
        rng.range(1, 16)
    } else {
        rng.range(21, 59)
    };
    let (a, b, c) = (
        format!("{:02}{m:02}{d:02}", y % 100),
        format!("{place:02}"),
        rng.digits(4),
    );
    if rng.chance(2) {
        format!("{a}{b}{c}")
    } else {
        format!("{a}-{b}-{c}")
    }
}

fn kz_iin(rng: &mut Rng) -> String {
    loop {
        let (y, m, d) = birth(rng);
        let cs = if y < 2000 { 3 } else { 5 } + rng.below(2);
        let body = format!("{:02}{m:02}{d:02}{cs}{}", y % 100, rng.digits(4));
        let mut check = weighted(&body, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) % 11;
        if check == 10 {
            check = weighted(&body, &[3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) % 11;
        }
        if check < 10 {
            return format!("{body}{check}");
        }
    }
}

fn eg_id(rng: &mut Rng) -> String {
    let (y, m, d) = birth(rng);
    let century = if y < 2000 { 2 } else { 3 };
    let gov = *rng.pick(&[
        1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 32,
        33, 34, 35, 88,
    ]);
    format!(
        "{century}{:02}{m:02}{d:02}{gov:02}{}",
        y % 100,
        rng.digits(5)
    )
}

fn cnic(rng: &mut Rng) -> String {
    // Provinces by population: Punjab (3) and Sindh (4) most.
    let province = *rng.pick(&["1", "1", "3", "3", "3", "3", "3", "4", "4", "5", "6", "7"]);
    let v = format!("{province}{}", rng.digits(12));
    if rng.chance(2) {
        v
    } else {
        format!("{}-{}-{}", &v[..5], &v[5..12], &v[12..])
    }
}

fn nik(rng: &mut Rng) -> String {
    // Provinces about as often as people live there (BPS, 2020): West,
    // Central and East Java most.
    let province = *rng.pick(&[
        "32", "32", "32", "32", "32", "33", "33", "33", "33", "35", "35", "35", "35", "31", "36",
        "12", "12", "16", "18", "73", "11", "13", "14", "51", "52", "53", "61", "63", "64", "71",
        "72", "81", "94",
    ]);
    let regency = if rng.chance(4) {
        rng.range(71, 78)
    } else {
        rng.range(1, 26)
    };
    let (y, m, d) = birth(rng);
    let day = if rng.chance(2) { d + 40 } else { d };
    format!(
        "{province}{regency:02}{:02}{day:02}{m:02}{:02}{:04}",
        rng.range(1, 30),
        y % 100,
        rng.range(1, 1199)
    )
}

// === Placing them ===

/// A request of the order's country `cc` with `v` under one of `keys`, in
/// a note after one of `words`, or alone in the user id.
fn placed(rng: &mut Rng, v: String, cc: &str, keys: &[&str], words: &[&str]) -> Value {
    match rng.below(3) {
        0 => {
            let key = *rng.pick(keys);
            json!({"billing": {"country": cc}, "custom_inputs": {key: v}})
        }
        1 => {
            let word = *rng.pick(words);
            json!({"billing": {"country": cc}, "custom_inputs": {"note": format!("{word}{v}")}})
        }
        _ => json!({"billing": {"country": cc}, "account": {"user_id": v}}),
    }
}

fn pinfl_requests(rng: &mut Rng) -> Value {
    let v = pinfl(rng);
    placed(
        rng,
        v,
        "UZ",
        &["pinfl", "jshshir"],
        &["ПИНФЛ ", "JSHSHIR: ", ""],
    )
}

fn nir_requests(rng: &mut Rng) -> Value {
    let v = nir(rng);
    placed(rng, v, "FR", &["nir", "secu"], &["N° sécu ", "NIR: ", ""])
}

fn inn_requests(rng: &mut Rng) -> Value {
    let v = inn(rng);
    placed(rng, v, "RU", &["inn"], &["ИНН ", "INN: ", ""])
}

fn cnp_requests(rng: &mut Rng) -> Value {
    let v = cnp(rng);
    placed(rng, v, "RO", &["cnp"], &["CNP: ", ""])
}

fn mykad_requests(rng: &mut Rng) -> Value {
    let v = mykad(rng);
    placed(
        rng,
        v,
        "MY",
        &["ic_no", "mykad", "nric"],
        &["IC: ", "MyKad ", ""],
    )
}

fn kz_requests(rng: &mut Rng) -> Value {
    let v = kz_iin(rng);
    placed(rng, v, "KZ", &["iin"], &["ИИН ", "IIN: ", ""])
}

fn eg_requests(rng: &mut Rng) -> Value {
    let v = eg_id(rng);
    placed(
        rng,
        v,
        "EG",
        &["national_id", "nid"],
        &["National ID: ", "الرقم القومي ", ""],
    )
}

fn cnic_requests(rng: &mut Rng) -> Value {
    let v = cnic(rng);
    placed(
        rng,
        v,
        "PK",
        &["cnic", "cnic_no"],
        &["CNIC: ", "CNIC# ", ""],
    )
}

fn nik_requests(rng: &mut Rng) -> Value {
    let v = nik(rng);
    placed(
        rng,
        v,
        "ID",
        &["nik", "no_ktp", "ktp"],
        &["NIK: ", "No. KTP ", ""],
    )
}

// === Cards placed the same way ===

/// The national numbers' keys, with their order's country.
const KEYS: &[(&str, &str)] = &[
    ("pinfl", "UZ"),
    ("nir", "FR"),
    ("inn", "RU"),
    ("cnp", "RO"),
    ("mykad", "MY"),
    ("iin", "KZ"),
    ("national_id", "EG"),
    ("cnic", "PK"),
    ("nik", "ID"),
];

fn rejected(request: Value, path: &str) -> Case {
    Case {
        request,
        endpoint: Endpoint::Transaction,
        policy: PolicyKind::Default,
        expect: Expect::Rejected("PAN_DETECTED", path.into()),
    }
}

fn card(rng: &mut Rng) -> String {
    let (prefix, lengths) = *rng.pick(BRANDS);
    let len = *rng.pick(lengths);
    pan_of(rng, prefix, len)
}

fn card_layout_under_id_key(rng: &mut Rng) -> Case {
    let c = card(rng);
    let sep = *rng.pick(&[" ", "-", "."]);
    let v = c
        .as_bytes()
        .chunks(4)
        .map(|g| std::str::from_utf8(g).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(sep);
    let (key, cc) = *rng.pick(KEYS);
    rejected(
        json!({"billing": {"country": cc}, "custom_inputs": {key: v}}),
        &format!("/custom_inputs/{key}"),
    )
}

fn card_after_card_word(rng: &mut Rng) -> Case {
    let c = card(rng);
    let (key, cc) = *rng.pick(KEYS);
    let word = *rng.pick(&["card", "kartu", "карта", "carte", "visa"]);
    rejected(
        json!({"billing": {"country": cc}, "custom_inputs": {"note": format!("{key} {word} {c}")}}),
        "/custom_inputs/note",
    )
}

fn card_plain_under_id_key(rng: &mut Rng) -> Case {
    let c = card(rng);
    let (key, cc) = *rng.pick(KEYS);
    rejected(
        json!({"billing": {"country": cc}, "custom_inputs": {key: c}}),
        &format!("/custom_inputs/{key}"),
    )
}

fn card_plain_in_user_id(rng: &mut Rng) -> Case {
    let c = card(rng);
    let (_, cc) = *rng.pick(KEYS);
    rejected(
        json!({"billing": {"country": cc}, "account": {"user_id": c}}),
        "/account/user_id",
    )
}

fn cn_id(rng: &mut Rng) -> String {
    let region = *rng.pick(&[
        "110101", "310104", "440305", "330106", "510107", "610113", "420106",
    ]);
    let (y, m, d) = birth(rng);
    let body = format!("{region}{y}{m:02}{d:02}{}", rng.digits(3));
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let check = (12 - weighted(&body, &w) % 11) % 11;
    let v = if check == 10 {
        format!("{body}X")
    } else {
        format!("{body}{check}")
    };
    match rng.below(3) {
        0 => v,
        1 => format!("{} {} {}", &v[..6], &v[6..14], &v[14..]),
        _ => format!("{} {} {} {}", &v[..6], &v[6..10], &v[10..14], &v[14..]),
    }
}

fn cn_requests(rng: &mut Rng) -> Value {
    let v = cn_id(rng);
    placed(
        rng,
        v,
        "CN",
        &["id_number", "sfz"],
        &["身份证号: ", "身份证 ", ""],
    )
}
