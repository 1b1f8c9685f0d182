//! `triage preview` over HTTP: the page embeds the widget for a valid policy and lists the
//! problems (JSON path, fix) of a broken one; the version the page polls changes with the file;
//! the local endpoint recomputes severity and due times. (The reload in a real browser, with the
//! real widget, is `tests/e2e/preview.spec.ts`.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct Preview {
    child: Child,
    address: String,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(policy: &Path, widget: &Path) -> Preview {
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["preview", policy.to_str().expect("UTF-8"), "--port", "0", "--widget", widget.to_str().expect("UTF-8")])
        .stdout(Stdio::piped())
        .spawn()
        .expect("triage preview starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout")).read_line(&mut line).expect("first line");
    let address = line
        .strip_prefix("preview on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    Preview { child, address }
}

/// (status, body) of one request.
fn http(address: &str, method: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status");
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("triage-preview-tests").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("widget")).expect("create temp dir");
    std::fs::write(dir.join("widget/loader.js"), "/* the widget's loader */").expect("write loader");
    dir
}

fn seed() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/policies/priority-p1-p4.json"))
        .expect("seed policy")
}

#[test]
fn preview_shows_the_widget_or_the_problems_and_follows_the_file() {
    let dir = temp_dir("follows");
    let policy = dir.join("mine.json");
    std::fs::write(&policy, seed()).expect("write policy");
    let preview = start(&policy, &dir.join("widget"));
    let a = preview.address.as_str();

    let (status, page) = http(a, "GET", "/", "text/plain", "");
    assert_eq!(status, 200);
    assert!(page.contains("data-status=\"valid\""), "{page}");
    assert!(
        page.contains("<script src=\"/widget/loader.js\" data-policy=\"/policy.json\" data-endpoint=\"/api/tickets\"")
    );
    assert!(page.contains("data-plan=\"business-plus\""));
    assert_eq!(http(a, "GET", "/widget/loader.js", "text/plain", "").1, "/* the widget's loader */");
    assert_eq!(http(a, "GET", "/widget/../mine.json", "text/plain", "").0, 404, "nothing outside the widget folder");
    assert_eq!(http(a, "GET", "/policy.json", "text/plain", "").1, seed());
    let (_, before) = http(a, "GET", "/__preview/version", "text/plain", "");

    // A broken edit: the page lists the problem with its path and fix, and the version changed.
    let mut broken: serde_json::Value = serde_json::from_str(&seed()).expect("JSON");
    broken["plans"][1]["targets"].as_object_mut().expect("targets").remove("P4");
    std::fs::write(&policy, serde_json::to_string_pretty(&broken).expect("JSON")).expect("write");
    let (_, after) = http(a, "GET", "/__preview/version", "text/plain", "");
    assert_ne!(before, after, "the page polls this to reload");
    let (_, page) = http(a, "GET", "/", "text/plain", "");
    assert!(page.contains("data-status=\"invalid\""), "{page}");
    assert!(page.contains("<code class=path>$.plans[1].targets</code>"), "{page}");
    assert!(page.contains("fix: add `plans[1].targets.P4`"), "{page}");
    assert!(!page.contains("/widget/loader.js"), "no widget on a broken policy");
}

#[test]
fn the_local_endpoint_recomputes_and_answers_a_receipt() {
    let dir = temp_dir("endpoint");
    let policy = dir.join("mine.json");
    std::fs::write(&policy, seed()).expect("write policy");
    let preview = start(&policy, &dir.join("widget"));
    let a = preview.address.as_str();
    let ticket = serde_json::json!({
        "policy": { "id": "priority-p1-p4", "version": "x" },
        "plan": "business-plus",
        "severity": "P4",
        "answers": [
            { "question": "situation", "answer": "not_working" },
            { "question": "impact", "answer": "stopped" },
            { "question": "workaround_critical", "answer": "none" }
        ],
        "reasons": [],
        "due": { "first_response": { "due": "2026-12-03T10:00:00-03:00" }, "resolution": { "due": "2026-12-03T12:00:00-03:00" } },
        "contact": { "name": "Ana", "email": "ana@example.com" },
        "subject": "Painel fora do ar",
        "description": "Nada abre.",
        "page_url": "http://127.0.0.1/",
        "locale": "pt-BR",
        "time_zone": "America/Sao_Paulo",
        "created_at": "2026-12-03T10:00:00-03:00"
    });
    let (status, body) = http(a, "POST", "/api/tickets", "application/json", &ticket.to_string());
    assert_eq!(status, 201, "{body}");
    let receipt: serde_json::Value = serde_json::from_str(&body).expect("JSON receipt");
    assert_eq!(receipt["reference"], "PREVIEW-0001");
    assert_eq!(receipt["severity"], "P1", "recomputed from the answers, not the browser's P4");
    assert!(receipt["due"]["first_response"]["due"].as_str().is_some_and(|d| d.ends_with("-03:00")));

    let (status, body) = http(a, "POST", "/api/tickets", "application/json", "{\"policy\":1}");
    assert_eq!(status, 400);
    assert!(body.contains("\"code\":\"malformed\""), "{body}");
    let (status, _) = http(a, "POST", "/api/tickets", "text/plain", "x");
    assert_eq!(status, 415);
}
