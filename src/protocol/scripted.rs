//! Scripted runs of one protocol core against hand-written peers: each test plays a precise
//! sequence of inputs that the randomized simulation reaches only by chance, and checks the
//! actions that come out.
//!
//! Owns: test helpers and tests only. It must not be compiled outside `cfg(test)`.

use super::node::{Action, LinkState, Node, OpenedAs};
use crate::config::EmitterBuilder;
use crate::event::Codec;
use crate::stats::Stats;
use crate::wire::{self, Frame, Hello, Joining};
use bytes::Bytes;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ELECTION_TIMEOUT: Duration = Duration::from_secs(1);

/// A node of id `id` with candidates `tcp://a` then `tcp://b`, local echo off.
fn node(id: u64, now: Instant) -> Node {
    let config = EmitterBuilder::new("scripted")
        .candidates(["tcp://127.0.0.1:1", "tcp://127.0.0.1:2"])
        .heartbeat_interval(None)
        .election_timeout(ELECTION_TIMEOUT)
        .local_echo(false)
        .checked()
        .expect("valid settings");
    Node::new(config, id, Arc::new(Stats::default()), now)
}

/// Every action the node has queued.
fn actions(node: &mut Node) -> Vec<Action> {
    std::iter::from_fn(|| node.poll_action()).collect()
}

/// The attempt of the `Open` among `actions` (the node asks to open a candidate).
fn opened_attempt(actions: &[Action]) -> u64 {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Open { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .expect("the node opens a candidate")
}

fn flushed(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::Flushed(_)))
}

fn hello(node: u64, hub: bool, joining: Joining, members: Vec<u64>) -> (Frame, Bytes) {
    let hello = Hello {
        node,
        epoch: 1,
        hub,
        joining,
        service: "peer".into(),
        last_seq: 0,
        retained_from: 1,
        received: vec![],
        members,
        owed: vec![],
    };
    let raw = Bytes::from(hello.encode());
    (wire::decode(raw.clone()).expect("a valid hello"), raw)
}

/// Runs every timeout due up to `until`, returning the actions they produced.
fn run_until(node: &mut Node, until: Instant) -> Vec<Action> {
    let mut out = Vec::new();
    while let Some(at) = node.poll_timeout().filter(|at| *at <= until) {
        node.handle_timeout(at);
        out.extend(actions(node));
    }
    out
}

/// A client emits while its hub is alive; the hub listed a member whose own hello this client
/// never heard (it joined just before the hub froze). The client takes over on the second
/// candidate: it must keep its events for that member until it rejoins, not only for the
/// members it heard from.
#[test]
fn a_new_hub_awaits_the_members_its_old_hub_listed_even_unheard_ones() {
    const ME: u64 = 2;
    const OLD_HUB: u64 = 9;
    const UNHEARD: u64 = 7;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    me.start_election(t0);
    let attempt = opened_attempt(&actions(&mut me));
    me.opened(t0, attempt, Ok(OpenedAs::Client));
    me.connection_up(t0, attempt, 1);
    let (frame, raw) = hello(OLD_HUB, true, Joining::No, vec![ME, UNHEARD]);
    me.receive(t0, attempt, None, frame, raw);
    assert!(me.emit("t".into(), Codec::Json, Bytes::from_static(b"1"), 0).is_some());
    let ticket = me.flush(t0).expect("the event is not acknowledged yet");
    actions(&mut me);

    // The hub goes silent; the restart dials the first candidate (held by the frozen hub) in
    // vain, then binds the second.
    let t1 = t0 + Duration::from_secs(3);
    assert!(run_until(&mut me, t1).iter().any(|a| matches!(a, Action::Crash(_))));
    me.restarted(t1);
    me.start_election(t1);
    let attempt = opened_attempt(&actions(&mut me));
    me.opened(t1, attempt, Ok(OpenedAs::Client));
    let after_dial = run_until(&mut me, t1 + ELECTION_TIMEOUT);
    let attempt = opened_attempt(&after_dial);
    let t2 = t1 + ELECTION_TIMEOUT;
    me.opened(t2, attempt, Ok(OpenedAs::Hub));
    actions(&mut me);

    // Well past the hold for members it may not know of, the listed member is still awaited.
    let waiting = run_until(&mut me, t2 + ELECTION_TIMEOUT * 2);
    assert!(!flushed(&waiting), "the flush resolved while a listed member was away");

    // It rejoins holding nothing: the event goes out again, and once it holds it, the flush
    // resolves.
    let t3 = t2 + ELECTION_TIMEOUT * 2;
    me.connection_up(t3, attempt, 5);
    let (frame, raw) = hello(UNHEARD, false, Joining::Again, vec![]);
    me.receive(t3, attempt, Some(5), frame, raw);
    let resent = actions(&mut me).into_iter().any(|a| match a {
        Action::Send(bytes) => matches!(wire::decode(bytes), Ok(Frame::Events(e)) if e.node == ME),
        _ => false,
    });
    assert!(resent, "the event is sent again to the member that rejoined");
    let ack = wire::Ack { node: UNHEARD, epoch: 2, acks: vec![(ME, 1)] };
    let raw = Bytes::from(ack.encode());
    me.receive(t3, attempt, Some(5), wire::decode(raw.clone()).unwrap(), raw);
    me.drain(t3);
    let done = actions(&mut me);
    assert!(done.iter().any(|a| matches!(a, Action::Flushed(t) if *t == ticket)));
}

