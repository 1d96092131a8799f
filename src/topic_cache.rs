//! A bounded cache from topics to what they matched, that keeps the topics in use.
//!
//! Owns: [`TopicCache`], at most a fixed number of (topic, value) entries with second-chance
//! (CLOCK) eviction: a topic looked up since the hand last passed it survives one more turn, so
//! a steady working set stays cached while a stream of one-off topics only recycles the slots
//! of other one-off topics. Nothing is ever cleared wholesale because the cache is full. It must
//! not know what the values mean (the registry computes and invalidates them).

use foldhash::HashMap;

struct Slot<V> {
    /// The topic this slot holds, kept so that evicting the slot can remove it from `index`.
    topic: Box<str>,
    /// What `compute` gave for the topic: returned by every lookup until the slot is evicted or the
    /// cache cleared.
    value: V,
    /// Looked up since the hand last passed this slot.
    referenced: bool,
}

/// Values by topic, at most `capacity` of them.
pub(crate) struct TopicCache<V> {
    /// The entries, in no order but the hand's: pushed until there are `capacity` of them, then
    /// each miss overwrites a victim in place.
    slots: Vec<Slot<V>>,
    /// Each cached topic's place in `slots`, for lookups; kept in step with every insertion and
    /// eviction.
    index: HashMap<Box<str>, usize>,
    /// The next slot the hand looks at for a victim.
    hand: usize,
    /// The most slots there may be (at least one): past it, a miss evicts instead of growing the
    /// cache.
    capacity: usize,
}

impl<V> TopicCache<V> {
    /// An empty cache of at most `capacity` topics (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        TopicCache {
            slots: Vec::new(),
            index: HashMap::default(),
            hand: 0,
            capacity: capacity.max(1),
        }
    }

    /// The value of `topic`, computed by `compute` and cached if it was not there.
    pub(crate) fn get_or_insert_with(&mut self, topic: &str, compute: impl FnOnce() -> V) -> &V {
        if let Some(&at) = self.index.get(topic) {
            let slot = &mut self.slots[at];
            slot.referenced = true;
            return &slot.value;
        }
        let slot = Slot { topic: topic.into(), value: compute(), referenced: false };
        let at = if self.slots.len() < self.capacity {
            self.slots.push(slot);
            self.slots.len() - 1
        } else {
            let at = self.victim();
            let old = std::mem::replace(&mut self.slots[at], slot);
            self.index.remove(&old.topic);
            at
        };
        self.index.insert(topic.into(), at);
        &self.slots[at].value
    }

    /// The first slot from the hand on not looked up since the hand last passed; the hand
    /// clears the marks it passes, so it finds one within one turn.
    fn victim(&mut self) -> usize {
        loop {
            let at = self.hand;
            self.hand = (self.hand + 1) % self.slots.len();
            let slot = &mut self.slots[at];
            if !std::mem::take(&mut slot.referenced) {
                return at;
            }
        }
    }

    /// Forgets every entry (what they were computed from changed).
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.index.clear();
        self.hand = 0;
    }

    /// Topics cached now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_returns_the_cached_value_without_computing() {
        let mut cache = TopicCache::new(4);
        assert_eq!(*cache.get_or_insert_with("a", || 1), 1);
        assert_eq!(*cache.get_or_insert_with("a", || panic!("cached")), 1);
    }

    #[test]
    fn a_full_cache_evicts_one_topic_not_used_since_the_hand_passed_and_keeps_the_rest() {
        let mut cache = TopicCache::new(3);
        for (topic, value) in [("hot", 0), ("b", 1), ("c", 2)] {
            cache.get_or_insert_with(topic, || value);
        }
        // "hot" is in use; a stream of one-off topics must not push it out.
        for k in 0..100 {
            cache.get_or_insert_with("hot", || panic!("evicted"));
            cache.get_or_insert_with(&format!("once-{k}"), || 9);
            assert_eq!(cache.len(), 3, "never cleared wholesale");
        }
        assert_eq!(*cache.get_or_insert_with("hot", || panic!("evicted")), 0);
    }

    #[test]
    fn clear_forgets_everything() {
        let mut cache = TopicCache::new(2);
        cache.get_or_insert_with("a", || 1);
        cache.clear();
        assert_eq!(*cache.get_or_insert_with("a", || 2), 2);
    }
}
