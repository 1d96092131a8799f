//! Real processes on loopback: a hub and clients exchanging events, the hub killed with SIGKILL,
//! a hostile peer sending malformed frames, and the CLI's contract.

use crate::common;

use common::{free_address, wait_listeners, wait_until, Process};
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// (node, seq) of every event: the identity receivers use to count each event once.
fn identities(events: &[Value]) -> Vec<(String, u64)> {
    events
        .iter()
        .map(|e| (e["node"].as_str().unwrap().to_owned(), e["seq"].as_u64().unwrap()))
        .collect()
}

#[test]
fn a_hub_and_three_clients_each_receive_every_other_nodes_events_exactly_once() {
    const PER_NODE: usize = 300;
    let address = free_address();
    let mut nodes: Vec<Process> =
        (0..4).map(|i| Process::repl(&format!("n{i}"), &address, &["t"])).collect();
    assert!(nodes[0].wait_stderr("connected").contains("as Hub"));
    for node in &nodes[1..] {
        assert!(node.wait_stderr("connected").contains("as Client"));
    }
    for node in nodes.iter_mut() {
        wait_listeners(node, "t", 4);
    }
    for (i, node) in nodes.iter_mut().enumerate() {
        for k in 0..PER_NODE {
            node.send(&format!("t {{\"from\":{i},\"k\":{k}}}"));
        }
        node.send(".flush");
    }
    for (i, node) in nodes.iter().enumerate() {
        let events = node.wait_events("t", 4 * PER_NODE);
        let ids = identities(&events);
        let unique: HashSet<_> = ids.iter().cloned().collect();
        assert_eq!(unique.len(), ids.len(), "{}: no event twice", node.name);
        for from in 0..4 {
            let from_node = events.iter().filter(|e| e["data"]["from"] == from).count();
            assert_eq!(
                from_node, PER_NODE,
                "node {i} got every event of node {from} (its own by local echo)"
            );
        }
    }
    // Each node's own `.stats` reply comes after everything it printed before: no extra events.
    for node in &mut nodes {
        node.send(".stats");
    }
    for node in &nodes {
        let stats =
            wait_until("stats", || node.stdout().iter().find(|l| l.contains("\"stats\"")).cloned());
        let stats: Value = serde_json::from_str(&stats).unwrap();
        assert_eq!(stats["stats"]["gaps"], 0, "{}", node.name);
        assert_eq!(node.events("t").len(), 4 * PER_NODE, "{}", node.name);
    }
}

