//! The stand-in's tokens and commands: the subset of ES|QL the rule examples use (`FROM …
//! METADATA`, `WHERE`, `KEEP`, `STATS … BY`, `SORT`, `LIMIT`; `==`, `!=`, `<`…, `IN`, `LIKE`,
//! `IS [NOT] NULL`, `AND`/`OR`/`NOT`).

use crate::diagnostic::{Diagnostic, EsqlErrorKind, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name: field, keyword, index pattern (`logs-*`), `Esql.*`.
    Word(String),
    Str(String),
    Num(f64),
    Op(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

impl Token {
    pub fn is_word(&self, w: &str) -> bool {
        matches!(&self.tok, Tok::Word(x) if x.eq_ignore_ascii_case(w))
    }
    pub fn is_op(&self, o: &str) -> bool {
        matches!(&self.tok, Tok::Op(x) if *x == o)
    }
}

fn err(msg: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::new(EsqlErrorKind::UnexpectedToken, msg, span)
}

/// The tokens of `src`, comments skipped.
pub fn lex(src: &str) -> Result<Vec<Token>, Diagnostic> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if src[i..].starts_with("/*") {
            i = src[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
        } else if src[i..].starts_with("\"\"\"") {
            let Some(n) = src[i + 3..].find("\"\"\"") else {
                return Err(err("unterminated string", Span::new(i, b.len())));
            };
            let text = src[i + 3..i + 3 + n].to_string();
            i += 3 + n + 3;
            out.push(Token {
                tok: Tok::Str(text),
                span: Span::new(start, i),
            });
        } else if c == b'"' {
            let mut s = String::new();
            i += 1;
            let mut closed = false;
            let mut chars = src[i..].char_indices();
            while let Some((k, ch)) = chars.next() {
                match ch {
                    '"' => {
                        i += k + 1;
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => s.push('\n'),
                        Some((_, 't')) => s.push('\t'),
                        Some((_, 'r')) => s.push('\r'),
                        Some((_, other)) => s.push(other),
                        None => break,
                    },
                    other => s.push(other),
                }
            }
            if !closed {
                return Err(err("unterminated string", Span::new(start, b.len())));
            }
            out.push(Token {
                tok: Tok::Str(s),
                span: Span::new(start, i),
            });
        } else if c == b'`' {
            let Some(n) = src[i + 1..].find('`') else {
                return Err(err("unterminated quoted name", Span::new(i, b.len())));
            };
            let name = src[i + 1..i + 1 + n].to_string();
            i += n + 2;
            // A quoted part continues a dotted name: network_traffic.amqp.`no-wait`.
            if let Some(Token {
                tok: Tok::Word(prev),
                span,
            }) = out.last_mut()
            {
                if prev.ends_with('.') && span.end == start {
                    prev.push_str(&name);
                    span.end = i;
                    continue;
                }
            }
            out.push(Token {
                tok: Tok::Word(name),
                span: Span::new(start, i),
            });
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            let n = src[start..i]
                .parse::<f64>()
                .map_err(|_| err("not a number", Span::new(start, i)))?;
            out.push(Token {
                tok: Tok::Num(n),
                span: Span::new(start, i),
            });
        } else if c.is_ascii_alphabetic() || matches!(c, b'_' | b'@' | b'*') {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || matches!(b[i], b'_' | b'@' | b'*' | b'.' | b'-'))
            {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Word(src[start..i].to_string()),
                span: Span::new(start, i),
            });
        } else {
            let ops = ["==", "!=", "<=", ">=", "<", ">", "=", "|", ",", "(", ")"];
            let Some(op) = ops.iter().find(|o| src[i..].starts_with(**o)) else {
                let ch = src[i..].chars().next().unwrap_or(' ');
                return Err(err(
                    format!("unexpected character [{ch}]"),
                    Span::new(i, i + ch.len_utf8()),
                ));
            };
            i += op.len();
            out.push(Token {
                tok: Tok::Op(op),
                span: Span::new(start, i),
            });
        }
    }
    Ok(out)
}

