//! Aggregate functions for STATS. Every accumulator reads every value of a multi-valued
//! argument (COUNT(x) counts values, not rows). An accumulator whose `add` failed (SUM's
//! long overflow) finishes as null, as Elasticsearch's "treating result as null".

mod basic;
mod stats;

use super::sig::{is_date, is_numeric, is_representable, is_string, is_whole, Call};
use super::{Accumulator, AggregateFunction, ArgInfo, TypeError};
use crate::esql::value::{DataType, Scalar, Value};

pub(crate) type ResolvedAgg = Result<Box<dyn AggregateFunction>, TypeError>;

/// A resolved aggregation: its result type and how to start a group.
struct Agg<F> {
    ty: DataType,
    make: F,
}

impl<F> AggregateFunction for Agg<F>
where
    F: Fn() -> Box<dyn Accumulator>,
{
    fn data_type(&self) -> DataType {
        self.ty
    }

    fn accumulator(&self) -> Box<dyn Accumulator> {
        (self.make)()
    }
}

fn agg<F>(ty: DataType, make: F) -> ResolvedAgg
where
    F: Fn() -> Box<dyn Accumulator> + 'static,
{
    Ok(Box::new(Agg {
        ty: super::sig::never_text(ty),
        make,
    }))
}

const NUMERIC: &str = "aggregate_metric_double or numeric except unsigned_long or counter types";

pub(crate) fn resolve(name: &str, args: &[ArgInfo<'_>]) -> Option<ResolvedAgg> {
    let lower = name.to_ascii_lowercase();
    let mut call = Call::new(name, args);
    let call = &mut call;
    Some(match lower.as_str() {
        "count" => count(call),
        "count_distinct" => (|| {
            call.arity(1, 2)?;
            call.expect(
                0,
                is_representable,
                "any exact type except unsigned_long, _source, or counter types",
            )?;
            call.expect(1, is_whole, "integer or long or unsigned_long")?;
            agg(DataType::Long, || Box::new(basic::Distinct::default()))
        })(),
        "values" => (|| {
            call.arity(1, 1)?;
            call.expect(
                0,
                is_representable,
                "any type except unsigned_long and spatial types",
            )?;
            agg(call.ty(0), || Box::new(basic::Values::default()))
        })(),
        "min" | "max" => {
            let max = lower == "max";
            (|| {
                call.arity(1, 1)?;
                call.expect(
                    0,
                    |t| is_representable(t) && t != DataType::Unsupported,
                    "boolean, date, ip, string, version, aggregate_metric_double or numeric except counter types",
                )?;
                agg(call.ty(0), move || Box::new(basic::Extreme::new(max)))
            })()
        }
        "sum" => (|| {
            call.arity(1, 1)?;
            call.expect(0, is_numeric, NUMERIC)?;
            let ty = match call.ty(0) {
                DataType::Integer | DataType::Long | DataType::Null => DataType::Long,
                other => other,
            };
            agg(ty, move || Box::new(basic::Sum::new(ty)))
        })(),
        "avg" => numeric(call, |_| Box::new(basic::Avg::default())),
        "median" => numeric(call, |_| Box::new(stats::Collect::percentile(50.0))),
        "percentile" => percentile(call),
        "median_absolute_deviation" => numeric(call, |_| Box::new(stats::Collect::mad())),
        "std_dev" | "stddev" => numeric(call, |_| Box::new(stats::Moments::std_dev())),
        "variance" | "std_var" => numeric(call, |_| Box::new(stats::Moments::variance())),
        "weighted_avg" => (|| {
            call.arity(2, 2)?;
            call.expect(
                0,
                is_numeric,
                "numeric except unsigned_long or counter types",
            )?;
            call.expect(
                1,
                is_numeric,
                "numeric except unsigned_long or counter types",
            )?;
            agg(DataType::Double, || Box::new(stats::WeightedAvg::default()))
        })(),
        "top" => top(call),
        "present" | "absent" => {
            let present = lower == "present";
            (|| {
                call.arity(1, 1)?;
                call.expect(
                    0,
                    |t| is_representable(t) || t == DataType::Unsupported,
                    "any type",
                )?;
                agg(DataType::Boolean, move || {
                    Box::new(basic::Present::new(present))
                })
            })()
        }
        _ => return None,
    })
}

fn numeric(call: &mut Call<'_, '_>, make: fn(()) -> Box<dyn Accumulator>) -> ResolvedAgg {
    call.arity(1, 1)?;
    call.expect(0, is_numeric, NUMERIC)?;
    agg(DataType::Double, move || make(()))
}

fn count(call: &mut Call<'_, '_>) -> ResolvedAgg {
    call.arity(0, 1)?;
    // COUNT(*) and COUNT() count rows; the parser may hand `*` over as the argument's text.
    let star = call.len() == 0 || call.args.first().is_some_and(|a| a.text.trim() == "*");
    if !star {
        call.expect(
            0,
            |t| is_representable(t) || t == DataType::Unsupported,
            "any type except counter types",
        )?;
    }
    agg(DataType::Long, move || Box::new(basic::Count::new(star)))
}

fn percentile(call: &mut Call<'_, '_>) -> ResolvedAgg {
    call.arity(2, 2)?;
    call.expect(0, is_numeric, NUMERIC)?;
    call.expect(1, is_numeric, "numeric except unsigned_long")?;
    let Some(p) = call
        .constant(1)
        .and_then(Value::single)
        .and_then(Scalar::as_f64)
    else {
        return Err(call.not_constant(1));
    };
    if !(0.0..=100.0).contains(&p) {
        return Err(TypeError {
            message: format!(
                "second argument of [{}] must be a number between 0 and 100, found [{}]",
                call.text(),
                super::display::java_double(p)
            ),
            arg: Some(1),
        });
    }
    agg(DataType::Double, move || {
        Box::new(stats::Collect::percentile(p))
    })
}

fn top(call: &mut Call<'_, '_>) -> ResolvedAgg {
    call.arity(2, 3)?;
    call.expect(
        0,
        |t| {
            t == DataType::Boolean
                || is_numeric(t)
                || is_date(t)
                || t == DataType::Ip
                || is_string(t)
        },
        "boolean, date, ip, string or numeric except unsigned_long or counter types",
    )?;
    call.expect(1, |t| t == DataType::Integer, "integer")?;
    call.expect(2, is_string, "string")?;
    let limit = call
        .constant(1)
        .and_then(Value::single)
        .and_then(Scalar::as_i64);
    let Some(limit) = limit.filter(|l| *l > 0) else {
        return Err(TypeError {
            message: format!(
                "Limit must be greater than 0 in [{}], found [{}]",
                call.text(),
                call.args.get(1).map_or("", |a| a.text)
            ),
            arg: Some(1),
        });
    };
    let order = match call
        .constant(2)
        .and_then(Value::single)
        .and_then(Scalar::as_str)
    {
        None if call.len() < 3 => "asc".to_string(),
        None => String::new(),
        Some(o) => o.to_ascii_lowercase(),
    };
    let desc = match order.as_str() {
        "asc" => false,
        "desc" => true,
        _ => {
            return Err(TypeError {
                message: format!(
                    "Invalid order value in [{}], expected [ASC, DESC] but got [{}]",
                    call.text(),
                    call.args.get(2).map_or("", |a| a.text)
                ),
                arg: Some(2),
            })
        }
    };
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    agg(call.ty(0), move || Box::new(stats::Top::new(limit, desc)))
}

#[cfg(test)]
mod tests;
