//! Generators for reference numbers that hold card-shaped windows
//! (`src/sanitize/context/refs.rs`): Brazilian fiscal access keys, WeChat
//! Pay ids, .NET tick counts, dated order ids, airline e-tickets, UPI
//! references, Shopify and Google Play ids, each placed where shops send
//! them; and card numbers placed in the same fields, after the same words,
//! glued the same way, for recall beside them.
//!
//! Dates are near the day the measurement runs (the sanitizer reads them
//! against its clock).

use super::{pan_of, Case, Expect, PolicyKind, Rng, BRANDS};
use serde_json::{json, Value};
use txveil::schema::Endpoint;

/// A generator of one realistic request that must not be flagged.
pub(crate) type Realistic = fn(&mut Rng) -> Value;

/// A generator of one card case that must be caught.
pub(crate) type CardCase = fn(&mut Rng) -> Case;

/// Reference numbers that context tells from cards: each under 1 %
/// flagged.
pub(crate) const OVERBLOCKING: &[(&str, Realistic)] = &[
    (
        "nf-e/ct-e access keys, plain, in groups of 4, after chave de acesso",
        fiscal_keys,
    ),
    (
        "wechat pay transaction ids (transaction id, key, note)",
        wechat_ids,
    ),
    (
        "dated order ids YYMMDDhhmmss+7 (transaction id, order_no, Order ...)",
        dated_ids_19,
    ),
    (
        "airline e-tickets 618/607/695 (ticket key or word, ###-########## in transaction id)",
        e_tickets,
    ),
    (
        "upi references (utr key, UPI ref no., IN transaction id)",
        upi_refs,
    ),
    (
        "shopify variant ids (cart item_id, variant_id, ?variant=)",
        shopify_variants,
    ),
    ("shopify order gids and shopify keys", shopify_orders),
    (
        "flipkart order ids OD + 18 digits (transaction id, order key, note, IN orders)",
        flipkart_orders,
    ),
    (
        "korean parcel numbers: CJ 12 (mod 7), Korea Post 13 (tracking_no, note, KR orders)",
        korean_parcels,
    ),
    (
        "loyalty numbers: tesco clubcard 634004 (18), ikea family 6275980 (19), under loyalty keys or words",
        loyalty_numbers,
    ),
];

/// The same kinds of ids where no context tells them (a whole card shape,
/// or no word and no field type): reported, not held under 1 %.
pub(crate) const LIMITS: &[(&str, Realistic)] = &[
    (
        ".net ticks ids (transaction id, session id, created_ticks; whole 18-digit card shapes stay)",
        ticks_ids,
    ),
    (
        "google play order ids GPA. (whole 17-digit JCB shapes stay)",
        google_play,
    ),
    (
        "dated order ids YYMMDDhhmmss+4 and YYMMDD+10 (16 digits: whole card shapes)",
        dated_ids_16,
    ),
    (
        "airline e-tickets 618/607/695 written plain in transaction id",
        e_tickets_plain_in_transaction_id,
    ),
    (
        "shopify order ids (13 digits) in transaction id",
        shopify_orders_in_transaction_id,
    ),
    (
        "lazada order ids, 15 digits (transaction id, lazada_order, PH/MY/TH/VN orders; whole 15-digit amex and diners shapes stay)",
        lazada_orders,
    ),
    (
        "taobao order ids, 19 digits (CN transaction id, tb_order; whole 19-digit card shapes stay)",
        taobao_orders,
    ),
    (
        "aliexpress order ids, 16 digits 80/81/30/31 (whole 16-digit card shapes stay)",
        aliexpress_orders,
    ),
    (
        "imeisv, 16 digits (imeisv key, IMEISV word; whole 16-digit JCB shapes stay)",
        imeisvs,
    ),
];

