//! An app that sends `account.username_md5` (pre-hashed, as minFraud's
//! clients let it) and no raw username, and copies the raw username into
//! another field: the username is found by its MD5 and replaced as any
//! username echo (`on_username`). Generated over usernames (ASCII, accented,
//! an address as login, upper case), the id shapes apps build around them
//! and every free-text field; another user's name is never taken for it.
//! Messages name the shape and the field, never the username.

use crate::corpus::{Rng, TEXT_FIELDS};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use txveil::schema::Endpoint;
use txveil::Policy;

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn policy(on_username: &str) -> Policy {
    let src = txveil::policy::DEFAULT_POLICY_SOURCE.replace(
        "on_email = \"hash\"",
        &format!("on_email = \"hash\"\non_username = \"{on_username}\""),
    );
    assert!(src.contains("on_username"));
    txveil::policy::parse(&src, "digest").unwrap()
}

const FIRST: &[&str] = &[
    "jane", "john", "maria", "wei", "yuki", "olga", "jörg", "zoë",
];
const LAST: &[&str] = &["doe", "smith", "garcia", "chen", "tanaka", "müller", "lee"];

fn username(rng: &mut Rng) -> String {
    let u = format!(
        "{}{}{}{}",
        rng.pick(FIRST),
        rng.pick(&[".", "_", "-", ""]),
        rng.pick(LAST),
        rng.range(10, 9999)
    );
    match rng.below(6) {
        0 => format!("{u}@example.com"),
        1 => u.to_uppercase(),
        _ => u,
    }
}

/// How apps write the login into an id or a note.
const SHAPES: &[&str] = &[
    "alone",
    "user_ prefix",
    "_timestamp suffix",
    "session id",
    "sentence",
    "url path",
    "quoted in JSON text",
];

fn shaped(shape: &str, u: &str) -> String {
    match shape {
        "alone" => u.to_owned(),
        "user_ prefix" => format!("user_{u}"),
        "_timestamp suffix" => format!("{u}_1712345678"),
        "session id" => format!("sess_{u}_8f3a"),
        "sentence" => format!("login {u} failed, retry"),
        "url path" => format!("https://shop.example/u/{u}?tab=orders"),
        "quoted in JSON text" => format!("{{\"login\":\"{u}\",\"n\":2}}"),
        other => unreachable!("{other}"),
    }
}

/// A request with `value` in the free-text place `k`, the app's
/// `username_md5` beside it, and the place's name.
fn placed(k: usize, value: &str, md5: &str) -> (Value, String) {
    let mut request = json!({"account": {"username_md5": md5}});
    let fields = TEXT_FIELDS.len();
    let place = if k < fields {
        let (g, f) = TEXT_FIELDS[k];
        request[g][f] = json!(value);
        format!("{g}.{f}")
    } else if k == fields {
        request["custom_inputs"] = json!({"login": value});
        "custom input".into()
    } else {
        request["order"] = json!({"referrer_uri": format!("https://shop.example/r?u={value}")});
        "referrer_uri".into()
    };
    (request, place)
}

#[test]
fn a_username_copied_beside_its_md5_is_found_by_the_md5() {
    let hash = policy("hash");
    let reject = policy("reject");
    let mut rng = Rng::new(0x5d5);
    let mut failures = Vec::new();
    let mut n = 0;
    for &shape in SHAPES {
        for k in 0..TEXT_FIELDS.len() + 2 {
            let u = username(&mut rng);
            // The app hashed the login as it stores it: as typed, or lower
            // case.
            let hashed = if rng.chance(2) {
                u.clone()
            } else {
                u.to_lowercase()
            };
            let md5 = md5_hex(&hashed);
            let value = shaped(shape, &u);
            let (request, place) = placed(k, &value, &md5);
            if k == TEXT_FIELDS.len() + 1 && value.contains([' ', '"', '{']) {
                continue; // not what a URL carries unencoded
            }
            n += 1;
            let case = format!("{shape} in {place}");
            match txveil::sanitize_value(&hash, Endpoint::Transaction, request.clone()) {
                Ok(out) => {
                    let out = out.to_json();
                    if out.contains(&u) || out.contains(&u.to_lowercase()) {
                        failures.push(format!("{case}: username left"));
                    }
                }
                // A value whose format the field refuses is not forwarded;
                // nor is one whose replacement's hex digits run into the
                // digits after it as a card's would (`..4012_1712345678`).
                Err(e) if matches!(e.code(), "FIELD_INVALID" | "PAN_DETECTED") => {}
                Err(e) => failures.push(format!("{case}: refused {}", e.code())),
            }
            match txveil::sanitize_value(&reject, Endpoint::Transaction, request) {
                Err(e) if matches!(e.code(), "USERNAME_DETECTED" | "FIELD_INVALID") => {}
                _ => failures.push(format!("{case}: not rejected under reject")),
            }
        }
    }
    assert!(n > 150);
    assert!(
        failures.is_empty(),
        "{} of {n}: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

#[test]
fn another_users_name_is_never_taken_for_the_username() {
    let hash = policy("hash");
    let mut rng = Rng::new(0x5d6);
    let (mut changed, mut n) = (0, 0);
    for &shape in SHAPES {
        for k in 0..TEXT_FIELDS.len() + 2 {
            let u = username(&mut rng);
            // Another login that holds this one, and one this one holds.
            for other in [format!("{u}x"), u[..u.len() - 1].to_owned()] {
                let md5 = md5_hex(&u);
                let (request, _) = placed(k, &shaped(shape, &other), &md5);
                if let Ok(out) = txveil::sanitize_value(&hash, Endpoint::Transaction, request) {
                    n += 1;
                    // Only `username_md5` itself holds the MD5.
                    changed += usize::from(out.to_json().matches(&md5).count() != 1);
                }
            }
        }
    }
    assert!(n > 300);
    assert_eq!(
        changed, 0,
        "{changed} of {n} values had another login replaced"
    );
}
