//! Reference ticket receiver and demo server: stores tickets, trusts nothing from the browser.
//!
//! `POST /api/tickets` validates a ticket against its policy, recomputes plan (from a signed
//! identity), severity (from the answers) and due times (from the receiver's clock), and stores it
//! in SQLite exactly once per `Idempotency-Key`. See [`app::app`] for the routes.

pub mod admin;
pub mod admin_ui;
pub mod app;
pub mod config;
pub mod db;
pub mod error;
pub mod identity;
pub mod intake;
pub mod notify;
pub mod outbox;
pub mod policies;
pub mod rate_limit;
pub mod server;
pub mod sla;
pub mod sniff;
pub mod state;
pub mod static_files;
pub mod status;
pub mod ticket_status;
pub mod tickets;
pub mod validate;

pub use app::app;
pub use config::Config;
pub use state::{AppState, Clock};
