//! Command-line parsing: turns `std::env::args_os()` into a typed [`Command`], or a [`UsageError`].
//!
//! Hand-rolled (no dependency): options take their value as the next argument or after `=`
//! (`--plan pro`, `--plan=pro`); `--help`/`-h` anywhere prints the usage.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

/// The short usage printed after every usage error.
pub const SYNOPSIS: &str = "\
Usage:
  triage check POLICY [--format text|json]
  triage init [--output FILE] [--template T] [--name N] [--locales L] [--time-zone Z] [--plan P]... [--defaults]
  triage preview POLICY [--port N] [--widget DIR]
  triage classify --policy POLICY --answer QUESTION=ANSWER... [--locale LOCALE]
  triage due --policy POLICY --plan PLAN --severity SEVERITY --opened RFC3339 [--channel CHANNEL]
  triage status FEED (--format statuspage|generic | --policy POLICY --product PRODUCT)
  triage --help | --version";

/// The full help printed by `--help`.
pub const USAGE: &str = concat!(
    "triage: check a support policy, classify answers and compute due times\n\n",
    "Usage:\n",
    "  triage check POLICY [--format text|json]\n",
    "  triage init [--output FILE] [--template T] [--name N] [--locales L] [--time-zone Z] [--plan P]... [--defaults]\n",
    "  triage preview POLICY [--port N] [--widget DIR]\n",
    "  triage classify --policy POLICY --answer QUESTION=ANSWER... [--locale LOCALE]\n",
    "  triage due --policy POLICY --plan PLAN --severity SEVERITY --opened RFC3339 [--channel CHANNEL]\n",
    "  triage status FEED (--format statuspage|generic | --policy POLICY --product PRODUCT)\n",
    "  triage --help | --version\n",
    "
Commands:
  check     Validate POLICY (a policy JSON file). Prints a summary, or every problem with its
            JSON path and, when there is an obvious one, its fix. --format json prints one JSON
            object instead (file, valid, problems: [{path, message, fix}], and policy and notes
            when valid),
            for CI; the exit status is the same.
  init      Write a starter policy (default ./policy.json, with policy.schema.json next to it
            as its $schema) from one of the two shipped policies, asking for what is not given
            as a flag. Every question shows its default: an empty answer, or the end of the
            input, takes it; --defaults asks nothing. The starter passes `triage check`.
              --template priority-p1-p4|impact-t1-t4
              --name 'Loja da Ana'            site or company name (id and texts)
              --locales 'pt-BR, en'          the template's locales to keep, main one first
              --time-zone America/Sao_Paulo  of every calendar
              --plan 'gold=Gold:P1=30m/4h,P2=1h/8h,P3=2h/1bd,P4=4h/2bd'   one per plan, the
                      first is the default; m h d elapsed, bh bd business; 24h~1h adds an average
              --hours 'mon-fri 09:00-18:00; sat 09:00-13:00'
              --holidays '2026-12-25=Natal, 2027-01-01=Ano Novo' | template | none
              --channels 'chat=5m, email=24h~6h' | none
              --products 'shop=Loja=https://status.example.com' | none
              --schema URL   $schema to write instead of the local policy.schema.json
              --force        replace existing files
  preview   Serve a local page (http://127.0.0.1:8090/, --port 0 picks a free port) with the
            widget running POLICY against a local endpoint that checks each ticket and prints
            it. The page reloads when the file changes, and lists the problems of an invalid
            policy with their JSON paths and fixes. --widget is the folder of the widget's
            files: the unpacked npm package (package/) or dist/ (default: ./package, ./dist).
  classify  Walk the questionnaire with the given answers (one --answer per question, question
            and answer ids as in the policy) and print the severity and the trail as JSON.
            Reasons are in LOCALE (default: the policy's first locale).
  due       Print the first-response and resolution due times of a ticket as JSON, RFC 3339 in
            the offset of each target's calendar. --opened is when the ticket was opened, with
            an offset (2026-11-20T19:30:00-03:00). --channel uses that contact channel's
            first-response target instead of the plan's.
  status    Read the status feed file FEED as the widget and the receiver's proxy do, and print
            as JSON the incidents read, those left out with their JSON path and why, and the
            incident a customer would be shown (current: the worst unresolved one, or null).
            --format is the feed's shape (a Statuspage v2 summary.json, or the generic shape of
            www/schemas/status.schema.json); --policy and --product take the shape and the
            components of that product's status_feed instead.

Exit status: 0 success, 1 the policy (or feed) file is unreadable or invalid, 2 bad arguments.

Examples:
  triage check www/policies/priority-p1-p4.json
  triage classify --policy www/policies/priority-p1-p4.json --answer situation=not_working \\
      --answer impact=usable --answer workaround_minor=short_term --locale en
  triage due --policy www/policies/impact-t1-t4.json --plan standard --severity T2 \\
      --opened 2026-11-20T19:30:00-03:00 --channel whatsapp
"
);

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Check { policy: PathBuf, format: Format },
    Init(crate::init::InitOptions),
    Preview(crate::preview::PreviewOptions),
    Classify { policy: PathBuf, answers: Vec<(String, String)>, locale: Option<String> },
    Due { policy: PathBuf, plan: String, severity: String, opened: DateTime<FixedOffset>, channel: Option<String> },
    Status { feed: PathBuf, spec: crate::status::FeedSpec },
}

