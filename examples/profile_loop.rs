//! Run with `cargo run --release --example profile_loop [N] [txveil|serde_json]`
//!
//! Sanitizes `tests/data/transaction-raw.json` N times in a loop, for a
//! profiler (perf, callgrind) to attribute the time. With `serde_json` it
//! runs the peer instead: a `serde_json::Value` parse and serialization of
//! the same bytes, so that `valgrind --tool=callgrind` gives both
//! instruction counts, which do not drift with the machine's load.

use txveil::schema::Endpoint;
use txveil::{sanitize_request, Policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let peer = match args.next().as_deref() {
        None | Some("txveil") => false,
        Some("serde_json") => true,
        Some(other) => return Err(format!("unknown mode {other}: txveil or serde_json").into()),
    };
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/transaction-raw.json"
    ))?;
    let mut bytes = 0;
    if peer {
        // Nothing else is allocated first: glibc's allocator takes different
        // paths (and counts) depending on what the heap held before the loop.
        for _ in 0..n {
            let v: serde_json::Value = serde_json::from_slice(&body)?;
            bytes += serde_json::to_vec(&v)?.len();
        }
    } else {
        let policy = Policy::embedded_default()?;
        for _ in 0..n {
            bytes += sanitize_request(&policy, Endpoint::Transaction, &body)?
                .json()
                .len();
        }
    }
    println!("{n} requests, {bytes} bytes out");
    Ok(())
}
