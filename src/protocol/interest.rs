//! What every node of the cluster listens to.
//!
//! Owns: the table of each node's topic patterns (with listener counts and a version, so an old
//! announcement never overwrites a newer one) and the questions routing asks of it: does any
//! other node want this topic, does this particular node. It must not decide what to send; the
//! emitter and the hub ask it. Patterns are matched with one [`Trie`] walk for all nodes.

use super::hashing::Map;
use crate::topic;
use crate::trie::Trie;
use crate::wire::Interest;

#[derive(Default)]
pub(crate) struct Interests {
    by_node: Map<u64, Interest>,
    trie: Trie<u64>,
}

impl Interests {
    /// Forgets the interests of a node that left for good (a node that left still counts for a
    /// while: one that went without a word may only be cut off, and come back owed what it
    /// listens to).
    pub(crate) fn forget(&mut self, node: u64) {
        self.remove(node);
    }

    /// Takes a node's announcement; returns whether it changed anything (a newer version).
    pub(crate) fn set(&mut self, interest: &Interest) -> bool {
        if self.by_node.get(&interest.node).is_some_and(|known| known.version >= interest.version) {
            return false;
        }
        self.remove(interest.node);
        for (pattern, _) in &interest.patterns {
            self.trie.insert(pattern, interest.node);
        }
        self.by_node.insert(interest.node, interest.clone());
        true
    }

    fn remove(&mut self, node: u64) {
        if let Some(old) = self.by_node.remove(&node) {
            for (pattern, _) in &old.patterns {
                self.trie.remove(pattern, &node);
            }
        }
    }

    /// Whether this node's announcement is known.
    pub(crate) fn knows(&self, node: u64) -> bool {
        self.by_node.contains_key(&node)
    }

    /// Whether `node` listens to `topic`; a node whose interests are unknown wants everything.
    pub(crate) fn wants(&self, node: u64, topic: &str) -> bool {
        let Some(interest) = self.by_node.get(&node) else { return true };
        if interest.patterns.is_empty() {
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

    /// Every node's announcement (for a client that just joined the hub).
    pub(crate) fn all(&self) -> impl Iterator<Item = &Interest> {
        self.by_node.values()
    }

    /// Cluster-wide: every pattern listened to, with its number of listeners on all nodes.
    pub(crate) fn topics(&self) -> Vec<(String, u32)> {
        let mut totals: Map<&str, u32> = Map::default();
        for (pattern, listeners) in self.by_node.values().flat_map(|i| &i.patterns) {
            *totals.entry(pattern).or_default() += listeners;
        }
        let mut topics: Vec<(String, u32)> =
            totals.into_iter().map(|(p, n)| (p.to_owned(), n)).collect();
        topics.sort();
        topics
    }

    /// Cluster-wide: the number of listeners, on all nodes, that an event on `topic` reaches.
    pub(crate) fn listener_count(&self, topic: &str) -> usize {
        self.by_node
            .values()
            .flat_map(|i| &i.patterns)
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

    #[test]
    fn routing_questions_follow_the_latest_announcements() {
        let mut table = Interests::default();
        assert!(table.wants(1, "a.b"), "unknown interests: wants everything");
        assert!(table.set(&interest(1, 1, &[("a.*", 1)])));
        assert!(table.set(&interest(2, 1, &[("b.>", 2)])));
        assert!(!table.set(&interest(1, 1, &[("x", 1)])), "same version: ignored");
        assert!(table.wants(1, "a.b") && !table.wants(1, "b.c") && table.wants(2, "b.c.d"));
        assert!(table.wanted_by_other_than(2, "a.x") && !table.wanted_by_other_than(1, "a.x"));
        assert!(table.set(&interest(1, 2, &[])));
        assert!(!table.wants(1, "a.b"), "a node with no listeners wants nothing");
        assert_eq!(table.topics(), [("b.>".to_owned(), 2)]);
        assert_eq!(table.listener_count("b.c"), 2);
        assert!(table.wanted_by_other_than(1, "b.c"), "a departed node still counts for a while");
        table.forget(2);
        assert!(!table.wanted_by_other_than(1, "b.c"));
    }
}
