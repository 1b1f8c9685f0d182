//! Component tests of the widget's panel in a real browser: mount into a shadow root (as the
//! loader does) with the seed policies served from blob URLs, then walk the flow with clicks and
//! keys and check what the customer sees.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const PRIORITY: &str = include_str!("../www/policies/priority-p1-p4.json");
const IMPACT: &str = include_str!("../www/policies/impact-t1-t4.json");

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// A URL serving `text` (the widget fetches its policy).
fn blob_url(text: &str) -> String {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).expect("a blob");
    web_sys::Url::create_object_url_with_blob(&blob).expect("an object URL")
}

struct Mounted {
    host: web_sys::Element,
    root: web_sys::ShadowRoot,
    launcher: web_sys::HtmlElement,
    handle: triage_widget::WidgetHandle,
    events: Rc<RefCell<Vec<(String, JsValue)>>>,
    _emit: Closure<dyn Fn(String, JsValue)>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.handle.destroy();
        self.host.remove();
    }
}

impl Mounted {
    fn event_names(&self) -> Vec<String> {
        self.events
            .borrow()
            .iter()
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn event_message(&self, name: &str) -> Option<String> {
        self.events
            .borrow()
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, detail)| {
                js_sys::Reflect::get(detail, &JsValue::from_str("message"))
                    .ok()
                    .and_then(|m| m.as_string())
            })
    }

    fn find(&self, selector: &str) -> Option<web_sys::HtmlElement> {
        self.root
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
    }

    fn all_text(&self, selector: &str) -> Vec<String> {
        let list = self
            .root
            .query_selector_all(selector)
            .expect("valid selector");
        (0..list.length())
            .filter_map(|i| list.get(i))
            .map(|n| n.text_content().unwrap_or_default().trim().to_string())
            .collect()
    }

    /// Waits (up to 3 s) for `selector` to match inside the shadow root.
    async fn wait_for(&self, selector: &str) -> web_sys::HtmlElement {
        for _ in 0..300 {
            if let Some(found) = self.find(selector) {
                return found;
            }
            gloo_timers::future::TimeoutFuture::new(10).await;
        }
        panic!(
            "`{selector}` never appeared; panel: {}",
            self.root.inner_html()
        );
    }

    /// Waits until the step heading reads `text`.
    async fn wait_heading(&self, text: &str) {
        for _ in 0..300 {
            if self
                .find("#tw-heading")
                .is_some_and(|h| h.text_content().unwrap_or_default().trim() == text)
            {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(10).await;
        }
        panic!(
            "heading never read {text:?}; panel: {}",
            self.root.inner_html()
        );
    }

    fn active_id(&self) -> String {
        self.root
            .active_element()
            .map(|e| e.id())
            .unwrap_or_default()
    }

    /// Picks an answer by its id and presses Continue.
    async fn answer(&self, answer_id: &str) {
        let mut selector = String::from("input[type=radio][value=\"");
        selector.push_str(answer_id);
        selector.push_str("\"]");
        self.wait_for(&selector).await.click();
        tick().await;
        self.wait_for("button[type=submit]").await.click();
        tick().await;
    }

    fn type_into(&self, selector: &str, value: &str) {
        let element = self.find(selector).expect("the field exists");
        js_sys::Reflect::set(
            &element,
            &JsValue::from_str("value"),
            &JsValue::from_str(value),
        )
        .expect("set value");
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let event =
            web_sys::Event::new_with_event_init_dict("input", &init).expect("an input event");
        element.dispatch_event(&event).expect("dispatch");
    }

    fn press(&self, target: &web_sys::HtmlElement, key: &str, shift: bool) -> bool {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        init.set_cancelable(true);
        init.set_shift_key(shift);
        let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
            .expect("a key event");
        target.dispatch_event(&event).expect("dispatch")
    }
}

async fn tick() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

fn clear_storage() {
    let window = web_sys::window().expect("window");
    if let Ok(Some(storage)) = window.local_storage() {
        let _ = storage.clear();
    }
    if let Ok(Some(storage)) = window.session_storage() {
        let _ = storage.clear();
    }
}

