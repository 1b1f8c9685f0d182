//! The receiver through its `Router` (`oneshot`), one test per behaviour, plus one over a socket.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use chrono::TimeDelta;
use common::*;
use serde_json::{json, Value};
use triage_receiver::identity::sign;
use triage_receiver::static_files::PAGE_CSP;

// ---------------------------------------------------------------- POST /api/tickets: success

#[tokio::test]
async fn json_ticket_is_created_with_receiver_severity_and_due_times() {
    let h = Harness::new().await;
    let reply = h.post_ticket(&key(), &ticket()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    let receipt = reply.json();
    assert_eq!(receipt["reference"], "TW-000001");
    assert_eq!(receipt["severity"], "P1");
    assert_eq!(receipt["replayed"], false);
    assert!(uuid::Uuid::parse_str(receipt["id"].as_str().unwrap()).is_ok());
    // Business+ P1: first response 30 minutes, resolution 4 hours, from the receiver's clock
    // (12:00 in São Paulo), not the browser's figures (a day later).
    assert_eq!(receipt["due"]["first_response"]["due"], "2026-11-23T12:30:00-03:00");
    assert_eq!(receipt["due"]["resolution"]["due"], "2026-11-23T16:00:00-03:00");
    assert_eq!(reply.header("location"), Some(format!("/api/tickets/{}", receipt["id"].as_str().unwrap()).as_str()));
    assert_eq!(h.rows().await, 1);

    let second = h.post_ticket(&key(), &ticket()).await;
    assert_eq!(second.json()["reference"], "TW-000002");
}

#[tokio::test]
async fn browser_severity_is_recomputed_and_kept_for_comparison() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["severity"] = json!("P4");
    let reply = h.post_ticket(&key(), &t).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let receipt = reply.json();
    assert_eq!(receipt["severity"], "P1");
    let stored = h.admin_get(&format!("/api/tickets/{}", receipt["id"].as_str().unwrap())).await.json();
    assert_eq!(stored["browser_severity"], "P4");
    assert_eq!(stored["classified_severity"], "P1");
    assert!(stored["flags"].as_array().unwrap().contains(&json!("severity_mismatch")));
    assert!(stored["flags"].as_array().unwrap().contains(&json!("due_mismatch")));
    assert_eq!(stored["browser_due"]["first_response"]["due"], "2026-11-24T12:30:00-03:00");
}

#[tokio::test]
async fn unsure_answers_walk_to_the_most_severe_branch() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["answers"] = json!([
        {"question": "situation", "answer": "not_working"},
        {"question": "impact", "answer": "unsure"},
        {"question": "workaround_critical", "answer": "unsure"}
    ]);
    let reply = h.post_ticket(&key(), &t).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    assert_eq!(reply.json()["severity"], "P1", "unsure answers must assume the worst branch");
}

#[tokio::test]
async fn escalation_request_raises_severity_and_due_times() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["answers"] = json!([
        {"question": "situation", "answer": "not_working"},
        {"question": "impact", "answer": "usable"},
        {"question": "workaround_minor", "answer": "short_term"}
    ]);
    t["severity"] = json!("P3");
    t["escalation"] = json!({"severity": "P2", "reason": "Black Friday: every hour costs sales"});
    let reply = h.post_ticket(&key(), &t).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    let receipt = reply.json();
    assert_eq!(receipt["severity"], "P2");
    assert_eq!(receipt["due"]["first_response"]["due"], "2026-11-23T13:00:00-03:00");
    let stored = h.admin_get(&format!("/api/tickets/{}", receipt["id"].as_str().unwrap())).await.json();
    assert_eq!(stored["classified_severity"], "P3");
    assert_eq!(stored["escalation_request"]["severity"], "P2");
}

