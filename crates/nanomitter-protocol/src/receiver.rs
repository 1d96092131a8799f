//! The receiving side of one node, as plain data: per sender, which events were delivered, which
//! arrive twice, which are missing, and how far listeners took them.
//!
//! Owns: exactly-once, in-order admission of events per sender, and the bookkeeping that feeds
//! acknowledgements and re-send requests. It must not deliver anything or touch the network:
//! it answers "deliver, drop, or ask again", and the node acts. Acknowledgements follow what
//! listeners *took*, not what was admitted, so a slow listener holds back its senders.
//!
//! Rules, per sender: the first frame ever seen from a sender sets where this node starts (the
//! oldest event the sender still holds); after that an event is delivered only if it is the next
//! in sequence. A later one is held back (a gap:
//! something was lost on the way) and the node asks the sender to re-send. If the sender says it
//! no longer holds the missing events (its `retained_from` is past them), they are lost for good:
//! the node moves on and reports how many it missed.

use crate::hashing::Map;
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

/// What to do with one incoming events frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// It continues the sender's sequence: deliver its events numbered above `after` (those at
    /// or below were delivered already).
    Deliver {
        /// The latest sequence number of the sender admitted before this frame.
        after: u64,
    },
    /// Earlier events are missing: drop it; it comes again after a re-send.
    Gap,
}

/// What this node knows of one sender's events: how far it admitted them, how far its listeners
/// took them and were acknowledged, and its re-send requests.
#[derive(Debug)]
struct FromSender {
    /// The latest sequence number admitted (handed to listeners, or wanted by none here).
    delivered: u64,
    /// The latest sequence number listeners took: what this node acknowledges.
    taken: u64,
    /// The latest sequence number acknowledged so far.
    acked_up_to: u64,
    /// When this node last asked the sender again (requests are rate-limited).
    last_nack: Option<Instant>,
    /// The latest sequence number the sender's hello claimed while this node was behind it,
    /// and when: those events may still be on their way (a hello is relayed at once, events
    /// may wait in the hub's queue), so only a claim that old and still unmet is asked for.
    claimed: Option<(u64, Instant)>,
    /// Where this node started with the sender: nothing up to here was delivered here. A
    /// member back after going silent may have started at the sender's next frame, past
    /// events it was owed (see [`Receiver::owed`]).
    started_after: u64,
    /// Whether the hub said this node was not owed anything up to `started_after` (it joined
    /// after those were relayed): then nothing before it is ever lost here.
    owed_nothing_before: bool,
}

impl FromSender {
    /// A sender whose events up to `seq` this node is not owed.
    fn after(seq: u64) -> Self {
        FromSender {
            delivered: seq,
            taken: seq,
            acked_up_to: seq,
            last_nack: None,
            claimed: None,
            started_after: seq,
            owed_nothing_before: false,
        }
    }

    /// The sequence number to ask for again, unless this node asked less than `every` ago.
    fn nack(&mut self, now: Instant, every: Duration) -> Option<u64> {
        if self.last_nack.is_some_and(|at| now.duration_since(at) < every) {
            return None;
        }
        self.last_nack = Some(now);
        Some(self.delivered + 1)
    }
}

/// Admission state for every sender this node heard from.
#[derive(Debug, Default)]
pub(crate) struct Receiver {
    /// Per sender node id, its events' admission here. An entry starts with the sender's first
    /// events frame (at its `retained_from`), the hub's word of where this node starts (see
    /// [`Receiver::start_after`]) or the sender's word that this node went silent (see
    /// [`Receiver::owed`]), and goes once the sender left for good.
    senders: Map<u64, FromSender>,
}

impl Receiver {
    /// How many senders are tracked.
    #[cfg(test)]
    pub(crate) fn senders(&self) -> usize {
        self.senders.len()
    }

