//! Run with `cargo run --release --example pan_quality [N]`
//!
//! Measures the detectors through the whole sanitizer on the generated
//! corpora of `tests/corpus.rs`: for each leak class of issue 8, how many of
//! N variants were caught (rejected at the exact path, or forwarded only in
//! safe form); for each category of realistic non-card data and of long
//! numeric ids, how many of N values were flagged as card numbers. Prints the
//! table the README publishes.

#[path = "../tests/corpus.rs"]
mod corpus;

use corpus::{Policies, Rng};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let policies = Policies::new();

    println!("| leak class | caught |");
    println!("|---|---|");
    let mut rng = Rng::new(2026);
    let (mut caught_all, mut cases) = (0, 0);
    for class in corpus::LEAK_CLASSES {
        let caught = (0..n)
            .filter(|_| corpus::holds(&policies, corpus::leak_case(&mut rng, class)))
            .count();
        caught_all += caught;
        cases += n;
        println!("| {class} | {caught}/{n} |");
    }
    println!("| all | {caught_all}/{cases} |");

    let mut rng = Rng::new(2027);
    let mut report = |title: &str, categories: &[&str]| {
        println!("\n| {title} | flagged | rate |");
        println!("|---|---|---|");
        let mut total = 0;
        for category in categories {
            let flagged = (0..n)
                .filter(|_| corpus::flagged(&policies, corpus::realistic(&mut rng, category).1))
                .count();
            total += flagged;
            println!(
                "| {category} | {flagged}/{n} | {:.3} % |",
                100.0 * flagged as f64 / n as f64
            );
        }
        let all = n * categories.len();
        println!(
            "| all | {total}/{all} | {:.3} % |",
            100.0 * total as f64 / all as f64
        );
    };
    report("realistic non-card data", corpus::REALISTIC);
    report("long numeric ids", corpus::LONG_IDS);
    Ok(())
}
