//! The configuration the loader passes to `mount` (from the script tag's `data-*` attributes),
//! parsed into a typed [`WidgetConfig`], and the link rule for URLs that come from configuration.

use std::fmt;

use wasm_bindgen::{JsCast, JsValue};

/// What the site owner configured on the script tag.
#[derive(Debug, Clone)]
pub struct WidgetConfig {
    /// `data-policy`: URL of the policy JSON.
    pub policy_url: String,
    /// `data-endpoint`: where tickets are POSTed.
    pub endpoint: String,
    /// `data-plan`: the customer's plan id (the policy's default plan when absent or unknown).
    pub plan: Option<String>,
    /// `data-locale`: interface language.
    pub locale: Option<String>,
    /// `data-fallback`: contact shown when the policy can't be loaded (a URL or plain text).
    pub fallback: Option<String>,
    /// `data-headers`: extra request headers for the endpoint.
    pub headers: Vec<(String, String)>,
    /// The host page's `<html lang>`.
    pub page_lang: Option<String>,
    /// The launcher button, to return focus to on close.
    pub launcher: Option<web_sys::HtmlElement>,
}

/// A configuration value is missing or has the wrong type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config field, e.g. `policy`.
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "triage-widget config `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn get(config: &JsValue, field: &str) -> JsValue {
    js_sys::Reflect::get(config, &JsValue::from_str(field)).unwrap_or(JsValue::UNDEFINED)
}

/// An optional string field: absent, null and blank all mean "not given".
fn optional_string(config: &JsValue, field: &'static str) -> Result<Option<String>, ConfigError> {
    let value = get(config, field);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_string() {
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => Ok(Some(text.trim().to_string())),
        None => Err(ConfigError {
            field,
            message: "must be a string".into(),
        }),
    }
}

fn required_string(
    config: &JsValue,
    field: &'static str,
    attribute: &str,
) -> Result<String, ConfigError> {
    optional_string(config, field)?.ok_or_else(|| ConfigError {
        field,
        message: format!("is required (set {attribute} on the script tag)"),
    })
}

impl WidgetConfig {
    /// Reads `{ policy, endpoint, plan?, locale?, fallback?, headers?, pageLang?, launcher? }`:
    /// the loader passes the script tag's `dataset` as it is, so `headers` may be the
    /// `data-headers` JSON text or an object (`mount` called from script).
    pub fn from_js(config: &JsValue) -> Result<WidgetConfig, ConfigError> {
        if !config.is_object() {
            return Err(ConfigError {
                field: "config",
                message: "must be an object".into(),
            });
        }
        let mut headers_value = get(config, "headers");
        if let Some(text) = headers_value.as_string() {
            headers_value = js_sys::JSON::parse(&text).map_err(|_| ConfigError {
                field: "headers",
                message: format!("is not valid JSON (data-headers): {text}"),
            })?;
        }
        let mut headers = Vec::new();
        if !(headers_value.is_undefined() || headers_value.is_null()) {
            let object = headers_value
                .dyn_ref::<js_sys::Object>()
                .ok_or_else(|| ConfigError {
                    field: "headers",
                    message:
                        "must be an object of header names to string values (data-headers JSON)"
                            .into(),
                })?;
            for entry in js_sys::Object::entries(object).iter() {
                let pair = js_sys::Array::from(&entry);
                let name = pair.get(0).as_string().unwrap_or_default();
                let value = pair.get(1).as_string().ok_or_else(|| ConfigError {
                    field: "headers",
                    message: format!("header `{name}` must have a string value"),
                })?;
                headers.push((name, value));
            }
        }
        let launcher = get(config, "launcher")
            .dyn_into::<web_sys::HtmlElement>()
            .ok();
        Ok(WidgetConfig {
            policy_url: required_string(config, "policy", "data-policy")?,
            endpoint: required_string(config, "endpoint", "data-endpoint")?,
            plan: optional_string(config, "plan")?,
            locale: optional_string(config, "locale")?,
            fallback: optional_string(config, "fallback")?,
            headers,
            page_lang: optional_string(config, "pageLang")?,
            launcher,
        })
    }
}

/// `url` when it is safe to put in an `href`: https, http or mailto, or a relative URL (which
/// resolves against the http(s) page). Anything else (`javascript:`, `data:`, control characters
/// browsers would strip) is refused.
pub fn safe_link(url: &str) -> Option<&str> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(|c| c.is_control()) {
        return None;
    }
    let scheme_end = url.find([':', '/', '?', '#']);
    match scheme_end {
        Some(at) if url[at..].starts_with(':') => {
            let scheme = url[..at].to_ascii_lowercase();
            matches!(scheme.as_str(), "https" | "http" | "mailto").then_some(url)
        }
        _ => Some(url),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_link;

    #[test]
    fn only_web_and_mail_links_are_accepted() {
        assert_eq!(
            safe_link("https://status.example.com"),
            Some("https://status.example.com")
        );
        assert_eq!(safe_link(" HTTP://x.test/a "), Some("HTTP://x.test/a"));
        assert_eq!(
            safe_link("mailto:help@example.com"),
            Some("mailto:help@example.com")
        );
        assert_eq!(safe_link("/support"), Some("/support"));
        assert_eq!(
            safe_link("//cdn.example.com/x"),
            Some("//cdn.example.com/x")
        );
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link("JavaScript:alert(1)"), None);
        assert_eq!(safe_link("java\tscript:alert(1)"), None);
        assert_eq!(safe_link("data:text/html,x"), None);
        assert_eq!(safe_link("tel:+5511"), None);
        assert_eq!(safe_link(""), None);
    }
}
