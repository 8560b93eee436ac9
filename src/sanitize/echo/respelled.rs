//! The username respelled: its letters and digits in the same order with
//! the separators between them changed.
//!
//! Apps build ids and handles from a login in more ways than one
//! separator swapped for another: `maria.del.rio` becomes `maria_del-rio`
//! (mixed), `mariadel.rio` (partly dropped), `maria del rio`,
//! `maria+del+rio`, `maria·del·rio` (other separators), `maria__del__rio`
//! (doubled), `gonzalez.maria` (the parts reversed), and a login without
//! separators gets some (`mariagonzalez` as `maria.gonzalez`). What stays
//! is the username's *skeleton*: its letters and digits, normalized as the
//! echo search normalizes text (case folded, NFKD, marks left out).
//!
//! A respelling is the skeleton's characters in order, with
//! - any run of joining characters between them ([`Class::Joiner`]: `.`,
//!   `_`, `-` and the other dashes, `+`, `~`, `/`, `:`, `,`, `'`, middle
//!   dots, the ideographic full stop `。`), anywhere;
//! - white space only where one of the username's own parts ends (`maria
//!   del rio`, not `mar ia`: words of a sentence are not a login spelled
//!   out);
//! - for a username of two or three parts, the parts in any order.
//!
//! It is bounded as a token is: not touching a letter or digit, except that
//! a letter may touch a digit (`mariagonzalez2024`, `user2024_maria.gonzalez`:
//! ids glue numbers to names, never letters to letters), and a digit more
//! digits when the skeleton has eight letters or more (`lucasjohnson42` in
//! `lucasjohnson4269116`; `sales13` is no part of `sales130`); and not an
//! address's local part unless the search asks for those. Inside longer
//! text it is looked for only when the username is, and when the skeleton
//! is itself distinctive: six characters with a digit, or twelve letters
//! ([`SPELLING_MIN_LETTERS_IN_TEXT`]: `basket.ball`'s `basketball` is an
//! ordinary word); otherwise it must be the whole value, around which only
//! joiners, white space and digits may stand.
//!
//! The search is one Knuth-Morris-Pratt pass per order of the parts over
//! the text's characters, linear in the text.

use super::{domain_after, failure, is_mark, normalize, Item, SPELLING_MIN_LETTERS_IN_TEXT};
use std::ops::Range;
use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};

/// The fewest skeleton characters a respelling needs: shorter logins are
/// matched only as the username itself.
const MIN_SKELETON: usize = 3;

/// The username's skeleton in each order its parts are looked for in.
pub(super) struct Respelled {
    orders: Vec<Order>,
    /// Looked for inside longer text, not only as the whole value.
    in_text: bool,
    /// How many characters, ASCII letters and ASCII digits the skeleton
    /// holds: an ASCII text with fewer cannot hold a respelling.
    pub(super) len: usize,
    pub(super) letters: usize,
    pub(super) digits: usize,
}

/// One order of the parts: the skeleton's characters, and where a part
/// ends (`ends[k]`: after the first `k` characters).
struct Order {
    chars: Vec<char>,
    ends: Vec<bool>,
    fail: Vec<usize>,
    /// Found glued to more digits ([`MIN_LETTERS_GLUED_TO_DIGITS`]).
    digits_glue: bool,
}

/// What a character of the text is to a respelling.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A letter or digit: part of the skeleton.
    Alnum,
    /// A separator apps join a login's parts with: skipped anywhere.
    Joiner,
    /// White space: skipped only where a part ends.
    Space,
    /// Anything else: a respelling does not run across it.
    Break,
}

/// [`class`] of each ASCII character, made once.
const ASCII_CLASS: [Class; 128] = {
    let mut table = [Class::Break; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() {
            Class::Alnum
        } else if matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            Class::Space
        } else if matches!(
            c,
            b'.' | b'_' | b'-' | b'+' | b'~' | b'/' | b':' | b',' | b'\''
        ) {
            Class::Joiner
        } else {
            Class::Break
        };
        b += 1;
    }
    table
};

fn class(c: char) -> Class {
    if c.is_ascii() {
        return ASCII_CLASS[c as usize];
    }
    if c.is_alphanumeric() {
        return Class::Alnum;
    }
    if c.is_whitespace() {
        return Class::Space;
    }
    let joiner = matches!(
        c,
        '.' | '_'
            | '-'
            | '+'
            | '~'
            | '/'
            | ':'
            | ','
            | '\''
            | '\u{b7}'
            | '\u{2019}'
            | '\u{2022}'
            | '\u{2027}'
            | '\u{3002}'
            | '\u{30fb}'
            | '\u{ff61}'
            | '\u{ff65}'
    ) || c.general_category() == G::DashPunctuation;
    if joiner {
        Class::Joiner
    } else {
        Class::Break
    }
}

