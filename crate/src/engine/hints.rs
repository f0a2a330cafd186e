//! Warnings about a query that loads (or fails) as written but probably does not say what was
//! meant: a misspelled `and`/`or`/`not`, which Kibana's grammar reads as part of an unquoted
//! value, and a field that no event has and ECS does not define. They are diagnostics with
//! [`Severity::Warning`](crate::diagnostic::Severity): the rule still loads and runs as written.

use super::Lang;
use crate::diagnostic::{Diagnostic, EqlErrorKind, KqlErrorKind, Span};
use crate::eql::ast as eql_ast;
use crate::event::ecs::{ecs_field_names, field_info};
use crate::kql;
use crate::kql::ast as kql_ast;
use crate::rule::{load_rule, Rule};
use std::borrow::Cow;

const KEYWORDS: [&str; 3] = ["and", "or", "not"];
/// Characters that end an unquoted KQL literal (Kibana's `SpecialCharacter`, `*` aside, which
/// is part of a literal).
const SPECIAL: &[char] = &['\\', '(', ')', ':', '<', '>', '"', '{', '}'];

/// The query inside `source` (all of it for a bare query, the rule's `query` for a rule file),
/// its language, and how to map its spans to `source`.
struct QueryText<'a> {
    text: Cow<'a, str>,
    lang: Lang,
    rule: Option<Cow<'a, Rule>>,
}

impl QueryText<'_> {
    fn to_source(&self, span: Span) -> Span {
        match self.rule.as_ref().and_then(|r| r.query_pos.as_ref()) {
            Some(pos) => pos.span_to_file(span),
            None => span,
        }
    }
}

/// `rule` is the loaded rule of a rule file, when it loaded (else the file is read again: its
/// query may be what failed).
fn query_text<'a>(source: &'a str, lang: Lang, rule: Option<&'a Rule>) -> Option<QueryText<'a>> {
    match lang {
        Lang::Kql | Lang::Eql => Some(QueryText {
            text: source.into(),
            lang,
            rule: None,
        }),
        Lang::Toml => {
            let rule = match rule {
                Some(r) => Cow::Borrowed(r),
                None => Cow::Owned(load_rule(source).ok()?),
            };
            let lang = match rule.effective_language()? {
                "kuery" => Lang::Kql,
                "eql" => Lang::Eql,
                _ => return None,
            };
            let text = match &rule {
                Cow::Borrowed(r) => Cow::Borrowed(r.query.as_deref()?),
                Cow::Owned(r) => Cow::Owned(r.query.clone()?),
            };
            Some(QueryText {
                text,
                lang,
                rule: Some(rule),
            })
        }
    }
}

/// Every warning for the query in `source` (`rule`: the rule it loaded as, if any);
/// `event_fields` is the sorted field list of the events (see [`super::Session::fields`]).
pub(super) fn query_hints(
    source: &str,
    lang: Lang,
    rule: Option<&Rule>,
    event_fields: &[String],
) -> Vec<Diagnostic> {
    let Some(q) = query_text(source, lang, rule) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match q.lang {
        Lang::Kql => {
            out.extend(misspelled_keywords(&q.text));
            if let Ok(ast) = kql::parse(&q.text) {
                let mut refs = Vec::new();
                if let Some(root) = &ast.root {
                    kql_fields(root, "", &mut refs);
                }
                out.extend(unknown_fields(
                    &refs,
                    event_fields,
                    KqlErrorKind::UnknownField,
                ));
            }
        }
        Lang::Eql => {
            if let Ok(ast) = crate::eql::parse(&q.text) {
                let mut refs = Vec::new();
                eql_fields(&ast, &mut refs);
                out.extend(unknown_fields(
                    &refs,
                    event_fields,
                    EqlErrorKind::UnknownField,
                ));
            }
        }
        Lang::Toml => {}
    }
    for d in &mut out {
        d.span = q.to_source(d.span);
    }
    out
}

