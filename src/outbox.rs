//! Events a node's handles accepted and its emitter actor has not taken yet, encoded one after
//! another in one buffer.
//!
//! Owns: that buffer, the format of its records, the scratch buffer a handle encodes a payload
//! into, and the batches the actor is told of. A handle appends to the open batch; the first
//! record of a batch tells the actor, with one message, and the actor takes that batch whole
//! when the message comes. So an event costs a copy of its bytes, not an allocation, an actor
//! message and a pass of the actor's loop: those are paid once per batch.
//!
//! Order: a message a handle sends the actor after an emit comes after that emit's batch, whose
//! message was sent first. The other way round, a handle *seals* the open batch before it sends
//! anything else ([`Outbox::seal`]): an event emitted after the message starts a new batch,
//! announced behind the message, so it cannot ride on a batch the actor takes before it.
//!
//! It must not reserve room (`pending` does) nor know what the records become (the emitter
//! hands them to its backend).

use crate::error::Result;
use crate::event::{encode_into, Codec};
use crate::messages::Emit;
use bytes::Bytes;
use bytestring::ByteString;
use serde::Serialize;
use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

/// The scratch buffer is kept between encodings up to this capacity: a rare large payload does
/// not pin its memory on the thread.
const SCRATCH_KEPT: usize = 64 * 1024;

thread_local! {
    /// Where a handle encodes a payload before it knows its size (and so whether it may go):
    /// taken out while in use, so an encoding that emits (from a `Serialize` impl) gets a
    /// fresh one instead of a borrow error.
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Runs `with` on `value` encoded under `codec`, in this thread's scratch buffer.
pub(crate) fn with_encoded<T: Serialize + ?Sized, R>(
    codec: Codec,
    value: &T,
    with: impl FnOnce(&[u8]) -> R,
) -> Result<R> {
    let mut scratch = SCRATCH.take();
    scratch.clear();
    let encoded = encode_into(codec, value, &mut scratch).map(|()| with(&scratch));
    if scratch.capacity() <= SCRATCH_KEPT {
        SCRATCH.set(scratch);
    }
    encoded
}

/// One batch: records appended and announced to the actor by one message.
#[derive(Debug, Default)]
struct Batch {
    /// Each record: `codec u8 | topic u16 len + bytes | payload u32 len + bytes`, appended in
    /// the order the handles accepted the events.
    records: Vec<u8>,
    /// The bytes the handles reserved for the records (their wire sizes), handed to `pending`
    /// as taken over when the actor takes them.
    reserved: usize,
}

/// The batches announced and not yet taken.
#[derive(Debug, Default)]
struct Queued {
    /// Oldest first: each [`TakeOutbox`](crate::emitter::TakeOutbox) message takes the front
    /// one, in the order they were announced.
    batches: VecDeque<Batch>,
    /// The back batch still takes records: it was announced and nothing was sent the actor
    /// since. Cleared by [`Outbox::seal`] and when the actor takes it.
    open: bool,
    /// The size of the last batch taken: a new batch starts that large, so a steady stream
    /// does not grow its buffer step by step.
    last_taken: usize,
}

/// See the module docs. Shared by a node's handles and its emitter actor.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    /// Locked briefly, to append one record, seal or take a batch; no user code runs under it.
    queued: Mutex<Queued>,
}

impl Outbox {
    /// Appends an event whose handle reserved `reserved` bytes for it (its topic checked, its
    /// size within a frame). If no batch is open, it opens one and calls `tell` to announce it
    /// to the actor; `tell` runs under the lock, so batches are announced in the order they
    /// open, whichever thread appends.
    pub(crate) fn push(
        &self,
        topic: &str,
        codec: Codec,
        payload: &[u8],
        reserved: usize,
        tell: impl FnOnce(),
    ) {
        let mut queued = self.queued.lock().unwrap_or_else(PoisonError::into_inner);
        if !queued.open {
            let capacity = queued.last_taken;
            queued.batches.push_back(Batch { records: Vec::with_capacity(capacity), reserved: 0 });
            queued.open = true;
            tell();
        }
        let Some(batch) = queued.batches.back_mut() else { return };
        let records = &mut batch.records;
        records.push(codec as u8);
        // Checked before: a topic within `MAX_TOPIC_LEN`, a payload within a frame.
        records.extend_from_slice(&(topic.len() as u16).to_le_bytes());
        records.extend_from_slice(topic.as_bytes());
        records.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        records.extend_from_slice(payload);
        batch.reserved += reserved;
    }

    /// Closes the open batch: the next event opens a new one. A handle calls it before it sends
    /// the actor anything but an event, so that later events come after that message.
    pub(crate) fn seal(&self) {
        self.queued.lock().unwrap_or_else(PoisonError::into_inner).open = false;
    }

