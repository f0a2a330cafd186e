//! Conversions the evaluator itself needs: string constants implicitly cast to date, ip and
//! version (`@timestamp > "2024-01-01"`), `::type` casts when the functions module has no
//! `TO_…` for them, and the text of a value as ES|QL prints it.

use crate::esql::value::{DataType, Scalar};
use crate::time;

/// The type of one value (strings are keyword: the column says when they are text).
pub fn scalar_type(s: &Scalar) -> DataType {
    match s {
        Scalar::Bool(_) => DataType::Boolean,
        Scalar::Int(_) => DataType::Integer,
        Scalar::Long(_) => DataType::Long,
        Scalar::ULong(_) => DataType::UnsignedLong,
        Scalar::Double(_) => DataType::Double,
        Scalar::Str(_) => DataType::Keyword,
        Scalar::Date(_) => DataType::Date,
        Scalar::DateNanos(_) => DataType::DateNanos,
        Scalar::Ip(_) => DataType::Ip,
        Scalar::Version(_) => DataType::Version,
        Scalar::DatePeriod { .. } => DataType::DatePeriod,
        Scalar::TimeDuration(_) => DataType::TimeDuration,
    }
}

/// Nanoseconds since the epoch of an ISO-8601 date (`…T10:00:00.123456789Z`).
pub fn parse_nanos(s: &str) -> Option<i64> {
    let ms = time::parse_date(s)?;
    // parse_date keeps milliseconds; the digits after them are the sub-millisecond part.
    let sub = s
        .find('.')
        .map(|dot| {
            let digits: String = s[dot + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let extra: String = digits.chars().skip(3).take(6).collect();
            let n = extra.parse::<i64>().unwrap_or(0);
            n * 10i64.pow(6 - extra.len() as u32)
        })
        .unwrap_or(0);
    ms.checked_mul(1_000_000)?.checked_add(sub)
}

/// A string as a value of `ty`, or Elasticsearch's message for why not.
pub fn from_string(s: &str, ty: DataType) -> Result<Scalar, String> {
    let t = s.trim();
    let bad = || format!("Cannot parse [{s}] to [{}]", ty.name());
    match ty {
        DataType::Keyword | DataType::Text => Ok(Scalar::Str(s.into())),
        DataType::Boolean => Ok(Scalar::Bool(t.eq_ignore_ascii_case("true"))),
        DataType::Integer => t
            .parse::<i32>()
            .ok()
            .or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .filter(|d| d.abs() < 2_147_483_648.0)
                    .map(|d| d as i32)
            })
            .map(Scalar::Int)
            .ok_or_else(|| format!("Cannot parse number [{s}]")),
        DataType::Long => t
            .parse::<i64>()
            .ok()
            .or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .filter(|d| d.abs() < 9.2e18)
                    .map(|d| d as i64)
            })
            .map(Scalar::Long)
            .ok_or_else(|| format!("Cannot parse number [{s}]")),
        DataType::UnsignedLong => t.parse::<u64>().map(Scalar::ULong).map_err(|_| bad()),
        DataType::Double => t
            .parse::<f64>()
            .map(Scalar::Double)
            .map_err(|_| format!("Cannot parse number [{s}]")),
        DataType::Date => time::parse_date(t).map(Scalar::Date).ok_or_else(|| {
            format!("failed to parse date field [{s}] with format [strict_date_optional_time]")
        }),
        DataType::DateNanos => parse_nanos(t).map(Scalar::DateNanos).ok_or_else(|| {
            format!(
                "failed to parse date field [{s}] with format [strict_date_optional_time_nanos]"
            )
        }),
        DataType::Ip => t
            .parse()
            .map(Scalar::Ip)
            .map_err(|_| format!("'{s}' is not an IP string literal.")),
        DataType::Version => Ok(Scalar::Version(t.into())),
        _ => Err(bad()),
    }
}

/// A date as Elasticsearch prints it: `2024-01-02T03:04:05.678Z`.
pub fn format_date(ms: i64) -> String {
    time::format_millis(ms)
}

