//! The two shipped seed policies (`www/policies/*.json`) checked figure by figure against the
//! source documents in `shared/seeds/`, and every seed example classified through the questionnaire.
#![cfg(feature = "tzdb")]

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use triage_policy::model::{PolicyFile, Span, Target, Unit, Weekday};
use triage_policy::{parse_policy, Policy, Tzdb, Walk};

fn policy_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/policies").join(file)
}

fn read_policy_json(file: &str) -> String {
    let path = policy_path(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn raw(file: &str) -> PolicyFile {
    serde_json::from_str(&read_policy_json(file)).unwrap_or_else(|e| panic!("{file} does not parse: {e}"))
}

const P_FILE: &str = "priority-p1-p4.json";
const T_FILE: &str = "impact-t1-t4.json";

fn span(amount: i64, unit: Unit) -> Span {
    Span { amount, unit }
}

fn plan<'a>(file: &'a PolicyFile, id: &str) -> &'a triage_policy::model::Plan {
    file.plans.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("{} has no plan {id}", file.id))
}

fn calendar<'a>(file: &'a PolicyFile, id: &str) -> &'a triage_policy::model::Calendar {
    file.calendars.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("{} has no calendar {id}", file.id))
}

fn assert_always_open_sao_paulo(file: &PolicyFile, target: &Target, what: &str) {
    let cal = calendar(file, &target.calendar);
    assert!(cal.always_open, "{what}: calendar {} must be 24/7", cal.id);
    assert_eq!(cal.time_zone, "America/Sao_Paulo", "{what}: calendar {} zone", cal.id);
}

fn assert_business_sao_paulo(file: &PolicyFile, target: &Target, what: &str) {
    let cal = calendar(file, &target.calendar);
    assert!(!cal.always_open, "{what}: calendar {} must have opening hours", cal.id);
    assert_eq!(cal.time_zone, "America/Sao_Paulo", "{what}: calendar {} zone", cal.id);
    for day in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri] {
        let hours = cal.hours.get(&day).unwrap_or_else(|| panic!("{what}: {day:?} is closed"));
        assert!(!hours.is_empty(), "{what}: {day:?} has no opening interval");
    }
    for day in [Weekday::Sat, Weekday::Sun] {
        assert!(cal.hours.get(&day).is_none_or(|h| h.is_empty()), "{what}: {day:?} must be closed");
    }
}

/// Brazil's national holidays (Lei 662/1949, Lei 6.802/1980, Lei 14.759/2023 and Good Friday),
/// 2026 and 2027. Carnaval and Corpus Christi are "ponto facultativo", not holidays.
const BRAZIL_NATIONAL_HOLIDAYS: [&str; 20] = [
    "2026-01-01",
    "2026-04-03",
    "2026-04-21",
    "2026-05-01",
    "2026-09-07",
    "2026-10-12",
    "2026-11-02",
    "2026-11-15",
    "2026-11-20",
    "2026-12-25",
    "2027-01-01",
    "2027-03-26",
    "2027-04-21",
    "2027-05-01",
    "2027-09-07",
    "2027-10-12",
    "2027-11-02",
    "2027-11-15",
    "2027-11-20",
    "2027-12-25",
];

#[test]
fn priority_policy_business_plus_has_the_seed_figures() {
    let file = raw(P_FILE);
    assert_eq!(file.id, "priority-p1-p4");
    assert_eq!(file.locales, ["pt-BR", "en"]);
    let ids: Vec<&str> = file.severities.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["P1", "P2", "P3", "P4"]);
    let labels: Vec<&str> = file.severities.iter().map(|s| s.label["pt-BR"].as_str()).collect();
    assert_eq!(labels, ["Urgente (P1)", "Alto (P2)", "Médio (P3)", "Baixo (P4)"]);

    let plan = plan(&file, "business-plus");
    assert!(!plan.example_values, "business-plus figures are the seed's, not examples");
    assert!(plan.coverage["pt-BR"].contains("24/7"));
    assert!(plan.coverage["pt-BR"].contains("fins de semana e feriados"));
    let expected = [
        ("P1", span(30, Unit::Minutes), span(4, Unit::Hours)),
        ("P2", span(1, Unit::Hours), span(8, Unit::Hours)),
        ("P3", span(2, Unit::Hours), span(1, Unit::BusinessDays)),
        ("P4", span(4, Unit::Hours), span(2, Unit::BusinessDays)),
    ];
    assert_eq!(plan.targets.len(), 4);
    for (severity, first_response, resolution) in expected {
        let t = &plan.targets[severity];
        assert_eq!(t.first_response.limit, first_response, "{severity} first response");
        assert_eq!(t.first_response.average, None, "{severity}: the seed gives no average");
        assert_eq!(t.resolution.limit, resolution, "{severity} resolution");
        assert_eq!(t.resolution.average, None, "{severity}: the seed gives no average");
        assert_always_open_sao_paulo(&file, &t.first_response, severity);
        if resolution.unit == Unit::BusinessDays {
            assert_business_sao_paulo(&file, &t.resolution, severity);
        } else {
            assert_always_open_sao_paulo(&file, &t.resolution, severity);
        }
    }
}

