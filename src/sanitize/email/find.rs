//! Finds email addresses inside free text, for the `on_email` setting.
//!
//! An email address, for txveil, is:
//!
//! - an at sign: `@`, or the fullwidth `＠` (U+FF20) or small `﹫` (U+FE6B);
//! - right before it, a **local part**: one or more letters or digits of any
//!   script and the characters `. _ % + - '`, beginning with a letter or digit
//!   (leading punctuation is not part of the address);
//! - right after it, a **domain**: two or more labels separated by a dot
//!   (`.`, or the ideographic and fullwidth dots IDNA also treats as dots),
//!   each label letters or digits of any script and inner hyphens, the last
//!   label at least two characters long with at least one letter; or an IP
//!   literal in brackets (`[192.0.2.1]`);
//!
//! found in the string as written and in its percent- or entity-decoded
//! reading (`jane.doe%40gmail.com` in a URL). `jane@localhost`, `@handle`
//! and `a@b` are not addresses; `icon@2x.png` is (it has the shape).

use super::super::decode::{self, Item};
use super::super::word;
use std::ops::Range;

/// One address found: where it is in the original string, and its text as
/// read (decoded where it was encoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) bytes: Range<usize>,
    pub(crate) text: String,
}

fn is_at(c: char) -> bool {
    matches!(c, '@' | '\u{FF20}' | '\u{FE6B}')
}

fn is_dot(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

fn local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
}

fn label_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// The end (exclusive index into `items`) of a domain starting at `start`.
fn domain_end(items: &[Item], start: usize) -> Option<usize> {
    if items.get(start).is_some_and(|(c, _)| *c == '[') {
        let close = items[start..].iter().position(|(c, _)| *c == ']')? + start;
        let inner: String = items[start + 1..close].iter().map(|(c, _)| *c).collect();
        return inner
            .parse::<std::net::IpAddr>()
            .is_ok()
            .then_some(close + 1);
    }
    let mut labels: Vec<Range<usize>> = Vec::new();
    let mut i = start;
    loop {
        let from = i;
        while i < items.len() && label_char(items[i].0) {
            i += 1;
        }
        // Trailing hyphens are not part of a label.
        let mut to = i;
        while to > from && items[to - 1].0 == '-' {
            to -= 1;
        }
        if to == from || items[from].0 == '-' {
            break;
        }
        labels.push(from..to);
        if to < i {
            break;
        }
        if i + 1 < items.len() && is_dot(items[i].0) && label_char(items[i + 1].0) {
            i += 1;
        } else {
            break;
        }
    }
    let last = labels.last()?;
    let tld_ok = last.len() >= 2 && items[last.clone()].iter().any(|(c, _)| c.is_alphabetic());
    (labels.len() >= 2 && tld_ok).then_some(last.end)
}

