//! What every function family shares: checking a call's argument types in Elasticsearch's words,
//! the boxed closure a resolved call becomes, and reading one row's arguments (null in, null
//! out; a multi-value where one value is expected is a [`Failure`]).

use super::{ArgInfo, EvalCtx, Failure, ScalarFunction, TypeError};
use crate::esql::value::{DataType, Scalar, Value};

/// A call being resolved: its name as written and what the verifier knows of its arguments.
pub(crate) struct Call<'c, 'a> {
    pub name: &'c str,
    pub args: &'c [ArgInfo<'a>],
    /// Whether the function takes more than one parameter: Elasticsearch then names arguments
    /// by ordinal ("first argument of …"), otherwise just "argument of …".
    pub ordinals: bool,
}

const ORDINALS: [&str; 6] = ["first", "second", "third", "fourth", "fifth", "sixth"];

impl<'c, 'a> Call<'c, 'a> {
    pub fn new(name: &'c str, args: &'c [ArgInfo<'a>]) -> Self {
        Call {
            name,
            args,
            ordinals: true,
        }
    }

    /// The call's source text as Elasticsearch quotes it in messages (`[TO_LOWER(x)]`).
    pub fn text(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|a| a.text).collect();
        format!("{}({})", self.name, args.join(", "))
    }

    pub fn len(&self) -> usize {
        self.args.len()
    }

    pub fn ty(&self, i: usize) -> DataType {
        self.args.get(i).map_or(DataType::Null, |a| a.ty)
    }

    pub fn constant(&self, i: usize) -> Option<&Value> {
        self.args.get(i).and_then(|a| a.constant)
    }

    /// Between `min` and `max` arguments (`max` = `usize::MAX` for variadic functions).
    pub fn arity(&mut self, min: usize, max: usize) -> Result<(), TypeError> {
        self.ordinals = max > 1;
        let n = self.args.len();
        if n >= min && n <= max {
            return Ok(());
        }
        let expects = match (min, max) {
            (0, 0) => "expects no arguments".to_string(),
            (a, b) if a == b => format!("expects exactly {} argument{}", word(a), plural(a)),
            (a, usize::MAX) => format!("expects at least {} argument{}", word(a), plural(a)),
            (a, b) if b == a + 1 => format!("expects {} or {} arguments", word(a), word(b)),
            (a, b) => format!("expects between {} and {} arguments", word(a), word(b)),
        };
        Err(TypeError {
            message: format!("error building [{}]: {expects}", self.name.to_lowercase()),
            arg: None,
        })
    }

    /// Elasticsearch's `TypeResolutions.isType` message when argument `i` fails `ok`
    /// (null is accepted everywhere: it folds to a null result).
    pub fn expect(
        &self,
        i: usize,
        ok: impl Fn(DataType) -> bool,
        expected: &str,
    ) -> Result<(), TypeError> {
        let ty = self.ty(i);
        if ty == DataType::Null || ok(ty) {
            return Ok(());
        }
        Err(self.type_error(i, expected))
    }

    pub fn type_error(&self, i: usize, expected: &str) -> TypeError {
        let (text, ty) = self
            .args
            .get(i)
            .map_or(("", DataType::Null), |a| (a.text, a.ty));
        TypeError {
            message: format!(
                "{}argument of [{}] must be [{expected}], found value [{text}] type [{}]",
                self.ordinal(i),
                self.text(),
                ty.name()
            ),
            arg: Some(i),
        }
    }

    /// Argument `i` must be a constant (a percentile, a LIKE pattern, BUCKET's bounds).
    pub fn not_constant(&self, i: usize) -> TypeError {
        TypeError {
            message: format!(
                "{}argument of [{}] must be a constant, received [{}]",
                self.ordinal(i),
                self.text(),
                self.args.get(i).map_or("", |a| a.text)
            ),
            arg: Some(i),
        }
    }

    fn ordinal(&self, i: usize) -> String {
        match ORDINALS.get(i) {
            Some(o) if self.ordinals => format!("{o} "),
            _ => String::new(),
        }
    }

    /// Every argument from `from` on has the type of the first non-null one among them
    /// (CASE branches, COALESCE, GREATEST…): that type, or null when all are null.
    pub fn same_types(&self, from: usize, step: usize) -> Result<DataType, TypeError> {
        let mut found = DataType::Null;
        for i in (from..self.len()).step_by(step.max(1)) {
            let ty = self.ty(i);
            if ty == DataType::Null {
                continue;
            }
            if found == DataType::Null {
                found = ty;
            } else if !same_family(found, ty) {
                return Err(self.type_error(i, found.name()));
            }
        }
        Ok(found)
    }
}

/// keyword and text mix freely (the result is keyword); every other type only matches itself.
fn same_family(a: DataType, b: DataType) -> bool {
    a == b || (a.is_string() && b.is_string())
}

