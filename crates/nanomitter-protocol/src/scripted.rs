//! Scripted runs of one protocol core against hand-written peers: each test plays a precise
//! sequence of inputs that the randomized simulation reaches only by chance, and checks the
//! actions that come out.
//!
//! Owns: test helpers and tests only. It must not be compiled outside `cfg(test)`.

use crate::event::Codec;
use crate::identity::{NodeKey, KEY_LEN};
use crate::node::{Action, LinkState, Node, OpenedAs};
use crate::settings::{Settings, SlowConsumer};
use crate::stats::Stats;
use crate::wire::{self, Frame, Hello, Joining, Proof, Received};
use bytes::Bytes;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ELECTION_TIMEOUT: Duration = Duration::from_secs(1);

/// A node of id `id` with candidates `tcp://a` then `tcp://b`, local echo off.
fn node(id: u64, now: Instant) -> Node {
    node_with(id, now, |settings| settings)
}

/// The same, with settings changed by `adjust`.
fn node_with(id: u64, now: Instant, adjust: impl FnOnce(Settings) -> Settings) -> Node {
    let settings = Settings {
        candidates: vec!["tcp://127.0.0.1:1".into(), "tcp://127.0.0.1:2".into()],
        election_timeout: ELECTION_TIMEOUT,
        local_echo: false,
        ..Settings::new("scripted", "")
    };
    Node::new(adjust(settings), id, NodeKey::sample(id), Arc::new(Stats::default()), now)
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

fn hello(node: u64, hub: bool, joining: Joining, members: Vec<u64>) -> Received {
    let members = members.into_iter().map(|member| (member, NodeKey::sample(member).hash()));
    let hello = Hello { members: members.collect(), ..Hello::sample(node, hub, joining) };
    received(hello.encode())
}

/// A frame as it arrives.
fn received(frame: Vec<u8>) -> Received {
    Received::decode(Bytes::from(frame)).expect("a valid frame")
}

/// `me` dials its first candidate and links as a client of `hub`, whose hello lists `members`.
/// Returns the attempt of the link.
fn linked_client(me: &mut Node, hub: u64, members: Vec<u64>, now: Instant) -> u64 {
    me.start_election(now);
    let attempt = opened_attempt(&actions(me));
    me.opened(now, attempt, Ok(OpenedAs::Client));
    me.connection_up(now, attempt, 1);
    let frame = hello(hub, true, Joining::No, members);
    me.receive(now, attempt, None, frame);
    attempt
}

/// `me` binds its first candidate: the hub of a new cluster. Returns the attempt of the link.
fn bound_hub(me: &mut Node, now: Instant) -> u64 {
    me.start_election(now);
    let attempt = opened_attempt(&actions(me));
    me.opened(now, attempt, Ok(OpenedAs::Hub));
    attempt
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

/// An events frame of `sender` accounting for `covers` (events in it: `seqs`, on topic `t`),
/// holding everything from `retained_from` on.
fn events(
    sender: u64,
    retained_from: u64,
    covers: std::ops::RangeInclusive<u64>,
    seqs: &[u64],
) -> Received {
    let mut batch = wire::EventsBatch::new(sender, "peer", 0);
    for &seq in seqs {
        batch.push(seq, Codec::Json, "t", b"1").expect("a small event");
    }
    let mut bytes = batch.finish(*covers.start(), *covers.end());
    wire::set_retained_from(&mut bytes, retained_from);
    Received::decode(Bytes::from(bytes)).expect("a valid events frame")
}

/// The number of deliveries among `actions`.
fn deliveries(actions: &[Action]) -> u64 {
    actions.iter().filter(|a| matches!(a, Action::Deliver { .. })).count() as u64
}

/// The acknowledgements of `sender`'s events among `actions`.
fn acks_of(actions: &[Action], sender: u64) -> Vec<u64> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(bytes) => match wire::decode(bytes.clone()) {
                Ok(Frame::Ack(ack)) => ack.acks.iter().find(|(s, _)| *s == sender).map(|a| a.1),
                _ => None,
            },
            _ => None,
        })
        .collect()
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
    linked_client(&mut me, OLD_HUB, vec![ME, UNHEARD], t0);
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
    let ticket = me.flush(t0).expect("the event is not acknowledged yet");
    actions(&mut me);

    let (attempt, t2) = take_over_from_a_silent_hub(&mut me, t0);

    // Well past the hold for members it may not know of, the listed member is still awaited.
    let waiting = run_until(&mut me, t2 + ELECTION_TIMEOUT * 2);
    assert!(!flushed(&waiting), "the flush resolved while a listed member was away");

    // It rejoins holding nothing: the event goes out again, and once it holds it, the flush
    // resolves.
    let t3 = t2 + ELECTION_TIMEOUT * 2;
    me.connection_up(t3, attempt, 5);
    let frame = hello(UNHEARD, false, Joining::Again, vec![]);
    me.receive(t3, attempt, Some(5), frame);
    let resent = actions(&mut me).into_iter().any(|a| match a {
        Action::SendTo { to: 5, frame } => {
            matches!(wire::decode(frame), Ok(Frame::Events(e)) if e.node == ME)
        }
        _ => false,
    });
    assert!(resent, "the event is sent again to the member that rejoined, and to it only");
    acknowledge(&mut me, attempt, 5, UNHEARD, t3);
    assert!(!flushed(&actions(&mut me)), "the old hub, lost without a word, is awaited too");
    // The old hub was only frozen: it comes back as a client, and once it holds the event the
    // flush resolves.
    rejoin(&mut me, attempt, 6, OLD_HUB, t3);
    acknowledge(&mut me, attempt, 6, OLD_HUB, t3);
    let done = actions(&mut me);
    assert!(done.iter().any(|a| matches!(a, Action::Flushed(t) if *t == ticket)));
}

/// The client `me`'s hub goes silent after `t0`; the restart dials the first candidate (held by
/// the frozen hub) in vain, then binds the second. Returns the new link's attempt and when it
/// became the hub.
fn take_over_from_a_silent_hub(me: &mut Node, t0: Instant) -> (u64, Instant) {
    let t1 = t0 + Duration::from_secs(3);
    assert!(run_until(me, t1).iter().any(|a| matches!(a, Action::Crash(_))));
    me.restarted(t1);
    me.start_election(t1);
    let attempt = opened_attempt(&actions(me));
    me.opened(t1, attempt, Ok(OpenedAs::Client));
    let after_dial = run_until(me, t1 + ELECTION_TIMEOUT);
    let attempt = opened_attempt(&after_dial);
    let t2 = t1 + ELECTION_TIMEOUT;
    me.opened(t2, attempt, Ok(OpenedAs::Hub));
    actions(me);
    (attempt, t2)
}

/// `member` connects on `conn` and says hello, back after a lost hub.
fn rejoin(me: &mut Node, attempt: u64, conn: u64, member: u64, at: Instant) {
    me.connection_up(at, attempt, conn);
    let frame = hello(member, false, Joining::Again, vec![]);
    me.receive(at, attempt, Some(conn), frame);
}

