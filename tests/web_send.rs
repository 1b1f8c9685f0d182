//! Browser tests of sending tickets: the IndexedDB outbox (write, read, remove, count mirrored in
//! localStorage) and `submit` against a scripted `fetch` (retries with one idempotency key, refusal
//! without retry, queueing, `Retry-After`, multipart bodies).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use js_sys::{Array, Reflect};
use triage_policy::ticket::TicketPayload;
use triage_widget::events::Emitter;
use triage_widget::send::outbox::{self, Attachment, OutboxEntry};
use triage_widget::send::{self, SendConfig, SendOutcome, Submission};
use triage_widget::wire::QueuedTicket;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function script_fetch(answers) {
  const requests = [];
  window.fetch = async (url, init) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    let body = init.body, parts = null;
    if (body instanceof FormData) {
      parts = [];
      for (const [name, value] of body.entries()) {
        parts.push({ name, file: value.name, type: value.type, text: await value.text() });
      }
      body = null;
    }
    requests.push({ url, method: init.method, headers, body, parts });
    const answer = answers[Math.min(requests.length, answers.length) - 1];
    if (answer.network) throw new TypeError("Failed to fetch");
    return new Response(answer.body ?? "", { status: answer.status, headers: answer.headers ?? {} });
  };
  return requests;
}
export function recorder() {
  const events = [];
  const emit = (name, detail) => events.push([name, detail]);
  emit.events = events;
  return emit;
}
export function make_file(name, type, text) { return new File([text], name, { type }); }
export function blob_text(blob) { return blob.text(); }
"#)]
extern "C" {
    /// Replaces `window.fetch` with one answering `answers` in turn (the last one repeats);
    /// returns the array it records the requests in.
    fn script_fetch(answers: JsValue) -> Array;
    fn recorder() -> js_sys::Function;
    fn make_file(name: &str, mime: &str, text: &str) -> web_sys::File;
    #[wasm_bindgen(catch)]
    async fn blob_text(blob: &web_sys::Blob) -> Result<JsValue, JsValue>;
}

fn answers(list: serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&list.to_string()).expect("answers are JSON")
}

fn field(value: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(value.clone(), |value, key| Reflect::get(&value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED))
}

fn ticket() -> TicketPayload {
    serde_json::from_value(serde_json::json!({
        "policy": {"id": "web-send-test", "version": "1"},
        "plan": "business", "severity": "P2",
        "answers": [{"question": "impact", "answer": "many"}],
        "reasons": ["Many users affected"],
        "due": {"first_response": {"due": "2026-11-23T20:00:00+00:00"},
                "resolution": {"due": "2026-11-24T18:00:00+00:00"}},
        "contact": {"name": "Ana", "email": "ana@example.com"},
        "subject": "Nothing loads", "description": "Since 9:00 the dashboard is blank.",
        "page_url": "https://example.com/app", "locale": "pt-BR",
        "time_zone": "America/Sao_Paulo", "created_at": "2026-11-23T18:00:00Z"
    }))
    .expect("test ticket is valid")
}

fn config() -> SendConfig {
    SendConfig { endpoint: "/api/tickets".into(), headers: vec![("X-Api-Key".into(), "k-123".into())] }
}

const RECEIPT: &str = r#"{"id":"7d0c","reference":"TW-000042","severity":"P2",
  "due":{"first_response":{"due":"a"},"resolution":{"due":"b"}},"replayed":false}"#;

/// Empties the outbox so tests start from nothing (they share one origin).
async fn clear_outbox() {
    for entry in outbox::all().await.expect("outbox readable") {
        outbox::remove(&entry.key).await;
    }
    assert_eq!(outbox::count().await.expect("count"), 0);
}

fn event_names(emit: &js_sys::Function) -> Vec<String> {
    Array::from(&field(emit, &["events"])).iter().map(|e| Array::from(&e).get(0).as_string().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
async fn outbox_writes_reads_and_removes_entries_and_mirrors_the_count() {
    clear_outbox().await;
    let entry = |key: &str, created: f64| OutboxEntry {
        key: key.into(),
        endpoint: "/api/tickets".into(),
        headers: vec![("X-Api-Key".into(), "k".into())],
        ticket_json: r#"{"subject":"x"}"#.into(),
        attachments: vec![Attachment { name: "shot.png".into(), blob: make_file("shot.png", "image/png", "PNGDATA").into() }],
        attempts: 2,
        next_attempt_ms: 1234.0,
        created_ms: created,
    };
    assert_eq!(outbox::put(&entry("b-key", 20.0)).await, 1);
    assert_eq!(outbox::put(&entry("a-key", 10.0)).await, 2);
    assert_eq!(outbox::stored_count(), 2, "localStorage mirrors the count");
    assert_eq!(send::outbox_count(), 2);

    let all = outbox::all().await.expect("outbox readable");
    let keys: Vec<&str> = all.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["a-key", "b-key"], "oldest first");
    let read = &all[0];
    assert_eq!(read.headers, vec![("X-Api-Key".to_string(), "k".to_string())]);
    assert_eq!((read.attempts, read.next_attempt_ms), (2, 1234.0));
    assert_eq!(read.attachments[0].name, "shot.png");
    let bytes = blob_text(&read.attachments[0].blob).await.expect("blob readable");
    assert_eq!(bytes.as_string().as_deref(), Some("PNGDATA"), "attachment bytes survive IndexedDB");

    let mut updated = entry("a-key", 10.0);
    updated.attempts = 5;
    assert_eq!(outbox::put(&updated).await, 2, "same key overwrites");
    assert_eq!(outbox::get("a-key").await.expect("get").map(|e| e.attempts), Some(5));

    assert_eq!(outbox::remove("a-key").await, 1);
    assert!(outbox::get("a-key").await.expect("get").is_none());
    assert_eq!(outbox::remove("b-key").await, 0);
    assert_eq!(outbox::stored_count(), 0);
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).expect("localStorage");
    assert_eq!(storage.get_item(outbox::COUNT_KEY).ok().flatten(), None, "key removed at zero");
}

