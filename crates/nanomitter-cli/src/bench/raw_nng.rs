//! The raw NNG baseline's processes: the transport under nanomitter, without its protocol.
//!
//! Owns: NNG byte streams carrying one length-prefixed message per event
//! (`[producer id u64][seq u64][payload]`), a hub that forwards each message to every other
//! connection, a producer that writes as fast as the stream takes them (or at `--rate`) and a
//! consumer that tallies what arrives, with the same commands and answers as every bench
//! process (see `node`). It must not reach into nanomitter's protocol: only `nanomitter::nng`.

use super::node::{answer, produce};
use super::tally::Tally;
use super::{NodeArgs, Role};
use crate::output::print_line;
use nanomitter_nng::{Dialer, Listener, NngError, Stream, TransportOptions};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Runs one process of the baseline on this (blocking) thread.
pub fn node(args: NodeArgs) -> Result<(), String> {
    let fail = |e: NngError| e.to_string();
    let tls =
        args.addr.starts_with("tls+tcp://").then(|| args.security.raw_tls(args.role == Role::Hub));
    // The same transport settings as nanomitter's connections: TCP_NODELAY on.
    let options = TransportOptions {
        tls: tls.flatten(),
        tcp_nodelay: Some(true),
        ..TransportOptions::default()
    };
    let runtime = actix_rt::System::new();
    if args.role == Role::Hub {
        let listener = Listener::bind(&args.addr, &options).map_err(fail)?;
        print_line(r#"{"ready":true}"#);
        runtime.block_on(relay_messages(listener));
        return Ok(());
    }
    let dialer = Dialer::new(&args.addr, &options).map_err(fail)?;
    let stream = runtime.block_on(dialer.dial()).map_err(fail)?;
    if args.role == Role::Consumer {
        return consume(stream);
    }
    let id: u64 = u64::from(std::process::id());
    print_line(r#"{"ready":true}"#);
    for line in std::io::stdin().lines().map_while(Result::ok) {
        if line == "go" {
            let stream = &stream;
            let produced = runtime.block_on(produce(&args, move |n, body| {
                let seq = n + 1;
                let message = [&id.to_le_bytes()[..], &seq.to_le_bytes(), &body].concat();
                async move { write_message(stream, &message).await }
            }));
            answer("done", &produced);
        }
    }
    Ok(())
}

/// A consumer: a thread reads and tallies while this one answers the commands.
fn consume(stream: Stream) -> Result<(), String> {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let recording = tally.clone();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            while let Some(message) = read_message(&stream).await {
                let field = |i: usize| {
                    message
                        .get(i..i + 8)
                        .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
                };
                if let Ok(mut tally) = recording.lock() {
                    tally.record(field(0), field(8), field(16));
                }
            }
        });
    });
    print_line(r#"{"ready":true}"#);
    for line in std::io::stdin().lines().map_while(Result::ok) {
        if let Some(expected) = line.strip_prefix("report ") {
            let expected: u64 = expected.trim().parse().unwrap_or(0);
            while tally.lock().is_ok_and(|t| !t.settled(expected)) {
                std::thread::sleep(Duration::from_millis(10));
            }
            let report = tally.lock().map(|t| t.report()).map_err(|e| e.to_string())?;
            answer("report", &report);
        }
    }
    Ok(())
}

/// The baseline hub: every message from one connection goes to every other.
async fn relay_messages(listener: Listener) {
    type Outboxes = Rc<RefCell<Vec<(u64, tokio::sync::mpsc::UnboundedSender<Rc<Vec<u8>>>)>>>;
    let outboxes: Outboxes = Rc::default();
    let mut next_id = 0;
    while let Ok(stream) = listener.accept().await {
        next_id += 1;
        let (id, stream) = (next_id, Rc::new(stream));
        let (outbox, mut outgoing) = tokio::sync::mpsc::unbounded_channel::<Rc<Vec<u8>>>();
        outboxes.borrow_mut().push((id, outbox));
        let writer = stream.clone();
        actix_rt::spawn(async move {
            while let Some(message) = outgoing.recv().await {
                if !write_message(&writer, &message).await {
                    return;
                }
            }
        });
        let others = outboxes.clone();
        actix_rt::spawn(async move {
            while let Some(message) = read_message(&stream).await {
                let message = Rc::new(message);
                for (to, outbox) in others.borrow().iter() {
                    if *to != id {
                        let _ = outbox.send(message.clone());
                    }
                }
            }
            others.borrow_mut().retain(|(to, _)| *to != id);
        });
    }
}

/// Writes one length-prefixed message; `false` once the stream failed.
async fn write_message(stream: &Stream, message: &[u8]) -> bool {
    let len = (message.len() as u32).to_le_bytes();
    stream.write_all(&[&len, message]).await.is_ok()
}

/// One length-prefixed message, or `None` once the stream ends.
async fn read_message(stream: &Stream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).await.ok()?;
    let mut message = vec![0u8; u32::from_le_bytes(len) as usize];
    stream.read_exact(&mut message).await.ok()?;
    Some(message)
}
