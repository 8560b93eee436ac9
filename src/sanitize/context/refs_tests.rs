use super::*;
use crate::sanitize::context::{Field, Order};
use crate::sanitize::pan::{self, luhn_valid};
use crate::sanitize::word::Facts;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
    fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.below(10) as u8).collect()
    }
}

fn text(d: &[u8]) -> String {
    d.iter().map(|&x| char::from(b'0' + x)).collect()
}

fn today() -> i64 {
    super::super::today_number()
}

/// The civil date of day `day` as (year, month, day).
fn date(day: i64) -> (i64, i64, i64) {
    let (y, m, d) = super::super::civil_date(u64::try_from(day).unwrap());
    (i64::from(y), i64::from(m), i64::from(d))
}

/// Whether the sanitizer's card finder finds a card in `s`, a value of
/// `field`.
fn flagged(s: &str, field: &Field<'_>) -> bool {
    !pan::find_pans_in(s, &Facts::of(s.as_bytes()), field).is_empty()
}

fn note() -> Field<'static> {
    Field::of(None, true, "note")
}

/// A valid access key (NF-e of São Paulo, this year).
fn fiscal_key(rng: &mut Rng) -> Vec<u8> {
    let mut cnpj = rng.digits(12);
    cnpj.push(mod11_digit(&cnpj));
    cnpj.push(mod11_digit(&cnpj));
    let mut d = vec![3, 5, 2, 6, 0, 1 + rng.below(9) as u8];
    d.extend(cnpj);
    d.extend([5, 5]);
    d.extend(rng.digits(12));
    d.push(1);
    d.extend(rng.digits(8));
    d.push(mod11_digit(&d));
    d
}

fn in_fours(d: &[u8]) -> String {
    d.chunks(4).map(text).collect::<Vec<_>>().join(" ")
}

#[test]
fn fiscal_keys_are_found_by_their_check_digits() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let key = fiscal_key(&mut rng);
    assert!(fiscal_key_ok(&key));
    let mut unchecked = key.clone();
    unchecked[19] = (unchecked[19] + 1) % 10;
    unchecked[43] = mod11_digit(&unchecked[..43]);
    assert_eq!(super::fiscal_key(&unchecked, today()), Some(false));
    let found = find(&in_fours(&key), today());
    assert!(found
        .iter()
        .any(|f| f.kind == Ref::FiscalKey && f.digits == 44));
    // Its own check digit, the issuer's, the model, the month: each is
    // needed.
    for (at, v) in [(43, 1), (19, 1), (20, 2), (4, 9)] {
        let mut bad = key.clone();
        bad[at] = (bad[at] + v) % 10;
        assert!(!fiscal_key_ok(&bad), "digit {at}");
    }
}

fn fiscal_key_ok(d: &[u8]) -> bool {
    super::fiscal_key(d, today()) == Some(true)
}

/// Access keys whose groups of four hold a Luhn-valid card window (refused
/// as cards when the key's check digit is wrong) are not cards, printed in
/// groups of four, after their words, or plain; a card word still makes
/// them cards, and a card layout followed by groups that are no key stays a
/// card.
#[test]
fn card_windows_inside_an_access_key_are_the_key() {
    let mut rng = Rng(7);
    let mut tried = 0;
    let mut keys = 0;
    while keys < 40 {
        tried += 1;
        assert!(tried < 100_000);
        let key = fiscal_key(&mut rng);
        let mut bad = key.clone();
        bad[43] = (bad[43] + 1) % 10;
        if !flagged(&in_fours(&bad), &note()) {
            continue;
        }
        keys += 1;
        assert!(flagged(&in_fours(&bad), &note()));
        for s in [
            in_fours(&key),
            format!("Chave de acesso: {}", in_fours(&key)),
            text(&key),
        ] {
            assert!(!flagged(&s, &note()), "key {keys}");
            assert!(!flagged(&s, &Field::default()), "key {keys}");
        }
        assert!(flagged(&format!("cartão {}", in_fours(&key)), &note()));
    }
}

