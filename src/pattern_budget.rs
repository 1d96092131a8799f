//! The budget of this node's own interest, held by its listeners.
//!
//! Owns: the patterns this node's listeners listen to, counted, and their size against the
//! budget of a node's interest ([`InterestSize::excess`]): one count shared by the node's handles,
//! which hold a pattern before they answer `Ok` (so a listener past the budget is refused to its
//! caller, not dropped behind its back), and its actor, whose listeners keep their holds until
//! they are removed. It must not know listeners, recipients or the network: a hold is released
//! when it is dropped, wherever that happens.

use crate::error::{Error, Result};
use crate::topic::{is_reserved, InterestSize};
use foldhash::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The patterns held, with how many holds each has, and their size.
#[derive(Debug, Default)]
struct Held {
    /// Per pattern, the listeners (and listeners on their way to the actor) that hold it.
    holds: HashMap<String, usize>,
    /// The size of the patterns in `holds`: what this node announces.
    size: InterestSize,
}

/// The patterns this node's listeners hold, within the budget of a node's interest. Clones
/// share one count.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatternBudget(
    /// The holds and their size behind one lock, shared by every clone: the handles and the
    /// actor count against the same budget.
    Arc<Mutex<Held>>,
);

impl PatternBudget {
    /// Holds `pattern` for one listener, until the hold is dropped. A pattern held already, or
    /// a reserved `$` topic (never announced), always fits; a new pattern that would take this
    /// node's interest past its budget is refused ([`Error::InvalidTopic`], with the reason).
    pub(crate) fn hold(&self, pattern: &str) -> Result<PatternHold> {
        if is_reserved(pattern) {
            return Ok(PatternHold { budget: self.clone(), pattern: None });
        }
        let mut held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if !held.holds.contains_key(pattern) {
            let mut size = held.size;
            size.add(pattern);
            if let Some(reason) = size.excess() {
                return Err(Error::InvalidTopic { topic: pattern.to_owned(), reason });
            }
            held.size = size;
        }
        *held.holds.entry(pattern.to_owned()).or_default() += 1;
        Ok(PatternHold { budget: self.clone(), pattern: Some(pattern.to_owned()) })
    }

    fn release(&self, pattern: &str) {
        let mut held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(holds) = held.holds.get_mut(pattern) else { return };
        *holds -= 1;
        if *holds == 0 {
            held.holds.remove(pattern);
            held.size.take_away(pattern);
        }
    }
}

/// One listener's place in the budget: its pattern stays counted until this is dropped.
#[derive(Debug)]
pub(crate) struct PatternHold {
    /// The budget it was taken from, to which its drop gives the pattern back.
    budget: PatternBudget,
    /// `None` for a reserved topic, which the budget does not count.
    pattern: Option<String>,
}

impl Drop for PatternHold {
    fn drop(&mut self) {
        if let Some(pattern) = &self.pattern {
            self.budget.release(pattern);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topic::MAX_PATTERNS;

    #[test]
    fn new_patterns_past_the_budget_are_refused_until_a_hold_is_dropped() {
        let budget = PatternBudget::default();
        let mut holds: Vec<PatternHold> =
            (0..MAX_PATTERNS).map(|i| budget.hold(&format!("p{i}")).expect("within")).collect();
        let refused = budget.hold("one.more").map(drop);
        assert!(
            matches!(&refused, Err(Error::InvalidTopic { reason, .. }) if reason.starts_with("more patterns")),
            "{refused:?}"
        );
        let again = budget.hold("p0").expect("a pattern held already fits");
        let notice = budget.hold("$peer.joined").expect("a reserved topic is not counted");
        holds.swap_remove(0);
        assert!(budget.hold("one.more").is_err(), "p0 is still held once");
        drop(again);
        let room = budget.hold("one.more").expect("p0 no longer held");
        drop((room, notice, holds));
        let held = budget.0.lock().unwrap();
        assert!(held.holds.is_empty() && held.size == InterestSize::default(), "{held:?}");
    }
}
