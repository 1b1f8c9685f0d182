//! The demo site: `/` → `index.html`, `/www/*` and `/dist/*` from the site root, with the page CSP,
//! exact MIME types (`application/wasm` included) and caching by kind of file.
//!
//! Caching: files in `dist/` whose name carries a content hash (`name.<hash>.ext`, all but
//! `loader.js` and `manifest.json`) are `immutable` for a year; everything else, HTML and the
//! loader included, is `no-cache` (revalidated through `ETag`/`Last-Modified` on every use).

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;

/// The Content-Security-Policy of the demo pages (ARCHITECTURE.md, "Styling and CSP").
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// Routes serving the site root.
pub fn routes<S: Clone + Send + Sync + 'static>(root: &Path) -> Router<S> {
    Router::new()
        .route_service("/", ServeFile::new(root.join("index.html")))
        .route_service("/index.html", ServeFile::new(root.join("index.html")))
        .nest_service("/www", ServeDir::new(root.join("www")))
        .nest_service("/dist", ServeDir::new(root.join("dist")))
        .layer(middleware::from_fn(static_headers))
        .layer(CompressionLayer::new())
}

/// MIME type by file extension, for the kinds of file the demo serves.
pub fn mime_for(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase())?;
    Some(match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

/// True for `dist/` file names carrying a content hash: `name.<hash>.ext` where the hash is at
/// least 8 characters of `[0-9A-Za-z_-]`. `loader.js` and `manifest.json` never are.
pub fn is_fingerprinted(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/dist/") else { return false };
    let name = rest.rsplit('/').next().unwrap_or(rest);
    if name == "loader.js" || name == "manifest.json" {
        return false;
    }
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|segment| {
            segment.len() >= 8 && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

async fn static_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    if response.status() == StatusCode::NOT_FOUND {
        return ApiError::not_found(format!("no file at `{path}`")).into_response();
    }
    let mut response = response;
    let headers = response.headers_mut();
    let served_path = if path == "/" { "/index.html" } else { path.as_str() };
    if let Some(mime) = mime_for(served_path) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    }
    let is_html =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    }
    let cache = if is_fingerprinted(&path) { IMMUTABLE } else { NO_CACHE };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_recognised_only_in_dist() {
        assert!(is_fingerprinted("/dist/triage_widget.3f9a1c2b.js"));
        assert!(is_fingerprinted("/dist/triage_widget_bg.3f9a1c2b7d.wasm"));
        assert!(is_fingerprinted("/dist/widget.Ab_-0123xyz.css"));
        assert!(!is_fingerprinted("/dist/loader.js"));
        assert!(!is_fingerprinted("/dist/manifest.json"));
        assert!(!is_fingerprinted("/dist/widget.min.js"));
        assert!(!is_fingerprinted("/dist/widget.js"));
        assert!(!is_fingerprinted("/www/triage_widget.3f9a1c2b.js"));
    }

    #[test]
    fn mime_types_cover_the_demo() {
        assert_eq!(mime_for("/dist/x.1234abcd.wasm"), Some("application/wasm"));
        assert_eq!(mime_for("/dist/loader.js"), Some("text/javascript; charset=utf-8"));
        assert_eq!(mime_for("/index.html"), Some("text/html; charset=utf-8"));
        assert_eq!(mime_for("/www/policies/p.json"), Some("application/json"));
        assert_eq!(mime_for("/www/README"), None);
    }
}
