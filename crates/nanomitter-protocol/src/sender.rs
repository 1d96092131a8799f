//! The sending side of one node: sequence numbers, the frame being filled, frames waiting for
//! room in the window, frames sent but not yet acknowledged by every member, and which of those
//! are to be sent again.
//!
//! Owns: which frame goes out next and which may be forgotten. It must not touch the socket:
//! callers pass a `send` function, so this is plain data and testable on its own. Frames stay
//! here until the hub says every member holds them; that is what makes re-sending after a lost
//! hub, a late member or a gap possible.
//!
//! Two windows bound what goes out. New frames wait while `window` frames are not yet held by
//! every member: while they wait, the frame being filled grows, so batches size themselves to
//! the whole cluster's pace. Every frame, new or sent again, waits while `window` frames are on
//! their way to the hub (sent on the current link and not yet taken by it, see
//! [`crate::wire::Relayed`]). When the first window has not moved for [`PAST_WINDOW_AFTER`], a
//! member is not taking what it is sent: what waits then goes past that window, and again every
//! [`PAST_WINDOW_AFTER`] while it does not move, and this node keeps the frames for that member
//! (at most `window` x [`RETAINED_PER_WINDOW`], and `max_pending_bytes`) until it acknowledges
//! them or the hub cuts it off. So a member that does not acknowledge delays the others by
//! [`PAST_WINDOW_AFTER`] at most, never stops them, and the frames that go past it stay large.
//!
//! Every frame accounts for a range of sequence numbers (`covers`): the events it carries, and
//! those between them that nobody else listens to and so were never sent. Ranges follow each
//! other without holes, so receivers tell a gap from an event they were not meant to get.

use crate::event::Codec;
use crate::wire::{self, EventsBatch, FrameError};
use bytes::{Bytes, BytesMut};
use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

/// How many frames a sender keeps for members that have not acknowledged them, per frame of its
/// window: beyond that, new frames wait. The hub cuts off a member that lacks half as many.
pub(crate) const RETAINED_PER_WINDOW: usize = 128;

/// How long the window of frames not yet held by every member may stay full, with nothing
/// acknowledged, before new frames go past it (and then how often they do). Members
/// acknowledge what their listeners took every time their mailbox drains, so a full window that
/// does not move for this long waits for a member that is stuck, frozen or gone, and waiting
/// longer only delays the others. Under a heavy legitimate load a window can stand still for
/// tens of milliseconds (8 producers of 1 KiB events to one consumer: 20 ms here cost a quarter
/// of the goodput, in frames sent past windows that were about to move).
pub(crate) const PAST_WINDOW_AFTER: Duration = Duration::from_millis(100);

/// One sealed events frame.
struct OutFrame {
    /// The first sequence number it accounts for (one past the previous frame's `covers_to`):
    /// while it is the oldest frame kept, this node can still send everything from here on,
    /// which every frame and hello says as `retained_from`.
    covers_from: u64,
    /// The last sequence number it accounts for: what names the frame (in `to_resend` and
    /// `on_the_way`, and in a re-send request's range); an acknowledgement up to it lets this
    /// node forget the frame.
    covers_to: u64,
    /// The encoded frame, sent as it is, shared with the sends that carry it (no copy per
    /// send); only its `retained_from` field is written again before each sending, since the
    /// oldest frame kept may have changed (see [`OutFrame::with_retained_from`]).
    bytes: Bytes,
    /// Bytes reserved by the emitting handles for the events of this frame (released on ack).
    reserved: usize,
}

impl OutFrame {
    /// Its bytes, with `retained_from` written in: in place, unless a send still holds the
    /// bytes (a frame sent again while its first sending is on its way), which then keeps its
    /// own and this frame gets a copy.
    fn with_retained_from(&mut self, retained_from: u64) -> &Bytes {
        if wire::retained_from_of(&self.bytes) != Some(retained_from) {
            let mut bytes = std::mem::take(&mut self.bytes)
                .try_into_mut()
                .unwrap_or_else(|shared| BytesMut::from(&shared[..]));
            wire::set_retained_from(&mut bytes, retained_from);
            self.bytes = bytes.freeze();
        }
        &self.bytes
    }
}

