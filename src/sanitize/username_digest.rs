//! The username found by its MD5: an app that sends `account.username_md5`
//! (pre-hashed, as minFraud's clients let it) and no raw username may still
//! copy the raw username into `account.user_id`, a session id, a custom
//! input or a transaction id. txveil holds no raw username then, but it
//! holds its MD5: the candidate tokens of a kept string whose MD5 is
//! `username_md5` are the username ([`UsernameDigest::find`]), an echo like
//! any other (`on_username`).
//!
//! The candidates of a text, each hashed as written and lower-cased (when
//! that differs: a policy may lower-case before hashing):
//!
//! - the whole text, trimmed (a username of any length, alone in its value);
//! - each **piece** between white space and the characters usernames do not
//!   hold (`/ ? & = : ; , | " ' < > ( ) [ ] { } \`), with `.`, `-`, `!` at
//!   its ends cut, when it has at least [`USERNAME_MIN_IN_TEXT`]
//!   characters (as the raw username's search, a shorter one is looked for
//!   only as a whole value);
//! - in a piece joined by `_` or `@` (`user_jane.doe88_1712345678`,
//!   `jane.doe88@shop`), each stretch of one to [`MAX_PARTS`] consecutive
//!   parts, of the same length at least.
//!
//! Every character of the text is in one piece and in at most
//! [`MAX_PARTS`] stretches that start at each part, so the hashes made are
//! linear in the text: at most one for the whole value, plus one for each
//! piece and `MAX_PARTS` for each part of [`USERNAME_MIN_IN_TEXT`]
//! characters or more, doubled for text with upper-case letters. A chance
//! match of an MD5 is 2^-128 per candidate: no false positive is expected.

use super::echo::USERNAME_MIN_IN_TEXT;
use md5::{Digest, Md5};
use std::ops::Range;

/// Most consecutive `_`/`@`-joined parts a candidate stretch spans.
pub(crate) const MAX_PARTS: usize = 3;

/// Longest candidate, in bytes: no login name is longer, and a longer
/// piece is not hashed.
pub(crate) const MAX_CANDIDATE: usize = 128;

/// An app-sent `account.username_md5`, as the 16 bytes it spells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UsernameDigest([u8; 16]);

/// Characters a username does not hold: they bound a piece.
fn bounds_piece(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '/' | '?'
                | '&'
                | '='
                | ':'
                | ';'
                | ','
                | '|'
                | '"'
                | '\''
                | '<'
                | '>'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '\\'
        )
}

impl UsernameDigest {
    /// The digest a 32-hex-digit value spells (either case), or `None`.
    pub(crate) fn parse(hex: &str) -> Option<UsernameDigest> {
        let b = hex.as_bytes();
        if b.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        for (k, pair) in b.chunks_exact(2).enumerate() {
            let nibble = |c: u8| char::from(c).to_digit(16);
            let (hi, lo) = (nibble(pair[0])?, nibble(pair[1])?);
            out[k] = u8::try_from(hi * 16 + lo).ok()?;
        }
        Some(UsernameDigest(out))
    }

    /// Whether `candidate`, as written or lower-cased, hashes to the digest.
    fn matches(&self, candidate: &str, hashes: &mut usize) -> bool {
        *hashes += 1;
        if Md5::digest(candidate.as_bytes()).as_slice() == self.0 {
            return true;
        }
        if candidate.chars().any(char::is_uppercase) {
            *hashes += 1;
            return Md5::digest(candidate.to_lowercase().as_bytes()).as_slice() == self.0;
        }
        false
    }

