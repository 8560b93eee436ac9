//! Other readings of a string, for the detectors.
//!
//! A card number or an email address can hide behind an encoding that the
//! upstream, a log viewer or a person decodes later: `%34%31%31%31...` in a
//! URL, `&#52;` in HTML, a punycode label (`xn--9hbaaaaaaaaaaaaaa7a`, which is
//! sixteen Arabic-Indic digits), or a right-to-left override that shows
//! `1111111111111114` as `4111111111111111`. [`views`] returns each such
//! reading as a sequence of characters, every one tagged with the byte range
//! of the original string it came from, so a finding in any reading can be
//! redacted in the original.

use super::pan;
use std::ops::Range;

/// One character of a reading and the bytes of the original it stands for.
pub(crate) type Unit = (char, Span);

/// A [`Unit`] with its bytes as `usize`: what [`views_of`] and
/// [`Readings::views`] give other modules.
pub(crate) type Item = (char, Range<usize>);

/// `unit` as an [`Item`].
fn widen(unit: &Unit) -> Item {
    (unit.0, bytes(&unit.1))
}

/// Bytes of the original, held in 32 bits: a reading holds one span for
/// each character it reads, and no text read is longer than [`MAX_TEXT`].
pub(crate) type Span = Range<u32>;

/// The longest string whose readings hold its positions ([`Span`]): 4 GiB,
/// thousands of times any request limit. The detectors refuse a longer
/// string whole (`pan::find_pans_read`, `email::find::find_emails_read`)
/// instead of reading it.
pub(crate) const MAX_TEXT: usize = u32::MAX as usize;

/// Byte `i` of the original as a [`Span`] position (past [`MAX_TEXT`], which
/// is never read, the last one).
pub(crate) fn pos(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// A [`Span`] as bytes of the original.
pub(crate) fn bytes(r: &Span) -> Range<usize> {
    r.start as usize..r.end as usize
}

/// The bytes of the original that `units` stand for, whatever their order
/// (a reversed reading runs backwards through the original).
pub(crate) fn unit_origin(units: &[Unit]) -> Range<usize> {
    let start = units.iter().map(|(_, r)| r.start).min().unwrap_or(0);
    let end = units.iter().map(|(_, r)| r.end).max().unwrap_or(start);
    start as usize..end as usize
}

/// As [`unit_origin`], of [`Item`]s.
pub(crate) fn origin(items: &[Item]) -> Range<usize> {
    let start = items.iter().map(|(_, r)| r.start).min().unwrap_or(0);
    let end = items.iter().map(|(_, r)| r.end).max().unwrap_or(start);
    start..end
}

/// The smallest range holding both `a` and `b`.
pub(crate) fn cover(a: &Range<usize>, b: &Range<usize>) -> Range<usize> {
    a.start.min(b.start)..a.end.max(b.end)
}

/// Most rounds of text decoding: `%2534` is `%34` is `4`, `&amp;#52;` is
/// `&#52;` is `4`, `\\u0034` (JSON encoded twice) is `\u0034` is `4`. Text
/// encoded more often than this is not read.
pub(crate) const MAX_DECODE_ROUNDS: usize = 3;

/// Shortest run of base64 characters read as base64 (12 bytes: the shortest
/// card number).
pub(crate) const MIN_BASE64: usize = 16;
// A binary reading needs a run the facts tell of ([`word::Facts::token`]).
const _: () = assert!(MIN_BASE64 == super::word::TOKEN);

/// Shortest run of hex digits read as hex-encoded text (12 bytes).
pub(crate) const MIN_HEX: usize = 24;

/// Shortest stretch of text a base64 or hex reading must decode to before
/// it is read (the shortest card number; random bytes rarely hold twelve
/// printable characters in a row).
pub(crate) const MIN_DECODED_TEXT: usize = 12;

/// Most bytes a compressed stream in base64 is inflated to, per character
/// of its run ([`decode_compressed`]): about five times the stream's
/// bytes, what DEFLATE makes of JSON and shop notes; the bound keeps a
/// reading linear in the text, whatever the stream.
const MAX_INFLATED_PER_CHAR: usize = 4;

/// Most bytes one compressed stream is inflated to.
const MAX_INFLATED: usize = 32 * 1024;

/// Longest markup tag removed (`<span class="...">`).
const MAX_TAG: usize = 256;

/// The string as it is, as units.
pub(crate) fn units(s: &str) -> Vec<Unit> {
    let mut units = Vec::with_capacity(s.len());
    units.extend(
        s.char_indices()
            .map(|(i, c)| (c, pos(i)..pos(i + c.len_utf8()))),
    );
    units
}

/// The string as it is, as items.
pub(crate) fn items(s: &str) -> Vec<Item> {
    s.char_indices()
        .map(|(i, c)| (c, i..i + c.len_utf8()))
        .collect()
}

/// Whether `s` could read differently once decoded as text (cheap
/// pre-check, one pass over the bytes). Base64 and hex readings have their
/// own pre-check, [`has_binary_reading`].
pub(crate) fn may_have_views(s: &str) -> bool {
    (0..s.len()).any(|i| view_starts_at(s.as_bytes(), i))
}

/// Whether byte `i` of `b` starts something another reading decodes: a
/// non-ASCII byte, `%XX`, `&#` or `&name`, `xn--` (any case), a backslash
/// escape, quoted-printable `=XX` or a soft line break, a markup tag, or a
/// `+` read as a space.
pub(crate) fn view_starts_at(b: &[u8], i: usize) -> bool {
    let next = |k: usize| b.get(i + k).copied().unwrap_or(0);
    match b[i] {
        0x80.. => true,
        b'%' => {
            (next(1).is_ascii_hexdigit() && next(2).is_ascii_hexdigit())
                || (next(1) | 0x20 == b'u' && (2..6).all(|k| next(k).is_ascii_hexdigit()))
        }
        b'&' => next(1) == b'#' || next(1).is_ascii_alphabetic(),
        b'x' | b'X' => b.len() >= i + 4 && b[i..i + 4].eq_ignore_ascii_case(b"xn--"),
        b'\\' => {
            matches!(
                next(1),
                // `\u0034`, `\x34`, `\n`, RTF's `\u52?`, `\'34` and control
                // words (`\b`, `\par`), `\N{DIGIT FOUR}`.
                b'a'..=b'z' | b'U' | b'N' | b'/' | b'\\' | b'"' | b'\''
            ) || (b'0'..=b'3').contains(&next(1))
                && (b'0'..=b'7').contains(&next(2))
                && (b'0'..=b'7').contains(&next(3))
        }
        b'=' => {
            (qp_hex(next(1)) && qp_hex(next(2)))
                || next(1) == b'\n'
                || (next(1) == b'\r' && next(2) == b'\n')
        }
        b'<' => {
            next(1).is_ascii_alphabetic()
                || (next(1) == b'/' && next(2).is_ascii_alphabetic())
                || matches!(next(1), b'!' | b'?')
        }
        b'+' => plus_is_space(i.checked_sub(1).map(|p| b[p] as char), next(1) as char),
        _ => false,
    }
}

/// Upper-case hex digits, as quoted-printable writes them.
fn qp_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'A'..=b'F').contains(&b)
}

/// Whether a `+` between `before` and `after` stands for a space (as in a
/// URL query: `note=card+3782...+thanks`): always, except where it starts
/// a telephone number (`+` then a digit, at the start of a value: after
/// nothing, white space, `=`, `(` or `:`).
fn plus_is_space(before: Option<char>, after: char) -> bool {
    let value_start = match before {
        None => true,
        Some(c) => c.is_whitespace() || matches!(c, '=' | '(' | ':' | '"' | '\'' | ',' | ';' | '+'),
    };
    !(value_start && after.is_ascii_digit())
}

/// The other readings of `s`: decoded as text (each round), punycode labels
/// and quoted-printable decoded, reversed when bidi controls are present,
/// and base64 and hex stretches decoded. Empty when there are none.
#[cfg(test)]
pub(crate) fn views(s: &str) -> Vec<Vec<Unit>> {
    if !may_have_views(s) && !has_binary_candidate(s.as_bytes()) {
        return Vec::new();
    }
    unit_views_of(s, &units(s), &BinaryReading::new(s))
}

/// As [`unit_views_of`], of [`Item`]s: `base` is `items(s)`.
pub(crate) fn views_of(s: &str, base: &[Item]) -> Vec<Vec<Item>> {
    let base: Vec<Unit> = base
        .iter()
        .map(|(c, r)| (*c, pos(r.start)..pos(r.end)))
        .collect();
    unit_views_of(s, &base, &BinaryReading::new(s))
        .iter()
        .map(|view| view.iter().map(widen).collect())
        .collect()
}

/// As [`views`], with `s` already read into `base` (`units(s)`).
/// `has_binary` tells whether `s` has a base64 or hex reading (perhaps
/// known already from a pre-check).
pub(crate) fn unit_views_of(
    s: &str,
    base: &[Unit],
    has_binary: &BinaryReading<'_>,
) -> Vec<Vec<Unit>> {
    read_views(s, base, has_binary).views
}

/// Most decodings read one inside another, text decoding aside (which has
/// its own [`MAX_DECODE_ROUNDS`] after each): base64 of quoted-printable
/// of quoted-printable, hex of base64 of hex, UTF-16 base64 of
/// quoted-printable of TAG characters. Text encoded more deeply is not
/// read.
pub(crate) const MAX_NESTING: usize = 3;

/// Characters all the readings of a string hold together: this many for
/// each byte of it ([`READ_ALLOWANCE`] more). A reading of realistic text
/// is at most as long as the text, and few readings are made of it; only
/// text built so that every base64 alignment and every level decodes to
/// more text comes near. Past it no more readings are made and the
/// detectors take the whole string for what they look for
/// ([`Readings::over_budget`]): fail-closed, and still linear.
const READ_PER_BYTE: usize = 16;

/// Characters the readings of any string may hold beyond
/// [`READ_PER_BYTE`] for each of its bytes.
const READ_ALLOWANCE: usize = 4096;

/// The readings of a string, and whether making them stopped at the
/// budget ([`READ_PER_BYTE`]).
pub(crate) struct Views {
    pub(crate) views: Vec<Vec<Unit>>,
    pub(crate) over_budget: bool,
}

/// The other readings of `s` (`base`: `units(s)`), each decoding's output
/// read again by every reading.
///
/// Each reading is made of the text as it stands and of its last round
/// of text decoding ([`unescape`], at most [`MAX_DECODE_ROUNDS`] rounds:
/// `%2534`, `&amp;#52;`, markup, TAG characters): quoted-printable (as
/// written, and only the marks joining digits), punycode labels, and the
/// stretches of text its base64 and hex runs decode to (as UTF-8 and as
/// UTF-16); each of those is then read in the same way, to
/// [`MAX_NESTING`] levels. Digits drawn as strokes read as dashes, and
/// text with bidi controls read reversed, are readings of every level
/// too. Every step is one pass over what it reads, and decodings shrink
/// the text (a base64 or hex run decodes to fewer characters at each of
/// its alignments), so the work is linear in what the readings hold, and
/// that is bounded: at most [`READ_PER_BYTE`] characters for each byte of
/// `s`, past which no more are made (`over_budget`).
pub(crate) fn read_views(s: &str, base: &[Unit], has_binary: &BinaryReading<'_>) -> Views {
    let mut reader = Reader {
        out: Vec::new(),
        left: s
            .len()
            .saturating_mul(READ_PER_BYTE)
            .saturating_add(READ_ALLOWANCE),
        over_budget: false,
        seen: std::collections::HashMap::new(),
    };
    // Readings still to read in turn, shallowest first: where they are in
    // `out`, and how many more levels may be read inside them.
    let mut queue = std::collections::VecDeque::new();
    for child in reader.read(base, Some((s, has_binary)), MAX_NESTING) {
        queue.push_back((child, MAX_NESTING - 1));
    }
    while let Some((k, depth)) = queue.pop_front() {
        if reader.over_budget {
            break;
        }
        // Taken out while it is read, so that readings of it can be kept
        // beside it; put back after.
        let view = std::mem::take(&mut reader.out[k]);
        let children = reader.read(&view, None, depth);
        reader.out[k] = view;
        for child in children {
            queue.push_back((child, depth - 1));
        }
    }
    Views {
        views: reader.out,
        over_budget: reader.over_budget,
    }
}

/// The readings of a string being made ([`read_views`]).
struct Reader {
    out: Vec<Vec<Unit>>,
    /// Characters the readings may still hold.
    left: usize,
    over_budget: bool,
    /// The readings kept so far by a hash of their characters and spans:
    /// a reading the same as one kept (quoted-printable of the text and of
    /// its decoding often are) is neither kept nor read again.
    seen: std::collections::HashMap<u64, Vec<usize>>,
}

/// A hash of a reading's characters and spans, for [`Reader::seen`].
fn view_hash(view: &[Unit]) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (c, r) in view {
        (*c, r.start, r.end).hash(&mut h);
    }
    h.finish()
}

