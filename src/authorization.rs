//! The hub's authorization hook: what an application decides about a scoped member beyond its
//! credential (refuse it, or let it receive less), given what the member presented.
//!
//! Owns: the hook's request and answer, and the scope a member ends up with (its credential's
//! claims, narrowed by the hook's answer): what it may send and receive on its connection. It
//! must not touch connections: the link asks the hook when a scoped member opens one, and
//! enforces the scope on every frame.

use crate::credential::Claims;
use bytes::Bytes;
use nanomitter_protocol::wire::Frame;
use std::fmt;
use std::sync::Arc;

/// What the hub knows of a scoped member when it asks the hook: its credential's claims (they
/// read, and have not expired; the member proves their key right after the hook answers), its
/// address, and the browser `Origin` of its websocket connection, if it sent one.
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthorizationRequest<'a> {
    /// The credential's claims, as its issuer signed them.
    pub claims: &'a Claims,
    /// The member's address as the transport prints it (`127.0.0.1:40123`); `None` when it has
    /// none.
    pub address: Option<&'a str>,
    /// The `Origin` header of a websocket connection (a browser's page); `None` on other
    /// transports and from clients that send none.
    pub origin: Option<&'a str>,
}

/// The hook's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// The member may do what its credential allows.
    Allow,
    /// The member may receive only the events on a topic both its credential's `listen`
    /// patterns and these match. What it may publish is not narrowed here: its client checks
    /// its emits against the credential it holds, and could not know of a narrower rule, so an
    /// event it believes allowed would get it cut off; refuse it, or mint it a narrower
    /// credential, instead.
    Narrow {
        /// Patterns of the topics it may receive, within its credential's.
        listen: Vec<String>,
    },
    /// The member is refused, with these words (at most 128 bytes reach it): `connect` fails
    /// there with `NoHub::NotAuthorized`, in JavaScript with reason `not-authorized`.
    Refuse(String),
}

/// The hook, shared by every connection of the hub.
#[derive(Clone)]
pub(crate) struct Authorizer(
    /// The application's function.
    pub(crate) Arc<dyn Fn(&AuthorizationRequest<'_>) -> Authorization + Send + Sync>,
);

impl fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authorizer(..)")
    }
}

/// What a scoped member may do on its connection: its credential's claims, and the hook's
/// narrower ones if it narrowed what it receives.
#[derive(Debug)]
pub(crate) struct Scope {
    /// The credential's claims: who the member is, when it expires, what it may do at most.
    pub(crate) credential: Claims,
    /// The hook's narrower claims, which an event sent to the member must pass too; `None`
    /// when it allowed the credential as it is.
    pub(crate) narrowed: Option<Claims>,
}

impl Scope {
    /// The claims that all must allow a frame toward the member.
    fn layers(&self) -> impl Iterator<Item = &Claims> {
        std::iter::once(&self.credential).chain(&self.narrowed)
    }

    /// Whether the member may send `frame`: its credential says (the hook narrows only what
    /// it receives).
    pub(crate) fn may_send(&self, frame: &Frame) -> bool {
        self.credential.may_send(frame)
    }

    /// `frame` cut to what the member may receive (each layer cuts what the one before left);
    /// `None` when it must not be sent at all.
    pub(crate) fn receivable(&self, frame: &Bytes) -> Option<Bytes> {
        let mut frame = frame.clone();
        for claims in self.layers() {
            frame = claims.receivable(&frame)?.0;
        }
        Some(frame)
    }

    /// The hook's answer applied to the credential's claims: the member's scope, or the words
    /// it is refused with.
    pub(crate) fn authorized(credential: Claims, answer: Authorization) -> Result<Scope, String> {
        match answer {
            Authorization::Allow => Ok(Scope { credential, narrowed: None }),
            Authorization::Narrow { listen } => {
                if let Some(invalid) = listen
                    .iter()
                    .find_map(|pattern| nanomitter_protocol::topic::check(pattern, true).err())
                {
                    return Err(format!("the authorization hook narrowed to an {invalid}"));
                }
                let narrowed = Claims { listen, ..credential.clone() };
                Ok(Scope { credential, narrowed: Some(narrowed) })
            }
            Authorization::Refuse(why) => Err(why),
        }
    }
}
