//! The emitter's API over a real `nats-server`, with every node inside this test process: a
//! listener added while events flow gets every later event once and in order, a removed
//! pattern stops its events, peers come and go, and `flush` answers from the stream.
//!
//! Owns: these checks of the NATS backend through `EmitterHandle`. It must not start servers by
//! hand (the harness does) nor check behaviour under failures (the scenarios do).

use crate::common::NatsServer;
use actix::prelude::*;
use nanomitter::nats::{Mode, NatsOptions};
use nanomitter::{DistributedEvent, Emitter, EmitterHandle, Role};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Records every event it receives.
#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Vec<DistributedEvent>>>);

impl Actor for Collector {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for Collector {
    type Result = ();
    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        self.0.lock().unwrap().push(event);
    }
}

impl Collector {
    /// The sequence numbers of `sender`'s events on `topic`, in the order received.
    fn seqs(&self, sender: u64, topic: &str) -> Vec<u64> {
        let seen = self.0.lock().unwrap();
        seen.iter().filter(|e| e.node() == sender && e.topic() == topic).map(|e| e.seq()).collect()
    }

    fn topics(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|e| e.topic().to_owned()).collect()
    }
}

async fn node(service: &str, url: &str, mode: Mode) -> EmitterHandle {
    Emitter::builder(service)
        .address(url)
        .heartbeat_interval(None)
        .nats(NatsOptions::default().mode(mode).presence_interval(Duration::from_millis(200)))
        .connect()
        .await
        .expect("connect to nats-server")
}

/// Waits (polling, up to 20 s) until `check` holds.
async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        actix_rt::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Emits on `topic` until `listener` got one of them, so that `producer`'s later events reach it
/// (a new listener's subscription takes effect at the servers a moment after `on` returns).
/// Returns how many events `producer` emitted so far.
async fn warm_up(producer: &EmitterHandle, listener: &Collector, topic: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        producer.emit_wait(topic, &0u64).await.unwrap();
        producer.flush().await.unwrap();
        if !listener.seqs(producer.node_id(), topic).is_empty() {
            return producer.stats().emitted;
        }
        assert!(Instant::now() < deadline, "the listener never heard the producer");
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Checks that `seqs` rise (each once, in order) to `last`, and are consecutive if `gapless`.
fn assert_rising_to(seqs: &[u64], last: u64, gapless: bool, what: &str) {
    assert_eq!(seqs.last(), Some(&last), "{what}: the last event");
    let first = seqs[0];
    let holes: Vec<&[u64]> = seqs.windows(2).filter(|w| w[1] != w[0] + 1).take(3).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{what}: each once, in order");
    assert!(!gapless || holes.is_empty(), "{what}: from {first}, holes at {holes:?}");
}

#[actix_rt::test]
async fn a_listener_added_while_events_flow_gets_every_later_event_once_in_order() {
    for mode in [Mode::JetStream, Mode::Core] {
        let server = NatsServer::start();
        let url = server.url();
        let producer = node("producer", &url, mode).await;
        let consumer = node("consumer", &url, mode).await;
        assert_eq!(consumer.role(), Role::Client);
        assert!(consumer.hub_address().unwrap().starts_with("nats://"));
        let early = Collector::default();
        consumer.on("a.*", early.clone().start().recipient()).unwrap();
        let base = warm_up(&producer, &early, "a.warm").await;
        let last = base + 2000;
        let late = Collector::default();
        for i in 1..=2000u64 {
            producer.emit_wait("a.b", &i).await.unwrap();
            if i == 1000 {
                consumer.on("a.>", late.clone().start().recipient()).unwrap();
            }
            if i % 100 == 0 {
                actix_rt::task::yield_now().await;
            }
        }
        producer.flush().await.expect("the stream acknowledged every event");
        let sender = producer.node_id();
        let early_done = || match mode {
            Mode::JetStream => early.seqs(sender, "a.b").len() >= 2000,
            // At most once: what the resubscription for the late listener lost is reported.
            Mode::Core => early.seqs(sender, "a.b").len() as u64 + consumer.stats().gaps >= 2000,
        };
        until("the early listener to get (or be told of) everything", early_done).await;
        until("the late listener to get the last event", || {
            late.seqs(sender, "a.b").last() == Some(&last)
        })
        .await;
        let got = early.seqs(sender, "a.b");
        match mode {
            Mode::JetStream => {
                assert_eq!(got.first(), Some(&(base + 1)), "JetStream: early, from the first");
                assert_rising_to(&got, last, true, "JetStream: early");
            }
            Mode::Core => {
                assert_rising_to(&got, last, false, "core: early");
                assert_eq!(got.len() as u64 + consumer.stats().gaps, 2000, "core: losses told");
            }
        }
        let gapless = mode == Mode::JetStream;
        assert_rising_to(&late.seqs(sender, "a.b"), last, gapless, &format!("{mode:?}: late"));
        producer.close().await.unwrap();
        consumer.close().await.unwrap();
    }
}

#[actix_rt::test]
async fn a_removed_pattern_stops_its_events_and_peers_come_and_go() {
    let server = NatsServer::start();
    let url = server.url();
    let watcher = node("watcher", &url, Mode::JetStream).await;
    let notices = Collector::default();
    watcher.on("$peer.*", notices.clone().start().recipient()).unwrap();
    let kept = Collector::default();
    let dropped = Collector::default();
    let dropped_recipient = dropped.clone().start().recipient();
    watcher.on("x.kept", kept.clone().start().recipient()).unwrap();
    watcher.on("x.dropped", dropped_recipient.clone()).unwrap();

    let producer = node("producer", &url, Mode::JetStream).await;
    until("$peer.joined", || notices.topics().contains(&"$peer.joined".to_owned())).await;
    let peers = watcher.peers().await.unwrap();
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0].service, "producer");
    // The producer hears the watcher's patterns.
    let deadline = Instant::now() + Duration::from_secs(20);
    while producer.cluster_listener_count("x.kept").await.unwrap() != 1 {
        assert!(Instant::now() < deadline, "the producer never heard of the watcher's listener");
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }

    producer.emit("x.dropped", &1u8).unwrap();
    producer.emit("x.kept", &1u8).unwrap();
    producer.flush().await.unwrap();
    let sender = producer.node_id();
    until("both events", || kept.seqs(sender, "x.kept").len() == 1).await;
    until("the dropped pattern's first event", || dropped.seqs(sender, "x.dropped").len() == 1)
        .await;

    watcher.remove_listener("x.dropped", dropped_recipient);
    assert_eq!(watcher.listener_count("x.dropped").await.unwrap(), 0);
    producer.emit("x.dropped", &2u8).unwrap();
    producer.emit("x.kept", &2u8).unwrap();
    producer.flush().await.unwrap();
    until("the kept pattern's second event", || kept.seqs(sender, "x.kept").len() == 2).await;
    assert_eq!(dropped.seqs(sender, "x.dropped"), vec![1], "nothing after the removal");

    producer.close().await.unwrap();
    until("$peer.left", || notices.topics().contains(&"$peer.left".to_owned())).await;
    assert!(watcher.peers().await.unwrap().is_empty());
    watcher.close().await.unwrap();
}

