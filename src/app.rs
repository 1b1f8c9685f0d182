//! The widget's state and what the customer can do with it: load the policy, answer, go back,
//! ask for a higher severity, fill in the form, send; plus the panel shell (dialog, focus trap,
//! Esc, live region) that hosts the step components.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use triage_policy::ticket::{
    AnswerRecord, Contact, DueTime, DueTimes, ErrorDetail, EscalationRequest, Identity, PolicyRef,
    TicketPayload, TicketReceipt,
};
use triage_policy::{Classification, Policy, Walk};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::components::validation::{self, Field, Problem};
use crate::components::{
    broken::Broken, form::ContactForm, outcome::Outcome, questions::Questions, result::ResultView,
};
use crate::config::WidgetConfig;
use crate::draft::{self, Draft, EscalationDraft, FormFields, Step};
use crate::events::Emitter;
use crate::i18n::{self, Locale, Strings};
use crate::intl::{self, IntlZones};
use crate::send::{self, SendConfig, SendOutcome, Submission};
use crate::wire::QueuedTicket;

/// Where the customer is in the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// The policy is being fetched.
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

/// What doesn't change while the widget lives (not reactive).
pub struct Env {
    pub config: WidgetConfig,
    /// Set when the configuration itself was unusable.
    pub config_error: Option<String>,
    pub locale: Locale,
    /// Locale for dates (e.g. `en-GB` when the browser says so and the UI is English).
    pub date_locale: String,
    /// The customer's IANA time zone.
    pub zone: String,
    pub emitter: Emitter,
    pub root: web_sys::ShadowRoot,
    pub send: SendConfig,
}

/// The widget's reactive state. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct Widget {
    pub env: StoredValue<Env, LocalStorage>,
    pub open: RwSignal<bool>,
    pub stage: RwSignal<Stage>,
    pub policy: RwSignal<Option<Arc<Policy>>>,
    /// Answers on the current path, in order: (question id, answer id).
    pub answers: RwSignal<Vec<(String, String)>>,
    /// Every answer chosen this session, to preselect a radio after Back.
    pub remembered: RwSignal<BTreeMap<String, String>>,
    pub escalation: RwSignal<EscalationDraft>,
    pub fields: RwSignal<FormFields>,
    /// The honeypot field people never see.
    pub honeypot: RwSignal<String>,
    pub files: RwSignal<Vec<web_sys::File>, LocalStorage>,
    /// Messages shown under fields.
    pub errors: RwSignal<Vec<(Field, String)>>,
    /// A message for the form as a whole (refusals naming no field).
    pub form_error: RwSignal<Option<String>>,
    /// Plan from `identify`.
    pub identified_plan: RwSignal<Option<String>>,
    pub identity: RwSignal<Option<Identity>>,
    /// Text of the polite live region.
    pub announcement: RwSignal<String>,
    /// `Date.now()` when the panel was first opened (for `fill_ms`).
    pub opened_at: RwSignal<Option<f64>>,
    /// True once the draft was restored (drafts are saved only after that).
    pub restored: RwSignal<bool>,
}

/// Key of the "panel is open" flag kept across navigations.
const OPEN_KEY: &str = "triage-widget:open";

impl Widget {
    pub fn new(env: Env) -> Widget {
        Widget {
            env: StoredValue::new_local(env),
            open: RwSignal::new(false),
            stage: RwSignal::new(Stage::Loading),
            policy: RwSignal::new(None),
            answers: RwSignal::new(Vec::new()),
            remembered: RwSignal::new(BTreeMap::new()),
            escalation: RwSignal::new(EscalationDraft::default()),
            fields: RwSignal::new(FormFields::default()),
            honeypot: RwSignal::new(String::new()),
            files: RwSignal::new_local(Vec::new()),
            errors: RwSignal::new(Vec::new()),
            form_error: RwSignal::new(None),
            identified_plan: RwSignal::new(None),
            identity: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            opened_at: RwSignal::new(None),
            restored: RwSignal::new(false),
        }
    }

    pub fn locale(&self) -> Locale {
        self.env.with_value(|env| env.locale)
    }

