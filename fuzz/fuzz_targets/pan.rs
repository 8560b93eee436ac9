//! Any string through the PAN detector: never a panic, and a card number
//! inserted at any position with any one separator and digit script, between
//! two letters, is always found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use txveil::sanitize::pan::{contains_pan, find_pans};

const CARDS: &[&str] = &[
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "3566002020360505",
    "4222222222222",
    "6205500000000000004",
    "36227206271667",
    "501234567896",
];
const SEPARATORS: &[&str] = &[
    "", " ", "-", ".", ";", "'", "\u{a0}", "\u{3000}", "\u{066c}", "/", "_", "    ",
];
const ZEROS: &[u32] = &[0x30, 0x660, 0x966, 0xFF10, 0x1D7CE];

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let Ok(text) = std::str::from_utf8(&data[4..]) else {
        return;
    };
    let _ = find_pans(text);
    let card = CARDS[usize::from(data[0]) % CARDS.len()];
    let sep = SEPARATORS[usize::from(data[1]) % SEPARATORS.len()];
    let zero = ZEROS[usize::from(data[2]) % ZEROS.len()];
    let written: Vec<String> = card
        .as_bytes()
        .chunks(4)
        .map(|c| {
            c.iter()
                .map(|&b| char::from_u32(zero + u32::from(b - b'0')).unwrap_or('0'))
                .collect()
        })
        .collect();
    let written = written.join(sep);
    let mut at = usize::from(data[3]) % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // Cyrillic letters around it: a letter ends a digit run, and these are
    // no part of any ASCII shape (hex, IBAN, UUID) the detector skips.
    let probe = format!("{}\u{416}{written}\u{416}{}", &text[..at], &text[at..]);
    assert!(contains_pan(&probe), "an inserted card number was missed");
});
