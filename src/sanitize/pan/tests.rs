use super::brand::in_brand_range;
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
        "9a8b7c6d-1234-4234-8234-1234567890ab",
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
fn blanks_of_any_length_join_but_long_punctuation_splits() {
    assert!(contains_pan("4111 1111    1111 1111"));
    assert!(contains_pan("4111\t\t\t\t\t1111          1111 1111"));
    assert!(!contains_pan("4111 1111 ---- 1111 1111"));
    assert!(!contains_pan(&format!(
        "4111 1111{}1111 1111",
        " ".repeat(40)
    )));
}

// === Issue 8: leak classes. Each test writes every public test card in the
// class's forms; the corpus tests (tests/pan_quality.rs) add generated
// brands, lengths, fields and placements. ===

fn digits_in(pan: &str, zero: u32) -> Vec<char> {
    pan.chars()
        .map(|c| char::from_u32(zero + c.to_digit(10).unwrap()).unwrap())
        .collect()
}

#[test]
fn any_punctuation_symbol_control_or_blank_between_groups_joins_them() {
    // Regression for issue 8, items 1 and 3.
    let seps = [
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
        "%",
        "$",
        "@",
        "<",
        ">",
        "[",
        "]",
        "{",
        "}",
        "\u{066C}",
        "\u{3001}",
        "\u{2044}",
        "\u{FF1B}",
        "\u{FF0A}",
        "\u{FF03}",
        "\u{00B7}",
        "\u{2022}",
        "\u{30FB}",
        "\u{30FC}",
        "\u{2019}",
        "\u{02BC}",
        "\0",
        "\u{1}",
        "\u{7f}",
        "\u{85}",
        "\u{9f}",
        "\u{3164}",
        "\u{FFA0}",
        "\u{115F}",
        "\u{1160}",
        "\u{2800}",
        "\u{E000}",
        "\u{F8FF}",
        "\u{10FFFD}",
        "    ",
        "\u{3000}\u{3000}",
        " ; ",
        "\u{2028}",
        "\u{00A0}\u{00A0}\u{00A0}\u{00A0}\u{00A0}",
    ];
    for pan in cards() {
        for sep in seps {
            assert!(
                contains_pan(&grouped(pan, sep)),
                "separator U+{:04X}",
                sep.chars().next().unwrap() as u32
            );
        }
        let swiss: String = {
            let c: Vec<char> = pan.chars().collect();
            let head = c.len() % 3;
            let mut out: String = c[..head].iter().collect();
            for chunk in c[head..].chunks(3) {
                if !out.is_empty() {
                    out.push('\'');
                }
                out.extend(chunk);
            }
            out
        };
        assert!(contains_pan(&swiss), "swiss grouping");
        let arabic: Vec<char> = digits_in(pan, 0x660);
        let grouped_arabic: String = arabic
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\u{066C}");
        assert!(contains_pan(&grouped_arabic), "arabic thousands separator");
        let mixed = grouped(pan, "-")
            .replacen('-', " ", 1)
            .replacen('-', ".", 1);
        if pan.len() >= 13 {
            assert!(contains_pan(&mixed), "mixed separators in a card layout");
        }
    }
}

#[test]
fn percent_encoded_and_entity_encoded_pans_are_found() {
    // Regression for issue 8, item 2.
    for pan in cards() {
        let spaced = grouped(pan, "%20");
        let dashed = grouped(pan, "%2D");
        let plus = grouped(pan, "+");
        let all: String = pan.chars().map(|c| format!("%{:02X}", c as u32)).collect();
        let twice: String = pan
            .chars()
            .map(|c| format!("%25{:02X}", c as u32))
            .collect();
        let entities: String = pan.chars().map(|c| format!("&#{};", c as u32)).collect();
        let hex_entities: String = pan.chars().map(|c| format!("&#x{:x};", c as u32)).collect();
        let utf8_fullwidth: String = digits_in(pan, 0xFF10)
            .iter()
            .map(|c| {
                let mut b = [0u8; 4];
                c.encode_utf8(&mut b)
                    .bytes()
                    .map(|x| format!("%{x:02X}"))
                    .collect::<String>()
            })
            .collect();
        for form in [
            spaced,
            dashed,
            plus,
            all,
            twice,
            entities,
            hex_entities,
            utf8_fullwidth,
        ] {
            let url = format!("https://shop.example/pay?cc={form}&x=1");
            assert!(contains_pan(&url), "an encoded {}-digit card", pan.len());
        }
    }
}

