//! The C interface of the vendored NNG 2.0 (`vendor/nng/include/nng/nng.h`) that this crate uses,
//! declared by hand.
//!
//! Owns the declarations of the NNG functions, types and constants the other modules call, and
//! [`init`], which initializes the library once per process. It must not wrap anything in safe
//! code: that is what the other modules do, each `unsafe` call there stating its invariant.
//!
//! Only what the crate uses is declared, each exactly as in `nng.h` (NNG 2.0.0); `build.rs` links
//! the library these names resolve to. NNG's `nng_err` is a C enum, passed and returned as an
//! `int`.

#![allow(non_camel_case_types)] // The C names, as in nng.h.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::sync::OnceLock;

/// `nng_err`: 0 for success, else an `NNG_E*` code.
pub(super) type NngErr = c_int;

/// Declares opaque C types, used only behind pointers.
macro_rules! opaque {
    ($($name:ident),*) => {
        $(
            #[repr(C)]
            pub(super) struct $name {
                _private: [u8; 0],
                // Neither `Send`, `Sync` nor `Unpin`: NNG owns these objects.
                _marker: std::marker::PhantomData<(*mut u8, std::marker::PhantomPinned)>,
            }
        )*
    };
}
opaque!(nng_aio, nng_stream, nng_stream_dialer, nng_stream_listener, nng_tls_config);

/// `nng_iov`: one scatter/gather buffer of an aio.
#[repr(C)]
pub(super) struct nng_iov {
    pub(super) iov_buf: *mut c_void,
    pub(super) iov_len: usize,
}

// The error codes (`enum nng_errno_enum`) the crate names.
pub(super) const NNG_EINVAL: c_int = 3;
pub(super) const NNG_ETIMEDOUT: c_int = 5;
pub(super) const NNG_ECONNREFUSED: c_int = 6;
pub(super) const NNG_ECLOSED: c_int = 7;
pub(super) const NNG_ENOTSUP: c_int = 9;
pub(super) const NNG_EADDRINUSE: c_int = 10;
pub(super) const NNG_EADDRINVAL: c_int = 15;
pub(super) const NNG_ECONNABORTED: c_int = 18;
pub(super) const NNG_ECONNRESET: c_int = 19;
pub(super) const NNG_ECANCELED: c_int = 20;
pub(super) const NNG_ENOFILES: c_int = 21;
pub(super) const NNG_ENOMEM: c_int = 2;
pub(super) const NNG_ECRYPTO: c_int = 26;
pub(super) const NNG_EPEERAUTH: c_int = 27;
pub(super) const NNG_ECONNSHUT: c_int = 31;
pub(super) const NNG_ESTOPPED: c_int = 999;
pub(super) const NNG_EINTERNAL: c_int = 1000;
pub(super) const NNG_ESYSERR: c_int = 0x1000_0000;
pub(super) const NNG_ETRANERR: c_int = 0x2000_0000;

// Option names, NUL-terminated.
pub(super) const NNG_OPT_TCP_NODELAY: &[u8] = b"tcp-nodelay\0";
pub(super) const NNG_OPT_WS_RECVMAXFRAME: &[u8] = b"ws:rxframe-max\0";
pub(super) const NNG_OPT_BOUND_PORT: &[u8] = b"bound-port\0";
/// The prefix of a websocket stream's HTTP header option; the header's name follows it.
pub(super) const NNG_OPT_WS_HEADER: &str = "ws:header:";

// `nng_tls_auth_mode`.
pub(super) const NNG_TLS_AUTH_MODE_NONE: c_int = 0;
pub(super) const NNG_TLS_AUTH_MODE_REQUIRED: c_int = 2;

