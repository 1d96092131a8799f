//! One emitter's link: the election's bind-or-dial on one candidate address, and the link's
//! connections — on the hub one per member, on a client the one to the hub — each a byte
//! stream of NNG's with frames of our own.
//!
//! Owns: the listener or dialer of the current election attempt, every connection's opening
//! (on a websocket hub the browser `Origin` check, then the hub's preamble and the cluster
//! secret's handshake, when there is one; a dialer refuses a hub with the reason, a
//! [`NoHub`]), its reader (bytes → frames → decoded, with the size limit and the tags) and
//! its writer (a queue bounded in frames and bytes: a member that does not read has its
//! connection closed, it never slows the others), and the reports to the emitter actor. What
//! waits for the actor is bounded too: the frames a link's readers reported and the actor has
//! not handled yet may hold at most [`UNHANDLED_BUDGET`] bytes, one connection's at most
//! [`CONNECTION_UNHANDLED_BUDGET`], and a reader that finds either reached stops reading until
//! the actor catches up, so a peer that sends faster than the actor handles is slowed by TCP
//! instead of growing the actor's mailbox. It must not decide anything: what a frame means, and
//! what to send where, is the protocol core's; the core names connections by their [`ConnId`].
//!
//! Everything here runs as tasks on the emitter's arbiter; nothing may panic (a dead task would
//! silently stop a connection's traffic), so every failure is a report or a closed connection.

use crate::auth::{Answered, AuthError, Dialing, Opener, Sealer, Secret};
use crate::config::{dial_only_scheme, uses_tls, Config};
use crate::error::{Error, NoHub, Result};
use crate::framing::{envelope, Deframer};
use crate::mailbox::MailboxBytes;
use crate::nng::{Dialer, Listener, NngError, Stream, TlsSettings, TransportOptions};
use crate::protocol::{ConnId, OpenedAs};
use crate::stats::Stats;
use crate::wire::{self, Received};
use actix::Recipient;
use bytes::Bytes;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::{debug, warn};

/// What the link tells the emitter actor.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// A connection came up (authenticated, when the cluster has a secret): for a client, the
    /// hub's; on the hub, a member's.
    ConnUp(ConnId),
    /// A connection went away.
    ConnDown(ConnId),
    /// A well-formed frame arrived, on the hub from the member connection `from`.
    Frame {
        /// The member connection it came on, on the hub; `None` on a client (the hub's).
        from: Option<ConnId>,
        /// The frame and its bytes.
        received: Received,
        /// Its bytes counted in the link's and the connection's budgets of frames waiting for
        /// the actor, until the event is dropped, handled or not.
        _counted: [Unhandled; 2],
    },
    /// The listener or dialer failed; the link is unusable.
    Failed(String),
}

/// A [`LinkEvent`] tagged with the election attempt of the link that produced it, so events of
/// a link that was already replaced are recognised and ignored.
#[derive(Debug, actix::Message)]
#[rtype(result = "()")]
pub(crate) struct FromLink {
    pub(crate) attempt: u64,
    pub(crate) event: LinkEvent,
}

/// How long a closing node keeps its link open so that its goodbye leaves.
pub(crate) const GOODBYE_LINGER: Duration = Duration::from_millis(100);

/// Frames a connection's writer may have queued before the connection counts as stuck: more
/// than a member may lack before the hub cuts it off as behind (half of what a sender retains:
/// `window` x 128 frames, 1,024 at the default window), plus what senders re-send at once to a
/// member coming back, and the control frames in between. On the hub its bytes are bounded too:
/// by what the other members may keep for it, `max_pending_bytes` each (see [`Writer`]).
const QUEUED_FRAMES: usize = 4096;
/// Bytes a reader asks for at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Bytes the frames a link's readers reported to the emitter actor may hold while the actor has
/// not handled them (each counted with [`HELD_PER_FRAME`]); a reader that finds them reached
/// stops reading until the actor has handled enough. Far more than the windows let through at
/// once (8 events frames per sender and the control frames of a few beats), so a cluster that
/// keeps to its windows does not wait; and small next to the process, so a peer that floods the
/// hub faster than the actor handles its frames holds a few MiB of it, not all it sent.
const UNHANDLED_BUDGET: usize = 4 * 1024 * 1024;
/// Bytes one connection's frames may hold while the emitter actor has not handled them, within
/// [`UNHANDLED_BUDGET`]: a connection that floods the hub has at most this much ahead of the
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
const HELD_PER_FRAME: usize = 512;
/// Frames at least this large (with their length and tag) take their bytes from the link's
/// budget of frames arriving ([`Shared::arriving`]) while they arrive: a reader asks for this
/// much at a time, so smaller ones hold no more than a read.
const ARRIVING_ALONE: usize = READ_CHUNK;
/// The longest handshake message.
const HANDSHAKE_MAX: usize = 256;