#[test]
fn pans_glued_to_other_digits_are_found() {
    // Regression for issue 8, item 4.
    for pan in cards() {
        for form in [
            format!("{pan}123"),
            format!("{pan}1234"),
            format!("{pan}1229"),
            format!("{pan}122029"),
            format!("{pan}9"),
            format!("000{pan}"),
            format!("0{pan}"),
            format!("{}{pan}", "0".repeat(20 - pan.len())),
            format!("tok_{pan}9"),
            format!("{pan}0000"),
            format!("ref:{pan}123;"),
        ] {
            assert!(contains_pan(&form), "a glued {}-digit card", pan.len());
        }
    }
    assert!(contains_pan("4111111111111111123"));
    assert!(contains_pan("0004111111111111111"));
    assert!(contains_pan("tok_41111111111111119"));
    assert!(contains_pan("41111111111111110000"));
}

/// Whether the JSON number written as `text` holds a PAN, read as in a request.
fn holds(text: &str) -> bool {
    let body = format!("{{\"n\":{text}}}");
    let arena = crate::sanitize::doc::Arena::new();
    let doc = crate::sanitize::doc::parse_object(body.as_bytes(), &arena).expect("a number");
    match doc.get("n") {
        Some(crate::sanitize::doc::Val::Num(n)) => number_holds_pan(n),
        _ => panic!("a number"),
    }
}

#[test]
fn json_numbers_holding_a_pan_times_a_power_of_ten_are_found() {
    for pan in cards() {
        for zeros in 0..=6 {
            let text = format!("{pan}{}", "0".repeat(zeros));
            assert!(holds(&text), "{}-digit card x 10^{zeros}", pan.len());
        }
        // After a decimal point: found whenever the parsed number still holds
        // the card's digits (a 19-digit card loses its last ones to rounding).
        let fraction = format!("0.0000{pan}");
        let written = format!("{}", fraction.parse::<f64>().unwrap());
        assert!(
            holds(&fraction) || !written.contains(pan),
            "a card after a decimal point"
        );
    }
    assert!(!holds("323.21"));
    assert!(!holds("1732185296123456789"));
}

#[test]
fn digit_forms_nfkc_does_not_fold_are_found() {
    // Regression for issue 8, item 6.
    let forms: [fn(u32) -> char; 5] = [
        |d| {
            if d == 0 {
                '\u{24FF}'
            } else {
                char::from_u32(0x2775 + d).unwrap()
            }
        },
        |d| {
            if d == 0 {
                '\u{1F10B}'
            } else {
                char::from_u32(0x277F + d).unwrap()
            }
        },
        |d| {
            if d == 0 {
                '\u{24FF}'
            } else {
                char::from_u32(0x24F4 + d).unwrap()
            }
        },
        |d| {
            if d == 0 {
                '\u{1F10C}'
            } else {
                char::from_u32(0x2789 + d).unwrap()
            }
        },
        |d| {
            [
                '\u{3007}', '一', '二', '三', '四', '五', '六', '七', '八', '九',
            ][d as usize]
        },
    ];
    for pan in cards() {
        for form in forms {
            let s: String = pan.chars().map(|c| form(c.to_digit(10).unwrap())).collect();
            assert!(contains_pan(&s), "{s}");
        }
    }
}

#[test]
fn pans_inside_punycode_labels_are_found() {
    // Regression for issue 8, item 7.
    assert!(contains_pan("xn--9hbaaaaaaaaaaaaaa7a.com"));
    assert!(contains_pan("jane@XN--9HBAAAAAAAAAAAAAA7A.com"));
    for pan in cards() {
        for zero in [0x660, 0x966, 0xFF10, 0x6F0] {
            let label: String = digits_in(pan, zero).into_iter().collect();
            let host = idna::domain_to_ascii(&format!("{label}.example")).unwrap_or_default();
            if host.starts_with("xn--") {
                assert!(
                    contains_pan(&host),
                    "punycode of a {}-digit card",
                    pan.len()
                );
            }
        }
    }
}

