//! Recall and false positives of the detectors through the whole sanitizer,
//! on the generated corpora (`tests/corpus.rs`). The published figures come
//! from `cargo run --release --example pan_quality`, which runs larger corpora.

use crate::corpus::{self, Policies, Rng};

#[test]
fn every_leak_class_is_closed_in_every_generated_variant() {
    let policies = Policies::new();
    let mut rng = Rng::new(7);
    for class in corpus::LEAK_CLASSES {
        let n = 1_000;
        let leaked = (0..n)
            .filter(|_| !corpus::holds(&policies, corpus::leak_case(&mut rng, class)))
            .count();
        assert_eq!(leaked, 0, "{class}: {leaked} of {n} leaked");
    }
}

#[test]
fn realistic_non_pan_values_are_rarely_flagged() {
    let policies = Policies::new();
    let mut rng = Rng::new(11);
    let n = 2_000;
    let mut total = 0;
    for category in corpus::REALISTIC {
        let flagged = (0..n)
            .filter(|_| corpus::flagged(&policies, corpus::realistic(&mut rng, category).1))
            .count();
        assert!(flagged * 100 < n, "{category}: {flagged} of {n} flagged");
        total += flagged;
    }
    let all = n * corpus::REALISTIC.len();
    assert!(total * 1000 < all, "{total} of {all} flagged");
}

#[test]
fn long_numeric_ids_pass_far_more_often_than_not() {
    let policies = Policies::new();
    let mut rng = Rng::new(13);
    let n = 2_000;
    for category in corpus::LONG_IDS {
        let flagged = (0..n)
            .filter(|_| corpus::flagged(&policies, corpus::realistic(&mut rng, category).1))
            .count();
        assert!(flagged * 4 < n, "{category}: {flagged} of {n} flagged");
    }
}
