//! Card numbers, usernames and addresses hidden where the scan of kept
//! strings alone would not see them: in fields txveil hashes, echoed from
//! the request's own raw fields, split across derived fields or address
//! lines, in UUID stretches, glued to a CVV after a grouped layout, or in an
//! 8-character `maxmind_id`. Each row is a class name and a generator of
//! cases over every brand and length of [`super::BRANDS`].

use super::{format_pan, groups_of, in_script, pan_of, place, Case, Expect, PolicyKind, Rng};
use super::{luhn_check_digit, BRANDS, ZEROS};
use serde_json::json;
use txveil::schema::Endpoint;

/// A class: its name and a case generator.
pub(crate) type HiddenCase = fn(&mut Rng) -> Case;

/// Every class, in the order the tables print them.
pub(crate) const CLASSES: &[(&str, HiddenCase)] = &[
    ("card in account.username", card_in_username),
    ("card as an email's local part", card_in_email),
    ("card echoed where the scan alone misses it", card_echo),
    ("username echoed into another field", username_echo),
    ("email address echoed into another field", email_echo),
    ("IIN 8 + last 4 spelling a 12-digit card", iin8_last4_twelve),
    ("card in a UUID stretch beside hex letters", uuid_stretch),
    ("card wrapped across address lines", wrapped_address),
    (
        "grouped card glued to CVV/expiry or after zeros",
        grouped_glued,
    ),
    ("maxmind_id of 8 characters holding 12 digits", maxmind_id),
    (
        "card glued to its expiry MM/YY, or printed + 2 digits",
        glued_expiry,
    ),
    ("card in plain sight in an app-sent MD5", in_app_digest),
];

fn any_pan(rng: &mut Rng) -> String {
    let (prefix, lengths) = *rng.pick(BRANDS);
    let len = *rng.pick(lengths);
    pan_of(rng, prefix, len)
}

fn rejected(request: serde_json::Value, endpoint: Endpoint, path: &str) -> Case {
    Case {
        request,
        endpoint,
        policy: PolicyKind::Default,
        expect: Expect::Rejected("PAN_DETECTED", path.to_owned()),
    }
}

/// `pan` where no space may go: plain or joined by `.`, `-`, `_`, in some
/// digit script.
fn compact(rng: &mut Rng, pan: &str) -> String {
    let sep = *rng.pick(&["", ".", "-", "_"]);
    let joined = groups_of(rng, pan).join(sep);
    if rng.below(3) == 0 {
        in_script(&joined, *rng.pick(ZEROS))
    } else {
        joined
    }
}

fn card_in_username(rng: &mut Rng) -> Case {
    let pan = any_pan(rng);
    let name = if rng.below(2) == 0 {
        format_pan(rng, &pan)
    } else {
        compact(rng, &pan)
    };
    rejected(
        json!({"account": {"username": name}}),
        Endpoint::Transaction,
        "/account/username",
    )
}

fn card_in_email(rng: &mut Rng) -> Case {
    let pan = any_pan(rng);
    let local = compact(rng, &pan);
    let domain = *rng.pick(&["example.com", "gmail.com", "naver.com"]);
    rejected(
        json!({"email": {"address": format!("{local}@{domain}")}}),
        Endpoint::Transaction,
        "/email/address",
    )
}

fn card_echo(rng: &mut Rng) -> Case {
    let pan = any_pan(rng);
    let echo = match rng.below(4) {
        0 => groups_of(rng, &pan).join("x"),
        1 => format!("7{pan}"),
        2 => format!("+{pan}"),
        _ => format!("first {} then {}", &pan[..6], &pan[6..]),
    };
    let (mut request, path) = place(rng, &echo, None);
    request["credit_card"]["number"] = json!(pan);
    rejected(request, Endpoint::Transaction, &path)
}

fn username(rng: &mut Rng) -> String {
    let first = *rng.pick(&["maria", "jose", "kim", "nguyen", "ana", "sven"]);
    let last = *rng.pick(&["garcia", "santos", "jisoo", "tran", "reyes", "berg"]);
    format!("{first}.{last}{}", rng.range(1, 9999))
}

fn username_echo(rng: &mut Rng) -> Case {
    let name = username(rng);
    let echo = if rng.below(2) == 0 {
        name.to_uppercase()
    } else {
        name.clone()
    };
    let (mut request, _) = place(rng, &format!("id {echo} ok"), None);
    request["account"]["username"] = json!(name);
    Case {
        request,
        endpoint: Endpoint::Transaction,
        policy: PolicyKind::Default,
        expect: Expect::HashedEmail { raw: name },
    }
}

fn email_echo(rng: &mut Rng) -> Case {
    let address = format!("{}@example.com", username(rng));
    let (mut request, _) = place(rng, &format!("contact {} ok", address.to_uppercase()), None);
    request["email"]["address"] = json!(address);
    Case {
        request,
        endpoint: Endpoint::Transaction,
        policy: PolicyKind::Default,
        expect: Expect::HashedEmail { raw: address },
    }
}

fn iin8_last4_twelve(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(&[
        "5018", "56", "58", "6304", "6759", "62", "65", "6011", "644",
    ]);
    let card = pan_of(rng, prefix, 12);
    Case {
        request: json!({"credit_card": {"issuer_id_number": &card[..8], "last_digits": &card[8..]}}),
        endpoint: Endpoint::Transaction,
        policy: PolicyKind::Default,
        expect: Expect::Hides {
            len: 12,
            at_least: 2,
        },
    }
}