/// The characters of a text as the search reads them: lowercased ASCII
/// bytes, or the normalized characters without their marks.
trait Text {
    fn len(&self) -> usize;
    fn at(&self, i: usize) -> char;
    fn span(&self, i: usize) -> Range<usize>;
    /// The first index from `from` where `c` (lowercased) stands, or the
    /// text's length.
    fn next(&self, from: usize, c: char) -> usize {
        (from..self.len())
            .find(|&i| self.at(i) == c)
            .unwrap_or(self.len())
    }
}

struct Ascii<'a>(&'a [u8]);

impl Text for Ascii<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn at(&self, i: usize) -> char {
        char::from(self.0[i].to_ascii_lowercase())
    }
    fn span(&self, i: usize) -> Range<usize> {
        i..i + 1
    }
    fn next(&self, from: usize, c: char) -> usize {
        let Ok(b) = u8::try_from(c) else {
            return self.0.len();
        };
        let rest = self.0.get(from..).unwrap_or_default();
        memchr::memchr2(b, b.to_ascii_uppercase(), rest).map_or(self.0.len(), |at| from + at)
    }
}

impl Text for [Item] {
    fn len(&self) -> usize {
        <[Item]>::len(self)
    }
    fn at(&self, i: usize) -> char {
        self[i].0
    }
    fn span(&self, i: usize) -> Range<usize> {
        self[i].1.clone()
    }
}

impl Respelled {
    /// The respellings of `username`; `eligible` says whether the username
    /// itself is looked for inside longer text. None for a skeleton too
    /// short to tell.
    pub(super) fn new(username: &str, eligible: bool) -> Option<Respelled> {
        let mut parts: Vec<Vec<char>> = Vec::new();
        let mut part = Vec::new();
        for (c, _) in normalize(username.trim()) {
            if is_mark(c) {
                continue;
            }
            if c.is_alphanumeric() {
                part.push(c);
            } else if !part.is_empty() {
                parts.push(std::mem::take(&mut part));
            }
        }
        if !part.is_empty() {
            parts.push(part);
        }
        let skeleton: Vec<char> = parts.concat();
        if skeleton.len() < MIN_SKELETON {
            return None;
        }
        let letters_only = skeleton.iter().all(|c| c.is_alphabetic());
        let in_text = eligible
            && if letters_only {
                skeleton.len() >= SPELLING_MIN_LETTERS_IN_TEXT
            } else {
                skeleton.len() >= super::USERNAME_MIN_IN_TEXT
            };
        let mut orders: Vec<Order> = Vec::new();
        for order in orders_of(parts.len()) {
            let chars: Vec<char> = order.iter().flat_map(|&p| parts[p].clone()).collect();
            if orders.iter().any(|o| o.chars == chars) {
                continue;
            }
            let mut ends = vec![false; chars.len() + 1];
            let mut at = 0;
            for &p in &order {
                at += parts[p].len();
                ends[at] = true;
            }
            let fail = failure(&chars);
            let digits_glue =
                chars.iter().filter(|c| c.is_alphabetic()).count() >= MIN_LETTERS_GLUED_TO_DIGITS;
            orders.push(Order {
                chars,
                ends,
                fail,
                digits_glue,
            });
        }
        Some(Respelled {
            orders,
            in_text,
            len: skeleton.len(),
            letters: skeleton.iter().filter(|c| c.is_ascii_alphabetic()).count(),
            digits: skeleton.iter().filter(|c| c.is_ascii_digit()).count(),
        })
    }

    /// Byte ranges of `text` where a respelling of the username stands
    /// (see the module's documentation); `before_at` keeps those right
    /// before an `@` and a domain.
    pub(super) fn find(&self, text: &str, before_at: bool) -> Vec<Range<usize>> {
        if text.is_ascii() {
            if text.len() < self.len {
                return Vec::new();
            }
            return self.find_in(&Ascii(text.as_bytes()), before_at);
        }
        let mut items = normalize(text);
        items.retain(|(c, _)| !is_mark(*c));
        self.find_in(items.as_slice(), before_at)
    }

    fn find_in<T: Text + ?Sized>(&self, text: &T, before_at: bool) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for order in &self.orders {
            order.find(text, self.in_text, before_at, &mut out);
        }
        out
    }
}

