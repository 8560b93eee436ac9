//! Every shipped policy compiles and does what its description says.

use crate::util::{path, read};
use txveil::policy;
use txveil::sanitize_request;
use txveil::schema::Endpoint;

fn shipped() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(path("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_policy_compiles_and_sanitizes_the_samples() {
    let files = shipped();
    assert!(files.len() >= 2);
    let raw = read("tests/data/transaction-raw.json");
    let report = read("tests/data/report.json");
    for file in files {
        let p = policy::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let s = sanitize_request(&p, Endpoint::Transaction, raw.as_bytes()).unwrap();
        assert!(!s.to_json().contains("4111 1111"));
        assert!(!s.to_json().contains("JaneDoe88"));
        sanitize_request(&p, Endpoint::Report, report.as_bytes()).unwrap();
    }
}

#[test]
fn the_embedded_default_is_policies_default_toml() {
    let embedded = txveil::Policy::embedded_default().unwrap();
    let file = policy::load(&path("policies/default.toml")).unwrap();
    assert_eq!(embedded.digest(), file.digest());
}

#[test]
fn minimal_policy_sends_only_its_fields() {
    let p = policy::load(&path("policies/minimal.toml")).unwrap();
    let s = sanitize_request(
        &p,
        Endpoint::Transaction,
        read("tests/data/transaction-raw.json").as_bytes(),
    )
    .unwrap();
    let body = s.body();
    let mut groups: Vec<&str> = body.keys().map(String::as_str).collect();
    groups.sort_unstable();
    assert_eq!(groups, ["credit_card", "device", "email", "order"]);
    assert_eq!(s.body()["order"].as_object().unwrap().len(), 2);
    assert_eq!(s.body()["device"].as_object().unwrap().len(), 1);
    assert_eq!(p.action_for(Endpoint::Transaction, "billing.city"), None);
}
