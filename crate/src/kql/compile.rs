//! From syntax tree to an evaluable tree: value lists expand into one clause per value (as Kibana
//! expands them into `is` calls), field names resolve to ECS types and precompiled paths, and each
//! value is precompiled once into every form a field type may need (wildcard, number, CIDR,
//! tokens, date), so evaluating an event parses nothing.

use super::ast::{Literal, Node, Part, Query, RangeOp, ValueExpr};
use crate::diagnostic::Span;
use crate::event::ecs::{field_info, FieldType};
use crate::event::lookup::FieldPath;
use crate::pattern::cidr::{ip_key, Cidr};
use crate::pattern::text::tokens;
use crate::pattern::{Piece, Wildcard};

#[derive(Clone, Debug)]
pub(crate) enum CNode {
    /// The empty query and `*:*`: Kibana's `match_all`.
    All(Span),
    Or(Vec<CNode>, Span),
    And(Vec<CNode>, Span),
    Not(Box<CNode>, Span),
    Leaf(Box<Leaf>),
    Nested(Box<Nested>),
}

/// `field: { query }`: true when one object at `field` satisfies the inner query on its own.
#[derive(Clone, Debug)]
pub(crate) struct Nested {
    pub span: Span,
    pub field: String,
    pub path: FieldPath,
    pub inner: CNode,
}

#[derive(Clone, Debug)]
pub(crate) struct Leaf {
    pub span: Span,
    pub field: FieldSel,
    pub test: Test,
    /// Index of this leaf's column and verdict memo when the query is bound to an event view
    /// (see `kql::table`); `NO_SLOT` for leaves read from the JSON event (field-name patterns,
    /// free text, leaves inside `nested`).
    pub slot: usize,
}

pub(crate) const NO_SLOT: usize = usize::MAX;

#[derive(Clone, Debug)]
pub(crate) enum FieldSel {
    /// A concrete field. `name` is the full name (nested prefix included) as the query wrote it;
    /// `path` reads the values, relative to the nested object when inside `field:{…}`.
    One {
        name: String,
        path: FieldPath,
        ty: FieldType,
        ignore_above: Option<usize>,
    },
    /// A field-name pattern (`file.hash.*`), expanded over the event's fields. `pattern: None`
    /// is every field: free text and `*:value`. `prefix` is the nested prefix (`user.`).
    Pattern {
        name: Option<String>,
        pattern: Option<Wildcard>,
        prefix: String,
    },
}

