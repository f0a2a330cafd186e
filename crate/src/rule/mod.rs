//! Elastic detection rules: the model of the published TOML, the loader (unknown keys
//! kept, spans for errors and for the query) and Kibana filter objects.

pub mod filters;
pub mod from_kibana;
mod from_toml;
pub mod load;
pub mod model;
pub mod set_query;
pub mod to_kibana;
pub(crate) mod toml_out;

pub use load::load_rule;
pub use model::{
    Cardinality, ExceptionListRef, InvestigationFields, Metadata, MitreRef, ModelError, NewTerms,
    QueryPos, Rule, Technique, Threat, Threshold,
};
pub use set_query::{only_query_differs, set_query};
