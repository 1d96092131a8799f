//! Byte streams over NNG 2.0, the transport layer for one connection per member.
//!
//! Owns everything nanomitter does with NNG's *stream* API (`nng_stream_*`): listening, dialing,
//! reading, writing, TLS settings and NNG's errors, as safe async Rust. It must not know about
//! frames, members or roles: whoever uses it frames the bytes itself. This crate is the only
//! place in the workspace with `unsafe` code (every other crate forbids it); each `unsafe` block
//! states the invariant it relies on.
//!
//! - [`Listener`] binds a URL (`tcp://`, `ipc://`, `ws://`, `tls+tcp://`, `wss://`) and accepts
//!   [`Stream`]s; binding a taken address fails with [`NngError::is_addr_in_use`], which is what
//!   tells a node that another one is the hub.
//! - [`Dialer`] connects to a URL; a refused connection is [`NngError::is_connection_refused`].
//! - [`Stream`] reads ([`Stream::read`], [`Stream::read_exact`]), writes
//!   ([`Stream::write_all`]) and closes one connection; on an accepted websocket,
//!   [`Stream::ws_request_header`] reads a header of the client's HTTP upgrade request.
//! - [`TransportOptions`] and [`TlsSettings`] configure listeners and dialers.
//!
//! The futures are runtime-agnostic: NNG completes operations on its own threads and wakes the
//! waiting task through its `Waker`, so they run under tokio, actix or any executor.
//!
//! # Which NNG, and why
//!
//! NNG 2.0.0 and Mbed TLS 3.6.5 (the long-term-support branch) are vendored in `vendor/` and
//! built from source with CMake by `build.rs`, as static libraries; the crate declares the part
//! of NNG's C interface it uses itself (`sys`). A build needs a C compiler and CMake, and no
//! Mbed TLS from the system. NNG 2.0 replaced 1.11 (through `nng-sys` 0.3, on the system's
//! Mbed TLS 2.28) because, measured in `docs/transport.md`: freeing a `wss://` listener no
//! longer crashes or stalls, so nodes may bind `wss://`; and with Mbed TLS 3.6 a certificate
//! for an IP address verifies when dialing `tls+tcp://127.0.0.1:port` (2.28 matched host names
//! only).
//!
//! # Dropped futures
//!
//! NNG never sees a caller's borrowed memory: operations use buffers and aios owned by the
//! stream, listener or dialer, freed only after their operation has completed (see `aio`);
//! [`Stream::write_shared`] sends a caller's shared buffers only after taking a reference of its
//! own to each, released once the send is over. A dropped
//! [`Stream::read`], [`Listener::accept`] or [`Dialer::dial`] leaves its operation running and the
//! next call continues it, so nothing is lost; a dropped [`Stream::write_all`] or
//! [`Stream::write_shared`] with a send in flight closes the stream rather than leave a
//! truncated write. NNG's own cancellation is not
//! used: in NNG 1.11 it crashed or hung in several places (see `aio` and `dialer`), and nothing
//! here needs it.
//!
//! # Known NNG faults
//!
//! - NNG shares one HTTP server between websocket listeners on the same host and port, and
//!   looks a port-0 server up by that 0 until it listens: two `ws://` or `wss://` binds to
//!   port 0 at once could share one port, the second failing on the first's TLS configuration
//!   ("Resource busy"). [`Listener::bind`] therefore binds one listener at a time.
//! - NNG 2.0 completes some operations stopped by a close with "Operation stopped" rather than
//!   "Object closed"; [`NngError::is_closed`] covers both.
//!
//! Nothing else is known for what this crate does; its tests bind, use and free every
//! transport, `wss://` included. The workarounds for NNG 1.11's faults stay, since they cost
//! nothing: no NNG cancellation (see above), and a stream's own closed flag (see `stream`).

#![warn(missing_docs)]

mod aio;
mod dialer;
mod error;
mod listener;
mod options;
mod stream;
mod sys;

pub use dialer::Dialer;
pub use error::{NngError, Result};
pub use listener::Listener;
pub use options::{TlsSettings, TransportOptions};
pub use stream::{Stream, SHARED_FROM};
