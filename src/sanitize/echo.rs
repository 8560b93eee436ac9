//! The request's own secrets echoed into its other fields.
//!
//! Apps copy the login name into `account.user_id`, the address into a
//! custom input, the card number into an order note. txveil holds the raw
//! `account.username`, `email.address` and `credit_card.number` of the same
//! request, so it looks for each of them in every other kept string, number
//! and caller-chosen key:
//!
//! - the **card number** as its digits, in any script, whatever stands
//!   between them: the digits of a value, read in order, must not hold the
//!   card's digits one after another (a chance match of 12 or more given
//!   digits is about one in 10^12 per position);
//! - the **email address** and the **username** as whole tokens after the
//!   normalization their canonical forms use: case folded, NFKD per
//!   character (so decomposed and composed accents, fullwidth and other
//!   compatibility forms match), runs of white space as one space. A token
//!   is bounded by characters that are not letters, digits, combining marks
//!   or `_`; a username right before an `@` is an email's local part, left
//!   to the email detector.
//!
//! A username too short or too common to tell from ordinary words is only
//! looked for as a whole value, never inside longer text; see
//! [`in_text_eligible`].
//!
//! Matching is linear in the text: where both sides are ASCII, a byte search
//! (`memchr::memmem`) for the token's longest run of non-letters, each hit
//! compared in full without regard to case (within a budget of a few times
//! the text's length), else Knuth-Morris-Pratt over the lowercased bytes;
//! otherwise Knuth-Morris-Pratt over the normalized characters.

use std::ops::Range;
use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
use zeroize::Zeroizing;

/// Fewest characters a username needs to be looked for inside longer text
/// when it holds a character other than a letter (a digit, `.`, `_`, ...).
pub const USERNAME_MIN_IN_TEXT: usize = 6;

/// Fewest characters a username of letters only needs to be looked for
/// inside longer text: shorter ones (`admin`, `shopping`, `android`) are
/// ordinary words of user agents, notes and addresses.
pub const USERNAME_MIN_LETTERS_IN_TEXT: usize = 10;

/// A secret to look for as a whole token.
pub(crate) struct Token {
    /// The normalized characters.
    chars: Vec<char>,
    /// The lowercased token's bytes, when it is ASCII without white space
    /// (ASCII text then needs no normalization).
    ascii: Option<Vec<u8>>,
    /// Looked for inside longer text, not only as a whole value.
    in_text: bool,
    /// For an ASCII token, its longest run of bytes that are not letters
    /// (digits, `.`, `@`...: the same in any case) and where the run starts:
    /// searched in the text as written, each hit then compared in full
    /// without regard to case, so most texts are read once and not copied.
    anchor: Option<(memchr::memmem::Finder<'static>, usize)>,
}

impl Token {
    fn new(raw: &str, in_text: bool) -> Option<Token> {
        let chars: Vec<char> = normalize(raw.trim()).into_iter().map(|(c, _)| c).collect();
        if chars.is_empty() {
            return None;
        }
        let ascii: Option<Vec<u8>> = (raw.is_ascii() && !chars.iter().any(|c| c.is_whitespace()))
            .then(|| chars.iter().map(|&c| c as u8).collect());
        let anchor = ascii.as_ref().and_then(|needle| {
            let mut best: Option<(usize, usize)> = None;
            let mut i = 0;
            while i < needle.len() {
                if needle[i].is_ascii_alphabetic() {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < needle.len() && !needle[i].is_ascii_alphabetic() {
                    i += 1;
                }
                if best.is_none_or(|(s, e)| i - start > e - s) {
                    best = Some((start, i));
                }
            }
            best.map(|(s, e)| (memchr::memmem::Finder::new(&needle[s..e]).into_owned(), s))
        });
        Some(Token {
            chars,
            ascii,
            in_text,
            anchor,
        })
    }
}

/// Whether a username (its normalized characters) is looked for inside
/// longer text: at least [`USERNAME_MIN_IN_TEXT`] characters with one that
/// is not a letter, or [`USERNAME_MIN_LETTERS_IN_TEXT`] letters.
pub fn in_text_eligible(username: &str) -> bool {
    let chars: Vec<char> = normalize(username.trim())
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| !is_mark(*c))
        .collect();
    let letters_only = chars.iter().all(|c| c.is_alphabetic());
    if letters_only {
        chars.len() >= USERNAME_MIN_LETTERS_IN_TEXT
    } else {
        chars.len() >= USERNAME_MIN_IN_TEXT
    }
}

/// What the request holds raw, and what an echo of it is replaced by.
#[derive(Default)]
pub(crate) struct Echoes {
    /// The raw username and its MD5 (as `account.username_md5` has it).
    pub(crate) username: Option<(Token, String)>,
    /// The raw email address and its MD5 (as `email.address` has it).
    pub(crate) email: Option<(Token, String)>,
    /// The card number's digits (values 0-9).
    pub(crate) card: Option<Zeroizing<Vec<u8>>>,
}

impl Echoes {
    pub(crate) fn set_username(&mut self, raw: &str, md5: &str) {
        let eligible = in_text_eligible(raw);
        self.username = Token::new(raw, eligible).map(|t| (t, md5.to_owned()));
    }

