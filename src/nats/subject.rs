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
