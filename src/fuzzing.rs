//! Entry points for the fuzz targets in `fuzz/` (compiled only with
//! `--cfg fuzzing`, which cargo-fuzz sets): crate-private steps of the core
//! that the targets check on their own.

/// The official client's canonical form of an address and its cleaned
/// domain, if it has them.
pub fn email_canonical(address: &str) -> Option<(String, String)> {
    crate::sanitize::email::canonicalize(address).ok().flatten()
}

/// Byte ranges of the email addresses found in free text.
pub fn emails_in_text(text: &str) -> Vec<std::ops::Range<usize>> {
    let facts = crate::sanitize::word::Facts::of(text.as_bytes());
    crate::sanitize::email::find::find_emails(text, &facts)
        .into_iter()
        .map(|f| f.bytes)
        .collect()
}
