//! Date functions (DATE_TRUNC, DATE_DIFF, DATE_EXTRACT, DATE_FORMAT, DATE_PARSE, NOW), all in
//! UTC, and the parsing of `strict_date_optional_time` text every date conversion shares.
//! Dates are milliseconds (`datetime`) or nanoseconds (`date_nanos`) since the epoch.

use super::date_pattern::{format_pattern, parse_pattern, Pattern};
use super::sig::{func, illegal, is_date, is_string, one, single, string, Call, Resolved};
use super::Failure;
use crate::esql::value::{DataType, Scalar, Value};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

pub(crate) const NANOS_PER_MILLI: i64 = 1_000_000;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// `strict_date_optional_time`: `yyyy[-MM[-dd]]` optionally followed by `T` and
/// `HH[:mm[:ss[.fraction]]]` and an offset (`Z`, `±HH:mm`, `±HHmm`, `±HH`); nanoseconds since
/// the epoch.
pub(crate) fn parse_date_optional_time(text: &str) -> Option<i64> {
    let mut p = Cursor {
        s: text.as_bytes(),
        i: 0,
    };
    let negative = p.eat(b'-');
    let year = i32::try_from(p.digits(4, 9)?).ok()?;
    let year = if negative { -year } else { year };
    let (mut month, mut day) = (1, 1);
    if p.eat(b'-') {
        month = p.digits(2, 2)?;
        if p.eat(b'-') {
            day = p.digits(2, 2)?;
        }
    }
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let mut offset_secs = 0i64;
    if p.eat(b'T') {
        if p.done() {
            return None;
        }
        hour = p.digits(2, 2)?;
        if p.eat(b':') {
            minute = p.digits(2, 2)?;
            if p.eat(b':') {
                second = p.digits(2, 2)?;
                if p.eat(b'.') || p.eat(b',') {
                    let start = p.i;
                    let frac = p.digits(1, 9)?;
                    let len = p.i - start;
                    nanos = frac * 10u64.pow(9 - len as u32);
                }
            }
        }
        offset_secs = p.offset()?;
    }
    if !p.done() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(
        u32::try_from(hour).ok()?,
        u32::try_from(minute).ok()?,
        u32::try_from(second).ok()?,
        u32::try_from(nanos).ok()?,
    )?;
    let secs = NaiveDateTime::new(date, time).and_utc().timestamp() - offset_secs;
    secs.checked_mul(1_000_000_000)?
        .checked_add(i64::try_from(nanos).ok()?)
}

struct Cursor<'s> {
    s: &'s [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<u64> {
        let start = self.i;
        while self.i < self.s.len() && self.i - start < max && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }

    /// `Z`, `±HH`, `±HHmm`, `±HH:mm`, or nothing (UTC); seconds east of UTC.
    fn offset(&mut self) -> Option<i64> {
        if self.eat(b'Z') || self.done() {
            return Some(0);
        }
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            return None;
        };
        let h = self.digits(2, 2)?;
        self.eat(b':');
        let m = if self.done() { 0 } else { self.digits(2, 2)? };
        Some(sign * i64::try_from(h * 3600 + m * 60).ok()?)
    }
}

/// `1 day`, `3 hours` as text (`"1 day"::date_period`, `TO_TIMEDURATION("2 hours")`).
pub(crate) fn parse_temporal_amount(text: &str, to: DataType) -> Option<Scalar> {
    let mut parts = text.split_whitespace();
    let n: i64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?.to_ascii_lowercase();
    if parts.next().is_some() {
        return None;
    }
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    let period = |months: i64, days: i64| {
        Some(Scalar::DatePeriod {
            months: i32::try_from(months).ok()?,
            days: i32::try_from(days).ok()?,
        })
    };
    let duration = |ms: i64| Some(Scalar::TimeDuration(ms));
    match (to, unit) {
        (DataType::DatePeriod, "day" | "d") => period(0, n),
        (DataType::DatePeriod, "week" | "w") => period(0, n * 7),
        (DataType::DatePeriod, "month" | "mo") => period(n, 0),
        (DataType::DatePeriod, "quarter" | "q") => period(n * 3, 0),
        (DataType::DatePeriod, "year" | "yr" | "y") => period(n * 12, 0),
        (DataType::TimeDuration, "millisecond" | "ms") => duration(n),
        (DataType::TimeDuration, "second" | "sec" | "s") => duration(n * 1000),
        (DataType::TimeDuration, "minute" | "min") => duration(n * 60_000),
        (DataType::TimeDuration, "hour" | "h") => duration(n * 3_600_000),
        _ => None,
    }
}

