//! Kibana refuses a KQL query that reaches into a `nested` field outside a nested group
//! `field:{ … }`, or through the wrong one (`kbn-es-query`, `src/kuery/node_types/…/
//! get_full_field_name_node.ts`; its tests: "nestedField.child is a nested field, but is not in
//! a nested group in the KQL expression."). Without the group Elasticsearch could not see the
//! nested objects at all, so matching across them here would give verdicts no cluster gives.
//! Only fields the mappings or ECS know are checked, as Kibana checks only fields of the data
//! view; wildcard field names are skipped outside a group, as there.

use super::ast::Node;
use crate::diagnostic::{Diagnostic, KqlErrorKind};
use crate::event::ecs::{field_info, nested_parent};

pub fn check(root: &Node) -> Result<(), Diagnostic> {
    walk(root, "")
}

fn walk(n: &Node, group: &str) -> Result<(), Diagnostic> {
    match n {
        Node::Or { items, .. } | Node::And { items, .. } => {
            items.iter().try_for_each(|i| walk(i, group))
        }
        Node::Not { inner, .. } => walk(inner, group),
        Node::Field { field, .. } | Node::Range { field, .. } => {
            if field.is_wildcard() {
                return Ok(());
            }
            let full = join(group, &field.text());
            if !field_info(&full).known {
                return Ok(());
            }
            let own = nested_parent(&full);
            let message = match (own.as_deref(), group) {
                (Some(_), "") => {
                    format!("{full} is a nested field, but is not in a nested group in the KQL expression.")
                }
                // Kibana also refuses a group over a field that is not nested ("is not a nested
                // field but is in nested group"); kept lenient here, since ECS objects queried
                // through a group (`process:{ name:x }`) evaluate the same either way.
                (None, _) => return Ok(()),
                (Some(p), g) if p != g => format!(
                    "Nested field {full} is being queried with the incorrect nested path. The correct path is {p}."
                ),
                _ => return Ok(()),
            };
            Err(Diagnostic::new(
                KqlErrorKind::NestedField,
                message,
                field.span,
            ))
        }
        Node::Nested { field, query, .. } => walk(query, &join(group, &field.text())),
        Node::FreeText { .. } => Ok(()),
    }
}

fn join(group: &str, name: &str) -> String {
    if group.is_empty() {
        name.to_string()
    } else {
        format!("{group}.{name}")
    }
}
