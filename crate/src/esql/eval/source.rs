//! `FROM`: the events of the indices its patterns name, one row each, columns sorted by name as
//! Elasticsearch lists an index's fields, `METADATA` columns after them.

use super::{Frame, Row, Run};
use crate::diagnostic::{Diagnostic, EsqlErrorKind};
use crate::esql::ast::Name;
use crate::esql::columns;
use crate::esql::outcome::Column;
use crate::esql::value::{DataType, Scalar, Value};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// `logs-*` against an index name (`*` any run); a `cluster:` prefix is ignored.
fn pattern_matches(pattern: &str, index: &str) -> bool {
    let pattern = pattern.rsplit_once(':').map_or(pattern, |(_, p)| p);
    let parts = super::compile::wildcard(&pattern.replace('?', "\\?"));
    let chars: Vec<char> = index.chars().collect();
    wildcard_match(&parts, &chars)
}

fn wildcard_match(p: &[super::compile::WildPart], s: &[char]) -> bool {
    use super::compile::WildPart;
    match p.split_first() {
        None => s.is_empty(),
        Some((WildPart::AnyMany, rest)) => (0..=s.len()).any(|i| wildcard_match(rest, &s[i..])),
        Some((WildPart::AnyOne, rest)) => !s.is_empty() && wildcard_match(rest, &s[1..]),
        Some((WildPart::Char(c), rest)) => s.first() == Some(c) && wildcard_match(rest, &s[1..]),
    }
}

/// Whether the patterns of a `FROM` (with `-excluded` ones) select `index`.
fn selects(patterns: &[Name], index: &str) -> bool {
    let mut selected = false;
    for p in patterns {
        for part in p.name.split(',') {
            let part = part.trim();
            if let Some(excluded) = part.strip_prefix('-') {
                if pattern_matches(excluded, index) {
                    selected = false;
                }
            } else if pattern_matches(part, index) {
                selected = true;
            }
        }
    }
    selected
}

impl Run<'_> {
    pub(super) fn from(
        &mut self,
        patterns: &[Name],
        metadata: &[Name],
    ) -> Result<Frame, Diagnostic> {
        let chosen: Vec<usize> = (0..self.events.len())
            .filter(
                |&i| match self.events[i].get("_index").and_then(Json::as_str) {
                    Some(index) => selects(patterns, index),
                    None => true,
                },
            )
            .collect();
        let mut declared: BTreeMap<String, DataType> = BTreeMap::new();
        for ix in &self.opts.indices {
            if selects(patterns, &ix.index) {
                for c in &ix.columns {
                    declared.entry(c.name.clone()).or_insert(c.ty);
                }
            }
        }
        let flat: Vec<BTreeMap<String, Vec<&Json>>> = chosen
            .iter()
            .map(|&i| columns::flatten(&self.events[i]))
            .collect();
        let mut seen: BTreeMap<String, Vec<&Json>> = BTreeMap::new();
        for f in &flat {
            for (k, v) in f {
                seen.entry(k.clone()).or_default().extend(v.iter().copied());
            }
        }
        let mut cols: BTreeMap<String, DataType> = declared;
        for (name, values) in &seen {
            if !cols.contains_key(name) {
                cols.insert(name.clone(), columns::infer_type(name, values));
            }
        }
        // Mentioned fields no event has: the mappings' or ECS's type, else null (a field of
        // an integration ECS does not define: its type is unknown, and null compares with all).
        for name in &self.ecs_columns {
            let info = crate::event::ecs::field_info(name);
            let ty = match columns::from_field_type(info.ty) {
                ty if info.known && ty != DataType::Unsupported => ty,
                _ => DataType::Null,
            };
            cols.entry(name.clone()).or_insert(ty);
        }
        // `_id`, `_index`, … are metadata, not source fields: only `METADATA` makes them columns
        // (an event carrying `_id` beside its fields, as exports do, gives it there).
        cols.retain(|name, _| !is_metadata_name(name));
        let mut frame_cols: Vec<Column> = cols
            .into_iter()
            .map(|(name, ty)| Column { name, ty })
            .collect();
        for m in metadata {
            let ty = match m.name.as_str() {
                "_id" | "_index" | "_source" | "_ignored" => DataType::Keyword,
                "_version" => DataType::Long,
                "_score" => DataType::Double,
                other => {
                    return Err(Diagnostic::new(
                        EsqlErrorKind::InvalidArgument,
                        format!("unsupported metadata field [{other}]"),
                        m.span,
                    ))
                }
            };
            frame_cols.push(Column {
                name: m.name.clone(),
                ty,
            });
        }
        let rows = chosen
            .iter()
            .zip(&flat)
            .map(|(&i, f)| {
                let cells = frame_cols
                    .iter()
                    .map(|c| match f.get(&c.name) {
                        Some(values) => columns::to_value(values, c.ty),
                        None => metadata_value(&self.events[i], &c.name, c.ty),
                    })
                    .collect();
                Row {
                    cells,
                    sources: vec![i],
                }
            })
            .collect();
        Ok(Frame {
            columns: frame_cols,
            rows,
        })
    }
}

fn is_metadata_name(name: &str) -> bool {
    columns::METADATA.contains(&name) || matches!(name, "_score" | "_source" | "_ignored")
}

fn metadata_value(event: &Json, name: &str, ty: DataType) -> Value {
    if !columns::METADATA.contains(&name) && !matches!(name, "_score" | "_source") {
        return Value::Null;
    }
    match (name, event.get(name)) {
        ("_score", _) => Value::One(Scalar::Double(0.0)),
        ("_source", _) => Value::One(Scalar::Str(event.to_string().into())),
        ("_version", None) => Value::One(Scalar::Long(1)),
        (_, Some(v)) => columns::scalar(v, ty).map_or(Value::Null, Value::One),
        _ => Value::Null,
    }
}
