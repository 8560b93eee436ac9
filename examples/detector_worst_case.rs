//! Run with `cargo run --release --example detector_worst_case [NAME]`
//! (with `NAME`, only the cases whose name holds it, and their peer: for a
//! profiler). Each time is the fastest of several samples of the
//! processor time of calls (see `fastest`).
//!
//! Times the PAN detector on hostile 19 KB strings (just under minFraud's
//! 20,000-byte body limit), shaped to exercise each of its paths: exempt
//! spans (IPv6 groups, hash tokens, UUIDs, IBAN-like text), one long run of
//! single-digit groups, percent-encoding, punycode labels (one label of the
//! whole length, labels of the longest length decoded, short decodable
//! labels), and plain text as the peer. Then the whole scan (card numbers
//! and email addresses, as `sanitize` runs it on every kept string) on the
//! shapes an attacker would build against each reading and detector: the
//! email finder's domain literals and quoted local parts, open and closed,
//! long local parts and domains, bare at signs, addresses chained by their
//! domains, characters that show nothing; every text reading (escapes,
//! numeric and named references, percent-encoding, punycode labels,
//! quoted-printable, TAG characters, markup, reversal, numeric strokes);
//! base64 and hex runs, nested and in UTF-16; long digit runs, many short
//! groups with every kind of separator and script, `+` between digits, and
//! card-shaped windows that context decides. The peer is ordinary text of
//! the same size through the same scan; a second peer is shop notes of
//! the same size that hold numbers (dates, prices, an order number, a
//! telephone number). These go in a report's `notes` (free text without a
//! length limit, unlike a custom input's 255 characters), so that every
//! case runs the whole scan. Each shape is timed at about 19 KB, then 4
//! and 32 times longer (past the default body limit, through
//! `sanitize_request_limited`; the `GROWTH` environment variable sets the
//! last factor): each time against ordinary text of the same size, and
//! how many times the 19 KB time it takes (linear work: 4x and 32x).

use std::time::{Duration, Instant};
use txveil::sanitize::pan::find_pans;
use txveil::schema::Endpoint;

fn main() {
    let only = std::env::args().nth(1);
    let picked =
        |name: &str| name.contains("(peer)") || only.as_deref().is_none_or(|o| name.contains(o));
    // `PROFILE_SIZE=N detector_worst_case NAME`: each shape of the whole
    // scan whose name holds `NAME`, built at about `N` bytes, through one
    // call and nothing else (for a profiler, at two sizes).
    if let Some(size) = std::env::var("PROFILE_SIZE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        let only = only.unwrap_or_default();
        readings(&|name: &str| name.contains(&only), Some(size));
        return;
    }
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
    for (name, text) in cases.into_iter().filter(|(name, _)| picked(name)) {
        let mut found = 0;
        let per_call = fastest(rounds, || found += find_pans(&text).len());
        let peer = *peer.get_or_insert(per_call);
        println!(
            "{name:24} {:>6} bytes {:>10.3?} per call ({:.1}x plain text; {found} found)",
            text.len(),
            per_call,
            per_call.as_secs_f64() / peer.as_secs_f64()
        );
    }
    readings(&picked, None);
}

/// The time of one call of `f`: the fastest of `rounds` samples, the
/// least disturbed by other work on the machine. Where the processor time
/// of this thread can be read ([`cpu_time`]), each sample is that time
/// over as many calls as take [`SAMPLE`] of it, divided by their number:
/// a busy machine (other builds, another benchmark) then does not count
/// the time it holds the processor. Elsewhere, each sample is one call
/// on the wall clock.
/// `data` as a gzip member (RFC 1952), in base64.
fn gzip_base64(data: &[u8]) -> String {
    use base64::Engine as _;
    let mut member = vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3];
    member.extend(miniz_oxide::deflate::compress_to_vec(data, 9));
    member.extend([0u8; 8]);
    base64::engine::general_purpose::STANDARD.encode(member)
}

fn fastest(rounds: u32, mut f: impl FnMut()) -> Duration {
    if cpu_time().is_none() {
        return (0..rounds)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .min()
            .unwrap_or_default();
    }
    let now = || cpu_time().unwrap_or_default();
    // The clock is read after a batch of calls lasting about a millisecond,
    // so that reading it costs nothing next to them.
    let started = Instant::now();
    f();
    let once = started.elapsed().max(Duration::from_nanos(100));
    let batch = u32::try_from(Duration::from_millis(1).as_nanos() / once.as_nanos())
        .unwrap_or(1)
        .max(1);
    (0..rounds.clamp(1, 5))
        .map(|_| {
            let started = now();
            let mut calls = 0u32;
            while now().saturating_sub(started) < SAMPLE {
                for _ in 0..batch {
                    f();
                }
                calls += batch;
            }
            now().saturating_sub(started) / calls.max(1)
        })
        .min()
        .unwrap_or_default()
}