/// Cards placed as the references are: must be caught.
pub(crate) const RECALL: &[(&str, CardCase)] = &[
    (
        "card in groups of 4 then more groups of 4 (no key), br notes",
        card_then_groups_br,
    ),
    (
        "card after chave de acesso, e-ticket, UPI ref no., Order",
        card_after_reference_words,
    ),
    (
        "card glued to cvv or expiry in transaction id, session id, order_no, utr, variant_id, item_id",
        card_glued_in_id_fields,
    ),
    (
        "card in a card layout in transaction id, session id, ticket_number, utr, variant_id",
        card_layout_in_id_fields,
    ),
    (
        "card alone, plain, in ticket_number, utr, variant_id, created_ticks",
        card_plain_in_reference_keys,
    ),
    (
        "maestro 12-15 alone in transaction id of an IN order",
        short_maestro_in_indian_transaction_id,
    ),
    (
        "card glued to 1-2 digits in cart item_id",
        card_glued_short_in_item_id,
    ),
    (
        "mastercard 2-series glued to cvv in transaction id (a dated id's shape)",
        mastercard_glued_in_transaction_id,
    ),
    (
        "card (not short maestro) plain or in a card layout in a CN, PH or KR order's transaction id, tracking_no, imeisv",
        card_in_marketplace_fields,
    ),
];

/// Cards placed as marketplace and parcel ids are, where their context
/// lowers them by design: what that costs, measured, not held.
pub(crate) const COSTS: &[(&str, CardCase)] = &[
    (
        "card glued to a cvv or 00 in a CN order's transaction id (a taobao id's shape)",
        card_glued_in_chinese_transaction_id,
    ),
    (
        "card after OD in a transaction id (a flipkart id's shape)",
        card_after_od,
    ),
    (
        "short maestro 12-15 in a PH or KR order's transaction id or order key",
        short_maestro_in_order_fields,
    ),
];

// === Dates ===

/// Today in days since 1970-01-01 (UTC).
fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs / 86_400).unwrap_or(0)
}

/// The civil date (year, month, day) of day `days` since 1970-01-01.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// A day at most `back` days before today.
fn recent(rng: &mut Rng, back: usize) -> i64 {
    today() - rng.below(back) as i64
}

// === Generators ===

fn mod11(body: &str) -> char {
    let s: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (2 + (i as u32 % 8)))
        .sum();
    match s % 11 {
        0 | 1 => '0',
        r => char::from(b'0' + (11 - r) as u8),
    }
}

/// An access key: a state, this year or last, a CNPJ with its check
/// digits, model 55, 57 or 65, series, number, emission type, code, check.
fn fiscal_key(rng: &mut Rng) -> String {
    let (y, _, _) = civil(recent(rng, 700));
    let mut cnpj = rng.digits(12);
    cnpj.push(mod11(&cnpj));
    cnpj.push(mod11(&cnpj));
    let mut k = format!(
        "{}{:02}{:02}{cnpj}{}{:03}{}1{}",
        rng.pick(&["35", "33", "31", "41", "43", "42", "29", "53"]),
        y % 100,
        rng.range(1, 12),
        rng.pick(&["55", "65", "57"]),
        rng.range(1, 999),
        rng.digits(9),
        rng.digits(8)
    );
    k.push(mod11(&k));
    k
}

fn fours(s: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
}

fn fiscal_keys(rng: &mut Rng) -> Value {
    let k = fiscal_key(rng);
    let v = match rng.below(4) {
        0 => k,
        1 => fours(&k),
        2 => format!("Chave de acesso: {}", fours(&k)),
        _ => format!("NF-e {}", fours(&k)),
    };
    match rng.below(3) {
        0 => json!({"billing": {"country": "BR"}, "custom_inputs": {"note": v}}),
        1 => json!({"custom_inputs": {"nfe": v}}),
        _ => json!({"billing": {"country": "BR"}, "shipping": {"address_2": v}}),
    }
}

fn wechat_id(rng: &mut Rng) -> String {
    let (y, m, d) = civil(recent(rng, 340));
    format!(
        "{}{}{y:04}{m:02}{d:02}{}",
        rng.pick(&["4200", "4200", "4201", "4202"]),
        rng.digits(6),
        rng.digits(10)
    )
}

fn wechat_ids(rng: &mut Rng) -> Value {
    let v = wechat_id(rng);
    match rng.below(3) {
        0 => json!({"billing": {"country": "CN"}, "event": {"transaction_id": v}}),
        1 => json!({"custom_inputs": {"wx_transaction_id": v}}),
        _ => json!({"custom_inputs": {"note": v}}),
    }
}

