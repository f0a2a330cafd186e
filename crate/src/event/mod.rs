//! The event model: JSON events as Elasticsearch sees them (dotted and nested keys alike, arrays
//! flattened, null and `[]` meaning "no value") and the ECS field types.

pub mod ecs;
pub mod lookup;
pub mod parse;

pub use ecs::{field_info, FieldInfo, FieldType};
pub use lookup::{fields, lookup, lookup_paths, FieldPath};
pub use parse::{parse_events, EventError, Events};
