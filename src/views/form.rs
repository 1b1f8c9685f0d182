//! The contact form: name, e-mail (and phone/company when the policy asks), product, subject,
//! description, attachments checked against the policy's limits, a honeypot; inline messages tied
//! to their fields; Send.

use leptos::prelude::*;
use triage_policy::model::ContactField;
use wasm_bindgen::JsCast;

use crate::flow::validation::{check_file, Field, FileProblem};
use crate::flow::Stage;
use crate::i18n;
use crate::widget::Widget;

/// The message shown under `field`, if any (tracked).
fn error_of(widget: Widget, field: Field) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    move || widget.error_of(field)
}

fn error_id(field: Field) -> String {
    let mut id = String::from(field.dom_id());
    id.push_str("-error");
    id
}

/// A labelled text input or textarea bound to one of the form's fields.
fn text_field(
    widget: Widget,
    field: Field,
    label: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    required: bool,
    hint: Option<&'static str>,
) -> impl IntoView {
    let s = widget.strings();
    let error = error_of(widget, field);
    let hint_id = {
        let mut id = String::from(field.dom_id());
        id.push_str("-hint");
        id
    };
    let describedby = {
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id(field));
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let on_input = move |ev: web_sys::Event| {
        widget.set_field(field, event_target_value(&ev));
    };
    let value = move || widget.flow.with(|flow| flow.field(field).to_string());
    let control = if input_type == "textarea" {
        view! {
            <textarea
                id=field.dom_id()
                rows="5"
                aria-required=required.then_some("true")
                aria-invalid=move || error().map(|_| "true")
                aria-describedby=describedby
                prop:value=value
                on:input=on_input
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=field.dom_id()
                type=input_type
                autocomplete=autocomplete
                aria-required=required.then_some("true")
                aria-invalid=move || error().map(|_| "true")
                aria-describedby=describedby
                prop:value=value
                on:input=on_input
            />
        }
        .into_any()
    };
    view! {
        <div class="tw-field">
            <label for=field.dom_id()>
                {label}
                {(!required).then(|| view! { <span class="tw-optional">" (" {s.optional} ")"</span> })}
            </label>
            {hint.map(|h| view! { <p id=hint_id class="tw-hint">{h}</p> })}
            {control}
            {move || error().map(|m| view! { <p id=error_id(field) class="tw-error">{m}</p> })}
        </div>
    }
}

