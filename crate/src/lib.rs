//! ruleplay core: Elastic detection rules (TOML), KQL and EQL with Elasticsearch semantics,
//! evaluated against JSON events, with an explanation for every verdict.
//!
//! Pipeline: rule TOML → [`rule`] model → query text → [`kql`] / [`eql`] parser → AST (spans
//! everywhere) → evaluation against [`event`] lookups → verdict + [`explain`] trace → rule type
//! ([`ruletype`]) over the ordered events → [`exceptions`] → outputs ([`engine`], CLI, wasm).

pub mod diagnostic;
pub mod engine;
pub mod eql;
pub mod event;
pub mod exceptions;
pub mod exclusions;
pub mod explain;
pub mod kql;
pub mod pattern;
pub mod rule;
pub mod ruletype;
pub mod time;
pub mod tojson;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use diagnostic::{Diagnostic, Span};
