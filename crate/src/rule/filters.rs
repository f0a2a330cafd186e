//! Kibana filter objects (`[[rule.filters]]`), ANDed with the rule's query.
//!
//! The simple shapes Kibana writes are evaluated: `match_phrase`, `match`, `term(s)`, `wildcard`,
//! `exists` (also the legacy top-level `exists`), `bool` of those, `match_all`, with
//! `meta.negate` and `meta.disabled`. Anything else is reported in the notes and ignored, since
//! guessing its meaning would give verdicts Elasticsearch would not.
//!
//! The leaf matchers here (`phrase_matches`, [`es_wildcard`]) follow Elasticsearch's per-type
//! semantics and are shared with exception items, which Kibana turns into the same queries.

use crate::diagnostic::Span;
use crate::event::ecs::{field_info, FieldInfo, FieldType};
use crate::event::lookup::FieldPath;
use crate::explain::{Clause, Looked, Verdict};
use crate::pattern::cidr::{same_ip, Cidr};
use crate::pattern::text::{matches_any_token, matches_phrase, tokens};
use crate::pattern::wildcard::{Piece, Wildcard};
use crate::time::parse_date;
use serde_json::Value;

/// Compiled filters are nested at most this deep (`bool` inside `bool` …).
const MAX_DEPTH: usize = 32;

/// One leaf test on a field.
#[derive(Clone, Debug)]
pub struct FieldTest {
    pub field: String,
    path: FieldPath,
    info: FieldInfo,
    pub kind: TestKind,
}

#[derive(Clone, Debug)]
pub enum TestKind {
    /// `match_phrase` / `term`: exact for keyword-like fields, a phrase for text fields, numeric
    /// equality for numbers, and so on (see [`phrase_matches`]).
    Phrase(String),
    /// `match`: like `Phrase`, except text fields need only one of the query's tokens.
    Match(String),
    Wildcard(Wildcard),
    Exists,
    /// A test defined elsewhere (a value list of an exception entry), so this module needs not
    /// know the layers that use it.
    Custom(std::sync::Arc<dyn ValueTest>),
}

/// A per-value test on a field of type `info`, any value of the field matching.
pub trait ValueTest: std::fmt::Debug + Send + Sync {
    fn test(&self, info: &FieldInfo, v: &Value) -> bool;
    /// What the test looks for, as the explanation shows it (`value list "hosts.txt"`).
    fn describe(&self) -> String;
}

#[derive(Clone, Debug)]
pub enum Cond {
    Test(FieldTest),
    /// `bool`: all `must`, none of `must_not`, and at least `min_should` of `should`.
    Bool {
        must: Vec<Cond>,
        should: Vec<Cond>,
        must_not: Vec<Cond>,
        min_should: usize,
    },
    /// Elasticsearch `nested`: one object under `path` must satisfy `cond` on its own (fields in
    /// `cond` are relative to the object).
    Nested {
        field: String,
        path: FieldPath,
        cond: Box<Cond>,
    },
    All,
}

#[derive(Clone, Debug)]
pub struct Filter {
    /// Position in `[[rule.filters]]`, 0-based.
    pub index: usize,
    pub negate: bool,
    pub cond: Cond,
}

/// Compile the rule's filters; the second value lists notes about filters that were skipped.
pub fn compile_filters(raw: &[Value]) -> (Vec<Filter>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for (index, f) in raw.iter().enumerate() {
        let meta = f.get("meta");
        let flag = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_bool) == Some(true);
        if flag("disabled") {
            notes.push(format!("filter #{} is disabled and was ignored", index + 1));
            continue;
        }
        let query = f.get("query").or_else(|| {
            // Older Kibana versions put the query clause at the top level of the filter.
            f.as_object().and_then(|o| {
                o.iter()
                    .find(|(k, _)| !matches!(k.as_str(), "meta" | "$state"))
                    .map(|_| f)
            })
        });
        let cond = match query {
            Some(q) => compile_query(q, 0),
            None => Err("it has no query".to_string()),
        };
        match cond {
            Ok(cond) => out.push(Filter {
                index,
                negate: flag("negate"),
                cond,
            }),
            Err(why) => notes.push(format!(
                "filter #{} was ignored: {why} (only match_phrase, match, term, terms, wildcard, exists and bool of those are evaluated)",
                index + 1
            )),
        }
    }
    (out, notes)
}

