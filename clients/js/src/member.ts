/**
 * One cluster member, always a client: linking to a hub over the candidate addresses with
 * backoff and failover, around the protocol's state machine ({@link MemberCore}). It feeds the
 * core what happens (a link up or down, frames, the emitter's calls, the time) and carries out
 * what the core decides: frames onto the connection, events to the emitter, flushes settled,
 * links dropped.
 *
 * Owns: the candidates run loop, the connection, the clock, the one timer armed from
 * {@link MemberCore.pollTimeout}, and the task that tells the core it caught up after the
 * emitter's calls. Must not decide anything about frames (the core does), hold listeners or
 * decode payloads: it hands events to the emitter through {@link MemberHooks.deliver}.
 */

import type { NodeId } from './bytes.js';
import { Connection, OpenError, type Proof } from './connection.js';
import { type Action, type CoreSettings, MemberCore, type MemberStats, type RawEvent } from './core.js';
import { NanomitterError } from './errors.js';
import type { TlsOptions } from './transport.js';
import type { CodecName, Frame } from './wire.js';

export type { MemberStats, RawEvent } from './core.js';

export interface MemberSettings extends CoreSettings {
  candidates: string[];
  /** The cluster secret or a scoped credential this member proves; `null` for a hub without a secret. */
  proof: Proof | null;
  tls: TlsOptions | null;
  electionTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  connectTimeoutMs: number;
}

export interface MemberHooks {
  deliver(event: RawEvent): void;
  /** The link came up (at `address`) or went down (`null`). */
  linked(address: string | null): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Monotonic: the core's timers are due times, which must not move when the wall clock is set. */
const now = () => performance.now();

export class Member {
  /** The protocol: all its state and every decision about frames. */
  private readonly core: MemberCore;
  /** The hub's connection while a link is up (and while a close waits for its goodbye to go out). */
  private connection: Connection | null = null;
  /** Counts opening attempts: reports of an older connection are ignored. */
  private attempt = 0;
  /** Ends {@link serve} when the link is over. */
  private linkEnded: (() => void) | null = null;
  /** Flushes waiting for the core's `flushed` (or `flushFailed`) action, by ticket. */
  private readonly flushes = new Map<number, { resolve(): void; reject(e: Error): void }>();
  /** Wakes the core for {@link MemberCore.handleTimeout}. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When {@link timer} fires (`null`: it is not armed). */
  private timerAt: number | null = null;
  /** Whether a {@link drain} is queued after the emitter's calls. */
  private drainQueued = false;

  constructor(
    readonly id: NodeId,
    key: Uint8Array,
    private readonly settings: MemberSettings,
    private readonly hooks: MemberHooks,
  ) {
    this.core = new MemberCore(id, key, settings);
  }

  /** Counters, kept by the core (the connection's malformed frames are counted here). */
  get stats(): MemberStats {
    return this.core.stats;
  }

  /** Whether {@link close} was called (the core knows). */
  private get closed(): boolean {
    return this.core.closed;
  }

  /** Links to a hub and keeps linking again whenever the link is lost, until {@link close}. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new NanomitterError('Unreachable', this.unreachable()));
        void this.close();
      }, this.settings.connectTimeoutMs);
      this.onFirstLink = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      this.onRefused = (refusal) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new NanomitterError('Refused', refusal.message, refusal.reason));
        void this.close();
      };
      void this.run();
    });
  }

  /** Why no link came up in time: a hub's refusal, or else no hub, with how to start one. */
  private unreachable(): string {
    const { candidates, connectTimeoutMs } = this.settings;
    // A hub that answered and refused (secret, wire version, certificate) says more than a timeout.
    if (this.lastRefusal) return `no hub answered within ${connectTimeoutMs} ms: ${this.lastRefusal}`;
    const why = this.lastError ? ` (${this.lastError})` : '';
    const tls = candidates.some((a) => a.startsWith('tls+tcp://') || a.startsWith('wss://')) ? ' --tls-ca <PEM> --tls-cert-key <PEM>' : '';
    return (
      `no hub at ${candidates.join(', ')} within ${connectTimeoutMs} ms${why}: ` +
      `start one with \`nanomitter hub -a ${candidates.join(',')}${tls}\``
    );
  }

  private onFirstLink: (() => void) | null = null;
  /** Before the first link: fails {@link start} with a refusal that dialing again cannot fix. */
  private onRefused: ((refusal: OpenError) => void) | null = null;
  /** The last attempt's refusal, when dialing the same hub again cannot fix it. */
  private finalRefusal: OpenError | null = null;
  /** Why the last attempt to open a connection failed, and the last refusal by a hub. */
  private lastError: string | null = null;
  private lastRefusal: string | null = null;

  private async run(): Promise<void> {
    const { candidates, reconnectMinMs, reconnectMaxMs, electionTimeoutMs } = this.settings;
    while (!this.closed) {
      let linked = false;
      for (const [index, address] of candidates.entries()) {
        const deadline = now() + electionTimeoutMs;
        let wait = reconnectMinMs;
        while (!this.closed) {
          const connection = await this.open(address, Math.max(deadline - now(), 1));
          if (connection) {
            await this.serve(connection, address);
            linked = true;
            break;
          }
          // Refused for good before the first link: the next candidate at once, and on the last
          // one `connect` fails with the reason instead of waiting for its timeout.
          if (this.finalRefusal && !this.core.hasLinked) {
            if (index === candidates.length - 1) this.onRefused?.(this.finalRefusal);
            break;
          }
          if (now() + wait >= deadline) break;
          await sleep(wait);
          wait = Math.min(wait * 2, reconnectMaxMs);
        }
        if (linked || this.closed) break;
      }
      if (!linked && !this.closed) await sleep(reconnectMinMs);
    }
  }