/// How `check` writes its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// The command line is wrong; the message says what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn usage_error(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, UsageError> {
    let args: Vec<String> = args
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            a.into_string()
                .map_err(|a| usage_error(format!("argument {} is not valid UTF-8: {}", i + 1, a.to_string_lossy())))
        })
        .collect::<Result<_, _>>()?;
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help);
    }
    let Some((command, rest)) = args.split_first() else {
        return Err(usage_error("missing command: expected check, init, preview, classify, due or status"));
    };
    match command.as_str() {
        "help" => Ok(Command::Help),
        "--version" | "-V" | "version" => Ok(Command::Version),
        "check" => parse_check(rest),
        "init" => parse_init(rest),
        "preview" => parse_preview(rest),
        "classify" => parse_classify(rest),
        "due" => parse_due(rest),
        "status" => parse_status(rest),
        other if other.starts_with('-') => Err(usage_error(format!(
            "unexpected option {other} before the command (check, init, preview, classify, due or status)"
        ))),
        other => Err(usage_error(format!(
            "unknown command \"{other}\": expected check, init, preview, classify, due or status"
        ))),
    }
}

/// One `--name value` / `--name=value` option, or a positional argument.
enum Arg<'a> {
    Option { name: &'a str, value: String },
    Positional(&'a str),
}

/// Splits `args` into options (each with its value) and positionals. Every option of the
/// subcommands takes a value.
fn split<'a>(command: &str, args: &'a [String], known: &[&str]) -> Result<Vec<Arg<'a>>, UsageError> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            out.extend(iter.by_ref().map(|a| Arg::Positional(a.as_str())));
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (body, None),
            };
            if !known.contains(&name) {
                let expected: Vec<String> = known.iter().map(|k| format!("--{k}")).collect();
                return Err(usage_error(format!(
                    "{command}: unknown option --{name} (expected {})",
                    expected.join(", ")
                )));
            }
            let value = match inline {
                Some(value) => value,
                None => iter
                    .next()
                    .filter(|v| !v.starts_with("--"))
                    .cloned()
                    .ok_or_else(|| usage_error(format!("{command}: option --{name} needs a value")))?,
            };
            out.push(Arg::Option { name, value });
        } else if arg.starts_with('-') && arg.len() > 1 {
            return Err(usage_error(format!("{command}: unknown option {arg}")));
        } else {
            out.push(Arg::Positional(arg.as_str()));
        }
    }
    Ok(out)
}

/// Sets a single-valued option, refusing a second occurrence.
fn set_once(command: &str, slot: &mut Option<String>, name: &str, value: String) -> Result<(), UsageError> {
    if slot.is_some() {
        return Err(usage_error(format!("{command}: option --{name} given twice")));
    }
    if value.is_empty() {
        return Err(usage_error(format!("{command}: option --{name} needs a non-empty value")));
    }
    *slot = Some(value);
    Ok(())
}

fn required(command: &str, slot: Option<String>, name: &str, what: &str) -> Result<String, UsageError> {
    slot.ok_or_else(|| usage_error(format!("{command}: missing --{name} {what}")))
}

fn no_positionals(command: &str, positionals: &[&str]) -> Result<(), UsageError> {
    match positionals.first() {
        Some(extra) => Err(usage_error(format!("{command}: unexpected argument \"{extra}\""))),
        None => Ok(()),
    }
}

