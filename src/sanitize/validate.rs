//! Field validation after sanitizing, with the minFraud web service as the
//! reference (`spec/minfraud-fields.md`): what the service accepts passes,
//! what it refuses or what could carry unsanitized data does not. Formats
//! follow the official Python client's rules, except where the service is
//! more lenient: it converts a number sent for a string field and a numeric
//! string sent for a number field (the official Ruby client sends `"323.21"`,
//! `"2"`), and takes `"true"`/`"false"` for booleans. Two deliberate
//! differences from Python, both stricter: a trailing newline never passes
//! (Python's `$` lets `"US\n"` through), and JSON booleans are not numbers
//! (Python's `True` is an `int`).

use super::doc::Val;
use crate::schema::Ty;
use std::net::{IpAddr, Ipv6Addr};

/// Whether `v` is a valid value of type `ty`. Plain string fields, the
/// most common, are decided where this is called; the rest in [`valid_any`].
#[inline]
pub(crate) fn valid(ty: Ty, v: &Val<'_>) -> bool {
    match (ty, v) {
        (Ty::Str, Val::Str(_)) => true,
        (Ty::NonEmptyStr, Val::Str(t)) => !t.as_str().is_empty(),
        _ => valid_any(ty, v),
    }
}

/// [`valid`], for every type and value.
fn valid_any(ty: Ty, v: &Val<'_>) -> bool {
    match (ty, v) {
        (_, Val::Str(t)) => valid_str(ty, t.as_str()),
        (Ty::Str | Ty::NonEmptyStr, Val::Num(_)) => true,
        (Ty::PhoneCc, Val::Num(n)) => n.as_u64().is_some_and(|n| (1..=9999).contains(&n)),
        (Ty::Bool | Ty::CustomValue, Val::Bool(_)) => true,
        (Ty::Positive, Val::Num(n)) => n.as_f64() > 0.0,
        (Ty::NonNegative, Val::Num(n)) => n.as_f64() >= 0.0,
        (Ty::Quantity, Val::Num(n)) => n.as_u64().is_some_and(|q| q >= 1),
        (Ty::CustomValue, Val::Num(n)) => n.as_f64().abs() < 1e13,
        _ => false,
    }
}

/// Whether the string `s` is a valid value of type `ty`.
pub(crate) fn valid_str(ty: Ty, s: &str) -> bool {
    match ty {
        Ty::Str => true,
        Ty::NonEmptyStr => !s.is_empty(),
        Ty::Md5 => super::email::is_md5_hex(s),
        Ty::Email => super::email::is_md5_hex(s) || plausible_email(s),
        Ty::Hostname => hostname(s),
        Ty::Ip => ip_address(s),
        Ty::Country => ascii_run(s, 2, 2, |b| b.is_ascii_uppercase()),
        Ty::Currency => ascii_run(s, 3, 3, |b| b.is_ascii_uppercase()),
        Ty::Region => ascii_run(s, 1, 4, |b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        Ty::PhoneCc => ascii_run(s, 1, 4, |b| b.is_ascii_digit()),
        // The lists are sorted (`schema::tests::one_of_lists_are_sorted`).
        Ty::OneOf(values) => values
            .binary_search_by(|v| crate::json::key::key_order(v, s))
            .is_ok(),
        Ty::Bool => s == "true" || s == "false",
        Ty::Positive => decimal(s).is_some_and(|x| x > 0.0),
        Ty::NonNegative => decimal(s).is_some_and(|x| x >= 0.0),
        Ty::Quantity => {
            ascii_run(s, 1, 19, |b| b.is_ascii_digit()) && s.parse::<u64>().is_ok_and(|q| q >= 1)
        }
        Ty::Iin => (s.len() == 6 || s.len() == 8) && s.bytes().all(|b| b.is_ascii_digit()),
        Ty::LastDigits => (s.len() == 2 || s.len() == 4) && s.bytes().all(|b| b.is_ascii_digit()),
        Ty::Token => token(s),
        Ty::SingleChar => ascii_run(s, 1, 1, |b| b.is_ascii_alphanumeric()),
        Ty::Rfc3339 => rfc3339(s),
        Ty::Uri => uri(s),
        Ty::CustomValue => !s.contains('\n') && (1..=255).contains(&s.chars().count()),
        Ty::MaxmindId => s.chars().count() == 8,
        Ty::MinfraudId => uuid_not_nil(s),
        _ => false,
    }
}

/// The shape every listed value of minFraud's enumerations has: a
/// lowercase ASCII letter, then up to 31 lowercase letters, digits and `_`
/// (`credit_application`, `pay_u`, `cuentadigital`). It holds no address, no
/// space and no separator, and its digits meet the card detector first.
///
/// 32 hex digits are an MD5 (a hashed address or username echo), never a
/// listed value.
pub(crate) fn enum_shaped(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && !super::email::is_md5_hex(s)
        && ascii_run(s, 1, 32, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
        })
}