/// Mounts the widget as the loader does, without a prefetched policy.
fn mount(policy_url: &str, locale: &str, plan: &str, fallback: Option<&str>) -> Mounted {
    mount_with_prefetch(policy_url, locale, plan, fallback, JsValue::UNDEFINED)
}

/// Mounts the widget as the loader does; `prefetch` is what the loader hands over as its fetch of
/// the policy (a promise of a `Response` or of the error the fetch failed with).
fn mount_with_prefetch(
    policy_url: &str,
    locale: &str,
    plan: &str,
    fallback: Option<&str>,
    prefetch: JsValue,
) -> Mounted {
    let document = document();
    let host = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("append host");
    let root = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .expect("shadow");
    let launcher: web_sys::HtmlElement = document
        .create_element("button")
        .expect("button")
        .dyn_into()
        .expect("html");
    launcher.set_class_name("tw-launcher");
    launcher.set_text_content(Some("Support"));
    root.append_child(&launcher).expect("append launcher");

    let config = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        js_sys::Reflect::set(&config, &JsValue::from_str(k), v).expect("set");
    };
    set("policy", &JsValue::from_str(policy_url));
    set("endpoint", &JsValue::from_str("/web-ui-test-endpoint"));
    set("plan", &JsValue::from_str(plan));
    set("locale", &JsValue::from_str(locale));
    if let Some(fallback) = fallback {
        set("fallback", &JsValue::from_str(fallback));
    }
    set("headers", &js_sys::Object::new());
    set("launcher", &launcher);

    let events: Rc<RefCell<Vec<(String, JsValue)>>> = Rc::default();
    let sink = events.clone();
    let emit = Closure::<dyn Fn(String, JsValue)>::new(move |name: String, detail: JsValue| {
        sink.borrow_mut().push((name, detail));
    });
    let handle = triage_widget::mount(
        root.clone(),
        config.into(),
        emit.as_ref().unchecked_ref::<js_sys::Function>().clone(),
        prefetch,
    )
    .expect("mount succeeds");
    Mounted {
        host,
        root,
        launcher,
        handle,
        events,
        _emit: emit,
    }
}

#[wasm_bindgen_test]
async fn walks_the_questionnaire_to_severity_and_due_times() {
    clear_storage();
    let widget = mount(&blob_url(PRIORITY), "en", "business-plus", None);
    widget.handle.open();
    widget.wait_heading("What is happening?").await;
    assert_eq!(widget.all_text(".tw-progress-label"), ["Question 1 of ~3"]);
    let dialog = widget.wait_for("[role=dialog]").await;
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert!(
        widget.find("fieldset legend #tw-heading").is_some(),
        "the question is the fieldset's legend"
    );
    assert!(
        widget.find(".tw-actions .tw-secondary").is_none(),
        "no Back on the first question"
    );

    widget.answer("not_working").await;
    widget
        .wait_heading("How does this affect your business operations?")
        .await;
    assert_eq!(widget.all_text(".tw-progress-label"), ["Question 2 of ~3"]);
    widget.answer("stopped").await;
    widget
        .wait_heading("Is there any workaround that lets you keep working in the meantime?")
        .await;
    assert_eq!(widget.all_text(".tw-progress-label"), ["Question 3 of 3"]);
    widget.answer("none").await;

    let severity = widget.wait_for("h2.tw-severity").await;
    assert!(
        severity.text_content().unwrap_or_default().contains("P1"),
        "severity: {:?}",
        severity.text_content()
    );
    assert_eq!(
        widget.all_text(".tw-target-limit"),
        ["within 30 minutes", "within 4 hours"]
    );
    let dues = widget.all_text(".tw-card .tw-due");
    assert_eq!(dues.len(), 2);
    assert!(
        dues.iter()
            .all(|d| d.starts_with("by ") && d.ends_with(", your time")),
        "due texts: {dues:?}"
    );
    assert_eq!(
        widget.all_text(".tw-reasons li").len(),
        3,
        "one reason per answer given"
    );
    let other_plans = widget.all_text(".tw-list li");
    assert!(
        other_plans.iter().any(|t| t.contains("Pro")),
        "the Pro plan is listed: {other_plans:?}"
    );
    let names = widget.event_names();
    assert!(
        names.contains(&"open".to_string()) && names.contains(&"classified".to_string()),
        "events: {names:?}"
    );
    let announced = widget.all_text("[aria-live=polite]");
    assert!(
        announced[0].contains("P1") && announced[0].contains("within 30 minutes"),
        "live region: {announced:?}"
    );
}

