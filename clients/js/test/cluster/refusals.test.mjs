// Refusals this client meets from programs that play a hub's part over WebSocket (the `ws`
// package's server, on loopback): a hub of another wire format is reported at once; a hub that
// takes no more connections is dialed again, and reported with the connect timeout's error; a
// refusal of a reason this release does not know is dialed again too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import { connect, NanomitterError } from '../../dist/index.js';
import { MAGIC, VERSION } from '../../dist/wire.js';
import { encodeRefusal } from '../../dist/refusal.js';
import { lengthPrefix } from '../../dist/framing.js';
import { concat, utf8 } from '../../dist/bytes.js';
import { freePort } from '../helpers.mjs';

/** A server on a free loopback port that sends `message` (length-prefixed) on every connection. */
async function sayingOnEveryConnection(message) {
  const port = await freePort();
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise((resolve) => server.once('listening', resolve));
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    socket.send(concat([lengthPrefix(message), message]));
  });
  return { address: `ws://127.0.0.1:${port}/nm`, connections: () => connections, close: () => server.close() };
}

test('a hub of another wire format is reported at once, with its version', async (t) => {
  const hub = await sayingOnEveryConnection(Uint8Array.of(...MAGIC, VERSION + 1, 0));
  t.after(() => hub.close());
  const started = Date.now();
  await assert.rejects(
    connect(hub.address, { connectTimeoutMs: 10_000 }),
    (e) => e instanceof NanomitterError && e.code === 'Refused' && e.reason === 'wire-version' && e.message.includes(`wire format ${VERSION + 1}`),
  );
  const took = Date.now() - started;
  assert.ok(took < 1000, `reported after ${took} ms`);
  assert.equal(hub.connections(), 1, 'not dialed again');
});

test('a hub that takes no more connections, or refuses for a reason not known, is dialed again and named', async (t) => {
  const cases = [
    [encodeRefusal('over-limit', 'the hub has 4096 members'), /the hub takes no more connections for now \(the hub has 4096 members\)/],
    [Uint8Array.of(...utf8('NMNO'), 1, 200), /the hub refused this client \(reason 200\)/],
  ];
  for (const [refusal, said] of cases) {
    const hub = await sayingOnEveryConnection(refusal);
    t.after(() => hub.close());
    await assert.rejects(
      connect(hub.address, { connectTimeoutMs: 1500, reconnectMinMs: 50, reconnectMaxMs: 100 }),
      (e) => e instanceof NanomitterError && e.code === 'Unreachable' && said.test(e.message),
    );
    assert.ok(hub.connections() >= 2, `dialed ${hub.connections()} times`);
  }
});