/// The keyword a word looks like a misspelling of: one edit away (a transposition counting
/// one), or two when it has the keyword's letters, and about as long.
fn keyword_like(word: &str) -> Option<&'static str> {
    if word.len() < 2 || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let w = word.to_ascii_lowercase();
    if KEYWORDS.contains(&w.as_str()) {
        return None;
    }
    KEYWORDS
        .iter()
        .filter(|k| w.len().abs_diff(k.len()) <= 1)
        .map(|k| (strsim::osa_distance(&w, k), *k))
        // Two edits only when the letters are the keyword's, shuffled (`dna`, `otn`): "sort" is
        // two edits from "not" too.
        .filter(|&(d, k)| d == 1 || (d == 2 && k.len() == 3 && anagram(&w, k)))
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

fn anagram(a: &str, b: &str) -> bool {
    let sorted = |s: &str| {
        let mut v: Vec<u8> = s.bytes().collect();
        v.sort_unstable();
        v
    };
    sorted(a) == sorted(b)
}

/// Words of `text` outside quoted strings: (start, end) byte offsets.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut quoted, mut escaped, mut start) = (false, false, None);
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let boundary = c.is_whitespace() || SPECIAL.contains(&c);
        if let (Some(s), true) = (start, boundary || quoted) {
            out.push((s, i));
            start = None;
        }
        if quoted {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
        } else if c == '"' {
            quoted = true;
        } else if !boundary && start.is_none() {
            start = Some(i);
        }
    }
    out
}

fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k))
}

/// `exim4 adn not …`: Kibana's grammar takes `adn` as part of the unquoted value `exim4 adn`
/// (a value runs on over spaces until a special character or a keyword). A word that looks
/// like a misspelled keyword, follows another word of the same value, and whose replacement by
/// the keyword gives a query that parses (or fails later) gets a warning at its span.
fn misspelled_keywords(text: &str) -> Vec<Diagnostic> {
    let ws = words(text);
    let before = kql::parse(text).err().map(|d| d.span.start);
    let mut out = Vec::new();
    for (i, &(start, end)) in ws.iter().enumerate() {
        let word = &text[start..end];
        let Some(keyword) = keyword_like(word) else {
            continue;
        };
        // The same value: the previous word ends where only spaces separate it from this one.
        let Some(&(pstart, pend)) = i.checked_sub(1).and_then(|p| ws.get(p)) else {
            continue;
        };
        if !text[pend..start].chars().all(char::is_whitespace)
            || pend == start
            || is_keyword(&text[pstart..pend])
        {
            continue;
        }
        let fixed = format!("{}{keyword}{}", &text[..start], &text[end..]);
        let fixes = match (kql::parse(&fixed), before) {
            (Ok(_), _) => true,
            (Err(d), Some(at)) => d.span.start > at + keyword.len(),
            (Err(_), None) => false,
        };
        if !fixes {
            continue;
        }
        let value = value_around(text, &ws, i);
        out.push(
            Diagnostic::new(
                KqlErrorKind::MisspelledKeyword,
                format!(
                    "\"{word}\" is read as part of the value \"{value}\"; did you mean \"{keyword}\"?"
                ),
                Span::new(start, end),
            )
            .expected([format!("\"{keyword}\"")])
            .warning(),
        );
    }
    out
}

/// The unquoted value word `i` belongs to: the words around it joined by spaces only, up to a
/// keyword.
fn value_around(text: &str, ws: &[(usize, usize)], i: usize) -> String {
    let joined = |a: usize, b: usize| {
        let (_, e) = ws[a];
        let (s, _) = ws[b];
        e < s && text[e..s].chars().all(char::is_whitespace)
    };
    let word = |j: usize| &text[ws[j].0..ws[j].1];
    let mut first = i;
    while first > 0 && joined(first - 1, first) && !is_keyword(word(first - 1)) {
        first -= 1;
    }
    let mut last = i;
    while last + 1 < ws.len() && joined(last, last + 1) && !is_keyword(word(last + 1)) {
        last += 1;
    }
    text[ws[first].0..ws[last].1].to_string()
}