    pub fn strings(&self) -> &'static Strings {
        self.locale().strings()
    }

    pub fn emit(&self, name: &str, fields: &[(&str, JsValue)]) {
        self.env
            .with_value(|env| env.emitter.emit_fields(name, fields));
    }

    /// The plan the customer is on: from `identify`, else `data-plan`, else the policy default
    /// (unknown ids are ignored).
    pub fn plan_id(&self, policy: &Policy) -> String {
        let configured = self.env.with_value(|env| env.config.plan.clone());
        self.identified_plan
            .get()
            .into_iter()
            .chain(configured)
            .find(|id| policy.plan(id).is_some())
            .unwrap_or_else(|| policy.default_plan().id.clone())
    }

    fn answer_map(&self) -> BTreeMap<String, String> {
        self.answers.with(|answers| answer_map(answers))
    }

    /// The questionnaire's state for the current answers (tracked).
    pub fn walk(&self, policy: &Policy) -> Option<WalkState> {
        let map = self.answer_map();
        match policy.walk(&map).ok()? {
            Walk::Ask { question, path } => Some(WalkState::Ask {
                question: question.id.clone(),
                answered: path.len(),
            }),
            Walk::Done(classification) => Some(WalkState::Done(classification)),
        }
    }

    /// The finished classification, if the questionnaire is complete (tracked).
    pub fn classification(&self) -> Option<Classification> {
        let policy = self.policy.get()?;
        match self.walk(&policy)? {
            WalkState::Done(classification) => Some(classification),
            WalkState::Ask { .. } => None,
        }
    }

    // ---- opening and closing -------------------------------------------------------------

    pub fn open_panel(&self) {
        if self.open.get_untracked() {
            return;
        }
        if self.opened_at.get_untracked().is_none() {
            self.opened_at.set(Some(js_sys::Date::now()));
        }
        self.open.set(true);
        session_flag(true);
        self.emit("open", &[]);
        self.focus_heading();
    }

    pub fn close_panel(&self) {
        if !self.open.get_untracked() {
            return;
        }
        self.open.set(false);
        session_flag(false);
        self.emit("close", &[]);
        if let Some(launcher) = self.env.with_value(|env| env.config.launcher.clone()) {
            let _ = launcher.focus();
        }
    }

    /// Moves focus to the current step's heading once the DOM is updated.
    pub fn focus_heading(&self) {
        let root = self.env.with_value(|env| env.root.clone());
        focus_later(root, "#tw-heading");
    }

    /// Moves focus to a field's control once the DOM is updated.
    pub fn focus_field(&self, field: Field) {
        let root = self.env.with_value(|env| env.root.clone());
        let mut selector = String::from("#");
        selector.push_str(field.dom_id());
        focus_later(root, &selector);
    }

    // ---- the questionnaire ---------------------------------------------------------------

    /// Records `answer` for `question` (dropping later answers when it changes the path) and
    /// moves on to the next question or the result.
    pub fn choose(&self, question: &str, answer: &str) {
        let Some(policy) = self.policy.get_untracked() else {
            return;
        };
        self.remembered.update(|r| {
            r.insert(question.to_string(), answer.to_string());
        });
        self.answers.update(|answers| {
            if let Some(at) = answers.iter().position(|(q, _)| q == question) {
                answers.truncate(at);
            }
            answers.push((question.to_string(), answer.to_string()));
        });
        let map = self.answer_map();
        if let Ok(Walk::Done(classification)) = policy.walk(&map) {
            self.show_result(&policy, &classification);
        }
        self.focus_heading();
    }

    fn show_result(&self, policy: &Policy, classification: &Classification) {
        self.stage.set(Stage::Result);
        self.emit(
            "classified",
            &[("severity", JsValue::from_str(&classification.severity))],
        );
        let locale = self.locale();
        let label = policy
            .severity(&classification.severity)
            .map(|s| policy.text(&s.label, locale.tag()).to_string())
            .unwrap_or_else(|| classification.severity.clone());
        let plan = self.plan_id(policy);
        let first = policy
            .plan(&plan)
            .and_then(|p| p.targets.get(&classification.severity))
            .map(|t| i18n::within(t.first_response.limit, locale))
            .unwrap_or_default();
        self.announcement.set(i18n::fill(
            locale.strings().announce_result,
            &[&label, &first],
        ));
    }

    /// Back: from a question to the previous one, from the result to the last question, from the
    /// form to the result.
    pub fn back(&self) {
        match self.stage.get_untracked() {
            Stage::Form => self.stage.set(Stage::Result),
            Stage::Result => {
                self.answers.update(|a| {
                    a.pop();
                });
                self.stage.set(Stage::Questions);
            }
            Stage::Questions => self.answers.update(|a| {
                a.pop();
            }),
            _ => return,
        }
        self.errors.set(Vec::new());
        self.form_error.set(None);
        self.focus_heading();
    }

    /// Forgets the answers (not the contact fields) and starts the questionnaire again.
    pub fn start_over(&self) {
        self.answers.set(Vec::new());
        self.remembered.set(BTreeMap::new());
        self.escalation.set(EscalationDraft::default());
        self.errors.set(Vec::new());
        self.form_error.set(None);
        self.stage.set(Stage::Questions);
        self.focus_heading();
    }

    /// After a delivered ticket: a fresh questionnaire and form (contact details kept).
    pub fn new_ticket(&self) {
        self.fields.update(|f| {
            f.subject.clear();
            f.description.clear();
            f.product.clear();
        });
        self.files.set(Vec::new());
        self.start_over();
    }

    /// From the result to the form (checks the escalation request first).
    pub fn continue_to_form(&self) {
        let s = self.strings();
        let escalation = self.escalation.get_untracked();
        if escalation.requested && escalation.reason.trim().is_empty() {
            self.errors.set(vec![(
                Field::EscalationReason,
                s.escalate_reason_required.to_string(),
            )]);
            self.focus_field(Field::EscalationReason);
            return;
        }
        self.errors.set(Vec::new());
        self.stage.set(Stage::Form);
        self.focus_heading();
    }

    // ---- the form ------------------------------------------------------------------------

    /// The message of `problem` in the UI language.
    pub fn problem_text(&self, problem: &Problem) -> String {
        let s = self.strings();
        match problem {
            Problem::Required => s.required.to_string(),
            Problem::EmailInvalid => s.email_invalid.to_string(),
            Problem::Message(text) => text.clone(),
        }
    }

    /// Re-checks one field as the customer types, once it has been flagged.
    pub fn recheck(&self, field: Field) {
        if !self
            .errors
            .with_untracked(|errors| errors.iter().any(|(f, _)| *f == field))
        {
            return;
        }
        let Some(policy) = self.policy.get_untracked() else {
            return;
        };
        let problems = self.form_problems(&policy);
        let still = problems
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, p)| self.problem_text(&p));
        self.errors.update(|errors| match still {
            Some(text) => {
                for entry in errors.iter_mut().filter(|(f, _)| *f == field) {
                    entry.1 = text.clone();
                }
            }
            None => errors.retain(|(f, _)| *f != field),
        });
    }

    /// What is wrong with the contact form as it stands, by the policy's rules.
    fn form_problems(&self, policy: &Policy) -> Vec<(Field, Problem)> {
        self.fields.with_untracked(|fields| {
            validation::validate(
                fields,
                &policy.file().contact.required,
                !policy.file().products.is_empty(),
            )
        })
    }

    /// Validates and sends the ticket.
    pub fn send(&self) {
        let Some(policy) = self.policy.get_untracked() else {
            return;
        };
        let Some(classification) = self.classification() else {
            return;
        };
        let problems = self.form_problems(&policy);
        let mut errors: Vec<(Field, String)> = problems
            .iter()
            .map(|(f, p)| (*f, self.problem_text(p)))
            .collect();
        // File problems found when they were picked stay until the customer changes the files.
        errors.extend(self.errors.with_untracked(|e| {
            e.iter()
                .filter(|(f, _)| *f == Field::Attachments)
                .cloned()
                .collect::<Vec<_>>()
        }));
        if let Some((first, _)) = errors.first() {
            let first = *first;
            self.errors.set(errors);
            self.form_error
                .set(Some(self.strings().fix_fields.to_string()));
            self.focus_field(first);
            return;
        }
        self.errors.set(Vec::new());
        self.form_error.set(None);
        let ticket = self.build_ticket(&policy, &classification);
        let files = self.files.get_untracked();
        let (send_config, emitter) = self
            .env
            .with_value(|env| (env.send.clone(), env.emitter.clone()));
        self.stage.set(Stage::Sending);
        self.announcement.set(self.strings().sending.to_string());
        let widget = *self;
        let policy_id = policy.id().to_string();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = send::submit(&send_config, Submission { ticket, files }, &emitter).await;
            widget.settle(outcome, &policy_id);
        });
    }

    fn settle(&self, outcome: SendOutcome, policy_id: &str) {
        let s = self.strings();
        match outcome {
            SendOutcome::Delivered(receipt) => {
                draft::clear(policy_id);
                self.announcement.set({
                    let mut text = s.sent_heading.to_string();
                    text.push_str(". ");
                    text.push_str(s.reference);
                    text.push_str(": ");
                    text.push_str(&receipt.reference);
                    text
                });
                self.stage.set(Stage::Sent(receipt));
            }
            SendOutcome::Queued { pending } => {
                // The outbox holds the whole ticket now; a draft restored after a reload would
                // only invite a duplicate.
                draft::clear(policy_id);
                self.announcement.set(s.queued_heading.to_string());
                self.stage.set(Stage::Queued(pending));
            }
            SendOutcome::Rejected { error, .. } => {
                let field = error.field.as_deref().and_then(Field::from_wire_path);
                self.stage.set(Stage::Form);
                let message = i18n::fill(s.rejected, &[&error.message]);
                match field {
                    Some(field) => {
                        self.errors.set(vec![(field, message.clone())]);
                        self.form_error.set(Some(s.fix_fields.to_string()));
                        self.focus_field(field);
                    }
                    None => {
                        self.form_error.set(Some(message.clone()));
                        self.focus_heading();
                    }
                }
                self.announcement.set(message);
                return;
            }
        }
        self.focus_heading();
    }

    /// A queued ticket that the endpoint refused later, in the background. What the customer typed
    /// goes back into the draft (unless they have started another ticket since), and when this
    /// panel still shows that ticket as queued, back into the form with the endpoint's message
    /// next to the field it names.
    pub fn reopen_refused(&self, ticket: QueuedTicket, status: u16, error: ErrorDetail) {
        let policy_id = ticket.policy_id.clone();
        let showing_it = matches!(self.stage.get_untracked(), Stage::Queued(_) | Stage::Sending);
        let nothing_newer = draft::load(&policy_id).is_none_or(|current| current.is_empty());
        if !(showing_it || nothing_newer) {
            web_sys::console::error_1(&JsValue::from_str(&format!(
                "triage-widget: the endpoint refused the queued ticket \"{}\" ({status}): {}",
                ticket.subject, error.message
            )));
            return;
        }
        draft::save(&policy_id, &ticket.draft);
        let policy = self.policy.get_untracked().filter(|policy| policy.id() == policy_id);
        if let (true, Some(policy)) = (showing_it, policy) {
            self.restore(&policy);
            self.settle(SendOutcome::Rejected { status, error }, &policy_id);
        }
    }

    /// The complete wire payload for the current answers and form.
    pub fn build_ticket(&self, policy: &Policy, classification: &Classification) -> TicketPayload {
        let locale = self.locale();
        let now = intl::now();
        let plan = self.plan_id(policy);
        let reasons = classification
            .trail
            .iter()
            .filter_map(|step| policy.answer(&step.question, &step.answer))
            .map(|answer| policy.text(&answer.reason, locale.tag()).to_string())
            .collect();
        let due = match policy.due(&plan, &classification.severity, None, now, &IntlZones) {
            Ok(due) => due.to_wire(),
            Err(error) => {
                web_sys::console::error_1(&JsValue::from_str(&format!(
                    "triage-widget: due times could not be computed ({error}); the receiver will compute them"
                )));
                let empty = DueTime {
                    due: String::new(),
                    average_due: None,
                };
                DueTimes {
                    first_response: empty.clone(),
                    resolution: empty,
                }
            }
        };
        let escalation = self.escalation.get_untracked();
        let escalation =
            (escalation.requested && !escalation.severity.is_empty()).then(|| EscalationRequest {
                severity: escalation.severity,
                reason: escalation.reason.trim().to_string(),
            });
        let fields = self.fields.get_untracked();
        let optional = |text: &str| (!text.trim().is_empty()).then(|| text.trim().to_string());
        let files = self.files.get_untracked();
        let honeypot = self.honeypot.get_untracked();
        let (locale_tag, zone) = self
            .env
            .with_value(|env| (env.locale.tag().to_string(), env.zone.clone()));
        TicketPayload {
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
            attachments: files
                .iter()
                .map(|file| triage_policy::ticket::AttachmentMeta {
                    name: file.name(),
                    mime: file.type_(),
                    size: file.size() as u64,
                })
                .collect(),
            page_url: web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default(),
            locale: locale_tag,
            time_zone: zone,
            created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            identity: self.identity.get_untracked(),
            fill_ms: self
                .opened_at
                .get_untracked()
                .map(|at| (js_sys::Date::now() - at).max(0.0) as u64),
            website: optional(&honeypot),
        }
    }

    // ---- the outside world ---------------------------------------------------------------

    /// Fills form fields from `prefill({...})` / `identify({...})`; fields the customer already
    /// typed in are kept.
    pub fn prefill(&self, values: &JsValue) {
        let read = |key: &str| {
            js_sys::Reflect::get(values, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|v| !v.trim().is_empty())
        };
        self.fields.update(|fields| {
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
                    if let Some(value) = read(key) {
                        *slot = value;
                    }
                }
            }
        });
    }

    /// `identify({ name, email, plan, userId, expires, signature })`.
    pub fn identify(&self, values: &JsValue) {
        self.prefill(values);
        let get = |key: &str| js_sys::Reflect::get(values, &JsValue::from_str(key)).ok();
        let text = |key: &str| {
            get(key)
                .and_then(|v| v.as_string())
                .filter(|v| !v.is_empty())
        };
        let plan = text("plan");
        self.identified_plan.set(plan.clone());
        let user_id = text("userId").or_else(|| text("user_id"));
        // Unix seconds, as a number or a string of digits (parsed as an integer: no float parser).
        let expires = get("expires").and_then(|v| {
            v.as_f64()
                .map(|seconds| seconds as i64)
                .or_else(|| v.as_string().and_then(|s| s.trim().parse::<i64>().ok()))
        });
        let identity = signed_identity(user_id, plan, expires, text("signature")).unwrap_or_else(|missing| {
            web_sys::console::warn_1(&JsValue::from_str(&format!(
                "triage-widget: identify() has a signature but no valid {}; the ticket is sent without the identity",
                missing.join(", ")
            )));
            None
        });
        self.identity.set(identity);
    }

    /// Fetches and parses the policy, restores the draft, and starts the outbox.
    pub async fn load(&self) {
        let (url, config_error) = self
            .env
            .with_value(|env| (env.config.policy_url.clone(), env.config_error.clone()));
        if let Some(message) = config_error {
            self.fail(&message);
            return;
        }
        let policy = match fetch_text(&url).await {
            Err(problem) => {
                let mut message = String::from("triage-widget: the policy at ");
                message.push_str(&url);
                message.push_str(" could not be loaded: ");
                message.push_str(&problem);
                self.fail(&message);
                return;
            }
            Ok(json) => match triage_policy::parse_policy(&json, &IntlZones) {
                Ok(policy) => policy,
                Err(errors) => {
                    let mut message = String::from("triage-widget: the policy at ");
                    message.push_str(&url);
                    message.push_str(" is invalid (");
                    message.push_str(&errors.len().to_string());
                    message.push_str(" problem(s)):");
                    for error in errors.iter().take(5) {
                        message.push_str("\n  ");
                        message.push_str(&error.path);
                        message.push_str(": ");
                        message.push_str(&error.message);
                    }
                    self.fail(&message);
                    return;
                }
            },
        };
        if let Some(plan) = self.env.with_value(|env| env.config.plan.clone()) {
            if policy.plan(&plan).is_none() {
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "triage-widget: data-plan \"{plan}\" is not a plan of policy {}; using its default plan",
                    policy.id()
                )));
            }
        }
        self.restore(&policy);
        self.policy.set(Some(Arc::new(policy)));
        self.emit("ready", &[]);
        if self.open.get_untracked() {
            self.focus_heading();
        }
    }

    fn fail(&self, message: &str) {
        web_sys::console::error_1(&JsValue::from_str(message));
        self.emit("error", &[("message", JsValue::from_str(message))]);
        self.stage.set(Stage::Broken);
    }

    fn restore(&self, policy: &Policy) {
        let draft = draft::load(policy.id()).unwrap_or_default();
        let mut answers = draft.answers;
        let walk = policy.walk(&answer_map(&answers));
        let done = match walk {
            Ok(Walk::Done(_)) => true,
            Ok(Walk::Ask { .. }) => false,
            Err(_) => {
                answers.clear();
                false
            }
        };
        self.remembered.set(answer_map(&answers));
        self.answers.set(answers);
        self.escalation.set(draft.escalation);
        self.fields.update(|fields| {
            let typed = draft.fields;
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
        });
        self.stage.set(match (draft.step, done) {
            (Step::Form, true) => Stage::Form,
            (_, true) => Stage::Result,
            _ => Stage::Questions,
        });
        self.restored.set(true);
    }

    /// The draft as it stands (for saving).
    fn draft(&self) -> Option<Draft> {
        let step = match self.stage.get() {
            Stage::Questions => Step::Questions,
            Stage::Result => Step::Result,
            Stage::Form => Step::Form,
            _ => return None,
        };
        Some(Draft {
            answers: self.answers.get(),
            step,
            escalation: self.escalation.get(),
            fields: self.fields.get(),
        })
    }
}

