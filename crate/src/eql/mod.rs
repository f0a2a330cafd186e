//! Elasticsearch EQL: lexer → parser → AST (spans everywhere) → evaluation and explanation.
//! Event queries are evaluated here; sequences and samples run in [`run`], [`sequence`] and
//! [`sample`].

pub mod ast;
pub mod eval;
pub mod functions;
pub mod lexer;
pub mod parser;
pub mod run;
pub mod sample;
pub mod sequence;

use crate::diagnostic::Diagnostic;
use crate::explain::Clause;
use serde_json::Value;

/// Parse EQL text into its syntax tree.
pub fn parse(src: &str) -> Result<ast::Query, Diagnostic> {
    parser::parse(src)
}

/// Parse and prepare a query for evaluation.
pub fn compile(src: &str) -> Result<EqlQuery, Diagnostic> {
    let query = parse(src)?;
    Ok(EqlQuery { query })
}

/// A parsed EQL query ready to evaluate.
#[derive(Clone, Debug)]
pub struct EqlQuery {
    pub query: ast::Query,
}

impl EqlQuery {
    pub fn is_event_query(&self) -> bool {
        matches!(self.query.body, ast::Body::Event(_))
    }

    /// Event queries: category and condition hold (pipes ignored). Sequences and samples: whether
    /// the event would fill any step.
    pub fn matches(&self, event: &Value) -> bool {
        match &self.query.body {
            ast::Body::Event(q) => eval::matches_event(q, event),
            ast::Body::Sequence(s) => s
                .steps
                .iter()
                .any(|st| eval::matches_event(&st.query, event)),
            ast::Body::Sample(s) => s
                .steps
                .iter()
                .any(|st| eval::matches_event(&st.query, event)),
        }
    }

    /// The explanation trace of [`EqlQuery::matches`].
    pub fn explain(&self, event: &Value) -> Clause {
        match &self.query.body {
            ast::Body::Event(q) => eval::explain_event(q, event),
            ast::Body::Sequence(s) => explain_steps(&s.steps, self.query.span, event),
            ast::Body::Sample(s) => explain_steps(&s.steps, self.query.span, event),
        }
    }
}

fn explain_steps(steps: &[ast::Step], span: crate::diagnostic::Span, event: &Value) -> Clause {
    let children: Vec<Clause> = steps
        .iter()
        .map(|st| eval::explain_event(&st.query, event))
        .collect();
    let verdict = crate::explain::Verdict::from_bool(children.iter().any(|c| c.verdict.is_true()));
    let mut c = Clause::new("or", span, verdict);
    c.children = children;
    c
}
