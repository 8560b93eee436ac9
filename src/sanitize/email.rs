//! Email canonicalization and MD5, byte for byte as MaxMind's official Python
//! client (`minfraud.request._clean_email` with `hash_email=True`).
//!
//! Steps, in the client's order:
//! 1. lowercase (full Unicode) and trim (Python's whitespace set, which also
//!    holds `\x1c`–`\x1f`);
//! 2. split at the last `@`; without one the value is not an address;
//! 3. clean the domain: trim, strip trailing `.`, IDNA 2003 to ASCII
//!    ([`idna2003`]), collapse repeated `.com`, `<digits>gmail.com` →
//!    `gmail.com`, TLD typos → `com`, typo domains, equivalent domains;
//! 4. NFC the local part; cut a `+` alias (`-` for Yahoo domains) found after
//!    the first character; drop dots for `gmail.com`; fold Fastmail
//!    subdomain addressing (`alias@user.fastmail.com` → `user@fastmail.com`);
//! 5. MD5 of the UTF-8 bytes of `local@domain`, lowercase hex.

pub(crate) mod find;
mod idna2003;
mod tables;

use md5::{Digest, Md5};

/// Why an email address cannot be hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EmailError {
    /// No `@`, and not already a 32-hex-digit MD5.
    NotAnAddress,
    /// The domain fails IDNA 2003 conversion (the Python client raises).
    Domain,
}

/// A canonicalized, hashed address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HashedEmail {
    /// MD5 of the canonical form, lowercase hex; goes to `email.address`.
    pub(crate) md5_hex: String,
    /// The cleaned domain; goes to `email.domain` when the request has none
    /// and it is not empty. `None` when the input was already a hash.
    pub(crate) domain: Option<String>,
}

/// Whether `s` is exactly 32 hex digits (an MD5 the client passes through).
/// Every byte is tested and the answers combined, in the same steps
/// whatever the digits are (a hash's digits are random, so no byte is more
/// likely than another to end the test early).
pub(crate) fn is_md5_hex(s: &str) -> bool {
    let Ok(digits) = <&[u8; 32]>::try_from(s.as_bytes()) else {
        return false;
    };
    digits.iter().fold(true, |all, &b| {
        let digit = b.wrapping_sub(b'0') < 10;
        let letter = (b | 0x20).wrapping_sub(b'a') < 6;
        all & (digit | letter)
    })
}

/// Python's `str.isspace()`: Unicode White_Space plus the separators U+001C–U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn lookup<'a>(table: &'a [(&'static str, &'static str)], key: &str) -> Option<&'a str> {
    table
        .binary_search_by(|(k, _)| crate::json::key::key_order(k, key))
        .ok()
        .map(|i| table[i].1)
}

fn contains(table: &[&str], key: &str) -> bool {
    table
        .binary_search_by(|k| crate::json::key::key_order(k, key))
        .is_ok()
}

/// `_clean_domain` of the Python client.
fn clean_domain(domain: &str) -> Result<String, EmailError> {
    let trimmed = domain.trim_matches(py_space).trim_end_matches('.');
    let mut d = idna2003::to_ascii(trimmed).map_err(|_| EmailError::Domain)?;

    // (?:\.com){2,}$ → .com
    let mut end = d.len();
    let mut repeats = 0;
    while d[..end].ends_with(".com") {
        end -= 4;
        repeats += 1;
    }
    if repeats >= 2 {
        d.truncate(end);
        d.push_str(".com");
    }

    // ^\d+(?:gmail?\.com)$ → gmail.com (the domain is ASCII here)
    for tail in ["gmail.com", "gmai.com"] {
        if let Some(head) = d.strip_suffix(tail) {
            if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) {
                d = "gmail.com".to_owned();
                break;
            }
        }
    }

    if let Some(dot) = d.rfind('.') {
        if contains(tables::TYPO_TLDS, &d[dot + 1..]) {
            d.truncate(dot + 1);
            d.push_str("com");
        }
    }
    if let Some(fixed) = lookup(tables::TYPO_DOMAINS, &d) {
        d = fixed.to_owned();
    }
    if let Some(same) = lookup(tables::EQUIVALENT_DOMAINS, &d) {
        d = same.to_owned();
    }
    Ok(d)
}

/// The canonical `local@domain` form and the cleaned domain, or `None` when
/// the value has no `@` (the Python client then sends it unchanged).
///
/// # Errors
/// [`EmailError::Domain`] when the domain fails IDNA 2003 conversion.
pub(crate) fn canonicalize(address: &str) -> Result<Option<(String, String)>, EmailError> {
    let lowered = address.to_lowercase();
    let address = lowered.trim_matches(py_space);
    let Some(at) = address.rfind('@') else {
        return Ok(None);
    };
    let mut domain = clean_domain(&address[at + 1..])?;
    let mut local = super::unicode::nfc(&address[..at]);

    let divider = if contains(tables::YAHOO_DOMAINS, &domain) {
        '-'
    } else {
        '+'
    };
    if let Some(i) = local.find(divider) {
        if i > 0 {
            local.truncate(i);
        }
    }
    if domain == "gmail.com" {
        local.retain(|c| c != '.');
    }
    // Three labels or more: the domain without its first label may be
    // Fastmail's.
    if let Some((first, possible)) = domain.split_once('.') {
        if possible.contains('.') && contains(tables::FASTMAIL_DOMAINS, possible) {
            if !local.is_empty() {
                local = first.to_owned();
            }
            domain = possible.to_owned();
        }
    }
    let mut canonical = local;
    canonical.reserve(1 + domain.len());
    canonical.push('@');
    canonical.push_str(&domain);
    Ok(Some((canonical, domain)))
}

/// Lowercase hex MD5 of `s`.
pub(crate) fn md5_hex(s: &str) -> String {
    crate::json::hex(&Md5::digest(s.as_bytes()))
}

/// Hashes an `email.address` value as the official client does.
///
/// A value that is already an MD5 (32 hex digits) passes unchanged.
///
/// # Errors
/// [`EmailError::NotAnAddress`] for a value without `@` that is not an MD5,
/// [`EmailError::Domain`] when IDNA conversion of the domain fails.
pub(crate) fn hash_email(address: &str) -> Result<HashedEmail, EmailError> {
    match canonicalize(address)? {
        Some((canonical, domain)) => Ok(HashedEmail {
            md5_hex: md5_hex(&canonical),
            domain: Some(domain).filter(|d| !d.is_empty()),
        }),
        None if is_md5_hex(address) => Ok(HashedEmail {
            md5_hex: address.to_owned(),
            domain: None,
        }),
        None => Err(EmailError::NotAnAddress),
    }
}

#[cfg(test)]
#[path = "email/tests.rs"]
mod tests;
