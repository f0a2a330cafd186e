//! The Dev Tools kit: Kibana console text that checks a rule's verdicts on a real cluster. It
//! creates a scratch index mapped with the types ruleplay evaluates with (ECS, or the mappings in
//! force), bulk-indexes the sample events (document `_id` = the event's 0-based position, as
//! `ruleplay match` numbers them, so the hits say which events matched), runs the rule's request
//! against that index and deletes the index.
//!
//! The index name is `ruleplay-` and a hash of the rule and the events, so the same inputs give
//! the same text (and two kits pasted at once do not collide). Without explicit mappings
//! Elasticsearch would map strings as `text` + `.keyword` and `f:value` would match differently
//! than on an ECS index, hence the mappings of every field the events hold or the rule reads.

use super::request::{build, Options};
use crate::diagnostic::Diagnostic;
use crate::event::ecs::{field_info, FieldType};
use crate::exceptions::{Entry, ExceptionItem};
use crate::rule::Rule;
use serde_json::{json, Map, Value};

/// The console text for `rule` on `events`; `opts` as for [`build`] (its `index`, `size` and
/// `time_range` are set here: the scratch index, every event, no time bounds).
pub fn kit(rule: &Rule, events: &[Value], opts: &Options) -> Result<String, Diagnostic> {
    let index = scratch_index(rule, events);
    let kit_opts = Options {
        index: Some(index.clone()),
        size: Some(events.len().max(1) as u64),
        time_range: false,
        ..opts.clone()
    };
    let built = build(rule, &kit_opts)?;
    let mut fields = Vec::new();
    for e in events {
        leaves(e, "", &mut fields, 0);
    }
    fields.extend(rule_fields(rule, opts.exceptions));
    let mappings = mappings(&fields);

    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let mut out = String::new();
    let name = if rule.name.is_empty() {
        "the query"
    } else {
        &rule.name
    };
    out.push_str(&format!(
        "# ruleplay: check \"{name}\" on your cluster. Paste into Kibana → Dev Tools → Console and run\n\
         # the four requests in order.\n\n\
         # 1. A scratch index, mapped with the field types ruleplay used.\n\
         PUT /{index}\n{}\n\n",
        pretty(&json!({"mappings": mappings}))
    ));
    out.push_str(&format!(
        "# 2. The {} sample events; _id is each event's position (0-based), refresh makes them searchable at once.\n\
         POST /{index}/_bulk?refresh=true\n",
        events.len()
    ));
    for (i, e) in events.iter().enumerate() {
        out.push_str(&json!({"index": {"_id": i.to_string()}}).to_string());
        out.push('\n');
        out.push_str(&e.to_string());
        out.push('\n');
    }
    out.push_str(
        "\n# 3. The rule's request (as the detection engine builds it), on the scratch index.\n",
    );
    for n in &built.notes {
        out.push_str(&format!("#    Note: {n}\n"));
    }
    let r = &built.request;
    out.push_str(&format!("{} {}\n{}\n\n", r.method, r.path, pretty(&r.body)));
    out.push_str(&format!("# 4. Clean up.\nDELETE /{index}\n"));
    Ok(out)
}

/// `ruleplay-` + 16 hex digits of a 64-bit FNV-1a hash of the rule's request inputs and events.
pub fn scratch_index(rule: &Rule, events: &[Value]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(&rule.rule_type);
    feed(rule.query.as_deref().unwrap_or(""));
    for e in events {
        feed(&e.to_string());
    }
    format!("ruleplay-{h:016x}")
}

/// Dotted names of the leaf values of an event (arrays of objects walked too).
fn leaves(v: &Value, prefix: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(child, &name, out, depth + 1);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| leaves(i, prefix, out, depth + 1)),
        _ if !prefix.is_empty() => out.push(prefix.to_string()),
        _ => {}
    }
}

/// Fields the rule reads that the events may lack (EQL refuses a query on unmapped fields).
fn rule_fields(rule: &Rule, items: &[ExceptionItem]) -> Vec<String> {
    let mut out = vec![rule.timestamp_field().to_string(), "@timestamp".to_string()];
    let q = rule.query.as_deref().unwrap_or("");
    match rule.effective_language() {
        Some("kuery") => out.extend(
            crate::kql::compile(q)
                .map(|c| c.fields())
                .unwrap_or_default(),
        ),
        Some("eql") => {
            out.extend(
                crate::eql::compile(q)
                    .map(|c| c.fields())
                    .unwrap_or_default(),
            );
            out.push(
                rule.event_category_override
                    .clone()
                    .unwrap_or_else(|| "event.category".into()),
            );
            out.extend(rule.tiebreaker_field.iter().cloned());
        }
        _ => {}
    }
    if let Some(nt) = &rule.new_terms {
        out.extend(nt.fields.iter().cloned());
    }
    if let Some(t) = &rule.threshold {
        out.extend(t.field.iter().cloned());
        out.extend(t.cardinality.iter().map(|c| c.field.clone()));
    }
    fn entry_fields(e: &Entry, parent: &str, out: &mut Vec<String>) {
        let name = if parent.is_empty() {
            e.field().to_string()
        } else {
            format!("{parent}.{}", e.field())
        };
        if let Entry::Nested { entries, .. } = e {
            entries.iter().for_each(|c| entry_fields(c, &name, out));
        } else {
            out.push(name);
        }
    }
    for item in items {
        item.entries
            .iter()
            .for_each(|e| entry_fields(e, "", &mut out));
        if !item.os_types.is_empty() {
            out.extend(["host.os.type".into(), "host.os.name".into()]);
        }
    }
    out.retain(|f| !f.contains('*') && !f.is_empty());
    out
}

