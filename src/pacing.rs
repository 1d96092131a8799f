//! How many bytes of emitted events a node lets wait for acknowledgement, adapted to the delay
//! they cause: latency bounded by time, with `max_pending_bytes` as the hard memory cap.
//!
//! Owns: the *window* (bytes a node may have pending right now, between a floor and
//! `max_pending_bytes`), the measure of the delay an event spends pending (from its reservation
//! to its release, when every member holds it), and the rule that moves the window. It must not
//! reserve or release bytes (the pending bound does, and tells this module) nor know about frames.
//!
//! # The rule
//! Like CoDel, it watches the *smallest* delay of an interval (100 ms): a queue that never
//! drains below the target is standing in front of every event, however fast events flow; one
//! that dips below it is only a burst. After an interval whose smallest delay stayed above the
//! target (20 ms by default), the window shrinks by a quarter, down to the floor; after one that
//! dipped below while emitters were held back by the window, it grows by a quarter, up to
//! `max_pending_bytes`. The floor (four frames' worth, `batch_bytes` × 4) keeps frames full and
//! the protocol's window of frames in flight, so goodput is kept while the queue is not. The
//! window starts at the floor, as TCP's slow start does: a node earns a larger one by showing
//! that the delay stays below the target. Starting at the cap, a burst queued the whole cap
//! (64 MiB, about a million small events) in the first second, before the window came down.
//!
//! The delay is measured without a timestamp per event: every [`SAMPLE_EVERY`]-th reservation
//! notes the running total of bytes reserved and the time, and a release that brings the running
//! total of bytes released past a note reads its delay from it (events are released in the
//! order they were reserved).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One reservation in this many is noted with the time.
pub(crate) const SAMPLE_EVERY: u64 = 64;

/// Most notes kept: past it the oldest is dropped (its delay is then read from a later one).
const MAX_NOTES: usize = 4096;

/// How long an interval lasts.
pub(crate) const INTERVAL: Duration = Duration::from_millis(100);

/// The window over the pending bound, and what moves it.
#[derive(Debug)]
pub(crate) struct Pacing {
    /// The delay an event may spend pending before the window shrinks; `None`: the window is
    /// always `max_pending_bytes`.
    target: Option<Duration>,
    /// The smallest window.
    floor: usize,
    /// `max_pending_bytes`: the largest window.
    max: usize,
    /// Bytes a node may have pending now.
    window: AtomicUsize,
    /// Reservations so far (every [`SAMPLE_EVERY`]-th is noted).
    reservations: AtomicU64,
    /// Bytes reserved so far, all told.
    reserved_total: AtomicU64,
    /// An emitter was held back by the window (not by `max_pending_bytes`) this interval.
    held_back: AtomicBool,
    /// The notes and the interval's measure.
    measure: Mutex<Measure>,
}

/// The notes of reservation times and what the current interval saw.
#[derive(Debug)]
struct Measure {
    /// `(bytes reserved so far, when)`, oldest first.
    notes: VecDeque<(u64, Instant)>,
    /// Bytes released so far, all told.
    released_total: u64,
    /// When the current interval began.
    interval_start: Instant,
    /// The smallest delay seen this interval.
    smallest: Option<Duration>,
}

impl Pacing {
    /// A window between `floor` and `max` bytes that keeps the delay near `target`, starting at
    /// the floor (without a target: always `max`).
    pub(crate) fn new(target: Option<Duration>, floor: usize, max: usize, now: Instant) -> Self {
        let floor = floor.min(max);
        Pacing {
            target,
            floor,
            max,
            window: AtomicUsize::new(if target.is_some() { floor } else { max }),
            reservations: AtomicU64::new(0),
            reserved_total: AtomicU64::new(0),
            held_back: AtomicBool::new(false),
            measure: Mutex::new(Measure {
                notes: VecDeque::new(),
                released_total: 0,
                interval_start: now,
                smallest: None,
            }),
        }
    }

    /// `max_pending_bytes`: the largest window.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Bytes a node may have pending now.
    pub(crate) fn window(&self) -> usize {
        self.window.load(Ordering::Acquire)
    }

    /// An emitter could not reserve because of the window while `max_pending_bytes` had room.
    pub(crate) fn held_back(&self) {
        self.held_back.store(true, Ordering::Release);
    }

    /// `n` bytes were reserved at `now` (read only every [`SAMPLE_EVERY`]-th time).
    pub(crate) fn reserved(&self, n: usize, now: impl FnOnce() -> Instant) {
        if self.target.is_none() {
            return;
        }
        let total = self.reserved_total.fetch_add(n as u64, Ordering::AcqRel) + n as u64;
        if self.reservations.fetch_add(1, Ordering::AcqRel).is_multiple_of(SAMPLE_EVERY) {
            let mut measure = self.measure.lock().unwrap_or_else(|e| e.into_inner());
            if measure.notes.len() >= MAX_NOTES {
                measure.notes.pop_front();
            }
            measure.notes.push_back((total, now()));
        }
    }

