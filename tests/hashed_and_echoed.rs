//! Card numbers in fields txveil hashes, and the request's own raw username,
//! email address and card number echoed into other fields: generated
//! variants (every brand and length of the table, separators, digit scripts,
//! fields, both endpoints, `--lines`). No card number is ever formatted into
//! a message: failures name the brand prefix, length and field only.

use crate::corpus::{self, Rng, BRANDS};
use crate::util;
use serde_json::{json, Value};
use txveil::schema::Endpoint;
use txveil::{sanitize_value, Policy, Rejection, Sanitized};

fn with_hash_key(p: Policy) -> Policy {
    let key =
        txveil::secret::HashKey::try_new(zeroize::Zeroizing::new(b"0123456789abcdef".to_vec()))
            .unwrap();
    p.with_hash_key(std::sync::Arc::new(key))
}

/// (code, path) of a rejection, or `None` when the request was forwarded.
fn outcome(r: &Result<Sanitized, Rejection>) -> Option<(String, String)> {
    r.as_ref()
        .err()
        .map(|e| (e.code().to_owned(), e.path.to_string()))
}

/// Whether `r` refuses the request for a card number found at `path`.
fn card_found(r: &Result<Sanitized, Rejection>, path: &str) -> bool {
    outcome(r) == Some(("PAN_DETECTED".into(), path.into()))
}

/// The default policy with `on_pan = "redact"`.
fn redact_policy() -> Policy {
    let src =
        txveil::policy::DEFAULT_POLICY_SOURCE.replace("on_pan = \"reject\"", "on_pan = \"redact\"");
    txveil::policy::parse(&src, "redact").unwrap()
}

/// The answers of `txveil sanitize --lines` to `input`, one for each of
/// its `n` lines.
fn sanitize_lines(input: &str, n: usize) -> Vec<Value> {
    let out = util::txveil(&["sanitize", "--lines"], input.as_bytes());
    assert!(out.status.success());
    let text = util::stdout(&out);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), n);
    lines
}

/// Every (brand prefix, length) of the table, with a generated card.
fn every_brand_and_length(rng: &mut Rng) -> Vec<(&'static str, usize, String)> {
    let mut out = Vec::new();
    for &(prefix, lengths) in BRANDS {
        for &len in lengths {
            out.push((prefix, len, corpus::pan_of(rng, prefix, len)));
        }
    }
    out
}

/// `pan` as an app might write it where no space may go (an email local
/// part, a login name): plain, in groups joined by `.`, `-` or `_`, in one
/// of several digit scripts.
fn compact_form(rng: &mut Rng, pan: &str) -> String {
    let groups = corpus::groups_of(rng, pan);
    let sep = *rng.pick(&["", ".", "-", "_"]);
    let joined = groups.join(sep);
    if rng.below(3) == 0 {
        corpus::in_script(&joined, *rng.pick(corpus::ZEROS))
    } else {
        joined
    }
}

/// The default policy with two fields pseudonymized by `keyed_hash`, and the
/// hash key set.
fn keyed_policy(on_pan: &str) -> Policy {
    let src = txveil::policy::DEFAULT_POLICY_SOURCE
        .replace("on_pan = \"reject\"", &format!("on_pan = \"{on_pan}\""))
        .replace(
            "\"custom_inputs.*\" = \"keep\"",
            "\"custom_inputs.loyalty_id\" = \"keyed_hash\"\n\"custom_inputs.*\" = \"keep\"",
        )
        .replace(
            "\"order.*\" = \"keep\"",
            "\"order.affiliate_id\" = \"keyed_hash\"\n\"order.*\" = \"keep\"",
        );
    with_hash_key(txveil::policy::parse(&src, "keyed").unwrap())
}

/// A request with `pan` (written in some form) in one field that txveil
/// hashes, and the path that field has.
fn card_in_hashed_field(rng: &mut Rng, pan: &str, which: usize) -> (Value, &'static str) {
    let order = json!({"amount": 10, "currency": "USD"});
    match which % 6 {
        0 => (
            json!({"account": {"username": corpus::format_pan(rng, pan)}, "order": order}),
            "/account/username",
        ),
        1 => (
            json!({"account": {"username": compact_form(rng, pan)}, "order": order}),
            "/account/username",
        ),
        2 => {
            let domain = *rng.pick(&["example.com", "gmail.com", "naver.com", "例え.jp"]);
            let local = compact_form(rng, pan);
            (
                json!({"email": {"address": format!("{local}@{domain}")}, "order": order}),
                "/email/address",
            )
        }
        3 => (
            json!({"custom_inputs": {"loyalty_id": corpus::format_pan(rng, pan)}}),
            "/custom_inputs/loyalty_id",
        ),
        4 => (
            json!({"custom_inputs": {"loyalty_id": pan.parse::<u64>().unwrap()}}),
            "/custom_inputs/loyalty_id",
        ),
        _ => (
            json!({"order": {"amount": 10, "currency": "USD", "affiliate_id": compact_form(rng, pan)}}),
            "/order/affiliate_id",
        ),
    }
}

#[test]
fn a_card_number_in_a_hashed_field_is_a_card_number_found() {
    let mut rng = Rng::new(3201);
    let policy = keyed_policy("reject");
    let mut leaks = util::Leaks::default();
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for which in 0..6 {
            for _ in 0..4 {
                let (request, path) = card_in_hashed_field(&mut rng, &pan, which);
                let r = sanitize_value(&policy, Endpoint::Transaction, request);
                leaks.case(card_found(&r, path), || format!("{prefix}/{len} in {path}"));
            }
        }
    }
    leaks.assert_none(1);
}

#[test]
fn under_redact_a_hashed_field_holding_a_card_is_left_out() {
    let mut rng = Rng::new(3202);
    let policy = keyed_policy("redact");
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for which in 0..6 {
            let (request, path) = card_in_hashed_field(&mut rng, &pan, which);
            let sent = sanitize_value(&policy, Endpoint::Transaction, request)
                .unwrap_or_else(|e| panic!("{prefix}/{len} in {path}: {}", e.code()));
            let body = Value::Object(sent.body());
            let pointer = match path {
                "/account/username" => "/account/username_md5",
                other => other,
            };
            assert!(
                body.pointer(pointer).is_none(),
                "{prefix}/{len} in {path}: a hash of the card was sent"
            );
            let redacted = sent
                .report()
                .entries()
                .iter()
                .any(|(p, a)| p == path && a.name() == "redact_pan");
            assert!(redacted, "{prefix}/{len} in {path}: no redact_pan entry");
            if path == "/email/address" {
                assert!(
                    body.pointer("/email/domain").is_some(),
                    "the domain is still sent"
                );
            }
        }
    }
}

