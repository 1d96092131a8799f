//! Listener operations and routing rules, with every node inside this test process.
//!
//! Each test runs its own actix system and its own `ipc://` address, so tests run in parallel.

use actix::prelude::*;
use nanomitter::{Codec, DistributedEvent, Emitter, EmitterHandle, Error, Role};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Records every event it receives.
#[derive(Clone, Default)]
struct Collector {
    seen: Arc<Mutex<Vec<DistributedEvent>>>,
}

impl Actor for Collector {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for Collector {
    type Result = ();
    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        self.seen.lock().unwrap().push(event);
    }
}

impl Collector {
    fn start_new() -> (Collector, Recipient<DistributedEvent>) {
        let collector = Collector::default();
        let recipient = collector.clone().start().recipient();
        (collector, recipient)
    }

    fn topics(&self) -> Vec<String> {
        self.seen.lock().unwrap().iter().map(|e| e.topic().to_owned()).collect()
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Waits until `n` events arrived; fails the test after a deadline.
    async fn wait_for(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.count() < n {
            assert!(Instant::now() < deadline, "got {} events, expected {n}", self.count());
            actix_rt::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

fn unique_address() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name =
        format!("nanomitter-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    format!("ipc://{}", std::env::temp_dir().join(name).display())
}

async fn node(address: &str, service: &str) -> EmitterHandle {
    Emitter::builder(service).address(address).heartbeat_interval(None).connect().await.unwrap()
}

/// Waits until `node` knows of `n` listeners of `topic` in the whole cluster: subscriptions on
/// other nodes take one round trip to be announced.
async fn wait_cluster_listeners(node: &EmitterHandle, topic: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while node.cluster_listener_count(topic).await.unwrap() < n {
        assert!(Instant::now() < deadline, "{} never saw {n} listeners of {topic}", node.service());
        actix_rt::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Emits on "end", which `collector` listens to, and waits for it: a collector's events arrive in
/// order, so every event delivered to it before has been handled by then.
async fn settle(emitter: &EmitterHandle, collector: &Collector) {
    let ends = || collector.topics().iter().filter(|t| *t == "end").count();
    let before = ends();
    emitter.emit_json("end", &serde_json::json!(null)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while ends() == before {
        assert!(Instant::now() < deadline, "the end marker did not arrive");
        actix_rt::time::sleep(Duration::from_millis(2)).await;
    }
}

#[actix_rt::test]
async fn first_node_binds_and_becomes_the_hub_later_nodes_dial() {
    let address = unique_address();
    let hub = node(&address, "a").await;
    let client = node(&address, "b").await;
    assert_eq!(hub.role(), Role::Hub);
    assert_eq!(client.role(), Role::Client);
}

/// A dial-only node never binds: alone it fails with `Unreachable`, with a hub it is a client.
#[actix_rt::test]
async fn a_dial_only_node_never_becomes_the_hub() {
    let address = unique_address();
    let dial_only = || {
        Emitter::builder("d")
            .address(&address)
            .heartbeat_interval(None)
            .connect_timeout(Duration::from_millis(500))
            .dial_only(true)
    };
    match dial_only().connect().await {
        Err(Error::Unreachable { .. }) => {}
        Err(other) => panic!("expected Unreachable, got {other:?}"),
        Ok(handle) => panic!("a dial-only node connected alone, as {:?}", handle.role()),
    }
    let hub = node(&address, "hub").await;
    let client = dial_only().connect().await.unwrap();
    assert_eq!(hub.role(), Role::Hub);
    assert_eq!(client.role(), Role::Client);
}

#[actix_rt::test]
async fn events_reach_listeners_on_every_node_exactly_once() {
    let address = unique_address();
    let nodes = [node(&address, "a").await, node(&address, "b").await, node(&address, "c").await];
    let collectors: Vec<Collector> = nodes
        .iter()
        .map(|n| {
            let (collector, recipient) = Collector::start_new();
            n.on("price", recipient).unwrap();
            collector
        })
        .collect();
    // Every node must know every subscription before anyone emits.
    for n in &nodes {
        wait_cluster_listeners(n, "price", 3).await;
    }
    for (i, n) in nodes.iter().enumerate() {
        for k in 0..10 {
            n.emit_json("price", &serde_json::json!({ "from": i, "k": k })).unwrap();
        }
    }
    for collector in &collectors {
        collector.wait_for(30).await;
    }
    for (n, collector) in nodes.iter().zip(&collectors) {
        let seen = collector.seen.lock().unwrap();
        let mut keys: Vec<(u64, u64)> = seen.iter().map(|e| (e.node(), e.seq())).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 30, "every event once");
        assert_eq!(n.stats().gaps, 0);
    }
}

#[actix_rt::test]
async fn once_fires_once_and_remove_listener_removes_one_instance() {
    let emitter = node(&unique_address(), "solo").await;
    let (once, once_recipient) = Collector::start_new();
    let (twice, twice_recipient) = Collector::start_new();
    emitter.once("t", once_recipient.clone()).unwrap().on("end", once_recipient).unwrap();
    emitter.on("t", twice_recipient.clone()).unwrap().on("t", twice_recipient.clone()).unwrap();
    emitter.on("end", twice_recipient.clone()).unwrap();

    emitter.emit_json("t", &serde_json::json!(1)).unwrap();
    emitter.emit_json("t", &serde_json::json!(2)).unwrap();
    settle(&emitter, &once).await;
    settle(&emitter, &twice).await;
    assert_eq!(once.topics(), ["t", "end", "end"], "once fires once");
    assert_eq!(
        twice.topics().iter().filter(|t| *t == "t").count(),
        4,
        "added twice, received twice"
    );

    emitter.remove_listener("t", twice_recipient);
    emitter.emit_json("t", &serde_json::json!(3)).unwrap();
    settle(&emitter, &twice).await;
    assert_eq!(
        twice.topics().iter().filter(|t| *t == "t").count(),
        5,
        "one instance removed, one left"
    );
    assert_eq!(emitter.listener_count("t").await.unwrap(), 1);
}

#[actix_rt::test]
async fn remove_all_listeners_per_topic_and_globally() {
    let emitter = node(&unique_address(), "solo").await;
    let (a, a_recipient) = Collector::start_new();
    let (b, b_recipient) = Collector::start_new();
    emitter.on("a", a_recipient.clone()).unwrap().on("b", b_recipient.clone()).unwrap();
    emitter.remove_all_listeners(Some("a"));
    assert_eq!(emitter.listener_count("a").await.unwrap(), 0);
    assert_eq!(emitter.listener_count("b").await.unwrap(), 1);
    emitter.emit_json("a", &serde_json::json!(1)).unwrap();
    emitter.emit_json("b", &serde_json::json!(1)).unwrap();
    emitter.on("end", a_recipient.clone()).unwrap();
    settle(&emitter, &a).await;
    assert_eq!(a.topics(), ["end"], "a's listeners were removed");

    emitter.on("a", a_recipient).unwrap();
    emitter.remove_all_listeners(None);
    assert_eq!(
        emitter.listener_count("a").await.unwrap() + emitter.listener_count("b").await.unwrap(),
        0
    );
    emitter.emit_json("b", &serde_json::json!(2)).unwrap();
    emitter.on("end", b_recipient).unwrap();
    settle(&emitter, &b).await;
    assert_eq!(b.topics(), ["b", "end"], "every listener was removed");
}

#[actix_rt::test]
async fn star_listens_to_every_topic() {
    let emitter = node(&unique_address(), "solo").await;
    let (all, recipient) = Collector::start_new();
    emitter.on("*", recipient).unwrap();
    for topic in ["x", "y.z", "<3"] {
        emitter.emit_json(topic, &serde_json::json!(null)).unwrap();
    }
    all.wait_for(3).await;
    assert_eq!(all.topics(), ["x", "y.z", "<3"]);
    assert!(matches!(
        emitter.emit_json("*", &serde_json::json!(1)),
        Err(Error::InvalidTopic { .. })
    ));
    assert!(matches!(
        emitter.emit_json("", &serde_json::json!(1)),
        Err(Error::InvalidTopic { .. })
    ));
}

#[actix_rt::test]
async fn local_echo_can_be_turned_off() {
    let address = unique_address();
    let quiet = Emitter::builder("quiet")
        .address(&address)
        .heartbeat_interval(None)
        .local_echo(false)
        .connect()
        .await
        .unwrap();
    let other = node(&address, "other").await;
    let (mine, mine_recipient) = Collector::start_new();
    let (theirs, theirs_recipient) = Collector::start_new();
    quiet.on("t", mine_recipient).unwrap();
    other.on("t", theirs_recipient).unwrap();
    wait_cluster_listeners(&quiet, "t", 2).await;
    wait_cluster_listeners(&other, "t", 2).await;
    quiet.emit_json("t", &serde_json::json!("from quiet")).unwrap();
    theirs.wait_for(1).await;
    other.emit_json("t", &serde_json::json!("from other")).unwrap();
    mine.wait_for(1).await;
    assert_eq!(mine.seen.lock().unwrap()[0].service(), "other", "own events are not echoed");
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Tick {
    ticker: String,
    price: f64,
}

#[actix_rt::test]
async fn both_codecs_decode_into_the_same_type() {
    let address = unique_address();
    let emitter = node(&address, "a").await;
    let (got, recipient) = Collector::start_new();
    emitter.on("tick", recipient).unwrap();
    let tick = Tick { ticker: "AAPL".into(), price: 251.5 };
    emitter.emit("tick", &tick).unwrap();
    emitter.emit_json("tick", &serde_json::json!({ "ticker": "AAPL", "price": 251.5 })).unwrap();
    got.wait_for(2).await;
    let seen = got.seen.lock().unwrap();
    assert_eq!((seen[0].codec(), seen[1].codec()), (Codec::Bincode, Codec::Json));
    for event in seen.iter() {
        assert_eq!(event.decode::<Tick>().unwrap(), tick);
    }
    assert!(matches!(seen[1].decode::<u32>(), Err(Error::Decode(_))));
    assert_eq!(
        seen[0].to_json()["bincode"].as_str().map(str::len),
        Some(seen[0].payload().len() * 2)
    );
}

#[actix_rt::test]
async fn bad_input_is_an_error_not_a_panic() {
    for address in ["nonsense", "tcp://127.0.0.1", "udp://127.0.0.1:5"] {
        let result = Emitter::builder("x").address(address).connect().await;
        assert!(matches!(result, Err(Error::InvalidAddress { .. })), "{address}");
    }
    let emitter = Emitter::builder("x")
        .address(unique_address())
        .max_frame_size(4096)
        .batch_bytes(1024)
        .connect()
        .await
        .unwrap();
    let too_big = vec![0u8; 8192];
    assert!(matches!(emitter.emit("t", &too_big), Err(Error::EventTooLarge { .. })));
}

#[actix_rt::test]
async fn an_actor_can_subscribe_itself_with_a_plain_message() {
    struct SelfSubscriber {
        emitter: Addr<Emitter>,
        seen: Arc<Mutex<Vec<DistributedEvent>>>,
    }
    impl Actor for SelfSubscriber {
        type Context = Context<Self>;
        fn started(&mut self, ctx: &mut Context<Self>) {
            let recipient = ctx.address().recipient();
            self.emitter.do_send(nanomitter::messages::Listen::new("hello", recipient));
        }
    }
    impl Handler<DistributedEvent> for SelfSubscriber {
        type Result = ();
        fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
            self.seen.lock().unwrap().push(event);
        }
    }
    let emitter = node(&unique_address(), "solo").await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    SelfSubscriber { emitter: emitter.addr(), seen: seen.clone() }.start();
    emitter.listener_count("hello").await.unwrap();
    emitter
        .addr()
        .do_send(nanomitter::messages::Emit::json("hello", &serde_json::json!("hi")).unwrap());
    Collector { seen }.wait_for(1).await;
}

#[actix_rt::test]
async fn membership_is_listed_and_its_changes_are_told_on_reserved_topics() {
    use nanomitter::topic::{HUB_CHANGED, PEER_JOINED, PEER_LEFT};
    let address = unique_address();
    let fast = |service: &str| {
        Emitter::builder(service)
            .address(&address)
            .heartbeat_interval(None)
            .liveness_interval(Duration::from_millis(100))
    };
    let hub = fast("hub").connect().await.unwrap();
    let (notices, recipient) = Collector::start_new();
    for topic in [PEER_JOINED, PEER_LEFT, HUB_CHANGED] {
        hub.on(topic, recipient.clone()).unwrap();
    }
    let (everything, star) = Collector::start_new();
    hub.on("*", star).unwrap();
    let a = fast("a").connect().await.unwrap();
    let b = fast("b").connect().await.unwrap();
    notices.wait_for(2).await;
    let mut peers: Vec<(String, Role)> =
        hub.peers().await.unwrap().into_iter().map(|p| (p.service, p.role)).collect();
    peers.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(peers, [("a".to_owned(), Role::Client), ("b".to_owned(), Role::Client)]);
    let a_sees = wait_for_peers(&a, 2).await;
    assert!(a_sees.iter().any(|p| p.service == "hub" && p.role == Role::Hub));

    b.close().await.unwrap();
    notices.wait_for(3).await;
    let seen = notices.seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().map(|e| e.topic()).collect::<Vec<_>>(),
        [PEER_JOINED, PEER_JOINED, PEER_LEFT]
    );
    let left: serde_json::Value = seen[2].decode().unwrap();
    assert_eq!((left["service"].as_str(), left["reason"].as_str()), (Some("b"), Some("closed")));
    assert!(everything.topics().iter().all(|t| !t.starts_with('$')), "`*` does not see notices");
}

/// Waits until `node` knows `n` peers.
async fn wait_for_peers(node: &EmitterHandle, n: usize) -> Vec<nanomitter::Peer> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let peers = node.peers().await.unwrap();
        if peers.len() >= n {
            return peers;
        }
        assert!(
            Instant::now() < deadline,
            "{} knows {} peers, expected {n}",
            node.service(),
            peers.len()
        );
        actix_rt::time::sleep(Duration::from_millis(5)).await;
    }
}

#[actix_rt::test]
async fn plain_messages_refuse_invalid_patterns_as_the_handle_does() {
    use nanomitter::messages::Listen;
    let emitter = node(&unique_address(), "solo").await;
    let (_, recipient) = Collector::start_new();
    let addr = emitter.addr();
    let on = addr.send(Listen::new("a..b", recipient.clone())).await;
    assert!(matches!(on, Ok(Err(Error::InvalidTopic { .. }))), "{on:?}");
    let once = addr.send(Listen::new("st*ck", recipient.clone()).times(1)).await;
    assert!(matches!(once, Ok(Err(Error::InvalidTopic { .. }))), "{once:?}");
    let many = addr.send(Listen::new("a.>.b", recipient.clone()).times(2));
    assert!(matches!(many.await, Ok(Err(Error::InvalidTopic { .. }))));
    assert!(emitter.topics().await.unwrap().is_empty(), "nothing was added");
    let valid = addr.send(Listen::new("a.*", recipient)).await;
    assert!(matches!(valid, Ok(Ok(()))), "{valid:?}");
    assert_eq!(emitter.listener_count("a.b").await.unwrap(), 1);
}

/// Listens, on a node of its own, to the `most` patterns `pattern` makes (as many as the budget
/// of a node's interest allows), then to one more: refused for `reason`, and nothing changed.
async fn listen_to_the_budget_and_past(
    pattern: impl Fn(usize) -> String,
    most: usize,
    reason: &str,
) {
    use nanomitter::messages::Listen;
    let (_, recipient) = Collector::start_new();
    let emitter = node(&unique_address(), "listener").await;
    let listen = |pattern: String| emitter.addr().send(Listen::new(pattern, recipient.clone()));
    for i in 0..most {
        assert!(matches!(listen(pattern(i)).await, Ok(Ok(()))), "{reason}: pattern {i}");
    }
    let refused = listen(pattern(most)).await;
    assert!(
        matches!(&refused, Ok(Err(Error::InvalidTopic { reason: r, .. })) if r.starts_with(reason)),
        "{refused:?}"
    );
    assert_eq!(emitter.topics().await.unwrap().len(), most, "{reason}: nothing was added");
    // Another listener of a pattern listened to, or of a local notice, announces no more.
    assert!(matches!(listen(pattern(0)).await, Ok(Ok(()))));
    assert!(matches!(listen("$peer.joined".to_owned()).await, Ok(Ok(()))));
}

#[actix_rt::test]
async fn a_new_pattern_past_the_budget_of_a_nodes_interest_is_refused_and_changes_nothing() {
    use nanomitter::topic::{MAX_INTEREST_BYTES, MAX_INTEREST_SEGMENTS};
    // Patterns of 16 segments reach the most segments, patterns of 128 bytes the most bytes.
    let deep = |i: usize| format!("{i}{}", ".s".repeat(15));
    listen_to_the_budget_and_past(deep, MAX_INTEREST_SEGMENTS / 16, "more segments").await;
    let long = |i: usize| format!("{i:0128}");
    listen_to_the_budget_and_past(long, MAX_INTEREST_BYTES / 128, "more bytes").await;
}

/// A "hub" that opens connections as a hub does (its preamble: the wire format's magic and
/// version, no secret) and then never says another word.
fn silent_hub(path: &str) {
    use std::io::Write;
    let listener = std::os::unix::net::UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut preamble = 6u32.to_le_bytes().to_vec();
            preamble.extend_from_slice(&nanomitter_protocol::wire::MAGIC);
            preamble.extend_from_slice(&[nanomitter_protocol::wire::VERSION, 0]);
            let _ = stream.write_all(&preamble);
            open.push(stream);
        }
    });
}

