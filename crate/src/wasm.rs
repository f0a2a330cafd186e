//! Thin wasm-bindgen layer (filled in by the page issue).
