//! Which local recipients listen to which topic, and handing an event to them.
//!
//! Owns: the listener table with Node's EventEmitter semantics (duplicates allowed, `once`,
//! remove one instance, remove all) and the fan-out of one event to its listeners, with
//! backpressure: a recipient whose mailbox is full is not skipped but handed back as
//! [`Blocked`], for the emitter to wait on. It must not touch the network.

use crate::event::DistributedEvent;
use crate::membership::is_reserved;
use actix::dev::SendError;
use actix::Recipient;
use std::collections::{HashMap, HashSet};

/// The topic that matches every topic (but the reserved `$` ones).
pub const ANY_TOPIC: &str = "*";

struct Listener {
    recipient: Recipient<DistributedEvent>,
    once: bool,
}

/// Deliveries that found a full mailbox, in order. Once a recipient is blocked, its later events
/// queue behind it here too, so it receives them in order.
#[derive(Default)]
pub(crate) struct Blocked {
    recipients: HashSet<Recipient<DistributedEvent>>,
    pub(crate) deliveries: Vec<(Recipient<DistributedEvent>, DistributedEvent)>,
}

impl Blocked {
    pub(crate) fn is_empty(&self) -> bool {
        self.deliveries.is_empty()
    }

    /// Sends `event` now if `recipient` has room and nothing queued here; otherwise queues it.
    /// Returns `false` if the recipient's actor is gone.
    fn deliver(
        &mut self,
        recipient: &Recipient<DistributedEvent>,
        event: &DistributedEvent,
    ) -> bool {
        if !self.recipients.contains(recipient) {
            match recipient.try_send(event.clone()) {
                Ok(()) => return true,
                Err(SendError::Closed(_)) => return false,
                Err(SendError::Full(_)) => {
                    self.recipients.insert(recipient.clone());
                }
            }
        }
        self.deliveries.push((recipient.clone(), event.clone()));
        true
    }
}

/// Listeners by topic; `*` listeners live under [`ANY_TOPIC`].
#[derive(Default)]
pub(crate) struct Registry {
    by_topic: HashMap<String, Vec<Listener>>,
}

impl Registry {
    /// Adds a listener at the end of `topic`'s list; the same recipient may be added many times.
    pub(crate) fn add(&mut self, topic: &str, recipient: Recipient<DistributedEvent>, once: bool) {
        self.by_topic.entry(topic.to_owned()).or_default().push(Listener { recipient, once });
    }

    /// Removes the most recently added instance of `recipient` on `topic`. Returns whether one was found.
    pub(crate) fn remove(&mut self, topic: &str, recipient: &Recipient<DistributedEvent>) -> bool {
        let Some(listeners) = self.by_topic.get_mut(topic) else {
            return false;
        };
        let Some(index) = listeners.iter().rposition(|l| &l.recipient == recipient) else {
            return false;
        };
        listeners.remove(index);
        if listeners.is_empty() {
            self.by_topic.remove(topic);
        }
        true
    }

    /// Removes every listener of `topic`, or every listener at all.
    pub(crate) fn remove_all(&mut self, topic: Option<&str>) {
        match topic {
            Some(topic) => {
                self.by_topic.remove(topic);
            }
            None => self.by_topic.clear(),
        }
    }

    /// Number of listeners that an event on `topic` would reach.
    pub(crate) fn listener_count(&self, topic: &str) -> usize {
        self.keys_for(topic).filter_map(|key| self.by_topic.get(key)).map(Vec::len).sum()
    }

    /// Hands `event` to every listener of its topic and of `*`; drops `once` listeners after
    /// their delivery and listeners whose actor is gone. Returns the number of deliveries.
    pub(crate) fn dispatch(&mut self, event: &DistributedEvent, blocked: &mut Blocked) -> u64 {
        let topic = event.topic();
        let keys: Vec<&str> = self.keys_for(topic).collect();
        let mut delivered = 0;
        for key in keys {
            let Some(listeners) = self.by_topic.get_mut(key) else {
                continue;
            };
            listeners.retain(|listener| {
                if !blocked.deliver(&listener.recipient, event) {
                    return false;
                }
                delivered += 1;
                !listener.once
            });
            if listeners.is_empty() {
                self.by_topic.remove(key);
            }
        }
        delivered
    }

    /// Hands `event` once to every distinct recipient of any topic (a notice for all listeners).
    pub(crate) fn notify_all(&mut self, event: &DistributedEvent, blocked: &mut Blocked) -> u64 {
        let mut seen = HashSet::new();
        let recipients: Vec<_> = self
            .by_topic
            .values()
            .flatten()
            .filter(|l| seen.insert(l.recipient.clone()))
            .map(|l| l.recipient.clone())
            .collect();
        recipients.iter().filter(|r| blocked.deliver(r, event)).count() as u64
    }

    fn keys_for<'a>(&self, topic: &'a str) -> impl Iterator<Item = &'a str> {
        let any = (topic != ANY_TOPIC && !is_reserved(topic)).then_some(ANY_TOPIC);
        std::iter::once(topic).chain(any)
    }
}
