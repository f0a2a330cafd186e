use super::*;
use crate::event::parse::Format;

const NDJSON: &str = "{\"a\":1}\n{\"a\":2}\n";

fn values(e: &Events) -> Vec<serde_json::Value> {
    e.events.clone()
}

#[test]
fn plain_inputs_read_as_before() {
    let e = read_events(NDJSON);
    assert_eq!((e.format, e.note.is_none()), (Format::Ndjson, true));
    assert_eq!(e.events.len(), 2);
    let e = read_events("[{\"a\":1}]");
    assert_eq!(e.format, Format::Array);
}

#[test]
fn a_search_response_gives_its_sources_in_order() {
    let text = r#"{
  "took": 3, "timed_out": false,
  "hits": {
    "total": {"value": 5, "relation": "eq"},
    "hits": [
      {"_index": "i", "_id": "x1", "_source": {"a": 1}},
      {"_index": "i", "_id": "x2", "_source": {"a": 2}}
    ]
  }
}"#;
    let e = read_events(text);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert_eq!(e.format, Format::Search);
    assert_eq!(values(&e), values(&read_events(NDJSON)));
    assert_eq!(e.lines, [6, 7]);
    assert_eq!(&text[e.spans[1].start..e.spans[1].end], "{\"a\": 2}");
    assert_eq!(e.origins[1].to_string(), "hit 2 (_id x2)");
    let note = e.note.unwrap_or_default();
    assert!(note.contains("2 hits (of 5 matching documents)"), "{note}");
}

#[test]
fn compact_and_wrapped_responses() {
    let compact = r#"{"took":1,"hits":{"hits":[{"_id":"a","_source":{"a":1}},{"_id":"b","_source":{"a":2}}]}}"#;
    assert_eq!(values(&read_events(compact)), values(&read_events(NDJSON)));
    let wrapped = format!("{{\"id\":\"x\",\"is_running\":false,\"response\":{compact}}}");
    assert_eq!(read_events(&wrapped).format, Format::Search);
    assert_eq!(read_events(&wrapped).events.len(), 2);
    let inspect = format!("{{\n \"rawResponse\": {compact}\n}}");
    assert_eq!(read_events(&inspect).events.len(), 2);
}

#[test]
fn eql_events_and_sequences() {
    let events = r#"{"is_partial":false,"hits":{"total":{"value":2,"relation":"eq"},
      "events":[{"_index":"i","_id":"1","_source":{"a":1}},{"_index":"i","_id":"2","_source":{"a":2}}]}}"#;
    let e = read_events(events);
    assert_eq!(e.format, Format::EqlSearch);
    assert_eq!(values(&e), values(&read_events(NDJSON)));
    let seqs = r#"{"hits":{"sequences":[
      {"join_keys":["h"],"events":[{"_index":"i","_id":"1","_source":{"a":1}},{"_index":"i","_id":"2","_source":{"a":2}}]},
      {"join_keys":["h"],"events":[{"_index":"i","_id":"2","_source":{"a":2}},{"_index":"i","_id":"3","_source":{"a":3}},{"missing":true,"_index":"","_id":""}]}
    ]}}"#;
    let e = read_events(seqs);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert_eq!(e.events.len(), 3);
    assert_eq!(e.origins[2].to_string(), "sequence 2, hit 2 (_id 3)");
    let note = e.note.unwrap_or_default();
    assert!(
        note.contains("1 event of several sequences read once"),
        "{note}"
    );
    assert!(note.contains("1 missing event skipped"), "{note}");
}

#[test]
fn hits_with_only_fields_read_from_fields() {
    let text = r#"{"hits":{"hits":[{"_index":"i","_id":"1","fields":{"process.name":["bash"],"host.os.type":["linux"]}}]}}"#;
    let e = read_events(text);
    assert_eq!(e.events[0]["process.name"][0], "bash");
    let note = e.note.unwrap_or_default();
    assert!(
        note.contains("every hit without _source, read from `fields`"),
        "{note}"
    );
}

