//! Generated corpora for measuring the detectors: card numbers of every brand
//! range and length written in every leak class's forms and placed in every
//! kind of field of both endpoints, and realistic values that are not card
//! numbers. Deterministic (seeded), so figures are reproducible. Shared by
//! `tests/pan_quality.rs`, `tests/properties.rs` and `examples/pan_quality.rs`.
#![allow(dead_code)] // each user takes a different part
#![allow(clippy::unwrap_used)] // test data: a failed unwrap is a broken generator

use serde_json::{json, Value};

#[path = "corpus_accounts.rs"]
pub(crate) mod accounts;
#[path = "corpus_context.rs"]
pub(crate) mod context;
#[path = "corpus_hidden.rs"]
pub(crate) mod hidden;
#[path = "corpus_nid.rs"]
pub(crate) mod nid;
#[path = "corpus_phones.rs"]
pub(crate) mod phones;
#[path = "corpus_refs.rs"]
pub(crate) mod refs;
use txveil::schema::Endpoint;
use txveil::Policy;

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
    pub(crate) fn range(&mut self, from: usize, to_inclusive: usize) -> usize {
        from + self.below(to_inclusive - from + 1)
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub(crate) fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
    pub(crate) fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16)]))
            .collect()
    }
    pub(crate) fn digits_between(&mut self, from: usize, to_inclusive: usize) -> String {
        let n = self.range(from, to_inclusive);
        self.digits(n)
    }
    pub(crate) fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

// === Card numbers ===

/// (IIN prefix, PAN lengths) of the brands a detector must know, from the
/// published ranges (see `src/sanitize/pan/brand.rs` for the sources).
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
    ("3088", &[16]), // JCB ranges on the Discover network
    ("3337", &[16, 19]),
    ("3528", &[16, 19]), // JCB
    ("3589", &[16]),
    ("2131", &[15]), // JCB legacy
    ("1800", &[15]),
    ("62", &[16, 17, 18, 19]), // UnionPay
    ("36", &[14]),             // Diners
    ("300", &[14, 16]),
    ("38", &[16]),
    ("5018", &[12, 13, 14, 15, 16, 19]), // Maestro
    ("5012", &[12, 13, 14, 15]),
    ("56", &[12, 13, 14, 15, 16]),
    ("6304", &[12, 13, 14, 15, 16]),
    ("6759", &[12, 15, 16, 18, 19]),
    ("2200", &[16]), // Mir
    ("9792", &[16]), // Troy
    ("8600", &[16]), // Uzcard
    ("9860", &[16]), // Humo
    ("9112", &[16]), // Belkart
    ("9804", &[16]), // Prostir
    ("9360", &[16]), // GPN
    ("1", &[15]),    // UATP
    ("8171", &[16]), // UnionPay 81
];

/// A Luhn-valid PAN with `prefix` and `len` digits.
pub(crate) fn pan_of(rng: &mut Rng, prefix: &str, len: usize) -> String {
    let mut body = format!("{prefix}{}", rng.digits(len - prefix.len() - 1));
    body.push(char::from(b'0' + luhn_check_digit(&body)));
    body
}

/// A Luhn-valid PAN of a random brand and length.
pub(crate) fn pan(rng: &mut Rng) -> String {
    let (prefix, lengths) = *rng.pick(BRANDS);
    let len = *rng.pick(lengths);
    pan_of(rng, prefix, len)
}