/// One events frame handed to the `send` function of [`Sender::send_waiting`].
pub(crate) struct Outgoing<'a> {
    /// The encoded frame to send, its `retained_from` already set to this node's current one:
    /// cloning it shares the bytes.
    pub(crate) bytes: &'a Bytes,
    /// The last sequence number the frame accounts for.
    pub(crate) last_seq: u64,
    /// The lowest sequence number the sender can still send again.
    pub(crate) retained_from: u64,
    /// Whether the frame was sent before (a re-send after a new link or a request).
    pub(crate) again: bool,
    /// Whether it goes past a window of frames not yet held by every member that stood still.
    pub(crate) past_window: bool,
}

/// The sending side of one node.
pub(crate) struct Sender {
    /// This node's id: the `node` of every events frame it builds.
    node: u64,
    /// This node's service name, which every events frame carries.
    service: String,
    /// The size a frame is sealed at: an event that would take the frame being filled past it
    /// goes in a new frame, and a frame that reaches it is sealed (a lone larger event makes a
    /// larger frame).
    batch_bytes: usize,
    /// The bound of both windows (see the module's documentation): at most this many frames on
    /// their way to the hub, and new frames wait while this many are kept, not yet held by
    /// every member. Times [`RETAINED_PER_WINDOW`], the most frames kept at all.
    window: usize,
    /// The latest sequence number assigned.
    last_seq: u64,
    /// The latest sequence number accounted for by a sealed frame.
    covered: u64,
    /// The latest sequence number of an event put in a frame (what a flush waits for).
    last_framed: u64,
    /// The frame being filled (`None` until an event comes after the last seal), with the bytes
    /// the emitting handles reserved for its events, which its [`OutFrame`] carries once sealed.
    batch: Option<(EventsBatch, usize)>,
    /// Sealed frames not sent yet, in sequence order: they go as the windows let them, and
    /// one that `send` refused goes back to the front.
    waiting: VecDeque<OutFrame>,
    /// Frames sent and not yet held by every member, in sequence order.
    in_flight: VecDeque<OutFrame>,
    /// The last sequence numbers of the frames in flight to send again, first in order.
    to_resend: BTreeSet<u64>,
    /// The last sequence numbers of the events frames sent on the current link that the hub has
    /// not taken yet, in the order sent: the frames on their way.
    on_the_way: VecDeque<u64>,
    /// How many events frames sent on the current link the hub took.
    taken_by_hub: u64,
    /// The latest of this node's sequence numbers every member holds, this node's own
    /// listeners included (what the node passes to [`Sender::ack`], at most what was sent):
    /// flushes up to it are done, a member that goes silent is said to hold this much (a hello's
    /// `owed`), and a frame up to it has reached the hub, whatever the hub said it took.
    acked: u64,
    /// Whether new frames go past a window that does not move (not when everyone is to wait
    /// for the slowest member, see [`crate::settings::SlowConsumer::Wait`]).
    past_stuck_window: bool,
    /// Since when `window` frames not yet held by every member keep new frames waiting, with
    /// nothing acknowledged since.
    full_since: Option<Instant>,
}

