/**
 * Why a connection is refused before it opens (docs/wire.md §4): the refusal message a hub sends
 * instead of its preamble or after a proof that does not check out, and a dialer instead of its
 * challenge or its proof.
 *
 * Owns: the refusal message's bytes (`"NMNO" | version | reason | text`) and the names of the
 * reasons a refusal is reported with. Must not touch connections: the connection sends and reads
 * refusals where the opening says.
 */

import { concat, fromUtf8, utf8 } from './bytes.js';

const MAGIC = utf8('NMNO');
const VERSION = 1;
const HEADER_LEN = 6;
/** The longest text a refusal carries, in bytes. */
export const MAX_TEXT = 128;

/**
 * Why a connection was refused, as reported in `NanomitterError.reason`: the reasons a refusal
 * message carries, and `wire-version` (the hub speaks another wire format, which this client
 * tells from the hub's preamble).
 */
export type RefusalReason =
  | 'origin-not-allowed'
  | 'wrong-secret'
  | 'secret-required'
  | 'secret-not-expected'
  | 'over-limit'
  | 'credential-expired'
  | 'credential-invalid'
  | 'not-authorized'
  | 'wire-version'
  | 'other';

/** The reason bytes of the wire format, by name. */
const CODES: ReadonlyArray<readonly [RefusalReason, number]> = [
  ['origin-not-allowed', 1],
  ['wrong-secret', 2],
  ['secret-required', 3],
  ['secret-not-expected', 4],
  ['over-limit', 5],
  ['credential-expired', 6],
  ['credential-invalid', 7],
  ['not-authorized', 8],
];

/** One refusal: its reason (with its byte, for a reason this client does not know) and text. */
export interface Refusal {
  reason: RefusalReason;
  code: number;
  text: string;
}

/** Whether dialing again, unchanged, cannot help: someone must change a setting. */
export function isFinal(reason: RefusalReason): boolean {
  return reason !== 'over-limit' && reason !== 'other';
}

/** The message's bytes (without the length prefix every opening message has). */
export function encodeRefusal(reason: RefusalReason, text: string): Uint8Array {
  const code = CODES.find(([name]) => name === reason)?.[1] ?? 0;
  let bytes = utf8(text);
  // Cut to MAX_TEXT bytes on a character boundary (UTF-8 continuation bytes are 10xxxxxx).
  if (bytes.length > MAX_TEXT) {
    let end = MAX_TEXT;
    while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  return concat([MAGIC, Uint8Array.of(VERSION, code), bytes]);
}

/**
 * The refusal in an opening message, or `null` when it is not one (another opening message). A
 * message with the magic that cannot be read whole is a refusal of an unknown reason, without
 * its text.
 */
export function decodeRefusal(message: Uint8Array): Refusal | null {
  if (message.length < 4 || MAGIC.some((b, i) => message[i] !== b)) return null;
  if (message.length < HEADER_LEN || message[4] !== VERSION) return { reason: 'other', code: 0, text: '' };
  const code = message[5];
  const reason = CODES.find(([, byte]) => byte === code)?.[0] ?? 'other';
  let text = '';
  const textBytes = message.subarray(HEADER_LEN);
  if (textBytes.length <= MAX_TEXT) {
    try {
      text = fromUtf8(textBytes);
    } catch {
      // not UTF-8: the reason still counts
    }
  }
  return { reason, code, text };
}