/// A date cell's instant in nanoseconds, whichever precision it has (a string literal the
/// verifier let through as a date is parsed).
fn nanos_of(s: &Scalar) -> Option<i64> {
    match s {
        Scalar::Date(ms) | Scalar::Long(ms) => ms.checked_mul(NANOS_PER_MILLI),
        Scalar::DateNanos(ns) => Some(*ns),
        Scalar::Str(t) => parse_date_optional_time(t),
        _ => None,
    }
}

/// A date argument: a date, or a string literal, which Elasticsearch casts implicitly
/// (`DATE_DIFF("ms", d, "2023-12-02T11:00:00.001Z")`).
fn expect_date(call: &Call<'_, '_>, i: usize) -> Result<(), super::TypeError> {
    let literal = call.constant(i).is_some();
    call.expect(
        i,
        |t| is_date(t) || (literal && t.is_string()),
        "date_nanos or datetime",
    )
}

fn date_time(nanos: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(nanos)
}

fn rewrap(nanos: i64, ty: DataType) -> Scalar {
    if ty == DataType::DateNanos {
        Scalar::DateNanos(nanos)
    } else {
        Scalar::Date(nanos.div_euclid(NANOS_PER_MILLI))
    }
}

pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    Some(match name {
        "now" => now(call),
        "date_trunc" => date_trunc(call),
        "date_diff" => date_diff(call),
        "date_extract" => date_extract(call),
        "date_format" => date_format(call),
        "date_parse" => date_parse(call),
        _ => return None,
    })
}

fn now(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(0, 0)?;
    func(DataType::Date, |_, ctx| {
        Ok(one(Scalar::Date(ctx.now_millis)))
    })
}

fn date_trunc(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 2)?;
    call.expect(
        0,
        |t| matches!(t, DataType::DatePeriod | DataType::TimeDuration),
        "dateperiod or timeduration",
    )?;
    expect_date(call, 1)?;
    let ty = if call.ty(1) == DataType::DateNanos {
        DataType::DateNanos
    } else {
        DataType::Date
    };
    let interval = call.constant(0).and_then(Value::single).cloned();
    func(ty, move |args, _| {
        let (Some(interval_cell), Some(date_cell)) = (args.first(), args.get(1)) else {
            return Ok(Value::Null);
        };
        let interval = match (&interval, single(interval_cell)?) {
            (Some(i), _) | (None, Some(i)) => i.clone(),
            (None, None) => return Ok(Value::Null),
        };
        let Some(date) = single(date_cell)? else {
            return Ok(Value::Null);
        };
        truncate_date(date, &interval, ty).map(one)
    })
}

/// A date (either precision) rounded down to the interval, in the column's precision `ty`.
pub(crate) fn truncate_date(
    s: &Scalar,
    interval: &Scalar,
    ty: DataType,
) -> Result<Scalar, Failure> {
    let nanos = nanos_of(s).ok_or_else(|| illegal("expected a date"))?;
    Ok(rewrap(truncate(nanos, interval)?, ty))
}

