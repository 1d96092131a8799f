//! Who may join: a mutual challenge–response on the cluster secret when a connection opens, and
//! a MAC on every frame after it.
//!
//! Owns: the handshake's three messages, the session key they derive and the per-frame tags.
//! It must not touch sockets or frames' meaning: the link runs the handshake over a connection
//! before any frame and closes the connection on any error here; the protocol never sees a
//! frame that did not pass [`Opener::open`].
//!
//! The handshake, with `S` the secret, `Nc`/`Nh` fresh 32-byte nonces and `H(k, m)`
//! HMAC-SHA-256:
//!
//! ```text
//! dialer -> hub   challenge  Nc
//! hub -> dialer   answer     Nh | H(S, "nanomitter/1 hub" | Nc | Nh)
//! dialer -> hub   proof      H(S, "nanomitter/1 client" | Nc | Nh)
//! ```
//!
//! A dialer with a scoped credential ([`crate::credential`]) sends its claims with its nonce
//! instead of the plain challenge, and both sides run the same proofs and tags with the
//! credential's key in place of `S`: the hub derives that key from the claims and the secret.
//!
//! The hub proves it knows the secret first, so a process that grabbed the hub's port cannot
//! pass for the hub; the labels differ by side, so neither proof can be reflected, and fresh
//! nonces on both sides make every recorded message useless on another connection. Both sides
//! then derive the session key `K = H(S, "nanomitter/1 session" | Nc | Nh)`; every frame carries
//! `H(K, direction | counter | frame)` cut to 16 bytes, the counter counting that direction's
//! frames, so a frame cannot be forged, replayed, reordered or sent back. Tags are compared in
//! constant time. The secret is never sent, and nothing here is encrypted: TLS does that.

use crate::credential::{self, Claims, Credential, CredentialError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// Length of a nonce.
const NONCE_LEN: usize = 32;
/// Length of a handshake proof (a whole HMAC-SHA-256).
const PROOF_LEN: usize = 32;
/// Length of the tag every frame carries (HMAC-SHA-256 cut to 128 bits).
pub const TAG_LEN: usize = 16;
/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 16;

const MAGIC: [u8; 4] = *b"NMAU";
const VERSION: u8 = 1;
const CHALLENGE: u8 = 1;
const ANSWER: u8 = 2;
const PROOF: u8 = 3;
const CREDENTIAL: u8 = 4;
const HEADER_LEN: usize = 6;
/// The longest handshake message: a credential challenge, whose claims take most of it. Every
/// other opening message has at most 256 bytes (`docs/wire.md` §1).
pub const MAX_CREDENTIAL_MESSAGE: usize = HEADER_LEN + NONCE_LEN + credential::MAX_CLAIMS_LEN;

const HUB_LABEL: &[u8] = b"nanomitter/1 hub";
const CLIENT_LABEL: &[u8] = b"nanomitter/1 client";
const SESSION_LABEL: &[u8] = b"nanomitter/1 session";

/// The cluster secret every member shares. Its bytes never leave this process.
#[derive(Clone)]
pub struct Secret(
    /// The secret's bytes: the HMAC key of both proofs and of the session key. Never sent, and
    /// hidden from `Debug`.
    Vec<u8>,
);

impl Secret {
    /// A secret of at least [`MIN_SECRET_LEN`] bytes (e.g. the contents of a key file; leading
    /// and trailing whitespace is the caller's to trim).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Secret, AuthError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_LEN {
            return Err(AuthError::WeakSecret { len: bytes.len() });
        }
        Ok(Secret(bytes))
    }

    /// A key derived from the cluster secret (a credential's), used as a secret is.
    pub(crate) fn derived(key: [u8; PROOF_LEN]) -> Secret {
        Secret(key.to_vec())
    }

    /// HMAC-SHA-256 under the secret over the concatenation of `parts`.
    pub(crate) fn mac_of(&self, parts: &[&[u8]]) -> [u8; PROOF_LEN] {
        mac(&self.0, parts)
    }

    /// The secret's bytes, for a credential's token (which carries its key).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn mac(&self, label: &[u8], nonces: &Nonces) -> [u8; PROOF_LEN] {
        self.mac_of(&[label, &nonces.dialer, &nonces.hub])
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Why a handshake or a frame was refused. Any of them closes the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The secret is shorter than [`MIN_SECRET_LEN`] bytes.
    WeakSecret {
        /// The length given, in bytes.
        len: usize,
    },
    /// A handshake message of the wrong shape, kind or version.
    Malformed(&'static str),
    /// The peer's proof does not match: it does not know the secret.
    BadProof,
    /// A frame's tag does not match (forged, replayed, reordered or damaged).
    BadTag,
    /// The system's random number generator failed.
    Random(String),
    /// The dialer's credential is refused: expired or not a credential at all.
    Credential(CredentialError),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::WeakSecret { len } => {
                write!(f, "the secret has {len} bytes, fewer than the {MIN_SECRET_LEN} required")
            }
            AuthError::Malformed(what) => write!(f, "malformed handshake message: {what}"),
            AuthError::BadProof => f.write_str("the peer does not know the cluster secret"),
            AuthError::BadTag => f.write_str("a frame's authentication tag does not match"),
            AuthError::Random(why) => write!(f, "no randomness for a nonce: {why}"),
            AuthError::Credential(why) => why.fmt(f),
        }
    }
}