fn compile_query(q: &Value, depth: usize) -> Result<Cond, String> {
    if depth > MAX_DEPTH {
        return Err(format!("it is nested deeper than {MAX_DEPTH} levels"));
    }
    let obj = q.as_object().ok_or("a query clause must be an object")?;
    let mut conds = Vec::new();
    for (key, body) in obj {
        let cond = match key.as_str() {
            "meta" | "$state" => continue,
            "match_all" => Cond::All,
            "match_phrase" => {
                field_clause(body, |_, v| leaf_text(v, "query").map(TestKind::Phrase))?
            }
            "match" => field_clause(body, |_, v| leaf_text(v, "query").map(TestKind::Match))?,
            "term" => field_clause(body, |_, v| leaf_text(v, "value").map(TestKind::Phrase))?,
            "terms" => terms(body)?,
            "wildcard" => field_clause(body, |field, v| {
                let pattern = leaf_text(v, "value").or_else(|| leaf_text(v, "wildcard"))?;
                let ci = v.get("case_insensitive").and_then(Value::as_bool) == Some(true);
                Some(TestKind::Wildcard(wildcard_for(field, &pattern, ci)))
            })?,
            "exists" => {
                let field = body
                    .get("field")
                    .and_then(Value::as_str)
                    .ok_or("exists needs a field")?;
                Cond::Test(FieldTest::new(field, TestKind::Exists))
            }
            "bool" => compile_bool(body, depth)?,
            other => return Err(format!("`{other}` queries are not supported")),
        };
        conds.push(cond);
    }
    match conds.len() {
        0 => Err("the query clause is empty".into()),
        1 => Ok(conds.pop().unwrap_or(Cond::All)),
        _ => Ok(Cond::Bool {
            must: conds,
            should: Vec::new(),
            must_not: Vec::new(),
            min_should: 0,
        }),
    }
}

fn compile_bool(body: &Value, depth: usize) -> Result<Cond, String> {
    let list = |k: &str| -> Result<Vec<Cond>, String> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                items.iter().map(|q| compile_query(q, depth + 1)).collect()
            }
            Some(q) => Ok(vec![compile_query(q, depth + 1)?]),
        }
    };
    let mut must = list("must")?;
    must.extend(list("filter")?);
    let should = list("should")?;
    let must_not = list("must_not")?;
    // Elasticsearch: with no must/filter, at least one should clause must match.
    let min_should = match body.get("minimum_should_match") {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(1) as usize,
        Some(Value::String(s)) => s.parse().map_err(|_| {
            format!("minimum_should_match \"{s}\" is not supported (only a number)")
        })?,
        _ if should.is_empty() || !must.is_empty() => 0,
        _ => 1,
    };
    Ok(Cond::Bool {
        must,
        should,
        must_not,
        min_should,
    })
}

/// `{ "field": value }` or `{ "field": { "query"|"value": value, … } }`.
fn field_clause(
    body: &Value,
    kind: impl Fn(&str, &Value) -> Option<TestKind>,
) -> Result<Cond, String> {
    let obj = body.as_object().ok_or("expected { field: value }")?;
    let (field, v) = obj.iter().next().ok_or("expected { field: value }")?;
    let kind = kind(field, v).ok_or_else(|| format!("cannot read the value for {field}"))?;
    Ok(Cond::Test(FieldTest::new(field, kind)))
}

fn terms(body: &Value) -> Result<Cond, String> {
    let obj = body.as_object().ok_or("expected { field: [values] }")?;
    let (field, v) = obj
        .iter()
        .find(|(k, _)| k.as_str() != "boost")
        .ok_or("expected { field: [values] }")?;
    let values = v.as_array().ok_or("terms needs a list of values")?;
    let should = values
        .iter()
        .filter_map(scalar_text)
        .map(|t| Cond::Test(FieldTest::new(field, TestKind::Phrase(t))))
        .collect();
    Ok(Cond::Bool {
        must: Vec::new(),
        should,
        must_not: Vec::new(),
        min_should: 1,
    })
}

