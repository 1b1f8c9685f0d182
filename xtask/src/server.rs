//! Starting and stopping the receiver (`triage-receiver`), the demo and e2e server.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cmd::Cmd;
use crate::error::{bail, Context, Error, Result};
use crate::project::Project;
use crate::signals;

pub const POLICIES: &[&str] = &[
    "www/policies/priority-p1-p4.json",
    "www/policies/impact-t1-t4.json",
];
/// How long a started receiver may take to print `listening on http://…`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a receiver may take to shut down after SIGINT before it is killed.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Compiles the receiver (debug profile) and returns the path of its binary.
pub fn build_receiver(project: &Project) -> Result<PathBuf> {
    Cmd::new("cargo")
        .args(["build", "-p", "triage-receiver", "--bin", "triage-receiver"])
        .current_dir(&project.root)
        .run()
        .context("compiling the receiver")?;
    let binary = project.target_dir.join("debug").join("triage-receiver");
    if !binary.is_file() {
        bail!(
            "{} is missing after `cargo build -p triage-receiver`",
            binary.display()
        );
    }
    Ok(binary)
}

/// How to start the receiver.
pub struct ReceiverOptions {
    /// `host:port`; port 0 lets the system pick a free one.
    pub bind: String,
    pub db: PathBuf,
    pub site_root: PathBuf,
    pub policies: Vec<PathBuf>,
    pub admin_token: String,
    pub extra_args: Vec<String>,
    /// Where its output goes: the terminal, or a log file.
    pub log: Option<PathBuf>,
}

/// A running receiver; stopped (SIGINT, then kill) when dropped.
pub struct Receiver {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, as the receiver printed it.
    pub url: String,
    output: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start(binary: &Path, options: &ReceiverOptions) -> Result<Receiver> {
        let mut cmd = Cmd::new(binary)
            .arg("--bind")
            .arg(&options.bind)
            .arg("--db")
            .arg(&options.db)
            .arg("--site-root")
            .arg(&options.site_root);
        for policy in &options.policies {
            cmd = cmd.arg("--policy").arg(policy);
        }
        cmd = cmd
            .arg("--admin-token")
            .arg(&options.admin_token)
            .args(&options.extra_args);
        let shown = cmd.shown().replace(&options.admin_token, "***");
        eprintln!("$ {shown}");

        let mut log_file = match &options.log {
            Some(path) => {
                Some(File::create(path).with_context(|| format!("creating {}", path.display()))?)
            }
            None => None,
        };
        let stderr = match &log_file {
            Some(file) => Stdio::from(file.try_clone()?),
            None => Stdio::inherit(),
        };
        let mut command = cmd.into_command();
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::new("receiver stdout was not captured"))?;

        let (address_tx, address_rx) = mpsc::channel::<String>();
        let output = std::thread::spawn(move || {
            let mut address_tx = Some(address_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match log_file.as_mut() {
                    Some(file) => {
                        let _ = writeln!(file, "{line}");
                    }
                    None => println!("{line}"),
                }
                if let Some(url) = listening_url(&line) {
                    if let Some(tx) = address_tx.take() {
                        let _ = tx.send(url);
                    }
                }
            }
        });

        let mut receiver = Receiver {
            child: Some(child),
            url: String::new(),
            output: Some(output),
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            match address_rx.recv_timeout(Duration::from_millis(200)) {
                Ok(url) => {
                    receiver.url = url;
                    return Ok(receiver);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = receiver.wait_exit(Duration::from_secs(5));
                    bail!(
                        "the receiver stopped before it was listening ({}){}",
                        status
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| "still running".into()),
                        log_hint(options.log.as_deref())
                    );
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if signals::received().is_some() {
                        bail!("interrupted while the receiver was starting");
                    }
                    if Instant::now() > deadline {
                        bail!(
                            "the receiver printed no `listening on http://…` within {}s{}",
                            STARTUP_TIMEOUT.as_secs(),
                            log_hint(options.log.as_deref())
                        );
                    }
                }
            }
        }
    }

    /// Exit status if the receiver has exited on its own.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|child| child.try_wait().ok().flatten())
    }

    /// Asks the receiver to shut down (SIGINT), kills it after a grace period, and waits.
    pub fn stop(mut self) -> Option<ExitStatus> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Option<ExitStatus> {
        let child = self.child.as_mut()?;
        if let Ok(Some(status)) = child.try_wait() {
            self.child = None;
            self.join_output();
            return Some(status);
        }
        signals::send(child.id(), libc::SIGINT);
        let status = self.wait_exit(SHUTDOWN_TIMEOUT).or_else(|| {
            let child = self.child.as_mut()?;
            eprintln!(
                "xtask: the receiver did not stop within {}s; killing it",
                SHUTDOWN_TIMEOUT.as_secs()
            );
            let _ = child.kill();
            child.wait().ok()
        });
        self.child = None;
        self.join_output();
        status
    }

    fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let child = self.child.as_mut()?;
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn join_output(&mut self) {
        if let Some(output) = self.output.take() {
            let _ = output.join();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn log_hint(log: Option<&Path>) -> String {
    log.map(|path| format!("; its output is in {}", path.display()))
        .unwrap_or_default()
}

/// `listening on http://127.0.0.1:43210` → `http://127.0.0.1:43210`.
pub fn listening_url(line: &str) -> Option<String> {
    let start = line.find("listening on http://")? + "listening on ".len();
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    Some(url.trim_end_matches('/').to_owned())
}

/// A random token (hex of 16 bytes from the OS), for the admin API of servers xtask starts.
pub fn random_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    File::open("/dev/urandom")
        .and_then(|mut urandom| urandom.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_printed_address() {
        assert_eq!(
            listening_url("listening on http://127.0.0.1:40123").as_deref(),
            Some("http://127.0.0.1:40123")
        );
        assert_eq!(
            listening_url("2026-01-01T00:00:00Z INFO listening on http://[::1]:8080/ (demo)")
                .as_deref(),
            Some("http://[::1]:8080")
        );
        assert_eq!(listening_url("starting up"), None);
    }

    #[test]
    fn tokens_are_random_hex() {
        let first = random_token().expect("urandom readable");
        assert_eq!(first.len(), 32);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(first, random_token().expect("urandom readable"));
    }
}
