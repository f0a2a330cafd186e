//! A hand-written recursive-descent parser for ES|QL (`EsqlBaseParser.g4`): commands here,
//! expressions in [`expr`]. Errors use ANTLR's wording ("mismatched input 'x' expecting …").

mod commands;
mod expr;

use super::ast::{Name, Query};
use super::lexer::{self, Tok, Token};
use crate::diagnostic::{Diagnostic, EsqlErrorKind, Span};

/// Longer queries are refused rather than parsed slowly.
const MAX_QUERY_BYTES: usize = 1 << 20;
/// Nesting deeper than this is refused (parentheses, NOT chains): no stack overflow.
const MAX_DEPTH: usize = 200;

/// Words that cannot be unquoted column names because the expression grammar reads them.
const RESERVED: [&str; 14] = [
    "and", "or", "not", "in", "is", "like", "rlike", "null", "true", "false", "by", "asc", "desc",
    "nulls",
];

pub fn parse(src: &str) -> Result<Query, Vec<Diagnostic>> {
    if src.len() > MAX_QUERY_BYTES {
        let d = Diagnostic::new(
            EsqlErrorKind::TooDeep,
            format!("the query is longer than {MAX_QUERY_BYTES} bytes"),
            Span::new(0, 0),
        );
        return Err(vec![d]);
    }
    let mut p = Parser {
        src,
        pos: 0,
        depth: 0,
        params: 0,
    };
    p.query().map_err(|d| vec![d])
}

pub(super) struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
    /// Bare `?` parameters seen so far: they are numbered in order.
    params: usize,
}

type PResult<T> = Result<T, Diagnostic>;

impl<'a> Parser<'a> {
    fn peek(&self) -> PResult<Token> {
        lexer::next(self.src, self.pos)
    }

    fn bump(&mut self) -> PResult<Token> {
        let t = self.peek()?;
        self.pos = t.span.end;
        Ok(t)
    }

    /// The end of the last token read: where a node's span ends.
    fn last_end(&self) -> usize {
        self.pos
    }

    fn eat_sym(&mut self, sym: &str) -> PResult<bool> {
        let t = self.peek()?;
        if t.is_sym(sym) {
            self.pos = t.span.end;
            return Ok(true);
        }
        Ok(false)
    }

    fn eat_kw(&mut self, kw: &str) -> PResult<bool> {
        let t = self.peek()?;
        if t.is_kw(kw) {
            self.pos = t.span.end;
            return Ok(true);
        }
        Ok(false)
    }

    fn expect_sym(&mut self, sym: &str) -> PResult<Token> {
        let t = self.peek()?;
        if t.is_sym(sym) {
            self.pos = t.span.end;
            return Ok(t);
        }
        Err(self.mismatched(&t, &[&format!("'{sym}'")]))
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<Token> {
        let t = self.peek()?;
        if t.is_kw(kw) {
            self.pos = t.span.end;
            return Ok(t);
        }
        Err(self.mismatched(&t, &[&format!("'{}'", kw.to_ascii_lowercase())]))
    }

    fn mismatched(&self, t: &Token, expected: &[&str]) -> Diagnostic {
        let what = if expected.len() == 1 {
            expected[0].to_string()
        } else {
            format!("{{{}}}", expected.join(", "))
        };
        Diagnostic::new(
            EsqlErrorKind::UnexpectedToken,
            format!("mismatched input {} expecting {what}", t.display(self.src)),
            t.span,
        )
        .expected(expected.iter().map(|s| s.to_string()))
    }

    fn enter(&mut self, at: Span) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::new(
                EsqlErrorKind::TooDeep,
                format!("expressions nested deeper than {MAX_DEPTH} levels"),
                at,
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn query(&mut self) -> PResult<Query> {
        let mut commands = vec![self.source_command()?];
        loop {
            let t = self.bump()?;
            match t.tok {
                Tok::Eof => break,
                Tok::Sym("|") => commands.push(self.processing_command()?),
                _ => return Err(self.mismatched(&t, &["<EOF>", "'|'"])),
            }
        }
        Ok(Query {
            text: self.src.to_string(),
            commands,
        })
    }

    /// An identifier (unquoted or backquoted), or a parameter standing for one.
    fn identifier(&mut self) -> PResult<Name> {
        let t = self.peek()?;
        let name = match &t.tok {
            Tok::Ident(s) if !RESERVED.iter().any(|r| s.eq_ignore_ascii_case(r)) => s.clone(),
            Tok::Quoted(s) => s.clone(),
            Tok::Param(s) | Tok::DoubleParam(s) => format!("?{s}"),
            _ => return Err(self.mismatched(&t, &["UNQUOTED_IDENTIFIER", "QUOTED_IDENTIFIER"])),
        };
        self.pos = t.span.end;
        Ok(Name { name, span: t.span })
    }

    /// `a.b.c`: identifiers joined by dots (each part may be backquoted).
    fn qualified_name(&mut self) -> PResult<Name> {
        let first = self.identifier()?;
        let mut name = first.name;
        let mut span = first.span;
        loop {
            let save = self.pos;
            if !self.eat_sym(".")? {
                break;
            }
            let t = self.peek()?;
            let part = match &t.tok {
                Tok::Ident(s) | Tok::Quoted(s) => s.clone(),
                // `a.1`: digits after a dot are part of the name (`Int` lexes them).
                Tok::Int(s) => s.clone(),
                _ => {
                    self.pos = save;
                    return Err(self.mismatched(&t, &["UNQUOTED_IDENTIFIER", "QUOTED_IDENTIFIER"]));
                }
            };
            self.pos = t.span.end;
            name.push('.');
            name.push_str(&part);
            span = span.to(t.span);
        }
        Ok(Name { name, span })
    }

    /// A string constant (`"…"` or `"""…"""`).
    fn string(&mut self) -> PResult<Name> {
        let t = self.peek()?;
        match t.tok {
            Tok::Str(s) => {
                self.pos = t.span.end;
                Ok(Name {
                    name: s,
                    span: t.span,
                })
            }
            _ => Err(self.mismatched(&t, &["QUOTED_STRING"])),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset, as Elasticsearch numbers them.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
