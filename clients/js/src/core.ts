/**
 * One cluster member's protocol (docs/wire.md §7) as a state machine, always a client: hellos
 * and liveness, interest announcements, sending with windows and re-sends, exactly-once in-order
 * admission with acknowledgements and re-send requests, membership notices, `$lagged` and flush
 * tickets. Every input carries the time (`now`, in ms); what the member decides comes out of
 * {@link MemberCore.pollAction} in order; its timers are read from the state they belong to
 * ({@link MemberCore.pollTimeout}) and run by {@link MemberCore.handleTimeout}, as in the Rust core
 * (`crates/nanomitter-protocol/src/node.rs`).
 *
 * Owns: the member's protocol state and every decision about frames. Must not read a clock, set
 * timers, hold a connection, queue tasks or carry out an action itself: the shell (`member.ts`)
 * does, and it hands events to the emitter.
 */

import { type NodeId, utf8 } from './bytes.js';
import { LossClaims } from './claims.js';
import { NanomitterError } from './errors.js';
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

/**
 * How long a member that has subscribed to nothing waits after linking before it says so (at
 * most a liveness interval): subscriptions made right after `connect` come within it, and an
 * empty announcement before them would cut off what they ask for.
 */
const FIRST_SUBSCRIPTIONS_MS = 100;
/** How long a member waits before asking again for the same missing events. */
const NACK_INTERVAL_MS = 50;
/** The key hash a member lists with the members it knew (a hub binds no id on its word). */
const NO_KEY_HASH = '0000000000000000';
/** How often a busy member repeats its acknowledgements. */
const ACK_REFRESH_MS = 50;
/** How long after its last events frame a member counts as busy. */
const BUSY_FOR_MS = 2000;
/** How long traces of a member that left are kept. */
const DEPARTED_KEPT_MS = 60_000;
/** An events frame's bytes besides its events, at most (the service name is at most 255 bytes). */
const FRAME_OVERHEAD = 6 + 32 + 1 + 255 + 4;

/** What the protocol's decisions depend on, of the member's settings. */
export interface CoreSettings {
  service: string;
  livenessMs: number;
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

/** What the member decided, for the shell to carry out in order. */
export type Action =
  /** Send this frame to the hub. */
  | { kind: 'send'; frame: Uint8Array }
  /** Hand this event (or notice) to the listeners. */
  | { kind: 'deliver'; event: RawEvent }
  /** Every member holds the events the flush of this ticket waited for. */
  | { kind: 'flushed'; ticket: number }
  /** The member closed before every member held the events this flush waited for. */
  | { kind: 'flushFailed'; ticket: number }
  /** The link is over (lost, stale or silent): close its connection and link again. */
  | { kind: 'dropLink'; reason: string };

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

/** The member's timers, in the order they run when several are due at once. */
const TIMERS = ['ackRefresh', 'pastWindow', 'beat'] as const;
type Timer = (typeof TIMERS)[number];

export class MemberCore {
  /** Counted here, but for `malformed`: frames that do not decode never reach the core, the shell counts them. */
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
  /** This member's own events: sequence numbers, windows, what is kept to send again. */
  private readonly sender: Sender;
  /** Other members' events: what was admitted, acknowledged and asked for again. */
  private readonly receiver = new Receiver();
  /** What each sender may still claim it lost of its own events. */
  private readonly lossClaims = new LossClaims();
  /** The latest election heard of: hubs of older ones are stale, and acks name it. */
  private epoch = 0;
  /** Whether a link was ever up: later links join `again`, with what this member holds. */
  private everLinked = false;
  /** The clients of the hub last heard: a new hub must wait for them too. */
  private hubMembers = new Set<NodeId>();
  /** The other nodes heard from by their hellos, for the membership notices. */
  private readonly peers = new Map<NodeId, { service: string; role: 'hub' | 'client' }>();
  /** The hub's node, once its hello arrived on the current link. */
  private hub: NodeId | null = null;
  /** Nodes that left, and when: their traces are forgotten after {@link DEPARTED_KEPT_MS}. */
  private readonly departed = new Map<NodeId, number>();
  /** Members that went away without a goodbye and may come back lacking this member's events. */
  private readonly owed = new Map<NodeId, { goneAt: number; held: number; back: boolean }>();
  /** The patterns listened to on this member, with their listener counts, as announced. */
  private patterns: { pattern: string; listeners: number }[] = [];
  /** Counts changes of {@link patterns}: an announcement is due while it differs from the last announced. */
  private patternsVersion = 0;
  /** The {@link patternsVersion} announced on the current link (`null`: none yet). */
  private announcedVersion: number | null = null;
  /** The version of the last interest frame sent: the hub keeps the latest. */
  private interestVersion = 0;
  /** The last re-send on request, and from where: one interval re-sends each frame once. */
  private lastResend: { at: number; from: number } | null = null;
  /** Flushes waiting for every member to hold this member's events up to `target`. */
  private flushTickets: { ticket: number; target: number }[] = [];
  /** The ticket the next flush that has to wait gets. */
  private nextFlushTicket = 1;
  /** Whether a link to a hub is up: frames go out only then. */
  private linked = false;
  /** Until the first hub hello of the first link: events frames kept aside. */
  private beforeHubHello: EventsFrame[] | null = null;
  /** When the hub was last heard from: three silent beats and it counts as lost. */
  private lastFromHub = 0;
  /** When the current link came up: the first announcement waits a beat for subscriptions. */
  private linkedAt = 0;
  /** Until when this member counts as busy (it received events), repeating its acknowledgements. */
  private busyUntil = 0;
  /** When the last beat ran (or the link came up): the next is due a liveness interval later. */
  private lastBeat = 0;
  /** When acknowledgements are next repeated, while busy and linked (`null`: not repeating). */
  private nextAckRefresh: number | null = null;
  /** Whether {@link close} was called: nothing is accepted after it. */
  private closedFlag = false;
  /** What was decided and not yet taken by {@link pollAction}, oldest first. */
  private readonly actions: Action[] = [];
  /** How many of {@link actions} were taken already (they are dropped once all are). */
  private actionsTaken = 0;

