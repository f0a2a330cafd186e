//! EQL functions with Elasticsearch semantics (EQL function reference): every function returns
//! null when a required argument is null; string functions are case-sensitive unless called
//! with `~`. Arguments arrive as single values (a multi-valued field has already been reduced
//! the way Elasticsearch's scripts read doc values: the first, smallest value).

use super::ast::Function;
use super::value::EqlValue;
use crate::pattern::cidr::Cidr;

pub fn call(func: Function, insensitive: bool, args: &[EqlValue]) -> EqlValue {
    use EqlValue::*;
    let arg = |i: usize| args.get(i).unwrap_or(&Null);
    match func {
        Function::Add => arith(arg(0), arg(1), i64::checked_add, |a, b| a + b),
        Function::Subtract => arith(arg(0), arg(1), i64::checked_sub, |a, b| a - b),
        Function::Multiply => arith(arg(0), arg(1), i64::checked_mul, |a, b| a * b),
        Function::Divide => divide(arg(0), arg(1)),
        Function::Modulo => modulo(arg(0), arg(1)),
        Function::Concat => {
            let mut out = String::new();
            for a in args {
                match to_string(a) {
                    Some(s) => out.push_str(&s),
                    None => return Null,
                }
            }
            Str(out)
        }
        Function::Length => match to_string(arg(0)) {
            // Java's String.length(): UTF-16 code units.
            Some(s) => Int(s.encode_utf16().count() as i64),
            None => Null,
        },
        Function::String => match to_string(arg(0)) {
            Some(s) => Str(s),
            None => Null,
        },
        Function::Number => number(arg(0), arg(1)),
        Function::StartsWith | Function::EndsWith | Function::StringContains => {
            let (Some(src), Some(sub)) = (to_string(arg(0)), to_string(arg(1))) else {
                return Null;
            };
            Bool(string_test(func, insensitive, &src, &sub))
        }
        Function::IndexOf => index_of(arg(0), arg(1), arg(2), insensitive),
        Function::Substring => substring(arg(0), arg(1), arg(2)),
        Function::Between => between(args, insensitive),
        Function::CidrMatch => {
            let Some(ip) = to_string(arg(0)) else {
                return Null;
            };
            let mut any_null = false;
            for c in &args[1.min(args.len())..] {
                match to_string(c) {
                    Some(c) => {
                        if Cidr::parse(&c).is_some_and(|c| c.contains_str(&ip)) {
                            return Bool(true);
                        }
                    }
                    None => any_null = true,
                }
            }
            if any_null {
                Null
            } else {
                Bool(false)
            }
        }
    }
}

/// `startsWith`, `endsWith`, `stringContains` on two strings. `stringContains` is false when
/// either is empty (`StringUtils.stringContains`: `hasLength` first; the reference:
/// `stringContains("", "")` returns false), unlike Java's `contains`.
pub fn string_test(func: Function, insensitive: bool, src: &str, sub: &str) -> bool {
    if func == Function::StringContains && (src.is_empty() || sub.is_empty()) {
        return false;
    }
    let (src, sub) = if insensitive {
        (src.to_lowercase(), sub.to_lowercase())
    } else {
        (src.to_string(), sub.to_string())
    };
    match func {
        Function::StartsWith => src.starts_with(&sub),
        Function::EndsWith => src.ends_with(&sub),
        _ => src.contains(&sub),
    }
}

/// The text form Elasticsearch's `string()` and `concat()` give a value.
pub fn to_string(v: &EqlValue) -> Option<String> {
    match v {
        EqlValue::Null => None,
        EqlValue::Bool(b) => Some(b.to_string()),
        EqlValue::Int(i) => Some(i.to_string()),
        EqlValue::Float(f) => Some(java_double(*f)),
        EqlValue::Str(s) => Some(s.clone()),
        EqlValue::Many(vs) => vs.first().and_then(to_string),
    }
}

/// Java's `Double.toString` for the common cases: `7.5`, `2.0`, `1.0E10`.
fn java_double(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e7 {
        format!("{f:.1}")
    } else if f.is_finite() && (f.abs() >= 1e7 || (f != 0.0 && f.abs() < 1e-3)) {
        let s = format!("{f:E}");
        match s.split_once('E') {
            Some((m, e)) if !m.contains('.') => format!("{m}.0E{e}"),
            _ => s,
        }
    } else {
        f.to_string()
    }
}

