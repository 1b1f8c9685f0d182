//! Sending tickets so that none is lost or duplicated: an outbox entry in IndexedDB written before
//! the first attempt, one idempotency key for every attempt, a few quick attempts while the
//! customer watches, then background retries (capped exponential backoff with full jitter, on
//! `online`, and on the next page load) until a 2xx arrives.
//!
//! What happens to a ticket:
//! - 2xx: delivered; the entry is removed; `submitted` {reference, id} is emitted.
//! - Network error, timeout (15 s), 408, 429 (after its `Retry-After`), 5xx: tried again with the
//!   same `Idempotency-Key`; after the quick attempts `submit` answers [`SendOutcome::Queued`],
//!   `queued` {count} is emitted and the background loop keeps going.
//! - Any other status: [`SendOutcome::Rejected`] with the endpoint's error; `error` {message,
//!   status, code, field} is emitted. The entry is removed (the same body would be refused again);
//!   what the customer typed stays in the panel's form so they can correct it and send again. A
//!   refusal of a queued ticket in the background hands the ticket to the
//!   [`set_rejection_listener`] function for the same purpose.

pub mod answer;
pub mod http;
pub mod outbox;
pub mod retry;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use js_sys::Promise;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};

pub use triage_policy::ticket::TicketReceipt;
use triage_policy::ticket::{AttachmentMeta, ErrorDetail, TicketPayload};

use crate::events::Emitter;
use crate::wire::{self, QueuedTicket};
use http::Attempt;
use outbox::{Attachment, OutboxEntry};
use retry::{StatusClass, BACKOFF};

/// Where and how tickets are sent (from the tag's `data-endpoint` and `data-headers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendConfig {
    /// URL tickets are POSTed to.
    pub endpoint: String,
    /// Extra request headers (e.g. an API key). `Content-Type` and `Idempotency-Key` are set by
    /// the widget and cannot be overridden. A cross-origin endpoint must allow them (and
    /// `Idempotency-Key`) in its CORS preflight answer, and expose `Retry-After`.
    pub headers: Vec<(String, String)>,
}

/// A ticket the customer sent, with its files.
#[derive(Debug, Clone)]
pub struct Submission {
    pub ticket: TicketPayload,
    /// Attached files, in order; sent as `attachments` parts of a multipart body. When
    /// `ticket.attachments` is empty it is filled in from these (name, type, size).
    pub files: Vec<web_sys::File>,
}

/// What `submit` came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The endpoint stored the ticket.
    Delivered(TicketReceipt),
    /// Not delivered yet; kept in the outbox and retried in the background. `pending` is the
    /// number of tickets now waiting (this one included).
    Queued { pending: u32 },
    /// The endpoint refused the ticket for good (4xx other than 408/429). `error.field`, when
    /// present, is the JSON path of the ticket field at fault (e.g. `contact.email`).
    Rejected { status: u16, error: ErrorDetail },
}

/// Status used in [`SendOutcome::Rejected`] when the request could not be built at all.
pub const UNSENDABLE_STATUS: u16 = 0;

/// See [`set_delivery_listener`].
type DeliveryListener = Rc<dyn Fn(String, TicketReceipt)>;
/// See [`set_rejection_listener`].
type RejectionListener = Rc<dyn Fn(QueuedTicket, u16, ErrorDetail)>;

thread_local! {
    /// Keys with an attempt in progress in this page: never two concurrent sends of one entry.
    static IN_FLIGHT: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static DELIVERY_LISTENER: RefCell<Option<DeliveryListener>> = const { RefCell::new(None) };
    static REJECTION_LISTENER: RefCell<Option<RejectionListener>> = const { RefCell::new(None) };
    static BACKGROUND: RefCell<Option<Background>> = const { RefCell::new(None) };
    static LOOP_RUNNING: Cell<bool> = const { Cell::new(false) };
    /// Resolves the background loop's current sleep early (set by `online` and new queued tickets).
    static WAKE: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    static ONLINE_LISTENER: Cell<bool> = const { Cell::new(false) };
}

/// What the background loop needs: the current configuration (fresh headers for its endpoint)
/// and where to send events.
#[derive(Clone)]
struct Background {
    config: SendConfig,
    emit: Emitter,
}