#[test]
fn discover_copy_as_json_and_hit_lines() {
    let arr = r#"[{"_index":"i","_id":"1","_score":null,"_source":{"a":1},"fields":{"a":[1]}},
                  {"_index":"i","_id":"2","_source":{"a":2}}]"#;
    let e = read_events(arr);
    assert_eq!(e.format, Format::Hits);
    assert_eq!(values(&e), values(&read_events(NDJSON)));
    let lines = "{\"_index\":\"i\",\"_id\":\"1\",\"_source\":{\"a\":1}}\n\n{\"_index\":\"i\",\"_id\":\"2\",\"_source\":{\"a\":2}}\n";
    let e = read_events(lines);
    assert_eq!(e.format, Format::Hits);
    assert_eq!(values(&e), values(&read_events(NDJSON)));
    assert_eq!(e.lines, [1, 3]);
    let one = "{\n  \"_index\": \"i\",\n  \"_id\": \"1\",\n  \"_source\": {\"a\": 1}\n}\n";
    let e = read_events(one);
    assert_eq!(e.events.len(), 1);
    assert_eq!(e.origins[0].to_string(), "hit 1 (_id 1)");
}

#[test]
fn malformed_responses_give_spanned_errors() {
    let kinds = |t: &str| -> Vec<(EventErrorKind, usize, usize)> {
        read_events(t)
            .errors
            .iter()
            .map(|e| (e.kind, e.line, e.column))
            .collect()
    };
    assert_eq!(
        kinds("{\n  \"took\": 1,\n  \"hits\": {\"hits\": [\n"),
        [(EventErrorKind::Truncated, 4, 0)]
    );
    assert_eq!(
        kinds("{\"hits\":{\"hits\":{\"a\":1}}}"),
        [(EventErrorKind::InvalidResponse, 1, 17)]
    );
    assert_eq!(
        kinds("{\"hits\":{\"hits\":[{\"_id\":\"1\",\"_source\":{\"a\":1}},\n {\"_id\":\"2\"}]}}"),
        [(EventErrorKind::InvalidResponse, 2, 2)]
    );
    assert_eq!(
        kinds("{\"hits\":{\"hits\":[{\"_id\":\"1\",\"_source\":3}]}}"),
        [(EventErrorKind::NotAnObject, 1, 39)]
    );
    let e = read_events(
        "{\"hits\":{\"hits\":[{\"_id\":\"1\",\"_source\":{\"a\":1}},{\"_id\":\"2\"}]}}",
    );
    assert_eq!(e.events.len(), 1, "the good hits are kept");
}

#[test]
fn what_streams_as_ndjson() {
    assert!(streams_as_ndjson(b"{\"a\":1}\n{\"a\":2}\n"));
    assert!(streams_as_ndjson(b"  {oops\n{\"a\":2}\n"));
    assert!(!streams_as_ndjson(b"[{\"a\":1}]"));
    assert!(!streams_as_ndjson(b"{\n  \"took\" : 5,\n"));
    assert!(!streams_as_ndjson(b"{\"took\":5,\"hits\":{\"hits\":[]}}"));
    assert!(!streams_as_ndjson(b"{\"_index\":\"i\",\"_source\":{}}\n"));
}

#[test]
fn no_prefix_of_a_response_panics() {
    let text = "{\n \"took\": 1, \"hits\": {\"total\": {\"value\": 2, \"relation\": \"gte\"}, \"hits\": [\n  {\"_index\": \"é\", \"_id\": \"x\", \"_source\": {\"a\": [1, {\"b\": \"ü\"}]}},\n  {\"_id\": \"y\", \"fields\": {\"a\": [2]}}],\n \"sequences\": [{\"events\": [{\"missing\": true}]}]}}\n";
    for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        let e = read_events(&text[..end]);
        assert_eq!(e.events.len(), e.spans.len());
        for err in &e.errors {
            let _ = err.diagnostic(&text[..end]);
        }
    }
    for start in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
        let _ = read_events(&text[start..]);
        let _ = streams_as_ndjson(&text.as_bytes()[start..]);
    }
}
