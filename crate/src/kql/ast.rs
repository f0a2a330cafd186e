//! The KQL syntax tree: plain data with a byte span on every node. It mirrors Kibana's grammar
//! (`kbn-es-query` `grammar.peggy`) before Kibana expands value lists into one `is` call per
//! value; compiling does that expansion.

use crate::diagnostic::Span;
use serde::Serialize;

/// A whole query. `root` is `None` for an empty (or all-whitespace) query, which matches every
/// document like Kibana's `is('*', '*')`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Query {
    pub root: Option<Node>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Node {
    /// `a or b or c`: flattened, at least two items.
    Or {
        items: Vec<Node>,
        span: Span,
    },
    /// `a and b and c`: flattened, at least two items.
    And {
        items: Vec<Node>,
        span: Span,
    },
    Not {
        inner: Box<Node>,
        span: Span,
    },
    /// `field: value` or `field: (a or b and not c)`.
    Field {
        field: Literal,
        value: ValueExpr,
        span: Span,
    },
    /// `field < value`, `<=`, `>`, `>=`.
    Range {
        field: Literal,
        op: RangeOp,
        value: Literal,
        span: Span,
    },
    /// `field: { query }`: the inner query's field names are relative to `field`.
    Nested {
        field: Literal,
        query: Box<Node>,
        span: Span,
    },
    /// A value without a field: matched against every field of the document.
    FreeText {
        value: Literal,
        span: Span,
    },
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Or { span, .. }
            | Node::And { span, .. }
            | Node::Not { span, .. }
            | Node::Field { span, .. }
            | Node::Range { span, .. }
            | Node::Nested { span, .. }
            | Node::FreeText { span, .. } => *span,
        }
    }
}

/// The right-hand side of `field:`: one value or a boolean list of values.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ValueExpr {
    Or { items: Vec<ValueExpr>, span: Span },
    And { items: Vec<ValueExpr>, span: Span },
    Not { inner: Box<ValueExpr>, span: Span },
    Value { value: Literal },
}

impl ValueExpr {
    pub fn span(&self) -> Span {
        match self {
            ValueExpr::Or { span, .. }
            | ValueExpr::And { span, .. }
            | ValueExpr::Not { span, .. } => *span,
            ValueExpr::Value { value } => value.span,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeOp {
    Lt,
    Lte,
    Gt,
    Gte,
}

impl RangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            RangeOp::Lt => "<",
            RangeOp::Lte => "<=",
            RangeOp::Gt => ">",
            RangeOp::Gte => ">=",
        }
    }
}

/// A field name or a value, escapes resolved. Unquoted literals are trimmed like Kibana's
/// `chars.join('').trim()`; an unescaped `*` in an unquoted literal is a wildcard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Literal {
    pub parts: Vec<Part>,
    pub quoted: bool,
    /// The literal as written (quotes included), trailing whitespace excluded.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Text(String),
    /// An unescaped `*` in an unquoted literal.
    Wildcard,
}

impl Literal {
    /// Whether the literal contains an unescaped `*`.
    pub fn is_wildcard(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Wildcard))
    }

    /// `*` alone (Kibana's exists / all-fields test).
    pub fn is_star(&self) -> bool {
        self.parts.len() == 1 && self.parts[0] == Part::Wildcard
    }

    /// The unescaped text with wildcards shown as `*` (for messages and field names).
    pub fn text(&self) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => s.push_str(t),
                Part::Wildcard => s.push('*'),
            }
        }
        s
    }
}
