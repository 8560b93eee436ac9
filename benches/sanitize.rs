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
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
