//! Email addresses and card numbers in the readings txveil tries: addresses
//! with decomposed accents, characters that show nothing, any RFC 5322
//! local-part character, quoted local parts, domain literals and HTML
//! character references, found whole in free text and hashed as the
//! address they spell. Messages never hold an address or a card.

use md5::{Digest, Md5};
use serde_json::{json, Value};
use txveil::schema::Endpoint;
use txveil::Policy;

use crate::util::{self, refused_as_pan};

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sanitize(v: Value) -> Result<String, String> {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    let policy = POLICY.get_or_init(|| Policy::embedded_default().unwrap());
    match txveil::sanitize_value(policy, Endpoint::Transaction, v) {
        Ok(s) => Ok(s.to_json()),
        Err(e) => Err(format!("{} at {}", e.code(), e.path)),
    }
}

/// Free-text places where the default policy hashes found addresses.
fn placements(text: &str) -> Vec<Value> {
    vec![
        json!({"custom_inputs": {"note": text}}),
        json!({"shipping": {"address": text}}),
        json!({"order": {"referrer_uri": format!("https://shop.example/r?note={text}")}}),
    ]
}

/// `written` placed in each free-text field must come out as the MD5 of
/// `says` (the address it spells, lower case), with nothing of `local`
/// left.
fn hashed_whole(written: &str, says: &str, local: &str, case: &str) {
    let want = md5_hex(says);
    for (k, request) in placements(&format!("mail {written} thanks"))
        .into_iter()
        .enumerate()
    {
        if k == 2 && written.contains([' ', '"', '<', '>', '#']) {
            continue; // not what a URL carries unencoded
        }
        match sanitize(request) {
            Ok(out) => {
                assert!(
                    out.contains(&want),
                    "{case}: not hashed as the address in placement {k}"
                );
                assert!(
                    !out.contains(local),
                    "{case}: local part left in placement {k}"
                );
            }
            Err(e) => panic!("{case}: refused in placement {k}: {e}"),
        }
    }
}

#[test]
fn decomposed_addresses_hash_as_their_composed_form() {
    use unicode_normalization::UnicodeNormalization as _;
    for (k, composed) in [
        "josé@example.com",
        "jane@bücher.de",
        "zoë.ångström@exämple.org",
        "renée@café.fr",
    ]
    .into_iter()
    .enumerate()
    {
        let nfd: String = composed.nfd().collect();
        let (local, _) = composed.split_once('@').unwrap();
        let says = format!(
            "{local}@{}",
            idna_ascii(composed.split_once('@').unwrap().1)
        );
        hashed_whole(
            &nfd,
            &says,
            &local.nfd().collect::<String>(),
            &format!("nfd {k}"),
        );
    }
}

/// The ASCII form of a domain, as the official client's IDNA 2003 gives it
/// for these plain lower-case names.
fn idna_ascii(domain: &str) -> String {
    idna::domain_to_ascii(domain).unwrap()
}

#[test]
fn characters_that_show_nothing_are_read_through() {
    let address = "jane.doe@example.com";
    for (k, c) in [
        '\u{200B}',
        '\u{2060}',
        '\u{AD}',
        '\u{200E}',
        '\u{200F}',
        '\u{FEFF}',
        '\u{FE0F}',
        '\u{200C}',
        '\u{200D}',
        '\u{E0101}',
        '\u{34F}',
        '\u{180E}',
    ]
    .into_iter()
    .enumerate()
    {
        for at in [2, 4, 5, 8, 9, 12] {
            let mut written = address.to_owned();
            written.insert(at, c);
            hashed_whole(&written, address, "jane", &format!("invisible {k} at {at}"));
        }
    }
}

#[test]
fn every_atext_character_is_part_of_the_local_part() {
    for (k, c) in "!#$%&'*+-/=?^_`{|}~".chars().enumerate() {
        let local = format!("jane{c}doe");
        let written = format!("{local}@example.com");
        // A URL would carry these encoded.
        let mut request = placements(&format!("mail {written} thanks"));
        request.truncate(2);
        for (p, r) in request.into_iter().enumerate() {
            let out =
                sanitize(r).unwrap_or_else(|e| panic!("atext {k} refused in placement {p}: {e}"));
            // `+` starts an alias the official client cuts.
            let says = if c == '+' {
                "jane@example.com".to_owned()
            } else {
                written.clone()
            };
            assert!(out.contains(&md5_hex(&says)), "atext {k} in placement {p}");
            assert!(!out.contains("jane"), "atext {k} in placement {p}");
        }
    }
}

#[test]
fn quoted_local_parts_and_domain_literals_are_hashed_whole() {
    for (k, written) in [
        "\"john doe\"@example.com",
        "\"john@doe\"@example.com",
        "john@[192.0.2.1]",
        "john@[IPv6:2001:db8::1]",
        "john.doe@[IPv6:fe80::1:2:3:4]",
    ]
    .into_iter()
    .enumerate()
    {
        let lower = written.to_lowercase();
        hashed_whole(written, &lower, "john", &format!("shape {k}"));
    }
}

#[test]
fn addresses_written_as_character_references_are_hashed_not_refused() {
    for (k, address) in [
        "jane.doe@example.com",
        "a1b2c3d4e5@example.co.uk",
        "x99@mail.example",
    ]
    .into_iter()
    .enumerate()
    {
        let decimal: String = address
            .chars()
            .map(|c| format!("&#{};", c as u32))
            .collect();
        let hex: String = address
            .chars()
            .map(|c| format!("&#x{:x};", c as u32))
            .collect();
        let at_only = address.replace('@', "&#64;");
        for (f, written) in [decimal, hex, at_only].into_iter().enumerate() {
            let request = json!({"custom_inputs": {"note": format!("mail {written} thanks")}});
            let out =
                sanitize(request).unwrap_or_else(|e| panic!("address {k} form {f} refused: {e}"));
            assert!(out.contains(&md5_hex(address)), "address {k} form {f}");
        }
    }
}

// === Card numbers behind the readings txveil tries ===

use crate::corpus::{pan, Rng};
use base64::Engine as _;