#[tokio::test]
async fn channel_first_response_and_product_are_used() {
    let h = Harness::new().await;
    let reply = h.post_ticket(&key(), &impact_ticket()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    let receipt = reply.json();
    assert_eq!(receipt["severity"], "T2");
    // Chat: first response within 4 minutes; T2 resolution limit 1 day.
    assert_eq!(receipt["due"]["first_response"]["due"], "2026-11-23T12:04:00-03:00");
    assert_eq!(receipt["due"]["resolution"]["due"], "2026-11-24T12:00:00-03:00");
}

// ---------------------------------------------------------------- idempotency

#[tokio::test]
async fn replay_with_same_key_and_body_returns_the_first_receipt() {
    let h = Harness::new().await;
    let k = key();
    let first = h.post_ticket(&k, &ticket()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    h.clock.set(t0() + TimeDelta::minutes(5));
    // Same ticket, keys in another order and other spacing: same fingerprint.
    let reordered: Value = serde_json::from_str(&serde_json::to_string_pretty(&ticket()).unwrap()).unwrap();
    let again = h.post_ticket(&k, &reordered).await;
    assert_eq!(again.status, StatusCode::OK);
    let (a, b) = (first.json(), again.json());
    assert_eq!(b["replayed"], true);
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["reference"], b["reference"]);
    assert_eq!(a["due"], b["due"], "the first answer, not recomputed at the later time");
    assert_eq!(h.rows().await, 1);
}

#[tokio::test]
async fn same_key_with_another_body_is_422() {
    let h = Harness::new().await;
    let k = key();
    assert_eq!(h.post_ticket(&k, &ticket()).await.status, StatusCode::CREATED);
    let mut other = ticket();
    other["subject"] = json!("Outro assunto");
    let reply = h.post_ticket(&k, &other).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error(), ("idempotency_key_reused".into(), Some("Idempotency-Key".into())));
    assert_eq!(h.rows().await, 1);
}

#[tokio::test]
async fn idempotency_key_is_required_and_must_be_a_uuid() {
    let h = Harness::new().await;
    let missing = h
        .send(
            Request::post("/api/tickets")
                .header("content-type", "application/json")
                .body(Body::from(ticket().to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.error(), ("missing_field".into(), Some("Idempotency-Key".into())));
    let bad = h.post_ticket("ticket-1", &ticket()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error(), ("invalid_field".into(), Some("Idempotency-Key".into())));
    assert_eq!(h.rows().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_identical_requests_store_one_row() {
    let h = Harness::new().await;
    let k = key();
    let requests = (0..8).map(|_| {
        let app = h.app.clone();
        let request = json_post(&k, &ticket());
        async move { send(&app, request).await }
    });
    let replies = futures_join_all(requests).await;
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let replayed = replies.iter().filter(|r| r.status == StatusCode::OK).count();
    assert_eq!((created, replayed), (1, 7));
    let ids: std::collections::BTreeSet<String> =
        replies.iter().map(|r| r.json()["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(h.rows().await, 1);
}

async fn futures_join_all<F: std::future::Future<Output = Reply> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<Reply> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut replies = Vec::new();
    for handle in handles {
        replies.push(handle.await.expect("task"));
    }
    replies
}

// ---------------------------------------------------------------- 400 naming the field

async fn expect_400(h: &Harness, ticket: Value, code: &str, field: &str) {
    let reply = h.post_ticket(&key(), &ticket).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&reply.bytes));
    assert_eq!(reply.error(), (code.to_string(), Some(field.to_string())));
}

#[tokio::test]
async fn invalid_contact_email_names_the_field() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["contact"]["email"] = json!("ana@");
    expect_400(&h, t, "invalid_field", "contact.email").await;
    assert_eq!(h.rows().await, 0);
}

#[tokio::test]
async fn required_fields_follow_the_policy() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["subject"] = json!("   ");
    expect_400(&h, t, "missing_field", "subject").await;
    let mut t = impact_ticket();
    t.as_object_mut().unwrap().remove("product");
    expect_400(&h, t, "missing_field", "product").await;
    let mut t = ticket();
    t["contact"].as_object_mut().unwrap().remove("name");
    expect_400(&h, t, "missing_field", "contact.name").await;
}

#[tokio::test]
async fn unknown_policy_plan_product_channel_are_refused() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["policy"]["id"] = json!("nope");
    expect_400(&h, t, "unknown_policy", "policy.id").await;
    let mut t = ticket();
    t["plan"] = json!("gold");
    expect_400(&h, t, "invalid_field", "plan").await;
    let mut t = impact_ticket();
    t["product"] = json!("crm");
    expect_400(&h, t, "invalid_field", "product").await;
    let mut t = impact_ticket();
    t["channel"] = json!("fax");
    expect_400(&h, t, "invalid_field", "channel").await;
}

