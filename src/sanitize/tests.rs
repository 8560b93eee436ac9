use super::path::ShownKey;
use super::report::{custom_path, render, Place, Spot};
use super::*;
use crate::policy;
use crate::schema;
use serde_json::json;
use serde_json::Map;

fn default_policy() -> Policy {
    Policy::embedded_default().unwrap()
}

/// The default policy with `on_pan = "redact"`.
fn default_with_pan_redacted() -> Policy {
    let src =
        crate::policy::DEFAULT_POLICY_SOURCE.replace("on_pan = \"reject\"", "on_pan = \"redact\"");
    policy::parse(&src, "p").unwrap()
}

fn tx(v: Value) -> Result<Sanitized, Rejection> {
    sanitize_value(&default_policy(), Endpoint::Transaction, v)
}

fn code(r: Result<Sanitized, Rejection>) -> (String, String) {
    // Not `unwrap_err`: it would print the accepted request, which may hold
    // the very card number the test expected to be refused.
    match r {
        Err(e) => (e.code().to_owned(), e.path.to_string()),
        Ok(_) => panic!("the request was accepted; a rejection was expected"),
    }
}

#[test]
fn sample_raw_transaction_comes_out_as_its_readme_says() {
    let raw = include_bytes!("../../tests/data/transaction-raw.json");
    let s = sanitize_request(&default_policy(), Endpoint::Transaction, raw).unwrap();
    let b = s.body();
    assert_eq!(b["email"]["address"], email::md5_hex("janedoe@gmail.com"));
    assert_eq!(b["email"]["domain"], "gmail.com");
    assert_eq!(
        b["account"]["username_md5"],
        username::hash("JaneDoe88", username::UsernameForm::TrimNfc)
    );
    assert!(b["account"].get("username").is_none());
    assert_eq!(b["credit_card"]["issuer_id_number"], "411111");
    assert_eq!(b["credit_card"]["last_digits"], "1111");
    assert!(b["credit_card"].get("number").is_none());
    assert_eq!(b["custom_inputs"]["loyalty_tier"], "gold");
    let out = s.to_json();
    for raw_value in ["4111 1111 1111 1111", "JaneDoe88", "Jane.Doe", "GoogleMail"] {
        assert!(!out.contains(raw_value));
    }
}

#[test]
fn rejects_pan_in_any_field_naming_the_path() {
    let r = tx(json!({"shipping": {"address": "card 4111-1111-1111-1111"}}));
    assert_eq!(code(r), ("PAN_DETECTED".into(), "/shipping/address".into()));
    let r = tx(
        json!({"shopping_cart": [{"item_id": "a"}, {"item_id": "５５５５５５５５５５５５４４４４"}]}),
    );
    assert_eq!(
        code(r),
        ("PAN_DETECTED".into(), "/shopping_cart/1/item_id".into())
    );
    let r = tx(json!({"custom_inputs": {"note": 4_111_111_111_111_111_u64}}));
    assert_eq!(
        code(r),
        ("PAN_DETECTED".into(), "/custom_inputs/note".into())
    );
    let r = tx(json!({"custom_inputs": {"4111111111111111": "x"}}));
    assert_eq!(
        code(r),
        (
            "PAN_DETECTED".into(),
            "/custom_inputs/################".into()
        )
    );
}

#[test]
fn redacts_when_the_policy_says_so() {
    let p = policy::parse(
        "version = 1\non_pan = \"redact\"\n[transaction]\n\"shipping.*\" = \"keep\"\n\"custom_inputs.*\" = \"keep\"\n",
        "p",
    )
    .unwrap();
    let s = sanitize_value(
        &p,
        Endpoint::Transaction,
        json!({"shipping": {"address": "x 4111 1111 1111 1111 y"}, "custom_inputs": {"n": 4_111_111_111_111_111_u64, "ok": 3}}),
    )
    .unwrap();
    assert_eq!(
        s.body()["shipping"]["address"],
        format!("x {} y", pan::REDACTION)
    );
    assert!(s.body()["custom_inputs"].get("n").is_none());
    assert_eq!(s.body()["custom_inputs"]["ok"], 3);
    assert!(s
        .report()
        .entries()
        .iter()
        .any(|(p, a)| p == "/shipping/address" && *a == Applied::RedactedPan));
}

