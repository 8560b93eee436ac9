//! Any string through email canonicalization and the email finder.
//! Properties: never a panic; for an address whose domain is already clean
//! (cleaning leaves it as written) and whose local part holds no white space
//! or control character, canonicalization is idempotent. Beyond that the
//! official Python client that txveil reproduces is not idempotent, because
//! its steps run in one fixed order: it trims before it strips trailing dots,
//! collapses a repeated `.com` and maps `<digits>gmail.com` before it fixes
//! TLD typos, maps typo domains once, IDNA can turn `＠` into `@`, and it folds
//! Fastmail subdomains after it cuts the `+` alias. txveil follows it exactly
//! (`tests/data/email-vectors.jsonl`). Every address found in text is a
//! slice of the input on character bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use txveil::fuzzing::{email_canonical, emails_in_text};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((once, domain)) = email_canonical(text) {
        let written = text.rsplit_once('@').map(|(_, d)| d);
        let local = &once[..once.len() - domain.len() - 1];
        let clean_local = !local.chars().any(|c| c.is_whitespace() || c.is_control());
        if clean_local && written == Some(domain.as_str()) {
            assert_eq!(
                email_canonical(&once).map(|(c, _)| c).as_deref(),
                Some(once.as_str()),
                "canonicalization is idempotent"
            );
        }
    }
    for found in emails_in_text(text) {
        assert!(found.start < found.end && found.end <= text.len());
        assert!(text.is_char_boundary(found.start) && text.is_char_boundary(found.end));
    }
});
