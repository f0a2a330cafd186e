//! The column-shaping commands (`KEEP`, `DROP`, `RENAME`, `MV_EXPAND`), `SORT`, and the
//! extracting ones (`DISSECT`, `GROK`).

use super::compare::total_order;
use super::{Frame, Row, Run};
use crate::diagnostic::{Diagnostic, EsqlErrorKind, Span};
use crate::esql::ast::{Expr, Name, SortKey};
use crate::esql::value::{DataType, Scalar, Value};
use std::cmp::Ordering;

fn unknown(name: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        EsqlErrorKind::UnknownColumn,
        format!("Unknown column [{name}]"),
        span,
    )
}

/// `*` in a name pattern matches any run of characters.
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// KEEP's precedence of a pattern: exact names over partial wildcards over a lone `*`.
fn precedence(pattern: &str) -> u8 {
    if !pattern.contains('*') {
        2
    } else if pattern == "*" {
        0
    } else {
        1
    }
}

/// The columns at `keep`, in that order.
pub(super) fn select(frame: Frame, keep: Vec<usize>) -> Frame {
    let columns = keep.iter().map(|&i| frame.columns[i].clone()).collect();
    let rows = frame
        .rows
        .into_iter()
        .map(|r| Row {
            cells: keep.iter().map(|&i| r.cells[i].clone()).collect(),
            sources: r.sources,
        })
        .collect();
    Frame { columns, rows }
}

/// Every name must name a column, every pattern match one; `lenient` lets patterns match none
/// (over pasted events an index's other fields are absent).
fn check_patterns(frame: &Frame, names: &[Name], lenient: bool) -> Result<(), Diagnostic> {
    for n in names {
        if frame.columns.iter().any(|c| name_matches(&n.name, &c.name)) {
            continue;
        }
        if n.name.contains('*') {
            if lenient {
                continue;
            }
            return Err(Diagnostic::new(
                EsqlErrorKind::UnknownColumn,
                format!("No matches found for pattern [{}]", n.name),
                n.span,
            ));
        }
        return Err(unknown(&n.name, n.span));
    }
    Ok(())
}

pub(super) fn keep(frame: Frame, names: &[Name], lenient: bool) -> Result<Frame, Diagnostic> {
    check_patterns(&frame, names, lenient)?;
    // Each column goes to the pattern with the highest precedence, the right-most on a tie.
    let mut placed: Vec<(usize, usize)> = Vec::new();
    for (ci, c) in frame.columns.iter().enumerate() {
        let mut best: Option<(u8, usize)> = None;
        for (pi, n) in names.iter().enumerate() {
            if name_matches(&n.name, &c.name) {
                let p = precedence(&n.name);
                if best.is_none_or(|(bp, _)| p >= bp) {
                    best = Some((p, pi));
                }
            }
        }
        if let Some((_, pi)) = best {
            placed.push((pi, ci));
        }
    }
    placed.sort();
    Ok(select(
        frame,
        placed.into_iter().map(|(_, ci)| ci).collect(),
    ))
}

pub(super) fn drop(frame: Frame, names: &[Name], lenient: bool) -> Result<Frame, Diagnostic> {
    check_patterns(&frame, names, lenient)?;
    let keep = (0..frame.columns.len())
        .filter(|&i| {
            !names
                .iter()
                .any(|n| name_matches(&n.name, &frame.columns[i].name))
        })
        .collect();
    Ok(select(frame, keep))
}

pub(super) fn rename(mut frame: Frame, pairs: &[(Name, Name)]) -> Result<Frame, Diagnostic> {
    for (old, new) in pairs {
        let Some(i) = frame.columns.iter().position(|c| c.name == old.name) else {
            return Err(unknown(&old.name, old.span));
        };
        frame.columns[i].name = new.name.clone();
        let clash: Vec<usize> = (0..frame.columns.len())
            .filter(|&j| j != i && frame.columns[j].name == new.name)
            .collect();
        if !clash.is_empty() {
            let keep = (0..frame.columns.len())
                .filter(|j| !clash.contains(j))
                .collect();
            frame = select(frame, keep);
        }
    }
    Ok(frame)
}

/// Rows one command may produce: more is refused rather than exhausting memory.
pub const MAX_ROWS: usize = 100_000;

pub(super) fn mv_expand(frame: Frame, name: &Name) -> Result<Frame, Diagnostic> {
    let Some(i) = frame.columns.iter().position(|c| c.name == name.name) else {
        return Err(unknown(&name.name, name.span));
    };
    let mut rows = Vec::new();
    for r in frame.rows {
        match &r.cells[i] {
            Value::Many(values) => {
                if rows.len() + values.len() > MAX_ROWS {
                    return Err(Diagnostic::new(
                        EsqlErrorKind::TooManyRows,
                        format!("MV_EXPAND would produce more than {MAX_ROWS} rows"),
                        name.span,
                    ));
                }
                for v in values {
                    let mut cells = r.cells.clone();
                    cells[i] = Value::One(v.clone());
                    rows.push(Row {
                        cells,
                        sources: r.sources.clone(),
                    });
                }
            }
            _ => rows.push(r),
        }
    }
    Ok(Frame {
        columns: frame.columns,
        rows,
    })
}

