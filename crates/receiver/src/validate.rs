//! Validating a ticket against its policy and recomputing what the browser must not be trusted
//! with: the plan (from a signed identity), the severity (from the answers) and the due times
//! (from the receiver's clock). Produces the row to store, or an error naming the field.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use triage_policy::model::ContactField;
use triage_policy::ticket::{DueTimes, TicketPayload};
use triage_policy::{Policy, Tzdb};

use crate::db::{NewAttachment, NewTicket};
use crate::error::ApiError;
use crate::identity::{self, IdentityProblem};
use crate::intake::{sha256_hex, ReceivedFile};
use crate::policies::PolicySet;
use crate::sniff;

/// Receiver settings that shape validation.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub identity_secret: Option<&'a [u8]>,
    pub min_fill_ms: u64,
    pub max_attachment_bytes: u64,
}

/// Facts about the request that are not in the ticket.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub id: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub canonical_payload: String,
    pub client_ip: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// Browser due times further than this from the receiver's are flagged `due_mismatch`.
const DUE_TOLERANCE_MS: i64 = 10 * 60 * 1000;

/// Longest accepted text per field, in characters.
const LIMITS: &[(&str, usize)] = &[
    ("policy.id", 200),
    ("policy.version", 200),
    ("plan", 200),
    ("severity", 100),
    ("contact.name", 200),
    ("contact.email", 254),
    ("contact.phone", 40),
    ("contact.company", 200),
    ("subject", 300),
    ("description", 20_000),
    ("product", 200),
    ("channel", 200),
    ("page_url", 4_096),
    ("locale", 35),
    ("time_zone", 64),
    ("created_at", 64),
    ("escalation.severity", 100),
    ("escalation.reason", 2_000),
    ("identity.user_id", 500),
    ("identity.plan", 200),
    ("identity.signature", 256),
    ("website", 2_000),
];
const MAX_ANSWERS: usize = 100;
const MAX_REASONS: usize = 100;
const MAX_REASON_CHARS: usize = 1_000;

fn limit_of(field: &str) -> usize {
    LIMITS.iter().find(|(name, _)| *name == field).map(|(_, max)| *max).unwrap_or(1_000)
}

fn check_length(field: &str, value: &str) -> Result<(), ApiError> {
    let max = limit_of(field);
    let length = value.chars().count();
    if length > max {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "too_long",
            format!("`{field}` is {length} characters long; at most {max} are accepted"),
        )
        .at(field));
    }
    Ok(())
}

fn check_lengths(ticket: &TicketPayload) -> Result<(), ApiError> {
    let mut fields: Vec<(&str, &str)> = vec![
        ("policy.id", &ticket.policy.id),
        ("policy.version", &ticket.policy.version),
        ("plan", &ticket.plan),
        ("severity", &ticket.severity),
        ("contact.name", &ticket.contact.name),
        ("contact.email", &ticket.contact.email),
        ("subject", &ticket.subject),
        ("description", &ticket.description),
        ("page_url", &ticket.page_url),
        ("locale", &ticket.locale),
        ("time_zone", &ticket.time_zone),
        ("created_at", &ticket.created_at),
    ];
    let optional = [
        ("contact.phone", ticket.contact.phone.as_deref()),
        ("contact.company", ticket.contact.company.as_deref()),
        ("product", ticket.product.as_deref()),
        ("channel", ticket.channel.as_deref()),
        ("website", ticket.website.as_deref()),
        ("escalation.severity", ticket.escalation.as_ref().map(|e| e.severity.as_str())),
        ("escalation.reason", ticket.escalation.as_ref().map(|e| e.reason.as_str())),
        ("identity.user_id", ticket.identity.as_ref().map(|i| i.user_id.as_str())),
        ("identity.plan", ticket.identity.as_ref().map(|i| i.plan.as_str())),
        ("identity.signature", ticket.identity.as_ref().map(|i| i.signature.as_str())),
    ];
    fields.extend(optional.into_iter().filter_map(|(name, value)| value.map(|v| (name, v))));
    for (field, value) in fields {
        check_length(field, value)?;
    }
    if ticket.answers.len() > MAX_ANSWERS {
        return Err(ApiError::invalid("answers", format!("more than {MAX_ANSWERS} answers")));
    }
    if ticket.reasons.len() > MAX_REASONS {
        return Err(ApiError::invalid("reasons", format!("more than {MAX_REASONS} reasons")));
    }
    for (i, reason) in ticket.reasons.iter().enumerate() {
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "too_long",
                format!("reason {i} is longer than {MAX_REASON_CHARS} characters"),
            )
            .at(format!("reasons[{i}]")));
        }
    }
    Ok(())
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted domain of letters, digits
/// and hyphens, no spaces or control characters. (Deliverability is the support team's business.)
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else { return false };
    if local.is_empty() || local.len() > 64 || local.contains('@') {
        return false;
    }
    if local.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c)) {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

/// Digits with optional `+`, spaces, dots, hyphens and parentheses; 6 to 20 digits.
pub fn is_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (6..=20).contains(&digits) && text.chars().all(|c| c.is_ascii_digit() || " +-.()".contains(c))
}