impl FieldSel {
    pub fn name(&self) -> Option<&str> {
        match self {
            FieldSel::One { name, .. } => Some(name),
            FieldSel::Pattern { name, .. } => name.as_deref(),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Test {
    /// `field:*`
    Exists,
    /// `field:value` (Kibana's `is`): match, phrase or wildcard depending on the value and type.
    Is(ValuePat),
    Range(RangeOp, ValuePat),
}

/// A value precompiled for every field type it might meet.
#[derive(Clone, Debug)]
pub(crate) struct ValuePat {
    /// Unescaped text, wildcards shown as `*`.
    pub text: String,
    pub quoted: bool,
    /// Case-sensitive pattern, for values with an unescaped `*` (keyword-like fields).
    pub wildcard: Option<Wildcard>,
    /// The same pattern lowercased, matched against analysed tokens of text fields.
    pub wildcard_lc: Option<Wildcard>,
    /// A wildcard value with whitespace, as the terms Elasticsearch sees: Kibana sends wildcard
    /// values as a `query_string` (`is.ts`: the detection engine's data view has no field
    /// types, so even keyword fields get one) and escapes no whitespace
    /// (`wildcard.ts` `escapeQueryString`), so `query_string` splits the value into terms,
    /// OR-ed (kibana#23001): `*S3 Browser*` is `*S3` or `Browser*`. Empty otherwise.
    pub split: Vec<(String, Wildcard)>,
    /// The text as a canonical integer, so keyword fields can compare JSON integers without
    /// formatting them.
    pub int: Option<i64>,
    pub number: Option<f64>,
    pub cidr: Option<Cidr>,
    pub ip: Option<u128>,
    pub boolean: Option<bool>,
    /// Analysed tokens for text fields.
    pub tokens: Vec<String>,
    pub date: DatePat,
}

/// Dates are resolved at compile time unless they depend on "now".
#[derive(Clone, Debug)]
pub(crate) enum DatePat {
    None,
    /// First and last millisecond the written date covers (`2024-01-02` covers the whole day).
    Abs(i64, i64),
    /// Date math (`now-1d/d`, `2024-01-01||+1M`), resolved per evaluation.
    Math,
}

/// The compiled tree and its number of table slots.
pub(crate) fn compile(q: &Query) -> (CNode, usize) {
    let mut root = match &q.root {
        None => CNode::All(q.span),
        Some(n) => node(n, ""),
    };
    let mut slots = 0;
    assign_slots(&mut root, &mut slots);
    (root, slots)
}

/// Number the leaves an event view can serve: concrete fields outside `nested`.
fn assign_slots(n: &mut CNode, next: &mut usize) {
    match n {
        CNode::Or(items, _) | CNode::And(items, _) => {
            items.iter_mut().for_each(|i| assign_slots(i, next))
        }
        CNode::Not(inner, _) => assign_slots(inner, next),
        CNode::Leaf(leaf) if matches!(leaf.field, FieldSel::One { .. }) => {
            leaf.slot = *next;
            *next += 1;
        }
        CNode::Leaf(_) | CNode::All(_) | CNode::Nested(_) => {}
    }
}

fn node(n: &Node, prefix: &str) -> CNode {
    match n {
        Node::Or { items, span } => {
            CNode::Or(items.iter().map(|i| node(i, prefix)).collect(), *span)
        }
        Node::And { items, span } => {
            CNode::And(items.iter().map(|i| node(i, prefix)).collect(), *span)
        }
        Node::Not { inner, span } => CNode::Not(Box::new(node(inner, prefix)), *span),
        Node::Field { field, value, .. } => {
            if field.is_star() && matches!(value, ValueExpr::Value { value } if value.is_star()) {
                return CNode::All(n.span());
            }
            let sel = field_sel(field, prefix);
            values(value, &sel)
        }
        Node::Range {
            field,
            op,
            value,
            span,
        } => CNode::Leaf(Box::new(Leaf {
            span: *span,
            field: field_sel(field, prefix),
            test: Test::Range(*op, value_pat(value)),
            slot: NO_SLOT,
        })),
        Node::Nested { field, query, span } => {
            let full = format!("{prefix}{}", field.text());
            let inner = node(query, &format!("{full}."));
            CNode::Nested(Box::new(Nested {
                span: *span,
                path: FieldPath::new(&relative(&full, prefix)),
                field: full,
                inner,
            }))
        }
        Node::FreeText { value, span } => CNode::Leaf(Box::new(Leaf {
            span: *span,
            field: FieldSel::Pattern {
                name: None,
                pattern: None,
                prefix: prefix.to_string(),
            },
            test: if value.is_star() {
                Test::Exists
            } else {
                Test::Is(value_pat(value))
            },
            slot: NO_SLOT,
        })),
    }
}

fn relative(full: &str, prefix: &str) -> String {
    full.strip_prefix(prefix).unwrap_or(full).to_string()
}

fn values(v: &ValueExpr, sel: &FieldSel) -> CNode {
    match v {
        ValueExpr::Or { items, span } => {
            CNode::Or(items.iter().map(|i| values(i, sel)).collect(), *span)
        }
        ValueExpr::And { items, span } => {
            CNode::And(items.iter().map(|i| values(i, sel)).collect(), *span)
        }
        ValueExpr::Not { inner, span } => CNode::Not(Box::new(values(inner, sel)), *span),
        ValueExpr::Value { value } => CNode::Leaf(Box::new(Leaf {
            span: value.span,
            field: sel.clone(),
            test: if value.is_star() {
                Test::Exists
            } else {
                Test::Is(value_pat(value))
            },
            slot: NO_SLOT,
        })),
    }
}

fn field_sel(field: &Literal, prefix: &str) -> FieldSel {
    let full = format!("{prefix}{}", field.text());
    if field.is_wildcard() {
        let pattern = if field.is_star() {
            None
        } else {
            Some(Wildcard::new(&pieces(field, false), false))
        };
        return FieldSel::Pattern {
            name: Some(full),
            pattern,
            prefix: prefix.to_string(),
        };
    }
    let info = field_info(&full);
    FieldSel::One {
        path: FieldPath::new(&relative(&info.source, prefix)),
        name: full,
        ty: info.ty,
        ignore_above: info.ignore_above,
    }
}

fn pieces(lit: &Literal, lowercase: bool) -> Vec<Piece> {
    lit.parts
        .iter()
        .map(|p| match p {
            Part::Text(t) if lowercase => Piece::Lit(t.to_lowercase()),
            Part::Text(t) => Piece::Lit(t.clone()),
            Part::Wildcard => Piece::Any,
        })
        .collect()
}

/// The whitespace-separated terms of a wildcard literal (see [`ValuePat::split`]), each with
/// its pattern; empty when the literal has no whitespace.
fn whitespace_terms(lit: &Literal) -> Vec<(String, Wildcard)> {
    let mut terms: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut any_space = false;
    for part in &lit.parts {
        let chunks: Vec<Option<&str>> = match part {
            Part::Wildcard => vec![None],
            Part::Text(t) => t.split(char::is_whitespace).map(Some).collect(),
        };
        for (i, chunk) in chunks.into_iter().enumerate() {
            if i > 0 {
                any_space = true;
                terms.push(Vec::new());
            }
            let Some(term) = terms.last_mut() else {
                continue;
            };
            match chunk {
                None => term.push(Piece::Any),
                Some(c) if !c.is_empty() => term.push(Piece::Lit(c.to_string())),
                Some(_) => {}
            }
        }
    }
    if !any_space {
        return Vec::new();
    }
    terms
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|pieces| {
            let text: String = pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(s) => s.as_str(),
                    _ => "*",
                })
                .collect();
            (text, Wildcard::new(&pieces, false))
        })
        .collect()
}

