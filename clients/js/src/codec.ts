/**
 * Payload codecs: how an event's data becomes bytes and back, by the codec named in the event.
 *
 * Owns: JSON and MessagePack encoding and decoding of payloads, and bincode's pass-through
 * (bincode is not self-describing: its payloads arrive as bytes, and are emitted from bytes).
 * Must not know about frames or listeners.
 */

import { fromUtf8, toHex, utf8 } from './bytes.js';
import * as msgpack from './msgpack.js';
import type { CodecName } from './wire.js';

export type { CodecName };

/** Encodes `data` with `codec`. Throws a TypeError for data the codec cannot carry. */
export function encodePayload(codec: CodecName, data: unknown): Uint8Array {
  switch (codec) {
    case 'json': {
      const text = JSON.stringify(data);
      if (text === undefined) throw new TypeError(`JSON cannot carry ${String(data)}`);
      return utf8(text);
    }
    case 'msgpack':
      return msgpack.encode(data);
    case 'bincode':
      if (!(data instanceof Uint8Array)) {
        throw new TypeError('a bincode payload is emitted as the bytes bincode wrote (a Uint8Array)');
      }
      return data;
  }
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
