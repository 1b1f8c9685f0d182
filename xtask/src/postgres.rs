//! A throwaway PostgreSQL server for the tests: Debian's `postgresql` (installed when missing), a
//! data directory under `target/`, a free port on 127.0.0.1, stopped and removed when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cmd::{is_executable, which, Cmd};
use crate::error::{bail, Context, Result};
use crate::project::Project;

/// The directory of the newest installed PostgreSQL's programs, installing Debian's package first
/// when there is none.
pub fn ensure_installed() -> Result<PathBuf> {
    if let Some(bin) = find_bin() {
        return Ok(bin);
    }
    eprintln!("xtask: PostgreSQL is missing; installing Debian's postgresql");
    let apt = |args: &[&str]| {
        let cmd = if is_root() {
            Cmd::new("apt-get")
        } else if which("sudo").is_some() {
            Cmd::new("sudo").arg("apt-get")
        } else {
            return Err(crate::error::Error::new(
                "installing PostgreSQL needs root (or sudo): run `apt-get install -y postgresql` as root",
            ));
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive").run()
    };
    apt(&["update"])?;
    apt(&["install", "-y", "--no-install-recommends", "postgresql"])?;
    match find_bin() {
        Some(bin) => Ok(bin),
        None => bail!("initdb is still missing under /usr/lib/postgresql after installing Debian's postgresql"),
    }
}

fn find_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| is_executable(&bin.join("initdb")) && is_executable(&bin.join("pg_ctl")))
        .collect();
    // Newest major version last (directories are named by version number).
    found.sort_by_key(|bin| {
        bin.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
    });
    found.pop()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A PostgreSQL program run as the `postgres` user when we are root (`initdb` refuses root).
fn pg_cmd(program: &Path, args: &[&str]) -> Cmd {
    if is_root() {
        let quote = |text: &str| format!("'{}'", text.replace('\'', "'\\''"));
        let mut line = quote(&program.display().to_string());
        for arg in args {
            line.push(' ');
            line.push_str(&quote(arg));
        }
        Cmd::new("su").args(["postgres", "-s", "/bin/sh", "-c", &line])
    } else {
        Cmd::new(program).args(args)
    }
}

/// A running throwaway server.
pub struct PgServer {
    bin: PathBuf,
    dir: PathBuf,
    pub port: u16,
}

impl PgServer {
    /// Initializes a data directory under `target/xtask-postgres/` and starts a server on a free
    /// port, with `fsync` off (test data need not survive a power cut).
    pub fn start(project: &Project) -> Result<PgServer> {
        Self::start_with(project, false)
    }

    /// Like [`PgServer::start`]; `durable` keeps `fsync` on (benchmarks: every commit on disk).
    pub fn start_with(project: &Project, durable: bool) -> Result<PgServer> {
        let bin = ensure_installed()?;
        let dir = project.path(&format!("target/xtask-postgres/run-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing the old {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        if is_root() {
            Cmd::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).run()?;
        }
        let data = dir.join("data").display().to_string();
        pg_cmd(&bin.join("initdb"), &["-D", &data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
            .read()
            .context("initdb of the test PostgreSQL")?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let server = PgServer { bin, dir, port };
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{}' -c fsync={} \
             -c max_connections=300 -c shared_buffers=64MB",
            server.dir.display(),
            if durable { "on" } else { "off" }
        );
        let log = server.dir.join("server.log").display().to_string();
        pg_cmd(&server.bin.join("pg_ctl"), &["-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start"])
            .read()
            .with_context(|| format!("starting the test PostgreSQL (log: {log})"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("the test PostgreSQL does not listen on 127.0.0.1:{port} (log: {log})");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("xtask: test PostgreSQL on 127.0.0.1:{port} (data: {data})");
        Ok(server)
    }

    /// The admin URL the tests create their databases with.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let psql = self.bin.join("psql");
        let port = self.port.to_string();
        pg_cmd(&psql, &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-c", &format!("CREATE DATABASE {name}")])
            .read()
            .with_context(|| format!("creating database {name}"))?;
        Ok(format!("postgres://postgres@127.0.0.1:{}/{name}", self.port))
    }

    /// The directory of the PostgreSQL programs (tests start servers of their own with them).
    pub fn bin(&self) -> &Path {
        &self.bin
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        if let Err(error) = pg_cmd(&self.bin.join("pg_ctl"), &["-D", &data, "-m", "fast", "-w", "stop"]).read() {
            eprintln!("xtask: warning: stopping the test PostgreSQL: {error}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
