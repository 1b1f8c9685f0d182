//! Load generator for the receiver: N keep-alive connections POST valid tickets, each with a fresh
//! `Idempotency-Key`, for a fixed time; every response is awaited (none abandoned at the end), so
//! the number of 201s must equal the rows the receiver stored, which it then checks through the
//! admin API. Several `--url`s (instances on one PostgreSQL) share the connections round-robin;
//! the rows are counted through the first.
//!
//! cargo run --release -p triage-receiver --example load -- --url http://127.0.0.1:PORT \
//!     [--url http://127.0.0.1:PORT2] --connections 32 --seconds 20 --admin-token TOKEN

use std::time::{Duration, Instant};

use clap::Parser;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Parser, Debug)]
struct Args {
    /// Base URL of a receiver (http only), e.g. http://127.0.0.1:8080. Repeatable.
    #[arg(long = "url", required = true)]
    urls: Vec<String>,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Admin token, to compare the stored row count with the 201s.
    #[arg(long)]
    admin_token: Option<String>,
}

const TICKET: &str = r#"{"policy":{"id":"priority-p1-p4","version":"2026-11-23"},"plan":"business-plus","severity":"P1","answers":[{"question":"situation","answer":"service_down"}],"reasons":["O serviço está fora do ar"],"due":{"first_response":{"due":"2026-11-23T12:30:00-03:00"},"resolution":{"due":"2026-11-23T16:00:00-03:00"}},"contact":{"name":"Ana Souza","email":"ana@example.com.br"},"subject":"Painel fora do ar","description":"Desde as 11h ninguém consegue entrar no painel.","page_url":"https://shop.example/app","locale":"pt-BR","time_zone":"America/Sao_Paulo","created_at":"2026-11-23T11:59:30-03:00","fill_ms":45000}"#;

struct Response {
    status: u16,
    body: Vec<u8>,
}

/// One HTTP/1.1 exchange on a keep-alive connection.
async fn exchange(stream: &mut BufReader<TcpStream>, request: &[u8]) -> std::io::Result<Response> {
    stream.get_mut().write_all(request).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().map_err(std::io::Error::other)?;
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(Response { status, body })
}

#[derive(Default)]
struct Tally {
    created: u64,
    replayed: u64,
    limited: u64,
    other: u64,
    latencies_us: Vec<u32>,
}

async fn worker(host: String, deadline: Instant) -> std::io::Result<Tally> {
    let mut stream = BufReader::new(TcpStream::connect(&host).await?);
    stream.get_ref().set_nodelay(true)?;
    let mut tally = Tally::default();
    while Instant::now() < deadline {
        let key = uuid::Uuid::new_v4();
        let request = format!(
            "POST /api/tickets HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Idempotency-Key: {key}\r\nContent-Length: {}\r\n\r\n{TICKET}",
            TICKET.len()
        );
        let started = Instant::now();
        let response = exchange(&mut stream, request.as_bytes()).await?;
        tally.latencies_us.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        match response.status {
            201 => tally.created += 1,
            200 => tally.replayed += 1,
            429 => tally.limited += 1,
            status => {
                if tally.other < 3 {
                    eprintln!("unexpected {status}: {}", String::from_utf8_lossy(&response.body));
                }
                tally.other += 1;
            }
        }
    }
    Ok(tally)
}

async fn stored_total(host: &str, token: &str) -> std::io::Result<u64> {
    let mut stream = BufReader::new(TcpStream::connect(host).await?);
    let request = format!(
        "GET /api/tickets?limit=1 HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    let response = exchange(&mut stream, request.as_bytes()).await?;
    let json: serde_json::Value = serde_json::from_slice(&response.body).map_err(std::io::Error::other)?;
    json["total"].as_u64().ok_or_else(|| std::io::Error::other(format!("no total in {json}")))
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let hosts = args
        .urls
        .iter()
        .map(|url| url.strip_prefix("http://").map(|h| h.trim_end_matches('/').to_string()))
        .collect::<Option<Vec<String>>>()
        .ok_or("--url must start with http://")?;
    let host = hosts[0].clone();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let workers: Vec<_> =
        (0..args.connections).map(|i| tokio::spawn(worker(hosts[i % hosts.len()].clone(), deadline))).collect();
    let mut total = Tally::default();
    for handle in workers {
        let tally = handle.await??;
        total.created += tally.created;
        total.replayed += tally.replayed;
        total.limited += tally.limited;
        total.other += tally.other;
        total.latencies_us.extend(tally.latencies_us);
    }
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies_us.sort_unstable();
    let requests = total.latencies_us.len();
    println!(
        "instances: {}, connections: {}, duration: {elapsed:.1} s, requests: {requests}",
        hosts.len(),
        args.connections
    );
    println!("responses: 201={} 200={} 429={} other={}", total.created, total.replayed, total.limited, total.other);
    println!("tickets/s (201 only): {:.0}", total.created as f64 / elapsed);
    println!(
        "latency p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms",
        percentile(&total.latencies_us, 50.0),
        percentile(&total.latencies_us, 90.0),
        percentile(&total.latencies_us, 99.0),
        percentile(&total.latencies_us, 100.0)
    );
    if let Some(token) = args.admin_token {
        let stored = stored_total(&host, &token).await?;
        println!("rows stored: {stored}; 201 responses: {}", total.created);
        if stored != total.created {
            return Err(format!("MISMATCH: {stored} rows stored but {} tickets answered 201", total.created).into());
        }
        println!("OK: rows stored == 201 responses");
    }
    Ok(())
}
