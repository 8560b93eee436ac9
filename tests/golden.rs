//! Golden files: `tests/golden/<policy>/<case>.request.json` sanitized with
//! `policies/<policy>.toml` must equal `<case>.expected.json` (the sanitized
//! request, or `{"error":{"code","path"}}`). Cases named `report-*` use the
//! report endpoint. Set `TXVEIL_BLESS=1` to write missing expected files.

use crate::util::path;
use serde_json::{json, Value};
use txveil::schema::Endpoint;
use txveil::{policy, sanitize_request};

fn outcome(policy: &txveil::Policy, endpoint: Endpoint, body: &[u8]) -> Value {
    match sanitize_request(policy, endpoint, body) {
        Ok(s) => Value::Object(s.body().clone()),
        Err(r) => json!({"error": {"code": r.code(), "path": r.path.to_string()}}),
    }
}

#[test]
fn golden_requests_sanitize_to_their_expected_files() {
    let bless = std::env::var_os("TXVEIL_BLESS").is_some();
    let mut failures = Vec::new();
    let mut cases = 0;
    for dir in std::fs::read_dir(path("tests/golden")).unwrap() {
        let dir = dir.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let policy = policy::load(&path(&format!("policies/{name}.toml"))).unwrap();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let fname = file.file_name().unwrap().to_string_lossy().into_owned();
            let Some(case) = fname.strip_suffix(".request.json") else {
                continue;
            };
            cases += 1;
            let endpoint = if case.starts_with("report") {
                Endpoint::Report
            } else {
                Endpoint::Transaction
            };
            let got = outcome(&policy, endpoint, &std::fs::read(&file).unwrap());
            let expected_path = dir.join(format!("{case}.expected.json"));
            if !expected_path.exists() && bless {
                std::fs::write(
                    &expected_path,
                    serde_json::to_string_pretty(&got).unwrap() + "\n",
                )
                .unwrap();
                continue;
            }
            let expected: Value =
                serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
            if got != expected {
                failures.push(format!(
                    "{name}/{case}:\n  expected {}\n  got      {}",
                    serde_json::to_string(&expected).unwrap(),
                    crate::util::shown(&serde_json::to_string(&got).unwrap())
                ));
            }
        }
    }
    assert!(cases >= 8);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
