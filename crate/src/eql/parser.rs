//! EQL parser.
use super::ast::Query;
use crate::diagnostic::{Diagnostic, Span};

pub fn parse(src: &str) -> Result<Query, Diagnostic> {
    Err(Diagnostic::new(
        "EQL parser not yet implemented",
        Span::new(0, src.len()),
    ))
}
