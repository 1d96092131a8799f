//! What a bench receiver counts, and what a bench process reports of it.
//!
//! Owns: the payload's send time (its first 8 bytes, nanoseconds of the wall clock, which every
//! process on one machine shares), the receiver's tally (each sender's sequence numbers seen, as
//! a bitmap: unique events and duplicates; the wall-clock times of the first and last delivery;
//! the latency from the send time to the listener in a histogram; the events it was told it will
//! never get, for a system that tells), and the reports a producer
//! and a consumer print, which the orchestrator merges. It must not know which system carried
//! the events.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The largest latency the histograms hold, in microseconds (an hour); longer ones count as it.
const MAX_LATENCY_US: u64 = 3_600_000_000;

/// How long a consumer waits for more events once none came, before it calls the rest lost:
/// longer than core NATS's interval between the markers that tell of losses at the tail (1 s).
const QUIET_FOR: Duration = Duration::from_secs(2);

/// Nanoseconds since the Unix epoch.
pub fn now_ns() -> u64 {
    std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos() as u64)
}

/// A payload of `size` bytes (at least 8) that starts with the time it is made, just before
/// it is emitted.
pub fn payload(size: usize) -> Vec<u8> {
    let mut bytes = vec![0x5a; size.max(8)];
    bytes[..8].copy_from_slice(&now_ns().to_le_bytes());
    bytes
}

/// The send time at the start of a payload (0 when it is too short).
pub fn sent_ns(payload: &[u8]) -> u64 {
    payload.get(..8).map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
}

/// An empty latency histogram, in microseconds, three significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("constant, valid bounds")
}

/// A histogram as (value, count) pairs of its recorded buckets: what a process prints, and
/// what [`merge`] adds into another histogram in the orchestrator.
pub fn buckets(histogram: &Histogram<u64>) -> Vec<[u64; 2]> {
    histogram.iter_recorded().map(|v| [v.value_iterated_to(), v.count_at_value()]).collect()
}

/// Adds the buckets of another process's histogram into `into`.
pub fn merge(into: &mut Histogram<u64>, buckets: &[[u64; 2]]) {
    for &[value, count] in buckets {
        into.saturating_record_n(value.clamp(1, MAX_LATENCY_US), count);
    }
}

/// What a producer reports when it is done: how many events it emitted, from when.
#[derive(Serialize, Deserialize, Clone, Copy, Default)]
pub struct Produced {
    /// Events it emitted: every consumer is owed this many from it, and the orchestrator sums them
    /// into each consumer's `report <expected>`.
    pub emitted: u64,
    /// Wall-clock nanoseconds of its first emit (0 if it emitted nothing).
    pub first_ns: u64,
}

/// What a consumer reports.
#[derive(Serialize, Deserialize, Clone, Default)]
pub struct Received {
    /// Distinct (sender, sequence number) pairs delivered.
    pub unique: u64,
    /// Deliveries of a pair delivered before.
    pub duplicates: u64,
    /// Wall-clock nanoseconds of the first delivery (0 if none).
    pub first_ns: u64,
    /// Wall-clock nanoseconds of the last delivery (0 if none): where the row's `seconds`, and so
    /// its goodput, end.
    pub last_ns: u64,
    /// The latency histogram's buckets, see [`buckets`].
    pub latency_us: Vec<[u64; 2]>,
    /// Events the receiver was told it will never get (nanomitter's `$lagged` notices).
    #[serde(default)]
    pub told_missed: u64,
}

/// The sequence numbers of one sender seen so far, one bit each.
#[derive(Default)]
struct Seen {
    /// Bit `seq % 64` of word `seq / 64` is set once `seq` was delivered; the words grow as higher
    /// numbers arrive.
    bits: Vec<u64>,
}

impl Seen {
    /// Marks `seq`; `false` if it was marked before.
    fn insert(&mut self, seq: u64) -> bool {
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        let was = self.bits[word] & (1 << bit) != 0;
        self.bits[word] |= 1 << bit;
        !was
    }
}

