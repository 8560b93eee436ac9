//! Eight bytes at a time, for the detectors' pre-checks: the byte classes
//! they look for (digits, base64 characters) and [`Facts`], what one pass
//! over a string tells them. The word primitives are the JSON codec's
//! ([`crate::json::word`]).

use crate::json::word::{below_mask, splat, HIGH, ONES};
pub(crate) use crate::json::word::{has_byte, word};

/// The up to seven bytes of `tail` as one word, the bytes past them zero
/// (as no test here matches a zero byte, a short word reads as its bytes
/// alone). Read as two overlapping loads instead of a loop over the bytes.
#[inline]
pub(crate) fn partial_word(tail: &[u8]) -> u64 {
    let n = tail.len();
    if n >= 4 {
        let load = |at: usize| {
            let mut four = [0u8; 4];
            four.copy_from_slice(&tail[at..at + 4]);
            u64::from(u32::from_le_bytes(four))
        };
        // The loads overlap where `n` < 8; the bytes they share are equal.
        load(0) | load(n - 4) << (8 * (n - 4))
    } else if n > 0 {
        u64::from(tail[0])
            | u64::from(tail[n / 2]) << (8 * (n / 2))
            | u64::from(tail[n - 1]) << (8 * (n - 1))
    } else {
        0
    }
}

/// Whether some byte of `x` is 0x80 or above (not ASCII).
#[cfg(test)]
pub(crate) fn has_high_byte(x: u64) -> bool {
    x & HIGH != 0
}

/// How many bytes of `mask` have their high bit set, `mask` having no other
/// bit set: each byte's bit moved to its lowest bit, and the eight bytes
/// (each 0 or 1) summed into the top byte by one multiplication (no byte's
/// sum passes 8, so none carries into the next).
#[inline(always)]
pub(crate) fn high_bits(mask: u64) -> u32 {
    ((mask >> 7).wrapping_mul(ONES) >> 56) as u32
}

/// How many bytes of `x` are ASCII digits; `x` must be all ASCII (then the
/// additions carry into no other byte).
pub(crate) fn ascii_digits(x: u64) -> u32 {
    let from_zero = x.wrapping_add(ONES * (0x80 - 0x30)) & HIGH;
    let past_nine = x.wrapping_add(ONES * (0x80 - 0x3A)) & HIGH;
    high_bits(from_zero & !past_nine)
}

/// The high bit of each byte of `x` (all ASCII) from `lo` to `hi`.
pub(crate) fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let from = x.wrapping_add(ONES * u64::from(0x80 - lo));
    let past = x.wrapping_add(ONES * u64::from(0x80 - hi - 1));
    from & !past & HIGH
}

/// How many bytes of `b` (ASCII) are ASCII letters, eight at a time.
pub(crate) fn ascii_letters(b: &[u8]) -> usize {
    let chunks = b.chunks_exact(8);
    let last = partial_word(chunks.remainder());
    chunks
        .map(word)
        .chain(std::iter::once(last))
        .map(|x| high_bits(in_range(x | splat(0x20), b'a', b'z')) as usize)
        .sum()
}

/// How many bytes of `b` (ASCII) are `c` (ASCII), eight at a time.
pub(crate) fn count_byte(b: &[u8], c: u8) -> usize {
    let chunks = b.chunks_exact(8);
    let last = partial_word(chunks.remainder());
    chunks
        .map(word)
        .chain(std::iter::once(last))
        .map(|x| high_bits(in_range(x, c, c)) as usize)
        .sum()
}

/// How many times each ASCII digit stands in `b` (ASCII), one byte per
/// digit value (the count of `0` in the lowest): exact while no digit
/// stands more than 255 times. Eight bytes at a time, then one step per
/// digit.
pub(crate) fn digit_counts(b: &[u8]) -> u128 {
    let chunks = b.chunks_exact(8);
    let last = partial_word(chunks.remainder());
    let mut counts = [0u8; 16];
    for x in chunks.map(word).chain(std::iter::once(last)) {
        let mut digits = in_range(x, b'0', b'9');
        while digits != 0 {
            let at = digits.trailing_zeros() - 7;
            let d = usize::from((x >> at) as u8 & 0x0F);
            counts[d] = counts[d].wrapping_add(1);
            digits &= digits - 1;
        }
    }
    u128::from_le_bytes(counts)
}

