//! Fuzz targets of what callers and peers hand the emitter besides frames: the payload codecs
//! ([`DistributedEvent::decode`], [`DistributedEvent::to_json`]) and the check of candidate
//! addresses and service names. Run with `cargo test -p nanomitter --lib fuzz` (see the protocol
//! crate's `fuzz` module for the tool, bolero, and how to run longer).
//!
//! Owns: those targets. Arbitrary payloads never make a decoder panic, under either codec and
//! for self-describing, structured and scalar types alike; typed values round-trip under both
//! codecs; arbitrary addresses and service names are checked without a panic. It must not be
//! compiled outside `cfg(test)`.

use crate::config::EmitterBuilder;
use crate::event::{self, Codec, DistributedEvent};
use bolero::check;
use bolero::generator::{one_of, one_value_of, produce, TypeGenerator, ValueGenerator};
use bytes::Bytes;
use bytestring::ByteString;
use nanomitter_protocol::event::{Event, Fields};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Random inputs per target in a `cargo test` run, unless `BOLERO_RANDOM_ITERATIONS` says.
const ITERATIONS: usize = 3000;

/// A payload type with the shapes listeners decode: strings, sequences, options, maps, enums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypeGenerator)]
struct Reading {
    /// A string: under bincode, a length, then bytes that must be UTF-8.
    ticker: String,
    /// A signed integer (a zigzag varint under bincode).
    price: i64,
    /// A sequence: under bincode, a declared length that a decoder must not trust.
    tags: Vec<String>,
    /// An option around a sequence of tuples: shapes nested.
    levels: Option<Vec<(u16, i32)>>,
    /// A map with string keys.
    by_venue: BTreeMap<String, u8>,
    /// An enum with unit, tuple and struct variants.
    side: Side,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypeGenerator)]
enum Side {
    Bid,
    Ask(
        /// A tuple variant's field.
        u32,
    ),
    Note {
        /// A struct variant's field of variable length.
        text: String,
        /// A struct variant's field of one byte, of which only 0 and 1 are valid.
        urgent: bool,
    },
}

fn event(codec: Codec, payload: Bytes) -> DistributedEvent {
    DistributedEvent::from(Event::new(Fields {
        topic: ByteString::from_static("a.x"),
        service: ByteString::from_static("peer"),
        node: 7,
        seq: 1,
        codec,
        payload,
    }))
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
            let payload = event::encode(codec, reading).expect("a reading encodes");
            let decoded: Reading = event(codec, Bytes::from(payload)).decode().expect("decodes");
            assert_eq!(&decoded, reading, "{codec:?}");
        }
    });
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
                assert!(service.len() <= nanomitter_protocol::wire::MAX_SERVICE_LEN);
            }
        },
    );
}
