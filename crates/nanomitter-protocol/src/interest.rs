//! What every node of the cluster listens to.
//!
//! Owns: the table of each node's topic patterns (with listener counts and a version, so an old
//! announcement never overwrites a newer one) and the questions routing asks of it: does any
//! other node want this topic, does this particular node. It must not decide what to send; the
//! emitter and the hub ask it. Patterns are matched with one [`Trie`] walk for all nodes.

use crate::hashing::Map;
use crate::topic::{self, InterestSize, ANY_TOPIC};
use crate::trie::Trie;
use crate::wire::Interest;
use bytes::Bytes;

/// How many nodes at their largest interest (see [`topic::MAX_INTEREST_SEGMENTS`]) the
/// interests of all other nodes may add up to, on the hub and on every member. Past it, a
/// node's announcement is taken as listening to every topic (see [`Interests::set`]): it
/// costs one short pattern, and the node is sent too much, never too little.
pub(crate) const NODES_AT_LARGEST_INTEREST: usize = 4;

/// What the interests of all other nodes may add up to: [`NODES_AT_LARGEST_INTEREST`] nodes'
/// worth of patterns, bytes and segments.
pub(crate) const CLUSTER_INTEREST: InterestSize = InterestSize {
    patterns: NODES_AT_LARGEST_INTEREST * topic::MAX_PATTERNS,
    bytes: NODES_AT_LARGEST_INTEREST * topic::MAX_INTEREST_BYTES,
    segments: NODES_AT_LARGEST_INTEREST * topic::MAX_INTEREST_SEGMENTS,
};

/// One node's interest as this node keeps it.
struct Known {
    /// The announcement as kept: as announced or, past the cluster's budget, widened to `*`
    /// with the node's total listener count. Its version decides whether a later one
    /// replaces it; its patterns are what routing matches (none: the node wants nothing).
    interest: Interest,
    /// Its frame, as announced or widened: what a hub greets each joining client with, one
    /// shared buffer however many clients join.
    frame: Bytes,
}

/// The latest announcement of every other node, and the trie that matches topics against them.
#[derive(Default)]
pub(crate) struct Interests {
    /// Per node id, the latest announcement of every other node that announced (this node's
    /// own is never kept here). A node without one has not announced: routing sends it
    /// everything, and a sender leaves nothing out while such a node is a known member. An
    /// entry stays after its node left, until [`Interests::forget`].
    by_node: Map<u64, Known>,
    /// Every pattern in `by_node`, with the id of the node listening as its value: one walk
    /// tells which nodes want a topic. Changed with `by_node`, in [`Interests::set`] and
    /// [`Interests::remove`].
    trie: Trie<u64>,
    /// The size of every node's patterns in `by_node`, added up: kept within
    /// [`CLUSTER_INTEREST`], so what a node keeps of others' interests is bounded however many
    /// nodes announce.
    total: InterestSize,
}

/// What an announcement changed (see [`Interests::set`]).
#[derive(Debug, PartialEq)]
pub(crate) enum Taken {
    /// Nothing: an announcement of the same or an older version.
    Unchanged,
    /// The node's patterns, as announced.
    AsAnnounced,
    /// Past the budget of all nodes' interests: the node is taken as listening to every topic,
    /// which this frame says (to pass on instead of the announcement).
    Widened(Bytes),
}

impl Interests {
    /// Forgets the interests of a node that left for good (a node that left still counts for a
    /// while: one that went without a word may only be cut off, and come back owed what it
    /// listens to).
    pub(crate) fn forget(&mut self, node: u64) {
        self.remove(node);
    }