fn num(v: &EqlValue) -> Option<EqlValue> {
    match v {
        EqlValue::Int(_) | EqlValue::Float(_) => Some(v.clone()),
        EqlValue::Many(vs) => vs.first().and_then(num),
        _ => None,
    }
}

fn as_f64(v: &EqlValue) -> f64 {
    match v {
        EqlValue::Int(i) => *i as f64,
        EqlValue::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// Integer arithmetic when both are integers (overflow is an error in Elasticsearch: null
/// here), floating point otherwise; non-numbers give null.
pub fn arith(
    a: &EqlValue,
    b: &EqlValue,
    int_op: fn(i64, i64) -> Option<i64>,
    float_op: fn(f64, f64) -> f64,
) -> EqlValue {
    match (num(a), num(b)) {
        (Some(EqlValue::Int(x)), Some(EqlValue::Int(y))) => {
            int_op(x, y).map_or(EqlValue::Null, EqlValue::Int)
        }
        (Some(x), Some(y)) => float(float_op(as_f64(&x), as_f64(&y))),
        _ => EqlValue::Null,
    }
}

fn float(f: f64) -> EqlValue {
    if f.is_finite() {
        EqlValue::Float(f)
    } else {
        EqlValue::Null
    }
}

/// Integer division truncates (`serial_event_id / 2 == 41`); division by zero is null.
pub fn divide(a: &EqlValue, b: &EqlValue) -> EqlValue {
    match (num(a), num(b)) {
        (Some(EqlValue::Int(_)), Some(EqlValue::Int(0))) => EqlValue::Null,
        (Some(EqlValue::Int(x)), Some(EqlValue::Int(y))) => {
            x.checked_div(y).map_or(EqlValue::Null, EqlValue::Int)
        }
        (Some(x), Some(y)) => float(as_f64(&x) / as_f64(&y)),
        _ => EqlValue::Null,
    }
}

/// Java's `%`: the sign follows the dividend.
pub fn modulo(a: &EqlValue, b: &EqlValue) -> EqlValue {
    match (num(a), num(b)) {
        (Some(EqlValue::Int(_)), Some(EqlValue::Int(0))) => EqlValue::Null,
        (Some(EqlValue::Int(x)), Some(EqlValue::Int(y))) => {
            x.checked_rem(y).map_or(EqlValue::Null, EqlValue::Int)
        }
        (Some(x), Some(y)) => float(as_f64(&x) % as_f64(&y)),
        _ => EqlValue::Null,
    }
}

/// `number(s[, base])`: `ToNumberFunctionProcessor`. Without a base, a `0x` prefix means base
/// 16 (`number("0x1f")` is 31); base 10 parses a whole number or a decimal (Java's
/// `DecimalFormat`, the whole text); other bases parse an `int` (`Integer.parseInt`, 32 bits;
/// the `0x` prefix is dropped for base 16). Text Elasticsearch cannot convert makes the query
/// fail there; here it is null, which matches nothing.
fn number(v: &EqlValue, base: &EqlValue) -> EqlValue {
    let s = match v {
        EqlValue::Int(_) | EqlValue::Float(_) if base.is_null() => return v.clone(),
        other => match to_string(other) {
            Some(s) => s,
            None => return EqlValue::Null,
        },
    };
    let hex_prefix = s.starts_with("0x");
    let base = match base {
        EqlValue::Null if hex_prefix => 16,
        EqlValue::Null => 10,
        EqlValue::Int(b) if (2..=36).contains(b) => *b as u32,
        _ => return EqlValue::Null,
    };
    let t = if hex_prefix && base == 16 {
        &s[2..]
    } else {
        s.as_str()
    };
    if base == 10 {
        // DecimalFormat's positive prefix is empty: a leading `+` does not parse.
        if t.starts_with('+') {
            return EqlValue::Null;
        }
        if let Ok(i) = t.parse::<i64>() {
            return EqlValue::Int(i);
        }
        let decimal = t.strip_prefix('-').unwrap_or(t);
        if decimal.is_empty() || !decimal.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return EqlValue::Null;
        }
        return t
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or(EqlValue::Null, EqlValue::Float);
    }
    match i32::from_str_radix(t, base) {
        Ok(i) => EqlValue::Int(i64::from(i)),
        Err(_) => EqlValue::Null,
    }
}

fn lower_if(s: &str, ci: bool) -> String {
    if ci {
        s.to_lowercase()
    } else {
        s.to_string()
    }
}

/// Java strings are UTF-16: Elasticsearch's `indexOf`, `substring` and `between` count UTF-16
/// code units (`String.indexOf`, `String.substring`), as `length` does, so a character outside
/// the Basic Multilingual Plane (an emoji) counts twice.
fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// Java's `String.indexOf(needle, from)`: a negative `from` is 0, one past the end finds only
/// the empty string (at the end).
fn java_index_of(hay: &[u16], needle: &[u16], from: i64) -> Option<usize> {
    let from = usize::try_from(from.max(0)).unwrap_or(usize::MAX);
    if from >= hay.len() {
        return needle.is_empty().then_some(hay.len());
    }
    if needle.is_empty() {
        return Some(from);
    }
    (from..=hay.len().checked_sub(needle.len())?).find(|&i| hay[i..].starts_with(needle))
}

/// Java's `String.lastIndexOf(needle)`.
fn java_last_index_of(hay: &[u16], needle: &[u16]) -> Option<usize> {
    let last = hay.len().checked_sub(needle.len())?;
    (0..=last).rev().find(|&i| hay[i..].starts_with(needle))
}

/// Java's `String.substring` of UTF-16 units; a surrogate pair cut in half becomes U+FFFD (Java
/// keeps the lone surrogate, which no Rust string can hold).
fn utf16_slice(units: &[u16], start: usize, end: usize) -> String {
    units
        .get(start..end)
        .map(String::from_utf16_lossy)
        .unwrap_or_default()
}

/// `indexOf(source, sub[, start])`: `IndexOfFunctionProcessor`, Java's `indexOf` on both
/// strings lowercased (`~`) or as written; null when not found.
fn index_of(src: &EqlValue, sub: &EqlValue, start: &EqlValue, ci: bool) -> EqlValue {
    let (Some(src), Some(sub)) = (to_string(src), to_string(sub)) else {
        return EqlValue::Null;
    };
    let start = match start {
        EqlValue::Null => 0,
        EqlValue::Int(i) => *i,
        _ => return EqlValue::Null,
    };
    let (src, sub) = (utf16(&lower_if(&src, ci)), utf16(&lower_if(&sub, ci)));
    java_index_of(&src, &sub, start).map_or(EqlValue::Null, |i| EqlValue::Int(i as i64))
}

/// `substring(source, start[, end])`: `StringUtils.substringSlice`, Python-style offsets
/// (negative counts from the end) in UTF-16 units, clamped to the string.
fn substring(src: &EqlValue, start: &EqlValue, end: &EqlValue) -> EqlValue {
    let Some(src) = to_string(src) else {
        return EqlValue::Null;
    };
    let units = utf16(&src);
    let len = units.len() as i64;
    let norm = |i: i64| -> usize {
        let i = if i < 0 { len + i } else { i };
        i.clamp(0, len) as usize
    };
    let s = match start {
        EqlValue::Int(i) => norm(*i),
        EqlValue::Null => 0,
        _ => return EqlValue::Null,
    };
    let e = match end {
        EqlValue::Int(i) => norm(*i),
        EqlValue::Null => units.len(),
        _ => return EqlValue::Null,
    };
    if s >= e {
        return EqlValue::Str(String::new());
    }
    EqlValue::Str(utf16_slice(&units, s, e))
}

/// `between(source, left, right[, greedy])`: `StringUtils.between`: after the first `left`, up
/// to the next `right` (the last one in the whole string when greedy); empty when either is not
/// found or the last `right` comes before. Positions are found in the lowercased text for `~`
/// and cut from the text as written, as Java does.
fn between(args: &[EqlValue], ci: bool) -> EqlValue {
    let get = |i: usize| args.get(i).unwrap_or(&EqlValue::Null);
    let (Some(src), Some(left), Some(right)) =
        (to_string(get(0)), to_string(get(1)), to_string(get(2)))
    else {
        return EqlValue::Null;
    };
    let greedy = match get(3) {
        EqlValue::Bool(b) => *b,
        EqlValue::Null => false,
        _ => return EqlValue::Null,
    };
    // `StringUtils.between`: an empty source, left or right gives the source back.
    if src.is_empty() || left.is_empty() || right.is_empty() {
        return EqlValue::Str(src);
    }
    let units = utf16(&src);
    let (s, l, r) = (
        utf16(&lower_if(&src, ci)),
        utf16(&lower_if(&left, ci)),
        utf16(&lower_if(&right, ci)),
    );
    let Some(start) = java_index_of(&s, &l, 0) else {
        return EqlValue::Str(String::new());
    };
    let start = start + l.len();
    let end = if greedy {
        java_last_index_of(&s, &r)
    } else {
        java_index_of(&s, &r, start as i64)
    };
    match end {
        Some(e) if e >= start && e <= units.len() => EqlValue::Str(utf16_slice(&units, start, e)),
        _ => EqlValue::Str(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EqlValue::*;

    fn s(x: &str) -> EqlValue {
        Str(x.into())
    }

    #[test]
    fn documented_examples() {
        assert_eq!(call(Function::Add, false, &[Int(5), Int(5)]), Int(10));
        assert_eq!(call(Function::Divide, false, &[Int(83), Int(2)]), Int(41));
        assert_eq!(
            call(Function::Divide, false, &[Int(30), Float(4.0)]),
            Float(7.5)
        );
        assert_eq!(call(Function::Modulo, false, &[Int(-10), Int(6)]), Int(-4));
        assert_eq!(
            call(Function::Number, false, &[s("0x32"), Int(16)]),
            Int(50)
        );
        assert_eq!(call(Function::Number, false, &[s("32"), Int(16)]), Int(50));
        assert_eq!(call(Function::Number, false, &[s("1.5"), Null]), Float(1.5));
        assert_eq!(
            call(Function::Concat, false, &[Int(5), s(":"), s("a"), Int(3)]),
            s("5:a3")
        );
        assert_eq!(call(Function::Concat, false, &[s("a"), Null]), Null);
        assert_eq!(
            call(
                Function::Substring,
                false,
                &[s("start regsvr32.exe"), Int(-4)]
            ),
            s(".exe")
        );
        assert_eq!(
            call(
                Function::Substring,
                false,
                &[s("start regsvr32.exe"), Int(1), Int(3)]
            ),
            s("ta")
        );
        assert_eq!(
            call(
                Function::IndexOf,
                false,
                &[s("explorer.exe"), s("plorer."), Int(0)]
            ),
            Int(2)
        );
        assert_eq!(
            call(Function::IndexOf, false, &[s("explorer.exe"), s(".pf")]),
            Null
        );
        assert_eq!(
            call(Function::IndexOf, true, &[s("EXPLORER.EXE"), s("plore")]),
            Int(2)
        );
        assert_eq!(
            call(
                Function::Between,
                false,
                &[s("System Idle Process"), s("S"), s("e"), Bool(true)]
            ),
            s("ystem Idle Proc")
        );
        assert_eq!(
            call(
                Function::Between,
                false,
                &[s("System Idle Process"), s("S"), s("e")]
            ),
            s("yst")
        );
        assert_eq!(
            call(Function::Between, true, &[s("System"), s("s"), s("E")]),
            s("yst")
        );
        assert_eq!(call(Function::Length, false, &[s("héllo")]), Int(5));
        assert_eq!(
            call(
                Function::CidrMatch,
                false,
                &[s("10.6.48.157"), s("10.6.48.0/24")]
            ),
            Bool(true)
        );
        assert_eq!(
            call(
                Function::StartsWith,
                true,
                &[s("Explorer.EXE"), s("explorer.")]
            ),
            Bool(true)
        );
        assert_eq!(
            call(
                Function::StartsWith,
                false,
                &[s("Explorer.EXE"), s("explorer.")]
            ),
            Bool(false)
        );
        assert_eq!(call(Function::String, false, &[Float(2.0)]), s("2.0"));
    }
}