/// `member`, on `conn`, holds the hub's first event.
fn acknowledge(me: &mut Node, attempt: u64, conn: u64, member: u64, at: Instant) {
    let ack = wire::Ack { node: member, epoch: 2, acks: vec![(2, 1)] };
    let raw = Bytes::from(ack.encode());
    me.receive(at, attempt, Some(conn), Received::decode(raw).unwrap());
    me.caught_up(at);
}

/// The node as the hub of a new cluster with one client, `member`, on connection 5, listening
/// to topic `t`.
fn hub_with_client(me: u64, member: u64, now: Instant) -> (Node, u64) {
    let mut hub = node(me, now);
    let attempt = bound_hub(&mut hub, now);
    hub.connection_up(now, attempt, 5);
    let frame = hello(member, false, Joining::Fresh, vec![]);
    hub.receive(now, attempt, Some(5), frame);
    let interest = wire::Interest { node: member, version: 1, patterns: vec![("t".into(), 1)] };
    let raw = Bytes::from(interest.encode());
    hub.receive(now, attempt, Some(5), Received::decode(raw).unwrap());
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
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
    assert_eq!(me.flush(t1), None, "no member is left to hold the event");

    me.close(t1);
    assert!(!left(&actions(&mut me)), "the frozen member is owed word of the event");
    assert!(me.is_closed(), "a closing node refuses new events");
    assert!(me.emit("t", Codec::Json, b"2", 0).is_none());

    let t2 = t1 + Duration::from_secs(1);
    assert!(!left(&run_until(&mut me, t2)));
    me.connection_up(t2, attempt, 6);
    let frame = hello(FROZEN, false, Joining::Again, vec![]);
    me.receive(t2, attempt, Some(6), frame);
    let told = actions(&mut me).into_iter().any(|a| match a {
        Action::SendTo { to: 6, frame: bytes } => {
            matches!(wire::decode(bytes), Ok(Frame::Hello(h)) if h.node == ME && h.last_seq == 1 && h.retained_from == 2)
        }
        _ => false,
    });
    assert!(told, "the hub's hello says event 1 is no longer held");
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
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
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
    let attempt = linked_client(&mut me, HUB, vec![ME], t0);
    actions(&mut me);

    let sender_hello = Hello {
        last_seq: 5,
        retained_from: 6,
        owed: vec![(ME, 0)],
        ..Hello::sample(SENDER, false, Joining::No)
    };
    let raw = Bytes::from(sender_hello.encode());
    me.receive(t0, attempt, None, Received::decode(raw).unwrap());
    let lagged = actions(&mut me).into_iter().find_map(|a| match a {
        Action::Deliver { event, .. } if event.topic() == crate::membership::LAGGED => Some(event),
        _ => None,
    });
    let notice: serde_json::Value =
        serde_json::from_slice(lagged.expect("a $lagged notice").payload()).unwrap();
    assert_eq!((notice["missed"].as_u64(), notice["from"].as_u64()), (Some(5), Some(1)));
}

/// The hub relays a frame of which this client listens to no event (routing left them all out,
/// or none matches here): nothing is delivered, and nothing will be while the sender emits
/// only such events. The frame must still be acknowledged, or the sender's window stalls and
/// the hub cuts this client off as slow.
#[test]
fn a_frame_that_delivers_nothing_here_is_acknowledged_at_once() {
    const ME: u64 = 2;
    const HUB: u64 = 9;
    const SENDER: u64 = 5;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = linked_client(&mut me, HUB, vec![ME, SENDER], t0);
    let mut issued = deliveries(&actions(&mut me));

    // One event, taken by the listeners (with the membership notices before it): acknowledged.
    let frame = events(SENDER, 1, 1..=1, &[1]);
    me.receive(t0, attempt, None, frame);
    me.caught_up(t0);
    issued += deliveries(&actions(&mut me));
    me.listeners_took(t0, issued);
    me.caught_up(t0);
    assert_eq!(acks_of(&actions(&mut me), SENDER), [1]);

    // Then a frame with nothing for this node.
    let frame = events(SENDER, 1, 2..=4, &[]);
    me.receive(t0, attempt, None, frame);
    me.caught_up(t0);
    assert_eq!(acks_of(&actions(&mut me), SENDER), [4], "2..=4 are held: nothing to wait for");
}

