//! Card numbers in fields txveil hashes, and the request's own raw username,
//! email address and card number echoed into other fields: generated
//! variants (every brand and length of the table, separators, digit scripts,
//! fields, both endpoints, `--lines`). No card number is ever formatted into
//! a message: failures name the brand prefix, length and field only.

use crate::corpus::{self, Rng, BRANDS};
use crate::util;
use serde_json::{json, Value};
use txveil::schema::Endpoint;
use txveil::{sanitize_value, Policy, Rejection, Sanitized};

fn with_hash_key(p: Policy) -> Policy {
    let key =
        txveil::secret::HashKey::try_new(zeroize::Zeroizing::new(b"0123456789abcdef".to_vec()))
            .unwrap();
    p.with_hash_key(std::sync::Arc::new(key))
}

/// (code, path) of a rejection, or `None` when the request was forwarded.
fn outcome(r: &Result<Sanitized, Rejection>) -> Option<(String, String)> {
    r.as_ref()
        .err()
        .map(|e| (e.code().to_owned(), e.path.to_string()))
}

/// Every (brand prefix, length) of the table, with a generated card.
fn every_brand_and_length(rng: &mut Rng) -> Vec<(&'static str, usize, String)> {
    let mut out = Vec::new();
    for &(prefix, lengths) in BRANDS {
        for &len in lengths {
            out.push((prefix, len, corpus::pan_of(rng, prefix, len)));
        }
    }
    out
}

/// `pan` as an app might write it where no space may go (an email local
/// part, a login name): plain, in groups joined by `.`, `-` or `_`, in one
/// of several digit scripts.
fn compact_form(rng: &mut Rng, pan: &str) -> String {
    let groups = corpus::groups_of(rng, pan);
    let sep = *rng.pick(&["", ".", "-", "_"]);
    let joined = groups.join(sep);
    if rng.below(3) == 0 {
        corpus::in_script(&joined, *rng.pick(corpus::ZEROS))
    } else {
        joined
    }
}

/// The default policy with two fields pseudonymized by `keyed_hash`, and the
/// hash key set.
fn keyed_policy(on_pan: &str) -> Policy {
    let src = txveil::policy::DEFAULT_POLICY_SOURCE
        .replace("on_pan = \"reject\"", &format!("on_pan = \"{on_pan}\""))
        .replace(
            "\"custom_inputs.*\" = \"keep\"",
            "\"custom_inputs.loyalty_id\" = \"keyed_hash\"\n\"custom_inputs.*\" = \"keep\"",
        )
        .replace(
            "\"order.*\" = \"keep\"",
            "\"order.affiliate_id\" = \"keyed_hash\"\n\"order.*\" = \"keep\"",
        );
    with_hash_key(txveil::policy::parse(&src, "keyed").unwrap())
}

/// A request with `pan` (written in some form) in one field that txveil
/// hashes, and the path that field has.
fn card_in_hashed_field(rng: &mut Rng, pan: &str, which: usize) -> (Value, &'static str) {
    let order = json!({"amount": 10, "currency": "USD"});
    match which % 6 {
        0 => (
            json!({"account": {"username": corpus::format_pan(rng, pan)}, "order": order}),
            "/account/username",
        ),
        1 => (
            json!({"account": {"username": compact_form(rng, pan)}, "order": order}),
            "/account/username",
        ),
        2 => {
            let domain = *rng.pick(&["example.com", "gmail.com", "naver.com", "例え.jp"]);
            let local = compact_form(rng, pan);
            (
                json!({"email": {"address": format!("{local}@{domain}")}, "order": order}),
                "/email/address",
            )
        }
        3 => (
            json!({"custom_inputs": {"loyalty_id": corpus::format_pan(rng, pan)}}),
            "/custom_inputs/loyalty_id",
        ),
        4 => (
            json!({"custom_inputs": {"loyalty_id": pan.parse::<u64>().unwrap()}}),
            "/custom_inputs/loyalty_id",
        ),
        _ => (
            json!({"order": {"amount": 10, "currency": "USD", "affiliate_id": compact_form(rng, pan)}}),
            "/order/affiliate_id",
        ),
    }
}

