//! The trie that matches a topic against thousands of patterns in one walk.
//!
//! Owns: [`Trie`], a map from patterns to values that answers "which values' patterns match this
//! topic" in one walk over the topic's segments, by the grammar of [`crate::topic`] (whose
//! [`matches`](crate::topic::matches) is the one-pattern reference it must agree with). It must
//! not define or check the grammar (the topic module's), nor know about listeners or nodes: the
//! registry and the interest table put their own values in it, and insert only checked patterns.
//!
//! Every node keeps every other node's patterns in one, so a trie node is kept small: most have
//! one or two children, held in a list allocated to the exact size and scanned, and only nodes
//! with more than a few (8) children pay for a hash map.

use crate::topic::{is_reserved, ANY_TOPIC};
use foldhash::HashMap;
use std::hash::Hash;

/// Most children a trie node keeps in a scanned list; past it they move to a hash map (and back
/// to a list once at most half as many remain). Scanning this many short keys is as fast as
/// hashing the segment, and a list of one child costs a fraction of a map's smallest table.
const SCANNED_CHILDREN: usize = 8;

/// The children of a trie node, by segment.
#[derive(Debug)]
enum Children<V> {
    /// Up to [`SCANNED_CHILDREN`], in a list of exactly their number.
    Scanned(Vec<(Box<str>, Node<V>)>),
    /// More, in a map (boxed: a trie node stays as small as the list makes it).
    Hashed(Box<HashMap<Box<str>, Node<V>>>),
}

impl<V> Children<V> {
    fn is_empty(&self) -> bool {
        match self {
            Children::Scanned(list) => list.is_empty(),
            Children::Hashed(map) => map.is_empty(),
        }
    }

    fn get(&self, segment: &str) -> Option<&Node<V>> {
        match self {
            Children::Scanned(list) => {
                list.iter().find(|(key, _)| **key == *segment).map(|(_, node)| node)
            }
            Children::Hashed(map) => map.get(segment),
        }
    }

    fn get_mut(&mut self, segment: &str) -> Option<&mut Node<V>> {
        match self {
            Children::Scanned(list) => {
                list.iter_mut().find(|(key, _)| **key == *segment).map(|(_, node)| node)
            }
            Children::Hashed(map) => map.get_mut(segment),
        }
    }

    /// The child under `segment`, added empty if there was none.
    fn get_or_insert(&mut self, segment: &str) -> &mut Node<V> {
        if let Children::Scanned(list) = self {
            if list.len() >= SCANNED_CHILDREN && !list.iter().any(|(key, _)| **key == *segment) {
                let mut map = HashMap::with_capacity_and_hasher(list.len() + 1, Default::default());
                map.extend(list.drain(..));
                *self = Children::Hashed(Box::new(map));
            }
        }
        match self {
            Children::Scanned(list) => {
                let at = match list.iter().position(|(key, _)| **key == *segment) {
                    Some(at) => at,
                    None => {
                        list.reserve_exact(1);
                        list.push((segment.into(), Node::default()));
                        list.len() - 1
                    }
                };
                &mut list[at].1
            }
            Children::Hashed(map) => map.entry(segment.into()).or_default(),
        }
    }

    /// Removes the child under `segment`, if any.
    fn remove(&mut self, segment: &str) {
        match self {
            Children::Scanned(list) => {
                if let Some(at) = list.iter().position(|(key, _)| **key == *segment) {
                    list.swap_remove(at);
                    list.shrink_to_fit();
                }
            }
            Children::Hashed(map) => {
                map.remove(segment);
                if map.len() <= SCANNED_CHILDREN / 2 {
                    let mut list = Vec::with_capacity(map.len());
                    list.extend(map.drain());
                    *self = Children::Scanned(list);
                }
            }
        }
    }
}

/// One segment's place in the trie: what follows it, and the patterns that end at it.
#[derive(Debug)]
struct Node<V> {
    /// The nodes of the literal segments that may follow.
    children: Children<V>,
    /// The node of a `*` segment that may follow.
    any_one: Option<Box<Node<V>>>,
    /// Values of patterns that end here.
    here: Vec<V>,
    /// Values of patterns that end here with `>`.
    rest: Vec<V>,
}

impl<V> Default for Node<V> {
    fn default() -> Self {
        Node {
            children: Children::Scanned(Vec::new()),
            any_one: None,
            here: Vec::new(),
            rest: Vec::new(),
        }
    }
}

impl<V> Node<V> {
    fn is_empty(&self) -> bool {
        self.children.is_empty()
            && self.any_one.is_none()
            && self.here.is_empty()
            && self.rest.is_empty()
    }
}

