//! A link's connections once dialed or accepted: the hub's accept loop, a client's dial loop,
//! and each connection from its opening to its end: its reader (bytes → frames → decoded, with
//! the size limit, the tags and the budgets of frames waiting for the actor) and its writer (a
//! queue bounded in frames and, on the hub, bytes).
//!
//! Owns: the connections' tasks and their writer queues, and what the hub refuses before its
//! preamble (a browser origin not allowed, a connection past its members). It must not decide
//! what a frame means (the core does) nor how a connection opens (`opening` does).

use super::opening::{open_connection, refused_origin, send_refusal, OpeningError, OPENING_MAX};
use super::warn_every::WarnEvery;
use super::{LinkEvent, Shared};
use crate::auth::{Opener, Sealer, TAG_LEN};
use crate::authorization::Scope;
use crate::error::NoHub;
use crate::framing::{envelope, Deframer};
use crate::mailbox::{MailboxBytes, Unhandled};
use crate::nng::{Dialer, Listener, Stream};
use crate::protocol::{ConnId, OpenedAs};
use crate::stats::Stats;
use crate::wire::{self, Received};
use bytes::Bytes;
use nanomitter_protocol::refusal::{Reason, Refusal};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use tracing::{debug, warn};

/// Frames a connection's writer may have queued before the connection counts as stuck: more
/// than a member may lack before the hub cuts it off as behind (half of what a sender retains:
/// `window` x 128 frames, 1,024 at the default window), plus what senders re-send at once to a
/// member coming back, and the control frames in between. On the hub its bytes are bounded too:
/// by what the other members may keep for it, `max_pending_bytes` each (see [`WriteQueue`]).
const QUEUED_FRAMES: usize = 4096;

/// Bytes a reader asks for at a time, at first (the stream receives into a buffer of its own,
/// which grows to what is asked, and the reader copies them into its deframer).
const FIRST_READ: usize = 64 * 1024;

/// Bytes a reader asks for at a time once a read filled what it asked for: a busy connection
/// reads in larger steps. Each read is a round trip through NNG's completion threads to this
/// node's thread, and at 64 KiB those round trips, not the bytes, paced a busy connection
/// (one-to-one at 1 KiB: 323 k events/s in 64 KiB reads, 426–469 k in 256 KiB reads).
const BUSY_READ: usize = 256 * 1024;

/// Bytes one connection's frames may hold while the emitter actor has not handled them, within
/// [`UNHANDLED_BUDGET`](super::UNHANDLED_BUDGET): a connection that floods the hub has at most this much ahead of the
/// other connections' frames in the actor's mailbox (a few milliseconds of work, even as
/// thousands of tiny frames), so it cannot hold theirs back, nor starve the hub's own beat. As
/// large as the largest batch a sender makes by default (`batch_bytes`), so a producer's frames
/// follow each other without waiting.
const CONNECTION_UNHANDLED_BUDGET: usize = 1024 * 1024;

/// Bytes a frame waiting for the emitter actor is counted beyond its own: its message in the
/// actor's mailbox and the fixed part of its decoded form (about 400 bytes for an events frame
/// of one event), whatever its length, so that the budget bounds what a flood of tiny frames
/// holds, not only their bytes. The parts of its decoded form that grow with it are counted
/// too (see [`Frame::decoded_bytes`](wire::Frame::decoded_bytes)).
pub(super) const HELD_PER_FRAME: usize = 512;

/// Frames at least this large (with their length and tag) take their bytes from the link's
/// budget of frames arriving ([`Shared::arriving`]) while they arrive: a smaller one that has
/// not all arrived holds less than this, besides the read buffer.
pub(super) const ARRIVING_ALONE: usize = FIRST_READ;

/// Connection ids are unique in the process, across links and attempts.
static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// One connection's writer queue, bounded in frames ([`QUEUED_FRAMES`]) and, on the hub, in
/// bytes. A client's queue needs no byte bound: it holds its own events frames on their way to
/// the hub, which its sender's window bounds, and a few control frames.
pub(super) struct WriteQueue {
    queue: mpsc::Sender<Bytes>,
    /// The bytes of the frames queued and not yet written.
    queued_bytes: Rc<std::cell::Cell<usize>>,
    /// Whether this is the hub's connection to a member, bounded in bytes.
    to_member: bool,
    /// On the hub, the claims of a member with a scoped credential: every frame toward it is
    /// cut to the events it may receive here, the last step before its connection, so no path
    /// that sends to it (relayed, re-batched, repaired, the hub's own) can bypass the cut.
    /// `None` for a full member.
    scope: Option<Rc<Scope>>,
}

