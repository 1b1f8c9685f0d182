//! Business calendars and due-time arithmetic: when a clock starts, how elapsed and business units
//! are counted, and how holidays and daylight-saving changes are honoured.
//!
//! # Semantics
//!
//! A calendar is either **always open** (24/7, holidays included) or has **weekly opening
//! intervals** in an IANA time zone (`mon` … `sun`, split shifts allowed, `"24:00"` closes at
//! midnight) plus **holidays**, local dates on which it is closed all day.
//!
//! - **Elapsed units** (`minutes`, `hours`, `days`) need an always-open calendar. `minutes` and
//!   `hours` are real elapsed time. `days` is the same local wall-clock time `n` days later in the
//!   calendar's zone (so a day across a DST change lasts 23 or 25 hours).
//! - **Business units** (`business_hours`, `business_days`) need opening hours.
//! - **Clock start:** a ticket opened while the calendar is closed starts its clock at the next
//!   opening. A ticket opened exactly at a closing time starts at the next opening too (intervals
//!   are half-open: `["09:00", "17:00"]` is open at 09:00 and closed at 17:00).
//! - **`business_hours`** count only open time, in real elapsed time. The due time may fall exactly
//!   on a closing time (work finished "by 17:00"), never at the following opening.
//! - **`business_days`**: from the start of the clock, the same local time of day `n` business days
//!   later (a business day is a date whose weekday has opening intervals and which is not a
//!   holiday); if the calendar is closed at that time that day (other hours that weekday), the due
//!   time moves to the next opening. A due time exactly at a closing time stays there.
//! - **Holidays** close a whole local date, whatever its weekday's hours.
//! - **DST:** opening hours are local wall-clock times, resolved through the zone. A local time in
//!   a spring-forward gap resolves to the first instant after the gap (02:30 on a New York
//!   spring-forward day is 03:00 EDT); a repeated local time when clocks go back resolves to its
//!   first occurrence.
//!
//! Due times are reported in the calendar's own offset at the due instant.
//!
//! # Worked examples
//!
//! Calendar `support`: `America/Sao_Paulo` (UTC−03:00, no DST), Monday to Friday 09:00–17:00,
//! holiday 2026-12-25 (a Friday). Each example is a unit test below.
//!
//! | opened (local)          | target            | due (local)              | why |
//! |-------------------------|-------------------|--------------------------|-----|
//! | Mon 2026-11-23 10:00    | 4 business_hours  | Mon 2026-11-23 14:00     | all open time |
//! | Fri 2026-11-27 16:30    | 1 business_hours  | Mon 2026-11-30 09:30     | 30 min Friday, 30 min Monday |
//! | Sat 2026-11-28 11:00    | 2 business_hours  | Mon 2026-11-30 11:00     | clock starts at Monday's opening |
//! | Mon 2026-11-23 16:00    | 1 business_hours  | Mon 2026-11-23 17:00     | ends exactly at closing time |
//! | Mon 2026-11-23 20:00    | 1 business_days   | Wed 2026-11-25 09:00     | clock starts Tue 09:00 |
//! | Thu 2026-12-24 15:00    | 1 business_days   | Mon 2026-12-28 15:00     | Friday 25th is a holiday |
//! | Thu 2026-12-24 16:00    | 2 business_hours  | Mon 2026-12-28 10:00     | holiday skipped |
//!
//! With split shifts Mon–Fri 09:00–12:00 and 13:00–18:00, a ticket opened Monday 11:30 with
//! 2 business hours is due Monday 14:30 (the lunch hour does not count).
//!
//! DST, `America/New_York`, every day 00:00–24:00 as opening hours: on Sunday 2026-03-08 clocks go
//! from 02:00 EST to 03:00 EDT, so a ticket opened Saturday 2026-03-07 23:00 EST with
//! 4 business hours is due Sunday 04:00 EDT (four real hours), and `business_days` from Saturday
//! 02:30 lands on Sunday 03:00 EDT (02:30 does not exist that day). In an always-open calendar,
//! `1 days` from Saturday 12:00 EST is Sunday 12:00 EDT, 23 real hours later.

//! # Cost
//!
//! All zone math goes through [`ZoneResolver::offset_at`]; a local time costs two lookups (more
//! only next to a DST change). Holidays are a sorted vector built once at validation.
//! `business_days` skips whole weeks (adding back the holidays skipped over) and resolves only the
//! clock start and the result, so a year of business days costs about as much as one. `business_hours`
//! skips whole weeks whose midnights are exactly 7 × 24 h apart (no offset change inside) and walks
//! opening intervals only in the last week and around DST changes. See `benches/due.rs`.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc};