/// Under `redact`, a card wrapped across `address` and `address_2` is
/// replaced in the first line and cut from the second; a line left blank is
/// taken out, the other fields stay in their order, and both lines are
/// recorded.
#[test]
fn a_wrapped_card_is_redacted_and_a_line_left_blank_is_taken_out() {
    let p = default_with_pan_redacted();
    let card = ["4111", "1111", "1111", "1111"];
    for (second, left) in [
        (format!("{} {}", card[2], card[3]), None),
        (format!("{} {} Apt 4", card[2], card[3]), Some(" Apt 4")),
    ] {
        let first = format!("12 Main St {} {}", card[0], card[1]);
        let request = json!({"billing": {"address": first, "address_2": second, "city": "Manila"}});
        let s = sanitize_value(&p, Endpoint::Transaction, request).unwrap();
        let billing = &s.body()["billing"];
        let keys: Vec<&str> = billing
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let address = format!("12 Main St {}", pan::REDACTION);
        assert_eq!(billing["address"], address.as_str());
        assert_eq!(billing.get("address_2").and_then(Value::as_str), left);
        let expected: &[&str] = if left.is_some() {
            &["address", "address_2", "city"]
        } else {
            &["address", "city"]
        };
        assert_eq!(keys, expected);
        for line in ["/billing/address", "/billing/address_2"] {
            assert!(s
                .report()
                .entries()
                .iter()
                .any(|(p, a)| p == line && *a == Applied::RedactedPan));
        }
    }
}

#[test]
fn card_token_that_is_or_holds_a_pan_is_rejected() {
    assert_eq!(
        code(tx(json!({"credit_card": {"token": "123456"}}))).0,
        "FIELD_INVALID"
    );
    assert_eq!(
        code(tx(
            json!({"credit_card": {"token": "tok_4111111111111111"}})
        ))
        .0,
        "PAN_DETECTED"
    );
    assert!(tx(json!({"credit_card": {"token": "123456abc1234"}})).is_ok());
}

#[test]
fn invalid_card_numbers_and_emails_are_rejected() {
    assert_eq!(
        code(tx(
            json!({"credit_card": {"number": "4111 1111 1111 1112"}})
        )),
        ("CARD_NUMBER_INVALID".into(), "/credit_card/number".into())
    );
    assert_eq!(
        code(tx(json!({"email": {"address": "not-an-address"}}))),
        ("EMAIL_INVALID".into(), "/email/address".into())
    );
    assert_eq!(
        code(tx(json!({"email": {"address": "a@..com"}}))).0,
        "EMAIL_INVALID"
    );
}

#[test]
fn fails_closed_on_unlisted_and_unknown_fields() {
    let s = tx(json!({"billing": {"adress": "x", "city": "Hamden"}, "mystery": {"a": 1}})).unwrap();
    assert_eq!(s.body().get("mystery"), None);
    assert_eq!(s.body()["billing"], json!({"city": "Hamden"}));
    let p = policy::parse(
        "version = 1\nunlisted = \"reject\"\n[transaction]\n\"billing.city\" = \"keep\"\n",
        "p",
    )
    .unwrap();
    let r = sanitize_value(
        &p,
        Endpoint::Transaction,
        json!({"billing": {"city": "x", "postal": "1"}}),
    );
    assert_eq!(
        code(r),
        ("FIELD_FORBIDDEN".into(), "/billing/postal".into())
    );
    let r = sanitize_value(
        &p,
        Endpoint::Transaction,
        json!({"billing": {"adress": "x"}}),
    );
    assert_eq!(code(r), ("FIELD_UNKNOWN".into(), "/billing/adress".into()));
}

#[test]
fn validates_after_sanitizing() {
    assert_eq!(
        code(tx(json!({"billing": {"country": "usa"}}))),
        ("FIELD_INVALID".into(), "/billing/country".into())
    );
    assert_eq!(
        code(tx(json!({"shopping_cart": [{"quantity": 0}]}))),
        ("FIELD_INVALID".into(), "/shopping_cart/0/quantity".into())
    );
    assert_eq!(code(tx(json!({"billing": "x"}))).0, "FIELD_INVALID");
    let seed = include_bytes!("../../tests/data/transaction-seed.json");
    assert!(sanitize_request(&default_policy(), Endpoint::Transaction, seed).is_ok());
}

#[test]
fn reports_need_a_tag_and_an_identifier() {
    let p = default_policy();
    let report = include_bytes!("../../tests/data/report.json");
    assert!(sanitize_request(&p, Endpoint::Report, report).is_ok());
    let r = sanitize_value(&p, Endpoint::Report, json!({"ip_address": "81.2.69.160"}));
    assert_eq!(code(r), ("REQUEST_INVALID".into(), "/tag".into()));
    let r = sanitize_value(&p, Endpoint::Report, json!({"tag": "chargeback"}));
    assert_eq!(code(r), ("REQUEST_INVALID".into(), "".into()));
    let r = sanitize_value(
        &p,
        Endpoint::Report,
        json!({"tag": "chargeback", "transaction_id": "t", "notes": "4012 8888 8888 1881"}),
    );
    assert_eq!(code(r), ("PAN_DETECTED".into(), "/notes".into()));
}

#[test]
fn derived_values_win_and_legacy_last_digits_are_renamed() {
    let s = tx(json!({"credit_card": {"number": "5555555555554444", "issuer_id_number": "411111", "last_4_digits": "1234"}})).unwrap();
    assert_eq!(
        s.body()["credit_card"],
        json!({"issuer_id_number": "555555", "last_digits": "4444"})
    );
    let s = tx(json!({"credit_card": {"last_4_digits": "1234"}})).unwrap();
    assert_eq!(s.body()["credit_card"], json!({"last_digits": "1234"}));
}

