//! The sending side of one node: sequence numbers, the frame being filled, frames waiting for
//! room in the window, and frames sent but not yet acknowledged by every member.
//!
//! Owns: which frame goes out next and which may be forgotten. It must not touch the socket:
//! callers pass a `send` function, so this is plain data and testable on its own. Frames stay
//! here until the hub says every member holds them; that is what makes re-sending after a lost
//! hub, a late member or a gap possible.
//!
//! Every frame accounts for a range of sequence numbers (`covers`): the events it carries, and
//! those between them that nobody else listens to and so were never sent. Ranges follow each
//! other without holes, so receivers tell a gap from an event they were not meant to get.

use crate::event::Codec;
use crate::wire::{self, EventsBatch, FrameError};
use std::collections::VecDeque;

/// One sealed events frame.
struct OutFrame {
    covers_from: u64,
    covers_to: u64,
    bytes: Vec<u8>,
    /// Bytes reserved by the emitting handles for the events of this frame (released on ack).
    reserved: usize,
}

/// The sending side of one node.
pub(crate) struct Sender {
    node: u64,
    service: String,
    batch_bytes: usize,
    window: usize,
    /// The latest sequence number assigned.
    last_seq: u64,
    /// The latest sequence number accounted for by a sealed frame.
    covered: u64,
    /// The latest sequence number of an event put in a frame (what a flush waits for).
    last_framed: u64,
    batch: Option<(EventsBatch, usize)>,
    waiting: VecDeque<OutFrame>,
    in_flight: VecDeque<OutFrame>,
    acked: u64,
}

impl Sender {
    pub(crate) fn new(node: u64, service: &str, batch_bytes: usize, window: usize) -> Self {
        Sender {
            node,
            service: service.to_owned(),
            batch_bytes,
            window,
            last_seq: 0,
            covered: 0,
            last_framed: 0,
            batch: None,
            waiting: VecDeque::new(),
            in_flight: VecDeque::new(),
            acked: 0,
        }
    }

    /// Assigns the next sequence number and appends the event to the frame being filled.
    /// Returns the sequence number; seals the frame when it reached `batch_bytes`.
    pub(crate) fn push(
        &mut self,
        codec: Codec,
        topic: &str,
        payload: &[u8],
        reserved: usize,
    ) -> Result<u64, FrameError> {
        let size = wire::event_wire_size(topic, payload);
        if self.batch.as_ref().is_some_and(|(b, _)| b.len() + size > self.batch_bytes) {
            self.seal();
        }
        let seq = self.last_seq + 1;
        let (batch, batch_reserved) =
            self.batch.get_or_insert_with(|| (EventsBatch::new(self.node, &self.service, size), 0));
        batch.push(seq, codec, topic, payload)?;
        *batch_reserved += reserved;
        self.last_seq = seq;
        self.last_framed = seq;
        if batch.len() >= self.batch_bytes {
            self.seal();
        }
        Ok(seq)
    }

    /// Assigns the next sequence number to an event nobody else listens to: it is not sent, and
    /// the next frame accounts for it.
    pub(crate) fn skip(&mut self) -> u64 {
        self.last_seq += 1;
        self.last_seq
    }

    /// Moves the frame being filled to the frames waiting to be sent.
    pub(crate) fn seal(&mut self) {
        if let Some((batch, reserved)) = self.batch.take() {
            let covers_from = self.covered + 1;
            self.covered = self.last_seq;
            self.waiting.push_back(OutFrame {
                covers_from,
                covers_to: self.last_seq,
                bytes: batch.finish(covers_from, self.last_seq),
                reserved,
            });
        }
    }