fn blank(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

fn check_contact(policy: &Policy, ticket: &TicketPayload) -> Result<(), ApiError> {
    let id = policy.id();
    for required in &policy.file().contact.required {
        let (field, value) = match required {
            ContactField::Name => ("contact.name", Some(ticket.contact.name.as_str())),
            ContactField::Email => ("contact.email", Some(ticket.contact.email.as_str())),
            ContactField::Phone => ("contact.phone", ticket.contact.phone.as_deref()),
            ContactField::Company => ("contact.company", ticket.contact.company.as_deref()),
            ContactField::Subject => ("subject", Some(ticket.subject.as_str())),
            ContactField::Description => ("description", Some(ticket.description.as_str())),
            ContactField::Product => ("product", ticket.product.as_deref()),
        };
        if blank(value) {
            return Err(ApiError::missing(field, format!("`{field}` is required by policy `{id}`")));
        }
    }
    let email = ticket.contact.email.trim();
    if !email.is_empty() && !is_email(email) {
        return Err(ApiError::invalid("contact.email", format!("`{email}` is not an email address")));
    }
    if let Some(phone) = ticket.contact.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        if !is_phone(phone) {
            return Err(ApiError::invalid(
                "contact.phone",
                format!("`{phone}` is not a phone number (6 to 20 digits, with + ( ) - . and spaces)"),
            ));
        }
    }
    if let Some(product) = ticket.product.as_deref().filter(|p| !p.trim().is_empty()) {
        let products = &policy.file().products;
        if !products.iter().any(|p| p.id == product) {
            let known: Vec<&str> = products.iter().map(|p| p.id.as_str()).collect();
            return Err(ApiError::invalid(
                "product",
                format!("unknown product `{product}` in policy `{id}`; products: {}", list_or_none(&known)),
            ));
        }
    }
    if let Some(channel) = ticket.channel.as_deref() {
        let channels = &policy.file().channels;
        let Some(chosen) = channels.iter().find(|c| c.id == channel) else {
            let known: Vec<&str> = channels.iter().map(|c| c.id.as_str()).collect();
            return Err(ApiError::invalid(
                "channel",
                format!("unknown channel `{channel}` in policy `{id}`; channels: {}", list_or_none(&known)),
            ));
        };
        if chosen.needs_phone && blank(ticket.contact.phone.as_deref()) {
            return Err(ApiError::missing(
                "contact.phone",
                format!("channel `{channel}` answers on a phone number: `contact.phone` is required"),
            ));
        }
    }
    Ok(())
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        String::from("none")
    } else {
        items.join(", ")
    }
}

/// The severity the answers give, checked answer by answer so errors name the entry at fault.
fn classify(policy: &Policy, ticket: &TicketPayload) -> Result<(String, String), ApiError> {
    let mut answers: BTreeMap<String, String> = BTreeMap::new();
    for (i, record) in ticket.answers.iter().enumerate() {
        let Some(question) = policy.question(&record.question) else {
            return Err(ApiError::invalid(
                format!("answers[{i}].question"),
                format!("policy `{}` has no question `{}`", policy.id(), record.question),
            ));
        };
        if !question.answers.iter().any(|a| a.id == record.answer) {
            return Err(ApiError::invalid(
                format!("answers[{i}].answer"),
                format!("question `{}` has no answer `{}`", record.question, record.answer),
            ));
        }
        if answers.insert(record.question.clone(), record.answer.clone()).is_some() {
            return Err(ApiError::invalid(
                format!("answers[{i}].question"),
                format!("question `{}` is answered twice", record.question),
            ));
        }
    }
    let classification = policy
        .classify(&answers)
        .map_err(|e| ApiError::invalid("answers", format!("cannot classify the answers: {e}")))?;
    let trail: Vec<serde_json::Value> = classification
        .trail
        .iter()
        .map(|step| serde_json::json!({"question": step.question, "answer": step.answer, "unsure": step.unsure}))
        .collect();
    Ok((classification.severity, serde_json::Value::Array(trail).to_string()))
}

