//! Columns from JSON events (placeholder, filled below).
