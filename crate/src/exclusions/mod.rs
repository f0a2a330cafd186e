//! Exclusion lists inside a query, found and edited in place.
//!
//! An exclusion list is a negated set of literal values of one field: KQL `not F:(a or b)`,
//! `not F:a`, `not (F:a or F:b)`; EQL `not F in (…)`/`F not in (…)` (also `in~`), `not F : (…)`,
//! `not F like[~] (…)`, and chains of `F != "x"`. [`find`] lists them with their values and
//! spans; [`apply`] adds or removes values by rewriting only the list concerned, so every other
//! byte of the query (layout, quoting, comments) stays. [`rule_file`] does the same inside a
//! rule TOML file, through the escapes of the TOML string that holds the query.
//!
//! Data flow: query text → [`crate::kql`] / [`crate::eql`] AST → `find` → `rewrite` (one text
//! edit per operation, checked by parsing the result) → text.

#[cfg(feature = "esql")]
mod esql;
mod find;
mod quote;
mod rewrite;
pub mod rule_file;

pub use quote::{eql_field, eql_string, kql_field, kql_pattern, kql_value};

use crate::diagnostic::{Diagnostic, ExclusionErrorKind, Span};
use serde::Serialize;

/// The query language of a text being edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Kql,
    Eql,
    Esql,
}

/// How a list is written; decides how a value is added or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// KQL `not F:(a or b)` or `not F:a`.
    KqlValues,
    /// KQL `not (F:a or F:b)`.
    KqlClauses,
    /// EQL `not F in (…)`, `F not in (…)`, with or without `~`.
    EqlIn,
    /// EQL `not F : (…)`, `not F like (…)`, `not F like~ (…)`: the values are wildcard patterns.
    EqlMatch,
    /// EQL `F != "a" and F != "b"`.
    EqlNotEqual,
    /// ES|QL `NOT F IN (…)`, `F NOT IN (…)`.
    EsqlIn,
    /// ES|QL `NOT F LIKE "p"` / `F NOT LIKE "p"`, or a chain of them on one field joined by
    /// `AND`: each clause is one item.
    EsqlLike,
}

/// One value of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The value, escapes resolved (KQL wildcards shown as `*`; EQL numbers as written).
    pub value: String,
    /// Whether the value is a wildcard pattern (KQL: an unescaped `*`; EQL: `*` or `?` in a
    /// `:` or `like` list).
    pub pattern: bool,
    /// The item as written: the value (quotes included), or the whole `F:a` / `F != "a"`.
    pub span: Span,
    /// The value itself as written.
    pub value_span: Span,
}

/// An exclusion list of a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExclusionList {
    /// The field name (KQL escapes resolved; EQL backticks removed).
    pub field: String,
    pub form: Form,
    /// The operator as written: `:` (KQL), `in`, `in~`, `:`, `like`, `like~`, `!=`.
    pub operator: String,
    pub items: Vec<Item>,
    /// The list: from its `(` to its `)`, or the single value / the `!=` chain.
    pub span: Span,
    /// The whole negated clause (`not F:(…)`, the chain of `!=`).
    pub clause: Span,
    /// Whether the values sit inside parentheses (else a value is added by adding them).
    pub parenthesized: bool,
}

impl ExclusionList {
    pub fn values(&self) -> Vec<&str> {
        self.items.iter().map(|i| i.value.as_str()).collect()
    }

    /// The CLI's (and the page's) JSON line: `field`, `values`, `start`/`end` of the list, then
    /// the details (`operator`, `form`, the clause's span, each item with its span and whether
    /// it is a pattern), in that order.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct ItemJson<'a> {
            value: &'a str,
            pattern: bool,
            start: usize,
            end: usize,
        }
        #[derive(Serialize)]
        struct ListJson<'a> {
            field: &'a str,
            values: Vec<&'a str>,
            start: usize,
            end: usize,
            operator: &'a str,
            form: Form,
            clause_start: usize,
            clause_end: usize,
            items: Vec<ItemJson<'a>>,
        }
        let json = ListJson {
            field: &self.field,
            values: self.values(),
            start: self.span.start,
            end: self.span.end,
            operator: &self.operator,
            form: self.form,
            clause_start: self.clause.start,
            clause_end: self.clause.end,
            items: self
                .items
                .iter()
                .map(|i| ItemJson {
                    value: &i.value,
                    pattern: i.pattern,
                    start: i.span.start,
                    end: i.span.end,
                })
                .collect(),
        };
        serde_json::to_string(&json).unwrap_or_default()
    }

    /// The same list with every span moved by `f` (e.g. into a rule file).
    pub fn map_spans(mut self, f: impl Fn(Span) -> Span) -> Self {
        self.span = f(self.span);
        self.clause = f(self.clause);
        for i in &mut self.items {
            i.span = f(i.span);
            i.value_span = f(i.value_span);
        }
        self
    }
}

