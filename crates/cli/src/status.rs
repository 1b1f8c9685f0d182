//! `triage status FEED`: reads a status feed file the way the widget and the receiver's proxy do,
//! and prints what they would make of it: the incidents read, the ones left out and why, and the
//! incident a customer would be shown. For site owners writing a generic feed, or checking that
//! their status page's `summary.json` reads.

use std::path::Path;

use serde_json::{json, Value};
use triage_policy::status::{parse_feed, Incident};
use triage_policy::FeedFormat;

use crate::failure::Failure;
use crate::load::{describe_problems, read_policy, LoadError};

/// Which feed format to read, and which components concern the product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedSpec {
    /// `--format statuspage|generic`.
    Format(FeedFormat),
    /// `--policy POLICY --product ID`: the format and components of that product's `status_feed`.
    Product { policy: std::path::PathBuf, product: String },
}

/// The report as JSON: `{feed, format, incidents, skipped: [{path, message}], current}`.
pub fn status(feed: &Path, spec: &FeedSpec) -> Result<Value, Failure> {
    let (format, components) = match spec {
        FeedSpec::Format(format) => (*format, Vec::new()),
        FeedSpec::Product { policy, product } => {
            let loaded = match read_policy(policy) {
                Ok(loaded) => loaded,
                Err(LoadError::Unreadable(message)) => return Err(Failure::Policy(message)),
                Err(LoadError::Invalid(problems)) => return Err(Failure::Policy(describe_problems(policy, &problems))),
            };
            let Some(found) = loaded.product(product) else {
                let known: Vec<&str> = loaded.file().products.iter().map(|p| p.id.as_str()).collect();
                return Err(Failure::Argument(format!(
                    "status: policy {} has no product \"{product}\" (products: {})",
                    loaded.id(),
                    crate::failure::list(known, "none")
                )));
            };
            let Some(feed) = &found.status_feed else {
                return Err(Failure::Argument(format!(
                    "status: product \"{product}\" of policy {} has no status_feed",
                    loaded.id()
                )));
            };
            (feed.format, feed.components.clone())
        }
    };
    let text = std::fs::read_to_string(feed)
        .map_err(|e| Failure::Policy(format!("cannot read status feed {}: {e}", feed.display())))?;
    let read = parse_feed(&text, format)
        .map_err(|e| Failure::Policy(format!("{} is not a readable {} feed: {e}", feed.display(), name(format))))?;
    Ok(json!({
        "feed": feed.display().to_string(),
        "format": name(format),
        "indicator": read.indicator.map(|i| i.name()),
        "incidents": read.incidents.iter().map(incident).collect::<Vec<_>>(),
        "skipped": read.skipped.iter().map(|s| json!({ "path": s.path, "message": s.message })).collect::<Vec<_>>(),
        "current": read.current_incident(&components).map(incident),
    }))
}

fn name(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Statuspage => "statuspage",
        FeedFormat::Generic => "generic",
    }
}

fn incident(incident: &Incident) -> Value {
    json!({
        "id": incident.id,
        "title": incident.title,
        "status": incident.status.name(),
        "impact": incident.impact.name(),
        "url": incident.url,
        "started_at": incident.started_at.to_rfc3339(),
        "last_update": incident.last_update.as_ref().map(|u| json!({ "text": u.text, "at": u.at.to_rfc3339() })),
        "components": incident.components,
    })
}
