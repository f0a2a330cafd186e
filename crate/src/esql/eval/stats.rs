//! `STATS … BY` and `INLINE STATS … BY`: rows grouped by their keys (a multi-valued key puts
//! a row in the group of each of its values), aggregates with their `WHERE` filters, and outer
//! expressions over aggregates (`max(a) + 1`).

use super::compile::{any_node, AggCall, CExpr, Node, Scope};
use super::{Frame, Row, Run};
use crate::diagnostic::{Diagnostic, EsqlErrorKind};
use crate::esql::ast::{AggField, Field};
use crate::esql::functions::Accumulator;
use crate::esql::outcome::Column;
use crate::esql::value::{Scalar, Value};
use std::collections::HashMap;

/// A group: its key values and the input rows in it.
struct Group {
    key: Vec<Value>,
    rows: Vec<usize>,
}

enum Acc {
    CountRows(i64),
    F(Box<dyn Accumulator>),
}

impl Run<'_> {
    pub(super) fn stats(
        &mut self,
        frame: Frame,
        aggs: &[AggField],
        by: &[Field],
        inline: bool,
    ) -> Result<Frame, Diagnostic> {
        let mut groups_c = Vec::new();
        for f in by {
            let c = self.scope(&frame.columns).compile(&f.expr)?;
            groups_c.push((self.field_name(f), c));
        }
        let mut calls: Vec<AggCall> = Vec::new();
        let mut outer = Vec::new();
        // Expressions may read the groups (`STATS y + 1 BY y`): they see the input columns,
        // then the groups' under their names.
        let n_in = frame.columns.len();
        let mut visible = frame.columns.clone();
        visible.extend(groups_c.iter().map(|(n, c)| Column {
            name: n.clone(),
            ty: c.ty,
        }));
        // Aggregates read a group by its alias (`max(l) BY l = languages`), but a group that
        // is a plain column leaves them the column's values (`SUM(a) BY a` sums all of a's).
        let mut agg_visible = visible.clone();
        for (f, col) in by.iter().zip(agg_visible[n_in..].iter_mut()) {
            if f.name.is_none() && matches!(f.expr.kind, crate::esql::ast::ExprKind::Column(_)) {
                col.name.clear();
            }
        }
        for a in aggs {
            let mut scope = Scope {
                src: self.src,
                columns: &visible,
                params: &self.opts.params,
                fctx: &self.fctx,
                aggs: Some(&mut calls),
                agg_filter: a.filter.as_ref(),
                agg_columns: &agg_visible,
                fold: Some(super::fold),
            };
            let c = scope.compile(&a.field.expr)?;
            let reads_input = any_node(&c, &|n| {
                matches!(n, Node::Col(i) if *i < n_in) || matches!(n, Node::Kql(_))
            });
            if reads_input
                || !any_node(&c, &|n| matches!(n, Node::Agg(_) | Node::Col(_)))
                    && !matches!(c.node, Node::Const(_))
            {
                return Err(Diagnostic::new(
                    EsqlErrorKind::MisplacedAggregate,
                    format!("expected an aggregate function but found [{}]", c.text),
                    c.span,
                ));
            }
            outer.push((self.field_name(&a.field), c));
        }
        let groups = self.group(&frame, &groups_c);
        let mut results: Vec<Vec<Value>> = Vec::new();
        for g in &groups {
            let mut accs: Vec<Acc> = calls
                .iter()
                .map(|c| match &c.f {
                    Some(f) => Acc::F(f.accumulator()),
                    None => Acc::CountRows(0),
                })
                .collect();
            for &ri in &g.rows {
                // Aggregates and their filters see the row and its group's keys, which shadow
                // input columns of the same names (`max(x) WHERE salary > 1 BY salary = 2`).
                let mut cells = frame.rows[ri].cells.clone();
                cells.extend(g.key.iter().cloned());
                let row = &Row {
                    cells,
                    sources: frame.rows[ri].sources.clone(),
                };
                for (call, acc) in calls.iter().zip(accs.iter_mut()) {
                    if let Some(filter) = &call.filter {
                        if self.eval_row(filter, row, &[]) != Value::One(Scalar::Bool(true)) {
                            continue;
                        }
                    }
                    match acc {
                        Acc::CountRows(n) => *n += 1,
                        Acc::F(a) => {
                            let args: Vec<Value> = call
                                .args
                                .iter()
                                .map(|c| self.eval_row(c, row, &[]))
                                .collect();
                            if let Err(f) = a.add(&args) {
                                self.warnings.fail_at(self.src, call.span, &call.text, &f);
                            }
                        }
                    }
                }
            }
            let agg_values: Vec<Value> = accs
                .iter()
                .map(|a| match a {
                    Acc::CountRows(n) => Value::One(Scalar::Long(*n)),
                    Acc::F(a) => a.finish(),
                })
                .collect();
            // Outer expressions read aggregates and groups only.
            let mut context = Row {
                cells: vec![Value::Null; n_in],
                sources: Vec::new(),
            };
            context.cells.extend(g.key.iter().cloned());
            let mut cells: Vec<Value> = outer
                .iter()
                .map(|(_, c)| self.eval_row(c, &context, &agg_values))
                .collect();
            cells.extend(g.key.iter().cloned());
            results.push(cells);
        }
        let mut columns: Vec<Column> = outer
            .iter()
            .map(|(n, c)| Column {
                name: n.clone(),
                ty: c.ty,
            })
            .collect();
        columns.extend(groups_c.iter().map(|(n, c)| Column {
            name: n.clone(),
            ty: c.ty,
        }));
        let defined: Vec<&Field> = aggs.iter().map(|a| &a.field).chain(by.iter()).collect();
        self.warn_shadowed(&defined);
        if inline {
            return Ok(inline_join(frame, columns, &groups, results));
        }
        let rows = groups
            .iter()
            .zip(results)
            .map(|(g, cells)| {
                let mut sources: Vec<usize> = g
                    .rows
                    .iter()
                    .flat_map(|&i| frame.rows[i].sources.iter().copied())
                    .collect();
                sources.sort_unstable();
                sources.dedup();
                Row { cells, sources }
            })
            .collect();
        Ok(Frame { columns, rows })
    }

    /// Elasticsearch's "Field 'x' shadowed by field at line L:C" for each output name defined
    /// again later in the same command (the last definition wins).
    fn warn_shadowed(&mut self, fields: &[&Field]) {
        for (i, f) in fields.iter().enumerate() {
            let name = self.field_name(f);
            let Some(last) = fields[i + 1..]
                .iter()
                .rev()
                .find(|g| self.field_name(g) == name)
            else {
                continue;
            };
            let (l1, c1) = crate::esql::parser::line_col(self.src, f.span.start);
            let (l2, c2) = crate::esql::parser::line_col(self.src, last.span.start);
            self.warnings.push(format!(
                "Line {l1}:{c1}: Field '{name}' shadowed by field at line {l2}:{c2}"
            ));
        }
    }

    fn group(&mut self, frame: &Frame, keys: &[(String, CExpr)]) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        if keys.is_empty() {
            return vec![Group {
                key: Vec::new(),
                rows: (0..frame.rows.len()).collect(),
            }];
        }
        let mut index: HashMap<String, usize> = HashMap::new();
        for (ri, row) in frame.rows.iter().enumerate() {
            let values: Vec<Vec<Value>> = keys
                .iter()
                .map(|(_, c)| {
                    let v = self.eval_row(c, row, &[]);
                    match v {
                        Value::Many(vs) => {
                            let mut out: Vec<Value> = Vec::new();
                            for s in vs {
                                let one = Value::One(s);
                                if !out.contains(&one) {
                                    out.push(one);
                                }
                            }
                            out
                        }
                        other => vec![other],
                    }
                })
                .collect();
            for combo in cartesian(&values) {
                let k = format!("{combo:?}");
                let gi = *index.entry(k).or_insert_with(|| {
                    groups.push(Group {
                        key: combo.clone(),
                        rows: Vec::new(),
                    });
                    groups.len() - 1
                });
                if groups[gi].rows.last() != Some(&ri) {
                    groups[gi].rows.push(ri);
                }
            }
        }
        groups
    }
}

