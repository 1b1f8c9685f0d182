//! Time zones behind a trait: offsets come from a [`ZoneResolver`] (chrono-tz natively, the
//! browser's `Intl` in the widget), and local wall-clock times are resolved to instants generically
//! from `offset_at`, so no zone math depends on a bundled tz database.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, Utc};

/// Source of UTC offsets for IANA time zones.
pub trait ZoneResolver {
    /// Offset from UTC of the IANA `zone` at the instant `utc`. Err when the zone is unknown.
    fn offset_at(&self, zone: &str, utc: DateTime<Utc>) -> Result<FixedOffset, ZoneError>;
}

impl<T: ZoneResolver + ?Sized> ZoneResolver for &T {
    fn offset_at(&self, zone: &str, utc: DateTime<Utc>) -> Result<FixedOffset, ZoneError> {
        (**self).offset_at(zone, utc)
    }
}

/// A time zone could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    /// The zone as given, e.g. `America/Sao_Paulo`.
    pub zone: String,
    /// What went wrong, e.g. "unknown IANA time zone".
    pub message: String,
}

impl ZoneError {
    /// The zone is not an IANA time zone the resolver knows.
    pub fn unknown(zone: &str) -> Self {
        Self { zone: zone.to_string(), message: "unknown IANA time zone".to_string() }
    }

    /// Any other failure of the resolver.
    pub fn new(zone: &str, message: impl Into<String>) -> Self {
        Self { zone: zone.to_string(), message: message.into() }
    }
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "time zone \"{}\": {}", self.zone, self.message)
    }
}

impl std::error::Error for ZoneError {}

/// IANA time zones from the chrono-tz database (receiver and CLI; too big for the widget).
#[cfg(feature = "tzdb")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tzdb;

#[cfg(feature = "tzdb")]
impl ZoneResolver for Tzdb {
    fn offset_at(&self, zone: &str, utc: DateTime<Utc>) -> Result<FixedOffset, ZoneError> {
        use chrono::{Offset, TimeZone};
        let tz: chrono_tz::Tz = zone.parse().map_err(|_| ZoneError::unknown(zone))?;
        Ok(tz.offset_from_utc_datetime(&utc.naive_utc()).fix())
    }
}

/// Why a local time could not be turned into an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LocalError {
    Zone(ZoneError),
    /// The date arithmetic left chrono's supported range.
    OutOfRange,
}

impl From<ZoneError> for LocalError {
    fn from(e: ZoneError) -> Self {
        LocalError::Zone(e)
    }
}

/// The wall-clock time in `zone` at the instant `utc`.
pub(crate) fn to_local(zones: &dyn ZoneResolver, zone: &str, utc: DateTime<Utc>) -> Result<NaiveDateTime, LocalError> {
    let offset = zones.offset_at(zone, utc)?;
    utc.naive_utc()
        .checked_add_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
        .ok_or(LocalError::OutOfRange)
}

/// The instant at which the wall clock in `zone` reads `local`.
///
/// - Ambiguous local times (the hour repeated when clocks go back) resolve to the first occurrence.
/// - Local times in a gap (the hour skipped when clocks go forward) resolve to the first instant
///   after the gap, e.g. 02:30 on a New York spring-forward day is 03:00 EDT (07:00 UTC).
///
/// Works from `offset_at` alone: it probes the offsets two days either side (no zone changes its
/// offset twice within four days) and checks which candidate instants really show `local`.
pub(crate) fn resolve_local(
    zones: &dyn ZoneResolver,
    zone: &str,
    local: NaiveDateTime,
) -> Result<DateTime<Utc>, LocalError> {
    resolve_local_exact(zones, zone, local).map(|(utc, _)| utc)
}

/// [`resolve_local`], also telling whether the wall clock really reads `local` at the instant
/// returned (false for a time in a gap, moved to the end of the gap).
pub(crate) fn resolve_local_exact(
    zones: &dyn ZoneResolver,
    zone: &str,
    local: NaiveDateTime,
) -> Result<(DateTime<Utc>, bool), LocalError> {
    let probe = |naive: NaiveDateTime| zones.offset_at(zone, naive.and_utc());
    let shift = |naive: NaiveDateTime, delta: TimeDelta| naive.checked_add_signed(delta).ok_or(LocalError::OutOfRange);
    let candidate = |offset: FixedOffset| shift(local, TimeDelta::seconds(-i64::from(offset.local_minus_utc())));

    // The offset in force before any nearby transition. If it still holds at the candidate instant,
    // that instant is the answer, and the earliest one: when clocks go back, the offset before
    // the change is the larger, so its candidate comes first. Two probes in the common case.
    let before = probe(shift(local, TimeDelta::days(-2))?)?;
    let first = candidate(before)?;
    if probe(first)? == before {
        return Ok((first.and_utc(), true));
    }
    let after = probe(shift(local, TimeDelta::days(2))?)?;
    let second = candidate(after)?;
    if after != before && probe(second)? == after {
        return Ok((second.and_utc(), true));
    }
    // A gap: the transition lies between the two candidates. Find the first instant whose offset
    // is no longer `before` (to the second), and return it: the first instant after the gap.
    let (mut lo, mut hi) = if first <= second { (first, second) } else { (second, first) };
    if probe(lo)? != before {
        return Ok((hi.and_utc(), false));
    }
    while hi - lo > TimeDelta::seconds(1) {
        let mid = lo + (hi - lo) / 2;
        if probe(mid)? == before {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok((hi.and_utc(), false))
}

#[cfg(all(test, feature = "tzdb"))]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("valid test date")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("valid test instant").with_timezone(&Utc)
    }

    #[test]
    fn ordinary_local_time() {
        let got = resolve_local(&Tzdb, "America/Sao_Paulo", local(2026, 11, 23, 9, 0));
        assert_eq!(got, Ok(utc("2026-11-23T12:00:00Z")));
    }

    #[test]
    fn spring_forward_gap_resolves_to_first_instant_after() {
        // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        let got = resolve_local(&Tzdb, "America/New_York", local(2026, 3, 8, 2, 30));
        assert_eq!(got, Ok(utc("2026-03-08T07:00:00Z")));
        // Lisbon, 2026-03-29: 01:00 WET jumps to 02:00 WEST (01:00 UTC).
        let got = resolve_local(&Tzdb, "Europe/Lisbon", local(2026, 3, 29, 1, 15));
        assert_eq!(got, Ok(utc("2026-03-29T01:00:00Z")));
    }

    #[test]
    fn fall_back_overlap_resolves_to_first_occurrence() {
        // New York, 2026-11-01: 01:30 happens at 05:30 UTC (EDT) and 06:30 UTC (EST).
        let got = resolve_local(&Tzdb, "America/New_York", local(2026, 11, 1, 1, 30));
        assert_eq!(got, Ok(utc("2026-11-01T05:30:00Z")));
    }

    #[test]
    fn unknown_zone_is_an_error() {
        let got = resolve_local(&Tzdb, "Mars/Olympus", local(2026, 1, 1, 0, 0));
        assert_eq!(got, Err(LocalError::Zone(ZoneError::unknown("Mars/Olympus"))));
    }

    #[test]
    fn to_local_applies_offset() {
        let got = to_local(&Tzdb, "Europe/Lisbon", utc("2026-07-01T12:00:00Z"));
        assert_eq!(got, Ok(local(2026, 7, 1, 13, 0)));
    }
}