/// Connection ids are unique in the process, across links and attempts.
static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// What every task of one link shares.
struct Shared {
    attempt: u64,
    to: Recipient<FromLink>,
    stats: Arc<Stats>,
    secret: Option<Secret>,
    max_frame: usize,
    handshake_within: Duration,
    /// On a websocket link, the `Origin` headers a connection may carry (see
    /// [`crate::EmitterBuilder::ws_origins`]); `None` on other transports.
    ws_origins: Option<Vec<String>>,
    /// The writer queue of every connection that is up.
    writers: RefCell<HashMap<ConnId, Writer>>,
    /// The bytes the hub's writer toward one member may have queued per connection of the link:
    /// what each other member may keep for it (`max_pending_bytes`), and at least a window of
    /// full frames.
    max_queued_bytes: usize,
    /// Every connection of the link, opening or up, to close with it.
    streams: RefCell<HashMap<u64, Rc<Stream>>>,
    /// Set when the link is dropped: a connection that completes its opening after that is
    /// closed at once.
    closed: std::cell::Cell<bool>,
    /// The frames every connection of the link reported that the actor has not handled yet.
    backlog: Backlog,
    /// The bytes of the large frames (from [`ARRIVING_ALONE`] on) that connections of the link
    /// are in the middle of receiving: each reserves its whole length when it starts. Once
    /// they reach `max_frame`, a reader whose next frame is large stops reading until one of
    /// them arrived whole or its connection closed: peers that start frames of up to 16 MiB and
    /// never finish them hold at most twice that in all, not that much each. (One that
    /// stalls stops beating too, and the hub cuts it off as silent.)
    arriving: Backlog,
}

/// One connection's writer queue, bounded in frames ([`QUEUED_FRAMES`]) and, on the hub, in
/// bytes. A client's queue needs no byte bound: it holds its own events frames on their way to
/// the hub, which its sender's window bounds, and a few control frames.
struct Writer {
    queue: mpsc::Sender<Bytes>,
    /// The bytes of the frames queued and not yet written.
    queued_bytes: Rc<std::cell::Cell<usize>>,
    /// Whether this is the hub's connection to a member, bounded in bytes.
    to_member: bool,
}