  private async open(address: string, timeoutMs: number): Promise<Connection | null> {
    const attempt = ++this.attempt;
    const current = () => attempt === this.attempt && !this.closed;
    this.finalRefusal = null;
    try {
      const connection = await Connection.open(
        address,
        { proof: this.settings.proof, tls: this.settings.tls, maxFrame: this.settings.maxFrameSize, timeoutMs },
        {
          onFrame: (frame) => current() && this.receive(frame),
          onMalformed: () => {
            if (current()) this.stats.malformed++;
          },
          onDrained: () => current() && this.drain(),
          onClose: (reason) => current() && this.linkDown(reason),
        },
      );
      if (!current()) {
        connection.close();
        return null;
      }
      return connection;
    } catch (error) {
      this.lastError = error instanceof OpenError ? error.message : String(error);
      if (error instanceof OpenError && error.refused) this.lastRefusal = error.message;
      this.finalRefusal = error instanceof OpenError && error.final ? error : null;
      return null;
    }
  }

  /** One link, from up to down. */
  private serve(connection: Connection, address: string): Promise<void> {
    return new Promise((resolve) => {
      this.linkEnded = resolve;
      this.linkUp(connection, address);
    });
  }

  private linkUp(connection: Connection, address: string): void {
    this.connection = connection;
    this.step((at) => this.core.linkUp(at));
    connection.start();
    this.hooks.linked(address);
    this.onFirstLink?.();
    this.onFirstLink = null;
  }

  /** The connection ended: the core tells the listeners and has the link dropped. */
  private linkDown(reason: string): void {
    this.step((at) => this.core.linkDown(at, reason));
  }

  private receive(frame: Frame): void {
    this.step((at) => this.core.receive(frame, at));
  }

  /** What arrived so far is handled. */
  private drain(): void {
    this.step((at) => this.core.caughtUp(at));
  }

  private queueDrain(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    queueMicrotask(() => {
      this.drainQueued = false;
      this.drain();
    });
  }

  /**
   * Hands the core one input at the current time, carries out what it decided, and arms the
   * timer for what it waits for next.
   */
  private step<T>(input: (at: number) => T): T {
    try {
      return input(now());
    } finally {
      this.carryOut();
      this.arm();
    }
  }

  /**
   * Carries out the core's actions, in order. They are all taken first: a listener that calls
   * the member (an emit's local echo, a flush) has what that call decided carried out at once,
   * before the rest, as a direct call would.
   */
  private carryOut(): void {
    const actions: Action[] = [];
    for (let action; (action = this.core.pollAction()); ) actions.push(action);
    for (const action of actions) {
      switch (action.kind) {
        case 'send':
          this.connection?.send(action.frame);
          break;
        case 'deliver':
          this.hooks.deliver(action.event);
          break;
        case 'flushed':
          this.flushes.get(action.ticket)?.resolve();
          this.flushes.delete(action.ticket);
          break;
        case 'flushFailed':
          this.flushes.get(action.ticket)?.reject(new NanomitterError('Closed', 'closed before every member held the events'));
          this.flushes.delete(action.ticket);
          break;
        case 'dropLink':
          this.dropLink();
          break;
      }
    }
  }

  /** The link is over: the run loop links again. */
  private dropLink(): void {
    if (!this.connection) return;
    this.endLink();
    this.hooks.linked(null);
  }

  /** Closes the connection, ignores what it may still report, and ends {@link serve}. */
  private endLink(): void {
    this.attempt++;
    this.connection?.close();
    this.connection = null;
    const ended = this.linkEnded;
    this.linkEnded = null;
    ended?.();
  }

  /** Arms the one timer for the core's earliest, unless it is armed for that time already. */
  private arm(): void {
    const at = this.core.pollTimeout();
    if (at === this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer =
      at === null
        ? undefined
        : setTimeout(() => {
            this.timerAt = null;
            this.timer = undefined;
            this.step((when) => this.core.handleTimeout(when));
          }, Math.max(at - now(), 0));
  }

  // ---- the emitter's calls

  /** This member's patterns changed: announced on the next drain. */
  setPatterns(patterns: { pattern: string; listeners: number }[]): void {
    if (this.core.setPatterns(patterns)) this.queueDrain();
  }

  /** Accepts one event (its topic already checked); returns its sequence number. */
  emit(topic: string, codec: CodecName, payload: Uint8Array): number {
    const seq = this.step((at) => this.core.emit(topic, codec, payload, at));
    this.queueDrain();
    return seq;
  }

  /** Bytes of events not yet held by every member. */
  pendingBytes(): number {
    return this.core.pendingBytes();
  }

  /** Resolves once every member holds every event emitted before the call. */
  flush(): Promise<void> {
    let ticket;
    try {
      ticket = this.step((at) => this.core.flush(at));
    } catch (error) {
      return Promise.reject(error);
    }
    if (ticket === null) return Promise.resolve();
    return new Promise((resolve, reject) => this.flushes.set(ticket, { resolve, reject }));
  }

  /** The other nodes this member knows of. */
  knownPeers(): { node: NodeId; service: string; role: 'hub' | 'client' }[] {
    return this.core.knownPeers();
  }

  /** The hub's node id, when linked and heard. */
  hubNode(): NodeId | null {
    return this.core.hubNode();
  }

  /** Says goodbye and closes the link; no event is accepted after this. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.onFirstLink = null;
    const connection = this.connection;
    this.step((at) => this.core.close(at));
    if (connection) await connection.sent();
    this.endLink();
  }
}
