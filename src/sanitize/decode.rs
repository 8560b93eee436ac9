//! Other readings of a string, for the detectors.
//!
//! A card number or an email address can hide behind an encoding that the
//! upstream, a log viewer or a person decodes later: `%34%31%31%31...` in a
//! URL, `&#52;` in HTML, a punycode label (`xn--9hbaaaaaaaaaaaaaa7a`, which is
//! sixteen Arabic-Indic digits), or a right-to-left override that shows
//! `1111111111111114` as `4111111111111111`. [`views`] returns each such
//! reading as a sequence of characters, every one tagged with the byte range
//! of the original string it came from, so a finding in any reading can be
//! redacted in the original.

use std::ops::Range;

/// One character of a reading and the bytes of the original it stands for.
pub(crate) type Item = (char, Range<usize>);

/// The bytes of the original that `items` stand for, whatever their order
/// (a reversed reading runs backwards through the original).
pub(crate) fn origin(items: &[Item]) -> Range<usize> {
    let start = items.iter().map(|(_, r)| r.start).min().unwrap_or(0);
    let end = items.iter().map(|(_, r)| r.end).max().unwrap_or(start);
    start..end
}

/// The smallest range holding both `a` and `b`.
pub(crate) fn cover(a: &Range<usize>, b: &Range<usize>) -> Range<usize> {
    a.start.min(b.start)..a.end.max(b.end)
}

/// Most rounds of percent/entity decoding (`%2534` is `%34` is `4`).
const MAX_DECODE_ROUNDS: usize = 3;

/// The string as it is, as items.
pub(crate) fn items(s: &str) -> Vec<Item> {
    let mut items = Vec::with_capacity(s.len());
    items.extend(s.char_indices().map(|(i, c)| (c, i..i + c.len_utf8())));
    items
}

/// Whether `s` could read differently once decoded (cheap pre-check, one
/// pass over the bytes).
pub(crate) fn may_have_views(s: &str) -> bool {
    (0..s.len()).any(|i| view_starts_at(s.as_bytes(), i))
}

/// Whether byte `i` of `b` starts something another reading decodes: a
/// non-ASCII byte, `%XX`, `&#` or `xn--` (any case).
pub(crate) fn view_starts_at(b: &[u8], i: usize) -> bool {
    match b[i] {
        0x80.. => true,
        b'%' => b.len() > i + 2 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit(),
        b'&' => b.get(i + 1) == Some(&b'#'),
        b'x' | b'X' => b.len() >= i + 4 && b[i..i + 4].eq_ignore_ascii_case(b"xn--"),
        _ => false,
    }
}

/// The other readings of `s`: decoded (each round), punycode labels decoded,
/// and reversed when bidi controls are present. Empty when there are none.
pub(crate) fn views(s: &str) -> Vec<Vec<Item>> {
    if !may_have_views(s) {
        return Vec::new();
    }
    views_of(s, &items(s))
}

/// As [`views`], with `s` already read into `base` (`items(s)`).
pub(crate) fn views_of(s: &str, base: &[Item]) -> Vec<Vec<Item>> {
    let mut out = Vec::new();
    if !may_have_views(s) {
        return out;
    }
    let mut decoded: Option<Vec<Item>> = None;
    for _ in 0..MAX_DECODE_ROUNDS {
        match unescape(decoded.as_deref().unwrap_or(base)) {
            Some(next) => {
                out.push(next.clone());
                decoded = Some(next);
            }
            None => break,
        }
    }
    for view in std::iter::once(base).chain(decoded.as_deref()) {
        if let Some(punycoded) = punycode(view) {
            out.push(punycoded);
        }
    }
    if s.chars().any(is_bidi_control) {
        out.push(base.iter().rev().cloned().collect());
    }
    out
}

/// Bidi embeddings, overrides, isolates and marks: what can make text show
/// in another order than it is stored.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn hex_value(c: char) -> Option<u8> {
    c.to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Decodes `%XX` (with `+` as a space) and `&#NN;` / `&#xHH;` entities.
/// `None` when nothing was decoded.
fn unescape(items: &[Item]) -> Option<Vec<Item>> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut bytes: Vec<(u8, Range<usize>)> = Vec::new();
    let mut changed = false;
    let mut i = 0;
    while i < items.len() {
        let (c, ref r) = items[i];
        if c == '%' && i + 2 < items.len() {
            if let (Some(h), Some(l)) = (hex_value(items[i + 1].0), hex_value(items[i + 2].0)) {
                bytes.push((h * 16 + l, r.start..items[i + 2].1.end));
                changed = true;
                i += 3;
                continue;
            }
        }
        flush(&mut bytes, &mut out);
        if c == '&' {
            if let Some((decoded, used)) = entity(&items[i..]) {
                out.push((decoded, r.start..items[i + used - 1].1.end));
                changed = true;
                i += used;
                continue;
            }
        }
        out.push((if c == '+' { ' ' } else { c }, r.clone()));
        i += 1;
    }
    flush(&mut bytes, &mut out);
    changed.then_some(out)
}