#[test]
fn duplicate_keys_are_json_invalid() {
    let r = sanitize_request(
        &default_policy(),
        Endpoint::Transaction,
        br#"{"email":{"address":"a@b.com","address":"c@d.com"}}"#,
    );
    assert_eq!(code(r).0, "JSON_INVALID");
}

#[test]
fn keyed_hash_and_fingerprint_use_the_hash_key() {
    let p = policy::parse(
        "version = 1\n[transaction]\n\"credit_card.number\" = { action = \"truncate_pan\", fingerprint = \"card_fp\" }\n\"order.discount_code\" = \"keyed_hash\"\n",
        "p",
    )
    .unwrap();
    let input = json!({"credit_card": {"number": "4111 1111 1111 1111"}, "order": {"discount_code": "FIRST"}});
    assert_eq!(
        code(sanitize_value(&p, Endpoint::Transaction, input.clone())).0,
        "HASH_KEY_MISSING"
    );
    let key =
        crate::secret::HashKey::try_new(zeroize::Zeroizing::new(b"0123456789abcdef".to_vec()))
            .unwrap();
    let p = p.with_hash_key(std::sync::Arc::new(key));
    let s = sanitize_value(&p, Endpoint::Transaction, input).unwrap();
    // printf 4111111111111111 | openssl dgst -sha256 -hmac 0123456789abcdef
    assert_eq!(
        s.body()["custom_inputs"]["card_fp"],
        "6ab68ca2a9a5093ababdf00856c5692bf32152e770d12450e6c24d6e122a0086"
    );
    assert_eq!(
        s.body()["order"]["discount_code"].as_str().unwrap().len(),
        64
    );
}

#[test]
fn rejection_display_and_debug_carry_no_input_digits() {
    let r = tx(json!({"billing": {"address": "4111 1111 1111 1111"}})).unwrap_err();
    for text in [r.to_string(), format!("{r:?}")] {
        assert!(!text.contains("4111"), "{text}");
    }
    assert_eq!(
        r.to_string(),
        "PAN_DETECTED at /billing/address: a card number (PAN) was found (rule: card_shape)"
    );
}

/// Regression: the MD5 of an email can hold a Luhn-valid, brand-range digit
/// run; txveil's own hashes must not be taken for a PAN.
#[test]
fn computed_hashes_are_not_mistaken_for_pans() {
    // Find an address whose canonical MD5 contains a PAN-like run.
    let address = (0..100_000)
        .map(|i| format!("user{i}@example.com"))
        .find(|a| pan::contains_pan(&email::md5_hex(a)))
        .expect("some MD5 among 100k looks like a PAN");
    let s = tx(json!({"email": {"address": address}})).unwrap();
    assert!(pan::contains_pan(
        s.body()["email"]["address"].as_str().unwrap()
    ));
    // Sanitizing the output again keeps it.
    let again = tx(Value::Object(s.body().clone())).unwrap();
    assert_eq!(again.body(), s.body());
    // Anything in those fields that is not exactly an MD5 is still scanned.
    let r = tx(json!({"account": {"username_md5": "4111111111111111"}}));
    assert_eq!(
        code(r),
        ("PAN_DETECTED".into(), "/account/username_md5".into())
    );
}

// === Issue 8 regressions ===

fn with(settings: &str) -> Policy {
    let src = crate::policy::DEFAULT_POLICY_SOURCE.replace("on_email = \"hash\"\n", settings);
    policy::parse(&src, "p").unwrap()
}

#[test]
fn emails_in_kept_fields_leave_only_as_their_md5() {
    // Issue 8, item 12.
    let md5 = email::md5_hex("janedoe@gmail.com");
    let s = tx(json!({
        "account": {"user_id": "Jane.Doe@gmail.com"},
        "device": {"session_id": "sess:jane.doe+x@gmail.com;1"},
        "order": {"referrer_uri": "https://shop.example/?email=jane.doe%40gmail.com"},
        "custom_inputs": {"note": "mail ＪＡＮＥ.doe＠gmail．com now"}
    }))
    .unwrap();
    let b = s.body();
    assert_eq!(b["account"]["user_id"], md5.as_str());
    assert_eq!(b["device"]["session_id"], format!("sess:{md5};1"));
    assert_eq!(
        b["order"]["referrer_uri"],
        format!("https://shop.example/?email={md5}")
    );
    assert_eq!(b["custom_inputs"]["note"], format!("mail {md5} now"));
    assert!(!s.to_json().to_lowercase().contains("jane"));
    let applied = |path: &str| {
        s.report()
            .entries()
            .iter()
            .any(|(p, a)| p == path && *a == Applied::HashedFoundEmail)
    };
    assert!(applied("/account/user_id") && applied("/custom_inputs/note"));
}

