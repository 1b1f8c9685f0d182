//! Reading a ticket request: the `Idempotency-Key`, the client IP, the body as JSON or multipart
//! (ticket part + files) within the size limits, and the request fingerprint for idempotency.
//!
//! The fingerprint does not hash raw bytes (a multipart boundary changes on every retry): it is
//! SHA-256 over the ticket JSON in canonical form (object keys sorted, no whitespace) followed, per
//! file and in order, by its name, declared type and the SHA-256 of its bytes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::body::Bytes;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{ConnectInfo, FromRequest, Multipart, Request};
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use triage_policy::ticket::TicketPayload;

use crate::error::ApiError;
use crate::sniff::normalize_mime;

/// More parts than this are refused before any policy is consulted.
pub const MAX_FILE_PARTS: usize = 50;

/// One uploaded file part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedFile {
    /// Form field name of the part.
    pub part: String,
    /// File name from the part's `Content-Disposition`, if any.
    pub file_name: Option<String>,
    /// Declared `Content-Type` of the part (normalized), if any.
    pub declared_type: Option<String>,
    pub data: Bytes,
}

/// The request body split into the ticket JSON and the files.
#[derive(Debug, Clone)]
pub struct ReceivedBody {
    pub ticket: Value,
    pub files: Vec<ReceivedFile>,
}

/// Limits applied while reading.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    pub max_ticket_bytes: usize,
    pub max_body_bytes: usize,
    pub max_attachment_bytes: u64,
}

/// The client's IP: the socket peer, or the last `X-Forwarded-For` entry when trusted.
pub fn client_ip(request: &Request, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for {
        let forwarded = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
            .next_back();
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The `Idempotency-Key` header: required, a UUID (any version), returned in lowercase hyphenated form.
pub fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let field = "Idempotency-Key";
    let raw = headers.get("idempotency-key").ok_or_else(|| {
        ApiError::missing(field, "the Idempotency-Key header is required (a UUID, the same on every retry)")
    })?;
    let text = raw.to_str().map_err(|_| ApiError::invalid(field, "the Idempotency-Key header must be a UUID"))?.trim();
    let uuid = uuid::Uuid::try_parse(text)
        .map_err(|_| ApiError::invalid(field, format!("the Idempotency-Key header must be a UUID, got `{text}`")))?;
    Ok(uuid.hyphenated().to_string())
}

enum BodyKind {
    Json,
    Multipart,
}

fn body_kind(headers: &HeaderMap) -> Result<BodyKind, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = normalize_mime(content_type);
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(BodyKind::Json)
    } else if essence == "multipart/form-data" {
        Ok(BodyKind::Multipart)
    } else {
        let shown = if content_type.is_empty() { "none" } else { content_type };
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the ticket as application/json or multipart/form-data (Content-Type was {shown})"),
        ))
    }
}

fn parse_ticket_json(bytes: &[u8], field: Option<&str>) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let error = ApiError::malformed(format!("the ticket is not valid JSON: {e}"));
        match field {
            Some(field) => error.at(field),
            None => error,
        }
    })
}

/// Reads the body as JSON or multipart within the limits.
pub async fn read_body(request: Request, limits: ReadLimits) -> Result<ReceivedBody, ApiError> {
    match body_kind(request.headers())? {
        BodyKind::Json => {
            let too_large =
                || ApiError::too_large(format!("the ticket JSON is larger than {} bytes", limits.max_ticket_bytes));
            let declared_length = request
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared_length.is_some_and(|length| length > limits.max_ticket_bytes as u64) {
                return Err(too_large());
            }
            let bytes = axum::body::to_bytes(request.into_body(), limits.max_ticket_bytes).await.map_err(|error| {
                let inner = error.into_inner();
                if inner.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                    too_large()
                } else {
                    ApiError::malformed(format!("cannot read the request body: {inner}"))
                }
            })?;
            Ok(ReceivedBody { ticket: parse_ticket_json(&bytes, None)?, files: Vec::new() })
        }
        BodyKind::Multipart => read_multipart(request, limits).await,
    }
}

