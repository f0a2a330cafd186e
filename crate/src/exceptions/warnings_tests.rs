use super::*;
use crate::time::parse_date;
use serde_json::json;

fn events() -> Vec<Value> {
    vec![
        json!({"process": {"name": "sort", "parent": {"name": "exim4"}}, "message": "Hello"}),
        json!({"process": {"name": "grep", "Ext": {"code_signature": [{"subject_name": "Good Ltd"}]}}}),
    ]
}

fn kinds(items: Value, sequence: bool) -> Vec<(WarningKind, usize, Vec<usize>, Option<String>)> {
    let events = events();
    let mut fields: Vec<String> = events
        .iter()
        .flat_map(crate::event::lookup::fields)
        .collect();
    fields.sort();
    fields.dedup();
    let items: Vec<ExceptionItem> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|v| ExceptionItem::from_json(v.clone()).unwrap())
        .collect();
    let nearest = |f: &str| (f == "process.nam").then(|| "process.name".to_string());
    let cx = Context {
        events: &events,
        fields: &fields,
        sequence,
        now_ms: parse_date("2026-11-24T00:00:00Z").unwrap(),
        nearest: &nearest,
    };
    check(&items, &cx, &mut ValueIndex::default())
        .into_iter()
        .map(|w| (w.kind, w.item, w.entry, w.suggestion))
        .collect()
}

fn one(entry: Value) -> Value {
    json!([{"name": "t", "entries": [entry]}])
}

use WarningKind::*;

/// An entry, the warnings expected (kind, suggestion), and why: the Kibana source or doc.
type Case = (
    Value,
    Vec<(WarningKind, Option<&'static str>)>,
    &'static str,
);

#[test]
fn entry_warnings() {
    let table: Vec<Case> = vec![
        (
            json!({"field": "process.name", "type": "match", "operator": "included", "value": "so*"}),
            vec![(WildcardWithIs, Some("matches"))],
            "WildCardWithWrongOperatorCallout: `*` with `is`",
        ),
        (
            json!({"field": "process.name", "type": "match", "operator": "excluded", "value": "s?rt"}),
            vec![(WildcardWithIs, Some("matches"))],
            "hasWrongOperatorWithWildcard looks at match entries of either operator",
        ),
        (
            json!({"field": "process.name", "type": "wildcard", "operator": "included", "value": "so*"}),
            vec![],
            "`matches` is the wildcard operator",
        ),
        (
            json!({"field": "process.name", "type": "match", "operator": "included", "value": "Sort"}),
            vec![(CaseMismatch, Some("sort"))],
            "add-manage-exceptions.md: rule exceptions are case-sensitive",
        ),
        (
            json!({"field": "process.name", "type": "match_any", "operator": "included", "value": ["GREP", "sort"]}),
            vec![(CaseMismatch, Some("grep"))],
            "`is one of` supports identical, case-sensitive values: add both",
        ),
        (
            json!({"field": "message", "type": "match", "operator": "included", "value": "hello"}),
            vec![],
            "match_phrase on a text field is analysed, so case does not matter",
        ),
        (
            json!({"field": "process.nam", "type": "exists", "operator": "included"}),
            vec![(UnknownField, Some("process.name"))],
            "getMappingConflictsInfo / unmapped fields; here no event has it",
        ),
        (
            json!({"field": "process", "type": "exists", "operator": "included"}),
            vec![],
            "an object field exists when a field under it does",
        ),
        (
            json!({"field": "process.Ext.code_signature", "type": "nested", "entries": [
                {"field": "subject_name", "type": "match", "operator": "included", "value": "good ltd"},
                {"field": "trusted", "type": "match", "operator": "included", "value": "true"}]}),
            vec![(CaseMismatch, Some("Good Ltd")), (UnknownField, None)],
            "nested entries are checked at parent.child",
        ),
        (
            json!({"field": "source.ip", "type": "list", "operator": "included", "list": {"id": "l", "type": "ip"}}),
            vec![(UnknownField, None)],
            "list entries name a field too",
        ),
    ];
    for (entry, want, why) in table {
        let got: Vec<(WarningKind, Option<String>)> = kinds(one(entry.clone()), false)
            .into_iter()
            .map(|(k, _, _, s)| (k, s))
            .collect();
        let want: Vec<(WarningKind, Option<String>)> = want
            .into_iter()
            .map(|(k, s)| (k, s.map(String::from)))
            .collect();
        assert_eq!(got, want, "{why}: {entry}");
    }
}

#[test]
fn warnings_name_their_item_and_entry() {
    let items = json!([
        {"name": "a", "entries": [{"field": "process.name", "type": "exists"}]},
        {"name": "b", "entries": [
            {"field": "process.name", "type": "exists"},
            {"field": "process.Ext.code_signature", "type": "nested", "entries": [
                {"field": "subject_name", "type": "match", "value": "x*"}]}]}
    ]);
    assert_eq!(
        kinds(items, false),
        [(WildcardWithIs, 1, vec![1, 0], Some("matches".into()))]
    );
}

#[test]
fn item_warnings() {
    let items = json!([
        {"name": "old", "expire_time": "2026-01-01T00:00:00Z", "entries": []},
        {"name": "future", "expire_time": "2027-01-01T00:00:00Z", "entries": []},
        {"name": "bad", "expire_time": "soon", "entries": []}
    ]);
    assert_eq!(
        kinds(items.clone(), false),
        [(Expired, 0, vec![], None), (BadExpireTime, 2, vec![], None)],
        "removeExpiredExceptions: expire_time before the run's start"
    );
    // sequenceWarningAdd: "The exception created will apply to all events in the sequence."
    let seq = kinds(items, true);
    assert_eq!(seq.iter().filter(|w| w.0 == SequenceRule).count(), 3);
}
