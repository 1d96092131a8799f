//! The hub's routing of an events frame: which of its events the other clients listen to.
//!
//! Owns: the decision, made when the frame is sent (not when it arrived: clients come and go in
//! between), and the re-batching of a frame of which only some events are wanted. It must not
//! decide when to send (the hub's window does) nor touch sockets. Each client has a connection of
//! its own, so it gets only the events it listens to; it still filters on arrival.

use crate::interest::Interests;
use crate::wire::{self, EventsBatch};
use bytes::Bytes;

/// A received events frame waiting to be relayed: its bytes as they came and its decoded events.
pub(crate) struct RelayFrame {
    /// The frame's bytes exactly as they arrived: sent as they are to a client that wants
    /// every event in them (or to all, with routing off); their length is the frame's size in
    /// what the hub counts a client lacks (see [`Relay::lagging`](crate::relay::Relay::lagging)).
    pub(crate) raw: Bytes,
    /// The same frame decoded (its events share `raw`'s bytes): its topics decide what each
    /// client wants, a re-batched copy keeps its sender, range and `retained_from`, and the
    /// relay reads those to place it.
    pub(crate) frame: wire::Events,
}

/// The bytes to send for `relay` to the client `target` (its node id, `None` if it has not said
/// hello and so wants everything): the frame as it came if it wants every event in it, else
/// re-batched with the wanted events only (none, at worst), accounting for the same range of
/// sequence numbers so it sees no gap and acknowledges the range. Topic and payload bytes are
/// copied, never decoded. Returns the bytes and the number of events left out.
pub(crate) fn route(
    target: Option<u64>,
    interests: &Interests,
    relay: &RelayFrame,
) -> (Bytes, u64) {
    let RelayFrame { raw, frame } = relay;
    let Some(target) = target else { return (raw.clone(), 0) };
    keep_only(raw, frame, |topic| interests.wants(target, topic))
}

/// The events frame `frame` (its bytes `raw`) with only the events on a topic `wanted` keeps:
/// its bytes as they came when it keeps them all, else re-batched over the same range of
/// sequence numbers, so the receiver sees no gap and acknowledges the range. Returns the bytes
/// and the number of events left out.
pub(crate) fn keep_only(
    raw: &Bytes,
    frame: &wire::Events,
    wanted: impl FnMut(&str) -> bool,
) -> (Bytes, u64) {
    let wanted = frame.events.wanted(wanted);
    let left_out = wanted.iter().filter(|w| !**w).count() as u64;
    if left_out == 0 {
        return (raw.clone(), 0);
    }
    let mut batch = EventsBatch::new(frame.node, &frame.service, 0);
    for (event, _) in frame.events.iter().zip(&wanted).filter(|(_, wanted)| **wanted) {
        // The sender's frame carried it, so the format can.
        let _ = batch.push(event.seq, event.codec, event.topic, event.payload());
    }
    let mut bytes = batch.finish(frame.covers_from, frame.covers_to);
    wire::set_retained_from(&mut bytes, frame.retained_from);
    (Bytes::from(bytes), left_out)
}
