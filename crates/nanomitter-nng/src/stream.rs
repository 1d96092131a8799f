//! One connection as a byte stream (`nng_stream`).
//!
//! Owns [`Stream`] (reading, writing and closing one connection, whatever its transport) and
//! [`StreamAio`] (the aio of an accept or dial, whose output becomes a `Stream`). It must not touch
//! listeners or dialers themselves, nor frame the bytes: framing is the caller's.
//!
//! # Buffers and cancellation
//!
//! NNG completes operations on its own threads, so a buffer it reads into or writes from must stay
//! valid until the operation is over. A future borrowing the caller's buffer could be leaked
//! (`mem::forget`) while NNG still writes into it, so NNG never sees the caller's borrowed
//! buffers: each stream owns a read buffer and a write buffer next to their aios, and data is
//! copied between them and the caller's slices. The one exception is
//! [`Stream::write_shared`]: it sends large parts from the caller's shared buffers ([`Bytes`])
//! after taking a reference of its own to each, kept next to the aio until the send is over, so
//! whatever happens to the caller's future, the bytes outlive NNG's use of them. All of these
//! are freed only after the stream was closed and its aios finished.
//!
//! - [`Stream::read`] is cancel-safe: a dropped read leaves its receive running, and the next read
//!   continues it, so no byte is lost.
//! - [`Stream::write_all`] dropped with a send in flight closes the stream: the peer would
//!   otherwise get a truncated write, and its framing would be lost.
//!
//! NNG 1.11 left a send or receive started on a closed tcp or ipc connection pending forever; the
//! stream keeps its own closed flag and starts nothing once it is set, whatever NNG does.

use bytes::Bytes;
use std::ffi::{c_char, c_void, CStr, CString};
use std::ops::Range;
use std::ptr::NonNull;
use std::sync::{PoisonError, RwLock};

use tokio::sync::Mutex;

use super::aio::Aio;
use super::error::{check, NngError, Result, ECLOSED, EINTERNAL};
use super::sys::{self, nng_aio, nng_iov, nng_stream};

/// The most a single receive asks NNG for; the read buffer grows to it on demand.
const READ_BUFFER_MAX: usize = 256 * 1024;
/// The most a single send hands NNG; larger writes go out in chunks of this size.
const WRITE_CHUNK: usize = 256 * 1024;
/// The most pieces one send hands NNG (an aio holds at most 8).
const MAX_PIECES: usize = 8;
/// Parts at least this large are sent by [`Stream::write_shared`] from their own buffers;
/// smaller ones are copied, so that many small frames still go out in one send.
pub const SHARED_FROM: usize = 16 * 1024;

/// A connected byte stream over tcp, ipc, ws, tls+tcp or wss.
///
/// Reads and writes can run concurrently (one task reading while another writes). Concurrent
/// reads are served one at a time, and so are concurrent writes: the bytes of two `write_all`
/// calls never interleave. Dropping the stream closes the connection.
///
/// Over TLS the handshake runs inside the first reads and writes, and NNG drives it only while
/// the side it waits for has an operation pending: a TLS server must be reading (or writing) for
/// a client's first write to complete. A hub that keeps a read pending on each connection, as a
/// framing reader does, meets this.
pub struct Stream {
    reader: Mutex<Reader>,
    writer: Mutex<Writer>,
    /// Declared last: freed after the aios above finished.
    raw: RawStream,
}

/// The `nng_stream` handle and this side's closed flag; frees the stream when dropped.
struct RawStream {
    raw: NonNull<nng_stream>,
    /// Set once by `close`. Operations start under the read lock and `close` takes the write lock,
    /// so every operation either started before the close (which then ends it) or sees the flag.
    closed: RwLock<bool>,
}

// SAFETY: NNG's stream functions are thread-safe: send, receive and close may be called from any
// thread, concurrently.
unsafe impl Send for RawStream {}
// SAFETY: as above; `closed` is a lock.
unsafe impl Sync for RawStream {}

impl RawStream {
    /// Runs `start` with the stream unless it was closed (then fails with `NNG_ECLOSED`); a
    /// concurrent `close` waits until `start` returned.
    fn start_unless_closed(&self, start: impl FnOnce(*mut nng_stream)) -> Result<()> {
        let closed = self.closed.read().unwrap_or_else(PoisonError::into_inner);
        if *closed {
            return Err(NngError::from_code(ECLOSED));
        }
        start(self.raw.as_ptr());
        Ok(())
    }

