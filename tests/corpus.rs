//! Generated corpora for measuring the PAN detector: card numbers of every
//! brand range and length written in many formats and placed in many fields,
//! and realistic values that are not card numbers. Deterministic (seeded), so
//! figures are reproducible. Shared by `tests/pan_quality.rs` and
//! `examples/pan_quality.rs`.
#![allow(dead_code)] // each user takes a different part

use serde_json::{json, Value};

/// xorshift64*: small, seeded, good enough for test data.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub(crate) fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// (IIN prefix, PAN lengths) of the brands a detector must know.
pub(crate) const BRANDS: &[(&str, &[usize])] = &[
    ("4", &[13, 16, 19]), // Visa
    ("51", &[16]),        // Mastercard
    ("55", &[16]),
    ("2221", &[16]), // Mastercard 2-series
    ("2720", &[16]),
    ("34", &[15]), // American Express
    ("37", &[15]),
    ("6011", &[16, 19]), // Discover
    ("65", &[16]),
    ("644", &[16]),
    ("3528", &[16, 19]), // JCB
    ("3589", &[16]),
    ("62", &[16, 17, 18, 19]), // UnionPay
    ("36", &[14]),             // Diners
    ("300", &[14, 16]),
    ("38", &[16]),
    ("5018", &[16, 19]), // Maestro
    ("6759", &[16, 18, 19]),
    ("2200", &[16]), // Mir
    ("9792", &[16]), // Troy
    ("1", &[15]),    // UATP
    ("8171", &[16]), // UnionPay 81
];

/// A Luhn-valid PAN of a random brand and length.
pub(crate) fn pan(rng: &mut Rng) -> String {
    let (prefix, lengths) = *rng.pick(BRANDS);
    let len = *rng.pick(lengths);
    let mut body = format!("{prefix}{}", rng.digits(len - prefix.len() - 1));
    body.push(char::from(b'0' + luhn_check_digit(&body)));
    body
}

/// The digit that makes `body` + digit pass Luhn.
pub(crate) fn luhn_check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

const SEPARATORS: &[&str] = &[
    " ", "-", ".", "/", "_", "  ", " - ", "\u{a0}", "\u{2009}", "\u{202f}", "\u{3000}", "\u{2013}",
    "\u{2014}", "\u{2212}", "\u{ff0d}", "\t", "\n", "\r\n", ", ", ":", "|", "\u{200b}", "\u{2060}",
];
const ZEROS: &[u32] = &[
    0x30, 0xFF10, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x1D7CE, 0x1D7EC, 0x1040,
];

