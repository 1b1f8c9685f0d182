//! Why a command failed, and the exit status each kind of failure maps to.

use std::fmt;

/// A failed command: what to tell the user and how to exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The command line is malformed (exit 2; the usage follows the message).
    Usage(String),
    /// The command line names something the policy does not have, or is incomplete for it
    /// (exit 2; the message lists what the policy offers).
    Argument(String),
    /// The policy file cannot be read or is not a valid policy (exit 1).
    Policy(String),
    /// The policy is invalid and the problems are already written to stdout (`--format json`):
    /// exit 1 with nothing more to say.
    Reported,
}

impl Failure {
    /// 1 for a bad policy file, 2 for bad arguments.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Policy(_) | Failure::Reported => 1,
            Failure::Usage(_) | Failure::Argument(_) => 2,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(m) | Failure::Argument(m) | Failure::Policy(m) => f.write_str(m),
            Failure::Reported => f.write_str("the policy is not valid"),
        }
    }
}

/// `"a, b, c"`, or `fallback` when there is nothing to list.
pub fn list<'a>(items: impl IntoIterator<Item = &'a str>, fallback: &str) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    if items.is_empty() {
        fallback.to_string()
    } else {
        items.join(", ")
    }
}
