// The browser demo's server: serves the page (and the built TypeScript client's dist/, whose
// browser bundle the page loads), and runs a hub and two Rust workers (the `nanomitter` CLI) on
// a ws:// address whose Origin allow-list names the page. The cluster has a secret, which only
// the server and the Rust processes hold: the page gets a scoped credential instead, minted for
// it with `nanomitter token` when it asks for its configuration (as a web server would at
// login), which lets it emit on `chat` and receive `chat` and `stockprice.>` for an hour. `node examples/browser/serve.mjs`
// after `cargo build --release` and `(cd clients/js && npm ci && npm run build)`; open the URL it
// prints.
//
// Owns: the demo's processes and its HTTP server. The browser test (clients/js/test/browser/)
// starts it with `startDemo` on free ports.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = path.resolve(here, '../..');
const dist = path.join(repo, 'clients/js/dist');

/**
 * The `nanomitter` CLI: `$NANOMITTER_BIN`, else the newer of the release and debug builds in
 * `$CARGO_TARGET_DIR` (or the repository's `target/`).
 */
export function nanomitterBinary() {
  if (process.env.NANOMITTER_BIN) return process.env.NANOMITTER_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target');
  const found = ['release', 'debug']
    .map((p) => path.join(target, p, 'nanomitter'))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!found) throw new Error(`no nanomitter binary in ${target}: run \`cargo build --release\` first (or set NANOMITTER_BIN)`);
  return found;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.map': 'application/json' };

/** What the page's credential allows: the command line of `nanomitter token` without the secret. */
export const PAGE_SCOPE = ['--name', 'demo-page', '--publish', 'chat', '--listen', 'chat', '--listen', 'stockprice.>', '--ttl', '1h'];

/** A token for the page, minted with the cluster secret. */
async function mintPageToken(secret) {
  const env = { ...process.env, NANOMITTER_SECRET: secret };
  const { stdout } = await promisify(execFile)(nanomitterBinary(), ['token', ...PAGE_SCOPE], { env });
  return stdout.trim();
}

/** A Rust process with the cluster secret, its stdout lines collected (and echoed with `echo`). */
function run(name, args, secret, echo) {
  const env = { ...process.env, NANOMITTER_SECRET: secret };
  const child = spawn(nanomitterBinary(), args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop();
    lines.push(...parts);
    if (echo) for (const line of parts) console.log(`${name}: ${line}`);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => echo && process.stderr.write(`${name}: ${chunk}`));
  return { name, child, lines, send: (line) => child.stdin.write(`${line}\n`) };
}

/**
 * Starts the demo: the HTTP server on `httpPort`, and on `ws://127.0.0.1:<wsPort>/nm` a hub,
 * a `ticker` worker emitting `stockprice.*` events every `tickMs` and a `printer` worker
 * printing `chat` events. Returns the page's URL, the processes and `stop()`.
 */
export async function startDemo({ httpPort = 8080, wsPort = 55556, tickMs = 200, echo = false } = {}) {
  const origin = `http://127.0.0.1:${httpPort}`;
  const address = `ws://127.0.0.1:${wsPort}/nm`;
  const common = ['--addr', address, '--ws-origin', origin, '--heartbeat', '0'];
  const secret = randomBytes(24).toString('hex');
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, origin);
    let file;
    if (url.pathname === '/config.json') {
      const token = await mintPageToken(secret);
      response.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      return response.end(JSON.stringify({ candidates: [address], token }));
    }
    if (url.pathname === '/' || url.pathname === '/index.html') file = path.join(here, 'index.html');
    else if (url.pathname === '/app.js') file = path.join(here, 'app.js');
    else if (url.pathname.startsWith('/nanomitter/')) file = path.join(dist, path.normalize(url.pathname.slice('/nanomitter/'.length)));
    if (!file || !file.startsWith(here) && !file.startsWith(dist) || !existsSync(file)) {
      response.writeHead(404);
      return response.end('not found');
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(httpPort, '127.0.0.1', resolve);
  });
  const hub = run('hub', ['hub', ...common, '--service', 'hub', '--every', '3600'], secret, echo);
  await waitForLine(hub, 'connected');
  const ticker = run('ticker', ['repl', ...common, '--service', 'ticker'], secret, echo);
  const printer = run('printer', ['repl', ...common, '--service', 'printer', 'chat'], secret, echo);
  await Promise.all([waitForLine(ticker, 'connected'), waitForLine(printer, 'connected')]);
  let ticks = 0;
  const prices = { AAPL: 250, MSFT: 410, NVDA: 180 };
  const timer = setInterval(() => {
    const ticker_ = Object.keys(prices)[ticks % 3];
    prices[ticker_] = Math.round((prices[ticker_] + (Math.random() - 0.5) * 2) * 100) / 100;
    ticker.send(`stockprice.${ticker_.toLowerCase()} ${JSON.stringify({ ticker: ticker_, price: prices[ticker_] })}`);
    ticks++;
  }, tickMs);
  const processes = { hub, ticker, printer };
  return {
    url: `${origin}/`,
    address,
    /** The cluster secret, which the page never gets (the test checks it does not). */
    secret,
    processes,
    /** Ticks sent to the ticker so far. */
    ticks: () => ticks,
    stopTicking: () => clearInterval(timer),
    async stop() {
      clearInterval(timer);
      for (const { child } of Object.values(processes)) if (child.exitCode === null) child.kill('SIGKILL');
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Waits for a process to print a line containing `needle` on stderr. */
function waitForLine({ child, name }, needle) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not print ${needle}: ${seen}`)), 20_000);
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes(needle)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (!existsSync(path.join(dist, 'browser/nanomitter.js'))) {
    console.error('build the client first: (cd clients/js && npm ci && npm run build)');
    process.exit(1);
  }
  const demo = await startDemo({ echo: true });
  console.log(`nanomitter browser demo: open ${demo.url} (hub at ${demo.address}); Ctrl-C stops it`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => demo.stop().then(() => process.exit(0)));
}