impl WriteQueue {
    /// Queues a frame; `false` if the queue is full, in frames or, toward a member, past
    /// `max_bytes` (one frame always fits in an empty queue).
    pub(super) fn push(&self, frame: &Bytes, max_bytes: usize) -> bool {
        let cut;
        let frame = match &self.scope {
            None => frame,
            Some(scope) => match scope.receivable(frame) {
                Some(receivable) => {
                    cut = receivable;
                    &cut
                }
                None => return true,
            },
        };
        let queued = self.queued_bytes.get();
        let bytes = queued + frame.len();
        let too_many_bytes = self.to_member && queued > 0 && bytes > max_bytes;
        if too_many_bytes || self.queue.try_send(frame.clone()).is_err() {
            return false;
        }
        self.queued_bytes.set(bytes);
        true
    }
}

/// How long the hub's accept loop waits after the process ran out of file descriptors or
/// memory before it accepts again: meanwhile new connections wait in the system's queue (or
/// are refused by it), and the hub keeps its role and its members.
const EXHAUSTED_BACKOFF: Duration = Duration::from_millis(100);
/// The hub's accept loop: every member gets a connection of its own.
pub(super) async fn accept_members(listener: Rc<Listener>, shared: Rc<Shared>) {
    let mut exhausted = WarnEvery::default();
    loop {
        match listener.accept().await {
            Ok(stream) => {
                let shared = shared.clone();
                actix::spawn(async move {
                    serve(stream, OpenedAs::Hub, shared).await;
                });
            }
            Err(error) if error.is_closed() => return,
            Err(error) if error.is_connection_lost() || error.is_tls_failure() => {
                // A connection that failed while being accepted; the listener goes on.
                debug!(%error, "a connection failed before it was accepted");
            }
            Err(error) if error.is_out_of_resources() => {
                Stats::add(&shared.stats.over_budget, 1);
                if exhausted.due(Instant::now()).is_some() {
                    warn!(%error, "the hub cannot take more connections for now: it keeps its members and tries again");
                }
                tokio::time::sleep(EXHAUSTED_BACKOFF).await;
            }
            Err(error) => {
                shared.report(LinkEvent::Failed(error.to_string()));
                return;
            }
        }
    }
}

