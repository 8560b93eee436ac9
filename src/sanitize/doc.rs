//! Strict JSON for requests: one pass over the bytes into a borrowed tree,
//! and the writer for what leaves.
//!
//! The reader refuses what could let two parsers disagree about a request:
//! duplicate keys (compared after unescaping), invalid UTF-8, lone
//! surrogates, control characters in strings, numbers out of the `f64` range,
//! more than 127 containers nested (the top object included), and anything
//! after the object. Strings without escapes and numbers are borrowed from
//! the input; objects are kept sorted by key bytes, the order txveil reads
//! and writes them in. No error carries request content.
//!
//! The writer produces compact JSON: strings escaped as JSON requires (and
//! nothing else), numbers in their shortest round-trip form. A string read
//! without escapes and a number already in that form are copied as bytes.
//!
//! Objects, arrays and the strings made while sanitizing live in an
//! [`Arena`] that outlives the tree: nothing in a tree owns memory outside
//! it, so a finished tree need not be dropped (the sanitizer forgets it),
//! and its memory is reused by the next request in one reset.

use super::word::{self, Seen};
use crate::schema::Field;
use std::borrow::Cow;

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
/// backslash or control character in, or a schema name), so it is written
/// as it is. Texts compare by their strings alone.
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
    /// A text that needs no escaping: a schema name or a string the reader
    /// found without escapes.
    pub(crate) fn plain(s: &'a str) -> Self {
        Self { s, plain: true }
    }
    pub(crate) fn as_str(&self) -> &'a str {
        self.s
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        same_key(self.s, other.s)
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

/// A JSON value read from a request or made by sanitizing.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Num(Num<'a>),
    Str(Text<'a>),
    Arr(ArenaVec<'a, Val<'a>>),
    Obj(Obj<'a>),
}

impl<'a> Val<'a> {
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
pub(crate) struct Obj<'a> {
    entries: ArenaVec<'a, Entry<'a>>,
}

/// One key and its value; `field` is the schema field the key names, when
/// the sanitizer put it there (so that later steps need not look it up),
/// and `clean` tells that the value, kept as given, was found to hold
/// nothing the scan acts on and to be valid for its field (so that the
/// scan need not read it again). An entry made by replacing another is
/// never clean. `seen`, when the walk set it, tells what the echo search
/// needs to know of the value as it stands (see [`Seen`]); whatever
/// replaces the value clears it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry<'a> {
    pub(crate) key: Text<'a>,
    pub(crate) val: Val<'a>,
    pub(crate) field: Option<&'static Field>,
    pub(crate) clean: bool,
    pub(crate) seen: Option<Seen>,
}

impl Entry<'_> {
    /// An entry with an empty key and a null value, to be filled in place.
    const BLANK: Self = Entry {
        key: Text { s: "", plain: true },
        val: Val::Null,
        field: None,
        clean: false,
        seen: None,
    };
}

impl<'a> Obj<'a> {
    pub(crate) fn with_capacity_in(n: usize, arena: &'a Arena) -> Self {
        Self {
            entries: ArenaVec::with_capacity_in(n, arena),
        }
    }
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|e| key_order(e.key.as_str(), key))
    }
    pub(crate) fn get(&self, key: &str) -> Option<&Val<'a>> {
        self.find(key).ok().map(|i| &self.entries[i].val)
    }
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Val<'a>> {
        self.find(key).ok().map(|i| &mut self.entries[i].val)
    }
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }
    /// Sets `key`; returns the value it replaces.
    pub(crate) fn insert(&mut self, key: Text<'a>, value: Val<'a>) -> Option<Val<'a>> {
        self.insert_marked(key, value, false)
    }
    /// Sets `key`, its entry naming the schema `field` (see [`Entry`]);
    /// returns the value it replaces.
    pub(crate) fn insert_field(
        &mut self,
        key: Text<'a>,
        value: Val<'a>,
        field: Option<&'static Field>,
    ) -> Option<Val<'a>> {
        self.put(Entry {
            key,
            val: value,
            field,
            clean: false,
            seen: None,
        })
    }
    /// Sets `key`, its entry marked `clean` (see [`Entry`]); returns the
    /// value it replaces.
    pub(crate) fn insert_marked(
        &mut self,
        key: Text<'a>,
        value: Val<'a>,
        clean: bool,
    ) -> Option<Val<'a>> {
        self.put(Entry {
            key,
            val: value,
            field: None,
            clean,
            seen: None,
        })
    }
    /// The entries, in key order.
    pub(crate) fn entries(&self) -> &[Entry<'a>] {
        &self.entries
    }
    fn put(&mut self, entry: Entry<'a>) -> Option<Val<'a>> {
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
    pub(crate) fn remove(&mut self, key: &str) -> Option<Val<'a>> {
        self.find(key).ok().map(|i| self.entries.remove(i).val)
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// The entries themselves, for a change that keeps them sorted and
    /// unique (transforming values, taking entries out).
    pub(crate) fn entries_mut(&mut self) -> &mut ArenaVec<'a, Entry<'a>> {
        &mut self.entries
    }
}

/// Key order: by bytes, deciding on the first byte where it can (the usual
/// case for field names) before comparing the rest.
pub(crate) fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match (a.first(), b.first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => bytes_order(a, b),
    }
}

/// The order of two byte strings, as `Ord` for slices gives it, compared
/// eight bytes at a time in place (keys are short: a call to `memcmp`
/// costs more than the comparison).
pub(crate) fn bytes_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
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