/// A WeChat Pay transaction id: `420`, six digits, the day of payment, ten
/// digits.
fn wechat_id(rng: &mut Rng, day: i64) -> Vec<u8> {
    let (y, m, d) = date(day);
    let mut out = vec![4, 2, 0];
    out.extend(rng.digits(7));
    out.extend(text_digits(&format!("{y:04}{m:02}{d:02}")));
    out.extend(rng.digits(10));
    out
}

fn text_digits(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

/// A Visa window at the start of the id (a card glued to more digits).
fn starts_with_card(d: &[u8]) -> bool {
    (12..=d.len().min(19)).any(|n| pan::is_pan(&d[..n]))
}

#[test]
fn wechat_pay_ids_of_recent_days_are_not_cards() {
    let mut rng = Rng(11);
    let mut n = 0;
    while n < 40 {
        let day = today() - rng.below(700) as i64;
        let id = wechat_id(&mut rng, day);
        if !starts_with_card(&id) {
            continue;
        }
        n += 1;
        assert!(!flagged(&text(&id), &note()), "id {n}");
        assert!(!flagged(
            &text(&id),
            &Field::of(Some("event.transaction_id"), false, "transaction_id")
        ));
        // A day that is none (month 13), or long ago, is no payment day.
        let mut bad = id.clone();
        bad[14] = 1;
        bad[15] = 3;
        assert!(!wechat_pay(&bad, today()), "id {n}");
        assert!(!wechat_pay(&id, today() + 4000), "id {n}");
        assert!(flagged(&format!("card {}", text(&id)), &note()));
    }
}

fn ticks_of(day: i64, rng: &mut Rng) -> Vec<u8> {
    let t = TICKS_AT_UNIX_EPOCH
        + u64::try_from(day).unwrap() * TICKS_PER_DAY
        + rng.below(TICKS_PER_DAY);
    text_digits(&t.to_string())
}

#[test]
fn tick_counts_near_today_in_an_id_field_or_after_a_time_word_are_not_cards() {
    let mut rng = Rng(13);
    let tx = Field::of(Some("event.transaction_id"), false, "transaction_id");
    let session = Field::of(Some("device.session_id"), false, "session_id");
    let created = Field::of(None, true, "created_ticks");
    let mut n = 0;
    while n < 40 {
        let day = today() - rng.below(2 * 365) as i64;
        let t = ticks_of(day, &mut rng);
        // Glued windows only (refused in a note with no word): a whole
        // 18-digit number that passes Luhn is a card shape by itself.
        if !flagged(&text(&t), &note()) || luhn_valid(&t) {
            continue;
        }
        n += 1;
        let s = text(&t);
        for (i, f) in [&tx, &session, &created].into_iter().enumerate() {
            assert!(!flagged(&s, f), "ticks {n} field {i}");
        }
        assert!(flagged(&format!("card {s}"), &created));
    }
}

#[test]
fn a_recent_tick_count_that_is_a_whole_card_shape_needs_a_time_word() {
    let mut rng = Rng(19);
    let created = Field::of(None, true, "created_ticks");
    let mut n = 0;
    while n < 30 {
        let day = today() - rng.below(2 * 365) as i64;
        let t = ticks_of(day, &mut rng);
        if !pan::is_pan(&t) {
            continue;
        }
        n += 1;
        let s = text(&t);
        // A time word in the key or before the digits, and a moment of the
        // last three years.
        assert!(!flagged(&s, &created), "ticks {n}");
        assert!(!flagged(&format!("created {s}"), &note()), "ticks {n}");
        // No word, an id's key, a card word: a card.
        assert!(flagged(&s, &note()), "ticks {n}");
        assert!(flagged(&s, &Field::of(None, true, "ref")), "ticks {n}");
        assert!(flagged(&format!("card {s}"), &created), "ticks {n}");
    }
    // A moment of five years ago is no longer one.
    let mut n = 0;
    while n < 30 {
        let t = ticks_of(today() - 5 * 365 - rng.below(365) as i64, &mut rng);
        if !pan::is_pan(&t) {
            continue;
        }
        n += 1;
        assert!(flagged(&text(&t), &created), "old ticks {n}");
    }
}

#[test]
fn a_whole_card_shape_stays_a_card_in_any_id_field() {
    let mut rng = Rng(17);
    let tx = Field::of(Some("event.transaction_id"), false, "transaction_id");
    let mut n = 0;
    while n < 20 {
        let day = today() - rng.below(2 * 365) as i64;
        let t = ticks_of(day, &mut rng);
        if !pan::is_pan(&t) {
            continue;
        }
        n += 1;
        assert!(flagged(&text(&t), &tx), "ticks {n}");
    }
}

/// `YYMMDDhhmmss` of a moment of day `day`, then `more` random digits.
fn dated_id(rng: &mut Rng, day: i64, more: usize) -> Vec<u8> {
    let (y, m, d) = date(day);
    let mut out = text_digits(&format!(
        "{:02}{m:02}{d:02}{:02}{:02}{:02}",
        y % 100,
        rng.below(24),
        rng.below(60),
        rng.below(60)
    ));
    out.extend(rng.digits(more));
    out
}

#[test]
fn dated_order_ids_in_an_order_context_are_not_cards() {
    let mut rng = Rng(19);
    let tx = Field::of(Some("event.transaction_id"), false, "transaction_id");
    let order_no = Field::of(None, true, "order_no");
    let mut n = 0;
    while n < 40 {
        let day = today() - rng.below(3 * 365) as i64;
        let id = dated_id(&mut rng, day, 7);
        if !starts_with_card(&id) {
            continue;
        }
        n += 1;
        let s = text(&id);
        assert!(!flagged(&s, &tx), "id {n}");
        assert!(!flagged(&s, &order_no), "id {n}");
        assert!(!flagged(&format!("Order {s}"), &note()), "id {n}");
        assert!(flagged(&s, &note()), "id {n}");
        // A time of day that is none (hour 24 or more) is no moment, nor
        // is a day long ago.
        let mut bad = id.clone();
        bad[6] = 2;
        bad[7] = 4 + rng.below(6) as u8;
        assert!(!super::dated_id(&bad, today()), "id {n}");
        assert!(!super::dated_id(&id, today() + 4000), "id {n}");
    }
}

/// An e-ticket of airline `code`: the serial's remainder mod 7 last.
fn e_ticket_of(rng: &mut Rng, code: &[u8; 3]) -> Vec<u8> {
    let mut d = code.to_vec();
    d.extend(rng.digits(9));
    d.push((number(&d[3..12]) % 7) as u8);
    d
}

#[test]
fn e_tickets_after_a_ticket_word_or_laid_out_in_a_transaction_id_are_not_cards() {
    let mut rng = Rng(23);
    let tx = Field::of(Some("event.transaction_id"), false, "transaction_id");
    let key = Field::of(None, true, "ticket_number");
    let mut n = 0;
    while n < 40 {
        let code = [[6, 1, 8], [6, 0, 7], [6, 9, 5]][rng.below(3) as usize];
        let t = e_ticket_of(&mut rng, &code);
        if !pan::is_pan(&t) {
            continue;
        }
        n += 1;
        let s = text(&t);
        let apart = format!("{}-{}", &s[..3], &s[3..]);
        assert!(!flagged(&s, &key), "ticket {n}");
        assert!(!flagged(&apart, &key), "ticket {n}");
        assert!(!flagged(&format!("e-ticket {s}"), &note()), "ticket {n}");
        assert!(!flagged(&apart, &tx), "ticket {n}");
        // Plain in a transaction id, or alone in a note: a short Maestro.
        assert!(flagged(&s, &tx), "ticket {n}");
        assert!(flagged(&s, &note()), "ticket {n}");
        // A serial whose check digit fails is no ticket.
        let mut bad = t.clone();
        bad[12] = (bad[12] + 1) % 10;
        assert!(!e_ticket(&bad, &[13]), "ticket {n}");
    }
}

#[test]
fn upi_references_after_their_word_or_in_an_indian_transaction_id_are_not_cards() {
    let mut rng = Rng(29);
    let mut india = Order::default();
    india.note(false, "country", "IN");
    let tx = Field {
        order: Some(&india),
        ..Field::of(Some("event.transaction_id"), false, "transaction_id")
    };
    let bare_tx = Field::of(Some("event.transaction_id"), false, "transaction_id");
    let utr_key = Field::of(None, true, "utr");
    let mut n = 0;
    while n < 40 {
        let fresh = rng.below(2) == 0;
        let day = today() - rng.below(if fresh { FRESH_DAYS as u64 } else { 300 }) as i64;
        let (y, _, _) = date(day);
        let first = day_number(y, 1, 1).unwrap();
        let mut d = vec![(y % 10) as u8];
        d.extend(text_digits(&format!(
            "{:03}{:02}",
            day - first + 1,
            rng.below(24)
        )));
        d.extend(rng.digits(6));
        if !pan::is_pan(&d) {
            continue;
        }
        n += 1;
        let s = text(&d);
        assert!(!flagged(&s, &utr_key), "utr {n}");
        assert!(!flagged(&format!("UPI ref no. {s}"), &note()), "utr {n}");
        // In an Indian transaction id, only a reference of these days.
        assert_eq!(flagged(&s, &tx), day < today() - FRESH_DAYS, "utr {n}");
        assert!(flagged(&s, &bare_tx), "utr {n}");
        assert!(flagged(&s, &note()), "utr {n}");
    }
}

#[test]
fn shopify_variant_ids_in_a_cart_or_after_variant_are_not_cards() {
    let mut rng = Rng(31);
    let item = Field::of(Some("shopping_cart[].item_id"), false, "item_id");
    let mut n = 0;
    while n < 40 {
        let mut d = vec![4, rng.below(10) as u8];
        d.extend(rng.digits(12));
        if !starts_with_card(&d) {
            continue;
        }
        n += 1;
        let s = text(&d);
        assert!(!flagged(&s, &item), "variant {n}");
        assert!(
            !flagged(&s, &Field::of(None, true, "variant_id")),
            "variant {n}"
        );
        let url = format!("https://shop.example.com/products/linen-shirt?variant={s}");
        assert!(!flagged(
            &url,
            &Field::of(Some("order.referrer_uri"), false, "referrer_uri")
        ));
        assert!(flagged(&s, &note()), "variant {n}");
    }
}

#[test]
fn google_play_order_ids_are_not_cards() {
    let mut rng = Rng(37);
    let mut n = 0;
    while n < 40 {
        let mut d = vec![3, 3];
        d.extend(rng.digits(15));
        let s = text(&d);
        let id = format!("GPA.{}-{}-{}-{}", &s[..4], &s[4..8], &s[8..12], &s[12..]);
        let bare = format!("ID.{}", &id[4..]);
        // A whole 17-digit JCB number (3337-3349) written with one
        // separator throughout is a card shape by itself, `GPA.` or not.
        if !flagged(&bare, &note()) || pan::is_pan(&d) {
            continue;
        }
        n += 1;
        assert!(!flagged(&id, &note()), "id {n}");
        assert!(flagged(&format!("card {id}"), &note()), "id {n}");
    }
}

#[test]
fn day_numbers_match_the_civil_calendar() {
    assert_eq!(day_number(1970, 1, 1), Some(0));
    assert_eq!(day_number(2000, 2, 29), Some(11_016));
    assert_eq!(day_number(2026, 2, 29), None);
    assert_eq!(day_number(2026, 13, 1), None);
    for day in [0, 11_016, 20_429, 20_794] {
        let (y, m, d) = date(day);
        assert_eq!(day_number(y, m, d), Some(day));
    }
}

/// An access key whose issuer's check digits fail (its other fields and
/// its own check digit hold) is a key only with a fiscal word or in an
/// order in Brazil.
#[test]
fn an_access_key_without_its_issuers_check_digits_needs_its_word_or_country() {
    let mut rng = Rng(41);
    let mut brazil = Order::default();
    brazil.note(false, "country", "BR");
    let in_brazil = Field {
        order: Some(&brazil),
        ..note()
    };
    let mut n = 0;
    let mut tried = 0;
    while n < 20 {
        tried += 1;
        assert!(tried < 100_000);
        let mut key = fiscal_key(&mut rng);
        key[19] = (key[19] + 1) % 10;
        key[43] = mod11_digit(&key[..43]);
        if super::fiscal_key(&key, today()) != Some(false) {
            continue;
        }
        let grouped = in_fours(&key);
        if !flagged(&grouped, &note()) {
            continue;
        }
        n += 1;
        assert!(
            !flagged(&format!("Chave de acesso: {grouped}"), &note()),
            "key {n}"
        );
        assert!(!flagged(&grouped, &in_brazil), "key {n}");
        assert!(
            !flagged(&grouped, &Field::of(None, true, "nfe_key")),
            "key {n}"
        );
    }
}

/// A field of a request whose order is in `cc`.
fn in_order<'a>(order: &'a Order, field: Field<'a>) -> Field<'a> {
    Field {
        order: Some(order),
        ..field
    }
}

fn order_in(cc: &str) -> Order {
    let mut o = Order::default();
    o.note(false, "country", cc);
    o
}

fn transaction_id() -> Field<'static> {
    Field::of(Some("event.transaction_id"), false, "transaction_id")
}