/// A PAN whose brand does not start with `1` (airline numbers are only found
/// whole; see the detector's documentation).
fn pan_not_airline(rng: &mut Rng) -> String {
    loop {
        let p = pan(rng);
        if !p.starts_with('1') {
            return p;
        }
    }
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

pub(crate) fn luhn_ok(digits: &str) -> bool {
    let (body, last) = digits.split_at(digits.len() - 1);
    luhn_check_digit(body) == last.as_bytes()[0] - b'0'
}

/// Splits `s` into groups: whole, fours, Amex/Diners layout, single digits,
/// BIN-middle-last, or random sizes.
pub(crate) fn groups_of(rng: &mut Rng, s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let sizes: Vec<usize> = match rng.below(6) {
        0 => vec![n],
        1 => vec![4; n.div_ceil(4)],
        2 if n == 15 => vec![4, 6, 5],
        3 => vec![1; n],
        4 if n > 10 => vec![6, n - 10, 4],
        _ => {
            let mut v = vec![];
            let mut left = n;
            while left > 0 {
                let g = (1 + rng.below(6)).min(left);
                v.push(g);
                left -= g;
            }
            v
        }
    };
    let mut out = Vec::new();
    let mut at = 0;
    for g in sizes {
        let end = (at + g).min(n);
        if at < end {
            out.push(chars[at..end].iter().collect());
        }
        at = end;
    }
    out
}

pub(crate) const SEPARATORS: &[&str] = &[
    " ", "-", ".", "/", "_", "  ", " - ", "\u{a0}", "\u{2009}", "\u{202f}", "\u{3000}", "\u{2013}",
    "\u{2014}", "\u{2212}", "\u{ff0d}", "\t", "\n", "\r\n", ", ", ":", "|", "\u{200b}", "\u{2060}",
];

/// Separators outside the usual list (issue 8, item 1).
const ODD_SEPARATORS: &[&str] = &[
    ";",
    "*",
    "#",
    "=",
    "'",
    "\"",
    "`",
    "~",
    "^",
    "!",
    "?",
    "&",
    "$",
    "<",
    ">",
    "[",
    "]",
    "{",
    "}",
    "+",
    "@",
    "%",
    "\u{066C}",
    "\u{066B}",
    "\u{3001}",
    "\u{2044}",
    "\u{ff1b}",
    "\u{ff0a}",
    "\u{ff03}",
    "\u{ff1d}",
    "\u{00b7}",
    "\u{2022}",
    "\u{30fb}",
    "\u{30fc}",
    "\u{2019}",
    "\u{02bc}",
    "\u{00b4}",
    "\u{2032}",
    "\u{00a6}",
    "\u{2016}",
    "\u{00a7}",
    "\u{2192}",
    "\u{2605}",
    "    ",
    "      ",
    "\u{3000}\u{3000}\u{3000}",
    " ; ",
    " * ",
    "\u{2028}",
    "\u{2029}",
];

/// Control and blank-looking characters (issue 8, item 3).
const BLANKS: &[&str] = &[
    "\0",
    "\u{1}",
    "\u{1f}",
    "\u{7f}",
    "\u{80}",
    "\u{85}",
    "\u{9f}",
    "\u{3164}",
    "\u{ffa0}",
    "\u{115f}",
    "\u{1160}",
    "\u{2800}",
    "\u{e000}",
    "\u{f8ff}",
    "\u{f0000}",
    "\u{180e}",
];

const INVISIBLE: &[char] = &[
    '\u{200b}', '\u{200d}', '\u{feff}', '\u{ad}', '\u{fe0f}', '\u{2063}',
];

pub(crate) const ZEROS: &[u32] = &[
    0x30, 0xFF10, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x1D7CE, 0x1D7EC, 0x1040, 0x0BE6, 0x1810,
];

pub(crate) fn in_script(s: &str, zero: u32) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(zero + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// Digit forms NFKC does not fold (issue 8, item 6).
fn unfolded_digit(d: u32, form: usize) -> char {
    let c = match (form, d) {
        (0, 0) => 0x24FF,     // negative circled zero
        (0, _) => 0x2775 + d, // dingbat negative circled
        (1, 0) => 0x1F10B,    // dingbat circled sans-serif zero
        (1, _) => 0x277F + d, // dingbat circled sans-serif
        (2, 0) => 0x1F10C,    // negative circled sans-serif zero
        (2, _) => 0x2789 + d, // dingbat negative circled sans-serif
        (3, 0) => 0x24FF,     // (no double circled zero)
        (3, _) => 0x24F4 + d, // double circled
        _ => [
            0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D,
        ][d as usize],
    };
    char::from_u32(c).unwrap()
}

fn join(groups: &[String], sep: &str) -> String {
    groups.join(sep)
}

/// `pan` written in a random ordinary format: grouping, separators, digit
/// script, invisible characters, and surrounding text.
pub(crate) fn format_pan(rng: &mut Rng, pan: &str) -> String {
    let groups = groups_of(rng, pan);
    let sep = *rng.pick(SEPARATORS);
    let mut out = String::new();
    for (i, g) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        for c in g.chars() {
            out.push(c);
            if rng.chance(12) {
                out.push(*rng.pick(INVISIBLE));
            }
        }
    }
    if rng.chance(3) {
        out = in_script(&out, *rng.pick(ZEROS));
    }
    surround(rng, &out)
}

fn surround(rng: &mut Rng, s: &str) -> String {
    match rng.below(9) {
        0 => format!("card {s} exp 12/29"),
        1 => format!("{s} 123"),
        2 => format!("Customer says: my number is {s}, please refund"),
        3 => format!("pan={s};"),
        4 => format!("[{s}]"),
        5 => format!("\"{s}\""),
        6 => format!("order 88812 paid with {s}"),
        _ => s.to_owned(),
    }
}

// === Placement ===

/// Free-text fields of the transaction endpoints: (group, field).
pub(crate) const TEXT_FIELDS: &[(&str, &str)] = &[
    ("billing", "first_name"),
    ("billing", "last_name"),
    ("billing", "company"),
    ("billing", "address"),
    ("billing", "address_2"),
    ("billing", "city"),
    ("billing", "postal"),
    ("billing", "phone_number"),
    ("shipping", "address"),
    ("shipping", "address_2"),
    ("shipping", "company"),
    ("shipping", "phone_number"),
    ("device", "user_agent"),
    ("device", "accept_language"),
    ("device", "session_id"),
    ("device", "tracking_token"),
    ("event", "transaction_id"),
    ("event", "shop_id"),
    ("account", "user_id"),
    ("payment", "decline_code"),
    ("credit_card", "bank_name"),
    ("credit_card", "bank_phone_number"),
    ("order", "discount_code"),
    ("order", "affiliate_id"),
    ("order", "subaffiliate_id"),
];

/// Free-text fields of Report Transaction.
pub(crate) const REPORT_TEXT_FIELDS: &[&str] = &["notes", "chargeback_code", "transaction_id"];

/// Where a value is placed in a transaction request, with the path a
/// rejection must name.
pub(crate) fn place(rng: &mut Rng, value: &str, as_number: Option<u64>) -> (Value, String) {
    if let Some(n) = as_number {
        return place_number(rng, json!(n));
    }
    match rng.below(TEXT_FIELDS.len() + 4) {
        i if i < TEXT_FIELDS.len() => {
            let (g, f) = TEXT_FIELDS[i];
            let mut request = json!({"order": {"amount": 10.5, "currency": "USD"}});
            request[g][f] = json!(value);
            (request, format!("/{g}/{f}"))
        }
        i if i == TEXT_FIELDS.len() => (
            json!({"shopping_cart": [{"item_id": "a1"}, {"category": value}]}),
            "/shopping_cart/1/category".into(),
        ),
        i if i == TEXT_FIELDS.len() + 1 => (
            json!({"shopping_cart": [{"item_id": value, "quantity": 1}]}),
            "/shopping_cart/0/item_id".into(),
        ),
        i if i == TEXT_FIELDS.len() + 2 => (
            json!({"order": {"referrer_uri": format!("https://shop.example/r?ref={value}")}}),
            "/order/referrer_uri".into(),
        ),
        _ => (
            json!({"custom_inputs": {"gift_note": value}}),
            "/custom_inputs/gift_note".into(),
        ),
    }
}

fn place_number(rng: &mut Rng, n: Value) -> (Value, String) {
    match rng.below(4) {
        0 => (
            json!({"custom_inputs": {"note": n}}),
            "/custom_inputs/note".into(),
        ),
        1 => (
            json!({"order": {"amount": n, "currency": "USD"}}),
            "/order/amount".into(),
        ),
        2 => (
            json!({"shopping_cart": [{"item_id": "x", "price": n}]}),
            "/shopping_cart/0/price".into(),
        ),
        _ => (
            json!({"device": {"session_age": n}}),
            "/device/session_age".into(),
        ),
    }
}

/// A leak case: the request, its endpoint, the policy it runs under, and what
/// must hold.
pub(crate) struct Case {
    pub(crate) request: Value,
    pub(crate) endpoint: Endpoint,
    pub(crate) policy: PolicyKind,
    pub(crate) expect: Expect,
}

/// Which policy a case runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PolicyKind {
    /// The embedded default.
    Default,
    /// The default with `iin = 8` for `credit_card.number`.
    Iin8,
    /// The default with `on_pan = "redact"`.
    Redact,
    /// The default with custom inputs typed: `alternate` a telephone number,
    /// `points` a number ([`TYPED_INPUTS`]).
    Typed,
}

