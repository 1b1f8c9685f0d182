//! While the policy is fetched: a spinner and its words, as a status.

use leptos::prelude::*;

#[component]
pub fn Loading(text: &'static str) -> impl IntoView {
    view! {
        <div class="tw-body tw-loading" role="status">
            <span class="tw-spinner" aria-hidden="true"></span>
            <h2 id="tw-heading" tabindex="-1" class="tw-loading-text">{text}</h2>
        </div>
    }
}
