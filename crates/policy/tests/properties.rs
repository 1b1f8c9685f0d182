//! Property tests of due-time arithmetic over random calendars, zones with and without DST, and
//! random opening instants.
#![cfg(feature = "tzdb")]

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use proptest::prelude::*;
use triage_policy::{BusinessCalendar, Span, Tzdb, Unit};

const ZONES: [&str; 4] = ["America/New_York", "Europe/Lisbon", "America/Sao_Paulo", "UTC"];

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Up to two intervals a day on a 15-minute grid (so DST hours are hit), at least one open day.
fn week() -> impl Strategy<Value = [Vec<(u32, u32)>; 7]> {
    let day = prop_oneof![
        1 => Just(Vec::new()),
        3 => (0u32..96, 1u32..96).prop_map(|(a, len)| vec![(a * 15, (a + len).min(96) * 15)]),
        2 => (0u32..40, 1u32..20, 1u32..8, 1u32..30).prop_map(|(a, l1, gap, l2)| {
            let first = (a * 15, (a + l1) * 15);
            let second_start = (a + l1 + gap).min(95);
            vec![first, (second_start * 15, (second_start + l2).min(96) * 15)]
        }),
        1 => Just(vec![(0, 1_440)]),
    ];
    proptest::array::uniform7(day).prop_filter("open at least one day", |days| days.iter().any(|d| !d.is_empty()))
}

fn holidays() -> impl Strategy<Value = Vec<NaiveDate>> {
    proptest::collection::vec(0u64..730, 0..12).prop_map(|offsets| {
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        offsets.into_iter().filter_map(|d| first.checked_add_days(chrono::Days::new(d))).collect()
    })
}

fn calendar() -> impl Strategy<Value = BusinessCalendar> {
    (0..ZONES.len(), week(), holidays()).prop_filter_map("valid calendar", |(zone, days, holidays)| {
        BusinessCalendar::with_hours("random", ZONES[zone], days, holidays)
    })
}

/// An instant in 2026–2027 on a 15-minute grid.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").map(|d| d.with_timezone(&Utc)).unwrap_or_default();
    (0i64..70_080).prop_map(move |quarter| start + TimeDelta::minutes(quarter * 15))
}

fn span(amount: i64, unit: Unit) -> Span {
    Span { amount, unit }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn due_is_never_before_the_clock_starts(cal in calendar(), opened in instant(), hours in 1i64..120, days in 1i64..40) {
        let start = cal.next_open(opened, &Tzdb).expect("opens");
        prop_assert!(start >= opened);
        prop_assert!(cal.is_open(start, &Tzdb).expect("check"));
        for target in [span(hours, Unit::BusinessHours), span(days, Unit::BusinessDays)] {
            let due = cal.add(opened, target, &Tzdb).expect("due");
            prop_assert!(due > start, "{target:?}: {due} not after clock start {start}");
        }
    }

    #[test]
    fn business_due_is_open_or_at_a_closing_time(cal in calendar(), opened in instant(), hours in 1i64..120, days in 1i64..40) {
        for target in [span(hours, Unit::BusinessHours), span(days, Unit::BusinessDays)] {
            let due = cal.add(opened, target, &Tzdb).expect("due");
            prop_assert!(cal.is_open_or_closing(due, &Tzdb).expect("check"), "{target:?} from {opened}: {due} is closed");
        }
    }

    #[test]
    fn business_hours_add_up(cal in calendar(), opened in instant(), a in 1i64..80, b in 1i64..80) {
        let stepwise = cal.add(cal.add(opened, span(a, Unit::BusinessHours), &Tzdb).expect("a"), span(b, Unit::BusinessHours), &Tzdb);
        let at_once = cal.add(opened, span(a + b, Unit::BusinessHours), &Tzdb);
        prop_assert_eq!(stepwise, at_once);
    }

    #[test]
    fn business_hours_count_exactly_the_open_time(cal in calendar(), opened in instant(), hours in 1i64..6) {
        // Oracle: walk in 15-minute steps (every boundary is on that grid in these zones) and count
        // the open quarters between the opening and the due time.
        let due = cal.add(opened, span(hours, Unit::BusinessHours), &Tzdb).expect("due");
        let mut open_quarters = 0;
        let mut at = opened;
        while at < due {
            if cal.is_open(at, &Tzdb).expect("check") {
                open_quarters += 1;
            }
            at += TimeDelta::minutes(15);
        }
        prop_assert_eq!(at, due, "due time off the 15-minute grid");
        prop_assert_eq!(open_quarters, hours * 4);
    }

    #[test]
    fn elapsed_units_add_up(zone in 0..ZONES.len(), opened in instant(), a in 1i64..5_000, b in 1i64..5_000) {
        let cal = BusinessCalendar::always_open("24x7", ZONES[zone]);
        for unit in [Unit::Minutes, Unit::Hours] {
            let stepwise = cal.add(cal.add(opened, span(a, unit), &Tzdb).expect("a"), span(b, unit), &Tzdb);
            prop_assert_eq!(stepwise, cal.add(opened, span(a + b, unit), &Tzdb));
        }
        prop_assert_eq!(cal.add(opened, span(a, Unit::Hours), &Tzdb), Ok(opened + TimeDelta::hours(a)));
    }

    #[test]
    fn calendar_days_add_up_unless_a_gap_moved_the_time(zone in 0..ZONES.len(), opened in instant(), a in 1i64..400, b in 1i64..400) {
        let cal = BusinessCalendar::always_open("24x7", ZONES[zone]);
        let first = cal.add(opened, span(a, Unit::Days), &Tzdb).expect("a");
        let local = |at: DateTime<Utc>| cal.in_offset(at, &Tzdb).expect("offset").naive_local().time();
        // A wall time inside a spring-forward gap moves to the end of the gap; adding then differs.
        prop_assume!(local(first) == local(opened));
        let stepwise = cal.add(first, span(b, Unit::Days), &Tzdb);
        prop_assert_eq!(stepwise, cal.add(opened, span(a + b, Unit::Days), &Tzdb));
    }

    #[test]
    fn round_the_clock_business_hours_are_real_hours_across_dst(zone in 0..ZONES.len(), opened in instant(), hours in 1i64..2_000) {
        let cal = BusinessCalendar::with_hours("all-day", ZONES[zone], std::array::from_fn(|_| vec![(0, 1_440)]), [])
            .expect("valid");
        prop_assert_eq!(cal.add(opened, span(hours, Unit::BusinessHours), &Tzdb), Ok(opened + TimeDelta::hours(hours)));
    }

    #[test]
    fn business_days_keep_the_wall_time_across_dst(zone in 0..2usize, opened in instant(), days in 1i64..300) {
        // New York and Lisbon, open 00:00–24:00 every day: n business days later is the same wall
        // time n dates later (unless that time falls in a gap).
        let cal = BusinessCalendar::with_hours("all-day", ZONES[zone], std::array::from_fn(|_| vec![(0, 1_440)]), [])
            .expect("valid");
        let due = cal.add(opened, span(days, Unit::BusinessDays), &Tzdb).expect("due");
        let local = |at: DateTime<Utc>| cal.in_offset(at, &Tzdb).expect("offset").naive_local();
        let expected = local(opened) + chrono::Days::new(days as u64);
        if local(due) != expected {
            // Only a spring-forward gap may move it, and only forward, by at most an hour.
            prop_assert!(local(due) > expected && local(due) - expected <= TimeDelta::hours(1),
                "{} business days from {opened}: {due} (local {}) vs {expected}", days, local(due));
        }
    }
}