/// The rules [`PolicyKind::Typed`] adds to the default policy.
pub(crate) const TYPED_INPUTS: &str =
    "\"custom_inputs.alternate\" = { action = \"keep\", type = \"phone\" }\n\
     \"custom_inputs.points\" = { action = \"keep\", type = \"number\" }\n";

/// What must be true of a case's outcome.
pub(crate) enum Expect {
    /// Rejected with this code at this path.
    Rejected(&'static str, String),
    /// Forwarded with `issuer_id_number` + `last_digits` hiding at least this
    /// many digits of a PAN of `len` digits, or rejected.
    Hides { len: usize, at_least: usize },
    /// Forwarded without this address anywhere (as written or
    /// percent-encoded), an MD5 in its place.
    HashedEmail { raw: String },
    /// Forwarded or rejected, with this text in no output, path or message.
    NeverShown(String),
    /// Forwarded with no empty group or cart item.
    NoEmptyGroups,
}

/// The leak classes of issue 8, with the number each case generator takes.
pub(crate) const LEAK_CLASSES: &[&str] = &[
    "1 odd separators",
    "2 percent and entity encoding",
    "3 control and blank characters",
    "4 glued and zero-padded",
    "5 brand-table gaps",
    "6 unfolded digit forms",
    "7 punycode",
    "8 truncated fields adding up",
    "9 iin=8 on short PANs",
    "10 uuid-shaped",
    "11 bidi reversed",
    "12 emails in kept fields",
    "13 caller-chosen keys",
    "14 emptied groups",
    "ordinary formats",
    "json numbers",
    "report endpoint",
];

fn rejected_pan(request: Value, path: String) -> Case {
    Case {
        request,
        endpoint: Endpoint::Transaction,
        policy: PolicyKind::Default,
        expect: Expect::Rejected("PAN_DETECTED", path),
    }
}

fn text_case(rng: &mut Rng, text: &str) -> Case {
    let (request, path) = place(rng, text, None);
    rejected_pan(request, path)
}

/// One case of leak class `class` (an entry of [`LEAK_CLASSES`]).
pub(crate) fn leak_case(rng: &mut Rng, class: &str) -> Case {
    match class {
        "1 odd separators" => {
            let p = pan(rng);
            let groups = groups_of(rng, &p);
            let text = if rng.chance(4) {
                // Mixed separators in the layout cards are printed in.
                let fours: Vec<String> = p
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                let mut s = fours[0].clone();
                for g in &fours[1..] {
                    let sep: &str = rng.pick::<&str>(ODD_SEPARATORS);
                    s.push_str(sep);
                    s.push_str(g);
                }
                s
            } else if rng.chance(5) && p.len() >= 13 {
                // Swiss thousands grouping.
                let head = p.len() % 3;
                let mut s = p[..head].to_owned();
                for chunk in p.as_bytes()[head..].chunks(3) {
                    if !s.is_empty() {
                        s.push('\'');
                    }
                    s.push_str(std::str::from_utf8(chunk).unwrap());
                }
                s
            } else {
                join(&groups, rng.pick::<&str>(ODD_SEPARATORS))
            };
            let text = if rng.chance(3) {
                in_script(&text, *rng.pick(ZEROS))
            } else {
                text
            };
            let text = surround(rng, &text);
            text_case(rng, &text)
        }
        "2 percent and entity encoding" => {
            let p = pan(rng);
            let groups = groups_of(rng, &p);
            let encoded = match rng.below(7) {
                0 => join(&groups, "%20"),
                1 => join(&groups, "%2D"),
                2 => join(&groups, "+"),
                3 => p.chars().map(|c| format!("%{:02X}", c as u32)).collect(),
                4 => p.chars().map(|c| format!("%25{:02x}", c as u32)).collect(),
                5 => p.chars().map(|c| format!("&#{};", c as u32)).collect(),
                _ => in_script(&p, 0xFF10)
                    .chars()
                    .map(|c| {
                        let mut b = [0u8; 4];
                        c.encode_utf8(&mut b)
                            .bytes()
                            .map(|x| format!("%{x:02X}"))
                            .collect::<String>()
                    })
                    .collect(),
            };
            let text = match rng.below(3) {
                0 => format!("https://pay.example/checkout?cc={encoded}&amount=10"),
                1 => format!("/callback?card_number={encoded}"),
                _ => encoded,
            };
            text_case(rng, &text)
        }
        "3 control and blank characters" => {
            let p = pan(rng);
            let blank = *rng.pick(BLANKS);
            let text = if rng.chance(2) {
                join(&groups_of(rng, &p), blank)
            } else {
                p.chars().map(|c| format!("{c}{blank}")).collect::<String>()
            };
            text_case(rng, &text)
        }
        "4 glued and zero-padded" => {
            let p = pan_not_airline(rng);
            let text = match rng.below(7) {
                0 => format!("{p}{}", rng.digits(3)),
                1 => format!("{p}{}", rng.digits(4)),
                2 => format!("{p}{:02}{:02}", rng.range(1, 12), rng.range(25, 35)),
                3 => format!("{}{p}", "0".repeat(rng.range(3, 24 - p.len().min(20)))),
                4 => format!("tok_{p}{}", rng.digits(1)),
                5 => format!("{p}{}", "0".repeat(rng.range(1, 6))),
                _ => format!("{}{p}{}", "0".repeat(rng.range(3, 4)), rng.digits(3)),
            };
            if rng.chance(5) {
                if let Ok(n) = format!("{p}{}", "0".repeat(rng.range(0, 6))).parse::<u128>() {
                    let v: Value = serde_json::from_str(&n.to_string()).unwrap();
                    let (request, path) = place_number(rng, v);
                    return rejected_pan(request, path);
                }
            }
            text_case(rng, &text)
        }
        "5 brand-table gaps" => {
            let gaps: &[(&str, &[usize])] = &[
                ("5012", &[12, 13, 14, 15]),
                ("5612", &[12, 13, 14, 15]),
                ("5018", &[12, 13]),
                ("6304", &[12, 13, 14, 15]),
                ("6759", &[12, 13, 14, 15]),
                ("6390", &[12, 14]),
                ("2131", &[15]),
                ("1800", &[15]),
                ("8600", &[16]),
                ("9860", &[16]),
                ("9112", &[16]),
                ("9804", &[16]),
                ("9360", &[16]),
                ("3088", &[16]),
                ("3094", &[16]),
                ("3337", &[16]),
                ("3349", &[16]),
            ];
            let (prefix, lengths) = *rng.pick(gaps);
            let len = *rng.pick(lengths);
            let p = pan_of(rng, prefix, len);
            let text = if rng.chance(2) {
                p
            } else {
                format_pan(rng, &p)
            };
            text_case(rng, &text)
        }
        "6 unfolded digit forms" => {
            let p = pan(rng);
            let form = rng.below(5);
            let text: String = p
                .chars()
                .map(|c| unfolded_digit(c.to_digit(10).unwrap(), form))
                .collect();
            let text = if rng.chance(3) {
                surround(rng, &text)
            } else {
                text
            };
            text_case(rng, &text)
        }
        "7 punycode" => {
            let p = pan(rng);
            let zero = *rng.pick(&[0x660u32, 0x6F0, 0x966, 0x9E6, 0xE50]);
            let label = in_script(&p, zero);
            if rng.chance(2) {
                Case {
                    request: json!({"email": {"address": format!("jane@{label}.com")}}),
                    endpoint: Endpoint::Transaction,
                    policy: PolicyKind::Default,
                    // Found in the address as sent, before it is hashed.
                    expect: Expect::Rejected("PAN_DETECTED", "/email/address".into()),
                }
            } else {
                let label = idna::punycode::encode_str(&label).unwrap();
                text_case(rng, &format!("https://xn--{label}.example/"))
            }
        }
        "8 truncated fields adding up" => {
            // Brands outside the five that may keep 8 + 4, on short PANs.
            let short: &[(&str, usize)] = &[
                ("5012", 12),
                ("5612", 13),
                ("6759", 14),
                ("6304", 15),
                ("378", 15),
                ("34", 15),
                ("36", 14),
                ("2131", 15),
                ("1800", 15),
            ];
            let (prefix, len) = *rng.pick(short);
            let p = pan_of(rng, prefix, len);
            let (iin, last) = (&p[..8], &p[len - 4..]);
            let legacy = rng.chance(3);
            let card = if legacy {
                json!({"issuer_id_number": iin, "last_4_digits": last})
            } else {
                json!({"issuer_id_number": iin, "last_digits": last})
            };
            Case {
                request: json!({"credit_card": card}),
                endpoint: Endpoint::Transaction,
                policy: PolicyKind::Default,
                expect: Expect::Hides {
                    len,
                    at_least: len - 10,
                },
            }
        }
        "9 iin=8 on short PANs" => {
            let prefix = *rng.pick(&["4", "5012", "5612", "6759", "34", "37", "36", "300", "2131"]);
            let len = match prefix {
                "4" => 13,
                "34" | "37" | "2131" => 15,
                "36" | "300" => 14,
                _ => rng.range(12, 15),
            };
            let p = pan_of(rng, prefix, len);
            let at_least = if len == 12 { 4 } else { len - 10 };
            Case {
                request: json!({"credit_card": {"number": format_digits_only(rng, &p)}}),
                endpoint: Endpoint::Transaction,
                policy: PolicyKind::Iin8,
                expect: Expect::Hides { len, at_least },
            }
        }
        "10 uuid-shaped" => {
            let p = pan(rng);
            let mut digits = p.clone();
            while digits.len() < 32 {
                digits.push(char::from(b'0' + rng.below(10) as u8));
            }
            let d = digits.as_bytes();
            let s = |r: std::ops::Range<usize>| std::str::from_utf8(&d[r]).unwrap().to_owned();
            let uuid = format!(
                "{}-{}-{}-{}-{}",
                s(0..8),
                s(8..12),
                s(12..16),
                s(16..20),
                s(20..32)
            );
            if rng.chance(2) {
                Case {
                    request: json!({"minfraud_id": uuid, "tag": "chargeback"}),
                    endpoint: Endpoint::Report,
                    policy: PolicyKind::Default,
                    expect: Expect::Rejected("PAN_DETECTED", "/minfraud_id".into()),
                }
            } else {
                text_case(rng, &uuid)
            }
        }
        "11 bidi reversed" => {
            let p = pan(rng);
            let reversed: String = p.chars().rev().collect();
            let control = *rng.pick(&["\u{202E}", "\u{2067}", "\u{200F}", "\u{202B}", "\u{2068}"]);
            let body = if rng.chance(2) {
                reversed
            } else {
                join(&groups_of(rng, &reversed), " ")
            };
            text_case(rng, &format!("{control}{body}\u{202C}"))
        }
        "12 emails in kept fields" => {
            let user = *rng.pick(&[
                "jane.doe",
                "JD88",
                "j.smith+shop",
                "müller",
                "o'brien",
                "x_y-z",
            ]);
            let domain = *rng.pick(&[
                "gmail.com",
                "Example.ORG",
                "mail.example.co.uk",
                "bücher.de",
                "yahoo.com",
            ]);
            let raw = format!("{user}{}@{domain}", rng.below(100));
            let written = match rng.below(4) {
                0 => raw.clone(),
                1 => format!("contact {raw} please"),
                2 => format!("https://shop.example/?email={}", raw.replace('@', "%40")),
                _ => format!("<{raw}>"),
            };
            let (request, _) = if rng.chance(3) {
                (json!({"account": {"user_id": written}}), String::new())
            } else {
                place(rng, &written, None)
            };
            Case {
                request,
                endpoint: Endpoint::Transaction,
                policy: PolicyKind::Default,
                expect: Expect::HashedEmail { raw },
            }
        }
        "13 caller-chosen keys" => {
            let key = match rng.below(4) {
                0 => format!("jane.doe{}@gmail.com", rng.below(100)),
                1 => format!("jd{}@mail.example", rng.digits(2)),
                2 => format!("Customer Name {}", rng.digits(3)),
                _ => format!("secret-{}", rng.hex(6)),
            };
            let request = match rng.below(3) {
                0 => json!({"billing": {key.clone(): "x"}}),
                1 => json!({"custom_inputs": {key.clone(): "x"}}),
                _ => json!({key.clone(): {"a": 1}}),
            };
            Case {
                request,
                endpoint: Endpoint::Transaction,
                policy: PolicyKind::Default,
                expect: Expect::NeverShown(key),
            }
        }
        "14 emptied groups" => {
            let p = pan(rng);
            let n: Value = serde_json::from_str(&p).unwrap();
            let request = match rng.below(3) {
                0 => json!({"order": {"amount": n}}),
                1 => json!({"shopping_cart": [{"price": n}]}),
                _ => json!({"device": {"session_age": n}, "custom_inputs": {"k": n}}),
            };
            Case {
                request,
                endpoint: Endpoint::Transaction,
                policy: PolicyKind::Redact,
                expect: Expect::NoEmptyGroups,
            }
        }
        "ordinary formats" => {
            let p = pan(rng);
            let text = format_pan(rng, &p);
            text_case(rng, &text)
        }
        "json numbers" => {
            let p = pan(rng);
            let v: Value = serde_json::from_str(&p).unwrap();
            let (request, path) = place_number(rng, v);
            rejected_pan(request, path)
        }
        "report endpoint" => {
            let p = pan(rng);
            let field = *rng.pick(REPORT_TEXT_FIELDS);
            let text = format_pan(rng, &p);
            Case {
                request: json!({"tag": "chargeback", "ip_address": "81.2.69.160", field: text}),
                endpoint: Endpoint::Report,
                policy: PolicyKind::Default,
                expect: Expect::Rejected("PAN_DETECTED", format!("/{field}")),
            }
        }
        other => panic!("no leak class {other}"),
    }
}

fn format_digits_only(rng: &mut Rng, p: &str) -> String {
    match rng.below(3) {
        0 => p.to_owned(),
        1 => join(&groups_of(rng, p), " "),
        _ => join(&groups_of(rng, p), "-"),
    }
}

// === Judging a case ===

/// The policies the cases run under, compiled once.
pub(crate) struct Policies {
    default: Policy,
    iin8: Policy,
    redact: Policy,
    typed: Policy,
}

impl Policies {
    pub(crate) fn new() -> Self {
        let src = txveil::policy::DEFAULT_POLICY_SOURCE;
        let iin8 = src.replace(
            "{ action = \"truncate_pan\", iin = 6 }",
            "{ action = \"truncate_pan\", iin = 8 }",
        );
        let redact = src.replace("on_pan = \"reject\"", "on_pan = \"redact\"");
        let typed = src.replace(
            "\"custom_inputs.*\" = \"keep\"\n",
            &format!("\"custom_inputs.*\" = \"keep\"\n{TYPED_INPUTS}"),
        );
        assert!(iin8 != src && redact != src && typed != src);
        Self {
            default: Policy::embedded_default().unwrap(),
            iin8: txveil::policy::parse(&iin8, "iin8").unwrap(),
            redact: txveil::policy::parse(&redact, "redact").unwrap(),
            typed: txveil::policy::parse(&typed, "typed").unwrap(),
        }
    }

