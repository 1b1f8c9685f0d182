//! Every transition of the flow, on the two seed policies (and edited copies of them).

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde_json::{json, Value};
use triage_policy::ticket::{AttachmentMeta, DueTime, DueTimes, ErrorDetail, Identity, TicketReceipt};
use triage_policy::{parse_policy, Policy, ZoneError, ZoneResolver};

use super::validation::{Field, Problem};
use super::*;

const PRIORITY: &str = include_str!("../../www/policies/priority-p1-p4.json");
const IMPACT: &str = include_str!("../../www/policies/impact-t1-t4.json");

/// Brasília time (no DST since 2019) for the seeds' São Paulo calendars.
struct SaoPaulo;

impl ZoneResolver for SaoPaulo {
    fn offset_at(&self, zone: &str, _utc: DateTime<Utc>) -> Result<FixedOffset, ZoneError> {
        match zone {
            "America/Sao_Paulo" => Ok(FixedOffset::west_opt(3 * 3600).expect("offset")),
            "UTC" => Ok(FixedOffset::east_opt(0).expect("offset")),
            other => Err(ZoneError::unknown(other)),
        }
    }
}

fn seed(json: &str) -> Policy {
    parse_policy(json, &SaoPaulo).unwrap_or_else(|errors| panic!("seed policy: {errors}"))
}

fn priority() -> Policy {
    seed(PRIORITY)
}

/// The priority seed with `edit` applied to its JSON.
fn edited_priority(edit: impl FnOnce(&mut Value)) -> Policy {
    let mut value: Value = serde_json::from_str(PRIORITY).expect("seed JSON");
    edit(&mut value);
    seed(&value.to_string())
}

/// A flow on the questionnaire's first question, as after loading a policy with no draft.
fn fresh(policy: &Policy) -> Flow {
    let mut flow = Flow::new(None);
    flow.restore(policy, Draft::default());
    flow
}

fn asked(flow: &Flow, policy: &Policy) -> (String, usize) {
    match flow.walk(policy) {
        Some(WalkState::Ask { question, answered }) => (question, answered),
        other => panic!("expected a question, got {other:?}"),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(q, a)| (q.to_string(), a.to_string()))
        .collect()
}

fn severity_of(chosen: Chosen) -> String {
    match chosen {
        Chosen::Finished(classification) => classification.severity,
        other => panic!("expected a result, got {other:?}"),
    }
}

/// Answers `situation=not_working, impact=usable, workaround_minor=short_term`: P3.
fn at_p3_result(policy: &Policy) -> Flow {
    let mut flow = fresh(policy);
    assert_eq!(flow.choose(policy, "situation", "not_working"), Chosen::Next);
    assert_eq!(flow.choose(policy, "impact", "usable"), Chosen::Next);
    assert_eq!(severity_of(flow.choose(policy, "workaround_minor", "short_term")), "P3");
    flow
}

fn fill_contact(flow: &mut Flow, policy: &Policy) {
    for (field, value) in [
        (Field::Name, "Ana Souza"),
        (Field::Email, "ana@example.com.br"),
        (Field::Subject, " Payroll export fails "),
        (Field::Description, "Since 9:00 the export stops at 40%."),
    ] {
        flow.set_field(policy, field, value.to_string());
    }
}

fn context() -> TicketContext {
    TicketContext {
        now: Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).single().expect("instant"),
        locale: "en".into(),
        time_zone: "Europe/Lisbon".into(),
        page_url: "https://help.example.com/".into(),
        attachments: vec![AttachmentMeta { name: "log.txt".into(), mime: "text/plain".into(), size: 12 }],
        fill_ms: Some(42_000),
    }
}

// ---- walk, back, classify ---------------------------------------------------------------------

#[test]
fn the_walk_starts_at_the_first_question_and_ends_at_a_severity() {
    let policy = priority();
    let mut flow = fresh(&policy);
    assert_eq!(flow.stage, Stage::Questions);
    assert_eq!(asked(&flow, &policy), ("situation".into(), 0));
    assert_eq!(flow.choose(&policy, "situation", "not_working"), Chosen::Next);
    assert_eq!(asked(&flow, &policy), ("impact".into(), 1));
    assert_eq!(flow.choose(&policy, "impact", "stopped"), Chosen::Next);
    assert_eq!(asked(&flow, &policy), ("workaround_critical".into(), 2));
    assert_eq!(severity_of(flow.choose(&policy, "workaround_critical", "none")), "P1");
    assert_eq!(flow.stage, Stage::Result);
    let classification = flow.classification(&policy).expect("classified");
    let trail: Vec<&str> = classification.trail.iter().map(|s| s.question.as_str()).collect();
    assert_eq!(trail, ["situation", "impact", "workaround_critical"]);
}