/// The engine without a tz database, as in the widget: a resolver that knows one zone by rule.
#[cfg(test)]
mod resolver_tests {
    use super::*;
    use crate::calendar::BusinessCalendar;
    use crate::model::{Span, Unit};
    use chrono::NaiveDate;

    /// "Toy/Lisbon": UTC+0, UTC+1 from 2026-03-29T01:00Z to 2026-10-25T01:00Z (Lisbon's 2026 rules).
    struct ToyZones;

    impl ZoneResolver for ToyZones {
        fn offset_at(&self, zone: &str, utc: DateTime<Utc>) -> Result<FixedOffset, ZoneError> {
            if zone != "Toy/Lisbon" {
                return Err(ZoneError::unknown(zone));
            }
            let start = NaiveDate::from_ymd_opt(2026, 3, 29).and_then(|d| d.and_hms_opt(1, 0, 0)).map(|n| n.and_utc());
            let end = NaiveDate::from_ymd_opt(2026, 10, 25).and_then(|d| d.and_hms_opt(1, 0, 0)).map(|n| n.and_utc());
            let summer = matches!((start, end), (Some(s), Some(e)) if s <= utc && utc < e);
            FixedOffset::east_opt(if summer { 3_600 } else { 0 }).ok_or_else(|| ZoneError::new(zone, "bad offset"))
        }
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("valid test date")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("valid test instant").with_timezone(&Utc)
    }

    #[test]
    fn gap_and_overlap_from_offsets_alone() {
        assert_eq!(resolve_local(&ToyZones, "Toy/Lisbon", local(2026, 3, 29, 1, 30)), Ok(utc("2026-03-29T01:00:00Z")));
        assert_eq!(
            resolve_local_exact(&ToyZones, "Toy/Lisbon", local(2026, 3, 29, 1, 30)),
            Ok((utc("2026-03-29T01:00:00Z"), false))
        );
        assert_eq!(resolve_local(&ToyZones, "Toy/Lisbon", local(2026, 10, 25, 1, 30)), Ok(utc("2026-10-25T00:30:00Z")));
        assert_eq!(resolve_local(&ToyZones, "Toy/Lisbon", local(2026, 7, 1, 9, 0)), Ok(utc("2026-07-01T08:00:00Z")));
        assert_eq!(
            resolve_local(&ToyZones, "Nowhere", local(2026, 7, 1, 9, 0)),
            Err(LocalError::Zone(ZoneError::unknown("Nowhere")))
        );
    }

    #[test]
    fn business_hours_across_the_change_without_tzdb() {
        let days: [Vec<(u32, u32)>; 7] = std::array::from_fn(|_| vec![(0, 1_440)]);
        let cal = BusinessCalendar::with_hours("all-day", "Toy/Lisbon", days, []).expect("valid");
        // Saturday 23:00 WET + 4 business hours = Sunday 04:00 WEST: four real hours.
        let due = cal.add(utc("2026-03-28T23:00:00Z"), Span { amount: 4, unit: Unit::BusinessHours }, &ToyZones);
        assert_eq!(due, Ok(utc("2026-03-29T03:00:00Z")));
        let office: [Vec<(u32, u32)>; 7] =
            std::array::from_fn(|d| if d < 5 { vec![(9 * 60, 17 * 60)] } else { Vec::new() });
        let cal = BusinessCalendar::with_hours("office", "Toy/Lisbon", office, []).expect("valid");
        // Friday 16:00 WET + 2 business hours = Monday 10:00 WEST (09:00 UTC).
        let due = cal.add(utc("2026-03-27T16:00:00Z"), Span { amount: 2, unit: Unit::BusinessHours }, &ToyZones);
        assert_eq!(due, Ok(utc("2026-03-30T09:00:00Z")));
        assert_eq!(
            cal.in_offset(utc("2026-03-30T09:00:00Z"), &ToyZones).map(|d| d.to_rfc3339()),
            Ok("2026-03-30T10:00:00+01:00".into())
        );
    }
}
