//! The monitoring endpoint of real nodes tells what happened, with the right numbers: a
//! three-node cluster (a hub and two load nodes, every one with `--monitor`) through a stuck
//! consumer that the hub cuts off, which comes back told of its losses, and then a hub kill.
//! `/metrics` is read with a Prometheus text-format parser, `/status` as JSON. In one process:
//! the same counters through the `metrics` facade, and the `tracing` spans of an event.
//!
//! Owns: that scenario and what each endpoint must say during it, and the library's own
//! instrumentation. It must not test what the delivery or failover promises test (what
//! arrives, how fast a hub comes back): only that the endpoint reports it.

use crate::common::monitor::{free_monitor_address, get, metric, scrape, status};
use crate::common::{free_address, load_node, wait_until, Process};
use serde_json::Value;

/// A node's monitoring address, and its id as its events carry it.
struct Monitored {
    process: Process,
    monitor: String,
}

impl Monitored {
    fn metric(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        scrape(&self.monitor).map(|scrape| metric(&scrape, name, labels))
    }

    fn status(&self) -> Option<Value> {
        status(&self.monitor)
    }
}

/// The `$lagged` notices a load node printed: how many, and the events they said were lost.
fn lagged_told(node: &Process) -> (u64, u64) {
    let missed: Vec<u64> = node
        .stdout()
        .iter()
        .filter_map(|line| {
            serde_json::from_str::<Value>(line).ok()?.get("lagged")?.get("missed")?.as_u64()
        })
        .collect();
    (missed.len() as u64, missed.iter().sum())
}

