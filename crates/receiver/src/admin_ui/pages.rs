//! Small pages and answers shared by the admin routes: "admin is off", refused forms, not found,
//! and the language switch.

use axum::extract::Query;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::html::{esc, page, Shell};
use super::i18n::{Lang, LANG_COOKIE};
use super::{html, local_path};

/// A page with one message (an error or a notice) and a link back to the queue.
pub fn message(lang: Lang, status: StatusCode, title: &str, text: &str, csrf: Option<&str>) -> Response {
    let t = lang.text();
    let body = format!(
        "<h1>{title}</h1><p role=\"alert\" class=\"notice notice-error\">{text}</p><p><a href=\"/admin\">{back}</a></p>",
        title = esc(title),
        text = esc(text),
        back = t.back_to_queue,
    );
    html(status, page(&Shell { lang, title, here: "/admin", csrf, page: "message" }, &body))
}

/// 403 when the receiver has no admin token.
pub fn admin_off(lang: Lang) -> Response {
    let t = lang.text();
    message(lang, StatusCode::FORBIDDEN, t.brand, t.admin_off, None)
}

/// 403 for a form without the session's CSRF token or from another origin.
pub fn csrf_refused(lang: Lang, csrf: Option<&str>) -> Response {
    let t = lang.text();
    tracing::warn!("admin form refused: missing or wrong CSRF token, or sent from another origin");
    message(lang, StatusCode::FORBIDDEN, t.brand, t.csrf_refused, csrf)
}

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    to: Option<String>,
    back: Option<String>,
}

/// `GET /admin/lang?to=es&back=/admin…`: keeps the choice in a cookie for a year and goes back.
pub async fn switch_language(Query(query): Query<LangQuery>) -> Response {
    let back = local_path(query.back.as_deref());
    let mut response = Redirect::to(&back).into_response();
    if let Some(lang) = query.to.as_deref().and_then(Lang::parse) {
        let cookie = format!("{LANG_COOKIE}={}; Path=/admin; Max-Age=31536000; SameSite=Strict", lang.tag());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}