#[test]
fn one_answer_can_finish_the_questionnaire() {
    let policy = priority();
    let mut flow = fresh(&policy);
    assert_eq!(severity_of(flow.choose(&policy, "situation", "service_down")), "P1");
    let impact = seed(IMPACT);
    let mut flow = fresh(&impact);
    assert_eq!(severity_of(flow.choose(&impact, "works", "not_intuitive")), "T4");
}

#[test]
fn unsure_answers_take_the_policy_s_assumed_route() {
    let policy = priority();
    let mut flow = fresh(&policy);
    flow.choose(&policy, "situation", "not_working");
    flow.choose(&policy, "impact", "stopped");
    let severity = severity_of(flow.choose(&policy, "workaround_critical", "unsure"));
    let classification = flow.classification(&policy).expect("classified");
    assert!(classification.trail.last().expect("trail").unsure);
    assert!(severity == "P1" || severity == "P2", "assumed route gave {severity}");
}

#[test]
fn answers_that_are_not_asked_or_not_offered_are_refused() {
    let policy = priority();
    let mut flow = fresh(&policy);
    assert_eq!(flow.choose(&policy, "impact", "stopped"), Chosen::NotOnPath, "not asked yet");
    assert_eq!(flow.choose(&policy, "situation", "on_fire"), Chosen::NotOnPath, "no such answer");
    assert_eq!(flow.choose(&policy, "nope", "yes"), Chosen::NotOnPath, "no such question");
    assert!(flow.answers().is_empty());
    assert_eq!(flow.stage, Stage::Questions);
}

#[test]
fn back_walks_from_the_form_to_the_result_to_the_last_question() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    fill_contact(&mut flow, &policy);
    assert_eq!(flow.continue_to_form(&policy), Ok(()));
    assert_eq!(flow.stage, Stage::Form);
    assert!(flow.back());
    assert_eq!(flow.stage, Stage::Result, "form → result keeps the answers");
    assert_eq!(flow.answers().len(), 3);
    assert!(flow.back());
    assert_eq!(flow.stage, Stage::Questions);
    assert_eq!(asked(&flow, &policy), ("workaround_minor".into(), 2));
    assert_eq!(flow.remembered("workaround_minor"), Some("short_term"), "preselected");
    assert!(flow.back());
    assert!(flow.back());
    assert_eq!(asked(&flow, &policy), ("situation".into(), 0));
    assert!(!flow.back(), "nothing before the first question");
    assert_eq!(flow.fields.name, "Ana Souza", "Back never drops what was typed");
}

#[test]
fn back_after_an_answer_changed_the_path_follows_the_new_path() {
    let policy = priority();
    let mut flow = fresh(&policy);
    flow.choose(&policy, "situation", "not_working");
    flow.choose(&policy, "impact", "stopped");
    assert_eq!(severity_of(flow.choose(&policy, "workaround_critical", "none")), "P1");
    // Back twice to `impact`, and take the other branch.
    flow.back();
    flow.back();
    assert_eq!(asked(&flow, &policy), ("impact".into(), 1));
    assert_eq!(flow.remembered("impact"), Some("stopped"));
    assert_eq!(flow.choose(&policy, "impact", "usable"), Chosen::Next);
    assert_eq!(asked(&flow, &policy), ("workaround_minor".into(), 2));
    // Back from here is `impact` (the new path), not `workaround_critical` (the old one).
    assert!(flow.back());
    assert_eq!(asked(&flow, &policy), ("impact".into(), 1));
    assert_eq!(flow.remembered("impact"), Some("usable"), "the latest choice is preselected");
    assert_eq!(flow.answers(), pairs(&[("situation", "not_working")]).as_slice());
    // The old branch's answer is still remembered, off the path.
    assert_eq!(flow.remembered("workaround_critical"), Some("none"));
    assert_eq!(flow.choose(&policy, "impact", "stopped"), Chosen::Next);
    assert_eq!(asked(&flow, &policy), ("workaround_critical".into(), 2));
}

