// The quickstart of Nanomitter's README, `master.ts` and `worker.ts`, copied here verbatim (their
// `import ... from "nanomitter"` resolves to this package by its own name), compiled with tsc and
// run against a Rust hub (`nanomitter hub`), the address given by $NANOMITTER_ADDR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Process, tcpAddress, waitUntil } from '../helpers.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

test("Nanomitter's quickstart runs unchanged: the master prints the worker's stock prices, the worker its own", async (t) => {
  const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(compiled.status, 0, `tsc: ${compiled.stdout}${compiled.stderr}`);

  const address = await tcpAddress();
  const hub = new Process('hub', ['hub', '-a', address]);
  t.after(() => hub.kill());
  assert.match(await hub.waitStderr('connected'), /as Hub/);
  const run = (name) => {
    const child = new Process(name, [path.join(here, 'build', `${name}.js`)], { NANOMITTER_ADDR: address }, process.execPath);
    t.after(() => child.kill());
    return child;
  };
  const master = run('master');
  const worker = run('worker');

  const price = /^\{"ticker":"AAPL","price":(\d+(\.\d+)?)\}$/;
  const broadcasted = await waitUntil(`the master to print 3 prices (stdout: ${master.stdout.join(' | ')}; stderr: ${master.stderr.join(' | ')})`, () => {
    const lines = master.stdout.filter((line) => line.startsWith('Broadcasted stockprice '));
    return lines.length >= 3 && lines;
  });
  for (const line of broadcasted) {
    const [, value] = price.exec(line.slice('Broadcasted stockprice '.length)) ?? [];
    assert.ok(value >= 250 && value < 260, line);
  }
  // The worker logs each event it hears (its own, as a node's listeners hear its events too) with
  // console.log, which prints { topic, data } over a few lines.
  await waitUntil(`the worker to print 3 events (stdout: ${worker.stdout.join(' | ')}; stderr: ${worker.stderr.join(' | ')})`, () =>
    worker.stdout.filter((line) => line.includes("topic: 'stockprice'")).length >= 3,
  );
  assert.match(worker.stdout.join('\n'), /\{\n {2}topic: 'stockprice',\n {2}data: \{ ticker: 'AAPL', price: \d+(\.\d+)? \}\n\}/);
  assert.deepEqual([master.stderr, worker.stderr], [[], []]);
});
