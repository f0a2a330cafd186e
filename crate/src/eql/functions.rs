//! EQL functions with Elasticsearch semantics.
