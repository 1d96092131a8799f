//! A warning repeated at most once every [`WARN_EVERY`], with the count of the occurrences it
//! was not written for: a peer or a failure that keeps coming must not flood the log, and whoever
//! reads it still learns how often it came.
//!
//! Owns: when a repeated warning is due and how many went unwritten. It must not word or write
//! warnings: its callers do.

use std::time::{Duration, Instant};

/// At most one warning of a kind this often.
pub(crate) const WARN_EVERY: Duration = Duration::from_secs(10);

/// One kind of warning: when it was last written, and how often it came since.
#[derive(Debug, Default)]
pub(crate) struct WarnEvery {
    /// When the warning was last written (`None`: never, so the next is due).
    last_written: Option<Instant>,
    /// Occurrences since then that were not written.
    unwritten: u64,
}

impl WarnEvery {
    /// Another occurrence at `now`: `Some(occurrences not written since the last warning)` when
    /// the warning is due, else `None` (this one is counted for the next).
    pub(crate) fn due(&mut self, now: Instant) -> Option<u64> {
        if self.last_written.is_some_and(|at| now.duration_since(at) < WARN_EVERY) {
            self.unwritten += 1;
            return None;
        }
        self.last_written = Some(now);
        Some(std::mem::take(&mut self.unwritten))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_once_per_period_with_the_count_of_the_others() {
        let mut warning = WarnEvery::default();
        let start = Instant::now();
        assert_eq!(warning.due(start), Some(0), "the first is written");
        assert_eq!(warning.due(start + Duration::from_secs(1)), None);
        assert_eq!(warning.due(start + Duration::from_secs(9)), None);
        assert_eq!(warning.due(start + WARN_EVERY), Some(2), "again, with the two not written");
        assert_eq!(warning.due(start + WARN_EVERY), None);
    }
}
