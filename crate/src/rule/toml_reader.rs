//! A small TOML reader for rule files: the whole of TOML 1.0 (plus 1.1's `\e`/`\xHH` escapes,
//! optional seconds and newlines/trailing commas in inline tables, as the `toml` crate accepts
//! them), with the byte span of every value and key.
//!
//! Why not the `toml` crate: it was the largest dependency of the wasm module (~60 KB of code
//! for a parser, a serializer and a datetime type the page never needs). Rule files only need a
//! tree with spans, so this reader builds exactly that: datetimes stay text, tables keep their
//! keys in file order. The `toml` crate remains the oracle of a corpus test (dev-dependency).
//!
//! Linear time, no recursion beyond the nesting of arrays and inline tables (capped at
//! [`MAX_DEPTH`]), never panics; errors carry a span and what was expected.

use crate::diagnostic::{Diagnostic, Span};

/// Arrays and inline tables nested deeper than this are refused.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    /// Offset/local date-time, local date or local time, as written.
    Datetime(String),
    Array(Vec<Item>),
    Table(Table),
}

/// How a table or array came to exist: decides what later headers and keys may do with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// Written as a value (`[...]`, `{...}`): closed to headers and dotted keys.
    Inline,
    /// `[x]` or `[[x]]`.
    Header,
    /// A parent of a header path (`a` in `[a.b]`): may still get its own `[a]` header once.
    Implicit,
    /// Created by a dotted key (`a.b = 1`).
    Dotted,
}

/// A value and the bytes it was written as (a string's span includes its quotes; a table made by
/// a header spans the header).
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub value: Value,
    pub span: Span,
    origin: Origin,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Keys in file order, each with the span of its (last) key segment.
    pub entries: Vec<(String, Span, Item)>,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Item> {
        self.entries.iter().find(|e| e.0 == key).map(|e| &e.2)
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.0 == key)
    }
}

impl Value {
    pub fn type_str(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Integer(_) => "integer",
            Value::Float(_) => "float",
            Value::Boolean(_) => "boolean",
            Value::Datetime(_) => "datetime",
            Value::Array(_) => "array",
            Value::Table(_) => "table",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_table(&self) -> Option<&Table> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }
}

/// Parse a whole document into its root table.
pub fn parse(src: &str) -> Result<Table, Diagnostic> {
    let mut p = Parser {
        src,
        b: src.as_bytes(),
        pos: 0,
    };
    let mut root = Table::default();
    // The table that key/value lines go into, as a path of entry indices from the root (an
    // array of tables on the way means its last element).
    let mut current: Vec<usize> = Vec::new();
    loop {
        p.skip_blank_lines()?;
        if p.pos >= p.b.len() {
            return Ok(root);
        }
        if p.peek() == Some(b'[') {
            let start = p.pos;
            let array = p.b.get(p.pos + 1) == Some(&b'[');
            p.pos += if array { 2 } else { 1 };
            let keys = p.key_path()?;
            let close = if array { "]]" } else { "]" };
            if !p.rest().starts_with(close) {
                return Err(p.expected_here(&[&format!("\"{close}\""), "\".\""]));
            }
            p.pos += close.len();
            let span = Span::new(start, p.pos);
            current = open_header(&mut root, &keys, array, span)?;
        } else {
            let keys = p.key_path()?;
            p.skip_ws();
            if p.peek() != Some(b'=') {
                return Err(p.expected_here(&["\"=\"", "\".\""]));
            }
            p.pos += 1;
            p.skip_ws();
            let item = p.value(0)?;
            let table = walk(&mut root, &current);
            insert_dotted(table, keys, item)?;
        }
        p.end_of_line()?;
    }
}

/// The table at `path` (indices chosen by `open_header`, so they exist).
fn walk<'t>(mut t: &'t mut Table, path: &[usize]) -> &'t mut Table {
    for &i in path {
        let item = &mut t.entries[i].2;
        t = match &mut item.value {
            Value::Table(next) => next,
            Value::Array(a) => match a.last_mut().map(|x| &mut x.value) {
                Some(Value::Table(next)) => next,
                _ => unreachable!("headers only descend into arrays of tables"),
            },
            _ => unreachable!("headers only descend into tables"),
        };
    }
    t
}

