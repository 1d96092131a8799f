//! Settings of one emitter and the builder that collects them.
//!
//! Owns: defaults and validation of user-supplied settings. It must not open sockets nor start
//! actors: the builder's `connect` (the connect module's) hands the checked settings to the
//! emitter actor.

use crate::auth::Secret;
use crate::authorization::{Authorization, AuthorizationRequest, Authorizer};
use crate::credential::{Claims, Credential};
use crate::error::{Error, Result};
use crate::link::Proof;
use crate::wire;
use nanomitter_protocol::Settings;
pub use nanomitter_protocol::SlowConsumer;
use std::path::PathBuf;
use std::time::Duration;

/// The address a node binds or dials when none is given: the seed's default.
pub const DEFAULT_ADDRESS: &str = "tcp://127.0.0.1:55555";
/// The topic heartbeats are emitted on, as in the seed. Data: `{"service": "<name>"}`.
pub const HEARTBEAT_TOPIC: &str = "<3";

/// Checked settings of one emitter: the protocol core's, and the shell's own.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// What the protocol core reads (service, candidates, budgets, timers).
    pub(crate) core: Settings,
    /// How often the heartbeat event is emitted; `None`: never.
    pub(crate) heartbeat: Option<Duration>,
    /// The delay an emitted event may spend waiting for acknowledgement before the node lets
    /// fewer bytes wait; `None`: `max_pending_bytes` always.
    pub(crate) delay_target: Option<Duration>,
    /// The first redial delay after a lost hub.
    pub(crate) reconnect_min: Duration,
    /// The longest redial delay, backing off from `reconnect_min`.
    pub(crate) reconnect_max: Duration,
    /// Never bind a candidate: only dial, so this node is never the hub.
    pub(crate) dial_only: bool,
    /// How long `connect` waits for its first election.
    pub(crate) connect_timeout: Duration,
    /// The cluster secret every connection must prove; `None`: any process may join, so only
    /// local addresses are allowed unless `insecure`.
    pub(crate) secret: Option<Secret>,
    /// A scoped credential this node proves instead of the secret: the hub lets it do only what
    /// its claims allow, and it never binds (it only dials).
    pub(crate) credential: Option<Credential>,
    /// On the hub, the application's word on each scoped member beyond its credential.
    pub(crate) authorize: Option<Authorizer>,
    /// Non-local addresses without a secret are allowed.
    pub(crate) insecure: bool,
    /// The certificates of `tls+tcp://` and `wss://` candidates.
    pub(crate) tls: Option<Tls>,
    /// The `Origin` header values a `ws://` hub accepts; a websocket connection with any other
    /// `Origin` (a browser's) is refused, one without (any other client) is accepted.
    pub(crate) ws_origins: Vec<String>,
    /// The NATS backend's settings: `Some` once the candidates are `nats://` URLs.
    #[cfg(feature = "nats")]
    pub(crate) nats: Option<crate::nats::NatsOptions>,
    /// Where the monitoring endpoint listens (`/metrics`, `/status`, `/healthz`, the dashboard);
    /// `None`: nowhere. Loopback only, unless `insecure`: the endpoint asks no credentials.
    #[cfg(feature = "monitor")]
    pub(crate) monitor: Option<std::net::SocketAddr>,
    /// How often the counters go to the `metrics` facade's recorder; `None`: never.
    #[cfg(feature = "metrics")]
    pub(crate) metrics_every: Option<Duration>,
}

/// TLS for `tls+tcp://` and `wss://` candidates, through NNG's TLS (Mbed TLS 3.6, built with the
/// transport). The hub's certificate is always verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    /// PEM certificate authorities the hub's certificate must be signed by.
    pub ca_file: PathBuf,
    /// PEM certificate chain followed by its private key, presented when this node is the hub.
    /// A node without one never binds a TLS candidate: it only dials.
    pub cert_key_file: Option<PathBuf>,
    /// The name the hub's certificate must carry; default: the candidate address's host (a DNS
    /// name, or an IP address the certificate lists).
    pub server_name: Option<String>,
}

