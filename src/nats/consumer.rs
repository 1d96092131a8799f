//! Reading the events this node's listeners match: in JetStream mode from the streams, through
//! a consumer of this node's own, in core mode from subscriptions.
//!
//! Owns: one reading task per stream (or one for core mode), the filters they read with, where
//! each resumes after a change of patterns, a reconnect or a gap, and the bound on events read
//! but not yet taken by listeners (a semaphore: a node behind stops reading, and NATS holds the
//! rest). It must not deliver (the emitter does) nor decide what is a copy (the order module's).
//!
//! # Where a stream is read from
//! Each task remembers the stream sequence of the last event it read. A new consumer (the
//! patterns changed, or the old one failed: an error, missed heartbeats, a skipped consumer
//! sequence) starts right after it, so nothing is skipped; the order module drops what comes
//! twice. When the patterns change and the old consumer had nothing pending, everything stored
//! so far was read, and the new one starts at the stream's end instead: a new listener does not
//! receive history. A node with a stable name starts after the position recorded under its name;
//! one without starts where [`History`] says.

use super::body::{self, Decoded};
use super::session::{FromNats, Reporter};
use super::{History, Subjects};
use crate::stats::Stats;
use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
use async_nats::jetstream::stream::Stream as JetStream;
use async_nats::Client;
use futures_util::{FutureExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Semaphore};
use tracing::{debug, warn};

/// Most events read and not yet taken by listeners, per node.
pub(crate) const MAX_UNTAKEN: usize = 8192;

/// Most events handed to the emitter in one message.
const HAND_OVER: usize = 512;

/// An event read from NATS, with where it was read.
#[derive(Debug)]
pub(crate) struct Incoming {
    /// The event and its number on its topic.
    pub(crate) decoded: Decoded,
    /// The stream it was read from and its sequence there (JetStream mode).
    pub(crate) position: Option<(u16, u64)>,
}

/// What every reading task shares.
#[derive(Clone)]
pub(crate) struct Reading {
    /// The subject space.
    pub(crate) subjects: Subjects,
    /// Events read and not yet taken: a permit each.
    pub(crate) untaken: Arc<Semaphore>,
    /// Where events and notices go.
    pub(crate) report: Reporter,
    /// The node's counters (malformed bodies count as `frames_received` and nothing else).
    pub(crate) stats: Arc<Stats>,
    /// How often the server must show it is alive to a consumer.
    pub(crate) heartbeat: Duration,
}

impl Reading {
    /// Takes a permit for one more untaken event, waiting while [`MAX_UNTAKEN`] are out.
    async fn room(&self) {
        if let Ok(permit) = self.untaken.acquire().await {
            permit.forget();
        }
    }

    /// Decodes a body, counting one that is malformed.
    fn decode(&self, payload: &bytes::Bytes) -> Option<Decoded> {
        Stats::add(&self.stats.frames_received, 1);
        Stats::add(&self.stats.bytes_received, payload.len() as u64);
        match body::decode(payload) {
            Ok(decoded) => Some(decoded),
            Err(why) => {
                Stats::add(&self.stats.malformed, 1);
                debug!(why, "a malformed event body");
                None
            }
        }
    }
}

/// Where a stream's reading starts the first time.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Start {
    /// After this stream sequence (a recorded position).
    After(u64),
    /// As the history setting says.
    Fresh(History),
}

/// Reads stream `index` with this node's patterns until the patterns' sender is dropped.
pub(crate) async fn run_stream(
    reading: Reading,
    stream: JetStream,
    index: u16,
    mut patterns: watch::Receiver<Vec<String>>,
    start: Start,
) {
    let mut last_read = match start {
        Start::After(seq) => {
            report_expired(&reading, &stream, seq).await;
            Some(seq)
        }
        Start::Fresh(_) => None,
    };
    let mut failures = 0u32;
    loop {
        let cover = super::subject::disjoint_cover(&patterns.borrow_and_update());
        let filters: Vec<String> =
            cover.iter().map(|p| reading.subjects.filter(index, p)).collect();
        if filters.is_empty() {
            if patterns.changed().await.is_err() {
                return;
            }
            continue;
        }
        let deliver_policy = match (last_read, start) {
            (Some(seq), _) => DeliverPolicy::ByStartSequence { start_sequence: seq + 1 },
            (None, Start::Fresh(History::Start)) => DeliverPolicy::All,
            (None, Start::Fresh(History::Since(ago))) => {
                DeliverPolicy::ByStartTime { start_time: time::OffsetDateTime::now_utc() - ago }
            }
            (None, _) => match stream_end(&stream).await {
                Some(end) => {
                    last_read = Some(end);
                    DeliverPolicy::ByStartSequence { start_sequence: end + 1 }
                }
                None => DeliverPolicy::New,
            },
        };
        let config = pull::Config {
            deliver_policy,
            filter_subjects: filters,
            ack_policy: AckPolicy::None,
            memory_storage: true,
            num_replicas: 1,
            inactive_threshold: Duration::from_secs(30),
            ..Default::default()
        };
        let created = async {
            let consumer = stream.create_consumer(config).await.map_err(|e| e.to_string())?;
            let messages =
                consumer.stream().max_messages_per_batch(500).heartbeat(reading.heartbeat);
            let messages = messages.messages().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((consumer, messages))
        };
        let (mut consumer, mut messages) = match created.await {
            Ok(created) => created,
            Err(error) => {
                failures += 1;
                warn!(error, index, "cannot start a consumer; trying again");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(failures.min(20)))).await;
                continue;
            }
        };
        let mut consumer_seq = 0;
        let patterns_changed = loop {
            let first = tokio::select! {
                biased;
                changed = patterns.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    break true;
                }
                message = messages.next() => message,
            };
            let mut batch = Vec::new();
            let mut next = first;
            let broken = loop {
                let message = match next {
                    Some(Ok(message)) => message,
                    Some(Err(error)) => {
                        debug!(%error, index, "the consumer failed; a new one resumes");
                        break true;
                    }
                    None => break true,
                };
                let Ok(info) = message.info() else { break true };
                if info.consumer_sequence != consumer_seq + 1 {
                    debug!(index, "a consumer sequence was skipped; a new one resumes");
                    break true;
                }
                consumer_seq = info.consumer_sequence;
                let stream_seq = info.stream_sequence;
                reading.room().await;
                last_read = Some(stream_seq);
                match reading.decode(&message.payload) {
                    Some(decoded) => {
                        batch.push(Incoming { decoded, position: Some((index, stream_seq)) })
                    }
                    None => reading.untaken.add_permits(1),
                }
                if batch.len() >= HAND_OVER {
                    break false;
                }
                match messages.next().now_or_never() {
                    Some(more) => next = more,
                    None => break false,
                }
            };
            if !batch.is_empty() {
                (reading.report)(FromNats::Events(batch));
            }
            if broken {
                break false;
            }
            failures = 0;
        };
        if patterns_changed {
            if let Some(end) = caught_up_to(&stream, &mut consumer, last_read).await {
                last_read = Some(end);
            }
        }
        let name = consumer.cached_info().name.clone();
        drop(messages);
        let _ = stream.delete_consumer(&name).await;
    }
}

