//! One emitter's NNG socket: the election, the hub's relay, and the receive thread.
//!
//! Owns: the socket of the current election attempt, the choice between hub and client (bind the
//! address; if it is in use, dial it; on `ipc://`, dial an existing socket file before binding
//! it), sending, relaying to every client but one, cutting off a pipe, and the thread that
//! receives and decodes frames and hands them to the emitter actor. It must not decide anything: what a frame means, and what to relay when, is the protocol core's.
//! NNG types (`Pipe`, `Message`, the raw bus header) stay here; the core names connections by
//! their [`ConnId`].
//!
//! Nothing here may panic: NNG's pipe callback aborts the process on a panic, and a dead receive
//! thread would silently stop all traffic. Callbacks only forward what happened.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::protocol::{ConnId, OpenedAs};
use crate::stats::Stats;
use crate::wire::{self, Frame};
use actix::Recipient;
use bytes::Bytes;
use nng::options::{Options, ReconnectMaxTime, ReconnectMinTime, RecvMaxSize};
use nng::{Message, Pipe, PipeEvent, Protocol, RawSocket, Socket};
use std::sync::Arc;
use std::time::Duration;
use tracing::{debug, warn};

/// What the link tells the emitter actor.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// A connection came up: for a client, the hub's; on the hub, a client's.
    ConnUp(ConnId, Pipe),
    /// A connection went away.
    ConnDown(ConnId),
    /// A well-formed frame arrived, on the hub from the client connection `from`.
    Frame { from: Option<ConnId>, frame: Frame, raw: Bytes },
    /// The socket failed; the link is unusable.
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

/// An open socket in one role. Dropping it closes the socket, which ends its receive thread.
pub(crate) struct Link {
    socket: Socket,
    role: OpenedAs,
}

impl Link {
    /// One step of the election, on one candidate `address`: bind it and become the hub, or,
    /// if it is taken or not this machine's, dial it and become a client. An `ipc://` socket file
    /// that exists is dialed first, and bound only if nobody listens on it. A client is not usable
    /// before its connection is up.
    pub(crate) fn open(
        config: &Config,
        address: &str,
        attempt: u64,
        to: Recipient<FromLink>,
        stats: Arc<Stats>,
    ) -> Result<Link> {
        let fail = |e: nng::Error| Error::InvalidAddress {
            address: address.to_owned(),
            reason: e.to_string(),
        };
        let new_client = || -> nng::Result<Socket> {
            let client = Socket::new(Protocol::Bus0)?;
            prepare(&client, config, attempt, &to)?;
            client.set_opt::<ReconnectMinTime>(Some(config.reconnect_min))?;
            client.set_opt::<ReconnectMaxTime>(Some(config.reconnect_max))?;
            Ok(client)
        };
        // On `ipc://`, a socket file that exists is dialed before anything binds it: a failed
        // bind there makes NNG 1.4 connect to the file and close at once to see whether it is
        // stale, and a live hub that accepts such a connection after it was closed stops
        // accepting anyone (its listener takes the send error for its own closing). A full
        // dial cannot do that harm. Only when nobody listens on the file (the hub died) does
        // this node bind it, and then NNG's probe finds nobody either and removes the file.
        // A node that bound between that dial and this bind is the one case left.
        if ipc_file_exists(address) {
            let client = new_client().map_err(fail)?;
            match dial_within(&client, address, config.election_timeout) {
                Dialed::Up | Dialed::Silent => {
                    // A silent hub may still answer the dial; if it never does, the election
                    // moves on as for any client whose connection does not come up.
                    return Link::start(client, OpenedAs::Client, attempt, to, stats);
                }
                Dialed::Nobody => {
                    client.close();
                    debug!(address, "nobody listens on the socket file, binding it");
                }
                Dialed::Failed(reason) => {
                    client.close();
                    return Err(Error::InvalidAddress { address: address.to_owned(), reason });
                }
            }
        }
        let hub = RawSocket::new(Protocol::Bus0).map_err(fail)?.socket;
        prepare(&hub, config, attempt, &to).map_err(fail)?;
        match hub.listen(address) {
            Ok(()) => Link::start(hub, OpenedAs::Hub, attempt, to, stats),
            Err(bind_error) => {
                hub.close();
                debug!(address, %bind_error, "address is taken or not ours, dialing");
                let client = new_client().map_err(fail)?;
                client.dial_async(address).map_err(|dial_error| Error::InvalidAddress {
                    address: address.to_owned(),
                    reason: format!("cannot bind ({bind_error}) nor dial ({dial_error})"),
                })?;
                Link::start(client, OpenedAs::Client, attempt, to, stats)
            }
        }
    }