#[test]
fn flipkart_order_ids_are_not_cards_in_their_context() {
    let mut rng = Rng(43);
    let india = order_in("IN");
    let (mut glued, mut whole) = (0, 0);
    while glued < 20 || whole < 20 {
        let mut d = vec![3];
        d.extend(rng.digits(17));
        let id = format!("OD{}", text(&d));
        if !flagged(&id, &note()) {
            continue;
        }
        if pan::is_pan(&d) {
            whole += 1;
        } else {
            glued += 1;
        }
        // A card's shape of all 18 digits, or a card glued to more: the
        // `OD` glued before them is the id's own.
        assert!(!flagged(&id, &transaction_id()));
        assert!(!flagged(&format!("Order {id}"), &note()));
        assert!(!flagged(&id, &in_order(&india, note())));
        // Without `OD`, or with a card word, or the letters part of a
        // longer word, the digits stay a card.
        assert!(flagged(&text(&d), &transaction_id()));
        assert!(flagged(&format!("card {id}"), &transaction_id()));
        assert!(flagged(&format!("CODE{}", text(&d)), &transaction_id()));
    }
}

#[test]
fn korean_parcel_numbers_need_a_korean_word_or_a_korean_order() {
    let mut rng = Rng(47);
    let korea = order_in("KR");
    let germany = order_in("DE");
    let tracking = Field::of(None, true, "tracking_no");
    let mut n = 0;
    while n < 40 {
        // Korea Post: 13 digits; CJ Logistics: 11 and their remainder
        // mod 7.
        let mut d = vec![6];
        d.extend(rng.digits(if n % 2 == 0 { 12 } else { 10 }));
        if d.len() == 11 {
            let rem = d.iter().fold(0u64, |a, &x| a * 10 + u64::from(x)) % 7;
            d.push(rem as u8);
        }
        let s = text(&d);
        if !flagged(&s, &note()) {
            continue;
        }
        n += 1;
        assert!(!flagged(&s, &in_order(&korea, tracking)), "parcel {n}");
        assert!(!flagged(&format!("CJ대한통운 {s}"), &note()), "parcel {n}");
        assert!(!flagged(&format!("택배 {s}"), &note()), "parcel {n}");
        // A tracking word in an order of another country, or the order's
        // country with no word, is not enough.
        // (A GTIN-12 or -13 after a code word is one.)
        if !crate::sanitize::context::gs1_valid(&d) {
            assert!(flagged(&s, &in_order(&germany, tracking)), "parcel {n}");
        }
        // (A 13-digit number that is also a Korean resident registration
        // number is one in a Korean order.)
        if super::super::codes::find(&s).is_empty() {
            assert!(flagged(&s, &in_order(&korea, note())), "parcel {n}");
        }
        assert!(flagged(&format!("카드 {s}"), &in_order(&korea, tracking)));
    }
}

