//! The exported JS API, exercised from wasm under node (`npm test` runs it with
//! wasm-bindgen-test-runner; natively this file compiles to nothing).
#![cfg(target_arch = "wasm32")]

use ruleplay::wasm;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(wasm::version(), env!("CARGO_PKG_VERSION"));
}
