//! Writing TOML from JSON values (detection-rules rule and exception files): a small writer
//! over `toml_writer`'s quoting, shared by `exceptions::toml_format` and `rule::from_kibana`.

use serde_json::{Map, Value};
use toml_writer::{ToTomlKey, ToTomlValue};

/// `YYYY/MM/DD` (detection-rules' date) from an ISO date-time, if it is one.
pub fn dr_date(iso: Option<&Value>) -> Option<String> {
    let s = iso?.as_str()?;
    let (y, m, d) = (s.get(0..4)?, s.get(5..7)?, s.get(8..10)?);
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    (digits(y) && digits(m) && digits(d)).then(|| format!("{y}/{m}/{d}"))
}

/// A small TOML writer over `toml_writer`'s quoting: scalar keys first, then sub-tables and
/// arrays of tables (TOML needs them after a table's own keys).
#[derive(Default)]
pub struct Writer {
    pub out: String,
}

/// Whether `v` is written on its key's line (not as a `[table]` or `[[array]]` of its own).
pub fn is_inline(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.values().all(|x| !x.is_object() && !table_array(x)),
        v => !table_array(v),
    }
}

/// A non-empty array of objects only: written as `[[key]]` tables.
fn table_array(v: &Value) -> bool {
    matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_object))
}

impl Writer {
    pub fn line(&mut self, s: &str) {
        if !self.out.is_empty() && s.starts_with('[') {
            self.out.push('\n');
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn header(path: &[&str], array: bool) -> String {
        let keys: Vec<String> = path.iter().map(|k| k.to_toml_key()).collect();
        let (open, close) = if array { ("[[", "]]") } else { ("[", "]") };
        format!("{open}{}{close}", keys.join("."))
    }

    pub fn table(&mut self, path: &[&str], m: &Map<String, Value>, array: bool) {
        self.line(&Self::header(path, array));
        for (k, v) in m.iter().filter(|(_, v)| is_inline(v) && !v.is_null()) {
            self.line(&format!("{} = {}", k.to_toml_key(), inline(v)));
        }
        for (k, v) in m.iter().filter(|(_, v)| !is_inline(v)) {
            let mut sub: Vec<&str> = path.to_vec();
            sub.push(k);
            match v {
                Value::Object(o) => self.table(&sub, o, false),
                Value::Array(a) => {
                    for o in a.iter().filter_map(Value::as_object) {
                        self.table(&sub, o, true);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A value on one line (inline tables and arrays; nulls inside them left out).
pub fn inline(v: &Value) -> String {
    match v {
        Value::Null => "\"\"".into(),
        Value::Bool(b) => b.to_toml_value(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_toml_value(),
            (None, Some(f)) => f.to_toml_value(),
            _ => n.to_string().as_str().to_toml_value(),
        },
        Value::String(s) => s.as_str().to_toml_value(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter(|x| !x.is_null()).map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| format!("{} = {}", k.to_toml_key(), inline(x)))
                .collect();
            if parts.is_empty() {
                "{}".into()
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
    }
}
