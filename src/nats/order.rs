//! What a node delivers of the events NATS hands it: once each, in each sender's order, and
//! every loss counted.
//!
//! Owns: the per-sender and per-topic bookkeeping of the NATS backend's receiving side, bounded
//! in entries. It must not talk to NATS nor deliver anything: it answers "deliver", "drop" or
//! "deliver, and this many were lost before it", and the emitter acts.
//!
//! - **JetStream mode.** A sender's events reach a stream in its order (one atomic batch at a
//!   time) and a consumer reads a stream in order, so an event at or below the highest sequence
//!   number delivered from its sender is a copy (a batch stored twice after a lost commit
//!   acknowledgement, or a consumer that replays after a reconnect): dropped and counted. Gaps
//!   are normal (the consumer reads only the patterns listened to).
//! - **Core mode.** NATS may drop messages (a slow consumer, a reconnect). Each event carries its
//!   number among its sender's events on its topic, so a jump there is a loss of that many,
//!   reported on `$lagged`. A number that goes back means the sender forgot the topic (its table
//!   is bounded too) and started again: a new baseline, not a loss. Losses at the tail (the
//!   last events on a topic) show when the sender's *marker* arrives: the number of its last
//!   event on that topic, repeated in band for a while after it.
//!
//! Both tables hold at most [`MAX_ENTRIES`] entries; past that the oldest entry is forgotten
//! (counted in `evicted`): a forgotten sender's next event is taken as its first.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// Most senders (JetStream mode) or (sender, topic) pairs (core mode) a node keeps track of.
pub(crate) const MAX_ENTRIES: usize = 65_536;

/// What to do with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Deliver it.
    Deliver,
    /// Deliver it, and report that this many of its sender's events on its topic were lost
    /// before it.
    DeliverAfterLoss(u64),
    /// A copy of one delivered already: drop it.
    Duplicate,
}

/// The receiving side of one node of the NATS backend.
#[derive(Debug, Default)]
pub(crate) struct Order {
    /// JetStream mode: per sender, the highest sequence number delivered.
    delivered: Bounded<u64, u64>,
    /// Core mode: per sender and topic, the number of the last event on that topic.
    on_topic: Bounded<(u64, String), u64>,
    /// Entries forgotten to stay within [`MAX_ENTRIES`].
    pub(crate) evicted: u64,
}

impl Order {
    /// JetStream mode: event `seq` of `sender`.
    pub(crate) fn admit_stored(&mut self, sender: u64, seq: u64) -> Verdict {
        match self.delivered.get_mut(&sender) {
            Some(high) if seq <= *high => Verdict::Duplicate,
            Some(high) => {
                *high = seq;
                Verdict::Deliver
            }
            None => {
                self.evicted += self.delivered.insert(sender, seq);
                Verdict::Deliver
            }
        }
    }

    /// Core mode: the `topic_seq`-th event of `sender` on `topic`.
    pub(crate) fn admit_live(&mut self, sender: u64, topic: &str, topic_seq: u64) -> Verdict {
        let key = (sender, topic.to_owned());
        match self.on_topic.get_mut(&key) {
            Some(last) => {
                let missed = topic_seq.saturating_sub(*last + 1);
                *last = topic_seq;
                if missed > 0 {
                    Verdict::DeliverAfterLoss(missed)
                } else {
                    Verdict::Deliver
                }
            }
            None => {
                self.evicted += self.on_topic.insert(key, topic_seq);
                Verdict::Deliver
            }
        }
    }
}

impl Order {
    /// Core mode: a marker saying `sender`'s last event on `topic` was its `topic_seq`-th: how
    /// many of them never arrived (0 for a topic this node has not heard of from `sender`: it
    /// cannot know where it started listening).
    pub(crate) fn marker(&mut self, sender: u64, topic: &str, topic_seq: u64) -> u64 {
        let key = (sender, topic.to_owned());
        let Some(last) = self.on_topic.get_mut(&key) else { return 0 };
        let missed = topic_seq.saturating_sub(*last);
        *last = topic_seq;
        missed
    }
}

/// A map of at most [`MAX_ENTRIES`] entries that forgets the oldest inserted.
#[derive(Debug)]
struct Bounded<K, V> {
    /// The entries.
    map: HashMap<K, V>,
    /// Keys in the order they were inserted: the front is forgotten first.
    age: VecDeque<K>,
}

impl<K, V> Default for Bounded<K, V> {
    fn default() -> Self {
        Bounded { map: HashMap::new(), age: VecDeque::new() }
    }
}

impl<K: Hash + Eq + Clone, V> Bounded<K, V> {
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    /// Inserts a new key; returns how many entries were forgotten to make room (0 or 1).
    fn insert(&mut self, key: K, value: V) -> u64 {
        let mut forgotten = 0;
        if self.map.len() >= MAX_ENTRIES {
            if let Some(oldest) = self.age.pop_front() {
                self.map.remove(&oldest);
                forgotten = 1;
            }
        }
        self.age.push_back(key.clone());
        self.map.insert(key, value);
        forgotten
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_events_are_delivered_once_and_gaps_are_not_losses() {
        let mut order = Order::default();
        assert_eq!(order.admit_stored(1, 3), Verdict::Deliver);
        assert_eq!(order.admit_stored(1, 7), Verdict::Deliver);
        assert_eq!(order.admit_stored(1, 7), Verdict::Duplicate);
        assert_eq!(order.admit_stored(1, 5), Verdict::Duplicate);
        assert_eq!(order.admit_stored(2, 1), Verdict::Deliver);
    }

    #[test]
    fn a_jump_on_a_topic_is_a_loss_of_that_many() {
        let mut order = Order::default();
        assert_eq!(order.admit_live(1, "a", 10), Verdict::Deliver);
        assert_eq!(order.admit_live(1, "a", 11), Verdict::Deliver);
        assert_eq!(order.admit_live(1, "b", 1), Verdict::Deliver);
        assert_eq!(order.admit_live(1, "a", 15), Verdict::DeliverAfterLoss(3));
        // The sender forgot the topic and numbers it from 1 again.
        assert_eq!(order.admit_live(1, "a", 1), Verdict::Deliver);
        assert_eq!(order.admit_live(1, "a", 2), Verdict::Deliver);
    }

    #[test]
    fn a_marker_tells_the_losses_at_the_tail_once() {
        let mut order = Order::default();
        assert_eq!(order.marker(1, "a", 5), 0, "a topic not heard of");
        order.admit_live(1, "a", 1);
        assert_eq!(order.marker(1, "a", 4), 3);
        assert_eq!(order.marker(1, "a", 4), 0, "repeated");
        assert_eq!(order.admit_live(1, "a", 5), Verdict::Deliver);
    }

    #[test]
    fn the_tables_stay_within_their_bound_whatever_arrives() {
        bolero::check!().with_type::<Vec<(u32, u8, u16)>>().for_each(|events| {
            let mut order = Order::default();
            for &(sender, topic, seq) in events {
                order.admit_stored(u64::from(sender), u64::from(seq));
                order.admit_live(u64::from(sender), &topic.to_string(), u64::from(seq));
            }
            assert!(order.delivered.map.len() <= MAX_ENTRIES);
            assert!(order.on_topic.map.len() <= MAX_ENTRIES);
        });
        let mut order = Order::default();
        for sender in 0..(MAX_ENTRIES as u64 + 10) {
            order.admit_stored(sender, 1);
        }
        assert_eq!(order.delivered.map.len(), MAX_ENTRIES);
        assert_eq!(order.evicted, 10);
    }
}
