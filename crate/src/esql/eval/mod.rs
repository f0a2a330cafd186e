//! The evaluator: each command is verified against the columns before it (see [`compile`]),
//! then runs over the rows. A row remembers the source events behind it, so the outcome can
//! say where each event dropped out and which events an aggregated row grouped.

mod calls;
mod commands;
pub mod compare;
pub mod compile;
pub mod convert;
mod exec;
mod explain;
mod referenced;
mod source;
mod stats;

use super::ast::{Command, CommandKind, Expr, Field, Query};
use super::functions::EvalCtx;
use super::outcome::{Column, Outcome, Stage, Table};
use super::value::{DataType, Scalar, Value};
use crate::diagnostic::{Diagnostic, EsqlErrorKind};
use compile::{CExpr, Scope};
use exec::{RowCtx, Warnings};
use serde_json::Value as Json;

pub use explain::{explain_where, explain_where_in};

/// Rows a query returns when it has no `LIMIT` of its own (Elasticsearch's default).
pub const DEFAULT_LIMIT: usize = 1000;

/// The columns an index declares (from its mapping), for `FROM` to show even when no event
/// has a value for them, with the types the mapping gives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndexColumns {
    pub index: String,
    pub columns: Vec<Column>,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `NOW()` and date math: milliseconds since the epoch, fixed for the query.
    pub now_millis: i64,
    /// Query parameters by name (`?name`) or position (`"1"` for the first `?`).
    pub params: Vec<(String, Value)>,
    /// Indices with declared columns; events name their index in `_index` (an event without
    /// `_index` belongs to every index `FROM` names).
    pub indices: Vec<IndexColumns>,
    /// `FROM` also declares every column the query mentions, typed by the user's mappings or
    /// ECS (keyword when neither knows it), null where an event lacks it: a rule's index has
    /// a mapping for the fields the rule reads, and the events pasted rarely have them all.
    /// Set this for rules; leave it off to see only the events' own fields (the spec suite).
    pub ecs_columns: bool,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Row {
    pub cells: Vec<Value>,
    /// Indices of the source events behind the row, ascending.
    pub sources: Vec<usize>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Frame {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Frame {
    /// Columns of one name keep the last one, as Elasticsearch resolves `STATS x = …, x = …`
    /// and an aggregate shadowed by a group of the same name.
    pub(crate) fn dedup_last(self) -> Frame {
        let n = self.columns.len();
        let keep: Vec<usize> = (0..n)
            .filter(|&i| {
                !self.columns[i + 1..]
                    .iter()
                    .any(|c| c.name == self.columns[i].name)
            })
            .collect();
        if keep.len() == n {
            return self;
        }
        commands::select(self, keep)
    }

    fn set_column(&mut self, name: &str, ty: DataType, values: Vec<Value>) {
        if let Some(i) = self.columns.iter().position(|c| c.name == name) {
            self.columns.remove(i);
            for r in &mut self.rows {
                r.cells.remove(i);
            }
        }
        self.columns.push(Column {
            name: name.to_string(),
            ty,
        });
        for (r, v) in self.rows.iter_mut().zip(values) {
            r.cells.push(v);
        }
    }
}

pub(crate) struct Run<'a> {
    pub src: &'a str,
    pub events: &'a [Json],
    pub opts: &'a Options,
    pub warnings: Warnings,
    pub fctx: EvalCtx,
    /// Columns `FROM` declares from ECS (see [`Options::ecs_columns`]).
    pub ecs_columns: Vec<String>,
}

/// A constant expression's value; `None` when evaluating it warns (it stays an expression, so
/// it warns where it runs).
fn fold(c: &CExpr, fctx: &EvalCtx, src: &str) -> Option<Value> {
    let ctx = RowCtx {
        src,
        cells: &[],
        aggs: &[],
        event: None,
        fctx,
    };
    let mut w = Warnings::default();
    let v = exec::eval(c, &ctx, &mut w);
    w.list.is_empty().then_some(v)
}

/// Evaluate `query` over `events`: the output table, the sources of each row, the stages and
/// where each event dropped out. An error is the verifier's (unknown column, type mismatch) or
/// a command that cannot run offline.
pub fn evaluate(query: &Query, events: &[Json], opts: &Options) -> Result<Outcome, Diagnostic> {
    let mut run = Run::new(query, events, opts);
    let mut frame = Frame::default();
    let mut stages = Vec::new();
    let mut dropped_at = vec![None; events.len()];
    let mut alive = vec![true; events.len()];
    for (i, cmd) in query.commands.iter().enumerate() {
        frame = run.command(cmd, frame)?;
        stages.push(Stage {
            command: cmd.name().to_string(),
            span: cmd.span,
            rows_after: frame.rows.len(),
        });
        let mut now_alive = vec![false; events.len()];
        for r in &frame.rows {
            for &s in &r.sources {
                if let Some(a) = now_alive.get_mut(s) {
                    *a = true;
                }
            }
        }
        for (e, a) in now_alive.iter().enumerate() {
            if alive[e] && !a {
                dropped_at[e] = Some(i);
            }
        }
        alive = now_alive;
    }
    frame.rows.truncate(DEFAULT_LIMIT);
    let sources = frame.rows.iter().map(|r| r.sources.clone()).collect();
    let rows = frame.rows.into_iter().map(|r| r.cells).collect();
    Ok(Outcome {
        table: Table {
            columns: frame.columns,
            rows,
        },
        sources,
        stages,
        dropped_at,
        warnings: run.warnings.list,
    })
}

impl<'a> Run<'a> {
    pub(crate) fn new(query: &'a Query, events: &'a [Json], opts: &'a Options) -> Self {
        Run {
            src: &query.text,
            events,
            opts,
            warnings: Warnings::default(),
            fctx: EvalCtx {
                now_millis: opts.now_millis,
            },
            ecs_columns: if opts.ecs_columns {
                referenced::columns(query)
            } else {
                Vec::new()
            },
        }
    }

    pub(crate) fn scope<'s>(&'s self, columns: &'s [Column]) -> Scope<'s> {
        Scope {
            src: self.src,
            columns,
            params: &self.opts.params,
            fctx: &self.fctx,
            aggs: None,
            agg_filter: None,
            agg_columns: columns,
            fold: Some(fold),
        }
    }

    pub(crate) fn eval_row(&mut self, c: &CExpr, row: &Row, aggs: &[Value]) -> Value {
        let ctx = RowCtx {
            src: self.src,
            cells: &row.cells,
            aggs,
            event: row.sources.first().and_then(|&i| self.events.get(i)),
            fctx: &self.fctx,
        };
        exec::eval(c, &ctx, &mut self.warnings)
    }

    /// The name a field's column gets: its alias; a column's own name (backquotes removed:
    /// `source.\`as\`.number` groups as `source.as.number`); else its source text as written.
    pub(crate) fn field_name(&self, f: &Field) -> String {
        match (&f.name, &f.expr.kind) {
            (Some(n), _) => n.name.clone(),
            (None, crate::esql::ast::ExprKind::Column(c)) => c.clone(),
            (None, _) => f.expr.span.text(self.src).to_string(),
        }
    }

    pub(crate) fn command(&mut self, cmd: &Command, frame: Frame) -> Result<Frame, Diagnostic> {
        if cmd
            .keyword
            .text(self.src)
            .eq_ignore_ascii_case("inlinestats")
        {
            let (line, col) = super::parser::line_col(self.src, cmd.keyword.start);
            self.warnings.push(format!(
                "Line {line}:{col}: INLINESTATS is deprecated, use INLINE STATS instead"
            ));
        }
        match &cmd.kind {
            CommandKind::From { indices, metadata } => self.from(indices, metadata),
            CommandKind::Row(fields) => {
                let mut f = Frame {
                    columns: Vec::new(),
                    rows: vec![Row::default()],
                };
                self.eval_fields(&mut f, fields)?;
                Ok(f)
            }
            CommandKind::Where(cond) => self.filter(frame, cond),
            CommandKind::Eval(fields) => {
                let mut f = frame;
                self.eval_fields(&mut f, fields)?;
                Ok(f)
            }
            CommandKind::Stats { aggs, by, inline } => {
                Ok(self.stats(frame, aggs, by, *inline)?.dedup_last())
            }
            CommandKind::Keep(names) => commands::keep(frame, names, self.opts.ecs_columns),
            CommandKind::Drop(names) => commands::drop(frame, names, self.opts.ecs_columns),
            CommandKind::Rename(pairs) => commands::rename(frame, pairs),
            CommandKind::Sort(keys) => self.sort(frame, keys),
            CommandKind::Limit(e) => self.limit(frame, e),
            CommandKind::MvExpand(name) => commands::mv_expand(frame, name),
            CommandKind::Dissect {
                input,
                pattern,
                append_separator,
            } => {
                let engine = commands::dissect_engine(&pattern.name, append_separator.as_deref())
                    .map_err(|m| Diagnostic::new(m.0, m.1, pattern.span))?;
                self.extract(frame, input, vec![engine])
            }
            CommandKind::Grok { input, patterns } => {
                let mut engines = Vec::new();
                for p in patterns {
                    engines.push(
                        commands::grok_engine(&p.name)
                            .map_err(|m| Diagnostic::new(m.0, m.1, p.span))?,
                    );
                }
                self.extract(frame, input, engines)
            }
            CommandKind::Unsupported(name) => Err(Diagnostic::new(
                EsqlErrorKind::NotEvaluableOffline,
                format!("{name} cannot be evaluated offline: it needs an Elasticsearch cluster"),
                cmd.keyword,
            )),
        }
    }

    fn eval_fields(&mut self, frame: &mut Frame, fields: &[Field]) -> Result<(), Diagnostic> {
        for field in fields {
            let c = self.scope(&frame.columns).compile(&field.expr)?;
            let values: Vec<Value> = frame
                .rows
                .iter()
                .map(|r| self.eval_row(&c, r, &[]))
                .collect();
            let name = self.field_name(field);
            frame.set_column(&name, c.ty, values);
        }
        Ok(())
    }

    fn filter(&mut self, mut frame: Frame, cond: &Expr) -> Result<Frame, Diagnostic> {
        let c = self.scope(&frame.columns).boolean(cond)?;
        let rows = std::mem::take(&mut frame.rows);
        frame.rows = rows
            .into_iter()
            .filter(|r| self.eval_row(&c, r, &[]) == Value::One(Scalar::Bool(true)))
            .collect();
        Ok(frame)
    }

    fn limit(&mut self, mut frame: Frame, e: &Expr) -> Result<Frame, Diagnostic> {
        let c = self.scope(&[]).compile(e)?;
        let n = match &c.node {
            compile::Node::Const(Value::One(Scalar::Int(i))) => i64::from(*i),
            compile::Node::Const(Value::One(Scalar::Long(i))) => *i,
            _ => -1,
        };
        let Ok(n) = usize::try_from(n) else {
            return Err(Diagnostic::new(
                EsqlErrorKind::InvalidArgument,
                format!(
                    "Invalid value for LIMIT [{}], expecting a non negative integer",
                    c.text
                ),
                e.span,
            ));
        };
        frame.rows.truncate(n);
        Ok(frame)
    }
}