    /// Closes the connection: NNG ends pending operations with `NNG_ECLOSED`, and no operation
    /// starts afterwards.
    fn close(&self) {
        let mut closed = self.closed.write().unwrap_or_else(PoisonError::into_inner);
        *closed = true;
        // SAFETY: the handle is live; closing is thread-safe and may be repeated.
        unsafe { sys::nng_stream_close(self.raw.as_ptr()) }
    }
}

impl Drop for RawStream {
    fn drop(&mut self) {
        // SAFETY: the handle is live and this is its only owner; `Stream` declares its aios before
        // this field, so they were freed (operations over) first.
        unsafe { sys::nng_stream_free(self.raw.as_ptr()) }
    }
}

/// The receiving side: its aio, the buffer NNG receives into, and what is left of the last
/// receive. `buffer` is touched only while `aio` is not busy.
struct Reader {
    aio: Aio,
    buffer: Vec<u8>,
    /// Received bytes not yet handed to a caller.
    unread: Range<usize>,
}

/// The sending side: its aio and what NNG sends from, touched only while `aio` is not busy.
struct Writer {
    aio: Aio,
    /// Bytes copied for a send: every part of a `write_all`, the small parts of a
    /// `write_shared`.
    buffer: Vec<u8>,
    /// The large parts of the `write_shared` in flight, sent from where they are: held here so
    /// they outlive the send, whatever happens to the caller's future.
    held: Vec<Bytes>,
}

/// One scatter/gather piece of a send.
#[derive(Clone)]
enum Piece {
    /// A range of the writer's `buffer`.
    Copied(Range<usize>),
    /// One of the writer's `held` parts, whole.
    Held(usize),
}

impl Stream {
    /// Takes ownership of a new `nng_stream` (the output of an accept or dial).
    fn from_raw(raw: NonNull<nng_stream>) -> Result<Self> {
        // Owned from here on, so it is freed if an aio cannot be allocated.
        let raw = RawStream { raw, closed: RwLock::new(false) };
        let reader = Reader { aio: Aio::new()?, buffer: Vec::new(), unread: 0..0 };
        let writer = Writer { aio: Aio::new()?, buffer: Vec::new(), held: Vec::new() };
        Ok(Self { reader: Mutex::new(reader), writer: Mutex::new(writer), raw })
    }

    /// Reads at least one byte into `buf` (unless it is empty) and returns how many.
    ///
    /// The peer shutting the connection down is an error ([`NngError::is_connection_lost`]), not
    /// `Ok(0)`; closing this stream makes it fail with [`NngError::is_closed`]. Cancel-safe: a
    /// dropped read leaves its receive running for the next read, so no byte is lost.
    pub async fn read(&self, buf: &mut [u8]) -> Result<usize> {
        self.reader.lock().await.read(&self.raw, buf).await
    }

    /// Hands `take` the bytes received and not yet read (at least one, at most `most`),
    /// receiving first if there are none, and returns how many: [`Stream::read`] without the
    /// copy into a caller's buffer, for a caller that copies them on anyway (into a
    /// deframer's). Fails as `read` does; cancel-safe as it is (`take` runs only once the bytes
    /// are there, and they count as read only then).
    pub async fn read_with(&self, most: usize, take: impl FnOnce(&[u8])) -> Result<usize> {
        self.reader.lock().await.consume(&self.raw, most.max(1), take).await
    }

    /// Fills `buf` completely. Not cancel-safe: if the future is dropped, or fails, part-way, the
    /// bytes already read are in `buf` but their number is lost.
    pub async fn read_exact(&self, buf: &mut [u8]) -> Result<()> {
        let mut reader = self.reader.lock().await;
        let mut filled = 0;
        while filled < buf.len() {
            filled += reader.read(&self.raw, &mut buf[filled..]).await?;
        }
        Ok(())
    }

    /// Writes all of `bufs`, in order, as one contiguous run of bytes (no other `write_all` on
    /// this stream interleaves). Partial sends are resumed until everything is sent.
    ///
    /// Dropping the future while a send is in flight closes the stream, since the peer would
    /// otherwise see a truncated write. Dropping it while it waits for another `write_all` does
    /// not.
    pub async fn write_all(&self, bufs: &[&[u8]]) -> Result<()> {
        self.writer.lock().await.write_all(&self.raw, bufs).await
    }

    /// Writes all of `parts`, in order, as one contiguous run of bytes, as [`Stream::write_all`]
    /// does (and with the same behaviour when dropped), but sends the parts of [`SHARED_FROM`]
    /// bytes or more from their own buffers instead of copying them: a hub relaying one frame
    /// to many members sends it from one buffer. Smaller parts are copied and sent together.
    pub async fn write_shared(&self, parts: &[Bytes]) -> Result<()> {
        self.writer.lock().await.write_shared(&self.raw, parts).await
    }

