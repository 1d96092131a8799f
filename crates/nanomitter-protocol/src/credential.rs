//! Scoped credentials: what a holder of the cluster secret hands to a member it does not trust
//! with the secret itself (a web page, say), signed with the secret and checked by the hub with
//! no state of its own.
//!
//! Owns: the claims (a name, the topics its holder may publish and listen to, when it expires),
//! their bytes, the key derived from them, the token that carries both, and what the claims let
//! a frame carry ([`Claims::may_send`], [`Claims::receivable`]). It must not touch connections:
//! the handshake (`auth`) proves the key, the hub's link applies the claims to every frame of a
//! scoped member's connection.
//!
//! A credential's *claims* are a small JSON object,
//! `{"v":1,"name":"alice","publish":["chat.>"],"listen":["chat.>"],"expires":1767225600}`; its
//! *key* is `H(S, "nanomitter/1 credential" | claims bytes)` with `S` the cluster secret and `H`
//! HMAC-SHA-256. The token handed to its holder is `base64url(claims) "." base64url(key)`, both
//! without padding. The holder sends the claims (never the key) when it opens a connection and
//! proves the key as a full member proves the secret: the hub derives the key again from the
//! claims it got, so claims changed by one byte give another key, and claims without their key
//! cannot finish the handshake.

use crate::auth::Secret;
use crate::routing::keep_only;
use crate::topic;
use crate::wire::{self, Frame};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The label of a credential's key.
const KEY_LABEL: &[u8] = b"nanomitter/1 credential";
/// The version of the claims this crate writes and reads (their `v` field).
pub const CLAIMS_VERSION: u8 = 1;
/// The most bytes a credential's claims may have: with the handshake message's header and the
/// dialer's nonce, the message that carries them stays within 4 KiB (`docs/wire.md` §1).
pub const MAX_CLAIMS_LEN: usize = 4096 - 6 - 32;
/// The longest name a credential carries, in bytes (it is for logs and the authorization hook).
pub const MAX_NAME_LEN: usize = 128;
/// Length of a credential's key (a whole HMAC-SHA-256).
const KEY_LEN: usize = 32;

/// What a credential allows its holder, as its issuer wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The version of the claims' format: [`CLAIMS_VERSION`]. A hub refuses any other, so a
    /// field added later is never silently ignored.
    pub v: u8,
    /// Who the holder is, for logs and the authorization hook (at most [`MAX_NAME_LEN`] bytes,
    /// not empty). The hub does not make it unique.
    pub name: String,
    /// The patterns of the topics its holder may emit on: an event whose topic none of them
    /// matches is refused by the hub.
    pub publish: Vec<String>,
    /// The patterns of the topics its holder may receive: the hub relays to it only the events
    /// whose topic one of them matches, whatever it listens to.
    pub listen: Vec<String>,
    /// When the credential stops being valid, in seconds since the Unix epoch: a hub refuses it
    /// from then on, and ends a connection opened with it.
    pub expires: u64,
}

impl Claims {
    /// Claims of the current version for `name`, valid until `expires` (Unix seconds).
    pub fn new(
        name: impl Into<String>,
        publish: impl IntoIterator<Item = impl Into<String>>,
        listen: impl IntoIterator<Item = impl Into<String>>,
        expires: u64,
    ) -> Claims {
        Claims {
            v: CLAIMS_VERSION,
            name: name.into(),
            publish: publish.into_iter().map(Into::into).collect(),
            listen: listen.into_iter().map(Into::into).collect(),
            expires,
        }
    }

    /// Whether an event on `topic` is one its holder may emit.
    pub fn may_publish(&self, topic: &str) -> bool {
        self.publish.iter().any(|pattern| topic::matches(pattern, topic))
    }

    /// Whether an event on `topic` is one its holder may receive.
    pub fn may_receive(&self, topic: &str) -> bool {
        self.listen.iter().any(|pattern| topic::matches(pattern, topic))
    }

    /// Whether its holder may send `frame`: an events frame only when every event in it is on a
    /// topic it may publish; every other frame (the hub checks elsewhere that it speaks only for
    /// its sender).
    pub fn may_send(&self, frame: &Frame) -> bool {
        match frame {
            Frame::Events(events) => {
                events.events.iter().all(|event| self.may_publish(event.topic))
            }
            _ => true,
        }
    }

