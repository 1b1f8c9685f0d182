//! `cargo xtask bench open [--runs N]`: how opening the widget feels on a phone, in Debian's
//! Chromium against the demo server (release bundle, a fresh database): click → first question,
//! cold and with an idle-prefetched cache (median of N runs, 5 by default), and the host page's
//! long tasks with and without the loader. The measuring is `tests/e2e/bench/open.mjs`; this
//! starts what it needs. A benchmark, never a test: nothing here asserts on time.
//!
//! `cargo xtask bench receiver [--seconds N] [--connections N]`: tickets per second and latency on
//! loopback, release build, with the `load` example (every response awaited, rows stored checked
//! against the 201s): SQLite one instance, PostgreSQL one instance, PostgreSQL two instances (a
//! throwaway server with `fsync` on, so every commit reaches the disk as SQLite's do).

use std::process::ExitCode;

use crate::build;
use crate::cmd::Cmd;
use crate::error::{bail, Context, Result};
use crate::project::Project;
use crate::server::{self, Receiver, ReceiverOptions, POLICIES};
use crate::test::ScratchDir;
use crate::{postgres, tools};

#[derive(Debug, PartialEq, Eq)]
pub enum Bench {
    Open(BenchOptions),
    Receiver(ReceiverBench),
}

#[derive(Debug, PartialEq, Eq)]
pub struct BenchOptions {
    pub runs: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ReceiverBench {
    pub seconds: u32,
    pub connections: u32,
}

pub fn parse(args: &[String]) -> Result<Bench> {
    let Some((which, rest)) = args.split_first() else {
        bail!("`cargo xtask bench` needs a benchmark: open, receiver");
    };
    match which.as_str() {
        "open" => parse_open(rest).map(Bench::Open),
        "receiver" => parse_receiver(rest).map(Bench::Receiver),
        _ => bail!("`cargo xtask bench` does not know `{which}` (benchmarks: open, receiver)"),
    }
}

fn parse_receiver(rest: &[String]) -> Result<ReceiverBench> {
    let mut options = ReceiverBench { seconds: 20, connections: 32 };
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        let value = rest.next().map(String::as_str).unwrap_or_default();
        let number = match value.parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => bail!("`{arg}` takes a whole number above 0, got `{value}`"),
        };
        match arg.as_str() {
            "--seconds" => options.seconds = number,
            "--connections" => options.connections = number,
            other => bail!("`cargo xtask bench receiver` does not know `{other}` (options: --seconds N, --connections N)"),
        }
    }
    Ok(options)
}

fn parse_open(rest: &[String]) -> Result<BenchOptions> {
    let mut options = BenchOptions { runs: 5 };
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--runs" => {
                let value = rest.next().map(String::as_str).unwrap_or_default();
                options.runs = match value.parse() {
                    Ok(runs) if runs > 0 => runs,
                    _ => bail!("`--runs` takes a whole number of runs above 0, got `{value}`"),
                };
            }
            other => bail!("`cargo xtask bench open` does not know `{other}` (options: --runs N)"),
        }
    }
    Ok(options)
}

pub fn run(project: &Project, bench: &Bench) -> Result<ExitCode> {
    match bench {
        Bench::Open(options) => open(project, options),
        Bench::Receiver(options) => receiver(project, options),
    }
}

