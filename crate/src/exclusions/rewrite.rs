//! One operation → the text edits that perform it, touching only the list concerned.
//!
//! Layout is copied, not invented: an added value takes the separator written between the
//! list's last two values (so removing the last value and adding it back gives the same bytes),
//! the quoting of the last value, and for `F:a` / `F != "a"` items the text before the last
//! value. A removed value takes the separator after it (or, for the last, the one before it).

use super::find::{eql_token_after, eql_token_before, kql_extent};
use super::quote;
use super::{ExclusionList, Form, Lang, Op, TextEdit};
use crate::diagnostic::{Diagnostic, ExclusionErrorKind, Span};
use crate::eql::ast as e;
use crate::eql::lexer::{self, Tok, Token};
use crate::kql::lexer::is_space;

pub fn edit(
    lang: Lang,
    src: &str,
    lists: &[ExclusionList],
    op: &Op,
) -> Result<Vec<TextEdit>, Diagnostic> {
    let ctx = Ctx {
        lang,
        src,
        toks: match lang {
            Lang::Eql => lexer::tokenize(src)?,
            Lang::Kql | Lang::Esql => Vec::new(),
        },
    };
    let of_field: Vec<&ExclusionList> = lists.iter().filter(|l| l.field == op.field()).collect();
    match op {
        Op::Remove { value, .. } => ctx.remove(&of_field, op.field(), value),
        Op::Add { value, .. } => ctx.add(&of_field, op.field(), value, false),
        Op::AddPattern { pattern, .. } => ctx.add(&of_field, op.field(), pattern, true),
    }
}

/// Apply edits sorted by position and not overlapping.
pub fn apply_all(src: &str, edits: &[TextEdit]) -> String {
    let mut out = src.to_string();
    for e in edits.iter().rev() {
        out = e.apply(&out);
    }
    out
}

struct Ctx<'a> {
    lang: Lang,
    src: &'a str,
    /// EQL tokens (connectors are found by token, so comments do not get in the way).
    toks: Vec<Token>,
}

fn err(kind: ExclusionErrorKind, message: String, span: Span) -> Diagnostic {
    Diagnostic::new(kind, message, span)
}

fn one(range: Span, text: impl Into<String>) -> Vec<TextEdit> {
    vec![TextEdit {
        range,
        text: text.into(),
    }]
}

