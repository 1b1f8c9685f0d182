//! Makes sure the outside tools are present at the right versions, installing what is missing from
//! rustup, crates.io (`cargo install`), the npm registry (`npm ci`: wasm-opt, terser) and Debian
//! (`apt-get`) only.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::cmd::{is_executable, which, Cmd};
use crate::error::{bail, Context, Result};
use crate::project::Project;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Oldest binaryen release whose wasm-opt handles the features wasm-bindgen 0.2.130 emits.
pub const MIN_BINARYEN: u32 = 132;
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Installs the `wasm32-unknown-unknown` standard library unless the toolchain has it.
pub fn ensure_wasm_target() -> Result<()> {
    let sysroot = Cmd::new("rustc").args(["--print", "sysroot"]).read()?;
    let target_lib = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(WASM_TARGET);
    if target_lib.is_dir() {
        return Ok(());
    }
    Cmd::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .run()
}

/// Paths of wasm-bindgen-cli's programs, at the version Cargo.lock pins.
#[derive(Debug, Clone)]
pub struct WasmBindgen {
    pub bindgen: PathBuf,
    pub test_runner: PathBuf,
    pub version: String,
}

/// Finds wasm-bindgen and wasm-bindgen-test-runner at exactly Cargo.lock's wasm-bindgen version,
/// or installs that version with `cargo install` into cargo's home.
pub fn ensure_wasm_bindgen(project: &Project) -> Result<WasmBindgen> {
    let version = project.locked_version("wasm-bindgen")?;
    let cargo_bin = cargo_home().join("bin");
    if let Some(found) = find_wasm_bindgen(&version, &cargo_bin) {
        return Ok(found);
    }
    eprintln!("xtask: installing wasm-bindgen-cli {version} (matches Cargo.lock's wasm-bindgen)");
    Cmd::new("cargo")
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--root",
        ])
        .arg(cargo_home())
        .run()
        .context("installing wasm-bindgen-cli")?;
    match find_wasm_bindgen(&version, &cargo_bin) {
        Some(found) => Ok(found),
        None => bail!(
            "installed wasm-bindgen-cli {version} into {}, but no `wasm-bindgen {version}` \
             is runnable there",
            cargo_bin.display()
        ),
    }
}

fn find_wasm_bindgen(version: &str, cargo_bin: &Path) -> Option<WasmBindgen> {
    let mut dirs: Vec<PathBuf> = vec![cargo_bin.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter().find_map(|dir| {
        let bindgen = dir.join("wasm-bindgen");
        let test_runner = dir.join("wasm-bindgen-test-runner");
        let matches = |program: &Path| {
            is_executable(program)
                && Cmd::new(program)
                    .arg("--version")
                    .read()
                    .map(|out| out.split_whitespace().nth(1) == Some(version))
                    .unwrap_or(false)
        };
        (matches(&bindgen) && matches(&test_runner)).then(|| WasmBindgen {
            bindgen,
            test_runner,
            version: version.to_owned(),
        })
    })
}

fn cargo_home() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home),
        _ => {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| "/root".into());
            home.join(".cargo")
        }
    }
}

/// wasm-opt from the npm package `binaryen`, pinned in `xtask/npm/package-lock.json`.
#[derive(Debug, Clone)]
pub struct WasmOpt {
    pub program: PathBuf,
    pub version: u32,
}

pub fn ensure_wasm_opt(project: &Project) -> Result<WasmOpt> {
    let npm_dir = project.path("xtask/npm");
    ensure_node_modules(&npm_dir)?;
    let program = npm_dir.join("node_modules/.bin/wasm-opt");
    if !program.exists() {
        bail!(
            "{} is missing after `npm ci` in {}",
            program.display(),
            npm_dir.display()
        );
    }
    let printed = Cmd::new(&program).arg("--version").read()?;
    let version = parse_binaryen_version(&printed).ok_or_else(|| {
        crate::error::Error::new(format!(
            "cannot read a version from `wasm-opt --version`: {printed:?}"
        ))
    })?;
    if version < MIN_BINARYEN {
        bail!(
            "wasm-opt in {} is binaryen {version}; {MIN_BINARYEN} or newer is needed \
             (update `binaryen` in xtask/npm/package.json)",
            npm_dir.display()
        );
    }
    Ok(WasmOpt { program, version })
}

