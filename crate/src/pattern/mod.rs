//! Value matchers shared by KQL and EQL: linear-time wildcards, text analysis, CIDR ranges.

pub mod cidr;
pub mod text;
pub mod wildcard;

pub use wildcard::{Piece, Wildcard};
