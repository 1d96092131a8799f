//! Getting each event of this node into NATS: in JetStream mode exactly once and in order, in
//! core mode at most once.
//!
//! Owns: the task that takes this node's events in emit order, groups them into batches and
//! publishes them, and the reports of what the server acknowledged. It must not number events
//! (the emitter does, before they reach this task) nor decide what `flush` answers (the emitter
//! does, from these reports).
//!
//! # JetStream: one atomic batch in flight
//! A batch is up to `batch_events` events published with the `Nats-Batch-Id` and
//! `Nats-Batch-Sequence` headers, the last one also with `Nats-Batch-Commit: 1`; the stream
//! stores the whole batch or nothing and answers the commit. The next batch leaves only after
//! that answer, so a batch that must be published again can never land behind a later one: the
//! stream holds this node's events in the order emitted. Every event also carries
//! `Nats-Msg-Id: <node>-<seq>`: a batch published again after its commit answer was lost is
//! refused as a duplicate, which means it is stored. Failed batches are retried with backoff for
//! half the duplicate window (past it, a repeat would no longer be recognised), then reported as
//! not stored, with every event queued behind them at that moment.

use super::session::{FromNats, Reporter};
use async_nats::{Client, HeaderMap, StatusCode, Subscriber};
use bytes::Bytes;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::{debug, warn};

/// One event on its way out.
#[derive(Debug)]
pub(crate) struct Outgoing {
    /// Its sequence number at this node.
    pub(crate) seq: u64,
    /// Its subject.
    pub(crate) subject: String,
    /// Its body.
    pub(crate) body: Bytes,
    /// What it holds of `max_pending_bytes`, released once it is stored (or given up).
    pub(crate) reserved: usize,
    /// Core mode: the marker of its topic after it (the number of the sender's last event on
    /// that topic), published again for a while so that a receiver learns of losses at the tail.
    pub(crate) marker: Option<Bytes>,
}

/// How long a topic's marker is repeated after its last event (core mode).
const MARKERS_FOR: Duration = Duration::from_secs(10);

/// What the publishing task needs.
pub(crate) struct Publisher {
    /// The connection.
    pub(crate) client: Client,
    /// This node's id, for the message ids.
    pub(crate) node: u64,
    /// Most events per batch.
    pub(crate) batch_events: usize,
    /// How long to retry a batch before giving it up.
    pub(crate) give_up_after: Duration,
    /// How long to wait for a batch's answer before publishing it again.
    pub(crate) answer_within: Duration,
    /// Where reports go.
    pub(crate) report: Reporter,
}

/// How one attempt at a batch ended.
enum Attempt {
    /// Stored (or found stored already).
    Stored,
    /// Worth another try.
    Retry(String),
}

