//! Inputs the fuzz targets (`fuzz/`) found failing, replayed through the same
//! properties in the normal test suite: `tests/fuzz-regressions/<target>/`.
//! `sanitize` inputs start with the target's selector byte (bit 0: the
//! minimal policy; bit 1: the report endpoint); `email` inputs are text, sent
//! as a kept free-text field.

use crate::util::path;
use txveil::schema::Endpoint;
use txveil::{policy, sanitize_request, Policy};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = path(&format!("tests/fuzz-regressions/{target}"));
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty());
    out
}

/// Sanitizing again gives the same output, and the output holds no PAN.
fn idempotent(policy: &Policy, endpoint: Endpoint, body: &[u8], name: &str) {
    if let Ok(once) = sanitize_request(policy, endpoint, body) {
        let json = once.to_json();
        assert!(
            !txveil::sanitize::pan::contains_pan(&json) || json.contains("REDACTED"),
            "{name}"
        );
        let twice = sanitize_request(policy, endpoint, json.as_bytes())
            .unwrap_or_else(|r| panic!("{name}: output refused: {r}"));
        assert_eq!(twice.to_json(), json, "{name}: not idempotent");
    }
}

#[test]
fn sanitize_regressions_are_idempotent() {
    let policies = [
        Policy::embedded_default().unwrap(),
        policy::load(&path("policies/minimal.toml")).unwrap(),
    ];
    for (name, data) in inputs("sanitize") {
        let (&selector, body) = data.split_first().unwrap();
        let endpoint = if selector & 2 == 0 {
            Endpoint::Transaction
        } else {
            Endpoint::Report
        };
        idempotent(&policies[usize::from(selector & 1)], endpoint, body, &name);
    }
}

#[test]
fn email_regressions_sanitize_without_panicking_and_idempotently() {
    let policy = Policy::embedded_default().unwrap();
    for (name, data) in inputs("email") {
        let text = String::from_utf8(data).unwrap();
        let body =
            serde_json::json!({"custom_inputs": {"note": text}, "account": {"user_id": text}});
        let body = serde_json::to_vec(&body).unwrap();
        idempotent(&policy, Endpoint::Transaction, &body, &name);
        let redacting = policy::parse(
            &txveil::policy::DEFAULT_POLICY_SOURCE
                .replace("on_pan = \"reject\"", "on_pan = \"redact\""),
            "redact",
        )
        .unwrap();
        idempotent(&redacting, Endpoint::Transaction, &body, &name);
    }
}
