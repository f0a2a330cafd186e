//! The event model: JSON events as Elasticsearch sees them (dotted and nested keys alike, arrays
//! flattened, null and `[]` meaning "no value"), the ECS field types, and the columnar event view
//! evaluators read big batches through.

pub mod ecs;
pub mod formats;
pub mod layout;
pub mod lookup;
pub mod mapping;
pub mod parse;
pub mod prune;
pub mod table;

pub use ecs::{field_info, FieldInfo, FieldType};
pub use formats::read_events;
pub use lookup::{fields, lookup, lookup_paths, FieldPath};
pub use parse::{parse_events, EventError, Events};
pub use table::{Cell, EventTable};