#[test]
fn on_email_redact_reject_and_keep_do_what_they_say() {
    let request = json!({"account": {"user_id": "jane@example.com"}});
    let redact = with("on_email = \"redact\"\n");
    let s = sanitize_value(&redact, Endpoint::Transaction, request.clone()).unwrap();
    assert_eq!(s.body()["account"]["user_id"], EMAIL_REDACTION);
    let reject = with("on_email = \"reject\"\n");
    let r = sanitize_value(&reject, Endpoint::Transaction, request.clone()).unwrap_err();
    assert_eq!(
        (r.code(), r.path.to_string().as_str()),
        ("EMAIL_DETECTED", "/account/user_id")
    );
    let keep = with("on_email = \"keep\"\n");
    let s = sanitize_value(&keep, Endpoint::Transaction, request).unwrap();
    assert_eq!(s.body()["account"]["user_id"], "jane@example.com");
    // Report notes are searched too.
    let s = sanitize_value(
        &default_policy(),
        Endpoint::Report,
        json!({"tag": "chargeback", "transaction_id": "t1", "notes": "from jane@example.com"}),
    )
    .unwrap();
    assert!(!s.to_json().contains("jane@"));
}

/// Every listed-values field of `endpoint`, as (group, key).
fn listed_value_fields(endpoint: Endpoint) -> Vec<(Option<&'static str>, &'static str)> {
    endpoint
        .fields()
        .iter()
        .filter(|f| matches!(f.ty, schema::Ty::OneOf(_)))
        .map(|f| (f.group, f.name))
        .collect()
}

/// A request of `endpoint` holding `value` in the field `(group, key)`.
fn with_field(endpoint: Endpoint, group: Option<&str>, key: &str, value: &str) -> Value {
    match (endpoint, group) {
        (Endpoint::Report, _) => {
            let mut r = json!({"tag": "chargeback", "transaction_id": "t1"});
            r[key] = json!(value);
            r
        }
        (_, Some(g)) => json!({"device": {"ip_address": "1.2.3.4"}, g: {key: value}}),
        (_, None) => json!({key: value}),
    }
}

#[test]
fn listed_values_txveil_does_not_know_follow_unknown_enum() {
    let forward = default_policy();
    assert_eq!(forward.unknown_enum(), policy::UnknownEnum::Forward);
    let reject = with("on_email = \"hash\"\nunknown_enum = \"reject\"\n");
    let card = ["4111", "1111", "1111", "1111"].concat();
    let username = "shopper_ann77";
    let mut fields = 0;
    for endpoint in [Endpoint::Transaction, Endpoint::Report] {
        for (group, key) in listed_value_fields(endpoint) {
            fields += 1;
            let at = match group {
                Some(g) if endpoint == Endpoint::Transaction => format!("/{g}/{key}"),
                _ => format!("/{key}"),
            };
            // Shaped like the field's values, unknown to txveil: forwarded
            // and recorded under the default, refused under "reject".
            for unknown in ["new_processor_2027", "zz", "a", &"x".repeat(32)] {
                let request = with_field(endpoint, group, key, unknown);
                let s = sanitize_value(&forward, endpoint, request.clone())
                    .unwrap_or_else(|e| panic!("{at}: {}", e.code()));
                let body = s.body();
                let sent = match group {
                    Some(g) if endpoint == Endpoint::Transaction => &body[g][key],
                    _ => &body[key],
                };
                assert_eq!(sent, unknown, "{at}");
                assert!(
                    s.report()
                        .entries()
                        .iter()
                        .any(|(p, a)| p == &at && *a == Applied::ForwardedUnknownEnum),
                    "{at}"
                );
                assert_eq!(
                    code(sanitize_value(&reject, endpoint, request)),
                    ("FIELD_INVALID".into(), at.clone())
                );
            }
            // Not the shape, or not as the app sent it: refused either way.
            let md5 = email::md5_hex("jane@example.com");
            let long = "y".repeat(33);
            for invalid in [
                "New_Processor",
                "new processor",
                "new-processor",
                "2checkout_x",
                "_x",
                "",
                "ñu",
                &long,
                &md5,
                "jane@example.com",
            ] {
                for p in [&forward, &reject] {
                    let got = code(sanitize_value(
                        p,
                        endpoint,
                        with_field(endpoint, group, key, invalid),
                    ));
                    assert_eq!(got, ("FIELD_INVALID".into(), at.clone()), "{at}");
                }
            }
            // A card glued to letters is a card, whatever the setting.
            for held in [format!("x{card}"), format!("pay_{card}_x")] {
                for p in [&forward, &reject] {
                    let got = code(sanitize_value(
                        p,
                        endpoint,
                        with_field(endpoint, group, key, &held),
                    ));
                    assert_eq!(got.0, "PAN_DETECTED", "{at}");
                }
            }
            // The request's own username echoed into the field is never
            // forwarded as a listed value.
            if endpoint == Endpoint::Transaction {
                let mut request = with_field(endpoint, group, key, username);
                request["account"] = json!({"username": username});
                let got = sanitize_value(&forward, endpoint, request);
                assert_eq!(code(got), ("FIELD_INVALID".into(), at.clone()), "{at}");
            }
        }
    }
    // A known value that happens to be the username stays as it is.
    let request = json!({"account": {"username": "paypal"}, "payment": {"processor": "paypal"}});
    let s = sanitize_value(&forward, Endpoint::Transaction, request).unwrap();
    assert_eq!(s.body()["payment"]["processor"], "paypal");
    assert_eq!(
        fields, 6,
        "event.type, event.party, delivery_speed, method, processor, tag"
    );
}