/// Collects settings for an emitter; [`EmitterBuilder::connect`] starts it.
///
/// ```no_run
/// # async fn run() -> nanomitter::Result<()> {
/// let emitter = nanomitter::Emitter::builder("worker")
///     .address("tcp://127.0.0.1:55555")
///     .connect()
///     .await?;
/// println!("this node is the {:?}", emitter.role());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `connect` is awaited"]
pub struct EmitterBuilder {
    /// The settings so far, from the defaults of `EmitterBuilder::new` on; unchecked until
    /// `connect` checks them (`EmitterBuilder::checked`).
    config: Config,
}

impl EmitterBuilder {
    pub(crate) fn new(service: impl Into<String>) -> Self {
        EmitterBuilder {
            config: Config {
                core: Settings::new(service, DEFAULT_ADDRESS),
                heartbeat: Some(Duration::from_secs(60)),
                delay_target: Some(Duration::from_millis(20)),
                reconnect_min: Duration::from_millis(10),
                reconnect_max: Duration::from_millis(200),
                dial_only: false,
                connect_timeout: Duration::from_secs(10),
                secret: None,
                credential: None,
                authorize: None,
                insecure: false,
                tls: None,
                ws_origins: Vec::new(),
                #[cfg(feature = "nats")]
                nats: None,
                #[cfg(feature = "monitor")]
                monitor: None,
                #[cfg(feature = "metrics")]
                metrics_every: Some(Duration::from_secs(1)),
            },
        }
    }

    /// The NATS backend's settings, for `nats://` candidates (see [`crate::nats`]). Without
    /// this call, `nats://` candidates run with [`NatsOptions::default`](crate::nats::NatsOptions).
    #[cfg(feature = "nats")]
    pub fn nats(mut self, options: crate::nats::NatsOptions) -> Self {
        self.config.nats = Some(options);
        self
    }