    /// Admits a frame of `sender` that accounts for sequence numbers `covers` (events not in it
    /// were wanted by nobody here) while the sender still holds everything from
    /// `retained_from` on. A sender heard for the first time starts at `retained_from`: what it
    /// sent before is held by every member, so this node was not one yet. Returns the events
    /// this node missed for good (the sender no longer holds them), if any. Sequence numbers
    /// are checked by the wire format to stay far below `u64::MAX`.
    pub(crate) fn frame(
        &mut self,
        sender: u64,
        retained_from: u64,
        covers: RangeInclusive<u64>,
    ) -> (Option<RangeInclusive<u64>>, Admit) {
        let start = retained_from.saturating_sub(1);
        let state = self.senders.entry(sender).or_insert_with(|| FromSender::after(start));
        let lost = state.skip_lost(retained_from);
        if *covers.start() > state.delivered.saturating_add(1) {
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
        self.senders
            .entry(sender)
            .or_insert_with(|| FromSender { owed_nothing_before: true, ..FromSender::after(seq) });
    }

    /// `sender` says this node went away without a goodbye holding its events up to `held`.
    /// If this node started with the sender only since, past them: with nothing delivered
    /// since, it starts again after `held` (what the sender still holds is then asked for);
    /// else the events between are lost for good (its first frame here said the sender no
    /// longer held them), returned once. A sender not heard yet starts after `held`.
    pub(crate) fn owed(&mut self, sender: u64, held: u64) -> Option<RangeInclusive<u64>> {
        let state = self.senders.entry(sender).or_insert_with(|| FromSender::after(held));
        if held >= state.started_after {
            return None;
        }
        if state.delivered == state.started_after {
            *state = FromSender::after(held);
            return None;
        }
        if state.owed_nothing_before {
            // The sender knows only that this node held its events up to `held` when it went
            // away; it was never owed those up to `started_after`.
            return None;
        }
        let lost = held + 1..=state.started_after;
        state.started_after = held;
        Some(lost)
    }

    /// After a gap from `sender`: the sequence number to ask for again, unless this node asked
    /// less than `every` ago.
    pub(crate) fn nack_due(&mut self, sender: u64, now: Instant, every: Duration) -> Option<u64> {
        self.senders.get_mut(&sender)?.nack(now, every)
    }

    /// A sender said its latest sequence number is `last_seq` and the oldest it can still send
    /// again `retained_from`. Returns the events this node lacks that are lost for good (it
    /// moves past them), and the sequence number to ask for if a claim at least `patience` old
    /// is still unmet (rate-limited like [`Receiver::nack_due`]): until then the events may be
    /// on their way. Senders never heard are not owed.
    pub(crate) fn behind(
        &mut self,
        sender: u64,
        last_seq: u64,
        retained_from: u64,
        now: Instant,
        (patience, every): (Duration, Duration),
    ) -> (Option<RangeInclusive<u64>>, Option<u64>) {
        let Some(state) = self.senders.get_mut(&sender) else { return (None, None) };
        let lost = if last_seq > state.delivered {
            state.skip_lost(retained_from.min(last_seq.saturating_add(1)))
        } else {
            None
        };
        if last_seq <= state.delivered {
            state.claimed = None;
            return (lost, None);
        }
        match state.claimed {
            Some((claim, at)) if claim > state.delivered => {
                if now.duration_since(at) < patience {
                    return (lost, None);
                }
                state.claimed = Some((last_seq, now));
                (lost, state.nack(now, every))
            }
            _ => {
                state.claimed = Some((last_seq, now));
                (lost, None)
            }
        }
    }

    /// Listeners took `sender`'s events up to `seq`.
    pub(crate) fn taken(&mut self, sender: u64, seq: u64) {
        if let Some(state) = self.senders.get_mut(&sender) {
            state.taken = state.taken.max(seq.min(state.delivered));
        }
    }

    /// Senders whose taken sequence moved since the last call, with that sequence.
    pub(crate) fn take_new_acks(&mut self) -> Vec<(u64, u64)> {
        self.senders
            .iter_mut()
            .filter(|(_, s)| s.taken > s.acked_up_to)
            .map(|(sender, s)| {
                s.acked_up_to = s.taken;
                (*sender, s.taken)
            })
            .collect()
    }

    /// Everything listeners took, per sender (repeated in case an acknowledgement was lost).
    pub(crate) fn taken_all(&self) -> Vec<(u64, u64)> {
        self.senders.iter().map(|(sender, s)| (*sender, s.taken)).collect()
    }

    /// Forgets a sender that left for good.
    pub(crate) fn forget(&mut self, sender: u64) {
        self.senders.remove(&sender);
    }

    /// Everything delivered, per sender (for a hello to a new hub).
    pub(crate) fn delivered(&self) -> Vec<(u64, u64)> {
        self.senders.iter().map(|(sender, s)| (*sender, s.delivered)).collect()
    }

    /// The latest sequence delivered from `sender`, if it was ever heard.
    #[cfg(test)]
    pub(crate) fn delivered_from(&self, sender: u64) -> Option<u64> {
        self.senders.get(&sender).map(|s| s.delivered)
    }
}

impl FromSender {
    /// The sender holds nothing before `retained_from`: what this node lacks before it is lost
    /// for good. Moves past it and returns it.
    fn skip_lost(&mut self, retained_from: u64) -> Option<RangeInclusive<u64>> {
        let first_lacking = self.delivered.saturating_add(1);
        if retained_from <= first_lacking {
            return None;
        }
        self.delivered = retained_from - 1;
        self.last_nack = None;
        Some(first_lacking..=retained_from - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELIVER: fn(u64) -> Admit = |after| Admit::Deliver { after };

    #[test]
    fn the_first_frame_sets_the_start_then_frames_must_continue_the_sequence() {
        let mut receiver = Receiver::default();
        assert_eq!(receiver.frame(7, 5, 6..=8), (None, Admit::Gap), "5 is still held: wait for it");
        assert_eq!(receiver.frame(7, 5, 5..=8), (None, DELIVER(4)));
        assert_eq!(receiver.frame(7, 5, 5..=8), (None, DELIVER(8)), "everything a duplicate");
        assert_eq!(receiver.frame(7, 5, 9..=9), (None, DELIVER(8)));
        assert_eq!(receiver.take_new_acks(), vec![], "listeners took nothing yet");
        receiver.taken(7, 9);
        assert_eq!(receiver.take_new_acks(), vec![(7, 9)]);
        assert_eq!(receiver.take_new_acks(), vec![]);
    }

    #[test]
    fn a_covered_range_without_events_still_moves_the_sequence() {
        let mut receiver = Receiver::default();
        receiver.frame(1, 1, 1..=3);
        assert_eq!(
            receiver.frame(1, 1, 4..=10),
            (None, DELIVER(3)),
            "4..=10 wanted by nobody here"
        );
        assert_eq!(receiver.delivered_from(1), Some(10));
    }

    #[test]
    fn gaps_are_asked_for_again_at_most_once_per_interval() {
        let mut receiver = Receiver::default();
        let now = Instant::now();
        let every = Duration::from_millis(50);
        receiver.frame(1, 1, 1..=1);
        assert_eq!(receiver.frame(1, 1, 3..=3).1, Admit::Gap);
        assert_eq!(receiver.nack_due(1, now, every), Some(2));
        assert_eq!(receiver.nack_due(1, now + every / 2, every), None);
        assert_eq!(receiver.nack_due(1, now + every, every), Some(2));
        assert_eq!(receiver.behind(1, 1, 1, now, (every, every)), (None, None), "not behind");
    }

    /// A hello is relayed at once while events may wait in the hub's queue: what a hello claims
    /// is asked for only if it is still missing `patience` later (with many producers, asking at
    /// once made every producer send its whole window again, over and over).
    #[test]
    fn what_a_hello_claims_is_asked_for_only_once_it_is_overdue() {
        let mut receiver = Receiver::default();
        let now = Instant::now();
        let (patience, every) = (Duration::from_secs(1), Duration::from_millis(50));
        let limits = (patience, every);
        receiver.frame(1, 1, 1..=1);
        assert_eq!(receiver.behind(1, 9, 1, now, limits), (None, None), "9 may be on its way");
        assert_eq!(receiver.behind(1, 12, 1, now + patience / 2, limits), (None, None));
        assert_eq!(receiver.frame(1, 1, 2..=9).1, Admit::Deliver { after: 1 });
        assert_eq!(
            receiver.behind(1, 12, 1, now + patience, limits),
            (None, None),
            "the first claim was met: 12 is a new one"
        );
        assert_eq!(
            receiver.behind(1, 14, 1, now + patience * 2, limits),
            (None, Some(10)),
            "12, claimed a while ago, never came"
        );
        assert_eq!(
            receiver.behind(1, 14, 12, now + patience * 3, limits),
            (Some(10..=11), Some(12)),
            "the sender holds 12 on: 10..=11 are lost, 12 is asked for"
        );
        assert_eq!(
            receiver.behind(1, 14, 15, now + patience * 4, limits),
            (Some(12..=14), None),
            "the sender holds nothing more: everything lacking is lost"
        );
    }

    /// A member back after going silent that heard a sender only since (its first frame there
    /// came after the sender forgot what the member was owed) is told what it missed, once.
    #[test]
    fn a_returning_member_that_started_past_what_it_was_owed_is_told_it_missed_it() {
        let mut receiver = Receiver::default();
        assert_eq!(receiver.frame(1, 119, 119..=119), (None, DELIVER(118)));
        assert_eq!(receiver.owed(1, 0), Some(1..=118));
        assert_eq!(receiver.owed(1, 0), None, "told once");
        // Nothing delivered yet since it started: it starts over after what it held.
        receiver.start_after(2, 50);
        assert_eq!(receiver.owed(2, 10), None);
        assert_eq!(receiver.frame(2, 1, 11..=11), (None, DELIVER(10)));
        // Heard from the start: owed nothing it does not hold.
        receiver.frame(3, 1, 1..=5);
        assert_eq!(receiver.owed(3, 2), None);
        // Joined after the hub relayed a sender's events up to 50, and delivered some since:
        // it was never owed those up to 50, whatever the sender knows it held.
        receiver.start_after(4, 50);
        assert_eq!(receiver.frame(4, 1, 51..=51), (None, DELIVER(50)));
        assert_eq!(receiver.owed(4, 10), None);
    }

    #[test]
    fn events_the_sender_no_longer_holds_are_reported_lost() {
        let mut receiver = Receiver::default();
        receiver.frame(1, 1, 1..=1);
        assert_eq!(receiver.frame(1, 10, 10..=10), (Some(2..=9), DELIVER(9)));
        assert_eq!(
            receiver.frame(99, 10, 10..=10),
            (None, DELIVER(9)),
            "a new sender has no history"
        );
        receiver.start_after(98, 20);
        assert_eq!(receiver.frame(98, 15, 15..=20), (None, DELIVER(20)), "the hub's word counts");
        assert_eq!(receiver.frame(98, 15, 21..=21), (None, DELIVER(20)));
    }
}