#[wasm_bindgen_test]
async fn server_errors_are_retried_with_one_idempotency_key_until_delivered() {
    clear_outbox().await;
    let requests = script_fetch(answers(serde_json::json!([
        {"status": 500}, {"status": 503, "body": "busy"}, {"status": 201, "body": RECEIPT}
    ])));
    let emit = recorder();
    let outcome = send::submit(&config(), Submission { ticket: ticket(), files: vec![] }, &Emitter::new(emit.clone())).await;
    let SendOutcome::Delivered(receipt) = outcome else { panic!("expected Delivered, got {outcome:?}") };
    assert_eq!(receipt.reference, "TW-000042");
    assert_eq!(requests.length(), 3);
    let key = field(&requests.get(0), &["headers", "idempotency-key"]).as_string().expect("Idempotency-Key sent");
    assert_eq!(key.len(), 36);
    assert_eq!(&key[14..15], "4", "UUID version 4: {key}");
    for request in requests.iter() {
        assert_eq!(field(&request, &["headers", "idempotency-key"]).as_string(), Some(key.clone()), "same key on every attempt");
        assert_eq!(field(&request, &["headers", "x-api-key"]).as_string().as_deref(), Some("k-123"));
        assert_eq!(field(&request, &["headers", "content-type"]).as_string().as_deref(), Some("application/json"));
        assert_eq!(field(&request, &["method"]).as_string().as_deref(), Some("POST"));
    }
    let body: TicketPayload = serde_json::from_str(&field(&requests.get(0), &["body"]).as_string().expect("JSON body"))
        .expect("body is the ticket");
    assert_eq!(body, ticket());
    assert_eq!(outbox::count().await.expect("count"), 0, "removed after the 2xx");
    assert_eq!(event_names(&emit), ["submitted"]);
    assert_eq!(field(&Array::from(&field(&emit, &["events"])).get(0), &["1", "reference"]).as_string().as_deref(), Some("TW-000042"));
}

#[wasm_bindgen_test]
async fn a_400_is_rejected_once_with_the_field_at_fault_and_not_retried() {
    clear_outbox().await;
    let requests = script_fetch(answers(serde_json::json!([{
        "status": 400,
        "body": r#"{"error":{"code":"invalid_field","message":"contact.email is not an e-mail address","field":"contact.email"}}"#
    }, {"status": 201, "body": RECEIPT}])));
    let emit = recorder();
    let outcome = send::submit(&config(), Submission { ticket: ticket(), files: vec![] }, &Emitter::new(emit.clone())).await;
    let SendOutcome::Rejected { status, error } = outcome else { panic!("expected Rejected, got {outcome:?}") };
    assert_eq!(status, 400);
    assert_eq!(error.field.as_deref(), Some("contact.email"));
    gloo_timers::future::sleep(Duration::from_millis(1500)).await;
    assert_eq!(requests.length(), 1, "a 400 is not retried");
    assert_eq!(outbox::count().await.expect("count"), 0, "a refused ticket leaves the outbox");
    assert_eq!(event_names(&emit), ["error"]);
}

#[wasm_bindgen_test]
async fn a_long_retry_after_queues_at_once_and_keeps_the_entry() {
    clear_outbox().await;
    let requests = script_fetch(answers(serde_json::json!([{"status": 429, "headers": {"Retry-After": "30"}}])));
    let emit = recorder();
    let before = js_sys::Date::now();
    let outcome = send::submit(&config(), Submission { ticket: ticket(), files: vec![] }, &Emitter::new(emit.clone())).await;
    assert_eq!(outcome, SendOutcome::Queued { pending: 1 });
    assert_eq!(requests.length(), 1, "30 s is past the quick phase: no second quick attempt");
    let entries = outbox::all().await.expect("outbox readable");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].attempts, 1);
    assert!(entries[0].next_attempt_ms >= before + 30_000.0, "Retry-After honoured");
    assert_eq!(send::outbox_count(), 1);
    assert_eq!(event_names(&emit), ["queued"]);
    clear_outbox().await;
}

