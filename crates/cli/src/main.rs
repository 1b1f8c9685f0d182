//! `triage`: the site owner's command-line check of a support policy.
fn main() {}
