//! SLA state of one target (first response or resolution) at an instant.
//!
//! - `pending`: not met yet, more than the due-soon share of its time left;
//! - `due_soon`: not met yet, less than that share left (default 25 %);
//! - `overdue`: not met and past its due time (the ticket is escalated);
//! - `met`: met at or before its due time;
//! - `breached`: met, but after its due time.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    Pending,
    DueSoon,
    Overdue,
    Met,
    Breached,
}

/// State of a target opened at `opened_ms`, due at `due_ms`, met at `met_ms` (if it was), at `now_ms`.
pub fn state(opened_ms: i64, due_ms: i64, met_ms: Option<i64>, now_ms: i64, due_soon_percent: u8) -> SlaState {
    if let Some(met) = met_ms {
        return if met <= due_ms { SlaState::Met } else { SlaState::Breached };
    }
    if now_ms >= due_ms {
        return SlaState::Overdue;
    }
    let total = i128::from((due_ms - opened_ms).max(1));
    let remaining = i128::from(due_ms - now_ms);
    if remaining * 100 < total * i128::from(due_soon_percent) {
        SlaState::DueSoon
    } else {
        SlaState::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn open_target_moves_from_pending_to_due_soon_to_overdue() {
        // Opened at 0, due at 4 h, due soon in the last 25 % (the last hour).
        assert_eq!(state(0, 4 * HOUR, None, 0, 25), SlaState::Pending);
        assert_eq!(state(0, 4 * HOUR, None, 3 * HOUR, 25), SlaState::Pending);
        assert_eq!(state(0, 4 * HOUR, None, 3 * HOUR + 1, 25), SlaState::DueSoon);
        assert_eq!(state(0, 4 * HOUR, None, 4 * HOUR, 25), SlaState::Overdue);
    }

    #[test]
    fn met_targets_are_met_or_breached_whatever_the_time() {
        assert_eq!(state(0, HOUR, Some(HOUR), 10 * HOUR, 25), SlaState::Met);
        assert_eq!(state(0, HOUR, Some(HOUR + 1), 10 * HOUR, 25), SlaState::Breached);
    }

    #[test]
    fn zero_percent_never_warns() {
        assert_eq!(state(0, HOUR, None, HOUR - 1, 0), SlaState::Pending);
    }
}