    /// The embedded default policy.
    pub(crate) fn default(&self) -> &Policy {
        &self.default
    }

    pub(crate) fn get(&self, kind: PolicyKind) -> &Policy {
        match kind {
            PolicyKind::Default => &self.default,
            PolicyKind::Iin8 => &self.iin8,
            PolicyKind::Redact => &self.redact,
            PolicyKind::Typed => &self.typed,
        }
    }
}

fn has_md5(text: &str) -> bool {
    text.as_bytes()
        .windows(32)
        .any(|w| w.iter().all(|b| b.is_ascii_hexdigit()))
}

/// Whether the value at `path` is what its field's type says it is, by
/// that type's own check, with digits a card could also have: a valid
/// telephone number (libphonenumber's metadata) in a telephone field, or a
/// GTIN or SSCC (GS1 check digit) in a cart item's id. The detector
/// forwards those when their shape is ambiguous (a Maestro legacy length,
/// digits glued to more digits); an unambiguous card is refused there too.
fn typed_exemption(request: &Value, path: &str) -> bool {
    let Some(value) = request.pointer(path).and_then(Value::as_str) else {
        return false;
    };
    let digits: String = value
        .chars()
        .filter_map(txveil::sanitize::pan::digit_value)
        .map(|d| char::from(b'0' + d))
        .collect();
    // The custom input [`PolicyKind::Typed`] types as a telephone number.
    let phone_field = path.ends_with("phone_number") || path == "/custom_inputs/alternate";
    if digits.len() > 19 || digits.starts_with('0') && phone_field {
        return false;
    }
    let whole_card = digits.len() >= 13 && luhn_ok(&digits) && !context::maestro_short(&digits);
    if whole_card {
        return false;
    }
    if phone_field {
        return phonenumber::parse(None, format!("+{digits}"))
            .is_ok_and(|n| phonenumber::is_valid(&n));
    }
    if path.ends_with("/item_id") {
        let d = digits.trim_start_matches('0');
        return matches!(digits.len(), 8 | 12 | 13 | 14)
            && context::gs1_check(&digits[..digits.len() - 1])
                == digits.chars().last().unwrap_or(' ')
            && !d.is_empty();
    }
    false
}

/// Whether the case's expectation holds.
/// The sanitizer's answer to `case`, under its policy and endpoint.
pub(crate) fn run(policies: &Policies, case: Case) -> Result<(), txveil::Rejection> {
    txveil::sanitize_value(policies.get(case.policy), case.endpoint, case.request).map(|_| ())
}

pub(crate) fn holds(policies: &Policies, case: Case) -> bool {
    let typed = match &case.expect {
        Expect::Rejected(_, path) => typed_exemption(&case.request, path),
        _ => false,
    };
    let result = txveil::sanitize_value(policies.get(case.policy), case.endpoint, case.request);
    match case.expect {
        Expect::Rejected(code, path) => {
            matches!(&result, Err(r) if r.code() == code && r.path.to_string() == path)
                || (typed && result.is_ok())
        }
        Expect::Hides { len, at_least } => match result {
            Err(_) => true,
            Ok(s) => {
                let card = &s.body()["credit_card"];
                let iin = card["issuer_id_number"].as_str().map_or(0, str::len);
                let last = card["last_digits"].as_str().map_or(0, str::len);
                len >= iin + last + at_least
            }
        },
        Expect::HashedEmail { raw } => match result {
            Err(_) => false,
            Ok(s) => {
                let out = s.to_json().to_lowercase();
                let raw = raw.to_lowercase();
                !out.contains(&raw) && !out.contains(&raw.replace('@', "%40")) && has_md5(&out)
            }
        },
        Expect::NeverShown(key) => match result {
            Err(r) => !r.to_string().contains(&key) && !format!("{r:?}").contains(&key),
            Ok(s) => s.report().entries().iter().all(|(p, _)| !p.contains(&key)),
        },
        Expect::NoEmptyGroups => match result {
            Err(_) => false,
            Ok(s) => s.body().values().all(|v| match v {
                Value::Object(m) => !m.is_empty(),
                Value::Array(a) => {
                    !a.is_empty()
                        && a.iter()
                            .all(|i| i.as_object().is_none_or(|m| !m.is_empty()))
                }
                _ => true,
            }),
        },
    }
}

// === Realistic values that are not card numbers ===

/// Realistic categories: each must stay under 1 % flagged.
pub(crate) const REALISTIC: &[&str] = &[
    "phone (national, E.164, two in a list)",
    "event.time (RFC 3339, 0-9 fraction digits, offsets)",
    "timestamp in text (ISO, .NET o, Go RFC3339Nano)",
    "unix time s/ms/us",
    "order and transaction ids",
    "uuid and ulid",
    "tracking numbers (UPS, FedEx, DHL)",
    "isbn-13",
    "imei",
    "iban",
    "amounts in every locale",
    "dates",
    "ipv4, ipv6, ip:port, x-forwarded-for",
    "mac addresses",
    "hashes (md5, sha1, sha256 hex)",
    "app-sent md5 (username_md5, pre-hashed email)",
    "coordinates",
    "postal codes",
    "user agents",
];

/// Long numeric ids: reported, and must pass far more often than not.
pub(crate) const LONG_IDS: &[&str] = &[
    "unix time ns (19 digits)",
    "snowflake ids",
    "usps tracking (20-22 digits)",
    "iccid",
    "ean-13, upc-a, gtin-14",
    "random numeric ids, 10-24 digits",
];

fn gtin_check(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn with_gtin_check(body: String) -> String {
    let c = gtin_check(&body);
    format!("{body}{c}")
}

fn with_luhn(body: String) -> String {
    let c = luhn_check_digit(&body);
    format!("{body}{c}")
}

fn iban(rng: &mut Rng) -> String {
    let (cc, bban_len, alpha) = *rng.pick(&[
        ("DE", 18, 0),
        ("FR", 23, 0),
        ("GB", 18, 4),
        ("ES", 20, 0),
        ("IT", 23, 1),
        ("NL", 14, 4),
        ("PL", 24, 0),
        ("BE", 12, 0),
        ("CH", 17, 0),
        ("AT", 16, 0),
    ]);
    let letters: String = (0..alpha)
        .map(|_| char::from(b'A' + rng.below(26) as u8))
        .collect();
    let bban = format!("{letters}{}", rng.digits(bban_len - alpha));
    // Check digits: 98 - (BBAN + CC + "00") mod 97.
    let numeric: String = format!("{bban}{cc}00")
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c.to_string()
            } else {
                (c as u32 - 'A' as u32 + 10).to_string()
            }
        })
        .collect();
    let rem = numeric
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    let full = format!("{cc}{:02}{bban}", 98 - rem);
    if rng.chance(2) {
        full.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        full
    }
}

