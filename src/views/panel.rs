//! The panel shell: the dialog with its title and Close button, the focus trap, Esc, the polite
//! live region, and the step view for the current stage.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::flow::Stage;
use crate::views::{
    broken::Broken, form::ContactForm, loading::Loading, outcome::Outcome, questions::Questions,
    result::ResultView,
};
use crate::widget::Widget;

/// The widget's root view: the dialog when open.
#[component]
pub fn Panel(widget: Widget) -> impl IntoView {
    widget.save_drafts();
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
    let screen = Memo::new(move |_| match widget.stage() {
        Stage::Loading => 0u8,
        Stage::Broken => 1,
        Stage::Questions => 2,
        Stage::Result => 3,
        Stage::Form | Stage::Sending => 4,
        Stage::Sent(_) => 5,
        Stage::Queued(_) => 6,
    });
    let stage_view = move || match screen.get() {
        0 => view! { <Loading text=s.loading /> }.into_any(),
        1 => view! { <Broken widget=widget /> }.into_any(),
        2 => view! { <Questions widget=widget /> }.into_any(),
        3 => view! { <ResultView widget=widget /> }.into_any(),
        4 => view! { <ContactForm widget=widget /> }.into_any(),
        _ => match widget.flow.with_untracked(|flow| flow.stage.clone()) {
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

