//! The strict JSON codec: one pass over a request's bytes into a borrowed
//! tree, and the writer for what leaves. It knows JSON and nothing of
//! minFraud: no schema, no policy, no detector (it imports nothing of
//! txveil but its own submodules), so it can be read and tested alone.
//!
//! # Reading
//!
//! [`parse_object`] refuses what could let two parsers disagree about a
//! request: duplicate keys (compared after unescaping), invalid UTF-8,
//! lone surrogates (escaped or not), control characters in strings,
//! numbers out of the `f64` range, more than 127 containers nested (the
//! top object included, as serde_json counts), and anything after the
//! object. Strings without escapes and numbers are borrowed from the
//! input; objects are kept sorted by key bytes ([`key::key_order`]), the
//! order txveil reads and writes them in. No error carries request content.
//!
//! # Writing
//!
//! [`write_obj`] and [`write_str`] produce compact JSON: strings escaped
//! as JSON requires (`"`, `\` and control characters, as serde_json
//! writes them) and nothing else, numbers in their shortest round-trip
//! form. A string read without escapes and a number already in that form
//! are copied as bytes.
//!
//! # Invariants the tests check against the plain definitions
//!
//! - A body reads as an object exactly when serde_json reads it as one,
//!   and then writes exactly as serde_json writes that object with sorted
//!   keys; any other body is refused, duplicate keys with
//!   [`JsonProblem::DuplicateKey`].
//! - [`write_str`] writes what `serde_json::to_string` writes for a string.
//! - The word tricks in [`word`] and the key comparisons in [`key`] give
//!   the answers of the byte loops and `Ord`/`==` they replace.
//!
//! # Memory
//!
//! Objects, arrays and the strings made while sanitizing live in an
//! [`Arena`] that outlives the tree: nothing in a tree owns memory outside
//! it, so a finished tree need not be dropped (its owner may forget it),
//! and its memory is reused by the next request in one reset.
//!
//! Each object entry carries a caller's [`Mark`] beside its key and
//! value: the reader sets it to [`Mark::NONE`], and the codec never reads
//! it. The sanitizer keeps what it learned about an entry there.

pub(crate) mod key;
pub(crate) mod word;

use key::key_order;
use std::borrow::Cow;
use word::plain_run;

/// Where a request's tree lives.
pub(crate) type Arena = bumpalo::Bump;

/// A vector in the arena.
pub(crate) type ArenaVec<'a, T> = bumpalo::collections::Vec<'a, T>;

/// Why a body is not an acceptable JSON request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    /// Not JSON at all: syntax, encoding, or too deeply nested.
    Syntax,
    /// An object has the same key twice.
    DuplicateKey,
    /// The top level is valid JSON but not an object.
    NotAnObject,
}

/// Containers allowed inside one another, the top object included.
const MAX_DEPTH: usize = 127;

/// A JSON string: a slice of the input when the input had no escapes, or
/// a string in the arena.
///
/// A plain text never needs escaping when written (it is a string the
/// reader found without escapes, which strict JSON cannot hold a quote,
/// backslash or control character in, or a name the caller vouches for,
/// such as a schema field name), so it is written as it is. Texts compare
/// by their strings alone.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Text<'a> {
    s: &'a str,
    plain: bool,
}

impl<'a> Text<'a> {
    /// A copy of `s` in the arena, escaped when written.
    pub(crate) fn new_in(arena: &'a Arena, s: &str) -> Self {
        Self {
            s: arena.alloc_str(s),
            plain: false,
        }
    }
    /// A text that needs no escaping: a name from the caller's tables or a
    /// string the reader found without escapes.
    pub(crate) fn plain(s: &'a str) -> Self {
        Self { s, plain: true }
    }
    pub(crate) fn as_str(&self) -> &'a str {
        self.s
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        key::same_key(self.s, other.s)
    }
}

impl Eq for Text<'_> {}

/// A JSON number: its text as written and what it reads as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Num<'a> {
    raw: &'a str,
    value: NumValue,
}

/// The number a JSON number reads as: an integer when it is written as one
/// and fits, otherwise a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum NumValue {
    /// A non-negative integer that fits `u64`.
    U(u64),
    /// A negative integer that fits `i64`.
    I(i64),
    /// Everything else (fractions, exponents, `-0`, integers too large).
    F(f64),
}

