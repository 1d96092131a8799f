/**
 * The Web Crypto API: `globalThis.crypto` in browsers and Node.js 19+ (Node.js 18 has it with
 * `--experimental-global-webcrypto`). Looked up at first use, so that loading the package needs
 * no top-level await (CommonJS and IIFE bundles load it too).
 *
 * Owns: finding the API, and saying clearly when it or its `subtle` half (which the secret's
 * handshake needs) is missing. Must not compute anything itself.
 */

import { NanomitterError } from './errors.js';

/** The runtime's Web Crypto API; `Unsupported` when there is none. */
export function webCrypto(): Crypto {
  const found = (globalThis as { crypto?: Crypto }).crypto;
  if (typeof found?.getRandomValues !== 'function') {
    throw new NanomitterError(
      'Unsupported',
      'no Web Crypto API (globalThis.crypto) in this runtime: Node.js 18 offers it with --experimental-global-webcrypto',
    );
  }
  return found;
}

/** `crypto.subtle`, which browsers offer only on secure pages (https, or localhost). */
export function subtle(): SubtleCrypto {
  const found = webCrypto().subtle;
  if (!found) {
    throw new NanomitterError(
      'Unsupported',
      'the Web Crypto API (crypto.subtle) is not available here: browsers offer it only on https or localhost pages',
    );
  }
  return found;
}
