//! The verifier: an expression checked and typed against the columns before its command, with
//! Elasticsearch's messages ("Unknown column [x]", "first argument of [a > b] is [keyword] so
//! second argument must also be [keyword] but was [integer]"), compiled into a tree the rows run.

use super::convert;
use crate::diagnostic::{Diagnostic, EsqlErrorKind, Span};
use crate::eql::regex::Regex;
use crate::esql::ast::{BinOp, Expr, ExprKind};
use crate::esql::functions::{self, AggregateFunction, ArgInfo, ScalarFunction};
use crate::esql::outcome::Column;
use crate::esql::value::{DataType, Scalar, Value};
use crate::kql::KqlQuery;

pub struct CExpr {
    pub node: Node,
    pub ty: DataType,
    pub span: Span,
    /// The source text, for warnings ("evaluation of [a + b] failed") and column names.
    pub text: String,
}

pub enum Matcher {
    Wildcard(Vec<WildPart>),
    Regex(Regex),
    /// `.*` (RLIKE): every value.
    All,
}

impl Matcher {
    fn matches_all(&self) -> bool {
        match self {
            Matcher::Wildcard(p) => *p == [WildPart::AnyMany],
            Matcher::All => true,
            Matcher::Regex(_) => false,
        }
    }
}

/// A LIKE (`*`, `?`) or RLIKE (Lucene regex) pattern compiled.
pub fn matcher(text: &str, regex: bool, span: Span) -> Result<Matcher, Diagnostic> {
    if !regex {
        return Ok(Matcher::Wildcard(wildcard(text)));
    }
    if text == ".*" {
        return Ok(Matcher::All);
    }
    crate::eql::regex::compile(text, false)
        .map(Matcher::Regex)
        .map_err(|e| {
            err(
                EsqlErrorKind::InvalidArgument,
                format!("Invalid regex pattern for RLIKE [{text}]: [{}]", e.message),
                span,
            )
        })
}

/// Whether any node of `c` (itself included, aggregate arguments excluded) satisfies `f`.
pub fn any_node(c: &CExpr, f: &dyn Fn(&Node) -> bool) -> bool {
    if f(&c.node) {
        return true;
    }
    let any = |list: &[CExpr]| list.iter().any(|x| any_node(x, f));
    match &c.node {
        Node::Const(_) | Node::Col(_) | Node::Agg(_) | Node::Kql(_) => false,
        Node::Scalar { args, .. } => any(args),
        Node::In { e, list } => any_node(e, f) || any(list),
        Node::Arith { l, r, .. } | Node::Cmp { l, r, .. } | Node::And(l, r) | Node::Or(l, r) => {
            any_node(l, f) || any_node(r, f)
        }
        Node::Like { e, computed, .. } => any_node(e, f) || any(computed),
        Node::Neg(e)
        | Node::Not(e)
        | Node::IsNull { e, .. }
        | Node::Match { e, .. }
        | Node::Cast { e, .. } => any_node(e, f),
    }
}

/// Whether an expression reads the row (a column, an aggregate, the source event).
pub fn reads_row(c: &CExpr) -> bool {
    any_node(c, &|n| {
        matches!(n, Node::Col(_) | Node::Agg(_) | Node::Kql(_))
    })
}

#[derive(Clone, Debug, PartialEq)]
pub enum WildPart {
    Char(char),
    AnyOne,
    AnyMany,
}

pub enum Node {
    Const(Value),
    Col(usize),
    /// The result of the n-th aggregate of a `STATS` (in its outer expressions).
    Agg(usize),
    Scalar {
        f: Box<dyn ScalarFunction>,
        args: Vec<CExpr>,
    },
    Neg(Box<CExpr>),
    Arith {
        op: BinOp,
        l: Box<CExpr>,
        r: Box<CExpr>,
    },
    Cmp {
        op: BinOp,
        l: Box<CExpr>,
        r: Box<CExpr>,
    },
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Not(Box<CExpr>),
    In {
        e: Box<CExpr>,
        list: Vec<CExpr>,
    },
    IsNull {
        e: Box<CExpr>,
        negated: bool,
    },
    /// `computed`: constant patterns from expressions (`LIKE CONCAT("a", "*")`), matched per row.
    Like {
        e: Box<CExpr>,
        matchers: Vec<Matcher>,
        computed: Vec<CExpr>,
        regex: bool,
    },
    /// `KQL("…")`: the KQL engine on the row's source event.
    Kql(Box<KqlQuery>),
    /// `field : "text"`, `MATCH(field, "text")`: tokens of the text against the field's.
    Match {
        e: Box<CExpr>,
        query: String,
    },
    Cast {
        e: Box<CExpr>,
        f: Option<Box<dyn ScalarFunction>>,
    },
}

