//! Multi-value functions (MV_*): they read every value of a cell, so a multi-value is their
//! input rather than a failure. Null in is null out unless a function says otherwise.

use super::math::{checked_sum, median_of, NumKind};
use super::order::sort_order;
use super::sig::{
    func, illegal, is_numeric, is_representable, is_string, is_whole, one, Call, Resolved,
};
use super::{Failure, TypeError};
use crate::esql::value::{DataType, Scalar, Value};

pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    Some(match name {
        "mv_count" => cell(call, any, DataType::Integer, |v| {
            one(Scalar::Int(i32::try_from(v.len()).unwrap_or(i32::MAX)))
        }),
        "mv_first" => keep_type(call, any, |v| v.first().cloned().map_or(Value::Null, one)),
        "mv_last" => keep_type(call, any, |v| v.last().cloned().map_or(Value::Null, one)),
        "mv_min" | "mv_max" => {
            let max = name == "mv_max";
            keep_type(call, any, move |v| extreme(v, max).map_or(Value::Null, one))
        }
        "mv_dedupe" => keep_type(call, any, |v| Value::from_vec(dedupe(v))),
        "mv_sum" => mv_sum(call),
        "mv_avg" => numeric_to(call, DataType::Double, |v, _| {
            let sum: f64 = kahan(v.iter().filter_map(Scalar::as_f64));
            Ok(one(Scalar::Double(sum / v.len() as f64)))
        }),
        "mv_median" => {
            let ty = call.ty(0);
            numeric_to(call, ty, move |v, _| {
                Ok(median_of(v, NumKind::of(ty)).map_or(Value::Null, one))
            })
        }
        "mv_sort" => mv_sort(call),
        "mv_slice" => mv_slice(call),
        "mv_append" => mv_append(call),
        "mv_concat" => mv_concat(call),
        "mv_zip" => mv_zip(call),
        "mv_contains" => mv_contains(call),
        "mv_like" | "mv_rlike" => mv_like(call, name == "mv_rlike"),
        _ => return None,
    })
}

fn any(t: DataType) -> bool {
    is_representable(t)
}

const ANY: &str = "any type except counter types, dense_vector, aggregate_metric_double, tdigest, histogram, exponential_histogram or date_range";

/// A function of one cell's values (never called for null).
fn cell<F>(call: &mut Call<'_, '_>, ok: fn(DataType) -> bool, ty: DataType, f: F) -> Resolved
where
    F: Fn(&[Scalar]) -> Value + 'static,
{
    call.arity(1, 1)?;
    call.expect(0, ok, ANY)?;
    func(ty, move |args, _| {
        Ok(match args.first() {
            None | Some(Value::Null) => Value::Null,
            Some(v) => f(v.values()),
        })
    })
}

fn keep_type<F>(call: &mut Call<'_, '_>, ok: fn(DataType) -> bool, f: F) -> Resolved
where
    F: Fn(&[Scalar]) -> Value + 'static,
{
    let ty = call.ty(0);
    cell(call, ok, ty, f)
}

fn numeric_to<F>(call: &mut Call<'_, '_>, ty: DataType, f: F) -> Resolved
where
    F: Fn(&[Scalar], DataType) -> Result<Value, Failure> + 'static,
{
    call.arity(1, 1)?;
    call.expect(0, is_numeric, "numeric")?;
    let input = call.ty(0);
    func(ty, move |args, _| match args.first() {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(v) => f(v.values(), input),
    })
}

pub(crate) fn extreme(values: &[Scalar], max: bool) -> Option<Scalar> {
    let it = values.iter();
    let found = if max {
        it.max_by(|a, b| sort_order(a, b))
    } else {
        it.min_by(|a, b| sort_order(a, b))
    };
    found.cloned()
}