#[actix_rt::test]
async fn a_late_joiner_may_ask_for_history_and_events_spread_over_streams_keep_their_order() {
    let server = NatsServer::start();
    let url = server.url();
    let with = |options: NatsOptions| {
        let url = url.clone();
        async move {
            Emitter::builder("node")
                .address(url)
                .heartbeat_interval(None)
                .nats(options.streams(3))
                .connect()
                .await
                .expect("connect")
        }
    };
    let producers = [with(NatsOptions::default()).await, with(NatsOptions::default()).await];
    for i in 1..=300u64 {
        for producer in &producers {
            producer.emit("h.x", &i).unwrap();
        }
    }
    for producer in &producers {
        producer.flush().await.expect("stored");
    }
    // Joins after the events were stored, and asks for everything the streams hold.
    let late = with(NatsOptions::default().history(nanomitter::nats::History::Start)).await;
    let seen = Collector::default();
    late.on("h.*", seen.clone().start().recipient()).unwrap();
    for producer in &producers {
        let sender = producer.node_id();
        until("the history of each producer", || seen.seqs(sender, "h.x").len() == 300).await;
        assert_eq!(seen.seqs(sender, "h.x"), (1..=300).collect::<Vec<_>>(), "once, in order");
    }
    for node in producers.into_iter().chain([late]) {
        node.close().await.unwrap();
    }
}

#[actix_rt::test]
async fn in_core_mode_a_new_pattern_costs_the_others_nothing() {
    let server = NatsServer::start();
    let url = server.url();
    let producer = node("producer", &url, Mode::Core).await;
    let consumer = node("consumer", &url, Mode::Core).await;
    let early = Collector::default();
    consumer.on("a.*", early.clone().start().recipient()).unwrap();
    let base = warm_up(&producer, &early, "a.warm").await;
    for i in 1..=2000u64 {
        producer.emit_wait("a.b", &i).await.unwrap();
        if i == 1000 {
            // Another pattern: the subscription of `a.*` stays.
            consumer.on("b.*", Collector::default().start().recipient()).unwrap();
        }
        if i % 100 == 0 {
            actix_rt::task::yield_now().await;
        }
    }
    producer.flush().await.unwrap();
    let sender = producer.node_id();
    let all = || early.seqs(sender, "a.b").len() as u64 + consumer.stats().gaps >= 2000;
    until("every event, or word of its loss", all).await;
    assert_eq!(consumer.stats().gaps, 0, "nothing lost to the new subscription");
    assert_eq!(early.seqs(sender, "a.b"), (base + 1..=base + 2000).collect::<Vec<_>>());
    producer.close().await.unwrap();
    consumer.close().await.unwrap();
}
