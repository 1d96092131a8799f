//! The delivery promise, checked on what a simulated run's listeners saw.
//!
//! Owns: the rules, as the README states them. Every event emitted with `Ok` by a node that
//! stayed alive reaches every matching listener of every node that stayed alive exactly once and
//! in its sender's order; a node that was cut off (by a partition, or linked to a hub that
//! came back stale from a freeze or a partition), frozen, made slow or lost its socket may
//! instead be told through `$lagged` exactly which events it missed, and a node that suffered
//! none of these may not (a partition cuts both ways: the others may miss the events of a node
//! that was partitioned); `flush` resolves only when every member that suffered none of these
//! holds what it covers; after the quiet period every node is linked and every flush of a live
//! node resolved. An event a listener took in a node's name is one that node emitted, on the
//! topic it emitted it on (not one forged in its name). The ids adversaries made up are not the
//! workload's: what listeners took of them, or were told they lost, is not judged. It must not
//! drive the run.

use super::world::World;
use crate::hashing::{Map, Set};

/// Checks a finished run; returns what was broken.
pub(super) fn check(world: &World) -> Result<(), String> {
    if let Some(broken) = &world.broken {
        return Err(broken.clone());
    }
    for (r, receiver) in world.nodes.iter().enumerate().filter(|(_, n)| n.alive) {
        if !matches!(receiver.state, Some(crate::LinkState::Up(..))) {
            return Err(format!(
                "node {r} is not linked after the quiet period: {:?}",
                receiver.state
            ));
        }
        if let Some(ticket) = receiver.flushes.keys().min() {
            return Err(format!("node {r}'s flush {ticket} did not resolve in the quiet period"));
        }
        let partitioned = |id: u64| world.nodes.iter().any(|n| n.id == id && n.partitioned);
        let excused = |id: u64| partitioned(id) || world.adversaries.ids.contains(&id);
        if let Some(lagged) = receiver.lagged.iter().find(|(from, _, _)| !excused(*from)) {
            if !receiver.faulted {
                return Err(format!(
                    "node {r} suffered no fault but was told it lost events: {lagged:?}"
                ));
            }
        }
    }
    for (r, receiver) in world.nodes.iter().enumerate() {
        if !receiver.alive || receiver.replacement {
            continue;
        }
        for (s, sender) in world.nodes.iter().enumerate().filter(|(_, n)| n.alive) {
            let mut got = receiver.received.iter().filter(|(from, _, _)| *from == sender.id);
            let mut last = 0;
            let mut seen = Set::default();
            let emitted: Map<u64, &str> =
                sender.emitted.iter().map(|(seq, topic)| (*seq, topic.as_str())).collect();
            for (_, seq, topic) in got.by_ref() {
                if *seq <= last {
                    return Err(format!(
                        "node {r} received event {seq} of node {s} after event {last}: duplicate or out of order"
                    ));
                }
                last = *seq;
                seen.insert(*seq);
                match emitted.get(seq) {
                    None => {
                        return Err(format!(
                            "node {r} received event {seq} that node {s} never emitted"
                        ))
                    }
                    Some(emitted) if emitted != topic => {
                        return Err(format!(
                            "node {r} received event {seq} of node {s} on {topic}, but node {s} emitted it on {emitted}: forged"
                        ))
                    }
                    Some(_) => {}
                }
            }
            for (seq, topic) in &sender.emitted {
                let wanted = receiver.patterns.iter().any(|p| crate::topic::matches(p, topic));
                if !wanted || seen.contains(seq) {
                    continue;
                }
                let told = receiver.lagged.iter().any(|(from, first, last)| {
                    *from == sender.id && (*first..=*last).contains(seq)
                });
                if !told {
                    return Err(format!(
                        "node {r} never received event {seq} ({topic}) of node {s}, and was not told it was lost"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A flush of `node` resolved, covering its events up to `last`: every member that suffered no
/// fault and was there from the start holds each of them that it listens to.
pub(super) fn flush_holds(world: &World, node: usize, last: u64) -> Option<String> {
    let sender = &world.nodes[node];
    if sender.partitioned {
        return None;
    }
    for (r, receiver) in world.nodes.iter().enumerate() {
        if !receiver.alive || receiver.faulted || receiver.replacement {
            continue;
        }
        for (seq, topic) in sender.emitted.iter().filter(|(seq, _)| *seq <= last) {
            let wanted = receiver.patterns.iter().any(|p| crate::topic::matches(p, topic));
            let held = receiver.holds.contains(&(sender.id, *seq));
            if wanted && !held {
                return Some(format!(
                    "node {node}'s flush resolved at {:?} while node {r} did not hold its event {seq} ({topic})",
                    world.now
                ));
            }
        }
    }
    None
}
