//! Triage policy engine: parses and validates a support policy, classifies answers into a severity,
//! and turns a plan's promises into due times in business calendars. Pure Rust: no DOM, no I/O.

pub mod model;
pub mod ticket;
