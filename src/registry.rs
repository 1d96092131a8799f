//! Which local recipients listen to which topic patterns, and handing an event to them.
//!
//! Owns: the listener table with Node's EventEmitter semantics (duplicates allowed, `once`,
//! `many`, remove one instance, remove all), topic-pattern matching for dispatch (a trie, with a
//! bounded cache of the topics in use), the fan-out of one event to its listeners with backpressure (a
//! recipient whose mailbox is full is not skipped but handed back as [`Blocked`], for the
//! emitter to wait on), and the summary of patterns announced to the cluster. It must not touch
//! the network.

use crate::event::DistributedEvent;
use crate::messages::ListenerId;
use crate::pattern_budget::PatternHold;
use crate::topic::{is_reserved, LAGGED};
use crate::topic_cache::TopicCache;
use crate::trie::Trie;
use actix::dev::SendError;
use actix::Recipient;
use foldhash::{HashMap, HashSet};

/// Topics whose matching patterns are cached, at most.
const CACHED_TOPICS: usize = 4096;

struct Registered {
    /// Its [`ListenerId`]: what removes exactly this listener.
    id: ListenerId,
    /// The mailbox its events go to. `remove` (Node's `removeListener`) finds a listener by it, and
    /// a `$lagged` notice goes once to each distinct one.
    recipient: Recipient<DistributedEvent>,
    /// Events left before it is removed (`once` is 1, `many(n)` is n); `None`: forever.
    remaining: Option<u32>,
    /// Its pattern's place in the node's interest budget, given back when it is removed,
    /// however that happens.
    _hold: PatternHold,
}

/// The listeners of one pattern, and the events it matched.
#[derive(Default)]
struct PatternListeners {
    /// Its listeners, oldest first: the order events reach them in.
    listeners: Vec<Registered>,
    /// Events dispatched here that the pattern matched (once per event, however many
    /// listeners): what monitoring shows as the pattern's rate. It starts again at 0 if the
    /// pattern's last listener goes and a new one comes.
    events: u64,
}

/// Deliveries that found a full mailbox, in order. Once a recipient is blocked, its later events
/// queue behind it here too, so it receives them in order.
#[derive(Default)]
pub(crate) struct Blocked {
    /// The recipients found with a full mailbox: every later delivery to one of them queues in
    /// `deliveries` too, behind the first, so none overtakes it with a `try_send` that happens to
    /// find room.
    recipients: HashSet<Recipient<DistributedEvent>>,
    /// What is still to be sent, in order, each with its recipient: the emitter hands them to a
    /// task of their own, which waits for room in each mailbox in turn.
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
        // The common case, nobody blocked, costs no hashing.
        if self.recipients.is_empty() || !self.recipients.contains(recipient) {
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

/// Listeners by pattern.
pub(crate) struct Registry {
    /// Each pattern listened to, exactly as added, with its listeners oldest first: the order
    /// events reach them in. A pattern whose last listener goes is removed, here and from the trie,
    /// so the keys are exactly the patterns listened to.
    by_pattern: HashMap<String, PatternListeners>,
    /// The keys of `by_pattern`, each stored under itself: finds the patterns a topic matches,
    /// which are then looked up in `by_pattern`.
    trie: Trie<String>,
    /// The patterns each recent topic matches.
    matches: TopicCache<Vec<String>>,
    /// Bumped by every change of the table, listeners that ran out or went away included: the
    /// emitter compares it with the version it last told the core, so the announced patterns are
    /// handed over again only when they may have changed.
    version: u64,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            by_pattern: HashMap::default(),
            trie: Trie::default(),
            matches: TopicCache::new(CACHED_TOPICS),
            version: 0,
        }
    }
}

impl Registry {
    /// Adds listener `id` at the end of `pattern`'s list; the same recipient may be added many
    /// times. `remaining`: events before it is removed by itself. `hold`: its pattern's place in
    /// the node's interest budget, kept while it listens.
    pub(crate) fn add(
        &mut self,
        pattern: &str,
        id: ListenerId,
        recipient: Recipient<DistributedEvent>,
        remaining: Option<u32>,
        hold: PatternHold,
    ) {
        if remaining == Some(0) {
            return;
        }
        self.by_pattern.entry(pattern.to_owned()).or_default().listeners.push(Registered {
            id,
            recipient,
            remaining,
            _hold: hold,
        });
        if self.trie.insert(pattern, pattern.to_owned()) {
            self.matches.clear();
        }
        self.version += 1;
    }

    /// Removes the most recently added instance of `recipient` on `pattern`. Returns whether
    /// one was found.
    pub(crate) fn remove(
        &mut self,
        pattern: &str,
        recipient: &Recipient<DistributedEvent>,
    ) -> bool {
        let Some(PatternListeners { listeners, .. }) = self.by_pattern.get_mut(pattern) else {
            return false;
        };
        let Some(index) = listeners.iter().rposition(|l| &l.recipient == recipient) else {
            return false;
        };
        listeners.remove(index);
        self.forget_if_empty(pattern);
        self.version += 1;
        true
    }

