//! The one seam between ES|QL the language and ES|QL the rule type: compile a query once, run it
//! over events, explain one event's `WHERE`. The engine, the exclusion chips and the wasm call
//! only this module, so the evaluator behind it can change without touching them.

use super::outcome::{Outcome, WhereTrace};
use super::standin::{self, Cmd, Command};
use super::value::Value;
use crate::diagnostic::Diagnostic;
use serde_json::Value as Json;

/// The tokens of a query (comments skipped), for the exclusion chips.
pub use super::standin::syntax::{lex as tokens, Tok, Token};

/// A compiled ES|QL query.
#[derive(Clone, Debug)]
pub struct RuleQuery {
    cmds: Vec<Cmd>,
}

/// Parse and check `src`.
pub fn compile(src: &str) -> Result<RuleQuery, Diagnostic> {
    Ok(RuleQuery {
        cmds: standin::parse(src)?,
    })
}

impl RuleQuery {
    /// Whether a `STATS` aggregates the rows: such a rule alerts once per output row, not per event.
    pub fn aggregates(&self) -> bool {
        self.cmds
            .iter()
            .any(|c| matches!(c.command, Command::Stats { .. }))
    }

    /// Whether `FROM … METADATA _id` asks for the documents' ids (alerts are then deduplicated by it).
    pub fn has_metadata_id(&self) -> bool {
        self.cmds.iter().any(
            |c| matches!(&c.command, Command::From { metadata } if metadata.iter().any(|m| m == "_id")),
        )
    }

    /// The index of the first `STATS` command, if any.
    pub fn first_stats(&self) -> Option<usize> {
        self.cmds
            .iter()
            .position(|c| matches!(c.command, Command::Stats { .. }))
    }

    /// Run the pipeline over `events` (the documents `FROM` reads, in order).
    pub fn evaluate(&self, events: &[Json], _now: i64) -> Result<Outcome, Diagnostic> {
        Ok(standin::run(&self.cmds, events))
    }

    /// Why event `event` dropped out at the `WHERE` of `outcome.dropped_at[event]`: the clause
    /// tree of the row that carried it there. `None` when it did not drop at a `WHERE`.
    pub fn explain_where(
        &self,
        events: &[Json],
        outcome: &Outcome,
        event: usize,
    ) -> Option<WhereTrace> {
        let stage = (*outcome.dropped_at.get(event)?)?;
        let clause = standin::trace(&self.cmds, events, stage, event)?;
        Some(WhereTrace { stage, clause })
    }
}

/// A cell as JSON, for the CLI's and the page's table.
pub fn cell_json(v: &Value) -> Json {
    standin::cell_json(v)
}
