//! ES|QL exclusion lists, found by token in each `WHERE`: `NOT F IN (…)` / `F NOT IN (…)`
//! (exact values), and `NOT F LIKE "p"` / `F NOT LIKE "p"`, alone or as a chain of such clauses
//! on one field joined by `AND` (wildcard patterns). The generic rewrite adds and removes items;
//! this module finds the lists, drops a whole clause and writes a new one.

use super::{ExclusionList, Form, Item, TextEdit};
use crate::diagnostic::{Diagnostic, ExclusionErrorKind, Span};
use crate::esql::rule::{tokens, Tok, Token};

fn word(t: Option<&Token>, w: &str) -> bool {
    t.is_some_and(|t| t.is_word(w))
}

fn is_keyword(t: &Token) -> bool {
    [
        "and", "or", "not", "in", "like", "rlike", "is", "null", "true", "false",
    ]
    .iter()
    .any(|k| t.is_word(k))
}

/// Tokens after which a predicate starts a boolean operand (so `NOT F IN (…)` is a whole clause).
fn opens_operand(t: Option<&Token>) -> bool {
    match t {
        None => true,
        Some(t) => t.is_word("and") || t.is_word("or") || t.is_word("where") || t.is_op("("),
    }
}

fn closes_operand(t: Option<&Token>) -> bool {
    match t {
        None => true,
        Some(t) => t.is_word("and") || t.is_word("or") || t.is_op(")") || t.is_op("|"),
    }
}

fn field_at(t: Option<&Token>) -> Option<&str> {
    match t {
        Some(
            tok @ Token {
                tok: Tok::Word(w), ..
            },
        ) if !is_keyword(tok) => Some(w),
        _ => None,
    }
}

/// The value of a literal token: a string's text, a number as written.
fn literal(src: &str, t: &Token) -> Option<String> {
    match &t.tok {
        Tok::Str(s) => Some(s.clone()),
        Tok::Num(_) => Some(t.span.text(src).to_string()),
        _ => None,
    }
}

/// One `[NOT] F [NOT] IN|LIKE` clause starting at token `i`: (field, negation ends at, op index).
fn negated_predicate<'a>(toks: &'a [Token], i: usize, op: &str) -> Option<(&'a str, usize)> {
    if toks.get(i)?.is_word("not") {
        let f = field_at(toks.get(i + 1))?;
        word(toks.get(i + 2), op).then_some((f, i + 2))
    } else {
        let f = field_at(toks.get(i))?;
        (word(toks.get(i + 1), "not") && word(toks.get(i + 2), op)).then_some((f, i + 2))
    }
}

