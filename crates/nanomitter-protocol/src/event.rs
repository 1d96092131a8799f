//! An event as the protocol carries it, and how its payload is encoded.
//!
//! Owns: [`Event`] (topic, sender, sequence number, codec and payload, shared behind one
//! pointer) and [`Codec`] (the byte that names a payload's encoding on the wire). It must not
//! encode or decode payloads (the shell does, for its callers and listeners) nor know about
//! frames (the wire module builds events out of them).

use bytes::Bytes;
use bytestring::ByteString;
use std::sync::Arc;

/// How an event's payload is encoded. Recorded in every event on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Codec {
    /// bincode 2 (standard configuration) through serde: compact, for Rust peers.
    Bincode = 1,
    /// UTF-8 JSON: readable, for scripts and other languages.
    Json = 2,
    /// MessagePack as `rmp-serde` writes it, structs as maps with their field names: compact and
    /// self-describing, for other languages (a struct reads as an object in JavaScript).
    MessagePack = 3,
}

impl Codec {
    /// The codec a wire byte names, if any.
    pub fn from_wire(byte: u8) -> Option<Codec> {
        match byte {
            1 => Some(Codec::Bincode),
            2 => Some(Codec::Json),
            3 => Some(Codec::MessagePack),
            _ => None,
        }
    }
}

/// One event, as emitted and as delivered.
///
/// Cloning is one reference count: topic, service and payload are shared slices of the frame the
/// event arrived in, behind one shared pointer, so an event fans out to many recipients without
/// copying anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event(Arc<Fields>);

/// What an event carries.
#[derive(Debug, PartialEq, Eq)]
pub struct Fields {
    /// The topic it was emitted on.
    pub topic: ByteString,
    /// The service name of the node that emitted it.
    pub service: ByteString,
    /// The id of the node that emitted it.
    pub node: u64,
    /// Its sequence number at that node: 1, 2, 3... in the order that node emitted.
    pub seq: u64,
    /// How its payload is encoded.
    pub codec: Codec,
    /// The encoded payload.
    pub payload: Bytes,
}

impl Event {
    /// An event of these fields.
    pub fn new(fields: Fields) -> Self {
        Event(Arc::new(fields))
    }

    /// A notice of node `node` (of service `service`) on the reserved `topic` (`$peer.joined`,
    /// `$lagged`, ...): delivered on that node only, never sent; its data is JSON, its sequence
    /// number 0.
    pub fn notice(
        topic: &'static str,
        service: ByteString,
        node: u64,
        data: &serde_json::Value,
    ) -> Self {
        Event::new(Fields {
            topic: ByteString::from_static(topic),
            service,
            node,
            seq: 0,
            codec: Codec::Json,
            payload: Bytes::from(data.to_string()),
        })
    }

    /// The topic the event was emitted on.
    pub fn topic(&self) -> &str {
        &self.0.topic
    }

    /// The service name of the node that emitted it.
    pub fn service(&self) -> &str {
        &self.0.service
    }

    /// The id of the node that emitted it.
    pub fn node(&self) -> u64 {
        self.0.node
    }

    /// Its sequence number at that node.
    pub fn seq(&self) -> u64 {
        self.0.seq
    }

    /// How its payload is encoded.
    pub fn codec(&self) -> Codec {
        self.0.codec
    }

    /// The encoded payload.
    pub fn payload(&self) -> &Bytes {
        &self.0.payload
    }
}