impl std::error::Error for AuthError {}

/// Both nonces of one handshake.
#[derive(Clone, Copy)]
struct Nonces {
    /// `Nc`, drawn by the dialer and sent in its challenge.
    dialer: [u8; NONCE_LEN],
    /// `Nh`, drawn by the hub and sent in its answer.
    hub: [u8; NONCE_LEN],
}

/// The dialing side, after sending its challenge.
pub struct Dialing {
    /// The cluster secret: it checks the hub's proof, and makes this side's proof and the
    /// session key.
    secret: Secret,
    /// `Nc`, sent in the challenge: the hub's proof must cover it, so an answer recorded on
    /// another connection does not pass.
    nonce: [u8; NONCE_LEN],
}

impl Dialing {
    /// Starts a handshake: returns the state and the challenge to send.
    pub fn start(secret: &Secret) -> Result<(Dialing, Vec<u8>), AuthError> {
        let nonce = fresh_nonce()?;
        let challenge = message(CHALLENGE, &[&nonce]);
        Ok((Dialing { secret: secret.clone(), nonce }, challenge))
    }

    /// Starts a handshake with a scoped credential: the challenge carries its claims, and the
    /// proofs are made with its key.
    pub fn start_scoped(credential: &Credential) -> Result<(Dialing, Vec<u8>), AuthError> {
        let nonce = fresh_nonce()?;
        let challenge = message(CREDENTIAL, &[&nonce, credential.claims_bytes()]);
        Ok((Dialing { secret: credential.key().clone(), nonce }, challenge))
    }

    /// The hub's answer: if it proves the secret, returns the proof to send and the session.
    pub fn answer(self, answer: &[u8]) -> Result<(Vec<u8>, Session), AuthError> {
        let body = body(answer, ANSWER, NONCE_LEN + PROOF_LEN)?;
        let (hub_nonce, hub_proof) = body.split_at(NONCE_LEN);
        let nonces = Nonces { dialer: self.nonce, hub: hub_nonce.try_into().expect("split") };
        verify(&self.secret.0, &[HUB_LABEL, &nonces.dialer, &nonces.hub], hub_proof)
            .map_err(|_| AuthError::BadProof)?;
        let proof = message(PROOF, &[&self.secret.mac(CLIENT_LABEL, &nonces)]);
        Ok((proof, Session::new(&self.secret, &nonces, Side::Dialer)))
    }
}

/// The hub's side, after answering a challenge.
pub struct Answered {
    /// The cluster secret: it checks the dialer's proof and makes the session key.
    secret: Secret,
    /// The dialer's `Nc` and the `Nh` sent in the answer: the dialer's proof must cover both, so
    /// a proof recorded on another connection does not pass.
    nonces: Nonces,
}

/// What a hub made of a dialer's challenge.
pub struct Challenged {
    /// The state that checks the dialer's proof.
    pub answered: Answered,
    /// The answer to send.
    pub answer: Vec<u8>,
    /// The claims of a scoped dialer's credential (`None`: it proves the cluster secret itself):
    /// what the hub lets it do once its proof checks out.
    pub claims: Option<Claims>,
}

