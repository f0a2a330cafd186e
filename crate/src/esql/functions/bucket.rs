//! BUCKET, the grouping function of `STATS … BY`, evaluated per row like a scalar function:
//! `BUCKET(field, span)` rounds down to the span; `BUCKET(field, buckets, from, to)` first picks
//! a span giving at most `buckets` buckets over `[from, to)`: for numbers the next power of ten
//! (or half of it) of `(to - from) / buckets`, for dates the finest of Elasticsearch's "human"
//! roundings (year … month, week, day, 12h … 1ms) that stays within the count.

use super::date::truncate_date;
use super::sig::{func, illegal, is_date, is_numeric, one, single, Call, Resolved};
use super::{Failure, TypeError};
use crate::esql::value::{DataType, Scalar, Value};

const HOUR: i64 = 3_600_000;

/// Coarsest first: Elasticsearch's `HUMAN_DATE_ROUNDINGS` after a year.
fn human_roundings() -> [Scalar; 19] {
    let ms = Scalar::TimeDuration;
    [
        Scalar::DatePeriod {
            months: 12,
            days: 0,
        },
        Scalar::DatePeriod { months: 1, days: 0 },
        Scalar::DatePeriod { months: 0, days: 7 },
        Scalar::DatePeriod { months: 0, days: 1 },
        ms(12 * HOUR),
        ms(3 * HOUR),
        ms(HOUR),
        ms(30 * 60_000),
        ms(10 * 60_000),
        ms(5 * 60_000),
        ms(60_000),
        ms(30_000),
        ms(10_000),
        ms(5_000),
        ms(1_000),
        ms(100),
        ms(50),
        ms(10),
        ms(1),
    ]
}

fn constant_arg<'v>(call: &'v Call<'_, '_>, i: usize) -> Result<&'v Scalar, TypeError> {
    call.constant(i)
        .and_then(Value::single)
        .ok_or_else(|| call.not_constant(i))
}

pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    if name != "bucket" && name != "bin" {
        return None;
    }
    Some(bucket(call))
}

fn bucket(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 4)?;
    if call.len() == 3 {
        return Err(TypeError {
            message: format!(
                "error building [{}]: expects two or four arguments",
                call.name.to_lowercase()
            ),
            arg: None,
        });
    }
    let field = call.ty(0);
    call.expect(
        0,
        |t| is_numeric(t) || is_date(t),
        "datetime or date_nanos or numeric",
    )?;
    if is_date(field) {
        date_bucket(call, field)
    } else {
        numeric_bucket(call)
    }
}

fn date_bucket(call: &mut Call<'_, '_>, field: DataType) -> Resolved {
    let rounding = if call.len() == 2 {
        call.expect(
            1,
            |t| matches!(t, DataType::DatePeriod | DataType::TimeDuration),
            "date_period or time_duration",
        )?;
        constant_arg(call, 1)?.clone()
    } else {
        call.expect(1, |t| t == DataType::Integer, "integer")?;
        let buckets = constant_arg(call, 1)?.as_i64().unwrap_or_default();
        let mut ends = [0i64; 2];
        for (k, i) in [2, 3].into_iter().enumerate() {
            call.expect(i, |t| is_date(t) || t.is_string(), "datetime or string")?;
            let end = match constant_arg(call, i)? {
                Scalar::Date(ms) => Some(*ms),
                Scalar::DateNanos(ns) => Some(ns.div_euclid(1_000_000)),
                Scalar::Str(t) => {
                    super::date::parse_date_optional_time(t).map(|ns| ns.div_euclid(1_000_000))
                }
                _ => None,
            };
            ends[k] = end.ok_or_else(|| call.type_error(i, "datetime or string"))?;
        }
        pick_date_rounding(buckets, ends[0], ends[1])
    };
    func(field, move |args, _| {
        let Some(s) = args.first().map(single).transpose()?.flatten() else {
            return Ok(Value::Null);
        };
        truncate_date(s, &rounding, field).map(one)
    })
}

/// The finest human rounding giving at most `buckets` buckets over `[from, to)`.
fn pick_date_rounding(buckets: i64, from: i64, to: i64) -> Scalar {
    let roundings = human_roundings();
    let mut chosen = roundings[0].clone();
    for r in roundings {
        if count_buckets(&r, from, to) > buckets {
            break;
        }
        chosen = r;
    }
    chosen
}

