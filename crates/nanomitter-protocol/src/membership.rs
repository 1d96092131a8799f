//! Who else is in the cluster, as this node has heard.
//!
//! Owns: the table of known peers (fed by hellos, which double as liveness beats, and by the
//! hub's word that a node left) and the changes worth telling listeners about, on the reserved
//! topics of [`crate::topic`] (re-exported here, where they always were). It must not touch the
//! network or listeners, nor define topics: it reports changes, the emitter delivers them.

use crate::hashing::Map;
use crate::role::Role;
#[cfg(test)]
use crate::wire::Joining;
use crate::wire::{Hello, LeftReason};
use serde::Serialize;
use std::time::Instant;

pub use crate::topic::{is_reserved, HUB_CHANGED, LAGGED, PEER_JOINED, PEER_LEFT};

/// A node this node knows of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Peer {
    /// Its node id (what its events carry as [`Event::node`](crate::Event::node)).
    pub node: u64,
    /// Its service name.
    pub service: String,
    /// What it said it is in its last hello.
    pub role: Role,
    /// When this node last heard from it.
    #[serde(skip)]
    pub last_seen: Instant,
    /// When this node first heard from it (since it last joined): its time in the cluster.
    #[serde(skip)]
    pub since: Instant,
}

/// A change in membership, to be told on a reserved topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The reserved topic it is told on.
    pub topic: &'static str,
    /// What listeners receive, as JSON.
    pub data: serde_json::Value,
}

/// The peers this node knows of, by node id.
#[derive(Debug, Default)]
pub struct Membership {
    /// Per node id, every other node this node heard a hello from (never this node itself),
    /// as its latest hello described it, until word that it left: its first hello is told as
    /// `$peer.joined`, its removal as `$peer.left`.
    peers: Map<u64, Peer>,
    /// The hub as this node knows it: the last node whose hello said it is the hub, or this
    /// node's own id from when it became the hub until another hub's hello (a change is told
    /// as `$hub.changed`). `None` before any, and once a hub that is a known peer left.
    hub: Option<u64>,
}

impl Membership {
    /// A hello arrived from another node.
    pub fn hello(&mut self, hello: &Hello, now: Instant) -> Vec<Change> {
        let role = if hello.hub { Role::Hub } else { Role::Client };
        let mut changes = Vec::new();
        let since = self.peers.get(&hello.node).map_or(now, |known| known.since);
        let peer =
            Peer { node: hello.node, service: hello.service.clone(), role, last_seen: now, since };
        if self.peers.insert(hello.node, peer).is_none() {
            changes.push(Change {
                topic: PEER_JOINED,
                data: serde_json::json!({ "node": hex(hello.node), "service": hello.service, "role": role }),
            });
        }
        if hello.hub {
            changes.extend(self.hub_is(hello.node, &hello.service));
        }
        changes
    }

    /// This node became the hub (or a client again, `None` hub until it hears one).
    pub fn this_node_is_hub(&mut self, node: u64, service: &str) -> Option<Change> {
        self.hub_is(node, service)
    }

    fn hub_is(&mut self, node: u64, service: &str) -> Option<Change> {
        if self.hub == Some(node) {
            return None;
        }
        self.hub = Some(node);
        Some(Change {
            topic: HUB_CHANGED,
            data: serde_json::json!({ "node": hex(node), "service": service }),
        })
    }

    /// A node left (the hub said so, or this node lost the hub).
    pub fn left(&mut self, node: u64, reason: LeftReason) -> Option<Change> {
        // Before the peer lookup: this node, a hub stepping down, is no peer of its own.
        if self.hub == Some(node) {
            self.hub = None;
        }
        let peer = self.peers.remove(&node)?;
        let reason = match reason {
            LeftReason::Closed => "closed",
            LeftReason::Evicted => "evicted",
            LeftReason::Silent => "silent",
        };
        Some(Change {
            topic: PEER_LEFT,
            data: serde_json::json!({ "node": hex(node), "service": peer.service, "reason": reason }),
        })
    }

    /// The current hub, if known: this node's own id while it is the hub.
    pub fn hub(&self) -> Option<u64> {
        self.hub
    }

    /// Every known peer.
    pub fn peers(&self) -> Vec<Peer> {
        self.peers.values().cloned().collect()
    }

    /// Whether `node` is a known peer.
    pub fn knows(&self, node: u64) -> bool {
        self.peers.contains_key(&node)
    }

    /// Ids of every known peer.
    pub fn nodes(&self) -> impl Iterator<Item = u64> + '_ {
        self.peers.keys().copied()
    }
}

/// Node ids print as 16 hex digits everywhere (the CLI, notices).
pub fn hex(node: u64) -> String {
    format!("{node:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(node: u64, hub: bool) -> Hello {
        Hello { service: format!("s{node}"), ..Hello::sample(node, hub, Joining::Fresh) }
    }

    #[test]
    fn joins_hub_changes_and_leaves_are_reported_once() {
        let mut members = Membership::default();
        let now = Instant::now();
        let topics = |changes: Vec<Change>| changes.iter().map(|c| c.topic).collect::<Vec<_>>();
        assert_eq!(topics(members.hello(&hello(1, true), now)), [PEER_JOINED, HUB_CHANGED]);
        assert_eq!(topics(members.hello(&hello(1, true), now)), Vec::<&str>::new());
        assert_eq!(topics(members.hello(&hello(2, false), now)), [PEER_JOINED]);
        assert_eq!(members.left(1, LeftReason::Closed).map(|c| c.topic), Some(PEER_LEFT));
        assert_eq!(members.hub(), None);
        assert_eq!(members.left(1, LeftReason::Closed), None);
        assert_eq!(members.peers().len(), 1);
        assert_eq!(members.this_node_is_hub(9, "me").map(|c| c.topic), Some(HUB_CHANGED));
    }
}
