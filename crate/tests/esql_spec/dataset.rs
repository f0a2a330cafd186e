//! The spec datasets (`data/*.csv`) as JSON events with `_index`, and their typed headers as
//! the indices' declared columns (README.txt, "DATASET CSV FORMAT").

use ruleplay::esql::eval::IndexColumns;
use ruleplay::esql::value::DataType;
use ruleplay::esql::Column;
use serde_json::{Map, Value as Json};
use std::path::Path;

/// `(column, type)` replacing a data file's header type.
type Overrides = &'static [(&'static str, &'static str)];

/// Index name → (data file, column type overrides).
pub const INDICES: &[(&str, &str, Overrides)] = &[
    ("employees", "employees", &[]),
    ("hosts", "hosts", &[]),
    ("sample_data", "sample_data", &[]),
    (
        "sample_data_str",
        "sample_data",
        &[("client_ip", "keyword")],
    ),
    ("sample_data_ts_long", "sample_data_ts_long", &[]),
    ("sample_data_ts_nanos", "sample_data_ts_nanos", &[]),
    ("ul_logs", "ul_logs", &[]),
    ("addresses", "addresses", &[]),
    ("languages", "languages", &[]),
    ("mv_text", "mv_text", &[]),
    ("trim_test", "trim_test", &[]),
    ("mv_sample_data", "mv_sample_data", &[]),
    ("json_logs", "json_logs", &[]),
    ("books", "books", &[]),
    ("date_nanos", "date_nanos", &[]),
    ("employees_incompatible", "employees_incompatible", &[]),
];

pub fn data_type(t: &str) -> DataType {
    match t.to_ascii_lowercase().as_str() {
        "integer" | "i" | "short" | "byte" => DataType::Integer,
        "long" | "l" => DataType::Long,
        "unsigned_long" | "ul" => DataType::UnsignedLong,
        "double" | "d" | "float" | "half_float" | "scaled_float" => DataType::Double,
        "keyword" | "k" | "s" | "string" => DataType::Keyword,
        "text" | "txt" => DataType::Text,
        "ip" => DataType::Ip,
        "version" | "v" => DataType::Version,
        "boolean" | "bool" => DataType::Boolean,
        "date" | "dt" | "datetime" => DataType::Date,
        "date_nanos" => DataType::DateNanos,
        "null" | "n" => DataType::Null,
        "time_duration" => DataType::TimeDuration,
        "date_period" => DataType::DatePeriod,
        _ => DataType::Unsupported,
    }
}

fn split_cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_list = false;
    let mut prev = '\0';
    for c in line.chars() {
        match c {
            '[' if cur.trim().is_empty() => {
                in_list = true;
                cur.push(c);
            }
            ']' if in_list => {
                in_list = false;
                cur.push(c);
            }
            ',' if prev != '\\' && !in_list => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
        prev = c;
    }
    out.push(cur);
    out
}

fn unescape(s: &str) -> String {
    let t = s.trim();
    let t = if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        &t[1..t.len() - 1]
    } else {
        t
    };
    t.replace("\\,", ",")
}

/// A float column's stored value (float32), a half_float's, a scaled_float's (factor 100).
fn stored(kind: &str, v: &str) -> Json {
    if !matches!(kind, "float" | "half_float" | "scaled_float") {
        return Json::String(v.to_string());
    }
    let Ok(d) = v.parse::<f64>() else {
        return Json::String(v.to_string());
    };
    let d = match kind {
        "float" => f64::from(d as f32),
        "half_float" => {
            // Round to 11 significant bits (half precision), ties to even.
            if d == 0.0 {
                0.0
            } else {
                let e = d.abs().log2().floor();
                let q = 2f64.powf(e - 10.0);
                let x = d / q;
                let r = x.round();
                let r = if (x - x.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
                    r - x.signum()
                } else {
                    r
                };
                r * q
            }
        }
        "scaled_float" => (d * 100.0).round() / 100.0,
        _ => d,
    };
    serde_json::Number::from_f64(d).map_or(Json::Null, Json::Number)
}

/// The events of one index and its declared columns.
pub fn load(
    dir: &Path,
    index: &str,
    file: &str,
    overrides: &[(&str, &str)],
) -> (Vec<Json>, IndexColumns) {
    let text = std::fs::read_to_string(dir.join(format!("{file}.csv"))).unwrap_or_default();
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"));
    let header: Vec<(String, String)> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(|h| {
            let (n, t) = h.split_once(':').unwrap_or((h, "keyword"));
            let n = n.trim().to_string();
            let t = overrides
                .iter()
                .find(|(o, _)| *o == n)
                .map_or(t.trim(), |(_, t)| t)
                .to_string();
            (n, t)
        })
        .collect();
    let mut events = Vec::new();
    for line in lines {
        let mut obj = Map::new();
        obj.insert("_index".into(), Json::String(index.into()));
        for ((name, ty), raw) in header.iter().zip(split_cells(line)) {
            let raw = raw.trim();
            if raw.is_empty() || raw == "[]" {
                continue;
            }
            let values: Vec<String> = if raw.starts_with('[') && raw.ends_with(']') {
                split_cells(&raw[1..raw.len() - 1])
                    .iter()
                    .map(|v| unescape(v))
                    .collect()
            } else {
                vec![unescape(raw)]
            };
            let mut values: Vec<Json> = values.iter().map(|v| stored(ty, v)).collect();
            if ty == "text" {
                // CsvTests sorts every multi-value (text fields come from a keyword sub-field).
                values.sort_by_key(|v| v.to_string());
                values.dedup();
            }
            let v = if values.len() == 1 {
                values.remove(0)
            } else {
                Json::Array(values)
            };
            obj.insert(name.clone(), v);
        }
        if index == "books" {
            // books' text fields have a `.keyword` sub-field in Elasticsearch's mapping.
            for (name, ty) in &header {
                if ty == "text" {
                    if let Some(v) = obj.get(name).cloned() {
                        obj.insert(format!("{name}.keyword"), v);
                    }
                }
            }
        }
        events.push(Json::Object(obj));
    }
    let columns = header
        .iter()
        .filter(|(n, _)| n != "_id")
        .map(|(n, t)| Column {
            name: n.clone(),
            ty: data_type(t),
        })
        .collect();
    (
        events,
        IndexColumns {
            index: index.to_string(),
            columns,
        },
    )
}
