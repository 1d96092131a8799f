//! The accepting side (`nng_stream_listener`).
//!
//! Owns [`Listener`]: binding an address, accepting connections as [`Stream`]s, reporting the
//! bound tcp port, closing. It must not touch the accepted streams after handing them out, nor
//! dial.

use std::ffi::{c_int, CString};
use std::ptr::{self, NonNull};
use std::sync::PoisonError;

use tokio::sync::Mutex;

use super::error::{check, NngError, Result, EADDRINVAL, EINTERNAL};
use super::options::{apply, Endpoint, TransportOptions};
use super::stream::{Stream, StreamAio};
use super::sys::{self, nng_stream_listener};

/// Held while a listener is bound (see [`Listener::bind`]). Holds nothing: a poisoned lock is
/// taken as is.
static BINDING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A bound address accepting byte-stream connections: `tcp://`, `ipc://`, `ws://`, `tls+tcp://`
/// or `wss://`.
///
/// Accepting is serialized: concurrent [`accept`](Self::accept) calls are served one at a time.
/// Dropping the listener unbinds it (connections accepted already stay open).
pub struct Listener {
    accepts: Mutex<StreamAio>,
    /// Declared last: freed after the accept aio above finished.
    raw: RawListener,
}

/// The `nng_stream_listener` handle; frees it when dropped.
struct RawListener(NonNull<nng_stream_listener>);

// SAFETY: NNG's stream listener functions (accept, close, option getters) are thread-safe.
unsafe impl Send for RawListener {}
// SAFETY: as above.
unsafe impl Sync for RawListener {}

impl RawListener {
    fn as_ptr(&self) -> *mut nng_stream_listener {
        self.0.as_ptr()
    }
}

impl Drop for RawListener {
    fn drop(&mut self) {
        // SAFETY: the handle is live and this is its only owner; `Listener` declares its accept
        // aio before this field, so it was freed (its operation over) first.
        unsafe { sys::nng_stream_listener_free(self.as_ptr()) }
    }
}

impl Listener {
    /// Binds `url` and starts listening.
    ///
    /// An address someone already listens on fails with [`NngError::is_addr_in_use`] (for ipc
    /// too: NNG takes over a socket file only if nobody answers on it). A tcp or ws URL with port
    /// 0 binds a free port; see [`bound_port`](Self::bound_port).
    pub fn bind(url: &str, options: &TransportOptions) -> Result<Self> {
        let url = CString::new(url).map_err(|_| NngError::from_code(EADDRINVAL))?;
        check(sys::init())?;
        // One bind at a time, from allocating to listening (or to freeing a listener that failed
        // to listen: it is declared after the guard, so dropped before it). NNG shares one HTTP
        // server between websocket listeners on the same host and port, and finds a server for
        // port 0 by that 0 until the server is listening and knows its port: two `ws://` or
        // `wss://` binds to port 0 at once could otherwise share a port, and the second then
        // fails on the first's TLS configuration ("Resource busy").
        let _one_bind = BINDING.lock().unwrap_or_else(PoisonError::into_inner);
        let mut raw = ptr::null_mut();
        // SAFETY: `raw` is a valid out-pointer and `url` a NUL-terminated string that NNG parses
        // and copies.
        check(unsafe { sys::nng_stream_listener_alloc(&mut raw, url.as_ptr()) })?;
        let raw = RawListener(NonNull::new(raw).ok_or(NngError::from_code(EINTERNAL))?);
        // SAFETY: the listener is live and not yet shared.
        unsafe { apply(Endpoint::Listener(raw.as_ptr()), options) }?;
        // SAFETY: as above.
        check(unsafe { sys::nng_stream_listener_listen(raw.as_ptr()) })?;
        Ok(Self { accepts: Mutex::new(StreamAio::new()?), raw })
    }

    /// Waits for the next connection. For TLS the handshake happens on the first read or write of
    /// the stream, so a peer failing it does not fail `accept`.
    ///
    /// Cancel-safe: a dropped `accept` leaves NNG's accept running, and the next call continues
    /// it. After [`close`](Self::close) it fails with [`NngError::is_closed`].
    pub async fn accept(&self) -> Result<Stream> {
        let raw = &self.raw;
        let mut accepts = self.accepts.lock().await;
        accepts
            .next(|aio| {
                // SAFETY: the listener is live while `self` is borrowed (and freed only after the
                // accept aio), and `aio` is the idle aio `next` hands out.
                unsafe { sys::nng_stream_listener_accept(raw.as_ptr(), aio) };
                Ok(())
            })
            .await
    }

    /// The tcp port this listener is bound to (tcp, ws, tls+tcp and wss), for URLs with port 0.
    pub fn bound_port(&self) -> Result<u16> {
        let mut port: c_int = 0;
        // SAFETY: the listener is live and `port` a valid out-pointer; the option name from the
        // bindings is NUL-terminated.
        check(unsafe {
            sys::nng_stream_listener_get_int(
                self.raw.as_ptr(),
                sys::NNG_OPT_BOUND_PORT.as_ptr().cast(),
                &mut port,
            )
        })?;
        u16::try_from(port).map_err(|_| NngError::from_code(EINTERNAL))
    }

    /// Stops listening: a pending and every later [`accept`](Self::accept) fails with
    /// [`NngError::is_closed`], and the address is released.
    pub fn close(&self) {
        // SAFETY: the listener is live; closing is thread-safe and may be repeated.
        unsafe { sys::nng_stream_listener_close(self.raw.as_ptr()) }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // End an accept left running by a dropped `accept`: freeing the accept aio (right after
        // this) waits for it to complete.
        self.close();
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").field("raw", &self.raw.0).finish_non_exhaustive()
    }
}