/// One change to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Add a literal value (quoted and escaped as needed).
    Add { field: String, value: String },
    /// Add a wildcard pattern (`*`, and `?` in EQL).
    AddPattern { field: String, pattern: String },
    /// Remove a value (compared with [`Item::value`]).
    Remove { field: String, value: String },
}

impl Op {
    pub fn field(&self) -> &str {
        match self {
            Op::Add { field, .. } | Op::AddPattern { field, .. } | Op::Remove { field, .. } => {
                field
            }
        }
    }
}

/// A replacement of `range` by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Span,
    pub text: String,
}

impl TextEdit {
    /// `src` with the edit made. A range that is not within `src` at character boundaries
    /// (an edit meant for another text) leaves `src` as it is.
    pub fn apply(&self, src: &str) -> String {
        let (Some(head), Some(tail)) = (
            src.get(..self.range.start),
            src.get(self.range.end.max(self.range.start)..),
        ) else {
            return src.to_string();
        };
        let mut out = String::with_capacity(src.len() + self.text.len());
        out.push_str(head);
        out.push_str(&self.text);
        out.push_str(tail);
        out
    }
}

/// The exclusion lists of `src`, in query order. Errors are the parser's.
pub fn find(lang: Lang, src: &str) -> Result<Vec<ExclusionList>, Diagnostic> {
    match lang {
        Lang::Kql => Ok(find::kql(src, &crate::kql::parse(src)?)),
        Lang::Eql => Ok(find::eql(src, &crate::eql::parse(src)?)),
        #[cfg(feature = "esql")]
        Lang::Esql => {
            crate::esql::rule::compile(src)?;
            esql::find(src)
        }
        #[cfg(not(feature = "esql"))]
        Lang::Esql => Err(no_esql()),
    }
}

#[cfg(not(feature = "esql"))]
fn no_esql() -> Diagnostic {
    Diagnostic::new(
        ExclusionErrorKind::NoQuery,
        "this build has no ES|QL support",
        Span::default(),
    )
}

/// The text edits (sorted, not overlapping; usually one) that perform `op` on `src`.
pub fn edit(lang: Lang, src: &str, op: &Op) -> Result<Vec<TextEdit>, Diagnostic> {
    let lists = find(lang, src)?;
    rewrite::edit(lang, src, &lists, op)
}

/// `src` with every operation applied in order. A removal takes the value out of every list
/// of the field that has it (else it would still be excluded). Each result is parsed again: an
/// edit that would break the query is an error, never output.
pub fn apply(lang: Lang, src: &str, ops: &[Op]) -> Result<String, Diagnostic> {
    let mut text = src.to_string();
    for op in ops {
        for _ in 0..occurrences(lang, &text, op) {
            text = rewrite::apply_all(&text, &edit(lang, &text, op)?);
            check(lang, &text)?;
        }
    }
    Ok(text)
}

/// How many times `op` must run: once, or for a removal once per list item holding the value
/// (at least once, so a missing value is reported).
fn occurrences(lang: Lang, query: &str, op: &Op) -> usize {
    let Op::Remove { field, value } = op else {
        return 1;
    };
    let lists = find(lang, query).unwrap_or_default();
    let n = lists
        .iter()
        .filter(|l| &l.field == field)
        .flat_map(|l| &l.items)
        .filter(|i| &i.value == value)
        .count();
    n.max(1)
}

/// Parse (EQL: and check) an edited query.
fn check(lang: Lang, text: &str) -> Result<(), Diagnostic> {
    let result = match lang {
        Lang::Kql => crate::kql::parse(text).map(drop),
        Lang::Eql => crate::eql::compile(text).map(drop),
        #[cfg(feature = "esql")]
        Lang::Esql => crate::esql::rule::compile(text).map(drop),
        #[cfg(not(feature = "esql"))]
        Lang::Esql => Err(no_esql()),
    };
    result.map_err(|d| {
        Diagnostic::new(
            ExclusionErrorKind::BrokenEdit,
            format!("the edit would leave an invalid query: {}", d.message),
            d.span,
        )
    })
}
