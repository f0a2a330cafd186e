//! Math functions, and the numeric helpers MV_* and the aggregations share (overflow-checked
//! sums, medians in the input's type). Whole-number results overflow into an
//! `ArithmeticException` ("long overflow") as in Java's `Math.addExact`; double results that are
//! not finite are refused ("not a finite double number").

use super::mv::kahan;
use super::order::sort_order;
use super::sig::{arithmetic, func, func_single, is_numeric, is_whole, one, Call, Resolved};
use super::Failure;
use crate::esql::value::{DataType, Scalar, Value};

/// The numeric representation a result keeps.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NumKind {
    Int,
    Long,
    ULong,
    Double,
}

impl NumKind {
    pub fn of(ty: DataType) -> NumKind {
        match ty {
            DataType::Integer => NumKind::Int,
            DataType::Long => NumKind::Long,
            DataType::UnsignedLong => NumKind::ULong,
            _ => NumKind::Double,
        }
    }

    fn overflow(self) -> Failure {
        arithmetic(match self {
            NumKind::Int => "integer overflow",
            NumKind::ULong => "unsigned_long overflow",
            _ => "long overflow",
        })
    }

    /// An exact whole number in this kind, or the overflow failure.
    pub fn exact(self, v: i128) -> Result<Scalar, Failure> {
        let r = match self {
            NumKind::Int => i32::try_from(v).ok().map(Scalar::Int),
            NumKind::Long => i64::try_from(v).ok().map(Scalar::Long),
            NumKind::ULong => u64::try_from(v).ok().map(Scalar::ULong),
            NumKind::Double => Some(Scalar::Double(v as f64)),
        };
        r.ok_or_else(|| self.overflow())
    }
}

pub(crate) fn as_i128(s: &Scalar) -> Option<i128> {
    match *s {
        Scalar::Int(v) => Some(i128::from(v)),
        Scalar::Long(v) => Some(i128::from(v)),
        Scalar::ULong(v) => Some(i128::from(v)),
        _ => None,
    }
}

/// Sum in the values' kind: exact (overflow is a failure) for whole numbers, compensated for
/// doubles.
pub(crate) fn checked_sum(values: &[Scalar], kind: NumKind) -> Result<Scalar, Failure> {
    if kind == NumKind::Double {
        return Ok(Scalar::Double(kahan(
            values.iter().filter_map(Scalar::as_f64),
        )));
    }
    let mut sum: i128 = 0;
    for v in values {
        sum += as_i128(v).unwrap_or_default();
        // Java overflows on the running sum, not only the final one.
        kind.exact(sum)?;
    }
    kind.exact(sum)
}

/// The median in the values' kind: the middle value, or for an even count the mean of the
/// two middle values (rounded down for whole numbers, as Elasticsearch's MV_MEDIAN).
pub(crate) fn median_of(values: &[Scalar], kind: NumKind) -> Option<Scalar> {
    let mut sorted = values.to_vec();
    sorted.sort_by(sort_order);
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        return sorted.get(n / 2).cloned();
    }
    let (a, b) = (sorted.get(n / 2 - 1)?, sorted.get(n / 2)?);
    if kind == NumKind::Double {
        return Some(Scalar::Double((a.as_f64()? + b.as_f64()?) / 2.0));
    }
    kind.exact((as_i128(a)? + as_i128(b)?).div_euclid(2)).ok()
}

fn finite(v: f64) -> Result<Value, Failure> {
    if v.is_finite() {
        Ok(one(Scalar::Double(v)))
    } else {
        Err(arithmetic(format!(
            "not a finite double number: {}",
            super::display::java_double(v)
        )))
    }
}

fn num(values: &[&Scalar], i: usize) -> f64 {
    values.get(i).and_then(|s| s.as_f64()).unwrap_or(f64::NAN)
}

pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    let constant = |call: &mut Call<'_, '_>, v: f64| -> Resolved {
        call.arity(0, 0)?;
        func(DataType::Double, move |_, _| Ok(one(Scalar::Double(v))))
    };
    let unary = |call: &mut Call<'_, '_>, f: fn(f64) -> Result<Value, Failure>| -> Resolved {
        call.arity(1, 1)?;
        call.expect(0, is_numeric, "numeric")?;
        func_single(DataType::Double, move |v| f(num(v, 0)))
    };
    Some(match name {
        "pi" => constant(call, std::f64::consts::PI),
        "e" => constant(call, std::f64::consts::E),
        "tau" => constant(call, std::f64::consts::TAU),
        "abs" => abs(call),
        "ceil" | "floor" => ceil_floor(call, name == "ceil"),
        "round" => round(call),
        "signum" => unary(call, |x| finite(x.signum() * f64::from(u8::from(x != 0.0)))),
        "sqrt" => unary(call, |x| {
            if x < 0.0 {
                return Err(arithmetic("Square root of negative"));
            }
            finite(x.sqrt())
        }),
        "cbrt" => unary(call, |x| finite(x.cbrt())),
        "exp" => unary(call, |x| finite(x.exp())),
        "log10" => unary(call, |x| {
            if x <= 0.0 {
                return Err(arithmetic("Log of non-positive number"));
            }
            finite(x.log10())
        }),
        "sin" => unary(call, |x| finite(x.sin())),
        "cos" => unary(call, |x| finite(x.cos())),
        "tan" => unary(call, |x| finite(x.tan())),
        "sinh" => unary(call, |x| finite(x.sinh())),
        "cosh" => unary(call, |x| finite(x.cosh())),
        "tanh" => unary(call, |x| finite(x.tanh())),
        "asin" | "acos" => {
            let sin = name == "asin";
            (|| {
                call.arity(1, 1)?;
                call.expect(0, is_numeric, "numeric")?;
                func_single(DataType::Double, move |v| {
                    let x = num(v, 0);
                    if !(-1.0..=1.0).contains(&x) {
                        return Err(arithmetic(format!(
                            "{} argument must be in the range [-1, 1]",
                            if sin { "Asin" } else { "Acos" }
                        )));
                    }
                    finite(if sin { x.asin() } else { x.acos() })
                })
            })()
        }
        "atan" => unary(call, |x| finite(x.atan())),
        "atan2" | "pow" | "hypot" | "log" => binary(call, name),
        _ => return None,
    })
}

fn binary(call: &mut Call<'_, '_>, name: &str) -> Resolved {
    let optional_base = name == "log";
    call.arity(if optional_base { 1 } else { 2 }, 2)?;
    for i in 0..call.len() {
        call.expect(i, is_numeric, "numeric")?;
    }
    let name = name.to_string();
    func_single(DataType::Double, move |v| {
        let (a, b) = (num(v, 0), num(v, 1));
        match name.as_str() {
            "atan2" => finite(a.atan2(b)),
            "hypot" => finite(a.hypot(b)),
            "pow" => finite(a.powf(b)),
            _ => {
                let (base, x) = if v.len() == 1 {
                    (None, a)
                } else {
                    (Some(a), b)
                };
                if x <= 0.0 || base.is_some_and(|b| b <= 0.0) {
                    return Err(arithmetic("Log of non-positive number"));
                }
                if base == Some(1.0) {
                    return Err(arithmetic("Log of base 1"));
                }
                finite(base.map_or(x.ln(), |b| x.ln() / b.ln()))
            }
        }
    })
}

fn abs(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(1, 1)?;
    call.expect(0, is_numeric, "numeric")?;
    func_single(call.ty(0), |v| {
        Ok(one(match *v[0] {
            // Math.abs keeps MIN_VALUE as it is.
            Scalar::Int(x) => Scalar::Int(x.wrapping_abs()),
            Scalar::Long(x) => Scalar::Long(x.wrapping_abs()),
            Scalar::Double(x) => Scalar::Double(x.abs()),
            ref other => other.clone(),
        }))
    })
}

fn ceil_floor(call: &mut Call<'_, '_>, ceil: bool) -> Resolved {
    call.arity(1, 1)?;
    call.expect(0, is_numeric, "numeric")?;
    func_single(call.ty(0), move |v| {
        Ok(one(match *v[0] {
            Scalar::Double(x) => Scalar::Double(if ceil { x.ceil() } else { x.floor() }),
            ref other => other.clone(),
        }))
    })
}

fn round(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(1, 2)?;
    call.expect(0, is_numeric, "numeric")?;
    call.expect(1, is_whole, "integer or long")?;
    let kind = NumKind::of(call.ty(0));
    func_single(call.ty(0), move |v| {
        let decimals = v.get(1).and_then(|d| d.as_i64()).unwrap_or(0);
        if let Scalar::Double(x) = *v[0] {
            return Ok(one(Scalar::Double(round_double(x, decimals))));
        }
        let Some(x) = as_i128(v[0]) else {
            return Ok(Value::Null);
        };
        if decimals >= 0 {
            return Ok(one(v[0].clone()));
        }
        // Half away from zero at 10^-decimals; past the type's digits everything rounds to 0.
        let Some(step) = u32::try_from(decimals.unsigned_abs())
            .ok()
            .and_then(|d| 10i128.checked_pow(d))
        else {
            return kind.exact(0).map(one);
        };
        let rounded = (x.abs() + step / 2) / step * step * x.signum();
        kind.exact(rounded).map(one)
    })
}

/// Elasticsearch's `Maths.round(double, long)`: half away from zero at the given decimals.
fn round_double(x: f64, decimals: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let Ok(d) = i32::try_from(decimals) else {
        return if decimals > 0 { x } else { 0.0 };
    };
    let scale = 10f64.powi(d);
    let scaled = x * scale;
    if !scaled.is_finite() || scaled.abs() >= 9.007_199_254_740_992e15 {
        return x;
    }
    let r = scaled.abs().round() * x.signum();
    r / scale
}

#[cfg(test)]
#[path = "math_tests.rs"]
mod tests;