fn phone(rng: &mut Rng) -> String {
    let cc = *rng.pick(&[
        "1", "44", "49", "33", "61", "81", "86", "91", "55", "7", "353", "972", "62", "60", "63",
        "65", "66", "52", "57", "58", "54", "39", "34", "31", "48", "90", "20", "27", "234", "971",
    ]);
    let national = rng.digits_between(8, 11);
    match rng.below(12) {
        0 => format!("+{cc}{national}"),
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
        5 => format!("00{cc} {} {}", rng.digits(4), rng.digits(6)),
        6 => format!("00{cc}{national}"),
        7 => format!("0{} {}", rng.digits(3), rng.digits(8)),
        8 => format!(
            "{}.{}.{}.{}.{}",
            rng.digits(2),
            rng.digits(2),
            rng.digits(2),
            rng.digits(2),
            rng.digits(2)
        ),
        9 => format!(
            "+{cc} {} {} {}, +{cc} {} {} {}",
            rng.digits(3),
            rng.digits(3),
            rng.digits(4),
            rng.digits(3),
            rng.digits(3),
            rng.digits(4)
        ),
        10 => format!(
            "{}-{}-{}, {}-{}-{}",
            rng.digits(3),
            rng.digits(3),
            rng.digits(4),
            rng.digits(3),
            rng.digits(3),
            rng.digits(4)
        ),
        _ => format!("+{cc} {} ext. {}", national, rng.digits(4)),
    }
}

