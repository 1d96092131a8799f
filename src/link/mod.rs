//! One emitter's link: the election's bind-or-dial on one candidate address, and the link's
//! connections — on the hub one per member, on a client the one to the hub — each a byte
//! stream of NNG's with frames of our own.
//!
//! Owns: the listener or dialer of the current election attempt (and, on an `ipc://` path, the
//! check for a stale socket file, under a lock) and what every task of the link shares; the
//! reports to the emitter actor. The parts: `opening` (a connection's opening: the browser
//! `Origin` check on a websocket hub, the hub's preamble, the cluster secret's handshake, and the
//! refusals either side sends instead; a dialer refuses a hub, or is refused, with the reason, a
//! [`NoHub`]), `connection` (the accept
//! and dial loops, and each connection's reader — bytes → frames → decoded, with the size
//! limit, the tags and the budget of frames waiting for the actor — and writer — a queue
//! bounded in frames and bytes: a member that does not read has its connection closed, it
//! never slows the others), `probe` (whether a more preferred candidate can be had) and
//! `refusals` (the warnings about refused connections, rate-limited per reason, each a
//! `warn_every`: a repeated warning written at most every 10 s with the count of the others). What
//! waits for the actor is bounded: the frames a link's readers reported and the actor has not
//! handled yet may hold at most [`UNHANDLED_BUDGET`] bytes, one connection's at most
//! `CONNECTION_UNHANDLED_BUDGET`, and a reader that finds either reached stops reading until
//! the actor catches up, so a peer that sends faster than the actor handles is slowed by TCP
//! instead of growing the actor's mailbox. It must not decide anything: what a frame means, and
//! what to send where, is the protocol core's; the core names connections by their [`ConnId`].
//!
//! Everything here runs as tasks on the emitter's arbiter; nothing may panic (a dead task would
//! silently stop a connection's traffic), so every failure is a report or a closed connection.

mod connection;
mod opening;
mod probe;
mod refusals;
mod warn_every;

pub(crate) use opening::{hub_answers, OpeningError, Proof};
pub(crate) use probe::probe;
pub(crate) use refusals::RefusalLog;

use crate::authorization::Authorizer;
use crate::config::{uses_tls, Config};
use crate::error::{Error, NoHub, Result};
use crate::mailbox::{Backlog, MailboxBytes, Unhandled};
use crate::nng::{Dialer, Listener, NngError, Stream, TlsSettings, TransportOptions};
use crate::protocol::{ConnId, OpenedAs};
use crate::stats::{EvictionReason, Stats};
use crate::wire::Received;
use actix::Recipient;
use bytes::Bytes;
use connection::{accept_members, dial_hub, WriteQueue};
use opening::is_websocket;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tracing::{debug, warn};

/// What the link tells the emitter actor. Nearly every one is a `Frame`, the largest: boxing it
/// would cost an allocation per frame to save space on the rare others.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
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
    /// The dialed hub refused this node, or this node refused it; the dialer goes on dialing
    /// until the election gives up on the link.
    Refused(NoHub),
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

/// Bytes the frames a link's readers reported to the emitter actor may hold while the actor has
/// not handled them (each counted with [`HELD_PER_FRAME`](connection::HELD_PER_FRAME)); a reader that finds them reached
/// stops reading until the actor has handled enough. Far more than the windows let through at
/// once (8 events frames per sender and the control frames of a few beats), so a cluster that
/// keeps to its windows does not wait; and small next to the process, so a peer that floods the
/// hub faster than the actor handles its frames holds a few MiB of it, not all it sent.
const UNHANDLED_BUDGET: usize = 4 * 1024 * 1024;

/// What every task of one link shares.
struct Shared {
    attempt: u64,
    to: Recipient<FromLink>,
    stats: Arc<Stats>,
    /// What this node proves when a connection opens (on the hub, always the secret).
    proof: Option<Proof>,
    /// On the hub, the application's word on each scoped member (see
    /// [`crate::EmitterBuilder::authorize`]).
    authorize: Option<Authorizer>,
    max_frame: usize,
    handshake_within: Duration,
    /// On a websocket link, the `Origin` headers a connection may carry (see
    /// [`crate::EmitterBuilder::ws_origins`]); `None` on other transports.
    ws_origins: Option<Vec<String>>,
    /// The writer queue of every connection that is up.
    writers: RefCell<HashMap<ConnId, WriteQueue>>,
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
    /// The hub's warnings about the connections it refused, at most one per reason every few
    /// seconds: a misconfigured peer that keeps dialing must not flood the log.
    refusals: RefusalLog,
    /// The bytes of the large frames (from [`ARRIVING_ALONE`](connection::ARRIVING_ALONE) on) that connections of the link
    /// are in the middle of receiving: each reserves its whole length when it starts. Once
    /// they reach `max_frame`, a reader whose next frame is large stops reading until one of
    /// them arrived whole or its connection closed: peers that start frames of up to 16 MiB and
    /// never finish them hold at most twice that in all, not that much each. (One that
    /// stalls stops beating too, and the hub cuts it off as silent.)
    arriving: Backlog,
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
    /// if it is taken or not this machine's (or the node is dial-only),
    /// dial it and become a client. An `ipc://` socket file that exists is bound only if nobody
    /// listens on it. A client is not usable before its connection is up (a
    /// [`LinkEvent::ConnUp`]).
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
            proof: config.proof(),
            authorize: config.authorize.clone(),
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
            refusals: RefusalLog::default(),
            arriving: Arc::new(MailboxBytes::new(config.core.max_frame_size)),
        });
        // A node without a TLS certificate cannot serve a TLS candidate: it only dials it.
        let cannot_serve_tls =
            uses_tls(address) && config.tls.as_ref().is_some_and(|t| t.cert_key_file.is_none());
        let can_bind = !config.dial_only && !cannot_serve_tls;
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
        self.shared.stats.evicted(EvictionReason::Stuck);
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
