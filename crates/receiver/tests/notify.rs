//! Notifications end to end against real servers: signed webhooks checked by `standardwebhooks`,
//! Slack-style chat bodies, SMTP messages, retries, the outbox across a SIGKILL, escalations once.

mod common;
mod notify_sinks;

use chrono::Duration as Span;
use common::*;
use notify_sinks::*;
use serde_json::Value;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use triage_receiver::config::Config;
use triage_receiver::notify::Settings;
use triage_receiver::{app, AppState, Clock};

/// A receiver serving on a free port with its worker running, on a manual clock.
struct Running {
    state: AppState,
    router: axum::Router,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

fn settings(toml: &str) -> Settings {
    Settings::parse(toml, |name| match name {
        "HOOK_SECRET" => Some(SECRET.to_string()),
        _ => None,
    })
    .unwrap_or_else(|e| panic!("test config is valid: {e}"))
}

/// Fast retries so a test sees five failures in well under a second.
const FAST: &str = "[delivery]\ninitial_backoff_ms = 10\nmax_backoff_secs = 1\npoll_interval_ms = 50\nattempt_timeout_secs = 5\n";

impl Running {
    async fn start(config: Config, toml: &str, clock: Clock) -> Self {
        let state = triage_receiver::server::build_state(config, Some(settings(toml)), clock).await.expect("state");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (stop, stopped) = oneshot::channel::<()>();
        let served = state.clone();
        let server = tokio::spawn(async move {
            triage_receiver::server::serve(listener, served, async move {
                let _ = stopped.await;
            })
            .await
            .expect("serves");
        });
        let router = app(state.clone());
        Self { state, router, stop: Some(stop), server: Some(server) }
    }

    async fn post(&self, ticket: &Value) -> Value {
        let reply = send(&self.router, json_post(&key(), ticket)).await;
        assert_eq!(reply.status, 201, "{}", String::from_utf8_lossy(&reply.bytes));
        reply.json()
    }

    async fn admin_get(&self, path: &str) -> Value {
        let request = axum::http::Request::get(path)
            .header("authorization", format!("Bearer {ADMIN}"))
            .body(axum::body::Body::empty())
            .expect("request");
        let reply = send(&self.router, request).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.bytes));
        reply.json()
    }

    /// The `/admin` ticket page, signed in with the admin token like an agent.
    async fn ticket_page(&self, reference: &str) -> String {
        let host = "127.0.0.1:8080";
        let sign_in = axum::http::Request::post("/admin/sign-in")
            .header("host", host)
            .header("origin", format!("http://{host}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(format!("token={ADMIN}&next=%2Fadmin")))
            .expect("request");
        let reply = send(&self.router, sign_in).await;
        assert_eq!(reply.status, 303, "{}", String::from_utf8_lossy(&reply.bytes));
        let cookie = reply.header("set-cookie").expect("a session cookie").split(';').next().unwrap_or("").to_string();
        let request = axum::http::Request::get(format!("/admin/tickets/{reference}"))
            .header("host", host)
            .header("cookie", cookie)
            .body(axum::body::Body::empty())
            .expect("request");
        let reply = send(&self.router, request).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.bytes));
        String::from_utf8_lossy(&reply.bytes).into_owned()
    }

    async fn deliveries(&self, reference: &str) -> Vec<Value> {
        self.admin_get(&format!("/api/tickets/{reference}/deliveries")).await["deliveries"]
            .as_array()
            .expect("list")
            .clone()
    }

    async fn wait_delivered(&self, reference: &str, count: usize) -> Vec<Value> {
        for _ in 0..1200 {
            let list = self.deliveries(reference).await;
            if list.iter().filter(|d| d["state"] != "pending").count() >= count {
                return list;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("deliveries of {reference} did not finish: {:?}", self.deliveries(reference).await);
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task");
        }
    }
}

fn test_config(dir: &TempDir) -> Config {
    config(dir)
}

