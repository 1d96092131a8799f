//! The topic grammar: what a topic is, what a pattern is, which topics are reserved, and whether
//! a pattern matches a topic.
//!
//! Owns: the grammar and its checks ([`check`], with the reason a topic is refused), the reserved
//! `$` topics of the emitter's own notices, the longest topic, the pattern that matches every
//! topic, and [`matches()`] for one pattern. It must not hold listeners, nodes or state of any
//! kind: the trie (`crate::trie`) matches many patterns at once by this grammar, the registry
//! and the interest table store their own values in it.
//!
//! # Grammar
//!
//! A topic is one or more segments separated by `.`; no segment is empty; it is at most
//! [`MAX_TOPIC_LEN`] bytes. A pattern is a topic of at most [`MAX_PATTERN_SEGMENTS`] segments in
//! which a whole segment may be a wildcard:
//!
//! - `*` matches exactly one segment: `stock.*` matches `stock.aapl`, not `stock` nor
//!   `stock.aapl.bid`.
//! - `>` matches one or more trailing segments and may only come last: `stock.>` matches
//!   `stock.aapl` and `stock.aapl.bid`, not `stock`.
//! - The pattern `*` on its own ([`ANY_TOPIC`]) keeps the seeds' meaning: every topic.
//!
//! Emitted topics contain no wildcard segment and do not start with `$`.
//!
//! # Reserved topics
//!
//! Topics starting with `$` are the emitter's own notices, delivered on the node only, never
//! emitted by callers. Wildcards never match a first segment that starts with `$`: a pattern
//! must name `$peer.joined`, or `$peer.*`, to get them.
//!
//! | topic | when | data (JSON) |
//! |---|---|---|
//! | [`PEER_JOINED`] | a node said hello for the first time | `{"node","service","role"}` |
//! | [`PEER_LEFT`] | the hub saw a node go, or the hub itself was lost | `{"node","service","reason"}` |
//! | [`HUB_CHANGED`] | a different node is the hub now | `{"node","service"}` |
//! | [`LAGGED`] | events were lost for good (this node was cut off for being slow) | `{"sender","missed"}` |

use std::fmt;

/// The pattern that matches every topic (but the reserved `$` ones).
pub const ANY_TOPIC: &str = "*";

/// Longest topic in bytes: the wire format carries a topic's length in a `u16`.
pub const MAX_TOPIC_LEN: usize = u16::MAX as usize;

/// Most patterns one node may listen to: its interest announcement carries them all, and every
/// node keeps every member's.
pub const MAX_PATTERNS: usize = 4096;

/// Most segments a pattern may have: every node and the hub keep every member's patterns in a
/// trie, one node per segment, so deep patterns from a peer would cost memory everywhere.
pub const MAX_PATTERN_SEGMENTS: usize = 32;

/// Most bytes the patterns of one node may add up to (256 KiB). The hub and every member keep a
/// copy of each node's patterns, and their segments as the keys of a trie: this bounds what one
/// node's announcement costs each of them in bytes of patterns, whatever the frame size. What it
/// costs a user: 4,096 patterns of 64 bytes on average.
pub const MAX_INTEREST_BYTES: usize = 256 * 1024;

/// Most segments the patterns of one node may add up to (32,768). The hub and every member keep
/// one trie node (about 200 bytes) per segment of each node's patterns that no other pattern
/// shares a prefix with: this bounds one node's announcement to about 7 MiB in each of them (the
/// costliest one grows the hub's and a member's resident memory by 6.3 to 7.7 MiB).
/// What it costs a user: 4,096 patterns of 8 segments on average (one pattern may still have
/// [`MAX_PATTERN_SEGMENTS`]).
pub const MAX_INTEREST_SEGMENTS: usize = 32 * 1024;

/// The size of a node's interest by the measures of its budget: [`MAX_PATTERNS`],
/// [`MAX_INTEREST_BYTES`] and [`MAX_INTEREST_SEGMENTS`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InterestSize {
    /// Number of patterns.
    pub patterns: usize,
    /// Their lengths in bytes, added up.
    pub bytes: usize,
    /// Their numbers of segments, added up.
    pub segments: usize,
}

