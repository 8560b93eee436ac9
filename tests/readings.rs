//! Email addresses and card numbers in the readings txveil tries: addresses
//! with decomposed accents, characters that show nothing, any RFC 5322
//! local-part character, quoted local parts, domain literals and HTML
//! character references, found whole in free text and hashed as the
//! address they spell. Messages never hold an address or a card.

use md5::{Digest, Md5};
use serde_json::{json, Value};
use txveil::schema::Endpoint;
use txveil::Policy;

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sanitize(v: Value) -> Result<String, String> {
    let policy = Policy::embedded_default().unwrap();
    match txveil::sanitize_value(&policy, Endpoint::Transaction, v) {
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