#[tokio::test]
async fn webhooks_are_signed_and_chat_gets_one_readable_line() {
    let sink = HttpSink::start().await;
    let toml = format!(
        "ticket_url = \"https://help.example/tickets/{{reference}}\"\ntime_zone = \"America/Sao_Paulo\"\n{FAST}\
         [[webhook]]\nname = \"ops\"\nurl = \"{}\"\nsecret_env = \"HOOK_SECRET\"\nevents = [\"ticket.created\"]\n\
         [[chat]]\nname = \"slack\"\nurl = \"{}\"\nevents = [\"ticket.created\"]\n",
        sink.url("/hook"),
        sink.url("/chat")
    );
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(test_config(&dir), &toml, Clock::manual(t0())).await;
    let receipt = running.post(&ticket()).await;
    let reference = receipt["reference"].as_str().unwrap().to_string();
    running.wait_delivered(&reference, 2).await;

    let hooks = sink.received("/hook");
    assert_eq!(hooks.len(), 1);
    let hook = &hooks[0];
    assert!(hook.signature_ok, "standardwebhooks verifies the signature");
    let event = hook.json();
    assert_eq!(hook.header("webhook-id"), event["id"].as_str().unwrap());
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["type"], "ticket.created");
    check_event_schema(&event);
    let t = &event["data"]["ticket"];
    assert_eq!(t["reference"], reference.as_str());
    assert_eq!(t["severity"], "P1");
    assert_eq!(t["policy"]["id"], "priority-p1-p4");
    assert_eq!(t["contact"]["email"], "ana@example.com.br");
    assert_eq!(t["url"], format!("https://help.example/tickets/{reference}"));
    assert_eq!(t["due"]["first_response"]["due"], receipt["due"]["first_response"]["due"]);
    assert_eq!(t["due"]["first_response"]["state"], "pending");

    // A tampered body fails the same verifier (the check above can fail).
    let mut tampered = hook.body.clone();
    tampered[0] = b' ';
    assert!(standardwebhooks::Webhook::new(SECRET).unwrap().verify(&tampered, &hook.headers).is_err());

    let chats = sink.received("/chat");
    assert_eq!(chats.len(), 1);
    let chat = chats[0].json();
    let text = chat["text"].as_str().unwrap();
    // 12:00 in São Paulo; business-plus P1 first response within 30 min → 12:30 local.
    assert_eq!(text, format!("[P1] {reference} · Painel fora do ar · first response by 12:30 (in 30 min)"));
    let blocks = chat["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "section");
    assert_eq!(blocks[0]["text"]["type"], "mrkdwn");
    assert_eq!(blocks[0]["text"]["text"], text);
    assert!(blocks.iter().any(|b| b["type"] == "actions"), "a button opens the ticket");
    running.stop().await;
}

#[tokio::test]
async fn a_target_that_fails_five_times_gets_the_event_once_with_the_same_id() {
    let sink = HttpSink::start().await;
    sink.fail_next(5);
    let toml = format!(
        "{FAST}[[webhook]]\nname = \"ops\"\nurl = \"{}\"\nsecret_env = \"HOOK_SECRET\"\nevents = [\"ticket.created\"]\n\
         [[webhook]]\nname = \"gone\"\nurl = \"{}\"\nsecret_env = \"HOOK_SECRET\"\nevents = [\"ticket.created\"]\n",
        sink.url("/hook"),
        sink.url("/gone")
    );
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(test_config(&dir), &toml, Clock::manual(t0())).await;
    // The 503s go to whichever target asks first: wait for the first hook to be delivered.
    let reference = running.post(&ticket()).await["reference"].as_str().unwrap().to_string();
    let deliveries = running.wait_delivered(&reference, 2).await;
    let ops = deliveries.iter().find(|d| d["target"] == "ops").unwrap();
    let gone = deliveries.iter().find(|d| d["target"] == "gone").unwrap();
    assert_eq!(ops["state"], "delivered");
    assert_eq!(gone["state"], "failed", "a 410 ends the delivery: {gone}");
    assert!(gone["last_error"].as_str().unwrap().contains("HTTP 410"), "{gone}");
    assert!(gone["next_attempt_at"].is_null());

    let hooks = sink.received("/hook");
    let gones = sink.received("/gone");
    assert_eq!(hooks.len() as i64, ops["attempts"].as_i64().unwrap());
    assert_eq!(hooks.len() + gones.len(), 5 + 2, "five 503s, then one acceptance per target");
    assert_eq!(hooks.iter().filter(|h| h.answered == 204).count(), 1, "accepted exactly once");
    let id = hooks[0].header("webhook-id");
    assert!(hooks.iter().all(|h| h.header("webhook-id") == id && h.signature_ok), "same id, signed, every attempt");
    assert_eq!(ops["event_id"], id.as_str());

    // Nothing more is sent once delivered.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.received("/hook").len(), hooks.len());

    // Redeliver on request: same event id again.
    let request = axum::http::Request::post(format!("/api/deliveries/{}/redeliver", ops["id"]))
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(send(&running.router, request).await.status, 202);
    wait_until("the redelivery", || sink.received("/hook").len() == hooks.len() + 1).await;
    assert_eq!(sink.received("/hook").last().unwrap().header("webhook-id"), id);
    let all = running.admin_get("/api/deliveries?state=failed").await;
    assert_eq!(all["deliveries"].as_array().unwrap().len(), 1);

    // The agents' ticket page lists the same deliveries, in words.
    let page = running.ticket_page(&reference).await;
    let section = &page[page.find("id=\"h-notifications\"").expect("a notifications section")..];
    assert!(section.contains("<code>ticket.created</code>") && section.contains(">ops<"), "{section}");
    assert!(section.contains("delivered") && section.contains("refused by the target"), "{section}");
    assert!(section.contains("HTTP 410"), "the refusal's answer is shown: {section}");
    running.stop().await;
}

