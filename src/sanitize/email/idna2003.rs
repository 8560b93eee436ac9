//! Domain to ASCII exactly as Python's `"idna"` codec does it (IDNA 2003,
//! RFC 3490 ToASCII with nameprep, RFC 3491), because the official Python
//! minFraud client hashes the domain in that form.
//!
//! The `idna` crate implements UTS 46, which differs on purpose: it keeps `ß`
//! and final `ς`, refuses emoji, and maps with newer Unicode data. We use it
//! only for RFC 3492 punycode, which both standards share. Nameprep is done
//! here with the RFC 3454 tables of the `stringprep` crate:
//!
//! - B.1 characters are removed (soft hyphen, zero-width joiners, variation
//!   selectors), B.2 case folding is applied (`ß` → `ss`, `ς` → `σ`);
//! - NFKC, applied to the stretches between code points that Unicode 3.2 did
//!   not assign: Python normalizes with Unicode 3.2 data, in which such code
//!   points have no decomposition and never combine, so they stay as written
//!   (this is why `💩.la` encodes);
//! - C.1.2–C.9 prohibitions and the bidi rule, as errors;
//! - unassigned code points are allowed, as Python allows them.
//!
//! The ASCII fast path of Python's codec is reproduced too: an all-ASCII
//! domain passes unchanged with only label lengths checked.

use stringprep::tables;
use unicode_normalization::UnicodeNormalization;

/// Why a domain cannot be converted (Python raises `UnicodeError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdnaError {
    /// A label is empty or longer than 63 bytes once encoded.
    LabelLength,
    /// Nameprep forbids a character in the label.
    Prohibited,
    /// The label breaks the bidi rule of RFC 3454 section 6.
    Bidi,
    /// The label already starts with the ACE prefix and is not ASCII.
    AcePrefix,
    /// Punycode could not encode the label.
    Punycode,
}

fn is_dot(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

fn check_len(label: &str) -> Result<(), IdnaError> {
    if (1..64).contains(&label.len()) {
        Ok(())
    } else {
        Err(IdnaError::LabelLength)
    }
}

/// Converts a domain to its ASCII form as Python's `str.encode("idna")` does.
pub(crate) fn to_ascii(domain: &str) -> Result<String, IdnaError> {
    if domain.is_empty() {
        return Ok(String::new());
    }
    if domain.is_ascii() {
        // Every label but the last must be 1 to 63 bytes; the last (empty
        // after a trailing dot) at most 63.
        let last = match domain.rsplit_once('.') {
            Some((rest, last)) => {
                rest.split('.').try_for_each(check_len)?;
                last
            }
            None => domain,
        };
        if last.len() >= 64 {
            return Err(IdnaError::LabelLength);
        }
        return Ok(domain.to_owned());
    }
    let mut labels: Vec<&str> = domain.split(is_dot).collect();
    let trailing_dot = labels.last().is_some_and(|l| l.is_empty());
    if trailing_dot {
        labels.pop();
    }
    let mut out = String::with_capacity(domain.len() + 8);
    for label in labels {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&label_to_ascii(label)?);
    }
    if trailing_dot {
        out.push('.');
    }
    Ok(out)
}

fn label_to_ascii(label: &str) -> Result<String, IdnaError> {
    if label.is_ascii() {
        check_len(label)?;
        return Ok(label.to_owned());
    }
    let prepared = nameprep(label)?;
    if prepared.is_ascii() {
        check_len(&prepared)?;
        return Ok(prepared);
    }
    if prepared.starts_with("xn--") {
        return Err(IdnaError::AcePrefix);
    }
    // Each character takes at least one character of the ACE form, so a
    // label of 64 or more characters fails the length check anyway: it is
    // refused before encoding, whose cost grows with the square of the
    // label's length.
    if prepared.chars().count() > 59 {
        return Err(IdnaError::LabelLength);
    }
    let encoded = idna::punycode::encode_str(&prepared).ok_or(IdnaError::Punycode)?;
    let ace = format!("xn--{encoded}");
    check_len(&ace)?;
    Ok(ace)
}

fn nameprep(label: &str) -> Result<String, IdnaError> {
    let mapped: String = label
        .chars()
        .filter(|&c| !tables::commonly_mapped_to_nothing(c))
        .flat_map(tables::case_fold_for_nfkc)
        .collect();
    let normalized = nfkc_unicode_3_2(&mapped);
    if normalized.chars().any(prohibited) {
        return Err(IdnaError::Prohibited);
    }
    let chars: Vec<char> = normalized.chars().collect();
    if chars.iter().any(|&c| tables::bidi_r_or_al(c)) {
        let first_last_ral = chars.first().is_some_and(|&c| tables::bidi_r_or_al(c))
            && chars.last().is_some_and(|&c| tables::bidi_r_or_al(c));
        if chars.iter().any(|&c| tables::bidi_l(c)) || !first_last_ral {
            return Err(IdnaError::Bidi);
        }
    }
    Ok(normalized)
}

/// NFKC in which code points unassigned in Unicode 3.2 stay as they are and
/// split normalization, as they do with Python's `unicodedata.ucd_3_2_0`.
fn nfkc_unicode_3_2(s: &str) -> String {
    // ASCII is assigned in every version and NFKC-stable.
    if s.is_ascii() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut segment = String::new();
    for c in s.chars() {
        if tables::unassigned_code_point(c) {
            out.extend(segment.nfkc());
            segment.clear();
            out.push(c);
        } else {
            segment.push(c);
        }
    }
    out.extend(segment.nfkc());
    out
}

fn prohibited(c: char) -> bool {
    tables::non_ascii_space_character(c)
        || tables::non_ascii_control_character(c)
        || tables::private_use(c)
        || tables::non_character_code_point(c)
        || tables::surrogate_code(c)
        || tables::inappropriate_for_plain_text(c)
        || tables::inappropriate_for_canonical_representation(c)
        || tables::change_display_properties_or_deprecated(c)
        || tables::tagging_character(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_passes_with_length_checks() {
        assert_eq!(to_ascii("maxmind.com").unwrap(), "maxmind.com");
        assert_eq!(to_ascii("a_b .com").unwrap(), "a_b .com");
        assert_eq!(to_ascii("a..com"), Err(IdnaError::LabelLength));
        assert_eq!(to_ascii(&"a".repeat(64)), Err(IdnaError::LabelLength));
        assert_eq!(to_ascii("example.").unwrap(), "example.");
    }

    #[test]
    fn differs_from_uts46_where_python_does() {
        assert_eq!(to_ascii("straße.de").unwrap(), "strasse.de");
        assert_eq!(to_ascii("bücher.com").unwrap(), "xn--bcher-kva.com");
        assert_eq!(to_ascii("ＥＸＡＭＰＬＥ。com").unwrap(), "example.com");
        assert_eq!(to_ascii("ⅻ.com").unwrap(), "xii.com");
        assert_eq!(to_ascii("💩.la").unwrap(), "xn--ls8h.la");
        assert_eq!(to_ascii("a\u{200d}b.com").unwrap(), "ab.com");
        assert_eq!(to_ascii("\u{200d}.com"), Err(IdnaError::LabelLength));
        assert_eq!(to_ascii("xn--a-ü.com"), Err(IdnaError::AcePrefix));
    }
}
