// The golden vectors of docs/vectors/ against the TypeScript implementation: the same files the
// Rust suite checks (tests/promises/vectors.rs), so the two cannot drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decode, encode, FrameError, MAGIC, VERSION } from '../../dist/wire.js';
import { decodePayload, encodePayload } from '../../dist/codec.js';
import { Dialing, hmac } from '../../dist/auth.js';
import { decodeRefusal, encodeRefusal } from '../../dist/refusal.js';
import { fromHex, toHex, utf8 } from '../../dist/bytes.js';

const load = (name) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../../docs/vectors/${name}`, import.meta.url)), 'utf8'));

/** A vector's description as the TypeScript frame type. */
function fromDescription(d) {
  switch (d.kind) {
    case 'events':
      return {
        kind: 'events', node: d.node, retainedFrom: d.retained_from, coversFrom: d.covers_from,
        coversTo: d.covers_to, service: d.service,
        events: d.events.map((e) => ({ seq: e.seq, codec: e.codec, topic: e.topic, payload: fromHex(e.payload) })),
      };
    case 'ack':
      return { kind: 'ack', node: d.node, epoch: d.epoch, acks: d.acks };
    case 'hello':
      return {
        kind: 'hello', node: d.node, epoch: d.epoch, role: d.role, joining: d.joining, service: d.service,
        lastSeq: d.last_seq, retainedFrom: d.retained_from, received: d.received, members: d.members, owed: d.owed,
      };
    case 'nack':
      return { kind: 'nack', node: d.node, sender: d.sender, fromSeq: d.from_seq };
    case 'left':
      return { kind: 'left', epoch: d.epoch, node: d.node, reason: d.reason };
    case 'interest':
      return { kind: 'interest', node: d.node, version: d.version, patterns: d.patterns };
    case 'relayed':
      return { kind: 'relayed', node: d.node, epoch: d.epoch, frames: d.frames };
    default:
      throw new Error(`unknown kind ${d.kind}`);
  }
}

/** A decoded frame in the vectors' shape (payloads as hex, without their decoded data). */
function describe(f) {
  switch (f.kind) {
    case 'events':
      return {
        kind: 'events', node: f.node, retained_from: f.retainedFrom, covers_from: f.coversFrom,
        covers_to: f.coversTo, service: f.service,
        events: f.events.map((e) => ({ seq: e.seq, codec: e.codec, topic: e.topic, payload: toHex(e.payload) })),
      };
    case 'hello':
      return {
        kind: 'hello', node: f.node, epoch: f.epoch, role: f.role, joining: f.joining, service: f.service,
        last_seq: f.lastSeq, retained_from: f.retainedFrom, received: f.received, members: f.members, owed: f.owed,
      };
    case 'nack':
      return { kind: 'nack', node: f.node, sender: f.sender, from_seq: f.fromSeq };
    default:
      return { ...f };
  }
}

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
  const dialing = new Dialing(utf8(v.secret), fromHex(v.dialer_nonce));
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
  await assert.rejects(new Dialing(utf8(v.secret), fromHex(v.dialer_nonce)).answer(forged), /does not know the cluster secret/);
  // A tag out of order does not match.
  const key = fromHex(v.session_key);
  assert.equal((await hmac(key, [utf8('x')])).length, 32);
});

test('a hello may list at most 4,096 entries in each list, as in Rust', () => {
  const node = (i) => i.toString(16).padStart(16, '0');
  const hello = (n, which) => ({
    kind: 'hello', node: node(1), epoch: 1, role: 'client', joining: 'again', service: 's',
    lastSeq: 0, retainedFrom: 1,
    received: which === 'received' ? Array.from({ length: n }, (_, i) => ({ sender: node(i + 2), seq: 1 })) : [],
    members: which === 'members' ? Array.from({ length: n }, (_, i) => node(i + 2)) : [],
    owed: which === 'owed' ? Array.from({ length: n }, (_, i) => ({ node: node(i + 2), held: 1 })) : [],
  });
  for (const which of ['received', 'members', 'owed']) {
    assert.equal(decode(encode(hello(4096, which))).kind, 'hello');
    assert.throws(() => decode(encode(hello(4097, which))), (e) => e instanceof FrameError && e.reason === 'invalid');
  }
});