/// A client of a [`silent_hub`]: it links, but nothing it sends is ever acknowledged, so every
/// byte it emits stays pending.
async fn client_of_a_silent_hub(max_pending_bytes: usize) -> EmitterHandle {
    let address = unique_address();
    silent_hub(address.strip_prefix("ipc://").unwrap());
    let client = Emitter::builder("client")
        .address(&address)
        .heartbeat_interval(None)
        .liveness_interval(Duration::from_secs(600))
        .max_pending_bytes(max_pending_bytes)
        .connect()
        .await
        .unwrap();
    assert_eq!(client.role(), Role::Client);
    client
}

#[actix_rt::test]
async fn emit_messages_sent_straight_to_the_actor_count_against_the_pending_bound() {
    use nanomitter::messages::Emit;
    let event = || Emit::json("t", &serde_json::json!("0123456789")).unwrap();
    // Room for three events' bytes, whatever their exact wire size (a bit over 20 bytes each).
    let client = client_of_a_silent_hub(100).await;
    let mut accepted = 0;
    let refused = loop {
        match client.addr().send(event()).await.unwrap() {
            Ok(()) => accepted += 1,
            Err(error) => break error,
        }
        assert!(accepted < 100, "the bound never applied to Emit messages");
    };
    assert!(matches!(refused, Error::Overflow { limit: 100, .. }), "{refused:?}");
    assert!((2..=4).contains(&accepted), "{accepted} events fit in 100 bytes");
    assert_eq!(client.stats().overflows, 1);
    // The handle sees the same bound: nothing was acknowledged, so nothing fits.
    assert!(matches!(client.emit_json("t", &serde_json::json!(1)), Err(Error::Overflow { .. })));
    assert!(matches!(client.addr().send(event()).await, Ok(Err(Error::Overflow { .. }))));
    assert_eq!(client.stats().overflows, 3);
}