/// A DISSECT or GROK pattern compiled: the columns it adds and its values for one input.
pub(crate) trait Extractor {
    fn fields(&self) -> Vec<(String, DataType)>;
    fn apply(&self, input: &str) -> Option<Vec<Value>>;
}

// GROK and DISSECT run on the functions half's pattern engines (`functions::grok`,
// `functions::dissect`).
impl Extractor for crate::esql::functions::Grok {
    fn fields(&self) -> Vec<(String, DataType)> {
        crate::esql::functions::Grok::fields(self)
    }
    fn apply(&self, input: &str) -> Option<Vec<Value>> {
        crate::esql::functions::Grok::apply(self, input)
    }
}

impl Extractor for crate::esql::functions::Dissect {
    fn fields(&self) -> Vec<(String, DataType)> {
        crate::esql::functions::Dissect::fields(self)
    }
    fn apply(&self, input: &str) -> Option<Vec<Value>> {
        crate::esql::functions::Dissect::apply(self, input)
    }
}

/// Errors: `InvalidArgument` for a pattern the engine refuses.
pub(crate) fn grok_engine(pattern: &str) -> Result<Box<dyn Extractor>, (EsqlErrorKind, String)> {
    let g = crate::esql::functions::Grok::compile(pattern)
        .map_err(|m| (EsqlErrorKind::InvalidArgument, m))?;
    Ok(Box::new(g))
}

pub(crate) fn dissect_engine(
    pattern: &str,
    append_separator: Option<&str>,
) -> Result<Box<dyn Extractor>, (EsqlErrorKind, String)> {
    let d = crate::esql::functions::Dissect::compile(pattern, append_separator)
        .map_err(|m| (EsqlErrorKind::InvalidArgument, m))?;
    Ok(Box::new(d))
}

impl Run<'_> {
    pub(super) fn sort(&mut self, mut frame: Frame, keys: &[SortKey]) -> Result<Frame, Diagnostic> {
        let compiled = keys
            .iter()
            .map(|k| self.scope(&frame.columns).compile(&k.expr))
            .collect::<Result<Vec<_>, _>>()?;
        let rows = std::mem::take(&mut frame.rows);
        let mut keyed: Vec<(Vec<Option<Scalar>>, Row)> = rows
            .into_iter()
            .map(|r| {
                let ks = compiled
                    .iter()
                    .zip(keys)
                    .map(|(c, k)| {
                        let v = self.eval_row(c, &r, &[]);
                        // A multi-value sorts by its smallest value ascending, its largest descending.
                        let mut vs = v.values().to_vec();
                        vs.sort_by(total_order);
                        if k.descending {
                            vs.pop()
                        } else {
                            vs.into_iter().next()
                        }
                    })
                    .collect();
                (ks, r)
            })
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            for ((x, y), k) in a.iter().zip(b).zip(keys) {
                let nulls_first = k.nulls_first.unwrap_or(k.descending);
                let o = match (x, y) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => {
                        if nulls_first {
                            Ordering::Less
                        } else {
                            Ordering::Greater
                        }
                    }
                    (Some(_), None) => {
                        if nulls_first {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        }
                    }
                    (Some(x), Some(y)) => {
                        let o = total_order(x, y);
                        if k.descending {
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
        frame.rows = keyed.into_iter().map(|(_, r)| r).collect();
        Ok(frame)
    }

    pub(super) fn extract(
        &mut self,
        mut frame: Frame,
        input: &Expr,
        engines: Vec<Box<dyn Extractor>>,
    ) -> Result<Frame, Diagnostic> {
        let c = self.scope(&frame.columns).compile(input)?;
        if !c.ty.is_string() && c.ty != DataType::Null {
            return Err(Diagnostic::new(
                EsqlErrorKind::TypeMismatch,
                format!(
                    "{} only supports KEYWORD or TEXT values, found expression [{}] type [{}]",
                    "input",
                    c.text,
                    c.ty.name()
                ),
                input.span,
            ));
        }
        let mut fields: Vec<(String, DataType)> = Vec::new();
        for e in &engines {
            for f in e.fields() {
                if !fields.iter().any(|(n, _)| *n == f.0) {
                    fields.push(f);
                }
            }
        }
        let mut columns_values: Vec<Vec<Value>> = vec![Vec::new(); fields.len()];
        for r in &frame.rows {
            let v = self.eval_row(&c, r, &[]);
            let mut out = vec![Value::Null; fields.len()];
            if let Some(Scalar::Str(s)) = v.single() {
                for e in &engines {
                    if let Some(values) = e.apply(s) {
                        for ((name, _), value) in e.fields().iter().zip(values) {
                            if let Some(k) = fields.iter().position(|(n, _)| n == name) {
                                out[k] = value;
                            }
                        }
                        break;
                    }
                }
            }
            for (k, v) in out.into_iter().enumerate() {
                columns_values[k].push(v);
            }
        }
        for ((name, ty), values) in fields.into_iter().zip(columns_values) {
            frame.set_column(&name, ty, values);
        }
        Ok(frame)
    }
}
