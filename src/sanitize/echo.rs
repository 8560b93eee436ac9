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
//!   digits is about one in 10^12 per position); and, beside the card's
//!   own truncation, a run of digits that is a stretch of it giving the
//!   hidden digits away (`Card::find_revealing`: the hidden middle alone,
//!   the IIN and two hidden digits);
//! - the **email address** and the **username** as whole tokens after the
//!   normalization their canonical forms use: case folded, NFKD per
//!   character (so decomposed and composed accents, fullwidth and other
//!   compatibility forms match), runs of white space as one space. A token
//!   is bounded by characters that are not letters, digits, combining marks
//!   or `_`; a username right before an `@` and a domain is an email's
//!   local part, left to the email detector (before `@localhost`, `@pbx` or
//!   a bare `@` it is the username). Characters that show nothing (zero-width spaces,
//!   soft hyphens, bidi marks) are left out on both sides.
//!
//! The echo pass looks for each in the text as written. The scan, which
//! reads each value's other readings for the card and email detectors
//! (`decode::views_of`), looks for the username in them too
//! (`find_in_views`): a username percent-encoded in a URL, written as
//! entities or escapes, or inside base64 or hex text is an echo as well; the
//! span replaced is the original bytes its characters came from.
//!
//! A username too short or too common to tell from ordinary words is only
//! looked for as a whole value, never inside longer text; see
//! [`in_text_eligible`].
//!
//! Apps derive ids from a login by respelling it: `john.smith` becomes the
//! user id `johnsmith`, `john_smith`, `smith-john`, `john smith2024`. The
//! username is also looked for as its letters and digits in order with the
//! separators between them changed, dropped, doubled or added, or its two
//! or three parts in another order (`respelled`); one of letters alone
//! only from twelve letters inside longer text (`johnsmith` and
//! `basketball` are found as a whole value only, `mariagonzalez` inside
//! text too).
//!
//! Matching is linear in the text: where both sides are ASCII, a byte search
//! (`memchr::memmem`) for the token's longest run of non-letters, each hit
//! compared in full without regard to case (within a budget of a few times
//! the text's length), else Knuth-Morris-Pratt over the lowercased bytes;
//! otherwise Knuth-Morris-Pratt over the normalized characters.

use super::decode;
use super::unicode::shows_nothing;
use super::word;
use std::ops::Range;
use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
use zeroize::Zeroizing;

mod respelled;

/// Fewest characters a username needs to be looked for inside longer text
/// when it holds a character other than a letter (a digit, `.`, `_`, ...).
pub const USERNAME_MIN_IN_TEXT: usize = 6;

/// Fewest characters a username of letters only needs to be looked for
/// inside longer text: shorter ones (`admin`, `shopping`, `android`) are
/// ordinary words of user agents, notes and addresses.
pub const USERNAME_MIN_LETTERS_IN_TEXT: usize = 10;

/// Fewest letters a username respelled with letters alone (`respelled`)
/// needs to be looked for inside longer text: two joined words of ten or
/// eleven letters are often one ordinary word (`basketball`,
/// `sleepingbag`); two names joined are mostly longer (`mariagonzalez`).
pub(crate) const SPELLING_MIN_LETTERS_IN_TEXT: usize = 12;

/// A secret to look for as a whole token.
pub(crate) struct Token {
    /// The normalized characters; for an ASCII token, made from `ascii`
    /// when a text outside ASCII is first searched.
    chars: std::cell::OnceCell<Vec<char>>,
    /// [`Token::chars`] without combining marks, made when first asked.
    unmarked: std::cell::OnceCell<Vec<char>>,
    /// How many characters the normalized token has (without its
    /// combining marks when it is looked for inside text).
    len: usize,
    /// The lowercased token's bytes, when it is ASCII without white space
    /// (ASCII text then needs no normalization).
    ascii: Option<Vec<u8>>,
    /// Looked for inside longer text, not only as a whole value.
    in_text: bool,
    /// Digits and `_` may touch it ([`Token::glued`]).
    glued: bool,
    /// How many ASCII digits the normalized token holds, and whether it
    /// holds an `@`: an ASCII text with fewer digits, or without an `@`,
    /// cannot hold it (ASCII text normalizes to itself, lowercased).
    digits: usize,
    at: bool,
    /// How many ASCII letters the normalized token holds: an ASCII text
    /// with fewer cannot hold it.
    letters: usize,
    /// For an ASCII token, where its longest run of bytes that are not
    /// letters (digits, `.`, `@`...: the same in any case) starts: the
    /// run's first byte is searched in the text as written, each hit then
    /// compared in full without regard to case, so most texts are read once
    /// and not copied.
    anchor: Option<(u8, usize)>,
    /// The username respelled ([`respelled`]): found wherever it is.
    respelled: Option<respelled::Respelled>,
}

impl Token {
    fn new(raw: &str, in_text: bool) -> Option<Token> {
        let trimmed = raw.trim();
        // An ASCII token without white space is its bytes lowercased.
        if raw.is_ascii() && !trimmed.bytes().any(|b| char::from(b).is_whitespace()) {
            if trimmed.is_empty() {
                return None;
            }
            let needle = trimmed.as_bytes().to_ascii_lowercase();
            // One pass: the counts, and the longest run of non-letters.
            let (mut digits, mut letters, mut at) = (0, 0, false);
            let mut best: Option<(usize, usize)> = None;
            let mut run = 0;
            for (i, &c) in needle.iter().enumerate() {
                if c.is_ascii_alphabetic() {
                    letters += 1;
                    run = 0;
                    continue;
                }
                digits += usize::from(c.is_ascii_digit());
                at |= c == b'@';
                run += 1;
                if best.is_none_or(|(s, e)| run > e - s) {
                    best = Some((i + 1 - run, i + 1));
                }
            }
            return Some(Token {
                chars: std::cell::OnceCell::new(),
                unmarked: std::cell::OnceCell::new(),
                len: needle.len(),
                digits,
                at,
                letters,
                anchor: best.map(|(s, _)| (needle[s], s)),
                ascii: Some(needle),
                in_text,
                glued: false,
                respelled: None,
            });
        }
        let chars = normalized_chars(trimmed);
        if chars.is_empty() {
            return None;
        }
        Some(Token {
            // Looked for inside text, it is compared without its marks
            // ([`find_normalized`]): an ASCII text that short may hold it.
            len: if in_text {
                chars.iter().filter(|c| !is_mark(**c)).count()
            } else {
                chars.len()
            },
            digits: chars.iter().filter(|c| c.is_ascii_digit()).count(),
            at: chars.contains(&'@'),
            letters: chars.iter().filter(|c| c.is_ascii_alphabetic()).count(),
            chars: std::cell::OnceCell::from(chars),
            unmarked: std::cell::OnceCell::new(),
            ascii: None,
            in_text,
            glued: false,
            anchor: None,
            respelled: None,
        })
    }

    /// The raw `account.username` as a token that is also found
    /// respelled ([`respelled`]); only the username as sent is found glued
    /// to an id ([`Token::glued`]).
    fn username(raw: &str) -> Option<Token> {
        let eligible = in_text_eligible(raw);
        let mut token = Token::new(raw, eligible)?.glued();
        token.respelled = respelled::Respelled::new(raw.trim(), eligible);
        Some(token)
    }

    /// The token found glued to an id: digits and `_` bound it as white
    /// space and punctuation do (`user_<u>`, `<u>_1712345678`,
    /// `<u>_backup`, `<u>104549`); letters and combining marks still do
    /// not. For a username looked for inside text ([`in_text_eligible`]):
    /// six characters with one that is not a letter, or ten letters, are
    /// the request's own login in an id that holds them, since apps build
    /// ids by joining a name with `_` and digits.
    fn glued(mut self) -> Token {
        self.glued = self.in_text;
        self
    }

    /// The normalized characters without their combining marks.
    fn unmarked(&self) -> &[char] {
        self.unmarked.get_or_init(|| {
            self.chars()
                .iter()
                .copied()
                .filter(|c| !is_mark(*c))
                .collect()
        })
    }

    /// The normalized characters.
    fn chars(&self) -> &[char] {
        self.chars.get_or_init(|| {
            self.ascii
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|&b| char::from(b))
                .collect()
        })
    }

    /// Whether `text`, of which `seen` tells, may hold the token: false
    /// only when `text` is ASCII and too short, or has fewer ASCII digits
    /// or letters than the token, or no `@` where the token has one. ASCII
    /// text normalizes to itself lowercased, with runs of white space
    /// shortened: no longer, the same digits, letters and at signs.
    pub(crate) fn may_occur(&self, text: &str, seen: &Seen) -> bool {
        !seen.ascii
            || (text.len() >= self.len
                && seen.digit_count() >= self.digits
                && (seen.at || !self.at)
                && seen.letter_count() >= self.letters)
            || self.respelled.as_ref().is_some_and(|r| {
                text.len() >= r.len
                    && seen.digit_count() >= r.digits
                    && seen.letter_count() >= r.letters
            })
    }

    /// The fewest bytes an ASCII text holding the token (or the username
    /// respelled) has.
    pub(crate) fn min_ascii_len(&self) -> usize {
        self.respelled
            .as_ref()
            .map_or(self.len, |r| r.len.min(self.len))
    }
}

pub(crate) use super::word::Seen;

/// The characters of `s` as [`normalize`] gives them; an ASCII string
/// (lowercased, white-space runs as one space) without the general path.
fn normalized_chars(s: &str) -> Vec<char> {
    if !s.is_ascii() {
        return normalize(s).into_iter().map(|(c, _)| c).collect();
    }
    let mut out = Vec::with_capacity(s.len());
    let mut space = false;
    for b in s.bytes() {
        let c = char::from(b);
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c.to_ascii_lowercase());
            space = false;
        }
    }
    out
}