#[test]
fn priority_policy_pro_plan_is_marked_as_example_values_and_is_slower() {
    let file = raw(P_FILE);
    let pro = plan(&file, "pro");
    let business = plan(&file, "business-plus");
    assert!(pro.example_values, "the seed gives no Pro figures: they must be marked as examples");
    let note = pro.note.as_deref().unwrap_or_default();
    assert!(note.contains("site owner must set"), "note for the site owner: {note:?}");
    assert!(pro.coverage["pt-BR"].contains("24/7") && pro.coverage["pt-BR"].contains("mais longos"));
    // "24/7, with longer times": every Pro target is at least as long as Business+, in the same units.
    for (severity, b) in &business.targets {
        let p = &pro.targets[severity];
        for (what, pt, bt) in
            [("first response", &p.first_response, &b.first_response), ("resolution", &p.resolution, &b.resolution)]
        {
            assert_eq!(pt.calendar, bt.calendar, "{severity} {what} calendar");
            let minutes = |s: Span| match s.unit {
                Unit::Minutes => s.amount,
                Unit::Hours => s.amount * 60,
                Unit::Days => s.amount * 24 * 60,
                Unit::BusinessHours => s.amount * 60,
                Unit::BusinessDays => s.amount * 9 * 60,
            };
            assert!(minutes(pt.limit) > minutes(bt.limit), "{severity} {what}: Pro must be longer");
        }
    }
}

#[test]
fn priority_policy_business_calendar_has_brazil_national_holidays_2026_2027() {
    let file = raw(P_FILE);
    let cal = calendar(&file, "sao-paulo-business");
    let dates: Vec<&str> = cal.holidays.iter().map(|h| h.date.as_str()).collect();
    assert_eq!(dates, BRAZIL_NATIONAL_HOLIDAYS);
    for h in &cal.holidays {
        assert!(!h.name["pt-BR"].is_empty() && !h.name["en"].is_empty(), "{} needs a name", h.date);
    }
    let black_consciousness = cal.holidays.iter().find(|h| h.date == "2026-11-20").map(|h| &h.name["pt-BR"]);
    assert_eq!(black_consciousness.map(String::as_str), Some("Dia Nacional de Zumbi e da Consciência Negra"));
    // Carnaval (2026-02-16/17, 2027-02-08/09) and Corpus Christi (2026-06-04, 2027-05-27) are left
    // out on purpose, and the label says so.
    for optional in ["2026-02-16", "2026-02-17", "2026-06-04", "2027-02-08", "2027-02-09", "2027-05-27"] {
        assert!(!dates.contains(&optional), "{optional} is ponto facultativo, not a national holiday");
    }
    assert!(cal.label["pt-BR"].contains("Carnaval") && cal.label["pt-BR"].contains("Corpus Christi"));
    assert_eq!(cal.hours[&Weekday::Mon], [["09:00".to_string(), "18:00".to_string()]]);
}

#[test]
fn priority_policy_allows_escalation_with_help() {
    let file = raw(P_FILE);
    assert!(file.escalation.allowed, "FAQ 11: customers may ask for escalation");
    // FAQ 11: "clientes do Plano Business+ podem escalar problemas".
    assert_eq!(file.escalation.plans.as_deref(), Some(&["business-plus".to_string()][..]));
    let p = policy(P_FILE);
    assert!(p.may_request_escalation("business-plus"));
    assert!(!p.may_request_escalation("pro"));
    assert_eq!(p.applied_severity("business-plus", "P3", Some("P1")), "P1");
    assert_eq!(p.applied_severity("pro", "P3", Some("P1")), "P3");
    let help = file.escalation.help.as_ref().expect("escalation help text");
    assert!(help["pt-BR"].contains("não reflete o verdadeiro impacto"));
    assert!(help["en"].contains("does not reflect the real impact"));
}

