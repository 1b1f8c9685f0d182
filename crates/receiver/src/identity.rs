//! Signed identities: the site owner's backend vouches for a customer's plan with an HMAC-SHA256
//! over `"{user_id}\n{plan}\n{expires}"` (hex, lowercase or uppercase), `expires` in Unix seconds.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use triage_policy::ticket::Identity;

type HmacSha256 = Hmac<Sha256>;

/// Why a signed identity was not believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityProblem {
    /// The ticket carries no identity.
    Missing,
    /// The signature is not hex or does not match.
    BadSignature,
    /// The signature is right but `expires` has passed.
    Expired,
    /// Signed correctly, but the plan does not exist in the policy.
    UnknownPlan,
}

impl IdentityProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::UnknownPlan => "unknown_plan",
        }
    }
}

/// The message that is signed.
pub fn signed_message(user_id: &str, plan: &str, expires: i64) -> String {
    format!("{user_id}\n{plan}\n{expires}")
}

/// Hex HMAC-SHA256 of the identity message with `secret` (what a site owner's backend computes).
pub fn sign(secret: &[u8], user_id: &str, plan: &str, expires: i64) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(signed_message(user_id, plan, expires).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks the signature (in constant time) and then the expiry against `now`.
/// A newline inside `user_id` or `plan` would make the signed message ambiguous: refused.
pub fn verify(secret: &[u8], identity: &Identity, now: DateTime<Utc>) -> Result<(), IdentityProblem> {
    if identity.user_id.contains('\n') || identity.plan.contains('\n') {
        return Err(IdentityProblem::BadSignature);
    }
    let Ok(signature) = hex::decode(identity.signature.trim()) else {
        return Err(IdentityProblem::BadSignature);
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
        return Err(IdentityProblem::BadSignature);
    };
    mac.update(signed_message(&identity.user_id, &identity.plan, identity.expires).as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&signature).map_err(|_| IdentityProblem::BadSignature)?;
    if identity.expires <= now.timestamp() {
        return Err(IdentityProblem::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn identity(signature: String, expires: i64) -> Identity {
        Identity { user_id: "u-17".into(), plan: "business-plus".into(), expires, signature }
    }

    #[test]
    fn known_vector_matches_openssl_and_node() {
        // printf 'u-17\nbusiness-plus\n1893456000' | openssl dgst -sha256 -hmac s3cret
        assert_eq!(
            sign(b"s3cret", "u-17", "business-plus", 1_893_456_000),
            "a87dced8dd805a1b6ca37a0662b48f5ea9765dcfc4de61481021b5a7df34f712"
        );
    }

    #[test]
    fn valid_signature_before_expiry_is_believed() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let expires = now.timestamp() + 600;
        let id = identity(sign(b"k", "u-17", "business-plus", expires), expires);
        assert_eq!(verify(b"k", &id, now), Ok(()));
        let upper = identity(id.signature.to_uppercase(), expires);
        assert_eq!(verify(b"k", &upper, now), Ok(()));
    }

    #[test]
    fn wrong_key_tampered_plan_and_garbage_are_bad_signatures() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let expires = now.timestamp() + 600;
        let signature = sign(b"k", "u-17", "business-plus", expires);
        assert_eq!(verify(b"other", &identity(signature.clone(), expires), now), Err(IdentityProblem::BadSignature));
        let mut tampered = identity(signature, expires);
        tampered.plan = "pro".into();
        assert_eq!(verify(b"k", &tampered, now), Err(IdentityProblem::BadSignature));
        assert_eq!(verify(b"k", &identity("zz".into(), expires), now), Err(IdentityProblem::BadSignature));
        assert_eq!(verify(b"k", &identity(String::new(), expires), now), Err(IdentityProblem::BadSignature));
    }

    #[test]
    fn newlines_cannot_shift_fields() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let expires = now.timestamp() + 600;
        // Signed for user "a", plan "b\nc": the same message as user "a\nb", plan "c".
        let signature = sign(b"k", "a", "b\nc", expires);
        let shifted = Identity { user_id: "a\nb".into(), plan: "c".into(), expires, signature };
        assert_eq!(verify(b"k", &shifted, now), Err(IdentityProblem::BadSignature));
    }

    #[test]
    fn expired_identity_is_refused_even_when_signed() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let expires = now.timestamp();
        let id = identity(sign(b"k", "u-17", "business-plus", expires), expires);
        assert_eq!(verify(b"k", &id, now), Err(IdentityProblem::Expired));
    }
}
