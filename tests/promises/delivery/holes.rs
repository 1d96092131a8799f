//! Regression tests for the delivery holes of issue 8 that only real processes show: a frozen
//! survivor silently missing events while `emit` reports success (1), a first-time hub on a later
//! candidate that relays nothing (2), short-lived emitters stalling on a hub that waits for a
//! client that said goodbye (7), and `ipc://` links that come up and go silent (9).
//!
//! Owns: one test per scenario, each checking the README's promise from outside with `nanomitter`
//! CLI processes on loopback or a unique ipc path. Each of them failed when it was written; each
//! must pass once the protocol keeps its promise. The numbers are those of the scenarios in
//! issue 8.

use crate::common;

use common::{free_address, poll_until, wait_listeners, wait_until, Process};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Tests that load both cores, or that measure time, hold this so they do not overlap: a
/// 100,000-event run next to a time bound or a liveness check would make either fail for the
/// wrong reason.
static ALONE: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    ALONE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A `listen` node on `address` printing `topics`, without heartbeats (they would take sequence
/// numbers), connected.
fn listener(name: &str, address: &str, topics: &[&str]) -> Process {
    let mut args = vec!["listen", "--addr", address, "--service", name, "--heartbeat", "0"];
    args.extend_from_slice(topics);
    let node = Process::start(name, &args);
    node.wait_stderr("connected");
    node
}

/// What a listener printed of one sender's events on one topic, and the `$lagged` notices it got.
struct Tally {
    /// Sequence numbers of the sender's events, in the order they were printed.
    seqs: Vec<u64>,
    /// The sum of `missed` over the `$lagged` notices naming the sender.
    missed: u64,
    /// Every `$lagged` notice, whoever it names.
    notices: Vec<Value>,
}

impl Tally {
    fn of(process: &Process, topic: &str, sender: &str) -> Tally {
        let mut tally = Tally { seqs: Vec::new(), missed: 0, notices: Vec::new() };
        for line in process.stdout() {
            let Ok(event) = serde_json::from_str::<Value>(&line) else { continue };
            if event["topic"] == topic && event["node"] == sender {
                tally.seqs.push(event["seq"].as_u64().expect("a sequence number"));
            } else if event["topic"] == "$lagged" {
                if event["data"]["sender"] == sender {
                    tally.missed += event["data"]["missed"].as_u64().unwrap_or(0);
                }
                tally.notices.push(event["data"].clone());
            }
        }
        tally
    }

    fn distinct(&self) -> u64 {
        let mut seqs = self.seqs.clone();
        seqs.sort_unstable();
        seqs.dedup();
        seqs.len() as u64
    }

    /// The first place where the sequence numbers do not strictly ascend (a duplicate or an
    /// event out of its sender's order).
    fn disorder(&self) -> Option<(u64, u64)> {
        self.seqs.windows(2).find(|w| w[0] >= w[1]).map(|w| (w[0], w[1]))
    }
}

/// Scenario 1, made deterministic by freezing processes (SIGSTOP/SIGCONT: what a GC pause or a
/// stolen VM does to a live node): hub H0, next hub H1, survivors C2 and C3 listening to
/// `chaos.t` and `$lagged`, and an emitter E sending 100,000 events. Once the first events reach
/// a survivor, C2, C3 and E are frozen (SIGSTOP) and H0 is killed; a second later E resumes and
/// H1 is killed; three seconds later the survivors resume. Nobody but the hubs died: C2, C3 and E
/// are members the whole time.
///
/// Promise checked, for each survivor: every one of E's events is delivered once and in E's
/// order, or its listeners are told by `$lagged` exactly how many they missed — the events
/// received plus the `missed` of the notices naming E make 100,000, with no sequence number twice
/// or out of order. `emit` returning (its exit code is in the message) claims every member holds
/// the events, so there is no exception for that case. On the code this was written against
/// both survivors printed 72,312 events (the first two 1 MiB frames; in some runs one of them
/// fewer) and no notice, and `emit` exited 0.
#[test]
fn a_frozen_survivor_gets_every_event_or_an_exact_lagged_count() {
    const N: u64 = 100_000;
    let _alone = alone();
    let address = free_address();
    let mut h0 = listener("h0", &address, &["chaos.t"]);
    assert!(h0.wait_stderr("connected").contains("as Hub"), "{:?}", h0.stderr());
    let mut h1 = listener("h1", &address, &["chaos.t"]);
    let survivors = [
        listener("c2", &address, &["chaos.t", "$lagged"]),
        listener("c3", &address, &["chaos.t", "$lagged"]),
    ];
    let repeat = N.to_string();
    let emit_args = ["--service", "e", "--heartbeat", "0", "--repeat", &repeat];
    let mut emitter = Process::start(
        "e",
        &[&["emit", "--addr", &address], &emit_args[..], &["chaos.t", r#"{"k":1}"#]].concat(),
    );
    let sender = emitter.node_id();
    wait_until("the first events to reach a survivor", || {
        survivors[0].stdout().iter().any(|l| l.contains("\"chaos.t\"")).then_some(())
    });

    // The scenario: freeze the survivors and the emitter, kill the hub; after 1 s resume the
    // emitter and kill the next hub; after 3 s more resume the survivors.
    for process in [&survivors[0], &survivors[1], &emitter] {
        process.signal("STOP");
    }
    h0.kill();
    std::thread::sleep(Duration::from_secs(1));
    emitter.signal("CONT");
    h1.kill();
    std::thread::sleep(Duration::from_secs(3));
    for survivor in &survivors {
        survivor.signal("CONT");
    }
    let exit = emitter.wait_exit();

    // `emit` returned: every member holds the events. Give the survivors' output time to catch
    // up with what their node holds (the wait ends as soon as the counts add up).
    let accounted = |survivor: &Process| {
        let tally = Tally::of(survivor, "chaos.t", &sender);
        tally.distinct() + tally.missed
    };
    poll_until(Duration::from_secs(5), || {
        survivors.iter().all(|s| accounted(s) >= N).then_some(())
    });
    let mut broken = Vec::new();
    for survivor in &survivors {
        let tally = Tally::of(survivor, "chaos.t", &sender);
        let (printed, distinct) = (tally.seqs.len() as u64, tally.distinct());
        if distinct + tally.missed != N || printed != distinct || tally.disorder().is_some() {
            broken.push(format!(
                "{}: {distinct} distinct of E's {N} events ({printed} printed) + {} announced as \
                 missed = {} (out of order or twice: {:?}; $lagged notices: {:?})",
                survivor.name,
                tally.missed,
                distinct + tally.missed,
                tally.disorder(),
                tally.notices
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "E's events must reach every surviving member or be announced by $lagged; `emit` exited \
         {exit}:\n{}\nE's log:\n{}",
        broken.join("\n"),
        emitter.stderr().join("\n")
    );
}

/// Scenario 2: candidates `[A, B]` where A's port is held by a program that is not a node (a
/// `TcpListener` of this test: the kernel completes TCP connections, nobody speaks SP). A listener
/// node and an emitter node both take `--addr A,B`; the listener, started first, dials A, hears no
/// hub, and becomes the hub on B; the emitter dials B.
///
/// Promise checked: a hub relays and acknowledges events however it got elected. `emit` returns
/// (exit 0) and the listener prints every event once. On the code this was written against, the
/// hub kept the frames it received while it was still dialing A aside for good: nothing was
/// delivered and `emit` never returned.
#[test]
fn a_first_time_hub_on_a_later_candidate_relays_events() {
    const N: usize = 20;
    let stranger = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let held = format!("tcp://127.0.0.1:{}", stranger.local_addr().unwrap().port());
    let fallback = free_address();
    let candidates = format!("{held},{fallback}");
    let node_args = ["--addr", &candidates, "--election-timeout", "0.4", "--heartbeat", "0"];

    let listen_args = ["--service", "listener", "t"];
    let listener =
        Process::start("listener", &[&["listen"], &node_args[..], &listen_args].concat());
    let connected = listener.wait_stderr("connected");
    assert!(
        connected.contains(&format!("connected to {fallback} as Hub")),
        "the listener is the hub on the fallback: {connected}"
    );
    let repeat = N.to_string();
    let emit_args = ["--service", "emitter", "--repeat", &repeat, "t", r#"{"k":1}"#];
    let mut emitter = Process::start("emitter", &[&["emit"], &node_args[..], &emit_args].concat());
    let exit = emitter.wait_exit_within(Duration::from_secs(10));
    poll_until(Duration::from_secs(5), || (listener.events("t").len() >= N).then_some(()));
    let events = listener.events("t");
    let mut seqs: Vec<u64> = events.iter().filter_map(|e| e["seq"].as_u64()).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert!(
        exit == Some(0) && events.len() == N && seqs.len() == N,
        "emit {} and the hub on the fallback printed {} of {N} events ({} distinct)\n\
         emitter:\n{}\nlistener:\n{}",
        exit.map_or("did not return within 10 s".to_owned(), |code| format!("exited {code}")),
        events.len(),
        seqs.len(),
        emitter.stderr().join("\n"),
        listener.stderr().join("\n")
    );
    drop(stranger);
}

/// Scenario 7: a hub that also listens, and ten `nanomitter emit` invocations one after the
/// other, each a short-lived node that connects, emits one event, waits until every member holds
/// it, says goodbye and exits.
///
/// Promise checked: a node that said goodbye is not awaited. Each invocation returns within 1 s
/// (exit 0) and the listener gets all ten events. The time bound detects a protocol stall, not a
/// performance figure: a healthy invocation takes tens of milliseconds even in a debug build,
/// while on the code this was written against about every other one took 2.0 s — the hub held
/// the next emitter's acknowledgement for the rejoin grace (2 × `election_timeout`) of the
/// previous emitter, which had said goodbye.
#[test]
fn back_to_back_short_lived_emitters_do_not_stall() {
    const RUNS: usize = 10;
    const BOUND: Duration = Duration::from_secs(1);
    let _alone = alone();
    let address = free_address();
    let hub = listener("hub", &address, &["t"]);
    assert!(hub.wait_stderr("connected").contains("as Hub"), "{:?}", hub.stderr());
    let mut took = Vec::new();
    for i in 0..RUNS {
        let data = format!("{{\"i\":{i}}}");
        let started = Instant::now();
        let mut emit = Process::start(
            &format!("emit{i}"),
            &["emit", "--addr", &address, "--service", "e", "--heartbeat", "0", "t", &data],
        );
        let code = emit.wait_exit();
        took.push(started.elapsed());
        assert_eq!(code, 0, "{}: {}", emit.name, emit.stderr().join("\n"));
    }
    let events = hub.wait_events("t", RUNS);
    let mut got: Vec<u64> = events.iter().filter_map(|e| e["data"]["i"].as_u64()).collect();
    got.sort_unstable();
    assert_eq!(got, (0..RUNS as u64).collect::<Vec<_>>(), "each event once");
    let stalled = took.iter().filter(|t| **t >= BOUND).count();
    assert_eq!(stalled, 0, "{stalled} of {RUNS} emit invocations took {BOUND:?} or more: {took:?}");
}

/// A unique `ipc://` socket path under /tmp, removed when dropped.
struct IpcPath(PathBuf);

impl IpcPath {
    fn unique() -> IpcPath {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_nanos();
        IpcPath(
            std::env::temp_dir()
                .join(format!("nanomitter-test-{}-{nanos}.ipc", std::process::id())),
        )
    }

    fn address(&self) -> String {
        format!("ipc://{}", self.0.display())
    }
}

impl Drop for IpcPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Scenario 9: a hub and two clients on a unique `ipc://` path, with a liveness beat of 0.2 s,
/// left linked for 2 s (ten beats), then exchanging events.
///
/// Promise checked: an `ipc://` link that came up stays up. No node runs a second election (its
/// `.stats` say `elections: 1`, and no stderr line says it restarts), and every node gets every
/// node's events. On the code this was written against, most runs had a client say "connected",
/// hear nothing from the hub and restart every three liveness intervals ("the hub went silent"):
/// its failed bind before the dial makes NNG 1.4 probe the socket file with a bare connect, and
/// that connection, closed before the hub answered it, stops the hub's NNG listener from
/// accepting anyone again.
#[test]
fn ipc_links_stay_up() {
    const PER_NODE: usize = 5;
    let _alone = alone();
    let socket = IpcPath::unique();
    let address = socket.address();
    let mut nodes: Vec<Process> = (0..3)
        .map(|i| {
            let name = format!("n{i}");
            let args = [
                "repl",
                "--addr",
                &address,
                "--service",
                &name,
                "--heartbeat",
                "0",
                "--liveness",
                "0.2",
                "t",
            ];
            let node = Process::start(&name, &args);
            node.wait_stderr("connected");
            node
        })
        .collect();
    assert!(nodes[0].wait_stderr("connected").contains("as Hub"), "{:?}", nodes[0].stderr());

    // The scenario: stay linked for ten liveness beats (a client that hears nothing from its
    // hub for three restarts its link).
    std::thread::sleep(Duration::from_secs(2));
    let logs = |nodes: &[Process]| {
        nodes.iter().map(|n| format!("{}:\n{}", n.name, n.stderr().join("\n"))).collect::<Vec<_>>()
    };
    for node in nodes.iter_mut() {
        node.send(".stats");
    }
    let elections: Vec<u64> =
        nodes.iter().map(|n| n.wait_reply("stats")["elections"].as_u64().unwrap_or(0)).collect();
    assert!(
        elections.iter().all(|e| *e == 1),
        "elections per node {elections:?}: a link came up and then went down\n{}",
        logs(&nodes).join("\n\n")
    );

    for node in nodes.iter_mut() {
        wait_listeners(node, "t", 3);
    }
    for (i, node) in nodes.iter_mut().enumerate() {
        for k in 0..PER_NODE {
            node.send(&format!("t {{\"from\":{i},\"k\":{k}}}"));
        }
        node.send(".flush");
    }
    for node in &nodes {
        let events = node.wait_events("t", 3 * PER_NODE);
        let mut from: HashMap<u64, usize> = HashMap::new();
        for event in &events {
            *from.entry(event["data"]["from"].as_u64().unwrap()).or_default() += 1;
        }
        assert_eq!(
            from,
            (0..3).map(|i| (i, PER_NODE)).collect(),
            "{} got every node's events once (its own by local echo)",
            node.name
        );
    }
    let restarts: Vec<String> = nodes
        .iter()
        .flat_map(|n| {
            n.stderr()
                .into_iter()
                .filter(|l| l.contains("restarting"))
                .map(|l| format!("{}: {l}", n.name))
        })
        .collect();
    assert!(restarts.is_empty(), "no link restarts:\n{}", restarts.join("\n"));
}