fn uuid_stretch(rng: &mut Rng) -> Case {
    let pan = any_pan(rng);
    let uuid = super::uuid_holding(rng, &pan);
    let (request, path) = place(rng, &uuid, None);
    rejected(request, Endpoint::Transaction, &path)
}

fn wrapped_address(rng: &mut Rng) -> Case {
    let pan = any_pan(rng);
    let written = groups_of(rng, &pan).join(*rng.pick(&[" ", "-", ""]));
    let chars: Vec<char> = written.chars().collect();
    let cut = 1 + rng.below(chars.len() - 1);
    let head: String = chars[..cut].iter().collect();
    let tail: String = chars[cut..].iter().collect();
    let group = *rng.pick(&["billing", "shipping"]);
    rejected(
        json!({group: {"address": format!("Flat 3, {head}"), "address_2": format!("{tail} Main St")}}),
        Endpoint::Transaction,
        &format!("/{group}/address"),
    )
}

fn grouped_glued(rng: &mut Rng) -> Case {
    // Airline cards (starting with 1) are only read whole.
    let pan = loop {
        let p = any_pan(rng);
        if !p.starts_with('1') {
            break p;
        }
    };
    let mut groups: Vec<String> = pan
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    if rng.below(2) == 0 {
        groups[0] = format!("{}{}", "0".repeat(*rng.pick(&[1usize, 3, 4])), groups[0]);
    } else {
        let glued = match rng.below(3) {
            0 => rng.digits(3),
            1 => rng.digits(4),
            _ => format!("{:02}{:02}", rng.range(1, 12), rng.range(25, 35)),
        };
        if let Some(last) = groups.last_mut() {
            last.push_str(&glued);
        }
    }
    let common = *rng.pick(&[" ", "-", "."]);
    let odd = 1 + rng.below(groups.len() - 1);
    let mut text = String::new();
    for (k, g) in groups.iter().enumerate() {
        if k > 0 {
            text.push_str(if k == odd { "/" } else { common });
        }
        text.push_str(g);
    }
    let (request, path) = place(rng, &text, None);
    rejected(request, Endpoint::Transaction, &path)
}

fn maxmind_id(rng: &mut Rng) -> Case {
    // Two digits, four numbers of two digits (`⑩`-`⑳`), a digit and the
    // check digit: 12 digits in 8 characters.
    let prefix = *rng.pick(&["56", "58", "63", "67"]);
    let pairs: Vec<u32> = (0..4).map(|_| 10 + rng.below(11) as u32).collect();
    let d = rng.below(10);
    let mut body = prefix.to_owned();
    for p in &pairs {
        body.push_str(&p.to_string());
    }
    body.push_str(&d.to_string());
    let check = luhn_check_digit(&body);
    let mut id = prefix.to_owned();
    for p in pairs {
        id.push(char::from_u32(0x245F + p).unwrap_or('0'));
    }
    id.push_str(&format!("{d}{check}"));
    rejected(
        json!({"maxmind_id": id, "tag": "chargeback"}),
        Endpoint::Report,
        "/maxmind_id",
    )
}

fn glued_expiry(rng: &mut Rng) -> Case {
    let pan = any_pan(rng);
    let month = rng.range(1, 12);
    let year = rng.range(20, 39);
    let expiry = match rng.below(3) {
        0 => format!("{month:02}/{year:02}"),
        1 => format!("{month:02}/20{year:02}"),
        _ => format!("{month:02}-{year:02}"),
    };
    let text = match rng.below(3) {
        0 => format!("{pan}{expiry}"),
        1 => {
            let sep = *rng.pick(&[" ", "-", ".", "\u{a0}"]);
            let fours: Vec<&str> = pan
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap_or(""))
                .collect();
            format!("{}{expiry}", fours.join(sep))
        }
        // Two digits glued to a full last group of four.
        _ => {
            let pan = pan_of(rng, "4", 16);
            let fours: Vec<&str> = pan
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap_or(""))
                .collect();
            format!("{}{}", fours.join(" "), rng.digits(2))
        }
    };
    let text = if rng.below(4) == 0 {
        in_script(&text, *rng.pick(ZEROS))
    } else {
        text
    };
    let (request, path) = place(rng, &text, None);
    rejected(request, Endpoint::Transaction, &path)
}

fn in_app_digest(rng: &mut Rng) -> Case {
    let pan = any_pan(rng);
    let digest = loop {
        let rest = 32 - pan.len();
        let pad = rng.hex(rest);
        let at = rng.below(rest + 1);
        let letters = pad.bytes().filter(u8::is_ascii_alphabetic).count();
        if letters >= 4 {
            break format!("{}{pan}{}", &pad[..at], &pad[at..]);
        }
    };
    let (mut request, path) = if rng.below(2) == 0 {
        (
            json!({"account": {"username_md5": digest}}),
            "/account/username_md5",
        )
    } else {
        (json!({"email": {"address": digest}}), "/email/address")
    };
    request["credit_card"] = if rng.below(2) == 0 {
        json!({"number": pan})
    } else {
        json!({"issuer_id_number": &pan[..6], "last_digits": &pan[pan.len() - 4..]})
    };
    rejected(request, Endpoint::Transaction, path)
}