    /// The address to bind (becoming the hub) or dial. Default: [`DEFAULT_ADDRESS`].
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.config.core.candidates = vec![address.into()];
        self
    }

    /// Several candidate hub addresses, most preferred first, e.g. one per machine that may
    /// host the hub. A node binds only candidates that are its own; the first live candidate is
    /// the hub. A hub on a later candidate keeps probing the earlier ones and steps down when
    /// one comes back, so the cluster converges on the most preferred live candidate.
    pub fn candidates<I, S>(mut self, addresses: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.core.candidates = addresses.into_iter().map(Into::into).collect();
        self
    }

    /// How often a heartbeat event is emitted on [`HEARTBEAT_TOPIC`]; `None` turns it off.
    /// Default: 60 s.
    pub fn heartbeat_interval(mut self, every: Option<Duration>) -> Self {
        self.config.heartbeat = every;
        self
    }

    /// How fast a client redials a lost hub: first after `min`, backing off up to `max`.
    /// Default: 10 ms to 200 ms (NNG's own default of 1 s makes failover slow).
    pub fn reconnect(mut self, min: Duration, max: Duration) -> Self {
        self.config.reconnect_min = min;
        self.config.reconnect_max = max;
        self
    }

    /// The largest frame this node sends or accepts, in bytes. Larger incoming messages are
    /// refused by the transport, which closes the sender's connection. Default: 16 MiB.
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.config.core.max_frame_size = bytes;
        self
    }

    /// A frame is sent as soon as it holds this many bytes, or when the emitter has no more
    /// events queued, whichever comes first. Default: 1 MiB (large frames carry large events
    /// at the loopback bandwidth; a lone event still goes alone, at once).
    pub fn batch_bytes(mut self, bytes: usize) -> Self {
        self.config.core.batch_bytes = bytes;
        self
    }

    /// How many bytes of emitted events may wait for every member's acknowledgement (queued,
    /// in flight, or waiting for a hub). Past it `emit` returns [`Error::Overflow`] and
    /// `emit_wait` waits. Default: 64 MiB.
    pub fn max_pending_bytes(mut self, bytes: usize) -> Self {
        self.config.core.max_pending_bytes = bytes;
        self
    }

    /// The delay an emitted event may spend waiting to be held by every member before the node
    /// lets fewer bytes wait (default 20 ms; `None`: always `max_pending_bytes`). Flat out, a
    /// producer otherwise queues up to `max_pending_bytes` in front of each new event (half a
    /// second at 64-byte events); with the target, `emit` answers [`Error::Overflow`] (and
    /// `emit_wait` waits) as soon as the queue stands longer than the target, never below four
    /// batches' worth (`batch_bytes` × 4). See [`EmitterBuilder::max_pending_bytes`] for the
    /// hard cap on memory.
    pub fn delay_target(mut self, target: Option<Duration>) -> Self {
        self.config.delay_target = target;
        self
    }

    /// How many events frames a sender may have sent and not yet held by every member before new
    /// ones wait (under [`SlowConsumer::Evict`], only until these did not change for 100 ms), and
    /// on their way to the hub (sent and not yet taken by it: the `relayed` frame, docs/wire.md
    /// §6.7); under [`SlowConsumer::Wait`], the hub toward its clients unacknowledged by the
    /// slowest.
    /// A sender keeps at most 128 times as many frames for members that have not acknowledged
    /// them yet. Default: 8.
    pub fn window(mut self, frames: usize) -> Self {
        self.config.core.window = frames;
        self
    }

    /// How often every node says hello (its liveness beat); a hub silent for three intervals is
    /// presumed dead, and so is a client. Default: 1 s.
    pub fn liveness_interval(mut self, every: Duration) -> Self {
        self.config.core.liveness_interval = every;
        self
    }

    /// What a hub does with clients too slow to acknowledge. Default: evict after 5 s.
    pub fn slow_consumer(mut self, policy: SlowConsumer) -> Self {
        self.config.core.slow_consumer = policy;
        self
    }

    /// Whether listeners on the emitting node receive its own events. Default: `true`.
    pub fn local_echo(mut self, on: bool) -> Self {
        self.config.core.local_echo = on;
        self
    }

    /// Whether this node only dials: it never binds a candidate, so it never becomes the hub,
    /// and `connect` fails after [`connect_timeout`](Self::connect_timeout) when no hub answers
    /// instead of becoming the hub itself. For one-shot senders that must not stand in for a hub
    /// that is not there. Default: `false` (bind a free candidate, dial a taken one).
    pub fn dial_only(mut self, on: bool) -> Self {
        self.config.dial_only = on;
        self
    }

    /// Whether events go only where some node listens (default): a node does not send an event
    /// no other node listens to, and the hub leaves out of each frame what no other client
    /// listens to. Off, every event goes to every node.
    pub fn interest_routing(mut self, on: bool) -> Self {
        self.config.core.interest_routing = on;
        self
    }

    /// How long `connect` waits for a hub before it gives up. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// How long a node waits for a dialed candidate to answer before it tries the next one
    /// (after the last, it runs the election again and may become the hub, unless dial-only).
    /// Default: 1 s.
    pub fn election_timeout(mut self, timeout: Duration) -> Self {
        self.config.core.election_timeout = timeout;
        self
    }

    /// How long `close` may wait for members that went silent (frozen, partitioned, killed:
    /// the cluster cannot tell which) while this node's events moved on without them. A member
    /// that comes back in that time hears from this node what it missed (a `$lagged` notice
    /// with the range, for what is no longer held); after it, nobody may be left to tell it.
    /// Counted from when the member was declared gone; `close` does not wait when no such
    /// member is owed anything. Default: 5 s.
    pub fn close_linger(mut self, linger: Duration) -> Self {
        self.config.core.close_linger = linger;
        self
    }

    /// The cluster secret: every connection then starts with a mutual challenge–response on
    /// it (the hub proves it too, so a process that grabbed the hub's port cannot pass for the
    /// hub), and every frame carries a tag no process without it can forge. Every member needs
    /// the same secret. Without one, only local addresses (loopback, `ipc://`) are allowed,
    /// unless [`EmitterBuilder::insecure`] says otherwise.
    ///
    /// ```no_run
    /// # async fn run() -> nanomitter::Result<()> {
    /// let secret = nanomitter::Secret::new(std::env::var("CLUSTER_SECRET").unwrap_or_default())?;
    /// let emitter = nanomitter::Emitter::builder("worker")
    ///     .address("tcp://10.0.0.5:55555")
    ///     .secret(secret)
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn secret(mut self, secret: Secret) -> Self {
        self.config.secret = Some(secret);
        self
    }

    /// A scoped credential, instead of the cluster secret: a token minted by a holder of the
    /// secret ([`Credential::mint`], `nanomitter token`) for a member that may publish and
    /// receive only the topics its claims list. The hub checks it when the connection opens and
    /// enforces it on every frame; a node with a credential never becomes the hub (it only
    /// dials), and may not have the secret too.
    ///
    /// ```no_run
    /// # async fn run() -> nanomitter::Result<()> {
    /// let token = std::env::var("NANOMITTER_TOKEN").unwrap_or_default();
    /// let credential = nanomitter::credential::Credential::from_token(&token)?;
    /// let emitter = nanomitter::Emitter::builder("page")
    ///     .address("tcp://10.0.0.5:55555")
    ///     .credential(credential)
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn credential(mut self, credential: Credential) -> Self {
        self.config.credential = Some(credential);
        self
    }

    /// The hub's authorization hook: called for every member that opens a connection with a
    /// scoped credential, with its claims, its address and its browser `Origin`, before the hub
    /// answers it.
    /// It may let the member do what its credential allows, receive less
    /// ([`Authorization::Narrow`]: an event sent to it must then pass both), or refuse it with a
    /// reason the member reports at once ([`Authorization::Refuse`], the refusal
    /// `not-authorized`). Members with the secret are
    /// not asked. It runs on the hub's thread: keep it quick.
    ///
    /// ```no_run
    /// # async fn run() -> nanomitter::Result<()> {
    /// use nanomitter::authorization::Authorization;
    /// let secret = nanomitter::Secret::new(std::env::var("CLUSTER_SECRET").unwrap_or_default())?;
    /// let emitter = nanomitter::Emitter::builder("hub")
    ///     .address("ws://0.0.0.0:55556/nm")
    ///     .secret(secret)
    ///     .authorize(|request| match request.claims.name.as_str() {
    ///         "mallory" => Authorization::Refuse("banned".into()),
    ///         _ => Authorization::Allow,
    ///     })
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn authorize(
        mut self,
        hook: impl Fn(&AuthorizationRequest<'_>) -> Authorization + Send + Sync + 'static,
    ) -> Self {
        self.config.authorize = Some(Authorizer(std::sync::Arc::new(hook)));
        self
    }

    /// Allows addresses other than loopback and `ipc://` without a secret: any process that can
    /// reach the port may then join, read every event and forge any. Default: off.
    pub fn insecure(mut self, allow: bool) -> Self {
        self.config.insecure = allow;
        self
    }

    /// TLS for `tls+tcp://` candidates (required for them).
    pub fn tls(mut self, tls: Tls) -> Self {
        self.config.tls = Some(tls);
        self
    }

    /// The browser origins allowed to connect to this node when it is the hub of a `ws://` (or
    /// `wss://`) candidate, each compared exactly with the `Origin` header of the connection's
    /// HTTP upgrade request, e.g. `http://localhost:8080`. Default: none.
    ///
    /// Any web page a developer opens can make the browser connect to a websocket on
    /// `localhost`, and browsers always send the page's origin; other clients (this crate's own
    /// dialers included) send none. So a websocket connection carrying an `Origin` that is not
    /// listed here is closed before the hub says anything on it, and one without an `Origin` is
    /// accepted as before. List the origins of pages that are meant to join the cluster. Each
    /// call replaces the list. Refused connections are counted in `stats().refused`.
    ///
    /// ```no_run
    /// # async fn run() -> nanomitter::Result<()> {
    /// let emitter = nanomitter::Emitter::builder("dashboard-hub")
    ///     .address("ws://127.0.0.1:55556/nanomitter")
    ///     .ws_origins(["http://localhost:8080"])
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn ws_origins(mut self, origins: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.config.ws_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Serves this node's monitoring endpoint at `address` (cargo feature `monitor`): the
    /// dashboard at `/`, Prometheus metrics at `/metrics`, the node and its cluster as JSON at
    /// `/status`, and `/healthz` (200 while linked with a known hub, 503 otherwise). The
    /// endpoint asks no credentials, so `connect` refuses an address other than loopback unless
    /// [`EmitterBuilder::insecure`] allows it (a cluster secret does not: it guards the cluster's
    /// connections, not this endpoint). Port 0 picks a free port:
    /// [`EmitterHandle::monitor_address`](crate::EmitterHandle::monitor_address) tells which.
    ///
    /// ```no_run
    /// # async fn run() -> nanomitter::Result<()> {
    /// let emitter = nanomitter::Emitter::builder("worker")
    ///     .monitor(([127, 0, 0, 1], 8222).into())
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "monitor")]
    pub fn monitor(mut self, address: std::net::SocketAddr) -> Self {
        self.config.monitor = Some(address);
        self
    }

    /// How often this node's counters and gauges go to the recorder of the `metrics` facade
    /// (cargo feature `metrics`; every second by default, `None`: never). The names are the
    /// monitoring endpoint's (see the README's Monitoring section).
    #[cfg(feature = "metrics")]
    pub fn metrics_every(mut self, every: Option<Duration>) -> Self {
        self.config.metrics_every = every;
        self
    }

    /// The settings, checked; `connect` starts the emitter with them.
    pub(crate) fn checked(self) -> Result<Config> {
        #[cfg_attr(not(feature = "nats"), allow(unused_mut))]
        let mut config = self.config;
        if config.core.candidates.is_empty() {
            return Err(Error::InvalidSetting("no candidate address".to_owned()));
        }
        if let Some(_nats) = check_nats_candidates(&config.core.candidates)? {
            #[cfg(feature = "nats")]
            {
                if config.secret.is_some() || config.credential.is_some() || config.tls.is_some() {
                    return Err(Error::InvalidSetting(
                        "the cluster secret and the TLS settings are the NNG hub's; NATS has its \
                         own credentials and TLS (NatsOptions::auth, NatsOptions::tls_ca)"
                            .to_owned(),
                    ));
                }
                config
                    .nats
                    .get_or_insert_with(Default::default)
                    .check()
                    .map_err(Error::InvalidSetting)?;
                // NATS's default `max_payload` is 1 MiB, headers included.
                config.core.max_frame_size = config.core.max_frame_size.min(NATS_MAX_FRAME);
                config.core.batch_bytes = config.core.batch_bytes.min(NATS_MAX_FRAME);
            }
            #[cfg(not(feature = "nats"))]
            return Err(Error::InvalidAddress {
                address: _nats.to_owned(),
                reason: "this build has no NATS backend: enable the cargo feature `nats`"
                    .to_owned(),
            });
        }
        #[cfg(feature = "nats")]
        if config.nats.is_some() && !config.core.candidates.iter().all(|a| is_nats_address(a)) {
            return Err(Error::InvalidSetting(
                "NATS settings were given, but the candidates are not nats:// URLs".to_owned(),
            ));
        }
        for address in config.core.candidates.iter().filter(|a| !is_nats_address(a)) {
            check_address(address)?;
            if uses_tls(address) && config.tls.is_none() {
                return Err(Error::InvalidAddress {
                    address: address.clone(),
                    reason: "a TLS address needs the TLS settings (the certificate authorities)"
                        .to_owned(),
                });
            }
            if config.proof().is_none() && !config.insecure && !is_local(address) {
                return Err(Error::InvalidAddress {
                    address: address.clone(),
                    reason: "not a loopback or ipc address, and no secret: any process that \
                             reaches it could join; set a secret (or allow insecure)"
                        .to_owned(),
                });
            }
        }
        if config.credential.is_some() {
            if config.secret.is_some() {
                return Err(Error::InvalidSetting(
                    "a node has the cluster secret or a credential, not both".to_owned(),
                ));
            }
            // The hub is where the scopes are enforced: a scoped node never is the hub.
            config.dial_only = true;
        }
        if config.core.service.len() > wire::MAX_SERVICE_LEN {
            return Err(Error::InvalidService {
                service: config.core.service,
                reason: "longer than 255 bytes",
            });
        }
        let smallest_frame = wire::frame_overhead(&config.core.service) + 1024;
        if config.core.max_frame_size < smallest_frame {
            return Err(Error::InvalidSetting(format!(
                "max_frame_size of {} bytes is below the minimum of {smallest_frame}",
                config.core.max_frame_size
            )));
        }
        if config.core.batch_bytes == 0 || config.core.batch_bytes > config.core.max_frame_size {
            return Err(Error::InvalidSetting(format!(
                "batch_bytes must be between 1 and max_frame_size ({})",
                config.core.max_frame_size
            )));
        }
        if config.core.window == 0 || config.core.window > 12 {
            return Err(Error::InvalidSetting(
                "window must be between 1 and 12 frames (an NNG bus pipe queues 16)".to_owned(),
            ));
        }
        if config.core.liveness_interval.is_zero()
            || matches!(config.core.slow_consumer, SlowConsumer::Evict(after) if after.is_zero())
        {
            return Err(Error::InvalidSetting(
                "liveness interval and eviction delay must be above zero".to_owned(),
            ));
        }
        if config.reconnect_min.is_zero() || config.reconnect_min > config.reconnect_max {
            return Err(Error::InvalidSetting("reconnect needs 0 < min <= max".to_owned()));
        }
        if config.delay_target.is_some_and(|target| target.is_zero()) {
            return Err(Error::InvalidSetting(
                "delay target must be above zero (use None to turn it off)".to_owned(),
            ));
        }
        if config.heartbeat.is_some_and(|every| every.is_zero()) {
            return Err(Error::InvalidSetting(
                "heartbeat interval must be above zero (use None to turn it off)".to_owned(),
            ));
        }
        #[cfg(feature = "monitor")]
        if let Some(address) = config.monitor {
            if !address.ip().is_loopback() && !config.insecure {
                return Err(Error::InvalidAddress {
                    address: address.to_string(),
                    reason: "the monitoring endpoint asks no credentials: it listens on a \
                             loopback address unless insecure is allowed"
                        .to_owned(),
                });
            }
        }
        #[cfg(feature = "metrics")]
        if config.metrics_every.is_some_and(|every| every.is_zero()) {
            return Err(Error::InvalidSetting(
                "metrics interval must be above zero (use None to turn it off)".to_owned(),
            ));
        }
        Ok(config)
    }
}