fn rfc3339(rng: &mut Rng) -> String {
    let (y, mo, d, h, mi, s) = (
        rng.range(2000, 2035),
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
    );
    let frac_len = rng.below(10);
    let frac = if frac_len == 0 {
        String::new()
    } else {
        format!(".{}", rng.digits(frac_len))
    };
    let offset = match rng.below(3) {
        0 => "Z".to_owned(),
        _ => format!(
            "{}{:02}:{:02}",
            rng.pick(&['+', '-']),
            rng.below(15),
            rng.pick(&[0, 30, 45])
        ),
    };
    format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{offset}")
}

/// One realistic value of `category` (an entry of [`REALISTIC`] or
/// [`LONG_IDS`]), and the request it would be sent in.
pub(crate) fn realistic(rng: &mut Rng, category: &str) -> (String, Value) {
    let now_s = 1_500_000_000 + rng.below(400_000_000);
    let v = match category {
        c if c.starts_with("phone") => phone(rng),
        c if c.starts_with("event.time") => {
            let t = rfc3339(rng);
            return (t.clone(), json!({"event": {"time": t}}));
        }
        c if c.starts_with("timestamp in text") => match rng.below(5) {
            0 => rfc3339(rng),
            1 => format!(
                "{}-{:02}-{:02} {:02}:{:02}:{:02}.{}",
                rng.range(2000, 2035),
                rng.range(1, 12),
                rng.range(1, 28),
                rng.below(24),
                rng.below(60),
                rng.below(60),
                rng.digits_between(3, 9)
            ),
            2 => format!(
                "{:02}:{:02}:{:02}.{}+{:02}:00",
                rng.below(24),
                rng.below(60),
                rng.below(60),
                { let n = *rng.pick(&[6, 7, 9]); rng.digits(n) },
                rng.below(14)
            ),
            3 => format!("{} at {}", rfc3339(rng), rfc3339(rng)),
            _ => format!(
                "{}/{:02}/{:02} {:02}:{:02}",
                rng.range(1, 28),
                rng.range(1, 12),
                rng.range(2000, 2035),
                rng.below(24),
                rng.below(60)
            ),
        },
        c if c.starts_with("unix time s/ms/us") => match rng.below(3) {
            0 => now_s.to_string(),
            1 => format!("{now_s}{}", rng.digits(3)),
            _ => format!("{now_s}{}", rng.digits(6)),
        },
        c if c.starts_with("unix time ns") => format!("{now_s}{}", rng.digits(9)),
        c if c.starts_with("order and transaction") => match rng.below(10) {
            0 => format!("ORD-{}-{}", rng.range(2000, 2035), rng.digits(6)),
            1 => format!("txn{}", rng.digits_between(7, 12)),
            2 => format!("#{}", rng.range(1000, 999_999)),
            3 => format!("{}-{}-{}", rng.digits(3), rng.digits(7), rng.digits(7)),
            4 => format!("INV/{}/{}", rng.range(2000, 2035), rng.digits(5)),
            5 => format!("{:09}", rng.below(1_000_000)),
            6 => format!(
                "{}{:02}{:02}{}",
                rng.range(2019, 2035),
                rng.range(1, 12),
                rng.range(1, 28),
                rng.digits_between(4, 10)
            ),
            7 => format!("pi_{}{}", rng.hex(8).to_uppercase(), rng.hex(16)),
            8 => format!("{}", rng.range(10_000, 99_999_999)),
            _ => format!("{}-{}", rng.digits(3), rng.digits(7)),
        },
        c if c.starts_with("uuid") => {
            if rng.chance(2) {
                format!(
                    "{}-{}-4{}-{}{}-{}",
                    rng.hex(8),
                    rng.hex(4),
                    rng.hex(3),
                    rng.pick(&['8', '9', 'a', 'b']),
                    rng.hex(3),
                    rng.hex(12)
                )
            } else {
                let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
                (0..26)
                    .map(|i| {
                        if i == 0 {
                            char::from(alphabet[rng.below(8)])
                        } else {
                            char::from(alphabet[rng.below(32)])
                        }
                    })
                    .collect()
            }
        }
        c if c.starts_with("tracking") => match rng.below(4) {
            0 => format!("1Z{}{}", rng.hex(6).to_uppercase(), rng.digits(10)),
            1 => format!("7{}", rng.digits(11)),
            2 => rng.digits(10),
            _ => format!("96{}", rng.digits(20)),
        },
        c if c.starts_with("usps") => {
            let prefix = *rng.pick(&["9400", "9205", "9407", "9303", "9270", "9208", "9202", "9302", "9361", "9470"]);
            let len = *rng.pick(&[20, 22]);
            with_luhn(format!("{prefix}{}", rng.digits(len - 5)))
        }
        c if c.starts_with("isbn") => {
            with_gtin_check(format!("{}{}", rng.pick(&["978", "979"]), rng.digits(9)))
        }
        c if c.starts_with("ean-13") => {
            let gs1 = *rng.pick(&[
                "0", "1", "30", "34", "40", "42", "45", "49", "50", "54", "57", "590", "64", "690",
                "73", "76", "80", "84", "87", "90", "93", "471", "880", "789",
            ]);
            match rng.below(3) {
                0 => with_gtin_check(format!("{gs1}{}", rng.digits(12 - gs1.len()))),
                1 => with_gtin_check(rng.digits(11)),
                _ => with_gtin_check(format!("{}{gs1}{}", rng.range(0, 8), rng.digits(12 - gs1.len()))),
            }
        }
        c if c.starts_with("imei") => {
            let tac = *rng.pick(&["35", "86", "01", "99", "49", "44"]);
            with_luhn(format!("{tac}{}", rng.digits(12)))
        }
        c if c.starts_with("iccid") => {
            let len = *rng.pick(&[19, 20]);
            with_luhn(format!("89{}{}", rng.digits(2), rng.digits(len - 5)))
        }
        c if c.starts_with("iban") => iban(rng),
        c if c.starts_with("amounts") => match rng.below(8) {
            0 => format!("{}.{:02}", rng.below(100_000), rng.below(100)),
            1 => format!("{},{:03}.{:02}", rng.range(1, 999), rng.below(1000), rng.below(100)),
            2 => format!("${},{:03},{:03}.{:02}", rng.range(1, 99), rng.below(1000), rng.below(1000), rng.below(100)),
            3 => format!("{}.{:03}.{:03},{:02} €", rng.range(1, 999), rng.below(1000), rng.below(1000), rng.below(100)),
            4 => format!("{}\u{a0}{:03}\u{a0}{:03},{:02}", rng.range(1, 999), rng.below(1000), rng.below(1000), rng.below(100)),
            5 => format!("CHF {}'{:03}'{:03}.{:02}", rng.range(1, 999), rng.below(1000), rng.below(1000), rng.below(100)),
            6 => format!("₹{},{:02},{:02},{:03}.{:02}", rng.range(1, 99), rng.below(100), rng.below(100), rng.below(1000), rng.below(100)),
            _ => format!("{} USD", rng.below(10_000_000)),
        },
        c if c.starts_with("dates") => match rng.below(4) {
            0 => format!("{}-{:02}-{:02}", rng.range(1950, 2035), rng.range(1, 12), rng.range(1, 28)),
            1 => format!("{:02}/{:02}/{}", rng.range(1, 12), rng.range(1, 28), rng.range(1950, 2035)),
            2 => format!("{}{:02}{:02}", rng.range(1950, 2035), rng.range(1, 12), rng.range(1, 28)),
            _ => format!("{:02}.{:02}.{} - {:02}.{:02}.{}", rng.range(1, 28), rng.range(1, 12), rng.range(1950, 2035), rng.range(1, 28), rng.range(1, 12), rng.range(1950, 2035)),
        },
        c if c.starts_with("ipv4") => {
            let v4 = |rng: &mut Rng| format!("{}.{}.{}.{}", rng.range(1, 223), rng.below(256), rng.below(256), rng.range(1, 254));
            let v6 = |rng: &mut Rng| {
                (0..8)
                    .map(|_| {
                        let g = rng.hex(4);
                        g.trim_start_matches('0').to_owned()
                    })
                    .map(|g| if g.is_empty() { "0".to_owned() } else { g })
                    .collect::<Vec<_>>()
                    .join(":")
            };
            match rng.below(5) {
                0 => {
                    let ip = v4(rng);
                    return (ip.clone(), json!({"device": {"ip_address": ip}}));
                }
                1 => {
                    let ip = v6(rng);
                    return (ip.clone(), json!({"device": {"ip_address": ip}}));
                }
                2 => format!("{}:{}", v4(rng), rng.range(1, 65535)),
                3 => (0..rng.range(2, 5)).map(|_| v4(rng)).collect::<Vec<_>>().join(", "),
                _ => (0..rng.range(2, 4)).map(|_| v6(rng)).collect::<Vec<_>>().join(", "),
            }
        }
        c if c.starts_with("mac") => {
            let sep = *rng.pick(&[":", "-"]);
            (0..6).map(|_| rng.hex(2)).collect::<Vec<_>>().join(sep)
        }
        c if c.starts_with("app-sent md5") => {
            // Read over its decimal stretches in a digest field, beside the
            // IIN and last digits of an unrelated card half the time.
            let md5 = rng.hex(32);
            let mut request = if rng.chance(2) {
                json!({"account": {"username_md5": md5}})
            } else {
                json!({"email": {"address": md5}})
            };
            if rng.chance(2) {
                let card = pan(rng);
                request["credit_card"] =
                    json!({"issuer_id_number": &card[..6], "last_digits": &card[card.len() - 4..]});
            }
            return (md5, request);
        }
        c if c.starts_with("hashes") => {
            let n = *rng.pick(&[32, 40, 64]);
            rng.hex(n)
        }
        c if c.starts_with("coordinates") => {
            let lat = format!("{}{}.{}", if rng.chance(2) { "-" } else { "" }, rng.below(90), rng.digits_between(4, 8));
            let lng = format!("{}{}.{}", if rng.chance(2) { "-" } else { "" }, rng.below(180), rng.digits_between(4, 8));
            match rng.below(3) {
                0 => format!("{lat},{lng}"),
                1 => format!("{lat}, {lng}"),
                _ => format!("{lat} {lng}"),
            }
        }
        c if c.starts_with("postal") => match rng.below(5) {
            0 => rng.digits(5),
            1 => format!("{}-{}", rng.digits(5), rng.digits(4)),
            2 => format!("SW{} {}AA", rng.range(1, 20), rng.below(10)),
            3 => format!("K{}A {}B{}", rng.below(10), rng.below(10), rng.below(10)),
            _ => format!("{}-{}", rng.digits(3), rng.digits(4)),
        },
        c if c.starts_with("user agents") => format!(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{}.0.{}.{} Safari/537.36",
            rng.range(100, 140),
            rng.range(1000, 9999),
            rng.range(10, 300)
        ),
        c if c.starts_with("snowflake") => {
            // Twitter and Discord ids of 2017-2026: milliseconds since their
            // epochs (2010, 2015), shifted 22 bits.
            let ms = rng.range(240_000_000_000, 520_000_000_000) as u64;
            ((ms << 22) | (rng.next() & 0x3F_FFFF)).to_string()
        }
        c if c.starts_with("random numeric") => {
            let len = rng.range(10, 24);
            format!("{}{}", rng.range(1, 9), rng.digits(len - 1))
        }
        other => panic!("no category {other}"),
    };
    let request = match rng.below(4) {
        0 => json!({"custom_inputs": {"note": v}}),
        1 => json!({"billing": {"address_2": v}}),
        2 => json!({"shopping_cart": [{"item_id": v}]}),
        _ => json!({"event": {"transaction_id": v}}),
    };
    (v, request)
}

