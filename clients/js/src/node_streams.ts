/**
 * The byte streams of Node.js (docs/wire.md §2): a TCP connection (`tcp://`), a Unix domain socket
 * (`ipc://`) or a TLS session over TCP (`tls+tcp://`), carrying the stream's bytes as they are: the
 * connections a Rust hub accepts on those addresses are NNG streams, plain bytes with nanomitter's
 * own framing. `node:net` and `node:tls` are loaded when the first such stream opens.
 *
 * Owns: opening, writing, reading and closing one such socket, and verifying the hub's
 * certificate. Must not look at the bytes.
 */

import { concat } from './bytes.js';
import { type ByteStream, type NodeEndpoint, type StreamHandlers, StreamEnding, type TlsOptions } from './transport.js';

/** The part of `net.Socket` (and `tls.TLSSocket`) used here. */
interface Socket {
  setNoDelay(noDelay: boolean): unknown;
  write(data: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
  on(event: string, listener: (arg: never) => void): unknown;
  once(event: string, listener: (arg: never) => void): unknown;
  /** TLS only: whether the hub's certificate verified, and why not. */
  authorized?: boolean;
  authorizationError?: Error | string;
}
interface NetModule {
  connect(options: object): Socket;
  isIP(input: string): number;
}
interface TlsModule {
  connect(options: object): Socket;
  checkServerIdentity(hostname: string, cert: unknown): Error | undefined;
}

/** How long a closed socket may take to send what it holds before it is dropped. */
const LINGER_MS = 1000;

let modules: Promise<{ net: NetModule; tls: TlsModule }> | null = null;

function loadModules(): Promise<{ net: NetModule; tls: TlsModule }> {
  // Names in variables: bundlers for the browser do not try to resolve them.
  const [netName, tlsName] = ['node:net', 'node:tls'];
  modules ??= Promise.all([import(netName), import(tlsName)]).then(([net, tls]) => ({ net, tls }));
  return modules;
}

/** Opens the socket `endpoint` names (for `address`, in messages), within `timeoutMs`. */
export async function openNodeStream(
  address: string,
  endpoint: NodeEndpoint,
  handlers: StreamHandlers,
  options: { timeoutMs: number; tls: TlsOptions | null },
): Promise<ByteStream> {
  const { net, tls } = await loadModules();
  let socket: Socket;
  let ready: string;
  /** Why the certificate does not carry the name it must, in words (Node keeps only a code). */
  let nameMismatch: Error | undefined;
  if (endpoint.kind === 'ipc') {
    socket = net.connect({ path: endpoint.path });
    ready = 'connect';
  } else if (endpoint.kind === 'tcp') {
    socket = net.connect({ host: endpoint.host, port: endpoint.port, family: endpoint.family });
    ready = 'connect';
  } else {
    const { ca, serverName } = options.tls!;
    const name = serverName ?? endpoint.host;
    socket = tls.connect({
      host: endpoint.host,
      port: endpoint.port,
      family: endpoint.family,
      ca: typeof ca === 'string' ? ca : new TextDecoder().decode(ca),
      // SNI carries DNS names only; the certificate is checked against `name` either way.
      ...(net.isIP(name) === 0 ? { servername: name } : {}),
      checkServerIdentity: (_host: string, cert: unknown) => (nameMismatch = tls.checkServerIdentity(name, cert)),
      // Checked below, where the reason can be told: the session is dropped before a byte is read.
      rejectUnauthorized: false,
    });
    ready = 'secureConnect';
  }
  if (endpoint.kind !== 'ipc') socket.setNoDelay(true);

  return new Promise((resolve, reject) => {
    const ending = new StreamEnding(address, 'connection', options.timeoutMs, handlers, reject, () => socket.destroy());
    socket.on('error', (error: Error) => ending.end(error.message));
    socket.on('close', () => ending.end('the connection closed'));
    socket.once(ready, () => {
      if (ending.ended) return;
      if (socket.authorized === false) {
        const why = nameMismatch?.message ?? `${String(socket.authorizationError)}, checked against the given certificate authorities`;
        ending.end(`the hub's certificate does not verify (${why})`, true);
        return;
      }
      ending.opened();
      socket.on('data', (chunk: Uint8Array) => {
        if (!ending.ended) handlers.onData(chunk);
      });
      resolve({
        write(parts) {
          if (!ending.ended) socket.write(concat(parts));
        },
        close() {
          if (ending.ended) return;
          ending.closedHere();
          // What was written still leaves; a hub that does not close its side is dropped later.
          socket.end();
          const linger = setTimeout(() => socket.destroy(), LINGER_MS) as { unref?: () => void };
          linger.unref?.();
        },
      });
    });
  });
}
