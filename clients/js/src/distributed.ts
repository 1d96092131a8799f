/**
 * Nanomitter's API (the TypeScript package on a nanomsg bus this project grew from), so that its
 * users port by changing an import: `DistributedEventEmitter`, `DistributedEvent`,
 * `EventListener`. Listeners get `{ topic, data }`, and a heartbeat goes out on `<3` with
 * `{ service }` every `heartbeatInterval` ms, as there.
 *
 * Owns: translating between that API and the {@link Emitter}'s, and the heartbeat. Must not
 * implement anything else: connecting, topics and listeners are the Emitter's.
 */

import { Emitter, type EmitterOptions, type Listener } from './emitter.js';
import { NanomitterError, describe } from './errors.js';

/** An event as Nanomitter's listeners get it, and as its `emit` takes it. */
export type DistributedEvent = { topic: string; data: any };
export type EventListener = (msg: DistributedEvent) => void;

/** The topic of the heartbeat, as in Nanomitter and the Rust crate (`HEARTBEAT_TOPIC`). */
export const HEARTBEAT_TOPIC = '<3';

export class DistributedEventEmitter {
  /** The emitter underneath, for what Nanomitter did not have: `flush`, `waitFor`, `peers`, `stats`... */
  readonly emitter: Emitter;
  /** Per topic, each listener added with the adapter the emitter holds for it, in the order added. */
  private readonly adapters = new Map<string, { listener: EventListener; adapter: Listener }[]>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  /**
   * `serviceName` is this node's service (default `js`); a heartbeat goes out every
   * `heartbeatInterval` ms once connected (0 turns it off). `options` are the {@link Emitter}'s.
   */
  constructor(
    serviceName?: string,
    readonly heartbeatInterval = 60000,
    options: EmitterOptions = {},
  ) {
    if (typeof heartbeatInterval !== 'number' || !(heartbeatInterval >= 0)) {
      throw new NanomitterError('InvalidSetting', `heartbeatInterval must be a number of ms (0: none), not ${heartbeatInterval}`);
    }
    this.emitter = new Emitter(serviceName === undefined ? options : { ...options, service: serviceName });
  }

  /** This node's service name, as its heartbeats carry it. */
  get serviceName(): string {
    return this.emitter.service;
  }

  /**
   * Joins the cluster through the hub at `addr` (default: `$NANOMITTER_ADDR` on Node.js, else
   * `tcp://127.0.0.1:55555`); resolves to this emitter once linked. Unlike Nanomitter, this node
   * never becomes the hub itself: a Rust node (`nanomitter hub -a <addr>`) is.
   */
  async connect(addr?: string | string[]): Promise<this> {
    await this.emitter.connect(addr);
    if (this.heartbeatInterval > 0 && Number.isFinite(this.heartbeatInterval)) {
      this.heartbeat = setInterval(() => this.beat(), this.heartbeatInterval);
    }
    return this;
  }

  private beat(): void {
    try {
      this.emitter.emit(HEARTBEAT_TOPIC, { service: this.serviceName });
    } catch (error) {
      // Closed: no more beats. Overflow: this beat is skipped, the next one tries again.
      if ((error as NanomitterError).code === 'Closed') this.stopHeartbeat();
      else if ((error as NanomitterError).code !== 'Overflow') throw error;
    }
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Emits `data` on `topic` to its listeners on every node (and this one). */
  emit(msg: DistributedEvent): void {
    this.emitter.emit(msg);
  }

  /** Adds a listener of `topic` (or a pattern: `*`, `stock.*`, `stock.>`). */
  addListener(topic: string, listener: EventListener): this {
    return this.add(topic, listener, false);
  }

  on(topic: string, listener: EventListener): this {
    return this.add(topic, listener, false);
  }

  /** Adds a listener of the next event on `topic` only. */
  once(topic: string, listener: EventListener): this {
    return this.add(topic, listener, true);
  }

  private add(topic: string, listener: EventListener, once: boolean): this {
    if (typeof listener !== 'function') {
      throw new NanomitterError('InvalidArgument', `a listener must be a function, not ${describe(listener)}`);
    }
    const entry = {
      listener,
      adapter: (event: { topic: string; data: unknown }) => {
        if (once) this.forget(topic, entry);
        listener({ topic: event.topic, data: event.data });
      },
    };
    if (once) this.emitter.once(topic, entry.adapter);
    else this.emitter.on(topic, entry.adapter);
    const entries = this.adapters.get(topic) ?? [];
    entries.push(entry);
    this.adapters.set(topic, entries);
    return this;
  }

  private forget(topic: string, entry: { listener: EventListener; adapter: Listener }): void {
    const entries = this.adapters.get(topic) ?? [];
    const at = entries.indexOf(entry);
    if (at >= 0) entries.splice(at, 1);
    if (entries.length === 0) this.adapters.delete(topic);
  }

  /** Removes one instance of `listener` on `topic` (the most recently added). */
  removeListener(topic: string, listener: EventListener): this {
    const entries = this.adapters.get(topic) ?? [];
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i].listener !== listener) continue;
      this.emitter.off(topic, entries[i].adapter);
      this.forget(topic, entries[i]);
      break;
    }
    return this;
  }

  off(topic: string, listener: EventListener): this {
    return this.removeListener(topic, listener);
  }

  /** Removes every listener of `topic`, or every listener. */
  removeAllListeners(topic?: string): this {
    if (topic === undefined) this.adapters.clear();
    else this.adapters.delete(topic);
    this.emitter.removeAllListeners(topic);
    return this;
  }

  /** Stops the heartbeat, says goodbye to the cluster and closes the connection. */
  async close(): Promise<void> {
    this.stopHeartbeat();
    await this.emitter.close();
  }
}