impl<'a> Num<'a> {
    /// The number as written in the request.
    pub(crate) fn raw(&self) -> &'a str {
        self.raw
    }

    pub(crate) fn value(&self) -> NumValue {
        self.value
    }
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self.value {
            NumValue::U(u) => Some(u),
            _ => None,
        }
    }
    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn as_f64(&self) -> f64 {
        match self.value {
            NumValue::U(u) => u as f64,
            NumValue::I(i) => i as f64,
            NumValue::F(f) => f,
        }
    }
    /// The number as txveil writes it (shortest round-trip form).
    pub(crate) fn text(&self) -> Cow<'a, str> {
        match self.value {
            NumValue::U(_) | NumValue::I(_) => Cow::Borrowed(self.raw),
            NumValue::F(_) if shortest_form(self.raw) => Cow::Borrowed(self.raw),
            NumValue::F(f) => Cow::Owned(
                serde_json::Number::from_f64(f).map_or_else(String::new, |n| n.to_string()),
            ),
        }
    }
}

/// Whether a number written with a fraction is already in the form the
/// writer would give it: no exponent, at most 15 significant digits (so the
/// text is the shortest that reads back as the same `f64`), no trailing zero
/// except a lone `.0`, and at least 0.1 (smaller magnitudes may be written
/// with an exponent).
fn shortest_form(raw: &str) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let Some((int, frac)) = digits.split_once('.') else {
        return false;
    };
    let b = frac.as_bytes();
    !frac.is_empty()
        && frac.bytes().all(|c| c.is_ascii_digit())
        && int.len() + frac.len() <= 15
        && (int != "0" || b[0] != b'0')
        && (b[b.len() - 1] != b'0' || frac == "0")
        && !(int == "0" && frac == "0")
}

/// What the caller keeps in each object entry beside its key and value
/// (see [`Entry`]); `()` when it keeps nothing.
pub(crate) trait Mark: Copy + std::fmt::Debug + PartialEq {
    /// The mark of an entry the reader made or the caller inserted plainly.
    const NONE: Self;
}

impl Mark for () {
    const NONE: Self = ();
}

/// A JSON value read from a request or made by its reader's caller; `M`
/// is what the caller marks object entries with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val<'a, M: Mark = ()> {
    Null,
    Bool(bool),
    Num(Num<'a>),
    Str(Text<'a>),
    Arr(ArenaVec<'a, Val<'a, M>>),
    Obj(Obj<'a, M>),
}

impl<'a, M: Mark> Val<'a, M> {
    /// A string value, copied into the arena.
    pub(crate) fn str_in(arena: &'a Arena, s: &str) -> Self {
        Val::Str(Text::new_in(arena, s))
    }
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(t) => Some(t.as_str()),
            _ => None,
        }
    }
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }
}

/// An object, its entries sorted by key bytes, keys unique.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Obj<'a, M: Mark = ()> {
    entries: ArenaVec<'a, Entry<'a, M>>,
}

/// One key, its value, and the caller's mark (see [`Mark`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry<'a, M: Mark = ()> {
    pub(crate) key: Text<'a>,
    pub(crate) val: Val<'a, M>,
    pub(crate) mark: M,
}

impl<M: Mark> Entry<'_, M> {
    /// An entry with an empty key and a null value, to be filled in place.
    const BLANK: Self = Entry {
        key: Text { s: "", plain: true },
        val: Val::Null,
        mark: M::NONE,
    };
}

