/**
 * The emitter: the API of Nanomitter and mesh (`on`, `once`, `many`, `off`,
 * `removeAllListeners`, `emit`, `waitFor`, `connect`, `flush`, `close`) over one cluster member.
 *
 * Owns: the settings (the default address among them), checking what callers pass, the listeners
 * and handing them events with their payloads decoded. Must not make protocol decisions: the
 * member does.
 */

import { type NodeId, randomNodeId, randomNodeKey, utf8 } from './bytes.js';
import { secretBytes } from './auth.js';
import type { Proof } from './connection.js';
import { type Scope, checkPublish, readToken } from './credential.js';
import { CODECS, type CodecName, DEFAULT_CODECS, checkCodec, decodePayload, encodePayload } from './codec.js';
import { NanomitterError, describe } from './errors.js';
import { Member, type MemberStats, type RawEvent } from './member.js';
import { Registry } from './registry.js';
import { interestError, interestSize, topicError } from './topic.js';
import { type TlsOptions, checkAddress, isNode } from './transport.js';

/** The address `connect()` dials when given none, as in Nanomitter and the Rust crate. */
export const DEFAULT_ADDRESS = 'tcp://127.0.0.1:55555';

/**
 * The candidates `connect()` dials when given none: `$NANOMITTER_ADDR` on Node.js when set
 * (comma-separated candidates, as the CLI reads it), else {@link DEFAULT_ADDRESS}.
 */
export function defaultCandidates(): string[] {
  const env = isNode() ? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env : undefined;
  const listed = (env?.NANOMITTER_ADDR ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  return listed.length > 0 ? listed : [DEFAULT_ADDRESS];
}

/** One event as a listener receives it. */
export interface NanomitterEvent<T = unknown> {
  topic: string;
  /** The emitting node's service name. */
  service: string;
  /** The emitting node's id (16 hex digits). */
  node: NodeId;
  /** The emitting node's sequence number of this event (0 for notices). */
  seq: number;
  /** How the payload was encoded: `bincode` payloads arrive as their bytes (a `Uint8Array`). */
  codec: CodecName;
  data: T;
}

export type Listener<T = unknown> = (event: NanomitterEvent<T>) => void;

/** An event to emit as one object, as Nanomitter's `emit({ topic, data })` takes it. */
export interface OutgoingEvent<T = unknown> {
  topic: string;
  data: T;
}

/** How one event is sent. */
export interface EmitOptions {
  /** Overrides the emitter's codec: `bincode` takes the bytes bincode wrote (a `Uint8Array`). */
  codec?: CodecName;
}

export interface EmitterOptions {
  /** This node's service name (at most 255 bytes), shown to every other node. Default `js`. */
  service?: string;
  /** The cluster secret (at least 16 bytes), when the hub requires one. */
  secret?: string | Uint8Array;
  /**
   * A scoped credential's token, instead of the secret (a web page's, minted by its server with
   * `nanomitter token` or the Rust library): this client may then emit and receive only the
   * topics it allows (`emit` refuses others with `Forbidden`), until it expires.
   */
  token?: string;
  /**
   * TLS for `tls+tcp://` candidates (Node.js; required for them): the PEM certificate
   * authorities the hub's certificate must be signed by, and the name it must carry (default:
   * the address's host). A certificate that does not verify is refused.
   */
  tls?: TlsOptions;
  /** How events are encoded by default: `json` (the default) or `msgpack`. */
  codec?: 'json' | 'msgpack';
  /** Listeners on this node receive its own events too (as with Node's EventEmitter). Default true. */
  localEcho?: boolean;
  /** Liveness beat; the hub counts as lost after three silent beats. Default 1000 ms. */
  livenessMs?: number;
  /** How long each candidate address is tried before the next. Default 1000 ms. */
  electionTimeoutMs?: number;
  /** Redialing backoff, doubling from the minimum to the maximum. Default 10 ms to 200 ms. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** How long `connect` may take before it fails. Default 10,000 ms. */
  connectTimeoutMs?: number;
  /** Events frames sent and not yet acknowledged, at most. Default 8. */
  window?: number;
  /** Bytes at which a frame is sent without waiting for more events. Default 256 KiB. */
  batchBytes?: number;
  /** The longest frame accepted or sent. Default 16 MiB (the Rust default). */
  maxFrameSize?: number;
  /** `emit` refuses (`Overflow`) while this many bytes of events are not held by every member. Default 64 MiB. */
  maxPendingBytes?: number;
  /** Called when a listener throws; the default writes to `console.error`. */
  onListenerError?: (error: unknown, event: NanomitterEvent) => void;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new NanomitterError('InvalidSetting', `${name} must be a positive number, not ${describe(value)}`);
  }
  return value;
}

