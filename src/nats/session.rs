//! Connecting a node to NATS: the connection, the streams, the bucket of positions, and the
//! tasks that publish, read and beacon.
//!
//! Owns: turning [`NatsOptions`] into a connection (credentials, TLS, pings), creating what is
//! missing (streams with atomic batches, the bucket), starting the tasks, and the
//! [`NatsLink`] the emitter holds them by. It must not decide what to deliver or when `flush`
//! resolves (the emitter's), nor hold listeners.

use super::consumer::{self, Incoming, Reading, Start, MAX_UNTAKEN};
use super::presence::Beacon;
use super::publisher::{Outgoing, Publisher};
use super::{Mode, NatsAuth, NatsOptions, Subjects};
use crate::error::Error;
use crate::stats::Stats;
use actix::Message;
use async_nats::jetstream::{self, kv, stream};
use async_nats::{Client, ConnectOptions, Event};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

/// What the backend's tasks tell the emitter.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) enum FromNats {
    /// The connection is up (again).
    Up,
    /// The connection is lost; the client reconnects by itself.
    Down,
    /// The events up to sequence `upto` are stored (JetStream) or with the server (core).
    Stored {
        /// The last of them.
        upto: u64,
        /// What they held of `max_pending_bytes`.
        reserved: usize,
    },
    /// The events up to `upto` since the last report were given up.
    NotStored {
        /// The last of them.
        upto: u64,
        /// What they held of `max_pending_bytes`.
        reserved: usize,
        /// How many.
        events: u64,
        /// The last failure.
        cause: String,
    },
    /// Events read, in the order read.
    Events(Vec<Incoming>),
    /// Events that fell out of retention before this node, resuming, could read them.
    Expired {
        /// How many stream messages (of all topics).
        missed: u64,
    },
    /// A peer's beacon.
    Beacon(Beacon),
}

/// Where the tasks report to (the emitter's address, as a function so that tasks need not know
/// the actor).
pub(crate) type Reporter = Arc<dyn Fn(FromNats) + Send + Sync>;

/// The ends of the channels between the emitter and the tasks, made before the connection
/// exists so that events emitted while connecting wait in order.
pub(crate) struct Channels {
    /// Events to publish.
    pub(crate) publish: mpsc::UnboundedSender<Outgoing>,
    /// This node's patterns, as the reading tasks filter with.
    pub(crate) patterns: watch::Sender<Vec<String>>,
    /// Per stream, the sequence of the last event listeners took: recorded under the stable
    /// name.
    pub(crate) positions: watch::Sender<Vec<u64>>,
    /// This node's beacon.
    pub(crate) beacon: watch::Sender<Beacon>,
    /// Events read and not yet taken (see [`MAX_UNTAKEN`]).
    pub(crate) untaken: Arc<Semaphore>,
}

/// The tasks' ends of [`Channels`], handed to [`open`].
pub(crate) struct Ends {
    /// The events to publish, in emit order: the publishing task's.
    publish: mpsc::UnboundedReceiver<Outgoing>,
    /// This node's patterns: the reading tasks filter with them.
    patterns: watch::Receiver<Vec<String>>,
    /// Per stream, the position to record under the stable name: the recording task's.
    positions: watch::Receiver<Vec<u64>>,
    /// This node's beacon: the presence task publishes it.
    beacon: watch::Receiver<Beacon>,
    /// The bound on events read and not yet taken, shared with the emitter, which gives the
    /// permits back.
    untaken: Arc<Semaphore>,
}