#[actix_rt::test]
async fn an_event_emitted_through_the_handle_is_reserved_once() {
    use nanomitter::messages::Emit;
    let value = serde_json::json!("0123456789");
    let overflow = |refused: Error| match refused {
        Error::Overflow { pending, .. } => pending,
        other => panic!("{other:?}"),
    };
    // The same events, sent straight to the actor, then through the handle: as many fit, and the
    // same bytes are held when the next is refused.
    let direct = client_of_a_silent_hub(100).await;
    let mut direct_fit = 0;
    let direct_held = loop {
        match direct.addr().send(Emit::json("t", &value).unwrap()).await.unwrap() {
            Ok(()) => direct_fit += 1,
            Err(refused) => break overflow(refused),
        }
        assert!(direct_fit < 100, "the bound never applied");
    };
    let through_handle = client_of_a_silent_hub(100).await;
    let mut handle_fit = 0;
    let handle_held = loop {
        match through_handle.emit_json("t", &value) {
            Ok(()) => handle_fit += 1,
            Err(refused) => break overflow(refused),
        }
        assert!(handle_fit < 100, "the bound never applied");
        // The emitter has handled the event once this answers: it must not reserve it again.
        through_handle.listener_count("t").await.unwrap();
    };
    assert_eq!((handle_fit, handle_held), (direct_fit, direct_held));
}