#[test]
fn marketplace_order_ids_lower_glued_and_short_shapes_in_their_country() {
    let mut rng = Rng(53);
    let china = order_in("CN");
    let philippines = order_in("PH");
    let germany = order_in("DE");
    let tb = Field::of(None, true, "tb_order");
    let (mut taobao, mut lazada) = (0, 0);
    while taobao < 20 || lazada < 20 {
        let (len, order, n) = if (taobao + lazada) % 2 == 0 {
            (19, &china, &mut taobao)
        } else {
            (15, &philippines, &mut lazada)
        };
        let mut d = rng.digits(len);
        d[0] = 1 + d[0] % 9;
        let s = text(&d);
        if !flagged(&s, &note()) || pan::is_pan(&d) {
            continue;
        }
        *n += 1;
        assert!(!flagged(&s, &in_order(order, transaction_id())));
        assert!(!flagged(&s, &in_order(order, tb)));
        assert!(!flagged(&format!("订单号 {s}"), &note()));
        // Another country, or no order word or field, keeps it a card.
        assert!(flagged(&s, &in_order(&germany, transaction_id())));
        assert!(flagged(&s, &in_order(order, note())));
    }
    // A card's shape of all the id's digits stays a card.
    let mut whole = 0;
    while whole < 10 {
        let mut d = vec![4];
        d.extend(rng.digits(18));
        if !pan::is_pan(&d) {
            continue;
        }
        whole += 1;
        assert!(flagged(&text(&d), &in_order(&china, transaction_id())));
    }
}