#[tokio::test]
async fn email_threads_per_ticket_and_each_target_escalates_once() {
    let smtp = SmtpSink::start().await;
    let toml = format!(
        "time_zone = \"America/Sao_Paulo\"\n{FAST}[[email]]\nname = \"helpdesk\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"plain\"\n\
         from = \"Triage <triage@shop.example>\"\nto = [\"support@helpdesk.example\"]\nmax_attachment_bytes = 100\n\
         events = [\"ticket.created\", \"ticket.escalated\"]\n",
        smtp.port
    );
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::manual(t0());
    let config = test_config(&dir);
    let running = Running::start(config.clone(), &toml, clock.clone()).await;

    let mut big = PNG.to_vec();
    big.resize(200, 0);
    let t = with_attachments(ticket(), &[("tela.png", "image/png", PNG.len()), ("big.png", "image/png", big.len())]);
    let body = t.to_string();
    let parts = [
        Part { name: "ticket", file_name: None, content_type: Some("application/json"), data: body.as_bytes() },
        Part { name: "attachments", file_name: Some("tela.png"), content_type: Some("image/png"), data: PNG },
        Part { name: "attachments", file_name: Some("big.png"), content_type: Some("image/png"), data: &big },
    ];
    let reply = send(&running.router, multipart_post(&key(), &parts)).await;
    assert_eq!(reply.status, 201, "{}", String::from_utf8_lossy(&reply.bytes));
    let receipt = reply.json();
    let (id, reference) = (receipt["id"].as_str().unwrap().to_string(), receipt["reference"].as_str().unwrap().to_string());
    wait_until("the created mail", || smtp.mails().len() == 1).await;
    let mail = &smtp.mails()[0];
    assert_eq!(mail.to, vec!["<support@helpdesk.example>"]);
    assert_eq!(mail.header("Subject").unwrap(), format!("[P1] {reference}: Painel fora do ar"));
    assert!(mail.header("Reply-To").unwrap().contains("ana@example.com.br"));
    let thread = format!("<ticket-{id}@shop.example>");
    assert_eq!(mail.header("Message-ID").unwrap(), thread);
    assert!(mail.header("In-Reply-To").is_none());
    assert!(mail.data.contains("multipart/alternative") && mail.data.contains("text/html"));
    assert!(mail.data.contains("Definition:"), "severity definition in the text body");
    assert!(mail.data.contains("2026-11-23 12:30 America/Sao_Paulo"), "due time in the team's zone");
    assert!(mail.data.contains("Desde as 11h"), "description");
    assert!(mail.data.contains("filename=\"tela.png\"") || mail.data.contains("filename=tela.png"), "attachment included");
    assert!(mail.data.contains("big.png (200 bytes)"), "the one over the limit is named, not attached");

    // Past the first response's due time: the sweep escalates, however often it runs.
    clock.set(t0() + Span::minutes(31));
    for _ in 0..5 {
        triage_receiver::admin::escalate_overdue(&running.state).await.unwrap();
    }
    wait_until("the escalation mail", || smtp.mails().len() == 2).await;
    let escalated = &smtp.mails()[1];
    assert_eq!(escalated.header("Subject").unwrap(), format!("Re: [P1] {reference}: Painel fora do ar"));
    assert_eq!(escalated.header("In-Reply-To").unwrap(), thread);
    assert_eq!(escalated.header("References").unwrap(), thread);
    assert!(escalated.data.contains("ESCALATED: first response overdue"));
    running.stop().await;

    // After a restart, more sweeps still send nothing new; the resolution target escalates once.
    let running = Running::start(config, &toml, clock.clone()).await;
    for _ in 0..3 {
        triage_receiver::admin::escalate_overdue(&running.state).await.unwrap();
    }
    clock.set(t0() + Span::days(3));
    for _ in 0..3 {
        triage_receiver::admin::escalate_overdue(&running.state).await.unwrap();
    }
    wait_until("the resolution escalation", || smtp.mails().len() == 3).await;
    let seq = running.state.db.get(&reference).await.unwrap().unwrap().seq;
    let events: Vec<Value> =
        running.state.db.events_of(seq).await.unwrap().iter().map(|e| serde_json::from_str(e).unwrap()).collect();
    let kinds: Vec<(String, String)> = events
        .iter()
        .map(|e| (e["type"].as_str().unwrap().to_string(), e["data"]["target"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("ticket.created".into(), "".into()),
            ("ticket.escalated".into(), "first_response".into()),
            ("ticket.escalated".into(), "resolution".into()),
        ]
    );
    running.stop().await;
}

#[tokio::test]
async fn progress_and_due_soon_are_events_too() {
    let sink = HttpSink::start().await;
    let toml = format!(
        "{FAST}[[webhook]]\nname = \"ops\"\nurl = \"{}\"\nsecret_env = \"HOOK_SECRET\"\n\
         events = [\"ticket.due_soon\", \"ticket.updated\", \"ticket.escalation_requested\"]\n",
        sink.url("/hook")
    );
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::manual(t0());
    let running = Running::start(test_config(&dir), &toml, clock.clone()).await;
    let mut t = ticket();
    t["answers"] = serde_json::json!([
        {"question": "situation", "answer": "not_working"},
        {"question": "impact", "answer": "usable"},
        {"question": "workaround_minor", "answer": "short_term"}
    ]);
    t["severity"] = serde_json::json!("P3");
    t["escalation"] = serde_json::json!({"severity": "P2", "reason": "Black Friday: every hour costs sales"});
    let reference = running.post(&t).await["reference"].as_str().unwrap().to_string();
    wait_until("escalation request", || sink.received("/hook").len() == 1).await;
    assert_eq!(sink.received("/hook")[0].json()["type"], "ticket.escalation_requested");

    // Read the due time and move to just inside its last quarter.
    let detail = running.admin_get(&format!("/api/tickets/{reference}")).await;
    let due = chrono::DateTime::parse_from_rfc3339(detail["sla"]["first_response"]["due"].as_str().unwrap()).unwrap();
    let total = due.with_timezone(&chrono::Utc) - t0();
    clock.set(t0() + total * 4 / 5);
    for _ in 0..3 {
        triage_receiver::admin::escalate_overdue(&running.state).await.unwrap();
    }
    wait_until("due soon", || sink.received("/hook").len() == 2).await;
    let soon = sink.received("/hook")[1].json();
    assert_eq!(soon["type"], "ticket.due_soon");
    assert_eq!(soon["data"]["target"], "first_response");
    assert_eq!(soon["data"]["ticket"]["due"]["first_response"]["state"], "due_soon");

    let request = axum::http::Request::patch(format!("/api/tickets/{reference}"))
        .header("authorization", format!("Bearer {ADMIN}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(serde_json::json!({"first_response_at": clock.now().to_rfc3339()}).to_string()))
        .unwrap();
    assert_eq!(send(&running.router, request).await.status, 200);
    wait_until("updated", || sink.received("/hook").len() == 3).await;
    let updated = sink.received("/hook")[2].json();
    assert_eq!(updated["type"], "ticket.updated");
    assert_eq!(updated["data"]["changes"], serde_json::json!(["first_response"]));
    assert_eq!(updated["data"]["ticket"]["due"]["first_response"]["state"], "met");
    for hook in sink.received("/hook") {
        check_event_schema(&hook.json());
    }
    running.stop().await;
}

#[tokio::test]
async fn filters_choose_policies_severities_and_leave_spam_out() {
    let sink = HttpSink::start().await;
    let toml = format!(
        "{FAST}[[webhook]]\nname = \"p1-only\"\nurl = \"{}\"\nsecret_env = \"HOOK_SECRET\"\nevents = [\"ticket.created\"]\n\
         policies = [\"priority-p1-p4\"]\nseverities = [\"P1\"]\n",
        sink.url("/hook")
    );
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(test_config(&dir), &toml, Clock::manual(t0())).await;
    let other = running.post(&impact_ticket()).await["reference"].as_str().unwrap().to_string();
    let mut spam = ticket();
    spam["fill_ms"] = serde_json::json!(100);
    let spam_ref = running.post(&spam).await["reference"].as_str().unwrap().to_string();
    let p1 = running.post(&ticket()).await["reference"].as_str().unwrap().to_string();
    running.wait_delivered(&p1, 1).await;
    assert!(running.deliveries(&other).await.is_empty(), "another policy");
    assert!(running.deliveries(&spam_ref).await.is_empty(), "spam is left out unless asked for");
    assert_eq!(sink.received("/hook").len(), 1);
    running.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn a_ticket_committed_before_a_sigkill_is_delivered_once_after_the_restart() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let sink = HttpSink::start().await;
    sink.fail_next(u32::MAX);
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("triage.toml");
    std::fs::write(
        &config_path,
        format!(
            "{FAST}[[webhook]]\nname = \"ops\"\nurl = \"{}\"\nsecret_env = \"HOOK_SECRET\"\nevents = [\"ticket.created\"]\n",
            sink.url("/hook")
        ),
    )
    .unwrap();
    let db = fresh_db(&dir).to_string_unredacted();
    let start = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_triage-receiver"))
            .args(["--bind", "127.0.0.1:0", "--rate-limit-per-minute", "0", "--admin-token", ADMIN, "--db"])
            .arg(&db)
            .arg("--config")
            .arg(&config_path)
            .arg("--policy")
            .arg(policies_dir().join("priority-p1-p4.json"))
            .env("HOOK_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line:?}")).to_string();
        (child, address)
    };
    let http = reqwest::Client::new();
    let (mut child, address) = start();
    let response = http
        .post(format!("http://{address}/api/tickets"))
        .header("content-type", "application/json")
        .header("idempotency-key", key())
        .body(ticket().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    // The target refuses while the receiver runs, so nothing is delivered before the kill.
    wait_until("a refused attempt", || !sink.received("/hook").is_empty()).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let refused = sink.received("/hook").len();
    assert!(sink.received("/hook").iter().all(|r| r.answered == 503));

    sink.fail_next(0);
    let (mut child, _address) = start();
    wait_until("delivery after the restart", || sink.received("/hook").iter().any(|r| r.answered == 204)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let hooks = sink.received("/hook");
    assert_eq!(hooks.iter().filter(|r| r.answered == 204).count(), 1, "delivered once");
    assert!(hooks.len() > refused);
    let id = hooks[0].header("webhook-id");
    assert!(hooks.iter().all(|r| r.header("webhook-id") == id), "one event id across the crash");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_bad_config_file_stops_the_binary_with_the_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("triage.toml");
    std::fs::write(&path, "[[webhook]]\nname = \"ops\"\nurl = \"https://hooks.example/t\"\nsecret_env = \"TRIAGE_TEST_UNSET_SECRET\"\nevents = [\"ticket.created\"]\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_triage-receiver"))
        .args(["--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("db.sqlite"))
        .arg("--config")
        .arg(&path)
        .arg("--policy")
        .arg(policies_dir().join("priority-p1-p4.json"))
        .env_remove("TRIAGE_TEST_UNSET_SECRET")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("webhook[0] (ops).secret_env") && stderr.contains("TRIAGE_TEST_UNSET_SECRET"), "{stderr}");
}
