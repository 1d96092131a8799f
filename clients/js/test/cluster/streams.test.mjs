// A Node.js member on the Rust hub's own transports: `tcp://` (the Rust default) across two hub
// kills, `ipc://` (a Unix domain socket) and `tls+tcp://` (with a certificate that verifies, and
// with ones that do not). Every event, both ways, arrives exactly once and in each sender's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Emitter, NanomitterError } from '../../dist/index.js';
import { Process, hasOpenssl, makeCertificates, tcpAddress, tempDir, waitUntil } from '../helpers.mjs';

/** 1, 2, ..., n. */
const upTo = (n) => Array.from({ length: n }, (_, i) => i + 1);

/** Asserts `seqs` is 1, 2, ..., its length: no gap, no duplicate, in order. */
function assertFromOne(seqs, what) {
  assert.deepEqual(seqs, upTo(seqs.length), what);
}

test('a Node.js member on tcp:// and Rust members across two hub kills: every event once, in order, both ways', async (t) => {
  const address = await tcpAddress();
  const rust = [];
  for (const name of ['rust-a', 'rust-b', 'rust-c']) {
    const node = await Process.repl(name, address, ['js'], ['--liveness', '0.2']);
    t.after(() => node.kill());
    node.id = await node.nodeId();
    node.sent = 0;
    rust.push(node);
  }
  assert.match(await rust[0].waitStderr('connected'), /as Hub/);

  const js = new Emitter('node-tcp', { livenessMs: 200 });
  const fromRust = new Map(rust.map((node) => [node.id, []]));
  js.on('rust', (event) => fromRust.get(event.node).push(event.seq));
  const lagged = [];
  js.on('$lagged', (event) => lagged.push(event.data));
  const hubs = [];
  js.on('$hub.changed', (event) => hubs.push(event.data.node));
  await js.connect(address);
  t.after(() => js.close());
  assert.equal(js.hubAddress, address);
  // Every Rust node routes `rust` here before it emits one: each sender's first event is seq 1.
  for (const node of rust) await node.waitListeners('rust', 1);

  // Every 4 ms: one event from the Node.js member, one from each Rust node still alive.
  const alive = new Set(rust);
  let emitted = 0;
  let emitting = true;
  const pace = (async () => {
    while (emitting) {
      try {
        js.emit('js', { n: emitted + 1 });
        emitted++;
      } catch (error) {
        if (error.code !== 'Overflow') throw error;
      }
      for (const node of alive) node.send(`rust {"n":${++node.sent}}`);
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
  })();
  const jsAt = (node) => node.events('js').filter((e) => e.node === js.node).map((e) => e.seq);
  const progress = async (what) => {
    const mark = new Map([...alive].map((node) => [node, [fromRust.get(node.id).length, jsAt(node).length]]));
    await waitUntil(`events both ways ${what}`, () =>
      [...alive].every((node) => fromRust.get(node.id).length >= mark.get(node)[0] + 200 && jsAt(node).length >= mark.get(node)[1] + 200),
    );
  };
  const killHub = async (hub) => {
    alive.delete(hub);
    await hub.kill();
    const next = await waitUntil('a Rust node to take over', () => [...alive].find((node) => node.stderr.some((l) => l.includes('role Hub'))));
    await waitUntil('the Node.js member to link to the new hub', () => hubs.at(-1) === next.id);
    return next;
  };

  await progress('before the first kill');
  const second = await killHub(rust[0]);
  await progress('after the first kill');
  const last = await killHub(second);
  await progress('after the second kill');
  assert.deepEqual(hubs, [rust[0].id, second.id, last.id]);

  emitting = false;
  await pace;
  await js.flush();
  last.send('.flush');
  await last.waitReply('flushed');
  await waitUntil('every event of the last Rust node', () => fromRust.get(last.id).length >= last.sent);
  await waitUntil('every event of the Node.js member at the last Rust node', () => jsAt(last).length >= emitted);

  // Here: each Rust node's events from its first, without a gap or a duplicate, in order; all of
  // the survivor's. (A node killed loses what it had not handed to the hub: only its tail.)
  for (const node of rust) assertFromOne(fromRust.get(node.id), `the events of ${node.name}`);
  assert.equal(fromRust.get(last.id).length, last.sent);
  // There: the Node.js member's events in order, all of them at the survivor, a prefix elsewhere.
  for (const node of rust) assertFromOne(jsAt(node), `the Node.js member's events at ${node.name}`);
  assert.equal(jsAt(last).length, emitted);
  assert.deepEqual(lagged, []);
  assert.equal(js.stats().gaps, 0);
});

/** `n` events each way between `js` and the Rust node `rust`, each side's in order, all of them. */
async function exchange(js, rust, n) {
  const got = [];
  js.on('rust', (event) => got.push(event));
  await rust.waitListeners('rust', 1);
  for (let i = 1; i <= n; i++) {
    js.emit('js', { n: i });
    rust.send(`rust {"n":${i}}`);
  }
  await js.flush();
  const atRust = await rust.waitEvents('js', n);
  await waitUntil(`${n} events from ${rust.name}`, () => got.length >= n);
  const rustId = await rust.nodeId();
  assert.deepEqual(atRust.map((e) => [e.node, e.seq, e.data.n]), upTo(n).map((i) => [js.node, i, i]));
  assert.deepEqual(got.map((e) => [e.node, e.seq, e.data.n]), upTo(n).map((i) => [rustId, i, i]));
}

test('a Node.js member on ipc:// exchanges events both ways with a Rust hub', async (t) => {
  const address = `ipc://${path.join(tempDir(t, 'ipc'), 'hub.sock')}`;
  const hub = await Process.repl('hub', address, ['js']);
  t.after(() => hub.kill());
  assert.match(await hub.waitStderr('connected'), /as Hub/);
  const js = await new Emitter('node-ipc').connect(address);
  t.after(() => js.close());
  assert.equal(js.hubAddress, address);
  await exchange(js, hub, 200);
});

test('a Node.js member on tls+tcp:// exchanges events with a Rust hub whose certificate verifies, and refuses others', { skip: !hasOpenssl && 'no openssl to make certificates with' }, async (t) => {
  const certificates = makeCertificates(tempDir(t, 'tls'));
  const address = `tls+tcp://127.0.0.1:${(await tcpAddress()).split(':').at(-1)}`;
  const hub = await Process.repl('hub', address, ['js'], ['--tls-ca', certificates.caFile, '--tls-cert-key', certificates.hubFile]);
  t.after(() => hub.kill());
  assert.match(await hub.waitStderr('connected'), /as Hub/);

  const js = await new Emitter('node-tls', { tls: { ca: certificates.ca } }).connect(address);
  t.after(() => js.close());
  await exchange(js, hub, 200);
  // The name defaults to the address's host (an IP address the certificate lists); a DNS name
  // the certificate lists does as well.
  const named = await new Emitter('node-tls-named', { tls: { ca: Buffer.from(certificates.ca), serverName: 'localhost' } }).connect(address);
  await named.close();

  const refused = (message) => (e) => e instanceof NanomitterError && e.code === 'Unreachable' && message.test(e.message);
  await assert.rejects(
    new Emitter({ tls: { ca: certificates.otherCa }, connectTimeoutMs: 1500 }).connect(address),
    refused(/the hub's certificate does not verify \([A-Z_]+, checked against the given certificate authorities\)/),
  );
  await assert.rejects(
    new Emitter({ tls: { ca: certificates.ca, serverName: 'hub.example.org' }, connectTimeoutMs: 1500 }).connect(address),
    refused(/the hub's certificate does not verify \(.*hub\.example\.org/),
  );
  await assert.rejects(
    new Emitter().connect(address),
    (e) => e.code === 'InvalidSetting' && /a TLS address needs the TLS settings/.test(e.message),
  );
});
