//! The wire format: how events travel between nodes, one NNG message per frame.
//!
//! Owns: encoding and decoding of frames, and nothing else. It must not touch sockets, actors or
//! listeners; a frame that does not parse is reported as a [`FrameError`] and never panics.
//!
//! # Format, version 1
//!
//! All integers are little-endian. Every frame starts with a 6-byte header:
//!
//! ```text
//! magic    4 bytes  "NMTR"
//! version  u8       1
//! kind     u8       1 = events, 2 = ack
//! ```
//!
//! An **events** frame carries a batch of events from one sender:
//!
//! ```text
//! node      u64                 sender's node id
//! service   u8 length + UTF-8   sender's service name (at most 255 bytes)
//! count     u32                 number of events that follow (at least 1)
//! count x { seq      u64                 sender's sequence number, 1, 2, 3, ...
//!           codec    u8                  1 = bincode, 2 = JSON
//!           topic    u16 length + UTF-8  (1 to 65535 bytes)
//!           payload  u32 length + bytes }
//! ```
//!
//! An **ack** frame is sent by the hub after it received events; it tells each sender the
//! highest sequence number the hub has seen from it:
//!
//! ```text
//! node   u64                  the hub's node id
//! count  u32
//! count x { sender u64, seq u64 }
//! ```
//!
//! Trailing bytes after the last declared item make a frame malformed. A receiver drops frames
//! with another magic or version as a whole; the hub relays events frames byte for byte and never
//! decodes payloads.

use crate::event::{Codec, DistributedEvent};
use bytes::Bytes;
use bytestring::ByteString;
use std::fmt;

const MAGIC: [u8; 4] = *b"NMTR";
/// The version of the format this build speaks.
pub const VERSION: u8 = 1;
const KIND_EVENTS: u8 = 1;
const KIND_ACK: u8 = 2;
const HEADER_LEN: usize = 6;
const EVENTS_PREFIX_LEN: usize = HEADER_LEN + 8 + 1 + 4;
/// Longest topic in bytes the format can carry.
pub const MAX_TOPIC_LEN: usize = u16::MAX as usize;
/// Longest service name in bytes the format can carry.
pub const MAX_SERVICE_LEN: usize = u8::MAX as usize;

/// Bytes one event adds to an events frame, besides its topic and payload.
const EVENT_OVERHEAD: usize = 8 + 1 + 2 + 4;

/// Why a frame was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// It does not start with the magic bytes.
    NotAFrame,
    /// It is a frame of a version this build does not speak.
    Version(u8),
    /// Its kind byte is unknown.
    Kind(u8),
    /// It ends before what it declares, or has bytes after it.
    Truncated,
    /// A field holds an invalid value.
    Invalid(&'static str),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::NotAFrame => write!(f, "not a nanomitter frame"),
            FrameError::Version(v) => write!(
                f,
                "unsupported frame version {v} (this build speaks {VERSION})"
            ),
            FrameError::Kind(k) => write!(f, "unknown frame kind {k}"),
            FrameError::Truncated => write!(f, "frame length does not match its contents"),
            FrameError::Invalid(what) => write!(f, "invalid {what}"),
        }
    }
}

/// A decoded frame.
#[derive(Debug)]
pub enum Frame {
    Events(Vec<DistributedEvent>),
    Ack(AckFrame),
}

/// The hub's acknowledgement of what it received.
#[derive(Debug)]
pub struct AckFrame {
    pub acks: Vec<(u64, u64)>,
}

/// Bytes an event with this topic and payload adds to a frame.
pub(crate) fn event_wire_size(topic: &str, payload: &[u8]) -> usize {
    EVENT_OVERHEAD + topic.len() + payload.len()
}

/// Bytes a frame carrying one event from `service` takes at least.
pub(crate) fn frame_overhead(service: &str) -> usize {
    EVENTS_PREFIX_LEN + service.len()
}

/// An events frame being filled. Events are appended in sequence order.
pub struct EventsBatch {
    buf: Vec<u8>,
    count: u32,
    count_at: usize,
}

