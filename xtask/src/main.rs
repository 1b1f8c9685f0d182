//! `cargo xtask`: build, demo, test and size automation.
fn main() {}