#[test]
fn caller_chosen_keys_never_reach_paths_audit_or_errors() {
    // Issue 8, item 13.
    let s = tx(
        json!({"billing": {"jane.doe@gmail.com": "x", "city": "Hamden"}, "jd88@mail.example": {}}),
    )
    .unwrap();
    let entries = s.report().entries();
    let paths: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"/billing/<key 2>"), "{paths:?}");
    assert!(paths.iter().all(|p| !p.contains('@')));
    let r = tx(json!({"custom_inputs": {"jd88@mail.example": "x"}})).unwrap_err();
    assert_eq!(r.path.to_string(), "/custom_inputs/<key 1>");
    assert!(!format!("{r} {r:?}").contains("jd"));
}

#[test]
fn groups_emptied_by_redaction_are_not_sent() {
    // Issue 8, item 14.
    let redact = default_with_pan_redacted();
    let s = sanitize_value(
        &redact,
        Endpoint::Transaction,
        json!({"order": {"amount": 4_111_111_111_111_111_u64}, "shopping_cart": [{"price": 4_111_111_111_111_111_u64}], "device": {"ip_address": "81.2.69.160"}}),
    )
    .unwrap();
    assert_eq!(s.to_json(), r#"{"device":{"ip_address":"81.2.69.160"}}"#);
}

#[test]
fn app_supplied_iin_and_last_digits_never_add_up_to_a_pan() {
    // Issue 8, item 8.
    let s = tx(json!({"credit_card": {"issuer_id_number": "50123456", "last_digits": "7896"}}))
        .unwrap();
    assert_eq!(s.body()["credit_card"]["issuer_id_number"], "501234");
    let s = tx(json!({"credit_card": {"issuer_id_number": "37828224", "last_4_digits": "0005"}}))
        .unwrap();
    assert_eq!(s.body()["credit_card"]["issuer_id_number"], "378282");
    let s = tx(json!({"credit_card": {"issuer_id_number": "41111111", "last_digits": "1111"}}))
        .unwrap();
    assert_eq!(s.body()["credit_card"]["issuer_id_number"], "411111");
    let s = tx(json!({"credit_card": {"issuer_id_number": "55555555", "last_digits": "4444"}}))
        .unwrap();
    assert_eq!(s.body()["credit_card"]["issuer_id_number"], "55555555");
}

#[test]
fn a_pan_in_the_punycode_of_an_email_domain_is_rejected() {
    // Issue 8, item 7.
    let r = tx(
        json!({"email": {"address": "jane@\u{664}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}.com"}}),
    );
    // Found in the address as the app sent it, before it is hashed and its
    // domain copied into `email.domain`.
    assert_eq!(code(r), ("PAN_DETECTED".into(), "/email/address".into()));
}

#[test]
fn strictly_formatted_fields_are_checked_by_format() {
    let s = tx(json!({
        "event": {"time": "2024-11-21T12:34:56.123456789+01:00", "type": "purchase"},
        "device": {"ip_address": "2001:db8:4111:1111:1111:1111:abcd:1"},
        "billing": {"country": "US", "region": "4111"},
        "order": {"currency": "USD"}
    }));
    // The IPv6 address holds all-decimal groups forming a PAN: refused.
    assert_eq!(
        code(s),
        ("PAN_DETECTED".into(), "/device/ip_address".into())
    );
    let s = tx(json!({"event": {"time": "2024-11-21T12:34:56.1234567+01:00"}}));
    assert!(s.is_ok());
}

#[test]
fn differences_between_two_reports_match_a_comparison_of_their_rendered_entries() {
    use std::collections::BTreeMap;
    let minimal = policy::parse(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/policies/minimal.toml"
        ))
        .expect("minimal policy"),
        "minimal.toml",
    )
    .expect("compiles");
    let variants = [
        default_policy(),
        minimal,
        policy::parse(
            &policy::DEFAULT_POLICY_SOURCE.replace("on_email = \"hash\"", "on_email = \"redact\""),
            "redact.toml",
        )
        .expect("compiles"),
    ];
    let requests: [&[u8]; 2] = [
        include_bytes!("../../tests/data/transaction-raw.json"),
        include_bytes!("../../tests/data/transaction-seed.json"),
    ];
    let mut compared = 0;
    for body in requests {
        for a in &variants {
            for b in &variants {
                let (Ok(ra), Ok(rb)) = (
                    sanitize_request(a, Endpoint::Transaction, body),
                    sanitize_request(b, Endpoint::Transaction, body),
                ) else {
                    continue;
                };
                let ours: BTreeMap<String, Applied> = ra.report().entries().into_iter().collect();
                let theirs: BTreeMap<String, Applied> = rb.report().entries().into_iter().collect();
                let mut want: BTreeMap<String, Option<Applied>> = BTreeMap::new();
                for (p, x) in &theirs {
                    if ours.get(p) != Some(x) {
                        want.insert(p.clone(), Some(*x));
                    }
                }
                for p in ours.keys().filter(|p| !theirs.contains_key(*p)) {
                    want.insert(p.clone(), None);
                }
                let got = ra.report().differences(rb.report());
                assert_eq!(got, want.into_iter().collect::<Vec<_>>());
                compared += 1;
                if std::ptr::eq(a, b) {
                    assert!(got.is_empty());
                }
            }
        }
    }
    assert!(compared >= 12, "{compared}");
}

