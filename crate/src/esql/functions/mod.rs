//! ES|QL functions: scalar functions, aggregate functions, and the GROK/DISSECT pattern engines.
//!
//! The evaluator resolves a call once at verify time ([`resolve_scalar`], [`resolve_aggregate`])
//! from its argument types (and constant arguments, which some functions need: `DATE_TRUNC`'s
//! interval, `SPLIT`'s delimiter), then calls the resolved function per row. A function that
//! fails on a row returns a [`Failure`]; the evaluator turns it into null plus Elasticsearch's
//! warning pair ("Line 1:10: evaluation of [f(x)] failed, treating result as null. Only first
//! 20 failures recorded." and "Line 1:10: java.lang.IllegalArgumentException: single-value
//! function encountered multi-value"), since it knows the call's source text and position.

mod agg;
mod bucket;
mod conditional;
mod convert;
mod date;
mod date_pattern;
mod display;
pub mod dissect;
pub mod grok;
mod ip;
mod json;
mod math;
mod mv;
#[cfg(test)]
mod no_panic_tests;
mod order;
mod regex;
mod sig;
mod string;
#[cfg(test)]
mod test_support;

pub use conditional::{case_branch, CaseChoice};
pub use convert::{can_convert, cast, cast_target, convert, convert_scalar};
pub use display::{display, display_value, java_double, json as scalar_json};
pub use dissect::Dissect;
pub use grok::Grok;
pub use ip::in_block;
pub use order::{compare, sort_order};

use super::value::{DataType, Value};

/// What the verifier knows about one argument of a call.
pub struct ArgInfo<'a> {
    pub ty: DataType,
    /// The argument's value when it is a constant (literal or foldable expression).
    pub constant: Option<&'a Value>,
    /// The argument's source text, for Elasticsearch's messages (`... found value [x] type [integer]`).
    pub text: &'a str,
}

/// A call the verifier refuses, in Elasticsearch's wording (the caller adds "Line L:C: ").
#[derive(Clone, Debug, PartialEq)]
pub struct TypeError {
    pub message: String,
    /// Which argument is wrong, when one is (its span is the error's position).
    pub arg: Option<usize>,
}

/// A per-row failure: the Java exception class Elasticsearch names in the warning, and its message.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub exception: &'static str,
    pub message: String,
}

/// Per-query context a few functions read (`NOW()`).
#[derive(Clone, Debug, Default)]
pub struct EvalCtx {
    /// Milliseconds since the epoch, fixed for the whole query as Elasticsearch fixes it.
    pub now_millis: i64,
}

pub trait ScalarFunction {
    fn data_type(&self) -> DataType;
    fn eval(&self, args: &[Value], ctx: &EvalCtx) -> Result<Value, Failure>;
}

pub trait AggregateFunction {
    fn data_type(&self) -> DataType;
    fn accumulator(&self) -> Box<dyn Accumulator>;
}

pub trait Accumulator {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure>;
    fn finish(&self) -> Value;
}

/// `None` when no scalar function has this (case-insensitive) name.
pub fn resolve_scalar(
    name: &str,
    args: &[ArgInfo<'_>],
) -> Option<Result<Box<dyn ScalarFunction>, TypeError>> {
    let lower = name.to_ascii_lowercase();
    let mut call = sig::Call::new(name, args);
    let families: [fn(&str, &mut sig::Call<'_, '_>) -> Option<sig::Resolved>; 9] = [
        string::resolve,
        conditional::resolve,
        mv::resolve,
        convert::resolve,
        date::resolve,
        math::resolve,
        ip::resolve,
        json::resolve,
        bucket::resolve,
    ];
    families
        .iter()
        .find_map(|resolve| resolve(&lower, &mut call))
}

/// `None` when no aggregate function has this (case-insensitive) name.
pub fn resolve_aggregate(
    name: &str,
    args: &[ArgInfo<'_>],
) -> Option<Result<Box<dyn AggregateFunction>, TypeError>> {
    agg::resolve(name, args)
}
