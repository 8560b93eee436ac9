//! Digests of a card beside the app's truncation, generated over brands,
//! lengths, algorithms, encodings and fields. Cards are built from digits
//! at run time and never written into a message.

use super::*;
use crate::policy::{self, Policy};
use crate::sanitize::{sanitize_value, Rejection, Sanitized};
use crate::schema::Endpoint;
use serde_json::{json, Value};
use std::collections::HashSet;

/// A small deterministic generator (xorshift64*), so runs repeat.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn digit(&mut self) -> u8 {
        b'0' + self.below(10) as u8
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A Luhn-valid card of `len` digits (ASCII) starting with `prefix`.
fn card(rng: &mut Rng, prefix: &str, len: usize) -> Vec<u8> {
    let mut c: Vec<u8> = prefix.bytes().collect();
    while c.len() < len - 1 {
        c.push(rng.digit());
    }
    for check in b'0'..=b'9' {
        c.push(check);
        let values: Vec<u8> = c.iter().map(|d| d - b'0').collect();
        if brand::luhn_valid(&values) {
            return c;
        }
        c.pop();
    }
    unreachable!("one check digit makes any number Luhn-valid")
}

/// Brands and lengths whose candidates beside an IIN of 6 and the last 4
/// are few enough to test, with the IIN length to send (8 where 6 would
/// leave too many).
const CASES: &[(&str, usize, usize)] = &[
    ("4", 13, 6),
    ("4", 16, 6),
    ("4", 16, 8),
    ("51", 16, 6),
    ("55", 16, 8),
    ("2221", 16, 6),
    ("2720", 16, 6),
    ("34", 15, 6),
    ("37", 15, 6),
    ("6011", 16, 6),
    ("65", 16, 6),
    ("3528", 16, 6),
    ("36", 14, 6),
    ("300", 14, 6),
    ("5018", 12, 6),
    ("5018", 13, 6),
    ("56", 14, 6),
    ("6304", 15, 6),
    ("6759", 16, 6),
    ("62", 16, 6),
    ("62", 17, 8),
    ("62", 18, 8),
    ("2200", 16, 6),
    ("9792", 16, 6),
];

fn digest_of(algo: Algo, msg: &[u8]) -> Vec<u8> {
    let mut out = [0u8; 64];
    let n = algo.hash(msg, &mut out);
    out[..n].to_vec()
}

fn hex(d: &[u8]) -> String {
    crate::json::hex(d)
}

fn base64(d: &[u8], url: bool, padded: bool) -> String {
    const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in d.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, &x)| a | u32::from(x) << (16 - 8 * i));
        for k in 0..=chunk.len() {
            let c = STANDARD[(n >> (18 - 6 * k) & 63) as usize];
            out.push(match (url, c) {
                (true, b'+') => '-',
                (true, b'/') => '_',
                _ => char::from(c),
            });
        }
        if padded {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// Every spelling apps write a digest in.
fn encodings(d: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        ("hex", hex(d)),
        ("HEX", hex(d).to_ascii_uppercase()),
        ("base64", base64(d, false, true)),
        ("base64 unpadded", base64(d, false, false)),
        ("base64url", base64(d, true, false)),
        ("base64url padded", base64(d, true, true)),
    ]
}

/// A request with the card's truncation (`iin` digits of it and its last
/// 4) and `value` at one of the places apps put a card's digest.
fn request(c: &[u8], iin: usize, place: usize, value: &str) -> Value {
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    let mut req = json!({
        "device": {"ip_address": "81.2.69.160"},
        "credit_card": {
            "issuer_id_number": text(&c[..iin]),
            "last_digits": text(&c[c.len() - 4..]),
        },
    });
    match place {
        0 => req["credit_card"]["token"] = json!(value),
        1 => req["device"]["tracking_token"] = json!(value),
        2 => req["custom_inputs"] = json!({"card_fingerprint": value}),
        3 => req["custom_inputs"] = json!({"note": format!("fp={value}; thanks")}),
        4 => {
            req["order"] = json!({"referrer_uri": format!("https://shop.example/r?fp={value}&x=1")})
        }
        5 => req["event"] = json!({"transaction_id": format!("t:{value}")}),
        _ => unreachable!(),
    }
    req
}

