//! Recall and false positives of the PAN detector through the whole sanitizer,
//! on generated corpora (`tests/corpus.rs`). The published figures come from
//! `cargo run --release --example pan_quality`, which runs larger corpora.

use crate::corpus::{self, Rng};
use txveil::schema::Endpoint;
use txveil::{sanitize_value, Policy};

#[test]
fn finds_every_generated_pan_in_every_format_and_placement() {
    let policy = Policy::embedded_default().unwrap();
    let mut rng = Rng::new(7);
    let mut missed = 0;
    let n = 5_000;
    for i in 0..n {
        let (request, path) = corpus::recall_case(&mut rng, i);
        match sanitize_value(&policy, Endpoint::Transaction, request) {
            Err(r) if r.code() == "PAN_DETECTED" && r.path.to_string() == path => {}
            _ => missed += 1,
        }
    }
    assert_eq!(missed, 0, "missed {missed} of {n}");
}

#[test]
fn flags_none_of_the_realistic_non_pan_values() {
    let mut rng = Rng::new(11);
    for category in corpus::NON_PAN_CATEGORIES {
        let flagged = (0..5_000)
            .filter(|_| txveil::sanitize::pan::contains_pan(&corpus::non_pans(&mut rng, category)))
            .count();
        assert_eq!(flagged, 0, "{category}: {flagged} of 5000 flagged");
    }
}
