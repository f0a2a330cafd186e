//! Calling functions in tests: every argument a typed constant, as the verifier would see it.

use super::{resolve_aggregate, resolve_scalar, ArgInfo, EvalCtx, Failure, TypeError};
use crate::esql::value::{DataType, Scalar, Value};

pub(crate) fn s(text: &str) -> Value {
    Value::One(Scalar::Str(text.into()))
}
pub(crate) fn int(v: i32) -> Value {
    Value::One(Scalar::Int(v))
}
pub(crate) fn long(v: i64) -> Value {
    Value::One(Scalar::Long(v))
}
pub(crate) fn dbl(v: f64) -> Value {
    Value::One(Scalar::Double(v))
}
pub(crate) fn boolean(v: bool) -> Value {
    Value::One(Scalar::Bool(v))
}
pub(crate) fn many(values: &[Value]) -> Value {
    Value::from_vec(values.iter().flat_map(|v| v.values().to_vec()).collect())
}

/// The type a test value stands for (strings are keyword).
pub(crate) fn type_of(v: &Value) -> DataType {
    match v.values().first() {
        None => DataType::Null,
        Some(Scalar::Bool(_)) => DataType::Boolean,
        Some(Scalar::Int(_)) => DataType::Integer,
        Some(Scalar::Long(_)) => DataType::Long,
        Some(Scalar::ULong(_)) => DataType::UnsignedLong,
        Some(Scalar::Double(_)) => DataType::Double,
        Some(Scalar::Str(_)) => DataType::Keyword,
        Some(Scalar::Date(_)) => DataType::Date,
        Some(Scalar::DateNanos(_)) => DataType::DateNanos,
        Some(Scalar::Ip(_)) => DataType::Ip,
        Some(Scalar::Version(_)) => DataType::Version,
        Some(Scalar::DatePeriod { .. }) => DataType::DatePeriod,
        Some(Scalar::TimeDuration(_)) => DataType::TimeDuration,
    }
}

fn infos(args: &[Value]) -> Vec<ArgInfo<'_>> {
    args.iter()
        .map(|v| ArgInfo {
            ty: type_of(v),
            constant: Some(v),
            text: "x",
        })
        .collect()
}

/// Resolves `name` over the arguments (as constants) and evaluates it once.
pub(crate) fn call(name: &str, args: &[Value]) -> Result<Value, Failure> {
    let f = resolve(name, args).unwrap_or_else(|e| panic!("{name}: {}", e.message));
    f.eval(args, &EvalCtx { now_millis: 0 })
}

pub(crate) fn resolve(
    name: &str,
    args: &[Value],
) -> Result<Box<dyn super::ScalarFunction>, TypeError> {
    let infos = infos(args);
    resolve_scalar(name, &infos).unwrap_or_else(|| panic!("unknown function {name}"))
}

/// The call's value, which must not fail.
pub(crate) fn ok(name: &str, args: &[Value]) -> Value {
    call(name, args).unwrap_or_else(|e| panic!("{name}: {}", e.message))
}

/// Feeds each row to the aggregation and finishes it.
pub(crate) fn aggregate(name: &str, constants: &[Value], rows: &[Value]) -> Value {
    let mut args = vec![rows.first().cloned().unwrap_or_default()];
    args.extend(constants.iter().cloned());
    let infos = infos(&args);
    let f = resolve_aggregate(name, &infos)
        .unwrap_or_else(|| panic!("unknown aggregation {name}"))
        .unwrap_or_else(|e| panic!("{name}: {}", e.message));
    let mut acc = f.accumulator();
    for row in rows {
        let mut a = vec![row.clone()];
        a.extend(constants.iter().cloned());
        let _ = acc.add(&a);
    }
    acc.finish()
}