    /// Takes a node's announcement, if it is newer than the one known. One that would take the
    /// interests of all nodes past their budget ([`NODES_AT_LARGEST_INTEREST`] nodes at their
    /// largest) is kept as listening to every topic, with as many listeners: routing then sends
    /// that node everything (it drops what it does not listen to), and no sender suppresses
    /// what it may want, so nothing is lost, only more is sent.
    /// `frame` is the announcement as it came.
    pub(crate) fn set(&mut self, interest: &Interest, frame: &Bytes) -> Taken {
        let newer = |known: &Known| known.interest.version >= interest.version;
        if self.by_node.get(&interest.node).is_some_and(newer) {
            return Taken::Unchanged;
        }
        self.remove(interest.node);
        let size = InterestSize::of(interest.patterns.iter().map(|(p, _)| p.as_str()));
        let within = self.total.patterns + size.patterns <= CLUSTER_INTEREST.patterns
            && self.total.bytes + size.bytes <= CLUSTER_INTEREST.bytes
            && self.total.segments + size.segments <= CLUSTER_INTEREST.segments;
        let (kept, taken) = if within || interest.patterns.is_empty() {
            (Known { interest: interest.clone(), frame: frame.clone() }, Taken::AsAnnounced)
        } else {
            let listeners = interest.patterns.iter().fold(0u32, |n, (_, l)| n.saturating_add(*l));
            let (node, version) = (interest.node, interest.version);
            let everything =
                Interest { node, version, patterns: vec![(ANY_TOPIC.to_owned(), listeners)] };
            let frame = Bytes::from(everything.encode());
            (Known { interest: everything, frame: frame.clone() }, Taken::Widened(frame))
        };
        for (pattern, _) in &kept.interest.patterns {
            self.trie.insert(pattern, interest.node);
            self.total.add(pattern);
        }
        self.by_node.insert(interest.node, kept);
        taken
    }

    fn remove(&mut self, node: u64) {
        if let Some(old) = self.by_node.remove(&node) {
            for (pattern, _) in &old.interest.patterns {
                self.trie.remove(pattern, &node);
                self.total.take_away(pattern);
            }
        }
    }

    /// The nodes whose interests are kept, and their size added up.
    #[cfg(test)]
    pub(crate) fn size(&self) -> (usize, InterestSize) {
        (self.by_node.len(), self.total)
    }

    /// Whether this node's announcement is known.
    pub(crate) fn knows(&self, node: u64) -> bool {
        self.by_node.contains_key(&node)
    }

    /// Whether `node` listens to `topic`; a node whose interests are unknown wants everything.
    pub(crate) fn wants(&self, node: u64, topic: &str) -> bool {
        let Some(known) = self.by_node.get(&node) else { return true };
        if known.interest.patterns.is_empty() {
            return false;
        }
        let mut wanted = false;
        self.trie.for_each_match(topic, |n| wanted |= *n == node);
        wanted
    }

    /// Whether a node other than `except` listens to `topic`.
    pub(crate) fn wanted_by_other_than(&self, except: u64, topic: &str) -> bool {
        let mut wanted = false;
        self.trie.for_each_match(topic, |n| wanted |= *n != except);
        wanted
    }

    /// Every node's announcement frame (for a client that just joined the hub).
    pub(crate) fn frames(&self) -> impl Iterator<Item = &Bytes> {
        self.by_node.values().map(|known| &known.frame)
    }

    /// How many patterns `node` listens to, as kept (`None`: it has not announced).
    pub(crate) fn pattern_count(&self, node: u64) -> Option<usize> {
        self.by_node.get(&node).map(|known| known.interest.patterns.len())
    }

    /// Every node's patterns, as kept.
    fn patterns(&self) -> impl Iterator<Item = &(String, u32)> {
        self.by_node.values().flat_map(|known| &known.interest.patterns)
    }

    /// Cluster-wide: every pattern listened to, with its number of listeners on all nodes.
    pub(crate) fn topics(&self) -> Vec<(String, u32)> {
        let mut totals: Map<&str, u32> = Map::default();
        for (pattern, listeners) in self.patterns() {
            *totals.entry(pattern).or_default() += listeners;
        }
        let mut topics: Vec<(String, u32)> =
            totals.into_iter().map(|(p, n)| (p.to_owned(), n)).collect();
        topics.sort();
        topics
    }

