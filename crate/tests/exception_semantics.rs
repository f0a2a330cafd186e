//! Kibana exception semantics, pinned as a table: each row an item, an event, whether the item
//! removes the event, and why (with the Kibana or Elasticsearch source the reason rests on).
//! Sources, abbreviated:
//! - BEF: x-pack/solutions/security/plugins/lists/server/services/exception_lists/
//!   build_exception_filter.ts (entries → ES query; items ORed, entries ANDed; `excluded` →
//!   `bool.must_not`; `transformOsType`; `removeExpiredExceptions`; `buildListClause`).
//! - GQF: x-pack/.../lists/server/services/utils/get_query_filter_from_type_value.ts (large and
//!   text lists: `match` with `operator: and` against the list items).
//! - MN: Elasticsearch `bool.must_not`: a document without the field satisfies it.
//! - DOC: docs-content add-manage-exceptions.md ("Rule exceptions are case-sensitive", EQL:
//!   "Exceptions are evaluated against every event in the sequence").
//! - RULETYPES: threshold.ts / create_new_terms_alert_type.ts / build_eql_search_request.ts: the
//!   exception filter is part of the searches, before aggregation, history and sequences.

use ruleplay::engine::{load, Lang, RunOptions, Status};
use ruleplay::exceptions::value_lists::{ListType, ValueList, ValueLists};
use ruleplay::exceptions::{ExceptionItem, ExceptionSet};
use ruleplay::time::parse_date;
use serde_json::{json, Value};

const NOW: &str = "2026-11-23T12:00:00Z";

fn lists() -> ValueLists {
    let mut l = ValueLists::new();
    for (id, ty, text) in [
        (
            "hosts",
            ListType::Keyword,
            "relay-01\nrelay-02\r\n\nRelay-03\n",
        ),
        ("jump", ListType::Ip, "10.0.0.5\n2001:db8::1\n"),
        (
            "nets",
            ListType::IpRange,
            "192.168.1.10-192.168.1.20\n172.16.0.0/12\n",
        ),
        ("phrases", ListType::Text, "Backup job finished OK\n"),
    ] {
        let (list, errors) = ValueList::parse(id, ty, text);
        assert!(errors.is_empty(), "{id}: {errors:?}");
        l.insert(list);
    }
    l
}

fn item(entries: Value, extra: Value) -> ExceptionItem {
    let mut o = json!({"name": "t", "entries": entries});
    if let (Some(m), Value::Object(x)) = (o.as_object_mut(), extra) {
        m.extend(x);
    }
    ExceptionItem::from_json(o).expect("a valid item")
}

fn m(field: &str, op: &str, value: &str) -> Value {
    json!({"field": field, "operator": op, "type": "match", "value": value})
}

fn in_list(field: &str, op: &str, id: &str, ty: &str) -> Value {
    json!({"field": field, "operator": op, "type": "list", "list": {"id": id, "type": ty}})
}

struct Row {
    what: &'static str,
    entries: Value,
    extra: Value,
    event: Value,
    removed: bool,
    why: &'static str,
}