#[test]
fn hashed_fields_without_a_card_are_still_hashed() {
    let policy = keyed_policy("reject");
    let request = json!({
        "account": {"username": "jane.doe1985"},
        "email": {"address": "Jane.Doe+shop@Example.com"},
        "custom_inputs": {"loyalty_id": "LY-2231-8842"},
        "order": {"amount": 10, "currency": "USD", "affiliate_id": "partner-77"}
    });
    let sent = sanitize_value(&policy, Endpoint::Transaction, request).unwrap();
    let body = Value::Object(sent.body());
    assert_eq!(
        body["account"]["username_md5"].as_str().map(str::len),
        Some(32)
    );
    assert_eq!(body["email"]["address"].as_str().map(str::len), Some(32));
    assert_eq!(
        body["custom_inputs"]["loyalty_id"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(
        body["order"]["affiliate_id"].as_str().map(str::len),
        Some(64)
    );
}

#[test]
fn lines_mode_rejects_a_card_in_a_username_or_email_local_part() {
    let mut rng = Rng::new(3203);
    let mut input = String::new();
    let mut paths = Vec::new();
    for (_, _, pan) in every_brand_and_length(&mut rng) {
        for which in 0..3 {
            let (request, path) = card_in_hashed_field(&mut rng, &pan, which);
            input.push_str(&request.to_string());
            input.push('\n');
            paths.push(path);
        }
    }
    let lines = sanitize_lines(&input, paths.len());
    for (i, (v, path)) in lines.iter().zip(&paths).enumerate() {
        assert_eq!(
            (v["error"]["code"].as_str(), v["error"]["path"].as_str()),
            (Some("PAN_DETECTED"), Some(*path)),
            "line {i}"
        );
    }
}

// === Echoes of the request's own username, address and card ===

fn policy_with(settings: &str) -> Policy {
    let src = txveil::policy::DEFAULT_POLICY_SOURCE.replace("on_email = \"hash\"\n", settings);
    txveil::policy::parse(&src, "echo").unwrap()
}

/// MD5 of `s` as lowercase hex, to compare with what txveil wrote.
fn md5_hex(s: &str) -> String {
    use md5::Digest;
    md5::Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Usernames as people choose them, each looked for inside longer text.
fn username(rng: &mut Rng) -> String {
    let first = *rng.pick(&["maria", "jose", "kim", "nguyen", "ana", "li", "olu", "sven"]);
    let last = *rng.pick(&[
        "garcia", "santos", "jisoo", "tran", "reyes", "wei", "ade", "berg",
    ]);
    let n = rng.range(1, 9999);
    // Each has at least 6 characters and one that is not a letter (the
    // least a username needs to be looked for inside longer text).
    match rng.below(6) {
        0 => format!("{first}.{last}{n}"),
        1 => format!("{first}_{last}_{n}"),
        2 => format!("{first}{n:04}"),
        3 => format!(
            "{}{n:04}",
            rng.pick(&["김민수", "田中", "José", "Zoë", "Łukasz"])
        ),
        4 => format!("{first}-{last}"),
        _ => format!("{}{}{n}", first.to_uppercase(), last),
    }
}

/// The username written as another field of the app might hold it: in
/// other case, fullwidth, decomposed (NFD), with a different run of
/// white space.
fn echo_form(rng: &mut Rng, name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    match rng.below(5) {
        0 => name.to_owned(),
        1 => name.to_uppercase(),
        2 => name.to_lowercase(),
        3 => name.nfd().collect(),
        _ => name
            .chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
                _ => c,
            })
            .collect(),
    }
}

/// A request with `name` as `account.username` and `echo` placed in one
/// other field, and that field's path.
fn with_echo(rng: &mut Rng, name: &str, echo: &str) -> (Value, String) {
    let base = json!({"account": {"username": name}, "order": {"amount": 10, "currency": "USD"}});
    let mut request = base;
    let path = match rng.below(8) {
        0 => {
            request["account"]["user_id"] = json!(echo);
            "/account/user_id"
        }
        1 => {
            request["device"] =
                json!({"session_id": format!("sess-{echo}-{}", rng.range(1, 9999))});
            "/device/session_id"
        }
        2 => {
            request["device"] =
                json!({"user_agent": format!("ShopApp/4.2 (user {echo}; Android 14)")});
            "/device/user_agent"
        }
        3 => {
            request["custom_inputs"] = json!({"login_name": echo});
            "/custom_inputs/login_name"
        }
        4 => {
            request["order"]["referrer_uri"] =
                json!(format!("https://shop.example/u/{echo}?from=mail"));
            "/order/referrer_uri"
        }
        5 => {
            request["order"]["affiliate_id"] = json!(format!("ref:{echo}"));
            "/order/affiliate_id"
        }
        6 => {
            request["shopping_cart"] =
                json!([{"item_id": "sku-1", "category": format!("wishlist of {echo}")}]);
            "/shopping_cart/0/category"
        }
        _ => {
            request["event"] = json!({"transaction_id": format!("{echo}/{}", rng.range(1, 99999))});
            "/event/transaction_id"
        }
    };
    (request, path.to_owned())
}

/// The policies an echo is checked under: the default (`hash`), `reject`
/// and `redact` for `on_username`.
struct EchoPolicies {
    hash: Policy,
    reject: Policy,
    redact: Policy,
}

impl EchoPolicies {
    fn new() -> Self {
        EchoPolicies {
            hash: Policy::embedded_default().unwrap(),
            reject: policy_with("on_email = \"hash\"\non_username = \"reject\"\n"),
            redact: policy_with("on_email = \"hash\"\non_username = \"redact\"\n"),
        }
    }

    /// `echo` of the username `name` in `request` at `path` leaves only as
    /// the username's MD5 by default, is refused under `reject` and
    /// redacted under `redact`.
    fn assert_echo_found(&self, case: usize, name: &str, echo: &str, request: Value, path: &str) {
        let sent = sanitize_value(&self.hash, Endpoint::Transaction, request.clone())
            .unwrap_or_else(|e| panic!("case {case}: {} at {}", e.code(), e.path));
        let body = Value::Object(sent.body());
        let md5 = md5_hex(name);
        assert_eq!(body["account"]["username_md5"], md5.as_str(), "case {case}");
        let field = body.pointer(path).and_then(Value::as_str).unwrap_or("");
        assert!(field.contains(&md5), "case {case}: no MD5 in {path}");
        assert!(
            !field.contains(echo),
            "case {case}: the echo left in {path}"
        );
        let r = sanitize_value(&self.reject, Endpoint::Transaction, request.clone());
        assert_eq!(
            outcome(&r),
            Some(("USERNAME_DETECTED".into(), path.to_owned())),
            "case {case}"
        );
        let sent = sanitize_value(&self.redact, Endpoint::Transaction, request).unwrap();
        let field = Value::Object(sent.body())
            .pointer(path)
            .and_then(Value::as_str)
            .map(str::to_owned);
        assert!(
            field.unwrap_or_default().contains("[USERNAME REDACTED]"),
            "case {case}"
        );
    }
}

#[test]
fn a_username_echoed_into_any_other_field_leaves_only_as_its_md5() {
    let mut rng = Rng::new(3221);
    let policies = EchoPolicies::new();
    for i in 0..600 {
        let name = username(&mut rng);
        let echo = echo_form(&mut rng, &name);
        let (request, path) = with_echo(&mut rng, &name, &echo);
        policies.assert_echo_found(i, &name, &echo, request, &path);
    }
}

/// A username whose parts are joined by `.`, `_` or `-` (and one digit at
/// least, so that every spelling is looked for inside longer text), and
/// the same parts joined as an app respells them in an id: every joining
/// separator dropped, or written as one of `.`, `_`, `-`.
fn joined_username(rng: &mut Rng) -> (String, String) {
    let first = *rng.pick(&[
        "maria", "jose", "kim", "nguyen", "ana", "li", "Łukasz", "josé",
    ]);
    let last = *rng.pick(&["garcia", "santos", "ji", "tran", "REYES", "wei", "müller"]);
    let n = rng.range(1, 9999).to_string();
    let mut joiners = [".", "_", "-"].into_iter().cycle().skip(rng.below(3));
    let (a, b) = (joiners.next().unwrap(), joiners.next().unwrap());
    let (parts, seps): ([&str; 3], [&str; 2]) = match rng.below(4) {
        0 => ([first, last, &n], [a, ""]),
        1 => ([first, last, &n], [a, a]),
        2 => ([first, last, &n], [a, b]),
        _ => ([&n, first, last], [a, a]),
    };
    let join =
        |seps: [&str; 2]| format!("{}{}{}{}{}", parts[0], seps[0], parts[1], seps[1], parts[2]);
    let respelled = *rng.pick(&["", ".", "_", "-"]);
    let again = seps.map(|sep| if sep.is_empty() { "" } else { respelled });
    (join(seps), join(again))
}

#[test]
fn a_username_echoed_with_its_separators_respelled_leaves_only_as_its_md5() {
    let mut rng = Rng::new(3224);
    let policies = EchoPolicies::new();
    for i in 0..600 {
        let (name, spelled) = joined_username(&mut rng);
        let echo = echo_form(&mut rng, &spelled);
        let (request, path) = with_echo(&mut rng, &name, &echo);
        policies.assert_echo_found(i, &name, &echo, request, &path);
    }
    let reject = &policies.reject;
    // A username of nine letters and a dot: `johnsmith` alone in a value is
    // its echo; inside longer text nine letters are an ordinary word.
    let request = json!({"account": {"username": "john.smith", "user_id": "JohnSmith"}});
    let r = sanitize_value(reject, Endpoint::Transaction, request);
    assert_eq!(
        outcome(&r),
        Some(("USERNAME_DETECTED".into(), "/account/user_id".into()))
    );
    let request = json!({
        "account": {"username": "john.smith"},
        "device": {"user_agent": "ShopApp/4.2 (johnsmith; Android 14)"}
    });
    assert!(sanitize_value(reject, Endpoint::Transaction, request).is_ok());
    // A spelling of letters alone is an ordinary word inside text
    // (`basket.ball`, `Wireless Basketball`); alone in a value it is the
    // username's echo.
    let request = json!({
        "account": {"username": "basket.ball", "user_id": "Basketball"},
        "custom_inputs": {"search_term": "Wireless Basketball - blue"}
    });
    let r = sanitize_value(reject, Endpoint::Transaction, request);
    assert_eq!(
        outcome(&r),
        Some(("USERNAME_DETECTED".into(), "/account/user_id".into()))
    );
    let request = json!({
        "account": {"username": "basket.ball"},
        "custom_inputs": {"search_term": "Wireless Basketball - blue"}
    });
    assert!(sanitize_value(reject, Endpoint::Transaction, request).is_ok());
    // From twelve letters a spelling of letters alone is looked for inside
    // text too.
    let request = json!({
        "account": {"username": "maria.gonzalez"},
        "custom_inputs": {"note": "user MariaGonzalez ok"}
    });
    let r = sanitize_value(reject, Endpoint::Transaction, request);
    assert_eq!(
        outcome(&r),
        Some(("USERNAME_DETECTED".into(), "/custom_inputs/note".into()))
    );
    // Only the username as sent is found glued to more digits: its
    // spelling `sales13` is no part of the user id `sales130`.
    let request = json!({"account": {"username": "sales_13", "user_id": "sales130"}});
    assert!(sanitize_value(reject, Endpoint::Transaction, request).is_ok());
}

/// A username of three parts (one of them digits, so that it is looked
/// for inside longer text) and the parts as an app respells them beyond one
/// separator swapped: separators mixed, partly dropped, doubled, other
/// characters (white space, `+`, `~`, `/`, `:`, `,`, middle dots, Unicode
/// dashes), added to a username that had none, the parts in another order,
/// or glued to an id's digits.
fn respelled_username(rng: &mut Rng) -> (String, String) {
    let first = *rng.pick(&[
        "maria", "jose", "kim", "nguyen", "ana", "li", "Łukasz", "josé",
    ]);
    let last = *rng.pick(&["garcia", "santos", "ji", "tran", "REYES", "wei", "müller"]);
    let n = rng.range(10, 9999).to_string();
    let joiner = *rng.pick(&[".", "_", "-"]);
    let other = *rng.pick(&[
        " ", "+", "~", "/", ":", ",", "\u{b7}", "\u{2010}", "\u{2013}", "\u{30fb}",
    ]);
    let name = format!("{first}{joiner}{last}{joiner}{n}");
    let echo = match rng.below(8) {
        0 => format!("{first}_{last}-{n}"),
        1 => format!("{first}{last}{joiner}{n}"),
        2 => format!("{first}{other}{last}{other}{n}"),
        3 => format!("{first}{joiner}{joiner}{last}__{n}"),
        4 => {
            let echo = format!("{first}{joiner}{last}{joiner}{n}");
            return (format!("{first}{last}{n}"), echo);
        }
        5 => format!("{n}{joiner}{last}{joiner}{first}"),
        6 => format!("{last}.{first}{n}"),
        _ => format!("{}{first}{last}{n}", rng.range(1, 2099)),
    };
    (name, echo)
}

#[test]
fn a_username_respelled_in_any_other_way_leaves_only_as_its_md5() {
    let mut rng = Rng::new(3227);
    let policies = EchoPolicies::new();
    for i in 0..800 {
        let (name, spelled) = respelled_username(&mut rng);
        let echo = echo_form(&mut rng, &spelled);
        let (request, path) = with_echo(&mut rng, &name, &echo);
        policies.assert_echo_found(i, &name, &echo, request, &path);
    }
    let reject = &policies.reject;
    // White space stands only where a part ends: words of a sentence are
    // not the login spelled out.
    let request = json!({
        "account": {"username": "maria.gonzalez7"},
        "custom_inputs": {"note": "mar ia gonzalez7", "other": "maria gonz alez7"}
    });
    assert!(sanitize_value(reject, Endpoint::Transaction, request).is_ok());
    // Other people's logins are not the username.
    let request = json!({
        "account": {"username": "hannah.petrov", "user_id": "mohammedpetrov179"},
        "custom_inputs": {"referrer": "mohammed-petrov", "note": "gift for hannah smith"}
    });
    assert!(sanitize_value(reject, Endpoint::Transaction, request).is_ok());
}

/// The username as an encoding leaves it in another field: percent-encoded
/// (every byte, or the bytes a URL must escape), as HTML entities (decimal,
/// hex, named, without `;`), as JSON `\\u` escapes, with characters that
/// show nothing inside (zero-width space, word joiner, soft hyphen, bidi
/// marks, BOM, variation selector), or inside base64 or hex text (an OAuth
/// `state` blob, a hex-encoded note).
/// Keys (`binary` false) are not read as base64 or hex.
fn encoded_echo_form(rng: &mut Rng, name: &str, binary: bool) -> String {
    use base64::Engine;
    let pct = |c: char, all: bool| {
        if !all && c.is_ascii_alphanumeric() {
            c.to_string()
        } else {
            let mut b = [0; 4];
            c.encode_utf8(&mut b)
                .bytes()
                .map(|x| format!("%{x:02X}"))
                .collect()
        }
    };
    let invisible = [
        '\u{200B}', '\u{2060}', '\u{AD}', '\u{200E}', '\u{FEFF}', '\u{FE0F}',
    ];
    match rng.below(if binary { 9 } else { 7 }) {
        0 => name.chars().map(|c| pct(c, true)).collect(),
        1 => name.chars().map(|c| pct(c, false)).collect(),
        2 => name.chars().map(|c| format!("&#{};", c as u32)).collect(),
        3 => name
            .chars()
            .map(|c| match c {
                '.' => "&period;".to_owned(),
                '_' => "&lowbar;".to_owned(),
                '-' => "&#45".to_owned(),
                c if rng.below(2) == 0 => format!("&#x{:x};", c as u32),
                c => c.to_string(),
            })
            .collect(),
        4 => name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    let mut u = [0u16; 2];
                    c.encode_utf16(&mut u)
                        .iter()
                        .map(|x| format!("\\u{x:04x}"))
                        .collect()
                }
            })
            .collect(),
        5 => {
            let chars: Vec<char> = name.chars().collect();
            let at = 1 + rng.below(chars.len() - 1);
            let mark = *rng.pick(&invisible);
            chars[..at]
                .iter()
                .chain(std::iter::once(&mark))
                .chain(&chars[at..])
                .collect()
        }
        // Written backwards behind a right-to-left override: it shows as
        // the username.
        6 => format!("\u{202E}{}\u{202C}", name.chars().rev().collect::<String>()),
        7 => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{{\"user\":\"{name}\",\"next\":\"/cart\"}}")),
        _ => format!("note from {name}, call back")
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect(),
    }
}