fn duplicate(what: &str, key: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        crate::diagnostic::RuleErrorKind::Syntax,
        format!("invalid rule file: duplicate {what} `{key}`"),
        span,
    )
}

/// Find or create the table a `[a.b]` / `[[a.b]]` header names; returns its path.
fn open_header(
    root: &mut Table,
    keys: &[(String, Span)],
    array: bool,
    span: Span,
) -> Result<Vec<usize>, Diagnostic> {
    let mut path = Vec::with_capacity(keys.len());
    let mut t = root;
    let Some(((last, last_span), parents)) = keys.split_last() else {
        return Err(Diagnostic::new(
            crate::diagnostic::RuleErrorKind::Syntax,
            "invalid rule file: empty table header",
            span,
        ));
    };
    for (key, kspan) in parents {
        let i = match t.index(key) {
            Some(i) => i,
            None => {
                let item = Item {
                    value: Value::Table(Table::default()),
                    span,
                    origin: Origin::Implicit,
                };
                t.entries.push((key.clone(), *kspan, item));
                t.entries.len() - 1
            }
        };
        path.push(i);
        let item = &mut t.entries[i].2;
        t = match (&mut item.value, item.origin) {
            (Value::Table(next), o) if o != Origin::Inline => next,
            (Value::Array(a), Origin::Header) => match a.last_mut().map(|x| &mut x.value) {
                Some(Value::Table(next)) => next,
                _ => return Err(duplicate("key", key, *kspan)),
            },
            _ => return Err(duplicate("key", key, *kspan)),
        };
    }
    let fresh_table = || Item {
        value: Value::Table(Table::default()),
        span,
        origin: Origin::Header,
    };
    match t.index(last) {
        None => {
            let item = if array {
                Item {
                    value: Value::Array(vec![fresh_table()]),
                    span,
                    origin: Origin::Header,
                }
            } else {
                fresh_table()
            };
            t.entries.push((last.clone(), *last_span, item));
            path.push(t.entries.len() - 1);
        }
        Some(i) => {
            let item = &mut t.entries[i].2;
            match (&mut item.value, item.origin, array) {
                (Value::Array(a), Origin::Header, true) => a.push(fresh_table()),
                (Value::Table(_), Origin::Implicit, false) => {
                    item.origin = Origin::Header;
                    item.span = span;
                }
                _ => return Err(duplicate(if array { "key" } else { "table" }, last, span)),
            }
            path.push(i);
        }
    }
    Ok(path)
}

/// `a.b.c = item` inside `t`: `a` and `b` are created (or extended when a dotted key made them).
fn insert_dotted(
    mut t: &mut Table,
    mut keys: Vec<(String, Span)>,
    item: Item,
) -> Result<(), Diagnostic> {
    let Some((last, last_span)) = keys.pop() else {
        return Err(Diagnostic::new(
            crate::diagnostic::RuleErrorKind::Syntax,
            "invalid rule file: empty key",
            item.span,
        ));
    };
    for (key, kspan) in keys {
        let i = match t.index(&key) {
            Some(i) => i,
            None => {
                let sub = Item {
                    value: Value::Table(Table::default()),
                    span: kspan,
                    origin: Origin::Dotted,
                };
                t.entries.push((key.clone(), kspan, sub));
                t.entries.len() - 1
            }
        };
        let sub = &mut t.entries[i].2;
        t = match (&mut sub.value, sub.origin) {
            (Value::Table(next), Origin::Dotted) => next,
            _ => return Err(duplicate("key", &key, kspan)),
        };
    }
    if t.index(&last).is_some() {
        return Err(duplicate("key", &last, last_span));
    }
    t.entries.push((last, last_span, item));
    Ok(())
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
}