impl Answered {
    /// A dialer's challenge, plain or with a credential's claims (checked against the secret
    /// and `now_unix`, seconds since the Unix epoch): the state and the answer to send.
    pub fn challenge(
        secret: &Secret,
        challenge: &[u8],
        now_unix: u64,
    ) -> Result<Challenged, AuthError> {
        let (nonce, key, claims) = match kind(challenge)? {
            CREDENTIAL if challenge.len() <= MAX_CREDENTIAL_MESSAGE => {
                let body = challenge
                    .get(HEADER_LEN..)
                    .filter(|body| body.len() > NONCE_LEN)
                    .ok_or(AuthError::Malformed("wrong length"))?;
                let (nonce, claims) = body.split_at(NONCE_LEN);
                let (claims, key) =
                    credential::verify(secret, claims, now_unix).map_err(AuthError::Credential)?;
                (nonce, key, Some(claims))
            }
            CREDENTIAL => return Err(AuthError::Malformed("wrong length")),
            _ => (body(challenge, CHALLENGE, NONCE_LEN)?, secret.clone(), None),
        };
        let nonces =
            Nonces { dialer: nonce.try_into().expect("length checked"), hub: fresh_nonce()? };
        let proof = key.mac(HUB_LABEL, &nonces);
        let answer = message(ANSWER, &[&nonces.hub, &proof]);
        Ok(Challenged { answered: Answered { secret: key, nonces }, answer, claims })
    }

    /// The dialer's proof: if it proves the secret, the session.
    pub fn proof(self, proof: &[u8]) -> Result<Session, AuthError> {
        let body = body(proof, PROOF, PROOF_LEN)?;
        let parts: [&[u8]; 3] = [CLIENT_LABEL, &self.nonces.dialer, &self.nonces.hub];
        verify(&self.secret.0, &parts, body).map_err(|_| AuthError::BadProof)?;
        Ok(Session::new(&self.secret, &self.nonces, Side::Hub))
    }
}

/// Which end of a connection this is: each direction has its own tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The end that dialed: its frames' tags carry direction 1.
    Dialer,
    /// The hub's end: its frames' tags carry direction 2.
    Hub,
}

impl Side {
    fn byte(self) -> u8 {
        match self {
            Side::Dialer => 1,
            Side::Hub => 2,
        }
    }

    fn other(self) -> Side {
        match self {
            Side::Dialer => Side::Hub,
            Side::Hub => Side::Dialer,
        }
    }
}

/// An authenticated connection's key: [`Session::split`] gives the sending half to the writer
/// and the receiving half to the reader.
pub struct Session {
    /// `K`, derived from the secret and both nonces: the key of every tag on this connection,
    /// in both directions.
    key: [u8; PROOF_LEN],
    /// Which end this is: the sending half tags with this side's direction, the receiving half
    /// checks for the other's, so a frame sent back to its sender does not pass.
    side: Side,
}

impl Session {
    fn new(secret: &Secret, nonces: &Nonces, side: Side) -> Session {
        Session { key: secret.mac(SESSION_LABEL, nonces), side }
    }

    /// The half that tags what this side sends, and the half that checks what it receives.
    pub fn split(self) -> (Sealer, Opener) {
        let sealer = Sealer { key: self.key, from: self.side, sent: 0 };
        let opener = Opener { key: self.key, from: self.side.other(), received: 0 };
        (sealer, opener)
    }
}

/// Tags the frames one side sends, in order.
pub struct Sealer {
    /// The session key `K`.
    key: [u8; PROOF_LEN],
    /// This side: its direction goes into every tag it makes.
    from: Side,
    /// Frames tagged so far: the counter in the next frame's tag, so that each frame's tag
    /// holds only at its place in the stream.
    sent: u64,
}

impl Sealer {
    /// The tag of the next frame.
    pub fn seal(&mut self, frame: &[u8]) -> [u8; TAG_LEN] {
        let full = mac(&self.key, &[&[self.from.byte()], &self.sent.to_le_bytes(), frame]);
        self.sent += 1;
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full[..TAG_LEN]);
        tag
    }
}

/// Checks the tags of the frames from the other side, in order.
pub struct Opener {
    /// The session key `K`.
    key: [u8; PROOF_LEN],
    /// The other side: the direction every tag checked here must carry, so this side's own
    /// frames, reflected, fail.
    from: Side,
    /// Frames that passed so far: the counter the next tag must carry, so a frame replayed,
    /// dropped or reordered fails. It moves only when a tag matches.
    received: u64,
}

impl Opener {
    /// Checks the tag of the next frame.
    pub fn open(&mut self, frame: &[u8], tag: &[u8]) -> Result<(), AuthError> {
        let from = [self.from.byte()];
        let parts: [&[u8]; 3] = [&from, &self.received.to_le_bytes(), frame];
        keyed(&self.key, &parts).verify_truncated_left(tag).map_err(|_| AuthError::BadTag)?;
        self.received += 1;
        Ok(())
    }
}

/// HMAC-SHA-256 under `key` over the concatenation of `parts`.
fn keyed(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; PROOF_LEN] {
    keyed(key, parts).finalize().into_bytes().into()
}