  /**
   * @param id this member's node id.
   * @param key what proves `id`: its joining hello on each connection carries it, so that no
   *   other process can take the id while this member is not linked.
   */
  constructor(
    readonly id: NodeId,
    private readonly key: Uint8Array,
    private readonly settings: CoreSettings,
  ) {
    this.sender = new Sender(id, settings.service, settings.batchBytes, settings.window);
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Whether a link was ever up: a refusal after that is dialed on like any lost hub. */
  get hasLinked(): boolean {
    return this.everLinked;
  }

  /** The next thing to do, if any. */
  pollAction(): Action | undefined {
    if (this.actionsTaken === this.actions.length) return undefined;
    const action = this.actions[this.actionsTaken++];
    if (this.actionsTaken === this.actions.length) {
      this.actions.length = 0;
      this.actionsTaken = 0;
    }
    return action;
  }

  private act(action: Action): void {
    this.actions.push(action);
  }

  // ---- the link

  /** A connection to a hub opened: the joining hello, everything in flight again, a drain. */
  linkUp(now: number): void {
    this.linked = true;
    this.stats.links++;
    this.lastFromHub = now;
    this.linkedAt = now;
    this.beforeHubHello = this.everLinked ? null : [];
    const joining: Joining = this.everLinked ? 'again' : 'fresh';
    this.announcedVersion = null;
    this.everLinked = true;
    this.lastBeat = now;
    this.sendHello(joining);
    // Whatever the previous hub did not see acknowledged by everyone goes out again, before the
    // interest announcement that catching up sends.
    this.sender.newLink();
    this.pump(now);
    this.caughtUp(now);
  }

  /** The hub is lost (or stale): tell the listeners, and have the shell link again. */
  linkDown(now: number, reason: string): void {
    if (!this.linked) return;
    this.linked = false;
    this.nextAckRefresh = null;
    // The shell drops the link first; then the listeners hear that the hub is gone.
    this.act({ kind: 'dropLink', reason });
    const hub = this.hub;
    if (hub) {
      this.wentSilent(hub, now);
      this.peerLeft(hub, 'closed', now);
      this.hubMembers.add(hub);
    }
  }

  private send(frame: Uint8Array): void {
    if (!this.linked) return;
    this.stats.framesSent++;
    this.act({ kind: 'send', frame });
  }

  // ---- what arrives

  /** One decoded frame from the hub. */
  receive(frame: Frame, now: number): void {
    if (!this.linked) return;
    this.stats.framesReceived++;
    this.lastFromHub = now;
    switch (frame.kind) {
      case 'events':
        if (frame.node === this.id) return;
        if (this.beforeHubHello) this.beforeHubHello.push(frame);
        else this.admit(frame, now);
        return;
      case 'ack':
        if (frame.epoch >= this.epoch) {
          const own = frame.acks.find((a) => a.sender === this.id);
          if (own) this.acknowledged(own.seq);
        }
        this.pump(now);
        return;
      case 'hello':
        return this.receiveHello(frame, now);
      case 'nack':
        if (frame.sender !== this.id) return;
        // The hub itself asks only for what was lost on the way to it.
        if (frame.node === this.hub) this.sender.lostOnTheWay(frame.fromSeq);
        this.resendOnRequest(frame.fromSeq, now);
        return;
      case 'relayed':
        if (frame.epoch >= this.epoch) {
          this.sender.takenByHub(frame.frames);
          this.pump(now);
        }
        return;
      case 'left':
        // Only for members this member knows: the hub also gives up on members it awaited on
        // another member's word, which nobody else may know.
        if (frame.epoch >= this.epoch && frame.node !== this.id && this.knows(frame.node)) {
          this.peerLeft(frame.node, frame.reason, now);
        }
        return;
      case 'interest':
        // This member sends every event (the hub cuts each member's copy to what it listens to).
        return;
    }
  }

  private admit(frame: EventsFrame, now: number): void {
    this.busyUntil = now + BUSY_FOR_MS;
    this.nextAckRefresh ??= now + ACK_REFRESH_MS;
    this.lossClaims.heard(frame.node, now);
    const { lost, after } = this.receiver.frame(frame.node, frame.retainedFrom, frame.coversFrom, frame.coversTo);
    if (lost) this.lagged(frame.node, lost, now);
    if (after === null) {
      this.askAgain(frame.node, this.receiver.nackDue(frame.node, now, NACK_INTERVAL_MS));
      return;
    }
    for (const event of frame.events) {
      if (event.seq <= after) {
        this.stats.duplicates++;
        continue;
      }
      this.stats.received++;
      this.deliver({
        topic: event.topic,
        service: frame.service,
        node: frame.node,
        seq: event.seq,
        codec: event.codec,
        payload: event.payload,
      });
    }
  }

  private receiveHello(hello: HelloFrame, now: number): void {
    if (hello.node === this.id) return;
    if (hello.role === 'hub') {
      if (hello.epoch < this.epoch) return this.linkDown(now, 'the hub is of an older election (stale)');
      this.epoch = hello.epoch;
      this.hubMembers = new Set(hello.members.map((m) => m.node).filter((n) => n !== this.id));
      const early = this.beforeHubHello;
      if (early) {
        this.beforeHubHello = null;
        for (const { sender, seq } of hello.received) this.receiver.startAfter(sender, seq);
        for (const frame of early) this.admit(frame, now);
      }
    }
    // A member came back after a lost hub: whatever it may miss of this member's events past
    // what it holds is still in flight here. (A first-time member is owed only what the hub
    // relays after it connected.) Re-sent as if it asked: members coming back together cost one
    // re-send.
    if (hello.joining === 'again') {
      const held = hello.received.find((r) => r.sender === this.id);
      this.resendOnRequest(held ? held.seq + 1 : 0, now);
    }
    this.departed.delete(hello.node);
    const owed = this.owed.get(hello.node);
    if (owed) owed.back = true;
    this.heard(hello);
    this.lossClaims.heard(hello.node, now);
    const mine = hello.owed.find((o) => o.node === this.id);
    if (mine) {
      // This member went away without a goodbye and came back: it holds the sender's events up
      // to `held` at least, and if it never heard the sender before, exactly that.
      const missed = this.receiver.owed(hello.node, mine.held);
      if (missed) this.lagged(hello.node, missed, now);
    }
    const limits = { patience: this.settings.livenessMs, every: NACK_INTERVAL_MS };
    const { lost, nackFrom } = this.receiver.behind(hello.node, hello.lastSeq, hello.retainedFrom, now, limits);
    if (lost) this.lagged(hello.node, lost, now);
    this.askAgain(hello.node, nackFrom);
  }

  /** Membership from a hello: `$peer.joined` for a new node, `$hub.changed` for a new hub. */
  private heard(hello: HelloFrame): void {
    const known = this.peers.has(hello.node);
    this.peers.set(hello.node, { service: hello.service, role: hello.role });
    if (!known) this.notice(PEER_JOINED, { node: hello.node, service: hello.service, role: hello.role });
    if (hello.role === 'hub' && this.hub !== hello.node) {
      this.hub = hello.node;
      this.notice(HUB_CHANGED, { node: hello.node, service: hello.service });
    }
  }

  private peerLeft(node: NodeId, reason: LeftReason, now: number): void {
    this.departed.set(node, now);
    this.hubMembers.delete(node);
    if (reason !== 'closed') this.wentSilent(node, now);
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
  private wentSilent(node: NodeId, now: number): void {
    if (this.owed.size >= MAX_LISTED && !this.owed.has(node)) return;
    this.owed.set(node, { goneAt: now, held: this.sender.acked, back: false });
  }

  /** Tells listeners a loss, unless the sender cannot have sent that many (see LossClaims). */
  private lagged(sender: NodeId, lost: Lost, now: number): void {
    const missed = lost.to - lost.from + 1;
    if (!this.lossClaims.fits(sender, missed, now)) return;
    this.stats.gaps += missed;
    this.notice(LAGGED, { sender, missed, from: lost.from, to: lost.to });
  }

  private notice(topic: string, data: unknown): void {
    this.deliver({ topic, service: this.settings.service, node: this.id, seq: 0, codec: 'json', payload: null, data });
  }

  private deliver(event: RawEvent): void {
    this.act({ kind: 'deliver', event });
  }

  private askAgain(sender: NodeId, fromSeq: number | null): void {
    if (fromSeq === null) return;
    this.stats.nacks++;
    this.send(encode({ kind: 'nack', node: this.id, sender, fromSeq }));
  }

  // ---- what goes out

  /** What arrived so far is handled: announce, send what the window allows, acknowledge. */
  caughtUp(now: number): void {
    if (!this.linked) return;
    this.announceInterest(now);
    this.pump(now);
    this.sendAcks();
  }

  private pump(now: number): void {
    if (!this.linked) return;
    const [, again, pastWindow] = this.sender.sendWaiting(now, (frame) => this.send(frame));
    this.stats.resent += again;
    this.stats.pastWindow += pastWindow;
  }

  /**
   * Each frame at most once per interval: within one, only what no re-send covered yet goes
   * out, so however many requests come (in any order), one interval re-sends at most the window.
   * The frames in flight from `fromSeq` short of what was covered go again, through the window.
   */
  private resendOnRequest(fromSeq: number, now: number): void {
    const last = this.lastResend;
    const within = last !== null && now - last.at < NACK_INTERVAL_MS;
    const coveredFrom = within ? last.from : Infinity;
    if (fromSeq >= coveredFrom) return;
    this.lastResend = { at: within ? last.at : now, from: fromSeq };
    this.sender.resend(fromSeq, coveredFrom);
    this.pump(now);
  }

  private sendAcks(): boolean {
    const acks = this.receiver.takeNewAcks();
    if (acks.length === 0) return false;
    this.send(encode({ kind: 'ack', node: this.id, epoch: this.epoch, acks }));
    return true;
  }

  /** While busy, acknowledgements are repeated: what moved, else all of them. */
  private refreshAcks(now: number): void {
    if (now > this.busyUntil) {
      this.nextAckRefresh = null;
      return;
    }
    this.nextAckRefresh = now + ACK_REFRESH_MS;
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
        // A hub takes no binding on a member's word: the hashes are 0.
        members: capListed(joining === 'again' ? this.knownMembers() : []).map((node) => ({ node, keyHash: NO_KEY_HASH })),
        owed: [...this.owed].map(([node, o]) => ({ node, held: o.held })),
        // A joining hello is the first on its connection: it proves the id.
        proof: joining === 'no' ? null : { key: this.key },
      }),
    );
    for (const [node, owed] of this.owed) if (owed.back) this.owed.delete(node);
  }