#[test]
fn killing_the_hub_makes_a_survivor_the_hub_and_events_flow_again() {
    let address = free_address();
    let mut hub = Process::repl("hub", &address, &["t"]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    let mut a = Process::repl("a", &address, &["t"]);
    let mut b = Process::repl("b", &address, &["t"]);

    let killed = Instant::now();
    hub.kill();
    let new_hub = wait_until("a survivor to become the hub", || {
        [&a, &b]
            .into_iter()
            .find(|n| n.stderr().iter().any(|l| l.contains("role Hub")))
            .map(|n| n.name.clone())
    });
    let elected = killed.elapsed();

    // Events emitted while a node is still electing may be lost (the hub had them, or nobody
    // did): ping until each side sees the other, then count nothing else.
    let mut ping = 0;
    wait_until("events to flow from a to b and from b to a", || {
        ping += 1;
        a.send(&format!("t {{\"from\":\"a\",\"ping\":{ping}}}"));
        b.send(&format!("t {{\"from\":\"b\",\"ping\":{ping}}}"));
        let a_saw_b = a.events("t").iter().any(|e| e["data"]["from"] == "b");
        let b_saw_a = b.events("t").iter().any(|e| e["data"]["from"] == "a");
        std::thread::sleep(Duration::from_millis(20));
        (a_saw_b && b_saw_a).then_some(())
    });
    eprintln!(
        "failover: {new_hub} became the hub {:?} after the kill; events flowed both ways after {:?}",
        elected,
        killed.elapsed()
    );
    assert!(a.is_running() && b.is_running());
}

/// An events frame of format version `version` with one JSON event, built by the library's
/// encoder and then given another version byte.
fn frame(version: u8, topic: &str, payload: &[u8]) -> Vec<u8> {
    let mut batch = nanomitter_protocol::wire::EventsBatch::new(7, "evil", payload.len());
    batch.push(1, nanomitter::Codec::Json, topic, payload).unwrap();
    let mut bytes = batch.finish(1, 1);
    bytes[4] = version;
    bytes
}

fn latest_stats(hub: &Process) -> Option<Value> {
    let line = hub.stdout().into_iter().rev().find(|l| l.contains("\"stats\""))?;
    serde_json::from_str::<Value>(&line).ok().map(|v| v["stats"].clone())
}

#[test]
fn malformed_frames_are_counted_and_dropped_and_nothing_crashes() {
    let address = free_address();
    let mut hub = Process::start(
        "hub",
        &["hub", "--addr", &address, "--every", "0.05", "--max-frame-size", "65536"],
    );
    hub.wait_stderr("as Hub");
    let mut a = Process::repl("a", &address, &["t"]);
    let b = Process::repl("b", &address, &["t"]);

    // A peer that speaks the framing (a length, then the frame) but sends what is not a frame,
    // and reads what it is sent until the hub closes the connection.
    let mut hostile =
        std::net::TcpStream::connect(address.strip_prefix("tcp://").unwrap()).unwrap();
    let (closed_tx, closed) = std::sync::mpsc::channel();
    let mut reader = hostile.try_clone().unwrap();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
        let _ = closed_tx.send(());
    });
    let mut send = |bytes: &[u8]| {
        use std::io::Write;
        hostile.write_all(&(bytes.len() as u32).to_le_bytes()).unwrap();
        hostile.write_all(bytes).unwrap();
    };
    let good = frame(nanomitter_protocol::wire::VERSION, "t", b"\"from the hostile peer\"");
    let malformed: Vec<Vec<u8>> = vec![
        b"garbage, not a frame".to_vec(),
        good[..good.len() - 3].to_vec(),
        frame(9, "t", b"1"),
        frame(nanomitter_protocol::wire::VERSION, "t", b"\"trailing\"")
            .into_iter()
            .chain([0, 0])
            .collect(),
    ];
    for bytes in &malformed {
        send(bytes);
    }
    let malformed_seen = wait_until("the hub to count the malformed frames", || {
        latest_stats(&hub).filter(|s| s["malformed"] == 4)
    });
    assert_eq!(malformed_seen["relayed"], 0, "malformed frames are not relayed");

    // A frame above the hub's maximum is refused before it is read: the hub closes the link.
    send(&vec![0u8; 70_000]);
    closed
        .recv_timeout(common::DEADLINE)
        .expect("the hub closes the link of a peer that sends an oversized frame");

    a.send("t {\"still\":\"flowing\"}");
    a.send(".flush");
    let events = b.wait_events("t", 1);
    assert_eq!(events[0]["data"]["still"], "flowing");
    assert!(hub.is_running() && a.is_running(), "nobody crashed");
}

#[test]
fn emit_delivers_before_it_exits_and_listen_stops_after_count() {
    let address = free_address();
    let mut listener =
        Process::start("listen", &["listen", "--addr", &address, "--count", "3", "greeting"]);
    listener.wait_stderr("as Hub");
    let mut emitter = Process::start(
        "emit",
        &["emit", "--addr", &address, "--repeat", "3", "greeting", "{\"hello\":\"world\"}"],
    );
    assert_eq!(emitter.wait_exit(), 0, "{:?}", emitter.stderr());
    assert_eq!(listener.wait_exit(), 0, "{:?}", listener.stderr());
    let events = listener.events("greeting");
    assert_eq!(events.len(), 3);
    for (event, seq) in events.iter().zip(1..) {
        assert_eq!(event["data"]["hello"], "world");
        assert_eq!(event["service"], "cli");
        assert_eq!(event["seq"], seq);
    }
}