impl Reader {
    /// Keeps `view` as a reading: where it is in `out` and whether it is
    /// new (not the same as one kept before), or `None` once the readings
    /// would hold more than the budget.
    fn keep(&mut self, view: Vec<Unit>) -> Option<(usize, bool)> {
        if self.over_budget {
            return None;
        }
        let hash = view_hash(&view);
        if let Some(same) = self.seen.get(&hash) {
            if let Some(&k) = same.iter().find(|&&k| self.out[k] == view) {
                return Some((k, false));
            }
        }
        match self.left.checked_sub(view.len()) {
            Some(left) => {
                self.left = left;
                self.out.push(view);
                let k = self.out.len() - 1;
                self.seen.entry(hash).or_default().push(k);
                Some((k, true))
            }
            None => {
                self.over_budget = true;
                None
            }
        }
    }

    /// Makes the readings of `view` (`text`: the string as sent and
    /// whether it has a base64 or hex reading, when `view` is it, for the
    /// pre-checks on its bytes); `depth`: how many more decodings may be
    /// read inside it. Returns where in `out` the readings to read again
    /// are.
    fn read(
        &mut self,
        view: &[Unit],
        text: Option<(&str, &BinaryReading<'_>)>,
        depth: usize,
    ) -> Vec<usize> {
        let mut again = Vec::new();
        let text_views = text.is_none_or(|(s, _)| may_have_views(s));
        // Where in `out` the last round of text decoding is.
        let mut decoded: Option<usize> = None;
        if text_views {
            for _ in 0..MAX_DECODE_ROUNDS {
                let next = unescape(decoded.map_or(view, |k| &self.out[k][..]));
                match next {
                    Some(next) => match self.keep(next) {
                        Some((k, _)) => decoded = Some(k),
                        None => return again,
                    },
                    None => break,
                }
            }
            if let Some(dashed) = numeric_strokes_as_dashes(view) {
                self.keep(dashed);
            }
            if view.iter().any(|(c, _)| is_bidi_control(*c)) {
                self.keep(view.iter().rev().cloned().collect());
            }
        }
        if depth == 0 {
            return again;
        }
        let mut found = Vec::new();
        if text_views {
            found.extend(strip_markup(view));
        }
        for from in [None, decoded] {
            if from.is_none() && !text_views {
                continue;
            }
            let source = from.map_or(view, |k| &self.out[k][..]);
            found.extend(punycode(source));
            found.extend(quoted_printable(source, Marks::AsWritten));
            found.extend(quoted_printable(source, Marks::JoiningDigitsOnly));
        }
        for from in [None, decoded] {
            let source = from.map_or(view, |k| &self.out[k][..]);
            let candidate = match (from, text) {
                (None, Some((_, has_binary))) => has_binary.get(),
                _ => true,
            };
            if candidate {
                binary_stretches(source, &mut found);
            }
            if decoded.is_none() {
                break;
            }
        }
        for reading in found {
            match self.keep(reading) {
                Some((k, true)) => again.push(k),
                Some((_, false)) => {}
                None => break,
            }
        }
        again
    }
}

/// A string and its readings ([`unit_views_of`]), each worked out once
/// when first asked for: the card and the email detectors read the same
/// ones.
pub(crate) struct Readings<'s> {
    s: &'s str,
    base: std::cell::OnceCell<Vec<Unit>>,
    views: std::cell::OnceCell<Views>,
    /// The readings as [`Item`]s, made from `views` when first asked.
    wide: std::cell::OnceCell<Vec<Vec<Item>>>,
    binary: BinaryReading<'s>,
}

impl<'s> Readings<'s> {
    pub(crate) fn new(s: &'s str) -> Self {
        Readings {
            s,
            base: std::cell::OnceCell::new(),
            views: std::cell::OnceCell::new(),
            wide: std::cell::OnceCell::new(),
            binary: BinaryReading::new(s),
        }
    }

    /// Whether the string has a base64 or hex reading
    /// ([`has_binary_reading`]), worked out once for both detectors.
    pub(crate) fn binary(&self) -> &BinaryReading<'s> {
        &self.binary
    }

    /// The string read.
    pub(crate) fn text(&self) -> &'s str {
        self.s
    }

    /// The string as it is ([`units`]).
    pub(crate) fn base(&self) -> &[Unit] {
        self.base.get_or_init(|| units(self.s))
    }

    /// The other readings ([`read_views`]).
    pub(crate) fn unit_views(&self) -> &[Vec<Unit>] {
        &self.all_views().views
    }

    fn all_views(&self) -> &Views {
        self.views
            .get_or_init(|| read_views(self.s, self.base(), &self.binary))
    }

    /// Whether the string has more readings than its budget
    /// ([`READ_PER_BYTE`]): built to make the detectors work without
    /// end. The detectors then take it whole for what they look for.
    pub(crate) fn over_budget(&self) -> bool {
        self.all_views().over_budget
    }

    /// The other readings as [`Item`]s.
    pub(crate) fn views(&self) -> &[Vec<Item>] {
        self.wide.get_or_init(|| {
            self.unit_views()
                .iter()
                .map(|view| view.iter().map(widen).collect())
                .collect()
        })
    }
}

/// [`has_binary_reading`] of one string, worked out when first asked and
/// then remembered: the card and the email pre-checks both ask it, and on a
/// long base64 run it decodes the whole run at every alignment.
pub(crate) struct BinaryReading<'s> {
    s: &'s str,
    known: std::cell::Cell<Option<bool>>,
}

impl<'s> BinaryReading<'s> {
    pub(crate) fn new(s: &'s str) -> Self {
        BinaryReading {
            s,
            known: std::cell::Cell::new(None),
        }
    }

    pub(crate) fn get(&self) -> bool {
        if let Some(known) = self.known.get() {
            return known;
        }
        let found = has_binary_reading(self.s);
        self.known.set(Some(found));
        found
    }
}

/// Bidi embeddings, overrides, isolates and marks: what can make text show
/// in another order than it is stored.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn hex_value(c: char) -> Option<u8> {
    c.to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// The value of the `n` hex digits at the start of `items`, if they are.
fn hex_number(items: &[Unit], n: usize) -> Option<u32> {
    if items.len() < n {
        return None;
    }
    items[..n]
        .iter()
        .try_fold(0u32, |v, (c, _)| Some(v * 16 + u32::from(hex_value(*c)?)))
}

/// A reading being made from `items` in one pass: nothing is copied until
/// the first character that reads otherwise, so a pass that decodes
/// nothing (the most common answer, and every last round) allocates
/// nothing.
struct Rewrite<'a> {
    items: &'a [Unit],
    out: Vec<Unit>,
    started: bool,
}

impl<'a> Rewrite<'a> {
    fn new(items: &'a [Unit]) -> Self {
        Rewrite {
            items,
            out: Vec::new(),
            started: false,
        }
    }

    /// Unit `i` reads otherwise: the items before it are copied as they are.
    fn start(&mut self, i: usize) {
        if !self.started {
            self.out.reserve(self.items.len());
            self.out.extend_from_slice(&self.items[..i]);
            self.started = true;
        }
    }

    /// Unit `i` reads as it is.
    fn keep(&mut self, i: usize) {
        if self.started {
            self.out.push(self.items[i].clone());
        }
    }

    /// The items `range` read as they are.
    fn keep_all(&mut self, range: std::ops::Range<usize>) {
        if self.started {
            self.out.extend_from_slice(&self.items[range]);
        }
    }

    /// The reading, or `None` when nothing read otherwise.
    fn finish(self) -> Option<Vec<Unit>> {
        self.started.then_some(self.out)
    }
}

/// One round of text decoding, in one pass: `%XX` (bytes, read as UTF-8)
/// and `%uXXXX`;
/// `&#NN;` / `&#xHH;`
/// (with or without the `;`) and named references (`&commat;`); backslash
/// escapes (`\u0034` with surrogate pairs, `\u{34}`, `\x{34}`,
/// `\U00000034`, `\x34`, octal `\064` and `\o{64}`, named `\N{DIGIT FOUR}`, `\n`, `\/`,
/// `\\`, ...); markup removed (tags such as `<b>`, `<wbr>`, `</span>`, comments,
/// processing instructions and CDATA marks;
/// a tag that breaks a line or a cell reads as a space); Unicode TAG
/// characters as the ASCII they carry; and `+` as a space (see
/// [`plus_is_space`]). `None` when nothing was decoded.
fn unescape(items: &[Unit]) -> Option<Vec<Unit>> {
    let mut w = Rewrite::new(items);
    // Whether the text is RTF (`{\rtf`), worked out at its first backslash.
    let mut rtf: Option<bool> = None;
    // RTF's `\ucN` of each open group (`{` saves it, `}` restores it): how
    // many fallback units follow each `\uN`.
    let mut uc = RtfFallback::default();
    let mut bytes = Bytes::default();
    let mut comment_end = NextMark::new(&['-', '-', '>']);
    let mut instruction_end = NextMark::new(&['?', '>']);
    let mut i = 0;
    while i < items.len() {
        let (c, ref r) = items[i];
        let span = |used: usize| r.start..items[i + used - 1].1.end;
        // Escapes that stand for one byte each.
        let byte = match c {
            '%' => hex_number(&items[i + 1..], 2).map(|v| (v, 3)),
            '\\' if items.get(i + 1).is_some_and(|(x, _)| *x == 'x') => {
                hex_number(&items[i + 2..], 2).map(|v| (v, 4))
            }
            // C's, Python's and PHP's octal `\064` (three digits, the
            // first 0-3: one byte).
            '\\' => octal_byte(&items[i + 1..]).map(|v| (v, 4)),
            _ => None,
        };
        if let Some((value, used)) = byte {
            w.start(i);
            bytes.push(u8::try_from(value).unwrap_or(0), span(used));
            i += used;
            continue;
        }
        flush(&mut bytes, &mut w.out);
        let decoded = match c {
            // JavaScript's `escape()`: `%u0034`.
            '%' if items
                .get(i + 1)
                .is_some_and(|(x, _)| matches!(x, 'u' | 'U')) =>
            {
                hex_number(&items[i + 2..], 4).map(|v| (char::from_u32(v), 6))
            }
            '&' => entity(&items[i..]),
            '\\' => {
                let is_rtf = *rtf.get_or_insert_with(|| {
                    items
                        .windows(5)
                        .any(|w| w.iter().map(|(c, _)| *c).eq("{\\rtf".chars()))
                });
                if is_rtf {
                    uc.control_word(&items[i..]);
                }
                backslash(&items[i..], is_rtf, uc.units())
            }
            '{' => {
                uc.open();
                None
            }
            '}' => {
                uc.close();
                None
            }
            '<' => markup(items, i, &mut comment_end, &mut instruction_end)
                .or_else(|| tag(&items[i..])),
            ']' if starts_with(&items[i..], "]]>") => Some((None, 3)),
            '\u{E0000}'..='\u{E007F}' => {
                let ascii = char::from_u32(c as u32 - 0xE0000).filter(|a| (' '..='~').contains(a));
                Some((ascii, 1))
            }
            '+' if r.len() == 1 => {
                let before = i.checked_sub(1).map(|p| items[p].0);
                let after = items.get(i + 1).map_or(' ', |(a, _)| *a);
                plus_is_space(before, after).then_some((Some(' '), 1))
            }
            _ => None,
        };
        if let Some((decoded, used)) = decoded {
            w.start(i);
            if let Some(d) = decoded {
                w.out.push((d, span(used)));
            }
            i += used;
            continue;
        }
        w.keep(i);
        i += 1;
    }
    flush(&mut bytes, &mut w.out);
    w.finish()
}

/// Three octal digits at the start of `items`, the first 0-3: one byte's
/// value (`064` is `4`).
fn octal_byte(items: &[Unit]) -> Option<u32> {
    let digits = items.get(..3)?;
    let value = digits
        .iter()
        .try_fold(0u32, |v, (c, _)| c.to_digit(8).map(|d| v * 8 + d))?;
    (value <= 0xFF).then_some(value)
}

/// `items` with only their markup removed ([`unescape`]'s tags, comments,
/// processing instructions and CDATA marks), every other escape left as
/// written: what a reader that strips tags before it decodes anything
/// else reads (`&#x<b>3</b>4;` is then `&#x34;`), and what keeps a base64
/// run whole where text decoding would read its `+` as a space. `None`
/// when there is no markup.
fn strip_markup(items: &[Unit]) -> Option<Vec<Unit>> {
    let mut w = Rewrite::new(items);
    let mut comment_end = NextMark::new(&['-', '-', '>']);
    let mut instruction_end = NextMark::new(&['?', '>']);
    let mut i = 0;
    while i < items.len() {
        let removed = match items[i].0 {
            '<' => markup(items, i, &mut comment_end, &mut instruction_end)
                .or_else(|| tag(&items[i..])),
            ']' if starts_with(&items[i..], "]]>") => Some((None, 3)),
            _ => None,
        };
        if let Some((instead, used)) = removed {
            w.start(i);
            if let Some(c) = instead {
                let span = items[i].1.start..items[i + used - 1].1.end;
                w.out.push((c, span));
            }
            i += used;
            continue;
        }
        w.keep(i);
        i += 1;
    }
    w.finish()
}