/// Whether a node with `scope` (its credential's claims; `None`: the secret or nothing) may emit
/// on `topic`: the hub refuses what the claims do not allow, so it is refused before it leaves.
pub(crate) fn check_publish(scope: Option<&Claims>, topic: &str) -> Result<()> {
    match scope {
        Some(claims) if !claims.may_publish(topic) => {
            Err(Error::Forbidden { topic: topic.to_owned() })
        }
        _ => Ok(()),
    }
}

impl Config {
    /// The claims of this node's credential, if it has one.
    pub(crate) fn scope(&self) -> Option<&Claims> {
        self.credential.as_ref().map(Credential::claims)
    }

    /// What this node proves when a connection opens: the secret, its credential, or nothing.
    pub(crate) fn proof(&self) -> Option<Proof> {
        match (&self.secret, &self.credential) {
            (Some(secret), _) => Some(Proof::Secret(secret.clone())),
            (None, Some(credential)) => Some(Proof::Credential(credential.clone())),
            (None, None) => None,
        }
    }
}

const SCHEMES: [&str; 7] = ["tcp", "tcp4", "tcp6", "ipc", "ws", "tls+tcp", "wss"];

/// The largest frame (event) over NATS: its default `max_payload` (1 MiB) less room for the
/// headers of an atomic batch.
#[cfg(feature = "nats")]
pub(crate) const NATS_MAX_FRAME: usize = (1 << 20) - 512;

