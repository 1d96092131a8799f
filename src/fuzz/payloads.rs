//! Fuzz targets of the other readers of what peers and callers send: the payload codecs
//! ([`DistributedEvent::decode`], [`DistributedEvent::to_json`]), the topic grammar
//! ([`topic::check`], [`topic::matches`]) with the trie that must agree with it, and the check
//! of candidate addresses and service names.
//!
//! Owns: those targets. Arbitrary payloads never make a decoder panic, under either codec and
//! for self-describing, structured and scalar types alike; typed values round-trip under both
//! codecs. Arbitrary text never makes a grammar check panic, the grammar is consistent (an
//! emittable topic is a pattern that matches itself), and the trie matches exactly what
//! [`topic::matches`] matches, for topics the grammar refuses too (an events frame's topics are
//! not checked against it).

use super::frames::topics;
use super::ITERATIONS;
use crate::config::EmitterBuilder;
use crate::event::{Codec, DistributedEvent, Fields};
use crate::topic;
use crate::trie::Trie;
use bolero::check;
use bolero::generator::{one_of, one_value_of, produce, TypeGenerator, ValueGenerator};
use bytes::Bytes;
use bytestring::ByteString;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A payload type with the shapes listeners decode: strings, sequences, options, maps, enums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypeGenerator)]
struct Reading {
    ticker: String,
    price: i64,
    tags: Vec<String>,
    levels: Option<Vec<(u16, i32)>>,
    by_venue: BTreeMap<String, u8>,
    side: Side,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypeGenerator)]
enum Side {
    Bid,
    Ask(u32),
    Note { text: String, urgent: bool },
}

fn event(codec: Codec, payload: Bytes) -> DistributedEvent {
    DistributedEvent::new(Fields {
        topic: ByteString::from_static("a.x"),
        service: ByteString::from_static("peer"),
        node: 7,
        seq: 1,
        codec,
        payload,
    })
}

#[test]
fn payload_decoders_never_panic() {
    check!().with_iterations(ITERATIONS).for_each(|bytes| {
        for codec in [Codec::Json, Codec::Bincode] {
            let event = event(codec, Bytes::copy_from_slice(bytes));
            let value = event.decode::<serde_json::Value>();
            let _ = event.decode::<Reading>();
            let _ = event.decode::<String>();
            let _ = event.decode::<Vec<u64>>();
            let _ = event.decode::<(u8, bool, Option<char>)>();
            let json = event.to_json();
            if let (Codec::Json, Ok(value)) = (codec, value) {
                assert_eq!(json, value, "a JSON payload shows as itself");
            }
        }
    });
}

#[test]
fn payloads_round_trip_under_both_codecs() {
    check!().with_type::<Reading>().with_iterations(ITERATIONS).for_each(|reading| {
        for codec in [Codec::Json, Codec::Bincode] {
            let payload = codec.encode(reading).expect("a reading encodes");
            let decoded: Reading = event(codec, Bytes::from(payload)).decode().expect("decodes");
            assert_eq!(&decoded, reading, "{codec:?}");
        }
    });
}

#[test]
fn topic_grammar_never_panics_and_is_consistent() {
    check!().with_iterations(ITERATIONS).for_each(|bytes| {
        let text = String::from_utf8_lossy(bytes);
        let emittable = topic::check(&text, false).is_ok();
        let listenable = topic::check(&text, true).is_ok();
        assert!(!emittable || listenable, "{text:?} may be emitted but not listened to");
        if emittable {
            assert!(!topic::is_reserved(&text), "{text:?} is reserved yet emittable");
            assert!(topic::matches(&text, &text), "{text:?} does not match itself");
        }
        if let Some((pattern, topic)) = text.split_once(' ') {
            let _ = topic::matches(pattern, topic);
        }
    });
}

#[test]
fn trie_matches_what_the_grammar_matches() {
    let texts = || produce::<Vec<String>>().with().values(topics()).len(0usize..8);
    check!().with_generator((texts(), texts())).with_iterations(ITERATIONS).for_each(
        |(patterns, topics)| {
            let patterns: Vec<&String> =
                patterns.iter().filter(|p| topic::check(p, true).is_ok()).collect();
            let mut trie = Trie::default();
            for (index, pattern) in patterns.iter().enumerate() {
                trie.insert(pattern, index);
            }
            for topic in topics {
                let mut found = BTreeSet::new();
                trie.for_each_match(topic, |index| assert!(found.insert(*index), "twice"));
                let expected: BTreeSet<usize> = (0..patterns.len())
                    .filter(|index| topic::matches(patterns[*index], topic))
                    .collect();
                assert_eq!(found, expected, "topic {topic:?} against {patterns:?}");
            }
            for (index, pattern) in patterns.iter().enumerate() {
                assert!(trie.remove(pattern, &index));
            }
            assert_eq!(trie.len(), 0);
        },
    );
}

#[test]
fn addresses_and_service_names_are_checked_without_panic() {
    let scheme =
        one_value_of(["tcp://", "tls+tcp://", "ipc://", "inproc://", "ws://", "tcp:/", ""]);
    let address = (scheme, produce::<String>().with().len(0usize..16))
        .map_gen(|(scheme, rest)| format!("{scheme}{rest}"));
    let service = one_of((
        produce::<String>().with().len(0usize..8),
        (250usize..260).map_gen(|len| "é".repeat(len / 2)),
    ));
    check!().with_generator((address, service)).with_iterations(ITERATIONS).for_each(
        |(address, service)| {
            let checked = EmitterBuilder::new(service.as_str()).candidates([address]).checked();
            if checked.is_ok() {
                assert!(service.len() <= crate::wire::MAX_SERVICE_LEN);
            }
        },
    );
}
