//! Dates as Elasticsearch's `date` type reads them (ISO 8601 / `strict_date_optional_time` or epoch
//! milliseconds) and date math (`now-14d/d`, `2024-01-01||+1M`). Times are epoch milliseconds (i64);
//! no time-zone database: offsets in the text are honoured, everything else is UTC.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of days since the epoch.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

const MS_PER_DAY: i64 = 86_400_000;

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parse `2024-01-02`, `2024-01-02T03:04:05.123Z`, `…+02:00`, `2024-01-02 03:04:05`, or epoch
/// milliseconds as digits. Returns epoch milliseconds.
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    // `strict_date_optional_time||epoch_millis`, Elasticsearch's default date format, tries the
    // date first: four digits are a year (`2024`), other digit strings epoch milliseconds.
    let year_only = s.len() == 4;
    if !s.is_empty() && !year_only && s.bytes().all(|b| b.is_ascii_digit())
        || (s.starts_with('-') && s.len() > 1 && s[1..].bytes().all(|b| b.is_ascii_digit()))
    {
        return s.parse().ok();
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let year = num(0, 4)?;
    let mut month = 1;
    let mut day = 1;
    let mut i = 4;
    if b.get(i) == Some(&b'-') {
        month = num(i + 1, 2)? as u32;
        i += 3;
        if b.get(i) == Some(&b'-') {
            day = num(i + 1, 2)? as u32;
            i += 3;
        }
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if matches!(b.get(i), Some(b'T') | Some(b't') | Some(b' ')) {
        let h = num(i + 1, 2)?;
        i += 3;
        let mut mi = 0;
        let mut sec = 0;
        let mut frac = 0;
        if b.get(i) == Some(&b':') {
            mi = num(i + 1, 2)?;
            i += 3;
            if b.get(i) == Some(&b':') {
                sec = num(i + 1, 2)?;
                i += 3;
                if matches!(b.get(i), Some(b'.') | Some(b',')) {
                    let start = i + 1;
                    let mut end = start;
                    while b.get(end).is_some_and(u8::is_ascii_digit) {
                        end += 1;
                    }
                    if end == start {
                        return None;
                    }
                    // Milliseconds precision: nanoseconds beyond it are dropped, as for `date`.
                    let digits = &s[start..end.min(start + 3)];
                    frac = digits.parse::<i64>().ok()? * 10i64.pow(3 - digits.len() as u32);
                    i = end;
                }
            }
        }
        if h > 24 || mi > 59 || sec > 60 {
            return None;
        }
        ms += ((h * 60 + mi) * 60 + sec) * 1000 + frac;
    }
    match b.get(i) {
        None => {}
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => {}
        Some(sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let rest = &s[i + 3..];
            let om = match rest.strip_prefix(':').unwrap_or(rest) {
                "" => 0,
                m if m.len() == 2 => m.parse::<i64>().ok()?,
                _ => return None,
            };
            let off = (oh * 60 + om) * 60_000;
            ms += if *sign == b'+' { -off } else { off };
        }
        _ => return None,
    }
    Some(ms)
}

/// The first and last millisecond a written date covers (`2024` a year, `2024-05` a month,
/// `2024-05-01` a day, `…T10` an hour, …; epoch milliseconds and fractions one millisecond).
/// Elasticsearch fills missing components with their first value for `gte`/`lt` and with their
/// last for `gt`/`lte` ("missing date components", range query docs; `DateMathParser` round
/// up), and runs a term query on a date field as a range over both (`DateFieldMapper.termQuery`).
pub fn date_range(text: &str) -> Option<(i64, i64)> {
    let lo = parse_date(text)?;
    Some((lo, round_up(text, lo)))
}

fn round_up(text: &str, lo: i64) -> i64 {
    let t = text.trim();
    if t.len() != 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        return lo; // epoch millis
    }
    let Some(time_at) = t.find(['T', 't', ' ']) else {
        let (y, m, _) = civil_from_days(lo.div_euclid(MS_PER_DAY));
        let next = match t.matches('-').count() {
            0 => days_from_civil(y + 1, 1, 1),
            1 if m == 12 => days_from_civil(y + 1, 1, 1),
            1 => days_from_civil(y, m + 1, 1),
            _ => return lo.saturating_add(MS_PER_DAY - 1),
        };
        return next.saturating_mul(MS_PER_DAY).saturating_sub(1);
    };
    let time = &t[time_at + 1..];
    let time = time.split(['Z', 'z', '+', '-']).next().unwrap_or(time);
    if time.contains(['.', ',']) {
        return lo;
    }
    match time.matches(':').count() {
        0 => lo.saturating_add(3_600_000 - 1),
        1 => lo.saturating_add(60_000 - 1),
        _ => lo.saturating_add(999),
    }
}

