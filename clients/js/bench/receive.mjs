// How many events per second a Node.js member receives from a Rust hub: a `nanomitter hub` and
// a `nanomitter load` producer (release builds, on loopback over ws://) emit events of about
// 64 bytes as fast as the cluster takes them; this process listens and counts, for a warm-up
// and then a measured window. Flow control paces the producer to the slowest member, so the
// figure is what this member sustains.
//
//   node bench/receive.mjs [--seconds 5] [--rate 400000] [--size 64]
import { parseArgs } from 'node:util';
import { Emitter } from '../dist/index.js';
import { Process, waitUntil, wsAddress } from '../test/helpers.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rate: { type: 'string', default: '400000' },
    size: { type: 'string', default: '64' },
  },
});
const seconds = Number(values.seconds);
const size = Number(values.size);
// A load payload is bincode of { sent_at_ns: u128, pad: Vec<u8> }: 17 bytes at most for the
// time, one for the pad's length, then the pad.
const pad = Math.max(size - 18, 0);

const address = await wsAddress();
const hub = new Process('hub', ['hub', '--addr', address, '--every', '3600', '--heartbeat', '0']);
await hub.waitStderr('connected');
const js = new Emitter({ service: 'bench' });
let received = 0;
let bytes = 0;
js.on('load', (event) => {
  received++;
  bytes += event.data.length;
});
await js.connect(address);
const producer = await Process.load('producer', address, Number(values.rate), ['--size', String(pad)]);
try {
  await waitUntil('the first events', () => received > 0);
  const warmUp = Date.now() + 1000;
  await waitUntil('the warm-up', () => Date.now() >= warmUp);
  const [startCount, startBytes, startAt] = [received, bytes, process.hrtime.bigint()];
  const end = Date.now() + seconds * 1000;
  await waitUntil('the measured window', () => Date.now() >= end, seconds * 1000 + 5000);
  const elapsed = Number(process.hrtime.bigint() - startAt) / 1e9;
  const events = received - startCount;
  console.log(
    JSON.stringify({
      scenario: 'rust-hub-to-node-member',
      payload_bytes: Math.round((bytes - startBytes) / Math.max(events, 1)),
      seconds: Number(elapsed.toFixed(2)),
      events,
      events_per_s: Math.round(events / elapsed),
      gaps: js.stats().gaps,
      duplicates: js.stats().duplicates,
    }),
  );
} finally {
  await producer.kill();
  await js.close();
  await hub.kill();
}
