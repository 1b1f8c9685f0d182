//! The notification configuration file (`--config triage.toml`): raw TOML in, validated
//! [`Settings`] out, with every error naming the key (and target) it is about.
//!
//! Secrets never appear in the file: it names the environment variables that hold them
//! (`secret_env`, `url_env`, `password_env`), and a variable that is unset stops the receiver.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use triage_policy::{Tzdb, ZoneResolver};

use crate::outbox::EventKind;
use crate::state::ConfigError;

/// Event types a target can subscribe to.
pub const EVENT_TYPES: [&str; 5] =
    ["ticket.created", "ticket.escalation_requested", "ticket.due_soon", "ticket.escalated", "ticket.updated"];

/// Default values of the file's keys.
pub mod defaults {
    pub const TIME_ZONE: &str = "UTC";
    pub const ATTEMPT_TIMEOUT_SECS: u64 = 10;
    pub const MAX_AGE_HOURS: u64 = 24;
    pub const INITIAL_BACKOFF_MS: u64 = 1_000;
    pub const MAX_BACKOFF_SECS: u64 = 600;
    pub const POLL_INTERVAL_MS: u64 = 1_000;
    pub const CONCURRENCY: usize = 8;
    pub const SMTP_MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
}

/// The file as written (unknown keys refused). Each target kind lists the routing keys (`events`,
/// `policies`, `severities`, `include_spam`) itself: serde's `flatten` would switch off
/// `deny_unknown_fields`, and a misspelt key must stop the receiver.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// Link to a ticket in the team's tools; `{reference}` and `{id}` are replaced.
    ticket_url: Option<String>,
    time_zone: Option<String>,
    #[serde(default)]
    delivery: RawDelivery,
    #[serde(default)]
    webhook: Vec<RawWebhook>,
    #[serde(default)]
    chat: Vec<RawChat>,
    #[serde(default)]
    email: Vec<RawEmail>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelivery {
    attempt_timeout_secs: Option<u64>,
    max_age_hours: Option<u64>,
    initial_backoff_ms: Option<u64>,
    max_backoff_secs: Option<u64>,
    poll_interval_ms: Option<u64>,
    concurrency: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    name: String,
    url: String,
    secret_env: String,
    events: Vec<String>,
    #[serde(default)]
    policies: Vec<String>,
    #[serde(default)]
    severities: Vec<String>,
    #[serde(default)]
    include_spam: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChat {
    name: String,
    url: Option<String>,
    url_env: Option<String>,
    events: Vec<String>,
    #[serde(default)]
    policies: Vec<String>,
    #[serde(default)]
    severities: Vec<String>,
    #[serde(default)]
    include_spam: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    name: String,
    host: String,
    port: Option<u16>,
    tls: SmtpTls,
    username: Option<String>,
    password_env: Option<String>,
    from: String,
    to: Vec<String>,
    max_attachment_bytes: Option<u64>,
    events: Vec<String>,
    #[serde(default)]
    policies: Vec<String>,
    #[serde(default)]
    severities: Vec<String>,
    #[serde(default)]
    include_spam: bool,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, refused if the server does not offer it (port 587).
    Starttls,
    /// No encryption: only for a mail server on the same machine or network (port 25).
    Plain,
}

impl SmtpTls {
    fn default_port(self) -> u16 {
        match self {
            Self::Tls => 465,
            Self::Starttls => 587,
            Self::Plain => 25,
        }
    }
}

/// Which events, policies and severities a target gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub events: BTreeSet<String>,
    /// Empty: every policy.
    pub policies: BTreeSet<String>,
    /// Empty: every severity.
    pub severities: BTreeSet<String>,
    pub include_spam: bool,
}

impl Route {
    /// Whether an event of `kind` about a ticket of `policy`/`severity` goes to this target.
    pub fn wants(&self, kind: &EventKind, policy: &str, severity: &str, spam: bool) -> bool {
        self.events.contains(kind.type_name())
            && (self.policies.is_empty() || self.policies.contains(policy))
            && (self.severities.is_empty() || self.severities.contains(severity))
            && (self.include_spam || !spam)
    }
}

/// A webhook signed per Standard Webhooks 1.0.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    pub url: reqwest::Url,
    /// `whsec_…` (base64 key).
    pub secret: String,
}

/// A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat).
#[derive(Clone, PartialEq, Eq)]
pub struct ChatSettings {
    pub url: reqwest::Url,
}

/// An SMTP server and the mailbox tickets go to.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub credentials: Option<(String, String)>,
    pub from: lettre::message::Mailbox,
    pub to: Vec<lettre::message::Mailbox>,
    pub max_attachment_bytes: u64,
}