#[test]
fn places_render_as_their_field_paths() {
    // A place holds only a schema group (by its position), so its group
    // never needs escaping.
    let billing = schema::group_position("billing").unwrap();
    let cart = schema::group_position("shopping_cart").unwrap();
    let groups = [Place::TOP, Place::in_group(billing), Place::in_group(cart)];
    for group in groups {
        for place in [group, group.item(0), group.item(17)] {
            for name in ["address", "item_id", "a/b", "x~y", ""] {
                let spot = Spot::Field(place, name);
                assert_eq!(render(&spot), place.path().known(name).to_string());
                assert_eq!(spot.path(), place.path().known(name));
            }
        }
    }
}

#[test]
fn a_thread_keeps_little_arena_memory_after_a_large_request() {
    let policy = default_policy();
    let small = br#"{"order":{"amount":10,"currency":"USD"}}"#;
    assert!(sanitize_request(&policy, Endpoint::Transaction, small).is_ok());
    let kept = || ARENA.with(|a| a.borrow().allocated_bytes());
    assert!(kept() <= KEEP);
    // 200,000 empty arrays: several megabytes of tree for 600 KB of input.
    let large = format!(
        "{{\"custom_inputs\":{{\"a\":[{}[]]}}}}",
        "[],".repeat(200_000)
    );
    let r = sanitize_request(&policy, Endpoint::Transaction, large.as_bytes());
    assert_eq!(code(r).0, "FIELD_INVALID");
    assert!(kept() <= KEEP, "{} bytes kept", kept());
    // The same request again, and a small one after it: same answers.
    let again = sanitize_request(&policy, Endpoint::Transaction, large.as_bytes());
    assert_eq!(code(again).0, "FIELD_INVALID");
    let after = sanitize_request(&policy, Endpoint::Transaction, small).unwrap();
    assert_eq!(
        after.to_json(),
        r#"{"order":{"amount":10,"currency":"USD"}}"#
    );
}

#[test]
fn schema_names_hold_no_pan() {
    // The scan skips keys that are group or field names: none can hold one.
    let names = crate::schema::TRANSACTION_GROUPS
        .iter()
        .copied()
        .chain(crate::schema::TRANSACTION.iter().map(|f| f.name))
        .chain(crate::schema::REPORT.iter().map(|f| f.name));
    for name in names {
        assert!(!pan::contains_pan(name), "{name}");
        // `address_2` has the most: one.
        assert!(
            name.bytes().filter(u8::is_ascii_digit).count() <= 1,
            "{name}"
        );
    }
}

#[test]
fn each_change_yields_what_changes_yields() {
    let redact = default_with_pan_redacted();
    let raw = include_bytes!("../../tests/data/transaction-raw.json");
    let sample = sanitize_request(&default_policy(), Endpoint::Transaction, raw).unwrap();
    // Schema fields, a cart item, caller-chosen keys and emptied groups.
    let mixed = sanitize_value(
        &redact,
        Endpoint::Transaction,
        json!({"order": {"amount": 4_111_111_111_111_111_u64}, "shopping_cart": [{"price": 4_111_111_111_111_111_u64}, {"category": "x 4111 1111 1111 1111"}], "custom_inputs": {"a1": "4111111111111111", "b_2": 2}, "email": {"address": "Jane@Example.com"}}),
    )
    .unwrap();
    for report in [sample.report(), mixed.report()] {
        let mut each = Vec::new();
        report.each_change(|path, applied| each.push((path.to_owned(), applied)));
        let changes: Vec<(String, Applied)> = report.changes().collect();
        assert!(changes.len() >= 4, "{changes:?}");
        assert_eq!(each, changes);
    }
}

