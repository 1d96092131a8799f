// A Node.js member that sends a browser's `Origin` header to a Rust hub: refused at once, with
// the reason, when the hub does not allow the origin (not after the connect timeout, and not as
// a bare "WebSocket closed"); linked when it does. The member's WebSocket is the global one
// (what a browser has): here the `ws` package's, sending the origin as a browser would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket as NodeWebSocket } from 'ws';
import { connect, NanomitterError } from '../../dist/index.js';
import { Process, waitUntil, wsAddress } from '../helpers.mjs';

const PAGE_ORIGIN = 'http://page.example';

globalThis.WebSocket = class extends NodeWebSocket {
  constructor(url) {
    super(url, [], { origin: PAGE_ORIGIN, perMessageDeflate: false });
  }
};

test('a browser origin the hub does not allow is refused within a second, with the reason', async (t) => {
  const address = await wsAddress();
  const hub = await Process.repl('hub', address, ['t'], ['--ws-origin', 'http://other.example']);
  t.after(() => hub.kill());

  const started = Date.now();
  await assert.rejects(
    connect(address, { service: 'page', connectTimeoutMs: 10_000 }),
    (e) =>
      e instanceof NanomitterError &&
      e.code === 'Refused' &&
      e.reason === 'origin-not-allowed' &&
      e.message.includes(`origin ${PAGE_ORIGIN} is not allowed`),
  );
  const took = Date.now() - started;
  assert.ok(took < 1000, `reported after ${took} ms`);
  await hub.waitStderr('refused a websocket connection from a browser origin not allowed');
});

test('a browser origin the hub allows links', async (t) => {
  const address = await wsAddress();
  const hub = await Process.repl('hub', address, ['t'], ['--ws-origin', PAGE_ORIGIN]);
  t.after(() => hub.kill());
  const js = await connect(address, { service: 'page', connectTimeoutMs: 10_000 });
  t.after(() => js.close());
  const hubNode = await hub.nodeId();
  await waitUntil('the hub\'s hello', () => js.hubNode === hubNode);
});
