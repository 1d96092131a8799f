//! The election: candidates in order, bind or dial, epochs, the link coming up, crashing on
//! purpose, and a hub on a less preferred candidate stepping down.
//!
//! Owns: [`Phase`] (where the election and the link stand, and what each role keeps only while
//! it holds), the attempt counter that fences reports of old links, and the epoch arithmetic. It
//! must not send events or decide what a received frame means.

use crate::hashing::Set;
use crate::node::{Action, ConnId, LinkState, Node, OpenedAs, DEPARTED_KEPT};
use crate::relay::Relay;
use crate::role::Role;
use crate::routing::RelayFrame;
use crate::settings::SlowConsumer;
use crate::stats::Stats;
use crate::wire::{self, Joining, LeftReason, MAX_LISTED};
use std::time::{Duration, Instant};
use tracing::{debug, info, warn};

/// Where the election and the link stand.
pub(super) enum Phase {
    /// No link: before the first election, or after a crash until the restart elects again.
    Idle,
    /// The caller was asked to open `candidate` and has not answered.
    Opening { candidate: usize },
    /// Dialing `candidate`: a client once the hub answers, the next candidate after `deadline`.
    Dialing { candidate: usize, deadline: Instant },
    /// A client of the hub at `candidate`.
    Client(ClientLink),
    /// The hub, bound at `candidate`.
    Hub(Box<HubLink>),
    /// Every candidate failed to open in a later election: the election runs again at `until`.
    Backoff { until: Instant },
    /// Every candidate failed to open in the first election: `connect` reports the error.
    Failed,
    /// Closed for good.
    Closed,
}

/// What a client keeps while linked.
pub(super) struct ClientLink {
    /// The candidate address it dialed (an index into the settings' candidates): a client on a
    /// later candidate probes the more preferred ones.
    pub(super) candidate: usize,
    /// When the hub was last heard from: silent for three liveness intervals, it is presumed dead.
    pub(super) last_from_hub: Instant,
    /// When this link came up (an empty interest announcement waits a moment after it).
    pub(super) linked_at: Instant,
    /// A first-time client starts where the hub's first hello says (senders' events before it
    /// are not owed to it): events frames that come before that hello wait here. `None` once
    /// the hello came, or for a node that was linked before.
    pub(super) before_hub_hello: Option<Vec<wire::Events>>,
}

/// What the hub keeps while it is the hub.
pub(super) struct HubLink {
    /// The candidate address it bound (an index into the settings' candidates): a hub on a
    /// later candidate probes the more preferred ones and steps down when one comes back.
    pub(super) candidate: usize,
    /// What it relays to whom, what every member holds, and who is a member.
    pub(super) relay: Relay<ConnId, RelayFrame>,
    /// A probe of the more preferred candidates is under way.
    pub(super) probing: bool,
    /// When it bound (an empty interest announcement waits a moment after it).
    pub(super) linked_at: Instant,
    /// When a client last found this hub stale and the hub said so in its log (see
    /// [`Node::overtake_epoch`]).
    pub(super) warned_overtaken: Option<Instant>,
}

impl Phase {
    pub(super) fn is_open(&self) -> bool {
        matches!(self, Phase::Dialing { .. } | Phase::Client(_) | Phase::Hub(_))
    }

    pub(super) fn is_dialing(&self) -> bool {
        matches!(self, Phase::Dialing { .. })
    }

    pub(super) fn is_linked(&self) -> bool {
        matches!(self, Phase::Client(_) | Phase::Hub(_))
    }

    pub(super) fn hub_mut(&mut self) -> Option<&mut HubLink> {
        match self {
            Phase::Hub(hub) => Some(hub),
            _ => None,
        }
    }

    pub(super) fn hub(&self) -> Option<&HubLink> {
        match self {
            Phase::Hub(hub) => Some(hub),
            _ => None,
        }
    }

    pub(super) fn client_mut(&mut self) -> Option<&mut ClientLink> {
        match self {
            Phase::Client(client) => Some(client),
            _ => None,
        }
    }

    pub(super) fn heard_from_hub(&mut self, now: Instant) {
        if let Phase::Client(client) = self {
            client.last_from_hub = now;
        }
    }

    pub(super) fn deadline(&self) -> Option<Instant> {
        match self {
            Phase::Dialing { deadline, .. } => Some(*deadline),
            Phase::Backoff { until } => Some(*until),
            _ => None,
        }
    }

    /// When the current link came up, while linked.
    pub(super) fn linked_at(&self) -> Option<Instant> {
        match self {
            Phase::Client(client) => Some(client.linked_at),
            Phase::Hub(hub) => Some(hub.linked_at),
            _ => None,
        }
    }

