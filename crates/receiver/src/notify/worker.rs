//! The delivery worker: claims due deliveries with a lease, sends each with a timeout, and records
//! the outcome; retries with capped exponential backoff and full jitter until the retry window
//! (`delivery.max_age_hours`) is over, then marks the delivery dead. A restart resumes from the
//! table: nothing is held in memory that the database does not also hold.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::db::Db;
use crate::notify::config::DeliverySettings;
use crate::notify::event::{Event, Router};
use crate::notify::target::{self, Attempt, Context};
use crate::outbox::{AttemptOutcome, Claimed};
use crate::state::Clock;

/// What the worker needs; cheap to clone.
#[derive(Debug, Clone)]
pub struct Worker {
    pub db: Db,
    pub router: Arc<Router>,
    pub http: reqwest::Client,
    /// The receiver's clock, for the times people read ("in 28 min").
    pub clock: Clock,
}

/// Delay before attempt `attempts + 1`: uniform in `[0, min(max, initial · 2^(attempts-1))]`.
pub fn backoff(settings: &DeliverySettings, attempts: i64, random_unit: f64) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let ceiling = settings.initial_backoff.saturating_mul(2u32.saturating_pow(exponent)).min(settings.max_backoff);
    ceiling.mul_f64(random_unit.clamp(0.0, 1.0))
}

/// How long a claim holds a delivery: longer than any attempt can take.
fn lease(settings: &DeliverySettings) -> Duration {
    settings.attempt_timeout * 2 + Duration::from_secs(5)
}

/// The stored outcome of an attempt, given the retry window.
pub fn outcome(settings: &DeliverySettings, claimed: &Claimed, attempt: Attempt, now_ms: i64, random_unit: f64) -> AttemptOutcome {
    match attempt {
        Attempt::Delivered { status } => AttemptOutcome::Delivered { status },
        Attempt::Refused { status, error } => AttemptOutcome::Failed { status, error },
        Attempt::Transient { status, error } => {
            let delay = i64::try_from(backoff(settings, claimed.attempts, random_unit).as_millis()).unwrap_or(i64::MAX);
            let next_attempt_ms = now_ms.saturating_add(delay);
            let window_end = claimed.window_start_ms.saturating_add(i64::try_from(settings.max_age.as_millis()).unwrap_or(i64::MAX));
            if next_attempt_ms > window_end {
                AttemptOutcome::Dead { status, error: format!("gave up after {} attempts: {error}", claimed.attempts) }
            } else {
                AttemptOutcome::Retry { status, error, next_attempt_ms }
            }
        }
    }
}

impl Worker {
    fn settings(&self) -> &DeliverySettings {
        &self.router.settings.delivery
    }

