//! Shown when the policy can't be loaded or used: an explanation and the site owner's fallback
//! contact (`data-fallback`), as a link only when it is an https, http or mailto URL.

use leptos::prelude::*;

use crate::widget::Widget;
use crate::config::safe_link;

/// Whether the fallback text looks like a link target (a URL or an e-mail address).
fn as_link(fallback: &str) -> Option<String> {
    let text = fallback.trim();
    if text.contains('@') && !text.contains(':') && !text.contains(char::is_whitespace) {
        let mut mailto = String::from("mailto:");
        mailto.push_str(text);
        return Some(mailto);
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("https:") || lower.starts_with("http:") || lower.starts_with("mailto:") {
        return safe_link(text).map(str::to_string);
    }
    None
}

#[component]
pub fn Broken(widget: Widget) -> impl IntoView {
    let s = widget.strings();
    let fallback = widget.env.with_value(|env| env.config.fallback.clone());
    let body = match fallback {
        Some(fallback) => {
            let contact = match as_link(&fallback) {
                Some(href) => view! {
                    <a class="tw-button tw-primary tw-fallback" href=href target="_blank" rel="noopener noreferrer">
                        {s.fallback_link}
                        <span class="tw-fallback-target">{fallback.clone()}</span>
                    </a>
                }
                .into_any(),
                None => view! { <p class="tw-fallback-text">{fallback.clone()}</p> }.into_any(),
            };
            view! {
                <p>{s.broken_fallback}</p>
                {contact}
            }
            .into_any()
        }
        None => view! { <p>{s.broken_no_fallback}</p> }.into_any(),
    };
    view! {
        <div class="tw-body tw-step tw-broken">
            <h2 id="tw-heading" tabindex="-1" class="tw-heading">{s.broken_heading}</h2>
            {body}
        </div>
    }
}