fn is_bare_key(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn error(&self, msg: &str, start: usize) -> Diagnostic {
        let end = (start + 1).min(self.b.len()).max(start);
        let end = if self.src.is_char_boundary(end) {
            end
        } else {
            start
        };
        Diagnostic::new(
            crate::diagnostic::RuleErrorKind::Syntax,
            format!("invalid rule file: {msg}"),
            Span::new(start, end),
        )
    }

    /// "expected X, found Y" at the current position.
    fn expected_here(&self, what: &[&str]) -> Diagnostic {
        // A line end or the end of the file is pointed at with an empty span.
        let (found, len) = match self.rest().chars().next() {
            None => ("the end of the file".to_string(), 0),
            Some('\n') | Some('\r') => ("the end of the line".to_string(), 0),
            Some(c) => (format!("{c:?}"), c.len_utf8()),
        };
        let end = self.pos + len;
        Diagnostic::new(
            crate::diagnostic::RuleErrorKind::Syntax,
            format!(
                "invalid rule file: expected {}, found {found}",
                what.join(" or ")
            ),
            Span::new(self.pos, end),
        )
        .expected(what.iter().copied())
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// A comment up to (not including) the line end; control characters other than tab are
    /// not allowed in it.
    fn skip_comment(&mut self) -> Result<(), Diagnostic> {
        if self.peek() != Some(b'#') {
            return Ok(());
        }
        while let Some(c) = self.peek() {
            match c {
                b'\n' => break,
                b'\r' if self.b.get(self.pos + 1) == Some(&b'\n') => break,
                b'\t' => {}
                0..=0x1f | 0x7f => {
                    return Err(self.error("control character in a comment", self.pos))
                }
                _ => {}
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Consumes a newline (LF or CRLF); false when there is none here.
    fn newline(&mut self) -> bool {
        if self.peek() == Some(b'\n') {
            self.pos += 1;
            true
        } else if self.rest().starts_with("\r\n") {
            self.pos += 2;
            true
        } else {
            false
        }
    }

    fn skip_blank_lines(&mut self) -> Result<(), Diagnostic> {
        loop {
            self.skip_ws();
            self.skip_comment()?;
            if !self.newline() {
                return Ok(());
            }
        }
    }

    /// Whitespace, comments and newlines inside arrays (and 1.1 inline tables).
    fn skip_ws_comments_newlines(&mut self) -> Result<(), Diagnostic> {
        self.skip_blank_lines()
    }

    fn end_of_line(&mut self) -> Result<(), Diagnostic> {
        self.skip_ws();
        self.skip_comment()?;
        if self.pos >= self.b.len() || self.newline() {
            Ok(())
        } else {
            Err(self.expected_here(&["a new line", "a comment"]))
        }
    }

    /// `a.b."c d"` with optional whitespace around the dots.
    fn key_path(&mut self) -> Result<Vec<(String, Span)>, Diagnostic> {
        let mut keys = Vec::new();
        loop {
            self.skip_ws();
            keys.push(self.key()?);
            self.skip_ws();
            if self.peek() != Some(b'.') {
                return Ok(keys);
            }
            self.pos += 1;
        }
    }

    fn key(&mut self) -> Result<(String, Span), Diagnostic> {
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                if self.rest().starts_with("\"\"\"") {
                    return Err(self.error("a key cannot be a multi-line string", start));
                }
                let s = self.string('"', false)?;
                Ok((s, Span::new(start, self.pos)))
            }
            Some(b'\'') => {
                if self.rest().starts_with("'''") {
                    return Err(self.error("a key cannot be a multi-line string", start));
                }
                let s = self.string('\'', false)?;
                Ok((s, Span::new(start, self.pos)))
            }
            Some(c) if is_bare_key(c) => {
                while self.peek().is_some_and(is_bare_key) {
                    self.pos += 1;
                }
                Ok((
                    self.src[start..self.pos].to_string(),
                    Span::new(start, self.pos),
                ))
            }
            _ => Err(self.expected_here(&["a key"])),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Item, Diagnostic> {
        let start = self.pos;
        let item = |value, end| Item {
            value,
            span: Span::new(start, end),
            origin: Origin::Inline,
        };
        let value = match self.peek() {
            Some(b'"') => Value::String(self.string('"', self.rest().starts_with("\"\"\""))?),
            Some(b'\'') => Value::String(self.string('\'', self.rest().starts_with("'''"))?),
            Some(b'[') | Some(b'{') if depth >= MAX_DEPTH => {
                return Err(self.error(
                    &format!("arrays and tables nest deeper than {MAX_DEPTH} levels"),
                    start,
                ))
            }
            Some(b'[') => Value::Array(self.array(depth + 1)?),
            Some(b'{') => Value::Table(self.inline_table(depth + 1)?),
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.' | b'_') => {
                self.scalar()?
            }
            _ => return Err(self.expected_here(&["a value"])),
        };
        Ok(item(value, self.pos))
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Item>, Diagnostic> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws_comments_newlines()?;
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    return Ok(items);
                }
                None => {
                    return Err(self
                        .expected_here(&["\"]\"", "a value"])
                        .with_secondary(Span::new(open, open + 1)))
                }
                _ => {}
            }
            items.push(self.value(depth)?);
            self.skip_ws_comments_newlines()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => {
                    return Err(self
                        .expected_here(&["\",\"", "\"]\""])
                        .with_secondary(Span::new(open, open + 1)))
                }
            }
        }
    }

    fn inline_table(&mut self, depth: usize) -> Result<Table, Diagnostic> {
        let open = self.pos;
        self.pos += 1;
        let mut t = Table::default();
        loop {
            self.skip_ws_comments_newlines()?;
            if self.peek() == Some(b'}') {
                self.pos += 1;
                return Ok(t);
            }
            if self.pos >= self.b.len() {
                return Err(self
                    .expected_here(&["\"}\"", "a key"])
                    .with_secondary(Span::new(open, open + 1)));
            }
            let keys = self.key_path()?;
            self.skip_ws();
            if self.peek() != Some(b'=') {
                return Err(self.expected_here(&["\"=\"", "\".\""]));
            }
            self.pos += 1;
            self.skip_ws();
            let item = self.value(depth)?;
            insert_dotted(&mut t, keys, item)?;
            self.skip_ws_comments_newlines()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => {
                    return Err(self
                        .expected_here(&["\",\"", "\"}\""])
                        .with_secondary(Span::new(open, open + 1)))
                }
            }
        }
        // Dotted keys inside an inline table are as closed as the table itself.
    }

    /// A basic string `"…"` / `"""…"""` (with escapes) or a literal string `'…'` / `'''…'''` (none),
    /// after `quote`; the position is on the first quote.
    fn string(&mut self, quote: char, multiline: bool) -> Result<String, Diagnostic> {
        let open = self.pos;
        let (closing, delim) = match (quote, multiline) {
            ('"', false) => ("the closing \"", "\""),
            ('"', true) => ("the closing \"\"\"", "\"\"\""),
            (_, false) => ("the closing '", "'"),
            (_, true) => ("the closing '''", "'''"),
        };
        self.pos += delim.len();
        if multiline {
            self.newline();
        }
        let mut out = String::new();
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err(self
                    .expected_here(&[closing])
                    .with_secondary(Span::new(open, open + 1)));
            };
            match c {
                c if c == quote && self.rest().starts_with(delim) => {
                    if !multiline {
                        self.pos += 1;
                        return Ok(out);
                    }
                    // Up to two quotes right before the closing delimiter belong to the string.
                    let run = self.rest().chars().take_while(|&q| q == quote).count();
                    if run > 5 {
                        return Err(self.error("too many quotes", self.pos));
                    }
                    out.extend(std::iter::repeat_n(quote, run - 3));
                    self.pos += run;
                    return Ok(out);
                }
                '\\' if quote == '"' => self.escape(&mut out, multiline)?,
                '\n' if multiline => {
                    out.push('\n');
                    self.pos += 1;
                }
                '\r' if multiline && self.rest().starts_with("\r\n") => {
                    out.push('\n');
                    self.pos += 2;
                }
                '\t' => {
                    out.push('\t');
                    self.pos += 1;
                }
                '\n' | '\r' => {
                    let single = if quote == '"' {
                        "the closing \""
                    } else {
                        "the closing '"
                    };
                    return Err(self
                        .expected_here(&[single])
                        .with_secondary(Span::new(open, open + 1)));
                }
                '\0'..='\x1f' | '\x7f' => {
                    return Err(self.error("control character in a string", self.pos))
                }
                _ => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String, multiline: bool) -> Result<(), Diagnostic> {
        let at = self.pos;
        self.pos += 1;
        let simple = match self.peek() {
            Some(b'b') => Some('\u{8}'),
            Some(b't') => Some('\t'),
            Some(b'n') => Some('\n'),
            Some(b'f') => Some('\u{c}'),
            Some(b'r') => Some('\r'),
            Some(b'e') => Some('\u{1b}'),
            Some(b'"') => Some('"'),
            Some(b'\\') => Some('\\'),
            _ => None,
        };
        if let Some(ch) = simple {
            out.push(ch);
            self.pos += 1;
            return Ok(());
        }
        let digits = match self.peek() {
            Some(b'x') => 2,
            Some(b'u') => 4,
            Some(b'U') => 8,
            _ => 0,
        };
        if digits > 0 {
            let hex = self
                .src
                .get(self.pos + 1..self.pos + 1 + digits)
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
            let ch = hex
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32);
            let Some(ch) = ch else {
                return Err(Diagnostic::new(crate::diagnostic::RuleErrorKind::Syntax,
                    format!("invalid rule file: invalid escape: expected {digits} hexadecimal digits of a Unicode scalar value"),
                    Span::new(at, (self.pos + 1 + digits).min(self.src.len())),
                ));
            };
            out.push(ch);
            self.pos += 1 + digits;
            return Ok(());
        }
        if multiline {
            // A line-ending backslash trims the newline and all whitespace up to the next content.
            let save = self.pos;
            self.skip_ws();
            if self.newline() {
                while matches!(self.peek(), Some(b' ' | b'\t')) || self.newline() {
                    if matches!(self.peek(), Some(b' ' | b'\t')) {
                        self.pos += 1;
                    }
                }
                return Ok(());
            }
            self.pos = save;
        }
        Err(Diagnostic::new(
            crate::diagnostic::RuleErrorKind::Syntax,
            "invalid rule file: invalid escape sequence",
            Span::new(at, (self.pos + 1).min(self.src.len())),
        )
        .expected([
            "\\b",
            "\\t",
            "\\n",
            "\\f",
            "\\r",
            "\\e",
            "\\\"",
            "\\\\",
            "\\xHH",
            "\\uHHHH",
            "\\UHHHHHHHH",
        ]))
    }

    /// Booleans, numbers and datetimes: everything up to a delimiter, then classified.
    fn scalar(&mut self) -> Result<Value, Diagnostic> {
        let start = self.pos;
        let token_char =
            |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.' | b'_' | b':');
        while self.peek().is_some_and(token_char) {
            self.pos += 1;
        }
        // `1979-05-27 07:32:00`: a date, one space, then a time.
        if is_date(&self.src[start..self.pos])
            && self.peek() == Some(b' ')
            && self.b.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
            && self.b.get(self.pos + 3) == Some(&b':')
        {
            self.pos += 1;
            while self.peek().is_some_and(token_char) {
                self.pos += 1;
            }
        }
        let text = &self.src[start..self.pos];
        let span = Span::new(start, self.pos);
        let bad = |what: &str| {
            Diagnostic::new(
                crate::diagnostic::RuleErrorKind::Syntax,
                format!("invalid rule file: invalid {what} `{text}`"),
                span,
            )
        };
        Ok(match text {
            "true" => Value::Boolean(true),
            "false" => Value::Boolean(false),
            "inf" | "+inf" => Value::Float(f64::INFINITY),
            "-inf" => Value::Float(f64::NEG_INFINITY),
            "nan" | "+nan" | "-nan" => Value::Float(f64::NAN),
            _ if is_datetime(text) => Value::Datetime(text.to_string()),
            _ => {
                let first = text.as_bytes().first().copied().unwrap_or(b' ');
                if !(first.is_ascii_digit() || matches!(first, b'+' | b'-')) {
                    return Err(Diagnostic::new(
                        crate::diagnostic::RuleErrorKind::Syntax,
                        format!("invalid rule file: expected a value, found `{text}`"),
                        span,
                    )
                    .expected([
                        "a string", "a number", "true", "false", "a date", "\"[\"", "\"{\"",
                    ]));
                }
                if let Some(n) = integer(text) {
                    Value::Integer(n.ok_or_else(|| {
                        Diagnostic::new(
                            crate::diagnostic::RuleErrorKind::Syntax,
                            "invalid rule file: integer number overflowed",
                            span,
                        )
                    })?)
                } else if let Some(x) = float(text) {
                    if x.is_infinite() {
                        return Err(Diagnostic::new(
                            crate::diagnostic::RuleErrorKind::Syntax,
                            "invalid rule file: floating-point number overflowed",
                            span,
                        ));
                    }
                    Value::Float(x)
                } else {
                    return Err(bad("number"));
                }
            }
        })
    }
}

