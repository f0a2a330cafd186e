//! Type conversions: the `TO_*` functions and the `::type` casts, which Elasticsearch runs
//! through the same converters (`EsqlDataTypeConverter`). A multi-value converts value by value;
//! a value that does not convert is dropped with a warning, and the cell is null when none does.

use super::date::{parse_date_optional_time, NANOS_PER_MILLI};
use super::display::{display, java_double};
use super::sig::{func_typed, is_representable, Call, Resolved};
use super::Failure;
use crate::esql::value::{DataType, Scalar, Value};
use std::net::IpAddr;

const INVALID: &str = "org.elasticsearch.xpack.esql.core.InvalidArgumentException";

/// The type a `::name` cast names (`::int`, `::datetime`, `::string` …), or `None`.
pub fn cast_target(name: &str) -> Option<DataType> {
    DataType::from_cast_name(name)
}

/// Whether a value of type `from` converts to `to` at all (the verifier's question; a value may
/// still fail at run time, `"foo"::int`).
pub fn can_convert(from: DataType, to: DataType) -> bool {
    use DataType::*;
    if from == Null || from == to {
        return true;
    }
    let numeric_like = from.is_numeric() || from.is_string() || matches!(from, Boolean | Date);
    match to {
        Keyword | Text => is_representable(from),
        Boolean => from.is_numeric() || from.is_string(),
        Integer | Long | UnsignedLong | Double => numeric_like || from == DateNanos,
        Date | DateNanos => {
            from.is_numeric() || from.is_string() || matches!(from, Date | DateNanos)
        }
        Ip | Version => from.is_string(),
        DatePeriod | TimeDuration => from.is_string(),
        _ => false,
    }
}

/// Converts a cell from `from` to `to` (a `::type` cast). When some values of a multi-value do
/// not convert, the others are kept; the error is returned only when nothing converted.
pub fn cast(value: &Value, from: DataType, to: DataType) -> Result<Value, Failure> {
    let (value, failures) = convert(value, from, to);
    match failures.into_iter().next() {
        Some(failure) if value.is_null() => Err(failure),
        _ => Ok(value),
    }
}

/// Converts a cell, returning every value that converted and a failure per value that did not
/// (Elasticsearch registers one warning per failed value).
pub fn convert(value: &Value, from: DataType, to: DataType) -> (Value, Vec<Failure>) {
    let mut out = Vec::with_capacity(value.values().len());
    let mut failures = Vec::new();
    for s in value.values() {
        match convert_scalar(s, from, to) {
            Ok(v) => out.push(v),
            Err(f) => failures.push(f),
        }
    }
    (Value::from_vec(out), failures)
}

/// One value to `to`. The scalar's own variant says what it is; `from` only tells a long
/// holding a date from a plain long.
pub fn convert_scalar(s: &Scalar, from: DataType, to: DataType) -> Result<Scalar, Failure> {
    let s = &normalize(s, from);
    match to {
        DataType::Keyword | DataType::Text => Ok(Scalar::Str(display(s, from).into())),
        DataType::Boolean => to_boolean(s),
        DataType::Integer => {
            let v = to_long(s, "integer")?;
            i32::try_from(v)
                .map(Scalar::Int)
                .map_err(|_| out_of_range(&v.to_string(), "integer"))
        }
        DataType::Long => to_long(s, "long").map(Scalar::Long),
        DataType::UnsignedLong => to_unsigned_long(s).map(Scalar::ULong),
        DataType::Double => to_double(s).map(Scalar::Double),
        DataType::Date => to_millis(s).map(Scalar::Date),
        DataType::DateNanos => to_nanos(s).map(Scalar::DateNanos),
        DataType::Ip => match s {
            Scalar::Ip(ip) => Ok(Scalar::Ip(*ip)),
            Scalar::Str(t) => parse_ip(t).map(Scalar::Ip),
            _ => Err(unsupported(s, to)),
        },
        DataType::Version => match s {
            Scalar::Version(v) | Scalar::Str(v) => Ok(Scalar::Version(v.clone())),
            _ => Err(unsupported(s, to)),
        },
        DataType::DatePeriod | DataType::TimeDuration => match s {
            Scalar::DatePeriod { .. } | Scalar::TimeDuration(_) => Ok(s.clone()),
            Scalar::Str(t) => super::date::parse_temporal_amount(t, to).ok_or_else(|| Failure {
                exception: INVALID,
                message: format!("Cannot parse [{t}] to {}", to.name()),
            }),
            _ => Err(unsupported(s, to)),
        },
        _ => Err(unsupported(s, to)),
    }
}

