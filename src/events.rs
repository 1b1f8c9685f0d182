//! Events the widget sends to the loader (`emit(name, detail)`), which forwards them to
//! `TriageWidget.on` listeners and dispatches `triage:<name>` CustomEvents on the host element.

use std::rc::Rc;

use wasm_bindgen::JsValue;

/// Sends named events with a detail object to the loader's `emit` callback.
///
/// Cheap to clone (shared function handle). A listener that throws never breaks the widget: the
/// exception is reported with `console.error` and otherwise ignored.
#[derive(Clone)]
pub struct Emitter {
    callback: Rc<js_sys::Function>,
}

impl Emitter {
    /// Wraps the loader's `emit(name, detail)` function.
    pub fn new(f: js_sys::Function) -> Self {
        Self {
            callback: Rc::new(f),
        }
    }

    /// Calls `emit(name, detail)`. Names: `ready`, `open`, `close`, `classified`, `queued`,
    /// `submitted`, `error` (see ARCHITECTURE.md).
    pub fn emit(&self, name: &str, detail: &JsValue) {
        if let Err(thrown) = self
            .callback
            .call2(&JsValue::NULL, &JsValue::from_str(name), detail)
        {
            web_sys::console::error_2(
                &JsValue::from_str("triage-widget: an event listener threw"),
                &thrown,
            );
        }
    }

    /// Emits `name` with a detail object built from string key/value pairs.
    pub fn emit_fields(&self, name: &str, fields: &[(&str, JsValue)]) {
        let detail = js_sys::Object::new();
        for (key, value) in fields {
            let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(key), value);
        }
        self.emit(name, &detail);
    }
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Emitter")
    }
}
