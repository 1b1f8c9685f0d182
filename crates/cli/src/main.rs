//! `triage`: the site owner's command-line check of a support policy (check, classify, due).
//!
//! Parse the arguments into a typed command, act on it, print the result; every failure is a
//! message on stderr and exit status 1 (bad policy file) or 2 (bad arguments).

mod args;
mod check;
mod classify;
mod due;
mod failure;
mod hints;
mod init;
mod load;
mod preview;
mod starter;
mod status;

use std::io::Write;
use std::process::ExitCode;

use args::Command;
use failure::Failure;

fn main() -> ExitCode {
    let command = match args::parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(e) => return fail(&Failure::Usage(e.0)),
    };
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&failure),
    }
}

/// Prints the failure (and the usage synopsis for bad arguments) and returns its exit status.
fn fail(failure: &Failure) -> ExitCode {
    if *failure == Failure::Reported {
        return ExitCode::from(failure.exit_code());
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "error: {failure}");
    match failure {
        Failure::Usage(_) => {
            let _ = writeln!(err, "\n{}\nRun `triage --help` for details.", args::SYNOPSIS);
        }
        Failure::Argument(_) => {
            let _ = writeln!(err, "Run `triage --help` for usage.");
        }
        Failure::Policy(_) | Failure::Reported => {}
    }
    ExitCode::from(failure.exit_code())
}

/// Writes `text` to stdout; a closed pipe (`triage … | head`) is not an error worth reporting.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn warn(kind: &str, messages: &[String]) {
    let mut err = std::io::stderr().lock();
    for message in messages {
        let _ = writeln!(err, "{kind}: {message}");
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Failure::Policy(format!("cannot write the result as JSON: {e}")))
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Help => print(args::USAGE),
        Command::Version => print(&format!("triage {}\n", env!("CARGO_PKG_VERSION"))),
        Command::Check { policy, format } => {
            let report = check::check(&policy, format)?;
            print(&report.stdout);
            warn("warning", &report.warnings);
            warn("note", &report.notes);
            if !report.valid {
                return Err(Failure::Reported);
            }
        }
        Command::Init(options) => {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let mut output = std::io::stdout();
            let today = preview::now().date_naive();
            let report = init::init(&options, &mut input, &mut output, today)?;
            print(&report);
            let check = check::check(
                std::path::Path::new(options.output.as_deref().unwrap_or("policy.json")),
                args::Format::Text,
            )?;
            print(&check.stdout);
            warn("warning", &check.warnings);
            warn("note", &check.notes);
        }
        Command::Preview(options) => preview::preview(&options)?,
        Command::Classify { policy, answers, locale } => {
            let report = classify::classify(&policy, &answers, locale.as_deref())?;
            warn("warning", &report.warnings);
            print(&json(&report.output)?);
        }
        Command::Status { feed, spec } => print(&json(&status::status(&feed, &spec)?)?),
        Command::Due { policy, plan, severity, opened, channel } => {
            let request = due::DueRequest {
                policy: &policy,
                plan: &plan,
                severity: &severity,
                opened,
                channel: channel.as_deref(),
            };
            let due::DueReport { output, mut warnings } = due::due(&request)?;
            if output.example_values {
                warnings.insert(0, format!("plan {} holds example values, not real promises", output.plan));
            }
            warn("warning", &warnings);
            print(&json(&output)?);
        }
    }
    Ok(())
}