impl Writer {
    /// Queues a frame; `false` if the queue is full, in frames or, toward a member, past
    /// `max_bytes` (one frame always fits in an empty queue).
    fn push(&self, frame: &Bytes, max_bytes: usize) -> bool {
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

impl Shared {
    fn report(&self, event: LinkEvent) {
        self.to.do_send(FromLink { attempt: self.attempt, event });
    }
}

/// An open link in one role. Dropping it closes its listener or dialer and every connection,
/// which ends their tasks.
pub(crate) struct Link {
    role: OpenedAs,
    shared: Rc<Shared>,
    /// Kept open for the link's lifetime.
    _endpoint: Endpoint,
}

enum Endpoint {
    Listener(Rc<Listener>),
    Dialer(Rc<Dialer>),
}

impl Link {
    /// One step of the election, on one candidate `address`: bind it and become the hub, or,
    /// if it is taken or not this machine's (or the node or the address's scheme is dial-only),
    /// dial it and become a client. An `ipc://` socket file that exists is bound only if nobody listens on it. A
    /// client is not usable before its connection is up (a [`LinkEvent::ConnUp`]).
    pub(crate) fn open(
        config: &Config,
        address: &str,
        attempt: u64,
        to: Recipient<FromLink>,
        stats: Arc<Stats>,
    ) -> Result<Link> {
        let shared = Rc::new(Shared {
            attempt,
            to,
            stats,
            secret: config.secret.clone(),
            max_frame: config.core.max_frame_size,
            handshake_within: config.core.election_timeout,
            ws_origins: is_websocket(address).then(|| config.ws_origins.clone()),
            writers: RefCell::new(HashMap::new()),
            max_queued_bytes: config
                .core
                .max_pending_bytes
                .max(config.core.window.saturating_mul(config.core.batch_bytes)),
            streams: RefCell::new(HashMap::new()),
            closed: std::cell::Cell::new(false),
            backlog: Arc::new(MailboxBytes::new(UNHANDLED_BUDGET)),
            arriving: Arc::new(MailboxBytes::new(config.core.max_frame_size)),
        });
        // A node without a TLS certificate cannot serve a TLS candidate: it only dials it.
        let cannot_serve_tls =
            uses_tls(address) && config.tls.as_ref().is_some_and(|t| t.cert_key_file.is_none());
        let can_bind = !config.dial_only && !cannot_serve_tls && !dial_only_scheme(address);
        let bound = if !can_bind {
            None
        } else {
            match bind_if_free(address, &transport_options(config, address, OpenedAs::Hub)) {
                Ok(listener) => listener,
                Err(error) if error.is_tls_failure() => {
                    // This node's certificate or key is unusable: say so rather than dial.
                    return Err(Error::InvalidSetting(format!(
                        "cannot serve TLS on {address} with the certificate and key given: {error}"
                    )));
                }
                Err(error) => {
                    debug!(address, %error, "cannot bind the address, dialing it");
                    None
                }
            }
        };
        if let Some(listener) = bound {
            let listener = Rc::new(listener);
            actix::spawn(accept_members(listener.clone(), shared.clone()));
            let endpoint = Endpoint::Listener(listener);
            return Ok(Link { role: OpenedAs::Hub, shared, _endpoint: endpoint });
        }
        let options = transport_options(config, address, OpenedAs::Client);
        let dialer = Dialer::new(address, &options).map_err(|error| Error::Transport {
            address: address.to_owned(),
            source: error.into(),
        })?;
        let dialer = Rc::new(dialer);
        let backoff = (config.reconnect_min, config.reconnect_max);
        actix::spawn(dial_hub(dialer.clone(), shared.clone(), backoff));
        Ok(Link { role: OpenedAs::Client, shared, _endpoint: Endpoint::Dialer(dialer) })
    }

    pub(crate) fn role(&self) -> OpenedAs {
        self.role
    }

    /// Queues one frame: a hub's goes to every member, a client's to the hub.
    pub(crate) fn send(&self, frame: &Bytes) {
        self.send_where(frame, |_| true);
    }

    /// The hub sends a member's frame to every other member.
    pub(crate) fn relay(&self, except: ConnId, frame: &Bytes) {
        self.send_where(frame, |conn| conn != except);
    }

    /// The hub sends a frame to one member.
    pub(crate) fn send_to(&self, member: ConnId, frame: &Bytes) {
        let max_bytes = self.max_queued_bytes();
        let queued = self.shared.writers.borrow().get(&member).map(|w| w.push(frame, max_bytes));
        if queued == Some(false) {
            self.stuck(member);
        }
    }

    /// Closes one member's connection (the hub cuts off a slow or silent member).
    pub(crate) fn cut_off(&self, conn: ConnId) {
        self.shared.writers.borrow_mut().remove(&conn);
        if let Some(stream) = self.shared.streams.borrow().get(&conn) {
            stream.close();
        }
    }

    /// The bytes one connection's writer may have queued: what every member may keep for it.
    fn max_queued_bytes(&self) -> usize {
        let connections = self.shared.writers.borrow().len().max(1);
        self.shared.max_queued_bytes.saturating_mul(connections)
    }

    fn send_where(&self, frame: &Bytes, to: impl Fn(ConnId) -> bool) {
        let max_bytes = self.max_queued_bytes();
        let stuck: Vec<ConnId> = self
            .shared
            .writers
            .borrow()
            .iter()
            .filter(|(conn, writer)| to(**conn) && !writer.push(frame, max_bytes))
            .map(|(conn, _)| *conn)
            .collect();
        for conn in stuck {
            self.stuck(conn);
        }
    }

    /// A connection whose writer queue is full stopped reading: it is cut off.
    fn stuck(&self, conn: ConnId) {
        warn!(conn, "a connection stopped reading: closing it");
        Stats::add(&self.shared.stats.evictions, 1);
        self.cut_off(conn);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        match &self._endpoint {
            Endpoint::Listener(listener) => listener.close(),
            Endpoint::Dialer(dialer) => dialer.close(),
        }
        self.shared.closed.set(true);
        self.shared.writers.borrow_mut().clear();
        for (_, stream) in self.shared.streams.borrow_mut().drain() {
            stream.close();
        }
    }
}

/// How long the hub's accept loop waits after the process ran out of file descriptors or
/// memory before it accepts again: meanwhile new connections wait in the system's queue (or
/// are refused by it), and the hub keeps its role and its members.
const EXHAUSTED_BACKOFF: Duration = Duration::from_millis(100);
/// At most one warning that the hub is out of resources this often.
const EXHAUSTED_WARN_EVERY: Duration = Duration::from_secs(10);

/// The hub's accept loop: every member gets a connection of its own.
async fn accept_members(listener: Rc<Listener>, shared: Rc<Shared>) {
    let mut last_warned: Option<Instant> = None;
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
                if last_warned.is_none_or(|at| at.elapsed() >= EXHAUSTED_WARN_EVERY) {
                    warn!(%error, "the hub cannot take more connections for now: it keeps its members and tries again");
                    last_warned = Some(Instant::now());
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
/// to its maximum), then serves that one connection. The election gives up on the candidate by
/// dropping the link.
async fn dial_hub(dialer: Rc<Dialer>, shared: Rc<Shared>, backoff: (Duration, Duration)) {
    let (mut wait, max_wait) = backoff;
    loop {
        match dialer.dial().await {
            Ok(stream) => {
                if serve(stream, OpenedAs::Client, shared.clone()).await {
                    // The hub's connection came up and ended: the election takes it from here.
                    return;
                }
            }
            Err(error) if error.is_closed() => return,
            Err(error) => debug!(%error, "the hub did not answer, dialing again"),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(max_wait);
    }
}

/// One connection, from its opening to its end. Returns whether it came up.
async fn serve(stream: Stream, side: OpenedAs, shared: Rc<Shared>) -> bool {
    let stream = Rc::new(stream);
    let conn = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
    if shared.closed.get() {
        stream.close();
        return false;
    }
    shared.streams.borrow_mut().insert(conn, stream.clone());
    let up = serve_open(conn, &stream, side, &shared).await;
    stream.close();
    shared.streams.borrow_mut().remove(&conn);
    up
}

/// [`serve`] once the stream is registered with the link (which closes it, whatever happens).
async fn serve_open(conn: ConnId, stream: &Rc<Stream>, side: OpenedAs, shared: &Shared) -> bool {
    if side == OpenedAs::Hub {
        if let Some(origin) = refused_origin(stream, shared) {
            Stats::add(&shared.stats.refused, 1);
            debug!(%origin, "closed a websocket connection from a browser origin not allowed");
            return false;
        }
    }
    // Until the connection is open, only the small handshake messages may come: a longer one is
    // refused at its announced length, before anything is buffered.
    let mut deframer = Deframer::new(HANDSHAKE_MAX);
    let opening = open_connection(stream, &mut deframer, shared.secret.as_ref(), side);
    let halves = match tokio::time::timeout(shared.handshake_within, opening).await {
        Ok(Ok(halves)) => halves,
        Ok(Err(why)) => {
            Stats::add(&shared.stats.refused, 1);
            warn!(%why, "closed a connection that did not open as a member's");
            return false;
        }
        Err(_) => {
            Stats::add(&shared.stats.refused, 1);
            debug!("closed a connection that did not open in time");
            return false;
        }
    };
    if shared.closed.get() {
        return false;
    }
    deframer.set_limit(shared.max_frame);
    let (sealer, opener) = halves.unzip();
    let (queue, queued) = mpsc::channel(QUEUED_FRAMES);
    let queued_bytes = Rc::new(std::cell::Cell::new(0));
    let writer =
        Writer { queue, queued_bytes: queued_bytes.clone(), to_member: side == OpenedAs::Hub };
    shared.writers.borrow_mut().insert(conn, writer);
    shared.report(LinkEvent::ConnUp(conn));
    let from = (side == OpenedAs::Hub).then_some(conn);
    tokio::select! {
        () = read_frames(stream, deframer, opener, from, shared) => {}
        () = write_frames(stream, queued, &queued_bytes, sealer) => {}
    }
    shared.writers.borrow_mut().remove(&conn);
    shared.report(LinkEvent::ConnDown(conn));
    true
}

/// The `Origin` of a websocket connection the hub must refuse: one that is not in the allowed
/// list. A web page can make a browser connect to any websocket it names, `localhost` included,
/// and the browser then sends the page's origin; other clients send none, and are let in.
fn refused_origin(stream: &Stream, shared: &Shared) -> Option<String> {
    let allowed = shared.ws_origins.as_ref()?;
    let origin = stream.ws_request_header("Origin")?;
    (!allowed.contains(&origin)).then_some(origin)
}

/// Whether `address` is a websocket one (`ws://`, `wss://`), reachable from a browser.
fn is_websocket(address: &str) -> bool {
    address.starts_with("ws://") || address.starts_with("wss://")
}

/// The hub's first words on every connection: the wire format's magic and version, and whether
/// it requires the cluster secret. A client counts as linked only once its hub said them (a
/// program that accepts connections but is not a hub never does), and refuses a hub of another
/// version or security setting with the reason.
fn preamble(secret: bool) -> [u8; 6] {
    let [m0, m1, m2, m3] = wire::MAGIC;
    [m0, m1, m2, m3, wire::VERSION, u8::from(secret)]
}

/// Opens a connection: the hub's preamble, then, with a secret, the handshake. Returns the
/// session's halves when there is a secret.
async fn open_connection(
    stream: &Stream,
    deframer: &mut Deframer,
    secret: Option<&Secret>,
    side: OpenedAs,
) -> std::result::Result<Option<(Sealer, Opener)>, OpeningError> {
    let ours = preamble(secret.is_some());
    match side {
        OpenedAs::Hub => write_one(stream, &ours).await?,
        OpenedAs::Client => {
            let theirs = read_one(stream, deframer).await?;
            if theirs[..] != ours[..] {
                return Err(OpeningError::Refused(match theirs.get(..5) {
                    Some(head) if head[..4] == wire::MAGIC && head[4] != wire::VERSION => {
                        NoHub::WireVersion { hub: head[4] }
                    }
                    Some(head) if head[..4] == wire::MAGIC && secret.is_some() => {
                        NoHub::HubHasNoSecret
                    }
                    Some(head) if head[..4] == wire::MAGIC => NoHub::SecretRequired,
                    _ => NoHub::NotAHub,
                }));
            }
        }
    }
    match secret {
        Some(secret) => Ok(Some(handshake(stream, deframer, secret, side).await?)),
        None => Ok(None),
    }
}

/// Why a connection did not open.
#[derive(Debug)]
pub(crate) enum OpeningError {
    /// This node, dialing, refuses what answered for what it said (its preamble, or a proof of
    /// the secret that does not check out).
    Refused(NoHub),
    /// The connection failed, or the peer sent what the opening does not allow.
    Failed(String),
}

impl fmt::Display for OpeningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpeningError::Refused(why) => why.fmt(f),
            OpeningError::Failed(why) => f.write_str(why),
        }
    }
}

impl From<AuthError> for OpeningError {
    fn from(error: AuthError) -> Self {
        OpeningError::Failed(error.to_string())
    }
}

/// The cluster-secret handshake (see [`crate::auth`]): the dialer challenges, the hub answers
/// and proves, the dialer proves.
async fn handshake(
    stream: &Stream,
    deframer: &mut Deframer,
    secret: &Secret,
    side: OpenedAs,
) -> std::result::Result<(Sealer, Opener), OpeningError> {
    let session = match side {
        OpenedAs::Client => {
            let (dialing, challenge) = Dialing::start(secret)?;
            write_one(stream, &challenge).await?;
            let answer = read_one(stream, deframer).await?;
            let (proof, session) = dialing.answer(&answer).map_err(|error| match error {
                AuthError::BadProof => OpeningError::Refused(NoHub::WrongSecret),
                other => other.into(),
            })?;
            write_one(stream, &proof).await?;
            session
        }
        OpenedAs::Hub => {
            let challenge = read_one(stream, deframer).await?;
            let (answered, answer) = Answered::challenge(secret, &challenge)?;
            write_one(stream, &answer).await?;
            let proof = read_one(stream, deframer).await?;
            answered.proof(&proof)?
        }
    };
    Ok(session.split())
}

async fn write_one(stream: &Stream, message: &[u8]) -> std::result::Result<(), OpeningError> {
    let (len, _) = envelope(message, None);
    stream.write_all(&[&len, message]).await.map_err(|e| OpeningError::Failed(e.to_string()))
}

async fn read_one(
    stream: &Stream,
    deframer: &mut Deframer,
) -> std::result::Result<Bytes, OpeningError> {
    let mut buf = [0u8; HANDSHAKE_MAX];
    loop {
        match deframer.next_frame(None) {
            Ok(Some(message)) if message.len() <= HANDSHAKE_MAX => return Ok(message),
            Ok(Some(_)) => return Err(OpeningError::Failed("a handshake message too long".into())),
            Ok(None) => {}
            Err(error) => return Err(OpeningError::Failed(error.to_string())),
        }
        let read = stream.read(&mut buf).await.map_err(|e| OpeningError::Failed(e.to_string()))?;
        deframer.push(&buf[..read]);
    }
}

/// Reads frames until the connection ends or sends something that is not a frame.
async fn read_frames(
    stream: &Stream,
    mut deframer: Deframer,
    mut opener: Option<Opener>,
    from: Option<ConnId>,
    shared: &Shared,
) {
    let mut buf = vec![0u8; READ_CHUNK];
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
            match Received::decode(raw) {
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
        match stream.read(&mut buf).await {
            Ok(0) => return,
            Ok(read) => deframer.push(&buf[..read]),
            Err(error) => {
                if !error.is_closed() {
                    debug!(%error, "a connection ended");
                }
                return;
            }
        }
    }
}

/// The bytes held by frames a link's readers reported to the emitter actor and it has not
/// handled yet, in one link or one connection, and the readers' wait for them to fall below the
/// budget. The [`Unhandled`] guards ride in the actor's messages.
type Backlog = Arc<MailboxBytes>;

/// The bytes of one reported frame in a [`Backlog`], released when the report is dropped: once
/// the actor handled it, or unhandled (a replaced link's, or the actor stopped). Likewise the
/// bytes of a large frame arriving ([`Shared::arriving`]), released once it arrived whole or its
/// connection closed.
#[derive(Debug)]
pub(crate) struct Unhandled {
    backlog: Backlog,
    bytes: usize,
}

impl Unhandled {
    /// Counts a frame holding `bytes` that is being reported in `backlog`.
    fn new(backlog: &Backlog, bytes: usize) -> Unhandled {
        backlog.put(bytes);
        Unhandled { backlog: backlog.clone(), bytes }
    }
}

impl Drop for Unhandled {
    fn drop(&mut self) {
        self.backlog.taken(self.bytes);
    }
}

/// One warning per connection and [`MALFORMED_WARN_EVERY`] about the malformed frames it sent,
/// with their count, however many come (each is counted in `stats().malformed`).
#[derive(Default)]
struct MalformedLog {
    last_warned: Option<Instant>,
    unreported: u64,
}

/// At most one warning about malformed frames per connection this often.
const MALFORMED_WARN_EVERY: Duration = Duration::from_secs(10);

impl MalformedLog {
    fn dropped(&mut self, error: &wire::FrameError, from: Option<ConnId>) {
        self.unreported += 1;
        let now = Instant::now();
        if self.last_warned.is_some_and(|at| now.duration_since(at) < MALFORMED_WARN_EVERY) {
            return;
        }
        warn!(%error, conn = from, dropped = self.unreported, "dropped malformed frames");
        self.last_warned = Some(now);
        self.unreported = 0;
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
        let envelopes: Vec<_> =
            batch.iter().map(|frame| envelope(frame, sealer.as_mut())).collect();
        let mut parts: Vec<&[u8]> = Vec::with_capacity(batch.len() * 3);
        for (frame, (len, tag)) in batch.iter().zip(&envelopes) {
            parts.push(len);
            parts.push(frame);
            if let Some(tag) = tag {
                parts.push(tag);
            }
        }
        if let Err(error) = stream.write_all(&parts).await {
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

/// The transport settings of a link to `address` on the side that binds it (the hub) or dials
/// it.
pub(crate) fn transport_options(
    config: &Config,
    address: &str,
    side: OpenedAs,
) -> TransportOptions {
    let tls = config.tls.as_ref().filter(|_| uses_tls(address)).map(|tls| match side {
        OpenedAs::Hub => TlsSettings {
            ca_file: None,
            cert_key_file: tls.cert_key_file.clone(),
            server_name: None,
            verify_peer: false,
        },
        OpenedAs::Client => TlsSettings {
            ca_file: Some(tls.ca_file.clone()),
            cert_key_file: None,
            server_name: tls.server_name.clone(),
            verify_peer: true,
        },
    });
    // Small frames (acknowledgements, a single event) go at once: with Nagle's algorithm on,
    // an event waits for the acknowledgement of the previous segment (measured: p50 34 ms
    // instead of 0.17 ms at 1,000 events/s through the hub).
    TransportOptions { tls, tcp_nodelay: Some(true), ..TransportOptions::default() }
}

/// Binds `address` if it is free (`None`: a live process holds it). An `ipc://` socket file
/// that exists is bound over only if nobody listens on it: a file left by a hub that died. The
/// check and the bind of an `ipc://` path happen under an exclusive lock on the directory that
/// holds it, so nodes electing at once take turns: the first finds the file stale and binds
/// it, the others find it live and dial.
fn bind_if_free(
    address: &str,
    options: &TransportOptions,
) -> std::result::Result<Option<Listener>, NngError> {
    let _turn = match address.strip_prefix("ipc://") {
        Some(path) => match ipc_lock(path) {
            Ok(lock) => Some(lock),
            // A directory this node cannot write: its bind would fail as well.
            Err(error) => {
                debug!(address, %error, "cannot lock the ipc path, dialing it");
                return Ok(None);
            }
        },
        None => None,
    };
    if ipc_socket_in_use(address) {
        return Ok(None);
    }
    match Listener::bind(address, options) {
        Ok(listener) => Ok(Some(listener)),
        Err(error) if error.is_addr_in_use() => Ok(None),
        Err(error) => Err(error),
    }
}

/// An exclusive lock (`flock`) on the directory of the ipc socket `path`, held until dropped:
/// one election step at a time on the sockets of that directory, and no file of its own.
fn ipc_lock(path: &str) -> std::io::Result<std::fs::File> {
    let dir = match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    let lock = std::fs::File::open(dir)?;
    lock.lock()?;
    Ok(lock)
}

/// Whether `address` is an `ipc://` one whose socket file a live process listens on: then this
/// node dials it. A socket file nobody listens on (a connection is refused) is stale, its hub
/// died: it is removed so that the bind can take the path. Anything else at the path (a file
/// that is not a socket) is never removed. Called with the path's lock held.
fn ipc_socket_in_use(address: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let Some(path) = address.strip_prefix("ipc://") else { return false };
    let Ok(metadata) = std::fs::symlink_metadata(path) else { return false };
    if !metadata.file_type().is_socket() {
        return true;
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
            let _ = std::fs::remove_file(path);
            false
        }
        // Live, or not ours to judge (permissions, a full backlog): left alone, and dialed.
        _ => true,
    }
}

/// Opens `stream`, just dialed, as a client of a node with `secret` does (the hub's preamble,
/// then the handshake), and nothing more: whether a hub answered, or why not. The caller closes
/// the stream; the hub sees a connection that went away before its first frame.
pub(crate) async fn hub_answers(
    stream: &Stream,
    secret: Option<&Secret>,
) -> std::result::Result<(), OpeningError> {
    let mut deframer = Deframer::new(HANDSHAKE_MAX);
    open_connection(stream, &mut deframer, secret, OpenedAs::Client).await.map(drop)
}

/// Checks whether a hub could be had at `address`: this node can bind it (it is free and this
/// machine's), or a hub there answers a dial (and, with a secret, proves it) within `timeout`.
/// Calls `answer` with the result. Used by a hub on a less preferred candidate.
pub(crate) fn probe(config: &Config, address: String, answer: impl FnOnce(bool) + 'static) {
    let bind_options = transport_options(config, &address, OpenedAs::Hub);
    let options = transport_options(config, &address, OpenedAs::Client);
    let (secret, timeout) = (config.secret.clone(), config.core.election_timeout);
    actix::spawn(async move {
        match bind_if_free(&address, &bind_options) {
            Ok(None) => return answer(true),
            Ok(Some(listener)) => {
                listener.close();
                return answer(true);
            }
            Err(_) => {}
        }
        let live = async {
            let dialer = Dialer::new(&address, &options).ok()?;
            let stream = dialer.dial().await.ok()?;
            let opened = hub_answers(&stream, secret.as_ref()).await;
            stream.close();
            opened.ok()
        };
        answer(tokio::time::timeout(timeout, live).await.ok().flatten().is_some());
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Hello, Joining};
    use actix::{Actor, Context};
    use futures_util::FutureExt;

    /// Lets the tasks spawned on this thread run until they wait.
    async fn let_tasks_run() {
        for _ in 0..10 {
            actix_rt::task::yield_now().await;
        }
    }

    /// Nodes electing at once on an `ipc://` path whose socket file is stale (its hub died):
    /// exactly one binds it, and its socket file stays, so the others dial it. Without the lock
    /// around the check and the bind, one could find the file stale, another remove it and bind,
    /// and the first remove the live hub's file and bind the path again: two hubs.
    #[test]
    fn nodes_electing_at_once_on_a_stale_ipc_path_elect_one_hub() {
        let dir = std::env::temp_dir().join(format!("nanomitter-race-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for round in 0..200 {
            let path = dir.join(format!("{round}.ipc"));
            drop(std::os::unix::net::UnixListener::bind(&path).unwrap()); // a stale socket file
            let address = format!("ipc://{}", path.display());
            let barrier = Arc::new(std::sync::Barrier::new(6));
            let racers: Vec<_> = (0..6)
                .map(|_| {
                    let (address, barrier) = (address.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        bind_if_free(&address, &TransportOptions::default()).unwrap()
                    })
                })
                .collect();
            let hubs: Vec<Listener> =
                racers.into_iter().filter_map(|racer| racer.join().unwrap()).collect();
            let live = std::os::unix::net::UnixStream::connect(&path).is_ok();
            assert_eq!((hubs.len(), live), (1, true), "round {round}: hubs bound, file live");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A file at an ipc path that is not a socket (connecting to it is refused, as to a stale
    /// socket) is not taken for a stale socket: it stays.
    #[test]
    fn a_file_at_an_ipc_path_that_is_not_a_socket_is_not_removed() {
        let dir = std::env::temp_dir().join(format!("nanomitter-plain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("not-a-socket.ipc");
        std::fs::write(&path, b"a plain file").unwrap();
        assert!(ipc_socket_in_use(&format!("ipc://{}", path.display())));
        assert!(path.exists(), "a file that refused nothing was removed");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[actix_rt::test]
    async fn readers_wait_at_the_budget_and_resume_when_the_actor_handles_a_frame() {
        let backlog = Arc::new(MailboxBytes::new(100));
        let first = Unhandled::new(&backlog, 60);
        assert!(backlog.below_limit(|| false).now_or_never().is_some(), "60 of 100 bytes: no wait");
        let second = Unhandled::new(&backlog, 60);
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let backlog = backlog.clone();
                actix_rt::spawn(async move { backlog.below_limit(|| false).await })
            })
            .collect();
        let_tasks_run().await;
        assert!(readers.iter().all(|r| !r.is_finished()), "120 of 100 bytes: both readers wait");
        drop(first);
        for reader in readers {
            reader.await.unwrap();
        }
        drop(second);

        let larger_than_the_budget = Unhandled::new(&backlog, 500);
        let reader = {
            let backlog = backlog.clone();
            actix_rt::spawn(async move { backlog.below_limit(|| false).await })
        };
        let_tasks_run().await;
        assert!(!reader.is_finished(), "a frame above the budget is reported, then waited for");
        drop(larger_than_the_budget);
        reader.await.unwrap();
        assert_eq!(backlog.bytes(), 0);
    }

    /// An actor that stops as soon as it starts, leaving its mailbox to drop what is sent.
    struct Stopped;

    impl Actor for Stopped {
        type Context = Context<Self>;

        fn started(&mut self, ctx: &mut Context<Self>) {
            actix::ActorContext::stop(ctx);
        }
    }

    impl actix::Handler<FromLink> for Stopped {
        type Result = ();

        fn handle(&mut self, _: FromLink, _: &mut Context<Self>) {}
    }

    #[actix_rt::test]
    async fn a_report_dropped_unhandled_releases_its_bytes() {
        let backlog = Arc::new(MailboxBytes::new(100));
        let actor = Stopped.start();
        while actor.connected() {
            let_tasks_run().await;
        }
        let hello = Hello::sample(1, false, Joining::Fresh).encode();
        let event = LinkEvent::Frame {
            from: None,
            received: Received::decode(Bytes::from(hello)).expect("a hello"),
            _counted: [Unhandled::new(&backlog, 500), Unhandled::new(&backlog, 100)],
        };
        assert_eq!(backlog.bytes(), 600);
        actor.recipient().do_send(FromLink { attempt: 1, event });
        let_tasks_run().await;
        assert_eq!(backlog.bytes(), 0);
        backlog.below_limit(|| false).now_or_never().expect("nothing unhandled: no wait");
    }
}