/// Usage errors exit 1 like every other failure, with clap's message; help and version exit 0.
#[test]
fn usage_errors_exit_1_and_help_and_version_exit_0() {
    let usage_errors: [&[&str]; 3] = [
        &["emit", "--no-such-flag", "t", "1"],
        &["no-such-subcommand"],
        &["listen", "--connect-timeout", "soon", "t"],
    ];
    for args in usage_errors {
        let mut process = Process::start("cli-usage", args);
        assert_eq!(process.wait_exit(), 1, "{args:?}: {:?}", process.stderr());
        let stderr = process.stderr();
        assert!(stderr.iter().any(|l| l.starts_with("error:")), "{args:?}: {stderr:?}");
        assert!(stderr.iter().any(|l| l.contains("--help")), "{args:?}: {stderr:?}");
    }
    for args in [&["--help"][..], &["emit", "--help"], &["--version"]] {
        let mut process = Process::start("cli-help", args);
        assert_eq!(process.wait_exit(), 0, "{args:?}: {:?}", process.stderr());
        assert!(!process.stdout().is_empty(), "{args:?}");
    }
}

/// A one-shot `emit` with nobody at its address fails after `--connect-timeout` instead of
/// becoming the hub of a cluster of one and exiting 0; `--may-host` lets it become the hub.
#[test]
fn emit_with_nobody_there_fails_unless_it_may_host() {
    let address = free_address();
    let started = Instant::now();
    let mut emit = Process::start(
        "emit-alone",
        &["emit", "--addr", &address, "--connect-timeout", "1", "t", "1"],
    );
    assert_eq!(emit.wait_exit(), 1, "{:?}", emit.stderr());
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_secs(10), "{waited:?}");
    let stderr = emit.stderr();
    assert!(!stderr.iter().any(|l| l.contains("as Hub")), "{stderr:?}");
    let errors: Vec<_> = stderr.iter().filter(|l| l.starts_with("nanomitter: error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr:?}");
    assert!(errors[0].contains("no hub answered at") && errors[0].contains(&address), "{stderr:?}");

    let mut host = Process::start(
        "emit-may-host",
        &["emit", "--addr", &address, "--connect-timeout", "1", "--may-host", "t", "1"],
    );
    assert_eq!(host.wait_exit(), 0, "{:?}", host.stderr());
    assert!(host.stderr().iter().any(|l| l.contains("as Hub")), "{:?}", host.stderr());
}

#[test]
fn bad_arguments_and_unreachable_hubs_fail_with_one_line() {
    let silent_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_by_a_stranger =
        format!("tcp://127.0.0.1:{}", silent_port.local_addr().unwrap().port());
    let cases: [(&[&str], &str); 4] = [
        (&["emit", "--addr", "nonsense", "t", "1"], "invalid address"),
        (&["emit", "--addr", &free_address(), "t", "{not json"], "not JSON"),
        (
            &["listen", "--addr", &taken_by_a_stranger, "--connect-timeout", "1", "t"],
            "no hub answered",
        ),
        (
            &["emit", "--addr", "ipc:///nonexistent-dir/x.ipc", "--connect-timeout", "1", "t", "1"],
            "no hub answered",
        ),
    ];
    for (args, expected) in cases {
        let mut process = Process::start("cli", args);
        assert_eq!(process.wait_exit(), 1, "{args:?}");
        let stderr = process.stderr();
        let errors: Vec<_> =
            stderr.iter().filter(|l| l.starts_with("nanomitter: error:")).collect();
        assert_eq!(errors.len(), 1, "{args:?}: {stderr:?}");
        assert!(errors[0].contains(expected), "{args:?}: {stderr:?}");
        assert!(!stderr.iter().any(|l| l.contains("panicked")), "{args:?}: {stderr:?}");
    }
}
