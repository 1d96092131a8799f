//! How frames travel on a byte stream: each is a 4-byte little-endian length, the frame, and,
//! on an authenticated connection, its 16-byte tag (see [`crate::auth`]).
//!
//! Owns: cutting a stream's bytes into frames and laying frames out for writing, with the size
//! limit and the tags. It must not read or write a connection (the link feeds it bytes and writes
//! what it lays out) nor look inside a frame (the wire module decodes it). Everything here is
//! plain data: the link's reader pushes whatever a read returned, however the stream split it.

use crate::auth::{AuthError, Opener, Sealer, TAG_LEN};
use bytes::{Buf, Bytes, BytesMut};
use std::fmt;

/// Bytes of the length prefix.
const LEN_PREFIX: usize = 4;
/// Frames shorter than this are copied out of the buffer rather than split off it. A frame split
/// off shares the buffer's allocation, which stays allocated as long as any frame cut from it is
/// kept (waiting for the emitter actor, or retained for resending): one small frame kept would
/// hold a whole read chunk, and the buffer, no longer its own, would allocate anew on the next
/// read. A longer frame is split off without a copy; its allocation is mostly itself.
const COPIED_BELOW: usize = 64 * 1024;

/// Why a connection's byte stream can no longer be read: the connection is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamError {
    /// A frame longer than the connection's limit was announced.
    TooLarge {
        /// The length announced.
        len: usize,
        /// The connection's limit.
        max: usize,
    },
    /// A frame's tag did not match.
    Auth(AuthError),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::TooLarge { len, max } => {
                write!(f, "a frame of {len} bytes announced, above the limit of {max}")
            }
            StreamError::Auth(error) => error.fmt(f),
        }
    }
}

/// Cuts the bytes read from one connection into frames. Between reads it holds at most one
/// partial frame, and the caller takes every whole frame before pushing the next read.
pub struct Deframer {
    /// Bytes read and not yet cut into frames: at most one partial frame (length, frame, tag)
    /// between reads. Room for a whole frame is reserved once its length is known and allowed.
    buffer: BytesMut,
    /// The longest frame this connection takes, in bytes (a handshake message's limit until
    /// the handshake is over, then `max_frame_size`): a longer announced length closes the
    /// connection before any room is reserved for it, so a peer cannot make this node
    /// allocate past it.
    max_frame: usize,
}

impl Deframer {
    /// Frames of at most `max_frame` bytes.
    pub fn new(max_frame: usize) -> Deframer {
        Deframer { buffer: BytesMut::new(), max_frame }
    }

    /// Frames of at most `max_frame` bytes from now on (a connection's handshake messages are
    /// small; its frames after may be large).
    pub fn set_limit(&mut self, max_frame: usize) {
        self.max_frame = max_frame;
    }

    /// Bytes just read from the connection.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The bytes (length, frame and tag, `sealed` saying whether frames carry one) of the
    /// frame that started arriving and has not all arrived yet, if any.
    pub fn arriving(&self, sealed: bool) -> Option<usize> {
        let prefix: [u8; LEN_PREFIX] = self.buffer.get(..LEN_PREFIX)?.try_into().ok()?;
        let whole =
            LEN_PREFIX + u32::from_le_bytes(prefix) as usize + if sealed { TAG_LEN } else { 0 };
        (self.buffer.len() < whole).then_some(whole)
    }

    /// The next whole frame, checked against `session`'s tags if there is one; `None` until
    /// more bytes arrive.
    pub fn next_frame(
        &mut self,
        session: Option<&mut Opener>,
    ) -> Result<Option<Bytes>, StreamError> {
        if self.buffer.len() < LEN_PREFIX {
            return Ok(None);
        }
        let len = u32::from_le_bytes(self.buffer[..LEN_PREFIX].try_into().expect("4 bytes"));
        let len = len as usize;
        if len > self.max_frame {
            return Err(StreamError::TooLarge { len, max: self.max_frame });
        }
        let tag_len = if session.is_some() { TAG_LEN } else { 0 };
        if self.buffer.len() < LEN_PREFIX + len + tag_len {
            // Make room for the whole frame at once rather than growing it read by read.
            self.buffer.reserve(LEN_PREFIX + len + tag_len - self.buffer.len());
            return Ok(None);
        }
        self.buffer.advance(LEN_PREFIX);
        let frame = if len < COPIED_BELOW {
            let frame = Bytes::copy_from_slice(&self.buffer[..len]);
            self.buffer.advance(len);
            frame
        } else {
            self.buffer.split_to(len).freeze()
        };
        if let Some(session) = session {
            session.open(&frame, &self.buffer[..TAG_LEN]).map_err(StreamError::Auth)?;
            self.buffer.advance(TAG_LEN);
        }
        Ok(Some(frame))
    }
}