    /// `n` bytes were released at `now`: reads the delay of the noted reservations it covers,
    /// and moves the window at the end of an interval.
    pub(crate) fn released(&self, n: usize, now: Instant) {
        let Some(target) = self.target else { return };
        let mut measure = self.measure.lock().unwrap_or_else(|e| e.into_inner());
        measure.released_total += n as u64;
        let released = measure.released_total;
        while let Some(&(total, at)) = measure.notes.front() {
            if total > released {
                break;
            }
            measure.notes.pop_front();
            let delay = now.saturating_duration_since(at);
            measure.smallest = Some(measure.smallest.map_or(delay, |d| d.min(delay)));
        }
        if now.saturating_duration_since(measure.interval_start) < INTERVAL {
            return;
        }
        let held_back = self.held_back.swap(false, Ordering::AcqRel);
        let window = self.window();
        let moved = match measure.smallest {
            Some(smallest) if smallest > target => (window - window / 4).max(self.floor),
            Some(_) if held_back => (window + window / 4).min(self.max),
            _ => window,
        };
        self.window.store(moved, Ordering::Release);
        measure.interval_start = now;
        measure.smallest = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1024 * 1024;

    /// Reserves and releases `events` of `size` bytes, each pending for `delay`, over
    /// `intervals` intervals; returns the window after each interval.
    fn run(
        pacing: &Pacing,
        start: Instant,
        delay: Duration,
        intervals: u32,
        held: bool,
    ) -> Vec<usize> {
        let mut windows = Vec::new();
        let mut now = start;
        for _ in 0..intervals {
            for _ in 0..SAMPLE_EVERY * 4 {
                pacing.reserved(100, || now);
                if held {
                    pacing.held_back();
                }
                pacing.released(100, now + delay);
            }
            now += INTERVAL;
            pacing.released(0, now + delay);
            windows.push(pacing.window());
        }
        windows
    }

    #[test]
    fn the_window_starts_at_the_floor_and_grows_while_the_delay_stays_below_the_target() {
        let start = Instant::now();
        let pacing = Pacing::new(Some(Duration::from_millis(20)), 4 * MIB, 64 * MIB, start);
        assert_eq!(pacing.window(), 4 * MIB);
        let growing = run(&pacing, start, Duration::from_millis(1), 30, true);
        assert!(growing.windows(2).all(|w| w[1] >= w[0]), "{growing:?}");
        assert_eq!(*growing.last().unwrap(), 64 * MIB, "up to max_pending_bytes");
    }

    #[test]
    fn a_standing_queue_shrinks_the_window_to_the_floor_and_a_drained_one_grows_it_back() {
        let start = Instant::now();
        let target = Duration::from_millis(20);
        let pacing = Pacing::new(Some(target), 4 * MIB, 64 * MIB, start);
        let shrinking = run(&pacing, start, Duration::from_millis(200), 20, true);
        assert!(shrinking.windows(2).all(|w| w[1] <= w[0]), "{shrinking:?}");
        assert_eq!(*shrinking.last().unwrap(), 4 * MIB, "down to the floor");
        let start = start + INTERVAL * 21;
        let growing = run(&pacing, start, Duration::from_millis(1), 30, true);
        assert_eq!(*growing.last().unwrap(), 64 * MIB, "back up to max_pending_bytes");
        // Below the target but nobody held back: the window stays where it is.
        let pacing = Pacing::new(Some(target), 4 * MIB, 64 * MIB, start);
        let shrunk = run(&pacing, start, Duration::from_millis(200), 3, false);
        let steady = run(&pacing, start + INTERVAL * 4, Duration::from_millis(1), 5, false);
        assert!(steady.iter().all(|w| *w == *shrunk.last().unwrap()), "{steady:?}");
    }

    #[test]
    fn without_a_target_the_window_is_the_memory_cap() {
        let start = Instant::now();
        let pacing = Pacing::new(None, 4 * MIB, 64 * MIB, start);
        let windows = run(&pacing, start, Duration::from_secs(1), 5, true);
        assert!(windows.iter().all(|w| *w == 64 * MIB));
    }

    #[test]
    fn the_window_stays_between_the_floor_and_the_cap_whatever_the_delays() {
        bolero::check!().with_type::<Vec<(u16, u16, bool)>>().for_each(|steps| {
            let start = Instant::now();
            let pacing = Pacing::new(Some(Duration::from_millis(20)), 1000, 100_000, start);
            let mut now = start;
            for &(size, delay_ms, held) in steps {
                pacing.reserved(usize::from(size), || now);
                if held {
                    pacing.held_back();
                }
                now += Duration::from_millis(u64::from(delay_ms % 200));
                pacing.released(usize::from(size), now);
                assert!((1000..=100_000).contains(&pacing.window()));
            }
        });
    }
}