#[test]
fn imeisv_words_lower_a_uatp_card_after_a_zero_never_a_whole_jcb_shape() {
    let mut rng = Rng(59);
    let imeisv = Field::of(None, true, "imeisv");
    let (mut padded, mut jcb) = (0, 0);
    while padded < 20 || jcb < 20 {
        let mut d = if padded <= jcb {
            vec![0, 1]
        } else {
            vec![3, 5]
        };
        d.extend(rng.digits(14));
        let s = text(&d);
        if !flagged(&s, &note()) {
            continue;
        }
        if d[0] == 0 {
            padded += 1;
            assert!(!flagged(&s, &imeisv));
            assert!(!flagged(&format!("IMEISV: {s}"), &note()));
        } else if pan::is_pan(&d) {
            jcb += 1;
            assert!(flagged(&s, &imeisv));
        }
    }
}

/// A WeChat Pay refund id: `50`, eight digits, the day of the refund,
/// eleven digits.
fn wechat_refund_id(rng: &mut Rng, day: i64) -> Vec<u8> {
    let (y, m, d) = date(day);
    let mut out = vec![5, 0];
    out.extend(rng.digits(8));
    out.extend(text_digits(&format!("{y:04}{m:02}{d:02}")));
    out.extend(rng.digits(11));
    out
}

