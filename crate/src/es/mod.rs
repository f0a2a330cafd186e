//! The Elasticsearch bridge, outward: the request Elasticsearch would run for a rule, as Kibana's
//! detection engine builds it, and a Kibana Dev Tools "kit" that checks ruleplay's verdicts on a
//! real cluster.
//!
//! One job per module: [`kql`] translates the KQL syntax tree, [`filters`] the rule's filter
//! objects, [`exceptions`] the exception items, [`window`] the time bounds, [`aggs`] the
//! aggregations of new_terms and threshold rules, [`request`] puts a rule's request together and
//! [`kit`] writes the console text.

pub mod aggs;
pub mod exceptions;
pub mod filters;
pub mod kit;
pub mod kql;
pub mod request;
pub mod window;

pub use request::{build, query_rule, Built, Options, Request};
