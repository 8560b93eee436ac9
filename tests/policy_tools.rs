//! `txveil policy explain | diff | test` on the real binary, with golden
//! outputs for the shipped policies (`tests/golden-cli/`; set
//! `TXVEIL_BLESS=1` to write missing files).

use crate::util::{path, stderr, stdout, temp_file, txveil};

fn golden(name: &str, got: &str) {
    let file = path(&format!("tests/golden-cli/{name}"));
    if !file.exists() && std::env::var_os("TXVEIL_BLESS").is_some() {
        std::fs::write(&file, got).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("missing {name}"));
    if expected != got {
        let diff: Vec<String> = expected
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  expected {a}\n  got      {b}", i + 1))
            .collect();
        panic!(
            "{name} differs ({} vs {} lines):\n{}",
            expected.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn explain_golden_outputs_for_shipped_policies() {
    for (policy, format, name) in [
        ("policies/default.toml", "text", "explain-default.txt"),
        ("policies/minimal.toml", "text", "explain-minimal.txt"),
        ("policies/default.toml", "markdown", "explain-default.md"),
        ("policies/minimal.toml", "json", "explain-minimal.json"),
    ] {
        let o = txveil(&["policy", "explain", policy, "--format", format], b"");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        golden(name, &stdout(&o));
    }
}

#[test]
fn explain_names_every_schema_field() {
    let o = txveil(
        &[
            "policy",
            "explain",
            "policies/minimal.toml",
            "--format",
            "json",
        ],
        b"",
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["transaction"].as_array().unwrap().len(),
        txveil::schema::TRANSACTION.len()
    );
    assert_eq!(
        v["report"].as_array().unwrap().len(),
        txveil::schema::REPORT.len()
    );
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
}

/// `explain` says, for each field, the value's type, the detectors that
/// read it and what decides its ambiguous card shapes; a custom input typed
/// in the policy shows its type, in text and JSON.
#[test]
fn explain_gives_each_fields_type_detectors_and_contexts() {
    let policy = temp_file(
        "typed-explain.toml",
        "version = 1\n[transaction]\n\"billing.*\" = \"keep\"\n\
         \"email.address\" = \"hash_email\"\n\"shopping_cart[].*\" = \"keep\"\n\
         \"custom_inputs.*\" = \"keep\"\n\
         \"custom_inputs.alternate\" = { action = \"keep\", type = \"phone\" }\n\
         \"custom_inputs.points\" = { action = \"keep\", type = \"number\" }\n",
    );
    let policy = policy.to_str().unwrap();
    let o = txveil(&["policy", "explain", policy, "--format", "json"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let field = |path: &str| {
        v["transaction"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == path)
            .unwrap_or_else(|| panic!("{path} missing"))
            .clone()
    };
    let strings = |f: &serde_json::Value, key: &str| -> Vec<String> {
        f[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect()
    };
    // (field, type, detectors, a context it must list, one it must not)
    for (path, ty, detectors, has, lacks) in [
        (
            "billing.phone_number",
            "phone",
            "pan,email,echo",
            "phone_type",
            "key_words",
        ),
        (
            "billing.city",
            "text",
            "pan,email,echo",
            "nearby_words",
            "phone_type",
        ),
        (
            "shopping_cart[].item_id",
            "gtin",
            "pan,email,echo",
            "gtin_type",
            "phone_type",
        ),
        (
            "custom_inputs.alternate",
            "phone",
            "pan,email,echo",
            "phone_type",
            "gtin_type",
        ),
        (
            "custom_inputs.*",
            "custom",
            "pan,email,echo",
            "key_words",
            "phone_type",
        ),
        (
            "custom_inputs.points",
            "number",
            "pan,echo",
            "key_words",
            "nearby_words",
        ),
        ("email.address", "email", "pan", "card_words", "key_words"),
    ] {
        let f = field(path);
        // The keys explain always had stay.
        for key in ["field", "action", "effective", "rule", "outcome"] {
            assert!(f.get(key).is_some(), "{path}: {key}");
        }
        assert_eq!(f["type"], ty, "{path}");
        assert_eq!(strings(&f, "detectors").join(","), detectors, "{path}");
        let contexts = strings(&f, "contexts");
        assert!(contexts.iter().any(|c| c == has), "{path}: {contexts:?}");
        assert!(!contexts.iter().any(|c| c == lacks), "{path}: {contexts:?}");
    }
    // A number's fraction digits are its precision (`number_type`).
    let f = field("custom_inputs.points");
    assert!(strings(&f, "contexts").iter().any(|c| c == "number_type"));
    // A field that is not sent meets no detector.
    let f = field("device.ip_address");
    assert!(strings(&f, "detectors").is_empty());
    assert!(strings(&f, "contexts").is_empty());
    let o = txveil(&["policy", "explain", policy], b"");
    let text = stdout(&o);
    let line = text
        .lines()
        .skip_while(|l| !l.starts_with("[transaction detection]"))
        .find(|l| l.starts_with("custom_inputs.alternate "))
        .unwrap();
    let columns: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        columns[..3],
        ["custom_inputs.alternate", "phone", "pan,email,echo"]
    );
    assert!(columns[3].contains("phone_type"), "{line}");
}

#[test]
fn diff_golden_outputs_and_exit_codes() {
    // default → minimal only tightens: exit 0.
    let o = txveil(
        &[
            "policy",
            "diff",
            "policies/default.toml",
            "policies/minimal.toml",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    golden("diff-default-minimal.txt", &stdout(&o));
    // minimal → default loosens: exit 1.
    let o = txveil(
        &[
            "policy",
            "diff",
            "policies/minimal.toml",
            "policies/default.toml",
            "--format",
            "markdown",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    golden("diff-minimal-default.md", &stdout(&o));
    // Identical treatment: no change.
    let o = txveil(
        &[
            "policy",
            "diff",
            "policies/default.toml",
            "policies/default.toml",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("0 change(s)"));
}

#[test]
fn diff_reads_old_from_stdin_and_labels_a_loosening_change() {
    let old = "version = 1\n[transaction]\n\"credit_card.number\" = \"truncate_pan\"\n";
    let new = temp_file("iin8.toml", "version = 1\n# comment\n[transaction]\n\"credit_card.number\" = { action = \"truncate_pan\", iin = 8 }\n");
    let o = txveil(
        &[
            "policy",
            "diff",
            "-",
            new.to_str().unwrap(),
            "--format",
            "json",
        ],
        old.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["loosens"], true);
    assert_eq!(v["changes"][0]["subject"], "credit_card.number");
    assert_eq!(v["changes"][0]["direction"], "loosening");
}

#[test]
fn diff_reads_a_policy_from_git() {
    let dir = temp_file("git-marker", "").parent().unwrap().join("repo");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.email=t@t", "-c", "user.name=t"])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(
        dir.join("policies/p.toml"),
        "version = 1\n[transaction]\n\"billing.city\" = \"drop\"\n",
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "p"]);
    std::fs::write(
        dir.join("policies/p.toml"),
        "version = 1\n[transaction]\n\"billing.city\" = \"keep\"\n",
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_txveil"))
        .args(["policy", "diff", "main:policies/p.toml", "policies/p.toml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("LOOSENING  [transaction] billing.city"));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_txveil"))
        .args(["policy", "diff", "nope:policies/p.toml", "policies/p.toml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn policy_test_runs_shipped_cases_with_full_coverage() {
    let o = txveil(
        &[
            "policy",
            "test",
            "policies/default.toml",
            "policies/minimal.toml",
            "--min-coverage",
            "100",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o).matches("coverage 100.0%").count(), 2);
}

#[test]
fn policy_test_fails_on_wrong_expectations_and_low_coverage() {
    let p = temp_file(
        "t.toml",
        "version = 1\n[transaction]\n\"billing.city\" = \"keep\"\n\"billing.postal\" = \"keep\"\n\n[[test]]\nname = \"city\"\ninput = '{\"billing\": {\"city\": \"A\"}}'\noutput = '{\"billing\": {\"city\": \"B\"}}'\n",
    );
    let o = txveil(&["policy", "test", p.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("FAIL  city (line 6)"), "{out}");
    assert!(
        out.contains("not covered: [transaction] billing.postal"),
        "{out}"
    );

    let p = temp_file("t2.toml", "version = 1\n[transaction]\n\"billing.city\" = \"keep\"\n\"billing.postal\" = \"keep\"\n\n[[test]]\nname = \"city\"\ninput = '{\"billing\": {\"city\": \"A\"}}'\noutput = '{\"billing\": {\"city\": \"A\"}}'\n");
    let o = txveil(&["policy", "test", p.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = txveil(
        &[
            "policy",
            "test",
            p.to_str().unwrap(),
            "--min-coverage",
            "90",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("below --min-coverage"));
}

#[test]
fn policy_tools_report_file_line_and_key_and_exit_2() {
    let bad = temp_file(
        "bad-tools.toml",
        "version = 1\n[report]\n\"tags\" = \"keep\"\n",
    );
    for args in [
        vec!["policy", "explain", bad.to_str().unwrap()],
        vec![
            "policy",
            "diff",
            bad.to_str().unwrap(),
            "policies/default.toml",
        ],
        vec!["policy", "test", bad.to_str().unwrap()],
    ] {
        let o = txveil(&args, b"");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o)
                .contains("bad-tools.toml:3: key `tags`: unknown field (did you mean `tag`?)"),
            "{}",
            stderr(&o)
        );
    }
    let o = txveil(&["policy", "explain", "missing.toml"], b"");
    assert_eq!(o.status.code(), Some(2));
    let invalid = temp_file("invalid.toml", "version = 1\n[transaction\n");
    let o = txveil(&["policy", "test", invalid.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid.toml:2"), "{}", stderr(&o));
}
