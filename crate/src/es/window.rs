//! The rule's time window as the detection engine bounds its searches: `buildTimeRangeFilter`
//! (`server/lib/detection_engine/rule_types/utils/build_events_query.ts`).
//!
//! The window is `[from, to]` of the rule (`now-6m` and `now` by default; `from` already holds
//! the interval plus the look-back, so `interval` only decides when the next run starts). The
//! primary timestamp is `timestamp_override` or `@timestamp`; with an override other than
//! `@timestamp` and no `timestamp_override_fallback_disabled`, `@timestamp` is the secondary one:
//! an event without the primary field is windowed by `@timestamp`.

use crate::rule::Rule;
use serde_json::{json, Value};

/// Kibana's defaults for a rule without `from` / `to`.
pub const DEFAULT_FROM: &str = "now-6m";
pub const DEFAULT_TO: &str = "now";

/// The primary and, when the fallback applies, the secondary timestamp field.
pub fn timestamps(rule: &Rule) -> (String, Option<String>) {
    let primary = rule.timestamp_field().to_string();
    let fallback_disabled = rule
        .extra
        .get("timestamp_override_fallback_disabled")
        .and_then(Value::as_bool)
        == Some(true);
    let secondary =
        (rule.timestamp_override.is_some() && primary != "@timestamp" && !fallback_disabled)
            .then(|| "@timestamp".to_string());
    (primary, secondary)
}

/// The rule's `from` and `to` (date math, as the rule writes them).
pub fn bounds(rule: &Rule) -> (String, String) {
    (
        rule.from.clone().unwrap_or_else(|| DEFAULT_FROM.into()),
        rule.to.clone().unwrap_or_else(|| DEFAULT_TO.into()),
    )
}

/// `buildTimeRangeFilter`.
pub fn range_filter(from: &str, to: &str, primary: &str, secondary: Option<&str>) -> Value {
    let range = |field: &str| json!({"range": {field: {"lte": to, "gte": from, "format": "strict_date_optional_time"}}});
    match secondary {
        None => range(primary),
        Some(s) => json!({"bool": {
            "minimum_should_match": 1,
            "should": [
                range(primary),
                {"bool": {"filter": [
                    range(s),
                    {"bool": {"must_not": {"exists": {"field": primary}}}},
                ]}},
            ],
        }}),
    }
}

/// The sort `buildEventsSearchQuery` adds: ascending by each timestamp, unmapped as dates.
pub fn sort(primary: &str, secondary: Option<&str>) -> Value {
    let key = |f: &str| json!({f: {"order": "asc", "unmapped_type": "date"}});
    let mut out = vec![key(primary)];
    out.extend(secondary.map(key));
    Value::Array(out)
}