/// Constant-time comparison of `expected` with the MAC of `parts`.
fn verify(key: &[u8], parts: &[&[u8]], expected: &[u8]) -> Result<(), hmac::digest::MacError> {
    keyed(key, parts).verify_slice(expected)
}

fn fresh_nonce() -> Result<[u8; NONCE_LEN], AuthError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(nonce)
}

fn message(kind: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(HEADER_LEN + len);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&[VERSION, kind]);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// The kind of a handshake message of this version.
fn kind(message: &[u8]) -> Result<u8, AuthError> {
    if message.len() < HEADER_LEN || message[..4] != MAGIC {
        return Err(AuthError::Malformed("not a handshake message"));
    }
    if message[4] != VERSION {
        return Err(AuthError::Malformed("another handshake version"));
    }
    Ok(message[5])
}

/// The body of a handshake message of `kind`, which must be exactly `len` bytes.
fn body(message: &[u8], expected: u8, len: usize) -> Result<&[u8], AuthError> {
    if kind(message)? != expected {
        return Err(AuthError::Malformed("unexpected message kind"));
    }
    if message.len() != HEADER_LEN + len {
        return Err(AuthError::Malformed("wrong length"));
    }
    Ok(&message[HEADER_LEN..])
}

/// Runs a whole handshake between a dialer knowing `dialer` and a hub knowing `hub`: the
/// dialer's session and the hub's.
#[cfg(test)]
fn handshake(dialer: &Secret, hub: &Secret) -> Result<(Session, Session), AuthError> {
    let (dialing, challenge) = Dialing::start(dialer)?;
    let Challenged { answered, answer, .. } = Answered::challenge(hub, &challenge, 0)?;
    let (proof, dialer_session) = dialing.answer(&answer)?;
    let hub_session = answered.proof(&proof)?;
    Ok((dialer_session, hub_session))
}

