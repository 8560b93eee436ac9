use super::*;

const CARDS: &str = include_str!("../../../tests/data/test-cards.tsv");

fn cards() -> Vec<&'static str> {
    CARDS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').nth(1))
        .collect()
}

fn grouped(pan: &str, sep: &str) -> String {
    let chars: Vec<char> = pan.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(sep)
}

fn to_script(pan: &str, zero: u32) -> String {
    pan.chars()
        .map(|c| char::from_u32(zero + c.to_digit(10).unwrap()).unwrap())
        .collect()
}

#[test]
fn every_public_test_card_is_a_pan() {
    let cards = cards();
    assert!(cards.len() >= 19);
    for pan in cards {
        let digits: Vec<u8> = pan.bytes().map(|b| b - b'0').collect();
        assert!(luhn_valid(&digits), "luhn");
        assert!(
            in_brand_range(&digits),
            "brand range for a {}-digit card",
            digits.len()
        );
        assert!(contains_pan(pan));
    }
}

#[test]
fn finds_pans_in_many_formats() {
    for pan in cards() {
        let forms = [
            grouped(pan, " "),
            grouped(pan, "-"),
            grouped(pan, "."),
            grouped(pan, "/"),
            grouped(pan, " - "),
            grouped(pan, "\u{a0}"),
            grouped(pan, "\u{2009}"),
            grouped(pan, "\u{2013}"),
            grouped(pan, "\t"),
            grouped(pan, "\n"),
            grouped(pan, ", "),
            pan.chars().map(|c| format!("{c}\u{200b}")).collect(),
            pan.chars()
                .map(|c| format!("{c}\u{fe0f}\u{20e3}"))
                .collect(),
            pan.chars().map(|c| format!("{c} ")).collect(),
            to_script(pan, 0xFF10),
            to_script(pan, 0x0660),
            to_script(pan, 0x0966),
            to_script(pan, 0x1D7CE),
            format!("card:{pan};exp=12/29"),
            format!("{pan} 12/29 123"),
            format!("my card is {} thanks", grouped(pan, " ")),
            format!("ref 12 {pan}"),
        ];
        for form in forms {
            assert!(
                contains_pan(&form),
                "missed a {}-digit card in a format",
                pan.len()
            );
        }
    }
}

#[test]
fn finds_pan_written_with_circled_and_superscript_digits() {
    let circled: String = "4111111111111111"
        .chars()
        .map(|c| match c {
            '1' => '①',
            '4' => '④',
            _ => c,
        })
        .collect();
    assert!(contains_pan(&circled));
    assert!(contains_pan("⁴¹¹¹¹¹¹¹¹¹¹¹¹¹¹¹"));
}

#[test]
fn ignores_things_that_are_not_pans() {
    let not_pans = [
        "+1 (323) 123-4321",
        "+44 20 7946 0958",
        "+49 151 23456789",
        "+49 1512 3456789",
        "+1-800-342-1232 ext. 4111",
        "0044 20 7946 0958",
        "2014-04-12T23:20:50.052+00:00",
        "2024-11-21 12:34:56.789012",
        "1700000000000",
        "1732185296123456",
        "c8ce89f9-734d-4411-a174-91560f5ec07a",
        "12345678-1234-4234-8234-123456789012",
        "06510",
        "SW1A 1AA",
        "323.21",
        "1,234,567.89",
        "txn3134133",
        "ORD-2024-000123",
        "4111********1111",
        "411111******1111",
        "4111111111111112",
        "41111111111111",
        "5555555555554445",
    ];
    for s in not_pans {
        assert!(!contains_pan(s), "flagged a non-PAN");
    }
}

#[test]
fn country_code_after_plus_never_starts_a_pan_but_a_pan_after_plus_is_found() {
    // 49 + 1512 3456789 would form a 13-digit Visa-range number.
    assert!(!contains_pan("+49 1512 3456789"));
    assert!(contains_pan("+4111 1111 1111 1111"));
    // Regression (found by proptest): a PAN after "+ " or starting with a
    // short group after "+" is not a phone number.
    assert!(contains_pan("+ 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"));
    assert!(contains_pan("+411 1111 1111 11111"));
    assert!(contains_pan("+ 378 282 246 310 005"));
}

#[test]
fn a_long_gap_splits_runs() {
    assert!(!contains_pan("4111 1111    1111 1111"));
    assert!(contains_pan("4111 1111   1111 1111"));
}

#[test]
fn redacts_every_pan_and_keeps_the_rest() {
    let s = "a 4111 1111 1111 1111 b 5555-5555-5555-4444 c";
    assert_eq!(redact(s).unwrap(), format!("a {REDACTION} b {REDACTION} c"));
    assert_eq!(redact("no card here 123"), None);
    let r = redact("x4111111111111111").unwrap();
    assert!(!contains_pan(&r));
}

#[test]
fn digit_values_cover_unicode_nd() {
    assert_eq!(digit_value('٣'), Some(3));
    assert_eq!(digit_value('９'), Some(9));
    assert_eq!(digit_value('𝟘'), Some(0));
    assert_eq!(digit_value('a'), None);
    assert_eq!(digit_value('Ⅻ'), None);
}
