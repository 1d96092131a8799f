//! Whether a hub can be had at a more preferred candidate: asked by a node linked on a later
//! one, which moves back when the answer is yes.
//!
//! Owns: the probe (bind the candidate and let it go at once, or dial it and open a connection
//! as a client would). It must not decide to move: the core does, with the answer.

use super::opening::hub_answers;
use super::{bind_if_free, transport_options};
use crate::config::Config;
use crate::nng::Dialer;
use crate::protocol::OpenedAs;

/// Checks whether a hub could be had at `address`: this node can bind it (it is free and this
/// machine's), or a hub there answers a dial (and, with a secret, proves it) within `timeout`.
/// Calls `answer` with the result. Used by a hub on a less preferred candidate.
pub(crate) fn probe(config: &Config, address: String, answer: impl FnOnce(bool) + 'static) {
    let bind_options = transport_options(config, &address, OpenedAs::Hub);
    let options = transport_options(config, &address, OpenedAs::Client);
    let (proof, timeout) = (config.proof(), config.core.election_timeout);
    actix::spawn(async move {
        // Free: this node can have it. Taken: whoever holds it must answer as a hub.
        if let Ok(Some(listener)) = bind_if_free(&address, &bind_options) {
            listener.close();
            return answer(true);
        }
        let live = async {
            let dialer = Dialer::new(&address, &options).ok()?;
            let stream = dialer.dial().await.ok()?;
            let opened = hub_answers(&stream, proof.as_ref()).await;
            stream.close();
            opened.ok()
        };
        answer(tokio::time::timeout(timeout, live).await.ok().flatten().is_some());
    });
}
