//! Where events live in NATS's subject space, and how a pattern becomes a consumer's filter.
//!
//! Owns: the mapping of a topic or pattern to a NATS subject under this cluster's prefix, the
//! stream a sender's events go to, and the subjects of the presence beacons. It must not talk to
//! NATS nor check topics (the topic grammar's): it maps what the grammar already accepted.
//!
//! # Layout
//!
//! | subject | what |
//! |---|---|
//! | `<prefix>.<stream>.<topic>` | an event; `<stream>` is the index (`0`, `1`, ...) of the stream its sender writes to |
//! | `<prefix>.presence` | the presence beacons (core NATS only, never stored) |
//!
//! The grammars agree: a topic's segments are NATS tokens, our `*` and trailing `>` are NATS's,
//! and our pattern `*` alone (every topic) is NATS's `>`. A segment byte NATS does not take in a
//! token (a space, a control character, a non-ASCII byte) and `%` itself are written `%XX`, so
//! the mapping is one to one and wildcards keep their meaning. Stream `i` stores
//! `<prefix>.<i>.>`.

use crate::topic::ANY_TOPIC;
use std::fmt::Write;

/// The subject space of one cluster: its prefix and how many streams share its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subjects {
    /// The first token(s) of every subject, and the streams' name stem.
    prefix: String,
    /// How many streams the events are spread over, by sender.
    streams: u16,
}

impl Subjects {
    /// The subjects under `prefix` (checked by [`check_prefix`]) over `streams` streams.
    pub(crate) fn new(prefix: &str, streams: u16) -> Self {
        Subjects { prefix: prefix.to_owned(), streams: streams.max(1) }
    }

    /// How many streams hold the events.
    pub(crate) fn streams(&self) -> u16 {
        self.streams
    }

    /// The stream the events of `sender` go to: every event of one sender goes to one stream, so
    /// the stream's order is the sender's order.
    pub(crate) fn stream_of(&self, sender: u64) -> u16 {
        (sender % u64::from(self.streams)) as u16
    }

    /// The name of stream `index`: the prefix with `.` as `-`, and `-<index>` after it when there
    /// are several.
    pub(crate) fn stream_name(&self, index: u16) -> String {
        let stem = self.prefix.replace('.', "-");
        if self.streams == 1 {
            stem
        } else {
            format!("{stem}-{index}")
        }
    }

    /// The subjects stream `index` stores.
    pub(crate) fn stream_subjects(&self, index: u16) -> String {
        format!("{}.{index}.>", self.prefix)
    }

    /// The subject of an event on `topic` in stream `index`.
    pub(crate) fn event(&self, index: u16, topic: &str) -> String {
        let mut subject = format!("{}.{index}.", self.prefix);
        push_escaped(&mut subject, topic, false);
        subject
    }

    /// The filter of `pattern` in stream `index` (`*` alone: every event of that stream).
    pub(crate) fn filter(&self, index: u16, pattern: &str) -> String {
        let mut subject = format!("{}.{index}.", self.prefix);
        if pattern == ANY_TOPIC {
            subject.push('>');
        } else {
            push_escaped(&mut subject, pattern, true);
        }
        subject
    }

    /// The subject of the presence beacons.
    pub(crate) fn presence(&self) -> String {
        format!("{}.presence", self.prefix)
    }
}

/// Patterns that never match one topic twice and together match at least every topic the given
/// ones match: what a JetStream consumer's filters must be (they may not overlap), and what
/// keeps a core subscriber from receiving one event twice. A pattern inside another is dropped;
/// two that overlap otherwise become the narrowest pattern covering both (`a.*` and `*.b`
/// become `*.*`), so a node may read a few events no listener of it matches (its listeners are
/// matched again on delivery).
pub(crate) fn disjoint_cover(patterns: &[String]) -> Vec<String> {
    let mut cover: Vec<Vec<String>> = patterns
        .iter()
        .map(|p| if p == ANY_TOPIC { vec![">".to_owned()] } else { tokens(p) })
        .collect();
    loop {
        cover.sort();
        cover.dedup();
        let pair = (0..cover.len())
            .flat_map(|i| (0..cover.len()).map(move |j| (i, j)))
            .find(|&(i, j)| i != j && overlap(&cover[i], &cover[j]));
        let Some((i, j)) = pair else { break };
        let merged = if within(&cover[i], &cover[j]) {
            cover[j].clone()
        } else if within(&cover[j], &cover[i]) {
            cover[i].clone()
        } else {
            narrowest_cover(&cover[i], &cover[j])
        };
        let (first, second) = (i.max(j), i.min(j));
        cover.remove(first);
        cover.remove(second);
        cover.push(merged);
    }
    cover.into_iter().map(|t| if t == [">"] { ANY_TOPIC.to_owned() } else { t.join(".") }).collect()
}

