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

/// `startsWith`, `endsWith`, `stringContains` on two strings.
pub fn string_test(func: Function, insensitive: bool, src: &str, sub: &str) -> bool {
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

/// `number(s[, base])`: base 10 parses integers or decimals; other bases parse integers (a
/// `0x` prefix is allowed for base 16). Unparsable text is null.
fn number(v: &EqlValue, base: &EqlValue) -> EqlValue {
    let base = match base {
        EqlValue::Null => 10,
        EqlValue::Int(b) if (2..=36).contains(b) => *b as u32,
        _ => return EqlValue::Null,
    };
    let s = match v {
        EqlValue::Int(_) | EqlValue::Float(_) if base == 10 => return v.clone(),
        other => match to_string(other) {
            Some(s) => s,
            None => return EqlValue::Null,
        },
    };
    let t = s.trim();
    if base == 10 {
        if let Ok(i) = t.parse::<i64>() {
            return EqlValue::Int(i);
        }
        return t
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or(EqlValue::Null, EqlValue::Float);
    }
    let (neg, digits) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits = if base == 16 {
        digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
            .unwrap_or(digits)
    } else {
        digits
    };
    match i64::from_str_radix(digits, base) {
        Ok(i) => EqlValue::Int(if neg { -i } else { i }),
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

/// Character positions, so offsets are characters rather than bytes.
fn char_find(hay: &str, needle: &str, from_char: usize) -> Option<usize> {
    let byte_from = hay.char_indices().nth(from_char).map(|(b, _)| b)?;
    hay[byte_from..]
        .find(needle)
        .map(|b| from_char + hay[byte_from..byte_from + b].chars().count())
}

/// `indexOf(source, sub[, start])`: first position at or after `start`, or null.
fn index_of(src: &EqlValue, sub: &EqlValue, start: &EqlValue, ci: bool) -> EqlValue {
    let (Some(src), Some(sub)) = (to_string(src), to_string(sub)) else {
        return EqlValue::Null;
    };
    let start = match start {
        EqlValue::Null => 0,
        EqlValue::Int(i) => (*i).max(0) as usize,
        _ => return EqlValue::Null,
    };
    let (src, sub) = (lower_if(&src, ci), lower_if(&sub, ci));
    let len = src.chars().count();
    if start > len {
        return EqlValue::Null;
    }
    if start == len {
        return if sub.is_empty() {
            EqlValue::Int(len as i64)
        } else {
            EqlValue::Null
        };
    }
    char_find(&src, &sub, start).map_or(EqlValue::Null, |i| EqlValue::Int(i as i64))
}

/// `substring(source, start[, end])`: Python-style offsets (negative counts from the end),
/// clamped to the string.
fn substring(src: &EqlValue, start: &EqlValue, end: &EqlValue) -> EqlValue {
    let Some(src) = to_string(src) else {
        return EqlValue::Null;
    };
    let chars: Vec<char> = src.chars().collect();
    let len = chars.len() as i64;
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
        EqlValue::Null => len as usize,
        _ => return EqlValue::Null,
    };
    if s >= e {
        return EqlValue::Str(String::new());
    }
    EqlValue::Str(chars[s..e].iter().collect())
}

/// `between(source, left, right[, greedy])`: the text after the first `left` up to the next
/// `right` (the last one when greedy); empty when either is not found.
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
    let chars: Vec<char> = src.chars().collect();
    let (s, l, r) = (
        lower_if(&src, ci),
        lower_if(&left, ci),
        lower_if(&right, ci),
    );
    // Lowercasing can change lengths for a few scripts; fall back to the exact text then.
    let (s, l, r) = if s.chars().count() == chars.len() {
        (s, l, r)
    } else {
        (src.clone(), left, right)
    };
    let Some(start) = char_find(&s, &l, 0) else {
        return EqlValue::Str(String::new());
    };
    let start = start + l.chars().count();
    let end = if greedy {
        s.rfind(&r).map(|b| s[..b].chars().count())
    } else {
        char_find(&s, &r, start.min(chars.len()))
    };
    match end {
        Some(e) if e >= start && start <= chars.len() => {
            EqlValue::Str(chars[start..e].iter().collect())
        }
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
