//! The agents' pages under `/admin` through the router: sign-in (right, wrong, cross-site), CSRF on
//! every action, ordering by next due time, filters and search, both actions changing the SLA
//! state, hostile strings rendered as text, and the queue query using its index.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::TimeDelta;
use common::*;
use serde_json::{json, Value};
use triage_receiver::db::queue::{QueueFilter, QueueState};

const HOST: &str = "127.0.0.1:8080";

async fn sign_in(h: &Harness) -> String {
    let reply = h
        .send(
            Request::post("/admin/sign-in")
                .header("host", HOST)
                .header("origin", format!("http://{HOST}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("token={ADMIN}&next=%2Fadmin")))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", String::from_utf8_lossy(&reply.bytes));
    assert_eq!(reply.header("location"), Some("/admin"));
    let cookie = reply.header("set-cookie").expect("a session cookie").to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http: no Secure flag ({cookie})");
    cookie.split(';').next().unwrap().to_string()
}

async fn page(h: &Harness, cookie: &str, path: &str) -> (StatusCode, String) {
    let reply = h.send(Request::get(path).header("host", HOST).header("cookie", cookie).body(Body::empty()).unwrap()).await;
    if reply.status == StatusCode::OK {
        let csp = reply.header("content-security-policy").unwrap_or("");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    }
    (reply.status, String::from_utf8_lossy(&reply.bytes).into_owned())
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

async fn post_form(h: &Harness, cookie: &str, path: &str, body: &str, origin: &str) -> (StatusCode, Option<String>, String) {
    let reply = h
        .send(
            Request::post(path)
                .header("host", HOST)
                .header("origin", origin)
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    (reply.status, reply.header("location").map(String::from), String::from_utf8_lossy(&reply.bytes).into_owned())
}

async fn store(h: &Harness, ticket: Value) -> String {
    let reply = h.post_ticket(&key(), &ticket).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    reply.json()["reference"].as_str().unwrap().to_string()
}

fn p4(subject: &str, email: &str) -> Value {
    let mut t = ticket();
    t["severity"] = json!("P4");
    t["answers"] = json!([{"question": "situation", "answer": "question"}]);
    t["subject"] = json!(subject);
    t["contact"]["email"] = json!(email);
    t
}

#[tokio::test]
async fn pages_need_a_session_and_the_right_token() {
    let h = Harness::new().await;
    let reply = h.send(Request::get("/admin?state=overdue").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header("location"), Some("/admin/sign-in?next=%2Fadmin%3Fstate%3Doverdue"));

    let wrong = h
        .send(
            Request::post("/admin/sign-in")
                .header("host", HOST)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("token=guess&next=%2Fadmin"))
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.header("set-cookie").is_none());
    assert!(String::from_utf8_lossy(&wrong.bytes).contains("role=\"alert\""));

    let cross_site = h
        .send(
            Request::post("/admin/sign-in")
                .header("host", HOST)
                .header("origin", "https://evil.example")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("token={ADMIN}")))
                .unwrap(),
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert!(cross_site.header("set-cookie").is_none());

    let cookie = sign_in(&h).await;
    let (status, html) = page(&h, &cookie, "/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"queue-rows\""));
    // A forged cookie is no session.
    let (status, _) = page(&h, "tw_admin=9999999999.abc.def", "/admin").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn without_an_admin_token_the_pages_are_off() {
    let h = Harness::with(|c| c.admin_token = None).await;
    let reply = h.send(Request::get("/admin").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(String::from_utf8_lossy(&reply.bytes).contains("--admin-token"));
}

#[tokio::test]
async fn the_queue_is_ordered_by_next_due_time_and_filters() {
    let h = Harness::new().await;
    let low = store(&h, p4("low one", "carla@example.com")).await;
    let urgent = store(&h, ticket()).await;
    let impact = store(&h, impact_ticket()).await;
    let cookie = sign_in(&h).await;
    let (_, html) = page(&h, &cookie, "/admin").await;
    let at = |reference: &str| html.find(&format!(">{reference}</a>")).unwrap_or_else(|| panic!("{reference} listed"));
    // P1 business-plus first response is due before the T2 chat and the P4.
    let mut order = [(at(&urgent), &urgent), (at(&impact), &impact), (at(&low), &low)];
    order.sort();
    let page_order: Vec<&String> = order.iter().map(|(_, r)| *r).collect();
    let filter = QueueFilter { limit: 10, ..Default::default() };
    let db_order: Vec<String> = h
        .state
        .db
        .queue(&filter, h.clock.now(), 25)
        .await
        .unwrap()
        .rows
        .iter()
        .map(|(row, _)| row.reference.clone().unwrap())
        .collect();
    assert_eq!(page_order.iter().map(|r| r.as_str()).collect::<Vec<_>>(), db_order);
    let dues: Vec<i64> = h.state.db.queue(&filter, h.clock.now(), 25).await.unwrap().rows.iter().map(|(_, d)| *d).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");

    let (_, only_p4) = page(&h, &cookie, "/admin?severity=P4").await;
    assert!(only_p4.contains(&low) && !only_p4.contains(&format!(">{urgent}<")));
    let (_, by_email) = page(&h, &cookie, "/admin?q=CARLA%40example.com").await;
    assert!(by_email.contains(&low) && !by_email.contains(&format!(">{impact}<")));
    let (_, by_reference) = page(&h, &cookie, &format!("/admin?q={}", impact.to_lowercase())).await;
    assert!(by_reference.contains(&format!(">{impact}<")) && !by_reference.contains(&format!(">{low}<")));
    let (_, by_policy) = page(&h, &cookie, "/admin?policy=impact-t1-t4").await;
    assert!(by_policy.contains(&format!(">{impact}<")) && !by_policy.contains(&format!(">{urgent}<")));

    // Later, past the P1's first-response due time: overdue, escalated, counted in the title.
    h.clock.set(h.clock.now() + TimeDelta::days(3));
    let (status, _) = page(&h, &cookie, "/admin").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the 12-hour session has expired");
    let cookie = sign_in(&h).await;
    // The background sweeper's run (the pages themselves never write).
    triage_receiver::admin::escalate_overdue(&h.state).await.expect("sweep");
    let (_, overdue) = page(&h, &cookie, "/admin?state=overdue").await;
    assert!(overdue.contains(&format!(">{urgent}<")), "{overdue}");
    let title = overdue.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or("");
    assert!(title.starts_with("(3 overdue)"), "title: {title}");
    assert!(overdue.contains("mark-escalated"));
}

#[tokio::test]
async fn spam_is_hidden_unless_asked_for() {
    let h = Harness::new().await;
    let mut spam = p4("buy now", "bot@example.com");
    spam["fill_ms"] = json!(100);
    let reference = store(&h, spam).await;
    let cookie = sign_in(&h).await;
    let (_, html) = page(&h, &cookie, "/admin").await;
    assert!(!html.contains(&format!(">{reference}<")));
    let (_, html) = page(&h, &cookie, "/admin?spam=1").await;
    assert!(html.contains(&format!(">{reference}<")) && html.contains("mark-spam"));
}

#[tokio::test]
async fn both_actions_need_csrf_and_change_the_sla_state() {
    let h = Harness::new().await;
    let reference = store(&h, ticket()).await;
    let cookie = sign_in(&h).await;
    let (_, ticket_html) = page(&h, &cookie, &format!("/admin/tickets/{reference}")).await;
    assert!(ticket_html.contains(&format!("/admin/tickets/{reference}/confirm/first-response")));
    let (status, confirm) = page(&h, &cookie, &format!("/admin/tickets/{reference}/confirm/first-response")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&confirm);
    let action = format!("/admin/tickets/{reference}/progress/first-response");

    let (status, _, _) = post_form(&h, &cookie, &action, "csrf=wrong", &format!("http://{HOST}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong CSRF token is refused");
    let (status, _, _) = post_form(&h, &cookie, &action, "", &format!("http://{HOST}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a missing CSRF token is refused");
    let (status, _, _) = post_form(&h, &cookie, &action, &format!("csrf={csrf}"), "https://evil.example").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another origin is refused");
    let detail = h.admin_get(&format!("/api/tickets/{reference}")).await.json();
    assert_eq!(detail["sla"]["first_response"]["state"], "pending", "nothing recorded by refused forms");

    h.clock.set(h.clock.now() + TimeDelta::minutes(10));
    let (status, location, _) = post_form(&h, &cookie, &action, &format!("csrf={csrf}"), &format!("http://{HOST}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(format!("/admin/tickets/{reference}?recorded=first-response").as_str()));
    let detail = h.admin_get(&format!("/api/tickets/{reference}")).await.json();
    assert_eq!(detail["sla"]["first_response"]["state"], "met");
    let (_, after) = page(&h, &cookie, location.as_deref().unwrap()).await;
    assert!(after.contains("id=\"recorded\""), "the time recorded is shown");
    assert!(after.contains("2026-11-23 15:10 UTC"), "recorded at the receiver's clock");
    assert!(!after.contains("/confirm/first-response"), "no second first response");

    let resolve = format!("/admin/tickets/{reference}/progress/resolved");
    let (status, _, _) = post_form(&h, &cookie, &resolve, &format!("csrf={csrf}"), &format!("http://{HOST}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let detail = h.admin_get(&format!("/api/tickets/{reference}")).await.json();
    assert_eq!(detail["sla"]["resolution"]["state"], "met");
    let (_, queue) = page(&h, &cookie, "/admin").await;
    assert!(!queue.contains(&format!(">{reference}<")), "resolved tickets leave the queue");

    // Signing out needs the token too, and clears the cookie.
    let (status, _, _) = post_form(&h, &cookie, "/admin/sign-out", "csrf=nope", &format!("http://{HOST}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let reply = h
        .send(
            Request::post("/admin/sign-out")
                .header("host", HOST)
                .header("cookie", &cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("set-cookie").unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn hostile_subjects_and_file_names_are_text() {
    let h = Harness::new().await;
    let hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    let mut t = with_attachments(ticket(), &[("\"><svg onload=alert(3)>.png", "image/png", PNG.len())]);
    t["subject"] = json!(hostile);
    t["contact"]["name"] = json!("</td><b>Mallory</b>");
    t["description"] = json!("<a href=javascript:alert(4)>x</a>");
    let body = t.to_string();
    let parts = [
        Part { name: "ticket", file_name: None, content_type: Some("application/json"), data: body.as_bytes() },
        Part { name: "attachments", file_name: Some("x.png"), content_type: Some("image/png"), data: PNG },
    ];
    let reply = h.send(multipart_post(&key(), &parts)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.bytes));
    let reference = reply.json()["reference"].as_str().unwrap().to_string();
    let cookie = sign_in(&h).await;
    for path in ["/admin".to_string(), format!("/admin/tickets/{reference}")] {
        let (_, html) = page(&h, &cookie, &path).await;
        for raw in ["<img src=x", "<script>alert", "<b>Mallory", "<svg", "<a href=javascript"] {
            assert!(!html.contains(raw), "{path} contains raw `{raw}`");
        }
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{path} shows the subject as text");
    }
    let (_, html) = page(&h, &cookie, &format!("/admin/tickets/{reference}")).await;
    assert!(html.contains("&gt;&lt;svg onload=alert(3)&gt;.png"), "the stored name (quotes dropped) as text");
    assert!(!html.contains("h-notifications"), "no notifications log when the receiver sends none");
    let file = h
        .send(
            Request::get(format!("/admin/tickets/{reference}/attachments/0"))
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, PNG);
    let disposition = file.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment; filename=\"><svg"), "{disposition}");
    assert_eq!(file.header("content-security-policy"), Some("default-src 'none'; sandbox"));
}

#[tokio::test]
async fn the_language_follows_the_browser_and_the_switch() {
    let h = Harness::new().await;
    let cookie = sign_in(&h).await;
    let reply = h
        .send(Request::get("/admin").header("cookie", &cookie).header("accept-language", "pt-BR,pt;q=0.9").body(Body::empty()).unwrap())
        .await;
    let html = String::from_utf8_lossy(&reply.bytes);
    assert!(html.contains("<html lang=\"pt-BR\">") && html.contains("Chamados abertos"));
    let switch = h.send(Request::get("/admin/lang?to=es&back=%2Fadmin").body(Body::empty()).unwrap()).await;
    assert_eq!(switch.header("location"), Some("/admin"));
    let lang_cookie = switch.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let reply = h
        .send(Request::get("/admin").header("cookie", format!("{cookie}; {lang_cookie}")).body(Body::empty()).unwrap())
        .await;
    assert!(String::from_utf8_lossy(&reply.bytes).contains("<html lang=\"es\">"));
    let away = h.send(Request::get("/admin/lang?to=en&back=https%3A%2F%2Fevil.example").body(Body::empty()).unwrap()).await;
    assert_eq!(away.header("location"), Some("/admin"));
}

#[tokio::test]
async fn the_first_page_is_read_through_the_queue_index() {
    let h = Harness::new().await;
    let plan = h.state.db.queue_plan().await.unwrap().join(" | ");
    assert!(plan.contains("tickets_queue_next_due"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "no sort step: {plan}");
    let filter = QueueFilter { state: Some(QueueState::Overdue), limit: 5, ..Default::default() };
    assert!(h.state.db.queue(&filter, h.clock.now(), 25).await.unwrap().rows.is_empty());
}
