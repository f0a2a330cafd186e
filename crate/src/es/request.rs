//! The whole request of one rule: method, path and body, per rule type, as the detection engine
//! sends it (`getQueryFilter` → `buildEsQuery`, `buildEventsSearchQuery`,
//! `buildEqlSearchRequest`).
//!
//! The query part is `buildEsQuery` of the rule's query and filters plus the exception filter:
//! `{bool: {must, filter, should, must_not}}` with a KQL query in `filter` (it is Kibana's
//! `and` of one query), a Lucene query in `must` (`query_string` with `analyze_wildcard` and
//! `time_zone: Zulu`), filters in `filter` / `must_not`, and the exception filter in
//! `must_not`. Time bounds come only when asked for ([`Options::time_range`]).

use super::aggs;
use super::exceptions::exception_query;
use super::filters::filter_clauses;
use super::kql::{query_dsl, KqlConfig};
use super::window::{bounds, range_filter, sort, timestamps};
use crate::diagnostic::{Diagnostic, RuleErrorKind, Span};
use crate::exceptions::value_lists::ValueLists;
use crate::exceptions::ExceptionItem;
use crate::rule::Rule;
use crate::time::date_math;
use serde::Serialize;
use serde_json::{json, Value};

/// Kibana's `securitySolution:defaultIndex`, searched by a rule without `index` (and without a
/// data view).
pub const DEFAULT_INDEX: &[&str] = &[
    "apm-*-transaction*",
    "auditbeat-*",
    "endgame-*",
    "filebeat-*",
    "logs-*",
    "packetbeat-*",
    "traces-apm*",
    "winlogbeat-*",
    "-*elastic-cloud-logs-*",
];

/// The size of a search page when the rule has no `max_signals`.
const DEFAULT_MAX_SIGNALS: i64 = 100;

/// One HTTP request for Elasticsearch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Value,
}

/// What to build the request with.
#[derive(Clone, Debug, Default)]
pub struct Options<'a> {
    pub exceptions: &'a [ExceptionItem],
    pub lists: Option<&'a ValueLists>,
    /// "now" in epoch ms: exception expiry and, with `time_range`, the new-terms window start.
    pub now_ms: i64,
    /// Bound the search by the rule's window (and the new-terms history window).
    pub time_range: bool,
    pub kql: KqlConfig,
    /// Search these indices instead of the rule's (the Dev Tools kit's scratch index).
    pub index: Option<String>,
    /// The page size instead of `max_signals` (the kit asks for every sample event).
    pub size: Option<u64>,
}

/// A request and what the reader should know about it (defaults taken, parts left out).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Built {
    pub request: Request,
    pub notes: Vec<String>,
}

fn unsupported(message: String) -> Diagnostic {
    Diagnostic::new(RuleErrorKind::NoRequest, message, Span::new(0, 0))
}

