//! Reads a policy file from disk and validates it with the tz database, reporting every problem
//! with its JSON path and, where obvious, its fix.

use std::path::Path;

use triage_policy::{parse_policy, Policy, Tzdb};

use crate::failure::Failure;
use crate::hints::{explain, Problem};

/// Why a policy file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file cannot be read (the message names it and the cause).
    Unreadable(String),
    /// The file is read but is not a valid policy: every problem, in document order.
    Invalid(Vec<Problem>),
}

/// The validated policy in `json`, or every problem with its hint.
pub fn parse_text(json: &str) -> Result<Policy, Vec<Problem>> {
    parse_policy(json, &Tzdb).map_err(|errors| {
        let raw: Option<serde_json::Value> = serde_json::from_str(json).ok();
        explain(&errors, raw.as_ref())
    })
}

/// The validated policy at `path`.
pub fn read_policy(path: &Path) -> Result<Policy, LoadError> {
    let json = std::fs::read_to_string(path)
        .map_err(|e| LoadError::Unreadable(format!("cannot read policy file {}: {e}", path.display())))?;
    parse_text(&json).map_err(LoadError::Invalid)
}

/// `<file> is not a valid policy: N problems`, then one line per problem with its fix.
pub fn describe_problems(path: &Path, problems: &[Problem]) -> String {
    let count = problems.len();
    let mut message =
        format!("{} is not a valid policy: {count} problem{}", path.display(), if count == 1 { "" } else { "s" });
    for problem in problems {
        message.push_str(&format!("\n  {}: {}", problem.path, problem.message));
        if let Some(fix) = &problem.fix {
            message.push_str(&format!("\n      fix: {fix}"));
        }
    }
    message
}

/// The validated policy at `path`, or a [`Failure::Policy`] naming the file and listing every
/// problem with its JSON path.
pub fn load_policy(path: &Path) -> Result<Policy, Failure> {
    read_policy(path).map_err(|e| match e {
        LoadError::Unreadable(message) => Failure::Policy(message),
        LoadError::Invalid(problems) => Failure::Policy(describe_problems(path, &problems)),
    })
}
