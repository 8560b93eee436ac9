//! `FieldPath`: where in a request something happened, as a JSON pointer.
//!
//! Paths appear in every rejection and audit record, so they must never carry
//! request data. Segments that come from the schema are static names; segments
//! that come from the request itself (custom input keys, unknown keys) are
//! shown with every digit masked, so a card number used as a key cannot leak
//! through an error message.

use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// A name from the minFraud field table.
    Known(&'static str),
    /// A key chosen by the caller (custom inputs, unknown fields); masked on display.
    Dynamic(Box<str>),
    /// An array index.
    Index(usize),
}

/// A JSON-pointer path into a request (`/credit_card/number`, `/shopping_cart/0/price`).
///
/// `Display` writes the pointer; keys taken from the request have their digits
/// replaced by `#` and are cut to 64 characters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

    /// This path extended by a caller-chosen key.
    pub(crate) fn dynamic(&self, key: &str) -> Self {
        self.with(Segment::Dynamic(key.into()))
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

fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    if !s.contains(['~', '/']) {
        return f.write_str(s);
    }
    for c in s.chars() {
        match c {
            '~' => f.write_str("~0")?,
            '/' => f.write_str("~1")?,
            c => write!(f, "{c}")?,
        }
    }
    Ok(())
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.segments {
            f.write_str("/")?;
            match segment {
                Segment::Known(name) => f.write_str(name)?,
                Segment::Index(i) => write!(f, "{i}")?,
                Segment::Dynamic(key) => {
                    let masked: String = key
                        .chars()
                        .take(64)
                        .map(|c| if c.is_numeric() { '#' } else { c })
                        .collect();
                    write_escaped(f, &masked)?;
                }
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
            .dynamic("4111111111111111");
        assert_eq!(p.to_string(), "/custom_inputs/################");
        let p = FieldPath::root().dynamic("a/b~c٣");
        assert_eq!(p.to_string(), "/a~1b~0c#");
    }
}
