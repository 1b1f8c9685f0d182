//! Retry rules for sending a ticket, as plain functions: which answers are worth another attempt,
//! how long to wait (capped exponential backoff with full jitter, or the server's `Retry-After`),
//! when the quick in-panel phase hands over to the background outbox, and the body format.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

/// Pacing of attempts: after the n-th failed attempt the wait is uniform in
/// `[0, min(cap, base · 2^(n-1))]` ("full jitter"), so many widgets that failed together do not
/// come back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Ceiling of the wait after the first failure.
    pub base: Duration,
    /// Largest ceiling, however many attempts failed.
    pub cap: Duration,
}

/// The schedule the widget uses: 1 s, 2 s, 4 s … capped at 2 minutes.
pub const BACKOFF: Backoff = Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(120) };

/// Attempts `submit` makes while the customer watches before it answers `Queued`.
pub const QUICK_ATTEMPTS: u32 = 3;

/// Time `submit` may spend on its quick attempts (waits included) before it answers `Queued`.
pub const QUICK_BUDGET: Duration = Duration::from_secs(10);

/// One attempt is aborted after this long and counts as a retryable failure.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// A `Retry-After` longer than this is shortened to it (a typo on the server must not park a
/// ticket for days; the idempotency key makes an early retry harmless).
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(60 * 60);

impl Backoff {
    /// Upper bound of the wait after `failed` failed attempts (`failed` ≥ 1; 0 is treated as 1).
    pub fn ceiling(&self, failed: u32) -> Duration {
        let doublings = failed.saturating_sub(1).min(31);
        self.base.checked_mul(1u32 << doublings).map_or(self.cap, |d| d.min(self.cap))
    }

    /// The full-jitter wait after `failed` failed attempts; `unit` is a random number in `[0, 1)`
    /// (values outside are clamped).
    pub fn delay(&self, failed: u32, unit: f64) -> Duration {
        let unit = if unit.is_finite() { unit.clamp(0.0, 1.0) } else { 0.0 };
        self.ceiling(failed).mul_f64(unit)
    }
}

/// What an HTTP status means for the outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// 2xx: stored by the endpoint; remove the entry.
    Delivered,
    /// 408, 429 and 5xx: try again later with the same idempotency key.
    Retry,
    /// Any other status: resending the same body will not succeed; tell the customer.
    Reject,
}

/// Classifies the status of an endpoint's answer.
pub fn classify_status(status: u16) -> StatusClass {
    match status {
        200..=299 => StatusClass::Delivered,
        408 | 429 | 500..=599 => StatusClass::Retry,
        _ => StatusClass::Reject,
    }
}

/// Parses a `Retry-After` header: delay seconds (`"120"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`, plus the obsolete RFC 850 and asctime forms), relative to
/// `now`. A date in the past means "now" (zero); anything unparseable is `None`. The result is at
/// most [`RETRY_AFTER_MAX`].
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let wait = if value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: a number of seconds; one too large to represent is simply "very long".
        value.parse::<u64>().map(Duration::from_secs).unwrap_or(RETRY_AFTER_MAX)
    } else {
        let at = parse_http_date(value)?;
        (at - now).to_std().unwrap_or(Duration::ZERO)
    };
    Some(wait.min(RETRY_AFTER_MAX))
}

/// An HTTP date in any of the three forms RFC 9110 says recipients must accept.
fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc2822(value) {
        return Some(at.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc())
}

/// How long to wait after the `failed`-th failed attempt: the jittered backoff, but never less
/// than what the server asked for with `Retry-After`.
pub fn wait_after_failure(backoff: &Backoff, failed: u32, unit: f64, retry_after: Option<Duration>) -> Duration {
    let jittered = backoff.delay(failed, unit);
    retry_after.map_or(jittered, |asked| asked.max(jittered))
}

/// Whether `submit` makes another quick attempt after `attempts_made` attempts, `elapsed` since
/// Send was pressed, when the next attempt would come after `next_wait`.
pub fn quick_phase_continues(attempts_made: u32, elapsed: Duration, next_wait: Duration) -> bool {
    attempts_made < QUICK_ATTEMPTS && elapsed.saturating_add(next_wait) <= QUICK_BUDGET
}

/// How the ticket travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// `application/json`: the ticket alone.
    Json,
    /// `multipart/form-data`: a `ticket` part holding the JSON, then one `attachments` part per file.
    Multipart,
}

