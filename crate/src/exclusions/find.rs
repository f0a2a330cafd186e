//! The exclusion lists of a KQL or EQL syntax tree. Only lists that really exclude are
//! reported: a `not` under an odd number of enclosing `not`s includes, so it is skipped.

use super::{ExclusionList, Form, Item};
use crate::diagnostic::Span;
use crate::eql::ast as e;
use crate::eql::lexer::{self, Tok, Token};
use crate::kql::ast as k;
use crate::kql::lexer::is_space;

// ---- KQL ----

pub fn kql(src: &str, q: &k::Query) -> Vec<ExclusionList> {
    let mut out = Vec::new();
    if let Some(root) = &q.root {
        kql_walk(src, root, false, &mut out);
    }
    out
}

fn kql_walk(src: &str, n: &k::Node, negated: bool, out: &mut Vec<ExclusionList>) {
    match n {
        k::Node::Or { items, .. } | k::Node::And { items, .. } => {
            for i in items {
                kql_walk(src, i, negated, out);
            }
        }
        k::Node::Not { inner, span } => {
            if !negated {
                if let Some(l) = kql_list(src, inner, *span) {
                    out.push(l);
                    return;
                }
            }
            kql_walk(src, inner, !negated, out);
        }
        // Nested queries have field names relative to their path; a new value there would
        // need the nested syntax, so they are left alone.
        _ => {}
    }
}

/// A single literal value usable as a list item (not `*`, which tests existence).
fn kql_value(v: &k::ValueExpr) -> Option<&k::Literal> {
    match v {
        k::ValueExpr::Value { value } if !value.is_star() => Some(value),
        _ => None,
    }
}

fn kql_item(lit: &k::Literal, span: Span) -> Item {
    Item {
        value: lit.text(),
        pattern: lit.is_wildcard(),
        span,
        value_span: lit.span,
    }
}

fn kql_list(src: &str, inner: &k::Node, clause: Span) -> Option<ExclusionList> {
    let list = |field: &k::Literal, form, items: Vec<Item>| -> Option<ExclusionList> {
        let first = items.first()?.span;
        let last = items.last()?.span;
        let (span, parenthesized) = match form {
            // `not (…)`: from the parenthesis after `not` to the clause's end.
            Form::KqlClauses => match kql_after(src, clause.start + 3) {
                Some(('(', open)) => (Span::new(open, clause.end), true),
                _ => return None,
            },
            _ => match kql_parens(src, first.to(last)) {
                Some(s) => (s, true),
                None => (first.to(last), false),
            },
        };
        Some(ExclusionList {
            field: field.text(),
            form,
            operator: ":".into(),
            items,
            span,
            clause,
            parenthesized,
        })
    };
    match inner {
        k::Node::Field { field, value, .. } if !field.is_wildcard() => match value {
            k::ValueExpr::Or { items, .. } => {
                let items = items
                    .iter()
                    .map(|v| kql_value(v).map(|l| kql_item(l, l.span)))
                    .collect::<Option<Vec<_>>>()?;
                list(field, Form::KqlValues, items)
            }
            v => {
                let l = kql_value(v)?;
                let field_span = inner.span();
                // `not (F:a)`: one clause in parentheses, which more `F:…` clauses join.
                if kql_parens(src, l.span).is_none() && kql_parens(src, field_span).is_some() {
                    return list(field, Form::KqlClauses, vec![kql_item(l, field_span)]);
                }
                list(field, Form::KqlValues, vec![kql_item(l, l.span)])
            }
        },
        k::Node::Or { items, .. } => {
            let mut name: Option<&k::Literal> = None;
            let mut out = Vec::new();
            for i in items {
                let k::Node::Field { field, value, span } = i else {
                    return None;
                };
                if field.is_wildcard() || name.is_some_and(|n| n.text() != field.text()) {
                    return None;
                }
                name = Some(field);
                out.push(kql_item(kql_value(value)?, *span));
            }
            list(name?, Form::KqlClauses, out)
        }
        _ => None,
    }
}

/// The last non-space character before `pos`, and where it starts.
fn kql_before(src: &str, pos: usize) -> Option<(char, usize)> {
    src.get(..pos)?
        .char_indices()
        .rev()
        .find(|(_, c)| !is_space(*c))
        .map(|(i, c)| (c, i))
}

/// The first non-space character at or after `pos`, and where it starts.
fn kql_after(src: &str, pos: usize) -> Option<(char, usize)> {
    src.get(pos..)?
        .char_indices()
        .find(|(_, c)| !is_space(*c))
        .map(|(i, c)| (c, pos + i))
}

/// `span` grown to the parentheses that enclose exactly it, when there are some.
fn kql_parens(src: &str, span: Span) -> Option<Span> {
    match (kql_before(src, span.start), kql_after(src, span.end)) {
        (Some(('(', open)), Some((')', close))) => Some(Span::new(open, close + 1)),
        _ => None,
    }
}

/// A balanced span grown over every pair of parentheses around only it: what a clause takes
/// up in the text (the syntax tree drops grouping parentheses). Within `inside`, when given:
/// never up to its edges.
pub fn kql_extent(src: &str, mut span: Span, inside: Option<Span>) -> Span {
    while let Some(s) = kql_parens(src, span) {
        if inside.is_some_and(|o| s.start <= o.start || s.end >= o.end) {
            break;
        }
        span = s;
    }
    span
}

// ---- EQL ----

