//! STAND-IN, replaced at integration by the language half of issue 16 (`esql::parse`,
//! `esql::evaluate`, `esql::explain_where`): a small evaluator of the subset of ES|QL the rule
//! examples use, so that the rule type, its explanations, the chips and the page could be built
//! and tested before the real evaluator landed. Only [`super::rule`] calls it.

mod eval;
pub mod syntax;

pub use eval::{cell_json, run, trace};
pub use syntax::{parse, Cmd, Command};