const PLACES: usize = 6;

fn sanitize(policy: &Policy, req: Value) -> Result<Sanitized, Rejection> {
    sanitize_value(policy, Endpoint::Transaction, req)
}

/// The default policy with `card_digest_search` set to `setting`.
fn searching(setting: &str) -> Policy {
    let src = policy::DEFAULT_POLICY_SOURCE.replace(
        "on_pan = \"reject\"",
        &format!("on_pan = \"reject\"\ncard_digest_search = \"{setting}\""),
    );
    let p = policy::parse(&src, "p").unwrap();
    assert_eq!(p.card_digest_search().name(), setting);
    p
}

fn redacting() -> Policy {
    let src = policy::DEFAULT_POLICY_SOURCE.replace("on_pan = \"reject\"", "on_pan = \"redact\"");
    policy::parse(&src, "p").unwrap()
}

/// Whether the request was refused as a card found by the digest rule
/// (without printing what was accepted).
fn refused_as_digest(r: &Result<Sanitized, Rejection>) -> bool {
    matches!(r, Err(e) if e.code() == "PAN_DETECTED" && e.rule() == Some(RULE))
}

#[test]
fn candidates_are_every_luhn_valid_card_of_the_truncation() {
    let mut rng = Rng(0x5eed_0001);
    for &(prefix, len, iin) in CASES {
        let c = card(&mut rng, prefix, len);
        let t = Truncated::new(&c[..iin], &c[len - 4..]).expect("a truncation to test");
        assert!(t.lengths().contains(&len), "{prefix} at {len}");
        let mut seen = HashSet::new();
        let mut has_card = false;
        let mut valid = true;
        t.each_candidate(|cand| {
            let mut sum = 0;
            for (i, &d) in cand.iter().rev().enumerate() {
                sum += luhn_value(d - b'0', i % 2 == 1);
            }
            valid &= sum.is_multiple_of(10)
                && cand.starts_with(&c[..iin])
                && cand.ends_with(&c[len - 4..]);
            has_card |= cand == &c[..];
            let number = cand.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
            seen.insert((cand.len(), number));
        });
        assert!(valid, "{prefix} at {len}: a candidate that does not fit");
        assert!(has_card, "{prefix} at {len}: the card is not a candidate");
        // Every Luhn-valid card of each length once: one in ten values of
        // the hidden digits (all of them when none is hidden and the
        // truncation is one).
        let count = seen.len() as u64;
        let bound = t.candidate_count();
        assert!(
            count == bound || count + 1 == bound,
            "{prefix} at {len}: {count} of {bound}"
        );
        assert!(t.candidate_count() <= MAX_CANDIDATES * t.lengths().len() as u64);
    }
}

#[test]
fn lengths_past_the_bound_are_not_tested() {
    // 19-digit Visa beside 6 + 4: 10^8 candidates; beside 8 + 4: 10^6.
    let t = Truncated::new(b"411111", b"1234").unwrap();
    assert_eq!(t.lengths(), &[13, 16]);
    let t = Truncated::new(b"511111", b"1234").unwrap();
    assert_eq!(t.lengths(), &[16]);
    // Maestro's 62 issues 12 to 19 digits.
    let t = Truncated::new(b"62123456", b"1234").unwrap();
    assert_eq!(t.lengths(), &[12, 13, 14, 15, 16, 17, 18]);
    assert_eq!(t.candidate_count(), 111_112);
    let t = Truncated::new(b"621234", b"1234").unwrap();
    assert_eq!(t.lengths(), &[12, 13, 14, 15, 16]);
    assert_eq!(t.candidate_count(), 111_110);
    // Not a truncation, or no brand's.
    assert!(Truncated::new(b"41111", b"1234").is_none());
    assert!(Truncated::new(b"411111", b"12345").is_none());
    assert!(Truncated::new(b"41a111", b"1234").is_none());
    assert!(Truncated::new(b"999999", b"1234").is_none());
}