#[test]
fn a_username_echoed_in_an_encoding_leaves_only_as_its_md5() {
    let mut rng = Rng::new(3301);
    let hash = Policy::embedded_default().unwrap();
    let reject = policy_with("on_email = \"hash\"\non_username = \"reject\"\n");
    let mut refused = 0;
    let n = 900;
    for i in 0..n {
        let name = username(&mut rng);
        let echo = encoded_echo_form(&mut rng, &name, true);
        let (request, path) = with_echo(&mut rng, &name, &echo);
        let sent = match sanitize_value(&hash, Endpoint::Transaction, request.clone()) {
            Ok(sent) => sent,
            // Refused, so nothing leaves: hex text and text percent-encoded
            // in full (`%6D%61%72...`) hold runs of decimal digits as
            // written, which the card detector reads whoever the user is,
            // and an MD5 written in place of the echo can join digits
            // around it into one (the new text is judged again, as after
            // an address is hashed). Counted below: it must stay rare.
            Err(e) if e.code() == "PAN_DETECTED" => {
                refused += 1;
                continue;
            }
            Err(e) => panic!("case {i}: {} at {}", e.code(), e.path),
        };
        let body = Value::Object(sent.body());
        let md5 = md5_hex(&name);
        let field = body.pointer(&path).and_then(Value::as_str).unwrap_or("");
        assert!(field.contains(&md5), "case {i}: no MD5 in {path}");
        assert!(!field.contains(&echo), "case {i}: the echo left in {path}");
        let r = sanitize_value(&reject, Endpoint::Transaction, request);
        assert_eq!(
            outcome(&r),
            Some(("USERNAME_DETECTED".into(), path.clone())),
            "case {i}"
        );
    }
    assert!(refused * 20 < n, "{refused} of {n} refused as cards");
}

#[test]
fn a_username_echoed_in_a_text_encoded_custom_input_key_leaves_the_entry_out() {
    let mut rng = Rng::new(3302);
    let hash = Policy::embedded_default().unwrap();
    for i in 0..200 {
        let name = username(&mut rng);
        let echo = encoded_echo_form(&mut rng, &name, false);
        let request =
            json!({"account": {"username": name}, "custom_inputs": {echo.as_str(): true}});
        match sanitize_value(&hash, Endpoint::Transaction, request) {
            Ok(sent) => {
                let body = Value::Object(sent.body());
                let kept = body
                    .get("custom_inputs")
                    .and_then(Value::as_object)
                    .is_some_and(|o| o.contains_key(&echo));
                assert!(!kept, "case {i}: the key was kept");
            }
            // A key that is no valid custom input key is refused as such.
            Err(e) => assert_eq!(
                e.path.to_string(),
                "/custom_inputs",
                "case {i}: {}",
                e.code()
            ),
        }
    }
}

#[test]
fn short_or_common_usernames_are_only_found_as_a_whole_value() {
    let policy = policy_with("on_email = \"hash\"\non_username = \"reject\"\n");
    for name in ["admin", "test", "jsmith", "shopping", "Mozilla", "android"] {
        // A whole value is an echo, whatever its length.
        let request = json!({"account": {"username": name, "user_id": name.to_uppercase()}});
        let r = sanitize_value(&policy, Endpoint::Transaction, request);
        assert_eq!(
            outcome(&r),
            Some(("USERNAME_DETECTED".into(), "/account/user_id".into()))
        );
        // Inside longer text it is an ordinary word.
        let request = json!({
            "account": {"username": name},
            "device": {"user_agent": format!("Mozilla/5.0 (Linux; Android 14) {name} shopping admin test")}
        });
        assert!(
            sanitize_value(&policy, Endpoint::Transaction, request).is_ok(),
            "{name}"
        );
    }
}

#[test]
fn usernames_are_rarely_found_in_unrelated_requests() {
    // Each username against the fields of another request: a hit would be
    // an echo that is not one.
    let mut rng = Rng::new(3222);
    let policy = policy_with("on_email = \"hash\"\non_username = \"reject\"\n");
    let n = 3_000;
    let mut flagged = 0;
    for _ in 0..n {
        let name = username(&mut rng);
        let other = username(&mut rng);
        let (mut request, _) = with_echo(&mut rng, &name, &other);
        request["account"]["username"] = json!(name);
        request["device"]["user_agent"] = corpus::realistic(&mut rng, "user agents").0.into();
        if let Err(e) = sanitize_value(&policy, Endpoint::Transaction, request) {
            if e.code() == "USERNAME_DETECTED"
                && !other.to_lowercase().contains(&name.to_lowercase())
            {
                flagged += 1;
            }
        }
    }
    assert!(
        flagged * 1000 <= n,
        "{flagged} of {n} unrelated requests flagged"
    );
}

#[test]
fn the_request_email_address_echoed_anywhere_leaves_only_as_its_md5() {
    let mut rng = Rng::new(3223);
    let policy = Policy::embedded_default().unwrap();
    let reject = policy_with("on_email = \"reject\"\n");
    for i in 0..400 {
        let local = username(&mut rng).to_lowercase().replace(' ', "");
        let address = format!(
            "{local}@{}",
            rng.pick(&["example.com", "naver.com", "gmail.com", "empresa.com.ph"])
        );
        let echo = echo_form(&mut rng, &address);
        let mut request = json!({"email": {"address": address}});
        let (extra, path) = with_echo(&mut rng, "someone_else_1", &echo);
        for (k, v) in extra.as_object().unwrap() {
            if k != "account" || path.starts_with("/account") {
                request[k] = v.clone();
            }
        }
        let sent = sanitize_value(&policy, Endpoint::Transaction, request.clone())
            .unwrap_or_else(|e| panic!("case {i}: {} at {}", e.code(), e.path));
        let out = sent.to_json().to_lowercase();
        assert!(
            !out.contains(&address.to_lowercase()),
            "case {i}: the address left"
        );
        let md5 = Value::Object(sent.body())["email"]["address"]
            .as_str()
            .unwrap()
            .to_owned();
        let field = Value::Object(sent.body())
            .pointer(&path)
            .and_then(Value::as_str)
            .map(str::to_owned);
        assert!(
            field.unwrap_or_default().contains(&md5),
            "case {i}: no MD5 in {path}"
        );
        let r = sanitize_value(&reject, Endpoint::Transaction, request);
        assert_eq!(
            outcome(&r).map(|o| o.0),
            Some("EMAIL_DETECTED".into()),
            "case {i}"
        );
    }
}

