// A Node.js member and Rust processes (the `nanomitter` CLI) on one cluster: events both ways,
// patterns, MessagePack both ways, membership notices, the cluster secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter, connect, NanomitterError } from '../../dist/index.js';
import { Process, waitUntil, wsAddress } from '../helpers.mjs';

const SECRET = 'a cluster secret for the tests';

test('events flow both ways between a Rust hub and a Node.js member, by pattern', async (t) => {
  const address = await wsAddress();
  const hub = await Process.repl('hub', address, ['stock.*']);
  t.after(() => hub.kill());
  assert.match(await hub.waitStderr('connected'), /as Hub/);

  const js = new Emitter({ service: 'node-test' });
  const got = [];
  js.on('stock.>', (event) => got.push(event));
  const joined = js.waitFor('$peer.joined', 10_000);
  await js.connect(address);
  t.after(() => js.close());
  // As the Rust side spells it, in notices and in peers() alike.
  assert.deepEqual((await joined).data, { node: await hub.nodeId(), service: 'hub', role: 'hub' });
  assert.deepEqual(js.peers(), [{ node: await hub.nodeId(), service: 'hub', role: 'hub' }]);
  assert.equal(js.hubNode, await hub.nodeId());

  // Rust -> JS: the pattern `stock.>` takes stock.msft.bid, and nothing else arrives here.
  await hub.waitListeners('stock.msft.bid', 1);
  hub.send('other.topic {"skip":true}');
  hub.send('stock.msft.bid {"price":2}');
  await waitUntil('the event from the hub', () => got.length >= 1);
  assert.deepEqual(
    { topic: got[0].topic, service: got[0].service, data: got[0].data, codec: got[0].codec, node: got[0].node },
    { topic: 'stock.msft.bid', service: 'hub', data: { price: 2 }, codec: 'json', node: await hub.nodeId() },
  );

  // JS -> Rust, JSON and MessagePack (which the CLI shows as the value it holds).
  const seq = js.emit('stock.aapl', { price: 251.3, tags: ['x'] });
  js.emit('stock.aapl', { price: 252.5, open: true }, { codec: 'msgpack' });
  js.emit('not.listened', 1);
  await js.flush();
  const events = await hub.waitEvents('stock.aapl', 2);
  assert.deepEqual(events.map((e) => [e.service, e.node, e.data]), [
    ['node-test', js.node, { price: 251.3, tags: ['x'] }],
    ['node-test', js.node, { price: 252.5, open: true }],
  ]);
  assert.equal(events[0].seq, seq);
  assert.equal(hub.events('not.listened').length, 0);
  // Local echo: this node's listeners got its own stock events too, in order.
  assert.deepEqual(got.filter((e) => e.node === js.node).map((e) => e.seq), [seq, seq + 1]);
});

test('a MessagePack event from a Rust process reads as an object, a bincode one as bytes', async (t) => {
  const address = await wsAddress();
  const hub = await Process.repl('hub', address, []);
  t.after(() => hub.kill());
  const js = await connect(address, { service: 'node-test' });
  t.after(() => js.close());
  const typed = js.waitFor('typed', 15_000);
  const fields = '"ticker":"AAPL","price":251.3,"volume":1200000,"open":true,"big":18446744073709551615';
  const first = new Process('emit-msgpack', ['emit', '--addr', address, '--msgpack', 'typed', `{${fields}}`]);
  assert.equal(await first.exited, 0, first.stderr.join('\n'));
  const event = await typed;
  assert.equal(event.codec, 'msgpack');
  // MessagePack keeps a u64 past 2^53 exact, as a bigint.
  assert.deepEqual(event.data, { ticker: 'AAPL', price: 251.3, volume: 1200000, open: true, big: 18446744073709551615n });
  // JSON rounds it to the nearest double, as the README says.
  const asJson = js.waitFor('typed', 15_000);
  const second = new Process('emit-json', ['emit', '--addr', address, 'typed', `{${fields}}`]);
  assert.equal(await second.exited, 0, second.stderr.join('\n'));
  const rounded = (await asJson).data.big;
  assert.equal(rounded, 2 ** 64);
  assert.notEqual(BigInt(rounded), 18446744073709551615n);

  const load = await Process.load('loader', address, 200);
  t.after(() => load.kill());
  const binary = await js.waitFor('load', 15_000);
  assert.equal(binary.codec, 'bincode');
  assert.ok(binary.data instanceof Uint8Array && binary.data.length > 16, 'the bincode bytes as they are');
});

test('with the cluster secret: members that know it exchange events, others are refused with the reason', async (t) => {
  const address = await wsAddress();
  const hub = await Process.repl('hub', address, ['t'], [], { NANOMITTER_SECRET: SECRET });
  t.after(() => hub.kill());
  const js = await connect(address, { secret: SECRET, service: 'node-secret' });
  t.after(() => js.close());
  const got = [];
  js.on('t', (event) => got.push(event));
  await hub.waitListeners('t', 2);
  js.emit('t', 'from js');
  await js.flush();
  hub.send('t "from rust"');
  await waitUntil('the hub\'s event', () => got.find((e) => e.service === 'hub'));
  assert.deepEqual(got.map((e) => e.data), ['from js', 'from rust'], 'its own (local echo), then the hub\'s');
  assert.ok((await hub.waitEvents('t', 2)).some((e) => e.data === 'from js'));

  // Refused at once with the reason, well within the 10 s connect timeout; the hub says why too.
  const refusals = [
    [{ secret: 'not the cluster secret at all' }, 'wrong-secret', /the two secrets differ/, 'refused a node whose cluster secret differs from this hub\'s'],
    [{}, 'secret-required', /the hub requires the cluster secret and this client has none/, 'refused a node without the cluster secret this hub requires'],
  ];
  for (const [options, reason, message, hubLine] of refusals) {
    const started = Date.now();
    await assert.rejects(
      connect(address, { ...options, connectTimeoutMs: 10_000 }),
      (e) => e instanceof NanomitterError && e.code === 'Refused' && e.reason === reason && message.test(e.message),
    );
    const took = Date.now() - started;
    assert.ok(took < 1000, `${reason}: reported after ${took} ms`);
    await hub.waitStderr(hubLine);
  }
  assert.throws(() => new Emitter({ secret: 'short' }), /fewer than the 16 required/);
});
