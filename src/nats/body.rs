//! One event as the body of a NATS message.
//!
//! Owns: the byte layout of an event over NATS and its strict decoding (a malformed body is an
//! error to count, never a panic). It must not choose subjects (the subject module's) nor decide
//! what to deliver (the order module's).
//!
//! # Layout (big-endian)
//!
//! | bytes | field |
//! |---|---|
//! | 1 | version, `1` |
//! | 8 | the sender's node id |
//! | 8 | its sequence number at the sender (1, 2, 3, ...) |
//! | 8 | its sequence number among the sender's events on its topic (core mode's loss count) |
//! | 1 | the payload codec (as in the NNG wire format) |
//! | 1 + n | the sender's service name |
//! | 2 + n | the topic |
//! | rest | the payload |

use crate::event::Codec;
use crate::protocol::event::{Event, Fields};
use crate::topic;
use bytes::{BufMut, Bytes, BytesMut};
use bytestring::ByteString;

/// The layout's version byte.
const VERSION: u8 = 1;

/// The bytes of a body besides the service, the topic and the payload.
pub(crate) const FIXED_OVERHEAD: usize = 1 + 8 + 8 + 8 + 1 + 1 + 2;

/// An event read from a body, with its number on its topic.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    /// The event.
    pub(crate) event: Event,
    /// Its sequence number among its sender's events on its topic.
    pub(crate) topic_seq: u64,
}

/// The body of `event`, the `topic_seq`-th event of its sender on its topic.
pub(crate) fn encode(event: &Fields, topic_seq: u64) -> Bytes {
    let service = event.service.as_bytes();
    let topic = event.topic.as_bytes();
    let mut body =
        BytesMut::with_capacity(FIXED_OVERHEAD + service.len() + topic.len() + event.payload.len());
    body.put_u8(VERSION);
    body.put_u64(event.node);
    body.put_u64(event.seq);
    body.put_u64(topic_seq);
    body.put_u8(event.codec as u8);
    // The settings keep a service name within 255 bytes and a topic within 65,535.
    body.put_u8(service.len() as u8);
    body.put_slice(service);
    body.put_u16(topic.len() as u16);
    body.put_slice(topic);
    body.put_slice(&event.payload);
    body.freeze()
}

/// Reads a body, refusing anything that is not exactly one well-formed event on an emittable
/// topic.
pub(crate) fn decode(body: &Bytes) -> Result<Decoded, &'static str> {
    let mut at = 0;
    let mut take = |n: usize| -> Result<Bytes, &'static str> {
        let end = at + n;
        if end > body.len() {
            return Err("truncated");
        }
        let part = body.slice(at..end);
        at = end;
        Ok(part)
    };
    let be_u64 = |b: Bytes| u64::from_be_bytes(b[..].try_into().expect("8 bytes"));
    if take(1)?[0] != VERSION {
        return Err("unknown version");
    }
    let node = be_u64(take(8)?);
    let seq = be_u64(take(8)?);
    let topic_seq = be_u64(take(8)?);
    let codec = Codec::from_wire(take(1)?[0]).ok_or("unknown codec")?;
    let service_len = usize::from(take(1)?[0]);
    let service = ByteString::try_from(take(service_len)?).map_err(|_| "service not UTF-8")?;
    let topic_len = usize::from(u16::from_be_bytes(take(2)?[..].try_into().expect("2 bytes")));
    let topic = ByteString::try_from(take(topic_len)?).map_err(|_| "topic not UTF-8")?;
    topic::check(&topic, false).map_err(|_| "not an emittable topic")?;
    let payload = body.slice(at..);
    let event = Event::new(Fields { topic, service, node, seq, codec, payload });
    Ok(Decoded { event, topic_seq })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields {
            topic: ByteString::from_static("stock.aapl"),
            service: ByteString::from_static("worker"),
            node: 0x0102_0304_0506_0708,
            seq: 42,
            codec: Codec::Json,
            payload: Bytes::from_static(b"{\"price\":251.3}"),
        }
    }

    #[test]
    fn an_event_reads_back_as_written() {
        let body = encode(&fields(), 7);
        assert_eq!(body.len(), FIXED_OVERHEAD + 6 + 10 + 15);
        let decoded = decode(&body).unwrap();
        assert_eq!(decoded.topic_seq, 7);
        let event = decoded.event;
        assert_eq!(
            (event.topic(), event.service(), event.node(), event.seq()),
            ("stock.aapl", "worker", 0x0102_0304_0506_0708, 42)
        );
        assert_eq!(event.codec(), Codec::Json);
        assert_eq!(&event.payload()[..], b"{\"price\":251.3}");
    }

    #[test]
    fn every_truncation_and_a_bad_topic_are_refused() {
        let body = encode(&fields(), 1);
        let payload_at = body.len() - 15;
        for len in 0..payload_at {
            assert!(decode(&body.slice(..len)).is_err(), "{len} bytes");
        }
        let mut reserved = fields();
        reserved.topic = ByteString::from_static("$peer.joined");
        assert_eq!(decode(&encode(&reserved, 1)).unwrap_err(), "not an emittable topic");
        let mut bytes = body.to_vec();
        bytes[0] = 9;
        assert_eq!(decode(&Bytes::from(bytes)).unwrap_err(), "unknown version");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        bolero::check!().for_each(|bytes: &[u8]| {
            let _ = decode(&Bytes::copy_from_slice(bytes));
        });
    }
}