/// The card's digits in a form the shape-based scan does not read as a
/// card on its own: letters between groups, glued after other digits,
/// after `+`, spread over a sentence.
fn card_echo_form(rng: &mut Rng, pan: &str) -> String {
    let groups: Vec<String> = corpus::groups_of(rng, pan);
    match rng.below(5) {
        0 => groups.join("x"),
        1 => format!("7{pan}"),
        2 => format!("+{pan}"),
        3 => format!("first {} then {}", &pan[..6], &pan[6..]),
        _ => corpus::in_script(&groups.join("\u{2009}-\u{2009}"), *rng.pick(corpus::ZEROS)),
    }
}

#[test]
fn the_request_card_number_echoed_anywhere_is_a_card_found() {
    let mut rng = Rng::new(3224);
    let reject = Policy::embedded_default().unwrap();
    let redact = redact_policy();
    let mut missed = Vec::new();
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for _ in 0..6 {
            let echo = card_echo_form(&mut rng, &pan);
            let (mut request, path) = with_echo(&mut rng, "shopper_2231", &echo);
            request["credit_card"] = json!({"number": pan});
            let r = sanitize_value(&reject, Endpoint::Transaction, request.clone());
            if !card_found(&r, &path) {
                missed.push(format!("{prefix}/{len} in {path}"));
            }
            match sanitize_value(&redact, Endpoint::Transaction, request) {
                Ok(s) => {
                    let digits: String = s.to_json().chars().filter_map(txveil_digit).collect();
                    if digits.contains(&pan) {
                        missed.push(format!("{prefix}/{len} redacted in {path}"));
                    }
                }
                Err(e) => missed.push(format!("{prefix}/{len} under redact: {}", e.code())),
            }
        }
    }
    assert!(missed.is_empty(), "{} missed: {missed:?}", missed.len());
}

/// The ASCII digit a character stands for, in any script.
fn txveil_digit(c: char) -> Option<char> {
    let zero = corpus::ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&(c as u32)))?;
    char::from_digit(c as u32 - zero, 10)
}

#[test]
fn lines_mode_hashes_username_echoes() {
    let input = concat!(
        r#"{"account": {"username": "maria.garcia77", "user_id": "MARIA.GARCIA77"}}"#,
        "\n",
        r#"{"account": {"username": "admin"}, "device": {"user_agent": "admin tools"}}"#,
        "\n"
    );
    let out = util::txveil(&["sanitize", "--lines"], input.as_bytes());
    let text = util::stdout(&out);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0]["account"]["user_id"],
        md5_hex("maria.garcia77").as_str()
    );
    assert_eq!(lines[1]["device"]["user_agent"], "admin tools");
}

// === The request's own card, hashed or masked ===

/// The digests an app writes for a card as a token or a fingerprint: MD5,
/// SHA-1, SHA-256 or SHA-512 of its digits, in hex of either case or in
/// base64 (standard, padded or not, or URL-safe).
fn card_digest_form(rng: &mut Rng, pan: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let raw: Vec<u8> = match rng.below(4) {
        0 => md5::Md5::digest(pan.as_bytes()).to_vec(),
        1 => sha1::Sha1::digest(pan.as_bytes()).to_vec(),
        2 => sha2::Sha256::digest(pan.as_bytes()).to_vec(),
        _ => sha2::Sha512::digest(pan.as_bytes()).to_vec(),
    };
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    match rng.below(5) {
        0 => hex,
        1 => hex.to_uppercase(),
        2 => base64::engine::general_purpose::STANDARD.encode(&raw),
        3 => base64::engine::general_purpose::STANDARD_NO_PAD.encode(&raw),
        _ => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw),
    }
}

/// A request with `digest` of the card as its token (`k` 0), the MD5 of
/// `card` as `account.username_md5` (1) or, with `email`, as the address
/// (2), else echoed into another field; and that field's path.
fn with_digest(rng: &mut Rng, k: usize, digest: &str, card: &str, email: bool) -> (Value, String) {
    match k {
        0 => (
            json!({"credit_card": {"token": digest}}),
            "/credit_card/token".to_owned(),
        ),
        1 => (
            json!({"account": {"username_md5": md5_hex(card)}}),
            "/account/username_md5".to_owned(),
        ),
        2 if email => (
            json!({"email": {"address": md5_hex(card)}}),
            "/email/address".to_owned(),
        ),
        _ => with_echo(rng, "shopper_2231", digest),
    }
}

#[test]
fn a_digest_of_the_request_card_anywhere_is_a_card_found() {
    let mut rng = Rng::new(3311);
    let reject = Policy::embedded_default().unwrap();
    let mut leaks = util::Leaks::default();
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for k in 0..8 {
            let digest = card_digest_form(&mut rng, &pan);
            let (mut request, path) = with_digest(&mut rng, k, &digest, &pan, true);
            request["credit_card"]["number"] = json!(pan);
            let r = sanitize_value(&reject, Endpoint::Transaction, request);
            leaks.case(card_found(&r, &path), || {
                format!("{prefix}/{len} in {path}")
            });
        }
    }
    leaks.assert_none(301);
}

/// An app's fingerprint of the card as it sent it (`4111 1111 1111 1111`,
/// `4111-1111-1111-1111`) is a card found as the digest of its digits is.
#[test]
fn a_digest_of_the_request_card_as_sent_is_a_card_found() {
    let mut rng = Rng::new(3315);
    let reject = Policy::embedded_default().unwrap();
    let mut leaks = util::Leaks::default();
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for k in 0..8 {
            let groups = corpus::groups_of(&mut rng, &pan);
            let sent = groups.join(if k % 2 == 0 { " " } else { "-" });
            let digest = card_digest_form(&mut rng, &sent);
            let (mut request, path) = with_digest(&mut rng, k, &digest, &sent, false);
            request["credit_card"]["number"] = json!(sent);
            let r = sanitize_value(&reject, Endpoint::Transaction, request);
            leaks.case(card_found(&r, &path), || {
                format!("{prefix}/{len} in {path}")
            });
        }
    }
    leaks.assert_none(301);
}

/// `pan` masked the way apps mask cards, and whether the mask shows no more
/// than minFraud receives (the first `iin` digits and the `last` ones).
fn masked(rng: &mut Rng, pan: &str, iin: usize, last: usize) -> (String, bool) {
    let n = pan.len();
    let mark = *rng.pick(&["*", "X", "x", "#", "\u{2022}", "\u{25CF}"]);
    let mask = |hide: &dyn Fn(usize) -> bool| -> (String, bool) {
        let text = pan
            .char_indices()
            .map(|(i, c)| {
                if hide(i) {
                    mark.to_owned()
                } else {
                    c.to_string()
                }
            })
            .collect();
        (text, (0..n).all(|i| hide(i) || i < iin || i >= n - last))
    };
    // A digit no truncation shows, and where a mask of the middle may start.
    let middle = rng.range(iin, n - 5);
    let from = rng.range(6, n - 5);
    let (text, safe) = match rng.below(10) {
        0 => mask(&|i| i >= n - 4),
        1 => mask(&|i| i < 6),
        2 => mask(&|i| i < 4),
        3 => mask(&|i| i >= n - 2),
        // The middle alone (`******345678****`), or one digit of it.
        4 => mask(&|i| i < 6 || i >= n - 4),
        5 => mask(&|i| i != middle),
        // Two digits hidden after the first 6.
        6 => mask(&|i| (6..8).contains(&i)),
        // The first 6 and last 4, the digits from `from` on hidden, or
        // just what minFraud receives.
        7 => mask(&|i| (6..n - 4).contains(&i)),
        8 => mask(&|i| (from..n - 4).contains(&i)),
        _ => mask(&|i| (iin..n - last).contains(&i)),
    };
    if rng.below(2) == 0 {
        let groups: Vec<String> = text
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|g| g.iter().collect())
            .collect();
        (groups.join(*rng.pick(&[" ", "-"])), safe)
    } else {
        (text, safe)
    }
}

#[test]
fn a_masked_copy_of_the_request_card_showing_its_middle_is_a_card_found() {
    let mut rng = Rng::new(3312);
    let six = Policy::embedded_default().unwrap();
    let eight = txveil::policy::parse(
        &txveil::policy::DEFAULT_POLICY_SOURCE.replace(
            "action = \"truncate_pan\", iin = 6",
            "action = \"truncate_pan\", iin = 8",
        ),
        "iin8",
    )
    .unwrap();
    let (mut missed, mut flagged_safe, mut safe_n, mut n) = (Vec::new(), 0, 0, 0);
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for policy in [&six, &eight] {
            // What minFraud receives of this card under `policy`.
            let alone = json!({"credit_card": {"number": pan}});
            let out = sanitize_value(policy, Endpoint::Transaction, alone).unwrap();
            let body = out.body();
            let card = &body["credit_card"];
            let iin = card["issuer_id_number"].as_str().unwrap().len();
            let last = card["last_digits"].as_str().unwrap().len();
            for _ in 0..24 {
                let (text, safe) = masked(&mut rng, &pan, iin, last);
                let (mut request, path) = with_echo(&mut rng, "shopper_2231", &text);
                request["credit_card"] = json!({"number": pan});
                let r = sanitize_value(policy, Endpoint::Transaction, request);
                n += 1;
                if safe {
                    safe_n += 1;
                    flagged_safe += usize::from(r.is_err());
                } else if !card_found(&r, &path) {
                    missed.push(format!("{prefix}/{len} ({iin}, {last}) in {path}"));
                }
            }
        }
    }
    assert!(n > 1000, "{n}");
    assert!(
        missed.is_empty(),
        "{} of {n} missed: {missed:?}",
        missed.len()
    );
    assert!(safe_n > 200, "{safe_n}");
    assert_eq!(
        flagged_safe, 0,
        "masks showing no more than minFraud receives"
    );
}

