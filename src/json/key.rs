//! Comparing and hashing object keys.
//!
//! Keys in requests and in txveil's tables (field names, group names,
//! policy rules) are short ASCII names. Every function here gives exactly
//! the answer of the plain definition it names (`Ord` for byte slices,
//! `==` for strings, FNV-1a), reading the names eight bytes at a time in
//! place: most names fit in one or two such words. The tests check each
//! against its plain definition.

use std::cmp::Ordering;

/// Key order: the order of the keys' bytes, deciding on the first byte
/// where it can (the usual case for field names) before comparing the
/// rest. Objects keep their entries in this order.
pub(crate) fn key_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match (a.first(), b.first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => bytes_order(a, b),
    }
}

/// The order of two byte strings, as `Ord` for slices gives it, compared
/// eight bytes at a time in place.
pub(crate) fn bytes_order(a: &[u8], b: &[u8]) -> Ordering {
    let (mut a, mut b) = (a, b);
    while let (Some((x, ra)), Some((y, rb))) =
        (a.split_first_chunk::<8>(), b.split_first_chunk::<8>())
    {
        if x != y {
            return u64::from_be_bytes(*x).cmp(&u64::from_be_bytes(*y));
        }
        (a, b) = (ra, rb);
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Whether two keys are equal (`a == b`), compared as [`bytes_order`]
/// compares them.
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && bytes_order(a.as_bytes(), b.as_bytes()).is_eq()
}

/// The first eight bytes of a key, zero-padded, as a big-endian word.
///
/// Invariant: keys with different words order as their words do; keys
/// with the same word need their bytes compared (unless both are at most
/// eight bytes long and of the same length: then they are equal). A table
/// of names can store each name's word once and compare a request's key
/// against it as one integer.
pub(crate) fn key_word(b: &[u8]) -> u64 {
    if let Some(head) = b.first_chunk::<8>() {
        return u64::from_be_bytes(*head);
    }
    let mut w = 0u64;
    for (i, &c) in b.iter().enumerate() {
        w |= u64::from(c) << (56 - 8 * i);
    }
    w
}

/// The order of two keys whose first words ([`key_word`]) are equal: for
/// keys of the same length up to 16 bytes, the order of their last eight
/// bytes as words (the bytes before them are equal), otherwise of their
/// bytes.
pub(crate) fn same_word_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match a.len() {
        n if n != b.len() || n > 16 => bytes_order(a, b),
        0..=8 => Ordering::Equal,
        n => key_word(&a[n - 8..]).cmp(&key_word(&b[n - 8..])),
    }
}

/// FNV-1a, for the small maps keyed by txveil's own names (the schema's
/// field table). Their keys come from txveil's tables, never from
/// requests, so SipHash's protection against chosen keys buys nothing
/// there.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FnvHasher(u64);

/// FNV-1a's offset basis (a hasher that has read nothing starts here).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a's 64-bit prime.
const FNV_PRIME: u64 = 0x0100_0000_01b3;

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // `0` stands for "nothing read yet", so that `Default` starts at the
        // offset basis.
        let mut h = if self.0 == 0 { FNV_OFFSET } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        self.0 = h;
    }
}

/// A `HashMap` with [`FnvHasher`], for maps keyed by txveil's own names.
pub(crate) type FnvMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FnvHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::hash::Hasher;

    /// FNV-1a as its definition states it, over the whole input at once.
    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(FNV_OFFSET, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
        })
    }

    #[test]
    fn fnv_matches_its_published_vectors() {
        // The FNV-1a 64-bit values of "" and "a" from the algorithm's authors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let mut h = FnvHasher::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    proptest! {
        #[test]
        fn fnv_hasher_is_fnv1a_over_its_writes(
            parts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..12), 1..4),
        ) {
            // Writes of non-empty pieces hash as their concatenation (unless
            // a prefix happens to hash to 0, which the hasher reads as a
            // fresh start: FNV-1a reaches 0 on no input this short).
            let mut h = FnvHasher::default();
            for p in &parts {
                h.write(p);
            }
            prop_assert_eq!(h.finish(), fnv1a(&parts.concat()));
        }

        #[test]
        fn key_words_order_and_match_as_keys_do(
            a in proptest::collection::vec(any::<u8>(), 0..12),
            shared in 0usize..12,
            tail in proptest::collection::vec(0u8..3, 0..6),
        ) {
            // Keys sharing a prefix (NULs and short tails included).
            let mut b = a[..shared.min(a.len())].to_vec();
            b.extend(tail);
            let (wa, wb) = (key_word(&a), key_word(&b));
            if wa != wb {
                prop_assert_eq!(wa < wb, a < b);
            } else if a.len() == b.len() && a.len() <= 8 {
                prop_assert_eq!(&a, &b);
            }
        }

        #[test]
        fn keys_order_as_their_bytes_do(
            head in proptest::collection::vec(0u8..3, 0..20),
            a in proptest::collection::vec(any::<u8>(), 0..20),
            b in proptest::collection::vec(0u8..3, 0..20),
        ) {
            // Byte strings sharing a prefix of any length, with tails of
            // any length and bytes on both sides of the prefix's.
            let (a, b) = ([&head[..], &a].concat(), [&head[..], &b].concat());
            prop_assert_eq!(bytes_order(&a, &b), a.cmp(&b));
            prop_assert_eq!(bytes_order(&b, &a), b.cmp(&a));
            prop_assert_eq!(bytes_order(&a, &a), Ordering::Equal);
            if let (Ok(a), Ok(b)) = (std::str::from_utf8(&a), std::str::from_utf8(&b)) {
                prop_assert_eq!(key_order(a, b), a.cmp(b));
                prop_assert_eq!(same_key(a, b), a == b);
                prop_assert!(same_key(a, a));
            }
        }

        #[test]
        fn keys_with_one_first_word_order_as_their_bytes_do(
            head in "[a-z_]{0,10}",
            a in "[a-z_]{0,9}",
            b in "[a-z_]{0,9}",
        ) {
            // Names sharing a prefix, as schema field names often do.
            let (a, b) = (format!("{head}{a}"), format!("{head}{b}"));
            if key_word(a.as_bytes()) == key_word(b.as_bytes()) {
                prop_assert_eq!(same_word_order(&a, &b), a.cmp(&b));
            }
        }
    }
}
