//! `cargo xtask bench open [--runs N]`: how opening the widget feels on a phone, in Debian's
//! Chromium against the demo server (release bundle, a fresh database): click → first question,
//! cold and with an idle-prefetched cache (median of N runs, 5 by default), and the host page's
//! long tasks with and without the loader. The measuring is `tests/e2e/bench/open.mjs`; this
//! starts what it needs. A benchmark, never a test: nothing here asserts on time.

use std::process::ExitCode;

use crate::build;
use crate::cmd::Cmd;
use crate::error::{bail, Result};
use crate::project::Project;
use crate::server::{self, Receiver, ReceiverOptions, POLICIES};
use crate::test::ScratchDir;
use crate::tools;

#[derive(Debug, PartialEq, Eq)]
pub struct BenchOptions {
    pub runs: u32,
}

pub fn parse(args: &[String]) -> Result<BenchOptions> {
    let Some((which, rest)) = args.split_first() else {
        bail!("`cargo xtask bench` needs a benchmark: open");
    };
    if which != "open" {
        bail!("`cargo xtask bench` does not know `{which}` (benchmarks: open)");
    }
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

pub fn run(project: &Project, options: &BenchOptions) -> Result<ExitCode> {
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
        assert_eq!(parse(&args(&["open"])).ok(), Some(BenchOptions { runs: 5 }));
        assert_eq!(parse(&args(&["open", "--runs", "3"])).ok(), Some(BenchOptions { runs: 3 }));
        assert!(parse(&args(&[])).is_err());
        assert!(parse(&args(&["close"])).is_err());
        assert!(parse(&args(&["open", "--runs", "0"])).is_err());
        assert!(parse(&args(&["open", "--runs"])).is_err());
        assert!(parse(&args(&["open", "--fast"])).is_err());
    }
}
