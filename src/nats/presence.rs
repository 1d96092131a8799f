//! Who else is there, in the NATS backend: nodes say so with beacons on core NATS.
//!
//! Owns: the beacon's format and the table of peers built from them (bounded), with the changes
//! worth telling listeners (`$peer.joined`, `$peer.left`). It must not talk to NATS (the session
//! publishes and subscribes) nor deliver notices (the emitter does).
//!
//! A node publishes a beacon every presence interval and whenever its patterns change, and a
//! last one with `left` when it closes. A peer unheard for three intervals is gone.

use crate::membership::{Peer, PEER_JOINED, PEER_LEFT};
use crate::topic;
use crate::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Most peers a node keeps (more beacons from new nodes are ignored, counted).
pub(crate) const MAX_PEERS: usize = 4096;

/// What a node says of itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Beacon {
    /// Its node id.
    pub(crate) node: u64,
    /// Its service name.
    pub(crate) service: String,
    /// The patterns its listeners hold, with how many listen to each.
    pub(crate) patterns: Vec<(String, u32)>,
    /// It is closing: gone now.
    #[serde(default)]
    pub(crate) left: bool,
}

/// One peer as last heard.
#[derive(Debug)]
struct Heard {
    /// Its last beacon.
    beacon: Beacon,
    /// When it arrived.
    at: Instant,
    /// When its first beacon arrived: its time in the cluster, as `peers()` tells it.
    since: Instant,
}

/// The peers of one node.
#[derive(Debug)]
pub(crate) struct Presence {
    /// This node's id: its own beacons are not a peer's.
    own: u64,
    /// Peers by node id.
    peers: HashMap<u64, Heard>,
    /// How long a peer may stay silent.
    silence: Duration,
    /// Beacons of new nodes ignored because [`MAX_PEERS`] were known.
    pub(crate) ignored: u64,
}

/// A change to tell listeners: its reserved topic and data.
pub(crate) type Change = (&'static str, serde_json::Value);

impl Presence {
    /// The table of node `own`, whose peers beacon every `interval`.
    pub(crate) fn new(own: u64, interval: Duration) -> Self {
        Presence { own, peers: HashMap::new(), silence: interval * 3, ignored: 0 }
    }

    /// A beacon arrived.
    pub(crate) fn heard(&mut self, now: Instant, beacon: Beacon) -> Option<Change> {
        if beacon.node == self.own {
            return None;
        }
        let patterns_ok = beacon.patterns.len() <= topic::MAX_PATTERNS
            && beacon.patterns.iter().all(|(p, _)| topic::check(p, true).is_ok());
        if beacon.left || !patterns_ok {
            let gone = self.peers.remove(&beacon.node)?;
            return Some(left(&gone.beacon, if beacon.left { "closed" } else { "malformed" }));
        }
        if let Some(known) = self.peers.get_mut(&beacon.node) {
            *known = Heard { beacon, at: now, since: known.since };
            return None;
        }
        if self.peers.len() >= MAX_PEERS {
            self.ignored += 1;
            return None;
        }
        let joined = (
            PEER_JOINED,
            serde_json::json!({ "node": beacon.node, "service": beacon.service, "role": "client" }),
        );
        self.peers.insert(beacon.node, Heard { beacon, at: now, since: now });
        Some(joined)
    }

    /// Forgets the peers silent for too long, with a change for each.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<Change> {
        let silence = self.silence;
        let gone: Vec<u64> = self
            .peers
            .iter()
            .filter(|(_, heard)| now.saturating_duration_since(heard.at) > silence)
            .map(|(node, _)| *node)
            .collect();
        gone.into_iter()
            .filter_map(|node| self.peers.remove(&node))
            .map(|heard| left(&heard.beacon, "silent"))
            .collect()
    }

    /// The peers, as [`crate::EmitterHandle::peers`] lists them.
    pub(crate) fn peers(&self) -> Vec<Peer> {
        let mut peers: Vec<Peer> = self
            .peers
            .values()
            .map(|heard| Peer {
                node: heard.beacon.node,
                service: heard.beacon.service.clone(),
                role: Role::Client,
                last_seen: heard.at,
                since: heard.since,
            })
            .collect();
        peers.sort_by_key(|peer| peer.node);
        peers
    }

    /// How many listeners of other nodes an event on `topic` reaches.
    pub(crate) fn listeners_elsewhere(&self, topic: &str) -> usize {
        self.peers
            .values()
            .flat_map(|heard| &heard.beacon.patterns)
            .filter(|(pattern, _)| topic::matches(pattern, topic))
            .map(|(_, listeners)| *listeners as usize)
            .sum()
    }

    /// Every pattern other nodes listen to, with their listener counts added up.
    pub(crate) fn topics_elsewhere(&self) -> Vec<(String, u32)> {
        let mut all: HashMap<&str, u32> = HashMap::new();
        for (pattern, listeners) in self.peers.values().flat_map(|heard| &heard.beacon.patterns) {
            let count = all.entry(pattern).or_default();
            *count = count.saturating_add(*listeners);
        }
        all.into_iter().map(|(pattern, n)| (pattern.to_owned(), n)).collect()
    }
}

fn left(beacon: &Beacon, reason: &str) -> Change {
    (
        PEER_LEFT,
        serde_json::json!({ "node": beacon.node, "service": beacon.service, "reason": reason }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beacon(node: u64, patterns: &[(&str, u32)]) -> Beacon {
        Beacon {
            node,
            service: format!("s{node}"),
            patterns: patterns.iter().map(|(p, n)| (p.to_string(), *n)).collect(),
            left: false,
        }
    }

    #[test]
    fn peers_join_once_leave_when_they_say_so_or_fall_silent() {
        let start = Instant::now();
        let mut presence = Presence::new(1, Duration::from_secs(1));
        assert_eq!(presence.heard(start, beacon(1, &[])), None, "its own beacon");
        assert_eq!(presence.heard(start, beacon(2, &[("a.*", 2)])).unwrap().0, PEER_JOINED);
        assert_eq!(presence.heard(start, beacon(2, &[("a.*", 2)])), None);
        assert_eq!(presence.heard(start, beacon(3, &[("*", 1)])).unwrap().0, PEER_JOINED);
        assert_eq!(presence.listeners_elsewhere("a.b"), 3);
        assert_eq!(presence.peers().len(), 2);
        let closing = Beacon { left: true, ..beacon(3, &[]) };
        assert_eq!(presence.heard(start, closing).unwrap().0, PEER_LEFT);
        assert!(presence.expire(start + Duration::from_secs(2)).is_empty());
        let gone = presence.expire(start + Duration::from_secs(4));
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].1["reason"], "silent");
        assert!(presence.peers().is_empty());
    }

    #[test]
    fn the_table_is_bounded_and_bad_patterns_are_refused() {
        let now = Instant::now();
        let mut presence = Presence::new(0, Duration::from_secs(1));
        for node in 1..=(MAX_PEERS as u64 + 5) {
            presence.heard(now, beacon(node, &[]));
        }
        assert_eq!(presence.peers().len(), MAX_PEERS);
        assert_eq!(presence.ignored, 5);
        let mut presence = Presence::new(0, Duration::from_secs(1));
        assert_eq!(presence.heard(now, beacon(9, &[("a..b", 1)])), None);
        assert!(presence.peers().is_empty());
    }
}