#[test]
fn reversed_pans_behind_bidi_controls_are_found() {
    // Regression for issue 8, item 11.
    for pan in cards() {
        let reversed: String = pan.chars().rev().collect();
        for control in ['\u{202E}', '\u{2067}', '\u{200F}', '\u{202B}'] {
            assert!(contains_pan(&format!("{control}{reversed}")));
            assert!(contains_pan(&format!(
                "note: {control}{}\u{202C}",
                grouped(&reversed, " ")
            )));
        }
    }
}

#[test]
fn uuid_shaped_pans_are_found() {
    // Regression for issue 8, item 10.
    assert!(contains_pan("41111111-1111-1111-0000-000000000000"));
    assert!(contains_pan("55555555-5555-4444-0000-000000000000"));
    assert!(!contains_pan("c8ce89f9-734d-4411-a174-91560f5ec07a"));
}

#[test]
fn new_brand_ranges_and_short_lengths_are_found() {
    // Regression for issue 8, item 5: Luhn-completed numbers in each range.
    for (prefix, len) in [
        ("5012", 12),
        ("5612", 13),
        ("6390", 14),
        ("6759", 15),
        ("2131", 15),
        ("1800", 15),
        ("8600", 16),
        ("9860", 16),
        ("9112", 16),
        ("9804", 16),
        ("9360", 16),
        ("3088", 16),
        ("3337", 17),
        ("6304", 12),
        ("5018", 13),
    ] {
        let mut body: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
        while body.len() < len - 1 {
            body.push((body.len() * 7 % 10) as u8);
        }
        let check = (0..10).find(|&d| {
            let mut x = body.clone();
            x.push(d);
            luhn_valid(&x)
        });
        body.push(check.unwrap());
        let s: String = body.iter().map(|d| char::from(b'0' + d)).collect();
        assert!(contains_pan(&s), "{prefix} at {len}");
        assert!(
            contains_pan(&grouped(&s, " ")),
            "{prefix} at {len}, grouped"
        );
    }
}