/// Whether the default policy refuses `request` for a card number.
pub(crate) fn flagged(policies: &Policies, request: Value) -> bool {
    flagged_under(policies, PolicyKind::Default, request)
}

/// Whether the policy `kind` refuses `request` for a card number.
pub(crate) fn flagged_under(policies: &Policies, kind: PolicyKind, request: Value) -> bool {
    matches!(
        txveil::sanitize_value(policies.get(kind), Endpoint::Transaction, request),
        Err(r) if r.code() == "PAN_DETECTED"
    )
}

// === Rows of the tables ===
//
// A row of a false-positive table is how many of `n` realistic requests
// are refused as card numbers; a row of a recall table is how many of `n`
// card cases hold. `tests/pan_quality.rs` bounds the rows,
// `examples/pan_quality.rs` prints them.

/// How many of `n` requests drawn by `generate` the default policy refuses
/// for a card number.
pub(crate) fn flagged_count(
    policies: &Policies,
    rng: &mut Rng,
    n: usize,
    generate: impl FnMut(&mut Rng) -> Value,
) -> usize {
    flagged_count_under(policies, PolicyKind::Default, rng, n, generate)
}

/// How many of `n` requests drawn by `generate` the policy `kind` refuses
/// for a card number.
pub(crate) fn flagged_count_under(
    policies: &Policies,
    kind: PolicyKind,
    rng: &mut Rng,
    n: usize,
    mut generate: impl FnMut(&mut Rng) -> Value,
) -> usize {
    (0..n)
        .filter(|_| flagged_under(policies, kind, generate(rng)))
        .count()
}