#[test]
fn answering_an_earlier_question_again_drops_the_answers_after_it() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    assert_eq!(severity_of(flow.choose(&policy, "situation", "question")), "P4");
    assert_eq!(flow.answers(), pairs(&[("situation", "question")]).as_slice());
}

#[test]
fn start_over_forgets_answers_and_escalation_but_not_the_contact() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    fill_contact(&mut flow, &policy);
    flow.set_escalation_requested(&policy, true);
    flow.start_over();
    assert_eq!(asked(&flow, &policy), ("situation".into(), 0));
    assert_eq!(flow.remembered("situation"), None);
    assert_eq!(flow.escalation, EscalationDraft::default());
    assert_eq!(flow.fields.email, "ana@example.com.br");
}

#[test]
fn a_new_ticket_keeps_who_the_customer_is_and_clears_what_it_was_about() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    fill_contact(&mut flow, &policy);
    flow.new_ticket();
    assert_eq!((flow.fields.name.as_str(), flow.fields.email.as_str()), ("Ana Souza", "ana@example.com.br"));
    assert!(flow.fields.subject.is_empty() && flow.fields.description.is_empty());
    assert_eq!(flow.stage, Stage::Questions);
}

#[test]
fn questions_left_estimates_the_rest_of_the_path() {
    let policy = priority();
    assert_eq!(questions_left(&policy, "situation"), (1, 3));
    assert_eq!(questions_left(&policy, "impact"), (1, 2));
    assert_eq!(questions_left(&policy, "workaround_minor"), (1, 1));
}

// ---- plan and escalation --------------------------------------------------------------------

#[test]
fn the_plan_comes_from_identify_then_the_page_then_the_policy() {
    let policy = priority();
    let default = policy.default_plan().id.clone();
    let mut flow = Flow::new(Some("no-such-plan".into()));
    assert_eq!(flow.plan_id(&policy), default, "unknown data-plan: the default");
    let other = policy.plans().iter().find(|p| p.id != default).expect("two plans").id.clone();
    let mut flow_with_page_plan = Flow::new(Some(other.clone()));
    assert_eq!(flow_with_page_plan.plan_id(&policy), other);
    flow_with_page_plan.identify(Some(default.clone()), None);
    assert_eq!(flow_with_page_plan.plan_id(&policy), default, "identify wins");
    flow.identify(Some("nope".into()), None);
    assert_eq!(flow.plan_id(&policy), default);
}

#[test]
fn escalation_offers_the_more_severe_severities_only() {
    let policy = priority();
    let flow = at_p3_result(&policy);
    let ids: Vec<&str> = flow.escalation_choices(&policy).iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["P1", "P2"]);
    let mut flow = fresh(&policy);
    flow.choose(&policy, "situation", "service_down");
    assert!(flow.escalation_choices(&policy).is_empty(), "nothing above P1");
    let impact = seed(IMPACT);
    let mut flow = fresh(&impact);
    flow.choose(&impact, "works", "not_intuitive");
    assert!(flow.escalation_choices(&impact).is_empty(), "the T1–T4 policy does not allow it");
    flow.set_escalation_requested(&impact, true);
    assert!(!flow.escalation.requested, "a request the policy does not allow stays off");
}

#[test]
fn only_the_plans_the_policy_names_may_ask_for_escalation() {
    // Seed 000, FAQ 11: escalation requests are granted to Business+ customers, not Pro.
    let policy = priority();
    let mut flow = Flow::new(Some("pro".to_string()));
    flow.restore(&policy, Draft::default());
    assert_eq!(flow.choose(&policy, "situation", "not_working"), Chosen::Next);
    assert_eq!(flow.choose(&policy, "impact", "usable"), Chosen::Next);
    assert_eq!(severity_of(flow.choose(&policy, "workaround_minor", "short_term")), "P3");
    assert_eq!(flow.plan_id(&policy), "pro");
    assert!(flow.escalation_choices(&policy).is_empty(), "Pro may not ask");
    flow.set_escalation_requested(&policy, true);
    assert!(!flow.escalation.requested, "a request the plan may not make stays off");
    let (ticket, _) = flow.ticket(&policy, context(), &SaoPaulo).expect("ticket");
    assert!(ticket.escalation.is_none(), "and is never sent");
    // The default plan, Business+, may, and the request goes with the ticket.
    let mut flow = at_p3_result(&policy);
    assert_eq!(flow.plan_id(&policy), "business-plus");
    flow.set_escalation_requested(&policy, true);
    flow.set_escalation_reason("  Payroll is due today  ".into());
    flow.continue_to_form(&policy).expect("form");
    fill_contact(&mut flow, &policy);
    flow.submit(&policy).expect("complete");
    let (ticket, _) = flow.ticket(&policy, context(), &SaoPaulo).expect("ticket");
    let escalation = ticket.escalation.expect("escalation");
    assert_eq!((escalation.severity.as_str(), escalation.reason.as_str()), ("P2", "Payroll is due today"));
}

