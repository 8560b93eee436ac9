//! Run with `cargo run --release --example pan_quality [N] [FILTER]`
//!
//! With FILTER, only the rows whose name holds it are measured
//! (`cargo run --example pan_quality -- 20000 usps`); `|` separates
//! alternatives (`-- 5000 'clabe|cbu'`).
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
    let wanted = |name: &str| filter.split('|').any(|f| name.contains(f));
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
    countries_cost(n, &policies, &wanted);

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

    no_country(n, &policies, &wanted);
    typed_inputs(n, &policies, &wanted);
    references(n, &policies, &wanted);

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

/// Reference numbers that hold card-shaped windows (`corpus::refs`): the
/// ones context tells, the ones it cannot, and cards placed the same way.
fn references(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    println!("\n| reference numbers | flagged | rate |");
    println!("|---|---|---|");
    let mut rng = Rng::new(2033);
    for (category, generate) in corpus::refs::OVERBLOCKING
        .iter()
        .chain(corpus::refs::LIMITS)
    {
        if !wanted(category) {
            continue;
        }
        let flagged = (0..n)
            .filter(|_| corpus::flagged(policies, generate(&mut rng)))
            .count();
        println!("| {category} | {flagged}/{n} | {} |", rate(flagged, n));
    }
    println!("\n| card placed as a reference | caught | recall |");
    println!("|---|---|---|");
    let mut rng = Rng::new(2034);
    for (class, generate) in corpus::refs::RECALL {
        if !wanted(class) {
            continue;
        }
        let caught = (0..n)
            .filter(|_| corpus::holds(policies, generate(&mut rng)))
            .count();
        println!("| {class} | {caught}/{n} | {} |", rate(caught, n));
    }
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

/// The telephone rows of the realistic table (whose requests carry the
/// order's countries as shops send them) beside the same generators with
/// no country in the request (`context::NO_COUNTRY`): the realistic
/// categories are the first column.
fn no_country(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    println!("\n| telephone rows (flagged) | request with the order's countries | request with no country |");
    println!("|---|---|---|");
    for (category, without) in context::NO_COUNTRY {
        if !wanted(category) {
            continue;
        }
        let Some((_, with)) = context::OVERBLOCKING.iter().find(|(c, _)| c == category) else {
            continue;
        };
        let mut rng = Rng::new(2035);
        let ordered = (0..n)
            .filter(|_| corpus::flagged(policies, with(&mut rng)))
            .count();
        let mut rng = Rng::new(2035);
        let bare = (0..n)
            .filter(|_| corpus::flagged(policies, without(&mut rng)))
            .count();
        println!("| {category} | {} | {} |", rate(ordered, n), rate(bare, n));
    }
}

/// Every card class (the leak classes, the context classes, the hidden
/// ones) with the same generated cards placed in requests that carry no
/// country, a country drawn from the 36 of the telephone generators, or one
/// of the countries whose telephone numbers share Maestro's short ranges
/// (PH, ID, CO, VE): what the request's countries cost in recall.
fn countries_cost(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    type Gen<'a> = Box<dyn Fn(&mut Rng) -> corpus::Case + 'a>;
    println!("\n| card class (caught) | no country | a random country of 36 | PH, ID, CO or VE |");
    println!("|---|---|---|---|");
    let mut classes: Vec<(&str, Gen<'_>)> = Vec::new();
    for class in corpus::LEAK_CLASSES {
        classes.push((
            class,
            Box::new(move |rng: &mut Rng| corpus::leak_case(rng, class)),
        ));
    }
    for (class, generate) in context::CARD_RECALL
        .iter()
        .chain(corpus::hidden::CLASSES.iter())
    {
        classes.push((class, Box::new(move |rng: &mut Rng| generate(rng))));
    }
    let countries: Vec<&str> = context::PLAN_COUNTRIES.iter().map(|(_, c)| *c).collect();
    let shared = ["PH", "ID", "CO", "VE"];
    let mut totals = [0usize; 3];
    let mut cases = 0;
    for (class, generate) in &classes {
        if !wanted(class) {
            continue;
        }
        let mut caught = [0usize; 3];
        for (column, pool) in [None, Some(&countries[..]), Some(&shared[..])]
            .into_iter()
            .enumerate()
        {
            // The same cards in every column; the countries from their own
            // generator.
            let mut rng = Rng::new(2036);
            let mut draw = Rng::new(2037);
            caught[column] = (0..n)
                .filter(|_| {
                    let case = generate(&mut rng);
                    let case = match pool {
                        None => case,
                        Some(pool) => {
                            let country = *draw.pick(pool);
                            context::with_country(&mut draw, case, country)
                        }
                    };
                    corpus::holds(policies, case)
                })
                .count();
            totals[column] += caught[column];
        }
        cases += n;
        println!(
            "| {class} | {} | {} | {} |",
            rate(caught[0], n),
            rate(caught[1], n),
            rate(caught[2], n)
        );
    }
    println!(
        "| all | {} | {} | {} |",
        rate(totals[0], cases),
        rate(totals[1], cases),
        rate(totals[2], cases)
    );
}
