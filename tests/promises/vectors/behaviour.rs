//! Behaviour vectors: scripted runs of a client member, recorded from the protocol core into
//! `docs/vectors/behaviour.json`, which the TypeScript member replays
//! (`clients/js/test/unit/behaviour.test.mjs`). The golden frame vectors lock the bytes; these
//! lock what a member does with them: what it sends, delivers and tells its listeners, and when.
//!
//! Owns: the scenarios (inputs at given times) and the recorder that runs them through a
//! [`Node`] the way a shell does. It must not decide anything itself: every expected output is
//! what the core did.
//!
//! A scenario is a list of steps, each at a time in milliseconds from the start. Before a step's
//! input, every timer of the member due up to that time runs (each at its own time). The input is
//! one of: `listen` (the patterns this member's listeners now listen to, with their listener
//! counts), `link` (`"up"`: a connection to the hub opened; `"down"`: it closed), `receive` (frames
//! from the hub, in the frame vectors' JSON shape, handled as one batch), `emit` (an event of
//! this member), `flush` (a flush, named by a label). After every input and every timer, the
//! member's listeners take every delivery at once and the member catches up (sends what its
//! windows allow and acknowledges). A step's `expect` lists what came out, in order, each with
//! the time it came out: a frame `send`, a `deliver` (an event, or a notice with its data), a
//! `flushed` label, or `drop_link` (the member gave up its link and links again).
//!
//! `NANOMITTER_WRITE_VECTORS=1 cargo test --test promises vectors` records the expectations
//! again (after a deliberate change to the core's behaviour); without it the test checks that
//! the core still does what the file says, so a change of behaviour cannot land without the
//! vectors that the TypeScript member replays.

use super::{describe, encode, load, node_hex, rewriting, store, unhex};

use bytes::Bytes;
use nanomitter::Codec;
use nanomitter_protocol::identity::NodeKey;
use nanomitter_protocol::stats::Stats;
use nanomitter_protocol::wire::{self, Received};
use nanomitter_protocol::{Action, Event, Node, OpenedAs, Settings};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The member under test.
const ME: u64 = 0x0000_0000_0000_00a1;
/// The hub it links to first.
const HUB: u64 = 0x0000_0000_0000_00b1;
/// The hub that takes over.
const NEW_HUB: u64 = 0x0000_0000_0000_00b2;
/// Other members, senders of events.
const PEER: u64 = 0x0000_0000_0000_00c1;
const OTHER: u64 = 0x0000_0000_0000_00c2;

/// The settings every scenario runs with, as the file states them for every implementation.
fn settings_json() -> Value {
    json!({
        "node": node_hex(ME),
        "key": NodeKey::sample(ME).0.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "service": "member",
        "liveness_ms": 1000,
        "window": 2,
        "batch_bytes": 64,
        "max_frame_size": 16 * 1024 * 1024,
        "max_pending_bytes": 64 * 1024 * 1024,
        "local_echo": false,
    })
}

fn settings() -> Settings {
    Settings {
        window: 2,
        batch_bytes: 64,
        local_echo: false,
        ..Settings::new("member", "tcp://127.0.0.1:1")
    }
}

// ---- the frames the scenarios send the member

fn hub_hello(hub: u64, epoch: u64, members: &[u64], received: &[(u64, u64)]) -> Value {
    hello(hub, "hub", epoch, "no", received, 0, 1, members, &[])
}

#[allow(clippy::too_many_arguments)]
fn hello(
    node: u64,
    role: &str,
    epoch: u64,
    joining: &str,
    received: &[(u64, u64)],
    last_seq: u64,
    retained_from: u64,
    members: &[u64],
    owed: &[(u64, u64)],
) -> Value {
    json!({
        "kind": "hello", "node": node_hex(node), "epoch": epoch, "role": role,
        "joining": joining, "service": "peer", "last_seq": last_seq,
        "retained_from": retained_from,
        "received": received.iter().map(|(s, q)| json!({"sender": node_hex(*s), "seq": q})).collect::<Vec<_>>(),
        "members": members.iter().map(|n| json!({"node": node_hex(*n), "key_hash": key_hash(*n)})).collect::<Vec<_>>(),
        "owed": owed.iter().map(|(n, h)| json!({"node": node_hex(*n), "held": h})).collect::<Vec<_>>(),
        // A client's joining hello comes relayed by the hub: with its key's hash.
        "proof": if role == "client" && joining != "no" { json!({"key_hash": key_hash(node)}) } else { Value::Null },
    })
}

