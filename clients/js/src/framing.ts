/**
 * How frames travel on a byte stream (docs/wire.md §3): a 4-byte little-endian length, the frame,
 * and, on an authenticated connection, its 16-byte tag.
 *
 * Owns: cutting a stream's bytes into messages, with the size limit, and laying a frame out for
 * writing. Must not read or write a connection, check tags or look inside a frame.
 */

import { NanomitterError } from './errors.js';

/** Bytes of the length prefix. */
const LEN_PREFIX = 4;

/** A message announced longer than the connection's limit (code `Malformed`): the connection must close. */
export class StreamError extends NanomitterError {
  constructor(message: string) {
    super('Malformed', message);
    this.name = 'StreamError';
  }
}

/** One message cut out of the stream, with its tag when the connection has tags. */
export interface Message {
  frame: Uint8Array;
  tag: Uint8Array | null;
}

/** Cuts the bytes read from one connection into messages. */
export class Deframer {
  private buffer = new Uint8Array(64 * 1024);
  private start = 0;
  private end = 0;

  /** Messages of at most `maxFrame` bytes (changeable: small until the handshake is over). */
  constructor(public maxFrame: number) {}

  /** Bytes just read from the connection, however the stream split them. */
  push(bytes: Uint8Array): void {
    if (this.end + bytes.length > this.buffer.length) {
      const held = this.end - this.start;
      const needed = held + bytes.length;
      const target =
        needed <= this.buffer.length ? this.buffer : new Uint8Array(Math.max(needed, this.buffer.length * 2));
      target.set(this.buffer.subarray(this.start, this.end), 0);
      this.buffer = target;
      this.start = 0;
      this.end = held;
    }
    this.buffer.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** The next whole message, followed by a tag of `tagLen` bytes; `null` until more bytes come. */
  next(tagLen: number): Message | null {
    const held = this.end - this.start;
    if (held < LEN_PREFIX) return null;
    const b = this.buffer;
    const s = this.start;
    const len = (b[s] | (b[s + 1] << 8) | (b[s + 2] << 16)) + b[s + 3] * 0x100_0000;
    if (len > this.maxFrame) {
      throw new StreamError(`a frame of ${len} bytes announced, above the limit of ${this.maxFrame}`);
    }
    if (held < LEN_PREFIX + len + tagLen) return null;
    const frameAt = s + LEN_PREFIX;
    const frame = b.slice(frameAt, frameAt + len);
    const tag = tagLen > 0 ? b.slice(frameAt + len, frameAt + len + tagLen) : null;
    this.start = frameAt + len + tagLen;
    if (this.start === this.end) this.start = this.end = 0;
    return { frame, tag };
  }
}

/** The length prefix of `frame`. */
export function lengthPrefix(frame: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(LEN_PREFIX);
  new DataView(prefix.buffer).setUint32(0, frame.length, true);
  return prefix;
}
