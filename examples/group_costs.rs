//! Run with `cargo run --release --example group_costs [FILE.jsonl]`
//!
//! Where the core's time goes, group by group, on varied requests: each
//! request of FILE (JSON Lines; default the 2 KB sample alone) is cut into
//! one request per top-level group, and each set is sanitized in a loop
//! beside its peer, a `serde_json::Value` parse and serialization of the
//! same bytes, in the same run. The whole requests come last. Times are
//! nanoseconds per request, the best of three rounds.

use std::time::Instant;
use txveil::schema::Endpoint;
use txveil::{sanitize_request, Policy};

/// Runs `f` over `bodies` `rounds` times; the best mean in nanoseconds.
fn best_ns(bodies: &[Vec<u8>], mut f: impl FnMut(&[u8]) -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut out = 0;
    for _ in 0..3 {
        let repeat = (200_000 / bodies.len().max(1)).max(1);
        let start = Instant::now();
        for _ in 0..repeat {
            for b in bodies {
                out += f(b);
            }
        }
        let mean = start.elapsed().as_secs_f64() * 1e9 / (repeat * bodies.len()) as f64;
        best = best.min(mean);
    }
    (best, out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/transaction-raw.json"
        )
        .to_owned()
    });
    let text = std::fs::read_to_string(&path)?;
    let requests: Vec<serde_json::Map<String, serde_json::Value>> = if path.ends_with(".jsonl") {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .take(3000)
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?
    } else {
        vec![serde_json::from_str(&text)?]
    };
    let first = requests.first().ok_or("no requests")?;
    let policy = Policy::embedded_default()?;
    let sanitize = |b: &[u8]| {
        sanitize_request(&policy, Endpoint::Transaction, b).map_or(0, |s| s.json().len())
    };
    let peer = |b: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(b)
            .ok()
            .and_then(|v| serde_json::to_vec(&v).ok())
            .map_or(0, |v| v.len())
    };
    println!(
        "{} requests from {path}\n{:<14} {:>6} {:>6} {:>10} {:>10} {:>6}",
        requests.len(),
        "group",
        "fields",
        "bytes",
        "txveil ns",
        "serde ns",
        "ratio"
    );
    let mut sets: Vec<(String, usize, Vec<Vec<u8>>)> = Vec::new();
    for (group, value) in first {
        let fields = value.as_object().map_or(0, serde_json::Map::len);
        let bodies = requests
            .iter()
            .filter_map(|r| r.get(group))
            .map(|v| serde_json::to_vec(&serde_json::json!({ group: v })))
            .collect::<Result<_, _>>()?;
        sets.push((group.clone(), fields, bodies));
    }
    let whole = requests
        .iter()
        .map(serde_json::to_vec)
        .collect::<Result<_, _>>()?;
    sets.push(("(whole)".into(), 0, whole));
    let mut refused = 0;
    for (name, fields, bodies) in &sets {
        refused += bodies
            .iter()
            .filter(|b| sanitize_request(&policy, Endpoint::Transaction, b).is_err())
            .count();
        let mean = bodies.iter().map(Vec::len).sum::<usize>() / bodies.len().max(1);
        let (ours, _) = best_ns(bodies, sanitize);
        let (theirs, _) = best_ns(bodies, peer);
        println!(
            "{name:<14} {fields:>6} {mean:>6} {ours:>10.0} {theirs:>10.0} {:>6.2}",
            ours / theirs
        );
    }
    if refused > 0 {
        println!("({refused} of these requests were refused: their time is a rejection's)");
    }
    Ok(())
}
