//! The starter policy `triage init` writes: one of the shipped policies as a template, with the
//! site's name, locales, time zone, plans and targets, opening hours, holidays, channels and
//! products put in. Pure: answers in, JSON text out (members in the template's order).

use std::fmt::Write as _;

use triage_policy::json::{self, Value};

/// The shipped policies a starter can begin from.
pub const TEMPLATES: [(&str, &str); 2] = [
    ("priority-p1-p4", include_str!("../../../www/policies/priority-p1-p4.json")),
    ("impact-t1-t4", include_str!("../../../www/policies/impact-t1-t4.json")),
];

/// The policy JSON Schema, written next to the starter so editors complete and validate it.
pub const SCHEMA: &str = include_str!("../../../www/schemas/policy.schema.json");

/// A span as a site owner types it: `30m`, `4h`, `2d`, `8bh` (business hours), `1bd` (business days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub amount: u32,
    pub unit: &'static str,
}

impl Span {
    pub fn business(self) -> bool {
        self.unit.starts_with("business")
    }
}

/// One target: a limit and an optional average (`24h~60m`: at most 24 h, 60 min on average).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetAnswer {
    pub limit: Span,
    pub average: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanAnswer {
    pub id: String,
    pub label: String,
    /// Per severity id, in the template's order: (first response, resolution).
    pub targets: Vec<(String, TargetAnswer, TargetAnswer)>,
    /// The targets are the template's example figures, not real promises (kept marked so).
    pub example_values: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelAnswer {
    pub id: String,
    pub first_response: TargetAnswer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductAnswer {
    pub id: String,
    pub label: String,
    pub status_page: Option<String>,
}

/// Open intervals of one day, `("09:00", "18:00")`.
pub type Intervals = Vec<(String, String)>;

/// Weekly hours: per weekday (`mon` … `sun`), the open intervals.
pub type Hours = Vec<(String, Intervals)>;

/// Holidays: the template's, or the given (date, name) list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holidays {
    Template,
    Listed(Vec<(String, String)>),
}

/// Everything `triage init` asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub template: usize,
    pub site: String,
    pub locales: Vec<String>,
    pub time_zone: String,
    pub plans: Vec<PlanAnswer>,
    pub hours: Hours,
    pub holidays: Holidays,
    pub channels: Vec<ChannelAnswer>,
    pub products: Vec<ProductAnswer>,
    /// `$schema` of the starter.
    pub schema: String,
    /// The starter's `version` (today's date).
    pub version: String,
}

/// The template `index` parsed (the shipped policies are valid JSON: tested).
pub fn template(index: usize) -> Value {
    let (name, text) = TEMPLATES[index.min(TEMPLATES.len() - 1)];
    json::parse(text).unwrap_or_else(|e| panic!("shipped policy {name} is not JSON: {e}"))
}

// ---- reading the template ----

pub fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

