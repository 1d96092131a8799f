//! The crate's error type.
//!
//! Owns: every error a caller of the public API can see, and the chain of causes behind them
//! ([`std::error::Error::source`]): an error of NNG's is kept whole as a [`TransportError`],
//! never turned into text. It must not expose NNG's types themselves, so callers do not depend
//! on the transport crate.

use crate::nng::NngError;
use std::fmt;
use std::time::Duration;

/// What can go wrong when connecting, emitting or decoding.
///
/// New kinds may be added: match with a `_` arm. Where NNG said why, [`source`] gives its error
/// (a [`TransportError`]), through [`NoHub`] for an unreachable hub.
///
/// ```
/// use nanomitter::Error;
/// use std::error::Error as _;
///
/// fn explain(error: &Error) -> String {
///     let mut line = error.to_string();
///     let mut cause = error.source();
///     while let Some(inner) = cause {
///         line += &format!(": {inner}");
///         cause = inner.source();
///     }
///     line
/// }
///
/// let error = Error::Timeout { waited: std::time::Duration::from_secs(1) };
/// assert_eq!(explain(&error), "nothing arrived within 1s");
/// ```
///
/// [`source`]: std::error::Error::source
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The address is not a URL NNG understands (`tcp://host:port`, `ipc:///path`, `ws://...`),
    /// or not one this node may use (a non-local address without a secret).
    InvalidAddress {
        /// The address as given.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// NNG refused the address when this node set up its dialer (an unknown scheme, a malformed
    /// host or port, options the transport rejects); [`source`](std::error::Error::source) is
    /// NNG's error.
    Transport {
        /// The address as given.
        address: String,
        /// NNG's error.
        source: TransportError,
    },
    /// A service name the wire format cannot carry.
    InvalidService {
        /// The name as given.
        service: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A builder setting is out of range.
    InvalidSetting(
        /// Which setting is out of range and what it must be, or why the secret is refused.
        String,
    ),
    /// No hub answered at the address before the connect timeout.
    /// [`source`](std::error::Error::source) says why when it could be found (a last dial of the
    /// first candidate, see [`NoHub`]).
    Unreachable {
        /// The candidate addresses, comma-separated.
        address: String,
        /// How long the node waited (the connect timeout).
        waited: Duration,
        /// Why the first candidate gave no hub, if a last dial told.
        cause: Option<NoHub>,
    },
    /// The hub at the address refused this node, or this node refused it, for a reason dialing
    /// again cannot fix (the cluster secret, the wire version, a browser origin): `connect`
    /// fails at once instead of waiting for its timeout. [`source`](std::error::Error::source)
    /// is the reason, a [`NoHub`].
    Refused {
        /// The candidate address dialed.
        address: String,
        /// Why.
        reason: NoHub,
    },
    /// A topic is empty or longer than the wire format allows.
    InvalidTopic {
        /// The topic or pattern as given.
        topic: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// This node's scoped credential does not let it emit on the topic: the hub would refuse the
    /// event and close the connection, so it is refused here first.
    Forbidden {
        /// The topic as given.
        topic: String,
    },
    /// An event does not fit into one frame of the configured maximum frame size.
    EventTooLarge {
        /// The event's size on the wire, in bytes.
        size: usize,
        /// The largest an event may be, in bytes.
        max: usize,
    },
    /// Too many emitted events are not yet acknowledged by every member; `emit` refuses more
    /// (`emit_wait` waits instead). Counted in `stats().overflows`; the event was not sent.
    ///
    /// ```no_run
    /// # async fn run(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// match emitter.emit("tick", &1u64) {
    ///     Ok(()) => {}
    ///     // Back off: wait for room, then try again (or drop the event, counted).
    ///     Err(nanomitter::Error::Overflow { .. }) => emitter.emit_wait("tick", &1u64).await?,
    ///     Err(other) => return Err(other),
    /// }
    /// # Ok(()) }
    /// ```
    Overflow {
        /// Bytes of events waiting for acknowledgement.
        pending: usize,
        /// `max_pending_bytes`.
        limit: usize,
    },
    /// A payload could not be encoded.
    Encode(
        /// The encoder's message.
        String,
    ),
    /// A payload could not be decoded into the requested type (the message names the codec and
    /// the type).
    Decode(
        /// The codec, the requested type and what was wrong with the bytes.
        String,
    ),
    /// Nothing arrived in time.
    Timeout {
        /// How long it waited.
        waited: Duration,
    },
    /// The NATS backend could not connect or set up its streams (wrong credentials, no server
    /// with JetStream, a stream whose settings conflict): NATS's own message says which.
    Nats {
        /// What the node was doing: "connecting to nats://...", "setting up stream ...".
        doing: String,
        /// NATS's message.
        cause: String,
    },
    /// Events the NATS stream never acknowledged, though they were published again for as long
    /// as the stream could still recognise a repeat (half its duplicate window): they may not
    /// have reached anyone.
    NotStored {
        /// How many.
        events: u64,
        /// The last failure.
        cause: String,
    },
    /// The emitter actor is gone (its system stopped or it was closed).
    Closed,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidAddress { address, reason } => {
                write!(f, "invalid address {address:?}: {reason}")
            }
            Error::Transport { address, .. } => write!(f, "NNG cannot use the address {address:?}"),
            Error::InvalidService { service, reason } => {
                write!(f, "invalid service name {service:?}: {reason}")
            }
            Error::InvalidSetting(reason) => write!(f, "invalid setting: {reason}"),
            Error::Unreachable { address, waited, .. } => {
                write!(f, "no hub answered at {address} within {waited:?}")
            }
            Error::Refused { address, .. } => write!(f, "no link with the hub at {address}"),
            Error::InvalidTopic { topic, reason } => write!(f, "invalid topic {topic:?}: {reason}"),
            Error::Forbidden { topic } => {
                write!(f, "this node's credential does not allow emitting on {topic:?}")
            }
            Error::EventTooLarge { size, max } => {
                write!(
                    f,
                    "event of {size} bytes does not fit a frame of at most {max} bytes"
                )
            }
            Error::Overflow { pending, limit } => write!(
                f,
                "{pending} bytes of events are not yet acknowledged (limit {limit}): slow down or use emit_wait"
            ),
            Error::Encode(reason) => write!(f, "cannot encode payload: {reason}"),
            Error::Decode(reason) => write!(f, "cannot decode payload: {reason}"),
            Error::Timeout { waited } => write!(f, "nothing arrived within {waited:?}"),
            Error::Nats { doing, cause } => write!(f, "NATS: {doing}: {cause}"),
            Error::NotStored { events, cause } => {
                write!(f, "{events} events were not acknowledged by the NATS stream: {cause}")
            }
            Error::Closed => write!(f, "the emitter is closed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Unreachable { cause: Some(cause), .. } => Some(cause),
            Error::Refused { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

impl From<crate::auth::AuthError> for Error {
    fn from(error: crate::auth::AuthError) -> Error {
        Error::InvalidSetting(error.to_string())
    }
}

impl From<crate::credential::CredentialError> for Error {
    fn from(error: crate::credential::CredentialError) -> Error {
        Error::InvalidSetting(error.to_string())
    }
}

impl From<actix::MailboxError> for Error {
    fn from(_: actix::MailboxError) -> Self {
        Error::Closed
    }
}

/// An error of the transport (NNG), with NNG's own description: `Connection refused`,
/// `Address invalid` (a host name that does not resolve), `No such file or directory` (an
/// `ipc://` path whose directory is missing), and so on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TransportError(
    /// NNG's error, kept whole: the code and the description come from it, while NNG's type
    /// stays out of this crate's API.
    NngError,
);

impl TransportError {
    /// NNG's error code (`NNG_ECONNREFUSED` and so on; `NNG_ESYSERR | errno` for system errors).
    pub fn code(&self) -> i32 {
        self.0.code()
    }

    /// Whether nobody listens at the dialed address.
    pub fn is_connection_refused(&self) -> bool {
        self.0.is_connection_refused()
    }

    /// Whether NNG found the address invalid: for a dial of a well-formed `tcp://` address, a
    /// host name that does not resolve.
    pub fn is_address_invalid(&self) -> bool {
        self.0.is_address_invalid()
    }
}

impl From<nanomitter_protocol::topic::InvalidTopic> for Error {
    fn from(invalid: nanomitter_protocol::topic::InvalidTopic) -> Self {
        Error::InvalidTopic { topic: invalid.topic, reason: invalid.reason }
    }
}

impl From<NngError> for TransportError {
    fn from(error: NngError) -> Self {
        TransportError(error)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TransportError {}

/// Why no hub answered at an address ([`Error::Unreachable`]'s cause).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoHub {
    /// Dialing the address failed; the source is NNG's error (refused, a TLS failure, ...).
    DialFailed(
        /// NNG's error for the dial.
        TransportError,
    ),
    /// The address's host name does not resolve; the source is NNG's error.
    UnknownHost(
        /// NNG's error for the dial (the address invalid).
        TransportError,
    ),
    /// The directory of the `ipc://` path does not exist; the source is NNG's error.
    NoIpcDirectory(
        /// NNG's error for the dial.
        TransportError,
    ),
    /// The hub requires the cluster secret (its preamble says so) and this node has none.
    SecretRequired,
    /// This node has a cluster secret and the hub has none (its preamble says so).
    HubHasNoSecret,
    /// Both have a secret, and the hub's proof of its own does not check out with this node's:
    /// the two secrets differ (or the program is not the cluster's hub). From the dialing side
    /// these cannot be told apart: the hub proves its secret without revealing it.
    WrongSecret,
    /// The hub speaks another version of the wire format (its preamble carries it).
    WireVersion {
        /// The version the hub speaks.
        hub: u8,
    },
    /// The hub does not allow this node's browser `Origin` (a websocket hub's allow-list); the
    /// Rust dialer sends no `Origin`, so only a proxy that adds one meets this.
    OriginNotAllowed,
    /// The hub takes no more connections for now (it has as many members as it takes, or is out
    /// of file descriptors): dialing again later may succeed.
    HubFull,
    /// This node's scoped credential expired (the hub says so; mint another).
    CredentialExpired,
    /// This node's scoped credential is not one the hub takes: it refused its claims, or its key
    /// did not check out with the hub's proof (it was minted with another secret, or changed).
    CredentialInvalid,
    /// The hub's authorization hook refused this node's credential, with its words.
    NotAuthorized(
        /// What the hook said (the refusal's text).
        String,
    ),
    /// The hub refused this node for a reason this release does not know (its byte).
    RefusedByHub(
        /// The reason's byte in the hub's refusal (`docs/wire.md` §4).
        u8,
    ),
    /// A program accepted the connection but did not open it as a nanomitter hub does: another
    /// program (an HTTP server, say) that spoke otherwise, closed the connection or stayed
    /// silent.
    NotAHub,
}

impl fmt::Display for NoHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoHub::DialFailed(_) => write!(f, "dialing it failed"),
            NoHub::UnknownHost(_) => write!(f, "the host name does not resolve"),
            NoHub::NoIpcDirectory(_) => write!(f, "the directory of the ipc path does not exist"),
            NoHub::SecretRequired => {
                write!(f, "the hub requires the cluster secret and this node has none")
            }
            NoHub::HubHasNoSecret => write!(
                f,
                "this node has a cluster secret and the hub has none: give both the same secret, \
                 or neither"
            ),
            NoHub::WrongSecret => write!(
                f,
                "the hub did not prove this node's cluster secret: the two secrets differ, or it \
                 is not the cluster's hub"
            ),
            NoHub::WireVersion { hub } => write!(
                f,
                "the hub speaks wire format {hub}, this node {}: run releases of nanomitter with \
                 the same wire format",
                crate::wire::VERSION
            ),
            NoHub::OriginNotAllowed => {
                write!(f, "the hub does not allow this node's browser origin")
            }
            NoHub::HubFull => write!(f, "the hub takes no more connections for now"),
            NoHub::CredentialExpired => write!(f, "this node's credential expired"),
            NoHub::NotAuthorized(why) => {
                write!(f, "the hub does not authorize this node's credential: {why}")
            }
            NoHub::CredentialInvalid => write!(
                f,
                "the hub does not take this node's credential: it was not minted with the hub's \
                 secret, was changed, or does not read"
            ),
            NoHub::RefusedByHub(byte) => write!(f, "the hub refused this node (reason {byte})"),
            NoHub::NotAHub => write!(
                f,
                "a program accepted the connection but did not open it as a nanomitter hub does"
            ),
        }
    }
}

impl NoHub {
    /// Whether dialing again, unchanged, cannot help: someone must change a setting (the secret,
    /// the release, the allowed origins).
    pub(crate) fn is_final(&self) -> bool {
        matches!(
            self,
            NoHub::SecretRequired
                | NoHub::HubHasNoSecret
                | NoHub::WrongSecret
                | NoHub::WireVersion { .. }
                | NoHub::OriginNotAllowed
                | NoHub::CredentialExpired
                | NoHub::CredentialInvalid
                | NoHub::NotAuthorized(_)
        )
    }
}

impl std::error::Error for NoHub {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NoHub::DialFailed(error) | NoHub::UnknownHost(error) | NoHub::NoIpcDirectory(error) => {
                Some(error)
            }
            _ => None,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