/// Digits with single underscores between them.
fn digits_ok(s: &str, radix: u32) -> bool {
    !s.is_empty()
        && !s.starts_with('_')
        && !s.ends_with('_')
        && !s.contains("__")
        && s.chars().all(|c| c == '_' || c.is_digit(radix))
}

/// `Some(None)` when it is an integer that does not fit; `None` when it is not an integer.
fn integer(text: &str) -> Option<Option<i64>> {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = text.strip_prefix(prefix) {
            if !digits_ok(d, radix) {
                return None;
            }
            return Some(i64::from_str_radix(&d.replace('_', ""), radix).ok());
        }
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !digits_ok(unsigned, 10) || (unsigned.len() > 1 && unsigned.starts_with('0')) {
        return None;
    }
    Some(text.replace('_', "").parse().ok())
}

fn float(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exp) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let int_ok = digits_ok(int, 10) && !(int.len() > 1 && int.starts_with('0'));
    let frac_ok = frac.is_none_or(|f| digits_ok(f, 10));
    let exp_ok = exp.is_none_or(|e| digits_ok(e.strip_prefix(['+', '-']).unwrap_or(e), 10));
    if !(int_ok && frac_ok && exp_ok && (frac.is_some() || exp.is_some())) {
        return None;
    }
    text.replace('_', "").parse().ok()
}

