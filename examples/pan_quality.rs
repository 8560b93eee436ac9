//! Run with `cargo run --release --example pan_quality [N] [FILTER]`
//!
//! With FILTER, only the rows whose name holds it are measured
//! (`cargo run --example pan_quality -- 20000 usps`).
//!
//! Measures the detectors through the whole sanitizer on the generated
//! corpora of `tests/corpus.rs` and `tests/corpus_context.rs`, side by side:
//! recall (how many of N card cases of each class were caught: rejected at
//! the exact path, or forwarded only in safe form) and false positives (how
//! many of N realistic values of each category were refused as card
//! numbers). The measurement history is in `docs/detection.md`.
//!
//! Each table is a list of rows; a detector's own classes are added as rows
//! (a name and a generator function) to `corpus::LEAK_CLASSES` or the
//! tables of `corpus::context`.

#[path = "../tests/corpus.rs"]
mod corpus;

use corpus::{context, Policies, Rng};

fn rate(k: usize, n: usize) -> String {
    if n == 0 {
        return "-".into();
    }
    format!("{:.3} %", 100.0 * k as f64 / n as f64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let filter = std::env::args().nth(2).unwrap_or_default();
    let wanted = |name: &str| name.contains(filter.as_str());
    let policies = Policies::new();

    println!("| card class | caught | recall |");
    println!("|---|---|---|");
    let mut rng = Rng::new(2026);
    let (mut caught_all, mut cases) = (0, 0);
    for class in corpus::LEAK_CLASSES {
        if !wanted(class) {
            continue;
        }
        let caught = (0..n)
            .filter(|_| corpus::holds(&policies, corpus::leak_case(&mut rng, class)))
            .count();
        caught_all += caught;
        cases += n;
        println!("| {class} | {caught}/{n} | {} |", rate(caught, n));
    }
    let mut rng = Rng::new(2028);
    for (class, generate) in context::CARD_RECALL {
        if !wanted(class) {
            continue;
        }
        let caught = (0..n)
            .filter(|_| corpus::holds(&policies, generate(&mut rng)))
            .count();
        caught_all += caught;
        cases += n;
        println!("| {class} | {caught}/{n} | {} |", rate(caught, n));
    }
    println!(
        "| all | {caught_all}/{cases} | {} |",
        rate(caught_all, cases)
    );
    hidden_classes(n, &policies, &wanted);

    println!("\n| realistic non-card data | flagged | rate |");
    println!("|---|---|---|");
    let mut rng = Rng::new(2027);
    let (mut total, mut all) = (0, 0);
    for category in corpus::REALISTIC {
        if !wanted(category) {
            continue;
        }
        let flagged = (0..n)
            .filter(|_| corpus::flagged(&policies, corpus::realistic(&mut rng, category).1))
            .count();
        total += flagged;
        all += n;
        println!("| {category} | {flagged}/{n} | {} |", rate(flagged, n));
    }
    let mut rng = Rng::new(2029);
    for (category, generate) in context::OVERBLOCKING {
        if !wanted(category) {
            continue;
        }
        let flagged = (0..n)
            .filter(|_| corpus::flagged(&policies, generate(&mut rng)))
            .count();
        total += flagged;
        all += n;
        println!("| {category} | {flagged}/{n} | {} |", rate(flagged, n));
    }
    println!("| all | {total}/{all} | {} |", rate(total, all));

    typed_inputs(n, &policies, &wanted);

    println!("\n| long numeric ids | flagged | rate |");
    println!("|---|---|---|");
    let mut rng = Rng::new(2027);
    let (mut total, mut all) = (0, 0);
    for category in corpus::LONG_IDS {
        if !wanted(category) {
            continue;
        }
        let flagged = (0..n)
            .filter(|_| corpus::flagged(&policies, corpus::realistic(&mut rng, category).1))
            .count();
        total += flagged;
        all += n;
        println!("| {category} | {flagged}/{n} | {} |", rate(flagged, n));
    }
    println!("| all | {total}/{all} | {} |", rate(total, all));
    Ok(())
}

/// Cards, usernames and addresses hidden where the scan of kept strings
/// alone would not see them (`corpus::hidden`): its own table.
fn hidden_classes(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    println!("\n| hidden class | caught | recall |");
    println!("|---|---|---|");
    let mut rng = Rng::new(2032);
    let (mut caught_all, mut cases) = (0, 0);
    for (class, generate) in corpus::hidden::CLASSES {
        if !wanted(class) {
            continue;
        }
        let caught = (0..n)
            .filter(|_| corpus::holds(policies, generate(&mut rng)))
            .count();
        caught_all += caught;
        cases += n;
        println!("| {class} | {caught}/{n} | {} |", rate(caught, n));
    }
    println!(
        "| all | {caught_all}/{cases} | {} |",
        rate(caught_all, cases)
    );
}

/// Custom inputs typed in the policy (`corpus::PolicyKind::Typed`): the same
/// values with and without the type, and cards in the typed inputs.
fn typed_inputs(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    use corpus::PolicyKind;
    println!("\n| custom input typed in the policy | untyped | typed |");
    println!("|---|---|---|");
    for (category, generate) in context::TYPED_OVERBLOCKING {
        if !wanted(category) {
            continue;
        }
        let mut rng = Rng::new(2033);
        let untyped = (0..n)
            .filter(|_| corpus::flagged(policies, generate(&mut rng)))
            .count();
        let mut rng = Rng::new(2033);
        let typed = (0..n)
            .filter(|_| corpus::flagged_under(policies, PolicyKind::Typed, generate(&mut rng)))
            .count();
        println!(
            "| {category} (flagged) | {} | {} |",
            rate(untyped, n),
            rate(typed, n)
        );
    }
    println!("\n| card class, typed custom input | caught | recall |");
    println!("|---|---|---|");
    let mut rng = Rng::new(2034);
    for (class, generate) in context::TYPED_RECALL {
        if !wanted(class) {
            continue;
        }
        let caught = (0..n)
            .filter(|_| corpus::holds(policies, generate(&mut rng)))
            .count();
        println!("| {class} | {caught}/{n} | {} |", rate(caught, n));
    }
}
