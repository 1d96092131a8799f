//! The events an events frame carries, read where they lie in the frame.
//!
//! Owns: [`Carried`] (a frame's event records, checked once when the frame is decoded: every
//! field in bounds, every topic one `emit` accepts, sequence numbers rising within the frame's
//! range) and [`CarriedEvent`] (one of them, borrowed). Nothing is allocated per event: the hub
//! reads the topics it routes by and copies the records it re-batches, and an [`Event`] is made
//! only for a listener that takes it ([`CarriedEvent::to_event`]). It must not decide what is
//! delivered or relayed (the receiving and routing modules do, through `Carried::wanted`) nor
//! decode the frame's header (the wire module does).

use crate::event::{Codec, Event, Fields};
use crate::hashing::Map;
use crate::wire::FrameError;
use bytes::Bytes;
use bytestring::ByteString;
use std::fmt;
use std::ops::{Range, RangeInclusive};

/// Bytes one event takes in a frame besides its topic and payload:
/// `seq u64 | codec u8 | topic u16 len | payload u32 len`.
pub(crate) const EVENT_OVERHEAD: usize = 8 + 1 + 2 + 4;

/// The events of one frame, as they lie in its bytes (see the module docs).
#[derive(Clone, PartialEq)]
pub struct Carried {
    /// The frame's bytes from its first event to its end: a slice of the frame, so the events
    /// share its buffer.
    records: Bytes,
    /// How many events `records` holds.
    count: usize,
}

/// One event of a [`Carried`], borrowed from the frame.
#[derive(Debug, Clone, Copy)]
pub struct CarriedEvent<'a> {
    /// Its sequence number at its sender.
    pub seq: u64,
    /// How its payload is encoded.
    pub codec: Codec,
    /// The topic it was emitted on.
    pub topic: &'a str,
    /// The records it lies in, to slice its payload from without copying.
    records: &'a Bytes,
    /// Where its payload starts in `records`.
    payload_at: usize,
    /// Its payload's length.
    payload_len: usize,
}

/// One event's fields as read from `records` at `at`, and where the next one starts; `None` if
/// the record runs past the end or its topic is not UTF-8.
fn read(records: &[u8], at: usize) -> Option<(u64, u8, Range<usize>, Range<usize>)> {
    let field = |from: usize, len: usize| records.get(from..from + len);
    let seq = u64::from_le_bytes(field(at, 8)?.try_into().ok()?);
    let codec = *records.get(at + 8)?;
    let topic_len = u16::from_le_bytes(field(at + 9, 2)?.try_into().ok()?) as usize;
    let topic = at + 11..at + 11 + topic_len;
    let payload_len = u32::from_le_bytes(field(topic.end, 4)?.try_into().ok()?) as usize;
    let payload = topic.end + 4..topic.end + 4 + payload_len;
    records.get(payload.clone())?;
    Some((seq, codec, topic, payload))
}

impl Carried {
    /// Checks `count` event records at the start of `records`, which must end exactly with the
    /// last of them, every sequence number within `covers` and higher than the one before.
    /// A topic equal to the previous event's is not checked again.
    pub(crate) fn check(
        records: Bytes,
        count: usize,
        covers: RangeInclusive<u64>,
    ) -> Result<Carried, FrameError> {
        if count > records.len() / (EVENT_OVERHEAD + 1) {
            return Err(FrameError::Truncated);
        }
        let mut at = 0;
        let mut previous: Option<(u64, Range<usize>)> = None;
        for _ in 0..count {
            let (seq, codec, topic, payload) = read(&records, at).ok_or(FrameError::Truncated)?;
            Codec::from_wire(codec).ok_or(FrameError::Invalid("codec"))?;
            let same_topic = previous
                .as_ref()
                .is_some_and(|(_, before)| records[before.clone()] == records[topic.clone()]);
            if !same_topic {
                let text = std::str::from_utf8(&records[topic.clone()])
                    .map_err(|_| FrameError::Invalid("topic"))?;
                // What `emit` accepts, and nothing else: no reserved `$` topic (a peer cannot
                // pass its events off as this emitter's own notices), no wildcard, no empty
                // segment.
                crate::topic::check(text, false).map_err(|_| FrameError::Invalid("topic"))?;
            }
            if !covers.contains(&seq) || previous.as_ref().is_some_and(|(before, _)| *before >= seq)
            {
                return Err(FrameError::Invalid(
                    "sequence number outside the covered range or out of order",
                ));
            }
            previous = Some((seq, topic));
            at = payload.end;
        }
        if at != records.len() {
            return Err(FrameError::Truncated);
        }
        Ok(Carried { records, count })
    }

    /// How many events the frame carries.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the frame carries no events (it only accounts for a range).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The events, in sequence order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { records: &self.records, at: 0, left: self.count }
    }

    /// Whether `wants` takes each event, in order. The events of a frame mostly share a few
    /// topics: each topic is decided once, the one before reused without hashing it again.
    pub(crate) fn wanted(&self, mut wants: impl FnMut(&str) -> bool) -> Vec<bool> {
        let mut decided: Map<&str, bool> = Map::default();
        let mut previous: Option<(&str, bool)> = None;
        self.iter()
            .map(|event| {
                let topic = event.topic;
                if let Some((_, wanted)) = previous.filter(|(last, _)| *last == topic) {
                    return wanted;
                }
                let wanted = *decided.entry(topic).or_insert_with(|| wants(topic));
                previous = Some((topic, wanted));
                wanted
            })
            .collect()
    }
}

impl<'a> IntoIterator for &'a Carried {
    type Item = CarriedEvent<'a>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl fmt::Debug for Carried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The events of a [`Carried`], in order.
pub struct Iter<'a> {
    /// The records read from.
    records: &'a Bytes,
    /// Where the next record starts.
    at: usize,
    /// How many records are left.
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = CarriedEvent<'a>;

    fn next(&mut self) -> Option<CarriedEvent<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // Every record was checked when the frame was decoded: none of these fail.
        let (seq, codec, topic, payload) = read(self.records, self.at)?;
        let topic = std::str::from_utf8(&self.records[topic]).ok()?;
        let codec = Codec::from_wire(codec)?;
        self.at = payload.end;
        Some(CarriedEvent {
            seq,
            codec,
            topic,
            records: self.records,
            payload_at: payload.start,
            payload_len: payload.len(),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<'a> CarriedEvent<'a> {
    /// The encoded payload, in the frame.
    pub fn payload(&self) -> &'a [u8] {
        &self.records[self.payload_range()]
    }

    fn payload_range(&self) -> Range<usize> {
        self.payload_at..self.payload_at + self.payload_len
    }

    /// The event as listeners get it, from `node` of `service` (the frame's sender): its topic
    /// and payload share the frame's bytes.
    pub fn to_event(&self, node: u64, service: &ByteString) -> Event {
        let topic_at = self.payload_at - 4 - self.topic.len();
        let topic = self.records.slice(topic_at..topic_at + self.topic.len());
        Event::new(Fields {
            // A slice of the checked topic: valid UTF-8, so this never falls back.
            topic: ByteString::try_from(topic).unwrap_or_else(|_| ByteString::from(self.topic)),
            service: service.clone(),
            node,
            seq: self.seq,
            codec: self.codec,
            payload: self.records.slice(self.payload_range()),
        })
    }
}
