//! The core against the one it replaces (`sanitize::legacy`), on
//! the same bytes under the same policies: the same output bytes and report,
//! or the same rejection code and path. Requests come from the golden files,
//! the sample data, the fuzz regressions, every leak class and realistic
//! category of the corpus, and proptest mutations of real requests.

use crate::corpus::{self, Rng};
use crate::util::path;
use proptest::prelude::*;
use serde_json::{json, Value};
use txveil::sanitize::legacy;
use txveil::schema::Endpoint;
use txveil::secret::HashKey;
use txveil::{policy, sanitize_request, Policy};

fn policies() -> Vec<(String, Policy)> {
    let src = policy::DEFAULT_POLICY_SOURCE;
    let variants = [
        ("default", src.to_owned()),
        (
            "redact",
            src.replace("on_pan = \"reject\"", "on_pan = \"redact\""),
        ),
        (
            "iin8",
            src.replace(
                "{ action = \"truncate_pan\", iin = 6 }",
                "{ action = \"truncate_pan\", iin = 8 }",
            ),
        ),
        (
            "email-redact",
            src.replace("on_email = \"hash\"", "on_email = \"redact\""),
        ),
        (
            "email-reject",
            src.replace("on_email = \"hash\"", "on_email = \"reject\""),
        ),
        (
            "email-keep",
            src.replace("on_email = \"hash\"", "on_email = \"keep\""),
        ),
        (
            "unlisted-reject",
            src.replace("unlisted = \"drop\"", "unlisted = \"reject\""),
        ),
        (
            "keyed",
            src.replace(
                "{ action = \"truncate_pan\", iin = 6 }",
                "{ action = \"truncate_pan\", iin = 6, fingerprint = \"card_fp\" }",
            )
            .replace("\"order.*\" = \"keep\"", "\"order.*\" = \"keep\"\n\"order.discount_code\" = \"keyed_hash\"")
            .replace("\"custom_inputs.*\" = \"keep\"", "\"custom_inputs.*\" = \"keep\"\n\"custom_inputs.loyalty_id\" = \"keyed_hash\"\n\"custom_inputs.secret\" = \"drop\""),
        ),
        (
            "email-reject-pan-redact",
            src.replace("on_email = \"hash\"", "on_email = \"reject\"")
                .replace("on_pan = \"reject\"", "on_pan = \"redact\""),
        ),
    ];
    let mut out: Vec<(String, Policy)> = variants
        .into_iter()
        .filter(|(name, v)| *name == "default" || v != src)
        .map(|(name, v)| {
            let p = policy::parse(&v, name).unwrap();
            let key = HashKey::try_new(zeroize::Zeroizing::new(
                b"differential-test-key-32-bytes!!".to_vec(),
            ))
            .unwrap();
            (name.to_owned(), p.with_hash_key(std::sync::Arc::new(key)))
        })
        .collect();
    assert!(
        out.len() == 9,
        "the policy variants apply to the default policy"
    );
    let minimal = path("policies/minimal.toml");
    out.push(("minimal".into(), policy::load(&minimal).unwrap()));
    out
}

/// `None` when both cores agree on `body`; otherwise what differs (codes and
/// paths only, never request content).
fn differs(policy: &Policy, endpoint: Endpoint, body: &[u8]) -> Option<String> {
    let new = sanitize_request(policy, endpoint, body);
    let old = legacy::sanitize_request(policy, endpoint, body);
    match (new, old) {
        (Ok(n), Ok((json, report))) => {
            if n.json() != json {
                return Some("different output".into());
            }
            (n.report().entries() != report).then(|| "different report".into())
        }
        (Err(n), Err(o)) => (n != o).then(|| {
            format!(
                "rejections differ: {} at {} / {} at {}",
                n.code(),
                n.path,
                o.code(),
                o.path
            )
        }),
        (Ok(_), Err(o)) => Some(format!(
            "only the old core rejects: {} at {}",
            o.code(),
            o.path
        )),
        (Err(n), Ok(_)) => Some(format!(
            "only the new core rejects: {} at {}",
            n.code(),
            n.path
        )),
    }
}

fn check_all(policies: &[(String, Policy)], endpoint: Endpoint, body: &[u8], what: &str) {
    for (name, p) in policies {
        if let Some(d) = differs(p, endpoint, body) {
            panic!("{what} under {name} ({endpoint:?}): {d}");
        }
    }
}

