//! Triage Widget: the embeddable support-intake widget (Leptos CSR, WebAssembly).
//!
//! The loader (`www/loader.js`) calls [`mount`] with the shadow root it drew the launcher in; the
//! returned [`WidgetHandle`] carries `TriageWidget.open/close/identify/prefill/destroy`.

pub mod config;
pub mod draft;
pub mod events;
pub mod flow;
pub mod i18n;
pub mod intl;
pub mod send;
pub mod views;
pub mod widget;
pub mod wire;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::config::WidgetConfig;
use crate::events::Emitter;
use crate::send::SendConfig;
use crate::views::panel::Panel;
use crate::widget::{Env, Widget};

/// What `destroy` tears down.
struct Mounted {
    /// Dropping it unmounts the view.
    view: Box<dyn std::any::Any>,
    container: web_sys::HtmlElement,
    owner: Owner,
}

/// The mounted widget, as returned to the loader.
#[wasm_bindgen]
pub struct WidgetHandle {
    widget: Widget,
    emitter: Emitter,
    mounted: Rc<RefCell<Option<Mounted>>>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Opens the panel (and emits `open`).
    pub fn open(&self) {
        if self.mounted.borrow().is_some() {
            self.widget.open_panel();
        }
    }

    /// Closes the panel (emits `close`, returns focus to the launcher).
    pub fn close(&self) {
        if self.mounted.borrow().is_some() {
            self.widget.close_panel();
        }
    }

    /// `{ name?, email?, plan?, userId?, expires?, signature? }`: prefills the contact fields and,
    /// when signed, sends the identity with the ticket.
    pub fn identify(&self, values: JsValue) {
        if values.is_object() && self.mounted.borrow().is_some() {
            self.widget.identify(&values);
        }
    }

    /// `{ name?, email?, phone?, company?, subject?, description?, product? }`: fills empty fields.
    pub fn prefill(&self, values: JsValue) {
        if values.is_object() && self.mounted.borrow().is_some() {
            self.widget.prefill(&values);
        }
    }

    /// `on(name, listener)`: `listener(detail)` runs on every `name` event, in the order added.
    pub fn on(&self, name: String, listener: js_sys::Function) {
        self.emitter.listen(name, listener);
    }

    /// `off(name, listener)`: the listener no longer runs.
    pub fn off(&self, name: String, listener: js_sys::Function) {
        self.emitter.unlisten(&name, &listener);
    }

    /// Unmounts the panel and releases its state. The handle does nothing afterwards.
    pub fn destroy(&self) {
        self.emitter.clear_listeners();
        if let Some(mounted) = self.mounted.borrow_mut().take() {
            self.widget.open.set(false);
            drop(mounted.view);
            mounted.container.remove();
            mounted.owner.cleanup();
        }
    }
}

/// Languages the browser prefers, most preferred first.
fn browser_languages() -> Vec<String> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let navigator = window.navigator();
    let mut languages: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    if languages.is_empty() {
        languages.extend(navigator.language());
    }
    languages
}

/// Mounts the widget into the loader's shadow root. `config` is
/// `{ policy, endpoint, plan?, locale?, fallback?, headers?, pageLang?, launcher? }`; `emit(name,
/// detail)` receives the events; `policy`, when a `Response`, is the loader's fetch of the policy
/// (made beside the wasm's download, so the click does not wait for it), used when it answered 2xx
/// (anything else, the error of a failed fetch or `undefined`, is ignored). A broken configuration
/// or policy still mounts: the panel then offers the fallback contact, and the problem is reported
/// once on the console and as `error`.
#[wasm_bindgen]
pub fn mount(
    root: web_sys::ShadowRoot,
    config: JsValue,
    emit: js_sys::Function,
    policy: JsValue,
) -> Result<WidgetHandle, JsValue> {
    let (config, config_error) = match WidgetConfig::from_js(&config) {
        Ok(config) => (config, None),
        Err(error) if error.field == "config" => return Err(JsValue::from_str(&error.to_string())),
        Err(error) => {
            // Keep what can be read (fallback, locale, launcher) to show the fallback panel.
            let read = |key: &str| {
                js_sys::Reflect::get(&config, &JsValue::from_str(key))
                    .ok()
                    .and_then(|v| v.as_string())
            };
            let fallback_config = WidgetConfig {
                policy_url: String::new(),
                endpoint: String::new(),
                plan: None,
                locale: read("locale"),
                fallback: read("fallback"),
                headers: Vec::new(),
                page_lang: read("pageLang"),
                launcher: js_sys::Reflect::get(&config, &JsValue::from_str("launcher"))
                    .ok()
                    .and_then(|v| v.dyn_into::<web_sys::HtmlElement>().ok()),
            };
            (fallback_config, Some(error.to_string()))
        }
    };
    // Read from the page when the loader leaves them out (it passes the script tag's dataset).
    let mut config = config;
    if config.page_lang.is_none() {
        config.page_lang = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .map(|html| html.get_attribute("lang").unwrap_or_default())
            .filter(|lang| !lang.is_empty());
    }
    if config.launcher.is_none() {
        config.launcher = root
            .query_selector(".tw-launcher")
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    }
    let emitter = Emitter::for_page(emit, root.host(), config.launcher.clone());
    let handle_emitter = emitter.clone();
    let languages = browser_languages();
    let locale = i18n::negotiate(
        config.locale.as_deref(),
        config.page_lang.as_deref(),
        languages.iter().map(String::as_str),
    );
    let env = Env {
        date_locale: i18n::date_locale(locale, languages.iter().map(String::as_str)),
        zone: intl::customer_time_zone(),
        locale,
        send: SendConfig {
            endpoint: config.endpoint.clone(),
            headers: config.headers.clone(),
        },
        config,
        config_error,
        emitter: emitter.clone(),
        root: root.clone(),
        policy_prefetch: std::cell::Cell::new(policy.dyn_into::<web_sys::Response>().ok()),
    };
    let send_config = env.send.clone();
    let has_endpoint = !send_config.endpoint.is_empty();

    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let container: web_sys::HtmlElement = document.create_element("div")?.dyn_into()?;
    container.set_class_name("tw-root");
    container.set_lang(locale.tag());
    root.append_child(&container)?;

    let owner = Owner::new();
    let widget = owner.with(|| Widget::new(env));
    let view = owner.with(|| {
        leptos::mount::mount_to(container.clone(), move || view! { <Panel widget=widget /> })
    });

    if has_endpoint {
        send::set_delivery_listener(Box::new(move |policy_id, receipt| {
            widget.delivered_later(&policy_id, receipt);
        }));
        send::set_rejection_listener(Box::new(move |ticket, status, error| {
            widget.reopen_refused(ticket, status, error);
        }));
        send::resume_outbox(send_config, emitter);
    }
    wasm_bindgen_futures::spawn_local(async move { widget.load().await });

    Ok(WidgetHandle {
        widget,
        emitter: handle_emitter,
        mounted: Rc::new(RefCell::new(Some(Mounted {
            view: Box::new(view),
            container,
            owner,
        }))),
    })
}
