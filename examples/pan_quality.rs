//! Run with `cargo run --release --example pan_quality [N] [FILTER]`
//!
//! With FILTER, only the rows whose name holds it are measured
//! (`cargo run --example pan_quality -- 20000 usps`); `|` separates
//! alternatives (`-- 5000 'clabe|cbu'`). A third argument `realistic`
//! measures the realistic tables only (`-- 20000 '' realistic`).
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

/// A printed table of counts: a row per measured category or class, and
/// the sum of its rows.
struct Table {
    counted: usize,
    of: usize,
}

impl Table {
    /// Prints the table's head: `head` names the rows and the count.
    fn new(head: &str) -> Self {
        println!("{head}");
        println!("|---|---|---|");
        Table { counted: 0, of: 0 }
    }

    /// Prints the row `name`: `k` of `n` counted.
    fn row(&mut self, name: &str, k: usize, n: usize) {
        self.counted += k;
        self.of += n;
        println!("| {name} | {k}/{n} | {} |", rate(k, n));
    }

    /// Prints the sum of the rows.
    fn all(self) {
        println!(
            "| all | {}/{} | {} |",
            self.counted,
            self.of,
            rate(self.counted, self.of)
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let filter = std::env::args().nth(2).unwrap_or_default();
    let wanted = |name: &str| filter.split('|').any(|f| name.contains(f));
    let realistic_only = std::env::args().nth(3).as_deref() == Some("realistic");
    let policies = Policies::new();
    if !realistic_only {
        card_tables(n, &policies, &wanted);
    }

    let mut table = Table::new("\n| realistic non-card data | flagged | rate |");
    realistic_rows(&mut table, n, &policies, 2027, corpus::REALISTIC, &wanted);
    let mut rng = Rng::new(2029);
    for &(category, generate) in context::OVERBLOCKING {
        if wanted(category) {
            table.row(
                category,
                corpus::flagged_count(&policies, &mut rng, n, generate),
                n,
            );
        }
    }
    table.all();

    no_country(n, &policies, &wanted);
    typed_inputs(n, &policies, &wanted);
    references(n, &policies, &wanted);
    accounts(n, &policies, &wanted);
    phones(n, &policies, &wanted);

    let mut table = Table::new("\n| long numeric ids | flagged | rate |");
    realistic_rows(&mut table, n, &policies, 2027, corpus::LONG_IDS, &wanted);
    table.all();
    Ok(())
}

/// The rows of `categories` of `corpus::realistic`, drawn from one `seed`.
fn realistic_rows(
    table: &mut Table,
    n: usize,
    policies: &Policies,
    seed: u64,
    categories: &[&str],
    wanted: &dyn Fn(&str) -> bool,
) {
    let mut rng = Rng::new(seed);
    for &category in categories {
        if wanted(category) {
            let generate = |rng: &mut Rng| corpus::realistic(rng, category).1;
            table.row(
                category,
                corpus::flagged_count(policies, &mut rng, n, generate),
                n,
            );
        }
    }
}

/// The rows of a recall table `classes`, drawn from one `seed`.
fn recall_rows(
    table: &mut Table,
    n: usize,
    policies: &Policies,
    seed: u64,
    classes: &[(&str, context::CardCase)],
    wanted: &dyn Fn(&str) -> bool,
) {
    let mut rng = Rng::new(seed);
    for &(class, generate) in classes {
        if wanted(class) {
            table.row(
                class,
                corpus::held_count(policies, &mut rng, n, generate),
                n,
            );
        }
    }
}

/// The recall tables: every card class, hidden ones, and what the
/// request's countries cost.
fn card_tables(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    let mut table = Table::new("| card class | caught | recall |");
    let mut rng = Rng::new(2026);
    for &class in corpus::LEAK_CLASSES {
        if wanted(class) {
            let generate = |rng: &mut Rng| corpus::leak_case(rng, class);
            table.row(
                class,
                corpus::held_count(policies, &mut rng, n, generate),
                n,
            );
        }
    }
    recall_rows(&mut table, n, policies, 2028, context::CARD_RECALL, wanted);
    table.all();
    hidden_classes(n, policies, wanted);
    countries_cost(n, policies, wanted);
}

/// Reference numbers that hold card-shaped windows (`corpus::refs`): the
/// ones context tells, the ones it cannot, and cards placed the same way.
fn references(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    let mut table = Table::new("\n| reference numbers | flagged | rate |");
    let mut rng = Rng::new(2033);
    for &(category, generate) in corpus::refs::OVERBLOCKING
        .iter()
        .chain(corpus::refs::LIMITS)
    {
        if wanted(category) {
            let flagged = corpus::flagged_count(policies, &mut rng, n, generate);
            table.row(category, flagged, n);
        }
    }
    let mut table = Table::new("\n| card placed as a reference | caught | recall |");
    recall_rows(&mut table, n, policies, 2034, corpus::refs::RECALL, wanted);
    let mut table = Table::new("\n| card placed as an id lowered by design | caught | recall |");
    recall_rows(&mut table, n, policies, 2035, corpus::refs::COSTS, wanted);
    national_numbers(n, policies, wanted);
}

/// National identity and taxpayer numbers (`corpus::nid`) and cards placed
/// the same way: those caught by design, and those forwarded by design
/// (plain cards that pass a number's structure in its context).
fn national_numbers(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    let mut table = Table::new("\n| national numbers | flagged | rate |");
    let mut rng = Rng::new(2036);
    for &(category, generate) in corpus::nid::OVERBLOCKING.iter().chain(corpus::nid::LIMITS) {
        if wanted(category) {
            let flagged = corpus::flagged_count(policies, &mut rng, n, generate);
            table.row(category, flagged, n);
        }
    }
    let mut table = Table::new("\n| card placed as a national number | caught | recall |");
    recall_rows(&mut table, n, policies, 2037, corpus::nid::RECALL, wanted);
    recall_rows(&mut table, n, policies, 2038, corpus::nid::COSTS, wanted);
}

/// Bank account numbers and acquirer reference numbers (`corpus::accounts`)
/// and cards placed the same way.
fn accounts(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    use txveil::schema::Endpoint;
    let mut table = Table::new("\n| bank accounts and arns | flagged | rate |");
    let mut rng = Rng::new(2035);
    let rows = corpus::accounts::OVERBLOCKING
        .iter()
        .chain(corpus::accounts::LIMITS)
        .map(|r| (Endpoint::Transaction, r))
        .chain(
            corpus::accounts::REPORT_OVERBLOCKING
                .iter()
                .map(|r| (Endpoint::Report, r)),
        );
    for (endpoint, &(category, generate)) in rows {
        if wanted(category) {
            let flagged = (0..n)
                .filter(|_| corpus::accounts::flagged_at(policies, endpoint, generate(&mut rng)))
                .count();
            table.row(category, flagged, n);
        }
    }
    let mut table = Table::new("\n| card placed as a bank account or arn | caught | recall |");
    recall_rows(
        &mut table,
        n,
        policies,
        2036,
        corpus::accounts::RECALL,
        wanted,
    );
}

/// Telephone numbers beside other numbers in one value
/// (`corpus::phones`), and cards placed the same way.
fn phones(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    let mut table = Table::new("\n| phones beside other numbers | flagged | rate |");
    let mut rng = Rng::new(2037);
    for &(category, generate) in corpus::phones::OVERBLOCKING {
        if wanted(category) {
            let flagged = corpus::flagged_count(policies, &mut rng, n, generate);
            table.row(category, flagged, n);
        }
    }
    let mut table = Table::new("\n| card beside phones | caught | recall |");
    recall_rows(
        &mut table,
        n,
        policies,
        2038,
        corpus::phones::RECALL,
        wanted,
    );
}

/// Cards, usernames and addresses hidden where the scan of kept strings
/// alone would not see them (`corpus::hidden`): its own table.
fn hidden_classes(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    let mut table = Table::new("\n| hidden class | caught | recall |");
    recall_rows(
        &mut table,
        n,
        policies,
        2032,
        corpus::hidden::CLASSES,
        wanted,
    );
    table.all();
}

/// Custom inputs typed in the policy (`corpus::PolicyKind::Typed`): the same
/// values with and without the type, and cards in the typed inputs.
fn typed_inputs(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    use corpus::PolicyKind;
    println!("\n| custom input typed in the policy | untyped | typed |");
    println!("|---|---|---|");
    for &(category, generate) in context::TYPED_OVERBLOCKING {
        if !wanted(category) {
            continue;
        }
        let untyped = corpus::flagged_count(policies, &mut Rng::new(2033), n, generate);
        let typed = corpus::flagged_count_under(
            policies,
            PolicyKind::Typed,
            &mut Rng::new(2033),
            n,
            generate,
        );
        println!(
            "| {category} (flagged) | {} | {} |",
            rate(untyped, n),
            rate(typed, n)
        );
    }
    let mut table = Table::new("\n| card class, typed custom input | caught | recall |");
    recall_rows(&mut table, n, policies, 2034, context::TYPED_RECALL, wanted);
}

/// The telephone rows of the realistic table (whose requests carry the
/// order's countries as shops send them) beside the same generators with
/// no country in the request (`context::NO_COUNTRY`): the realistic
/// categories are the first column.
fn no_country(n: usize, policies: &Policies, wanted: &dyn Fn(&str) -> bool) {
    println!("\n| telephone rows (flagged) | request with the order's countries | request with no country |");
    println!("|---|---|---|");
    for &(category, without) in context::NO_COUNTRY {
        if !wanted(category) {
            continue;
        }
        let Some(&(_, with)) = context::OVERBLOCKING.iter().find(|(c, _)| *c == category) else {
            continue;
        };
        let ordered = corpus::flagged_count(policies, &mut Rng::new(2035), n, with);
        let bare = corpus::flagged_count(policies, &mut Rng::new(2035), n, without);
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