#[tokio::test]
async fn answers_are_checked_one_by_one() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["answers"] = json!([{"question": "situation", "answer": "on_fire"}]);
    expect_400(&h, t, "invalid_field", "answers[0].answer").await;
    let mut t = ticket();
    t["answers"] = json!([{"question": "situation", "answer": "service_down"}, {"question": "mood", "answer": "x"}]);
    expect_400(&h, t, "invalid_field", "answers[1].question").await;
    let mut t = ticket();
    t["answers"] = json!([{"question": "situation", "answer": "not_working"}]);
    expect_400(&h, t, "invalid_field", "answers").await;
}

#[tokio::test]
async fn escalation_rules_are_enforced() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["escalation"] = json!({"severity": "P2", "reason": "x"});
    expect_400(&h, t, "invalid_field", "escalation.severity").await; // P2 is not above P1
    let mut t = ticket();
    t["answers"] = json!([{"question": "situation", "answer": "question"}]);
    t["escalation"] = json!({"severity": "P1", "reason": "  "});
    expect_400(&h, t, "missing_field", "escalation.reason").await;
    let mut t = impact_ticket();
    t["escalation"] = json!({"severity": "T1", "reason": "urgent"});
    expect_400(&h, t, "escalation_not_allowed", "escalation").await;
}

#[tokio::test]
async fn malformed_bodies_are_400_and_wrong_types_name_the_field() {
    let h = Harness::new().await;
    let reply = h
        .send(
            Request::post("/api/tickets")
                .header("content-type", "application/json")
                .header("idempotency-key", key())
                .body(Body::from("{\"policy\":"))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error().0, "malformed");
    let mut t = ticket();
    t["fill_ms"] = json!("fast");
    expect_400(&h, t, "invalid_field", "fill_ms").await;
    let mut t = ticket();
    t["extra"] = json!(1);
    expect_400(&h, t, "invalid_field", "extra").await;
    let mut t = ticket();
    t["created_at"] = json!("yesterday");
    expect_400(&h, t, "invalid_field", "created_at").await;
}