fn cartesian(lists: &[Vec<Value>]) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for list in lists {
        let mut next = Vec::new();
        for prefix in &out {
            for v in list {
                let mut p = prefix.clone();
                p.push(v.clone());
                next.push(p);
            }
        }
        out = next;
    }
    out
}

/// INLINE STATS: every input row kept, with its group's aggregates (and keys) appended; input
/// columns of the same names give way.
fn inline_join(
    frame: Frame,
    new_cols: Vec<Column>,
    groups: &[Group],
    results: Vec<Vec<Value>>,
) -> Frame {
    let mut of_row: Vec<Option<usize>> = vec![None; frame.rows.len()];
    for (gi, g) in groups.iter().enumerate() {
        for &r in &g.rows {
            of_row[r].get_or_insert(gi);
        }
    }
    let keep: Vec<usize> = (0..frame.columns.len())
        .filter(|&i| !new_cols.iter().any(|c| c.name == frame.columns[i].name))
        .collect();
    let mut columns: Vec<Column> = keep.iter().map(|&i| frame.columns[i].clone()).collect();
    let width = new_cols.len();
    columns.extend(new_cols);
    let rows = frame
        .rows
        .into_iter()
        .enumerate()
        .map(|(ri, r)| {
            let mut cells: Vec<Value> = keep.iter().map(|&i| r.cells[i].clone()).collect();
            match of_row[ri].and_then(|g| results.get(g)) {
                Some(vals) => cells.extend(vals.iter().cloned()),
                None => cells.extend(std::iter::repeat_n(Value::Null, width)),
            }
            Row {
                cells,
                sources: r.sources,
            }
        })
        .collect();
    Frame { columns, rows }
}
