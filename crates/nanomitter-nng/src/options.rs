//! How a listener or dialer is configured.
//!
//! Owns [`TransportOptions`] and [`TlsSettings`] and their translation into NNG options on a
//! stream listener or dialer. It must not create, start or free listeners and dialers: their
//! owners call [`apply`] between allocating and starting them.
//!
//! TLS is configured on the `nng_tls_config` that NNG 2.0 allocates with each TLS listener and
//! dialer (`nng_stream_*_get_tls`), before it is first used: that keeps what NNG set up itself,
//! such as a dialer's server name taken from its URL.

use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::ptr;

use super::error::{check, NngError, Result, EINTERNAL, EINVAL, ENOTSUP};
use super::sys::{self, nng_stream_dialer, nng_stream_listener, nng_tls_config};

/// Settings for a listener or dialer. `Default` keeps NNG's defaults and no TLS.
///
/// Byte streams carry no messages, so there is no receive size limit here: bounding frames is the
/// framing layer's job. Only websocket buffers whole frames inside NNG, hence
/// [`ws_recv_max_frame`](Self::ws_recv_max_frame).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransportOptions {
    /// `TCP_NODELAY` on tcp-based transports (tcp, tls+tcp, ws, wss). `None` keeps NNG's
    /// default. Ignored by transports without it.
    pub tcp_nodelay: Option<bool>,
    /// The largest websocket frame accepted from the peer (ws, wss): NNG buffers a frame whole
    /// before handing out its bytes, and closes the connection on a larger one. `None` keeps
    /// NNG's default (1 MiB; NNG itself sends frames of at most 64 KiB). Ignored by other
    /// transports.
    pub ws_recv_max_frame: Option<usize>,
    /// TLS for `tls+tcp://` and `wss://` URLs; required there. Setting it for another scheme is
    /// an error (NNG's "not supported"), so that TLS is never silently left out.
    pub tls: Option<TlsSettings>,
}

/// TLS settings of one side, through NNG's TLS engine (Mbed TLS 3.6, built with the crate).
///
/// Files are PEM. A listener needs [`cert_key_file`](Self::cert_key_file); a dialer verifying the
/// server (the default for [`TlsSettings::client`]) needs [`ca_file`](Self::ca_file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSettings {
    /// The certificate authorities that may sign the peer's certificate.
    pub ca_file: Option<PathBuf>,
    /// This side's certificate (chain) followed by its unencrypted private key, in one file.
    /// Required for listeners; for dialers only when the listener verifies clients.
    pub cert_key_file: Option<PathBuf>,
    /// Dialers: the name the server's certificate must carry. `None` uses the URL's host.
    pub server_name: Option<String>,
    /// Verify the peer's certificate against [`ca_file`](Self::ca_file) and fail the handshake if
    /// it does not verify. On a dialer this authenticates the server; on a listener it requires
    /// client certificates (mutual TLS).
    pub verify_peer: bool,
}

impl TlsSettings {
    /// A dialer that verifies the server against the authorities in `ca_file`.
    pub fn client(ca_file: impl Into<PathBuf>) -> Self {
        Self {
            ca_file: Some(ca_file.into()),
            cert_key_file: None,
            server_name: None,
            verify_peer: true,
        }
    }

    /// A listener presenting the certificate and key in `cert_key_file`, not asking clients for
    /// certificates.
    pub fn server(cert_key_file: impl Into<PathBuf>) -> Self {
        Self {
            ca_file: None,
            cert_key_file: Some(cert_key_file.into()),
            server_name: None,
            verify_peer: false,
        }
    }
}

/// A live stream listener or dialer, before it is started.
#[derive(Clone, Copy)]
pub(super) enum Endpoint {
    Listener(*mut nng_stream_listener),
    Dialer(*mut nng_stream_dialer),
}