/// Escaped bytes waiting to be read as UTF-8, each with the characters of
/// the original it came from (kept apart, so that decoding them needs no
/// copy: one pair of buffers for a whole reading).
#[derive(Default)]
struct Bytes {
    raw: Vec<u8>,
    from: Vec<Span>,
}

impl Bytes {
    fn push(&mut self, b: u8, from: Span) {
        self.raw.push(b);
        self.from.push(from);
    }
}

/// Decodes escaped bytes as UTF-8 (invalid bytes become U+FFFD).
fn flush(bytes: &mut Bytes, out: &mut Vec<Unit>) {
    if bytes.raw.is_empty() {
        return;
    }
    let from = &bytes.from;
    let mut at = 0;
    for chunk in bytes.raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            let n = c.len_utf8();
            out.push((c, from[at].start..from[at + n - 1].end));
            at += n;
        }
        for _ in chunk.invalid() {
            out.push(('\u{FFFD}', from[at].clone()));
            at += 1;
        }
    }
    bytes.raw.clear();
    bytes.from.clear();
}

/// Named character references read (HTML's names for what can hide a card
/// number's separators or an address's `@` and dots).
const NAMED: &[(&str, char)] = &[
    ("AMP", '&'),
    ("Hat", '^'),
    ("NoBreak", '\u{2060}'),
    ("ZeroWidthSpace", '\u{200B}'),
    ("amp", '&'),
    ("apos", '\''),
    ("ast", '*'),
    ("bsol", '\\'),
    ("bull", '\u{2022}'),
    ("centerdot", '\u{B7}'),
    ("colon", ':'),
    ("comma", ','),
    ("commat", '@'),
    ("dash", '\u{2010}'),
    ("dollar", '$'),
    ("emsp", '\u{2003}'),
    ("ensp", '\u{2002}'),
    ("equals", '='),
    ("excl", '!'),
    ("fullstop", '.'),
    ("grave", '`'),
    ("gt", '>'),
    ("hellip", '\u{2026}'),
    ("hyphen", '\u{2010}'),
    ("lbrace", '{'),
    ("lbrack", '['),
    ("lcub", '{'),
    ("lowbar", '_'),
    ("lpar", '('),
    ("lrm", '\u{200E}'),
    ("lsqb", '['),
    ("lt", '<'),
    ("mdash", '\u{2014}'),
    ("middot", '\u{B7}'),
    ("minus", '\u{2212}'),
    ("nbsp", '\u{A0}'),
    ("ndash", '\u{2013}'),
    ("num", '#'),
    ("percnt", '%'),
    ("period", '.'),
    ("plus", '+'),
    ("quest", '?'),
    ("quot", '"'),
    ("rbrace", '}'),
    ("rbrack", ']'),
    ("rcub", '}'),
    ("rlm", '\u{200F}'),
    ("rpar", ')'),
    ("rsqb", ']'),
    ("semi", ';'),
    ("shy", '\u{AD}'),
    ("sol", '/'),
    ("thinsp", '\u{2009}'),
    ("verbar", '|'),
    ("vert", '|'),
    ("zwj", '\u{200D}'),
    ("zwnj", '\u{200C}'),
];

/// A character reference at the start of `items` (which starts with `&`):
/// `&#NN;`, `&#xHH;` (at most 8 digits; the `;` may be left out, as HTML
/// allows) or a name of [`NAMED`] (`&commat;`; the `;` may be left out
/// before anything but a letter or digit). The character and how many
/// items it used.
fn entity(items: &[Unit]) -> Option<(Option<char>, usize)> {
    let text: String = items.iter().take(20).map(|(c, _)| *c).collect();
    let rest = text.strip_prefix('&')?;
    if let Some(rest) = rest.strip_prefix('#') {
        let (radix, digits) = match rest.strip_prefix(['x', 'X']) {
            Some(hex) => (16, hex),
            None => (10, rest),
        };
        let n = digits.chars().take_while(|c| c.is_digit(radix)).count();
        if n == 0 || n > 8 {
            return None;
        }
        let value = u32::from_str_radix(&digits[..n], radix).ok()?;
        let c = char::from_u32(value)?;
        let semicolon = usize::from(digits[n..].starts_with(';'));
        return Some((Some(c), 2 + usize::from(radix == 16) + n + semicolon));
    }
    let n = rest.chars().take_while(char::is_ascii_alphanumeric).count();
    let name = &rest[..n];
    let &(_, c) = NAMED.iter().find(|(k, _)| *k == name)?;
    let semicolon = usize::from(rest[n..].starts_with(';'));
    Some((Some(c), 1 + n + semicolon))
}

/// A backslash escape at the start of `items` (which starts with `\`),
/// other than `\xHH` (read as a byte): the character and how many items it
/// used.
fn backslash(items: &[Unit], rtf: bool, uc: usize) -> Option<(Option<char>, usize)> {
    let kind = items.get(1)?.0;
    let escape = escape_after_backslash(items, rtf, uc);
    if escape.is_none() && rtf && kind.is_ascii_alphabetic() {
        // `\ul0`, `\uc1`: control words that start as escapes do.
        return rtf_control_word(items);
    }
    escape
}

/// [`backslash`] but for control words starting with `u`, `U` or `x`.
/// `uc`: RTF's fallback units after each `\uN` ([`RtfFallback`]).
fn escape_after_backslash(items: &[Unit], rtf: bool, uc: usize) -> Option<(Option<char>, usize)> {
    let kind = items.get(1)?.0;
    // RTF's `\'34` (a byte of the document's code page: Latin-1 read).
    if kind == '\'' {
        if let Some(v) = hex_number(&items[2..], 2) {
            return Some((char::from_u32(v), 4));
        }
    }
    if rtf && kind.is_ascii_alphabetic() && !matches!(kind, 'u' | 'U' | 'x') {
        return rtf_control_word(items);
    }
    let simple = match kind {
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        '/' | '\\' | '"' | '\'' => Some(kind),
        _ => None,
    };
    if simple.is_some() {
        return Some((simple, 2));
    }
    match kind {
        // JavaScript's and Ruby's `\u{34}`, Perl's `\x{34}`.
        'u' | 'x' if items.get(2).is_some_and(|(c, _)| *c == '{') => {
            let n = items[3..]
                .iter()
                .take(7)
                .take_while(|(c, _)| c.is_ascii_hexdigit())
                .count();
            if n == 0 || n > 6 || items.get(3 + n).is_none_or(|(c, _)| *c != '}') {
                return None;
            }
            let c = char::from_u32(hex_number(&items[3..], n)?)?;
            Some((Some(c), 3 + n + 1))
        }
        // Perl's octal code point `\o{64}`.
        'o' if items.get(2).is_some_and(|(c, _)| *c == '{') => {
            let n = items[3..]
                .iter()
                .take(8)
                .take_while(|(c, _)| c.is_digit(8))
                .count();
            if n == 0 || n > 7 || items.get(3 + n).is_none_or(|(c, _)| *c != '}') {
                return None;
            }
            let value = items[3..3 + n]
                .iter()
                .try_fold(0u32, |v, (c, _)| Some(v * 8 + c.to_digit(8)?))?;
            Some((Some(char::from_u32(value)?), 3 + n + 1))
        }
        // Python's and Perl's named character `\N{DIGIT FOUR}`,
        // `\N{U+0034}`.
        'N' if items.get(2).is_some_and(|(c, _)| *c == '{') => {
            let n = items[3..]
                .iter()
                .take(MAX_CHARACTER_NAME + 1)
                .take_while(|(c, _)| *c != '}')
                .count();
            if n > MAX_CHARACTER_NAME || items.get(3 + n).is_none() {
                return None;
            }
            let name: String = items[3..3 + n].iter().map(|(c, _)| *c).collect();
            Some((Some(named_character(&name)?), 3 + n + 1))
        }
        'u' => {
            // In RTF text, and before RTF's fallback character anywhere
            // (`\u1636?`), the number is RTF's decimal code unit, not a
            // JSON escape's four hex digits.
            if rtf || rtf_fallback_follows(items) {
                if let Some(read) = rtf_unicode(items, uc) {
                    return Some(read);
                }
            }
            if let Some(c) = five_digit_escape(&items[2..]) {
                return Some((Some(c), 7));
            }
            let Some(unit) = hex_number(&items[2..], 4) else {
                return rtf_unicode(items, uc);
            };
            if (0xD800..0xDC00).contains(&unit) {
                // A high surrogate: with `\uDC00`-`\uDFFF` after it, one character.
                let low = (items.get(6).is_some_and(|(c, _)| *c == '\\')
                    && items.get(7).is_some_and(|(c, _)| *c == 'u'))
                .then(|| hex_number(&items[8..], 4))
                .flatten()
                .filter(|l| (0xDC00..0xE000).contains(l));
                return Some(match low {
                    Some(l) => (
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (l - 0xDC00)),
                        12,
                    ),
                    None => (Some('\u{FFFD}'), 6),
                });
            }
            Some((Some(char::from_u32(unit).unwrap_or('\u{FFFD}')), 6))
        }
        'U' => {
            let c = char::from_u32(hex_number(&items[2..], 8)?)?;
            Some((Some(c), 10))
        }
        _ => None,
    }
}

/// The longest character name [`named_character`] reads.
const MAX_CHARACTER_NAME: usize = 40;

/// The character a Unicode name (any case, as Python's `\N{...}` takes
/// it) or `U+` code point (Perl's `\N{U+34}`) names: the digits of every
/// script (`DIGIT FOUR`, `FULLWIDTH DIGIT FOUR`, `ARABIC-INDIC DIGIT
/// FOUR`, read as the digit itself), Latin letters, and the characters of
/// an address or a card's separators (`COMMERCIAL AT`, `FULL STOP`,
/// `HYPHEN-MINUS`, `LOW LINE`, `SPACE`, `PLUS SIGN`, `SOLIDUS`). Other
/// names are not read.
fn named_character(name: &str) -> Option<char> {
    let name = name.trim().to_ascii_uppercase();
    if let Some(hex) = name.strip_prefix("U+") {
        let n = hex.len();
        if !(1..=6).contains(&n) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return char::from_u32(u32::from_str_radix(hex, 16).ok()?);
    }
    const DIGITS: [&str; 10] = [
        "ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE",
    ];
    let words: Vec<&str> = name.split_ascii_whitespace().collect();
    if let [.., "DIGIT", value] = words.as_slice() {
        let d = DIGITS.iter().position(|w| w == value)?;
        return char::from_digit(u32::try_from(d).ok()?, 10);
    }
    let letter = |w: &[&str]| match w {
        [one] if one.len() == 1 && one.as_bytes()[0].is_ascii_uppercase() => {
            Some(char::from(one.as_bytes()[0]))
        }
        _ => None,
    };
    match words.as_slice() {
        ["LATIN", "SMALL", "LETTER", rest @ ..] => letter(rest).map(|c| c.to_ascii_lowercase()),
        ["LATIN", "CAPITAL", "LETTER", rest @ ..] => letter(rest),
        ["COMMERCIAL", "AT"] => Some('@'),
        ["FULL", "STOP"] => Some('.'),
        ["HYPHEN-MINUS"] => Some('-'),
        ["LOW", "LINE"] => Some('_'),
        ["SPACE"] => Some(' '),
        ["PLUS", "SIGN"] => Some('+'),
        ["SOLIDUS"] => Some('/'),
        _ => None,
    }
}

/// RTF's `\uN?` at the start of `items`: the character of code unit `N`
/// (decimal, negative past 32767: `\u52?` is `4`, `\u-236?` is `４`; a
/// surrogate pair is two of them), each followed by the space that may end
/// the control word and the `uc` units written for readers without
/// Unicode (`\ucN`'s N: one by default; a unit is a character such as
/// `?`, or a `\'XX`: CJK writers put a character's two code-page bytes
/// there, `\uc2 \u-240\'82\'4f`), skipped. The character and how many
/// items it used.
fn rtf_unicode(items: &[Unit], uc: usize) -> Option<(Option<char>, usize)> {
    let (unit, used) = rtf_unit(items, uc)?;
    if (0xD800..0xDC00).contains(&unit) {
        let low = items
            .get(used..)
            .filter(|rest| starts_with(rest, "\\u"))
            .and_then(|rest| rtf_unit(rest, uc))
            .filter(|(l, _)| (0xDC00..0xE000).contains(l));
        return Some(match low {
            Some((l, more)) => (
                char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (l - 0xDC00)),
                used + more,
            ),
            None => (Some('\u{FFFD}'), used),
        });
    }
    Some((Some(char::from_u32(unit).unwrap_or('\u{FFFD}')), used))
}

