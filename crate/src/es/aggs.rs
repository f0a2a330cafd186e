//! The aggregations of the rule types that count or compare terms.
//!
//! new_terms (`server/lib/detection_engine/rule_types/new_terms/build_new_terms_aggregation.ts`):
//! Kibana runs two phases, the terms seen in the rule's window, then those terms over the
//! history window keeping only the ones first seen inside the rule's window. One request does
//! both with the phase-two shape `buildCompositeNewTermsAgg`: a composite over the new-terms
//! fields (pages of 10,000), `first_seen` = min of the timestamp, and a `bucket_selector`
//! keeping `first_seen > start_time`, the start of the rule's window in epoch milliseconds.
//!
//! threshold (`threshold/build_threshold_aggregation.ts`): with group-by fields, a composite over
//! them (pages of 10,000) with min/max timestamp, `cardinality` of the first cardinality field
//! and a `bucket_selector` on it, and a `bucket_selector` `params.docCount >= value`; without
//! fields, one bucket (the whole search): min/max timestamp and the cardinality, the count
//! being the hit total.

use crate::rule::model::{NewTerms, Threshold};
use serde_json::{json, Map, Value};

const PAGE_SIZE: u64 = 10_000;

fn composite(fields: &[String]) -> Value {
    let sources: Vec<Value> = fields
        .iter()
        .map(|f| json!({f: {"terms": {"field": f}}}))
        .collect();
    json!({"sources": sources, "size": PAGE_SIZE})
}

/// `aggregations` of a new_terms search; `start_ms` is the rule window's start when time
/// bounds are asked for.
pub fn new_terms(nt: &NewTerms, timestamp: &str, start_ms: Option<i64>) -> Value {
    let mut aggs = Map::new();
    aggs.insert("first_seen".into(), json!({"min": {"field": timestamp}}));
    if let Some(start) = start_ms {
        aggs.insert(
            "filtering_agg".into(),
            json!({"bucket_selector": {
                "buckets_path": {"first_seen_value": "first_seen"},
                "script": {
                    "params": {"start_time": start},
                    "source": "params.first_seen_value > params.start_time",
                },
            }}),
        );
    }
    json!({"new_terms": {"composite": composite(&nt.fields), "aggs": aggs}})
}

/// `aggregations` of a threshold search.
pub fn threshold(t: &Threshold, timestamp: &str) -> Value {
    let mut aggs = Map::new();
    aggs.insert("max_timestamp".into(), json!({"max": {"field": timestamp}}));
    aggs.insert("min_timestamp".into(), json!({"min": {"field": timestamp}}));
    if let Some(c) = t.cardinality.first() {
        aggs.insert(
            "cardinality_count".into(),
            json!({"cardinality": {"field": c.field}}),
        );
        if !t.field.is_empty() {
            aggs.insert(
                "cardinality_check".into(),
                json!({"bucket_selector": {
                    "buckets_path": {"cardinalityCount": "cardinality_count"},
                    "script": format!("params.cardinalityCount >= {}", c.value),
                }}),
            );
        }
    }
    if t.field.is_empty() {
        return Value::Object(aggs);
    }
    aggs.insert(
        "count_check".into(),
        json!({"bucket_selector": {
            "buckets_path": {"docCount": "_count"},
            "script": format!("params.docCount >= {}", t.value),
        }}),
    );
    json!({"thresholdTerms": {"composite": composite(&t.field), "aggs": aggs}})
}