fn count_buckets(r: &Scalar, from: i64, to: i64) -> i64 {
    let round = |ms: i64| {
        truncate_date(&Scalar::Date(ms), r, DataType::Date)
            .ok()
            .and_then(|s| match s {
                Scalar::Date(v) => Some(v),
                _ => None,
            })
    };
    match r {
        Scalar::TimeDuration(step) => {
            let (Some(a), Some(b)) = (round(from), round(to - 1)) else {
                return i64::MAX;
            };
            (b - a) / step + 1
        }
        _ => {
            // Calendar units: walk them (at most a few hundred steps before the count is
            // already past any sensible bucket target).
            let mut n = 0;
            let mut at = round(from);
            while let Some(start) = at {
                if start >= to || n > 10_000 {
                    break;
                }
                n += 1;
                at = next_calendar(start, r);
            }
            n
        }
    }
}

fn next_calendar(start: i64, r: &Scalar) -> Option<i64> {
    use chrono::{DateTime, Months};
    let Scalar::DatePeriod { months, days } = *r else {
        return None;
    };
    let t = DateTime::from_timestamp_millis(start)?;
    let next = if months > 0 {
        t.checked_add_months(Months::new(u32::try_from(months).ok()?))?
    } else {
        t.checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))?
    };
    Some(next.timestamp_millis())
}

fn numeric_bucket(call: &mut Call<'_, '_>) -> Resolved {
    let span = if call.len() == 2 {
        call.expect(1, is_numeric, "numeric")?;
        constant_arg(call, 1)?.as_f64().unwrap_or(f64::NAN)
    } else {
        call.expect(1, |t| t == DataType::Integer, "integer")?;
        call.expect(2, is_numeric, "numeric")?;
        call.expect(3, is_numeric, "numeric")?;
        let buckets = constant_arg(call, 1)?.as_f64().unwrap_or(f64::NAN);
        let from = constant_arg(call, 2)?.as_f64().unwrap_or(f64::NAN);
        let to = constant_arg(call, 3)?.as_f64().unwrap_or(f64::NAN);
        pick_numeric_rounding(buckets, from, to)
    };
    func(DataType::Double, move |args, _| {
        let Some(v) = args.first().map(single).transpose()?.flatten() else {
            return Ok(Value::Null);
        };
        if span.is_nan() || span <= 0.0 || span.is_infinite() {
            return Err(bad_span(span));
        }
        let x = v.as_f64().unwrap_or(f64::NAN);
        Ok(one(Scalar::Double((x / span).floor() * span)))
    })
}

fn bad_span(span: f64) -> Failure {
    illegal(format!(
        "Bucket span must be a positive number, found [{}]",
        super::display::java_double(span)
    ))
}

/// Elasticsearch's `pickRounding`: the next power of ten of the precise span, or half of it
/// when the precise span is below that half.
fn pick_numeric_rounding(buckets: f64, from: f64, to: f64) -> f64 {
    let precise = (to - from) / buckets;
    let next_power = 10f64.powf(precise.log10().ceil());
    let half = next_power / 2.0;
    if precise < half {
        half
    } else {
        next_power
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn numeric_buckets() {
        assert_eq!(pick_numeric_rounding(20.0, 25324.0, 74999.0), 5000.0);
        assert_eq!(
            ok("bucket", &[int(47411), int(20), int(25324), int(74999)]),
            dbl(45000.0)
        );
        assert_eq!(ok("bucket", &[dbl(12.5), dbl(5.0)]), dbl(10.0));
        assert!(call("bucket", &[int(1), int(0), int(0), int(0)]).is_err());
    }

    #[test]
    fn date_buckets() {
        let d = ok("to_datetime", &[s("1985-02-24T10:00:00Z")]);
        let month = ok("to_datetime", &[s("1985-02-01")]);
        let year = [s("1985-01-01T00:00:00Z"), s("1986-01-01T00:00:00Z")];
        assert_eq!(
            ok(
                "bucket",
                &[d.clone(), int(20), year[0].clone(), year[1].clone()]
            ),
            month
        );
        let week = ok("to_datetime", &[s("1985-02-18")]);
        assert_eq!(
            ok(
                "bucket",
                &[d.clone(), int(100), year[0].clone(), year[1].clone()]
            ),
            week
        );
        let span = Value::One(Scalar::TimeDuration(HOUR));
        assert_eq!(ok("bucket", &[d.clone(), span]), d);
    }
}