#[test]
fn priority_policy_urgent_is_the_outage_level() {
    // P1 Urgent is the severity of a whole service down; the policy has no products (so no
    // status feed) yet, but a site owner who adds one gets incidents shown at P1.
    assert_eq!(raw(P_FILE).outage_severities, ["P1"]);
}

#[test]
fn unverified_customers_get_the_least_served_plan() {
    // The P1–P4 policy names Pro (the slower plan) for customers whose identity is not believed,
    // while its default stays Business+.
    let p = policy(P_FILE);
    assert_eq!(p.default_plan().id, "business-plus");
    assert_eq!(p.unverified_plan().id, "pro");
    // Without `unverified_plan` the least-served plan is chosen, not the default.
    let mut value: serde_json::Value = serde_json::from_str(&read_policy_json(P_FILE)).expect("json");
    value.as_object_mut().expect("object").remove("unverified_plan");
    let p = parse_policy(&value.to_string(), &Tzdb).expect("valid");
    assert_eq!(p.unverified_plan().id, "pro");
    // The one-plan T1–T4 policy: its only plan.
    assert_eq!(policy(T_FILE).unverified_plan().id, "standard");
}

#[test]
fn first_response_overruns_are_found_where_the_seeds_have_them() {
    // T1–T4: the general 24 h answer and the e-mail channel's 24 h exceed T1's 4 h resolution.
    let overruns = policy(T_FILE).first_response_overruns(&Tzdb);
    let found: Vec<(&str, &str, Option<&str>)> =
        overruns.iter().map(|o| (o.plan.as_str(), o.severity.as_str(), o.channel.as_deref())).collect();
    assert_eq!(found, [("standard", "T1", None), ("standard", "T1", Some("email"))]);
    // P1–P4: every first response comes before its resolution.
    assert_eq!(policy(P_FILE).first_response_overruns(&Tzdb), []);
}

#[test]
fn impact_policy_has_the_seed_figures() {
    let file = raw(T_FILE);
    assert_eq!(file.id, "impact-t1-t4");
    assert_eq!(file.locales, ["pt-BR", "en"]);
    let ids: Vec<&str> = file.severities.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["T1", "T2", "T3", "T4"]);
    let plan = plan(&file, "standard");
    assert!(!plan.example_values);
    let expected = [
        ("T1", span(1, Unit::Hours), span(4, Unit::Hours)),
        ("T2", span(8, Unit::Hours), span(1, Unit::Days)),
        ("T3", span(2, Unit::Days), span(5, Unit::Days)),
        ("T4", span(3, Unit::Days), span(7, Unit::Days)),
    ];
    assert_eq!(plan.targets.len(), 4);
    for (severity, average, limit) in expected {
        let t = &plan.targets[severity];
        assert_eq!(t.resolution.average, Some(average), "{severity} average resolution");
        assert_eq!(t.resolution.limit, limit, "{severity} resolution limit");
        // "os clientes da Track podem esperar uma resposta em até 24 horas … tempo médio … 60 minutos"
        assert_eq!(t.first_response.limit, span(24, Unit::Hours), "{severity} first response");
        assert_eq!(t.first_response.average, Some(span(60, Unit::Minutes)), "{severity} average first response");
        assert_always_open_sao_paulo(&file, &t.first_response, severity);
        assert_always_open_sao_paulo(&file, &t.resolution, severity);
    }
}

