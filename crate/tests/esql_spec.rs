//! Elasticsearch's own ES|QL spec tests (`../shared/conformance/esql/*.csv-spec`), replayed
//! over their datasets and compared as Elasticsearch's runner compares (columns and types, rows
//! in order unless `ignoreOrder`, values after parsing, warnings as a set).
//!
//! Every runnable case that fails is listed in `esql_known_failures.txt` with its reason; the
//! test fails when an unlisted case fails or a listed one passes. After a change, rewrite the
//! list with `ESQL_SPEC_BLESS=1 cargo test --test esql_spec` and update [`PASSING`].

mod common;
#[path = "esql_spec/csvspec.rs"]
mod csvspec;
#[path = "esql_spec/dataset.rs"]
mod dataset;

use csvspec::{Case, Cell};
use ruleplay::esql::eval::convert::{format_date, format_nanos, java_double, parse_nanos};
use ruleplay::esql::value::{DataType, Scalar, Value};
use ruleplay::esql::{self, Options};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Runnable cases (enabled in Elasticsearch, data present, no LOOKUP JOIN/ENRICH).
const RUNNABLE: usize = 1743;
/// Of those, the cases that pass.
const PASSING: usize = 1585;

const LIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/esql_known_failures.txt");

fn canonical(cell: &Cell, ty: DataType) -> Option<Vec<String>> {
    let one = |s: &str| -> String {
        match ty {
            DataType::Integer | DataType::Long => {
                s.parse::<i64>().map_or(s.to_string(), |v| v.to_string())
            }
            DataType::UnsignedLong => s.parse::<u64>().map_or(s.to_string(), |v| v.to_string()),
            DataType::Double => s.parse::<f64>().map_or(s.to_string(), java_double),
            DataType::Date => ruleplay::time::parse_date(s).map_or(s.to_string(), format_date),
            DataType::DateNanos => parse_nanos(s).map_or(s.to_string(), format_nanos),
            DataType::Ip => s
                .parse::<std::net::IpAddr>()
                .map_or(s.to_string(), |ip| ip_text(&ip)),
            DataType::Boolean => s.to_ascii_lowercase(),
            _ => s.to_string(),
        }
    };
    match cell {
        Cell::Null => None,
        Cell::One(s) => Some(vec![one(s)]),
        Cell::Many(v) => Some(v.iter().map(|s| one(s)).collect()),
    }
}

fn ip_text(ip: &std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(v6.to_string(), |v4| v4.to_string()),
        v4 => v4.to_string(),
    }
}

fn actual_text(s: &Scalar) -> String {
    match s {
        Scalar::Double(d) => java_double(*d),
        Scalar::Date(ms) => format_date(*ms),
        Scalar::DateNanos(ns) => format_nanos(*ns),
        Scalar::Ip(ip) => ip_text(ip),
        other => esql::eval::convert::to_text(other),
    }
}

fn actual_cell(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Null => None,
        other => Some(other.values().iter().map(actual_text).collect()),
    }
}

fn sort_rows(rows: &mut [Vec<Option<Vec<String>>>]) {
    rows.sort_by(|a, b| {
        for (x, y) in a.iter().zip(b) {
            let o = match (x, y) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) => x.cmp(y),
            };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
}

fn uses_full_text(q: &str) -> bool {
    let l = q.to_ascii_lowercase();
    l.contains("kql(") || l.contains("match(") || l.contains("qstr(") || l.contains("match_phrase(")
}

/// `Ok(())` when the case passes, else why not (one line).
fn run_case(case: &Case, events: &[Json], opts: &Options) -> Result<(), String> {
    let Some(columns) = &case.columns else {
        return Err("expected table does not parse".into());
    };
    let query = esql::parse(&case.query)
        .map_err(|e| format!("parse: {}", esql::es_message(&case.query, &e[0])))?;
    let out =
        esql::evaluate(&query, events, opts).map_err(|e| format!("evaluate: {}", e.message))?;
    let got: Vec<(String, DataType)> = out
        .table
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty))
        .collect();
    let want: Vec<(String, DataType)> = columns
        .iter()
        .map(|(n, t)| (n.clone(), dataset::data_type(t)))
        .collect();
    let same_cols = got.len() == want.len()
        && got.iter().zip(&want).all(|((gn, gt), (wn, wt))| {
            gn == wn && (gt == wt || (*gt == DataType::Integer && *wt == DataType::Long))
        });
    if !same_cols {
        let show = |c: &[(String, DataType)]| {
            c.iter()
                .map(|(n, t)| format!("{n}:{}", t.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "columns: got [{}], expected [{}]",
            show(&got),
            show(&want)
        ));
    }
    let mut want_rows: Vec<Vec<Option<Vec<String>>>> = case
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(&want)
                .map(|(c, (_, t))| canonical(c, *t))
                .collect()
        })
        .collect();
    let mut got_rows: Vec<Vec<Option<Vec<String>>>> = out
        .table
        .rows
        .iter()
        .map(|r| r.iter().map(actual_cell).collect())
        .collect();
    if case.ignore_order {
        sort_rows(&mut want_rows);
        sort_rows(&mut got_rows);
    }
    if got_rows.len() != want_rows.len() {
        return Err(format!(
            "rows: got {}, expected {}",
            got_rows.len(),
            want_rows.len()
        ));
    }
    for (i, (g, w)) in got_rows.iter().zip(&want_rows).enumerate() {
        if g != w {
            return Err(format!("row {i}: got {g:?}, expected {w:?}"));
        }
    }
    // Elasticsearch's warning headers escape quotes; older files write the text without the
    // `Line L:C:` position and with regex escapes: compare loosely (position and backslashes
    // dropped) unless a regex is given.
    let mut got_w: Vec<String> = out
        .warnings
        .iter()
        .map(|w| w.replace('"', "\\\""))
        .collect();
    got_w.sort();
    if !case.warning_regexes.is_empty() {
        let res: Vec<regex_lite::Regex> = case
            .warning_regexes
            .iter()
            .filter_map(|r| regex_lite::Regex::new(&format!(".*{r}.*")).ok())
            .collect();
        if let Some(w) = got_w.iter().find(|w| !res.iter().any(|r| r.is_match(w))) {
            return Err(format!("warning not allowed: {w}"));
        }
        return Ok(());
    }
    let loose = |w: &str| -> String {
        let w = match w.strip_prefix("Line ") {
            Some(rest) => rest.split_once(": ").map_or(rest, |(_, t)| t),
            None => w,
        };
        w.replace('\\', "")
    };
    let mut want_w = case.warnings.clone();
    want_w.sort();
    want_w.dedup();
    // Without a position, some files write the text as a Java regex (`\[.*x < \\\"C\\\".*\]`).
    let matches = |want: &str, got: &str| {
        if want.starts_with("Line ") {
            return want == got;
        }
        let bare = got.split_once(": ").map_or(got, |(_, t)| t);
        loose(want) == loose(got)
            || regex_lite::Regex::new(&format!("^{want}$")).is_ok_and(|r| r.is_match(bare))
    };
    let all_expected = want_w.iter().all(|w| got_w.iter().any(|g| matches(w, g)));
    let all_actual = got_w.iter().all(|g| want_w.iter().any(|w| matches(w, g)));
    if !(all_expected && all_actual) {
        return Err(format!("warnings: got {got_w:?}, expected {want_w:?}"));
    }
    Ok(())
}