impl Channels {
    /// The channels of node `node` of service `service`, and the tasks' ends of them.
    pub(crate) fn new(node: u64, service: &str, streams: u16) -> (Self, Ends) {
        let (publish, publish_rx) = mpsc::unbounded_channel();
        let (patterns, patterns_rx) = watch::channel(Vec::new());
        let (positions, positions_rx) = watch::channel(vec![0; usize::from(streams)]);
        let beacon =
            Beacon { node, service: service.to_owned(), patterns: Vec::new(), left: false };
        let (beacon, beacon_rx) = watch::channel(beacon);
        let untaken = Arc::new(Semaphore::new(MAX_UNTAKEN));
        let ends = Ends {
            publish: publish_rx,
            patterns: patterns_rx,
            positions: positions_rx,
            beacon: beacon_rx,
            untaken: untaken.clone(),
        };
        (Channels { publish, patterns, positions, beacon, untaken }, ends)
    }
}

/// A connected node's hold on NATS: dropping it stops its tasks and closes the connection.
pub(crate) struct NatsLink {
    /// The connection.
    client: Client,
    /// Its tasks (publishing, reading, beacons, positions).
    tasks: Vec<JoinHandle<()>>,
    /// The bucket of positions and this node's stable name, if it has one.
    positions: Option<(kv::Store, String)>,
    /// The subject of the beacons.
    presence_subject: String,
    /// Per stream, the position recorded under the stable name when this node started.
    pub(crate) recorded: Vec<u64>,
}

impl Drop for NatsLink {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// What [`open`] needs besides the channels' ends.
pub(crate) struct Opening {
    /// The `nats://` seed URLs.
    pub(crate) candidates: Vec<String>,
    /// The backend's settings.
    pub(crate) options: NatsOptions,
    /// This node's id.
    pub(crate) node: u64,
    /// How long connecting may take.
    pub(crate) connect_timeout: Duration,
    /// The node's counters.
    pub(crate) stats: Arc<Stats>,
    /// Where the tasks report.
    pub(crate) report: Reporter,
}

/// Connects, sets up the streams (and the bucket of positions), and starts the tasks.
pub(crate) async fn open(opening: Opening, ends: Ends) -> Result<NatsLink, Error> {
    let Opening { candidates, options, node, connect_timeout, stats, report } = opening;
    let options = &options;
    let subjects = Subjects::new(&options.prefix, options.streams);
    let seeds = candidates.join(",");
    let failed = |doing: &str, cause: String| Error::Nats { doing: doing.to_owned(), cause };
    let client = connect_options(options, connect_timeout, report.clone())
        .await
        .map_err(|e| failed(&format!("reading the credentials for {seeds}"), e.to_string()))?
        .connect(candidates)
        .await
        .map_err(|e| failed(&format!("connecting to {seeds}"), e.to_string()))?;
    let info = client.server_info();
    info!(server = info.server_name, version = info.version, "connected to NATS");
    let mut tasks = Vec::new();
    let reading = Reading {
        subjects: subjects.clone(),
        untaken: ends.untaken.clone(),
        report: report.clone(),
        stats: stats.clone(),
        heartbeat: options.ping_interval,
    };
    let publisher = Publisher {
        client: client.clone(),
        node,
        batch_events: options.batch_events,
        give_up_after: options.effective_duplicate_window() / 2,
        answer_within: options.ping_interval * 2,
        report: report.clone(),
    };
    let mut positions = None;
    let mut recorded = vec![0; usize::from(subjects.streams())];
    match options.mode {
        Mode::Core => {
            tasks.push(actix::spawn(publisher.run_core(ends.publish, options.presence_interval)));
            tasks.push(actix::spawn(consumer::run_core(reading, client.clone(), ends.patterns)));
        }
        Mode::JetStream => {
            let js = jetstream::new(client.clone());
            let mut streams = Vec::new();
            for index in 0..subjects.streams() {
                let name = subjects.stream_name(index);
                let stream = ensure_stream(&js, options, &subjects, index)
                    .await
                    .map_err(|cause| failed(&format!("setting up stream {name}"), cause))?;
                streams.push(stream);
            }
            let mut starts = vec![Start::Fresh(options.history); streams.len()];
            if let Some(name) = &options.stable_name {
                let bucket = format!("{}-positions", subjects.stream_name(0));
                let store = ensure_bucket(&js, &bucket, options.replicas)
                    .await
                    .map_err(|cause| failed(&format!("setting up bucket {bucket}"), cause))?;
                for (index, start) in starts.iter_mut().enumerate() {
                    if let Ok(Some(value)) = store.get(format!("{name}.{index}")).await {
                        if let Some(seq) =
                            std::str::from_utf8(&value).ok().and_then(|v| v.parse().ok())
                        {
                            *start = Start::After(seq);
                        }
                    }
                }
                for (seq, start) in recorded.iter_mut().zip(&starts) {
                    if let Start::After(after) = start {
                        *seq = *after;
                    }
                }
                tasks.push(actix::spawn(record_positions(
                    store.clone(),
                    name.clone(),
                    ends.positions,
                )));
                positions = Some((store, name.clone()));
            }
            tasks.push(actix::spawn(publisher.run_jetstream(ends.publish)));
            for (index, (stream, start)) in streams.into_iter().zip(starts).enumerate() {
                let reading = reading.clone();
                let patterns = ends.patterns.clone();
                let index = index as u16;
                tasks.push(actix::spawn(consumer::run_stream(
                    reading, stream, index, patterns, start,
                )));
            }
        }
    }
    let presence_subject = subjects.presence();
    tasks.push(actix::spawn(beacon(
        client.clone(),
        presence_subject.clone(),
        options.presence_interval,
        ends.beacon,
        report,
    )));
    Ok(NatsLink { client, tasks, positions, presence_subject, recorded })
}

impl NatsLink {
    /// The server this node is connected to, as a URL.
    pub(crate) fn server(&self) -> String {
        let info = self.client.server_info();
        format!("nats://{}:{}", info.host, info.port)
    }

