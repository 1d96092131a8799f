//! The embedded NNG hub as the emitter's backend: the protocol core's [`Node`], its link, its
//! single timer, and the crash-and-re-elect cycle.
//!
//! Owns: feeding the core what happens (link events, probe answers, timeouts, listeners taking
//! events, the mailbox drained) and carrying out its actions, in order. It must not decide
//! anything of the protocol (when to send, what to acknowledge, who is the hub): the core does;
//! nor touch NNG beyond the link module.

use super::{Emitter, LinkState, Shared};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::link::{probe, FromLink, Link, LinkEvent, RefusalLog};
use crate::protocol::identity::NodeKey;
use crate::protocol::{Action, Node};
use actix::prelude::*;
use std::collections::HashMap;
use std::time::Instant;
use tokio::sync::oneshot;
use tracing::info;

/// The NNG backend's state, kept across the actor's restarts.
pub(super) struct Hub {
    /// The protocol core.
    pub(super) node: Node,
    /// The registry version the core last heard of (its patterns are announced on change).
    patterns_told: Option<u64>,
    /// The socket of the current election attempt, with that attempt.
    link: Option<(u64, Link)>,
    /// `flush` calls waiting for the core's ticket.
    pub(super) flush_waiters: HashMap<u64, oneshot::Sender<Result<()>>>,
    /// The one timer, set to the core's next deadline.
    timer: Option<(Instant, SpawnHandle)>,
    /// A [`MailboxDrained`] is queued (the core catches up once the mailbox is drained).
    drained_notice_queued: bool,
    /// Why the last candidate could not be opened: what a failed election reports.
    open_failure: Option<Error>,
    /// The warnings about hubs that refused this node, or that it refused, while it dials on:
    /// kept across links, as each election step opens a new one.
    refusals: RefusalLog,
}

impl Hub {
    pub(super) fn new(config: &Config, node: u64, key: NodeKey, shared: &Shared) -> Self {
        let now = Instant::now();
        Hub {
            node: Node::new(config.core.clone(), node, key, shared.stats.clone(), now),
            patterns_told: None,
            link: None,
            flush_waiters: HashMap::new(),
            timer: None,
            drained_notice_queued: false,
            open_failure: None,
            refusals: RefusalLog::default(),
        }
    }

    /// The actor restarted: the dead link, every timer and queued notification are gone.
    pub(super) fn restarted(&mut self) {
        self.link = None;
        self.timer = None;
        self.drained_notice_queued = false;
        self.node.restarted(Instant::now());
    }
}

impl Emitter {
    /// Carries out what the core asks, in order, until it asks nothing more; then tells it what
    /// listeners took, re-arms the timer and queues a [`MailboxDrained`].
    pub(super) fn perform_hub(&mut self, ctx: &mut Context<Self>) {
        loop {
            let version = self.registry.version();
            let Some(hub) = self.backend.hub_mut() else { return };
            if hub.patterns_told != Some(version) {
                hub.patterns_told = Some(version);
                hub.node.set_patterns(self.registry.announced_patterns());
            }
            self.carry_out_all(ctx);
            let taken = self.deliveries.newly_taken();
            let Some(hub) = self.backend.hub_mut() else { return };
            match taken {
                Some(taken) => hub.node.listeners_took(Instant::now(), taken),
                None => break,
            }
        }
        self.arm_timer(ctx);
        let Some(hub) = self.backend.hub_mut() else { return };
        if !hub.drained_notice_queued && !hub.node.has_left() {
            hub.drained_notice_queued = true;
            ctx.notify(MailboxDrained);
        }
    }

    /// Carries out every action the core has for now.
    fn carry_out_all(&mut self, ctx: &mut Context<Self>) {
        while let Some(action) = self.backend.hub_mut().and_then(|hub| hub.node.poll_action()) {
            self.carry_out(action, ctx);
        }
    }

