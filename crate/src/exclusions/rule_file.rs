//! Exclusion lists inside a rule TOML file: found on the decoded query, reported and edited in
//! file offsets. An edit of the decoded query becomes an edit of the raw TOML string, written
//! in that string's own escaping (basic `"…"`, multi-line basic `"""…"""`, literal `'…'` or
//! multi-line literal `'''…'''`); everything outside the edited bytes stays.

use super::{check, find as find_lists, rewrite, ExclusionList, Lang, Op, TextEdit};
use crate::diagnostic::{Diagnostic, ExclusionErrorKind, Span};
use crate::rule::{load_rule, QueryPos};
use toml::de::DeTable;

/// How the TOML string holding the query is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    Basic,
    MultiBasic,
    Literal,
    MultiLiteral,
}

/// The query of a rule file and where it sits.
struct RuleQuery {
    lang: Lang,
    query: String,
    pos: QueryPos,
    /// The TOML string token, delimiters included.
    token: Span,
    quoting: Quoting,
    /// Whether the string's lines end with CRLF (decoded text has LF only).
    crlf: bool,
}

impl RuleQuery {
    fn to_file(&self, d: Diagnostic) -> Diagnostic {
        let span = self.pos.span_to_file(d.span);
        let secondary = d.secondary.map(|s| self.pos.span_to_file(s));
        Diagnostic {
            span,
            secondary,
            ..d
        }
    }
}

fn locate(src: &str) -> Result<RuleQuery, Diagnostic> {
    let rule = load_rule(src)?;
    let no_query = |what: &str| {
        Diagnostic::new(
            ExclusionErrorKind::NoQuery,
            format!("the rule has {what}; exclusion lists live in KQL, EQL and ES|QL queries"),
            Span::new(0, 0),
        )
    };
    let lang = match rule.effective_language() {
        Some("kuery") => Lang::Kql,
        Some("eql") => Lang::Eql,
        Some("esql") if cfg!(feature = "esql") => Lang::Esql,
        Some(other) => return Err(no_query(&format!("a {other} query"))),
        None => return Err(no_query("no query")),
    };
    let (Some(query), Some(pos)) = (rule.query.clone(), rule.query_pos.clone()) else {
        return Err(no_query("no query"));
    };
    let root = DeTable::parse(src).map_err(|_| no_query("no readable query"))?;
    let token = root
        .get_ref()
        .get("rule")
        .and_then(|r| r.get_ref().as_table())
        .and_then(|t| t.get("query"))
        .map(|q| Span::new(q.span().start, q.span().end))
        .ok_or_else(|| no_query("no query"))?;
    let raw = token.text(src);
    let quoting = if raw.starts_with("'''") {
        Quoting::MultiLiteral
    } else if raw.starts_with("\"\"\"") {
        Quoting::MultiBasic
    } else if raw.starts_with('\'') {
        Quoting::Literal
    } else {
        Quoting::Basic
    };
    Ok(RuleQuery {
        lang,
        query,
        pos,
        token,
        quoting,
        crlf: raw.contains("\r\n"),
    })
}

/// The query language and the exclusion lists of a rule file, spans in file offsets.
pub fn find(src: &str) -> Result<(Lang, Vec<ExclusionList>), Diagnostic> {
    let q = locate(src)?;
    let lists = find_lists(q.lang, &q.query).map_err(|d| q.to_file(d))?;
    let lists = lists
        .into_iter()
        .map(|l| l.map_spans(|s| q.pos.span_to_file(s)))
        .collect();
    Ok((q.lang, lists))
}

/// The rule file with every operation applied in order; only the query's edited bytes change.
pub fn apply(src: &str, ops: &[Op]) -> Result<String, Diagnostic> {
    let mut text = src.to_string();
    for op in ops {
        let n = match op {
            Op::Remove { .. } => {
                locate(&text).map_or(1, |q| super::occurrences(q.lang, &q.query, op))
            }
            _ => 1,
        };
        for _ in 0..n {
            text = apply_one(&text, op)?;
        }
    }
    Ok(text)
}

fn apply_one(src: &str, op: &Op) -> Result<String, Diagnostic> {
    let q = locate(src)?;
    let edits = super::edit(q.lang, &q.query, op).map_err(|d| q.to_file(d))?;
    let want = rewrite::apply_all(&q.query, &edits);
    check(q.lang, &want).map_err(|d| q.to_file(d))?;
    // Multi-line basic strings first keep quotes as they are, then escape them all if that
    // made a `"""` (the result is read back either way).
    for escape_quotes in [false, true] {
        let file_edits = edits
            .iter()
            .map(|e| {
                Ok(TextEdit {
                    range: q.pos.span_to_file(e.range),
                    text: encode(&q, &e.text, escape_quotes)?,
                })
            })
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        let out = rewrite::apply_all(src, &file_edits);
        if load_rule(&out).ok().and_then(|r| r.query).as_deref() == Some(want.as_str()) {
            return Ok(out);
        }
        if q.quoting != Quoting::MultiBasic {
            break;
        }
    }
    Err(cannot_hold(&q, None))
}

fn cannot_hold(q: &RuleQuery, c: Option<char>) -> Diagnostic {
    let (what, delim) = match q.quoting {
        Quoting::Literal => ("a literal string", "'…'"),
        Quoting::MultiLiteral => ("a multi-line literal string", "'''…'''"),
        Quoting::MultiBasic => ("a multi-line basic string", "\"\"\"…\"\"\""),
        Quoting::Basic => ("a basic string", "\"…\""),
    };
    let which = match c {
        Some(c) => format!("{c:?}"),
        None => "the edited text".into(),
    };
    Diagnostic::new(
        ExclusionErrorKind::NotRepresentable,
        format!(
            "the rule's query is {what} ({delim}), which cannot hold {which}; write the query \
             as a basic string (\"\"\"…\"\"\", with escapes) and edit again"
        ),
        q.token,
    )
}

/// `text` (decoded) as it must be written inside the query's TOML string.
fn encode(q: &RuleQuery, text: &str, escape_quotes: bool) -> Result<String, Diagnostic> {
    let mut out = String::with_capacity(text.len());
    let multi = matches!(q.quoting, Quoting::MultiBasic | Quoting::MultiLiteral);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // Line ends as the string writes them (the decoded text may keep CRLF or not).
        if c == '\r' && multi && chars.peek() == Some(&'\n') {
            continue;
        }
        if c == '\n' && multi {
            out.push_str(if q.crlf { "\r\n" } else { "\n" });
            continue;
        }
        let control = (c.is_control() && c != '\t') || c == '\u{7f}';
        match q.quoting {
            Quoting::Literal | Quoting::MultiLiteral => {
                if control || (c == '\'' && q.quoting == Quoting::Literal) {
                    return Err(cannot_hold(q, Some(c)));
                }
                out.push(c);
            }
            Quoting::Basic | Quoting::MultiBasic => match c {
                '\\' => out.push_str("\\\\"),
                '"' if escape_quotes || q.quoting == Quoting::Basic => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c if control => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            },
        }
    }
    Ok(out)
}