#[test]
fn custom_keys_render_as_their_field_paths_and_hold_no_digit() {
    let long = "x".repeat(25);
    let too_long = "x".repeat(26);
    let keys = [
        "loyalty_tier",
        "ref_no_7",
        "4111111111111111",
        "a",
        long.as_str(),
        too_long.as_str(),
        "",
        "Loyalty",
        "jane.doe@gmail.com",
        "4111 1111 1111 1111",
        "a/b~c٣",
        "tier٣",
        "ａ1",
    ];
    for (i, key) in keys.iter().enumerate() {
        for position in [1, i + 2, 99] {
            let custom = ShownKey::new(key, position);
            let mut shown = String::new();
            custom_path(&custom, &mut shown);
            let path = FieldPath::root()
                .known("custom_inputs")
                .dynamic(key, position)
                .to_string();
            assert_eq!(shown, path);
            assert_eq!(render(&Spot::Custom(custom)), path);
            assert_eq!(Spot::Custom(custom).path().to_string(), path);
            let debug = format!("{custom:?}");
            assert!(
                !debug.contains("4111") && !debug.contains("jane"),
                "{debug}"
            );
        }
    }
}

/// One field with a card number or an invalid value among ordinary ones,
/// wherever it sorts among them, is found and named, in groups and in
/// cart items.
#[test]
fn one_field_to_scan_among_clean_ones_keeps_its_group_scanned() {
    let clean = [
        ("city", "Hamden"),
        ("country", "US"),
        ("first_name", "Jane"),
        ("postal", "06510"),
    ];
    for group in ["billing", "shipping"] {
        // Before, between and after the clean fields in key order.
        for carrier in ["address", "company", "last_name", "region"] {
            for card in [
                "4111 1111 1111 1111",
                "5555-5555-5555-4444",
                "378282246310005",
            ] {
                let mut fields: Map<String, Value> =
                    clean.iter().map(|(k, v)| ((*k).into(), json!(v))).collect();
                fields.insert(carrier.into(), json!(format!("ref {card}")));
                let r = tx(json!({ group: fields }));
                assert_eq!(
                    code(r),
                    ("PAN_DETECTED".into(), format!("/{group}/{carrier}"))
                );
            }
        }
        let mut fields: Map<String, Value> =
            clean.iter().map(|(k, v)| ((*k).into(), json!(v))).collect();
        fields.insert("region".into(), json!("connecticut"));
        assert_eq!(
            code(tx(json!({ group: fields }))),
            ("FIELD_INVALID".into(), format!("/{group}/region"))
        );
        // All clean: sent as given.
        let fields: Map<String, Value> =
            clean.iter().map(|(k, v)| ((*k).into(), json!(v))).collect();
        let s = tx(json!({ group: fields.clone() })).unwrap();
        assert_eq!(s.body()[group], Value::Object(fields));
    }
    let item = json!({"category": "pets", "item_id": "sku1", "quantity": 2, "price": 20.43});
    for at in 0..3 {
        let mut cart = vec![item.clone(), item.clone(), item.clone()];
        cart[at]["item_id"] = json!("sku 4111-1111-1111-1111");
        assert_eq!(
            code(tx(json!({"shopping_cart": cart}))),
            (
                "PAN_DETECTED".into(),
                format!("/shopping_cart/{at}/item_id")
            )
        );
        let mut cart = vec![item.clone(), item.clone(), item.clone()];
        cart[at]["quantity"] = json!(0);
        assert_eq!(
            code(tx(json!({"shopping_cart": cart}))),
            (
                "FIELD_INVALID".into(),
                format!("/shopping_cart/{at}/quantity")
            )
        );
    }
}

/// A test that wrongly expects a rejection prints the accepted request's
/// Debug form: it must not carry the body.
#[test]
fn sanitized_debug_shows_no_body() {
    let s = tx(json!({"billing": {"address": "101 Address Rd.", "city": "Hamden 06510"}})).unwrap();
    let shown = format!("{s:?}");
    assert!(shown.contains(&format!("json_bytes: {}", s.json().len())));
    for value in ["Address", "Hamden", "06510"] {
        assert!(!shown.contains(value), "{shown}");
    }
}

/// A place packed in one word gives back its group and index, renders as
/// the path it stands for, and saturates an index no body could hold.
#[test]
fn places_give_back_their_group_and_index() {
    assert_eq!((Place::TOP.group(), Place::TOP.index()), (None, None));
    for (at, name) in schema::TRANSACTION_GROUPS.iter().enumerate() {
        let group = Place::in_group(at);
        assert_eq!((group.group(), group.index()), (Some(*name), None));
        for i in [0, 1, 7, 4_000_000_000] {
            let item = group.item(i);
            assert_eq!((item.group(), item.index()), (Some(*name), Some(i)));
            let mut rendered = String::new();
            item.render_into("price", &mut rendered);
            assert_eq!(rendered, format!("/{name}/{i}/price"));
            assert_eq!(item.path().known("price").to_string(), rendered);
        }
        assert_eq!(group.item(usize::MAX).index(), Some(u32::MAX as usize - 1));
    }
    let mut top = String::new();
    Place::TOP.render_into("tag", &mut top);
    assert_eq!(top, "/tag");
}

