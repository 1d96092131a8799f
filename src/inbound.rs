//! The receiving side of one node: per sender, which events were delivered, which arrive twice,
//! and which are missing.
//!
//! Owns: exactly-once, in-order admission of events per sender, and the bookkeeping that feeds
//! acknowledgements and re-send requests. It must not deliver anything or touch the network:
//! it answers "deliver, drop, or ask again", and the emitter acts.
//!
//! Rules, per sender: the first frame ever seen from a sender sets where this node starts (the
//! oldest event the sender still holds); after that an event is delivered only if it is the next
//! in sequence. A later one is held back (a gap:
//! something was lost on the way) and the node asks the sender to re-send. If the sender says it
//! no longer holds the missing events (its `retained_from` is past them), they are lost for good:
//! the node moves on and reports how many it missed.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

/// What to do with one incoming events frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// It continues the sender's sequence: deliver its events numbered above `after` (those at
    /// or below were delivered already).
    Deliver { after: u64 },
    /// Earlier events are missing: drop it; it comes again after a re-send.
    Gap,
}

#[derive(Debug)]
struct FromSender {
    delivered: u64,
    acked_up_to: u64,
    last_nack: Option<Instant>,
}

impl FromSender {
    /// A sender whose events up to `seq` this node is not owed.
    fn after(seq: u64) -> Self {
        FromSender { delivered: seq, acked_up_to: seq, last_nack: None }
    }
}

/// Admission state for every sender this node heard from.
#[derive(Debug, Default)]
pub(crate) struct Inbound {
    senders: HashMap<u64, FromSender>,
}

impl Inbound {
    /// Admits a frame of `sender` that accounts for sequence numbers `covers` (events not in it
    /// were wanted by nobody here) while the sender still holds everything from
    /// `retained_from` on. A sender heard for the first time starts at `retained_from`: what it
    /// sent before is held by every member, so this node was not one yet. Returns how many
    /// events this node missed for good (the sender no longer holds them), if any.
    pub(crate) fn frame(
        &mut self,
        sender: u64,
        retained_from: u64,
        covers: RangeInclusive<u64>,
    ) -> (Option<u64>, Admit) {
        let start = retained_from.saturating_sub(1);
        let state = self.senders.entry(sender).or_insert_with(|| FromSender::after(start));
        let missed = retained_from.saturating_sub(state.delivered + 1);
        let lost = (missed > 0).then(|| {
            state.delivered = retained_from - 1;
            state.last_nack = None;
            missed
        });
        if *covers.start() > state.delivered + 1 {
            return (lost, Admit::Gap);
        }
        let after = state.delivered;
        if *covers.end() > state.delivered {
            state.delivered = *covers.end();
            state.last_nack = None;
        }
        (lost, Admit::Deliver { after })
    }

    /// The hub says this node is not owed `sender`'s events up to `seq` (they were relayed
    /// before it connected). Ignored for senders already heard.
    pub(crate) fn start_after(&mut self, sender: u64, seq: u64) {
        self.senders.entry(sender).or_insert_with(|| FromSender::after(seq));
    }

    /// After a gap from `sender`: the sequence number to ask for again, unless this node asked
    /// less than `every` ago.
    pub(crate) fn nack_due(&mut self, sender: u64, now: Instant, every: Duration) -> Option<u64> {
        let state = self.senders.get_mut(&sender)?;
        if state.last_nack.is_some_and(|at| now.duration_since(at) < every) {
            return None;
        }
        state.last_nack = Some(now);
        Some(state.delivered + 1)
    }

    /// A sender said its latest sequence number is `last_seq`: if this node has fewer, the
    /// sequence number to ask for (rate-limited like [`Inbound::nack_due`]).
    pub(crate) fn behind(
        &mut self,
        sender: u64,
        last_seq: u64,
        now: Instant,
        every: Duration,
    ) -> Option<u64> {
        let delivered = self.senders.get(&sender)?.delivered;
        (last_seq > delivered).then(|| self.nack_due(sender, now, every)).flatten()
    }

    /// Senders whose delivered sequence moved since the last call, with that sequence.
    pub(crate) fn take_new_acks(&mut self) -> Vec<(u64, u64)> {
        self.senders
            .iter_mut()
            .filter(|(_, s)| s.delivered > s.acked_up_to)
            .map(|(sender, s)| {
                s.acked_up_to = s.delivered;
                (*sender, s.delivered)
            })
            .collect()
    }

    /// Everything delivered, per sender (for a hello to a new hub).
    pub(crate) fn delivered(&self) -> Vec<(u64, u64)> {
        self.senders.iter().map(|(sender, s)| (*sender, s.delivered)).collect()
    }

    /// The latest sequence delivered from `sender`, if it was ever heard.
    pub(crate) fn delivered_from(&self, sender: u64) -> Option<u64> {
        self.senders.get(&sender).map(|s| s.delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELIVER: fn(u64) -> Admit = |after| Admit::Deliver { after };

    #[test]
    fn the_first_frame_sets_the_start_then_frames_must_continue_the_sequence() {
        let mut inbound = Inbound::default();
        assert_eq!(inbound.frame(7, 5, 6..=8), (None, Admit::Gap), "5 is still held: wait for it");
        assert_eq!(inbound.frame(7, 5, 5..=8), (None, DELIVER(4)));
        assert_eq!(inbound.frame(7, 5, 5..=8), (None, DELIVER(8)), "everything a duplicate");
        assert_eq!(inbound.frame(7, 5, 9..=9), (None, DELIVER(8)));
        assert_eq!(inbound.take_new_acks(), vec![(7, 9)]);
        assert_eq!(inbound.take_new_acks(), vec![]);
    }

    #[test]
    fn a_covered_range_without_events_still_moves_the_sequence() {
        let mut inbound = Inbound::default();
        inbound.frame(1, 1, 1..=3);
        assert_eq!(inbound.frame(1, 1, 4..=10), (None, DELIVER(3)), "4..=10 wanted by nobody here");
        assert_eq!(inbound.delivered_from(1), Some(10));
    }

    #[test]
    fn gaps_are_asked_for_again_at_most_once_per_interval() {
        let mut inbound = Inbound::default();
        let now = Instant::now();
        let every = Duration::from_millis(50);
        inbound.frame(1, 1, 1..=1);
        assert_eq!(inbound.frame(1, 1, 3..=3).1, Admit::Gap);
        assert_eq!(inbound.nack_due(1, now, every), Some(2));
        assert_eq!(inbound.nack_due(1, now + every / 2, every), None);
        assert_eq!(inbound.nack_due(1, now + every, every), Some(2));
        assert_eq!(inbound.behind(1, 1, now + every * 3, every), None, "not behind");
        assert_eq!(inbound.behind(1, 9, now + every * 3, every), Some(2));
    }

    #[test]
    fn events_the_sender_no_longer_holds_are_reported_lost() {
        let mut inbound = Inbound::default();
        inbound.frame(1, 1, 1..=1);
        assert_eq!(inbound.frame(1, 10, 10..=10), (Some(8), DELIVER(9)));
        assert_eq!(
            inbound.frame(99, 10, 10..=10),
            (None, DELIVER(9)),
            "a new sender has no history"
        );
        inbound.start_after(98, 20);
        assert_eq!(inbound.frame(98, 15, 15..=20), (None, DELIVER(20)), "the hub's word counts");
        assert_eq!(inbound.frame(98, 15, 21..=21), (None, DELIVER(20)));
    }
}