/// Whether two keys are equal, compared as [`bytes_order`] compares them:
/// in place, without a call to `memcmp` (for strings this short the call
/// and its branches on the length cost more than the comparison).
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && bytes_order(a.as_bytes(), b.as_bytes()).is_eq()
}

/// The first eight bytes of a key, zero-padded, as a big-endian word: keys
/// with different words order as their words do; keys with the same word
/// need their bytes compared (unless both are at most eight bytes long and
/// of the same length: then they are equal).
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
pub(crate) fn same_word_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match a.len() {
        n if n != b.len() || n > 16 => bytes_order(a, b),
        0..=8 => std::cmp::Ordering::Equal,
        n => key_word(&a[n - 8..]).cmp(&key_word(&b[n - 8..])),
    }
}

// === Reading ===

/// Length of the longest prefix of `b` that a JSON string holds as is: no
/// `"`, `\\` or control character. Eight bytes at a time.
fn plain_run(b: &[u8]) -> usize {
    let mut i = 0;
    for chunk in b.chunks_exact(8) {
        if let Some(at) = word::first_string_stop(word::word(chunk)) {
            return i + at;
        }
        i += 8;
    }
    i + b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .unwrap_or(b.len() - i)
}

/// Parses a request body into a JSON object in `arena`, refusing duplicate
/// keys.
pub(crate) fn parse_object<'a>(bytes: &'a [u8], arena: &'a Arena) -> Result<Obj<'a>, JsonProblem> {
    let text = std::str::from_utf8(bytes).map_err(|_| JsonProblem::Syntax)?;
    let mut p = Reader {
        s: text,
        b: bytes,
        i: 0,
        depth: 0,
        arena,
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

struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
    arena: &'a Arena,
}

impl<'a> Reader<'a> {
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
    /// already in its container): a value returned and then moved into
    /// place was written and read back in pieces of different widths, which
    /// the processor cannot forward from store to load.
    fn value_into(&mut self, out: &mut Val<'a>) -> Result<(), JsonProblem> {
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

    fn object(&mut self) -> Result<Obj<'a>, JsonProblem> {
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

    fn array(&mut self) -> Result<ArenaVec<'a, Val<'a>>, JsonProblem> {
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
pub(crate) fn write_obj(out: &mut Vec<u8>, o: &Obj<'_>) {
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

fn write_val(out: &mut Vec<u8>, v: &Val<'_>) {
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

/// A JSON string: `"`, `\` and control characters escaped, nothing else.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
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
            out.push(HEX[usize::from(c >> 4)]);
            out.push(HEX[usize::from(c & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        at = i + 1;
    }
    out.extend_from_slice(&b[at..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn roundtrip(input: &str) -> Result<String, JsonProblem> {
        let arena = Arena::new();
        let o = parse_object(input.as_bytes(), &arena)?;
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
        let m = parse_object(br#"{"a":{"b":[1,2.5,"x",null,true]}}"#, &arena).unwrap();
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
            parse_object(br#"{"a":1,"a":2}"#, &Arena::new()),
            Err(JsonProblem::DuplicateKey)
        );
        assert_eq!(
            parse_object(br#"{"x":[{"k":1,"k":1}]}"#, &Arena::new()),
            Err(JsonProblem::DuplicateKey)
        );
        // The same key spelled with an escape is still the same key.
        assert_eq!(
            parse_object(br#"{"ab":1,"a\u0062":2}"#, &Arena::new()),
            Err(JsonProblem::DuplicateKey)
        );
    }

    #[test]
    fn refuses_non_objects_and_garbage() {
        assert_eq!(
            parse_object(b"[1]", &Arena::new()),
            Err(JsonProblem::NotAnObject)
        );
        assert_eq!(
            parse_object(b"\"s\"", &Arena::new()),
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
                parse_object(bad, &Arena::new()),
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
                parse_object(doc.as_bytes(), &Arena::new()).is_ok(),
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

    proptest::proptest! {
        #[test]
        fn key_words_order_and_match_as_keys_do(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12),
            shared in 0usize..12,
            tail in proptest::collection::vec(0u8..3, 0..6),
        ) {
            // Keys sharing a prefix (NULs and short tails included).
            let mut b = a[..shared.min(a.len())].to_vec();
            b.extend(tail);
            let (wa, wb) = (key_word(&a), key_word(&b));
            if wa != wb {
                proptest::prop_assert_eq!(wa < wb, a < b);
            } else if a.len() == b.len() && a.len() <= 8 {
                proptest::prop_assert_eq!(&a, &b);
            }
        }

        #[test]
        fn keys_order_as_their_bytes_do(
            head in proptest::collection::vec(0u8..3, 0..20),
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20),
            b in proptest::collection::vec(0u8..3, 0..20),
        ) {
            // Byte strings sharing a prefix of any length, with tails of
            // any length and bytes on both sides of the prefix's.
            let (a, b) = ([&head[..], &a].concat(), [&head[..], &b].concat());
            proptest::prop_assert_eq!(bytes_order(&a, &b), a.cmp(&b));
            proptest::prop_assert_eq!(bytes_order(&b, &a), b.cmp(&a));
            proptest::prop_assert_eq!(bytes_order(&a, &a), std::cmp::Ordering::Equal);
            if let (Ok(a), Ok(b)) = (std::str::from_utf8(&a), std::str::from_utf8(&b)) {
                proptest::prop_assert_eq!(key_order(a, b), a.cmp(b));
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
                proptest::prop_assert_eq!(same_word_order(&a, &b), a.cmp(&b));
            }
        }
    }
}
