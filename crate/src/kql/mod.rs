//! KQL (Kibana Query Language) with Elasticsearch semantics: [`parse`] gives the syntax tree
//! ([`ast`]), [`compile`](fn@compile) resolves field types and precompiles patterns, and the compiled
//! [`KqlQuery`] evaluates one JSON event at a time or explains its verdict.

pub mod ast;
mod compile;
mod eval;
pub mod lexer;
mod nested_check;
pub mod parser;
mod table;
mod trace;

pub use table::KqlBound;

use crate::diagnostic::Diagnostic;
use crate::event::table::EventTable;
use crate::explain::Clause;
use serde_json::Value;

/// Parse a KQL query into its syntax tree.
pub fn parse(src: &str) -> Result<ast::Query, Diagnostic> {
    parser::parse(src)
}

/// Parse and compile a query: field types resolved, values precompiled for evaluation.
pub fn compile(src: &str) -> Result<KqlQuery, Diagnostic> {
    let query = parse(src)?;
    if let Some(root) = &query.root {
        nested_check::check(root)?;
    }
    let (root, slots) = compile::compile(&query);
    let mut fields = Vec::new();
    if let Some(n) = &query.root {
        collect_fields(n, "", &mut fields);
    }
    Ok(KqlQuery {
        query,
        root,
        slots,
        fields,
    })
}

/// A compiled KQL query.
#[derive(Clone, Debug)]
pub struct KqlQuery {
    query: ast::Query,
    root: compile::CNode,
    /// Leaves an event view can serve (see [`KqlQuery::bind`]).
    slots: usize,
    fields: Vec<String>,
}

impl KqlQuery {
    /// The verdict Elasticsearch would give for `event`. `now_ms` anchors date math (`now-1d`).
    pub fn matches(&self, event: &Value, now_ms: i64) -> bool {
        eval::eval(&self.root, event, now_ms)
    }

    /// Resolve this query's fields to `table`'s columns, with per-string verdict caches (once
    /// per query, table and `now`).
    pub fn bind<'t>(&self, table: &'t EventTable) -> KqlBound<'t> {
        table::bind(&self.root, self.slots, table)
    }

    /// Whether [`matches_row`](Self::matches_row) over `b` may read the JSON event: some leaf
    /// the table cannot serve, or an object among the cells a leaf reads. When not, callers that
    /// do not hold the events (a file read from disk) may pass any value.
    pub fn reads_event(&self, b: &KqlBound) -> bool {
        table::reads_event(&self.root, b)
    }

    /// [`matches`](Self::matches) for row `row` of the table `b` is bound to; `event` is that
    /// row's JSON event (read by leaves the table cannot serve: field-name patterns, free
    /// text, `nested`). `now_ms` must be the same for every row of one binding.
    pub fn matches_row(&self, b: &KqlBound, row: usize, event: &Value, now_ms: i64) -> bool {
        table::eval_row(&self.root, b, row, event, now_ms)
    }

    /// The clause tree behind [`matches`](Self::matches): every clause's verdict, span, the
    /// values it looked at and, for leaves, plain words saying why.
    pub fn explain(&self, event: &Value, now_ms: i64) -> Clause {
        trace::explain(&self.root, event, now_ms, "")
    }

    /// Field names the query refers to, in order of first appearance (nested fields with their
    /// full name, field-name patterns as written).
    pub fn fields(&self) -> Vec<String> {
        self.fields.clone()
    }

    /// Whether the query may read any field of an event: a value without a field (matched
    /// against every field) or a field-name pattern. Then [`fields`](Self::fields) is not all
    /// it reads.
    pub fn reads_any_field(&self) -> bool {
        self.fields.iter().any(|f| f.contains('*'))
            || self.query.root.as_ref().is_some_and(has_free_text)
    }

    /// The syntax tree the query was compiled from.
    pub fn ast(&self) -> &ast::Query {
        &self.query
    }
}

fn has_free_text(n: &ast::Node) -> bool {
    match n {
        ast::Node::Or { items, .. } | ast::Node::And { items, .. } => {
            items.iter().any(has_free_text)
        }
        ast::Node::Not { inner, .. } => has_free_text(inner),
        ast::Node::Nested { query, .. } => has_free_text(query),
        ast::Node::FreeText { .. } => true,
        ast::Node::Field { .. } | ast::Node::Range { .. } => false,
    }
}

fn collect_fields(n: &ast::Node, prefix: &str, out: &mut Vec<String>) {
    let mut push = |name: String| {
        if !out.contains(&name) {
            out.push(name);
        }
    };
    match n {
        ast::Node::Or { items, .. } | ast::Node::And { items, .. } => {
            items.iter().for_each(|i| collect_fields(i, prefix, out))
        }
        ast::Node::Not { inner, .. } => collect_fields(inner, prefix, out),
        ast::Node::Field { field, .. } | ast::Node::Range { field, .. } => {
            push(format!("{prefix}{}", field.text()))
        }
        ast::Node::Nested { field, query, .. } => {
            let full = format!("{prefix}{}", field.text());
            push(full.clone());
            collect_fields(query, &format!("{full}."), out);
        }
        ast::Node::FreeText { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EXIM: &str = "host.os.type:linux and event.type:start and event.action:exec and \
        process.parent.name:exim4 and not process.name:(exim4 or start-stop-daemon or sort)";

    #[test]
    fn exim_query_matches_and_explains() {
        let q = compile(EXIM).unwrap();
        let ev = json!({"host": {"os": {"type": "linux"}}, "event": {"type": ["start"], "action": "exec"},
            "process": {"name": "bash", "parent": {"name": "exim4"}}});
        assert!(q.matches(&ev, 0));
        let ev2 = json!({"host.os.type": "linux", "event": {"type": "start", "action": "exec"},
            "process": {"name": "bash", "parent": {"name": "postfix"}}});
        assert!(!q.matches(&ev2, 0));
        let c = q.explain(&ev2, 0);
        let trace = crate::explain::Trace::new(c);
        assert_eq!(trace.near_miss.len(), 1);
        assert_eq!(
            trace.near_miss[0].message,
            "process.parent.name is \"postfix\", not \"exim4\""
        );
        let ev3 = json!({"host.os.type": "linux", "event": {"type": "start", "action": "exec"},
            "process": {"parent": {"name": "exim4"}}});
        let c = q.explain(&ev3, 0);
        assert!(c.verdict.is_true());
        assert_eq!(
            q.fields(),
            [
                "host.os.type",
                "event.type",
                "event.action",
                "process.parent.name",
                "process.name"
            ]
        );
    }

    #[test]
    fn missing_leaf_says_so() {
        let q = compile("process.name:bash").unwrap();
        let c = q.explain(&json!({}), 0);
        assert_eq!(c.verdict, crate::explain::Verdict::Missing);
        assert_eq!(c.message.as_deref(), Some("process.name is missing"));
        assert_eq!(c.span.start, 13);
    }
}
