//! The stand-in's pipeline: rows with their source events, one command after another, and the
//! WHERE clause tree of one row.

use super::syntax::{Agg, Cmd, Command, Expr, Literal};
use crate::esql::outcome::{Column, Outcome, Stage, Table};
use crate::esql::value::{DataType, Scalar, Value};
use crate::explain::{Clause, Looked, Verdict};
use crate::pattern::wildcard::{Piece, Wildcard};
use serde_json::Value as Json;
use std::cmp::Ordering;

/// The rows between two commands.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    pub table: Table,
    pub sources: Vec<Vec<usize>>,
}

impl Rows {
    fn column(&self, name: &str) -> Option<usize> {
        self.table.columns.iter().position(|c| c.name == name)
    }

    fn cell(&self, row: usize, name: &str) -> Value {
        self.column(name)
            .and_then(|c| self.table.rows.get(row)?.get(c).cloned())
            .unwrap_or_default()
    }
}

fn scalar_of(v: &Json) -> Option<(Scalar, DataType)> {
    match v {
        Json::String(s) => Some((Scalar::Str(s.as_str().into()), DataType::Keyword)),
        Json::Bool(b) => Some((Scalar::Bool(*b), DataType::Boolean)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Some((Scalar::Long(i), DataType::Long)),
            None => n.as_f64().map(|f| (Scalar::Double(f), DataType::Double)),
        },
        _ => None,
    }
}

/// Every leaf of `v` under `prefix`, arrays flattened into several values of one path.
fn flatten(prefix: &str, v: &Json, out: &mut Vec<(String, Scalar, DataType)>) {
    match v {
        Json::Object(m) => {
            for (k, child) in m {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, child, out);
            }
        }
        Json::Array(a) => a.iter().for_each(|x| flatten(prefix, x, out)),
        other => {
            if let Some((s, t)) = scalar_of(other) {
                out.push((prefix.to_string(), s, t));
            }
        }
    }
}

const METADATA: [&str; 3] = ["_id", "_index", "_version"];

/// `FROM`: one row per event, one column per leaf field (sorted, as ES|QL lists an index's
/// fields), then the asked-for metadata columns.
fn from(events: &[Json], metadata: &[String]) -> Rows {
    let flat: Vec<Vec<(String, Scalar, DataType)>> = events
        .iter()
        .map(|e| {
            let mut out = Vec::new();
            flatten("", e, &mut out);
            out
        })
        .collect();
    let mut columns: Vec<Column> = Vec::new();
    let mut names: Vec<&str> = flat
        .iter()
        .flatten()
        .map(|(n, _, _)| n.as_str())
        .filter(|n| !METADATA.contains(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        let ty = flat
            .iter()
            .flatten()
            .find(|(m, _, _)| m == n)
            .map_or(DataType::Null, |(_, _, t)| *t);
        columns.push(Column {
            name: n.to_string(),
            ty,
        });
    }
    for m in metadata {
        columns.push(Column {
            name: m.clone(),
            ty: DataType::Keyword,
        });
    }
    let rows = flat
        .iter()
        .map(|fields| {
            columns
                .iter()
                .map(|c| {
                    Value::from_vec(
                        fields
                            .iter()
                            .filter(|(n, _, _)| *n == c.name)
                            .map(|(_, s, _)| s.clone())
                            .collect(),
                    )
                })
                .collect()
        })
        .collect();
    Rows {
        table: Table { columns, rows },
        sources: (0..events.len()).map(|i| vec![i]).collect(),
    }
}

fn cmp_scalar(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    let num = |s: &Scalar| match s {
        Scalar::Int(i) => Some(f64::from(*i)),
        Scalar::Long(i) => Some(*i as f64),
        Scalar::Double(d) => Some(*d),
        _ => None,
    };
    match (a, b) {
        (Scalar::Str(x), Scalar::Str(y)) => Some(x.cmp(y)),
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(y)),
        _ => num(a)?.partial_cmp(&num(b)?),
    }
}

fn literal_scalar(l: &Literal) -> Scalar {
    match l {
        Literal::Str(s) => Scalar::Str(s.as_str().into()),
        Literal::Num(n) if n.fract() == 0.0 && n.abs() < 9e15 => Scalar::Long(*n as i64),
        Literal::Num(n) => Scalar::Double(*n),
        Literal::Bool(b) => Scalar::Bool(*b),
    }
}

fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Str(s) => s.clone(),
        Literal::Num(n) => n.to_string(),
        Literal::Bool(b) => b.to_string(),
    }
}

