//! The NATS backend: the same emitter over a NATS cluster instead of the embedded NNG hub
//! (cargo feature `nats`).
//!
//! Owns: the backend's settings ([`NatsOptions`]) and its parts, one concept each: `subject`
//! (where events live in NATS's subject space), `body` (an event as a message body), `order`
//! (what to deliver: once, in each sender's order, losses counted), `presence` (who else is
//! there, from beacons), `session` (connecting, the streams, starting the tasks), `publisher`
//! (getting each event into the stream exactly once, in order) and `consumer` (reading the
//! events this node's listeners match, and where to resume). It must not touch listeners or
//! delivery (the emitter's) nor NNG.
//!
//! A node selects this backend with `nats://` candidates (several: seed URLs of one NATS
//! cluster). There is no hub and no election: the NATS servers route, store and replicate.
//!
//! # JetStream mode (the default): exactly once, in each sender's order
//! - **Into the stream once, in order.** A node publishes its events as JetStream *atomic
//!   batches* (nats-server 2.12.1 or later), one batch in flight at a time: a batch is stored
//!   whole or not at all, and the next one leaves only once the stream acknowledged it, so a
//!   retry never lands behind a later event. Every event carries a message id from its sender's
//!   node id and sequence number; a batch whose acknowledgement was lost is published again with
//!   the same ids and the stream refuses it as a duplicate (which counts as stored). Retries stop
//!   after half the stream's duplicate window; what was never acknowledged fails `flush` with
//!   [`Error::NotStored`](crate::Error::NotStored).
//! - **Out of the stream once, in order.** Each node reads through its own consumer filtered on
//!   its listeners' patterns, recreated as they change, and drops any event at or below the last
//!   one it delivered from the same sender.
//! - **Replay.** A node with a stable name ([`NatsOptions::stable_name`]) records how far its
//!   listeners took the stream, in a key-value bucket; restarted with the same name it resumes
//!   right after. What fell out of the stream's retention meanwhile is reported on `$lagged`.
//!
//! # Core mode: at most once, never silently
//! Plain NATS publish and subscribe. Each event carries its number among its sender's events on
//! its topic; a jump (a slow-consumer drop, a reconnect) is reported on `$lagged` with the count
//! and counted in `stats().gaps`.

pub(crate) mod body;
pub(crate) mod consumer;
mod order;
pub(crate) mod presence;
pub(crate) mod publisher;
pub(crate) mod session;
mod subject;

pub(crate) use order::{Order, Verdict};
pub(crate) use subject::Subjects;

use std::path::PathBuf;
use std::time::Duration;

/// How a NATS-backed emitter carries events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Through JetStream streams: exactly once, in each sender's order, across server failures,
    /// with replay for nodes that have a stable name.
    #[default]
    JetStream,
    /// Through core NATS: at most once, every loss reported on `$lagged` with its count.
    Core,
}

/// Where a node without a recorded position starts reading the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum History {
    /// Only events stored from now on.
    #[default]
    Now,
    /// Every event the stream still holds.
    Start,
    /// Events stored within this long before now.
    Since(Duration),
}

/// How a node proves itself to the NATS servers.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum NatsAuth {
    /// No credentials.
    #[default]
    None,
    /// A user name and its password.
    UserPassword {
        /// The user.
        user: String,
        /// Its password.
        password: String,
    },
    /// A token.
    Token(String),
    /// An NKey seed (`SU...`).
    NKey(String),
    /// A credentials file (a user JWT and its NKey seed).
    CredsFile(PathBuf),
}

impl std::fmt::Debug for NatsAuth {
    /// Names the kind of credentials, never the secret parts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NatsAuth::None => write!(f, "None"),
            NatsAuth::UserPassword { user, .. } => write!(f, "UserPassword({user:?}, <hidden>)"),
            NatsAuth::Token(_) => write!(f, "Token(<hidden>)"),
            NatsAuth::NKey(_) => write!(f, "NKey(<hidden>)"),
            NatsAuth::CredsFile(path) => write!(f, "CredsFile({path:?})"),
        }
    }
}

/// Settings of the NATS backend, given to [`EmitterBuilder::nats`](crate::EmitterBuilder::nats).
///
/// ```no_run
/// # async fn run() -> nanomitter::Result<()> {
/// use nanomitter::nats::{NatsAuth, NatsOptions};
/// let emitter = nanomitter::Emitter::builder("billing")
///     .candidates(["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"])
///     .nats(
///         NatsOptions::default()
///             .stable_name("billing-1")
///             .replicas(3)
///             .auth(NatsAuth::Token("s3cret".into())),
///     )
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsOptions {
    /// JetStream (default) or core.
    pub(crate) mode: Mode,
    /// The name under which this node's position in the streams is kept; `None`: none kept.
    pub(crate) stable_name: Option<String>,
    /// Where a node without a recorded position starts.
    pub(crate) history: History,
    /// The first token(s) of every subject, and the name of the streams.
    pub(crate) prefix: String,
    /// How many streams the events are spread over (by a hash of the sender).
    pub(crate) streams: u16,
    /// Replicas of each stream (and of the bucket of positions) when this node creates them.
    pub(crate) replicas: usize,
    /// How long a stream keeps an event; `None`: no age limit.
    pub(crate) max_age: Option<Duration>,
    /// How many bytes a stream keeps before dropping its oldest events.
    pub(crate) max_bytes: i64,
    /// How long a stream recognises a repeated message id.
    pub(crate) duplicate_window: Duration,
    /// Credentials.
    pub(crate) auth: NatsAuth,
    /// PEM certificate authorities of the servers' certificates; setting it requires TLS.
    pub(crate) tls_ca: Option<PathBuf>,
    /// A client certificate and its key, for servers that verify clients.
    pub(crate) tls_client: Option<(PathBuf, PathBuf)>,
    /// How often the client pings its server: a server silent for two pings is given up and
    /// another one is tried.
    pub(crate) ping_interval: Duration,
    /// Most events in one atomic batch (the server accepts at most 1,000).
    pub(crate) batch_events: usize,
    /// How often a node says it is there (core NATS); a node unheard for three is gone.
    pub(crate) presence_interval: Duration,
}

