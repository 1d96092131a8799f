// A Node.js member with a scoped credential (a token minted by `nanomitter token`) in a cluster
// whose Rust hub holds the secret: it emits and receives only what its token allows, whatever it
// listens to, and a token expired, changed or minted with another secret is refused at once with
// the reason; members with the secret are unaffected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Emitter, connect, NanomitterError } from '../../dist/index.js';
import { Process, binary, waitUntil, wsAddress } from '../helpers.mjs';

const SECRET = 'a cluster secret for the tests';

/** A token minted by the CLI with `secret` and `args` (`--name`, `--publish`, ...). */
function mint(args, secret = SECRET) {
  const minted = spawnSync(binary(), ['token', ...args], { env: { ...process.env, NANOMITTER_SECRET: secret }, encoding: 'utf8' });
  assert.equal(minted.status, 0, minted.stderr);
  return minted.stdout.trim();
}

const ALICE = ['--name', 'alice', '--publish', 'chat.>', '--listen', 'stockprice.>', '--listen', 'chat.>', '--ttl', '1h'];

test('a member with a token emits and receives only what it allows, listening to everything', async (t) => {
  const address = await wsAddress();
  const hub = await Process.repl('hub', address, ['chat.>'], [], { NANOMITTER_SECRET: SECRET });
  t.after(() => hub.kill());
  const js = new Emitter({ service: 'page', token: mint(ALICE) });
  assert.deepEqual(js.scope.publish, ['chat.>']);
  const got = [];
  js.on('*', (event) => got.push(event));
  await js.connect(address);
  t.after(() => js.close());

  assert.throws(
    () => js.emit('stockprice.x', 1),
    (e) => e instanceof NanomitterError && e.code === 'Forbidden' && /does not allow emitting on "stockprice.x"/.test(e.message),
  );
  await hub.waitListeners('*', 1);
  js.emit('chat.room', 'from the page');
  await js.flush();
  assert.ok((await hub.waitEvents('chat.room', 1)).some((e) => e.data === 'from the page'));

  // One sender's events arrive in order: the allowed one after the forbidden one proves the
  // forbidden one was left out, not late.
  hub.send('secret.plans "not for the page"');
  hub.send('stockprice.x 250');
  hub.send('chat.room "from the hub"');
  await waitUntil('the hub\'s chat event', () => got.find((e) => e.topic === 'chat.room' && e.service === 'hub'));
  const fromHub = got.filter((e) => e.service === 'hub').map((e) => e.topic);
  assert.deepEqual(fromHub, ['stockprice.x', 'chat.room']);
});

test('a token expired, changed or minted with another secret is refused at once, with the reason', async (t) => {
  const address = await wsAddress();
  const hub = await Process.repl('hub', address, ['t'], [], { NANOMITTER_SECRET: SECRET });
  t.after(() => hub.kill());
  const [claims, key] = mint(ALICE).split('.');
  const widened = Buffer.from(Buffer.from(claims, 'base64url').toString().replace('"publish":["chat.>"]', '"publish":[">"]')).toString('base64url');
  assert.notEqual(widened, claims);
  const refusals = [
    [mint([...ALICE.slice(0, -2), '--ttl', '0s']), 'credential-expired', /credential expired/, 'refused a scoped node whose credential expired'],
    [`${widened}.${key}`, 'credential-invalid', /does not take this client's credential/, 'refused a scoped node whose credential was not minted'],
    [mint(ALICE, 'another cluster\'s secret, as long'), 'credential-invalid', /does not take this client's credential/, 'refused a scoped node whose credential was not minted'],
  ];
  for (const [token, reason, message, hubLine] of refusals) {
    const started = Date.now();
    await assert.rejects(
      connect(address, { token, connectTimeoutMs: 10_000 }),
      (e) => e instanceof NanomitterError && e.code === 'Refused' && e.reason === reason && message.test(e.message),
    );
    const took = Date.now() - started;
    assert.ok(took < 1000, `${reason}: reported after ${took} ms`);
    await hub.waitStderr(hubLine);
  }
  assert.throws(() => new Emitter({ token: 'not a token' }), (e) => e.code === 'InvalidSetting');
  assert.throws(() => new Emitter({ token: mint(ALICE), secret: SECRET }), /not both/);
  // A member with the secret is unaffected.
  const full = await connect(address, { secret: SECRET, service: 'full' });
  full.emit('t', 'with the secret');
  await full.flush();
  assert.ok((await hub.waitEvents('t', 1)).some((e) => e.data === 'with the secret'));
  await full.close();
});