fn like(pattern: &str) -> Wildcard {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => lit.extend(chars.next()),
            '*' | '?' => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(if c == '*' { Piece::Any } else { Piece::One });
            }
            other => lit.push(other),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Wildcard::new(&pieces, false)
}

/// A JSON rendering of a cell, for explanations.
pub fn cell_json(v: &Value) -> Json {
    fn one(s: &Scalar) -> Json {
        match s {
            Scalar::Bool(b) => Json::Bool(*b),
            Scalar::Int(i) => Json::from(*i),
            Scalar::Long(i) | Scalar::Date(i) | Scalar::DateNanos(i) | Scalar::TimeDuration(i) => {
                Json::from(*i)
            }
            Scalar::ULong(u) => Json::from(*u),
            Scalar::Double(d) => serde_json::Number::from_f64(*d).map_or(Json::Null, Json::Number),
            Scalar::Str(s) | Scalar::Version(s) => Json::String(s.to_string()),
            Scalar::Ip(ip) => Json::String(ip.to_string()),
            Scalar::DatePeriod { months, days } => Json::String(format!("P{months}M{days}D")),
        }
    }
    match v {
        Value::Null => Json::Null,
        Value::One(s) => one(s),
        Value::Many(m) => Json::Array(m.iter().map(one).collect()),
    }
}

/// Three-valued evaluation of `e` on row `row` (None: null), with its clause tree when `trace`.
fn test(e: &Expr, rows: &Rows, row: usize, trace: bool) -> (Option<bool>, Option<Clause>) {
    let verdict = |v: Option<bool>| match v {
        Some(b) => Verdict::from_bool(b),
        None => Verdict::Missing,
    };
    let node = |kind: &str, span, v: Option<bool>, children: Vec<Clause>| {
        let mut c = Clause::new(kind, span, verdict(v));
        c.children = children;
        c
    };
    let leaf = |kind: &str, field: &str, span, v: Option<bool>, cell: &Value, pattern: String| {
        let mut c = Clause::new(kind, span, verdict(v));
        c.field = Some(field.to_string());
        c.looked.push(Looked {
            path: field.to_string(),
            value: cell_json(cell),
            matched: v == Some(true),
            pattern: Some(pattern),
        });
        if v.is_none() {
            c.message = Some(if cell.is_null() {
                format!("{field} is null")
            } else {
                format!("{field} is multi-valued: the comparison is null")
            });
        }
        c
    };
    match e {
        Expr::And(a, b, span) | Expr::Or(a, b, span) => {
            let is_and = matches!(e, Expr::And(..));
            let (x, cx) = test(a, rows, row, trace);
            let (y, cy) = test(b, rows, row, trace);
            let v = match (is_and, x, y) {
                (true, Some(false), _) | (true, _, Some(false)) => Some(false),
                (true, Some(true), Some(true)) => Some(true),
                (false, Some(true), _) | (false, _, Some(true)) => Some(true),
                (false, Some(false), Some(false)) => Some(false),
                _ => None,
            };
            let kind = if is_and { "and" } else { "or" };
            let mut children = Vec::new();
            // Flatten chains (`a and b and c`) into one node, as KQL's and EQL's trees do.
            for c in [cx, cy].into_iter().flatten() {
                if c.kind == kind {
                    children.extend(c.children);
                } else {
                    children.push(c);
                }
            }
            (v, trace.then(|| node(kind, *span, v, children)))
        }
        Expr::Not(inner, span) => {
            let (x, c) = test(inner, rows, row, trace);
            let v = x.map(|b| !b);
            (
                v,
                trace.then(|| node("not", *span, v, c.into_iter().collect())),
            )
        }
        Expr::IsNull {
            field,
            negated,
            span,
        } => {
            let cell = rows.cell(row, field);
            let v = Some(cell.is_null() != *negated);
            let pattern = if *negated { "IS NOT NULL" } else { "IS NULL" };
            (
                v,
                trace.then(|| leaf("exists", field, *span, v, &cell, pattern.into())),
            )
        }
        Expr::Compare {
            field,
            op,
            value,
            span,
        } => {
            let cell = rows.cell(row, field);
            let v = cell.single().and_then(|s| {
                let o = cmp_scalar(s, &literal_scalar(value))?;
                Some(match *op {
                    "==" => o == Ordering::Equal,
                    "!=" => o != Ordering::Equal,
                    "<" => o == Ordering::Less,
                    "<=" => o != Ordering::Greater,
                    ">" => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                })
            });
            let pattern = format!("{op} {}", literal_text(value));
            (
                v,
                trace.then(|| leaf("compare", field, *span, v, &cell, pattern)),
            )
        }
        Expr::In {
            field,
            values,
            negated,
            span,
        } => {
            let cell = rows.cell(row, field);
            let hit = cell.single().map(|s| {
                values
                    .iter()
                    .any(|l| cmp_scalar(s, &literal_scalar(l)) == Some(Ordering::Equal))
            });
            let v = hit.map(|h| h != *negated);
            let list: Vec<String> = values.iter().map(literal_text).collect();
            (
                v,
                trace.then(|| {
                    let mut c = leaf("in", field, *span, v, &cell, list.join(", "));
                    if let (Some(l), Some(s)) = (c.looked.first_mut(), cell.single()) {
                        l.pattern = values
                            .iter()
                            .find(|x| cmp_scalar(s, &literal_scalar(x)) == Some(Ordering::Equal))
                            .map(literal_text)
                            .or(l.pattern.take());
                    }
                    c
                }),
            )
        }
        Expr::Like {
            field,
            pattern,
            negated,
            span,
        } => {
            let cell = rows.cell(row, field);
            let v = cell.single().and_then(|s| match s {
                Scalar::Str(t) => Some(like(pattern).is_match(t) != *negated),
                _ => None,
            });
            (
                v,
                trace.then(|| leaf("wildcard", field, *span, v, &cell, pattern.clone())),
            )
        }
    }
}