/// A WHERE expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>, Span),
    Or(Box<Expr>, Box<Expr>, Span),
    Not(Box<Expr>, Span),
    Compare {
        field: String,
        op: &'static str,
        value: Literal,
        span: Span,
    },
    In {
        field: String,
        values: Vec<Literal>,
        negated: bool,
        span: Span,
    },
    Like {
        field: String,
        pattern: String,
        negated: bool,
        span: Span,
    },
    IsNull {
        field: String,
        negated: bool,
        span: Span,
    },
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::And(_, _, s) | Expr::Or(_, _, s) | Expr::Not(_, s) => *s,
            Expr::Compare { span, .. }
            | Expr::In { span, .. }
            | Expr::Like { span, .. }
            | Expr::IsNull { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Agg {
    pub name: String,
    pub function: String,
    /// `None` for `*`.
    pub arg: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    From { metadata: Vec<String> },
    Where(Expr),
    Keep(Vec<String>),
    Stats { aggs: Vec<Agg>, by: Vec<String> },
    Sort(Vec<(String, bool)>),
    Limit(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cmd {
    pub name: String,
    pub span: Span,
    pub command: Command,
}

struct P<'a> {
    toks: &'a [Token],
    pos: usize,
    end: Span,
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        self.pos += 1;
        t
    }
    fn here(&self) -> Span {
        self.peek().map_or(self.end, |t| t.span)
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_word(w)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_op(&mut self, o: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_op(o)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect_op(&mut self, o: &str) -> Result<(), Diagnostic> {
        if self.eat_op(o) {
            Ok(())
        } else {
            Err(err(format!("expected [{o}]"), self.here()).expected([format!("\"{o}\"")]))
        }
    }
    fn name(&mut self) -> Result<(String, Span), Diagnostic> {
        match self.next() {
            Some(Token {
                tok: Tok::Word(w),
                span,
            }) => Ok((w.clone(), *span)),
            _ => Err(err("expected a column name", self.prev_span()).expected(["a column name"])),
        }
    }
    fn prev_span(&self) -> Span {
        self.toks
            .get(self.pos.saturating_sub(1))
            .map_or(self.end, |t| t.span)
    }
    fn names(&mut self) -> Result<Vec<String>, Diagnostic> {
        let mut out = vec![self.name()?.0];
        while self.eat_op(",") {
            out.push(self.name()?.0);
        }
        Ok(out)
    }
    fn done(&self) -> Result<(), Diagnostic> {
        match self.peek() {
            None => Ok(()),
            Some(t) => Err(err("unexpected input", t.span).expected(["\"|\""])),
        }
    }

    fn or(&mut self) -> Result<Expr, Diagnostic> {
        let mut left = self.and()?;
        while self.eat_word("or") {
            let right = self.and()?;
            let span = left.span().to(right.span());
            left = Expr::Or(Box::new(left), Box::new(right), span);
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, Diagnostic> {
        let mut left = self.not()?;
        while self.eat_word("and") {
            let right = self.not()?;
            let span = left.span().to(right.span());
            left = Expr::And(Box::new(left), Box::new(right), span);
        }
        Ok(left)
    }
    fn not(&mut self) -> Result<Expr, Diagnostic> {
        let start = self.here();
        if self.eat_word("not") {
            let inner = self.not()?;
            let span = start.to(inner.span());
            return Ok(Expr::Not(Box::new(inner), span));
        }
        self.predicate()
    }
    fn literal(&mut self) -> Result<Literal, Diagnostic> {
        let t = self.next();
        match t.map(|t| &t.tok) {
            Some(Tok::Str(s)) => Ok(Literal::Str(s.clone())),
            Some(Tok::Num(n)) => Ok(Literal::Num(*n)),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            _ => Err(err(
                "the stand-in evaluator compares columns with constants only",
                self.prev_span(),
            )
            .expected(["a string", "a number", "a boolean"])),
        }
    }
    fn predicate(&mut self) -> Result<Expr, Diagnostic> {
        if self.eat_op("(") {
            let e = self.or()?;
            self.expect_op(")")?;
            return Ok(e);
        }
        let (field, fspan) = self.name()?;
        let negated = self.eat_word("not");
        if self.eat_word("in") {
            self.expect_op("(")?;
            let mut values = vec![self.literal()?];
            while self.eat_op(",") {
                values.push(self.literal()?);
            }
            self.expect_op(")")?;
            return Ok(Expr::In {
                field,
                values,
                negated,
                span: fspan.to(self.prev_span()),
            });
        }
        if self.eat_word("like") {
            let Literal::Str(pattern) = self.literal()? else {
                return Err(err("LIKE takes a string pattern", self.prev_span()));
            };
            return Ok(Expr::Like {
                field,
                pattern,
                negated,
                span: fspan.to(self.prev_span()),
            });
        }
        if negated {
            return Err(err("expected IN or LIKE after NOT", self.here()).expected(["IN", "LIKE"]));
        }
        if self.eat_word("is") {
            let negated = self.eat_word("not");
            if !self.eat_word("null") {
                return Err(err("expected NULL", self.here()).expected(["NULL"]));
            }
            return Ok(Expr::IsNull {
                field,
                negated,
                span: fspan.to(self.prev_span()),
            });
        }
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat_op(op) {
                let value = self.literal()?;
                return Ok(Expr::Compare {
                    field,
                    op,
                    value,
                    span: fspan.to(self.prev_span()),
                });
            }
        }
        Err(err("expected a comparison", self.here())
            .expected(["==", "!=", "<", ">", "IN", "LIKE", "IS"]))
    }

    fn stats(&mut self) -> Result<Command, Diagnostic> {
        let mut aggs = Vec::new();
        loop {
            let (first, span) = self.name()?;
            let (name, function, fspan) = if self.eat_op("=") {
                let (f, s) = self.name()?;
                (Some(first), f, s)
            } else {
                (None, first, span)
            };
            self.expect_op("(")?;
            let arg = if self.peek().is_some_and(|t| t.is_op(")")) {
                None
            } else {
                let (a, _) = self.name()?;
                (a != "*").then_some(a)
            };
            self.expect_op(")")?;
            let f = function.to_ascii_uppercase();
            if !["COUNT", "COUNT_DISTINCT", "VALUES", "MIN", "MAX", "SUM"].contains(&f.as_str()) {
                return Err(Diagnostic::new(
                    EsqlErrorKind::NotEvaluable,
                    format!("the stand-in evaluator has no aggregate [{function}]"),
                    fspan,
                ));
            }
            let default_name = format!(
                "{}({})",
                function,
                arg.clone().unwrap_or_else(|| if f == "COUNT" {
                    "*".into()
                } else {
                    String::new()
                })
            );
            aggs.push(Agg {
                name: name.unwrap_or(default_name),
                function: f,
                arg,
            });
            if !self.eat_op(",") {
                break;
            }
        }
        let by = if self.eat_word("by") {
            self.names()?
        } else {
            Vec::new()
        };
        Ok(Command::Stats { aggs, by })
    }
}

/// The commands of `src`. Every command after the first follows a `|`. The stand-in knows a
/// subset: what it cannot read inside the text is "not evaluable" (real ES|QL may accept it); a
/// query that ends too early or an unterminated string is a syntax error.
pub fn parse(src: &str) -> Result<Vec<Cmd>, Diagnostic> {
    parse_subset(src).map_err(|mut d| {
        let at_end = d.span.start >= src.trim_end().len();
        if d.kind == EsqlErrorKind::UnexpectedToken.into()
            && !at_end
            && !d.message.starts_with("unterminated")
        {
            d.kind = EsqlErrorKind::NotEvaluable.into();
            d.message = format!(
                "not evaluable yet (the ES|QL evaluator is a stand-in): {}",
                d.message
            );
        }
        d
    })
}

fn parse_subset(src: &str) -> Result<Vec<Cmd>, Diagnostic> {
    let toks = lex(src)?;
    let end = Span::new(src.len(), src.len());
    let mut cmds = Vec::new();
    for part in toks.split(|t| t.is_op("|")) {
        let Some(first) = part.first() else {
            return Err(err("expected a command", end).expected(["a command"]));
        };
        let span = Span::new(
            first.span.start,
            part.last().map_or(first.span.end, |t| t.span.end),
        );
        let mut p = P {
            toks: &part[1..],
            pos: 0,
            end: Span::new(span.end, span.end),
        };
        let Tok::Word(word) = &first.tok else {
            return Err(err("expected a command", first.span).expected(["a command"]));
        };
        let name = word.to_ascii_uppercase();
        let first_cmd = cmds.is_empty();
        let command = match name.as_str() {
            "FROM" if first_cmd => {
                let mut metadata = Vec::new();
                while let Some(t) = p.next() {
                    if t.is_word("metadata") {
                        metadata = p.names()?;
                        break;
                    }
                }
                Command::From { metadata }
            }
            "WHERE" if !first_cmd => Command::Where(p.or()?),
            "KEEP" if !first_cmd => Command::Keep(p.names()?),
            "STATS" if !first_cmd => p.stats()?,
            "SORT" if !first_cmd => {
                let mut keys = Vec::new();
                loop {
                    let (n, _) = p.name()?;
                    let desc = p.eat_word("desc");
                    if !desc {
                        p.eat_word("asc");
                    }
                    keys.push((n, desc));
                    if !p.eat_op(",") {
                        break;
                    }
                }
                Command::Sort(keys)
            }
            "LIMIT" if !first_cmd => match p.next().map(|t| &t.tok) {
                Some(Tok::Num(n)) if *n >= 0.0 => Command::Limit(*n as usize),
                _ => return Err(err("expected a number", p.prev_span())),
            },
            _ => {
                return Err(Diagnostic::new(
                    EsqlErrorKind::NotEvaluable,
                    format!("the stand-in evaluator cannot run [{word}] here"),
                    first.span,
                ))
            }
        };
        p.done()?;
        cmds.push(Cmd {
            name,
            span,
            command,
        });
    }
    Ok(cmds)
}