#[tokio::test]
async fn other_content_types_are_415() {
    let h = Harness::new().await;
    let reply = h
        .send(
            Request::post("/api/tickets")
                .header("content-type", "text/plain")
                .header("idempotency-key", key())
                .body(Body::from(ticket().to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.error().0, "unsupported_media_type");
}

// ---------------------------------------------------------------- multipart, 413, 415

#[tokio::test]
async fn multipart_ticket_with_a_png_is_stored_with_its_file() {
    let h = Harness::new().await;
    let t = with_attachments(ticket(), &[("tela.png", "image/png", PNG.len())]);
    let body = t.to_string();
    let parts = [
        Part { name: "ticket", file_name: None, content_type: Some("application/json"), data: body.as_bytes() },
        Part { name: "attachments", file_name: Some("tela.png"), content_type: Some("image/png"), data: PNG },
    ];
    let k = key();
    let reply = h.send(multipart_post(&k, &parts)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    let id = reply.json()["id"].as_str().unwrap().to_string();
    // A retry builds a new FormData (new boundary): still a replay.
    let again = h.send(multipart_post(&k, &parts)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["replayed"], true);

    let detail = h.admin_get(&format!("/api/tickets/{id}")).await.json();
    assert_eq!(detail["attachments"], 1);
    assert_eq!(detail["attachment_files"][0]["name"], "tela.png");
    let file = h.admin_get(&format!("/api/tickets/{id}/attachments/0")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, PNG);
    assert_eq!(file.header("content-type"), Some("image/png"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert!(file.header("content-disposition").unwrap().starts_with("attachment"));
}

#[tokio::test]
async fn attachment_whose_bytes_are_not_its_type_is_415() {
    let h = Harness::new().await;
    let fake = b"MZ\x90\x00 this is an executable";
    let t = with_attachments(ticket(), &[("foto.png", "image/png", fake.len())]);
    let body = t.to_string();
    let parts = [
        Part { name: "ticket", file_name: None, content_type: Some("application/json"), data: body.as_bytes() },
        Part { name: "attachments", file_name: Some("foto.png"), content_type: Some("image/png"), data: fake },
    ];
    let reply = h.send(multipart_post(&key(), &parts)).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.error(), ("unsupported_type".into(), Some("attachments[0]".into())));
    assert_eq!(h.rows().await, 0);
}

#[tokio::test]
async fn attachment_of_a_type_not_allowed_is_415() {
    let h = Harness::new().await;
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>";
    let t = with_attachments(ticket(), &[("x.png", "image/png", PNG.len()), ("logo.svg", "image/svg+xml", svg.len())]);
    let body = t.to_string();
    let parts = [
        Part { name: "ticket", file_name: None, content_type: None, data: body.as_bytes() },
        Part { name: "attachments", file_name: Some("x.png"), content_type: Some("image/png"), data: PNG },
        Part { name: "attachments", file_name: Some("logo.svg"), content_type: Some("image/svg+xml"), data: svg },
    ];
    let reply = h.send(multipart_post(&key(), &parts)).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.error(), ("unsupported_type".into(), Some("attachments[1]".into())));
}

#[tokio::test]
async fn oversized_attachment_and_ticket_are_413() {
    let h = Harness::with(|c| {
        c.max_attachment_bytes = 64;
        c.max_ticket_bytes = 4096;
    })
    .await;
    let mut big = PNG.to_vec();
    big.resize(65, 0);
    let t = with_attachments(ticket(), &[("big.png", "image/png", big.len())]);
    let body = t.to_string();
    let parts = [
        Part { name: "ticket", file_name: None, content_type: Some("application/json"), data: body.as_bytes() },
        Part { name: "attachments", file_name: Some("big.png"), content_type: Some("image/png"), data: &big },
    ];
    let reply = h.send(multipart_post(&key(), &parts)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error(), ("too_large".into(), Some("attachments[0]".into())));

    let mut t = ticket();
    t["description"] = json!("x".repeat(5000));
    let reply = h.post_ticket(&key(), &t).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error().0, "too_large");
    assert_eq!(h.rows().await, 0);
}

#[tokio::test]
async fn whole_body_past_the_limit_is_413() {
    let h = Harness::with(|c| c.max_body_bytes = 2048).await;
    let big = vec![b'a'; 4096];
    let t = with_attachments(ticket(), &[("log.txt", "text/plain", big.len())]);
    let body = t.to_string();
    let parts = [
        Part { name: "ticket", file_name: None, content_type: Some("application/json"), data: body.as_bytes() },
        Part { name: "attachments", file_name: Some("log.txt"), content_type: Some("text/plain"), data: &big },
    ];
    let reply = h.send(multipart_post(&key(), &parts)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error().0, "too_large");
}

#[tokio::test]
async fn listed_and_sent_files_must_agree() {
    let h = Harness::new().await;
    let t = with_attachments(ticket(), &[("a.png", "image/png", PNG.len()), ("b.png", "image/png", PNG.len())]);
    let body = t.to_string();
    let parts = [
        Part { name: "ticket", file_name: None, content_type: Some("application/json"), data: body.as_bytes() },
        Part { name: "attachments", file_name: Some("a.png"), content_type: Some("image/png"), data: PNG },
    ];
    let reply = h.send(multipart_post(&key(), &parts)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error(), ("invalid_field".into(), Some("attachments".into())));
}

// ---------------------------------------------------------------- 429, spam

#[tokio::test]
async fn rate_limit_is_per_client_with_retry_after() {
    let h = Harness::with(|c| {
        c.rate_limit_per_minute = 2;
        c.rate_limit_burst = 2;
    })
    .await;
    let from = |ip: [u8; 4]| {
        let mut request = json_post(&key(), &ticket());
        request.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 1234))));
        request
    };
    assert_eq!(h.send(from([198, 51, 100, 1])).await.status, StatusCode::CREATED);
    assert_eq!(h.send(from([198, 51, 100, 1])).await.status, StatusCode::CREATED);
    let limited = h.send(from([198, 51, 100, 1])).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.error().0, "rate_limited");
    let retry_after: u64 = limited.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=30).contains(&retry_after), "2/min: next token within 30 s, got {retry_after}");
    assert_eq!(h.send(from([198, 51, 100, 2])).await.status, StatusCode::CREATED, "another client is not limited");
    assert_eq!(h.rows().await, 3);
}