/// Whether a username (its normalized characters) is looked for inside
/// longer text: at least [`USERNAME_MIN_IN_TEXT`] characters with one that
/// is not a letter, or [`USERNAME_MIN_LETTERS_IN_TEXT`] letters.
pub fn in_text_eligible(username: &str) -> bool {
    let trimmed = username.trim();
    if trimmed.is_ascii() {
        // No marks; white-space runs count as one character.
        let mut len = 0;
        let mut letters_only = true;
        let mut space = false;
        for b in trimmed.bytes() {
            let blank = char::from(b).is_whitespace();
            len += usize::from(!(blank && space));
            letters_only &= b.is_ascii_alphabetic();
            space = blank;
        }
        return len
            >= if letters_only {
                USERNAME_MIN_LETTERS_IN_TEXT
            } else {
                USERNAME_MIN_IN_TEXT
            };
    }
    let chars: Vec<char> = normalized_chars(trimmed)
        .into_iter()
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
pub(crate) struct Echoes<'a> {
    /// The raw username and its MD5 (as `account.username_md5` has it).
    pub(crate) username: Option<(Token, &'a str)>,
    /// The raw email address and its MD5 (as `email.address` has it).
    pub(crate) email: Option<(Token, &'a str)>,
    /// The card number's digits.
    pub(crate) card: Option<Card>,
    /// Without the card, the truncation the app sent, for digests of the
    /// card beside it ([`super::digest`]).
    pub(crate) truncated: Option<super::digest::Truncated>,
    /// With no raw username, the `account.username_md5` the app sent (as
    /// the digest it spells, and as sent): the username is then found by
    /// its MD5 ([`super::username_digest`]).
    pub(crate) username_digest: Option<(super::username_digest::UsernameDigest, &'a str)>,
    /// The card as minFraud receives it: read for in the digests the app
    /// sent (`pan::digest_pans`).
    pub(crate) truncation: Option<super::pan::Truncation>,
    /// Without the card, the app's truncation showing 4 last digits: its
    /// first digits written apart are read for ([`super::spread`]).
    pub(crate) spread: Option<super::spread::Spread>,
    /// [`Echoes::min_ascii_len`].
    min_ascii_len: usize,
}

impl<'a> Echoes<'a> {
    pub(crate) fn set_username(&mut self, raw: &str, md5: &'a str) {
        self.username = Token::username(raw).map(|t| (t, md5));
        self.update_min();
    }

    /// The app-sent `account.username_md5`, `md5`, when it is one: looked
    /// for by hashing candidates when the request has no raw username.
    pub(crate) fn set_username_digest(&mut self, md5: &'a str) {
        self.username_digest = super::username_digest::UsernameDigest::parse(md5).map(|d| (d, md5));
        self.update_min();
    }

    pub(crate) fn set_email(&mut self, raw: &str, md5: &'a str) {
        self.email = Token::new(raw, true).map(|t| (t, md5));
        self.update_min();
    }

    /// The card's `digits`, the number as the app `sent` it (`""` for a
    /// JSON number) and how many of its first and last digits minFraud
    /// receives (`shown`: 6 or 8, and 4 or 2).
    pub(crate) fn set_card(
        &mut self,
        digits: Zeroizing<Vec<u8>>,
        sent: &str,
        shown: (usize, usize),
    ) {
        self.card = Some(Card::new(digits).sent_as(sent, shown));
        self.update_min();
    }

    /// Whether `text`, of which `seen` tells, may hold any of the three
    /// (false only when no [`Token::may_occur`] or [`Card::may_occur`]
    /// holds). The counts are asked first; the masked-copy pre-check reads
    /// the text, and is asked only when no count answers.
    #[inline]
    pub(crate) fn may_hold(&self, text: &str, seen: &Seen) -> bool {
        !seen.ascii
            || self.username_digest.is_some()
            || self
                .email
                .as_ref()
                .is_some_and(|(t, _)| t.may_occur(text, seen))
            || self
                .username
                .as_ref()
                .is_some_and(|(t, _)| t.may_occur(text, seen))
            || self
                .card
                .as_ref()
                .is_some_and(|c| c.may_occur(seen) || c.may_be_masked(text, seen))
    }

    /// The fewest bytes of an ASCII text that can hold any of the three.
    pub(crate) fn min_ascii_len(&self) -> usize {
        self.min_ascii_len
    }

    fn update_min(&mut self) {
        let token = |t: &Option<(Token, &str)>| t.as_ref().map(|(t, _)| t.min_ascii_len());
        self.min_ascii_len = [
            token(&self.username),
            token(&self.email),
            self.card.as_ref().map(Card::min_ascii_len),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(0);
        // A username found by its digest may be one character alone in
        // its value.
        if self.username_digest.is_some() {
            self.min_ascii_len = 1;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.email.is_none()
            && self.card.is_none()
            && self.truncated.is_none()
            && self.spread.is_none()
            && self.username_digest.is_none()
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
        // An ASCII character is its own decomposition.
        if c.is_ascii() {
            out.push((c.to_ascii_lowercase(), bytes));
            continue;
        }
        // Characters that show nothing (a zero-width space, a soft hyphen,
        // a bidi mark) are not part of what a name says.
        if shows_nothing(c) {
            continue;
        }
        for lower in c.to_lowercase() {
            unicode_normalization::char::decompose_compatible(lower, |d| {
                fold_into(&mut out, d, &bytes);
            });
        }
    }
    out
}

/// Pushes `d` (a lowercased, decomposed character) as Unicode's full case
/// folding and the platforms' upper and lower casing write it, so a name
/// and its copy in the other case compare equal: `ß` as `ss` (German
/// `WEISS` is `weiß` upper-cased), the Greek final `ς` as `σ`, the Turkish
/// dotless `ı` as `i`, and the dot above that `İ` leaves after `i`
/// (`İsmail` lower-cased is `i̇smail`) left out.
fn fold_into(out: &mut Vec<Item>, d: char, bytes: &Range<usize>) {
    match d {
        '\u{df}' => {
            out.push(('s', bytes.clone()));
            out.push(('s', bytes.clone()));
        }
        '\u{3c2}' => out.push(('\u{3c3}', bytes.clone())),
        '\u{131}' => out.push(('i', bytes.clone())),
        '\u{307}' if matches!(out.last(), Some(('i' | 'j', _))) => {
            if let Some(last) = out.last_mut() {
                last.1.end = last.1.end.max(bytes.end);
            }
        }
        _ => out.push((d, bytes.clone())),
    }
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
    let mut spans = find_as_sent(token, text, before_at);
    if let Some(r) = &token.respelled {
        spans.extend(r.find(text, before_at));
    }
    merged(spans)
}

/// [`find`] for the token as sent.
fn find_as_sent(token: &Token, text: &str, before_at: bool) -> Vec<Range<usize>> {
    let ascii = text.is_ascii();
    // Only ASCII text is never shorter once normalized: one character
    // outside it may decompose into many (U+FDFA into 18).
    if ascii && text.len() < token.len {
        return Vec::new();
    }
    if let (Some(needle), true) = (&token.ascii, ascii) {
        return find_ascii(token, needle, text, before_at);
    }
    if !ascii && !may_hold_normalized(token, text.as_bytes()) {
        return Vec::new();
    }
    find_normalized(token, text, before_at)
}

/// [`find`] over the normalized characters of `text`. A token looked for
/// inside longer text ([`in_text_eligible`]: distinctive enough) is
/// compared with combining marks left out on both sides, as well as case
/// folded: Greek upper case drops the tonos (`γιώργος_2116` is written
/// `ΓΙΩΡΓΟΣ_2116` in Greek-locale upper case), and so do keyboards and
/// systems without accents (`jose.garcia` for `josé.garcía`).
fn find_normalized(token: &Token, text: &str, before_at: bool) -> Vec<Range<usize>> {
    let mut items = normalize(text);
    let needle = if token.in_text {
        items.retain(|(c, _)| !is_mark(*c));
        token.unmarked()
    } else {
        token.chars()
    };
    let chars: Vec<char> = items.iter().map(|(c, _)| *c).collect();
    let n = needle.len();
    let mut out = Vec::new();
    for start in occurrences(&chars, needle) {
        let end = start + n;
        let whole = start == 0 && end == chars.len()
            || chars[..start].iter().all(|c| *c == ' ') && chars[end..].iter().all(|c| *c == ' ');
        if !token.in_text && !whole {
            continue;
        }
        let touches = |c: char| {
            if token.glued {
                c.is_alphabetic() || is_mark(c)
            } else {
                word_char(c)
            }
        };
        let bounded = (start == 0 || !touches(chars[start - 1]))
            && chars.get(end).is_none_or(|&c| !touches(c));
        let local_part = matches!(chars.get(end), Some('@' | '\u{ff20}' | '\u{fe6b}'))
            && domain_after(chars[end + 1..].iter().copied());
        if bounded && (before_at || !local_part) {
            out.push(items[start].1.start..items[end - 1].1.end);
        }
    }
    out
}

/// Whether the characters after an at sign begin a domain as the email
/// finder takes one (see `docs/policies.md`, "What counts as an email
/// address"): an IP literal in brackets, or two or more labels of letters
/// or digits (and inner hyphens) joined by dots, the last at least two
/// characters long with a letter. A token before such an at sign is an
/// address's local part, left to the email detector; before any other
/// (`jane.doe88@localhost`, `sip:jane.doe88@pbx`, `jane.doe88@`) it is the
/// username itself. Reads at most a domain's 255 characters.
fn domain_after(rest: impl Iterator<Item = char>) -> bool {
    let (mut labels, mut len, mut letter, mut hyphen) = (0, 0, false, false);
    for (i, c) in rest.take(255).enumerate() {
        if i == 0 && c == '[' {
            return true;
        }
        if c.is_alphanumeric() || (c == '-' && len > 0) {
            len += 1;
            letter |= c.is_alphabetic();
            hyphen = c == '-';
        } else if matches!(c, '.' | '\u{3002}' | '\u{ff0e}' | '\u{ff61}') && len > 0 && !hyphen {
            labels += 1;
            len = 0;
            letter = false;
        } else {
            break;
        }
    }
    // A label ending in a hyphen is not taken as a domain here: the
    // username is then replaced, inside an address at worst.
    labels >= 1 && len >= 2 && letter && !hyphen
}

/// Whether `b`, a text outside ASCII, may hold `token` once normalized
/// ([`normalize`]): its ASCII digits and letters, with the most that each
/// of its other characters becomes ([`ascii_from_lead`]), are at least the
/// token's, and it has an `@` where the token has one (an `@`, or a
/// character starting with byte `0xEF`, as `＠` and `﹫` do). Most names
/// of places and people (`Zürich`, `São Paulo`) hold no digit once
/// normalized, and no `@`.
fn may_hold_normalized(token: &Token, b: &[u8]) -> bool {
    let (mut digits, mut letters, mut at) = (0, 0, false);
    for &c in b {
        if c.is_ascii_digit() {
            digits += 1;
        } else if c.is_ascii_alphabetic() {
            letters += 1;
        } else if c >= 0xC0 {
            let (d, l) = ascii_from_lead(c);
            digits += d;
            letters += l;
            at |= c == 0xEF;
        } else {
            at |= c == b'@';
        }
    }
    digits >= token.digits && letters >= token.letters && (at || !token.at)
}

/// The most ASCII digits and the most ASCII letters that one character
/// outside ASCII becomes once normalized ([`normalize`]: lowercased, NFKD),
/// by the first byte of its UTF-8 form: `²` (`0xC2`) becomes `2`, `⅒`
/// (`0xE2`) `1⁄10`, `ǆ` (`0xC7`) `dž`, `Ⅷ` (`0xE2`) `viii`, a fullwidth
/// letter (`0xEF`) its ASCII letter. Checked against every character.
fn ascii_from_lead(lead: u8) -> (usize, usize) {
    match lead {
        0xC2 => (2, 1),
        0xE2 => (3, 4),
        0xE3 => (2, 4),
        0xEF | 0xF0 => (1, 3),
        // `ß` (`0xC3`) and `ẞ` (`0xE1`) fold to `ss`.
        0xC3 | 0xC4 | 0xC7 | 0xE1 => (0, 2),
        0xC5 | 0xC6 | 0xC8 | 0xCA | 0xCB | 0xEA => (0, 1),
        _ => (0, 0),
    }
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
        b.get(i).is_some_and(|&c| {
            c.is_ascii_alphabetic() || (!token.glued && (c.is_ascii_digit() || c == b'_'))
        })
    };
    // An occurrence at `start` is kept when it is a whole token and not an
    // address's local part (unless `before_at`; [`domain_after`]);
    // overlapping ones too (`aa.aa` twice in `aa.aa.aa`), joined by the
    // caller.
    let keep = |_: &[Range<usize>], start: usize| {
        let end = start + needle.len();
        let bounded = (start == 0 || !word(start - 1)) && !word(end);
        let local_part =
            b.get(end) == Some(&b'@') && domain_after(text.get(end + 1..).unwrap_or("").chars());
        bounded && (before_at || !local_part)
    };
    if let Some((anchor, offset)) = token.anchor {
        // Each hit of the anchor is compared in full: at most a few times
        // the text's length in all, else the copy below is cheaper.
        let budget = 4 * b.len() + needle.len();
        let mut spent = 0;
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut from = 0;
        // Overlapping hits too: one may start inside the one before.
        while let Some(at) = b.get(from..).and_then(|rest| memchr::memchr(anchor, rest)) {
            let hit = from + at;
            from = hit + 1;
            spent += needle.len() + at;
            if spent > budget {
                break;
            }
            let Some(start) = hit.checked_sub(offset) else {
                continue;
            };
            let fits = b
                .get(start..start + needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle));
            if fits && keep(&out, start) {
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
        if keep(&out, start) {
            out.push(start..start + needle.len());
        }
    }
    out
}

/// Byte ranges of a text where `token` stands in one of its other
/// readings (`views`: [`decode::views_of`] of the text), as [`find`] finds
/// it in each; sorted, overlapping ones joined.
pub(crate) fn find_in_views(
    token: &Token,
    views: &[Vec<decode::Item>],
    before_at: bool,
) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for view in views {
        let read: String = view.iter().map(|(c, _)| *c).collect();
        // ASCII readings shorter than the token, or with fewer letters
        // (an ASCII text's letters are its normalized letters), cannot
        // hold it.
        if read.is_ascii()
            && (read.len() < token.min_ascii_len()
                || word::ascii_letters(read.as_bytes()) < token.letters)
        {
            continue;
        }
        for r in find(token, &read, before_at) {
            spans.push(origin_of(view, r));
        }
    }
    merged(spans)
}

/// The bytes of the original text that the bytes `r` of a reading (the
/// characters of `view`, as a string) stand for.
fn origin_of(view: &[decode::Item], r: Range<usize>) -> Range<usize> {
    let mut at = 0;
    let mut first = view.len();
    let mut last = 0;
    for (i, (c, _)) in view.iter().enumerate() {
        if at >= r.start && at < r.end {
            first = first.min(i);
            last = i + 1;
        }
        at += c.len_utf8();
    }
    if first >= last {
        return 0..0;
    }
    decode::origin(&view[first..last])
}

/// `ranges` sorted, overlapping ones joined.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The request's card number as the echo search looks for it: its digits
/// (values 0-9) and their Knuth-Morris-Pratt failure table, made once per
/// request rather than once per value searched.
pub(crate) struct Card {
    digits: Zeroizing<Vec<u8>>,
    /// [`failure`] of `digits`.
    fail: Zeroizing<Vec<usize>>,
    /// Every stretch of `part` digits of the card that holds a digit of
    /// its middle (after the first 8, or the first 6 for a card of fewer
    /// than 16 digits, and before the last 4: what no truncation shows), as
    /// a number, sorted.
    parts: Zeroizing<Vec<u32>>,
    /// As `parts`, for the digits minFraud does not receive under `shown`
    /// ([`Card::find_hidden`]).
    hidden: Zeroizing<Vec<u32>>,
    /// [`PART`], or fewer for a card of 12 or 13 digits (its middle and
    /// last 4 together).
    part: usize,
    /// The card's digits hashed as apps hash them for a token or a
    /// fingerprint (MD5, SHA-1, SHA-256, SHA-512 of the ASCII digits, and
    /// of the number as sent when it holds more than its digits, such as
    /// `4111 1111 1111 1111`): each digest in lowercase hex and in base64
    /// (standard and URL-safe, without padding).
    /// Made when a text first may hold one (a long base64 run).
    digests: std::cell::OnceCell<Zeroizing<Vec<String>>>,
    /// The number as the app sent it, when it is not just its ASCII digits.
    sent: Option<Zeroizing<String>>,
    /// How many of its first and last digits minFraud receives (6, or 8
    /// under a policy's `iin = 8` for a card of 16 digits or more; 4, or 2
    /// for a card of 12 digits and where the brand allows no 4 beside an
    /// 8-digit IIN): a masked copy showing a digit between them gives the
    /// card away ([`Card::find_masked`]).
    shown: (usize, usize),
    /// How many of each digit a text needs to hold the card or one of its
    /// stretches ([`word::digit_counts`] of each stretch in `parts`, or of
    /// the card when it has none): a text whose digits fall short of all of
    /// them holds neither.
    needs: Zeroizing<Vec<u128>>,
    /// A digit (as an ASCII byte) that every one of `needs` asks for, and
    /// the least count of it they ask (the digit asking most, among those
    /// the first need asks two or more of): a text with fewer of it meets
    /// none, which one count tells.
    least: Option<(u8, usize)>,
    /// The fewest digits of a stretch that gives the card away beside what
    /// minFraud receives ([`Card::reveals`]); 0 when none does.
    revealing_min: usize,
}

/// The lanes of [`word::digit_counts`] that stand for a digit, each with
/// its high bit.
const COUNT_HIGH: u128 = 0x8080_8080_8080_8080_8080;

/// Digits a text may hold for its [`word::digit_counts`] to be exact and
/// within [`covers`]'s reach.
const COUNTED_MAX: usize = 127;

/// Whether `have` (digit counts of at most [`COUNTED_MAX`] digits) holds at
/// least the count of each digit in `need`: each lane with its high bit set
/// less `need` (at most a card's length) keeps its high bit exactly when
/// nothing is missing, and no lane borrows from the next.
fn covers(have: u128, need: u128) -> bool {
    ((have | COUNT_HIGH) - need) & COUNT_HIGH == COUNT_HIGH
}

/// How many digits of a card, in order, give its middle away: 8 of them
/// holding a middle digit, beside the first 6 or 8 and the last 4 that
/// minFraud receives, leave a few hundred candidates at most, which the
/// Luhn check narrows further. A chance match in unrelated digits is about
/// one in 10^7 per position read. A card of 12 or 13 digits has 2 or 3
/// middle digits: the middle and the last 4 (6 or 7 digits) are looked for
/// there.
pub(crate) const PART: usize = 8;
const _: () = assert!(PART.is_power_of_two());

/// Most digits of a card's middle that a stretch of it may leave unknown,
/// beside the first and last digits minFraud receives, and still give the
/// card away ([`Card::reveals`]): four unknown digits and the Luhn check
/// leave 10^3 candidates, five leave 10^4.
pub(crate) const UNKNOWN_MAX: usize = 4;

/// Fewest digits of a run, in a kept value, that is looked up among the
/// stretches of the card that give it away ([`Card::find_revealing`]): a
/// chance match of six given digits is one in 10^6 per run of that length.
pub(crate) const REVEALING_MIN: usize = 6;

/// Fewest digits of a card's hidden middle that are looked for alone as a
/// run ([`Card::find_revealing`]): the five an American Express card hides
/// beside its IIN 6 and last 4. A run of four digits or fewer (a year, a
/// house number, a time) would match one unrelated value in 10^4.
pub(crate) const MIDDLE_MIN: usize = 5;

/// Longest card whose stretches [`Card::find_revealing`] reads without
/// allocating (every card has at most 19 digits).
const RUN_MAX: usize = 32;

/// Shortest text a digest is written in: an MD5 in base64 without padding.
const DIGEST_MIN: usize = 22;

/// The stretches of `part` digits of `digits` (values 0-9) that hold a
/// digit of `middle`, each as a number, sorted.
fn stretches(digits: &[u8], part: usize, middle: &Range<usize>) -> Zeroizing<Vec<u32>> {
    let n = digits.len();
    let mut out = Zeroizing::new(Vec::with_capacity(n.saturating_sub(part) + 1));
    if !middle.is_empty() {
        for start in 0..=n.saturating_sub(part) {
            let end = start + part;
            if end > middle.start && start < middle.end && end <= n {
                let v = digits[start..end]
                    .iter()
                    .fold(0u32, |a, &d| a * 10 + u32::from(d));
                out.push(v);
            }
        }
    }
    out.sort_unstable();
    out
}

impl Card {
    pub(crate) fn new(digits: Zeroizing<Vec<u8>>) -> Card {
        let fail = Zeroizing::new(failure(&digits));
        let n = digits.len();
        let middle = if n >= 16 { 8 } else { 6 }..n.saturating_sub(4);
        let part = PART.min(n.saturating_sub(6)).max(1);
        let windows = n.saturating_sub(part) + 1;
        let parts = stretches(&digits, part, &middle);
        let shown = (6, 4);
        let hidden = stretches(&digits, part, &(shown.0..n.saturating_sub(shown.1)));
        // Counts as [`word::digit_counts`] gives them: one byte per digit
        // value, each window's made from the one before it.
        let one = |d: u8| 1u128 << (8 * u32::from(d));
        let mut needs = Zeroizing::new(Vec::with_capacity(windows));
        if parts.is_empty() {
            needs.push(digits.iter().map(|&d| one(d)).sum());
        } else if n >= part {
            let mut counts: u128 = digits[..part].iter().map(|&d| one(d)).sum();
            for start in 0..=n - part {
                if start > 0 {
                    counts = counts - one(digits[start - 1]) + one(digits[start + part - 1]);
                }
                let end = start + part;
                if end > middle.start && start < middle.end {
                    needs.push(counts);
                }
            }
            needs.sort_unstable();
            needs.dedup();
        }
        // Looked for among the digits the first need asks two or more of
        // (a card whose stretches repeat a digit); other cards have none.
        let lane = |need: u128, d: u8| usize::from((need >> (8 * u32::from(d))) as u8);
        let mut least: Option<(u8, usize)> = None;
        if let Some(&first) = needs.first() {
            for d in (0..10u8).filter(|&d| lane(first, d) >= 2) {
                let count = needs.iter().map(|&need| lane(need, d)).min().unwrap_or(0);
                if count > least.map_or(0, |(_, c)| c) {
                    least = Some((b'0' + d, count));
                }
            }
        }
        let mut card = Card {
            digits,
            fail,
            parts,
            hidden,
            part,
            digests: std::cell::OnceCell::new(),
            sent: None,
            shown,
            needs,
            least,
            revealing_min: 0,
        };
        card.revealing_min = card.least_revealing();
        card
    }

    /// The fewest digits of a stretch that gives the card away
    /// ([`Card::reveals`]); 0 when none does.
    fn least_revealing(&self) -> usize {
        let n = self.digits.len();
        (1..n)
            .find(|&len| (0..=n - len).any(|start| self.reveals(start, len)))
            .unwrap_or(0)
    }

    /// The card as the app sent it (`sent`, kept for its digests when it
    /// holds more than the digits) with its first and last `shown` digits
    /// going to minFraud.
    pub(crate) fn sent_as(mut self, sent: &str, shown: (usize, usize)) -> Card {
        let plain = sent.len() == self.digits.len()
            && sent
                .bytes()
                .zip(self.digits.iter())
                .all(|(c, &d)| c == b'0' + d);
        if !sent.is_empty() && !plain {
            self.sent = Some(Zeroizing::new(sent.to_owned()));
        }
        if shown != self.shown {
            let n = self.digits.len();
            let middle = shown.0..n.saturating_sub(shown.1);
            self.hidden = stretches(&self.digits, self.part, &middle);
        }
        self.shown = shown;
        self.revealing_min = self.least_revealing();
        self
    }

    /// Whether the `len` digits of the card from digit `start`, beside the
    /// first and last digits minFraud receives ([`Card::shown`]), give the
    /// card away: they show a digit of the middle the truncation hides and
    /// leave at most [`UNKNOWN_MAX`] of its digits unknown (fewer than
    /// 10^4 Luhn-valid candidates), and they are [`REVEALING_MIN`] digits
    /// or more, or the hidden middle itself of [`MIDDLE_MIN`] or more. The
    /// whole card is not one (it is found whole).
    fn reveals(&self, start: usize, len: usize) -> bool {
        let n = self.digits.len();
        let middle = self.shown.0..n.saturating_sub(self.shown.1);
        if middle.is_empty() || len >= n || n > RUN_MAX {
            return false;
        }
        let shown = (start + len)
            .min(middle.end)
            .saturating_sub(start.max(middle.start));
        let unknown = middle.len() - shown;
        shown > 0
            && unknown <= UNKNOWN_MAX
            && (len >= REVEALING_MIN
                || (start == middle.start && len == middle.len() && len >= MIDDLE_MIN))
    }

    /// Whether the digits `run` are a stretch of the card that gives it
    /// away ([`Card::reveals`]) and no stretch that minFraud receives
    /// anyway (the IIN, the last digits): a card that repeats its IIN
    /// further on shows nothing new in a value that is its IIN.
    fn run_reveals(&self, run: &[u8]) -> bool {
        let (n, len) = (self.digits.len(), run.len());
        if len == 0 || len > n {
            return false;
        }
        let mut revealing = false;
        for start in (0..=n - len).filter(|&s| self.digits[s..s + len] == *run) {
            if start + len <= self.shown.0 || start >= n.saturating_sub(self.shown.1) {
                return false;
            }
            revealing |= self.reveals(start, len);
        }
        revealing
    }

    /// The byte range of `text` where a run of digits (in any script,
    /// between characters that are not digits; characters that show
    /// nothing are skipped) is a stretch of the card that gives it away
    /// beside what minFraud receives ([`Card::reveals`]): the hidden
    /// middle alone (`cust888888`), or the IIN and two hidden digits
    /// (`40128888` under `iin = 6`). The search runs only where the
    /// request's card is truncated: without its IIN and last digits in the
    /// output, a short stretch gives nothing away. A stretch glued to other
    /// digits is not one: inside long ids a chance match would be common.
    pub(crate) fn find_revealing(&self, text: &str, seen: &Seen) -> Option<Range<usize>> {
        let least = self.revealing_min;
        if least == 0 || (seen.ascii && seen.digit_count() < least) {
            return None;
        }
        let n = self.digits.len();
        let mut run = [0u8; RUN_MAX];
        let (mut len, mut start, mut end) = (0usize, 0usize, 0usize);
        let reveals = |run: &[u8], len: usize| len >= least && len < n && self.run_reveals(run);
        for (i, c) in text.char_indices() {
            if let Some(d) = digit_of(c) {
                if len == 0 {
                    start = i;
                }
                if len < n {
                    run[len] = d;
                }
                len += 1;
                end = i + c.len_utf8();
            } else if !shows_nothing(c) {
                if reveals(&run[..len.min(n)], len) {
                    return Some(start..end);
                }
                len = 0;
            }
        }
        reveals(&run[..len.min(n)], len).then_some(start..end)
    }

    /// Whether `text` may hold a masked copy of the card
    /// ([`Card::find_masked`]): long enough, with a digit (or not ASCII),
    /// and a run of as many digits and mask characters as the card has,
    /// one a mask character ([`masked_runs`]).
    #[inline]
    pub(crate) fn may_be_masked(&self, text: &str, seen: &Seen) -> bool {
        let n = self.digits.len();
        text.len() >= n
            && (!seen.ascii || seen.digit_count() > 0)
            && !masked_runs(text, n).is_empty()
    }

    /// The byte range of `text` where a masked copy of the card stands
    /// that shows a digit minFraud does not receive: a token of as many
    /// digits and mask characters ([`is_mask`]) as the card has, in groups
    /// between separators ([`is_group_separator`]), whose shown digits (in
    /// any script) are all the card's at the same places and include one
    /// minFraud does not receive ([`Card::shown`])
    /// (`******888888****`, `4012 88** **** 1881`, `401288XX881881`).
    /// A mask showing only the first and last digits minFraud receives is
    /// not one. Only the runs that can hold one are read digit by digit
    /// ([`masked_runs`]); linear in `text` (a card's length per group).
    pub(crate) fn find_masked(&self, text: &str) -> Option<Range<usize>> {
        let n = self.digits.len();
        let middle = self.shown.0..n.saturating_sub(self.shown.1);
        if middle.is_empty() || text.len() < n {
            return None;
        }
        masked_runs(text, n).into_iter().find_map(|run| {
            let found = self.masked_in_run(&text[run.clone()], &middle)?;
            Some(run.start + found.start..run.start + found.end)
        })
    }

    /// [`Card::find_masked`] in one run of [`masked_runs`]: `run` holds
    /// only digits, mask characters and group separators.
    fn masked_in_run(&self, run: &str, middle: &Range<usize>) -> Option<Range<usize>> {
        let n = self.digits.len();
        // Every digit and mask character of the run: its byte range, its
        // digit (none for a mask), and whether it starts a group (after a
        // separator, or first).
        struct Slot {
            at: Range<usize>,
            digit: Option<u8>,
            group: bool,
        }
        let mut slots: Vec<Slot> = Vec::new();
        let mut group = true;
        for (i, c) in run.char_indices() {
            let digit = digit_of(c);
            if digit.is_some() || is_mask(c) {
                slots.push(Slot {
                    at: i..i + c.len_utf8(),
                    digit,
                    group,
                });
                group = false;
            } else {
                group = true;
            }
        }
        // A window starts a group and ends one.
        let ends_group = |j: usize| slots.get(j + 1).is_none_or(|s| s.group);
        for i in (0..slots.len()).filter(|&i| slots[i].group) {
            let j = i + n - 1;
            if j >= slots.len() || !ends_group(j) {
                continue;
            }
            let window = &slots[i..=j];
            let mut masked = false;
            let mut middle_shown = false;
            let same = window.iter().enumerate().all(|(k, s)| match s.digit {
                None => {
                    masked = true;
                    true
                }
                Some(d) => {
                    middle_shown |= middle.contains(&k);
                    d == self.digits[k]
                }
            });
            if same && masked && middle_shown {
                return Some(window[0].at.start..window[n - 1].at.end);
            }
        }
        None
    }

    /// Whether the digits of `text`, of which `seen` tells, may hold the
    /// card whole, and whether they may hold a stretch of it: false when
    /// `text` has fewer characters that can be digits than the card or a
    /// stretch has (every digit is one character: an ASCII digit, or one
    /// outside ASCII), and both false for ASCII text whose digits, counted
    /// by value, fall short of every one of [`Card::needs`].
    fn digits_may_hold(&self, text: &str, seen: &Seen) -> (bool, bool) {
        let digits = if seen.ascii {
            seen.digit_count()
        } else {
            possible_digits(text.as_bytes())
        };
        let whole = digits >= self.digits.len();
        let part = digits >= self.part;
        // `part` is at most the card's length: no stretch, no card.
        if !seen.ascii || !part || digits > COUNTED_MAX {
            return (whole, part);
        }
        let b = text.as_bytes();
        if let Some((digit, count)) = self.least {
            if word::count_byte(b, digit) < count {
                return (false, false);
            }
        }
        let have = word::digit_counts(b);
        if self.needs.iter().any(|&need| covers(have, need)) {
            (whole, part)
        } else {
            (false, false)
        }
    }

    /// [`Card::digests`], made once.
    fn digests(&self) -> &[String] {
        self.digests.get_or_init(|| {
            use md5::Digest as _;
            let ascii = Zeroizing::new(self.digits.iter().map(|d| b'0' + d).collect::<Vec<u8>>());
            let mut forms: Vec<&[u8]> = vec![&ascii];
            if let Some(sent) = &self.sent {
                forms.push(sent.as_bytes());
            }
            let mut raw: Vec<Zeroizing<Vec<u8>>> = Vec::with_capacity(4 * forms.len());
            for form in forms {
                raw.push(Zeroizing::new(md5::Md5::digest(form).to_vec()));
                raw.push(Zeroizing::new(sha1::Sha1::digest(form).to_vec()));
                raw.push(Zeroizing::new(sha2::Sha256::digest(form).to_vec()));
                raw.push(Zeroizing::new(sha2::Sha512::digest(form).to_vec()));
            }
            let mut digests = Zeroizing::new(Vec::with_capacity(3 * raw.len()));
            for d in &raw {
                digests.push(crate::json::hex(d));
                digests.push(base64_unpadded(d, false));
                digests.push(base64_unpadded(d, true));
            }
            digests
        })
    }

    /// The byte range of `text` where a digest of the card stands
    /// ([`Card::digests`]; hex in either case).
    pub(crate) fn find_digest(&self, text: &str) -> Option<Range<usize>> {
        let b = text.as_bytes();
        if b.len() < DIGEST_MIN || !super::word::base64_run(b, DIGEST_MIN) {
            return None;
        }
        let lower = b.to_ascii_lowercase();
        self.digests().iter().find_map(|d| {
            let hex = d
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
            let hay: &[u8] = if hex { &lower } else { b };
            memchr::memmem::find(hay, d.as_bytes()).map(|at| at..at + d.len())
        })
    }

    /// The fewest bytes of an ASCII text that can hold the card, a stretch
    /// of it or a digest of it: a stretch's digits.
    pub(crate) fn min_ascii_len(&self) -> usize {
        self.least_digits()
    }

    /// The fewest digits of a stretch looked for: [`PART`] (or fewer for a
    /// short card), or fewer for a stretch that gives the card away
    /// ([`Card::find_revealing`]).
    fn least_digits(&self) -> usize {
        match self.revealing_min {
            0 => self.part,
            r => r.min(self.part),
        }
    }

    /// Whether the card, a stretch of it or a digest of it may stand in
    /// a text of which `seen` tells: false only when it is ASCII with fewer
    /// ASCII digits than a stretch looked for and no run of base64
    /// characters.
    pub(crate) fn may_occur(&self, seen: &Seen) -> bool {
        !seen.ascii || seen.digit_count() >= self.least_digits() || seen.token
    }

    /// The byte range of `text` where the card stands whole or a stretch of
    /// it shows its middle ([`Card::find_whole_or_part`]), a run of digits
    /// gives it away beside the truncation ([`Card::find_revealing`]), a
    /// masked copy shows more than the truncation ([`Card::find_masked`])
    /// or a digest of it stands
    /// ([`Card::find_digest`]). Each search runs only where `text` can hold
    /// what it looks for ([`Card::digits_may_hold`], [`masked_runs`], a
    /// run of base64 characters).
    pub(crate) fn find_any(&self, text: &str, seen: &Seen) -> Option<Range<usize>> {
        let (whole, part) = self.digits_may_hold(text, seen);
        self.find_whole_or_part(text, whole, part)
            .or_else(|| self.find_masked(text))
            .or_else(|| {
                (!seen.ascii || seen.token)
                    .then(|| self.find_digest(text))
                    .flatten()
            })
            .or_else(|| self.find_revealing(text, seen))
    }

    /// The byte range of `text` (a value about to be hashed without a key:
    /// a username, an email address) where digits of the card that minFraud
    /// does not receive stand, beyond what [`Card::find_any`] finds in kept
    /// text: [`PART`] digits in a row (read as [`Card::find_part`] reads
    /// them) that are a stretch of the card holding a digit after the
    /// first `shown.0` and before the last `shown.1` (so, under `iin = 6`,
    /// the first 8 of a 16-digit card: `40128888`); or a run of digits
    /// (between characters that are not digits) that is exactly that
    /// hidden middle, when it has 5 digits or more (`888888`). An unkeyed
    /// MD5 of either, beside the IIN and last digits, gives the hidden
    /// digits back; a chance match of an unrelated run is about one in
    /// 10^5 per run at most.
    pub(crate) fn find_hidden(&self, text: &str) -> Option<Range<usize>> {
        let n = self.digits.len();
        let middle = self.shown.0..n.saturating_sub(self.shown.1);
        if middle.is_empty() {
            return None;
        }
        // A stretch is `part` digits and the hidden middle alone at least
        // 5, each digit one character: a text with fewer characters that
        // can be digits holds neither (most usernames and addresses).
        let fewest = if middle.len() >= 5 {
            self.part.min(middle.len())
        } else {
            self.part
        };
        if possible_digits(text.as_bytes()) < fewest {
            return None;
        }
        self.find_hidden_in(text, middle)
    }

    /// [`Card::find_hidden`]'s search, without its pre-check; `middle`:
    /// the digits minFraud does not receive.
    fn find_hidden_in(&self, text: &str, middle: Range<usize>) -> Option<Range<usize>> {
        let stretch = self.find_stretch(text, false, &self.hidden);
        let run = self.find_run(text, &self.digits[middle]);
        // The one whose last digit comes first; a stretch before a run
        // that ends with the same digit.
        match (stretch, run) {
            (Some(s), Some(r)) if r.end < s.end => Some(r),
            (stretch, run) => stretch.or(run),
        }
    }

    /// The byte range of the first run of digits in `text` (between
    /// characters that are not digits, in any script) that is exactly
    /// `hidden`, when it has 5 digits or more. The run is compared digit by
    /// digit as it is read, never copied.
    fn find_run(&self, text: &str, hidden: &[u8]) -> Option<Range<usize>> {
        if hidden.len() < 5 {
            return None;
        }
        // Where the run being read starts, how many digits it has, and
        // whether they are the first of `hidden`.
        let (mut start, mut len, mut same) = (0, 0, true);
        for (i, c) in text.char_indices() {
            let Some(d) = digit_of(c) else {
                if same && len == hidden.len() {
                    return Some(start..i);
                }
                (len, same) = (0, true);
                continue;
            };
            if len == 0 {
                start = i;
            }
            same &= hidden.get(len) == Some(&d);
            len += 1;
        }
        (same && len == hidden.len()).then_some(start..text.len())
    }

    /// The byte range of `text` where, when `whole`, the card stands whole,
    /// else (or when the card is not there) where, when `part`, a stretch
    /// of it shows its middle; one pass over the digits of `text`, read in
    /// order in any script.
    ///
    /// - The whole card: from its first digit to its last, whatever stands
    ///   between them.
    /// - A stretch: [`PART`] digits in a row, across separators but not
    ///   across letters or mask characters ([`ends_stretch`]), that are a
    ///   stretch of the card holding a digit of its middle: a masked copy
    ///   that shows more than the truncation (`401288888888****`,
    ///   `******8888881881`, `4012 8888 8888 XXXX`).
    ///
    /// A whole card found anywhere is the answer before the first stretch
    /// found.
    fn find_whole_or_part(&self, text: &str, whole: bool, part: bool) -> Option<Range<usize>> {
        let stretches: &[u32] = if part { &self.parts } else { &[] };
        self.find_stretch(text, whole, stretches)
    }

    /// As [`Card::find_whole_or_part`], for the stretches in `stretches`
    /// (of `part` digits, sorted): the card's [`Card::parts`], or its
    /// [`Card::hidden`] ones.
    fn find_stretch(&self, text: &str, whole: bool, stretches: &[u32]) -> Option<Range<usize>> {
        let n = self.digits.len();
        // Every digit takes at least a byte.
        let whole = whole && n > 0 && text.len() >= n;
        let part = !stretches.is_empty() && text.len() >= self.part;
        if whole && n > CARD_MAX {
            return find_card_long(&self.digits, text)
                .or_else(|| self.find_stretch(text, false, stretches));
        }
        if !whole && !part {
            return None;
        }
        let card = &self.digits[..];
        let fail = &self.fail[..];
        let p = self.part;
        let modulus = 10u32.pow(u32::try_from(p - 1).unwrap_or(0));
        let mut st = Fused {
            starts: [0; CARD_MAX],
            read: 0,
            k: 0,
            run: 0,
            value: 0,
            stretch: None,
        };
        let step = |st: &mut Fused, at: usize, d: u8, end: usize| {
            st.starts[st.read % CARD_MAX] = at;
            st.read += 1;
            if whole {
                while st.k > 0 && d != card[st.k] {
                    st.k = fail[st.k - 1];
                }
                if d == card[st.k] {
                    st.k += 1;
                }
                if st.k == n {
                    return Some(st.starts[(st.read - n) % CARD_MAX]..end);
                }
            }
            if part && st.stretch.is_none() {
                st.run += 1;
                st.value = (st.value % modulus) * 10 + u32::from(d);
                if st.run >= p && stretches.binary_search(&st.value).is_ok() {
                    let found = st.starts[(st.read - p) % CARD_MAX]..end;
                    if !whole {
                        return Some(found);
                    }
                    st.stretch = Some(found);
                }
            }
            None
        };
        if text.is_ascii() {
            let b = text.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let end = (i + 8).min(b.len());
                let block = &b[i..end];
                if end - i == 8 && word::ascii_digits(word::word(block)) == 0 {
                    // Eight bytes without a digit (the letters of a user
                    // agent, a name): a letter or mask character among them
                    // ends the stretch being read.
                    if st.run > 0 && block.iter().any(|&c| ends_stretch_ascii(c)) {
                        st.end_stretch();
                    }
                    i = end;
                    continue;
                }
                for (at, &c) in block.iter().enumerate() {
                    if c.is_ascii_digit() {
                        if let Some(r) = step(&mut st, i + at, c - b'0', i + at + 1) {
                            return Some(r);
                        }
                    } else if st.run > 0 && ends_stretch_ascii(c) {
                        st.end_stretch();
                    }
                }
                i = end;
            }
        } else {
            for (i, c) in text.char_indices() {
                if let Some(d) = super::pan::digit_value(c) {
                    if let Some(r) = step(&mut st, i, d, i + c.len_utf8()) {
                        return Some(r);
                    }
                } else if st.run > 0 && ends_stretch(c) {
                    st.end_stretch();
                }
            }
        }
        st.stretch
    }
}

/// The state of [`Card::find_whole_or_part`]'s pass.
struct Fused {
    /// Where the last `CARD_MAX` digits read start, by their count modulo
    /// `CARD_MAX`: a match of the card starts `n - 1` digits back, a
    /// stretch (the last digits read) `PART - 1` back.
    starts: [usize; CARD_MAX],
    read: usize,
    /// Digits of the card matched so far (Knuth-Morris-Pratt).
    k: usize,
    /// Digits read since the last letter or mask character, and the last
    /// [`PART`] of them as a number.
    run: usize,
    value: u32,
    /// The first stretch of the card found.
    stretch: Option<Range<usize>>,
}

impl Fused {
    fn end_stretch(&mut self) {
        self.run = 0;
        self.value = 0;
    }
}

/// Whether an ASCII character that is not a digit ends a stretch of the
/// card ([`Card::find_whole_or_part`]): a letter or a mask character stands for
/// hidden digits or ends the number.
fn ends_stretch_ascii(c: u8) -> bool {
    c.is_ascii_alphabetic() || matches!(c, b'*' | b'#')
}

/// [`ends_stretch_ascii`] for a character of any script.
fn ends_stretch(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '*' | '#' | '\u{2022}' | '\u{25CF}' | '\u{2217}')
}

/// Whether `c` stands for a hidden digit in a masked copy of a card:
/// `*`, `x`, `X`, `#`, a bullet (`•`, `●`) or an asterisk operator (`∗`).
/// A dash, a dot and an underscore join a card's groups (as the card scan
/// reads them), never hide a digit.
fn is_mask(c: char) -> bool {
    matches!(
        c,
        '*' | 'x' | 'X' | '#' | '\u{2022}' | '\u{25CF}' | '\u{2217}'
    )
}

/// [`is_mask`] for an ASCII byte.
fn is_mask_byte(c: u8) -> bool {
    matches!(c, b'*' | b'x' | b'X' | b'#')
}

/// Whether `c` may stand between the groups of a masked copy of a card
/// (`4012 88** **** 1881`, `4012-88XX-XXXX-1881`): white space, a dash,
/// a dot or an underscore.
fn is_group_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '_' | '\u{2010}'..='\u{2015}')
}