    /// The value of the HTTP header `name` (matched case-insensitively, as HTTP does) in the
    /// client's upgrade request, on a stream accepted by a `ws://` or `wss://` listener. `None`
    /// when the request had no such header, for streams of other transports, and once the
    /// stream is closed. (On a dialed websocket stream it reads the server's response.) A value
    /// that is not UTF-8 is returned with its invalid bytes replaced.
    pub fn ws_request_header(&self, name: &str) -> Option<String> {
        let option = CString::new(format!("{}{name}", sys::NNG_OPT_WS_HEADER)).ok()?;
        let mut value: *const c_char = std::ptr::null();
        // SAFETY: the handle is live while `self` is (it is freed only when the stream drops);
        // getting an option is thread-safe, including on a closed stream (which fails). `option`
        // is a NUL-terminated string NNG only reads during the call; on success NNG stores in
        // `value` a pointer to the NUL-terminated header value it keeps with the connection.
        let rv = unsafe {
            sys::nng_stream_get_string(self.raw.raw.as_ptr(), option.as_ptr(), &mut value)
        };
        if rv != 0 || value.is_null() {
            return None;
        }
        // SAFETY: `value` points to a NUL-terminated string that NNG frees only with the
        // stream, which `&self` keeps alive; it is copied here and not used afterwards.
        Some(unsafe { CStr::from_ptr(value) }.to_string_lossy().into_owned())
    }

    /// The peer's address as NNG prints it (`127.0.0.1:40123`, `[::1]:40123`, an `ipc://`
    /// path), for logs and the application's decisions about a connection; `None` when NNG
    /// has none.
    pub fn peer_address(&self) -> Option<String> {
        /// NNG's `NNG_MAXADDRSTRLEN`: the longest address it prints, its terminating NUL
        /// included.
        const MAX_ADDRESS_LEN: usize = 128 + 16;
        let mut buf: [c_char; MAX_ADDRESS_LEN] = [0; MAX_ADDRESS_LEN];
        // SAFETY: the handle is live while `self` is; every transport's stream keeps the peer's
        // address with the connection (a websocket's in its HTTP connection, freed with the
        // stream), so the pointer NNG returns stays valid while `self` does, closed or not.
        let address = unsafe { sys::nng_stream_peer_addr(self.raw.raw.as_ptr()) };
        if address.is_null() {
            return None;
        }
        // SAFETY: `address` points to an `nng_sockaddr` valid for the call (above); NNG writes
        // at most `buf.len()` bytes, NUL-terminated, into `buf`, and returns a pointer to a
        // NUL-terminated string (`buf`, or one of its own constants) it does not keep.
        let printed = unsafe { sys::nng_str_sockaddr(address, buf.as_mut_ptr(), buf.len()) };
        if printed.is_null() {
            return None;
        }
        // SAFETY: `printed` is NUL-terminated (above) and outlives this copy.
        Some(unsafe { CStr::from_ptr(printed) }.to_string_lossy().into_owned())
    }

    /// Closes the connection: pending and later reads and writes fail with
    /// [`NngError::is_closed`]. Data not yet sent may be lost. Dropping the stream closes it too.
    pub fn close(&self) {
        self.raw.close();
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        // End pending operations: freeing the aios (when the fields drop, right after this) waits
        // for them to complete.
        self.close();
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").field("raw", &self.raw.raw).finish_non_exhaustive()
    }
}