/// The questionnaire's state, owned (no borrow of the policy).
#[derive(Debug, Clone, PartialEq)]
pub enum WalkState {
    Ask { question: String, answered: usize },
    Done(Classification),
}

fn session_flag(open: bool) {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else {
        return;
    };
    let _ = if open {
        storage.set_item(OPEN_KEY, "1")
    } else {
        storage.remove_item(OPEN_KEY)
    };
}

fn focus_later(root: web_sys::ShadowRoot, selector: &str) {
    let selector = selector.to_string();
    gloo_timers::callback::Timeout::new(0, move || {
        if let Ok(Some(element)) = root.query_selector(&selector) {
            if let Some(element) = element.dyn_ref::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        }
    })
    .forget();
}

/// GETs `url` as text; the error names what failed (network, HTTP status).
async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or_else(|| "no window".to_string())?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| {
            let mut text = String::from("network error");
            if let Some(message) = js_sys::Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
            {
                text.push_str(" (");
                text.push_str(&message);
                text.push(')');
            }
            text
        })?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "fetch returned no Response".to_string())?;
    if !response.ok() {
        let mut text = String::from("HTTP ");
        text.push_str(&response.status().to_string());
        return Err(text);
    }
    let body = response
        .text()
        .map_err(|_| "the body could not be read".to_string())?;
    JsFuture::from(body)
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| "the body could not be read".to_string())
}