#[test]
fn shapes_are_whole_runs_of_a_digest_length() {
    let mut rng = Rng(0x5eed_0002);
    for n in [16, 20, 32, 64] {
        let d = rng.bytes(n);
        for (name, text) in encodings(&d) {
            let found = shapes(text.as_bytes());
            assert!(
                found
                    .iter()
                    .any(|s| *s.bytes == d[..] && s.at == (0..text.len())),
                "{name} of {n} bytes"
            );
            let framed = format!("x:{text};");
            assert!(shapes(framed.as_bytes()).iter().any(|s| *s.bytes == d[..]));
            // Glued to more characters of its alphabet, it is not one.
            if !text.ends_with('=') {
                let glued = format!("{text}{text}");
                assert!(!shapes(glued.as_bytes()).iter().any(|s| *s.bytes == d[..]));
            }
        }
    }
    // Other lengths and non-canonical base64 are not digests.
    assert!(shapes(b"0123456789abcdef0123456789abcde").is_empty());
    assert!(shapes(b"AAAAAAAAAAAAAAAAAAAAAB").is_empty());
}

/// The cases whose candidates are few (at most 10^4 per length: 15
/// digits and shorter beside 6 + 4, an IIN of 8), where every spelling is
/// tried; the others are tried in turn.
fn few(t: &Truncated) -> bool {
    t.candidate_count() <= 20_000
}

#[test]
fn every_spelling_of_every_algorithm_is_found() {
    let mut rng = Rng(0x5eed_0003);
    let mut tried = 0;
    for &(prefix, len, iin) in CASES {
        let c = card(&mut rng, prefix, len);
        let t = Truncated::new(&c[..iin], &c[len - 4..]).unwrap();
        if !few(&t) {
            continue;
        }
        for algo in Algo::ALL {
            let d = digest_of(algo, &c);
            for (name, value) in encodings(&d) {
                for text in [
                    value.clone(),
                    format!("fp: {value}."),
                    format!("a=1&t={value}"),
                ] {
                    assert!(
                        t.find(&text).is_some(),
                        "{prefix} at {len}: {algo:?} in {name}"
                    );
                    tried += 1;
                }
            }
            // Another card's digest, the same card's under another
            // algorithm's length, and random bytes are not found.
            let other = digest_of(algo, &card(&mut rng, prefix, len));
            let random = rng.bytes(d.len());
            for (_, value) in encodings(&other).into_iter().chain(encodings(&random)) {
                assert!(t.find(&value).is_none(), "{prefix} at {len}: {algo:?}");
            }
        }
    }
    assert!(tried >= 4 * 4 * 6 * 3, "{tried}");
}

#[test]
fn a_digest_of_the_card_beside_its_truncation_is_a_card_found() {
    let mut rng = Rng(0x5eed_0004);
    let default = Policy::embedded_default().unwrap();
    let redact = redacting();
    let mut turn = 0;
    for (i, &(prefix, len, iin)) in CASES.iter().enumerate() {
        for algo in Algo::ALL {
            let c = card(&mut rng, prefix, len);
            let t = Truncated::new(&c[..iin], &c[len - 4..]).unwrap();
            // Many candidates: one algorithm per case, in turn.
            if !few(&t) && Algo::ALL[i % 4] != algo {
                continue;
            }
            let d = digest_of(algo, &c);
            // The spellings and places in turn, so every pair is met.
            let (name, value) = encodings(&d).swap_remove(turn % 6);
            let place = (turn / 6 + turn) % PLACES;
            turn += 1;
            let r = sanitize(&default, request(&c, iin, place, &value));
            assert!(
                refused_as_digest(&r),
                "{prefix} at {len}, IIN {iin}, {algo:?} in {name} at place {place}"
            );
            if few(&t) || i % 8 == 0 {
                // Under `redact` the value is left out.
                let out = sanitize(&redact, request(&c, iin, place, &value))
                    .map(|s| s.to_json())
                    .unwrap_or_default();
                assert!(
                    !out.is_empty() && !out.contains(&value),
                    "{prefix} at {len}, {algo:?} in {name} at place {place}: redact"
                );
            }
        }
    }
    assert!(turn >= CASES.len() + 4 * 3, "{turn}");
}

