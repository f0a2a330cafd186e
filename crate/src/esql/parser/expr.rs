//! Expressions: `booleanExpression` → `valueExpression` → `operatorExpression` →
//! `primaryExpression`, with the grammar's precedences (NOT binds tighter than AND, AND than OR;
//! one comparison per value expression; unary minus tighter than `*`).

use super::{PResult, Parser};
use crate::diagnostic::{Diagnostic, EsqlErrorKind, Span};
use crate::esql::ast::{BinOp, Expr, ExprKind};
use crate::esql::lexer::Tok;
use crate::esql::value::{DataType, Scalar, Value};

fn node(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn binary(op: BinOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.to(right.span);
    node(
        ExprKind::Binary {
            op,
            left: boxed(left),
            right: boxed(right),
        },
        span,
    )
}

/// `1 day`, `3 hours`: the amount of a qualified integer, or `None` for another word.
fn temporal(n: i64, unit: &str) -> Option<Scalar> {
    let period = |months: i64, days: i64| {
        Some(Scalar::DatePeriod {
            months: i32::try_from(months.checked_mul(n)?).ok()?,
            days: i32::try_from(days.checked_mul(n)?).ok()?,
        })
    };
    let duration = |ms: i64| Some(Scalar::TimeDuration(ms.checked_mul(n)?));
    match unit.to_ascii_lowercase().as_str() {
        "millisecond" | "milliseconds" | "ms" => duration(1),
        "second" | "seconds" | "sec" | "secs" | "s" => duration(1_000),
        "minute" | "minutes" | "min" | "mins" | "m" => duration(60_000),
        "hour" | "hours" | "hr" | "hrs" | "h" => duration(3_600_000),
        "day" | "days" | "d" => period(0, 1),
        "week" | "weeks" | "w" => period(0, 7),
        "month" | "months" | "mo" => period(1, 0),
        "quarter" | "quarters" | "q" => period(3, 0),
        "year" | "years" | "yr" | "y" => period(12, 0),
        _ => None,
    }
}

/// An integer literal's value and type: integer when it fits, then long, unsigned_long, double.
pub fn integer_literal(text: &str) -> (Value, DataType) {
    if let Ok(v) = text.parse::<i32>() {
        return (Value::One(Scalar::Int(v)), DataType::Integer);
    }
    if let Ok(v) = text.parse::<i64>() {
        return (Value::One(Scalar::Long(v)), DataType::Long);
    }
    if let Ok(v) = text.parse::<u64>() {
        return (Value::One(Scalar::ULong(v)), DataType::UnsignedLong);
    }
    let d = text.parse::<f64>().unwrap_or(f64::INFINITY);
    (Value::One(Scalar::Double(d)), DataType::Double)
}

impl<'a> Parser<'a> {
    pub(super) fn boolean_expression(&mut self) -> PResult<Expr> {
        let t = self.peek()?;
        self.enter(t.span)?;
        let r = self.or();
        self.leave();
        r
    }

    fn or(&mut self) -> PResult<Expr> {
        let mut left = self.and()?;
        while self.eat_kw("or")? {
            let right = self.and()?;
            let span = left.span.to(right.span);
            left = node(ExprKind::Or(boxed(left), boxed(right)), span);
        }
        Ok(left)
    }

    fn and(&mut self) -> PResult<Expr> {
        let mut left = self.not()?;
        while self.eat_kw("and")? {
            let right = self.not()?;
            let span = left.span.to(right.span);
            left = node(ExprKind::And(boxed(left), boxed(right)), span);
        }
        Ok(left)
    }

    fn not(&mut self) -> PResult<Expr> {
        let t = self.peek()?;
        if t.is_kw("not") {
            self.pos = t.span.end;
            self.enter(t.span)?;
            let inner = self.not();
            self.leave();
            let inner = inner?;
            let span = t.span.to(inner.span);
            return Ok(node(ExprKind::Not(boxed(inner)), span));
        }
        self.predicate()
    }

    /// A value expression and what may follow it: `[NOT] LIKE|RLIKE|IN`, `IS [NOT] NULL`, `:`.
    fn predicate(&mut self) -> PResult<Expr> {
        let value = self.value_expression()?;
        let save = self.pos;
        let negated = self.eat_kw("not")?;
        let t = self.peek()?;
        if t.is_kw("like") || t.is_kw("rlike") {
            self.pos = t.span.end;
            let regex = t.is_kw("rlike");
            let patterns = if self.eat_sym("(")? {
                let mut ps = vec![self.value_expression()?];
                while self.eat_sym(",")? {
                    ps.push(self.value_expression()?);
                }
                self.expect_sym(")")?;
                ps
            } else {
                vec![self.primary()?]
            };
            let span = Span::new(value.span.start, self.last_end());
            let kind = ExprKind::Like {
                expr: boxed(value),
                patterns,
                negated,
                regex,
            };
            return Ok(node(kind, span));
        }
        if t.is_kw("in") {
            self.pos = t.span.end;
            self.expect_sym("(")?;
            let mut list = vec![self.value_expression()?];
            while self.eat_sym(",")? {
                list.push(self.value_expression()?);
            }
            self.expect_sym(")")?;
            let span = Span::new(value.span.start, self.last_end());
            return Ok(node(
                ExprKind::In {
                    expr: boxed(value),
                    list,
                    negated,
                },
                span,
            ));
        }
        if negated {
            self.pos = save;
            let t = self.peek()?;
            return Err(self.mismatched(&t, &["'in'", "'like'", "'rlike'"]));
        }
        if t.is_kw("is") {
            self.pos = t.span.end;
            let negated = self.eat_kw("not")?;
            self.expect_kw("null")?;
            let span = Span::new(value.span.start, self.last_end());
            return Ok(node(
                ExprKind::IsNull {
                    expr: boxed(value),
                    negated,
                },
                span,
            ));
        }
        if t.is_sym(":") {
            self.pos = t.span.end;
            let query = self.constant()?;
            let span = value.span.to(query.span);
            return Ok(node(
                ExprKind::Match {
                    field: boxed(value),
                    query: boxed(query),
                },
                span,
            ));
        }
        Ok(value)
    }

    fn value_expression(&mut self) -> PResult<Expr> {
        let left = self.additive()?;
        let t = self.peek()?;
        let op = match t.tok {
            Tok::Sym("==") => BinOp::Eq,
            Tok::Sym("!=") => BinOp::Neq,
            Tok::Sym("<") => BinOp::Lt,
            Tok::Sym("<=") => BinOp::Le,
            Tok::Sym(">") => BinOp::Gt,
            Tok::Sym(">=") => BinOp::Ge,
            Tok::Sym("=~") => BinOp::EqIgnoreCase,
            _ => return Ok(left),
        };
        self.pos = t.span.end;
        let right = self.additive()?;
        Ok(binary(op, left, right))
    }

    fn additive(&mut self) -> PResult<Expr> {
        self.left_assoc(Self::multiplicative, |t| match t {
            Tok::Sym("+") => Some(BinOp::Add),
            Tok::Sym("-") => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> PResult<Expr> {
        self.left_assoc(Self::unary, |t| match t {
            Tok::Sym("*") => Some(BinOp::Mul),
            Tok::Sym("/") => Some(BinOp::Div),
            Tok::Sym("%") => Some(BinOp::Mod),
            _ => None,
        })
    }

    /// `operand (op operand)*`, grouped to the left.
    fn left_assoc(
        &mut self,
        operand: fn(&mut Self) -> PResult<Expr>,
        op_of: fn(&Tok) -> Option<BinOp>,
    ) -> PResult<Expr> {
        let mut left = operand(self)?;
        loop {
            let t = self.peek()?;
            let Some(op) = op_of(&t.tok) else {
                return Ok(left);
            };
            self.pos = t.span.end;
            let right = operand(self)?;
            left = binary(op, left, right);
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        let t = self.peek()?;
        if t.is_sym("-") || t.is_sym("+") {
            self.pos = t.span.end;
            self.enter(t.span)?;
            let inner = self.unary();
            self.leave();
            let inner = inner?;
            let span = t.span.to(inner.span);
            if t.is_sym("+") {
                return Ok(Expr {
                    kind: inner.kind,
                    span,
                });
            }
            return Ok(negate(inner, span));
        }
        self.primary()
    }

    pub(super) fn primary(&mut self) -> PResult<Expr> {
        let mut e = self.primary_base()?;
        while self.eat_sym("::")? {
            let t = self.peek()?;
            let name = match &t.tok {
                Tok::Ident(s) => s.clone(),
                _ => return Err(self.mismatched(&t, &["UNQUOTED_IDENTIFIER"])),
            };
            let Some(ty) = DataType::from_cast_name(&name) else {
                return Err(Diagnostic::new(
                    EsqlErrorKind::TypeMismatch,
                    format!(
                        "Unsupported conversion to type [{}]",
                        name.to_ascii_uppercase()
                    ),
                    t.span,
                ));
            };
            self.pos = t.span.end;
            let span = e.span.to(t.span);
            e = node(ExprKind::Cast { expr: boxed(e), ty }, span);
        }
        Ok(e)
    }

    fn primary_base(&mut self) -> PResult<Expr> {
        let t = self.peek()?;
        match &t.tok {
            Tok::Sym("(") => {
                self.pos = t.span.end;
                // The inner expression keeps its own span: Elasticsearch names and quotes
                // `(a < b)` by the text inside the parentheses.
                let inner = self.boolean_expression()?;
                self.expect_sym(")")?;
                Ok(inner)
            }
            Tok::Ident(s) | Tok::Quoted(s) => {
                let after = crate::esql::lexer::next(self.src, t.span.end)?;
                if matches!(t.tok, Tok::Ident(_)) && after.is_sym("(") {
                    return self.call(s.clone(), t.span, after.span.end);
                }
                if matches!(t.tok, Tok::Ident(_))
                    && ["null", "true", "false"].iter().any(|k| t.is_kw(k))
                {
                    return self.constant();
                }
                let name = self.qualified_name()?;
                Ok(node(ExprKind::Column(name.name), name.span))
            }
            Tok::DoubleParam(p) => {
                self.pos = t.span.end;
                Ok(node(ExprKind::Column(format!("??{p}")), t.span))
            }
            _ => self.constant(),
        }
    }

    fn call(&mut self, name: String, name_span: Span, after_paren: usize) -> PResult<Expr> {
        self.pos = after_paren;
        let mut args = Vec::new();
        let mut star = false;
        if self.eat_sym("*")? {
            star = true;
        } else if !self.peek()?.is_sym(")") {
            loop {
                if self.peek()?.is_sym("{") {
                    self.map_expression()?;
                } else {
                    args.push(self.boolean_expression()?);
                }
                if !self.eat_sym(",")? {
                    break;
                }
            }
        }
        let close = self.expect_sym(")")?;
        Ok(node(
            ExprKind::Call { name, args, star },
            name_span.to(close.span),
        ))
    }

    /// `{"option": value, …}`: function options (MATCH's), read and not kept.
    fn map_expression(&mut self) -> PResult<()> {
        self.expect_sym("{")?;
        if self.eat_sym("}")? {
            return Ok(());
        }
        loop {
            self.string()?;
            self.expect_sym(":")?;
            self.constant()?;
            if !self.eat_sym(",")? {
                break;
            }
        }
        self.expect_sym("}")?;
        Ok(())
    }

    pub(super) fn constant(&mut self) -> PResult<Expr> {
        let t = self.bump()?;
        let lit = |value, ty| Ok(node(ExprKind::Literal { value, ty }, t.span));
        match &t.tok {
            Tok::Ident(s) if s.eq_ignore_ascii_case("null") => lit(Value::Null, DataType::Null),
            Tok::Ident(s) if s.eq_ignore_ascii_case("true") => {
                lit(Value::One(Scalar::Bool(true)), DataType::Boolean)
            }
            Tok::Ident(s) if s.eq_ignore_ascii_case("false") => {
                lit(Value::One(Scalar::Bool(false)), DataType::Boolean)
            }
            Tok::Str(s) => lit(
                Value::One(Scalar::Str(s.as_str().into())),
                DataType::Keyword,
            ),
            Tok::Decimal(s) => match s.parse::<f64>() {
                Ok(d) if d.is_finite() => lit(Value::One(Scalar::Double(d)), DataType::Double),
                _ => Err(Diagnostic::new(
                    EsqlErrorKind::NumberOutOfRange,
                    format!("Number [{s}] is too large"),
                    t.span,
                )),
            },
            Tok::Int(s) => {
                let unit = self.peek()?;
                if let (Tok::Ident(u), Ok(n)) = (&unit.tok, s.parse::<i64>()) {
                    if let Some(amount) = temporal(n, u) {
                        self.pos = unit.span.end;
                        let ty = match amount {
                            Scalar::TimeDuration(_) => DataType::TimeDuration,
                            _ => DataType::DatePeriod,
                        };
                        let span = t.span.to(unit.span);
                        return Ok(node(
                            ExprKind::Literal {
                                value: Value::One(amount),
                                ty,
                            },
                            span,
                        ));
                    }
                }
                let (value, ty) = integer_literal(s);
                lit(value, ty)
            }
            Tok::Param(p) => {
                let name = if p.is_empty() {
                    self.params += 1;
                    self.params.to_string()
                } else {
                    p.clone()
                };
                Ok(node(ExprKind::Param(name), t.span))
            }
            Tok::Sym("[") => self.array(t.span),
            Tok::Sym("-") | Tok::Sym("+") => {
                let inner = self.constant()?;
                let span = t.span.to(inner.span);
                if t.is_sym("+") {
                    return Ok(Expr {
                        kind: inner.kind,
                        span,
                    });
                }
                Ok(negate(inner, span))
            }
            _ => Err(self.mismatched(
                &t,
                &[
                    "QUOTED_STRING",
                    "INTEGER_LITERAL",
                    "DECIMAL_LITERAL",
                    "'null'",
                    "'true'",
                    "'false'",
                    "'['",
                    "'?'",
                    "UNQUOTED_IDENTIFIER",
                ],
            )),
        }
    }

    /// `[1, 2, 3]`, `["a", "b"]`, `[true, false]`: a multi-valued constant of one type.
    fn array(&mut self, open: Span) -> PResult<Expr> {
        let mut items: Vec<Expr> = Vec::new();
        if !self.peek()?.is_sym("]") {
            loop {
                items.push(self.constant()?);
                if !self.eat_sym(",")? {
                    break;
                }
            }
        }
        let close = self.expect_sym("]")?;
        let span = open.to(close.span);
        let mut ty = DataType::Null;
        let mut values = Vec::new();
        for item in &items {
            let ExprKind::Literal { value, ty: t } = &item.kind else {
                return Err(Diagnostic::new(
                    EsqlErrorKind::UnexpectedToken,
                    "a list holds constants only",
                    item.span,
                ));
            };
            ty = widen(ty, *t).ok_or_else(|| {
                Diagnostic::new(
                    EsqlErrorKind::TypeMismatch,
                    "a list holds constants of one type",
                    item.span,
                )
            })?;
            values.extend(value.values().iter().cloned());
        }
        let values = values.into_iter().map(|v| convert_numeric(v, ty)).collect();
        Ok(node(
            ExprKind::Literal {
                value: Value::from_vec(values),
                ty,
            },
            span,
        ))
    }
}

/// The type a list of constants of types `a` and `b` takes (`[1, 2.5]` is double).
fn widen(a: DataType, b: DataType) -> Option<DataType> {
    use DataType::*;
    Some(match (a, b) {
        (Null, t) | (t, Null) => t,
        (x, y) if x == y => x,
        (Integer, Long) | (Long, Integer) => Long,
        (Integer | Long, UnsignedLong) | (UnsignedLong, Integer | Long) => UnsignedLong,
        (x, y) if x.is_numeric() && y.is_numeric() => Double,
        _ => return None,
    })
}

fn convert_numeric(v: Scalar, ty: DataType) -> Scalar {
    match (v, ty) {
        (Scalar::Int(i), DataType::Long) => Scalar::Long(i.into()),
        (Scalar::Int(i), DataType::Double) => Scalar::Double(i.into()),
        (Scalar::Long(i), DataType::Double) => Scalar::Double(i as f64),
        (Scalar::ULong(i), DataType::Double) => Scalar::Double(i as f64),
        (Scalar::Int(i), DataType::UnsignedLong) if i >= 0 => Scalar::ULong(i as u64),
        (Scalar::Long(i), DataType::UnsignedLong) if i >= 0 => Scalar::ULong(i as u64),
        (v, _) => v,
    }
}

/// `-x`: folded into a numeric literal (so `-2147483648` is an integer), else a negation.
fn negate(inner: Expr, span: Span) -> Expr {
    if let ExprKind::Literal {
        value: Value::One(s),
        ty,
    } = &inner.kind
    {
        let folded = match s {
            Scalar::Int(i) => i.checked_neg().map(|v| (Scalar::Int(v), *ty)),
            Scalar::Long(i) if *i == i64::from(i32::MAX) + 1 => {
                Some((Scalar::Int(i32::MIN), DataType::Integer))
            }
            Scalar::Long(i) => i.checked_neg().map(|v| (Scalar::Long(v), *ty)),
            Scalar::ULong(u) if *u == 1u64 << 63 => Some((Scalar::Long(i64::MIN), DataType::Long)),
            Scalar::Double(d) => Some((Scalar::Double(-d), *ty)),
            Scalar::TimeDuration(d) => d.checked_neg().map(|d| (Scalar::TimeDuration(d), *ty)),
            Scalar::DatePeriod { months, days } => months
                .checked_neg()
                .zip(days.checked_neg())
                .map(|(months, days)| (Scalar::DatePeriod { months, days }, *ty)),
            _ => None,
        };
        if let Some((v, ty)) = folded {
            return node(
                ExprKind::Literal {
                    value: Value::One(v),
                    ty,
                },
                span,
            );
        }
    }
    node(ExprKind::Neg(boxed(inner)), span)
}
