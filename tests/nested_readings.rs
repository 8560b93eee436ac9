//! Card numbers under encodings one inside another: every pair of twenty
//! encodings (percent, character references, backslash escapes, base64,
//! hex, quoted-printable, TAG characters, UTF-16, RTF, markup) and every triple,
//! around a card written in a sentence or alone, in the free-text fields
//! and the URL query an app fills. Each must be refused as a card.
//! Messages name the encodings and the field, never the card.

use crate::corpus::{pan, Rng};
use base64::Engine as _;
use serde_json::{json, Value};
use txveil::schema::Endpoint;
use txveil::Policy;

/// One way of writing text that a reader decodes back to it.
type Encoding = (&'static str, fn(&str) -> String);

/// Percent-encoding of every byte but the unreserved characters (Python's
/// `urllib.parse.quote` with nothing safe); `plus`: a space as `+`.
fn percent(s: &str, plus: bool) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                char::from(b).to_string()
            }
            b' ' if plus => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn each_char(s: &str, f: impl Fn(char) -> String) -> String {
    s.chars().map(f).collect()
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

const ENCODINGS: &[Encoding] = &[
    // With it, the pairs hold every encoding alone and the triples every
    // pair.
    ("as written", str::to_owned),
    ("percent", |s| percent(s, false)),
    ("percent, every byte", |s| {
        s.bytes().map(|b| format!("%{b:02X}")).collect()
    }),
    ("percent, space as plus", |s| percent(s, true)),
    ("decimal references", |s| {
        each_char(s, |c| format!("&#{};", c as u32))
    }),
    ("hex references", |s| {
        each_char(s, |c| format!("&#x{:X};", c as u32))
    }),
    ("zero-padded references", |s| {
        each_char(s, |c| format!("&#00{};", c as u32))
    }),
    // JSON's `\u` escapes, a character past U+FFFF as its surrogate pair.
    ("json escapes", |s| {
        s.encode_utf16().map(|u| format!("\\u{u:04x}")).collect()
    }),
    // The same written with `%04x`: five hex digits past U+FFFF.
    ("json escapes of code points", |s| {
        each_char(s, |c| format!("\\u{:04x}", c as u32))
    }),
    ("braced escapes", |s| {
        each_char(s, |c| format!("\\u{{{:x}}}", c as u32))
    }),
    ("eight-digit escapes", |s| {
        each_char(s, |c| format!("\\U{:08x}", c as u32))
    }),
    ("base64", |s| {
        base64::engine::general_purpose::STANDARD.encode(s)
    }),
    ("base64url", |s| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }),
    ("hex", hex),
    ("upper-case hex", |s| hex(s).to_uppercase()),
    // Python's `quopri` with `quotetabs`, soft line breaks left out.
    ("quoted-printable", |s| {
        s.bytes()
            .map(|b| {
                if b == b'=' || !(33..=126).contains(&b) {
                    format!("={b:02X}")
                } else {
                    char::from(b).to_string()
                }
            })
            .collect()
    }),
    ("quoted-printable, every byte", |s| {
        s.bytes().map(|b| format!("={b:02X}")).collect()
    }),
    ("tag characters", |s| {
        each_char(s, |c| {
            if c.is_ascii() {
                char::from_u32(0xE0000 + c as u32).unwrap().to_string()
            } else {
                c.to_string()
            }
        })
    }),
    ("utf-16 base64", |s| {
        let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }),
    // RTF's `\uN?`, a character past U+FFFF as its surrogate pair.
    ("rtf unicode escapes", |s| {
        s.encode_utf16()
            .map(|u| format!("\\u{}?", i32::from(u as i16)))
            .collect()
    }),
    ("markup around digits", |s| {
        each_char(s, |c| {
            if c.is_ascii_digit() {
                format!("<span>{c}</span>")
            } else {
                c.to_string()
            }
        })
    }),
];

/// `card` in its brand's layout: 4-6-5 or 4-6-4 for 15 and 14 digits,
/// else fours.
fn layout(card: &str) -> String {
    let groups: Vec<&str> = match card.len() {
        14 | 15 => vec![&card[..4], &card[4..10], &card[10..]],
        _ => card
            .as_bytes()
            .chunks(4)
            .map(|g| std::str::from_utf8(g).unwrap())
            .collect(),
    };
    groups.join(" ")
}

/// A card of a brand that does not start with `1` (airline numbers are
/// found only whole), in a sentence or alone.
fn card_text(rng: &mut Rng, sentence: bool) -> String {
    let card = loop {
        let c = pan(rng);
        if !c.starts_with('1') {
            break c;
        }
    };
    if sentence {
        format!("card {}", layout(&card))
    } else {
        card
    }
}

/// `written` in one of the fields an app fills with free text or tokens.
fn placed(written: &str, k: usize) -> Value {
    match k % 4 {
        0 => json!({"custom_inputs": {"note": written}}),
        1 => json!({"order": {"referrer_uri": format!("https://shop.example/cb?state={written}")}}),
        2 => json!({"device": {"session_id": written}}),
        _ => json!({"shipping": {"address": written}}),
    }
}

fn refused_as_pan(request: Value) -> bool {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    let policy = POLICY.get_or_init(|| Policy::embedded_default().unwrap());
    matches!(
        txveil::sanitize_value(policy, Endpoint::Transaction, request),
        Err(e) if e.code() == "PAN_DETECTED"
    )
}

/// Encodes `text` with `chain`, innermost last.
fn encode(chain: &[&Encoding], text: &str) -> String {
    chain.iter().rev().fold(text.to_owned(), |t, (_, f)| f(&t))
}

fn names(chain: &[&Encoding]) -> String {
    chain
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(" of ")
}

#[test]
fn cards_under_two_encodings_are_found() {
    let mut rng = Rng::new(0x2e4c_0d1e);
    let mut missed = Vec::new();
    let mut total = 0;
    for outer in ENCODINGS {
        for inner in ENCODINGS {
            for sentence in [true, false] {
                for _ in 0..2 {
                    let text = card_text(&mut rng, sentence);
                    let written = encode(&[outer, inner], &text);
                    let field = rng.below(4);
                    total += 1;
                    if !refused_as_pan(placed(&written, field)) {
                        missed.push(format!(
                            "{} ({}) in field {field}",
                            names(&[outer, inner]),
                            if sentence { "in a sentence" } else { "alone" }
                        ));
                    }
                }
            }
        }
    }
    assert!(total >= 1764);
    assert!(
        missed.is_empty(),
        "{} of {total} leaked:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

#[test]
fn cards_under_three_encodings_are_found() {
    let mut rng = Rng::new(0x3e4c_0d1e);
    let mut missed = Vec::new();
    let mut total = 0;
    for a in ENCODINGS {
        for b in ENCODINGS {
            for c in ENCODINGS {
                let sentence = rng.below(2) == 0;
                let text = card_text(&mut rng, sentence);
                let written = encode(&[a, b, c], &text);
                let field = rng.below(4);
                total += 1;
                if !refused_as_pan(placed(&written, field)) {
                    missed.push(format!(
                        "{} ({}) in field {field}",
                        names(&[a, b, c]),
                        if sentence { "in a sentence" } else { "alone" }
                    ));
                }
            }
        }
    }
    assert!(total >= 9261);
    assert!(
        missed.is_empty(),
        "{} of {total} leaked:\n{}",
        missed.len(),
        missed.join("\n")
    );
}