fn key(case: &Case, seen: &mut HashMap<String, usize>) -> String {
    let file = case.file.trim_end_matches(".csv-spec");
    let base = format!("{file}:{}", case.name);
    let n = seen.entry(base.clone()).or_default();
    *n += 1;
    if *n > 1 {
        format!("{base} ({n})")
    } else {
        base
    }
}

fn one_line(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}

#[test]
fn esql_spec_suite() {
    let Some(dir) = common::shared("esql_spec_suite", "conformance/esql") else {
        return;
    };
    let data = dir.join("data");
    let mut events = Vec::new();
    let mut indices = Vec::new();
    for (index, file, overrides) in dataset::INDICES {
        let (ev, cols) = dataset::load(&data, index, file, overrides);
        events.extend(ev);
        indices.push(cols);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let opts = Options {
        now_millis: now,
        params: Vec::new(),
        indices,
        ecs_columns: false,
    };
    let available: Vec<&str> = dataset::INDICES.iter().map(|(i, _, _)| *i).collect();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "csv-spec"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();

    let mut results: Vec<(String, Result<(), String>)> = Vec::new();
    let mut panics = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut seen = HashMap::new();
        for case in csvspec::parse(&name, &text) {
            let k = key(&case, &mut seen);
            let lower = case.query.to_ascii_lowercase();
            let runnable = csvspec::enabled(&case)
                && case.columns.is_some()
                && csvspec::indices(&case.query)
                    .iter()
                    .all(|i| available.contains(&i.as_str()))
                && !lower.contains("lookup join")
                && !(lower.contains("| enrich") || lower.contains("|enrich"));
            if !runnable {
                continue;
            }
            if std::env::var("ESQL_SPEC_TRACE").is_ok() {
                eprintln!("{k}");
            }
            let r = std::panic::catch_unwind(|| run_case(&case, &events, &opts));
            let r = match r {
                Ok(r) => r,
                Err(_) => {
                    panics.push(k.clone());
                    Err("PANIC".into())
                }
            };
            let r = r.map_err(|e| {
                if uses_full_text(&case.query) {
                    format!("full-text (no analyzers offline): {}", one_line(&e))
                } else {
                    one_line(&e)
                }
            });
            results.push((k, r));
        }
    }
    let passing = results.iter().filter(|(_, r)| r.is_ok()).count();
    eprintln!(
        "ES|QL spec: {passing} of {} runnable cases pass",
        results.len()
    );
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (_, r) in &results {
        if let Err(e) = r {
            let group: String = e.split([':', '[']).next().unwrap_or("").to_string();
            *reasons.entry(group).or_default() += 1;
        }
    }
    for (g, n) in &reasons {
        eprintln!("  {n:5}  {g}");
    }

    if std::env::var("ESQL_SPEC_BLESS").is_ok() {
        let mut out = String::from(
            "# ES|QL spec cases (../shared/conformance/esql) that fail, with why: `file:case  reason`.\n\
             # Rewritten by `ESQL_SPEC_BLESS=1 cargo test --test esql_spec`; the test fails when a\n\
             # listed case passes or an unlisted one fails.\n",
        );
        for (k, r) in &results {
            if let Err(e) = r {
                out.push_str(&format!("{k}  {e}\n"));
            }
        }
        std::fs::write(LIST, out).expect("write the known-failures list");
        eprintln!("wrote {LIST}; set PASSING = {passing}");
        return;
    }
    assert!(panics.is_empty(), "the evaluator panicked on: {panics:?}");
    let listed: Vec<String> = std::fs::read_to_string(LIST)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split("  ").next().unwrap_or("").to_string())
        .collect();
    let mut problems = Vec::new();
    for (k, r) in &results {
        let is_listed = listed.contains(k);
        match r {
            Ok(()) if is_listed => {
                problems.push(format!("{k} now passes: remove it from the list"))
            }
            Err(e) if !is_listed => problems.push(format!("{k} fails and is not listed: {e}")),
            _ => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(results.len(), RUNNABLE, "runnable cases");
    assert_eq!(passing, PASSING, "passing cases");
    let _ = Path::new(LIST);
}
