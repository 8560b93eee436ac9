//! Checks shared by txveil's fuzz targets, written independently of the
//! detector they check: simple, slow and obviously right.

use serde_json::Value;

/// Luhn over ASCII digits.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// The major networks only: Visa, Mastercard, American Express, Discover,
/// JCB. A deliberately small table, so that a hit is certainly a card.
fn major_brand(d: &[u8]) -> bool {
    let n = d.len();
    let p = |k: usize| -> u32 { d[..k].iter().fold(0, |a, &b| a * 10 + u32::from(b - b'0')) };
    (d[0] == b'4' && (n == 13 || n == 16 || n == 19))
        || ((51..=55).contains(&p(2)) && n == 16)
        || ((2221..=2720).contains(&p(4)) && n == 16)
        || ((p(2) == 34 || p(2) == 37) && n == 15)
        || (p(4) == 6011 && n == 16)
        || ((3528..=3589).contains(&p(4)) && n == 16)
}

/// Characters that render as nothing (zero-width spaces and joiners, bidi
/// and other format controls, soft hyphen, variation selectors, combining
/// marks): digits on both sides of them read as one run, for txveil as for a
/// reader.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{300}'..='\u{36F}' | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// The first run of 12-19 ASCII digits in `text` (invisible characters
/// removed) that stands alone (not touching a letter or digit of any script,
/// or `+`)
/// and is a Luhn-valid number of a major brand; `None` when there is none.
pub fn standalone_pan(text: &str) -> Option<String> {
    let visible: String = text.chars().filter(|&c| !invisible(c)).collect();
    let b = visible.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let run = &b[start..i];
        // Digits of any script and letters next to the run make it part of
        // a longer token, as txveil reads it.
        let before = visible[..start].chars().next_back();
        let after = visible[i..].chars().next();
        let touches = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '+');
        if (12..=19).contains(&run.len())
            && !touches(before)
            && !touches(after)
            && major_brand(run)
            && luhn(run)
        {
            return Some(String::from_utf8_lossy(run).into_owned());
        }
    }
    None
}

/// Every string, key and number of `v`, as text.
pub fn texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(a) => a.iter().for_each(|x| texts(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                texts(x, out);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

/// Whether `text` holds a run of six or more ASCII digits.
pub fn has_digit_run(text: &str, len: usize) -> bool {
    let mut run = 0;
    for b in text.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= len {
            return true;
        }
    }
    false
}
