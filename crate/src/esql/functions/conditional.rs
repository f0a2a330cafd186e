//! Conditional functions: CASE, COALESCE, GREATEST, LEAST. Their value arguments share one type
//! (keyword and text mix, giving keyword), which is the result's.
//!
//! CASE is lazy in Elasticsearch (a branch not taken is never evaluated, so it cannot warn);
//! here the caller evaluates the arguments, so a caller that wants that laziness evaluates the
//! conditions first and only the value [`case_branch`] picks. A multi-valued condition counts as
//! false with a warning ("evaluation of [CASE(…)] failed, treating result as false", then the
//! multi-value exception): the resolved function cannot warn and go on, so an evaluator that
//! wants the warning reads [`CaseChoice::multi_valued_condition`].

use super::order::sort_order;
use super::sig::{func, func_single, is_representable, one, Call, Resolved};
use crate::esql::value::{DataType, Scalar, Value};

pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    Some(match name {
        "case" => case(call),
        "coalesce" => coalesce(call),
        "greatest" | "least" => extreme(call, name == "greatest"),
        "clamp" | "clamp_min" | "clamp_max" => clamp(call, name),
        _ => return None,
    })
}

/// keyword and text mixed give keyword.
fn result_type(ty: DataType) -> DataType {
    super::sig::never_text(ty)
}

fn case(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, usize::MAX)?;
    let n = call.len();
    for i in (0..n - n % 2).step_by(2) {
        call.expect(i, |t| t == DataType::Boolean, "boolean")?;
    }
    let mut ty = DataType::Null;
    for i in (1..n).step_by(2).chain((n % 2 == 1).then_some(n - 1)) {
        let t = call.ty(i);
        if t == DataType::Null {
            continue;
        }
        if ty == DataType::Null {
            ty = t;
        } else if !(t == ty || t.is_string() && ty.is_string()) {
            return Err(call.type_error(i, ty.name()));
        }
    }
    let ty = result_type(ty);
    func(ty, |args, _| {
        let i = case_branch(args).value;
        Ok(i.and_then(|i| args.get(i)).cloned().unwrap_or(Value::Null))
    })
}

/// What CASE picks for one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseChoice {
    /// The argument CASE returns (`None`: no condition held and there is no `else`).
    pub value: Option<usize>,
    /// A condition looked at was multi-valued (counted as false; Elasticsearch warns).
    pub multi_valued_condition: bool,
}

/// Which argument CASE returns: the value after the first true condition, else the `else`
/// value. A null or multi-valued condition is not true. Only the conditions are read, so a
/// lazy evaluator may pass nulls for the values it has not computed.
pub fn case_branch(args: &[Value]) -> CaseChoice {
    let n = args.len();
    let mut multi_valued_condition = false;
    for i in (0..n - n % 2).step_by(2) {
        match args.get(i) {
            Some(Value::One(Scalar::Bool(true))) => {
                return CaseChoice {
                    value: Some(i + 1),
                    multi_valued_condition,
                }
            }
            Some(Value::Many(_)) => multi_valued_condition = true,
            _ => {}
        }
    }
    CaseChoice {
        value: (n % 2 == 1).then_some(n - 1),
        multi_valued_condition,
    }
}

fn coalesce(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(1, usize::MAX)?;
    call.expect(0, is_representable, "any type except counter types")?;
    let ty = call.same_types(0, 1)?;
    func(result_type(ty), |args, _| {
        Ok(args
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null))
    })
}

/// Arguments of one type that orders (GREATEST, LEAST, CLAMP): that type.
fn comparable_args(call: &Call<'_, '_>) -> Result<DataType, super::TypeError> {
    call.expect(
        0,
        |t| {
            !matches!(
                t,
                DataType::Unsupported | DataType::DatePeriod | DataType::TimeDuration
            )
        },
        "boolean or date or ip or string or version or numeric",
    )?;
    call.same_types(0, 1)
}

fn extreme(call: &mut Call<'_, '_>, greatest: bool) -> Resolved {
    call.arity(1, usize::MAX)?;
    let ty = comparable_args(call)?;
    func(result_type(ty), move |args, _| {
        // Every value of every argument counts; any null argument makes the result null.
        if args.iter().any(Value::is_null) {
            return Ok(Value::Null);
        }
        let all: Vec<Scalar> = args
            .iter()
            .flat_map(|v| v.values().iter().cloned())
            .collect();
        Ok(super::mv::extreme(&all, greatest).map_or(Value::Null, one))
    })
}

/// CLAMP(x, min, max), CLAMP_MIN(x, min), CLAMP_MAX(x, max): single values of one type.
fn clamp(call: &mut Call<'_, '_>, name: &str) -> Resolved {
    let n = if name == "clamp" { 3 } else { 2 };
    call.arity(n, n)?;
    let ty = comparable_args(call)?;
    let (lower, upper) = match name {
        "clamp" => (Some(1), Some(2)),
        "clamp_min" => (Some(1), None),
        _ => (None, Some(1)),
    };
    func_single(result_type(ty), move |v| {
        let mut x = v[0];
        if let Some(lo) = lower.and_then(|i| v.get(i)) {
            if sort_order(x, lo).is_lt() {
                x = lo;
            }
        }
        if let Some(hi) = upper.and_then(|i| v.get(i)) {
            if sort_order(x, hi).is_gt() {
                x = hi;
            }
        }
        Ok(one(x.clone()))
    })
}
