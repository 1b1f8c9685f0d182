//! The flow's rules, as one plain-Rust state machine: which question comes next, Back, the result,
//! the request for a higher severity, the contact form's checks, the ticket that is sent, and a
//! draft put back after a reload. No DOM, no signals, no storage: `crate::widget` holds a [`Flow`]
//! in a signal and does the effects (focus, storage, network) that its transitions call for.

pub mod validation;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use triage_policy::model::{Next, Severity};
use triage_policy::ticket::{
    AnswerRecord, AttachmentMeta, Contact, DueTime, DueTimes, ErrorDetail, EscalationRequest,
    Identity, PolicyRef, TicketPayload, TicketReceipt,
};
use triage_policy::{Classification, DueError, Policy, Walk, ZoneResolver};

use crate::draft::{Draft, EscalationDraft, FormFields, Step};
use validation::{Field, Problem};

/// Where the customer is in the flow.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Stage {
    /// The policy is being fetched.
    #[default]
    Loading,
    /// The policy (or the configuration) is unusable: the fallback contact is shown.
    Broken,
    Questions,
    Result,
    Form,
    Sending,
    /// Delivered; the endpoint's receipt.
    Sent(TicketReceipt),
    /// Kept in the outbox; number of tickets waiting.
    Queued(u32),
}

/// The questionnaire's state, owned (no borrow of the policy).
#[derive(Debug, Clone, PartialEq)]
pub enum WalkState {
    /// Ask `question`; `answered` questions lie behind it on the path.
    Ask { question: String, answered: usize },
    Done(Classification),
}

/// A note for the form as a whole, above the Send button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormNote {
    /// Some fields need fixing (each has its own message).
    FixFields,
    /// The endpoint refused the ticket with this message, naming no field.
    Rejected(String),
}

/// What `choose` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Chosen {
    /// The next question is asked.
    Next,
    /// The questionnaire is complete: the result is shown.
    Finished(Classification),
    /// The question is not the one being asked, or the answer is not one of its answers.
    NotOnPath,
}

/// What the browser knows that goes into a ticket besides the flow's state.
#[derive(Debug, Clone, Default)]
pub struct TicketContext {
    pub now: DateTime<Utc>,
    /// The UI locale's tag (`pt-BR`).
    pub locale: String,
    /// The customer's IANA time zone.
    pub time_zone: String,
    pub page_url: String,
    pub attachments: Vec<AttachmentMeta>,
    /// Milliseconds from opening the panel to sending.
    pub fill_ms: Option<u64>,
}

/// The customer's whole flow: stage, answers, escalation request, form, messages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Flow {
    pub stage: Stage,
    /// Answers on the current path, in order: (question id, answer id).
    answers: Vec<(String, String)>,
    /// Every answer chosen this session, to preselect a radio after Back or Start over.
    remembered: BTreeMap<String, String>,
    pub escalation: EscalationDraft,
    pub fields: FormFields,
    /// The honeypot field people never see.
    pub honeypot: String,
    /// Messages shown under fields, in screen order.
    pub errors: Vec<(Field, Problem)>,
    pub form_note: Option<FormNote>,
    /// The page's `data-plan`.
    configured_plan: Option<String>,
    /// The plan from `identify`.
    identified_plan: Option<String>,
    pub identity: Option<Identity>,
}

impl Flow {
    /// A flow still waiting for its policy; `configured_plan` is the page's `data-plan`.
    pub fn new(configured_plan: Option<String>) -> Flow {
        Flow {
            configured_plan,
            ..Flow::default()
        }
    }

    // ---- the questionnaire ---------------------------------------------------------------

    /// Answers on the current path, in order.
    pub fn answers(&self) -> &[(String, String)] {
        &self.answers
    }

    /// The answer chosen earlier for `question`, if any (to preselect it).
    pub fn remembered(&self, question: &str) -> Option<&str> {
        self.remembered.get(question).map(String::as_str)
    }

    /// The questionnaire's state for the current answers; `None` when they no longer fit the
    /// policy (which `restore` prevents).
    pub fn walk(&self, policy: &Policy) -> Option<WalkState> {
        match policy.walk(&answer_map(&self.answers)).ok()? {
            Walk::Ask { question, path } => Some(WalkState::Ask {
                question: question.id.clone(),
                answered: path.len(),
            }),
            Walk::Done(classification) => Some(WalkState::Done(classification)),
        }
    }

