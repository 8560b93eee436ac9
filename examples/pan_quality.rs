//! Run with `cargo run --release --example pan_quality [N]`
//!
//! Measures the PAN detector through the whole sanitizer: recall on N
//! generated card numbers (every brand range and length, many formats and
//! placements) and false positives on N realistic values of each non-PAN
//! category. Prints the figures the README publishes.

#[path = "../tests/corpus.rs"]
mod corpus;

use corpus::Rng;
use txveil::sanitize::pan::contains_pan;
use txveil::schema::Endpoint;
use txveil::{sanitize_value, Policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let policy = Policy::embedded_default()?;

    let mut rng = Rng::new(2026);
    let (mut found, mut right_path) = (0, 0);
    for i in 0..n {
        let (request, path) = corpus::recall_case(&mut rng, i);
        if let Err(r) = sanitize_value(&policy, Endpoint::Transaction, request) {
            if r.code() == "PAN_DETECTED" {
                found += 1;
                right_path += usize::from(r.path.to_string() == path);
            }
        }
    }
    println!(
        "recall: {found}/{n} = {:.4}% (rejection at the exact path: {right_path})",
        100.0 * found as f64 / n as f64
    );

    let mut rng = Rng::new(2027);
    let mut total_flagged = 0;
    for category in corpus::NON_PAN_CATEGORIES {
        let flagged = (0..n)
            .filter(|_| contains_pan(&corpus::non_pans(&mut rng, category)))
            .count();
        total_flagged += flagged;
        println!("false positives, {category}: {flagged}/{n}");
    }
    let all = n * corpus::NON_PAN_CATEGORIES.len();
    println!(
        "false positives, all realistic categories: {total_flagged}/{all} = {:.4}%",
        100.0 * total_flagged as f64 / all as f64
    );

    // Random 12-19 digit numbers are the worst case: a Luhn-valid number in a
    // brand range cannot be told apart from a card number.
    let flagged = (0..n)
        .filter(|_| {
            let len = 12 + rng.below(8);
            let first = char::from(b'1' + rng.below(9) as u8);
            contains_pan(&format!("{first}{}", rng.digits(len - 1)))
        })
        .count();
    println!("flagged, random 12-19 digit numeric ids (worst case, not realistic data): {flagged}/{n} = {:.2}%", 100.0 * flagged as f64 / n as f64);
    Ok(())
}
