//! Several receiver processes on one PostgreSQL: duplicate keys across instances, both sweeping,
//! one SIGKILLed under load, and the database itself stopped and started again under load.
//!
//! Needs a PostgreSQL server: `cargo xtask test native` starts one (`TRIAGE_TEST_POSTGRES_URL`);
//! the database-restart test starts a server of its own with the same programs.

mod common;
mod notify_sinks;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::pg::{self, PgServer};
use common::{policies_dir, ticket, ADMIN};
use notify_sinks::{wait_until, HttpSink, SECRET};
use serde_json::Value;

/// A `triage-receiver` process.
struct Instance {
    child: Child,
    url: String,
}

impl Instance {
    fn start(db: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_triage-receiver"))
            .args(["--bind", "127.0.0.1:0", "--rate-limit-per-minute", "0", "--admin-token", ADMIN, "--db", db])
            .arg("--policy")
            .arg(policies_dir().join("priority-p1-p4.json"))
            .args(extra)
            .env("HOOK_SECRET", SECRET)
            .env("RUST_LOG", "error,tower_http=off")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the receiver binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
        let address = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("got {line:?}"));
        Self { url: format!("http://{address}"), child }
    }

    /// SIGKILL: no shutdown, no flush, in-flight requests cut.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a POST came back with: a status and the receipt's reference, or no answer at all.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Status(u16, Option<String>),
    NoAnswer(String),
}

async fn post(http: &reqwest::Client, base: &str, key: &str, body: &str) -> Answer {
    let sent = http
        .post(format!("{base}/api/tickets"))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(body.to_string())
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            let bytes = response.bytes().await.unwrap_or_default();
            let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            Answer::Status(status, json["reference"].as_str().map(String::from))
        }
        Err(error) => Answer::NoAnswer(error.to_string()),
    }
}