/// The processor time one sample of [`fastest`] takes: the kernel counts
/// it in ticks (4 ms here), so a sample of 100 ms is exact to a few per
/// cent.
const SAMPLE: Duration = Duration::from_millis(100);

/// The processor time of this thread so far (Linux:
/// `/proc/thread-self/schedstat`, in nanoseconds), or `None`.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// How many times longer each shape is built a second time, to show the
/// work grows linearly with the text (the `GROWTH` environment variable
/// sets another factor).
fn growth_factor() -> usize {
    std::env::var("GROWTH")
        .ok()
        .and_then(|g| g.parse().ok())
        .filter(|&g| g > 0)
        .unwrap_or(32)
}

/// Ordinary text through the whole scan, then the hostile shapes of the
/// other readings and the email finder.
/// With `profile_size`, each picked shape at that size through one call.
fn readings(picked: &dyn Fn(&str) -> bool, profile_size: Option<usize>) {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let policy = txveil::Policy::embedded_default().expect("the embedded policy");
    // Every shape at `size` bytes (about).
    let shapes = |size: usize| -> Vec<(&'static str, String)> {
        let fill = |unit: &str| unit.repeat(size / unit.len());
        vec![
            (
                "ordinary text (peer)",
                fill("Please leave the parcel at the back door, ring twice. "),
            ),
            // A second peer: notes as shops write them, with the numbers such
            // notes hold (order numbers, dates, prices, quantities, house
            // numbers, postcodes, a telephone number), which the pre-checks
            // cannot rule out without reading them.
            (
                "notes with numbers (peer)",
                fill(
                    "Order 4471 of 2024-03-18: 2 x shirts at $19.99, 1 x cap at 7.50 EUR; \
                 ship to 221B Baker St, London NW1 6XE, call 020 7946 0958 after 5pm. ",
                ),
            ),
            // The email finder: brackets and quotes that never close, at
            // signs with long local parts or long domains before the next
            // one, addresses chained by their domains (`a@bc.de@bc.de...`:
            // every one overlaps the one before), characters that show
            // nothing inside.
            ("open domain literals", fill("a@[")),
            ("open literals, digits", fill("a@[1.2.3.")),
            ("closed domain literals", fill("a@[1.2.3.4] ")),
            ("open quoted local parts", fill("\\\"@")),
            ("closed quoted local parts", fill("\"a b\"@x.yz ")),
            ("long local part", format!("{}@", "a".repeat(size - 1))),
            ("long domain", format!("a@{}", "a.".repeat(size / 2 - 1))),
            ("at signs only", fill("@")),
            ("at signs and dots", fill("a@b.")),
            ("chained addresses", fill("a@bc.de@bc.de")),
            ("invisible in addresses", fill("a\u{200B}@b\u{200B}.cd ")),
            ("fullwidth at signs", fill("a\u{FF20}b.cd ")),
            // Every text reading: escapes, references, percent-encoding,
            // punycode, quoted-printable, TAG characters, markup, reversal,
            // numeric strokes read as dashes.
            ("unicode escapes", fill("\\u0034")),
            ("hex escapes", fill("\\x34")),
            ("escapes encoded twice", fill("\\\\u0034")),
            ("references", fill("&#52;")),
            ("hex references", fill("&#x34;")),
            ("references, no ;", fill("&#52")),
            ("double-escaped refs", fill("&amp;#52;")),
            ("named references", fill("&commat;")),
            ("percent-encoded digits", fill("%34")),
            ("percent-u escapes", fill("%u0034")),
            ("percent, three rounds", fill("%252534")),
            ("punycode label", format!("xn--{}", "a".repeat(size - 4))),
            (
                "longest punycode labels",
                fill(&format!("xn--{} ", "a".repeat(249))),
            ),
            ("short punycode labels", fill("xn--9hbaaaaaaaaaaaaaa7a ")),
            ("open markup tags", fill("<a ")),
            ("markup around digits", fill("<b>4</b>")),
            ("markup breaks", fill("4<wbr>")),
            ("quoted-printable", fill("=34")),
            ("qp soft breaks", fill("4=\r\n")),
            ("tag characters", "\u{E0034}".repeat(size / 4)),
            ("reversed digits", fill("4 \u{202E}")),
            ("bidi override and digits", fill("\u{202E}41")),
            (
                "rtf escapes",
                format!("{{\\rtf1\\ansicpg932\\uc2 {}", fill("\\u-239\\'82\\'50")),
            ),
            ("numeric strokes", fill("4\u{4E00}")),
            ("octal escapes", fill("\\064")),
            ("brace escapes", fill("\\x{34}")),
            ("named escapes", fill("\\N{DIGIT FOUR}")),
            (
                "open named escapes",
                fill("\\N{DIGIT FOURTEEN AND MORE WORDS "),
            ),
            // Binary readings: base64 and hex text, binary readings of
            // binary readings, and UTF-16: every level and every UTF-16
            // alignment holds text.
            (
                "base64 text",
                b64.encode("the digits 4 1 1 1 and text ".repeat(size / 40)),
            ),
            ("base64 alphabet", fill("Ab0+")),
            ("base64 of letters", fill("QUFB")),
            ("hex text", fill("34313131")),
            (
                "utf-16 base64 text",
                b64.encode(
                    "the digits 4 1 1 1 and text "
                        .repeat(size / 80)
                        .encode_utf16()
                        .flat_map(u16::to_le_bytes)
                        .collect::<Vec<u8>>(),
                ),
            ),
            ("utf-16 hex text", fill("3400310031003100")),
            ("hex of base64", fill("4e4445784d54457a")),
            (
                "base64 of hex",
                b64.encode(fill("34313131").get(..size * 3 / 4).unwrap_or_default()),
            ),
            (
                "base64 of base64",
                b64.encode(b64.encode("the digits 4 1 1 1 and text ".repeat(size / 60))),
            ),
            // Compressed streams: a bomb (zeros inflating to the bound),
            // and many small members, each a run of its own.
            ("gzip bomb in base64", {
                let bomb = gzip_base64(&vec![b'4'; 64 << 20]);
                bomb.get(..size).unwrap_or(&bomb).to_owned()
            }),
            (
                "gzip bombs in base64",
                fill(&format!("{} ", gzip_base64(&vec![b'4'; 1 << 20]))),
            ),
            (
                "gzip members in base64",
                fill(&format!("{} ", gzip_base64(b"the digits 4 1 1 1 and text"))),
            ),
            // Digits: one long run, runs of many short groups with every
            // kind of separator, digits of other scripts, and card-shaped
            // windows whose shape context decides, one after another (each
            // is weighed against the text around it).
            ("one digit run", "1234567890".repeat(size / 10)),
            ("plus between digits", fill("1+")),
            ("single-digit groups", fill("4 ")),
            ("two-digit groups", fill("41 ")),
            ("dashed groups", fill("4-")),
            ("dotted groups", fill("41.")),
            ("slashed groups", fill("4/")),
            ("mixed separators", fill("4 -1./")),
            ("wide gaps", fill("4 - . ")),
            ("no-break spaces", fill("4\u{A0}")),
            ("arabic-indic groups", fill("\u{664} ")),
            ("fullwidth groups", fill("\u{FF14}\u{FF0D}")),
            (
                "mixed script digits",
                fill("4\u{661}\u{6F2}\u{969}\u{FF14}\u{9E7}"),
            ),
            ("glued card windows", fill("x41111111111111111234 ")),
            ("decimal card windows", fill("7.4111111111111111; ")),
            ("digits after +", fill("+4111111111111111 ")),
            ("bracketed windows", fill("(1) 4111 1111 1111 1111 x ")),
            ("card layouts", fill("4111 1111 1111 1111 ")),
            // EMV QR payloads whose CRC holds, each beside a card: every
            // card is weighed against the payloads.
            (
                "emv payloads and cards",
                fill(&format!("{} 4111111111111111 ", emv_payload())),
            ),
        ]
    };
    if let Some(size) = profile_size {
        for (name, text) in shapes(size).into_iter().filter(|(name, _)| picked(name)) {
            let body =
                serde_json::json!({"ip_address": "81.2.69.160", "tag": "not_fraud", "notes": text})
                    .to_string();
            // `PROFILE_CALLS` calls (1 unless set), the fastest shown.
            let calls = std::env::var("PROFILE_CALLS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            let mut forwarded = true;
            let took = fastest(calls, || {
                forwarded = txveil::sanitize_request_limited(
                    &policy,
                    Endpoint::Report,
                    body.as_bytes(),
                    body.len(),
                )
                .is_ok();
            });
            println!(
                "{name}: {} bytes, {took:?} ({})",
                body.len(),
                if forwarded { "forwarded" } else { "refused" }
            );
        }
        return;
    }
    let size = 19_000;
    let factors = [1, 4, growth_factor()];
    let built: Vec<Vec<(&str, String)>> = factors.iter().map(|f| shapes(f * size)).collect();
    // A report's `notes` is free text of any length: every case meets the
    // whole scan, none is refused for its size.
    let body_of = |text: &str| {
        serde_json::json!({
            "ip_address": "81.2.69.160",
            "tag": "not_fraud",
            "notes": text,
        })
        .to_string()
    };
    let rounds = 20;
    // Ordinary text and the notes with numbers at each size.
    let mut peers: Vec<Option<Duration>> = vec![None; factors.len()];
    let mut numbers_peer = None;
    let mut worst = vec![(0.0f64, ""); factors.len()];
    let mut worst_shape = Duration::ZERO;
    let mut growth_worst = (0.0f64, "");
    println!(
        "{:26} {:>7} {:>22} {:>22} {:>22}",
        "shape (whole scan)",
        "bytes",
        "1x: per call (x ord.)",
        format!("{}x: (x ord.) growth", factors[1]),
        format!("{}x: (x ord.) growth", factors[2]),
    );
    for (k, (name, _)) in built[0].iter().enumerate() {
        if !picked(name) {
            continue;
        }
        let mut refused = Vec::new();
        let mut times = Vec::with_capacity(factors.len());
        for (f, shapes) in built.iter().enumerate() {
            let body = body_of(&shapes[k].1);
            // The shape past the default body limit: linear work grows as
            // many times as the text.
            let per_call = fastest(if f == 0 { rounds } else { rounds / 4 }, || {
                if let Err(r) = txveil::sanitize_request_limited(
                    &policy,
                    Endpoint::Report,
                    body.as_bytes(),
                    body.len(),
                ) {
                    if f == 0 {
                        refused.push(r.code());
                    }
                }
            });
            times.push(per_call);
        }
        let mut cells = Vec::new();
        for (f, &t) in times.iter().enumerate() {
            let peer = *peers[f].get_or_insert(t);
            let ratio = t.as_secs_f64() / peer.as_secs_f64();
            if !name.contains("(peer)") && ratio > worst[f].0 {
                worst[f] = (ratio, name);
            }
            cells.push(if f == 0 {
                format!("{t:>10.3?} ({ratio:>6.1}x)")
            } else {
                let growth = t.as_secs_f64() / times[0].as_secs_f64();
                format!("({ratio:>6.1}x) {growth:>6.1}x")
            });
        }
        let growth = times[2].as_secs_f64() / times[0].as_secs_f64() / factors[2] as f64;
        if growth > growth_worst.0 {
            growth_worst = (growth, name);
        }
        if name.starts_with("notes with numbers") {
            numbers_peer = Some(times[0]);
        } else if !name.contains("(peer)") {
            worst_shape = worst_shape.max(times[0]);
        }
        refused.dedup();
        println!(
            "{name:26} {:>7} {:>22} {:>22} {:>22}{}",
            body_of(&built[0][k].1).len(),
            cells[0],
            cells[1],
            cells[2],
            match refused.as_slice() {
                [] => String::new(),
                codes => format!("  refused: {}", codes.join(", ")),
            }
        );
    }
    for (f, (ratio, name)) in worst.iter().enumerate() {
        println!(
            "worst at {}x the size: {ratio:.1}x ordinary text ({name})",
            factors[f]
        );
    }
    println!(
        "worst growth: {:.2} times linear for {}x the text ({})",
        growth_worst.0, factors[2], growth_worst.1
    );
    if let Some(numbers) = numbers_peer {
        println!(
            "worst: {:.1}x notes with numbers",
            worst_shape.as_secs_f64() / numbers.as_secs_f64()
        );
    }
}

/// The shortest EMV merchant-presented QR payload whose CRC holds: the
/// format indicator and the CRC element (CRC-16/CCITT-FALSE of all before
/// its value).
fn emv_payload() -> String {
    let head = "0002016304";
    let mut crc = 0xFFFFu16;
    for &b in head.as_bytes() {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                crc << 1 ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    format!("{head}{crc:04X}")
}
