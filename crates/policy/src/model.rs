//! The policy file as written by a site owner: raw serde types, parsed but not yet validated.
//!
//! `crate::validate` turns a [`PolicyFile`] into a checked `Policy`; nothing else in the engine
//! works on raw input. Field names here are the JSON field names (snake_case).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A text in every locale the policy offers, keyed by BCP 47 tag (`"pt-BR"`, `"en"`).
pub type Localized = BTreeMap<String, String>;

/// A whole policy file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Editor hint (`"$schema": "../schemas/policy.schema.json"`); ignored by the engine.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable identifier of the policy, e.g. `priority-p1-p4`. Sent with every ticket.
    pub id: String,
    /// Version of the policy, sent with every ticket (free text, e.g. a date `2026-11-01`).
    pub version: String,
    /// Locales every text in this file is written in. The first one is the default.
    pub locales: Vec<String>,
    /// Human name of the policy.
    pub name: Localized,
    /// Severities ordered from the most to the least severe.
    pub severities: Vec<Severity>,
    pub questionnaire: Questionnaire,
    /// Support plans. The first one is the default unless `default_plan` says otherwise.
    pub plans: Vec<Plan>,
    /// Plan the widget uses when the page names none (no `data-plan`, no `identify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_plan: Option<String>,
    /// Plan a receiver with an identity secret gives a customer whose signed identity is missing,
    /// forged, expired or names an unknown plan. Default: the least-served plan (the one with the
    /// longest promised times, see `Policy::unverified_plan`), never a better one by accident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified_plan: Option<String>,
    /// Calendars that targets are counted in.
    pub calendars: Vec<Calendar>,
    /// First-response targets per contact channel (chat, whatsapp, email…), independent of severity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// Products the customer can pick, each optionally with a status page and a status feed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<Product>,
    /// Outage-level severity ids (e.g. `["T1"]`): when the questionnaire gives one of them and the
    /// customer's product has an unresolved incident in its `status_feed`, the result shows the
    /// incident before the ticket is sent. Required when a product has a status feed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outage_severities: Vec<String>,
    /// Whether a customer may ask for a higher severity than the questionnaire gave.
    #[serde(default)]
    pub escalation: EscalationRule,
    /// Which contact fields the form requires.
    #[serde(default)]
    pub contact: ContactRule,
    /// What files a customer may attach.
    #[serde(default)]
    pub attachments: AttachmentRule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Severity {
    /// Short id, e.g. `P1` or `T1`.
    pub id: String,
    /// e.g. "Urgente (P1)".
    pub label: Localized,
    pub definition: Localized,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Localized>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// Id of the first question.
    pub start: String,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    /// The question as shown in the fieldset legend.
    pub prompt: Localized,
    /// Optional hint under the legend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized>,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub id: String,
    pub label: Localized,
    /// The short reason this answer contributes to the result ("no workaround exists").
    pub reason: Localized,
    /// Where this answer leads. Required unless `unsure` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Next>,
    /// An "I'm not sure" answer: it has no `next` and resolves to the sibling answer whose branch
    /// can reach the most severe severity (ties: the first listed), as incident practice advises.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unsure: bool,
}

/// The target of an answer: another question, or a severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Next {
    Question(String),
    Severity(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// e.g. `business-plus`.
    pub id: String,
    pub label: Localized,
    /// Coverage as shown to the customer ("24/7, weekends and holidays included").
    pub coverage: Localized,
    /// True when the figures are examples for the site owner to set, not a real promise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub example_values: bool,
    /// Free note for the site owner (not shown to customers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Targets per severity id. Every severity must have an entry.
    pub targets: BTreeMap<String, SeverityTargets>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SeverityTargets {
    pub first_response: Target,
    pub resolution: Target,
}

/// A promise: a limit, optionally a typical ("on average within") figure, counted in a calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub limit: Span,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average: Option<Span>,
    /// Id of the calendar the clock runs in. Elapsed units (`minutes`, `hours`, `days`) need an
    /// always-open calendar; business units need a calendar with opening hours.
    pub calendar: String,
}

