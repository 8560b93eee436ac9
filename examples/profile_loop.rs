//! Run with `cargo run --release --example profile_loop [N]`
//!
//! Sanitizes `tests/data/transaction-raw.json` N times in a loop, for a
//! profiler (perf, callgrind) to attribute the time.

use txveil::schema::Endpoint;
use txveil::{sanitize_request, Policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/transaction-raw.json"
    ))?;
    let policy = Policy::embedded_default()?;
    let mut bytes = 0;
    for _ in 0..n {
        bytes += sanitize_request(&policy, Endpoint::Transaction, &body)?
            .json()
            .len();
    }
    println!("{n} requests, {bytes} bytes out");
    Ok(())
}