    /// Removes listener `id`, wherever it listens. Returns whether it was still there.
    pub(crate) fn remove_id(&mut self, id: ListenerId) -> bool {
        let found = self.by_pattern.iter_mut().find_map(|(pattern, of_pattern)| {
            let index = of_pattern.listeners.iter().position(|l| l.id == id)?;
            of_pattern.listeners.remove(index);
            Some(pattern.clone())
        });
        let Some(pattern) = found else { return false };
        self.forget_if_empty(&pattern);
        self.version += 1;
        true
    }

    /// Removes every listener of `pattern`, or every listener at all.
    pub(crate) fn remove_all(&mut self, pattern: Option<&str>) {
        match pattern {
            Some(pattern) => {
                if let Some(of_pattern) = self.by_pattern.get_mut(pattern) {
                    of_pattern.listeners.clear();
                    self.forget_if_empty(pattern);
                }
            }
            None => {
                self.by_pattern.clear();
                self.trie = Trie::default();
                self.matches.clear();
            }
        }
        self.version += 1;
    }

    fn forget_if_empty(&mut self, pattern: &str) {
        if self.by_pattern.get(pattern).is_some_and(|of_pattern| of_pattern.listeners.is_empty()) {
            self.by_pattern.remove(pattern);
            self.trie.remove(pattern, &pattern.to_owned());
            self.matches.clear();
        }
    }

    /// Number of listeners that an event on `topic` would reach.
    pub(crate) fn listener_count(&mut self, topic: &str) -> usize {
        let patterns = Self::matching(&mut self.matches, &self.trie, topic);
        patterns.iter().filter_map(|p| self.by_pattern.get(p)).map(|of| of.listeners.len()).sum()
    }

    /// Whether no listener listens to anything here.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_pattern.is_empty()
    }

    /// Every pattern listened to here, with its number of listeners.
    pub(crate) fn patterns(&self) -> Vec<(String, u32)> {
        let mut patterns: Vec<(String, u32)> =
            self.by_pattern.iter().map(|(p, of)| (p.clone(), of.listeners.len() as u32)).collect();
        patterns.sort();
        patterns
    }

    /// Every pattern listened to here, with its number of listeners and the events it matched
    /// since its first listener came (see [`PatternListeners::events`]), sorted by pattern.
    #[cfg(feature = "observe")]
    pub(crate) fn activity(&self) -> Vec<(String, u32, u64)> {
        let mut activity: Vec<(String, u32, u64)> = self
            .by_pattern
            .iter()
            .map(|(p, of)| (p.clone(), of.listeners.len() as u32, of.events))
            .collect();
        activity.sort();
        activity
    }

    /// The patterns other nodes must know of: all but the reserved local notices.
    pub(crate) fn announced_patterns(&self) -> Vec<(String, u32)> {
        self.patterns().into_iter().filter(|(p, _)| !is_reserved(p)).collect()
    }

    /// Bumped by every change of the table.
    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// The patterns `topic` matches, from the cache or the trie.
    fn matching<'a>(
        matches: &'a mut TopicCache<Vec<String>>,
        trie: &Trie<String>,
        topic: &str,
    ) -> &'a [String] {
        matches.get_or_insert_with(topic, || {
            let mut patterns = Vec::new();
            trie.for_each_match(topic, |p| patterns.push(p.clone()));
            patterns
        })
    }

    /// Hands `event` to every listener of a pattern matching its topic; drops listeners whose
    /// count ran out or whose actor is gone. Returns the number of deliveries.
    /// A `$lagged` notice goes to every listener of the node.
    pub(crate) fn dispatch(&mut self, event: &DistributedEvent, blocked: &mut Blocked) -> u64 {
        let topic = event.topic();
        if topic == LAGGED {
            return self.notify_all(event, blocked);
        }
        let mut delivered = 0;
        let mut emptied = Vec::new();
        let mut changed = false;
        for pattern in Self::matching(&mut self.matches, &self.trie, topic) {
            let Some(PatternListeners { listeners, events }) = self.by_pattern.get_mut(pattern)
            else {
                continue;
            };
            *events += 1;
            let before = listeners.len();
            listeners.retain_mut(|listener| {
                if !blocked.deliver(&listener.recipient, event) {
                    return false;
                }
                delivered += 1;
                match &mut listener.remaining {
                    Some(left) => {
                        *left -= 1;
                        *left > 0
                    }
                    None => true,
                }
            });
            changed |= listeners.len() != before;
            if listeners.is_empty() {
                emptied.push(pattern.clone());
            }
        }
        for pattern in emptied {
            self.forget_if_empty(&pattern);
        }
        if changed {
            self.version += 1;
        }
        delivered
    }

    /// Hands `event` once to every distinct recipient of any pattern (a notice for all listeners).
    /// It counts as matched by its own topic's pattern, if one is listened to.
    fn notify_all(&mut self, event: &DistributedEvent, blocked: &mut Blocked) -> u64 {
        if let Some(of_topic) = self.by_pattern.get_mut(event.topic()) {
            of_topic.events += 1;
        }
        let mut seen = HashSet::default();
        let recipients: Vec<_> = self
            .by_pattern
            .values()
            .flat_map(|of_pattern| &of_pattern.listeners)
            .filter(|l| seen.insert(l.recipient.clone()))
            .map(|l| l.recipient.clone())
            .collect();
        recipients.iter().filter(|r| blocked.deliver(r, event)).count() as u64
    }
}
