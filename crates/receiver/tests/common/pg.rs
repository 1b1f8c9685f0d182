//! PostgreSQL for tests: the server `cargo xtask test` started (`TRIAGE_TEST_POSTGRES_URL`), a fresh
//! database on it per test, and throwaway servers of a test's own (for stopping one under load).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The variable holding the test server's admin URL (`postgres://postgres@127.0.0.1:PORT/postgres`).
pub const URL_VAR: &str = "TRIAGE_TEST_POSTGRES_URL";

/// The admin URL of the test server; panics with what to do when there is none.
pub fn admin_url() -> String {
    std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()).unwrap_or_else(|| {
        panic!(
            "{URL_VAR} is not set: these tests need a PostgreSQL server. Run them through \
             `cargo xtask test native`, which installs PostgreSQL and starts a throwaway server"
        )
    })
}

/// `url` with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// Creates an empty database on the server at `admin_url` and returns its URL. Works from any
/// context (its own thread and runtime), so a synchronous config builder can call it.
pub fn fresh_database(admin_url: &str) -> String {
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = admin_url.to_string();
    let statement = format!("CREATE DATABASE {name}");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL at {admin}: {e}"));
            sqlx::query(&statement).execute(&mut conn).await.expect("CREATE DATABASE");
            let _ = conn.close().await;
        })
    })
    .join()
    .expect("database creation thread");
    with_database(admin_url, &name)
}

/// Runs `sql` on the database at `url` and returns the first column of every row as text.
pub async fn query_strings(url: &str, sql: &str) -> Vec<String> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let rows = sqlx::query(sql).fetch_all(&mut conn).await.expect("query");
    rows.iter().map(|row| row.try_get::<String, _>(0).expect("text column")).collect()
}

/// The directory of PostgreSQL's programs (`initdb`, `pg_ctl`).
pub fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("TRIAGE_TEST_POSTGRES_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").is_file()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_else(|| panic!("no PostgreSQL under /usr/lib/postgresql: run `cargo xtask test native` (it installs it)"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Runs a PostgreSQL program, as the `postgres` user when we are root (`initdb` refuses root).
fn pg_command(program: &Path, args: &[&str]) -> Command {
    let is_root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    if is_root {
        let mut line = shell_quote(&program.display().to_string());
        for arg in args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        let mut command = Command::new("su");
        command.args(["postgres", "-s", "/bin/sh", "-c", &line]);
        command
    } else {
        let mut command = Command::new(program);
        command.args(args);
        command
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A PostgreSQL server of one test: its own data directory and port; stopped and removed on drop.
pub struct PgServer {
    pub dir: tempfile::TempDir,
    pub port: u16,
    bin: PathBuf,
}

impl PgServer {
    /// Creates and starts a server (data directory under `target/`).
    pub fn start() -> Self {
        let bin = bin_dir();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-postgres");
        std::fs::create_dir_all(&root).expect("target/test-postgres");
        let dir = tempfile::Builder::new().prefix("pg-").tempdir_in(&root).expect("temp dir");
        let chown = Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status();
        if !chown.map(|s| s.success()).unwrap_or(false) {
            // Not root: the directory is ours already.
        }
        let data = dir.path().join("data");
        let data_str = data.display().to_string();
        let status = pg_command(&bin.join("initdb"), &["-D", &data_str, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("initdb runs");
        assert!(status.success(), "initdb failed in {data_str}");
        let server = Self { dir, port: free_port(), bin };
        server.start_again();
        server
    }

    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// Starts the (stopped) server again on the same port and data.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{}' -c fsync=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        let status = pg_command(&self.bin.join("pg_ctl"), &["-D", &self.data(), "-l", &log, "-o", &options, "-w", "start"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(status.success(), "pg_ctl start failed (log {log})");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "PostgreSQL did not listen on port {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server at once (connections are cut, as when a database host goes away).
    pub fn stop(&self) {
        let _ = pg_command(&self.bin.join("pg_ctl"), &["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
    }
}