    /// Sends frames while the window has room and `send` succeeds (it may refuse, e.g. when the
    /// hub's own window toward its clients is full); when nothing sealed is waiting, the frame
    /// being filled goes. So frames grow while the window is full: batches size themselves to
    /// the load. `send` gets the bytes, the last sequence number the frame accounts for and
    /// `retained_from`. Returns the number of frames sent.
    pub(crate) fn send_waiting(&mut self, mut send: impl FnMut(&[u8], u64, u64) -> bool) -> usize {
        let mut sent = 0;
        while self.in_flight.len() < self.window {
            if self.waiting.is_empty() {
                self.seal();
            }
            let Some(mut frame) = self.waiting.pop_front() else { break };
            let retained_from = self.in_flight.front().map_or(frame.covers_from, |f| f.covers_from);
            wire::set_retained_from(&mut frame.bytes, retained_from);
            if !send(&frame.bytes, frame.covers_to, retained_from) {
                self.waiting.push_front(frame);
                break;
            }
            self.in_flight.push_back(frame);
            sent += 1;
        }
        sent
    }

    /// Sends again every frame in flight whose last sequence number is in `last_seqs`: those
    /// that account for sequence numbers from its start on, short of the frames from its end
    /// on. Returns the number of frames sent.
    pub(crate) fn resend(
        &mut self,
        last_seqs: std::ops::Range<u64>,
        mut send: impl FnMut(&[u8], u64, u64) -> bool,
    ) -> usize {
        let retained_from = self.retained_from();
        let mut sent = 0;
        for frame in self.in_flight.iter_mut().filter(|f| last_seqs.contains(&f.covers_to)) {
            wire::set_retained_from(&mut frame.bytes, retained_from);
            if !send(&frame.bytes, frame.covers_to, retained_from) {
                break;
            }
            sent += 1;
        }
        sent
    }

    /// Forgets the frames every member holds (all sequence numbers up to `seq`). Returns the
    /// bytes the handles reserved for them.
    pub(crate) fn ack(&mut self, seq: u64) -> usize {
        let last_sent = self.last_sent();
        let mut released = 0;
        while self.in_flight.front().is_some_and(|f| f.covers_to <= seq) {
            if let Some(frame) = self.in_flight.pop_front() {
                released += frame.reserved;
            }
        }
        self.acked = self.acked.max(seq.min(last_sent));
        released
    }

    /// The lowest sequence number this node can still send again.
    pub(crate) fn retained_from(&self) -> u64 {
        self.in_flight.front().or(self.waiting.front()).map_or(self.covered + 1, |f| f.covers_from)
    }

    /// The latest sequence number of an event put in a frame: a flush waits until every member
    /// acknowledged it.
    pub(crate) fn last_framed(&self) -> u64 {
        self.last_framed
    }

    /// The latest sequence number every member acknowledged.
    pub(crate) fn acked(&self) -> u64 {
        self.acked
    }