impl<'a, M: Mark> Obj<'a, M> {
    pub(crate) fn with_capacity_in(n: usize, arena: &'a Arena) -> Self {
        Self {
            entries: ArenaVec::with_capacity_in(n, arena),
        }
    }
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|e| key_order(e.key.as_str(), key))
    }
    pub(crate) fn get(&self, key: &str) -> Option<&Val<'a, M>> {
        self.find(key).ok().map(|i| &self.entries[i].val)
    }
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }
    /// Sets `key`, its entry marked [`Mark::NONE`]; returns the value it
    /// replaces.
    pub(crate) fn insert(&mut self, key: Text<'a>, value: Val<'a, M>) -> Option<Val<'a, M>> {
        self.insert_with(key, value, M::NONE)
    }
    /// Sets `key`, its entry marked `mark`; returns the value it replaces.
    pub(crate) fn insert_with(
        &mut self,
        key: Text<'a>,
        value: Val<'a, M>,
        mark: M,
    ) -> Option<Val<'a, M>> {
        self.put(Entry {
            key,
            val: value,
            mark,
        })
    }
    /// The entries, in key order.
    pub(crate) fn entries(&self) -> &[Entry<'a, M>] {
        &self.entries
    }
    fn put(&mut self, entry: Entry<'a, M>) -> Option<Val<'a, M>> {
        // Keys mostly arrive in order: try the end first.
        match self.entries.last() {
            Some(last) if key_order(last.key.as_str(), entry.key.as_str()).is_ge() => {
                match self.find(entry.key.as_str()) {
                    Ok(i) => Some(std::mem::replace(&mut self.entries[i], entry).val),
                    Err(i) => {
                        self.entries.insert(i, entry);
                        None
                    }
                }
            }
            _ => {
                self.entries.push(entry);
                None
            }
        }
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// The entries themselves, for a change that keeps them sorted and
    /// unique (transforming values, taking entries out).
    pub(crate) fn entries_mut(&mut self) -> &mut ArenaVec<'a, Entry<'a, M>> {
        &mut self.entries
    }
}

// === Reading ===

/// Parses a request body into a JSON object in `arena`, refusing duplicate
/// keys; every entry is marked [`Mark::NONE`].
pub(crate) fn parse_object<'a, M: Mark>(
    bytes: &'a [u8],
    arena: &'a Arena,
) -> Result<Obj<'a, M>, JsonProblem> {
    let text = std::str::from_utf8(bytes).map_err(|_| JsonProblem::Syntax)?;
    let mut p = Reader {
        s: text,
        b: bytes,
        i: 0,
        depth: 0,
        arena,
        mark: std::marker::PhantomData,
    };
    p.blank();
    let mut value = Val::Null;
    p.value_into(&mut value)?;
    p.blank();
    if p.i != p.b.len() {
        return Err(JsonProblem::Syntax);
    }
    match value {
        Val::Obj(o) => Ok(o),
        _ => Err(JsonProblem::NotAnObject),
    }
}

/// The reader's place in the input. Invariant: `s` and `b` are the same
/// input (as text and as bytes), and `depth` counts the containers open
/// at `i`.
struct Reader<'a, M> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
    arena: &'a Arena,
    mark: std::marker::PhantomData<M>,
}

impl<'a, M: Mark> Reader<'a, M> {
    fn blank(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> Result<(), JsonProblem> {
        if self.b[self.i..].starts_with(lit) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(JsonProblem::Syntax)
        }
    }

    /// Reads a value into `out`, where it is to stay (an entry or item
    /// already in its container), so that the value is written once, in
    /// place, rather than built and then moved.
    fn value_into(&mut self, out: &mut Val<'a, M>) -> Result<(), JsonProblem> {
        let value = match self.b.get(self.i) {
            Some(b'{') => Val::Obj(self.object()?),
            Some(b'[') => Val::Arr(self.array()?),
            Some(b'"') => Val::Str(self.string()?),
            Some(b't') => {
                self.eat(b"true")?;
                Val::Bool(true)
            }
            Some(b'f') => {
                self.eat(b"false")?;
                Val::Bool(false)
            }
            Some(b'n') => {
                self.eat(b"null")?;
                Val::Null
            }
            Some(b'-' | b'0'..=b'9') => Val::Num(self.number()?),
            _ => return Err(JsonProblem::Syntax),
        };
        // `out` holds the null it was made with: it is replaced without a
        // call to drop it (everything a value holds lives in the arena).
        std::mem::forget(std::mem::replace(out, value));
        Ok(())
    }