impl Reader {
    /// Copies unread bytes into `out`, receiving first if there are none.
    async fn read(&mut self, stream: &RawStream, out: &mut [u8]) -> Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        self.consume(stream, out.len(), |bytes| out[..bytes.len()].copy_from_slice(bytes)).await
    }

    /// Hands `take` at most `most` (at least one) of the unread bytes, receiving first if there
    /// are none, and counts them as read; returns how many.
    async fn consume(
        &mut self,
        stream: &RawStream,
        most: usize,
        take: impl FnOnce(&[u8]),
    ) -> Result<usize> {
        let unread = self.unread(stream, most).await?;
        let n = unread.len().min(most);
        take(&unread[..n]);
        self.unread.start += n;
        Ok(n)
    }

    /// The bytes received and not yet handed to a caller (at least one), receiving first, at
    /// most `most` (and [`READ_BUFFER_MAX`]) bytes, if there are none.
    async fn unread(&mut self, stream: &RawStream, most: usize) -> Result<&[u8]> {
        if self.unread.is_empty() {
            // A receive left running by a dropped read is continued, not started anew.
            if !self.aio.is_busy() {
                let len = most.clamp(1, READ_BUFFER_MAX);
                if self.buffer.len() < len {
                    self.buffer.resize(len, 0);
                }
                let buffer = &mut self.buffer[..len];
                // SAFETY: the receive writes only into `buffer`, which lives next to `self.aio`
                // and is touched again only once the aio is not busy (or freed, when the stream
                // is dropped). `stream` is live while `self` is borrowed from its `Stream`.
                unsafe {
                    self.aio.start(|aio| {
                        set_iov(aio, buffer)?;
                        stream.start_unless_closed(|raw| sys::nng_stream_recv(raw, aio))
                    })
                }?;
            }
            self.aio.done().await?;
            // NNG completes a receive with at least one byte; zero would make callers spin.
            let count = self.aio.count();
            if count == 0 {
                return Err(NngError::from_code(EINTERNAL));
            }
            self.unread = 0..count;
        }
        Ok(&self.buffer[self.unread.clone()])
    }
}

impl Writer {
    /// Sends `bufs` through the write buffer, a chunk at a time.
    async fn write_all(&mut self, stream: &RawStream, bufs: &[&[u8]]) -> Result<()> {
        if self.aio.is_busy() {
            // The send of a dropped write_all, which closed the stream: let it end (at once,
            // since the stream is closed) before the buffer is reused. Its result is moot.
            let _ = self.aio.done().await;
        }
        let mut pending = bufs.iter().copied();
        let mut current: &[u8] = &[];
        loop {
            // Fill the buffer with up to one chunk of what is left.
            self.buffer.clear();
            while self.buffer.len() < WRITE_CHUNK {
                if current.is_empty() {
                    match pending.next() {
                        Some(next) => current = next,
                        None => break,
                    }
                }
                let n = current.len().min(WRITE_CHUNK - self.buffer.len());
                self.buffer.extend_from_slice(&current[..n]);
                current = &current[n..];
            }
            if self.buffer.is_empty() {
                return Ok(());
            }
            let whole = [Piece::Copied(0..self.buffer.len())];
            let mut sent = 0;
            while sent < self.buffer.len() {
                sent += self.send_pieces(stream, &whole, sent).await?;
            }
        }
    }

    /// Sends `parts` (see [`Stream::write_shared`]): a send at a time of at most
    /// [`MAX_PIECES`] pieces, the small parts copied into the buffer, the large ones held.
    async fn write_shared(&mut self, stream: &RawStream, parts: &[Bytes]) -> Result<()> {
        if self.aio.is_busy() {
            // As in `write_all`: the send of a dropped write, which closed the stream.
            let _ = self.aio.done().await;
        }
        let mut next = 0;
        while next < parts.len() {
            self.buffer.clear();
            self.held.clear();
            let mut pieces: Vec<Piece> = Vec::with_capacity(MAX_PIECES);
            while let Some(part) = parts.get(next) {
                if part.len() >= SHARED_FROM {
                    if pieces.len() == MAX_PIECES {
                        break;
                    }
                    pieces.push(Piece::Held(self.held.len()));
                    self.held.push(part.clone());
                } else {
                    let start = self.buffer.len();
                    if start + part.len() > WRITE_CHUNK {
                        break;
                    }
                    let full = pieces.len() == MAX_PIECES;
                    match pieces.last_mut() {
                        Some(Piece::Copied(range)) if range.end == start => range.end += part.len(),
                        _ if full => break,
                        _ => pieces.push(Piece::Copied(start..start + part.len())),
                    }
                    self.buffer.extend_from_slice(part);
                }
                next += 1;
            }
            let total: usize = pieces.iter().map(|piece| self.piece(piece).len()).sum();
            let mut sent = 0;
            while sent < total {
                sent += self.send_pieces(stream, &pieces, sent).await?;
            }
        }
        self.held.clear();
        Ok(())
    }

    /// The bytes of `piece`.
    fn piece(&self, piece: &Piece) -> &[u8] {
        match piece {
            Piece::Copied(range) => &self.buffer[range.clone()],
            Piece::Held(index) => &self.held[*index],
        }
    }