/// The hash a node's id is bound to, as a hub tells it.
fn key_hash(node: u64) -> Value {
    node_hex(NodeKey::sample(node).hash())
}

/// An events frame of `sender` accounting for `from..=to`, with an event for each of `seqs`.
fn events(sender: u64, retained_from: u64, from: u64, to: u64, seqs: &[u64]) -> Value {
    json!({
        "kind": "events", "node": node_hex(sender), "service": "peer",
        "retained_from": retained_from, "covers_from": from, "covers_to": to,
        "events": seqs.iter().map(|seq| json!({
            "seq": seq, "codec": "json", "topic": "t", "payload": "31",
        })).collect::<Vec<_>>(),
    })
}

fn ack(hub: u64, epoch: u64, acks: &[(u64, u64)]) -> Value {
    json!({
        "kind": "ack", "node": node_hex(hub), "epoch": epoch,
        "acks": acks.iter().map(|(s, q)| json!({"sender": node_hex(*s), "seq": q})).collect::<Vec<_>>(),
    })
}

fn nack(node: u64, sender: u64, from_seq: u64) -> Value {
    json!({"kind": "nack", "node": node_hex(node), "sender": node_hex(sender), "from_seq": from_seq})
}

fn relayed(hub: u64, epoch: u64, frames: u64) -> Value {
    json!({"kind": "relayed", "node": node_hex(hub), "epoch": epoch, "frames": frames})
}

fn left(node: u64, epoch: u64, reason: &str) -> Value {
    json!({"kind": "left", "node": node_hex(node), "epoch": epoch, "reason": reason})
}

/// Another member listening to every topic, so that this member's events go out.
fn everyone_listens(node: u64) -> Value {
    json!({"kind": "interest", "node": node_hex(node), "version": 1,
           "patterns": [{"pattern": "*", "listeners": 1}]})
}

// ---- steps

fn at(ms: u64, input: Value) -> Value {
    let mut step = input;
    step["at"] = json!(ms);
    step
}

fn link(ms: u64, how: &str) -> Value {
    at(ms, json!({"link": how}))
}

fn receive(ms: u64, frames: Vec<Value>) -> Value {
    at(ms, json!({"receive": frames}))
}

fn emit(ms: u64, topic: &str, payload_hex: &str) -> Value {
    at(ms, json!({"emit": {"topic": topic, "codec": "json", "payload": payload_hex}}))
}

fn flush(ms: u64, label: &str) -> Value {
    at(ms, json!({"flush": label}))
}

/// This member's listeners now listen to `pattern` (one listener each).
fn listen(ms: u64, patterns: &[&str]) -> Value {
    let patterns: Vec<Value> =
        patterns.iter().map(|p| json!({"pattern": p, "listeners": 1})).collect();
    at(ms, json!({"listen": patterns}))
}

/// Nothing comes in: only the member's timers run, up to this time.
fn idle(ms: u64) -> Value {
    at(ms, json!({"idle": true}))
}

