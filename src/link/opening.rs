//! How a connection opens, before any frame: on a websocket hub the browser `Origin` check,
//! then the hub's preamble (the wire format's magic and version, and whether it requires the
//! cluster secret) and, with a secret, the handshake (a scoped dialer's with its credential);
//! and the refusals either side sends instead when it will not go on (`docs/wire.md` §4).
//!
//! Owns: the opening's messages, the refusals sent and read, the scope a hub grants a scoped
//! dialer (its credential's claims, asked of the authorization hook), and the reasons a dialer
//! refuses what answered or is refused ([`NoHub`]). It must not read or write frames: once open, the
//! connection is `connection`'s.

use super::Shared;
use crate::auth::{Answered, AuthError, Challenged, Dialing, Opener, Sealer, Secret};
use crate::authorization::{AuthorizationRequest, Authorizer, Scope};
use crate::error::NoHub;
use crate::framing::{envelope, Deframer};
use crate::nng::Stream;
use crate::protocol::OpenedAs;
use crate::wire;
use bytes::Bytes;
use nanomitter_protocol::credential::{Credential, CredentialError};
use nanomitter_protocol::refusal::{Reason, Refusal};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::debug;

/// The longest handshake message, but for a scoped dialer's challenge.
const HANDSHAKE_MAX: usize = 256;
/// The longest message a connection's opening may carry: a scoped dialer's challenge, with its
/// claims. Only the hub's read of the challenge takes one that long.
pub(super) const OPENING_MAX: usize = crate::auth::MAX_CREDENTIAL_MESSAGE;

/// What this node proves when it opens a connection: the cluster secret, or (a scoped node,
/// which only dials) a credential's key.
#[derive(Clone)]
pub(crate) enum Proof {
    /// The cluster secret: a full member, which may also be the hub.
    Secret(Secret),
    /// A scoped credential: a member the hub lets do only what its claims allow.
    Credential(Credential),
}

/// A connection that opened: its tags' halves when the cluster has a secret, and on the hub the
/// claims of a scoped dialer.
pub(crate) struct Opened {
    /// The sealer of this side's frames and the opener of the peer's; `None` without a secret.
    pub(crate) halves: Option<(Sealer, Opener)>,
    /// On the hub, what a dialer with a credential may do; `None` for a full member (and on a
    /// dialer).
    pub(crate) scope: Option<Scope>,
}

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
        Reason::CredentialExpired => NoHub::CredentialExpired,
        Reason::CredentialInvalid => NoHub::CredentialInvalid,
        Reason::NotAuthorized => NoHub::NotAuthorized(refusal.text),
        Reason::Other(byte) => NoHub::RefusedByHub(byte),
    })
}

