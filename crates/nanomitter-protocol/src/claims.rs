//! What a sender may claim it lost of its own events.
//!
//! A sender says which of its events it no longer holds (an events frame's `retained_from`, a
//! hello's `retained_from` and `owed`), and a member that lacks them reports them lost
//! (`$lagged`, `stats().gaps`). Only the sender can say it, so a member could claim to have
//! lost any number of its own events; it cannot have sent more than so many a second.
//!
//! Owns: per sender, since when this node has heard it and how many of its events were
//! reported lost here, and whether one more loss fits what the sender could have sent. It must
//! not admit events nor tell listeners: the receiving side asks it before it reports a loss.

use crate::hashing::Map;
use std::time::Instant;

/// The most events a sender can have emitted a second: a hundred times what one node emits
/// through a hub on the machines measured (about a million a second).
pub(super) const MAX_EVENTS_PER_SECOND: u64 = 100_000_000;
/// The most events a sender can say it lost right after this node first heard it (2^27, more
/// than a second's worth at [`MAX_EVENTS_PER_SECOND`]): a loss is always of events sent after
/// that, and a sender never emits that many in the moment.
pub(super) const MAX_EVENTS_AT_ONCE: u64 = 1 << 27;

/// One sender's losses reported here.
#[derive(Debug, Clone, Copy)]
struct Claimed {
    /// When this node first heard the sender (a frame or a hello of it).
    first_heard: Instant,
    /// Its events reported lost here so far.
    reported: u64,
}

/// Per sender, what it may still claim lost.
#[derive(Debug, Default)]
pub(super) struct LossClaims {
    /// Per sender node id, when this node first heard it and how many of its events were
    /// reported lost here: what bounds the losses it may still claim (see
    /// [`LossClaims::fits`]). An entry starts with the sender's first events frame or hello
    /// here (or its first claim), and goes once the sender left for good.
    senders: Map<u64, Claimed>,
}

impl LossClaims {
    /// Something of `sender` arrived: its time starts now if this node never heard it.
    pub(super) fn heard(&mut self, sender: u64, now: Instant) {
        self.senders.entry(sender).or_insert(Claimed { first_heard: now, reported: 0 });
    }

    /// Whether `missed` more events of `sender` can have been lost: with those reported here
    /// already, at most [`MAX_EVENTS_AT_ONCE`] and [`MAX_EVENTS_PER_SECOND`] since this node
    /// first heard it. If so, they count as reported.
    pub(super) fn fits(&mut self, sender: u64, missed: u64, now: Instant) -> bool {
        let claimed =
            self.senders.entry(sender).or_insert(Claimed { first_heard: now, reported: 0 });
        let since = now.saturating_duration_since(claimed.first_heard);
        let per_second = u128::from(MAX_EVENTS_PER_SECOND);
        let could = u128::from(MAX_EVENTS_AT_ONCE) + since.as_nanos() * per_second / 1_000_000_000;
        let total = u128::from(claimed.reported) + u128::from(missed);
        if total > could {
            return false;
        }
        claimed.reported += missed;
        true
    }

    /// How many senders are tracked.
    #[cfg(test)]
    pub(super) fn senders(&self) -> usize {
        self.senders.len()
    }

    /// Forgets a sender that left for good.
    pub(super) fn forget(&mut self, sender: u64) {
        self.senders.remove(&sender);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_sender_can_claim_no_more_than_it_could_have_sent() {
        let t0 = Instant::now();
        let mut claims = LossClaims::default();
        claims.heard(7, t0);
        assert!(claims.fits(7, MAX_EVENTS_AT_ONCE, t0), "a whole window at once");
        assert!(!claims.fits(7, 1, t0), "not one more right away");
        let later = t0 + Duration::from_secs(2);
        assert!(!claims.fits(7, 2 * MAX_EVENTS_PER_SECOND + 1, later));
        assert!(claims.fits(7, 2 * MAX_EVENTS_PER_SECOND, later), "two seconds' worth");
        assert!(!claims.fits(7, u64::MAX >> 2, later + Duration::from_secs(3600)));
        claims.forget(7);
        assert!(claims.fits(7, 10, later), "a sender heard anew starts anew");
    }
}
