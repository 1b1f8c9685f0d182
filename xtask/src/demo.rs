//! `cargo xtask demo`: builds the bundle and serves the demo help-center page with the receiver
//! until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use crate::error::{bail, Result};
use crate::project::Project;
use crate::server::{self, Receiver, ReceiverOptions, POLICIES};
use crate::{build, inbox, signals};

pub const DEFAULT_PORT: u16 = 8080;

#[derive(Debug, PartialEq, Eq)]
pub struct DemoOptions {
    pub port: u16,
    pub build: bool,
    /// `--policy FILE`: preview the site owner's own policy (`triage preview`) instead of the demo.
    pub policy: Option<std::path::PathBuf>,
}

/// `[--port N] [--no-build] [--policy FILE]`.
pub fn parse(args: &[String]) -> Result<DemoOptions> {
    let mut options = DemoOptions {
        port: DEFAULT_PORT,
        build: true,
        policy: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--no-build" => options.build = false,
            "--policy" => {
                let Some(value) = args.next() else {
                    bail!("`--policy` needs a policy file, e.g. `--policy mine.json`")
                };
                options.policy = Some(value.into());
            }
            "--port" => {
                let Some(value) = args.next() else {
                    bail!("`--port` needs a number, e.g. `--port 8080`")
                };
                options.port = parse_port(value)?;
            }
            other => match (other.strip_prefix("--port="), other.strip_prefix("--policy=")) {
                (Some(value), _) => options.port = parse_port(value)?,
                (_, Some(value)) => options.policy = Some(value.into()),
                _ => bail!(
                    "`cargo xtask demo` does not know `{other}` (options: --port N, --no-build, --policy FILE)"
                ),
            },
        }
    }
    Ok(options)
}

fn parse_port(value: &str) -> Result<u16> {
    match value.parse::<u16>() {
        Ok(port) => Ok(port),
        Err(_) => bail!("`--port {value}`: a port is a number from 0 to 65535"),
    }
}