/// A number written as a JSON number in a string (`"323.21"`, `"2"`,
/// `"1.5e3"`): optional minus, digits without a leading zero, optional
/// fraction and exponent; finite.
fn decimal(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let int_start = i;
    let int_len = digits(&mut i);
    if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
        return None;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn ascii_run(s: &str, min: usize, max: usize, ok: impl Fn(u8) -> bool) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(ok)
}

/// Python: `re.match(r"^[\x21-\x7e]{1,255}$")` and not `^[0-9]{1,19}$`.
fn token(s: &str) -> bool {
    let printable = ascii_run(s, 1, 255, |b| (0x21..=0x7e).contains(&b));
    let short_digits = ascii_run(s, 1, 19, |b| b.is_ascii_digit());
    printable && !short_digits
}

/// `ipaddress.ip_address(s)` and not all digits; an IPv6 zone id is allowed.
fn ip_address(s: &str) -> bool {
    if s.chars().all(char::is_numeric) {
        return false;
    }
    if s.parse::<IpAddr>().is_ok() {
        return true;
    }
    match s.split_once('%') {
        Some((addr, zone)) => !zone.is_empty() && addr.parse::<Ipv6Addr>().is_ok(),
        None => false,
    }
}

/// Python's `_hostname`: at most 255 characters, every label 1–63 letters,
/// digits or `-`, not starting or ending with `-`.
fn hostname(s: &str) -> bool {
    s.chars().count() <= 255
        && s.split('.').all(|label| {
            let n = label.chars().count();
            (1..=63).contains(&n)
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c.is_numeric())
        })
}

/// A light address check for policies that keep `email.address` unhashed:
/// one `@`, a non-empty local part without spaces, a dotted host name.
fn plausible_email(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !local.contains(char::is_whitespace)
                && domain.contains('.')
                && hostname(domain)
        }
        None => false,
    }
}

/// `\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})`, whole string.
fn rfc3339(s: &str) -> bool {
    rfc3339_fraction(s).is_some()
}

/// How many fraction digits an RFC 3339 date-time
/// (`dddd-dd-ddTdd:dd:dd[.d+](Z|+dd:dd|-dd:dd)`, `t` and `z` also) has, or
/// `None` when `s` is not one.
pub(crate) fn rfc3339_fraction(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let at = |i: usize, set: &[u8]| b.get(i).is_some_and(|c| set.contains(c));
    if !(digits(0..4) && at(4, b"-") && digits(5..7) && at(7, b"-") && digits(8..10))
        || !(at(10, b"Tt") && digits(11..13) && at(13, b":") && digits(14..16))
        || !(at(16, b":") && digits(17..19))
    {
        return None;
    }
    let mut i = 19;
    let mut fraction = 0;
    if at(i, b".") {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        fraction = i - start;
    }
    let end = match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            digits(i + 1..i + 3) && at(i + 3, b":") && digits(i + 4..i + 6) && i + 6 == b.len()
        }
        _ => false,
    };
    end.then_some(fraction)
}

/// `urlparse(s)`: scheme http or https (any case) and a non-empty netloc.
fn uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let netloc = rest
        .strip_prefix("//")
        .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    scheme_ok && netloc.is_some_and(|n| !n.is_empty())
}

