//! KQL → DSL node by node, against what Kibana's own tests expect of `toElasticsearchQuery`
//! (`src/platform/packages/shared/kbn-es-query/src/kuery/functions/*.test.ts`). Kibana's tests
//! build nodes programmatically (`buildNode('is', 'response', 200)` gives the number 200); here
//! the values come from parsing, where Kibana's grammar keeps numbers as strings.

use super::*;
use serde_json::json;

fn dsl(q: &str) -> Value {
    query_dsl(&crate::kql::parse(q).unwrap(), &KqlConfig::default())
}

fn dsl_with(q: &str, fields: Fields, tz: Option<&str>) -> Value {
    let cfg = KqlConfig {
        fields,
        date_format_tz: tz.map(str::to_string),
    };
    query_dsl(&crate::kql::parse(q).unwrap(), &cfg)
}

fn should1(q: Value) -> Value {
    json!({"bool": {"should": [q], "minimum_should_match": 1}})
}

// is.test.ts: "should return an ES match_all query when fieldName and value are both "*"";
// grammar.peggy: an empty query is `is('*', '*')`.
#[test]
fn match_all() {
    assert_eq!(dsl("*:*"), json!({"match_all": {}}));
    assert_eq!(dsl("   "), json!({"match_all": {}}));
}

// is.test.ts: "should return an ES multi_match query using default_field when fieldName is null"
// and "... query_string query ... when fieldName is null and value contains a wildcard".
#[test]
fn free_text() {
    assert_eq!(
        dsl("200"),
        json!({"multi_match": {"query": "200", "type": "best_fields", "lenient": true}})
    );
    assert_eq!(
        dsl("\"a phrase\""),
        json!({"multi_match": {"query": "a phrase", "type": "phrase", "lenient": true}})
    );
    assert_eq!(dsl("jpg*"), json!({"query_string": {"query": "jpg*"}}));
}

// is.test.ts: "should return an ES exists query when value is "*"", "should return an ES match
// query when a concrete fieldName and value are provided (without an index pattern)", "should
// support creation of phrase queries", "should create a query_string query for wildcard values".
#[test]
fn field_values_without_a_data_view() {
    assert_eq!(
        dsl("extension:*"),
        should1(json!({"exists": {"field": "extension"}}))
    );
    assert_eq!(
        dsl("extension:jpg"),
        should1(json!({"match": {"extension": "jpg"}}))
    );
    assert_eq!(
        dsl("extension:\"jpg\""),
        should1(json!({"match_phrase": {"extension": "jpg"}}))
    );
    assert_eq!(
        dsl("extension:jpg*"),
        should1(json!({"query_string": {"fields": ["extension"], "query": "jpg*"}}))
    );
    // The detection engine has no field list: a date field is matched, not ranged.
    assert_eq!(
        dsl("@timestamp:\"2018-04-03T19:04:17\""),
        should1(json!({"match_phrase": {"@timestamp": "2018-04-03T19:04:17"}}))
    );
}

// grammar.peggy: unquoted `null`, `true` and `false` are JSON values; numbers stay strings.
#[test]
fn literal_types() {
    assert_eq!(dsl("a:true"), should1(json!({"match": {"a": true}})));
    assert_eq!(dsl("a:null"), should1(json!({"match": {"a": null}})));
    assert_eq!(
        dsl("a:\"true\""),
        should1(json!({"match_phrase": {"a": "true"}}))
    );
    assert_eq!(dsl("a:4624"), should1(json!({"match": {"a": "4624"}})));
}

// wildcard.ts `toQueryStringQuery`: reserved characters escaped, wildcards kept; is.test.ts
// "should create a wildcard query with backslashes properly escaped" (`*\\*` → `*\\\\*`).
#[test]
fn wildcard_escaping() {
    assert_eq!(
        dsl(r"process.executable:C\:\\Windows\\*"),
        should1(json!({"query_string": {"fields": ["process.executable"],
            "query": r"C\:\\Windows\\*"}}))
    );
    assert_eq!(
        dsl(r"a:*a+b-c\(d\)?/*"),
        should1(json!({"query_string": {"fields": ["a"], "query": r"*a\+b\-c\(d\)\?\/*"}}))
    );
    assert_eq!(
        dsl_with(r"process.name:*\\*", Fields::Ecs, None),
        should1(json!({"wildcard": {"process.name": {"value": r"*\\*"}}}))
    );
}

// is.test.ts: "should create a wildcard query for keyword fields", "should use a term query for
// keyword fields"; ECS `process.name` is `keyword` (the stub's `machine.os.keyword`).
#[test]
fn keyword_fields_of_a_data_view() {
    assert_eq!(
        dsl_with("process.name:win*", Fields::Ecs, None),
        should1(json!({"wildcard": {"process.name": {"value": "win*"}}}))
    );
    assert_eq!(
        dsl_with("process.name:\"Win 7\"", Fields::Ecs, None),
        should1(json!({"term": {"process.name": {"value": "Win 7"}}}))
    );
    // `message` is `match_only_text`: match as without a data view.
    assert_eq!(
        dsl_with("message:jpg", Fields::Ecs, None),
        should1(json!({"match": {"message": "jpg"}}))
    );
    // A field the data view lacks goes through as written.
    assert_eq!(
        dsl_with("nosuch.field:x", Fields::Ecs, None),
        should1(json!({"match": {"nosuch.field": "x"}}))
    );
}