/// First occurrences, in order.
pub(crate) fn dedupe(values: &[Scalar]) -> Vec<Scalar> {
    let mut out: Vec<Scalar> = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// Kahan-compensated sum, as Elasticsearch's `CompensatedSum`.
pub(crate) fn kahan(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for v in values {
        if !v.is_finite() {
            sum += v;
            continue;
        }
        let y = v - c;
        let t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    sum
}

fn mv_sum(call: &mut Call<'_, '_>) -> Resolved {
    let ty = call.ty(0);
    numeric_to(call, ty, move |v, _| {
        checked_sum(v, NumKind::of(ty)).map(one)
    })
}

fn mv_sort(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(1, 2)?;
    call.expect(0, |t| any(t) && t != DataType::Null, ANY)?;
    call.expect(1, is_string, "string")?;
    let text = call.text();
    let order = match call.constant(1) {
        None if call.len() < 2 => Some(false),
        None => None,
        Some(v) => Some(order_desc(v, &text).map_err(|message| TypeError {
            message,
            arg: Some(1),
        })?),
    };
    func(call.ty(0), move |args, _| {
        let Some(v) = args.first().filter(|v| !v.is_null()) else {
            return Ok(Value::Null);
        };
        let desc = match order {
            Some(d) => d,
            None => order_desc(args.get(1).unwrap_or(&Value::Null), &text).map_err(illegal)?,
        };
        let mut values = v.values().to_vec();
        values.sort_by(sort_order);
        if desc {
            values.reverse();
        }
        Ok(Value::from_vec(values))
    })
}

fn order_desc(v: &Value, call_text: &str) -> Result<bool, String> {
    let text = v.single().and_then(Scalar::as_str).unwrap_or_default();
    match text.to_ascii_uppercase().as_str() {
        "ASC" => Ok(false),
        "DESC" => Ok(true),
        _ => Err(format!(
            "Invalid order value in [{call_text}], expected one of [ASC, DESC] but got [{text}]"
        )),
    }
}

fn mv_slice(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 3)?;
    call.expect(0, any, ANY)?;
    call.expect(1, is_whole, "integer")?;
    call.expect(2, is_whole, "integer")?;
    func(call.ty(0), |args, _| {
        let Some(field) = args.first().filter(|v| !v.is_null()) else {
            return Ok(Value::Null);
        };
        let index = |i: usize| -> Result<Option<i64>, Failure> {
            match args.get(i) {
                None => Ok(None),
                Some(v) => Ok(super::sig::single(v)?.and_then(Scalar::as_i64)),
            }
        };
        let Some(start) = index(1)? else {
            return Ok(Value::Null);
        };
        let end = match args.get(2) {
            None => start,
            Some(_) => match index(2)? {
                Some(e) => e,
                None => return Ok(Value::Null),
            },
        };
        let invalid = |m: &str| Failure {
            exception: "org.elasticsearch.xpack.esql.core.InvalidArgumentException",
            message: m.to_string(),
        };
        if start >= 0 && end < 0 || start < 0 && end >= 0 {
            return Err(invalid("Start and end offset have different signs"));
        }
        if start > end {
            return Err(invalid("Start offset is greater than end offset"));
        }
        let values = field.values();
        let count = values.len() as i64;
        let adjust = |o: i64| if o < 0 { o + count } else { o };
        let from = adjust(start).max(0);
        let to = adjust(end).min(count - 1);
        if from >= count || to < 0 || from > to {
            return Ok(Value::Null);
        }
        Ok(Value::from_vec(
            values[from as usize..=to as usize].to_vec(),
        ))
    })
}

fn mv_append(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 2)?;
    call.expect(0, any, ANY)?;
    let ty = call.same_types(0, 1)?;
    func(ty, |args, _| {
        let values: Vec<Scalar> = args
            .iter()
            .flat_map(|v| v.values().iter().cloned())
            .collect();
        Ok(Value::from_vec(values))
    })
}

fn mv_concat(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 2)?;
    call.expect(0, is_string, "string")?;
    call.expect(1, is_string, "string")?;
    func(DataType::Keyword, |args, _| {
        let (Some(field), Some(delim)) = (args.first(), args.get(1)) else {
            return Ok(Value::Null);
        };
        let Some(delim) = super::sig::single(delim)? else {
            return Ok(Value::Null);
        };
        if field.is_null() {
            return Ok(Value::Null);
        }
        let parts: Vec<&str> = field.values().iter().filter_map(Scalar::as_str).collect();
        Ok(super::sig::string(
            parts.join(delim.as_str().unwrap_or_default()),
        ))
    })
}

fn mv_zip(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 3)?;
    for i in 0..call.len() {
        call.expect(i, is_string, "string")?;
    }
    func(DataType::Keyword, |args, _| {
        let left = args.first().map_or(&[][..], Value::values);
        let right = args.get(1).map_or(&[][..], Value::values);
        if left.is_empty() && right.is_empty() {
            return Ok(Value::Null);
        }
        let delim = match args.get(2) {
            None => ",".to_string(),
            Some(d) => match super::sig::single(d)? {
                Some(s) => s.as_str().unwrap_or_default().to_string(),
                None => return Ok(Value::Null),
            },
        };
        let n = left.len().max(right.len());
        let text = |s: Option<&Scalar>| s.and_then(Scalar::as_str).map(str::to_string);
        let zipped = (0..n)
            .map(|i| {
                let joined = match (text(left.get(i)), text(right.get(i))) {
                    (Some(a), Some(b)) => format!("{a}{delim}{b}"),
                    (Some(a), None) => a,
                    (None, b) => b.unwrap_or_default(),
                };
                Scalar::Str(joined.into())
            })
            .collect();
        Ok(Value::from_vec(zipped))
    })
}

fn mv_contains(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 2)?;
    call.expect(0, any, ANY)?;
    call.same_types(0, 1)?;
    func(DataType::Boolean, |args, _| {
        let superset = args.first().map_or(&[][..], Value::values);
        let subset = args.get(1).map_or(&[][..], Value::values);
        let contains = subset.iter().all(|s| {
            superset
                .iter()
                .any(|t| super::order::compare(s, t) == Some(std::cmp::Ordering::Equal))
        });
        Ok(one(Scalar::Bool(contains)))
    })
}

/// MV_LIKE / MV_RLIKE: whether any value matches a constant LIKE (`*`, `?`) or Lucene regex
/// pattern. Never null: no value means false.
fn mv_like(call: &mut Call<'_, '_>, rlike: bool) -> Resolved {
    call.arity(2, 2)?;
    call.expect(0, is_string, "string")?;
    call.expect(1, is_string, "string")?;
    let Some(pattern) = super::sig::constant_str(call.constant(1)) else {
        return Err(call.not_constant(1));
    };
    let matcher: Box<dyn Fn(&str) -> bool> = if rlike {
        let re = crate::eql::regex::compile(pattern, false).map_err(|e| TypeError {
            message: format!(
                "Invalid regex pattern for RLIKE [{pattern}]: [{}]",
                e.message
            ),
            arg: Some(1),
        })?;
        Box::new(move |s| re.is_match(s))
    } else {
        let w = crate::rule::filters::es_wildcard(pattern, false);
        Box::new(move |s| w.is_match(s))
    };
    func(DataType::Boolean, move |args, _| {
        let values = args.first().map_or(&[][..], Value::values);
        let any = values.iter().filter_map(Scalar::as_str).any(&matcher);
        Ok(one(Scalar::Bool(any)))
    })
}
