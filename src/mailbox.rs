//! Bytes sitting in the emitter actor's mailbox, and the wait for them to fall below a limit.
//!
//! Owns: one count shared by those who put messages in the actor's mailbox (a node's handles
//! with the events they emit, a link's readers with the frames they read) and the actor that
//! takes them out, and waking whoever waits for the count to fall below its limit. The actor's
//! mailbox is unbounded: this is what bounds it, by making its feeders wait. It must not know
//! what the messages are. [`Unhandled`] is one message's bytes in such a count, given back
//! when the message is dropped. Atomics and a `Notify`, since the count travels with messages
//! that must be `Send`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Debug)]
pub(crate) struct MailboxBytes {
    /// Bytes put in the mailbox and not yet taken out.
    bytes: AtomicUsize,
    /// The bytes at which feeders wait.
    limit: usize,
    /// Woken when the bytes fall below the limit.
    below: Notify,
}

impl MailboxBytes {
    /// An empty count whose feeders wait from `limit` bytes on.
    pub(crate) fn new(limit: usize) -> Self {
        MailboxBytes { bytes: AtomicUsize::new(0), limit, below: Notify::new() }
    }

    /// `n` more bytes were put in the mailbox.
    pub(crate) fn put(&self, n: usize) {
        self.bytes.fetch_add(n, Ordering::AcqRel);
    }

    /// `n` bytes were taken out (or dropped unhandled); wakes every waiter when that brings the
    /// count below the limit.
    pub(crate) fn taken(&self, n: usize) {
        let before = self.bytes.fetch_sub(n, Ordering::AcqRel);
        if before >= self.limit && before - n < self.limit {
            self.below.notify_waiters();
        }
    }

    /// Returns once the bytes are below the limit (at once when they are, without yielding), or
    /// `give_up` says to stop waiting (checked at the same moments, so wake it with
    /// [`MailboxBytes::wake_all`] when it changes).
    pub(crate) async fn below_limit(&self, give_up: impl Fn() -> bool) {
        // Mostly it is: no waiter to register then.
        if give_up() || self.is_below_limit() {
            return;
        }
        loop {
            // Registered before the count is read, so a `taken` in between still wakes it.
            let below = self.below.notified();
            tokio::pin!(below);
            below.as_mut().enable();
            if give_up() || self.bytes.load(Ordering::Acquire) < self.limit {
                return;
            }
            below.await;
        }
    }

    /// Whether the bytes in the mailbox are below the limit now.
    pub(crate) fn is_below_limit(&self) -> bool {
        self.bytes.load(Ordering::Acquire) < self.limit
    }

    /// Wakes every waiter, to look at its `give_up` again.
    pub(crate) fn wake_all(&self) {
        self.below.notify_waiters();
    }

    /// Bytes in the mailbox now.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Acquire)
    }
}

/// The bytes held by frames a link's readers reported to the emitter actor and it has not
/// handled yet, in one link or one connection, and the readers' wait for them to fall below the
/// budget. The [`Unhandled`] guards ride in the actor's messages.
pub(crate) type Backlog = Arc<MailboxBytes>;

/// The bytes of one reported frame in a [`Backlog`], released when the report is dropped: once
/// the actor handled it, or unhandled (a replaced link's, or the actor stopped). Likewise the
/// bytes of a large frame arriving (a link's budget of frames arriving), released once it
/// arrived whole or its connection closed.
#[derive(Debug)]
pub(crate) struct Unhandled {
    backlog: Backlog,
    bytes: usize,
}

impl Unhandled {
    /// Counts a frame holding `bytes` that is being reported in `backlog`.
    pub(crate) fn new(backlog: &Backlog, bytes: usize) -> Unhandled {
        backlog.put(bytes);
        Unhandled { backlog: backlog.clone(), bytes }
    }
}

impl Drop for Unhandled {
    fn drop(&mut self) {
        self.backlog.taken(self.bytes);
    }
}