/// Takes `per_event` for each event, without blocking the thread: its mailbox fills while it
/// works, as a real slow consumer's does.
struct Slow {
    per_event: Duration,
    seqs: Arc<Mutex<Vec<u64>>>,
}

impl Actor for Slow {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for Slow {
    type Result = ();
    fn handle(&mut self, event: DistributedEvent, ctx: &mut Context<Self>) {
        self.seqs.lock().unwrap().push(event.seq());
        ctx.wait(actix_rt::time::sleep(self.per_event).into_actor(self));
    }
}

/// Hole 5 of the protocol issue: a listener on the hub that takes 100 ms per event, with 40
/// events for it (4 s of work) and a liveness interval of 0.2 s. The hub must keep its beat
/// while the listener works (the backlog is turned into withheld acknowledgements, not a paused
/// node): nobody re-elects, and the listener gets every event once, in order. Before, the hub
/// paused while the listener's mailbox was full and its clients re-elected within a second.
#[actix_rt::test]
async fn a_slow_listener_on_the_hub_stops_neither_its_beat_nor_the_cluster() {
    let address = unique_address();
    let quick = |service: &'static str| {
        Emitter::builder(service)
            .address(&address)
            .heartbeat_interval(None)
            .liveness_interval(Duration::from_millis(200))
            .connect()
    };
    let hub = quick("hub").await.unwrap();
    let client = quick("client").await.unwrap();
    let seqs = Arc::new(Mutex::new(Vec::new()));
    let slow = Slow { per_event: Duration::from_millis(100), seqs: seqs.clone() }.start();
    hub.on("work", slow.recipient()).unwrap();
    wait_cluster_listeners(&client, "work", 1).await;