    /// Takes the oldest batch announced, and the bytes reserved for it (nothing, if none
    /// waits).
    pub(crate) fn take(&self) -> (Taken, usize) {
        let mut queued = self.queued.lock().unwrap_or_else(PoisonError::into_inner);
        let batch = queued.batches.pop_front().unwrap_or_default();
        if queued.batches.is_empty() {
            queued.open = false;
        }
        queued.last_taken = batch.records.len();
        (Taken { records: Bytes::from(batch.records) }, batch.reserved)
    }
}

/// Records taken from the outbox, in the order they were appended.
pub(crate) struct Taken {
    /// The records, shared: an event made of one (for the NATS backend) slices them.
    records: Bytes,
}

/// One record of [`Taken`].
pub(crate) struct Record<'a> {
    /// The topic it was emitted on.
    pub(crate) topic: &'a str,
    /// How its payload is encoded.
    pub(crate) codec: Codec,
    /// The encoded payload.
    pub(crate) payload: &'a [u8],
    /// Where its topic and payload lie in the records, to slice them without copying (for the
    /// NATS backend).
    #[cfg_attr(not(feature = "nats"), allow(dead_code))]
    at: (usize, usize),
}

impl Taken {
    /// The records, in order. A record that does not read (never: only [`Outbox::push`]
    /// writes them) ends the iteration.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Record<'_>> {
        let records = &self.records[..];
        let mut at = 0;
        std::iter::from_fn(move || {
            let codec = Codec::from_wire(*records.get(at)?)?;
            let topic_len = u16::from_le_bytes(records.get(at + 1..at + 3)?.try_into().ok()?);
            let topic_at = at + 3;
            let topic =
                std::str::from_utf8(records.get(topic_at..topic_at + topic_len as usize)?).ok()?;
            let len_at = topic_at + topic.len();
            let payload_len = u32::from_le_bytes(records.get(len_at..len_at + 4)?.try_into().ok()?);
            let payload_at = len_at + 4;
            let payload = records.get(payload_at..payload_at + payload_len as usize)?;
            at = payload_at + payload.len();
            Some(Record { topic, codec, payload, at: (topic_at, payload_at) })
        })
    }

    /// A record as an [`Emit`] message: its topic and payload share the records' bytes.
    #[cfg_attr(not(feature = "nats"), allow(dead_code))]
    pub(crate) fn emit(&self, record: &Record<'_>) -> Emit {
        let (topic_at, payload_at) = record.at;
        let topic = self.records.slice(topic_at..topic_at + record.topic.len());
        Emit {
            // A slice of a checked topic: valid UTF-8, so this never falls back.
            topic: ByteString::try_from(topic).unwrap_or_else(|_| ByteString::from(record.topic)),
            codec: record.codec,
            payload: self.records.slice(payload_at..payload_at + record.payload.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_batch_takes_no_more_records() {
        let outbox = Outbox::default();
        let told = Cell::new(0);
        let tell = || told.set(told.get() + 1);
        outbox.push("a", Codec::Json, b"1", 16, tell);
        outbox.seal();
        outbox.push("b", Codec::Json, b"2", 16, tell);
        assert_eq!(told.get(), 2, "a sealed batch is followed by a new one, announced");
        let topics = |(taken, _): (Taken, usize)| -> Vec<String> {
            taken.iter().map(|r| r.topic.to_owned()).collect()
        };
        assert_eq!(topics(outbox.take()), ["a"]);
        assert_eq!(topics(outbox.take()), ["b"]);
        assert!(topics(outbox.take()).is_empty(), "nothing more announced");
    }

    #[test]
    fn records_come_out_in_order_and_the_actor_is_told_once_per_batch() {
        let outbox = Outbox::default();
        let told = Cell::new(0);
        let tell = || told.set(told.get() + 1);
        outbox.push("a", Codec::Json, b"1", 17, tell);
        assert_eq!(told.get(), 1, "the first record tells the actor");
        outbox.push("b.c", Codec::Bincode, &[], 18, tell);
        assert_eq!(told.get(), 1, "the second rides along");
        let (taken, reserved) = outbox.take();
        assert_eq!(reserved, 35);
        let read: Vec<_> = taken.iter().map(|r| (r.topic, r.codec, r.payload.to_vec())).collect();
        assert_eq!(read, [("a", Codec::Json, b"1".to_vec()), ("b.c", Codec::Bincode, vec![])]);
        let emit = taken.emit(&taken.iter().next().unwrap());
        assert_eq!((&emit.topic[..], &emit.payload[..]), ("a", &b"1"[..]));
        outbox.push("d", Codec::Json, b"2", 16, tell);
        assert_eq!(told.get(), 2, "after a take, the next one tells");
    }

    #[test]
    fn an_encoding_that_emits_gets_its_own_scratch_buffer() {
        struct Nested;
        impl Serialize for Nested {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                let inner = with_encoded(Codec::Json, &[1, 2], |b| b.to_vec()).unwrap();
                s.serialize_bytes(&inner)
            }
        }
        let outer = with_encoded(Codec::Json, &Nested, |b| b.to_vec()).unwrap();
        assert_eq!(outer, b"[91,49,44,50,93]");
    }
}
