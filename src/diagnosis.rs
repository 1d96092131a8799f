//! Why no hub answered: one last dial of a candidate after `connect` gave up on it.
//!
//! Owns: turning "nothing answered within the connect timeout" into a cause a person can act on
//! ([`NoHub`]): NNG's error for a dial that fails (refused, a host name that does not resolve, a
//! missing `ipc://` directory, told apart by the address), or, when something accepts the
//! connection, why this node refuses it as its hub (the hub's preamble and, with a secret, its
//! proof, through the link's own opening of a connection: another wire version, a secret on one
//! side only, another secret, not a hub at all). It must not take part in the election nor keep
//! anything open: the dialer and the connection are closed before it returns, and a hub that
//! answers sees a connection go away before its first frame.

use crate::config::Config;
use crate::error::{NoHub, TransportError};
use crate::link::{hub_answers, transport_options, OpeningError};
use crate::nng::Dialer;
use crate::protocol::OpenedAs;
use std::path::Path;
use std::time::Duration;
use tokio::time::{timeout_at, Instant};

/// The longest the last dial, and the opening of the connection it makes, may take: a refusal
/// or a failed name lookup is much quicker (on a busy machine, not always by much), and so is a
/// hub's preamble and proof; a host that swallows packets is not worth waiting long for again.
const LAST_DIAL: Duration = Duration::from_secs(2);

/// Dials `address` once as a client of `config` would and opens the connection as it would;
/// `None` when the dial neither failed nor connected within [`LAST_DIAL`], or when a hub
/// answered this time (then nothing more is known).
pub(crate) async fn why_no_hub(config: &Config, address: &str) -> Option<NoHub> {
    let options = transport_options(config, address, OpenedAs::Client);
    let dialer = match Dialer::new(address, &options) {
        Ok(dialer) => dialer,
        Err(error) => return Some(dial_failed(address, error.into())),
    };
    let deadline = Instant::now() + LAST_DIAL;
    let dialed = timeout_at(deadline, dialer.dial()).await;
    dialer.close();
    let stream = match dialed {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => return Some(dial_failed(address, error.into())),
        Err(_) => return None,
    };
    let opened = timeout_at(deadline, hub_answers(&stream, config.proof().as_ref())).await;
    stream.close();
    match opened {
        Ok(Ok(())) => None,
        Ok(Err(OpeningError::Refused(why))) => Some(why),
        // It closed the connection, said what no hub says, or stayed silent (a dialer's opening
        // has no member to refuse).
        Ok(Err(OpeningError::Failed(_) | OpeningError::MemberRefused(_))) | Err(_) => {
            Some(NoHub::NotAHub)
        }
    }
}

/// What a failed dial of `address` means, as far as the address tells.
fn dial_failed(address: &str, error: TransportError) -> NoHub {
    match address.strip_prefix("ipc://") {
        Some(path) if Path::new(path).parent().is_some_and(|dir| !dir.is_dir()) => {
            NoHub::NoIpcDirectory(error)
        }
        None if error.is_address_invalid() => NoHub::UnknownHost(error),
        _ => NoHub::DialFailed(error),
    }
}
