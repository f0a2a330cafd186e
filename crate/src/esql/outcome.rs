//! What evaluating an ES|QL query over events gives the rest of ruleplay: the output table, the
//! source events behind each output row, and the pipeline's stages for the explanation.
//! The language half of issue 16 fills these; the rule type, the page and the CLI only read them.

use super::value::{DataType, Value};
use crate::diagnostic::Span;
use crate::explain::Clause;

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: DataType,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
}

/// One processing command of the pipeline, with the rows that left it.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// `FROM`, `WHERE`, `STATS`, … as written in upper case.
    pub command: String,
    pub span: Span,
    pub rows_after: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub table: Table,
    /// Per output row, the indices (into the events given) of the source events behind it: one
    /// for a row-level query, the group's events for an aggregated row (empty for `ROW`).
    pub sources: Vec<Vec<usize>>,
    pub stages: Vec<Stage>,
    /// Per source event, the index into `stages` of the command where it dropped out (`None`
    /// when it reached the output, or it was merged into an aggregated row).
    pub dropped_at: Vec<Option<usize>>,
    /// Elasticsearch's response warnings, in its wording ("Line 1:10: evaluation of …").
    pub warnings: Vec<String>,
}

/// Why one source event dropped out at a `WHERE`: the clause tree with per-clause verdicts,
/// spans and the values looked at, the same shape as KQL's and EQL's explanations.
#[derive(Clone, Debug, PartialEq)]
pub struct WhereTrace {
    pub stage: usize,
    pub clause: Clause,
}