    pub(super) fn role(&self) -> Role {
        match self {
            Phase::Hub(_) => Role::Hub,
            Phase::Client(_) => Role::Client,
            _ => Role::Electing,
        }
    }

    fn candidate(&self) -> Option<usize> {
        match self {
            Phase::Opening { candidate } | Phase::Dialing { candidate, .. } => Some(*candidate),
            Phase::Client(client) => Some(client.candidate),
            Phase::Hub(hub) => Some(hub.candidate),
            _ => None,
        }
    }
}

impl Node {
    /// Runs the election over the candidates, most preferred first.
    pub fn start_election(&mut self, _now: Instant) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        Stats::add(&self.stats.elections, 1);
        self.failed_candidates = 0;
        self.try_candidate(0);
    }

    /// The link was dropped after a [`Action::Crash`]: whoever was the hub is gone.
    pub fn restarted(&mut self, now: Instant) {
        match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Closed => self.phase = Phase::Closed,
            Phase::Hub(hub) => {
                // If this node takes over again, it awaits the clients it had, and those it
                // still awaited: gone without a word, they may only be cut off (as from a hub
                // that was frozen) and on their way back.
                self.hub_members =
                    hub.relay.members().into_iter().chain(hub.relay.awaited()).collect();
                self.peer_left(now, self.id, LeftReason::Closed);
            }
            _ => {
                if let Some(hub) = self.membership.hub() {
                    // Killed, frozen or stepping down to a more preferred candidate, it said no
                    // goodbye: it may come back lacking events. This node owes it word of its
                    // own, and, if it takes over, awaits it like the other members.
                    self.went_silent(now, hub);
                    self.peer_left(now, hub, LeftReason::Closed);
                    self.hub_members.insert(hub);
                }
            }
        }
        self.next_beat = None;
        self.next_ack_refresh = None;
        self.leave_if_done(now);
        if !matches!(self.phase, Phase::Closed) {
            self.act(Action::State(LinkState::Electing));
        }
    }

    fn try_candidate(&mut self, candidate: usize) {
        self.attempt += 1;
        self.phase = Phase::Opening { candidate };
        let address = self.settings.candidates[candidate].clone();
        self.act(Action::Open { attempt: self.attempt, address });
    }

    /// The candidate address of the current election step or link.
    pub fn candidate_address(&self) -> Option<&str> {
        self.phase.candidate().map(|i| self.settings.candidates[i].as_str())
    }

    /// The caller opened the candidate of `attempt`, or could not (and says why, for the log).
    pub fn opened(
        &mut self,
        now: Instant,
        attempt: u64,
        outcome: Result<OpenedAs, &dyn std::fmt::Display>,
    ) {
        let Phase::Opening { candidate } = self.phase else { return };
        if attempt != self.attempt {
            return;
        }
        let address = &self.settings.candidates[candidate];
        match outcome {
            Ok(OpenedAs::Hub) => {
                info!(%address, attempt, "election step: bound, this node is the hub");
                self.become_hub(now, candidate);
                self.link_up(now);
            }
            Ok(OpenedAs::Client) => {
                info!(%address, attempt, "election step: dialing");
                let deadline = now + self.settings.election_timeout;
                self.phase = Phase::Dialing { candidate, deadline };
            }
            Err(error) => {
                self.failed_candidates += 1;
                if self.failed_candidates < self.settings.candidates.len() {
                    warn!(%address, %error, "candidate unusable");
                    self.next_candidate(candidate);
                } else if !self.ever_linked {
                    warn!(%error, "election failed");
                    self.phase = Phase::Failed;
                    self.act(Action::State(LinkState::Failed(())));
                } else {
                    warn!(%error, "no candidate can be opened; electing again shortly");
                    self.phase = Phase::Backoff { until: now + self.settings.election_timeout };
                }
            }
        }
    }

    /// A dial or a back-off ran out of time.
    pub(super) fn election_deadline(&mut self, now: Instant) {
        match self.phase {
            Phase::Dialing { candidate, .. } => {
                warn!(address = %self.settings.candidates[candidate], "no hub answered");
                self.next_candidate(candidate);
            }
            Phase::Backoff { .. } => self.start_election(now),
            _ => {}
        }
    }

    fn next_candidate(&mut self, candidate: usize) {
        if candidate + 1 < self.settings.candidates.len() {
            self.try_candidate(candidate + 1);
        } else {
            self.crash("no candidate answered, electing again");
        }
    }

    /// The link is beyond repair: crash, and let the restart run the election again.
    pub(super) fn crash(&mut self, why: &'static str) {
        if let Some(candidate) = self.phase.candidate() {
            warn!(address = %self.settings.candidates[candidate], why, "restarting the link");
        }
        // Nothing more happens on this link: its reports are ignored from now on.
        self.attempt += 1;
        self.act(Action::Crash(why));
    }

    /// Takes over as hub: a new epoch, and the members of the previous cluster are awaited.
    fn become_hub(&mut self, now: Instant, candidate: usize) {
        // Epochs heard are at most `MAX_EPOCH` (the wire format refuses more), so this cannot wrap;
        // at the bound, the epoch stays there (fencing then relies on what came before).
        self.epoch = self.epoch.saturating_add(1).min(wire::MAX_EPOCH);
        let old_hub = self.membership.hub();
        let awaited: Set<u64> = self
            .membership
            .nodes()
            .chain(self.hub_members.drain())
            .filter(|n| Some(*n) != old_hub && *n != self.id)
            .collect();
        if let Some(old_hub) = old_hub.filter(|hub| *hub != self.id) {
            self.peer_left(now, old_hub, LeftReason::Closed);
        }
        // Members of the cluster this node was in reach this candidate after trying every
        // earlier one for an election timeout each. Those it may not know of (the old hub too, if
        // it only stepped down) get that long and a few reconnect intervals: acks are held
        // meanwhile. Known ones are awaited a whole election timeout more.
        let walk = self.settings.election_timeout * candidate as u32;
        let hold = if self.ever_linked {
            walk + self.settings.election_timeout / 4
        } else {
            Duration::ZERO
        };
        let grace = walk + self.settings.election_timeout * 2;
        // The ids of the members it knew stay bound to their keys while they may come back.
        self.bindings.hold_all_until(now + grace.max(DEPARTED_KEPT));
        info!(epoch = self.epoch, awaited = awaited.len(), "this node is the hub");
        // Waiting for slow clients, the hub bounds what it sends them by its window; otherwise
        // it relays at once and cuts off whoever falls behind.
        let window = matches!(self.settings.slow_consumer, SlowConsumer::Wait)
            .then_some(self.settings.window);
        let relay = Relay::new(self.id, window, awaited, now, now + hold, grace);
        self.phase = Phase::Hub(Box::new(HubLink {
            candidate,
            relay,
            probing: false,
            linked_at: now,
            warned_overtaken: None,
        }));
        let change = self.membership.this_node_is_hub(self.id, &self.settings.service);
        self.member_change(change);
    }

    /// The link is up: as the hub right after binding, as a client when the hub answered.
    pub(super) fn link_up(&mut self, now: Instant) {
        let candidate = match self.phase {
            Phase::Dialing { candidate, .. } => {
                let before_hub_hello = (!self.ever_linked).then(Vec::new);
                let linked_at = now;
                self.phase = Phase::Client(ClientLink {
                    candidate,
                    last_from_hub: now,
                    linked_at,
                    before_hub_hello,
                });
                candidate
            }
            Phase::Hub(ref hub) => hub.candidate,
            _ => return,
        };
        let role = self.phase.role();
        let joining = if self.ever_linked { Joining::Again } else { Joining::Fresh };
        self.own_interest.announced = None;
        self.interests_complete = role == Role::Hub;
        self.ever_linked = true;
        self.next_beat = Some(now + self.settings.liveness_interval);
        let address = self.settings.candidates[candidate].clone();
        info!(?role, "link up");
        self.act(Action::State(LinkState::Up(role, address)));
        self.send_hello(joining);
        // Whatever the previous hub did not see acknowledged by everyone goes out again.
        self.sender.new_link();
        self.pump(now);
    }

    /// A connection came up on the link of `attempt`: the hub's, on a client; a client's, on
    /// the hub.
    pub fn connection_up(&mut self, now: Instant, attempt: u64, conn: ConnId) {
        if attempt != self.attempt {
            return;
        }
        match &mut self.phase {
            Phase::Dialing { .. } => self.link_up(now),
            Phase::Hub(hub) if hub.relay.clients() >= MAX_LISTED => {
                // A hub takes at most this many clients: every hello lists them.
                debug!(conn, "refusing a connection: the hub has as many clients as it takes");
                Stats::add(&self.stats.over_budget, 1);
                self.act(Action::CutOff(conn));
            }
            Phase::Hub(hub) => hub.relay.connected(conn, now),
            _ => {}
        }
    }

    /// A connection went away on the link of `attempt`.
    pub fn connection_down(&mut self, now: Instant, attempt: u64, conn: ConnId) {
        if attempt != self.attempt {
            return;
        }
        match &self.phase {
            Phase::Client(_) => self.crash("lost the hub"),
            Phase::Hub(_) => self.client_gone(now, conn),
            // A dialer redials by itself.
            _ => {}
        }
    }

    /// The hub dialed on the link of `attempt` refused this node, or this node refused it, for
    /// a reason dialing again cannot fix (the cluster secret, the wire version, the browser
    /// origin). Before the node was ever linked, the election moves on to the next candidate at
    /// once (a program that took a candidate's port cannot hold the node up), and fails on the
    /// last one, so that `connect` reports the reason without waiting for its timeout. A node that
    /// was linked before keeps dialing (the hub's settings may be put right), as it does when no
    /// hub answers. Returns whether the election failed.
    pub fn refused(&mut self, attempt: u64) -> bool {
        let Phase::Dialing { candidate, .. } = self.phase else { return false };
        if attempt != self.attempt || self.ever_linked {
            return false;
        }
        if candidate + 1 < self.settings.candidates.len() {
            warn!(address = %self.settings.candidates[candidate], "refused by the hub dialed, trying the next candidate");
            self.try_candidate(candidate + 1);
            return false;
        }
        warn!(address = %self.settings.candidates[candidate], "refused by the hub dialed: the election failed");
        self.phase = Phase::Failed;
        self.act(Action::State(LinkState::Failed(())));
        true
    }

    /// The link's socket failed.
    pub fn link_failed(&mut self, attempt: u64, reason: &str) {
        if attempt == self.attempt && self.phase.is_open() {
            warn!(reason, "socket failed");
            self.crash("socket failed");
        }
    }

    /// A hub on a less preferred candidate asks whether a more preferred one can be had.
    pub(super) fn probe_preferred(&mut self) {
        let attempt = self.attempt;
        let Some(hub) = self.phase.hub_mut() else { return };
        if hub.candidate == 0 || hub.probing {
            return;
        }
        hub.probing = true;
        for index in 0..hub.candidate {
            let address = self.settings.candidates[index].clone();
            self.actions.push_back(Action::Probe { attempt, index, address });
        }
    }

    /// The answer of a probe: if a more preferred candidate can be had, step down.
    pub fn probe_answer(&mut self, attempt: u64, index: usize, live: bool) {
        if attempt != self.attempt {
            return;
        }
        let Some(hub) = self.phase.hub_mut() else { return };
        hub.probing = false;
        if live && index < hub.candidate {
            info!(address = %self.settings.candidates[index], "a more preferred candidate can be had, stepping down");
            self.crash("a more preferred candidate is live");
        }
    }

    /// Whether an epoch a client tells is one elections can have reached: at most
    /// [`MAX_EPOCH_LEAP`] ahead of this node's.
    pub(super) fn epoch_within_reach(&self, epoch: u64) -> bool {
        epoch <= self.epoch.saturating_add(MAX_EPOCH_LEAP)
    }

    /// A client of this hub knows a newer election: this hub is stale (it woke from a freeze,
    /// or another hub was elected on another candidate meanwhile). It takes an epoch past that
    /// one, and its clients learn it from its next hello (a client joining now, from the one it
    /// is greeted with), and then refuse the other hub's word. Not at once: a client could then
    /// buy the hub's whole hello, sent to every client, with each hello of a few bytes claiming
    /// a newer election; the warning, too, comes at most once per liveness interval. It does
    /// not step down: that would make every member elect again, and any client could cause it
    /// at will by telling a newer epoch. (A hub on a less preferred candidate steps down by
    /// itself, once it finds the preferred one live.)
    pub(super) fn overtake_epoch(&mut self, now: Instant, epoch: u64) {
        if epoch <= self.epoch {
            return;
        }
        // Within reach of a bounded epoch, so this stays at most `MAX_EPOCH`.
        self.epoch = epoch.saturating_add(1).min(wire::MAX_EPOCH);
        let every = self.settings.liveness_interval;
        let Some(hub) = self.phase.hub_mut() else { return };
        if hub.warned_overtaken.is_some_and(|at| now.duration_since(at) < every) {
            return;
        }
        hub.warned_overtaken = Some(now);
        warn!(
            epoch = self.epoch,
            "this hub is stale (a client knows a newer election): it moves past it"
        );
    }
}

/// The furthest ahead of its hub's a client's epoch may be. Every election adds one, and a
/// million elections elsewhere while this hub ran do not happen: a leap further is a forged
/// number, and taking it would let a few frames bring every epoch to the wire's maximum, where
/// epochs no longer tell hubs apart.
const MAX_EPOCH_LEAP: u64 = 1 << 20;
