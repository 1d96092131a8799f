//! One emitter's NNG socket: the election, the hub's relay, and the receive thread.
//!
//! Owns: the socket of the current link generation, the choice between hub and client (bind the
//! address; if it is in use, dial it), the hub's byte-for-byte relay of events frames, and the
//! thread that receives frames and hands them to the emitter actor. It must not touch listeners or
//! decide what a frame means for them: it only decodes, relays, and reports [`LinkEvent`]s.
//!
//! Nothing here may panic: NNG's pipe callback aborts the process on a panic, and a dead receive
//! thread would silently stop all traffic. Callbacks only forward what happened.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::stats::Stats;
use crate::wire::{self, Frame};
use actix::{Message, Recipient};
use bytes::Bytes;
use nng::options::{Options, ReconnectMaxTime, ReconnectMinTime, RecvMaxSize};
use nng::{PipeEvent, Protocol, RawSocket, Socket};
use std::sync::Arc;
use tracing::{debug, warn};

/// What this node is in the star.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// It bound the address and relays every frame to every other node.
    Hub,
    /// It dialed the hub.
    Client,
    /// It lost its link and is running the election (bind or dial) again.
    Electing,
}

/// What the link tells the emitter actor.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// A peer connected: for a client, the hub is reachable now.
    PeerUp,
    /// A peer went away: for a client, the hub is lost.
    PeerDown,
    /// A well-formed frame arrived (a hub has already relayed it).
    Frame(Frame),
    /// The socket failed; the link is unusable.
    Failed(String),
}

/// A [`LinkEvent`] tagged with the generation of the link that produced it, so events of a link
/// that was already replaced are recognised and ignored.
#[derive(Debug, Message)]
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
    /// Runs the election: bind `config.address` and become the hub, or, if another node holds
    /// it, dial it and become a client. A client is not usable before its `PeerUp`.
    pub(crate) fn elect(
        config: &Config,
        generation: u64,
        to: Recipient<FromLink>,
        stats: Arc<Stats>,
    ) -> Result<Link> {
        let fail = |e: nng::Error| Error::InvalidAddress {
            address: config.address.clone(),
            reason: e.to_string(),
        };
        let hub = RawSocket::new(Protocol::Bus0).map_err(fail)?.socket;
        prepare(&hub, config, generation, &to).map_err(fail)?;
        let bound = hub.listen(&config.address);
        let link = match bound {
            Ok(()) => Link {
                socket: hub,
                role: Role::Hub,
            },
            Err(bind_error) => {
                hub.close();
                debug!(address = %config.address, %bind_error, "address is taken or not ours, dialing");
                let client = Socket::new(Protocol::Bus0).map_err(fail)?;
                prepare(&client, config, generation, &to).map_err(fail)?;
                client
                    .set_opt::<ReconnectMinTime>(Some(config.reconnect_min))
                    .map_err(fail)?;
                client
                    .set_opt::<ReconnectMaxTime>(Some(config.reconnect_max))
                    .map_err(fail)?;
                client
                    .dial_async(&config.address)
                    .map_err(|dial_error| Error::InvalidAddress {
                        address: config.address.clone(),
                        reason: format!("cannot bind ({bind_error}) nor dial ({dial_error})"),
                    })?;
                Link {
                    socket: client,
                    role: Role::Client,
                }
            }
        };
        let receiver = Receiver {
            socket: link.socket.clone(),
            relay: link.role == Role::Hub,
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
}

impl Drop for Link {
    fn drop(&mut self) {
        self.socket.close();
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
    socket.pipe_notify(move |_pipe, event| {
        let event = match event {
            PipeEvent::AddPost => LinkEvent::PeerUp,
            PipeEvent::RemovePost => LinkEvent::PeerDown,
            _ => return,
        };
        to.do_send(FromLink { generation, event });
    })
}

/// The receive loop of one link generation.
struct Receiver {
    socket: Socket,
    relay: bool,
    generation: u64,
    to: Recipient<FromLink>,
    stats: Arc<Stats>,
}

impl Receiver {
    fn run(self) {
        loop {
            let message = match self.socket.recv() {
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
            if self.relay && matches!(frame, Frame::Events(_)) {
                // The raw bus keeps the sender's pipe id in the header: re-sent as it is, the
                // frame reaches every other node and not the one it came from.
                match self.socket.send(message) {
                    Ok(()) => Stats::add(&self.stats.relayed, 1),
                    Err((_, error)) => warn!(%error, "hub could not relay a frame"),
                }
            }
            self.report(LinkEvent::Frame(frame));
        }
    }

    fn report(&self, event: LinkEvent) {
        self.to.do_send(FromLink {
            generation: self.generation,
            event,
        });
    }
}
