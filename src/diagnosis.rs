//! Why no hub answered: one last dial of a candidate after `connect` gave up on it.
//!
//! Owns: turning "nothing answered within the connect timeout" into a cause a person can act on
//! ([`NoHub`]): NNG's error for a dial that fails (refused, a host name that does not resolve, a
//! missing `ipc://` directory, told apart by the address), or a program that accepts
//! connections without being a hub. It
//! must not take part in the election nor keep anything open: the dialer is closed before it
//! returns.

use crate::config::Config;
use crate::error::{NoHub, TransportError};
use crate::link::transport_options;
use crate::nng::Dialer;
use crate::protocol::OpenedAs;
use std::path::Path;
use std::time::Duration;

/// The longest the last dial may take: a refusal or a failed name lookup is much quicker (on a
/// busy machine, not always by much); a host that swallows packets is not worth waiting long
/// for again.
const LAST_DIAL: Duration = Duration::from_secs(2);

/// Dials `address` once as a client of `config` would; `None` when the dial neither failed nor
/// connected within [`LAST_DIAL`] (then nothing more is known).
pub(crate) async fn why_no_hub(config: &Config, address: &str) -> Option<NoHub> {
    let options = transport_options(config, address, OpenedAs::Client);
    let dialer = match Dialer::new(address, &options) {
        Ok(dialer) => dialer,
        Err(error) => return Some(dial_failed(address, error.into())),
    };
    let outcome = tokio::time::timeout(LAST_DIAL, dialer.dial()).await;
    dialer.close();
    match outcome {
        Ok(Ok(stream)) => {
            stream.close();
            Some(NoHub::NotAHub)
        }
        Ok(Err(error)) => Some(dial_failed(address, error.into())),
        Err(_) => None,
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