use crate::error::DueError;
use crate::model::{unit_name, Span, Unit};
use crate::zone::{resolve_local, resolve_local_exact, to_local, ZoneResolver};

const SECONDS_PER_DAY: u32 = 86_400;

/// Longest span a target may have, in days (about ten years); larger amounts are rejected.
pub const MAX_SPAN_DAYS: i64 = 3_660;

/// How far ahead the engine looks for an opening before giving up (a calendar that opens at least
/// one weekday always opens within `(holidays + 1)` weeks; this only guards against misuse).
const MAX_SCAN_DAYS: u32 = 40_000;

/// The largest `amount` accepted for `unit` (about ten years).
pub fn max_amount(unit: Unit) -> i64 {
    match unit {
        Unit::Minutes => MAX_SPAN_DAYS * 1_440,
        Unit::Hours | Unit::BusinessHours => MAX_SPAN_DAYS * 24,
        Unit::Days | Unit::BusinessDays => MAX_SPAN_DAYS,
    }
}

/// Parses a wall-clock time `"HH:MM"` (`"00:00"` … `"23:59"`, and `"24:00"` when `end` is true)
/// into minutes since midnight.
pub fn parse_clock(text: &str, end: bool) -> Option<u32> {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let digit = |i: usize| -> Option<u32> {
        let b = bytes[i];
        b.is_ascii_digit().then(|| u32::from(b - b'0'))
    };
    let hours = digit(0)? * 10 + digit(1)?;
    let minutes = digit(3)? * 10 + digit(4)?;
    match (hours, minutes) {
        (24, 0) if end => Some(1_440),
        (0..=23, 0..=59) => Some(hours * 60 + minutes),
        _ => None,
    }
}

/// Parses a holiday date `"YYYY-MM-DD"` (exactly that shape).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    if !shape_ok {
        return None;
    }
    // Digits only from here (checked above); no strftime parser, which would weigh ~10 KB in the widget.
    let number = |range: std::ops::Range<usize>| bytes[range].iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    let year = i32::try_from(number(0..4)).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7), number(8..10))
}

/// A validated calendar, ready for due-time arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    id: String,
    zone: String,
    week: Option<Week>,
}

/// Opening hours and holidays, precomputed for fast stepping.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Week {
    /// Opening intervals per weekday (Monday = 0) in seconds since local midnight: sorted,
    /// non-overlapping, non-empty, end ≤ 86 400.
    days: [Vec<(u32, u32)>; 7],
    /// Sorted, without duplicates.
    holidays: Vec<NaiveDate>,
    /// The holidays that fall on a weekday with opening hours (they remove a business day).
    holidays_on_open_days: Vec<NaiveDate>,
    /// Number of weekdays with opening hours (1..=7).
    open_days_per_week: u32,
    /// Open seconds (wall clock) per weekday, and in a whole week.
    open_seconds: [u32; 7],
    open_seconds_per_week: u32,
}

fn weekday_index(date: NaiveDate) -> usize {
    date.weekday().num_days_from_monday() as usize
}

impl Week {
    fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.binary_search(&date).is_ok()
    }

    fn intervals(&self, date: NaiveDate) -> &[(u32, u32)] {
        if self.is_holiday(date) {
            &[]
        } else {
            &self.days[weekday_index(date)]
        }
    }

    /// Wall-clock open seconds in the 7 dates from `date` on, holidays excluded.
    fn open_seconds_in_week(&self, date: NaiveDate, end: NaiveDate) -> u32 {
        let first = self.holidays_on_open_days.partition_point(|h| *h < date);
        let last = self.holidays_on_open_days.partition_point(|h| *h < end);
        let closed: u32 =
            self.holidays_on_open_days[first..last].iter().map(|h| self.open_seconds[weekday_index(*h)]).sum();
        self.open_seconds_per_week - closed
    }

    fn is_business_day(&self, date: NaiveDate) -> bool {
        !self.intervals(date).is_empty()
    }

    /// The date `n` business days after `date` (n ≥ 0). Skips whole weeks at a time and adds back
    /// the holidays skipped over, so a year takes a few dozen steps.
    fn advance_business_days(&self, mut date: NaiveDate, n: u32) -> Result<NaiveDate, DueError> {
        let mut left = n;
        if left > self.open_days_per_week {
            let weeks = (left - 1) / self.open_days_per_week;
            let target = date.checked_add_days(Days::new(u64::from(weeks) * 7)).ok_or(DueError::OutOfRange)?;
            let first = self.holidays_on_open_days.partition_point(|h| *h <= date);
            let last = self.holidays_on_open_days.partition_point(|h| *h <= target);
            left = left - weeks * self.open_days_per_week + (last - first) as u32;
            date = target;
        }
        let mut scanned = 0u32;
        while left > 0 {
            date = date.succ_opt().ok_or(DueError::OutOfRange)?;
            if self.is_business_day(date) {
                left -= 1;
            }
            scanned += 1;
            if scanned > MAX_SCAN_DAYS {
                return Err(DueError::OutOfRange);
            }
        }
        Ok(date)
    }
}