/// One aggregate call of a `STATS`, with its arguments and `WHERE` filter.
pub struct AggCall {
    /// `None` for `COUNT(*)`, which counts rows.
    pub f: Option<Box<dyn AggregateFunction>>,
    pub args: Vec<CExpr>,
    pub filter: Option<CExpr>,
    /// The call's place and text, for its warnings ("evaluation of [SUM(x)] failed").
    pub span: Span,
    pub text: String,
}

pub struct Scope<'a> {
    pub src: &'a str,
    pub columns: &'a [Column],
    pub params: &'a [(String, Value)],
    pub fctx: &'a crate::esql::functions::EvalCtx,
    /// Where aggregates go when allowed (inside `STATS`), with the filter of the current one.
    pub aggs: Option<&'a mut Vec<AggCall>>,
    pub agg_filter: Option<&'a Expr>,
    /// The columns aggregate arguments and filters read (in `STATS`: the input's, then the
    /// groups' that are aliases; `columns` itself for other commands).
    pub agg_columns: &'a [Column],
    /// Evaluates an expression that reads no row, to fold constant arguments (`NOW()`,
    /// `CONCAT("2", "0")::int`) for functions that need constants. A function pointer: the
    /// evaluator sits above this module.
    pub fold: Option<Folder>,
}

pub type Folder = fn(&CExpr, &crate::esql::functions::EvalCtx, &str) -> Option<Value>;

fn err(kind: EsqlErrorKind, msg: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::new(kind, msg, span)
}