/// The next opening message, or the refusal the peer sent in its place.
async fn read_opening(
    stream: &Stream,
    deframer: &mut Deframer,
    longest: usize,
) -> std::result::Result<Bytes, Refused> {
    let message = read_one(stream, deframer, longest).await.map_err(Refused::Failed)?;
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

/// Opens a connection: the hub's preamble, then, with a secret (or a credential), the
/// handshake.
pub(super) async fn open_connection(
    stream: &Stream,
    deframer: &mut Deframer,
    proof: Option<&Proof>,
    authorize: Option<&Authorizer>,
    side: OpenedAs,
) -> std::result::Result<Opened, OpeningError> {
    let ours = preamble(proof.is_some());
    match side {
        OpenedAs::Hub => write_one(stream, &ours).await?,
        OpenedAs::Client => {
            let theirs =
                read_opening(stream, deframer, HANDSHAKE_MAX).await.map_err(hub_refused)?;
            if theirs[..] != ours[..] {
                let why = match theirs.get(..5) {
                    Some(head) if head[..4] == wire::MAGIC && head[4] != wire::VERSION => {
                        NoHub::WireVersion { hub: head[4] }
                    }
                    Some(head) if head[..4] == wire::MAGIC && proof.is_some() => {
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
    match (proof, side) {
        (None, _) => Ok(Opened { halves: None, scope: None }),
        (Some(proof), OpenedAs::Client) => {
            let halves = dial_handshake(stream, deframer, proof).await?;
            Ok(Opened { halves: Some(halves), scope: None })
        }
        (Some(Proof::Secret(secret)), OpenedAs::Hub) => {
            let (halves, scope) = hub_handshake(stream, deframer, secret, authorize).await?;
            Ok(Opened { halves: Some(halves), scope })
        }
        (Some(Proof::Credential(_)), OpenedAs::Hub) => {
            Err(OpeningError::Failed("a node with a credential only dials".into()))
        }
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

/// The dialer's side of the handshake (see [`crate::auth`]): it challenges (with its
/// credential's claims, if it has one), checks the hub's proof and proves its own. A hub whose
/// proof does not check out is told so in place of the dialer's proof.
async fn dial_handshake(
    stream: &Stream,
    deframer: &mut Deframer,
    proof: &Proof,
) -> std::result::Result<(Sealer, Opener), OpeningError> {
    let (dialing, challenge) = match proof {
        Proof::Secret(secret) => Dialing::start(secret)?,
        Proof::Credential(credential) => Dialing::start_scoped(credential)?,
    };
    write_one(stream, &challenge).await?;
    let answer = read_opening(stream, deframer, HANDSHAKE_MAX).await.map_err(hub_refused)?;
    let (ours, session) = match dialing.answer(&answer) {
        Ok(answered) => answered,
        Err(AuthError::BadProof) => {
            let (refusal, why) = match proof {
                Proof::Secret(_) => (wrong_secret(), NoHub::WrongSecret),
                Proof::Credential(_) => {
                    let text = "the hub's proof does not check out with this credential's key";
                    (Refusal::new(Reason::CredentialInvalid, text), NoHub::CredentialInvalid)
                }
            };
            send_refusal(stream, &refusal).await;
            return Err(OpeningError::Refused(why));
        }
        Err(other) => return Err(other.into()),
    };
    write_one(stream, &ours).await?;
    Ok(session.split())
}

/// The hub's side of the handshake: it answers the dialer's challenge (refusing a credential
/// that is expired or does not read, or that the authorization hook refuses), proves the secret
/// and checks the dialer's proof. Returns the scope of a dialer with a credential.
async fn hub_handshake(
    stream: &Stream,
    deframer: &mut Deframer,
    secret: &Secret,
    authorize: Option<&Authorizer>,
) -> std::result::Result<((Sealer, Opener), Option<Scope>), OpeningError> {
    let challenge = read_opening(stream, deframer, OPENING_MAX).await.map_err(member_refused)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
    let Challenged { answered, answer, claims } = match Answered::challenge(secret, &challenge, now)
    {
        Ok(challenged) => challenged,
        Err(AuthError::Credential(why)) => {
            let reason = match why {
                CredentialError::Expired(_) => Reason::CredentialExpired,
                CredentialError::Invalid(_) => Reason::CredentialInvalid,
            };
            let refusal = Refusal::new(reason, &why.to_string());
            send_refusal(stream, &refusal).await;
            return Err(OpeningError::MemberRefused(refusal));
        }
        Err(other) => return Err(other.into()),
    };
    let scope = match (claims, authorize) {
        (None, _) => None,
        (Some(credential), None) => Some(Scope { credential, narrowed: None }),
        (Some(credential), Some(Authorizer(hook))) => {
            let (origin, address) = (stream.ws_request_header("Origin"), stream.peer_address());
            let answer = hook(&AuthorizationRequest {
                claims: &credential,
                address: address.as_deref(),
                origin: origin.as_deref(),
            });
            match Scope::authorized(credential, answer) {
                Ok(scope) => Some(scope),
                Err(why) => {
                    let refusal = Refusal::new(Reason::NotAuthorized, &why);
                    send_refusal(stream, &refusal).await;
                    return Err(OpeningError::MemberRefused(refusal));
                }
            }
        }
    };
    write_one(stream, &answer).await?;
    let proof = read_opening(stream, deframer, HANDSHAKE_MAX).await.map_err(member_refused)?;
    match answered.proof(&proof) {
        Ok(session) => Ok((session.split(), scope)),
        Err(AuthError::BadProof) => {
            let refusal = match scope {
                None => wrong_secret(),
                Some(_) => Refusal::new(
                    Reason::CredentialInvalid,
                    "the proof of the credential's key does not check out",
                ),
            };
            send_refusal(stream, &refusal).await;
            Err(OpeningError::MemberRefused(refusal))
        }
        Err(other) => Err(other.into()),
    }
}

/// The refusal of a peer whose proof of the cluster secret does not check out.
fn wrong_secret() -> Refusal {
    Refusal::new(Reason::WrongSecret, "the proof of the secret does not check out")
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

/// The next opening message, of at most `longest` bytes.
async fn read_one(
    stream: &Stream,
    deframer: &mut Deframer,
    longest: usize,
) -> std::result::Result<Bytes, OpeningError> {
    let mut buf = [0u8; HANDSHAKE_MAX];
    loop {
        match deframer.next_frame(None) {
            Ok(Some(message)) if message.len() <= longest => return Ok(message),
            Ok(Some(_)) => return Err(OpeningError::Failed("a handshake message too long".into())),
            Ok(None) => {}
            Err(error) => return Err(OpeningError::Failed(error.to_string())),
        }
        let read = stream.read(&mut buf).await.map_err(|e| OpeningError::Failed(e.to_string()))?;
        deframer.push(&buf[..read]);
    }
}

/// Opens `stream`, just dialed, as a client proving `proof` does (the hub's preamble, then the
/// handshake), and nothing more: whether a hub answered, or why not. The caller closes the
/// stream; the hub sees a connection that went away before its first frame.
pub(crate) async fn hub_answers(
    stream: &Stream,
    proof: Option<&Proof>,
) -> std::result::Result<(), OpeningError> {
    let mut deframer = Deframer::new(HANDSHAKE_MAX);
    open_connection(stream, &mut deframer, proof, None, OpenedAs::Client).await.map(drop)
}
