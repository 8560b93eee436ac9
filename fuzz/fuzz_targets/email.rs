//! Any string through email canonicalization and the email finder: never a
//! panic; canonicalization is idempotent where the official Python client's
//! is: when the canonical domain is a plain host name (lowercase letters,
//! digits, hyphens, non-empty labels) that does not end in a repeated
//! `.com`, and the local part holds no white space or control character.
//! Elsewhere the client itself needs more passes (it trims before it strips
//! trailing dots, one `.`+control pair per pass; trims before it removes
//! Gmail dots, which can expose white space; and collapses a repeated `.com`
//! before it fixes TLD typos such as `.cnm`), and txveil
//! reproduces it (`tests/data/email-vectors.jsonl`). Every address found in
//! text is a slice of the input on character bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use txveil::fuzzing::{email_canonical, emails_in_text};

fn plain_domain(canonical: &str) -> bool {
    let Some((local, domain)) = canonical.rsplit_once('@') else {
        return false;
    };
    !local.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.ends_with(".com.com")
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(once) = email_canonical(text).filter(|c| plain_domain(c)) {
        assert_eq!(
            email_canonical(&once).as_deref(),
            Some(once.as_str()),
            "canonicalization is idempotent"
        );
    }
    for found in emails_in_text(text) {
        assert!(found.start < found.end && found.end <= text.len());
        assert!(text.is_char_boundary(found.start) && text.is_char_boundary(found.end));
    }
});