/// Applies `options` to `endpoint`.
///
/// # Safety
///
/// The pointer in `endpoint` must be a live listener or dialer, not used concurrently.
pub(super) unsafe fn apply(endpoint: Endpoint, options: &TransportOptions) -> Result<()> {
    // SAFETY (every call below): the caller guarantees `endpoint`.
    if let Some(nodelay) = options.tcp_nodelay {
        unless_unsupported(unsafe { endpoint.set_bool(sys::NNG_OPT_TCP_NODELAY, nodelay) })?;
    }
    if let Some(max) = options.ws_recv_max_frame {
        unless_unsupported(unsafe { endpoint.set_size(sys::NNG_OPT_WS_RECVMAXFRAME, max) })?;
    }
    if let Some(tls) = &options.tls {
        // Fails with NNG's "not supported" for a scheme without TLS.
        // SAFETY: the caller guarantees `endpoint`.
        let config = unsafe { endpoint.tls_config() }?;
        let mode = if tls.verify_peer {
            sys::NNG_TLS_AUTH_MODE_REQUIRED
        } else {
            sys::NNG_TLS_AUTH_MODE_NONE
        };
        // SAFETY: `config` is the endpoint's own TLS configuration, alive as long as the
        // endpoint, and not in use before it starts.
        check(unsafe { sys::nng_tls_config_auth_mode(config, mode) })?;
        if let Some(ca_file) = &tls.ca_file {
            let ca_file = path_string(ca_file)?;
            // SAFETY: as above; NNG loads the NUL-terminated path's file before returning.
            check(unsafe { sys::nng_tls_config_ca_file(config, ca_file.as_ptr()) })?;
        }
        if let Some(cert_key_file) = &tls.cert_key_file {
            let cert_key_file = path_string(cert_key_file)?;
            // SAFETY: as above; NNG loads the NUL-terminated path's file before returning, and
            // a null password means an unencrypted key.
            check(unsafe {
                sys::nng_tls_config_cert_key_file(config, cert_key_file.as_ptr(), ptr::null())
            })?;
        }
        if let Some(name) = &tls.server_name {
            let name = CString::new(name.as_str()).map_err(|_| NngError::from_code(EINVAL))?;
            // SAFETY: as above; NNG copies the NUL-terminated name before returning.
            check(unsafe { sys::nng_tls_config_server_name(config, name.as_ptr()) })?;
        }
    }
    Ok(())
}

/// An option the transport does not have is skipped; other errors stand.
fn unless_unsupported(result: Result<()>) -> Result<()> {
    match result {
        Err(error) if error.code() == ENOTSUP => Ok(()),
        other => other,
    }
}

/// A path as NNG takes it: a NUL-terminated UTF-8 string.
fn path_string(path: &Path) -> Result<CString> {
    path.to_str().and_then(|path| CString::new(path).ok()).ok_or(NngError::from_code(EINVAL))
}

/// An option name from the bindings (a NUL-terminated byte string) as a C string.
fn option_name(name: &'static [u8]) -> Result<&'static CStr> {
    CStr::from_bytes_with_nul(name).map_err(|_| NngError::from_code(EINVAL))
}

impl Endpoint {
    /// # Safety
    ///
    /// As for [`apply`].
    unsafe fn set_bool(self, name: &'static [u8], value: bool) -> Result<()> {
        let name = option_name(name)?.as_ptr();
        // SAFETY: the caller guarantees the handle; `name` is NUL-terminated and static.
        check(unsafe {
            match self {
                Self::Listener(l) => sys::nng_stream_listener_set_bool(l, name, value),
                Self::Dialer(d) => sys::nng_stream_dialer_set_bool(d, name, value),
            }
        })
    }

    /// # Safety
    ///
    /// As for [`apply`].
    unsafe fn set_size(self, name: &'static [u8], value: usize) -> Result<()> {
        let name = option_name(name)?.as_ptr();
        // SAFETY: the caller guarantees the handle; `name` is NUL-terminated and static.
        check(unsafe {
            match self {
                Self::Listener(l) => sys::nng_stream_listener_set_size(l, name, value),
                Self::Dialer(d) => sys::nng_stream_dialer_set_size(d, name, value),
            }
        })
    }

    /// The endpoint's TLS configuration, owned by the endpoint; NNG's "not supported" for a
    /// scheme without TLS.
    ///
    /// # Safety
    ///
    /// As for [`apply`].
    unsafe fn tls_config(self) -> Result<*mut nng_tls_config> {
        let mut config = ptr::null_mut();
        // SAFETY: the caller guarantees the handle; `config` is a valid out-pointer. NNG places
        // no hold on the configuration it returns, which lives as long as the endpoint.
        check(unsafe {
            match self {
                Self::Listener(l) => sys::nng_stream_listener_get_tls(l, &mut config),
                Self::Dialer(d) => sys::nng_stream_dialer_get_tls(d, &mut config),
            }
        })?;
        if config.is_null() {
            return Err(NngError::from_code(EINTERNAL));
        }
        Ok(config)
    }
}
