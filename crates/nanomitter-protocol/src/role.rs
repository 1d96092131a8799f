//! What a node is in the star: the hub, a client, electing, or closed.
//!
//! Owns: the public [`Role`] (what `EmitterHandle::role` answers, what peers and notices carry).
//! It must not decide a role: the election (the link's bind-or-dial, the emitter's restarts) does.

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
    /// It was closed: it has no link and never elects again.
    Closed,
}
