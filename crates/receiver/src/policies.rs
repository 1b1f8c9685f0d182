//! The policies this receiver serves, loaded and validated at start, looked up by `policy.id`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use triage_policy::{parse_policy, Policy, Tzdb};

/// A policy file that cannot be served.
#[derive(Debug)]
pub enum LoadError {
    Read { path: PathBuf, message: String },
    Invalid { path: PathBuf, problems: String },
    DuplicateId { id: String, first: PathBuf, second: PathBuf },
    None,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read { path, message } => write!(f, "cannot read policy {}: {message}", path.display()),
            Self::Invalid { path, problems } => {
                writeln!(f, "policy {} is not valid:", path.display())?;
                for line in problems.lines() {
                    writeln!(f, "  {line}")?;
                }
                Ok(())
            }
            Self::DuplicateId { id, first, second } => write!(
                f,
                "policy id `{id}` is used by both {} and {}; ids must be unique",
                first.display(),
                second.display()
            ),
            Self::None => write!(f, "no policy given: pass --policy FILE at least once"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Policies by id.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    by_id: BTreeMap<String, Arc<Policy>>,
}

impl PolicySet {
    /// Reads and validates every file; all must be valid and their ids unique.
    pub fn load(paths: &[PathBuf]) -> Result<Self, LoadError> {
        if paths.is_empty() {
            return Err(LoadError::None);
        }
        let mut set = Self::default();
        let mut sources: BTreeMap<String, PathBuf> = BTreeMap::new();
        for path in paths {
            let policy = load_one(path)?;
            let id = policy.id().to_string();
            if let Some(first) = sources.get(&id) {
                return Err(LoadError::DuplicateId { id, first: first.clone(), second: path.clone() });
            }
            sources.insert(id.clone(), path.clone());
            set.by_id.insert(id, Arc::new(policy));
        }
        Ok(set)
    }

    /// A set from already parsed policies (later ones replace earlier ones with the same id).
    pub fn from_policies(policies: impl IntoIterator<Item = Policy>) -> Self {
        Self { by_id: policies.into_iter().map(|p| (p.id().to_string(), Arc::new(p))).collect() }
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Policy>> {
        self.by_id.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

fn load_one(path: &Path) -> Result<Policy, LoadError> {
    let json = std::fs::read_to_string(path)
        .map_err(|e| LoadError::Read { path: path.to_path_buf(), message: e.to_string() })?;
    parse_policy(&json, &Tzdb)
        .map_err(|errors| LoadError::Invalid { path: path.to_path_buf(), problems: errors.to_string() })
}