/// JSON without attachments, multipart with them.
pub fn body_format(attachment_count: usize) -> BodyFormat {
    if attachment_count == 0 {
        BodyFormat::Json
    } else {
        BodyFormat::Multipart
    }
}

/// Formats 16 random bytes as a UUID version 4 (RFC 9562): the version nibble set to 4 and the
/// variant bits to `10`.
pub fn uuid_v4_from(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let b = Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(10) };
        let ceilings: Vec<u64> = (0..=6).map(|n| b.ceiling(n).as_secs()).collect();
        assert_eq!(ceilings, vec![1, 1, 2, 4, 8, 10, 10]);
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(10), "huge counts must not overflow");
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        assert_eq!(BACKOFF.delay(3, 0.0), Duration::ZERO);
        assert_eq!(BACKOFF.delay(3, 0.5), Duration::from_secs(2));
        assert_eq!(BACKOFF.delay(3, 1.0), Duration::from_secs(4));
        assert_eq!(BACKOFF.delay(3, 7.0), Duration::from_secs(4), "clamped");
        assert_eq!(BACKOFF.delay(3, -1.0), Duration::ZERO, "clamped");
        assert_eq!(BACKOFF.delay(3, f64::NAN), Duration::ZERO);
        assert_eq!(BACKOFF.delay(40, 1.0), Duration::from_secs(120), "capped at two minutes");
    }

    #[test]
    fn statuses_are_classified_per_the_retry_rules() {
        for status in [200, 201, 202, 204, 299] {
            assert_eq!(classify_status(status), StatusClass::Delivered, "{status}");
        }
        for status in [408, 429, 500, 502, 503, 504, 599] {
            assert_eq!(classify_status(status), StatusClass::Retry, "{status}");
        }
        for status in [0, 100, 301, 304, 400, 401, 403, 404, 409, 413, 415, 422, 499, 600] {
            assert_eq!(classify_status(status), StatusClass::Reject, "{status}");
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).single().expect("valid date")
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("120", now()), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now()), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("999999", now()), Some(RETRY_AFTER_MAX));
        assert_eq!(parse_retry_after("99999999999999999999999", now()), Some(RETRY_AFTER_MAX));
    }

    #[test]
    fn retry_after_http_dates_in_all_three_forms() {
        let minute = Some(Duration::from_secs(60));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now()), minute);
        assert_eq!(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", now()), minute);
        assert_eq!(parse_retry_after("Wed Oct 21 07:28:00 2015", now()), minute);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now()), Some(Duration::ZERO), "past");
    }

    #[test]
    fn retry_after_garbage_is_ignored() {
        for value in ["", "  ", "-5", "1.5", "soon", "Wed, 32 Oct 2015 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(value, now()), None, "{value:?}");
        }
    }

    #[test]
    fn retry_after_is_a_floor_under_the_jitter() {
        let asked = Some(Duration::from_secs(30));
        assert_eq!(wait_after_failure(&BACKOFF, 1, 0.5, asked), Duration::from_secs(30));
        assert_eq!(wait_after_failure(&BACKOFF, 8, 1.0, asked), Duration::from_secs(120));
        assert_eq!(wait_after_failure(&BACKOFF, 2, 0.5, None), Duration::from_secs(1));
    }

    #[test]
    fn quick_phase_stops_after_three_attempts_or_ten_seconds() {
        assert!(quick_phase_continues(1, Duration::ZERO, Duration::from_secs(1)));
        assert!(quick_phase_continues(2, Duration::from_secs(3), Duration::from_secs(2)));
        assert!(!quick_phase_continues(3, Duration::from_secs(1), Duration::ZERO));
        assert!(!quick_phase_continues(1, Duration::from_secs(9), Duration::from_secs(2)));
        assert!(!quick_phase_continues(1, Duration::ZERO, Duration::from_secs(60)), "long Retry-After");
    }

    #[test]
    fn multipart_only_with_attachments() {
        assert_eq!(body_format(0), BodyFormat::Json);
        assert_eq!(body_format(1), BodyFormat::Multipart);
        assert_eq!(body_format(5), BodyFormat::Multipart);
    }

    #[test]
    fn uuid_v4_sets_version_and_variant() {
        assert_eq!(uuid_v4_from([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4_from([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = uuid_v4_from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
        assert_eq!(id, "12345678-9abc-4ef0-9234-56789abcdef0");
    }
}
