/**
 * The Web Crypto API: `globalThis.crypto` in browsers and Node.js 19+, `node:crypto`'s
 * `webcrypto` on Node.js 18.
 *
 * Owns: finding the API once. Must not compute anything itself.
 */

async function find(): Promise<Crypto> {
  if (globalThis.crypto?.subtle) return globalThis.crypto;
  const nodeCrypto = 'node:crypto';
  const module: { webcrypto?: Crypto } = await import(nodeCrypto);
  if (!module.webcrypto?.subtle) throw new Error('no Web Crypto API in this runtime');
  return module.webcrypto;
}

export const webCrypto: Crypto = await find();