impl BusinessCalendar {
    /// A calendar open around the clock, every day, holidays included.
    pub fn always_open(id: impl Into<String>, zone: impl Into<String>) -> Self {
        Self { id: id.into(), zone: zone.into(), week: None }
    }

    /// A calendar with weekly opening intervals (`days[0]` is Monday; minutes since local midnight,
    /// `1440` = midnight at the end of the day) and holidays. Intervals are sorted here; returns
    /// `None` when an interval is empty, reversed, past 24:00 or overlaps another of its day, or
    /// when no weekday opens (validation reports those with their JSON paths first).
    pub fn with_hours(
        id: impl Into<String>,
        zone: impl Into<String>,
        days: [Vec<(u32, u32)>; 7],
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Option<Self> {
        let mut secs: [Vec<(u32, u32)>; 7] = Default::default();
        for (day, intervals) in days.into_iter().enumerate() {
            let mut sorted = intervals;
            sort_small(&mut sorted);
            for (i, &(start, end)) in sorted.iter().enumerate() {
                if start >= end || end > 1_440 || (i > 0 && sorted[i - 1].1 > start) {
                    return None;
                }
            }
            secs[day] = sorted.into_iter().map(|(s, e)| (s * 60, e * 60)).collect();
        }
        let open_days_per_week = secs.iter().filter(|d| !d.is_empty()).count() as u32;
        if open_days_per_week == 0 {
            return None;
        }
        let mut holidays: Vec<NaiveDate> = holidays.into_iter().collect();
        sort_small(&mut holidays);
        holidays.dedup();
        let holidays_on_open_days = holidays.iter().copied().filter(|d| !secs[weekday_index(*d)].is_empty()).collect();
        let open_seconds: [u32; 7] = std::array::from_fn(|d| secs[d].iter().map(|(s, e)| e - s).sum());
        let open_seconds_per_week = open_seconds.iter().sum();
        Some(Self {
            id: id.into(),
            zone: zone.into(),
            week: Some(Week {
                days: secs,
                holidays,
                holidays_on_open_days,
                open_days_per_week,
                open_seconds,
                open_seconds_per_week,
            }),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The IANA time zone due times are reported in.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    pub fn is_always_open(&self) -> bool {
        self.week.is_none()
    }

    /// Whether this calendar can count `unit` (elapsed units need always-open, business units
    /// need opening hours).
    pub fn counts(&self, unit: Unit) -> bool {
        unit.is_business() != self.is_always_open()
    }

    /// `at` in the calendar's offset at that instant.
    pub fn in_offset(&self, at: DateTime<Utc>, zones: &dyn ZoneResolver) -> Result<DateTime<FixedOffset>, DueError> {
        let offset = zones.offset_at(&self.zone, at)?;
        Ok(at.with_timezone(&offset))
    }

    /// When a clock started at `at` begins to run: `at` itself when open, else the next opening.
    pub fn next_open(&self, at: DateTime<Utc>, zones: &dyn ZoneResolver) -> Result<DateTime<Utc>, DueError> {
        match &self.week {
            None => Ok(at),
            Some(week) => Ok(Segments::new(self, week, at, zones)?.next_segment()?.0),
        }
    }

    /// Whether the calendar is open at `at` (opening time included, closing time excluded).
    pub fn is_open(&self, at: DateTime<Utc>, zones: &dyn ZoneResolver) -> Result<bool, DueError> {
        self.containing_interval(at, zones, false)
    }

    /// Whether `at` is open time or exactly a closing time.
    pub fn is_open_or_closing(&self, at: DateTime<Utc>, zones: &dyn ZoneResolver) -> Result<bool, DueError> {
        self.containing_interval(at, zones, true)
    }

    fn containing_interval(
        &self,
        at: DateTime<Utc>,
        zones: &dyn ZoneResolver,
        closing: bool,
    ) -> Result<bool, DueError> {
        let Some(week) = &self.week else { return Ok(true) };
        let date = to_local(zones, &self.zone, at)?.date();
        // A closing time at 24:00 belongs to the previous date's intervals.
        for day in [date.pred_opt(), Some(date)].into_iter().flatten() {
            for &(start, end) in week.intervals(day) {
                let start = self.resolve(day, start, zones)?;
                let end = self.resolve(day, end, zones)?;
                if start <= at && (at < end || (closing && at == end)) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The instant at which the clock started at `start` has counted `span` in this calendar.
    pub fn add(&self, start: DateTime<Utc>, span: Span, zones: &dyn ZoneResolver) -> Result<DateTime<Utc>, DueError> {
        if span.amount < 0 || span.amount > max_amount(span.unit) {
            return Err(DueError::OutOfRange);
        }
        if !self.counts(span.unit) {
            return Err(DueError::UnitMismatch { calendar: self.id.clone(), unit: span.unit });
        }
        let amount = span.amount;
        match (&self.week, span.unit) {
            (None, Unit::Minutes) => start.checked_add_signed(TimeDelta::minutes(amount)).ok_or(DueError::OutOfRange),
            (None, Unit::Hours) => start.checked_add_signed(TimeDelta::hours(amount)).ok_or(DueError::OutOfRange),
            (None, Unit::Days) => {
                let local = to_local(zones, &self.zone, start)?;
                let later = local.checked_add_days(Days::new(amount as u64)).ok_or(DueError::OutOfRange)?;
                Ok(resolve_local(zones, &self.zone, later)?)
            }
            (Some(week), Unit::BusinessHours) => self.add_business_hours(week, start, amount, zones),
            (Some(week), Unit::BusinessDays) => self.add_business_days(week, start, amount as u32, zones),
            _ => Err(DueError::UnitMismatch { calendar: self.id.clone(), unit: span.unit }),
        }
    }

    fn add_business_hours(
        &self,
        week: &Week,
        start: DateTime<Utc>,
        hours: i64,
        zones: &dyn ZoneResolver,
    ) -> Result<DateTime<Utc>, DueError> {
        let mut segments = Segments::new(self, week, start, zones)?;
        let mut remaining = TimeDelta::hours(hours);
        loop {
            if let Some(skipped) = segments.skip_week(remaining)? {
                remaining -= skipped;
                continue;
            }
            let (open, close) = segments.next_segment()?;
            let available = close - open;
            if available >= remaining {
                return open.checked_add_signed(remaining).ok_or(DueError::OutOfRange);
            }
            remaining -= available;
        }
    }

    fn add_business_days(
        &self,
        week: &Week,
        start: DateTime<Utc>,
        days: u32,
        zones: &dyn ZoneResolver,
    ) -> Result<DateTime<Utc>, DueError> {
        let clock = Segments::new(self, week, start, zones)?.next_segment()?.0;
        let local = to_local(zones, &self.zone, clock)?;
        let date = week.advance_business_days(local.date(), days)?;
        let (candidate, exact) = resolve_local_exact(zones, &self.zone, date.and_time(local.time()))?;
        if exact {
            // The wall clock reads the same time of day: compare with the day's hours directly.
            let seconds = local.time().num_seconds_from_midnight();
            if week.intervals(date).iter().any(|&(open, close)| open <= seconds && seconds <= close) {
                return Ok(candidate);
            }
            return Ok(Segments::new(self, week, candidate, zones)?.next_segment()?.0);
        }
        for &(open, close) in week.intervals(date) {
            if self.resolve(date, open, zones)? <= candidate && candidate <= self.resolve(date, close, zones)? {
                return Ok(candidate);
            }
        }
        Ok(Segments::new(self, week, candidate, zones)?.next_segment()?.0)
    }

    /// The instant of `seconds` after local midnight of `date` (86 400 = next midnight).
    fn resolve(&self, date: NaiveDate, seconds: u32, zones: &dyn ZoneResolver) -> Result<DateTime<Utc>, DueError> {
        let local = if seconds >= SECONDS_PER_DAY {
            date.succ_opt().ok_or(DueError::OutOfRange)?.and_time(NaiveTime::MIN)
        } else {
            let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).ok_or(DueError::OutOfRange)?;
            date.and_time(time)
        };
        Ok(resolve_local(zones, &self.zone, local)?)
    }
}

/// The open stretches of a calendar from an instant on, in order, as UTC instants (the first one
/// clipped to start no earlier than `from`).
struct Segments<'a> {
    calendar: &'a BusinessCalendar,
    week: &'a Week,
    zones: &'a dyn ZoneResolver,
    from: DateTime<Utc>,
    /// Local seconds since midnight of `from` on its own date (the first date scanned).
    from_seconds: u32,
    date: NaiveDate,
    index: usize,
    scanned: u32,
    /// The instant of local midnight starting `date`, when already known.
    midnight: Option<DateTime<Utc>>,
}

impl<'a> Segments<'a> {
    fn new(
        calendar: &'a BusinessCalendar,
        week: &'a Week,
        from: DateTime<Utc>,
        zones: &'a dyn ZoneResolver,
    ) -> Result<Self, DueError> {
        let local = to_local(zones, &calendar.zone, from)?;
        let from_seconds = local.time().num_seconds_from_midnight();
        Ok(Self { calendar, week, zones, from, from_seconds, date: local.date(), index: 0, scanned: 0, midnight: None })
    }

    /// At the start of a date after the first, skips the 7 dates from it when they hold less open
    /// time than `remaining` and the zone's offset does not change in them (their midnights are
    /// exactly 7 × 24 h apart), so wall-clock open time is real open time. Returns the open time
    /// skipped, or `None` when the week must be walked segment by segment.
    fn skip_week(&mut self, remaining: TimeDelta) -> Result<Option<TimeDelta>, DueError> {
        if self.index >= self.week.intervals(self.date).len() {
            // Every interval of this date is used up: stand at the start of the next date.
            self.date = self.date.succ_opt().ok_or(DueError::OutOfRange)?;
            self.index = 0;
            self.scanned += 1;
            self.midnight = None;
        }
        if self.index != 0 || self.scanned == 0 {
            return Ok(None);
        }
        let end = self.date.checked_add_days(Days::new(7)).ok_or(DueError::OutOfRange)?;
        let open = TimeDelta::seconds(i64::from(self.week.open_seconds_in_week(self.date, end)));
        if open >= remaining {
            return Ok(None);
        }
        let next_midnight = self.calendar.resolve(end, 0, self.zones)?;
        if open > TimeDelta::zero() {
            let midnight = match self.midnight {
                Some(m) => m,
                None => self.calendar.resolve(self.date, 0, self.zones)?,
            };
            if next_midnight - midnight != TimeDelta::days(7) {
                self.midnight = None;
                return Ok(None);
            }
        }
        self.date = end;
        self.midnight = Some(next_midnight);
        self.scanned += 7;
        if self.scanned > MAX_SCAN_DAYS {
            return Err(DueError::OutOfRange);
        }
        Ok(Some(open))
    }

    fn next_segment(&mut self) -> Result<(DateTime<Utc>, DateTime<Utc>), DueError> {
        loop {
            let intervals = self.week.intervals(self.date);
            let first_date = self.scanned == 0;
            while let Some(&(open, close)) = intervals.get(self.index) {
                self.index += 1;
                // On the first date, intervals closing (in wall-clock terms) before `from` cannot
                // reach past it; and one opening before `from` starts at `from`.
                if first_date && close <= self.from_seconds {
                    continue;
                }
                let close = self.calendar.resolve(self.date, close, self.zones)?;
                if close <= self.from {
                    continue;
                }
                let open = if first_date && open <= self.from_seconds {
                    self.from
                } else {
                    self.calendar.resolve(self.date, open, self.zones)?.max(self.from)
                };
                if close > open {
                    return Ok((open, close));
                }
            }
            self.date = self.date.succ_opt().ok_or(DueError::OutOfRange)?;
            self.index = 0;
            self.scanned += 1;
            self.midnight = None;
            if self.scanned > MAX_SCAN_DAYS {
                return Err(DueError::OutOfRange);
            }
        }
    }
}

/// Human name of a span, e.g. `4 business_hours` (for messages).
pub(crate) fn describe(span: Span) -> String {
    format!("{} {}", span.amount, unit_name(span.unit))
}

/// Sorts a short list (a day's opening intervals, a calendar's holidays) by insertion. The lists
/// hold tens of items at most, and in WebAssembly each `sort`/`sort_unstable` of the standard
/// library adds kilobytes of code per element type, where this adds a few dozen bytes.
pub(crate) fn sort_small<T: PartialOrd>(items: &mut [T]) {
    for sorted_len in 1..items.len() {
        let mut at = sorted_len;
        while at > 0 && items[at - 1] > items[at] {
            items.swap(at - 1, at);
            at -= 1;
        }
    }
}

#[cfg(test)]
mod sort_tests {
    use super::sort_small;

    #[test]
    fn sort_small_orders_like_the_standard_sort() {
        let cases: [&[i32]; 6] = [&[], &[1], &[2, 1], &[3, 1, 2, 1], &[5, 4, 3, 2, 1, 0], &[1, 2, 3, 3, 2, 1, 0, 9]];
        for case in cases {
            let mut ours = case.to_vec();
            let mut std_sorted = case.to_vec();
            sort_small(&mut ours);
            std_sorted.sort();
            assert_eq!(ours, std_sorted, "{case:?}");
        }
    }
}

#[cfg(all(test, feature = "tzdb"))]
mod tests {
    use super::*;
    use crate::zone::Tzdb;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("valid test instant").with_timezone(&Utc)
    }

    fn span(amount: i64, unit: Unit) -> Span {
        Span { amount, unit }
    }

    fn weekdays(intervals: &[(u32, u32)]) -> [Vec<(u32, u32)>; 7] {
        let mut days: [Vec<(u32, u32)>; 7] = Default::default();
        for day in days.iter_mut().take(5) {
            *day = intervals.to_vec();
        }
        days
    }

    fn support() -> BusinessCalendar {
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).expect("valid date");
        BusinessCalendar::with_hours("support", "America/Sao_Paulo", weekdays(&[(9 * 60, 17 * 60)]), [christmas])
            .expect("valid calendar")
    }

    fn due(cal: &BusinessCalendar, opened: &str, amount: i64, unit: Unit) -> String {
        let due = cal.add(at(opened), span(amount, unit), &Tzdb).expect("due time");
        cal.in_offset(due, &Tzdb).expect("offset").to_rfc3339()
    }

    #[test]
    fn parses_clock_times() {
        assert_eq!(parse_clock("09:30", false), Some(570));
        assert_eq!(parse_clock("24:00", true), Some(1440));
        assert_eq!(parse_clock("24:00", false), None);
        assert_eq!(parse_clock("9:30", false), None);
        assert_eq!(parse_clock("12:60", false), None);
        assert_eq!(parse_clock("25:00", true), None);
    }

    #[test]
    fn parses_dates_strictly() {
        assert_eq!(parse_date("2026-12-25"), NaiveDate::from_ymd_opt(2026, 12, 25));
        assert_eq!(parse_date("2026-2-5"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("25/12/2026"), None);
        assert_eq!(parse_date("2028-02-29"), NaiveDate::from_ymd_opt(2028, 2, 29));
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("0000-01-01"), NaiveDate::from_ymd_opt(0, 1, 1));
        assert_eq!(parse_date("2026-00-10"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-01-00"), None);
        assert_eq!(parse_date("2026-01-32"), None);
        assert_eq!(parse_date("2026-1a-01"), None);
    }

    #[test]
    fn business_hours_within_one_day() {
        assert_eq!(due(&support(), "2026-11-23T10:00:00-03:00", 4, Unit::BusinessHours), "2026-11-23T14:00:00-03:00");
    }

    #[test]
    fn friday_1630_plus_one_business_hour_is_monday_0930() {
        assert_eq!(due(&support(), "2026-11-27T16:30:00-03:00", 1, Unit::BusinessHours), "2026-11-30T09:30:00-03:00");
    }

    #[test]
    fn opened_while_closed_starts_at_next_opening() {
        assert_eq!(due(&support(), "2026-11-28T11:00:00-03:00", 2, Unit::BusinessHours), "2026-11-30T11:00:00-03:00");
        assert_eq!(support().next_open(at("2026-11-28T11:00:00-03:00"), &Tzdb), Ok(at("2026-11-30T09:00:00-03:00")));
    }

    #[test]
    fn business_hours_may_end_exactly_at_closing() {
        assert_eq!(due(&support(), "2026-11-23T16:00:00-03:00", 1, Unit::BusinessHours), "2026-11-23T17:00:00-03:00");
    }

    #[test]
    fn business_days_start_at_next_opening() {
        assert_eq!(due(&support(), "2026-11-23T20:00:00-03:00", 1, Unit::BusinessDays), "2026-11-25T09:00:00-03:00");
    }

    #[test]
    fn holidays_are_skipped() {
        assert_eq!(due(&support(), "2026-12-24T15:00:00-03:00", 1, Unit::BusinessDays), "2026-12-28T15:00:00-03:00");
        assert_eq!(due(&support(), "2026-12-24T16:00:00-03:00", 2, Unit::BusinessHours), "2026-12-28T10:00:00-03:00");
        assert_eq!(support().is_open(at("2026-12-25T10:00:00-03:00"), &Tzdb), Ok(false));
    }

    #[test]
    fn split_shift_skips_lunch() {
        let cal = BusinessCalendar::with_hours(
            "split",
            "America/Sao_Paulo",
            weekdays(&[(13 * 60, 18 * 60), (9 * 60, 12 * 60)]),
            [],
        )
        .expect("valid calendar");
        assert_eq!(due(&cal, "2026-11-23T11:30:00-03:00", 2, Unit::BusinessHours), "2026-11-23T14:30:00-03:00");
        assert_eq!(due(&cal, "2026-11-23T12:15:00-03:00", 1, Unit::BusinessHours), "2026-11-23T14:00:00-03:00");
    }

    #[test]
    fn business_days_move_to_next_opening_when_that_time_is_closed() {
        // Mon–Thu 09:00–17:00, Fri 09:00–12:00: Thursday 15:00 + 1 business day = Friday 15:00,
        // closed, so the next opening: Monday 09:00.
        let mut days = weekdays(&[(9 * 60, 17 * 60)]);
        days[4] = vec![(9 * 60, 12 * 60)];
        let cal = BusinessCalendar::with_hours("short-friday", "America/Sao_Paulo", days, []).expect("valid");
        assert_eq!(due(&cal, "2026-11-26T15:00:00-03:00", 1, Unit::BusinessDays), "2026-11-30T09:00:00-03:00");
        // Thursday 12:00 + 1 business day = Friday 12:00, exactly at closing: stays.
        assert_eq!(due(&cal, "2026-11-26T12:00:00-03:00", 1, Unit::BusinessDays), "2026-11-27T12:00:00-03:00");
    }

    #[test]
    fn business_days_across_a_year_match_day_by_day_count() {
        let holidays: Vec<NaiveDate> =
            ["2026-01-01", "2026-04-03", "2026-04-21", "2026-05-01", "2026-09-07", "2026-12-25", "2027-01-01"]
                .iter()
                .filter_map(|d| parse_date(d))
                .collect();
        let cal = BusinessCalendar::with_hours("br", "America/Sao_Paulo", weekdays(&[(9 * 60, 18 * 60)]), holidays)
            .expect("valid");
        let Some(week) = &cal.week else { panic!("calendar has hours") };
        let start = NaiveDate::from_ymd_opt(2026, 1, 2).expect("date");
        for n in [1, 4, 5, 6, 20, 100, 250, 260] {
            let mut date = start;
            let mut left = n;
            while left > 0 {
                date = date.succ_opt().expect("date");
                if week.is_business_day(date) {
                    left -= 1;
                }
            }
            assert_eq!(week.advance_business_days(start, n), Ok(date), "n = {n}");
        }
    }

    #[test]
    fn week_skipping_matches_walking_every_segment() {
        let holidays: Vec<NaiveDate> =
            ["2026-01-19", "2026-03-09", "2026-05-25", "2026-07-03", "2026-11-02", "2026-11-03", "2026-12-25"]
                .iter()
                .filter_map(|d| parse_date(d))
                .collect();
        let mut days = weekdays(&[(8 * 60, 12 * 60), (13 * 60, 17 * 60 + 30)]);
        days[5] = vec![(0, 150)]; // Saturday 00:00–02:30
        let cal = BusinessCalendar::with_hours("ny", "America/New_York", days, holidays).expect("valid");
        let Some(week) = &cal.week else { panic!("calendar has hours") };
        for opened in ["2026-01-02T15:00:00Z", "2026-02-27T03:00:00Z", "2026-10-20T12:34:00Z"] {
            for hours in [1, 7, 40, 41, 77, 200, 333, 1_000, 2_000] {
                let mut segments = Segments::new(&cal, week, at(opened), &Tzdb).expect("segments");
                let mut remaining = TimeDelta::hours(hours);
                let walked = loop {
                    let (open, close) = segments.next_segment().expect("segment");
                    if close - open >= remaining {
                        break open + remaining;
                    }
                    remaining -= close - open;
                };
                assert_eq!(
                    cal.add(at(opened), span(hours, Unit::BusinessHours), &Tzdb),
                    Ok(walked),
                    "{opened} + {hours} h"
                );
            }
        }
    }

    #[test]
    fn elapsed_units_in_always_open_calendar() {
        let cal = BusinessCalendar::always_open("24x7", "America/Sao_Paulo");
        assert_eq!(due(&cal, "2026-11-28T23:50:00-03:00", 30, Unit::Minutes), "2026-11-29T00:20:00-03:00");
        assert_eq!(due(&cal, "2026-11-28T23:50:00-03:00", 4, Unit::Hours), "2026-11-29T03:50:00-03:00");
        assert_eq!(due(&cal, "2026-11-28T23:50:00-03:00", 2, Unit::Days), "2026-11-30T23:50:00-03:00");
    }

    #[test]
    fn unit_calendar_mismatch_is_an_error() {
        let cal = BusinessCalendar::always_open("24x7", "UTC");
        assert_eq!(
            cal.add(at("2026-11-23T10:00:00Z"), span(1, Unit::BusinessDays), &Tzdb),
            Err(DueError::UnitMismatch { calendar: "24x7".into(), unit: Unit::BusinessDays })
        );
        assert!(support().add(at("2026-11-23T10:00:00Z"), span(1, Unit::Hours), &Tzdb).is_err());
    }

    #[test]
    fn dst_spring_forward_in_business_hours_and_days() {
        let cal = BusinessCalendar::with_hours("ny", "America/New_York", std::array::from_fn(|_| vec![(0, 1440)]), [])
            .expect("valid");
        // Four real hours across the skipped hour.
        assert_eq!(due(&cal, "2026-03-07T23:00:00-05:00", 4, Unit::BusinessHours), "2026-03-08T04:00:00-04:00");
        // 02:30 does not exist on 2026-03-08: first instant after the gap.
        assert_eq!(due(&cal, "2026-03-07T02:30:00-05:00", 1, Unit::BusinessDays), "2026-03-08T03:00:00-04:00");
        let always = BusinessCalendar::always_open("ny", "America/New_York");
        assert_eq!(due(&always, "2026-03-07T12:00:00-05:00", 1, Unit::Days), "2026-03-08T12:00:00-04:00");
    }

    #[test]
    fn dst_fall_back_in_lisbon() {
        // Lisbon, 2026-10-25: 02:00 WEST goes back to 01:00 WET. A day open 00:00–24:00 lasts 25 h.
        let cal = BusinessCalendar::with_hours("lis", "Europe/Lisbon", std::array::from_fn(|_| vec![(0, 1440)]), [])
            .expect("valid");
        assert_eq!(due(&cal, "2026-10-25T00:00:00+01:00", 24, Unit::BusinessHours), "2026-10-25T23:00:00+00:00");
        // Opening hours 09:00–17:00 are wall-clock times on both sides of the change.
        let office = BusinessCalendar::with_hours("lis-office", "Europe/Lisbon", weekdays(&[(9 * 60, 17 * 60)]), [])
            .expect("valid");
        assert_eq!(due(&office, "2026-10-23T16:00:00+01:00", 2, Unit::BusinessHours), "2026-10-26T10:00:00+00:00");
    }

    #[test]
    fn calendars_without_opening_are_rejected() {
        assert!(BusinessCalendar::with_hours("none", "UTC", Default::default(), []).is_none());
        assert!(BusinessCalendar::with_hours("overlap", "UTC", weekdays(&[(540, 720), (700, 800)]), []).is_none());
        assert!(BusinessCalendar::with_hours("empty", "UTC", weekdays(&[(540, 540)]), []).is_none());
    }

    #[test]
    fn open_and_closing_checks() {
        let cal = support();
        assert_eq!(cal.is_open(at("2026-11-23T09:00:00-03:00"), &Tzdb), Ok(true));
        assert_eq!(cal.is_open(at("2026-11-23T17:00:00-03:00"), &Tzdb), Ok(false));
        assert_eq!(cal.is_open_or_closing(at("2026-11-23T17:00:00-03:00"), &Tzdb), Ok(true));
        assert_eq!(cal.is_open_or_closing(at("2026-11-23T17:00:01-03:00"), &Tzdb), Ok(false));
    }
}