    fn enter(&mut self) -> Result<(), JsonProblem> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(JsonProblem::Syntax);
        }
        self.i += 1;
        self.blank();
        Ok(())
    }

    /// After an item of a container closed by `close`: true on `,` (another
    /// item follows), false on `close`.
    fn more(&mut self, close: u8) -> Result<bool, JsonProblem> {
        self.blank();
        match self.b.get(self.i) {
            Some(b',') => {
                self.i += 1;
                self.blank();
                Ok(true)
            }
            Some(&c) if c == close => {
                self.i += 1;
                Ok(false)
            }
            _ => Err(JsonProblem::Syntax),
        }
    }

    fn object(&mut self) -> Result<Obj<'a, M>, JsonProblem> {
        self.enter()?;
        let mut entries = ArenaVec::with_capacity_in(12, self.arena);
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Obj { entries });
        }
        loop {
            if self.b.get(self.i) != Some(&b'"') {
                return Err(JsonProblem::Syntax);
            }
            let key = self.string()?;
            self.blank();
            if self.b.get(self.i) != Some(&b':') {
                return Err(JsonProblem::Syntax);
            }
            self.i += 1;
            self.blank();
            // A constant entry is stored in place; the key and value are
            // then written into it (see `value_into`).
            entries.push(Entry::BLANK);
            let at = entries.len() - 1;
            entries[at].key = key;
            self.value_into(&mut entries[at].val)?;
            if !self.more(b'}')? {
                break;
            }
        }
        self.depth -= 1;
        let sorted = entries
            .windows(2)
            .all(|w| key_order(w[0].key.as_str(), w[1].key.as_str()).is_lt());
        if !sorted {
            entries.sort_unstable_by(|a, b| key_order(a.key.as_str(), b.key.as_str()));
            if entries.windows(2).any(|w| w[0].key == w[1].key) {
                return Err(JsonProblem::DuplicateKey);
            }
        }
        Ok(Obj { entries })
    }

    fn array(&mut self) -> Result<ArenaVec<'a, Val<'a, M>>, JsonProblem> {
        self.enter()?;
        let mut items = ArenaVec::with_capacity_in(4, self.arena);
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(items);
        }
        loop {
            items.push(Val::Null);
            let at = items.len() - 1;
            self.value_into(&mut items[at])?;
            if !self.more(b']')? {
                break;
            }
        }
        self.depth -= 1;
        Ok(items)
    }

    /// A string starting at the opening quote. Inlined where keys and
    /// values are read, since every key and string of a request passes here.
    #[inline(always)]
    fn string(&mut self) -> Result<Text<'a>, JsonProblem> {
        self.i += 1;
        let start = self.i;
        self.i += plain_run(&self.b[self.i..]);
        match self.b.get(self.i) {
            Some(b'"') => {
                let s = self.s.get(start..self.i).ok_or(JsonProblem::Syntax)?;
                self.i += 1;
                return Ok(Text::plain(s));
            }
            Some(b'\\') => {}
            _ => return Err(JsonProblem::Syntax),
        }
        let mut out =
            bumpalo::collections::String::with_capacity_in(self.i - start + 16, self.arena);
        out.push_str(self.s.get(start..self.i).ok_or(JsonProblem::Syntax)?);
        loop {
            let run = self.i;
            self.i += plain_run(&self.b[self.i..]);
            out.push_str(self.s.get(run..self.i).ok_or(JsonProblem::Syntax)?);
            match self.b.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Text {
                        s: out.into_bump_str(),
                        plain: false,
                    });
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.b.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err(JsonProblem::Syntax),
                    };
                    self.i += 1;
                    out.push(c);
                }
                _ => return Err(JsonProblem::Syntax),
            }
        }
    }

    /// `\uXXXX` (with `self.i` on the `u`), a surrogate pair taken whole;
    /// leaves `self.i` on the last hex digit.
    fn unicode_escape(&mut self) -> Result<char, JsonProblem> {
        let first = self.hex4(self.i + 1)?;
        self.i += 4;
        match first {
            0xD800..=0xDBFF => {
                if self.b.get(self.i + 1..self.i + 3) != Some(b"\\u") {
                    return Err(JsonProblem::Syntax);
                }
                let second = self.hex4(self.i + 3)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(JsonProblem::Syntax);
                }
                self.i += 6;
                let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                char::from_u32(c).ok_or(JsonProblem::Syntax)
            }
            _ => char::from_u32(first).ok_or(JsonProblem::Syntax),
        }
    }

    fn hex4(&self, at: usize) -> Result<u32, JsonProblem> {
        let digits = self.b.get(at..at + 4).ok_or(JsonProblem::Syntax)?;
        digits.iter().try_fold(0u32, |acc, &d| {
            let v = char::from(d).to_digit(16).ok_or(JsonProblem::Syntax)?;
            Ok(acc * 16 + v)
        })
    }

    fn digits(&mut self) -> usize {
        let from = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - from
    }

    fn number(&mut self) -> Result<Num<'a>, JsonProblem> {
        let start = self.i;
        let negative = self.b[self.i] == b'-';
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        let int_len = self.digits();
        if int_len == 0 || (int_len > 1 && self.b[int_start] == b'0') {
            return Err(JsonProblem::Syntax);
        }
        let mut integer = true;
        if self.b.get(self.i) == Some(&b'.') {
            integer = false;
            self.i += 1;
            if self.digits() == 0 {
                return Err(JsonProblem::Syntax);
            }
        }
        let mut exponent = false;
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            integer = false;
            exponent = true;
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(JsonProblem::Syntax);
            }
        }
        let raw = self.s.get(start..self.i).ok_or(JsonProblem::Syntax)?;
        let value = if integer {
            let magnitude = raw[usize::from(negative)..].parse::<u64>().ok();
            match (negative, magnitude) {
                (false, Some(u)) => NumValue::U(u),
                (true, Some(m)) if (1..=1u64 << 63).contains(&m) => {
                    NumValue::I(0i64.wrapping_sub_unsigned(m))
                }
                _ => NumValue::F(float(raw, exponent)?),
            }
        } else {
            NumValue::F(float(raw, exponent)?)
        };
        Ok(Num { raw, value })
    }
}

