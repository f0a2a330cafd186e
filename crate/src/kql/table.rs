//! KQL over the event view (`crate::event::table`): a compiled query bound once to a table reads
//! each concrete field's values by column and row, and runs the same leaf test as the JSON path
//! (`eval::test`) once per distinct string (verdicts cached per dictionary id), so the two paths
//! cannot disagree. Leaves the table cannot serve — field-name patterns, free text, `nested`
//! queries, and values that are objects (`exists` needs their content, a `flattened` field's own
//! name their leaves) — read the JSON event.

use super::compile::{CNode, FieldSel, Leaf};
use super::eval::{eval, leaf_matches, test, Outcome};
use crate::event::table::{cached, new_memo, Cell as TCell, ColumnView, EventTable};
use serde_json::Value;
use std::cell::Cell;

/// A [`KqlQuery`](super::KqlQuery) bound to one [`EventTable`] (see
/// [`KqlQuery::bind`](super::KqlQuery::bind)); use only with the query that built it. The
/// memos hold verdicts for one `now`: bind again for another.
pub struct KqlBound<'t> {
    table: &'t EventTable,
    leaves: Vec<BoundLeaf<'t>>,
}

struct BoundLeaf<'t> {
    column: ColumnView<'t>,
    /// The leaf's verdict per dictionary string (empty when no event has the column).
    memo: Vec<Cell<u8>>,
}

pub(crate) fn bind<'t>(root: &CNode, slots: usize, table: &'t EventTable) -> KqlBound<'t> {
    let mut leaves: Vec<BoundLeaf> = (0..slots)
        .map(|_| BoundLeaf {
            column: ColumnView::default(),
            memo: Vec::new(),
        })
        .collect();
    place(root, table, &mut leaves);
    KqlBound { table, leaves }
}

fn place<'t>(n: &CNode, table: &'t EventTable, leaves: &mut [BoundLeaf<'t>]) {
    match n {
        CNode::Or(items, _) | CNode::And(items, _) => {
            items.iter().for_each(|i| place(i, table, leaves))
        }
        CNode::Not(inner, _) => place(inner, table, leaves),
        CNode::Leaf(leaf) => {
            if let (FieldSel::One { path, .. }, Some(slot)) =
                (&leaf.field, leaves.get_mut(leaf.slot))
            {
                let col = table.column(path.name());
                slot.column = table.view(col);
                if col.is_some() {
                    slot.memo = new_memo(table.string_count());
                }
            }
        }
        CNode::All(_) | CNode::Nested(_) => {}
    }
}

/// See [`KqlQuery::reads_event`](super::KqlQuery::reads_event).
pub(crate) fn reads_event(n: &CNode, b: &KqlBound) -> bool {
    match n {
        CNode::All(_) => false,
        CNode::Or(items, _) | CNode::And(items, _) => items.iter().any(|i| reads_event(i, b)),
        CNode::Not(inner, _) => reads_event(inner, b),
        CNode::Leaf(leaf) => match (&leaf.field, b.leaves.get(leaf.slot)) {
            (FieldSel::One { .. }, Some(bound)) => bound.column.has_objects(),
            _ => true,
        },
        CNode::Nested(_) => true,
    }
}

/// [`eval`] for row `row` of the bound table; `ev` is that row's JSON event, read by the leaves
/// the table cannot serve.
pub(crate) fn eval_row(n: &CNode, b: &KqlBound, row: usize, ev: &Value, now: i64) -> bool {
    match n {
        CNode::All(_) => true,
        CNode::Or(items, _) => items.iter().any(|i| eval_row(i, b, row, ev, now)),
        CNode::And(items, _) => items.iter().all(|i| eval_row(i, b, row, ev, now)),
        CNode::Not(inner, _) => !eval_row(inner, b, row, ev, now),
        CNode::Leaf(leaf) => match b.leaves.get(leaf.slot) {
            Some(bound) => leaf_row(leaf, bound, b.table, row, ev, now),
            None => leaf_matches(leaf, ev, now),
        },
        CNode::Nested(_) => eval(n, ev, now),
    }
}

fn leaf_row(
    leaf: &Leaf,
    bound: &BoundLeaf,
    table: &EventTable,
    row: usize,
    ev: &Value,
    now: i64,
) -> bool {
    let FieldSel::One {
        ty, ignore_above, ..
    } = &leaf.field
    else {
        return leaf_matches(leaf, ev, now);
    };
    let run = |v: &Value| test(&leaf.test, *ty, *ignore_above, v, now) == Outcome::Yes;
    for cell in bound.column.row(row) {
        let hit = match cell.get() {
            TCell::Str(id) => {
                cached(&bound.memo, id, || {
                    Some(run(&Value::String(table.str(id).to_owned())))
                }) == Some(true)
            }
            TCell::Other(id) => run(table.other(id)),
            // `exists` on an object depends on what is under it, which the column does not
            // hold: the JSON path decides the whole leaf.
            TCell::Object => return leaf_matches(leaf, ev, now),
        };
        if hit {
            return true;
        }
    }
    false
}
