//! A card number with other digits beside it, in the same script or in
//! others (`9٣ 565432  12345  6789 ٣ß4٣٣`): the digits around a card add to
//! the value's count of digits and to its check digits, but never make the
//! card something else. Generated variants of every brand and length of the
//! table, in many layouts and separators, in every kept text field of both
//! endpoints. No card number is ever formatted into a message.

use crate::corpus::{self, Case, Expect, Policies, PolicyKind, Rng, BRANDS, ZEROS};
use serde_json::{json, Value};
use txveil::schema::Endpoint;

/// Text before the card: digits of one or more scripts, alone or with
/// letters, always apart from the card (digits glued to a card are another
/// shape, decided by context on purpose).
const BEFORE: &[&str] = &[
    "9\u{663} ",
    "93 ",
    "\u{663}\u{663} ",
    "92 ",
    "95 ",
    "9 ",
    "x9\u{663} ",
    "\u{96a}\u{968} ",
    "\u{ff19}\u{ff13} ",
    "12 ",
    "0 ",
    "420 ",
    "ß4\u{663} ",
    "4 ",
    "9400 ",
    "",
];

/// Text after the card.
const AFTER: &[&str] = &[
    " \u{663}ß4\u{663}\u{663}",
    " 3433",
    " \u{663}",
    " 3",
    " \u{663}\u{663} \u{663}",
    " 12/29",
    " ß4",
    " \u{96a}",
    " 34",
    " 3 4",
    " 00",
    " 123",
    " ß 7 ß 8",
    "",
];

/// The layouts of a card of `n` digits: its group lengths.
fn layouts(n: usize) -> Vec<(&'static str, Vec<usize>)> {
    let mut out = vec![("plain", vec![n])];
    let mut fours = vec![4; n / 4];
    if !n.is_multiple_of(4) {
        fours.push(n % 4);
    }
    out.push(("fours", fours));
    if (14..=15).contains(&n) {
        out.push(("4-6-rest", vec![4, 6, n - 10]));
    }
    if n > 10 {
        out.push(("6-middle-4", vec![6, n - 10, 4]));
        out.push(("6-5-rest", vec![6, 5, n - 11]));
    }
    out.push(("6-rest", vec![6, n - 6]));
    out
}

/// `card` in groups of `sizes` joined by `sep`.
fn grouped(card: &str, sizes: &[usize], sep: &str) -> String {
    let mut at = 0;
    let mut groups = Vec::new();
    for &g in sizes {
        groups.push(&card[at..at + g]);
        at += g;
    }
    groups.join(sep)
}

/// Every kept text field of a transaction (with the path a rejection
/// names), then the report's.
fn placed(i: usize, value: &str) -> (Value, Endpoint, String) {
    let fields = corpus::TEXT_FIELDS;
    let report = corpus::REPORT_TEXT_FIELDS;
    let extra = ["custom_inputs", "cart category", "cart item_id"];
    let n = fields.len() + extra.len() + report.len();
    match i % n {
        k if k < fields.len() => {
            let (g, f) = fields[k];
            let mut request = json!({"order": {"amount": 10.5, "currency": "USD"}});
            request[g][f] = json!(value);
            (request, Endpoint::Transaction, format!("/{g}/{f}"))
        }
        k if k == fields.len() => (
            json!({"custom_inputs": {"gift_note": value}}),
            Endpoint::Transaction,
            "/custom_inputs/gift_note".into(),
        ),
        k if k == fields.len() + 1 => (
            json!({"shopping_cart": [{"item_id": "a1"}, {"category": value}]}),
            Endpoint::Transaction,
            "/shopping_cart/1/category".into(),
        ),
        k if k == fields.len() + 2 => (
            json!({"shopping_cart": [{"item_id": value, "quantity": 1}]}),
            Endpoint::Transaction,
            "/shopping_cart/0/item_id".into(),
        ),
        k => {
            let f = report[k - fields.len() - extra.len()];
            (
                json!({"ip_address": "81.2.69.160", "tag": "chargeback", f: value}),
                Endpoint::Report,
                format!("/{f}"),
            )
        }
    }
}

/// Every digit of `text` in any script, as ASCII.
fn folded(text: &str) -> String {
    text.chars()
        .filter_map(txveil::sanitize::pan::digit_value)
        .map(|d| char::from(b'0' + d))
        .collect()
}

#[test]
fn cards_beside_digits_of_any_script_are_found_in_every_kept_field() {
    let policies = Policies::new();
    let mut rng = Rng::new(0x0932_0015);
    let separators: Vec<&str> = corpus::SEPARATORS.to_vec();
    let (mut cases, mut missed) = (0, Vec::new());
    let mut field = 0;
    for &(prefix, lengths) in BRANDS {
        for &len in lengths {
            for (layout, sizes) in layouts(len) {
                // Every text before with one after, and every text after
                // with one before.
                let mut pairs = Vec::new();
                for &b in BEFORE {
                    pairs.push((b, *rng.pick(AFTER)));
                }
                for &a in AFTER {
                    pairs.push((*rng.pick(BEFORE), a));
                }
                for (before, after) in pairs {
                    let card = corpus::pan_of(&mut rng, prefix, len);
                    let sep = *rng.pick(&separators);
                    let mut written = grouped(&card, &sizes, sep);
                    if rng.chance(3) {
                        written = corpus::in_script(&written, *rng.pick(ZEROS));
                    }
                    let text = format!("{before}{written}{after}");
                    field += 1;
                    let (request, endpoint, path) = placed(field, &text);
                    cases += 1;
                    let case = Case {
                        request: request.clone(),
                        endpoint,
                        policy: PolicyKind::Default,
                        expect: Expect::Rejected("PAN_DETECTED", path.clone()),
                    };
                    let redacted =
                        txveil::sanitize_value(policies.get(PolicyKind::Redact), endpoint, request);
                    let leaked = redacted.is_ok_and(|s| folded(&s.to_json()).contains(&card));
                    if !corpus::holds(&policies, case) || leaked {
                        missed.push(format!(
                            "brand {prefix}, {len} digits, {layout}, separator {:?}, \
                             before {before:?}, after {after:?}, {path}",
                            sep
                        ));
                    }
                }
            }
        }
    }
    assert!(cases > 8_000, "{cases}");
    assert!(
        missed.is_empty(),
        "{} of {cases} forwarded:\n{}",
        missed.len(),
        missed.join("\n")
    );
}