// is.test.ts: "should support date fields without / with a dateFormat provided".
#[test]
fn date_fields_of_a_data_view() {
    assert_eq!(
        dsl_with("@timestamp:\"2018-04-03T19:04:17\"", Fields::Ecs, None),
        should1(json!({"range": {"@timestamp": {
            "gte": "2018-04-03T19:04:17", "lte": "2018-04-03T19:04:17"}}}))
    );
    assert_eq!(
        dsl_with(
            "@timestamp:\"2018-04-03T19:04:17\"",
            Fields::Ecs,
            Some("America/Phoenix")
        ),
        should1(json!({"range": {"@timestamp": {
            "gte": "2018-04-03T19:04:17", "lte": "2018-04-03T19:04:17",
            "time_zone": "America/Phoenix"}}}))
    );
}

// range.test.ts: "should return an ES range query for the node's field and params", "... without
// an index pattern", date fields with and without a dateFormat, epoch values without time_zone,
// "should use a provided nested context to create a full field name".
#[test]
fn ranges() {
    assert_eq!(
        dsl("bytes > 1000"),
        should1(json!({"range": {"bytes": {"gt": "1000"}}}))
    );
    assert_eq!(
        dsl("bytes <= 5"),
        should1(json!({"range": {"bytes": {"lte": "5"}}}))
    );
    assert_eq!(
        dsl_with("@timestamp > 2018-01-03T19\\:04\\:17", Fields::Ecs, None),
        should1(json!({"range": {"@timestamp": {"gt": "2018-01-03T19:04:17"}}}))
    );
    assert_eq!(
        dsl_with(
            "@timestamp > \"2018-01-03T19:04:17\"",
            Fields::Ecs,
            Some("America/Phoenix")
        ),
        should1(json!({"range": {"@timestamp": {"gt": "2018-01-03T19:04:17",
            "time_zone": "America/Phoenix"}}}))
    );
    assert_eq!(
        dsl_with(
            "@timestamp > 1776338120239",
            Fields::Ecs,
            Some("America/Phoenix")
        ),
        should1(json!({"range": {"@timestamp": {"gt": "1776338120239"}}}))
    );
    assert_eq!(
        dsl("@timestamp >= now-1d"),
        should1(json!({"range": {"@timestamp": {"gte": "now-1d"}}}))
    );
    assert_eq!(
        dsl("nestedField:{ bytes > 1000 }"),
        json!({"nested": {"path": "nestedField", "score_mode": "none",
            "query": should1(json!({"range": {"nestedField.bytes": {"gt": "1000"}}}))}})
    );
}

// and.test.ts, or.test.ts, not.test.ts: `filter` of the children, `should` with
// `minimum_should_match: 1`, `must_not` of the one child (an object, not a list).
#[test]
fn boolean_operators() {
    let a = should1(json!({"match": {"a": "1"}}));
    let b = should1(json!({"match": {"b": "2"}}));
    assert_eq!(
        dsl("a:1 and b:2"),
        json!({"bool": {"filter": [a.clone(), b.clone()]}})
    );
    assert_eq!(
        dsl("a:1 or b:2"),
        json!({"bool": {"should": [a.clone(), b.clone()], "minimum_should_match": 1}})
    );
    assert_eq!(dsl("not a:1"), json!({"bool": {"must_not": a.clone()}}));
    // A value list is one `is` per value under the same operators.
    let m = |v: &str| should1(json!({"match": {"f": v}}));
    assert_eq!(
        dsl("f:(x or y and not z)"),
        json!({"bool": {"should": [m("x"), {"bool": {"filter": [m("y"),
            {"bool": {"must_not": m("z")}}]}}], "minimum_should_match": 1}})
    );
}

// nested.test.ts: "should return a nested query", "nested queries can be nested" (the inner
// path is the full path), fields prefixed by the group's path (is.test.ts "should use a
// provided nested context to create a full field name").
#[test]
fn nested_groups() {
    assert_eq!(
        dsl("nestedField:{ child:foo }"),
        json!({"nested": {"path": "nestedField", "score_mode": "none",
            "query": should1(json!({"match": {"nestedField.child": "foo"}}))}})
    );
    assert_eq!(
        dsl("nestedField:{ nestedChild:{ doublyNestedChild:foo } }"),
        json!({"nested": {"path": "nestedField", "score_mode": "none",
            "query": {"nested": {"path": "nestedField.nestedChild", "score_mode": "none",
                "query": should1(json!({"match": {
                    "nestedField.nestedChild.doublyNestedChild": "foo"}}))}}}})
    );
}