/// `account.username_md5` and an MD5 `email.address` (what minFraud's
/// clients send beside the IIN and last digits) are searched under
/// `card_digest_search = "all_fields"`; by default they are forwarded as
/// sent, and the other places are still searched in the same request.
#[test]
fn an_md5_of_the_card_as_a_hashed_username_or_address_is_a_card_found_under_all_fields() {
    let mut rng = Rng(0x5eed_0005);
    let all = searching("all_fields");
    let default = Policy::embedded_default().unwrap();
    assert_eq!(default.card_digest_search().name(), "other_fields");
    for (i, &(prefix, len, iin)) in CASES.iter().enumerate() {
        let c = card(&mut rng, prefix, len);
        if i % 3 != 0 && !few(&Truncated::new(&c[..iin], &c[len - 4..]).unwrap()) {
            continue;
        }
        let md5 = hex(&digest_of(Algo::Md5, &c));
        let v = if i % 2 == 1 {
            md5.to_ascii_uppercase()
        } else {
            md5
        };
        let group = if i % 4 < 2 { "account" } else { "email" };
        let mut req = request(&c, iin, 0, "tok_1");
        req[group] = match group {
            "account" => json!({"username_md5": v}),
            _ => json!({"address": v}),
        };
        assert!(
            refused_as_digest(&sanitize(&all, req.clone())),
            "{prefix} at {len} in {group}"
        );
        let forwarded = sanitize(&default, req.clone()).expect("forwarded by default");
        let out = String::from_utf8_lossy(forwarded.json()).to_ascii_lowercase();
        assert!(
            out.contains(&v.to_ascii_lowercase()),
            "{prefix} at {len} in {group}: the MD5 as sent"
        );
        // The same request with a digest of the card in a token: found by
        // default.
        req["credit_card"]["token"] = json!(hex(&digest_of(Algo::Sha256, &c)));
        assert!(
            refused_as_digest(&sanitize(&default, req)),
            "{prefix} at {len}: token beside {group}"
        );
    }
}

/// `card_digest_search = "off"`: a digest of the card beside the app's
/// truncation is forwarded in every place and spelling.
#[test]
fn the_search_is_off_under_off() {
    let mut rng = Rng(0x5eed_0009);
    let off = searching("off");
    let all = searching("all_fields");
    let c = card(&mut rng, "4", 16);
    let d = digest_of(Algo::Sha1, &c);
    for (place, (_, value)) in encodings(&d).into_iter().cycle().take(PLACES).enumerate() {
        let req = request(&c, 6, place, &value);
        assert!(sanitize(&off, req.clone()).is_ok(), "place {place}");
        assert!(refused_as_digest(&sanitize(&all, req)), "place {place}");
    }
}

#[test]
fn the_legacy_last_4_digits_name_and_an_8_digit_iin_are_truncations_too() {
    let mut rng = Rng(0x5eed_0006);
    let default = Policy::embedded_default().unwrap();
    let c = card(&mut rng, "4", 16);
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    let token = hex(&digest_of(Algo::Sha256, &c));
    for (iin, name) in [
        (6, "last_4_digits"),
        (8, "last_digits"),
        (8, "last_4_digits"),
    ] {
        let mut req = json!({"credit_card": {"issuer_id_number": text(&c[..iin]), "token": token}});
        req["credit_card"][name] = json!(text(&c[12..]));
        assert!(refused_as_digest(&sanitize(&default, req)), "{iin} {name}");
    }
}