/// `bytes` in base64 without padding, standard or URL-safe.
fn base64_unpadded(bytes: &[u8], url: bool) -> String {
    const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, &x)| a | u32::from(x) << (16 - 8 * i));
        for k in 0..=chunk.len() {
            let c = STANDARD[(n >> (18 - 6 * k) & 63) as usize];
            out.push(match (url, c) {
                (true, b'+') => '-',
                (true, b'/') => '_',
                _ => char::from(c),
            });
        }
    }
    out
}

/// The value of `c` as a digit, in any script ([`super::pan::digit_value`];
/// an ASCII character is one only when it is `0` to `9`).
pub(crate) fn digit_of(c: char) -> Option<u8> {
    if c.is_ascii() {
        c.is_ascii_digit().then(|| c as u8 - b'0')
    } else {
        super::pan::digit_value(c)
    }
}

/// How many characters of `b` (UTF-8) can be a digit ([`digit_of`]): its
/// ASCII digits and its characters outside ASCII (the bytes that start
/// one, from `0xC0`).
fn possible_digits(b: &[u8]) -> usize {
    b.iter()
        .filter(|&&c| c.is_ascii_digit() || c >= 0xC0)
        .count()
}

/// The runs of `text` where a masked copy of a card of `n` digits may
/// stand ([`Card::find_masked`]), in order: digits and mask characters
/// with nothing but group separators between them, at least `n` of them
/// and one a mask character; each from its first digit or mask character
/// to its last. Most texts have none: no mask character, or one in a
/// short run (`X11`, `x86_64`).
fn masked_runs(text: &str, n: usize) -> Vec<Range<usize>> {
    if !text.is_ascii() {
        return masked_runs_in_chars(text, n);
    }
    // Each run holds a mask byte: the mask bytes are found eight at a
    // time, and the run around each read once.
    let b = text.as_bytes();
    let mut runs = Vec::new();
    let mut read = 0;
    for (w, chunk) in b.chunks(8).enumerate() {
        let x = if chunk.len() == 8 {
            word::word(chunk)
        } else {
            word::partial_word(chunk)
        };
        let mut masks = word::in_range(x, b'#', b'#')
            | word::in_range(x, b'*', b'*')
            | word::in_range(x | 0x2020_2020_2020_2020, b'x', b'x');
        while masks != 0 {
            let at = 8 * w + masks.trailing_zeros() as usize / 8;
            masks &= masks - 1;
            if at >= read {
                read = ascii_run_around(b, at, n, &mut runs);
            }
        }
    }
    runs
}