/// Patterns mapped to values; each (pattern, value) pair is stored once. Matching a topic walks
/// its segments once, whatever the number of patterns.
#[derive(Debug)]
pub struct Trie<V> {
    /// The trie node before a topic's first segment: every pattern but `*` alone lies on the
    /// path of its segments from here.
    root: Node<V>,
    /// The values of the pattern `*` alone ([`ANY_TOPIC`]), which matches every topic that is
    /// not reserved, whatever its number of segments: kept apart, since in a path `*` matches
    /// exactly one segment.
    every: Vec<V>,
    /// The number of (pattern, value) pairs stored, kept by `insert` and `remove`; read only by
    /// tests.
    len: usize,
}

impl<V> Default for Trie<V> {
    fn default() -> Self {
        Trie { root: Node::default(), every: Vec::new(), len: 0 }
    }
}

impl<V: Clone + Eq + Hash> Trie<V> {
    /// Adds `value` under `pattern` (a checked pattern); returns `false` if it was there.
    pub fn insert(&mut self, pattern: &str, value: V) -> bool {
        let slot = self.slot(pattern);
        if slot.contains(&value) {
            return false;
        }
        // Exactly as long as needed: every node keeps every other node's patterns.
        slot.reserve_exact(1);
        slot.push(value);
        self.len += 1;
        true
    }

    /// Removes `value` from `pattern`; returns whether it was there.
    pub fn remove(&mut self, pattern: &str, value: &V) -> bool {
        let removed = if pattern == ANY_TOPIC {
            remove_from(&mut self.every, value)
        } else {
            let segments: Vec<&str> = pattern.split('.').collect();
            remove_at(&mut self.root, &segments, value)
        };
        self.len -= usize::from(removed);
        removed
    }

    /// Calls `found` with the value of every pattern matching `topic` (once per pattern).
    pub fn for_each_match(&self, topic: &str, mut found: impl FnMut(&V)) {
        let reserved = is_reserved(topic);
        if !reserved {
            self.every.iter().for_each(&mut found);
        }
        walk(&self.root, topic.split('.'), reserved, &mut found);
    }

    /// Whether any pattern matches `topic`.
    pub fn matches_any(&self, topic: &str) -> bool {
        let mut any = false;
        self.for_each_match(topic, |_| any = true);
        any
    }

    /// Number of (pattern, value) pairs.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn slot(&mut self, pattern: &str) -> &mut Vec<V> {
        if pattern == ANY_TOPIC {
            return &mut self.every;
        }
        let mut node = &mut self.root;
        let mut segments = pattern.split('.').peekable();
        while let Some(segment) = segments.next() {
            let last = segments.peek().is_none();
            if segment == ">" && last {
                return &mut node.rest;
            }
            node = if segment == "*" {
                node.any_one.get_or_insert_with(Default::default)
            } else {
                node.children.get_or_insert(segment)
            };
        }
        &mut node.here
    }
}

/// Removes `value` from `values`, keeping no spare capacity; returns whether it was there.
fn remove_from<V: Eq>(values: &mut Vec<V>, value: &V) -> bool {
    let before = values.len();
    values.retain(|v| v != value);
    values.shrink_to_fit();
    values.len() != before
}

/// Removes `value` from the pattern `segments` below `node`, pruning emptied branches.
fn remove_at<V: Eq>(node: &mut Node<V>, segments: &[&str], value: &V) -> bool {
    let Some((segment, rest)) = segments.split_first() else {
        return remove_from(&mut node.here, value);
    };
    if *segment == ">" && rest.is_empty() {
        return remove_from(&mut node.rest, value);
    }
    let child =
        if *segment == "*" { node.any_one.as_deref_mut() } else { node.children.get_mut(segment) };
    let Some(child) = child else { return false };
    let removed = remove_at(child, rest, value);
    if child.is_empty() {
        if *segment == "*" {
            node.any_one = None;
        } else {
            node.children.remove(segment);
        }
    }
    removed
}

