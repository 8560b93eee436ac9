//! The request tree as the sanitizer holds it: the JSON codec's tree
//! ([`crate::json`]) with each object entry marked by what the sanitizer
//! learned about it.

use crate::json;
use crate::schema::Field;

pub(crate) use json::{Arena, ArenaVec, JsonProblem, Num, NumValue, Text};

/// What the sanitizer keeps in an entry: the schema field the key names,
/// when the walk put it there (a field the policy let through, or one it
/// derived), so that reading the value for the detectors and validating it
/// need not look the key up again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Mark {
    pub(crate) field: Option<&'static Field>,
}

impl json::Mark for Mark {
    const NONE: Self = Mark { field: None };
}

/// A value of the request tree.
pub(crate) type Val<'a> = json::Val<'a, Mark>;
/// An object of the request tree.
pub(crate) type Obj<'a> = json::Obj<'a, Mark>;

/// Parses a request body into the request tree (see
/// [`json::parse_object`]); no entry names a field yet.
pub(crate) fn parse_object<'a>(bytes: &'a [u8], arena: &'a Arena) -> Result<Obj<'a>, JsonProblem> {
    json::parse_object(bytes, arena)
}

/// Appends the request tree `o` as compact JSON.
pub(crate) fn write_obj(out: &mut Vec<u8>, o: &Obj<'_>) {
    json::write_obj(out, o);
}

impl<'a> Obj<'a> {
    /// Sets `key`, its entry naming the schema `field` (see [`Mark`]);
    /// returns the value it replaces.
    pub(crate) fn insert_field(
        &mut self,
        key: Text<'a>,
        value: Val<'a>,
        field: Option<&'static Field>,
    ) -> Option<Val<'a>> {
        self.insert_with(key, value, Mark { field })
    }
}