fn in_script(s: &str, zero: u32) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(zero + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// `pan` written in a random format: grouping, separators, digit script,
/// invisible characters, and surrounding text.
pub(crate) fn format_pan(rng: &mut Rng, pan: &str) -> String {
    let digits: Vec<char> = pan.chars().collect();
    let groups: Vec<usize> = match rng.below(6) {
        0 => vec![pan.len()],
        1 => vec![4; pan.len().div_ceil(4)],
        2 if pan.len() == 15 => vec![4, 6, 5],
        3 => vec![1; pan.len()],
        4 => vec![6, pan.len() - 10, 4],
        _ => {
            let mut v = vec![];
            let mut left = pan.len();
            while left > 0 {
                let g = (1 + rng.below(6)).min(left);
                v.push(g);
                left -= g;
            }
            v
        }
    };
    let sep = *rng.pick(SEPARATORS);
    let mut out = String::new();
    let mut at = 0;
    for (i, g) in groups.iter().enumerate() {
        let end = (at + g).min(digits.len());
        if i > 0 {
            out.push_str(sep);
        }
        for c in &digits[at..end] {
            out.push(*c);
            if rng.below(12) == 0 {
                out.push(*rng.pick(&['\u{200b}', '\u{200d}', '\u{feff}', '\u{ad}', '\u{fe0f}']));
            }
        }
        at = end;
    }
    if rng.below(3) == 0 {
        out = in_script(&out, *rng.pick(ZEROS));
    }
    match rng.below(7) {
        0 => format!("card {out} exp 12/29"),
        1 => format!("{out} 123"),
        2 => format!("Customer says: my number is {out}, please refund"),
        3 => format!("pan={out};"),
        4 => format!("[{out}]"),
        _ => out,
    }
}

/// Where a value is placed in a transaction request, with the path a
/// rejection must name.
pub(crate) fn place(rng: &mut Rng, value: &str, as_number: Option<u64>) -> (Value, String) {
    if let Some(n) = as_number {
        return match rng.below(2) {
            0 => (
                json!({"custom_inputs": {"note": n}}),
                "/custom_inputs/note".into(),
            ),
            _ => (
                json!({"order": {"amount": 10.0}, "custom_inputs": {"ref_no": n}}),
                "/custom_inputs/ref_no".into(),
            ),
        };
    }
    let spots: &[(&str, &str)] = &[
        ("billing", "address"),
        ("shipping", "address_2"),
        ("billing", "company"),
        ("device", "user_agent"),
        ("event", "transaction_id"),
        ("order", "discount_code"),
        ("payment", "decline_code"),
        ("credit_card", "bank_name"),
        ("account", "user_id"),
    ];
    match rng.below(spots.len() + 2) {
        i if i < spots.len() => {
            let (g, f) = spots[i];
            (json!({ g: { f: value } }), format!("/{g}/{f}"))
        }
        i if i == spots.len() => (
            json!({"shopping_cart": [{"item_id": "a1"}, {"category": value}]}),
            "/shopping_cart/1/category".into(),
        ),
        _ => (
            json!({"custom_inputs": {"gift_note": value}}),
            "/custom_inputs/gift_note".into(),
        ),
    }
}

/// The `i`-th recall case: a generated PAN placed in a request as text in a
/// random format (nine in ten) or as a JSON number, with the path a
/// rejection must name.
pub(crate) fn recall_case(rng: &mut Rng, i: usize) -> (Value, String) {
    let pan = pan(rng);
    if i.is_multiple_of(10) {
        place(rng, "", pan.parse().ok())
    } else {
        let text = format_pan(rng, &pan);
        place(rng, &text, None)
    }
}

/// Realistic values that are not card numbers, by category.
pub(crate) fn non_pans(rng: &mut Rng, category: &str) -> String {
    match category {
        "phone" => {
            let cc = *rng.pick(&[
                "1", "44", "49", "33", "61", "81", "86", "91", "55", "7", "353", "972",
            ]);
            match rng.below(6) {
                0 => format!("+{cc}{}", rng.digits(10)),
                1 => format!(
                    "+{cc} {} {} {}",
                    rng.digits(3),
                    rng.digits(3),
                    rng.digits(4)
                ),
                2 => format!(
                    "+{cc}-{}-{}-{}",
                    rng.digits(3),
                    rng.digits(3),
                    rng.digits(4)
                ),
                3 => format!("({}) {}-{}", rng.digits(3), rng.digits(3), rng.digits(4)),
                4 => format!(
                    "+{cc} ({}) {} {}",
                    rng.digits(2),
                    rng.digits(4),
                    rng.digits(4)
                ),
                _ => format!("00{cc} {} {}", rng.digits(4), rng.digits(6)),
            }
        }
        "timestamp" => {
            let y = 2000 + rng.below(30);
            let (mo, d, h, mi, s) = (
                1 + rng.below(12),
                1 + rng.below(28),
                rng.below(24),
                rng.below(60),
                rng.below(60),
            );
            match rng.below(6) {
                0 => format!(
                    "{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{}+00:00",
                    rng.digits(3)
                ),
                1 => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{}", rng.digits(6)),
                2 => format!("{}", 1_500_000_000 + rng.below(400_000_000)),
                3 => format!(
                    "{}{}",
                    1_500_000_000 + rng.below(400_000_000),
                    rng.digits(3)
                ),
                4 => format!(
                    "{}{}",
                    1_500_000_000 + rng.below(400_000_000),
                    rng.digits(6)
                ),
                _ => format!("{d:02}/{mo:02}/{y} {h:02}:{mi:02}:{s:02}"),
            }
        }
        "order_id" => match rng.below(6) {
            0 => format!("ORD-{}-{}", 2000 + rng.below(30), rng.digits(6)),
            1 => format!("txn{}", rng.digits(7)),
            2 => format!("#{}", 1000 + rng.below(900_000)),
            3 => format!("{}", 100_000 + rng.below(900_000_000)),
            4 => format!("INV/{}/{}", 2000 + rng.below(30), rng.digits(5)),
            _ => format!("{}-{}", rng.digits(3), rng.digits(7)),
        },
        "uuid" => {
            let hex = |rng: &mut Rng, n: usize| -> String {
                (0..n)
                    .map(|_| char::from(b"0123456789abcdef"[rng.below(16)]))
                    .collect()
            };
            format!(
                "{}-{}-4{}-{}{}-{}",
                hex(rng, 8),
                hex(rng, 4),
                hex(rng, 3),
                *rng.pick(&['8', '9', 'a', 'b']),
                hex(rng, 3),
                hex(rng, 12)
            )
        }
        "postal" => match rng.below(5) {
            0 => rng.digits(5),
            1 => format!("{}-{}", rng.digits(5), rng.digits(4)),
            2 => format!("SW{} {}AA", 1 + rng.below(20), rng.below(10)),
            3 => format!("K{}A {}B{}", rng.below(10), rng.below(10), rng.below(10)),
            _ => format!("{}-{}", rng.digits(3), rng.digits(4)),
        },
        "amount" => match rng.below(4) {
            0 => format!("{}.{:02}", rng.below(100_000), rng.below(100)),
            1 => format!(
                "{},{:03}.{:02}",
                1 + rng.below(999),
                rng.below(1000),
                rng.below(100)
            ),
            2 => format!(
                "${},{:03},{:03}.{:02}",
                1 + rng.below(99),
                rng.below(1000),
                rng.below(1000),
                rng.below(100)
            ),
            _ => format!("{} USD", rng.below(10_000_000)),
        },
        _ => String::new(),
    }
}

/// The categories of `non_pans`.
pub(crate) const NON_PAN_CATEGORIES: &[&str] =
    &["phone", "timestamp", "order_id", "uuid", "postal", "amount"];