/// The stream's last sequence now, if it can be read.
async fn stream_end(stream: &JetStream) -> Option<u64> {
    stream.get_info().await.ok().map(|info| info.state.last_sequence)
}

/// When the patterns change: if the old consumer has nothing pending and everything it sent was
/// read, the stream's end (read before asking the consumer) is where the new one may start.
async fn caught_up_to(
    stream: &JetStream,
    consumer: &mut async_nats::jetstream::consumer::Consumer<pull::Config>,
    last_read: Option<u64>,
) -> Option<u64> {
    let end = stream_end(stream).await?;
    let info = consumer.info().await.ok()?;
    let read_all = info.delivered.stream_sequence <= last_read.unwrap_or(0);
    (info.num_pending == 0 && read_all).then_some(end.max(last_read.unwrap_or(0)))
}

/// Reports on `$lagged` the events that fell out of the stream's retention after `position`
/// (all topics: at most that many were this node's).
async fn report_expired(reading: &Reading, stream: &JetStream, position: u64) {
    if let Ok(info) = stream.get_info().await {
        let first = info.state.first_sequence;
        if first > position + 1 {
            let missed = first - position - 1;
            (reading.report)(FromNats::Expired { missed });
        }
    }
}

/// Core mode: reads one subscription per pattern of the patterns' disjoint cover (so no event
/// arrives twice, and each topic's events come through one subscription, in order) until the
/// patterns' sender is dropped. When the patterns change, the subscriptions of the patterns
/// still in the cover stay (nothing of theirs is lost); new ones are added and the others
/// dropped.
pub(crate) async fn run_core(
    reading: Reading,
    client: Client,
    mut patterns: watch::Receiver<Vec<String>>,
) {
    let mut kept: Vec<Keyed> = Vec::new();
    loop {
        let cover = super::subject::disjoint_cover(&patterns.borrow_and_update());
        kept.retain(|keyed| cover.contains(&keyed.pattern));
        let missing: Vec<String> =
            cover.into_iter().filter(|p| !kept.iter().any(|k| &k.pattern == p)).collect();
        for pattern in missing {
            match client.subscribe(reading.subjects.filter(0, &pattern)).await {
                Ok(subscription) => kept.push(Keyed { pattern, subscription }),
                Err(error) => warn!(%error, pattern, "cannot subscribe"),
            }
        }
        let mut merged = futures_util::stream::select_all(std::mem::take(&mut kept));
        loop {
            let next = tokio::select! {
                biased;
                changed = patterns.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    break;
                }
                next = merged.next(), if !merged.is_empty() => next,
            };
            let Some(message) = next else { break };
            // What is ready goes to the emitter in one message, as the stream readers do.
            let mut batch = Vec::new();
            let mut next = Some(message);
            while let Some(message) = next {
                if let Some(decoded) = reading.decode(&message.payload) {
                    reading.room().await;
                    batch.push(Incoming { decoded, position: None });
                }
                if batch.len() >= HAND_OVER {
                    break;
                }
                next = merged.next().now_or_never().flatten();
            }
            if !batch.is_empty() {
                (reading.report)(FromNats::Events(batch));
            }
        }
        kept = merged.into_iter().collect();
    }
}

/// A core subscription with the pattern it is for.
struct Keyed {
    /// The pattern (of the disjoint cover) it subscribes to.
    pattern: String,
    /// The subscription.
    subscription: async_nats::Subscriber,
}

impl futures_util::Stream for Keyed {
    type Item = async_nats::Message;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::pin::Pin::new(&mut self.subscription).poll_next(cx)
    }
}
