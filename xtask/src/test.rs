//! `cargo xtask test [native|browser|e2e]…`: every test tier, one summary line each, then
//! `tests: N passed, N failed`; non-zero exit when anything failed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::cmd::Cmd;
use crate::error::{bail, Context, Result};
use crate::libtest::{parse_playwright_json, parse_result_line, Counts};
use crate::project::Project;
use crate::server::{self, Receiver, ReceiverOptions, POLICIES};
use crate::tools::{self, CHROMEDRIVER, WASM_TARGET};
use crate::{build, postgres, signals};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Native,
    Browser,
    E2e,
}

impl Tier {
    const ALL: [Tier; 3] = [Tier::Native, Tier::Browser, Tier::E2e];

    fn name(self) -> &'static str {
        match self {
            Tier::Native => "native",
            Tier::Browser => "browser",
            Tier::E2e => "e2e",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct TestOptions {
    pub tiers: Vec<Tier>,
    /// Extra arguments for `playwright test` (after `--`), e.g. a spec file.
    pub playwright_args: Vec<String>,
}

/// `[native|browser|e2e]… [-- playwright args]`; no tier named means all of them.
pub fn parse(args: &[String]) -> Result<TestOptions> {
    let (ours, playwright_args) = match args.iter().position(|arg| arg == "--") {
        Some(split) => (&args[..split], args[split + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    let mut tiers = Vec::new();
    for arg in ours {
        let tier = match arg.as_str() {
            "native" => Tier::Native,
            "browser" => Tier::Browser,
            "e2e" => Tier::E2e,
            other => bail!("`cargo xtask test` does not know `{other}` (tiers: native, browser, e2e; `-- ARGS` goes to playwright)"),
        };
        if !tiers.contains(&tier) {
            tiers.push(tier);
        }
    }
    if tiers.is_empty() {
        tiers = Tier::ALL.to_vec();
    }
    if !playwright_args.is_empty() && !tiers.contains(&Tier::E2e) {
        bail!("arguments after `--` go to playwright, but the e2e tier is not selected");
    }
    tiers.sort_by_key(|tier| Tier::ALL.iter().position(|t| t == tier));
    Ok(TestOptions {
        tiers,
        playwright_args,
    })
}

/// What one tier did.
struct TierReport {
    tier: Tier,
    counts: Counts,
    /// Why the tier failed apart from failed tests (did not build, crashed, ran nothing…).
    problem: Option<String>,
    elapsed: Duration,
}

impl TierReport {
    fn failed(&self) -> bool {
        self.problem.is_some() || self.counts.failed > 0
    }

    fn summary_line(&self) -> String {
        let Counts {
            passed,
            failed,
            ignored,
        } = self.counts;
        let mut line = format!("{}: {passed} passed, {failed} failed", self.tier.name());
        if ignored > 0 {
            line.push_str(&format!(", {ignored} ignored"));
        }
        line.push_str(&format!(" ({})", format_duration(self.elapsed)));
        if let Some(problem) = &self.problem {
            line.push_str(&format!(" — FAILED: {problem}"));
        }
        line
    }
}

pub fn run(project: &Project, options: &TestOptions) -> Result<ExitCode> {
    signals::catch();
    let mut reports = Vec::new();
    for &tier in &options.tiers {
        if signals::received().is_some() {
            break;
        }
        eprintln!("\nxtask: ── {} tests ──", tier.name());
        let started = Instant::now();
        let outcome = match tier {
            Tier::Native => native(project),
            Tier::Browser => browser(project),
            Tier::E2e => e2e(project, &options.playwright_args),
        };
        let report = match outcome {
            Ok((counts, problem)) => TierReport {
                tier,
                counts,
                problem,
                elapsed: started.elapsed(),
            },
            Err(err) => TierReport {
                tier,
                counts: Counts::default(),
                problem: Some(err.to_string()),
                elapsed: started.elapsed(),
            },
        };
        eprintln!("xtask: {}", report.summary_line());
        reports.push(report);
    }

    println!();
    let mut total = Counts::default();
    let mut any_failed = false;
    for report in &reports {
        println!("{}", report.summary_line());
        total += report.counts;
        if report.problem.is_some() {
            // A tier that could not run counts as one failure, so the closing line never reads clean.
            total.failed += 1;
        }
        any_failed |= report.failed();
    }
    if let Some(signal) = signals::received() {
        println!("interrupted by signal {signal}");
        any_failed = true;
        total.failed = total.failed.max(1);
    }
    println!("tests: {} passed, {} failed", total.passed, total.failed);
    Ok(if any_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

type TierOutcome = Result<(Counts, Option<String>)>;

/// Runs a cargo test command, summing every `test result:` line it prints.
fn cargo_test(cmd: Cmd) -> TierOutcome {
    let mut counts = Counts::default();
    let mut result_lines = 0;
    let success = cmd.run_teeing(|line| {
        if let Some(found) = parse_result_line(line) {
            counts += found;
            result_lines += 1;
        }
    })?;
    let problem = if !success && counts.failed == 0 {
        Some(if result_lines == 0 {
            "cargo test failed before any test ran (see the errors above)".to_owned()
        } else {
            "cargo test failed (a test binary did not build or crashed; see above)".to_owned()
        })
    } else if counts.passed + counts.failed == 0 {
        Some("no tests ran".to_owned())
    } else {
        None
    };
    Ok((counts, problem))
}

/// The receiver's suites that run a second time on PostgreSQL (`TRIAGE_TEST_BACKEND=postgres`).
const BOTH_BACKEND_SUITES: [&str; 4] = ["api", "notify", "admin_ui", "follow_up"];

/// Every crate's tests (the receiver's on SQLite, with a throwaway PostgreSQL for the multi-instance
/// tests), then the receiver's API, notification, admin-page and follow-up suites again on PostgreSQL.
fn native(project: &Project) -> TierOutcome {
    let server = postgres::PgServer::start(project)?;
    let with_postgres = |cmd: Cmd| {
        cmd.env("TRIAGE_TEST_POSTGRES_URL", server.url())
            .env("TRIAGE_TEST_POSTGRES_BIN", server.bin())
            .current_dir(&project.root)
    };
    let (mut counts, mut problem) =
        cargo_test(with_postgres(Cmd::new("cargo").args(["test", "--workspace", "--no-fail-fast"])))?;
    if signals::received().is_some() {
        return Ok((counts, problem));
    }
    eprintln!("\nxtask: the receiver's suites again, on PostgreSQL");
    // Only the receiver has these suites; cargo unifies features over the packages it selects, so a
    // few dependencies (sqlx) build once more with the receiver's own features (about 2 min cold).
    let mut again = Cmd::new("cargo").args(["test", "--workspace", "--no-fail-fast"]);
    for suite in BOTH_BACKEND_SUITES {
        again = again.args(["--test", suite]);
    }
    let (more, more_problem) = cargo_test(with_postgres(again).env("TRIAGE_TEST_BACKEND", "postgres"))?;
    counts += more;
    problem = match (problem, more_problem) {
        (Some(a), Some(b)) => Some(format!("{a}; on PostgreSQL: {b}")),
        (None, Some(b)) => Some(format!("on PostgreSQL: {b}")),
        (a, None) => a,
    };
    Ok((counts, problem))
}

fn browser(project: &Project) -> TierOutcome {
    tools::ensure_chromium()?;
    tools::ensure_wasm_target()?;
    let bindgen = tools::ensure_wasm_bindgen(project)?;
    let webdriver_json = project.path("tests/webdriver.json");
    if !webdriver_json.is_file() {
        bail!(
            "{} is missing: it tells wasm-bindgen-test-runner how to start Chromium",
            webdriver_json.display()
        );
    }
    cargo_test(
        Cmd::new("cargo")
            // --tests: unit and integration tests, not doc-tests (those are native-only examples).
            .args([
                "test",
                "-p",
                "triage-widget",
                "--target",
                WASM_TARGET,
                "--tests",
                "--no-fail-fast",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                &bindgen.test_runner,
            )
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json)
            // Test files without `wasm_bindgen_test_configure!` run in the browser too, not in Node.
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180")
            .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60")
            .current_dir(&project.root),
    )
}

fn e2e(project: &Project, playwright_args: &[String]) -> TierOutcome {
    let e2e_dir = project.path("tests/e2e");
    // Concurrent runs would wipe each other's artifacts/ (Playwright clears its output dir).
    let _e2e_lock = build::BuildLock::acquire(&project.xtask_cache_dir().join("e2e.lock"))?;
    tools::ensure_chromium()?;
    tools::ensure_node_modules(&e2e_dir)?;
    build::build(project)?;
    let binary = server::build_receiver(project)?;
    // The cross-origin spec installs the widget from its npm tarball and writes its policy with
    // `triage init`, as a site owner would.
    let packed = crate::package::package(project, &crate::package::Options { no_build: true })?;
    let cli = crate::package::build_cli(project)?;

    let artifacts = e2e_dir.join("artifacts");
    std::fs::create_dir_all(&artifacts)
        .with_context(|| format!("creating {}", artifacts.display()))?;
    let results_path = artifacts.join("results.json");
    if results_path.exists() {
        std::fs::remove_file(&results_path)
            .with_context(|| format!("removing stale {}", results_path.display()))?;
    }
    let scratch = ScratchDir::new("triage-e2e")?;
    let admin_token = server::random_token()?;
    let receiver_log = artifacts.join("receiver.log");
    let receiver = Receiver::start(
        &binary,
        &ReceiverOptions {
            bind: "127.0.0.1:0".to_owned(),
            db: scratch.path.join("e2e.sqlite"),
            site_root: project.root.clone(),
            policies: POLICIES.iter().map(|policy| project.path(policy)).collect(),
            admin_token: admin_token.clone(),
            // Tests send many tickets quickly and may inject faults (admin token required); the
            // demo's status feeds (NPS with a live incident) are served through the status proxy.
            extra_args: [
                vec!["--rate-limit-per-minute".into(), "0".into(), "--fault-injection".into()],
                crate::demo::demo_status_feeds(&scratch.path.join("status"))?,
            ]
            .concat(),
            log: Some(receiver_log.clone()),
        },
    )?;
    eprintln!(
        "xtask: receiver at {} (log: {})",
        receiver.url,
        receiver_log.display()
    );

    let playwright = Cmd::new("npx")
        .args(["--no-install", "playwright", "test"])
        .args(playwright_args)
        .env("TRIAGE_BASE_URL", &receiver.url)
        .env("TRIAGE_ADMIN_TOKEN", &admin_token)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("TRIAGE_PACKAGE", &packed.tarball)
        .env("TRIAGE_RECEIVER_BIN", &binary)
        .env("TRIAGE_CLI_BIN", &cli)
        .current_dir(&e2e_dir)
        .run();
    let receiver_status = receiver.stop();
    drop(scratch);

    let counts = match std::fs::read_to_string(&results_path) {
        Ok(text) => parse_playwright_json(&text).map_err(|why| {
            crate::error::Error::new(format!("{}: {why}", results_path.display()))
        })?,
        Err(_) => {
            let why = playwright
                .err()
                .map(|err| err.to_string())
                .unwrap_or_default();
            bail!("playwright wrote no {} ({why})", results_path.display());
        }
    };
    let problem = match (&playwright, counts.failed) {
        (Err(err), 0) => Some(format!("{err} although no test failed")),
        _ if counts.passed + counts.failed == 0 => Some("no tests ran".to_owned()),
        _ => None,
    };
    if let Some(status) = receiver_status.filter(|status| !status.success()) {
        eprintln!(
            "xtask: note: the receiver exited with {status}; its log is {}",
            receiver_log.display()
        );
    }
    Ok((counts, problem))
}

/// A directory under the system temp dir, removed when dropped.
pub(crate) struct ScratchDir {
    pub(crate) path: PathBuf,
}

impl ScratchDir {
    pub(crate) fn new(prefix: &str) -> Result<ScratchDir> {
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            server::random_token()?
        ));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(ScratchDir { path })
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn format_duration(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        format!(
            "{}m {:04.1}s",
            (seconds / 60.0).floor() as u64,
            seconds % 60.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn no_tier_means_all_in_order() {
        let options = parse(&[]).expect("empty is valid");
        assert_eq!(options.tiers, vec![Tier::Native, Tier::Browser, Tier::E2e]);
        let options = parse(&args(&["e2e", "native", "e2e"])).expect("valid tiers");
        assert_eq!(options.tiers, vec![Tier::Native, Tier::E2e]);
    }

    #[test]
    fn playwright_arguments_need_the_e2e_tier() {
        let options = parse(&args(&["e2e", "--", "smoke.spec.ts"])).expect("valid");
        assert_eq!(options.playwright_args, vec!["smoke.spec.ts".to_owned()]);
        assert!(parse(&args(&["native", "--", "x"])).is_err());
        let err = parse(&args(&["unit"])).expect_err("unknown tier");
        assert!(err.to_string().contains("`unit`"), "{err}");
    }

    #[test]
    fn summary_lines_carry_counts_and_problems() {
        let ok = TierReport {
            tier: Tier::Native,
            counts: Counts {
                passed: 10,
                failed: 0,
                ignored: 1,
            },
            problem: None,
            elapsed: Duration::from_millis(83_400),
        };
        assert_eq!(
            ok.summary_line(),
            "native: 10 passed, 0 failed, 1 ignored (1m 23.4s)"
        );
        assert!(!ok.failed());
        let broken = TierReport {
            tier: Tier::E2e,
            counts: Counts::default(),
            problem: Some("no tests ran".into()),
            elapsed: Duration::from_secs(2),
        };
        assert_eq!(
            broken.summary_line(),
            "e2e: 0 passed, 0 failed (2.0s) — FAILED: no tests ran"
        );
        assert!(broken.failed());
    }
}
