/**
 * Payload codecs: how an event's data becomes bytes and back, by the codec named in the event.
 *
 * Owns: which codecs there are, JSON and MessagePack encoding and decoding of payloads, and
 * bincode's pass-through (bincode is not self-describing: its payloads arrive as bytes, and are
 * emitted from bytes). Must not know about frames or listeners.
 */

import { fromUtf8, toHex, utf8 } from './bytes.js';
import { NanomitterError, describe } from './errors.js';
import * as msgpack from './msgpack.js';
import type { CodecName } from './wire.js';

export type { CodecName };

/** Every codec an event may be emitted with. */
export const CODECS: readonly CodecName[] = ['json', 'msgpack', 'bincode'];
/** The codecs an emitter may use by default (bincode takes bytes, so only per event). */
export const DEFAULT_CODECS: readonly CodecName[] = ['json', 'msgpack'];

/** `name` if it is one of `allowed`; else `InvalidSetting`, naming the setting and the codecs. */
export function checkCodec(setting: string, name: unknown, allowed: readonly CodecName[]): CodecName {
  if (allowed.includes(name as CodecName)) return name as CodecName;
  const names = allowed.map((c) => `"${c}"`).join(', ');
  throw new NanomitterError('InvalidSetting', `${setting} must be one of ${names}, not ${describe(name)}`);
}

/** Encodes `data` with `codec`. Throws `Encode` for data the codec cannot carry. */
export function encodePayload(codec: CodecName, data: unknown): Uint8Array {
  switch (codec) {
    case 'json':
      return utf8(jsonText(data));
    case 'msgpack':
      return msgpack.encode(data);
    case 'bincode':
      if (!(data instanceof Uint8Array)) {
        throw new NanomitterError('Encode', 'a bincode payload is emitted as the bytes bincode wrote (a Uint8Array)');
      }
      return data;
  }
}

/** `data` as JSON text; a bigint, a cycle or a value JSON has no text for is refused. */
function jsonText(data: unknown): string {
  let text;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    throw new NanomitterError('Encode', `JSON cannot carry this value: ${(error as Error).message}`);
  }
  if (text === undefined) throw new NanomitterError('Encode', `JSON cannot carry ${describe(data)}`);
  return text;
}

/**
 * Decodes a payload: JSON and MessagePack as the values they hold, bincode as its bytes. A
 * payload that does not decode comes back as `{ invalid_json: "<hex>" }` or
 * `{ invalid_msgpack: "<hex>" }` (as the Rust side's `to_json` shows it) and `ok` is false.
 */
export function decodePayload(codec: CodecName, payload: Uint8Array): { data: unknown; ok: boolean } {
  try {
    switch (codec) {
      case 'json':
        return { data: JSON.parse(fromUtf8(payload)), ok: true };
      case 'msgpack':
        return { data: msgpack.decode(payload), ok: true };
      case 'bincode':
        return { data: payload, ok: true };
    }
  } catch {
    return { data: { [`invalid_${codec}`]: toHex(payload) }, ok: false };
  }
}