fn rows() -> Vec<Row> {
    let none = || json!({});
    let r = |what, entries, extra, event, removed, why| Row {
        what,
        entries,
        extra,
        event,
        removed,
        why,
    };
    vec![
        r(
            "match is exact on keyword",
            json!([m("process.name", "included", "sort")]),
            none(),
            json!({"process": {"name": "sort"}}),
            true,
            "BEF match → match_phrase; a keyword field holds the value as one term",
        ),
        r(
            "match is case-sensitive on keyword",
            json!([m("process.name", "included", "sort")]),
            none(),
            json!({"process": {"name": "Sort"}}),
            false,
            "DOC: rule exceptions are case-sensitive",
        ),
        r(
            "match on a text field is a phrase",
            json!([m("message", "included", "job finished")]),
            none(),
            json!({"message": "Backup JOB finished ok"}),
            true,
            "BEF match_phrase on text is analysed (standard analyzer)",
        ),
        r(
            "included on a missing field",
            json!([m("user.name", "included", "root")]),
            none(),
            json!({}),
            false,
            "ES: a match_phrase on a missing field matches nothing",
        ),
        r(
            "excluded on a missing field holds",
            json!([
                m("process.name", "included", "sort"),
                m("user.name", "excluded", "root")
            ]),
            none(),
            json!({"process": {"name": "sort"}}),
            true,
            "BEF excluded → must_not; MN: a missing field satisfies must_not",
        ),
        r(
            "excluded with the value",
            json!([
                m("process.name", "included", "sort"),
                m("user.name", "excluded", "root")
            ]),
            none(),
            json!({"process": {"name": "sort"}, "user": {"name": "root"}}),
            false,
            "BEF must_not of the match",
        ),
        r(
            "array: included matches any element",
            json!([m("process.args", "included", "-c")]),
            none(),
            json!({"process": {"args": ["bash", "-c", "id"]}}),
            true,
            "ES: a multi-valued field matches when one value does",
        ),
        r(
            "array: excluded needs no element to match",
            json!([
                m("process.name", "included", "sh"),
                m("process.args", "excluded", "-c")
            ]),
            none(),
            json!({"process": {"name": "sh", "args": ["sh", "-c"]}}),
            false,
            "MN: must_not fails when any value matches",
        ),
        r(
            "match_any is OR",
            json!([{"field": "host.name", "operator": "included", "type": "match_any", "value": ["a", "b"]}]),
            none(),
            json!({"host": {"name": "b"}}),
            true,
            "BEF match_any → should of match_phrase, minimum_should_match 1",
        ),
        r(
            "wildcard is case-sensitive",
            json!([{"field": "process.executable", "operator": "included", "type": "wildcard", "value": "/usr/*/exim*"}]),
            none(),
            json!({"process": {"executable": "/USR/sbin/exim4"}}),
            false,
            "BEF wildcard without case_insensitive",
        ),
        r(
            "exists excluded on missing",
            json!([m("process.name", "included", "sh"), {"field": "process.command_line", "operator": "excluded", "type": "exists"}]),
            none(),
            json!({"process": {"name": "sh"}}),
            true,
            "BEF excluded exists → must_not exists: true without the field",
        ),
        r(
            "entries are ANDed",
            json!([
                m("process.name", "included", "sh"),
                m("host.name", "included", "web")
            ]),
            none(),
            json!({"process": {"name": "sh"}, "host": {"name": "db"}}),
            false,
            "BEF one item = bool.filter of its entries",
        ),
        r(
            "nested: one object must satisfy all",
            json!([{"field": "process.Ext.code_signature", "type": "nested", "entries": [m("subject_name", "included", "Good"), m("trusted", "included", "true")]}]),
            none(),
            json!({"process": {"Ext": {"code_signature": [{"subject_name": "Good", "trusted": false}, {"subject_name": "Bad", "trusted": true}]}}}),
            false,
            "BEF nested query: the entries must hold within one object of the array",
        ),
        r(
            "nested: the matching object",
            json!([{"field": "process.Ext.code_signature", "type": "nested", "entries": [m("subject_name", "included", "Good"), m("trusted", "included", "true")]}]),
            none(),
            json!({"process": {"Ext": {"code_signature": [{"subject_name": "Bad", "trusted": true}, {"subject_name": "Good", "trusted": true}]}}}),
            true,
            "BEF nested query",
        ),
        r(
            "os_types: host.os.type",
            json!([m("process.name", "included", "sh")]),
            json!({"os_types": ["linux"]}),
            json!({"process": {"name": "sh"}, "host": {"os": {"type": "linux"}}}),
            true,
            "BEF transformOsType: host.os.type is one of os_types",
        ),
        r(
            "os_types: host.os.name.caseless",
            json!([m("process.name", "included", "sh")]),
            json!({"os_types": ["linux"]}),
            json!({"process": {"name": "sh"}, "host": {"os": {"name": {"caseless": "linux"}}}}),
            true,
            "BEF transformOsType: or host.os.name.caseless (endpoint)",
        ),
        r(
            "os_types: other OS",
            json!([m("process.name", "included", "sh")]),
            json!({"os_types": ["windows"]}),
            json!({"process": {"name": "sh"}, "host": {"os": {"type": "linux"}}}),
            false,
            "BEF transformOsType",
        ),
        r(
            "os_types: no OS field",
            json!([m("process.name", "included", "sh")]),
            json!({"os_types": ["linux"]}),
            json!({"process": {"name": "sh"}}),
            false,
            "BEF transformOsType adds a should that needs one of the two fields",
        ),
        r(
            "expired item",
            json!([m("process.name", "included", "sh")]),
            json!({"expire_time": "2026-01-01T00:00:00Z"}),
            json!({"process": {"name": "sh"}}),
            false,
            "BEF removeExpiredExceptions: expire_time before the run is dropped",
        ),
        r(
            "not yet expired",
            json!([m("process.name", "included", "sh")]),
            json!({"expire_time": "2027-01-01T00:00:00Z"}),
            json!({"process": {"name": "sh"}}),
            true,
            "BEF removeExpiredExceptions keeps later expire_time",
        ),
        r(
            "keyword list: exact",
            json!([in_list("host.name", "included", "hosts", "keyword")]),
            none(),
            json!({"host": {"name": "relay-02"}}),
            true,
            "BEF buildListClause keyword → terms (the list's lines, CR dropped)",
        ),
        r(
            "keyword list: case-sensitive",
            json!([in_list("host.name", "included", "hosts", "keyword")]),
            none(),
            json!({"host": {"name": "relay-03"}}),
            false,
            "BEF terms on keyword: exact bytes (the list has Relay-03)",
        ),
        r(
            "ip list on an ip field",
            json!([in_list("source.ip", "included", "jump", "ip")]),
            none(),
            json!({"source": {"ip": "2001:db8:0::1"}}),
            true,
            "BEF terms on an ip field compares addresses",
        ),
        r(
            "ip list: array of addresses",
            json!([in_list("related.ip", "included", "jump", "ip")]),
            none(),
            json!({"related": {"ip": ["8.8.8.8", "10.0.0.5"]}}),
            true,
            "ES: any value of a multi-valued field",
        ),
        r(
            "ip_range list: dash range edge",
            json!([in_list("source.ip", "included", "nets", "ip_range")]),
            none(),
            json!({"source": {"ip": "192.168.1.20"}}),
            true,
            "BEF ip_range a-b → range gte/lte (inclusive)",
        ),
        r(
            "ip_range list: past the range",
            json!([in_list("source.ip", "included", "nets", "ip_range")]),
            none(),
            json!({"source": {"ip": "192.168.1.21"}}),
            false,
            "BEF range lte",
        ),
        r(
            "ip_range list: CIDR",
            json!([in_list("source.ip", "included", "nets", "ip_range")]),
            none(),
            json!({"source": {"ip": "172.31.255.1"}}),
            true,
            "BEF ip_range CIDR → terms on an ip field",
        ),
        r(
            "text list: all tokens of the value in one item",
            json!([in_list("message", "included", "phrases", "text")]),
            none(),
            json!({"message": "backup JOB"}),
            true,
            "GQF text → match operator and: the item holds every token of the value",
        ),
        r(
            "text list: a token the item lacks",
            json!([in_list("message", "included", "phrases", "text")]),
            none(),
            json!({"message": "backup failed"}),
            false,
            "GQF operator and",
        ),
        r(
            "is not in list: missing field holds",
            json!([
                m("process.name", "included", "sshd"),
                in_list("source.ip", "excluded", "jump", "ip")
            ]),
            none(),
            json!({"process": {"name": "sshd"}}),
            true,
            "BEF excluded list → must_not terms; MN",
        ),
        r(
            "is not in list: value in the list",
            json!([
                m("process.name", "included", "sshd"),
                in_list("source.ip", "excluded", "jump", "ip")
            ]),
            none(),
            json!({"process": {"name": "sshd"}, "source": {"ip": "10.0.0.5"}}),
            false,
            "BEF must_not terms",
        ),
        r(
            "is in list: missing field",
            json!([in_list("source.ip", "included", "jump", "ip")]),
            none(),
            json!({}),
            false,
            "ES: terms on a missing field matches nothing",
        ),
        r(
            "list not loaded: not applied",
            json!([in_list("source.ip", "included", "nope", "ip")]),
            none(),
            json!({"source": {"ip": "10.0.0.5"}}),
            false,
            "the list's values are unknown: the item is reported, not applied",
        ),
    ]
}