fn multipart_error(error: MultipartError, limits: ReadLimits) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large(format!("the request body is larger than {} bytes", limits.max_body_bytes))
    } else {
        ApiError::malformed(format!("malformed multipart body: {}", error.body_text()))
    }
}

/// Reads a part up to `max` bytes; `Err(None)` when it is larger.
async fn read_part(field: &mut Field<'_>, max: u64, limits: ReadLimits) -> Result<Result<Bytes, ()>, ApiError> {
    let mut data: Vec<u8> = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, limits))? {
        if (data.len() + chunk.len()) as u64 > max {
            return Ok(Err(()));
        }
        data.extend_from_slice(&chunk);
    }
    Ok(Ok(Bytes::from(data)))
}

async fn read_multipart(request: Request, limits: ReadLimits) -> Result<ReceivedBody, ApiError> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| ApiError::malformed(format!("malformed multipart body: {}", rejection.body_text())))?;
    let mut ticket: Option<Value> = None;
    let mut files: Vec<ReceivedFile> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(|e| multipart_error(e, limits))? {
        let part = field.name().unwrap_or_default().to_string();
        if part == "ticket" {
            if ticket.is_some() {
                return Err(ApiError::malformed("the multipart body has two `ticket` parts").at("ticket"));
            }
            let bytes = read_part(&mut field, limits.max_ticket_bytes as u64, limits).await?.map_err(|()| {
                ApiError::too_large(format!("the ticket JSON is larger than {} bytes", limits.max_ticket_bytes))
                    .at("ticket")
            })?;
            ticket = Some(parse_ticket_json(&bytes, Some("ticket"))?);
            continue;
        }
        let index = files.len();
        let at = format!("attachments[{index}]");
        if index >= MAX_FILE_PARTS {
            return Err(
                ApiError::too_large(format!("more than {MAX_FILE_PARTS} files in one ticket")).at("attachments")
            );
        }
        let file_name = field.file_name().map(str::to_string);
        let declared_type = field.content_type().map(normalize_mime);
        let data = read_part(&mut field, limits.max_attachment_bytes, limits).await?.map_err(|()| {
            let name = file_name.as_deref().unwrap_or(&part);
            ApiError::too_large(format!("file `{name}` is larger than {} bytes", limits.max_attachment_bytes))
                .at(at.clone())
        })?;
        files.push(ReceivedFile { part, file_name, declared_type, data });
    }
    let ticket = ticket.ok_or_else(|| {
        ApiError::missing("ticket", "the multipart body has no `ticket` part holding the ticket JSON")
    })?;
    Ok(ReceivedBody { ticket, files })
}

/// Deserializes the ticket, naming the field at fault (`contact.email`, `answers[2].answer`).
pub fn typed_ticket(value: Value) -> Result<TicketPayload, ApiError> {
    if !value.is_object() {
        return Err(ApiError::malformed("the ticket must be a JSON object"));
    }
    serde_path_to_error::deserialize::<_, TicketPayload>(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner().to_string();
        let mut field = if path == "." { String::new() } else { path };
        // `missing field `email`` is reported at the parent: name the child.
        if let Some(name) = inner.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()) {
            field = if field.is_empty() { name.to_string() } else { format!("{field}.{name}") };
        }
        let error = if inner.starts_with("missing field") {
            ApiError::missing(field.clone(), format!("`{field}` is required"))
        } else {
            let shown = if field.is_empty() { "the ticket" } else { field.as_str() };
            ApiError::invalid(field.clone(), format!("{shown}: {inner}"))
        };
        if field.is_empty() {
            ApiError { field: None, ..error }
        } else {
            error
        }
    })
}

