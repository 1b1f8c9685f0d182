//! `triage preview POLICY`: a local page with the widget running POLICY against a local endpoint,
//! reloaded when the file changes, with the policy's problems (JSON path, message, fix) shown on
//! the page itself while it is invalid.
//!
//! A small HTTP/1.1 server on `std::net` (one thread per connection, `Connection: close`):
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | the preview page: the widget's tag, or the list of problems |
//! | `GET /policy.json` | the policy file as it is now |
//! | `GET /__preview/version` | a fingerprint of the file; `preview.js` reloads the page when it changes |
//! | `GET /preview.js`, `/preview.css` | the page's script and style (the page runs under a strict CSP) |
//! | `GET /widget/…` | the widget's files (the unpacked npm package, or `dist/`) |
//! | `POST /api/tickets` | the local endpoint: recomputes severity and due times, prints the ticket, answers a receipt |

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use triage_policy::ticket::{ErrorBody, ErrorDetail, TicketPayload, TicketReceipt};
use triage_policy::{Policy, Tzdb};

use crate::failure::Failure;
use crate::hints::Problem;
use crate::load::parse_text;

/// `triage preview` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewOptions {
    pub policy: PathBuf,
    /// `127.0.0.1:PORT`; port 0 picks a free one.
    pub port: u16,
    /// The widget's files; found next to the working directory when not given.
    pub widget: Option<PathBuf>,
}

/// Where the widget's files are: `--widget`, `$TRIAGE_WIDGET_DIR`, `./package` (the unpacked npm
/// tarball), `./dist` (after `cargo xtask build`), or the repository's `dist/` this CLI was built from.
fn widget_dir(given: Option<&Path>) -> Result<PathBuf, Failure> {
    let candidates: Vec<PathBuf> = match given {
        Some(dir) => vec![dir.to_path_buf()],
        None => {
            let mut c: Vec<PathBuf> = std::env::var_os("TRIAGE_WIDGET_DIR").map(PathBuf::from).into_iter().collect();
            c.extend([PathBuf::from("package"), PathBuf::from("dist")]);
            c.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist"));
            c
        }
    };
    candidates.iter().find(|dir| dir.join("loader.js").is_file()).cloned().ok_or_else(|| {
        Failure::Argument(format!(
            "preview: no widget files (loader.js) in {}: pass --widget DIR, the unpacked npm package \
             (`tar xzf triage-widget-<version>.tgz` gives package/) or dist/ after `cargo xtask build`",
            candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
        ))
    })
}

struct Server {
    policy: PathBuf,
    widget: PathBuf,
    tickets: AtomicU64,
}

/// Serves until the process is stopped. Prints the URL first (`preview on http://…/`).
pub fn preview(options: &PreviewOptions) -> Result<(), Failure> {
    let widget = widget_dir(options.widget.as_deref())?;
    if !options.policy.is_file() {
        return Err(Failure::Policy(format!("cannot read policy file {}: not a file", options.policy.display())));
    }
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .map_err(|e| Failure::Argument(format!("preview: cannot listen on 127.0.0.1:{}: {e}", options.port)))?;
    let address = listener.local_addr().map_err(|e| Failure::Argument(format!("preview: {e}")))?;
    let server = Arc::new(Server { policy: options.policy.clone(), widget, tickets: AtomicU64::new(0) });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "preview on http://{address}/ ({}, widget from {}); edit the file and the page reloads; Ctrl-C stops",
        options.policy.display(),
        server.widget.display()
    );
    let _ = out.flush();
    drop(out);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let server = Arc::clone(&server);
        std::thread::spawn(move || {
            let _ = server.handle(stream);
        });
    }
    Ok(())
}

/// A response: status, content type, extra headers, body.
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self { status, content_type, body: body.into() }
    }

    fn json(status: u16, value: &impl serde::Serialize) -> Self {
        Self::new(status, "application/json", serde_json::to_vec(value).unwrap_or_default())
    }

    fn error(status: u16, code: &str, message: String, field: Option<&str>) -> Self {
        let body = ErrorBody { error: ErrorDetail { code: code.into(), message, field: field.map(str::to_string) } };
        Self::json(status, &body)
    }
}

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                   img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