/// Field names the KQL query tests, with their spans (nested fields with their full name).
fn kql_fields(n: &kql_ast::Node, prefix: &str, out: &mut Vec<(String, Span)>) {
    match n {
        kql_ast::Node::Or { items, .. } | kql_ast::Node::And { items, .. } => {
            items.iter().for_each(|i| kql_fields(i, prefix, out))
        }
        kql_ast::Node::Not { inner, .. } => kql_fields(inner, prefix, out),
        kql_ast::Node::Field { field, .. } | kql_ast::Node::Range { field, .. } => {
            out.push((format!("{prefix}{}", field.text()), field.span))
        }
        kql_ast::Node::Nested { field, query, .. } => {
            let full = format!("{prefix}{}", field.text());
            out.push((full.clone(), field.span));
            kql_fields(query, &format!("{full}."), out);
        }
        kql_ast::Node::FreeText { .. } => {}
    }
}

/// Field names the EQL query reads, with their spans (`?field`s left out: they may be absent).
fn eql_fields(q: &eql_ast::Query, out: &mut Vec<(String, Span)>) {
    let steps = |steps: &[eql_ast::Step], out: &mut Vec<(String, Span)>| {
        for s in steps {
            expr_fields(&s.query.condition, out);
            s.by.iter().for_each(|e| expr_fields(e, out));
        }
    };
    match &q.body {
        eql_ast::Body::Event(e) => expr_fields(&e.condition, out),
        eql_ast::Body::Sequence(s) => {
            s.by.iter().for_each(|e| expr_fields(e, out));
            steps(&s.steps, out);
            steps(s.until.as_slice(), out);
        }
        eql_ast::Body::Sample(s) => {
            s.by.iter().for_each(|e| expr_fields(e, out));
            steps(&s.steps, out);
        }
    }
}

fn expr_fields(e: &eql_ast::Expr, out: &mut Vec<(String, Span)>) {
    use eql_ast::ExprKind as K;
    match &e.kind {
        K::Literal(_) => {}
        K::Field(f) => {
            if !f.optional {
                out.push((f.name.clone(), e.span));
            }
        }
        K::Not(x) | K::Neg(x) => expr_fields(x, out),
        K::And(xs) | K::Or(xs) => xs.iter().for_each(|x| expr_fields(x, out)),
        K::Compare { left, right, .. } | K::Arith { left, right, .. } => {
            expr_fields(left, out);
            expr_fields(right, out);
        }
        K::In { expr, list, .. } => {
            expr_fields(expr, out);
            list.iter().for_each(|x| expr_fields(x, out));
        }
        K::Match { expr, patterns, .. } => {
            expr_fields(expr, out);
            patterns.iter().for_each(|x| expr_fields(x, out));
        }
        K::Call { args, .. } => args.iter().for_each(|x| expr_fields(x, out)),
    }
}

/// A warning for each field that no event has and ECS does not define, with the nearest known
/// name as a suggestion.
fn unknown_fields(
    refs: &[(String, Span)],
    event_fields: &[String],
    kind: impl Into<crate::diagnostic::ErrorKind> + Copy,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (field, span) in refs {
        if field.contains('*')
            || field.is_empty()
            || crate::event::lookup::has_field(event_fields, field)
            || field_info(field).known
        {
            continue;
        }
        let first = !seen.contains(&field.as_str());
        seen.push(field);
        let mut message = format!("no event has the field \"{field}\" and ECS does not define it");
        let suggestion = if first {
            nearest(field, event_fields)
        } else {
            None
        };
        if let Some(s) = &suggestion {
            message.push_str(&format!("; did you mean \"{s}\"?"));
        }
        let mut d = Diagnostic::new(kind, message, *span).warning();
        if let Some(s) = suggestion {
            d = d.expected([format!("\"{s}\"")]);
        }
        out.push(d);
    }
    out
}

/// The known field name closest to `field` (events' fields first, then ECS), within an edit
/// distance of 2, or 3 for long names.
pub(crate) fn nearest(field: &str, event_fields: &[String]) -> Option<String> {
    let limit = if field.len() > 12 { 3 } else { 2 };
    let ecs: Vec<String> = ecs_field_names().map(str::to_string).collect();
    event_fields
        .iter()
        .chain(&ecs)
        .map(|f| (strsim::osa_distance(field, f), f))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, f)| f.clone())
}

#[cfg(test)]
#[path = "hints_tests.rs"]
mod tests;