fn values_of(rows: &Rows, row: usize, col: Option<usize>) -> Vec<Scalar> {
    col.and_then(|c| rows.table.rows.get(row)?.get(c))
        .map(|v| v.values().to_vec())
        .unwrap_or_default()
}

fn aggregate(agg: &Agg, rows: &Rows, members: &[usize]) -> (Value, DataType) {
    let col = agg.arg.as_deref().and_then(|a| rows.column(a));
    let ty = col.map_or(DataType::Null, |c| rows.table.columns[c].ty);
    let mut all: Vec<Scalar> = members
        .iter()
        .flat_map(|&r| values_of(rows, r, col))
        .collect();
    let distinct = |all: &mut Vec<Scalar>| {
        all.sort_by(|a, b| cmp_scalar(a, b).unwrap_or(Ordering::Equal));
        all.dedup();
    };
    match agg.function.as_str() {
        "COUNT" => {
            let n = if agg.arg.is_none() {
                members.len()
            } else {
                all.len()
            };
            (Value::One(Scalar::Long(n as i64)), DataType::Long)
        }
        "COUNT_DISTINCT" => {
            distinct(&mut all);
            (Value::One(Scalar::Long(all.len() as i64)), DataType::Long)
        }
        "VALUES" => {
            distinct(&mut all);
            (Value::from_vec(all), ty)
        }
        "MIN" | "MAX" => {
            let want = if agg.function == "MIN" {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            let best = all.into_iter().reduce(|a, b| {
                if cmp_scalar(&b, &a) == Some(want) {
                    b
                } else {
                    a
                }
            });
            (best.map_or(Value::Null, Value::One), ty)
        }
        _ => {
            let sum: f64 = all
                .iter()
                .filter_map(|s| match s {
                    Scalar::Long(i) => Some(*i as f64),
                    Scalar::Double(d) => Some(*d),
                    _ => None,
                })
                .sum();
            if ty == DataType::Double {
                (Value::One(Scalar::Double(sum)), ty)
            } else {
                (Value::One(Scalar::Long(sum as i64)), DataType::Long)
            }
        }
    }
}

fn stats(rows: &Rows, aggs: &[Agg], by: &[String]) -> Rows {
    let mut keys: Vec<Vec<Value>> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for r in 0..rows.table.rows.len() {
        // A multi-valued grouping key puts the row into one group per value.
        let mut combos: Vec<Vec<Value>> = vec![Vec::new()];
        for b in by {
            let cell = rows.cell(r, b);
            let options: Vec<Value> = match &cell {
                Value::Many(m) => m.iter().cloned().map(Value::One).collect(),
                other => vec![other.clone()],
            };
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    options.iter().map(move |o| {
                        let mut c = c.clone();
                        c.push(o.clone());
                        c
                    })
                })
                .collect();
        }
        for key in combos {
            match keys.iter().position(|k| *k == key) {
                Some(g) => members[g].push(r),
                None => {
                    keys.push(key);
                    members.push(vec![r]);
                }
            }
        }
    }
    if by.is_empty() && keys.is_empty() {
        keys.push(Vec::new());
        members.push(Vec::new());
    }
    let mut out = Rows::default();
    for a in aggs {
        let ty = aggregate(a, rows, &[]).1;
        out.table.columns.push(Column {
            name: a.name.clone(),
            ty,
        });
    }
    for b in by {
        let ty = rows
            .column(b)
            .map_or(DataType::Null, |c| rows.table.columns[c].ty);
        out.table.columns.push(Column {
            name: b.clone(),
            ty,
        });
    }
    for (key, m) in keys.into_iter().zip(members) {
        let mut row: Vec<Value> = aggs.iter().map(|a| aggregate(a, rows, &m).0).collect();
        row.extend(key);
        out.table.rows.push(row);
        let mut src: Vec<usize> = m
            .iter()
            .flat_map(|&r| rows.sources[r].iter().copied())
            .collect();
        src.sort_unstable();
        src.dedup();
        out.sources.push(src);
    }
    out
}