fn parse_check(args: &[String]) -> Result<Command, UsageError> {
    let mut positionals = Vec::new();
    let mut format = None;
    for arg in split("check", args, &["format"])? {
        match arg {
            Arg::Positional(p) => positionals.push(p),
            Arg::Option { name, value } => set_once("check", &mut format, name, value)?,
        }
    }
    let format = match format.as_deref() {
        None | Some("text") => Format::Text,
        Some("json") => Format::Json,
        Some(other) => {
            return Err(usage_error(format!("check: --format \"{other}\" is not a format: expected text or json")))
        }
    };
    match positionals.as_slice() {
        [policy] => Ok(Command::Check { policy: PathBuf::from(policy), format }),
        [] => Err(usage_error("check: missing POLICY (the policy JSON file to check)")),
        [_, extra, ..] => Err(usage_error(format!("check: unexpected argument \"{extra}\" (one POLICY at a time)"))),
    }
}

fn parse_preview(args: &[String]) -> Result<Command, UsageError> {
    let (mut port, mut widget) = (None, None);
    let mut positionals = Vec::new();
    for arg in split("preview", args, &["port", "widget"])? {
        match arg {
            Arg::Positional(p) => positionals.push(p),
            Arg::Option { name: "port", value } => set_once("preview", &mut port, "port", value)?,
            Arg::Option { name, value } => set_once("preview", &mut widget, name, value)?,
        }
    }
    let port = match port {
        None => 8090,
        Some(text) => text
            .parse::<u16>()
            .map_err(|_| usage_error(format!("preview: --port \"{text}\" is not a port number (0-65535)")))?,
    };
    match positionals.as_slice() {
        [policy] => Ok(Command::Preview(crate::preview::PreviewOptions {
            policy: PathBuf::from(policy),
            port,
            widget: widget.map(PathBuf::from),
        })),
        [] => Err(usage_error("preview: missing POLICY (the policy JSON file to preview)")),
        [_, extra, ..] => Err(usage_error(format!("preview: unexpected argument \"{extra}\""))),
    }
}

fn parse_init(args: &[String]) -> Result<Command, UsageError> {
    let mut o = crate::init::InitOptions::default();
    // The two switches take no value.
    let (switches, args): (Vec<&String>, Vec<&String>) =
        args.iter().partition(|a| *a == "--defaults" || *a == "--force" || *a == "-y");
    o.defaults = switches.iter().any(|a| *a == "--defaults" || *a == "-y");
    o.force = switches.iter().any(|a| *a == "--force");
    let args: Vec<String> = args.into_iter().cloned().collect();
    let known = [
        "output",
        "template",
        "name",
        "locales",
        "time-zone",
        "plan",
        "hours",
        "holidays",
        "channels",
        "products",
        "schema",
    ];
    let mut positionals = Vec::new();
    for arg in split("init", &args, &known)? {
        match arg {
            Arg::Positional(p) => positionals.push(p),
            Arg::Option { name: "plan", value } => o.plans.push(value),
            Arg::Option { name, value } => {
                let slot = match name {
                    "output" => &mut o.output,
                    "template" => &mut o.template,
                    "name" => &mut o.name,
                    "locales" => &mut o.locales,
                    "time-zone" => &mut o.time_zone,
                    "hours" => &mut o.hours,
                    "holidays" => &mut o.holidays,
                    "channels" => &mut o.channels,
                    "products" => &mut o.products,
                    _ => &mut o.schema,
                };
                set_once("init", slot, name, value)?;
            }
        }
    }
    no_positionals("init", &positionals)?;
    Ok(Command::Init(o))
}