/// The severity the ticket gets: the escalation asked for when the policy lets customers on
/// `plan` (the trusted plan) ask and it is more severe than the answers give.
fn escalate(policy: &Policy, ticket: &TicketPayload, classified: &str, plan: &str) -> Result<String, ApiError> {
    let Some(request) = &ticket.escalation else { return Ok(classified.to_string()) };
    if !policy.file().escalation.allowed {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "escalation_not_allowed",
            format!("policy `{}` does not allow asking for a higher severity", policy.id()),
        )
        .at("escalation"));
    }
    if !policy.may_request_escalation(plan) {
        let plans = policy.file().escalation.plans.as_deref().unwrap_or_default().join(", ");
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "escalation_not_allowed",
            format!(
                "customers on plan `{plan}` may not ask for a higher severity under policy `{}`; plans that may: {plans}",
                policy.id()
            ),
        )
        .at("escalation"));
    }
    let Some(requested_rank) = policy.severity_rank(&request.severity) else {
        let known: Vec<&str> = policy.file().severities.iter().map(|s| s.id.as_str()).collect();
        return Err(ApiError::invalid(
            "escalation.severity",
            format!("unknown severity `{}`; severities: {}", request.severity, known.join(", ")),
        ));
    };
    let classified_rank = policy.severity_rank(classified).unwrap_or(usize::MAX);
    if requested_rank >= classified_rank {
        return Err(ApiError::invalid(
            "escalation.severity",
            format!(
                "an escalation must ask for a more severe severity than `{classified}` (the answers' result), got `{}`",
                request.severity
            ),
        ));
    }
    if request.reason.trim().is_empty() {
        return Err(ApiError::missing("escalation.reason", "say why the severity should be higher"));
    }
    Ok(request.severity.clone())
}

/// Which plan to believe, and how the identity fared.
struct TrustedPlan {
    plan: String,
    identity: &'static str,
    problem: Option<IdentityProblem>,
    user_id: Option<String>,
}

fn trusted_plan(
    policy: &Policy,
    ticket: &TicketPayload,
    rules: &Rules<'_>,
    now: DateTime<Utc>,
) -> Result<TrustedPlan, ApiError> {
    let Some(secret) = rules.identity_secret else {
        // Demo mode: no secret, the browser's plan is taken if the policy has it.
        if policy.plan(&ticket.plan).is_none() {
            let known: Vec<&str> = policy.file().plans.iter().map(|p| p.id.as_str()).collect();
            return Err(ApiError::invalid(
                "plan",
                format!("unknown plan `{}` in policy `{}`; plans: {}", ticket.plan, policy.id(), known.join(", ")),
            ));
        }
        return Ok(TrustedPlan {
            plan: ticket.plan.clone(),
            identity: "unchecked",
            problem: None,
            user_id: ticket.identity.as_ref().map(|i| i.user_id.clone()),
        });
    };
    // Never the default plan: an attacker forging a signature must not get a better SLA than
    // the policy's plan for unverified customers (by default its least-served plan).
    let fallback = |problem: IdentityProblem| TrustedPlan {
        plan: policy.unverified_plan().id.clone(),
        identity: "unverified",
        problem: Some(problem),
        user_id: None,
    };
    let Some(identity) = &ticket.identity else { return Ok(fallback(IdentityProblem::Missing)) };
    if let Err(problem) = identity::verify(secret, identity, now) {
        return Ok(fallback(problem));
    }
    if policy.plan(&identity.plan).is_none() {
        return Ok(fallback(IdentityProblem::UnknownPlan));
    }
    Ok(TrustedPlan {
        plan: identity.plan.clone(),
        identity: "verified",
        problem: None,
        user_id: Some(identity.user_id.clone()),
    })
}