    /// Runs until `stop` changes; in-flight attempts finish first (each bounded by its timeout).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let settings = *self.settings();
        let lease_ms = i64::try_from(lease(&settings).as_millis()).unwrap_or(i64::MAX);
        let mut running: JoinSet<(Claimed, AttemptOutcome)> = JoinSet::new();
        let mut finished: Vec<(Claimed, AttemptOutcome)> = Vec::new();
        tracing::info!(targets = self.router.settings.targets.len(), "notification worker started");
        loop {
            let free = settings.concurrency.saturating_sub(running.len());
            if free > 0 {
                match self.db.claim(Utc::now().timestamp_millis(), lease_ms, free as i64).await {
                    Ok(claimed) => {
                        for delivery in claimed {
                            let worker = self.clone();
                            running.spawn(async move { worker.deliver(delivery).await });
                        }
                    }
                    Err(error) => tracing::error!(%error, "cannot claim deliveries"),
                }
            }
            tokio::select! {
                Some(done) = running.join_next(), if !running.is_empty() => {
                    finished.extend(done.ok());
                    // Every attempt that ended meanwhile is recorded in the same transaction.
                    while let Some(done) = running.try_join_next() {
                        finished.extend(done.ok());
                    }
                    self.record(&mut finished).await;
                }
                _ = self.db.deliveries_written() => {}
                _ = tokio::time::sleep(settings.poll_interval) => {}
                _ = stop.changed() => break,
            }
        }
        while let Some(done) = running.join_next().await {
            finished.extend(done.ok());
        }
        self.record(&mut finished).await;
        tracing::info!("notification worker stopped");
    }

    /// Stores the outcomes of `finished` attempts (and empties it).
    async fn record(&self, finished: &mut Vec<(Claimed, AttemptOutcome)>) {
        if finished.is_empty() {
            return;
        }
        let rows: Vec<(i64, AttemptOutcome)> = finished.iter().map(|(c, o)| (c.id, o.clone())).collect();
        if let Err(error) = self.db.finish_attempts(&rows, Utc::now().timestamp_millis()).await {
            // The leases run out and other attempts follow: same event ids, receivers drop duplicates.
            tracing::error!(%error, deliveries = rows.len(), "cannot record delivery attempts");
        }
        finished.clear();
    }

    /// One attempt of one claimed delivery, logged; the caller records the outcome.
    async fn deliver(&self, claimed: Claimed) -> (Claimed, AttemptOutcome) {
        let attempt = self.attempt(&claimed).await;
        let now_ms = Utc::now().timestamp_millis();
        let outcome = outcome(self.settings(), &claimed, attempt, now_ms, fastrand::f64());
        let reference = serde_json::from_str::<Event>(&claimed.payload).map(|e| e.data.ticket.reference).unwrap_or_default();
        match &outcome {
            AttemptOutcome::Delivered { status } => tracing::info!(
                target_name = %claimed.target, event = %claimed.event_type, event_id = %claimed.event_id,
                %reference, attempts = claimed.attempts, ?status, "notification delivered"),
            AttemptOutcome::Retry { error, next_attempt_ms, .. } => tracing::warn!(
                target_name = %claimed.target, event = %claimed.event_type, event_id = %claimed.event_id,
                %reference, attempts = claimed.attempts, %error, retry_in_ms = next_attempt_ms - now_ms,
                "notification not delivered, will retry"),
            AttemptOutcome::Failed { error, .. } | AttemptOutcome::Dead { error, .. } => tracing::error!(
                target_name = %claimed.target, event = %claimed.event_type, event_id = %claimed.event_id,
                %reference, attempts = claimed.attempts, %error, "notification given up"),
        }
        (claimed, outcome)
    }

    async fn attempt(&self, claimed: &Claimed) -> Attempt {
        let Some(target) = self.router.settings.target(&claimed.target) else {
            return Attempt::Refused {
                status: None,
                error: format!("target `{}` is not in the configuration any more", claimed.target),
            };
        };
        let event: Event = match serde_json::from_str(&claimed.payload) {
            Ok(event) => event,
            Err(error) => return Attempt::Refused { status: None, error: format!("stored event is not valid: {error}") },
        };
        let mut attachments = Vec::new();
        if target::wants_attachments(target) && event.kind == "ticket.created" {
            match self.attachments(claimed.ticket_seq).await {
                Ok(files) => attachments = files,
                Err(error) => return Attempt::Transient { status: None, error: format!("cannot read attachments: {error}") },
            }
        }
        let context = Context {
            http: &self.http,
            timeout: self.settings().attempt_timeout,
            time_zone: &self.router.settings.time_zone,
            attachments: &attachments,
            payload: &claimed.payload,
            now: self.clock.now(),
            sent_at: Utc::now(),
        };
        target::send(target, &event, &context).await
    }

    async fn attachments(&self, seq: i64) -> Result<Vec<(crate::db::AttachmentRow, Vec<u8>)>, sqlx::Error> {
        let mut files = Vec::new();
        for meta in self.db.attachments(seq).await? {
            if let Some(file) = self.db.attachment(seq, meta.position).await? {
                files.push(file);
            }
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> DeliverySettings {
        DeliverySettings {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_age: Duration::from_secs(3600),
            ..DeliverySettings::default()
        }
    }

    fn claimed(attempts: i64) -> Claimed {
        Claimed {
            id: 1,
            event_id: "evt".into(),
            event_type: "ticket.created".into(),
            target: "t".into(),
            attempts,
            window_start_ms: 0,
            ticket_seq: 1,
            payload: "{}".into(),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_full_jitter() {
        let s = settings();
        assert_eq!(backoff(&s, 1, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(&s, 3, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(&s, 20, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(&s, 3, 0.0), Duration::ZERO);
        assert_eq!(backoff(&s, 3, 0.5), Duration::from_secs(2));
    }

    #[test]
    fn transient_errors_retry_until_the_window_ends_then_die() {
        let s = settings();
        let transient = || Attempt::Transient { status: Some(503), error: "HTTP 503".into() };
        assert!(matches!(outcome(&s, &claimed(1), transient(), 1_000, 1.0), AttemptOutcome::Retry { next_attempt_ms: 2_000, .. }));
        assert!(matches!(outcome(&s, &claimed(9), transient(), 3_599_000, 1.0), AttemptOutcome::Dead { .. }));
        let refused = Attempt::Refused { status: Some(410), error: "gone".into() };
        assert!(matches!(outcome(&s, &claimed(1), refused, 0, 1.0), AttemptOutcome::Failed { status: Some(410), .. }));
    }
}
