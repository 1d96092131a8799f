//! The trie that matches a topic against thousands of patterns in one walk.
//!
//! Owns: [`Trie`], a map from patterns to values that answers "which values' patterns match this
//! topic" in one walk over the topic's segments, by the grammar of [`crate::topic`] (whose
//! [`matches`](crate::topic::matches) is the one-pattern reference it must agree with). It must
//! not define or check the grammar (the topic module's), nor know about listeners or nodes: the
//! registry and the interest table put their own values in it, and insert only checked patterns.

use crate::topic::{is_reserved, ANY_TOPIC};
use foldhash::HashMap;
use std::hash::Hash;

#[derive(Debug)]
struct Node<V> {
    children: HashMap<String, Node<V>>,
    any_one: Option<Box<Node<V>>>,
    /// Values of patterns that end here.
    here: Vec<V>,
    /// Values of patterns that end here with `>`.
    rest: Vec<V>,
}

impl<V> Default for Node<V> {
    fn default() -> Self {
        Node { children: HashMap::default(), any_one: None, here: Vec::new(), rest: Vec::new() }
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
    root: Node<V>,
    every: Vec<V>,
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
    #[cfg(test)]
    pub(crate) fn matches_any(&self, topic: &str) -> bool {
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
                node.children.entry(segment.to_owned()).or_default()
            };
        }
        &mut node.here
    }
}

fn remove_from<V: Eq>(values: &mut Vec<V>, value: &V) -> bool {
    let before = values.len();
    values.retain(|v| v != value);
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
        if *segment == "*" { node.any_one.as_deref_mut() } else { node.children.get_mut(*segment) };
    let Some(child) = child else { return false };
    let removed = remove_at(child, rest, value);
    if child.is_empty() {
        if *segment == "*" {
            node.any_one = None;
        } else {
            node.children.remove(*segment);
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
}