pub fn eql(src: &str, q: &e::Query) -> Vec<ExclusionList> {
    let toks = lexer::tokenize(src).unwrap_or_default();
    let mut out = Vec::new();
    let mut walk = |eq: &e::EventQuery| eql_walk(&toks, &eq.condition, false, &mut out);
    match &q.body {
        e::Body::Event(eq) => walk(eq),
        e::Body::Sequence(s) => s
            .steps
            .iter()
            .chain(&s.until)
            .for_each(|st| walk(&st.query)),
        e::Body::Sample(s) => s.steps.iter().for_each(|st| walk(&st.query)),
    }
    out
}

fn eql_walk(toks: &[Token], x: &e::Expr, negated: bool, out: &mut Vec<ExclusionList>) {
    match &x.kind {
        e::ExprKind::And(items) if !negated => {
            let mut i = 0;
            while i < items.len() {
                let Some((field, _)) = not_equal(&items[i]) else {
                    eql_walk(toks, &items[i], negated, out);
                    i += 1;
                    continue;
                };
                let run = items[i..]
                    .iter()
                    .take_while(|x| not_equal(x).is_some_and(|(f, _)| f == field))
                    .count();
                out.extend(chain(&items[i..i + run]));
                i += run;
            }
        }
        e::ExprKind::And(items) | e::ExprKind::Or(items) => {
            for i in items {
                eql_walk(toks, i, negated, out);
            }
        }
        e::ExprKind::Not(inner) => {
            if !negated {
                if let Some(l) = eql_negated(toks, inner, x.span, false) {
                    out.push(l);
                    return;
                }
            }
            eql_walk(toks, inner, !negated, out);
        }
        e::ExprKind::In { negated: true, .. } if !negated => {
            out.extend(eql_negated(toks, x, x.span, true));
        }
        e::ExprKind::Compare { .. } if !negated => out.extend(chain(std::slice::from_ref(x))),
        _ => {}
    }
}

/// `F != literal`: the field and the literal's item.
fn not_equal(x: &e::Expr) -> Option<(&e::Field, Item)> {
    let e::ExprKind::Compare {
        op: e::CmpOp::Ne,
        left,
        right,
    } = &x.kind
    else {
        return None;
    };
    let e::ExprKind::Field(f) = &left.kind else {
        return None;
    };
    let (value, _) = eql_literal(right)?;
    Some((
        f,
        Item {
            value,
            pattern: false,
            span: x.span,
            value_span: right.span,
        },
    ))
}

fn chain(xs: &[e::Expr]) -> Option<ExclusionList> {
    let items: Vec<Item> = xs
        .iter()
        .filter_map(|x| not_equal(x).map(|n| n.1))
        .collect();
    let (field, _) = not_equal(xs.first()?)?;
    let span = items.first()?.span.to(items.last()?.span);
    Some(ExclusionList {
        field: field.name.clone(),
        form: Form::EqlNotEqual,
        operator: "!=".into(),
        items,
        span,
        clause: span,
        parenthesized: false,
    })
}

/// A string or number literal: its value and whether it is a string.
fn eql_literal(x: &e::Expr) -> Option<(String, bool)> {
    match &x.kind {
        e::ExprKind::Literal(e::Literal::Str(s)) => Some((s.clone(), true)),
        e::ExprKind::Literal(e::Literal::Int(n)) => Some((n.to_string(), false)),
        e::ExprKind::Literal(e::Literal::Float(f)) => Some((f.to_string(), false)),
        _ => None,
    }
}

/// The list of `x` when `x` (under a `not`, or itself `not in`) is `F in (…)` or `F : (…)`.
fn eql_negated(toks: &[Token], x: &e::Expr, clause: Span, own_not: bool) -> Option<ExclusionList> {
    let (field, list, form, operator) = match &x.kind {
        e::ExprKind::In {
            expr,
            list,
            negated,
            insensitive,
        } if *negated == own_not => {
            let op = if *insensitive { "in~" } else { "in" };
            (expr, list, Form::EqlIn, op)
        }
        e::ExprKind::Match {
            expr,
            op,
            patterns,
            insensitive,
        } if !own_not => {
            let op = match (op, insensitive) {
                (e::MatchOp::Colon, _) => ":",
                (e::MatchOp::Like, false) => "like",
                (e::MatchOp::Like, true) => "like~",
                (e::MatchOp::Regex, _) => return None,
            };
            (expr, patterns, Form::EqlMatch, op)
        }
        _ => return None,
    };
    let e::ExprKind::Field(f) = &field.kind else {
        return None;
    };
    let items = list
        .iter()
        .map(|v| {
            let (value, _) = eql_literal(v)?;
            let pattern = form == Form::EqlMatch && value.contains(['*', '?']);
            Some(Item {
                value,
                pattern,
                span: v.span,
                value_span: v.span,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let first = items.first()?.span;
    let last = items.last()?.span;
    let open = eql_token_before(toks, first.start).filter(|t| t.tok == Tok::LParen);
    let (span, parenthesized) = match open {
        Some(t) => (Span::new(t.span.start, x.span.end), true),
        None => (first.to(last), false),
    };
    Some(ExclusionList {
        field: f.name.clone(),
        form,
        operator: operator.into(),
        items,
        span: Span::new(span.start, span.end.max(last.end)),
        clause,
        parenthesized,
    })
}

/// The token that ends at or before `pos` (comments and whitespace are not tokens).
pub fn eql_token_before(toks: &[Token], pos: usize) -> Option<&Token> {
    let i = toks.partition_point(|t| t.span.end <= pos);
    i.checked_sub(1).and_then(|i| toks.get(i))
}

/// The first token that starts at or after `pos` (the end-of-input token excluded).
pub fn eql_token_after(toks: &[Token], pos: usize) -> Option<&Token> {
    let i = toks.partition_point(|t| t.span.start < pos);
    toks.get(i).filter(|t| t.tok != Tok::Eof)
}
