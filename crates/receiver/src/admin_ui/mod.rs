//! The support team's pages under `/admin`: sign-in, the queue ordered by next due time, and a
//! ticket's page with its actions. Server-rendered HTML plus one small script (`assets/admin.js`)
//! for live countdowns and refreshes; no inline script or style (ARCHITECTURE.md, "Queue page").
//!
//! Pages need a session (`session.rs`) opened with the admin token; every POST checks the
//! session's CSRF token and that it came from this origin.

pub mod html;
pub mod i18n;
mod pages;
mod parts;
mod queue;
pub mod session;
mod sign_in;
mod ticket;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;
use i18n::Lang;
use session::Session;

/// The admin pages' Content-Security-Policy: our own script and stylesheet only, no inline code,
/// images only from here (attachment previews), forms only to here.
pub const ADMIN_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const CSS: &str = include_str!("assets/admin.css");
const JS: &str = include_str!("assets/admin.js");
const ICON: &str = include_str!("assets/icon.svg");

/// The `/admin` routes (merged into [`crate::app`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(queue::queue_page))
        .route("/admin/", get(|| async { Redirect::permanent("/admin") }))
        .route("/admin/queue/rows", get(queue::queue_rows))
        .route("/admin/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/admin/sign-out", post(sign_in::sign_out))
        .route("/admin/lang", get(pages::switch_language))
        .route("/admin/tickets/{id}", get(ticket::ticket_page))
        .route("/admin/tickets/{id}/confirm/{action}", get(ticket::confirm_page))
        .route("/admin/tickets/{id}/progress/{action}", post(ticket::record))
        .route("/admin/tickets/{id}/attachments/{position}", get(ticket::attachment))
        .route("/admin/assets/admin.css", get(|| async { asset(CSS, "text/css; charset=utf-8") }))
        .route("/admin/assets/admin.js", get(|| async { asset(JS, "text/javascript; charset=utf-8") }))
        .route("/admin/assets/icon.svg", get(|| async { asset(ICON, "image/svg+xml") }))
}

fn asset(body: &'static str, mime: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// An HTML answer with the admin pages' security headers.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    secure_headers(response.headers_mut());
    response
}

fn secure_headers(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(ADMIN_CSP));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // `same-origin`, not `no-referrer`: with `no-referrer` Chromium sends `Origin: null` on form
    // POSTs, which the same-origin check must refuse. Other sites still get no referrer.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// Who is asking: their language and session.
pub(crate) struct Agent {
    pub lang: Lang,
    pub session: Session,
}

/// The signed-in agent, or the answer to give instead: the "admin is off" page without an admin
/// token, a redirect to sign-in without a valid session (coming back to `here` afterwards).
pub(crate) fn agent(state: &AppState, headers: &HeaderMap, here: &str) -> Result<Agent, Response> {
    let lang = Lang::from_headers(headers);
    let Some(token) = state.config.admin_token.clone() else {
        return Err(pages::admin_off(lang));
    };
    match Session::from_headers(&token, headers, state.now().timestamp()) {
        Some(session) => Ok(Agent { lang, session }),
        None => Err(Redirect::to(&format!("/admin/sign-in?next={}", html::url_value(here))).into_response()),
    }
}

/// A path inside `/admin` to go back to, or `/admin` (never another site: no `//host`, no scheme).
pub(crate) fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if (path == "/admin" || path.starts_with("/admin/") || path.starts_with("/admin?"))
                && !path.contains("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/admin".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_admin_paths_are_followed() {
        assert_eq!(local_path(Some("/admin/tickets/TW-000001")), "/admin/tickets/TW-000001");
        assert_eq!(local_path(Some("/admin?state=overdue")), "/admin?state=overdue");
        assert_eq!(local_path(Some("https://evil.example/admin")), "/admin");
        assert_eq!(local_path(Some("//evil.example")), "/admin");
        assert_eq!(local_path(Some("/admin//evil.example")), "/admin");
        assert_eq!(local_path(Some("/administrator")), "/admin");
        assert_eq!(local_path(None), "/admin");
    }
}
