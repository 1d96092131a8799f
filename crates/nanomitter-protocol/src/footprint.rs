//! What a node holds that its peers can grow, counted: the measure the budgets of the core are
//! checked against (`crate::fuzz::budgets`).
//!
//! Owns: [`Footprint`] and [`Node::footprint`], a read-only count of the entries of every
//! structure a peer's frames or connections can add to. It must not change the node, decide
//! anything, or compare the counts with budgets: the property targets do that.

use crate::node::Node;
use crate::topic::InterestSize;

/// Entries of the maps the hub keeps for one client connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientMaps {
    /// Per sender, what the client holds (or was never owed).
    pub(crate) acked: usize,
    /// Per sender, what was relayed before it connected.
    pub(crate) relayed_before: usize,
    /// Per sender, when a re-send request of the client's was last passed on.
    pub(crate) last_nack: usize,
}

/// The hub's relay state, counted.
#[derive(Debug, Clone)]
pub(crate) struct RelayFootprint {
    /// The maps of each client connection.
    pub(crate) clients: Vec<ClientMaps>,
    /// Per member awaited, the entries of what it held when its connection closed; `None` for a
    /// member awaited on another member's word or as one of the previous hub's cluster.
    pub(crate) awaited: Vec<Option<usize>>,
    /// Events frames sent downstream and not yet acknowledged by every client.
    pub(crate) log: usize,
    /// Entries of the per-sender byte counts of `log`: one per sender and one per frame.
    pub(crate) logged_bytes: usize,
    /// Events frames waiting for room in the window.
    pub(crate) queue: usize,
    /// Senders with a latest sequence number relayed.
    pub(crate) last_relayed: usize,
    /// Senders with a known oldest retained event.
    pub(crate) retained_from: usize,
    /// Senders with an acknowledgement sent upstream.
    pub(crate) acked_upstream: usize,
    /// Senders whose events the hub's own listeners took.
    pub(crate) taken_here: usize,
}

/// Every structure of a node that its peers can grow, counted.
#[derive(Debug, Clone)]
pub(crate) struct Footprint {
    /// The relay, while the node is the hub.
    pub(crate) relay: Option<RelayFootprint>,
    /// Nodes whose interests are kept.
    pub(crate) interest_nodes: usize,
    /// Their patterns, bytes and segments, added up.
    pub(crate) interest: InterestSize,
    /// Senders the receiving side tracks.
    pub(crate) receiver_senders: usize,
    /// Senders whose claimed losses are tracked.
    pub(crate) loss_claims: usize,
    /// Peers of the membership table.
    pub(crate) peers: usize,
    /// Nodes that left, remembered for a while.
    pub(crate) departed: usize,
    /// Members owed word of this node's events.
    pub(crate) owed: usize,
    /// Members of the last hub's cluster, awaited if this node takes over.
    pub(crate) hub_members: usize,
    /// Node ids bound to keys (see [`crate::identity`]).
    pub(crate) bindings: usize,
    /// Delivery marks waiting for listeners to take their deliveries.
    pub(crate) marks: usize,
}

impl Node {
    /// Counts what this node holds that its peers can grow.
    pub(crate) fn footprint(&self) -> Footprint {
        let (interest_nodes, interest) = self.interests.size();
        Footprint {
            relay: self.phase.hub().map(|hub| hub.relay.footprint()),
            interest_nodes,
            interest,
            receiver_senders: self.receiver.senders(),
            loss_claims: self.loss_claims.senders(),
            peers: self.membership.nodes().count(),
            departed: self.departed.len(),
            owed: self.owed.len(),
            hub_members: self.hub_members.len(),
            bindings: self.bindings.len(),
            marks: self.deliveries.marks.len(),
        }
    }
}
