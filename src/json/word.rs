//! Eight bytes at a time: byte tests on a `u64` word, used by the JSON
//! reader and writer to find where a string's plain run ends, and by the
//! detectors' pre-checks.
//!
//! A word holds eight bytes in little-endian order (byte `i` of the input
//! is bits `8i..8i+8`). Each test tells exactly whether *some* byte of the
//! word matches; [`first_string_stop`] also tells exactly which byte comes
//! first. The tests check each against a loop over the bytes.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `chunk` (which has eight) as one word.
pub(crate) fn word(chunk: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(chunk);
    u64::from_le_bytes(bytes)
}

/// `b` in every byte of a word.
pub(crate) fn splat(b: u8) -> u64 {
    ONES * u64::from(b)
}

/// Whether some byte of `x` is below `n` (`n` at most 0x80).
pub(crate) fn has_byte_below(x: u64, n: u8) -> bool {
    below_mask(x, n) != 0
}

/// Whether some byte of `x` is `b`.
pub(crate) fn has_byte(x: u64, b: u8) -> bool {
    has_byte_below(x ^ splat(b), 1)
}

/// The high bit of each byte of `x` below `n` (`n` at most 0x80). Exact for
/// the lowest such byte; bytes above it may be flagged by a borrow, so the
/// mask answers "is there one" and "which is first", not "which ones".
pub(crate) fn below_mask(x: u64, n: u8) -> u64 {
    x.wrapping_sub(splat(n)) & !x & HIGH
}

/// The index of the first byte of `x` that ends a plain run of a JSON
/// string (`"`, `\` or a control character), if any.
pub(crate) fn first_string_stop(x: u64) -> Option<usize> {
    let m = below_mask(x ^ splat(b'"'), 1) | below_mask(x ^ splat(b'\\'), 1) | below_mask(x, 0x20);
    (m != 0).then(|| (m.trailing_zeros() / 8) as usize)
}

/// Length of the longest prefix of `b` that a JSON string holds as is: no
/// `"`, `\` or control character. Eight bytes at a time, then byte by byte.
pub(crate) fn plain_run(b: &[u8]) -> usize {
    let mut i = 0;
    for chunk in b.chunks_exact(8) {
        if let Some(at) = first_string_stop(word(chunk)) {
            return i + at;
        }
        i += 8;
    }
    i + b[i..]
        .iter()
        .position(|&c| string_stop(c))
        .unwrap_or(b.len() - i)
}

/// Whether a byte ends a plain run of a JSON string: the plain definition
/// that [`first_string_stop`] and [`plain_run`] compute word by word.
pub(crate) fn string_stop(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn word_tests_match_byte_loops(b in proptest::array::uniform8(prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>()]), n in 0u8..=0x80, c in any::<u8>()) {
            let x = word(&b);
            prop_assert_eq!(has_byte_below(x, n), b.iter().any(|&y| y < n));
            prop_assert_eq!(has_byte(x, c), b.contains(&c));
            prop_assert_eq!(first_string_stop(x), b.iter().position(|&y| string_stop(y)));
        }

        #[test]
        fn plain_runs_match_a_byte_loop(b in proptest::collection::vec(prop_oneof![12 => 0x20u8..0x7f, 1 => any::<u8>()], 0..40)) {
            let want = b.iter().position(|&y| string_stop(y)).unwrap_or(b.len());
            prop_assert_eq!(plain_run(&b), want);
        }
    }
}