/// [`masked_runs`] read character by character, in text of any script.
fn masked_runs_in_chars(text: &str, n: usize) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    // The run being read: its bytes, how many digits and mask characters
    // it has, and whether one is a mask character.
    let mut run: Option<(Range<usize>, usize, bool)> = None;
    let mut close = |run: Option<(Range<usize>, usize, bool)>| {
        if let Some((bytes, slots, true)) = run {
            if slots >= n {
                runs.push(bytes);
            }
        }
    };
    for (i, c) in text.char_indices() {
        let digit = digit_of(c).is_some();
        if digit || is_mask(c) {
            let (bytes, slots, masked) = run.get_or_insert((i..i, 0, false));
            bytes.end = i + c.len_utf8();
            *slots += 1;
            *masked |= !digit;
        } else if !is_group_separator(c) {
            close(run.take());
        }
    }
    close(run);
    runs
}

/// The run of [`masked_runs`] around the mask byte at `at` of `b` (ASCII),
/// pushed to `runs` when it is one; where the bytes that can join it end.
fn ascii_run_around(b: &[u8], at: usize, n: usize, runs: &mut Vec<Range<usize>>) -> usize {
    let slot = |c: u8| c.is_ascii_digit() || is_mask_byte(c);
    let joins = |c: u8| slot(c) || is_group_separator(char::from(c));
    let (mut start, mut end, mut slots) = (at, at + 1, 1);
    while start > 0 && joins(b[start - 1]) {
        start -= 1;
        slots += usize::from(slot(b[start]));
    }
    while end < b.len() && joins(b[end]) {
        slots += usize::from(slot(b[end]));
        end += 1;
    }
    let joined = end;
    if slots >= n {
        // From the first digit or mask byte to the last.
        while !slot(b[start]) {
            start += 1;
        }
        while !slot(b[end - 1]) {
            end -= 1;
        }
        runs.push(start..end);
    }
    joined
}

