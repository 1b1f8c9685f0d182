//! After Send: the confirmation with the ticket reference and the receiver's due times, or the
//! queued state (saved in this browser, sent when the connection is back).

use chrono::DateTime;
use leptos::prelude::*;
use triage_policy::ticket::{DueTime, TicketReceipt};

use crate::widget::Widget;
use crate::i18n;
use crate::intl;

/// "by …, your time" for an RFC 3339 due time from the receiver (as given when unreadable).
fn receipt_due(due: &DueTime, widget: Widget) -> String {
    let locale = widget.locale();
    let (date_locale, zone) = widget
        .env
        .with_value(|env| (env.date_locale.clone(), env.zone.clone()));
    match DateTime::parse_from_rfc3339(&due.due) {
        Ok(at) => i18n::fill(
            locale.strings().by_your_time,
            &[&intl::format_due(&at, &date_locale, &zone)],
        ),
        Err(_) => due.due.clone(),
    }
}

#[component]
pub fn Outcome(widget: Widget, receipt: Option<TicketReceipt>, pending: u32) -> impl IntoView {
    let s = widget.strings();
    let tag = widget.locale().tag();
    let actions = view! {
        <div class="tw-actions">
            <button type="button" class="tw-button tw-secondary" on:click=move |_| widget.new_ticket()>{s.new_ticket}</button>
            <button type="button" class="tw-button tw-primary" on:click=move |_| widget.close_panel()>{s.done}</button>
        </div>
    };
    match receipt {
        Some(receipt) => {
            let policy = widget.policy.get_untracked();
            let severity = policy
                .as_ref()
                .and_then(|p| p.severity(&receipt.severity).map(|sev| p.text(&sev.label, tag).to_string()))
                .unwrap_or_else(|| receipt.severity.clone());
            let first = receipt_due(&receipt.due.first_response, widget);
            let resolution = receipt_due(&receipt.due.resolution, widget);
            view! {
                <div class="tw-body tw-step tw-outcome">
                    <div class="tw-outcome-icon tw-ok" aria-hidden="true">
                        <svg viewBox="0 0 24 24" width="28" height="28" focusable="false"><path d="M5 12.5l4.5 4.5L19 7.5" /></svg>
                    </div>
                    <h2 id="tw-heading" tabindex="-1" class="tw-heading">{s.sent_heading}</h2>
                    <p>{s.sent_body}</p>
                    <dl class="tw-targets tw-card">
                        <div class="tw-target">
                            <dt>{s.reference}</dt>
                            <dd><strong class="tw-reference">{receipt.reference.clone()}</strong></dd>
                        </div>
                        <div class="tw-target">
                            <dt>{s.result_heading}</dt>
                            <dd><strong>{severity}</strong></dd>
                        </div>
                        <div class="tw-target">
                            <dt>{s.first_response}</dt>
                            <dd><span class="tw-due">{first}</span></dd>
                        </div>
                        <div class="tw-target">
                            <dt>{s.resolution}</dt>
                            <dd><span class="tw-due">{resolution}</span></dd>
                        </div>
                    </dl>
                    {actions}
                </div>
            }
            .into_any()
        }
        None => view! {
            <div class="tw-body tw-step tw-outcome">
                <div class="tw-outcome-icon tw-wait" aria-hidden="true">
                    <svg viewBox="0 0 24 24" width="28" height="28" focusable="false"><path d="M12 7v5l3 2M12 3a9 9 0 1 0 0 18a9 9 0 0 0 0-18z" /></svg>
                </div>
                <h2 id="tw-heading" tabindex="-1" class="tw-heading">{s.queued_heading}</h2>
                <p>{i18n::fill(s.queued_body, &[&pending.to_string()])}</p>
                {actions}
            </div>
        }
        .into_any(),
    }
}
