//! Why an event passed or dropped out at a `WHERE`: the condition's clause tree (`and`, `or`,
//! `not`, and leaves) with each clause's verdict on the event's row and the values it read.

use super::{Frame, Options, Run};
use crate::esql::ast::{CommandKind, Expr, ExprKind, Query};
use crate::esql::outcome::WhereTrace;
use crate::esql::value::{Scalar, Value};
use crate::explain::{Clause, Looked, Verdict};
use serde_json::Value as Json;

/// The clause tree of the `WHERE` at `stage` (an index into the query's commands) for `event`,
/// or `None` when that command is not a `WHERE` or the event dropped out before it.
pub fn explain_where(query: &Query, stage: usize, event: &Json) -> Option<WhereTrace> {
    explain_where_in(
        query,
        stage,
        std::slice::from_ref(event),
        0,
        &Options::default(),
    )
}

/// [`explain_where`] for event `event` of `events`, run with `opts` as the query ran: the row
/// that carried the event to the `WHERE` is the one the whole input made (an aggregated row
/// counts its whole group, not this event alone).
pub fn explain_where_in(
    query: &Query,
    stage: usize,
    events: &[Json],
    event: usize,
    opts: &Options,
) -> Option<WhereTrace> {
    let CommandKind::Where(cond) = &query.commands.get(stage)?.kind else {
        return None;
    };
    let mut run = Run::new(query, events, opts);
    let mut frame = Frame::default();
    for cmd in &query.commands[..stage] {
        frame = run.command(cmd, frame).ok()?;
    }
    let row = frame
        .rows
        .into_iter()
        .find(|r| r.sources.contains(&event))?;
    let frame_cols = frame.columns;
    let clause = trace(&mut run, &frame_cols, &row, cond)?;
    Some(WhereTrace { stage, clause })
}

fn verdict(v: &Value) -> Verdict {
    match v {
        Value::One(Scalar::Bool(true)) => Verdict::True,
        Value::One(Scalar::Bool(false)) => Verdict::False,
        _ => Verdict::Missing,
    }
}

fn trace(
    run: &mut Run,
    columns: &[crate::esql::outcome::Column],
    row: &super::Row,
    e: &Expr,
) -> Option<Clause> {
    let c = run.scope(columns).compile(e).ok()?;
    let value = run.eval_row(&c, row, &[]);
    let (kind, children): (&str, Vec<&Expr>) = match &e.kind {
        ExprKind::And(a, b) => ("and", vec![a, b]),
        ExprKind::Or(a, b) => ("or", vec![a, b]),
        ExprKind::Not(a) => ("not", vec![a]),
        ExprKind::In { .. } => ("in", vec![]),
        ExprKind::Like { regex: true, .. } => ("regex", vec![]),
        ExprKind::Like { .. } => ("wildcard", vec![]),
        ExprKind::IsNull { .. } => ("exists", vec![]),
        ExprKind::Match { .. } => ("match", vec![]),
        ExprKind::Call { .. } => ("function", vec![]),
        _ => ("compare", vec![]),
    };
    let mut clause = Clause::new(kind, e.span, verdict(&value));
    for child in children {
        clause.children.push(trace(run, columns, row, child)?);
    }
    if clause.children.is_empty() {
        if let Some(name) = field_of(e) {
            clause.field = Some(name.to_string());
            if let Some(i) = columns.iter().rposition(|col| col.name == name) {
                let cell = row.cells.get(i).cloned().unwrap_or_default();
                clause.looked = cell
                    .values()
                    .iter()
                    .map(|s| Looked {
                        path: name.to_string(),
                        value: crate::esql::functions::scalar_json(s),
                        matched: clause.verdict.is_true(),
                        pattern: None,
                    })
                    .collect();
            }
        }
        clause.message = Some(format!(
            "{} is {}",
            e.span.text(run.src),
            match clause.verdict {
                Verdict::True => "true",
                Verdict::False => "false",
                Verdict::Missing => "null",
            }
        ));
    }
    Some(clause)
}

/// The column a leaf condition is about: the left side of a comparison, LIKE, IN, IS NULL.
fn field_of(e: &Expr) -> Option<&str> {
    let inner = match &e.kind {
        ExprKind::Binary { left, .. } => left,
        ExprKind::In { expr, .. }
        | ExprKind::IsNull { expr, .. }
        | ExprKind::Like { expr, .. }
        | ExprKind::Cast { expr, .. } => expr,
        ExprKind::Match { field, .. } => field,
        ExprKind::Column(name) => return Some(name),
        _ => return None,
    };
    match &inner.kind {
        ExprKind::Column(name) => Some(name),
        _ => field_of(inner),
    }
}