/// Whether `items` (from a `\u`) hold a decimal number and then RTF's
/// fallback character (`?` or a `\'XX`): `\u1636?`, `\u-236\'3f`.
fn rtf_fallback_follows(items: &[Unit]) -> bool {
    let mut at = 2;
    if items.get(at).is_some_and(|(c, _)| *c == '-') {
        at += 1;
    }
    let digits = items
        .get(at..)
        .unwrap_or_default()
        .iter()
        .take(6)
        .take_while(|(c, _)| c.is_ascii_digit())
        .count();
    at += digits;
    (1..=5).contains(&digits)
        && match items.get(at).map(|i| i.0) {
            Some('?') => true,
            Some('\\') => items.get(at + 1).is_some_and(|(c, _)| *c == '\''),
            _ => false,
        }
}

/// One `\uN?` of [`rtf_unicode`]: the code unit and how many items it used.
fn rtf_unit(items: &[Unit], uc: usize) -> Option<(u32, usize)> {
    let mut at = 2;
    let negative = items.get(at).is_some_and(|(c, _)| *c == '-');
    if negative {
        at += 1;
    }
    let digits = items
        .get(at..)?
        .iter()
        .take(6)
        .take_while(|(c, _)| c.is_ascii_digit())
        .count();
    if digits == 0 || digits > 5 {
        return None;
    }
    let n = items[at..at + digits]
        .iter()
        .fold(0u32, |v, (c, _)| v * 10 + (u32::from(*c) - u32::from('0')));
    let unit = if negative {
        65536u32.checked_sub(n)?
    } else {
        n
    };
    if unit > 0xFFFF {
        return None;
    }
    at += digits;
    if items.get(at).is_some_and(|(c, _)| *c == ' ') {
        at += 1;
    }
    // The fallback: `uc` units, each a `\'XX` or one character that is not
    // a brace or the start of another control word.
    let hex_byte = |k: usize| {
        items.get(k).is_some_and(|(c, _)| *c == '\\')
            && items.get(k + 1).is_some_and(|(c, _)| *c == '\'')
            && hex_number(items.get(k + 2..).unwrap_or_default(), 2).is_some()
    };
    for _ in 0..uc {
        match items.get(at).map(|i| i.0) {
            _ if hex_byte(at) => at += 4,
            Some('\\' | '{' | '}') | None => break,
            Some(_) => at += 1,
        }
    }
    Some((unit, at))
}

/// RTF's `\ucN` (the count of fallback units written after each `\uN`
/// for readers without Unicode) of every open group: a group (`{`) starts
/// with its parent's, `\ucN` sets the current group's, and `}` returns to
/// the parent's. One by default. Groups deeper than [`RTF_DEPTH`] share
/// the deepest one's.
struct RtfFallback {
    counts: Vec<u8>,
    /// Open groups beyond `counts`.
    deeper: usize,
}

/// Most RTF groups whose `\ucN` is kept apart ([`RtfFallback`]).
const RTF_DEPTH: usize = 64;

/// The largest `\ucN` read; larger ones skip at most this many units (a
/// `\uN` is written with one character's bytes, at most four).
const RTF_MAX_UC: u8 = 16;

impl Default for RtfFallback {
    fn default() -> Self {
        RtfFallback {
            counts: vec![1],
            deeper: 0,
        }
    }
}

impl RtfFallback {
    fn units(&self) -> usize {
        usize::from(self.counts.last().copied().unwrap_or(1))
    }

    fn open(&mut self) {
        if self.counts.len() < RTF_DEPTH {
            self.counts.push(self.counts.last().copied().unwrap_or(1));
        } else {
            self.deeper += 1;
        }
    }

    fn close(&mut self) {
        if self.deeper > 0 {
            self.deeper -= 1;
        } else if self.counts.len() > 1 {
            self.counts.pop();
        }
    }

    /// Reads `\ucN` at the start of `items` (which start with `\`).
    fn control_word(&mut self, items: &[Unit]) {
        if !starts_with(items, "\\uc") {
            return;
        }
        let digits = items[3..]
            .iter()
            .take(10)
            .take_while(|(c, _)| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return;
        }
        let n = items[3..3 + digits].iter().fold(0u32, |v, (c, _)| {
            v.saturating_mul(10)
                .saturating_add(u32::from(*c) - u32::from('0'))
        });
        let n = u8::try_from(n.min(u32::from(RTF_MAX_UC))).unwrap_or(RTF_MAX_UC);
        if let Some(last) = self.counts.last_mut() {
            *last = n;
        }
    }
}

/// Control words of RTF that break a line or a cell: read as a space.
const RTF_BREAKS: &[&str] = &["par", "line", "tab", "cell", "row", "sect", "page"];

/// An RTF control word at the start of `items` (`\b`, `\cf1 `, `\par`):
/// removed, or a space for those that break a line ([`RTF_BREAKS`]), as
/// markup is. Read only in RTF text (`{\rtf`).
fn rtf_control_word(items: &[Unit]) -> Option<(Option<char>, usize)> {
    let letters = items[1..]
        .iter()
        .take(33)
        .take_while(|(c, _)| c.is_ascii_alphabetic())
        .count();
    if letters == 0 || letters > 32 {
        return None;
    }
    let word: String = items[1..=letters].iter().map(|(c, _)| *c).collect();
    let mut at = 1 + letters;
    if items.get(at).is_some_and(|(c, _)| *c == '-') {
        at += 1;
    }
    at += items[at.min(items.len())..]
        .iter()
        .take(10)
        .take_while(|(c, _)| c.is_ascii_digit())
        .count();
    if items.get(at).is_some_and(|(c, _)| *c == ' ') {
        at += 1;
    }
    let breaks = RTF_BREAKS.contains(&word.as_str());
    Some((breaks.then_some(' '), at))
}

/// A character past U+FFFF written as `\u` and five hex digits, as an
/// encoder that formats code points with `%04x` writes them (`\ue0034`,
/// a TAG character, instead of its surrogate pair): read so when it is a
/// TAG character or a digit (`\u1d7ce`, `𝟎`), which the four-digit
/// reading would take for a private-use character or a letter and a hex
/// digit. `items` start after the `\u`.
fn five_digit_escape(items: &[Unit]) -> Option<char> {
    let c = char::from_u32(hex_number(items, 5)?)?;
    (u32::from(c) > 0xFFFF
        && (('\u{E0000}'..='\u{E007F}').contains(&c) || pan::digit_value(c).is_some()))
    .then_some(c)
}

/// How many characters before a lone quoted-printable mark are read for a
/// card word ([`quoted_printable`]).
const WORD_BEFORE_MARK: usize = 24;

/// Which escapes a quoted-printable reading decodes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Marks {
    /// As the text is written: runs of escapes, lone marks when the text
    /// is quoted-printable, and lone marks joining digit groups.
    AsWritten,
    /// Only lone marks between two digits (`4111=201111=201111=201111`):
    /// in a URL query (`?id=35=2028=20...`) the query's own `=` would
    /// otherwise start a run that takes the first group's digits.
    JoiningDigitsOnly,
}

/// The quoted-printable reading (RFC 2045) of `items`: runs of two or more
/// `=XX` (upper-case hex) as bytes read as UTF-8, a lone `=XX` standing for
/// a space or a punctuation mark when the text holds one followed by a
/// letter (`Card=20number:=204111...`, `bob.smith=40example.com`) or
/// between two digits, soft line breaks removed; or only the lone marks
/// between two digits ([`Marks`]). A reading of its own, not a step of
/// [`unescape`]: in a URL query, `cc=4111...` would lose its first digit to
/// it. `None` when there is nothing to decode.
fn quoted_printable(items: &[Unit], marks: Marks) -> Option<Vec<Unit>> {
    // Every escape and soft line break starts with `=`.
    if !items.iter().any(|(c, _)| *c == '=') {
        return None;
    }
    let qp = |k: usize| {
        items
            .get(k)
            .is_some_and(|(d, _)| d.is_ascii_digit() || ('A'..='F').contains(d))
    };
    let escape_at =
        |k: usize| items.get(k).is_some_and(|(e, _)| *e == '=') && qp(k + 1) && qp(k + 2);
    // A lone escape of a space or a punctuation mark (`=20`, `=3A`, `=40`):
    // a key's value in a URL query (`q=48.85`, `cc=4111...`, `t=3F9a`)
    // starts with a digit or a letter's code far more often.
    let lone_mark = |k: usize| {
        escape_at(k)
            && hex_number(&items[k + 1..], 2)
                .and_then(char::from_u32)
                .is_some_and(|c| c.is_ascii_punctuation() || c == ' ')
    };
    let followed_by = |k: usize, f: fn(&char) -> bool| items.get(k + 3).is_some_and(|(n, _)| f(n));
    // Text written in quoted-printable: a lone mark before a letter
    // (`Card=20number`, `bob.smith=40example.com`). Then every lone mark is
    // one (`number:=204111...`); without one, `q=23.45,-151.2` keeps its
    // digits.
    // Digit groups joined by a lone mark (`4111=201111=201111=201111`, a
    // grouped number from an encoder that quotes every space): the mark is
    // read even in text not otherwise written in quoted-printable. A URL
    // query's lone `=XX` follows a key's letters, not a digit.
    let joining = |k: usize| {
        k > 0
            && items[k - 1].0.is_ascii_digit()
            && lone_mark(k)
            && followed_by(k, char::is_ascii_digit)
    };
    if marks == Marks::JoiningDigitsOnly && !(0..items.len()).any(joining) {
        return None;
    }
    // A lone mark right before a digit group that a joining mark ends
    // (`card=204111=201111=201111=201111`: an encoder that quotes every
    // space quotes the one after the word too): read with the marks that
    // join the groups, else `20` would stick to the first group. The
    // joining-only reading keeps the digits (`q=2012=2034`).
    // So is one before a digit group that a separator and another group
    // follow (`number=204111-1111-1111-1111`: the groups are a layout of
    // their own, which `20` would break), and one right after a card word
    // (`card=20`, `Visa=20`, `pan:=20`, [`context::words::raises`]) before
    // digits: there a card number is what is expected, not a URL query's
    // `id=2024...`.
    let leads_digits = |k: usize| {
        if !lone_mark(k) || !followed_by(k, char::is_ascii_digit) {
            return false;
        }
        let mut j = k + 3;
        while items.get(j).is_some_and(|(d, _)| d.is_ascii_digit()) {
            j += 1;
        }
        let grouped = items
            .get(j)
            .is_some_and(|(c, _)| matches!(c, '-' | ' ' | '.' | '/'))
            && items.get(j + 1).is_some_and(|(d, _)| d.is_ascii_digit());
        joining(j) || grouped || {
            let before: String = items[k.saturating_sub(WORD_BEFORE_MARK)..k]
                .iter()
                .map(|(c, _)| *c)
                .collect();
            super::context::words::raises(&before)
        }
    };
    // Quoted-printable of quoted-printable text: each escape's `=` written
    // `=3D` (`=3D34=3D31...`). One such escaped escape beside another is
    // read (the next reading decodes what it gives); a lone `=3D41` is
    // more often a URL query's value.
    let escaped_escape = |k: usize| {
        escape_at(k) && items[k + 1].0 == '3' && items[k + 2].0 == 'D' && qp(k + 3) && qp(k + 4)
    };
    let in_escaped_run = |k: usize| {
        escaped_escape(k) && (escaped_escape(k + 5) || (k >= 5 && escaped_escape(k - 5)))
    };
    let written_qp = marks == Marks::AsWritten
        && (0..items.len()).any(|k| lone_mark(k) && followed_by(k, char::is_ascii_alphabetic));
    let mut w = Rewrite::new(items);
    let mut bytes = Bytes::default();
    // The last thing read was an escape (soft line breaks in between).
    let mut after_escape = false;
    let mut i = 0;
    while i < items.len() {
        let (c, ref r) = items[i];
        if c == '=' {
            if let Some(used) = soft_break(&items[i..]) {
                w.start(i);
                i += used;
                continue;
            }
        }
        // Only runs of two or more escapes (`=34=31`, `=C3=A9`): a lone
        // `=48` is far more often a URL query's `q=48.85...`.
        let next_escape = escape_at(i + 3)
            || (items.get(i + 3).is_some_and(|(e, _)| *e == '=')
                && soft_break(&items[i + 3..]).is_some_and(|used| escape_at(i + 3 + used)));
        let decoded = match marks {
            Marks::AsWritten => {
                after_escape
                    || next_escape
                    || in_escaped_run(i)
                    || if written_qp {
                        lone_mark(i)
                    } else {
                        joining(i) || (items[i].0 == '=' && leads_digits(i))
                    }
            }
            Marks::JoiningDigitsOnly => joining(i),
        };
        if escape_at(i) && decoded {
            let value = hex_number(&items[i + 1..], 2).unwrap_or(0);
            w.start(i);
            bytes.push(
                u8::try_from(value).unwrap_or(0),
                r.start..items[i + 2].1.end,
            );
            after_escape = true;
            i += 3;
            continue;
        }
        after_escape = false;
        flush(&mut bytes, &mut w.out);
        w.keep(i);
        i += 1;
    }
    flush(&mut bytes, &mut w.out);
    w.finish()
}