/// Every order of `n` parts when there are two or three (six orders);
/// longer logins are looked for in their own order alone.
fn orders_of(n: usize) -> Vec<Vec<usize>> {
    let own: Vec<usize> = (0..n).collect();
    match n {
        2 => vec![own, vec![1, 0]],
        3 => vec![
            own,
            vec![0, 2, 1],
            vec![1, 0, 2],
            vec![1, 2, 0],
            vec![2, 0, 1],
            vec![2, 1, 0],
        ],
        _ => vec![own],
    }
}

/// The fewest letters a skeleton ending (or starting) with a digit needs to
/// be found glued to more digits there: `lucas.johnson42` in the id
/// `lucasjohnson4269116`, where `sales_13` is no part of `sales130`.
const MIN_LETTERS_GLUED_TO_DIGITS: usize = 8;

/// Whether a respelling beginning or ending with `edge` may touch `c`:
/// not a letter or digit, a digit beside a letter (or the other way), or
/// a digit beside a digit when the skeleton has letters enough
/// (`digits_glue`).
fn may_touch(edge: char, c: char, digits_glue: bool) -> bool {
    class(c) != Class::Alnum
        || edge.is_numeric() != c.is_numeric()
        || (digits_glue && edge.is_numeric() && c.is_numeric())
}

impl Order {
    fn find<T: Text + ?Sized>(
        &self,
        text: &T,
        in_text: bool,
        before_at: bool,
        out: &mut Vec<Range<usize>>,
    ) {
        let n = self.chars.len();
        // The text indices of the last `n` letters and digits read: a
        // match's first character is `n` back.
        let mut ring = vec![0usize; n];
        let mut fed = 0usize;
        let mut k = 0usize;
        let mut i = 0;
        while i < text.len() {
            // Before a match has begun, the next place one can begin is the
            // next of its first character.
            if k == 0 {
                i = text.next(i, self.chars[0]);
                if i == text.len() {
                    break;
                }
            }
            let c = text.at(i);
            i += 1;
            match class(c) {
                Class::Break => k = 0,
                Class::Joiner => {}
                Class::Space => {
                    while k > 0 && !self.ends[k] {
                        k = self.fail[k - 1];
                    }
                }
                Class::Alnum => {
                    let i = i - 1;
                    ring[fed % n] = i;
                    fed += 1;
                    while k > 0 && c != self.chars[k] {
                        k = self.fail[k - 1];
                    }
                    if c == self.chars[k] {
                        k += 1;
                    }
                    if k == n {
                        let start = ring[(fed - n) % n];
                        if self.bounded(text, start, i, in_text, before_at) {
                            out.push(text.span(start).start..text.span(i).end);
                        }
                        k = self.fail[k - 1];
                    }
                }
            }
        }
    }

