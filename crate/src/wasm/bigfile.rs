//! `Session.file_*`: events read from a file in pieces (`engine::session::bigfile`). The worker
//! reads the `File`; the core keeps the fields the rule reads and where each event lies in the
//! file, so an explanation or a row's summary is given the event's text read there again.

use super::{no_rule, to_js, JsSession};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// Start reading a file's events (the events text is dropped). `again`: a re-read of the
    /// same file that keeps the fields the last read kept, plus what the rule reads now.
    pub fn file_begin(&mut self, again: bool) {
        self.inner.file_begin(again);
    }

    /// The file's next bytes, split anywhere: `{events, errors}` read so far.
    #[wasm_bindgen(unchecked_return_type = "FileProgress")]
    pub fn file_push(&mut self, bytes: &[u8]) -> Result<JsValue, JsError> {
        let progress = self
            .inner
            .file_push(bytes)
            .ok_or_else(|| JsError::new("no file is being read"))?;
        to_js(&progress)
    }

    /// The end of what is read of the file: the events' report.
    #[wasm_bindgen(unchecked_return_type = "EventsReport")]
    pub fn file_end(&mut self) -> Result<JsValue, JsError> {
        let report = self
            .inner
            .file_end()
            .ok_or_else(|| JsError::new("no file is being read"))?;
        to_js(&report)
    }

    /// Whether the rule or exceptions now read a field the file's read did not keep.
    pub fn file_stale(&self) -> bool {
        self.inner.file_stale()
    }

    /// Whether the events come from a file.
    pub fn from_file(&self) -> bool {
        self.inner.from_file()
    }

    /// `[offset, length]` in bytes of event `index` in the file; `undefined` when there is none.
    pub fn file_span(&self, index: usize) -> Option<Vec<f64>> {
        // f64: files past 4 GiB keep exact offsets (up to 2^53).
        self.inner
            .file_span(index)
            .map(|(at, len)| vec![at as f64, f64::from(len)])
    }

    /// Heap bytes the file's events hold in the core (for the benchmark).
    pub fn file_heap_bytes(&self) -> f64 {
        self.inner.file_heap_bytes() as f64
    }

    /// Why file event `index` got its verdict; `text` is that event as written in the file.
    #[wasm_bindgen(unchecked_return_type = "Explanation | null")]
    pub fn explain_file_event(&mut self, index: usize, text: &str) -> Result<JsValue, JsError> {
        if self.inner.loaded().is_none() {
            return Err(no_rule());
        }
        match self.inner.explain_file_event(index, text) {
            Some(x) => self.explanation_to_js(x),
            None => Ok(JsValue::NULL),
        }
    }

    /// Result-list rows of file events; `texts[i]` is event `indices[i]` as written.
    #[wasm_bindgen(unchecked_return_type = "Row[]")]
    pub fn file_rows(&self, indices: &[u32], texts: Vec<String>) -> Result<JsValue, JsError> {
        let indices: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        to_js(&self.inner.file_rows(&indices, &texts))
    }
}

/// An event's JSON text pretty-printed as written (key order and number digits kept).
#[wasm_bindgen]
pub fn pretty_event(text: &str) -> String {
    crate::event::layout::pretty(text)
}