/// Posts until the ticket is acknowledged (201 or a 200 replay), honouring 503s as the widget does;
/// returns every answer on the way. Panics on a 500 or on anything else unexpected.
async fn post_until_acknowledged(http: &reqwest::Client, bases: &[String], key: &str, body: &str) -> Vec<Answer> {
    let mut answers = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    for attempt in 0.. {
        let base = &bases[attempt % bases.len()];
        let answer = post(http, base, key, body).await;
        answers.push(answer.clone());
        match answer {
            Answer::Status(201 | 200, _) => return answers,
            Answer::Status(503, _) | Answer::NoAnswer(_) => {}
            Answer::Status(status, _) => panic!("key {key}: unexpected {status} ({answers:?})"),
        }
        assert!(Instant::now() < deadline, "key {key} never acknowledged: {answers:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    unreachable!()
}

/// Every stored (key → reference) on the database at `url`, and the number of rows.
async fn stored(url: &str) -> HashMap<String, String> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let rows = sqlx::query("SELECT idempotency_key, reference, seq FROM tickets WHERE receipt IS NOT NULL ORDER BY seq")
        .fetch_all(&mut conn)
        .await
        .expect("tickets");
    let mut by_key = HashMap::new();
    let mut last_seq = 0;
    for row in &rows {
        let key: String = row.get(0);
        let reference: String = row.get(1);
        let seq: i64 = row.get(2);
        assert!(seq > last_seq, "sequence numbers increase");
        assert_eq!(reference, triage_receiver::db::reference_for(seq), "the reference is the row's sequence number");
        last_seq = seq;
        assert!(by_key.insert(key.clone(), reference).is_none(), "key {key} stored twice");
    }
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(&mut conn).await.expect("count");
    assert_eq!(all as usize, rows.len(), "no half-written ticket");
    by_key
}

async fn execute(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::query(sql).execute(&mut conn).await.expect("statement");
}

fn body() -> String {
    ticket().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_sent_to_two_instances_at_once_makes_one_ticket_and_one_201() {
    let db = pg::fresh_database(&pg::admin_url());
    // Both start at once: the migrations run once (advisory lock), neither fails.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Instance::start(&db, &[]));
        let b = s.spawn(|| Instance::start(&db, &[]));
        (a.join().expect("a"), b.join().expect("b"))
    });
    let bases = [a.url.clone(), b.url.clone()];
    let http = reqwest::Client::new();
    let keys: Vec<String> = (0..40).map(|_| common::key()).collect();
    let mut tasks = Vec::new();
    for key in &keys {
        // Four copies of each request, two per instance, all in flight together.
        for copy in 0..4 {
            let (http, key, bases) = (http.clone(), key.clone(), bases.to_vec());
            let base = bases[copy % 2].clone();
            tasks.push(tokio::spawn(async move {
                let answers = post_until_acknowledged(&http, &[base], &key, &body()).await;
                (key, answers)
            }));
        }
    }
    let mut created: HashMap<String, usize> = HashMap::new();
    let mut references: HashMap<String, HashSet<String>> = HashMap::new();
    for task in tasks {
        let (key, answers) = task.await.expect("task");
        for answer in answers {
            if let Answer::Status(status @ (200 | 201), Some(reference)) = answer {
                references.entry(key.clone()).or_default().insert(reference);
                if status == 201 {
                    *created.entry(key.clone()).or_default() += 1;
                }
            }
        }
    }
    let rows = stored(&db).await;
    assert_eq!(rows.len(), keys.len(), "one row per key");
    for key in &keys {
        assert_eq!(created.get(key), Some(&1), "exactly one 201 for {key}");
        let seen = &references[key];
        assert_eq!(seen.len(), 1, "every answer for {key} names one ticket: {seen:?}");
        assert!(seen.contains(&rows[key]), "the answered reference is the stored one");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_sweeping_escalate_and_notify_each_ticket_once() {
    let db = pg::fresh_database(&pg::admin_url());
    let sink = HttpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("triage.toml");
    std::fs::write(
        &config,
        format!(
            "[delivery]\ninitial_backoff_ms = 10\nmax_backoff_secs = 1\npoll_interval_ms = 20\nattempt_timeout_secs = 5\n\
             [[webhook]]\nname = \"ops\"\nurl = \"{}\"\nsecret_env = \"HOOK_SECRET\"\nevents = [\"ticket.escalated\"]\n",
            sink.url("/hook")
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let flags = ["--config", config.as_str(), "--escalation-interval-secs", "1"];
    let a = Instance::start(&db, &flags);
    let b = Instance::start(&db, &flags);
    let http = reqwest::Client::new();
    let tickets = 30;
    for i in 0..tickets {
        let base = if i % 2 == 0 { &a.url } else { &b.url };
        let answers = post_until_acknowledged(&http, &[base.clone()], &common::key(), &body()).await;
        assert!(matches!(answers.last(), Some(Answer::Status(201, _))), "{answers:?}");
    }
    // Both targets of every ticket ran out an hour ago: each instance's sweeper finds them all.
    execute(&db, "UPDATE tickets SET first_response_due_ms = received_at_ms - 3600000, resolution_due_ms = received_at_ms - 3600000")
        .await;
    let expected = tickets * 2;
    wait_until("every escalation delivered", || sink.received("/hook").len() >= expected).await;
    // Several more sweeps by both instances and polls by both workers: nothing new may appear.
    tokio::time::sleep(Duration::from_millis(3500)).await;

    let hooks = sink.received("/hook");
    assert_eq!(hooks.len(), expected, "one webhook per ticket and target, none twice");
    let ids: HashSet<String> = hooks.iter().map(|h| h.header("webhook-id")).collect();
    assert_eq!(ids.len(), expected, "distinct events");
    let mut per_ticket: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for hook in &hooks {
        let event = hook.json();
        assert_eq!(event["type"], "ticket.escalated");
        let reference = event["data"]["ticket"]["reference"].as_str().expect("reference").to_string();
        let target = event["data"]["target"].as_str().expect("target").to_string();
        per_ticket.entry(reference).or_default().push(target);
    }
    assert_eq!(per_ticket.len(), tickets, "every ticket escalated");
    for (reference, targets) in &per_ticket {
        let distinct: HashSet<&String> = targets.iter().collect();
        assert_eq!((targets.len(), distinct.len()), (2, 2), "{reference}: each target once, got {targets:?}");
    }
    let escalated = pg::query_strings(&db, "SELECT COUNT(*)::text FROM tickets WHERE escalated_at IS NOT NULL").await;
    assert_eq!(escalated, vec![tickets.to_string()]);
    let events = pg::query_strings(&db, "SELECT COUNT(*)::text FROM events WHERE type = 'ticket.escalated'").await;
    assert_eq!(events, vec![expected.to_string()], "one stored event per ticket and target");
    let attempts = pg::query_strings(&db, "SELECT COALESCE(MAX(attempts), 0)::text FROM deliveries").await;
    assert_eq!(attempts, vec!["1".to_string()], "no delivery was claimed twice");
}

/// Sends `count` tickets from `workers` concurrent clients spread over `bases`, calling `midway`
/// once half of them were answered; returns each key with the answers it got on the first pass.
async fn load(
    http: &reqwest::Client,
    bases: Vec<String>,
    count: usize,
    workers: usize,
    midway: impl FnOnce() + Send + 'static,
) -> Vec<(String, Answer)> {
    let answered = Arc::new(Mutex::new(Vec::new()));
    let midway = Arc::new(Mutex::new(Some(midway)));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (http, bases, answered, midway, next) = (http.clone(), bases.clone(), answered.clone(), midway.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= count {
                    break;
                }
                let key = common::key();
                let answer = post(&http, &bases[i % bases.len()], &key, &body()).await;
                let done = {
                    let mut answered = answered.lock().unwrap();
                    answered.push((key, answer));
                    answered.len()
                };
                if done == count / 2 {
                    if let Some(midway) = midway.lock().unwrap().take() {
                        midway();
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("worker");
    }
    let answered = answered.lock().unwrap().clone();
    answered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instance_killed_under_load_loses_nothing_it_acknowledged_and_retries_replay() {
    let db = pg::fresh_database(&pg::admin_url());
    let a = Arc::new(Mutex::new(Instance::start(&db, &[])));
    let b = Instance::start(&db, &[]);
    let a_url = a.lock().unwrap().url.clone();
    let http = reqwest::Client::new();
    let victim = a.clone();
    let first_pass = load(&http, vec![a_url.clone(), b.url.clone()], 300, 12, move || victim.lock().unwrap().kill()).await;

    let mut acknowledged: HashMap<String, String> = HashMap::new();
    let mut unanswered = Vec::new();
    for (key, answer) in &first_pass {
        match answer {
            Answer::Status(201, Some(reference)) => {
                acknowledged.insert(key.clone(), reference.clone());
            }
            Answer::Status(503, _) | Answer::NoAnswer(_) => unanswered.push(key.clone()),
            other => panic!("key {key}: {other:?}"),
        }
    }
    assert!(!unanswered.is_empty(), "the kill cut some requests (else this test proves nothing)");
    // Every ticket answered 201 is stored, under the reference it was given.
    let rows = stored(&db).await;
    for (key, reference) in &acknowledged {
        assert_eq!(rows.get(key), Some(reference), "acknowledged {key} is stored");
    }
    // The client retries what got no answer, with the same keys, on the instance still up.
    let mut replays = 0;
    for key in &unanswered {
        let answers = post_until_acknowledged(&http, &[b.url.clone()], key, &body()).await;
        let Some(Answer::Status(status, Some(reference))) = answers.last() else { panic!("{answers:?}") };
        if *status == 200 {
            // Committed before the kill, the answer lost with the connection: a replay, not a second ticket.
            assert_eq!(rows.get(key), Some(reference));
            replays += 1;
        }
        acknowledged.insert(key.clone(), reference.clone());
    }
    let rows = stored(&db).await;
    assert_eq!(rows.len(), acknowledged.len(), "one row per key, nothing doubled");
    assert_eq!(rows, acknowledged);
    eprintln!("killed under load: {} cut, {replays} of them already stored and replayed", unanswered.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_stopped_and_started_under_load_gives_503s_and_loses_nothing() {
    let server = Arc::new(PgServer::start());
    let db = pg::fresh_database(&server.admin_url());
    let instance = Instance::start(&db, &["--db-acquire-timeout-ms", "500", "--db-statement-timeout-ms", "2000"]);
    let http = reqwest::Client::new();
    let down = server.clone();
    let health_url = format!("{}/healthz", instance.url);
    let first_pass = load(&http, vec![instance.url.clone()], 200, 6, move || down.stop()).await;
    // The database is down now (stopped midway): health says so, tickets get 503 + Retry-After.
    let health = http.get(&health_url).send().await.expect("healthz answers");
    assert_eq!(health.status(), 503);
    let refused = http
        .post(format!("{}/api/tickets", instance.url))
        .header("content-type", "application/json")
        .header("idempotency-key", common::key())
        .body(body())
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().get("retry-after").is_some(), "503 carries Retry-After");

    let mut acknowledged: HashMap<String, String> = HashMap::new();
    let mut retry = Vec::new();
    for (key, answer) in &first_pass {
        match answer {
            Answer::Status(201, Some(reference)) => {
                acknowledged.insert(key.clone(), reference.clone());
            }
            Answer::Status(503, _) => retry.push(key.clone()),
            other => panic!("key {key}: {other:?} (never a 500, never a lost connection)"),
        }
    }
    assert!(!retry.is_empty(), "some tickets met the database down");
    server.start_again();
    wait_until_healthy(&http, &health_url).await;
    for key in &retry {
        let answers = post_until_acknowledged(&http, &[instance.url.clone()], key, &body()).await;
        let Some(Answer::Status(_, Some(reference))) = answers.last() else { panic!("{answers:?}") };
        acknowledged.insert(key.clone(), reference.clone());
    }
    let rows = stored(&db).await;
    assert_eq!(rows, acknowledged, "every acknowledged ticket stored once, none lost, none doubled");
    drop(instance);
}

async fn wait_until_healthy(http: &reqwest::Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = http.get(url).send().await {
            if response.status() == 200 {
                return;
            }
        }
        assert!(Instant::now() < deadline, "{url} never became healthy again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