/// Once the caller said which patterns its listeners hold, an event is made only for a topic
/// one of them matches: a hub with no listener of its own relays frames without making any, a
/// member gets only what it listens to, and a node's own events go back to its listeners only
/// when one wants them. What is not delivered is acknowledged all the same, so neither a sender
/// nor the node's own reservations wait for a delivery that never comes.
#[test]
fn events_are_made_only_for_topics_a_listener_here_matches() {
    const ME: u64 = 2;
    const HUB: u64 = 9;
    const SENDER: u64 = 5;
    let t0 = Instant::now();
    let mut me = node_with(ME, t0, |settings| Settings { local_echo: true, ..settings });
    me.set_patterns(vec![("a.*".into(), 1)]);
    let attempt = linked_client(&mut me, HUB, vec![ME, SENDER], t0);
    let issued = deliveries(&actions(&mut me));

    let mut batch = wire::EventsBatch::new(SENDER, "peer", 0);
    for (seq, topic) in [(1, "a.x"), (2, "b.y"), (3, "a.z"), (4, "b.y")] {
        batch.push(seq, Codec::Json, topic, b"1").expect("a small event");
    }
    let mut bytes = batch.finish(1, 4);
    wire::set_retained_from(&mut bytes, 1);
    me.receive(t0, attempt, None, Received::decode(Bytes::from(bytes)).expect("a frame"));
    me.caught_up(t0);
    let delivered: Vec<(u64, String)> = actions(&mut me)
        .into_iter()
        .filter_map(|a| match a {
            Action::Deliver { event, .. } => Some((event.seq(), event.topic().to_owned())),
            _ => None,
        })
        .collect();
    assert_eq!(delivered, [(1, "a.x".into()), (3, "a.z".into())]);
    me.listeners_took(t0, issued + 2);
    me.caught_up(t0);
    assert_eq!(acks_of(&actions(&mut me), SENDER), [4], "b.y is held too, without a delivery");

    // Its own event on a topic no listener here matches: no delivery, and taken at once.
    assert_eq!(me.emit("b.own", Codec::Json, b"1", 0), Some(1));
    assert_eq!(me.emit("a.own", Codec::Json, b"1", 0), Some(2));
    let echoed: Vec<String> = actions(&mut me)
        .into_iter()
        .filter_map(|a| match a {
            Action::Deliver { event, .. } => Some(event.topic().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(echoed, ["a.own"]);
}

/// A client takes over as hub after its hub's connection dropped, and is frozen right after
/// (its process stopped) for longer than it awaits the members of the old cluster. When it runs
/// again, every deadline is past; but the time was its own silence, not the members': until its
/// beat saw that and gave them a fresh grace period, its own events must not count as held by
/// everyone, whatever input comes first.
#[test]
fn a_new_hub_frozen_past_its_grace_period_still_awaits_the_old_members() {
    const ME: u64 = 2;
    const OLD_HUB: u64 = 9;
    const OTHER: u64 = 7;
    let liveness = Duration::from_millis(200);
    let election_timeout = Duration::from_millis(300);
    let t0 = Instant::now();
    let mut me = node_with(ME, t0, |settings| Settings {
        liveness_interval: liveness,
        election_timeout,
        ..settings
    });
    let attempt = linked_client(&mut me, OLD_HUB, vec![ME, OTHER], t0);
    // Events of the other member arrive (this node is busy: it repeats acknowledgements).
    let frame = events(OTHER, 1, 1..=1, &[1]);
    me.receive(t0, attempt, None, frame);
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
    let ticket = me.flush(t0).expect("the event is not acknowledged yet");
    actions(&mut me);

    // The hub's connection drops; this node binds the first candidate and is the hub.
    let t1 = t0 + Duration::from_millis(10);
    me.connection_down(t1, attempt, 1);
    assert!(actions(&mut me).iter().any(|a| matches!(a, Action::Crash(_))));
    me.restarted(t1);
    let attempt = bound_hub(&mut me, t1);
    actions(&mut me);

    // Frozen past its grace period for the other member, it runs again.
    let thawed = t1 + election_timeout * 2 + liveness * 4;
    me.caught_up(thawed);
    let first = actions(&mut me);
    assert!(!flushed(&first), "the flush resolved while the other member was still awaited");
    me.handle_timeout(thawed);
    let then = actions(&mut me);
    assert!(!flushed(&then), "the flush resolved while the other member was still awaited");

    // It rejoins holding nothing of this node's, and so does the old hub: once they hold the
    // event, the flush resolves.
    rejoin(&mut me, attempt, 5, OTHER, thawed);
    acknowledge(&mut me, attempt, 5, OTHER, thawed);
    rejoin(&mut me, attempt, 6, OLD_HUB, thawed);
    acknowledge(&mut me, attempt, 6, OLD_HUB, thawed);
    let done = actions(&mut me);
    assert!(done.iter().any(|a| matches!(a, Action::Flushed(t) if *t == ticket)));
}

/// The hub's window toward its clients (it waits for slow clients) is full, and a client's
/// frame reaches the hub after a gap (the one before it was lost on the way): it waits in the queue. The sender, asked again,
/// sends the missing frame, and the later one too. The missing one must wait in the queue
/// before the later one, not be taken for a frame already waiting: else the other clients get
/// the later frame with a gap, and only the sender, by then perhaps gone, could fill it.
#[test]
fn a_frame_that_fills_a_gap_waits_in_the_hub_queue_before_later_ones() {
    const ME: u64 = 2;
    const SENDER: u64 = 5;
    const OTHER: u64 = 7;
    let t0 = Instant::now();
    let waiting = |settings| Settings { window: 1, slow_consumer: SlowConsumer::Wait, ..settings };
    let mut me = node_with(ME, t0, waiting);
    let attempt = bound_hub(&mut me, t0);
    for (conn, client) in [(1, SENDER), (2, OTHER)] {
        me.connection_up(t0, attempt, conn);
        let frame = hello(client, false, Joining::Fresh, vec![]);
        me.receive(t0, attempt, Some(conn), frame);
    }
    actions(&mut me);
    let relayed = |actions: &[Action]| -> Vec<u64> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Relay { frame, .. } | Action::SendTo { frame, .. } => {
                    match wire::decode(frame.clone()) {
                        Ok(Frame::Events(e)) => Some(e.covers_to),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect()
    };

    // Frame 1 fills the window until the other client acknowledges it; frame 2 is lost on
    // the way, frame 3 comes and waits.
    let frame = events(SENDER, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(1), frame);
    let frame = events(SENDER, 1, 3..=3, &[3]);
    me.receive(t0, attempt, Some(1), frame);
    me.caught_up(t0);
    assert_eq!(relayed(&actions(&mut me)), [1]);

    // Asked again, the sender sends 2 and 3.
    for (covers, seq) in [(2..=2, 2), (3..=3, 3)] {
        let frame = events(SENDER, 1, covers, &[seq]);
        me.receive(t0, attempt, Some(1), frame);
    }
    me.caught_up(t0);
    actions(&mut me);

    // As the other client acknowledges, the frames go out in their sender's order.
    let mut out = Vec::new();
    for held in 1..=3 {
        let ack = wire::Ack { node: OTHER, epoch: 1, acks: vec![(SENDER, held)] };
        let raw = Bytes::from(ack.encode());
        me.receive(t0, attempt, Some(2), Received::decode(raw).unwrap());
        me.caught_up(t0);
        out.extend(relayed(&actions(&mut me)));
    }
    assert_eq!(out, [2, 3]);
}

/// A sender's frame, relayed by the hub, is lost on the way to one client, and the sender's
/// connection closes before it could send it again. The client can never acknowledge that
/// frame; the hub must not keep it in its window: that would stall every other sender, and the
/// client would be cut off as slow for what only the departed sender could give it.
#[test]
fn a_departed_senders_frames_leave_the_hub_window() {
    const ME: u64 = 2;
    const SENDER: u64 = 5;
    const OTHER: u64 = 7;
    const LOSER: u64 = 8;
    let t0 = Instant::now();
    let mut me = node_with(ME, t0, |settings| Settings { window: 1, ..settings });
    let attempt = bound_hub(&mut me, t0);
    for (conn, client) in [(1, SENDER), (2, OTHER), (3, LOSER)] {
        me.connection_up(t0, attempt, conn);
        let frame = hello(client, false, Joining::Fresh, vec![]);
        me.receive(t0, attempt, Some(conn), frame);
    }
    actions(&mut me);
    let relayed_from = |actions: &[Action], sender: u64| {
        actions.iter().any(|a| match a {
            Action::Relay { frame, .. } | Action::SendTo { frame, .. } => {
                matches!(wire::decode(frame.clone()), Ok(Frame::Events(e)) if e.node == sender)
            }
            _ => false,
        })
    };

    // The sender's frame goes out; one client acknowledges it, the other never got it.
    let frame = events(SENDER, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(1), frame);
    me.caught_up(t0);
    assert!(relayed_from(&actions(&mut me), SENDER));
    let ack = wire::Ack { node: OTHER, epoch: 1, acks: vec![(SENDER, 1)] };
    let raw = Bytes::from(ack.encode());
    me.receive(t0, attempt, Some(2), Received::decode(raw).unwrap());
    me.caught_up(t0);
    actions(&mut me);

    // The sender goes; another client's frame must go out at once.
    me.connection_down(t0, attempt, 1);
    let frame = events(OTHER, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(2), frame);
    me.caught_up(t0);
    assert!(relayed_from(&actions(&mut me), OTHER), "the window waits for the departed sender");
}

/// A hub's client goes without a word (its connection closes: it may only be cut off), then
/// the hub's own link fails and it binds again, a new hub. It must await that client as the
/// hub before it did, not forget it with the old link: else its events count as held by
/// everyone while that client is on its way back.
#[test]
fn a_hub_that_binds_again_still_awaits_the_clients_it_awaited() {
    const ME: u64 = 2;
    const OTHER: u64 = 7;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = bound_hub(&mut me, t0);
    me.connection_up(t0, attempt, 1);
    let frame = hello(OTHER, false, Joining::Fresh, vec![]);
    me.receive(t0, attempt, Some(1), frame);
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
    let ticket = me.flush(t0).expect("the event is not acknowledged yet");
    actions(&mut me);

    // The client's connection closes; then the hub's socket fails, and it binds again.
    me.connection_down(t0, attempt, 1);
    me.link_failed(attempt, "socket failed");
    assert!(actions(&mut me).iter().any(|a| matches!(a, Action::Crash(_))));
    me.restarted(t0);
    let attempt = bound_hub(&mut me, t0);
    actions(&mut me);

    // Well past the hold for members it may not know of, the client is still awaited.
    let waiting = run_until(&mut me, t0 + ELECTION_TIMEOUT);
    assert!(!flushed(&waiting), "the flush resolved while the client was on its way back");

    // It rejoins and acknowledges the event: the flush resolves.
    let t1 = t0 + ELECTION_TIMEOUT;
    me.connection_up(t1, attempt, 2);
    let frame = hello(OTHER, false, Joining::Again, vec![]);
    me.receive(t1, attempt, Some(2), frame);
    let ack = wire::Ack { node: OTHER, epoch: 2, acks: vec![(ME, 1)] };
    let raw = Bytes::from(ack.encode());
    me.receive(t1, attempt, Some(2), Received::decode(raw).unwrap());
    me.caught_up(t1);
    assert!(actions(&mut me).iter().any(|a| matches!(a, Action::Flushed(t) if *t == ticket)));
}

/// A node that was never in the cluster becomes the hub (the old hub froze, and it was the
/// first to bind). It knows nobody; a member coming back lists the members it knew of, and the
/// new hub must await those too before its senders forget anything.
#[test]
fn a_fresh_hub_awaits_the_members_a_rejoining_client_knew() {
    const ME: u64 = 2;
    const BACK: u64 = 5;
    const STILL_AWAY: u64 = 7;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = bound_hub(&mut me, t0);
    me.connection_up(t0, attempt, 5);
    let frame = hello(BACK, false, Joining::Again, vec![ME, STILL_AWAY]);
    me.receive(t0, attempt, Some(5), frame);
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
    let ticket = me.flush(t0).expect("not yet held by the member that came back");
    let ack = wire::Ack { node: BACK, epoch: 1, acks: vec![(ME, 1)] };
    let raw = Bytes::from(ack.encode());
    me.receive(t0, attempt, Some(5), Received::decode(raw).unwrap());
    me.caught_up(t0);
    let early = actions(&mut me);
    assert!(!early.iter().any(|a| matches!(a, Action::Flushed(t) if *t == ticket)), "7 is awaited");
    // 7 never comes back: after the grace period it is no longer a member.
    let later = run_until(&mut me, t0 + ELECTION_TIMEOUT * 4);
    assert!(later.iter().any(|a| matches!(a, Action::Flushed(t) if *t == ticket)));
}

/// A member's connection speaks only for the node it introduced itself as: an events frame in
/// another member's name, a hello claiming to be a hub, and anything before its hello are
/// dropped and counted; its own frames pass.
#[test]
fn a_member_cannot_speak_for_another_node_or_for_a_hub() {
    use std::sync::atomic::Ordering;
    const ME: u64 = 2;
    const HONEST: u64 = 7;
    const VICTIM: u64 = 9;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(ME, HONEST, t0);
    let delivered = |me: &mut Node| deliveries(&actions(me));

    let frame = events(VICTIM, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(5), frame);
    assert_eq!(delivered(&mut me), 0, "an event in the victim's name is not delivered");
    let frame = hello(HONEST, true, Joining::No, vec![]);
    me.receive(t0, attempt, Some(5), frame);
    me.connection_up(t0, attempt, 6);
    let frame = events(HONEST, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(6), frame);
    assert_eq!(delivered(&mut me), 0, "nothing counts before a connection's hello");
    assert_eq!(me.stats.impersonations.load(Ordering::Relaxed), 3);

    let frame = events(HONEST, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(5), frame);
    assert_eq!(delivered(&mut me), 1, "its own event passes");
}

/// Requests to re-send are answered at most once per interval for what a re-send already
/// covered: a flood of them (or many members missing the same frame) cannot multiply traffic.
#[test]
fn a_flood_of_resend_requests_is_answered_once_per_interval() {
    const ME: u64 = 2;
    const HUB: u64 = 9;
    const ASKER: u64 = 7;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = linked_client(&mut me, HUB, vec![ME, ASKER], t0);
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
    me.caught_up(t0);
    actions(&mut me);
    let resent = |me: &mut Node| {
        actions(me)
            .into_iter()
            .filter(|a| match a {
                Action::Send(bytes) => {
                    matches!(wire::decode(bytes.clone()), Ok(Frame::Events(e)) if e.node == ME)
                }
                _ => false,
            })
            .count()
    };
    let ask = |me: &mut Node, at: Instant| {
        let nack = wire::Nack { node: ASKER, sender: ME, from_seq: 1 };
        let raw = Bytes::from(nack.encode());
        me.receive(at, attempt, None, Received::decode(raw).unwrap());
    };
    for _ in 0..100 {
        ask(&mut me, t0);
    }
    assert_eq!(resent(&mut me), 1, "one re-send for a hundred requests");
    ask(&mut me, t0 + Duration::from_millis(60));
    assert_eq!(resent(&mut me), 1, "a request after the interval is answered");
}

/// Only a connection's first hello may join: a member that keeps sending joining hellos would
/// make every member re-send its window for each, so the hub drops them (and relays nothing).
#[test]
fn a_second_joining_hello_on_a_connection_is_dropped() {
    use std::sync::atomic::Ordering;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(2, 7, t0);
    for _ in 0..10 {
        let frame = hello(7, false, Joining::Again, vec![]);
        me.receive(t0, attempt, Some(5), frame);
    }
    let relayed = actions(&mut me).iter().filter(|a| matches!(a, Action::Relay { .. })).count();
    assert_eq!(relayed, 0);
    assert_eq!(me.stats.malformed.load(Ordering::Relaxed), 10);
}

/// Whether `actions` send one of `sender`'s events frames.
fn sends_events_of(actions: &[Action], sender: u64) -> bool {
    events_frames_sent(actions, sender) > 0
}

/// How many events frames of `sender` go to the hub (or every client) among `actions`.
fn events_frames_sent(actions: &[Action], sender: u64) -> usize {
    let of_sender = |bytes: &Bytes| matches!(wire::decode(bytes.clone()), Ok(Frame::Events(e)) if e.node == sender);
    actions.iter().filter(|a| matches!(a, Action::Send(bytes) if of_sender(bytes))).count()
}

/// A first-time member is owed only what the hub relays after it connected: a sender does not
/// send its frames in flight again for it (with many producers joining one by one, each join
/// re-sent every other producer's window: duplicates by the hundred thousand). A member back
/// after a lost hub may miss them: for it they go again.
#[test]
fn a_first_time_member_makes_no_sender_send_again_a_returning_one_does() {
    const ME: u64 = 2;
    const HUB: u64 = 9;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = linked_client(&mut me, HUB, vec![ME], t0);
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
    me.flush(t0).expect("the event is not acknowledged yet");
    assert!(sends_events_of(&actions(&mut me), ME), "the event goes out once");

    let frame = hello(5, false, Joining::Fresh, vec![]);
    me.receive(t0, attempt, None, frame);
    assert!(!sends_events_of(&actions(&mut me), ME), "sent again for a first-time member");

    let frame = hello(6, false, Joining::Again, vec![]);
    me.receive(t0, attempt, None, frame);
    assert!(sends_events_of(&actions(&mut me), ME), "not sent again for a returning member");
}

/// The frames among `actions` that go to the client connection `to` alone.
fn sent_to(actions: &[Action], to: u64) -> Vec<Frame> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::SendTo { to: conn, frame } if *conn == to => wire::decode(frame.clone()).ok(),
            _ => None,
        })
        .collect()
}

/// A first hello with a key that is not the one a member's id is bound to, or with none (or in
/// the hub's own id), is an impostor's: it is closed, and the member keeps its connection. A
/// member back on a new connection, with its key, takes over at once, even while its old one is
/// still open; the old one's closing says nothing of the member, which is still here.
#[test]
fn a_first_hello_in_a_members_id_without_its_key_closes_that_connection() {
    use std::sync::atomic::Ordering;
    const ME: u64 = 2;
    const MEMBER: u64 = 7;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(ME, MEMBER, t0);
    let cut_off = |actions: &[Action], conn: u64| {
        actions.iter().any(|a| matches!(a, Action::CutOff(c) if *c == conn))
    };
    let claims = [
        (6, MEMBER, Proof::Key(NodeKey([0xAA; KEY_LEN]))),
        (8, MEMBER, Proof::None),
        (10, MEMBER, Proof::KeyHash(NodeKey::sample(MEMBER).hash())),
        (11, ME, Proof::Key(NodeKey::sample(ME))),
    ];
    for (conn, claimed, proof) in claims {
        me.connection_up(t0, attempt, conn);
        let hello = Hello { proof, ..Hello::sample(claimed, false, Joining::Fresh) };
        me.receive(t0, attempt, Some(conn), received(hello.encode()));
        let out = actions(&mut me);
        assert!(cut_off(&out, conn), "the impostor on {conn} is closed");
        assert!(!out.iter().any(|a| matches!(a, Action::Relay { .. })), "its hello goes nowhere");
    }
    assert_eq!(me.stats.impersonations.load(Ordering::Relaxed), 4);

    me.connection_up(t0, attempt, 9);
    let frame = hello(MEMBER, false, Joining::Again, vec![]);
    me.receive(t0, attempt, Some(9), frame);
    let out = actions(&mut me);
    assert!(cut_off(&out, 5), "the old connection is closed instead");
    let relayed = out.iter().find_map(|a| match a {
        Action::Relay { frame, .. } => wire::decode(frame.clone()).ok(),
        _ => None,
    });
    let Some(Frame::Hello(relayed)) = relayed else { panic!("the hello is relayed: {out:?}") };
    let bound_to = Proof::KeyHash(NodeKey::sample(MEMBER).hash());
    assert_eq!(relayed.proof, bound_to, "the others learn the key's hash, never the key");
    me.connection_down(t0, attempt, 5);
    let notices = actions(&mut me).into_iter().any(|a| match a {
        Action::Send(bytes) => matches!(wire::decode(bytes), Ok(Frame::Left(_))),
        _ => false,
    });
    assert!(!notices, "the member did not leave: it is on its new connection");
    assert_eq!(me.peers().len(), 1);
}

/// A member the hub cut off, or that went without a word, keeps its id for as long as the
/// cluster remembers it (a minute): a first hello in that id without its key is refused
/// meanwhile, and the member itself comes back with its key. After that the id is free.
/// (Without the binding, whoever reached the hub first took the id of a member that was not
/// linked.)
#[test]
fn the_id_of_a_member_that_is_not_linked_stays_bound_to_its_key_for_a_minute() {
    use std::sync::atomic::Ordering;
    const ME: u64 = 2;
    const MEMBER: u64 = 7;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(ME, MEMBER, t0);
    me.connection_down(t0, attempt, 5);
    actions(&mut me);
    let claim = |me: &mut Node, at: Instant, conn: u64, proof: Proof| {
        me.connection_up(at, attempt, conn);
        let hello = Hello { proof, ..Hello::sample(MEMBER, false, Joining::Again) };
        me.receive(at, attempt, Some(conn), received(hello.encode()));
        !actions(me).iter().any(|a| matches!(a, Action::CutOff(c) if *c == conn))
    };
    let impostor = Proof::Key(NodeKey([0xAA; KEY_LEN]));
    // Well past its grace period (2 s), within the minute.
    let within = t0 + Duration::from_secs(30);
    assert!(!claim(&mut me, within, 6, impostor), "taken by an impostor while bound");
    assert_eq!(me.stats.impersonations.load(Ordering::Relaxed), 1);
    assert!(claim(&mut me, within, 8, Proof::Key(NodeKey::sample(MEMBER))), "its member refused");
    me.connection_down(within, attempt, 8);
    actions(&mut me);
    let past = within + Duration::from_secs(61);
    run_until(&mut me, past);
    assert!(claim(&mut me, past, 9, impostor), "the id is still bound after a minute");
}

/// A member learns from its hub what each member's id is bound to; when it becomes the hub, the
/// ids of the members it knew stay bound while they are awaited, so a process that reaches it
/// first cannot take one.
#[test]
fn a_new_hub_keeps_the_ids_it_learned_bound_while_their_members_are_awaited() {
    use std::sync::atomic::Ordering;
    const ME: u64 = 2;
    const OLD_HUB: u64 = 1;
    const MEMBER: u64 = 7;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    linked_client(&mut me, OLD_HUB, vec![ME, MEMBER], t0);
    assert_eq!(me.bindings.hash_of(MEMBER), NodeKey::sample(MEMBER).hash());
    let (attempt, became_hub) = take_over_from_a_silent_hub(&mut me, t0);
    let within = became_hub + Duration::from_millis(100);
    me.connection_up(within, attempt, 6);
    let impostor = Proof::Key(NodeKey([0xAA; KEY_LEN]));
    let forged = Hello { proof: impostor, ..Hello::sample(MEMBER, false, Joining::Again) };
    me.receive(within, attempt, Some(6), received(forged.encode()));
    assert!(
        actions(&mut me).iter().any(|a| matches!(a, Action::CutOff(6))),
        "taken at the new hub"
    );
    assert_eq!(me.stats.impersonations.load(Ordering::Relaxed), 1);
    me.connection_up(within, attempt, 8);
    me.receive(within, attempt, Some(8), hello(MEMBER, false, Joining::Again, vec![]));
    assert!(!actions(&mut me).iter().any(|a| matches!(a, Action::CutOff(8))), "its member refused");
}

/// A client that knows a newer election moves the hub's epoch past it, and the hub tells its
/// clients with its next hello, without an election; an epoch no run of elections can have
/// reached is dropped as malformed.
#[test]
fn a_client_that_knows_a_newer_election_moves_the_hub_past_it_without_an_election() {
    use std::sync::atomic::Ordering;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(2, 7, t0);
    let hello_epoch = |epoch: u64| {
        let hello = Hello { epoch, ..Hello::sample(7, false, Joining::No) };
        Received::decode(Bytes::from(hello.encode())).expect("a valid hello")
    };
    let hub_epochs = |actions: &[Action]| -> Vec<u64> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Send(bytes) => match wire::decode(bytes.clone()) {
                    Ok(Frame::Hello(hello)) if hello.hub => Some(hello.epoch),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    };
    let frame = hello_epoch(5);
    me.receive(t0 + Duration::from_secs(1), attempt, Some(5), frame);
    let out = actions(&mut me);
    assert!(!out.iter().any(|a| matches!(a, Action::Crash(_))), "no election");
    assert!(hub_epochs(&out).is_empty(), "not at once: a hello of a few bytes would buy it");
    let beat = run_until(&mut me, t0 + Duration::from_secs(2));
    let told = hub_epochs(&beat);
    assert!(!told.is_empty() && told.iter().all(|e| *e == 6), "the next beat says so: {told:?}");

    let frame = hello_epoch(wire::MAX_EPOCH);
    me.receive(t0 + Duration::from_secs(2), attempt, Some(5), frame);
    let out = actions(&mut me);
    assert!(hub_epochs(&out).is_empty() && !out.iter().any(|a| matches!(a, Action::Crash(_))));
    assert_eq!(me.stats.malformed.load(Ordering::Relaxed), 1);
}

/// A request to re-send goes to its sender's connection only, at most once per half interval
/// from one client, and again only once that client took some of the sender's events or after
/// a liveness interval; one for a sender that is not connected goes nowhere.
#[test]
fn a_request_to_resend_goes_to_its_sender_only_and_floods_are_dropped() {
    use std::sync::atomic::Ordering;
    const ME: u64 = 2;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(ME, 7, t0);
    me.connection_up(t0, attempt, 6);
    let frame = hello(8, false, Joining::Fresh, vec![]);
    me.receive(t0, attempt, Some(6), frame);
    let frame = events(8, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(6), frame);
    actions(&mut me);
    let ask = |me: &mut Node, sender: u64, at: Instant| {
        let raw = Bytes::from(wire::Nack { node: 7, sender, from_seq: 1 }.encode());
        me.receive(at, attempt, Some(5), Received::decode(raw).unwrap());
        actions(me)
    };
    let out = ask(&mut me, 8, t0);
    assert_eq!(sent_to(&out, 6).len(), 1, "to the sender");
    assert!(!out.iter().any(|a| matches!(a, Action::Relay { .. } | Action::Send(_))));
    for _ in 0..100 {
        assert!(ask(&mut me, 8, t0 + Duration::from_millis(10)).is_empty(), "a flood");
    }
    assert_eq!(me.stats.throttled.load(Ordering::Relaxed), 100);
    let again = t0 + Duration::from_millis(30);
    assert!(ask(&mut me, 8, again).is_empty(), "again before taking anything of the answer");
    let patience = t0 + Duration::from_secs(1);
    assert_eq!(sent_to(&ask(&mut me, 8, patience), 6).len(), 1, "again after a while");
    // Once it took some of the sender's events, it may ask again soon.
    acknowledge_up_to(&mut me, attempt, 5, 7, (8, 1), patience);
    actions(&mut me);
    let soon = patience + Duration::from_millis(30);
    assert_eq!(sent_to(&ask(&mut me, 8, soon), 6).len(), 1, "it took something meanwhile");
    assert!(ask(&mut me, 99, t0).is_empty(), "nobody to ask");
    let relay = me.footprint().relay.expect("the hub");
    let tracked = relay.clients.iter().map(|c| c.last_nack).max();
    assert_eq!(tracked, Some(1), "a request for a sender never relayed leaves no trace");
}

/// Requests to re-send from ever lower sequence numbers re-send, within one interval, each
/// frame at most once: however they come, one interval costs at most the window.
#[test]
fn requests_from_ever_lower_sequence_numbers_resend_each_frame_once_per_interval() {
    const ME: u64 = 2;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = linked_client(&mut me, 9, vec![ME, 7], t0);
    for _ in 0..5 {
        assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
        me.flush(t0).expect("not acknowledged yet");
    }
    let raw = Bytes::from(wire::Relayed { node: 9, epoch: me.epoch, frames: 5 }.encode());
    me.receive(t0, attempt, None, Received::decode(raw).unwrap());
    actions(&mut me);
    let mut resent = 0;
    for from_seq in (1..=5).rev().chain(1..=5) {
        let raw = Bytes::from(wire::Nack { node: 7, sender: ME, from_seq }.encode());
        me.receive(t0, attempt, None, Received::decode(raw).unwrap());
        resent += actions(&mut me).iter().filter(|a| matches!(a, Action::Send(_))).count();
        // The hub takes each re-sent frame: the window does not hold them back.
        let frames = 5 + resent as u64;
        let raw = Bytes::from(wire::Relayed { node: 9, epoch: me.epoch, frames }.encode());
        me.receive(t0, attempt, None, Received::decode(raw).unwrap());
    }
    assert_eq!(resent, 5, "each of the five frames once");
}

/// A frame sent again (a repair) goes only to the clients that do not hold it yet; the others
/// acknowledged it already.
#[test]
fn a_repair_goes_only_to_the_clients_that_lack_it() {
    const ME: u64 = 2;
    const SENDER: u64 = 7;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(ME, SENDER, t0);
    me.connection_up(t0, attempt, 6);
    let frame = hello(8, false, Joining::Fresh, vec![]);
    me.receive(t0, attempt, Some(6), frame);
    actions(&mut me);
    let frame = events(SENDER, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(5), frame);
    assert_eq!(sent_to(&actions(&mut me), 6).len(), 1, "relayed to the other client");
    let ack = Bytes::from(wire::Ack { node: 8, epoch: 1, acks: vec![(SENDER, 1)] }.encode());
    me.receive(t0, attempt, Some(6), Received::decode(ack).unwrap());
    me.connection_up(t0, attempt, 10);
    let frame = hello(11, false, Joining::Again, vec![]);
    me.receive(t0, attempt, Some(10), frame);
    actions(&mut me);
    let frame = events(SENDER, 1, 1..=1, &[1]);
    me.receive(t0, attempt, Some(5), frame);
    let out = actions(&mut me);
    assert_eq!(sent_to(&out, 10).len(), 1, "to the member back without it");
    assert!(sent_to(&out, 6).is_empty(), "not to the one that acknowledged it");
}

/// A member beats once per its liveness interval: hellos that come within 10 ms of the last
/// are a flood, dropped, not relayed, and counted.
#[test]
fn hellos_faster_than_the_beat_are_dropped() {
    use std::sync::atomic::Ordering;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(2, 7, t0);
    let mut relayed = 0;
    for ms in [100, 103, 106, 120] {
        let frame = hello(7, false, Joining::No, vec![]);
        me.receive(t0 + Duration::from_millis(ms), attempt, Some(5), frame);
        relayed += actions(&mut me).iter().filter(|a| matches!(a, Action::Relay { .. })).count();
    }
    assert_eq!(relayed, 2, "only those 10 ms or more after the last taken");
    assert_eq!(me.stats.throttled.load(Ordering::Relaxed), 2);
}

/// A client's new events wait while `window` of its frames are not yet held by every member,
/// and go past them once they did not move for [`PAST_WINDOW_AFTER`], woken by the node's own
/// timeout when nothing else comes: a member that never acknowledges delays the others, it
/// does not stop them.
#[test]
fn events_go_past_a_window_that_does_not_move_when_its_time_comes() {
    use crate::sender::PAST_WINDOW_AFTER;
    const ME: u64 = 2;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = linked_client(&mut me, 9, vec![ME, 7], t0);
    actions(&mut me);
    let events_sent = |out: &[Action]| events_frames_sent(out, ME);
    let emit_one = |me: &mut Node| {
        assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
        me.flush(t0).expect("not acknowledged yet");
        events_sent(&actions(me))
    };
    let window = Settings::new("scripted", "").window;
    let sent: usize = (0..window).map(|_| emit_one(&mut me)).sum();
    assert_eq!(sent, window, "one frame per flush");
    let frames = window as u64;
    let raw = Bytes::from(wire::Relayed { node: 9, epoch: me.epoch, frames }.encode());
    me.receive(t0, attempt, None, Received::decode(raw).unwrap());
    assert_eq!(emit_one(&mut me), 0, "the window is full: nobody acknowledged anything");
    let due = t0 + PAST_WINDOW_AFTER;
    assert_eq!(me.poll_timeout(), Some(due));
    assert_eq!(events_sent(&run_until(&mut me, due - Duration::from_millis(1))), 0);
    assert_eq!(events_sent(&run_until(&mut me, due)), 1, "past the window");
    assert_eq!(me.stats.past_window.load(std::sync::atomic::Ordering::Relaxed), 1);
}

/// The `left` frames among `actions` that go to every client.
fn lefts_sent(actions: &[Action]) -> usize {
    let left = |bytes: &Bytes| matches!(wire::decode(bytes.clone()), Ok(Frame::Left(_)));
    actions.iter().filter(|a| matches!(a, Action::Send(bytes) if left(bytes))).count()
}

/// `member`, on `conn`, holds `sender`'s events up to `seq`.
fn acknowledge_up_to(
    me: &mut Node,
    attempt: u64,
    conn: u64,
    member: u64,
    (sender, seq): (u64, u64),
    at: Instant,
) {
    let ack = wire::Ack { node: member, epoch: 1, acks: vec![(sender, seq)] };
    let raw = Bytes::from(ack.encode());
    me.receive(at, attempt, Some(conn), Received::decode(raw).unwrap());
    me.caught_up(at);
}

/// A member coming back after a lost hub names the members it knew, and a new hub awaits
/// those it never heard of (see `a_fresh_hub_awaits_the_members_a_rejoining_client_knew`). The
/// hub cannot check that claim, so no member can make it cost more than a bounded wait: within
/// the hub's opening grace period it awaits at most `MAX_AWAITED_ON_WORD` members on another's
/// word, and tells at most that many `left` frames when it gives up on them; after that period
/// such a claim is refused, and holds nothing back. Both refusals are counted.
#[test]
fn made_up_members_in_a_rejoining_hello_cost_at_most_a_bounded_wait() {
    use crate::relay::MAX_AWAITED_ON_WORD;
    use std::sync::atomic::Ordering;
    const ME: u64 = 2;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(ME, 7, t0);
    me.connection_up(t0, attempt, 6);
    let made_up: Vec<u64> = (1_000..5_000).collect();
    let frame = hello(8, false, Joining::Again, made_up);
    me.receive(t0, attempt, Some(6), frame);
    let refused = me.stats.over_budget.load(Ordering::Relaxed);
    assert_eq!(refused, 4_000 - MAX_AWAITED_ON_WORD as u64, "awaited past the bound");
    actions(&mut me);
    let gave_up = run_until(&mut me, t0 + ELECTION_TIMEOUT * 4);
    assert_eq!(lefts_sent(&gave_up), MAX_AWAITED_ON_WORD, "one left per member awaited, no more");

    // Past the opening grace period, a claim holds nothing back.
    let t1 = t0 + ELECTION_TIMEOUT * 4;
    me.connection_up(t1, attempt, 9);
    let frame = hello(10, false, Joining::Again, (20_000..20_100).collect());
    me.receive(t1, attempt, Some(9), frame);
    assert_eq!(me.stats.over_budget.load(Ordering::Relaxed), refused + 100);
    assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
    let ticket = me.flush(t1).expect("not yet held by the members");
    me.caught_up(t1);
    for (conn, member) in [(5, 7), (6, 8), (9, 10)] {
        acknowledge_up_to(&mut me, attempt, conn, member, (ME, 1), t1);
    }
    let done = actions(&mut me);
    assert!(done.iter().any(|a| matches!(a, Action::Flushed(t) if *t == ticket)), "flush waited");
}

/// Members that connect, say hello and go without a word, one after the other (a new id each
/// time, or the same one), cannot hold a flush back for long: each holds back only what it
/// lacked when it went, and only for its own grace period, and one that connects holds what
/// was relayed before. So a flush resolves within a short stay and a grace period.
#[test]
fn churn_of_members_gone_without_a_word_cannot_stall_a_flush() {
    const ME: u64 = 2;
    const MEMBER: u64 = 7;
    for same_id in [false, true] {
        let t0 = Instant::now();
        let (mut me, attempt) = hub_with_client(ME, MEMBER, t0);
        let stay = Duration::from_millis(950);
        let mut flushed_at = None;
        let mut ticket = None;
        for i in 0..40u64 {
            let at = t0 + stay * i as u32;
            if i > 0 {
                me.connection_down(at, attempt, 100 + i - 1);
            }
            me.connection_up(at, attempt, 100 + i);
            let churner = if same_id { 1_000 } else { 1_000 + i };
            let frame = hello(churner, false, Joining::Fresh, vec![]);
            me.receive(at, attempt, Some(100 + i), frame);
            let frame = hello(MEMBER, false, Joining::No, vec![]);
            me.receive(at, attempt, Some(5), frame);
            if i == 1 {
                assert!(me.emit("t", Codec::Json, b"1", 0).is_some());
                ticket = me.flush(at);
                me.caught_up(at);
                acknowledge_up_to(&mut me, attempt, 5, MEMBER, (ME, 1), at);
            }
            let mut done = actions(&mut me);
            done.extend(run_until(&mut me, at + stay - Duration::from_millis(1)));
            if done.iter().any(|a| matches!(a, Action::Flushed(t) if Some(*t) == ticket)) {
                flushed_at.get_or_insert(at);
            }
        }
        let flushed_at = flushed_at.expect("the flush never resolved under churn");
        let waited = flushed_at.duration_since(t0 + stay);
        assert!(waited <= stay + ELECTION_TIMEOUT * 3, "same id: {same_id}, waited {waited:?}");
    }
}

/// A client takes its hub's word that a member left only for members it knows: one it never
/// heard of leaves no trace here (no notice, nothing owed and listed in its hellos), whatever
/// a hub that gave up on members awaited on another's word tells it.
#[test]
fn word_that_unknown_members_left_leaves_no_trace() {
    const ME: u64 = 2;
    const HUB: u64 = 9;
    const KNOWN: u64 = 7;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = linked_client(&mut me, HUB, vec![ME], t0);
    let frame = hello(KNOWN, false, Joining::No, vec![]);
    me.receive(t0, attempt, None, frame);
    actions(&mut me);
    for node in (1_000..3_000).chain([KNOWN]) {
        let left = wire::Left { epoch: 1, node, reason: wire::LeftReason::Silent };
        let raw = Bytes::from(left.encode());
        me.receive(t0, attempt, None, Received::decode(raw).unwrap());
    }
    assert_eq!(deliveries(&actions(&mut me)), 1, "one $peer.left, for the member it knew");
    assert_eq!(me.owed_list(), vec![(KNOWN, 0)], "owed word: the known member only");
}

/// The hub greets a connection (its hello, and what everyone listens to) only once it said its
/// own hello: a connection that says nothing costs the hub nothing to send.
#[test]
fn a_connection_is_greeted_only_once_it_introduced_itself() {
    const ME: u64 = 2;
    let t0 = Instant::now();
    let (mut me, attempt) = hub_with_client(ME, 7, t0);
    me.connection_up(t0, attempt, 6);
    assert!(sent_to(&actions(&mut me), 6).is_empty(), "greeted before saying anything");
    let frame = hello(8, false, Joining::Fresh, vec![]);
    me.receive(t0, attempt, Some(6), frame);
    let greeting = sent_to(&actions(&mut me), 6);
    assert!(matches!(greeting.first(), Some(Frame::Hello(h)) if h.node == ME && h.hub));
    let of_member = |f: &Frame| matches!(f, Frame::Interest(i) if i.node == 7);
    assert!(greeting.iter().any(of_member), "what the other member listens to");
}

/// A member can say it no longer holds any of its own events, and the others then report them
/// lost: a claim of more than it can have sent (here 2^61, from a hello) is not reported (no
/// `$lagged`, no `gaps`; counted as over a budget), and the others move past those events all
/// the same, so that its word never holds them back. A loss it can have had is reported.
#[test]
fn a_member_cannot_claim_to_have_lost_more_events_than_it_can_have_sent() {
    use std::sync::atomic::Ordering;
    const ME: u64 = 2;
    const HUB: u64 = 9;
    const LIAR: u64 = 7;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    let attempt = linked_client(&mut me, HUB, vec![ME], t0);
    let frame = events(LIAR, 1, 1..=1, &[1]);
    me.receive(t0, attempt, None, frame);
    actions(&mut me);
    let claim = |me: &mut Node, retained_from: u64, at: Instant| {
        let hello = Hello {
            last_seq: retained_from,
            retained_from,
            ..Hello::sample(LIAR, false, Joining::No)
        };
        let raw = Bytes::from(hello.encode());
        me.receive(at, attempt, None, Received::decode(raw).unwrap());
        actions(me)
    };
    assert_eq!(deliveries(&claim(&mut me, 2, t0)), 1, "$peer.joined; it lost nothing yet");
    let t1 = t0 + Duration::from_secs(1);
    let plausible = claim(&mut me, 101, t1);
    assert_eq!(deliveries(&plausible), 1, "$lagged for events 2..=100");
    assert_eq!(me.stats.gaps.load(Ordering::Relaxed), 99);
    let implausible = claim(&mut me, 1 << 61, t1);
    assert_eq!(deliveries(&implausible), 0, "no $lagged for 2^61 events");
    assert_eq!(me.stats.gaps.load(Ordering::Relaxed), 99, "nor counted");
    assert_eq!(me.stats.over_budget.load(Ordering::Relaxed), 1);
    // Past them all the same: its next event is delivered.
    let next = (1 << 61) + 1;
    let frame = events(LIAR, 1 << 61, (1 << 61)..=next, &[next]);
    me.receive(t1, attempt, None, frame);
    assert_eq!(deliveries(&actions(&mut me)), 1);
}

/// A node that was the hub, restarted, and lost its next link as a client before any hub said
/// hello: it knows of no hub, so it owes word to nobody and awaits nobody. (It once took its
/// own id for the lost hub's: it owed word to itself, and a `close` lingered for it.)
#[test]
fn a_node_that_was_the_hub_never_owes_word_to_itself() {
    const ME: u64 = 3;
    let t0 = Instant::now();
    let mut me = node(ME, t0);
    bound_hub(&mut me, t0);
    actions(&mut me);
    me.restarted(t0);
    me.start_election(t0);
    let attempt = opened_attempt(&actions(&mut me));
    me.opened(t0, attempt, Ok(OpenedAs::Client));
    me.connection_up(t0, attempt, 1);
    me.connection_down(t0, attempt, 1);
    me.restarted(t0);
    assert_eq!(me.owed_list(), vec![], "owed word");
    assert!(!me.hub_members.contains(&ME), "awaits itself");
}

/// In a first election, a candidate whose hub refuses this node for good is left at once for
/// the next, and a refusal on the last fails the election (`connect` reports why); a node that
/// was linked before keeps dialing instead.
#[test]
fn a_final_refusal_moves_a_first_election_on_at_once_and_fails_it_on_the_last_candidate() {
    let t0 = Instant::now();
    let mut me = node(2, t0);
    me.start_election(t0);
    let first = opened_attempt(&actions(&mut me));
    me.opened(t0, first, Ok(OpenedAs::Client));
    actions(&mut me);
    assert!(!me.refused(first + 1));
    assert!(actions(&mut me).is_empty(), "a refusal on another link counts for nothing");
    assert!(!me.refused(first), "another candidate is left");
    let next = actions(&mut me);
    assert!(
        next.iter().any(|a| matches!(a, Action::Open { address, .. } if address.ends_with(":2"))),
        "{next:?}"
    );
    let second = opened_attempt(&next);
    me.opened(t0, second, Ok(OpenedAs::Client));
    actions(&mut me);
    assert!(me.refused(second));
    let failed = actions(&mut me);
    assert!(failed.iter().any(|a| matches!(a, Action::State(LinkState::Failed(())))), "{failed:?}");

    let mut linked_before = node(3, t0);
    let attempt = linked_client(&mut linked_before, 9, vec![3], t0);
    actions(&mut linked_before);
    let t1 = t0 + Duration::from_secs(3);
    assert!(run_until(&mut linked_before, t1).iter().any(|a| matches!(a, Action::Crash(_))));
    linked_before.restarted(t1);
    linked_before.start_election(t1);
    let again = opened_attempt(&actions(&mut linked_before));
    assert_ne!(again, attempt);
    linked_before.opened(t1, again, Ok(OpenedAs::Client));
    actions(&mut linked_before);
    assert!(!linked_before.refused(again));
    let after = actions(&mut linked_before);
    assert!(after.is_empty(), "{after:?}");
}
