//! The actix messages an `Addr<Emitter>` understands: the whole public API as plain messages.
//!
//! Owns: message types and building them (payload encoding, the topic checked by
//! [`crate::topic::check`]). It must not hold state, touch the network or define the topic
//! grammar; the emitter actor handles them. An actor can subscribe itself from
//! `started()` by sending [`On`] with its own recipient.

use crate::error::Result;
use crate::event::{Codec, DistributedEvent};
use crate::membership::Peer;
use crate::topic;
use crate::wire;
use actix::{Message, Recipient};
use bytes::Bytes;
use bytestring::ByteString;
use serde::Serialize;

/// Adds `recipient` to the end of the listeners of `topic`, a topic or a pattern (`stock.*`,
/// `stock.>`, `*` for every topic; see [`crate::topic`]). Duplicates are kept: a recipient
/// added twice receives each event twice. An invalid pattern is refused with
/// [`Error::InvalidTopic`](crate::Error::InvalidTopic).
#[derive(Debug, Message)]
#[rtype(result = "Result<()>")]
pub struct On {
    pub topic: String,
    pub recipient: Recipient<DistributedEvent>,
}

/// Like [`On`], but the listener is removed after its first event.
#[derive(Debug, Message)]
#[rtype(result = "Result<()>")]
pub struct Once {
    pub topic: String,
    pub recipient: Recipient<DistributedEvent>,
}

/// Like [`On`], but the listener is removed after `times` events.
#[derive(Debug, Message)]
#[rtype(result = "Result<()>")]
pub struct Many {
    pub topic: String,
    pub times: u32,
    pub recipient: Recipient<DistributedEvent>,
}

/// Removes the most recently added instance of `recipient` from `topic`'s listeners.
/// Responds whether one was found.
#[derive(Debug, Message)]
#[rtype(result = "bool")]
pub struct RemoveListener {
    pub topic: String,
    pub recipient: Recipient<DistributedEvent>,
}

/// Removes every listener of `topic`, or of every topic when `None`.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct RemoveAllListeners {
    pub topic: Option<String>,
}

/// Responds with the number of listeners an event on `topic` would reach: on this node, or on
/// every node (`cluster`, as far as their announced interests are known here).
#[derive(Debug, Message)]
#[rtype(result = "usize")]
pub struct ListenerCount {
    pub topic: String,
    pub cluster: bool,
}

/// Responds with the patterns listened to, with their number of listeners: on this node, or on
/// every node (`cluster`).
#[derive(Debug, Message)]
#[rtype(result = "Vec<(String, u32)>")]
pub struct Topics {
    pub cluster: bool,
}

/// Responds once every member of the cluster holds every event emitted before it (on a hub
/// alone, once they are sent).
#[derive(Debug, Message)]
#[rtype(result = "Result<()>")]
pub struct Flush;

/// One event to emit. Build it with [`Emit::new`] (bincode) or [`Emit::json`]; both check the
/// topic and encode the payload. Sent to the emitter, it is refused as `handle.emit` refuses it:
/// [`Error::EventTooLarge`](crate::Error::EventTooLarge) past the frame size, and
/// [`Error::Overflow`](crate::Error::Overflow) (counted in `stats().overflows`) while more than
/// `max_pending_bytes` of events are not yet acknowledged by every member.
#[derive(Debug, Clone, Message)]
#[rtype(result = "Result<()>")]
pub struct Emit {
    pub(crate) topic: ByteString,
    pub(crate) codec: Codec,
    pub(crate) payload: Bytes,
    /// Bytes reserved for it under `max_pending_bytes`: by the emitting handle before sending
    /// it, or by the emitter when it arrives with 0 (sent directly). An event's wire size is
    /// never 0, so 0 always means "not reserved yet".
    pub(crate) reserved: usize,
}

impl Emit {
    /// An event whose payload is `value` encoded with bincode.
    pub fn new<T: Serialize + ?Sized>(topic: &str, value: &T) -> Result<Emit> {
        Emit::encoded(topic, Codec::Bincode, value)
    }

    /// An event whose payload is `value` as JSON.
    pub fn json(topic: &str, value: &serde_json::Value) -> Result<Emit> {
        Emit::encoded(topic, Codec::Json, value)
    }

    pub(crate) fn encoded<T: Serialize + ?Sized>(
        topic: &str,
        codec: Codec,
        value: &T,
    ) -> Result<Emit> {
        topic::check(topic, false)?;
        let payload = codec.encode(value)?;
        Ok(Emit {
            topic: ByteString::from(topic),
            codec,
            payload: Bytes::from(payload),
            reserved: 0,
        })
    }

    /// Bytes this event takes in a frame.
    pub(crate) fn wire_size(&self) -> usize {
        wire::event_wire_size(&self.topic, &self.payload)
    }
}

/// Responds with the other nodes this node knows of.
#[derive(Debug, Message)]
#[rtype(result = "Vec<Peer>")]
pub struct Peers;