#[test]
fn an_escalation_request_starts_one_step_up_and_needs_a_reason() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.set_escalation_requested(&policy, true);
    assert_eq!(flow.escalation.severity, "P2");
    assert_eq!(flow.continue_to_form(&policy), Err(Some(Field::EscalationReason)));
    assert_eq!(flow.errors, vec![(Field::EscalationReason, Problem::Required)]);
    assert_eq!(flow.stage, Stage::Result);
    flow.set_escalation_reason("   ".into());
    assert_eq!(flow.errors.len(), 1, "blank is still no reason");
    flow.set_escalation_reason("Payroll is due today".into());
    assert!(flow.errors.is_empty(), "the message goes as soon as there is a reason");
    flow.set_escalation_severity(&policy, "P1");
    assert_eq!(flow.continue_to_form(&policy), Ok(()));
    assert_eq!(flow.escalation.severity, "P1");
    // Turning it off clears its message, keeps the reason for turning it on again.
    let mut flow = at_p3_result(&policy);
    flow.set_escalation_requested(&policy, true);
    let _ = flow.continue_to_form(&policy);
    flow.set_escalation_requested(&policy, false);
    assert!(flow.errors.is_empty());
    assert_eq!(flow.continue_to_form(&policy), Ok(()));
}

#[test]
fn escalation_to_a_severity_the_plan_lacks_falls_back_to_one_it_has() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.set_escalation_requested(&policy, true);
    flow.set_escalation_severity(&policy, "P0");
    assert_eq!(flow.escalation.severity, "P2", "unknown severity: the nearest choice");
    flow.set_escalation_severity(&policy, "P4");
    assert_eq!(flow.escalation.severity, "P2", "a less severe one is no escalation");
    flow.set_escalation_severity(&policy, "P3");
    assert_eq!(flow.escalation.severity, "P2", "nor is the result itself");
}

#[test]
fn an_escalation_that_the_new_answers_overtook_is_refitted_or_dropped() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.set_escalation_requested(&policy, true);
    flow.set_escalation_reason("Payroll".into());
    assert_eq!(flow.escalation.severity, "P2");
    // Back to the first question; the new answer gives P1: nothing is more severe.
    while flow.back() {}
    assert_eq!(severity_of(flow.choose(&policy, "situation", "service_down")), "P1");
    assert!(!flow.escalation.requested, "P2 is no escalation of P1");
    assert_eq!(flow.escalation.reason, "Payroll", "what was typed stays");
    fill_contact(&mut flow, &policy);
    let classification = flow.submit(&policy).expect("complete");
    assert_eq!(classification.severity, "P1");
    let (ticket, _) = flow.ticket(&policy, context(), &SaoPaulo).expect("ticket");
    assert_eq!(ticket.escalation, None);
}

// ---- the form, sending, settling -------------------------------------------------------------

#[test]
fn send_checks_the_form_by_the_policy_s_rules() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.continue_to_form(&policy).expect("no escalation");
    assert_eq!(flow.submit(&policy), Err(Some(Field::Name)));
    assert_eq!(flow.form_note, Some(FormNote::FixFields));
    let flagged: Vec<Field> = flow.errors.iter().map(|(f, _)| *f).collect();
    assert_eq!(flagged, [Field::Name, Field::Email, Field::Subject, Field::Description]);
    assert_eq!(flow.stage, Stage::Form);
    // A flagged field is re-checked as it is typed: the message changes, then goes.
    flow.set_field(&policy, Field::Email, "ana@".into());
    assert!(flow.errors.contains(&(Field::Email, Problem::EmailInvalid)));
    flow.set_field(&policy, Field::Email, "ana@example.com".into());
    assert!(!flow.errors.iter().any(|(f, _)| *f == Field::Email));
    // A field never flagged is not checked while typing.
    flow.set_field(&policy, Field::Phone, "x".into());
    assert!(!flow.errors.iter().any(|(f, _)| *f == Field::Phone));
    fill_contact(&mut flow, &policy);
    assert!(flow.submit(&policy).is_ok());
    assert_eq!(flow.stage, Stage::Sending);
    assert!(flow.errors.is_empty() && flow.form_note.is_none());
}

