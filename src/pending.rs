//! The bound on events accepted by `emit` but not yet held by every member.
//!
//! Owns: the byte count shared by a node's handles (which reserve) and its emitter actor (which
//! releases once the hub says every member holds the events), and waking emitters that wait for
//! room. Within that bound, the bytes handed to the actor and not yet taken (from the outbox):
//! `emit_wait` waits while a batch's worth sits there, so a producer on the actor's own thread
//! lets the actor send while it produces instead of filling the whole bound first. The bound
//! itself moves: `pacing` keeps it where the delay it causes stays near a target, with
//! `max_pending_bytes` as the hard cap. It must not know about frames or listeners.

use crate::mailbox::MailboxBytes;
use crate::pacing::Pacing;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Debug)]
pub(crate) struct Pending {
    /// Bytes reserved by events accepted and not yet given back: a handle (or the actor, for an
    /// `Emit` sent to it directly) adds an event's wire size when it accepts it, and the actor
    /// takes it off when the core gives it back (`Action::Release`: nobody is owed the event any
    /// more, or it was dropped).
    reserved: AtomicUsize,
    /// The window, at most `max_pending_bytes`: a reservation that would take `reserved` past it
    /// is refused (`emit`) or waits (`emit_wait`), unless nothing is reserved, so a lone event
    /// always fits. Reported in `Error::Overflow`.
    pacing: Pacing,
    /// Wakes every `reserve` waiting for room when bytes are given back, and for good when the
    /// emitter closes.
    room: Notify,
    /// The emitter closed: nothing is reserved any more, and waiters give up.
    closed: AtomicBool,
    /// Bytes of events handed to the emitter actor and not yet taken from the outbox;
    /// `emit_wait` waits while they reach the hand-off limit.
    handed: MailboxBytes,
}

impl Pending {
    /// A bound of at most `limit` bytes, kept where events wait about `delay_target` (`None`:
    /// always `limit`) but never below four hand-offs' worth; `emit_wait` lets the actor take
    /// its mailbox once `handoff_limit` bytes (a batch, say) wait there.
    pub(crate) fn new(limit: usize, handoff_limit: usize, delay_target: Option<Duration>) -> Self {
        Pending {
            reserved: AtomicUsize::new(0),
            pacing: Pacing::new(
                delay_target,
                handoff_limit.saturating_mul(4),
                limit,
                Instant::now(),
            ),
            room: Notify::new(),
            closed: AtomicBool::new(false),
            handed: MailboxBytes::new(handoff_limit.max(1)),
        }
    }

    /// Reserves `n` bytes if they fit under the window (a lone event always fits).
    pub(crate) fn try_reserve(&self, n: usize) -> bool {
        let window = self.pacing.window();
        let reserved = self.reserved.fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
            (held == 0 || held + n <= window).then_some(held + n)
        });
        match reserved {
            Ok(_) => self.pacing.reserved(n, Instant::now),
            Err(held) if held + n <= self.pacing.max() => self.pacing.held_back(),
            Err(_) => {}
        }
        reserved.is_ok()
    }

    /// Waits until `n` bytes fit, then reserves them. Returns `false`, reserving nothing, once
    /// the emitter is closed.
    pub(crate) async fn reserve(&self, n: usize) -> bool {
        // Mostly there is room: no waiter to register then.
        if !self.is_closed() && self.try_reserve(n) {
            return true;
        }
        loop {
            let room = self.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            if self.is_closed() {
                return false;
            }
            if self.try_reserve(n) {
                return true;
            }
            room.await;
        }
    }

    /// Waits until fewer than the hand-off limit's bytes sit in the actor's mailbox (at once
    /// when they do, without yielding), or the emitter is closed.
    pub(crate) async fn actor_caught_up(&self) {
        self.handed.below_limit(|| self.is_closed()).await;
    }

    /// Reserves `n` bytes if the actor has caught up (see [`Pending::actor_caught_up`]) and
    /// they fit now: what `emit_wait` does without waiting, when it need not.
    pub(crate) fn try_reserve_caught_up(&self, n: usize) -> bool {
        !self.is_closed() && self.handed.is_below_limit() && self.try_reserve(n)
    }

    /// A handle put an event of `n` reserved bytes in the outbox.
    pub(crate) fn handed_over(&self, n: usize) {
        self.handed.put(n);
    }

    /// The actor took an event of `n` bytes handed over with [`Pending::handed_over`].
    pub(crate) fn taken_over(&self, n: usize) {
        self.handed.taken(n);
    }

    /// The emitter closed: wakes every waiter, for good.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.room.notify_waiters();
        self.handed.wake_all();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Gives back `n` reserved bytes.
    pub(crate) fn release(&self, n: usize) {
        if n > 0 {
            self.reserved.fetch_sub(n, Ordering::AcqRel);
            self.pacing.released(n, Instant::now());
            self.room.notify_waiters();
        }
    }

    /// Bytes reserved now.
    pub(crate) fn held(&self) -> usize {
        self.reserved.load(Ordering::Acquire)
    }

    /// The window now (what `Error::Overflow` reports as the limit).
    pub(crate) fn limit(&self) -> usize {
        self.pacing.window()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_stop_at_the_limit_and_come_back_on_release() {
        let pending = Pending::new(100, 100, None);
        assert!(pending.try_reserve(60));
        assert!(!pending.try_reserve(60));
        pending.release(60);
        assert!(pending.try_reserve(500), "a lone event always fits");
        assert_eq!(pending.held(), 500);
    }

    #[actix_rt::test]
    async fn closing_wakes_a_waiter_for_good() {
        let pending = std::sync::Arc::new(Pending::new(100, 100, None));
        assert!(pending.try_reserve(100));
        let waiter = {
            let pending = pending.clone();
            actix_rt::spawn(async move { pending.reserve(50).await })
        };
        pending.close();
        assert!(!waiter.await.unwrap(), "a closed emitter reserves nothing");
    }

    #[actix_rt::test]
    async fn a_full_mailbox_holds_emitters_until_the_actor_takes_it_below_the_limit() {
        let pending = std::sync::Arc::new(Pending::new(1000, 100, None));
        pending.handed_over(60);
        pending.actor_caught_up().await;
        pending.handed_over(60);
        let waiter = {
            let pending = pending.clone();
            actix_rt::spawn(async move { pending.actor_caught_up().await })
        };
        actix_rt::task::yield_now().await;
        assert!(!waiter.is_finished(), "120 bytes wait in a mailbox limited to 100");
        pending.taken_over(60);
        waiter.await.unwrap();
    }
}