fn tokens(pattern: &str) -> Vec<String> {
    pattern.split('.').map(str::to_owned).collect()
}

/// Whether some topic matches both.
fn overlap(a: &[String], b: &[String]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x == ">" || y == ">" {
            return true;
        }
        if x != "*" && y != "*" && x != y {
            return false;
        }
    }
    a.len() == b.len()
}

/// Whether every topic `a` matches, `b` matches too.
fn within(a: &[String], b: &[String]) -> bool {
    for (i, y) in b.iter().enumerate() {
        let Some(x) = a.get(i) else { return false };
        match y.as_str() {
            ">" => return true,
            "*" if x != ">" => {}
            literal if literal == x => {}
            _ => return false,
        }
    }
    a.len() == b.len()
}

/// The narrowest pattern of the grammar that matches everything `a` or `b` matches.
fn narrowest_cover(a: &[String], b: &[String]) -> Vec<String> {
    let mut merged = Vec::new();
    for (x, y) in a.iter().zip(b) {
        if x == ">" || y == ">" {
            merged.push(">".to_owned());
            return merged;
        }
        merged.push(if x == y { x.clone() } else { "*".to_owned() });
    }
    if a.len() != b.len() {
        // One is longer: the shorter's last segment and anything after it.
        merged.pop();
        merged.push(">".to_owned());
    }
    merged
}

