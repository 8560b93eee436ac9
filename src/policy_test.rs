//! `txveil policy test`: run a policy's `[[test]]` cases and report which of
//! its rules no case exercises.
//!
//! A case gives an input request and either the expected sanitized request
//! (`output`) or the expected rejection (`reject`, optionally `path`). The
//! rules are the keys as written in the file, plus `unlisted` (fields no key
//! names), `on_pan` and `on_email`; a rule is covered when some case applies it.

use crate::policy::{Expectation, Policy, PolicyTest};
use crate::sanitize::{sanitize_request, Applied, Rejection, RejectionKind};
use crate::schema::Endpoint;
use std::collections::BTreeSet;

/// The outcome of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its line in the file.
    pub line: usize,
    /// Why it failed, or `None` when it passed.
    pub failure: Option<String>,
}

/// One rule and whether a case covers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCoverage {
    /// `transaction`, `report`, or `policy` for `unlisted`, `on_pan` and `on_email`.
    pub scope: &'static str,
    /// The key as written, or `unlisted` / `on_pan` / `on_email`.
    pub rule: String,
    /// Its line, when it is a written key.
    pub line: Option<usize>,
    /// Whether some case applies it.
    pub covered: bool,
}

/// The results of running a policy's cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestRun {
    /// One result per case, in file order.
    pub cases: Vec<CaseResult>,
    /// Every rule with its coverage.
    pub rules: Vec<RuleCoverage>,
}

impl TestRun {
    /// Whether every case passed.
    pub fn passed(&self) -> bool {
        self.cases.iter().all(|c| c.failure.is_none())
    }

    /// Covered rules as a percentage of all rules (100 when there are none).
    pub fn coverage(&self) -> f64 {
        if self.rules.is_empty() {
            return 100.0;
        }
        let covered = self.rules.iter().filter(|r| r.covered).count();
        100.0 * covered as f64 / self.rules.len() as f64
    }
}

/// A report path (`/shopping_cart/0/price`) as a policy path (`shopping_cart[].price`).
fn policy_path(pointer: &str) -> String {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["shopping_cart", _, name] => format!("shopping_cart[].{name}"),
        [group, name] => format!("{group}.{name}"),
        [name] => (*name).to_owned(),
        _ => pointer.to_owned(),
    }
}

struct Covered<'p> {
    policy: &'p Policy,
    keys: BTreeSet<(Endpoint, String)>,
    unlisted: bool,
    on_pan: bool,
    on_email: bool,
}

impl Covered<'_> {
    fn path(&mut self, endpoint: Endpoint, pointer: &str) -> bool {
        match self.policy.source_of(endpoint, &policy_path(pointer)) {
            Some(key) => {
                self.keys.insert((endpoint, key.to_owned()));
                true
            }
            None => false,
        }
    }

    fn rejection(&mut self, endpoint: Endpoint, r: &Rejection) {
        let pointer = r.path.to_string();
        match r.kind {
            RejectionKind::PanDetected => self.on_pan = true,
            RejectionKind::EmailDetected => self.on_email = true,
            RejectionKind::FieldUnknown => self.unlisted = true,
            RejectionKind::FieldForbidden => {
                if !self.path(endpoint, &pointer) {
                    self.unlisted = true;
                }
            }
            _ => {
                self.path(endpoint, &pointer);
            }
        }
    }
}