/// Whether `address` selects the NATS backend.
pub(crate) fn is_nats_address(address: &str) -> bool {
    address.starts_with("nats://")
}

/// The first `nats://` candidate, if any; an error if they are mixed with NNG addresses (one
/// node speaks to one backend).
fn check_nats_candidates(candidates: &[String]) -> Result<Option<&str>> {
    let nats = candidates.iter().filter(|a| is_nats_address(a)).count();
    if nats > 0 && nats < candidates.len() {
        return Err(Error::InvalidAddress {
            address: candidates.join(","),
            reason: "nats:// candidates cannot be mixed with NNG addresses".to_owned(),
        });
    }
    Ok(candidates.first().filter(|_| nats > 0).map(String::as_str))
}

/// Whether `address` runs over TLS.
pub(crate) fn uses_tls(address: &str) -> bool {
    address.starts_with("tls+tcp://") || address.starts_with("wss://")
}

/// Whether `address` is reachable only from this machine: `ipc://`, or a loopback host.
fn is_local(address: &str) -> bool {
    let Some((scheme, rest)) = address.split_once("://") else { return false };
    if scheme == "ipc" {
        return true;
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit_once(':').map_or(authority, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn check_address(address: &str) -> Result<()> {
    let invalid = |reason: &str| Error::InvalidAddress {
        address: address.to_owned(),
        reason: reason.to_owned(),
    };
    let (scheme, rest) = address
        .split_once("://")
        .ok_or_else(|| invalid("expected <scheme>://<location>, e.g. tcp://127.0.0.1:55555"))?;
    if !SCHEMES.contains(&scheme) {
        return Err(invalid(&format!("unknown scheme {scheme:?}, expected one of {SCHEMES:?}")));
    }
    if rest.is_empty() {
        return Err(invalid("no location after the scheme"));
    }
    if scheme.starts_with("tcp") || scheme == "tls+tcp" {
        let port = rest.rsplit_once(':').map(|(_, port)| port);
        if !port.is_some_and(|p| p.parse::<u16>().is_ok_and(|p| p != 0)) {
            return Err(invalid(
                "a TCP address needs a port between 1 and 65535, e.g. tcp://127.0.0.1:55555",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_any_socket_opens() {
        for good in ["tcp://127.0.0.1:55555", "ipc:///tmp/x.ipc", "ws://[::1]:9/x", "tcp://[::1]:9"]
        {
            assert!(check_address(good).is_ok(), "{good}");
        }
        for bad in [
            "127.0.0.1:55555",
            "udp://1.2.3.4:5",
            "tcp://127.0.0.1",
            "tcp://h:0",
            "tcp://h:99999",
            "ipc://",
        ] {
            assert!(matches!(check_address(bad), Err(Error::InvalidAddress { .. })), "{bad}");
        }
    }

    #[test]
    fn a_wss_address_needs_the_tls_settings() {
        let wss = "wss://127.0.0.1:9443/nm";
        let without = EmitterBuilder::new("svc").address(wss).checked();
        assert!(matches!(without, Err(Error::InvalidAddress { .. })));
        let tls = Tls { ca_file: "ca.pem".into(), cert_key_file: None, server_name: None };
        assert!(EmitterBuilder::new("svc").address(wss).tls(tls).checked().is_ok());
        assert!(uses_tls(wss));
    }

    #[test]
    fn settings_are_checked() {
        let base = || EmitterBuilder::new("svc");
        assert!(base().checked().is_ok());
        assert!(base().max_frame_size(10).checked().is_err());
        assert!(base().batch_bytes(0).checked().is_err());
        assert!(base()
            .reconnect(Duration::from_secs(2), Duration::from_secs(1))
            .checked()
            .is_err());
        assert!(base().heartbeat_interval(Some(Duration::ZERO)).checked().is_err());
        assert!(EmitterBuilder::new("x".repeat(300)).checked().is_err());
    }

    #[cfg(feature = "monitor")]
    #[test]
    fn the_monitoring_endpoint_listens_on_loopback_unless_insecure() {
        let at = |ip: [u8; 4]| EmitterBuilder::new("svc").monitor((ip, 8222).into());
        assert!(at([127, 0, 0, 1]).checked().is_ok());
        assert!(matches!(at([0, 0, 0, 0]).checked(), Err(Error::InvalidAddress { .. })));
        assert!(matches!(at([10, 1, 2, 3]).checked(), Err(Error::InvalidAddress { .. })));
        assert!(at([0, 0, 0, 0]).insecure(true).checked().is_ok());
    }
}
