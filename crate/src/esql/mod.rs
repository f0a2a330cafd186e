//! ES|QL, the third rule language: lexer and parser (spans on every node), verifier, and an
//! offline evaluator of its pipeline over events, explained stage by stage.
//!
//! Layout: [`value`] (types and values, shared by everything below) → syntax (lexer, parser,
//! AST) → verifier → evaluator of commands → [`functions`] (scalar and aggregate functions,
//! GROK, DISSECT) → explanations. Elasticsearch's grammar (`EsqlBaseParser.g4`) and its function
//! reference are the ground truth. [`rule`] is what the rule type, the chips and the wasm call.

pub mod functions;
pub mod outcome;
pub mod rule;
mod standin;
pub mod value;

pub use outcome::{Column, Outcome, Stage, Table, WhereTrace};
