//! Leaving without leaving anyone in the dark. A member that goes silent (frozen, partitioned or
//! killed: nobody can tell which) stops being a member after the grace period, so senders stop
//! keeping events for it; if it was only frozen, it comes back lacking them and must be told
//! which it missed. Whoever tells it must still be there: a node that closes while such a member
//! is owed word of its events lingers, up to `close_linger` from when the member was declared
//! gone, until the member came back and heard this node's hello; then it says goodbye.
//!
//! Owns: the members owed word, and when a closing node may finally go. It must not decide who
//! is a member (the announcer does) nor what a returning member is told: every hello says this
//! node's latest sequence number and the oldest it still holds, and the member's receiving side
//! turns that into re-send requests or a `$lagged` notice.

use crate::election::Phase;
use crate::node::{Action, LinkState, Node, DEPARTED_KEPT};
use crate::stats::Stats;
use crate::wire::{self, LeftReason, MAX_LISTED};
use std::time::Instant;
use tracing::info;

/// A member that went away without a goodbye.
#[derive(Debug, Clone, Copy)]
pub(super) struct Owed {
    /// When this node last declared it gone: a closing node waits for it at most
    /// `close_linger` from here, and forgets it [`DEPARTED_KEPT`] after.
    gone_at: Instant,
    /// This node's own events every member held when it went: it lacks at most what follows.
    held: u64,
    /// It came back (its hello was heard); it is told once this node's next hello went out.
    back: bool,
}

impl Node {
    /// `node` was declared gone without a goodbye: it may come back lacking this node's events.
    /// At most [`MAX_LISTED`] members are owed word at once (every hello lists them): past
    /// that, one more comes back to learn of its losses only from its own re-send requests.
    pub(super) fn went_silent(&mut self, now: Instant, node: u64) {
        if self.owed.len() >= MAX_LISTED && !self.owed.contains_key(&node) {
            Stats::add(&self.stats.over_budget, 1);
            return;
        }
        let held = self.sender.acked();
        self.owed.insert(node, Owed { gone_at: now, held, back: false });
    }

    /// `node` said hello again: the next hello of this node tells it what it missed.
    pub(super) fn came_back(&mut self, node: u64) {
        if let Some(owed) = self.owed.get_mut(&node) {
            owed.back = true;
        }
    }

    /// The members owed word, with what every member held when they went (told in every hello).
    pub(super) fn owed_list(&self) -> Vec<(u64, u64)> {
        self.owed.iter().map(|(node, owed)| (*node, owed.held)).collect()
    }

    /// A hello of this node went out: members that had come back have heard it.
    pub(super) fn told_returning_members(&mut self) {
        self.owed.retain(|_, owed| !owed.back);
    }

    /// Until when a closing node waits: the latest end of `close_linger` among the members owed
    /// events this node emitted after they went, if any is still running at `now`.
    fn owed_until(&self, now: Instant) -> Option<Instant> {
        let emitted = self.sender.last_framed();
        self.owed
            .values()
            .filter(|owed| owed.held < emitted)
            .map(|owed| owed.gone_at + self.settings.close_linger)
            .filter(|until| *until > now)
            .max()
    }

    /// Members gone longer than [`DEPARTED_KEPT`] are forgotten like every other trace of them.
    pub(super) fn forget_owed(&mut self, now: Instant) {
        self.owed.retain(|_, owed| now.duration_since(owed.gone_at) < DEPARTED_KEPT);
    }

    /// Stops for good. A node that owes members word of its events stays linked (still
    /// refusing new events) until they heard it or the linger ran out; [`Action::State`] with
    /// [`LinkState::Closed`] says when it went.
    pub fn close(&mut self, now: Instant) {
        if matches!(self.phase, Phase::Closed) || self.closing_until.is_some() {
            return;
        }
        match self.owed_until(now).filter(|_| self.phase.is_linked()) {
            Some(until) => {
                info!(
                    members = self.owed.len(),
                    "closing once members that went silent are told what they missed"
                );
                self.closing_until = Some(until);
            }
            None => self.leave(),
        }
    }

    /// Whether [`Node::close`] was called (the node may still be lingering).
    pub fn is_closed(&self) -> bool {
        self.closing_until.is_some() || self.has_left()
    }

    /// Whether the node is gone for good: no link, no election, ever again.
    pub fn has_left(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// A closing node goes once nobody is owed word any more, or its linger ran out, or its
    /// link is lost (a new election would only delay the goodbye).
    pub(super) fn leave_if_done(&mut self, now: Instant) {
        let Some(until) = self.closing_until else { return };
        if now >= until || !self.phase.is_linked() || self.owed_until(now).is_none() {
            self.leave();
        }
    }

    /// Goes for good, saying goodbye: the hub need not keep events for a client that left, and
    /// the clients of a hub that left owe it nothing.
    fn leave(&mut self) {
        if self.phase.is_linked() {
            let left = wire::Left { epoch: self.epoch, node: self.id, reason: LeftReason::Closed };
            self.send(left.encode());
        }
        self.phase = Phase::Closed;
        self.closing_until = None;
        self.attempt += 1;
        self.next_beat = None;
        self.next_ack_refresh = None;
        self.flush_waiters.clear();
        self.act(Action::State(LinkState::Closed));
    }
}