    /// The frame `frame` as its holder may receive it, with the number of events left out: an
    /// events frame cut to the events on topics it may receive (over the same range of sequence
    /// numbers, so it sees no gap), any other frame as it is. `None` for an events frame that
    /// does not decode: it is not sent at all rather than sent unread.
    pub fn receivable(&self, frame: &Bytes) -> Option<(Bytes, u64)> {
        if !wire::is_events(frame) {
            return Some((frame.clone(), 0));
        }
        match wire::decode(frame.clone()) {
            Ok(Frame::Events(events)) => Some(keep_only(frame, &events, |t| self.may_receive(t))),
            _ => None,
        }
    }

    /// Checks the claims' shape: the version, the name, every pattern.
    fn check(&self) -> Result<(), CredentialError> {
        if self.v != CLAIMS_VERSION {
            return Err(CredentialError::Invalid("another version of the claims".into()));
        }
        if self.name.is_empty() || self.name.len() > MAX_NAME_LEN {
            return Err(CredentialError::Invalid(format!(
                "the name must have 1 to {MAX_NAME_LEN} bytes"
            )));
        }
        for pattern in self.publish.iter().chain(&self.listen) {
            topic::check(pattern, true).map_err(|e| CredentialError::Invalid(e.to_string()))?;
        }
        Ok(())
    }

    /// Checks the claims and writes their bytes, which must fit [`MAX_CLAIMS_LEN`].
    fn encode(&self) -> Result<Vec<u8>, CredentialError> {
        self.check()?;
        let bytes =
            serde_json::to_vec(self).map_err(|e| CredentialError::Invalid(e.to_string()))?;
        if bytes.len() > MAX_CLAIMS_LEN {
            return Err(CredentialError::Invalid(format!(
                "the claims have {} bytes, more than {MAX_CLAIMS_LEN}",
                bytes.len()
            )));
        }
        Ok(bytes)
    }

    /// Reads claims from their bytes and checks them (not their expiry).
    fn decode(bytes: &[u8]) -> Result<Claims, CredentialError> {
        if bytes.len() > MAX_CLAIMS_LEN {
            return Err(CredentialError::Invalid("the claims are too long".into()));
        }
        let claims: Claims = serde_json::from_slice(bytes)
            .map_err(|e| CredentialError::Invalid(format!("the claims do not read: {e}")))?;
        claims.check()?;
        Ok(claims)
    }
}

/// Why a credential is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialError {
    /// Its claims expired (at this many seconds since the Unix epoch).
    Expired(
        /// The claims' `expires`.
        u64,
    ),
    /// It is not a credential: a token or claims that do not read, of another version, with a
    /// pattern the grammar refuses or too long; or claims that were not signed with this
    /// cluster's secret (the handshake's proofs do not check out).
    Invalid(
        /// What is wrong, for a person.
        String,
    ),
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialError::Expired(at) => write!(f, "the credential expired (at {at} s)"),
            CredentialError::Invalid(why) => write!(f, "not a valid credential: {why}"),
        }
    }
}

impl std::error::Error for CredentialError {}

/// A credential as its holder has it: the claims, their bytes as signed, and their key.
#[derive(Clone)]
pub struct Credential {
    /// What it allows, read from `bytes`.
    claims: Claims,
    /// The claims' bytes exactly as the issuer signed them: what the holder sends, and what the
    /// hub derives the key from (a re-encoding could differ by one byte and give another key).
    bytes: Vec<u8>,
    /// The key derived from the claims with the cluster secret: what the holder proves in the
    /// handshake. Never sent, and hidden from `Debug`.
    key: Secret,
}

impl Credential {
    /// Issues a credential for `claims`, signed with the cluster secret.
    pub fn mint(secret: &Secret, claims: &Claims) -> Result<Credential, CredentialError> {
        let bytes = claims.encode()?;
        let key = derive_key(secret, &bytes);
        Ok(Credential { claims: claims.clone(), bytes, key })
    }

    /// Reads a token (`base64url(claims) "." base64url(key)`). Its holder cannot tell whether
    /// the key is the claims' own: only the hub can, in the handshake.
    pub fn from_token(token: &str) -> Result<Credential, CredentialError> {
        let invalid = |why: &str| CredentialError::Invalid(why.to_owned());
        let (claims, key) =
            token.trim().split_once('.').ok_or_else(|| invalid("a token has two parts"))?;
        let bytes = URL_SAFE_NO_PAD.decode(claims).map_err(|_| invalid("the claims' base64"))?;
        let key = URL_SAFE_NO_PAD.decode(key).map_err(|_| invalid("the key's base64"))?;
        if key.len() != KEY_LEN {
            return Err(invalid("a key has 32 bytes"));
        }
        let claims = Claims::decode(&bytes)?;
        let key = Secret::new(key).map_err(|e| CredentialError::Invalid(e.to_string()))?;
        Ok(Credential { claims, bytes, key })
    }

