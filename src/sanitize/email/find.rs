//! Finds email addresses inside free text, for the `on_email` setting.
//!
//! An email address, for txveil, is:
//!
//! - an at sign: `@`, or the fullwidth `＠` (U+FF20) or small `﹫` (U+FE6B);
//! - right before it, a **local part**: either a run of RFC 5322 `atext`
//!   (letters and digits of any script with their combining marks, and
//!   ``! # $ % & ' * + - / = ? ^ _ ` { | } ~``) and dots, at most
//!   that starts with neither a dot nor a quote; or a quoted string
//!   of at most [`MAX_QUOTED`] characters (`"john doe"@example.com`). Where the run is the
//!   value of a URL query parameter (`?email=jane@...`, `&to=jane@...`) or
//!   the last segment of a URL path (`https://host/u/jane@...`), the local
//!   part starts after that `=` or `/`;
//! - right after it, a **domain**: two or more labels separated by a dot
//!   (`.`, or the ideographic and fullwidth dots IDNA also treats as dots),
//!   each label letters or digits of any script (with their combining marks,
//!   so decomposed `bu\u{308}cher.de` is one label) and inner hyphens, the
//!   last label at least two characters long with at least one letter; or a
//!   domain literal in brackets (`[192.0.2.1]`, `[IPv6:2001:db8::1]`, or a
//!   tagged literal `[tag:text]`), at most [`MAX_LITERAL`] characters;
//! - characters that show nothing (format characters such as zero-width
//!   spaces, word joiners, soft hyphens, bidi marks and the BOM; variation
//!   selectors; the combining grapheme joiner) anywhere inside: they are
//!   part of the span that is replaced and left out of the text that is
//!   hashed, so `ja\u{200B}ne@example.com` hashes as `jane@example.com`;
//!
//! found in the string as written and in each of its other readings
//! ([`decode::views`]: percent, entity and escape decoded, markup removed,
//! base64 and hex decoded, ...). `jane@localhost`, `@handle` and `a@b` are
//! not addresses; `icon@2x.png` is (it has the shape).
//!
//! The search is linear in the string: each at sign looks back over one
//! run of local-part characters (no at sign among them; a quoted string at
//! most [`MAX_QUOTED`] characters) and forward over one domain (no at sign
//! either; a literal at most [`MAX_LITERAL`] characters), and a found address
//! is skipped as a whole.

use super::super::decode::{self, Unit};
use super::super::word;
use std::ops::Range;
use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};

/// Most characters of a domain literal, brackets included (an IPv6 literal
/// with its `IPv6:` tag takes at most 53).
pub(crate) const MAX_LITERAL: usize = 64;

/// Most characters of a quoted local part, quotes included (RFC 5321
/// allows 64 octets in a local part; a longer quoted string is not read as
/// one).
pub(crate) const MAX_QUOTED: usize = 128;

/// One address found: where it is in the original string, and its text as
/// read (decoded where it was encoded, without the characters that show
/// nothing).
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

/// A combining mark: part of the letter before it (`e` + U+0301 is `é` as
/// macOS and iOS send it).
fn is_mark(c: char) -> bool {
    !c.is_ascii()
        && matches!(
            c.general_category(),
            G::NonspacingMark | G::SpacingMark | G::EnclosingMark
        )
}

/// Characters that show nothing and are not part of what an address says:
/// format characters (`Cf`: zero-width space and joiners, word joiner, soft
/// hyphen, bidi marks, BOM, tag characters), variation selectors and the
/// combining grapheme joiner.
pub(crate) fn shows_nothing(c: char) -> bool {
    !c.is_ascii()
        && (matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{034F}' | '\u{180B}'..='\u{180F}')
            || c.general_category() == G::Format)
}

/// RFC 5322 `atext` outside letters and digits.
fn atext_symbol(c: char) -> bool {
    matches!(
        c,
        '!' | '#'
            | '$'
            | '%'
            | '&'
            | '\''
            | '*'
            | '+'
            | '-'
            | '/'
            | '='
            | '?'
            | '^'
            | '_'
            | '`'
            | '{'
            | '|'
            | '}'
            | '~'
    )
}

