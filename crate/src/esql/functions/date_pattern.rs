//! Java `DateTimeFormatter` patterns (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`) as DATE_FORMAT and
//! DATE_PARSE read them, in UTC and the root locale: the letters for years, months, days,
//! hours, minutes, seconds, fractions, weekdays, am/pm and offsets; quoted literals.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Field(char, usize),
    Literal(String),
}

/// A compiled pattern; [`Pattern::source`] is the text it came from (for messages).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pattern {
    tokens: Vec<Token>,
    source: String,
}

impl Pattern {
    pub fn compile(text: &str) -> Result<Pattern, String> {
        let mut tokens = Vec::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                let mut lit = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(format!(
                                "Pattern ends with an incomplete string literal: {text}"
                            ))
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            lit.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            lit.push(ch);
                            i += 1;
                        }
                    }
                }
                if lit.is_empty() {
                    lit.push('\'');
                }
                tokens.push(Token::Literal(lit));
            } else if c.is_ascii_alphabetic() {
                let mut n = 1;
                while chars.get(i + n) == Some(&c) {
                    n += 1;
                }
                if !"yuMLdDHhkKmsSaEeZXxzVnQqG".contains(c) {
                    return Err(format!("Unknown pattern letter: {c}"));
                }
                tokens.push(Token::Field(c, n));
                i += n;
            } else {
                tokens.push(Token::Literal(c.to_string()));
                i += 1;
            }
        }
        Ok(Pattern {
            tokens,
            source: text.to_string(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

pub(crate) fn format_pattern(p: &Pattern, t: &DateTime<Utc>) -> String {
    let mut out = String::new();
    for token in &p.tokens {
        match token {
            Token::Literal(l) => out.push_str(l),
            Token::Field(c, n) => format_field(&mut out, *c, *n, t),
        }
    }
    out
}

fn format_field(out: &mut String, c: char, n: usize, t: &DateTime<Utc>) {
    let num = |out: &mut String, v: i64, width: usize| out.push_str(&format!("{v:0width$}"));
    let text = |out: &mut String, full: &str| {
        if n >= 4 {
            out.push_str(full);
        } else {
            out.push_str(&full[..3.min(full.len())]);
        }
    };
    match c {
        'y' | 'u' if n == 2 => num(out, i64::from(t.year().rem_euclid(100)), 2),
        'y' | 'u' => num(out, i64::from(t.year()), n),
        'M' | 'L' if n >= 3 => text(out, MONTHS[t.month0() as usize]),
        'M' | 'L' => num(out, i64::from(t.month()), n),
        'Q' | 'q' => num(out, i64::from(t.month0() / 3 + 1), n),
        'd' => num(out, i64::from(t.day()), n),
        'D' => num(out, i64::from(t.ordinal()), n),
        'H' => num(out, i64::from(t.hour()), n),
        'k' => num(out, i64::from(if t.hour() == 0 { 24 } else { t.hour() }), n),
        'K' => num(out, i64::from(t.hour() % 12), n),
        'h' => num(out, i64::from((t.hour() + 11) % 12 + 1), n),
        'm' => num(out, i64::from(t.minute()), n),
        's' => num(out, i64::from(t.second()), n),
        'S' => {
            let frac = format!("{:09}", t.timestamp_subsec_nanos());
            out.push_str(&format!("{frac:0<n$}")[..n]);
        }
        'n' => num(out, i64::from(t.timestamp_subsec_nanos()), n),
        'a' => out.push_str(if t.hour() < 12 { "AM" } else { "PM" }),
        'E' | 'e' => text(out, DAYS[t.weekday().num_days_from_monday() as usize]),
        'G' => out.push_str(if t.year() > 0 { "AD" } else { "BC" }),
        'X' => out.push('Z'),
        'Z' if n == 4 => out.push_str("GMT"),
        'Z' if n == 5 => out.push('Z'),
        'Z' => out.push_str("+0000"),
        'x' => out.push_str(match n {
            1 => "+00",
            2 | 4 => "+0000",
            _ => "+00:00",
        }),
        'z' | 'V' => out.push_str(if n >= 4 {
            "Coordinated Universal Time"
        } else {
            "UTC"
        }),
        _ => {}
    }
}

/// Parses `text` with the pattern; milliseconds since the epoch (UTC), missing fields taken
/// from 1970-01-01T00:00:00.
pub(crate) fn parse_pattern(p: &Pattern, text: &str) -> Option<i64> {
    let s: Vec<char> = text.chars().collect();
    let mut i = 0;
    let (mut year, mut month, mut day, mut doy) = (1970i64, 1i64, 1i64, None);
    let (mut hour, mut minute, mut second, mut nanos) = (0i64, 0i64, 0i64, 0i64);
    let (mut pm, mut hour12, mut offset) = (None, None, 0i64);
    for (k, token) in p.tokens.iter().enumerate() {
        match token {
            Token::Literal(l) => {
                for lc in l.chars() {
                    if s.get(i) != Some(&lc) {
                        return None;
                    }
                    i += 1;
                }
            }
            Token::Field(c, n) => {
                // A field followed directly by another numeric field takes exactly its width.
                let adjacent = matches!(p.tokens.get(k + 1), Some(Token::Field(..)));
                let max = if *n > 1 || adjacent { *n } else { 10 };
                match c {
                    'y' | 'u' => {
                        let (v, len) =
                            number(&s, &mut i, *n, if *n == 4 && !adjacent { 10 } else { max })?;
                        year = if *n == 2 && len == 2 { 2000 + v } else { v };
                    }
                    'M' | 'L' if *n >= 3 => month = name(&s, &mut i, &MONTHS, *n)? as i64 + 1,
                    'M' | 'L' => month = number(&s, &mut i, *n, max)?.0,
                    'd' => day = number(&s, &mut i, *n, max)?.0,
                    'D' => doy = Some(number(&s, &mut i, *n, max)?.0),
                    'H' | 'k' => hour = number(&s, &mut i, *n, max)?.0 % 24,
                    'h' | 'K' => hour12 = Some(number(&s, &mut i, *n, max)?.0 % 12),
                    'm' => minute = number(&s, &mut i, *n, max)?.0,
                    's' => second = number(&s, &mut i, *n, max)?.0,
                    'S' => {
                        let (v, len) = number(&s, &mut i, *n, *n)?;
                        nanos = v * 10i64.pow(9u32.saturating_sub(len as u32));
                    }
                    'n' => nanos = number(&s, &mut i, *n, max)?.0,
                    'a' => pm = Some(name(&s, &mut i, &["AM", "PM"], 4)? == 1),
                    'E' | 'e' => {
                        name(&s, &mut i, &DAYS, *n)?;
                    }
                    'X' | 'Z' | 'x' => offset = parse_offset(&s, &mut i)?,
                    _ => return None,
                }
            }
        }
    }
    if i != s.len() {
        return None;
    }
    if let Some(h) = hour12 {
        hour = h + if pm == Some(true) { 12 } else { 0 };
    }
    let y = i32::try_from(year).ok()?;
    let date = match doy {
        Some(d) => NaiveDate::from_yo_opt(y, u32::try_from(d).ok()?)?,
        None => NaiveDate::from_ymd_opt(y, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?,
    };
    let time = date.and_hms_nano_opt(
        u32::try_from(hour).ok()?,
        u32::try_from(minute).ok()?,
        u32::try_from(second).ok()?,
        u32::try_from(nanos).ok()?,
    )?;
    Some(time.and_utc().timestamp_millis() - offset * 1000)
}

/// `min..=max` digits; the value and how many digits were read.
fn number(s: &[char], i: &mut usize, min: usize, max: usize) -> Option<(i64, usize)> {
    let start = *i;
    let negative = s.get(*i) == Some(&'-') && max >= 4;
    if negative {
        *i += 1;
    }
    let digits_start = *i;
    while *i < s.len() && *i - digits_start < max && s[*i].is_ascii_digit() {
        *i += 1;
    }
    let len = *i - digits_start;
    if len < min.min(max) || len == 0 {
        *i = start;
        return None;
    }
    let text: String = s[digits_start..*i].iter().collect();
    let v: i64 = text.parse().ok()?;
    Some((if negative { -v } else { v }, len))
}

/// A month or weekday name, full or abbreviated (case-insensitive); its index.
fn name(s: &[char], i: &mut usize, names: &[&str], n: usize) -> Option<usize> {
    let rest: String = s[*i..].iter().collect::<String>().to_lowercase();
    for (k, full) in names.iter().enumerate() {
        let short = &full[..3.min(full.len())];
        for candidate in [*full, short] {
            if (n >= 4 || candidate == short) && rest.starts_with(&candidate.to_lowercase()) {
                *i += candidate.chars().count();
                return Some(k);
            }
        }
    }
    None
}

fn parse_offset(s: &[char], i: &mut usize) -> Option<i64> {
    if s.get(*i) == Some(&'Z') {
        *i += 1;
        return Some(0);
    }
    let sign = match s.get(*i) {
        Some('+') => 1,
        Some('-') => -1,
        _ => return None,
    };
    *i += 1;
    let (h, _) = number(s, i, 2, 2)?;
    if s.get(*i) == Some(&':') {
        *i += 1;
    }
    let m = number(s, i, 2, 2).map_or(0, |(m, _)| m);
    Some(sign * (h * 3600 + m * 60))
}
