// Helpers for the tests that run real `nanomitter` processes (the Rust CLI) on loopback: a free
// port per test, spawning with output collected line by line, and waiting with a deadline
// (never a fixed sleep).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nanomitterBinary } from '../../../examples/browser/serve.mjs';

/** How long any single wait may take before the test fails. */
export const DEADLINE_MS = 20_000;

/** The `nanomitter` CLI (see examples/browser/serve.mjs for where it is looked for). */
export const binary = nanomitterBinary;

/** A loopback port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A `ws://` hub address on a free loopback port. */
export async function wsAddress() {
  return `ws://127.0.0.1:${await freePort()}/nm`;
}

/** A `tcp://` hub address on a free loopback port. */
export async function tcpAddress() {
  return `tcp://127.0.0.1:${await freePort()}`;
}

/** A directory of its own for one test, removed after it. */
export function tempDir(t, name) {
  const dir = mkdtempSync(path.join(tmpdir(), `nanomitter-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Whether `openssl` runs here (the TLS tests make their certificates with it). */
export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/**
 * Throwaway certificates in `dir`, made with `openssl` as tests/common/certificates.rs makes them
 * with rcgen: a certificate authority and a hub certificate it signed for `localhost` and
 * `127.0.0.1`, followed by its key (for `--tls-cert-key`), and a second authority that signed
 * nothing. Paths, and the first authority's PEM text.
 */
export function makeCertificates(dir) {
  const openssl = (...args) => {
    const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${run.stderr}`);
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', ...key, '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=nanomitter ${ca} for the tests`);
  }
  openssl('req', '-new', ...key, '-keyout', 'hub.key', '-out', 'hub.csr', '-subj', '/CN=localhost');
  writeFileSync(path.join(dir, 'hub.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'hub.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'hub.ext', '-out', 'hub.crt');
  const file = (name) => path.join(dir, name);
  writeFileSync(file('hub.pem'), readFileSync(file('hub.crt'), 'utf8') + readFileSync(file('hub.key'), 'utf8'));
  return { caFile: file('ca.pem'), hubFile: file('hub.pem'), ca: readFileSync(file('ca.pem'), 'utf8'), otherCa: readFileSync(file('other-ca.pem'), 'utf8') };
}

/** Calls `check` until it returns something other than undefined/false, or fails after the deadline. */
export async function waitUntil(what, check, limitMs = DEADLINE_MS) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One running `nanomitter` process (or, given `command`, another program). */
export class Process {
  constructor(name, args, env = {}, command = binary()) {
    this.name = name;
    this.stdout = [];
    this.stderr = [];
    const childEnv = { ...process.env, ...env };
    for (const inherited of ['NANOMITTER_SECRET', 'NANOMITTER_ADDR']) if (!(inherited in env)) delete childEnv[inherited];
    this.child = spawn(command, args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    // Lines written just before the process was killed fail to arrive: that is expected.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    collect(this.child.stdout, this.stdout);
    collect(this.child.stderr, this.stderr);
  }

  /** A `repl` node on `address` listening to `topics`, once connected. */
  static async repl(name, address, topics, extra = [], env = {}) {
    const node = new Process(name, ['repl', '--addr', address, '--service', name, '--heartbeat', '0', ...extra, ...topics], env);
    await node.waitStderr('connected');
    return node;
  }

  /** A `load` node (see crates/nanomitter-cli/src/load.rs), once connected. */
  static async load(name, address, rate, extra = [], env = {}) {
    const args = ['load', '--addr', address, '--service', name, '--heartbeat', '0', '--liveness', '0.2', '--rate', String(rate), ...extra];
    const node = new Process(name, args, env);
    await node.waitStderr('connected');
    return node;
  }

  send(line) {
    this.child.stdin.write(`${line}\n`);
  }

  waitStderr(needle) {
    return waitUntil(`${this.name} to print ${JSON.stringify(needle)} (stderr: ${this.stderr.join(' | ')})`, () =>
      this.stderr.find((line) => line.includes(needle)),
    );
  }

  /** The JSON lines printed on stdout. */
  json() {
    return this.stdout.flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
  }

  events(topic) {
    return this.json().filter((e) => e.topic === topic);
  }

  waitEvents(topic, n) {
    return waitUntil(`${this.name} to print ${n} events on ${topic}`, () => {
      const events = this.events(topic);
      return events.length >= n ? events : undefined;
    });
  }

  /** The first stdout line that is an object with `key`, waiting for it; its value. */
  waitReply(key) {
    return waitUntil(`${this.name} to answer ${key}`, () => this.json().find((v) => v && key in v)?.[key]);
  }

  /** Waits until this repl knows of `n` listeners of `topic` in the cluster. */
  async waitListeners(topic, n) {
    await waitUntil(`${this.name} to know ${n} listeners of ${topic}`, () => {
      this.send(`.listeners ${topic}`);
      const counts = this.json().filter((v) => v && 'listeners' in v);
      return counts.length > 0 && counts.at(-1).listeners >= n;
    });
  }

  /** This node's id (16 hex digits), from its "connected" line. */
  async nodeId() {
    const line = await this.waitStderr('connected');
    return line.split('node ').at(-1).replace(')', '').trim();
  }

  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }
}

function collect(stream, lines) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    rest += chunk;
    const parts = rest.split('\n');
    rest = parts.pop();
    lines.push(...parts);
  });
}