#[test]
fn unrelated_numbers_rarely_match_a_stretch_of_the_request_card() {
    let mut rng = Rng::new(3313);
    let reject = Policy::embedded_default().unwrap();
    let mut flagged = 0;
    let n = 3000;
    for _ in 0..n {
        let pan = corpus::pan_of(&mut rng, "4", 16);
        // 25 groups of 8 digits between letters: 193 stretches of 8 read
        // in order, none of them card-shaped on its own.
        let note: String = (0..25)
            .map(|_| format!("{}{}", rng.digits(8), *rng.pick(&["a", "k", "z"])))
            .collect();
        let request = json!({
            "credit_card": {"number": pan},
            "account": {"user_id": rng.digits(8)},
            "custom_inputs": {"note": note},
        });
        flagged += usize::from(sanitize_value(&reject, Endpoint::Transaction, request).is_err());
    }
    assert!(flagged * 1000 <= n, "{flagged} of {n} flagged");
}

/// A stretch of the request's own card that shows its middle, alone in a
/// value shorter than the card (a custom input, a JSON number, a cart
/// item's quantity or price, the order's amount), is a card found: beside
/// the IIN and last digits minFraud receives it gives the card back.
#[test]
fn a_stretch_of_the_request_card_alone_in_a_short_value_is_a_card_found() {
    let mut rng = Rng::new(3314);
    let reject = Policy::embedded_default().unwrap();
    let mut leaks = util::Leaks::default();
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        // The stretch's length and where it may start so that it holds a
        // digit no truncation shows (after the first 8, or 6 below 16
        // digits, and before the last 4).
        let part = 8.min(len - 6);
        let middle = if len >= 16 { 8 } else { 6 }..len - 4;
        for start in 0..=len - part {
            if start + part <= middle.start || start >= middle.end {
                continue;
            }
            let stretch = &pan[start..start + part];
            let number: Option<u64> = (!stretch.starts_with('0')).then(|| stretch.parse().unwrap());
            let mut places = vec![(
                json!({"custom_inputs": {"card_ref": stretch}}),
                "/custom_inputs/card_ref",
            )];
            if let Some(n) = number {
                places.push((
                    json!({"custom_inputs": {"card_ref": n}}),
                    "/custom_inputs/card_ref",
                ));
                places.push((
                    json!({"shopping_cart": [{"item_id": "sku-1", "quantity": n}]}),
                    "/shopping_cart/0/quantity",
                ));
                places.push((
                    json!({"shopping_cart": [{"item_id": "sku-1", "price": n}]}),
                    "/shopping_cart/0/price",
                ));
                places.push((json!({"order": {"amount": n}}), "/order/amount"));
            }
            for (mut request, path) in places {
                request["credit_card"] = json!({"number": pan});
                let r = sanitize_value(&reject, Endpoint::Transaction, request);
                leaks.case(card_found(&r, path), || {
                    format!("{prefix}/{len} from digit {start} in {path}")
                });
            }
        }
    }
    leaks.assert_none(1001);
}

/// A value holding a card number is decided as the app sent it, before an
/// echo of the username or the address in it is replaced: a digits-only
/// username equal to a card's middle group (`4945 <username> 7365`) or the
/// request's address whose local part is the card's last group, glued after
/// it (`... 0528@example.com`), must not hide the card behind an MD5.
#[test]
fn an_echo_replaced_in_a_value_does_not_hide_a_card_in_it() {
    let mut rng = Rng::new(3315);
    let reject = Policy::embedded_default().unwrap();
    let redact = redact_policy();
    let (mut missed, mut cases) = (Vec::new(), 0);
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        if len < 16 {
            continue;
        }
        let middle = &pan[4..len - 4];
        let last = &pan[len - 4..];
        let by_username = (
            json!({"account": {"username": middle}}),
            format!("{} {middle} {last}", &pan[..4]),
        );
        let address = format!("{last}@example.com");
        let by_address = (
            json!({"email": {"address": address}}),
            format!("{} {} {}", &pan[..4], &pan[4..len - 4], address),
        );
        for (k, (mut request, text)) in [by_username, by_address].into_iter().enumerate() {
            let field = *rng.pick(&["note", "ref"]);
            request["custom_inputs"] = json!({ field: text });
            let path = format!("/custom_inputs/{field}");
            cases += 1;
            let r = sanitize_value(&reject, Endpoint::Transaction, request.clone());
            if !card_found(&r, &path) {
                missed.push(format!("{prefix}/{len} echo {k} in {path}"));
            }
            // Under redact the value is left out: nothing of the card leaves.
            let out = sanitize_value(&redact, Endpoint::Transaction, request)
                .expect("redacted, not refused")
                .to_json();
            if out.contains(&pan[len - 4..]) && out.contains(field) {
                missed.push(format!("{prefix}/{len} echo {k} kept under redact"));
            }
        }
    }
    assert!(cases > 40, "{cases}");
    assert!(missed.is_empty(), "{} of {cases}: {missed:?}", missed.len());
}

// === Copies of the request's own card in the fields txveil hashes ===

/// A copy of `pan` that the card scan alone does not read as a card, as an
/// app may write it where a login name or an address's local part goes: a
/// stretch showing its middle, the first 8 (2 digits more than an IIN of
/// 6), the hidden middle alone, letters between its digits, its groups
/// joined by `x`, a hex digest, a mask showing its middle
/// (`******<middle>****`, or the first 8 under `iin = 6`). `mask_chars` limits the mask characters (an email's local part
/// takes ASCII ones).
fn hashed_copy(rng: &mut Rng, pan: &str, mask_chars: &[&'static str]) -> String {
    use sha2::Digest;
    let n = pan.len();
    let mark = *rng.pick(mask_chars);
    let letters = "abcdefghijklmnopqrstuvwyz";
    let copy = match rng.below(12) {
        // The first 8 (2 digits more than an IIN of 6), and the hidden
        // middle alone (5 digits or more).
        10 => pan[..8].to_owned(),
        11 if n >= 15 => pan[6..n - 4].to_owned(),
        // Stretches holding a digit no truncation shows (after the first
        // 8, or 6 below 16 digits, and before the last 4).
        0 if n >= 16 => pan[4..12].to_owned(),
        0 => pan[2..n - 2].to_owned(),
        1 => pan[..n - 4].to_owned(),
        2 => pan[6..].to_owned(),
        3 => pan[2..n - 2].to_owned(),
        4 => pan
            .chars()
            .map(|d| {
                let i = rng.below(letters.len());
                format!("{d}{}", &letters[i..=i])
            })
            .collect(),
        5 => corpus::groups_of(rng, pan).join("x"),
        6 => {
            let raw = match rng.below(3) {
                0 => md5::Md5::digest(pan.as_bytes()).to_vec(),
                1 => sha1::Sha1::digest(pan.as_bytes()).to_vec(),
                _ => sha2::Sha256::digest(pan.as_bytes()).to_vec(),
            };
            raw.iter().map(|b| format!("{b:02x}")).collect()
        }
        7 => format!("{}{}{}", mark.repeat(6), &pan[6..n - 4], mark.repeat(4)),
        8 => format!("{}{}{}", &pan[..8], mark.repeat(n - 12), &pan[n - 4..]),
        _ => format!("{}{}{}", &pan[..6], &pan[6..n - 4], mark.repeat(4)),
    };
    match rng.below(4) {
        0 => format!("cust{copy}"),
        1 => format!("{copy}_shop"),
        _ => copy,
    }
}

/// A request carrying `pan` as its card and a copy of it in the username
/// (`which` even) or an email's local part, and that field's path. The
/// card comes after the username in the body and before the address.
fn with_hashed_copy(rng: &mut Rng, pan: &str, which: usize) -> (Value, &'static str, String) {
    let (request, path, copy) = if which.is_multiple_of(2) {
        let copy = hashed_copy(rng, pan, &["*", "x", "X", "#", "\u{2022}", "\u{25CF}"]);
        (
            json!({"account": {"username": copy.clone()}}),
            "/account/username",
            copy,
        )
    } else {
        let copy = hashed_copy(rng, pan, &["*", "x", "X", "#"]);
        (
            json!({"email": {"address": format!("{copy}@example.com")}}),
            "/email/address",
            copy,
        )
    };
    let mut request = request;
    request["credit_card"] = json!({"number": pan});
    request["order"] = json!({"amount": 10, "currency": "USD"});
    (request, path, copy)
}

/// `request` as JSON text with its `credit_card` group first or last.
fn with_card_at(request: &Value, first: bool) -> String {
    let groups = request.as_object().unwrap();
    let card = format!(r#""credit_card":{}"#, groups["credit_card"]);
    let mut parts: Vec<String> = groups
        .iter()
        .filter(|(k, _)| *k != "credit_card")
        .map(|(k, v)| format!("{}:{v}", Value::from(k.as_str())))
        .collect();
    if first {
        parts.insert(0, card);
    } else {
        parts.push(card);
    }
    format!("{{{}}}", parts.join(","))
}

/// A copy of the request's own card that only the echo search reads (a
/// stretch of its middle, letters between its digits, a digest, a mask)
/// in `account.username` or an email's local part would leave as an
/// unkeyed MD5 beside the IIN and last digits of the same card, which
/// gives the hidden digits back: it is a card found, whether the card
/// comes before or after the field in the body.
#[test]
fn a_copy_of_the_request_card_in_a_hashed_field_is_a_card_found() {
    let mut rng = Rng::new(3401);
    let reject = Policy::embedded_default().unwrap();
    let mut leaks = util::Leaks::default();
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for which in 0..24 {
            let (request, path, _) = with_hashed_copy(&mut rng, &pan, which);
            for card_first in [false, true] {
                let body = with_card_at(&request, card_first);
                let r = txveil::sanitize_request(&reject, Endpoint::Transaction, body.as_bytes());
                leaks.case(card_found(&r, path), || {
                    format!("{prefix}/{len} in {path}, card first: {card_first}")
                });
            }
        }
    }
    leaks.assert_none(1001);
}

/// Under `on_pan = "redact"` the hash of a field holding a copy of the
/// card is left out (the report says `redact_pan`), and an echo of that
/// username or address elsewhere is not replaced by its hash either.
#[test]
fn under_redact_the_hash_of_a_copy_of_the_request_card_is_left_out() {
    let mut rng = Rng::new(3402);
    let redact = redact_policy();
    let mut leaked = Vec::new();
    let mut n = 0;
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for which in 0..12 {
            let (mut request, path, copy) = with_hashed_copy(&mut rng, &pan, which);
            let raw = if path == "/account/username" {
                copy.clone()
            } else {
                format!("{copy}@example.com")
            };
            // Echoed as written and base64-encoded into kept fields.
            use base64::Engine;
            request["account"]["user_id"] = json!(raw);
            request["custom_inputs"] = json!({
                "state": base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
            });
            n += 1;
            let sent = match sanitize_value(&redact, Endpoint::Transaction, request) {
                Ok(sent) => sent,
                Err(e) => {
                    leaked.push(format!("{prefix}/{len} in {path}: {}", e.code()));
                    continue;
                }
            };
            let out = sent.to_json();
            let body = Value::Object(sent.body());
            let pointer = match path {
                "/account/username" => "/account/username_md5",
                other => other,
            };
            if body.pointer(pointer).is_some() {
                leaked.push(format!("{prefix}/{len} in {path}: its hash was sent"));
            }
            let hashes = [
                md5_hex(&raw),
                md5_hex(&raw.to_lowercase()),
                md5_hex(raw.trim()),
            ];
            if hashes.iter().any(|h| out.contains(h.as_str())) {
                leaked.push(format!("{prefix}/{len} in {path}: its hash went elsewhere"));
            }
            let redacted = sent
                .report()
                .entries()
                .iter()
                .any(|(p, a)| p == path && a.name() == "redact_pan");
            if !redacted {
                leaked.push(format!("{prefix}/{len} in {path}: no redact_pan entry"));
            }
        }
    }
    assert!(n > 500, "{n}");
    assert!(
        leaked.is_empty(),
        "{} of {n}, first: {:?}",
        leaked.len(),
        &leaked[..leaked.len().min(8)]
    );
}