fn run_case(policy: &Policy, case: &PolicyTest, covered: &mut Covered<'_>) -> Option<String> {
    let result = sanitize_request(policy, case.endpoint, case.input.as_bytes());
    match &result {
        Ok(s) => {
            for (pointer, applied) in s.report().entries() {
                match applied {
                    Applied::DroppedUnlisted => covered.unlisted = true,
                    Applied::RedactedPan => covered.on_pan = true,
                    Applied::HashedFoundEmail | Applied::RedactedEmail => covered.on_email = true,
                    Applied::FilledDomain
                    | Applied::Superseded
                    | Applied::Fingerprinted
                    | Applied::DroppedEmpty => {}
                    _ => {
                        covered.path(case.endpoint, &pointer);
                    }
                }
            }
        }
        Err(r) => covered.rejection(case.endpoint, r),
    }
    match (&case.expect, result) {
        (Expectation::Output(expected), Ok(s)) => {
            let expected: serde_json::Value = serde_json::from_str(expected).unwrap_or_default();
            let got = serde_json::Value::Object(s.body());
            (expected != got)
                .then(|| format!("expected output {expected}\n    got output      {got}"))
        }
        (Expectation::Output(_), Err(r)) => Some(format!(
            "expected an output, got rejection {} at {}",
            r.code(),
            r.path
        )),
        (Expectation::Reject { code, path }, Err(r)) => {
            let got_path = r.path.to_string();
            if r.code() != code {
                Some(format!(
                    "expected rejection {code}, got {} at {got_path}",
                    r.code()
                ))
            } else if path.as_ref().is_some_and(|p| *p != got_path) {
                Some(format!(
                    "expected rejection at {}, got it at {got_path}",
                    path.as_deref().unwrap_or("")
                ))
            } else {
                None
            }
        }
        (Expectation::Reject { code, .. }, Ok(s)) => Some(format!(
            "expected rejection {code}, got output {}",
            s.to_json()
        )),
    }
}

/// Runs every case of `policy` and computes coverage.
pub fn run(policy: &Policy) -> TestRun {
    let mut covered = Covered {
        policy,
        keys: BTreeSet::new(),
        unlisted: false,
        on_pan: false,
        on_email: false,
    };
    let cases = policy
        .tests()
        .iter()
        .map(|case| CaseResult {
            name: case.name.clone(),
            line: case.line,
            failure: run_case(policy, case, &mut covered),
        })
        .collect();
    let mut rules = Vec::new();
    for endpoint in Endpoint::ALL {
        for (key, line) in policy.written_keys(endpoint) {
            rules.push(RuleCoverage {
                scope: endpoint.name(),
                rule: key.clone(),
                line: Some(*line),
                covered: covered.keys.contains(&(endpoint, key.clone())),
            });
        }
    }
    rules.push(RuleCoverage {
        scope: "policy",
        rule: "unlisted".into(),
        line: None,
        covered: covered.unlisted,
    });
    rules.push(RuleCoverage {
        scope: "policy",
        rule: "on_pan".into(),
        line: None,
        covered: covered.on_pan,
    });
    rules.push(RuleCoverage {
        scope: "policy",
        rule: "on_email".into(),
        line: None,
        covered: covered.on_email,
    });
    TestRun { cases, rules }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse;

    const POLICY: &str = r#"version = 1
[transaction]
"billing.*" = "keep"
"credit_card.number" = "truncate_pan"
"order.amount" = "keep"

[[test]]
name = "card"
input = '{"credit_card": {"number": "4111 1111 1111 1111"}, "billing": {"city": "X"}}'
output = '{"credit_card": {"issuer_id_number": "411111", "last_digits": "1111"}, "billing": {"city": "X"}}'

[[test]]
name = "pan"
input = '{"billing": {"address": "4111 1111 1111 1111"}}'
reject = "PAN_DETECTED"
path = "/billing/address"
"#;

    #[test]
    fn runs_cases_and_reports_uncovered_rules() {
        let run = run(&parse(POLICY, "p").unwrap());
        assert!(run.passed(), "{:?}", run.cases);
        let uncovered: Vec<&str> = run
            .rules
            .iter()
            .filter(|r| !r.covered)
            .map(|r| r.rule.as_str())
            .collect();
        assert_eq!(uncovered, ["order.amount", "unlisted", "on_email"]);
        assert!((run.coverage() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn reports_failures() {
        let src = POLICY
            .replace("\"/billing/address\"", "\"/billing/city\"")
            .replace("\"411111\"", "\"411112\"");
        let run = run(&parse(&src, "p").unwrap());
        let failures: Vec<&str> = run
            .cases
            .iter()
            .filter_map(|c| c.failure.as_deref())
            .collect();
        assert_eq!(failures.len(), 2);
        assert!(
            failures[1].contains("expected rejection at /billing/city, got it at /billing/address")
        );
    }
}
