/**
 * The byte stream under a connection (docs/wire.md §2), chosen by the address's scheme: a
 * WebSocket (`ws://`, `wss://`) anywhere, and on Node.js also a TCP connection (`tcp://`), a Unix
 * domain socket (`ipc://`) or a TLS session over TCP (`tls+tcp://`), as the Rust hub serves them.
 *
 * Owns: what a stream is and reports (its opening and end settled once, `StreamEnding`), what an
 * address names, whether this runtime can reach it, and which stream opens it. Must not open a
 * stream itself (websocket.ts and node_streams.ts do) or look at the bytes. The Node.js streams are loaded with `import()` when first needed, so a
 * browser never loads them.
 */

import { NanomitterError } from './errors.js';
import { openWebSocket } from './websocket.js';

/** What a stream reports. */
export interface StreamHandlers {
  onData(bytes: Uint8Array): void;
  onClose(reason: string): void;
}

/** An open byte stream. */
export interface ByteStream {
  /**
   * Writes these parts, in order (they may leave in one or several writes). Their bytes are taken
   * at the call: the caller may change them afterwards.
   */
  write(parts: readonly Uint8Array[]): void;
  close(): void;
}

/**
 * TLS for `tls+tcp://` addresses, as the Rust dialer has it (`Tls`, the CLI's `--tls-ca` and
 * `--tls-server-name`): the hub's certificate is always verified.
 */
export interface TlsOptions {
  /** The PEM certificate authorities the hub's certificate must be signed by (the text, not a path). */
  ca: string | Uint8Array;
  /**
   * The name the hub's certificate must carry; default: the address's host (a DNS name, or an IP
   * address the certificate lists).
   */
  serverName?: string;
}

/** Why a stream did not open (code `Unreachable`, or `InvalidSetting` for an address refused). */
export class StreamOpenError extends NanomitterError {
  constructor(
    message: string,
    /** The far side answered and another try will not help (a certificate that does not verify). */
    readonly refused: boolean,
    code: 'Unreachable' | 'InvalidSetting' = 'Unreachable',
  ) {
    super(code, message);
    this.name = 'StreamOpenError';
  }
}

/**
 * A stream's opening and its end, each settled once: before the stream opened, its timeout or a
 * failure rejects the opening; after, the first end is reported to the handlers. Both streams
 * (websocket.ts, node_streams.ts) share it.
 */
export class StreamEnding {
  /** Whether the stream opened (then an end goes to the handlers, not to the opening). */
  private open = false;
  /** Whether it ended (or timed out): later ends are ignored. */
  private over = false;
  /** Rejects the opening after `timeoutMs`, until the stream opens. */
  private readonly timer: ReturnType<typeof setTimeout>;

  /**
   * Opening `what` at `address`: `release` gives the underlying socket up, at a timeout and at
   * every end.
   */
  constructor(
    private readonly address: string,
    what: string,
    timeoutMs: number,
    private readonly handlers: StreamHandlers,
    private readonly reject: (error: Error) => void,
    private readonly release: () => void,
  ) {
    this.timer = setTimeout(() => {
      this.over = true;
      release();
      reject(new StreamOpenError(`${address}: no ${what} within ${timeoutMs} ms`, false));
    }, timeoutMs);
  }

  /** Whether the stream ended: nothing more is written or reported. */
  get ended(): boolean {
    return this.over;
  }

  /** The stream opened: from now on its end goes to the handlers. */
  opened(): void {
    this.open = true;
    clearTimeout(this.timer);
  }

  /** This side closes the open stream its own way and tells nobody: later ends are ignored. */
  closedHere(): void {
    this.over = true;
  }

  /** The stream ended for `reason`, or failed to open (`refused`: another try will not help). */
  end(reason: string, refused = false): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.timer);
    this.release();
    if (this.open) this.handlers.onClose(reason);
    else this.reject(new StreamOpenError(`${this.address}: ${reason}`, refused));
  }
}

/** What a Node.js stream address names: a host and port (over TLS or not), or a socket path. */
export type NodeEndpoint =
  | { kind: 'tcp' | 'tls'; host: string; port: number; family: 0 | 4 | 6 }
  | { kind: 'ipc'; path: string };

const WEBSOCKET = /^wss?:\/\/[^/]+/;
const HOST_PORT = /^(tcp|tcp4|tcp6|tls\+tcp):\/\/(\[[^\]]+\]|[^:/[\]]+):(\d{1,5})$/;

/** What `address` names, or why it names nothing a Node.js stream can open. */
function nodeEndpoint(address: string): NodeEndpoint | string {
  if (address.startsWith('ipc://')) {
    // As NNG reads it: the rest is the path (`ipc:///tmp/hub.sock` is `/tmp/hub.sock`).
    const path = address.slice('ipc://'.length);
    return path === '' ? `${address}: an ipc:// address needs a path, as in ipc:///tmp/nanomitter.sock` : { kind: 'ipc', path };
  }
  const found = HOST_PORT.exec(address);
  if (!found) {
    return `${address}: not an address a member can dial: ws://host:port/path, wss://host:port/path, or on Node.js tcp://host:port, ipc:///path, tls+tcp://host:port`;
  }
  const [, scheme, bracketed, digits] = found;
  const port = Number(digits);
  if (port === 0 || port > 65535) return `${address}: the port must be 1 to 65535`;
  const host = bracketed.startsWith('[') ? bracketed.slice(1, -1) : bracketed;
  const family = scheme === 'tcp4' ? 4 : scheme === 'tcp6' ? 6 : 0;
  return { kind: scheme === 'tls+tcp' ? 'tls' : 'tcp', host, port, family };
}

/** Whether this runtime is Node.js (or one that offers `node:net` and `node:tls` as it does). */
export function isNode(): boolean {
  const runtime = globalThis as { process?: { versions?: { node?: unknown } } };
  return typeof runtime.process?.versions?.node === 'string';
}

/** Why this runtime cannot reach `address` with these settings, or `null` when it can. */
export function checkAddress(address: string, tls: TlsOptions | null): string | null {
  if (WEBSOCKET.test(address)) return null;
  const endpoint = nodeEndpoint(address);
  if (typeof endpoint === 'string') return endpoint;
  if (!isNode()) {
    return `${address}: a browser reaches its hub at a ws:// or wss:// address only (tcp://, ipc:// and tls+tcp:// need Node.js)`;
  }
  if (endpoint.kind === 'tls' && tls === null) {
    return `${address}: a TLS address needs the TLS settings (the option \`tls: { ca }\`, the certificate authorities)`;
  }
  return null;
}

/** Opens the stream `address` names (checked by {@link checkAddress}), within `timeoutMs`. */
export async function openStream(
  address: string,
  handlers: StreamHandlers,
  options: { timeoutMs: number; tls: TlsOptions | null },
): Promise<ByteStream> {
  const refused = checkAddress(address, options.tls);
  if (refused) throw new StreamOpenError(refused, true, 'InvalidSetting');
  if (WEBSOCKET.test(address)) return openWebSocket(address, handlers, options.timeoutMs);
  const { openNodeStream } = await import('./node_streams.js');
  return openNodeStream(address, nodeEndpoint(address) as NodeEndpoint, handlers, options);
}