#[test]
fn impact_policy_channels_products_and_attachments() {
    let file = raw(T_FILE);
    // "Chat e WhatsApp: até 4 minutos … E-mail: até 24h"; "tempo médio … 3 minutos … 6 horas".
    // WhatsApp answers on the customer's phone number.
    let channels: Vec<(&str, Span, Option<Span>, bool)> = file
        .channels
        .iter()
        .map(|c| (c.id.as_str(), c.first_response.limit, c.first_response.average, c.needs_phone))
        .collect();
    assert_eq!(
        channels,
        [
            ("chat", span(4, Unit::Minutes), Some(span(3, Unit::Minutes)), false),
            ("whatsapp", span(4, Unit::Minutes), Some(span(3, Unit::Minutes)), true),
            ("email", span(24, Unit::Hours), Some(span(6, Unit::Hours)), false),
        ]
    );
    for c in &file.channels {
        assert_always_open_sao_paulo(&file, &c.first_response, &c.id);
    }
    let products: Vec<(&str, Option<&str>)> =
        file.products.iter().map(|p| (p.id.as_str(), p.status_page.as_deref())).collect();
    assert_eq!(
        products,
        [("nps", Some("https://nps.status.track.co/")), ("cxm", Some("https://cxm.status.track.co/"))]
    );
    // "Informações sobre interrupções de serviço são comunicadas de forma imediata": T1 (every
    // user affected) is the outage level, and each product's status page has its feed, read
    // through the receiver's proxy.
    assert_eq!(file.outage_severities, ["T1"]);
    for (product, host) in [("nps", "nps.status.track.co"), ("cxm", "cxm.status.track.co")] {
        let feed = file.products.iter().find(|p| p.id == product).and_then(|p| p.status_feed.as_ref());
        let feed = feed.unwrap_or_else(|| panic!("{product} has a status feed"));
        assert_eq!(feed.url, format!("https://{host}/api/v2/summary.json"));
        assert_eq!(feed.format, triage_policy::FeedFormat::Statuspage);
        assert_eq!(feed.proxy.as_deref(), Some(format!("/api/status/{product}").as_str()));
    }
    // "passe todos detalhes e imagens das telas": screenshots must be accepted.
    assert!(file.attachments.max_files > 0);
    for mime in ["image/png", "image/jpeg"] {
        assert!(file.attachments.types.iter().any(|t| t == mime), "{mime} must be accepted");
    }
    assert!(file.contact.required.contains(&triage_policy::model::ContactField::Product));
}

/// A seed example, the answers a customer with that problem gives, and the seed's severity.
struct SeedCase {
    /// The example, verbatim as in the policy file (pt-BR).
    example: &'static str,
    answers: &'static [(&'static str, &'static str)],
    severity: &'static str,
}

const P_CASES: &[SeedCase] = &[
    SeedCase {
        example: "O serviço está completamente interrompido ou indisponível.",
        answers: &[("situation", "service_down")],
        severity: "P1",
    },
    SeedCase {
        example: "Os dados estão corrompidos ou perdidos e devem ser restaurados do backup.",
        answers: &[("situation", "data_lost")],
        severity: "P1",
    },
    SeedCase {
        example: "As operações comerciais estão severamente prejudicadas.",
        answers: &[("situation", "not_working"), ("impact", "stopped"), ("workaround_critical", "none")],
        severity: "P1",
    },
    SeedCase {
        example:
            "O serviço está operacional, mas apresenta degradação extrema de desempenho, tornando-o difícil de usar.",
        answers: &[("situation", "not_working"), ("impact", "limited")],
        severity: "P2",
    },
    SeedCase {
        example: "Recursos-chave da plataforma Software as a Service (SaaS) estão indisponíveis.",
        answers: &[("situation", "not_working"), ("impact", "limited")],
        severity: "P2",
    },
    SeedCase {
        example: "As operações comerciais podem continuar, mas com limitações.",
        answers: &[("situation", "not_working"), ("impact", "limited")],
        severity: "P2",
    },
    SeedCase {
        example: "Alguns componentes não estão funcionando corretamente, mas o software ainda é utilizável.",
        answers: &[("situation", "not_working"), ("impact", "usable"), ("workaround_minor", "unsure")],
        severity: "P3",
    },
    SeedCase {
        example: "Existe uma solução alternativa de curto prazo, embora não seja uma solução escalável.",
        answers: &[("situation", "not_working"), ("impact", "usable"), ("workaround_minor", "short_term")],
        severity: "P3",
    },
    SeedCase {
        example: "Consultas gerais sobre o uso do aplicativo.",
        answers: &[("situation", "question")],
        severity: "P4",
    },
    SeedCase {
        example: "Consultas relacionadas a treinamentos para equipes internas ou clientes.",
        answers: &[("situation", "question")],
        severity: "P4",
    },
    SeedCase {
        example: "Solicitações de documentação ou consultas relacionadas a FAQ.",
        answers: &[("situation", "question")],
        severity: "P4",
    },
    SeedCase {
        example: "Problemas técnicos menores ou bugs em pequena escala com soluções alternativas disponíveis.",
        answers: &[("situation", "not_working"), ("impact", "usable"), ("workaround_minor", "acceptable")],
        severity: "P4",
    },
];