/// The scenarios: inputs only; the recorder fills in what the member does.
fn scenarios() -> Vec<Value> {
    let linked = || {
        vec![
            listen(0, &["*"]),
            link(0, "up"),
            receive(1, vec![hub_hello(HUB, 1, &[HUB, ME, PEER], &[(PEER, 2)])]),
        ]
    };
    let scenario = |name: &str, about: &str, steps: Vec<Value>| json!({"name": name, "about": about, "steps": steps});
    vec![
        scenario(
            "linking and liveness",
            "A first link of a member with no listener yet: the joining hello, the hub's hello \
             (a new hub, a new peer), the empty interest announced once the first \
             subscriptions had their time, liveness beats, and the hub counted as lost after \
             three silent beats.",
            vec![
                link(0, "up"),
                receive(1, vec![hub_hello(HUB, 1, &[HUB, ME, PEER], &[(PEER, 2)])]),
                idle(2500),
                listen(2600, &["a.*", "b.>"]),
                idle(4200),
            ],
        ),
        scenario(
            "exactly once, in order",
            "A member starts after what the hub's hello says was relayed before it; duplicates \
             are dropped; a gap is asked for again at most once per 50 ms; acknowledgements \
             follow what listeners took and are repeated while events arrive.",
            [
                linked(),
                vec![
                    receive(10, vec![events(PEER, 1, 1, 3, &[1, 2, 3])]),
                    receive(20, vec![events(PEER, 1, 5, 5, &[5])]),
                    receive(30, vec![events(PEER, 1, 6, 6, &[6])]),
                    receive(80, vec![events(PEER, 1, 6, 6, &[6])]),
                    receive(90, vec![events(PEER, 1, 4, 6, &[4, 5, 6])]),
                    idle(200),
                ],
            ]
            .concat(),
        ),
        scenario(
            "lost for good",
            "Events the sender no longer holds (its retained_from moved past them) are \
             reported once with $lagged, and the member moves past them.",
            [
                linked(),
                vec![
                    receive(10, vec![events(PEER, 1, 3, 4, &[3, 4])]),
                    receive(20, vec![events(PEER, 8, 8, 9, &[8, 9])]),
                ],
            ]
            .concat(),
        ),
        scenario(
            "a hello that claims more",
            "A sender's hello says it sent more than this member holds: what it no longer \
             holds is lost for good; what it still holds may be on its way (a hello is relayed \
             at once, events may wait in the hub's queue), so it is asked for only if still \
             missing some time later.",
            [
                linked(),
                vec![
                    receive(10, vec![events(PEER, 3, 3, 4, &[3, 4])]),
                    receive(20, vec![hello(PEER, "client", 1, "no", &[], 9, 6, &[], &[])]),
                    receive(40, vec![events(PEER, 6, 6, 7, &[6, 7])]),
                    receive(60, vec![hello(PEER, "client", 1, "no", &[], 9, 6, &[], &[])]),
                    idle(1000),
                    receive(1100, vec![hello(PEER, "client", 1, "no", &[], 9, 6, &[], &[])]),
                    receive(1120, vec![events(PEER, 6, 8, 9, &[8, 9])]),
                ],
            ]
            .concat(),
        ),
        scenario(
            "sending through the windows",
            "Events go out in frames of at most batch_bytes; at most `window` frames are on \
             their way to the hub (relayed counts free them) and new frames wait while \
             `window` frames are not held by every member, then go past it after 100 ms; the \
             hub's ack frees them and resolves a flush.",
            [
                linked(),
                vec![
                    receive(2, vec![everyone_listens(PEER)]),
                    emit(10, "t", "31"),
                    emit(10, "t", "32"),
                    emit(10, "t", "33"),
                    flush(11, "first"),
                    emit(12, "t", "34"),
                    receive(20, vec![relayed(HUB, 1, 1)]),
                    emit(21, "t", "35"),
                    receive(30, vec![relayed(HUB, 1, 2)]),
                    idle(200),
                    receive(210, vec![ack(HUB, 1, &[(ME, 2)])]),
                    receive(220, vec![ack(HUB, 1, &[(ME, 5)])]),
                    flush(230, "second"),
                ],
            ]
            .concat(),
        ),
        scenario(
            "re-sends",
            "A nack from a member re-sends the frames from its from_seq on (each frame at most \
             once per 50 ms, whoever asks); a nack from the hub says frames on their way were \
             lost; a member back after a lost hub (joining again) gets what its hello says it \
             lacks.",
            [
                linked(),
                vec![
                    receive(2, vec![everyone_listens(PEER)]),
                    emit(10, "t", "31"),
                    flush(10, "one"),
                    emit(11, "t", "32"),
                    flush(11, "two"),
                    receive(20, vec![relayed(HUB, 1, 2)]),
                    receive(30, vec![nack(PEER, ME, 1)]),
                    receive(40, vec![nack(OTHER, ME, 2)]),
                    receive(90, vec![nack(OTHER, ME, 2)]),
                    receive(100, vec![nack(HUB, ME, 2)]),
                    receive(
                        200,
                        vec![hello(OTHER, "client", 1, "again", &[(ME, 1)], 0, 1, &[], &[])],
                    ),
                    receive(300, vec![ack(HUB, 1, &[(ME, 2)])]),
                ],
            ]
            .concat(),
        ),
        scenario(
            "a new hub",
            "The hub is lost: $peer.left for it, and the member links again with a hello that \
             says what it holds, whom it knew and that it owes the old hub word of its events; \
             what was not acknowledged goes again; the new hub's hello brings $hub.changed; a \
             stale hub's hello makes the member drop the link.",
            [
                linked(),
                vec![
                    receive(2, vec![everyone_listens(PEER)]),
                    receive(5, vec![events(PEER, 3, 3, 4, &[3, 4])]),
                    emit(10, "t", "31"),
                    receive(20, vec![relayed(HUB, 1, 1), ack(HUB, 1, &[(ME, 1)])]),
                    emit(30, "t", "32"),
                    link(40, "down"),
                    link(50, "up"),
                    receive(60, vec![hub_hello(NEW_HUB, 2, &[NEW_HUB, ME, PEER], &[(PEER, 4)])]),
                    receive(70, vec![left(PEER, 2, "closed")]),
                    receive(80, vec![hub_hello(HUB, 1, &[HUB, ME], &[])]),
                ],
            ]
            .concat(),
        ),
        scenario(
            "owed word",
            "A sender says this member went away without a goodbye holding its events up to \
             `held`: a member that started past them since is told with $lagged what it \
             missed, once.",
            vec![
                listen(0, &["*"]),
                link(0, "up"),
                receive(1, vec![hub_hello(HUB, 1, &[HUB, ME, PEER], &[])]),
                receive(10, vec![events(PEER, 7, 7, 8, &[7, 8])]),
                receive(20, vec![hello(PEER, "client", 1, "no", &[], 8, 3, &[], &[(ME, 4)])]),
                receive(30, vec![hello(PEER, "client", 1, "no", &[], 8, 3, &[], &[(ME, 4)])]),
            ],
        ),
    ]
}