impl Ctx<'_> {
    /// What a clause takes up in the text, grouping parentheses included.
    fn extent(&self, span: Span) -> Span {
        match self.lang {
            Lang::Kql => kql_extent(self.src, span, None),
            // EQL spans already include the parentheses written around an expression.
            Lang::Eql | Lang::Esql => span,
        }
    }

    /// What item `i` of `l` takes up: grown over its own parentheses, never the list's.
    fn item_extent(&self, l: &ExclusionList, i: usize) -> Span {
        let span = l.items[i].span;
        match self.lang {
            Lang::Kql => kql_extent(self.src, span, Some(l.span)),
            Lang::Eql | Lang::Esql => span,
        }
    }

    fn whole_query(&self) -> Span {
        let start = self.src.len() - self.src.trim_start_matches(is_space).len();
        let end = self.src.trim_end_matches(is_space).len().max(start);
        Span::new(start, end)
    }

    fn remove(
        &self,
        lists: &[&ExclusionList],
        field: &str,
        value: &str,
    ) -> Result<Vec<TextEdit>, Diagnostic> {
        for l in lists {
            let Some(i) = l.items.iter().position(|it| it.value == value) else {
                continue;
            };
            let n = l.items.len();
            if n == 1 {
                return self.remove_clause(l);
            }
            let ext = |j: usize| self.item_extent(l, j);
            // The separator after the value goes, unless it breaks the line and the one
            // before does not (the next value keeps its place at the start of a line).
            let after = (i + 1 < n).then(|| Span::new(ext(i).end, ext(i + 1).start));
            let before = (i > 0).then(|| Span::new(ext(i - 1).end, ext(i).start));
            let breaks = |s: Option<Span>| s.is_some_and(|s| s.text(self.src).contains('\n'));
            let range = match (before, after) {
                (Some(_), Some(_)) if breaks(after) && !breaks(before) => {
                    Span::new(ext(i - 1).end, ext(i).end)
                }
                (_, Some(_)) => Span::new(ext(i).start, ext(i + 1).start),
                _ => Span::new(ext(i - 1).end, ext(i).end),
            };
            return Ok(one(range, ""));
        }
        let (message, span) = match lists.first() {
            Some(l) => (
                format!(
                    "the exclusion list of {field} has no value {value:?} (it has {})",
                    quote_all(&l.values())
                ),
                l.span,
            ),
            None => (
                format!("the query has no exclusion list of {field}"),
                self.whole_query(),
            ),
        };
        Err(err(ExclusionErrorKind::ValueNotFound, message, span))
    }

    /// Drop a whole clause (its only value is removed) with the `and` that joins it.
    fn remove_clause(&self, l: &ExclusionList) -> Result<Vec<TextEdit>, Diagnostic> {
        let ext = self.extent(l.clause);
        let src = self.src;
        let range = match self.lang {
            Lang::Kql => {
                let before = src[..ext.start].trim_end_matches(is_space);
                let after = &src[ext.end..];
                let after_and = after.trim_start_matches(is_space);
                if kql_ends_with_and(before) {
                    let start = before[..before.len() - 3].trim_end_matches(is_space).len();
                    Some(Span::new(start, ext.end))
                } else if kql_starts_with_and(after_and) {
                    let rest = after_and[3..].trim_start_matches(is_space);
                    Some(Span::new(ext.start, src.len() - rest.len()))
                } else if ext == self.whole_query() {
                    Some(ext)
                } else {
                    None
                }
            }
            Lang::Eql => {
                let word = |t: Option<&Token>, w: &str| matches!(t, Some(Token { tok: Tok::Ident(s), .. }) if s == w);
                let prev = eql_token_before(&self.toks, ext.start);
                let next = eql_token_after(&self.toks, ext.end);
                if word(prev, "and") {
                    let at = prev.map_or(ext.start, |t| t.span.start);
                    let start = eql_token_before(&self.toks, at).map_or(at, |t| t.span.end);
                    Some(Span::new(start, ext.end))
                } else if word(next, "and") {
                    let at = next.map_or(ext.end, |t| t.span.end);
                    let end = eql_token_after(&self.toks, at).map_or(at, |t| t.span.start);
                    Some(Span::new(ext.start, end))
                } else if word(prev, "where") && !word(next, "or") {
                    // The whole condition: an empty exclusion list excludes nothing.
                    return Ok(one(ext, "true"));
                } else {
                    None
                }
            }
            #[cfg(feature = "esql")]
            Lang::Esql => match super::esql::remove_clause(src, l)? {
                Some(edit) if edit.text.is_empty() => Some(edit.range),
                Some(edit) => return Ok(vec![edit]),
                None => None,
            },
            #[cfg(not(feature = "esql"))]
            Lang::Esql => None,
        };
        match range {
            Some(r) => Ok(one(r, "")),
            None => Err(err(
                ExclusionErrorKind::NotRemovable,
                format!(
                    "{:?} is the only value of this exclusion list of {}, and the list is not \
                     one side of an `and`: removing it would change more than the list; edit \
                     the query by hand",
                    l.items.first().map_or("", |i| i.value.as_str()),
                    l.field
                ),
                l.clause,
            )),
        }
    }

    /// How `value` is written in list `l`, or why it cannot be.
    fn format_for(&self, l: &ExclusionList, value: &str, pattern: bool) -> Result<String, String> {
        let last = l.items.last().map_or("", |i| i.value_span.text(self.src));
        match l.form {
            Form::KqlValues | Form::KqlClauses if pattern => quote::kql_pattern(value)
                .ok_or_else(|| "KQL trims spaces at the ends of an unquoted pattern".into()),
            Form::KqlValues | Form::KqlClauses => {
                let written: Vec<&str> = l
                    .items
                    .iter()
                    .map(|i| i.value_span.text(self.src))
                    .collect();
                Ok(quote::kql_value_like(value, &written))
            }
            Form::EsqlIn if pattern => Err(
                "`IN` compares exactly; a pattern needs a `LIKE` clause".to_string(),
            ),
            Form::EsqlLike if !pattern && value.contains(['*', '?']) => Err(format!(
                "`LIKE` reads `*` and `?` as wildcards, so {value:?} cannot be a literal value there"
            )),
            Form::EsqlIn
                if !last.starts_with('"') && !last.is_empty() && value.parse::<f64>().is_ok() =>
            {
                Ok(value.to_string())
            }
            #[cfg(feature = "esql")]
            Form::EsqlIn | Form::EsqlLike if !super::esql::writable(value) => {
                Err("an ES|QL string cannot hold that control character".into())
            }
            #[cfg(feature = "esql")]
            Form::EsqlIn | Form::EsqlLike => {
                Ok(super::esql::string(value, last.starts_with("\"\"\"")))
            }
            Form::EqlIn | Form::EqlNotEqual if pattern => Err(format!(
                "`{}` compares exactly; a pattern needs a `:` or `like` list",
                l.operator
            )),
            Form::EqlMatch if !pattern && value.contains(['*', '?']) => Err(format!(
                "`{}` reads `*` and `?` as wildcards, so {value:?} cannot be a literal value there",
                l.operator
            )),
            Form::EqlIn | Form::EqlNotEqual
                if !last.starts_with('"') && !last.is_empty() && value.parse::<f64>().is_ok() =>
            {
                Ok(value.to_string())
            }
            _ => Ok(quote::eql_string(value, last.starts_with("\"\"\""))),
        }
    }

    fn add(
        &self,
        lists: &[&ExclusionList],
        field: &str,
        value: &str,
        pattern: bool,
    ) -> Result<Vec<TextEdit>, Diagnostic> {
        if pattern && value == "*" && self.lang == Lang::Kql {
            return Err(err(
                ExclusionErrorKind::NotRepresentable,
                format!("`{field}:*` tests whether {field} exists; it is no value of a list"),
                lists.first().map_or(self.whole_query(), |l| l.span),
            ));
        }
        let mut refusal = None;
        for l in lists {
            match self.format_for(l, value, pattern) {
                Ok(text) => return Ok(self.append(l, &text)),
                Err(why) => refusal = refusal.or(Some((why, l.span))),
            }
        }
        if let Some((why, span)) = refusal {
            return Err(err(
                ExclusionErrorKind::NotRepresentable,
                format!("cannot add {value:?} to the exclusion list of {field}: {why}"),
                span,
            ));
        }
        self.new_clause(field, value, pattern)
    }

    /// `text` (a written value) added at the end of `l`.
    fn append(&self, l: &ExclusionList, text: &str) -> Vec<TextEdit> {
        let src = self.src;
        let n = l.items.len();
        let last = &l.items[n - 1];
        let default_sep = match l.form {
            Form::KqlValues | Form::KqlClauses => " or ",
            Form::EqlIn | Form::EqlMatch | Form::EsqlIn => ", ",
            Form::EqlNotEqual => " and ",
            Form::EsqlLike if src[last.span.start..].starts_with("NOT") => " AND ",
            Form::EsqlLike => " and ",
        };
        if !l.parenthesized && matches!(l.form, Form::KqlValues | Form::EqlMatch) {
            let old = last.value_span.text(src);
            return one(last.value_span, format!("({old}{default_sep}{text})"));
        }
        let end = self.item_extent(l, n - 1).end;
        // `F:` / `F != ` as written before the last value.
        let prefix = &src[last.span.start..last.value_span.start.max(last.span.start)];
        let sep = self.separator(l, default_sep, width(prefix) + width(text));
        one(Span::new(end, end), format!("{sep}{prefix}{text}"))
    }

    /// The separator before a value (`added` columns wide) added at the end of `l`: the one the
    /// list uses; in a list wrapped by hand (some separators break the line, some do not), the
    /// breaking one where the line would outgrow the widest wrapped line; in a list of one value
    /// laid out on its own line (`(\n  a\n)`), one value per line.
    fn separator(&self, l: &ExclusionList, default_sep: &str, added: usize) -> String {
        let src = self.src;
        let n = l.items.len();
        let ext = |i: usize| self.item_extent(l, i);
        if n == 1 {
            let lead = src.get(l.span.start + 1..ext(0).start).unwrap_or("");
            let own_line = l.parenthesized && lead.contains('\n') && lead.trim().is_empty();
            return match own_line {
                true => format!("{}{lead}", default_sep.trim_end()),
                false => default_sep.to_string(),
            };
        }
        let seps: Vec<(usize, String)> = (1..n)
            .map(|i| (i, without_comments(&src[ext(i - 1).end..ext(i).start])))
            .collect();
        let breaking = seps.iter().rev().find(|(_, s)| s.contains('\n'));
        let inline = seps.iter().rev().find(|(_, s)| !s.contains('\n'));
        let (Some((_, breaking)), Some((_, inline))) = (breaking, inline) else {
            return seps
                .last()
                .map_or(default_sep.to_string(), |(_, s)| s.clone());
        };
        // The widest line that ends at a break, and the last line as it would be.
        let line_start = |at: usize| src[..at].rfind('\n').map_or(0, |i| i + 1);
        let limit = seps
            .iter()
            .filter(|(_, s)| s.contains('\n'))
            .map(|(i, _)| {
                let brk = ext(i - 1).end + src[ext(i - 1).end..].find('\n').unwrap_or(0);
                width(src[line_start(brk)..brk].trim_end())
            })
            .max()
            .unwrap_or(0);
        let end = ext(n - 1).end;
        let current = width(&src[line_start(end)..end]) + width(inline.trim_end()) + 1 + added;
        match current > limit {
            true => breaking.clone(),
            false => inline.clone(),
        }
    }

    /// `and not F:(v)` / `and not F in ("v")` at the end of the query.
    fn new_clause(
        &self,
        field: &str,
        value: &str,
        pattern: bool,
    ) -> Result<Vec<TextEdit>, Diagnostic> {
        let whole = self.whole_query();
        let not_representable = |why: String| {
            err(
                ExclusionErrorKind::NotRepresentable,
                format!("cannot add {value:?} to a new exclusion list of {field}: {why}"),
                whole,
            )
        };
        let (condition, wrap, clause) = match self.lang {
            Lang::Kql => {
                let v = if pattern {
                    quote::kql_pattern(value).ok_or_else(|| {
                        not_representable(
                            "KQL trims spaces at the ends of an unquoted pattern".into(),
                        )
                    })?
                } else {
                    quote::kql_value(value, false)
                };
                let clause = format!("not {}:({v})", quote::kql_field(field));
                let root = crate::kql::parse(self.src)?.root;
                let wrap = matches!(root, Some(crate::kql::ast::Node::Or { .. }));
                if root.is_none() {
                    return Ok(one(Span::new(whole.start, whole.start), clause));
                }
                (whole, wrap, clause)
            }
            Lang::Eql => {
                let q = crate::eql::parse(self.src)?;
                let e::Body::Event(eq) = &q.body else {
                    return Err(err(
                        ExclusionErrorKind::NoEventQuery,
                        format!(
                            "the query has no exclusion list of {field}, and a new one is only \
                             added to an event query (not to a sequence or sample): add it to \
                             a step by hand"
                        ),
                        q.span,
                    ));
                };
                let (op, v) = if pattern {
                    ("like", quote::eql_string(value, false))
                } else {
                    ("in", quote::eql_string(value, false))
                };
                let clause = format!("not {} {op} ({v})", quote::eql_field(field));
                let wrap = matches!(eq.condition.kind, e::ExprKind::Or(_));
                (eq.condition.span, wrap, clause)
            }
            #[cfg(feature = "esql")]
            Lang::Esql => return super::esql::new_clause(self.src, field, value, pattern),
            #[cfg(not(feature = "esql"))]
            Lang::Esql => return Err(not_representable("this build has no ES|QL support".into())),
        };
        let end = Span::new(condition.end, condition.end);
        Ok(if wrap {
            let start = Span::new(condition.start, condition.start);
            vec![
                TextEdit {
                    range: start,
                    text: "(".into(),
                },
                TextEdit {
                    range: end,
                    text: format!(") and {clause}"),
                },
            ]
        } else {
            one(end, format!(" and {clause}"))
        })
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

/// An EQL separator without its comments (a comment belongs to the value after it), and
/// without the lines that held only them.
fn without_comments(sep: &str) -> String {
    if !sep.contains("/*") && !sep.contains("//") {
        return sep.to_string();
    }
    let mut out = String::new();
    let mut rest = sep;
    while let Some(i) = rest.find('/') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = if after.starts_with("/*") {
            after.find("*/").map_or(after.len(), |e| e + 2)
        } else if after.starts_with("//") {
            after.find('\n').unwrap_or(after.len())
        } else {
            1
        };
        if end == 1 {
            out.push('/');
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    let lines: Vec<&str> = out.split('\n').collect();
    match lines.as_slice() {
        [first, .., last] => format!("{}\n{last}", first.trim_end()),
        _ => out,
    }
}

fn quote_all(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `text` (trailing space removed) ends with the keyword `and` (a space before it).
fn kql_ends_with_and(text: &str) -> bool {
    let Some(head) = text.len().checked_sub(3).and_then(|i| text.get(..i)) else {
        return false;
    };
    text[head.len()..].eq_ignore_ascii_case("and") && head.ends_with(is_space)
}

/// Whether `text` starts with the keyword `and` (a space after it).
fn kql_starts_with_and(text: &str) -> bool {
    text.get(..3).is_some_and(|w| w.eq_ignore_ascii_case("and")) && text[3..].starts_with(is_space)
}
