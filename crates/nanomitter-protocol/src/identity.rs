//! Who may speak as a node id: each node holds a random key and proves its id with it, and every
//! node keeps, for the members it knows, the hash of the key that each one's id is bound to.
//!
//! A node's first hello on each connection to a hub carries its key (docs/wire.md §6.3); the hub
//! binds the id to the key's hash and tells the others only that hash: in its hellos' member
//! lists, and in place of the key when it relays the joining hello. A later first hello in the
//! same id, on another connection, must carry the same key: a process that never held the key
//! cannot take the id of a member that is cut off, frozen or electing again, at this hub or at
//! the next (which learned the hash as a member). A binding lasts while its member is connected
//! here, and, however it went, for as long as the cluster remembers a member that left
//! (a minute, as `DEPARTED_KEPT` says): every member keeps the bindings of
//! those its hub stops listing that long too. Past that the id is free again.
//!
//! Owns: the key, its hash, and the table of bindings with its budget. It must not decide what
//! happens to a hello that fails the check (the hub side does) nor hold anything else of a member.

use crate::hashing::Map;
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::Instant;

/// The bytes of a node's key.
pub const KEY_LEN: usize = 16;

/// The most bindings a node keeps for members not connected to it (or, on a client, no longer
/// listed by its hub): members that went, for a minute. Past it a departing member's binding is
/// not kept (counted in `over_budget`): its id is free at once, as it would be a minute later.
pub const MAX_LINGERING: usize = 2 * crate::wire::MAX_LISTED;

/// A node's secret: its id is bound to this key's hash ([`NodeKey::hash`]) at its hub, and only
/// a hello carrying the key can claim the id on a new connection. It never leaves the node except
/// in its hellos to its hub.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NodeKey(pub [u8; KEY_LEN]);

impl NodeKey {
    /// A fresh key from the operating system's random source.
    pub fn random() -> Result<NodeKey, getrandom::Error> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key)?;
        Ok(NodeKey(key))
    }

    /// A key made from a node id, for tests and peers written by hand: anyone who knows the id
    /// can make it, so it proves nothing (a node uses [`NodeKey::random`]).
    pub fn sample(node: u64) -> NodeKey {
        let mut key = [0u8; KEY_LEN];
        key[..8].copy_from_slice(&node.to_le_bytes());
        NodeKey(key)
    }

    /// What the id is bound to: the first 8 bytes of SHA-256 over a label and the key, as a
    /// little-endian number, never 0 (0 means "not known" in a member list).
    pub fn hash(&self) -> u64 {
        let digest =
            Sha256::new().chain_update(b"nanomitter/1 node key").chain_update(self.0).finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first).max(1)
    }
}

impl fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NodeKey(..)")
    }
}

/// What the table says of a claim to an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// The id is bound to no key here: whoever claims it first binds it.
    Free,
    /// The claim carries the key the id is bound to.
    Proven,
    /// The id is bound to another key: an impostor's claim.
    Refused,
}

/// One id's binding.
#[derive(Debug, Clone, Copy)]
struct Binding {
    /// The hash of the key the id is bound to.
    key_hash: u64,
    /// Until when it holds: `None` while its member is connected to this node as hub (it holds
    /// until the member goes, or, on a client, as long as its hub lists the member); otherwise
    /// a minute after the member went.
    until: Option<Instant>,
}

/// The ids this node knows the keys of, by hash. On a hub: its clients', and those of members
/// that went, for a minute. On a client: the members its hub lists or relayed the first hello
/// of (and, for a minute, those it stopped listing), which this node binds if it becomes the hub.
#[derive(Debug, Default)]
pub(crate) struct Bindings {
    /// Per node id, its binding.
    bound: Map<u64, Binding>,
    /// How many of `bound` are not held by a connection (`until` is set): what
    /// [`MAX_LINGERING`] bounds.
    lingering: usize,
}

impl Bindings {
    /// What the table says of a claim to `node` with a key hashing to `key_hash`.
    pub(crate) fn claim(&self, node: u64, key_hash: u64, now: Instant) -> Claim {
        match self.bound.get(&node) {
            Some(binding) if binding.until.is_some_and(|until| now >= until) => Claim::Free,
            Some(binding) if binding.key_hash == key_hash => Claim::Proven,
            Some(_) => Claim::Refused,
            None => Claim::Free,
        }
    }

    /// The hub bound `node` to `key_hash` for as long as it is connected.
    pub(crate) fn bind(&mut self, node: u64, key_hash: u64) {
        let before = self.bound.insert(node, Binding { key_hash, until: None });
        if before.is_some_and(|binding| binding.until.is_some()) {
            self.lingering -= 1;
        }
    }

    /// `node` is bound to `key_hash` until `until` at least: it went from this hub, or this
    /// client's hub listed it. A binding held by a connection here stays as it is. Returns
    /// `false` when the budget of bindings not held by a connection is spent: then none is kept.
    pub(crate) fn hold_until(&mut self, node: u64, key_hash: u64, until: Instant) -> bool {
        match self.bound.get_mut(&node) {
            Some(Binding { until: None, .. }) => true,
            Some(binding) => {
                binding.key_hash = key_hash;
                binding.until = binding.until.max(Some(until));
                true
            }
            None if self.lingering >= MAX_LINGERING => false,
            None => {
                self.bound.insert(node, Binding { key_hash, until: Some(until) });
                self.lingering += 1;
                true
            }
        }
    }