fn local_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || atext_symbol(c) || is_mark(c)
}

fn label_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || is_mark(c)
}

/// The end (exclusive index into `items`) of a domain literal starting at
/// `start` (a `[`): `[192.0.2.1]`, `[IPv6:2001:db8::1]` or `[tag:text]`.
/// `marks` tells where the next brackets are: a literal holds no `[`, so
/// each `]` is read for at most one literal, the one opened by the last
/// `[` before it.
fn literal_end(items: &[Unit], start: usize, marks: &mut Marks) -> Option<usize> {
    let close = marks.next_close(items, start + 1)?;
    if close - start >= MAX_LITERAL || marks.next_open(items, start + 1) < close {
        return None;
    }
    let inner: String = items[start + 1..close].iter().map(|(c, _)| *c).collect();
    let ok = if let Some((tag, rest)) = inner.split_once(':') {
        let tag_ok = !tag.is_empty()
            && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !tag.ends_with('-');
        if tag.eq_ignore_ascii_case("IPv6") {
            rest.parse::<std::net::Ipv6Addr>().is_ok()
        } else {
            tag_ok
                && !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| (33..=126).contains(&b) && !matches!(b, b'[' | b'\\'))
        }
    } else {
        inner.parse::<std::net::Ipv4Addr>().is_ok()
    };
    ok.then_some(close + 1)
}

/// Where the next `[` and `]` and the last unescaped `"` and line end
/// stand in one reading, found as the search needs them: the at signs are
/// met in order, so each is found by a walk that starts where the last
/// one ended, and the searches for literals and quoted local parts cost a
/// constant per at sign, linear in the reading in all.
#[derive(Default)]
struct Marks {
    /// From `.0` on, the next `[` is at `.1` (`usize::MAX`: none).
    open: Option<(usize, usize)>,
    /// The same for `]`.
    close: Option<(usize, usize)>,
    /// The walk that answers [`Marks::before`]: the at signs are met in
    /// order, so it only ever moves forward (constant memory, one pass).
    quotes: QuoteWalk,
}

/// A walk over a reading that knows, at its position, the last `"` before
/// it that no odd run of backslashes escapes and the last `\r` or `\n`
/// before it (`usize::MAX`: none).
#[derive(Clone, Copy)]
struct QuoteWalk {
    at: usize,
    quote: usize,
    line: usize,
    /// Backslashes in a row just before `at`.
    backslashes: usize,
}

impl Default for QuoteWalk {
    fn default() -> Self {
        QuoteWalk {
            at: 0,
            quote: usize::MAX,
            line: usize::MAX,
            backslashes: 0,
        }
    }
}

impl Marks {
    /// The first index from `from` on holding `c` (`usize::MAX`: none);
    /// `cache` is the last answer, reused while `from` has not passed it.
    fn next(items: &[Unit], from: usize, c: char, cache: &mut Option<(usize, usize)>) -> usize {
        match *cache {
            Some((start, at)) if start <= from && from <= at => at,
            _ => {
                let at = items
                    .get(from..)
                    .and_then(|rest| rest.iter().position(|(x, _)| *x == c))
                    .map_or(usize::MAX, |p| from + p);
                *cache = Some((from, at));
                at
            }
        }
    }

    fn next_open(&mut self, items: &[Unit], from: usize) -> usize {
        Self::next(items, from, '[', &mut self.open)
    }

    fn next_close(&mut self, items: &[Unit], from: usize) -> Option<usize> {
        let at = Self::next(items, from, ']', &mut self.close);
        (at != usize::MAX).then_some(at)
    }

    /// The last `"` before item `i` that no odd run of backslashes
    /// escapes, and the last line end before it.
    fn before(&mut self, items: &[Unit], i: usize) -> (usize, usize) {
        if i < self.quotes.at {
            // Asked out of order (never, as the search runs): walk again.
            self.quotes = QuoteWalk::default();
        }
        let w = &mut self.quotes;
        for (k, (c, _)) in items.iter().enumerate().take(i).skip(w.at) {
            match c {
                '"' if w.backslashes.is_multiple_of(2) => w.quote = k,
                '\r' | '\n' => w.line = k,
                _ => {}
            }
            w.backslashes = if *c == '\\' { w.backslashes + 1 } else { 0 };
        }
        w.at = w.at.max(i.min(items.len()));
        (w.quote, w.line)
    }
}

