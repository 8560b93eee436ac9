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

/// More than the reader's buffer of varied lines, from a file (the test
/// helper writes standard input whole before reading the output, which a
/// pipe cannot hold at this size): lines that cross the buffer's end, a CRLF line, empty
/// lines and a last line without a newline are each answered as
/// `sanitize` answers that request alone, in order.
#[test]
fn lines_mode_answers_lines_across_the_read_buffer() {
    let sample: Value = serde_json::from_str(&read("tests/data/transaction-raw.json")).unwrap();
    let mut requests: Vec<String> = Vec::new();
    for i in 0..900 {
        let mut r = sample.clone();
        r["event"]["transaction_id"] = Value::from(format!("txn{i}"));
        // Lines of different lengths, so that the buffer's end falls
        // anywhere in one.
        r["device"]["user_agent"] = Value::from("x".repeat(i % 61));
        requests.push(serde_json::to_string(&r).unwrap());
    }
    let mut input = String::new();
    for (i, r) in requests.iter().enumerate() {
        input.push_str(r);
        input.push_str(match i % 100 {
            17 => "\r\n",
            42 => "\n\n",
            _ => "\n",
        });
    }
    input.push_str(&requests[0]);
    assert!(input.len() > 1 << 20, "more than the read buffer");
    let file = temp_file("lines.jsonl", &input);
    let from_file = txveil(&["sanitize", "--lines", file.to_str().unwrap()], b"");
    assert_eq!(from_file.status.code(), Some(0), "{}", stderr(&from_file));
    let got: Vec<String> = stdout(&from_file).lines().map(str::to_owned).collect();
    let mut want: Vec<String> = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let o = txveil(&["sanitize"], r.as_bytes());
        want.push(stdout(&o).trim_end().to_owned());
        if i % 100 == 42 {
            want.push(r#"{"error":{"code":"JSON_INVALID","path":""}}"#.to_owned());
        }
        if i == 99 {
            break;
        }
    }
    assert_eq!(got.len(), 900 + 9 + 1, "one answer per line");
    // The first hundred answers, the empty line among them, against the
    // single-request command; every answer is a sanitized request.
    assert!(got[..want.len()] == want[..], "lines answered differently");
    let first = &want[0];
    assert_eq!(got.last(), Some(first));
    for line in &got {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v.get("credit_card").is_some() || v["error"]["code"] == "JSON_INVALID");
    }
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

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("txveil-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn basic(account_id: u32, token: &str) -> String {
    use base64::Engine as _;
    let pair = format!("{account_id}:{token}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

#[test]
fn clients_add_prints_a_token_once_that_authenticates_and_stores_only_its_digest() {
    use txveil::server::auth::{parse_basic, Clients};
    let dir = temp_dir("clients-add");
    let file = dir.join("clients.toml");
    let file_arg = file.to_str().unwrap();

    let first = txveil(&["clients", "add", "checkout", "--clients", file_arg], b"");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let second = txveil(
        &[
            "clients",
            "add",
            "reports",
            "--clients",
            file_arg,
            "--endpoints",
            "report",
        ],
        b"",
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let tokens: Vec<String> = [&first, &second]
        .iter()
        .map(|o| stdout(o).trim_end().to_owned())
        .collect();
    assert_ne!(tokens[0], tokens[1]);

    let text = std::fs::read_to_string(&file).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let clients = Clients::load(&file).unwrap();
    for (token, out, id) in [(&tokens[0], &first, 1001), (&tokens[1], &second, 1002)] {
        // Printed once, on standard output only; stored nowhere.
        assert_eq!(stdout(out).lines().count(), 1);
        assert!(token.len() >= 43, "a token of {} characters", token.len());
        assert!(!text.contains(token.as_str()));
        assert!(!stderr(out).contains(token.as_str()));
        let entry = clients
            .authenticate(&parse_basic(&basic(id, token)).unwrap())
            .expect("the printed token authenticates as its client");
        assert_eq!(entry.account_id, id);
        // And no other token does.
        let mut wrong = token.clone();
        wrong.pop();
        wrong.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(clients
            .authenticate(&parse_basic(&basic(id, &wrong)).unwrap())
            .is_none());
    }
    let reports = clients.entries().find(|c| c.name == "reports").unwrap();
    assert_eq!(reports.endpoints.len(), 1);
    assert_eq!(reports.endpoints[0].name(), "report");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clients_add_refuses_to_print_a_token_into_a_file_and_writes_nothing() {
    let dir = temp_dir("clients-add-file");
    let file = dir.join("clients.toml");
    let out_path = dir.join("token.txt");
    let out = std::fs::File::create(&out_path).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_txveil"))
        .args(["clients", "add", "checkout", "--clients"])
        .arg(&file)
        .stdout(out)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    assert!(stderr(&status).contains("refusing to write a secret to a file"));
    assert_eq!(std::fs::read(&out_path).unwrap().len(), 0);
    assert!(
        !file.exists(),
        "nothing is added when the token cannot be shown"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clients_add_refuses_a_taken_name_or_account_id_and_leaves_the_file_as_it_was() {
    let dir = temp_dir("clients-add-taken");
    let file = dir.join("clients.toml");
    let file_arg = file.to_str().unwrap();
    let o = txveil(&["clients", "add", "checkout", "--clients", file_arg], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let before = std::fs::read(&file).unwrap();
    for args in [
        &["clients", "add", "checkout", "--clients", file_arg][..],
        &[
            "clients",
            "add",
            "other",
            "--clients",
            file_arg,
            "--account-id",
            "1001",
        ],
        &["clients", "add", "bad name", "--clients", file_arg],
        &[
            "clients",
            "add",
            "other",
            "--clients",
            file_arg,
            "--endpoints",
            "scores",
        ],
        &[
            "clients",
            "add",
            "other",
            "--clients",
            file_arg,
            "--account-id",
            "0",
        ],
    ] {
        let o = txveil(args, b"");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}: no token is printed");
        assert_eq!(std::fs::read(&file).unwrap(), before, "{args:?}");
    }
    let o = txveil(&["clients", "add", "checkout", "--clients", file_arg], b"");
    assert!(
        stderr(&o).contains("key `name` is used twice"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
