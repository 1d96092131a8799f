// The READMEs' JavaScript snippets run as they are written, against the Rust hub their own
// `sh` block starts (on a free port instead of 55556): each exits cleanly, prints what its
// listener heard, and every event it emits reaches the hub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEADLINE_MS, Process, waitUntil, wsAddress } from '../helpers.mjs';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const README_ADDRESS = 'ws://127.0.0.1:55556/nm';

/** The fenced code blocks of `markdown` in `language`. */
function codeBlocks(markdown, language) {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```/gm)].filter((m) => m[1] === language).map((m) => m[2]);
}

/** The snippet that imports the package, and the arguments of the `cargo run -- repl` hub line. */
function readmeParts(file) {
  const markdown = readFileSync(new URL(file, import.meta.url), 'utf8');
  const snippet = codeBlocks(markdown, 'js').find((block) => block.includes("from 'nanomitter'"));
  const hubLine = codeBlocks(markdown, 'sh')
    .flatMap((block) => block.split('\n'))
    .find((line) => line.includes(`-- repl --addr ${README_ADDRESS}`));
  assert.ok(snippet && hubLine, `${file}: a js block importing 'nanomitter' and a cargo run -- repl line`);
  const hubArgs = hubLine.split(' -- ')[1].replace(/#.*/, '').trim().split(/\s+/).map((arg) => arg.replace(/^'(.*)'$/, '$1'));
  return { snippet, hubArgs };
}

for (const file of ['../../../../README.md', '../../README.md']) {
  test(`the snippet of ${file.replace(/^[./]*/, '')} runs against its hub`, async (t) => {
    const { snippet, hubArgs } = readmeParts(file);
    const address = await wsAddress();
    const hub = new Process('hub', hubArgs.map((arg) => (arg === README_ADDRESS ? address : arg)));
    t.after(() => hub.kill());
    await hub.waitStderr('connected');

    // Run from the package's folder, `'nanomitter'` is the package itself (its `import` entry).
    const code = snippet.replaceAll(README_ADDRESS, address);
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { cwd: packageDir, timeout: DEADLINE_MS });

    const emitted = [...snippet.matchAll(/emitter\.emit\('([^']+)'/g)].map((m) => m[1]);
    assert.ok(emitted.length > 0, 'the snippet emits');
    for (const topic of new Set(emitted)) {
      const count = emitted.filter((t) => t === topic).length;
      const events = await waitUntil(`the hub to print ${count} events on ${topic}`, () => {
        const heard = hub.events(topic).filter((e) => e.service === 'web');
        return heard.length >= count && heard;
      });
      assert.equal(events.length, count, `the hub heard each event on ${topic} once`);
      assert.match(stdout, new RegExp(`^${topic.replace('.', '\\.')} `, 'm'), 'the listener printed the event (local echo)');
    }
  });
}
