//! Agents' sessions: a signed cookie, a CSRF token per session, and the same-origin check.
//!
//! The session cookie is `tw_admin=<expires>.<nonce>.<mac>` where `mac` is an HMAC-SHA256 over
//! the expiry and nonce with a key derived from the admin token. Nothing is kept server-side, so
//! any receiver instance sharing the token accepts it (several instances on PostgreSQL), and
//! changing the admin token signs every agent out. The CSRF token is a second HMAC over the nonce:
//! a form can only carry it if it was rendered for this session.

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tw_admin";
/// How long a sign-in lasts (a working day and then some).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// How long a wrong token waits before its answer; wrong attempts also queue behind each other.
pub const WRONG_TOKEN_DELAY: Duration = Duration::from_secs(1);

type HmacSha256 = Hmac<Sha256>;

/// A valid session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    nonce: String,
    pub expires: i64,
    /// The token forms of this session must send back as `csrf`.
    pub csrf: String,
}

fn key(admin_token: &str) -> [u8; 32] {
    Sha256::digest(format!("triage-admin-session\0{admin_token}").as_bytes()).into()
}

fn mac(admin_token: &str, message: &str) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let mut mac = HmacSha256::new_from_slice(&key(admin_token)).unwrap_or_else(|_| unreachable!());
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// True when `given` is the admin token (constant time, whatever the lengths).
pub fn token_matches(admin_token: &str, given: &str) -> bool {
    Sha256::digest(given.trim().as_bytes()).ct_eq(&Sha256::digest(admin_token.as_bytes())).into()
}

impl Session {
    /// A new session expiring [`SESSION_LIFETIME`] after `now` (Unix seconds).
    pub fn create(admin_token: &str, now: i64) -> Self {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let expires = now + SESSION_LIFETIME.as_secs() as i64;
        Self { csrf: mac(admin_token, &format!("csrf.{nonce}")), nonce, expires }
    }

    /// The session a cookie value stands for, if its signature holds and it has not expired.
    pub fn verify(admin_token: &str, cookie: &str, now: i64) -> Option<Self> {
        let mut parts = cookie.split('.');
        let (expires, nonce, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        if !equal(signature, &mac(admin_token, &format!("session.{expires}.{nonce}"))) {
            return None;
        }
        let expires: i64 = expires.parse().ok()?;
        if expires <= now {
            return None;
        }
        Some(Self { csrf: mac(admin_token, &format!("csrf.{nonce}")), nonce: nonce.to_string(), expires })
    }

    /// The session of a request's cookie.
    pub fn from_headers(admin_token: &str, headers: &HeaderMap, now: i64) -> Option<Self> {
        Self::verify(admin_token, &cookie(headers, SESSION_COOKIE)?, now)
    }

    fn cookie_value(&self, admin_token: &str) -> String {
        let signature = mac(admin_token, &format!("session.{}.{}", self.expires, self.nonce));
        format!("{}.{}.{signature}", self.expires, self.nonce)
    }

    /// `Set-Cookie` for this session: `HttpOnly`, `SameSite=Strict`, `Path=/admin`, `Secure` over https.
    pub fn set_cookie(&self, admin_token: &str, now: i64, secure: bool) -> HeaderValue {
        let max_age = (self.expires - now).max(0);
        let secure = if secure { "; Secure" } else { "" };
        let value = format!(
            "{SESSION_COOKIE}={}; Path=/admin; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}",
            self.cookie_value(admin_token)
        );
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("tw_admin=; Path=/admin"))
    }

    /// True when `given` is this session's CSRF token.
    pub fn csrf_matches(&self, given: &str) -> bool {
        equal(given, &self.csrf)
    }
}

/// `Set-Cookie` that removes the session.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static("tw_admin=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict; Secure")
    } else {
        HeaderValue::from_static("tw_admin=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict")
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// True when the request came over https (only believed from `X-Forwarded-Proto` behind a proxy
/// the operator runs, i.e. with `--trust-forwarded-for`).
pub fn is_https(headers: &HeaderMap, trust_proxy: bool) -> bool {
    trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// A state-changing request must come from our own pages: `Sec-Fetch-Site`, when the browser sends
/// it, must be `same-origin`; `Origin`, when sent, must name this host. (Old browsers send neither;
/// the CSRF token still protects them.)
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" {
            return false;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    origin
        .split_once("://")
        .is_some_and(|(scheme, rest)| (scheme == "http" || scheme == "https") && rest.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "s3cret";

    #[test]
    fn a_session_survives_its_cookie_and_expires() {
        let session = Session::create(TOKEN, 1_000);
        let value = session.cookie_value(TOKEN);
        assert_eq!(Session::verify(TOKEN, &value, 2_000), Some(session.clone()));
        assert_eq!(Session::verify(TOKEN, &value, session.expires), None);
        assert_eq!(Session::verify("other token", &value, 2_000), None);
    }

    #[test]
    fn tampered_cookies_are_refused() {
        let session = Session::create(TOKEN, 1_000);
        let value = session.cookie_value(TOKEN);
        let (_, rest) = value.split_once('.').unwrap();
        assert_eq!(Session::verify(TOKEN, &format!("99999999999.{rest}"), 2_000), None);
        assert_eq!(Session::verify(TOKEN, "garbage", 2_000), None);
        assert_eq!(Session::verify(TOKEN, &format!("{value}.x"), 2_000), None);
    }

    #[test]
    fn csrf_is_per_session() {
        let a = Session::create(TOKEN, 0);
        let b = Session::create(TOKEN, 0);
        assert!(a.csrf_matches(&a.csrf));
        assert!(!a.csrf_matches(&b.csrf));
        assert!(!a.csrf_matches(""));
    }

    #[test]
    fn cookies_are_strict_and_http_only() {
        let cookie = Session::create(TOKEN, 0).set_cookie(TOKEN, 0, true);
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"));
        assert!(!Session::create(TOKEN, 0).set_cookie(TOKEN, 0, false).to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&headers));
    }

    #[test]
    fn the_token_is_compared_whole() {
        assert!(token_matches(TOKEN, "s3cret"));
        assert!(token_matches(TOKEN, " s3cret\n"));
        assert!(!token_matches(TOKEN, "s3cre"));
        assert!(!token_matches(TOKEN, ""));
    }
}