/// The bytes that go before `frame` (its length) and after it (its tag, with a session): the
/// frame itself is written as it is, without a copy.
pub fn envelope(frame: &[u8], session: Option<&mut Sealer>) -> ([u8; 4], Option<[u8; TAG_LEN]>) {
    let len = u32::try_from(frame.len()).unwrap_or(u32::MAX).to_le_bytes();
    (len, session.map(|s| s.seal(frame)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_halves;

    /// Lays out `frames` as a writer would.
    fn stream_of(frames: &[&[u8]], mut session: Option<&mut Sealer>) -> Vec<u8> {
        let mut out = Vec::new();
        for frame in frames {
            let (len, tag) = envelope(frame, session.as_deref_mut());
            out.extend_from_slice(&len);
            out.extend_from_slice(frame);
            if let Some(tag) = tag {
                out.extend_from_slice(&tag);
            }
        }
        out
    }

    /// Feeds `bytes` to a deframer `chunk` bytes at a time and collects the frames.
    fn read_in_chunks(
        bytes: &[u8],
        chunk: usize,
        mut session: Option<&mut Opener>,
    ) -> Result<Vec<Bytes>, StreamError> {
        let mut deframer = Deframer::new(1 << 20);
        let mut frames = Vec::new();
        for piece in bytes.chunks(chunk) {
            deframer.push(piece);
            while let Some(frame) = deframer.next_frame(session.as_deref_mut())? {
                frames.push(frame);
            }
        }
        Ok(frames)
    }

    #[test]
    fn frames_come_out_whole_however_the_stream_is_split() {
        let frames: [&[u8]; 4] = [b"one", b"", &[7u8; 5000], b"four"];
        let bytes = stream_of(&frames, None);
        for chunk in [1, 3, 4, 7, 100, 10_000] {
            let got = read_in_chunks(&bytes, chunk, None).unwrap();
            assert_eq!(got, frames.iter().map(|f| Bytes::copy_from_slice(f)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn tagged_frames_pass_and_a_flipped_bit_closes_the_stream() {
        let (mut writer, mut reader) = test_halves();
        let frames: [&[u8]; 3] = [b"one", b"two", &[1u8; 300]];
        let bytes = stream_of(&frames, Some(&mut writer));
        assert_eq!(read_in_chunks(&bytes, 5, Some(&mut reader)).unwrap().len(), 3);

        let (mut writer, mut reader) = test_halves();
        let mut bytes = stream_of(&frames, Some(&mut writer));
        bytes[LEN_PREFIX + 1] ^= 1;
        let refused = read_in_chunks(&bytes, 64, Some(&mut reader));
        assert!(matches!(refused, Err(StreamError::Auth(AuthError::BadTag))));
    }

    #[test]
    fn a_small_frame_kept_does_not_keep_the_read_it_came_in() {
        // Reads full of small frames, of which one each is kept (as the emitter actor or a
        // retention buffer may): split off, each would hold its whole read allocated.
        let frame = [7u8; 80];
        let read = stream_of(&[&frame[..]; 780], None);
        let mut kept = Vec::new();
        let allocated = allocation_counter::measure(|| {
            let mut deframer = Deframer::new(1 << 20);
            for _ in 0..200 {
                deframer.push(&read);
                kept.push(deframer.next_frame(None).unwrap().expect("a whole frame"));
                while deframer.next_frame(None).unwrap().is_some() {}
            }
        });
        assert_eq!(kept.len(), 200);
        let held = allocated.bytes_current;
        assert!(held < 256 * 1024, "200 frames of 80 bytes kept hold {held} bytes");
    }

    #[test]
    fn an_announced_length_past_the_limit_is_refused_before_it_is_buffered() {
        let mut deframer = Deframer::new(1024);
        deframer.push(&(1u32 << 31).to_le_bytes());
        assert_eq!(
            deframer.next_frame(None),
            Err(StreamError::TooLarge { len: 1 << 31, max: 1024 })
        );
    }
}