/// The high bit of each byte of `x` (all ASCII) that is a base64 character,
/// standard or URL-safe (`A-Z a-z 0-9 + / - _`): letters of either case
/// are the bytes that set to lower case fall in `a-z`, and `+ - /` the odd
/// bytes from `+` to `/`.
pub(crate) fn base64_mask(x: u64) -> u64 {
    in_range(x, b'0', b'9')
        | in_range(x | splat(0x20), b'a', b'z')
        | (in_range(x, b'+', b'/') & (x & ONES) << 7)
        | in_range(x, b'_', b'_')
}

/// Shortest run of base64 characters [`Facts::token`] tells of.
pub(crate) const TOKEN: usize = 16;

/// What one pass over a string tells the detectors, so that most strings
/// are ruled out without either reading them again: whether it has a
/// non-ASCII byte, `%` or `&` (where other readings start: both detectors
/// must then read it in full), an `@`, an `x` or `X`, and how many ASCII
/// digits it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Facts {
    /// A non-ASCII byte, `%` or `&`.
    pub(crate) encoded: bool,
    pub(crate) at: bool,
    pub(crate) x: bool,
    /// A backslash, `=` or `<` (where an escape or quoted-printable can
    /// write an `@`, and markup can stand inside a base64 run), when not
    /// `encoded`.
    pub(crate) escape: bool,
    /// A run of at least [`TOKEN`] base64 characters (which may decode to
    /// text), when not `encoded`.
    pub(crate) token: bool,
    /// ASCII digits, when not `encoded`.
    pub(crate) digits: usize,
    /// ASCII letters, when not `encoded`.
    pub(crate) letters: usize,
}

impl Facts {
    /// The facts of `b`, read eight bytes at a time. The walk and the scan
    /// read every string they keep through it once, where they meet it.
    #[inline(always)]
    pub(crate) fn of(b: &[u8]) -> Self {
        // Each question (an `@`, an `x`, an escape) is a mask over the
        // eight bytes of a word, gathered over the words read and turned
        // into its answer once at the end.
        let (mut at, mut x_or_x, mut escape) = (0u64, 0u64, 0u64);
        let mut digits = 0usize;
        let mut letters = 0usize;
        let mut token = false;
        // Base64 characters at the end of the words read so far.
        let mut run = 0u32;
        // A shorter string holds no run of `TOKEN` characters.
        let long = b.len() >= TOKEN;
        let mut chunks = b.chunks_exact(8);
        let facts = |encoded, at: u64, x: u64, escape: u64, token, digits, letters| Facts {
            encoded,
            at: at != 0,
            x: x != 0,
            escape: escape != 0,
            token,
            digits,
            letters,
        };
        // One word read: false when it is encoded (nothing more is read).
        let mut read = |x: u64| {
            if x & HIGH | below_mask(x ^ splat(b'%'), 1) | below_mask(x ^ splat(b'&'), 1) != 0 {
                return false;
            }
            at |= below_mask(x ^ splat(b'@'), 1);
            x_or_x |= below_mask((x | splat(0x20)) ^ splat(b'x'), 1);
            escape |= below_mask(x ^ splat(b'\\'), 1)
                | below_mask(x ^ splat(b'='), 1)
                | below_mask(x ^ splat(b'<'), 1);
            digits += ascii_digits(x) as usize;
            letters += high_bits(in_range(x | splat(0x20), b'a', b'z')) as usize;
            if long {
                token |= base64_run_through(&mut run, x);
            }
            true
        };
        // The whole words, then the rest as one word (zero when there is
        // none): a plain loop, not an iterator chain.
        let mut plain = true;
        for chunk in &mut chunks {
            if !read(word(chunk)) {
                plain = false;
                break;
            }
        }
        let plain = plain && read(partial_word(chunks.remainder()));
        facts(!plain, at, x_or_x, escape, token, digits, letters)
    }
}