fn leaf_text(v: &Value, key: &str) -> Option<String> {
    match v {
        Value::Object(o) => o.get(key).and_then(scalar_text),
        other => scalar_text(other),
    }
}

/// Text of a JSON scalar the way Elasticsearch indexes it into a keyword field.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An Elasticsearch `wildcard` query pattern: `*` any run, `?` one character, `\` escapes the next.
pub fn es_wildcard(pattern: &str, case_insensitive: bool) -> Wildcard {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(if c == '*' { Piece::Any } else { Piece::One });
            }
            // A trailing backslash stays a backslash (Lucene does the same).
            '\\' => lit.push(chars.next().unwrap_or('\\')),
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Wildcard::new(&pieces, case_insensitive)
}

/// A wildcard query for `field`: text fields hold lowercased tokens and Elasticsearch normalises
/// the pattern the same way, so it is compiled case-insensitively for them.
pub fn wildcard_for(field: &str, pattern: &str, case_insensitive: bool) -> Wildcard {
    es_wildcard(pattern, case_insensitive || field_info(field).ty.is_text())
}

/// `match_phrase` / `term` of `q` against one event value of a field of type `info`.
pub fn phrase_matches(info: &FieldInfo, v: &Value, q: &str) -> bool {
    if let Some(leaves) = flattened_object(info, v) {
        return leaves.into_iter().any(|l| phrase_matches(info, l, q));
    }
    let Some(text) = scalar_text(v) else {
        return false;
    };
    let ty = info.ty;
    if ty.is_text() {
        return matches_phrase(&text, q);
    }
    if ty.is_numeric() {
        // At the field's stored precision (`float` is 32-bit: FieldType::stored_f64).
        return match (text.trim().parse::<f64>(), q.trim().parse::<f64>()) {
            (Ok(a), Ok(b)) => ty.stored_f64(a) == ty.stored_f64(b),
            _ => false,
        };
    }
    if ty.is_date() {
        // A term on a date field is the range the date names (`2024-05-01`: that whole day),
        // as in KQL and EQL (`time::date_range`, DateFieldMapper.termQuery).
        return match (parse_date(&text), crate::time::date_range(q)) {
            (Some(a), Some((lo, hi))) => lo <= a && a <= hi,
            _ => false,
        };
    }
    match ty {
        FieldType::Boolean => parse_bool(&text).is_some() && parse_bool(&text) == parse_bool(q),
        FieldType::Ip => {
            if q.contains('/') {
                Cidr::parse(q).is_some_and(|c| c.contains_str(&text))
            } else {
                same_ip(&text, q)
            }
        }
        _ => indexed(info, &text) && text == q,
    }
}

/// The leaf values under an object of a `flattened` field, which its own name reaches
/// (`FlattenedFieldMapper`); `None` for anything else.
fn flattened_object<'v>(info: &FieldInfo, v: &'v Value) -> Option<Vec<&'v Value>> {
    if info.ty != FieldType::Flattened || !v.is_object() {
        return None;
    }
    let mut leaves = Vec::new();
    crate::event::lookup::flattened_leaves(v, &mut leaves);
    Some(leaves)
}