/// `uuid.UUID(s)` accepts `urn:uuid:`, braces and missing dashes; nil is refused.
fn uuid_not_nil(s: &str) -> bool {
    let s = s.replace("urn:", "").replace("uuid:", "");
    let hex: String = s.trim_matches(|c| c == '{' || c == '}').replace('-', "");
    hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) && hex.bytes().any(|b| b != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `valid` on a value given as JSON, read as a request would be.
    fn valid(ty: Ty, v: &serde_json::Value) -> bool {
        let text = serde_json::json!({ "v": v }).to_string();
        let arena = crate::sanitize::doc::Arena::new();
        let doc = crate::sanitize::doc::parse_object(text.as_bytes(), &arena).expect("json");
        super::valid(ty, doc.get("v").expect("v"))
    }

    #[test]
    fn follows_the_python_client() {
        assert!(valid(Ty::Ip, &json!("81.2.69.160")));
        assert!(valid(Ty::Ip, &json!("fe80::1%eth0")));
        assert!(valid(Ty::Ip, &json!("::ffff:1.2.3.4")));
        assert!(!valid(Ty::Ip, &json!("1234")));
        assert!(!valid(Ty::Ip, &json!("01.2.3.4")));
        assert!(!valid(Ty::Ip, &json!(" 1.2.3.4")));
        assert!(valid(Ty::Rfc3339, &json!("2014-04-12T23:20:50.052+00:00")));
        assert!(valid(Ty::Rfc3339, &json!("2015-13-45T99:99:99Z")));
        assert!(!valid(Ty::Rfc3339, &json!("2014-04-12 23:20:50Z")));
        assert!(!valid(Ty::Rfc3339, &json!("2014-04-12T23:20:50.Z")));
        assert!(valid(Ty::Uri, &json!("http://www.amazon.com/")));
        assert!(valid(Ty::Uri, &json!("HTTPS://x")));
        assert!(!valid(Ty::Uri, &json!("ftp://x")));
        assert!(!valid(Ty::Uri, &json!("http:///path")));
        assert!(valid(Ty::Token, &json!("123456abc1234")));
        assert!(valid(Ty::Token, &json!("12345678901234567890")));
        assert!(!valid(Ty::Token, &json!("4111111111111111")));
        assert!(!valid(Ty::Token, &json!("has space")));
        assert!(valid(Ty::PhoneCc, &json!("1")));
        assert!(valid(Ty::PhoneCc, &json!(44)));
        assert!(!valid(Ty::PhoneCc, &json!(0)));
        assert!(!valid(Ty::PhoneCc, &json!("12345")));
        assert!(!valid(Ty::Country, &json!("us")));
        assert!(!valid(Ty::Country, &json!("US\n")));
        assert!(valid(Ty::Positive, &json!(0.01)));
        assert!(!valid(Ty::Positive, &json!(0)));
        assert!(!valid(Ty::Positive, &json!(true)));
        assert!(valid(Ty::Quantity, &json!(1)));
        assert!(!valid(Ty::Quantity, &json!(1.0)));
        assert!(!valid(Ty::Quantity, &json!(0)));
        assert!(valid(Ty::Hostname, &json!("maxmind.com")));
        assert!(valid(Ty::Hostname, &json!("localhost")));
        assert!(!valid(Ty::Hostname, &json!("-x.com")));
        assert!(!valid(Ty::Hostname, &json!("maxmind.com.")));
        assert!(valid(
            Ty::MinfraudId,
            &json!("c8ce89f9-734d-4411-a174-91560f5ec07a")
        ));
        assert!(valid(
            Ty::MinfraudId,
            &json!("{c8ce89f9734d4411a17491560f5ec07a}")
        ));
        assert!(!valid(
            Ty::MinfraudId,
            &json!("00000000-0000-0000-0000-000000000000")
        ));
        assert!(valid(Ty::CustomValue, &json!(9_999_999_999_999.0)));
        assert!(!valid(Ty::CustomValue, &json!(1e13)));
        assert!(!valid(Ty::CustomValue, &json!("")));
        assert!(!valid(Ty::CustomValue, &json!("a\nb")));
        assert!(crate::schema::custom_input_key("loyalty_tier"));
        assert!(!crate::schema::custom_input_key("Loyalty"));
        assert!(!valid(Ty::RawPan, &json!("4111111111111111")));
    }

    #[test]
    fn accepts_what_the_web_service_converts() {
        // Issue 9, item 10: the official Ruby client sends these as strings.
        assert!(valid(Ty::Positive, &json!("323.21")));
        assert!(valid(Ty::Positive, &json!("20.43")));
        assert!(valid(Ty::Positive, &json!("1.5e3")));
        assert!(valid(Ty::NonNegative, &json!("3600.5")));
        assert!(valid(Ty::NonNegative, &json!("0")));
        assert!(valid(Ty::Quantity, &json!("2")));
        assert!(valid(Ty::Bool, &json!("true")));
        assert!(valid(Ty::Bool, &json!("false")));
        assert!(valid(Ty::Str, &json!(3132)));
        assert!(valid(Ty::NonEmptyStr, &json!(77)));
        // Still refused: what the service refuses or cannot read as a number.
        for bad in [
            "", "0", "-1", " 1", "1 ", "1,5", "0x10", "01", "1.", ".5", "NaN", "inf", "1e", "true",
        ] {
            assert!(!valid(Ty::Positive, &json!(bad)), "{bad:?}");
        }
        assert!(!valid(Ty::NonNegative, &json!("-0.5")));
        assert!(!valid(Ty::Quantity, &json!("0")));
        assert!(!valid(Ty::Quantity, &json!("2.5")));
        assert!(!valid(Ty::Quantity, &json!("+2")));
        assert!(!valid(Ty::Bool, &json!("True")));
        assert!(!valid(Ty::Bool, &json!("1")));
        assert!(!valid(Ty::Bool, &json!(1)));
        assert!(!valid(Ty::Token, &json!(12345)));
    }
}