/// The loader's `fetch(policy)`, as it hands it over: the `Response`, or the error it failed with.
async fn loader_prefetch(url: &str) -> JsValue {
    let fetch = web_sys::window().expect("window").fetch_with_str(url);
    match wasm_bindgen_futures::JsFuture::from(fetch).await {
        Ok(response) => response,
        Err(error) => error,
    }
}

#[wasm_bindgen_test]
async fn the_loaders_prefetched_policy_is_used_without_a_second_fetch() {
    clear_storage();
    // The configured URL answers 404: the question can only come from the prefetched response.
    let widget = mount_with_prefetch(
        "/no-such-policy.json",
        "en",
        "business-plus",
        None,
        loader_prefetch(&blob_url(PRIORITY)).await,
    );
    widget.handle.open();
    widget.wait_heading("What is happening?").await;
}

#[wasm_bindgen_test]
async fn a_failed_or_missing_prefetch_falls_back_to_the_widgets_own_fetch() {
    for prefetch in [
        loader_prefetch("/no-such-policy.json").await, // an error status
        loader_prefetch("http://127.0.0.1:9/policy.json").await, // a network error: the error itself
        JsValue::UNDEFINED,                                      // no data-policy on the tag
    ] {
        clear_storage();
        let widget = mount_with_prefetch(&blob_url(PRIORITY), "en", "business-plus", None, prefetch);
        widget.handle.open();
        widget.wait_heading("What is happening?").await;
        drop(widget);
    }
}

#[wasm_bindgen_test]
async fn portuguese_interface_phrases_business_days() {
    clear_storage();
    let widget = mount(&blob_url(PRIORITY), "pt-BR", "business-plus", None);
    widget.handle.open();
    widget.wait_for("#tw-heading").await;
    tick().await;
    assert_eq!(widget.all_text(".tw-progress-label"), ["Pergunta 1 de ~3"]);
    widget.answer("not_working").await;
    widget.answer("usable").await;
    widget.answer("short_term").await;
    widget.wait_for("h2.tw-severity").await;
    assert_eq!(
        widget.all_text(".tw-target-limit"),
        ["em até 2 horas", "em até 1 dia útil"]
    );
    assert!(widget
        .all_text(".tw-card .tw-due")
        .iter()
        .all(|d| d.starts_with("até ") && d.ends_with(", no seu horário")));
}

#[wasm_bindgen_test]
async fn back_keeps_the_previous_answer_selected() {
    clear_storage();
    let widget = mount(&blob_url(PRIORITY), "en", "business-plus", None);
    widget.handle.open();
    widget.answer("not_working").await;
    widget
        .wait_heading("How does this affect your business operations?")
        .await;
    widget.wait_for(".tw-actions .tw-secondary").await.click();
    widget.wait_heading("What is happening?").await;
    let chosen: web_sys::HtmlInputElement = widget
        .wait_for("input[value=not_working]")
        .await
        .dyn_into()
        .expect("an input");
    assert!(chosen.checked(), "the earlier answer is still selected");
}

#[wasm_bindgen_test]
async fn continue_without_an_answer_says_so_next_to_the_question() {
    clear_storage();
    let widget = mount(&blob_url(PRIORITY), "en", "business-plus", None);
    widget.handle.open();
    widget.wait_for("button[type=submit]").await.click();
    let error = widget.wait_for("#tw-q-error").await;
    assert_eq!(
        error.text_content().as_deref(),
        Some("Choose an answer to continue.")
    );
    let fieldset = widget.wait_for("fieldset").await;
    assert!(fieldset
        .get_attribute("aria-describedby")
        .unwrap_or_default()
        .contains("tw-q-error"));
}