/// Keyword values longer than `ignore_above` are not indexed, so no query finds them.
pub fn indexed(info: &FieldInfo, text: &str) -> bool {
    info.ignore_above
        .is_none_or(|limit| !info.ty.is_keyword_like() || text.chars().count() <= limit)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// An Elasticsearch `wildcard` query against one event value.
pub fn wildcard_matches(info: &FieldInfo, v: &Value, w: &Wildcard) -> bool {
    if let Some(leaves) = flattened_object(info, v) {
        return leaves.into_iter().any(|l| wildcard_matches(info, l, w));
    }
    let Some(text) = scalar_text(v) else {
        return false;
    };
    if info.ty.is_text() {
        // Text fields are searched token by token (see `wildcard_for`).
        return tokens(&text).iter().any(|t| w.is_match(t));
    }
    indexed(info, &text) && w.is_match(&text)
}

impl FieldTest {
    pub fn new(field: &str, kind: TestKind) -> Self {
        let info = field_info(field);
        FieldTest {
            field: field.to_string(),
            path: FieldPath::new(&info.source),
            info,
            kind,
        }
    }

    /// A test inside a nested object: values are read at `relative` within the object, while the
    /// field type is that of the full name `typed_as`.
    pub fn nested(relative: &str, typed_as: &str, kind: TestKind) -> Self {
        FieldTest {
            field: relative.to_string(),
            path: FieldPath::new(relative),
            info: field_info(typed_as),
            kind,
        }
    }

    fn test_value(&self, v: &Value) -> bool {
        match &self.kind {
            TestKind::Phrase(q) => phrase_matches(&self.info, v, q),
            TestKind::Match(q) if self.info.ty.is_text() => {
                scalar_text(v).is_some_and(|t| matches_any_token(&t, q))
            }
            TestKind::Match(q) => phrase_matches(&self.info, v, q),
            TestKind::Wildcard(w) => wildcard_matches(&self.info, v, w),
            TestKind::Exists => true,
            TestKind::Custom(t) => t.test(&self.info, v),
        }
    }

    pub fn matches(&self, event: &Value) -> bool {
        let mut vals = Vec::new();
        self.path.values(event, &mut vals);
        vals.iter().any(|v| self.test_value(v))
    }

    fn pattern(&self) -> Option<String> {
        match &self.kind {
            TestKind::Phrase(q) | TestKind::Match(q) => Some(q.clone()),
            TestKind::Wildcard(w) => Some(w.source().to_string()),
            TestKind::Exists => None,
            TestKind::Custom(t) => Some(t.describe()),
        }
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            TestKind::Phrase(_) => "phrase",
            TestKind::Match(_) => "match",
            TestKind::Wildcard(_) => "wildcard",
            TestKind::Exists => "exists",
            TestKind::Custom(_) => "list",
        }
    }

    /// A leaf clause: every value looked at, which matched, and plain words when it failed.
    pub fn explain(&self, event: &Value, span: Span) -> Clause {
        let found = self.path.values_with_paths(event);
        let pattern = self.pattern();
        // A value list describes itself ("value list …"): no quotes around it.
        let custom = matches!(self.kind, TestKind::Custom(_));
        let looked: Vec<Looked> = found
            .iter()
            .map(|(path, v)| Looked {
                path: path.clone(),
                value: (*v).clone(),
                matched: self.test_value(v),
                pattern: pattern.clone(),
            })
            .collect();
        let verdict = if found.is_empty() {
            Verdict::Missing
        } else {
            Verdict::from_bool(looked.iter().any(|l| l.matched))
        };
        let mut c = Clause::new(self.kind_name(), span, verdict);
        c.field = Some(self.field.clone());
        c.message = match verdict {
            // Said also when true: under a `not` (negated filter, excluded entry) it is the
            // reason the event was excluded.
            Verdict::True => looked.iter().find(|l| l.matched).map(|l| match &pattern {
                Some(p) if custom => format!("{} is {}, in the {p}", self.field, l.value),
                Some(p) => format!("{} is {}, matching \"{p}\"", self.field, l.value),
                None => format!("{} exists ({})", self.field, l.value),
            }),
            Verdict::Missing => Some(format!("{} is missing", self.field)),
            Verdict::False => {
                let shown: Vec<String> =
                    looked.iter().take(3).map(|l| l.value.to_string()).collect();
                let mut m = format!(
                    "{} is {}, not {}",
                    self.field,
                    shown.join(", "),
                    pattern
                        .as_deref()
                        .map_or("a match".to_string(), |p| if custom {
                            format!("in the {p}")
                        } else {
                            format!("\"{p}\"")
                        })
                );
                if let Some(long) = found
                    .iter()
                    .find_map(|(_, v)| v.as_str().filter(|s| !indexed(&self.info, s)))
                {
                    m.push_str(&format!(
                        " ({} characters is over ignore_above {}, so the value is not indexed)",
                        long.chars().count(),
                        self.info.ignore_above.unwrap_or(0)
                    ));
                }
                Some(m)
            }
        };
        c.looked = looked;
        c
    }
}