/// terser (the loader's minifier) from the npm package `terser`, pinned in
/// `xtask/npm/package-lock.json`.
#[derive(Debug, Clone)]
pub struct Terser {
    pub program: PathBuf,
    pub version: String,
}

pub fn ensure_terser(project: &Project) -> Result<Terser> {
    let npm_dir = project.path("xtask/npm");
    ensure_node_modules(&npm_dir)?;
    let program = npm_dir.join("node_modules/.bin/terser");
    if !program.exists() {
        bail!(
            "{} is missing after `npm ci` in {} (is `terser` in xtask/npm/package.json?)",
            program.display(),
            npm_dir.display()
        );
    }
    let printed = Cmd::new(&program).arg("--version").read()?;
    let version = parse_terser_version(&printed).ok_or_else(|| {
        crate::error::Error::new(format!(
            "cannot read a version from `terser --version`: {printed:?}"
        ))
    })?;
    Ok(Terser { program, version })
}

/// `terser 5.51.2` → `5.51.2`.
pub fn parse_terser_version(printed: &str) -> Option<String> {
    let mut words = printed.split_whitespace();
    (words.next() == Some("terser"))
        .then(|| words.next())
        .flatten()
        .filter(|version| version.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_owned)
}

/// `wasm-opt version 132 (version_132)` → 132.
pub fn parse_binaryen_version(printed: &str) -> Option<u32> {
    let after = printed.split("version").nth(1)?;
    let digits: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Runs `npm ci` in `dir` when its node_modules is missing or older than its package files.
pub fn ensure_node_modules(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    if !lock.is_file() {
        bail!(
            "{} is missing: it pins the npm packages to install",
            lock.display()
        );
    }
    // npm writes this file at the end of every successful install.
    let installed_marker = dir.join("node_modules/.package-lock.json");
    let installed_at = modified(&installed_marker);
    let newest_input = [modified(&lock), modified(&dir.join("package.json"))]
        .into_iter()
        .flatten()
        .max();
    let fresh = match (installed_at, newest_input) {
        (Some(installed), Some(input)) => installed >= input,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    if which("npm").is_none() {
        bail!("`npm` is not on PATH: install Node.js 18+ and npm (e.g. `apt-get install -y nodejs npm`)");
    }
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .current_dir(dir)
        .run()
        .with_context(|| format!("installing npm packages in {}", dir.display()))
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|meta| meta.modified()).ok()
}

/// Installs Debian's chromium and chromium-driver when either program is missing.
pub fn ensure_chromium() -> Result<()> {
    if is_executable(Path::new(CHROMIUM)) && is_executable(Path::new(CHROMEDRIVER)) {
        return Ok(());
    }
    eprintln!("xtask: {CHROMIUM} or {CHROMEDRIVER} is missing; installing Debian's chromium");
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let apt = |args: &[&str]| {
        let cmd = if root {
            Cmd::new("apt-get")
        } else if which("sudo").is_some() {
            Cmd::new("sudo").arg("apt-get")
        } else {
            return Err(crate::error::Error::new(
                "installing chromium needs root (or sudo): run `apt-get install -y chromium chromium-driver` as root",
            ));
        };
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    apt(&["update"])?;
    apt(&["install", "-y", "chromium", "chromium-driver"])?;
    for program in [CHROMIUM, CHROMEDRIVER] {
        if !is_executable(Path::new(program)) {
            bail!(
                "{program} is still missing after installing Debian's chromium and chromium-driver"
            );
        }
    }
    Ok(())
}

/// Reads a small text file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_binaryen_versions() {
        assert_eq!(
            parse_binaryen_version("wasm-opt version 132 (version_132)"),
            Some(132)
        );
        assert_eq!(
            parse_binaryen_version("wasm-opt version 123-nightly"),
            Some(123)
        );
        assert_eq!(parse_binaryen_version("wasm-opt"), None);
    }

    #[test]
    fn reads_terser_versions() {
        assert_eq!(
            parse_terser_version("terser 5.51.2\n").as_deref(),
            Some("5.51.2")
        );
        assert_eq!(parse_terser_version("terser"), None);
        assert_eq!(parse_terser_version("uglify-js 3.19.0"), None);
    }
}