const T_CASES: &[SeedCase] = &[
    SeedCase {
        example: "Não entrega de e-mails.",
        answers: &[("works", "broken"), ("workaround", "none"), ("scope", "all_users")],
        severity: "T1",
    },
    SeedCase {
        example: "Inacessibilidade da plataforma para relatórios.",
        answers: &[("works", "broken"), ("workaround", "none"), ("scope", "all_users")],
        severity: "T1",
    },
    SeedCase {
        example: "Um usuário de uma organização não consegue acessar seu painel de controle e recebe uma página de erro 500.",
        answers: &[("works", "broken"), ("workaround", "none"), ("scope", "one_user")],
        severity: "T2",
    },
    SeedCase {
        example: "Não é possível excluir uma informação da plataforma usando o botão \"Excluir\", mas a mensagem pode ser apagada com manipulação na URL.",
        answers: &[("works", "broken"), ("workaround", "easy")],
        severity: "T3",
    },
    SeedCase {
        example: "Um usuário de uma organização não consegue adicionar novas listas de e-mail à sua campanha de pós-venda de forma intuitiva.",
        answers: &[("works", "not_intuitive")],
        severity: "T4",
    },
];

/// Every example in the file is in the table (and vice versa), under the severity the seed gives.
fn assert_cases_cover_examples(file: &PolicyFile, cases: &[SeedCase]) {
    let mut in_file: Vec<(&str, &str)> = file
        .severities
        .iter()
        .flat_map(|s| s.examples.iter().map(move |e| (e["pt-BR"].as_str(), s.id.as_str())))
        .collect();
    let mut in_table: Vec<(&str, &str)> = cases.iter().map(|c| (c.example, c.severity)).collect();
    in_file.sort();
    in_table.sort();
    assert_eq!(in_file, in_table, "{}: examples in the file vs. the seed table", file.id);
}

#[test]
fn every_seed_example_is_in_the_table() {
    assert_cases_cover_examples(&raw(P_FILE), P_CASES);
    assert_cases_cover_examples(&raw(T_FILE), T_CASES);
}

// ---- Through the engine: validation, classification, due times ----

fn policy(file: &str) -> Policy {
    parse_policy(&read_policy_json(file), &Tzdb).unwrap_or_else(|errors| panic!("{file} is not valid:\n{errors}"))
}

#[test]
fn both_seed_policies_validate() {
    let p = policy(P_FILE);
    assert_eq!(p.id(), "priority-p1-p4");
    assert_eq!(p.default_plan().id, "business-plus");
    let t = policy(T_FILE);
    assert_eq!(t.id(), "impact-t1-t4");
    assert_eq!(t.default_plan().id, "standard");
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(q, a)| (q.to_string(), a.to_string())).collect()
}

#[test]
fn every_seed_example_classifies_to_the_seed_severity() {
    for (file, cases) in [(P_FILE, P_CASES), (T_FILE, T_CASES)] {
        let policy = policy(file);
        for case in cases {
            let got = policy
                .classify(&answers(case.answers))
                .unwrap_or_else(|e| panic!("{file}: \"{}\" does not classify: {e}", case.example));
            assert_eq!(got.severity, case.severity, "{file}: \"{}\"", case.example);
            // The whole path was used: no answer of the case is superfluous.
            let used: Vec<(&str, &str)> = got.trail.iter().map(|s| (s.question.as_str(), s.answer.as_str())).collect();
            assert_eq!(used, case.answers, "{file}: \"{}\"", case.example);
        }
    }
}