#[test]
fn exception_semantics_table() {
    let now = parse_date(NOW).expect("date");
    let lists = lists();
    let mut failures = Vec::new();
    for row in rows() {
        let it = item(row.entries.clone(), row.extra.clone());
        let set = ExceptionSet::with_lists(std::slice::from_ref(&it), now, &lists, true);
        let got = set.matching_item(&row.event).is_some();
        if got != row.removed {
            failures.push(format!(
                "{}: expected removed={}, got {got} ({})",
                row.what, row.removed, row.why
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unloaded_and_unusable_lists_are_reported() {
    let now = parse_date(NOW).expect("date");
    let lists = lists();
    let missing = item(
        json!([in_list("source.ip", "included", "nope", "ip")]),
        json!({}),
    );
    let set = ExceptionSet::with_lists(&[missing], now, &lists, true);
    assert!(set.is_empty());
    assert!(set.notes[0].contains("not loaded"), "{:?}", set.notes);
    // A text list is matched in memory after the search, which Kibana does for query rules only
    // (BEF unprocessedExceptions; EQL, threshold and new_terms warn "won't be applied").
    let text = item(
        json!([in_list("message", "included", "phrases", "text")]),
        json!({}),
    );
    let set = ExceptionSet::with_lists(std::slice::from_ref(&text), now, &lists, false);
    assert!(set.is_empty());
    assert!(set.notes[0].contains("won't be applied"), "{:?}", set.notes);
    assert!(!ExceptionSet::with_lists(&[text], now, &lists, true).is_empty());
}

#[test]
fn list_lines_the_type_cannot_hold_are_reported_with_their_line() {
    let (list, errors) = ValueList::parse("x", ListType::Ip, "10.0.0.1\nnot-an-ip\n\n::1\n");
    assert_eq!(list.len(), 2);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 2);
    let (_, errors) = ValueList::parse("r", ListType::IpRange, "10.0.0.9-10.0.0.1\n10.0.0.0/33\n");
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 2]);
}

fn run(rule: &str, events: &[Value], exceptions: Vec<ExceptionItem>) -> Vec<Status> {
    let loaded = load(rule, Lang::Toml).expect("rule loads");
    let opts = RunOptions {
        now: parse_date(NOW),
        exceptions,
        value_lists: lists(),
        skip_misses: true,
    };
    loaded
        .run(events, &opts)
        .events
        .iter()
        .map(|v| v.status)
        .collect()
}

const HEAD: &str = "[metadata]\ncreation_date = \"2026/01/01\"\nupdated_date = \"2026/01/01\"\n\n[rule]\nauthor = [\"t\"]\ndescription = \"t\"\nname = \"t\"\nrisk_score = 1\nrule_id = \"00000000-0000-0000-0000-000000000000\"\nseverity = \"low\"\n";

/// RULETYPES: new_terms runs the exception filter in its history phase too, so an excepted event
/// is not "already seen": the next event with the same term still alerts.
#[test]
fn exceptions_remove_events_before_new_terms_history() {
    let rule = format!(
        "{HEAD}type = \"new_terms\"\nlanguage = \"kuery\"\nquery = \"event.category:process\"\n\n[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"process.name\"]\n\n[[rule.new_terms.history_window_start]]\nfield = \"history_window_start\"\nvalue = \"now-7d\"\n"
    );
    let ev = |t: &str, host: &str| json!({"@timestamp": t, "event": {"category": "process"}, "process": {"name": "nc"}, "host": {"name": host}});
    let events = [
        ev("2026-11-23T10:00:00Z", "relay-01"),
        ev("2026-11-23T11:00:00Z", "web"),
    ];
    let exc = item(
        json!([in_list("host.name", "included", "hosts", "keyword")]),
        json!({}),
    );
    assert_eq!(run(&rule, &events, vec![]), [Status::Alert, Status::Match]);
    assert_eq!(
        run(&rule, &events, vec![exc]),
        [Status::Suppressed, Status::Alert]
    );
}

/// RULETYPES: threshold counts only events the exception filter keeps.
#[test]
fn exceptions_remove_events_before_threshold_counts() {
    let rule = format!(
        "{HEAD}type = \"threshold\"\nlanguage = \"kuery\"\nquery = \"event.outcome:failure\"\n\n[rule.threshold]\nfield = [\"source.ip\"]\nvalue = 2\n"
    );
    let ev = |host: &str| json!({"@timestamp": "2026-11-23T10:00:00Z", "event": {"outcome": "failure"}, "source": {"ip": "10.9.9.9"}, "host": {"name": host}});
    let events = [ev("relay-01"), ev("web")];
    let exc = item(json!([m("host.name", "included", "relay-01")]), json!({}));
    assert_eq!(run(&rule, &events, vec![]), [Status::Alert, Status::Alert]);
    let got = run(&rule, &events, vec![exc]);
    assert_eq!(got[0], Status::Suppressed);
    assert_ne!(got[1], Status::Alert, "one event left: under the threshold");
}

/// RULETYPES + DOC: the exception filter goes into the EQL request, so an excepted event cannot
/// complete a sequence step.
#[test]
fn exceptions_remove_events_before_sequence_steps() {
    let rule = format!(
        "{HEAD}type = \"eql\"\nlanguage = \"eql\"\nquery = '''\nsequence by host.id\n  [process where process.name == \"curl\"]\n  [network where true]\n'''\n"
    );
    let ev = |t: &str, cat: &str, name: &str, ip: &str| json!({"@timestamp": t, "event": {"category": cat}, "host": {"id": "h1"}, "process": {"name": name}, "destination": {"ip": ip}});
    let events = [
        ev("2026-11-23T10:00:00Z", "process", "curl", "1.1.1.1"),
        ev("2026-11-23T10:00:01Z", "network", "curl", "172.16.0.9"),
    ];
    let exc = item(
        json!([in_list("destination.ip", "included", "nets", "ip_range")]),
        json!({}),
    );
    assert_eq!(run(&rule, &events, vec![]), [Status::Alert, Status::Alert]);
    let got = run(&rule, &events, vec![exc]);
    assert_ne!(got[0], Status::Alert, "the sequence lost its second step");
    assert_eq!(got[1], Status::Suppressed);
}

#[test]
fn the_explanation_names_the_value_list() {
    let now = parse_date(NOW).expect("date");
    let it = item(
        json!([in_list("source.ip", "included", "jump", "ip")]),
        json!({}),
    );
    let set = ExceptionSet::with_lists(&[it], now, &lists(), true);
    let c = set.explain(&json!({"source": {"ip": "10.0.0.5"}}));
    let leaf = &c[0].children[0];
    assert_eq!(
        leaf.message.as_deref(),
        Some("source.ip is \"10.0.0.5\", in the value list jump (ip, 2 values)")
    );
    let c = set.explain(&json!({"source": {"ip": "10.0.0.6"}}));
    assert_eq!(
        c[0].children[0].message.as_deref(),
        Some("source.ip is \"10.0.0.6\", not in the value list jump (ip, 2 values)")
    );
}
