//! The one seam between ES|QL the language and ES|QL the rule type: compile a query once, run it
//! over events, explain one event's `WHERE`. The engine, the exclusion chips and the wasm call
//! only this module, so the evaluator behind it can change without touching them.

use super::ast::{CommandKind, Query};
use super::eval::{self, Options};
use super::functions::scalar_json;
use super::lexer::{self, Tok as LexTok};
use super::outcome::{Outcome, WhereTrace};
use super::value::Value;
use crate::diagnostic::{Diagnostic, Span};
use serde_json::Value as Json;

/// A token as the exclusion chips read queries: names (dotted paths joined), strings, numbers
/// and operators; comments skipped.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name: field (`process.name`), keyword, backquoted name.
    Word(String),
    Str(String),
    Num(f64),
    Op(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

impl Token {
    pub fn is_word(&self, w: &str) -> bool {
        matches!(&self.tok, Tok::Word(x) if x.eq_ignore_ascii_case(w))
    }
    pub fn is_op(&self, o: &str) -> bool {
        matches!(&self.tok, Tok::Op(x) if *x == o)
    }
}

/// The tokens of `src` from ES|QL's own lexer, with `a.b.c` (no spaces) joined into one name.
pub fn tokens(src: &str) -> Result<Vec<Token>, Diagnostic> {
    let mut out: Vec<Token> = Vec::new();
    let mut pos = 0;
    // Guards against a lexer that would not advance (it always does; a bad input must not hang).
    for _ in 0..=src.len() + 1 {
        let t = lexer::next(src, pos)?;
        if t.span.end <= pos && !matches!(t.tok, LexTok::Eof) {
            break;
        }
        pos = t.span.end;
        let tok = match t.tok {
            LexTok::Eof => break,
            LexTok::Ident(s) | LexTok::Quoted(s) => Tok::Word(s),
            LexTok::Str(s) => Tok::Str(s),
            LexTok::Int(s) | LexTok::Decimal(s) => Tok::Num(s.parse().unwrap_or(f64::NAN)),
            LexTok::Param(s) | LexTok::DoubleParam(s) => Tok::Word(format!("?{s}")),
            LexTok::Sym(s) => Tok::Op(s),
        };
        // `process` `.` `name` written together is one field name.
        if let Tok::Word(w) = &tok {
            if let [.., Token {
                tok: Tok::Word(a),
                span: sa,
            }, Token {
                tok: Tok::Op("."),
                span: sd,
            }] = out.as_slice()
            {
                if sa.end == sd.start && sd.end == t.span.start {
                    let joined = format!("{a}.{w}");
                    let start = sa.start;
                    out.truncate(out.len() - 2);
                    out.push(Token {
                        tok: Tok::Word(joined),
                        span: Span::new(start, t.span.end),
                    });
                    continue;
                }
            }
        }
        out.push(Token { tok, span: t.span });
    }
    Ok(out)
}

/// A compiled ES|QL query.
#[derive(Clone, Debug)]
pub struct RuleQuery {
    query: Query,
}

/// Parse `src` (the verifier runs with the events, in [`RuleQuery::evaluate`]).
pub fn compile(src: &str) -> Result<RuleQuery, Diagnostic> {
    match super::parse(src) {
        Ok(query) => Ok(RuleQuery { query }),
        Err(mut errors) => Err(if errors.is_empty() {
            Diagnostic::new(
                crate::diagnostic::EsqlErrorKind::UnexpectedToken,
                "the query does not parse",
                Span::new(0, src.len()),
            )
        } else {
            errors.swap_remove(0)
        }),
    }
}

impl RuleQuery {
    /// Whether a `STATS` aggregates the rows: such a rule alerts once per output row, not per event.
    pub fn aggregates(&self) -> bool {
        self.first_stats().is_some()
    }

    /// Whether `FROM … METADATA _id` asks for the documents' ids (alerts are then deduplicated by it).
    pub fn has_metadata_id(&self) -> bool {
        self.query.commands.iter().any(|c| {
            matches!(&c.kind, CommandKind::From { metadata, .. } if metadata.iter().any(|m| m.name == "_id"))
        })
    }

    /// The index of the first (non-inline) `STATS` command, if any.
    pub fn first_stats(&self) -> Option<usize> {
        self.query
            .commands
            .iter()
            .position(|c| matches!(c.kind, CommandKind::Stats { inline: false, .. }))
    }

    /// Run the pipeline over `events` (the documents `FROM` reads, in order). Columns the query
    /// names but no event has are typed from the mappings or ECS, as the rule's index would map them.
    pub fn evaluate(&self, events: &[Json], now: i64) -> Result<Outcome, Diagnostic> {
        eval::evaluate(&self.query, events, &rule_options(now))
    }

    /// Why event `event` dropped out at the `WHERE` of `outcome.dropped_at[event]`: the clause
    /// tree of the row that carried it there. `None` when it did not drop at a `WHERE`.
    pub fn explain_where(
        &self,
        events: &[Json],
        outcome: &Outcome,
        event: usize,
        now: i64,
    ) -> Option<WhereTrace> {
        let stage = (*outcome.dropped_at.get(event)?)?;
        super::explain_where_in(&self.query, stage, events, event, &rule_options(now))
    }
}

/// How a rule's query runs: columns the query names but no event has are typed from the mappings
/// or ECS, as the rule's index would map them.
fn rule_options(now: i64) -> Options {
    Options {
        now_millis: now,
        ecs_columns: true,
        ..Options::default()
    }
}

/// A cell as JSON, for the CLI's and the page's table: numbers and booleans as JSON, everything
/// else as Elasticsearch prints it, a multi-value as an array.
pub fn cell_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::One(s) => scalar_json(s),
        Value::Many(vs) => Json::Array(vs.iter().map(scalar_json).collect()),
    }
}