#[test]
fn every_answer_has_a_reason_in_both_locales_and_unsure_goes_to_the_more_severe_branch() {
    for file in [P_FILE, T_FILE] {
        let policy = policy(file);
        for question in &policy.file().questionnaire.questions {
            for answer in &question.answers {
                for locale in ["pt-BR", "en"] {
                    let reason = answer.reason.get(locale).map(String::as_str).unwrap_or_default();
                    assert!(!reason.trim().is_empty(), "{file}: {}.{} reason in {locale}", question.id, answer.id);
                }
                if answer.unsure {
                    assert_eq!(answer.label["pt-BR"], "Não tenho certeza");
                    assert_eq!(answer.label["en"], "I'm not sure");
                }
            }
        }
    }
    // Unsure answers, one by one: they stand for the branch that can reach the most severe result.
    let p = policy(P_FILE);
    let assumed = |q: &str| p.assumed_answer(q, "unsure").map(|a| a.id.as_str());
    assert_eq!(assumed("impact"), Some("stopped"));
    assert_eq!(assumed("workaround_critical"), Some("none"));
    assert_eq!(assumed("workaround_minor"), Some("short_term"));
    let t = policy(T_FILE);
    let assumed = |q: &str| t.assumed_answer(q, "unsure").map(|a| a.id.as_str());
    assert_eq!(assumed("works"), Some("broken"));
    assert_eq!(assumed("workaround"), Some("none"));
    assert_eq!(assumed("scope"), Some("all_users"));

    // Not sure about anything: the most severe outcome of each policy.
    let unsure_everywhere =
        p.classify(&answers(&[("situation", "not_working"), ("impact", "unsure"), ("workaround_critical", "unsure")]));
    assert_eq!(unsure_everywhere.map(|c| c.severity), Ok("P1".to_string()));
    let unsure_everywhere = t.classify(&answers(&[("works", "unsure"), ("workaround", "unsure"), ("scope", "unsure")]));
    assert_eq!(unsure_everywhere.map(|c| c.severity), Ok("T1".to_string()));
}

#[test]
fn questionnaires_ask_one_question_per_step_in_the_customers_language() {
    let p = policy(P_FILE);
    match p.walk(&answers(&[("situation", "not_working")])) {
        Ok(Walk::Ask { question, path }) => {
            assert_eq!(question.id, "impact");
            assert_eq!(p.text(&question.prompt, "pt-BR"), "Como isso afeta as operações do seu negócio?");
            assert_eq!(p.text(&question.prompt, "en"), "How does this affect your business operations?");
            assert_eq!(path.len(), 1);
        }
        other => panic!("expected the impact question next, got {other:?}"),
    }
    let reason = p.answer("workaround_critical", "none").map(|a| (&a.reason["pt-BR"], &a.reason["en"]));
    assert_eq!(
        reason.map(|(pt, en)| (pt.as_str(), en.as_str())),
        Some(("não existe solução alternativa", "no workaround exists"))
    );
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).expect("valid test instant").with_timezone(&Utc)
}

/// (first_response.due, resolution.due, resolution.average_due) as RFC 3339 strings.
fn due(
    policy: &Policy,
    plan: &str,
    severity: &str,
    channel: Option<&str>,
    opened: &str,
) -> (String, String, Option<String>) {
    let due = policy
        .due(plan, severity, channel, at(opened), &Tzdb)
        .unwrap_or_else(|e| panic!("{plan} {severity} from {opened}: {e}"))
        .to_wire();
    (due.first_response.due, due.resolution.due, due.resolution.average_due)
}

#[test]
fn business_plus_due_times_with_real_dates() {
    let p = policy(P_FILE);
    // P1 on a Sunday night (24/7, weekends included): 30 min and 4 h of elapsed time.
    assert_eq!(
        due(&p, "business-plus", "P1", None, "2026-11-22T23:50:00-03:00"),
        ("2026-11-23T00:20:00-03:00".into(), "2026-11-23T03:50:00-03:00".into(), None)
    );
    // P2 given in UTC: answered in São Paulo's offset.
    assert_eq!(
        due(&p, "business-plus", "P2", None, "2026-11-23T12:00:00Z"),
        ("2026-11-23T10:00:00-03:00".into(), "2026-11-23T17:00:00-03:00".into(), None)
    );
    // P3 opened on Friday 2026-11-20 evening, Consciência Negra (a national holiday): the
    // business clock starts on Monday 23 at 09:00, and 1 business day later is Tuesday 09:00.
    // The first response (2 h, 24/7) is still due that same evening.
    assert_eq!(
        due(&p, "business-plus", "P3", None, "2026-11-20T19:30:00-03:00"),
        ("2026-11-20T21:30:00-03:00".into(), "2026-11-24T09:00:00-03:00".into(), None)
    );
    // P3 opened on Thursday 2026-11-19 at 10:00: the next business day is Monday (Friday 20 is
    // a holiday), same time of day.
    assert_eq!(due(&p, "business-plus", "P3", None, "2026-11-19T10:00:00-03:00").1, "2026-11-23T10:00:00-03:00");
    // P4 opened on Wednesday 2026-12-23 at 15:00: 2 business days skip Christmas (Friday 25),
    // the weekend: Thursday 24, then Monday 28, 15:00.
    assert_eq!(due(&p, "business-plus", "P4", None, "2026-12-23T15:00:00-03:00").1, "2026-12-28T15:00:00-03:00");
    // P3 opened on Thursday 2027-03-25 at 11:00: Good Friday (2027-03-26) is closed → Monday 29.
    assert_eq!(due(&p, "business-plus", "P3", None, "2027-03-25T11:00:00-03:00").1, "2027-03-29T11:00:00-03:00");
    // Carnaval is not a holiday in this calendar: P3 opened Monday 2027-02-08 → Tuesday 09.
    assert_eq!(due(&p, "business-plus", "P3", None, "2027-02-08T10:00:00-03:00").1, "2027-02-09T10:00:00-03:00");
}