/// Ordinary usernames and addresses holding digits, beside an unrelated
/// card, are not taken for a copy of it.
#[test]
fn hashed_fields_rarely_match_an_unrelated_request_card() {
    let mut rng = Rng::new(3403);
    let reject = Policy::embedded_default().unwrap();
    let mut flagged = 0;
    let n = 3000;
    for i in 0..n {
        let pan = corpus::pan_of(&mut rng, "4", 16);
        let digits = rng.digits_between(6, 12);
        let name = match i % 3 {
            0 => username(&mut rng),
            1 => format!("{}{digits}", username(&mut rng)),
            _ => digits.clone(),
        };
        let request = json!({
            "account": {"username": name},
            "email": {"address": format!("{name}@example.com")},
            "credit_card": {"number": pan},
        });
        // Digit-heavy names the card scan refuses on their own shape
        // (`glued`, `card_shape`) are not what this measures.
        let r = sanitize_value(&reject, Endpoint::Transaction, request);
        flagged += usize::from(r.is_err_and(|e| e.rule() == Some("echo")));
    }
    assert!(flagged * 1000 <= n, "{flagged} of {n} flagged");
}

#[test]
fn lines_mode_rejects_a_copy_of_the_request_card_in_a_hashed_field() {
    let mut rng = Rng::new(3404);
    let mut input = String::new();
    let mut paths = Vec::new();
    for (_, _, pan) in every_brand_and_length(&mut rng) {
        for which in 0..4 {
            let (request, path, _) = with_hashed_copy(&mut rng, &pan, which);
            input.push_str(&request.to_string());
            input.push('\n');
            paths.push(path);
        }
    }
    let lines = sanitize_lines(&input, paths.len());
    let mut missed = 0;
    for (v, path) in lines.iter().zip(&paths) {
        missed += usize::from(
            (v["error"]["code"].as_str(), v["error"]["path"].as_str())
                != (Some("PAN_DETECTED"), Some(*path)),
        );
    }
    assert_eq!(missed, 0, "of {}", paths.len());
}

/// A stretch of the request's card in an address's domain, or in an
/// `email.domain` the app sent, is a card found: the domain is forwarded
/// as written (under `redact` it is not filled from such an address).
#[test]
fn a_copy_of_the_request_card_in_an_email_domain_is_a_card_found() {
    let mut rng = Rng::new(3405);
    let reject = Policy::embedded_default().unwrap();
    let redact = redact_policy();
    let mut missed = Vec::new();
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        let n = pan.len();
        let middle = &pan[n - 12..n - 2];
        let cases = [
            (
                json!({"address": format!("shop@{middle}.example.com")}),
                "/email/address",
            ),
            (
                json!({"address": "shop@example.com", "domain": format!("{middle}.example.com")}),
                "/email/domain",
            ),
        ];
        for (email, path) in cases {
            let request = json!({"email": email, "credit_card": {"number": pan}});
            let r = sanitize_value(&reject, Endpoint::Transaction, request.clone());
            if !card_found(&r, path) {
                missed.push(format!("{prefix}/{len} in {path}"));
            }
            match sanitize_value(&redact, Endpoint::Transaction, request) {
                Ok(sent) if sent.to_json().contains(middle) => {
                    missed.push(format!("{prefix}/{len} in {path}, redacted"));
                }
                Ok(_) => {}
                Err(e) => missed.push(format!("{prefix}/{len} in {path}: {}", e.code())),
            }
        }
    }
    assert!(missed.is_empty(), "{} missed: {missed:?}", missed.len());
}

/// The username before an `@` that no domain follows (`jane.doe88@localhost`,
/// `sip:jane.doe88@pbx`, `jane.doe88@`) is no email's local part: the email
/// detector does not take it, so it is the username's echo. Before a domain
/// the email detector hashes the whole address, as before.
#[test]
fn a_username_before_an_at_sign_without_a_domain_is_an_echo() {
    let mut rng = Rng::new(3406);
    let hash = Policy::embedded_default().unwrap();
    let mut leaked = Vec::new();
    let n = 600;
    for i in 0..n {
        let name = username(&mut rng);
        let host = *rng.pick(&[
            "localhost",
            "shop-internal",
            "pbx",
            "CORP",
            "tenant1",
            "",
            "host.1",
        ]);
        let echo = format!(
            "{}{}@{host}",
            rng.pick(&["", "sip:", "xmpp:", "login ", "ssh "]),
            echo_form(&mut rng, &name)
        );
        let (request, path) = with_echo(&mut rng, &name, &echo);
        let sent = match sanitize_value(&hash, Endpoint::Transaction, request) {
            Ok(sent) => sent,
            Err(e) => {
                leaked.push(format!("case {i} in {path}: {}", e.code()));
                continue;
            }
        };
        let out = Value::Object(sent.body());
        let value = out.pointer(&path).and_then(Value::as_str).unwrap_or("");
        let md5 = out["account"]["username_md5"].as_str().unwrap_or("-");
        use unicode_normalization::UnicodeNormalization;
        let folded: String = value.nfkd().collect::<String>().to_lowercase();
        let raw: String = name.nfkd().collect::<String>().to_lowercase();
        if folded.contains(&raw) || !value.contains(md5) {
            leaked.push(format!("case {i} in {path}"));
        }
    }
    assert!(
        leaked.is_empty(),
        "{} of {n}: {:?}",
        leaked.len(),
        &leaked[..leaked.len().min(8)]
    );
    // Before a domain: the address is hashed whole, the username not on
    // its own.
    let request = json!({
        "account": {"username": "maria.garcia77"},
        "custom_inputs": {"note": "write to maria.garcia77@example.com"},
    });
    let sent = sanitize_value(&hash, Endpoint::Transaction, request).unwrap();
    assert_eq!(
        sent.body()["custom_inputs"]["note"],
        format!("write to {}", md5_hex("maria.garcia77@example.com"))
    );
}

/// How many of the first and last digits of `pan` minFraud receives under
/// `policy`: the lengths of the IIN and last digits the truncation sends.
fn shown_by(policy: &Policy, pan: &str) -> (usize, usize) {
    let s = sanitize_value(
        policy,
        Endpoint::Transaction,
        json!({"credit_card": {"number": pan}}),
    )
    .unwrap();
    let card = &s.body()["credit_card"];
    let len = |k: &str| card[k].as_str().map_or(0, str::len);
    (len("issuer_id_number"), len("last_digits"))
}