    /// Starts the receive thread of a socket that was bound or dialed.
    fn start(
        socket: Socket,
        role: OpenedAs,
        attempt: u64,
        to: Recipient<FromLink>,
        stats: Arc<Stats>,
    ) -> Result<Link> {
        let link = Link { socket, role };
        let receiver = Receiver {
            socket: link.socket.clone(),
            hub: link.role == OpenedAs::Hub,
            attempt,
            to,
            stats,
        };
        std::thread::Builder::new()
            .name(format!("nanomitter-recv-{attempt}"))
            .spawn(move || receiver.run())
            .map_err(|e| Error::InvalidSetting(format!("cannot start the receive thread: {e}")))?;
        Ok(link)
    }

    pub(crate) fn role(&self) -> OpenedAs {
        self.role
    }

    /// Hands one frame to NNG: a hub's goes to every client, a client's to the hub.
    pub(crate) fn send(&self, frame: &[u8]) -> Result<(), nng::Error> {
        self.socket.send(frame).map_err(|(_, e)| e)
    }

    /// The hub sends a client's frame to every other client: a raw bus message whose header
    /// names the connection it came from goes to every connection but that one.
    pub(crate) fn relay(&self, except: ConnId, frame: &[u8]) -> Result<(), nng::Error> {
        let mut message = Message::from(frame);
        // Connection ids are NNG pipe ids, which are 31-bit.
        message.as_mut_header().push_back(&(except as u32).to_be_bytes());
        self.socket.send(message).map_err(|(_, e)| e)
    }
}

/// The id NNG gives a pipe: the key of a connection in the protocol core, and what a raw bus
/// header names.
fn conn_id(pipe: Pipe) -> ConnId {
    // SAFETY: `nng_pipe_id` reads the id out of the pipe handle, a plain value; it dereferences
    // nothing and is valid for any handle, even one of a closed pipe (it then returns -1).
    let id = unsafe { nng::ffi::nng_pipe_id(pipe.nng_pipe()) };
    u64::from(id.max(0) as u32)
}

/// How long a closing node keeps its link open so that its goodbye leaves: NNG drops what is
/// still queued when a socket closes, and a hub that misses the goodbye waits for the node as for
/// a member cut off by a partition.
pub(crate) const GOODBYE_LINGER: Duration = Duration::from_millis(100);

impl Drop for Link {
    fn drop(&mut self) {
        self.socket.close();
    }
}

/// Checks, on a thread of its own, whether a hub could be had at `address`: this node can bind
/// it (it is free and this machine's), or a hub there answers a dial within `timeout`. Calls
/// `answer` with the result. Used by a hub on a less preferred candidate.
pub(crate) fn probe(
    address: String,
    timeout: Duration,
    answer: impl FnOnce(bool) + Send + 'static,
) {
    let check = move || -> nng::Result<bool> {
        // On `ipc://`, an existing socket file is not bind-probed (see `Link::open`): a full
        // dial tells a live hub (it answers) from a dead one (nobody listens, so the file is
        // stale and binding it would work).
        if ipc_file_exists(&address) {
            let dialer = Socket::new(Protocol::Bus0)?;
            let dialed = dial_within(&dialer, &address, timeout);
            dialer.close();
            return Ok(matches!(dialed, Dialed::Up | Dialed::Nobody));
        }
        let bindable = RawSocket::new(Protocol::Bus0)?.socket;
        if bindable.listen(&address).is_ok() {
            bindable.close();
            return Ok(true);
        }
        let dialer = Socket::new(Protocol::Bus0)?;
        let (up, answered) = std::sync::mpsc::channel();
        dialer.pipe_notify(move |_, event| {
            if event == PipeEvent::AddPost {
                let _ = up.send(());
            }
        })?;
        dialer.dial_async(&address)?;
        let live = answered.recv_timeout(timeout).is_ok();
        dialer.close();
        Ok(live)
    };
    let spawned = std::thread::Builder::new()
        .name("nanomitter-probe".to_owned())
        .spawn(move || answer(check().unwrap_or(false)));
    if let Err(error) = spawned {
        warn!(%error, "cannot start a probe thread");
    }
}

