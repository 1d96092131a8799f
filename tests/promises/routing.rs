//! Interest-based routing with real processes: events go only where someone listens, listeners
//! added or removed at run time change the flow within a round trip, and routing survives the
//! loss of the hub without dropping anything on stale knowledge.

use crate::common;

use common::{free_address, wait_listeners, wait_until, Process};
use serde_json::Value;
use std::collections::HashSet;

/// The latest `.stats` answer of a repl.
fn stats(node: &mut Process) -> Value {
    let before = node.stdout().len();
    node.send(".stats");
    wait_until("a stats answer", || {
        node.stdout()[before..]
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find_map(|v| v.get("stats").cloned())
    })
}

#[test]
fn disjoint_interests_receive_only_their_topics_and_unwanted_events_stay_home() {
    const K: usize = 50;
    let address = free_address();
    let mut hub =
        Process::start("hub", &["hub", "--addr", &address, "--every", "0.1", "--liveness", "0.2"]);
    hub.wait_stderr("as Hub");
    let mut nodes: Vec<Process> =
        ["a", "b", "c"].iter().map(|n| Process::repl(n, &address, &[&format!("{n}.*")])).collect();
    for node in nodes.iter_mut() {
        for topic in ["a.x", "b.x", "c.x"] {
            wait_listeners(node, topic, 1);
        }
        // The hub, which listens to nothing, says so one liveness beat after it started: until
        // then others send it everything. Probe until an event nobody wants stays home.
        wait_until(&format!("{} to know that nobody listens to z", node.name), || {
            let before = stats(node)["suppressed"].as_u64()?;
            node.send("z.probe 0");
            (stats(node)["suppressed"].as_u64()? > before).then_some(())
        });
    }
    let suppressed_before: Vec<u64> =
        nodes.iter_mut().map(|n| stats(n)["suppressed"].as_u64().unwrap()).collect();
    for node in nodes.iter_mut() {
        for k in 0..K {
            for topic in ["a.x", "b.x", "c.x", "z.x"] {
                node.send(&format!("{topic} {{\"k\":{k}}}"));
            }
        }
        node.send(".flush");
    }
    for ((node, mine), before) in nodes.iter_mut().zip(["a.x", "b.x", "c.x"]).zip(suppressed_before)
    {
        let events = node.wait_events(mine, 3 * K);
        let ids: HashSet<(String, u64)> =
            events.iter().map(|e| (e["node"].to_string(), e["seq"].as_u64().unwrap())).collect();
        assert_eq!(ids.len(), 3 * K, "{}: every event once", node.name);
        let topics: HashSet<String> = node
            .stdout()
            .iter()
            .filter_map(|l| {
                serde_json::from_str::<Value>(l).ok()?.get("topic")?.as_str().map(str::to_owned)
            })
            .collect();
        assert_eq!(topics, HashSet::from([mine.to_owned()]), "{}: only its own topics", node.name);
        // Its own topic and z.x: nobody else listens, so they never left the node.
        let stats = stats(node);
        let suppressed = stats["suppressed"].as_u64().unwrap() - before;
        assert_eq!(suppressed, 2 * K as u64, "{}", node.name);
        // Over its own connection, the hub sent it only what it listens to: the other two
        // nodes' events on its topic (its own reach it by local echo).
        assert_eq!(
            stats["events_received"],
            2 * K as u64,
            "{}: nothing it does not want",
            node.name
        );
    }

    // A listener added at run time: the flow starts once its announcement went round.
    nodes[2].send(".on z.*");
    wait_listeners(&mut nodes[0], "z.x", 1);
    nodes[0].send("z.x {\"now\":\"wanted\"}");
    assert_eq!(nodes[2].wait_events("z.x", 1)[0]["data"]["now"], "wanted");
    // And removed: it stops.
    nodes[2].send(".off z.*");
    wait_listeners(&mut nodes[0], "z.x", 0);
    nodes[0].send("z.x {\"now\":\"unwanted\"}");
    nodes[0].send("c.x {\"marker\":true}");
    nodes[2].wait_events("c.x", 3 * K + 1);
    assert_eq!(nodes[2].events("z.x").len(), 1, "nothing after the listener was removed");
    assert!(hub.is_running());
}

#[test]
fn routing_survives_the_loss_of_the_hub_without_dropping_on_stale_knowledge() {
    const N: usize = 40;
    let address = free_address();
    let mut hub = Process::repl("hub", &address, &[]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    let mut a = Process::repl("a", &address, &["a.*"]);
    let mut b = Process::repl("b", &address, &["b.*"]);
    wait_listeners(&mut a, "b.x", 1);
    wait_listeners(&mut b, "a.x", 1);

    hub.kill();
    // Emitted while the survivors elect a new hub: held, then sent where they are wanted.
    for k in 0..N {
        a.send(&format!("b.x {{\"k\":{k}}}"));
        b.send(&format!("a.x {{\"k\":{k}}}"));
    }
    a.send(".flush");
    b.send(".flush");
    for (node, topic) in [(&b, "b.x"), (&a, "a.x")] {
        let events = node.wait_events(topic, N);
        let ks: Vec<u64> = events.iter().map(|e| e["data"]["k"].as_u64().unwrap()).collect();
        assert_eq!(
            ks,
            (0..N as u64).collect::<Vec<_>>(),
            "{}: every event, once, in order",
            node.name
        );
    }
}