    /// The byte ranges of `text` that are the username (sorted, apart),
    /// and how many hashes finding them took.
    pub(crate) fn find(&self, text: &str) -> (Vec<Range<usize>>, usize) {
        let mut hashes = 0;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return (Vec::new(), hashes);
        }
        if trimmed.len() <= MAX_CANDIDATE && self.matches(trimmed, &mut hashes) {
            let start = text.len() - text.trim_start().len();
            return (
                std::iter::once(start..start + trimmed.len()).collect(),
                hashes,
            );
        }
        let mut found: Vec<Range<usize>> = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            if !bounds_piece(c) {
                start.get_or_insert(i);
                continue;
            }
            if let Some(from) = start.take() {
                self.piece(text, from..i, &mut found, &mut hashes);
            }
        }
        (found, hashes)
    }

    /// The candidates of one piece, `text[range]`.
    fn piece(
        &self,
        text: &str,
        range: Range<usize>,
        found: &mut Vec<Range<usize>>,
        hashes: &mut usize,
    ) {
        let raw = &text[range.clone()];
        let cut = |c: char| matches!(c, '.' | '-' | '!');
        let inner = raw.trim_matches(cut);
        let from = range.start + (raw.len() - raw.trim_start_matches(cut).len());
        let long_enough = |s: &str| s.chars().count() >= USERNAME_MIN_IN_TEXT;
        if !long_enough(inner) {
            return;
        }
        // A piece that is the whole value was hashed as the whole value.
        let whole = inner.len() == text.trim().len();
        if !whole && inner.len() <= MAX_CANDIDATE && self.matches(inner, hashes) {
            found.push(from..from + inner.len());
            return;
        }
        // The parts between `_` and `@`, as byte ranges of `inner`.
        let mut parts: Vec<Range<usize>> = Vec::new();
        let mut at = 0;
        for (i, c) in inner.char_indices() {
            if matches!(c, '_' | '@') {
                parts.push(at..i);
                at = i + 1;
            }
        }
        parts.push(at..inner.len());
        if parts.len() < 2 {
            return;
        }
        let mut k = 0;
        while k < parts.len() {
            let mut hit = None;
            for span in 1..=MAX_PARTS.min(parts.len() - k) {
                let r = parts[k].start..parts[k + span - 1].end;
                if r.len() == inner.len() || r.len() > MAX_CANDIDATE {
                    break; // the piece itself, hashed above, or too long
                }
                let candidate = &inner[r.clone()];
                if long_enough(candidate) && self.matches(candidate, hashes) {
                    hit = Some((r, span));
                    break;
                }
            }
            match hit {
                Some((r, span)) => {
                    found.push(from + r.start..from + r.end);
                    k += span;
                }
                None => k += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md5(s: &str) -> UsernameDigest {
        UsernameDigest::parse(&crate::sanitize::email::md5_hex(s)).unwrap()
    }

    fn spans(username: &str, text: &str) -> Vec<String> {
        md5(username)
            .find(text)
            .0
            .into_iter()
            .map(|r| text[r].to_owned())
            .collect()
    }

    #[test]
    fn finds_the_username_alone_in_pieces_and_in_joined_ids() {
        let u = "jane.doe88";
        for text in [
            "jane.doe88",
            " jane.doe88 ",
            "login jane.doe88, thanks",
            "https://shop.example/u/jane.doe88?x=1",
            "user_jane.doe88",
            "jane.doe88_1712345678",
            "sess_jane.doe88_1712345678",
            "jane.doe88@pbx",
            "\"jane.doe88\".",
        ] {
            assert_eq!(spans(u, text), [u], "{text}");
        }
        // Upper case in the text, lower case hashed.
        assert_eq!(spans(u, "JANE.DOE88"), ["JANE.DOE88"]);
        // With `_` inside, joined on both sides.
        assert_eq!(spans("jane_doe88", "u_jane_doe88_1"), ["jane_doe88"]);
        // Short usernames only as a whole value.
        assert_eq!(spans("bob", "bob"), ["bob"]);
        assert!(spans("bob", "hi bob").is_empty());
        // Another name, or the username as part of a longer word.
        assert!(spans(u, "jane.doe888").is_empty());
        assert!(spans(u, "xjane.doe88").is_empty());
    }

    #[test]
    fn parse_reads_either_case_and_nothing_else() {
        let hex = crate::sanitize::email::md5_hex("x");
        assert_eq!(
            UsernameDigest::parse(&hex),
            UsernameDigest::parse(&hex.to_uppercase())
        );
        assert!(UsernameDigest::parse(&hex[1..]).is_none());
        assert!(UsernameDigest::parse(&format!("{}g", &hex[1..])).is_none());
    }

    #[test]
    fn hashes_are_linear_in_the_text() {
        let d = md5("not-in-the-text");
        for unit in ["abcdef ", "abcdef_", "abcdefghij@", "a_", "Ab_cdefgh."] {
            for n in [100, 1_000, 10_000] {
                let text = unit.repeat(n);
                let (_, hashes) = d.find(&text);
                // At most MAX_PARTS per part, doubled for upper case,
                // plus the piece and the whole value.
                assert!(
                    hashes <= 2 * (MAX_PARTS + 1) * n + 2,
                    "{unit:?} x {n}: {hashes}"
                );
            }
        }
    }
}