fn check_attachments(
    policy: &Policy,
    ticket: &TicketPayload,
    files: Vec<ReceivedFile>,
    rules: &Rules<'_>,
) -> Result<Vec<NewAttachment>, ApiError> {
    let rule = &policy.file().attachments;
    if files.is_empty() && ticket.attachments.is_empty() {
        return Ok(Vec::new());
    }
    if files.len() > rule.max_files as usize {
        let message = if rule.max_files == 0 {
            format!("policy `{}` does not accept attachments", policy.id())
        } else {
            format!("{} files attached; policy `{}` accepts at most {}", files.len(), policy.id(), rule.max_files)
        };
        return Err(ApiError::too_large(message).at("attachments"));
    }
    if files.len() != ticket.attachments.len() {
        return Err(ApiError::invalid(
            "attachments",
            format!(
                "the ticket lists {} attachments but {} files were sent (as multipart parts after `ticket`)",
                ticket.attachments.len(),
                files.len()
            ),
        ));
    }
    let max_bytes = rule.max_bytes.min(rules.max_attachment_bytes);
    let accepted = sniff::accepted_types(&rule.types);
    let mut stored = Vec::with_capacity(files.len());
    for (i, (file, meta)) in files.into_iter().zip(&ticket.attachments).enumerate() {
        let at = format!("attachments[{i}]");
        let size = file.data.len() as u64;
        if size > max_bytes {
            return Err(ApiError::too_large(format!(
                "file `{}` is {size} bytes; at most {max_bytes} are accepted",
                meta.name
            ))
            .at(at));
        }
        if meta.size != size {
            return Err(ApiError::invalid(
                format!("{at}.size"),
                format!("file `{}` is listed as {} bytes but {size} bytes were sent", meta.name, meta.size),
            ));
        }
        let listed = sniff::normalize_mime(&meta.mime);
        let declared = file.declared_type.clone().filter(|t| t != "application/octet-stream").unwrap_or(listed.clone());
        if declared != listed {
            return Err(ApiError::unsupported_type(format!(
                "file `{}` is listed as `{listed}` but its part says `{declared}`",
                meta.name
            ))
            .at(at));
        }
        let mime = sniff::check(&declared, &file.data, &accepted)
            .map_err(|problem| ApiError::unsupported_type(format!("file `{}`: {problem}", meta.name)).at(at.clone()))?;
        stored.push(NewAttachment {
            name: clean_file_name(&meta.name, i),
            mime,
            sha256: sha256_hex(&file.data),
            data: file.data.to_vec(),
        });
    }
    Ok(stored)
}

/// A file name safe to show and to offer for download: no directories, no control characters.
pub fn clean_file_name(name: &str, index: usize) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(255).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        format!("attachment-{}", index + 1)
    } else {
        cleaned
    }
}

fn parse_ms(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_millis())
}

fn due_differs(browser: &DueTimes, server: &DueTimes) -> bool {
    let pairs =
        [(&browser.first_response.due, &server.first_response.due), (&browser.resolution.due, &server.resolution.due)];
    pairs.iter().any(|(b, s)| match (parse_ms(b), parse_ms(s)) {
        (Some(b), Some(s)) => (b - s).abs() > DUE_TOLERANCE_MS,
        _ => true,
    })
}

