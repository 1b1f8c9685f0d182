//! Real servers for notification tests: an HTTP server that checks Standard Webhooks signatures
//! (and takes chat messages), and an SMTP server that keeps each message it accepts.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// `whsec_` + base64 of 32 bytes: the secret the tests configure.
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A request the HTTP sink got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Whether `standardwebhooks` accepted the signature (webhook path only).
    pub signature_ok: bool,
    /// The status the sink answered.
    pub answered: u16,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }
}

#[derive(Clone, Default)]
struct SinkState {
    received: Arc<Mutex<Vec<Received>>>,
    /// Answer 503 to this many more requests.
    fail_next: Arc<AtomicU32>,
}

/// HTTP sink: `/hook` (signed webhooks), `/chat` (Slack-style), `/gone` (always 410).
pub struct HttpSink {
    pub addr: SocketAddr,
    state: SinkState,
    server: tokio::task::JoinHandle<()>,
}

async fn record(state: &SinkState, path: &str, headers: HeaderMap, body: Bytes, status: StatusCode) -> StatusCode {
    let signature_ok = path == "/hook"
        && standardwebhooks::Webhook::new(SECRET).expect("secret").verify(&body, &headers).is_ok();
    let status = if state.fail_next.load(Ordering::SeqCst) > 0 {
        state.fail_next.fetch_sub(1, Ordering::SeqCst);
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        status
    };
    state.received.lock().unwrap().push(Received {
        path: path.to_string(),
        headers,
        body: body.to_vec(),
        signature_ok,
        answered: status.as_u16(),
    });
    status
}

impl HttpSink {
    pub async fn start() -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").await.expect("bind")).await
    }

    pub async fn on(listener: TcpListener) -> Self {
        let state = SinkState::default();
        let app = Router::new()
            .route(
                "/hook",
                post(|State(s): State<SinkState>, h: HeaderMap, b: Bytes| async move {
                    record(&s, "/hook", h, b, StatusCode::NO_CONTENT).await
                }),
            )
            .route(
                "/chat",
                post(|State(s): State<SinkState>, h: HeaderMap, b: Bytes| async move {
                    record(&s, "/chat", h, b, StatusCode::OK).await
                }),
            )
            .route(
                "/gone",
                post(|State(s): State<SinkState>, h: HeaderMap, b: Bytes| async move {
                    record(&s, "/gone", h, b, StatusCode::GONE).await
                }),
            )
            .with_state(state.clone());
        let addr = listener.local_addr().expect("address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, state, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn fail_next(&self, count: u32) {
        self.state.fail_next.store(count, Ordering::SeqCst);
    }

    pub fn received(&self, path: &str) -> Vec<Received> {
        self.state.received.lock().unwrap().iter().filter(|r| r.path == path).cloned().collect()
    }
}

impl Drop for HttpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A message the SMTP sink accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The value of a top-level header (unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim().to_string())
        })
    }
}

/// SMTP sink speaking just enough RFC 5321 for lettre (EHLO, MAIL, RCPT, DATA, RSET, QUIT).
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    server: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let store = mails.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(stream, store).await;
                });
            }
        });
        Self { port, mails, server }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn session(stream: tokio::net::TcpStream, store: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write.write_all(b"250-sink.test\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().to_string();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().to_string());
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
            }
            store.lock().unwrap().push(Mail { from: from.clone(), to: std::mem::take(&mut to), data });
            write.write_all(b"250 queued\r\n").await?;
        } else if upper == "RSET" || upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
}

/// Polls `check` every 50 ms until it holds (panics after a minute: a hang, not a slow machine).
pub async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..1200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting: {what}");
}

/// Checks `value` against the subset of JSON Schema that `www/schemas/event.schema.json` uses
/// (`type`, `enum`, `const`, `required`, `properties`, `additionalProperties: false`, `items`,
/// `$ref`; `pattern` and `format` are not checked); panics naming the path that does not conform.
pub fn check_event_schema(value: &serde_json::Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/schemas/event.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON");
    check(&schema, &schema, value, "$");
}

fn check(root: &serde_json::Value, schema: &serde_json::Value, value: &serde_json::Value, at: &str) {
    use serde_json::Value;
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").expect("local $ref");
        return check(root, &root["$defs"][name], value, at);
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        assert!(options.contains(value), "{at}: {value} not in {options:?}");
    }
    if let Some(constant) = schema.get("const") {
        assert_eq!(value, constant, "{at}");
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => assert!(value.is_object(), "{at}: not an object"),
        Some("array") => assert!(value.is_array(), "{at}: not an array"),
        Some("string") => assert!(value.is_string(), "{at}: not a string: {value}"),
        Some("boolean") => assert!(value.is_boolean(), "{at}: not a boolean"),
        Some("integer") => assert!(value.is_i64() || value.is_u64(), "{at}: not an integer"),
        _ => {}
    }
    if let (Some(object), Some(properties)) = (value.as_object(), schema.get("properties").and_then(Value::as_object)) {
        for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let key = required.as_str().expect("name");
            assert!(object.contains_key(key), "{at}: `{key}` is required");
        }
        for (key, item) in object {
            match properties.get(key) {
                Some(property) => check(root, property, item, &format!("{at}.{key}")),
                None => assert!(schema.get("additionalProperties") != Some(&Value::Bool(false)), "{at}: `{key}` is not in the schema"),
            }
        }
    }
    if let (Some(items), Some(item_schema)) = (value.as_array(), schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            check(root, item_schema, item, &format!("{at}[{index}]"));
        }
    }
}
