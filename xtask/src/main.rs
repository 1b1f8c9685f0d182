//! `cargo xtask`: build, demo, test, size and bench automation for the Triage Widget workspace.

mod bench;
mod build;
mod bundle;
mod cmd;
mod demo;
mod error;
mod inbox;
mod libtest;
mod package;
mod postgres;
mod project;
mod server;
mod signals;
mod size;
mod test;
mod tools;

use std::process::ExitCode;

use error::{bail, Result};
use project::Project;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  demo [--port N] [--no-build]   build, then serve the demo page with the receiver (default port 8080)
       [--policy FILE]           instead, preview your own policy (`triage preview FILE`)
  test [native|browser|e2e]…     run the test tiers (all when none is named); `-- ARGS` goes to playwright
  build                          release widget bundle into dist/ (fingerprinted files, SRI manifest)
  size [--check] [--no-build]    raw/gzip/brotli bytes per moment (page view, first question, usable); --check enforces the budgets
  bench open [--runs N]          click → first question (cold, prefetched) and host long tasks, emulated phone
  bench receiver [--seconds N] [--connections N]
                                 tickets/s and p50/p99: SQLite, PostgreSQL one and two instances
  package [--no-build]           npm tarball of the widget: target/package/triage-widget-<version>.tgz
  help                           this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::FAILURE);
    };
    let project = Project::locate()?;
    match command.as_str() {
        "build" => {
            if let Some(extra) = rest.first() {
                bail!("`cargo xtask build` takes no arguments, got `{extra}`");
            }
            build::build(&project)?;
            Ok(ExitCode::SUCCESS)
        }
        "demo" => demo::run(&project, &demo::parse(rest)?),
        "test" => test::run(&project, &test::parse(rest)?),
        "size" => size::run(&project, &size::parse(rest)?),
        "bench" => bench::run(&project, &bench::parse(rest)?),
        "package" => {
            package::package(&project, &package::parse(rest)?)?;
            Ok(ExitCode::SUCCESS)
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown command `{other}`\n{USAGE}"),
    }
}
