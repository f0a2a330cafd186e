//! Values as Elasticsearch prints them in ES|QL results: doubles as Java's `Double.toString`,
//! dates in `strict_date_optional_time` (`2023-10-23T13:55:01.543Z`), date_nanos with up to
//! nine fraction digits, ips in their canonical text.

use crate::esql::value::{DataType, Scalar, Value};
use chrono::{DateTime, Datelike, Timelike};

/// One value as Elasticsearch prints it; `ty` is the column's type (it tells keyword from text,
/// and a date from the long holding it).
pub fn display(value: &Scalar, ty: DataType) -> String {
    match value {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(v) => v.to_string(),
        Scalar::Long(v) if ty == DataType::Date => format_millis(*v),
        Scalar::Long(v) if ty == DataType::DateNanos => format_nanos(*v),
        Scalar::Long(v) => v.to_string(),
        Scalar::ULong(v) => v.to_string(),
        Scalar::Double(v) => java_double(*v),
        Scalar::Str(s) | Scalar::Version(s) => s.to_string(),
        Scalar::Date(ms) => format_millis(*ms),
        Scalar::DateNanos(ns) => format_nanos(*ns),
        Scalar::Ip(ip) => ip.to_string(),
        Scalar::DatePeriod { months, days } => period(*months, *days),
        Scalar::TimeDuration(ms) => duration(*ms),
    }
}

/// One value as JSON for the page, the CLI and explanations: numbers and booleans as JSON, the
/// rest as Elasticsearch prints it (dates in ISO form, ips in their canonical text).
pub fn json(value: &Scalar) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Scalar::Bool(b) => Json::Bool(*b),
        Scalar::Int(n) => Json::from(*n),
        Scalar::Long(n) => Json::from(*n),
        Scalar::ULong(n) => Json::from(*n),
        Scalar::Double(d) => serde_json::Number::from_f64(*d)
            .map_or_else(|| Json::String(java_double(*d)), Json::Number),
        Scalar::Str(t) | Scalar::Version(t) => Json::String(t.to_string()),
        Scalar::Date(_) => Json::String(display(value, DataType::Date)),
        Scalar::DateNanos(_) => Json::String(display(value, DataType::DateNanos)),
        other => Json::String(display(other, DataType::Keyword)),
    }
}

/// A cell: null as `null`, a multi-value as `[a, b]` (the csv-spec notation).
pub fn display_value(value: &Value, ty: DataType) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::One(s) => display(s, ty),
        Value::Many(v) => {
            let parts: Vec<String> = v.iter().map(|s| display(s, ty)).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// Java's `Double.toString`: the shortest digits that round-trip (as Rust finds them), plain
/// between 10^-3 and 10^7, otherwise `d.dddE±n`; always at least one fraction digit.
pub fn java_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let abs = v.abs();
    if (1e-3..1e7).contains(&abs) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            let (int, frac) = if digits.len() > int_len {
                (digits[..int_len].to_string(), digits[int_len..].to_string())
            } else {
                (format!("{digits:0<int_len$}"), "0".to_string())
            };
            format!("{sign}{int}.{frac}")
        } else {
            let zeros = "0".repeat((-exp - 1) as usize);
            format!("{sign}0.{zeros}{digits}")
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exp}")
    }
}

/// Milliseconds since the epoch as `2023-10-23T13:55:01.543Z`.
pub fn format_millis(ms: i64) -> String {
    let Some(t) = DateTime::from_timestamp_millis(ms) else {
        return ms.to_string();
    };
    format!("{}.{:03}Z", date_time_part(&t), t.timestamp_subsec_millis())
}

/// Nanoseconds since the epoch with three to nine fraction digits (trailing zeros dropped
/// past the millisecond, as Java's `appendFraction(NANO_OF_SECOND, 3, 9, true)`).
pub fn format_nanos(ns: i64) -> String {
    let t = DateTime::from_timestamp_nanos(ns);
    let mut frac = format!("{:09}", t.timestamp_subsec_nanos());
    while frac.len() > 3 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{}.{frac}Z", date_time_part(&t))
}

fn date_time_part(t: &DateTime<chrono::Utc>) -> String {
    let year = t.year();
    let year = if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else {
        format!("{year:+05}")
    };
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `Period.toString`: `P1Y2M3D`, `P0D` for zero.
fn period(months: i32, days: i32) -> String {
    let (y, m) = (months / 12, months % 12);
    let mut s = "P".to_string();
    if y != 0 {
        s += &format!("{y}Y");
    }
    if m != 0 {
        s += &format!("{m}M");
    }
    if days != 0 || s.len() == 1 {
        s += &format!("{days}D");
    }
    s
}

/// `Duration.toString`: `PT1H30M`, `PT0.5S`, `PT0S` for zero.
fn duration(ms: i64) -> String {
    if ms == 0 {
        return "PT0S".to_string();
    }
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let mut s = "PT".to_string();
    if h != 0 {
        s += &format!("{h}H");
    }
    if m != 0 {
        s += &format!("{m}M");
    }
    if rest != 0 {
        let secs = rest as f64 / 1000.0;
        let text = if rest % 1000 == 0 {
            (rest / 1000).to_string()
        } else {
            secs.to_string()
        };
        s += &format!("{text}S");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_does() {
        let cases = [
            (1.0, "1.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (1e7, "1.0E7"),
            (8.0e18, "8.0E18"),
            (3.133013149047619E8, "3.133013149047619E8"),
            (4.954999923706055, "4.954999923706055"),
            (-2.5, "-2.5"),
            (5.013792000001E11, "5.013792000001E11"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (f64::NAN, "NaN"),
            (-0.0, "-0.0"),
        ];
        for (v, want) in cases {
            assert_eq!(java_double(v), want, "{v}");
        }
    }

    #[test]
    fn dates_print_with_milliseconds() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_millis(1698069301543), "2023-10-23T13:55:01.543Z");
        assert_eq!(
            format_nanos(1698069301543123456),
            "2023-10-23T13:55:01.543123456Z"
        );
        assert_eq!(
            format_nanos(1698069301540000000),
            "2023-10-23T13:55:01.540Z"
        );
        assert_eq!(
            display(&Scalar::Date(-1), DataType::Date),
            "1969-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn periods_print_as_java_does() {
        assert_eq!(period(14, 3), "P1Y2M3D");
        assert_eq!(duration(5_400_000), "PT1H30M");
    }
}