// ---- the recorder

/// Runs a member through one scenario's steps, the way a shell does.
struct Recorder {
    node: Node,
    start: Instant,
    /// The attempt of the current link (reports of a link carry it).
    attempt: u64,
    /// Whether the next crash is the one a lost link makes (the input said so already).
    link_lost: bool,
    /// The label of each flush ticket handed out.
    labels: HashMap<u64, String>,
    /// The deliveries handed out so far (listeners take each at once).
    delivered: u64,
}

impl Recorder {
    fn new() -> Self {
        let start = Instant::now();
        let node =
            Node::new(settings(), ME, NodeKey::sample(ME), Arc::new(Stats::default()), start);
        Recorder { node, start, attempt: 0, link_lost: false, labels: HashMap::new(), delivered: 0 }
    }

    fn time(&self, ms: u64) -> Instant {
        self.start + Duration::from_millis(ms)
    }

    fn ms(&self, at: Instant) -> u64 {
        at.duration_since(self.start).as_millis() as u64
    }

    /// One step: the timers due up to its time, then its input. Returns what came out.
    fn step(&mut self, step: &Value) -> Vec<Value> {
        let ms = step["at"].as_u64().expect("a step has a time");
        let now = self.time(ms);
        let mut out = Vec::new();
        while let Some(due) = self.node.poll_timeout().filter(|due| *due <= now) {
            self.node.handle_timeout(due);
            self.settle(due, &mut out);
        }
        if let Some(patterns) = step.get("listen") {
            let patterns = patterns.as_array().expect("a list of patterns");
            self.node.set_patterns(
                patterns
                    .iter()
                    .map(|p| {
                        let pattern = p["pattern"].as_str().expect("a pattern").to_owned();
                        (pattern, p["listeners"].as_u64().expect("a count") as u32)
                    })
                    .collect(),
            );
        } else if let Some(how) = step.get("link") {
            match how.as_str() {
                Some("up") => self.link_up(now),
                Some("down") => {
                    self.link_lost = true;
                    self.node.connection_down(now, self.attempt, 1);
                }
                other => panic!("link {other:?}"),
            }
        } else if let Some(frames) = step.get("receive") {
            for frame in frames.as_array().expect("a list of frames") {
                let received = Received::decode(Bytes::from(encode(frame)))
                    .unwrap_or_else(|e| panic!("a scenario's frame {frame}: {e}"));
                self.node.receive(now, self.attempt, None, received);
            }
        } else if let Some(event) = step.get("emit") {
            assert_eq!(event["codec"], "json");
            let payload = unhex(event["payload"].as_str().expect("a payload"));
            let topic = event["topic"].as_str().expect("a topic");
            self.node.emit(topic, Codec::Json, &payload, 0).expect("the event is accepted");
        } else if let Some(label) = step.get("flush") {
            let label = label.as_str().expect("a label").to_owned();
            match self.node.flush(now) {
                Some(ticket) => {
                    self.labels.insert(ticket, label);
                }
                None => out.push(json!({"at": ms, "flushed": label})),
            }
        } else {
            assert!(step.get("idle").is_some(), "an unknown step {step}");
        }
        self.settle(now, &mut out);
        out
    }