/** The settings that are not numbers: refused at construction rather than at `connect`. */
function checkSettings(options: EmitterOptions): void {
  const { service, localEcho, onListenerError } = options;
  if (service !== undefined && (typeof service !== 'string' || utf8(service).length > 255)) {
    throw new NanomitterError('InvalidSetting', `service must be a string of at most 255 bytes, not ${describe(service)}`);
  }
  if (localEcho !== undefined && typeof localEcho !== 'boolean') {
    throw new NanomitterError('InvalidSetting', `localEcho must be true or false, not ${describe(localEcho)}`);
  }
  if (onListenerError !== undefined && typeof onListenerError !== 'function') {
    throw new NanomitterError('InvalidSetting', `onListenerError must be a function, not ${describe(onListenerError)}`);
  }
  if (options.secret !== undefined) secretBytes(options.secret);
  if (options.token !== undefined) readToken(options.token);
  if (options.secret !== undefined && options.token !== undefined) {
    throw new NanomitterError('InvalidSetting', 'give the secret or a token, not both');
  }
  if (options.codec !== undefined) checkCodec('codec', options.codec, DEFAULT_CODECS);
}

/** What the member proves: the secret, a token's credential, or nothing. */
function proofOf(options: EmitterOptions): Proof | null {
  if (options.secret !== undefined) return { key: secretBytes(options.secret), claims: null };
  if (options.token === undefined) return null;
  const { key, claims } = readToken(options.token);
  return { key, claims };
}

function checkTopic(topic: string, listening: boolean): void {
  const reason = topicError(topic, listening);
  if (reason !== null) throw new NanomitterError('InvalidTopic', `invalid topic ${describe(topic)}: ${reason}`);
}

function checkListener(listener: unknown): void {
  if (typeof listener !== 'function') {
    throw new NanomitterError('InvalidArgument', `a listener must be a function, not ${describe(listener)}`);
  }
}

/** `emit`'s options: a plain object with `codec` at most (an array, a Date... is a second value). */
function checkEmitOptions(options: unknown): { codec?: CodecName } {
  const plain = typeof options === 'object' && options !== null && [Object.prototype, null].includes(Object.getPrototypeOf(options));
  const unknown = plain ? Object.keys(options).filter((k) => k !== 'codec') : [];
  if (!plain || unknown.length > 0) {
    const what = plain ? `an object with ${unknown.map((k) => describe(k)).join(', ')}` : describe(options);
    throw new NanomitterError(
      'InvalidArgument',
      `emit(topic, data, options) takes its options as { codec }, not ${what}: to emit several values, put them in one array or object`,
    );
  }
  return options as { codec?: CodecName };
}

export class Emitter {
  /** This node's id (16 hex digits), as other nodes see it in events and notices. */
  readonly node: NodeId = randomNodeId();
  /** What proves {@link node} at every hub this emitter joins: no other process can take the id. */
  private readonly key: Uint8Array = randomNodeKey();
  private readonly options: EmitterOptions;
  private readonly registry = new Registry<Listener>();
  private member: Member | null = null;
  private address: string | null = null;
  private closed = false;
  /** What this client's token allows; `null` without one (the secret, or none). */
  readonly scope: Scope | null;

  /**
   * `new Emitter(options)`, or `new Emitter('worker')` and `new Emitter('worker', options)`
   * with the service name first.
   */
  constructor(service: string | EmitterOptions = {}, options: EmitterOptions = {}) {
    const o = (this.options = typeof service === 'string' ? { ...options, service } : { ...service });
    // Refuse bad settings here rather than at `connect`.
    checkSettings(o);
    this.scope = o.token === undefined ? null : readToken(o.token).scope;
    if (o.tls !== undefined && (typeof o.tls !== 'object' || o.tls === null || o.tls.ca === undefined)) {
      throw new NanomitterError('InvalidSetting', 'tls must be { ca, serverName? }, with the PEM certificate authorities in ca');
    }
  }

