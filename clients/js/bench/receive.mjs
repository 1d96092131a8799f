// How many events per second a Node.js member receives from a Rust hub: a `nanomitter hub` and
// a `nanomitter load` producer (release builds, on loopback over ws:// or tcp://) emit events of about
// 64 bytes as fast as the cluster takes them; this process listens and counts, for a warm-up
// and then a measured window. Flow control paces the producer to the slowest member, so the
// figure is what this member sustains.
//
//   node bench/receive.mjs [--seconds 5] [--size 64] [--codec json|bincode] [--rate 2000000]
//                          [--transport ws|tcp]
//
// `json`: `nanomitter emit --repeat` sends one JSON object of `size` bytes enough times to last
// past the window (two million per second of it and of the warm-up; the run fails if they ran
// out before the window ended, which once made idle time count), and every event is parsed here. `bincode`: `nanomitter load --rate` sends bincode payloads, which
// arrive here as bytes (not decoded).
import { parseArgs } from 'node:util';
import { Emitter } from '../dist/index.js';
import { Process, tcpAddress, waitUntil, wsAddress } from '../test/helpers.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rate: { type: 'string', default: '2000000' },
    size: { type: 'string', default: '64' },
    codec: { type: 'string', default: 'json' },
    transport: { type: 'string', default: 'ws' },
  },
});
const seconds = Number(values.seconds);
/** JSON events the producer emits: more than the warm-up and the window can take. */
const REPEAT = 2_000_000 * (seconds + 3);
const size = Number(values.size);
// A load payload is bincode of { sent_at_ns: u128, pad: Vec<u8> }: 9 bytes for a nanosecond
// clock (a varint), one for the pad's length, then the pad. The figure printed is measured.
const pad = Math.max(size - 10, 0);

const address = values.transport === 'tcp' ? await tcpAddress() : await wsAddress();
const hub = new Process('hub', ['hub', '--addr', address, '--every', '3600', '--heartbeat', '0']);
await hub.waitStderr('connected');
const js = new Emitter({ service: 'bench' });
let received = 0;
let bytes = 0;
js.on('load', (event) => {
  received++;
  bytes += values.codec === 'json' ? event.data.pad.length + 10 : event.data.length;
});
await js.connect(address);
// The producer keeps the default liveness (1 s): on a busy machine a shorter one makes it take
// its own starvation for a silent hub, and its re-sends after relinking show here as duplicates.
const common = ['--addr', address, '--service', 'producer', '--heartbeat', '0'];
const producer =
  values.codec === 'json'
    ? // {"pad":"xxx…"}: 10 bytes around the pad.
      new Process('producer', ['emit', ...common, '--max-pending-bytes', '4000000000', '--repeat', String(REPEAT), 'load', JSON.stringify({ pad: 'x'.repeat(pad) })])
    : new Process('producer', ['load', ...common, '--rate', values.rate, '--size', String(pad)]);
await producer.waitStderr('connected');
try {
  await waitUntil('the first events', () => received > 0);
  const warmUp = Date.now() + 1000;
  await waitUntil('the warm-up', () => Date.now() >= warmUp);
  const [startCount, startBytes, startAt, startCpu] = [received, bytes, process.hrtime.bigint(), process.cpuUsage()];
  const end = Date.now() + seconds * 1000;
  // A producer done before the window ends would count idle time: then the run fails.
  let producerDone = false;
  producer.exited.then(() => (producerDone = true));
  await waitUntil('the measured window', () => Date.now() >= end, seconds * 1000 + 5000);
  const elapsed = Number(process.hrtime.bigint() - startAt) / 1e9;
  if (producerDone) throw new Error('the producer ran out of events before the window ended');
  const cpu = process.cpuUsage(startCpu);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const events = received - startCount;
  console.log(
    JSON.stringify({
      scenario: 'rust-hub-to-node-member',
      transport: values.transport,
      codec: values.codec,
      payload_bytes: Math.round((bytes - startBytes) / Math.max(events, 1)),
      seconds: Number(elapsed.toFixed(2)),
      events,
      events_per_s: Math.round(events / elapsed),
      // This process's CPU time: on a shared machine, events per CPU second is the steadier figure.
      cpu_seconds: Number(cpuSeconds.toFixed(2)),
      events_per_cpu_s: Math.round(events / cpuSeconds),
      gaps: js.stats().gaps,
      duplicates: js.stats().duplicates,
      links: js.stats().links,
      nacks: js.stats().nacks,
    }),
  );
} finally {
  await producer.kill();
  await js.close();
  await hub.kill();
}
