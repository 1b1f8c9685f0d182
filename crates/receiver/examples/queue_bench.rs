//! Benchmark of the agents' queue page with many stored tickets: fills a fresh database through
//! `POST /api/tickets` (the real validation and group-commit writer, in process), then serves the
//! queue's first page (`GET /admin`, signed in) and its live-refresh fragment repeatedly and
//! prints the median and 95th percentile, with the query plan SQLite uses.
//!
//! cargo run --release -p triage-receiver --example queue_bench -- --tickets 10000 --runs 200

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{TimeDelta, Utc};
use clap::Parser;
use tower::ServiceExt;
use triage_receiver::config::Config;
use triage_receiver::db::Db;
use triage_receiver::policies::PolicySet;
use triage_receiver::{app, AppState, Clock};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    tickets: usize,
    #[arg(long, default_value_t = 200)]
    runs: usize,
}

const TOKEN: &str = "bench-token";

fn ticket(i: usize) -> String {
    // A mix of severities (one-question paths) and e-mails, as a real queue has.
    let (severity, answer) = if i % 3 == 0 { ("P1", "service_down") } else { ("P4", "question") };
    format!(
        r#"{{"policy":{{"id":"priority-p1-p4","version":"2026-11-23"}},"plan":"business-plus","severity":"{severity}","answers":[{{"question":"situation","answer":"{answer}"}}],"reasons":[],"due":{{"first_response":{{"due":"2026-11-23T12:30:00-03:00"}},"resolution":{{"due":"2026-11-23T16:00:00-03:00"}}}},"contact":{{"name":"Cliente {i}","email":"cliente{i}@example.com"}},"subject":"Chamado de carga {i}","description":"Gerado pelo benchmark da fila.","page_url":"https://shop.example/app","locale":"pt-BR","time_zone":"America/Sao_Paulo","created_at":"2026-11-23T11:59:30-03:00","fill_ms":45000}}"#
    )
}

async fn call(app: &Router, mut request: Request<Body>) -> (StatusCode, Vec<u8>, Option<String>) {
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let response = app.clone().oneshot(request).await.expect("the router never fails");
    let status = response.status();
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).map(String::from);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec();
    (status, body, cookie)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(app: &Router, cookie: &str, path: &str, runs: usize) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let request = Request::get(path).header("cookie", cookie).body(Body::empty()).expect("request");
        let start = Instant::now();
        let (status, body, _) = call(app, request).await;
        times.push(start.elapsed());
        assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&body));
        size = body.len();
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.95), size)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("triage-queue-bench-{}", uuid::Uuid::new_v4().simple()));
    let policies_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/policies");
    let mut config = Config::with_defaults(vec![policies_dir.join("priority-p1-p4.json")], dir.join("bench.sqlite"));
    config.admin_token = Some(TOKEN.into());
    config.rate_limit_per_minute = 0;
    let policies = PolicySet::load(&config.policies).expect("policy loads");
    let db = Db::open(config.db_settings()).await.expect("database opens");
    // Tickets arrive over the last 3 days, so some are overdue, some due soon, some pending.
    let clock = Clock::manual(Utc::now() - TimeDelta::days(3));
    let state = AppState::new(config, policies, db, clock.clone()).expect("config");
    let app = app(state.clone());

    let fill_start = Instant::now();
    let step = TimeDelta::milliseconds((3 * 24 * 3_600_000 / args.tickets.max(1)) as i64);
    let mut sent = 0;
    while sent < args.tickets {
        let chunk: Vec<_> = (sent..(sent + 128).min(args.tickets))
            .map(|i| {
                let app = app.clone();
                tokio::spawn(async move {
                    let request = Request::post("/api/tickets")
                        .header("content-type", "application/json")
                        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                        .body(Body::from(ticket(i)))
                        .expect("request");
                    call(&app, request).await.0
                })
            })
            .collect();
        for task in chunk {
            assert_eq!(task.await.expect("task"), StatusCode::CREATED);
        }
        sent = (sent + 128).min(args.tickets);
        clock.set(clock.now() + step * 128);
    }
    clock.set(Utc::now());
    println!("stored {} tickets in {:.1} s", state.db.count().await.expect("count"), fill_start.elapsed().as_secs_f64());
    println!("query plan: {}", state.db.queue_plan().await.expect("plan").join(" | "));

    let (status, _, cookie) = call(
        &app,
        Request::post("/admin/sign-in")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={TOKEN}")))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "sign-in");
    let cookie = cookie.expect("session cookie").split(';').next().unwrap_or_default().to_string();

    for (what, path) in [
        ("GET /admin (first page, 50 rows)", "/admin"),
        ("GET /admin/queue/rows (live refresh)", "/admin/queue/rows"),
        ("GET /admin?state=overdue", "/admin?state=overdue"),
        ("GET /admin?q=cliente4242@example.com", "/admin?q=cliente4242%40example.com"),
    ] {
        let (median, p95, size) = measure(&app, &cookie, path, args.runs).await;
        println!(
            "{what}: median {:.2} ms, p95 {:.2} ms, {} KB over {} runs",
            median.as_secs_f64() * 1000.0,
            p95.as_secs_f64() * 1000.0,
            size / 1024,
            args.runs
        );
    }
    state.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
