// The browser demo (examples/browser) in headless Chromium (the system's `chromium`, driven by
// playwright-core; no browser is downloaded): the page links to a Rust hub over ws:// with its
// Origin allowed, shows the Rust ticker's events, shows chat messages (its own and a Rust
// worker's) and emits events a Rust worker prints; then the hub is killed and every event, both
// ways, still arrives exactly once. The page holds a scoped credential its server minted, never
// the secret: it shows what it may do, its emits elsewhere are refused, and listening to
// everything it gets only what the credential allows; a token widened in the page, or expired,
// is refused within a second with the reason. The page's script-tag bundle defines the global
// `nanomitter`, and a tcp:// address is refused in the page with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromiumPage, withoutChromium } from './chromium.mjs';
import { PAGE_SCOPE, startDemo } from '../../../../examples/browser/serve.mjs';
import { binary, freePort, waitUntil } from '../helpers.mjs';

test('the demo page and Rust workers exchange events both ways across a hub kill, exactly once', { skip: withoutChromium }, async (t) => {
  const demo = await startDemo({ httpPort: await freePort(), wsPort: await freePort(), tickMs: 10 });
  t.after(() => demo.stop());
  const { page, problems } = await chromiumPage(t);
  await page.goto(demo.url);
  // The page's module sets `window.demo` once it has started; until then there is no state.
  const state = () => page.evaluate(() => window.demo && { ...window.demo, emitter: undefined, node: window.demo.emitter.node });

  await waitUntil('the page to link', async () => {
    const now = await state();
    return now && (now.linked || now.error);
  });
  const { node, error } = await state();
  assert.equal(error, null);
  assert.match(await page.textContent('#status'), /linked/);
  const tickerEvents = async () => Object.values((await state()).received)[0] ?? [];
  await waitUntil('the ticker\'s events in the page', async () => (await tickerEvents()).length >= 20);
  await waitUntil('a price row on the page', async () => (await page.locator('#prices tr').count()) > 0);

  // The script-tag bundle (dist/browser/nanomitter.iife.js) defines the global `nanomitter`.
  await page.addScriptTag({ url: '/nanomitter/browser/nanomitter.iife.js' });
  assert.match(await page.evaluate(() => new window.nanomitter.Emitter().node), /^[0-9a-f]{16}$/);

  // Chat: the page shows what it emits through its form and what a Rust worker emits.
  const messages = () => page.locator('#messages li').allTextContents();
  await page.click('#chat button');
  await waitUntil('the page\'s chat message on the page', async () => (await messages()).some((m) => m.startsWith('browser (this page): hello from the browser')));
  demo.processes.printer.send('chat {"text":"hello from rust"}');
  await waitUntil('the Rust worker\'s chat message on the page', async () => (await messages()).some((m) => /^printer \([0-9a-f]{16}\): hello from rust$/.test(m)));

  // The page emits steadily; the printer worker prints its events.
  await page.evaluate(() => {
    window.demo.timer = setInterval(() => {
      window.demo.emitted = window.demo.emitter.emit('chat', { text: 'tick' });
    }, 5);
  });
  const chatFromPage = () =>
    demo.processes.printer.lines.map((l) => JSON.parse(l)).filter((e) => e.topic === 'chat' && e.node === node);
  await waitUntil('the printer to print the page\'s events', () => chatFromPage().length >= 20);

  // The hub dies; a worker takes over; the page links to it.
  const before = (await state()).hub;
  demo.processes.hub.child.kill('SIGKILL');
  await waitUntil('the page to hear of the new hub', async () => {
    const hub = (await state()).hub;
    return hub && hub !== before;
  });
  const afterKill = (await tickerEvents()).length;
  const chatAfterKill = chatFromPage().length;
  await waitUntil('events both ways after the kill', async () =>
    (await tickerEvents()).length >= afterKill + 50 && chatFromPage().length >= chatAfterKill + 50,
  );

  demo.stopTicking();
  const emitted = await page.evaluate(async () => {
    clearInterval(window.demo.timer);
    await window.demo.emitter.flush();
    return window.demo.emitted;
  });
  const ticks = demo.ticks();
  await waitUntil('every tick in the page', async () => (await tickerEvents()).at(-1) === ticks);
  await waitUntil('every page event at the printer', () => chatFromPage().at(-1)?.seq === emitted);

  const seqs = await tickerEvents();
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `the ticker's events, at ${i}`);
  assert.deepEqual(chatFromPage().map((e) => e.seq), Array.from({ length: emitted }, (_, i) => i + 1), 'the page\'s events at the printer');
  assert.deepEqual((await state()).lagged, []);

  // The page holds a scoped credential, never the secret: it shows what it may do, its emits
  // elsewhere are refused, and listening to everything it gets only what the credential allows.
  assert.match(await page.textContent('#scope'), /^may emit on chat; receives chat, stockprice\.>; until /);
  const config = await page.evaluate(async () => (await fetch('config.json')).text());
  assert.ok(!config.includes(demo.secret), 'the page\'s configuration holds no secret');
  const scoped = await page.evaluate(async () => {
    const { emitter } = window.demo;
    const forbidden = (() => {
      try {
        emitter.emit('stockprice.fake', { ticker: 'FAKE', price: 1 });
        return 'emitted';
      } catch (e) {
        return `${e.code}: ${e.message}`;
      }
    })();
    window.demo.everything = [];
    emitter.on('*', (event) => window.demo.everything.push(event.topic));
    return forbidden;
  });
  assert.equal(scoped, 'Forbidden: this client\'s credential does not allow emitting on "stockprice.fake"');
  demo.processes.printer.send('secret.plans {"text":"not for the page"}');
  demo.processes.printer.send('chat {"text":"after the secret"}');
  await waitUntil('the chat after the secret in the page', async () => (await messages()).some((m) => m.endsWith(': after the secret')));
  const everything = await page.evaluate(() => window.demo.everything);
  assert.ok(everything.includes('chat') && !everything.some((topic) => topic.startsWith('secret')), `${everything}`);

  // A token widened in the page, or one that expired, is refused within a second, with the reason.
  const env = { ...process.env, NANOMITTER_SECRET: demo.secret };
  const expired = (await promisify(execFile)(binary(), ['token', ...PAGE_SCOPE.slice(0, -2), '--ttl', '0s'], { env })).stdout.trim();
  const refused = await page.evaluate(async (expired) => {
    const { candidates, token } = await (await fetch('config.json')).json();
    const [claims, key] = token.split('.');
    const widen = (text) => btoa(text.replace('"publish":["chat"]', '"publish":[">"]')).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const widened = `${widen(atob(claims.replace(/-/g, '+').replace(/_/g, '/')))}.${key}`;
    const tries = [];
    for (const tried of [widened, expired]) {
      const started = performance.now();
      const outcome = await new window.nanomitter.Emitter({ token: tried }).connect(candidates).then(
        () => 'connected',
        (e) => `${e.code} ${e.reason}`,
      );
      tries.push({ outcome, ms: performance.now() - started, widened: tried === widened && claims !== widened.split('.')[0] });
    }
    return tries;
  }, expired);
  assert.deepEqual(refused.map((r) => r.outcome), ['Refused credential-invalid', 'Refused credential-expired']);
  assert.ok(refused[0].widened, 'the widened claims differ from the page\'s');
  for (const { outcome, ms } of refused) assert.ok(ms < 1000, `${outcome} after ${ms} ms`);

  // A browser has no TCP: a tcp:// address (the default one included) is refused, saying why.
  const refusals = await page.evaluate(async () => {
    const { Emitter } = await import('./nanomitter/index.js');
    const refusal = (promise) => promise.then(() => 'connected', (e) => `${e.code}: ${e.message}`);
    return [await refusal(new Emitter().connect('tcp://127.0.0.1:55555')), await refusal(new Emitter().connect())];
  });
  for (const refusal of refusals) {
    assert.equal(refusal, 'InvalidSetting: tcp://127.0.0.1:55555: a browser reaches its hub at a ws:// or wss:// address only (tcp://, ipc:// and tls+tcp:// need Node.js)');
  }
  assert.deepEqual(problems, []);
});