fn find_in(items: &[Item], found: &mut Vec<Found>) {
    let mut i = 0;
    while i < items.len() {
        if !is_at(items[i].0) {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0 && local_char(items[start - 1].0) {
            start -= 1;
        }
        while start < i && !items[start].0.is_alphanumeric() {
            start += 1;
        }
        match (start < i).then(|| domain_end(items, i + 1)).flatten() {
            Some(end) => {
                found.push(Found {
                    bytes: decode::origin(&items[start..end]),
                    text: items[start..end].iter().map(|(c, _)| *c).collect(),
                });
                i = end;
            }
            None => i += 1,
        }
    }
}

/// Whether a string whose [`word::Facts`] are `facts` holds no address:
/// no `@`, no escape (`%`, `&`) and no non-ASCII byte (the fullwidth and
/// small at signs).
pub(crate) fn ruled_out(facts: &word::Facts) -> bool {
    !facts.encoded && !facts.at
}

/// Whether `s` (whose facts are `facts`) holds no address, exactly as
/// [`find_emails`] decides: [`ruled_out`], or, for text outside ASCII,
/// none of the three at signs and no `%` or `&` (without which the text
/// is its only reading). `Zürich` is passed without being read as
/// characters; `jane＠example.com` is not.
pub(crate) fn none_possible(s: &str, facts: &word::Facts) -> bool {
    ruled_out(facts) || !s.contains(|c| is_at(c) || c == '%' || c == '&')
}

/// Every email address in `s`, in order, without overlaps; `facts` are
/// `s`'s.
pub(crate) fn find_emails(s: &str, facts: &word::Facts) -> Vec<Found> {
    let mut found = Vec::new();
    if ruled_out(facts) {
        return found;
    }
    let maybe_encoded = s.contains('%') || s.contains("&#");
    find_in(&decode::items(s), &mut found);
    if maybe_encoded {
        for view in decode::views(s) {
            find_in(&view, &mut found);
        }
    }
    // Candidates that overlap (`a@b.cc@d.ee`: the domain of one runs into the
    // local part of the next) become one span, so that replacing it leaves no
    // at sign behind that could form a new address.
    found.sort_by_key(|f| (f.bytes.start, std::cmp::Reverse(f.bytes.end)));
    let mut out: Vec<Found> = Vec::with_capacity(found.len());
    for f in found {
        match out.last_mut() {
            Some(last) if f.bytes.start < last.bytes.end => {
                if f.bytes.end > last.bytes.end {
                    last.bytes.end = f.bytes.end;
                    last.text = s[last.bytes.clone()].to_owned();
                }
            }
            _ => out.push(f),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Found> {
        find_emails(s, &word::Facts::of(s.as_bytes()))
    }
    use proptest::prelude::*;

    proptest! {
        /// The pre-check passes a string only when the finder finds no
        /// address in it: ASCII words and dots, the three at signs, text
        /// outside ASCII, and escaped at signs.
        #[test]
        fn the_pre_check_passes_only_text_without_an_address(
            parts in proptest::collection::vec(0usize..15, 0..16)
        ) {
            let pieces = [
                "jane", "example", "com", ".", " ", "@", "\u{FF20}", "\u{FE6B}", "\u{FF0E}",
                "Zürich", "ß", "%40", "&#64;", "&", "ｊａｎｅ",
            ];
            let s: String = parts.into_iter().map(|i| pieces[i]).collect();
            let facts = word::Facts::of(s.as_bytes());
            if none_possible(&s, &facts) {
                prop_assert!(find_emails(&s, &facts).is_empty());
            }
        }

        #[test]
        fn the_word_wise_marker_test_matches_a_byte_loop(b in proptest::collection::vec(prop_oneof![30 => b'a'..=b'z', 1 => any::<u8>()], 0..40)) {
            let want = b.iter().any(|&c| matches!(c, b'@' | b'%' | b'&') || c >= 0x80);
            prop_assert_eq!(!ruled_out(&word::Facts::of(&b)), want);
        }
    }

    fn texts(s: &str) -> Vec<String> {
        find(s).into_iter().map(|f| f.text).collect()
    }

    #[test]
    fn text_outside_ascii_without_an_at_sign_is_ruled_out() {
        for s in ["Zürich", "São Paulo", "Müller & Söhne", "東京都"] {
            let facts = word::Facts::of(s.as_bytes());
            assert_eq!(none_possible(s, &facts), !s.contains('&'), "{s}");
        }
        for s in [
            "jane＠example.com",
            "jane﹫exämple.com",
            "jäne@example.com",
            "jane%40example.com",
        ] {
            let facts = word::Facts::of(s.as_bytes());
            assert!(!none_possible(s, &facts), "{s}");
            assert!(!find_emails(s, &facts).is_empty(), "{s}");
        }
    }

    #[test]
    fn finds_addresses_in_text_with_their_spans() {
        let s = "contact: Jane.Doe+shop@GMail.com, or o'brien@example.co.uk.";
        let found = find(s);
        assert_eq!(found.len(), 2);
        assert_eq!(&s[found[0].bytes.clone()], "Jane.Doe+shop@GMail.com");
        assert_eq!(&s[found[1].bytes.clone()], "o'brien@example.co.uk");
    }

    #[test]
    fn finds_unicode_fullwidth_and_encoded_addresses() {
        assert_eq!(texts("jané@bücher.de"), ["jané@bücher.de"]);
        assert_eq!(
            texts("ｊａｎｅ＠ｇｍａｉｌ．ｃｏｍ"),
            ["ｊａｎｅ＠ｇｍａｉｌ．ｃｏｍ"]
        );
        assert_eq!(
            texts("/?email=jane.doe%40gmail.com&x=1"),
            ["jane.doe@gmail.com"]
        );
        assert_eq!(texts("jane&#64;gmail.com"), ["jane@gmail.com"]);
        assert_eq!(texts("root@[192.0.2.1]"), ["root@[192.0.2.1]"]);
        let s = "u=jane.doe%40gmail.com";
        assert_eq!(&s[find(s)[0].bytes.clone()], "jane.doe%40gmail.com");
    }

    #[test]
    fn spans_in_a_reversed_reading_run_forwards() {
        // Found by the `email` fuzz target.
        let s = "x%20\u{202E}moc.elpmaxe@enaj y";
        for f in find(s) {
            assert!(f.bytes.start < f.bytes.end && s.is_char_boundary(f.bytes.end));
        }
        assert!(find(s).iter().any(|f| f.text == "jane@example.com"));
    }

    #[test]
    fn overlapping_candidates_become_one_span() {
        // Found by the `sanitize` fuzz target: replacing only one of them left
        // an at sign that formed a new address on a second pass.
        let s = "read 5\u{200b}5@gmail.comb5@gmail.com4he phone";
        let found = find(s);
        assert_eq!(found.len(), 1);
        assert_eq!(&s[found[0].bytes.clone()], "5@gmail.comb5@gmail.com4he");
        assert_eq!(find("x a@b.cc'@d.ee y")[0].text, "a@b.cc'@d.ee");
    }

    #[test]
    fn leaves_what_is_not_an_address() {
        for s in [
            "@handle",
            "jane@localhost",
            "a@b",
            "x@-bad.com",
            "price @ 20.00",
            "user@host.1",
            "100% of @",
        ] {
            assert!(find(s).is_empty(), "{s}");
        }
    }
}
