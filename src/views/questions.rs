//! One question of the questionnaire: a fieldset with a legend and radio buttons, progress, Back
//! and Continue (Enter on a radio continues too).

use leptos::prelude::*;

use crate::flow::{questions_left, WalkState};
use crate::i18n;
use crate::widget::Widget;

#[component]
pub fn Questions(widget: Widget) -> impl IntoView {
    let s = widget.strings();
    let locale = widget.locale();
    // Only a new question redraws the step (not every change of the flow).
    let walk = Memo::new(move |_| {
        let policy = widget.policy.get()?;
        widget.flow.with(|flow| flow.walk(&policy))
    });
    move || {
        let policy = widget.policy.get()?;
        let WalkState::Ask { question, answered } = walk.get()? else {
            return None;
        };
        let question = policy.question(&question)?.clone();
        let (fewest, most) = questions_left(&policy, &question.id);
        let estimate = answered + most;
        let progress = i18n::progress_label(answered + 1, estimate, fewest == most, locale);
        let choice = RwSignal::new(
            widget
                .flow
                .with_untracked(|flow| flow.remembered(&question.id).map(str::to_string)),
        );
        let missing = RwSignal::new(false);
        let question_id = question.id.clone();
        let group = {
            let mut name = String::from("tw-q-");
            name.push_str(&question.id);
            name
        };
        let help = question
            .help
            .as_ref()
            .map(|help| policy.text(help, locale.tag()).to_string());
        let has_help = help.is_some();
        let describedby = move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push("tw-q-help");
            }
            if missing.get() {
                ids.push("tw-q-error");
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        };
        let options = question
            .answers
            .iter()
            .map(|answer| {
                let id = answer.id.clone();
                let checked_id = id.clone();
                let label = policy.text(&answer.label, locale.tag()).to_string();
                view! {
                    <label class="tw-option">
                        <input
                            type="radio"
                            name=group.clone()
                            value=id.clone()
                            prop:checked=move || choice.with(|c| c.as_deref() == Some(checked_id.as_str()))
                            on:change=move |_| {
                                choice.set(Some(id.clone()));
                                missing.set(false);
                            }
                        />
                        <span class="tw-option-label">{label}</span>
                    </label>
                }
            })
            .collect_view();
        let on_submit = move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            match choice.get_untracked() {
                Some(answer) => widget.choose(&question_id, &answer),
                None => missing.set(true),
            }
        };
        Some(view! {
            <form class="tw-body tw-step" on:submit=on_submit novalidate>
                <div class="tw-progress">
                    <span id="tw-progress-label" class="tw-progress-label">{progress}</span>
                    <progress
                        max=estimate.to_string()
                        value=answered.to_string()
                        aria-label=s.progress_label
                    ></progress>
                </div>
                <fieldset class="tw-question" aria-describedby=describedby>
                    <legend>
                        <h2 id="tw-heading" tabindex="-1" class="tw-heading">
                            {policy.text(&question.prompt, locale.tag()).to_string()}
                        </h2>
                    </legend>
                    {help.map(|help| view! { <p id="tw-q-help" class="tw-hint">{help}</p> })}
                    <div class="tw-options">{options}</div>
                    <Show when=move || missing.get()>
                        <p id="tw-q-error" class="tw-error">{s.choose_answer}</p>
                    </Show>
                </fieldset>
                <div class="tw-actions">
                    {(answered > 0).then(|| view! {
                        <button type="button" class="tw-button tw-secondary" on:click=move |_| widget.back()>
                            {s.back}
                        </button>
                    })}
                    <button type="submit" class="tw-button tw-primary">{s.next}</button>
                </div>
            </form>
        }
        .into_any())
    }
}