#[test]
fn a_file_problem_blocks_sending_until_the_files_change() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.continue_to_form(&policy).expect("form");
    fill_contact(&mut flow, &policy);
    flow.set_attachment_problem(Some("movie.mp4 is not an accepted type.".into()));
    assert_eq!(flow.submit(&policy), Err(Some(Field::Attachments)));
    flow.set_attachment_problem(None);
    assert!(flow.submit(&policy).is_ok());
}

#[test]
fn the_products_policy_requires_a_product() {
    let impact = seed(IMPACT);
    let mut flow = fresh(&impact);
    flow.choose(&impact, "works", "not_intuitive");
    flow.continue_to_form(&impact).expect("form");
    fill_contact(&mut flow, &impact);
    assert_eq!(flow.submit(&impact), Err(Some(Field::Product)));
    let product = impact.file().products[0].id.clone();
    flow.set_field(&impact, Field::Product, product);
    assert!(flow.submit(&impact).is_ok());
}

#[test]
fn settling_shows_the_receipt_the_queue_or_the_refusal() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.continue_to_form(&policy).expect("form");
    fill_contact(&mut flow, &policy);
    flow.submit(&policy).expect("sent");
    flow.queued(2);
    assert_eq!(flow.stage, Stage::Queued(2));
    assert_eq!(flow.draft(), None, "a queued ticket leaves no draft to save");
    let receipt = TicketReceipt {
        id: "t-1".into(),
        reference: "TW-0001".into(),
        severity: "P3".into(),
        due: DueTimes {
            first_response: DueTime { due: "2026-12-03T16:00:00-03:00".into(), average_due: None },
            resolution: DueTime { due: "2026-12-04T14:00:00-03:00".into(), average_due: None },
        },
        replayed: false,
    };
    flow.delivered(receipt.clone());
    assert_eq!(flow.stage, Stage::Sent(receipt));
    // Refused, naming a field: back at the form with the message there.
    let field = flow.rejected(&ErrorDetail {
        code: "invalid".into(),
        message: "this address bounces".into(),
        field: Some("contact.email".into()),
    });
    assert_eq!(field, Some(Field::Email));
    assert_eq!(flow.stage, Stage::Form);
    assert_eq!(flow.errors, vec![(Field::Email, Problem::Rejected("this address bounces".into()))]);
    assert_eq!(flow.form_note, Some(FormNote::FixFields));
    // Refused as a whole.
    assert_eq!(
        flow.rejected(&ErrorDetail { code: "policy".into(), message: "unknown policy".into(), field: None }),
        None
    );
    assert!(flow.errors.is_empty());
    assert_eq!(flow.form_note, Some(FormNote::Rejected("unknown policy".into())));
}

// ---- the ticket ----------------------------------------------------------------------------

