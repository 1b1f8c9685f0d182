//! Attachment type checks: a file is accepted only when its declared MIME type is one the receiver
//! can verify (PNG, JPEG, GIF, WebP, PDF by their magic bytes; `text/plain` as UTF-8 without NUL
//! bytes, for logs), the policy allows it, and the content agrees.

/// The types the receiver can verify by their content.
pub const VERIFIABLE_TYPES: [&str; 6] =
    ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"];

/// `image/JPEG; name=x` → `image/jpeg`; `image/jpg` → `image/jpeg`.
pub fn normalize_mime(declared: &str) -> String {
    let essence = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "image/jpg" | "image/pjpeg" => String::from("image/jpeg"),
        _ => essence,
    }
}

/// The verifiable type the bytes are, judged by their signature.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        Some("text/plain")
    } else {
        None
    }
}

/// Why a file's type was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeProblem {
    /// The declared type is not one the policy and the receiver both accept.
    NotAllowed { declared: String, allowed: Vec<String> },
    /// The bytes are not what the declared type says.
    ContentMismatch { declared: String, actual: Option<&'static str> },
}

impl std::fmt::Display for TypeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAllowed { declared, allowed } => {
                write!(f, "type `{declared}` is not accepted; accepted types: {}", allowed.join(", "))
            }
            Self::ContentMismatch { declared, actual: Some(actual) } => {
                write!(f, "declared as `{declared}` but the content is `{actual}`")
            }
            Self::ContentMismatch { declared, actual: None } => {
                write!(f, "declared as `{declared}` but the content is not a {declared} file")
            }
        }
    }
}

/// The types accepted under a policy's list: its entries that the receiver can verify.
pub fn accepted_types(policy_types: &[String]) -> Vec<String> {
    let mut accepted: Vec<String> =
        policy_types.iter().map(|t| normalize_mime(t)).filter(|t| VERIFIABLE_TYPES.contains(&t.as_str())).collect();
    accepted.dedup();
    accepted
}

/// Checks one file: declared type allowed, and bytes matching it. Returns the normalized type.
pub fn check(declared: &str, bytes: &[u8], accepted: &[String]) -> Result<String, TypeProblem> {
    let declared = normalize_mime(declared);
    if !accepted.contains(&declared) {
        return Err(TypeProblem::NotAllowed { declared, allowed: accepted.to_vec() });
    }
    match sniff(bytes) {
        Some(actual) if actual == declared => Ok(declared),
        actual => Err(TypeProblem::ContentMismatch { declared, actual }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    fn all() -> Vec<String> {
        accepted_types(&VERIFIABLE_TYPES.map(String::from))
    }

    #[test]
    fn each_verifiable_type_is_recognised() {
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a...."), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"2026-11-23 ERROR timeout\n"), Some("text/plain"));
        assert_eq!(sniff("registro: ação\n".as_bytes()), Some("text/plain"));
        assert_eq!(sniff(b"MZ\x90\0\x03"), None);
        assert_eq!(sniff(&[0xC3, 0x28]), None, "invalid UTF-8 is not text");
    }

    #[test]
    fn declared_type_must_be_accepted_and_match_the_bytes() {
        assert_eq!(check("image/png", PNG, &all()), Ok("image/png".into()));
        assert_eq!(check("IMAGE/PNG; x=y", PNG, &all()), Ok("image/png".into()));
        assert!(matches!(check("image/jpeg", PNG, &all()), Err(TypeProblem::ContentMismatch { .. })));
        assert!(matches!(check("image/svg+xml", b"<svg/>", &all()), Err(TypeProblem::NotAllowed { .. })));
        assert!(matches!(check("text/plain", PNG, &all()), Err(TypeProblem::ContentMismatch { .. })));
        assert!(matches!(check("image/png", b"just text", &all()), Err(TypeProblem::ContentMismatch { .. })));
        assert!(matches!(
            check("application/pdf", b"MZ\x90\0", &all()),
            Err(TypeProblem::ContentMismatch { actual: None, .. })
        ));
    }

    #[test]
    fn policy_narrows_and_unverifiable_types_are_dropped() {
        let accepted = accepted_types(&["image/png".into(), "text/csv".into(), "image/jpg".into()]);
        assert_eq!(accepted, vec!["image/png".to_string(), "image/jpeg".to_string()]);
        assert!(matches!(check("application/pdf", b"%PDF-1.4", &accepted), Err(TypeProblem::NotAllowed { .. })));
    }
}