/// A client's dial loop: dials until the hub answers (redialing after `backoff`, doubling up
/// to its maximum), then serves that one connection. A refusal is reported, and dialing goes
/// on: the election decides (a first `connect` refused for good fails at once). The election
/// gives up on the candidate by dropping the link.
pub(super) async fn dial_hub(
    dialer: Rc<Dialer>,
    shared: Rc<Shared>,
    backoff: (Duration, Duration),
) {
    let (mut wait, max_wait) = backoff;
    loop {
        match dialer.dial().await {
            Ok(stream) => match serve(stream, OpenedAs::Client, shared.clone()).await {
                // The hub's connection came up and ended: the election takes it from here.
                Served::Up => return,
                Served::NotOpened => {}
                Served::Refused(why) => shared.report(LinkEvent::Refused(why)),
            },
            Err(error) if error.is_closed() => return,
            Err(error) => debug!(%error, "the hub did not answer, dialing again"),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(max_wait);
    }
}

/// How a connection ended.
enum Served {
    /// It came up (and went down since).
    Up,
    /// It never came up: it failed, or did not open in time.
    NotOpened,
    /// This node, dialing, refused the hub or was refused by it.
    Refused(NoHub),
}

/// One connection, from its opening to its end.
async fn serve(stream: Stream, side: OpenedAs, shared: Rc<Shared>) -> Served {
    let stream = Rc::new(stream);
    let conn = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
    if shared.closed.get() {
        stream.close();
        return Served::NotOpened;
    }
    shared.streams.borrow_mut().insert(conn, stream.clone());
    let served = serve_open(conn, &stream, side, &shared).await;
    stream.close();
    shared.streams.borrow_mut().remove(&conn);
    served
}

/// Why the hub refuses a connection before its preamble, if it does: a browser origin not
/// allowed, or as many members as a hub takes (every hello lists them) already up.
fn refused_before_preamble(stream: &Stream, shared: &Shared) -> Option<Refusal> {
    if let Some(origin) = refused_origin(stream, shared) {
        let text = format!("origin {origin} is not allowed");
        return Some(Refusal::new(Reason::OriginNotAllowed, &text));
    }
    if shared.writers.borrow().len() >= wire::MAX_LISTED {
        let text = format!("the hub has {} members, as many as it takes", wire::MAX_LISTED);
        return Some(Refusal::new(Reason::OverLimit, &text));
    }
    None
}

/// [`serve`] once the stream is registered with the link (which closes it, whatever happens).
async fn serve_open(conn: ConnId, stream: &Rc<Stream>, side: OpenedAs, shared: &Shared) -> Served {
    if side == OpenedAs::Hub {
        if let Some(refusal) = refused_before_preamble(stream, shared) {
            Stats::add(&shared.stats.refused, 1);
            send_refusal(stream, &refusal).await;
            shared.refusals.warn_hub(&refusal);
            return Served::NotOpened;
        }
    }
    // Until the connection is open, only the small handshake messages may come: a longer one is
    // refused at its announced length, before anything is buffered.
    let mut deframer = Deframer::new(OPENING_MAX);
    let (proof, authorize) = (shared.proof.as_ref(), shared.authorize.as_ref());
    let opening = open_connection(stream, &mut deframer, proof, authorize, side);
    let opened = match tokio::time::timeout(shared.handshake_within, opening).await {
        Ok(Ok(opened)) => opened,
        Ok(Err(why)) => {
            Stats::add(&shared.stats.refused, 1);
            return match why {
                OpeningError::Refused(why) => Served::Refused(why),
                OpeningError::MemberRefused(refusal) => {
                    shared.refusals.warn_hub(&refusal);
                    Served::NotOpened
                }
                OpeningError::Failed(why) => {
                    warn!(%why, "closed a connection that did not open as a member's");
                    Served::NotOpened
                }
            };
        }
        Err(_) => {
            Stats::add(&shared.stats.refused, 1);
            debug!("closed a connection that did not open in time");
            return Served::NotOpened;
        }
    };
    if shared.closed.get() {
        return Served::NotOpened;
    }
    deframer.set_limit(shared.max_frame);
    let scope = opened.scope.map(Rc::new);
    let expires = scope.as_ref().map(|scope| scope.credential.expires);
    let (sealer, opener) = opened.halves.unzip();
    let (queue, queued) = mpsc::channel(QUEUED_FRAMES);
    let queued_bytes = Rc::new(std::cell::Cell::new(0));
    let to_member = side == OpenedAs::Hub;
    let writer =
        WriteQueue { queue, queued_bytes: queued_bytes.clone(), to_member, scope: scope.clone() };
    shared.writers.borrow_mut().insert(conn, writer);
    shared.report(LinkEvent::ConnUp(conn));
    let from = (side == OpenedAs::Hub).then_some(conn);
    tokio::select! {
        () = read_frames(stream, deframer, opener, from, scope.as_deref(), shared) => {}
        () = write_frames(stream, queued, &queued_bytes, sealer) => {}
        () = credential_expiry(expires) => {
            debug!(conn, "closed the connection of a member whose credential expired");
        }
    }
    shared.writers.borrow_mut().remove(&conn);
    shared.report(LinkEvent::ConnDown(conn));
    Served::Up
}

/// Returns when a scoped member's credential expires (`expires`, seconds since the Unix epoch),
/// never for a full member: its connection ends then, as the credential would be refused anew.
async fn credential_expiry(expires: Option<u64>) {
    let Some(expires) = expires else { return std::future::pending().await };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    tokio::time::sleep(Duration::from_secs(expires).saturating_sub(now)).await;
}

/// Reads frames until the connection ends or sends something that is not a frame.
async fn read_frames(
    stream: &Stream,
    mut deframer: Deframer,
    mut opener: Option<Opener>,
    from: Option<ConnId>,
    scope: Option<&Scope>,
    shared: &Shared,
) {
    let mut read_size = FIRST_READ;
    let mut malformed = MalformedLog::default();
    let own = Arc::new(MailboxBytes::new(CONNECTION_UNHANDLED_BUDGET));
    // The large frame arriving, counted in the link's budget until it arrived whole.
    let mut arriving: Option<Unhandled> = None;
    loop {
        loop {
            let raw = match deframer.next_frame(opener.as_mut()) {
                Ok(Some(raw)) => {
                    arriving = None;
                    raw
                }
                Ok(None) => break,
                Err(error) => {
                    Stats::add(&shared.stats.refused, 1);
                    warn!(%error, "closing a connection that sent what is not a frame");
                    return;
                }
            };
            Stats::add(&shared.stats.frames_received, 1);
            Stats::add(&shared.stats.bytes_received, raw.len() as u64);
            match Received::decode(raw) {
                Ok(received) if scope.is_some_and(|scope| !scope.may_send(received.frame())) => {
                    Stats::add(&shared.stats.forbidden, 1);
                    let name = scope.map_or("", |scope| scope.credential.name.as_str());
                    shared.refusals.warn_forbidden(name);
                    return;
                }
                Ok(received) => {
                    let held =
                        received.bytes().len() + HELD_PER_FRAME + received.frame().decoded_bytes();
                    let _counted =
                        [Unhandled::new(&shared.backlog, held), Unhandled::new(&own, held)];
                    shared.report(LinkEvent::Frame { from, received, _counted });
                    // Checked after the report, so that a frame above a budget still passes.
                    own.below_limit(|| false).await;
                    shared.backlog.below_limit(|| false).await;
                }
                Err(error) => {
                    Stats::add(&shared.stats.malformed, 1);
                    malformed.dropped(&error, from);
                }
            }
        }
        if arriving.is_none() {
            if let Some(bytes) =
                deframer.arriving(opener.is_some()).filter(|b| *b >= ARRIVING_ALONE)
            {
                shared.arriving.below_limit(|| false).await;
                arriving = Some(Unhandled::new(&shared.arriving, bytes));
            }
        }
        // At least one byte, or an error (the peer's shutdown included).
        match stream.read_with(read_size, |bytes| deframer.push(bytes)).await {
            Ok(read) if read == read_size => read_size = BUSY_READ,
            Ok(_) => {}
            Err(error) => {
                if !error.is_closed() {
                    debug!(%error, "a connection ended");
                }
                return;
            }
        }
    }
}

/// One warning per connection and [`WARN_EVERY`](super::warn_every::WARN_EVERY) about the
/// malformed frames it sent, with their count, however many come (each is counted in
/// `stats().malformed`).
#[derive(Default)]
struct MalformedLog(WarnEvery);

impl MalformedLog {
    fn dropped(&mut self, error: &wire::FrameError, from: Option<ConnId>) {
        if let Some(unwritten) = self.0.due(Instant::now()) {
            warn!(%error, conn = from, dropped = unwritten + 1, "dropped malformed frames");
        }
    }
}

/// Writes queued frames, as many as are waiting in one write, until the queue or the
/// connection closes.
async fn write_frames(
    stream: &Stream,
    mut queued: mpsc::Receiver<Bytes>,
    queued_bytes: &std::cell::Cell<usize>,
    mut sealer: Option<Sealer>,
) {
    let mut batch = Vec::new();
    while queued.recv_many(&mut batch, 64).await > 0 {
        // The lengths and tags of the batch in one buffer, the frames as they are: the stream
        // sends large frames from their own bytes (one frame relayed to many members is never
        // copied per member).
        let mut envelopes = Vec::with_capacity(batch.len() * (4 + TAG_LEN));
        let mut cuts = Vec::with_capacity(batch.len());
        for frame in &batch {
            let (len, tag) = envelope(frame, sealer.as_mut());
            envelopes.extend_from_slice(&len);
            let after_len = envelopes.len();
            envelopes.extend_from_slice(tag.as_ref().map_or(&[][..], |tag| &tag[..]));
            cuts.push((after_len - 4, after_len, envelopes.len()));
        }
        let envelopes = Bytes::from(envelopes);
        let mut parts = Vec::with_capacity(batch.len() * 3);
        for (frame, (len_at, tag_at, end)) in batch.iter().zip(cuts) {
            parts.push(envelopes.slice(len_at..tag_at));
            parts.push(frame.clone());
            if end > tag_at {
                parts.push(envelopes.slice(tag_at..end));
            }
        }
        if let Err(error) = stream.write_shared(&parts).await {
            if !error.is_closed() {
                debug!(%error, "a connection ended while writing");
            }
            return;
        }
        let written: usize = batch.iter().map(Bytes::len).sum();
        queued_bytes.set(queued_bytes.get().saturating_sub(written));
        batch.clear();
    }
}
