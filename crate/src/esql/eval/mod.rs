//! Evaluator placeholder.
use super::ast::Query;
use super::outcome::{Outcome, WhereTrace};
use crate::diagnostic::{Diagnostic, EsqlErrorKind, Span};

#[derive(Clone, Debug, Default)]
pub struct Options {}

pub fn evaluate(
    _q: &Query,
    _events: &[serde_json::Value],
    _o: &Options,
) -> Result<Outcome, Diagnostic> {
    Err(Diagnostic::new(
        EsqlErrorKind::NotEvaluableOffline,
        "not yet",
        Span::new(0, 0),
    ))
}

pub fn explain_where(_q: &Query, _stage: usize, _event: &serde_json::Value) -> Option<WhereTrace> {
    None
}
