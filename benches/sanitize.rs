//! Run with `cargo bench --bench sanitize`
//!
//! Sanitizing `tests/data/transaction-raw.json` on one core, beside a peer
//! measured in the same run: serde_json parsing the same bytes into a
//! `Value` and writing it back, the least any JSON-rewriting proxy does.
//! Report the ratio, not the absolute time.

// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use txveil::schema::Endpoint;
use txveil::{sanitize_request, Policy};

fn bench(c: &mut Criterion) {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/transaction-raw.json"
    ))
    .expect("sample request");
    let policy = Policy::embedded_default().expect("default policy");
    let mut group = c.benchmark_group("transaction-raw");
    group.throughput(Throughput::Elements(1));
    group.bench_function("peer: serde_json parse + serialize", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_slice(black_box(&body)).expect("json");
            black_box(serde_json::to_vec(&v).expect("serialize"))
        })
    });
    group.bench_function("txveil: sanitize + serialize", |b| {
        b.iter(|| {
            let s = sanitize_request(&policy, Endpoint::Transaction, black_box(&body))
                .expect("sanitize");
            black_box(s.json().len())
        })
    });
    group.finish();
    digest_beside_truncation(c, &policy);
}

/// The digest search's worst case (`src/sanitize/digest.rs`): an IIN whose
/// brand issues 12 to 19 digits, its last 4, and a digest-shaped value of
/// each of the four algorithms (none a card's, so the request is forwarded),
/// beside the same request without `issuer_id_number`, where no digest is
/// tested, and an official client's request (a Visa IIN and last 4 with
/// `username_md5` and a pre-hashed address): not searched under the default
/// `card_digest_search`, 100,100 MD5s under `all_fields`.
fn digest_beside_truncation(c: &mut Criterion, policy: &Policy) {
    let worst = serde_json::json!({
        "device": {"ip_address": "81.2.69.160",
                   "tracking_token": "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"},
        "account": {"username_md5": "5f4dcc3b5aa765d61d8327deb882cf99"},
        "credit_card": {"issuer_id_number": "501800", "last_digits": "1234",
                        "token": "c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2\
                                  c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2"},
        "custom_inputs": {"fingerprint": "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"},
    });
    let mut without = worst.clone();
    without["credit_card"]
        .as_object_mut()
        .expect("group")
        .remove("issuer_id_number");
    let client = serde_json::json!({
        "device": {"ip_address": "81.2.69.160"},
        "account": {"username_md5": "5f4dcc3b5aa765d61d8327deb882cf99"},
        "email": {"address": "977d70c0e3a37d53d2cd4a6e4d8d4bc2", "domain": "example.com"},
        "credit_card": {"issuer_id_number": "411111", "last_digits": "1234"},
    });
    let all_fields = txveil::policy::parse(
        &txveil::policy::DEFAULT_POLICY_SOURCE.replace(
            "on_pan = \"reject\"",
            "on_pan = \"reject\"\ncard_digest_search = \"all_fields\"",
        ),
        "all_fields",
    )
    .expect("policy");
    let mut group = c.benchmark_group("digest-beside-truncation");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    for (name, request, policy) in [
        ("peer: no issuer_id_number", &without, policy),
        ("txveil: worst case, four algorithms", &worst, policy),
        (
            "txveil: official client, username and address MD5",
            &client,
            policy,
        ),
        (
            "txveil: official client under all_fields",
            &client,
            &all_fields,
        ),
    ] {
        let body = serde_json::to_vec(request).expect("json");
        group.bench_function(name, |b| {
            b.iter(|| {
                let s = sanitize_request(policy, Endpoint::Transaction, black_box(&body))
                    .expect("sanitize");
                black_box(s.json().len())
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
