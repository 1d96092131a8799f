// Nanomitter's API (`DistributedEventEmitter`) next to a Rust hub on tcp://, and what the Emitter
// takes from it: a service name as the first argument, `connect()` with the default address
// (`$NANOMITTER_ADDR` overriding it), `emit({ topic, data })`, and a no-hub error that says how to
// start one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ADDRESS, DistributedEventEmitter, Emitter, HEARTBEAT_TOPIC, NanomitterError, defaultCandidates } from '../../dist/index.js';
import { Process, freePort, tcpAddress, waitUntil } from '../helpers.mjs';

/** Runs `body` with `$NANOMITTER_ADDR` set to `value` (unset for `undefined`), then restores it. */
async function withAddressEnv(value, body) {
  const before = process.env.NANOMITTER_ADDR;
  if (value === undefined) delete process.env.NANOMITTER_ADDR;
  else process.env.NANOMITTER_ADDR = value;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env.NANOMITTER_ADDR;
    else process.env.NANOMITTER_ADDR = before;
  }
}

test('DistributedEventEmitter: connect() on the default address, heartbeats, { topic, data } both ways, chained listeners', async (t) => {
  const address = await tcpAddress();
  const hub = await Process.repl('hub', address, [HEARTBEAT_TOPIC, 'stockprice']);
  t.after(() => hub.kill());

  const emitter = new DistributedEventEmitter('worker', 100);
  const connected = await withAddressEnv(address, () => emitter.connect());
  t.after(() => emitter.close());
  assert.equal(connected, emitter);
  assert.equal(emitter.serviceName, 'worker');
  assert.equal(emitter.emitter.hubAddress, address);

  // The heartbeat, every 100 ms, as the Rust hub sees it.
  const beats = await hub.waitEvents(HEARTBEAT_TOPIC, 2);
  assert.deepEqual(beats.slice(0, 2).map((e) => [e.service, e.node, e.data]), [
    ['worker', emitter.emitter.node, { service: 'worker' }],
    ['worker', emitter.emitter.node, { service: 'worker' }],
  ]);

  // emit({ topic, data }) reaches the Rust hub, and this node's own listener (local echo).
  const echoed = [];
  const onPrice = (msg) => echoed.push(msg);
  assert.equal(emitter.on('stockprice', onPrice), emitter);
  await hub.waitListeners('stockprice', 2);
  emitter.emit({ topic: 'stockprice', data: { ticker: 'AAPL', price: 251.3 } });
  const [price] = await hub.waitEvents('stockprice', 1);
  assert.deepEqual([price.service, price.data], ['worker', { ticker: 'AAPL', price: 251.3 }]);
  await waitUntil('the local echo', () => echoed.length >= 1);
  assert.deepEqual(echoed, [{ topic: 'stockprice', data: { ticker: 'AAPL', price: 251.3 } }], 'exactly { topic, data }');

  // Listeners get { topic, data } and nothing else; every method chains.
  const calls = [];
  const a = (msg) => calls.push(['a', msg]);
  const b = (msg) => calls.push(['b', msg]);
  const once = (msg) => calls.push(['once', msg]);
  const all = (msg) => calls.push(['*', msg.topic]);
  assert.equal(emitter.addListener('news', a).on('news', b).on('news', a).once('news', once).on('*', all), emitter);
  await hub.waitListeners('news', 1);
  hub.send('news {"n":1}');
  await waitUntil('the first news', () => calls.filter(([who]) => who === '*').some(([, topic]) => topic === 'news'));
  const first = calls.filter(([who]) => who !== '*');
  assert.deepEqual(first, [
    ['a', { topic: 'news', data: { n: 1 } }],
    ['b', { topic: 'news', data: { n: 1 } }],
    ['a', { topic: 'news', data: { n: 1 } }],
    ['once', { topic: 'news', data: { n: 1 } }],
  ]);

  // One instance of `a` goes; then every listener of `news`; then every listener.
  calls.length = 0;
  assert.equal(emitter.removeListener('news', a), emitter);
  hub.send('news {"n":2}');
  await waitUntil('the second news', () => calls.some(([who, topic]) => who === '*' && topic === 'news'));
  assert.deepEqual(calls.filter(([who]) => who !== '*').map(([who]) => who), ['a', 'b'], 'the most recent a went');
  calls.length = 0;
  assert.equal(emitter.removeAllListeners('news'), emitter);
  hub.send('news {"n":3}');
  await waitUntil('the third news', () => calls.some(([who, topic]) => who === '*' && topic === 'news'));
  assert.deepEqual(calls.filter(([who]) => who !== '*'), []);
  assert.equal(emitter.removeAllListeners(), emitter);
  assert.equal(emitter.emitter.listenerCount(), 0);
});

