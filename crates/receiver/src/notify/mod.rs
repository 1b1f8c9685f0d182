//! Notifications: events about tickets delivered durably to e-mail (SMTP), signed webhooks and chat.
//!
//! - [`config`]: the `--config` TOML file, validated;
//! - [`event`]: the event JSON and the [`event::Router`] that picks targets (the storage layer calls
//!   it inside each change's transaction, see [`crate::outbox`]);
//! - [`worker`]: claims and delivers, with retries; [`target`], [`webhook`], [`chat`], [`email`]:
//!   one attempt to one target; [`render`]: text for people;
//! - [`api`]: the admin routes (list deliveries, redeliver).

pub mod api;
pub mod chat;
pub mod config;
pub mod email;
pub mod event;
pub mod render;
pub mod target;
pub mod webhook;
pub mod worker;

use std::sync::Arc;

pub use config::Settings;
pub use event::Router;

/// The HTTP client every webhook and chat attempt uses (no redirects: a 3xx is retried, never followed
/// to another host with the event).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// The worker for `state`'s notifications, if they are on.
pub fn worker(state: &crate::AppState) -> Option<worker::Worker> {
    let router = state.notifications.clone()?;
    Some(worker::Worker { db: state.db.clone(), router, http: http_client(), clock: state.clock.clone() })
}

/// The router for `settings` (the planner the database is opened with).
pub fn router(settings: Settings, policies: &crate::policies::PolicySet, due_soon_percent: u8) -> Arc<Router> {
    Arc::new(Router { settings, policies: policies.clone(), due_soon_percent })
}
