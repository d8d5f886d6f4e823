//! The pacing of timed work (jobs, backups, snapshots, scheduled writes): how far it has come at an
//! instant, read lazily whenever a request looks, so no background task has to move it.

use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The share of its duration timed work stays queued before it visibly runs.
pub const QUEUED_SHARE: f64 = 0.1;

/// How far timed work has come: 0 when started, 1 once the duration has passed.
pub fn fraction(started: Instant, now: Instant, d: Duration) -> f64 {
    if d.is_zero() {
        return 1.0;
    }
    (now.saturating_duration_since(started).as_secs_f64() / d.as_secs_f64()).min(1.0)
}

pub fn round2(f: f64) -> f64 {
    (f * 100.0).round() / 100.0
}

/// In-flight progress to two decimals, never reading as not-started or done.
pub fn partial(f: f64) -> f64 {
    round2(f).clamp(0.01, 0.99)
}

/// Progress as JSON: integral `0` and `1` at the ends, a fraction in between.
pub fn progress_json(p: f64) -> Value {
    match p {
        p if p <= 0.0 => json!(0),
        p if p >= 1.0 => json!(1),
        p => json!(p),
    }
}

/// Where timed work stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    Queued,
    /// Running, with its in-flight progress.
    Running(f64),
    Done,
    /// Failed on reaching the fraction it was doomed to fail at.
    Failed,
}

/// The phase of work started at `started` taking `d`, which fails on reaching `fail_at` if given.
pub fn phase(started: Instant, now: Instant, d: Duration, fail_at: Option<f64>) -> Phase {
    let f = fraction(started, now, d);
    if f < QUEUED_SHARE {
        Phase::Queued
    } else if fail_at.is_some_and(|at| f >= at) {
        Phase::Failed
    } else if f < 1.0 {
        Phase::Running(partial(f))
    } else {
        Phase::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Work is queued, then runs, then ends done, or failed at its point of failure.
    #[test]
    fn phases() {
        let start = Instant::now();
        let d = Duration::from_secs(10);
        let at = |secs: f64| start + Duration::from_secs_f64(secs);
        assert_eq!(phase(start, at(0.5), d, None), Phase::Queued);
        assert_eq!(phase(start, at(4.0), d, None), Phase::Running(0.4));
        assert_eq!(phase(start, at(10.0), d, None), Phase::Done);
        assert_eq!(phase(start, at(4.0), d, Some(0.33)), Phase::Failed);
        assert_eq!(phase(start, at(2.0), d, Some(0.33)), Phase::Running(0.2));
        assert_eq!(phase(start, start, Duration::ZERO, None), Phase::Done);
        assert_eq!(progress_json(1.0), json!(1));
        assert_eq!(partial(0.999), 0.99);
    }
}