impl Scope<'_> {
    pub(super) fn text(&self, span: Span) -> String {
        span.text(self.src).to_string()
    }

    pub(super) fn make(&self, node: Node, ty: DataType, span: Span) -> CExpr {
        CExpr {
            node,
            ty,
            span,
            text: self.text(span),
        }
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().rposition(|c| c.name == name)
    }

    pub fn compile(&mut self, e: &Expr) -> Result<CExpr, Diagnostic> {
        let span = e.span;
        Ok(match &e.kind {
            ExprKind::Literal { value, ty } => self.make(Node::Const(value.clone()), *ty, span),
            ExprKind::Param(name) => {
                let Some((_, v)) = self.params.iter().find(|(n, _)| n == name) else {
                    return Err(err(
                        EsqlErrorKind::UnknownParameter,
                        format!("Unknown query parameter [{name}]"),
                        span,
                    ));
                };
                let ty = v
                    .values()
                    .first()
                    .map_or(DataType::Null, convert::scalar_type);
                self.make(Node::Const(v.clone()), ty, span)
            }
            ExprKind::Column(name) => {
                let Some(i) = self.column(name) else {
                    return Err(err(
                        EsqlErrorKind::UnknownColumn,
                        format!("Unknown column [{name}]"),
                        span,
                    ));
                };
                let ty = self.columns[i].ty;
                if ty == DataType::Unsupported {
                    return Err(err(
                        EsqlErrorKind::TypeMismatch,
                        format!("Cannot use field [{name}] with unsupported type"),
                        span,
                    ));
                }
                self.make(Node::Col(i), ty, span)
            }
            ExprKind::Call { name, args, star } => self.call(name, args, *star, span)?,
            ExprKind::Neg(inner) => {
                let c = self.compile(inner)?;
                if !(c.ty.is_numeric()
                    || matches!(
                        c.ty,
                        DataType::Null | DataType::DatePeriod | DataType::TimeDuration
                    ))
                {
                    return Err(err(
                        EsqlErrorKind::TypeMismatch,
                        format!("argument of [{}] must be [numeric, date_period or time_duration], found value [{}] type [{}]", self.text(span), c.text, c.ty.name()),
                        span,
                    ));
                }
                let ty = c.ty;
                self.make(Node::Neg(Box::new(c)), ty, span)
            }
            ExprKind::Binary { op, left, right } => {
                let l = self.compile(left)?;
                let r = self.compile(right)?;
                if op.is_comparison() {
                    self.comparison(*op, l, r, span)?
                } else {
                    self.arithmetic(*op, l, r, span)?
                }
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let l = self.boolean(a)?;
                let r = self.boolean(b)?;
                let node = if matches!(e.kind, ExprKind::And(..)) {
                    Node::And(Box::new(l), Box::new(r))
                } else {
                    Node::Or(Box::new(l), Box::new(r))
                };
                self.make(node, DataType::Boolean, span)
            }
            ExprKind::Not(inner) => {
                let c = self.boolean(inner)?;
                self.make(Node::Not(Box::new(c)), DataType::Boolean, span)
            }
            ExprKind::In {
                expr,
                list,
                negated,
            } => {
                let c = self.compile(expr)?;
                let mut items = Vec::new();
                for item in list {
                    let i = self.compile(item)?;
                    let i = implicit_cast(i, c.ty);
                    if !comparable(c.ty, i.ty) {
                        return Err(err(
                            EsqlErrorKind::TypeMismatch,
                            format!(
                                "{} argument of [{}] must be [{}], found value [{}] type [{}]",
                                ordinal(items.len() + 2),
                                self.text(span),
                                c.ty.name(),
                                i.text,
                                i.ty.name()
                            ),
                            i.span,
                        ));
                    }
                    items.push(i);
                }
                let node = self.make(
                    Node::In {
                        e: Box::new(c),
                        list: items,
                    },
                    DataType::Boolean,
                    span,
                );
                self.negate_if(node, *negated, span)
            }
            ExprKind::IsNull { expr, negated } => {
                let c = self.compile(expr)?;
                self.make(
                    Node::IsNull {
                        e: Box::new(c),
                        negated: *negated,
                    },
                    DataType::Boolean,
                    span,
                )
            }
            ExprKind::Like {
                expr,
                patterns,
                negated,
                regex,
            } => {
                let c = self.compile(expr)?;
                if !c.ty.is_string() && c.ty != DataType::Null {
                    return Err(err(
                        EsqlErrorKind::TypeMismatch,
                        format!(
                            "argument of [{}] must be [string], found value [{}] type [{}]",
                            self.text(span),
                            c.text,
                            c.ty.name()
                        ),
                        c.span,
                    ));
                }
                let mut matchers = Vec::new();
                let mut computed = Vec::new();
                for p in patterns {
                    let pc = self.compile(p)?;
                    match &pc.node {
                        Node::Const(v) => match v.single() {
                            Some(Scalar::Str(text)) => {
                                matchers.push(matcher(text, *regex, pc.span)?)
                            }
                            _ => {
                                return Err(err(
                                    EsqlErrorKind::TypeMismatch,
                                    format!(
                                        "pattern of [{}] must be a string, found [{}]",
                                        self.text(span),
                                        pc.text
                                    ),
                                    pc.span,
                                ))
                            }
                        },
                        // Elasticsearch folds a pattern from constants (`EVAL p = "a*" | WHERE x
                        // LIKE p`); here any string expression works, matched per row.
                        _ if pc.ty.is_string() => computed.push(pc),
                        _ => {
                            return Err(err(
                                EsqlErrorKind::TypeMismatch,
                                format!(
                                    "pattern of [{}] must be a constant string, found [{}]",
                                    self.text(span),
                                    pc.text
                                ),
                                pc.span,
                            ))
                        }
                    }
                }
                // `x LIKE "*"` is `x IS NOT NULL`, as Elasticsearch rewrites it.
                if computed.is_empty() && matchers.iter().any(Matcher::matches_all) {
                    let node = self.make(
                        Node::IsNull {
                            e: Box::new(c),
                            negated: true,
                        },
                        DataType::Boolean,
                        span,
                    );
                    return Ok(self.negate_if(node, *negated, span));
                }
                let node = self.make(
                    Node::Like {
                        e: Box::new(c),
                        matchers,
                        computed,
                        regex: *regex,
                    },
                    DataType::Boolean,
                    span,
                );
                self.negate_if(node, *negated, span)
            }
            ExprKind::Match { field, query } => {
                let f = self.compile(field)?;
                let q = self.compile(query)?;
                self.match_node(f, &q, span)?
            }
            ExprKind::Cast { expr, ty } => {
                let c = self.compile(expr)?;
                self.cast(c, *ty, span)?
            }
        })
    }

    /// `c` as a constant when it reads no row (and is not one already).
    pub(super) fn fold_const(&self, c: CExpr) -> CExpr {
        let Some(fold) = self.fold else { return c };
        if matches!(c.node, Node::Const(_)) || reads_row(&c) {
            return c;
        }
        match fold(&c, self.fctx, self.src) {
            Some(v) => CExpr {
                node: Node::Const(v),
                ..c
            },
            None => c,
        }
    }

    fn negate_if(&self, node: CExpr, negated: bool, span: Span) -> CExpr {
        if negated {
            self.make(Node::Not(Box::new(node)), DataType::Boolean, span)
        } else {
            node
        }
    }

    /// A condition: boolean (or null) typed.
    pub fn boolean(&mut self, e: &Expr) -> Result<CExpr, Diagnostic> {
        let c = self.compile(e)?;
        if !matches!(c.ty, DataType::Boolean | DataType::Null) {
            return Err(err(
                EsqlErrorKind::TypeMismatch,
                format!(
                    "Condition expression needs to be boolean, found [{}]",
                    c.ty.name()
                ),
                c.span,
            ));
        }
        Ok(c)
    }

    pub fn cast(&mut self, c: CExpr, ty: DataType, span: Span) -> Result<CExpr, Diagnostic> {
        if c.ty == ty {
            return Ok(CExpr {
                span,
                text: self.text(span),
                ..c
            });
        }
        if let Node::Const(v) = &c.node {
            let converted: Result<Vec<Scalar>, String> =
                v.values().iter().map(|s| convert::cast(s, ty)).collect();
            if let Ok(values) = converted {
                return Ok(self.make(Node::Const(Value::from_vec(values)), ty, span));
            }
        }
        let fname = format!(
            "to_{}",
            match ty {
                DataType::Date => "datetime",
                DataType::Keyword => "string",
                other => other.name(),
            }
        );
        let info = [ArgInfo {
            ty: c.ty,
            constant: None,
            text: &c.text,
        }];
        let f = match functions::resolve_scalar(&fname, &info) {
            Some(Ok(f)) => Some(f),
            Some(Err(e)) => return Err(err(EsqlErrorKind::TypeMismatch, e.message, span)),
            None => None,
        };
        Ok(self.make(Node::Cast { e: Box::new(c), f }, ty, span))
    }

    fn comparison(
        &mut self,
        op: BinOp,
        l: CExpr,
        r: CExpr,
        span: Span,
    ) -> Result<CExpr, Diagnostic> {
        let l = implicit_cast(l, r.ty);
        let r = implicit_cast(r, l.ty);
        if !comparable(l.ty, r.ty)
            || (op == BinOp::EqIgnoreCase && !(l.ty.is_string() && r.ty.is_string()))
        {
            return Err(err(
                EsqlErrorKind::TypeMismatch,
                format!(
                    "first argument of [{}] is [{}] so second argument must also be [{}] but was [{}]",
                    self.text(span),
                    family(l.ty),
                    family(l.ty),
                    r.ty.name()
                ),
                span,
            ));
        }
        Ok(self.make(
            Node::Cmp {
                op,
                l: Box::new(l),
                r: Box::new(r),
            },
            DataType::Boolean,
            span,
        ))
    }

    fn arithmetic(
        &mut self,
        op: BinOp,
        l: CExpr,
        r: CExpr,
        span: Span,
    ) -> Result<CExpr, Diagnostic> {
        use DataType as T;
        let temporal = |t: T| matches!(t, T::DatePeriod | T::TimeDuration);
        // `"2024-01-01" + 1 day`: a string constant beside a period or duration is a date.
        let (l, r) = match (temporal(l.ty), temporal(r.ty)) {
            (false, true) => (implicit_cast(l, T::Date), r),
            (true, false) => (l, implicit_cast(r, T::Date)),
            _ => (l, r),
        };
        let (lt, rt) = (l.ty, r.ty);
        let ty = match (lt, rt) {
            (T::Null, T::Null) => Some(T::Null),
            (T::Null, t) | (t, T::Null)
                if t.is_numeric() || temporal(t) || matches!(t, T::Date | T::DateNanos) =>
            {
                Some(t)
            }
            (a, b) if a.is_numeric() && b.is_numeric() => match (a, b) {
                (T::UnsignedLong, T::UnsignedLong) => Some(T::UnsignedLong),
                (T::UnsignedLong, _) | (_, T::UnsignedLong) => None,
                (T::Double, _) | (_, T::Double) => Some(T::Double),
                (T::Long, _) | (_, T::Long) => Some(T::Long),
                _ => Some(T::Integer),
            },
            (T::Date | T::DateNanos, t) if temporal(t) && matches!(op, BinOp::Add | BinOp::Sub) => {
                Some(lt)
            }
            (t, T::Date | T::DateNanos) if temporal(t) && op == BinOp::Add => Some(rt),
            (a, b) if a == b && temporal(a) && matches!(op, BinOp::Add | BinOp::Sub) => Some(a),
            _ => None,
        };
        let Some(ty) = ty else {
            return Err(err(
                EsqlErrorKind::TypeMismatch,
                format!(
                    "[{}] has arguments with incompatible types [{}] and [{}]",
                    op.symbol(),
                    lt.name(),
                    rt.name()
                ),
                span,
            ));
        };
        Ok(self.make(
            Node::Arith {
                op,
                l: Box::new(l),
                r: Box::new(r),
            },
            ty,
            span,
        ))
    }

    pub(super) fn match_node(
        &mut self,
        f: CExpr,
        q: &CExpr,
        span: Span,
    ) -> Result<CExpr, Diagnostic> {
        let Node::Const(v) = &q.node else {
            return Err(err(
                EsqlErrorKind::TypeMismatch,
                format!(
                    "second argument of [{}] must be a constant",
                    self.text(span)
                ),
                q.span,
            ));
        };
        let query = v.single().map(convert::to_text).unwrap_or_default();
        Ok(self.make(
            Node::Match {
                e: Box::new(f),
                query,
            },
            DataType::Boolean,
            span,
        ))
    }
}

