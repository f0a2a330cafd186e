//! KQL (Kibana Query Language) with Elasticsearch semantics: [`parse`] gives the syntax tree
//! ([`ast`]), [`compile`] resolves field types and precompiles patterns, and the compiled
//! [`KqlQuery`] evaluates one JSON event at a time or explains its verdict.

pub mod ast;
pub mod lexer;
pub mod parser;

use crate::diagnostic::Diagnostic;

/// Parse a KQL query into its syntax tree.
pub fn parse(src: &str) -> Result<ast::Query, Diagnostic> {
    parser::parse(src)
}
