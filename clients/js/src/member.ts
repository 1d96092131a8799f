/**
 * One cluster member's protocol (docs/wire.md §7), always a client: linking to a hub over the
 * candidate addresses with backoff and failover, hellos and liveness, interest announcements,
 * sending with windows and re-sends, exactly-once in-order admission with acknowledgements and
 * re-send requests, membership notices and `$lagged`.
 *
 * Owns: the member's state and every decision about frames. Must not hold listeners or decode
 * payloads: it hands events to the emitter through {@link MemberHooks.deliver}.
 */

import { type NodeId, utf8 } from './bytes.js';
import { Connection, OpenError } from './connection.js';
import { LossClaims } from './claims.js';
import type { RefusalReason } from './refusal.js';
import { Receiver, type Lost } from './receiver.js';
import { Sender } from './sender.js';
import { HUB_CHANGED, LAGGED, PEER_JOINED, PEER_LEFT } from './topic.js';
import {
  type CodecName,
  type EventsFrame,
  type Frame,
  type HelloFrame,
  type Joining,
  type LeftReason,
  MAX_LISTED,
  capListed,
  encode,
  eventWireSize,
} from './wire.js';

/** How long a member waits before asking again for the same missing events. */
const NACK_INTERVAL_MS = 50;
/** How often a busy member repeats its acknowledgements. */
const ACK_REFRESH_MS = 50;
/** How long after its last events frame a member counts as busy. */
const BUSY_FOR_MS = 2000;
/** How long traces of a member that left are kept. */
const DEPARTED_KEPT_MS = 60_000;
/** An events frame's bytes besides its events, at most (the service name is at most 255 bytes). */
const FRAME_OVERHEAD = 6 + 32 + 1 + 255 + 4;

export interface MemberSettings {
  service: string;
  candidates: string[];
  secret: Uint8Array | null;
  livenessMs: number;
  electionTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  connectTimeoutMs: number;
  window: number;
  batchBytes: number;
  maxFrameSize: number;
  maxPendingBytes: number;
  localEcho: boolean;
}

/** An event as the member hands it over: a payload to decode, or a notice's data. */
export interface RawEvent {
  topic: string;
  service: string;
  node: NodeId;
  seq: number;
  codec: CodecName;
  payload: Uint8Array | null;
  data?: unknown;
}

export interface MemberHooks {
  deliver(event: RawEvent): void;
  /** The link came up (at `address`) or went down (`null`). */
  linked(address: string | null): void;
}

/** Counters, as `stats()` shows them. */
export interface MemberStats {
  emitted: number;
  received: number;
  duplicates: number;
  framesSent: number;
  framesReceived: number;
  malformed: number;
  nacks: number;
  resent: number;
  /** Frames sent past a window that stood still for 100 ms: some member was not acknowledging. */
  pastWindow: number;
  gaps: number;
  overflows: number;
  links: number;
}