    /// The latest sequence number accounted for by a frame handed to the transport.
    pub(crate) fn last_sent(&self) -> u64 {
        self.in_flight.back().map_or(self.acked, |f| f.covers_to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbound(batch_bytes: usize, window: usize) -> Sender {
        Sender::new(1, "svc", batch_bytes, window)
    }

    fn sent_seqs(frames: &[Vec<u8>]) -> Vec<Vec<u64>> {
        frames
            .iter()
            .map(|f| match wire::decode(bytes::Bytes::copy_from_slice(f)).unwrap() {
                wire::Frame::Events(e) => e.events.iter().map(|e| e.seq()).collect(),
                other => panic!("not events: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn events_batch_until_sealed_and_the_window_bounds_what_is_in_flight() {
        let mut out = outbound(1 << 20, 2);
        for _ in 0..3 {
            out.push(Codec::Json, "t", b"1", 10).unwrap();
            out.seal();
        }
        let mut sent = Vec::new();
        assert_eq!(
            out.send_waiting(|f, _, _| {
                sent.push(f.to_vec());
                true
            }),
            2
        );
        assert_eq!(sent_seqs(&sent), vec![vec![1], vec![2]]);
        assert_eq!(out.ack(1), 10);
        assert_eq!(
            out.send_waiting(|f, _, _| {
                sent.push(f.to_vec());
                true
            }),
            1
        );
        assert_eq!(sent_seqs(&sent[2..]), vec![vec![3]]);
        assert_eq!((out.acked(), out.retained_from()), (1, 2));
        out.ack(3);
        assert_eq!((out.acked(), out.retained_from()), (3, 4), "everything acknowledged");
    }

    #[test]
    fn a_full_batch_seals_itself() {
        let mut out = outbound(100, 16);
        for _ in 0..10 {
            out.push(Codec::Bincode, "topic", &[0; 20], 0).unwrap();
        }
        let mut sent = Vec::new();
        out.send_waiting(|f, _, _| {
            sent.push(f.to_vec());
            true
        });
        assert!(
            sent.len() > 1 && sent.iter().all(|f| f.len() <= 100),
            "{:?}",
            sent.iter().map(Vec::len).collect::<Vec<_>>()
        );
        assert_eq!(sent_seqs(&sent).concat(), (1..=10).collect::<Vec<_>>());
    }

    #[test]
    fn unacknowledged_frames_are_sent_again_from_the_requested_sequence() {
        let mut out = outbound(1 << 20, 8);
        for _ in 0..3 {
            out.push(Codec::Json, "t", b"1", 0).unwrap();
            out.seal();
        }
        out.send_waiting(|_, _, _| true);
        out.ack(1);
        let mut again = Vec::new();
        assert_eq!(
            out.resend(3..u64::MAX, |f, _, _| {
                again.push(f.to_vec());
                true
            }),
            1
        );
        assert_eq!(sent_seqs(&again), vec![vec![3]]);
        let Ok(wire::Frame::Events(frame)) = wire::decode(bytes::Bytes::from(again.remove(0)))
        else {
            panic!()
        };
        assert_eq!(frame.retained_from, 2, "receivers learn what can still be re-sent");
    }

    #[test]
    fn a_refused_send_keeps_the_frame_waiting() {
        let mut out = outbound(1 << 20, 8);
        out.push(Codec::Json, "t", b"1", 0).unwrap();
        assert_eq!(out.send_waiting(|_, _, _| false), 0);
        assert_eq!(out.send_waiting(|_, _, _| true), 1, "the refused frame goes next time");
    }
}

#[cfg(test)]
mod batching {
    use super::*;

    #[test]
    fn while_the_window_is_full_events_gather_into_one_frame() {
        let mut out = Sender::new(1, "svc", 1 << 20, 1);
        out.push(Codec::Json, "t", b"1", 0).unwrap();
        assert_eq!(out.send_waiting(|_, _, _| true), 1);
        for _ in 0..5 {
            out.push(Codec::Json, "t", b"1", 0).unwrap();
            assert_eq!(out.send_waiting(|_, _, _| true), 0, "window full");
        }
        out.ack(1);
        let mut sizes = Vec::new();
        out.send_waiting(|_, last, _| {
            sizes.push(last);
            true
        });
        assert_eq!(sizes, vec![6], "events 2..=6 went as one frame");
    }
}

#[cfg(test)]
mod coverage {
    use super::*;

    #[test]
    fn skipped_events_are_accounted_for_by_the_next_frame() {
        let mut out = Sender::new(1, "svc", 1 << 20, 8);
        out.push(Codec::Json, "t", b"1", 0).unwrap();
        out.skip();
        out.skip();
        out.push(Codec::Json, "t", b"1", 0).unwrap();
        out.seal();
        out.skip();
        let mut frames = Vec::new();
        out.send_waiting(|f, _, _| {
            frames.push(f.to_vec());
            true
        });
        let wire::Frame::Events(frame) =
            wire::decode(bytes::Bytes::from(frames.remove(0))).unwrap()
        else {
            panic!()
        };
        assert_eq!((frame.covers_from, frame.covers_to), (1, 4));
        assert_eq!(frame.events.iter().map(|e| e.seq()).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(out.last_framed(), 4, "the skipped 5th needs no acknowledgement");
    }
}