    /// The finished classification, if the questionnaire is complete.
    pub fn classification(&self, policy: &Policy) -> Option<Classification> {
        match self.walk(policy)? {
            WalkState::Done(classification) => Some(classification),
            WalkState::Ask { .. } => None,
        }
    }

    /// Records `answer` for the question being asked and moves on to the next question or the
    /// result. Answering a question again drops the answers after it (they were on the old path).
    pub fn choose(&mut self, policy: &Policy, question: &str, answer: &str) -> Chosen {
        let asked = match self.walk(policy) {
            Some(WalkState::Ask { question, .. }) => Some(question),
            _ => None,
        };
        let known = policy
            .question(question)
            .is_some_and(|q| q.answers.iter().any(|a| a.id == answer));
        let on_path = asked.as_deref() == Some(question)
            || self.answers.iter().any(|(q, _)| q == question);
        if !known || !on_path {
            return Chosen::NotOnPath;
        }
        self.remembered
            .insert(question.to_string(), answer.to_string());
        if let Some(at) = self.answers.iter().position(|(q, _)| q == question) {
            self.answers.truncate(at);
        }
        self.answers.push((question.to_string(), answer.to_string()));
        self.clear_messages();
        match self.walk(policy) {
            Some(WalkState::Done(classification)) => {
                self.stage = Stage::Result;
                self.fit_escalation(policy);
                Chosen::Finished(classification)
            }
            _ => {
                self.stage = Stage::Questions;
                Chosen::Next
            }
        }
    }

    /// Back: from a question to the previous one, from the result to the last question, from the
    /// form to the result. False when there is nowhere to go back to.
    pub fn back(&mut self) -> bool {
        match self.stage {
            Stage::Form => self.stage = Stage::Result,
            Stage::Result => {
                self.answers.pop();
                self.stage = Stage::Questions;
            }
            Stage::Questions if !self.answers.is_empty() => {
                self.answers.pop();
            }
            _ => return false,
        }
        self.clear_messages();
        true
    }

    /// Forgets the answers and the escalation request (not the contact fields) and starts the
    /// questionnaire again.
    pub fn start_over(&mut self) {
        self.answers.clear();
        self.remembered.clear();
        self.escalation = EscalationDraft::default();
        self.clear_messages();
        self.stage = Stage::Questions;
    }

    /// After a sent or queued ticket: a fresh questionnaire and form; the contact details stay.
    pub fn new_ticket(&mut self) {
        self.fields.subject.clear();
        self.fields.description.clear();
        self.fields.product.clear();
        self.start_over();
    }

    fn clear_messages(&mut self) {
        self.errors.clear();
        self.form_note = None;
    }

    // ---- plan and escalation -------------------------------------------------------------

    /// The plan the customer is on: from `identify`, else `data-plan`, else the policy's default
    /// (ids the policy doesn't know are passed over).
    pub fn plan_id(&self, policy: &Policy) -> String {
        self.identified_plan
            .iter()
            .chain(&self.configured_plan)
            .find(|id| policy.plan(id).is_some())
            .cloned()
            .unwrap_or_else(|| policy.default_plan().id.clone())
    }