/// An amount of time in a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// Must be positive.
    pub amount: i64,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Elapsed minutes.
    Minutes,
    /// Elapsed hours.
    Hours,
    /// Calendar days: the same local time `amount` days later in the calendar's time zone.
    Days,
    /// Hours counted only while the calendar is open.
    BusinessHours,
    /// Business days: the same local time of day `amount` business days later (see `calendar`).
    BusinessDays,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    pub id: String,
    /// IANA time zone, e.g. `America/Sao_Paulo`. Due times are reported in its offset.
    pub time_zone: String,
    /// Shown to the customer, e.g. "Business days, 09:00–18:00 (São Paulo)".
    pub label: Localized,
    /// Open around the clock, every day, holidays included. Mutually exclusive with `hours`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub always_open: bool,
    /// Weekly opening intervals by weekday (`mon` … `sun`), each `["09:00", "12:00"]`; split
    /// shifts allowed, intervals of one day must not overlap. `"24:00"` closes at midnight.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hours: BTreeMap<Weekday, Vec<[String; 2]>>,
    /// Dates (local to `time_zone`) on which the calendar is closed all day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// e.g. `chat`, `whatsapp`, `email`.
    pub id: String,
    pub label: Localized,
    /// The channel's own first-response promise, replacing the plan's when the customer picks it.
    pub first_response: Target,
    /// The channel answers on a phone number (WhatsApp): the ticket must carry a valid `contact.phone`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_phone: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub label: Localized,
    /// https, http or mailto only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_page: Option<String>,
    /// Machine-readable feed of the product's incidents (see `crate::status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_feed: Option<StatusFeed>,
}

/// Where a product's incidents are published, and in which shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusFeed {
    /// The feed: an https or http URL (`https://status.example.com/api/v2/summary.json`), or a
    /// path on the help-center's own site (`/status/summary.json`). A cross-origin feed must send
    /// CORS headers, or be read through `proxy`.
    pub url: String,
    pub format: FeedFormat,
    /// The URL the widget reads instead of `url`: a receiver's cached proxy of this feed
    /// (`/api/status/{product}`), for status pages that send no CORS headers. It answers in the
    /// `generic` shape whatever `format` the upstream feed has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Only incidents that affect one of these components (names or ids as the feed writes them)
    /// concern this product; empty: every incident of the feed does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
}

/// The shape of a status feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedFormat {
    /// Atlassian Statuspage v2 `summary.json` (what most hosted status pages publish).
    Statuspage,
    /// Triage's minimal shape, `www/schemas/status.schema.json`, for status pages elsewhere.
    Generic,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EscalationRule {
    /// A customer may ask for a more severe severity than the questionnaire gave. Default false.
    #[serde(default)]
    pub allowed: bool,
    /// Explanation shown next to the request ("if the severity does not reflect the real impact").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized>,
    /// Plans whose customers may ask (seed 000: Business+ only). Absent: every plan, when allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plans: Option<Vec<String>>,
}

/// Contact fields a form can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactField {
    Name,
    Email,
    Phone,
    Company,
    Subject,
    Description,
    Product,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactRule {
    /// Required fields. Default: name, email, subject, description.
    #[serde(default = "ContactRule::default_required")]
    pub required: Vec<ContactField>,
}

impl ContactRule {
    fn default_required() -> Vec<ContactField> {
        vec![ContactField::Name, ContactField::Email, ContactField::Subject, ContactField::Description]
    }
}

impl Default for ContactRule {
    fn default() -> Self {
        Self { required: Self::default_required() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AttachmentRule {
    /// Maximum number of files. Default 5; 0 disables attachments.
    #[serde(default = "AttachmentRule::default_max_files")]
    pub max_files: u32,
    /// Maximum size of one file in bytes. Default 10 MiB.
    #[serde(default = "AttachmentRule::default_max_bytes")]
    pub max_bytes: u64,
    /// Accepted MIME types. Default: PNG, JPEG, GIF, WebP images and PDF.
    #[serde(default = "AttachmentRule::default_types")]
    pub types: Vec<String>,
}

impl AttachmentRule {
    fn default_max_files() -> u32 {
        5
    }
    fn default_max_bytes() -> u64 {
        10 * 1024 * 1024
    }
    fn default_types() -> Vec<String> {
        ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"]
            .into_iter()
            .map(String::from)
            .collect()
    }
}

impl Default for AttachmentRule {
    fn default() -> Self {
        Self {
            max_files: Self::default_max_files(),
            max_bytes: Self::default_max_bytes(),
            types: Self::default_types(),
        }
    }
}

/// The unit's name as written in policy files (`business_hours`).
pub fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Minutes => "minutes",
        Unit::Hours => "hours",
        Unit::Days => "days",
        Unit::BusinessHours => "business_hours",
        Unit::BusinessDays => "business_days",
    }
}

impl Unit {
    /// True for `business_hours` and `business_days`, which need a calendar with opening hours.
    pub fn is_business(self) -> bool {
        matches!(self, Unit::BusinessHours | Unit::BusinessDays)
    }
}

impl Weekday {
    /// All weekdays, Monday first.
    pub const ALL: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    /// The name as written in policy files (`mon`).
    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }
}