/// Sends a ticket the customer just submitted.
///
/// Makes the idempotency key, writes the outbox entry, then makes up to
/// [`retry::QUICK_ATTEMPTS`] attempts within [`retry::QUICK_BUDGET`]; if none got through it
/// answers `Queued` and leaves the ticket to the background loop.
pub async fn submit(cfg: &SendConfig, submission: Submission, emit: &Emitter) -> SendOutcome {
    let Submission { mut ticket, files } = submission;
    if ticket.attachments.is_empty() {
        ticket.attachments = files
            .iter()
            .map(|file| AttachmentMeta { name: file.name(), mime: file.type_(), size: file.size() as u64 })
            .collect();
    }
    let ticket_json = match serde_json::to_string(&ticket) {
        Ok(json) => json,
        Err(error) => {
            let error = ErrorDetail {
                code: "invalid_ticket".into(),
                message: format!("The ticket could not be written as JSON: {error}"),
                field: None,
            };
            emit_error(emit, UNSENDABLE_STATUS, &error);
            return SendOutcome::Rejected { status: UNSENDABLE_STATUS, error };
        }
    };
    let now = js_sys::Date::now();
    let mut entry = OutboxEntry {
        key: new_idempotency_key(),
        endpoint: cfg.endpoint.clone(),
        headers: cfg.headers.clone(),
        ticket_json,
        attachments: files.into_iter().map(|file| Attachment { name: file.name(), blob: file.into() }).collect(),
        attempts: 0,
        next_attempt_ms: now,
        created_ms: now,
    };
    remember_background(cfg.clone(), emit.clone());
    outbox::put(&entry).await;
    let _lock = InFlight::take(&entry.key);
    let started = js_sys::Date::now();
    loop {
        let attempt = http::attempt(&entry).await;
        entry.attempts += 1;
        match settle(&entry, attempt, emit).await {
            Settled::Delivered(receipt, _) => return SendOutcome::Delivered(receipt),
            Settled::Rejected { status, error } => return SendOutcome::Rejected { status, error },
            Settled::Retry { wait } => {
                let elapsed = Duration::from_millis((js_sys::Date::now() - started).max(0.0) as u64);
                if is_online() && retry::quick_phase_continues(entry.attempts, elapsed, wait) {
                    gloo_timers::future::sleep(wait).await;
                    continue;
                }
                entry.next_attempt_ms = js_sys::Date::now() + wait.as_millis() as f64;
                let pending = outbox::put(&entry).await;
                emit.emit_fields("queued", &[("count", pending.into())]);
                ensure_background_loop();
                return SendOutcome::Queued { pending };
            }
        }
    }
}

/// Starts (or refreshes) the background delivery of queued tickets: call on mount. Entries are
/// sent to the endpoint they were submitted to; those for `cfg.endpoint` use `cfg.headers` (fresh
/// credentials). Also resends when the browser comes back `online`.
pub fn resume_outbox(cfg: SendConfig, emit: Emitter) {
    remember_background(cfg, emit);
    ensure_background_loop();
}

/// Registers the function called when a queued ticket is delivered in the background (not for
/// deliveries `submit` itself returns). Arguments: the ticket's policy id (whose draft the panel
/// may now clear) and the endpoint's receipt.
pub fn set_delivery_listener(f: Box<dyn Fn(String, TicketReceipt)>) {
    DELIVERY_LISTENER.with(|listener| *listener.borrow_mut() = Some(Rc::from(f)));
}

/// Registers the function called when the endpoint refuses a queued ticket in the background
/// (not for refusals `submit` itself returns). The entry leaves the outbox, so this is the last
/// place the ticket exists: the panel should put it back in the form (with the error next to
/// `error.field`) so that nothing the customer typed is lost. Arguments: the ticket as it was
/// sent (read back from its JSON), the HTTP status and the endpoint's error.
pub fn set_rejection_listener(f: Box<dyn Fn(QueuedTicket, u16, ErrorDetail)>) {
    REJECTION_LISTENER.with(|listener| *listener.borrow_mut() = Some(Rc::from(f)));
}

/// Tickets waiting in the outbox, as last counted (`localStorage["triage-widget:outbox"]`).
pub fn outbox_count() -> u32 {
    outbox::stored_count()
}

/// A fresh UUID v4 from `crypto.getRandomValues`.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto (very old browser): Math.random still gives distinct keys in practice.
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    retry::uuid_v4_from(bytes)
}