/// The end (exclusive index into `items`) of a domain starting at `start`.
fn domain_end(items: &[Unit], start: usize, marks: &mut Marks) -> Option<usize> {
    if items.get(start).is_some_and(|(c, _)| *c == '[') {
        return literal_end(items, start, marks);
    }
    let mut labels = 0;
    let mut last: Range<usize> = start..start;
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
        if to == from || items[from].0 == '-' || is_mark(items[from].0) {
            break;
        }
        labels += 1;
        last = from..to;
        if to < i {
            break;
        }
        if i + 1 < items.len() && is_dot(items[i].0) && label_char(items[i + 1].0) {
            i += 1;
        } else {
            break;
        }
    }
    let letters = items[last.clone()]
        .iter()
        .filter(|(c, _)| !is_mark(*c))
        .count();
    let tld_ok = letters >= 2 && items[last.clone()].iter().any(|(c, _)| c.is_alphabetic());
    (labels >= 2 && tld_ok).then_some(last.end)
}

/// The start (index into `items`) of a quoted local part that ends with the
/// `"` at `close`: the opening quote (the nearest `"` before it that no odd
/// run of backslashes escapes, at most [`MAX_QUOTED`] items back, with no
/// line end between), with escaped quotes (`\"`) inside.
fn quoted_start(items: &[Unit], close: usize, marks: &mut Marks) -> Option<usize> {
    let floor = close.saturating_sub(MAX_QUOTED);
    let (open, line) = marks.before(items, close);
    if open == usize::MAX || open < floor || (line != usize::MAX && line > open) {
        return None;
    }
    (open + 1 < close).then_some(open)
}

/// The start (index into `items`) of the local part that ends at the at
/// sign at `at`, if there is one.
fn local_start(items: &[Unit], at: usize, marks: &mut Marks) -> Option<usize> {
    if at > 0 && items[at - 1].0 == '"' {
        if let Some(open) = quoted_start(items, at - 1, marks) {
            return Some(open);
        }
    }
    let mut start = at;
    while start > 0 && local_char(items[start - 1].0) {
        start -= 1;
    }
    let run = &items[start..at];
    // The value of a URL query parameter: after the `=` that follows the
    // last `?` or `&`.
    if let Some(q) = run.iter().rposition(|(c, _)| matches!(c, '?' | '&')) {
        if let Some(eq) = run[q..].iter().position(|(c, _)| *c == '=') {
            start += q + eq + 1;
        }
    } else if start >= 1
        && items[start - 1].0 == ':'
        && run.len() > 2
        && run[0].0 == '/'
        && run[1].0 == '/'
    {
        // The last segment of a URL's path (`https://host/u/jane@...`).
        if let Some(slash) = run.iter().rposition(|(c, _)| *c == '/') {
            start += slash + 1;
        }
    }
    // Leading dots and quotes are not part of the address, nor are combining
    // marks with no letter to sit on.
    while start < at && (matches!(items[start].0, '.' | '\'') || is_mark(items[start].0)) {
        start += 1;
    }
    (start < at).then_some(start)
}

/// Most characters of an RFC 5322 comment read inside an address,
/// parentheses included.
pub(crate) const MAX_COMMENT: usize = 64;

