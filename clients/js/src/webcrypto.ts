/**
 * The Web Crypto API: `globalThis.crypto` in browsers and Node.js 19+, `node:crypto`'s
 * `webcrypto` on Node.js 18.
 *
 * Owns: finding the API once, and saying clearly when its `subtle` half (which the secret's
 * handshake needs) is missing. Must not compute anything itself.
 */

async function find(): Promise<Crypto> {
  if (typeof globalThis.crypto?.getRandomValues === 'function') return globalThis.crypto;
  const nodeCrypto = 'node:crypto';
  const module: { webcrypto?: Crypto } = await import(nodeCrypto);
  if (!module.webcrypto) throw new Error('no Web Crypto API in this runtime');
  return module.webcrypto;
}

export const webCrypto: Crypto = await find();

/** `crypto.subtle`, which browsers offer only on secure pages (https, or localhost). */
export function subtle(): SubtleCrypto {
  if (!webCrypto.subtle) {
    throw new Error('the Web Crypto API (crypto.subtle) is not available here: browsers offer it only on https or localhost pages');
  }
  return webCrypto.subtle;
}