/// The request the detection engine would send for `rule`.
pub fn build(rule: &Rule, opts: &Options) -> Result<Built, Diagnostic> {
    let mut notes = Vec::new();
    let language = rule.effective_language().unwrap_or("");
    if rule.rule_type == "machine_learning" {
        return Err(unsupported(
            "machine_learning rules read anomaly results, not a query: there is no search to show"
                .into(),
        ));
    }
    let index = match &opts.index {
        Some(i) => i.clone(),
        None if !rule.index.is_empty() => rule.index.join(","),
        None => {
            if rule.extra.contains_key("data_view_id") {
                notes.push("the rule searches a data view: its index patterns are in Kibana; the default index patterns are shown".into());
            } else {
                notes.push("the rule has no index: Kibana searches securitySolution:defaultIndex, shown with its default value".into());
            }
            DEFAULT_INDEX.join(",")
        }
    };
    let (primary, secondary) = timestamps(rule);
    let (from, to) = bounds(rule);
    let range = opts
        .time_range
        .then(|| range_filter(&from, &to, &primary, secondary.as_deref()));
    let size = opts.size.map_or_else(
        || Value::from(rule.max_signals.unwrap_or(DEFAULT_MAX_SIGNALS)),
        Value::from,
    );

    let lists = ValueLists::new();
    let (exception, ex_notes) =
        exception_query(opts.exceptions, opts.lists.unwrap_or(&lists), opts.now_ms);
    notes.extend(ex_notes);
    let query_text = rule.query.as_deref().unwrap_or("");
    let es_filter = |with_query: bool| -> Result<Value, Diagnostic> {
        let (mut filter, mut must_not) = filter_clauses(&rule.filters);
        let mut must = Vec::new();
        if with_query {
            match language {
                "kuery" => {
                    let q = crate::kql::parse(query_text)?;
                    filter.insert(0, query_dsl(&q, &opts.kql));
                }
                "lucene" => must.push(lucene(query_text)),
                other => {
                    return Err(unsupported(format!(
                        "a {} rule in language \"{other}\" has no search request here",
                        rule.rule_type
                    )))
                }
            }
        }
        must_not.extend(exception.clone());
        Ok(json!({"bool": {"must": must, "filter": filter, "should": [], "must_not": must_not}}))
    };
    let with_range = |q: Value| match &range {
        Some(r) => json!({"bool": {"filter": [q, r]}}),
        None => q,
    };

    let search = |body: Value| Request {
        method: "GET".into(),
        path: format!("/{index}/_search"),
        body,
    };
    let request = match (rule.rule_type.as_str(), language) {
        ("eql", _) | (_, "eql") => {
            let mut filter = Vec::new();
            filter.extend(range.clone());
            filter.push(es_filter(false)?);
            let mut body = json!({
                "size": size,
                "query": query_text,
                "filter": {"bool": {"filter": filter}},
            });
            let param = |k: &str| rule.extra.get(k).and_then(Value::as_str);
            if let Some(t) = param("timestamp_field") {
                body["timestamp_field"] = json!(t);
            }
            if let Some(c) = &rule.event_category_override {
                body["event_category_field"] = json!(c);
            }
            if let Some(t) = rule.tiebreaker_field.as_deref().filter(|t| !t.is_empty()) {
                body["tiebreaker_field"] = json!(t);
            }
            Request {
                method: "GET".into(),
                path: format!("/{index}/_eql/search"),
                body,
            }
        }
        ("esql", _) | (_, "esql") => {
            notes.push("ES|QL rules: the query runs as written (Kibana adds `| limit` and, for aggregating queries, paging); the index is the query's FROM".into());
            let mut filter = Vec::new();
            filter.extend(range.clone());
            filter.push(es_filter(false)?);
            Request {
                method: "POST".into(),
                path: "/_query".into(),
                body: json!({"query": query_text, "filter": {"bool": {"filter": filter}}}),
            }
        }
        ("new_terms", _) => {
            let nt = rule.new_terms.clone().unwrap_or_default();
            let history = nt
                .history_window_start
                .clone()
                .unwrap_or_else(|| "now-7d".into());
            let start = match opts.time_range {
                true => Some(date_math(&from, opts.now_ms).ok_or_else(|| {
                    unsupported(format!("`from` is not date math Kibana reads: \"{from}\""))
                })?),
                false => None,
            };
            let mut query = es_filter(true)?;
            if opts.time_range {
                let h = range_filter(&history, &to, &primary, secondary.as_deref());
                query = json!({"bool": {"filter": [query, h]}});
            } else {
                notes.push("new_terms: without --time-range the aggregation keeps every term with its first_seen; with it, the search covers the history window and keeps the terms first seen in the rule's window".into());
            }
            search(json!({
                "size": 0,
                "query": query,
                "aggregations": aggs::new_terms(&nt, &primary, start),
                "sort": sort(&primary, secondary.as_deref()),
            }))
        }
        ("threshold", _) => {
            let t = rule.threshold.clone().unwrap_or_default();
            let mut body = json!({
                "size": 0,
                "query": with_range(es_filter(true)?),
                "aggregations": aggs::threshold(&t, &primary),
                "sort": sort(&primary, secondary.as_deref()),
            });
            if t.field.is_empty() {
                body["track_total_hits"] = json!(true);
                notes.push(format!(
                    "threshold without group-by fields: the rule alerts when hits.total is at least {}",
                    t.value
                ));
            }
            search(body)
        }
        (ty, _) => {
            if ty == "threat_match" {
                notes.push("threat_match: this is the events search; the indicator search and the threat mapping are not included".into());
            }
            search(json!({
                "size": size,
                "query": with_range(es_filter(true)?),
                "sort": sort(&primary, secondary.as_deref()),
            }))
        }
    };
    Ok(Built { request, notes })
}

/// A bare query as a rule: a KQL query as a custom query rule, an EQL one as an EQL rule.
pub fn query_rule(language: &str, query: &str) -> Rule {
    let rule_type = if language == "eql" { "eql" } else { "query" };
    Rule {
        rule_type: rule_type.into(),
        language: Some(language.into()),
        query: Some(query.into()),
        ..Default::default()
    }
}

/// `luceneStringToDsl` + `decorateQuery` with the detection engine's options.
fn lucene(q: &str) -> Value {
    if q.trim().is_empty() {
        return json!({"match_all": {}});
    }
    json!({"query_string": {"query": q, "analyze_wildcard": true, "time_zone": "Zulu"}})
}
