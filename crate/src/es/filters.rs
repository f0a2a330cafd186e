//! The rule's `[[rule.filters]]` as Kibana's `buildQueryFromFilters` turns them into bool clauses
//! (`kbn-es-query` `es_query/from_filters.ts`): disabled filters are dropped, the others go to
//! `filter`, or to `must_not` when `meta.negate` is set; each contributes its `query` (older
//! filters keep the clause at the top level, beside `meta`), with the legacy
//! `match: {f: {query, type: "phrase"}}` migrated to `match_phrase` (`migrate_filter.ts`).

use serde_json::{json, Map, Value};

/// The `filter` and `must_not` clauses of the filters, in order.
pub fn filter_clauses(raw: &[Value]) -> (Vec<Value>, Vec<Value>) {
    let mut filter = Vec::new();
    let mut must_not = Vec::new();
    for f in raw {
        let Some(obj) = f.as_object() else { continue };
        let meta = obj.get("meta");
        let flag = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_bool) == Some(true);
        if flag("disabled") {
            continue;
        }
        let q = match obj.get("query") {
            Some(q) => q.clone(),
            None => {
                let rest: Map<String, Value> = obj
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "meta" | "$state"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if rest.is_empty() {
                    continue;
                }
                Value::Object(rest)
            }
        };
        let q = migrate(q);
        if flag("negate") {
            must_not.push(q);
        } else {
            filter.push(q);
        }
    }
    (filter, must_not)
}

/// `migrateFilter`: `{match: {f: {query: v, type: "phrase"}}}` → `{match_phrase: {f: {query: v}}}`.
fn migrate(q: Value) -> Value {
    let Some((field, params)) = q
        .get("match")
        .and_then(Value::as_object)
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
    else {
        return q;
    };
    if params.get("type").and_then(Value::as_str) != Some("phrase") {
        return q;
    }
    let mut p = params.as_object().cloned().unwrap_or_default();
    p.remove("type");
    json!({"match_phrase": {field: p}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negated_disabled_and_legacy_filters() {
        let raw = vec![
            json!({"meta": {"negate": false}, "query": {"match_phrase": {"a": "1"}}}),
            json!({"meta": {"negate": true}, "query": {"exists": {"field": "b"}}}),
            json!({"meta": {"disabled": true}, "query": {"exists": {"field": "c"}}}),
            json!({"meta": {}, "exists": {"field": "d"}, "$state": {"store": "appState"}}),
            json!({"meta": {}, "query": {"match": {"e": {"query": "x", "type": "phrase"}}}}),
        ];
        let (f, n) = filter_clauses(&raw);
        assert_eq!(
            f,
            vec![
                json!({"match_phrase": {"a": "1"}}),
                json!({"exists": {"field": "d"}}),
                json!({"match_phrase": {"e": {"query": "x"}}}),
            ]
        );
        assert_eq!(n, vec![json!({"exists": {"field": "b"}})]);
    }
}
