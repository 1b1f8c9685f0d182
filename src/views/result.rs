//! The result: severity with definition and why, the plan's targets as durations and as due times
//! in the customer's zone, coverage, averages, channel targets, other plans, product status pages,
//! and the request for a higher severity.

use leptos::prelude::*;
use triage_policy::model::Target;
use triage_policy::{DueAt, Policy};

use crate::widget::Widget;
use crate::flow::validation::Field;
use crate::config::safe_link;
use crate::i18n::{self, Locale};
use crate::intl::{self, IntlZones};

/// "by Tue 24 Nov, 15:30, your time".
pub fn due_phrase(at: &DueAt, locale: Locale, date_locale: &str, zone: &str) -> String {
    i18n::fill(
        locale.strings().by_your_time,
        &[&intl::format_due(&at.due, date_locale, zone)],
    )
}

/// The calendar's label when its clock stops (business hours), else nothing.
fn calendar_note(policy: &Policy, calendar: &str, locale: Locale) -> Option<String> {
    let calendar = policy.calendar(calendar)?;
    (!calendar.always_open).then(|| policy.text(&calendar.label, locale.tag()).to_string())
}

/// One target: "within 2 hours", "by …, your time", "on average within …", calendar note.
fn target_view(
    label: &'static str,
    target: &Target,
    due: Option<DueAt>,
    widget: Widget,
    policy: &Policy,
) -> impl IntoView {
    let locale = widget.locale();
    let (date_locale, zone) = widget
        .env
        .with_value(|env| (env.date_locale.clone(), env.zone.clone()));
    let due_text = due
        .as_ref()
        .map(|at| due_phrase(at, locale, &date_locale, &zone));
    let average = target.average.map(|span| {
        let mut text = i18n::on_average(span, locale);
        if let Some(at) = due.as_ref().and_then(|d| d.average_due) {
            text.push_str(" · ");
            text.push_str(&i18n::fill(
                locale.strings().typically_by,
                &[&intl::format_due(&at, &date_locale, &zone)],
            ));
        }
        text
    });
    view! {
        <div class="tw-target">
            <dt>{label}</dt>
            <dd>
                <strong class="tw-target-limit">{i18n::within(target.limit, locale)}</strong>
                {due_text.map(|text| view! { <span class="tw-due">{text}</span> })}
                {average.map(|text| view! { <span class="tw-average">{text}</span> })}
                {calendar_note(policy, &target.calendar, locale).map(|text| view! { <span class="tw-calendar">{text}</span> })}
            </dd>
        </div>
    }
}