fn parse_status(args: &[String]) -> Result<Command, UsageError> {
    let (mut format, mut policy, mut product) = (None, None, None);
    let mut positionals = Vec::new();
    for arg in split("status", args, &["format", "policy", "product"])? {
        match arg {
            Arg::Positional(p) => positionals.push(p),
            Arg::Option { name: "format", value } => set_once("status", &mut format, "format", value)?,
            Arg::Option { name: "policy", value } => set_once("status", &mut policy, "policy", value)?,
            Arg::Option { name, value } => {
                debug_assert_eq!(name, "product");
                set_once("status", &mut product, "product", value)?
            }
        }
    }
    let (feed, extra) = match positionals.as_slice() {
        [] => return Err(usage_error("status: missing FEED (the status feed JSON file)")),
        [feed, rest @ ..] => (*feed, rest),
    };
    no_positionals("status", extra)?;
    let spec = match (format, policy, product) {
        (Some(format), None, None) => crate::status::FeedSpec::Format(match format.as_str() {
            "statuspage" => triage_policy::FeedFormat::Statuspage,
            "generic" => triage_policy::FeedFormat::Generic,
            other => {
                return Err(usage_error(format!(
                    "status: --format \"{other}\" is not a feed format: expected statuspage or generic"
                )))
            }
        }),
        (None, Some(policy), Some(product)) => {
            crate::status::FeedSpec::Product { policy: PathBuf::from(policy), product }
        }
        (None, Some(_), None) => return Err(usage_error("status: --policy needs --product PRODUCT")),
        (None, None, Some(_)) => return Err(usage_error("status: --product needs --policy POLICY")),
        (None, None, None) => {
            return Err(usage_error(
                "status: give the feed's shape: --format statuspage|generic, or --policy POLICY --product PRODUCT",
            ))
        }
        _ => return Err(usage_error("status: give either --format or --policy and --product, not both")),
    };
    Ok(Command::Status { feed: PathBuf::from(feed), spec })
}

fn parse_classify(args: &[String]) -> Result<Command, UsageError> {
    let mut policy = None;
    let mut locale = None;
    let mut answers: Vec<(String, String)> = Vec::new();
    let mut positionals = Vec::new();
    for arg in split("classify", args, &["policy", "answer", "locale"])? {
        match arg {
            Arg::Positional(p) => positionals.push(p),
            Arg::Option { name: "policy", value } => set_once("classify", &mut policy, "policy", value)?,
            Arg::Option { name: "locale", value } => set_once("classify", &mut locale, "locale", value)?,
            Arg::Option { name, value } => {
                debug_assert_eq!(name, "answer");
                let (question, answer) = value
                    .split_once('=')
                    .map(|(q, a)| (q.trim(), a.trim()))
                    .filter(|(q, a)| !q.is_empty() && !a.is_empty())
                    .ok_or_else(|| {
                        usage_error(format!(
                            "classify: --answer \"{value}\" must be QUESTION=ANSWER, e.g. impact=limited"
                        ))
                    })?;
                if let Some((_, earlier)) = answers.iter().find(|(q, _)| q == question) {
                    return Err(usage_error(format!(
                        "classify: question \"{question}\" answered twice (\"{earlier}\" and \"{answer}\")"
                    )));
                }
                answers.push((question.to_string(), answer.to_string()));
            }
        }
    }
    no_positionals("classify", &positionals)?;
    let policy = required("classify", policy, "policy", "POLICY (the policy JSON file)")?;
    Ok(Command::Classify { policy: PathBuf::from(policy), answers, locale })
}