/// What one pass over a value tells the echo search (eight bytes at a
/// time): whether it is ASCII, and then how many ASCII digits and whether
/// an `@` it holds. The walk learns the same of the strings it keeps from
/// their [`Facts`] ([`Seen::from_facts`]) and leaves it on their entries,
/// so that the echo search need not read them again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    /// ASCII digits, counted only in ASCII text; `u16::MAX` stands for
    /// that many or more (kept small so that an entry stays as large as it
    /// was without it).
    digits: u16,
    /// ASCII letters, counted only in ASCII text; `u8::MAX` stands for
    /// that many or more.
    letters: u8,
    pub(crate) ascii: bool,
    pub(crate) at: bool,
    /// A run of at least [`TOKEN`] base64 characters ([`Facts::token`]):
    /// where a digest can stand. Told only of ASCII text.
    pub(crate) token: bool,
    /// A backslash, `=` or `<` ([`Facts::escape`]): where an escape,
    /// quoted-printable or markup can write other characters. Told only of
    /// ASCII text.
    pub(crate) escape: bool,
}

/// Carries `run`, the base64 characters at the end of the words read so
/// far, across one more word (`x`, ASCII bytes): whether a run of at least
/// [`TOKEN`] stood in it (ending inside the word, or still going at its
/// end).
#[inline(always)]
fn base64_run_through(run: &mut u32, x: u64) -> bool {
    let other = !base64_mask(x) & HIGH;
    if other == 0 {
        *run += 8;
        return *run as usize >= TOKEN;
    }
    *run += other.trailing_zeros() / 8;
    let ended = *run as usize >= TOKEN;
    *run = other.leading_zeros() / 8;
    ended || *run as usize >= TOKEN
}