#[test]
fn wechat_refund_ids_of_recent_days_are_not_cards() {
    let mut rng = Rng(61);
    let mut n = 0;
    while n < 40 {
        let day = today() - rng.below(700) as i64;
        let id = wechat_refund_id(&mut rng, day);
        if !(12..=19).any(|k| pan::is_pan(&id[..k])) {
            continue;
        }
        n += 1;
        assert!(!flagged(&text(&id), &note()), "id {n}");
        assert!(!flagged(&text(&id), &transaction_id()), "id {n}");
        // A day that is none (month 13), or long ago, is no refund day.
        let mut bad = id.clone();
        bad[14] = 1;
        bad[15] = 3;
        assert!(!day_at(&bad, 10, today()), "id {n}");
        assert!(!day_at(&id, 10, today() + 4000), "id {n}");
        // Nor is a 28- or 30-digit stretch, or one starting `51`.
        let mut other = id.clone();
        other[1] = 1;
        if flagged(&text(&other), &note()) {
            assert!(flagged(&text(&other), &transaction_id()), "id {n}");
        }
        assert!(flagged(&format!("{}0", text(&id)), &note()), "id {n}");
        assert!(flagged(&format!("card {}", text(&id)), &note()));
    }
}

/// A Pix end-to-end id: `letter`, an ISPB, a moment of `day`, and eleven
/// letters and digits (digits first, when `digits_first`).
fn pix_id(rng: &mut Rng, letter: char, day: i64, digits_first: usize) -> String {
    let (y, m, d) = date(day);
    let (hh, mm) = (rng.below(24), rng.below(60));
    let mut out = format!(
        "{letter}{}{y:04}{m:02}{d:02}{hh:02}{mm:02}",
        text(&rng.digits(8))
    );
    out.push_str(&text(&rng.digits(digits_first)));
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    while out.len() < PIX_ID_LEN {
        out.push(char::from(alphabet[rng.below(26) as usize]));
    }
    out
}