impl Server {
    fn handle(&self, stream: TcpStream) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut request_line = String::new();
        reader.read_line(&mut request_line)?;
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("/").to_string());
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
            if headers.len() > 100 {
                break;
            }
        }
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let length: usize = header("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        let response = if length > 25 * 1024 * 1024 {
            Response::error(413, "too_large", "the request is larger than 25 MiB".into(), None)
        } else {
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
            let path = target.split('?').next().unwrap_or("/");
            self.route(&method, path, header("content-type").unwrap_or(""), &body)
        };
        let mut stream = stream;
        let reason = match response.status {
            200 => "OK",
            201 => "Created",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            413 => "Payload Too Large",
            415 => "Unsupported Media Type",
            _ => "Error",
        };
        write!(
            stream,
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
             Content-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            response.status,
            response.content_type,
            response.body.len()
        )?;
        stream.write_all(&response.body)?;
        stream.flush()
    }

    fn route(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> Response {
        match (method, path) {
            ("GET", "/") | ("GET", "/index.html") => Response::new(200, "text/html; charset=utf-8", self.page()),
            ("GET", "/policy.json") => match std::fs::read(&self.policy) {
                Ok(bytes) => Response::new(200, "application/json", bytes),
                Err(e) => {
                    Response::error(404, "unreadable", format!("cannot read {}: {e}", self.policy.display()), None)
                }
            },
            ("GET", "/__preview/version") => Response::new(200, "text/plain", self.version()),
            ("GET", "/preview.js") => Response::new(200, "text/javascript; charset=utf-8", PREVIEW_JS),
            ("GET", "/preview.css") => Response::new(200, "text/css; charset=utf-8", PREVIEW_CSS),
            ("GET", p) if p.starts_with("/widget/") => self.widget_file(&p["/widget/".len()..]),
            ("POST", "/api/tickets") => self.ticket(content_type, body),
            (_, "/api/tickets") => Response::error(405, "method_not_allowed", "POST a ticket here".into(), None),
            _ => Response::error(404, "not_found", format!("nothing at {path}"), None),
        }
    }

    /// A fingerprint of the policy file's bytes (or of its absence).
    fn version(&self) -> String {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::fs::read(&self.policy).map_err(|e| e.to_string()).hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    }

    fn page(&self) -> String {
        let version = self.version();
        let file = escape(&self.policy.display().to_string());
        let (status, body) = match std::fs::read_to_string(&self.policy) {
            Err(e) => (
                "unreadable".to_string(),
                format!("<p class=problem>cannot read {file}: {}</p>", escape(&e.to_string())),
            ),
            Ok(text) => match parse_text(&text) {
                Ok(policy) => ("valid".to_string(), self.widget_tag(&policy)),
                Err(problems) => ("invalid".to_string(), problems_html(&problems)),
            },
        };
        format!(
            "<!doctype html><html lang=\"en\" data-version=\"{version}\" data-status=\"{status}\"><head><meta charset=\"utf-8\">\
             <title>Preview: {file}</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/preview.css\">\
             <script src=\"/preview.js\" defer></script></head><body><header><h1>Preview of {file}</h1>\
             <p>This page reloads when the file changes. Tickets sent here go to the local endpoint and are printed in the terminal.</p>\
             </header><main>{body}</main></body></html>"
        )
    }

    fn widget_tag(&self, policy: &Policy) -> String {
        let plans: Vec<String> = policy
            .plans()
            .iter()
            .map(|p| {
                let example = if p.example_values { " (example values)" } else { "" };
                format!("<li><code>{}</code>{example}</li>", escape(&p.id))
            })
            .collect();
        format!(
            "<section id=\"status\" class=\"ok\"><h2>Policy {} version {}: valid</h2><p>Plans:</p><ul>{}</ul>\
             <p>Open the widget with the button in the corner.</p></section>\
             <script src=\"/widget/loader.js\" data-policy=\"/policy.json\" data-endpoint=\"/api/tickets\" \
             data-plan=\"{}\" data-locale=\"{}\" async></script>",
            escape(policy.id()),
            escape(policy.version()),
            plans.join(""),
            escape(&policy.default_plan().id),
            escape(policy.locales().first().map_or("en", String::as_str)),
        )
    }

    fn widget_file(&self, relative: &str) -> Response {
        let relative = Path::new(relative);
        if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Response::error(404, "not_found", "no such file".into(), None);
        }
        let path = self.widget.join(relative);
        let content_type = match path.extension().and_then(|e| e.to_str()) {
            Some("js") => "text/javascript; charset=utf-8",
            Some("wasm") => "application/wasm",
            Some("css") => "text/css; charset=utf-8",
            Some("json") => "application/json",
            _ => "application/octet-stream",
        };
        match std::fs::read(&path) {
            Ok(bytes) => Response::new(200, content_type, bytes),
            Err(_) => Response::error(404, "not_found", format!("no widget file {}", relative.display()), None),
        }
    }

    /// The local endpoint: the ticket checked against the policy as it is now.
    fn ticket(&self, content_type: &str, body: &[u8]) -> Response {
        let json = if content_type.starts_with("application/json") {
            body.to_vec()
        } else if content_type.starts_with("multipart/form-data") {
            match multipart_part(content_type, body, "ticket") {
                Some(part) => part,
                None => {
                    return Response::error(400, "malformed", "no `ticket` part in the multipart body".into(), None)
                }
            }
        } else {
            return Response::error(415, "unsupported_type", format!("content type {content_type:?}"), None);
        };
        let ticket: TicketPayload = match serde_json::from_slice(&json) {
            Ok(t) => t,
            Err(e) => return Response::error(400, "malformed", format!("the ticket is not valid: {e}"), None),
        };
        let policy = match std::fs::read_to_string(&self.policy)
            .map_err(|e| e.to_string())
            .and_then(|t| parse_text(&t).map_err(|p| format!("{} problems", p.len())))
        {
            Ok(p) => p,
            Err(e) => {
                return Response::error(
                    400,
                    "unknown_policy",
                    format!("the policy file is not valid now: {e}"),
                    Some("policy.id"),
                )
            }
        };
        let answers: BTreeMap<String, String> =
            ticket.answers.iter().map(|a| (a.question.clone(), a.answer.clone())).collect();
        let severity = match policy.classify(&answers) {
            Ok(c) => c.severity,
            Err(e) => return Response::error(400, "invalid_field", e.to_string(), Some("answers")),
        };
        let plan =
            if policy.plan(&ticket.plan).is_some() { ticket.plan.clone() } else { policy.default_plan().id.clone() };
        let due = match policy.due(&plan, &severity, ticket.channel.as_deref(), now(), &Tzdb) {
            Ok(d) => d.to_wire(),
            Err(e) => return Response::error(400, "invalid_field", e.to_string(), Some("plan")),
        };
        let number = self.tickets.fetch_add(1, Ordering::SeqCst) + 1;
        let reference = format!("PREVIEW-{number:04}");
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "ticket {reference}: {severity} (browser: {}), plan {plan}, \"{}\" from {} <{}>; first response due {}, resolution due {}",
            ticket.severity, ticket.subject, ticket.contact.name, ticket.contact.email, due.first_response.due, due.resolution.due
        );
        let receipt = TicketReceipt { id: format!("preview-{number}"), reference, severity, due, replayed: false };
        Response::json(201, &receipt)
    }
}

