//! The request tree as the sanitizer holds it: the JSON codec's tree
//! ([`crate::json`]) with each object entry marked by what the sanitizer
//! learned about it.

use super::word::Seen;
use crate::json;
use crate::schema::Field;

pub(crate) use json::{Arena, ArenaVec, JsonProblem, Num, NumValue, Text};

/// What the sanitizer keeps in an entry: `field` is the schema field the
/// key names, when the sanitizer put it there (so that later steps need
/// not look it up), and `clean` tells that the value, kept as given, was
/// found to hold nothing the scan acts on and to be valid for its field
/// (so that the scan need not read it again). An entry made by replacing
/// another is never clean. `seen`, when the walk set it, tells what the
/// echo search needs to know of the value as it stands (see [`Seen`]);
/// whatever replaces the value clears it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Mark {
    pub(crate) field: Option<&'static Field>,
    pub(crate) clean: bool,
    pub(crate) seen: Option<Seen>,
}

impl json::Mark for Mark {
    const NONE: Self = Mark {
        field: None,
        clean: false,
        seen: None,
    };
}

/// A value of the request tree.
pub(crate) type Val<'a> = json::Val<'a, Mark>;
/// An object of the request tree.
pub(crate) type Obj<'a> = json::Obj<'a, Mark>;

/// Parses a request body into the request tree (see
/// [`json::parse_object`]); no entry is clean or names a field yet.
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
        self.insert_with(
            key,
            value,
            Mark {
                field,
                clean: false,
                seen: None,
            },
        )
    }
}