#[test]
fn pix_end_to_end_ids_are_not_cards() {
    let mut rng = Rng(62);
    let mut n = 0;
    while n < 60 {
        let letter = if rng.below(2) == 0 { 'E' } else { 'D' };
        let day = today() - rng.below(700) as i64;
        let more = rng.below(5) as usize;
        let id = pix_id(&mut rng, letter, day, more);
        if !flagged(&id[1..], &note()) {
            continue;
        }
        n += 1;
        assert!(!flagged(&id, &note()), "id {n}");
        assert!(!flagged(&id, &transaction_id()), "id {n}");
        assert!(!flagged(&format!("pix {id} ok"), &note()), "id {n}");
        // Without its letter, one character longer, the letter part of a
        // word, or after a card word, the digits stay a card.
        assert!(flagged(&format!("{id}x"), &note()), "id {n}");
        assert!(flagged(&format!("X{id}"), &note()), "id {n}");
        assert!(flagged(&format!("card {id}"), &note()), "id {n}");
        // A moment long ago is none of a payment being scored.
        let old = pix_id(&mut rng, letter, today() - 4000, more);
        let digits: Vec<u8> = old[1..21].bytes().map(|b| b - b'0').collect();
        assert!(!moment_at(&digits, 8, today()));
    }
}

/// `reference` with `RF` and its ISO 11649 check digits before it.
fn creditor_ref_of(reference: &[u8]) -> String {
    let all = reference.iter().chain(&[2, 7, 1, 5, 0, 0]);
    let r = all.fold(0u32, |r, &x| (r * 10 + u32::from(x)) % 97);
    format!("RF{:02}{}", 98 - r, text(reference))
}

#[test]
fn creditor_references_are_not_cards() {
    let mut rng = Rng(63);
    // The standard's own example.
    assert!(creditor_ref(&text_digits("18539007547034")));
    assert_eq!(
        creditor_ref_of(&text_digits("539007547034")),
        "RF18539007547034"
    );
    let mut n = 0;
    while n < 60 {
        let len = 12 + rng.below(10) as usize;
        let reference = rng.digits(len);
        let rf = creditor_ref_of(&reference);
        let grouped = rf
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        let (plain_card, grouped_card) =
            (flagged(&rf[2..], &note()), flagged(&grouped[2..], &note()));
        if !plain_card && !grouped_card {
            continue;
        }
        n += 1;
        for written in [rf.clone(), grouped.clone(), rf.to_lowercase()] {
            assert!(!flagged(&written, &note()), "ref {n}");
            assert!(!flagged(&format!("Viite: {written}"), &note()), "ref {n}");
        }
        // Wrong check digits, or a card word before, leave a card.
        let mut bad = rf.clone().into_bytes();
        bad[2] = b'0' + (bad[2] - b'0' + 1) % 10;
        let bad = String::from_utf8(bad).unwrap();
        if flagged(&bad[2..], &note()) {
            assert!(flagged(&bad, &note()), "ref {n}");
        }
        if grouped_card {
            assert!(flagged(&format!("card {grouped}"), &note()), "ref {n}");
        }
        if plain_card {
            assert!(flagged(&format!("card {rf}"), &note()), "ref {n}");
        }
    }
}
