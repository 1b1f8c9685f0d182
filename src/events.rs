//! Events the widget sends out: to the loader (`emit(name, detail)`), which updates the launcher's
//! badge; to `TriageWidget.on` listeners; and as `triage:<name>` CustomEvents on the host element.
//! `open`/`close` also set the launcher's `aria-expanded`. (Listeners, events and `aria-expanded`
//! live here rather than in the loader, whose every byte counts against its 1.5 KB budget; the
//! loader queues `on`/`off` calls made before the widget is there and replays them in order.)

use std::cell::RefCell;

use std::rc::Rc;

use wasm_bindgen::JsValue;

/// Sends named events with a detail object to the loader's `emit` callback.
///
/// Cheap to clone (shared function handle). A listener that throws never breaks the widget: the
/// exception is reported with `console.error` and otherwise ignored.
#[derive(Clone)]
pub struct Emitter {
    callback: Rc<js_sys::Function>,
    page: Option<Rc<PageTargets>>,
    /// `TriageWidget.on` listeners, `[event name, function]`, in the order they were added.
    listeners: Rc<RefCell<Vec<(String, js_sys::Function)>>>,
}

/// Where events show on the host page besides the loader's callback.
struct PageTargets {
    /// `#triage-widget`, which `triage:<name>` events are dispatched on.
    host: web_sys::Element,
    launcher: Option<web_sys::HtmlElement>,
}

impl Emitter {
    /// Wraps the loader's `emit(name, detail)` function alone.
    pub fn new(f: js_sys::Function) -> Self {
        Self {
            callback: Rc::new(f),
            page: None,
            listeners: Rc::default(),
        }
    }

    /// Wraps `emit` and also dispatches `triage:<name>` on `host` and keeps the launcher's
    /// `aria-expanded` in step with `open`/`close`.
    pub fn for_page(
        f: js_sys::Function,
        host: web_sys::Element,
        launcher: Option<web_sys::HtmlElement>,
    ) -> Self {
        Self {
            callback: Rc::new(f),
            page: Some(Rc::new(PageTargets { host, launcher })),
            listeners: Rc::default(),
        }
    }

    /// `TriageWidget.on(name, listener)`.
    pub fn listen(&self, name: String, listener: js_sys::Function) {
        self.listeners.borrow_mut().push((name, listener));
    }

    /// `TriageWidget.off(name, listener)`: removes every registration of that pair.
    pub fn unlisten(&self, name: &str, listener: &js_sys::Function) {
        self.listeners
            .borrow_mut()
            .retain(|(known_name, known)| known_name != name || known != listener);
    }

    /// Forgets every listener (`destroy`).
    pub fn clear_listeners(&self) {
        self.listeners.borrow_mut().clear();
    }

    /// Calls `emit(name, detail)`. Names: `ready`, `open`, `close`, `classified`, `queued`,
    /// `submitted`, `error` (see ARCHITECTURE.md).
    pub fn emit(&self, name: &str, detail: &JsValue) {
        let page = self.page.as_deref();
        if let (Some(launcher), "open" | "close") = (page.and_then(|p| p.launcher.as_ref()), name) {
            let _ = launcher.set_attribute("aria-expanded", if name == "open" { "true" } else { "false" });
        }
        if let Err(thrown) = self
            .callback
            .call2(&JsValue::NULL, &JsValue::from_str(name), detail)
        {
            web_sys::console::error_2(
                &JsValue::from_str("triage-widget: an event listener threw"),
                &thrown,
            );
        }
        // Collected first: a listener may call `off` (or `on`) while it runs.
        let listeners: Vec<js_sys::Function> = self
            .listeners
            .borrow()
            .iter()
            .filter(|(listener_name, _)| listener_name == name)
            .map(|(_, listener)| listener.clone())
            .collect();
        for listener in listeners {
            if let Err(thrown) = listener.call1(&JsValue::NULL, detail) {
                web_sys::console::error_1(&thrown);
            }
        }
        if let Some(page) = page {
            let init = web_sys::CustomEventInit::new();
            init.set_detail(detail);
            if let Ok(event) =
                web_sys::CustomEvent::new_with_event_init_dict(&format!("triage:{name}"), &init)
            {
                let _ = page.host.dispatch_event(&event);
            }
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
