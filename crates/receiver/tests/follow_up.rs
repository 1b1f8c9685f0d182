//! After sending: status links (the customer follows the promise), escalation requests by plan,
//! the plan an unverified customer gets, and reply channels, through the real router.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::TimeDelta;
use common::*;
use serde_json::{json, Value};
use triage_receiver::db::DbLocation;
use triage_receiver::identity::sign;

/// Posts `t`, expects 201, returns the receipt.
async fn sent(h: &Harness, t: &Value) -> Value {
    let reply = h.post_ticket(&key(), t).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    reply.json()
}

fn status_url(receipt: &Value) -> String {
    receipt["status_url"].as_str().unwrap_or_else(|| panic!("no status_url in {receipt}")).to_string()
}

async fn get(h: &Harness, path: &str) -> Reply {
    h.send(Request::get(path).body(Body::empty()).expect("request")).await
}

async fn status(h: &Harness, receipt: &Value) -> Value {
    let reply = get(h, &status_url(receipt)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.bytes));
    reply.json()
}

async fn patch(h: &Harness, id: &str, body: Value) {
    let reply = h
        .send(
            Request::patch(format!("/api/tickets/{id}"))
                .header("authorization", format!("Bearer {ADMIN}"))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.bytes));
}

/// Everything stored, as bytes: on SQLite every file of the database (main file, WAL, shared
/// memory); on PostgreSQL every row of every table, as JSON text.
async fn database_bytes(h: &Harness) -> Vec<u8> {
    match &h.state.config.db {
        DbLocation::Sqlite(path) => {
            let dir = path.parent().expect("the SQLite file has a directory");
            let mut bytes = Vec::new();
            for entry in std::fs::read_dir(dir).expect("database dir") {
                let path = entry.expect("entry").path();
                bytes.extend(std::fs::read(&path).unwrap_or_default());
            }
            bytes
        }
        DbLocation::Postgres(url) => {
            let tables =
                common::pg::query_strings(url, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'").await;
            assert!(tables.iter().any(|t| t == "status_tokens"), "tables: {tables:?}");
            let mut bytes = Vec::new();
            for table in tables {
                let rows = common::pg::query_strings(url, &format!("SELECT row_to_json(t)::text FROM \"{table}\" t")).await;
                for row in rows {
                    bytes.extend(row.into_bytes());
                }
            }
            bytes
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_receipt_links_to_a_status_that_tells_only_what_the_customer_knows() {
    let h = Harness::new().await;
    let receipt = sent(&h, &ticket()).await;
    let url = status_url(&receipt);
    let token = url.strip_prefix("/api/ticket-status/").expect("root-relative without --public-url");
    assert_eq!(token.len(), 64, "256 bits, hex");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

    let reply = get(&h, &url).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
    let body = String::from_utf8_lossy(&reply.bytes).to_string();
    for private in ["Ana Souza", "ana@example.com.br", "Desde as 11h", "192.0.2.10", "contact", "description"] {
        assert!(!body.contains(private), "the status must not carry {private}: {body}");
    }
    let s = reply.json();
    assert_eq!(s["reference"], receipt["reference"]);
    assert_eq!(s["subject"], "Painel fora do ar");
    assert_eq!(s["policy"], json!({"id": "priority-p1-p4", "version": "2026-11-23"}));
    assert_eq!(s["severity"], "P1");
    assert_eq!(s["severity_label"]["en"], "Urgent (P1)");
    assert_eq!(s["created_at"], "2026-11-23T15:00:00+00:00");
    assert_eq!(s["first_response"]["due"], "2026-11-23T12:30:00-03:00");
    assert_eq!(s["first_response"]["state"], "pending");
    assert_eq!(s["first_response"]["promised"], json!({"amount": 30, "unit": "minutes"}));
    assert!(s["first_response"].get("met_at").is_none());
    assert_eq!(s["resolution"]["due"], "2026-11-23T16:00:00-03:00");
    assert_eq!(s["resolution"]["promised"], json!({"amount": 4, "unit": "hours"}));
    assert!(s.get("escalation").is_none());
    assert_eq!(s["as_of"], "2026-11-23T15:00:00Z");

    // Stored hashed: the token is nowhere in the database, its SHA-256 is.
    let stored = database_bytes(&h).await;
    assert!(!contains(&stored, token), "the token itself must not be stored");
    assert!(contains(&stored, &triage_receiver::ticket_status::token_hash(token)));
}

#[tokio::test]
async fn the_status_follows_the_first_response_the_resolution_and_the_sweep() {
    let h = Harness::new().await;
    let receipt = sent(&h, &ticket()).await;
    let id = receipt["id"].as_str().expect("id").to_string();

    // 25 of the 30 minutes gone: due soon.
    h.clock.set(t0() + TimeDelta::minutes(25));
    assert_eq!(status(&h, &receipt).await["first_response"]["state"], "due_soon");

    // An agent answers at 14:05 UTC+… (12:26 in São Paulo): met, and when.
    h.clock.set(t0() + TimeDelta::minutes(26));
    patch(&h, &id, json!({"first_response_at": "now"})).await;
    let s = status(&h, &receipt).await;
    assert_eq!(s["first_response"]["state"], "met");
    assert!(s["first_response"]["met_at"].as_str().expect("met_at").starts_with("2026-11-23T15:26:00"));
    assert_eq!(s["resolution"]["state"], "pending");

    // The 4 h resolution runs out; the sweep escalates the ticket automatically.
    h.clock.set(t0() + TimeDelta::hours(4) + TimeDelta::minutes(1));
    let s = status(&h, &receipt).await;
    assert_eq!(s["resolution"]["state"], "overdue");
    assert!(s.get("escalation").is_none(), "not escalated until the sweep ran");
    triage_receiver::admin::escalate_overdue(&h.state).await.expect("sweep");
    let s = status(&h, &receipt).await;
    assert_eq!(s["escalation"]["automatic"]["target"], "resolution");
    assert!(s["escalation"]["automatic"]["at"].as_str().expect("at").starts_with("2026-11-23T19:01:00"));
    assert!(s["escalation"].get("requested").is_none());

    // Resolved late: breached, with when.
    h.clock.set(t0() + TimeDelta::hours(5));
    patch(&h, &id, json!({"resolved_at": "now"})).await;
    let s = status(&h, &receipt).await;
    assert_eq!(s["resolution"]["state"], "breached");
    assert!(s["resolution"]["met_at"].is_string());
}

#[tokio::test]
async fn a_token_opens_its_own_ticket_only_and_unknown_or_revoked_ones_tell_nothing() {
    let h = Harness::new().await;
    let first = sent(&h, &ticket()).await;
    let mut other = ticket();
    other["subject"] = json!("Outro assunto");
    let second = sent(&h, &other).await;
    assert_ne!(status_url(&first), status_url(&second));
    assert_eq!(status(&h, &first).await["reference"], first["reference"]);
    let s = status(&h, &second).await;
    assert_eq!(s["reference"], second["reference"]);
    assert_eq!(s["subject"], "Outro assunto");

    let unknown = get(&h, &format!("/api/ticket-status/{}", "0".repeat(64))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    for probe in ["/api/ticket-status/abc", "/api/ticket-status/ABCDEF", &format!("/api/ticket-status/{}", "g".repeat(64))] {
        let reply = get(&h, probe).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{probe}");
        assert_eq!(reply.bytes, unknown.bytes, "{probe}: the same answer as an unknown token");
    }
    // Another ticket's reference or id is not a token.
    let by_id = get(&h, &format!("/api/ticket-status/{}", first["id"].as_str().expect("id"))).await;
    assert_eq!(by_id.status, StatusCode::NOT_FOUND);

    // The holder forgets the ticket: the link is revoked, and reads like an unknown one.
    let revoke = h.send(Request::delete(status_url(&first)).body(Body::empty()).expect("request")).await;
    assert_eq!(revoke.status, StatusCode::NO_CONTENT);
    let gone = get(&h, &status_url(&first)).await;
    assert_eq!((gone.status, gone.bytes), (StatusCode::NOT_FOUND, unknown.bytes.clone()));
    let again = h.send(Request::delete(status_url(&first)).body(Body::empty()).expect("request")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(status(&h, &second).await["reference"], second["reference"], "other links still work");

    // An agent revokes every link of a ticket.
    let path = format!("/api/tickets/{}/status-links", second["id"].as_str().expect("id"));
    let anonymous = h.send(Request::delete(&path).body(Body::empty()).expect("request")).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let revoked = h
        .send(
            Request::delete(&path)
                .header("authorization", format!("Bearer {ADMIN}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(revoked.json(), json!({"revoked": 1}));
    assert_eq!(get(&h, &status_url(&second)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_replay_gets_a_fresh_link_to_the_same_ticket() {
    let h = Harness::new().await;
    let k = key();
    let first = h.post_ticket(&k, &ticket()).await.json();
    let replay = h.post_ticket(&k, &ticket()).await;
    assert_eq!(replay.status, StatusCode::OK);
    let replay = replay.json();
    assert_eq!(replay["replayed"], true);
    assert_ne!(status_url(&first), status_url(&replay));
    assert_eq!(status(&h, &first).await["reference"], status(&h, &replay).await["reference"]);
}

#[tokio::test]
async fn public_url_makes_links_absolute_and_is_checked() {
    let h = Harness::with(|c| c.public_url = Some("https://support.example/".into())).await;
    let receipt = sent(&h, &ticket()).await;
    let url = status_url(&receipt);
    let path = url.strip_prefix("https://support.example").expect("absolute under --public-url");
    assert!(path.starts_with("/api/ticket-status/"));
    assert_eq!(get(&h, path).await.status, StatusCode::OK);

    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = config(&dir);
    config.public_url = Some("support.example".into());
    let policies = triage_receiver::policies::PolicySet::load(&config.policies).expect("policies");
    let db = triage_receiver::db::Db::open(&config.db).await.expect("db");
    let error = triage_receiver::AppState::new(config, policies, db, triage_receiver::Clock::manual(t0()))
        .expect_err("a URL without a scheme is refused");
    assert!(error.to_string().contains("--public-url `support.example`"), "{error}");
}

#[tokio::test]
async fn status_reads_are_rate_limited_apart_from_sends_and_readable_cross_origin() {
    let h = Harness::with(|c| {
        c.status_rate_limit_per_minute = 1;
        c.status_rate_limit_burst = 2;
        c.allowed_origins = vec!["https://shop.example".into()];
    })
    .await;
    let receipt = sent(&h, &ticket()).await;
    let url = status_url(&receipt);
    let read = || Request::get(&url).header("origin", "https://shop.example").body(Body::empty()).expect("request");
    let ok = h.send(read()).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.header("access-control-allow-origin"), Some("https://shop.example"));
    assert_eq!(h.send(read()).await.status, StatusCode::OK);
    let limited = h.send(read()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("retry-after").is_some());
    assert_eq!(limited.header("access-control-allow-origin"), Some("https://shop.example"), "the page can read the 429");
    // Sends have their own budget.
    sent(&h, &ticket()).await;

    let preflight = h
        .send(
            Request::options(&url)
                .header("origin", "https://shop.example")
                .header("access-control-request-method", "DELETE")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(preflight.header("access-control-allow-methods").is_some_and(|m| m.contains("DELETE")));
    let foreign = h.send(Request::get(&url).header("origin", "https://evil.example").body(Body::empty()).expect("request")).await;
    assert_eq!(foreign.header("access-control-allow-origin"), None);
}

// ---------------------------------------------------------------- escalation by plan

/// A P3 ticket asking for P2, with the due times the widget shows once the request is made
/// (P2 under Business+: 1 h and 8 h from 12:00).
fn escalated_ticket(plan: &str) -> Value {
    let mut t = ticket();
    t["plan"] = json!(plan);
    t["answers"] = json!([
        {"question": "situation", "answer": "not_working"},
        {"question": "impact", "answer": "usable"},
        {"question": "workaround_minor", "answer": "short_term"}
    ]);
    t["severity"] = json!("P3");
    t["escalation"] = json!({"severity": "P2", "reason": "Black Friday: every hour costs sales"});
    t["due"] = json!({
        "first_response": {"due": "2026-11-23T13:00:00-03:00"},
        "resolution": {"due": "2026-11-23T20:00:00-03:00"}
    });
    t
}

fn identity(plan: &str) -> Value {
    let expires = (t0() + TimeDelta::hours(1)).timestamp();
    json!({"user_id": "cust-9", "plan": plan, "expires": expires,
           "signature": sign(b"owner-secret", "cust-9", plan, expires)})
}

#[tokio::test]
async fn only_business_plus_customers_may_ask_for_escalation() {
    let h = Harness::with(|c| c.identity_secret = Some("owner-secret".into())).await;
    let mut pro = escalated_ticket("pro");
    pro["identity"] = identity("pro");
    let reply = h.post_ticket(&key(), &pro).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error(), ("escalation_not_allowed".into(), Some("escalation".into())));
    let message = reply.json()["error"]["message"].as_str().expect("message").to_string();
    assert!(message.contains("`pro`") && message.contains("business-plus"), "{message}");
    assert_eq!(h.rows().await, 0);

    // A forged Business+ identity is not believed: unverified, Pro, refused the same way.
    let mut forged = escalated_ticket("business-plus");
    forged["identity"] = json!({"user_id": "cust-9", "plan": "business-plus", "expires": t0().timestamp() + 600,
                                "signature": sign(b"guessed", "cust-9", "business-plus", t0().timestamp() + 600)});
    let reply = h.post_ticket(&key(), &forged).await;
    assert_eq!(reply.error(), ("escalation_not_allowed".into(), Some("escalation".into())));

    // Business+, signed: granted, with the higher severity's due times, and no due_mismatch when
    // the widget sends what applies once the request is made.
    let mut business = escalated_ticket("business-plus");
    business["identity"] = identity("business-plus");
    let receipt = sent(&h, &business).await;
    assert_eq!(receipt["severity"], "P2");
    let stored = h.admin_get(&format!("/api/tickets/{}", receipt["id"].as_str().expect("id"))).await.json();
    let flags = stored["flags"].as_array().expect("flags");
    assert!(!flags.contains(&json!("due_mismatch")), "{flags:?}");
    assert!(flags.contains(&json!("escalation_requested")));
    let s = status(&h, &receipt).await;
    assert_eq!(
        s["escalation"]["requested"],
        json!({"from": "P3", "to": "P2", "at": "2026-11-23T15:00:00+00:00", "reason": "Black Friday: every hour costs sales"})
    );
    assert_eq!(s["first_response"]["due"], "2026-11-23T13:00:00-03:00");

    // Demo mode (no secret): the browser's plan is taken, and its rule applies all the same.
    let demo = Harness::new().await;
    let reply = demo.post_ticket(&key(), &escalated_ticket("pro")).await;
    assert_eq!(reply.error(), ("escalation_not_allowed".into(), Some("escalation".into())));
    assert_eq!(sent(&demo, &escalated_ticket("business-plus")).await["severity"], "P2");
}

// ---------------------------------------------------------------- the unverified plan

/// The plan stored for a P1 ticket claiming Business+ with `identity` (or none).
async fn plan_for(h: &Harness, identity: Option<Value>) -> String {
    let mut t = ticket();
    if let Some(identity) = identity {
        t["identity"] = identity;
    }
    let receipt = sent(h, &t).await;
    let stored = h.admin_get(&format!("/api/tickets/{}", receipt["id"].as_str().expect("id"))).await.json();
    stored["plan"].as_str().expect("plan").to_string()
}

#[tokio::test]
async fn a_forged_expired_or_missing_identity_never_buys_a_better_plan_than_the_unverified_one() {
    let h = Harness::with(|c| c.identity_secret = Some("owner-secret".into())).await;
    let soon = t0().timestamp() + 600;
    let attacks = [
        None,
        Some(json!({"user_id": "x", "plan": "business-plus", "expires": soon, "signature": "00".repeat(32)})),
        Some(json!({"user_id": "x", "plan": "business-plus", "expires": soon, "signature": sign(b"guess", "x", "business-plus", soon)})),
        Some(json!({"user_id": "x", "plan": "business-plus", "expires": t0().timestamp() - 1,
                    "signature": sign(b"owner-secret", "x", "business-plus", t0().timestamp() - 1)})),
        Some(json!({"user_id": "x", "plan": "gold", "expires": soon, "signature": sign(b"owner-secret", "x", "gold", soon)})),
        // A valid Pro signature with the plan field edited to Business+.
        Some(json!({"user_id": "x", "plan": "business-plus", "expires": soon, "signature": sign(b"owner-secret", "x", "pro", soon)})),
    ];
    for attack in attacks {
        let shown = attack.clone();
        assert_eq!(plan_for(&h, attack).await, "pro", "attack {shown:?}");
    }
    assert_eq!(plan_for(&h, Some(identity("business-plus"))).await, "business-plus", "a real signature counts");

    // A policy that names no unverified plan: its least-served plan (Pro), not its default.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut value: Value =
        serde_json::from_str(&std::fs::read_to_string(policies_dir().join("priority-p1-p4.json")).expect("policy"))
            .expect("json");
    value.as_object_mut().expect("object").remove("unverified_plan");
    let path = dir.path().join("priority.json");
    std::fs::write(&path, value.to_string()).expect("write policy");
    let mut config = config(&dir);
    config.policies = vec![path];
    config.identity_secret = Some("owner-secret".into());
    let h = Harness::from_config(dir, config).await;
    assert_eq!(plan_for(&h, None).await, "pro");
}

// ---------------------------------------------------------------- reply channels

#[tokio::test]
async fn the_chosen_channel_sets_the_first_response_and_whatsapp_needs_a_phone() {
    let h = Harness::new().await;
    let mut t = impact_ticket();
    t["channel"] = json!("whatsapp");
    let reply = h.post_ticket(&key(), &t).await;
    assert_eq!(reply.error(), ("missing_field".into(), Some("contact.phone".into())));
    t["contact"]["phone"] = json!("call me maybe");
    let reply = h.post_ticket(&key(), &t).await;
    assert_eq!(reply.error(), ("invalid_field".into(), Some("contact.phone".into())));
    t["contact"]["phone"] = json!("+55 (11) 98765-4321");
    let receipt = sent(&h, &t).await;
    assert_eq!(receipt["due"]["first_response"]["due"], "2026-11-23T12:04:00-03:00");
    let s = status(&h, &receipt).await;
    assert_eq!(s["channel"], "whatsapp");
    assert_eq!(s["first_response"]["promised"], json!({"amount": 4, "unit": "minutes"}));
    assert!(!String::from_utf8_lossy(&get(&h, &status_url(&receipt)).await.bytes).contains("98765"));

    // E-mail: 24 h, which for T2 equals the 1-day resolution.
    let mut t = impact_ticket();
    t["channel"] = json!("email");
    let receipt = sent(&h, &t).await;
    assert_eq!(receipt["due"]["first_response"]["due"], "2026-11-24T12:00:00-03:00");
    assert_eq!(status(&h, &receipt).await["first_response"].get("capped"), None);
}

#[tokio::test]
async fn a_first_response_is_never_due_after_the_resolution() {
    let h = Harness::new().await;
    // T1 (4 h resolution) by e-mail (24 h first response): due with the resolution.
    let mut t = impact_ticket();
    t["answers"] = json!([
        {"question": "works", "answer": "broken"},
        {"question": "workaround", "answer": "none"},
        {"question": "scope", "answer": "all_users"}
    ]);
    t["severity"] = json!("T1");
    t["channel"] = json!("email");
    let receipt = sent(&h, &t).await;
    assert_eq!(receipt["severity"], "T1");
    assert_eq!(receipt["due"]["first_response"]["due"], "2026-11-23T16:00:00-03:00");
    assert_eq!(receipt["due"]["resolution"]["due"], "2026-11-23T16:00:00-03:00");
    let s = status(&h, &receipt).await;
    assert_eq!(s["first_response"]["capped"], true);
    assert_eq!(s["first_response"]["promised"], json!({"amount": 24, "unit": "hours"}));
}