#[tokio::test]
async fn honeypot_and_fast_fill_are_accepted_but_flagged_as_spam() {
    let h = Harness::new().await;
    let mut t = ticket();
    t["website"] = json!("http://cheap-pills.example");
    t["fill_ms"] = json!(800);
    let reply = h.post_ticket(&key(), &t).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.json()["id"].as_str().unwrap().to_string();
    let stored = h.admin_get(&format!("/api/tickets/{id}")).await.json();
    assert_eq!(stored["spam"], true);
    let flags = stored["flags"].as_array().unwrap();
    assert!(flags.contains(&json!("honeypot")) && flags.contains(&json!("too_fast")));
    let clean = h.admin_get("/api/tickets?spam=false").await.json();
    assert_eq!(clean["total"], 0);
    let spam = h.admin_get("/api/tickets?spam=true").await.json();
    assert_eq!(spam["total"], 1);
}

// ---------------------------------------------------------------- identity

async fn identity_case(identity: Option<Value>) -> Value {
    let h = Harness::with(|c| c.identity_secret = Some("owner-secret".into())).await;
    let mut t = ticket();
    t["plan"] = json!("business-plus");
    t["answers"] = json!([{"question": "situation", "answer": "question"}]);
    t["severity"] = json!("P4");
    if let Some(identity) = identity {
        t["identity"] = identity;
    }
    let reply = h.post_ticket(&key(), &t).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    h.admin_get(&format!("/api/tickets/{}", reply.json()["id"].as_str().unwrap())).await.json()
}

#[tokio::test]
async fn signed_identity_sets_the_plan() {
    let expires = (t0() + TimeDelta::hours(1)).timestamp();
    let signature = sign(b"owner-secret", "cust-9", "pro", expires);
    let stored =
        identity_case(Some(json!({"user_id": "cust-9", "plan": "pro", "expires": expires, "signature": signature})))
            .await;
    assert_eq!(stored["plan"], "pro");
    assert_eq!(stored["identity"]["status"], "verified");
    assert_eq!(stored["identity"]["user_id"], "cust-9");
    assert!(stored["flags"].as_array().unwrap().contains(&json!("plan_mismatch")), "browser said business-plus");
}

#[tokio::test]
async fn without_a_valid_identity_the_unverified_plan_is_used_and_flagged() {
    let expires = (t0() + TimeDelta::hours(1)).timestamp();
    let forged = sign(b"guessed", "cust-9", "business-plus", expires);
    let cases = [
        (None, "missing"),
        (
            Some(json!({"user_id": "cust-9", "plan": "business-plus", "expires": expires, "signature": forged})),
            "bad_signature",
        ),
        (
            Some(json!({"user_id": "cust-9", "plan": "pro", "expires": t0().timestamp() - 1,
                        "signature": sign(b"owner-secret", "cust-9", "pro", t0().timestamp() - 1)})),
            "expired",
        ),
    ];
    for (identity, problem) in cases {
        let stored = identity_case(identity).await;
        // Never the default (Business+): the policy's plan for unverified customers.
        assert_eq!(stored["plan"], "pro", "the policy's unverified plan ({problem})");
        assert_eq!(stored["identity"]["status"], "unverified");
        assert_eq!(stored["identity"]["problem"], problem);
        assert!(stored["flags"].as_array().unwrap().contains(&json!("identity_unverified")));
    }
}

