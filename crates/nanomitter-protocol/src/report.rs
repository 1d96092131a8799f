//! What a node can tell about itself and the members it knows, for monitoring.
//!
//! Owns: the plain-data report of one node ([`NodeReport`], [`MemberReport`]), read from the
//! node's state at a given `now`. It must not serve, format or time anything, nor change the
//! node: the shell asks for a report and shows it (a web endpoint, metrics, a dashboard).

use crate::node::Node;
pub use crate::relay::ClientView;
use crate::role::Role;
use std::time::{Duration, Instant};

/// One node as it knows itself and its cluster at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeReport {
    /// This node's id.
    pub node: u64,
    /// This node's service name.
    pub service: String,
    /// Its role now.
    pub role: Role,
    /// The election epoch it knows of.
    pub epoch: u64,
    /// How long its current link has been up (`None`: not linked).
    pub linked_for: Option<Duration>,
    /// The hub, as this node knows it: its own id while it is the hub.
    pub hub: Option<u64>,
    /// Every other node it knows of, by node id.
    pub members: Vec<MemberReport>,
    /// Flushes waiting for members to hold what was emitted before them.
    pub flushes_waiting: usize,
}

/// Another node, as this node knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberReport {
    /// Its node id.
    pub node: u64,
    /// Its service name.
    pub service: String,
    /// What it said it is in its last hello.
    pub role: Role,
    /// How long since this node first heard from it.
    pub known_for: Duration,
    /// How long since this node last heard from it.
    pub heard_ago: Duration,
    /// How many patterns it listens to, as announced (`None`: not announced yet).
    pub patterns: Option<usize>,
    /// Its progress as the hub sees it: only on the hub, for its connected clients.
    pub progress: Option<ClientView>,
}

impl Node {
    /// This node and every member it knows of, at `now`.
    pub fn report(&self, now: Instant) -> NodeReport {
        let views = self.phase.hub().map(|hub| hub.relay.client_views(now)).unwrap_or_default();
        let mut members: Vec<MemberReport> = self
            .peers()
            .into_iter()
            .map(|peer| MemberReport {
                node: peer.node,
                service: peer.service,
                role: peer.role,
                known_for: now.saturating_duration_since(peer.since),
                heard_ago: now.saturating_duration_since(peer.last_seen),
                patterns: self.interests.pattern_count(peer.node),
                progress: views.iter().find(|(node, _)| *node == peer.node).map(|(_, view)| *view),
            })
            .collect();
        members.sort_by_key(|member| member.node);
        NodeReport {
            node: self.id,
            service: self.settings.service.clone(),
            role: self.phase.role(),
            epoch: self.epoch,
            linked_for: self.phase.linked_at().map(|at| now.saturating_duration_since(at)),
            hub: self.membership.hub(),
            members,
            flushes_waiting: self.flush_waiters.len(),
        }
    }
}