pub fn text(value: Option<&Value>) -> Option<&str> {
    match value {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

pub fn items(value: Option<&Value>) -> &[Value] {
    match value {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// A span of the template (`{"amount": 30, "unit": "minutes"}`).
fn span_of(value: Option<&Value>) -> Option<Span> {
    let value = value?;
    let amount = match get(value, "amount")? {
        Value::Number(n) => n.parse().ok()?,
        _ => return None,
    };
    let unit = UNITS.iter().find(|(_, name)| Some(*name) == text(get(value, "unit")))?.1;
    Some(Span { amount, unit })
}

fn target_of(value: Option<&Value>) -> Option<TargetAnswer> {
    let value = value?;
    Some(TargetAnswer { limit: span_of(get(value, "limit"))?, average: span_of(get(value, "average")) })
}

/// The template's plans as answers (the defaults of the questions).
pub fn template_plans(template: &Value) -> Vec<PlanAnswer> {
    let locale = items(get(template, "locales")).first().and_then(|l| text(Some(l))).unwrap_or("en").to_string();
    items(get(template, "plans"))
        .iter()
        .map(|plan| {
            let targets = get(plan, "targets");
            PlanAnswer {
                id: text(get(plan, "id")).unwrap_or_default().to_string(),
                label: text(get(plan, "label").and_then(|l| get(l, &locale))).unwrap_or_default().to_string(),
                example_values: matches!(get(plan, "example_values"), Some(Value::Bool(true))),
                targets: severities(template)
                    .into_iter()
                    .filter_map(|s| {
                        let t = targets.and_then(|t| get(t, &s))?;
                        Some((s, target_of(get(t, "first_response"))?, target_of(get(t, "resolution"))?))
                    })
                    .collect(),
            }
        })
        .collect()
}

pub fn severities(template: &Value) -> Vec<String> {
    items(get(template, "severities")).iter().filter_map(|s| text(get(s, "id"))).map(str::to_string).collect()
}

/// The template's channels as answers.
pub fn template_channels(template: &Value) -> Vec<ChannelAnswer> {
    items(get(template, "channels"))
        .iter()
        .filter_map(|c| {
            Some(ChannelAnswer {
                id: text(get(c, "id"))?.to_string(),
                first_response: target_of(get(c, "first_response"))?,
            })
        })
        .collect()
}

/// The template's products as answers (labels in its first locale).
pub fn template_products(template: &Value) -> Vec<ProductAnswer> {
    let locale = items(get(template, "locales")).first().and_then(|l| text(Some(l))).unwrap_or("en").to_string();
    items(get(template, "products"))
        .iter()
        .filter_map(|p| {
            Some(ProductAnswer {
                id: text(get(p, "id"))?.to_string(),
                label: text(get(p, "label").and_then(|l| get(l, &locale)))?.to_string(),
                status_page: text(get(p, "status_page")).map(str::to_string),
            })
        })
        .collect()
}

/// The template's first calendar with opening hours.
fn business_calendar(template: &Value) -> Option<&Value> {
    items(get(template, "calendars")).iter().find(|c| get(c, "hours").is_some())
}

/// The template's opening hours, or Monday to Friday 09:00–18:00.
pub fn template_hours(template: &Value) -> Hours {
    let weekdays =
        || ["mon", "tue", "wed", "thu", "fri"].map(|d| (d.to_string(), vec![("09:00".into(), "18:00".into())]));
    let Some(Value::Object(days)) = business_calendar(template).and_then(|c| get(c, "hours")) else {
        return weekdays().to_vec();
    };
    days.iter()
        .map(|(day, intervals)| {
            let intervals = items(Some(intervals))
                .iter()
                .filter_map(|pair| match items(Some(pair)) {
                    [Value::String(open), Value::String(close)] => Some((open.clone(), close.clone())),
                    _ => None,
                })
                .collect();
            (day.clone(), intervals)
        })
        .collect()
}

pub fn template_holiday_count(template: &Value) -> usize {
    items(business_calendar(template).and_then(|c| get(c, "holidays"))).len()
}

pub fn template_time_zone(template: &Value) -> String {
    items(get(template, "calendars")).first().and_then(|c| text(get(c, "time_zone"))).unwrap_or("UTC").to_string()
}

// ---- short forms ----

/// Suffix → unit name, longest suffix first.
pub const UNITS: [(&str, &str); 5] =
    [("bh", "business_hours"), ("bd", "business_days"), ("m", "minutes"), ("h", "hours"), ("d", "days")];

pub fn span_text(span: Span) -> String {
    let suffix = UNITS.iter().find(|(_, name)| *name == span.unit).map_or("?", |(s, _)| s);
    format!("{}{suffix}", span.amount)
}

pub fn target_text(target: TargetAnswer) -> String {
    match target.average {
        Some(average) => format!("{}~{}", span_text(target.limit), span_text(average)),
        None => span_text(target.limit),
    }
}

/// `mon-fri 09:00-18:00; sat 09:00-13:00` from weekly hours.
pub fn hours_text(hours: &Hours) -> String {
    // Group consecutive days with the same intervals.
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let of = |day: &str| hours.iter().find(|(d, _)| d == day).map(|(_, i)| i.clone()).unwrap_or_default();
    let mut groups: Vec<(usize, usize, Intervals)> = Vec::new();
    for (i, day) in DAYS.iter().enumerate() {
        let intervals = of(day);
        if intervals.is_empty() {
            continue;
        }
        match groups.last_mut() {
            Some((_, end, last)) if *end + 1 == i && *last == intervals => *end = i,
            _ => groups.push((i, i, intervals)),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(start, end, intervals)| {
            let days = if start == end { DAYS[*start].to_string() } else { format!("{}-{}", DAYS[*start], DAYS[*end]) };
            let times: Vec<String> = intervals.iter().map(|(o, c)| format!("{o}-{c}")).collect();
            format!("{days} {}", times.join(" "))
        })
        .collect();
    parts.join("; ")
}

// ---- writing the starter ----

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

fn number(n: u32) -> Value {
    Value::Number(n.to_string())
}

fn object(members: Vec<(&str, Value)>) -> Value {
    Value::Object(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// The same text in every locale.
fn localized(locales: &[String], text: impl Fn(&str) -> String) -> Value {
    Value::Object(locales.iter().map(|l| (l.clone(), Value::String(text(l)))).collect())
}

/// Keeps only `locales` (in their order) in every localized object of `value`: objects whose
/// keys are all locales of the template.
fn keep_locales(value: &mut Value, all: &[String], keep: &[String]) {
    match value {
        Value::Object(members) => {
            let is_localized = !members.is_empty() && members.iter().all(|(k, _)| all.contains(k));
            if is_localized {
                let mut kept = Vec::new();
                for locale in keep {
                    if let Some(pos) = members.iter().position(|(k, _)| k == locale) {
                        kept.push(members.swap_remove(pos));
                    }
                }
                *members = kept;
            } else {
                for (_, v) in members.iter_mut() {
                    keep_locales(v, all, keep);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| keep_locales(v, all, keep)),
        _ => {}
    }
}

fn span_value(span: Span) -> Value {
    object(vec![("amount", number(span.amount)), ("unit", string(span.unit))])
}

fn target_value(target: TargetAnswer, always: &str, business: &str) -> Value {
    let mut members = vec![("limit", span_value(target.limit))];
    if let Some(average) = target.average {
        members.push(("average", span_value(average)));
    }
    let calendar = if target.limit.business() { business } else { always };
    members.push(("calendar", string(calendar)));
    object(members)
}

/// A lowercase id from a name: `Loja da Ana` → `loja-da-ana`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' | 'Â' | 'Ã' => 'a',
            'é' | 'ê' | 'è' | 'É' | 'Ê' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ô' | 'Õ' => 'o',
            'ú' | 'ü' | 'Ú' => 'u',
            'ç' | 'Ç' => 'c',
            'ñ' => 'n',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "site".to_string()
    } else {
        out
    }
}

fn phrase(locale: &str, pt: &str, es: &str, en: &str) -> String {
    match locale.split('-').next().unwrap_or("") {
        "pt" => pt.to_string(),
        "es" => es.to_string(),
        _ => en.to_string(),
    }
}

/// The starter policy as pretty JSON, members in the template's order.
pub fn starter(answers: &Answers) -> String {
    let mut doc = template(answers.template);
    let all_locales: Vec<String> =
        items(get(&doc, "locales")).iter().filter_map(|l| text(Some(l))).map(str::to_string).collect();
    keep_locales(&mut doc, &all_locales, &answers.locales);

    let site_id = slug(&answers.site);
    let always = format!("{site_id}-24-7");
    let business = format!("{site_id}-business");
    let zone = answers.time_zone.as_str();
    let site = answers.site.as_str();
    let locales = &answers.locales;

    let original = template(answers.template);
    let first_locale = all_locales.first().cloned().unwrap_or_default();
    let mut plans: Option<Vec<Value>> = answers
        .plans
        .iter()
        .map(|plan| {
            // A template plan kept under its own id and name keeps its texts in every locale.
            let kept = items(get(&original, "plans")).iter().find(|t| {
                text(get(t, "id")) == Some(plan.id.as_str())
                    && text(get(t, "label").and_then(|l| get(l, &first_locale))) == Some(plan.label.as_str())
            });
            let texts = |key: &str| {
                kept.and_then(|t| get(t, key)).map(|v| {
                    let mut v = copy(v);
                    keep_locales(&mut v, &all_locales, locales);
                    v
                })
            };
            let targets = plan
                .targets
                .iter()
                .map(|(severity, first, resolution)| {
                    let value = object(vec![
                        ("first_response", target_value(*first, &always, &business)),
                        ("resolution", target_value(*resolution, &always, &business)),
                    ]);
                    (severity.clone(), value)
                })
                .collect();
            let mut members = vec![
                ("id", string(&plan.id)),
                ("label", texts("label").unwrap_or_else(|| localized(locales, |_| plan.label.clone()))),
                (
                    "coverage",
                    texts("coverage").unwrap_or_else(|| {
                        localized(locales, |l| {
                            phrase(
                                l,
                                &format!("Atendimento do plano {} de {site}.", plan.label),
                                &format!("Soporte del plan {} de {site}.", plan.label),
                                &format!("{site} support, {} plan.", plan.label),
                            )
                        })
                    }),
                ),
            ];
            if plan.example_values {
                members.push(("example_values", Value::Bool(true)));
            }
            members.push(("targets", Value::Object(targets)));
            object(members)
        })
        .collect::<Vec<Value>>()
        .into();

    let holidays = match &answers.holidays {
        Holidays::Template => {
            let mut kept = business_calendar(&template(answers.template))
                .and_then(|c| get(c, "holidays"))
                .map(|h| match h {
                    Value::Array(items) => Value::Array(items.iter().map(copy).collect()),
                    _ => Value::Array(Vec::new()),
                })
                .unwrap_or(Value::Array(Vec::new()));
            keep_locales(&mut kept, &all_locales, locales);
            kept
        }
        Holidays::Listed(list) => Value::Array(
            list.iter()
                .map(|(date, name)| {
                    object(vec![("date", string(date)), ("name", localized(locales, |_| name.clone()))])
                })
                .collect(),
        ),
    };
    let hours = Value::Object(
        answers
            .hours
            .iter()
            .map(|(day, intervals)| {
                let pairs = intervals.iter().map(|(o, c)| Value::Array(vec![string(o), string(c)])).collect();
                (day.clone(), Value::Array(pairs))
            })
            .collect(),
    );
    let hours_summary = hours_text(&answers.hours);
    let calendars = Value::Array(vec![
        object(vec![
            ("id", string(&always)),
            ("time_zone", string(zone)),
            (
                "label",
                localized(locales, |l| {
                    phrase(
                        l,
                        &format!("24 horas por dia, 7 dias por semana ({zone})"),
                        &format!("24 horas al día, 7 días a la semana ({zone})"),
                        &format!("24 hours a day, 7 days a week ({zone})"),
                    )
                }),
            ),
            ("always_open", Value::Bool(true)),
        ]),
        object(vec![
            ("id", string(&business)),
            ("time_zone", string(zone)),
            (
                "label",
                localized(locales, |l| {
                    phrase(
                        l,
                        &format!("Horário comercial: {hours_summary} ({zone}), exceto feriados"),
                        &format!("Horario comercial: {hours_summary} ({zone}), excepto feriados"),
                        &format!("Business hours: {hours_summary} ({zone}), except holidays"),
                    )
                }),
            ),
            ("hours", hours),
            ("holidays", holidays),
        ]),
    ]);

    let channels = Value::Array(
        answers
            .channels
            .iter()
            .map(|c| {
                let label = channel_label(&c.id);
                object(vec![
                    ("id", string(&c.id)),
                    ("label", localized(locales, |_| label.clone())),
                    ("first_response", target_value(c.first_response, &always, &business)),
                ])
            })
            .collect(),
    );
    let products = Value::Array(
        answers
            .products
            .iter()
            .map(|p| {
                let mut members = vec![("id", string(&p.id)), ("label", localized(locales, |_| p.label.clone()))];
                if let Some(url) = &p.status_page {
                    members.push(("status_page", string(url)));
                }
                object(members)
            })
            .collect(),
    );

    let name = localized(locales, |l| {
        phrase(l, &format!("Suporte {site}"), &format!("Soporte {site}"), &format!("{site} support"))
    });
    let default_plan = answers.plans.first().map(|p| string(&p.id));
    let mut out: Vec<(String, Value)> = Vec::new();
    let Value::Object(members) = doc else {
        return String::new();
    };
    let has = |key: &str| members.iter().any(|(k, _)| k == key);
    let (had_channels, had_products, had_default) = (has("channels"), has("products"), has("default_plan"));
    for (key, value) in members {
        let value = match key.as_str() {
            "$schema" => string(&answers.schema),
            "id" => string(&site_id),
            "version" => string(&answers.version),
            "locales" => Value::Array(locales.iter().map(|l| string(l)).collect()),
            "name" => copy(&name),
            "plans" => Value::Array(plans.take().unwrap_or_default()),
            "default_plan" => match &default_plan {
                Some(v) => copy(v),
                None => continue,
            },
            "calendars" => copy(&calendars),
            "channels" => copy(&channels),
            "products" => copy(&products),
            // The template's names its own plans: the site owner's plans replace them.
            "unverified_plan" => match text(Some(&value)) {
                Some(id) if answers.plans.iter().any(|p| p.id == id) => value,
                _ => continue,
            },
            "escalation" => escalation_for(value, answers),
            _ => value,
        };
        out.push((key.clone(), value));
        if key == "plans" && !had_default {
            if let Some(v) = &default_plan {
                out.push(("default_plan".into(), copy(v)));
            }
        }
        if key == "calendars" {
            if !had_channels {
                out.push(("channels".into(), copy(&channels)));
            }
            if !had_products {
                out.push(("products".into(), copy(&products)));
            }
        }
    }
    let mut text = String::new();
    write_pretty(&mut text, &Value::Object(out), 0);
    text.push('\n');
    text
}

/// The template's escalation rule with its `plans` kept to the site owner's plans; where none of
/// them is left, the first plan (plans are listed best first, as the seed grants Business+ alone).
fn escalation_for(value: Value, answers: &Answers) -> Value {
    let Value::Object(members) = value else {
        return value;
    };
    let members = members
        .into_iter()
        .map(|(key, value)| {
            if key != "plans" {
                return (key, value);
            }
            let mut kept: Vec<Value> = items(Some(&value))
                .iter()
                .filter(|id| text(Some(id)).is_some_and(|id| answers.plans.iter().any(|p| p.id == id)))
                .map(copy)
                .collect();
            if kept.is_empty() {
                kept.extend(answers.plans.first().map(|p| string(&p.id)));
            }
            (key, Value::Array(kept))
        })
        .collect();
    Value::Object(members)
}

/// A deep copy (the engine's JSON value is not `Clone`).
fn copy(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(n) => Value::Number(n.clone()),
        Value::String(s) => Value::String(s.clone()),
        Value::Array(items) => Value::Array(items.iter().map(copy).collect()),
        Value::Object(members) => Value::Object(members.iter().map(|(k, v)| (k.clone(), copy(v))).collect()),
    }
}

/// The usual label of a contact channel id.
fn channel_label(id: &str) -> String {
    match id {
        "chat" => "Chat".into(),
        "whatsapp" => "WhatsApp".into(),
        "email" => "E-mail".into(),
        "phone" => "Telefone / Phone".into(),
        other => other.to_string(),
    }
}

/// Pretty JSON, two spaces; arrays of scalars on one line.
fn write_pretty(out: &mut String, value: &Value, depth: usize) {
    let pad = |out: &mut String, depth: usize| out.push_str(&"  ".repeat(depth));
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) if items.iter().all(|i| !matches!(i, Value::Array(_) | Value::Object(_))) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_pretty(out, item, depth);
            }
            out.push(']');
        }
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                pad(out, depth + 1);
                write_pretty(out, item, depth + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            pad(out, depth);
            out.push(']');
        }
        Value::Object(members) if members.is_empty() => out.push_str("{}"),
        Value::Object(members) => {
            out.push_str("{\n");
            for (i, (key, item)) in members.iter().enumerate() {
                pad(out, depth + 1);
                let _ = write!(out, "{}: ", serde_json::Value::String(key.clone()));
                write_pretty(out, item, depth + 1);
                out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
            }
            pad(out, depth);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_policy::{parse_policy, Tzdb};

    fn defaults(template_index: usize) -> Answers {
        let t = template(template_index);
        Answers {
            template: template_index,
            site: "Loja da Ana".into(),
            locales: vec!["pt-BR".into(), "en".into()],
            time_zone: "Europe/Lisbon".into(),
            plans: template_plans(&t),
            hours: template_hours(&t),
            holidays: Holidays::Template,
            channels: template_channels(&t),
            products: template_products(&t),
            schema: "policy.schema.json".into(),
            version: "2026-12-03".into(),
        }
    }

    #[test]
    fn both_templates_give_valid_starters_with_the_answers_in() {
        for index in 0..TEMPLATES.len() {
            let text = starter(&defaults(index));
            let policy = parse_policy(&text, &Tzdb).unwrap_or_else(|e| panic!("template {index}:\n{e}\n{text}"));
            assert_eq!(policy.id(), "loja-da-ana");
            assert!(text.starts_with("{\n  \"$schema\": \"policy.schema.json\",\n  \"id\": \"loja-da-ana\""), "{text}");
            assert!(policy.file().calendars.iter().all(|c| c.time_zone == "Europe/Lisbon"));
            let shipped = template(index);
            let first_plan = &items(get(&shipped, "plans"))[0];
            let coverage = super::text(get(first_plan, "coverage").and_then(|c| get(c, "en"))).expect("coverage");
            assert_eq!(policy.default_plan().coverage.get("en").map(String::as_str), Some(coverage), "kept texts");
        }
    }

    #[test]
    fn one_locale_and_own_plans_holidays_channels_products() {
        let span = |amount, unit| Span { amount, unit };
        let target = |amount, unit| TargetAnswer { limit: span(amount, unit), average: None };
        let mut answers = defaults(0);
        answers.locales = vec!["en".into()];
        answers.plans = vec![PlanAnswer {
            id: "gold".into(),
            label: "Gold".into(),
            targets: ["P1", "P2", "P3", "P4"]
                .iter()
                .map(|s| (s.to_string(), target(1, "hours"), target(2, "business_days")))
                .collect(),
            example_values: false,
        }];
        answers.hours = vec![("sat".into(), vec![("10:00".into(), "14:00".into())])];
        answers.holidays = Holidays::Listed(vec![("2026-12-25".into(), "Christmas".into())]);
        answers.channels = vec![ChannelAnswer { id: "chat".into(), first_response: target(5, "minutes") }];
        answers.products = vec![ProductAnswer { id: "shop".into(), label: "Shop".into(), status_page: None }];
        let text = starter(&answers);
        let policy = parse_policy(&text, &Tzdb).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let file = policy.file();
        assert_eq!(file.locales, ["en"]);
        assert!(!text.contains("pt-BR"), "every pt-BR text is gone");
        assert_eq!(policy.default_plan().id, "gold");
        assert_eq!(file.calendars[1].holidays.len(), 1);
        assert_eq!(file.channels[0].id, "chat");
        assert_eq!(file.products[0].id, "shop");
        assert_eq!(file.plans[0].targets["P3"].resolution.calendar, "loja-da-ana-business");
        assert_eq!(file.plans[0].targets["P3"].first_response.calendar, "loja-da-ana-24-7");
    }

    #[test]
    fn short_forms_round_trip() {
        let t = template(1);
        let plans = template_plans(&t);
        assert_eq!(target_text(plans[0].targets[0].1), "24h~60m");
        assert_eq!(hours_text(&template_hours(&template(0))), "mon-fri 09:00-18:00");
        assert_eq!(slug("Loja da Ana!"), "loja-da-ana");
        assert_eq!(slug("ÇÃO  2"), "cao-2");
    }
}
