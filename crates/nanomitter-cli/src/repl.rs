//! `nanomitter repl`: a node driven line by line from stdin.
//!
//! Owns: the line commands. `<topic> <json>` emits; `.flush` waits until every member holds what
//! was emitted and answers `{"flushed":true}`; `.on <pattern>` and `.off <pattern>` add and
//! remove a listener; `.stats`, `.role` and `.listeners <topic>` (the cluster-wide count) answer
//! with a JSON line. Events on the
//! listened topics print as JSON lines; role changes are reported on stderr. End of stdin, or
//! Ctrl-C, flushes and exits.

use crate::explain;
use crate::interrupt::Interrupt;
use crate::node::{check_topics, report_roles, NodeArgs};
use crate::output::{print_line, Format, Printer};
use actix::{Actor, Recipient};
use nanomitter::{DistributedEvent, EmitterHandle};
use tokio::sync::{mpsc, oneshot};

/// Runs the line commands of stdin until it ends, stdout closes or Ctrl-C; then flushes. A
/// `dial_only` node never becomes the hub.
pub async fn run(node: &NodeArgs, dial_only: bool, topics: &[String]) -> Result<(), String> {
    check_topics(topics, true)?;
    let interrupted = Interrupt::install()?.requested();
    tokio::pin!(interrupted);
    let (done, mut stdout_gone) = oneshot::channel();
    let printer = Printer::new(Format::Event, None, done).start().recipient();
    let emitter = node.connect_listening(topics, Some(printer.clone()), dial_only).await?;
    report_roles(&emitter);
    let mut lines = stdin_lines();
    loop {
        tokio::select! {
            _ = &mut interrupted => break,
            line = lines.recv() => match line {
                Some(line) => {
                    if let Err(message) = execute(&emitter, &printer, line.trim()).await {
                        eprintln!("nanomitter: {message}");
                    }
                }
                None => break,
            },
            _ = &mut stdout_gone => break,
        }
    }
    emitter.close().await.map_err(|e| explain(&e))
}

async fn execute(
    emitter: &EmitterHandle,
    printer: &Recipient<DistributedEvent>,
    line: &str,
) -> Result<(), String> {
    let reply = match line {
        "" => return Ok(()),
        ".flush" => {
            emitter.flush().await.map_err(|e| explain(&e))?;
            serde_json::json!({ "flushed": true })
        }
        ".stats" => serde_json::json!({ "stats": emitter.stats() }),
        ".role" => serde_json::json!({ "role": emitter.role() }),
        _ if line.starts_with(".on ") => {
            let pattern = line.trim_start_matches(".on ").trim();
            emitter.on(pattern, printer.clone()).map_err(|e| explain(&e))?;
            serde_json::json!({ "on": pattern })
        }
        _ if line.starts_with(".off ") => {
            let pattern = line.trim_start_matches(".off ").trim();
            emitter.remove_listener(pattern, printer.clone());
            serde_json::json!({ "off": pattern })
        }
        _ if line.starts_with(".listeners ") => {
            let topic = line.trim_start_matches(".listeners ").trim();
            let count = emitter.cluster_listener_count(topic).await.map_err(|e| explain(&e))?;
            serde_json::json!({ "listeners": count })
        }
        _ => {
            let (topic, json) = line.split_once(' ').ok_or("expected `<topic> <json>`")?;
            let data: serde_json::Value =
                serde_json::from_str(json).map_err(|e| format!("not JSON ({e}): {json}"))?;
            return emitter.emit_json(topic, &data).map_err(|e| explain(&e));
        }
    };
    print_line(&reply.to_string());
    Ok(())
}

/// Lines of stdin, read on a thread of their own (stdin has no async reader here).
pub fn stdin_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
