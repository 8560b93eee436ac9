//! `FieldPath`: where in a request something happened, as a JSON pointer.
//!
//! Paths appear in every rejection and audit record, so they must never carry
//! request data. Segments that come from the schema are static names. A
//! segment that comes from the request itself (custom input keys, unknown
//! keys) is shown only when it has the shape of a custom input key
//! (`^[a-z0-9_]{1,25}$`), and then with every digit masked, so a card number
//! used as a key cannot leak; any other key (`jane.doe@gmail.com`) is shown
//! as `<key N>`, N being its 1-based position among the keys of its object in
//! the order txveil reads them (sorted by bytes).

use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Segment {
    /// A name from the minFraud field table.
    Known(&'static str),
    /// A key chosen by the caller (custom inputs, unknown fields), as paths
    /// show it (boxed: segments stay small).
    Dynamic(Box<ShownKey>),
    /// An array index.
    Index(usize),
}

/// A caller-chosen key as paths show it, made when the key is read so that
/// the key itself is never kept: its digits masked when it has the shape of
/// a custom input key (`^[a-z0-9_]{1,25}$`), else only its 1-based position
/// in its object (`<key N>`). Fits in place: making one allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ShownKey {
    /// The masked key (its first `len` bytes); empty for `<key N>`.
    shown: [u8; 25],
    len: u8,
    position: usize,
}

impl ShownKey {
    /// `key`, the `position`-th (from 1) of its object.
    pub(crate) fn new(key: &str, position: usize) -> Self {
        let mut shown = [0; 25];
        let mut len = 0;
        if crate::schema::custom_input_key(key) {
            for (to, b) in shown.iter_mut().zip(key.bytes()) {
                *to = if b.is_ascii_digit() { b'#' } else { b };
            }
            len = u8::try_from(key.len()).unwrap_or(0);
        }
        Self {
            shown,
            len,
            position,
        }
    }

    /// Writes the key as a path segment (without the `/`).
    pub(crate) fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        // Only ASCII letters, digits, `_` and `#` are ever stored.
        match std::str::from_utf8(&self.shown[..usize::from(self.len)]) {
            Ok(shown) if self.len > 0 => out.write_str(shown),
            _ => write!(out, "<key {}>", self.position),
        }
    }
}

/// A JSON-pointer path into a request (`/credit_card/number`, `/shopping_cart/0/price`).
///
/// `Display` writes the pointer; keys taken from the request have their digits
/// replaced by `#`, and keys not shaped like a custom input key are written
/// as `<key N>`. `Debug` writes the same, so no key leaks through it either.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

impl FieldPath {
    /// The root of the request (`""` as a JSON pointer).
    pub fn root() -> Self {
        Self::default()
    }

    /// This path extended by a field name from the schema.
    pub(crate) fn known(&self, name: &'static str) -> Self {
        self.with(Segment::Known(name))
    }

    /// This path extended by a caller-chosen key, the `position`-th (from 1)
    /// of its object.
    pub(crate) fn dynamic(&self, key: &str, position: usize) -> Self {
        self.shown(ShownKey::new(key, position))
    }

    /// This path extended by a caller-chosen key already in its shown form.
    pub(crate) fn shown(&self, key: ShownKey) -> Self {
        self.with(Segment::Dynamic(Box::new(key)))
    }

    /// This path extended by an array index.
    pub(crate) fn index(&self, i: usize) -> Self {
        self.with(Segment::Index(i))
    }

    fn with(&self, segment: Segment) -> Self {
        let mut segments = self.segments.clone();
        segments.push(segment);
        Self { segments }
    }
}

impl fmt::Debug for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldPath({self})")
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.segments {
            f.write_str("/")?;
            match segment {
                Segment::Known(name) => f.write_str(name)?,
                Segment::Index(i) => write!(f, "{i}")?,
                Segment::Dynamic(key) => key.write_to(f)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_json_pointer() {
        let p = FieldPath::root()
            .known("shopping_cart")
            .index(1)
            .known("price");
        assert_eq!(p.to_string(), "/shopping_cart/1/price");
        assert_eq!(FieldPath::root().to_string(), "");
    }

    #[test]
    fn masks_digits_in_caller_keys() {
        let p = FieldPath::root()
            .known("custom_inputs")
            .dynamic("4111111111111111", 1);
        assert_eq!(p.to_string(), "/custom_inputs/################");
        let p = FieldPath::root()
            .known("custom_inputs")
            .dynamic("ref_no_7", 2);
        assert_eq!(p.to_string(), "/custom_inputs/ref_no_#");
    }

    #[test]
    fn a_path_keeps_only_what_it_shows_of_a_key() {
        let at = |key: &str, position| FieldPath::root().known("billing").dynamic(key, position);
        // Keys that show the same are the same path: the key is not kept.
        assert_eq!(at("jane.doe@gmail.com", 3), at("4111 1111 1111 1111", 3));
        assert_eq!(
            at("card_4111111111111111", 1),
            at("card_0000000000000000", 1)
        );
        assert_ne!(at("jane.doe@gmail.com", 3), at("jane.doe@gmail.com", 4));
        assert_ne!(at("tier_1", 1), at("tier_a", 1));
    }

    #[test]
    fn keys_not_shaped_like_custom_inputs_are_never_written() {
        // Regression for issue 8, item 13.
        for key in [
            "jane.doe@gmail.com",
            "jd88@mail.example",
            "a/b~c٣",
            "Loyalty",
            "4111 1111 1111 1111",
            "x".repeat(26).as_str(),
            "",
        ] {
            let p = FieldPath::root().known("billing").dynamic(key, 3);
            assert_eq!(p.to_string(), "/billing/<key 3>");
            assert_eq!(format!("{p:?}"), "FieldPath(/billing/<key 3>)");
        }
    }
}
