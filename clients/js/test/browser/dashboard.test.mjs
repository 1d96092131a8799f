// The monitoring dashboard (served at `/` of a node's `--monitor` endpoint, from the binary) in
// headless Chromium (the system's `chromium`, driven by playwright-core): on a hub that listens
// to `load` while a producer emits on it, the member table lists the members with the hub's view
// of their lag, the chart of `load` draws events per second and moves, and members joining and
// leaving change the table and show up in the timeline of notices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumPage, withoutChromium } from './chromium.mjs';
import { Process, freePort, waitUntil } from '../helpers.mjs';

test('the dashboard shows members, a live chart per pattern and the notices', { skip: withoutChromium }, async (t) => {
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const monitor = `127.0.0.1:${await freePort()}`;
  // The first node binds the address: the hub, listening to `load`, with the endpoint.
  const hub = await Process.load('hub', address, 0, ['--monitor', monitor]);
  t.after(() => hub.kill());
  await hub.waitStderr(`monitoring at http://${monitor}/`);
  const producer = await Process.load('producer', address, 500);
  t.after(() => producer.kill());

  const { page, problems } = await chromiumPage(t);
  await page.goto(`http://${monitor}/`);

  const rows = () => page.locator('#members tbody tr').count();
  const services = () => page.$$eval('#members tbody tr', (trs) => trs.map((tr) => tr.cells[1].textContent));
  await waitUntil('the producer in the member table', async () => (await services()).includes('producer'));
  assert.match(await page.textContent('#node'), /hub/);
  assert.match(await page.textContent('#hub'), /this node/);
  // The hub's view of the member: its lag, a number.
  const lag = await page.textContent('#members tbody tr .lag-frames');
  assert.match(lag, /^\d+$/);

  // The chart of `load` draws the producer's events per second, and keeps moving.
  const chart = page.locator('.chart[data-pattern="load"]');
  const points = () => chart.locator('polyline').getAttribute('points');
  const first = await waitUntil('the chart of `load` to draw two rates', async () => {
    if ((await chart.count()) === 0) return undefined;
    const drawn = await points();
    return drawn && drawn.split(' ').length >= 2 ? drawn : undefined;
  });
  await waitUntil('the chart to move', async () => (await points()) !== first);
  await waitUntil('a rate above zero in the chart\'s title', async () => {
    const title = await chart.locator('div').first().textContent();
    const rate = Number(/— (\d+) events\/s/.exec(title)?.[1]);
    return rate > 0;
  });

  // A member joins, then goes: the table follows, the timeline tells both.
  const consumer = await Process.load('consumer', address, 0);
  const consumerId = await consumer.nodeId();
  await waitUntil('a second member row', async () => (await rows()) === 2);
  await consumer.kill();
  await waitUntil('the member gone from the table', async () => (await rows()) === 1);
  const timeline = await page.$$eval('#timeline li', (items) => items.map((li) => `${li.dataset.topic} ${li.textContent}`));
  assert.ok(timeline.some((line) => line.startsWith('$peer.joined') && line.includes(consumerId)), timeline.join('\n'));
  assert.ok(timeline.some((line) => line.startsWith('$peer.left') && line.includes(consumerId)), timeline.join('\n'));
  assert.deepEqual(problems, []);
});