/// The node as the hub of a new cluster with one client, `member`, on connection 5, listening
/// to topic `t`.
fn hub_with_client(me: u64, member: u64, now: Instant) -> (Node, u64) {
    let mut hub = node(me, now);
    hub.start_election(now);
    let attempt = opened_attempt(&actions(&mut hub));
    hub.opened(now, attempt, Ok(OpenedAs::Hub));
    hub.connection_up(now, attempt, 5);
    let (frame, raw) = hello(member, false, Joining::Fresh, vec![]);
    hub.receive(now, attempt, Some(5), frame, raw);
    let interest = wire::Interest { node: member, version: 1, patterns: vec![("t".into(), 1)] };
    let raw = Bytes::from(interest.encode());
    hub.receive(now, attempt, Some(5), wire::decode(raw.clone()).unwrap(), raw);
    actions(&mut hub);
    (hub, attempt)
}

fn left(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::State(LinkState::Closed)))
}

/// A member goes silent (its connection drops without a goodbye) and, after the grace period,
/// stops being one; the hub then emits, its flush resolves, and it closes. If the member was
/// only frozen, nobody else may be left to tell it what it missed: the hub lingers until the
/// member is back and heard its hello (which says which events are no longer held), then goes.
#[test]
fn a_closing_node_waits_to_tell_a_member_that_went_silent_what_it_missed() {
    const ME: u64 = 2;
    const FROZEN: u64 = 7;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(ME, FROZEN, t0);
    me.connection_down(t0, attempt, 5);
    let t1 = t0 + ELECTION_TIMEOUT * 3;
    run_until(&mut me, t1);
    assert!(me.emit("t".into(), Codec::Json, Bytes::from_static(b"1"), 0).is_some());
    assert_eq!(me.flush(t1), None, "no member is left to hold the event");

    me.close(t1);
    assert!(!left(&actions(&mut me)), "the frozen member is owed word of the event");
    assert!(me.is_closed(), "a closing node refuses new events");
    assert!(me.emit("t".into(), Codec::Json, Bytes::from_static(b"2"), 0).is_none());

    let t2 = t1 + Duration::from_secs(1);
    assert!(!left(&run_until(&mut me, t2)));
    me.connection_up(t2, attempt, 6);
    let told = actions(&mut me).into_iter().any(|a| match a {
        Action::Send(bytes) => {
            matches!(wire::decode(bytes), Ok(Frame::Hello(h)) if h.node == ME && h.last_seq == 1 && h.retained_from == 2)
        }
        _ => false,
    });
    assert!(told, "the hub's hello says event 1 is no longer held");
    let (frame, raw) = hello(FROZEN, false, Joining::Again, vec![]);
    me.receive(t2, attempt, Some(6), frame, raw);
    let gone = run_until(&mut me, t2 + Duration::from_secs(1));
    assert!(left(&gone), "the member heard the hub's hello: the hub goes");
}

/// Close does not wait when nobody is owed anything, and never longer than `close_linger`.
#[test]
fn a_closing_node_waits_for_no_one_it_owes_nothing_and_at_most_the_linger() {
    let t0 = Instant::now();
    let (mut quiet, _) = hub_with_client(2, 7, t0);
    quiet.close(t0);
    assert!(left(&actions(&mut quiet)), "nothing owed: it goes at once");

    let (mut me, attempt) = hub_with_client(2, 7, t0);
    me.connection_down(t0, attempt, 5);
    let t1 = t0 + ELECTION_TIMEOUT * 3;
    run_until(&mut me, t1);
    assert!(me.emit("t".into(), Codec::Json, Bytes::from_static(b"1"), 0).is_some());
    me.close(t1);
    let gone = run_until(&mut me, t1 + Duration::from_secs(60));
    assert!(left(&gone), "the linger ran out");
    assert_eq!(me.poll_timeout(), None, "a node that left has nothing more to do");
}

/// A member comes back after being declared gone, never having heard of a sender whose events
/// were emitted meanwhile and are no longer held: the sender's hello names it among the members
/// owed word, with what every member held then, so it is told exactly which it missed.
#[test]
fn a_returning_member_learns_what_it_missed_of_a_sender_it_never_heard() {
    const ME: u64 = 7;
    const HUB: u64 = 9;
    const SENDER: u64 = 2;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    me.start_election(t0);
    let attempt = opened_attempt(&actions(&mut me));
    me.opened(t0, attempt, Ok(OpenedAs::Client));
    me.connection_up(t0, attempt, 1);
    let (frame, raw) = hello(HUB, true, Joining::No, vec![ME]);
    me.receive(t0, attempt, None, frame, raw);
    actions(&mut me);

    let sender_hello = Hello {
        last_seq: 5,
        retained_from: 6,
        owed: vec![(ME, 0)],
        ..match hello(SENDER, false, Joining::No, vec![]).0 {
            Frame::Hello(h) => h,
            _ => unreachable!(),
        }
    };
    let raw = Bytes::from(sender_hello.encode());
    me.receive(t0, attempt, None, wire::decode(raw.clone()).unwrap(), raw);
    let lagged = actions(&mut me).into_iter().find_map(|a| match a {
        Action::Deliver(event) if event.topic() == crate::membership::LAGGED => Some(event),
        _ => None,
    });
    let notice: serde_json::Value = lagged.expect("a $lagged notice").decode().unwrap();
    assert_eq!((notice["missed"].as_u64(), notice["from"].as_u64()), (Some(5), Some(1)));
}