    /// This client's hub listed its members, each with the hash its id is bound to: they are
    /// held as long as the hub lists them (a hash of 0, unknown to the hub, binds nothing), and
    /// those it no longer lists went: held until `gone_until`. Returns how many of those were
    /// not kept, past the budget.
    pub(crate) fn listed_by_hub(&mut self, members: &[(u64, u64)], gone_until: Instant) -> usize {
        let listed: Map<u64, u64> =
            members.iter().copied().filter(|(_, key_hash)| *key_hash != 0).collect();
        let gone: Vec<u64> = (self.bound.iter())
            .filter(|(node, binding)| binding.until.is_none() && !listed.contains_key(node))
            .map(|(node, _)| *node)
            .collect();
        for (node, key_hash) in listed {
            self.bind(node, key_hash);
        }
        gone.into_iter().filter(|node| !self.went(*node, gone_until)).count()
    }

    /// A member joined through this client's hub, which bound its id to `key_hash`: held until
    /// the hub's next list says otherwise. Returns `false` when the table is full (as many as
    /// a hub lists and [`MAX_LINGERING`] more): then it is not kept.
    pub(crate) fn heard_join(&mut self, node: u64, key_hash: u64) -> bool {
        if self.bound.len() >= crate::wire::MAX_LISTED + MAX_LINGERING {
            return false;
        }
        self.bind(node, key_hash);
        true
    }

    /// The member connected on a connection that closed went: its binding holds until `until`.
    pub(crate) fn went(&mut self, node: u64, until: Instant) -> bool {
        match self.bound.get(&node).copied() {
            Some(Binding { key_hash, until: None }) => {
                self.bound.remove(&node);
                self.hold_until(node, key_hash, until)
            }
            _ => true,
        }
    }

    /// Every binding, held by a connection or not, holds at least until `until`: this node
    /// became the hub, and the members it knew have that long to come back.
    pub(crate) fn hold_all_until(&mut self, until: Instant) {
        for binding in self.bound.values_mut() {
            binding.until = binding.until.max(Some(until));
        }
        self.lingering = self.bound.len();
    }

    /// Forgets the bindings whose time ran out.
    pub(crate) fn expire(&mut self, now: Instant) {
        self.bound.retain(|_, binding| binding.until.is_none_or(|until| now < until));
        self.lingering = self.bound.values().filter(|binding| binding.until.is_some()).count();
    }

    /// The hash `node`'s id is bound to, if any (0 when none): what a hub lists with its members.
    pub(crate) fn hash_of(&self, node: u64) -> u64 {
        self.bound.get(&node).map_or(0, |binding| binding.key_hash)
    }

    /// How many bindings it holds, for the budgets' checks.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.bound.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_claim_is_proven_only_with_the_key_the_id_is_bound_to() {
        let now = Instant::now();
        let (key, other) = (NodeKey([1; KEY_LEN]), NodeKey([2; KEY_LEN]));
        let mut table = Bindings::default();
        assert_eq!(table.claim(7, key.hash(), now), Claim::Free);
        table.bind(7, key.hash());
        assert_eq!(table.claim(7, key.hash(), now), Claim::Proven);
        assert_eq!(table.claim(7, other.hash(), now), Claim::Refused);
        // Gone: still bound until the time given, free after.
        assert!(table.went(7, now + Duration::from_secs(2)));
        assert_eq!(table.claim(7, other.hash(), now + Duration::from_secs(1)), Claim::Refused);
        assert_eq!(table.claim(7, other.hash(), now + Duration::from_secs(2)), Claim::Free);
        table.expire(now + Duration::from_secs(2));
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn a_member_its_hub_stops_listing_stays_bound_until_the_time_given() {
        let now = Instant::now();
        let later = now + Duration::from_secs(60);
        let mut table = Bindings::default();
        assert_eq!(table.listed_by_hub(&[(7, 70), (8, 80), (9, 0)], later), 0);
        assert_eq!(table.claim(9, 1, now), Claim::Free, "a hash of 0 binds nothing");
        assert_eq!(table.listed_by_hub(&[(8, 80)], later), 0);
        assert_eq!(table.claim(7, 1, now + Duration::from_secs(59)), Claim::Refused);
        assert_eq!(table.claim(7, 1, later), Claim::Free);
        assert_eq!(table.hash_of(8), 80);
    }

    #[test]
    fn bindings_not_held_by_a_connection_stay_within_their_budget() {
        let now = Instant::now();
        let until = now + Duration::from_secs(2);
        let mut table = Bindings::default();
        for node in 0..MAX_LINGERING as u64 {
            assert!(table.hold_until(node, node + 1, until));
        }
        assert!(!table.hold_until(u64::MAX, 1, until), "past the budget");
        // Held by connections, they do not count.
        table.bind(u64::MAX - 1, 5);
        assert_eq!(table.len(), MAX_LINGERING + 1);
    }

    #[test]
    fn the_hash_is_never_zero_and_depends_on_every_byte() {
        let mut key = NodeKey([0; KEY_LEN]);
        let first = key.hash();
        key.0[KEY_LEN - 1] = 1;
        assert_ne!(first, key.hash());
        assert_ne!(first, 0);
    }
}