#[test]
fn the_ticket_carries_the_answers_reasons_due_times_and_contact() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.set_escalation_requested(&policy, true);
    flow.set_escalation_reason("  Payroll is due today  ".into());
    flow.continue_to_form(&policy).expect("form");
    fill_contact(&mut flow, &policy);
    flow.identify(
        Some("pro".into()),
        Some(Identity { user_id: "u-1".into(), plan: "pro".into(), expires: 1, signature: "s".into() }),
    );
    assert!(fresh(&policy).ticket(&policy, context(), &SaoPaulo).is_none(), "no ticket before a result");
    flow.submit(&policy).expect("complete");
    let (ticket, due_error) = flow.ticket(&policy, context(), &SaoPaulo).expect("ticket");
    assert_eq!(due_error, None);
    assert_eq!((ticket.policy.id.as_str(), ticket.plan.as_str(), ticket.severity.as_str()), ("priority-p1-p4", "pro", "P3"));
    let answers: Vec<(&str, &str)> = ticket.answers.iter().map(|a| (a.question.as_str(), a.answer.as_str())).collect();
    assert_eq!(answers, [("situation", "not_working"), ("impact", "usable"), ("workaround_minor", "short_term")]);
    assert_eq!(ticket.reasons.len(), 3);
    assert!(ticket.reasons.iter().all(|r| !r.is_empty()));
    assert!(
        ticket.escalation.is_none(),
        "asked as Business+, identified as Pro before sending: Pro may not ask (FAQ 11), so it is not sent"
    );
    // Pro, P3: first response within 4 hours on the 24/7 calendar, from 14:00 Brasília time.
    assert_eq!(ticket.due.first_response.due, "2026-12-03T18:00:00-03:00");
    assert_eq!(ticket.subject, "Payroll export fails", "trimmed");
    assert_eq!(ticket.contact.phone, None, "blank optional fields are left out");
    assert_eq!(ticket.created_at, "2026-12-03T17:00:00.000Z");
    assert_eq!((ticket.locale.as_str(), ticket.time_zone.as_str()), ("en", "Europe/Lisbon"));
    assert_eq!(ticket.attachments.len(), 1);
    assert_eq!(ticket.fill_ms, Some(42_000));
    assert_eq!(ticket.identity.map(|i| i.user_id), Some("u-1".into()));
    assert_eq!(ticket.website, None, "honeypot empty");
}

#[test]
fn due_times_that_cannot_be_computed_leave_them_to_the_receiver() {
    struct Nowhere;
    impl ZoneResolver for Nowhere {
        fn offset_at(&self, zone: &str, _utc: DateTime<Utc>) -> Result<FixedOffset, ZoneError> {
            Err(ZoneError::unknown(zone))
        }
    }
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.continue_to_form(&policy).expect("form");
    fill_contact(&mut flow, &policy);
    flow.honeypot = "http://spam".into();
    let (ticket, due_error) = flow.ticket(&policy, context(), &Nowhere).expect("ticket");
    assert!(due_error.is_some());
    assert_eq!(ticket.due.first_response.due, "");
    assert_eq!(ticket.website.as_deref(), Some("http://spam"), "the honeypot is sent for the receiver to judge");
}

// ---- drafts ----------------------------------------------------------------------------------

#[test]
fn a_draft_comes_back_where_the_customer_left() {
    let policy = priority();
    let mut flow = at_p3_result(&policy);
    flow.set_escalation_requested(&policy, true);
    flow.set_escalation_reason("Payroll".into());
    flow.continue_to_form(&policy).expect("form");
    flow.set_field(&policy, Field::Name, "Ana".into());
    let draft = flow.draft().expect("a draft on the form");
    assert_eq!(draft.step, Step::Form);
    let mut restored = Flow::new(None);
    restored.restore(&policy, draft.clone());
    assert_eq!(restored.stage, Stage::Form);
    assert_eq!(restored.draft(), Some(draft));
    assert_eq!(restored.remembered("impact"), Some("usable"));
}

#[test]
fn a_draft_keeps_typed_fields_over_prefilled_ones_and_prefill_never_overwrites() {
    let policy = priority();
    let mut flow = Flow::new(None);
    flow.prefill(|key| (key == "email" || key == "name").then(|| format!("{key}-from-page")));
    let draft = Draft { fields: FormFields { name: "Ana".into(), ..FormFields::default() }, ..Draft::default() };
    flow.restore(&policy, draft);
    assert_eq!(flow.fields.name, "Ana", "what the customer typed wins");
    assert_eq!(flow.fields.email, "email-from-page", "an empty drafted field keeps the prefill");
    flow.prefill(|_| Some("later".into()));
    assert_eq!(flow.fields.name, "Ana");
    assert_eq!(flow.fields.phone, "later", "only empty fields are filled");
    flow.prefill(|_| Some("   ".into()));
    assert_eq!(flow.fields.subject, "later");
}