/// Whether `b` has a run of at least `n` base64 characters, standard or
/// URL-safe (`A-Z a-z 0-9 + / - _`).
pub(crate) fn base64_run(b: &[u8], n: usize) -> bool {
    let mut run = 0;
    for &c in b {
        if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_') {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

impl Seen {
    #[inline]
    pub(crate) fn of(b: &[u8]) -> Seen {
        let mut high = 0u64;
        let mut digits = 0usize;
        let mut letters = 0usize;
        let mut at = false;
        let mut token = false;
        let mut escape = false;
        // Base64 characters at the end of the words read so far, as
        // [`Facts::of`] counts them.
        let mut run = 0u32;
        let long = b.len() >= TOKEN;
        let mut chunks = b.chunks_exact(8);
        let mut read = |x: u64| {
            high |= x;
            // Counted right only in ASCII words, and used only then.
            let ascii = x & !HIGH;
            digits += ascii_digits(ascii) as usize;
            letters += high_bits(in_range(ascii | splat(0x20), b'a', b'z')) as usize;
            at |= has_byte(x, b'@');
            escape |= has_byte(x, b'\\') | has_byte(x, b'=') | has_byte(x, b'<');
            if long {
                token |= base64_run_through(&mut run, ascii);
            }
        };
        // The whole words, then the rest as one word (zero when there is
        // none).
        for chunk in &mut chunks {
            read(word(chunk));
        }
        read(partial_word(chunks.remainder()));
        Seen {
            ascii: high & HIGH == 0,
            digits: u16::try_from(digits).unwrap_or(u16::MAX),
            letters: u8::try_from(letters).unwrap_or(u8::MAX),
            at,
            token,
            escape,
        }
    }

    /// What [`Facts`] tell of the same text, when they tell it (plain
    /// ASCII: no `%` or `&` either).
    #[inline]
    pub(crate) fn from_facts(facts: &Facts) -> Option<Seen> {
        (!facts.encoded).then(|| Seen {
            ascii: true,
            digits: u16::try_from(facts.digits).unwrap_or(u16::MAX),
            letters: u8::try_from(facts.letters).unwrap_or(u8::MAX),
            at: facts.at,
            token: facts.token,
            escape: facts.escape,
        })
    }

    /// How many ASCII letters, as a count to compare: unbounded when there
    /// are `u8::MAX` or more.
    #[inline]
    pub(crate) fn letter_count(&self) -> usize {
        if self.letters == u8::MAX {
            usize::MAX
        } else {
            usize::from(self.letters)
        }
    }

    /// How many ASCII digits, as a count to compare: unbounded when there
    /// are `u16::MAX` or more.
    #[inline]
    pub(crate) fn digit_count(&self) -> usize {
        if self.digits == u16::MAX {
            usize::MAX
        } else {
            usize::from(self.digits)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn word_tests_match_byte_loops(b in proptest::array::uniform8(prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>()])) {
            let x = word(&b);
            prop_assert_eq!(has_high_byte(x), b.iter().any(|&y| y >= 0x80));
            if !has_high_byte(x) {
                prop_assert_eq!(ascii_digits(x) as usize, b.iter().filter(|y| y.is_ascii_digit()).count());
            }
        }

        #[test]
        fn high_bits_counts_the_high_bits(b in proptest::array::uniform8(proptest::bool::ANY)) {
            let mask = b
                .iter()
                .enumerate()
                .fold(0u64, |m, (i, &on)| m | u64::from(on) << (8 * i + 7));
            prop_assert_eq!(high_bits(mask), mask.count_ones());
        }

        #[test]
        fn partial_words_are_their_bytes(b in proptest::collection::vec(any::<u8>(), 0..8)) {
            let mut bytes = [0u8; 8];
            bytes[..b.len()].copy_from_slice(&b);
            prop_assert_eq!(partial_word(&b), u64::from_le_bytes(bytes));
        }

        #[test]
        fn letters_and_digit_counts_match_byte_loops(b in proptest::collection::vec(prop_oneof![4 => b'0'..=b'9', 2 => 0x20u8..0x7f, 1 => 0u8..0x80], 0..300)) {
            prop_assert_eq!(ascii_letters(&b), b.iter().filter(|c| c.is_ascii_alphabetic()).count());
            for c in [b'0', b'7', b'9', b'a', b' '] {
                prop_assert_eq!(count_byte(&b, c), b.iter().filter(|&&x| x == c).count());
            }
            let mut counts = [0u8; 16];
            for &c in b.iter().filter(|c| c.is_ascii_digit()) {
                counts[usize::from(c - b'0')] += 1;
            }
            prop_assert_eq!(digit_counts(&b), u128::from_le_bytes(counts));
        }

        #[test]
        fn base64_mask_matches_a_byte_loop(b in proptest::array::uniform8(0u8..0x80)) {
            let m = base64_mask(word(&b));
            for (i, &c) in b.iter().enumerate() {
                let want = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_');
                prop_assert_eq!(m >> (8 * i + 7) & 1 == 1, want, "byte {:#x}", c);
            }
        }

        #[test]
        fn token_matches_a_byte_loop_on_long_runs(b in proptest::collection::vec(prop_oneof![40 => b'a'..=b'z', 1 => Just(b' '), 1 => Just(b'.'), 1 => Just(b'_')], 0..80)) {
            let longest = b
                .split(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_')))
                .map(<[u8]>::len)
                .max()
                .unwrap_or(0);
            prop_assert_eq!(Facts::of(&b).token, longest >= TOKEN);
        }

        /// What the walk leaves for the echo search is what the echo
        /// search's own pass tells, whenever the facts tell it.
        #[test]
        fn seen_from_facts_is_seen(b in proptest::collection::vec(prop_oneof![8 => 0x20u8..0x7f, 1 => any::<u8>()], 0..40)) {
            let facts = Facts::of(&b);
            match Seen::from_facts(&facts) {
                Some(seen) => prop_assert_eq!(seen, Seen::of(&b)),
                None => prop_assert!(facts.encoded),
            }
        }

        #[test]
        fn facts_match_byte_loops(b in proptest::collection::vec(prop_oneof![8 => 0x20u8..0x7f, 1 => any::<u8>()], 0..40)) {
            let f = Facts::of(&b);
            let encoded = b.iter().any(|&c| c >= 0x80 || c == b'%' || c == b'&');
            prop_assert_eq!(f.encoded, encoded);
            if !encoded {
                prop_assert_eq!(f.at, b.contains(&b'@'));
                prop_assert_eq!(f.x, b.iter().any(|&c| c | 0x20 == b'x'));
                prop_assert_eq!(f.digits, b.iter().filter(|c| c.is_ascii_digit()).count());
                prop_assert_eq!(f.letters, b.iter().filter(|c| c.is_ascii_alphabetic()).count());
                prop_assert_eq!(f.escape, b.iter().any(|&c| matches!(c, b'\\' | b'=' | b'<')));
                let longest = b
                    .split(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_')))
                    .map(<[u8]>::len)
                    .max()
                    .unwrap_or(0);
                prop_assert_eq!(f.token, longest >= TOKEN, "{:?}", b);
            }
        }
    }
}