/// Each way of writing `card` that a reader decodes back to it.
/// `s` in quoted-printable as an encoder that quotes every space and tab
/// writes it (RFC 2045 with Python `quopri`'s `quotetabs`): `=`, white
/// space, and bytes outside printable ASCII as `=XX`, lines of at most 76
/// characters joined by soft line breaks.
fn quote_all(s: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for b in s.bytes() {
        let piece = if b == b'=' || b == b' ' || b == b'\t' || !(33..=126).contains(&b) {
            format!("={b:02X}")
        } else {
            char::from(b).to_string()
        };
        if line + piece.len() > 75 {
            out.push_str("=\n");
            line = 0;
        }
        line += piece.len();
        out.push_str(&piece);
    }
    out
}

fn encodings(rng: &mut Rng, card: &str) -> Vec<(&'static str, String)> {
    let groups: Vec<String> = card
        .as_bytes()
        .chunks(4)
        .map(|g| String::from_utf8(g.to_vec()).unwrap())
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD;
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let chars = |f: &dyn Fn(char) -> String| card.chars().map(f).collect::<String>();
    let text = format!("card {card} exp 12/29");
    let json = format!("{{\"pan\":\"{card}\",\"exp\":\"12/29\"}}");
    let header = b64url.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    let sig = b64url.encode([7u8; 32]);
    let mut out = vec![
        (
            "bold groups",
            groups
                .iter()
                .map(|g| format!("<b>{g}</b>"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("wbr", groups.join("<wbr>")),
        (
            "javascript escape()",
            chars(&|c| format!("%u{:04X}", c as u32)),
        ),
        (
            "javascript escape() in a sentence",
            format!("card%20{}", chars(&|c| format!("%u{:04x}", c as u32))),
        ),
        (
            "spans",
            groups
                .iter()
                .map(|g| format!("<span class=\"n\">{g}</span>"))
                .collect(),
        ),
        (
            "cells",
            groups.iter().map(|g| format!("<td>{g}</td>")).collect(),
        ),
        (
            "references without semicolons",
            chars(&|c| format!("&#{}", c as u32)),
        ),
        (
            "double-escaped references",
            chars(&|c| format!("&amp;#{};", c as u32)),
        ),
        ("named separators", groups.join("&hyphen;")),
        ("named spaces", groups.join("&nbsp;")),
        (
            "unicode escapes",
            chars(&|c| format!("\\u{:04x}", c as u32)),
        ),
        (
            "escapes encoded twice",
            chars(&|c| format!("\\\\u{:04x}", c as u32)),
        ),
        ("hex escapes", chars(&|c| format!("\\x{:02x}", c as u32))),
        (
            "braced escapes",
            chars(&|c| format!("\\u{{{:x}}}", c as u32)),
        ),
        ("base64", b64.encode(&text)),
        ("base64 of the digits", b64.encode(card)),
        ("base64url", b64url.encode(&json)),
        (
            "jwt",
            format!("Bearer {header}.{}.{sig}", b64url.encode(&json)),
        ),
        (
            "data uri",
            format!("data:text/plain;base64,{}", b64.encode(&text)),
        ),
        (
            "base64 glued to a word",
            format!("ref{}", b64.encode(&text)),
        ),
        ("hex", hex(&text)),
        ("hex of the digits", hex(card)),
        ("quoted-printable", chars(&|c| format!("={:02X}", c as u32))),
        (
            "quoted-printable with soft breaks",
            groups
                .iter()
                .map(|g| {
                    g.chars()
                        .map(|c| format!("={:02X}", c as u32))
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("=\r\n"),
        ),
        (
            "tag characters",
            format!(
                "hello {}",
                chars(&|c| char::from_u32(0xE0000 + c as u32).unwrap().to_string())
            ),
        ),
    ];
    // UTF-16 text as bytes (.NET's `Encoding.Unicode`, Java's `UTF_16BE`),
    // then base64 or hex.
    let hex_bytes = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let utf16le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    out.push(("utf-16le base64", b64.encode(&utf16le)));
    out.push(("utf-16le hex", hex_bytes(&utf16le)));
    out.push(("utf-16be base64", b64.encode(&utf16be)));
    out.push(("utf-16be hex", hex_bytes(&utf16be)));
    // One binary encoding inside another.
    out.push(("hex of base64", hex(&b64.encode(&text))));
    out.push(("base64 of hex", b64.encode(hex(&text))));
    out.push(("base64url of hex", b64url.encode(hex(&json))));
    out.push((
        "quoted-printable of base64",
        b64.encode(&text)
            .chars()
            .map(|c| format!("={:02X}", c as u32))
            .collect(),
    ));
    // Markup that is not a tag, as rich-text editors and XML writers leave
    // it between the groups.
    out.push(("comments", groups.join("<!-- x -->")));
    out.push(("empty comments", groups.join("<!---->")));
    out.push(("processing instructions", groups.join("<?x?>")));
    out.push(("cdata marks", groups.join("<![CDATA[]]>")));
    out.push((
        "cdata sections",
        groups.iter().map(|g| format!("<![CDATA[{g}]]>")).collect(),
    ));
    // Quoted-printable words before the card: a lone `=XX` of a space or a
    // punctuation mark.
    let mark = ["=20", "=23", "=24", "=28"][card.len() % 4];
    out.push((
        "quoted-printable words",
        format!("Card=20number:{mark}{card}"),
    ));
    // Quoted-printable from an encoder that quotes every space (Python's
    // `quopri` with `quotetabs`, MIME `Q` encoded words): the one after
    // the word too, so that `=20` stands right before the first group.
    let word = *rng.pick(&[
        "card",
        "Visa",
        "my card",
        "número de tarjeta",
        "卡号",
        "pan:",
    ]);
    let sep = *rng.pick(&[" ", " ", "-"]);
    let spaced_word = format!("{word} {}", groups.join(sep));
    out.push((
        "quoted-printable, every space quoted",
        quote_all(&spaced_word),
    ));
    out.push((
        "quoted-printable, every space quoted, card alone",
        quote_all(&format!("{word} {card}")),
    ));
    out.push((
        "quoted-printable, every space quoted, after a word that is not a card word",
        quote_all(&format!("number {}", groups.join("-"))),
    ));
    out.push((
        "Q-encoded word",
        format!("=?utf-8?Q?{}?=", quote_all(&spaced_word)),
    ));
    // Quoted-printable around another escape: every byte of character
    // references, `\u` escapes and TAG characters with spaces quoted.
    let references: String = groups
        .iter()
        .map(|g| {
            g.chars()
                .map(|c| format!("&#{};", c as u32))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ");
    out.push((
        "quoted-printable of references",
        references.bytes().map(|b| format!("={b:02X}")).collect(),
    ));
    let escaped: String = groups
        .iter()
        .map(|g| {
            g.chars()
                .map(|c| format!("\\u{:04x}", c as u32))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ");
    out.push(("quoted-printable of escapes", quote_all(&escaped)));
    let tagged: String = format!("{word} {}", groups.join(" "))
        .chars()
        .map(|c| {
            if c.is_ascii() {
                char::from_u32(0xE0000 + c as u32).unwrap()
            } else {
                c
            }
        })
        .collect();
    out.push(("quoted-printable of tag characters", quote_all(&tagged)));
    // Rich text from RichEdit or Word pasted into a note: RTF's `\uN?`
    // (with its fallback character) and `\'XX` escapes, and control words
    // between the groups.
    let header = *rng.pick(&["{\\rtf1\\ansi ", "", "card ", "{\\rtf1 Kartennummer: "]);
    let join = *rng.pick(&[" ", ""]);
    let rtf = |f: &dyn Fn(char) -> String| {
        groups
            .iter()
            .map(|g| g.chars().map(f).collect::<String>())
            .collect::<Vec<_>>()
            .join(join)
    };
    out.push((
        "rtf unicode escapes",
        format!("{header}{}}}", rtf(&|c| format!("\\u{}?", c as u32))),
    ));
    out.push((
        "rtf unicode escapes with a space and a hex fallback",
        format!(
            "{header}{}\\par}}",
            rtf(&|c| format!("\\u{} \\'3f", c as u32))
        ),
    ));
    out.push((
        "rtf hex escapes",
        format!("{header}{}", rtf(&|c| format!("\\'{:02x}", c as u32))),
    ));
    let words = ["\\b ", "\\b0 ", "\\i ", "\\cf1 ", "\\ul0 "];
    out.push((
        "rtf control words between the groups",
        format!(
            "{{\\rtf1\\ansi card {}\\par}}",
            groups
                .iter()
                .enumerate()
                .map(|(k, g)| format!("{}{g}", if k == 0 { "" } else { words[k % words.len()] }))
                .collect::<String>()
        ),
    ));
    // A JSON value encoded twice, as Python's ensure_ascii writes it.
    let spaced = groups.join(" ");
    out.push((
        "ensure_ascii",
        spaced
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect(),
    ));
    if rng.below(2) == 0 {
        out.push((
            "unicode escapes, upper case",
            chars(&|c| format!("\\u{:04X}", c as u32)),
        ));
    }
    // Named characters (Python's `\N{...}`, any case, any script's digit
    // names; Perl's `\N{U+34}`): each digit written so or left as it is.
    const NAMES: [&str; 10] = [
        "ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE",
    ];
    let script = *rng.pick(&[
        "",
        "FULLWIDTH ",
        "ARABIC-INDIC ",
        "DEVANAGARI ",
        "MATHEMATICAL BOLD ",
    ]);
    let lower = rng.below(2) == 0;
    let named = |c: char, k: usize| {
        let name = format!("{script}DIGIT {}", NAMES[c.to_digit(10).unwrap() as usize]);
        match k % 3 {
            0 => format!("\\N{{{}}}", if lower { name.to_lowercase() } else { name }),
            1 => format!("\\N{{U+{:04X}}}", c as u32),
            _ => c.to_string(),
        }
    };
    out.push((
        "named characters",
        card.chars().enumerate().map(|(k, c)| named(c, k)).collect(),
    ));
    out.push((
        "perl hex escapes in braces",
        chars(&|c| format!("\\x{{{:x}}}", c as u32)),
    ));
    // JSON packed into a token: gzip (with or without a file name) or
    // zlib, in base64 or base64url, as apps put state in a URL.
    let named = rng.below(2) == 0;
    let mut member = vec![
        0x1f,
        0x8b,
        0x08,
        if named { 0x08 } else { 0 },
        0,
        0,
        0,
        0,
        0,
        3,
    ];
    if named {
        member.extend_from_slice(b"state.json\0");
    }
    member.extend(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6));
    member.extend([0u8; 8]);
    out.push(("gzip in base64", b64.encode(&member)));
    out.push((
        "zlib in base64url",
        b64url.encode(miniz_oxide::deflate::compress_to_vec_zlib(
            text.as_bytes(),
            9,
        )),
    ));
    out.push((
        "perl octal escapes in braces",
        chars(&|c| format!("\\o{{{:o}}}", c as u32)),
    ));
    // A gzip file of two members (`cat a.gz b.gz`), the card in the
    // second; gzip of UTF-16 text; gzip and zlib in hex.
    let mut first = vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3];
    first.extend(miniz_oxide::deflate::compress_to_vec(
        b"{\"log\":\"start\"}",
        6,
    ));
    first.extend([0u8; 8]);
    out.push((
        "gzip of two members",
        b64.encode([first, member.clone()].concat()),
    ));
    let wide: Vec<u8> = json.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut wide_member = vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3];
    wide_member.extend(miniz_oxide::deflate::compress_to_vec(&wide, 6));
    wide_member.extend([0u8; 8]);
    out.push(("gzip of utf-16 text", b64.encode(&wide_member)));
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    out.push(("gzip in hex", hex(&member)));
    out.push((
        "zlib in hex",
        hex(&miniz_oxide::deflate::compress_to_vec_zlib(
            text.as_bytes(),
            6,
        ))
        .to_uppercase(),
    ));
    out.push((
        "octal escapes in groups",
        groups
            .iter()
            .map(|g| {
                g.chars()
                    .map(|c| format!("\\{:03o}", c as u32))
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" "),
    ));
    out
}

#[test]
fn cards_behind_every_reading_are_found_in_every_free_text_field() {
    let mut rng = Rng::new(0x7e4d_b0c5);
    let mut leaks = util::Leaks::default();
    for _ in 0..40 {
        let card = pan(&mut rng);
        for (class, written) in encodings(&mut rng, &card) {
            let requests = [
                json!({"custom_inputs": {"note": format!("see {written} thanks")}}),
                json!({"shipping": {"address": written.clone()}}),
                json!({"order": {"referrer_uri": format!("https://shop.example/r?state={written}")}}),
                json!({"device": {"user_agent": format!("Mozilla/5.0 {written}")}}),
            ];
            for (k, r) in requests.into_iter().enumerate() {
                leaks.case(refused_as_pan(r), || {
                    format!("{class} in field {k}, a {}-digit card", card.len())
                });
            }
        }
    }
    leaks.assert_none(3_001);
}

#[test]
fn cards_behind_every_reading_are_found_in_a_report() {
    let policy = Policy::embedded_default().unwrap();
    let mut rng = Rng::new(0x7e4d_b0c6);
    let mut leaks = util::Leaks::default();
    for _ in 0..20 {
        let card = pan(&mut rng);
        for (class, written) in encodings(&mut rng, &card) {
            for field in ["notes", "chargeback_code", "transaction_id"] {
                let mut request = json!({"tag": "chargeback", "ip_address": "81.2.69.160"});
                request[field] = json!(format!("see {written} thanks"));
                let r = txveil::sanitize_value(&policy, Endpoint::Report, request);
                leaks.case(matches!(r, Err(e) if e.code() == "PAN_DETECTED"), || {
                    format!("{class} in {field}, a {}-digit card", card.len())
                });
            }
        }
    }
    leaks.assert_none(1_001);
}

#[test]
fn a_token_holding_a_card_in_any_reading_is_refused() {
    let mut rng = Rng::new(0x70ce);
    for _ in 0..40 {
        let card = pan(&mut rng);
        for (class, written) in encodings(&mut rng, &card) {
            let r = json!({"credit_card": {"token": written}});
            assert!(
                refused_as_pan(r),
                "token: {class}, a {}-digit card",
                card.len()
            );
        }
    }
}

#[test]
fn a_plus_in_a_url_query_is_a_space() {
    let mut rng = Rng::new(0x9105);
    for _ in 0..200 {
        // 15-digit cards (American Express's length) are the phone-length ones.
        let card = crate::corpus::pan_of(&mut rng, "37", 15);
        for written in [
            format!("https://shop.example/c?note=card+{card}+thanks"),
            format!("note=card+{card}+thanks"),
            format!("?q=my+amex+{card}"),
        ] {
            let r = json!({"order": {"referrer_uri": written.clone()}});
            assert!(refused_as_pan(r), "referrer, a {}-digit card", card.len());
            let r = json!({"custom_inputs": {"note": written}});
            assert!(
                refused_as_pan(r),
                "custom input, a {}-digit card",
                card.len()
            );
        }
    }
}

#[test]
fn a_phone_number_after_a_plus_stays_a_phone_number() {
    for written in [
        "https://shop.example/c?phone=+4917612345678&x=%20",
        "call +4917612345678 today",
        "tel:+4917612345678",
    ] {
        let r = json!({"custom_inputs": {"note": written}});
        assert!(sanitize(r).is_ok(), "a phone number was refused");
    }
}

#[test]
fn addresses_behind_markup_named_references_and_escapes_are_hashed() {
    let address = "jane.doe@example.com";
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for (k, written) in [
        "jane.doe&commat;example&period;com".to_owned(),
        "jane.doe&commat;example.com".to_owned(),
        "jane.doe<span>@</span>example.com".to_owned(),
        "jane.doe<b>@</b>example<wbr>.com".to_owned(),
        "jane.doe\\u0040example.com".to_owned(),
        "jane.doe\\x40example.com".to_owned(),
        "jane.doe&amp;#64;example.com".to_owned(),
        "jane.doe&#64example.com".to_owned(),
        "jane.doe\u{E0040}example.com".to_owned(),
        "jane.doe<!---->@example.com".to_owned(),
        "jane.doe<!-- x -->@<!-- y -->example.com".to_owned(),
        "jane.doe<?x?>@example.com".to_owned(),
        "jane.doe<![CDATA[@]]>example.com".to_owned(),
        "jane.doe=40example.com".to_owned(),
        "jane.doe=40example=2Ecom".to_owned(),
    ]
    .into_iter()
    .enumerate()
    {
        let out = sanitize(json!({"custom_inputs": {"note": format!("mail {written} thanks")}}))
            .unwrap_or_else(|e| panic!("form {k} refused: {e}"));
        assert!(
            out.contains(&md5_hex(address)),
            "form {k} not hashed as the address"
        );
        assert!(!out.contains("jane"), "form {k}: local part left");
    }
    // In a JWT: the base64 that spells the address is replaced.
    let payload = b64.encode(format!("{{\"sub\":\"{address}\"}}"));
    let out =
        sanitize(json!({"custom_inputs": {"note": format!("eyJhbGciOiJub25lIn0.{payload}.")}}))
            .unwrap_or_else(|e| panic!("jwt refused: {e}"));
    assert!(!out.contains(&payload), "the JWT's payload was left");
}

// === Characters the tables read ===

#[test]
fn letters_drawn_as_a_stroke_join_digit_groups() {
    let mut rng = Rng::new(0x3161);
    for c in [
        '\u{3161}', '\u{1173}', '\u{1C0}', '\u{1427}', '\u{4E28}', '\u{2D4F}', '\u{16C1}',
        '\u{A78F}', '\u{3127}', '\u{318D}', '\u{119E}', '\u{1428}', '\u{141F}', '\u{1420}',
        '\u{0E2F}',
    ] {
        for _ in 0..20 {
            let card = pan(&mut rng);
            let groups: Vec<&str> = card
                .as_bytes()
                .chunks(4)
                .map(|g| std::str::from_utf8(g).unwrap())
                .collect();
            let written = groups.join(&c.to_string());
            let r = json!({"custom_inputs": {"note": format!("card {written}")}});
            assert!(
                refused_as_pan(r),
                "U+{:04X} between the groups of a {}-digit card",
                c as u32,
                card.len()
            );
            let policy = Policy::embedded_default().unwrap();
            let report =
                json!({"ip_address": "81.2.69.160", "tag": "chargeback", "notes": written});
            assert!(
                matches!(
                    txveil::sanitize_value(&policy, Endpoint::Report, report),
                    Err(e) if e.code() == "PAN_DETECTED"
                ),
                "report: U+{:04X} between the groups of a {}-digit card",
                c as u32,
                card.len()
            );
        }
    }
}

#[test]
fn numbers_whose_nfkc_is_two_digits_read_as_both() {
    let mut rng = Rng::new(0x3251);
    for _ in 0..200 {
        let card = pan(&mut rng);
        let written: String = card
            .as_bytes()
            .chunks(2)
            .map(|pair| {
                let s = std::str::from_utf8(pair).unwrap();
                let v: u32 = s.parse().unwrap();
                let c = match v {
                    _ if pair.len() == 1 || pair[0] == b'0' => None,
                    10..=20 => char::from_u32(0x2469 + v - 10),
                    21..=35 => char::from_u32(0x3251 + v - 21),
                    36..=50 => char::from_u32(0x32B1 + v - 36),
                    _ => None,
                };
                c.map_or_else(|| s.to_owned(), String::from)
            })
            .collect();
        let r = json!({"custom_inputs": {"note": format!("card {written}")}});
        assert!(
            refused_as_pan(r),
            "a {}-digit card in circled numbers",
            card.len()
        );
    }
}

// === Base64 wrapped as MIME wraps it ===

#[test]
fn cards_in_base64_wrapped_at_76_columns_are_found_across_the_break() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut rng = Rng::new(0x3170);
    let mut leaks = util::Leaks::default();
    for &(prefix, lengths) in crate::corpus::BRANDS {
        for &len in lengths {
            let card = crate::corpus::pan_of(&mut rng, prefix, len);
            // The card's bytes start anywhere from byte 40 to byte 56: its
            // base64 crosses the first break, at character 76.
            let lead = 40 + rng.below(17);
            let text = format!(
                "{}card {card} exp 12/29, thank you for your order.",
                "n".repeat(lead - 5)
            );
            let encoded = b64.encode(&text);
            for eol in ["\n", "\r\n"] {
                let wrapped = encoded
                    .as_bytes()
                    .chunks(76)
                    .map(|l| std::str::from_utf8(l).unwrap())
                    .collect::<Vec<_>>()
                    .join(eol);
                for request in [
                    json!({"billing": {"address": wrapped.clone()}}),
                    json!({"device": {"user_agent": format!("Mozilla/5.0 {wrapped}")}}),
                    json!({"custom_inputs": {"note": wrapped.clone()}}),
                ] {
                    leaks.case(refused_as_pan(request), || {
                        format!("{prefix}/{len} eol {}", eol.len())
                    });
                }
            }
        }
    }
    leaks.assert_none(101);
    // Short lines of base64-looking words are not joined: ordinary text
    // stays as it was.
    let lines = "Apartment 4B\nBuilding 12\nSecond floor";
    assert!(sanitize(json!({"billing": {"address_2": lines}})).is_ok());
}

// === JSON numbers as the app wrote them ===

#[test]
fn numbers_are_judged_by_the_digits_the_app_wrote() {
    let policy = Policy::embedded_default().unwrap();
    let mut rng = Rng::new(0x3180);
    let mut leaks = util::Leaks::default();
    for &(prefix, lengths) in crate::corpus::BRANDS {
        for &len in lengths {
            let card = crate::corpus::pan_of(&mut rng, prefix, len);
            let forms = [
                format!("0.{card}"),
                format!("0.{card}00"),
                format!("-0.{card}"),
                format!("{card}e-{}", rng.range(1, 30)),
                format!("{card}E-{}", rng.range(1, 30)),
                format!("{}.{}", &card[..4], &card[4..]),
                format!("{card}.000"),
            ];
            for (form, number) in forms.iter().enumerate() {
                for (place, body) in [
                    format!(r#"{{"custom_inputs":{{"n":{number}}}}}"#),
                    format!(r#"{{"order":{{"amount":{number},"currency":"USD"}}}}"#),
                    format!(r#"{{"shopping_cart":[{{"item_id":"a","price":{number}}}]}}"#),
                ]
                .iter()
                .enumerate()
                {
                    let r =
                        txveil::sanitize_request(&policy, Endpoint::Transaction, body.as_bytes());
                    leaks.case(r.is_err(), || {
                        format!("{prefix}/{len} form {form} place {place}")
                    });
                }
            }
        }
    }
    leaks.assert_none(501);
    // Ordinary numbers still pass as they are.
    for body in [
        r#"{"order":{"amount":123.45,"currency":"USD"}}"#,
        r#"{"custom_inputs":{"n":0.5}}"#,
        r#"{"shopping_cart":[{"item_id":"a","price":19.99}]}"#,
    ] {
        assert!(txveil::sanitize_request(&policy, Endpoint::Transaction, body.as_bytes()).is_ok());
    }
}

/// A separator written in an encoding whose own text holds digits (`%2D`,
/// `&#45;`, `\u002d`, `=20`, `%u002D`) is a separator in the reading it
/// decodes to, never digits of the value: a card grouped with it is found
/// wherever the same card grouped with the separator written plain is, in
/// every field, including those where context lowers codes and numbers (a
/// cart item's id, a transaction id, a telephone field).
#[test]
fn a_card_grouped_with_an_encoded_separator_is_found_as_if_written_plain() {
    use crate::corpus::{groups_of, pan_of, BRANDS};
    let encoded = [
        ("%2D", "-"),
        ("%2d", "-"),
        ("%20", " "),
        ("%2E", "."),
        ("%2F", "/"),
        ("%3A", ":"),
        ("%5F", "_"),
        ("%2C", ","),
        ("%2520", " "),
        ("&#45;", "-"),
        ("&#x2d;", "-"),
        ("&#32;", " "),
        ("\\u002d", "-"),
        ("\\x2d", "-"),
        ("=20", " "),
        ("=2D", "-"),
        ("%u002D", "-"),
    ];
    let mut rng = Rng::new(0x2d2d_0001);
    // Counted only where the same card with the separator written plain
    // is found.
    let mut leaks = util::Leaks::default();
    for (prefix, lengths) in BRANDS {
        for &len in *lengths {
            for _ in 0..8 {
                let card = pan_of(&mut rng, prefix, len);
                let mut groups = groups_of(&mut rng, &card);
                while groups.len() < 2 {
                    groups = groups_of(&mut rng, &card);
                }
                let (sep, plain_sep) = *rng.pick(&encoded);
                let in_fields = |written: String| {
                    [
                        json!({"shopping_cart": [{"item_id": written.clone(), "quantity": 1}]}),
                        json!({"event": {"transaction_id": written.clone()}}),
                        json!({"billing": {"phone_number": written.clone()}}),
                        json!({"custom_inputs": {"ref": written.clone()}}),
                        json!({"order": {"referrer_uri": format!("https://shop.example/r?id={written}")}}),
                    ]
                };
                let plain = in_fields(groups.join(plain_sep));
                let written = in_fields(groups.join(sep));
                for (k, (p, w)) in plain.into_iter().zip(written).enumerate() {
                    if !refused_as_pan(p) {
                        continue;
                    }
                    leaks.case(refused_as_pan(w), || {
                        format!(
                            "brand {prefix}, {len} digits, {} groups, separator {sep:?}, field {k}",
                            groups.len()
                        )
                    });
                }
            }
        }
    }
    // Nearly every plain card is found (short Maestro cards that are also
    // GTINs in a cart item's id, or telephone numbers in a telephone field,
    // are not): the comparison covers the fields.
    leaks.assert_none(2400);
}

/// The GS1 mod-10 check (weights 3 and 1 from the right).
fn gs1_ok(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 1 { 3 } else { 1 })
        .sum();
    sum.is_multiple_of(10)
}

/// The digits of an escape (`%2D`'s `2`) are not digits of the value: a
/// 16-digit card starting with 9 grouped with `%2D` in a cart item's id,
/// whose digits together with the escapes' would spell a USPS tracking
/// number (`92`-`95`, 20-22 digits, GS1 check digit), is still a card.
#[test]
fn digits_of_an_escape_are_never_digits_of_the_value() {
    use crate::corpus::pan_of;
    let mut rng = Rng::new(0x0959_2d2d);
    let mut cases = 0;
    let mut missed = 0;
    for prefix in ["9360", "9112", "9792", "9860", "9804"] {
        for layout in [&[1, 5, 4, 1, 3, 2][..], &[1, 3, 4, 4, 4], &[1, 4, 4, 4, 3]] {
            for sep in ["%2D", "%20", "%3A", "%5F", "%2E"] {
                let escape_digits: Vec<u8> = sep
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .map(|b| b - b'0')
                    .collect();
                // Only the layouts and escapes whose digits together are a
                // tracking number's length.
                let held_len = 16 + (layout.len() - 1) * escape_digits.len();
                if !(20..=22).contains(&held_len) {
                    continue;
                }
                let mut found = 0;
                while found < 5 {
                    let card = pan_of(&mut rng, prefix, 16);
                    let mut groups = Vec::new();
                    let mut at = 0;
                    for g in layout {
                        groups.push(&card[at..at + g]);
                        at += g;
                    }
                    let written = groups.join(sep);
                    let held: Vec<u8> = written
                        .bytes()
                        .filter(u8::is_ascii_digit)
                        .map(|b| b - b'0')
                        .collect();
                    let usps_shaped = (20..=22).contains(&held.len())
                        && held[0] == 9
                        && (2..=5).contains(&held[1])
                        && gs1_ok(&held);
                    if !usps_shaped || escape_digits.is_empty() {
                        continue;
                    }
                    found += 1;
                    cases += 1;
                    let request = json!({"shopping_cart": [{"item_id": written, "quantity": 1}]});
                    if !refused_as_pan(request) {
                        missed += 1;
                    }
                }
            }
        }
    }
    assert!(cases >= 300, "{cases}");
    assert_eq!(missed, 0, "{missed} of {cases} forwarded");
}

/// A field's kind says what the value holds as written: a short Maestro
/// card that is also a valid GTIN is forwarded in a cart item's id written
/// plain (context lowers it there), but the same digits hidden in a reading
/// (character references, percent escapes, reversed behind bidi controls)
/// are judged as free text, where nothing lowers them.
#[test]
fn a_fields_kind_counts_for_the_value_as_written_not_for_a_reading() {
    use crate::corpus::pan_of;
    let mut rng = Rng::new(0x6715_0001);
    let (mut plain_forwarded, mut cases, mut missed) = (0, 0, Vec::new());
    while cases < 400 {
        let prefix = *rng.pick(&["5018", "56", "6304", "6759", "5012"]);
        let len = *rng.pick(&[12, 13, 14]);
        let card = pan_of(&mut rng, prefix, len);
        let digits: Vec<u8> = card.bytes().map(|b| b - b'0').collect();
        if !gs1_ok(&digits) {
            continue;
        }
        cases += 1;
        let item = |id: String| json!({"shopping_cart": [{"item_id": id, "quantity": 1}]});
        if !refused_as_pan(item(card.clone())) {
            plain_forwarded += 1;
        }
        let entities: String = card.chars().map(|c| format!("&#{};", c as u32)).collect();
        let percent: String = card.chars().map(|c| format!("%{:02X}", c as u32)).collect();
        let reversed = format!("\u{2068}{}\u{202c}", card.chars().rev().collect::<String>());
        for (form, written) in [
            ("entities", entities),
            ("percent", percent),
            ("reversed", reversed),
        ] {
            if !refused_as_pan(item(written)) {
                missed.push(format!("{form}, brand {prefix}, {len} digits"));
            }
        }
    }
    // Written plain, context lowers them: the comparison is meaningful.
    assert_eq!(plain_forwarded, cases);
    assert!(
        missed.is_empty(),
        "{} of {}:\n{}",
        missed.len(),
        cases * 3,
        missed.join("\n")
    );
}

/// Markup whose quoted attribute values hold `>` or `<` around every group
/// of a card: the tag ends at its first `>` outside quotes, so nothing of
/// the attribute is left between the groups. Every brand and length.
#[test]
fn cards_in_tags_with_quoted_angle_brackets_are_found() {
    let mut rng = Rng::new(0x7a95);
    let opens = [
        "<span title=\"x>y\">",
        "<span title='x>y'>",
        "<b class = \"a>b\" id='c>d'>",
        "<i data-v=\"1<2\">",
        "<font face=\"x>\" title='>y'>",
    ];
    let mut leaks = util::Leaks::default();
    for &(prefix, lengths) in crate::corpus::BRANDS {
        for &len in lengths {
            for (k, open) in opens.iter().enumerate() {
                let card = crate::corpus::pan_of(&mut rng, prefix, len);
                let close = if open.starts_with("<span") {
                    "</span>"
                } else {
                    ""
                };
                let written = card
                    .as_bytes()
                    .chunks(4)
                    .map(|g| format!("{open}{}{close}", std::str::from_utf8(g).unwrap()))
                    .collect::<Vec<_>>()
                    .join(if k % 2 == 0 { " " } else { "" });
                for (field, request) in placements(&written).into_iter().enumerate() {
                    leaks.case(refused_as_pan(request), || {
                        format!("{prefix}/{len} markup {k} in field {field}")
                    });
                }
            }
        }
    }
    leaks.assert_none(501);
}

/// A card in quoted-printable with every space quoted (`card=204111=20...`)
/// in `account.username` or an email's local part is a card found before
/// it is hashed, in every brand and length, with or without separators.
#[test]
fn quoted_printable_cards_in_hashed_fields_are_found() {
    let mut rng = Rng::new(0x7e4d_b0c7);
    let policy = Policy::embedded_default().unwrap();
    let mut leaks = util::Leaks::default();
    for &(prefix, lengths) in crate::corpus::BRANDS {
        for &len in lengths {
            let card = crate::corpus::pan_of(&mut rng, prefix, len);
            let groups = crate::corpus::groups_of(&mut rng, &card);
            for word in ["card", "cc", "visa", "pan", "karte", "tarjeta"] {
                let written = if rng.below(2) == 0 {
                    quote_all(&format!("{word} {}", groups.join(" ")))
                } else {
                    quote_all(&format!("{word} {card}"))
                };
                let requests = [
                    (
                        json!({"account": {"username": written.clone()}}),
                        "/account/username",
                    ),
                    (
                        json!({"email": {"address": format!("{written}@example.com")}}),
                        "/email/address",
                    ),
                ];
                for (request, path) in requests {
                    let r = txveil::sanitize_value(&policy, Endpoint::Transaction, request);
                    let found = matches!(&r, Err(e) if e.code() == "PAN_DETECTED" && e.path.to_string() == path);
                    leaks.case(found, || format!("{prefix}/{len} after {word} in {path}"));
                }
            }
        }
    }
    leaks.assert_none(301);
}

/// Numbers drawn as one stroke, a ring or a cross (CJK `一` U+4E00,
/// Hangzhou `〡`, Roman `Ⅰ`, ideographic `〇`, CJK `十`) typed as the dash
/// between a card's groups, in every gap or in one: wherever the same text
/// with `-` typed is a card found (every brand and length, text fields, a
/// report's notes, `account.username`), so is this one.
#[test]
fn numbers_typed_as_dashes_between_groups_are_read_as_dashes() {
    let mut rng = Rng::new(0x7e4d_b0c8);
    let policy = Policy::embedded_default().unwrap();
    let strokes = ['\u{4E00}', '\u{3021}', '\u{2160}', '\u{3007}', '\u{5341}'];
    let mut leaks = util::Leaks::default();
    for &(prefix, lengths) in crate::corpus::BRANDS {
        for &len in lengths {
            for &stroke in &strokes {
                let card = crate::corpus::pan_of(&mut rng, prefix, len);
                // As cards are printed: 4-6-4 (14 digits), 4-6-5 (15),
                // else groups of 4.
                let groups: Vec<String> = match len {
                    14 | 15 => vec![card[..4].into(), card[4..10].into(), card[10..].into()],
                    _ => card
                        .as_bytes()
                        .chunks(4)
                        .map(|g| String::from_utf8(g.to_vec()).unwrap())
                        .collect(),
                };
                let dash = stroke.to_string();
                let one = rng.below(groups.len() - 1);
                let written = if rng.below(2) == 0 {
                    groups.join(&dash)
                } else {
                    let mut s = String::new();
                    for (i, g) in groups.iter().enumerate() {
                        s.push_str(g);
                        if i + 1 < groups.len() {
                            let gap = if i == one {
                                dash.as_str()
                            } else {
                                rng.pick(&[" ", "-"])
                            };
                            s.push_str(gap);
                        }
                    }
                    s
                };
                let text = format!(
                    "{}{written}",
                    rng.pick(&["", "卡号：", "信用卡 ", "card ", "カード番号 "])
                );
                let requests = [
                    (
                        Endpoint::Transaction,
                        json!({"custom_inputs": {"note": text}}),
                    ),
                    (Endpoint::Transaction, json!({"billing": {"address": text}})),
                    (Endpoint::Transaction, json!({"account": {"user_id": text}})),
                    (
                        Endpoint::Transaction,
                        json!({"account": {"username": text}}),
                    ),
                    (
                        Endpoint::Report,
                        json!({"ip_address": "81.2.69.160", "tag": "chargeback", "notes": text}),
                    ),
                ];
                for (k, (endpoint, request)) in requests.into_iter().enumerate() {
                    // The same text with `-` typed instead: where that is a
                    // card found, so is this.
                    let dashed: Value =
                        serde_json::from_str(&request.to_string().replace(stroke, "-")).unwrap();
                    let found = |r: Result<txveil::Sanitized, txveil::Rejection>| matches!(&r, Err(e) if e.code() == "PAN_DETECTED");
                    if !found(txveil::sanitize_value(&policy, endpoint, dashed)) {
                        continue;
                    }
                    leaks.case(
                        found(txveil::sanitize_value(&policy, endpoint, request)),
                        || format!("{prefix}/{len} U+{:04X} in request {k}", stroke as u32),
                    );
                }
            }
        }
    }
    leaks.assert_none(501);
}

/// Chinese and Japanese text that writes numbers with `一`, `十` and `〇`
/// beside ASCII digits (addresses, room numbers, dates, telephone numbers
/// typed with `一` as the dash, Roman numerals as list marks) is not taken
/// for a card.
#[test]
fn cjk_numerals_beside_digits_are_rarely_taken_for_cards() {
    let mut rng = Rng::new(0x7e4d_b0c9);
    let policy = Policy::embedded_default().unwrap();
    let n = 4000;
    let mut flagged = 0;
    for i in 0..n {
        let d = |rng: &mut Rng, k: usize| rng.digits(k);
        let text = match i % 7 {
            0 => format!(
                "北京市朝阳区建国路{}号院{}号楼{}单元{}一{}室",
                d(&mut rng, 3),
                d(&mut rng, 2),
                rng.range(1, 9),
                rng.range(1, 30),
                d(&mut rng, 2)
            ),
            1 => format!(
                "上海市浦东新区{}弄{}号{}〇{}室",
                d(&mut rng, 4),
                d(&mut rng, 3),
                rng.range(1, 30),
                d(&mut rng, 2)
            ),
            2 => format!(
                "东京都新宿区西新宿{}丁目{}一{}",
                rng.range(1, 9),
                d(&mut rng, 2),
                d(&mut rng, 2)
            ),
            3 => format!(
                "手机 1{}一{}一{}",
                d(&mut rng, 2),
                d(&mut rng, 4),
                d(&mut rng, 4)
            ),
            4 => format!(
                "二〇{}年{}月{}日 订单 {}",
                d(&mut rng, 2),
                rng.range(1, 12),
                rng.range(1, 28),
                d(&mut rng, 10)
            ),
            5 => format!(
                "第{}十{}期 邮编{}",
                rng.range(1, 9),
                rng.range(1, 9),
                d(&mut rng, 6)
            ),
            _ => format!(
                "Ⅰ{} Ⅰ{} 〡{}",
                d(&mut rng, 6),
                d(&mut rng, 6),
                d(&mut rng, 6)
            ),
        };
        let request = json!({"shipping": {"address": text}, "custom_inputs": {"note": text}});
        flagged +=
            usize::from(txveil::sanitize_value(&policy, Endpoint::Transaction, request).is_err());
    }
    assert!(flagged * 1000 <= n, "{flagged} of {n} flagged");
}

/// A card typed in fullwidth, Arabic-Indic, Persian or Devanagari digits
/// in an RTF document, as Word, WordPad and RichEdit write it: each
/// character outside ASCII as `\uN?` (N signed or unsigned 16-bit), its
/// fallback `?`, `\'3f` or ` ?`, in every free-text field.
#[test]
fn cards_in_rtf_unicode_escapes_of_any_digits_are_found() {
    let mut rng = Rng::new(0x5274_6631);
    let heads = [
        "{\\rtf1\\ansi\\ansicpg932\\deff0{\\fonttbl{\\f0 MS Gothic;}}\\f0\\fs20 ",
        "{\\rtf1\\ansi\\deff0 ",
        "{\\rtf1\\ansi\\ansicpg1256 ",
    ];
    let mut leaks = util::Leaks::default();
    for (script, zero) in [
        ("fullwidth", 0xFF10u32),
        ("arabic-indic", 0x660),
        ("persian", 0x6F0),
        ("devanagari", 0x966),
    ] {
        for signed in [true, false] {
            for _ in 0..25 {
                let card = pan(&mut rng);
                let digits: Vec<char> = card
                    .bytes()
                    .map(|d| char::from_u32(zero + u32::from(d - b'0')).unwrap())
                    .collect();
                let grouped = rng.below(2) == 0;
                let mut body = String::new();
                for (k, c) in digits.iter().enumerate() {
                    if grouped && k > 0 && k % 4 == 0 {
                        body.push(' ');
                    }
                    let mut n = i64::from(u32::from(*c));
                    if signed && n > 32767 {
                        n -= 65536;
                    }
                    body.push_str(&format!("\\u{n}{}", rng.pick(&["?", "\\'3f", " ?"])));
                }
                let written = format!("{}{body}\\par}}", rng.pick(&heads));
                let requests = [
                    json!({"custom_inputs": {"note": written.clone()}}),
                    json!({"shipping": {"address": written.clone()}}),
                ];
                for (f, r) in requests.into_iter().enumerate() {
                    leaks.case(refused_as_pan(r), || {
                        format!(
                            "{script} {} in field {f}, a {}-digit card",
                            if signed { "signed" } else { "unsigned" },
                            card.len()
                        )
                    });
                }
            }
        }
    }
    leaks.assert_none(400);
}

/// The code-page bytes of the fullwidth digit `d` in the DBCS code pages
/// CJK RTF writers declare (`\ansicpgN`): Shift_JIS (932), GBK (936),
/// EUC-KR (949), Big5 (950).
fn fullwidth_dbcs(cp: u32, d: u8) -> [u8; 2] {
    match cp {
        932 => [0x82, 0x4F + d],
        936 | 949 => [0xA3, 0xB0 + d],
        _ => [0xA2, 0xAF + d],
    }
}

/// A card in fullwidth digits in RTF as CJK writers put it: `\ucN` and,
/// after each `\uN`, N fallback units (the character's code-page bytes as
/// `\'XX`, or `?`s), N from 0 to 4; in groups that inherit the document's
/// `\ucN` (`{\f1 ...}`) or set their own, which ends with the group; in
/// transaction fields and a report's notes.
#[test]
fn cards_in_rtf_with_any_count_of_fallback_bytes_are_found() {
    let mut rng = crate::corpus::Rng::new(0x5274_6632);
    let policy = Policy::embedded_default().unwrap();
    let mut leaks = util::Leaks::default();
    for cp in [932u32, 936, 949, 950] {
        for uc in 0..=4usize {
            for _ in 0..20 {
                let card = crate::corpus::pan(&mut rng);
                let unit = |d: u8, uc: usize| {
                    let bytes = fullwidth_dbcs(cp, d);
                    let mut fallback: Vec<String> =
                        bytes.iter().map(|b| format!("\\'{b:02x}")).collect();
                    fallback.resize(uc.max(2), "?".to_owned());
                    fallback.truncate(uc);
                    format!("\\u{}{}", 0xFF10 + i64::from(d) - 65536, fallback.concat())
                };
                let grouped = rng.below(3);
                let mut body = String::new();
                for (k, chunk) in card.as_bytes().chunks(4).enumerate() {
                    let digits: String = chunk.iter().map(|&b| unit(b - b'0', uc)).collect();
                    match grouped {
                        0 => body.push_str(&digits),
                        // Each group in a group of its own inheriting `\ucN`.
                        1 => body.push_str(&format!("{{\\f1 {digits}}} ")),
                        // A group with another `\ucN` before each: it ends
                        // with the group.
                        _ => {
                            let other = (uc + 1) % 3;
                            let inner = format!("\\u{}?", 0xFF10 - 65536 + 9);
                            let inner = inner.repeat(usize::from(k == 0));
                            body.push_str(&format!("{{\\uc{other} {inner}}}{digits}"));
                        }
                    }
                }
                let text = format!("{{\\rtf1\\ansi\\ansicpg{cp}\\uc{uc} {body}\\par}}");
                let (endpoint, request) = if rng.below(4) == 0 {
                    let request =
                        json!({"tag": "chargeback", "ip_address": "81.2.69.160", "notes": text});
                    (Endpoint::Report, request)
                } else {
                    (
                        Endpoint::Transaction,
                        crate::corpus::place(&mut rng, &text, None).0,
                    )
                };
                let refused = matches!(
                    txveil::sanitize_value(&policy, endpoint, request),
                    Err(e) if e.code() == "PAN_DETECTED"
                );
                leaks.case(refused, || {
                    format!(
                        "cp{cp} uc{uc} grouping {grouped}, a {}-digit card",
                        card.len()
                    )
                });
            }
        }
    }
    leaks.assert_none(400);
}