  /**
   * Joins the cluster through its hub at `address`, or the first of the `candidates` that
   * answers (most preferred first); resolves once linked. Without an address: `$NANOMITTER_ADDR`
   * on Node.js, else `tcp://127.0.0.1:55555` ({@link defaultCandidates}). The member links again
   * by itself whenever the hub is lost, walking the candidates with backoff, until {@link close}.
   */
  async connect(candidates: string | string[] = defaultCandidates()): Promise<this> {
    if (this.closed) throw new NanomitterError('Closed', 'the emitter is closed');
    if (this.member) throw new NanomitterError('InvalidSetting', 'connect was called already');
    const list = typeof candidates === 'string' ? [candidates] : Array.isArray(candidates) ? [...candidates] : null;
    if (list === null) {
      throw new NanomitterError('InvalidSetting', `connect takes an address or a list of them, not ${describe(candidates)}`);
    }
    if (list.length === 0) throw new NanomitterError('InvalidSetting', 'no candidate address');
    const tls = this.options.tls ?? null;
    for (const address of list) {
      if (typeof address !== 'string') throw new NanomitterError('InvalidSetting', `an address is a string, not ${describe(address)}`);
      const refused = checkAddress(address, tls);
      if (refused) throw new NanomitterError('InvalidSetting', refused);
    }
    const o = this.options;
    this.member = new Member(
      this.node,
      this.key,
      {
        service: this.service,
        candidates: list,
        proof: proofOf(o),
        tls,
        livenessMs: positive('livenessMs', o.livenessMs, 1000),
        electionTimeoutMs: positive('electionTimeoutMs', o.electionTimeoutMs, 1000),
        reconnectMinMs: positive('reconnectMinMs', o.reconnectMinMs, 10),
        reconnectMaxMs: positive('reconnectMaxMs', o.reconnectMaxMs, 200),
        connectTimeoutMs: positive('connectTimeoutMs', o.connectTimeoutMs, 10_000),
        window: positive('window', o.window, 8),
        batchBytes: positive('batchBytes', o.batchBytes, 256 * 1024),
        maxFrameSize: positive('maxFrameSize', o.maxFrameSize, 16 * 1024 * 1024),
        maxPendingBytes: positive('maxPendingBytes', o.maxPendingBytes, 64 * 1024 * 1024),
        localEcho: o.localEcho ?? true,
      },
      {
        deliver: (event) => this.deliver(event),
        linked: (address) => {
          this.address = address;
        },
      },
    );
    this.member.setPatterns(this.registry.patterns());
    await this.member.start();
    return this;
  }

  /** Listens to a topic or pattern (`stock.*`, `stock.>`, `*`, `$peer.joined`...). */
  on<T = unknown>(pattern: string, listener: Listener<T>): this {
    return this.add(pattern, listener as Listener, Infinity);
  }

  addListener<T = unknown>(pattern: string, listener: Listener<T>): this {
    return this.on(pattern, listener);
  }

  /** Listens to the next event on `pattern` only. */
  once<T = unknown>(pattern: string, listener: Listener<T>): this {
    return this.add(pattern, listener as Listener, 1);
  }

  /** Listens to the next `count` events on `pattern`. */
  many<T = unknown>(pattern: string, count: number, listener: Listener<T>): this {
    if (!Number.isInteger(count) || count <= 0) {
      throw new NanomitterError('InvalidArgument', `many: count must be a positive integer, not ${describe(count)}`);
    }
    return this.add(pattern, listener as Listener, count);
  }

  private add(pattern: string, listener: Listener, remaining: number): this {
    checkTopic(pattern, true);
    checkListener(listener);
    // A new pattern makes the announcement to every other node larger: within the budget.
    if (this.registry.count(pattern) === 0) {
      const announced = this.registry.patterns().map((p) => p.pattern);
      const reason = interestError(interestSize([...announced, pattern]));
      if (reason !== null) throw new NanomitterError('InvalidTopic', `invalid topic ${JSON.stringify(pattern)}: ${reason}`);
    }
    this.registry.add(pattern, listener, remaining);
    this.member?.setPatterns(this.registry.patterns());
    return this;
  }

  /** Removes the most recently added instance of `listener` on `pattern`. */
  off<T = unknown>(pattern: string, listener: Listener<T>): this {
    if (this.registry.remove(pattern, listener as Listener)) this.member?.setPatterns(this.registry.patterns());
    return this;
  }

  removeListener<T = unknown>(pattern: string, listener: Listener<T>): this {
    return this.off(pattern, listener);
  }

  /** Removes every listener on `pattern`, or every listener. */
  removeAllListeners(pattern?: string): this {
    this.registry.removeAll(pattern);
    this.member?.setPatterns(this.registry.patterns());
    return this;
  }

  /** Listeners on exactly this pattern, or on every pattern. */
  listenerCount(pattern?: string): number {
    return this.registry.count(pattern);
  }

  /** The patterns listened to on this node. */
  eventNames(): string[] {
    return this.registry.patterns().map((p) => p.pattern);
  }