    /// Cluster-wide: the number of listeners, on all nodes, that an event on `topic` reaches.
    pub(crate) fn listener_count(&self, topic: &str) -> usize {
        self.patterns()
            .filter(|(pattern, _)| topic::matches(pattern, topic))
            .map(|(_, listeners)| *listeners as usize)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interest(node: u64, version: u64, patterns: &[(&str, u32)]) -> Interest {
        Interest {
            node,
            version,
            patterns: patterns.iter().map(|(p, n)| (p.to_string(), *n)).collect(),
        }
    }

    /// Takes `interest`, as its frame.
    fn set(table: &mut Interests, interest: &Interest) -> Taken {
        table.set(interest, &Bytes::from(interest.encode()))
    }

    #[test]
    fn routing_questions_follow_the_latest_announcements() {
        let mut table = Interests::default();
        assert!(table.wants(1, "a.b"), "unknown interests: wants everything");
        assert_eq!(set(&mut table, &interest(1, 1, &[("a.*", 1)])), Taken::AsAnnounced);
        assert_eq!(set(&mut table, &interest(2, 1, &[("b.>", 2)])), Taken::AsAnnounced);
        assert_eq!(set(&mut table, &interest(1, 1, &[("x", 1)])), Taken::Unchanged, "same version");
        assert!(table.wants(1, "a.b") && !table.wants(1, "b.c") && table.wants(2, "b.c.d"));
        assert!(table.wanted_by_other_than(2, "a.x") && !table.wanted_by_other_than(1, "a.x"));
        assert_eq!(set(&mut table, &interest(1, 2, &[])), Taken::AsAnnounced);
        assert!(!table.wants(1, "a.b"), "a node with no listeners wants nothing");
        assert_eq!(table.topics(), [("b.>".to_owned(), 2)]);
        assert_eq!(table.listener_count("b.c"), 2);
        assert!(table.wanted_by_other_than(1, "b.c"), "a departed node still counts for a while");
        table.forget(2);
        assert!(!table.wanted_by_other_than(1, "b.c"));
    }

    #[test]
    fn interests_past_the_budget_of_all_nodes_are_taken_as_listening_to_everything() {
        use topic::MAX_INTEREST_SEGMENTS;
        // Patterns of 16 segments each, distinct per node: a node at its largest.
        let largest = |node: u64| Interest {
            node,
            version: 1,
            patterns: (0..MAX_INTEREST_SEGMENTS / 16)
                .map(|i| (format!("n{node}.p{i}.a.b.c.d.e.f.g.h.i.j.k.l.m.n"), 1))
                .collect(),
        };
        let mut table = Interests::default();
        for node in 1..=NODES_AT_LARGEST_INTEREST as u64 {
            assert_eq!(set(&mut table, &largest(node)), Taken::AsAnnounced, "node {node}");
        }
        let full = table.total;
        let widened = match set(&mut table, &largest(99)) {
            Taken::Widened(frame) => crate::wire::decode(frame).expect("a valid interest frame"),
            other => panic!("past the budget: {other:?}"),
        };
        let listeners = (MAX_INTEREST_SEGMENTS / 16) as u32;
        let everything = vec![(ANY_TOPIC.to_owned(), listeners)];
        assert!(matches!(widened, crate::wire::Frame::Interest(i) if i.patterns == everything));
        assert!(table.wants(99, "any.topic.at.all"), "sent everything, never too little");
        assert!(table.wanted_by_other_than(1, "any.topic"), "no sender suppresses what it wants");
        assert_eq!(table.total.segments, full.segments + 1, "it costs one pattern");
        // One that leaves makes room again.
        table.forget(1);
        let node_99_again = Interest { version: 2, ..largest(99) };
        assert_eq!(set(&mut table, &node_99_again), Taken::AsAnnounced);
    }
}