/// Writes `value` with object keys sorted and no whitespace.
pub fn canonical_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical_json(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The request fingerprint (see the module docs) and the canonical ticket JSON.
pub fn fingerprint(body: &ReceivedBody) -> (String, String) {
    let mut canonical = String::new();
    canonical_json(&body.ticket, &mut canonical);
    let mut hasher = Sha256::new();
    hasher.update(b"ticket\n");
    hasher.update(canonical.as_bytes());
    for file in &body.files {
        hasher.update(b"\nfile\n");
        hasher.update(file.part.as_bytes());
        hasher.update(b"\n");
        hasher.update(file.file_name.as_deref().unwrap_or_default().as_bytes());
        hasher.update(b"\n");
        hasher.update(file.declared_type.as_deref().unwrap_or_default().as_bytes());
        hasher.update(b"\n");
        hasher.update(sha256_hex(&file.data).as_bytes());
    }
    (hex::encode(hasher.finalize()), canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    #[test]
    fn canonical_form_ignores_key_order_and_spacing() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "é"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"é","y":[1,2]},"b":1}"#).unwrap();
        let (mut ca, mut cb) = (String::new(), String::new());
        canonical_json(&a, &mut ca);
        canonical_json(&b, &mut cb);
        assert_eq!(ca, cb);
        assert_eq!(ca, r#"{"a":{"x":"é","y":[1,2]},"b":1}"#);
    }

    #[test]
    fn fingerprint_changes_with_any_file_byte() {
        let file = |data: &'static [u8]| ReceivedFile {
            part: "file".into(),
            file_name: Some("a.png".into()),
            declared_type: Some("image/png".into()),
            data: Bytes::from_static(data),
        };
        let one = ReceivedBody { ticket: json!({"a": 1}), files: vec![file(b"x")] };
        let same = ReceivedBody { ticket: json!({"a": 1}), files: vec![file(b"x")] };
        let other = ReceivedBody { ticket: json!({"a": 1}), files: vec![file(b"y")] };
        let bare = ReceivedBody { ticket: json!({"a": 1}), files: vec![] };
        assert_eq!(fingerprint(&one).0, fingerprint(&same).0);
        assert_ne!(fingerprint(&one).0, fingerprint(&other).0);
        assert_ne!(fingerprint(&one).0, fingerprint(&bare).0);
    }

    #[test]
    fn idempotency_key_must_be_a_uuid() {
        let mut headers = HeaderMap::new();
        assert_eq!(idempotency_key(&headers).unwrap_err().code, "missing_field");
        headers.insert("idempotency-key", HeaderValue::from_static("not-a-uuid"));
        let error = idempotency_key(&headers).unwrap_err();
        assert_eq!((error.status, error.field.as_deref()), (StatusCode::BAD_REQUEST, Some("Idempotency-Key")));
        headers.insert("idempotency-key", HeaderValue::from_static("8F14E45F-CEEA-4E7A-9B1B-2C3D4E5F6A7B"));
        assert_eq!(idempotency_key(&headers).unwrap(), "8f14e45f-ceea-4e7a-9b1b-2c3d4e5f6a7b");
    }

    #[test]
    fn typed_ticket_names_missing_and_wrong_fields() {
        let error = typed_ticket(json!({"policy": {"id": "p"}})).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("policy.version"));
        assert_eq!(error.code, "missing_field");
        let error = typed_ticket(json!({"policy": {"id": 3, "version": "1"}})).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("policy.id"));
        assert_eq!(error.code, "invalid_field");
        let error = typed_ticket(json!({"policy": {"id": "p", "version": "1", "x": 1}})).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("policy.x"));
        let error = typed_ticket(json!([1])).unwrap_err();
        assert_eq!((error.code, error.field), ("malformed", None));
    }

    #[test]
    fn forwarded_for_is_used_only_when_trusted() {
        let mut request = Request::new(axum::body::Body::empty());
        request.headers_mut().insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 198.51.100.7"));
        request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5000))));
        assert_eq!(client_ip(&request, false), IpAddr::from([10, 0, 0, 1]));
        assert_eq!(client_ip(&request, true), IpAddr::from([198, 51, 100, 7]));
    }
}