    /// The severities the customer may ask for instead of the result, most severe first: those
    /// more severe than the result that the plan has targets for, when the policy lets the
    /// customer's plan ask (`escalation.plans`; the receiver refuses the others with a 400).
    pub fn escalation_choices<'p>(&self, policy: &'p Policy) -> Vec<&'p Severity> {
        let Some(classification) = self.classification(policy) else {
            return Vec::new();
        };
        let plan_id = self.plan_id(policy);
        if !policy.may_request_escalation(&plan_id) {
            return Vec::new();
        }
        let rank = policy.severity_rank(&classification.severity).unwrap_or(0);
        let plan = policy.plan(&plan_id);
        policy.severities()[..rank]
            .iter()
            .filter(|severity| plan.is_some_and(|plan| plan.targets.contains_key(&severity.id)))
            .collect()
    }

    /// Turns the request for a higher severity on or off; on, it starts at the least severe of
    /// the choices (one step up) unless one was picked before.
    pub fn set_escalation_requested(&mut self, policy: &Policy, on: bool) {
        self.escalation.requested = on;
        if !on {
            self.errors.retain(|(f, _)| *f != Field::EscalationReason);
        }
        self.fit_escalation(policy);
    }

    pub fn set_escalation_severity(&mut self, policy: &Policy, severity: &str) {
        self.escalation.severity = severity.to_string();
        self.fit_escalation(policy);
    }

    pub fn set_escalation_reason(&mut self, reason: String) {
        if !reason.trim().is_empty() {
            self.errors.retain(|(f, _)| *f != Field::EscalationReason);
        }
        self.escalation.reason = reason;
    }

    /// Keeps a request for a higher severity consistent with the result it escalates: a severity that is
    /// no longer more severe (the answers changed), unknown to the policy or missing from the plan
    /// is replaced by the nearest choice; with no choice left the request is off. The reason the
    /// customer wrote is kept either way.
    fn fit_escalation(&mut self, policy: &Policy) {
        if !self.escalation.requested {
            return;
        }
        let choices = self.escalation_choices(policy);
        let Some(nearest) = choices.last() else {
            self.escalation.requested = false;
            self.escalation.severity.clear();
            return;
        };
        if !choices.iter().any(|s| s.id == self.escalation.severity) {
            self.escalation.severity = nearest.id.clone();
        }
    }

    /// From the result to the form. `Err` names the field to fix first (an escalation request
    /// needs a reason); `Err(None)` when there is no result yet.
    pub fn continue_to_form(&mut self, policy: &Policy) -> Result<(), Option<Field>> {
        if self.classification(policy).is_none() {
            return Err(None);
        }
        self.fit_escalation(policy);
        if self.escalation.requested && self.escalation.reason.trim().is_empty() {
            self.errors = vec![(Field::EscalationReason, Problem::Required)];
            return Err(Some(Field::EscalationReason));
        }
        self.clear_messages();
        self.stage = Stage::Form;
        Ok(())
    }

    // ---- the form ------------------------------------------------------------------------

    /// The text of a form field.
    pub fn field(&self, field: Field) -> &str {
        validation::value(&self.fields, field)
    }

    /// Sets a form field as the customer types and re-checks it once it has been flagged.
    pub fn set_field(&mut self, policy: &Policy, field: Field, value: String) {
        if let Some(slot) = validation::value_mut(&mut self.fields, field) {
            *slot = value;
        }
        self.recheck(policy, field);
    }

    /// Re-checks one flagged field: its message changes or goes once the field is right.
    fn recheck(&mut self, policy: &Policy, field: Field) {
        if !self.errors.iter().any(|(f, _)| *f == field) {
            return;
        }
        let still = self
            .form_problems(policy)
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, p)| p);
        match still {
            Some(problem) => {
                for entry in self.errors.iter_mut().filter(|(f, _)| *f == field) {
                    entry.1 = problem.clone();
                }
            }
            None => self.errors.retain(|(f, _)| *f != field),
        }
    }

    /// The message about the files picked (`None` clears it).
    pub fn set_attachment_problem(&mut self, problem: Option<String>) {
        self.errors.retain(|(f, _)| *f != Field::Attachments);
        if let Some(text) = problem {
            self.errors.push((Field::Attachments, Problem::Message(text)));
        }
    }

    /// What is wrong with the contact form as it stands, by the policy's rules.
    fn form_problems(&self, policy: &Policy) -> Vec<(Field, Problem)> {
        validation::validate(
            &self.fields,
            &policy.file().contact.required,
            !policy.file().products.is_empty(),
        )
    }

    /// Send: checks the form and, when it is complete, moves to `Sending` and returns the
    /// classification to send. `Err` names the first field to fix.
    pub fn submit(&mut self, policy: &Policy) -> Result<Classification, Option<Field>> {
        let classification = self.classification(policy).ok_or(None)?;
        let mut errors = self.form_problems(policy);
        // File problems found when they were picked stay until the customer changes the files.
        errors.extend(
            self.errors
                .iter()
                .filter(|(f, _)| *f == Field::Attachments)
                .cloned(),
        );
        if let Some((first, _)) = errors.first() {
            let first = *first;
            self.errors = errors;
            self.form_note = Some(FormNote::FixFields);
            return Err(Some(first));
        }
        self.clear_messages();
        self.fit_escalation(policy);
        self.stage = Stage::Sending;
        Ok(classification)
    }

    /// The ticket was delivered.
    pub fn delivered(&mut self, receipt: TicketReceipt) {
        self.stage = Stage::Sent(receipt);
    }

    /// The ticket waits in the outbox with `pending - 1` others.
    pub fn queued(&mut self, pending: u32) {
        self.stage = Stage::Queued(pending);
    }

    /// The endpoint refused the ticket: back at the form, the message next to the field it names
    /// (or above Send when it names none). Returns that field.
    pub fn rejected(&mut self, error: &ErrorDetail) -> Option<Field> {
        self.stage = Stage::Form;
        let field = error.field.as_deref().and_then(Field::from_wire_path);
        let problem = Problem::Rejected(error.message.clone());
        match field {
            Some(field) => {
                self.errors = vec![(field, problem)];
                self.form_note = Some(FormNote::FixFields);
            }
            None => {
                self.errors.clear();
                self.form_note = Some(FormNote::Rejected(error.message.clone()));
            }
        }
        field
    }

    // ---- the outside world ---------------------------------------------------------------

    /// Fills empty form fields from `prefill({...})` / `identify({...})`, through `read(key)`;
    /// what the customer typed is kept.
    pub fn prefill(&mut self, read: impl Fn(&str) -> Option<String>) {
        let fields = &mut self.fields;
        for (key, slot) in [
            ("name", &mut fields.name),
            ("email", &mut fields.email),
            ("phone", &mut fields.phone),
            ("company", &mut fields.company),
            ("subject", &mut fields.subject),
            ("description", &mut fields.description),
            ("product", &mut fields.product),
        ] {
            if slot.trim().is_empty() {
                if let Some(value) = read(key).filter(|v| !v.trim().is_empty()) {
                    *slot = value;
                }
            }
        }
    }

    /// `identify`: the plan it names (used when the policy knows it) and the signed identity.
    pub fn identify(&mut self, plan: Option<String>, identity: Option<Identity>) {
        self.identified_plan = plan;
        self.identity = identity;
    }

    /// The failure screen (the policy or the configuration is unusable).
    pub fn broken(&mut self) {
        self.stage = Stage::Broken;
    }

    /// Puts a saved draft back for `policy`: the answers that still follow the policy's path (a
    /// policy whose questions changed keeps the part of the path that is still valid, and every
    /// answer it still knows is remembered to preselect it), the escalation request fitted to the
    /// result, the typed fields over empty ones, and the step, no further than the answers reach.
    pub fn restore(&mut self, policy: &Policy, draft: Draft) {
        self.answers.clear();
        self.remembered.clear();
        for (question, answer) in &draft.answers {
            let known = policy
                .question(question)
                .is_some_and(|q| q.answers.iter().any(|a| a.id == *answer));
            if !known {
                continue;
            }
            self.remembered.insert(question.clone(), answer.clone());
            if matches!(self.walk(policy), Some(WalkState::Ask { question: ref asked, .. }) if asked == question)
            {
                self.answers.push((question.clone(), answer.clone()));
            }
        }
        let done = matches!(self.walk(policy), Some(WalkState::Done(_)));
        let typed = draft.fields;
        let fields = &mut self.fields;
        for (slot, value) in [
            (&mut fields.name, typed.name),
            (&mut fields.email, typed.email),
            (&mut fields.phone, typed.phone),
            (&mut fields.company, typed.company),
            (&mut fields.subject, typed.subject),
            (&mut fields.description, typed.description),
            (&mut fields.product, typed.product),
        ] {
            if !value.is_empty() {
                *slot = value;
            }
        }
        self.escalation = draft.escalation;
        self.fit_escalation(policy);
        self.clear_messages();
        self.stage = match (draft.step, done) {
            (Step::Form, true) => Stage::Form,
            (_, true) => Stage::Result,
            _ => Stage::Questions,
        };
    }

    /// The draft to save, while the customer is on a step that has one.
    pub fn draft(&self) -> Option<Draft> {
        let step = match self.stage {
            Stage::Questions => Step::Questions,
            Stage::Result => Step::Result,
            Stage::Form => Step::Form,
            _ => return None,
        };
        Some(Draft {
            answers: self.answers.clone(),
            step,
            escalation: self.escalation.clone(),
            fields: self.fields.clone(),
        })
    }

    /// The complete wire payload for the current answers and form, and the reason the due times
    /// are empty when they could not be computed (the receiver computes them again anyway).
    /// `None` before the questionnaire is complete.
    pub fn ticket(
        &self,
        policy: &Policy,
        context: TicketContext,
        zones: &dyn ZoneResolver,
    ) -> Option<(TicketPayload, Option<DueError>)> {
        let classification = self.classification(policy)?;
        let plan = self.plan_id(policy);
        let reasons = classification
            .trail
            .iter()
            .filter_map(|step| policy.answer(&step.question, &step.answer))
            .map(|answer| policy.text(&answer.reason, &context.locale).to_string())
            .collect();
        let (due, due_error) =
            match policy.due(&plan, &classification.severity, None, context.now, zones) {
                Ok(due) => (due.to_wire(), None),
                Err(error) => {
                    let empty = DueTime {
                        due: String::new(),
                        average_due: None,
                    };
                    let due = DueTimes {
                        first_response: empty.clone(),
                        resolution: empty,
                    };
                    (due, Some(error))
                }
            };
        let choices = self.escalation_choices(policy);
        let escalation = (self.escalation.requested
            && choices.iter().any(|s| s.id == self.escalation.severity))
        .then(|| EscalationRequest {
            severity: self.escalation.severity.clone(),
            reason: self.escalation.reason.trim().to_string(),
        });
        let fields = &self.fields;
        let optional = |text: &str| (!text.trim().is_empty()).then(|| text.trim().to_string());
        let payload = TicketPayload {
            policy: PolicyRef {
                id: policy.id().to_string(),
                version: policy.version().to_string(),
            },
            plan,
            severity: classification.severity.clone(),
            answers: classification
                .trail
                .iter()
                .map(|step| AnswerRecord {
                    question: step.question.clone(),
                    answer: step.answer.clone(),
                })
                .collect(),
            reasons,
            escalation,
            due,
            contact: Contact {
                name: fields.name.trim().to_string(),
                email: fields.email.trim().to_string(),
                phone: optional(&fields.phone),
                company: optional(&fields.company),
            },
            subject: fields.subject.trim().to_string(),
            description: fields.description.trim().to_string(),
            product: optional(&fields.product),
            channel: None,
            attachments: context.attachments,
            page_url: context.page_url,
            locale: context.locale,
            time_zone: context.time_zone,
            created_at: context
                .now
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            identity: self.identity.clone(),
            fill_ms: context.fill_ms,
            website: optional(&self.honeypot),
        };
        Some((payload, due_error))
    }
}