impl Sender {
    /// A sender of `node`'s events; `past_stuck_window`: whether new frames go past a window
    /// that does not move (see the module's documentation).
    pub(crate) fn new(
        node: u64,
        service: &str,
        batch_bytes: usize,
        window: usize,
        past_stuck_window: bool,
    ) -> Self {
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
            to_resend: BTreeSet::new(),
            on_the_way: VecDeque::new(),
            taken_by_hub: 0,
            acked: 0,
            past_stuck_window,
            full_since: None,
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
                bytes: Bytes::from(batch.finish(covers_from, self.last_seq)),
                reserved,
            });
        }
    }

    /// Sends frames while the windows have room and `send` succeeds (it may refuse, e.g. when
    /// the hub's own window toward its clients is full): first those to send again, then new
    /// ones (see the module's documentation for when they wait); when nothing sealed is waiting,
    /// the frame being filled goes. So frames grow while a window is full: batches size
    /// themselves to the load. Returns the number of frames sent.
    pub(crate) fn send_waiting(
        &mut self,
        now: Instant,
        mut send: impl FnMut(Outgoing<'_>) -> bool,
    ) -> usize {
        let past_window = self.past_window_due(now);
        let mut sent_past_window = false;
        let mut sent = 0;
        while self.on_the_way() < self.window {
            if let Some(&last_seq) = self.to_resend.first() {
                let retained_from = self.retained_from();
                let at = self.in_flight.partition_point(|f| f.covers_to < last_seq);
                let Some(frame) = self.in_flight.get_mut(at).filter(|f| f.covers_to == last_seq)
                else {
                    self.to_resend.remove(&last_seq);
                    continue;
                };
                let outgoing = Outgoing {
                    bytes: frame.with_retained_from(retained_from),
                    last_seq,
                    retained_from,
                    again: true,
                    past_window: false,
                };
                if !send(outgoing) {
                    break;
                }
                self.to_resend.remove(&last_seq);
                self.on_the_way.push_back(last_seq);
            } else {
                let within_window = self.in_flight.len() < self.window;
                let may_keep_more = self.in_flight.len() < self.window * RETAINED_PER_WINDOW;
                let may_go = within_window || (past_window && may_keep_more);
                if !may_go {
                    break;
                }
                if self.waiting.is_empty() {
                    self.seal();
                }
                let Some(mut frame) = self.waiting.pop_front() else { break };
                let retained_from =
                    self.in_flight.front().map_or(frame.covers_from, |f| f.covers_from);
                let last_seq = frame.covers_to;
                let outgoing = Outgoing {
                    bytes: frame.with_retained_from(retained_from),
                    last_seq,
                    retained_from,
                    again: false,
                    past_window: !within_window,
                };
                if !send(outgoing) {
                    self.waiting.push_front(frame);
                    break;
                }
                self.in_flight.push_back(frame);
                self.on_the_way.push_back(last_seq);
                sent_past_window |= !within_window;
            }
            sent += 1;
        }
        if sent_past_window {
            self.full_since = Some(now);
        }
        sent
    }

    /// Whether new frames may go past the window of frames not yet held by every member now: it
    /// is full, new frames wait, and it did not move for [`PAST_WINDOW_AFTER`] (nor did frames
    /// go past it since).
    fn past_window_due(&mut self, now: Instant) -> bool {
        if !self.past_stuck_window || !self.has_new_frames() || self.in_flight.len() < self.window {
            return false;
        }
        let since = *self.full_since.get_or_insert(now);
        now.saturating_duration_since(since) >= PAST_WINDOW_AFTER
    }

    /// Whether new events wait to go: sealed frames, or the frame being filled.
    fn has_new_frames(&self) -> bool {
        !self.waiting.is_empty() || self.batch.is_some()
    }

    /// When new frames may go past a full window that does not move, if they wait for it
    /// (`None`: they do not, or they wait for the hub to take a frame, or for room to keep it).
    pub(crate) fn past_window_at(&self) -> Option<Instant> {
        let kept = self.in_flight.len();
        let waits_for_it = self.has_new_frames()
            && self.on_the_way() < self.window
            && kept >= self.window
            && kept < self.window * RETAINED_PER_WINDOW;
        self.full_since.filter(|_| waits_for_it).map(|since| since + PAST_WINDOW_AFTER)
    }

    /// Queues for sending again every frame in flight whose last sequence number is in
    /// `last_seqs`: those that account for sequence numbers from its start on, short of the
    /// frames from its end on. They go through the window before new frames. Returns how many
    /// were queued.
    pub(crate) fn resend(&mut self, last_seqs: std::ops::Range<u64>) -> usize {
        let before = self.to_resend.len();
        let frames = self.in_flight.iter().filter(|f| last_seqs.contains(&f.covers_to));
        self.to_resend.extend(frames.map(|f| f.covers_to));
        self.to_resend.len() - before
    }

    /// The frames on their way to the hub. One every member holds has certainly reached it (a
    /// hub that does not say what it took, of an older version, frees the window this way).
    fn on_the_way(&self) -> usize {
        self.on_the_way.iter().filter(|last_seq| **last_seq > self.acked).count()
    }

    /// The hub took `frames` of the events frames sent on the current link: room in the window.
    pub(crate) fn taken_by_hub(&mut self, frames: u64) {
        while self.taken_by_hub < frames && self.on_the_way.pop_front().is_some() {
            self.taken_by_hub += 1;
        }
    }

    /// This node is the hub: it takes its own frames as it sends them.
    pub(crate) fn all_taken(&mut self) {
        self.on_the_way.clear();
    }

    /// The hub asked for this node's events from `from_seq` on: the frames on their way that
    /// account for them were lost (a connection delivers in order, and the hub asks only once
    /// something sent after them told it of them), and leave the window.
    pub(crate) fn lost_on_the_way(&mut self, from_seq: u64) {
        self.on_the_way.retain(|last_seq| *last_seq < from_seq);
    }

    /// A new link: nothing is on its way to the new hub yet, and every frame not yet held by
    /// every member goes again (the previous hub may not have passed it on to everyone).
    pub(crate) fn new_link(&mut self) {
        self.on_the_way.clear();
        self.taken_by_hub = 0;
        self.to_resend = self.in_flight.iter().map(|f| f.covers_to).collect();
    }

    /// Forgets the frames every member holds (all sequence numbers up to `seq`). Returns the
    /// bytes the handles reserved for them.
    pub(crate) fn ack(&mut self, seq: u64) -> usize {
        let last_sent = self.last_sent();
        let mut released = 0;
        while self.in_flight.front().is_some_and(|f| f.covers_to <= seq) {
            if let Some(frame) = self.in_flight.pop_front() {
                released += frame.reserved;
                self.full_since = None;
            }
        }
        self.to_resend = self.to_resend.split_off(&seq.saturating_add(1));
        // The first frames on their way that every member holds were the first the hub took.
        while self.on_the_way.front().is_some_and(|last_seq| *last_seq <= seq) {
            self.on_the_way.pop_front();
            self.taken_by_hub += 1;
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

/// A fixed instant plus `ms` milliseconds: the tests' clock.
#[cfg(test)]
fn at(ms: u64) -> Instant {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *START.get_or_init(Instant::now) + Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbound(batch_bytes: usize, window: usize) -> Sender {
        Sender::new(1, "svc", batch_bytes, window, true)
    }

    fn sent_seqs(frames: &[Vec<u8>]) -> Vec<Vec<u64>> {
        frames
            .iter()
            .map(|f| match wire::decode(bytes::Bytes::copy_from_slice(f)).unwrap() {
                wire::Frame::Events(e) => e.events.iter().map(|e| e.seq).collect(),
                other => panic!("not events: {other:?}"),
            })
            .collect()
    }

    /// A frame goes out as the bytes it is kept in, not a copy; sent again with another
    /// `retained_from` while its first sending still holds them, it goes as a copy, and the
    /// first sending's bytes stay as they were.
    #[test]
    fn a_frame_is_sent_from_its_own_bytes_and_copied_only_when_rewritten_while_held() {
        let mut frame = OutFrame {
            covers_from: 1,
            covers_to: 1,
            bytes: Bytes::from(EventsBatch::new(1, "svc", 0).finish(1, 1)),
            reserved: 0,
        };
        let first = frame.with_retained_from(1).clone();
        assert_eq!(first.as_ptr(), frame.bytes.as_ptr(), "the first sending shares the bytes");
        let again = frame.with_retained_from(1).clone();
        assert_eq!(again.as_ptr(), first.as_ptr(), "unchanged: shared again");
        let rewritten = frame.with_retained_from(2).clone();
        assert_ne!(rewritten.as_ptr(), first.as_ptr(), "held by a sending: copied");
        assert_eq!(wire::retained_from_of(&first), Some(1));
        assert_eq!(wire::retained_from_of(&rewritten), Some(2));
        drop((first, again, rewritten));
        let before = frame.bytes.as_ptr();
        frame.with_retained_from(3);
        assert_eq!(frame.bytes.as_ptr(), before, "held by nothing else: rewritten in place");
    }

    #[test]
    fn events_batch_until_sealed_and_the_window_bounds_what_the_hub_has_not_taken() {
        let mut out = outbound(1 << 20, 2);
        for _ in 0..3 {
            out.push(Codec::Json, "t", b"1", 10).unwrap();
            out.seal();
        }
        let mut sent = Vec::new();
        assert_eq!(
            out.send_waiting(at(0), |f| {
                sent.push(f.bytes.to_vec());
                true
            }),
            2
        );
        assert_eq!(sent_seqs(&sent), vec![vec![1], vec![2]]);
        assert_eq!(out.send_waiting(at(0), |_| true), 0, "window full");
        out.taken_by_hub(1);
        assert_eq!(out.ack(1), 10);
        assert_eq!(
            out.send_waiting(at(0), |f| {
                sent.push(f.bytes.to_vec());
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
        out.send_waiting(at(0), |f| {
            sent.push(f.bytes.to_vec());
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
        out.send_waiting(at(0), |_| true);
        out.ack(1);
        out.taken_by_hub(3);
        assert_eq!(out.resend(3..u64::MAX), 1);
        let mut again = Vec::new();
        out.send_waiting(at(0), |f| {
            assert!(f.again);
            again.push(f.bytes.to_vec());
            true
        });
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
        assert_eq!(out.send_waiting(at(0), |_| false), 0);
        assert_eq!(out.send_waiting(at(0), |_| true), 1, "the refused frame goes next time");
    }
}

#[cfg(test)]
mod hop_window {
    use super::*;

    fn sent_last_seqs(out: &mut Sender, now: Instant) -> Vec<(u64, bool)> {
        let mut sent = Vec::new();
        out.send_waiting(now, |f| {
            sent.push((f.last_seq, f.again));
            true
        });
        sent
    }

    fn push_frames(out: &mut Sender, n: usize) {
        for _ in 0..n {
            out.push(Codec::Json, "t", b"1", 0).unwrap();
            out.seal();
        }
    }

    #[test]
    fn a_window_that_does_not_move_holds_new_frames_back_only_for_a_while() {
        assert_eq!(PAST_WINDOW_AFTER, Duration::from_millis(100), "the times below");
        let mut out = Sender::new(1, "svc", 1 << 20, 2, true);
        push_frames(&mut out, 4);
        assert_eq!(sent_last_seqs(&mut out, at(0)), [(1, false), (2, false)]);
        out.taken_by_hub(2);
        assert!(sent_last_seqs(&mut out, at(0)).is_empty(), "nobody acknowledged them yet");
        assert_eq!(out.past_window_at(), Some(at(100)));
        assert!(sent_last_seqs(&mut out, at(99)).is_empty());
        assert_eq!(sent_last_seqs(&mut out, at(100)), [(3, false), (4, false)], "what waited");
        push_frames(&mut out, 2);
        out.push(Codec::Json, "t", b"1", 0).unwrap();
        assert_eq!(out.past_window_at(), None, "the window toward the hub is full");
        out.taken_by_hub(3);
        assert_eq!(out.past_window_at(), Some(at(200)), "again once it did not move for as long");
        assert!(sent_last_seqs(&mut out, at(199)).is_empty());
        assert_eq!(sent_last_seqs(&mut out, at(200)), [(5, false)], "as far as the hub took");
        assert_eq!((out.acked(), out.retained_from()), (0, 1), "all kept for the member");
        out.taken_by_hub(5);
        out.ack(2);
        assert!(sent_last_seqs(&mut out, at(250)).is_empty(), "the window moved: wait again");
        assert_eq!(sent_last_seqs(&mut out, at(350)), [(6, false), (7, false)]);
    }

    #[test]
    fn retention_is_bounded_in_frames() {
        assert_eq!(PAST_WINDOW_AFTER, Duration::from_millis(100), "the steps below");
        let mut out = Sender::new(1, "svc", 1 << 20, 1, true);
        push_frames(&mut out, 1);
        assert_eq!(sent_last_seqs(&mut out, at(0)).len(), 1);
        for taken in 1..RETAINED_PER_WINDOW as u64 {
            out.taken_by_hub(taken);
            push_frames(&mut out, 1);
            let later = at(100 * taken);
            assert!(sent_last_seqs(&mut out, later).is_empty(), "window full");
            assert_eq!(sent_last_seqs(&mut out, later + PAST_WINDOW_AFTER).len(), 1);
        }
        out.taken_by_hub(RETAINED_PER_WINDOW as u64);
        push_frames(&mut out, 1);
        let full = at(100 * RETAINED_PER_WINDOW as u64);
        assert!(sent_last_seqs(&mut out, full).is_empty(), "retention full: new frames wait");
        assert_eq!(out.past_window_at(), None, "only an acknowledgement makes room");
        out.ack(1);
        assert!(sent_last_seqs(&mut out, full).is_empty());
        let due = full + PAST_WINDOW_AFTER;
        assert_eq!(sent_last_seqs(&mut out, due), [(RETAINED_PER_WINDOW as u64 + 1, false)]);
    }

    #[test]
    fn after_a_new_link_every_retained_frame_goes_again_through_the_window_first() {
        let mut out = Sender::new(1, "svc", 1 << 20, 2, true);
        push_frames(&mut out, 3);
        assert_eq!(sent_last_seqs(&mut out, at(0)).len(), 2);
        out.taken_by_hub(2);
        out.ack(1);
        assert_eq!(sent_last_seqs(&mut out, at(0)), [(3, false)]);
        push_frames(&mut out, 1);
        out.new_link();
        assert_eq!(sent_last_seqs(&mut out, at(0)), [(2, true), (3, true)], "no burst");
        out.taken_by_hub(2);
        out.ack(3);
        assert_eq!(sent_last_seqs(&mut out, at(0)), [(4, false)]);
    }

    #[test]
    fn frames_the_hub_asks_for_again_were_lost_on_the_way() {
        let mut out = Sender::new(1, "svc", 1 << 20, 2, true);
        push_frames(&mut out, 3);
        assert_eq!(sent_last_seqs(&mut out, at(0)).len(), 2);
        assert!(sent_last_seqs(&mut out, at(100)).is_empty(), "window full, and nothing comes");
        out.lost_on_the_way(1);
        out.resend(1..u64::MAX);
        assert_eq!(sent_last_seqs(&mut out, at(100)), [(1, true), (2, true)]);
    }
}

#[cfg(test)]
mod batching {
    use super::*;

    #[test]
    fn while_the_window_is_full_events_gather_into_one_frame() {
        let mut out = Sender::new(1, "svc", 1 << 20, 1, true);
        out.push(Codec::Json, "t", b"1", 0).unwrap();
        assert_eq!(out.send_waiting(at(0), |_| true), 1);
        for _ in 0..5 {
            out.push(Codec::Json, "t", b"1", 0).unwrap();
            assert_eq!(out.send_waiting(at(0), |_| true), 0, "window full");
        }
        out.taken_by_hub(1);
        out.ack(1);
        let mut sizes = Vec::new();
        out.send_waiting(at(0), |f| {
            sizes.push(f.last_seq);
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
        let mut out = Sender::new(1, "svc", 1 << 20, 8, true);
        out.push(Codec::Json, "t", b"1", 0).unwrap();
        out.skip();
        out.skip();
        out.push(Codec::Json, "t", b"1", 0).unwrap();
        out.seal();
        out.skip();
        let mut frames = Vec::new();
        out.send_waiting(at(0), |f| {
            frames.push(f.bytes.to_vec());
            true
        });
        let wire::Frame::Events(frame) =
            wire::decode(bytes::Bytes::from(frames.remove(0))).unwrap()
        else {
            panic!()
        };
        assert_eq!((frame.covers_from, frame.covers_to), (1, 4));
        assert_eq!(frame.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(out.last_framed(), 4, "the skipped 5th needs no acknowledgement");
    }
}