    /// Starts the send of what is left of `pieces` past their first `skip` bytes. Apart from
    /// [`Writer::send_pieces`], so that the iovs (raw pointers) are gone before it awaits and
    /// its future stays `Send`.
    fn start_send(&mut self, stream: &RawStream, pieces: &[Piece], mut skip: usize) -> Result<()> {
        let mut iovs = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let bytes = self.piece(piece);
            if skip >= bytes.len() {
                skip -= bytes.len();
                continue;
            }
            let rest = &bytes[skip..];
            skip = 0;
            // NNG only reads from the pieces of a send.
            iovs.push(nng_iov { iov_buf: rest.as_ptr().cast_mut().cast(), iov_len: rest.len() });
        }
        // SAFETY: the send reads only from `iovs`' buffers: ranges of `self.buffer` and of
        // `self.held`'s parts, which live next to `self.aio` and are touched again only once the
        // aio is not busy (or freed after it, when the stream is dropped); `iovs` itself is
        // copied into the aio by `set_iovs`. `stream` is live while `self` is borrowed from its
        // `Stream`.
        unsafe {
            self.aio.start(|aio| {
                set_iovs(aio, &iovs)?;
                stream.start_unless_closed(|raw| sys::nng_stream_send(raw, aio))
            })
        }
    }

    /// Sends what is left of `pieces` past their first `skip` bytes, once; returns how many
    /// bytes went out (at least one).
    async fn send_pieces(
        &mut self,
        stream: &RawStream,
        pieces: &[Piece],
        skip: usize,
    ) -> Result<usize> {
        self.start_send(stream, pieces, skip)?;
        // Dropped before the send is over, the stream is closed (see [`Stream::write_all`]).
        let close_if_dropped = CloseOnDrop(Some(stream));
        let result = self.aio.done().await;
        close_if_dropped.disarm();
        result?;
        // NNG completes a send with at least one byte; zero would loop forever.
        match self.aio.count() {
            0 => Err(NngError::from_code(EINTERNAL)),
            count => Ok(count),
        }
    }
}

/// Closes the stream when dropped before being disarmed: a send abandoned part-way.
struct CloseOnDrop<'a>(Option<&'a RawStream>);

impl CloseOnDrop<'_> {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(stream) = self.0 {
            stream.close();
        }
    }
}

/// Points `aio`'s scatter/gather vector at `buffer`. The caller keeps `buffer` valid for the
/// operation (see `Aio::start`).
fn set_iov(aio: *mut nng_aio, buffer: &mut [u8]) -> Result<()> {
    let iov = nng_iov { iov_buf: buffer.as_mut_ptr().cast::<c_void>(), iov_len: buffer.len() };
    set_iovs(aio, &[iov])
}

/// Points `aio` at `iovs` (at most [`MAX_PIECES`]).
fn set_iovs(aio: *mut nng_aio, iovs: &[nng_iov]) -> Result<()> {
    // At most MAX_PIECES (8), so the count fits.
    let count = iovs.len() as std::ffi::c_uint;
    // SAFETY: `aio` is the live, idle aio handed to an `Aio::start` closure; NNG copies the
    // `nng_iov`s (not the bytes they point to) into the aio, and refuses more than it holds.
    check(unsafe { sys::nng_aio_set_iov(aio, count, iovs.as_ptr()) })
}

/// The aio of accepts or dials: the new connection in its output becomes a [`Stream`]. A
/// connection that arrives after everyone stopped waiting is closed when this is dropped.
pub(super) struct StreamAio {
    aio: Aio,
}

impl StreamAio {
    pub(super) fn new() -> Result<Self> {
        Ok(Self { aio: Aio::new()? })
    }

    /// Waits for the next connection: continues the accept or dial left running by a dropped
    /// call, or else starts one with `start`, which must start it on the aio it receives (as for
    /// [`Aio::start`]).
    pub(super) async fn next(
        &mut self,
        start: impl FnOnce(*mut nng_aio) -> Result<()>,
    ) -> Result<Stream> {
        if !self.aio.is_busy() {
            // SAFETY: accepts and dials reference no Rust memory; their output is read only after
            // the operation is over.
            unsafe { self.aio.start(start) }?;
        }
        self.aio.done().await?;
        self.take_output()
    }

    /// The stream in the aio's output, after a successful accept or dial.
    fn take_output(&mut self) -> Result<Stream> {
        let raw = NonNull::new(self.aio.first_output().cast::<nng_stream>())
            .ok_or(NngError::from_code(EINTERNAL))?;
        Stream::from_raw(raw)
    }
}

impl Drop for StreamAio {
    fn drop(&mut self) {
        // The owner closed its listener or dialer, so a running accept or dial ends now. If it
        // made a connection nobody will collect, close it (dropping the `Stream` frees it).
        if self.aio.is_busy() && self.aio.wait_closed() && self.aio.result().is_ok() {
            drop(self.take_output());
        }
    }
}
