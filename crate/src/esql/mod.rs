//! ES|QL, the third rule language: lexer and parser (spans on every node), verifier, and an
//! offline evaluator of its pipeline over events, explained stage by stage.
//!
//! Layout: [`value`] (types and values, shared by everything below) → syntax ([`lexer`],
//! [`parser`], [`ast`]) → [`eval`] (the verifier compiles each command against the columns
//! before it, then the commands run over rows) → [`functions`] (scalar and aggregate functions,
//! GROK, DISSECT) → explanations. Elasticsearch's grammar (`EsqlBaseParser.g4`) and its function
//! reference are the ground truth. [`rule`] is what the rule type, the chips and the wasm call.

pub mod ast;
pub mod columns;
pub mod eval;
pub mod functions;
pub mod lexer;
pub mod outcome;
pub mod parser;
pub mod rule;
pub mod value;

pub use ast::Query;
pub use eval::{evaluate, explain_where, explain_where_in, Options};
pub use outcome::{Column, Outcome, Stage, Table, WhereTrace};

use crate::diagnostic::Diagnostic;

/// Parse an ES|QL query. Errors carry spans and ANTLR's wording ("mismatched input …").
pub fn parse(query: &str) -> Result<Query, Vec<Diagnostic>> {
    parser::parse(query)
}

/// A diagnostic as Elasticsearch words it: `line 1:7: mismatched input …`.
pub fn es_message(src: &str, d: &Diagnostic) -> String {
    let (line, col) = parser::line_col(src, d.span.start);
    format!("line {line}:{col}: {}", d.message)
}