impl Publisher {
    /// Publishes everything that arrives on `events` as atomic batches until the channel closes.
    pub(crate) async fn run_jetstream(self, mut events: mpsc::UnboundedReceiver<Outgoing>) {
        let inbox = self.client.new_inbox();
        let mut answers = match self.client.subscribe(format!("{inbox}.*")).await {
            Ok(answers) => answers,
            Err(error) => return warn!(%error, "cannot subscribe to the batch answers"),
        };
        let mut attempt_number: u64 = 0;
        let mut batch = Vec::with_capacity(self.batch_events);
        while events.recv_many(&mut batch, self.batch_events).await > 0 {
            let first_try = Instant::now();
            let mut backoff = Duration::from_millis(50);
            let outcome = loop {
                attempt_number += 1;
                match self.attempt(&batch, &inbox, attempt_number, &mut answers).await {
                    Attempt::Stored => break Ok(()),
                    Attempt::Retry(why) if first_try.elapsed() + backoff < self.give_up_after => {
                        debug!(why, batch = batch.len(), "publishing the batch again");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(1));
                    }
                    Attempt::Retry(why) => break Err(why),
                }
            };
            if outcome.is_err() {
                // The stream stayed out of reach for the whole budget: what waits behind this
                // batch is given up with it, rather than each batch spending the budget again
                // (a flush, and so `close`, would wait that long per batch).
                while let Ok(event) = events.try_recv() {
                    batch.push(event);
                }
            }
            self.report_batch(&mut batch, outcome);
        }
    }

    /// Publishes everything that arrives on `events` with core NATS; reports each group as
    /// stored once the server has it (a flush of the connection). Every `every`, publishes the
    /// markers of the topics that had events within [`MARKERS_FOR`].
    pub(crate) async fn run_core(
        self,
        mut events: mpsc::UnboundedReceiver<Outgoing>,
        every: Duration,
    ) {
        let mut batch = Vec::with_capacity(self.batch_events);
        let mut markers: HashMap<String, (Bytes, Instant)> = HashMap::new();
        let mut tick = tokio::time::interval(every);
        loop {
            let received = tokio::select! {
                received = events.recv_many(&mut batch, self.batch_events) => received,
                _ = tick.tick() => {
                    markers.retain(|_, (_, at)| at.elapsed() < MARKERS_FOR);
                    for (subject, (marker, _)) in &markers {
                        let _ = self.client.publish(subject.clone(), marker.clone()).await;
                    }
                    continue;
                }
            };
            if received == 0 {
                return;
            }
            let now = Instant::now();
            for event in &batch {
                if let Some(marker) = &event.marker {
                    markers.insert(event.subject.clone(), (marker.clone(), now));
                }
            }
            let mut outcome = Ok(());
            for event in &batch {
                if let Err(error) =
                    self.client.publish(event.subject.clone(), event.body.clone()).await
                {
                    outcome = Err(error.to_string());
                }
            }
            if outcome.is_ok() {
                outcome = self.client.flush().await.map_err(|error| error.to_string());
            }
            self.report_batch(&mut batch, outcome);
        }
    }

    fn report_batch(&self, batch: &mut Vec<Outgoing>, outcome: Result<(), String>) {
        let upto = batch.last().map_or(0, |event| event.seq);
        let reserved = batch.iter().map(|event| event.reserved).sum();
        let events = batch.len() as u64;
        batch.clear();
        (self.report)(match outcome {
            Ok(()) => FromNats::Stored { upto, reserved },
            Err(cause) => {
                warn!(events, cause, "events given up: the stream never acknowledged them");
                FromNats::NotStored { upto, reserved, events, cause }
            }
        });
    }

    /// Publishes `batch` once under a fresh batch id and waits for the stream's answer.
    async fn attempt(
        &self,
        batch: &[Outgoing],
        inbox: &str,
        number: u64,
        answers: &mut Subscriber,
    ) -> Attempt {
        let id = format!("{:016x}-{number}", self.node);
        let commit_reply = format!("{inbox}.{number}");
        let start_reply = format!("{inbox}.{number}s");
        let last = batch.len() - 1;
        for (i, event) in batch.iter().enumerate() {
            let mut headers = HeaderMap::new();
            headers.insert("Nats-Batch-Id", id.as_str());
            headers.insert("Nats-Batch-Sequence", (i + 1).to_string());
            headers.insert("Nats-Msg-Id", format!("{:016x}-{}", self.node, event.seq));
            let subject = event.subject.clone();
            let body = event.body.clone();
            let sent = if i == last {
                headers.insert("Nats-Batch-Commit", "1");
                let reply = commit_reply.clone();
                self.client.publish_with_reply_and_headers(subject, reply, headers, body).await
            } else if i == 0 {
                // The server answers the first message of a batch only when it refuses it (a
                // stream without atomic batches, say): asked, so such a refusal is heard.
                let reply = start_reply.clone();
                self.client.publish_with_reply_and_headers(subject, reply, headers, body).await
            } else {
                self.client.publish_with_headers(subject, headers, body).await
            };
            if let Err(error) = sent {
                return Attempt::Retry(error.to_string());
            }
        }
        let deadline = tokio::time::sleep(self.answer_within);
        tokio::pin!(deadline);
        loop {
            let answer = tokio::select! {
                answer = answers.next() => answer,
                () = &mut deadline => return Attempt::Retry("no answer from the stream".into()),
            };
            let Some(answer) = answer else {
                return Attempt::Retry("the connection closed".into());
            };
            let subject = answer.subject.as_str();
            if subject != commit_reply && subject != start_reply {
                continue; // the late answer of an earlier attempt
            }
            if answer.status == Some(StatusCode::NO_RESPONDERS) {
                return Attempt::Retry("no stream answered (a leader election?)".into());
            }
            match parse_answer(&answer.payload) {
                Answer::Ack => {
                    if subject == commit_reply {
                        return Attempt::Stored;
                    }
                }
                Answer::Duplicate => return Attempt::Stored,
                Answer::Refused(why) => return Attempt::Retry(why),
            }
        }
    }
}

/// What the stream said to a batch message.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// Stored (the commit's acknowledgement), or an empty "go on" to the first message.
    Ack,
    /// Refused because it holds these message ids already: stored before.
    Duplicate,
    /// Refused, for this reason.
    Refused(String),
}

/// The JetStream error code of a batch holding a message id the stream has seen.
const BATCH_DUPLICATE: u64 = 10201;

fn parse_answer(payload: &[u8]) -> Answer {
    if payload.is_empty() {
        return Answer::Ack;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return Answer::Refused("an answer that is not JSON".into());
    };
    match value.get("error") {
        None => Answer::Ack,
        Some(error) if error["err_code"].as_u64() == Some(BATCH_DUPLICATE) => Answer::Duplicate,
        Some(error) => Answer::Refused(
            error["description"].as_str().unwrap_or("refused, without a reason").to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_the_stream_means_them() {
        assert_eq!(parse_answer(b""), Answer::Ack);
        assert_eq!(
            parse_answer(br#"{"stream":"nanomitter","seq":12,"batch":"x","count":3}"#),
            Answer::Ack
        );
        let duplicate = br#"{"error":{"code":400,"err_code":10201,"description":"batch publish contains duplicate message id"}}"#;
        assert_eq!(parse_answer(duplicate), Answer::Duplicate);
        let disabled = br#"{"error":{"code":400,"err_code":10174,"description":"atomic publish is disabled"}}"#;
        assert_eq!(parse_answer(disabled), Answer::Refused("atomic publish is disabled".into()));
        assert!(matches!(parse_answer(b"\xff"), Answer::Refused(_)));
    }
}