/// Checks a subject prefix: one or more `.`-separated tokens of ASCII letters, digits, `-` and
/// `_` (it also names the streams and the bucket of positions).
pub(crate) fn check_prefix(prefix: &str) -> Result<(), String> {
    let token_ok = |t: &str| {
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if prefix.len() > 64 || !prefix.split('.').all(token_ok) {
        return Err(format!(
            "subject prefix `{prefix}`: at most 64 bytes of `.`-separated tokens of letters, \
             digits, `-` and `_`"
        ));
    }
    Ok(())
}

/// Appends `topic`'s segments as NATS tokens; in a `pattern`, a `*` or `>` segment stays a
/// wildcard.
fn push_escaped(subject: &mut String, topic: &str, pattern: bool) {
    for (i, segment) in topic.split('.').enumerate() {
        if i > 0 {
            subject.push('.');
        }
        if pattern && (segment == "*" || segment == ">") {
            subject.push_str(segment);
            continue;
        }
        for byte in segment.bytes() {
            if byte.is_ascii_graphic() && byte != b'%' && byte != b'*' && byte != b'>' {
                subject.push(byte as char);
            } else {
                let _ = write!(subject, "%{byte:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topic::matches;

    /// NATS's own matching of a subject against a filter (tokens; `*` one, `>` the rest).
    fn nats_matches(filter: &str, subject: &str) -> bool {
        let (mut f, mut s) = (filter.split('.'), subject.split('.'));
        loop {
            match (f.next(), s.next()) {
                (Some(">"), Some(_)) => return true,
                (Some("*"), Some(_)) => {}
                (Some(a), Some(b)) if a == b => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    }

    #[test]
    fn topics_map_to_tokens_and_odd_bytes_are_escaped() {
        let subjects = Subjects::new("nm", 1);
        assert_eq!(subjects.event(0, "stock.aapl"), "nm.0.stock.aapl");
        assert_eq!(subjects.event(0, "a b.50%.é"), "nm.0.a%20b.50%25.%C3%A9");
        assert_eq!(subjects.filter(0, "*"), "nm.0.>");
        assert_eq!(subjects.filter(0, "stock.*"), "nm.0.stock.*");
        assert_eq!(subjects.filter(0, "stock.>"), "nm.0.stock.>");
        assert_eq!(subjects.stream_name(0), "nm");
        assert_eq!(Subjects::new("a.b", 3).stream_name(2), "a-b-2");
        assert_eq!(Subjects::new("a.b", 3).stream_subjects(2), "a.b.2.>");
    }

    #[test]
    fn the_filter_matches_exactly_what_the_pattern_matches() {
        let subjects = Subjects::new("nm", 1);
        let topics = ["a", "a.b", "a.b.c", "b.a", "a b.c", "%.x", "a.%20", "<3", "x.y.z.w"];
        let patterns = ["*", "a", "a.*", "a.>", "*.a", "*.*", "a.*.c", "a b.>", "%.*", "a.%20"];
        for pattern in patterns {
            for topic in topics {
                assert_eq!(
                    nats_matches(&subjects.filter(0, pattern), &subjects.event(0, topic)),
                    matches(pattern, topic),
                    "{pattern} on {topic}"
                );
            }
        }
    }

    #[test]
    fn the_cover_matches_each_topic_once_and_every_topic_of_the_patterns() {
        let topics = ["a", "b", "a.b", "a.c", "b.b", "a.b.c", "x.y.z", "a.b.c.d", "c.b"];
        let segments = ["a", "b", "*", ">"];
        bolero::check!().with_type::<Vec<Vec<u8>>>().for_each(|picks| {
            let patterns: Vec<String> = picks
                .iter()
                .take(6)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let n = p.len().min(3);
                    let mut segs: Vec<&str> =
                        p[..n].iter().map(|b| segments[usize::from(*b) % 4]).collect();
                    // `>` only last, as the grammar says.
                    if let Some(at) = segs.iter().position(|s| *s == ">") {
                        segs.truncate(at + 1);
                    }
                    segs.join(".")
                })
                .chain(picks.first().filter(|p| p.len() == 1).map(|_| ANY_TOPIC.to_owned()))
                .collect();
            let cover = disjoint_cover(&patterns);
            for topic in topics {
                let wanted = patterns.iter().any(|p| matches(p, topic));
                let covering = cover.iter().filter(|c| matches(c, topic)).count();
                assert!(covering <= 1, "{topic} matched twice by {cover:?} (from {patterns:?})");
                assert!(!wanted || covering == 1, "{topic} lost by {cover:?} (from {patterns:?})");
            }
        });
    }

    #[test]
    fn overlapping_patterns_merge_into_the_narrowest_cover() {
        let cover = |p: &[&str]| {
            let mut c = disjoint_cover(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            c.sort();
            c
        };
        assert_eq!(cover(&["a.*", "a.>"]), ["a.>"]);
        assert_eq!(cover(&["a.*", "*.b"]), ["*.*"]);
        assert_eq!(cover(&["a.b", "c.d"]), ["a.b", "c.d"]);
        assert_eq!(cover(&["a.b", "a.b.c"]), ["a.b", "a.b.c"], "no topic matches both");
        assert_eq!(cover(&["a.>", "*.b"]), ["*.>"]);
        assert_eq!(cover(&["x", "*"]), ["*"]);
        assert_eq!(cover(&["a.b", "a.b"]), ["a.b"]);
    }

    #[test]
    fn a_sender_always_writes_to_the_same_stream() {
        let subjects = Subjects::new("nm", 4);
        for sender in [0, 1, 7, u64::MAX] {
            assert_eq!(subjects.stream_of(sender), subjects.stream_of(sender));
            assert!(subjects.stream_of(sender) < 4);
        }
    }

    #[test]
    fn prefixes_are_plain_tokens() {
        assert!(check_prefix("nanomitter").is_ok());
        assert!(check_prefix("team-a.events").is_ok());
        for bad in ["", "a..b", "a.*", "a b", "a.>", "ä"] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
    }
}
