/**
 * The cluster secret (docs/wire.md §5): the dialer's side of the challenge–response handshake,
 * and the per-frame tags, on the Web Crypto API.
 *
 * Owns: the handshake messages, the session key and the tags. Must not touch connections: the
 * connection runs the handshake and closes on any error thrown here (code `AuthFailed`).
 */

import { concat, toHex, utf8 } from './bytes.js';
import { NanomitterError, describe } from './errors.js';
import { subtle, webCrypto } from './webcrypto.js';

export const TAG_LEN = 16;
export const NONCE_LEN = 32;
export const MIN_SECRET_LEN = 16;
const PROOF_LEN = 32;
const MAGIC = utf8('NMAU');
const VERSION = 1;
const CHALLENGE = 1;
const ANSWER = 2;
const PROOF = 3;
const CREDENTIAL = 4;
const HEADER_LEN = 6;
const HUB_LABEL = utf8('nanomitter/1 hub');
const CLIENT_LABEL = utf8('nanomitter/1 client');
const SESSION_LABEL = utf8('nanomitter/1 session');
/** The direction bytes of tags: frames the dialer sends, frames the hub sends. */
const FROM_DIALER = 1;
const FROM_HUB = 2;

/**
 * The peer's proof of the secret did not check out (rather than a malformed message): the two
 * secrets differ, or the peer is not the cluster's hub.
 */
export class BadProof extends NanomitterError {
  constructor(message: string) {
    super('AuthFailed', message);
    this.name = 'BadProof';
  }
}

/** The secret's bytes, refusing (`InvalidSetting`) one that is not a string or bytes, or too short. */
export function secretBytes(secret: string | Uint8Array): Uint8Array {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    throw new NanomitterError('InvalidSetting', `the secret must be a string or a Uint8Array, not ${describe(secret)}`);
  }
  const bytes = typeof secret === 'string' ? utf8(secret) : secret;
  if (bytes.length < MIN_SECRET_LEN) {
    throw new NanomitterError('InvalidSetting', `the secret has ${bytes.length} bytes, fewer than the ${MIN_SECRET_LEN} required`);
  }
  return bytes;
}

function importKey(key: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** HMAC-SHA-256 under `key` over the concatenation of `parts`. */
export async function hmac(key: Uint8Array | CryptoKey, parts: readonly Uint8Array[]): Promise<Uint8Array> {
  const cryptoKey = key instanceof Uint8Array ? await importKey(key) : key;
  return new Uint8Array(await subtle().sign('HMAC', cryptoKey, concat(parts) as BufferSource));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function message(kind: number, parts: readonly Uint8Array[]): Uint8Array {
  return concat([MAGIC, Uint8Array.of(VERSION, kind), ...parts]);
}

function body(bytes: Uint8Array, kind: number, length: number): Uint8Array {
  if (bytes.length < HEADER_LEN || !sameBytes(bytes.subarray(0, 4), MAGIC)) {
    throw new NanomitterError('AuthFailed', 'malformed handshake message: not a handshake message');
  }
  if (bytes[4] !== VERSION) throw new NanomitterError('AuthFailed', 'malformed handshake message: another handshake version');
  if (bytes[5] !== kind) throw new NanomitterError('AuthFailed', 'malformed handshake message: unexpected message kind');
  if (bytes.length !== HEADER_LEN + length) throw new NanomitterError('AuthFailed', 'malformed handshake message: wrong length');
  return bytes.subarray(HEADER_LEN);
}

/** The dialer's handshake, after its challenge went out. */
export class Dialing {
  readonly challenge: Uint8Array;

  /**
   * Starts a handshake with a fresh nonce (or the one given, for the golden vectors). `secret`
   * is the cluster secret, or a scoped credential's key: then `claims` are the credential's
   * claims, sent with the nonce (challenge kind 4) so the hub derives the same key.
   */
  constructor(
    private readonly secret: Uint8Array,
    claims: Uint8Array | null = null,
    private readonly nonce: Uint8Array = webCrypto().getRandomValues(new Uint8Array(NONCE_LEN)),
  ) {
    this.challenge = claims ? message(CREDENTIAL, [nonce, claims]) : message(CHALLENGE, [nonce]);
  }

  /** The hub's answer: if it proves the secret, the proof to send and the session. */
  async answer(answer: Uint8Array): Promise<{ proof: Uint8Array; session: Session }> {
    const answered = body(answer, ANSWER, NONCE_LEN + PROOF_LEN);
    const hubNonce = answered.slice(0, NONCE_LEN);
    const hubProof = answered.subarray(NONCE_LEN);
    const expected = await hmac(this.secret, [HUB_LABEL, this.nonce, hubNonce]);
    if (!sameBytes(expected, hubProof)) throw new BadProof('the hub does not know the cluster secret');
    const proof = message(PROOF, [await hmac(this.secret, [CLIENT_LABEL, this.nonce, hubNonce])]);
    const key = await hmac(this.secret, [SESSION_LABEL, this.nonce, hubNonce]);
    const cryptoKey = await importKey(key);
    const session = {
      keyHex: toHex(key),
      sealer: new Tagger(cryptoKey, FROM_DIALER),
      opener: new Tagger(cryptoKey, FROM_HUB),
    };
    return { proof, session };
  }
}

/** A dialer's session: tags for what it sends, checks for what it receives. */
export interface Session {
  /** The session key, in hex (for the golden vectors' check). */
  keyHex: string;
  sealer: Tagger;
  opener: Tagger;
}

/** The tags of one direction's frames, in order. */
export class Tagger {
  private counter = 0n;

  constructor(
    private readonly key: CryptoKey,
    private readonly from: number,
  ) {}

  /** The tag of the next frame of this direction (the counter moves at the call). */
  tag(frame: Uint8Array): Promise<Uint8Array> {
    const counter = new Uint8Array(8);
    new DataView(counter.buffer).setBigUint64(0, this.counter, true);
    this.counter += 1n;
    return hmac(this.key, [Uint8Array.of(this.from), counter, frame]).then((full) => full.slice(0, TAG_LEN));
  }

  /** Checks the tag of the next frame of this direction; throws on a mismatch. */
  async check(frame: Uint8Array, tag: Uint8Array): Promise<void> {
    if (!sameBytes(await this.tag(frame), tag)) {
      throw new NanomitterError('AuthFailed', "a frame's authentication tag does not match");
    }
  }
}
