//! A listener that lasts as long as a value: [`Subscription`].
//!
//! Owns: removing one listener (by its [`ListenerId`]) when its subscription is dropped, unless
//! it was detached. It must not add listeners (the handle's `listen` does) nor hold any listener
//! state (the emitter's registry does).

use crate::emitter::{Emitter, Shared};
use crate::messages::{ListenerId, Unlisten};
use actix::Addr;
use std::sync::Arc;

/// One listener added by [`EmitterHandle::listen`](crate::EmitterHandle::listen): dropping it
/// removes the listener (a message to the emitter; events already handed to the listener's
/// mailbox stay there). [`Subscription::detach`] keeps the listener for good instead.
///
/// ```no_run
/// # async fn example(emitter: nanomitter::EmitterHandle,
/// #                  recipient: actix::Recipient<nanomitter::DistributedEvent>) -> nanomitter::Result<()> {
/// use nanomitter::messages::Listen;
/// {
///     let _prices = emitter.listen(Listen::new("stockprice", recipient))?;
///     // ... the recipient gets `stockprice` events while `_prices` lives ...
/// } // dropped: the listener is removed
/// # Ok(()) }
/// ```
#[must_use = "dropping a Subscription removes its listener at once; `detach` keeps it"]
#[derive(Debug)]
pub struct Subscription {
    /// The emitter actor that holds the listener: the drop sends it the `Unlisten`.
    emitter: Addr<Emitter>,
    /// What the emitter shares with its handles: the drop seals its outbox's open batch first,
    /// so an event emitted after the drop does not reach the listener.
    shared: Arc<Shared>,
    /// The listener's id: what the drop's `Unlisten` removes, and what `detach` hands back.
    id: ListenerId,
    /// The topic or pattern as given to `listen`, only for [`Subscription::topic`]: the removal
    /// goes by `id`.
    topic: String,
    /// Set by `detach`: the drop then leaves the listener in place.
    detached: bool,
}

impl Subscription {
    pub(crate) fn new(
        emitter: Addr<Emitter>,
        shared: Arc<Shared>,
        id: ListenerId,
        topic: String,
    ) -> Subscription {
        Subscription { emitter, shared, id, topic, detached: false }
    }

    /// The listener's id (what [`Unlisten`] takes).
    ///
    /// ```no_run
    /// # fn example(subscription: nanomitter::Subscription) {
    /// println!("listener {:?} on {}", subscription.id(), subscription.topic());
    /// # }
    /// ```
    pub fn id(&self) -> ListenerId {
        self.id
    }

    /// The topic or pattern listened to.
    ///
    /// ```no_run
    /// # fn example(subscription: nanomitter::Subscription) {
    /// assert_eq!(subscription.topic(), "stock.*");
    /// # }
    /// ```
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Removes the listener now (the same as dropping the subscription, said out loud).
    ///
    /// ```no_run
    /// # fn example(subscription: nanomitter::Subscription) {
    /// subscription.unsubscribe();
    /// # }
    /// ```
    pub fn unsubscribe(self) {}

    /// Keeps the listener for good (or for its number of events); returns its id, with which an
    /// [`Unlisten`] can still remove it.
    ///
    /// ```no_run
    /// # fn example(subscription: nanomitter::Subscription) {
    /// let id = subscription.detach(); // the listener stays
    /// # }
    /// ```
    pub fn detach(mut self) -> ListenerId {
        self.detached = true;
        self.id
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if !self.detached {
            self.shared.outbox.seal();
            self.emitter.do_send(Unlisten(self.id));
        }
    }
}