/// Saves the draft as the customer goes (after the saved one was restored).
fn save_drafts(widget: Widget) {
    Effect::new(move |_| {
        if !widget.restored.get() {
            return;
        }
        let Some(policy) = widget.policy.get() else {
            return;
        };
        if let Some(draft) = widget.draft() {
            draft::save(policy.id(), &draft);
        }
    });
}

/// The widget's root view: the dialog when open.
#[component]
pub fn App(widget: Widget) -> impl IntoView {
    save_drafts(widget);
    let s = widget.strings();
    let dialog = NodeRef::<leptos::html::Div>::new();
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            widget.close_panel();
        } else if ev.key() == "Tab" {
            if let Some(dialog) = dialog.get() {
                trap_focus(&ev, &dialog, &widget.env.with_value(|env| env.root.clone()));
            }
        }
    };
    // Form and Sending share one screen (the form stays in place while sending).
    let screen = Memo::new(move |_| match widget.stage.get() {
        Stage::Loading => 0u8,
        Stage::Broken => 1,
        Stage::Questions => 2,
        Stage::Result => 3,
        Stage::Form | Stage::Sending => 4,
        Stage::Sent(_) => 5,
        Stage::Queued(_) => 6,
    });
    let stage_view = move || match screen.get() {
        0 => view! {
            <div class="tw-body tw-loading" role="status">
                <span class="tw-spinner" aria-hidden="true"></span>
                <h2 id="tw-heading" tabindex="-1" class="tw-loading-text">{s.loading}</h2>
            </div>
        }
        .into_any(),
        1 => view! { <Broken widget=widget /> }.into_any(),
        2 => view! { <Questions widget=widget /> }.into_any(),
        3 => view! { <ResultView widget=widget /> }.into_any(),
        4 => view! { <ContactForm widget=widget /> }.into_any(),
        _ => match widget.stage.get_untracked() {
            Stage::Sent(receipt) => {
                view! { <Outcome widget=widget receipt=Some(receipt) pending=0 /> }.into_any()
            }
            Stage::Queued(pending) => {
                view! { <Outcome widget=widget receipt=None pending=pending /> }.into_any()
            }
            _ => ().into_any(),
        },
    };
    view! {
        <Show when=move || widget.open.get()>
            <div
                class="tw-panel"
                role="dialog"
                aria-modal="true"
                aria-labelledby="tw-title"
                node_ref=dialog
                on:keydown=on_keydown
            >
                <div class="tw-header">
                    <p id="tw-title" class="tw-title">{s.dialog_title}</p>
                    <button type="button" class="tw-close" aria-label=s.close on:click=move |_| widget.close_panel()>
                        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                            <path d="M6 6l12 12M18 6L6 18" />
                        </svg>
                    </button>
                </div>
                {stage_view}
                <div class="tw-sr-only" role="status" aria-live="polite" aria-atomic="true">
                    {move || widget.announcement.get()}
                </div>
            </div>
        </Show>
    }
}