    /// Whether a respelling from character `start` to `end` of `text`
    /// (both included) stands as a token there.
    fn bounded<T: Text + ?Sized>(
        &self,
        text: &T,
        start: usize,
        end: usize,
        in_text: bool,
        before_at: bool,
    ) -> bool {
        let (first, last) = (self.chars[0], self.chars[self.chars.len() - 1]);
        if start > 0 && !may_touch(first, text.at(start - 1), self.digits_glue) {
            return false;
        }
        if end + 1 < text.len() && !may_touch(last, text.at(end + 1), self.digits_glue) {
            return false;
        }
        if !in_text {
            // The whole value: around it only joiners, white space and
            // digits.
            let around = (0..start).chain(end + 1..text.len());
            if around
                .map(|j| text.at(j))
                .any(|c| c.is_alphabetic() || class(c) == Class::Break)
            {
                return false;
            }
        }
        let local_part = end + 1 < text.len()
            && text.at(end + 1) == '@'
            && domain_after((end + 2..text.len()).map(|j| text.at(j)));
        before_at || !local_part
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(username: &str, text: &str) -> Vec<String> {
        let eligible = super::super::in_text_eligible(username);
        let r = Respelled::new(username, eligible).expect("a skeleton");
        r.find(text, false)
            .into_iter()
            .map(|s| text[s].to_string())
            .collect()
    }

    #[test]
    fn separators_changed_mixed_doubled_dropped_or_added_are_found() {
        let u = "maria.del.rio";
        for text in [
            "maria_del-rio",
            "mariadel.rio",
            "maria del rio",
            "maria+del+rio",
            "maria~del/rio",
            "maria:del,rio",
            "maria\u{b7}del\u{b7}rio",
            "maria\u{2013}del\u{2010}rio",
            "maria\u{30fb}del\u{30fb}rio",
            "maria\u{3002}del\u{ff61}rio",
            "maria__del__rio",
            "maria._del-_rio",
            "MARIA.DEL.RIO",
            "Mar\u{ed}a.del.R\u{ed}o",
            "rio.maria.del",
            "del_rio_maria",
        ] {
            assert_eq!(found(u, text), [text], "{text}");
        }
        assert_eq!(found("mariagonzalez", "maria.gonzalez"), ["maria.gonzalez"]);
        assert_eq!(
            found("mariagonzalez", "mar-ia_gon.zalez"),
            ["mar-ia_gon.zalez"]
        );
    }

    #[test]
    fn inside_text_glued_to_digits_and_in_paths() {
        let u = "maria.gonzalez";
        assert_eq!(
            found(u, "login by maria_gonzalez via app"),
            ["maria_gonzalez"]
        );
        assert_eq!(found(u, "mariagonzalez2024"), ["mariagonzalez"]);
        assert_eq!(found(u, "maria_gonzalez_1712345678"), ["maria_gonzalez"]);
        assert_eq!(
            found(u, "https://shop.example/u/mariagonzalez?ref=maria-gonzalez"),
            ["mariagonzalez", "maria-gonzalez"]
        );
        assert_eq!(
            found(u, "gift for Maria Gonzalez, thanks"),
            ["Maria Gonzalez"]
        );
    }

    #[test]
    fn letters_touching_letters_or_white_space_inside_a_part_are_not_it() {
        let u = "maria.gonzalez";
        for text in [
            "annamaria.gonzalez",
            "maria.gonzalezz",
            "mar ia gonzalez",
            "maria gonz alez",
            "maria (gonzalez)",
            "maria;gonzalez",
        ] {
            assert!(found(u, text).is_empty(), "{text}");
        }
        // A skeleton ending in a digit does not run into more digits,
        // unless its letters make it distinctive.
        assert!(found("sales_13", "sales130").is_empty());
        assert_eq!(
            found("lucas.johnson42", "lucasjohnson4269116"),
            ["lucasjohnson42"]
        );
        assert_eq!(found("sales_13", "sales-13"), ["sales-13"]);
    }

    #[test]
    fn short_or_plain_word_skeletons_are_found_only_as_the_whole_value() {
        // `basketball` (ten letters) is an ordinary word inside text.
        assert!(found("basket.ball", "Wireless Basketball").is_empty());
        assert!(found("basket.ball", "gift: basketball for dad").is_empty());
        assert_eq!(found("basket.ball", "Basket Ball"), ["Basket Ball"]);
        assert_eq!(found("john.smith", "johnsmith2024"), ["johnsmith"]);
        assert_eq!(found("john.smith", " smith_john "), ["smith_john"]);
        assert!(found("john.smith", "user johnsmith ok").is_empty());
    }

    #[test]
    fn an_address_local_part_is_left_to_the_email_detector() {
        let u = "maria.gonzalez";
        assert!(found(u, "mail maria_gonzalez@example.com").is_empty());
        assert_eq!(found(u, "sip:maria_gonzalez@pbx"), ["maria_gonzalez"]);
    }

    proptest::proptest! {
        /// The ASCII path (a byte search to each possible start) finds
        /// what the general path over normalized characters finds.
        #[test]
        fn the_ascii_path_is_the_general_path(
            username in "[a-c]{1,4}[._ -]?[a-c1]{1,4}",
            text in "[a-cA-C1 ._@;-]{0,30}",
        ) {
            if let Some(r) = Respelled::new(&username, true) {
                for before_at in [false, true] {
                    let mut items = normalize(&text);
                    items.retain(|(c, _)| !is_mark(*c));
                    proptest::prop_assert_eq!(
                        r.find_in(&Ascii(text.as_bytes()), before_at),
                        r.find_in(items.as_slice(), before_at)
                    );
                }
            }
        }
    }

    #[test]
    fn the_ascii_table_is_the_general_rule() {
        for b in 0u8..128 {
            let c = char::from(b);
            let general = if c.is_alphanumeric() {
                Class::Alnum
            } else if c.is_whitespace() {
                Class::Space
            } else if matches!(c, '.' | '_' | '-' | '+' | '~' | '/' | ':' | ',' | '\'') {
                Class::Joiner
            } else {
                Class::Break
            };
            assert!(class(c) == general, "{b:#x}");
        }
    }

    #[test]
    fn four_parts_are_looked_for_in_their_own_order_only() {
        let u = "ana.maria.de.souza";
        assert_eq!(found(u, "ana_maria_de_souza"), ["ana_maria_de_souza"]);
        assert!(found(u, "souza_de_maria_ana").is_empty());
    }
}