fn num(s: &str, len: usize, max: u32) -> bool {
    s.len() == len
        && s.bytes().all(|b| b.is_ascii_digit())
        && s.parse::<u32>().is_ok_and(|n| n <= max)
}

/// `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let mut parts = s.split('-');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d), None) => {
            num(y, 4, 9999) && num(m, 2, 12) && num(d, 2, 31) && m != "00" && d != "00"
        }
        _ => false,
    }
}

/// `HH:MM[:SS[.frac]]`.
fn is_time(s: &str) -> bool {
    let (hms, frac) = match s.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let mut parts = hms.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(m), sec, None) => {
            num(h, 2, 23)
                && num(m, 2, 59)
                && sec.is_none_or(|x| num(x, 2, 60))
                && (sec.is_some() || frac.is_none())
        }
        _ => false,
    }
}

/// Offset or local date-time, local date, or local time.
fn is_datetime(s: &str) -> bool {
    if is_date(s) || is_time(s) {
        return true;
    }
    let Some(sep) = s.find(['T', 't', ' ']) else {
        return false;
    };
    let (date, time) = (&s[..sep], &s[sep + 1..]);
    if !is_date(date) {
        return false;
    }
    let time = time
        .strip_suffix(['Z', 'z'])
        .or_else(|| {
            let i = time.rfind(['+', '-'])?;
            let off = &time[i + 1..];
            let (h, m) = off.split_once(':')?;
            (num(h, 2, 23) && num(m, 2, 59)).then_some(&time[..i])
        })
        .unwrap_or(time);
    is_time(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'t>(t: &'t Table, path: &str) -> &'t Value {
        let mut v = None;
        let mut cur = t;
        for k in path.split('/') {
            let item = cur.get(k).unwrap_or_else(|| panic!("no {k} in {path}"));
            v = Some(&item.value);
            if let Value::Table(next) = &item.value {
                cur = next;
            }
        }
        v.unwrap()
    }

    fn err(src: &str) -> Diagnostic {
        parse(src).expect_err(src)
    }

    #[test]
    fn tables_and_arrays_of_tables() {
        let src = "a = 1\n[t]\nb = 'x'\n[t.sub]\nc = true\n[[arr]]\nn = 1\n[[arr]]\nn = 2\n[arr.inner]\nz = 0\n";
        let t = parse(src).unwrap();
        assert_eq!(get(&t, "a"), &Value::Integer(1));
        assert_eq!(get(&t, "t/b"), &Value::String("x".into()));
        assert_eq!(get(&t, "t/sub/c"), &Value::Boolean(true));
        let Value::Array(arr) = get(&t, "arr") else {
            panic!()
        };
        assert_eq!(arr.len(), 2);
        let second = arr[1].value.as_table().unwrap();
        assert_eq!(second.get("n").unwrap().value, Value::Integer(2));
        assert!(second.get("inner").is_some());
        // Keys keep file order.
        let keys: Vec<_> = t.entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(keys, ["a", "t", "arr"]);
    }

    #[test]
    fn implicit_parents_may_be_defined_later_once() {
        let t = parse("[a.b]\nx = 1\n[a]\ny = 2\n").unwrap();
        assert_eq!(get(&t, "a/y"), &Value::Integer(2));
        assert_eq!(get(&t, "a/b/x"), &Value::Integer(1));
        assert!(err("[a.b]\n[a]\n[a]\n")
            .message
            .contains("duplicate table `a`"));
    }

    #[test]
    fn dotted_keys() {
        let t = parse("[rule]\nx.y = 1\nx.z = \"s\"\n\"q k\".'l' = 2\n").unwrap();
        assert_eq!(get(&t, "rule/x/y"), &Value::Integer(1));
        assert_eq!(get(&t, "rule/x/z"), &Value::String("s".into()));
        assert_eq!(get(&t, "rule/q k/l"), &Value::Integer(2));
        let t = parse("a . b = 1").unwrap();
        assert_eq!(get(&t, "a/b"), &Value::Integer(1));
        // A table made by dotted keys cannot get a header, and dotted keys cannot reopen a
        // header's table (as the toml crate decides).
        assert!(parse("[f]\napple.color = 1\n[f.apple]\n").is_err());
        assert!(parse("[f.apple]\n[f]\napple.color = 1\n").is_err());
        // …but sub-tables of a dotted table may have headers.
        assert!(parse("[f]\napple.color = 1\n[f.apple.texture]\nx = 1\n").is_ok());
    }

    #[test]
    fn strings() {
        let t = parse(concat!(
            "b = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600 \\x41 \\e\"\n",
            "l = 'C:\\path\\*'\n",
            "mb = \"\"\"\nline1\nline2 \\\n   joined\"\"\"\n",
            "ml = '''\nraw \\n\n'''\n",
            "q = \"\"\"x\"\"\"\"\"\n",
            "e = ''\n",
        ))
        .unwrap();
        assert_eq!(
            get(&t, "b"),
            &Value::String("tab\there \"q\" \\ é 😀 A \u{1b}".into())
        );
        assert_eq!(get(&t, "l"), &Value::String("C:\\path\\*".into()));
        assert_eq!(get(&t, "mb"), &Value::String("line1\nline2 joined".into()));
        assert_eq!(get(&t, "ml"), &Value::String("raw \\n\n".into()));
        assert_eq!(get(&t, "q"), &Value::String("x\"\"".into()));
        assert_eq!(get(&t, "e"), &Value::String(String::new()));
    }

    #[test]
    fn crlf_line_ends() {
        let t = parse("[rule]\r\nq = '''\r\na\r\nb'''\r\nn = 1 # c\r\n").unwrap();
        assert_eq!(get(&t, "rule/q"), &Value::String("a\nb".into()));
        assert_eq!(get(&t, "rule/n"), &Value::Integer(1));
    }

    #[test]
    fn numbers_booleans_datetimes() {
        let t = parse(concat!(
            "a = +17\nb = -1_000\nc = 0xff\nd = 0o17\ne = 0b101\n",
            "f = 3.5\ng = -1e3\nh = 6.02E+2_3\ni = inf\nj = -nan\nk = true\nl = false\n",
            "m = 1979-05-27T07:32:00Z\nn = 1979-05-27 07:32:00.999-07:00\no = 1979-05-27\np = 07:32\n",
        ))
        .unwrap();
        assert_eq!(get(&t, "a"), &Value::Integer(17));
        assert_eq!(get(&t, "b"), &Value::Integer(-1000));
        assert_eq!(get(&t, "c"), &Value::Integer(255));
        assert_eq!(get(&t, "d"), &Value::Integer(15));
        assert_eq!(get(&t, "e"), &Value::Integer(5));
        assert_eq!(get(&t, "f"), &Value::Float(3.5));
        assert_eq!(get(&t, "g"), &Value::Float(-1000.0));
        assert_eq!(get(&t, "h"), &Value::Float(6.02e23));
        assert_eq!(get(&t, "i"), &Value::Float(f64::INFINITY));
        assert!(matches!(get(&t, "j"), Value::Float(x) if x.is_nan()));
        assert_eq!(get(&t, "k"), &Value::Boolean(true));
        assert_eq!(get(&t, "l"), &Value::Boolean(false));
        assert_eq!(
            get(&t, "m"),
            &Value::Datetime("1979-05-27T07:32:00Z".into())
        );
        assert_eq!(
            get(&t, "n"),
            &Value::Datetime("1979-05-27 07:32:00.999-07:00".into())
        );
        assert_eq!(get(&t, "o"), &Value::Datetime("1979-05-27".into()));
        assert_eq!(get(&t, "p"), &Value::Datetime("07:32".into()));
    }

    #[test]
    fn arrays_and_inline_tables() {
        let t = parse(concat!(
            "a = [1, 'two', [3], {x = 4},]\n",
            "b = [ # comment\n  \"x\",\n  # another\n  \"y\"\n]\n",
            "c = { k = 1, d.e = 'f', n = { m = [] } }\n",
        ))
        .unwrap();
        let Value::Array(a) = get(&t, "a") else {
            panic!()
        };
        assert_eq!(a.len(), 4);
        assert_eq!(get(&t, "c/d/e"), &Value::String("f".into()));
        assert_eq!(get(&t, "c/n/m"), &Value::Array(vec![]));
        let Value::Array(b) = get(&t, "b") else {
            panic!()
        };
        assert_eq!(b.len(), 2);
        // Inline tables are closed.
        assert!(parse("c = { k = 1 }\n[c]\n").is_err());
        assert!(parse("c = { k = 1 }\nc.x = 2\n").is_err());
        assert!(parse("a = []\n[[a]]\n").is_err());
    }

    #[test]
    fn spans_cover_the_written_value() {
        let src = "[rule]\nquery = '''\nx\n'''\nn = 42\n";
        let t = parse(src).unwrap();
        let rule = t.get("rule").unwrap().value.as_table().unwrap();
        assert_eq!(rule.get("query").unwrap().span.text(src), "'''\nx\n'''");
        assert_eq!(rule.get("n").unwrap().span.text(src), "42");
        assert_eq!(rule.entries[1].1.text(src), "n");
    }

    #[test]
    fn errors_have_spans_and_expectations() {
        let cases: &[(&str, &str, &str)] = &[
            ("a = \n", "expected a value", ""),
            ("a = 1 b = 2\n", "expected a new line", "b"),
            ("a 1\n", "expected \"=\"", "1"),
            ("a = 1\na = 2\n", "duplicate key `a`", "a"),
            ("[t]\n[t]\n", "duplicate table `t`", "[t]"),
            ("a = \"x\n", "expected the closing \"", ""),
            ("a = 'x", "expected the closing '", ""),
            ("a = \"\\q\"", "invalid escape", "\\q"),
            ("a = \"\\u12\"", "hexadecimal", "\\u12\""),
            ("a = [1 2]", "expected \",\" or \"]\"", "2"),
            ("a = {x = 1", "expected \",\" or \"}\"", ""),
            ("a = 01", "invalid number", "01"),
            ("a = 1__0", "invalid number", "1__0"),
            (
                "a = 99999999999999999999",
                "overflowed",
                "99999999999999999999",
            ),
            ("a = 1e999", "overflowed", "1e999"),
            ("a = blah", "expected a value", "blah"),
            ("[a", "expected \"]\"", ""),
            ("= 1", "expected a key", "="),
            ("a = 1 # \u{1}", "control character", "\u{1}"),
        ];
        for (src, msg, at) in cases {
            let e = err(src);
            assert!(e.message.contains(msg), "{src:?}: {}", e.message);
            assert_eq!(e.span.text(src), *at, "{src:?}: {}", e.message);
        }
        assert!(!err("a = [1 2]").expected.is_empty());
    }

    #[test]
    fn nesting_is_capped() {
        let deep = format!(
            "a = {}{}",
            "[".repeat(MAX_DEPTH + 5),
            "]".repeat(MAX_DEPTH + 5)
        );
        assert!(err(&deep).message.contains("nest deeper"));
        let ok = format!("a = {}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn never_panics_on_truncations() {
        let src = "[rule]\nq = \"\"\"a\\\n b\"\"\"\nx = { y = [1, 2.5, 'z', 1979-05-27T00:00:00Z] }\n[[t.u]]\nk.\"l\" = 0x1f\n";
        for i in 0..=src.len() {
            if src.is_char_boundary(i) {
                let _ = parse(&src[..i]);
            }
        }
        let _ = parse("a = \"\\U0011FFFF\"");
        let _ = parse("a = 'é");
        let _ = parse("a = \"é\\");
    }
}