/// A nanosecond date: `2023-10-23T13:55:01.543123456Z` (the fraction as long as it needs, in
/// groups of three digits, as Java's ISO formatter writes it).
pub fn format_nanos(ns: i64) -> String {
    let ms = ns.div_euclid(1_000_000);
    let sub = ns.rem_euclid(1_000_000);
    let base = time::format_millis(ms);
    let base = base.trim_end_matches('Z');
    if sub == 0 {
        return format!("{base}Z");
    }
    let mut extra = format!("{sub:06}");
    if extra.ends_with("000") {
        extra.truncate(3);
    }
    format!("{base}{extra}Z")
}

/// Java's `Double.toString`: `1.0`, `48248.55`, `3.181719481E8`, `1.0E-5`.
pub fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let a = d.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    // Shortest round-trip digits in scientific form, as Java prints them.
    let s = format!("{d:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exp}")
}

/// A value as text (`TO_STRING`, string casts, comparisons of mixed strings).
pub fn to_text(s: &Scalar) -> String {
    match s {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Long(i) => i.to_string(),
        Scalar::ULong(u) => u.to_string(),
        Scalar::Double(d) => java_double(*d),
        Scalar::Str(s) | Scalar::Version(s) => s.to_string(),
        Scalar::Date(ms) => format_date(*ms),
        Scalar::DateNanos(ns) => format_nanos(*ns),
        Scalar::Ip(ip) => ip.to_string(),
        Scalar::DatePeriod { months, days } => {
            if *months != 0 && *days == 0 {
                format!("P{months}M")
            } else {
                format!("P{}D", days)
            }
        }
        Scalar::TimeDuration(ms) => format!("PT{}S", *ms as f64 / 1000.0),
    }
}

/// `value` converted to `ty` by the rules of ES|QL's `TO_…` functions, for the conversions
/// the evaluator does itself (string constants, numeric widening, casts to string).
pub fn cast(value: &Scalar, ty: DataType) -> Result<Scalar, String> {
    use Scalar as S;
    if scalar_type(value) == ty {
        return Ok(value.clone());
    }
    Ok(match (value, ty) {
        (S::Str(s), t) => return from_string(s, t),
        (v, DataType::Keyword | DataType::Text) => S::Str(to_text(v).into()),
        (S::Int(i), DataType::Long) => S::Long((*i).into()),
        (S::Int(i), DataType::Double) => S::Double((*i).into()),
        (S::Long(i), DataType::Double) => S::Double(*i as f64),
        (S::ULong(u), DataType::Double) => S::Double(*u as f64),
        (S::Long(i), DataType::Integer) => {
            S::Int(i32::try_from(*i).map_err(|_| format!("[{i}] out of [integer] range"))?)
        }
        (S::Double(d), DataType::Long) if d.abs() < 9.2e18 => S::Long(*d as i64),
        (S::Double(d), DataType::Integer) if d.abs() < 2.2e9 => {
            S::Int(i32::try_from(*d as i64).map_err(|_| format!("[{d}] out of [integer] range"))?)
        }
        (S::Int(i), DataType::UnsignedLong) if *i >= 0 => S::ULong(*i as u64),
        (S::Long(i), DataType::UnsignedLong) if *i >= 0 => S::ULong(*i as u64),
        (S::Bool(b), DataType::Integer) => S::Int(i32::from(*b)),
        (S::Bool(b), DataType::Long) => S::Long(i64::from(*b)),
        (S::Bool(b), DataType::Double) => S::Double(f64::from(u8::from(*b))),
        (S::Int(i), DataType::Boolean) => S::Bool(*i != 0),
        (S::Long(i), DataType::Boolean) => S::Bool(*i != 0),
        (S::Double(d), DataType::Boolean) => S::Bool(*d != 0.0),
        (S::Date(ms), DataType::Long) => S::Long(*ms),
        (S::Date(ms), DataType::DateNanos) => {
            S::DateNanos(ms.checked_mul(1_000_000).ok_or("date out of range")?)
        }
        (S::DateNanos(ns), DataType::Date) => S::Date(ns.div_euclid(1_000_000)),
        (S::DateNanos(ns), DataType::Long) => S::Long(*ns),
        (S::Long(i), DataType::Date) => S::Date(*i),
        (S::Int(i), DataType::Date) => S::Date((*i).into()),
        (S::Long(i), DataType::DateNanos) => S::DateNanos(*i),
        (S::Date(ms), DataType::Double) => S::Double(*ms as f64),
        (v, t) => return Err(format!("cannot convert [{}] to [{}]", to_text(v), t.name())),
    })
}