/// The outcome of one attempt for an entry, after the outbox and the events were updated.
enum Settled {
    /// The receipt, and the ticket as read back from the entry (`None` when unreadable).
    Delivered(TicketReceipt, Option<QueuedTicket>),
    Rejected { status: u16, error: ErrorDetail },
    Retry { wait: Duration },
}

/// Applies one attempt's result: removes the entry on 2xx and on refusal, emits the events, and
/// says how long to wait before the next attempt otherwise (the entry itself is not rewritten).
async fn settle(entry: &OutboxEntry, attempt: Attempt, emit: &Emitter) -> Settled {
    let retry_after = match attempt {
        Attempt::Answered { status, status_text, retry_after, body } => match retry::classify_status(status) {
            StatusClass::Delivered => {
                let ticket = wire::queued_ticket(&entry.ticket_json);
                let receipt = answer::receipt_from_success(&body, &entry.key, ticket.as_ref());
                let count = outbox::remove(&entry.key).await;
                emit.emit_fields(
                    "submitted",
                    &[
                        ("reference", receipt.reference.as_str().into()),
                        ("id", receipt.id.as_str().into()),
                        ("count", count.into()),
                    ],
                );
                return Settled::Delivered(receipt, ticket);
            }
            StatusClass::Reject => {
                let error = answer::rejection_detail(status, &status_text, &body);
                outbox::remove(&entry.key).await;
                emit_error(emit, status, &error);
                return Settled::Rejected { status, error };
            }
            StatusClass::Retry => {
                retry_after.and_then(|value| retry::parse_retry_after(&value, now_utc()))
            }
        },
        Attempt::NetworkError(_) | Attempt::TimedOut => None,
        Attempt::Unsendable(reason) => {
            let error = ErrorDetail {
                code: "unsendable".into(),
                message: format!("The ticket could not be sent to {}: {reason}", entry.endpoint),
                field: None,
            };
            outbox::remove(&entry.key).await;
            emit_error(emit, UNSENDABLE_STATUS, &error);
            return Settled::Rejected { status: UNSENDABLE_STATUS, error };
        }
    };
    let wait = retry::wait_after_failure(&BACKOFF, entry.attempts, js_sys::Math::random(), retry_after);
    Settled::Retry { wait }
}

/// The browser's clock (chrono's `clock` feature is off in the widget).
fn now_utc() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

fn emit_error(emit: &Emitter, status: u16, error: &ErrorDetail) {
    let field = error.field.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    emit.emit_fields(
        "error",
        &[
            ("message", error.message.as_str().into()),
            ("status", status.into()),
            ("code", error.code.as_str().into()),
            ("field", field),
        ],
    );
}

/// Holds a key in [`IN_FLIGHT`] until dropped.
struct InFlight(String);

impl InFlight {
    fn take(key: &str) -> Self {
        Self::mark(key);
        Self(key.to_owned())
    }

    /// `None` when another attempt of this key is in progress in this page.
    fn try_take(key: &str) -> Option<Self> {
        Self::mark(key).then(|| Self(key.to_owned()))
    }

    /// Adds `key` to the keys in flight; false when it was there already.
    fn mark(key: &str) -> bool {
        IN_FLIGHT.with(|keys| {
            let mut keys = keys.borrow_mut();
            let new = !keys.iter().any(|known| known == key);
            if new {
                keys.push(key.to_owned());
            }
            new
        })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.with(|keys| keys.borrow_mut().retain(|known| *known != self.0));
    }
}

fn is_online() -> bool {
    web_sys::window().is_none_or(|window| window.navigator().on_line())
}

fn remember_background(config: SendConfig, emit: Emitter) {
    BACKGROUND.with(|background| *background.borrow_mut() = Some(Background { config, emit }));
    install_online_listener();
}

fn install_online_listener() {
    if ONLINE_LISTENER.with(|installed| installed.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let on_online = Closure::<dyn Fn()>::new(|| {
        wake();
        ensure_background_loop();
    });
    if window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref()).is_ok() {
        // Lives as long as the page.
        on_online.forget();
    }
}

/// Ends the background loop's current sleep now.
fn wake() {
    if let Some(resolve) = WAKE.with(|wake| wake.borrow_mut().take()) {
        let _ = resolve.call0(&JsValue::NULL);
    }
}