/// `items` (a reading of `s`) without what is written around an address
/// but is not part of it, so that the address reads as mail is delivered
/// to it; `None` when there is nothing such:
///
/// - backslashes right before an at sign or a dot (`jane\@example.com`,
///   `jane\\@example.com`, `jane\.doe@example\.com`: a Perl, shell or regex
///   string, or JSON escaped once more than it should be): escaping
///   artifacts;
/// - RFC 5322 comments (`(work)`: no parenthesis, at sign or line end
///   inside, at most [`MAX_COMMENT`] characters) that touch an at sign
///   (`jane(work)@example.com`, `jane@(mx)example.com`) or stand between a
///   dot and a local-part or label character (`jane.(x)doe@example.com`).
///   A comment before the local part or after the domain is not part of
///   the address and stays as written.
///
/// And a `+` that a reading took for a URL's space (`+` between two
/// characters that are not blanks, as in `jane+shop\u0040example.com`,
/// whose escape only that reading decodes) is read as the `+` it is: in
/// an address it joins a sub-address tag to the local part, which the
/// canonical form cuts off.
///
/// One pass for the backslashes and the `+`, one for the comments: each
/// parenthesis closes at most the one comment opened last, so the work is
/// linear in the reading.
fn without_escapes_and_comments(items: &[Unit], s: &str) -> Option<Vec<Unit>> {
    let plus = |k: usize| {
        let (c, r) = &items[k];
        *c == ' '
            && r.end == r.start + 1
            && s.as_bytes().get(r.start as usize) == Some(&b'+')
            && k > 0
            && k + 1 < items.len()
            && !items[k - 1].0.is_whitespace()
            && !items[k + 1].0.is_whitespace()
    };
    let marked = |k: usize| matches!(items[k].0, '\\' | '(') || plus(k);
    if !(0..items.len()).any(marked) {
        return None;
    }
    let mut keep = vec![true; items.len()];
    let mut out: Vec<Unit> = items.to_vec();
    // Runs of backslashes before an at sign or a dot.
    let mut run = 0;
    for (k, (c, _)) in items.iter().enumerate() {
        if plus(k) {
            out[k].0 = '+';
        }
        if *c == '\\' {
            run += 1;
            continue;
        }
        if run > 0 && (is_at(*c) || is_dot(*c)) {
            keep[k - run..k].iter_mut().for_each(|x| *x = false);
        }
        run = 0;
    }
    // Comments, read on what the backslashes leave.
    let left: Vec<usize> = (0..items.len()).filter(|&k| keep[k]).collect();
    let at = |k: usize| out[left[k]].0;
    let mut open: Option<usize> = None;
    for k in 0..left.len() {
        match at(k) {
            '(' => open = Some(k),
            ')' => {
                if let Some(o) = open.take() {
                    if k - o < MAX_COMMENT && o > 0 && k + 1 < left.len() {
                        let (before, after) = (at(o - 1), at(k + 1));
                        let touches_at = is_at(before) || is_at(after);
                        let between_dot = (is_dot(before) && local_char(after))
                            || (is_dot(after) && local_char(before));
                        if touches_at || between_dot {
                            left[o..=k].iter().for_each(|&i| keep[i] = false);
                        }
                    }
                }
            }
            c if is_at(c) || matches!(c, '\r' | '\n') => open = None,
            _ => {}
        }
    }
    Some(
        out.into_iter()
            .zip(keep)
            .filter_map(|(u, k)| k.then_some(u))
            .collect(),
    )
}

/// `items` (a reading of `s`) read for addresses.
fn find_in(items: &[Unit], s: &str, found: &mut Vec<Found>) {
    // Every address holds an at sign: a reading without one is not read
    // further.
    if !items.iter().any(|(c, _)| is_at(*c)) {
        return;
    }
    let visible: Vec<Unit>;
    let items = if items.iter().any(|(c, _)| shows_nothing(*c)) {
        visible = items
            .iter()
            .filter(|(c, _)| !shows_nothing(*c))
            .cloned()
            .collect();
        &visible[..]
    } else {
        items
    };
    let unescaped: Vec<Unit>;
    let items = match without_escapes_and_comments(items, s) {
        Some(read) => {
            unescaped = read;
            &unescaped[..]
        }
        None => items,
    };
    let mut marks = Marks::default();
    let mut i = 0;
    while i < items.len() {
        if !is_at(items[i].0) {
            i += 1;
            continue;
        }
        let address = local_start(items, i, &mut marks)
            .and_then(|start| Some((start, domain_end(items, i + 1, &mut marks)?)));
        match address {
            Some((start, end)) => {
                found.push(Found {
                    bytes: decode::unit_origin(&items[start..end]),
                    text: items[start..end].iter().map(|(c, _)| *c).collect(),
                });
                i = end;
            }
            None => i += 1,
        }
    }
}