/// `items` with each number drawn as a stroke ([`pan::is_numeric_stroke`]:
/// CJK `一`, Roman `Ⅰ`, `〡`, `〇`) that stands between two digits
/// (white space aside) read as a dash: `4111一1111一1111一1111` is a card
/// in groups as people type it, which the reading of `一` as the digit 1
/// hides. A reading beside the text as written, where the same character
/// stays a digit. `None` when there is none.
fn numeric_strokes_as_dashes(items: &[Unit]) -> Option<Vec<Unit>> {
    let digit = |c: char| {
        c.is_ascii_digit()
            || (!c.is_ascii() && pan::digit_value(c).is_some() && !pan::is_numeric_stroke(c))
    };
    // Right between two digits, or with white space on both sides (`4111
    // 一 1111`); not a list mark after a number (`...12 Ⅰ345`).
    let stroke_at = |i: usize| {
        if !pan::is_numeric_stroke(items[i].0) {
            return false;
        }
        let before = items[..i]
            .iter()
            .rev()
            .position(|(c, _)| !c.is_whitespace());
        let after = items[i + 1..].iter().position(|(c, _)| !c.is_whitespace());
        match (before, after) {
            (Some(b), Some(a)) if (b == 0) == (a == 0) => {
                digit(items[i - 1 - b].0) && digit(items[i + 1 + a].0)
            }
            _ => false,
        }
    };
    let first = (0..items.len()).find(|&i| !items[i].0.is_ascii() && stroke_at(i))?;
    let mut out = items.to_vec();
    for i in first..items.len() {
        if !items[i].0.is_ascii() && stroke_at(i) {
            out[i].0 = '-';
        }
    }
    Some(out)
}

/// A quoted-printable soft line break (`=` at the end of a line) at the
/// start of `items`: how many items it used.
fn soft_break(items: &[Unit]) -> Option<usize> {
    match (items.get(1).map(|i| i.0), items.get(2).map(|i| i.0)) {
        (Some('\n'), _) => Some(2),
        (Some('\r'), Some('\n')) => Some(3),
        _ => None,
    }
}

/// Tags that break a line or a cell when shown: read as a space.
const BREAKING_TAGS: &[&str] = &[
    "br",
    "div",
    "p",
    "li",
    "td",
    "th",
    "tr",
    "table",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "dd",
    "dt",
    "pre",
    "blockquote",
    "section",
    "article",
];

/// A markup tag at the start of `items` (which starts with `<`): `<name
/// ...>` or `</name>`, at most [`MAX_TAG`] characters. Removed (`None`),
/// or a space for tags that break a line or a cell; and how many items it
/// used.
fn tag(items: &[Unit]) -> Option<(Option<char>, usize)> {
    let name_at = if items.get(1)?.0 == '/' { 2 } else { 1 };
    if !items.get(name_at)?.0.is_ascii_alphabetic() {
        return None;
    }
    let window = &items[..items.len().min(MAX_TAG)];
    let close = tag_end(window)?;
    let name: String = window[name_at..close]
        .iter()
        .map(|(c, _)| c.to_ascii_lowercase())
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let breaking = BREAKING_TAGS.contains(&name.as_str());
    Some((breaking.then_some(' '), close + 1))
}

/// Where the tag at the start of `window` (a `<`) ends: its first `>`
/// outside a quoted attribute value (`<span title="a>b">`, `<b
/// class='x>y'>`: a quote after `=` opens a value, the same quote closes
/// it), in one pass; `None` when a `<` comes first or the window ends.
fn tag_end(window: &[Unit]) -> Option<usize> {
    let mut quote = None;
    let mut after_equals = false;
    for (k, (c, _)) in window.iter().enumerate().skip(1) {
        let c = *c;
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '>' => return Some(k),
            '<' => return None,
            '"' | '\'' if after_equals => quote = Some(c),
            _ => {}
        }
        after_equals = c == '=' || (after_equals && c.is_whitespace());
    }
    None
}

/// Whether the characters of `items` start with `prefix`.
fn starts_with(items: &[Unit], prefix: &str) -> bool {
    items.len() >= prefix.len() && items.iter().zip(prefix.chars()).all(|((c, _), p)| *c == p)
}

/// Where the next closing mark of a comment (`-->`) or a processing
/// instruction (`?>`) starts in a reading: searched once for all the
/// openings before it, so a reading full of openings is still read in one
/// pass.
struct NextMark {
    mark: &'static [char],
    /// The search so far: from where, and the first mark at or after it.
    searched: Option<(usize, Option<usize>)>,
}

impl NextMark {
    fn new(mark: &'static [char]) -> Self {
        NextMark {
            mark,
            searched: None,
        }
    }

    /// The first mark starting at or after `from`.
    fn find(&mut self, items: &[Unit], from: usize) -> Option<usize> {
        if let Some((start, at)) = self.searched {
            if start <= from && at.is_none_or(|a| a >= from) {
                return at;
            }
        }
        let m = self.mark.len();
        let at = (from..items.len().saturating_sub(m - 1)).find(|&k| {
            items[k..k + m]
                .iter()
                .map(|(c, _)| *c)
                .eq(self.mark.iter().copied())
        });
        self.searched = Some((from, at));
        at
    }
}

/// Markup that is not a tag, at `items[i]` (a `<`): a comment (`<!-- ...
/// -->`), a processing instruction (`<?...?>`), each at most [`MAX_TAG`]
/// characters, or the opening of a CDATA section (`<![CDATA[`; its end,
/// `]]>`, is removed where it stands). Removed (`None`); and how many
/// items it used.
fn markup(
    items: &[Unit],
    i: usize,
    comment_end: &mut NextMark,
    instruction_end: &mut NextMark,
) -> Option<(Option<char>, usize)> {
    let rest = &items[i..];
    if starts_with(rest, "<![CDATA[") {
        return Some((None, 9));
    }
    let (open, next) = if starts_with(rest, "<!--") {
        (4, comment_end)
    } else if starts_with(rest, "<?") {
        (2, instruction_end)
    } else {
        return None;
    };
    let end = next.find(items, i + open)? + next.mark.len();
    (end - i <= MAX_TAG).then_some((None, end - i))
}

/// Whether a byte is a base64 (standard or URL-safe) character.
fn base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

fn base64_value(c: char) -> Option<u8> {
    let v = match c {
        'A'..='Z' => c as u32 - 'A' as u32,
        'a'..='z' => c as u32 - 'a' as u32 + 26,
        '0'..='9' => c as u32 - '0' as u32 + 52,
        '+' | '-' => 62,
        '/' | '_' => 63,
        _ => return None,
    };
    u8::try_from(v).ok()
}

/// Shortest line of base64 after which a line break is read as a wrap
/// (MIME wraps base64 at 76 characters, RFC 2045) and the run goes on.
const MIN_WRAPPED_LINE: usize = 60;

/// What a character is to a base64 run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Base64,
    Cr,
    Lf,
    Other,
}

fn mark(c: char) -> Mark {
    match c {
        '\r' => Mark::Cr,
        '\n' => Mark::Lf,
        c if base64_value(c).is_some() => Mark::Base64,
        _ => Mark::Other,
    }
}

/// The end of the base64 run starting at `start` of a text of `n`
/// characters (`mark(k)` tells what character `k` is): a run goes on
/// across a line break (`\n` or `\r\n`) that ends a line of at least
/// [`MIN_WRAPPED_LINE`] base64 characters when base64 follows it. Also
/// whether it went across one. One pass.
fn run_end(n: usize, mark: impl Fn(usize) -> Mark, start: usize) -> (usize, bool) {
    let mut i = start;
    let mut wrapped = false;
    loop {
        let line = i;
        while i < n && mark(i) == Mark::Base64 {
            i += 1;
        }
        if i - line < MIN_WRAPPED_LINE || i >= n {
            return (i, wrapped);
        }
        let brk = match mark(i) {
            Mark::Lf => 1,
            Mark::Cr if i + 1 < n && mark(i + 1) == Mark::Lf => 2,
            _ => return (i, wrapped),
        };
        if i + brk < n && mark(i + brk) == Mark::Base64 {
            i += brk;
            wrapped = true;
        } else {
            return (i, wrapped);
        }
    }
}