impl Default for NatsOptions {
    fn default() -> Self {
        NatsOptions {
            mode: Mode::JetStream,
            stable_name: None,
            history: History::Now,
            prefix: "nanomitter".to_owned(),
            streams: 1,
            replicas: 1,
            max_age: Some(Duration::from_secs(24 * 3600)),
            max_bytes: 1 << 30,
            duplicate_window: Duration::from_secs(120),
            auth: NatsAuth::None,
            tls_ca: None,
            tls_client: None,
            ping_interval: Duration::from_secs(2),
            batch_events: 1000,
            presence_interval: Duration::from_secs(1),
        }
    }
}

impl NatsOptions {
    /// JetStream (the default) or core. See the module's documentation for what each promises.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// A name that outlives this process (letters, digits, `-`, `_`): a node restarted with the
    /// same name resumes right after the last event its listeners took. Two live nodes must not
    /// share one. JetStream mode only.
    pub fn stable_name(mut self, name: impl Into<String>) -> Self {
        self.stable_name = Some(name.into());
        self
    }

    /// Where a node without a recorded position starts reading. Default: [`History::Now`].
    pub fn history(mut self, from: History) -> Self {
        self.history = from;
        self
    }

    /// The first token(s) of every subject, and the name of the streams. Default `nanomitter`:
    /// stream `nanomitter`, subjects `nanomitter.0.<topic>`. Clusters sharing NATS servers
    /// but not events use different prefixes.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Spreads the events over this many streams by a hash of the sender (each sender's events
    /// stay in one stream, in order): one stream is served by one server, its leader. Default 1.
    /// Every node of a cluster must use the same number.
    pub fn streams(mut self, streams: u16) -> Self {
        self.streams = streams;
        self
    }

    /// Replicas of the streams and of the bucket of positions, when this node creates them
    /// (1 to 5). Default 1.
    pub fn replicas(mut self, replicas: usize) -> Self {
        self.replicas = replicas;
        self
    }

    /// How long a stream keeps an event (`None`: no limit), and how many bytes it keeps before
    /// dropping its oldest. Default: 24 hours and 1 GiB. Applied when this node creates a
    /// stream.
    pub fn retention(mut self, max_age: Option<Duration>, max_bytes: i64) -> Self {
        self.max_age = max_age;
        self.max_bytes = max_bytes;
        self
    }

    /// How long a stream recognises a repeated message id (default 2 minutes, and at most the
    /// stream's `max_age`); a publish is retried for half of it.
    pub fn duplicate_window(mut self, window: Duration) -> Self {
        self.duplicate_window = window;
        self
    }

    /// The credentials to present.
    pub fn auth(mut self, auth: NatsAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Requires TLS and verifies the servers' certificates against these PEM authorities.
    pub fn tls_ca(mut self, ca_file: impl Into<PathBuf>) -> Self {
        self.tls_ca = Some(ca_file.into());
        self
    }

    /// A client certificate and its key, for servers that verify clients.
    pub fn tls_client(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.tls_client = Some((cert.into(), key.into()));
        self
    }

    /// How often the client pings its server (default 2 s): one silent for two pings is given
    /// up for another.
    pub fn ping_interval(mut self, every: Duration) -> Self {
        self.ping_interval = every;
        self
    }

    /// Most events per atomic batch, 1 to 1,000 (the server's limit). Default 1,000.
    pub fn batch_events(mut self, events: usize) -> Self {
        self.batch_events = events;
        self
    }

    /// How often a node says it is there (default 1 s); one unheard for three is gone
    /// (`$peer.left`).
    pub fn presence_interval(mut self, every: Duration) -> Self {
        self.presence_interval = every;
        self
    }

    /// The duplicate window a stream is created with: a stream's window may not be longer than
    /// the age it keeps events.
    pub(crate) fn effective_duplicate_window(&self) -> Duration {
        self.max_age.map_or(self.duplicate_window, |age| self.duplicate_window.min(age))
    }

    /// Checks the settings that need no server.
    pub(crate) fn check(&self) -> Result<(), String> {
        subject::check_prefix(&self.prefix)?;
        if let Some(name) = &self.stable_name {
            let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            if name.is_empty() || name.len() > 64 || !name.bytes().all(plain) {
                return Err(format!("stable name `{name}`: 1 to 64 letters, digits, `-` and `_`"));
            }
            if self.mode == Mode::Core {
                return Err("a stable name needs JetStream mode (core NATS keeps nothing)".into());
            }
        }
        if self.streams == 0 || self.streams > 256 {
            return Err("streams must be between 1 and 256".into());
        }
        if !(1..=5).contains(&self.replicas) {
            return Err("replicas must be between 1 and 5".into());
        }
        if !(1..=1000).contains(&self.batch_events) {
            return Err("batch_events must be between 1 and 1000".into());
        }
        if self.duplicate_window < Duration::from_secs(2) {
            return Err("the duplicate window must be at least 2 s".into());
        }
        if self.max_bytes <= 0 {
            return Err("max_bytes must be positive".into());
        }
        if self.ping_interval.is_zero() || self.presence_interval.is_zero() {
            return Err("the ping and presence intervals must not be zero".into());
        }
        Ok(())
    }
}
