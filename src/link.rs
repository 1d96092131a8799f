//! One emitter's NNG socket: the election, the hub's relay, and the receive thread.
//!
//! Owns: the socket of the current link generation, the choice between hub and client (bind the
//! address; if it is in use, dial it), sending, byte-for-byte relaying, cutting off a pipe, and
//! the thread that receives and decodes frames and hands them to the emitter actor. It must not
//! decide anything: what a frame means, and what to relay when, is the emitter's and the hub's.
//!
//! Nothing here may panic: NNG's pipe callback aborts the process on a panic, and a dead receive
//! thread would silently stop all traffic. Callbacks only forward what happened.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::role::Role;
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
    /// A peer connected: for a client, the hub is reachable now.
    PeerUp(Pipe),
    /// A peer went away: for a client, the hub is lost.
    PeerDown(Pipe),
    /// A well-formed frame arrived.
    Frame(Received),
    /// The socket failed; the link is unusable.
    Failed(String),
}

/// A decoded frame, and on the hub the message it came in (kept to relay it byte for byte).
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) frame: Frame,
    pub(crate) from: Option<Pipe>,
    pub(crate) message: Option<Message>,
}

/// A [`LinkEvent`] tagged with the generation of the link that produced it, so events of a link
/// that was already replaced are recognised and ignored.
#[derive(Debug, actix::Message)]
#[rtype(result = "()")]
pub(crate) struct FromLink {
    pub(crate) generation: u64,
    pub(crate) event: LinkEvent,
}

/// An open socket in one role. Dropping it closes the socket, which ends its receive thread.
pub(crate) struct Link {
    socket: Socket,
    role: Role,
}

impl Link {
    /// One step of the election, on one candidate `address`: bind it and become the hub, or,
    /// if it is taken or not this machine's, dial it and become a client. A client is not usable
    /// before its `PeerUp`.
    pub(crate) fn open(
        config: &Config,
        address: &str,
        generation: u64,
        to: Recipient<FromLink>,
        stats: Arc<Stats>,
    ) -> Result<Link> {
        let fail = |e: nng::Error| Error::InvalidAddress {
            address: address.to_owned(),
            reason: e.to_string(),
        };
        let hub = RawSocket::new(Protocol::Bus0).map_err(fail)?.socket;
        prepare(&hub, config, generation, &to).map_err(fail)?;
        let link = match hub.listen(address) {
            Ok(()) => Link { socket: hub, role: Role::Hub },
            Err(bind_error) => {
                hub.close();
                debug!(address, %bind_error, "address is taken or not ours, dialing");
                let client = Socket::new(Protocol::Bus0).map_err(fail)?;
                prepare(&client, config, generation, &to).map_err(fail)?;
                client.set_opt::<ReconnectMinTime>(Some(config.reconnect_min)).map_err(fail)?;
                client.set_opt::<ReconnectMaxTime>(Some(config.reconnect_max)).map_err(fail)?;
                client.dial_async(address).map_err(|dial_error| Error::InvalidAddress {
                    address: address.to_owned(),
                    reason: format!("cannot bind ({bind_error}) nor dial ({dial_error})"),
                })?;
                Link { socket: client, role: Role::Client }
            }
        };
        let receiver = Receiver {
            socket: link.socket.clone(),
            keep_messages: link.role == Role::Hub,
            generation,
            to,
            stats,
        };
        std::thread::Builder::new()
            .name(format!("nanomitter-recv-{generation}"))
            .spawn(move || receiver.run())
            .map_err(|e| Error::InvalidSetting(format!("cannot start the receive thread: {e}")))?;
        Ok(link)
    }

    pub(crate) fn role(&self) -> Role {
        self.role
    }

    /// Hands one frame to NNG: a hub's goes to every client, a client's to the hub.
    pub(crate) fn send(&self, frame: &[u8]) -> Result<(), nng::Error> {
        self.socket.send(frame).map_err(|(_, e)| e)
    }

    /// The hub re-sends a received message as it is: its header names the pipe it came from, so
    /// the raw bus delivers it to every other client and not back to its sender.
    pub(crate) fn relay(&self, message: Message) -> Result<(), nng::Error> {
        self.socket.send(message).map_err(|(_, e)| e)
    }
}

impl Link {
    /// Closes one client's connection (the hub cutting off a slow or silent client).
    pub(crate) fn cut_off(&self, pipe: Pipe) {
        pipe.close();
    }
}

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

/// Settings and the pipe callback every link socket gets before it binds or dials.
fn prepare(
    socket: &Socket,
    config: &Config,
    generation: u64,
    to: &Recipient<FromLink>,
) -> nng::Result<()> {
    socket.set_opt::<RecvMaxSize>(config.max_frame_size)?;
    let to = to.clone();
    socket.pipe_notify(move |pipe, event| {
        let event = match event {
            PipeEvent::AddPost => LinkEvent::PeerUp(pipe),
            PipeEvent::RemovePost => LinkEvent::PeerDown(pipe),
            _ => return,
        };
        to.do_send(FromLink { generation, event });
    })
}

/// The receive loop of one link generation.
struct Receiver {
    socket: Socket,
    keep_messages: bool,
    generation: u64,
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
            let frame = match wire::decode(Bytes::copy_from_slice(message.as_slice())) {
                Ok(frame) => frame,
                Err(error) => {
                    Stats::add(&self.stats.malformed, 1);
                    warn!(%error, bytes = message.len(), "dropped a malformed frame");
                    continue;
                }
            };
            let from = message.pipe();
            let message = self.keep_messages.then_some(message);
            self.report(LinkEvent::Frame(Received { frame, from, message }));
        }
    }

    fn report(&self, event: LinkEvent) {
        self.to.do_send(FromLink { generation: self.generation, event });
    }
}