#[test]
fn impact_policy_due_times_with_averages_and_channels() {
    let t = policy(T_FILE);
    // T2 opened Friday 2026-11-20 19:30 by WhatsApp: first response 4 min (3 min on average);
    // resolution 1 day (8 h on average), elapsed.
    let due_t2 = t.due("standard", "T2", Some("whatsapp"), at("2026-11-20T19:30:00-03:00"), &Tzdb).expect("due");
    let wire = due_t2.to_wire();
    assert_eq!(wire.first_response.due, "2026-11-20T19:34:00-03:00");
    assert_eq!(wire.first_response.average_due.as_deref(), Some("2026-11-20T19:33:00-03:00"));
    assert_eq!(wire.resolution.due, "2026-11-21T19:30:00-03:00");
    assert_eq!(wire.resolution.average_due.as_deref(), Some("2026-11-21T03:30:00-03:00"));
    // Without a channel: the general first response, 24 h (60 min on average), which for T1 would
    // run out after the 4 h resolution: capped at the resolution's due time.
    let due_t1 = t.due("standard", "T1", None, at("2026-11-20T19:30:00-03:00"), &Tzdb).expect("due");
    assert!(due_t1.first_response.capped && !due_t1.resolution.capped);
    assert_eq!(due_t1.first_response.limit, span(24, Unit::Hours), "the target as written is kept");
    let wire = due_t1.to_wire();
    assert_eq!(wire.first_response.due, "2026-11-20T23:30:00-03:00");
    assert_eq!(wire.first_response.average_due.as_deref(), Some("2026-11-20T20:30:00-03:00"));
    assert_eq!(wire.resolution.due, "2026-11-20T23:30:00-03:00");
    assert_eq!(wire.resolution.average_due.as_deref(), Some("2026-11-20T20:30:00-03:00"));
    // E-mail: 24 h, 6 h on average. T4: 7 days, 3 days on average.
    assert_eq!(
        due(&t, "standard", "T4", Some("email"), "2026-12-30T09:00:00-03:00"),
        (
            "2026-12-31T09:00:00-03:00".into(),
            "2027-01-06T09:00:00-03:00".into(),
            Some("2027-01-02T09:00:00-03:00".into())
        )
    );
    // T2 by e-mail: 24 h first response, 1 day resolution: equal, not capped.
    let due_t2 = t.due("standard", "T2", Some("email"), at("2026-11-20T19:30:00-03:00"), &Tzdb).expect("due");
    assert!(!due_t2.first_response.capped);
    // T1 by e-mail: 24 h capped at the 4 h resolution; by chat: 4 min, not capped.
    let due_t1 = t.due("standard", "T1", Some("email"), at("2026-11-20T19:30:00-03:00"), &Tzdb).expect("due");
    assert!(due_t1.first_response.capped);
    assert_eq!(due_t1.first_response.due, due_t1.resolution.due);
    let due_t1 = t.due("standard", "T1", Some("chat"), at("2026-11-20T19:30:00-03:00"), &Tzdb).expect("due");
    assert!(!due_t1.first_response.capped);
    let wire = t.due("standard", "T3", Some("email"), at("2026-12-30T09:00:00-03:00"), &Tzdb).expect("due").to_wire();
    assert_eq!(wire.first_response.average_due.as_deref(), Some("2026-12-30T15:00:00-03:00"));
    assert_eq!(wire.resolution.due, "2027-01-04T09:00:00-03:00");
    assert_eq!(wire.resolution.average_due.as_deref(), Some("2027-01-01T09:00:00-03:00"));
}