/// The dialer's sending half and the hub's receiving half of one authenticated connection.
#[cfg(test)]
pub fn test_halves() -> (Sealer, Opener) {
    let secret = Secret::new("a secret for tests only").expect("long enough");
    let (dialer, hub) = handshake(&secret, &secret).expect("the same secret");
    (dialer.split().0, hub.split().1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> Secret {
        Secret::new(text.as_bytes()).unwrap()
    }

    #[test]
    fn members_with_the_same_secret_agree_and_tag_each_direction() {
        let s = secret("correct horse battery staple");
        let (dialer, hub) = handshake(&s, &s).unwrap();
        let ((mut dialer_out, mut dialer_in), (mut hub_out, mut hub_in)) =
            (dialer.split(), hub.split());
        for frame in [&b"first"[..], b"second", b""] {
            let tag = dialer_out.seal(frame);
            hub_in.open(frame, &tag).unwrap();
            let tag = hub_out.seal(frame);
            dialer_in.open(frame, &tag).unwrap();
        }
    }

    #[test]
    fn a_hub_without_the_secret_is_refused_before_the_dialer_proves_anything() {
        let (dialing, challenge) = Dialing::start(&secret("the real cluster secret")).unwrap();
        let rogue = Answered::challenge(&secret("a rogue hub's guess...."), &challenge, 0).unwrap();
        assert_eq!(dialing.answer(&rogue.answer).err(), Some(AuthError::BadProof));
    }

    #[test]
    fn a_dialer_without_the_secret_is_refused() {
        let outcome =
            handshake(&secret("a rogue dialer's guess"), &secret("the real cluster secret"));
        // The dialer refuses the real hub's proof first (it cannot check it with a wrong secret).
        assert_eq!(outcome.err(), Some(AuthError::BadProof));
        // A dialer that skips the check and sends a made-up proof is refused by the hub.
        let hub_secret = secret("the real cluster secret");
        let (_, challenge) = Dialing::start(&hub_secret).unwrap();
        let hub = Answered::challenge(&hub_secret, &challenge, 0).unwrap();
        let forged = message(PROOF, &[&[7u8; PROOF_LEN]]);
        assert_eq!(hub.answered.proof(&forged).err(), Some(AuthError::BadProof));
    }

    #[test]
    fn frames_cannot_be_forged_replayed_reordered_or_reflected() {
        let s = secret("correct horse battery staple");
        let (dialer, hub) = handshake(&s, &s).unwrap();
        let ((mut dialer_out, _), (mut hub_out, mut hub_in)) = (dialer.split(), hub.split());
        let first = dialer_out.seal(b"one");
        let second = dialer_out.seal(b"two");
        assert_eq!(hub_in.open(b"two", &second), Err(AuthError::BadTag), "reordered");
        assert_eq!(hub_in.open(b"ONE", &first), Err(AuthError::BadTag), "altered");
        hub_in.open(b"one", &first).unwrap();
        assert_eq!(hub_in.open(b"one", &first), Err(AuthError::BadTag), "replayed");
        hub_in.open(b"two", &second).unwrap();
        // The hub's own tag sent back to it as if from the dialer.
        let reflected = hub_out.seal(b"three");
        assert_eq!(hub_in.open(b"three", &reflected), Err(AuthError::BadTag), "reflected");
        // Another connection with the same secret has another key.
        let (other_dialer, _) = handshake(&s, &s).unwrap();
        let tag = other_dialer.split().0.seal(b"three");
        assert_eq!(hub_in.open(b"three", &tag), Err(AuthError::BadTag), "another session");
    }

    /// Runs a handshake of a dialer with `credential` against a hub with `hub` at `now_unix`:
    /// the claims the hub took, or the first error.
    fn scoped_handshake(
        credential: &Credential,
        hub: &Secret,
        now_unix: u64,
    ) -> Result<Claims, AuthError> {
        let (dialing, challenge) = Dialing::start_scoped(credential)?;
        let challenged = Answered::challenge(hub, &challenge, now_unix)?;
        let (proof, dialer) = dialing.answer(&challenged.answer)?;
        let hub_session = challenged.answered.proof(&proof)?;
        let ((mut dialer_out, _), (_, mut hub_in)) = (dialer.split(), hub_session.split());
        hub_in.open(b"frame", &dialer_out.seal(b"frame"))?;
        Ok(challenged.claims.expect("a scoped dialer's claims"))
    }

    #[test]
    fn a_credential_proves_its_key_and_the_hub_learns_its_claims() {
        let s = secret("correct horse battery staple");
        let claims = Claims::new("alice", ["chat.>"], ["chat.>"], 2_000);
        let credential = Credential::mint(&s, &claims).unwrap();
        assert_eq!(scoped_handshake(&credential, &s, 1_000), Ok(claims.clone()));
        let expired = scoped_handshake(&credential, &s, 2_000).err();
        assert_eq!(expired, Some(AuthError::Credential(CredentialError::Expired(2_000))));
        // Signed with another secret: the hub's proof, made with the key it derives, does not
        // check out with the dialer's.
        let other = Credential::mint(&secret("another cluster's secret"), &claims).unwrap();
        assert_eq!(scoped_handshake(&other, &s, 1_000).err(), Some(AuthError::BadProof));
        // A dialer with the claims but without their key (it made one up) fails the hub's
        // check of its proof, even when it skips checking the hub's.
        let (_, challenge) = Dialing::start_scoped(&other).unwrap();
        let challenged = Answered::challenge(&s, &challenge, 1_000).unwrap();
        let made_up = message(PROOF, &[&other.key().mac_of(&[CLIENT_LABEL])]);
        assert_eq!(challenged.answered.proof(&made_up).err(), Some(AuthError::BadProof));
    }

    #[test]
    fn a_credential_challenge_is_bounded() {
        let s = secret("correct horse battery staple");
        let mut long = message(CREDENTIAL, &[&[0u8; NONCE_LEN]]);
        long.resize(MAX_CREDENTIAL_MESSAGE + 1, b' ');
        assert!(matches!(Answered::challenge(&s, &long, 0), Err(AuthError::Malformed(_))));
        let no_claims = message(CREDENTIAL, &[&[0u8; NONCE_LEN]]);
        assert!(matches!(Answered::challenge(&s, &no_claims, 0), Err(AuthError::Malformed(_))));
    }

    #[test]
    fn malformed_messages_and_weak_secrets_are_errors() {
        let s = secret("correct horse battery staple");
        for bad in [&b""[..], b"NMAU", b"NMAU\x01\x01short", b"XXXX\x01\x01"] {
            assert!(matches!(Answered::challenge(&s, bad, 0), Err(AuthError::Malformed(_))));
        }
        let (_, challenge) = Dialing::start(&s).unwrap();
        let mut other_version = challenge.clone();
        other_version[4] = 9;
        let other = Answered::challenge(&s, &other_version, 0);
        assert!(matches!(other, Err(AuthError::Malformed(_))));
        assert_eq!(Secret::new("short").err(), Some(AuthError::WeakSecret { len: 5 }));
        assert_eq!(format!("{s:?}"), "Secret(..)", "the secret never shows in logs");
    }
}