/// Which refusal a request with several problems gets: the policy's own
/// (an unknown or forbidden field, a value its action cannot take) wherever
/// it stands, then an echo of the request's own secrets wherever it
/// stands, then the first card or address the detectors find, then the
/// first invalid field, each "first" in the order fields are sent.
#[test]
fn a_request_with_several_problems_gets_the_refusal_that_ranks_first() {
    let src = crate::policy::DEFAULT_POLICY_SOURCE
        .replace("unlisted = \"drop\"", "unlisted = \"reject\"")
        .replace(
            "on_pan = \"reject\"",
            "on_pan = \"reject\"\non_username = \"reject\"",
        );
    let policy = policy::parse(&src, "p").unwrap();
    let run = |v: Value| code(sanitize_value(&policy, Endpoint::Transaction, v));
    let card = || ["4111", "1111", "1111", "1111"].join(" ");
    let username = "jane.doe.customer77";
    let cases = [
        // The policy's refusal in a later group outranks a card before it.
        (
            json!({"account": {"user_id": card()}, "order": {"no_such_field": "x"}}),
            ("FIELD_UNKNOWN", "/order/no_such_field"),
        ),
        // An echo in a later group outranks a card before it.
        (
            json!({"account": {"user_id": card(), "username": username},
                   "shipping": {"address": format!("c/o {username}")}}),
            ("USERNAME_DETECTED", "/shipping/address"),
        ),
        // A card outranks an invalid field before it.
        (
            json!({"billing": {"region": "connecticut"}, "shipping": {"address": card()}}),
            ("PAN_DETECTED", "/shipping/address"),
        ),
        // Of two cards, the first sent.
        (
            json!({"account": {"user_id": card()}, "shipping": {"address": card()}}),
            ("PAN_DETECTED", "/account/user_id"),
        ),
        // A cart item's unknown field outranks a card in an item before it.
        (
            json!({"shopping_cart": [{"item_id": card()}, {"item_id": "x", "no_such": 1}]}),
            ("FIELD_UNKNOWN", "/shopping_cart/1/no_such"),
        ),
        // Of two invalid fields, the first sent.
        (
            json!({"billing": {"region": "connecticut"}, "shipping": {"region": "ontario"}}),
            ("FIELD_INVALID", "/billing/region"),
        ),
    ];
    for (request, (want_code, want_path)) in cases {
        assert_eq!(run(request), (want_code.to_owned(), want_path.to_owned()));
    }
}

/// Groups and cart items the detectors leave empty are not sent; the
/// report records them after everything the detectors did: the cart items
/// first, then the groups, each in the order of the request.
#[test]
fn what_the_detectors_leave_empty_is_not_sent_and_recorded_last() {
    let p = default_with_pan_redacted();
    // Card numbers as JSON numbers: the detectors take such a value out
    // whole, which can leave its object empty.
    let card = |groups: [&str; 4]| -> u64 { groups.concat().parse().unwrap() };
    let visa = card(["4111", "1111", "1111", "1111"]);
    let mastercard = card(["5555", "5555", "5555", "4444"]);
    let changes = |request: Value| -> (Value, Vec<(String, Applied)>) {
        let s = sanitize_value(&p, Endpoint::Transaction, request).unwrap();
        (Value::Object(s.body()), s.report().changes().collect())
    };
    let at = |path: &str, applied: Applied| (path.to_owned(), applied);

    let (body, report) = changes(json!({
        "billing": {"address": format!("x {}", ["4111", "1111", "1111", "1111"].join(" "))},
        "order": {"amount": visa},
        "shopping_cart": [{"item_id": "a", "price": 1}, {"price": visa}, {"price": mastercard}],
        "device": {"ip_address": "1.2.3.4"},
    }));
    assert_eq!(body["shopping_cart"], json!([{"item_id": "a", "price": 1}]));
    assert!(body.get("order").is_none());
    assert_eq!(body["device"]["ip_address"], "1.2.3.4");
    assert_eq!(
        report,
        [
            at("/billing/address", Applied::RedactedPan),
            at("/order/amount", Applied::RedactedPan),
            at("/shopping_cart/1/price", Applied::RedactedPan),
            at("/shopping_cart/2/price", Applied::RedactedPan),
            at("/shopping_cart/1", Applied::DroppedEmpty),
            at("/shopping_cart/2", Applied::DroppedEmpty),
            at("/order", Applied::DroppedEmpty),
        ]
    );

    // A cart whose every item is left empty is not sent either; a cart
    // item the policy leaves empty counts in no path.
    let (body, report) = changes(json!({
        "order": {"amount": visa},
        "shopping_cart": [{"unknown": 1}, {"price": mastercard}],
        "device": {"ip_address": "1.2.3.4"},
    }));
    assert_eq!(body, json!({"device": {"ip_address": "1.2.3.4"}}));
    assert_eq!(
        report,
        [
            at("/shopping_cart/0/unknown", Applied::DroppedUnlisted),
            at("/order/amount", Applied::RedactedPan),
            at("/shopping_cart/0/price", Applied::RedactedPan),
            at("/shopping_cart/0", Applied::DroppedEmpty),
            at("/order", Applied::DroppedEmpty),
            at("/shopping_cart", Applied::DroppedEmpty),
        ]
    );
}
