//! One delivery attempt: builds the request for an outbox entry (JSON, or `multipart/form-data`
//! with a `ticket` part and one `attachments` part per file), sends it with `Idempotency-Key` and
//! the site owner's headers, and gives up after [`ATTEMPT_TIMEOUT`](super::retry::ATTEMPT_TIMEOUT).

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Blob, BlobPropertyBag, FormData, Headers, RequestInit, Response};

use super::outbox::{describe, OutboxEntry};
use super::retry::{body_format, BodyFormat, ATTEMPT_TIMEOUT};

/// Name of the multipart part holding the ticket JSON.
pub const TICKET_PART: &str = "ticket";
/// Name of each multipart part holding an attached file.
pub const ATTACHMENT_PART: &str = "attachments";

/// What came of one attempt.
#[derive(Debug, Clone)]
pub enum Attempt {
    /// The endpoint answered (any status).
    Answered { status: u16, status_text: String, retry_after: Option<String>, body: String },
    /// No answer: offline, DNS, refused connection, CORS refusal.
    NetworkError(String),
    /// No answer within the per-attempt timeout.
    TimedOut,
    /// The request could not even be built (a header the browser refuses, a bad URL).
    Unsendable(String),
}

/// Headers the widget sets itself; the site owner's configuration cannot override them.
fn reserved(name: &str) -> bool {
    name.eq_ignore_ascii_case("idempotency-key") || name.eq_ignore_ascii_case("content-type")
}

fn request_init(entry: &OutboxEntry, controller: &AbortController) -> Result<RequestInit, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in entry.headers.iter().filter(|(name, _)| !reserved(name)) {
        headers
            .append(name, value)
            .map_err(|thrown| JsValue::from_str(&format!("header \"{name}\" from data-headers: {}", describe(&thrown))))?;
    }
    headers.set("Idempotency-Key", &entry.key)?;
    headers.set("Accept", "application/json")?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_signal(Some(&controller.signal()));
    match body_format(entry.attachments.len()) {
        BodyFormat::Json => {
            headers.set("Content-Type", "application/json")?;
            init.set_body(&JsValue::from_str(&entry.ticket_json));
        }
        BodyFormat::Multipart => {
            // No Content-Type header: the browser writes it with the boundary.
            let form = FormData::new()?;
            let parts = js_sys::Array::of1(&JsValue::from_str(&entry.ticket_json));
            let options = BlobPropertyBag::new();
            options.set_type("application/json");
            let ticket = Blob::new_with_str_sequence_and_options(&parts, &options)?;
            form.append_with_blob_and_filename(TICKET_PART, &ticket, "ticket.json")?;
            for attachment in &entry.attachments {
                form.append_with_blob_and_filename(ATTACHMENT_PART, &attachment.blob, &attachment.name)?;
            }
            init.set_body(&form);
        }
    }
    init.set_headers(&headers);
    Ok(init)
}

/// Sends `entry` once and reads the answer (status, `Retry-After`, body text).
pub async fn attempt(entry: &OutboxEntry) -> Attempt {
    let Some(window) = web_sys::window() else { return Attempt::Unsendable("no window".into()) };
    let controller = match AbortController::new() {
        Ok(controller) => controller,
        Err(thrown) => return Attempt::Unsendable(describe(&thrown)),
    };
    let init = match request_init(entry, &controller) {
        Ok(init) => init,
        Err(thrown) => return Attempt::Unsendable(describe(&thrown)),
    };
    let aborting = controller.clone();
    // Dropped (after the timer is cleared) when the attempt ends, so nothing leaks per attempt.
    let abort = Closure::once(move || aborting.abort());
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(abort.as_ref().unchecked_ref(), ATTEMPT_TIMEOUT.as_millis() as i32)
        .ok();
    let outcome = exchange(&window, entry, &init, &controller).await;
    if let Some(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
    drop(abort);
    outcome
}

/// Calls the page's current `fetch` (looked up at call time, so wrappers a site installs, and the
/// tests' scripted `fetch`, are honoured; web-sys binds `Window.prototype.fetch` once at start).
fn page_fetch(window: &web_sys::Window, url: &str, init: &RequestInit) -> js_sys::Promise {
    let called = js_sys::Reflect::get(window, &JsValue::from_str("fetch"))
        .and_then(|fetch| fetch.dyn_into::<js_sys::Function>())
        .and_then(|fetch| fetch.call2(window, &JsValue::from_str(url), init));
    match called {
        Ok(promise) => js_sys::Promise::resolve(&promise),
        Err(thrown) => js_sys::Promise::reject(&thrown),
    }
}

async fn exchange(window: &web_sys::Window, entry: &OutboxEntry, init: &RequestInit, controller: &AbortController) -> Attempt {
    let timed_out_or = |thrown: JsValue| {
        if controller.signal().aborted() {
            Attempt::TimedOut
        } else {
            Attempt::NetworkError(describe(&thrown))
        }
    };
    let response: Response = match JsFuture::from(page_fetch(window, &entry.endpoint, init)).await {
        Ok(response) => match response.dyn_into() {
            Ok(response) => response,
            Err(_) => return Attempt::NetworkError("fetch did not return a Response".into()),
        },
        Err(thrown) => return timed_out_or(thrown),
    };
    let status = response.status();
    let status_text = response.status_text();
    let retry_after = response.headers().get("Retry-After").ok().flatten();
    let body = match response.text() {
        Ok(promise) => match JsFuture::from(promise).await {
            Ok(text) => text.as_string().unwrap_or_default(),
            // The status decides; an unreadable body only loses the message.
            Err(_) => String::new(),
        },
        Err(_) => String::new(),
    };
    Attempt::Answered { status, status_text, retry_after, body }
}