#[test]
fn other_digests_beside_a_truncation_are_forwarded() {
    let mut rng = Rng(0x5eed_0007);
    let default = Policy::embedded_default().unwrap();
    let (mut forwarded, mut total, mut turn) = (0, 0, 0);
    for &(prefix, len, iin) in CASES {
        let c = card(&mut rng, prefix, len);
        let t = Truncated::new(&c[..iin], &c[len - 4..]).unwrap();
        // Random digests in every spelling, at every place in turn.
        let sizes: &[usize] = match (few(&t), turn % 4) {
            (true, _) => &[16, 20, 32, 64],
            (false, 0) => &[16],
            _ => &[],
        };
        turn += 1;
        for &n in sizes {
            let d = rng.bytes(n);
            for (_, value) in encodings(&d) {
                let place = turn % PLACES;
                turn += 1;
                let out = sanitize(&default, request(&c, iin, place, &value));
                total += 1;
                forwarded += usize::from(out.is_ok_and(|s| s.to_json().contains(&value)));
            }
        }
        // A digest of a card with other last digits is not this card's.
        let mut other = c.clone();
        other[len - 2] = b'0' + (other[len - 2] - b'0' + 1) % 10;
        let other = card(
            &mut rng,
            std::str::from_utf8(&other[..len - 1]).unwrap(),
            len,
        );
        let value = hex(&digest_of(Algo::Md5, &other));
        if !few(&t) {
            continue;
        }
        let out = sanitize(&default, request(&c, iin, 0, &value));
        total += 1;
        forwarded += usize::from(out.is_ok_and(|s| s.to_json().contains(&value)));
    }
    assert_eq!(forwarded, total);
}

#[test]
fn real_username_hashes_beside_a_card_are_forwarded() {
    let mut rng = Rng(0x5eed_0008);
    let default = Policy::embedded_default().unwrap();
    let names = ["jane.doe88", "JaneDoe", "kim_minji", "user12345", "j.smith"];
    for (i, &(prefix, len, iin)) in CASES.iter().enumerate() {
        let c = card(&mut rng, prefix, len);
        if i % 3 != 0 && !few(&Truncated::new(&c[..iin], &c[len - 4..]).unwrap()) {
            continue;
        }
        let name = names[i % names.len()];
        let md5 = hex(&digest_of(Algo::Md5, name.as_bytes()));
        let address = hex(&digest_of(
            Algo::Md5,
            format!("{name}@example.com").as_bytes(),
        ));
        let mut req = request(&c, iin, 0, "tok_abc");
        req["account"] = json!({"username_md5": md5});
        req["email"] = json!({"address": address});
        let out = sanitize(&default, req)
            .map(|s| s.to_json())
            .unwrap_or_default();
        assert!(
            out.contains(&md5) && out.contains(&address),
            "{prefix} at {len}: {name}"
        );
    }
}

#[test]
fn the_card_number_itself_keeps_the_direct_search() {
    // With `credit_card.number` sent, the card's own digests are looked
    // for; the app's truncation is not read.
    let mut rng = Rng(0x5eed_0009);
    let c = card(&mut rng, "4", 19);
    let text = String::from_utf8(c.clone()).unwrap();
    let token = hex(&digest_of(Algo::Sha256, &c));
    let req = json!({"credit_card": {"number": text, "token": token}});
    let r = sanitize(&Policy::embedded_default().unwrap(), req);
    assert!(matches!(&r, Err(e) if e.code() == "PAN_DETECTED" && e.rule() == Some("echo")));
}