/// A long column typed as a date is a date.
fn normalize(s: &Scalar, from: DataType) -> Scalar {
    match (s, from) {
        (Scalar::Long(v), DataType::Date) => Scalar::Date(*v),
        (Scalar::Long(v), DataType::DateNanos) => Scalar::DateNanos(*v),
        _ => s.clone(),
    }
}

fn unsupported(s: &Scalar, to: DataType) -> Failure {
    Failure {
        exception: INVALID,
        message: format!("cannot convert [{s:?}] to [{}]", to.name()),
    }
}

fn out_of_range(text: &str, ty: &str) -> Failure {
    Failure {
        exception: INVALID,
        message: format!("[{text}] out of [{ty}] range"),
    }
}

fn cannot_parse(text: &str) -> Failure {
    Failure {
        exception: INVALID,
        message: format!("Cannot parse number [{text}]"),
    }
}

fn to_boolean(s: &Scalar) -> Result<Scalar, Failure> {
    Ok(Scalar::Bool(match s {
        Scalar::Bool(b) => *b,
        // Java's Boolean.parseBoolean: "true" in any case, everything else is false.
        Scalar::Str(t) => t.eq_ignore_ascii_case("true"),
        Scalar::Int(v) => *v != 0,
        Scalar::Long(v) => *v != 0,
        Scalar::ULong(v) => *v != 0,
        Scalar::Double(v) => *v != 0.0,
        _ => return Err(unsupported(s, DataType::Boolean)),
    }))
}

/// Java's `Math.round` of a double into a long, refusing what a long cannot hold.
pub(crate) fn double_to_long(v: f64, ty: &str) -> Result<i64, Failure> {
    // 2^63 as a double: the first value past i64::MAX.
    if v.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v) {
        return Err(out_of_range(&java_double(v), ty));
    }
    Ok((v + 0.5).floor() as i64)
}

fn to_long(s: &Scalar, ty: &str) -> Result<i64, Failure> {
    match s {
        Scalar::Bool(b) => Ok(i64::from(*b)),
        Scalar::Int(v) => Ok(i64::from(*v)),
        Scalar::Long(v) | Scalar::Date(v) | Scalar::DateNanos(v) => Ok(*v),
        Scalar::ULong(v) => i64::try_from(*v).map_err(|_| out_of_range(&v.to_string(), ty)),
        Scalar::Double(v) => double_to_long(*v, ty),
        Scalar::Str(t) => {
            let t = t.trim();
            if let Ok(v) = t.parse::<i64>() {
                return Ok(v);
            }
            match parse_java_double(t) {
                Some(d) => double_to_long(d, ty),
                None => Err(cannot_parse(t)),
            }
        }
        _ => Err(unsupported(s, DataType::Long)),
    }
}

fn to_unsigned_long(s: &Scalar) -> Result<u64, Failure> {
    let range = |text: String| out_of_range(&text, "unsigned_long");
    match s {
        Scalar::ULong(v) => Ok(*v),
        Scalar::Double(v) => {
            if v.is_nan() || *v < 0.0 || *v >= 1.8446744073709552e19 {
                Err(range(java_double(*v)))
            } else {
                Ok((*v + 0.5).floor() as u64)
            }
        }
        Scalar::Str(t) => {
            let t = t.trim();
            if let Ok(v) = t.parse::<u64>() {
                return Ok(v);
            }
            match parse_java_double(t) {
                Some(d) => to_unsigned_long(&Scalar::Double(d)),
                None => Err(cannot_parse(t)),
            }
        }
        other => {
            let v = to_long(other, "unsigned_long")?;
            u64::try_from(v).map_err(|_| range(v.to_string()))
        }
    }
}

fn to_double(s: &Scalar) -> Result<f64, Failure> {
    match s {
        Scalar::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Scalar::Date(v) | Scalar::DateNanos(v) => Ok(*v as f64),
        Scalar::Str(t) => parse_java_double(t).ok_or_else(|| Failure {
            exception: "java.lang.NumberFormatException",
            message: format!("For input string: \"{t}\""),
        }),
        other => other
            .as_f64()
            .ok_or_else(|| unsupported(other, DataType::Double)),
    }
}