    pub(crate) fn set_email(&mut self, raw: &str, md5: &str) {
        self.email = Token::new(raw, true).map(|t| (t, md5.to_owned()));
    }

    pub(crate) fn set_card(&mut self, digits: Zeroizing<Vec<u8>>) {
        self.card = Some(digits);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.username.is_none() && self.email.is_none() && self.card.is_none()
    }
}

/// A character of the normalized text and the bytes of the original it
/// comes from.
type Item = (char, Range<usize>);

/// `s` lowercased, NFKD per character, white-space runs as one space; each
/// character with the bytes of `s` it stands for.
fn normalize(s: &str) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(s.len());
    let mut space = false;
    for (at, c) in s.char_indices() {
        let bytes = at..at + c.len_utf8();
        if c.is_whitespace() {
            if space {
                if let Some(last) = out.last_mut() {
                    last.1.end = bytes.end;
                }
            } else {
                out.push((' ', bytes));
            }
            space = true;
            continue;
        }
        space = false;
        for lower in c.to_lowercase() {
            unicode_normalization::char::decompose_compatible(lower, |d| {
                out.push((d, bytes.clone()));
            });
        }
    }
    out
}

fn is_mark(c: char) -> bool {
    matches!(
        c.general_category(),
        G::NonspacingMark | G::SpacingMark | G::EnclosingMark
    )
}

/// Characters a token may not touch: letters, digits, combining marks, `_`.
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c)
}

/// The Knuth-Morris-Pratt failure table of `needle`.
fn failure<T: PartialEq>(needle: &[T]) -> Vec<usize> {
    let mut fail = vec![0; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = fail[k - 1];
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        fail[i] = k;
    }
    fail
}

/// Start indices of every occurrence of `needle` in `hay`, in linear time.
fn occurrences<T: PartialEq>(hay: &[T], needle: &[T]) -> Vec<usize> {
    let mut out = Vec::new();
    if needle.is_empty() || hay.len() < needle.len() {
        return out;
    }
    let fail = failure(needle);
    let mut k = 0;
    for (i, x) in hay.iter().enumerate() {
        while k > 0 && *x != needle[k] {
            k = fail[k - 1];
        }
        if *x == needle[k] {
            k += 1;
        }
        if k == needle.len() {
            out.push(i + 1 - k);
            k = fail[k - 1];
        }
    }
    out
}

/// Byte ranges of `text` where `token` stands as a whole token. Inside
/// longer text only when the token allows it; otherwise only a value that
/// is the token as a whole. `before_at` keeps tokens right before an `@`
/// (an email's local part).
pub(crate) fn find(token: &Token, text: &str, before_at: bool) -> Vec<Range<usize>> {
    if text.len() < token.chars.len() {
        return Vec::new();
    }
    if let (Some(needle), true) = (&token.ascii, text.is_ascii()) {
        return find_ascii(token, needle, text, before_at);
    }
    let items = normalize(text);
    let chars: Vec<char> = items.iter().map(|(c, _)| *c).collect();
    let n = token.chars.len();
    let mut out = Vec::new();
    for start in occurrences(&chars, &token.chars) {
        let end = start + n;
        let whole = start == 0 && end == chars.len()
            || chars[..start].iter().all(|c| *c == ' ') && chars[end..].iter().all(|c| *c == ' ');
        if !token.in_text && !whole {
            continue;
        }
        let bounded = (start == 0 || !word_char(chars[start - 1]))
            && chars.get(end).is_none_or(|&c| !word_char(c));
        let local_part = matches!(chars.get(end), Some('@' | '\u{ff20}' | '\u{fe6b}'));
        if bounded && (before_at || !local_part) {
            out.push(items[start].1.start..items[end - 1].1.end);
        }
    }
    out
}

fn find_ascii(token: &Token, needle: &[u8], text: &str, before_at: bool) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    if !token.in_text {
        let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
        let start = text.len()
            - text
                .trim_start_matches(|c: char| c.is_ascii_whitespace())
                .len();
        return if trimmed.as_bytes().eq_ignore_ascii_case(needle) {
            std::iter::once(start..start + trimmed.len()).collect()
        } else {
            Vec::new()
        };
    }
    let word = |i: usize| {
        b.get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
    };
    let keep = |start: usize| {
        let end = start + needle.len();
        let bounded = (start == 0 || !word(start - 1)) && !word(end);
        bounded && (before_at || b.get(end) != Some(&b'@'))
    };
    if let Some((anchor, offset)) = &token.anchor {
        // Each hit of the anchor is compared in full: at most a few times
        // the text's length in all, else the copy below is cheaper.
        let budget = 4 * b.len() + needle.len();
        let mut spent = 0;
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut from = 0;
        // Overlapping hits too: one may start inside the one before.
        while let Some(at) = b.get(from..).and_then(|rest| anchor.find(rest)) {
            let hit = from + at;
            from = hit + 1;
            spent += needle.len() + at;
            if spent > budget {
                break;
            }
            let Some(start) = hit.checked_sub(*offset) else {
                continue;
            };
            let fits = b
                .get(start..start + needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle));
            if fits && keep(start) && out.last().is_none_or(|r| r.end <= start) {
                out.push(start..start + needle.len());
            }
        }
        if spent <= budget {
            return out;
        }
    }
    let lower: std::borrow::Cow<'_, [u8]> = if b.iter().any(u8::is_ascii_uppercase) {
        b.to_ascii_lowercase().into()
    } else {
        b.into()
    };
    let mut out: Vec<Range<usize>> = Vec::new();
    for start in occurrences(&lower, needle) {
        if keep(start) && out.last().is_none_or(|r| r.end <= start) {
            out.push(start..start + needle.len());
        }
    }
    out
}

