use super::*;

fn d(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

#[test]
fn libphonenumber_metadata_tells_telephone_numbers() {
    // Philippine, Indonesian, Colombian and German mobiles with their codes.
    for (i, n) in [
        "639171234567",
        "6281234567890",
        "573001234567",
        "4915112345678",
    ]
    .iter()
    .enumerate()
    {
        assert!(phone_valid(&d(n)), "number {i}");
    }
    // Lengths and ranges no plan has.
    for (i, n) in [
        "630412345678",
        "5018123456789",
        "411111111111111",
        "0049151",
    ]
    .iter()
    .enumerate()
    {
        assert!(!phone_valid(&d(n)), "number {i}");
    }
}

#[test]
fn gs1_check_digits() {
    assert!(gs1_valid(&d("4006381333931")));
    assert!(!gs1_valid(&d("4006381333932")));
    assert!(gs1_code(&d("0104006381333931")));
    assert!(gs1_code(&d("00340123450000000000")));
}

#[test]
fn impb_is_420_zip_and_a_checked_tracking_number() {
    let tracking = "9400111202555842332669";
    assert!(gs1_valid(&d(tracking)));
    assert!(impb(&d(&format!("42012345{tracking}"))));
    assert!(impb(&d(&format!("420123456789{tracking}"))));
    assert!(!impb(&d(&format!("42112345{tracking}"))));
    assert!(!impb(&d("4201234594001112025558423326")));
}

#[test]
fn chinese_resident_ids_by_iso_7064() {
    // The standard's own example (GB 11643-1999, appendix).
    let id = "11010519491231002X";
    let digits = d(&id[..17]);
    assert!(chinese_id(&digits, id, 0..17));
    assert!(!chinese_id(&digits, "110105194912310021", 0..17));
    // An 18-digit number: its check character computed here.
    let body = d("44052419800101001");
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .iter()
        .zip(weights)
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    let check = ((12 - sum % 11) % 11) as u8;
    assert!(check < 10, "this body needs X");
    let mut all = body.clone();
    all.push(check);
    assert!(chinese_id(&all, "", 0..18));
    let mut wrong = body;
    wrong.push((check + 1) % 10);
    assert!(!chinese_id(&wrong, "", 0..18));
}

#[test]
fn ibans_in_any_case_spacing_and_glued() {
    let iban = "DE89370400440532013000";
    for (text, start) in [
        (iban.to_owned(), 0),
        (iban.to_lowercase(), 0),
        ("DE89 3704 0044 0532 0130 00".to_owned(), 0),
        ("DE89-3704-0044-0532-0130-00".to_owned(), 0),
        ("DE89  3704  0044  0532  0130  00".to_owned(), 0),
        (format!("IBAN:{iban}"), 5),
        (format!("iban{iban}EUR"), 4),
    ] {
        let spans = iban_spans(&text);
        assert_eq!(spans.len(), 1, "spelling of length {}", text.len());
        assert_eq!(spans[0].start, start, "spelling of length {}", text.len());
    }
    assert!(iban_spans("DE89370400440532013001").is_empty());
    // Norway's IBAN is the shortest, 15 characters.
    assert_eq!(iban_spans("NO9386011117947").len(), 1);
}

#[test]
fn words_raise_and_lower() {
    for w in [
        "card",
        "Visa",
        "cc#",
        "tarjeta:",
        "Kreditkarte",
        "卡号",
        "カード番号",
        "카드",
        "cardNumber",
    ] {
        assert!(words::raises(w), "{w}");
    }
    for w in ["", "cardinal", "discovery", "Japan", "scan", "order"] {
        assert!(!words::raises(w), "{w}");
    }
    assert!(words::lowering("https://wa.me/").phone);
    assert!(words::lowering("Tel.").phone);
    assert!(words::lowering("deliveryLat").geo);
    assert!(words::lowering("delivery_longitude").geo);
    assert!(words::lowering("USPS tracking").code);
    assert_eq!(words::lowering("note"), words::Lowering::default());
}

#[test]
fn lists_of_numbers_are_coordinates_not_one_number() {
    assert!(numbers_list("48.85837012345679,2.294481234567891"));
    assert!(numbers_list(" -33.8688197, 151.20929550000002 "));
    assert!(!numbers_list("45678.12345678901"));
    assert!(!numbers_list("41.11111111111111"));
    assert!(!numbers_list("pay 48.85837012345679, 2.5"));
}

fn cand(shape: Shape, window: &[u8], around: &[u8], bytes: Range<usize>) -> Candidate<'static> {
    Candidate {
        shape,
        window: Vec::leak(window.to_vec()),
        around: Vec::leak(around.to_vec()),
        bytes,
        after_00: false,
    }
}

#[test]
fn a_card_word_decides_before_any_lowering() {
    // A valid Philippine mobile that is also a Luhn-valid Maestro length.
    let digits = d("639171234567");
    let short = cand(Shape::Short, &digits, &digits, 5..17);
    let text = "card 639171234567";
    assert_eq!(
        decide(&short, text, &Field::default()),
        Some(Rule::RaisingWord)
    );
    let text = "tel. 639171234567";
    assert_eq!(decide(&short, text, &Field::default()), None);
    let key = Field {
        kind: Kind::Phone,
        key: Some("backup_card"),
    };
    assert_eq!(decide(&short, text, &key), Some(Rule::RaisingWord));
}

#[test]
fn unexplained_shapes_stay_cards() {
    let digits = d("501812345678");
    let short = cand(Shape::Short, &digits, &digits, 0..12);
    assert_eq!(
        decide(&short, "501812345678", &Field::default()),
        Some(Rule::Unexplained(Shape::Short))
    );
    let decimal = cand(Shape::Decimal, &digits, &digits, 0..13);
    assert_eq!(
        decide(&decimal, "see 5.01812345678", &Field::default()),
        Some(Rule::Unexplained(Shape::Decimal))
    );
    // One number alone may be a card divided by a power of ten.
    assert_eq!(
        decide(&decimal, "5.01812345678", &Field::default()),
        Some(Rule::Unexplained(Shape::Decimal))
    );
    let lat = Field {
        kind: Kind::Number,
        key: Some("delivery_lat"),
    };
    assert_eq!(decide(&decimal, "5.01812345678", &lat), None);
    assert_eq!(
        decide(&decimal, "5.01812345678,2.5", &Field::default()),
        None
    );
}