/// The three receiver set-ups, one after the other, each on a fresh database.
fn receiver(project: &Project, options: &ReceiverBench) -> Result<ExitCode> {
    Cmd::new("cargo")
        .args(["build", "--release", "-p", "triage-receiver", "--bin", "triage-receiver", "--example", "load"])
        .current_dir(&project.root)
        .run()
        .context("compiling the release receiver and the load example")?;
    let release = project.target_dir.join("release");
    let binary = release.join("triage-receiver");
    let load = release.join("examples").join("load");
    let scratch = ScratchDir::new("triage-bench-receiver")?;
    let token = server::random_token()?;
    let postgres = postgres::PgServer::start_with(project, true)?;
    let setups: [(&str, usize, String); 3] = [
        ("SQLite, one instance", 1, scratch.path.join("bench.sqlite").display().to_string()),
        ("PostgreSQL, one instance", 1, postgres.create_database("bench_one")?),
        ("PostgreSQL, two instances", 2, postgres.create_database("bench_two")?),
    ];
    let mut failed = false;
    for (name, instances, db) in setups {
        println!("\n== {name}: {} connections, {} s", options.connections, options.seconds);
        let receivers = (0..instances)
            .map(|i| {
                Receiver::start(
                    &binary,
                    &ReceiverOptions {
                        bind: "127.0.0.1:0".to_owned(),
                        db: db.clone().into(),
                        site_root: project.root.clone(),
                        policies: POLICIES.iter().map(|policy| project.path(policy)).collect(),
                        admin_token: token.clone(),
                        extra_args: vec!["--rate-limit-per-minute".into(), "0".into()],
                        log: Some(scratch.path.join(format!("receiver-{name}-{i}.log").replace([' ', ','], "_"))),
                    },
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let mut cmd = Cmd::new(&load)
            .args(["--connections", &options.connections.to_string(), "--seconds", &options.seconds.to_string()])
            .args(["--admin-token", &token]);
        for receiver in &receivers {
            cmd = cmd.args(["--url", &receiver.url]);
        }
        if let Err(error) = cmd.run() {
            eprintln!("xtask: {name}: {error}");
            failed = true;
        }
        for receiver in receivers {
            receiver.stop();
        }
    }
    drop(postgres);
    drop(scratch);
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn open(project: &Project, options: &BenchOptions) -> Result<ExitCode> {
    let e2e_dir = project.path("tests/e2e");
    tools::ensure_chromium()?;
    tools::ensure_node_modules(&e2e_dir)?;
    build::build(project)?;
    let binary = server::build_receiver(project)?;
    let scratch = ScratchDir::new("triage-bench")?;
    let receiver = Receiver::start(
        &binary,
        &ReceiverOptions {
            bind: "127.0.0.1:0".to_owned(),
            db: scratch.path.join("bench.sqlite"),
            site_root: project.root.clone(),
            policies: POLICIES.iter().map(|policy| project.path(policy)).collect(),
            admin_token: server::random_token()?,
            extra_args: Vec::new(),
            log: Some(scratch.path.join("receiver.log")),
        },
    )?;
    let outcome = Cmd::new("node")
        .arg("bench/open.mjs")
        .env("TRIAGE_BASE_URL", &receiver.url)
        .env("BENCH_RUNS", options.runs.to_string())
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .current_dir(&e2e_dir)
        .run();
    receiver.stop();
    drop(scratch);
    outcome?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options() {
        assert_eq!(parse(&args(&["open"])).ok(), Some(Bench::Open(BenchOptions { runs: 5 })));
        assert_eq!(parse(&args(&["open", "--runs", "3"])).ok(), Some(Bench::Open(BenchOptions { runs: 3 })));
        assert_eq!(
            parse(&args(&["receiver"])).ok(),
            Some(Bench::Receiver(ReceiverBench { seconds: 20, connections: 32 }))
        );
        assert_eq!(
            parse(&args(&["receiver", "--seconds", "5", "--connections", "8"])).ok(),
            Some(Bench::Receiver(ReceiverBench { seconds: 5, connections: 8 }))
        );
        assert!(parse(&args(&["receiver", "--seconds", "0"])).is_err());
        assert!(parse(&args(&["receiver", "--rows", "5"])).is_err());
        assert!(parse(&args(&[])).is_err());
        assert!(parse(&args(&["close"])).is_err());
        assert!(parse(&args(&["open", "--runs", "0"])).is_err());
        assert!(parse(&args(&["open", "--runs"])).is_err());
        assert!(parse(&args(&["open", "--fast"])).is_err());
    }
}