    /// The token to hand to the holder.
    pub fn token(&self) -> String {
        let (claims, key) =
            (URL_SAFE_NO_PAD.encode(&self.bytes), URL_SAFE_NO_PAD.encode(self.key.bytes()));
        format!("{claims}.{key}")
    }

    /// What it allows.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The claims' bytes, as sent in the handshake.
    pub fn claims_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key the handshake proves in place of the cluster secret.
    pub fn key(&self) -> &Secret {
        &self.key
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential").field("claims", &self.claims).finish_non_exhaustive()
    }
}

/// On the hub: the claims a dialer sent, checked and not expired at `now_unix` (seconds since
/// the Unix epoch), with the key their holder must prove.
pub fn verify(
    secret: &Secret,
    bytes: &[u8],
    now_unix: u64,
) -> Result<(Claims, Secret), CredentialError> {
    let claims = Claims::decode(bytes)?;
    if claims.expires <= now_unix {
        return Err(CredentialError::Expired(claims.expires));
    }
    Ok((claims, derive_key(secret, bytes)))
}

/// The key of claims' bytes under the cluster secret.
fn derive_key(secret: &Secret, bytes: &[u8]) -> Secret {
    Secret::derived(secret.mac_of(&[KEY_LABEL, bytes]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new("the cluster secret, for tests").unwrap()
    }

    fn alice(expires: u64) -> Claims {
        Claims::new("alice", ["chat.>"], ["stockprice.>", "chat.>"], expires)
    }

    #[test]
    fn a_token_carries_the_claims_and_the_key_the_hub_derives_again() {
        let credential = Credential::mint(&secret(), &alice(2_000)).unwrap();
        let read = Credential::from_token(&credential.token()).unwrap();
        assert_eq!(read.claims(), &alice(2_000));
        let (claims, key) = verify(&secret(), read.claims_bytes(), 1_000).unwrap();
        assert_eq!(claims, alice(2_000));
        assert_eq!(key.bytes(), read.key().bytes());
        assert!(claims.may_publish("chat.room") && !claims.may_publish("stockprice.x"));
        assert!(claims.may_receive("stockprice.x") && !claims.may_receive("secret.x"));
        assert!(!format!("{read:?}").contains("key"), "the key never shows in logs");
    }

    #[test]
    fn tampered_claims_give_another_key_and_expired_ones_are_refused() {
        let credential = Credential::mint(&secret(), &alice(2_000)).unwrap();
        let tampered = String::from_utf8(credential.claims_bytes().to_vec())
            .unwrap()
            .replace("alice", "mallory");
        let (_, key) = verify(&secret(), tampered.as_bytes(), 1_000).unwrap();
        assert_ne!(key.bytes(), credential.key().bytes());
        assert_eq!(
            verify(&secret(), credential.claims_bytes(), 2_000).err(),
            Some(CredentialError::Expired(2_000))
        );
    }

    #[test]
    fn malformed_tokens_and_claims_are_invalid() {
        let good = Credential::mint(&secret(), &alice(2_000)).unwrap().token();
        let (claims, _) = good.split_once('.').unwrap();
        for token in ["", "abc", "a.b", &format!("{claims}.AAAA"), &format!("{claims}!.{claims}")] {
            assert!(matches!(Credential::from_token(token), Err(CredentialError::Invalid(_))));
        }
        let mut bad = alice(2_000);
        bad.publish.push("chat..x".into());
        assert!(Credential::mint(&secret(), &bad).is_err(), "a pattern the grammar refuses");
        bad = alice(2_000);
        bad.v = 2;
        assert!(Credential::mint(&secret(), &bad).is_err(), "another version");
        bad = alice(2_000);
        bad.listen = vec!["a.b".into(); 800];
        assert!(Credential::mint(&secret(), &bad).is_err(), "too long");
        for claims in [
            &b"not json"[..],
            b"{}",
            br#"{"v":1,"name":"a","publish":[],"listen":[],"expires":9,"admin":true}"#,
        ] {
            assert!(matches!(verify(&secret(), claims, 1), Err(CredentialError::Invalid(_))));
        }
    }

    #[test]
    fn any_bytes_verify_or_not_without_panicking() {
        bolero::check!().with_type::<Vec<u8>>().for_each(|bytes| {
            let _ = verify(&secret(), bytes, 1);
            let _ = Credential::from_token(&String::from_utf8_lossy(bytes));
        });
    }
}