fn files_under(dir: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![path(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn both_cores_agree_on_golden_sample_and_regression_requests() {
    let policies = policies();
    let mut n = 0;
    for dir in ["tests/golden", "tests/data", "tests/fuzz-regressions"] {
        for file in files_under(dir) {
            let name = file.to_string_lossy().into_owned();
            if name.ends_with(".expected.json") || name.ends_with(".tsv") {
                continue;
            }
            let bytes = std::fs::read(&file).unwrap();
            let lines: Vec<&[u8]> = if name.ends_with(".jsonl") {
                bytes.split(|b| *b == b'\n').collect()
            } else {
                vec![&bytes[..]]
            };
            for body in lines {
                for endpoint in [Endpoint::Transaction, Endpoint::Report] {
                    check_all(&policies, endpoint, body, &name);
                    n += 1;
                }
            }
        }
    }
    assert!(n > 40, "{n} requests");
}

#[test]
fn both_cores_agree_on_every_corpus_class() {
    let policies = policies();
    let mut rng = Rng::new(0x5eed_d1ff);
    let mut n = 0;
    for round in 0..60 {
        for class in corpus::LEAK_CLASSES {
            let case = corpus::leak_case(&mut rng, class);
            let body = serde_json::to_vec(&case.request).unwrap();
            check_all(
                &policies,
                case.endpoint,
                &body,
                &format!("{class} #{round}"),
            );
            n += 1;
        }
        for category in corpus::REALISTIC.iter().chain(corpus::LONG_IDS) {
            let (_, request) = corpus::realistic(&mut rng, category);
            let body = serde_json::to_vec(&request).unwrap();
            check_all(
                &policies,
                Endpoint::Transaction,
                &body,
                &format!("{category} #{round}"),
            );
            n += 1;
        }
    }
    assert!(n > 2000, "{n} requests");
}

fn sample() -> Value {
    serde_json::from_slice(&std::fs::read(path("tests/data/transaction-raw.json")).unwrap())
        .unwrap()
}

/// JSON values a legacy app might put anywhere.
fn any_value() -> impl Strategy<Value = Value> {
    let text = prop::string::string_regex(
        "[ -~éß٣４\u{a0}\u{200b}\u{202e}＠]{0,24}|[0-9 -]{12,23}|[a-z.]{1,8}@[a-z]{1,8}\\.com",
    )
    .unwrap();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|u| json!(u)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        any::<f64>().prop_map(|f| json!(f)),
        text.prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A field path of the sample (`group/field`), or a new key.
fn any_place() -> impl Strategy<Value = (String, String)> {
    let groups = txveil::schema::TRANSACTION_GROUPS;
    (
        0..groups.len() + 1,
        prop_oneof![
            prop::sample::select(
                txveil::schema::TRANSACTION
                    .iter()
                    .map(|f| f.name.to_owned())
                    .collect::<Vec<_>>()
            ),
            "[a-z_]{1,10}",
        ],
    )
        .prop_map(move |(g, f)| (groups.get(g).copied().unwrap_or("extra").to_owned(), f))
}

/// `body` with some characters of its strings (keys included) written as
/// `\uXXXX` escapes, as some JSON encoders write them; the same request.
fn escape_some(body: &[u8], seed: u64) -> Vec<u8> {
    let text = std::str::from_utf8(body).unwrap();
    let mut rng = Rng::new(seed | 1);
    let mut out = String::with_capacity(text.len() * 2);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if !in_string {
            in_string = c == '"';
            out.push(c);
            continue;
        }
        if escaped {
            escaped = false;
            out.push(c);
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                out.push(c);
            }
            '"' => {
                in_string = false;
                out.push(c);
            }
            _ if rng.below(4) == 0 => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
            _ => out.push(c),
        }
    }
    out.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The sample with up to four fields set to arbitrary values, or removed.
    #[test]
    fn both_cores_agree_on_mutated_requests(
        edits in prop::collection::vec((any_place(), prop::option::of(any_value())), 1..5),
        seed in any::<u64>(),
    ) {
        let policies = policies();
        let mut request = sample();
        for ((group, field), value) in edits {
            let obj = request.as_object_mut().unwrap();
            let g = obj.entry(group).or_insert_with(|| json!({}));
            let target = match g {
                Value::Array(items) if !items.is_empty() => &mut items[0],
                other => other,
            };
            if let Value::Object(fields) = target {
                match value {
                    Some(v) => { fields.insert(field, v); }
                    None => { fields.remove(&field); }
                }
            } else if let Some(v) = value {
                *target = v;
            }
        }
        let body = serde_json::to_vec(&request).unwrap();
        let escaped = escape_some(&body, seed);
        for (name, p) in &policies {
            for endpoint in [Endpoint::Transaction, Endpoint::Report] {
                let d = differs(p, endpoint, &body);
                prop_assert!(d.is_none(), "under {} ({:?}): {:?}", name, endpoint, d);
                let d = differs(p, endpoint, &escaped);
                prop_assert!(d.is_none(), "escaped, under {} ({:?}): {:?}", name, endpoint, d);
            }
        }
    }

    /// The sample's bytes with a few bytes changed: both refuse, or agree.
    #[test]
    fn both_cores_agree_on_damaged_bytes(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let policies = policies();
        let mut body = std::fs::read(path("tests/data/transaction-raw.json")).unwrap();
        for (at, byte) in edits {
            let i = at.index(body.len());
            body[i] = byte;
        }
        for (name, p) in &policies[..2] {
            let d = differs(p, Endpoint::Transaction, &body);
            prop_assert!(d.is_none(), "under {}: {:?}", name, d);
        }
    }
}
