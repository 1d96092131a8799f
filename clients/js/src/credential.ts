/**
 * A scoped credential (docs/wire.md §5.1), as its holder has it: the token a server minted with
 * the cluster secret, read into the claims' bytes (sent in the handshake), their key (proven in
 * it, never sent) and what the claims allow.
 *
 * Owns: reading a token and checking an emit against the claims. Must not mint (only a holder
 * of the secret can) nor decide whether the hub takes the credential: the hub checks the key in
 * the handshake and enforces the claims on every frame; the check here only refuses at once what
 * the hub would refuse.
 */

import { fromUtf8 } from './bytes.js';
import { NanomitterError, describe } from './errors.js';
import { matches, topicError } from './topic.js';

/** The length of a credential's key (a whole HMAC-SHA-256). */
const KEY_LEN = 32;
/** The most bytes a credential's claims may have (the hub's bound, docs/wire.md §1). */
const MAX_CLAIMS_LEN = 4096 - 6 - 32;

/** What a credential allows its holder, as its issuer wrote it. */
export interface Scope {
  /** Who holds it, for the hub's logs. */
  name: string;
  /** Patterns of the topics it may emit on. */
  publish: string[];
  /** Patterns of the topics it may receive: the hub relays nothing else to it. */
  listen: string[];
  /** When it expires, in seconds since the Unix epoch. */
  expires: number;
}

/** A credential read from its token. */
export interface Credential {
  /** The claims' bytes exactly as signed: what the handshake sends. */
  claims: Uint8Array;
  /** The claims' key: what the handshake proves in place of the cluster secret. */
  key: Uint8Array;
  /** What the claims allow. */
  scope: Scope;
}

function invalid(why: string): NanomitterError {
  return new NanomitterError('InvalidSetting', `not a valid credential token: ${why}`);
}

/** Base64url without padding (as the token carries it) to bytes; throws on another alphabet. */
function base64url(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw invalid(`the ${what}' base64url`);
  const standard = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(standard);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function patterns(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || topicError(p, true) !== null)) {
    throw invalid(`${field} must be a list of valid patterns`);
  }
  return value as string[];
}

/** Reads a token (`base64url(claims) "." base64url(key)`); refuses (`InvalidSetting`) one that does not read. */
export function readToken(token: unknown): Credential {
  if (typeof token !== 'string') throw new NanomitterError('InvalidSetting', `the token must be a string, not ${describe(token)}`);
  const parts = token.trim().split('.');
  if (parts.length !== 2) throw invalid('a token has two parts');
  const claims = base64url(parts[0], 'claims');
  const key = base64url(parts[1], 'key');
  if (key.length !== KEY_LEN) throw invalid('a key has 32 bytes');
  if (claims.length > MAX_CLAIMS_LEN) throw invalid('the claims are too long');
  let read: Record<string, unknown>;
  try {
    read = JSON.parse(fromUtf8(claims)) as Record<string, unknown>;
  } catch {
    throw invalid('the claims are not JSON');
  }
  if (read === null || typeof read !== 'object' || read.v !== 1) throw invalid('another version of the claims');
  const { name, expires } = read;
  if (typeof name !== 'string' || name.length === 0) throw invalid('the name must be a string');
  if (typeof expires !== 'number' || !Number.isSafeInteger(expires) || expires < 0) throw invalid('expires must be a number of seconds');
  const scope = { name, publish: patterns(read.publish, 'publish'), listen: patterns(read.listen, 'listen'), expires };
  return { claims, key, scope };
}

/** Refuses (`Forbidden`) an emit on a topic the scope does not let its holder publish. */
export function checkPublish(scope: Scope | null, topic: string): void {
  if (scope && !scope.publish.some((pattern) => matches(pattern, topic))) {
    throw new NanomitterError('Forbidden', `this client's credential does not allow emitting on ${describe(topic)}`);
  }
}