/// `triage preview FILE` on the freshly built `dist/`, until Ctrl-C.
fn preview(project: &Project, policy: &std::path::Path, port: u16) -> Result<ExitCode> {
    let cli = crate::package::build_cli(project)?;
    let status = crate::cmd::Cmd::new(cli)
        .arg("preview")
        .arg(policy)
        .arg("--port")
        .arg(port.to_string())
        .arg("--widget")
        .arg(project.dist_dir())
        .into_command()
        .status()
        .map_err(|e| crate::error::Error::new(format!("starting triage preview: {e}")))?;
    Ok(if status.success() || signals::received().is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn run(project: &Project, options: &DemoOptions) -> Result<ExitCode> {
    signals::catch();
    if options.build {
        build::build(project)?;
    } else {
        build::read_manifest(project)?;
    }
    if let Some(policy) = &options.policy {
        return preview(project, policy, options.port);
    }
    let binary = server::build_receiver(project)?;
    if signals::received().is_some() {
        return Ok(ExitCode::FAILURE);
    }
    let admin_token = match std::env::var("TRIAGE_ADMIN_TOKEN") {
        Ok(token) if !token.is_empty() => token,
        _ => server::random_token()?,
    };
    let inbox = inbox::start()?;
    let notify_config = project.path(".triage/demo-notifications.toml");
    if let Some(dir) = notify_config.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&notify_config, inbox::config(&inbox, options.port)).map_err(|e| {
        crate::error::Error::new(format!("cannot write {}: {e}", notify_config.display()))
    })?;
    let mut extra_args = vec!["--config".into(), notify_config.display().to_string()];
    extra_args.extend(demo_status_feeds(&project.path(".triage/demo-status"))?);
    let mut receiver = Receiver::start(
        &binary,
        &ReceiverOptions {
            bind: format!("127.0.0.1:{}", options.port),
            db: project.path(".triage/demo.sqlite"),
            site_root: project.root.clone(),
            policies: POLICIES.iter().map(|policy| project.path(policy)).collect(),
            admin_token: admin_token.clone(),
            extra_args,
            log: None,
        },
    )?;
    let url = &receiver.url;
    println!();
    println!("Triage Widget demo: {url}/");
    println!("  support queue:    {}", queue_sign_in_url(url, &admin_token));
    println!("  stored tickets:   curl -H 'Authorization: Bearer {admin_token}' {url}/api/tickets");
    println!("  notifications:    every event goes to the demo's team chat, printed here as `team chat ▸ …`");
    println!("                    (settings in .triage/demo-notifications.toml)");
    println!(
        "  status feeds:     NPS has a live incident: {url}/api/status/nps (local feed .triage/demo-status/nps.json);"
    );
    println!("                    CXM is all clear: {url}/api/status/cxm");
    println!("  Ctrl-C stops the server (tickets stay in .triage/demo.sqlite).");
    println!();

    loop {
        if signals::received().is_some() {
            break;
        }
        if let Some(status) = receiver.try_wait() {
            // The terminal's Ctrl-C reaches the receiver too; it may exit before we see the signal.
            if signals::received().is_some() {
                break;
            }
            bail!("the demo server stopped by itself ({status})");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    match receiver.stop() {
        Some(status) if status.success() => eprintln!("xtask: demo server stopped"),
        Some(status) => eprintln!("xtask: demo server stopped ({status})"),
        None => eprintln!("xtask: demo server stopped"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The queue page's sign-in link for the demo: the token rides in the fragment, which the browser
/// never sends (so it stays out of logs and `Referer`); the page's script signs in with it.
pub fn queue_sign_in_url(base: &str, admin_token: &str) -> String {
    let token: String = admin_token
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{base}/admin/sign-in#token={token}")
}

/// Writes the demo's local status feeds into `dir` (Statuspage v2 summaries: NPS with an incident
/// that began 25 minutes ago, CXM all operational) and returns the receiver flags that serve them
/// through its proxy, `--status-feed nps=FILE --status-feed cxm=FILE`. The e2e tier uses them too.
pub fn demo_status_feeds(dir: &std::path::Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| crate::error::Error::new(format!("cannot create {}: {e}", dir.display())))?;
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let started = rfc3339_utc(now.saturating_sub(25 * 60));
    let identified = rfc3339_utc(now.saturating_sub(10 * 60));
    let nps = format!(
        r#"{{
  "page": {{"id": "demo-nps", "name": "NPS product", "url": "https://nps.status.track.co", "updated_at": "{identified}"}},
  "status": {{"indicator": "critical", "description": "Major System Outage"}},
  "components": [{{"id": "email", "name": "E-mail sending", "status": "major_outage"}}],
  "incidents": [{{
    "id": "demo-nps-email", "name": "Survey e-mails are not being delivered", "status": "identified",
    "impact": "critical", "shortlink": "https://nps.status.track.co/", "created_at": "{started}", "started_at": "{started}",
    "incident_updates": [
      {{"status": "identified", "body": "We found the cause, a failed mail relay, and are moving traffic to a healthy one.", "created_at": "{identified}", "display_at": "{identified}"}},
      {{"status": "investigating", "body": "We are looking into survey e-mails not reaching recipients.", "created_at": "{started}", "display_at": "{started}"}}
    ],
    "components": [{{"id": "email", "name": "E-mail sending"}}]
  }}],
  "scheduled_maintenances": []
}}
"#
    );
    let cxm = r#"{
  "page": {"id": "demo-cxm", "name": "CXM product", "url": "https://cxm.status.track.co"},
  "status": {"indicator": "none", "description": "All Systems Operational"},
  "components": [],
  "incidents": [],
  "scheduled_maintenances": []
}
"#;
    let mut flags = Vec::new();
    for (product, text) in [("nps", nps.as_str()), ("cxm", cxm)] {
        let file = dir.join(format!("{product}.json"));
        std::fs::write(&file, text)
            .map_err(|e| crate::error::Error::new(format!("cannot write {}: {e}", file.display())))?;
        flags.push("--status-feed".to_string());
        flags.push(format!("{product}={}", file.display()));
    }
    Ok(flags)
}

/// `secs` since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian calendar).
fn rfc3339_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let time = secs % 86_400;
    // Days to civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", time / 3600, time / 60 % 60, time % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_link_carries_the_token_in_the_fragment() {
        assert_eq!(
            queue_sign_in_url("http://127.0.0.1:8080", "a b/c"),
            "http://127.0.0.1:8080/admin/sign-in#token=a%20b%2Fc"
        );
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn parses_port_and_no_build() {
        assert_eq!(
            parse(&args(&[])).ok(),
            Some(DemoOptions {
                port: 8080,
                build: true,
                policy: None
            })
        );
        assert_eq!(
            parse(&args(&["--port", "9000", "--no-build"])).ok(),
            Some(DemoOptions {
                port: 9000,
                build: false,
                policy: None
            })
        );
        assert_eq!(
            parse(&args(&["--port=0"])).ok(),
            Some(DemoOptions {
                port: 0,
                build: true,
                policy: None
            })
        );
    }

    #[test]
    fn formats_utc_instants() {
        assert_eq!(super::rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339_utc(1_796_403_599), "2026-12-04T16:59:59Z");
    }

    #[test]
    fn parses_a_policy_to_preview() {
        let got = parse(&args(&["--policy", "mine.json", "--port", "9001"])).expect("valid");
        assert_eq!(
            got.policy.as_deref(),
            Some(std::path::Path::new("mine.json"))
        );
        assert_eq!(got.port, 9001);
        let got = parse(&args(&["--policy=x.json"])).expect("valid");
        assert_eq!(got.policy.as_deref(), Some(std::path::Path::new("x.json")));
        assert!(parse(&args(&["--policy"])).is_err());
    }

    #[test]
    fn rejects_bad_options_by_name() {
        let err = parse(&args(&["--port", "http"])).expect_err("not a number");
        assert!(err.to_string().contains("--port http"), "{err}");
        let err = parse(&args(&["--verbose"])).expect_err("unknown flag");
        assert!(err.to_string().contains("--verbose"), "{err}");
        assert!(parse(&args(&["--port"])).is_err());
    }
}