/// The system clock (chrono's `clock` feature is off in the workspace).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The body of the part named `name` of a multipart body.
fn multipart_part(content_type: &str, body: &[u8], name: &str) -> Option<Vec<u8>> {
    let boundary = content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut start = 0;
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
    };
    while let Some(at) = find(text, delimiter.as_bytes(), start) {
        let part_start = at + delimiter.len();
        let next = find(text, delimiter.as_bytes(), part_start)?;
        let part = &text[part_start..next];
        let header_end = find(part, b"\r\n\r\n", 0)?;
        let headers = String::from_utf8_lossy(&part[..header_end]);
        if headers.contains(&format!("name=\"{name}\"")) {
            let content = &part[header_end + 4..];
            return Some(content.strip_suffix(b"\r\n").unwrap_or(content).to_vec());
        }
        start = next;
    }
    None
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn problems_html(problems: &[Problem]) -> String {
    let items: Vec<String> = problems
        .iter()
        .map(|p| {
            let fix = p.fix.as_deref().map(|f| format!("<div class=fix>fix: {}</div>", escape(f))).unwrap_or_default();
            format!(
                "<li class=problem><code class=path>{}</code> <span class=message>{}</span>{fix}</li>",
                escape(&p.path),
                escape(&p.message)
            )
        })
        .collect();
    format!(
        "<section id=\"problems\" role=\"alert\"><h2>The policy is not valid: {} problem{}</h2><ol>{}</ol>\
         <p>Fix the file and save: this page reloads.</p></section>",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        items.join("")
    )
}

/// Reloads the page when the file's fingerprint changes (checked twice a second).
const PREVIEW_JS: &str = r#"(() => {
  const shown = document.documentElement.dataset.version;
  const check = () =>
    fetch("/__preview/version", { cache: "no-store" })
      .then((r) => r.text())
      .then((now) => (now !== shown ? location.reload() : setTimeout(check, 500)))
      .catch(() => setTimeout(check, 1000));
  setTimeout(check, 500);
})();
"#;

const PREVIEW_CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:48rem;padding:0 1rem;color:#111}\
code{background:#f3f4f6;padding:0 .25em;border-radius:4px}#problems{border:2px solid #b91c1c;border-radius:8px;padding:0 1rem}\
#problems h2{color:#b91c1c}.problem{margin:.5rem 0}.fix{color:#065f46}.ok{border:2px solid #047857;border-radius:8px;padding:0 1rem}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_ticket_part() {
        let body = b"--b1\r\nContent-Disposition: form-data; name=\"ticket\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--b1\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"x.png\"\r\n\r\nPNG\r\n--b1--\r\n";
        assert_eq!(multipart_part("multipart/form-data; boundary=b1", body, "ticket"), Some(b"{\"a\":1}".to_vec()));
        assert_eq!(multipart_part("multipart/form-data; boundary=b1", body, "other"), None);
    }

    #[test]
    fn problems_are_escaped_with_their_path_and_fix() {
        let html = problems_html(&[Problem {
            path: "$.plans[1].targets".into(),
            message: "missing severity \"<P4>\"".into(),
            fix: Some("add `plans[1].targets.P4`".into()),
        }]);
        assert!(html.contains("<code class=path>$.plans[1].targets</code>"));
        assert!(html.contains("&lt;P4&gt;"));
        assert!(html.contains("fix: add `plans[1].targets.P4`"));
    }
}
