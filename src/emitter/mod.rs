//! The emitter actor: one per node, supervised, the shell around the protocol core.
//!
//! Owns: the node's [`Node`] state machine, its link (socket), its listeners and the hand-off of
//! deliveries to them, its single timer, and the crash-and-re-elect cycle. It feeds the core what
//! happens (messages from handles, link events, timeouts, listeners taking events) and carries
//! out the core's actions, in order. It must not decide anything of the protocol (when to send,
//! what to acknowledge, who is the hub): the core does; nor touch NNG beyond the link module.
//!
//! # Let it crash
//! When the core says the link is beyond repair (a client lost its hub or heard nothing from it
//! for three liveness intervals, a hub of an older epoch, a failed socket), the actor stops
//! itself. Its [`actix::Supervisor`] restarts it on the same state: `restarting`
//! drops the dead link, `started` runs the election again (bind or dial). Listeners, sequence
//! numbers and every frame not yet acknowledged by all members survive, because they live in the
//! actor; on the new link they are sent again and receivers drop what they already have.
//!
//! The parts: `delivery` (handing events to listener mailboxes in order without ever pausing the
//! actor) and `api` (the handlers of the public messages).

use crate::config::Config;
use crate::error::Error;
use crate::link::{probe, FromLink, Link, LinkEvent};
use crate::pattern_budget::PatternBudget;
use crate::pending::Pending;
use crate::protocol::{Action, Node};
use crate::registry::Registry;
use crate::stats::Stats;
use actix::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{oneshot, watch};
use tracing::{info, warn};

mod api;
mod delivery;

/// Where the node stands, as its handles see it: a failed first election carries the error that
/// says why.
pub(crate) type LinkState = crate::protocol::LinkState<Error>;
pub(crate) use api::{ReservedEmit, Shutdown};
use delivery::Deliveries;

/// What a node shares with its handles.
pub(crate) struct Shared {
    pub(crate) stats: Arc<Stats>,
    pub(crate) pending: Pending,
    /// The patterns its listeners hold, within the budget of its interest: a handle holds one
    /// before it says a listener was added.
    pub(crate) patterns: PatternBudget,
}

impl Shared {
    /// Reserves `bytes` under `max_pending_bytes` at once, or refuses with
    /// [`Error::Overflow`] (counted in `stats().overflows`): what `emit` and an `Emit` sent
    /// directly both do.
    pub(crate) fn reserve_or_overflow(&self, bytes: usize) -> crate::error::Result<()> {
        if self.pending.try_reserve(bytes) {
            return Ok(());
        }
        Stats::add(&self.stats.overflows, 1);
        Err(Error::Overflow { pending: self.pending.held(), limit: self.pending.limit() })
    }
}

/// The actor that owns one node's link and listeners. Reach it through
/// [`EmitterHandle`](crate::EmitterHandle) or send it the messages of [`crate::messages`].
pub struct Emitter {
    config: Config,
    node: Node,
    shared: Arc<Shared>,
    state: watch::Sender<LinkState>,
    registry: Registry,
    /// The registry version the core last heard of (its patterns are announced on change).
    patterns_told: Option<u64>,
    deliveries: Deliveries,
    /// The socket of the current election attempt, with that attempt.
    link: Option<(u64, Link)>,
    flush_waiters: HashMap<u64, oneshot::Sender<()>>,
    /// `close` calls waiting for the node to leave.
    left_waiters: Vec<oneshot::Sender<()>>,
    /// The one timer, set to the core's next deadline.
    timer: Option<(Instant, SpawnHandle)>,
    /// A [`MailboxDrained`] is queued (the core catches up once the mailbox is drained).
    drained_notice_queued: bool,
    /// Why the last candidate could not be opened: what a failed election reports.
    open_failure: Option<Error>,
}

impl Emitter {
    pub(crate) fn new(
        config: Config,
        node: u64,
        shared: Arc<Shared>,
        state: watch::Sender<LinkState>,
    ) -> Self {
        Emitter {
            node: Node::new(config.core.clone(), node, shared.stats.clone(), Instant::now()),
            config,
            shared,
            state,
            registry: Registry::default(),
            patterns_told: None,
            deliveries: Deliveries::default(),
            link: None,
            flush_waiters: HashMap::new(),
            left_waiters: Vec::new(),
            timer: None,
            drained_notice_queued: false,
            open_failure: None,
        }
    }

    /// Carries out what the core asks, in order, until it asks nothing more; then tells it what
    /// listeners took, re-arms the timer and queues a [`MailboxDrained`].
    fn perform(&mut self, ctx: &mut Context<Self>) {
        loop {
            if self.patterns_told != Some(self.registry.version()) {
                self.patterns_told = Some(self.registry.version());
                self.node.set_patterns(self.registry.announced_patterns());
            }
            while let Some(action) = self.node.poll_action() {
                self.carry_out(action, ctx);
            }
            match self.deliveries.newly_taken() {
                Some(taken) => self.node.listeners_took(Instant::now(), taken),
                None => break,
            }
        }
        self.arm_timer(ctx);
        if !self.drained_notice_queued && !self.node.has_left() {
            self.drained_notice_queued = true;
            ctx.notify(MailboxDrained);
        }
    }