fn ordinal(n: usize) -> &'static str {
    [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    ]
    .get(n.saturating_sub(1))
    .copied()
    .unwrap_or("next")
}

/// How a type is named in comparison errors: numbers are `numeric`.
fn family(t: DataType) -> &'static str {
    if t.is_numeric() {
        "numeric"
    } else {
        t.name()
    }
}

pub fn comparable(a: DataType, b: DataType) -> bool {
    use DataType as T;
    a == b
        || a == T::Null
        || b == T::Null
        || (a.is_numeric() && b.is_numeric())
        || (a.is_string() && b.is_string())
        || matches!((a, b), (T::Date, T::DateNanos) | (T::DateNanos, T::Date))
}

/// A string constant beside a date, ip, version or number becomes one (ES|QL's implicit casts).
pub fn implicit_cast(c: CExpr, other: DataType) -> CExpr {
    use DataType as T;
    if !c.ty.is_string()
        || !matches!(
            other,
            T::Date | T::DateNanos | T::Ip | T::Version | T::Boolean
        )
    {
        return c;
    }
    let Node::Const(v) = &c.node else { return c };
    let converted: Result<Vec<Scalar>, String> =
        v.values().iter().map(|s| convert::cast(s, other)).collect();
    match converted {
        Ok(values) => CExpr {
            node: Node::Const(Value::from_vec(values)),
            ty: other,
            ..c
        },
        Err(_) => c,
    }
}

/// A LIKE pattern: `*` any run, `?` one character, `\` escapes the next one.
pub fn wildcard(p: &str) -> Vec<WildPart> {
    let mut out = Vec::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '*' => WildPart::AnyMany,
            '?' => WildPart::AnyOne,
            '\\' => WildPart::Char(chars.next().unwrap_or('\\')),
            c => WildPart::Char(c),
        });
    }
    out
}
