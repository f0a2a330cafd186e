//! EQL lexer: the whole query becomes a token list with byte spans. Strings are unescaped here
//! (Elasticsearch's rules: `\" \' \\ \b \f \n \r \t \u{HEX}`; `"""…"""` is raw), so the parser
//! and evaluator only ever see resolved text.

use crate::diagnostic::{Diagnostic, EqlErrorKind, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A (possibly dotted) name: `process.parent.name`, keywords included (`where`, `and`, …).
    Ident(String),
    /// A name written in backticks; never a keyword.
    Quoted(String),
    /// `name~`: the case-insensitive form of a function or operator (`like~`, `endsWith~`).
    TildeIdent(String),
    Str(String),
    Int(i64),
    Float(f64),
    LParen,
    RParen,
    LBracket,
    /// `![`: a missing-event step.
    MissingOpen,
    RBracket,
    Comma,
    Colon,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=` (only in `with maxspan=…`, `with runs=…`).
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Pipe,
    /// `?` directly before a field name: an optional field.
    Optional,
    Eof,
}

impl Tok {
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Quoted(s) => format!("`{s}`"),
            Tok::TildeIdent(s) => format!("`{s}~`"),
            Tok::Str(_) => "a string".into(),
            Tok::Int(_) | Tok::Float(_) => "a number".into(),
            Tok::LParen => "\"(\"".into(),
            Tok::RParen => "\")\"".into(),
            Tok::LBracket => "\"[\"".into(),
            Tok::MissingOpen => "\"![\"".into(),
            Tok::RBracket => "\"]\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::Colon => "\":\"".into(),
            Tok::Eq => "\"==\"".into(),
            Tok::Ne => "\"!=\"".into(),
            Tok::Lt => "\"<\"".into(),
            Tok::Le => "\"<=\"".into(),
            Tok::Gt => "\">\"".into(),
            Tok::Ge => "\">=\"".into(),
            Tok::Assign => "\"=\"".into(),
            Tok::Plus => "\"+\"".into(),
            Tok::Minus => "\"-\"".into(),
            Tok::Star => "\"*\"".into(),
            Tok::Slash => "\"/\"".into(),
            Tok::Percent => "\"%\"".into(),
            Tok::Pipe => "\"|\"".into(),
            Tok::Optional => "\"?\"".into(),
            Tok::Eof => "the end of the query".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Longest accepted query, so a pasted multi-megabyte blob gets a clear message instead of work.
pub const MAX_QUERY_BYTES: usize = 1 << 20;

pub fn tokenize(src: &str) -> Result<Vec<Token>, Diagnostic> {
    if src.len() > MAX_QUERY_BYTES {
        return Err(Diagnostic::new(
            EqlErrorKind::TooLong,
            format!(
                "the query is {} bytes long; the limit is {} bytes",
                src.len(),
                MAX_QUERY_BYTES
            ),
            Span::new(0, 0),
        ));
    }
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        out: Vec::new(),
        char_spans: None,
    };
    lx.run()?;
    Ok(lx.out)
}

/// Where each character of the string literal at `span` was written (one string token, or
/// adjacent ones the parser joins into one string), quotes and escapes accounted for: a pattern
/// error can then point at the characters in the query text. Empty when `span` holds anything
/// but string tokens.
pub fn string_char_spans(src: &str, span: Span) -> Vec<Span> {
    // Lexing only up to the span's end stops right after the literal.
    let Some(text) = src.get(..span.end) else {
        return Vec::new();
    };
    let mut lx = Lexer {
        src: text,
        b: text.as_bytes(),
        pos: span.start,
        out: Vec::new(),
        char_spans: Some(Vec::new()),
    };
    let strings_only = lx.run().is_ok()
        && lx
            .out
            .iter()
            .all(|t| matches!(t.tok, Tok::Str(_) | Tok::Eof));
    match lx.char_spans {
        Some(spans) if strings_only => spans,
        _ => Vec::new(),
    }
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    out: Vec<Token>,
    /// When asked for ([`string_char_spans`]): the source span of each string character read.
    char_spans: Option<Vec<Span>>,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'@'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'@'
}

impl Lexer<'_> {
    /// Record where the characters of `text` (source at `at`) were written, when asked to.
    fn note_chars(&mut self, at: usize, text_len: usize) {
        if let Some(spans) = &mut self.char_spans {
            let text = &self.src[at..at + text_len];
            spans.extend(
                text.char_indices()
                    .map(|(i, c)| Span::new(at + i, at + i + c.len_utf8())),
            );
        }
    }

    fn peek(&self, off: usize) -> Option<u8> {
        self.b.get(self.pos + off).copied()
    }

    fn push(&mut self, tok: Tok, start: usize) {
        self.out.push(Token {
            tok,
            span: Span::new(start, self.pos),
        });
    }

    fn run(&mut self) -> Result<(), Diagnostic> {
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            let start = self.pos;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c => self.pos += 1,
                b'/' if self.peek(1) == Some(b'/') => {
                    while self.pos < self.b.len() && self.b[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'/' if self.peek(1) == Some(b'*') => match self.src[self.pos + 2..].find("*/") {
                    Some(i) => self.pos += 2 + i + 2,
                    None => {
                        return Err(Diagnostic::new(EqlErrorKind::UnterminatedComment,
                            "unterminated comment: `/*` without a closing `*/`",
                            Span::new(start, start + 2),
                        )
                        .expected(["\"*/\""]))
                    }
                },
                b'"' => {
                    let s = self.string()?;
                    self.push(Tok::Str(s), start);
                }
                b'\'' => {
                    return Err(Diagnostic::new(EqlErrorKind::UnsupportedSyntax,
                        "use double quotes [\"] to define string literals, not single quotes [']",
                        Span::new(start, start + 1),
                    )
                    .expected(["a double-quoted string"]))
                }
                b'`' => self.name()?,
                b'?' if self.peek(1) == Some(b'"') => {
                    return Err(Diagnostic::new(EqlErrorKind::UnsupportedSyntax,
                        "use triple double quotes [\"\"\"] to define unescaped string literals, not [?]",
                        Span::new(start, start + 2),
                    )
                    .expected(["\"\"\"…\"\"\""]))
                }
                b'?' => {
                    self.pos += 1;
                    self.push(Tok::Optional, start);
                }
                b'0'..=b'9' => self.number()?,
                b'.' if self.peek(1).is_some_and(|d| d.is_ascii_digit()) => self.number()?,
                c if is_ident_start(c) => self.name()?,
                _ => self.punct(c, start)?,
            }
        }
        let end = self.b.len();
        self.out.push(Token {
            tok: Tok::Eof,
            span: Span::new(end, end),
        });
        Ok(())
    }

    fn punct(&mut self, c: u8, start: usize) -> Result<(), Diagnostic> {
        let next = self.peek(1);
        let (tok, len) = match (c, next) {
            (b'=', Some(b'=')) => (Tok::Eq, 2),
            (b'!', Some(b'=')) => (Tok::Ne, 2),
            (b'!', Some(b'[')) => (Tok::MissingOpen, 2),
            (b'<', Some(b'=')) => (Tok::Le, 2),
            (b'>', Some(b'=')) => (Tok::Ge, 2),
            (b'=', _) => (Tok::Assign, 1),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', _) => (Tok::Gt, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'[', _) => (Tok::LBracket, 1),
            (b']', _) => (Tok::RBracket, 1),
            (b',', _) => (Tok::Comma, 1),
            (b':', _) => (Tok::Colon, 1),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'*', _) => (Tok::Star, 1),
            (b'/', _) => (Tok::Slash, 1),
            (b'%', _) => (Tok::Percent, 1),
            (b'|', _) => (Tok::Pipe, 1),
            _ => {
                let ch = self.src[start..].chars().next().unwrap_or('?');
                let msg = if c == b'!' {
                    "unexpected `!`: write `not` for negation, `!=` for inequality".to_string()
                } else {
                    format!("unexpected character `{ch}`")
                };
                return Err(Diagnostic::new(
                    EqlErrorKind::UnexpectedCharacter,
                    msg,
                    Span::new(start, start + ch.len_utf8()),
                ));
            }
        };
        self.pos += len;
        self.push(tok, start);
        Ok(())
    }

    /// A qualified name: segments of identifier characters or backticked text, joined by dots
    /// (`a.b`, `` a.`0`.c ``). Segments after a dot may start with a digit (`x.1st`).
    fn name(&mut self) -> Result<(), Diagnostic> {
        let start = self.pos;
        let mut name = String::new();
        let mut quoted = false;
        loop {
            if self.peek(0) == Some(b'`') {
                name.push_str(&self.backtick()?);
                quoted = true;
            } else {
                let seg = self.pos;
                while self.pos < self.b.len() && is_ident_char(self.b[self.pos]) {
                    self.pos += 1;
                }
                name.push_str(&self.src[seg..self.pos]);
            }
            if self.peek(0) == Some(b'.')
                && self.peek(1).is_some_and(|c| is_ident_char(c) || c == b'`')
            {
                self.pos += 1;
                name.push('.');
            } else {
                break;
            }
        }
        if quoted {
            self.push(Tok::Quoted(name), start);
        } else if self.peek(0) == Some(b'~') {
            self.pos += 1;
            self.push(Tok::TildeIdent(name), start);
        } else {
            self.push(Tok::Ident(name), start);
        }
        Ok(())
    }

    fn number(&mut self) -> Result<(), Diagnostic> {
        let start = self.pos;
        let mut float = false;
        while self.pos < self.b.len() && self.b[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        if self.peek(0) == Some(b'.') && self.peek(1).is_none_or(|d| d.is_ascii_digit()) {
            float = true;
            self.pos += 1;
            while self.pos < self.b.len() && self.b[self.pos].is_ascii_digit() {
                self.pos += 1;
            }
        }
        if matches!(self.peek(0), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(0), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.peek(0).is_some_and(|d| d.is_ascii_digit()) {
                float = true;
                while self.pos < self.b.len() && self.b[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
            } else {
                self.pos = save;
            }
        }
        let text = &self.src[start..self.pos];
        let span = Span::new(start, self.pos);
        if !float {
            if let Ok(i) = text.parse::<i64>() {
                self.push(Tok::Int(i), start);
                return Ok(());
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => {
                self.push(Tok::Float(f), start);
                Ok(())
            }
            _ => Err(Diagnostic::new(
                EqlErrorKind::NumberOutOfRange,
                format!("number `{text}` is out of range"),
                span,
            )),
        }
    }

    fn backtick(&mut self) -> Result<String, Diagnostic> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(i) = self.src[self.pos..].find('`') else {
                return Err(Diagnostic::new(
                    EqlErrorKind::UnterminatedName,
                    "unterminated quoted name: missing the closing backtick",
                    Span::new(start, self.b.len()),
                )
                .expected(["\"`\""]));
            };
            out.push_str(&self.src[self.pos..self.pos + i]);
            self.pos += i + 1;
            // `` inside backticks stands for one backtick.
            if self.peek(0) == Some(b'`') {
                out.push('`');
                self.pos += 1;
            } else {
                break;
            }
        }
        if out.is_empty() {
            return Err(Diagnostic::new(
                EqlErrorKind::EmptyName,
                "empty quoted name",
                Span::new(start, self.pos),
            ));
        }
        Ok(out)
    }

    fn string(&mut self) -> Result<String, Diagnostic> {
        let start = self.pos;
        if self.src[self.pos..].starts_with("\"\"\"") {
            // Raw string: everything up to the first `"""`, plus up to two more quotes that
            // belong to the content (`""""a""""` is `"a"`), as Elasticsearch's grammar reads it.
            let body = self.pos + 3;
            let Some(i) = self.src[body..].find("\"\"\"") else {
                return Err(Diagnostic::new(
                    EqlErrorKind::UnterminatedString,
                    "unterminated raw string: missing the closing \"\"\"",
                    Span::new(start, self.b.len()),
                )
                .expected(["\"\"\"\"\"\""]));
            };
            let mut end = body + i;
            let mut extra = 0;
            while extra < 2 && self.b.get(end + 3 + extra) == Some(&b'"') {
                extra += 1;
            }
            end += extra;
            self.pos = end + 3;
            self.note_chars(body, end - body);
            return Ok(self.src[body..end].to_string());
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.src[self.pos..];
            let Some(i) = rest.find(['"', '\\', '\n', '\r']) else {
                return Err(unterminated(start, self.b.len()));
            };
            out.push_str(&rest[..i]);
            self.note_chars(self.pos, i);
            self.pos += i;
            match self.b[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let escape = self.pos;
                    self.escape(&mut out)?;
                    if let Some(spans) = &mut self.char_spans {
                        spans.push(Span::new(escape, self.pos));
                    }
                }
                _ => return Err(unterminated(start, self.pos)),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Diagnostic> {
        let start = self.pos;
        let Some(c) = self.peek(1) else {
            return Err(unterminated(start, self.b.len()));
        };
        self.pos += 2;
        let ch = match c {
            b'"' => '"',
            b'\'' => '\'',
            b'\\' => '\\',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(start, out),
            _ => {
                let ch = self.src[start + 1..].chars().next().unwrap_or('?');
                return Err(Diagnostic::new(
                    EqlErrorKind::InvalidEscape,
                    format!("unknown escape sequence `\\{ch}`; write `\\\\` for a backslash"),
                    Span::new(start, start + 1 + ch.len_utf8()),
                )
                .expected([
                    "\\\\", "\\\"", "\\'", "\\n", "\\t", "\\r", "\\b", "\\f", "\\u{HEX}",
                ]));
            }
        };
        out.push(ch);
        Ok(())
    }

    /// `\u{XXXX}` (Elasticsearch's form, 2 to 8 hex digits).
    fn unicode_escape(&mut self, start: usize, out: &mut String) -> Result<(), Diagnostic> {
        let bad = |end: usize| {
            Diagnostic::new(
                EqlErrorKind::InvalidEscape,
                "invalid unicode escape: write `\\u{` followed by 2 to 8 hex digits and `}`",
                Span::new(start, end),
            )
            .expected(["\\u{HEX}"])
        };
        if self.peek(0) != Some(b'{') {
            return Err(bad(self.pos));
        }
        let digits_start = self.pos + 1;
        let mut end = digits_start;
        while end < self.b.len() && self.b[end].is_ascii_hexdigit() {
            end += 1;
        }
        if self.b.get(end) != Some(&b'}') || !(2..=8).contains(&(end - digits_start)) {
            return Err(bad(end.min(self.b.len())));
        }
        let code = u32::from_str_radix(&self.src[digits_start..end], 16).map_err(|_| bad(end))?;
        let ch = char::from_u32(code).ok_or_else(|| {
            Diagnostic::new(
                EqlErrorKind::InvalidEscape,
                format!("\\u{{{code:X}}} is not a valid unicode character"),
                Span::new(start, end + 1),
            )
        })?;
        out.push(ch);
        self.pos = end + 1;
        Ok(())
    }
}

fn unterminated(start: usize, end: usize) -> Diagnostic {
    Diagnostic::new(EqlErrorKind::UnterminatedString,
        "unterminated string: missing the closing quote (strings cannot span lines; use \"\"\"…\"\"\" for that)",
        Span::new(start, end),
    )
    .expected(["\"\\\"\""])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn strings_unescape_like_elasticsearch() {
        assert_eq!(
            toks(r#""?:\\Users\\*" "\\\\*" "a\"b\u{41}\t""#),
            [
                Tok::Str(r"?:\Users\*".into()),
                Tok::Str(r"\\*".into()),
                Tok::Str("a\"bA\t".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn raw_strings_keep_backslashes() {
        assert_eq!(
            toks(r#""""a\b"c""" """"x"""""#),
            [
                Tok::Str(r#"a\b"c"#.into()),
                Tok::Str(r#""x""#.into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn names_operators_comments() {
        assert_eq!(
            toks("process.name : ?x.y // c\n/* d */ endsWith~(`a b`.c) != 1.5 ![ 5m"),
            [
                Tok::Ident("process.name".into()),
                Tok::Colon,
                Tok::Optional,
                Tok::Ident("x.y".into()),
                Tok::TildeIdent("endsWith".into()),
                Tok::LParen,
                Tok::Quoted("a b.c".into()),
                Tok::RParen,
                Tok::Ne,
                Tok::Float(1.5),
                Tok::MissingOpen,
                Tok::Int(5),
                Tok::Ident("m".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn errors_have_spans() {
        let kind = |src: &str| tokenize(src).unwrap_err().kind;
        let e = tokenize("a == \"abc").unwrap_err();
        assert_eq!(e.span.start, 5);
        assert_eq!(e.kind, EqlErrorKind::UnterminatedString.into());
        let e = tokenize("a == 'x'").unwrap_err();
        assert_eq!(e.kind, EqlErrorKind::UnsupportedSyntax.into());
        // Wording test: the message says what to write instead.
        assert!(e.message.contains("double quotes"));
        let e = tokenize(r#"a == "\q""#).unwrap_err();
        assert_eq!(e.span, Span::new(6, 8));
        assert_eq!(e.kind, EqlErrorKind::InvalidEscape.into());
        assert_eq!(kind(r#""\u{zz}""#), EqlErrorKind::InvalidEscape.into());
        assert_eq!(kind(r#""\u{D800}""#), EqlErrorKind::InvalidEscape.into());
        assert_eq!(kind("/* x"), EqlErrorKind::UnterminatedComment.into());
        assert_eq!(kind("a ! b"), EqlErrorKind::UnexpectedCharacter.into());
        assert_eq!(kind("a # b"), EqlErrorKind::UnexpectedCharacter.into());
        assert_eq!(
            kind(r#"x == """abc"#),
            EqlErrorKind::UnterminatedString.into()
        );
        assert_eq!(kind("`a"), EqlErrorKind::UnterminatedName.into());
        assert_eq!(kind("``"), EqlErrorKind::EmptyName.into());
        assert_eq!(kind("1e999"), EqlErrorKind::NumberOutOfRange.into());
        assert_eq!(kind(r#"?"a""#), EqlErrorKind::UnsupportedSyntax.into());
        assert_eq!(
            kind(&" ".repeat(MAX_QUERY_BYTES + 1)),
            EqlErrorKind::TooLong.into()
        );
    }

    #[test]
    fn string_characters_know_where_they_were_written() {
        let src = r#"x : "a\"\u{e9}b" """c\d""" "é""#;
        let toks = tokenize(src).unwrap();
        let (lit, raw, last) = (toks[2].span, toks[3].span, toks[4].span);
        let texts = |span: Span| -> Vec<&str> {
            string_char_spans(src, span)
                .iter()
                .map(|s| s.text(src))
                .collect()
        };
        assert_eq!(texts(lit), ["a", "\\\"", "\\u{e9}", "b"]);
        assert_eq!(texts(raw), ["c", "\\", "d"]);
        assert_eq!(
            texts(lit.to(last)),
            ["a", "\\\"", "\\u{e9}", "b", "c", "\\", "d", "é"]
        );
        assert!(
            string_char_spans(src, Span::new(0, 1)).is_empty(),
            "not a string"
        );
    }
}