/// Rounds down to the interval as Elasticsearch's `Rounding` does: calendar units for one day,
/// week (from Monday), month, quarter, year and their multiples; fixed spans from the epoch
/// for time durations.
fn truncate(nanos: i64, interval: &Scalar) -> Result<i64, Failure> {
    let zero_interval = || illegal("Zero or negative time interval is not supported");
    match *interval {
        Scalar::TimeDuration(ms) => {
            if ms <= 0 {
                return Err(zero_interval());
            }
            floor_to(nanos, ms.checked_mul(NANOS_PER_MILLI))
        }
        Scalar::DatePeriod { months, days } => {
            if months < 0 || days < 0 || (months == 0 && days == 0) {
                return Err(zero_interval());
            }
            if months != 0 && days != 0 {
                return Err(illegal(
                    "Time interval with multiple periods is not supported",
                ));
            }
            let t = date_time(nanos);
            let date = if days == 7 {
                let back = chrono::Days::new(u64::from(t.weekday().num_days_from_monday()));
                t.date_naive().checked_sub_days(back)
            } else if days > 0 {
                let step = i64::from(days).checked_mul(MILLIS_PER_DAY * NANOS_PER_MILLI);
                return floor_to(nanos, step);
            } else {
                let total = i64::from(t.year()) * 12 + i64::from(t.month0());
                let step = i64::from(months);
                // Years round to multiples of the year count, months within the year.
                let floored = total.div_euclid(step) * step;
                let year = i32::try_from(floored.div_euclid(12)).ok();
                year.and_then(|y| NaiveDate::from_ymd_opt(y, floored.rem_euclid(12) as u32 + 1, 1))
            };
            let Some(date) = date else {
                return Err(illegal("date out of range"));
            };
            let secs = date.and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp());
            secs.and_then(|s| s.checked_mul(1_000_000_000))
                .ok_or_else(|| illegal("date out of range"))
        }
        _ => Err(zero_interval()),
    }
}

/// `nanos` rounded down to a multiple of `step` (`None`: a step past what a long holds).
fn floor_to(nanos: i64, step: Option<i64>) -> Result<i64, Failure> {
    step.filter(|s| *s > 0)
        .and_then(|s| nanos.div_euclid(s).checked_mul(s))
        .ok_or_else(|| illegal("date out of range"))
}

#[derive(Clone, Copy)]
enum Unit {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Milli,
    Micro,
    Nano,
}

fn unit_of(name: &str) -> Option<Unit> {
    Some(match name.to_ascii_lowercase().as_str() {
        "year" | "years" | "yy" | "yyyy" => Unit::Year,
        "quarter" | "quarters" | "qq" | "q" => Unit::Quarter,
        "month" | "months" | "mm" | "m" => Unit::Month,
        "dayofyear" | "dy" | "y" | "day" | "days" | "dd" | "d" | "weekday" | "weekdays" | "dw" => {
            Unit::Day
        }
        "week" | "weeks" | "wk" | "ww" => Unit::Week,
        "hour" | "hours" | "hh" => Unit::Hour,
        "minute" | "minutes" | "mi" | "n" => Unit::Minute,
        "second" | "seconds" | "ss" | "s" => Unit::Second,
        "millisecond" | "milliseconds" | "ms" => Unit::Milli,
        "microsecond" | "microseconds" | "mcs" => Unit::Micro,
        "nanosecond" | "nanoseconds" | "ns" => Unit::Nano,
        _ => return None,
    })
}

fn date_diff(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(3, 3)?;
    call.expect(0, is_string, "string")?;
    expect_date(call, 1)?;
    expect_date(call, 2)?;
    func(DataType::Integer, |args, _| {
        let Some(values) = super::sig::singles(args)? else {
            return Ok(Value::Null);
        };
        let [unit, start, end] = values[..] else {
            return Ok(Value::Null);
        };
        let text = unit.as_str().unwrap_or_default();
        let unit = unit_of(text).ok_or_else(|| {
            illegal(format!(
                "A value of [YEAR, QUARTER, MONTH, DAYOFYEAR, DAY, WEEK, WEEKDAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, NANOSECOND] or their aliases is required; received [{text}]"
            ))
        })?;
        let (Some(a), Some(b)) = (nanos_of(start), nanos_of(end)) else {
            return Ok(Value::Null);
        };
        let diff = between(unit, a, b);
        i32::try_from(diff)
            .map(|d| one(Scalar::Int(d)))
            .map_err(|_| Failure {
                exception: "org.elasticsearch.xpack.esql.core.InvalidArgumentException",
                message: format!("[{diff}] out of [integer] range"),
            })
    })
}

