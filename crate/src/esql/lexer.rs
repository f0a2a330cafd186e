//! ES|QL tokens (`EsqlBaseLexer.g4`), lexed one at a time from a byte position: the parser
//! re-reads the text in other modes where the grammar has them (index patterns after `FROM`,
//! name patterns after `KEEP`/`DROP`), so the lexer keeps no state of its own.

use crate::diagnostic::{Diagnostic, EsqlErrorKind, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An unquoted identifier or keyword, as written (keywords compare case-insensitively).
    Ident(String),
    /// A backquoted identifier, unescaped (``` `` ``` is one backquote).
    Quoted(String),
    Str(String),
    /// Digits, as written.
    Int(String),
    Decimal(String),
    /// `?`, `?name`, `?1`: the name or position after the `?` (empty for a bare `?`).
    Param(String),
    /// `??name`: a parameter naming an identifier or function.
    DoubleParam(String),
    Sym(&'static str),
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

impl Token {
    /// The token as ANTLR quotes it in "mismatched input 'x'" (`<EOF>` at the end).
    pub fn display(&self, src: &str) -> String {
        match self.tok {
            Tok::Eof => "'<EOF>'".into(),
            _ => format!("'{}'", self.span.text(src)),
        }
    }

    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    pub fn is_sym(&self, sym: &str) -> bool {
        matches!(&self.tok, Tok::Sym(s) if *s == sym)
    }
}

const SYMBOLS: [&str; 23] = [
    "::", "==", "!=", "<=", ">=", "=~", "|", ",", ".", "(", ")", "[", "]", "{", "}", "=", "<", ">",
    "+", "-", "*", "/", "%",
];

/// The position after spaces and comments from `pos` (an unterminated `/*` is an error).
pub fn skip_trivia(src: &str, mut pos: usize) -> Result<usize, Diagnostic> {
    let b = src.as_bytes();
    loop {
        while pos < b.len() && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if b[pos..].starts_with(b"//") {
            pos = src[pos..].find('\n').map_or(src.len(), |i| pos + i + 1);
        } else if b[pos..].starts_with(b"/*") {
            // ANTLR's MULTILINE_COMMENT nests.
            let start = pos;
            let mut depth = 0usize;
            loop {
                if b[pos..].starts_with(b"/*") {
                    depth += 1;
                    pos += 2;
                } else if b[pos..].starts_with(b"*/") {
                    depth -= 1;
                    pos += 2;
                    if depth == 0 {
                        break;
                    }
                } else if pos >= b.len() {
                    return Err(Diagnostic::new(
                        EsqlErrorKind::UnterminatedComment,
                        "unterminated comment: expected */",
                        Span::new(start, start + 2),
                    ));
                } else {
                    pos += 1;
                }
            }
        } else {
            return Ok(pos);
        }
    }
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The token at `pos` (after trivia).
pub fn next(src: &str, pos: usize) -> Result<Token, Diagnostic> {
    let pos = skip_trivia(src, pos)?;
    let b = src.as_bytes();
    let tok = |tok, end| {
        Ok(Token {
            tok,
            span: Span::new(pos, end),
        })
    };
    let Some(&c) = b.get(pos) else {
        return tok(Tok::Eof, pos);
    };
    if c.is_ascii_alphabetic()
        || ((c == b'_' || c == b'@')
            && b.get(pos + 1)
                .is_some_and(|&n| is_ident_char(n) || n == b'@'))
    {
        let mut end = pos + 1;
        while end < b.len() && (is_ident_char(b[end]) || b[end] == b'@') {
            end += 1;
        }
        return tok(Tok::Ident(src[pos..end].to_string()), end);
    }
    if c.is_ascii_digit() || (c == b'.' && b.get(pos + 1).is_some_and(u8::is_ascii_digit)) {
        return number(src, pos);
    }
    match c {
        b'"' => string(src, pos),
        b'`' => quoted_ident(src, pos),
        b'?' => {
            let double = b.get(pos + 1) == Some(&b'?');
            let start = pos + 1 + usize::from(double);
            let mut end = start;
            while end < b.len() && is_ident_char(b[end]) {
                end += 1;
            }
            let name = src[start..end].to_string();
            tok(
                if double {
                    Tok::DoubleParam(name)
                } else {
                    Tok::Param(name)
                },
                end,
            )
        }
        b':' if b.get(pos + 1) != Some(&b':') => tok(Tok::Sym(":"), pos + 1),
        _ => {
            for s in SYMBOLS {
                if src[pos..].starts_with(s) {
                    return tok(Tok::Sym(s), pos + s.len());
                }
            }
            let ch = src[pos..].chars().next().unwrap_or(' ');
            Err(Diagnostic::new(
                EsqlErrorKind::UnexpectedCharacter,
                format!("token recognition error at: '{ch}'"),
                Span::new(pos, pos + ch.len_utf8()),
            ))
        }
    }
}

fn number(src: &str, pos: usize) -> Result<Token, Diagnostic> {
    let b = src.as_bytes();
    let mut end = pos;
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    let mut decimal = false;
    if b.get(end) == Some(&b'.')
        && !b
            .get(end + 1)
            .is_some_and(|&n| n.is_ascii_alphabetic() || n == b'_')
    {
        decimal = true;
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut e = end + 1;
        if matches!(b.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        if b.get(e).is_some_and(u8::is_ascii_digit) {
            while e < b.len() && b[e].is_ascii_digit() {
                e += 1;
            }
            end = e;
            decimal = true;
        }
    }
    let text = src[pos..end].to_string();
    let tok = if decimal {
        Tok::Decimal(text)
    } else {
        Tok::Int(text)
    };
    Ok(Token {
        tok,
        span: Span::new(pos, end),
    })
}

fn string(src: &str, pos: usize) -> Result<Token, Diagnostic> {
    let unterminated = || {
        Diagnostic::new(
            EsqlErrorKind::UnterminatedString,
            "unterminated quoted string: expected a closing \"",
            Span::new(pos, src.len()),
        )
    };
    if src[pos..].starts_with("\"\"\"") {
        // Triple-quoted strings are raw: no escapes; the longest run of quotes at the end closes.
        let body = pos + 3;
        let close = src[body..].find("\"\"\"").ok_or_else(unterminated)? + body;
        let mut end = close + 3;
        let mut text_end = close;
        while src.as_bytes().get(end) == Some(&b'"') {
            end += 1;
            text_end += 1;
        }
        let tok = Tok::Str(src[body..text_end].to_string());
        return Ok(Token {
            tok,
            span: Span::new(pos, end),
        });
    }
    let mut out = String::new();
    let mut chars = src[pos + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let end = pos + 1 + i + 1;
                return Ok(Token {
                    tok: Tok::Str(out),
                    span: Span::new(pos, end),
                });
            }
            '\\' => {
                let Some((j, e)) = chars.next() else {
                    return Err(unterminated());
                };
                match e {
                    't' => out.push('\t'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    _ => {
                        let at = pos + 1 + i;
                        return Err(Diagnostic::new(
                            EsqlErrorKind::UnexpectedCharacter,
                            format!("token recognition error at: '\\{e}'"),
                            Span::new(at, pos + 1 + j + e.len_utf8()),
                        ));
                    }
                }
            }
            '\n' | '\r' => return Err(unterminated()),
            c => out.push(c),
        }
    }
    Err(unterminated())
}

fn quoted_ident(src: &str, pos: usize) -> Result<Token, Diagnostic> {
    let mut out = String::new();
    let b = src.as_bytes();
    let mut i = pos + 1;
    while i < b.len() {
        if b[i] == b'`' {
            if b.get(i + 1) == Some(&b'`') {
                out.push('`');
                i += 2;
                continue;
            }
            return Ok(Token {
                tok: Tok::Quoted(out),
                span: Span::new(pos, i + 1),
            });
        }
        let ch = src[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    Err(Diagnostic::new(
        EsqlErrorKind::UnterminatedString,
        "unterminated quoted identifier: expected a closing `",
        Span::new(pos, src.len()),
    ))
}

/// After `FROM`: an index pattern (`logs-*`, `.ds-x`, `cluster:idx`, `"quoted"`) or `None`.
pub fn index_pattern(src: &str, pos: usize) -> Result<Option<Token>, Diagnostic> {
    let pos = skip_trivia(src, pos)?;
    let b = src.as_bytes();
    if b.get(pos) == Some(&b'"') {
        return string(src, pos).map(Some);
    }
    let mut end = pos;
    while end < b.len()
        && !matches!(
            b[end],
            b'|' | b',' | b'[' | b']' | b'(' | b')' | b'"' | b'`' | b'='
        )
        && !b[end].is_ascii_whitespace()
        && !b[end..].starts_with(b"//")
        && !b[end..].starts_with(b"/*")
    {
        end += 1;
    }
    if end == pos {
        return Ok(None);
    }
    Ok(Some(Token {
        tok: Tok::Ident(src[pos..end].to_string()),
        span: Span::new(pos, end),
    }))
}

/// After `KEEP`, `DROP`, `RENAME`: a name that may hold `*` wildcards (`host.*`, `` `a b` ``).
pub fn name_pattern(src: &str, pos: usize) -> Result<Option<Token>, Diagnostic> {
    let pos = skip_trivia(src, pos)?;
    let b = src.as_bytes();
    let mut end = pos;
    let mut out = String::new();
    while end < b.len() {
        let c = b[end];
        if is_ident_char(c) || matches!(c, b'*' | b'@' | b'.') {
            out.push(c as char);
            end += 1;
        } else if c == b'`' {
            let t = quoted_ident(src, end)?;
            if let Tok::Quoted(s) = t.tok {
                out.push_str(&s);
            }
            end = t.span.end;
        } else {
            break;
        }
    }
    if end == pos {
        return Ok(None);
    }
    Ok(Some(Token {
        tok: Tok::Ident(out),
        span: Span::new(pos, end),
    }))
}
