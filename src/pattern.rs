//! Topic patterns and the trie that matches topics against thousands of them.
//!
//! Owns: the pattern grammar, its validation, and [`Trie`], a map from patterns to values that
//! answers "which values' patterns match this topic" in one walk over the topic's segments. It
//! must not know about listeners or nodes: the registry and the interest table put their own
//! values in it.
//!
//! # Grammar
//!
//! A topic is one or more segments separated by `.`; no segment is empty. A pattern is a topic
//! in which a whole segment may be a wildcard:
//!
//! - `*` matches exactly one segment: `stock.*` matches `stock.aapl`, not `stock` nor
//!   `stock.aapl.bid`.
//! - `>` matches one or more trailing segments and may only come last: `stock.>` matches
//!   `stock.aapl` and `stock.aapl.bid`, not `stock`.
//! - The pattern `*` on its own keeps the seeds' meaning: every topic.
//!
//! Wildcards never match a first segment that starts with `$` (the emitter's reserved notices);
//! a pattern must name `$peer.joined`, or `$peer.*`, to get them. Emitted topics contain no
//! wildcard segment.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::hash::Hash;

/// The pattern that matches every topic.
pub const EVERY_TOPIC: &str = "*";

/// Checks a pattern for listening (wildcards allowed) or a topic for emitting (`listening`
/// false: no wildcards).
pub fn check(pattern: &str, listening: bool) -> Result<()> {
    let invalid =
        |reason: &'static str| Err(Error::InvalidTopic { topic: pattern.to_owned(), reason });
    if pattern.is_empty() {
        return invalid("empty");
    }
    if pattern.len() > crate::wire::MAX_TOPIC_LEN {
        return invalid("longer than 65535 bytes");
    }
    if pattern == EVERY_TOPIC {
        return if listening { Ok(()) } else { invalid("`*` is a pattern, not a topic") };
    }
    let segments: Vec<&str> = pattern.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "" => return invalid("empty segment (a leading, trailing or double `.`)"),
            "*" | ">" if !listening => {
                return invalid("wildcards (`*`, `>`) are for listening; emit on a plain topic")
            }
            ">" if i + 1 != segments.len() => return invalid("`>` may only be the last segment"),
            s if s.len() > 1 && (s.contains('*') || s.contains('>')) => {
                return invalid("`*` and `>` must be whole segments, as in `stock.*` or `stock.>`")
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether one (checked) pattern matches `topic`, without a trie.
pub fn matches(pattern: &str, topic: &str) -> bool {
    let reserved = topic.starts_with('$');
    if pattern == EVERY_TOPIC {
        return !reserved;
    }
    let mut topic_segments = topic.split('.');
    for (i, segment) in pattern.split('.').enumerate() {
        let wildcard_ok = !(reserved && i == 0);
        match (segment, topic_segments.next()) {
            (">", Some(_)) => return wildcard_ok,
            ("*", Some(_)) if wildcard_ok => {}
            (literal, Some(actual)) if literal == actual => {}
            _ => return false,
        }
    }
    topic_segments.next().is_none()
}

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
        Node { children: HashMap::new(), any_one: None, here: Vec::new(), rest: Vec::new() }
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
        let removed = if pattern == EVERY_TOPIC {
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
        let reserved = topic.starts_with('$');
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
        if pattern == EVERY_TOPIC {
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

    #[test]
    fn the_grammar_accepts_and_rejects_with_reasons() {
        for good in ["a", "a.b", "stock.*", "stock.>", "*.b", "*", ">", "$peer.*", "<3", "a.*.c"] {
            assert!(check(good, true).is_ok(), "{good}");
        }
        let bad = [
            ("", "empty"),
            ("a..b", "empty segment"),
            (".a", "empty segment"),
            ("a.", "empty segment"),
            ("a.>.b", "`>` may only be the last"),
            ("st*ck", "whole segments"),
            ("a.b>", "whole segments"),
        ];
        for (pattern, reason) in bad {
            match check(pattern, true) {
                Err(Error::InvalidTopic { reason: r, .. }) => {
                    assert!(r.contains(reason), "{pattern}: {r}")
                }
                other => panic!("{pattern}: {other:?}"),
            }
        }
        assert!(check("a.*", false).is_err(), "no wildcards in emitted topics");
        assert!(check("*", false).is_err());
        assert!(check("a.b", false).is_ok());
    }

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
