// The golden vectors of docs/vectors/ against the TypeScript implementation: the same files the
// Rust suite checks (tests/promises/vectors.rs), so the two cannot drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, FrameError, MAGIC, VERSION } from '../../dist/wire.js';
import { decodePayload, encodePayload } from '../../dist/codec.js';
import { Dialing, hmac } from '../../dist/auth.js';
import { decodeRefusal, encodeRefusal } from '../../dist/refusal.js';
import { fromHex, toHex, utf8 } from '../../dist/bytes.js';
import { readToken } from '../../dist/credential.js';
import { describe, fromDescription, loadVectors as load } from './frames_json.mjs';

const withoutData = (d) =>
  d.kind === 'events' ? { ...d, events: d.events.map(({ data, ...e }) => e) } : d;

const vectors = load('frames.json');

test('every frame vector encodes to its hex and decodes to its meaning', () => {
  assert.ok(vectors.frames.length >= 10);
  for (const v of vectors.frames) {
    assert.equal(toHex(encode(fromDescription(v.frame))), v.hex, `${v.name}: encoding`);
    const decoded = decode(fromHex(v.hex));
    assert.deepEqual(describe(decoded), withoutData(v.frame), `${v.name}: decoding`);
    if (decoded.kind !== 'events') continue;
    decoded.events.forEach((event, i) => {
      const expected = v.frame.events[i];
      const { data, ok } = decodePayload(event.codec, event.payload);
      assert.ok(ok, `${v.name}: event ${i} decodes`);
      if ('data' in expected) {
        assert.deepEqual(data, expected.data, `${v.name}: event ${i}'s value`);
        // And back: the value as decoded (keys in the payload's order) encodes to the same bytes.
        assert.equal(toHex(encodePayload(event.codec, data)), expected.payload, `${v.name}: event ${i} re-encoded`);
      } else {
        assert.equal(event.codec, 'bincode');
        assert.equal(toHex(data), expected.payload, 'bincode payloads arrive as their bytes');
      }
    });
  }
});

test('every malformed vector is refused for its reason', () => {
  for (const v of vectors.malformed) {
    assert.throws(
      () => decode(fromHex(v.hex)),
      (error) => error instanceof FrameError && error.reason === v.error,
      `${v.name}: expected ${v.error}`,
    );
  }
});

test('the preamble vectors are what this client expects of a hub', () => {
  for (const v of vectors.preambles) {
    assert.equal(toHex(Uint8Array.of(...MAGIC, VERSION, v.secret ? 1 : 0)), v.hex, v.name);
  }
});

test('the refusal vectors encode and decode as their reason and text, as in Rust', () => {
  assert.ok(vectors.refusals.length >= 6, 'every reason has a vector');
  for (const v of vectors.refusals) {
    assert.deepEqual(decodeRefusal(fromHex(v.hex)), { reason: v.reason, code: v.code, text: v.text }, v.name);
    if (v.reason !== 'other') assert.equal(toHex(encodeRefusal(v.reason, v.text)), v.hex, v.name);
  }
  assert.equal(decodeRefusal(fromHex(vectors.preambles[0].hex)), null, 'a preamble is no refusal');
});

test('the handshake vector: challenge, the hub proof checked, the proof, the key and the tags', async () => {
  const v = load('handshake.json');
  const dialing = new Dialing(utf8(v.secret), null, fromHex(v.dialer_nonce));
  assert.equal(toHex(dialing.challenge), v.challenge);
  const { proof, session } = await dialing.answer(fromHex(v.answer));
  assert.equal(toHex(proof), v.proof);
  assert.equal(session.keyHex, v.session_key);
  for (const tagged of v.tags) {
    const frame = fromHex(tagged.frame);
    if (tagged.from === 'dialer') {
      assert.equal(toHex(await session.sealer.tag(frame)), tagged.tag);
    } else {
      await session.opener.check(frame, fromHex(tagged.tag));
    }
  }
  // A hub that does not know the secret is refused before this side proves anything.
  const forged = fromHex(v.answer);
  forged[forged.length - 1] ^= 1;
  await assert.rejects(new Dialing(utf8(v.secret), null, fromHex(v.dialer_nonce)).answer(forged), (e) => e.code === 'AuthFailed' && /does not know the cluster secret/.test(e.message));
  // A tag out of order does not match.
  const key = fromHex(v.session_key);
  assert.equal((await hmac(key, [utf8('x')])).length, 32);
});

test('the credential vector: the token read, its claims in the challenge, its key proven', async () => {
  const v = load('credential.json');
  const { claims, key, scope } = readToken(v.token);
  assert.equal(toHex(claims), toHex(utf8(v.claims)));
  assert.equal(toHex(key), v.key);
  assert.deepEqual(scope, { name: 'alice', publish: ['chat.>'], listen: ['stockprice.>', 'chat.>'], expires: 4102444800 });
  const dialing = new Dialing(key, claims, fromHex(v.dialer_nonce));
  assert.equal(toHex(dialing.challenge), v.challenge);
  const { proof, session } = await dialing.answer(fromHex(v.answer));
  assert.equal(toHex(proof), v.proof);
  assert.equal(session.keyHex, v.session_key);
});

test('a hello may list at most 4,096 entries in each list, as in Rust', () => {
  const node = (i) => i.toString(16).padStart(16, '0');
  const hello = (n, which) => ({
    kind: 'hello', node: node(1), epoch: 1, role: 'client', joining: 'again', service: 's',
    lastSeq: 0, retainedFrom: 1,
    received: which === 'received' ? Array.from({ length: n }, (_, i) => ({ sender: node(i + 2), seq: 1 })) : [],
    members: which === 'members' ? Array.from({ length: n }, (_, i) => ({ node: node(i + 2), keyHash: node(i) })) : [],
    owed: which === 'owed' ? Array.from({ length: n }, (_, i) => ({ node: node(i + 2), held: 1 })) : [],
    proof: null,
  });
  for (const which of ['received', 'members', 'owed']) {
    assert.equal(decode(encode(hello(4096, which))).kind, 'hello');
    assert.throws(() => decode(encode(hello(4097, which))), (e) => e instanceof FrameError && e.reason === 'invalid');
  }
});
