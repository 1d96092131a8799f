//! The NATS baseline: a `nats-server` as the hub, async-nats clients as producers and consumers.
//!
//! Owns: whether the baseline can run (this binary built with the `nats-baseline` feature, a
//! `nats-server` on the PATH, loopback) and the producer and consumer processes: one NATS
//! message per event on one subject (`[producer id u64][seq u64][payload]`, as the raw NNG
//! baseline), published as fast as the client takes them (or at `--rate`) and flushed, with the
//! same commands, answers and loss accounting as every bench process (see `node`). Messages NATS
//! drops for a slow consumer count as lost. The server itself is started by `nats_server`, as for
//! nanomitter's NATS backend. It must not touch nanomitter.

use super::{nats_server, NodeArgs};

/// Whether the NATS baseline can run here; if not, why.
pub fn available(addr: Option<&str>) -> Result<(), String> {
    if !cfg!(feature = "nats-baseline") {
        return Err("this binary was built without the nats-baseline feature \
                    (cargo run --release -p nanomitter-cli --features nats-baseline -- bench)"
            .into());
    }
    if addr.is_some() {
        return Err("it runs on loopback only, and --addr was given".into());
    }
    nats_server::program().map(drop)
}

#[cfg(not(feature = "nats-baseline"))]
pub async fn node(_: NodeArgs) -> Result<(), String> {
    available(None)
}

/// A producer or consumer process (the hub is the server itself).
#[cfg(feature = "nats-baseline")]
pub async fn node(args: NodeArgs) -> Result<(), String> {
    use super::node::{answer, produce, report_when_settled};
    use super::tally::Tally;
    use super::{topics, Role, PATTERN};
    use crate::output::print_line;
    use futures_util::StreamExt;
    use std::cell::RefCell;
    use std::rc::Rc;

    let client = async_nats::connect(args.addr.as_str()).await.map_err(|e| e.to_string())?;
    let tally = Rc::new(RefCell::new(Tally::default()));
    if args.role == Role::Consumer {
        let mut messages = client.subscribe(PATTERN).await.map_err(|e| e.to_string())?;
        // The server has the subscription once it answered the flush's ping.
        client.flush().await.map_err(|e| e.to_string())?;
        let recording = tally.clone();
        actix_rt::spawn(async move {
            while let Some(message) = messages.next().await {
                let field = |i: usize| {
                    message
                        .payload
                        .get(i..i + 8)
                        .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
                };
                recording.borrow_mut().record(field(0), field(8), field(16));
            }
        });
    }
    print_line(r#"{"ready":true}"#);
    let id: u64 = u64::from(std::process::id());
    let mut lines = crate::repl::stdin_lines();
    while let Some(line) = lines.recv().await {
        if line == "go" && args.role == Role::Producer {
            let subjects: Vec<async_nats::Subject> =
                topics(args.topics).into_iter().map(async_nats::Subject::from).collect();
            let (client, subjects, count) = (&client, &subjects, args.topics);
            let produced = produce(&args, move |n, body| {
                let seq = n + 1;
                let message = [&id.to_le_bytes()[..], &seq.to_le_bytes(), &body].concat();
                let subject = subjects[(n % count) as usize].clone();
                async move { client.publish(subject, message.into()).await.is_ok() }
            })
            .await;
            client.flush().await.map_err(|e| e.to_string())?;
            answer("done", &produced);
        } else if let Some(expected) = line.strip_prefix("report ") {
            report_when_settled(&tally, expected).await;
        }
    }
    Ok(())
}