/// Whether a string whose [`word::Facts`] are `facts` holds no address:
/// no `@`, no escape (`%`, `&`, `\`, `=`) or markup, no non-ASCII byte (the fullwidth
/// and small at signs, TAG characters) and no run of base64 characters long
/// enough to decode to text.
#[inline]
pub(crate) fn ruled_out(facts: &word::Facts) -> bool {
    !facts.encoded && !facts.at && !facts.escape && !facts.token
}

/// Whether `s` (whose facts are `facts`) holds no address, exactly as
/// [`find_emails`] decides: [`ruled_out`], or none of the three at signs,
/// no escape (`%`, `&`, `\`, `=`: without them the text is its only text
/// reading), no TAG character and no base64 or hex run that decodes to
/// text. `Zürich` is passed without being read as characters;
/// `jane＠example.com` is not. An escape character that starts no other
/// reading (`q=0.8` in an `Accept-Language`, `AT&T`) is no escape: when no
/// other reading starts anywhere in `s`, `s` is its only reading.
#[cfg(test)]
fn none_possible(s: &str, facts: &word::Facts) -> bool {
    none_possible_given(s, facts, &decode::BinaryReading::new(s))
}

/// As `none_possible`, with whether `s` has a base64 or hex reading
/// asked of `binary` (`s`'s, perhaps already known).
fn none_possible_given(s: &str, facts: &word::Facts, binary: &decode::BinaryReading<'_>) -> bool {
    if ruled_out(facts) {
        return true;
    }
    if !facts.encoded {
        // Plain ASCII without `%` or `&`: the facts tell of `@`, `\\` and `=`,
        // and of the base64 run every binary reading needs.
        return !facts.at
            && (!facts.escape || !decode::may_have_views(s))
            && (!facts.token || !binary.get());
    }
    let marked =
        |c: char| is_at(c) || matches!(c, '%' | '&' | '\\' | '=' | '\u{E0000}'..='\u{E007F}');
    if !s.contains(marked) {
        return !binary.get();
    }
    // Text outside ASCII starts other readings; in ASCII, only an escape
    // that starts one counts.
    s.is_ascii() && !s.contains('@') && !decode::may_have_views(s) && !binary.get()
}

/// Every email address in `s`, in order, without overlaps; `facts` are
/// `s`'s. The scan reads through [`find_emails_read`]; this is for one
/// string on its own (the sidecar's request ids, the fuzz targets, tests).
#[cfg(any(test, fuzzing, feature = "server"))]
pub(crate) fn find_emails(s: &str, facts: &word::Facts) -> Vec<Found> {
    find_emails_read(&decode::Readings::new(s), facts)
}

