//! Where things are: the repository root, the cargo target dir, and the files xtask reads or writes.

use std::path::{Path, PathBuf};

use crate::error::{bail, Context, Result};

/// Paths of the workspace, resolved once at start.
#[derive(Debug, Clone)]
pub struct Project {
    /// The repository root (the directory holding the workspace `Cargo.toml`).
    pub root: PathBuf,
    /// Cargo's target directory (`CARGO_TARGET_DIR` or `<root>/target`).
    pub target_dir: PathBuf,
}

impl Project {
    pub fn locate() -> Result<Project> {
        // `cargo run` (behind the `cargo xtask` alias) sets CARGO_MANIFEST_DIR at run time too; the
        // compile-time value is the fallback when the binary is started directly.
        let xtask_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = xtask_dir
            .as_path()
            .parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| crate::error::Error::new("xtask's manifest dir has no parent"))?;
        if !root.join("Cargo.toml").is_file() {
            bail!("workspace root {} has no Cargo.toml", root.display());
        }
        let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => {
                let dir = PathBuf::from(dir);
                if dir.is_absolute() {
                    dir
                } else {
                    root.join(dir)
                }
            }
            _ => root.join("target"),
        };
        Ok(Project { root, target_dir })
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn dist_dir(&self) -> PathBuf {
        self.root.join("dist")
    }

    /// Scratch space of xtask inside the target dir (bindgen output, optimised wasm, stamps).
    pub fn xtask_cache_dir(&self) -> PathBuf {
        self.target_dir.join("xtask")
    }

    /// The version of `package` recorded in Cargo.lock (the first entry of that name).
    pub fn locked_version(&self, package: &str) -> Result<String> {
        let lock_path = self.path("Cargo.lock");
        let lock = std::fs::read_to_string(&lock_path)
            .with_context(|| format!("reading {}", lock_path.display()))?;
        match locked_version_in(&lock, package) {
            Some(version) => Ok(version),
            None => bail!(
                "{} has no [[package]] named `{package}`",
                lock_path.display()
            ),
        }
    }
}

/// Finds `version = "…"` of the `[[package]]` named `package` in the text of a Cargo.lock.
pub fn locked_version_in(lock: &str, package: &str) -> Option<String> {
    let wanted_name = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "[[package]]" {
            continue;
        }
        let mut name_matches = false;
        for field in lines.by_ref() {
            let field = field.trim();
            if field.is_empty() || field.starts_with('[') {
                break;
            }
            if field == wanted_name {
                name_matches = true;
            } else if let Some(version) = field.strip_prefix("version = \"") {
                if name_matches {
                    return version.strip_suffix('"').map(str::to_owned);
                }
            }
        }
    }
    None
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Writes a file through a temporary sibling and a rename, so readers never see half a file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| crate::error::Error::new(format!("{} has no file name", path.display())))?;
    let temp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    std::fs::write(&temp, contents).with_context(|| format!("writing {}", temp.display()))?;
    std::fs::rename(&temp, path)
        .with_context(|| format!("renaming {} to {}", temp.display(), path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen-test"
version = "0.3.80"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]

[[package]]
name = "zzz"
version = "1.0.0"
"#;

    #[test]
    fn finds_the_exact_package_not_a_prefix_match() {
        assert_eq!(
            locked_version_in(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version_in(LOCK, "wasm-bindgen-test").as_deref(),
            Some("0.3.80")
        );
        assert_eq!(locked_version_in(LOCK, "zzz").as_deref(), Some("1.0.0"));
    }

    #[test]
    fn missing_package_is_none() {
        assert_eq!(locked_version_in(LOCK, "leptos"), None);
    }
}