impl InterestSize {
    /// The size of these patterns.
    pub fn of<'p>(patterns: impl IntoIterator<Item = &'p str>) -> Self {
        let mut size = InterestSize::default();
        for pattern in patterns {
            size.add(pattern);
        }
        size
    }

    /// Counts one more pattern.
    pub fn add(&mut self, pattern: &str) {
        self.patterns += 1;
        self.bytes += pattern.len();
        self.segments += 1 + pattern.bytes().filter(|&byte| byte == b'.').count();
    }

    /// Counts one pattern less (one that was counted).
    pub fn take_away(&mut self, pattern: &str) {
        let mut one = InterestSize::default();
        one.add(pattern);
        self.patterns -= one.patterns;
        self.bytes -= one.bytes;
        self.segments -= one.segments;
    }

    /// Which limit of a node's interest this size is past, as the reason an announcement or a
    /// new listener is refused; `None` within all of them.
    pub fn excess(&self) -> Option<&'static str> {
        if self.patterns > MAX_PATTERNS {
            Some("more patterns than a node may listen to (4096)")
        } else if self.bytes > MAX_INTEREST_BYTES {
            Some("more bytes of patterns than a node may listen to (262144 in all)")
        } else if self.segments > MAX_INTEREST_SEGMENTS {
            Some("more segments of patterns than a node may listen to (32768 in all)")
        } else {
            None
        }
    }
}

/// Reserved topic: a peer joined.
pub const PEER_JOINED: &str = "$peer.joined";
/// Reserved topic: a peer left.
pub const PEER_LEFT: &str = "$peer.left";
/// Reserved topic: the hub changed.
pub const HUB_CHANGED: &str = "$hub.changed";
/// Reserved topic: events were lost for good; sent to every listener of this node.
pub const LAGGED: &str = "$lagged";

/// Whether a topic (or a pattern's first segment) is reserved for the emitter's own notices.
pub fn is_reserved(topic: &str) -> bool {
    topic.starts_with('$')
}

/// A topic or pattern the grammar refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTopic {
    /// The topic or pattern as given.
    pub topic: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for InvalidTopic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid topic {:?}: {}", self.topic, self.reason)
    }
}

impl std::error::Error for InvalidTopic {}

/// Checks a pattern for listening (`listening`: wildcards and reserved topics allowed) or a topic
/// for emitting (a plain topic, not reserved). Refuses with [`InvalidTopic`] and the reason.
pub fn check(topic: &str, listening: bool) -> Result<(), InvalidTopic> {
    // Checked for every event a peer sends: the common case in one pass over the bytes.
    if !listening && is_plain_topic(topic) {
        return Ok(());
    }
    let invalid = |reason: &'static str| Err(InvalidTopic { topic: topic.to_owned(), reason });
    if topic.is_empty() {
        return invalid("empty");
    }
    if topic.len() > MAX_TOPIC_LEN {
        return invalid("longer than 65535 bytes");
    }
    if topic == ANY_TOPIC {
        return if listening { Ok(()) } else { invalid("`*` is a pattern, not a topic") };
    }
    let mut segments = topic.split('.').peekable();
    let mut count = 0;
    while let Some(segment) = segments.next() {
        count += 1;
        if listening && count > MAX_PATTERN_SEGMENTS {
            return invalid("a pattern may have at most 32 segments");
        }
        match segment {
            "" => return invalid("empty segment (a leading, trailing or double `.`)"),
            "*" | ">" if !listening => {
                return invalid("wildcards (`*`, `>`) are for listening; emit on a plain topic")
            }
            ">" if segments.peek().is_some() => return invalid("`>` may only be the last segment"),
            s if s.len() > 1 && (s.contains('*') || s.contains('>')) => {
                return invalid("`*` and `>` must be whole segments, as in `stock.*` or `stock.>`")
            }
            _ => {}
        }
    }
    if !listening && is_reserved(topic) {
        return invalid("topics starting with `$` are reserved for the emitter's own notices");
    }
    Ok(())
}

