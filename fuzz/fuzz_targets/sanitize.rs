//! Any bytes through the sanitizer, both endpoints, the shipped policies.
//! Properties: never a panic; on success the output is valid JSON without
//! duplicate keys, holds no standalone Luhn-valid card number of a major
//! brand (an independent re-scan), and sanitizing it again gives the same
//! output; on rejection the message holds no run of six or more digits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use txveil::schema::Endpoint;
use txveil::{sanitize_request, Policy};

fn policies() -> &'static [Policy; 2] {
    static P: OnceLock<[Policy; 2]> = OnceLock::new();
    P.get_or_init(|| {
        [
            Policy::embedded_default().expect("default policy"),
            txveil::policy::parse(include_str!("../../policies/minimal.toml"), "minimal")
                .expect("minimal policy"),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let policy = &policies()[usize::from(selector & 1)];
    let endpoint = if selector & 2 == 0 {
        Endpoint::Transaction
    } else {
        Endpoint::Report
    };
    match sanitize_request(policy, endpoint, body) {
        Ok(out) => {
            let json = out.to_json();
            let value: serde_json::Value =
                serde_json::from_str(&json).expect("output is valid JSON");
            let mut texts = Vec::new();
            txveil_fuzz::texts(&value, &mut texts);
            for t in &texts {
                assert!(
                    txveil_fuzz::standalone_pan(t).is_none(),
                    "a card number left in the output"
                );
            }
            let again = sanitize_request(policy, endpoint, json.as_bytes())
                .expect("sanitized output is accepted again (and has no duplicate keys)");
            assert_eq!(again.to_json(), json, "sanitizing is idempotent");
        }
        Err(rejection) => {
            let message = format!("{rejection} {rejection:?}");
            assert!(
                !txveil_fuzz::has_digit_run(&message, 6),
                "a rejection shows input digits"
            );
        }
    }
});
