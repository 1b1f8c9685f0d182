//! The widget's reactive side: the [`Flow`] in a signal, and the effects its transitions call for
//! (focus, the live region, events, draft storage, fetching the policy, sending). The rules
//! themselves are in `crate::flow`; the views in `crate::views` call the actions here.

use std::sync::Arc;

use leptos::prelude::*;
use triage_policy::ticket::{ErrorDetail, TicketReceipt};
use triage_policy::{Classification, Policy};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::config::WidgetConfig;
use crate::draft;
use crate::events::Emitter;
use crate::flow::validation::{Field, Problem};
use crate::flow::{self, Chosen, Flow, FormNote, Stage, TicketContext};
use crate::i18n::{self, Locale, Strings};
use crate::intl::{self, IntlZones};
use crate::send::{self, SendConfig, SendOutcome, Submission};
use crate::wire::QueuedTicket;

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
    /// The loader's own `Response` to the policy, fetched beside the wasm's download; taken by the
    /// first [`Widget::load`].
    pub policy_prefetch: std::cell::Cell<Option<web_sys::Response>>,
}

/// The widget's reactive state. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct Widget {
    pub env: StoredValue<Env, LocalStorage>,
    pub open: RwSignal<bool>,
    pub policy: RwSignal<Option<Arc<Policy>>>,
    /// Everything the customer answered and typed, and where they are.
    pub flow: RwSignal<Flow>,
    /// The files picked (browser objects; the flow knows them only as metadata).
    pub files: RwSignal<Vec<web_sys::File>, LocalStorage>,
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
        let plan = env.config.plan.clone();
        Widget {
            env: StoredValue::new_local(env),
            open: RwSignal::new(false),
            policy: RwSignal::new(None),
            flow: RwSignal::new(Flow::new(plan)),
            files: RwSignal::new_local(Vec::new()),
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

    /// Runs a transition of the flow with the loaded policy (nothing before it is loaded).
    fn act<R>(&self, transition: impl FnOnce(&mut Flow, &Policy) -> R) -> Option<R> {
        let policy = self.policy.get_untracked()?;
        let mut result = None;
        self.flow
            .update(|flow| result = Some(transition(flow, &policy)));
        result
    }

    /// The screen the panel shows (tracked).
    pub fn stage(&self) -> Stage {
        self.flow.with(|flow| flow.stage.clone())
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

    // ---- the questionnaire and the result ------------------------------------------------

    /// Answers the question being asked and moves on.
    pub fn choose(&self, question: &str, answer: &str) {
        match self.act(|flow, policy| flow.choose(policy, question, answer)) {
            Some(Chosen::Finished(classification)) => self.announce_result(&classification),
            Some(Chosen::Next) => {}
            Some(Chosen::NotOnPath) | None => return,
        }
        self.focus_heading();
    }

    /// Emits `classified` and announces the severity with its first-response limit.
    fn announce_result(&self, classification: &Classification) {
        let Some(policy) = self.policy.get_untracked() else {
            return;
        };
        self.emit(
            "classified",
            &[("severity", JsValue::from_str(&classification.severity))],
        );
        let locale = self.locale();
        let label = policy
            .severity(&classification.severity)
            .map(|s| policy.text(&s.label, locale.tag()).to_string())
            .unwrap_or_else(|| classification.severity.clone());
        let plan = self.flow.with_untracked(|flow| flow.plan_id(&policy));
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

    pub fn back(&self) {
        if self.flow.try_update(Flow::back).unwrap_or(false) {
            self.focus_heading();
        }
    }

    pub fn start_over(&self) {
        self.flow.update(Flow::start_over);
        self.focus_heading();
    }

    /// After a sent or queued ticket: a fresh questionnaire and form (contact details kept).
    pub fn new_ticket(&self) {
        self.flow.update(Flow::new_ticket);
        self.files.set(Vec::new());
        self.focus_heading();
    }

    pub fn continue_to_form(&self) {
        match self.act(|flow, policy| flow.continue_to_form(policy)) {
            Some(Ok(())) => self.focus_heading(),
            Some(Err(Some(field))) => self.focus_field(field),
            _ => {}
        }
    }

    pub fn set_escalation_requested(&self, on: bool) {
        self.act(|flow, policy| flow.set_escalation_requested(policy, on));
    }

    pub fn set_escalation_severity(&self, severity: &str) {
        self.act(|flow, policy| flow.set_escalation_severity(policy, severity));
    }

    pub fn set_escalation_reason(&self, reason: String) {
        self.flow.update(|flow| flow.set_escalation_reason(reason));
    }

    // ---- the form ------------------------------------------------------------------------

    pub fn set_field(&self, field: Field, value: String) {
        self.act(|flow, policy| flow.set_field(policy, field, value));
    }

    /// The message of `problem` about `field` in the UI language.
    pub fn problem_text(&self, field: Field, problem: &Problem) -> String {
        let s = self.strings();
        match problem {
            Problem::Required if field == Field::EscalationReason => {
                s.escalate_reason_required.to_string()
            }
            Problem::Required => s.required.to_string(),
            Problem::EmailInvalid => s.email_invalid.to_string(),
            Problem::Message(text) => text.clone(),
            Problem::Rejected(text) => i18n::fill(s.rejected, &[text]),
        }
    }

    /// The message shown under `field`, if any (tracked).
    pub fn error_of(&self, field: Field) -> Option<String> {
        self.flow.with(|flow| {
            flow.errors
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(f, problem)| self.problem_text(*f, problem))
        })
    }

    /// The note above the form, if any (tracked).
    pub fn form_note(&self) -> Option<String> {
        let s = self.strings();
        self.flow.with(|flow| {
            flow.form_note.as_ref().map(|note| match note {
                FormNote::FixFields => s.fix_fields.to_string(),
                FormNote::Rejected(message) => i18n::fill(s.rejected, &[message]),
            })
        })
    }

    /// Validates and sends the ticket.
    pub fn send(&self) {
        let Some(policy) = self.policy.get_untracked() else {
            return;
        };
        match self.act(|flow, policy| flow.submit(policy)) {
            Some(Ok(_)) => {}
            Some(Err(Some(field))) => return self.focus_field(field),
            _ => return,
        }
        let files = self.files.get_untracked();
        let context = TicketContext {
            now: intl::now(),
            locale: self.locale().tag().to_string(),
            time_zone: self.env.with_value(|env| env.zone.clone()),
            page_url: web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default(),
            attachments: files
                .iter()
                .map(|file| triage_policy::ticket::AttachmentMeta {
                    name: file.name(),
                    mime: file.type_(),
                    size: file.size() as u64,
                })
                .collect(),
            fill_ms: self
                .opened_at
                .get_untracked()
                .map(|at| (js_sys::Date::now() - at).max(0.0) as u64),
        };
        let Some((ticket, due_error)) = self
            .flow
            .with_untracked(|flow| flow.ticket(&policy, context, &IntlZones))
        else {
            return;
        };
        if let Some(error) = due_error {
            web_sys::console::error_1(&JsValue::from_str(&format!(
                "triage-widget: due times could not be computed ({error}); the receiver will compute them"
            )));
        }
        let (send_config, emitter) = self
            .env
            .with_value(|env| (env.send.clone(), env.emitter.clone()));
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
                self.flow.update(|flow| flow.delivered(receipt));
            }
            SendOutcome::Queued { pending } => {
                // The outbox holds the whole ticket now; a draft restored after a reload would
                // only invite a duplicate.
                draft::clear(policy_id);
                self.announcement.set(s.queued_heading.to_string());
                self.flow.update(|flow| flow.queued(pending));
            }
            SendOutcome::Rejected { error, .. } => {
                let message = i18n::fill(s.rejected, &[&error.message]);
                match self.flow.try_update(|flow| flow.rejected(&error)).flatten() {
                    Some(field) => self.focus_field(field),
                    None => self.focus_heading(),
                }
                self.announcement.set(message);
                return;
            }
        }
        self.focus_heading();
    }

    /// A queued ticket delivered in the background: shown when this panel still shows it waiting.
    pub fn delivered_later(&self, policy_id: &str, receipt: TicketReceipt) {
        draft::clear(policy_id);
        if self.flow.with_untracked(|flow| {
            matches!(flow.stage, Stage::Queued(_) | Stage::Sending)
        }) {
            let s = self.strings();
            self.announcement
                .set(i18n::fill(s.delivered_later, &[&receipt.reference]));
            self.flow.update(|flow| flow.delivered(receipt));
        }
    }

    /// A queued ticket that the endpoint refused later, in the background. What the customer typed
    /// goes back into the draft (unless they have started another ticket since), and when this
    /// panel still shows that ticket as queued, back into the form with the endpoint's message
    /// next to the field it names.
    pub fn reopen_refused(&self, ticket: QueuedTicket, status: u16, error: ErrorDetail) {
        let policy_id = ticket.policy_id.clone();
        let showing_it = self.flow.with_untracked(|flow| {
            matches!(flow.stage, Stage::Queued(_) | Stage::Sending)
        });
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
            self.flow.update(|flow| flow.restore(&policy, ticket.draft));
            self.settle(SendOutcome::Rejected { status, error }, &policy_id);
        }
    }

    // ---- the outside world ---------------------------------------------------------------

    /// Fills empty form fields from `prefill({...})` / `identify({...})`.
    pub fn prefill(&self, values: &JsValue) {
        self.flow.update(|flow| flow.prefill(|key| js_text(values, key)));
    }

    /// `identify({ name, email, plan, userId, expires, signature })`.
    pub fn identify(&self, values: &JsValue) {
        self.prefill(values);
        let text = |key: &str| js_text(values, key).filter(|v| !v.is_empty());
        let plan = text("plan");
        let user_id = text("userId").or_else(|| text("user_id"));
        // Unix seconds, as a number or a string of digits (parsed as an integer: no float parser).
        let expires = js_sys::Reflect::get(values, &JsValue::from_str("expires"))
            .ok()
            .and_then(|v| {
                v.as_f64()
                    .map(|seconds| seconds as i64)
                    .or_else(|| v.as_string().and_then(|s| s.trim().parse::<i64>().ok()))
            });
        let identity = flow::signed_identity(user_id, plan.clone(), expires, text("signature"))
            .unwrap_or_else(|missing| {
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "triage-widget: identify() has a signature but no valid {}; the ticket is sent without the identity",
                    missing.join(", ")
                )));
                None
            });
        self.flow.update(|flow| flow.identify(plan, identity));
    }

    /// Fetches and parses the policy, restores the draft, and reports `ready`.
    pub async fn load(&self) {
        let (url, config_error) = self
            .env
            .with_value(|env| (env.config.policy_url.clone(), env.config_error.clone()));
        if let Some(message) = config_error {
            self.fail(&message);
            return;
        }
        let prefetched = self.env.with_value(|env| env.policy_prefetch.take());
        let policy = match policy_text(&url, prefetched).await {
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
        let saved = draft::load(policy.id()).unwrap_or_default();
        self.flow.update(|flow| flow.restore(&policy, saved));
        self.restored.set(true);
        self.policy.set(Some(Arc::new(policy)));
        self.emit("ready", &[]);
        if self.open.get_untracked() {
            self.focus_heading();
        }
    }

    fn fail(&self, message: &str) {
        web_sys::console::error_1(&JsValue::from_str(message));
        self.emit("error", &[("message", JsValue::from_str(message))]);
        self.flow.update(Flow::broken);
    }

    /// Saves the draft as the customer goes (after the saved one was restored).
    pub fn save_drafts(&self) {
        let widget = *self;
        Effect::new(move |_| {
            if !widget.restored.get() {
                return;
            }
            let Some(policy) = widget.policy.get() else {
                return;
            };
            if let Some(draft) = widget.flow.with(Flow::draft) {
                draft::save(policy.id(), &draft);
            }
        });
    }
}

/// The non-empty-after-trim string member `key` of a JS object.
fn js_text(values: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(values, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|v| !v.trim().is_empty())
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

/// The policy's text: from the loader's prefetched response when it answered 2xx, else (none, an
/// error status, a body that cannot be read) from a fetch of its own, whose error is the one
/// reported.
async fn policy_text(url: &str, prefetched: Option<web_sys::Response>) -> Result<String, String> {
    if let Some(response) = prefetched.filter(web_sys::Response::ok) {
        if let Ok(text) = response_text(response).await {
            return Ok(text);
        }
    }
    fetch_text(url).await
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
    response_text(response).await
}

/// A response's body as text.
async fn response_text(response: web_sys::Response) -> Result<String, String> {
    let body = response
        .text()
        .map_err(|_| "the body could not be read".to_string())?;
    JsFuture::from(body)
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| "the body could not be read".to_string())
}