/// `ChronoUnit.between`: whole units from `a` to `b`, truncated toward zero; months, quarters
/// and years count calendar months that have fully passed.
fn between(unit: Unit, a: i64, b: i64) -> i64 {
    let exact = |per: i64| (i128::from(b) - i128::from(a)) / i128::from(per);
    let clamp = |v: i128| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
    match unit {
        Unit::Nano => clamp(exact(1)),
        Unit::Micro => clamp(exact(1_000)),
        Unit::Milli => clamp(exact(NANOS_PER_MILLI)),
        Unit::Second => clamp(exact(1_000_000_000)),
        Unit::Minute => clamp(exact(60_000_000_000)),
        Unit::Hour => clamp(exact(3_600_000_000_000)),
        Unit::Day => clamp(exact(86_400_000_000_000)),
        Unit::Week => clamp(exact(7 * 86_400_000_000_000)),
        Unit::Month | Unit::Quarter | Unit::Year => {
            let months = months_between(date_time(a), date_time(b));
            match unit {
                Unit::Quarter => months / 3,
                Unit::Year => months / 12,
                _ => months,
            }
        }
    }
}

fn months_between(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    let proleptic = |t: &DateTime<Utc>| i64::from(t.year()) * 12 + i64::from(t.month0());
    let mut months = proleptic(&b) - proleptic(&a);
    let rest = |t: &DateTime<Utc>| {
        (
            t.day(),
            t.num_seconds_from_midnight(),
            t.timestamp_subsec_nanos(),
        )
    };
    if months > 0 && rest(&b) < rest(&a) {
        months -= 1;
    } else if months < 0 && rest(&b) > rest(&a) {
        months += 1;
    }
    months
}

fn date_extract(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 2)?;
    call.expect(0, is_string, "string")?;
    expect_date(call, 1)?;
    func(DataType::Long, |args, _| {
        let Some(values) = super::sig::singles(args)? else {
            return Ok(Value::Null);
        };
        let [part, date] = values[..] else {
            return Ok(Value::Null);
        };
        let text = part.as_str().unwrap_or_default();
        let Some(nanos) = nanos_of(date) else {
            return Ok(Value::Null);
        };
        extract(text, nanos)
            .map(|v| one(Scalar::Long(v)))
            .ok_or_else(|| {
                illegal(format!(
                    "No enum constant java.time.temporal.ChronoField.{}",
                    text.to_ascii_uppercase()
                ))
            })
    })
}

/// One `ChronoField` of an instant in UTC.
fn extract(field: &str, nanos: i64) -> Option<i64> {
    let t = date_time(nanos);
    let ms_of_day =
        i64::from(t.num_seconds_from_midnight()) * 1000 + i64::from(t.timestamp_subsec_millis());
    Some(match field.to_ascii_uppercase().as_str() {
        "YEAR" | "YEAR_OF_ERA" => i64::from(t.year()),
        "MONTH_OF_YEAR" => i64::from(t.month()),
        "DAY_OF_MONTH" => i64::from(t.day()),
        "DAY_OF_YEAR" => i64::from(t.ordinal()),
        "DAY_OF_WEEK" => i64::from(t.weekday().number_from_monday()),
        "HOUR_OF_DAY" => i64::from(t.hour()),
        "HOUR_OF_AMPM" => i64::from(t.hour() % 12),
        "CLOCK_HOUR_OF_DAY" => i64::from(if t.hour() == 0 { 24 } else { t.hour() }),
        "MINUTE_OF_HOUR" => i64::from(t.minute()),
        "MINUTE_OF_DAY" => i64::from(t.hour() * 60 + t.minute()),
        "SECOND_OF_MINUTE" => i64::from(t.second()),
        "SECOND_OF_DAY" => i64::from(t.num_seconds_from_midnight()),
        "MILLI_OF_SECOND" => i64::from(t.timestamp_subsec_millis()),
        "MILLI_OF_DAY" => ms_of_day,
        "MICRO_OF_SECOND" => i64::from(t.timestamp_subsec_micros()),
        "MICRO_OF_DAY" => ms_of_day * 1000 + i64::from(t.timestamp_subsec_micros() % 1000),
        "NANO_OF_SECOND" => i64::from(t.timestamp_subsec_nanos()),
        "NANO_OF_DAY" => {
            i64::from(t.num_seconds_from_midnight()) * 1_000_000_000
                + i64::from(t.timestamp_subsec_nanos())
        }
        "AMPM_OF_DAY" => i64::from(t.hour() >= 12),
        "EPOCH_DAY" => nanos.div_euclid(MILLIS_PER_DAY * NANOS_PER_MILLI),
        "INSTANT_SECONDS" => t.timestamp(),
        "ALIGNED_WEEK_OF_YEAR" => i64::from((t.ordinal() - 1) / 7 + 1),
        "ALIGNED_WEEK_OF_MONTH" => i64::from((t.day() - 1) / 7 + 1),
        "ALIGNED_DAY_OF_WEEK_IN_MONTH" => i64::from((t.day() - 1) % 7 + 1),
        "ALIGNED_DAY_OF_WEEK_IN_YEAR" => i64::from((t.ordinal() - 1) % 7 + 1),
        "PROLEPTIC_MONTH" => i64::from(t.year()) * 12 + i64::from(t.month0()),
        "ERA" => i64::from(t.year() > 0),
        "OFFSET_SECONDS" => 0,
        _ => return None,
    })
}

