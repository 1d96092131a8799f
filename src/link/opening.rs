//! How a connection opens, before any frame: on a websocket hub the browser `Origin` check,
//! then the hub's preamble (the wire format's magic and version, and whether it requires the
//! cluster secret) and, with a secret, the handshake.
//!
//! Owns: the opening's messages and the reasons a dialer refuses what answered ([`NoHub`]). It
//! must not read or write frames: once open, the connection is `connection`'s.

use super::Shared;
use crate::auth::{Answered, AuthError, Dialing, Opener, Sealer, Secret};
use crate::error::NoHub;
use crate::framing::{envelope, Deframer};
use crate::nng::Stream;
use crate::protocol::OpenedAs;
use crate::wire;
use bytes::Bytes;
use std::fmt;

/// The longest handshake message.
pub(super) const HANDSHAKE_MAX: usize = 256;

/// The `Origin` of a websocket connection the hub must refuse: one that is not in the allowed
/// list. A web page can make a browser connect to any websocket it names, `localhost` included,
/// and the browser then sends the page's origin; other clients send none, and are let in.
pub(super) fn refused_origin(stream: &Stream, shared: &Shared) -> Option<String> {
    let allowed = shared.ws_origins.as_ref()?;
    let origin = stream.ws_request_header("Origin")?;
    (!allowed.contains(&origin)).then_some(origin)
}

/// Whether `address` is a websocket one (`ws://`, `wss://`), reachable from a browser.
pub(super) fn is_websocket(address: &str) -> bool {
    address.starts_with("ws://") || address.starts_with("wss://")
}

/// The hub's first words on every connection: the wire format's magic and version, and whether
/// it requires the cluster secret. A client counts as linked only once its hub said them (a
/// program that accepts connections but is not a hub never does), and refuses a hub of another
/// version or security setting with the reason.
fn preamble(secret: bool) -> [u8; 6] {
    let [m0, m1, m2, m3] = wire::MAGIC;
    [m0, m1, m2, m3, wire::VERSION, u8::from(secret)]
}

/// Opens a connection: the hub's preamble, then, with a secret, the handshake. Returns the
/// session's halves when there is a secret.
pub(super) async fn open_connection(
    stream: &Stream,
    deframer: &mut Deframer,
    secret: Option<&Secret>,
    side: OpenedAs,
) -> std::result::Result<Option<(Sealer, Opener)>, OpeningError> {
    let ours = preamble(secret.is_some());
    match side {
        OpenedAs::Hub => write_one(stream, &ours).await?,
        OpenedAs::Client => {
            let theirs = read_one(stream, deframer).await?;
            if theirs[..] != ours[..] {
                return Err(OpeningError::Refused(match theirs.get(..5) {
                    Some(head) if head[..4] == wire::MAGIC && head[4] != wire::VERSION => {
                        NoHub::WireVersion { hub: head[4] }
                    }
                    Some(head) if head[..4] == wire::MAGIC && secret.is_some() => {
                        NoHub::HubHasNoSecret
                    }
                    Some(head) if head[..4] == wire::MAGIC => NoHub::SecretRequired,
                    _ => NoHub::NotAHub,
                }));
            }
        }
    }
    match secret {
        Some(secret) => Ok(Some(handshake(stream, deframer, secret, side).await?)),
        None => Ok(None),
    }
}

/// Why a connection did not open.
#[derive(Debug)]
pub(crate) enum OpeningError {
    /// This node, dialing, refuses what answered for what it said (its preamble, or a proof of
    /// the secret that does not check out).
    Refused(NoHub),
    /// The connection failed, or the peer sent what the opening does not allow.
    Failed(String),
}

impl fmt::Display for OpeningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpeningError::Refused(why) => why.fmt(f),
            OpeningError::Failed(why) => f.write_str(why),
        }
    }
}

impl From<AuthError> for OpeningError {
    fn from(error: AuthError) -> Self {
        OpeningError::Failed(error.to_string())
    }
}

/// The cluster-secret handshake (see [`crate::auth`]): the dialer challenges, the hub answers
/// and proves, the dialer proves.
async fn handshake(
    stream: &Stream,
    deframer: &mut Deframer,
    secret: &Secret,
    side: OpenedAs,
) -> std::result::Result<(Sealer, Opener), OpeningError> {
    let session = match side {
        OpenedAs::Client => {
            let (dialing, challenge) = Dialing::start(secret)?;
            write_one(stream, &challenge).await?;
            let answer = read_one(stream, deframer).await?;
            let (proof, session) = dialing.answer(&answer).map_err(|error| match error {
                AuthError::BadProof => OpeningError::Refused(NoHub::WrongSecret),
                other => other.into(),
            })?;
            write_one(stream, &proof).await?;
            session
        }
        OpenedAs::Hub => {
            let challenge = read_one(stream, deframer).await?;
            let (answered, answer) = Answered::challenge(secret, &challenge)?;
            write_one(stream, &answer).await?;
            let proof = read_one(stream, deframer).await?;
            answered.proof(&proof)?
        }
    };
    Ok(session.split())
}

async fn write_one(stream: &Stream, message: &[u8]) -> std::result::Result<(), OpeningError> {
    let (len, _) = envelope(message, None);
    stream.write_all(&[&len, message]).await.map_err(|e| OpeningError::Failed(e.to_string()))
}

async fn read_one(
    stream: &Stream,
    deframer: &mut Deframer,
) -> std::result::Result<Bytes, OpeningError> {
    let mut buf = [0u8; HANDSHAKE_MAX];
    loop {
        match deframer.next_frame(None) {
            Ok(Some(message)) if message.len() <= HANDSHAKE_MAX => return Ok(message),
            Ok(Some(_)) => return Err(OpeningError::Failed("a handshake message too long".into())),
            Ok(None) => {}
            Err(error) => return Err(OpeningError::Failed(error.to_string())),
        }
        let read = stream.read(&mut buf).await.map_err(|e| OpeningError::Failed(e.to_string()))?;
        deframer.push(&buf[..read]);
    }
}

/// Opens `stream`, just dialed, as a client of a node with `secret` does (the hub's preamble,
/// then the handshake), and nothing more: whether a hub answered, or why not. The caller closes
/// the stream; the hub sees a connection that went away before its first frame.
pub(crate) async fn hub_answers(
    stream: &Stream,
    secret: Option<&Secret>,
) -> std::result::Result<(), OpeningError> {
    let mut deframer = Deframer::new(HANDSHAKE_MAX);
    open_connection(stream, &mut deframer, secret, OpenedAs::Client).await.map(drop)
}
