// The package as a new user gets it: `npm pack`, installed (offline) into a fresh folder with
// `ws` (its optional dependency, packed from this checkout's node_modules), then one ES module
// script (`import`) and one CommonJS script (`require`) there each join a Rust hub, emit an event
// the hub prints and receive the hub's reply; TypeScript finds the types of every entry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEADLINE_MS, Process, wsAddress } from '../helpers.mjs';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs npm with `args` in `cwd`; its stdout. */
async function runNpm(args, cwd) {
  const { stdout } = await promisify(execFile)(npm, args, { cwd, timeout: DEADLINE_MS });
  return stdout;
}

/** `npm pack` of the package in `dir` (as built: `npm test` builds first), into `destination`; the tarball's path. */
async function pack(dir, destination) {
  const [{ filename }] = JSON.parse(await runNpm(['pack', dir, '--json', '--ignore-scripts', '--pack-destination', destination], packageDir));
  return path.join(destination, filename);
}

/** The body both scripts share once they hold the package's exports and the entry they loaded. */
const SCRIPT_BODY = `
  const [address, kind] = process.argv.slice(2);
  const emitter = await connect(address, { service: \`pack-\${kind}\` });
  const reply = emitter.waitFor(\`pack.reply.\${kind}\`, ${DEADLINE_MS});
  emitter.emit(\`pack.\${kind}\`, { kind });
  await emitter.flush();
  console.log(JSON.stringify({ entry, reply: (await reply).data, isError: new NanomitterError('Closed', 'x') instanceof Error }));
  await emitter.close();
`;
const SCRIPTS = {
  'esm.mjs': `import { connect, NanomitterError } from 'nanomitter';
const entry = import.meta.resolve('nanomitter');
${SCRIPT_BODY}`,
  'cjs.cjs': `const { connect, NanomitterError } = require('nanomitter');
const entry = require.resolve('nanomitter');
(async () => {${SCRIPT_BODY}})().catch((error) => {
  console.error(error);
  process.exit(1);
});`,
};

/** Runs a script with node in `cwd`; resolves with its exit code and output. */
function runScript(cwd, script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${DEADLINE_MS} ms: ${stdout} ${stderr}`));
    }, DEADLINE_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The folder the package is installed into, with the scripts. */
let folder;
before(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'nanomitter-package-'));
  const tarballs = await Promise.all([pack('.', folder), pack('./node_modules/ws', folder)]);
  writeFileSync(path.join(folder, 'package.json'), '{ "private": true }\n');
  await runNpm(['install', '--offline', '--no-audit', '--no-fund', ...tarballs], folder);
  for (const [name, text] of Object.entries({ ...SCRIPTS, ...TYPED })) writeFileSync(path.join(folder, name), text);
});
after(() => rmSync(folder, { recursive: true, force: true }));

test('the packed package installs offline, and import and require both join a Rust hub', async (t) => {

  const address = await wsAddress();
  const hub = await Process.repl('hub', address, ['pack.>']);
  t.after(() => hub.kill());
  const runs = {
    esm: runScript(folder, 'esm.mjs', [address, 'esm']),
    cjs: runScript(folder, 'cjs.cjs', [address, 'cjs']),
  };
  for (const kind of Object.keys(runs)) {
    const exitedEarly = runs[kind].then(({ code, stderr }) => {
      throw new Error(`the ${kind} script exited (${code}) before the hub printed its event: ${stderr}`);
    });
    const [event] = await Promise.race([hub.waitEvents(`pack.${kind}`, 1), exitedEarly]);
    assert.deepEqual([event.service, event.data], [`pack-${kind}`, { kind }]);
    hub.send(`pack.reply.${kind} {"to":"${kind}"}`);
  }
  const expectedEntry = { esm: 'dist/index.js', cjs: 'dist/cjs/index.js' };
  for (const [kind, run] of Object.entries(runs)) {
    const { code, stdout, stderr } = await run;
    assert.equal(code, 0, `${kind}: ${stderr}`);
    const printed = JSON.parse(stdout);
    assert.deepEqual(printed.reply, { to: kind });
    assert.equal(printed.isError, true);
    // The installed copy's entry for its kind, not this checkout's.
    assert.ok(printed.entry.endsWith(`${folder}/node_modules/nanomitter/${expectedEntry[kind]}`), `${kind} loaded ${printed.entry}`);
  }
});

/** TypeScript users of each entry: an ES module, a CommonJS module, a browser bundle's user. */
const TYPED = {
  'typed.mts': `import { connect, NanomitterError, type NanomitterErrorCode } from 'nanomitter';
const code: NanomitterErrorCode = 'Encode';
export const use = async () => (await connect('ws://127.0.0.1:1/nm')).emit('t', 1) + new NanomitterError(code, 'x').code.length;`,
  'typed.cts': `import { connect, NanomitterError } from 'nanomitter';
export const use = async () => (await connect('ws://127.0.0.1:1/nm')).emit('t', 1) + new NanomitterError('Closed', 'x').code.length;`,
  'typed-browser.mts': `import { connect, type Emitter } from 'nanomitter/browser';
export const use: (address: string) => Promise<Emitter> = connect;`,
};

test('TypeScript finds the types of the import, require and browser entries', async () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const options = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom'];
  try {
    await promisify(execFile)(process.execPath, [tsc, ...options, ...Object.keys(TYPED)], { cwd: folder, timeout: DEADLINE_MS });
  } catch (error) {
    assert.fail(`tsc: ${error.stdout}${error.stderr}`);
  }
});
