//! Delivery benchmark: stores N tickets with the worker stopped, then starts it and measures how
//! fast the `ticket.created` events reach a local webhook server (which checks each signature,
//! so the figure includes signing and verifying).
//!
//! cargo run --release -p triage-receiver --example notify_bench -- --tickets 5000 --concurrency 8

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
use triage_receiver::Clock;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 5000)]
    tickets: usize,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

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

    let dir = tempfile::tempdir()?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/policies");
    let mut config = Config::with_defaults(vec![root.join("priority-p1-p4.json")], dir.path().join("bench.sqlite"));
    config.rate_limit_per_minute = 0;
    let toml = format!(
        "[delivery]\nconcurrency = {}\npoll_interval_ms = 100\n[[webhook]]\nname = \"bench\"\nurl = \"http://{sink_addr}/hook\"\nsecret_env = \"S\"\nevents = [\"ticket.created\"]\n",
        args.concurrency
    );
    let settings = Settings::parse(&toml, |_| Some(SECRET.to_string()))?;
    let state = triage_receiver::server::build_state(config, Some(settings), Clock::System).await?;
    let app = triage_receiver::app(state.clone());
    let ticket = include_str!("../tests/fixtures/bench-ticket.json");
    for _ in 0..args.tickets {
        let mut request = Request::post("/api/tickets")
            .header("content-type", "application/json")
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .body(Body::from(ticket))?;
        request.extensions_mut().insert(ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 1))));
        let response = app.clone().oneshot(request).await?;
        if response.status() != StatusCode::CREATED {
            return Err(format!("ticket not stored: {}", response.status()).into());
        }
    }
    let worker = triage_receiver::notify::worker(&state).ok_or("notifications are on")?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let running = tokio::spawn(worker.run(stopped));
    while received.load(Ordering::Relaxed) < args.tickets as u64 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(true);
    running.await?;
    println!(
        "{} events delivered in {:.2} s: {:.0} events/s (concurrency {}, bad signatures {})",
        args.tickets,
        elapsed.as_secs_f64(),
        args.tickets as f64 / elapsed.as_secs_f64(),
        args.concurrency,
        bad.load(Ordering::Relaxed)
    );
    Ok(())
}
