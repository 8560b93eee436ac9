//! The `txveil sanitize` and `txveil policy check` contracts, on the real binary.

use crate::util::{read, stderr, stdout, temp_file, txveil};
use serde_json::Value;

#[test]
fn sanitize_prints_one_line_of_json_and_exits_0() {
    let o = txveil(&["sanitize", "tests/data/transaction-raw.json"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["credit_card"]["issuer_id_number"], "411111");
    assert!(!out.contains("4111 1111"));
}

#[test]
fn sanitize_reads_stdin_by_default_and_with_dash() {
    let body = read("tests/data/report.json");
    for args in [
        &["sanitize", "--endpoint", "report"][..],
        &["sanitize", "--endpoint", "report", "-"],
    ] {
        let o = txveil(args, body.as_bytes());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["tag"], "chargeback");
    }
}

#[test]
fn rejection_prints_nothing_on_stdout_and_code_and_path_on_stderr() {
    let o = txveil(
        &["sanitize"],
        br#"{"shipping":{"address":"4111 1111 1111 1111"}}"#,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.contains("PAN_DETECTED") && err.contains("/shipping/address"),
        "{err}"
    );
    assert!(!err.contains("4111"));
}

#[test]
fn lines_mode_answers_every_line_in_order() {
    let input = "{\"device\":{\"ip_address\":\"81.2.69.160\"}}\nnot json\n\n{\"billing\":{\"city\":\"4111111111111111\"}}\n{\"email\":{\"address\":\"test@maxmind.com\"}}";
    let o = txveil(&["sanitize", "--lines"], input.as_bytes());
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["device"]["ip_address"], "81.2.69.160");
    assert_eq!(lines[1]["error"]["code"], "JSON_INVALID");
    assert_eq!(lines[2]["error"]["code"], "JSON_INVALID");
    assert_eq!(lines[3]["error"]["code"], "PAN_DETECTED");
    assert_eq!(lines[3]["error"]["path"], "/billing/city");
    assert_eq!(
        lines[4]["email"]["address"],
        "977577b140bfb7c516e4746204fbdb01"
    );
}

#[test]
fn usage_and_policy_errors_exit_2() {
    let o = txveil(&["sanitize", "--endpoint", "nope"], b"{}");
    assert_eq!(o.status.code(), Some(2));
    let o = txveil(&["sanitize", "does-not-exist.json"], b"");
    assert_eq!(o.status.code(), Some(2));
    let bad = temp_file(
        "bad.toml",
        "version = 1\n[transaction]\n\"billing.adress\" = \"keep\"\n",
    );
    let o = txveil(&["sanitize", "--policy", bad.to_str().unwrap()], b"{}");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.toml:3: key `billing.adress`"),
        "{}",
        stderr(&o)
    );
    let keyed = temp_file(
        "keyed.toml",
        "version = 1\n[transaction]\n\"order.discount_code\" = \"keyed_hash\"\n",
    );
    let o = txveil(&["sanitize", "--policy", keyed.to_str().unwrap()], b"{}");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--hash-key-file"));
}

#[test]
fn sanitize_with_a_hash_key_file() {
    let policy = temp_file("fp.toml", "version = 1\n[transaction]\n\"credit_card.number\" = { action = \"truncate_pan\", fingerprint = \"card_fp\" }\n");
    let key = temp_file("key", "0123456789abcdef\n");
    let o = txveil(
        &[
            "sanitize",
            "--policy",
            policy.to_str().unwrap(),
            "--hash-key-file",
            key.to_str().unwrap(),
        ],
        br#"{"credit_card":{"number":"4111111111111111"}}"#,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    // printf 4111111111111111 | openssl dgst -sha256 -hmac 0123456789abcdef
    assert_eq!(
        v["custom_inputs"]["card_fp"],
        "6ab68ca2a9a5093ababdf00856c5692bf32152e770d12450e6c24d6e122a0086"
    );
}

#[test]
fn policy_check_names_file_line_and_key() {
    let o = txveil(
        &[
            "policy",
            "check",
            "policies/default.toml",
            "policies/minimal.toml",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2);
    let bad = temp_file(
        "typo.toml",
        "version = 1\n\n[report]\n\"note\" = \"keep\"\n",
    );
    let o = txveil(&["policy", "check", bad.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("typo.toml:4: key `note`") && err.contains("did you mean `notes`"),
        "{err}"
    );
    let o = txveil(&["policy", "check", "missing.toml"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.toml"));
}