fn keep(rows: &Rows, patterns: &[String]) -> Rows {
    let mut picked: Vec<usize> = Vec::new();
    for p in patterns {
        let w = like(p);
        for (i, c) in rows.table.columns.iter().enumerate() {
            if w.is_match(&c.name) && !picked.contains(&i) {
                picked.push(i);
            }
        }
    }
    Rows {
        table: Table {
            columns: picked
                .iter()
                .map(|&i| rows.table.columns[i].clone())
                .collect(),
            rows: rows
                .table
                .rows
                .iter()
                .map(|r| picked.iter().map(|&i| r[i].clone()).collect())
                .collect(),
        },
        sources: rows.sources.clone(),
    }
}

fn select(rows: &Rows, keep: &[usize]) -> Rows {
    Rows {
        table: Table {
            columns: rows.table.columns.clone(),
            rows: keep.iter().map(|&r| rows.table.rows[r].clone()).collect(),
        },
        sources: keep.iter().map(|&r| rows.sources[r].clone()).collect(),
    }
}

fn step(cmd: &Cmd, rows: Rows, events: &[Json]) -> Rows {
    match &cmd.command {
        Command::From { metadata } => from(events, metadata),
        Command::Where(e) => {
            let pass: Vec<usize> = (0..rows.table.rows.len())
                .filter(|&r| test(e, &rows, r, false).0 == Some(true))
                .collect();
            select(&rows, &pass)
        }
        Command::Keep(p) => keep(&rows, p),
        Command::Stats { aggs, by } => stats(&rows, aggs, by),
        Command::Sort(keys) => {
            let mut order: Vec<usize> = (0..rows.table.rows.len()).collect();
            order.sort_by(|&a, &b| {
                for (k, desc) in keys {
                    let (x, y) = (rows.cell(a, k), rows.cell(b, k));
                    let o = match (x.values().first(), y.values().first()) {
                        (None, None) => Ordering::Equal,
                        (None, Some(_)) => Ordering::Greater,
                        (Some(_), None) => Ordering::Less,
                        (Some(p), Some(q)) => {
                            let o = cmp_scalar(p, q).unwrap_or(Ordering::Equal);
                            if *desc {
                                o.reverse()
                            } else {
                                o
                            }
                        }
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
            select(&rows, &order)
        }
        Command::Limit(n) => {
            let keep: Vec<usize> = (0..rows.table.rows.len().min(*n)).collect();
            select(&rows, &keep)
        }
    }
}

/// Run the whole pipeline.
pub fn run(cmds: &[Cmd], events: &[Json]) -> Outcome {
    let mut rows = Rows::default();
    let mut alive = vec![false; events.len()];
    let mut out = Outcome {
        dropped_at: vec![None; events.len()],
        ..Outcome::default()
    };
    for (s, cmd) in cmds.iter().enumerate() {
        rows = step(cmd, rows, events);
        let mut now = vec![false; events.len()];
        for &i in rows.sources.iter().flatten() {
            now[i] = true;
        }
        for i in 0..events.len() {
            if s > 0 && alive[i] && !now[i] {
                out.dropped_at[i] = Some(s);
            }
        }
        alive = now;
        out.stages.push(Stage {
            command: cmd.name.clone(),
            span: cmd.span,
            rows_after: rows.table.rows.len(),
        });
    }
    out.table = rows.table;
    out.sources = rows.sources;
    out
}

/// The clause tree of the `WHERE` at `stage` for the row that carried `event` into it.
pub fn trace(cmds: &[Cmd], events: &[Json], stage: usize, event: usize) -> Option<Clause> {
    let Command::Where(e) = &cmds.get(stage)?.command else {
        return None;
    };
    let mut rows = Rows::default();
    for cmd in &cmds[..stage] {
        rows = step(cmd, rows, events);
    }
    let row = rows.sources.iter().position(|s| s.contains(&event))?;
    test(e, &rows, row, true).1
}
