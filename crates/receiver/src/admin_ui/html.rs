//! HTML text escaping and the page shell every admin page shares.
//!
//! Every string that did not come from this crate goes through [`esc`]: customers' subjects,
//! names, file names, policy texts. Nothing here ever writes a stored string unescaped.

use std::fmt::Write;

use super::i18n::{Lang, Text};

/// Escapes text for an HTML text node or a double-quoted attribute.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab/newline have no business on the page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query-string value.
pub fn url_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// What the shell needs besides the page body.
pub struct Shell<'a> {
    pub lang: Lang,
    /// The document title (plain text, escaped here).
    pub title: &'a str,
    /// The page's own path and query, for the language switch to come back to.
    pub here: &'a str,
    /// The sign-out form's CSRF token when signed in.
    pub csrf: Option<&'a str>,
    /// `data-page` of `<body>`: which behaviour `admin.js` attaches.
    pub page: &'a str,
}

/// A whole page: head with the stylesheet and script (no inline script or style anywhere), the
/// header with the language switch and sign-out, the body, and the strings `admin.js` needs as a
/// JSON data block (not executed, so the CSP allows it).
pub fn page(shell: &Shell<'_>, body: &str) -> String {
    let t = shell.lang.text();
    let mut out = String::with_capacity(body.len() + 4096);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"icon\" href=\"/admin/assets/icon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/admin/assets/admin.css\">\
         <script src=\"/admin/assets/admin.js\" defer></script></head>\
         <body data-page=\"{page}\"><a class=\"skip\" href=\"#main\">{skip}</a>\
         <header class=\"top\"><a class=\"brand\" href=\"/admin\">{brand}</a><nav aria-label=\"{lang_nav}\" class=\"langs\">",
        lang = shell.lang.tag(),
        title = esc(shell.title),
        page = esc(shell.page),
        skip = t.skip_to_content,
        brand = t.brand,
        lang_nav = t.language,
    );
    for lang in Lang::ALL {
        let current = if lang == shell.lang { " aria-current=\"true\"" } else { "" };
        let _ = write!(
            out,
            "<a href=\"/admin/lang?to={tag}&amp;back={back}\" lang=\"{tag}\" hreflang=\"{tag}\"{current}>{name}</a>",
            tag = lang.tag(),
            back = esc(&url_value(shell.here)),
            name = lang.name(),
        );
    }
    out.push_str("</nav>");
    if let Some(csrf) = shell.csrf {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/admin/sign-out\" class=\"sign-out\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">{label}</button></form>",
            csrf = esc(csrf),
            label = t.sign_out,
        );
    }
    let _ = write!(
        out,
        "</header><main id=\"main\" tabindex=\"-1\">{body}</main>\
         <script type=\"application/json\" id=\"tw-admin-text\">{strings}</script></body></html>",
        strings = script_json(&client_strings(t)),
    );
    out
}

/// JSON safe inside a `<script type="application/json">` block (no `</script>`, no `<!--`).
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// The strings `admin.js` formats countdowns and announcements with.
fn client_strings(t: &Text) -> serde_json::Value {
    serde_json::json!({
        "first_response_in": t.js_first_response_in,
        "resolution_in": t.js_resolution_in,
        "overdue_by": t.js_overdue_by,
        "met_at": t.js_met_at,
        "met_late_at": t.js_met_late_at,
        "minutes": t.js_minutes,
        "hours_minutes": t.js_hours_minutes,
        "days_hours": t.js_days_hours,
        "new_tickets": t.js_new_tickets,
        "title_overdue": t.js_title_overdue,
        "title_plain": t.queue_title,
        "refresh_failed": t.js_refresh_failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(esc("\"a\" & 'b'"), "&quot;a&quot; &amp; &#39;b&#39;");
        assert_eq!(esc("ok\u{0}"), "ok\u{FFFD}");
    }

    #[test]
    fn json_blocks_cannot_close_their_script() {
        let json = script_json(&serde_json::json!({"x": "</script><script>alert(1)</script>"}));
        assert!(!json.contains("</script>"), "{json}");
    }

    #[test]
    fn url_values_are_percent_encoded() {
        assert_eq!(url_value("/admin?q=a b&x=1"), "%2Fadmin%3Fq%3Da%20b%26x%3D1");
    }
}
