/**
 * Byte helpers every other module shares: hex, UTF-8, concatenation and little-endian u64s as
 * JavaScript numbers or node-id strings.
 *
 * Owns: conversions between bytes and values. Must not know about frames, codecs or sockets.
 */

import { NanomitterError } from './errors.js';
import { webCrypto } from './webcrypto.js';

/** A node id: 16 lower-case hex digits, as the Rust side prints them. */
export type NodeId = string;

const TWO_32 = 0x1_0000_0000;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Decodes UTF-8, throwing a TypeError on invalid bytes. */
export function fromUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new NanomitterError('Malformed', `not an even number of hex digits: ${JSON.stringify(text)}`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Whether a string is a node id (16 hex digits). */
export function isNodeId(text: unknown): text is NodeId {
  return typeof text === 'string' && /^[0-9a-f]{16}$/.test(text);
}

/** Writes a node id as a little-endian u64 at `at`. */
export function putNodeId(view: DataView, at: number, node: NodeId): void {
  view.setUint32(at, parseInt(node.slice(8), 16), true);
  view.setUint32(at + 4, parseInt(node.slice(0, 8), 16), true);
}

export function getNodeId(view: DataView, at: number): NodeId {
  const low = view.getUint32(at, true).toString(16).padStart(8, '0');
  const high = view.getUint32(at + 4, true).toString(16).padStart(8, '0');
  return high + low;
}

/** Writes a number (an integer from 0 to 2^53 - 1) as a little-endian u64 at `at`. */
export function putU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % TWO_32, true);
  view.setUint32(at + 4, Math.floor(value / TWO_32), true);
}

/** Reads a little-endian u64; `null` when it is above 2^53 - 1 (no JavaScript number holds it). */
export function getU64(view: DataView, at: number): number | null {
  const high = view.getUint32(at + 4, true);
  if (high >= 0x20_0000) return null;
  return high * TWO_32 + view.getUint32(at, true);
}

/** A fresh random key, which proves a node's right to its id at its hub (docs/wire.md §6.3). */
export function randomNodeKey(): Uint8Array {
  return webCrypto().getRandomValues(new Uint8Array(16));
}

/** A fresh random node id. */
export function randomNodeId(): NodeId {
  const bytes = new Uint8Array(8);
  webCrypto().getRandomValues(bytes);
  return toHex(bytes);
}
