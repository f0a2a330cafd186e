//! The EQL syntax tree: plain data with a span on every node. Evaluation ([`super::eval`]),
//! explanation and the sequence/sample runners walk it; nothing here knows about events.

use crate::diagnostic::Span;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Query {
    pub body: Body,
    pub pipes: Vec<Pipe>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    Event(EventQuery),
    Sequence(Sequence),
    Sample(Sample),
}

/// `CATEGORY where CONDITION` or `any where CONDITION`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventQuery {
    pub category: Category,
    pub condition: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// `any`: every event.
    Any(Span),
    /// A category name (identifier or string): events whose `event.category` has it.
    Named(String, Span),
}

impl Category {
    pub fn span(&self) -> Span {
        match self {
            Category::Any(s) | Category::Named(_, s) => *s,
        }
    }
}

/// `sequence [by k1, k2] [with maxspan=5m] [q1] [q2] … [until [q]]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sequence {
    pub by: Vec<Expr>,
    /// Milliseconds, and the span of the `maxspan=…` text.
    pub maxspan: Option<(i64, Span)>,
    pub steps: Vec<Step>,
    pub until: Option<Step>,
    pub span: Span,
}

/// One bracketed step: `[query] [by f1, f2] [with runs=N]`, or a missing-event step `![query]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub query: EventQuery,
    pub by: Vec<Expr>,
    pub runs: Option<u32>,
    pub missing: bool,
    pub span: Span,
}

/// `sample [by k1, k2] [q1] [q2] …`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub by: Vec<Expr>,
    pub steps: Vec<Step>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pipe {
    Head(u64, Span),
    Tail(u64, Span),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// The direct operands, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Field(_) => Vec::new(),
            ExprKind::Not(x) | ExprKind::Neg(x) => vec![x],
            ExprKind::And(xs) | ExprKind::Or(xs) | ExprKind::Call { args: xs, .. } => {
                xs.iter().collect()
            }
            ExprKind::Compare { left, right, .. } | ExprKind::Arith { left, right, .. } => {
                vec![left, right]
            }
            ExprKind::In { expr, list: xs, .. }
            | ExprKind::Match {
                expr, patterns: xs, ..
            } => std::iter::once(&**expr).chain(xs.iter()).collect(),
        }
    }

    /// [`Expr::children`], to rewrite them.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        match &mut self.kind {
            ExprKind::Literal(_) | ExprKind::Field(_) => Vec::new(),
            ExprKind::Not(x) | ExprKind::Neg(x) => vec![x],
            ExprKind::And(xs) | ExprKind::Or(xs) | ExprKind::Call { args: xs, .. } => {
                xs.iter_mut().collect()
            }
            ExprKind::Compare { left, right, .. } | ExprKind::Arith { left, right, .. } => {
                vec![left, right]
            }
            ExprKind::In { expr, list: xs, .. }
            | ExprKind::Match {
                expr, patterns: xs, ..
            } => std::iter::once(&mut **expr).chain(xs.iter_mut()).collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExprKind {
    Literal(Literal),
    Field(Field),
    Not(Box<Expr>),
    /// n-ary so long chains (`a or b or c …`) stay flat: no recursion per operand.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare {
        op: CmpOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Arith {
        op: ArithOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// Unary minus.
    Neg(Box<Expr>),
    /// `expr [not] in[~] (a, b, …)`.
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
        insensitive: bool,
    },
    /// `expr : p`, `expr like[~] p`, `expr regex[~] p`, or with a parenthesised list of patterns
    /// (any may match). Patterns are literals (the parser rejects anything else).
    Match {
        expr: Box<Expr>,
        op: MatchOp,
        patterns: Vec<Expr>,
        insensitive: bool,
    },
    /// `name(args)` or `name~(args)`.
    Call {
        func: Function,
        name_span: Span,
        insensitive: bool,
        args: Vec<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Field {
    /// Dotted name as Elasticsearch sees it (backticks removed).
    pub name: String,
    /// `?field`: a field that may be absent from the mapping; null when missing.
    pub optional: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchOp {
    /// `:` — case-insensitive equality with `*`/`?` wildcards.
    Colon,
    Like,
    Regex,
}

impl MatchOp {
    pub fn keyword(self) -> &'static str {
        match self {
            MatchOp::Colon => ":",
            MatchOp::Like => "like",
            MatchOp::Regex => "regex",
        }
    }
}

/// The functions Elasticsearch EQL provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Function {
    Add,
    Between,
    CidrMatch,
    Concat,
    Divide,
    EndsWith,
    IndexOf,
    Length,
    Modulo,
    Multiply,
    Number,
    StartsWith,
    String,
    StringContains,
    Substring,
    Subtract,
}

impl Function {
    pub const ALL: [Function; 16] = [
        Function::Add,
        Function::Between,
        Function::CidrMatch,
        Function::Concat,
        Function::Divide,
        Function::EndsWith,
        Function::IndexOf,
        Function::Length,
        Function::Modulo,
        Function::Multiply,
        Function::Number,
        Function::StartsWith,
        Function::String,
        Function::StringContains,
        Function::Substring,
        Function::Subtract,
    ];

    /// Elasticsearch's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Function::Add => "add",
            Function::Between => "between",
            Function::CidrMatch => "cidrMatch",
            Function::Concat => "concat",
            Function::Divide => "divide",
            Function::EndsWith => "endsWith",
            Function::IndexOf => "indexOf",
            Function::Length => "length",
            Function::Modulo => "modulo",
            Function::Multiply => "multiply",
            Function::Number => "number",
            Function::StartsWith => "startsWith",
            Function::String => "string",
            Function::StringContains => "stringContains",
            Function::Substring => "substring",
            Function::Subtract => "subtract",
        }
    }

    /// Function names resolve case-insensitively, as in Elasticsearch (`cidrmatch`, `ENDSWITH`).
    pub fn lookup(name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Whether a `~` (case-insensitive) form exists.
    pub fn has_insensitive_form(self) -> bool {
        matches!(
            self,
            Function::Between
                | Function::EndsWith
                | Function::IndexOf
                | Function::StartsWith
                | Function::StringContains
        )
    }

    /// Allowed argument counts (min, max).
    pub fn arity(self) -> (usize, usize) {
        match self {
            Function::Add
            | Function::Divide
            | Function::Modulo
            | Function::Multiply
            | Function::Subtract
            | Function::EndsWith
            | Function::StartsWith
            | Function::StringContains => (2, 2),
            Function::Between => (3, 5),
            Function::CidrMatch => (2, usize::MAX),
            Function::Concat => (1, usize::MAX),
            Function::IndexOf => (2, 3),
            Function::Length | Function::String => (1, 1),
            Function::Number => (1, 2),
            Function::Substring => (2, 3),
        }
    }
}