/// Validates `ticket` and recomputes plan, severity and due times: the row to store.
pub fn accept(
    policies: &PolicySet,
    ticket: TicketPayload,
    files: Vec<ReceivedFile>,
    rules: &Rules<'_>,
    facts: RequestFacts,
) -> Result<NewTicket, ApiError> {
    check_lengths(&ticket)?;
    let Some(policy) = policies.get(&ticket.policy.id) else {
        let known: Vec<&str> = policies.ids().collect();
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unknown_policy",
            format!("unknown policy `{}`; this receiver serves: {}", ticket.policy.id, known.join(", ")),
        )
        .at("policy.id"));
    };
    check_contact(policy, &ticket)?;
    if DateTime::parse_from_rfc3339(&ticket.created_at).is_err() {
        return Err(ApiError::invalid(
            "created_at",
            format!("`{}` is not an RFC 3339 date-time (e.g. 2026-11-23T14:05:00-03:00)", ticket.created_at),
        ));
    }
    let (classified, trail) = classify(policy, &ticket)?;
    let trusted = trusted_plan(policy, &ticket, rules, facts.received_at)?;
    let severity = escalate(policy, &ticket, &classified, &trusted.plan)?;
    let attachments = check_attachments(policy, &ticket, files, rules)?;
    let due = policy
        .due(&trusted.plan, &severity, ticket.channel.as_deref(), facts.received_at, &Tzdb)
        .map_err(|e| ApiError::internal("cannot compute due times from a loaded policy", &e))?;
    let first_response_due_ms = due.first_response.due.timestamp_millis();
    let resolution_due_ms = due.resolution.due.timestamp_millis();
    let due = due.to_wire();

    let mut flags: Vec<String> = Vec::new();
    let honeypot = ticket.website.as_deref().is_some_and(|w| !w.trim().is_empty());
    if honeypot {
        flags.push("honeypot".into());
    }
    let too_fast = ticket.fill_ms.is_some_and(|ms| ms < rules.min_fill_ms);
    if too_fast {
        flags.push("too_fast".into());
    }
    if trusted.identity == "unverified" {
        flags.push("identity_unverified".into());
    }
    if ticket.severity != classified {
        flags.push("severity_mismatch".into());
    }
    if ticket.plan != trusted.plan {
        flags.push("plan_mismatch".into());
    }
    if ticket.policy.version != policy.version() {
        flags.push("policy_version_mismatch".into());
    }
    if due_differs(&ticket.due, &due) {
        flags.push("due_mismatch".into());
    }
    if ticket.escalation.is_some() {
        flags.push("escalation_requested".into());
    }

    let contact = triage_policy::ticket::Contact {
        name: ticket.contact.name.trim().to_string(),
        email: ticket.contact.email.trim().to_string(),
        phone: ticket.contact.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(String::from),
        company: ticket.contact.company.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(String::from),
    };
    Ok(NewTicket {
        id: facts.id,
        idempotency_key: facts.idempotency_key,
        request_hash: facts.request_hash,
        received_at: facts.received_at,
        client_ip: facts.client_ip,
        policy_id: policy.id().to_string(),
        policy_version: policy.version().to_string(),
        browser_policy_version: ticket.policy.version.clone(),
        plan: trusted.plan,
        browser_plan: ticket.plan.clone(),
        identity: trusted.identity,
        identity_problem: trusted.problem.map(|p| p.as_str().to_string()),
        user_id: trusted.user_id,
        severity,
        classified_severity: classified,
        browser_severity: ticket.severity.clone(),
        escalation_severity: ticket.escalation.as_ref().map(|e| e.severity.clone()),
        escalation_reason: ticket.escalation.as_ref().map(|e| e.reason.trim().to_string()),
        channel: ticket.channel.clone(),
        product: ticket.product.clone().filter(|p| !p.trim().is_empty()),
        contact,
        subject: ticket.subject.trim().to_string(),
        description: ticket.description.clone(),
        trail,
        due,
        first_response_due_ms,
        resolution_due_ms,
        browser_due: ticket.due.clone(),
        flags,
        spam: honeypot || too_fast,
        payload: facts.canonical_payload,
        attachments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in ["ana@example.com", "a.b+tag@sub.example.com.br", "joão@exemplo.com.br", "x@xn--bcher-kva.de"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "ana @example.com",
            "ana@exa mple.com",
            "ana@-example.com",
            "ana@example.c",
            "ana@1.2.3.4",
            ".ana@example.com",
            "a..b@example.com",
            "<ana>@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(is_phone("+55 (11) 4858-9924"));
        assert!(is_phone("11 4858.9924"));
        assert!(!is_phone("12345"));
        assert!(!is_phone("call me"));
        assert!(!is_phone("+55 11 4858-9924 ext 2"));
    }

    #[test]
    fn file_names_lose_directories_and_controls() {
        assert_eq!(clean_file_name("C:\\Users\\ana\\print.png", 0), "print.png");
        assert_eq!(clean_file_name("../../etc/passwd", 0), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\"c.pdf", 0), "abc.pdf");
        assert_eq!(clean_file_name("..", 2), "attachment-3");
    }
}