    fn carry_out(&mut self, action: Action, ctx: &mut Context<Self>) {
        let Some(hub) = self.backend.hub_mut() else { return };
        match action {
            Action::Open { attempt, address } => {
                hub.link = None;
                let to = ctx.address().recipient();
                let stats = self.shared.stats.clone();
                let opened = Link::open(&self.config, &address, attempt, to, stats);
                let outcome = opened.map(|link| {
                    let role = link.role();
                    hub.link = Some((attempt, link));
                    role
                });
                match outcome {
                    Ok(role) => hub.node.opened(Instant::now(), attempt, Ok(role)),
                    Err(error) => {
                        hub.node.opened(Instant::now(), attempt, Err(&error));
                        hub.open_failure = Some(error);
                    }
                }
            }
            Action::Send(frame) => {
                if let Some((_, link)) = &hub.link {
                    link.send(&frame);
                }
            }
            Action::SendTo { to, frame } => {
                if let Some((_, link)) = &hub.link {
                    link.send_to(to, &frame);
                }
            }
            Action::Relay { except, frame } => {
                if let Some((_, link)) = &hub.link {
                    link.relay(except, &frame);
                }
            }
            Action::CutOff(conn) => {
                if let Some((_, link)) = &hub.link {
                    link.cut_off(conn);
                }
            }
            Action::Deliver { number, event } => self.deliver(number, event.into(), ctx),
            Action::Probe { attempt, index, address } => {
                let addr = ctx.address();
                probe(&self.config, address, move |live| {
                    addr.do_send(Preferred { attempt, index, live });
                });
            }
            Action::Release(bytes) => self.shared.pending.release(bytes),
            Action::Flushed(ticket) => {
                if let Some(done) = hub.flush_waiters.remove(&ticket) {
                    let _ = done.send(Ok(()));
                }
            }
            Action::State(state) => {
                // The core says the election failed; the last candidate's error says why.
                let state =
                    state.map_failure(|()| hub.open_failure.take().unwrap_or(Error::Closed));
                let left = state == LinkState::Closed;
                self.state.send_replace(state);
                if left {
                    let link = hub.link.take();
                    self.leave_after_goodbye(link.map(|(_, link)| link));
                }
            }
            Action::Crash(why) => {
                info!(why, "crashing on purpose");
                ctx.stop();
            }
        }
    }

    fn arm_timer(&mut self, ctx: &mut Context<Self>) {
        let Some(hub) = self.backend.hub_mut() else { return };
        let next = hub.node.poll_timeout();
        if hub.timer.as_ref().map(|(at, _)| *at) == next {
            return;
        }
        if let Some((_, handle)) = hub.timer.take() {
            ctx.cancel_future(handle);
        }
        if let Some(at) = next {
            let after = at.saturating_duration_since(Instant::now());
            let handle = ctx.run_later(after, |act, ctx| {
                if let Some(hub) = act.backend.hub_mut() {
                    hub.timer = None;
                    hub.node.handle_timeout(Instant::now());
                }
                act.perform(ctx);
            });
            hub.timer = Some((at, handle));
        }
    }
}

/// Deferred work, run once the mailbox is drained: send what is ready, acknowledge what arrived.
#[derive(Message)]
#[rtype(result = "()")]
struct MailboxDrained;

impl Handler<MailboxDrained> for Emitter {
    type Result = ();

    fn handle(&mut self, _: MailboxDrained, ctx: &mut Context<Self>) {
        let Some(hub) = self.backend.hub_mut() else { return };
        hub.drained_notice_queued = false;
        hub.node.caught_up(Instant::now());
        self.carry_out_all(ctx);
        self.arm_timer(ctx);
    }
}

impl Handler<FromLink> for Emitter {
    type Result = ();

    fn handle(&mut self, message: FromLink, ctx: &mut Context<Self>) {
        let FromLink { attempt, event } = message;
        let Some(hub) = self.backend.hub_mut() else { return };
        if hub.link.as_ref().map(|(a, _)| *a) != Some(attempt) {
            return;
        }
        let now = Instant::now();
        match event {
            LinkEvent::ConnUp(conn) => hub.node.connection_up(now, attempt, conn),
            LinkEvent::ConnDown(conn) => hub.node.connection_down(now, attempt, conn),
            // The frame's place in the link's backlog is released as the handler returns.
            LinkEvent::Frame { from, received, .. } => {
                hub.node.receive(now, attempt, from, received)
            }
            LinkEvent::Refused(reason) => {
                let address = hub.node.candidate_address().unwrap_or_default().to_owned();
                if reason.is_final() && hub.node.refused(attempt) {
                    // What the failed election, published next, reports.
                    hub.open_failure = Some(Error::Refused { address, reason });
                } else {
                    hub.refusals.warn_dialer(&reason);
                }
            }
            LinkEvent::Failed(reason) => hub.node.link_failed(attempt, &reason),
        }
        self.perform(ctx);
    }
}

/// The answer of a probe of a more preferred candidate.
#[derive(Message)]
#[rtype(result = "()")]
struct Preferred {
    attempt: u64,
    index: usize,
    live: bool,
}

impl Handler<Preferred> for Emitter {
    type Result = ();

    fn handle(&mut self, answer: Preferred, ctx: &mut Context<Self>) {
        let Some(hub) = self.backend.hub_mut() else { return };
        hub.node.probe_answer(answer.attempt, answer.index, answer.live);
        self.perform(ctx);
    }
}