#[wasm_bindgen_test]
async fn network_errors_queue_after_the_quick_attempts_and_the_background_delivers() {
    clear_outbox().await;
    let requests = script_fetch(answers(serde_json::json!([
        {"network": true}, {"network": true}, {"network": true}, {"status": 201, "body": RECEIPT}
    ])));
    let emit = recorder();
    let outcome = send::submit(&config(), Submission { ticket: ticket(), files: vec![] }, &Emitter::new(emit.clone())).await;
    assert_eq!(outcome, SendOutcome::Queued { pending: 1 });
    assert_eq!(requests.length(), 3, "three quick attempts");
    assert_eq!(send::outbox_count(), 1);
    // The background loop's next attempt comes within the backoff ceiling after 3 failures (4 s).
    for _ in 0..60 {
        if outbox::count().await.expect("count") == 0 {
            break;
        }
        gloo_timers::future::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(outbox::count().await.expect("count"), 0, "delivered in the background");
    assert_eq!(requests.length(), 4, "exactly one more attempt");
    assert_eq!(event_names(&emit), ["queued", "submitted"]);
}

#[wasm_bindgen_test]
async fn attachments_go_as_multipart_with_the_ticket_part_first() {
    clear_outbox().await;
    let requests = script_fetch(answers(serde_json::json!([{"status": 201, "body": RECEIPT}])));
    let files = vec![make_file("screen.png", "image/png", "PNG"), make_file("log.pdf", "application/pdf", "PDF")];
    let outcome = send::submit(&config(), Submission { ticket: ticket(), files }, &Emitter::new(recorder())).await;
    assert!(matches!(outcome, SendOutcome::Delivered(_)), "{outcome:?}");
    let request = requests.get(0);
    assert!(field(&request, &["headers", "content-type"]).is_undefined(), "the browser sets the multipart boundary");
    let parts = Array::from(&field(&request, &["parts"]));
    let names: Vec<String> = parts.iter().map(|p| field(&p, &["name"]).as_string().unwrap_or_default()).collect();
    assert_eq!(names, ["ticket", "attachments", "attachments"]);
    assert_eq!(field(&parts.get(0), &["type"]).as_string().as_deref(), Some("application/json"));
    let sent: TicketPayload = serde_json::from_str(&field(&parts.get(0), &["text"]).as_string().expect("ticket text"))
        .expect("ticket part is the ticket");
    let meta: Vec<(&str, &str, u64)> = sent.attachments.iter().map(|a| (a.name.as_str(), a.mime.as_str(), a.size)).collect();
    assert_eq!(meta, [("screen.png", "image/png", 3), ("log.pdf", "application/pdf", 3)], "metadata filled from the files");
    assert_eq!(field(&parts.get(2), &["file"]).as_string().as_deref(), Some("log.pdf"));
    assert_eq!(field(&parts.get(2), &["text"]).as_string().as_deref(), Some("PDF"));
}

#[wasm_bindgen_test]
async fn a_queued_ticket_refused_in_the_background_is_handed_back_not_lost() {
    clear_outbox().await;
    let handed_back: std::rc::Rc<std::cell::RefCell<Vec<(QueuedTicket, u16, Option<String>)>>> = Default::default();
    let sink = handed_back.clone();
    send::set_rejection_listener(Box::new(move |ticket, status, error| sink.borrow_mut().push((ticket, status, error.field))));
    let requests = script_fetch(answers(serde_json::json!([
        {"network": true}, {"network": true}, {"network": true},
        {"status": 422, "body": r#"{"error":{"code":"invalid_field","message":"subject is too long","field":"subject"}}"#}
    ])));
    let emit = recorder();
    let outcome = send::submit(&config(), Submission { ticket: ticket(), files: vec![] }, &Emitter::new(emit.clone())).await;
    assert_eq!(outcome, SendOutcome::Queued { pending: 1 });
    for _ in 0..60 {
        if !handed_back.borrow().is_empty() {
            break;
        }
        gloo_timers::future::sleep(Duration::from_millis(100)).await;
    }
    let handed_back = handed_back.borrow();
    assert_eq!(handed_back.len(), 1, "the refused ticket reaches the listener");
    let sent = ticket();
    let returned = &handed_back[0].0;
    assert_eq!((returned.policy_id.as_str(), returned.subject.as_str()), (sent.policy.id.as_str(), sent.subject.as_str()));
    assert_eq!(returned.draft.fields.description, sent.description, "what the customer typed comes back");
    assert_eq!(returned.due.as_ref(), Some(&sent.due));
    assert_eq!((handed_back[0].1, handed_back[0].2.as_deref()), (422, Some("subject")));
    assert_eq!(requests.length(), 4);
    assert_eq!(outbox::count().await.expect("count"), 0);
    assert_eq!(event_names(&emit), ["queued", "error"]);
}
