//! ruleplay core: Elastic detection rules (TOML), KQL and EQL with Elasticsearch semantics,
//! evaluated against JSON events, with an explanation for every verdict.
//!
//! Pipeline: rule TOML → [`rule`] model → query text → [`kql`] / [`eql`] parser → AST (spans
//! everywhere) → evaluation against [`event`] lookups → verdict + [`explain`] trace → rule type
//! ([`ruletype`]) over the ordered events → [`exceptions`] → outputs ([`engine`], CLI, wasm).

// No input may panic the core (a panic in the wasm kills the page's engine): fallible paths return
// errors. Unit tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod diagnostic;
pub mod engine;
pub mod eql;
#[cfg(feature = "es")]
pub mod es;
#[cfg(feature = "esql")]
pub mod esql;
pub mod event;
pub mod exceptions;
pub mod exclusions;
pub mod explain;
pub mod kql;
pub mod pattern;
pub mod redact;
pub mod rule;
pub mod ruletype;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use diagnostic::{Diagnostic, Span};
