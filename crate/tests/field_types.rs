//! Field types in KQL and EQL alike (issue 13, §2 and §5): dates as ranges over what they name,
//! ip addresses, 32-bit floats, flattened and nested fields, and KQL wildcard values with
//! whitespace. Each case names the Elasticsearch or Kibana source that decides it.

use ruleplay::diagnostic::{ErrorKind, KqlErrorKind};
use serde_json::{json, Value};

const NOW: i64 = 1_717_200_000_000;

fn kql(q: &str, ev: &Value) -> bool {
    let c = ruleplay::kql::compile(q).unwrap_or_else(|d| panic!("{q}: {}", d.render(q)));
    c.matches(ev, NOW)
}

fn eql(cond: &str, ev: &Value) -> bool {
    let src = format!("any where {cond}");
    let c = ruleplay::eql::compile(&src).unwrap_or_else(|d| panic!("{src}: {}", d.render(&src)));
    c.matches(ev)
}

fn at(ts: &str) -> Value {
    json!({ "@timestamp": ts })
}

#[test]
fn a_date_value_is_the_range_it_names() {
    // DateFieldMapper.termQuery: a term on a date field is a range from the value rounded down
    // to the value rounded up ("missing date components" in the range query docs).
    let late = at("2024-05-01T23:59:59.999Z");
    let next = at("2024-05-02T00:00:00.000Z");
    assert!(kql("@timestamp:2024-05-01", &late));
    assert!(!kql("@timestamp:2024-05-01", &next));
    assert!(eql(r#"@timestamp == "2024-05-01""#, &late));
    assert!(!eql(r#"@timestamp == "2024-05-01""#, &next));
    assert!(eql(r#"@timestamp != "2024-05-01""#, &next));
    // `gt` and `lte` round up to the last millisecond, `gte` and `lt` down.
    assert!(!kql("@timestamp > 2024-05-01", &late));
    assert!(kql("@timestamp > 2024-05-01", &next));
    assert!(kql("@timestamp <= 2024-05-01", &late));
    assert!(!eql(r#"@timestamp > "2024-05-01""#, &late));
    assert!(eql(r#"@timestamp >= "2024-05-01""#, &late));
    assert!(eql(r#"@timestamp < "2024-05-02""#, &late));
}

#[test]
fn partial_dates_are_calendar_dates() {
    // strict_date_optional_time||epoch_millis tries the date format first: `2024` is a year
    // and `2024-05` a month, not epoch milliseconds.
    let dec = at("2024-12-31T12:00:00Z");
    let may = at("2024-05-31T23:00:00Z");
    assert!(kql("@timestamp:2024", &dec));
    assert!(!kql("@timestamp:2023", &dec));
    assert!(kql("@timestamp:2024-05", &may));
    assert!(!kql("@timestamp:2024-06", &may));
    assert!(eql(r#"@timestamp == "2024""#, &dec));
    assert!(kql("@timestamp <= 2024-05", &may));
    assert!(!kql("@timestamp > 2024-05", &may));
    // Other digit strings stay epoch milliseconds.
    assert!(kql("@timestamp:1714521600000", &at("2024-05-01T00:00:00Z")));
}

#[test]
fn ip_fields_in_eql() {
    // IpFieldMapper.termQuery reads a CIDR; ranges order addresses, not strings.
    let ev = json!({"source": {"ip": "10.1.2.3"}});
    assert!(eql(r#"source.ip == "10.0.0.0/8""#, &ev));
    assert!(!eql(r#"source.ip == "192.168.0.0/16""#, &ev));
    assert!(eql(r#"source.ip != "192.168.0.0/16""#, &ev));
    // As strings "10.1.2.3" < "9.0.0.0"; as addresses it is greater.
    assert!(eql(r#"source.ip > "9.0.0.0""#, &ev));
    assert!(!eql(r#"source.ip < "9.0.0.0""#, &ev));
    assert!(eql(r#"source.ip <= "10.1.2.3""#, &ev));
    assert!(kql("source.ip > 9.0.0.0", &ev));
}

#[test]
fn float_fields_compare_at_32_bits() {
    // NumberFieldMapper.NumberType.FLOAT stores and parses queries as 32-bit floats, so every
    // number that rounds to the same float is equal; `double` keeps 64 bits.
    let ev = json!({"event": {"risk_score": 0.1}});
    assert!(kql("event.risk_score:0.10000000149", &ev));
    assert!(eql("event.risk_score == 0.10000000149", &ev));
    assert!(!eql("event.risk_score > 0.1", &ev));
    let big = json!({"event": {"risk_score": 16777217}});
    assert!(kql("event.risk_score:16777216", &big));
    assert!(eql("event.risk_score == 16777216", &big));
}

#[test]
fn flattened_fields_reach_their_leaves() {
    // FlattenedFieldMapper: the root field indexes every leaf value as a keyword; `field.key`
    // indexes one key's values.
    let ev = json!({"log": {"syslog": {"structured_data": {"meta": {"sequenceId": "7"}, "origin": {"ip": "1.2.3.4"}}}}});
    assert!(kql("log.syslog.structured_data:7", &ev));
    assert!(kql(r#"log.syslog.structured_data:"1.2.3.4""#, &ev));
    assert!(kql("log.syslog.structured_data.meta.sequenceId:7", &ev));
    assert!(!kql("log.syslog.structured_data.origin.ip:7", &ev));
    assert!(eql(r#"log.syslog.structured_data == "1.2.3.4""#, &ev));
}

#[test]
fn nested_fields_need_a_nested_group_in_kql() {
    // get_full_field_name_node.ts: "… is a nested field, but is not in a nested group in the
    // KQL expression."
    let err = ruleplay::kql::compile("threat.enrichments.indicator.ip:1.2.3.4").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Kql(KqlErrorKind::NestedField));
    assert_eq!(
        err.message,
        "threat.enrichments.indicator.ip is a nested field, but is not in a nested group in the KQL expression."
    );
    let ev = json!({"threat": {"enrichments": [{"indicator": {"ip": "1.2.3.4"}}]}});
    assert!(kql("threat.enrichments:{ indicator.ip:1.2.3.4 }", &ev));
}

#[test]
fn kql_wildcards_with_whitespace_split_into_terms() {
    // Kibana (is.ts) sends wildcard values as a query_string on detection rules' field-less
    // data views, and wildcard.ts escapes no whitespace: query_string splits `*S3 Browser*`
    // into `*S3` OR `Browser*` (kibana#23001). Three corpus rules have this shape.
    for field in ["process.name", "process.command_line"] {
        let q = format!("{field}:*S3 Browser*");
        let ev = |v: &str| json!({"process": {"name": v, "command_line": v}});
        assert!(!kql(&q, &ev("My S3 Browser.exe")), "{q}");
        assert!(kql(&q, &ev("Browser.exe")), "{q}");
        assert!(kql(&q, &ev("ToolS3")), "{q}");
    }
    // Quoted values are literal (no wildcard, no split); no whitespace, no split.
    assert!(kql(
        r#"process.name:"My S3 Browser.exe""#,
        &json!({"process": {"name": "My S3 Browser.exe"}})
    ));
    assert!(kql(
        "process.name:*Browser*",
        &json!({"process": {"name": "My S3 Browser.exe"}})
    ));
}

#[test]
fn exception_entries_follow_the_same_types() {
    use ruleplay::exceptions::{ExceptionItem, ExceptionSet};
    let item = |field: &str, value: &str| {
        ExceptionItem::from_json(json!({"list_id": "l", "item_id": "i", "name": "n", "type": "simple",
            "namespace_type": "single",
            "entries": [{"field": field, "operator": "included", "type": "match", "value": value}]}))
        .expect("item")
    };
    let hits =
        |it: ExceptionItem, ev: &Value| ExceptionSet::new(&[it], NOW).matching_item(ev).is_some();
    // match_phrase on a date field is a term query: the range the date names.
    assert!(hits(
        item("@timestamp", "2024-05-01"),
        &at("2024-05-01T23:00:00Z")
    ));
    assert!(!hits(
        item("@timestamp", "2024-05-01"),
        &at("2024-05-02T00:00:00Z")
    ));
    // A flattened field's own name reaches its leaves.
    let ev = json!({"log": {"syslog": {"structured_data": {"meta": {"sequenceId": "7"}}}}});
    assert!(hits(item("log.syslog.structured_data", "7"), &ev));
    // float at 32 bits.
    assert!(hits(
        item("event.risk_score", "0.10000000149"),
        &json!({"event": {"risk_score": 0.1}})
    ));
}