/// The `f64` of a number's text, as serde_json reads it: short decimals
/// (exact either way) by the standard library, the rest by serde_json itself.
fn float(raw: &str, exponent: bool) -> Result<f64, JsonProblem> {
    let digits = raw.bytes().filter(u8::is_ascii_digit).count();
    let f = if !exponent && digits <= 15 {
        raw.parse::<f64>().map_err(|_| JsonProblem::Syntax)?
    } else {
        serde_json::from_str::<f64>(raw).map_err(|_| JsonProblem::Syntax)?
    };
    if f.is_finite() {
        Ok(f)
    } else {
        Err(JsonProblem::Syntax)
    }
}

// === Writing ===

/// Appends `o` as compact JSON.
pub(crate) fn write_obj<M: Mark>(out: &mut Vec<u8>, o: &Obj<'_, M>) {
    out.push(b'{');
    for (i, e) in o.entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_text(out, &e.key);
        out.push(b':');
        // Strings, the most common values, without a call.
        match &e.val {
            Val::Str(t) => write_text(out, t),
            v => write_val(out, v),
        }
    }
    out.push(b'}');
}

fn write_val<M: Mark>(out: &mut Vec<u8>, v: &Val<'_, M>) {
    match v {
        Val::Null => out.extend_from_slice(b"null"),
        Val::Bool(true) => out.extend_from_slice(b"true"),
        Val::Bool(false) => out.extend_from_slice(b"false"),
        Val::Num(n) => out.extend_from_slice(n.text().as_bytes()),
        Val::Str(t) => write_text(out, t),
        Val::Arr(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_val(out, item);
            }
            out.push(b']');
        }
        Val::Obj(o) => write_obj(out, o),
    }
}

/// Writes a text: a plain one as it is (see [`Text`]), any other escaped.
/// Inlined into its two callers: it runs for every key and string written.
#[inline]
fn write_text(out: &mut Vec<u8>, t: &Text<'_>) {
    if !t.plain {
        return write_str(out, t.s);
    }
    debug_assert_eq!(plain_run(t.s.as_bytes()), t.s.len());
    out.push(b'"');
    out.extend_from_slice(t.s.as_bytes());
    out.push(b'"');
}

/// A JSON string: `"`, `\` and control characters escaped, nothing else
/// (the short escapes where JSON has them, `\u00XX` otherwise, as
/// serde_json writes them).
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let b = s.as_bytes();
    let plain = plain_run(b);
    out.extend_from_slice(&b[..plain]);
    let mut at = plain;
    for (i, &c) in b.iter().enumerate().skip(plain) {
        let escape: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => &[],
            _ => continue,
        };
        out.extend_from_slice(&b[at..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&hex_byte(c));
        } else {
            out.extend_from_slice(escape);
        }
        at = i + 1;
    }
    out.extend_from_slice(&b[at..]);
    out.push(b'"');
}