/// Whether `address` is an `ipc://` one whose socket file exists.
fn ipc_file_exists(address: &str) -> bool {
    address.strip_prefix("ipc://").is_some_and(|path| std::path::Path::new(path).exists())
}

/// What a dial found.
enum Dialed {
    /// A hub answered: the connection is up.
    Up,
    /// Nobody listens there: the connection was refused (NNG says so too of a missing file).
    Nobody,
    /// No answer within the time allowed; the dial goes on.
    Silent,
    /// The dial failed otherwise.
    Failed(String),
}

/// Dials `address` on `socket` and waits at most `timeout` for the outcome. NNG's synchronous
/// dial tells a refused connection from others but takes no time limit (a frozen hub holds it
/// up to NNG's 10 s handshake limit), so it runs on a thread of its own; closing `socket` ends
/// it. A dial that outlives the wait goes on, and the connection comes up if the hub answers.
fn dial_within(socket: &Socket, address: &str, timeout: Duration) -> Dialed {
    let (done, outcome) = std::sync::mpsc::channel();
    let (dialer, url) = (socket.clone(), address.to_owned());
    let spawned = std::thread::Builder::new().name("nanomitter-dial".to_owned()).spawn(move || {
        let _ = done.send(dialer.dial(&url));
    });
    if let Err(error) = spawned {
        return Dialed::Failed(format!("cannot start a dial thread: {error}"));
    }
    match outcome.recv_timeout(timeout) {
        Ok(Ok(())) => Dialed::Up,
        Ok(Err(nng::Error::ConnectionRefused)) => Dialed::Nobody,
        Ok(Err(error)) => Dialed::Failed(error.to_string()),
        Err(_) => Dialed::Silent,
    }
}

/// Settings and the pipe callback every link socket gets before it binds or dials.
fn prepare(
    socket: &Socket,
    config: &Config,
    attempt: u64,
    to: &Recipient<FromLink>,
) -> nng::Result<()> {
    socket.set_opt::<RecvMaxSize>(config.max_frame_size)?;
    let to = to.clone();
    socket.pipe_notify(move |pipe, event| {
        let event = match event {
            PipeEvent::AddPost => LinkEvent::ConnUp(conn_id(pipe), pipe),
            PipeEvent::RemovePost => LinkEvent::ConnDown(conn_id(pipe)),
            _ => return,
        };
        to.do_send(FromLink { attempt, event });
    })
}

/// The receive loop of one link.
struct Receiver {
    socket: Socket,
    /// On the hub, frames carry the connection they came from.
    hub: bool,
    attempt: u64,
    to: Recipient<FromLink>,
    stats: Arc<Stats>,
}

impl Receiver {
    fn run(self) {
        loop {
            let mut message = match self.socket.recv() {
                Ok(message) => message,
                Err(nng::Error::Closed) => return,
                Err(error) => {
                    self.report(LinkEvent::Failed(error.to_string()));
                    return;
                }
            };
            Stats::add(&self.stats.frames_received, 1);
            let raw = Bytes::copy_from_slice(message.as_slice());
            let frame = match wire::decode(raw.clone()) {
                Ok(frame) => frame,
                Err(error) => {
                    Stats::add(&self.stats.malformed, 1);
                    warn!(%error, bytes = message.len(), "dropped a malformed frame");
                    continue;
                }
            };
            let from = if self.hub { message.pipe().map(conn_id) } else { None };
            self.report(LinkEvent::Frame { from, frame, raw });
        }
    }

    fn report(&self, event: LinkEvent) {
        self.to.do_send(FromLink { attempt: self.attempt, event });
    }
}
