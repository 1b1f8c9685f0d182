//! Retry rules for sending a ticket, as plain functions: which answers are worth another attempt,
//! how long to wait (capped exponential backoff with full jitter, or the server's `Retry-After`),
//! when the quick in-panel phase hands over to the background outbox, and the body format.

use std::time::Duration;

use chrono::{DateTime, Utc};

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

/// An HTTP date in any of the three forms RFC 9110 says recipients must accept: IMF-fixdate
/// `Sun, 06 Nov 1994 08:49:37 GMT` (also with a numeric offset or without the weekday), RFC 850
/// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`. Hand-written: chrono's
/// format parser would add about 11 KB (gzip) to the widget. A weekday that contradicts the date is
/// an error, as in chrono.
fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let (weekday, rest) = match value.split_once(',') {
        Some((weekday, rest)) => (Some(weekday.trim()), rest),
        None if value.starts_with(|c: char| c.is_ascii_digit()) => (None, value),
        None => return parse_asctime(value),
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let (date, clock, zone) = match fields.as_slice() {
        // RFC 850: `06-Nov-94 08:49:37 GMT`.
        [date, clock, zone] => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || year.len() != 2 {
                return None;
            }
            let short = number(year)?;
            let year = if short < 70 { 2000 + short } else { 1900 + short };
            (calendar_date(number(day)?, month, year)?, *clock, *zone)
        }
        // IMF-fixdate: `06 Nov 1994 08:49:37 GMT`.
        [day, month, year, clock, zone] if year.len() == 4 => {
            (calendar_date(number(day)?, month, number(year)?)?, *clock, *zone)
        }
        _ => return None,
    };
    let at = date.and_time(clock_time(clock)?).and_utc() - chrono::TimeDelta::seconds(zone_offset(zone)?);
    weekday_matches(weekday, &at.date_naive()).then_some(at)
}

/// asctime: `Sun Nov  6 08:49:37 1994`, always in UTC.
fn parse_asctime(value: &str) -> Option<DateTime<Utc>> {
    let [weekday, month, day, clock, year] = value.split_whitespace().collect::<Vec<_>>()[..] else {
        return None;
    };
    if year.len() != 4 {
        return None;
    }
    let date = calendar_date(number(day)?, month, number(year)?)?;
    let at = date.and_time(clock_time(clock)?).and_utc();
    weekday_matches(Some(weekday), &date).then_some(at)
}

/// A run of 1–4 ASCII digits.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn calendar_date(day: u32, month: &str, year: u32) -> Option<chrono::NaiveDate> {
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))?;
    chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month as u32 + 1, day)
}

/// `HH:MM:SS`; a leap second (`:60`) is kept as chrono's leap-second representation.
fn clock_time(text: &str) -> Option<chrono::NaiveTime> {
    let mut parts = text.split(':');
    let (hours, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || [hours, minutes, seconds].iter().any(|p| p.len() != 2) {
        return None;
    }
    let (hours, minutes, seconds) = (number(hours)?, number(minutes)?, number(seconds)?);
    match seconds {
        60 => chrono::NaiveTime::from_hms_milli_opt(hours, minutes, 59, 1_000),
        _ => chrono::NaiveTime::from_hms_opt(hours, minutes, seconds),
    }
}

/// Seconds east of UTC: `GMT`, `UT`, `UTC` or `±hhmm`.
fn zone_offset(zone: &str) -> Option<i64> {
    if ["GMT", "UT", "UTC"].iter().any(|z| z.eq_ignore_ascii_case(zone)) {
        return Some(0);
    }
    let (sign, digits) = match zone.split_at_checked(1)? {
        ("+", digits) => (1, digits),
        ("-", digits) => (-1, digits),
        _ => return None,
    };
    if digits.len() != 4 {
        return None;
    }
    let (hours, minutes) = (i64::from(number(&digits[..2])?), i64::from(number(&digits[2..])?));
    (minutes < 60).then_some(sign * (hours * 3_600 + minutes * 60))
}

/// A missing weekday matches; a given one (full or three-letter name) must be the date's.
fn weekday_matches(weekday: Option<&str>, date: &chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    let Some(weekday) = weekday else {
        return true;
    };
    let full = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
    weekday.eq_ignore_ascii_case(full) || weekday.eq_ignore_ascii_case(&full[..3])
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
    fn http_dates_parse_to_the_instant() {
        let at = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single();
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), at(1994, 11, 6, 8, 49, 37));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), at(1994, 11, 6, 8, 49, 37));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), at(1994, 11, 6, 8, 49, 37));
        assert_eq!(parse_http_date("Thursday, 01-Jan-26 00:00:00 GMT"), at(2026, 1, 1, 0, 0, 0), "two-digit years below 70 are 20xx");
        assert_eq!(parse_http_date("06 Nov 1994 08:49:37 GMT"), at(1994, 11, 6, 8, 49, 37), "weekday optional");
        assert_eq!(parse_http_date("sun, 06 NOV 1994 08:49:37 gmt"), at(1994, 11, 6, 8, 49, 37), "any case");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 10:49:37 +0200"), at(1994, 11, 6, 8, 49, 37), "numeric offset");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 05:49:37 -0300"), at(1994, 11, 6, 8, 49, 37), "numeric offset");
        assert_eq!(
            parse_http_date("Wed, 31 Dec 2025 23:59:60 GMT").map(|d| d.timestamp()),
            at(2025, 12, 31, 23, 59, 59).map(|d| d.timestamp()),
            "a leap second (:60) is accepted and counts as :59"
        );
    }

    #[test]
    fn malformed_http_dates_are_rejected() {
        for value in [
            "Mon, 06 Nov 1994 08:49:37 GMT",   // weekday contradicts the date
            "Sun, 06 Nov 94 08:49:37 GMT",     // IMF needs a four-digit year
            "Sun, 06 Foo 1994 08:49:37 GMT",   // month
            "Sun, 31 Nov 1994 08:49:37 GMT",   // no such day
            "Sun, 06 Nov 1994 24:00:00 GMT",   // hour
            "Sun, 06 Nov 1994 08:49 GMT",      // seconds missing
            "Sun, 06 Nov 1994 08:49:37 CET",   // zone
            "Sun, 06 Nov 1994 08:49:37 +02",   // short offset
            "Sun, 06 Nov 1994 08:49:37",       // zone missing
            "Sunday, 06-Nov-1994 08:49:37 GMT", // RFC 850 has a two-digit year
            "Sun Nov  6 08:49:37 94",          // asctime has a four-digit year
            "Sun Nov  6 08:49:37 1994 extra",
            "Sun, +6 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(value), None, "{value:?}");
        }
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