/// How many of `n` card cases drawn by `generate` hold (refused at their
/// path, or forwarded only in safe form).
pub(crate) fn held_count(
    policies: &Policies,
    rng: &mut Rng,
    n: usize,
    mut generate: impl FnMut(&mut Rng) -> Case,
) -> usize {
    (0..n).filter(|_| holds(policies, generate(rng))).count()
}

/// The generator of the row called `name` in `table`.
pub(crate) fn row<G: Copy>(table: &[(&str, G)], name: &str) -> G {
    table
        .iter()
        .find(|(c, _)| *c == name)
        .map(|&(_, g)| g)
        .expect("the row")
}

/// A UUID (`8-4-4-4-12` hex) whose only decimal stretch around `pan` is
/// exactly `pan`: hex letters right before and after it (when not at an
/// end), random hex elsewhere, and at least one letter outside the card.
pub(crate) fn uuid_holding(rng: &mut Rng, pan: &str) -> String {
    let len = pan.len();
    let start = rng.below(32 - len + 1);
    let letter = |rng: &mut Rng| char::from(b"abcdef"[rng.below(6)]);
    let mut hex: Vec<char> = rng.hex(32).chars().collect();
    for (i, c) in pan.chars().enumerate() {
        hex[start + i] = c;
    }
    if start > 0 {
        hex[start - 1] = letter(rng);
    }
    if start + len < 32 {
        hex[start + len] = letter(rng);
    }
    let text: String = hex.iter().collect();
    let groups = [
        &text[..8],
        &text[8..12],
        &text[12..16],
        &text[16..20],
        &text[20..],
    ];
    groups.join("-")
}