/// The identity `identify` sends with the ticket: all four parts, or none when there is no
/// signature. Signed but incomplete is an error naming what is missing (`expires` that was not an
/// integer counts as missing).
fn signed_identity(
    user_id: Option<String>,
    plan: Option<String>,
    expires: Option<i64>,
    signature: Option<String>,
) -> Result<Option<Identity>, Vec<&'static str>> {
    match (user_id, plan, expires, signature) {
        (Some(user_id), Some(plan), Some(expires), Some(signature)) => {
            Ok(Some(Identity { user_id, plan, expires, signature }))
        }
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

/// Keeps Tab and Shift+Tab inside the dialog.
fn trap_focus(
    ev: &web_sys::KeyboardEvent,
    dialog: &web_sys::HtmlDivElement,
    root: &web_sys::ShadowRoot,
) {
    const FOCUSABLE: &str =
        "a[href], button:not([disabled]), input:not([disabled]):not([tabindex=\"-1\"]), \
                             select:not([disabled]), textarea:not([disabled]), [tabindex=\"0\"]";
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return;
    };
    let elements: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.get(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        // Unchecked radios are skipped by Tab; the group is reached through its checked radio.
        .filter(|el| {
            el.dyn_ref::<web_sys::HtmlInputElement>()
                .is_none_or(|input| input.type_() != "radio" || input.checked())
        })
        .collect();
    let (Some(first), Some(last)) = (elements.first(), elements.last()) else {
        return;
    };
    let active = root.active_element();
    let active_is = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let inside = active.as_ref().is_some_and(|a| dialog.contains(Some(a)));
    if ev.shift_key() {
        if !inside || active_is(first) {
            ev.prevent_default();
            let _ = last.focus();
        }
    } else if !inside || active_is(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