impl Cond {
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Cond::All => true,
            Cond::Test(t) => t.matches(event),
            Cond::Nested { path, cond, .. } => {
                let mut objs = Vec::new();
                path.values(event, &mut objs);
                objs.iter().any(|o| o.is_object() && cond.matches(o))
            }
            Cond::Bool {
                must,
                should,
                must_not,
                min_should,
            } => {
                must.iter().all(|c| c.matches(event))
                    && !must_not.iter().any(|c| c.matches(event))
                    && should.iter().filter(|c| c.matches(event)).count() >= *min_should
            }
        }
    }

    pub fn explain(&self, event: &Value, span: Span) -> Clause {
        match self {
            Cond::All => Clause::new("all", span, Verdict::True),
            Cond::Test(t) => t.explain(event, span),
            Cond::Nested { field, path, cond } => {
                let found = path.values_with_paths(event);
                let objs: Vec<_> = found.iter().filter(|(_, o)| o.is_object()).collect();
                let best = objs.iter().find(|(_, o)| cond.matches(o)).or(objs.first());
                let verdict = match best {
                    None => Verdict::Missing,
                    Some((_, o)) => Verdict::from_bool(cond.matches(o)),
                };
                let mut c = Clause::new("nested", span, verdict);
                c.field = Some(field.clone());
                if let Some((p, o)) = best {
                    c.children.push(cond.explain(o, span));
                    c.message = (!verdict.is_true())
                        .then(|| format!("no object under {field} satisfies every condition (looked at {p} and {} other(s))", objs.len() - 1));
                } else {
                    c.message = Some(format!("{field} is missing"));
                }
                c
            }
            Cond::Bool {
                must,
                should,
                must_not,
                min_should,
            } => {
                let mut children: Vec<Clause> =
                    must.iter().map(|c| c.explain(event, span)).collect();
                for c in must_not {
                    let inner = c.explain(event, span);
                    let mut not =
                        Clause::new("not", span, Verdict::from_bool(!inner.verdict.is_true()));
                    not.children.push(inner);
                    children.push(not);
                }
                if !should.is_empty() && *min_should > 0 {
                    let kids: Vec<Clause> = should.iter().map(|c| c.explain(event, span)).collect();
                    let n = kids.iter().filter(|k| k.verdict.is_true()).count();
                    let kind = if *min_should <= 1 { "or" } else { "min_should" };
                    let mut or = Clause::new(kind, span, Verdict::from_bool(n >= *min_should));
                    or.children = kids;
                    children.push(or);
                }
                if children.len() == 1 {
                    return children
                        .pop()
                        .unwrap_or_else(|| Clause::new("all", span, Verdict::True));
                }
                let verdict = Verdict::from_bool(self.matches(event));
                let mut and = Clause::new("and", span, verdict);
                and.children = children;
                and
            }
        }
    }
}

impl Filter {
    pub fn matches(&self, event: &Value) -> bool {
        self.cond.matches(event) != self.negate
    }

