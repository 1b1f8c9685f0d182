//! The status proxy `GET /api/status/{product}` against a real HTTP status page (an axum server on
//! a free port): the generic shape, the cache and its one read at a time, and every way a feed
//! can fail (down, slow, not JSON, hostile), each answered as a 502 that names the problem.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::Duration as Span;
use common::{t0, Harness, Reply};
use serde_json::Value;

const SUMMARY: &str = r#"{
  "page": {"id": "p", "name": "NPS", "url": "https://nps.status.example", "updated_at": "2026-11-23T14:50:00.000Z"},
  "status": {"indicator": "critical", "description": "Major System Outage"},
  "components": [{"id": "c1", "name": "E-mail sending", "status": "major_outage"}],
  "incidents": [
    {"id": "inc-live", "name": "E-mails are not being delivered", "status": "identified", "impact": "critical",
     "shortlink": "https://stspg.io/live", "created_at": "2026-11-23T14:40:00.000Z", "started_at": "2026-11-23T14:35:00.000Z",
     "incident_updates": [{"body": "We found the cause.", "created_at": "2026-11-23T14:50:00.000Z", "display_at": "2026-11-23T14:50:00.000Z"}],
     "components": [{"id": "c1", "name": "E-mail sending"}]},
    {"id": "inc-hostile", "name": "<script>alert(1)</script>\u202e\u0000 Reports", "status": "investigating", "impact": "minor",
     "shortlink": "javascript:alert(1)", "created_at": "2026-11-23T14:00:00Z", "incident_updates": []},
    {"id": "inc-bad", "name": "Bad", "status": "on fire", "impact": "major", "created_at": "2026-11-23T14:00:00Z"}
  ]
}"#;

/// A status page on a real socket: `/summary.json`, `/down` (503), `/slow` (answers after 2 s),
/// `/html` (a web page, not JSON), `/huge` (over the size limit); counts the reads of the summary.
struct StatusPage {
    base: String,
    reads: Arc<AtomicUsize>,
    server: tokio::task::JoinHandle<()>,
}

impl StatusPage {
    async fn start() -> Self {
        let reads = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route(
                "/summary.json",
                get(|State(reads): State<Arc<AtomicUsize>>| async move {
                    reads.fetch_add(1, Ordering::SeqCst);
                    // Slow enough that concurrent requests overlap with the read.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    ([(header::CONTENT_TYPE, "application/json")], SUMMARY)
                }),
            )
            .route("/down", get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "maintenance") }))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    SUMMARY
                }),
            )
            .route("/html", get(|| async { "<html><body>Status: all good</body></html>" }))
            .route("/huge", get(|| async { format!(r#"{{"incidents":[],"pad":"{}"}}"#, "x".repeat(2 * 1024 * 1024)) }))
            .with_state(reads.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, reads, server }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for StatusPage {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A receiver whose `nps` feed is read from `nps` (a URL or file) with a 300 ms timeout.
async fn receiver(nps: &str) -> Harness {
    let nps = nps.to_string();
    Harness::with(move |config| {
        config.status_feeds = vec![format!("nps={nps}")];
        config.status_timeout_ms = 300;
    })
    .await
}

async fn get_status(harness: &Harness, path: &str) -> Reply {
    harness.send(Request::get(path).body(Body::empty()).expect("request")).await
}

fn unavailable_message(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{}", String::from_utf8_lossy(&reply.bytes));
    let (code, _) = reply.error();
    assert_eq!(code, "status_feed_unavailable");
    reply.json()["error"]["message"].as_str().expect("message").to_string()
}

#[tokio::test]
async fn a_statuspage_feed_is_served_in_the_generic_shape_cleaned() {
    let page = StatusPage::start().await;
    let harness = receiver(&page.url("/summary.json")).await;
    let reply = get_status(&harness, "/api/status/nps").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.bytes));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("cache-control"), Some("public, max-age=60"));
    let body: Value = reply.json();
    assert_eq!(body["indicator"], "critical");
    let incidents = body["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 2, "the incident with an unknown status is left out: {body}");
    let live = &incidents[0];
    assert_eq!(live["id"], "inc-live");
    assert_eq!(live["title"], "E-mails are not being delivered");
    assert_eq!(live["status"], "identified");
    assert_eq!(live["impact"], "critical");
    assert_eq!(live["url"], "https://stspg.io/live");
    assert_eq!(live["started_at"], "2026-11-23T14:35:00+00:00");
    assert_eq!(live["last_update"]["text"], "We found the cause.");
    assert_eq!(live["components"], serde_json::json!(["E-mail sending", "c1"]));
    let hostile = &incidents[1];
    assert_eq!(
        hostile["title"], "<script>alert(1)</script> Reports",
        "controls and overrides removed, markup left as text"
    );
    assert!(hostile.get("url").is_none(), "a javascript: link is dropped");
    assert_eq!(hostile["started_at"], "2026-11-23T14:00:00+00:00", "created_at stands in for started_at");
}

#[tokio::test]
async fn the_feed_is_read_once_per_minute_and_once_for_concurrent_requests() {
    let page = StatusPage::start().await;
    let harness = receiver(&page.url("/summary.json")).await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let app = harness.app.clone();
        requests.spawn(async move {
            common::send(&app, Request::get("/api/status/nps").body(Body::empty()).expect("request")).await
        });
    }
    while let Some(reply) = requests.join_next().await {
        assert_eq!(reply.expect("request task").status, StatusCode::OK);
    }
    assert_eq!(page.reads.load(Ordering::SeqCst), 1, "eight concurrent requests share one read");

    harness.clock.set(t0() + Span::seconds(45));
    let reply = get_status(&harness, "/api/status/nps").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("cache-control"), Some("public, max-age=15"), "what is left of the minute");
    assert_eq!(page.reads.load(Ordering::SeqCst), 1, "still cached after 45 s");

    harness.clock.set(t0() + Span::seconds(61));
    assert_eq!(get_status(&harness, "/api/status/nps").await.status, StatusCode::OK);
    assert_eq!(page.reads.load(Ordering::SeqCst), 2, "read again after a minute");
}

#[tokio::test]
async fn a_status_page_that_is_down_answers_502_and_is_retried_after_15_s() {
    let page = StatusPage::start().await;
    let harness = receiver(&page.url("/down")).await;
    let reply = get_status(&harness, "/api/status/nps").await;
    let message = unavailable_message(&reply);
    assert!(message.contains(&page.url("/down")), "names the feed: {message}");
    assert!(message.ends_with("it answered HTTP 503"), "{message}");
    assert_eq!(reply.header("cache-control"), Some("public, max-age=15"));
}

#[tokio::test]
async fn a_slow_status_page_answers_502_after_the_timeout() {
    let page = StatusPage::start().await;
    let harness = receiver(&page.url("/slow")).await;
    let message = unavailable_message(&get_status(&harness, "/api/status/nps").await);
    assert!(message.ends_with("no answer within 300 ms"), "{message}");
}

#[tokio::test]
async fn a_feed_that_is_not_json_or_too_large_answers_502_naming_the_problem() {
    let page = StatusPage::start().await;
    let harness = receiver(&page.url("/html")).await;
    let message = unavailable_message(&get_status(&harness, "/api/status/nps").await);
    assert!(message.contains("not a Statuspage v2 summary feed: $: invalid JSON"), "{message}");

    let harness = receiver(&page.url("/huge")).await;
    let message = unavailable_message(&get_status(&harness, "/api/status/nps").await);
    assert!(message.ends_with("the answer is larger than 1048576 bytes"), "{message}");
}

#[tokio::test]
async fn an_unreachable_status_page_answers_502() {
    // A port nobody listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let harness = receiver(&format!("http://127.0.0.1:{port}/summary.json")).await;
    let message = unavailable_message(&get_status(&harness, "/api/status/nps").await);
    assert!(message.contains("cannot reach it: connection failed"), "{message}");
}

#[tokio::test]
async fn a_local_file_is_read_at_each_refresh_and_its_path_stays_private() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("nps.json");
    std::fs::write(&file, SUMMARY).expect("write feed");
    let harness = receiver(file.to_str().expect("UTF-8")).await;
    let reply = get_status(&harness, "/api/status/nps").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["incidents"][0]["id"], "inc-live");

    std::fs::write(&file, r#"{"incidents":[]}"#).expect("rewrite feed");
    harness.clock.set(t0() + Span::seconds(61));
    let reply = get_status(&harness, "/api/status/nps").await;
    assert_eq!(reply.json()["incidents"], serde_json::json!([]), "the incident was resolved and removed");

    std::fs::remove_file(&file).expect("remove feed");
    harness.clock.set(t0() + Span::seconds(122));
    let message = unavailable_message(&get_status(&harness, "/api/status/nps").await);
    assert!(message.contains("a local file given with --status-feed"), "{message}");
    assert!(!message.contains(dir.path().to_str().expect("UTF-8")), "the path is not shown: {message}");
}

