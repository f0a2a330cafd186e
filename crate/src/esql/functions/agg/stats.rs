//! Distribution aggregations: MEDIAN, PERCENTILE, MEDIAN_ABSOLUTE_DEVIATION (all exact here,
//! where Elasticsearch's t-digest is exact only for small groups: it interpolates linearly
//! between the sorted values), STD_DEV and VARIANCE (population, Welford), WEIGHTED_AVG, TOP.

use super::super::order::sort_order;
use super::super::{Accumulator, Failure};
use crate::esql::value::{Scalar, Value};

fn values(args: &[Value], i: usize) -> &[Scalar] {
    args.get(i).map_or(&[][..], Value::values)
}

enum Summary {
    Percentile(f64),
    Mad,
}

pub(super) struct Collect {
    summary: Summary,
    values: Vec<f64>,
}

impl Collect {
    pub fn percentile(p: f64) -> Self {
        Collect {
            summary: Summary::Percentile(p),
            values: Vec::new(),
        }
    }

    pub fn mad() -> Self {
        Collect {
            summary: Summary::Mad,
            values: Vec::new(),
        }
    }
}

/// The `p`th percentile of sorted values, interpolating between neighbours.
pub(crate) fn percentile_of(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let index = p / 100.0 * last as f64;
    let lo = index.floor() as usize;
    let hi = index.ceil() as usize;
    let (a, b) = (*sorted.get(lo)?, *sorted.get(hi.min(last))?);
    Some(a + (b - a) * (index - lo as f64))
}

impl Accumulator for Collect {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        self.values
            .extend(values(args, 0).iter().filter_map(Scalar::as_f64));
        Ok(())
    }

    fn finish(&self) -> Value {
        let mut sorted = self.values.clone();
        sorted.sort_by(f64::total_cmp);
        let result = match self.summary {
            Summary::Percentile(p) => percentile_of(&sorted, p),
            Summary::Mad => percentile_of(&sorted, 50.0).and_then(|median| {
                let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - median).abs()).collect();
                deviations.sort_by(f64::total_cmp);
                percentile_of(&deviations, 50.0)
            }),
        };
        result.map_or(Value::Null, |v| Value::One(Scalar::Double(v)))
    }
}

/// Welford's running mean and squared deviations.
pub(super) struct Moments {
    std_dev: bool,
    count: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    pub fn std_dev() -> Self {
        Moments {
            std_dev: true,
            count: 0.0,
            mean: 0.0,
            m2: 0.0,
        }
    }

    pub fn variance() -> Self {
        Moments {
            std_dev: false,
            ..Moments::std_dev()
        }
    }
}

impl Accumulator for Moments {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        for v in values(args, 0).iter().filter_map(Scalar::as_f64) {
            self.count += 1.0;
            let delta = v - self.mean;
            self.mean += delta / self.count;
            self.m2 += delta * (v - self.mean);
        }
        Ok(())
    }

    fn finish(&self) -> Value {
        if self.count == 0.0 {
            return Value::Null;
        }
        let variance = self.m2 / self.count;
        let v = if self.std_dev {
            variance.sqrt()
        } else {
            variance
        };
        Value::One(Scalar::Double(v))
    }
}

/// `sum(x * w) / sum(w)` over rows whose value and weight are both single values.
#[derive(Default)]
pub(super) struct WeightedAvg {
    sum: f64,
    weights: f64,
    seen: bool,
}

impl Accumulator for WeightedAvg {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        let (x, w) = (values(args, 0), values(args, 1));
        if x.is_empty() || w.is_empty() {
            return Ok(());
        }
        let [w] = w else {
            return Err(super::super::sig::mv_failure());
        };
        let w = w.as_f64().unwrap_or_default();
        for v in x.iter().filter_map(Scalar::as_f64) {
            self.sum += v * w;
            self.weights += w;
            self.seen = true;
        }
        Ok(())
    }

    fn finish(&self) -> Value {
        if !self.seen || self.weights == 0.0 {
            return Value::Null;
        }
        Value::One(Scalar::Double(self.sum / self.weights))
    }
}

/// The `limit` smallest (or largest) values, sorted.
pub(super) struct Top {
    limit: usize,
    desc: bool,
    values: Vec<Scalar>,
}

impl Top {
    pub fn new(limit: usize, desc: bool) -> Self {
        Top {
            limit,
            desc,
            values: Vec::new(),
        }
    }
}

impl Accumulator for Top {
    fn add(&mut self, args: &[Value]) -> Result<(), Failure> {
        self.values.extend(values(args, 0).iter().cloned());
        if self.values.len() > self.limit.saturating_mul(4).max(1024) {
            self.trim();
        }
        Ok(())
    }

    fn finish(&self) -> Value {
        let mut top = Top {
            limit: self.limit,
            desc: self.desc,
            values: self.values.clone(),
        };
        top.trim();
        Value::from_vec(top.values)
    }
}

impl Top {
    fn trim(&mut self) {
        let desc = self.desc;
        self.values.sort_by(|a, b| {
            let o = sort_order(a, b);
            if desc {
                o.reverse()
            } else {
                o
            }
        });
        self.values.truncate(self.limit);
    }
}
