//! Expressions: precedence climbing from `or` down to primaries (literals, fields, calls) and
//! the predicates that bind to a primary (`in`, `:`, `like`, `regex`).

use super::{is_keyword, Parser};
use crate::diagnostic::{Diagnostic, EqlErrorKind, Span};
use crate::eql::ast::*;
use crate::eql::lexer::Tok;

impl Parser {
    pub(super) fn expr(&mut self) -> Result<Expr, Diagnostic> {
        let first = self.and()?;
        if !self.is_kw("or") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("or").is_some() {
            items.push(self.and()?);
        }
        let span = items[0].span.to(items[items.len() - 1].span);
        Ok(Expr::new(ExprKind::Or(items), span))
    }

    fn and(&mut self) -> Result<Expr, Diagnostic> {
        let first = self.not()?;
        if !self.is_kw("and") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("and").is_some() {
            items.push(self.not()?);
        }
        let span = items[0].span.to(items[items.len() - 1].span);
        Ok(Expr::new(ExprKind::And(items), span))
    }

    fn not(&mut self) -> Result<Expr, Diagnostic> {
        if let Some(kw) = self.eat_kw("not") {
            self.enter(kw)?;
            let inner = self.not();
            self.leave();
            let inner = inner?;
            let span = kw.to(inner.span);
            return Ok(Expr::new(ExprKind::Not(Box::new(inner)), span));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, Diagnostic> {
        let left = self.additive()?;
        let op =
            match self.peek() {
                Tok::Eq => CmpOp::Eq,
                Tok::Ne => CmpOp::Ne,
                Tok::Lt => CmpOp::Lt,
                Tok::Le => CmpOp::Le,
                Tok::Gt => CmpOp::Gt,
                Tok::Ge => CmpOp::Ge,
                Tok::Assign => return Err(Diagnostic::new(
                    EqlErrorKind::UnexpectedToken,
                    "`=` is not a comparison: use `==` (case-sensitive) or `:` (case-insensitive)",
                    self.span(),
                )
                .expected(["\"==\"", "\":\""])),
                _ => return Ok(left),
            };
        self.bump();
        let right = self.additive()?;
        if matches!(
            self.peek(),
            Tok::Eq | Tok::Ne | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge
        ) {
            return Err(Diagnostic::new(
                EqlErrorKind::UnexpectedToken,
                "comparisons cannot be chained: combine them with `and`",
                self.span(),
            )
            .expected(["`and`", "`or`"]));
        }
        let span = left.span.to(right.span);
        Ok(Expr::new(
            ExprKind::Compare {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            span,
        ))
    }

    fn additive(&mut self) -> Result<Expr, Diagnostic> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => ArithOp::Add,
                Tok::Minus => ArithOp::Sub,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.multiplicative()?;
            left = arith(op, left, right);
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, Diagnostic> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => ArithOp::Mul,
                Tok::Slash => ArithOp::Div,
                Tok::Percent => ArithOp::Mod,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.unary()?;
            left = arith(op, left, right);
        }
    }

    fn unary(&mut self) -> Result<Expr, Diagnostic> {
        match self.peek() {
            Tok::Minus | Tok::Plus => {
                let minus = *self.peek() == Tok::Minus;
                let op = self.bump().span;
                self.enter(op)?;
                let inner = self.unary();
                self.leave();
                let inner = inner?;
                let span = op.to(inner.span);
                if !minus {
                    return Ok(Expr::new(inner.kind, span));
                }
                // Fold negative literals so `-1` is a plain number, as written.
                Ok(match inner.kind {
                    ExprKind::Literal(Literal::Int(i)) => {
                        Expr::new(ExprKind::Literal(Literal::Int(i.wrapping_neg())), span)
                    }
                    ExprKind::Literal(Literal::Float(f)) => {
                        Expr::new(ExprKind::Literal(Literal::Float(-f)), span)
                    }
                    kind => Expr::new(ExprKind::Neg(Box::new(Expr::new(kind, inner.span))), span),
                })
            }
            _ => self.postfix(),
        }
    }

    /// A primary with an optional predicate: `[not] in[~] (…)`, `: p`, `like[~] p`, `regex[~] p`.
    fn postfix(&mut self) -> Result<Expr, Diagnostic> {
        let expr = self.primary()?;
        let (negated, kw) = match (self.peek(), self.peek_at(1)) {
            (Tok::Ident(n), Tok::Ident(i)) if n == "not" && i == "in" => (true, "in"),
            (Tok::Ident(n), Tok::TildeIdent(i)) if n == "not" && i == "in" => (true, "in~"),
            (Tok::Ident(n), Tok::Ident(_) | Tok::TildeIdent(_)) if n == "not" => {
                let what = self.peek_at(1).describe();
                let at = self.toks[self.pos + 1].span;
                return Err(Diagnostic::new(EqlErrorKind::UnexpectedToken,
                    format!("`not` before {what}: only `not in` is allowed here; write `not (field like …)`"),
                    self.span().to(at),
                )
                .expected(["`in`", "`in~`"]));
            }
            (Tok::Ident(i), _) if i == "in" => (false, "in"),
            (Tok::TildeIdent(i), _) if i == "in" => (false, "in~"),
            (Tok::Colon, _) => (false, ":"),
            (Tok::Ident(i), _) if i == "like" => (false, "like"),
            (Tok::TildeIdent(i), _) if i == "like" => (false, "like~"),
            (Tok::Ident(i), _) if i == "regex" => (false, "regex"),
            (Tok::TildeIdent(i), _) if i == "regex" => (false, "regex~"),
            _ => return Ok(expr),
        };
        if negated {
            self.bump();
        }
        let op_span = self.bump().span;
        if kw.starts_with("in") {
            let open = self.expect(&Tok::LParen, &["\"(\""])?;
            self.enter(open)?;
            let list = self.list(|p| p.expr(), open);
            self.leave();
            let (list, close) = list?;
            let span = expr.span.to(close);
            return Ok(Expr::new(
                ExprKind::In {
                    expr: Box::new(expr),
                    list,
                    negated,
                    insensitive: kw == "in~",
                },
                span,
            ));
        }
        let op = match kw {
            ":" => MatchOp::Colon,
            "like" | "like~" => MatchOp::Like,
            _ => MatchOp::Regex,
        };
        let insensitive = kw.ends_with('~') || kw == ":";
        let (patterns, end) = if let Some(open) = self.eat(&Tok::LParen) {
            self.list(|p| p.constant(), open)?
        } else {
            let c = self.constant()?;
            let end = c.span;
            (vec![c], end)
        };
        let _ = op_span;
        let span = expr.span.to(end);
        Ok(Expr::new(
            ExprKind::Match {
                expr: Box::new(expr),
                op,
                patterns,
                insensitive,
            },
            span,
        ))
    }

    /// `item, item, … )` after an opening parenthesis; returns the items and the `)` span.
    fn list(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<Expr, Diagnostic>,
        open: Span,
    ) -> Result<(Vec<Expr>, Span), Diagnostic> {
        let mut items = vec![item(self)?];
        loop {
            if let Some(close) = self.eat(&Tok::RParen) {
                return Ok((items, close));
            }
            if self.eat(&Tok::Comma).is_none() {
                return Err(self.error(&["\",\"", "\")\""]).with_secondary(open));
            }
            items.push(item(self)?);
        }
    }

    /// A literal: pattern operands of `:`, `like` and `regex` must be constants.
    fn constant(&mut self) -> Result<Expr, Diagnostic> {
        let start = self.span();
        let negative = self.eat(&Tok::Minus).is_some();
        let e = match self.peek().clone() {
            Tok::Str(_) if !negative => return Ok(self.strings()),
            Tok::Int(i) => Literal::Int(if negative { i.wrapping_neg() } else { i }),
            Tok::Float(f) => Literal::Float(if negative { -f } else { f }),
            Tok::Ident(s) if !negative && s == "true" => Literal::Bool(true),
            Tok::Ident(s) if !negative && s == "false" => Literal::Bool(false),
            Tok::Ident(s) if !negative && s == "null" => Literal::Null,
            _ => return Err(self.error(&["a string", "a number", "`true`", "`false`", "`null`"])),
        };
        let end = self.bump().span;
        Ok(Expr::new(ExprKind::Literal(e), start.to(end)))
    }

    /// One string literal, or adjacent ones concatenated (`"a" "b"`), as Elasticsearch does.
    fn strings(&mut self) -> Expr {
        let start = self.span();
        let mut s = String::new();
        while let Tok::Str(part) = self.peek() {
            s.push_str(part);
            self.bump();
        }
        Expr::new(
            ExprKind::Literal(Literal::Str(s)),
            start.to(self.prev_span()),
        )
    }

    fn primary(&mut self) -> Result<Expr, Diagnostic> {
        let start = self.span();
        match self.peek().clone() {
            Tok::Str(_) => Ok(self.strings()),
            Tok::Int(i) => {
                self.bump();
                Ok(Expr::new(ExprKind::Literal(Literal::Int(i)), start))
            }
            Tok::Float(f) => {
                self.bump();
                Ok(Expr::new(ExprKind::Literal(Literal::Float(f)), start))
            }
            Tok::LParen => {
                self.bump();
                self.enter(start)?;
                let inner = self.expr();
                self.leave();
                let inner = inner?;
                let close = self.eat(&Tok::RParen).ok_or_else(|| {
                    self.error(&["`and`", "`or`", "an operator", "\")\""])
                        .with_secondary(start)
                })?;
                // The span grows to the parentheses so clauses highlight what was written.
                Ok(Expr::new(inner.kind, start.to(close)))
            }
            Tok::Optional => {
                self.bump();
                match self.peek().clone() {
                    Tok::Ident(name) if !is_keyword(&name) => {
                        let end = self.bump().span;
                        self.check_index()?;
                        Ok(field(name, true, start.to(end)))
                    }
                    Tok::Quoted(name) => {
                        let end = self.bump().span;
                        self.check_index()?;
                        Ok(field(name, true, start.to(end)))
                    }
                    _ => Err(self.error(&["a field name"])),
                }
            }
            Tok::Quoted(name) => {
                self.bump();
                self.check_index()?;
                Ok(field(name, false, start))
            }
            Tok::TildeIdent(name) => {
                self.bump();
                if *self.peek() != Tok::LParen {
                    return Err(Diagnostic::new(EqlErrorKind::UnexpectedToken,
                        format!("`{name}~` must be followed by \"(\": only functions and `in~`, `like~`, `regex~` take `~`"),
                        start,
                    )
                    .expected(["\"(\""]));
                }
                self.call(name, start, true)
            }
            Tok::Ident(name) => match name.as_str() {
                "true" | "false" => {
                    self.bump();
                    Ok(Expr::new(
                        ExprKind::Literal(Literal::Bool(name == "true")),
                        start,
                    ))
                }
                "null" => {
                    self.bump();
                    Ok(Expr::new(ExprKind::Literal(Literal::Null), start))
                }
                _ if matches!(self.peek_at(1), Tok::LParen) => {
                    self.bump();
                    self.call(name, start, false)
                }
                n if is_keyword(n) => Err(self.error(&["a value", "a field name", "a function"])),
                _ => {
                    self.bump();
                    if matches!(self.peek(), Tok::Ident(s) if s == "of") {
                        return Err(Diagnostic::new(EqlErrorKind::UnsupportedSyntax,
                            "process relationships (`descendant of`, `child of`, `event of`) are not supported by Elasticsearch EQL",
                            start.to(self.span()),
                        ));
                    }
                    self.check_index()?;
                    Ok(field(name, false, start))
                }
            },
            _ => Err(self.error(&["a value", "a field name", "a function", "\"(\""])),
        }
    }

    fn check_index(&self) -> Result<(), Diagnostic> {
        if *self.peek() == Tok::LBracket && matches!(self.peek_at(1), Tok::Int(_)) {
            return Err(Diagnostic::new(
                EqlErrorKind::UnsupportedSyntax,
                "array indexes (`field[0]`) are not supported by Elasticsearch EQL",
                self.span(),
            ));
        }
        Ok(())
    }

    fn call(
        &mut self,
        name: String,
        name_span: Span,
        insensitive: bool,
    ) -> Result<Expr, Diagnostic> {
        let open = self.expect(&Tok::LParen, &["\"(\""])?;
        let func = Function::lookup(&name).ok_or_else(|| {
            Diagnostic::new(
                EqlErrorKind::UnknownFunction,
                format!("unknown function `{name}`"),
                name_span,
            )
            .expected(Function::ALL.iter().map(|f| f.name().to_string()))
        })?;
        if insensitive && !func.has_insensitive_form() {
            return Err(Diagnostic::new(
                EqlErrorKind::NoCaseInsensitiveForm,
                format!(
                    "function `{}` has no case-insensitive `~` form",
                    func.name()
                ),
                name_span,
            ));
        }
        self.enter(open)?;
        let args = if let Some(close) = self.eat(&Tok::RParen) {
            Ok((Vec::new(), close))
        } else {
            self.list(|p| p.expr(), open)
        };
        self.leave();
        let (args, close) = args?;
        let (min, max) = func.arity();
        if args.len() < min || args.len() > max {
            let want = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(Diagnostic::new(
                EqlErrorKind::WrongArgumentCount,
                format!(
                    "function `{}` takes {want} arguments, found {}",
                    func.name(),
                    args.len()
                ),
                name_span.to(close),
            ));
        }
        Ok(Expr::new(
            ExprKind::Call {
                func,
                name_span,
                insensitive,
                args,
            },
            name_span.to(close),
        ))
    }
}

fn field(name: String, optional: bool, span: Span) -> Expr {
    Expr::new(ExprKind::Field(Field { name, optional }), span)
}

fn arith(op: ArithOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.to(right.span);
    Expr::new(
        ExprKind::Arith {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        span,
    )
}