/// The identity `identify` sends with the ticket: all four parts, or none when there is no
/// signature. Signed but incomplete is an error naming what is missing (`expires` that was not an
/// integer counts as missing).
pub fn signed_identity(
    user_id: Option<String>,
    plan: Option<String>,
    expires: Option<i64>,
    signature: Option<String>,
) -> Result<Option<Identity>, Vec<&'static str>> {
    match (user_id, plan, expires, signature) {
        (Some(user_id), Some(plan), Some(expires), Some(signature)) => Ok(Some(Identity {
            user_id,
            plan,
            expires,
            signature,
        })),
        (user_id, plan, expires, Some(_)) => Err([
            ("userId", user_id.is_none()),
            ("plan", plan.is_none()),
            ("expires (Unix seconds, an integer)", expires.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect()),
        _ => Ok(None),
    }
}

/// Fewest and most questions left from `question` (itself included) to a severity: the progress
/// estimate.
pub fn questions_left(policy: &Policy, question: &str) -> (usize, usize) {
    fn walk(policy: &Policy, question: &str, budget: usize) -> (usize, usize) {
        let Some(q) = policy.question(question) else {
            return (1, 1);
        };
        if budget == 0 {
            return (1, 1);
        }
        let (mut fewest, mut most) = (usize::MAX, 0);
        for answer in &q.answers {
            let (lo, hi) = match &answer.next {
                Some(Next::Question(next)) => {
                    let (lo, hi) = walk(policy, next, budget - 1);
                    (lo + 1, hi + 1)
                }
                Some(Next::Severity(_)) => (1, 1),
                None => continue,
            };
            fewest = fewest.min(lo);
            most = most.max(hi);
        }
        if most == 0 {
            (1, 1)
        } else {
            (fewest, most)
        }
    }
    walk(
        policy,
        question,
        policy.file().questionnaire.questions.len(),
    )
}

/// (question id, answer id) pairs as the map the engine walks. Inserted one by one: a handful of
/// answers, and `collect()` into a `BTreeMap` would bring in a whole stable sort (about 3 KB of
/// WebAssembly) for them.
fn answer_map(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (question, answer) in pairs {
        map.insert(question.clone(), answer.clone());
    }
    map
}

#[cfg(test)]
mod tests;
