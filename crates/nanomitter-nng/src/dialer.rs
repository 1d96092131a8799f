//! The connecting side (`nng_stream_dialer`).
//!
//! Owns [`Dialer`]: a configured remote address and connecting to it as often as asked. It must
//! not touch the streams after handing them out, nor listen. Timeouts and retries are the
//! caller's (wrap [`Dialer::dial`] in `tokio::time::timeout` or the like).
//!
//! A dial whose future is dropped is not canceled but left running, and the next `dial`
//! continues it. NNG's cancellation of dials is not relied on (in NNG 1.11 a dialer whose dial
//! was just canceled crashed the process when it dialed again, and a websocket dialer freed
//! after a canceled dial could wait forever for it). Dials end by completing, or by
//! [`Dialer::close`] or dropping the dialer.

use std::ffi::CString;
use std::ptr::{self, NonNull};

use tokio::sync::Mutex;

use super::error::{check, NngError, Result, EADDRINVAL, EINTERNAL};
use super::options::{apply, Endpoint, TransportOptions};
use super::stream::{Stream, StreamAio};
use super::sys::{self, nng_stream_dialer};

/// Connects to one address: `tcp://`, `ipc://`, `ws://`, `tls+tcp://` or `wss://`.
///
/// Dialing is serialized: concurrent [`dial`](Self::dial) calls run one after the other (use
/// several dialers to connect in parallel).
pub struct Dialer {
    dials: Mutex<StreamAio>,
    /// Declared last: freed after the dial aio above finished.
    raw: RawDialer,
}

/// The `nng_stream_dialer` handle; frees it when dropped.
struct RawDialer(NonNull<nng_stream_dialer>);

// SAFETY: NNG's stream dialer functions (dial, close) are thread-safe.
unsafe impl Send for RawDialer {}
// SAFETY: as above.
unsafe impl Sync for RawDialer {}

impl RawDialer {
    fn as_ptr(&self) -> *mut nng_stream_dialer {
        self.0.as_ptr()
    }
}

impl Drop for RawDialer {
    fn drop(&mut self) {
        // SAFETY: the handle is live and this is its only owner; `Dialer` declares its dial aio
        // before this field, so it was freed (its operation over) first. Connections it made
        // do not depend on it.
        unsafe { sys::nng_stream_dialer_free(self.as_ptr()) }
    }
}

impl Dialer {
    /// Prepares to dial `url`; nothing is connected yet. Fails for a malformed URL, an unknown
    /// scheme or options the transport rejects.
    pub fn new(url: &str, options: &TransportOptions) -> Result<Self> {
        let url = CString::new(url).map_err(|_| NngError::from_code(EADDRINVAL))?;
        check(sys::init())?;
        let mut raw = ptr::null_mut();
        // SAFETY: `raw` is a valid out-pointer and `url` a NUL-terminated string that NNG parses
        // and copies.
        check(unsafe { sys::nng_stream_dialer_alloc(&mut raw, url.as_ptr()) })?;
        let raw = RawDialer(NonNull::new(raw).ok_or(NngError::from_code(EINTERNAL))?);
        // SAFETY: the dialer is live and not yet shared.
        unsafe { apply(Endpoint::Dialer(raw.as_ptr()), options) }?;
        Ok(Self { dials: Mutex::new(StreamAio::new()?), raw })
    }

    /// Connects once. Nobody listening gives [`NngError::is_connection_refused`]. For TLS the
    /// handshake happens on the first reads and writes of the stream, so certificate errors show
    /// there.
    ///
    /// Cancel-safe: a dropped `dial` leaves NNG's dial running, and the next call continues it
    /// (returning its connection or its error). After [`close`](Self::close) it fails with
    /// [`NngError::is_closed`].
    pub async fn dial(&self) -> Result<Stream> {
        let raw = &self.raw;
        let mut dials = self.dials.lock().await;
        dials
            .next(|aio| {
                // SAFETY: the dialer is live while `self` is borrowed (and freed only after the
                // dial aio), and `aio` is the idle aio `next` hands out.
                unsafe { sys::nng_stream_dialer_dial(raw.as_ptr(), aio) };
                Ok(())
            })
            .await
    }

    /// Stops dialing: a running and every later [`dial`](Self::dial) fails with
    /// [`NngError::is_closed`].
    pub fn close(&self) {
        // SAFETY: the dialer is live; closing is thread-safe and may be repeated.
        unsafe { sys::nng_stream_dialer_close(self.raw.as_ptr()) }
    }
}

impl Drop for Dialer {
    fn drop(&mut self) {
        // End a dial left running by a dropped `dial`: freeing the dial aio (right after this)
        // waits for it to complete.
        self.close();
    }
}

impl std::fmt::Debug for Dialer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialer").field("raw", &self.raw.0).finish_non_exhaustive()
    }
}
