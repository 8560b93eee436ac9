//! Run with `cargo run --release --example detector_worst_case`
//!
//! Times the PAN detector on hostile 19 KB strings (just under minFraud's
//! 20,000-byte body limit), shaped to exercise each of its paths: exempt
//! spans (IPv6 groups, hash tokens, UUIDs, IBAN-like text), one long run of
//! single-digit groups, percent-encoding, punycode labels (one label of the
//! whole length, labels of the longest length decoded, short decodable
//! labels), and plain text as the peer.

use std::time::Instant;
use txveil::sanitize::pan::find_pans;

fn main() {
    let cases: Vec<(&str, String)> = vec![
        ("plain text (peer)", "the quick brown fox 12 ".repeat(820)),
        ("ipv6 groups", "1:a:".repeat(4750)),
        (
            "hash tokens",
            "abcdef0123456789abcdef0123456789 ".repeat(570),
        ),
        ("uuids", "c8ce89f9-734d-4411-a174-91560f5ec07a ".repeat(510)),
        ("iban-like", "DE89 3704 0044 0532 0130 00 ".repeat(680)),
        ("digits and spaces", "1 ".repeat(9500)),
        ("percent-encoded digits", "%34".repeat(6300)),
        ("one punycode label", format!("xn--{}", "a".repeat(18_996))),
        (
            "longest punycode labels",
            format!("xn--{} ", "a".repeat(249)).repeat(75),
        ),
        (
            "short punycode labels",
            "xn--9hbaaaaaaaaaaaaaa7a ".repeat(790),
        ),
    ];
    let rounds = 20;
    let mut peer = None;
    for (name, text) in cases {
        let started = Instant::now();
        let mut found = 0;
        for _ in 0..rounds {
            found += find_pans(&text).len();
        }
        let per_call = started.elapsed() / rounds;
        let peer = *peer.get_or_insert(per_call);
        println!(
            "{name:24} {:>6} bytes {:>10.3?} per call ({:.1}x plain text; {found} found)",
            text.len(),
            per_call,
            per_call.as_secs_f64() / peer.as_secs_f64()
        );
    }
}
