//! Write a new query into a rule file: the `[rule]` table's `query` string is replaced and no
//! other byte of the file changes. The page's bare-query view edits the same query as the TOML
//! view through this, so the two never disagree.
//!
//! The string keeps its form (`"…"`, `"""…"""`, `'…'`, `'''…'''`) when that form can hold the
//! new text; otherwise it becomes a multi-line literal (for text with line breaks) or a basic
//! string with escapes, which holds anything.

use super::from_toml::span;
use super::load::toml_error;
use crate::diagnostic::{Diagnostic, RuleErrorKind, Span};
use toml::de::{DeTable, DeValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Basic,
    MultiBasic,
    Literal,
    MultiLiteral,
}

impl Form {
    fn of(token: &str) -> Option<Form> {
        [
            ("\"\"\"", Form::MultiBasic),
            ("'''", Form::MultiLiteral),
            ("\"", Form::Basic),
            ("'", Form::Literal),
        ]
        .into_iter()
        .find(|(delim, _)| token.starts_with(delim))
        .map(|(_, form)| form)
    }

    fn delimiter(self) -> &'static str {
        match self {
            Form::Basic => "\"",
            Form::MultiBasic => "\"\"\"",
            Form::Literal => "'",
            Form::MultiLiteral => "'''",
        }
    }

    fn multiline(self) -> bool {
        matches!(self, Form::MultiBasic | Form::MultiLiteral)
    }

    /// Whether the text fits this form as it is (basic forms escape, so they hold anything).
    fn holds(self, text: &str) -> bool {
        // TOML allows no control characters (U+0000–U+001F, U+007F) in literal strings but tab
        // and, in multi-line ones, line feed.
        let plain = |c: char, newline: bool| {
            !(c < ' ' || c == '\u{7f}') || c == '\t' || (newline && c == '\n')
        };
        match self {
            Form::Basic | Form::MultiBasic => true,
            Form::Literal => !text.contains('\'') && text.chars().all(|c| plain(c, false)),
            // A quote right before the closing `'''` would read as part of it.
            Form::MultiLiteral => {
                !text.contains("'''")
                    && !text.ends_with('\'')
                    && text.chars().all(|c| plain(c, true))
            }
        }
    }
}

/// `src` with the `[rule]` query replaced by `query`. Errors: the file is not TOML, or its
/// `[rule]` table has no string `query`.
pub fn set_query(src: &str, query: &str) -> Result<String, Diagnostic> {
    let (token, current) = query_token(src)?;
    if current == query {
        return Ok(src.to_string());
    }
    let raw = token.text(src);
    let Some(form) = Form::of(raw) else {
        return Err(not_a_string(token));
    };
    let open = form.delimiter().len();
    // A multi-line string's line break right after its opening delimiter is not part of the
    // text: keep the one there, and write one when the text itself starts with a line break.
    let break_after_open = if form.multiline() {
        let after = &raw[open..];
        ["\r\n", "\n"].into_iter().find(|b| after.starts_with(b))
    } else {
        None
    };
    let form = if form.holds(query) && (form.multiline() || !query.contains('\n')) {
        form
    } else if query.contains('\n') {
        if Form::MultiLiteral.holds(query) {
            Form::MultiLiteral
        } else {
            Form::MultiBasic
        }
    } else {
        Form::Basic
    };
    let mut out = String::with_capacity(src.len() + query.len());
    out.push_str(&src[..token.start]);
    out.push_str(form.delimiter());
    if form.multiline() {
        out.push_str(break_after_open.unwrap_or("\n"));
    }
    match form {
        Form::Literal | Form::MultiLiteral => out.push_str(query),
        Form::Basic | Form::MultiBasic => escape_into(&mut out, query, form.multiline()),
    }
    out.push_str(form.delimiter());
    out.push_str(&src[token.end..]);
    Ok(out)
}

/// Whether `edited` is `original` with only the `[rule]` table's `query` value changed: every
/// byte before and after that TOML string is the same (what an export ready to commit needs).
pub fn only_query_differs(original: &str, edited: &str) -> Result<bool, Diagnostic> {
    let (a, _) = query_token(original)?;
    let (b, _) = query_token(edited)?;
    Ok(original.get(..a.start) == edited.get(..b.start)
        && original.get(a.end..) == edited.get(b.end..))
}

/// The span of the `[rule]` table's `query` value (delimiters included) and its text.
fn query_token(src: &str) -> Result<(Span, String), Diagnostic> {
    let root = DeTable::parse(src).map_err(|e| toml_error(src, &e))?;
    let rule = root.get_ref().get("rule").ok_or_else(|| {
        Diagnostic::new(
            RuleErrorKind::MissingRuleTable,
            "the file has no [rule] table to write the query into",
            Span::new(0, 0),
        )
        .expected(["a [rule] table"])
    })?;
    let DeValue::Table(table) = rule.get_ref() else {
        return Err(Diagnostic::new(
            RuleErrorKind::WrongType,
            "invalid rule file: rule: expected a table",
            span(rule),
        ));
    };
    let Some(query) = table.get("query") else {
        return Err(Diagnostic::new(
            RuleErrorKind::MissingKey,
            "the rule has no query to replace",
            span(rule),
        )
        .expected(["query"]));
    };
    match query.get_ref() {
        DeValue::String(s) => Ok((span(query), s.to_string())),
        _ => Err(not_a_string(span(query))),
    }
}

fn not_a_string(at: Span) -> Diagnostic {
    Diagnostic::new(
        RuleErrorKind::WrongType,
        "invalid rule file: rule.query: expected a string",
        at,
    )
    .expected(["string"])
}

/// TOML basic-string escapes. Multi-line strings keep line feeds and tabs as they are.
fn escape_into(out: &mut String, text: &str, multiline: bool) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if multiline => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' if multiline => out.push('\t'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
#[path = "set_query_tests.rs"]
mod tests;