#[wasm_bindgen_test]
async fn focus_moves_in_is_trapped_and_returns_to_the_launcher_on_escape() {
    clear_storage();
    let widget = mount(&blob_url(PRIORITY), "en", "business-plus", None);
    widget.handle.open();
    widget.wait_heading("What is happening?").await;
    tick().await;
    assert_eq!(
        widget.active_id(),
        "tw-heading",
        "focus moved into the dialog"
    );

    // Tab from the last control wraps to the first (the close button), Shift+Tab back.
    let last = widget.wait_for("button[type=submit]").await;
    last.focus().expect("focus");
    let not_prevented = widget.press(&last, "Tab", false);
    assert!(!not_prevented, "Tab at the end is kept inside");
    assert!(widget
        .root
        .active_element()
        .is_some_and(|e| e.class_name().contains("tw-close")));
    let close = widget.wait_for(".tw-close").await;
    widget.press(&close, "Tab", true);
    assert_eq!(
        widget
            .root
            .active_element()
            .map(|e| e.get_attribute("type")),
        Some(Some("submit".to_string()))
    );

    widget.press(&close, "Escape", false);
    tick().await;
    assert!(
        widget.find("[role=dialog]").is_none(),
        "Esc closed the panel"
    );
    let launcher: &web_sys::Element = widget.launcher.unchecked_ref();
    assert_eq!(
        widget.root.active_element().as_ref(),
        Some(launcher),
        "focus is back on the launcher"
    );
    assert!(widget.event_names().contains(&"close".to_string()));
}

#[wasm_bindgen_test]
async fn a_draft_is_restored_and_the_form_flags_its_first_invalid_field() {
    clear_storage();
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage");
    storage
        .set_item(
            "triage-widget:draft:priority-p1-p4",
            r#"{"answers":[["situation","question"]],"step":"form","fields":{"name":"Ana Souza","subject":"Export"}}"#,
        )
        .expect("store a draft");
    let widget = mount(&blob_url(PRIORITY), "en", "business-plus", None);
    widget.handle.open();
    widget.wait_heading("Your details and the problem").await;
    let name: web_sys::HtmlInputElement =
        widget.wait_for("#tw-name").await.dyn_into().expect("input");
    assert_eq!(name.value(), "Ana Souza", "the drafted name is back");

    widget.wait_for("button[type=submit]").await.click();
    let error = widget.wait_for("#tw-email-error").await;
    assert_eq!(
        error.text_content().as_deref(),
        Some("This field is required.")
    );
    let email = widget.wait_for("#tw-email").await;
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        email.get_attribute("aria-describedby").as_deref(),
        Some("tw-email-error")
    );
    tick().await;
    assert_eq!(
        widget.active_id(),
        "tw-email",
        "focus went to the first invalid field"
    );
    assert!(
        widget.find("#tw-name-error").is_none(),
        "a filled field has no message"
    );
    assert!(widget.find("#tw-description-error").is_some());

    widget.type_into("#tw-email", "ana.example.com");
    tick().await;
    assert_eq!(
        widget
            .wait_for("#tw-email-error")
            .await
            .text_content()
            .as_deref(),
        Some("Enter a valid email address, like name@company.com.")
    );
    widget.type_into("#tw-email", "ana@example.com");
    tick().await;
    assert!(
        widget.find("#tw-email-error").is_none(),
        "fixed fields lose their message as you type"
    );

    // What was typed is saved as a draft.
    widget.type_into("#tw-description", "Exports stopped at 10:00");
    tick().await;
    gloo_timers::future::TimeoutFuture::new(50).await;
    let saved = storage
        .get_item("triage-widget:draft:priority-p1-p4")
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        saved.contains("Exports stopped at 10:00") && saved.contains("ana@example.com"),
        "draft: {saved}"
    );
}