/// Every stretch of a card of `len` digits (start, length) that, beside the
/// `shown` first and last digits, shows a hidden digit and leaves at most 4
/// unknown (fewer than 10^4 Luhn-valid candidates): six digits or more, or
/// the hidden middle itself from five.
fn revealing_stretches(len: usize, shown: (usize, usize)) -> Vec<(usize, usize)> {
    let middle = shown.0..len - shown.1;
    let mut out = Vec::new();
    for start in 0..len {
        for n in 5..len {
            if start + n > len {
                break;
            }
            let seen = (start + n)
                .min(middle.end)
                .saturating_sub(start.max(middle.start));
            let unknown = middle.len() - seen;
            let whole_middle = start == middle.start && n == middle.len();
            if seen > 0 && unknown <= 4 && (n >= 6 || whole_middle) {
                out.push((start, n));
            }
        }
    }
    out
}

/// A kept value holding digits of the request's own card that minFraud does
/// not receive, alone as a run (the hidden middle between the IIN and the
/// last 4, the IIN and two hidden digits, any stretch that with the IIN and
/// last digits leaves fewer than 10^4 candidates): a card found, since the
/// output carries that card's IIN and last digits beside it. Every brand
/// and length, every such stretch, in the kept ids and text fields apps
/// fill, alone or beside letters; under `redact` the run is gone. Without a
/// card number in the request the same values are ordinary ids.
#[test]
fn a_stretch_giving_the_hidden_digits_away_beside_its_card_is_a_card_found() {
    let mut rng = Rng::new(3232);
    let reject = Policy::embedded_default().unwrap();
    let redact = redact_policy();
    let (mut cases, mut missed, mut alone_flagged) = (0, Vec::new(), 0);
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        let shown = shown_by(&reject, &pan);
        for (start, n) in revealing_stretches(len, shown) {
            let stretch = &pan[start..start + n];
            let value = match rng.below(4) {
                0 => stretch.to_owned(),
                1 => format!("cust{stretch}"),
                2 => format!("id-{stretch}/x"),
                _ => corpus::in_script(stretch, *rng.pick(corpus::ZEROS)),
            };
            let (request, path) = with_echo(&mut rng, "shopper_2231", &value);
            let mut with_card = request.clone();
            with_card["credit_card"] = json!({"number": pan});
            cases += 1;
            let r = sanitize_value(&reject, Endpoint::Transaction, with_card.clone());
            if !card_found(&r, &path) {
                missed.push(format!("{prefix}/{len}, {n} digits from {start}, {path}"));
            }
            if let Ok(s) = sanitize_value(&redact, Endpoint::Transaction, with_card) {
                // The truncated card itself aside.
                let mut body = s.body().clone();
                body.remove("credit_card");
                let digits: String = Value::Object(body)
                    .to_string()
                    .chars()
                    .filter_map(txveil_digit)
                    .collect();
                if digits.contains(stretch) {
                    missed.push(format!(
                        "{prefix}/{len}, {n} from {start}, redacted, {path}"
                    ));
                }
            }
            // The same value with no card in the request gives nothing
            // away (when its digits are too few to be a card of their own).
            let held = request
                .pointer(&path)
                .and_then(Value::as_str)
                .map_or(0, |v| v.chars().filter_map(txveil_digit).count());
            if held < 12 {
                let r = sanitize_value(&reject, Endpoint::Transaction, request);
                alone_flagged += usize::from(r.is_err());
            }
        }
    }
    assert!(cases > 500, "{cases}");
    assert!(
        missed.is_empty(),
        "{} of {cases} missed: {missed:?}",
        missed.len()
    );
    assert_eq!(alone_flagged, 0);
}

/// Ordinary ids, postal codes and telephone numbers beside a card: a run of
/// digits is a card found only when it is one of the few stretches of that
/// card that give it away, which unrelated values match about once in 10^5
/// runs of five digits and 10^6 of six.
#[test]
fn unrelated_short_numbers_beside_a_card_are_rarely_a_stretch_of_it() {
    let mut rng = Rng::new(3233);
    let reject = Policy::embedded_default().unwrap();
    let n = 3000;
    let mut flagged = 0;
    for _ in 0..n {
        let pan = corpus::pan(&mut rng);
        let (user, order, postal) = (rng.range(5, 8), rng.range(5, 9), rng.range(5, 6));
        let request = json!({
            "credit_card": {"number": pan},
            "account": {"user_id": format!("cust{}", rng.digits(user))},
            "device": {"session_id": rng.hex(32)},
            "event": {"transaction_id": rng.digits(order)},
            "billing": {"postal": rng.digits(postal), "address": format!("{} Main St", rng.range(1, 99999))},
            "shipping": {"postal": rng.digits(5)},
        });
        flagged += usize::from(sanitize_value(&reject, Endpoint::Transaction, request).is_err());
    }
    assert!(flagged * 1000 <= n, "{flagged} of {n} flagged");
}

/// The request's own username glued to an id with `_` or digits
/// (`user_<u>`, `<u>_<unix time>`, `<u>_backup`, `<u>104549`) in the kept
/// fields apps fill: a username distinctive enough to be looked for inside
/// text is an echo there too, and leaves only as its MD5.
#[test]
fn a_username_glued_to_an_id_with_underscores_or_digits_is_an_echo() {
    let mut rng = Rng::new(3240);
    let policy = Policy::embedded_default().unwrap();
    let (mut cases, mut missed) = (0, Vec::new());
    for _ in 0..600 {
        let name = username(&mut rng);
        let form = rng.below(4);
        let glued = match form {
            0 => format!("{}{name}", rng.pick(&["user_", "u_", "cust_", "acct_"])),
            1 => format!("{name}_{}", rng.range(1_700_000_000, 1_789_999_999)),
            2 => format!("{name}{}", rng.pick(&["_backup", "_old", "_2", "_shop"])),
            _ => format!("{name}{}", rng.range(1000, 99999)),
        };
        let (request, path) = with_echo(&mut rng, &name, &glued);
        let Ok(s) = sanitize_value(&policy, Endpoint::Transaction, request) else {
            continue;
        };
        cases += 1;
        let out = s.to_json().to_lowercase();
        if out.contains(&name.to_lowercase()) {
            missed.push(format!("form {form} in {path}"));
        }
    }
    assert!(cases > 500, "{cases}");
    assert!(
        missed.is_empty(),
        "{} of {cases} forwarded raw: {missed:?}",
        missed.len()
    );
}

// === A card in plain sight inside a digest the app sent ===

/// 32 hex digits holding `pan` in plain sight, hex letters right around
/// it (the card is a whole decimal stretch) or, when `glued`, digits on
/// either side: four or more hex letters in all, as an MD5's.
fn digest_holding(rng: &mut Rng, pan: &str, glued: bool) -> String {
    let letters = ['a', 'b', 'c', 'd', 'e', 'f'];
    loop {
        let rest = 32 - pan.len();
        let pad: String = rng.hex(rest);
        let at = rng.below(rest + 1);
        let (head, tail) = pad.split_at(at);
        let letter_before = head
            .chars()
            .next_back()
            .is_none_or(|c| letters.contains(&c));
        let letter_after = tail.chars().next().is_none_or(|c| letters.contains(&c));
        let hex_letters = pad.chars().filter(|c| letters.contains(c)).count();
        if hex_letters >= 4 && (glued || (letter_before && letter_after)) {
            return format!("{head}{pan}{tail}");
        }
    }
}

/// A card's digits in plain sight in a 32-hex `account.username_md5` or a
/// pre-hashed `email.address`, as a whole decimal stretch between hex
/// letters (read as any run of digits), or glued to other digits with the
/// same card in `credit_card.number` (the echo search reads those fields
/// too): every brand and length, under `on_pan = "reject"` (refused at the
/// field) and `"redact"` (the field left out, the card nowhere in the
/// output).
#[test]
fn a_card_in_plain_sight_inside_an_app_sent_digest_is_a_card_found() {
    let mut rng = Rng::new(3275);
    let policy = Policy::embedded_default().unwrap();
    let redact = redact_policy();
    let mut leaks = util::Leaks::default();
    for _ in 0..8 {
        for (prefix, len, pan) in every_brand_and_length(&mut rng) {
            for (which, path) in [(0, "/account/username_md5"), (1, "/email/address")] {
                let glued = rng.below(2) == 0;
                let digest = digest_holding(&mut rng, &pan, glued);
                let mut request = if which == 0 {
                    json!({"account": {"username_md5": digest}})
                } else {
                    json!({"email": {"address": digest}})
                };
                if glued {
                    request["credit_card"] = json!({"number": pan});
                } else {
                    request["credit_card"] =
                        json!({"issuer_id_number": &pan[..6], "last_digits": &pan[len - 4..]});
                }
                let r = sanitize_value(&policy, Endpoint::Transaction, request.clone());
                leaks.case(card_found(&r, path), || {
                    format!("{prefix}/{len} glued={glued} in {path}")
                });
                let out =
                    sanitize_value(&redact, Endpoint::Transaction, request).map(|s| s.to_json());
                let hidden = out.as_ref().is_ok_and(|o| !o.contains(&pan));
                leaks.case(hidden, || {
                    format!("{prefix}/{len} glued={glued} in {path}, redact")
                });
            }
        }
    }
    leaks.assert_none(1_000);
}

// === Echoes with characters that show nothing, or written without marks ===

/// Characters that show nothing which people and input methods leave in a
/// name: the Hangul fillers (U+3164 and its halfwidth U+FFA0, the leading
/// and vowel fillers U+115F and U+1160), the Khmer inherent vowels U+17B4
/// and U+17B5, and the format characters (ZWSP, ZWJ, WJ, soft hyphen, LRM,
/// BOM, a variation selector).
const SHOW_NOTHING: &[char] = &[
    '\u{3164}', '\u{FFA0}', '\u{115F}', '\u{1160}', '\u{17B4}', '\u{17B5}', '\u{200B}', '\u{200D}',
    '\u{2060}', '\u{AD}', '\u{200E}', '\u{FEFF}', '\u{FE0F}',
];