#[test]
fn ibans_are_not_taken_for_cards_but_a_pan_beside_one_is() {
    assert!(!contains_pan("GB29 NWBK 6016 1331 9268 19"));
    assert!(!contains_pan("DE89370400440532013000"));
    assert!(contains_pan(
        "GB29 NWBK 6016 1331 9268 19 / 4111 1111 1111 1111"
    ));
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

#[test]
fn redacting_a_reversed_pan_never_slices_backwards() {
    // Found by the `sanitize`/`email` fuzz targets: in the reversed reading
    // spans ran backwards through the original.
    for s in [
        "\u{202E}1111111111111114",
        "a \u{202E}1111 1111 1111 1114 b",
        "\u{2067}1111-1111-1111-1114\u{2069} and 4111111111111111",
    ] {
        let out = redact(s).unwrap();
        assert!(out.contains(REDACTION));
        assert!(!contains_pan(&out), "{out:?}");
        for r in find_pans(s) {
            assert!(r.start < r.end && s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
        }
    }
}

proptest::proptest! {
    #[test]
    fn the_word_at_a_time_digit_count_matches_a_plain_count(s in "[ -~\u{80}-\u{7ff}]{0,40}") {
        let b = s.as_bytes();
        let special = b.iter().any(|&c| c >= 0x80 || c == b'%' || c == b'&');
        let x = b.iter().any(|&c| c | 0x20 == b'x');
        let expected = (!special).then(|| (b.iter().filter(|c| c.is_ascii_digit()).count(), x));
        let facts = super::word::Facts::of(b);
        let got = (!facts.encoded).then_some((facts.digits, facts.x));
        proptest::prop_assert_eq!(got, expected);
    }

    /// One pass tells for every prefix what the Luhn check tells for it.
    #[test]
    fn luhn_lengths_match_the_check_of_each_prefix(d in proptest::collection::vec(0u8..10, 0..30)) {
        let ok = luhn_lengths(&d);
        for n in 1..=d.len().min(*PAN_LENGTHS.end()) {
            proptest::prop_assert_eq!(ok & (1 << n) != 0, luhn_valid(&d[..n]), "length {}", n);
        }
        proptest::prop_assert_eq!(ok >> (*PAN_LENGTHS.end() + 1), 0);
    }
}

/// `dddd-dd-ddTdd:dd:dd[.f]` + zone, with the digit slots filled from `digits`.
fn rfc3339_from(
    digits: &mut impl Iterator<Item = u8>,
    fraction: usize,
    t: char,
    zone: &str,
) -> String {
    let mut next = || char::from(b'0' + digits.next().unwrap_or(0));
    let mut s = String::new();
    for (i, part) in [4, 2, 2].into_iter().enumerate() {
        if i > 0 {
            s.push('-');
        }
        (0..part).for_each(|_| s.push(next()));
    }
    s.push(t);
    for (i, part) in [2, 2, 2].into_iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        (0..part).for_each(|_| s.push(next()));
    }
    if fraction > 0 {
        s.push('.');
        (0..fraction).for_each(|_| s.push(next()));
    }
    match zone {
        "Z" | "z" => s.push_str(zone),
        sign => {
            s.push_str(sign);
            s.push(next());
            s.push(next());
            s.push(':');
            s.push(next());
            s.push(next());
        }
    }
    s
}

#[test]
fn rfc3339_times_with_short_fractions_hold_no_pan() {
    // The pre-check's claim, held against the full detector: card digits
    // laid across every group boundary, and seeded random digits.
    let cards: Vec<Vec<u8>> = cards()
        .iter()
        .map(|c| {
            c.bytes()
                .filter(u8::is_ascii_digit)
                .map(|b| b - b'0')
                .collect()
        })
        .collect();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 10) as u8
    };
    let mut checked = 0;
    for fraction in 0..=SHORT_FRACTION {
        for t in ['T', 't'] {
            for zone in ["Z", "z", "+", "-"] {
                for card in &cards {
                    for shift in 0..card.len() {
                        let mut digits = card.iter().copied().cycle().skip(shift);
                        let s = rfc3339_from(&mut digits, fraction, t, zone);
                        // Messages name the case, never the digits.
                        let case = format!("fraction {fraction}, {t}, zone {zone}, shift {shift}");
                        assert!(short_rfc3339(&s), "{case}");
                        assert!(
                            find_pans_fully(&decode::Readings::new(&s), &Field::default())
                                .0
                                .is_empty(),
                            "a PAN was read: {case}"
                        );
                        checked += 1;
                    }
                }
                for _ in 0..2000 {
                    let mut digits = std::iter::from_fn(|| Some(random()));
                    let s = rfc3339_from(&mut digits, fraction, t, zone);
                    assert!(
                        find_pans_fully(&decode::Readings::new(&s), &Field::default())
                            .0
                            .is_empty(),
                        "a PAN was read: fraction {fraction}, {t}, zone {zone}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100_000, "{checked}");
}

#[test]
fn long_fractions_and_other_times_still_go_to_the_detector() {
    let pan = "4111111111111111";
    let mut digits = std::iter::repeat(0);
    let mut with_fraction = |f: &str| {
        let s = rfc3339_from(&mut digits, 0, 'T', "Z");
        s.replace('Z', &format!(".{f}Z"))
    };
    let hidden = with_fraction(pan);
    assert!(!short_rfc3339(&hidden));
    assert!(contains_pan(&hidden), "a PAN in a long fraction was missed");
    assert!(!short_rfc3339(&with_fraction("12345678")));
    for not_a_time in [
        "2014-04-12 23:20:50Z",
        "2014-04-12T23:20:50.052+00:00 ",
        "2014-04-12T23:20:50.+00:00",
        "x2014-04-12T23:20:50Z",
    ] {
        assert!(!short_rfc3339(not_a_time), "{not_a_time}");
    }
    assert!(short_rfc3339("2014-04-12T23:20:50.052+00:00"));
}

/// Characters outside ASCII of every class the scan knows, for the
/// pre-check's tests: letters and a number that is not a digit, digits of
/// other scripts (some worth two digits), invisible and bidi characters,
/// blanks, and joiners.
const WIDE: &[char] = &[
    'ü', 'ã', 'ó', 'ß', 'Ж', '中', 'ª', '½', '٣', '٠', '０', '９', '३', '①', '⑩', '⑳', '⁴', '四',
    '❶', '\u{200B}', '\u{AD}', '\u{301}', '\u{202E}', '\u{2066}', '\u{A0}', '\u{3000}', '\u{2800}',
    '–', '・', 'ー', 'ʼ', '€',
];

/// Zero of each script the pre-check tests write cards in.
const SCRIPT_ZEROS: [u32; 4] = [0x30, 0x660, 0x966, 0xFF10];

/// `pan` with each pair of digits from 10 to 20 written as one circled
/// number (`⑪` for 11), which the scan reads as two digits.
fn circled_pairs(pan: &str) -> String {
    let d: Vec<u32> = pan.chars().filter_map(|c| c.to_digit(10)).collect();
    let mut out = String::new();
    let mut i = 0;
    while i < d.len() {
        let pair = d.get(i + 1).map(|&next| d[i] * 10 + next);
        match pair {
            Some(v @ 10..=20) => {
                out.push(char::from_u32(0x245F + v).unwrap_or('?'));
                i += 2;
            }
            _ => {
                out.push(char::from_digit(d[i], 10).unwrap_or('?'));
                i += 1;
            }
        }
    }
    out
}

#[test]
fn text_outside_ascii_with_few_digits_is_ruled_out() {
    for s in [
        "Zürich",
        "São Paulo",
        "Kraków",
        "Straße 12",
        "Москва 101000",
        "東京都港区 1-2-3",
        "Ñuñoa ٣٤",
        "café ①②③ ⑩",
        "\u{202E}Jane Doe\u{202C}",
    ] {
        assert!(too_few_digits(s, &word::Facts::of(s.as_bytes())), "{s}");
    }
}

#[test]
fn cards_in_other_scripts_beside_text_outside_ascii_are_not_ruled_out() {
    let mut circled = 0;
    for pan in cards() {
        let paired = circled_pairs(pan);
        if paired.chars().count() < pan.len() {
            circled += 1;
            let s = format!("Zürich {paired}");
            assert!(!too_few_digits(&s, &word::Facts::of(s.as_bytes())));
            assert!(
                contains_pan(&s),
                "a {}-digit card in circled pairs",
                pan.len()
            );
        }
        for zero in SCRIPT_ZEROS {
            let digits = to_script(pan, zero);
            for s in [
                format!("Zürich {digits}"),
                format!("{digits} ß"),
                format!("Straße\u{200B}{}", grouped(&digits, "–")),
                format!("東京 {}", grouped(&digits, "\u{3000}")),
            ] {
                let facts = word::Facts::of(s.as_bytes());
                assert!(
                    !too_few_digits(&s, &facts),
                    "a {}-digit card, script {zero:#x}",
                    pan.len()
                );
                assert!(
                    contains_pan(&s),
                    "a {}-digit card, script {zero:#x}",
                    pan.len()
                );
            }
        }
    }
    assert!(circled >= 10, "{circled} cards with a pair to circle");
}

proptest::proptest! {
    /// The pre-check passes a string only when the full scan finds no card
    /// number in it: text built of ASCII digits, letters and punctuation,
    /// the characters of [`WIDE`], and whole test cards in four scripts.
    /// The input is drawn as numbers, so that a failure prints no card.
    #[test]
    fn the_pre_check_passes_only_text_the_scan_finds_no_pan_in(
        parts in proptest::collection::vec((0u8..5, proptest::prelude::any::<u16>()), 0..24)
    ) {
        let cards = cards();
        let mut s = String::new();
        for (kind, pick) in parts {
            let pick = usize::from(pick);
            match kind {
                0 if pick % 2 == 0 => s.push_str(&circled_pairs(cards[pick % cards.len()])),
                0 => s.push_str(&(pick % 100_000).to_string()),
                1 => s.push_str(["a", "Zu", "rich", "x", "n"][pick % 5]),
                2 => s.push_str([" ", ".", "-", "/", "+", ",", ":"][pick % 7]),
                3 => s.push(WIDE[pick % WIDE.len()]),
                _ => s.push_str(&to_script(cards[pick % cards.len()], SCRIPT_ZEROS[pick % 4])),
            }
        }
        if too_few_digits(&s, &word::Facts::of(s.as_bytes())) {
            proptest::prop_assert!(
                find_pans_fully(&decode::Readings::new(&s), &Field::default()).0.is_empty(),
                "a string of {} characters",
                s.chars().count()
            );
        }
    }
}

#[test]
fn grouped_cards_glued_to_a_cvv_or_after_zeros_are_found() {
    // A grouped card's last group running into its CVV or expiry, or its
    // first group after leading zeros, with one gap's separator different.
    for (i, text) in [
        "4111 1111 1111 11111234",
        "4111 1111 1111 1111123",
        "4111-1111 1111-1111 123",
        "4111 1111-1111 1111123",
        "3782 822463 100051234",
        "4111.1111 1111.11110000",
        "0004111 1111 1111 1111",
        "00004111-1111 1111-1111",
        "0004111 1111-1111 11111229",
        // `00` then more digits than a telephone number holds.
        "004111 1111 1111 1111",
        "004111-1111-1111-1111123",
        // One separator throughout: any glued digits, any grouping (the
        // glued shape, which nothing here lowers).
        "4111 1111 1111 11111234567",
        "411111 111111 1111123",
        "41111111 11111111 0129",
        "4111-111111-1111111",
        "000411111 1111111 111123",
        // Two glued digits where the layout ends, or a month and `/YY`.
        "4111 1111 1111 111112",
        "4111 1111 1111 111112/28",
        "411111111111111112/2028",
        "41111111111111111212-28",
    ]
    .iter()
    .enumerate()
    {
        assert!(contains_pan(text), "case {i}");
    }
    // Not: two glued digits other than `00` (an IMEI's shape) and no date
    // after them, or inside a longer layout of fours; glued digits beyond
    // an expiry's six after a layout of mixed separators, groups of mixed
    // separators not laid out as a card, or a layout of at most 15 digits
    // after `00`.
    for (i, text) in [
        "411111111111111112",
        "411111111111111113/28",
        "3056 9309 0259 0412 3456",
        "4111 1111-1111 11111234567",
        "41-111111 11111111 123",
        // `00` then at most 15 digits may be dialled.
        "003782 822463 10005",
    ]
    .iter()
    .enumerate()
    {
        assert!(!contains_pan(text), "case {i}");
    }
}

#[test]
fn a_blank_beside_the_point_makes_a_list_not_a_decimal() {
    // A 13-digit Maestro number, and a 16-digit one in groups of six.
    let complete = |body: &str| {
        (b'0'..=b'9')
            .map(|c| format!("{body}{}", char::from(c)))
            .find(|s| luhn_valid(&s.bytes().map(|b| b - b'0').collect::<Vec<_>>()))
            .unwrap_or_default()
    };
    let short = complete("561234567890");
    let long = complete("220012345678901");
    let long = format!(
        "{}\u{2013}{}\u{2013}{}",
        &long[..6],
        &long[6..12],
        &long[12..]
    );
    for card in [&short, &long] {
        for text in [
            format!("2 km 8, {card}"),
            format!("2KM{{\u{ff14}, {card}"),
            format!("score 8 ,{card}"),
            format!("km 8,\u{a0}{card}"),
        ] {
            assert_eq!(find_pans(&text).len(), 1, "a card after a list's comma");
        }
    }
    // Written as a decimal with its quantity word, the digits are its
    // fraction.
    assert!(find_pans(&format!("2 km 8,{short}")).is_empty());
}