pub(crate) fn value_pat(lit: &Literal) -> ValuePat {
    let text = lit.text();
    let (wildcard, wildcard_lc) = if lit.is_wildcard() {
        (
            Some(Wildcard::new(&pieces(lit, false), false)),
            Some(Wildcard::new(&pieces(lit, true), false)),
        )
    } else {
        (None, None)
    };
    let int = text.parse::<i64>().ok().filter(|i| i.to_string() == text);
    let number = text.trim().parse::<f64>().ok().filter(|f| f.is_finite());
    let boolean = match text.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    let date = if text.trim_start().starts_with("now") || text.contains("||") {
        DatePat::Math
    } else {
        match crate::time::date_range(&text) {
            Some((lo, hi)) => DatePat::Abs(lo, hi),
            None => DatePat::None,
        }
    };
    let split = if lit.is_wildcard() && !lit.quoted {
        whitespace_terms(lit)
    } else {
        Vec::new()
    };
    ValuePat {
        wildcard,
        wildcard_lc,
        split,
        int,
        number,
        cidr: Cidr::parse(&text),
        ip: ip_key(&text),
        boolean,
        tokens: tokens(&text),
        date,
        quoted: lit.quoted,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(src: &str) -> ValuePat {
        let q = crate::kql::parse(&format!("a:{src}")).unwrap();
        let Some(Node::Field {
            value: ValueExpr::Value { value },
            ..
        }) = q.root
        else {
            panic!()
        };
        value_pat(&value)
    }

    #[test]
    fn values_precompile_every_form() {
        let p = pat("4624");
        assert_eq!((p.int, p.number), (Some(4624), Some(4624.0)));
        assert!(pat("04624").int.is_none());
        assert!(pat("10.0.0.0/8").cidr.is_some());
        assert_eq!(pat("Ex*").wildcard_lc.unwrap().source(), "ex*");
        assert_eq!(pat("\"Hello World\"").tokens, ["hello", "world"]);
    }

    #[test]
    fn dates_cover_their_precision() {
        let DatePat::Abs(lo, hi) = pat("2024-01-02").date else {
            panic!()
        };
        assert_eq!(hi - lo, 86_400_000 - 1);
        let DatePat::Abs(lo, hi) = pat("\"2024-01-02T03:04:05Z\"").date else {
            panic!()
        };
        assert_eq!(hi - lo, 999);
        assert!(matches!(pat("now-1d").date, DatePat::Math));
    }

    #[test]
    fn value_lists_expand_per_value() {
        let q = crate::kql::parse("a:(x or y)").unwrap();
        let (CNode::Or(items, _), 2) = compile(&q) else {
            panic!()
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(
            compile(&crate::kql::parse("*:*").unwrap()),
            (CNode::All(_), 0)
        ));
    }
}