fn parse_due(args: &[String]) -> Result<Command, UsageError> {
    let (mut policy, mut plan, mut severity, mut opened, mut channel) = (None, None, None, None, None);
    let mut positionals = Vec::new();
    for arg in split("due", args, &["policy", "plan", "severity", "opened", "channel"])? {
        match arg {
            Arg::Positional(p) => positionals.push(p),
            Arg::Option { name, value } => {
                let slot = match name {
                    "policy" => &mut policy,
                    "plan" => &mut plan,
                    "severity" => &mut severity,
                    "opened" => &mut opened,
                    _ => &mut channel,
                };
                set_once("due", slot, name, value)?;
            }
        }
    }
    no_positionals("due", &positionals)?;
    let policy = required("due", policy, "policy", "POLICY (the policy JSON file)")?;
    let plan = required("due", plan, "plan", "PLAN (a plan id of the policy)")?;
    let severity = required("due", severity, "severity", "SEVERITY (a severity id of the policy)")?;
    let opened_text = required("due", opened, "opened", "RFC3339 (when the ticket was opened)")?;
    let opened = DateTime::parse_from_rfc3339(&opened_text).map_err(|e| {
        usage_error(format!(
            "due: --opened \"{opened_text}\" is not an RFC 3339 date-time with offset ({e}); \
             e.g. 2026-11-20T19:30:00-03:00 or 2026-11-20T22:30:00Z"
        ))
    })?;
    Ok(Command::Due { policy: PathBuf::from(policy), plan, severity, opened, channel })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, UsageError> {
        parse(args.iter().map(OsString::from))
    }

    fn message(args: &[&str]) -> String {
        match parse_strs(args) {
            Err(e) => e.0,
            Ok(c) => panic!("expected a usage error for {args:?}, got {c:?}"),
        }
    }

    #[test]
    fn full_help_contains_the_synopsis() {
        assert!(USAGE.contains(SYNOPSIS), "USAGE and SYNOPSIS drifted apart");
        assert!(USAGE.contains("--version\n\nCommands:"));
    }

    #[test]
    fn help_anywhere_wins() {
        assert_eq!(parse_strs(&["--help"]), Ok(Command::Help));
        assert_eq!(parse_strs(&["due", "--plan", "x", "-h"]), Ok(Command::Help));
        assert_eq!(parse_strs(&["help"]), Ok(Command::Help));
        assert_eq!(parse_strs(&["--version"]), Ok(Command::Version));
    }

    #[test]
    fn check_takes_exactly_one_policy() {
        let text = Command::Check { policy: PathBuf::from("p.json"), format: Format::Text };
        assert_eq!(parse_strs(&["check", "p.json"]), Ok(text));
        let json = Command::Check { policy: PathBuf::from("p.json"), format: Format::Json };
        assert_eq!(parse_strs(&["check", "--format", "json", "p.json"]), Ok(json.clone()));
        assert_eq!(parse_strs(&["check", "p.json", "--format=json"]), Ok(json));
        assert!(message(&["check", "p.json", "--format", "yaml"]).contains("expected text or json"));
        assert!(message(&["check"]).contains("missing POLICY"));
        assert!(message(&["check", "a.json", "b.json"]).contains("unexpected argument \"b.json\""));
        assert!(message(&["check", "--policy", "a.json"]).contains("unknown option --policy"));
    }

    #[test]
    fn classify_collects_answers_in_order() {
        let got = parse_strs(&["classify", "--policy=p.json", "--answer", "a=x", "--answer=b = y", "--locale", "en"]);
        assert_eq!(
            got,
            Ok(Command::Classify {
                policy: PathBuf::from("p.json"),
                answers: vec![("a".into(), "x".into()), ("b".into(), "y".into())],
                locale: Some("en".into()),
            })
        );
    }

    #[test]
    fn classify_rejects_malformed_and_repeated_answers() {
        assert!(message(&["classify", "--policy", "p", "--answer", "impact"]).contains("must be QUESTION=ANSWER"));
        assert!(message(&["classify", "--policy", "p", "--answer", "=x"]).contains("must be QUESTION=ANSWER"));
        assert!(
            message(&["classify", "--policy", "p", "--answer", "a=x", "--answer", "a=y"]).contains("answered twice")
        );
        assert!(message(&["classify", "--answer", "a=x"]).contains("missing --policy"));
        assert!(message(&["classify", "--policy", "p", "--answer"]).contains("--answer needs a value"));
        assert!(message(&["classify", "--policy", "p", "--plan", "x"]).contains("unknown option --plan"));
    }

    #[test]
    fn due_parses_every_option() {
        let got = parse_strs(&[
            "due",
            "--policy",
            "p.json",
            "--plan",
            "pro",
            "--severity",
            "P3",
            "--opened",
            "2026-11-20T19:30:00-03:00",
            "--channel",
            "chat",
        ]);
        let opened = DateTime::parse_from_rfc3339("2026-11-20T19:30:00-03:00").expect("valid");
        assert_eq!(
            got,
            Ok(Command::Due {
                policy: PathBuf::from("p.json"),
                plan: "pro".into(),
                severity: "P3".into(),
                opened,
                channel: Some("chat".into()),
            })
        );
    }

    #[test]
    fn due_names_what_is_missing_or_wrong() {
        let base = ["due", "--policy", "p", "--plan", "x", "--severity", "P1"];
        assert!(message(&base).contains("missing --opened"));
        let mut bad = base.to_vec();
        bad.extend(["--opened", "2026-11-20 19:30"]);
        assert!(message(&bad).contains("not an RFC 3339 date-time"));
        assert!(message(&["due", "--policy", "p", "--plan", "x", "--plan", "y"]).contains("--plan given twice"));
        assert!(message(&["due", "--plan", "", "--policy", "p"]).contains("non-empty value"));
    }

    #[test]
    fn unknown_or_missing_command() {
        assert!(message(&[]).contains("missing command"));
        assert!(message(&["frobnicate"]).contains("unknown command \"frobnicate\""));
        assert!(message(&["--policy", "x"]).contains("before the command"));
    }
}
