/**
 * MessagePack, as much of it as payloads need: the values JSON has, plus byte arrays and
 * 64-bit integers, encoded as `rmp-serde` encodes Rust values (integers in their smallest form,
 * non-integral numbers as float 64, objects as maps with string keys).
 *
 * Owns: one value to bytes and back. Must not know about events or frames. Decoding refuses
 * truncated input, bytes after the value, and nesting deeper than {@link MAX_DEPTH}.
 */

import { fromUtf8, utf8 } from './bytes.js';
import { NanomitterError } from './errors.js';

/** Deepest nesting of arrays and maps decoded (a few bytes of input could nest far deeper). */
export const MAX_DEPTH = 256;

/** Bytes that are not one MessagePack value (code `Malformed`). */
export class MsgpackError extends NanomitterError {
  constructor(message: string) {
    super('Malformed', `msgpack: ${message}`);
    this.name = 'MsgpackError';
  }
}

class Out {
  buffer = new Uint8Array(256);
  view = new DataView(this.buffer.buffer);
  length = 0;

  room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  byte(b: number): void {
    this.room(1);
    this.buffer[this.length++] = b;
  }

  /** A marker byte, then `value` as a big-endian unsigned integer of `size` bytes. */
  sized(marker: number, size: 1 | 2 | 4 | 8, value: number | bigint): void {
    this.room(1 + size);
    this.buffer[this.length++] = marker;
    const at = this.length;
    if (size === 1) this.view.setUint8(at, Number(value));
    else if (size === 2) this.view.setUint16(at, Number(value));
    else if (size === 4) this.view.setUint32(at, Number(value));
    else this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(value)));
    this.length += size;
  }

  bytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }
}

/** Encodes a value. Throws `Encode` for what MessagePack cannot carry (functions, symbols, cycles). */
export function encode(value: unknown): Uint8Array {
  const out = new Out();
  write(out, value, 0);
  return out.buffer.slice(0, out.length);
}

function write(out: Out, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new NanomitterError('Encode', 'msgpack: nested too deeply (or a cycle)');
  if (value === null || value === undefined) return out.byte(0xc0);
  switch (typeof value) {
    case 'boolean':
      return out.byte(value ? 0xc3 : 0xc2);
    case 'number':
      return Number.isSafeInteger(value) ? writeInteger(out, value) : writeFloat(out, value);
    case 'bigint':
      if (value >= 0n && value < 1n << 64n) return out.sized(0xcf, 8, value);
      if (value < 0n && value >= -(1n << 63n)) return out.sized(0xd3, 8, value);
      throw new NanomitterError('Encode', `msgpack: ${value} does not fit 64 bits`);
    case 'string':
      return writeString(out, value);
    case 'object':
      return writeObject(out, value, depth);
    default:
      throw new NanomitterError('Encode', `msgpack: cannot encode a ${typeof value}`);
  }
}

function writeFloat(out: Out, value: number): void {
  out.room(9);
  out.buffer[out.length++] = 0xcb;
  out.view.setFloat64(out.length, value);
  out.length += 8;
}

function writeInteger(out: Out, value: number): void {
  if (value >= 0) {
    if (value < 0x80) return out.byte(value);
    if (value < 0x100) return out.sized(0xcc, 1, value);
    if (value < 0x1_0000) return out.sized(0xcd, 2, value);
    if (value < 0x1_0000_0000) return out.sized(0xce, 4, value);
    return out.sized(0xcf, 8, value);
  }
  if (value >= -32) return out.byte(value & 0xff);
  if (value >= -0x80) return out.sized(0xd0, 1, value & 0xff);
  if (value >= -0x8000) return out.sized(0xd1, 2, value & 0xffff);
  if (value >= -0x8000_0000) return out.sized(0xd2, 4, value >>> 0);
  return out.sized(0xd3, 8, BigInt(value));
}

function writeString(out: Out, value: string): void {
  const bytes = utf8(value);
  const n = bytes.length;
  if (n < 32) out.byte(0xa0 | n);
  else if (n < 0x100) out.sized(0xd9, 1, n);
  else if (n < 0x1_0000) out.sized(0xda, 2, n);
  else out.sized(0xdb, 4, n);
  out.bytes(bytes);
}

function writeLength(out: Out, n: number, fix: number, fixMax: number, m16: number, m32: number) {
  if (n < fixMax) out.byte(fix | n);
  else if (n < 0x1_0000) out.sized(m16, 2, n);
  else out.sized(m32, 4, n);
}