  private knownMembers(): NodeId[] {
    const known = new Set([...this.peers.keys(), ...this.hubMembers]);
    known.delete(this.id);
    return [...known].sort();
  }

  private announceInterest(now: number): void {
    if (this.announcedVersion === this.patternsVersion || !this.linked) return;
    // Nothing subscribed yet just after linking: wait for the first subscriptions (they usually
    // follow `connect` at once); until then the hub sends everything here.
    const wait = Math.min(FIRST_SUBSCRIPTIONS_MS, this.settings.livenessMs);
    if (this.patternsVersion === 0 && now - this.linkedAt < wait) return;
    this.announcedVersion = this.patternsVersion;
    this.interestVersion++;
    this.send(encode({ kind: 'interest', node: this.id, version: this.interestVersion, patterns: this.patterns }));
  }

  // ---- timers

  /** The earliest time (ms) {@link handleTimeout} has something to do, if any. */
  pollTimeout(): number | null {
    let earliest: number | null = null;
    for (const timer of TIMERS) {
      const at = this.timerAt(timer);
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /** Runs every timer due at `now`. */
  handleTimeout(now: number): void {
    for (const timer of TIMERS) {
      const at = this.timerAt(timer);
      if (at !== null && now >= at) this.expire(timer, now);
    }
  }

  /** When `timer` is due, read from the state it belongs to (so the two cannot disagree). */
  private timerAt(timer: Timer): number | null {
    switch (timer) {
      case 'ackRefresh':
        return this.nextAckRefresh;
      case 'pastWindow':
        // Wakes the pump when new frames may go past a window that does not move.
        return this.linked ? this.sender.pastWindowAt() : null;
      case 'beat':
        return this.linked ? this.lastBeat + this.settings.livenessMs : null;
    }
  }

  private expire(timer: Timer, now: number): void {
    switch (timer) {
      case 'ackRefresh':
        return this.refreshAcks(now);
      case 'pastWindow':
        return this.pump(now);
      case 'beat':
        return this.beat(now);
    }
  }

  /** The liveness beat: hello, pending announcements, forgetting departed nodes, then the hub's silence. */
  private beat(now: number): void {
    if (now - this.lastBeat >= 2 * this.settings.livenessMs) {
      // This member did not run for a while (a throttled tab, a suspended laptop): the silence
      // it would see is its own.
      this.lastFromHub = now;
    }
    this.lastBeat = now;
    this.sendHello('no');
    this.announceInterest(now);
    for (const [node, since] of this.departed) {
      if (now - since < DEPARTED_KEPT_MS) continue;
      this.departed.delete(node);
      this.receiver.forget(node);
      this.lossClaims.forget(node);
    }
    for (const [node, owed] of this.owed) if (now - owed.goneAt >= DEPARTED_KEPT_MS) this.owed.delete(node);
    if (now - this.lastFromHub >= 3 * this.settings.livenessMs) this.linkDown(now, 'the hub went silent');
  }

  // ---- the emitter's calls

  /** This member's patterns changed; returns whether they did (they are announced on the next {@link caughtUp}). */
  setPatterns(patterns: { pattern: string; listeners: number }[]): boolean {
    const same =
      patterns.length === this.patterns.length &&
      patterns.every((p, i) => p.pattern === this.patterns[i].pattern && p.listeners === this.patterns[i].listeners);
    if (same) return false;
    this.patterns = patterns;
    this.patternsVersion++;
    return true;
  }

  /**
   * Accepts one event (its topic already checked); returns its sequence number. It leaves on the
   * next {@link caughtUp}. `_now` is the time, as for every input; accepting does not depend on it.
   */
  emit(topic: string, codec: CodecName, payload: Uint8Array, _now: number): number {
    if (this.closedFlag) throw new NanomitterError('Closed', 'the emitter is closed');
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
      this.deliver({ topic, service: this.settings.service, node: this.id, seq, codec, payload });
    }
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
    const done = this.flushTickets.filter((f) => f.target <= acked);
    this.flushTickets = this.flushTickets.filter((f) => f.target > acked);
    for (const { ticket } of done) this.act({ kind: 'flushed', ticket });
  }

  /**
   * Sends every event emitted so far; returns the ticket of a `flushed` action to come once
   * every member holds them, or `null` if every member holds them already.
   */
  flush(now: number): number | null {
    if (this.closedFlag) throw new NanomitterError('Closed', 'the emitter is closed');
    this.sender.seal();
    this.caughtUp(now);
    const target = this.sender.lastFramed;
    if (target <= this.sender.acked) return null;
    const ticket = this.nextFlushTicket++;
    this.flushTickets.push({ ticket, target });
    return ticket;
  }

  /** The other nodes this member knows of. */
  knownPeers(): { node: NodeId; service: string; role: 'hub' | 'client' }[] {
    return [...this.peers].map(([node, p]) => ({ node, ...p }));
  }

  /** The hub's node id, when linked and heard. */
  hubNode(): NodeId | null {
    return this.hub;
  }

  /**
   * Says goodbye (when linked) and ends: no event is accepted after this, and every flush still
   * waiting fails. `_now` is the time, as for every input; closing does not depend on it.
   */
  close(_now: number): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.send(encode({ kind: 'left', epoch: this.epoch, node: this.id, reason: 'closed' }));
    this.linked = false;
    this.nextAckRefresh = null;
    for (const { ticket } of this.flushTickets) this.act({ kind: 'flushFailed', ticket });
    this.flushTickets = [];
  }
}
