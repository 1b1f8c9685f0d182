//! Notification benchmark, in process against a local webhook server that checks every signature:
//!
//! 1. intake with notifications off: N tickets stored by `--clients` concurrent senders;
//! 2. intake with notifications on and the worker delivering at the same time (the intake must
//!    not wait on delivery);
//! 3. delivery of a backlog: N tickets stored with the worker stopped, then the worker started:
//!    `ticket.created` events delivered per second (signing and verifying included).
//!
//! cargo run --release -p triage-receiver --example notify_bench -- --tickets 2000 --clients 32 --concurrency 8

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use clap::Parser;
use tower::ServiceExt;
use triage_receiver::config::Config;
use triage_receiver::notify::Settings;
use triage_receiver::{AppState, Clock};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 5000)]
    tickets: usize,
    /// Deliveries in flight at once (`delivery.concurrency`).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Concurrent ticket senders.
    #[arg(long, default_value_t = 32)]
    clients: usize,
}

const TICKET: &str = include_str!("../tests/fixtures/bench-ticket.json");
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let received = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let (count, refused) = (received.clone(), bad.clone());
    let sink = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (count, refused) = (count.clone(), refused.clone());
            async move {
                if standardwebhooks::Webhook::new(SECRET).and_then(|w| w.verify(&body, &headers)).is_err() {
                    refused.fetch_add(1, Ordering::Relaxed);
                    return StatusCode::UNAUTHORIZED;
                }
                count.fetch_add(1, Ordering::Relaxed);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let sink_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sink_addr = sink_listener.local_addr()?;
    tokio::spawn(async move { axum::serve(sink_listener, sink).await });

    let toml = format!(
        "[delivery]\nconcurrency = {}\npoll_interval_ms = 100\n[[webhook]]\nname = \"bench\"\nurl = \"http://{sink_addr}/hook\"\nsecret_env = \"S\"\nevents = [\"ticket.created\"]\n",
        args.concurrency
    );
    let settings = || Settings::parse(&toml, |_| Some(SECRET.to_string()));

    // 1. Intake, notifications off.
    let (state, _dir) = open(None).await?;
    let off = intake(&state, args.tickets, args.clients).await?;
    println!("intake, notifications off: {} tickets in {:.2} s = {:.0} tickets/s", args.tickets, off.as_secs_f64(), args.tickets as f64 / off.as_secs_f64());

    // 2. Intake, notifications on, worker delivering meanwhile.
    let (state, _dir) = open(Some(settings()?)).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(triage_receiver::notify::worker(&state).ok_or("notifications are on")?.run(stopped));
    let on = intake(&state, args.tickets, args.clients).await?;
    println!("intake, notifications on:  {} tickets in {:.2} s = {:.0} tickets/s", args.tickets, on.as_secs_f64(), args.tickets as f64 / on.as_secs_f64());
    wait_for(&received, args.tickets as u64).await;
    let _ = stop.send(true);
    worker.await?;

    // 3. A backlog delivered by a fresh worker.
    received.store(0, Ordering::Relaxed);
    let (state, _dir) = open(Some(settings()?)).await?;
    intake(&state, args.tickets, args.clients).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let worker = tokio::spawn(triage_receiver::notify::worker(&state).ok_or("notifications are on")?.run(stopped));
    wait_for(&received, args.tickets as u64).await;
    let elapsed = started.elapsed();
    let _ = stop.send(true);
    worker.await?;
    println!(
        "delivery of a backlog: {} events in {:.2} s = {:.0} events/s (concurrency {}, bad signatures {})",
        args.tickets,
        elapsed.as_secs_f64(),
        args.tickets as f64 / elapsed.as_secs_f64(),
        args.concurrency,
        bad.load(Ordering::Relaxed)
    );
    Ok(())
}

/// A receiver state on a fresh database, with or without notifications.
async fn open(settings: Option<Settings>) -> Result<(AppState, tempfile::TempDir), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/policies");
    let mut config = Config::with_defaults(vec![root.join("priority-p1-p4.json")], dir.path().join("bench.sqlite"));
    config.rate_limit_per_minute = 0;
    Ok((triage_receiver::server::build_state(config, settings, Clock::System).await?, dir))
}

/// Stores `tickets` tickets from `clients` concurrent senders; the time it took.
async fn intake(state: &AppState, tickets: usize, clients: usize) -> Result<Duration, Box<dyn std::error::Error>> {
    let app = triage_receiver::app(state.clone());
    let started = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for client in 0..clients {
        let app = app.clone();
        let share = tickets / clients + usize::from(client < tickets % clients);
        senders.spawn(async move {
            for _ in 0..share {
                let mut request = Request::post("/api/tickets")
                    .header("content-type", "application/json")
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .body(Body::from(TICKET))
                    .map_err(|e| e.to_string())?;
                request.extensions_mut().insert(ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 1))));
                let response = app.clone().oneshot(request).await.map_err(|e| e.to_string())?;
                if response.status() != StatusCode::CREATED {
                    return Err(format!("ticket not stored: {}", response.status()));
                }
            }
            Ok::<(), String>(())
        });
    }
    while let Some(done) = senders.join_next().await {
        done??;
    }
    Ok(started.elapsed())
}

async fn wait_for(received: &AtomicU64, count: u64) {
    while received.load(Ordering::Relaxed) < count {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
