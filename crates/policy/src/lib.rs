//! Triage policy engine: parses and validates a support policy, classifies answers into a severity,
//! and turns a plan's promises into due times in business calendars. Pure Rust: no DOM, no I/O.
//!
//! ```text
//! JSON ──parse_policy──▶ Policy ──walk/classify──▶ Classification { severity, trail }
//!                          └──────due(plan, severity, channel, opened)──▶ Due { first_response, resolution }
//! status feed JSON ──status::parse_feed──▶ Feed ──current_incident──▶ the known incident to show
//! ```
//!
//! Time zones go through [`ZoneResolver`]: [`Tzdb`] (feature `tzdb`, chrono-tz) natively; the
//! widget implements it over the browser's `Intl`. The calendar semantics (clock start, business
//! hours and days, holidays, DST) are documented with worked examples in [`calendar`].

pub mod calendar;
mod decode;
pub mod error;
pub mod json;
pub mod model;
pub mod policy;
#[cfg(feature = "schema")]
pub mod schema;
pub mod status;
#[cfg(all(test, feature = "tzdb"))]
mod testing;
pub mod ticket;
pub mod validate;
pub mod zone;

pub use calendar::BusinessCalendar;
pub use error::{ClassifyError, DueError, PolicyError, PolicyErrors};
pub use model::{
    Answer, Calendar, Channel, FeedFormat, Localized, Next, Plan, PolicyFile, Product, Question, Severity, Span,
    StatusFeed, Target, Unit,
};
pub use policy::{Classification, Due, DueAt, Overrun, Policy, TrailStep, Walk};
pub use validate::{parse_file, parse_policy, validate};
#[cfg(feature = "tzdb")]
pub use zone::Tzdb;
pub use zone::{ZoneError, ZoneResolver};