#[test]
fn a_card_number_in_a_hashed_field_is_a_card_number_found() {
    let mut rng = Rng::new(3201);
    let policy = keyed_policy("reject");
    let mut leaked = Vec::new();
    let mut n = 0;
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for which in 0..6 {
            for _ in 0..4 {
                let (request, path) = card_in_hashed_field(&mut rng, &pan, which);
                let r = sanitize_value(&policy, Endpoint::Transaction, request);
                n += 1;
                if outcome(&r) != Some(("PAN_DETECTED".into(), path.into())) {
                    leaked.push(format!("{prefix}/{len} in {path}"));
                }
            }
        }
    }
    assert!(
        leaked.is_empty(),
        "{} of {n} not rejected: {leaked:?}",
        leaked.len()
    );
}

#[test]
fn under_redact_a_hashed_field_holding_a_card_is_left_out() {
    let mut rng = Rng::new(3202);
    let policy = keyed_policy("redact");
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for which in 0..6 {
            let (request, path) = card_in_hashed_field(&mut rng, &pan, which);
            let sent = sanitize_value(&policy, Endpoint::Transaction, request)
                .unwrap_or_else(|e| panic!("{prefix}/{len} in {path}: {}", e.code()));
            let body = Value::Object(sent.body());
            let pointer = match path {
                "/account/username" => "/account/username_md5",
                other => other,
            };
            assert!(
                body.pointer(pointer).is_none(),
                "{prefix}/{len} in {path}: a hash of the card was sent"
            );
            let redacted = sent
                .report()
                .entries()
                .iter()
                .any(|(p, a)| p == path && a.name() == "redact_pan");
            assert!(redacted, "{prefix}/{len} in {path}: no redact_pan entry");
            if path == "/email/address" {
                assert!(
                    body.pointer("/email/domain").is_some(),
                    "the domain is still sent"
                );
            }
        }
    }
}

#[test]
fn hashed_fields_without_a_card_are_still_hashed() {
    let policy = keyed_policy("reject");
    let request = json!({
        "account": {"username": "jane.doe1985"},
        "email": {"address": "Jane.Doe+shop@Example.com"},
        "custom_inputs": {"loyalty_id": "LY-2231-8842"},
        "order": {"amount": 10, "currency": "USD", "affiliate_id": "partner-77"}
    });
    let sent = sanitize_value(&policy, Endpoint::Transaction, request).unwrap();
    let body = Value::Object(sent.body());
    assert_eq!(
        body["account"]["username_md5"].as_str().map(str::len),
        Some(32)
    );
    assert_eq!(body["email"]["address"].as_str().map(str::len), Some(32));
    assert_eq!(
        body["custom_inputs"]["loyalty_id"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(
        body["order"]["affiliate_id"].as_str().map(str::len),
        Some(64)
    );
}

#[test]
fn lines_mode_rejects_a_card_in_a_username_or_email_local_part() {
    let mut rng = Rng::new(3203);
    let mut input = String::new();
    let mut paths = Vec::new();
    for (_, _, pan) in every_brand_and_length(&mut rng) {
        for which in 0..3 {
            let (request, path) = card_in_hashed_field(&mut rng, &pan, which);
            input.push_str(&request.to_string());
            input.push('\n');
            paths.push(path);
        }
    }
    let out = util::txveil(&["sanitize", "--lines"], input.as_bytes());
    assert!(out.status.success());
    let text = util::stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), paths.len());
    for (i, (line, path)) in lines.iter().zip(&paths).enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            (v["error"]["code"].as_str(), v["error"]["path"].as_str()),
            (Some("PAN_DETECTED"), Some(*path)),
            "line {i}"
        );
    }
}