impl EventsBatch {
    /// A batch from `node`, with room for a first event of `event_size` bytes.
    pub fn new(node: u64, service: &str, event_size: usize) -> Self {
        let mut buf = Vec::with_capacity(frame_overhead(service) + event_size);
        buf.extend_from_slice(&MAGIC);
        buf.extend_from_slice(&[VERSION, KIND_EVENTS]);
        buf.extend_from_slice(&node.to_le_bytes());
        buf.push(service.len() as u8);
        buf.extend_from_slice(service.as_bytes());
        let count_at = buf.len();
        buf.extend_from_slice(&0u32.to_le_bytes());
        EventsBatch {
            buf,
            count: 0,
            count_at,
        }
    }

    /// Appends one event; refuses a topic or payload the format cannot carry.
    pub fn push(
        &mut self,
        seq: u64,
        codec: Codec,
        topic: &str,
        payload: &[u8],
    ) -> Result<(), FrameError> {
        if topic.is_empty() || topic.len() > MAX_TOPIC_LEN {
            return Err(FrameError::Invalid("topic length"));
        }
        if payload.len() > u32::MAX as usize {
            return Err(FrameError::Invalid("payload length"));
        }
        self.buf.extend_from_slice(&seq.to_le_bytes());
        self.buf.push(codec as u8);
        self.buf
            .extend_from_slice(&(topic.len() as u16).to_le_bytes());
        self.buf.extend_from_slice(topic.as_bytes());
        self.buf
            .extend_from_slice(&(payload.len() as u32).to_le_bytes());
        self.buf.extend_from_slice(payload);
        self.count += 1;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn count(&self) -> u64 {
        u64::from(self.count)
    }

    /// The finished frame.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf[self.count_at..self.count_at + 4].copy_from_slice(&self.count.to_le_bytes());
        self.buf
    }
}

/// Encodes an ack frame.
pub fn encode_ack(hub: u64, acks: &[(u64, u64)]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(HEADER_LEN + 12 + acks.len() * 16);
    buf.extend_from_slice(&MAGIC);
    buf.extend_from_slice(&[VERSION, KIND_ACK]);
    buf.extend_from_slice(&hub.to_le_bytes());
    buf.extend_from_slice(&(acks.len() as u32).to_le_bytes());
    for (sender, seq) in acks {
        buf.extend_from_slice(&sender.to_le_bytes());
        buf.extend_from_slice(&seq.to_le_bytes());
    }
    buf
}

/// Decodes a frame. The events share `bytes`: no payload is copied.
pub fn decode(bytes: Bytes) -> Result<Frame, FrameError> {
    let mut reader = Reader {
        bytes: &bytes,
        at: 0,
    };
    if reader.take(4)? != MAGIC {
        return Err(FrameError::NotAFrame);
    }
    let version = reader.u8()?;
    if version != VERSION {
        return Err(FrameError::Version(version));
    }
    let frame = match reader.u8()? {
        KIND_EVENTS => Frame::Events(decode_events(&mut reader, &bytes)?),
        KIND_ACK => Frame::Ack(decode_ack(&mut reader)?),
        kind => return Err(FrameError::Kind(kind)),
    };
    if reader.at != bytes.len() {
        return Err(FrameError::Truncated);
    }
    Ok(frame)
}

fn decode_events(
    reader: &mut Reader<'_>,
    bytes: &Bytes,
) -> Result<Vec<DistributedEvent>, FrameError> {
    let node = reader.u64()?;
    let service_len = reader.u8()? as usize;
    let service = reader.utf8(bytes, service_len, "service name")?;
    let count = reader.u32()? as usize;
    if count == 0 {
        return Err(FrameError::Invalid("event count 0"));
    }
    // Each event takes at least EVENT_OVERHEAD + 1 bytes: a declared count beyond that is a lie,
    // and must not size an allocation.
    if count > reader.remaining() / (EVENT_OVERHEAD + 1) {
        return Err(FrameError::Truncated);
    }
    let mut events = Vec::with_capacity(count);
    for _ in 0..count {
        let seq = reader.u64()?;
        let codec = Codec::from_wire(reader.u8()?).ok_or(FrameError::Invalid("codec"))?;
        let topic_len = reader.u16()? as usize;
        if topic_len == 0 {
            return Err(FrameError::Invalid("empty topic"));
        }
        let topic = reader.utf8(bytes, topic_len, "topic")?;
        let payload_len = reader.u32()? as usize;
        let start = reader.at;
        reader.take(payload_len)?;
        events.push(DistributedEvent {
            topic,
            service: service.clone(),
            node,
            seq,
            codec,
            payload: bytes.slice(start..start + payload_len),
        });
    }
    Ok(events)
}