/// Lowercase hexadecimal digits, as the writer's `\u00XX` escapes and
/// txveil's digests use them.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The two lowercase hex digits of a byte.
fn hex_byte(b: u8) -> [u8; 2] {
    [
        HEX_DIGITS[usize::from(b >> 4)],
        HEX_DIGITS[usize::from(b & 0xf)],
    ]
}

/// Lowercase hex of `bytes` (digests, request ids).
pub(crate) fn hex(bytes: &[u8]) -> String {
    let out: Vec<u8> = bytes.iter().flat_map(|&b| hex_byte(b)).collect();
    // Hex digits are ASCII.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reader with entries marked by nothing.
    fn parse<'a>(bytes: &'a [u8], arena: &'a Arena) -> Result<Obj<'a>, JsonProblem> {
        parse_object(bytes, arena)
    }

    fn roundtrip(input: &str) -> Result<String, JsonProblem> {
        let arena = Arena::new();
        let o = parse(input.as_bytes(), &arena)?;
        let mut out = Vec::new();
        write_obj(&mut out, &o);
        Ok(String::from_utf8(out).unwrap())
    }

    fn serde_roundtrip(input: &str) -> Option<String> {
        match serde_json::from_str::<serde_json::Value>(input) {
            Ok(v @ serde_json::Value::Object(_)) => Some(serde_json::to_string(&v).unwrap()),
            _ => None,
        }
    }

    #[test]
    fn parses_objects() {
        let arena = Arena::new();
        let m = parse(br#"{"a":{"b":[1,2.5,"x",null,true]}}"#, &arena).unwrap();
        let Some(Val::Obj(a)) = m.get("a") else {
            panic!("an object")
        };
        let Some(Val::Arr(b)) = a.get("b") else {
            panic!("an array")
        };
        assert!(matches!(b[1], Val::Num(n) if n.as_f64() == 2.5));
    }

    #[test]
    fn refuses_duplicate_keys_at_any_depth() {
        assert_eq!(
            parse(br#"{"a":1,"a":2}"#, &Arena::new()),
            Err(JsonProblem::DuplicateKey)
        );
        assert_eq!(
            parse(br#"{"x":[{"k":1,"k":1}]}"#, &Arena::new()),
            Err(JsonProblem::DuplicateKey)
        );
        // The same key spelled with an escape is still the same key.
        assert_eq!(
            parse(br#"{"ab":1,"a\u0062":2}"#, &Arena::new()),
            Err(JsonProblem::DuplicateKey)
        );
    }

    #[test]
    fn refuses_non_objects_and_garbage() {
        assert_eq!(parse(b"[1]", &Arena::new()), Err(JsonProblem::NotAnObject));
        assert_eq!(
            parse(b"\"s\"", &Arena::new()),
            Err(JsonProblem::NotAnObject)
        );
        for bad in [
            &b"{"[..],
            b"{} x",
            b"{\"a\":\"\xff\"}",
            br#"{"a":"\ud800"}"#,
            br#"{"a":"\udc00"}"#,
            br#"{"a":"\ud800\u0041"}"#,
            b"\xef\xbb\xbf{}",
            b"",
            b"{\"a\":01}",
            b"{\"a\":1.}",
            b"{\"a\":.5}",
            b"{\"a\":1e}",
            b"{\"a\":1e400}",
            b"{\"a\":-}",
            b"{\"a\":\"\x01\"}",
            b"{\"a\":\"\\x\"}",
            b"{\"a\":tru}",
            b"{\"a\":1,}",
            b"{,}",
            b"{\"a\" 1}",
        ] {
            assert_eq!(
                parse(bad, &Arena::new()),
                Err(JsonProblem::Syntax),
                "{bad:?}"
            );
            assert!(
                serde_json::from_slice::<serde_json::Value>(bad).map_or(true, |v| !v.is_object())
            );
        }
    }

    #[test]
    fn nesting_limit_is_serde_jsons() {
        for depth in [126, 127, 128, 129, 100_000] {
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let doc = format!("{{\"a\":{deep}}}");
            assert_eq!(
                parse(doc.as_bytes(), &Arena::new()).is_ok(),
                serde_json::from_str::<serde_json::Value>(&doc).is_ok(),
                "depth {depth}"
            );
        }
    }

    #[test]
    fn writes_as_serde_json_does() {
        for input in [
            r#"{"b":1,"a":[true,false,null,-0,-0.0,0.0,1.0,100.50,1e2,1E-7,0.05,0.0001,123456789012345.6,18446744073709551616,-9223372036854775808,-9223372036854775809]}"#,
            r#"{"s":"a\"b\\c\/d\u0001\u001f\u007f\n\t\r\b\f é \ud83d\ude00"}"#,
            r#"{"":{},"z":[],"é":"x","e":{"y":1,"x":2}}"#,
        ] {
            assert_eq!(roundtrip(input).ok(), serde_roundtrip(input), "{input}");
        }
    }

    fn number() -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            "(0|[1-9][0-9]{0,22})",
            proptest::option::of("[0-9]{1,20}"),
            proptest::option::of((any::<bool>(), -330i32..330)),
        )
            .prop_map(|(neg, int, frac, exp)| {
                let mut s = String::new();
                if neg {
                    s.push('-');
                }
                s.push_str(&int);
                if let Some(f) = frac {
                    s.push('.');
                    s.push_str(&f);
                }
                if let Some((upper, e)) = exp {
                    s.push(if upper { 'E' } else { 'e' });
                    s.push_str(&e.to_string());
                }
                s
            })
    }

    proptest! {
        #[test]
        fn numbers_read_and_write_as_serde_json_does(n in number()) {
            let input = format!("{{\"n\":{n}}}");
            prop_assert_eq!(roundtrip(&input).ok(), serde_roundtrip(&input));
        }

        #[test]
        fn any_text_reads_as_serde_json_reads_it(s in "[ -~\\u{80}-\\u{10ffff}]{0,40}") {
            // Random bytes around JSON punctuation: both accept or both refuse.
            let input = format!("{{\"k\":\"{s}\"}}");
            prop_assert_eq!(roundtrip(&input).ok(), serde_roundtrip(&input));
        }

        #[test]
        fn any_value_round_trips_as_serde_json(v in json_value()) {
            let input = serde_json::to_string(&serde_json::json!({"v": v})).unwrap();
            prop_assert_eq!(roundtrip(&input).ok(), serde_roundtrip(&input));
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<f64>().prop_map(|f| serde_json::json!(f)),
            any::<i64>().prop_map(|i| serde_json::json!(i)),
            "\\PC{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("\\PC{0,6}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn strings_write_as_serde_json_writes_them(
            s in proptest::collection::vec(prop_oneof![
                4 => proptest::char::range(' ', '~'),
                1 => proptest::char::range('\0', '\u{1f}'),
                1 => Just('"'),
                1 => Just('\\'),
                1 => Just('\u{7f}'),
                1 => any::<char>(),
            ], 0..24).prop_map(|v| v.into_iter().collect::<String>()),
        ) {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn duplicate_keys_are_found_after_unescaping(
            keys in proptest::collection::vec(("[ab\u{e9}\u{1f600}]{0,3}", any::<bool>()), 1..6),
        ) {
            // Keys from a small alphabet (so that some repeat), each written
            // plainly or with every character as `\u` escapes: the reader
            // refuses exactly the objects whose keys, unescaped, repeat.
            let mut body = String::from("{");
            for (i, (k, escaped)) in keys.iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                body.push('"');
                if *escaped {
                    for unit in k.encode_utf16() {
                        body.push_str(&format!("\\u{unit:04x}"));
                    }
                } else {
                    body.push_str(k);
                }
                body.push_str("\":1");
            }
            body.push('}');
            let distinct: std::collections::BTreeSet<&str> =
                keys.iter().map(|(k, _)| k.as_str()).collect();
            let read = parse(body.as_bytes(), &Arena::new()).map(|o| o.entries().len());
            if distinct.len() == keys.len() {
                prop_assert_eq!(read, Ok(keys.len()));
            } else {
                prop_assert_eq!(read, Err(JsonProblem::DuplicateKey));
            }
        }

        #[test]
        fn hex_is_lowercase_hex(b in proptest::collection::vec(any::<u8>(), 0..20)) {
            let want: String = b.iter().map(|x| format!("{x:02x}")).collect();
            prop_assert_eq!(hex(&b), want);
        }
    }
}