#[tokio::test]
async fn unknown_products_and_policies_are_404_with_the_known_ones() {
    let page = StatusPage::start().await;
    let harness = receiver(&page.url("/summary.json")).await;
    let reply = get_status(&harness, "/api/status/shop").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let message = reply.json()["error"]["message"].as_str().expect("message").to_string();
    assert!(message.contains("no policy of this receiver has a product `shop` with a status feed"), "{message}");
    assert!(message.contains("(products with one: cxm, nps)"), "{message}");

    let reply = get_status(&harness, "/api/status/nps?policy=priority-p1-p4").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(get_status(&harness, "/api/status/nps?policy=impact-t1-t4").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_status_feed_override_for_an_unknown_product_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = common::config(&dir);
    config.status_feeds = vec!["shop=https://status.example.com/api/v2/summary.json".into()];
    let policies = triage_receiver::policies::PolicySet::load(&config.policies).expect("policies");
    let db = triage_receiver::db::Db::open(&config.db).await.expect("db");
    let error =
        triage_receiver::AppState::new(config.clone(), policies.clone(), db.clone(), triage_receiver::Clock::System)
            .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "--status-feed shop=…: no policy has a product `shop` with a status_feed (products with one: cxm, nps)"
    );
    config.status_feeds = vec!["nps".into()];
    let error =
        triage_receiver::AppState::new(config, policies, db, triage_receiver::Clock::System).expect_err("refused");
    assert!(error.to_string().starts_with("--status-feed `nps`: expected PRODUCT=URL or PRODUCT=FILE"), "{error}");
}

#[tokio::test]
async fn a_cross_origin_widget_may_read_the_proxy() {
    let page = StatusPage::start().await;
    let base = page.url("/summary.json");
    let harness = Harness::with(move |config| {
        config.status_feeds = vec![format!("nps={base}")];
        config.allowed_origins = vec!["https://help.example".into()];
    })
    .await;
    let reply = harness
        .send(
            Request::get("/api/status/nps")
                .header("origin", "https://help.example")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("access-control-allow-origin"), Some("https://help.example"));
}