#[test]
fn the_endpoint_reports_an_eviction_its_losses_and_a_hub_change() {
    let address = free_address();
    let hub_monitor = free_monitor_address();
    let hub = Process::start(
        "hub",
        &[
            "hub",
            "--addr",
            &address,
            "--every",
            "10",
            "--evict-after",
            "0.5",
            "--liveness",
            "0.2",
            "--monitor",
            &hub_monitor,
        ],
    );
    hub.wait_stderr("as Hub");
    let hub = Monitored { process: hub, monitor: hub_monitor };
    let consumer_monitor = free_monitor_address();
    let consumer = Monitored {
        process: load_node("consumer", &address, 0, &["--monitor", &consumer_monitor]),
        monitor: consumer_monitor,
    };
    let producer_monitor = free_monitor_address();
    let producer = Monitored {
        process: load_node("producer", &address, 5000, &["--monitor", &producer_monitor]),
        monitor: producer_monitor,
    };
    let (consumer_id, producer_id) = (consumer.process.node_id(), producer.process.node_id());

    // The hub sees both members, with the hub's view of each (lag, window), and is healthy.
    let hub_status = wait_until("the hub's status to list both members", || {
        let status = hub.status()?;
        (status["members"].as_array()?.len() == 2).then_some(status)
    });
    assert_eq!(hub_status["node"]["role"], "hub", "{hub_status}");
    assert_eq!(hub_status["hub"]["this_node"], true, "{hub_status}");
    for member in hub_status["members"].as_array().unwrap() {
        assert!(member["lag"]["frames"].is_u64(), "the hub knows each member's lag: {member}");
        assert!(member["window_frames"].is_u64(), "{member}");
    }
    assert_eq!(get(&hub.monitor, "/healthz").map(|(code, _)| code), Some(200));
    // Events flow: the consumer's pattern counts them, the hub relays them.
    wait_until("the consumer's pattern `load` to count events", || {
        (consumer.metric("nanomitter_pattern_events_total", &[("pattern", "load")])? > 0.0)
            .then_some(())
    });
    assert!(hub.metric("nanomitter_relayed_frames_total", &[]).unwrap() > 0.0);

    // A frozen consumer: the hub cuts it off and says why. Frozen, it is both slow and silent:
    // whichever check comes first names the reason, in the notice and in the metric's label.
    consumer.process.signal("STOP");
    let left = wait_until("the hub to tell that the consumer left", || {
        let status = hub.status()?;
        let notices = status["notices"].as_array()?;
        notices
            .iter()
            .find(|n| n["topic"] == "$peer.left" && n["data"]["node"] == consumer_id.as_str())
            .cloned()
    });
    let evictions = scrape(&hub.monitor).unwrap();
    let by_reason =
        |reason| metric(&evictions, "nanomitter_evictions_total", &[("reason", reason)]);
    let total = metric(&evictions, "nanomitter_evictions_total", &[]);
    let labelled: f64 =
        ["unacknowledged", "behind", "silent", "stuck"].into_iter().map(by_reason).sum();
    assert!(total >= 1.0 && labelled == total, "{total} evictions, {labelled} by reason");
    let of_its_reason = match left["data"]["reason"].as_str() {
        Some("evicted") => by_reason("unacknowledged") + by_reason("behind"),
        Some("silent") => by_reason("silent"),
        // Its connection stopped reading first: the link cut it off without a word.
        Some("closed") => by_reason("stuck"),
        other => panic!("a reason to leave: {other:?} in {left}"),
    };
    assert!(of_its_reason >= 1.0, "the eviction's label matches the notice {left}");
    let hub_status = hub.status().unwrap();

    // It comes back and is told what it missed: its endpoint counts the same notices and events.
    consumer.process.signal("CONT");
    consumer.process.wait_reply("lagged");
    let (notices, missed) =
        wait_until("the consumer's metrics to match the $lagged it printed", || {
            let scrape = scrape(&consumer.monitor)?;
            let told = lagged_told(&consumer.process);
            let counted = (
                metric(&scrape, "nanomitter_lagged_notices_total", &[]) as u64,
                metric(&scrape, "nanomitter_lost_events_total", &[]) as u64,
            );
            (counted == told).then_some(told)
        });
    assert!(notices >= 1 && missed > 0, "{notices} notices, {missed} events");
    let consumer_status = consumer.status().unwrap();
    let lagged_in_timeline: u64 = consumer_status["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|notice| notice["topic"] == "$lagged")
        .map(|notice| notice["data"]["missed"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(lagged_in_timeline, missed, "{consumer_status}");
    assert_eq!(consumer_status["stats"]["lagged_notices"], notices);

    // The hub dies: a survivor takes over, and both survivors' endpoints say so.
    let old_hub = hub_status["node"]["id"].as_str().unwrap().to_owned();
    let mut hub = hub;
    hub.process.kill();
    let new_hub = wait_until("the survivors to agree on a new hub", || {
        let (a, b) = (consumer.status()?, producer.status()?);
        let hub = a["hub"]["id"].as_str()?;
        (hub != old_hub && b["hub"]["id"].as_str() == Some(hub)).then(|| hub.to_owned())
    });
    assert!(new_hub == consumer_id || new_hub == producer_id, "{new_hub}");
    for node in [&consumer, &producer] {
        let scrape = wait_until("a survivor's metrics to count the hub change", || {
            let scrape = scrape(&node.monitor)?;
            (metric(&scrape, "nanomitter_hub_changes_total", &[]) >= 2.0).then_some(scrape)
        });
        assert!(metric(&scrape, "nanomitter_elections_total", &[]) >= 2.0);
        let is_hub = metric(&scrape, "nanomitter_is_hub", &[]);
        let status = node.status().unwrap();
        assert_eq!(is_hub == 1.0, status["node"]["id"] == new_hub.as_str(), "{status}");
        let changes: Vec<&Value> = status["notices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|notice| notice["topic"] == "$hub.changed")
            .collect();
        assert_eq!(
            changes.last().map(|n| &n["data"]["node"]),
            Some(&Value::from(new_hub.as_str()))
        );
        wait_until("a survivor to be healthy again", || {
            (get(&node.monitor, "/healthz")?.0 == 200).then_some(())
        });
    }
    // The new hub knows the other survivor's lag.
    let (new_hub_node, other) =
        if new_hub == consumer_id { (&consumer, &producer_id) } else { (&producer, &consumer_id) };
    let status = wait_until("the new hub to list the other survivor", || {
        let status = new_hub_node.status()?;
        let members = status["members"].as_array()?;
        members.iter().any(|m| m["id"] == other.as_str() && m["lag"].is_object()).then_some(status)
    });
    assert_eq!(status["node"]["role"], "hub", "{status}");
}

#[test]
fn a_node_without_a_hub_is_unhealthy_and_a_non_loopback_endpoint_is_refused() {
    let monitor = free_monitor_address();
    let address = free_address();
    let mut refused =
        Process::start("refused", &["hub", "--addr", &address, "--monitor", "0.0.0.0:0"]);
    assert_eq!(refused.wait_exit(), 1);
    let said = refused.wait_stderr("error");
    assert!(said.contains("loopback"), "{said}");
    // A dial-only emitter with no hub: electing, so its endpoint answers 503 until it gives up.
    let emitter = Process::start(
        "emitter",
        &["emit", "--addr", &address, "--connect-timeout", "30s", "--monitor", &monitor, "t", "1"],
    );
    let (code, body) = wait_until("the electing node's /healthz", || get(&monitor, "/healthz"));
    assert_eq!(code, 503, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["status"], "unavailable", "{body}");
    drop(emitter);
}

/// The same counters reach the `metrics` facade's recorder, labelled with the node's id.
#[actix_rt::test]
async fn the_counters_reach_the_metrics_facade() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    use metrics_util::CompositeKey;
    use nanomitter::Emitter;
    use std::time::{Duration, Instant};

    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().expect("the only recorder of this test binary");
    let node = Emitter::builder("metered")
        .address(crate::common::free_address())
        .heartbeat_interval(None)
        .metrics_every(Some(Duration::from_millis(20)))
        .connect()
        .await
        .unwrap();
    let id = format!("{:016x}", node.node_id());
    let (_listener, recipient) = Discard::start_new();
    node.on("metered.*", recipient).unwrap();
    // A round trip through the emitter: the listener is added before the events are emitted.
    node.topics().await.unwrap();
    for n in 0..10 {
        node.emit_json("metered.a", &serde_json::json!(n)).unwrap();
    }
    node.flush().await.unwrap();
    // A snapshot takes the values (the debugging recorder sets them to 0): one per look.
    let counter = |snapshot: &[(CompositeKey, DebugValue)], name: &str, pattern: Option<&str>| {
        snapshot.iter().find_map(|(key, value)| {
            let key = key.key();
            let labels: Vec<(&str, &str)> = key.labels().map(|l| (l.key(), l.value())).collect();
            let wanted = key.name() == name
                && labels.contains(&("node", id.as_str()))
                && pattern.is_none_or(|p| labels.contains(&("pattern", p)));
            match value {
                DebugValue::Counter(n) if wanted => Some(*n),
                _ => None,
            }
        })
    };
    let deadline = Instant::now() + crate::common::DEADLINE;
    loop {
        let snapshot: Vec<(CompositeKey, DebugValue)> = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| (key, value))
            .collect();
        let emitted = counter(&snapshot, "nanomitter_events_emitted_total", None);
        let matched = counter(&snapshot, "nanomitter_pattern_events_total", Some("metered.*"));
        if emitted == Some(10) && matched == Some(10) {
            break;
        }
        assert!(Instant::now() < deadline, "emitted {emitted:?}, matched {matched:?}");
        actix_rt::time::sleep(Duration::from_millis(10)).await;
    }
    node.close().await.unwrap();
}

/// A listener that takes events and does nothing with them.
struct Discard;

impl actix::Actor for Discard {
    type Context = actix::Context<Self>;
}

impl actix::Handler<nanomitter::DistributedEvent> for Discard {
    type Result = ();

    fn handle(&mut self, _: nanomitter::DistributedEvent, _: &mut actix::Context<Self>) {}
}

impl Discard {
    fn start_new() -> (actix::Addr<Discard>, actix::Recipient<nanomitter::DistributedEvent>) {
        use actix::Actor;
        let addr = Discard.start();
        let recipient = addr.clone().recipient();
        (addr, recipient)
    }
}

/// The `tracing` spans carry an event's sender and sequence number where it is emitted, where
/// the hub relays it, and where it is delivered to listeners.
#[actix_rt::test]
async fn spans_carry_the_sender_and_sequence_number_at_emit_relay_and_delivery() {
    use nanomitter::Emitter;
    use tracing_subscriber::layer::SubscriberExt;

    let spans = Spans::default();
    // The actors of both nodes run on this thread, inside the subscriber set here.
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(spans.clone()));
    let address = crate::common::free_address();
    let node = |service: &'static str| {
        Emitter::builder(service).address(&address).heartbeat_interval(None).connect()
    };
    let hub = node("hub").await.unwrap();
    let client = node("client").await.unwrap();
    let (_listener, recipient) = Discard::start_new();
    hub.on("traced", recipient).unwrap();
    hub.topics().await.unwrap();
    let deadline = std::time::Instant::now() + crate::common::DEADLINE;
    while client.cluster_listener_count("traced").await.unwrap() == 0 {
        assert!(std::time::Instant::now() < deadline, "the client never heard of the listener");
        actix_rt::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    client.emit_json("traced", &serde_json::json!(1)).unwrap();
    client.flush().await.unwrap();
    let sender = format!("{:016x}", client.node_id());
    let fields = |name: &str| spans.named(name);
    let emitted = fields("emit");
    assert!(
        emitted.iter().any(|f| f["sender"] == sender && f["seq"] == "1" && f["topic"] == "traced"),
        "{emitted:?}"
    );
    let relayed = fields("relay");
    assert!(
        relayed.iter().any(|f| f["sender"] == sender && f["seq_from"] == "1" && f["seq_to"] == "1"),
        "{relayed:?}"
    );
    let delivered = fields("deliver");
    assert!(delivered.iter().any(|f| f["sender"] == sender && f["seq"] == "1"), "{delivered:?}");
    client.close().await.unwrap();
    hub.close().await.unwrap();
}

/// A span's fields, each as text, by name.
type SpanFields = std::collections::HashMap<String, String>;

/// Every span opened, by name, with its fields.
#[derive(Clone, Default)]
struct Spans(std::sync::Arc<std::sync::Mutex<Vec<(String, SpanFields)>>>);

impl Spans {
    /// The fields of every span of this name, in the order they were opened.
    fn named(&self, name: &str) -> Vec<SpanFields> {
        let spans = self.0.lock().unwrap();
        spans.iter().filter(|(n, _)| n == name).map(|(_, fields)| fields.clone()).collect()
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Spans {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = FieldsAsText::default();
        attrs.record(&mut fields);
        self.0.lock().unwrap().push((attrs.metadata().name().to_owned(), fields.0));
    }
}

/// A span's fields, each written as text.
#[derive(Default)]
struct FieldsAsText(SpanFields);

impl tracing::field::Visit for FieldsAsText {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}
