/**
 * A WebSocket byte stream (`ws://`, or `wss://`): binary messages whose boundaries mean nothing
 * (docs/wire.md §2). Browsers (and Node.js 22+) have a global `WebSocket`; on older Node.js the
 * `ws` package is loaded instead.
 *
 * Owns: opening, writing, reading and closing one WebSocket. Must not look at the bytes.
 */

import { concat } from './bytes.js';
import { NanomitterError } from './errors.js';
import { type ByteStream, type StreamHandlers, StreamEnding } from './transport.js';

/**
 * The Rust hub accepts WebSocket messages of at most 1 MiB (NNG's default); writes are cut to
 * this many bytes per message.
 */
const MAX_MESSAGE = 512 * 1024;

type AnySocket = {
  binaryType: string;
  readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
};
type SocketClass = new (url: string, protocols?: string[], options?: object) => AnySocket;

let socketClass: Promise<SocketClass> | null = null;

function loadSocketClass(): Promise<SocketClass> {
  socketClass ??= (async () => {
    const native = (globalThis as { WebSocket?: SocketClass }).WebSocket;
    if (native) return native;
    const name = 'ws';
    try {
      const module: { WebSocket?: SocketClass; default?: SocketClass } = await import(name);
      const found = module.WebSocket ?? module.default;
      if (found) return found;
    } catch {
      // reported below
    }
    throw new NanomitterError('Unsupported', 'no WebSocket in this runtime: on Node.js before 22, install the `ws` package');
  })();
  return socketClass;
}

function bytesOf(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) {
    // `ws` may hand over a list of fragments.
    return concat(data.map(bytesOf).filter((p): p is Uint8Array => p !== null));
  }
  return null;
}

/** Opens a WebSocket to `address`, within `timeoutMs`. */
export async function openWebSocket(
  address: string,
  handlers: StreamHandlers,
  timeoutMs: number,
): Promise<ByteStream> {
  const Socket = await loadSocketClass();
  const native = Socket === (globalThis as { WebSocket?: unknown }).WebSocket;
  // In Node.js (`ws`): no compression, and no Origin header (only browsers send one).
  const socket = native ? new Socket(address) : new Socket(address, [], { perMessageDeflate: false });
  socket.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    const ending = new StreamEnding(address, 'WebSocket connection', timeoutMs, handlers, reject, () => socket.close());
    socket.onerror = (event) => ending.end(event?.message || 'the WebSocket failed');
    socket.onclose = (event) => ending.end(`the WebSocket closed${event?.code ? ` (code ${event.code})` : ''}`);
    socket.onmessage = (event) => {
      const bytes = bytesOf(event.data);
      if (bytes) handlers.onData(bytes);
      else ending.end('a text message on a binary stream');
    };
    socket.onopen = () => {
      ending.opened();
      resolve({
        write(parts) {
          if (ending.ended) return;
          const joined = concat(parts);
          for (let from = 0; from < joined.length; from += MAX_MESSAGE) {
            socket.send(joined.subarray(from, Math.min(from + MAX_MESSAGE, joined.length)));
          }
        },
        close() {
          if (ending.ended) return;
          socket.close(1000);
          ending.end('closed by this member');
        },
      });
    };
  });
}