#[test]
fn a_draft_for_a_policy_whose_questions_changed_keeps_the_valid_part_of_its_path() {
    // The site owner removed `impact`'s "usable" answer and renamed `workaround_minor`.
    let policy = edited_priority(|policy| {
        let questions = policy["questionnaire"]["questions"].as_array_mut().expect("questions");
        for question in questions.iter_mut() {
            if question["id"] == "impact" {
                let answers = question["answers"].as_array_mut().expect("answers");
                answers.retain(|a| a["id"] != "usable");
            }
        }
        questions.retain(|q| q["id"] != "workaround_minor");
    });
    let draft = Draft {
        answers: pairs(&[("situation", "not_working"), ("impact", "usable"), ("workaround_minor", "short_term")]),
        step: Step::Form,
        fields: FormFields { description: "It stops at 40%".into(), ..FormFields::default() },
        ..Draft::default()
    };
    let mut flow = Flow::new(None);
    flow.restore(&policy, draft);
    assert_eq!(flow.answers(), pairs(&[("situation", "not_working")]).as_slice());
    assert_eq!(asked(&flow, &policy), ("impact".into(), 1));
    assert_eq!(flow.stage, Stage::Questions, "the form needs a result first");
    assert_eq!(flow.remembered("impact"), None, "an answer the question no longer has is not preselected");
    assert_eq!(flow.fields.description, "It stops at 40%", "what was typed is never lost");
}

#[test]
fn a_draft_whose_path_now_ends_sooner_stops_at_the_result() {
    // `impact: stopped` now leads straight to P1 (the workaround question moved to `limited`): the
    // drafted workaround answer is off the path.
    let policy = edited_priority(|policy| {
        for question in policy["questionnaire"]["questions"].as_array_mut().expect("questions") {
            if question["id"] == "impact" {
                for answer in question["answers"].as_array_mut().expect("answers") {
                    if answer["id"] == "stopped" {
                        answer["next"] = json!({ "severity": "P1" });
                    }
                    if answer["id"] == "limited" {
                        answer["next"] = json!({ "question": "workaround_critical" });
                    }
                }
            }
        }
    });
    let draft = Draft {
        answers: pairs(&[("situation", "not_working"), ("impact", "stopped"), ("workaround_critical", "none")]),
        step: Step::Result,
        ..Draft::default()
    };
    let mut flow = Flow::new(None);
    flow.restore(&policy, draft);
    assert_eq!(flow.answers().len(), 2);
    assert_eq!(flow.classification(&policy).map(|c| c.severity), Some("P1".into()));
    assert_eq!(flow.stage, Stage::Result);
}

#[test]
fn a_drafted_escalation_is_fitted_to_the_policy_it_comes_back_to() {
    let policy = priority();
    let escalation = |severity: &str| EscalationDraft { requested: true, severity: severity.into(), reason: "why".into() };
    let p3 = pairs(&[("situation", "not_working"), ("impact", "usable"), ("workaround_minor", "short_term")]);
    for (drafted, fitted) in [("P1", "P1"), ("P0", "P2"), ("P4", "P2"), ("", "P2")] {
        let mut flow = Flow::new(None);
        flow.restore(&policy, Draft { answers: p3.clone(), step: Step::Result, escalation: escalation(drafted), ..Draft::default() });
        assert_eq!(flow.escalation.severity, fitted, "drafted {drafted:?}");
        assert!(flow.escalation.requested);
    }
    // The T1–T4 policy allows no escalation: the request is turned off, its reason kept.
    let impact = seed(IMPACT);
    let mut flow = Flow::new(None);
    flow.restore(&impact, Draft { answers: pairs(&[("works", "not_intuitive")]), escalation: escalation("T1"), ..Draft::default() });
    assert!(!flow.escalation.requested);
    assert_eq!(flow.escalation.reason, "why");
}

#[test]
fn there_is_no_draft_while_loading_sending_or_after_sending() {
    let mut flow = Flow::new(None);
    assert_eq!(flow.draft(), None, "loading");
    flow.broken();
    assert_eq!(flow.draft(), None);
    let policy = priority();
    let flow = fresh(&policy);
    assert_eq!(flow.draft().map(|d| d.step), Some(Step::Questions));
}

// ---- identify ------------------------------------------------------------------------------

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

#[test]
fn a_signed_identity_needs_all_its_parts() {
    let identity = signed_identity(some("u-1"), some("business"), Some(1_893_456_000), some("ab12"));
    assert_eq!(
        identity,
        Ok(Some(Identity {
            user_id: "u-1".into(),
            plan: "business".into(),
            expires: 1_893_456_000,
            signature: "ab12".into(),
        }))
    );
    assert_eq!(signed_identity(some("u-1"), some("business"), None, None), Ok(None), "unsigned: no identity, no error");
    assert_eq!(
        signed_identity(None, some("business"), None, some("ab12")),
        Err(vec!["userId", "expires (Unix seconds, an integer)"])
    );
}