/// The byte range of `text` (from its first digit to its last) where the
/// digits of `text`, read in order in any script, hold `card`; `None` when
/// they do not.
pub(crate) fn find_card(card: &[u8], text: &str) -> Option<Range<usize>> {
    // Fewer digits than the card in plain ASCII: no echo possible.
    if text.is_ascii() && text.bytes().filter(u8::is_ascii_digit).count() < card.len() {
        return None;
    }
    let mut digits: Vec<u8> = Vec::with_capacity(32);
    let mut at: Vec<Range<usize>> = Vec::with_capacity(32);
    for (i, c) in text.char_indices() {
        if let Some(v) = super::pan::digit_value(c) {
            digits.push(v);
            at.push(i..i + c.len_utf8());
        }
    }
    let start = *occurrences(&digits, card).first()?;
    Some(at[start].start..at[start + card.len() - 1].end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(s: &str) -> Token {
        Token::new(s, in_text_eligible(s)).unwrap()
    }

    #[test]
    fn whole_tokens_after_case_nfkd_and_white_space() {
        let t = token("Jose.Garcia77");
        assert_eq!(find(&t, "id: jose.garcia77", false), vec![4..17]);
        assert_eq!(find(&t, "JOSE.GARCIA77", false), vec![0..13]);
        assert!(find(&t, "xjose.garcia77", false).is_empty());
        assert!(find(&t, "jose.garcia777", false).is_empty());
        // Fullwidth letters fold to ASCII.
        assert_eq!(find(&t, "ｊｏｓｅ.garcia77", false).len(), 1);
        // An email's local part is left to the email detector.
        assert!(find(&t, "jose.garcia77@example.com", false).is_empty());
        assert_eq!(find(&t, "jose.garcia77@example.com", true).len(), 1);
        // Composed and decomposed accents match each other.
        let t = token("josé_1990");
        assert_eq!(find(&t, "user jose\u{301}_1990 here", false).len(), 1);
        // White space runs count as one space.
        let t = token("ana  maria 77");
        assert_eq!(find(&t, "by Ana Maria\t77.", false).len(), 1);
    }

    #[test]
    fn short_and_common_usernames_are_only_matched_whole() {
        for name in ["admin", "jsmith", "shopping", "Mozilla", "android"] {
            let t = token(name);
            assert!(find(&t, &format!("{name} via web"), false).is_empty());
            assert_eq!(
                find(&t, &format!(" {} ", name.to_uppercase()), false).len(),
                1
            );
        }
        for name in ["android1", "j.smith", "maria_77", "christopherson"] {
            let t = token(name);
            assert_eq!(find(&t, &format!("{name} via web"), false).len(), 1);
        }
    }

    #[test]
    fn overlapping_occurrences_are_all_tried() {
        // The first occurrence is not a whole token; the overlapping one is.
        let t = token("ab12ab12");
        assert_eq!(find(&t, "ab12ab12ab12", false), Vec::<Range<usize>>::new());
        assert_eq!(find(&t, "xab12ab12 ab12ab12", false), vec![10..18]);
        assert_eq!(find(&t, "ab12AB12ab12 ", false).len(), 0);
        let t = token("1212121a");
        assert_eq!(find(&t, "121212121a", false), Vec::<Range<usize>>::new());
        assert_eq!(find(&t, "12 1212121A", false), vec![3..11]);
    }

    #[test]
    fn card_digits_are_found_in_any_script_and_layout() {
        let card: Vec<u8> = "4111111111111111".bytes().map(|b| b - b'0').collect();
        assert!(find_card(&card, "ref 4111-1111-1111-1111!").is_some());
        assert!(find_card(&card, "\u{664}\u{661}\u{661}\u{661} 1111 1111 1111 1").is_some());
        assert!(find_card(&card, "x4111y1111z1111w1111").is_some());
        assert!(find_card(&card, "4111 1111 1111 111").is_none());
    }

    #[test]
    fn repetitive_text_is_matched_at_each_token_boundary() {
        // The needle repeats its own prefix: the failure table keeps the
        // search linear and finds the one bounded occurrence.
        let t = token("ａａａａａａ1");
        let hay = format!("{} aaaaaa1", "a".repeat(5_000));
        assert_eq!(find(&t, &hay, false), vec![5_001..5_008]);
        let card = vec![1u8; 19];
        assert!(find_card(&card, &"1".repeat(40_000)).is_some());
        assert!(find_card(&card, &"1".repeat(18)).is_none());
    }
}
