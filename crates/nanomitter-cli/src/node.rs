//! Options every node takes, connecting with them, and reporting role changes.
//!
//! Owns: the mapping from command-line options to the library's builder. It must not run any
//! subcommand's logic.

use crate::duration;
use crate::explain;
use crate::security::SecurityArgs;
use actix::Recipient;
use clap::Args;
use nanomitter::topic::check;
use nanomitter::{
    DistributedEvent, Emitter, EmitterBuilder, EmitterHandle, SlowConsumer, DEFAULT_ADDRESS,
};
use std::time::Duration;

/// Options every node takes.
#[derive(Args, Clone)]
pub struct NodeArgs {
    /// Address to bind (becoming the hub) or dial; several, comma-separated, are candidates in
    /// order of preference.
    #[arg(short, long, env = "NANOMITTER_ADDR", default_value = DEFAULT_ADDRESS)]
    addr: String,
    /// This node's service name, carried by its events.
    #[arg(short, long, default_value = "cli")]
    service: String,
    /// How long to wait for a hub before giving up (`500ms`, `5s`, or seconds).
    #[arg(long, default_value = "10s", value_parser = duration::parse)]
    connect_timeout: Duration,
    /// Largest frame in bytes this node sends or accepts.
    #[arg(long)]
    max_frame_size: Option<usize>,
    /// Time between heartbeats on topic `<3`; 0 turns them off.
    #[arg(long, default_value = "60s", value_parser = duration::parse)]
    heartbeat: Duration,
    /// Time between liveness beats; a hub silent for three is presumed dead.
    #[arg(long, value_parser = duration::parse)]
    liveness: Option<Duration>,
    /// How long a hub waits for a client's acknowledgement before cutting it off; 0 waits
    /// forever.
    #[arg(long, value_parser = duration::parse)]
    evict_after: Option<Duration>,
    /// How long to wait for a dialed candidate before trying the next.
    #[arg(long, value_parser = duration::parse)]
    election_timeout: Option<Duration>,
    /// Send every event to every node, whoever listens.
    #[arg(long)]
    no_routing: bool,
    /// Bytes of emitted events that may wait for acknowledgement before emit pushes back.
    #[arg(long)]
    max_pending_bytes: Option<usize>,
    /// Serve this node's monitoring endpoint at this address (`127.0.0.1:8222`): the dashboard
    /// at `/`, `/metrics`, `/status`, `/healthz`. Loopback only unless `--insecure`.
    #[arg(long, value_name = "IP:PORT")]
    monitor: Option<std::net::SocketAddr>,
    #[command(flatten)]
    security: SecurityArgs,
    #[cfg(feature = "nats")]
    #[command(flatten)]
    nats: crate::nats::NatsArgs,
}

impl NodeArgs {
    /// The library's builder with these options, checked as far as can be without a socket.
    pub fn builder(&self) -> Result<EmitterBuilder, String> {
        let candidates: Vec<&str> = self.addr.split(',').map(str::trim).collect();
        let builder = Emitter::builder(&self.service)
            .candidates(candidates.iter().copied())
            .connect_timeout(self.connect_timeout)
            .heartbeat_interval((!self.heartbeat.is_zero()).then_some(self.heartbeat));
        let mut builder = self.security.apply(builder, &candidates)?;
        #[cfg(feature = "nats")]
        {
            builder = self.nats.apply(builder, &candidates)?;
        }
        if let Some(bytes) = self.max_frame_size {
            builder = builder.max_frame_size(bytes).batch_bytes(bytes.min(1 << 20));
        }
        if let Some(every) = self.liveness {
            builder = builder.liveness_interval(every);
        }
        if let Some(after) = self.evict_after {
            builder = builder.slow_consumer(if after.is_zero() {
                SlowConsumer::Wait
            } else {
                SlowConsumer::Evict(after)
            });
        }
        if self.no_routing {
            builder = builder.interest_routing(false);
        }
        if let Some(timeout) = self.election_timeout {
            builder = builder.election_timeout(timeout);
        }
        if let Some(bytes) = self.max_pending_bytes {
            builder = builder.max_pending_bytes(bytes);
        }
        if let Some(address) = self.monitor {
            builder = builder.monitor(address);
        }
        Ok(builder)
    }

    /// Whether the addresses are NATS servers (`nats://`) rather than NNG candidates.
    pub fn is_nats(&self) -> bool {
        self.addr.trim_start().starts_with("nats://")
    }

    /// How long to wait for a hub (`--connect-timeout`).
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Connects (a `dial_only` node never becomes the hub), subscribes `recipient` to
    /// `topics`, and says so on stderr once the subscriptions are announced to the cluster.
    pub async fn connect_listening(
        &self,
        topics: &[String],
        recipient: Option<Recipient<DistributedEvent>>,
        dial_only: bool,
    ) -> Result<EmitterHandle, String> {
        connect_with(self.builder()?.dial_only(dial_only), topics, recipient).await
    }

    /// Connects as [`NodeArgs::connect`] does; a `dial_only` node never becomes the hub and fails
    /// when no hub answers within `--connect-timeout`.
    pub async fn connect_dialing(&self, dial_only: bool) -> Result<EmitterHandle, String> {
        connect_with(self.builder()?.dial_only(dial_only), &[], None).await
    }

    /// Connects and says so on stderr.
    pub async fn connect(&self) -> Result<EmitterHandle, String> {
        self.connect_listening(&[], None, false).await
    }
}

/// Connects with `builder`, subscribes `recipient` to `topics`, and says so on stderr once the
/// subscriptions are announced to the cluster.
async fn connect_with(
    builder: EmitterBuilder,
    topics: &[String],
    recipient: Option<Recipient<DistributedEvent>>,
) -> Result<EmitterHandle, String> {
    let emitter = builder.connect().await.map_err(|e| explain(&e))?;
    if let Some(recipient) = recipient {
        for topic in topics {
            emitter.on(topic, recipient.clone()).map_err(|e| explain(&e))?;
        }
    }
    // A round trip through the emitter: the subscriptions above are handled (and announced).
    emitter.topics().await.map_err(|e| explain(&e))?;
    eprintln!(
        "nanomitter: connected to {} as {:?} (service {}, node {:016x})",
        emitter.hub_address().unwrap_or_default(),
        emitter.role(),
        emitter.service(),
        emitter.node_id()
    );
    if let Some(address) = emitter.monitor_address() {
        eprintln!("nanomitter: monitoring at http://{address}/");
    }
    Ok(emitter)
}

/// Checks every topic or pattern in `topics` before anything connects (`listening`: patterns
/// allowed).
pub fn check_topics<'a>(
    topics: impl IntoIterator<Item = &'a String>,
    listening: bool,
) -> Result<(), String> {
    topics.into_iter().try_for_each(|topic| check(topic, listening).map_err(|e| explain(&e.into())))
}

/// Prints every role change of `emitter` on stderr as `nanomitter: role <Role>` (and
/// ` at <address>` once linked), until it closes.
pub fn report_roles(emitter: &EmitterHandle) {
    let mut roles = emitter.roles();
    let emitter = emitter.clone();
    actix_rt::spawn(async move {
        while let Ok(role) = roles.changed().await {
            match emitter.hub_address() {
                Some(address) => eprintln!("nanomitter: role {role:?} at {address}"),
                None => eprintln!("nanomitter: role {role:?}"),
            }
        }
    });
}