/// Walks the topic's remaining `segments` (a cheap-to-clone iterator: no allocation per topic).
fn walk<'t, V>(
    node: &Node<V>,
    mut segments: std::str::Split<'t, char>,
    reserved_first: bool,
    found: &mut impl FnMut(&V),
) {
    let Some(segment) = segments.next() else {
        node.here.iter().for_each(&mut *found);
        return;
    };
    // Wildcards do not match a reserved first segment.
    if !reserved_first {
        node.rest.iter().for_each(&mut *found);
        if let Some(any_one) = &node.any_one {
            walk(any_one, segments.clone(), false, found);
        }
    }
    if let Some(child) = node.children.get(segment) {
        walk(child, segments, false, found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topic::matches;

    #[test]
    fn matching_follows_the_grammar() {
        let cases: [(&str, &str, bool); 16] = [
            ("stock.*", "stock.aapl", true),
            ("stock.*", "stock", false),
            ("stock.*", "stock.aapl.bid", false),
            ("stock.>", "stock.aapl", true),
            ("stock.>", "stock.aapl.bid", true),
            ("stock.>", "stock", false),
            ("*.aapl", "stock.aapl", true),
            ("a.*.c", "a.b.c", true),
            ("a.*.c", "a.b.d", false),
            (">", "anything.at.all", true),
            ("*", "anything.at.all", true),
            ("*", "$peer.joined", false),
            (">", "$peer.joined", false),
            ("$peer.*", "$peer.joined", true),
            ("$peer.joined", "$peer.joined", true),
            ("a.b", "a.b", true),
        ];
        for (pattern, topic, expected) in cases {
            let mut trie = Trie::default();
            trie.insert(pattern, 1);
            assert_eq!(trie.matches_any(topic), expected, "{pattern} ~ {topic}");
            assert_eq!(matches(pattern, topic), expected, "{pattern} ~ {topic} without a trie");
        }
    }

    #[test]
    fn every_matching_pattern_is_found_once_and_removal_prunes() {
        let mut trie = Trie::default();
        for (i, pattern) in ["a.b", "a.*", "a.>", "*", "x.y"].iter().enumerate() {
            assert!(trie.insert(pattern, i));
        }
        assert!(!trie.insert("a.b", 0), "stored once");
        let mut found = Vec::new();
        trie.for_each_match("a.b", |v| found.push(*v));
        found.sort();
        assert_eq!(found, [0, 1, 2, 3]);
        for (i, pattern) in ["a.b", "a.*", "a.>", "*", "x.y"].iter().enumerate() {
            assert!(trie.remove(pattern, &i));
        }
        assert_eq!(trie.len(), 0);
        assert!(trie.root.is_empty(), "branches pruned");
    }

    #[test]
    fn nodes_with_many_children_match_and_prune_like_nodes_with_few() {
        // `a` and the root get more children than a list keeps, then lose them one by one.
        let patterns: Vec<String> = (0..4 * SCANNED_CHILDREN)
            .flat_map(|i| [format!("a.{i}"), format!("a.{i}.>"), format!("{i}.*")])
            .collect();
        let topics = ["a.3", "a.3.x", "a.30", "a.30.x.y", "7.b", "30.b", "a.b", "a"];
        let mut trie = Trie::default();
        for (index, pattern) in patterns.iter().enumerate() {
            assert!(trie.insert(pattern, index));
        }
        for removed in 0..=patterns.len() {
            for topic in topics {
                let mut found: Vec<usize> = Vec::new();
                trie.for_each_match(topic, |index| found.push(*index));
                found.sort();
                let expected: Vec<usize> =
                    (removed..patterns.len()).filter(|i| matches(&patterns[*i], topic)).collect();
                assert_eq!(found, expected, "{topic} with the first {removed} patterns removed");
            }
            if let Some(pattern) = patterns.get(removed) {
                assert!(trie.remove(pattern, &removed));
            }
        }
        assert!(trie.root.is_empty(), "branches pruned");
    }

    #[test]
    fn the_costliest_interest_a_node_may_announce_costs_a_trie_at_most_130_bytes_a_segment() {
        use crate::topic::{InterestSize, MAX_INTEREST_SEGMENTS};
        // Patterns of 8 segments of 7 bytes, sharing no prefix: the most segments and bytes. (A
        // trie of a hash map in every node held 478 bytes a segment.)
        let patterns: Vec<String> = (0..MAX_INTEREST_SEGMENTS / 8)
            .map(|i| (0..8).map(|d| format!("{d}{i:06}")).collect::<Vec<_>>().join("."))
            .collect();
        assert_eq!(InterestSize::of(patterns.iter().map(String::as_str)).excess(), None);
        let mut trie = Trie::default();
        let held = allocation_counter::measure(|| {
            for pattern in &patterns {
                trie.insert(pattern, 1u64);
            }
        })
        .bytes_current;
        let per_segment = held / MAX_INTEREST_SEGMENTS as i64;
        assert!(per_segment <= 130, "{held} bytes held, {per_segment} a segment");
    }
}