    fn carry_out(&mut self, action: Action, ctx: &mut Context<Self>) {
        match action {
            Action::Open { attempt, address } => {
                self.link = None;
                let to = ctx.address().recipient();
                let stats = self.shared.stats.clone();
                let opened = Link::open(&self.config, &address, attempt, to, stats);
                let outcome = opened.map(|link| {
                    let role = link.role();
                    self.link = Some((attempt, link));
                    role
                });
                match outcome {
                    Ok(role) => self.node.opened(Instant::now(), attempt, Ok(role)),
                    Err(error) => {
                        self.node.opened(Instant::now(), attempt, Err(&error));
                        self.open_failure = Some(error);
                    }
                }
            }
            Action::Send(frame) => {
                if let Some((_, link)) = &self.link {
                    link.send(&frame);
                }
            }
            Action::SendTo { to, frame } => {
                if let Some((_, link)) = &self.link {
                    link.send_to(to, &frame);
                }
            }
            Action::Relay { except, frame } => {
                if let Some((_, link)) = &self.link {
                    link.relay(except, &frame);
                }
            }
            Action::CutOff(conn) => {
                if let Some((_, link)) = &self.link {
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
                if let Some(done) = self.flush_waiters.remove(&ticket) {
                    let _ = done.send(());
                }
            }
            Action::State(state) => {
                // The core says the election failed; the last candidate's error says why.
                let state =
                    state.map_failure(|()| self.open_failure.take().unwrap_or(Error::Closed));
                let left = state == LinkState::Closed;
                self.state.send_replace(state);
                if left {
                    self.close_link_after_goodbye();
                }
            }
            Action::Crash(why) => {
                info!(why, "crashing on purpose");
                ctx.stop();
            }
        }
    }

    fn arm_timer(&mut self, ctx: &mut Context<Self>) {
        let next = self.node.poll_timeout();
        if self.timer.as_ref().map(|(at, _)| *at) == next {
            return;
        }
        if let Some((_, handle)) = self.timer.take() {
            ctx.cancel_future(handle);
        }
        if let Some(at) = next {
            let after = at.saturating_duration_since(Instant::now());
            let handle = ctx.run_later(after, |act, ctx| {
                act.timer = None;
                act.node.handle_timeout(Instant::now());
                act.perform(ctx);
            });
            self.timer = Some((at, handle));
        }
    }
}

impl Actor for Emitter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if self.node.has_left() {
            return;
        }
        self.node.start_election(Instant::now());
        if let Some(every) = self.config.heartbeat {
            ctx.run_interval(every, |act, ctx| act.emit_heartbeat(ctx));
        }
        self.perform(ctx);
    }
}

impl Supervised for Emitter {
    fn restarting(&mut self, ctx: &mut Context<Self>) {
        if !self.node.has_left() {
            info!("link lost, restarting");
        }
        self.link = None;
        // The restart dropped every timer and queued notification of this actor.
        self.timer = None;
        self.drained_notice_queued = false;
        self.node.restarted(Instant::now());
        self.perform(ctx);
    }
}

/// Deferred work, run once the mailbox is drained: send what is ready, acknowledge what arrived.
#[derive(Message)]
#[rtype(result = "()")]
struct MailboxDrained;

impl Handler<MailboxDrained> for Emitter {
    type Result = ();

    fn handle(&mut self, _: MailboxDrained, ctx: &mut Context<Self>) {
        self.drained_notice_queued = false;
        self.node.caught_up(Instant::now());
        while let Some(action) = self.node.poll_action() {
            self.carry_out(action, ctx);
        }
        self.arm_timer(ctx);
    }
}

impl Handler<FromLink> for Emitter {
    type Result = ();

    fn handle(&mut self, message: FromLink, ctx: &mut Context<Self>) {
        let FromLink { attempt, event } = message;
        if self.link.as_ref().map(|(a, _)| *a) != Some(attempt) {
            return;
        }
        let now = Instant::now();
        match event {
            LinkEvent::ConnUp(conn) => self.node.connection_up(now, attempt, conn),
            LinkEvent::ConnDown(conn) => self.node.connection_down(now, attempt, conn),
            // The frame's place in the link's backlog is released as the handler returns.
            LinkEvent::Frame { from, received, .. } => {
                self.node.receive(now, attempt, from, received)
            }
            LinkEvent::Failed(reason) => self.node.link_failed(attempt, &reason),
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
        self.node.probe_answer(answer.attempt, answer.index, answer.live);
        self.perform(ctx);
    }
}
