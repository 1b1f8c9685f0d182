//! Running outside programs (cargo, npm, wasm-bindgen, wasm-opt, apt-get) with the command echoed
//! and failures that name the command.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{bail, Error, Result};

/// A command line being prepared; printed as `$ program args…` when run.
pub struct Cmd {
    command: Command,
    shown: String,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let program = program.as_ref();
        Cmd {
            command: Command::new(program),
            shown: program.to_string_lossy().into_owned(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        let arg = arg.as_ref();
        self.shown.push(' ');
        self.shown.push_str(&shell_quote(&arg.to_string_lossy()));
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.command.current_dir(dir);
        self
    }

    /// The command as shown to the user.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub fn into_command(self) -> Command {
        self.command
    }

    /// Runs with inherited stdio; Err unless it exits with status 0.
    pub fn run(mut self) -> Result<()> {
        eprintln!("$ {}", self.shown);
        let status = self
            .command
            .status()
            .map_err(|err| spawn_error(&self.shown, &err))?;
        if !status.success() {
            bail!("`{}` failed ({status})", self.shown);
        }
        Ok(())
    }

    /// Runs quietly and returns stdout; Err (with stderr) unless it exits with status 0.
    pub fn read(mut self) -> Result<String> {
        let output = self
            .command
            .stdin(Stdio::null())
            .output()
            .map_err(|err| spawn_error(&self.shown, &err))?;
        if !output.status.success() {
            bail!(
                "`{}` failed ({}): {}",
                self.shown,
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        String::from_utf8(output.stdout)
            .map_err(|_| Error::new(format!("`{}` printed output that is not UTF-8", self.shown)))
    }

    /// Runs with stdout echoed line by line to our stdout and handed to `on_line`; stderr is
    /// inherited. Returns whether the command exited with status 0.
    pub fn run_teeing(mut self, mut on_line: impl FnMut(&str)) -> Result<bool> {
        eprintln!("$ {}", self.shown);
        let mut child = self
            .command
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|err| spawn_error(&self.shown, &err))?;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = String::from_utf8_lossy(line?.as_bytes()).into_owned();
                println!("{line}");
                on_line(&line);
            }
        }
        let status = child.wait()?;
        Ok(status.success())
    }
}

fn spawn_error(shown: &str, err: &std::io::Error) -> Error {
    if err.kind() == std::io::ErrorKind::NotFound {
        let program = shown.split(' ').next().unwrap_or(shown);
        Error::new(format!(
            "cannot run `{shown}`: `{program}` was not found on PATH"
        ))
    } else {
        Error::new(format!("cannot run `{shown}`: {err}"))
    }
}

/// Quotes an argument for display when it holds characters a shell would split or expand.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Looks `program` up on PATH.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_a_shell_would_mangle() {
        assert_eq!(shell_quote("--target"), "--target");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn failing_command_names_itself() {
        let err = Cmd::new("false")
            .arg("--flag")
            .read()
            .expect_err("`false` exits with 1");
        assert!(err.to_string().contains("`false --flag` failed"), "{err}");
    }

    #[test]
    fn missing_program_says_not_found() {
        let err = Cmd::new("no-such-program-xtask")
            .run()
            .expect_err("program does not exist");
        assert!(err.to_string().contains("not found on PATH"), "{err}");
    }
}
