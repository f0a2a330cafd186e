//! COUNT, COUNT_DISTINCT, VALUES, MIN/MAX, SUM, AVG.
//!
//! COUNT_DISTINCT is exact here. Elasticsearch uses HyperLogLog++ with a precision threshold
//! (default 3,000, at most 40,000) under which counts are exact but for hash collisions; past
//! it Elasticsearch's count is an estimate, so on large cardinalities the two may differ.

use super::super::math::{as_i128, NumKind};
use super::super::mv::kahan;
use super::super::order::sort_order;
use super::super::sig::arithmetic;
use super::super::{Accumulator, Failure};
use crate::esql::value::{DataType, Scalar, Value};
use std::collections::HashSet;

/// A hashable identity for a value (doubles by their bits, everything else by its text).
fn key(s: &Scalar) -> String {
    match s {
        Scalar::Double(d) => format!("d{}", d.to_bits()),
        other => format!("{other:?}"),
    }
}

fn first(args: &[Value]) -> &[Scalar] {
    args.first().map_or(&[][..], Value::values)
}

pub(super) struct Count {
    star: bool,
    n: i64,
}

impl Count {
    pub fn new(star: bool) -> Self {
        Count { star, n: 0 }
    }
}

impl Accumulator for Count {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        self.n += if self.star {
            1
        } else {
            first(args).len() as i64
        };
        Ok(())
    }

    fn finish(&self) -> Value {
        Value::One(Scalar::Long(self.n))
    }
}

#[derive(Default)]
pub(super) struct Distinct {
    seen: HashSet<String>,
}

impl Accumulator for Distinct {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        for s in first(args) {
            self.seen.insert(key(s));
        }
        Ok(())
    }

    fn finish(&self) -> Value {
        Value::One(Scalar::Long(self.seen.len() as i64))
    }
}

/// Distinct values in the order first seen.
#[derive(Default)]
pub(super) struct Values {
    seen: HashSet<String>,
    values: Vec<Scalar>,
}

impl Accumulator for Values {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        for s in first(args) {
            if self.seen.insert(key(s)) {
                self.values.push(s.clone());
            }
        }
        Ok(())
    }

    fn finish(&self) -> Value {
        Value::from_vec(self.values.clone())
    }
}

pub(super) struct Extreme {
    max: bool,
    best: Option<Scalar>,
}

impl Extreme {
    pub fn new(max: bool) -> Self {
        Extreme { max, best: None }
    }
}

impl Accumulator for Extreme {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        for s in first(args) {
            let better = match &self.best {
                None => true,
                Some(b) => {
                    let o = sort_order(s, b);
                    if self.max {
                        o.is_gt()
                    } else {
                        o.is_lt()
                    }
                }
            };
            if better {
                self.best = Some(s.clone());
            }
        }
        Ok(())
    }

    fn finish(&self) -> Value {
        self.best.clone().map_or(Value::Null, Value::One)
    }
}

/// SUM: exact in a long (integers and longs sum to a long) or unsigned long, failing on
/// overflow; compensated for doubles.
pub(super) struct Sum {
    kind: NumKind,
    whole: i128,
    doubles: Vec<f64>,
    seen: bool,
    failed: bool,
}

impl Sum {
    pub fn new(ty: DataType) -> Self {
        Sum {
            kind: NumKind::of(ty),
            whole: 0,
            doubles: Vec::new(),
            seen: false,
            failed: false,
        }
    }
}

impl Accumulator for Sum {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        if self.failed {
            return Ok(());
        }
        for s in first(args) {
            self.seen = true;
            if self.kind == NumKind::Double {
                self.doubles.extend(s.as_f64());
                continue;
            }
            self.whole += as_i128(s).unwrap_or_default();
            if self.kind.exact(self.whole).is_err() {
                self.failed = true;
                return Err(arithmetic(if self.kind == NumKind::ULong {
                    "unsigned_long overflow"
                } else {
                    "long overflow"
                }));
            }
        }
        Ok(())
    }

    fn finish(&self) -> Value {
        if self.failed || !self.seen {
            return Value::Null;
        }
        if self.kind == NumKind::Double {
            return Value::One(Scalar::Double(kahan(self.doubles.iter().copied())));
        }
        self.kind.exact(self.whole).map_or(Value::Null, Value::One)
    }
}

#[derive(Default)]
pub(super) struct Avg {
    whole: i128,
    doubles: Vec<f64>,
    count: u64,
}

impl Accumulator for Avg {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        for s in first(args) {
            self.count += 1;
            match as_i128(s) {
                Some(v) => self.whole += v,
                None => self.doubles.extend(s.as_f64()),
            }
        }
        Ok(())
    }

    fn finish(&self) -> Value {
        if self.count == 0 {
            return Value::Null;
        }
        let sum = self.whole as f64 + kahan(self.doubles.iter().copied());
        Value::One(Scalar::Double(sum / self.count as f64))
    }
}

/// PRESENT (any value in the group) and ABSENT (none).
pub(super) struct Present {
    present: bool,
    seen: bool,
}

impl Present {
    pub fn new(present: bool) -> Self {
        Present {
            present,
            seen: false,
        }
    }
}

impl Accumulator for Present {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        self.seen |= !first(args).is_empty();
        Ok(())
    }

    fn finish(&self) -> Value {
        Value::One(Scalar::Bool(self.seen == self.present))
    }
}