/// `Double.parseDouble`: surrounding whitespace allowed, Java's `Infinity`/`NaN` spellings, an
/// optional `d`/`f` suffix.
pub(crate) fn parse_java_double(t: &str) -> Option<f64> {
    let t = t.trim();
    let t = t
        .strip_suffix(['d', 'D', 'f', 'F'])
        .filter(|rest| !rest.is_empty() && !rest.ends_with(['e', 'E']))
        .unwrap_or(t);
    match t {
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    t.parse::<f64>().ok()
}

fn to_millis(s: &Scalar) -> Result<i64, Failure> {
    match s {
        Scalar::Date(v) => Ok(*v),
        Scalar::DateNanos(v) => Ok(v.div_euclid(NANOS_PER_MILLI)),
        Scalar::Str(t) => parse_date_optional_time(t)
            .map(|ns| ns.div_euclid(NANOS_PER_MILLI))
            .ok_or_else(|| date_parse_failure(t)),
        other => to_long(other, "long"),
    }
}

fn to_nanos(s: &Scalar) -> Result<i64, Failure> {
    let before_epoch = |ms: i64| {
        super::sig::illegal(format!(
            "milliSeconds [{ms}] are before the epoch in 1970 and cannot be converted to nanoseconds"
        ))
    };
    match s {
        Scalar::DateNanos(v) => Ok(*v),
        Scalar::Date(ms) if *ms < 0 => Err(before_epoch(*ms)),
        Scalar::Date(ms) => ms
            .checked_mul(NANOS_PER_MILLI)
            .ok_or_else(|| out_of_range(&ms.to_string(), "date_nanos")),
        Scalar::Str(t) => match parse_date_optional_time(t) {
            Some(ns) if ns < 0 => Err(before_epoch(ns.div_euclid(NANOS_PER_MILLI))),
            Some(ns) => Ok(ns),
            None => Err(date_parse_failure(t)),
        },
        Scalar::Double(v) if *v < 0.0 => Err(illegal_nanos(&java_double(*v))),
        other => {
            let v = to_long(other, "long")?;
            if v < 0 {
                Err(illegal_nanos(&v.to_string()))
            } else {
                Ok(v)
            }
        }
    }
}

fn illegal_nanos(text: &str) -> Failure {
    super::sig::illegal(format!(
        "Nanosecond dates before 1970-01-01T00:00:00.000Z are not supported. Found [{text}]"
    ))
}

fn date_parse_failure(t: &str) -> Failure {
    super::sig::illegal(format!(
        "failed to parse date field [{t}] with format [strict_date_optional_time]"
    ))
}

/// An ip in the text forms Elasticsearch accepts (`InetAddresses.forString`).
pub(crate) fn parse_ip(t: &str) -> Result<IpAddr, Failure> {
    let parsed: Option<IpAddr> = t.parse().ok();
    // IPv4-mapped IPv6 addresses are IPv4 in Elasticsearch.
    parsed
        .map(|ip| match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        })
        .ok_or_else(|| super::sig::illegal(format!("'{t}' is not an IP string literal.")))
}

/// The `TO_*` conversion functions (and their aliases).
pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    use DataType::*;
    let (to, accepts): (DataType, &str) = match name {
        "to_string" | "to_str" => (Keyword, "any type except counter types, dense_vector, aggregate_metric_double, tdigest, histogram, exponential_histogram or date_range"),
        "to_text" => (Text, "any type"),
        "to_boolean" | "to_bool" => (Boolean, "boolean or numeric or string"),
        "to_integer" | "to_int" => (Integer, "boolean or counter_integer or datetime or numeric or string"),
        "to_long" => (Long, "boolean or counter_integer or counter_long or date_nanos or datetime or numeric or string"),
        "to_unsigned_long" | "to_ulong" | "to_ul" => (UnsignedLong, "boolean or datetime or numeric or string"),
        "to_double" | "to_dbl" => (Double, "boolean or counter_double or counter_integer or counter_long or date_nanos or datetime or numeric or string"),
        "to_datetime" | "to_dt" => (Date, "date_nanos or datetime or numeric or string"),
        "to_date_nanos" | "to_datenanos" => (DateNanos, "date_nanos or datetime or double or long or string or unsigned_long"),
        "to_ip" => (Ip, "ip or string"),
        "to_version" | "to_ver" => (Version, "string or version"),
        "to_dateperiod" => (DatePeriod, "date_period or string"),
        "to_timeduration" => (TimeDuration, "string or time_duration"),
        _ => return None,
    };
    Some((|| {
        call.arity(1, 1)?;
        let from = call.ty(0);
        call.expect(0, |t| can_convert(t, to), accepts)?;
        func_typed(to, move |args, _| {
            let Some(v) = args.first() else {
                return Ok(Value::Null);
            };
            cast(v, from, to)
        })
    })())
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