/// What a consumer has received so far.
pub struct Tally {
    /// Per sender (the emitting node's id, or the producer id a baseline's message starts with),
    /// the sequence numbers delivered: what tells a duplicate from a new event.
    seen: HashMap<u64, Seen>,
    /// Deliveries of a (sender, sequence number) pair not seen before: what `settled` compares with
    /// the events owed.
    unique: u64,
    /// Deliveries of a pair seen before.
    duplicates: u64,
    /// Wall-clock nanoseconds of the first delivery, 0 until then.
    first_ns: u64,
    /// Wall-clock nanoseconds of the latest delivery: a clock every process on the machine shares,
    /// so the orchestrator can measure from a producer's first emit to it.
    last_ns: u64,
    /// When the latest delivery came, on this process's monotonic clock: `settled` waits for a
    /// quiet spell from it. `None` before any.
    last: Option<Instant>,
    /// Microseconds from each event's send time to its delivery; reported as buckets, which the
    /// orchestrator merges.
    latency_us: Histogram<u64>,
    /// Events the receiver was told it will never get.
    told_missed: u64,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            seen: HashMap::new(),
            unique: 0,
            duplicates: 0,
            first_ns: 0,
            last_ns: 0,
            last: None,
            latency_us: histogram(),
            told_missed: 0,
        }
    }
}

impl Tally {
    /// One delivery of `sender`'s event number `seq`, sent at `sent_ns`.
    pub fn record(&mut self, sender: u64, seq: u64, sent_ns: u64) {
        let now = now_ns();
        if self.first_ns == 0 {
            self.first_ns = now;
        }
        self.last_ns = now;
        self.last = Some(Instant::now());
        if self.seen.entry(sender).or_default().insert(seq) {
            self.unique += 1;
        } else {
            self.duplicates += 1;
        }
        self.latency_us.saturating_record((now.saturating_sub(sent_ns) / 1000).max(1));
    }

    /// The receiver was told it will never get `missed` events.
    pub fn told_missed(&mut self, missed: u64) {
        self.told_missed += missed;
        self.last = Some(Instant::now());
    }

    /// Whether `expected` distinct events arrived or were told missed, or nothing more came for
    /// a while (the rest are lost).
    pub fn settled(&self, expected: u64) -> bool {
        self.unique + self.told_missed >= expected
            || self.last.is_none_or(|l| l.elapsed() > QUIET_FOR)
    }

    pub fn report(&self) -> Received {
        Received {
            unique: self.unique,
            duplicates: self.duplicates,
            first_ns: self.first_ns,
            last_ns: self.last_ns,
            latency_us: buckets(&self.latency_us),
            told_missed: self.told_missed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_counted_apart_from_unique_events() {
        let mut tally = Tally::default();
        for (sender, seq) in [(1, 1), (1, 2), (2, 1), (1, 2), (1, 700)] {
            tally.record(sender, seq, now_ns());
        }
        let report = tally.report();
        assert_eq!((report.unique, report.duplicates), (4, 1));
        assert!(tally.settled(4));
    }

    #[test]
    fn events_told_missed_settle_what_was_owed() {
        let mut tally = Tally::default();
        tally.record(1, 1, now_ns());
        assert!(!tally.settled(3));
        tally.told_missed(2);
        assert!(tally.settled(3));
        let report = tally.report();
        assert_eq!((report.unique, report.told_missed), (1, 2));
    }

    #[test]
    fn merged_histograms_keep_their_percentiles() {
        let (mut a, mut b) = (histogram(), histogram());
        for v in 1..=500 {
            a.record(v).unwrap();
            b.record(v + 500).unwrap();
        }
        let mut merged = histogram();
        merge(&mut merged, &buckets(&a));
        merge(&mut merged, &buckets(&b));
        assert_eq!(merged.len(), 1000);
        let p50 = merged.value_at_quantile(0.5);
        assert!((499..=501).contains(&p50), "p50 {p50}");
    }
}
