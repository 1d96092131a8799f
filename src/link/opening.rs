//! How a connection opens, before any frame: on a websocket hub the browser `Origin` check,
//! then the hub's preamble (the wire format's magic and version, and whether it requires the
//! cluster secret) and, with a secret, the handshake; and the refusals either side sends
//! instead when it will not go on (`docs/wire.md` §4).
//!
//! Owns: the opening's messages, the refusals sent and read, and the reasons a dialer refuses
//! what answered or is refused ([`NoHub`]). It must not read or write frames: once open, the
//! connection is `connection`'s.

use super::Shared;
use crate::auth::{Answered, AuthError, Dialing, Opener, Sealer, Secret};
use crate::error::NoHub;
use crate::framing::{envelope, Deframer};
use crate::nng::Stream;
use crate::protocol::OpenedAs;
use crate::wire;
use bytes::Bytes;
use nanomitter_protocol::refusal::{Reason, Refusal};
use std::fmt;
use tracing::debug;

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

/// Tells the peer why it is refused, in place of the next opening message; the caller closes
/// the connection. A peer that cannot take it (gone already) changes nothing: it is refused
/// either way.
pub(super) async fn send_refusal(stream: &Stream, refusal: &Refusal) {
    let _ = write_one(stream, &refusal.encode()).await;
}

/// On a dialer, a hub that sent a refusal instead of an opening message refused this node: what
/// the dialer reports for it.
fn hub_refused(refused: Refused) -> OpeningError {
    let refusal = match refused {
        Refused::ByPeer(refusal) => refusal,
        Refused::Failed(error) => return error,
    };
    debug!(%refusal, "the hub refused this node");
    OpeningError::Refused(match refusal.reason {
        Reason::OriginNotAllowed => NoHub::OriginNotAllowed,
        Reason::WrongSecret => NoHub::WrongSecret,
        Reason::SecretRequired => NoHub::SecretRequired,
        Reason::SecretNotExpected => NoHub::HubHasNoSecret,
        Reason::OverLimit => NoHub::HubFull,
        Reason::Other(byte) => NoHub::RefusedByHub(byte),
    })
}

/// The next opening message, or the refusal the peer sent in its place.
async fn read_opening(
    stream: &Stream,
    deframer: &mut Deframer,
) -> std::result::Result<Bytes, Refused> {
    let message = read_one(stream, deframer).await.map_err(Refused::Failed)?;
    match Refusal::decode(&message) {
        Some(refusal) => Err(Refused::ByPeer(refusal)),
        None => Ok(message),
    }
}

/// Why the opening stopped where a message was read: the peer refused, or the read failed.
enum Refused {
    /// The peer sent a refusal instead of the message.
    ByPeer(Refusal),
    /// The connection failed, or the message was too long.
    Failed(OpeningError),
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
            let theirs = read_opening(stream, deframer).await.map_err(hub_refused)?;
            if theirs[..] != ours[..] {
                let why = match theirs.get(..5) {
                    Some(head) if head[..4] == wire::MAGIC && head[4] != wire::VERSION => {
                        NoHub::WireVersion { hub: head[4] }
                    }
                    Some(head) if head[..4] == wire::MAGIC && secret.is_some() => {
                        NoHub::HubHasNoSecret
                    }
                    Some(head) if head[..4] == wire::MAGIC => {
                        // The hub reads a challenge next: it is told why none comes.
                        let refusal =
                            Refusal::new(Reason::SecretRequired, "this node has no secret");
                        send_refusal(stream, &refusal).await;
                        NoHub::SecretRequired
                    }
                    _ => NoHub::NotAHub,
                };
                return Err(OpeningError::Refused(why));
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
    /// On a dialer: it refuses what answered (its preamble, or a proof of the secret that does
    /// not check out), or the hub refused it; with what the dialer reports.
    Refused(NoHub),
    /// On the hub: the dialer was refused, by the hub (it told the dialer why) or by itself (it
    /// told the hub why); the hub logs it by its reason.
    MemberRefused(Refusal),
    /// The connection failed, or the peer sent what the opening does not allow.
    Failed(String),
}

impl fmt::Display for OpeningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpeningError::Refused(why) => why.fmt(f),
            OpeningError::MemberRefused(refusal) => refusal.fmt(f),
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
/// and proves, the dialer proves. A side whose peer's proof does not check out tells the peer
/// so in place of its next message.
async fn handshake(
    stream: &Stream,
    deframer: &mut Deframer,
    secret: &Secret,
    side: OpenedAs,
) -> std::result::Result<(Sealer, Opener), OpeningError> {
    let wrong_secret =
        Refusal::new(Reason::WrongSecret, "the proof of the secret does not check out");
    let session = match side {
        OpenedAs::Client => {
            let (dialing, challenge) = Dialing::start(secret)?;
            write_one(stream, &challenge).await?;
            let answer = read_opening(stream, deframer).await.map_err(hub_refused)?;
            let (proof, session) = match dialing.answer(&answer) {
                Ok(answered) => answered,
                Err(AuthError::BadProof) => {
                    send_refusal(stream, &wrong_secret).await;
                    return Err(OpeningError::Refused(NoHub::WrongSecret));
                }
                Err(other) => return Err(other.into()),
            };
            write_one(stream, &proof).await?;
            session
        }
        OpenedAs::Hub => {
            let challenge = read_opening(stream, deframer).await.map_err(member_refused)?;
            let (answered, answer) = Answered::challenge(secret, &challenge)?;
            write_one(stream, &answer).await?;
            let proof = read_opening(stream, deframer).await.map_err(member_refused)?;
            match answered.proof(&proof) {
                Ok(session) => session,
                Err(AuthError::BadProof) => {
                    send_refusal(stream, &wrong_secret).await;
                    return Err(OpeningError::MemberRefused(wrong_secret));
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    Ok(session.split())
}

/// On the hub, a dialer that sent a refusal instead of an opening message refused itself.
fn member_refused(refused: Refused) -> OpeningError {
    match refused {
        Refused::ByPeer(refusal) => OpeningError::MemberRefused(refusal),
        Refused::Failed(error) => error,
    }
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
