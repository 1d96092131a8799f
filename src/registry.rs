//! Which local recipients listen to which topic.
//!
//! Owns: the listener table with Node's EventEmitter semantics (duplicates allowed, `once`,
//! remove one instance, remove all) and the fan-out of one event to its listeners. It must not
//! touch the network: it is plain data, kept by the emitter actor across restarts of its link.

use crate::event::DistributedEvent;
use actix::Recipient;
use std::collections::HashMap;

/// The topic that matches every topic.
pub const ANY_TOPIC: &str = "*";

struct Listener {
    recipient: Recipient<DistributedEvent>,
    once: bool,
}

/// Listeners by topic; `*` listeners live under [`ANY_TOPIC`].
#[derive(Default)]
pub(crate) struct Registry {
    by_topic: HashMap<String, Vec<Listener>>,
}

impl Registry {
    /// Adds a listener at the end of `topic`'s list; the same recipient may be added many times.
    pub(crate) fn add(&mut self, topic: &str, recipient: Recipient<DistributedEvent>, once: bool) {
        self.by_topic
            .entry(topic.to_owned())
            .or_default()
            .push(Listener { recipient, once });
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
        self.lists_for(topic).map(Vec::len).sum()
    }

    /// Sends `event` to every listener of its topic and of `*`, drops `once` listeners after
    /// their delivery and listeners whose actor is gone. Returns the number of deliveries.
    pub(crate) fn dispatch(&mut self, event: &DistributedEvent) -> u64 {
        let mut delivered = self.dispatch_to(event.topic(), event);
        if event.topic() != ANY_TOPIC {
            delivered += self.dispatch_to(ANY_TOPIC, event);
        }
        delivered
    }

    fn dispatch_to(&mut self, key: &str, event: &DistributedEvent) -> u64 {
        let Some(listeners) = self.by_topic.get_mut(key) else {
            return 0;
        };
        let mut delivered = 0;
        listeners.retain(|listener| {
            if !listener.recipient.connected() {
                return false;
            }
            listener.recipient.do_send(event.clone());
            delivered += 1;
            !listener.once
        });
        if listeners.is_empty() {
            self.by_topic.remove(key);
        }
        delivered
    }

    fn lists_for<'a>(&'a self, topic: &'a str) -> impl Iterator<Item = &'a Vec<Listener>> + 'a {
        let any = (topic != ANY_TOPIC)
            .then(|| self.by_topic.get(ANY_TOPIC))
            .flatten();
        self.by_topic.get(topic).into_iter().chain(any)
    }
}