// ---------------------------------------------------------------- admin API, SLA, escalation

#[tokio::test]
async fn admin_api_needs_the_token() {
    let h = Harness::new().await;
    let anonymous = h.send(Request::get("/api/tickets").body(Body::empty()).unwrap()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    let wrong =
        h.send(Request::get("/api/tickets").header("authorization", "Bearer nope").body(Body::empty()).unwrap()).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error().0, "unauthorized");
    assert_eq!(h.admin_get("/api/tickets").await.status, StatusCode::OK);

    let off = Harness::with(|c| c.admin_token = None).await;
    let reply = off
        .send(
            Request::get("/api/tickets")
                .header("authorization", format!("Bearer {ADMIN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error().0, "admin_disabled");
}

#[tokio::test]
async fn admin_reads_by_id_and_reference_and_pages() {
    let h = Harness::new().await;
    for _ in 0..3 {
        assert_eq!(h.post_ticket(&key(), &ticket()).await.status, StatusCode::CREATED);
    }
    let page = h.admin_get("/api/tickets?limit=2").await.json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["tickets"].as_array().unwrap().len(), 2);
    assert_eq!(page["tickets"][0]["reference"], "TW-000003", "newest first");
    let next = page["next_before"].as_i64().unwrap();
    let rest = h.admin_get(&format!("/api/tickets?limit=2&before={next}")).await.json();
    assert_eq!(rest["tickets"].as_array().unwrap().len(), 1);
    assert_eq!(rest["tickets"][0]["reference"], "TW-000001");
    assert_eq!(rest["next_before"], Value::Null);

    let by_reference = h.admin_get("/api/tickets/TW-000002").await;
    assert_eq!(by_reference.status, StatusCode::OK);
    let id = by_reference.json()["id"].as_str().unwrap().to_string();
    assert_eq!(h.admin_get(&format!("/api/tickets/{id}")).await.json()["reference"], "TW-000002");
    let missing = h.admin_get("/api/tickets/TW-999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(h.admin_get("/api/tickets?limit=0").await.error(), ("invalid_query".into(), Some("limit".into())));
}

#[tokio::test]
async fn sla_states_move_with_time_and_overdue_tickets_escalate() {
    let h = Harness::new().await;
    let id = h.post_ticket(&key(), &ticket()).await.json()["id"].as_str().unwrap().to_string();
    let path = format!("/api/tickets/{id}");
    // P1: first response in 30 min, resolution in 4 h.
    let fresh = h.admin_get(&path).await.json();
    assert_eq!(fresh["sla"]["first_response"]["state"], "pending");
    assert_eq!(fresh["escalated"], false);

    h.clock.set(t0() + TimeDelta::minutes(25));
    let soon = h.admin_get(&path).await.json();
    assert_eq!(soon["sla"]["first_response"]["state"], "due_soon");
    assert_eq!(soon["sla"]["resolution"]["state"], "pending");

    h.clock.set(t0() + TimeDelta::minutes(31));
    let late = h.admin_get(&path).await.json();
    assert_eq!(late["sla"]["first_response"]["state"], "overdue");
    assert_eq!(late["escalated"], true);
    assert_eq!(late["escalated_reason"], "first_response_overdue");
    assert_eq!(h.admin_get("/api/tickets?escalated=true").await.json()["total"], 1);

    let patched = h
        .send(
            Request::patch(&path)
                .header("authorization", format!("Bearer {ADMIN}"))
                .header("content-type", "application/json")
                .body(Body::from(r#"{"first_response_at":"now"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", String::from_utf8_lossy(&patched.bytes));
    assert_eq!(patched.json()["sla"]["first_response"]["state"], "breached");

    h.clock.set(t0() + TimeDelta::hours(3));
    let resolve = Request::patch(&path)
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from(r#"{"resolved_at":"2026-11-23T14:00:00-03:00"}"#))
        .unwrap();
    let resolved = h.send(resolve).await.json();
    assert_eq!(resolved["sla"]["resolution"]["state"], "met");

    let bad = Request::patch(&path)
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from(r#"{"resolved_at":"2026-11-22T00:00:00Z"}"#))
        .unwrap();
    let bad = h.send(bad).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error().1.as_deref(), Some("resolved_at"));
}

#[tokio::test]
async fn the_sweeper_escalates_without_any_request() {
    let h = Harness::with(|c| c.escalation_interval_secs = 1).await;
    h.post_ticket(&key(), &ticket()).await;
    h.clock.set(t0() + TimeDelta::hours(5));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sweeper = tokio::spawn(triage_receiver::server::escalation_sweeper(h.state.clone(), stop_rx));
    let mut escalated = false;
    for _ in 0..50 {
        let (rows, _) = h
            .state
            .db
            .list(&triage_receiver::db::ListFilter { limit: 10, escalated: Some(true), ..Default::default() })
            .await
            .unwrap();
        if !rows.is_empty() {
            escalated = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    stop_tx.send(true).unwrap();
    sweeper.await.unwrap();
    assert!(escalated, "the sweeper marks the overdue ticket on its first tick");
}

// ---------------------------------------------------------------- fault injection (issue 5's e2e)

#[tokio::test]
async fn injected_failures_come_first_then_one_ticket_is_stored() {
    let h = Harness::with(|c| c.fault_injection = true).await;
    let set = Request::post("/api/test/faults")
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from(r#"{"fail_next":3,"status":500}"#))
        .unwrap();
    assert_eq!(h.send(set).await.status, StatusCode::OK);
    let k = key();
    for _ in 0..3 {
        let reply = h.post_ticket(&k, &ticket()).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.error().0, "injected_fault");
    }
    assert_eq!(h.post_ticket(&k, &ticket()).await.status, StatusCode::CREATED);
    assert_eq!(h.post_ticket(&k, &ticket()).await.status, StatusCode::OK);
    assert_eq!(h.rows().await, 1);

    let off = Harness::new().await;
    let reply = off.send(Request::post("/api/test/faults").body(Body::from("{}")).unwrap()).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "no fault switch unless --fault-injection");
}

// ---------------------------------------------------------------- CORS

#[tokio::test]
async fn cors_preflight_only_for_allowed_origins() {
    let h = Harness::with(|c| {
        c.allowed_origins = vec!["https://shop.example".into()];
        c.allowed_headers = vec!["X-Shop-Tenant".into()];
    })
    .await;
    let preflight = |origin: &str| {
        Request::options("/api/tickets")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,idempotency-key,x-shop-tenant")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = h.send(preflight("https://shop.example")).await;
    assert!(
        allowed.status.is_success(),
        "{} {:?} {}",
        allowed.status,
        allowed.headers,
        String::from_utf8_lossy(&allowed.bytes)
    );
    assert_eq!(allowed.header("access-control-allow-origin"), Some("https://shop.example"));
    let allow_headers = allowed.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
    for name in ["content-type", "idempotency-key", "x-shop-tenant"] {
        assert!(allow_headers.contains(name), "{name} in {allow_headers}");
    }
    assert!(allowed.header("access-control-allow-methods").unwrap().contains("POST"));

    let other = h.send(preflight("https://evil.example")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);

    let mut post = json_post(&key(), &ticket());
    post.headers_mut().insert("origin", "https://shop.example".parse().unwrap());
    let reply = h.send(post).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.header("access-control-allow-origin"), Some("https://shop.example"));
    let exposed = reply.header("access-control-expose-headers").unwrap().to_ascii_lowercase();
    assert!(exposed.contains("retry-after"));
}

// ---------------------------------------------------------------- health, static, errors

#[tokio::test]
async fn healthz_reports_ok_and_policies() {
    let h = Harness::new().await;
    let reply = h.send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["policies"], json!(["impact-t1-t4", "priority-p1-p4"]));
    assert_eq!(body["database"], if common::on_postgres() { "postgres" } else { "sqlite" });
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let h = Harness::new().await;
    let missing = h.send(Request::get("/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error().0, "not_found");
    let wrong = h.send(Request::delete("/api/tickets").body(Body::empty()).unwrap()).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.error().0, "method_not_allowed");
}

#[tokio::test]
async fn static_site_has_csp_mime_types_and_cache_rules() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::create_dir_all(site.path().join("dist")).unwrap();
    std::fs::create_dir_all(site.path().join("www/policies")).unwrap();
    std::fs::write(site.path().join("dist/loader.js"), "console.log('loader')").unwrap();
    std::fs::write(site.path().join("dist/triage_widget_bg.0123abcd89.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(site.path().join("dist/triage_widget.0123abcd89.js"), "export default 1").unwrap();
    std::fs::write(site.path().join("www/policies/p.json"), "{}").unwrap();
    let root = site.path().to_path_buf();
    let h = Harness::with(move |c| c.site_root = Some(root)).await;
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();

    let index = h.send(get("/")).await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(index.header("content-security-policy"), Some(PAGE_CSP));
    assert_eq!(
        PAGE_CSP,
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
    );
    assert_eq!(index.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(index.header("cache-control"), Some("no-cache"));

    let wasm = h.send(get("/dist/triage_widget_bg.0123abcd89.wasm")).await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(wasm.header("content-security-policy"), None);
    let js = h.send(get("/dist/triage_widget.0123abcd89.js")).await;
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    let loader = h.send(get("/dist/loader.js")).await;
    assert_eq!(loader.header("cache-control"), Some("no-cache"));
    assert_eq!(loader.bytes, b"console.log('loader')");
    let policy = h.send(get("/www/policies/p.json")).await;
    assert_eq!(policy.header("content-type"), Some("application/json"));

    let missing = h.send(get("/dist/nope.js")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error().0, "not_found");
    let escape = h.send(get("/www/../index.html")).await;
    assert_ne!(escape.status, StatusCode::OK, "no path traversal");
}

// ---------------------------------------------------------------- a real socket, a restart

#[tokio::test]
async fn real_socket_serves_and_nothing_is_lost_across_a_restart() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(&dir);
    config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
    let db_path = config.db.clone();
    let state = triage_receiver::server::state_from_config(config.clone()).await.expect("state");
    let listener = tokio::net::TcpListener::bind(config.bind).await.unwrap();
    let address = listener.local_addr().unwrap();
    assert_ne!(address.port(), 0);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(triage_receiver::server::serve(listener, state, async {
        let _ = stop_rx.await;
    }));

    let body = ticket().to_string();
    let request = format!(
        "POST /api/tickets HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        key(),
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    assert!(response.contains("\"reference\":\"TW-000001\""), "{response}");

    stop_tx.send(()).unwrap();
    server.await.unwrap().expect("clean shutdown");

    let reopened = triage_receiver::db::Db::open(db_path).await.unwrap();
    assert_eq!(reopened.count().await.unwrap(), 1, "the accepted ticket survives the restart");
    reopened.close().await;
}

#[cfg(unix)]
#[tokio::test]
async fn binary_prints_its_address_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let dir = tempfile::tempdir().unwrap();
    let db = if common::on_postgres() {
        common::fresh_db(&dir).to_string_unredacted()
    } else {
        dir.path().join("new/dirs/receiver.sqlite").display().to_string()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage-receiver"))
        .args(["--bind", "127.0.0.1:0", "--db", &db])
        .arg("--policy")
        .arg(policies_dir().join("priority-p1-p4.json"))
        .env("RUST_LOG", "warn")
        .env_remove("TRIAGE_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let address =
        line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("got {line:?}")).to_string();
    assert!(!address.ends_with(":0"));

    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "SIGTERM is a clean shutdown, got {exit}");
    if !common::on_postgres() {
        assert!(dir.path().join("new/dirs/receiver.sqlite").exists());
    }
}