/// Whether `topic` may be emitted, in one pass over its bytes: not empty nor too long, not
/// reserved, no empty segment and no wildcard character. [`check`] tells why one is not.
fn is_plain_topic(topic: &str) -> bool {
    let bytes = topic.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return false };
    if bytes.len() > MAX_TOPIC_LEN || first == b'$' || first == b'.' || last == b'.' {
        return false;
    }
    let mut after_dot = false;
    for &byte in bytes {
        match byte {
            b'*' | b'>' => return false,
            b'.' if after_dot => return false,
            b'.' => after_dot = true,
            _ => after_dot = false,
        }
    }
    true
}

/// Whether one (checked) pattern matches `topic`, without a trie.
pub fn matches(pattern: &str, topic: &str) -> bool {
    let reserved = is_reserved(topic);
    if pattern == ANY_TOPIC {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_pass_check_of_emitted_topics_agrees_with_the_grammar() {
        // Every string of up to 6 characters over the grammar's special characters and a letter.
        let alphabet = ['a', '.', '*', '>', '$'];
        let mut strings = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = strings
                .iter()
                .filter(|s| s.len() == strings.last().map_or(0, String::len))
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(longer);
        }
        for topic in &strings {
            assert_eq!(is_plain_topic(topic), check(topic, false).is_ok(), "{topic:?}");
        }
    }

    #[test]
    fn patterns_are_bounded_in_depth_topics_only_in_length() {
        let deep = vec!["a"; MAX_PATTERN_SEGMENTS + 1].join(".");
        assert!(check(&deep, false).is_ok(), "an emitted topic may be deep");
        assert!(check(&deep, true).is_err(), "a pattern may not");
        assert!(check(&vec!["a"; MAX_PATTERN_SEGMENTS].join("."), true).is_ok());
    }

    #[test]
    fn an_interest_is_past_its_budget_by_any_of_its_measures() {
        let within = InterestSize {
            patterns: MAX_PATTERNS,
            bytes: MAX_INTEREST_BYTES,
            segments: MAX_INTEREST_SEGMENTS,
        };
        assert_eq!(within.excess(), None);
        let past = [
            (InterestSize { patterns: MAX_PATTERNS + 1, ..within }, "more patterns"),
            (InterestSize { bytes: MAX_INTEREST_BYTES + 1, ..within }, "more bytes"),
            (InterestSize { segments: MAX_INTEREST_SEGMENTS + 1, ..within }, "more segments"),
        ];
        for (size, reason) in past {
            assert!(size.excess().is_some_and(|r| r.starts_with(reason)), "{size:?}");
        }
        let size = InterestSize::of(["a.b.*", "*", "stock.>"]);
        assert_eq!(size, InterestSize { patterns: 3, bytes: 13, segments: 6 });
    }

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
                Err(InvalidTopic { reason: r, .. }) => {
                    assert!(r.contains(reason), "{pattern}: {r}")
                }
                other => panic!("{pattern}: {other:?}"),
            }
        }
        assert!(check("a.*", false).is_err(), "no wildcards in emitted topics");
        assert!(check("*", false).is_err());
        assert!(check("a.b", false).is_ok());
        assert!(check(&"a".repeat(MAX_TOPIC_LEN + 1), true).is_err());
    }

    #[test]
    fn reserved_topics_are_for_listening_only() {
        for topic in [PEER_JOINED, PEER_LEFT, HUB_CHANGED, LAGGED] {
            assert!(is_reserved(topic));
            assert!(check(topic, true).is_ok(), "{topic}");
            match check(topic, false) {
                Err(InvalidTopic { reason, .. }) => assert!(reason.contains("reserved")),
                other => panic!("{topic}: {other:?}"),
            }
        }
    }

    #[test]
    fn wildcards_do_not_match_reserved_topics() {
        assert!(!matches(ANY_TOPIC, PEER_JOINED));
        assert!(!matches(">", LAGGED));
        assert!(!matches("*.joined", PEER_JOINED));
        assert!(matches("$peer.*", PEER_JOINED));
        assert!(matches(ANY_TOPIC, "a.b"));
    }
}