/// The exclusion lists of `src`, in query order.
pub fn find(src: &str) -> Result<Vec<ExclusionList>, Diagnostic> {
    let toks = tokens(src)?;
    let mut out: Vec<ExclusionList> = Vec::new();
    let mut in_where = false;
    let mut i = 0;
    while i < toks.len() {
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        if prev.is_none_or(|p| p.is_op("|")) {
            in_where = toks[i].is_word("where");
        }
        if !in_where || !opens_operand(prev) {
            i += 1;
            continue;
        }
        if let Some((field, op)) = negated_predicate(&toks, i, "in") {
            if let Some(l) = in_list(src, &toks, i, op, field) {
                i = toks
                    .iter()
                    .position(|t| t.span.end == l.clause.end)
                    .unwrap_or(i)
                    + 1;
                out.push(l);
                continue;
            }
        }
        if let Some((field, op)) = negated_predicate(&toks, i, "like") {
            if let (Some(t), true) = (toks.get(op + 1), closes_operand(toks.get(op + 2))) {
                if let Tok::Str(p) = &t.tok {
                    let item = Item {
                        value: p.clone(),
                        pattern: p.contains(['*', '?']),
                        span: Span::new(toks[i].span.start, t.span.end),
                        value_span: t.span,
                    };
                    // `… AND NOT F LIKE "b"` right after a clause of the same field extends it.
                    let joined = prev.is_some_and(|p| p.is_word("and"));
                    match out.last_mut() {
                        Some(l)
                            if joined
                                && l.form == Form::EsqlLike
                                && l.field == field
                                && l.clause.end == prev_end(&toks, i - 1) =>
                        {
                            l.items.push(item);
                            l.clause.end = t.span.end;
                            l.span.end = t.span.end;
                        }
                        _ => out.push(ExclusionList {
                            field: field.to_string(),
                            form: Form::EsqlLike,
                            operator: "LIKE".into(),
                            span: item.span,
                            clause: item.span,
                            items: vec![item],
                            parenthesized: false,
                        }),
                    }
                    i = op + 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    Ok(out)
}

/// The end of the token before `at` (the clause an `AND` at `at` follows).
fn prev_end(toks: &[Token], at: usize) -> usize {
    at.checked_sub(1)
        .and_then(|p| toks.get(p))
        .map_or(0, |t| t.span.end)
}

fn in_list(
    src: &str,
    toks: &[Token],
    start: usize,
    op: usize,
    field: &str,
) -> Option<ExclusionList> {
    if !toks.get(op + 1)?.is_op("(") {
        return None;
    }
    let mut items = Vec::new();
    let mut j = op + 2;
    loop {
        let t = toks.get(j)?;
        items.push(Item {
            value: literal(src, t)?,
            pattern: false,
            span: t.span,
            value_span: t.span,
        });
        let sep = toks.get(j + 1)?;
        if sep.is_op(")") {
            break;
        }
        if !sep.is_op(",") {
            return None;
        }
        j += 2;
    }
    let close = toks.get(j + 1)?;
    if !closes_operand(toks.get(j + 2)) {
        return None;
    }
    Some(ExclusionList {
        field: field.to_string(),
        form: Form::EsqlIn,
        operator: "IN".into(),
        items,
        span: Span::new(toks[op + 1].span.start, close.span.end),
        clause: Span::new(toks[start].span.start, close.span.end),
        parenthesized: true,
    })
}

/// An ES|QL string literal: written as EQL writes one (`"…"` with `\"`, `\\`, `\n`, `\r`, `\t`, or
/// `"""…"""` raw when asked and possible). Other control characters have no ES|QL escape; the
/// rewrite refuses them before this.
pub fn string(value: &str, raw: bool) -> String {
    super::quote::eql_string(value, raw)
}

/// Whether ES|QL can write `value` in a string (no control character but `\n`, `\r`, `\t`).
pub fn writable(value: &str) -> bool {
    !value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// A column name: bare when it is one, else in backticks.
pub fn field(name: &str) -> String {
    let plain = name.split('.').all(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@')
    }) && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// A keyword spelled as the query spells its keywords.
fn kw(src: &str, lower: &str) -> String {
    // Its `WHERE`, else its first command.
    let upper = tokens(src).ok().and_then(|t| {
        t.iter()
            .find(|t| t.is_word("where"))
            .or(t.first())
            .map(|t| t.span.text(src).chars().all(|c| !c.is_ascii_lowercase()))
    });
    if upper.unwrap_or(false) {
        lower.to_ascii_uppercase()
    } else {
        lower.to_string()
    }
}

/// The edit that drops clause `l` (its last value is removed) with the `AND` joining it;
/// `None` when the clause is not one side of an `AND`.
pub fn remove_clause(src: &str, l: &ExclusionList) -> Result<Option<TextEdit>, Diagnostic> {
    let toks = tokens(src)?;
    let ext = l.clause;
    let before = toks.iter().rposition(|t| t.span.end <= ext.start);
    let after = toks.iter().position(|t| t.span.start >= ext.end);
    let prev = before.and_then(|b| toks.get(b));
    let next = after.and_then(|a| toks.get(a));
    let range = if word(prev, "and") {
        let at = prev.map_or(ext.start, |t| t.span.start);
        let start = before
            .and_then(|b| b.checked_sub(1))
            .and_then(|b| toks.get(b))
            .map_or(at, |t| t.span.end);
        Span::new(start, ext.end)
    } else if word(next, "and") {
        let end = after
            .and_then(|a| toks.get(a + 1))
            .map_or(ext.end, |t| t.span.start);
        Span::new(ext.start, end)
    } else if word(prev, "where") && (next.is_none() || next.is_some_and(|t| t.is_op("|"))) {
        // The whole condition: an empty exclusion list excludes nothing.
        return Ok(Some(TextEdit {
            range: ext,
            text: "true".into(),
        }));
    } else {
        return Ok(None);
    };
    Ok(Some(TextEdit {
        range,
        text: String::new(),
    }))
}

/// A new list `AND NOT F IN ("v")` (or `LIKE "p"`) at the end of the first `WHERE` (a new
/// `| WHERE` after `FROM` when there is none).
pub fn new_clause(
    src: &str,
    name: &str,
    value: &str,
    pattern: bool,
) -> Result<Vec<TextEdit>, Diagnostic> {
    let toks = tokens(src)?;
    if !writable(value) {
        return Err(Diagnostic::new(
            ExclusionErrorKind::NotRepresentable,
            format!("cannot add {value:?}: an ES|QL string cannot hold that control character"),
            Span::new(0, src.len()),
        ));
    }
    let clause = if pattern {
        format!(
            "{} {} {} {}",
            kw(src, "not"),
            field(name),
            kw(src, "like"),
            string(value, false)
        )
    } else {
        format!(
            "{} {} {} ({})",
            kw(src, "not"),
            field(name),
            kw(src, "in"),
            string(value, false)
        )
    };
    let Some(w) = toks
        .iter()
        .enumerate()
        .position(|(i, t)| t.is_word("where") && (i == 0 || toks[i - 1].is_op("|")))
    else {
        let Some(end) = toks
            .iter()
            .position(|t| t.is_op("|"))
            .and_then(|p| p.checked_sub(1))
        else {
            let end = src.trim_end().len();
            return Ok(vec![TextEdit {
                range: Span::new(end, end),
                text: format!("\n| {} {clause}", kw(src, "where")),
            }]);
        };
        let at = toks[end].span.end;
        return Ok(vec![TextEdit {
            range: Span::new(at, at),
            text: format!("\n| {} {clause}", kw(src, "where")),
        }]);
    };
    let last = toks[w + 1..]
        .iter()
        .take_while(|t| !t.is_op("|"))
        .last()
        .ok_or_else(|| {
            Diagnostic::new(
                ExclusionErrorKind::NotRepresentable,
                "the WHERE has no condition",
                toks[w].span,
            )
        })?;
    let first = &toks[w + 1];
    let mut depth = 0i32;
    let mut has_or = false;
    for t in toks[w + 1..].iter().take_while(|t| !t.is_op("|")) {
        if t.is_op("(") {
            depth += 1;
        } else if t.is_op(")") {
            depth -= 1;
        } else if depth == 0 && t.is_word("or") {
            has_or = true;
        }
    }
    let and = kw(src, "and");
    Ok(if has_or {
        vec![
            TextEdit {
                range: Span::new(first.span.start, first.span.start),
                text: "(".into(),
            },
            TextEdit {
                range: Span::new(last.span.end, last.span.end),
                text: format!(") {and} {clause}"),
            },
        ]
    } else {
        vec![TextEdit {
            range: Span::new(last.span.end, last.span.end),
            text: format!(" {and} {clause}"),
        }]
    })
}
