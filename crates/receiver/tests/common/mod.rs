//! Test harness: an app on a fresh database with the seed policies and a manual clock.
//!
//! The database is a temporary SQLite file, or, with `TRIAGE_TEST_BACKEND=postgres`, a fresh
//! database on the PostgreSQL server of `TRIAGE_TEST_POSTGRES_URL` (`cargo xtask test native` runs
//! the receiver's suites both ways).
#![allow(dead_code)]

pub mod pg;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use tempfile::TempDir;
use tower::ServiceExt;
use triage_receiver::config::Config;
use triage_receiver::db::{Db, DbLocation};
use triage_receiver::policies::PolicySet;
use triage_receiver::{app, AppState, Clock};

pub const ADMIN: &str = "admin-secret-token";

pub fn policies_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/policies")
}

pub fn policy_paths() -> Vec<PathBuf> {
    vec![policies_dir().join("priority-p1-p4.json"), policies_dir().join("impact-t1-t4.json")]
}

/// Monday 2026-11-23 12:00 in São Paulo.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).single().expect("valid instant")
}

pub struct Harness {
    pub dir: TempDir,
    pub state: AppState,
    pub app: Router,
    pub clock: Clock,
}

/// Whether this run stores on PostgreSQL (`TRIAGE_TEST_BACKEND=postgres`) rather than SQLite.
pub fn on_postgres() -> bool {
    match std::env::var("TRIAGE_TEST_BACKEND").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Ok("") | Err(_) => false,
        Ok(other) => panic!("TRIAGE_TEST_BACKEND={other}: expected sqlite or postgres"),
    }
}

/// A fresh, empty database of the backend under test (the SQLite file lives in `dir`).
pub fn fresh_db(dir: &TempDir) -> DbLocation {
    if on_postgres() {
        DbLocation::Postgres(pg::fresh_database(&pg::admin_url()))
    } else {
        DbLocation::Sqlite(dir.path().join("nested/dir/tickets.sqlite"))
    }
}

pub fn config(dir: &TempDir) -> Config {
    let mut config = Config::with_defaults(policy_paths(), fresh_db(dir));
    config.admin_token = Some(ADMIN.to_string());
    config.rate_limit_per_minute = 0;
    config
}

impl Harness {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = config(&dir);
        adjust(&mut config);
        Self::from_config(dir, config).await
    }

    pub async fn from_config(dir: TempDir, config: Config) -> Self {
        let policies = PolicySet::load(&config.policies).expect("seed policies load");
        let db = Db::open(config.db_settings()).await.expect("database opens");
        let clock = Clock::manual(t0());
        let state = AppState::new(config, policies, db, clock.clone()).expect("valid config");
        let app = app(state.clone());
        Self { dir, state, app, clock }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send(&self.app, request).await
    }

    pub async fn post_ticket(&self, key: &str, ticket: &Value) -> Reply {
        self.send(json_post(key, ticket)).await
    }

    pub async fn admin_get(&self, path: &str) -> Reply {
        self.send(
            Request::get(path).header("authorization", format!("Bearer {ADMIN}")).body(Body::empty()).expect("request"),
        )
        .await
    }

    pub async fn rows(&self) -> i64 {
        self.state.db.count().await.expect("count")
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the error shape and returns (code, field).
    pub fn error(&self) -> (String, Option<String>) {
        let body = self.json();
        let error = body.get("error").unwrap_or_else(|| panic!("no `error` in {body}"));
        let code = error["code"].as_str().expect("code").to_string();
        assert!(!error["message"].as_str().expect("message").is_empty());
        (code, error.get("field").and_then(Value::as_str).map(String::from))
    }
}

pub async fn send(app: &Router, mut request: Request<Body>) -> Reply {
    if request.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
        request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 10], 40000))));
    }
    let response = app.clone().oneshot(request).await.expect("router never fails");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec();
    Reply { status, headers, bytes }
}

pub fn json_post(key: &str, ticket: &Value) -> Request<Body> {
    Request::post("/api/tickets")
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(Body::from(ticket.to_string()))
        .expect("request")
}

pub fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A valid P1 ticket for `priority-p1-p4` (service down), with the browser's due times off by a
/// day on purpose: the receiver must not echo them.
pub fn ticket() -> Value {
    json!({
        "policy": {"id": "priority-p1-p4", "version": "2026-11-23"},
        "plan": "business-plus",
        "severity": "P1",
        "answers": [{"question": "situation", "answer": "service_down"}],
        "reasons": ["O serviço está fora do ar"],
        "due": {
            "first_response": {"due": "2026-11-24T12:30:00-03:00"},
            "resolution": {"due": "2026-11-24T16:00:00-03:00"}
        },
        "contact": {"name": "Ana Souza", "email": "ana@example.com.br"},
        "subject": "Painel fora do ar",
        "description": "Desde as 11h ninguém consegue entrar.",
        "page_url": "https://shop.example/app",
        "locale": "pt-BR",
        "time_zone": "America/Sao_Paulo",
        "created_at": "2026-11-23T11:59:30-03:00",
        "fill_ms": 45000
    })
}

/// A valid T2 ticket for `impact-t1-t4` (product required, channels).
pub fn impact_ticket() -> Value {
    json!({
        "policy": {"id": "impact-t1-t4", "version": "2026-11-23"},
        "plan": "standard",
        "severity": "T2",
        "answers": [
            {"question": "works", "answer": "broken"},
            {"question": "workaround", "answer": "none"},
            {"question": "scope", "answer": "one_user"}
        ],
        "reasons": [],
        "due": {
            "first_response": {"due": "2026-11-23T12:04:00-03:00"},
            "resolution": {"due": "2026-11-24T12:00:00-03:00"}
        },
        "contact": {"name": "Bruno", "email": "bruno@example.com"},
        "subject": "Erro 500 no painel",
        "description": "Um usuário recebe erro 500.",
        "product": "nps",
        "channel": "chat",
        "page_url": "https://shop.example/",
        "locale": "pt-BR",
        "time_zone": "America/Sao_Paulo",
        "created_at": "2026-11-23T12:00:00-03:00",
        "fill_ms": 30000
    })
}

pub const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];

pub struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub data: &'a [u8],
}

pub fn multipart_body(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = format!("----triage{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(file_name) = part.file_name {
            disposition.push_str(&format!("; filename=\"{file_name}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn multipart_post(key: &str, parts: &[Part<'_>]) -> Request<Body> {
    let (content_type, body) = multipart_body(parts);
    Request::post("/api/tickets")
        .header("content-type", content_type)
        .header("idempotency-key", key)
        .body(Body::from(body))
        .expect("request")
}

/// The ticket with `files` listed as attachments (name, type, size).
pub fn with_attachments(mut ticket: Value, files: &[(&str, &str, usize)]) -> Value {
    ticket["attachments"] = Value::Array(
        files.iter().map(|(name, mime, size)| json!({"name": name, "type": mime, "size": size})).collect(),
    );
    ticket
}