#[component]
pub fn ResultView(widget: Widget) -> impl IntoView {
    let s = widget.strings();
    let locale = widget.locale();
    let tag = locale.tag();
    // Redrawn only when the result or the plan changes, not as the escalation reason is typed.
    let result = Memo::new(move |_| {
        let policy = widget.policy.get()?;
        widget
            .flow
            .with(|flow| Some((flow.classification(&policy)?, flow.plan_id(&policy))))
    });
    move || {
        let policy = widget.policy.get()?;
        let (classification, plan_id) = result.get()?;
        let plan = policy.plan(&plan_id)?;
        let severity = policy.severity(&classification.severity)?;
        let rank = policy.severity_rank(&severity.id).unwrap_or(0);
        let targets = plan.targets.get(&severity.id)?;
        let now = intl::now();
        let due = policy
            .due(&plan_id, &severity.id, None, now, &IntlZones)
            .ok();
        let reasons = classification
            .trail
            .iter()
            .filter_map(|step| policy.answer(&step.question, &step.answer))
            .map(|answer| view! { <li>{policy.text(&answer.reason, tag).to_string()}</li> })
            .collect_view();
        let mut severity_class = String::from("tw-severity tw-sev-");
        severity_class.push_str(&rank.min(3).to_string());
        let plan_line = i18n::fill(s.your_plan, &[policy.text(&plan.label, tag)]);
        let example = plan.example_values;
        let first = target_view(
            s.first_response,
            &targets.first_response,
            due.clone().map(|d| d.first_response),
            widget,
            &policy,
        );
        let resolution = target_view(
            s.resolution,
            &targets.resolution,
            due.map(|d| d.resolution),
            widget,
            &policy,
        );

        let channels = policy.file().channels.clone();
        let channels_view = (!channels.is_empty()).then(|| {
            let (date_locale, zone) = widget.env.with_value(|env| (env.date_locale.clone(), env.zone.clone()));
            let items = channels
                .iter()
                .map(|channel| {
                    let target = &channel.first_response;
                    let mut text = i18n::within(target.limit, locale);
                    if let Some(average) = target.average {
                        text.push_str(" (");
                        text.push_str(&i18n::on_average(average, locale));
                        text.push(')');
                    }
                    let due = policy
                        .due_at(target, now, &IntlZones)
                        .ok()
                        .map(|at| due_phrase(&at, locale, &date_locale, &zone));
                    view! {
                        <li>
                            <span class="tw-channel">{policy.text(&channel.label, tag).to_string()}</span>
                            <span>{text}</span>
                            {due.map(|d| view! { <span class="tw-due">{d}</span> })}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="tw-section" aria-labelledby="tw-channels">
                    <h3 id="tw-channels">{s.channels_heading}</h3>
                    <ul class="tw-list">{items}</ul>
                </section>
            }
        });

        let others: Vec<_> = policy.plans().iter().filter(|p| p.id != plan_id).collect();
        let others_view = (!others.is_empty()).then(|| {
            let items = others
                .iter()
                .filter_map(|other| {
                    let t = other.targets.get(&severity.id)?;
                    let mut text = String::from(s.first_response);
                    text.push(' ');
                    text.push_str(&i18n::within(t.first_response.limit, locale));
                    text.push_str(" · ");
                    text.push_str(s.resolution);
                    text.push(' ');
                    text.push_str(&i18n::within(t.resolution.limit, locale));
                    let example = other.example_values;
                    Some(view! {
                        <li>
                            <span class="tw-plan-name">{policy.text(&other.label, tag).to_string()}</span>
                            {example.then(|| view! { <span class="tw-badge">{s.example_values}</span> })}
                            <span>{text}</span>
                        </li>
                    })
                })
                .collect_view();
            view! {
                <section class="tw-section" aria-labelledby="tw-other-plans">
                    <h3 id="tw-other-plans">{s.other_plans_heading}</h3>
                    <ul class="tw-list">{items}</ul>
                </section>
            }
        });

        let status: Vec<(String, String)> = policy
            .file()
            .products
            .iter()
            .filter_map(|p| {
                let url = safe_link(p.status_page.as_deref()?)?;
                Some((
                    i18n::fill(s.status_link, &[policy.text(&p.label, tag)]),
                    url.to_string(),
                ))
            })
            .collect();
        let status_view = (!status.is_empty()).then(|| {
            let items = status
                .into_iter()
                .map(|(label, url)| {
                    view! {
                        <li>
                            <a href=url target="_blank" rel="noopener noreferrer">{label}</a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="tw-section" aria-labelledby="tw-status">
                    <h3 id="tw-status">{s.status_heading}</h3>
                    <ul class="tw-list tw-links">{items}</ul>
                </section>
            }
        });

        let higher: Vec<(String, String)> = widget
            .flow
            .with_untracked(|flow| flow.escalation_choices(&policy))
            .into_iter()
            .map(|sev| (sev.id.clone(), policy.text(&sev.label, tag).to_string()))
            .collect();
        let escalation_view = (!higher.is_empty()).then(|| {
            let help = policy.file().escalation.help.as_ref().map(|h| policy.text(h, tag).to_string());
            let requested = Memo::new(move |_| widget.flow.with(|flow| flow.escalation.requested));
            let reason_error = move || widget.error_of(Field::EscalationReason);
            let options = move || {
                higher
                    .clone()
                    .into_iter()
                    .map(|(id, label)| {
                        let selected_id = id.clone();
                        view! {
                            <option value=id prop:selected=move || widget.flow.with(|flow| flow.escalation.severity == selected_id)>{label}</option>
                        }
                    })
                    .collect_view()
            };
            view! {
                <section class="tw-section tw-escalation">
                    <label class="tw-check">
                        <input
                            type="checkbox"
                            prop:checked=move || requested.get()
                            on:change=move |ev| widget.set_escalation_requested(event_target_checked(&ev))
                        />
                        <span>{s.escalate_toggle}</span>
                    </label>
                    {help.map(|h| view! { <p class="tw-hint">{h}</p> })}
                    <Show when=move || requested.get()>
                        <div class="tw-field">
                            <label for="tw-escalation-severity">{s.escalate_severity}</label>
                            <select
                                id="tw-escalation-severity"
                                on:change=move |ev| widget.set_escalation_severity(&event_target_value(&ev))
                            >
                                {options()}
                            </select>
                        </div>
                        <div class="tw-field">
                            <label for="tw-escalation-reason">{s.escalate_reason}</label>
                            <textarea
                                id="tw-escalation-reason"
                                rows="3"
                                aria-invalid=move || reason_error().map(|_| "true")
                                aria-describedby=move || reason_error().map(|_| "tw-escalation-reason-error")
                                prop:value=move || widget.flow.with(|flow| flow.escalation.reason.clone())
                                on:input=move |ev| widget.set_escalation_reason(event_target_value(&ev))
                            ></textarea>
                            {move || reason_error().map(|m| view! { <p id="tw-escalation-reason-error" class="tw-error">{m}</p> })}
                        </div>
                    </Show>
                </section>
            }
        });

        Some(
            view! {
                <div class="tw-body tw-step tw-result">
                    <p class="tw-eyebrow">{s.result_heading}</p>
                    <h2 id="tw-heading" tabindex="-1" class=severity_class>{policy.text(&severity.label, tag).to_string()}</h2>
                    <p class="tw-definition">{policy.text(&severity.definition, tag).to_string()}</p>
                    <section class="tw-section" aria-labelledby="tw-why">
                        <h3 id="tw-why">{s.why}</h3>
                        <ul class="tw-reasons">{reasons}</ul>
                    </section>
                    <section class="tw-section tw-card" aria-labelledby="tw-plan">
                        <h3 id="tw-plan" class="tw-plan">
                            {plan_line}
                            {example.then(|| view! { <span class="tw-badge">{s.example_values}</span> })}
                        </h3>
                        <p class="tw-coverage">{policy.text(&plan.coverage, tag).to_string()}</p>
                        <dl class="tw-targets">{first}{resolution}</dl>
                    </section>
                    {channels_view}
                    {others_view}
                    {status_view}
                    {escalation_view}
                    <div class="tw-actions">
                        <button type="button" class="tw-button tw-secondary" on:click=move |_| widget.back()>{s.back}</button>
                        <button type="button" class="tw-button tw-link" on:click=move |_| widget.start_over()>{s.start_over}</button>
                        <button type="button" class="tw-button tw-primary" on:click=move |_| widget.continue_to_form()>
                            {s.continue_to_form}
                        </button>
                    </div>
                </div>
            }
            .into_any(),
        )
    }
}
