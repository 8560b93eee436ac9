use super::*;
use crate::policy;
use serde_json::json;

fn default_policy() -> Policy {
    Policy::embedded_default().unwrap()
}

fn tx(v: Value) -> Result<Sanitized, Rejection> {
    sanitize_value(&default_policy(), Endpoint::Transaction, v)
}

fn code(r: Result<Sanitized, Rejection>) -> (String, String) {
    let e = r.unwrap_err();
    (e.code().to_owned(), e.path.to_string())
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
        "PAN_DETECTED at /billing/address: a card number (PAN) was found"
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