/// [`base64_value`] of every byte, 0 for a byte that is none: read once
/// per character by [`has_binary_reading`].
const BASE64_VALUES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// Whether `b` has a run of at least [`MIN_BASE64`] base64 characters (one
/// pass; hex digits are base64 characters too).
pub(crate) fn has_binary_candidate(b: &[u8]) -> bool {
    let mut run = 0;
    for &c in b {
        if base64_byte(c) {
            run += 1;
            if run >= MIN_BASE64 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Whether some base64 or hex run of `s` decodes to a stretch of text a
/// detector would read ([`views`] then holds it). Decided on the bytes,
/// without making the stretches, and at the first one found: the
/// detectors' pre-checks ask it of every string with a long base64 run.
pub(crate) fn has_binary_reading(s: &str) -> bool {
    let b = s.as_bytes();
    if !has_binary_candidate(b) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if !base64_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let (end, wrapped) = run_end(b.len(), |k| mark(char::from(b[k])), i);
        i = end;
        let joined: Vec<u8>;
        let run = if wrapped {
            joined = b[start..end]
                .iter()
                .copied()
                .filter(|&c| base64_byte(c))
                .collect();
            &joined
        } else {
            &b[start..end]
        };
        let ascii = |c: &u8| char::from(*c);
        if let Some(format) = compressed_header(run, ascii) {
            let bytes = base64_decoded(run, ascii);
            let inflated = inflate_run(&bytes, run.len(), format);
            let mut read = Decoded::new(inflated.len());
            if inflated.iter().any(|&b| read.push(b)) {
                return true;
            }
        }
        for offset in 0..4 {
            if run.len() >= MIN_BASE64 + offset
                && base64_has_stretch(run.len() - offset, |k| run[offset + k])
            {
                return true;
            }
        }
        let mut h = 0;
        while h < run.len() {
            if !run[h].is_ascii_hexdigit() {
                h += 1;
                continue;
            }
            let hs = h;
            while h < run.len() && run[h].is_ascii_hexdigit() {
                h += 1;
            }
            for offset in 0..2 {
                let n = (h - hs).saturating_sub(offset);
                let digit_at = |k: usize| run[hs + offset + k];
                if n >= MIN_HEX && hex_has_stretch(n, digit_at) {
                    return true;
                }
                if let Some(inflated) = hex_inflated(n, digit_at) {
                    let mut read = Decoded::new(inflated.len());
                    if inflated.iter().any(|&b| read.push(b)) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Whether the `n` base64 characters `char_at(0..n)` (ASCII) decode to a
/// stretch of text ([`Decoded`]), decoded a byte at a time into no memory
/// and only while the bytes still to come can make one.
fn base64_has_stretch(n: usize, char_at: impl Fn(usize) -> u8) -> bool {
    let mut text = Decoded::new(n * 6 / 8);
    let mut at = 0;
    while at < n {
        let quad = (n - at).min(4);
        let acc = (at..at + quad).fold(0u32, |acc, k| {
            acc << 6 | u32::from(BASE64_VALUES[usize::from(char_at(k))])
        });
        let acc = acc << (6 * (4 - quad));
        for k in 0..quad * 6 / 8 {
            if text.push(u8::try_from(acc >> (16 - 8 * k) & 0xFF).unwrap_or(0)) {
                return true;
            }
        }
        if text.hopeless() {
            break;
        }
        at += quad;
    }
    false
}

/// As [`base64_has_stretch`], for `n` hex digits (pairs of them; an odd
/// last one is not read).
fn hex_has_stretch(n: usize, char_at: impl Fn(usize) -> u8) -> bool {
    let mut text = Decoded::new(n / 2);
    let digit = |c: u8| hex_value(char::from(c)).unwrap_or(0);
    for pair in 0..n / 2 {
        if text.push(digit(char_at(2 * pair)) << 4 | digit(char_at(2 * pair + 1))) {
            return true;
        }
        if text.hopeless() {
            break;
        }
    }
    false
}

/// Whether `lo` and `hi`, a UTF-16 code unit's low and high bytes, are a
/// character that counts in a stretch of UTF-16 text: the high byte is zero
/// (Latin-1 text, as ASCII card digits and separators are) and the
/// character is not a control character, or is a tab or a line end.
fn utf16_char(lo: u8, hi: u8) -> Option<char> {
    let c = char::from(lo);
    (hi == 0 && (!c.is_control() || matches!(c, '\t' | '\n' | '\r'))).then_some(c)
}

/// The high surrogate of every TAG character (U+E0000 to U+E007F, ASCII
/// text carried invisibly), whose UTF-16 is this code unit and then
/// [`tag_low`].
const TAG_HIGH: u16 = 0xDB40;

/// The TAG character whose low surrogate is `unit` (after [`TAG_HIGH`]).
fn tag_low(unit: u16) -> Option<char> {
    (0xDC00..=0xDC7F)
        .contains(&unit)
        .then(|| char::from_u32(0xE0000 + u32::from(unit - 0xDC00)))
        .flatten()
}

/// The bytes of a base64 or hex run fed one at a time, read as UTF-8
/// ([`TextStretch`]) and as UTF-16 ([`Utf16Stretch`]).
struct Decoded {
    utf8: TextStretch,
    utf16: Utf16Stretch,
    /// Whether the run decodes to enough bytes for a UTF-16 stretch
    /// (two for each of its characters).
    wide: bool,
    /// Bytes of the run still to come.
    left: usize,
}

impl Decoded {
    /// For a run that decodes to `bytes` bytes.
    fn new(bytes: usize) -> Self {
        Decoded {
            utf8: TextStretch::default(),
            utf16: Utf16Stretch::default(),
            wide: bytes >= 2 * MIN_DECODED_TEXT,
            left: bytes,
        }
    }

    /// Takes the next byte; true once either reading holds a stretch.
    fn push(&mut self, b: u8) -> bool {
        self.left = self.left.saturating_sub(1);
        let utf8 = self.utf8.push(b);
        let utf16 = self.wide && self.utf16.push(b);
        utf8 || utf16
    }

    /// Whether no reading can reach a stretch with the bytes still to
    /// come: each adds at most one character to the UTF-8 reading and one
    /// to each UTF-16 reading for every two.
    fn hopeless(&self) -> bool {
        self.utf8.count + self.left < MIN_DECODED_TEXT
            && (!self.wide
                || self
                    .utf16
                    .count
                    .iter()
                    .all(|&c| c + self.left.div_ceil(2) < MIN_DECODED_TEXT))
    }
}

/// [`utf16_stretches`] fed one byte at a time: how many characters stand in
/// a row in each of the four UTF-16 readings (little- and big-endian, code
/// units starting at even or odd bytes).
#[derive(Default)]
struct Utf16Stretch {
    /// Bytes taken so far.
    at: usize,
    /// The byte before.
    prev: u8,
    /// Characters in a row: little-endian at alignments 0 and 1, then
    /// big-endian at alignments 0 and 1.
    count: [usize; 4],
    /// Whether the reading's last code unit was [`TAG_HIGH`], which a low
    /// surrogate of a TAG character must follow.
    high: [bool; 4],
}

impl Utf16Stretch {
    /// Takes the next byte; true once [`MIN_DECODED_TEXT`] characters stand
    /// in a row in one of the readings.
    fn push(&mut self, b: u8) -> bool {
        let k = self.at;
        let prev = self.prev;
        self.at += 1;
        self.prev = b;
        if k == 0 {
            return false;
        }
        // The code unit of bytes `k - 1` and `k` is one of alignment
        // `(k - 1) % 2`.
        let align = (k + 1) % 2;
        let mut found = false;
        for (endian, (lo, hi)) in [(prev, b), (b, prev)].into_iter().enumerate() {
            let at = 2 * endian + align;
            let count = &mut self.count[at];
            let unit = u16::from_le_bytes([lo, hi]);
            if std::mem::take(&mut self.high[at]) {
                if tag_low(unit).is_some() {
                    *count += 1;
                    found |= *count >= MIN_DECODED_TEXT;
                    continue;
                }
                // A high surrogate without its TAG character: the stretch
                // ends, and this code unit is read afresh.
                *count = 0;
            }
            if utf16_char(lo, hi).is_some() {
                *count += 1;
                found |= *count >= MIN_DECODED_TEXT;
            } else if unit == TAG_HIGH {
                self.high[at] = true;
            } else {
                *count = 0;
            }
        }
        found
    }
}

/// [`has_text_stretch`] fed one byte at a time, as a base64 or hex run is
/// decoded, so that nothing is decoded into memory and the first stretch
/// ends the search: UTF-8 is decoded as [`str::from_utf8`] judges it
/// (a sequence cut short or out of range is invalid, and the byte that
/// broke it starts afresh), and a counted character is one that is not a
/// control character, or is a tab or a line end.
#[derive(Default)]
struct TextStretch {
    /// Characters counted in a row.
    count: usize,
    /// Continuation bytes the character under way still needs.
    need: u8,
    /// The range the next continuation byte must fall in.
    lo: u8,
    hi: u8,
    /// The lead byte of the character under way.
    lead: u8,
}

impl TextStretch {
    /// Takes the next byte; true once [`MIN_DECODED_TEXT`] characters stand
    /// in a row.
    fn push(&mut self, b: u8) -> bool {
        if self.need > 0 {
            if (self.lo..=self.hi).contains(&b) {
                self.need -= 1;
                (self.lo, self.hi) = (0x80, 0xBF);
                if self.need == 0 {
                    // U+0080 to U+009F, the C1 controls, are `C2 80` to `C2 9F`.
                    let control = self.lead == 0xC2 && b <= 0x9F;
                    return self.counted(!control);
                }
                return false;
            }
            // The sequence is cut short: invalid; `b` starts afresh.
            self.need = 0;
            self.count = 0;
        }
        let (need, lo, hi) = match b {
            0x00..=0x7F => {
                let printable = !(b < 0x20 || b == 0x7F) || matches!(b, b'\t' | b'\n' | b'\r');
                return self.counted(printable);
            }
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xE1..=0xEF => (2, 0x80, 0xBF),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            // A continuation byte without a lead, or a byte UTF-8 never uses.
            _ => {
                self.count = 0;
                return false;
            }
        };
        (self.need, self.lo, self.hi, self.lead) = (need, lo, hi, b);
        false
    }

    fn counted(&mut self, counts: bool) -> bool {
        if counts {
            self.count += 1;
        } else {
            self.count = 0;
        }
        self.count >= MIN_DECODED_TEXT
    }
}

/// Whether `bytes` hold [`MIN_DECODED_TEXT`] characters in a row, none of
/// them a control character but a tab or a line end, as UTF-8 is read:
/// what [`TextStretch`] tells one byte at a time (its plain definition, for
/// the tests).
#[cfg(test)]
fn has_text_stretch(bytes: &[u8]) -> bool {
    let mut count = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if !c.is_control() || matches!(c, '\t' | '\n' | '\r') {
                count += 1;
                if count >= MIN_DECODED_TEXT {
                    return true;
                }
            } else {
                count = 0;
            }
        }
        if !chunk.invalid().is_empty() {
            count = 0;
        }
    }
    false
}

/// The stretches of text that the base64 runs (every alignment: the run
/// may start mid-token, as in `state=eyJ...`) and hex runs (both
/// alignments) of `items` decode to: each at least [`MIN_DECODED_TEXT`]
/// printable characters, every character standing for the base64 quad or
/// hex pair it came from.
fn binary_stretches(items: &[Unit], out: &mut Vec<Vec<Unit>>) {
    let mut i = 0;
    while i < items.len() {
        if base64_value(items[i].0).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let (end, wrapped) = run_end(items.len(), |k| mark(items[k].0), i);
        i = end;
        let joined: Vec<Unit>;
        let run = if wrapped {
            joined = items[start..end]
                .iter()
                .filter(|(c, _)| base64_value(*c).is_some())
                .cloned()
                .collect();
            &joined
        } else {
            &items[start..end]
        };
        // Fewer than `MIN_BASE64` characters from an offset decode to
        // fewer bytes than the shortest stretch read.
        // Each decoding is made only when [`base64_has_stretch`] (decoding
        // into no memory, stopping where nothing more can be found) finds
        // a stretch in it.
        let ascii = |k: usize| u8::try_from(run[k].0).unwrap_or(0);
        if let Some(format) = compressed_header(run, |(c, _)| *c) {
            decode_compressed(run, format, out);
        }
        for offset in 0..4 {
            if run.len() >= MIN_BASE64 + offset
                && base64_has_stretch(run.len() - offset, |k| ascii(offset + k))
            {
                decode_base64(&run[offset..], out);
            }
        }
        // Hex runs inside this run.
        let mut h = 0;
        while h < run.len() {
            if !run[h].0.is_ascii_hexdigit() {
                h += 1;
                continue;
            }
            let hs = h;
            while h < run.len() && run[h].0.is_ascii_hexdigit() {
                h += 1;
            }
            for offset in 0..2 {
                let n = (h - hs).saturating_sub(offset);
                if n >= MIN_HEX && hex_has_stretch(n, |k| ascii(hs + offset + k)) {
                    decode_hex(&run[hs + offset..h], out);
                }
                // A compressed stream written in hex: its text stands for
                // the whole run.
                if let Some(text) = hex_inflated(n, |k| ascii(hs + offset + k)) {
                    let whole = run[hs + offset].1.start..run[h - 1].1.end;
                    text_stretches(&text, &|_| whole.clone(), out);
                    utf16_stretches(&text, &|_| whole.clone(), out);
                }
            }
        }
    }
}

/// The bytes a run of base64 characters decodes to, four characters to
/// three bytes (a last, partial group to fewer).
fn base64_bytes(run: &[Unit]) -> Vec<u8> {
    base64_decoded(run, |(c, _)| *c)
}

/// The bytes the base64 characters `run` (each read by `char_of`) decode
/// to, four characters to three bytes (a last, partial group to fewer); a
/// character outside the alphabet counts as `A`.
fn base64_decoded<T>(run: &[T], char_of: impl Fn(&T) -> char) -> Vec<u8> {
    let mut bytes: Vec<u8> = Vec::with_capacity(run.len() * 3 / 4);
    for quad in run.chunks(4) {
        let mut acc: u32 = 0;
        for c in quad {
            acc = acc << 6 | u32::from(base64_value(char_of(c)).unwrap_or(0));
        }
        let n = quad.len() * 6 / 8;
        acc <<= 6 * (4 - quad.len());
        for k in 0..n {
            bytes.push(u8::try_from(acc >> (16 - 8 * k) & 0xFF).unwrap_or(0));
        }
    }
    bytes
}

/// A compressed stream's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compressed {
    /// A gzip member (RFC 1952): `1f 8b 08`, in base64 `H4sI`.
    Gzip,
    /// A zlib stream (RFC 1950) of DEFLATE without a preset dictionary:
    /// `78` and a flag byte that makes the pair a multiple of 31 (`eJ`,
    /// `eN`, `eF`, `eA` in base64).
    Zlib,
}

/// The compressed format whose header the base64 run `run` (its first
/// four characters, each read by `char_of`) starts with.
fn compressed_header<T>(run: &[T], char_of: impl Fn(&T) -> char) -> Option<Compressed> {
    let quad = run.get(..4)?;
    if quad.iter().any(|c| base64_value(char_of(c)).is_none()) {
        return None;
    }
    compressed_bytes(&base64_decoded(quad, char_of))
}

/// The compressed format whose header `b` (three bytes at least) starts
/// with.
fn compressed_bytes(b: &[u8]) -> Option<Compressed> {
    if b.starts_with(&[0x1f, 0x8b, 0x08]) {
        return Some(Compressed::Gzip);
    }
    let (&first, &second) = (b.first()?, b.get(1)?);
    let pair = u16::from(first) << 8 | u16::from(second);
    (first == 0x78 && pair % 31 == 0 && second & 0x20 == 0).then_some(Compressed::Zlib)
}

/// The bytes the hex digits `n` digits `digit_at(0..n)` (ASCII) decode to,
/// two to a byte.
fn hex_bytes(n: usize, digit_at: impl Fn(usize) -> u8) -> Vec<u8> {
    (0..n / 2)
        .map(|j| {
            let value = |k: usize| hex_value(char::from(digit_at(k))).unwrap_or(0);
            value(2 * j) << 4 | value(2 * j + 1)
        })
        .collect()
}

/// What a hex run of `n` digits (`digit_at(0..n)`) inflates to when it
/// holds a gzip member or a zlib stream (`1f8b08...`, `789c...`), within
/// [`inflate_run`]'s bounds.
fn hex_inflated(n: usize, digit_at: impl Fn(usize) -> u8) -> Option<Vec<u8>> {
    let format = compressed_bytes(&hex_bytes(n.min(6), &digit_at))?;
    Some(inflate_run(&hex_bytes(n, digit_at), n, format))
}

/// The text a base64 run holding a gzip member or a zlib stream (as apps
/// and logs pack JSON into a token) inflates to, as stretches of text (in
/// UTF-8 and in UTF-16, as a Windows service writes it)
/// each character of which stands for the whole run (a byte of inflated
/// text comes from no one character of it). At most
/// [`MAX_INFLATED_PER_CHAR`] bytes per character of the run are
/// inflated, and [`MAX_INFLATED`] in all.
fn decode_compressed(run: &[Unit], format: Compressed, out: &mut Vec<Vec<Unit>>) {
    let text = inflate_run(&base64_bytes(run), run.len(), format);
    let whole = run[0].1.start..run[run.len() - 1].1.end;
    text_stretches(&text, &|_| whole.clone(), out);
    utf16_stretches(&text, &|_| whole.clone(), out);
}

/// What the bytes of a base64 run of `run_len` characters, a stream in
/// `format`, inflate to ([`decode_compressed`]'s bounds).
fn inflate_run(bytes: &[u8], run_len: usize, format: Compressed) -> Vec<u8> {
    let limit = (run_len * MAX_INFLATED_PER_CHAR).min(MAX_INFLATED);
    match format {
        Compressed::Gzip => gzip_members(bytes, limit),
        Compressed::Zlib => zlib_inflated(bytes, limit),
    }
}

/// The text of a gzip file's members (RFC 1952, 2.2: a file is one or
/// more members one after another, as `cat a.gz b.gz` makes), each
/// inflated after the one before, at most `limit` bytes in all; at the
/// limit, or at a broken member, what was inflated so far.
fn gzip_members(bytes: &[u8], limit: usize) -> Vec<u8> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let mut out = vec![0; limit];
    let mut at = 0;
    let mut inflater = Box::<DecompressorOxide>::default();
    let mut member = bytes;
    while let Some(body) = gzip_body(member) {
        inflater.init();
        let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
        let (status, read, written) = decompress(&mut inflater, body, &mut out, at, flags);
        at += written;
        if status != TINFLStatus::Done {
            break;
        }
        // The member's CRC-32 and size (8 bytes) follow its data; the next
        // member, if any, after them.
        member = body.get(read + 8..).unwrap_or_default();
        if !member.starts_with(&[0x1f, 0x8b, 0x08]) {
            break;
        }
    }
    out.truncate(at);
    out
}

/// The DEFLATE data of a gzip member (RFC 1952, 2.3): after its ten-byte
/// header and the optional extra field, name, comment and header CRC its
/// flags announce.
fn gzip_body(bytes: &[u8]) -> Option<&[u8]> {
    let flags = *bytes.get(3)?;
    let mut at = 10;
    if flags & 0x04 != 0 {
        let len = usize::from(*bytes.get(at)?) | usize::from(*bytes.get(at + 1)?) << 8;
        at += 2 + len;
    }
    for flag in [0x08, 0x10] {
        if flags & flag != 0 {
            at += bytes.get(at..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    bytes.get(at..)
}

/// `data`, a zlib stream, inflated to at most `limit` bytes; past the
/// limit, or on an error, what the inflater hands back (text up to the
/// limit; on a broken stream, bytes that read as no text).
fn zlib_inflated(data: &[u8], limit: usize) -> Vec<u8> {
    match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, limit) {
        Ok(text) => text,
        Err(e) => e.output,
    }
}

/// The bytes a run of base64 characters decodes to, then the stretches of
/// text in them; byte `j` stands for the characters of group `j / 3`.
fn decode_base64(run: &[Unit], out: &mut Vec<Vec<Unit>>) {
    let bytes = base64_bytes(run);
    let origin = |j: usize| {
        let first = 4 * (j / 3);
        run[first].1.start..run[(first + 3).min(run.len() - 1)].1.end
    };
    text_stretches(&bytes, &origin, out);
    utf16_stretches(&bytes, &origin, out);
}

/// The bytes a run of hex digits decodes to, two digits to a byte, then
/// the stretches of text in them.
fn decode_hex(run: &[Unit], out: &mut Vec<Vec<Unit>>) {
    let bytes = hex_bytes(run.len(), |k| u8::try_from(run[k].0).unwrap_or(0));
    let origin = |j: usize| run[2 * j].1.start..run[2 * j + 1].1.end;
    text_stretches(&bytes, &origin, out);
    utf16_stretches(&bytes, &origin, out);
}

/// The stretches of `bytes` that read as text (printable ASCII, tab and line
/// ends, and valid UTF-8 beyond ASCII) of at least [`MIN_DECODED_TEXT`]
/// characters, each character standing for the characters of the original
/// its bytes came from (`origin` of a byte's index). Stretches are found
/// on the bytes first; only those long enough are made into items.
fn text_stretches(bytes: &[u8], origin: &dyn Fn(usize) -> Span, out: &mut Vec<Vec<Unit>>) {
    // The stretch being read: where it starts and how many characters.
    let mut from = 0;
    let mut count = 0;
    let mut at = 0;
    let mut end = |from: usize, to: usize, count: usize| {
        if count < MIN_DECODED_TEXT {
            return;
        }
        // Valid UTF-8 by construction.
        let text = std::str::from_utf8(&bytes[from..to]).unwrap_or_default();
        let stretch: Vec<Unit> = text
            .char_indices()
            .map(|(i, c)| {
                let first = from + i;
                let last = first + c.len_utf8() - 1;
                (c, origin(first).start..origin(last).end)
            })
            .collect();
        out.push(stretch);
    };
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let n = c.len_utf8();
            let printable = !c.is_control() || matches!(c, '\t' | '\n' | '\r');
            if printable {
                if count == 0 {
                    from = at;
                }
                count += 1;
            } else {
                end(from, at, count);
                count = 0;
            }
            at += n;
        }
        if !chunk.invalid().is_empty() {
            end(from, at, count);
            count = 0;
            at += chunk.invalid().len();
        }
    }
    end(from, at, count);
}

/// The stretches of `bytes` that read as UTF-16 text of at least
/// [`MIN_DECODED_TEXT`] characters, each with its high byte zero
/// ([`utf16_char`]) or a TAG character (a surrogate pair: ASCII text
/// carried invisibly): .NET's `Encoding.Unicode` (little-endian) and
/// big-endian UTF-16, code units starting at an even or an odd byte (a
/// base64 run may start mid-token). Each character stands for the
/// characters of the original its bytes came from.
fn utf16_stretches(bytes: &[u8], origin: &dyn Fn(usize) -> Span, out: &mut Vec<Vec<Unit>>) {
    for big_endian in [false, true] {
        let unit = |j: usize| {
            let pair = [bytes[j], bytes[j + 1]];
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        };
        // The character at byte `j` and how many bytes it takes, if one
        // that counts starts there.
        let char_at = |j: usize| -> Option<(char, usize)> {
            let u = unit(j);
            let [hi, lo] = u.to_be_bytes();
            if let Some(c) = utf16_char(lo, hi) {
                return Some((c, 2));
            }
            if u == TAG_HIGH && j + 3 < bytes.len() {
                return tag_low(unit(j + 2)).map(|c| (c, 4));
            }
            None
        };
        for align in 0..2 {
            // The stretch under way: where it starts and how many
            // characters it holds (made into units only when long enough).
            let mut from = align;
            let mut count = 0;
            let mut end = |from: usize, to: usize, count: usize| {
                if count < MIN_DECODED_TEXT {
                    return;
                }
                let mut stretch = Vec::with_capacity(count);
                let mut k = from;
                while k < to {
                    let Some((c, n)) = char_at(k) else { break };
                    stretch.push((c, origin(k).start..origin(k + n - 1).end));
                    k += n;
                }
                out.push(stretch);
            };
            let mut j = align;
            while j + 1 < bytes.len() {
                if let Some((_, n)) = char_at(j) {
                    count += 1;
                    j += n;
                    continue;
                }
                end(from, j, count);
                count = 0;
                j += 2;
                from = j;
            }
            end(from, j, count);
        }
    }
}

/// The longest `xn--` label decoded, `xn--` included: no label of a host
/// name is longer than a whole host name (253 characters). Decoding inserts
/// each character into what is decoded so far, a cost that grows with the
/// square of the label's length; bounding the label keeps the reading
/// linear in the text however many labels it holds.
pub(crate) const MAX_PUNYCODE_LABEL: usize = 253;

/// Replaces every `xn--` label by its decoded characters, each standing for
/// the whole label. `None` when there is no decodable label. A label longer
/// than [`MAX_PUNYCODE_LABEL`] is not decoded.
fn punycode(items: &[Unit]) -> Option<Vec<Unit>> {
    let is_label_char = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let mut w = Rewrite::new(items);
    let mut i = 0;
    while i < items.len() {
        let at_label_start = i == 0 || !is_label_char(items[i - 1].0);
        let xn = items.len() >= i + 4
            && items[i].0.eq_ignore_ascii_case(&'x')
            && items[i + 1].0.eq_ignore_ascii_case(&'n')
            && items[i + 2].0 == '-'
            && items[i + 3].0 == '-';
        if at_label_start && xn {
            let mut end = i + 4;
            while end < items.len() && is_label_char(items[end].0) {
                end += 1;
            }
            if end - i > MAX_PUNYCODE_LABEL {
                // Not a host name's label; its characters stay as written.
                w.keep_all(i..end);
                i = end;
                continue;
            }
            let label: String = items[i + 4..end]
                .iter()
                .map(|(c, _)| c.to_ascii_lowercase())
                .collect();
            if let Some(decoded) = idna::punycode::decode_to_string(&label) {
                let range = items[i].1.start..items[end - 1].1.end;
                w.start(i);
                w.out.extend(decoded.chars().map(|c| (c, range.clone())));
                i = end;
                continue;
            }
        }
        w.keep(i);
        i += 1;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(items: &[Unit]) -> String {
        items.iter().map(|(c, _)| *c).collect()
    }

    #[test]
    fn decodes_percent_escapes_plus_and_entities_with_their_origins() {
        let v = views("a%34+&#49;&#x31;%C3%A9b");
        assert_eq!(text(&v[0]), "a4 11éb");
        let e = v[0].iter().find(|(c, _)| *c == 'é').unwrap();
        assert_eq!(e.1, 16..22);
    }

    #[test]
    fn decodes_again_what_was_encoded_twice() {
        let v = views("%2534");
        assert_eq!(text(v.last().unwrap()), "4");
    }

    #[test]
    fn decodes_punycode_labels_anywhere() {
        let v = views("jane@xn--9hbaaaaaaaaaaaaaa7a.com");
        let decoded = text(&v[0]);
        assert!(decoded.starts_with("jane@\u{664}\u{661}"), "{decoded}");
    }

    #[test]
    fn reverses_text_with_bidi_controls() {
        let v = views("\u{202E}1114");
        assert_eq!(text(&v[0]), "4111\u{202E}");
    }

    /// Base64 and hex decoded the plain way: every byte with the
    /// characters it came from, every stretch built as it is read.
    fn plain_stretches(items: &[Unit]) -> Vec<Vec<Unit>> {
        fn stretches(bytes: &[(u8, Span)], out: &mut Vec<Vec<Unit>>) {
            let raw: Vec<u8> = bytes.iter().map(|(b, _)| *b).collect();
            let mut current: Vec<Unit> = Vec::new();
            let mut at = 0;
            let end = |current: &mut Vec<Unit>, out: &mut Vec<Vec<Unit>>| {
                if current.len() >= MIN_DECODED_TEXT {
                    out.push(std::mem::take(current));
                }
                current.clear();
            };
            for chunk in raw.utf8_chunks() {
                for c in chunk.valid().chars() {
                    let n = c.len_utf8();
                    if !c.is_control() || matches!(c, '\t' | '\n' | '\r') {
                        current.push((c, bytes[at].1.start..bytes[at + n - 1].1.end));
                    } else {
                        end(&mut current, out);
                    }
                    at += n;
                }
                if !chunk.invalid().is_empty() {
                    end(&mut current, out);
                    at += chunk.invalid().len();
                }
            }
            end(&mut current, out);
            // UTF-16 with every other byte zero or TAG characters, both
            // byte orders, both alignments, decoded with the standard
            // library.
            for big_endian in [false, true] {
                for align in 0..2 {
                    let pairs: Vec<&[(u8, Span)]> = bytes
                        .get(align..)
                        .unwrap_or_default()
                        .chunks_exact(2)
                        .collect();
                    let units = pairs.iter().map(|pair| {
                        let pair_bytes = [pair[0].0, pair[1].0];
                        if big_endian {
                            u16::from_be_bytes(pair_bytes)
                        } else {
                            u16::from_le_bytes(pair_bytes)
                        }
                    });
                    let mut current: Vec<Unit> = Vec::new();
                    let mut k = 0;
                    for c in char::decode_utf16(units) {
                        let (n, c) = match c {
                            Ok(c) => (c.len_utf16(), Some(c)),
                            Err(_) => (1, None),
                        };
                        let counts = c.filter(|&c| {
                            (u32::from(c) <= 0xFF
                                && (!c.is_control() || matches!(c, '\t' | '\n' | '\r')))
                                || ('\u{E0000}'..='\u{E007F}').contains(&c)
                        });
                        match counts {
                            Some(c) => {
                                current.push((c, pairs[k][0].1.start..pairs[k + n - 1][1].1.end))
                            }
                            None => end(&mut current, out),
                        }
                        k += n;
                    }
                    end(&mut current, out);
                }
            }
        }
        let mut out = Vec::new();
        let runs = items.split(|(c, _)| base64_value(*c).is_none());
        for run in runs.filter(|r| r.len() >= MIN_BASE64) {
            for offset in 0..4 {
                let mut bytes = Vec::new();
                for quad in run[offset..].chunks(4) {
                    let range = quad[0].1.start..quad[quad.len() - 1].1.end;
                    let acc = quad.iter().fold(0u32, |a, (c, _)| {
                        a << 6 | u32::from(base64_value(*c).unwrap())
                    });
                    let acc = acc << (6 * (4 - quad.len()));
                    for k in 0..quad.len() * 6 / 8 {
                        bytes.push(((acc >> (16 - 8 * k) & 0xFF) as u8, range.clone()));
                    }
                }
                stretches(&bytes, &mut out);
            }
        }
        for run in items.split(|(c, _)| base64_value(*c).is_none()) {
            for hex in run
                .split(|(c, _)| !c.is_ascii_hexdigit())
                .filter(|h| h.len() >= MIN_HEX)
            {
                for offset in 0..2 {
                    let bytes: Vec<(u8, Span)> = hex[offset..]
                        .chunks_exact(2)
                        .map(|p| {
                            (
                                hex_value(p[0].0).unwrap() << 4 | hex_value(p[1].0).unwrap(),
                                p[0].1.start..p[1].1.end,
                            )
                        })
                        .collect();
                    stretches(&bytes, &mut out);
                }
            }
        }
        out
    }

    use proptest::strategy::Strategy as _;

    #[test]
    fn the_base64_table_is_base64_value() {
        for b in 0..=255u8 {
            assert_eq!(
                BASE64_VALUES[usize::from(b)],
                base64_value(char::from(b)).unwrap_or(0)
            );
        }
    }

    proptest::proptest! {
        /// Fed a byte at a time, the stretch test answers as reading the
        /// bytes as UTF-8 all at once does.
        #[test]
        fn text_stretch_bytewise_matches_utf8_chunks(bytes in proptest::collection::vec(proptest::prop_oneof![
            6 => 0x20u8..0x7f,
            1 => 0u8..0x20,
            2 => 0x80u8..0xC0,
            2 => 0xC0u8..=0xFF,
            1 => proptest::sample::select(vec![0x7Fu8, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0x9F, 0xA0, 0x8F, 0x90]),
        ], 0..48)) {
            let mut t = TextStretch::default();
            let streamed = bytes.iter().any(|&b| t.push(b));
            proptest::prop_assert_eq!(streamed, has_text_stretch(&bytes));
        }

        /// The same on text: characters of every UTF-8 length, C1
        /// controls, and bytes cut out of it.
        #[test]
        fn text_stretch_bytewise_matches_utf8_chunks_on_text(
            text in proptest::collection::vec(proptest::prop_oneof![
                4 => proptest::char::range('a', 'z'),
                1 => proptest::char::range('\u{80}', '\u{9f}'),
                2 => proptest::char::range('\u{a0}', '\u{7ff}'),
                2 => proptest::char::range('\u{800}', '\u{ffff}'),
                2 => proptest::char::range('\u{10000}', '\u{10ffff}'),
                1 => proptest::sample::select(vec!['\t', '\n', '\0', '\u{7f}']),
            ], 0..24),
            cut in 0usize..64,
        ) {
            let mut bytes = text.into_iter().collect::<String>().into_bytes();
            if cut < bytes.len() {
                bytes.remove(cut);
            }
            let mut t = TextStretch::default();
            let streamed = bytes.iter().any(|&b| t.push(b));
            proptest::prop_assert_eq!(streamed, has_text_stretch(&bytes));
        }

        /// The stretches found on the bytes first are those the plain way
        /// finds, with the same origins (in the same order within each
        /// run's decodings).
        #[test]
        fn base64_and_hex_stretches_match_the_plain_decoding(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::string::string_regex("[ -~é]{0,30}").unwrap().prop_map(|t| {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD_NO_PAD.encode(t)
                }),
                proptest::string::string_regex("[ -~]{0,20}").unwrap().prop_map(|t| crate::json::hex(t.as_bytes())),
                proptest::string::string_regex("[ -~é]{0,16}").unwrap().prop_map(|t| {
                    use base64::Engine as _;
                    let bytes: Vec<u8> = t.encode_utf16().flat_map(u16::to_le_bytes).collect();
                    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
                }),
                proptest::string::string_regex("[ -~\u{1}]{0,16}").unwrap().prop_map(|t| {
                    let bytes: Vec<u8> = t.encode_utf16().flat_map(u16::to_be_bytes).collect();
                    crate::json::hex(&bytes)
                }),
                proptest::string::string_regex("[ -~\u{E0020}-\u{E0080}\u{1F600}]{0,16}").unwrap().prop_map(|t| {
                    use base64::Engine as _;
                    let bytes: Vec<u8> = t.encode_utf16().flat_map(u16::to_le_bytes).collect();
                    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
                }),
                proptest::string::string_regex("[A-Za-z0-9+/_ =.-]{0,20}").unwrap(),
            ], 0..4)
        ) {
            let s = parts.concat();
            let base = units(&s);
            let mut got = Vec::new();
            binary_stretches(&base, &mut got);
            let mut want = plain_stretches(&base);
            let key = |v: &Vec<Unit>| v.iter().map(|(c, r)| (*c, r.start, r.end)).collect::<Vec<_>>();
            got.sort_by_key(key);
            want.sort_by_key(key);
            proptest::prop_assert_eq!(got, want);
        }
    }

    proptest::proptest! {
        /// The pre-check on bytes answers as the stretches do.
        #[test]
        fn has_binary_reading_is_whether_there_are_stretches(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::string::string_regex("[ -~é]{0,30}").unwrap().prop_map(|t| {
                    use base64::Engine as _;
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(t)
                }),
                proptest::string::string_regex("[ -~\u{1}]{0,20}").unwrap().prop_map(|t| crate::json::hex(t.as_bytes())),
                proptest::string::string_regex("[ -~é\u{1}]{0,16}").unwrap().prop_map(|t| {
                    use base64::Engine as _;
                    let bytes: Vec<u8> = t.encode_utf16().flat_map(u16::to_le_bytes).collect();
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
                }),
                proptest::string::string_regex("[ -~]{0,16}").unwrap().prop_map(|t| {
                    let bytes: Vec<u8> = t.encode_utf16().flat_map(u16::to_be_bytes).collect();
                    crate::json::hex(&bytes)
                }),
                proptest::string::string_regex("[ -~\u{E0020}-\u{E0080}\u{1F600}]{0,16}").unwrap().prop_map(|t| {
                    let bytes: Vec<u8> = t.encode_utf16().flat_map(u16::to_be_bytes).collect();
                    crate::json::hex(&bytes)
                }),
                proptest::string::string_regex("[A-Za-z0-9+/_ é=.-]{0,24}").unwrap(),
            ], 0..4)
        ) {
            let s = parts.concat();
            let mut found = Vec::new();
            binary_stretches(&units(&s), &mut found);
            proptest::prop_assert_eq!(has_binary_reading(&s), !found.is_empty());
        }
    }

    /// Whether some reading of `s` holds `want` (never shown on failure).
    fn read_as(s: &str, want: &str) -> bool {
        views(s).iter().any(|v| text(v).contains(want))
    }

    /// `data` as a gzip member (RFC 1952) with no optional fields but a
    /// file name, in base64.
    fn gzip_base64(data: &[u8]) -> String {
        use base64::Engine as _;
        let mut member = vec![0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0, 0xff];
        member.extend_from_slice(b"note.txt\0");
        member.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
        // The CRC-32 and size trailer: not read, written as gzip does.
        member.extend([0u8; 8]);
        base64::engine::general_purpose::STANDARD.encode(member)
    }

    #[test]
    fn reads_text_inflated_from_gzip_and_zlib_in_base64() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let text = b"{\"note\":\"pay with 4111 1111 1111 1111\"}";
        assert!(read_as(&gzip_base64(text), "4111 1111 1111 1111"));
        let zlib = b64.encode(miniz_oxide::deflate::compress_to_vec_zlib(text, 9));
        assert!(read_as(&format!("state={zlib}&x=1"), "4111 1111 1111 1111"));
        // The header alone, or one that lies, gives nothing.
        assert!(!has_binary_reading("H4sIAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!has_binary_reading("eJwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    }

    #[test]
    fn every_member_of_a_gzip_file_is_read_in_base64_or_hex() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let member = |data: &[u8]| b64.decode(gzip_base64(data)).unwrap();
        let mut file = member(b"{\"note\":\"first part, no digits\"}");
        file.extend(member(b"{\"note\":\"pay with 4111 1111 1111 1111\"}"));
        assert!(read_as(&b64.encode(&file), "4111 1111 1111 1111"));
        // A third member after a broken second is not reached; what came
        // before is kept.
        let mut broken = member(b"{\"note\":\"pay with 4111 1111 1111 1111\"}");
        broken.extend([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]);
        assert!(read_as(&b64.encode(&broken), "4111 1111 1111 1111"));
        // Text in UTF-16, as a Windows service writes it.
        let wide: Vec<u8> = "{\"note\":\"pay with 4111 1111 1111 1111\"}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(read_as(&gzip_base64(&wide), "4111 1111 1111 1111"));
        // Written in hex instead of base64.
        let hex: String = member(b"{\"note\":\"pay with 4111 1111 1111 1111\"}")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(read_as(&format!("blob={hex}"), "4111 1111 1111 1111"));
        let zlib: String =
            miniz_oxide::deflate::compress_to_vec_zlib(b"card 4111 1111 1111 1111", 6)
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
        assert!(read_as(&zlib, "4111 1111 1111 1111"));
    }

    #[test]
    fn a_compressed_stream_inflates_to_a_bounded_length() {
        // A megabyte of zeros compresses to about a kilobyte: read, it
        // stops at 4 bytes per character of its run.
        let bomb = gzip_base64(&vec![b'0'; 1 << 20]);
        let mut found = Vec::new();
        binary_stretches(&units(&bomb), &mut found);
        let inflated: usize = found.iter().map(Vec::len).sum();
        assert!(inflated > 0);
        assert!(inflated <= bomb.len() * MAX_INFLATED_PER_CHAR, "{inflated}");
        assert!(inflated <= MAX_INFLATED);
    }

    #[test]
    fn reads_utf16_text_in_base64_and_hex() {
        use base64::Engine as _;
        let digits: String = (0..16)
            .map(|i| char::from(b'0' + (i * 7 % 10) as u8))
            .collect();
        let text = format!("card {digits} exp");
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let b64 = base64::engine::general_purpose::STANDARD;
        for (form, s) in [
            ("le base64", b64.encode(&le)),
            ("be base64", b64.encode(&be)),
            ("le hex", crate::json::hex(&le)),
            ("be hex", crate::json::hex(&be)),
            ("be base64 mid-token", format!("x{}", b64.encode(&be))),
        ] {
            assert!(read_as(&s, &digits), "{form}");
            assert!(has_binary_reading(&s), "{form}");
        }
        // Text of fewer than twelve characters is not read.
        let short: Vec<u8> = "card 12"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(!has_binary_reading(&crate::json::hex(&short)));
        // Just twelve UTF-16 characters (24 bytes) are read; eleven are
        // not: the UTF-16 readings are left out of shorter runs.
        for (text, read) in [("hello world!", true), ("hello world", false)] {
            let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            for s in [b64.encode(&le), crate::json::hex(&le)] {
                assert_eq!(has_binary_reading(&s), read, "{text}");
                let mut stretches = Vec::new();
                binary_stretches(&units(&s), &mut stretches);
                assert_eq!(!stretches.is_empty(), read, "{text}");
            }
        }
    }

    #[test]
    fn reads_binary_encodings_three_deep() {
        use base64::Engine as _;
        let digits: String = (0..16)
            .map(|i| char::from(b'0' + (i * 3 % 10) as u8))
            .collect();
        let text = format!("card {digits} exp");
        let b64 = base64::engine::general_purpose::STANDARD;
        let qp = |s: &str| s.bytes().map(|b| format!("={b:02X}")).collect::<String>();
        for (form, s) in [
            (
                "hex of base64",
                crate::json::hex(b64.encode(&text).as_bytes()),
            ),
            (
                "base64 of hex",
                b64.encode(crate::json::hex(text.as_bytes())),
            ),
            ("quoted-printable of base64", qp(&b64.encode(&text))),
        ] {
            assert!(read_as(&s, &digits), "{form}");
        }
        // Three levels are read (hex of base64 of hex); four are not.
        let three = crate::json::hex(b64.encode(crate::json::hex(text.as_bytes())).as_bytes());
        assert!(read_as(&three, &digits));
        let four = b64.encode(&three);
        assert!(!read_as(&four, &digits));
    }

    /// A run whose bytes still to come can just make a stretch is read to
    /// its end; one where they cannot is given up without changing the
    /// answer.
    #[test]
    fn runs_are_read_while_a_stretch_can_still_be_made() {
        for (run, text) in [
            // `hello world!`: twelve characters in twelve bytes.
            ("aGVsbG8gd29ybGQh", true),
            // A control byte, then twelve: the rest just suffices.
            ("AWhlbGxvIHdvcmxkIQ", true),
            ("0168656c6c6f20776f726c6421", true),
            // Two control bytes, then eleven; one, then eleven.
            ("AQFoZWxsbyB3b3JsZA", false),
            ("AWhlbGxvIHdvcmxk", false),
            ("010168656c6c6f20776f726c64", false),
        ] {
            let mut stretches = Vec::new();
            binary_stretches(&units(run), &mut stretches);
            assert_eq!(has_binary_reading(run), text, "{run}");
            assert_eq!(!stretches.is_empty(), text, "{run}");
        }
    }

    #[test]
    fn plain_ascii_has_no_other_reading() {
        assert!(views("4111 1111 1111 1111").is_empty());
        assert!(views("100% sure").is_empty());
    }
}
