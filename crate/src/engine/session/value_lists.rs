//! Value lists for `is in list` exception entries, exception-file import and export (Kibana
//! NDJSON, detection-rules TOML), and the rule's `[[rule.exceptions_list]]` references, so the
//! page keeps no exception semantics of its own.

use super::*;
use crate::exceptions::export_ndjson;
use crate::exceptions::toml_format::{self, Format};
use crate::exceptions::value_lists::{ListType, ValueList, ValueLists};

/// A value list as the page or the CLI gives it: its id (what entries reference), its type and
/// its text, one value per line.
#[derive(Clone, Debug)]
pub struct ValueListInput {
    pub id: String,
    pub list_type: String,
    pub text: String,
}

/// A value list as read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueListReport {
    pub id: String,
    #[serde(rename = "type")]
    pub list_type: String,
    /// Values loaded.
    pub count: usize,
    /// Lines the type cannot hold (not loaded), with their line numbers.
    pub errors: Vec<EventError>,
}

/// A `[[rule.exceptions_list]]` reference of the loaded rule, and whether the exceptions given
/// hold that list (a list line with its `list_id`, or items of it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExceptionListRefView {
    pub id: String,
    pub list_id: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub list_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_type: Option<String>,
    pub loaded: bool,
}

impl Session {
    /// Replace the value lists. A list of an unknown type loads nothing and says so; bad lines
    /// are reported per list and the others kept.
    pub fn set_value_lists(&mut self, lists: &[ValueListInput]) -> Vec<ValueListReport> {
        let mut loaded = ValueLists::new();
        let reports = lists
            .iter()
            .map(|input| {
                let Some(ty) = ListType::parse(&input.list_type) else {
                    return ValueListReport {
                        id: input.id.clone(),
                        list_type: input.list_type.clone(),
                        count: 0,
                        errors: vec![EventError {
                            kind: EventErrorKind::UnknownListType,
                            line: 1,
                            column: 1,
                            message: format!(
                                "unknown value list type \"{}\": expected keyword, ip, ip_range or text",
                                input.list_type
                            ),
                        }],
                    };
                };
                let (list, errors) = ValueList::parse(&input.id, ty, &input.text);
                let report = ValueListReport {
                    id: input.id.clone(),
                    list_type: ty.as_str().to_string(),
                    count: list.len(),
                    errors,
                };
                loaded.insert(list);
                report
            })
            .collect();
        self.value_lists = loaded;
        self.forget_run();
        reports
    }

    pub fn value_lists(&self) -> &ValueLists {
        &self.value_lists
    }

    /// The exceptions as last set, written as `to`: Kibana NDJSON (list lines, items, the
    /// export summary) or a detection-rules exception TOML file.
    pub fn export_exceptions(&self, to: Format) -> String {
        match to {
            Format::Ndjson => export_ndjson(&self.exception_lists, &self.exceptions),
            Format::Toml => toml_format::export_toml(
                self.exception_metadata.as_ref(),
                &self.exception_lists,
                &self.exceptions,
            ),
        }
    }

    /// An exception file (NDJSON or detection-rules TOML, told apart by its first character)
    /// written as `to`, with the file's errors: the page's import (to NDJSON, for the exceptions
    /// editor) and downloads (of the editor's text) go through here.
    pub fn convert_exceptions(&self, text: &str, to: Format) -> (String, Vec<EventError>) {
        toml_format::convert(text, to)
    }

    /// The loaded rule's `[[rule.exceptions_list]]` references.
    pub fn exception_list_refs(&self) -> Vec<ExceptionListRefView> {
        let Some(rule) = self.rule() else {
            return Vec::new();
        };
        rule.exceptions_list
            .iter()
            .map(|r| {
                let holds = |v: Option<&str>| v == Some(r.list_id.as_str());
                let loaded = self
                    .exception_lists
                    .iter()
                    .any(|l| holds(l.get("list_id").and_then(Value::as_str)))
                    || self.exceptions.iter().any(|i| holds(i.list_id.as_deref()));
                ExceptionListRefView {
                    id: r.id.clone(),
                    list_id: r.list_id.clone(),
                    list_type: r.list_type.clone(),
                    namespace_type: r.namespace_type.clone(),
                    loaded,
                }
            })
            .collect()
    }
}
