//! Exception items → DSL, against the expectations of the lists plugin's
//! `build_exception_filter.test.ts` (`buildExceptionItemFilter`: "it should build exception item
//! boolean filter from entries", the os_types and value-list cases).

use super::*;
use crate::exceptions::value_lists::ValueList;
use serde_json::json;

fn item(entries: Value, os: &[&str]) -> ExceptionItem {
    ExceptionItem::from_json(json!({"name": "x", "entries": entries, "os_types": os})).unwrap()
}

fn filter(items: &[ExceptionItem], lists: &ValueLists) -> Value {
    exception_query(items, lists, 0).0.unwrap()
}

fn phrase(f: &str, v: &str) -> Value {
    json!({"bool": {"minimum_should_match": 1, "should": [{"match_phrase": {f: v}}]}})
}

#[test]
fn entries_are_anded_items_ored() {
    let it = item(
        json!([
            {"field": "parent.field", "type": "nested", "entries": [
                {"field": "host.name", "type": "match", "operator": "included", "value": "some host name"},
                {"field": "host.name", "type": "exists", "operator": "included"}]},
            {"field": "host.name", "type": "match_any", "operator": "included",
             "value": ["some host name", "some other host name"]},
            {"field": "host.name", "type": "match", "operator": "excluded", "value": "some host name"},
            {"field": "host.name", "type": "exists", "operator": "excluded"}
        ]),
        &[],
    );
    let exists = |f: &str| json!({"bool": {"minimum_should_match": 1, "should": [{"exists": {"field": f}}]}});
    let expected = json!({"bool": {"filter": [
        {"nested": {"path": "parent.field", "score_mode": "none", "query": {"bool": {"filter": [
            phrase("parent.field.host.name", "some host name"),
            exists("parent.field.host.name")]}}}},
        {"bool": {"minimum_should_match": 1, "should": [
            phrase("host.name", "some host name"), phrase("host.name", "some other host name")]}},
        {"bool": {"must_not": phrase("host.name", "some host name")}},
        {"bool": {"must_not": exists("host.name")}},
    ]}});
    let single = item(
        json!([{"field": "a", "type": "wildcard", "operator": "included", "value": "C:\\*"}]),
        &[],
    );
    assert_eq!(
        filter(&[it, single], &ValueLists::new()),
        json!({"bool": {"should": [expected,
            {"bool": {"filter": {"wildcard": {"a": "C:\\*"}}}}]}})
    );
}

// `transformOsType`: one clause per OS on host.os.type, then per OS on host.os.name.caseless,
// each the OS match followed by the entries.
#[test]
fn os_types_expand_per_os_and_field() {
    let it = item(
        json!([{"field": "a", "type": "match", "operator": "included", "value": "1"}]),
        &["windows", "linux"],
    );
    let clause = |f: &str, os: &str| json!({"bool": {"filter": [phrase(f, os), phrase("a", "1")]}});
    assert_eq!(
        filter(&[it], &ValueLists::new()),
        json!({"bool": {"should": [
            clause("host.os.type", "windows"), clause("host.os.type", "linux"),
            clause("host.os.name.caseless", "windows"), clause("host.os.name.caseless", "linux"),
        ]}})
    );
}

// `buildListClause`: keyword lists as `terms`, ip_range lists as ranges plus `terms` of CIDRs;
// a list that is not loaded leaves its item out, with a note.
#[test]
fn value_lists_are_inlined() {
    let mut lists = ValueLists::new();
    lists.insert(ValueList::parse("hosts", ListType::Keyword, "a\nb\n").0);
    lists.insert(
        ValueList::parse(
            "nets",
            ListType::IpRange,
            "10.0.0.1-10.0.0.9\n192.168.0.0/16\n",
        )
        .0,
    );
    let list = |f: &str, id: &str, ty: &str, op: &str| {
        item(
            json!([{"field": f, "type": "list", "operator": op, "list": {"id": id, "type": ty}}]),
            &[],
        )
    };
    assert_eq!(
        filter(&[list("host.name", "hosts", "keyword", "included")], &lists),
        json!({"bool": {"should": [{"bool": {"filter": {"terms": {"host.name": ["a", "b"]}}}}]}})
    );
    assert_eq!(
        filter(&[list("source.ip", "nets", "ip_range", "excluded")], &lists),
        json!({"bool": {"should": [{"bool": {"minimum_should_match": 1, "must_not": [
            {"range": {"source.ip": {"gte": "10.0.0.1", "lte": "10.0.0.9"}}},
            {"terms": {"source.ip": ["192.168.0.0/16"]}}]}}]}})
    );
    let (q, notes) = exception_query(&[list("x", "absent", "keyword", "included")], &lists, 0);
    assert!(q.is_none());
    assert_eq!(notes.len(), 1);
}

#[test]
fn expired_and_empty_items_are_not_sent() {
    let mut expired = item(
        json!([{"field": "a", "type": "exists", "operator": "included"}]),
        &[],
    );
    expired.expire_time = Some("2020-01-01T00:00:00Z".into());
    let empty = item(json!([]), &[]);
    let (q, notes) = exception_query(&[expired, empty], &ValueLists::new(), 1_700_000_000_000);
    assert!(q.is_none());
    assert_eq!(notes.len(), 2);
}