#[component]
pub fn ContactForm(widget: Widget) -> impl IntoView {
    let s = widget.strings();
    let locale = widget.locale();
    let tag = locale.tag();
    let Some(policy) = widget.policy.get_untracked() else {
        return ().into_any();
    };
    let rule = policy.file().contact.required.clone();
    let needs = move |field: ContactField| rule.contains(&field);
    let products = policy.file().products.clone();
    let attachments = policy.file().attachments.clone();
    let sending = move || widget.flow.with(|flow| flow.stage == Stage::Sending);

    let mut fields = Vec::new();
    fields.push(
        text_field(
            widget,
            Field::Name,
            s.name,
            "text",
            "name",
            needs(ContactField::Name),
            None,
        )
        .into_any(),
    );
    fields.push(
        text_field(
            widget,
            Field::Email,
            s.email,
            "email",
            "email",
            needs(ContactField::Email),
            None,
        )
        .into_any(),
    );
    if needs(ContactField::Phone) {
        fields.push(
            text_field(
                widget,
                Field::Phone,
                s.phone,
                "tel",
                "tel",
                true,
                None,
            )
            .into_any(),
        );
    }
    if needs(ContactField::Company) {
        fields.push(
            text_field(
                widget,
                Field::Company,
                s.company,
                "text",
                "organization",
                true,
                None,
            )
            .into_any(),
        );
    }
    if !products.is_empty() {
        let required = needs(ContactField::Product);
        let error = error_of(widget, Field::Product);
        let options = products
            .iter()
            .map(|p| {
                let id = p.id.clone();
                let selected_id = id.clone();
                view! {
                    <option value=id prop:selected=move || widget.flow.with(|flow| flow.fields.product == selected_id)>
                        {policy.text(&p.label, tag).to_string()}
                    </option>
                }
            })
            .collect_view();
        fields.push(
            view! {
                <div class="tw-field">
                    <label for="tw-product">
                        {s.product}
                        {(!required).then(|| view! { <span class="tw-optional">" (" {s.optional} ")"</span> })}
                    </label>
                    <select
                        id="tw-product"
                        aria-required=required.then_some("true")
                        aria-invalid=move || error().map(|_| "true")
                        aria-describedby=move || error().map(|_| error_id(Field::Product))
                        on:change=move |ev| widget.set_field(Field::Product, event_target_value(&ev))
                    >
                        <option value="" prop:selected=move || widget.flow.with(|flow| flow.fields.product.is_empty())>{s.product_choose}</option>
                        {options}
                    </select>
                    {move || error().map(|m| view! { <p id=error_id(Field::Product) class="tw-error">{m}</p> })}
                </div>
            }
            .into_any(),
        );
    }
    fields.push(
        text_field(
            widget,
            Field::Subject,
            s.subject,
            "text",
            "off",
            needs(ContactField::Subject),
            None,
        )
        .into_any(),
    );
    fields.push(
        text_field(
            widget,
            Field::Description,
            s.description,
            "textarea",
            "off",
            needs(ContactField::Description),
            Some(s.description_hint),
        )
        .into_any(),
    );

    let files_view = (attachments.max_files > 0).then(|| {
        let error = error_of(widget, Field::Attachments);
        let hint = i18n::fill(
            s.attachments_hint,
            &[&attachments.max_files.to_string(), &i18n::file_size(attachments.max_bytes, locale)],
        );
        let accept = attachments.types.join(",");
        let rule = attachments.clone();
        let on_change = move |ev: web_sys::Event| {
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(list) = input.files() else { return };
            let mut problems = Vec::new();
            let mut current = widget.files.get_untracked();
            for file in (0..list.length()).filter_map(|i| list.get(i)) {
                let size = file.size() as u64;
                match check_file(&file.type_(), size, current.len(), &rule) {
                    Ok(()) => current.push(file),
                    Err(FileProblem::Type) => problems.push(i18n::fill(s.file_type, &[&file.name()])),
                    Err(FileProblem::TooLarge { max_bytes }) => problems.push(i18n::fill(
                        s.file_size,
                        &[&file.name(), &i18n::file_size(size, locale), &i18n::file_size(max_bytes, locale)],
                    )),
                    Err(FileProblem::TooMany { max_files }) => {
                        let text = i18n::fill(s.too_many_files, &[&max_files.to_string()]);
                        if !problems.contains(&text) {
                            problems.push(text);
                        }
                    }
                }
            }
            input.set_value("");
            widget.files.set(current);
            let problem = (!problems.is_empty()).then(|| problems.join(" "));
            widget.flow.update(|flow| flow.set_attachment_problem(problem));
        };
        let list = move || {
            widget.files.with(|files| {
                files
                    .iter()
                    .enumerate()
                    .map(|(index, file)| {
                        let name = file.name();
                        let remove_label = i18n::fill(s.remove_file, &[&name]);
                        let size = i18n::file_size(file.size() as u64, locale);
                        view! {
                            <li class="tw-file">
                                <span class="tw-file-name">{name}</span>
                                <span class="tw-file-size">{size}</span>
                                <button
                                    type="button"
                                    class="tw-icon-button"
                                    aria-label=remove_label
                                    on:click=move |_| {
                                        widget.files.update(|files| {
                                            if index < files.len() {
                                                files.remove(index);
                                            }
                                        });
                                        widget.flow.update(|flow| flow.set_attachment_problem(None));
                                        widget.focus_field(Field::Attachments);
                                    }
                                >
                                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
                                        <path d="M6 6l12 12M18 6L6 18" />
                                    </svg>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            })
        };
        view! {
            <div class="tw-field tw-attachments">
                <span class="tw-label" id="tw-files-label">
                    {s.attachments}
                    <span class="tw-optional">" (" {s.optional} ")"</span>
                </span>
                <p id="tw-files-hint" class="tw-hint">{hint}</p>
                <input
                    id="tw-files"
                    class="tw-file-input"
                    type="file"
                    multiple=true
                    accept=accept
                    aria-describedby=move || {
                        if error().is_some() { "tw-files-hint tw-files-error" } else { "tw-files-hint" }
                    }
                    aria-invalid=move || error().map(|_| "true")
                    on:change=on_change
                />
                <label for="tw-files" class="tw-button tw-secondary tw-file-button">{s.attach_button}</label>
                <ul class="tw-files">{list}</ul>
                {move || error().map(|m| view! { <p id="tw-files-error" class="tw-error">{m}</p> })}
            </div>
        }
    });

    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if !sending() {
            widget.send();
        }
    };
    view! {
        <form class="tw-body tw-step" on:submit=on_submit novalidate>
            <h2 id="tw-heading" tabindex="-1" class="tw-heading">{s.form_heading}</h2>
            {move || widget.form_note().map(|m| view! { <p class="tw-form-error" role="alert">{m}</p> })}
            {fields}
            {files_view}
            <div class="tw-hp" aria-hidden="true">
                <label for="tw-website">{s.honeypot}</label>
                <input
                    id="tw-website"
                    name="website"
                    type="text"
                    tabindex="-1"
                    autocomplete="off"
                    prop:value=move || widget.flow.with(|flow| flow.honeypot.clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        widget.flow.update(|flow| flow.honeypot = value);
                    }
                />
            </div>
            <div class="tw-actions">
                <button type="button" class="tw-button tw-secondary" on:click=move |_| widget.back() disabled=sending>
                    {s.back}
                </button>
                <button type="submit" class="tw-button tw-primary" disabled=sending aria-busy=move || sending().then_some("true")>
                    {move || if sending() { s.sending } else { s.send }}
                </button>
            </div>
        </form>
    }
    .into_any()
}