    for k in 0..40 {
        client.emit_json("work", &serde_json::json!(k)).unwrap();
    }
    // The flush resolves once the listener's mailbox took every event; it handles the last
    // ones after.
    client.flush().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while seqs.lock().unwrap().len() < 40 && Instant::now() < deadline {
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(*seqs.lock().unwrap(), (1..=40).collect::<Vec<u64>>());
    assert_eq!((hub.stats().elections, client.stats().elections), (1, 1), "nobody re-elected");
    assert_eq!((hub.role(), client.role()), (Role::Hub, Role::Client));
}

/// Hole 6 of the protocol issue: after `close()`, every handle of the node refuses with
/// `Error::Closed` (before, the supervisor restarted the emitter: `emit` said `Ok` and sent
/// nothing, `flush` never returned), and the role says so.
#[actix_rt::test]
async fn after_close_every_handle_refuses_with_closed() {
    let address = unique_address();
    let _hub = node(&address, "hub").await;
    let client = node(&address, "client").await;
    let other = client.clone();
    client.emit_json("t", &serde_json::json!(1)).unwrap();
    client.close().await.unwrap();

    assert!(matches!(other.emit_json("t", &serde_json::json!(2)), Err(Error::Closed)));
    assert!(matches!(other.emit_wait("t", &2).await, Err(Error::Closed)));
    assert!(matches!(other.flush().await, Err(Error::Closed)));
    let (_collector, recipient) = Collector::start_new();
    assert!(matches!(other.on("t", recipient), Err(Error::Closed)));
    assert_eq!(other.role(), Role::Closed);
    // Still closed a while later: nothing restarted it.
    actix_rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(other.role(), Role::Closed);
    assert!(matches!(other.flush().await, Err(Error::Closed)));
}

/// A `Subscription` removes exactly its listener when dropped; `detach` keeps it; a listener
/// for a number of events goes by itself.
#[actix_rt::test]
async fn a_subscription_removes_its_listener_when_dropped() {
    use nanomitter::messages::Listen;
    let emitter = node(&unique_address(), "solo").await;
    let (collector, recipient) = Collector::start_new();
    let kept = emitter.listen(Listen::new("t", recipient.clone())).unwrap();
    let dropped = emitter.listen(Listen::new("t", recipient.clone())).unwrap();
    assert_eq!(kept.topic(), "t");
    assert_ne!(kept.id(), dropped.id());
    assert_eq!(emitter.listener_count("t").await.unwrap(), 2);
    drop(dropped);
    assert_eq!(emitter.listener_count("t").await.unwrap(), 1, "only the dropped one went");
    kept.detach();
    emitter.listen(Listen::new("end", recipient.clone()).times(2)).unwrap().detach();
    emitter.emit_json("t", &serde_json::json!(1)).unwrap();
    settle(&emitter, &collector).await;
    assert_eq!(collector.topics(), ["t", "end"], "the detached listener stays");
    settle(&emitter, &collector).await;
    assert_eq!(emitter.listener_count("end").await.unwrap(), 0, "gone after its two events");
    assert_eq!(emitter.listener_count("t").await.unwrap(), 1);
}

/// `emit_json_wait` delivers as `emit_json` does; `addr()` is an owned address.
#[actix_rt::test]
async fn emit_json_wait_delivers_and_addr_is_owned() {
    let emitter = node(&unique_address(), "solo").await;
    let (collector, recipient) = Collector::start_new();
    emitter.on("t", recipient).unwrap();
    emitter.emit_json_wait("t", &serde_json::json!({"k": 1})).await.unwrap();
    collector.wait_for(1).await;
    assert_eq!(collector.seen.lock().unwrap()[0].to_json(), serde_json::json!({"k": 1}));
    let addr: Addr<Emitter> = emitter.addr();
    drop(emitter);
    assert!(addr.connected(), "the address outlives the handle it came from");
}

/// `RoleWatch` tells a lost hub (the new role, perhaps after `Electing`) through `changed()` and
/// as a `Stream`, which ends when the emitter closes; `changed()` then answers `Closed`.
#[actix_rt::test]
async fn role_watch_follows_changes_as_a_stream_and_ends_on_close() {
    use futures_util::StreamExt;
    let address = unique_address();
    let hub = node(&address, "hub").await;
    let client = node(&address, "client").await;
    let mut changes = client.roles();
    let mut stream = client.roles();
    hub.close().await.unwrap();
    // Changes in quick succession may be seen as one: the role as it is when read.
    loop {
        match changes.changed().await {
            Ok(Role::Electing) => continue,
            other => break assert_eq!(other, Ok(Role::Hub), "the only survivor binds"),
        }
    }
    loop {
        match stream.next().await {
            Some(Role::Electing) => continue,
            other => break assert_eq!(other, Some(Role::Hub)),
        }
    }
    client.close().await.unwrap();
    assert_eq!(stream.next().await, None);
    assert_eq!(stream.next().await, None, "it stays ended");
    assert_eq!(changes.changed().await, Err(Error::Closed));
}

/// An unreachable hub's error keeps NNG's error as its source, and says which kind of cause.
#[actix_rt::test]
async fn an_unreachable_hub_keeps_nngs_error_as_its_source() {
    use std::error::Error as _;
    let nobody = format!("tcp://127.0.0.1:{}", {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    });
    let error = Emitter::builder("d")
        .address(&nobody)
        .dial_only(true)
        .connect_timeout(Duration::from_millis(300))
        .connect()
        .await
        .err()
        .expect("nobody is there");
    let Error::Unreachable { cause: Some(nanomitter::NoHub::DialFailed(nng)), .. } = &error else {
        panic!("expected a failed dial, got {error:?}");
    };
    assert!(nng.is_connection_refused(), "{nng}");
    let source = error.source().expect("a cause");
    let nng_source = source.source().expect("NNG's error");
    assert_eq!(nng_source.to_string(), "Connection refused");
}

/// A loop of `emit_wait`s on the emitter's own thread lets the emitter send while it produces:
/// frames leave before the loop ends, long before `max_pending_bytes` (64 MiB) is reached.
#[actix_rt::test]
async fn a_loop_of_emit_wait_lets_the_emitter_send_while_it_produces() {
    let address = unique_address();
    let hub = node(&address, "hub").await;
    let (collector, recipient) = Collector::start_new();
    hub.on("load", recipient).unwrap();
    let producer = Emitter::builder("producer")
        .address(&address)
        .heartbeat_interval(None)
        .batch_bytes(16 * 1024)
        .connect()
        .await
        .unwrap();
    wait_cluster_listeners(&producer, "load", 1).await;

    let frames_before = producer.stats().frames_sent;
    let payload = vec![7u8; 1024];
    // 256 KiB of events: sixteen batches.
    let events = 256;
    let mut frames_while_producing = 0;
    for _ in 0..events {
        producer.emit_wait("load", &payload).await.unwrap();
        frames_while_producing = producer.stats().frames_sent - frames_before;
    }
    assert!(
        frames_while_producing >= 2,
        "the emitter sent {frames_while_producing} frames while the loop produced"
    );
    collector.wait_for(events).await;
}

/// Through the handle, a listener past the budget of a node's interest is refused to its
/// caller, not dropped behind an `Ok`: as many distinct patterns as a node may listen to are
/// added, one more is an error, and once one of them is dropped there is room again.
#[actix_rt::test]
async fn the_handle_refuses_a_listener_past_the_budget_instead_of_answering_ok() {
    use nanomitter::messages::Listen;
    use nanomitter::topic::MAX_PATTERNS;
    let (_, recipient) = Collector::start_new();
    let emitter = node(&unique_address(), "listener").await;
    let listen = |i: usize| emitter.listen(Listen::new(format!("p{i}"), recipient.clone()));
    let mut subscriptions: Vec<_> =
        (0..MAX_PATTERNS).map(|i| listen(i).expect("within the budget")).collect();
    let refused = listen(MAX_PATTERNS);
    assert!(
        matches!(&refused, Err(Error::InvalidTopic { reason, .. }) if reason.starts_with("more patterns")),
        "{:?}",
        refused.map(|_| ())
    );
    let once = emitter.once(&format!("p{}", MAX_PATTERNS + 1), recipient.clone());
    assert!(matches!(once, Err(Error::InvalidTopic { .. })), "once, too");
    assert_eq!(emitter.topics().await.unwrap().len(), MAX_PATTERNS, "nothing else was added");
    drop(subscriptions.pop());
    // Once the actor removed it (its answer to a later question comes after), there is room.
    assert_eq!(emitter.topics().await.unwrap().len(), MAX_PATTERNS - 1);
    assert!(listen(MAX_PATTERNS).is_ok(), "room again");
}

/// A node the hub refuses over the cluster secret fails `connect` at once with `Error::Refused`
/// and the reason as its source, long before its connect timeout.
#[actix_rt::test]
async fn a_node_refused_over_the_secret_fails_connect_at_once_with_the_reason() {
    use nanomitter::{NoHub, Secret};
    use std::error::Error as _;
    let address = unique_address();
    let secret = Secret::new("correct horse battery staple").unwrap();
    let hub = Emitter::builder("hub").address(&address).secret(secret).connect().await.unwrap();
    let other = Secret::new("a different secret, as long").unwrap();
    for (secret, expected) in [(Some(other), NoHub::WrongSecret), (None, NoHub::SecretRequired)] {
        let mut builder = Emitter::builder("refused")
            .address(&address)
            .dial_only(true)
            .connect_timeout(Duration::from_secs(10));
        if let Some(secret) = secret {
            builder = builder.secret(secret);
        }
        let started = Instant::now();
        let error = builder.connect().await.err().expect("refused");
        let took = started.elapsed();
        let Error::Refused { address: refused_at, reason } = &error else {
            panic!("expected a refusal, got {error:?}");
        };
        assert_eq!((refused_at, reason), (&address, &expected));
        assert_eq!(error.source().map(|s| s.to_string()), Some(expected.to_string()));
        assert!(took < Duration::from_secs(1), "{expected:?} reported after {took:?}");
    }
    hub.close().await.unwrap();
}
