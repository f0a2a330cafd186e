//! Thin wasm-bindgen layer over [`crate::engine`]: converts inputs from JS and results to plain JS
//! objects. No logic lives here beyond conversion (UTF-8 byte spans → UTF-16 code units, errors →
//! `js_sys::Error`).

use wasm_bindgen::prelude::*;

/// The crate version, so the page can show which core it runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