    /// The filter as a clause: kind `filter` wrapping its condition (under a `not` when negated).
    pub fn explain(&self, event: &Value) -> Clause {
        let span = Span::default();
        let inner = self.cond.explain(event, span);
        let inner = if self.negate {
            let mut not = Clause::new("not", span, Verdict::from_bool(!inner.verdict.is_true()));
            not.children.push(inner);
            not
        } else {
            inner
        };
        let verdict = Verdict::from_bool(self.matches(event));
        let mut c = Clause::new("filter", span, verdict);
        if !verdict.is_true() {
            c.message = Some(format!(
                "rule filter #{}{} excluded the event",
                self.index + 1,
                if self.negate { " (negated)" } else { "" }
            ));
        }
        c.children.push(inner);
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(f: Value) -> Filter {
        let (mut fs, notes) = compile_filters(&[f]);
        assert!(notes.is_empty(), "{notes:?}");
        fs.remove(0)
    }

    #[test]
    fn negated_case_insensitive_wildcard_from_the_corpus() {
        // As published: the TOML string holds `?:\\Program Files\\*`, i.e. escaped backslashes.
        let f = one(
            json!({"meta": {"negate": true}, "query": {"wildcard": {"file.path": {
            "case_insensitive": true, "value": "?:\\\\Program Files\\\\*"}}}}),
        );
        assert!(!f.matches(&json!({"file": {"path": "C:\\program files\\x.dll"}})));
        assert!(f.matches(&json!({"file": {"path": "C:\\Windows\\x.dll"}})));
        // Negation of a missing field is true, like a must_not.
        assert!(f.matches(&json!({})));
    }

    #[test]
    fn single_backslashes_are_escapes_in_wildcard_queries() {
        // Lucene reads `\P` as a literal `P`, so this published pattern never sees a backslash.
        let w = es_wildcard("C:\\Program Files\\Agent*.ps1", false);
        assert!(w.is_match("C:Program FilesAgent1.ps1"));
        assert!(!w.is_match("C:\\Program Files\\Agent1.ps1"));
    }

    #[test]
    fn legacy_exists_and_phrase_filters() {
        let f = one(
            json!({"$state": {"store": "appState"}, "exists": {"field": "user_agent.original"},
            "meta": {"negate": true, "type": "exists"}}),
        );
        assert!(!f.matches(&json!({"user_agent": {"original": ""}})));
        assert!(f.matches(&json!({"user_agent": {"original": null}})));
        let f = one(json!({"meta": {}, "query": {"match_phrase": {"event.code": "4624"}}}));
        assert!(f.matches(&json!({"event": {"code": 4624}})));
        assert!(!f.matches(&json!({"event": {"code": "4625"}})));
    }

    #[test]
    fn bool_should_of_phrases() {
        let f = one(json!({"query": {"bool": {"should": [
            {"match_phrase": {"process.name": "a"}}, {"match_phrase": {"process.name": "b"}}],
            "minimum_should_match": 1}}}));
        assert!(f.matches(&json!({"process": {"name": ["x", "b"]}})));
        assert!(!f.matches(&json!({"process": {"name": "B"}})));
    }

    #[test]
    fn unsupported_and_disabled_are_noted() {
        let (fs, notes) = compile_filters(&[
            json!({"query": {"range": {"x": {"gte": 1}}}}),
            json!({"meta": {"disabled": true}, "query": {"match_all": {}}}),
        ]);
        assert!(fs.is_empty());
        assert_eq!(notes.len(), 2);
        assert!(notes[0].contains("`range`"));
    }

    #[test]
    fn phrase_semantics_per_type() {
        let kw = field_info("process.name");
        assert!(phrase_matches(&kw, &json!("bash"), "bash"));
        assert!(!phrase_matches(&kw, &json!("Bash"), "bash"));
        let text = field_info("message");
        assert!(phrase_matches(
            &text,
            &json!("Hello big World"),
            "big world"
        ));
        let ip = field_info("source.ip");
        assert!(phrase_matches(&ip, &json!("10.1.2.3"), "10.0.0.0/8"));
        let num = field_info("process.pid");
        assert!(phrase_matches(&num, &json!("42"), "42.0"));
    }

    #[test]
    fn explain_says_what_was_seen() {
        let f = one(json!({"query": {"match_phrase": {"process.name": "bash"}}}));
        let c = f.explain(&json!({"process": {"name": "sh"}}));
        assert_eq!(c.verdict, Verdict::False);
        let leaf = &c.children[0];
        assert_eq!(leaf.looked[0].path, "process.name");
        assert!(leaf.message.as_deref().unwrap().contains("\"sh\""));
    }
}