/// Elasticsearch date math: an anchor (`now`, or a date followed by `||`) then operations
/// `+N<unit>`, `-N<unit>` and rounding `/<unit>` with units y M w d h H m s.
pub fn date_math(expr: &str, now: i64) -> Option<i64> {
    let expr = expr.trim();
    let (mut t, ops) = if let Some(rest) = expr.strip_prefix("now") {
        (now, rest)
    } else if let Some((anchor, rest)) = expr.split_once("||") {
        (parse_date(anchor)?, rest)
    } else {
        return parse_date(expr);
    };
    let b = ops.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let op = b[i];
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n: i64 = if start == i {
            1
        } else {
            ops[start..i].parse().ok()?
        };
        let unit = *b.get(i)?;
        i += 1;
        t = match op {
            b'+' => add(t, n, unit)?,
            b'-' => add(t, -n, unit)?,
            b'/' if start == i - 1 => round_down(t, unit)?,
            _ => return None,
        };
    }
    Some(t)
}

fn add(t: i64, n: i64, unit: u8) -> Option<i64> {
    let fixed = match unit {
        b'w' => 7 * MS_PER_DAY,
        b'd' => MS_PER_DAY,
        b'h' | b'H' => 3_600_000,
        b'm' => 60_000,
        b's' => 1000,
        b'M' | b'y' => {
            let months = if unit == b'y' { n.checked_mul(12)? } else { n };
            // Far beyond Elasticsearch's date range (and i64 millis): no date, not an overflow.
            if months.unsigned_abs() > 12 * 1_000_000 {
                return None;
            }
            let days = t.div_euclid(MS_PER_DAY);
            let rem = t.rem_euclid(MS_PER_DAY);
            let (y, m, d) = civil_from_days(days);
            let total = y * 12 + (m as i64 - 1) + months;
            let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
            let nd = d.min(days_in_month(ny, nm));
            return days_from_civil(ny, nm, nd)
                .checked_mul(MS_PER_DAY)?
                .checked_add(rem);
        }
        _ => return None,
    };
    t.checked_add(n.checked_mul(fixed)?)
}

fn round_down(t: i64, unit: u8) -> Option<i64> {
    let days = t.div_euclid(MS_PER_DAY);
    Some(match unit {
        b'y' => {
            let (y, _, _) = civil_from_days(days);
            days_from_civil(y, 1, 1).checked_mul(MS_PER_DAY)?
        }
        b'M' => {
            let (y, m, _) = civil_from_days(days);
            days_from_civil(y, m, 1).checked_mul(MS_PER_DAY)?
        }
        b'w' => (days - (days + 3).rem_euclid(7)).checked_mul(MS_PER_DAY)?, // weeks start on Monday
        b'd' => days.checked_mul(MS_PER_DAY)?,
        b'h' | b'H' => t.div_euclid(3_600_000).checked_mul(3_600_000)?,
        b'm' => t.div_euclid(60_000).checked_mul(60_000)?,
        b's' => t.div_euclid(1000).checked_mul(1000)?,
        _ => return None,
    })
}

/// Durations as EQL and rule schedules write them: `5m`, `30s`, `1h`, `2d`, `100ms`, bare ms.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: i64 = s[..split].parse().ok()?;
    let mult = match &s[split..] {
        "" | "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => MS_PER_DAY,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// ISO 8601 UTC text of epoch milliseconds.
pub fn format_millis(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_date_math_is_none_not_overflow() {
        assert_eq!(date_math("now-998999999y", 0), None);
        assert_eq!(date_math("now+9223372036854775807M", 0), None);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_date("1970-01-02"), Some(MS_PER_DAY));
        assert_eq!(
            parse_date("2024-03-01T12:00:00.5+01:00"),
            Some(1_709_290_800_500)
        );
        assert_eq!(
            parse_date("2024-03-01T12:00:00.123456789Z").map(|t| t % 1000),
            Some(123)
        );
        assert_eq!(parse_date("1516116808349"), Some(1_516_116_808_349));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(format_millis(1_709_294_400_500), "2024-03-01T12:00:00.500Z");
    }

    #[test]
    fn date_math_units_and_rounding() {
        let now = parse_date("2024-03-15T10:30:00Z").unwrap();
        assert_eq!(
            date_math("now-14d", now),
            parse_date("2024-03-01T10:30:00Z")
        );
        assert_eq!(date_math("now-1M/M", now), parse_date("2024-02-01"));
        assert_eq!(date_math("now/d", now), parse_date("2024-03-15"));
        assert_eq!(date_math("2024-01-31||+1M", now), parse_date("2024-02-29"));
        assert_eq!(date_math("now-9m", now), parse_date("2024-03-15T10:21:00Z"));
        assert_eq!(date_math("now/w", now), parse_date("2024-03-11"));
        assert_eq!(date_math("now-x", now), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("5m"), Some(300_000));
        assert_eq!(parse_duration_ms("100ms"), Some(100));
        assert_eq!(parse_duration_ms("2x"), None);
    }
}