    /// The member opens its (only) candidate and finds a hub there.
    fn link_up(&mut self, now: Instant) {
        self.node.start_election(now);
        let mut attempt = None;
        while let Some(action) = self.node.poll_action() {
            if let Action::Open { attempt: a, .. } = action {
                attempt = Some(a);
            }
        }
        self.attempt = attempt.expect("the member opens its candidate");
        self.node.opened(now, self.attempt, Ok(OpenedAs::Client));
        self.node.connection_up(now, self.attempt, 1);
    }

    /// The member catches up and its listeners take every delivery, until nothing more comes
    /// out.
    fn settle(&mut self, now: Instant, out: &mut Vec<Value>) {
        let ms = self.ms(now);
        loop {
            self.node.listeners_took(now, self.delivered);
            self.node.caught_up(now);
            let mut any = false;
            while let Some(action) = self.node.poll_action() {
                any = true;
                match action {
                    Action::Send(frame) => {
                        let frame = wire::decode(frame).expect("the member sends valid frames");
                        out.push(json!({"at": ms, "send": describe(&frame)}));
                    }
                    Action::Deliver { number, event } => {
                        self.delivered = number;
                        out.push(json!({"at": ms, "deliver": delivery(&event)}));
                    }
                    Action::Flushed(ticket) => {
                        let label = self.labels.remove(&ticket).expect("a labelled flush");
                        out.push(json!({"at": ms, "flushed": label}));
                    }
                    Action::Crash(_) => {
                        // The shell restarts a member whose link is beyond repair.
                        if !std::mem::take(&mut self.link_lost) {
                            out.push(json!({"at": ms, "drop_link": true}));
                        }
                        self.node.restarted(now);
                    }
                    Action::Open { .. }
                    | Action::Probe { .. }
                    | Action::State(_)
                    | Action::Release(_)
                    | Action::Relay { .. }
                    | Action::SendTo { .. }
                    | Action::CutOff(_) => {}
                }
            }
            if !any {
                return;
            }
        }
    }
}

/// A delivery as the file states it: an event's origin and topic, or a notice's data.
fn delivery(event: &Event) -> Value {
    if event.topic().starts_with('$') {
        let data: Value = serde_json::from_slice(event.payload()).expect("a notice's data is JSON");
        json!({"topic": event.topic(), "data": data})
    } else {
        json!({
            "topic": event.topic(),
            "node": node_hex(event.node()),
            "seq": event.seq(),
            "payload": super::hex(event.payload()),
        })
    }
}

/// Runs every scenario and returns the file's content.
fn record() -> Value {
    let scenarios: Vec<Value> = scenarios()
        .into_iter()
        .map(|mut scenario| {
            let mut recorder = Recorder::new();
            for step in scenario["steps"].as_array_mut().expect("steps") {
                let out = recorder.step(step);
                step["expect"] = json!(out);
            }
            scenario
        })
        .collect();
    json!({
        "about": "Scripted runs of a client member recorded from the Rust core; see docs/wire.md §7 \
                  and tests/promises/vectors/behaviour.rs for the shape.",
        "settings": settings_json(),
        "scenarios": scenarios,
    })
}

#[test]
fn the_core_still_does_what_the_behaviour_vectors_say() {
    let recorded = record();
    if rewriting() {
        store("behaviour.json", &recorded);
        return;
    }
    let stored = load("behaviour.json");
    for (recorded, stored) in recorded["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .zip(stored["scenarios"].as_array().expect("scenarios"))
    {
        assert_eq!(
            recorded, stored,
            "the core's behaviour changed in {:?}: if on purpose, record the vectors again \
             (NANOMITTER_WRITE_VECTORS=1 cargo test --test promises vectors) and make the \
             TypeScript member replay them",
            recorded["name"]
        );
    }
    assert_eq!(recorded, stored, "the scenarios or settings changed: record the vectors again");
}