    /// Leaves: records the final positions, says goodbye, and closes the connection once both
    /// left (or after `linger`).
    pub(crate) async fn close(self, positions: Vec<u64>, goodbye: Beacon, linger: Duration) {
        let client = self.client.clone();
        let recorded = self.positions.clone();
        let subject = self.presence_subject.clone();
        drop(self);
        let leaving = async move {
            if let Some((store, name)) = recorded {
                record(&store, &name, &positions, &mut vec![0; positions.len()]).await;
            }
            if let Ok(body) = serde_json::to_vec(&goodbye) {
                let _ = client.publish(subject, body.into()).await;
            }
            let _ = client.flush().await;
        };
        let _ = tokio::time::timeout(linger, leaving).await;
    }
}

/// The client's options from the backend's settings.
async fn connect_options(
    options: &NatsOptions,
    connect_timeout: Duration,
    report: Reporter,
) -> std::io::Result<ConnectOptions> {
    let mut connect = match &options.auth {
        NatsAuth::None => ConnectOptions::new(),
        NatsAuth::UserPassword { user, password } => {
            ConnectOptions::with_user_and_password(user.clone(), password.clone())
        }
        NatsAuth::Token(token) => ConnectOptions::with_token(token.clone()),
        NatsAuth::NKey(seed) => ConnectOptions::with_nkey(seed.clone()),
        NatsAuth::CredsFile(path) => ConnectOptions::with_credentials_file(path).await?,
    };
    if let Some(ca) = &options.tls_ca {
        connect = connect.require_tls(true).add_root_certificates(ca.clone());
    }
    if let Some((cert, key)) = &options.tls_client {
        connect = connect.add_client_certificate(cert.clone(), key.clone());
    }
    Ok(connect
        .name("nanomitter")
        .connection_timeout(connect_timeout)
        .ping_interval(options.ping_interval)
        // Back to a server quickly once one answers again: at most a second between attempts.
        .reconnect_delay_callback(|attempts| Duration::from_millis(100 * attempts.min(10) as u64))
        .event_callback(move |event| {
            let report = report.clone();
            async move {
                match event {
                    Event::Connected => report(FromNats::Up),
                    Event::Disconnected => report(FromNats::Down),
                    // One event per message the client dropped for a full subscription: core
                    // mode's loss, which the order module counts (`gaps`) and reports.
                    Event::SlowConsumer(_) => {}
                    // A reconnect's failed attempts: expected while a server is down.
                    Event::ClientError(error) => debug!(%error, "NATS client"),
                    other => warn!(event = %other, "NATS"),
                }
            }
        }))
}

/// Gets stream `index`, creating it if missing; refuses one without atomic batches.
async fn ensure_stream(
    js: &jetstream::Context,
    options: &NatsOptions,
    subjects: &Subjects,
    index: u16,
) -> Result<stream::Stream, String> {
    let name = subjects.stream_name(index);
    let config = stream::Config {
        name: name.clone(),
        subjects: vec![subjects.stream_subjects(index)],
        num_replicas: options.replicas,
        max_age: options.max_age.unwrap_or(Duration::ZERO),
        max_bytes: options.max_bytes,
        duplicate_window: options.effective_duplicate_window(),
        allow_atomic_publish: true,
        ..Default::default()
    };
    let mut stream = js.get_or_create_stream(config).await.map_err(|e| e.to_string())?;
    let info = stream.info().await.map_err(|e| e.to_string())?;
    if !info.config.allow_atomic_publish {
        return Err(format!(
            "the stream exists without atomic batch publish (allow_atomic), which this backend \
             needs (nats-server 2.12.1 or later); enable it on {name} or use another prefix"
        ));
    }
    Ok(stream)
}

/// Gets the bucket of positions, creating it if missing.
async fn ensure_bucket(
    js: &jetstream::Context,
    bucket: &str,
    replicas: usize,
) -> Result<kv::Store, String> {
    if let Ok(store) = js.get_key_value(bucket).await {
        return Ok(store);
    }
    let config = kv::Config {
        bucket: bucket.to_owned(),
        history: 1,
        num_replicas: replicas,
        ..Default::default()
    };
    js.create_key_value(config).await.map_err(|e| e.to_string())
}

/// Records this node's positions as they move, one write at a time (the latest wins).
async fn record_positions(
    store: kv::Store,
    name: String,
    mut positions: watch::Receiver<Vec<u64>>,
) {
    let mut written = positions.borrow().clone();
    while positions.changed().await.is_ok() {
        let current = positions.borrow_and_update().clone();
        record(&store, &name, &current, &mut written).await;
    }
}

/// Writes the positions that moved since `written`.
async fn record(store: &kv::Store, name: &str, positions: &[u64], written: &mut Vec<u64>) {
    written.resize(positions.len(), 0);
    for (index, (&seq, done)) in positions.iter().zip(written.iter_mut()).enumerate() {
        if seq != *done {
            match store.put(format!("{name}.{index}"), seq.to_string().into()).await {
                Ok(_) => *done = seq,
                Err(error) => warn!(%error, "cannot record the position"),
            }
        }
    }
}

/// Publishes this node's beacon every `every` and on change, and reports the others'.
async fn beacon(
    client: Client,
    subject: String,
    every: Duration,
    mut own: watch::Receiver<Beacon>,
    report: Reporter,
) {
    let mut heard = match client.subscribe(subject.clone()).await {
        Ok(heard) => heard,
        Err(error) => return warn!(%error, "cannot subscribe to the beacons"),
    };
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = own.changed() => if changed.is_err() { return },
            message = heard.next() => {
                let Some(message) = message else { return };
                if let Ok(beacon) = serde_json::from_slice::<Beacon>(&message.payload) {
                    report(FromNats::Beacon(beacon));
                }
                continue;
            }
        }
        let body = serde_json::to_vec(&*own.borrow_and_update()).unwrap_or_default();
        let _ = client.publish(subject.clone(), body.into()).await;
    }
}