/// Longest card [`Card::find_whole_or_part`] searches without allocating.
const CARD_MAX: usize = 32;

/// The whole-card search for a card longer than [`CARD_MAX`] digits (none
/// is): the digits are listed first.
fn find_card_long(card: &[u8], text: &str) -> Option<Range<usize>> {
    let mut digits: Vec<u8> = Vec::new();
    let mut at: Vec<Range<usize>> = Vec::new();
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

    fn find_card(card: &[u8], text: &str) -> Option<Range<usize>> {
        Card::new(Zeroizing::new(card.to_vec())).find(text)
    }

    impl Card {
        /// The whole-card search alone.
        fn find(&self, text: &str) -> Option<Range<usize>> {
            self.find_whole_or_part(text, true, false)
        }

        /// The stretch search alone.
        fn find_part(&self, text: &str) -> Option<Range<usize>> {
            self.find_whole_or_part(text, false, true)
        }
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
        // Two whole occurrences that overlap are both kept, joined: no
        // part of either is left.
        let t = token("ab1.ab1");
        assert_eq!(find(&t, "ab1.ab1.ab1", false), vec![0..11]);
        assert_eq!(find(&t, "x AB1.ab1.ab1 \u{e9}", false), vec![2..13]);
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
    fn a_token_longer_once_normalized_than_the_text_is_found() {
        // U+FDFA is 3 bytes and decomposes into 18 characters.
        let t = token("\u{FDFA}");
        assert_eq!(find(&t, "\u{FDFA}", false), vec![0..3]);
        assert_eq!(find(&t, "  \u{FDFA} ", false), vec![2..5]);
    }

    /// The stretch search by its definition: the last `part` digits read
    /// since the last letter or mask character, looked up in the card's
    /// stretches.
    fn stretch_by_list(card: &Card, text: &str) -> Option<Range<usize>> {
        let mut run: Vec<(Range<usize>, u8)> = Vec::new();
        for (i, c) in text.char_indices() {
            if let Some(d) = super::super::pan::digit_value(c) {
                run.push((i..i + c.len_utf8(), d));
                if run.len() >= card.part {
                    let last = &run[run.len() - card.part..];
                    let v = last.iter().fold(0u32, |a, (_, d)| a * 10 + u32::from(*d));
                    if card.parts.contains(&v) {
                        return Some(last[0].0.start..i + c.len_utf8());
                    }
                }
            } else if ends_stretch(c) {
                run.clear();
            }
        }
        None
    }

    /// The masked-copy search by its definition: every digit and mask
    /// character of the text listed, each window of the card's length
    /// that starts and ends a group within one run compared.
    fn find_masked_plain(card: &Card, text: &str) -> Option<Range<usize>> {
        let n = card.digits.len();
        let middle = card.shown.0..n.saturating_sub(card.shown.1);
        if middle.is_empty() {
            return None;
        }
        // (bytes, digit, starts a run, starts a group)
        let mut slots: Vec<(Range<usize>, Option<u8>, bool, bool)> = Vec::new();
        let (mut run, mut group) = (true, true);
        for (i, c) in text.char_indices() {
            let digit = super::super::pan::digit_value(c);
            if digit.is_some() || is_mask(c) {
                slots.push((i..i + c.len_utf8(), digit, run, group));
                (run, group) = (false, false);
            } else if is_group_separator(c) {
                group = true;
            } else {
                (run, group) = (true, true);
            }
        }
        for i in 0..slots.len() {
            let j = i + n - 1;
            if !slots[i].3 || j >= slots.len() || slots.get(j + 1).is_some_and(|s| !s.3) {
                continue;
            }
            let window = &slots[i..=j];
            if window[1..].iter().any(|s| s.2) {
                continue;
            }
            let same = window
                .iter()
                .enumerate()
                .all(|(k, s)| s.1.is_none_or(|d| d == card.digits[k]));
            let masked = window.iter().any(|s| s.1.is_none());
            let middle_shown = window
                .iter()
                .enumerate()
                .any(|(k, s)| s.1.is_some() && middle.contains(&k));
            if same && masked && middle_shown {
                return Some(window[0].0.start..window[n - 1].0.end);
            }
        }
        None
    }

    /// [`Card::find_hidden`] by its definition, reading every digit in
    /// order: the first place where the last `part` digits read (across
    /// separators, not across a letter or mask character) are a stretch of
    /// the card holding a digit minFraud does not receive, or where a run of
    /// digits that is exactly those digits (5 or more) ends.
    fn find_hidden_plain(card: &Card, text: &str) -> Option<Range<usize>> {
        let n = card.digits.len();
        let middle = card.shown.0..n.saturating_sub(card.shown.1);
        if middle.is_empty() {
            return None;
        }
        let hidden = &card.digits[middle.clone()];
        let part = card.part;
        let windows: Vec<&[u8]> = (0..=n.saturating_sub(part))
            .filter(|&s| s + part > middle.start && s < middle.end)
            .map(|s| &card.digits[s..s + part])
            .collect();
        // The digits of the stretch and of the run being read, with their
        // byte ranges.
        let mut stretch: Vec<(u8, Range<usize>)> = Vec::new();
        let mut run: Vec<(u8, Range<usize>)> = Vec::new();
        let is_middle = |run: &[(u8, Range<usize>)]| {
            hidden.len() >= 5 && run.iter().map(|r| r.0).eq(hidden.iter().copied())
        };
        for (i, c) in text.char_indices() {
            let Some(d) = digit_of(c) else {
                if is_middle(&run) {
                    return Some(run[0].1.start..i);
                }
                run.clear();
                if ends_stretch(c) {
                    stretch.clear();
                }
                continue;
            };
            run.push((d, i..i + c.len_utf8()));
            stretch.push((d, i..i + c.len_utf8()));
            if let Some(last) = stretch.len().checked_sub(part).map(|k| &stretch[k..]) {
                let digits = || last.iter().map(|x| x.0);
                if windows.iter().any(|w| digits().eq(w.iter().copied())) {
                    return Some(last[0].1.start..last[part - 1].1.end);
                }
            }
        }
        is_middle(&run).then(|| run[0].1.start..text.len())
    }

    /// The hidden digits of a card under `iin = 6` (the 7th to the 12th of
    /// 16) are found as a stretch of 8 digits holding one of them, or as a
    /// run that is exactly them; where both end with the same digit, the
    /// stretch is the answer.
    #[test]
    fn hidden_digits_as_a_stretch_or_as_the_run_of_the_middle() {
        let digits: Vec<u8> = ["4012", "8888", "8888", "1881"]
            .concat()
            .bytes()
            .map(|b| b - b'0')
            .collect();
        let card = Card::new(Zeroizing::new(digits)).sent_as("", (6, 4));
        let middle = "8".repeat(6);
        assert_eq!(card.find_hidden(&format!("id {middle}.")), Some(3..9));
        assert_eq!(card.find_hidden(&format!("12 {middle}")), Some(0..9));
        assert_eq!(card.find_hidden("x4012 8888 y"), Some(1..10));
        assert_eq!(card.find_hidden("x4012 88 y"), None);
        assert_eq!(card.find_hidden(&format!("{middle}8")), None);
    }

    /// [`Card::find_any`] by the definitions of its searches, without any
    /// pre-check.
    fn find_any_plain(card: &Card, text: &str) -> Option<Range<usize>> {
        find_card_long(&card.digits, text)
            .or_else(|| stretch_by_list(card, text))
            .or_else(|| find_masked_plain(card, text))
            .or_else(|| card.find_digest(text))
            .or_else(|| revealing_plain(card, text))
    }

    /// The revealing-run search by its definition: every run of digits of
    /// the text (characters that show nothing left out) listed, and each
    /// compared with every stretch of the card of its length.
    fn revealing_plain(card: &Card, text: &str) -> Option<Range<usize>> {
        let mut runs: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
        let mut open = false;
        for (i, c) in text.char_indices() {
            if let Some(d) = digit_of(c) {
                match runs.last_mut() {
                    Some((r, v)) if open => {
                        r.end = i + c.len_utf8();
                        v.push(d);
                    }
                    _ => runs.push((i..i + c.len_utf8(), vec![d])),
                }
                open = true;
            } else if !shows_nothing(c) {
                open = false;
            }
        }
        let n = card.digits.len();
        runs.into_iter()
            .find(|(_, run)| {
                let len = run.len();
                let at: Vec<usize> = (0..=n.saturating_sub(len))
                    .filter(|&s| len <= n && card.digits[s..s + len] == run[..])
                    .collect();
                let known = at
                    .iter()
                    .any(|&s| s + len <= card.shown.0 || s >= n - card.shown.1);
                !known && at.iter().any(|&s| card.reveals(s, len))
            })
            .map(|(r, _)| r)
    }

    /// A masked copy of `digits`: the digits at `hidden` written as `mask`,
    /// the others in the script whose zero is `zero`, in groups of
    /// `group` parted by `sep`.
    fn masked_copy(
        digits: &[u8],
        hidden: &[bool],
        mask: char,
        zero: char,
        group: usize,
        sep: &str,
    ) -> String {
        let mut out = String::new();
        for (i, &d) in digits.iter().enumerate() {
            if i > 0 && i % group == 0 {
                out.push_str(sep);
            }
            if hidden.get(i).copied().unwrap_or(false) {
                out.push(mask);
            } else {
                out.push(char::from_u32(zero as u32 + u32::from(d)).unwrap_or('0'));
            }
        }
        out
    }

    /// Text for the card searches' property tests: digits (ASCII and two
    /// other scripts) among separators, letters, mask characters and long
    /// gaps without digits, with and without letters in them.
    fn digits_and_gaps() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        proptest::collection::vec(
            proptest::prop_oneof![
                12 => proptest::char::range('0', '2'),
                1 => proptest::sample::select(vec!['\u{660}', '\u{661}', '\u{662}', '\u{FF11}']),
                4 => proptest::sample::select(vec![' ', '-', 'a', 'Z', '/', '.', '*', '#']),
                1 => proptest::sample::select(vec!['\u{2022}', '\u{E9}', '\u{3161}', '\u{A0}']),
                1 => proptest::sample::select(vec!['\u{10}', '\u{11}']),
            ],
            0..120,
        )
        .prop_map(|text| {
            text.into_iter()
                .map(|c| match c {
                    '\u{10}' => "  ..  ..  /  ".to_owned(),
                    '\u{11}' => " (see note) ".to_owned(),
                    c => c.to_string(),
                })
                .collect()
        })
    }

    proptest::proptest! {
        /// The ASCII path normalizes as the general one does.
        #[test]
        fn ascii_normalizes_as_the_general_path(s in "[ -~\t\n\x0b\x0c\r]{0,24}") {
            let general: Vec<char> = normalize(&s).into_iter().map(|(c, _)| c).collect();
            proptest::prop_assert_eq!(normalized_chars(&s), general);
        }

        /// An ASCII token made from its bytes is the token the general
        /// path makes.
        #[test]
        fn ascii_tokens_are_the_general_tokens(s in "[ -~\t]{0,20}") {
            let general = normalized_chars(s.trim());
            match Token::new(&s, true) {
                None => proptest::prop_assert!(general.is_empty()),
                Some(t) => {
                    proptest::prop_assert_eq!(t.chars(), &general[..]);
                    proptest::prop_assert_eq!(t.len, general.len());
                    proptest::prop_assert_eq!(t.digits, general.iter().filter(|c| c.is_ascii_digit()).count());
                    proptest::prop_assert_eq!(t.at, general.contains(&'@'));
                    proptest::prop_assert_eq!(t.letters, general.iter().filter(|c| c.is_ascii_alphabetic()).count());
                    proptest::prop_assert_eq!(t.ascii.is_some(), !general.contains(&' '));
                }
            }
        }

        /// The ASCII path decides eligibility as the general one does.
        #[test]
        fn ascii_eligibility_as_the_general_path(s in "[ a-zA-Z0-9._\t\x0b]{0,14}") {
            let chars: Vec<char> = normalize(s.trim()).into_iter().map(|(c, _)| c).collect();
            let letters_only = chars.iter().all(|c| c.is_alphabetic());
            let want = chars.len() >= if letters_only { USERNAME_MIN_LETTERS_IN_TEXT } else { USERNAME_MIN_IN_TEXT };
            proptest::prop_assert_eq!(in_text_eligible(&s), want);
        }

        /// The pre-check never rules out a text that holds the token.
        #[test]
        fn the_pre_check_rules_out_only_texts_without_the_token(
            name in "[a-zA-Z0-9.@_ ]{1,10}",
            before in "[a-zA-Z0-9.@_ ,\t]{0,12}",
            after in "[a-zA-Z0-9.@_ ,\t]{0,12}",
            noise in "[a-z0-9@ ]{0,30}",
        ) {
            let Some(t) = Token::new(&name, true) else { return Ok(()) };
            for text in [format!("{before}{name}{after}"), format!("{before}{}{after}", name.to_uppercase()), noise] {
                let seen = Seen::of(text.as_bytes());
                for before_at in [false, true] {
                    if !find(&t, &text, before_at).is_empty() {
                        proptest::prop_assert!(t.may_occur(&text, &seen));
                    }
                }
            }
        }

        /// The pre-check on text outside ASCII never rules out a text that
        /// holds the token once normalized: the token written in part in
        /// fullwidth or accented letters, among characters that become
        /// several (`Ⅷ`, `⑵`, U+FDFA) or an `@`.
        #[test]
        fn the_pre_check_outside_ascii_rules_out_only_texts_without_the_token(
            name in "[a-z0-9.@_]{1,10}",
            wide in proptest::collection::vec(proptest::bool::ANY, 10),
            before in proptest::collection::vec(proptest::sample::select(vec![
                "a", "1", " ", "é", "ü", "\u{2460}", "\u{B2}", "\u{FF20}", "\u{FF58}",
                "\u{2167}", "\u{2475}", "\u{FDFA}", "\u{3371}", "\u{301}",
            ]), 0..6),
            after in proptest::collection::vec(proptest::sample::select(vec![
                "b", "2", " ", "@", "ö", "\u{FF11}", "\u{2152}", "\u{200B}",
            ]), 0..6),
        ) {
            let Some(t) = Token::new(&name, true) else { return Ok(()) };
            // Some of the name's characters fullwidth (U+FF01 to U+FF5E).
            let written: String = name
                .chars()
                .zip(wide.iter().cycle())
                .map(|(c, &wide)| if wide { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c })
                .collect();
            let before: String = before.concat();
            let after: String = after.concat();
            for text in [format!("{before}{written}{after}"), format!("{before} {written} {after}"), format!("{before}{after}é")] {
                for before_at in [false, true] {
                    let found = merged(find_normalized(&t, &text, before_at));
                    proptest::prop_assert_eq!(find(&t, &text, before_at), found.clone());
                    if !text.is_ascii() && !found.is_empty() {
                        proptest::prop_assert!(may_hold_normalized(&t, text.as_bytes()));
                    }
                }
            }
        }

        /// The one-pass card search finds what reading every digit out
        /// first finds, at the same place.
        #[test]
        fn the_card_search_matches_the_digit_list_search(
            card in proptest::collection::vec(0u8..3, 1..20),
            text in proptest::collection::vec(proptest::prop_oneof![
                8 => proptest::char::range('0', '2'),
                2 => proptest::sample::select(vec![' ', '-', 'a', '\u{661}', '\u{FF12}', '\u{2460}', 'é']),
            ], 0..60),
        ) {
            let text: String = text.into_iter().collect();
            proptest::prop_assert_eq!(find_card(&card, &text), find_card_long(&card, &text));
            let seen = Seen::of(text.as_bytes());
            if find_card(&card, &text).is_some() {
                let card = Card::new(Zeroizing::new(card));
                proptest::prop_assert!(card.digits_may_hold(&text, &seen).0);
            }
        }

        /// The same on ASCII text, where runs of eight bytes without a
        /// digit are passed over.
        #[test]
        fn the_ascii_card_search_matches_the_digit_list_search(
            card in proptest::collection::vec(0u8..3, 1..20),
            text in proptest::collection::vec(proptest::prop_oneof![
                6 => proptest::char::range('0', '2'),
                4 => proptest::sample::select(vec![' ', '-', 'a', 'Z', '/', '.']),
            ], 0..80),
        ) {
            let text: String = text.into_iter().collect();
            proptest::prop_assert_eq!(find_card(&card, &text), find_card_long(&card, &text));
        }

        /// One pass for the whole card and its stretches answers as the
        /// whole-card search followed by the stretch search, in ASCII text
        /// and in text of other scripts, with letters and mask characters
        /// between the digits.
        #[test]
        fn the_fused_card_search_matches_the_two_searches(
            card in proptest::collection::vec(0u8..3, 12..20),
            text in digits_and_gaps(),
            whole in proptest::bool::ANY,
            part in proptest::bool::ANY,
        ) {
            let card = Card::new(Zeroizing::new(card));
            let two = whole
                .then(|| find_card_long(&card.digits, &text))
                .flatten()
                .or_else(|| part.then(|| stretch_by_list(&card, &text)).flatten());
            proptest::prop_assert_eq!(card.find_whole_or_part(&text, whole, part), two);
        }

        /// The stretch search answers as a plain search over the list of
        /// the digits read since the last letter or mask character.
        #[test]
        fn the_stretch_search_matches_a_digit_list_search(
            card in proptest::collection::vec(0u8..3, 12..20),
            text in digits_and_gaps(),
        ) {
            let card = Card::new(Zeroizing::new(card));
            proptest::prop_assert_eq!(card.find_part(&text), stretch_by_list(&card, &text));
        }

        /// The digit-count pre-check rules out only texts where neither
        /// the card nor a stretch of it stands: the search answers as it
        /// does without it, on texts around stretches of the card of about
        /// a stretch's length.
        #[test]
        fn the_digit_count_pre_check_rules_out_only_texts_without_the_card(
            card in proptest::collection::vec(0u8..4, 12..20),
            start in 0usize..20,
            len in 5usize..20,
            before in digits_and_gaps(),
            after in digits_and_gaps(),
            gap in proptest::sample::select(vec!["", " ", "-", ". "]),
            zero in proptest::sample::select(vec!['0', '0', '\u{660}', '\u{FF10}']),
            other in proptest::sample::select(vec![None, Some('\u{6F0}')]),
        ) {
            let digits = card.clone();
            let card = Card::new(Zeroizing::new(card));
            let start = start.min(digits.len() - 1);
            let end = (start + len).min(digits.len());
            // The stretch's digits in one script, or every other one in a
            // second (the count of characters that can be digits bounds
            // the digits of any script).
            let stretch: Vec<String> = digits[start..end]
                .iter()
                .enumerate()
                .map(|(i, &d)| {
                    let zero = other.filter(|_| i % 2 == 1).unwrap_or(zero);
                    char::from_u32(zero as u32 + u32::from(d)).unwrap_or('0').to_string()
                })
                .collect();
            let stretch = stretch.join(gap);
            for text in [format!("{before}{stretch}{after}"), stretch.clone(), before.clone()] {
                let seen = Seen::of(text.as_bytes());
                proptest::prop_assert_eq!(card.find_any(&text, &seen), find_any_plain(&card, &text));
            }
        }

        /// The hidden-digit search's pre-check rules out only texts where
        /// the search finds nothing: on texts around stretches of the card
        /// of about a stretch's length (and around its hidden middle
        /// alone), in any script, under each truncation.
        #[test]
        fn the_hidden_digit_pre_check_rules_out_only_texts_without_them(
            card in proptest::collection::vec(0u8..4, 12..20),
            start in 0usize..20,
            len in 3usize..12,
            before in digits_and_gaps(),
            after in digits_and_gaps(),
            gap in proptest::sample::select(vec!["", " ", "-", "a"]),
            zero in proptest::sample::select(vec!['0', '0', '\u{660}', '\u{FF10}']),
            shown in proptest::sample::select(vec![(6usize, 4usize), (8, 4), (6, 2)]),
        ) {
            let digits = card.clone();
            let card = Card::new(Zeroizing::new(card)).sent_as("", shown);
            let n = digits.len();
            let middle = shown.0..n.saturating_sub(shown.1);
            let start = start.min(n - 1);
            let end = (start + len).min(n);
            let write = |ds: &[u8], gap: &str| {
                ds.iter()
                    .map(|&d| char::from_u32(zero as u32 + u32::from(d)).unwrap_or('0').to_string())
                    .collect::<Vec<_>>()
                    .join(gap)
            };
            let stretch = write(&digits[start..end], gap);
            let hidden = write(&digits[middle.clone()], "");
            for text in [
                format!("{before}{stretch}{after}"),
                stretch.clone(),
                hidden.clone(),
                format!("{before}{hidden}{after}"),
                before.clone(),
            ] {
                // A truncation that shows every digit hides none.
                let searched = (!middle.is_empty())
                    .then(|| card.find_hidden_in(&text, middle.clone()))
                    .flatten();
                proptest::prop_assert_eq!(card.find_hidden(&text), searched);
            }
        }

        /// A text where nothing starts another reading as text and
        /// without a base64 or hex run has no other reading: the username
        /// is looked for in the readings only of the others.
        #[test]
        fn a_text_without_a_reading_start_has_no_reading(
            text in proptest::collection::vec(proptest::prop_oneof![
                8 => proptest::char::range(' ', '~'),
                1 => proptest::sample::select(vec!['\u{E9}', '\u{E0034}', '\u{202E}', '\u{3161}', '\u{FF10}']),
            ], 0..40),
        ) {
            let text: String = text.into_iter().collect();
            if !decode::may_have_views(&text) && !decode::has_binary_candidate(text.as_bytes()) {
                proptest::prop_assert!(decode::views_of(&text, &decode::items(&text)).is_empty());
            }
        }

        /// The masked-copy search, which reads digit by digit only the
        /// runs that can hold a copy, answers as its definition does over
        /// every digit and mask character: on masked copies of the card in
        /// any script, grouped or not, whole, cut short or glued to other
        /// text; its pre-check holds wherever a copy is found, and the
        /// whole card search answers as all its searches without a
        /// pre-check.
        #[test]
        fn the_masked_search_matches_its_definition(
            card in proptest::collection::vec(0u8..10, 12..20),
            hidden in proptest::collection::vec(proptest::bool::ANY, 20),
            mask in proptest::sample::select(vec!['*', 'x', 'X', '#', '\u{2022}']),
            zero in proptest::sample::select(vec!['0', '\u{660}']),
            group in proptest::sample::select(vec![4usize, 5, 6, 20]),
            sep in proptest::sample::select(vec!["", " ", "-", ". ", "\u{2013}", "\u{A0}"]),
            shown in proptest::sample::select(vec![(6usize, 4usize), (8, 4), (6, 2)]),
            before in digits_and_gaps(),
            after in digits_and_gaps(),
            layout in 0usize..3,
        ) {
            let copy = masked_copy(&card, &hidden, mask, zero, group, sep);
            let text = match layout {
                0 => format!("{before} {copy} {after}"),
                1 => format!("{before} {} {after}", copy.chars().skip(1).collect::<String>()),
                _ => format!("{before}{copy}{after}"),
            };
            let card = Card::new(Zeroizing::new(card)).sent_as("", shown);
            let found = card.find_masked(&text);
            proptest::prop_assert_eq!(&found, &find_masked_plain(&card, &text));
            let seen = Seen::of(text.as_bytes());
            if found.is_some() {
                proptest::prop_assert!(card.may_be_masked(&text, &seen));
            }
            proptest::prop_assert_eq!(card.find_any(&text, &seen), find_any_plain(&card, &text));
        }

        /// The search for the digits minFraud does not receive answers as
        /// its definition does: on stretches of the card in any script,
        /// grouped or not, cut anywhere, beside other digits and text.
        #[test]
        fn the_hidden_digits_search_matches_its_definition(
            card in proptest::collection::vec(0u8..10, 12..20),
            from in 0usize..20,
            len in 0usize..20,
            zero in proptest::sample::select(vec!['0', '\u{660}', '\u{FF10}']),
            sep in proptest::sample::select(vec!["", " ", "-", "a", "*", "\u{A0}"]),
            glue in proptest::sample::select(vec!["", " ", "x", "-"]),
            shown in proptest::sample::select(vec![(6usize, 4usize), (8, 4), (6, 2)]),
            before in digits_and_gaps(),
            after in digits_and_gaps(),
        ) {
            let from = from.min(card.len());
            let end = (from + len).min(card.len());
            let mut piece = String::new();
            for (k, &d) in card[from..end].iter().enumerate() {
                if k > 0 && k % 4 == 0 {
                    piece.push_str(sep);
                }
                piece.extend(char::from_u32(zero as u32 + u32::from(d)));
            }
            let text = format!("{before}{glue}{piece}{glue}{after}");
            let card = Card::new(Zeroizing::new(card)).sent_as("", shown);
            proptest::prop_assert_eq!(card.find_hidden(&text), find_hidden_plain(&card, &text));
        }

        /// The runs around mask bytes are the runs read character by
        /// character, in ASCII text.
        #[test]
        fn ascii_masked_runs_are_the_runs_read_by_character(
            text in "[0-9xX*#a ._/-]{0,60}",
            n in 1usize..20,
        ) {
            proptest::prop_assert_eq!(masked_runs(&text, n), masked_runs_in_chars(&text, n));
        }

        /// The word-wise pass counts what a byte loop counts.
        #[test]
        fn seen_matches_a_byte_loop(b in proptest::collection::vec(proptest::prop_oneof![
            8 => 0x20u8..0x7f, 1 => proptest::num::u8::ANY,
        ], 0..40)) {
            let seen = Seen::of(&b);
            proptest::prop_assert_eq!(seen.ascii, b.is_ascii());
            if seen.ascii {
                proptest::prop_assert_eq!(seen.digit_count(), b.iter().filter(|c| c.is_ascii_digit()).count());
                proptest::prop_assert_eq!(seen.at, b.contains(&b'@'));
                proptest::prop_assert_eq!(seen.letter_count(), b.iter().filter(|c| c.is_ascii_alphabetic()).count());
                proptest::prop_assert_eq!(seen.token, super::super::word::base64_run(&b, super::super::word::TOKEN));
            }
        }
    }

    /// A text holding exactly a stretch's digits, each as many times as
    /// the stretch has it, is searched and the stretch found; one digit
    /// fewer and it is ruled out.
    #[test]
    fn a_stretch_with_just_its_digits_is_found() {
        // A 16-digit card built at run time; its middle is digits 8 to 11.
        let digits: Vec<u8> = (0..16u8).map(|i| (i * 7 + 3) % 10).collect();
        let card = Card::new(Zeroizing::new(digits.clone()));
        let written = |ds: &[u8]| -> String { ds.iter().map(|d| format!("{d} ")).collect() };
        let exact = format!("ref {}end", written(&digits[4..12]));
        let seen = Seen::of(exact.as_bytes());
        assert_eq!(card.digits_may_hold(&exact, &seen), (false, true));
        assert!(card.find_any(&exact, &seen).is_some());
        let short = format!("ref {}end", written(&digits[4..11]));
        let seen = Seen::of(short.as_bytes());
        assert_eq!(card.digits_may_hold(&short, &seen), (false, false));
        assert!(card.find_any(&short, &seen).is_none());
        // The whole card: its digit counts cover every stretch's.
        let whole = written(&digits);
        assert!(card.find_any(&whole, &Seen::of(whole.as_bytes())).is_some());
        // A card whose stretches all ask for eight of one digit: that
        // digit is counted first, and eight of it in a row is a stretch.
        let mut repeated = vec![4u8];
        repeated.extend(std::iter::repeat_n(1u8, 15));
        let card = Card::new(Zeroizing::new(repeated));
        assert_eq!(card.least, Some((b'1', 8)));
        for (ones, found) in [(8, true), (7, false)] {
            let text = format!("no. {} 2", written(&vec![1u8; ones]));
            let seen = Seen::of(text.as_bytes());
            assert_eq!(card.digits_may_hold(&text, &seen).1, found, "{ones}");
            assert_eq!(card.find_any(&text, &seen).is_some(), found, "{ones}");
        }
    }

    /// A masked copy of the card is found when it shows a digit after the
    /// first `iin` and before the last 4, in groups or not, in any script;
    /// not when it shows only those, nor when a shown digit differs, nor
    /// when it is not as long as the card.
    #[test]
    fn a_masked_copy_showing_a_middle_digit_is_found() {
        let digits: Vec<u8> = (0..16u8).map(|i| (i * 7 + 3) % 10).collect();
        let shown = |from: usize, to: usize, mark: char, sep: &str, zero: char| -> String {
            let mut out = String::new();
            for (i, &d) in digits.iter().enumerate() {
                if i > 0 && i % 4 == 0 {
                    out.push_str(sep);
                }
                if (from..to).contains(&i) {
                    out.push(mark);
                } else {
                    out.push(char::from_u32(zero as u32 + u32::from(d)).unwrap());
                }
            }
            out
        };
        for iin in [6, 8] {
            let card = Card::new(Zeroizing::new(digits.clone())).sent_as("", (iin, 4));
            for (mark, sep, zero) in [
                ('*', "", '0'),
                ('X', " ", '0'),
                ('\u{2022}', "-", '\u{0660}'),
            ] {
                for (from, to, found) in [
                    // Hiding the first 6 and the last 4: the middle shows.
                    (0, 6, true),
                    (12, 16, true),
                    (6, 12, false),
                    (9, 12, true),
                    (iin, 12, false),
                    (0, 12, false),
                ] {
                    let text = format!("card {} on file", shown(from, to, mark, sep, zero));
                    let seen = Seen::of(text.as_bytes());
                    assert_eq!(
                        card.find_any(&text, &seen).is_some(),
                        found,
                        "{iin} {from}..{to}"
                    );
                }
            }
            // 6..8 shown only under a 6-digit IIN.
            let text = shown(8, 12, '*', "", '0');
            let seen = Seen::of(text.as_bytes());
            assert_eq!(card.find_any(&text, &seen).is_some(), iin == 6);
        }
        let card = Card::new(Zeroizing::new(digits.clone()));
        // A shown digit that is not the card's, or one mask too many.
        let mut other = shown(0, 6, '*', "", '0').into_bytes();
        other[7] = if other[7] == b'9' { b'0' } else { other[7] + 1 };
        let other = String::from_utf8(other).unwrap();
        assert!(card.find_masked(&other).is_none());
        let longer = format!("*{}", shown(0, 6, '*', "", '0'));
        assert!(card.find_masked(&longer).is_none());
        // Beside other numbers and masks, in a run of groups.
        let beside = format!("2024-05-01 ** {} 17", shown(0, 6, '*', " ", '0'));
        assert!(card.find_masked(&beside).is_some());
    }

    /// Every character that is a digit in any script is one that
    /// [`possible_digits`] counts, and no ASCII character but `0` to `9`
    /// is a digit: the bound on a text's digits holds for every character.
    #[test]
    fn possible_digits_counts_every_digit_of_any_script() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let digit = super::super::pan::digit_value(c);
            assert_eq!(digit_of(c), digit, "U+{:04X}", c as u32);
            if digit.is_some() {
                let b = c.encode_utf8(&mut buf).as_bytes();
                assert_eq!(possible_digits(b), 1, "U+{:04X}", c as u32);
            }
        }
    }

    /// No character outside ASCII becomes more ASCII digits or letters
    /// once normalized than [`ascii_from_lead`] says for its first byte,
    /// and only characters starting with `0xEF` become an `@`: the bound
    /// [`may_hold_normalized`] puts on a text holds for every character.
    #[test]
    fn ascii_from_lead_bounds_every_character() {
        let mut buf = [0u8; 4];
        for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
            let out: Vec<char> = normalize(c.encode_utf8(&mut buf))
                .into_iter()
                .map(|(c, _)| c)
                .collect();
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            let (digits, letters) = ascii_from_lead(lead);
            let at = format!("U+{:04X}", c as u32);
            assert!(
                out.iter().filter(|c| c.is_ascii_digit()).count() <= digits,
                "{at}"
            );
            assert!(
                out.iter().filter(|c| c.is_ascii_alphabetic()).count() <= letters,
                "{at}"
            );
            assert!(!out.contains(&'@') || lead == 0xEF, "{at}");
        }
    }

    /// A username or an address written with characters outside ASCII is
    /// found as the normalized token; a name of a place without a digit or
    /// an `@` is not read.
    #[test]
    fn texts_outside_ascii_are_ruled_out_by_their_digits_and_at_signs() {
        let t = token("jose.2024");
        for (text, holds) in [
            ("Zürich", false),
            ("José 2024", true),
            ("ｊｏｓｅ.２０２４", true),
            ("jose.\u{2460}\u{2461}\u{2462}\u{2463}", true),
            ("São Paulo 2024", true),
            ("São Paulo 202", false),
        ] {
            assert_eq!(may_hold_normalized(&t, text.as_bytes()), holds, "{text}");
        }
        assert_eq!(find(&t, "ｊｏｓｅ.２０２４", false).len(), 1);
        assert_eq!(
            find(&t, "id jose.\u{2461}\u{2460}\u{2462}\u{2463}", false).len(),
            0
        );
        let email = token("Jose@Example.com");
        assert!(!may_hold_normalized(&email, "José Example.com".as_bytes()));
        assert!(may_hold_normalized(
            &email,
            "jose＠example.com é".as_bytes()
        ));
        assert_eq!(find(&email, "to: jose＠ｅxample.com", true).len(), 1);
    }

    /// A username is looked for in an ASCII text with just as many letters
    /// as it has, and not in one with fewer.
    #[test]
    fn a_text_with_just_the_usernames_letters_is_searched() {
        let t = token("Jo.Doe_2024");
        assert_eq!(t.letters, 5);
        assert_eq!(find(&t, "id jo.doe_2024", false), vec![3..14]);
        assert_eq!(find(&t, "jo.doe_2024", false), vec![0..11]);
        assert!(find(&t, "1 j.doe_2024", false).is_empty());
        let views = |s: &str| {
            vec![s
                .chars()
                .enumerate()
                .map(|(i, c)| (c, i..i + 1))
                .collect::<Vec<_>>()]
        };
        assert_eq!(find_in_views(&t, &views("jo.doe_2024"), false), vec![0..11]);
        assert!(find_in_views(&t, &views("j0.doe_2024"), false).is_empty());
        for (text, holds) in [("jo.doe_2024", true), ("1 j.doe_2024", false)] {
            assert_eq!(
                t.may_occur(text, &Seen::of(text.as_bytes())),
                holds,
                "{text}"
            );
        }
        // Letters outside ASCII are read through the general path.
        assert_eq!(find(&t, "ｊｏ.doe_2024", false).len(), 1);
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

    /// A username found in the other case as the platforms write it:
    /// `ß` upper-cased to `SS` (and back), a Greek name whose final `ς`
    /// lower-cases from `Σ`, Turkish dotless `ı` and dotted `İ`.
    #[test]
    fn a_username_in_the_other_case_is_found_under_full_case_folding() {
        for (name, copy) in [
            ("paulweiß5314", "PAULWEISS5314"),
            ("paulweiß5314", "paulweiss5314"),
            ("WEISS.MANN88", "weiß.mann88"),
            ("ΓΙΩΡΓΟΣ7296", "γιωργος7296"),
            ("παναγιωτης7558", "ΠΑΝΑΓΙΩΤΗΣ7558"),
            ("yılmaz.can42", "YILMAZ.CAN42"),
            ("İsmail_ece7", "ismail_ece7"),
            ("İsmail_ece7", "İSMAİL_ECE7"),
        ] {
            let t = token(name);
            let text = format!("login {copy} ok");
            assert_eq!(find(&t, &text, false).len(), 1, "{name} / {copy}");
        }
        // Other letters stay apart.
        assert!(find(&token("paulweiß5314"), "paulweis5314", false).is_empty());
        assert!(find(&token("yılmaz.can42"), "yalmaz.can42", false).is_empty());
    }
}
