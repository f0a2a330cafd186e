//! The ES|QL syntax tree: a source command then processing commands, every node with its span.

use super::value::{DataType, Value};
use crate::diagnostic::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The query text the spans refer to.
    pub text: String,
    pub commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub kind: CommandKind,
    /// The whole command, from its keyword to its last token.
    pub span: Span,
    /// The command's keyword(s) (`INLINE STATS`, `LOOKUP JOIN`).
    pub keyword: Span,
}

impl Command {
    /// The command's name as Elasticsearch prints it (`FROM`, `INLINE STATS`).
    pub fn name(&self) -> &str {
        self.kind.name()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CommandKind {
    From {
        indices: Vec<Name>,
        metadata: Vec<Name>,
    },
    Row(Vec<Field>),
    Where(Expr),
    Eval(Vec<Field>),
    Stats {
        aggs: Vec<AggField>,
        by: Vec<Field>,
        inline: bool,
    },
    Keep(Vec<Name>),
    Drop(Vec<Name>),
    /// `(old, new)` pairs, whichever way they were written (`old AS new`, `new = old`).
    Rename(Vec<(Name, Name)>),
    Sort(Vec<SortKey>),
    Limit(Expr),
    MvExpand(Name),
    Dissect {
        input: Expr,
        pattern: Name,
        append_separator: Option<String>,
    },
    Grok {
        input: Expr,
        patterns: Vec<Name>,
    },
    /// A command the grammar has whose evaluation needs a cluster (`ENRICH`, `LOOKUP JOIN`) or
    /// which ruleplay does not evaluate (`FORK`, `CHANGE_POINT`, …): the name, in upper case.
    Unsupported(String),
}

impl CommandKind {
    pub fn name(&self) -> &str {
        match self {
            CommandKind::From { .. } => "FROM",
            CommandKind::Row(_) => "ROW",
            CommandKind::Where(_) => "WHERE",
            CommandKind::Eval(_) => "EVAL",
            CommandKind::Stats { inline: false, .. } => "STATS",
            CommandKind::Stats { inline: true, .. } => "INLINE STATS",
            CommandKind::Keep(_) => "KEEP",
            CommandKind::Drop(_) => "DROP",
            CommandKind::Rename(_) => "RENAME",
            CommandKind::Sort(_) => "SORT",
            CommandKind::Limit(_) => "LIMIT",
            CommandKind::MvExpand(_) => "MV_EXPAND",
            CommandKind::Dissect { .. } => "DISSECT",
            CommandKind::Grok { .. } => "GROK",
            CommandKind::Unsupported(name) => name,
        }
    }
}

/// `name = expr`, or a bare `expr` named by its source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: Option<Name>,
    pub expr: Expr,
    pub span: Span,
}

/// An aggregate of `STATS`, with its optional `WHERE` filter.
#[derive(Clone, Debug, PartialEq)]
pub struct AggField {
    pub field: Field,
    pub filter: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub descending: bool,
    /// `None`: the default (nulls last ascending, first descending).
    pub nulls_first: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=~`: case-insensitive equality of strings.
    EqIgnoreCase,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "==",
            BinOp::Neq => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::EqIgnoreCase => "=~",
        }
    }

    pub fn is_comparison(self) -> bool {
        !matches!(
            self,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal {
        value: Value,
        ty: DataType,
    },
    /// `?`, `?name`, `?1`; bare `?` are numbered in order from 1.
    Param(String),
    Column(String),
    Call {
        name: String,
        args: Vec<Expr>,
        star: bool,
    },
    Neg(Box<Expr>),
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `LIKE`/`RLIKE` with one pattern or a list.
    Like {
        expr: Box<Expr>,
        /// Strings, parameters, or constant expressions (`LIKE CONCAT("a", "*")`).
        patterns: Vec<Expr>,
        negated: bool,
        regex: bool,
    },
    /// `field : "query"`, the match operator.
    Match {
        field: Box<Expr>,
        query: Box<Expr>,
    },
    /// `expr::type`.
    Cast {
        expr: Box<Expr>,
        ty: DataType,
    },
}