fn decode_ack(reader: &mut Reader<'_>) -> Result<AckFrame, FrameError> {
    let _hub = reader.u64()?;
    let count = reader.u32()? as usize;
    if count > reader.remaining() / 16 {
        return Err(FrameError::Truncated);
    }
    let acks = (0..count)
        .map(|_| Ok((reader.u64()?, reader.u64()?)))
        .collect::<Result<_, FrameError>>()?;
    Ok(AckFrame { acks })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        if n > self.remaining() {
            return Err(FrameError::Truncated);
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, FrameError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, FrameError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, FrameError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A UTF-8 string of `len` bytes, shared with `whole` (which `self.bytes` is a view of).
    fn utf8(
        &mut self,
        whole: &Bytes,
        len: usize,
        what: &'static str,
    ) -> Result<ByteString, FrameError> {
        let start = self.at;
        self.take(len)?;
        ByteString::try_from(whole.slice(start..start + len)).map_err(|_| FrameError::Invalid(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch_of(events: &[(u64, Codec, &str, &[u8])]) -> Vec<u8> {
        let mut batch = EventsBatch::new(42, "svc", 64);
        for (seq, codec, topic, payload) in events {
            batch.push(*seq, *codec, topic, payload).unwrap();
        }
        batch.finish()
    }

    #[test]
    fn events_round_trip_and_share_the_frame() {
        let bytes = batch_of(&[
            (1, Codec::Json, "a", b"{}"),
            (2, Codec::Bincode, "b.c", &[1, 2, 3]),
        ]);
        let Frame::Events(events) = decode(Bytes::from(bytes)).unwrap() else {
            panic!("not events")
        };
        assert_eq!(events.len(), 2);
        assert_eq!(
            (events[0].topic(), events[0].seq(), events[0].codec()),
            ("a", 1, Codec::Json)
        );
        assert_eq!(
            (events[1].topic(), events[1].payload().as_ref()),
            ("b.c", &[1u8, 2, 3][..])
        );
        assert!(events
            .iter()
            .all(|e| e.node() == 42 && e.service() == "svc"));
    }

    #[test]
    fn ack_round_trips() {
        let Frame::Ack(ack) = decode(Bytes::from(encode_ack(7, &[(1, 10), (2, 20)]))).unwrap()
        else {
            panic!("not an ack")
        };
        assert_eq!(ack.acks, vec![(1, 10), (2, 20)]);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = batch_of(&[(1, Codec::Json, "topic", b"[1,2,3]")]);
        for len in 0..bytes.len() {
            assert!(
                decode(Bytes::copy_from_slice(&bytes[..len])).is_err(),
                "prefix of {len} bytes"
            );
        }
    }

    #[test]
    fn bad_frames_say_why() {
        let good = batch_of(&[(1, Codec::Json, "t", b"1")]);
        let mut wrong_version = good.clone();
        wrong_version[4] = 9;
        let mut trailing = good.clone();
        trailing.push(0);
        let mut bad_codec = good.clone();
        bad_codec[EVENTS_PREFIX_LEN + 3 + 8] = 7;
        let mut huge_count = good.clone();
        huge_count[EVENTS_PREFIX_LEN + 3 - 4..EVENTS_PREFIX_LEN + 3]
            .copy_from_slice(&u32::MAX.to_le_bytes());
        let cases: [(&[u8], FrameError); 6] = [
            (b"garbage!", FrameError::NotAFrame),
            (&wrong_version, FrameError::Version(9)),
            (&trailing, FrameError::Truncated),
            (&bad_codec, FrameError::Invalid("codec")),
            (&huge_count, FrameError::Truncated),
            (b"NMTR\x01\x09", FrameError::Kind(9)),
        ];
        for (bytes, expected) in cases {
            assert_eq!(decode(Bytes::copy_from_slice(bytes)).unwrap_err(), expected);
        }
    }
}
