// The hub is killed mid-stream: a Rust member takes over, the Node.js member links to it again,
// and every event, both ways, arrives exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../dist/index.js';
import { Process, waitUntil, wsAddress } from '../helpers.mjs';

for (const secret of [null, 'a cluster secret for the failover test']) {
  const name = secret ? 'with the cluster secret' : 'without a secret';
  test(`a hub killed mid-stream, ${name}: no event lost or duplicated, either way`, (t) => failover(t, secret));
}

async function failover(t, secret) {
  const address = await wsAddress();
  const env = secret ? { NANOMITTER_SECRET: secret } : {};
  const first = await Process.load('first-hub', address, 0, [], env);
  t.after(() => first.kill());
  assert.match(await first.waitStderr('connected'), /as Hub/);
  const worker = await Process.load('worker', address, 400, [], env);
  t.after(() => worker.kill());
  const workerId = await worker.nodeId();

  const js = new Emitter({ service: 'node-failover', livenessMs: 200, ...(secret ? { secret } : {}) });
  const fromWorker = [];
  const lagged = [];
  js.on('load', (event) => {
    if (event.node === workerId) fromWorker.push(event.seq);
  });
  js.on('$lagged', (event) => lagged.push(event.data));
  const hubChanged = [];
  js.on('$hub.changed', (event) => hubChanged.push(event.data.node));
  await js.connect(address);
  t.after(() => js.close());

  let emitted = 0;
  let emitting = true;
  const pace = (async () => {
    while (emitting) {
      try {
        js.emit('load', { n: emitted + 1, pad: 'x'.repeat(32) });
        emitted++;
      } catch (error) {
        if (error.code !== 'Overflow') throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();

  await waitUntil('events from the worker before the kill', () => fromWorker.length >= 200);
  await waitUntil('the hub to hear the Node.js member', () => emitted >= 100);
  await first.kill();
  await waitUntil('the worker to be the hub', () => worker.stderr.some((l) => l.includes('role Hub')));
  await waitUntil('the Node.js member to link to the new hub', () => hubChanged.includes(workerId));
  const afterKill = fromWorker.length;
  await waitUntil('events from the worker after the kill', () => fromWorker.length >= afterKill + 200);

  emitting = false;
  await pace;
  await js.flush();
  worker.send('stop');
  const workerEmitted = await worker.waitReply('stopped');
  await waitUntil('every event of the worker', () => fromWorker.at(-1) === workerEmitted);
  worker.send('report');
  const report = await worker.waitReply('report');

  // The worker holds every event of the Node.js member exactly once, from the first.
  const got = report.received[js.node];
  assert.ok(got, `the worker received nothing from ${js.node}: ${JSON.stringify(report)}`);
  assert.deepEqual({ count: got.count, unique: got.unique, min: got.min, max: got.max }, { count: emitted, unique: emitted, min: 1, max: emitted });
  // The Node.js member holds the worker's events exactly once, in order, without holes.
  assert.deepEqual(lagged, []);
  for (let i = 1; i < fromWorker.length; i++) assert.equal(fromWorker[i], fromWorker[i - 1] + 1, `at ${i}`);
  assert.equal(fromWorker.at(-1), workerEmitted);
  assert.equal(js.stats().gaps, 0);
}
