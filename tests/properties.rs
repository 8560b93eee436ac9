//! Properties of the core, checked on generated inputs (proptest).

use crate::corpus::{self, Rng};
use proptest::prelude::*;
use serde_json::{json, Value};
use txveil::schema::Endpoint;
use txveil::{policy, sanitize_value, Policy};

fn default_policy() -> Policy {
    Policy::embedded_default().unwrap()
}

fn redacting_policy() -> Policy {
    let src =
        txveil::policy::DEFAULT_POLICY_SOURCE.replace("on_pan = \"reject\"", "on_pan = \"redact\"");
    policy::parse(&src, "redact").unwrap()
}

/// Every run of ASCII digits in `text` once everything else is removed,
/// written out so that a PAN split by any separator is found again.
fn folded_digits(text: &str) -> String {
    text.chars().filter_map(txveil_digit).collect()
}

fn txveil_digit(c: char) -> Option<char> {
    // Independent of the detector: Unicode decimal digits via their NFKC/Nd value.
    c.to_digit(10)
        .map(|d| char::from(b'0' + d as u8))
        .or_else(|| {
            let zeros = [
                0xFF10u32, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x1D7CE, 0x1D7EC, 0x1040,
            ];
            zeros.iter().find_map(|z| {
                let cp = c as u32;
                (cp >= *z && cp < z + 10).then(|| char::from(b'0' + (cp - z) as u8))
            })
        })
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop::string::string_regex("[ -~éß٣４\u{a0}\u{200b}]{0,40}").unwrap()
}

/// 256 cases, or `PROPTEST_CASES` when set (a longer search:
/// `PROPTEST_CASES=20000 cargo test --release --test integration properties`).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    /// A PAN placed anywhere, in any format, never leaves: the request is
    /// rejected (default policy) or the PAN's digits are gone (redact policy).
    #[test]
    fn no_generated_pan_ever_leaves(seed in any::<u64>(), before in text_strategy(), after in text_strategy()) {
        let mut rng = Rng::new(seed);
        let pan = corpus::pan(&mut rng);
        let text = format!("{before} {} {after}", corpus::format_pan(&mut rng, &pan));
        let (request, _) = corpus::place(&mut rng, &text, None);
        let rejected = sanitize_value(&default_policy(), Endpoint::Transaction, request.clone());
        prop_assert_eq!(rejected.err().map(|r| r.code()), Some("PAN_DETECTED"));
        if let Ok(s) = sanitize_value(&redacting_policy(), Endpoint::Transaction, request) {
            prop_assert!(!folded_digits(&s.to_json()).contains(&pan));
        }
    }

    /// Sanitizing what was sanitized changes nothing.
    #[test]
    fn sanitizing_twice_equals_sanitizing_once(
        email in "[A-Za-z0-9.+]{1,12}@(gmail|googlemail|yahoo|example|user\\.fastmail)\\.com",
        username in "[ A-Za-z0-9é]{1,16}",
        city in text_strategy(),
        amount in 0.01f64..100000.0,
        card in prop::sample::select(vec!["4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005"]),
    ) {
        let request = json!({
            "email": {"address": email},
            "account": {"username": username},
            "billing": {"city": city},
            "order": {"amount": amount, "currency": "USD"},
            "credit_card": {"number": card},
        });
        let p = redacting_policy();
        let once = sanitize_value(&p, Endpoint::Transaction, request).unwrap();
        let twice = sanitize_value(&p, Endpoint::Transaction, Value::Object(once.body().clone())).unwrap();
        prop_assert_eq!(once.body(), twice.body());
    }

    /// No rejection's text carries digits of the value that caused it.
    #[test]
    fn rejection_text_never_contains_input_digits(
        digits in "[0-9]{3,19}",
        field in prop::sample::select(vec![("billing", "country"), ("order", "currency"), ("credit_card", "token"),
            ("credit_card", "number"), ("device", "ip_address"), ("email", "address"), ("event", "type")]),
    ) {
        let value = format!("x{digits}");
        let request = json!({ field.0: { field.1: value } });
        if let Err(r) = sanitize_value(&default_policy(), Endpoint::Transaction, request) {
            for text in [r.to_string(), format!("{r:?}")] {
                prop_assert!(!text.contains(&digits), "{}", crate::util::shown(&text));
            }
        }
    }

    /// Email hashes do not change with case or Unicode normalization form.
    #[test]
    fn email_hash_is_stable_under_case_and_normalization(
        local in "[a-z0-9.]{1,8}(é|ü|ñ)?[a-z]{0,4}",
        domain in prop::sample::select(vec!["maxmind.com", "gmail.com", "bücher.de", "yahoo.com"]),
    ) {
        use unicode_normalization::UnicodeNormalization;
        let hash = |address: String| {
            let s = sanitize_value(&default_policy(), Endpoint::Transaction, json!({"email": {"address": address}})).unwrap();
            s.body()["email"]["address"].clone()
        };
        let base = format!("{local}@{domain}");
        let reference = hash(base.clone());
        prop_assert_eq!(&reference, &hash(base.to_uppercase()));
        prop_assert_eq!(&reference, &hash(base.nfd().collect()));
        prop_assert_eq!(&reference, &hash(format!("  {base}\u{a0}")));
    }
}