export class NanomitterError extends Error {
  constructor(
    readonly code: 'InvalidTopic' | 'InvalidSetting' | 'Overflow' | 'EventTooLarge' | 'Closed' | 'Unreachable' | 'Timeout' | 'Encode' | 'Refused',
    message: string,
    /** With code `Refused`: why the hub refused this client, or this client the hub. */
    readonly reason: RefusalReason | null = null,
  ) {
    super(message);
    this.name = 'NanomitterError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const now = () => Date.now();

export class Member {
  readonly stats: MemberStats = {
    emitted: 0,
    received: 0,
    duplicates: 0,
    framesSent: 0,
    framesReceived: 0,
    malformed: 0,
    nacks: 0,
    resent: 0,
    pastWindow: 0,
    gaps: 0,
    overflows: 0,
    links: 0,
  };
  private readonly sender: Sender;
  private readonly receiver = new Receiver();
  /** What each sender may still claim it lost of its own events. */
  private readonly lossClaims = new LossClaims();
  private epoch = 0;
  private everLinked = false;
  /** The clients of the hub last heard: a new hub must wait for them too. */
  private hubMembers = new Set<NodeId>();
  private readonly peers = new Map<NodeId, { service: string; role: 'hub' | 'client' }>();
  private hub: NodeId | null = null;
  private readonly departed = new Map<NodeId, number>();
  /** Members that went away without a goodbye and may come back lacking this member's events. */
  private readonly owed = new Map<NodeId, { goneAt: number; held: number; back: boolean }>();
  private patterns: { pattern: string; listeners: number }[] = [];
  private patternsVersion = 0;
  private announcedVersion: number | null = null;
  private interestVersion = 0;
  private lastResend: { at: number; from: number } | null = null;
  private flushWaiters: { target: number; resolve(): void; reject(e: Error): void }[] = [];
  private connection: Connection | null = null;
  /** Counts opening attempts: reports of an older connection are ignored. */
  private attempt = 0;
  private linkEnded: (() => void) | null = null;
  /** Until the first hub hello of the first link: events frames kept aside. */
  private beforeHubHello: EventsFrame[] | null = null;
  private lastFromHub = 0;
  private linkedAt = 0;
  private busyUntil = 0;
  private beatTimer: ReturnType<typeof setInterval> | null = null;
  private lastBeat = 0;
  private ackTimer: ReturnType<typeof setInterval> | null = null;
  private drainQueued = false;
  /** Wakes {@link pump} when new frames may go past a window that does not move. */
  private pastWindowTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    readonly id: NodeId,
    private readonly settings: MemberSettings,
    private readonly hooks: MemberHooks,
  ) {
    this.sender = new Sender(id, settings.service, settings.batchBytes, settings.window);
  }

  /** Links to a hub and keeps linking again whenever the link is lost, until {@link close}. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        // A hub that answered and refused (secret, wire version) says more than a timeout.
        const why = this.lastRefusal ?? this.lastError;
        const last = why ? `: ${why}` : '';
        reject(new NanomitterError('Unreachable', `no hub answered within ${this.settings.connectTimeoutMs} ms${last}`));
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
          if (this.finalRefusal && !this.everLinked) {
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
        { secret: this.settings.secret, maxFrame: this.settings.maxFrameSize, timeoutMs },
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
    this.stats.links++;
    const at = now();
    this.lastFromHub = at;
    this.linkedAt = at;
    this.beforeHubHello = this.everLinked ? null : [];
    const joining: Joining = this.everLinked ? 'again' : 'fresh';
    this.announcedVersion = null;
    this.everLinked = true;
    this.lastBeat = at;
    this.beatTimer = setInterval(() => this.beat(), this.settings.livenessMs);
    this.sendHello(joining);
    // Whatever the previous hub did not see acknowledged by everyone goes out again.
    this.sender.newLink();
    connection.start();
    this.drain();
    this.hooks.linked(address);
    this.onFirstLink?.();
    this.onFirstLink = null;
  }

  /** The hub is lost (or stale): tell the listeners, and let the run loop link again. */
  private linkDown(_reason: string): void {
    if (!this.connection) return;
    this.attempt++;
    this.connection.close();
    this.connection = null;
    this.stopTimers();
    const hub = this.hub;
    if (hub) {
      this.wentSilent(hub);
      this.peerLeft(hub, 'closed');
      this.hubMembers.add(hub);
    }
    this.hooks.linked(null);
    const ended = this.linkEnded;
    this.linkEnded = null;
    ended?.();
  }

  private stopTimers(): void {
    if (this.beatTimer) clearInterval(this.beatTimer);
    if (this.ackTimer) clearInterval(this.ackTimer);
    this.beatTimer = this.ackTimer = null;
    clearTimeout(this.pastWindowTimer);
    this.pastWindowTimer = undefined;
  }

  private send(frame: Uint8Array): void {
    if (!this.connection) return;
    this.stats.framesSent++;
    this.connection.send(frame);
  }

  // ---- what arrives

  private receive(frame: Frame): void {
    this.stats.framesReceived++;
    this.lastFromHub = now();
    switch (frame.kind) {
      case 'events':
        if (frame.node === this.id) return;
        if (this.beforeHubHello) this.beforeHubHello.push(frame);
        else this.admit(frame);
        return;
      case 'ack':
        if (frame.epoch >= this.epoch) {
          const own = frame.acks.find((a) => a.sender === this.id);
          if (own) this.acknowledged(own.seq);
        }
        this.pump();
        return;
      case 'hello':
        return this.receiveHello(frame);
      case 'nack':
        if (frame.sender !== this.id) return;
        // The hub itself asks only for what was lost on the way to it.
        if (frame.node === this.hub) this.sender.lostOnTheWay(frame.fromSeq);
        this.resendOnRequest(frame.fromSeq);
        return;
      case 'relayed':
        if (frame.epoch >= this.epoch) {
          this.sender.takenByHub(frame.frames);
          this.pump();
        }
        return;
      case 'left':
        // Only for members this member knows: the hub also gives up on members it awaited on
        // another member's word, which nobody else may know.
        if (frame.epoch >= this.epoch && frame.node !== this.id && this.knows(frame.node)) {
          this.peerLeft(frame.node, frame.reason);
        }
        return;
      case 'interest':
        // This member sends every event (the hub cuts each member's copy to what it listens to).
        return;
    }
  }

  private admit(frame: EventsFrame): void {
    const at = now();
    this.busyUntil = at + BUSY_FOR_MS;
    this.ackTimer ??= setInterval(() => this.refreshAcks(), ACK_REFRESH_MS);
    this.lossClaims.heard(frame.node, at);
    const { lost, after } = this.receiver.frame(frame.node, frame.retainedFrom, frame.coversFrom, frame.coversTo);
    if (lost) this.lagged(frame.node, lost);
    if (after === null) {
      this.askAgain(frame.node, this.receiver.nackDue(frame.node, at, NACK_INTERVAL_MS));
      return;
    }
    for (const event of frame.events) {
      if (event.seq <= after) {
        this.stats.duplicates++;
        continue;
      }
      this.stats.received++;
      this.hooks.deliver({
        topic: event.topic,
        service: frame.service,
        node: frame.node,
        seq: event.seq,
        codec: event.codec,
        payload: event.payload,
      });
    }
  }

  private receiveHello(hello: HelloFrame): void {
    if (hello.node === this.id) return;
    if (hello.role === 'hub') {
      if (hello.epoch < this.epoch) return this.linkDown('the hub is of an older election (stale)');
      this.epoch = hello.epoch;
      this.hubMembers = new Set(hello.members.filter((n) => n !== this.id));
      const early = this.beforeHubHello;
      if (early) {
        this.beforeHubHello = null;
        for (const { sender, seq } of hello.received) this.receiver.startAfter(sender, seq);
        for (const frame of early) this.admit(frame);
      }
    }
    // A member came back after a lost hub: whatever it may miss of this member's events past
    // what it holds is still in flight here. (A first-time member is owed only what the hub
    // relays after it connected.) Re-sent as if it asked: members coming back together cost one
    // re-send.
    if (hello.joining === 'again') {
      const held = hello.received.find((r) => r.sender === this.id);
      this.resendOnRequest(held ? held.seq + 1 : 0);
    }
    this.departed.delete(hello.node);
    const owed = this.owed.get(hello.node);
    if (owed) owed.back = true;
    this.heard(hello);
    this.lossClaims.heard(hello.node, now());
    const mine = hello.owed.find((o) => o.node === this.id);
    if (mine) this.receiver.startAfter(hello.node, mine.held);
    const { lost, nackFrom } = this.receiver.behind(hello.node, hello.lastSeq, hello.retainedFrom, now(), NACK_INTERVAL_MS);
    if (lost) this.lagged(hello.node, lost);
    this.askAgain(hello.node, nackFrom);
  }

  /** Membership from a hello: `$peer.joined` for a new node, `$hub.changed` for a new hub. */
  private heard(hello: HelloFrame): void {
    const known = this.peers.has(hello.node);
    this.peers.set(hello.node, { service: hello.service, role: hello.role });
    if (!known) this.notice(PEER_JOINED, { node: hello.node, service: hello.service, role: hello.role === 'hub' ? 'Hub' : 'Client' });
    if (hello.role === 'hub' && this.hub !== hello.node) {
      this.hub = hello.node;
      this.notice(HUB_CHANGED, { node: hello.node, service: hello.service });
    }
  }

  private peerLeft(node: NodeId, reason: LeftReason): void {
    this.departed.set(node, now());
    this.hubMembers.delete(node);
    if (reason !== 'closed') this.wentSilent(node);
    const peer = this.peers.get(node);
    if (!peer) return;
    this.peers.delete(node);
    if (this.hub === node) this.hub = null;
    this.notice(PEER_LEFT, { node, service: peer.service, reason });
  }

  /** Whether `node` is a member this one knows of: heard from, or listed by its last hub. */
  private knows(node: NodeId): boolean {
    return this.peers.has(node) || this.hubMembers.has(node);
  }

  /** At most MAX_LISTED members are owed word at once (every hello lists them). */
  private wentSilent(node: NodeId): void {
    if (this.owed.size >= MAX_LISTED && !this.owed.has(node)) return;
    this.owed.set(node, { goneAt: now(), held: this.sender.acked, back: false });
  }

  /** Tells listeners a loss, unless the sender cannot have sent that many (see LossClaims). */
  private lagged(sender: NodeId, lost: Lost): void {
    const missed = lost.to - lost.from + 1;
    if (!this.lossClaims.fits(sender, missed, now())) return;
    this.stats.gaps += missed;
    this.notice(LAGGED, { sender, missed, from: lost.from, to: lost.to });
  }

  private notice(topic: string, data: unknown): void {
    this.hooks.deliver({ topic, service: this.settings.service, node: this.id, seq: 0, codec: 'json', payload: null, data });
  }

  private askAgain(sender: NodeId, fromSeq: number | null): void {
    if (fromSeq === null) return;
    this.stats.nacks++;
    this.send(encode({ kind: 'nack', node: this.id, sender, fromSeq }));
  }

  // ---- what goes out

  /** What arrived so far is handled: announce, send what the window allows, acknowledge. */
  private drain(): void {
    if (!this.connection) return;
    this.announceInterest();
    this.pump();
    this.sendAcks();
  }

  private queueDrain(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    queueMicrotask(() => {
      this.drainQueued = false;
      this.drain();
    });
  }

  private pump(): void {
    if (!this.connection) return;
    const [, again, pastWindow] = this.sender.sendWaiting(now(), (frame) => this.send(frame));
    this.stats.resent += again;
    this.stats.pastWindow += pastWindow;
    clearTimeout(this.pastWindowTimer);
    const at = this.sender.pastWindowAt();
    this.pastWindowTimer = at === null ? undefined : setTimeout(() => this.pump(), Math.max(at - now(), 0));
  }

  /** Sends again, through the window, the frames in flight from `fromSeq` short of `untilSeq`. */
  private resendFrom(fromSeq: number, untilSeq = Infinity): void {
    if (!this.connection) return;
    this.sender.resend(fromSeq, untilSeq);
    this.pump();
  }

  /**
   * Each frame at most once per interval: within one, only what no re-send covered yet goes
   * out, so however many requests come (in any order), one interval re-sends at most the window.
   */
  private resendOnRequest(fromSeq: number): void {
    const at = now();
    const last = this.lastResend;
    const within = last !== null && at - last.at < NACK_INTERVAL_MS;
    const coveredFrom = within ? last.from : Infinity;
    if (fromSeq >= coveredFrom) return;
    this.lastResend = { at: within ? last.at : at, from: fromSeq };
    this.resendFrom(fromSeq, coveredFrom);
  }

  private sendAcks(): boolean {
    const acks = this.receiver.takeNewAcks();
    if (acks.length === 0) return false;
    this.send(encode({ kind: 'ack', node: this.id, epoch: this.epoch, acks }));
    return true;
  }

  /** While busy, acknowledgements are repeated: what moved, else all of them. */
  private refreshAcks(): void {
    if (now() > this.busyUntil || !this.connection) {
      if (this.ackTimer) clearInterval(this.ackTimer);
      this.ackTimer = null;
      return;
    }
    if (this.sendAcks()) return;
    const acks = this.receiver.delivered();
    if (acks.length > 0) this.send(encode({ kind: 'ack', node: this.id, epoch: this.epoch, acks }));
  }

  private sendHello(joining: Joining): void {
    this.send(
      encode({
        kind: 'hello',
        node: this.id,
        epoch: this.epoch,
        role: 'client',
        joining,
        service: this.settings.service,
        lastSeq: this.sender.lastSent(),
        retainedFrom: this.sender.retainedFrom(),
        received: capListed(joining === 'no' ? [] : this.receiver.delivered()),
        members: capListed(joining === 'again' ? this.knownMembers() : []),
        owed: [...this.owed].map(([node, o]) => ({ node, held: o.held })),
      }),
    );
    for (const [node, owed] of this.owed) if (owed.back) this.owed.delete(node);
  }

  private knownMembers(): NodeId[] {
    const known = new Set([...this.peers.keys(), ...this.hubMembers]);
    known.delete(this.id);
    return [...known].sort();
  }

  private announceInterest(): void {
    if (this.announcedVersion === this.patternsVersion || !this.connection) return;
    // Nothing subscribed yet just after linking: wait a beat (the first subscriptions usually
    // follow `connect` at once); until then the hub sends everything here.
    if (this.patternsVersion === 0 && now() - this.linkedAt < this.settings.livenessMs) return;
    this.announcedVersion = this.patternsVersion;
    this.interestVersion++;
    this.send(encode({ kind: 'interest', node: this.id, version: this.interestVersion, patterns: this.patterns }));
  }

  /** The liveness beat: hello, pending announcements, the hub's silence, forgetting departed nodes. */
  private beat(): void {
    if (!this.connection) return;
    const at = now();
    if (at - this.lastBeat >= 2 * this.settings.livenessMs) {
      // This member did not run for a while (a throttled tab, a suspended laptop): the silence
      // it would see is its own.
      this.lastFromHub = at;
    }
    this.lastBeat = at;
    if (at - this.lastFromHub >= 3 * this.settings.livenessMs) return this.linkDown('the hub went silent');
    this.sendHello('no');
    this.announceInterest();
    for (const [node, since] of this.departed) {
      if (at - since < DEPARTED_KEPT_MS) continue;
      this.departed.delete(node);
      this.receiver.forget(node);
      this.lossClaims.forget(node);
    }
    for (const [node, owed] of this.owed) if (at - owed.goneAt >= DEPARTED_KEPT_MS) this.owed.delete(node);
  }

  // ---- the emitter's calls

  /** This member's patterns changed: announced on the next drain. */
  setPatterns(patterns: { pattern: string; listeners: number }[]): void {
    const same =
      patterns.length === this.patterns.length &&
      patterns.every((p, i) => p.pattern === this.patterns[i].pattern && p.listeners === this.patterns[i].listeners);
    if (same) return;
    this.patterns = patterns;
    this.patternsVersion++;
    this.queueDrain();
  }

  /** Accepts one event (its topic already checked); returns its sequence number. */
  emit(topic: string, codec: CodecName, payload: Uint8Array): number {
    if (this.closed) throw new NanomitterError('Closed', 'the emitter is closed');
    const topicBytes = utf8(topic);
    const size = eventWireSize(topicBytes, payload);
    if (size + FRAME_OVERHEAD > this.settings.maxFrameSize) {
      throw new NanomitterError('EventTooLarge', `an event of ${size} bytes does not fit a frame of ${this.settings.maxFrameSize}`);
    }
    if (this.sender.pendingBytes + size > this.settings.maxPendingBytes) {
      this.stats.overflows++;
      throw new NanomitterError(
        'Overflow',
        `more than ${this.settings.maxPendingBytes} bytes of events are not yet held by every member`,
      );
    }
    const seq = this.sender.push(codec, topicBytes, payload);
    this.stats.emitted++;
    if (this.settings.localEcho) {
      this.hooks.deliver({ topic, service: this.settings.service, node: this.id, seq, codec, payload });
    }
    this.queueDrain();
    return seq;
  }

  /** Bytes of events not yet held by every member. */
  pendingBytes(): number {
    return this.sender.pendingBytes;
  }

  /** The hub says every member holds this member's events up to `seq`. */
  private acknowledged(seq: number): void {
    this.sender.ack(seq);
    const acked = this.sender.acked;
    const done = this.flushWaiters.filter((w) => w.target <= acked);
    this.flushWaiters = this.flushWaiters.filter((w) => w.target > acked);
    for (const waiter of done) waiter.resolve();
  }

  /** Resolves once every member holds every event emitted before the call. */
  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new NanomitterError('Closed', 'the emitter is closed'));
    this.sender.seal();
    this.drain();
    const target = this.sender.lastFramed;
    if (target <= this.sender.acked) return Promise.resolve();
    return new Promise((resolve, reject) => this.flushWaiters.push({ target, resolve, reject }));
  }

  /** The other nodes this member knows of. */
  knownPeers(): { node: NodeId; service: string; role: 'hub' | 'client' }[] {
    return [...this.peers].map(([node, p]) => ({ node, ...p }));
  }

  /** The hub's node id, when linked and heard. */
  hubNode(): NodeId | null {
    return this.hub;
  }

  /** Says goodbye and closes the link; no event is accepted after this. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onFirstLink = null;
    const connection = this.connection;
    if (connection) {
      this.send(encode({ kind: 'left', epoch: this.epoch, node: this.id, reason: 'closed' }));
      await connection.sent();
    }
    this.attempt++;
    this.connection = null;
    connection?.close();
    this.stopTimers();
    for (const waiter of this.flushWaiters) waiter.reject(new NanomitterError('Closed', 'closed before every member held the events'));
    this.flushWaiters = [];
    const ended = this.linkEnded;
    this.linkEnded = null;
    ended?.();
  }
}
