//! Reads a policy file from disk and validates it with the tz database, reporting every problem.

use std::path::Path;

use triage_policy::{parse_policy, Policy, Tzdb};

use crate::failure::Failure;

/// The validated policy at `path`, or a [`Failure::Policy`] naming the file and listing every
/// problem with its JSON path.
pub fn load_policy(path: &Path) -> Result<Policy, Failure> {
    let json = std::fs::read_to_string(path)
        .map_err(|e| Failure::Policy(format!("cannot read policy file {}: {e}", path.display())))?;
    parse_policy(&json, &Tzdb).map_err(|errors| {
        let count = errors.len();
        let mut message =
            format!("{} is not a valid policy: {count} problem{}", path.display(), if count == 1 { "" } else { "s" });
        for problem in &errors {
            message.push_str(&format!("\n  {}: {}", problem.path, problem.message));
        }
        Failure::Policy(message)
    })
}
