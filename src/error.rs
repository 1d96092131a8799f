//! The crate's error type.
//!
//! Owns: every error a caller of the public API can see. It must not carry NNG types in its
//! public shape beyond their message, so callers do not depend on the transport crate.

use std::fmt;
use std::time::Duration;

/// What can go wrong when connecting, emitting or decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The address is not a URL NNG understands (`tcp://host:port`, `ipc:///path`, `ws://...`),
    /// or not one this node may use (a non-local address without a secret).
    InvalidAddress { address: String, reason: String },
    /// A service name the wire format cannot carry.
    InvalidService { service: String, reason: &'static str },
    /// A builder setting is out of range.
    InvalidSetting(String),
    /// No hub answered at the address before the connect timeout.
    Unreachable { address: String, waited: Duration },
    /// A topic is empty or longer than the wire format allows.
    InvalidTopic { topic: String, reason: &'static str },
    /// An event does not fit into one frame of the configured maximum frame size.
    EventTooLarge { size: usize, max: usize },
    /// Too many emitted events are not yet acknowledged by every member; `emit` refuses more
    /// (`emit_wait` waits instead).
    Overflow { pending: usize, limit: usize },
    /// A payload could not be encoded.
    Encode(String),
    /// A payload could not be decoded into the requested type.
    Decode(String),
    /// Nothing arrived in time.
    Timeout { waited: Duration },
    /// The emitter actor is gone (its system stopped or it was closed).
    Closed,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidAddress { address, reason } => {
                write!(f, "invalid address {address:?}: {reason}")
            }
            Error::InvalidService { service, reason } => {
                write!(f, "invalid service name {service:?}: {reason}")
            }
            Error::InvalidSetting(reason) => write!(f, "invalid setting: {reason}"),
            Error::Unreachable { address, waited } => {
                write!(f, "no hub answered at {address} within {waited:?}")
            }
            Error::InvalidTopic { topic, reason } => write!(f, "invalid topic {topic:?}: {reason}"),
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
            Error::Closed => write!(f, "the emitter is closed"),
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::auth::AuthError> for Error {
    fn from(error: crate::auth::AuthError) -> Error {
        Error::InvalidSetting(error.to_string())
    }
}

impl From<actix::MailboxError> for Error {
    fn from(_: actix::MailboxError) -> Self {
        Error::Closed
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