fn word(n: usize) -> String {
    ["zero", "one", "two", "three", "four", "five"]
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub(crate) fn is_string(t: DataType) -> bool {
    t.is_string()
}

pub(crate) fn is_numeric(t: DataType) -> bool {
    t.is_numeric()
}

/// integer and long: the whole numbers a position, a count or a length may be.
pub(crate) fn is_whole(t: DataType) -> bool {
    matches!(t, DataType::Integer | DataType::Long)
}

pub(crate) fn is_date(t: DataType) -> bool {
    matches!(t, DataType::Date | DataType::DateNanos)
}

/// Anything but the constant-only and unsupported types (what `representable` means in ES).
pub(crate) fn is_representable(t: DataType) -> bool {
    !matches!(
        t,
        DataType::DatePeriod | DataType::TimeDuration | DataType::Unsupported
    )
}

/// A resolved call: its result type and the closure evaluating one row.
struct Func<F> {
    ty: DataType,
    f: F,
}

impl<F> ScalarFunction for Func<F>
where
    F: Fn(&[Value], &EvalCtx) -> Result<Value, Failure>,
{
    fn data_type(&self) -> DataType {
        self.ty
    }

    fn eval(&self, args: &[Value], ctx: &EvalCtx) -> Result<Value, Failure> {
        (self.f)(args, ctx)
    }
}

pub(crate) type Resolved = Result<Box<dyn ScalarFunction>, TypeError>;

/// Functions never return text: a string result is keyword (Elasticsearch's
/// `functions_never_emit_text`); [`func_typed`] is for TO_TEXT, the one exception.
pub(crate) fn func<F>(ty: DataType, f: F) -> Resolved
where
    F: Fn(&[Value], &EvalCtx) -> Result<Value, Failure> + 'static,
{
    func_typed(never_text(ty), f)
}

pub(crate) fn func_typed<F>(ty: DataType, f: F) -> Resolved
where
    F: Fn(&[Value], &EvalCtx) -> Result<Value, Failure> + 'static,
{
    Ok(Box::new(Func { ty, f }))
}

pub(crate) fn never_text(ty: DataType) -> DataType {
    if ty == DataType::Text {
        DataType::Keyword
    } else {
        ty
    }
}

/// A function of the row's single values only: null when any is null, a [`Failure`] on a
/// multi-value (checked argument by argument, in order, as Elasticsearch's evaluators do).
pub(crate) fn func_single<F>(ty: DataType, f: F) -> Resolved
where
    F: Fn(&[&Scalar]) -> Result<Value, Failure> + 'static,
{
    func(ty, move |args, _| match singles(args)? {
        Some(values) => f(&values),
        None => Ok(Value::Null),
    })
}

pub(crate) fn mv_failure() -> Failure {
    illegal("single-value function encountered multi-value")
}

pub(crate) fn illegal(message: impl Into<String>) -> Failure {
    Failure {
        exception: "java.lang.IllegalArgumentException",
        message: message.into(),
    }
}

pub(crate) fn arithmetic(message: impl Into<String>) -> Failure {
    Failure {
        exception: "java.lang.ArithmeticException",
        message: message.into(),
    }
}

/// Every argument's single value, or `None` as soon as one is null.
pub(crate) fn singles(args: &[Value]) -> Result<Option<Vec<&Scalar>>, Failure> {
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        match a {
            Value::Null => return Ok(None),
            Value::Many(_) => return Err(mv_failure()),
            Value::One(s) => out.push(s),
        }
    }
    Ok(Some(out))
}

/// One argument's single value (`None` for null).
pub(crate) fn single(v: &Value) -> Result<Option<&Scalar>, Failure> {
    match v {
        Value::Null => Ok(None),
        Value::Many(_) => Err(mv_failure()),
        Value::One(s) => Ok(Some(s)),
    }
}

pub(crate) fn one(s: Scalar) -> Value {
    Value::One(s)
}

pub(crate) fn string(s: impl Into<Box<str>>) -> Value {
    Value::One(Scalar::Str(s.into()))
}

impl Scalar {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) | Scalar::Version(s) => Some(s),
            _ => None,
        }
    }

    /// Any numeric value as a double (unsigned longs above 2^53 round, as in Java).
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match *self {
            Scalar::Int(v) => Some(f64::from(v)),
            Scalar::Long(v) => Some(v as f64),
            Scalar::ULong(v) => Some(v as f64),
            Scalar::Double(v) => Some(v),
            _ => None,
        }
    }

    /// integer and long as a long (the whole-number arguments: positions, lengths, counts).
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match *self {
            Scalar::Int(v) => Some(i64::from(v)),
            Scalar::Long(v) => Some(v),
            _ => None,
        }
    }
}

/// A constant argument's single string value (SPLIT's delimiter, DATE_FORMAT's pattern …).
pub(crate) fn constant_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::single).and_then(Scalar::as_str)
}