/// Sleeps for `wait` or until [`wake`] is called.
async fn sleep_or_wake(wait: Duration) {
    let millis = wait.as_millis().min(i32::MAX as u128) as i32;
    let promise = Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
        }
        WAKE.with(|wake| *wake.borrow_mut() = Some(resolve));
    });
    let _ = JsFuture::from(promise).await;
    WAKE.with(|wake| wake.borrow_mut().take());
}

/// Longest sleep of the background loop while offline (`online` usually wakes it first, but
/// `navigator.onLine` can be wrong).
const OFFLINE_RECHECK: Duration = Duration::from_secs(60);
/// Sleep before looking again at an entry another attempt is busy with.
const IN_FLIGHT_RECHECK: Duration = Duration::from_secs(1);
/// Sleep after the outbox could not be read before trying again.
const STORAGE_RECHECK: Duration = Duration::from_secs(30);

fn ensure_background_loop() {
    if LOOP_RUNNING.with(|running| running.replace(true)) {
        wake();
        return;
    }
    spawn_local(async {
        background_loop().await;
        LOOP_RUNNING.with(|running| running.set(false));
    });
}

/// Sends every due entry, sleeps until the next one is due (or `online`), until the outbox is empty.
async fn background_loop() {
    loop {
        let Some(Background { config, emit }) = BACKGROUND.with(|background| background.borrow().clone()) else {
            return;
        };
        let entries = match outbox::all().await {
            Ok(entries) => entries,
            Err(error) => {
                web_sys::console::error_1(&error.to_string().into());
                sleep_or_wake(STORAGE_RECHECK).await;
                continue;
            }
        };
        if entries.is_empty() {
            // The mirrored count may be stale (cleared storage, another tab delivered): correct
            // it, and tell the loader so the launcher's badge follows.
            let mirrored = outbox::stored_count();
            let counted = outbox::sync_count().await;
            if counted != mirrored {
                emit.emit_fields("queued", &[("count", counted.into())]);
            }
            return;
        }
        let mut next_due = f64::INFINITY;
        for mut entry in entries {
            if entry.next_attempt_ms > js_sys::Date::now() || !is_online() {
                next_due = next_due.min(entry.next_attempt_ms);
                continue;
            }
            let Some(_lock) = InFlight::try_take(&entry.key) else {
                // `submit` is still on it: look again shortly.
                next_due = next_due.min(js_sys::Date::now() + IN_FLIGHT_RECHECK.as_millis() as f64);
                continue;
            };
            // Another tab may have delivered it since we read the list.
            match outbox::get(&entry.key).await {
                Ok(Some(fresh)) => entry = fresh,
                Ok(None) => continue,
                Err(_) => {}
            }
            if entry.endpoint == config.endpoint {
                entry.headers = config.headers.clone();
            }
            let attempt = http::attempt(&entry).await;
            entry.attempts += 1;
            match settle(&entry, attempt, &emit).await {
                Settled::Delivered(receipt, ticket) => {
                    let policy = ticket.map(|ticket| ticket.policy_id).unwrap_or_default();
                    if let Some(listener) = DELIVERY_LISTENER.with(|listener| listener.borrow().clone()) {
                        listener(policy, receipt);
                    }
                }
                Settled::Rejected { status, error } => {
                    let listener = REJECTION_LISTENER.with(|listener| listener.borrow().clone());
                    match (wire::queued_ticket(&entry.ticket_json), listener) {
                        (Some(ticket), Some(listener)) => listener(ticket, status, error),
                        // Nobody to hand it back to: keep the customer's text on the console
                        // rather than nowhere.
                        _ => web_sys::console::error_2(
                            &format!("triage-widget: a queued ticket was refused ({}); its content:", error.message).into(),
                            &entry.ticket_json.as_str().into(),
                        ),
                    }
                }
                Settled::Retry { wait } => {
                    entry.next_attempt_ms = js_sys::Date::now() + wait.as_millis() as f64;
                    next_due = next_due.min(entry.next_attempt_ms);
                    outbox::put(&entry).await;
                }
            }
        }
        let wait = if !is_online() {
            OFFLINE_RECHECK
        } else if next_due.is_finite() {
            Duration::from_millis((next_due - js_sys::Date::now()).max(0.0) as u64)
        } else {
            Duration::ZERO
        };
        if !wait.is_zero() {
            sleep_or_wake(wait).await;
        }
    }
}