// Hand-written so a secret never reaches a log line.
impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings").field("url", &self.url.as_str()).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ChatSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatSettings").field("host", &self.url.host_str()).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("to", &self.to.iter().map(ToString::to_string).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// What kind of target, with its own settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    Webhook(WebhookSettings),
    Chat(ChatSettings),
    Email(EmailSettings),
}

/// One validated target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSettings {
    /// Unique among all targets; stored with each delivery.
    pub name: String,
    pub route: Route,
    pub kind: TargetKind,
}

/// Retry and timing of deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySettings {
    pub attempt_timeout: Duration,
    /// After this long without success a delivery is dead.
    pub max_age: Duration,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// How often the worker looks for due retries when nothing woke it.
    pub poll_interval: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(defaults::ATTEMPT_TIMEOUT_SECS),
            max_age: Duration::from_secs(defaults::MAX_AGE_HOURS * 3600),
            initial_backoff: Duration::from_millis(defaults::INITIAL_BACKOFF_MS),
            max_backoff: Duration::from_secs(defaults::MAX_BACKOFF_SECS),
            poll_interval: Duration::from_millis(defaults::POLL_INTERVAL_MS),
            concurrency: defaults::CONCURRENCY,
        }
    }
}

/// The validated notification configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub ticket_url: Option<String>,
    /// IANA zone the team reads due times in (e-mail and chat).
    pub time_zone: String,
    pub delivery: DeliverySettings,
    pub targets: Vec<TargetSettings>,
}

impl Settings {
    /// Reads and validates the file at `path`, taking secrets from the process environment.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
        Self::parse(&text, |name| std::env::var(name).ok())
            .map_err(|ConfigError(message)| ConfigError(format!("config file {}: {message}", path.display())))
    }

    /// Parses and validates `text`; `env` looks up the variables the file names.
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError(e.to_string().trim_end().to_string()))?;
        validate(raw, &env)
    }

    pub fn target(&self, name: &str) -> Option<&TargetSettings> {
        self.targets.iter().find(|t| t.name == name)
    }
}

fn validate(raw: RawFile, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
    let fail = |message: String| Err(ConfigError(message));
    let time_zone = raw.time_zone.unwrap_or_else(|| defaults::TIME_ZONE.to_string());
    if Tzdb.offset_at(&time_zone, chrono::Utc::now()).is_err() {
        return fail(format!("time_zone: `{time_zone}` is not an IANA time zone (e.g. America/Sao_Paulo)"));
    }
    if let Some(url) = &raw.ticket_url {
        parse_url("ticket_url", &url.replace("{reference}", "TW-000001").replace("{id}", "id"))?;
    }
    let delivery = delivery(&raw.delivery)?;
    let mut targets = Vec::new();
    for (index, webhook) in raw.webhook.into_iter().enumerate() {
        let key = |field: &str| format!("webhook[{index}] ({}).{field}", webhook.name);
        let url = parse_url(&key("url"), &webhook.url)?;
        let secret = secret(env, &key("secret_env"), &webhook.secret_env)?;
        if standardwebhooks::Webhook::new(&secret).is_err() {
            return fail(format!(
                "{}: ${} is not a Standard Webhooks secret (`whsec_` followed by base64)",
                key("secret_env"),
                webhook.secret_env
            ));
        }
        let route = route(&webhook.events, &webhook.policies, &webhook.severities, webhook.include_spam, &key(""))?;
        targets.push(TargetSettings {
            name: webhook.name,
            route,
            kind: TargetKind::Webhook(WebhookSettings { url, secret }),
        });
    }
    for (index, chat) in raw.chat.into_iter().enumerate() {
        let key = |field: &str| format!("chat[{index}] ({}).{field}", chat.name);
        let url = match (&chat.url, &chat.url_env) {
            (Some(url), None) => parse_url(&key("url"), url)?,
            (None, Some(variable)) => parse_url(&key("url_env"), &secret(env, &key("url_env"), variable)?)?,
            _ => return fail(format!("{}: give exactly one of `url` and `url_env`", key("url"))),
        };
        let route = route(&chat.events, &chat.policies, &chat.severities, chat.include_spam, &key(""))?;
        targets.push(TargetSettings { name: chat.name, route, kind: TargetKind::Chat(ChatSettings { url }) });
    }
    for (index, email) in raw.email.into_iter().enumerate() {
        let key = |field: &str| format!("email[{index}] ({}).{field}", email.name);
        if email.host.trim().is_empty() {
            return fail(format!("{}: empty host", key("host")));
        }
        let credentials = match (&email.username, &email.password_env) {
            (Some(user), Some(variable)) => Some((user.clone(), secret(env, &key("password_env"), variable)?)),
            (None, None) => None,
            _ => return fail(format!("{}: give both `username` and `password_env`, or neither", key("username"))),
        };
        let from = parse_mailbox(&key("from"), &email.from)?;
        if email.to.is_empty() {
            return fail(format!("{}: at least one address", key("to")));
        }
        let to = email.to.iter().map(|a| parse_mailbox(&key("to"), a)).collect::<Result<Vec<_>, _>>()?;
        let route = route(&email.events, &email.policies, &email.severities, email.include_spam, &key(""))?;
        targets.push(TargetSettings {
            name: email.name,
            route,
            kind: TargetKind::Email(EmailSettings {
                host: email.host.trim().to_string(),
                port: email.port.unwrap_or(email.tls.default_port()),
                tls: email.tls,
                credentials,
                from,
                to,
                max_attachment_bytes: email.max_attachment_bytes.unwrap_or(defaults::SMTP_MAX_ATTACHMENT_BYTES),
            }),
        });
    }
    let mut names = BTreeSet::new();
    for target in &targets {
        if target.name.trim().is_empty() || target.name.len() > 64 {
            return fail(format!("target name `{}`: 1 to 64 characters", target.name));
        }
        if !names.insert(target.name.as_str()) {
            return fail(format!("target name `{}`: used by two targets (names must be unique)", target.name));
        }
    }
    Ok(Settings { ticket_url: raw.ticket_url, time_zone, delivery, targets })
}