const DEFAULT_FORMAT: &str = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

fn date_format(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(1, 2)?;
    let (date_arg, pattern) = if call.len() == 2 {
        call.expect(0, is_string, "string")?;
        expect_date(call, 1)?;
        (1, compile_constant(call, 0)?)
    } else {
        expect_date(call, 0)?;
        (0, Pattern::compile(DEFAULT_FORMAT).ok())
    };
    func(DataType::Keyword, move |args, _| {
        let Some(date) = args.get(date_arg).map(single).transpose()?.flatten() else {
            return Ok(Value::Null);
        };
        let owned;
        let pattern = match (&pattern, date_arg) {
            (Some(p), _) => p,
            (None, _) => {
                let Some(text) = args.first().map(single).transpose()?.flatten() else {
                    return Ok(Value::Null);
                };
                owned = Pattern::compile(text.as_str().unwrap_or_default()).map_err(illegal)?;
                &owned
            }
        };
        let Some(nanos) = nanos_of(date) else {
            return Ok(Value::Null);
        };
        Ok(string(format_pattern(pattern, &date_time(nanos))))
    })
}

/// A constant pattern argument compiled once (a bad one is the verifier's error); `None` when
/// the pattern is not constant and compiles per row.
fn compile_constant(call: &Call<'_, '_>, i: usize) -> Result<Option<Pattern>, super::TypeError> {
    match super::sig::constant_str(call.constant(i)) {
        Some(text) => Pattern::compile(text)
            .map(Some)
            .map_err(|message| super::TypeError {
                message: format!("invalid date pattern for [{}]: {message}", call.text()),
                arg: Some(i),
            }),
        None => Ok(None),
    }
}

fn date_parse(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(1, 2)?;
    let text_arg = call.len() - 1;
    call.expect(0, is_string, "string")?;
    call.expect(text_arg, is_string, "string")?;
    let pattern = if call.len() == 2 {
        compile_constant(call, 0)?
    } else {
        None
    };
    let with_pattern = call.len() == 2;
    func(DataType::Date, move |args, _| {
        let Some(text) = args.get(text_arg).map(single).transpose()?.flatten() else {
            return Ok(Value::Null);
        };
        let text = text.as_str().unwrap_or_default();
        if !with_pattern {
            return parse_date_optional_time(text)
                .map(|ns| one(Scalar::Date(ns.div_euclid(NANOS_PER_MILLI))))
                .ok_or_else(|| {
                    illegal(format!(
                        "failed to parse date field [{text}] with format [strict_date_optional_time]"
                    ))
                });
        }
        let owned;
        let pattern = match &pattern {
            Some(p) => p,
            None => {
                let Some(p) = args.first().map(single).transpose()?.flatten() else {
                    return Ok(Value::Null);
                };
                owned = Pattern::compile(p.as_str().unwrap_or_default()).map_err(illegal)?;
                &owned
            }
        };
        parse_pattern(pattern, text)
            .map(|ms| one(Scalar::Date(ms)))
            .ok_or_else(|| {
                illegal(format!(
                    "failed to parse date field [{text}] with format [{}]",
                    pattern.source()
                ))
            })
    })
}

#[cfg(test)]
#[path = "date_tests.rs"]
mod tests;