/// The `mappings` of the scratch index: each field with its type; objects ECS declares
/// `nested` (or `flattened`) as such; multi-fields (`process.command_line.text`) under their
/// parent.
pub fn mappings(fields: &[String]) -> Value {
    let mut root = Map::new();
    for f in fields {
        add_field(&mut root, f);
    }
    json!({"properties": root})
}

fn add_field(root: &mut Map<String, Value>, field: &str) {
    let info = field_info(field);
    // A multi-field or alias: map the field its values live in, with the sub-field.
    let (path, sub) = if info.source != field && info.known {
        match field.strip_prefix(&format!("{}.", info.source)) {
            Some(rest) if !rest.contains('.') => (info.source.clone(), Some((rest, info.ty))),
            _ => (field.to_string(), None),
        }
    } else {
        (field.to_string(), None)
    };
    let parts: Vec<&str> = path.split('.').collect();
    let mut node = root;
    let mut so_far = String::new();
    for (i, part) in parts.iter().enumerate() {
        if !so_far.is_empty() {
            so_far.push('.');
        }
        so_far.push_str(part);
        let last = i + 1 == parts.len();
        let here = field_info(&so_far);
        let entry = node
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(obj) = entry.as_object_mut() else {
            return;
        };
        if here.known && here.ty == FieldType::Flattened {
            obj.insert("type".into(), json!("flattened"));
            return;
        }
        if last {
            if obj.contains_key("properties") {
                return;
            }
            let leaf = field_info(&so_far);
            let (ty, extra) = leaf_type(leaf.ty);
            if ty == "object" || ty == "nested" {
                return;
            }
            obj.insert("type".into(), json!(ty));
            if let Some((k, v)) = extra {
                obj.insert(k.into(), v);
            }
            if let (Some(n), "keyword") = (leaf.ignore_above, ty) {
                obj.insert("ignore_above".into(), json!(n));
            }
            if let Some((name, sub_ty)) = sub {
                let (t, _) = leaf_type(sub_ty);
                let fields = obj
                    .entry("fields")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(fm) = fields.as_object_mut() {
                    fm.insert(name.to_string(), json!({"type": t}));
                }
            }
            return;
        }
        // An object on the way: a leaf mapped here before becomes an object (the events hold
        // both shapes; Elasticsearch would refuse one of them either way).
        if obj
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t != "nested")
        {
            obj.clear();
        }
        if here.known && here.ty == FieldType::Nested {
            obj.insert("type".into(), json!("nested"));
        }
        let props = obj
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(p) = props.as_object_mut() else {
            return;
        };
        node = p;
    }
}

/// The mapping type of a field type, and a parameter it needs. `constant_keyword` is mapped as
/// `keyword`: sample events from several datasets would be refused by a constant one, and both
/// match the same way.
fn leaf_type(ty: FieldType) -> (&'static str, Option<(&'static str, Value)>) {
    let name = match ty {
        FieldType::Keyword | FieldType::ConstantKeyword => "keyword",
        FieldType::Wildcard => "wildcard",
        FieldType::Text => "text",
        FieldType::MatchOnlyText => "match_only_text",
        FieldType::Long => "long",
        FieldType::Integer => "integer",
        FieldType::Short => "short",
        FieldType::Byte => "byte",
        FieldType::UnsignedLong => "unsigned_long",
        FieldType::Float => "float",
        FieldType::HalfFloat => "half_float",
        FieldType::Double => "double",
        FieldType::ScaledFloat => return ("scaled_float", Some(("scaling_factor", json!(1000)))),
        FieldType::Boolean => "boolean",
        FieldType::Ip => "ip",
        FieldType::Date => "date",
        FieldType::DateNanos => "date_nanos",
        FieldType::Object => "object",
        FieldType::Nested => "nested",
        FieldType::Flattened => "flattened",
        FieldType::GeoPoint => "geo_point",
        FieldType::Version => "version",
    };
    (name, None)
}