fn delivery(raw: &RawDelivery) -> Result<DeliverySettings, ConfigError> {
    let base = DeliverySettings::default();
    let positive = |key: &str, value: Option<u64>| match value {
        Some(0) => Err(ConfigError(format!("delivery.{key}: must be more than 0"))),
        other => Ok(other),
    };
    let settings = DeliverySettings {
        attempt_timeout: positive("attempt_timeout_secs", raw.attempt_timeout_secs)?
            .map_or(base.attempt_timeout, Duration::from_secs),
        max_age: positive("max_age_hours", raw.max_age_hours)?.map_or(base.max_age, |h| Duration::from_secs(h * 3600)),
        initial_backoff: positive("initial_backoff_ms", raw.initial_backoff_ms)?
            .map_or(base.initial_backoff, Duration::from_millis),
        max_backoff: positive("max_backoff_secs", raw.max_backoff_secs)?.map_or(base.max_backoff, Duration::from_secs),
        poll_interval: positive("poll_interval_ms", raw.poll_interval_ms)?
            .map_or(base.poll_interval, Duration::from_millis),
        concurrency: match raw.concurrency {
            Some(0) => return Err(ConfigError("delivery.concurrency: must be more than 0".into())),
            Some(n) => n,
            None => base.concurrency,
        },
    };
    if settings.max_backoff < settings.initial_backoff {
        return Err(ConfigError("delivery.max_backoff_secs: smaller than delivery.initial_backoff_ms".into()));
    }
    Ok(settings)
}

fn route(
    events: &[String],
    policies: &[String],
    severities: &[String],
    include_spam: bool,
    key: &str,
) -> Result<Route, ConfigError> {
    if events.is_empty() {
        return Err(ConfigError(format!("{key}events: list at least one of {}", EVENT_TYPES.join(", "))));
    }
    for event in events {
        if !EVENT_TYPES.contains(&event.as_str()) {
            return Err(ConfigError(format!(
                "{key}events: unknown event `{event}` (expected one of {})",
                EVENT_TYPES.join(", ")
            )));
        }
    }
    Ok(Route {
        events: events.iter().cloned().collect(),
        policies: policies.iter().cloned().collect(),
        severities: severities.iter().cloned().collect(),
        include_spam,
    })
}

fn secret(env: &dyn Fn(&str) -> Option<String>, key: &str, variable: &str) -> Result<String, ConfigError> {
    match env(variable) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(ConfigError(format!("{key}: environment variable {variable} is not set"))),
    }
}

fn parse_url(key: &str, text: &str) -> Result<reqwest::Url, ConfigError> {
    let url = reqwest::Url::parse(text).map_err(|e| ConfigError(format!("{key}: `{text}` is not a URL ({e})")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(ConfigError(format!("{key}: `{text}` must be http:// or https://")));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError(format!("{key}: `{text}` has no host")));
    }
    Ok(url)
}

