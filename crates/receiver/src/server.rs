//! Running the receiver: open the database, load the policies, bind, print the address, serve
//! until Ctrl-C/SIGTERM (in-flight requests finish), with the escalation sweeper in the background.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::app;
use crate::config::Config;
use crate::db::Db;
use crate::notify::Settings;
use crate::outbox::EventPlanner;
use crate::policies::PolicySet;
use crate::state::{AppState, Clock};

/// Why the receiver could not start or stopped with an error.
#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

/// Builds the state from a configuration: policies from files, notification file read and
/// validated, database opened and migrated.
pub async fn state_from_config(config: Config) -> Result<AppState, RunError> {
    let notifications = match &config.notify_config {
        Some(path) => Some(Settings::load(path).map_err(|e| RunError(e.to_string()))?),
        None => None,
    };
    build_state(config, notifications, Clock::System).await
}

/// Builds the state with the given notification settings and clock (tests pass a manual clock).
pub async fn build_state(config: Config, notifications: Option<Settings>, clock: Clock) -> Result<AppState, RunError> {
    let policies = PolicySet::load(&config.policies).map_err(|e| RunError(e.to_string()))?;
    if let Some(root) = &config.site_root {
        if !root.is_dir() {
            return Err(RunError(format!("--site-root {}: not a directory", root.display())));
        }
    }
    let router = notifications.map(|settings| crate::notify::router(settings, &policies, config.due_soon_percent));
    let planner = router.clone().map(|r| r as Arc<dyn EventPlanner>);
    let db = Db::open_with(config.db_settings(), planner).await.map_err(|e| RunError(e.to_string()))?;
    AppState::with_notifications(config, policies, db, clock, router).map_err(|e| RunError(e.to_string()))
}

/// Marks overdue tickets as escalated every interval, and forgets idle rate-limit buckets.
pub async fn escalation_sweeper(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(state.config.escalation_interval());
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if let Err(error) = crate::admin::escalate_overdue(&state).await {
                    tracing::error!(%error, "escalation sweep failed");
                }
                state.limiter.prune_at(Instant::now());
            }
            _ = stop.changed() => break,
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Serves `state` on `listener` until `shutdown` resolves; then stops the sweeper and the
/// notification worker (in-flight attempts finish) and closes the database cleanly.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let sweeper = tokio::spawn(escalation_sweeper(state.clone(), stop_rx.clone()));
    let worker = crate::notify::worker(&state).map(|worker| tokio::spawn(worker.run(stop_rx)));
    let router = app(state.clone());
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    if let Err(error) = sweeper.await {
        tracing::error!(%error, "escalation sweeper panicked");
    }
    if let Some(Err(error)) = match worker {
        Some(worker) => Some(worker.await),
        None => None,
    } {
        tracing::error!(%error, "notification worker panicked");
    }
    state.db.close().await;
    served.map_err(|e| RunError(format!("server error: {e}")))
}

/// Runs the receiver with `config` until a shutdown signal.
pub async fn run(config: Config) -> Result<(), RunError> {
    let bind = config.bind;
    let state = state_from_config(config).await?;
    let listener = TcpListener::bind(bind).await.map_err(|e| RunError(format!("cannot bind {bind}: {e}")))?;
    let local = listener.local_addr().map_err(|e| RunError(format!("cannot read the bound address: {e}")))?;
    tracing::info!(
        address = %local,
        db = %state.config.db,
        backend = state.db.backend(),
        policies = ?state.policies.ids().collect::<Vec<_>>(),
        site_root = ?state.config.site_root,
        notification_targets = ?state.notifications.as_ref().map(|n| n.settings.targets.iter().map(|t| t.name.as_str()).collect::<Vec<_>>()),
        "receiver started"
    );
    // Tools read the port from this line.
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on http://{local}");
    let _ = stdout.flush();
    serve(listener, state, shutdown_signal()).await
}
