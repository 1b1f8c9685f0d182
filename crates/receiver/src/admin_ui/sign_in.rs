//! Sign-in with the admin token, sign-out. A wrong token is logged with the client's address and
//! answered only after [`WRONG_TOKEN_DELAY`], one wrong attempt at a time across all clients.

use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tokio::sync::Mutex;

use super::html::{esc, page, Shell};
use super::i18n::Lang;
use super::session::{self, Session, WRONG_TOKEN_DELAY};
use super::{html, local_path, pages};
use crate::intake;
use crate::state::AppState;

/// Wrong attempts wait behind each other: guessing in parallel is no faster than one by one.
static WRONG_ATTEMPTS: Mutex<()> = Mutex::const_new(());

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn form_page(lang: Lang, next: &str, error: Option<&str>, notice: Option<&str>) -> String {
    let t = lang.text();
    let mut body = format!("<div class=\"sign-in\"><h1>{}</h1><p>{}</p>", t.sign_in_title, t.sign_in_intro);
    if let Some(error) = error {
        body.push_str(&format!("<p role=\"alert\" class=\"notice notice-error\" id=\"sign-in-error\">{}</p>", esc(error)));
    }
    if let Some(notice) = notice {
        body.push_str(&format!("<p role=\"status\" class=\"notice\">{}</p>", esc(notice)));
    }
    let described = if error.is_some() { " aria-describedby=\"sign-in-error\" aria-invalid=\"true\"" } else { "" };
    body.push_str(&format!(
        "<form method=\"post\" action=\"/admin/sign-in\" id=\"sign-in-form\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\
         <label for=\"token\">{label}</label>\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required{described}>\
         <button type=\"submit\">{submit}</button></form></div>",
        next = esc(next),
        label = t.token_label,
        submit = t.sign_in,
    ));
    page(&Shell { lang, title: t.sign_in_title, here: "/admin/sign-in", csrf: None, page: "sign-in" }, &body)
}

/// `GET /admin/sign-in`. The demo links here with `#token=…`: `admin.js` fills the field from the
/// fragment (which never reaches the server or its logs), clears it and submits.
pub async fn form(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<NextQuery>) -> Response {
    let lang = Lang::from_headers(&headers);
    if state.config.admin_token.is_none() {
        return pages::admin_off(lang);
    }
    let next = local_path(query.next.as_deref());
    html(StatusCode::OK, form_page(lang, &next, None, None))
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    token: String,
    next: Option<String>,
}

/// `POST /admin/sign-in`: right token → session cookie and back to where the agent was going.
pub async fn submit(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let client = intake::client_ip(&request, state.config.trust_forwarded_for);
    let lang = Lang::from_headers(&headers);
    let form = match Form::<SignInForm>::from_request(request, &state).await {
        Ok(Form(form)) => form,
        Err(_) => SignInForm { token: String::new(), next: None },
    };
    let Some(token) = state.config.admin_token.clone() else {
        return pages::admin_off(lang);
    };
    if !session::same_origin(&headers) {
        return pages::csrf_refused(lang, None);
    }
    let next = local_path(form.next.as_deref());
    if !session::token_matches(&token, &form.token) {
        let _turn = WRONG_ATTEMPTS.lock().await;
        tracing::warn!(%client, "admin sign-in refused: wrong token");
        tokio::time::sleep(WRONG_TOKEN_DELAY).await;
        return html(StatusCode::UNAUTHORIZED, form_page(lang, &next, Some(lang.text().wrong_token), None));
    }
    let now = state.now().timestamp();
    let session = Session::create(&token, now);
    let secure = session::is_https(&headers, state.config.trust_forwarded_for);
    tracing::info!("admin signed in");
    let mut response = Redirect::to(&next).into_response();
    response.headers_mut().insert(header::SET_COOKIE, session.set_cookie(&token, now, secure));
    response
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /admin/sign-out`: clears the cookie (CSRF-checked, so another site cannot sign agents out).
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let form: CsrfForm = serde_urlencoded::from_bytes(&body).unwrap_or(CsrfForm { csrf: None });
    let lang = Lang::from_headers(&headers);
    let Some(token) = state.config.admin_token.clone() else {
        return pages::admin_off(lang);
    };
    let session = Session::from_headers(&token, &headers, state.now().timestamp());
    let csrf_ok = session.as_ref().is_some_and(|s| s.csrf_matches(form.csrf.as_deref().unwrap_or("")));
    if !csrf_ok || !session::same_origin(&headers) {
        return pages::csrf_refused(lang, session.as_ref().map(|s| s.csrf.as_str()));
    }
    let secure = session::is_https(&headers, state.config.trust_forwarded_for);
    let mut response = html(StatusCode::OK, form_page(lang, "/admin", None, Some(lang.text().signed_out)));
    response.headers_mut().insert(header::SET_COOKIE, session::clear_cookie(secure));
    response
}
