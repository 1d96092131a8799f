//! Byte streams over NNG 1.11 (`nng-sys`), the transport layer for one connection per member.
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
//! # Dropped futures
//!
//! NNG never sees a caller's memory: operations use buffers and aios owned by the stream,
//! listener or dialer, freed only after their operation has completed (see `aio`). A dropped
//! [`Stream::read`], [`Listener::accept`] or [`Dialer::dial`] leaves its operation running and the
//! next call continues it, so nothing is lost; a dropped [`Stream::write_all`] with a send in
//! flight closes the stream rather than leave a truncated write. NNG 1.11's own cancellation is
//! not used: it crashes or hangs in several places (see `aio` and `dialer`).
//!
//! # Known NNG 1.11 faults
//!
//! Freeing a `wss://` listener can crash the process (a use-after-free inside NNG's HTTP server,
//! roughly once in twenty runs of the test suite), so nodes never bind `wss://` with this NNG,
//! they only dial it (a TLS-terminating proxy serves it in front of a `ws://` hub);
//! `tls+tcp://` is not affected.

#![warn(missing_docs)]

mod aio;
mod dialer;
mod error;
mod listener;
mod options;
mod stream;

pub use dialer::Dialer;
pub use error::{NngError, Result};
pub use listener::Listener;
pub use options::{TlsSettings, TransportOptions};
pub use stream::Stream;