/// As [`find_emails`], on readings another detector may share.
pub(crate) fn find_emails_read(readings: &decode::Readings<'_>, facts: &word::Facts) -> Vec<Found> {
    let s = readings.text();
    let mut found = Vec::new();
    if none_possible_given(s, facts, readings.binary()) {
        return found;
    }
    if s.len() > decode::MAX_TEXT {
        // Longer than readings hold positions of: the whole string stands
        // for an address that cannot be read (it is redacted, never hashed
        // or passed unread).
        found.push(Found {
            bytes: 0..s.len(),
            text: String::new(),
        });
        return found;
    }
    if readings.over_budget() {
        // Built so that its readings never end: the whole string stands
        // for an address that cannot be read, as above.
        found.push(Found {
            bytes: 0..s.len(),
            text: String::new(),
        });
        return found;
    }
    find_in(readings.base(), s, &mut found);
    for view in readings.unit_views() {
        find_in(view, s, &mut found);
    }
    // Candidates that overlap (`a@b.cc@d.ee`: the domain of one runs into the
    // local part of the next) become one span, so that replacing it leaves no
    // at sign behind that could form a new address.
    // A span that grew takes its text from the string once it has grown
    // whole (a chain of addresses, each overlapping the one before, grows
    // one span: copying it at every step would cost the square of its
    // length).
    found.sort_by_key(|f| (f.bytes.start, std::cmp::Reverse(f.bytes.end)));
    let mut out: Vec<(Found, bool)> = Vec::with_capacity(found.len());
    for f in found {
        match out.last_mut() {
            Some((last, grown)) if f.bytes.start < last.bytes.end => {
                if f.bytes.end > last.bytes.end {
                    last.bytes.end = f.bytes.end;
                    *grown = true;
                }
            }
            _ => out.push((f, false)),
        }
    }
    out.into_iter()
        .map(|(mut f, grown)| {
            if grown {
                f.text = s[f.bytes.clone()].to_owned();
            }
            f
        })
        .collect()
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
            parts in proptest::collection::vec(0usize..29, 0..16)
        ) {
            // With escape characters that start no other reading on their
            // own (`q=0.8`, `AT&T`, a lone `%` or `\\`) beside pieces that
            // complete one (`40`, `<b>`, `commat;`, `u0040`).
            let pieces = [
                "jane", "example", "com", ".", " ", "@", "\u{FF20}", "\u{FE6B}", "\u{FF0E}",
                "Zürich", "ß", "%40", "&#64;", "&", "ｊａｎｅ", "q=0.8", "AT&T", "%", "\\",
                "=", "40", "<b>", "commat;", "u0040", "#64;", "4", "0", "x", "amp;",
            ];
            let s: String = parts.into_iter().map(|i| pieces[i]).collect();
            let facts = word::Facts::of(s.as_bytes());
            if none_possible(&s, &facts) {
                prop_assert!(find_emails(&s, &facts).is_empty());
            }
        }

        #[test]
        fn the_word_wise_marker_test_matches_a_byte_loop(b in proptest::collection::vec(prop_oneof![30 => b'a'..=b'z', 1 => any::<u8>()], 0..40)) {
            let longest = b
                .split(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_')))
                .map(<[u8]>::len)
                .max()
                .unwrap_or(0);
            let want = b.iter().any(|&c| matches!(c, b'@' | b'%' | b'&' | b'\\' | b'=' | b'<') || c >= 0x80)
                || longest >= word::TOKEN;
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
        let s = "?u=jane.doe%40gmail.com";
        assert_eq!(&s[find(s)[0].bytes.clone()], "jane.doe%40gmail.com");
        // Without a query's `?` or `&`, `=` is an atext character like any
        // other: the whole run is the local part.
        let s = "u=jane.doe%40gmail.com";
        assert_eq!(&s[find(s)[0].bytes.clone()], s);
    }

    #[test]
    fn spans_in_a_reversed_reading_run_forwards() {
        // Found by the `email` fuzz target.
        let s = "x%20\u{202E}moc.elpmaxe@enaj y";
        for f in find(s) {
            assert!(f.bytes.start < f.bytes.end && s.is_char_boundary(f.bytes.end));
        }
        // The reversed reading runs on past the bidi control, which shows
        // nothing and is read through.
        assert!(find(s)
            .iter()
            .any(|f| f.text.starts_with("jane@example.com")));
    }

    #[test]
    fn overlapping_candidates_become_one_span() {
        // Found by the `sanitize` fuzz target: replacing only one of them left
        // an at sign that formed a new address on a second pass.
        let s = "read 5\u{200b}5@gmail.comb5@gmail.com4he phone";
        let found = find(s);
        assert_eq!(found.len(), 1);
        // The zero-width space is read through: the first local part is `55`.
        assert_eq!(
            &s[found[0].bytes.clone()],
            "5\u{200b}5@gmail.comb5@gmail.com4he"
        );
        assert_eq!(find("x a@b.cc'@d.ee y")[0].text, "a@b.cc'@d.ee");
    }

    #[test]
    fn a_chain_of_addresses_is_one_span_with_its_whole_text() {
        // Each address's domain is the next one's local part: one span,
        // whatever the length of the chain, its text the whole chain.
        for links in [2, 3, 50, 2_000] {
            let chain = format!("a{}", "@bc.de".repeat(links));
            let s = format!("see {chain} now");
            let found = find(&s);
            assert_eq!(found.len(), 1, "{links} links");
            assert_eq!(found[0].bytes, 4..4 + chain.len());
            assert_eq!(found[0].text, chain);
        }
    }

    /// Each address of `cases`, written with one of `shapes` (an invisible
    /// character inside, a decomposed accent, ...), is found whole: the
    /// span covers the address as written and the text is what it says.
    fn found_whole(written: &str, says: &str) {
        // Bidi controls add a reversed reading and TAG characters a reading
        // of the ASCII they carry, whose findings may run into the text
        // around the address (the span then covers more).
        let reversed = written
            .chars()
            .any(|c| decode::is_bidi_control(c) || ('\u{E0000}'..='\u{E007F}').contains(&c));
        for (k, (before, after)) in [
            ("", ""),
            ("note: ", " thanks"),
            ("(", ")"),
            ("/p?x=", "&y=1"),
        ]
        .into_iter()
        .enumerate()
        {
            let s = format!("{before}{written}{after}");
            let found = find(&s);
            // Messages name the context, never the address.
            assert!(found.len() == 1, "{} found in context {k}", found.len());
            let span = found[0].bytes.clone();
            if reversed {
                assert!(span.start <= before.len() && span.end >= before.len() + written.len());
                continue;
            }
            assert!(s[span] == *written, "span in context {k}");
            assert!(found[0].text == says, "text in context {k}");
        }
    }

    #[test]
    fn finds_addresses_with_characters_that_show_nothing_inside() {
        // Every format character and variation selector, at every place.
        let address = "jane.doe@example.com";
        let invisible: Vec<char> = (0u32..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| shows_nothing(c))
            .collect();
        assert!(invisible.len() > 300);
        for &c in &[
            "\u{200B}",
            "\u{2060}",
            "\u{AD}",
            "\u{200E}",
            "\u{200F}",
            "\u{FEFF}",
            "\u{FE0F}",
            "\u{E0101}",
        ] {
            let _ = c;
        }
        for (k, &c) in invisible.iter().enumerate() {
            let at = 1 + k % (address.len() - 1);
            let mut written = address.to_owned();
            written.insert(at, c);
            found_whole(&written, address);
        }
    }

    #[test]
    fn finds_decomposed_addresses_whole() {
        use unicode_normalization::UnicodeNormalization as _;
        for composed in [
            "josé@example.com",
            "jane@bücher.de",
            "ærøskøbing.ålborg@bñ.es",
            "ça@domaine.fr",
        ] {
            let decomposed: String = composed.nfd().collect();
            assert_ne!(decomposed, composed);
            found_whole(&decomposed, &decomposed);
        }
    }

    #[test]
    fn finds_local_parts_with_every_atext_character() {
        for c in "!#$%&'*+-/=?^_`{|}~".chars() {
            for written in [
                format!("ja{c}ne@example.com"),
                format!("{c}jane{c}@example.com"),
            ] {
                let s = format!("note {written} end");
                let found = find(&s);
                assert_eq!(found.len(), 1, "{c}");
                let got = &s[found[0].bytes.clone()];
                // A leading quote is read as quoting the address.
                let want = written.trim_start_matches('\'');
                assert_eq!(got, want, "{c}");
            }
        }
    }

    #[test]
    fn finds_quoted_local_parts_and_domain_literals() {
        for written in [
            "\"john doe\"@example.com",
            "\"j@d\"@example.com",
            "\"a\\\"b\"@example.com",
            "jane@[192.0.2.1]",
            "jane@[IPv6:2001:db8::1]",
            "jane@[ipv6:::1]",
            "\"x y\"@[IPv6:fe80::1:2:3:4]",
            "jane@[x-tag:some.text]",
        ] {
            found_whole(written, written);
        }
        for not in [
            "jane@[300.1.1.1]",
            "jane@[IPv6:zz::1]",
            "jane@[",
            "jane@[1.2.3.4",
        ] {
            assert!(find(not).is_empty(), "{not}");
        }
    }

    #[test]
    fn url_structure_is_not_read_as_a_local_part() {
        for (s, want) in [
            (
                "https://shop.example/p?email=jane@example.com&x=1",
                "jane@example.com",
            ),
            ("/c?a=1&to=jane@example.com", "jane@example.com"),
            (
                "https://shop.example/u/jane@example.com",
                "jane@example.com",
            ),
            ("mailto:jane@example.com", "jane@example.com"),
        ] {
            assert_eq!(texts(s), [want], "{s}");
        }
    }

    #[test]
    fn literal_search_is_bounded() {
        // Each at sign looks at most `MAX_LITERAL` characters ahead for `]`.
        let s = "a@[".repeat(5000);
        assert!(find(&s).is_empty());
        let s = format!("{}{}", "a@[".repeat(5000), "a@[192.0.2.1]");
        assert_eq!(find(&s).len(), 1);
    }

    #[test]
    fn quoted_search_is_bounded_and_exact() {
        // Escaped quotes before every at sign: each is answered at once.
        let s = "\\\"@".repeat(5000);
        assert!(find(&s).is_empty());
        let s = format!("{}\"x y\"@example.com", "\\\"@".repeat(5000));
        assert_eq!(texts(&s), ["\"x y\"@example.com"]);
        // An escaped quote inside, an even run of backslashes before the
        // opening quote, a line end or too long a string.
        assert_eq!(texts("\"a\\\"b\"@example.com"), ["\"a\\\"b\"@example.com"]);
        assert_eq!(texts("\\\\\"ab\"@example.com"), ["\"ab\"@example.com"]);
        assert!(texts("\"a\nb\"@example.com").is_empty());
        let long = format!("\"{}\"@example.com", "a b".repeat(50));
        assert!(texts(&long).is_empty());
        let fits = format!("\"{}\"@example.com", "a b".repeat(40));
        assert_eq!(texts(&fits), std::slice::from_ref(&fits));
    }

    #[test]
    fn literals_after_unclosed_ones_are_found() {
        for s in [
            "a@[1.2 b@[192.0.2.1]",
            "a@[x b@[IPv6:::1] c@[",
            "a@[1.2.3.4] b@[5.6.7.8]",
        ] {
            let found = texts(s);
            assert!(!found.is_empty(), "{s}");
            assert!(found.iter().all(|t| t.ends_with(']')), "{s}");
        }
        assert_eq!(texts("a@[1.2.3.4] b@[5.6.7.8]").len(), 2);
        // `]` within `MAX_LITERAL` characters only.
        let far = format!("a@[x:{}]", "y".repeat(MAX_LITERAL));
        assert!(texts(&far).is_empty());
    }

    #[test]
    fn comments_and_backslashes_are_read_past() {
        for (written, says) in [
            ("jane(work)@example.com", "jane@example.com"),
            ("jane@(mx)example.com", "jane@example.com"),
            ("jane(a)@(b)example.com", "jane@example.com"),
            ("jane.(x)doe@example.com", "jane.doe@example.com"),
            ("jane(x).doe@example(y).com", "jane.doe@example.com"),
            ("jane\\@example.com", "jane@example.com"),
            ("jane\\\\@example.com", "jane@example.com"),
            ("jane\\.doe\\@example\\.com", "jane.doe@example.com"),
            ("jane+shop\\u0040example.com", "jane+shop@example.com"),
        ] {
            found_whole(written, says);
        }
        // Outside an address they stay: a comment before the local part or
        // after the domain, one with a line end inside, one too long.
        let s = "(x)jane@example.com(y)";
        assert_eq!(&s[find(s)[0].bytes.clone()], "jane@example.com");
        assert!(find("jane(a\nb)@example.com").is_empty());
        let long = format!("jane({})@example.com", "x".repeat(MAX_COMMENT));
        assert!(find(&long).is_empty());
        // Linear: many open parentheses and backslashes before at signs.
        let s = format!("{}jane(x)@example.com", "(\\@".repeat(20_000));
        assert_eq!(texts(&s), ["jane@example.com"]);
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