test('Emitter: a service name first, connect() with the default address, emit({ topic, data })', async (t) => {
  const address = await tcpAddress();
  const hub = await Process.repl('hub', address, ['t']);
  t.after(() => hub.kill());

  const js = new Emitter('worker', { codec: 'msgpack' });
  assert.equal(js.service, 'worker');
  assert.equal(new Emitter({ service: 'web' }).service, 'web');
  assert.equal(new Emitter().service, 'js');
  assert.throws(() => new Emitter('x'.repeat(256)), (e) => e instanceof NanomitterError && e.code === 'InvalidSetting');
  await withAddressEnv(address, () => js.connect());
  t.after(() => js.close());
  assert.equal(js.hubAddress, address);

  await hub.waitListeners('t', 1);
  const seq = js.emit({ topic: 't', data: { as: 'one object' } });
  js.emit({ topic: 't', data: 'with options' }, { codec: 'json' });
  js.emit('t', 'as two arguments');
  await js.flush();
  const events = await hub.waitEvents('t', 3);
  assert.deepEqual(events.map((e) => [e.service, e.seq, e.data]), [
    ['worker', seq, { as: 'one object' }],
    ['worker', seq + 1, 'with options'],
    ['worker', seq + 2, 'as two arguments'],
  ]);
  assert.throws(() => js.emit({ data: 1 }), (e) => e.code === 'InvalidTopic' && /one \{ topic, data \} object/.test(e.message));
  assert.throws(() => js.emit({ topic: 'a.*', data: 1 }), (e) => e.code === 'InvalidTopic' && /wildcards/.test(e.message));
});

test('the default address is tcp://127.0.0.1:55555, or $NANOMITTER_ADDR; with no hub there, the error says how to start one', async () => {
  assert.equal(DEFAULT_ADDRESS, 'tcp://127.0.0.1:55555');
  await withAddressEnv(undefined, () => assert.deepEqual(defaultCandidates(), ['tcp://127.0.0.1:55555']));
  await withAddressEnv(' tcp://127.0.0.1:1 , ws://127.0.0.1:2/nm ', () => assert.deepEqual(defaultCandidates(), ['tcp://127.0.0.1:1', 'ws://127.0.0.1:2/nm']));

  const nowhere = `tcp://127.0.0.1:${await freePort()}`;
  const tried = withAddressEnv(nowhere, () => new DistributedEventEmitter('lonely', 60000, { connectTimeoutMs: 300 }).connect());
  await assert.rejects(tried, (e) => {
    assert.ok(e instanceof NanomitterError);
    assert.equal(e.code, 'Unreachable');
    assert.match(e.message, new RegExp(`^no hub at ${nowhere} within 300 ms \\(.*ECONNREFUSED.*\\): start one with \`nanomitter hub -a ${nowhere}\`$`));
    return true;
  });
  await assert.rejects(new Emitter({ connectTimeoutMs: 300 }).connect(nowhere.replace('tcp://', 'udp://')), (e) => e.code === 'InvalidSetting' && /not an address a member can dial/.test(e.message));
  assert.throws(() => new DistributedEventEmitter('x', -1), (e) => e.code === 'InvalidSetting');
});