  /**
   * Emits `data` on `topic` to every listener of it on every node (and this one, with local
   * echo); returns the event's sequence number. `emit({ topic, data }, options?)`, as Nanomitter
   * has it, is the same. The event leaves with the next batch; `flush()` tells when every member
   * holds it. `codec` overrides the emitter's: `bincode` takes the bytes bincode wrote (a
   * `Uint8Array`). Throws `Overflow` while too much is not yet acknowledged. One value per event:
   * more arguments are refused (`InvalidArgument`), never dropped.
   */
  emit(topic: string, data: unknown, options?: EmitOptions): number;
  emit(event: OutgoingEvent, options?: EmitOptions): number;
  emit(first: string | OutgoingEvent, second?: unknown, third?: EmitOptions): number {
    const asObject = typeof first === 'object' && first !== null;
    const [topic, data, options = {}] = asObject ? [first.topic, first.data, second as EmitOptions | undefined] : [first, second, third];
    if (asObject && typeof topic !== 'string') {
      throw new NanomitterError('InvalidTopic', 'emit takes a topic and its data, or one { topic, data } object');
    }
    checkTopic(topic, false);
    checkPublish(this.scope, topic);
    if (arguments.length > (asObject ? 2 : 3)) {
      const shape = asObject ? '({ topic, data }, options)' : '(topic, data, options)';
      throw new NanomitterError('InvalidArgument', `emit takes ${shape}, not ${arguments.length} arguments: to emit several values, put them in one array or object`);
    }
    const codec = checkCodec('codec', checkEmitOptions(options).codec ?? this.options.codec ?? 'json', CODECS);
    const payload = encodePayload(codec, data);
    if (!this.member) throw new NanomitterError('Closed', 'connect first');
    return this.member.emit(topic, codec, payload);
  }

  /** The next event on `pattern`; rejects with `Timeout` after `timeoutMs` if one is given. */
  waitFor<T = unknown>(pattern: string, timeoutMs?: number): Promise<NanomitterEvent<T>> {
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
      return Promise.reject(new NanomitterError('InvalidArgument', `waitFor: timeoutMs must be a number of milliseconds, not ${describe(timeoutMs)}`));
    }
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const listener: Listener<T> = (event) => {
        clearTimeout(timer);
        resolve(event);
      };
      this.once(pattern, listener);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.off(pattern, listener);
          reject(new NanomitterError('Timeout', `no event on ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs);
      }
    });
  }

  /** Resolves once every member holds every event emitted before the call. */
  flush(): Promise<void> {
    if (!this.member) return Promise.resolve();
    return this.member.flush();
  }

  /** Says goodbye to the cluster and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.member?.close();
  }

  /** This node's service name, shown to every other node. */
  get service(): string {
    return this.options.service ?? 'js';
  }

  /** The hub's address while linked, `null` while linking again. */
  get hubAddress(): string | null {
    return this.address;
  }

  /** The hub's node id, once heard. */
  get hubNode(): NodeId | null {
    return this.member?.hubNode() ?? null;
  }

  /** The other nodes this node knows of. */
  peers(): { node: NodeId; service: string; role: 'hub' | 'client' }[] {
    return this.member?.knownPeers() ?? [];
  }

  /** Counters of this node. */
  stats(): MemberStats & { pendingBytes: number } {
    const empty = { emitted: 0, received: 0, duplicates: 0, framesSent: 0, framesReceived: 0, malformed: 0, nacks: 0, resent: 0, pastWindow: 0, gaps: 0, overflows: 0, links: 0 };
    return { ...(this.member?.stats ?? empty), pendingBytes: this.member?.pendingBytes() ?? 0 };
  }

  private deliver(raw: RawEvent): void {
    const { listeners, changed } = this.registry.take(raw.topic);
    if (changed) this.member?.setPatterns(this.registry.patterns());
    if (listeners.length === 0) return;
    const data = raw.payload === null ? raw.data : decodePayload(raw.codec, raw.payload).data;
    const event: NanomitterEvent = { topic: raw.topic, service: raw.service, node: raw.node, seq: raw.seq, codec: raw.codec, data };
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        (this.options.onListenerError ?? ((e) => console.error('nanomitter: a listener threw', e)))(error, event);
      }
    }
  }
}

/** Creates an emitter and connects it: `const emitter = await connect('ws://hub:55555/nm')`. */
export async function connect(candidates?: string | string[], options: EmitterOptions = {}): Promise<Emitter> {
  return new Emitter(options).connect(candidates);
}