fn ticks(rng: &mut Rng) -> String {
    const EPOCH: u64 = 621_355_968_000_000_000;
    const DAY: u64 = 864_000_000_000;
    let day = recent(rng, 730) as u64;
    (EPOCH + day * DAY + rng.next() % DAY).to_string()
}

fn ticks_ids(rng: &mut Rng) -> Value {
    let v = ticks(rng);
    match rng.below(3) {
        0 => json!({"event": {"transaction_id": v}}),
        1 => json!({"device": {"ip_address": "81.2.69.160", "session_id": v}}),
        _ => json!({"custom_inputs": {"created_ticks": v}}),
    }
}

fn moment(rng: &mut Rng) -> String {
    let (y, m, d) = civil(recent(rng, 3 * 365));
    format!(
        "{:02}{m:02}{d:02}{:02}{:02}{:02}",
        y % 100,
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

fn in_order_places(rng: &mut Rng, v: String) -> Value {
    match rng.below(3) {
        0 => json!({"event": {"transaction_id": v}}),
        1 => json!({"custom_inputs": {"order_no": v}}),
        _ => json!({"custom_inputs": {"note": format!("Order {v}")}}),
    }
}

fn dated_ids_19(rng: &mut Rng) -> Value {
    let v = format!("{}{}", moment(rng), rng.digits(7));
    in_order_places(rng, v)
}

fn dated_ids_16(rng: &mut Rng) -> Value {
    let v = if rng.chance(2) {
        format!("{}{}", moment(rng), rng.digits(4))
    } else {
        format!("{}{}", &moment(rng)[..6], rng.digits(10))
    };
    in_order_places(rng, v)
}

fn ticket(rng: &mut Rng) -> String {
    let serial = rng.digits(9);
    let check = serial.parse::<u64>().unwrap_or(0) % 7;
    format!("{}{serial}{check}", rng.pick(&["618", "607", "695"]))
}

fn e_tickets(rng: &mut Rng) -> Value {
    let t = ticket(rng);
    let written = match rng.below(3) {
        0 => t.clone(),
        1 => format!("{}-{}", &t[..3], &t[3..]),
        _ => format!("{} {}", &t[..3], &t[3..]),
    };
    match rng.below(3) {
        0 => json!({"custom_inputs": {"ticket_number": written}}),
        1 => json!({"custom_inputs": {"note": format!("e-ticket {written}")}}),
        _ => json!({"event": {"transaction_id": format!("{}-{}", &t[..3], &t[3..])}}),
    }
}

fn e_tickets_plain_in_transaction_id(rng: &mut Rng) -> Value {
    json!({"event": {"transaction_id": ticket(rng)}})
}

/// A UPI reference of a day at most `back` days ago.
fn utr(rng: &mut Rng, back: usize) -> String {
    let day = recent(rng, back);
    let (y, _, _) = civil(day);
    let mut first = day;
    while civil(first - 1).0 == y {
        first -= 1;
    }
    format!(
        "{}{:03}{:02}{}",
        y % 10,
        day - first + 1,
        rng.below(24),
        rng.digits(6)
    )
}

fn upi_refs(rng: &mut Rng) -> Value {
    let v = utr(rng, 330);
    match rng.below(3) {
        // The reference of the payment being scored: made these days.
        0 => json!({"billing": {"country": "IN"}, "event": {"transaction_id": utr(rng, 3)}}),
        1 => json!({"billing": {"country": "IN"}, "custom_inputs": {"utr": v}}),
        _ => json!({"custom_inputs": {"note": format!("UPI ref no. {v}")}}),
    }
}

fn variant(rng: &mut Rng) -> String {
    format!("4{}{}", rng.below(10), rng.digits(12))
}

fn shopify_variants(rng: &mut Rng) -> Value {
    let v = variant(rng);
    match rng.below(3) {
        0 => json!({"shopping_cart": [{"item_id": v, "quantity": 1, "price": 19.9}]}),
        1 => json!({"custom_inputs": {"variant_id": v}}),
        _ => json!({"order": {"referrer_uri":
            format!("https://shop.example.com/products/linen-shirt?variant={v}")}}),
    }
}

fn shopify_order(rng: &mut Rng) -> String {
    format!("{}{}", rng.range(5, 6), rng.digits(12))
}

fn shopify_orders(rng: &mut Rng) -> Value {
    let v = shopify_order(rng);
    match rng.below(3) {
        0 => json!({"order": {"referrer_uri":
            format!("https://admin.example.com/gid://shopify/Order/{v}")}}),
        1 => json!({"custom_inputs": {"gid": format!("gid://shopify/Order/{v}")}}),
        _ => json!({"custom_inputs": {"shopify_order_id": v}}),
    }
}

fn shopify_orders_in_transaction_id(rng: &mut Rng) -> Value {
    json!({"event": {"transaction_id": shopify_order(rng)}})
}

fn google_play(rng: &mut Rng) -> Value {
    let v = format!(
        "GPA.33{}-{}-{}-{}",
        rng.digits(2),
        rng.digits(4),
        rng.digits(4),
        rng.digits(5)
    );
    match rng.below(3) {
        0 => json!({"event": {"transaction_id": v}}),
        1 => json!({"custom_inputs": {"order_id": v}}),
        _ => json!({"custom_inputs": {"note": v}}),
    }
}

fn flipkart_orders(rng: &mut Rng) -> Value {
    let v = format!("OD{}{}", rng.range(1, 4), rng.digits(17));
    match rng.below(3) {
        0 => json!({"billing": {"country": "IN"}, "event": {"transaction_id": v}}),
        1 => json!({"custom_inputs": {"order_id": v}}),
        _ => {
            json!({"billing": {"country": "IN"}, "custom_inputs": {"note": format!("return {v}")}})
        }
    }
}

fn lazada_orders(rng: &mut Rng) -> Value {
    let v = format!("{}{}", rng.range(3, 8), rng.digits(14));
    let country = *rng.pick(&["PH", "MY", "TH", "VN"]);
    if rng.chance(2) {
        json!({"billing": {"country": country}, "event": {"transaction_id": v}})
    } else {
        json!({"billing": {"country": country}, "custom_inputs": {"lazada_order": v}})
    }
}

fn korean_parcel(rng: &mut Rng) -> String {
    if rng.chance(2) {
        // CJ Logistics: 11 digits and their remainder mod 7.
        let body = format!("{}{}", rng.pick(&["3", "5", "6"]), rng.digits(10));
        let rem = body.parse::<u64>().unwrap_or(0) % 7;
        format!("{body}{rem}")
    } else {
        // Korea Post: 13 digits.
        format!("{}{}", rng.pick(&["1", "6"]), rng.digits(12))
    }
}

fn korean_parcels(rng: &mut Rng) -> Value {
    let v = korean_parcel(rng);
    match rng.below(4) {
        0 => json!({"billing": {"country": "KR"}, "custom_inputs": {"tracking_no": v}}),
        1 => {
            json!({"billing": {"country": "KR"}, "custom_inputs": {"note": format!("운송장번호 {v}")}})
        }
        2 => json!({"custom_inputs": {"note": format!("CJ대한통운 {v}")}}),
        _ => json!({"billing": {"country": "KR"}, "custom_inputs": {"note": format!("order {v}")}}),
    }
}

fn taobao_orders(rng: &mut Rng) -> Value {
    let v = format!("{}{}", rng.range(1, 4), rng.digits(18));
    match rng.below(3) {
        0 => json!({"billing": {"country": "CN"}, "event": {"transaction_id": v}}),
        1 => json!({"billing": {"country": "CN"}, "custom_inputs": {"tb_order": v}}),
        _ => json!({"custom_inputs": {"note": format!("订单号: {v}")}}),
    }
}

fn aliexpress_orders(rng: &mut Rng) -> Value {
    let v = format!("{}{}", rng.pick(&["80", "81", "30", "31"]), rng.digits(14));
    match rng.below(3) {
        0 => json!({"event": {"transaction_id": v}}),
        1 => json!({"custom_inputs": {"aliexpress_order": v}}),
        _ => json!({"custom_inputs": {"note": format!("AliExpress order {v}")}}),
    }
}

fn imeisvs(rng: &mut Rng) -> Value {
    let v = format!(
        "{}{}{:02}",
        rng.pick(&["35", "35", "35", "86", "01", "99"]),
        rng.digits(12),
        rng.below(99)
    );
    if rng.chance(2) {
        json!({"custom_inputs": {"imeisv": v}})
    } else {
        json!({"custom_inputs": {"device_info": format!("IMEISV: {v}")}})
    }
}

// === Cards placed the same way ===

fn rejected(request: Value, path: &str) -> Case {
    Case {
        request,
        endpoint: Endpoint::Transaction,
        policy: PolicyKind::Default,
        expect: Expect::Rejected("PAN_DETECTED", path.into()),
    }
}

/// A card of any brand and length, not starting with `1` (airline cards
/// are read whole only).
fn card(rng: &mut Rng) -> String {
    loop {
        let (prefix, lengths) = *rng.pick(BRANDS);
        let len = *rng.pick(lengths);
        let p = pan_of(rng, prefix, len);
        if !p.starts_with('1') {
            return p;
        }
    }
}

/// A card of 16 digits of any brand.
fn card16(rng: &mut Rng) -> String {
    loop {
        let (prefix, lengths) = *rng.pick(BRANDS);
        if lengths.contains(&16) && !prefix.starts_with('1') {
            return pan_of(rng, prefix, 16);
        }
    }
}

fn card_then_groups_br(rng: &mut Rng) -> Case {
    let c = card16(rng);
    let v = format!("{} {}", fours(&c), fours(&rng.digits(28)));
    json_note_br(v)
}

fn json_note_br(v: String) -> Case {
    rejected(
        json!({"billing": {"country": "BR"}, "custom_inputs": {"note": v}}),
        "/custom_inputs/note",
    )
}

fn card_after_reference_words(rng: &mut Rng) -> Case {
    let c = card(rng);
    let word = *rng.pick(&[
        "Chave de acesso: ",
        "e-ticket ",
        "UPI ref no. ",
        "Order ",
        "NF-e ",
        "variant ",
    ]);
    let v = if rng.chance(2) {
        format!("{word}{c}")
    } else {
        format!("{word}{}", fours(&c))
    };
    json_note_br(v)
}

/// The id fields and keys of the references, with their paths.
fn id_field(rng: &mut Rng, v: String) -> (Value, &'static str) {
    match rng.below(7) {
        0 => (
            json!({"event": {"transaction_id": v}}),
            "/event/transaction_id",
        ),
        1 => (
            json!({"device": {"ip_address": "81.2.69.160", "session_id": v}}),
            "/device/session_id",
        ),
        2 => (
            json!({"custom_inputs": {"order_no": v}}),
            "/custom_inputs/order_no",
        ),
        3 => (
            json!({"billing": {"country": "IN"}, "custom_inputs": {"utr": v}}),
            "/custom_inputs/utr",
        ),
        4 => (
            json!({"custom_inputs": {"variant_id": v}}),
            "/custom_inputs/variant_id",
        ),
        5 => (
            json!({"custom_inputs": {"ticket_number": v}}),
            "/custom_inputs/ticket_number",
        ),
        _ => (
            json!({"custom_inputs": {"created_ticks": v}}),
            "/custom_inputs/created_ticks",
        ),
    }
}

fn card_glued_in_id_fields(rng: &mut Rng) -> Case {
    let c = card(rng);
    let v = match rng.below(4) {
        0 => format!("{c}{}", rng.digits(3)),
        1 => format!("{c}{}", rng.digits(4)),
        2 => format!("{c}{:02}{:02}", rng.range(1, 12), rng.range(25, 35)),
        _ => format!("{c}00"),
    };
    if rng.chance(7) {
        return rejected(
            json!({"shopping_cart": [{"item_id": v}]}),
            "/shopping_cart/0/item_id",
        );
    }
    let (r, p) = id_field(rng, v);
    rejected(r, p)
}

fn card_layout_in_id_fields(rng: &mut Rng) -> Case {
    let c = card16(rng);
    let sep = *rng.pick(&[" ", "-", "."]);
    let v = c
        .as_bytes()
        .chunks(4)
        .map(|g| std::str::from_utf8(g).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(sep);
    let (r, p) = id_field(rng, v);
    rejected(r, p)
}

fn card_plain_in_reference_keys(rng: &mut Rng) -> Case {
    let c = card(rng);
    let (r, p) = id_field(rng, c);
    rejected(r, p)
}

fn short_maestro_in_indian_transaction_id(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(&[
        "5018", "5020", "5038", "6304", "6759", "6761", "6762", "6763",
    ]);
    let len = rng.range(12, 15);
    let c = pan_of(rng, prefix, len);
    rejected(
        json!({"billing": {"country": "IN"}, "event": {"transaction_id": c}}),
        "/event/transaction_id",
    )
}

fn card_glued_short_in_item_id(rng: &mut Rng) -> Case {
    let c = card(rng);
    let v = if rng.chance(2) {
        format!("{c}{}", rng.digits(1))
    } else {
        format!("{c}00")
    };
    rejected(
        json!({"shopping_cart": [{"item_id": v}]}),
        "/shopping_cart/0/item_id",
    )
}

fn mastercard_glued_in_transaction_id(rng: &mut Rng) -> Case {
    // A 2-series Mastercard (2221-2720) glued to a CVV, as a dated order id
    // of 19 digits is written: lowered only when its first twelve digits
    // are a moment of the last three years (one such card in a few
    // hundred).
    let prefix = rng.range(2221, 2720).to_string();
    let c = pan_of(rng, &prefix, 16);
    rejected(
        json!({"event": {"transaction_id": format!("{c}{}", rng.digits(3))}}),
        "/event/transaction_id",
    )
}

/// Whether `c` is a short Maestro card (12-15 digits, 50 or 56-69
/// first): an ambiguous shape, which the ids' context lowers by design.
fn short_maestro(c: &str) -> bool {
    c.len() <= 15 && matches!(c[..2].parse::<u32>().unwrap_or(0), 50 | 56..=69)
}

fn card_in_marketplace_fields(rng: &mut Rng) -> Case {
    let c = loop {
        let c = card(rng);
        if !short_maestro(&c) {
            break c;
        }
    };
    let v = if rng.chance(2) { c } else { fours(&c) };
    let country = *rng.pick(&["CN", "PH", "KR", "IN"]);
    let key = *rng.pick(&["tracking_no", "imeisv", "tb_order", "lazada_order"]);
    if rng.chance(2) {
        rejected(
            json!({"billing": {"country": country}, "event": {"transaction_id": v}}),
            "/event/transaction_id",
        )
    } else {
        rejected(
            json!({"billing": {"country": country}, "custom_inputs": {key: v}}),
            &format!("/custom_inputs/{key}"),
        )
    }
}

fn card_glued_in_chinese_transaction_id(rng: &mut Rng) -> Case {
    let c = card16(rng);
    let v = if rng.chance(2) {
        format!("{c}{}", rng.digits(3))
    } else {
        format!("{c}00")
    };
    rejected(
        json!({"billing": {"country": "CN"}, "event": {"transaction_id": v}}),
        "/event/transaction_id",
    )
}

fn card_after_od(rng: &mut Rng) -> Case {
    let c = card16(rng);
    rejected(
        json!({"event": {"transaction_id": format!("OD{c}{}", rng.digits(2))}}),
        "/event/transaction_id",
    )
}

fn short_maestro_in_order_fields(rng: &mut Rng) -> Case {
    let prefix = *rng.pick(&["5018", "5020", "5038", "6304", "6759", "6390"]);
    let len = rng.range(12, 15);
    let c = pan_of(rng, prefix, len);
    let country = *rng.pick(&["PH", "KR"]);
    if rng.chance(2) {
        rejected(
            json!({"billing": {"country": country}, "event": {"transaction_id": c}}),
            "/event/transaction_id",
        )
    } else {
        rejected(
            json!({"billing": {"country": country}, "custom_inputs": {"order_no": c}}),
            "/custom_inputs/order_no",
        )
    }
}

fn loyalty_numbers(rng: &mut Rng) -> Value {
    let (v, name) = if rng.chance(2) {
        (pan_of(rng, "634004", 18), "Tesco Clubcard")
    } else {
        (pan_of(rng, "6275980", 19), "IKEA Family")
    };
    match rng.below(3) {
        0 => json!({"custom_inputs": {"loyalty_card": v}}),
        1 => json!({"custom_inputs": {"clubcard": v}}),
        _ => json!({"custom_inputs": {"note": format!("{name} {v}")}}),
    }
}