/// `text` with `c` put at a random place inside it (not at its ends).
fn with_inside(rng: &mut Rng, text: &str, c: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = 1 + rng.below(chars.len() - 1);
    chars[..at]
        .iter()
        .chain(std::iter::once(&c))
        .chain(&chars[at..])
        .collect()
}

/// The request's username echoed with a character that shows nothing
/// inside it, in any other field: leaves only as its MD5 (refused under
/// `on_username = "reject"`); and a third party's address with one right
/// after its `@` or inside it is hashed whole.
#[test]
fn a_username_or_address_with_a_character_that_shows_nothing_inside_is_found() {
    let mut rng = Rng::new(3276);
    let hash = Policy::embedded_default().unwrap();
    let reject = policy_with("on_email = \"hash\"\non_username = \"reject\"\n");
    let mut leaks = util::Leaks::default();
    for &c in SHOW_NOTHING {
        for _ in 0..40 {
            let name = username(&mut rng);
            let form = echo_form(&mut rng, &name);
            let echo = with_inside(&mut rng, &form, c);
            let (request, path) = with_echo(&mut rng, &name, &echo);
            let r = sanitize_value(&reject, Endpoint::Transaction, request.clone());
            leaks.case(
                outcome(&r) == Some(("USERNAME_DETECTED".into(), path.clone())),
                || format!("U+{:04X} in {path}, reject", u32::from(c)),
            );
            let out = sanitize_value(&hash, Endpoint::Transaction, request)
                .map(|s| s.to_json())
                .unwrap_or_default();
            leaks.case(
                out.contains(&md5_hex(&name)) && !out.contains(&echo),
                || format!("U+{:04X} in {path}, hash", u32::from(c)),
            );
        }
        for after_at in [true, false] {
            let local = username(&mut rng).replace(['.', '-'], "_");
            let address = format!("{local}@gmail.com");
            let written = if after_at {
                format!("{local}@{c}gmail.com")
            } else {
                with_inside(&mut rng, &address, c)
            };
            let request = json!({"custom_inputs": {"contact": format!("mail {written} ok")}});
            let out = sanitize_value(&hash, Endpoint::Transaction, request)
                .map(|s| s.to_json())
                .unwrap_or_default();
            leaks.case(!out.contains("gmail"), || {
                format!("U+{:04X} in an address, after @ {after_at}", u32::from(c))
            });
        }
    }
    leaks.assert_none(1_000);
}

/// Usernames with accents (Greek with its tonos, Latin with acute, grave,
/// diaeresis, caron, cedilla) echoed without them: Greek-locale upper case
/// (`γιώργος_2116` as `ΓΙΩΡΓΟΣ_2116`), or a keyboard without accents; and
/// the reverse, the echo accented where the username is not. Each leaves
/// only as the username's MD5.
#[test]
fn a_username_echoed_without_its_accents_leaves_only_as_its_md5() {
    use unicode_normalization::UnicodeNormalization;
    let mut rng = Rng::new(3277);
    let reject = policy_with("on_email = \"hash\"\non_username = \"reject\"\n");
    let names = [
        "γιώργος",
        "σοφία",
        "δημήτρης",
        "κατερίνα",
        "ελένη",
        "josé.garcía",
        "zoë.müller",
        "łukasz.dvořák",
        "françois",
        "ανδρέας",
    ];
    let bare = |s: &str| -> String {
        s.nfd()
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
            .collect()
    };
    let mut leaks = util::Leaks::default();
    for _ in 0..60 {
        for name in names {
            let name = format!("{name}_{}", rng.range(10, 9999));
            let form = rng.below(3);
            let (username, echo) = match form {
                0 => (name.clone(), bare(&name).to_uppercase()),
                1 => (name.clone(), bare(&name)),
                _ => (bare(&name), name.to_uppercase()),
            };
            let (request, path) = with_echo(&mut rng, &username, &echo);
            let r = sanitize_value(&reject, Endpoint::Transaction, request);
            leaks.case(
                outcome(&r) == Some(("USERNAME_DETECTED".into(), path.clone())),
                || {
                    format!(
                        "{} form {form} in {path}",
                        name.split('_').next().unwrap_or("")
                    )
                },
            );
        }
    }
    leaks.assert_none(500);
}

/// txveil's own MD5 of the username or the address is not read for cards:
/// one in a few thousand holds a card-shaped decimal stretch by chance
/// (`user1274`'s does), and the request is the app's ordinary one.
#[test]
fn txveils_own_digests_are_not_read_for_cards() {
    let policy = Policy::embedded_default().unwrap();
    for i in 0..5_000 {
        let request = json!({
            "account": {"username": format!("user{i}")},
            "email": {"address": format!("User.{i}+tag@Example13.com")},
        });
        let r = sanitize_value(&policy, Endpoint::Transaction, request);
        assert!(r.is_ok(), "user{i}: {:?}", outcome(&r));
    }
}

/// A hex letter (`a`-`f`), in the case `upper` asks.
fn hex_letter(rng: &mut Rng, upper: bool) -> char {
    let c = char::from(b'a' + rng.below(6) as u8);
    if upper {
        c.to_ascii_uppercase()
    } else {
        c
    }
}

/// A hash-shaped token (32, 40 or 64 hex digits of one case, hex letters
/// beside the card) holding `pan`'s digits at a random place.
fn hash_token_holding(rng: &mut Rng, pan: &str) -> String {
    let len = *rng.pick(&[32usize, 40, 64]);
    let upper = rng.below(2) == 0;
    loop {
        let at = rng.below(len - pan.len() - 1);
        let mut token = rng.hex(at);
        if at > 0 {
            token.pop();
            token.push(hex_letter(rng, false));
        }
        token.push_str(pan);
        token.push(hex_letter(rng, false));
        token.push_str(&rng.hex(len - token.len()));
        if upper {
            token = token.to_uppercase();
        }
        // At least four hex letters, as a digest has but for one in
        // millions.
        if token.chars().filter(char::is_ascii_alphabetic).count() >= 4 {
            return token;
        }
    }
}

#[test]
fn the_request_card_among_a_hash_shaped_tokens_hex_letters_is_a_card_found() {
    let mut rng = Rng::new(3231);
    // The scan finds it; the search for digests of the card (which hashes
    // every candidate card for each digest-shaped value) is another
    // detector, measured apart.
    let policy = policy_with("on_email = \"hash\"\ncard_digest_search = \"off\"\n");
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for _ in 0..5 {
            let token = hash_token_holding(&mut rng, &pan);
            let (mut request, path) = match rng.below(5) {
                0 => (
                    json!({"device": {"session_id": token}}),
                    "/device/session_id",
                ),
                1 => (
                    json!({"custom_inputs": {"tracking_token": token}}),
                    "/custom_inputs/tracking_token",
                ),
                2 => (
                    json!({"event": {"transaction_id": token}}),
                    "/event/transaction_id",
                ),
                3 => (
                    json!({"order": {"referrer_uri": format!("https://shop.example/?s={token}")}}),
                    "/order/referrer_uri",
                ),
                _ => (
                    json!({"custom_inputs": {"note": format!("ref {token} ok")}}),
                    "/custom_inputs/note",
                ),
            };
            // The card itself, or the app's own truncation of it.
            request["credit_card"] = match rng.below(3) {
                0 => json!({"number": pan}),
                1 => json!({"issuer_id_number": &pan[..6], "last_digits": &pan[len - 4..]}),
                _ => json!({"issuer_id_number": &pan[..8], "last_digits": &pan[len - 4..]}),
            };
            let r = sanitize_value(&policy, Endpoint::Transaction, request);
            assert_eq!(
                outcome(&r),
                Some(("PAN_DETECTED".into(), path.into())),
                "{prefix}, {len} digits"
            );
        }
    }
    // The card's digits split by hex letters (every four, or after the
    // IIN), or reversed, beside the card or its truncation.
    for (prefix, len, pan) in every_brand_and_length(&mut rng) {
        for _ in 0..4 {
            let written: String = match rng.below(3) {
                0 => pan
                    .chars()
                    .enumerate()
                    .flat_map(|(k, c)| {
                        let letter = (k > 0 && k % 4 == 0).then(|| hex_letter(&mut rng, false));
                        letter.into_iter().chain(std::iter::once(c))
                    })
                    .collect(),
                1 => format!("{}{}{}", &pan[..6], hex_letter(&mut rng, false), &pan[6..]),
                _ => pan.chars().rev().collect(),
            };
            let token = hash_token_holding(&mut rng, &written);
            let mut request = json!({"device": {"session_id": token}});
            request["credit_card"] = match rng.below(2) {
                0 => json!({"number": pan}),
                _ => json!({"issuer_id_number": &pan[..6], "last_digits": &pan[len - 4..]}),
            };
            let r = sanitize_value(&policy, Endpoint::Transaction, request);
            assert_eq!(
                outcome(&r),
                Some(("PAN_DETECTED".into(), "/device/session_id".into())),
                "{prefix}, {len} digits, split or reversed"
            );
        }
    }
    // Random digests beside a card's truncation are forwarded: a chance
    // match is about one in 10^11.
    for _ in 0..1_000 {
        let pan = corpus::pan_of(&mut rng, "4", 16);
        let request = json!({
            "credit_card": {"issuer_id_number": &pan[..6], "last_digits": &pan[12..]},
            "device": {"session_id": md5_hex(&rng.digits(12))},
        });
        assert!(sanitize_value(&policy, Endpoint::Transaction, request).is_ok());
    }
}