extern "C" {
    pub(super) fn nng_init(params: *const c_void) -> NngErr;
    pub(super) fn nng_strerror(err: NngErr) -> *const c_char;

    pub(super) fn nng_aio_alloc(
        aiop: *mut *mut nng_aio,
        callback: Option<extern "C" fn(*mut c_void)>,
        arg: *mut c_void,
    ) -> NngErr;
    pub(super) fn nng_aio_free(aio: *mut nng_aio);
    pub(super) fn nng_aio_wait(aio: *mut nng_aio);
    pub(super) fn nng_aio_result(aio: *mut nng_aio) -> NngErr;
    pub(super) fn nng_aio_count(aio: *mut nng_aio) -> usize;
    pub(super) fn nng_aio_get_output(aio: *mut nng_aio, index: c_uint) -> *mut c_void;
    pub(super) fn nng_aio_set_iov(aio: *mut nng_aio, niov: c_uint, iov: *const nng_iov) -> NngErr;
    #[cfg(test)]
    pub(super) fn nng_sleep_aio(ms: i32, aio: *mut nng_aio);

    pub(super) fn nng_stream_free(stream: *mut nng_stream);
    pub(super) fn nng_stream_close(stream: *mut nng_stream);
    pub(super) fn nng_stream_send(stream: *mut nng_stream, aio: *mut nng_aio);
    pub(super) fn nng_stream_recv(stream: *mut nng_stream, aio: *mut nng_aio);
    pub(super) fn nng_stream_get_string(
        stream: *mut nng_stream,
        name: *const c_char,
        value: *mut *const c_char,
    ) -> NngErr;
    /// The peer's address, an `nng_sockaddr` NNG keeps with the connection (opaque here: only
    /// [`nng_str_sockaddr`] reads it).
    pub(super) fn nng_stream_peer_addr(stream: *mut nng_stream) -> *const c_void;
    pub(super) fn nng_str_sockaddr(
        address: *const c_void,
        buf: *mut c_char,
        size: usize,
    ) -> *const c_char;

    pub(super) fn nng_stream_dialer_alloc(
        dialerp: *mut *mut nng_stream_dialer,
        url: *const c_char,
    ) -> NngErr;
    pub(super) fn nng_stream_dialer_free(dialer: *mut nng_stream_dialer);
    pub(super) fn nng_stream_dialer_close(dialer: *mut nng_stream_dialer);
    pub(super) fn nng_stream_dialer_dial(dialer: *mut nng_stream_dialer, aio: *mut nng_aio);
    pub(super) fn nng_stream_dialer_set_bool(
        dialer: *mut nng_stream_dialer,
        name: *const c_char,
        value: bool,
    ) -> NngErr;
    pub(super) fn nng_stream_dialer_set_size(
        dialer: *mut nng_stream_dialer,
        name: *const c_char,
        value: usize,
    ) -> NngErr;
    pub(super) fn nng_stream_dialer_get_tls(
        dialer: *mut nng_stream_dialer,
        configp: *mut *mut nng_tls_config,
    ) -> NngErr;

    pub(super) fn nng_stream_listener_alloc(
        listenerp: *mut *mut nng_stream_listener,
        url: *const c_char,
    ) -> NngErr;
    pub(super) fn nng_stream_listener_free(listener: *mut nng_stream_listener);
    pub(super) fn nng_stream_listener_close(listener: *mut nng_stream_listener);
    pub(super) fn nng_stream_listener_listen(listener: *mut nng_stream_listener) -> NngErr;
    pub(super) fn nng_stream_listener_accept(listener: *mut nng_stream_listener, aio: *mut nng_aio);
    pub(super) fn nng_stream_listener_get_int(
        listener: *mut nng_stream_listener,
        name: *const c_char,
        value: *mut c_int,
    ) -> NngErr;
    pub(super) fn nng_stream_listener_set_bool(
        listener: *mut nng_stream_listener,
        name: *const c_char,
        value: bool,
    ) -> NngErr;
    pub(super) fn nng_stream_listener_set_size(
        listener: *mut nng_stream_listener,
        name: *const c_char,
        value: usize,
    ) -> NngErr;
    pub(super) fn nng_stream_listener_get_tls(
        listener: *mut nng_stream_listener,
        configp: *mut *mut nng_tls_config,
    ) -> NngErr;

    pub(super) fn nng_tls_config_server_name(
        config: *mut nng_tls_config,
        name: *const c_char,
    ) -> c_int;
    pub(super) fn nng_tls_config_auth_mode(config: *mut nng_tls_config, mode: c_int) -> c_int;
    pub(super) fn nng_tls_config_ca_file(config: *mut nng_tls_config, path: *const c_char)
        -> c_int;
    pub(super) fn nng_tls_config_cert_key_file(
        config: *mut nng_tls_config,
        path: *const c_char,
        password: *const c_char,
    ) -> c_int;
}

/// Initializes NNG once per process (NNG 2.0 needs `nng_init` before anything else) and returns
/// its result; later calls return the first result. NNG is never finalized: its threads serve the
/// process until it exits.
pub(super) fn init() -> NngErr {
    static INIT: OnceLock<NngErr> = OnceLock::new();
    // SAFETY: `nng_init` with null parameters takes NNG's defaults; it is safe to call from any
    // thread, and NNG counts the calls (another library in the process may have made one).
    *INIT.get_or_init(|| unsafe { nng_init(std::ptr::null()) })
}
