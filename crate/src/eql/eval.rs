//! Evaluation of EQL conditions with Elasticsearch semantics (filled in by eql-core).

use super::ast::{EventQuery, Expr};
use crate::explain::{Clause, Verdict};
use serde_json::Value;

/// A value during evaluation; `Null` is EQL's null (a missing field, or an undefined result).
#[derive(Clone, Debug, PartialEq)]
pub enum EqlValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Every value of a multi-valued field.
    Many(Vec<EqlValue>),
}

pub fn eval(_expr: &Expr, _event: &Value) -> EqlValue {
    EqlValue::Null
}

pub fn matches_event(_q: &EventQuery, _event: &Value) -> bool {
    false
}

pub fn key_value(_expr: &Expr, _event: &Value) -> Option<Value> {
    None
}

pub fn explain_event(q: &EventQuery, _event: &Value) -> Clause {
    Clause::new("and", q.span, Verdict::False)
}