fn parse_mailbox(key: &str, text: &str) -> Result<lettre::message::Mailbox, ConfigError> {
    text.parse().map_err(|e| ConfigError(format!("{key}: `{text}` is not an e-mail address ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOOK_SECRET" => Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
            "SLACK_URL" => Some("https://hooks.slack.com/services/T/B/X".into()),
            "SMTP_PASSWORD" => Some("hunter2".into()),
            _ => None,
        }
    }

    const FULL: &str = r#"
ticket_url = "https://help.example/t/{reference}"
time_zone = "America/Sao_Paulo"

[delivery]
attempt_timeout_secs = 5
max_age_hours = 48

[[webhook]]
name = "ops"
url = "https://ops.example/hooks/triage"
secret_env = "HOOK_SECRET"
events = ["ticket.created", "ticket.escalated"]
severities = ["P1", "P2"]

[[chat]]
name = "slack"
url_env = "SLACK_URL"
events = ["ticket.created"]

[[email]]
name = "helpdesk"
host = "smtp.example"
tls = "starttls"
username = "triage"
password_env = "SMTP_PASSWORD"
from = "Triage <triage@shop.example>"
to = ["support@shop.zendesk.com"]
events = ["ticket.created", "ticket.escalated"]
include_spam = true
"#;

    fn error(text: &str) -> String {
        Settings::parse(text, env).expect_err("invalid").0
    }

    #[test]
    fn a_full_file_validates_with_defaults_filled_in() {
        let settings = Settings::parse(FULL, env).unwrap();
        assert_eq!(settings.time_zone, "America/Sao_Paulo");
        assert_eq!(settings.delivery.attempt_timeout, Duration::from_secs(5));
        assert_eq!(settings.delivery.max_age, Duration::from_secs(48 * 3600));
        assert_eq!(settings.delivery.concurrency, defaults::CONCURRENCY);
        assert_eq!(settings.targets.len(), 3);
        let TargetKind::Email(email) = &settings.target("helpdesk").unwrap().kind else { panic!("email") };
        assert_eq!(email.port, 587);
        assert_eq!(email.credentials, Some(("triage".into(), "hunter2".into())));
        let ops = &settings.target("ops").unwrap().route;
        assert!(ops.wants(&EventKind::Created, "any", "P1", false));
        assert!(!ops.wants(&EventKind::Created, "any", "P3", false));
        assert!(!ops.wants(&EventKind::Created, "any", "P1", true), "spam left out");
        assert!(!ops.wants(&EventKind::DueSoon(crate::outbox::SlaTarget::Resolution), "any", "P1", false));
        assert!(!format!("{settings:?}").contains("hunter2") && !format!("{settings:?}").contains("whsec_"));
    }

    #[test]
    fn errors_name_the_key() {
        let unknown = error("[[webhook]]\nname = \"a\"\nurl = \"https://x.example\"\nsecret_env = \"HOOK_SECRET\"\nevents = [\"ticket.created\"]\nsecrett = 1\n");
        assert!(unknown.contains("unknown field `secrett`"), "{unknown}");
        assert!(unknown.contains("line 6"), "{unknown}");
        let event = error("[[chat]]\nname = \"c\"\nurl = \"https://x.example\"\nevents = [\"ticket.deleted\"]\n");
        assert!(event.contains("chat[0] (c).events") && event.contains("ticket.deleted"), "{event}");
        let url = error("[[chat]]\nname = \"c\"\nurl = \"hooks.example/x\"\nevents = [\"ticket.created\"]\n");
        assert!(url.contains("chat[0] (c).url"), "{url}");
        let secret = error("[[webhook]]\nname = \"a\"\nurl = \"https://x.example\"\nsecret_env = \"NOPE\"\nevents = [\"ticket.created\"]\n");
        assert!(secret.contains("webhook[0] (a).secret_env") && secret.contains("NOPE is not set"), "{secret}");
        let zone = error("time_zone = \"Mars/Base\"\n");
        assert!(zone.starts_with("time_zone:"), "{zone}");
        let zero = error("[delivery]\nconcurrency = 0\n");
        assert!(zero.starts_with("delivery.concurrency"), "{zero}");
        let twice = error("[[chat]]\nname = \"c\"\nurl = \"https://x.example\"\nevents = [\"ticket.created\"]\n[[chat]]\nname = \"c\"\nurl = \"https://y.example\"\nevents = [\"ticket.created\"]\n");
        assert!(twice.contains("`c`: used by two targets"), "{twice}");
        let top = error("tiket_url = \"x\"\n");
        assert!(top.contains("tiket_url"), "{top}");
    }
}