function writeObject(out: Out, value: object, depth: number): void {
  if (value instanceof Uint8Array) {
    const n = value.length;
    if (n < 0x100) out.sized(0xc4, 1, n);
    else if (n < 0x1_0000) out.sized(0xc5, 2, n);
    else out.sized(0xc6, 4, n);
    return out.bytes(value);
  }
  if (Array.isArray(value)) {
    writeLength(out, value.length, 0x90, 16, 0xdc, 0xdd);
    for (const item of value) write(out, item, depth + 1);
    return;
  }
  const entries =
    value instanceof Map
      ? [...value.entries()]
      : Object.entries(value).filter(([, v]) => v !== undefined);
  writeLength(out, entries.length, 0x80, 16, 0xde, 0xdf);
  for (const [key, item] of entries) {
    write(out, key, depth + 1);
    write(out, item, depth + 1);
  }
}

/**
 * Decodes one value: maps become plain objects (keys as strings), binaries `Uint8Array`s,
 * 64-bit integers numbers when they fit 2^53 and `bigint`s when not, extensions `{ type, data }`.
 */
export function decode(bytes: Uint8Array): unknown {
  const input = new In(bytes);
  const value = input.value(0);
  if (input.at !== bytes.length) {
    throw new MsgpackError(`${bytes.length - input.at} bytes after the value`);
  }
  return value;
}

class In {
  at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    if (n > this.bytes.length - this.at) throw new MsgpackError('truncated');
    const at = this.at;
    this.at += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.need(1)];
  }

  private u16(): number {
    return this.view.getUint16(this.need(2));
  }

  private u32(): number {
    return this.view.getUint32(this.need(4));
  }

  private take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  private string(n: number): string {
    try {
      return fromUtf8(this.take(n));
    } catch (error) {
      if (error instanceof MsgpackError) throw error;
      throw new MsgpackError('a string is not UTF-8');
    }
  }

  private big(signed: boolean): number | bigint {
    const at = this.need(8);
    const value = signed ? this.view.getBigInt64(at) : this.view.getBigUint64(at);
    const safe = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER);
    return safe ? Number(value) : value;
  }

  private array(n: number, depth: number): unknown[] {
    // Each item takes at least one byte: a count past the end is refused before allocating.
    if (n > this.bytes.length - this.at) throw new MsgpackError('truncated');
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private map(n: number, depth: number): Record<string, unknown> {
    if (n * 2 > this.bytes.length - this.at) throw new MsgpackError('truncated');
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = this.value(depth + 1);
      const name = typeof key === 'string' ? key : JSON.stringify(key);
      Object.defineProperty(out, name, {
        value: this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  private ext(n: number): { type: number; data: Uint8Array } {
    const type = this.view.getInt8(this.need(1));
    return { type, data: this.take(n) };
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new MsgpackError('nested too deeply');
    const b = this.u8();
    if (b < 0x80) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return this.map(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return this.array(b & 0x0f, depth);
    if ((b & 0xe0) === 0xa0) return this.string(b & 0x1f);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.take(this.u8()).slice();
      case 0xc5:
        return this.take(this.u16()).slice();
      case 0xc6:
        return this.take(this.u32()).slice();
      case 0xc7:
        return this.ext(this.u8());
      case 0xc8:
        return this.ext(this.u16());
      case 0xc9:
        return this.ext(this.u32());
      case 0xca:
        return this.view.getFloat32(this.need(4));
      case 0xcb:
        return this.view.getFloat64(this.need(8));
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        return this.big(false);
      case 0xd0:
        return this.view.getInt8(this.need(1));
      case 0xd1:
        return this.view.getInt16(this.need(2));
      case 0xd2:
        return this.view.getInt32(this.need(4));
      case 0xd3:
        return this.big(true);
      case 0xd4:
        return this.ext(1);
      case 0xd5:
        return this.ext(2);
      case 0xd6:
        return this.ext(4);
      case 0xd7:
        return this.ext(8);
      case 0xd8:
        return this.ext(16);
      case 0xd9:
        return this.string(this.u8());
      case 0xda:
        return this.string(this.u16());
      case 0xdb:
        return this.string(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        throw new MsgpackError(`0x${b.toString(16)} is not a MessagePack type`);
    }
  }
}