/// Decodes percent-escaped bytes as UTF-8 (invalid bytes become U+FFFD).
fn flush(bytes: &mut Vec<(u8, Range<usize>)>, out: &mut Vec<Item>) {
    if bytes.is_empty() {
        return;
    }
    let raw: Vec<u8> = bytes.iter().map(|(b, _)| *b).collect();
    let mut at = 0;
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            let n = c.len_utf8();
            out.push((c, bytes[at].1.start..bytes[at + n - 1].1.end));
            at += n;
        }
        for _ in chunk.invalid() {
            out.push(('\u{FFFD}', bytes[at].1.clone()));
            at += 1;
        }
    }
    bytes.clear();
}

/// `&#NN;`, `&#xHH;` (at most 8 digits) or `&nbsp;` at the start of `items`:
/// the character and how many items it used.
fn entity(items: &[Item]) -> Option<(char, usize)> {
    let text: String = items.iter().take(12).map(|(c, _)| *c).collect();
    if text.starts_with("&nbsp;") {
        return Some(('\u{a0}', 6));
    }
    let rest = text.strip_prefix("&#")?;
    let (radix, digits) = match rest.strip_prefix(['x', 'X']) {
        Some(hex) => (16, hex),
        None => (10, rest),
    };
    let end = digits.find(';')?;
    let number = &digits[..end];
    if number.is_empty() || number.len() > 8 {
        return None;
    }
    let value = u32::from_str_radix(number, radix).ok()?;
    let c = char::from_u32(value)?;
    let used = 2 + usize::from(radix == 16) + end + 1;
    Some((c, used))
}

/// The longest `xn--` label decoded, `xn--` included: no label of a host
/// name is longer than a whole host name (253 characters). Decoding inserts
/// each character into what is decoded so far, a cost that grows with the
/// square of the label's length; bounding the label keeps the reading
/// linear in the text however many labels it holds.
pub(crate) const MAX_PUNYCODE_LABEL: usize = 253;

/// Replaces every `xn--` label by its decoded characters, each standing for
/// the whole label. `None` when there is no decodable label. A label longer
/// than [`MAX_PUNYCODE_LABEL`] is not decoded.
fn punycode(items: &[Item]) -> Option<Vec<Item>> {
    let is_label_char = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let mut out = Vec::with_capacity(items.len());
    let mut changed = false;
    let mut i = 0;
    while i < items.len() {
        let at_label_start = i == 0 || !is_label_char(items[i - 1].0);
        let xn = items.len() >= i + 4
            && items[i].0.eq_ignore_ascii_case(&'x')
            && items[i + 1].0.eq_ignore_ascii_case(&'n')
            && items[i + 2].0 == '-'
            && items[i + 3].0 == '-';
        if at_label_start && xn {
            let mut end = i + 4;
            while end < items.len() && is_label_char(items[end].0) {
                end += 1;
            }
            if end - i > MAX_PUNYCODE_LABEL {
                // Not a host name's label; its characters stay as written.
                out.extend_from_slice(&items[i..end]);
                i = end;
                continue;
            }
            let label: String = items[i + 4..end]
                .iter()
                .map(|(c, _)| c.to_ascii_lowercase())
                .collect();
            if let Some(decoded) = idna::punycode::decode_to_string(&label) {
                let range = items[i].1.start..items[end - 1].1.end;
                out.extend(decoded.chars().map(|c| (c, range.clone())));
                changed = true;
                i = end;
                continue;
            }
        }
        out.push(items[i].clone());
        i += 1;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(items: &[Item]) -> String {
        items.iter().map(|(c, _)| *c).collect()
    }

    #[test]
    fn decodes_percent_escapes_plus_and_entities_with_their_origins() {
        let v = views("a%34+&#49;&#x31;%C3%A9b");
        assert_eq!(text(&v[0]), "a4 11éb");
        let e = v[0].iter().find(|(c, _)| *c == 'é').unwrap();
        assert_eq!(e.1, 16..22);
    }

    #[test]
    fn decodes_again_what_was_encoded_twice() {
        let v = views("%2534");
        assert_eq!(text(v.last().unwrap()), "4");
    }

    #[test]
    fn decodes_punycode_labels_anywhere() {
        let v = views("jane@xn--9hbaaaaaaaaaaaaaa7a.com");
        let decoded = text(&v[0]);
        assert!(decoded.starts_with("jane@\u{664}\u{661}"), "{decoded}");
    }

    #[test]
    fn reverses_text_with_bidi_controls() {
        let v = views("\u{202E}1114");
        assert_eq!(text(&v[0]), "4111\u{202E}");
    }

    #[test]
    fn plain_ascii_has_no_other_reading() {
        assert!(views("4111 1111 1111 1111").is_empty());
        assert!(views("100% sure").is_empty());
    }
}