#[wasm_bindgen_test]
async fn prefill_fills_only_empty_fields() {
    clear_storage();
    let widget = mount(&blob_url(IMPACT), "en", "standard", None);
    let values = js_sys::Object::new();
    js_sys::Reflect::set(&values, &"email".into(), &"bob@example.com".into()).expect("set");
    js_sys::Reflect::set(&values, &"product".into(), &"cxm".into()).expect("set");
    widget.handle.prefill(values.into());
    widget.handle.open();
    widget.answer("not_intuitive").await;
    let severity = widget.wait_for("h2.tw-severity").await;
    assert!(severity.text_content().unwrap_or_default().contains("T4"));
    let statuses = widget.all_text(".tw-links a");
    assert_eq!(statuses.len(), 2, "status page links: {statuses:?}");
    assert!(
        widget.all_text("#tw-channels").len() == 1,
        "channel targets are shown"
    );
    widget.wait_for(".tw-actions .tw-primary").await.click();
    let email: web_sys::HtmlInputElement = widget
        .wait_for("#tw-email")
        .await
        .dyn_into()
        .expect("input");
    assert_eq!(email.value(), "bob@example.com");
    let product: web_sys::HtmlSelectElement = widget
        .wait_for("#tw-product")
        .await
        .dyn_into()
        .expect("select");
    assert_eq!(product.value(), "cxm");
}

#[wasm_bindgen_test]
async fn an_invalid_policy_reports_once_and_offers_the_fallback() {
    clear_storage();
    let broken = PRIORITY.replacen("\"amount\": 30", "\"amount\": 0", 1);
    assert_ne!(
        broken, PRIORITY,
        "the seed policy has a 30-minute target to break"
    );
    let url = blob_url(&broken);
    let widget = mount(&url, "en", "business-plus", Some("mailto:help@example.com"));
    widget.handle.open();
    widget.wait_heading("The support form is unavailable").await;
    let link = widget.wait_for("a.tw-fallback").await;
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("mailto:help@example.com")
    );
    let message = widget.event_message("error").expect("an error event");
    assert!(
        message.contains(&url) && message.contains("$."),
        "the message names the URL and the path: {message}"
    );
    assert_eq!(
        widget
            .event_names()
            .iter()
            .filter(|n| *n == "error")
            .count(),
        1
    );
}

#[wasm_bindgen_test]
async fn an_unreachable_policy_shows_unsafe_fallbacks_as_text_only() {
    clear_storage();
    let widget = mount(
        "http://127.0.0.1:9/policy.json",
        "es",
        "x",
        Some("javascript:alert(1)"),
    );
    widget.handle.open();
    widget
        .wait_heading("El formulario de soporte no está disponible")
        .await;
    assert!(
        widget.find("a").is_none(),
        "a javascript: fallback is never a link"
    );
    assert_eq!(
        widget.all_text(".tw-fallback-text"),
        ["javascript:alert(1)"]
    );
    let message = widget.event_message("error").expect("an error event");
    assert!(message.contains("could not be loaded"), "{message}");
}

/// The loader hands `on`/`off` to the widget: listeners run in order, `off` removes one, the
/// launcher's `aria-expanded` follows `open`/`close`, and `triage:<name>` reaches the host.
#[wasm_bindgen_test]
async fn listeners_events_on_the_host_and_aria_expanded_are_the_widgets() {
    clear_storage();
    let widget = mount(&blob_url(PRIORITY), "en", "business-plus", None);
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let listener = |tag: &'static str| {
        let seen = seen.clone();
        Closure::<dyn Fn(JsValue)>::new(move |_detail: JsValue| seen.borrow_mut().push(tag.into()))
    };
    let first = listener("first");
    let dropped = listener("dropped");
    let on_host = listener("host");
    widget.handle.on("open".into(), first.as_ref().unchecked_ref::<js_sys::Function>().clone());
    widget.handle.on("open".into(), dropped.as_ref().unchecked_ref::<js_sys::Function>().clone());
    widget.handle.off("open".into(), dropped.as_ref().unchecked_ref::<js_sys::Function>().clone());
    widget
        .host
        .add_event_listener_with_callback("triage:open", on_host.as_ref().unchecked_ref())
        .expect("listen on the host");
    widget.handle.open();
    widget.wait_for(".tw-panel").await;
    assert_eq!(*seen.borrow(), vec!["first".to_string(), "host".to_string()]);
    assert_eq!(widget.launcher.get_attribute("aria-expanded").as_deref(), Some("true"));
    widget.handle.close();
    tick().await;
    assert_eq!(widget.launcher.get_attribute("aria-expanded").as_deref(), Some("false"));
}
