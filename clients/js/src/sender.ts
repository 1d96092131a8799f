/**
 * This member's own events (docs/wire.md §7.2): sequence numbers, the frame being filled, frames
 * waiting for room in the window, frames sent but not yet held by every member, and which of
 * those are to be sent again.
 *
 * Owns: which frame goes out next and which may be forgotten. Must not touch the connection:
 * callers pass a `send` function and the time.
 *
 * Two windows bound what goes out. New frames wait while `window` frames are not yet held by
 * every member (so batches grow to the whole cluster's pace). Every frame, new or sent again,
 * waits while `window` frames are on their way to the hub (sent on the current connection and not
 * yet taken by it: the hub's `relayed` frames say how many it took). When the first window has
 * not moved for {@link PAST_WINDOW_AFTER_MS}, a member is not taking what it is sent: what waits
 * goes past that window then, and again every {@link PAST_WINDOW_AFTER_MS} while it does not
 * move, and this member keeps the frames (at most `window` x {@link RETAINED_PER_WINDOW}) until
 * they are acknowledged or the hub cuts that member off. A member that does not acknowledge
 * delays the others by {@link PAST_WINDOW_AFTER_MS} at most, never stops them.
 */

import type { NodeId } from './bytes.js';
import { type BatchEvent, type CodecName, encodeEvents, eventWireSize, eventsFrameOverhead, setRetainedFrom } from './wire.js';

/** Frames kept for members that have not acknowledged them, per frame of the window. */
export const RETAINED_PER_WINDOW = 128;

/**
 * How long the window of frames not yet held by every member may stay full, with nothing
 * acknowledged, before new frames go past it (and then how often they do).
 */
export const PAST_WINDOW_AFTER_MS = 100;

interface OutFrame {
  coversFrom: number;
  coversTo: number;
  bytes: Uint8Array;
  /** Wire bytes of its events, counted against the pending limit until acknowledged. */
  size: number;
}

export class Sender {
  /** The latest sequence number assigned. */
  private lastSeq = 0;
  /** The latest sequence number accounted for by a sealed frame. */
  private covered = 0;
  /** The latest sequence number put in a frame (what a flush waits for). */
  lastFramed = 0;
  private batch: BatchEvent[] = [];
  /** Wire bytes of the events in the frame being filled. */
  private batchSize = 0;
  /**
   * An events frame's bytes besides its events: a frame is sealed once it holds `batchBytes`,
   * these included (as the Rust sender counts them).
   */
  private readonly frameOverhead: number;
  private readonly waiting: OutFrame[] = [];
  private readonly inFlight: OutFrame[] = [];
  /** Last sequence numbers of frames in flight to send again. */
  private readonly toResend = new Set<number>();
  /** Last sequence numbers of the frames sent on this connection the hub has not taken yet. */
  private onTheWay: number[] = [];
  /** How many frames sent on this connection the hub took. */
  private takenByHubCount = 0;
  /** The latest sequence number every member acknowledged. */
  acked = 0;
  /** Wire bytes of events not yet acknowledged by every member. */
  pendingBytes = 0;
  /** Since when (ms) `window` frames not yet held by every member keep new frames waiting. */
  private fullSince: number | null = null;

  constructor(
    private readonly node: NodeId,
    private readonly service: string,
    private readonly batchBytes: number,
    private readonly window: number,
  ) {
    this.frameOverhead = eventsFrameOverhead(service);
  }

  /** Assigns the next sequence number and appends the event to the frame being filled. */
  push(codec: CodecName, topic: Uint8Array, payload: Uint8Array): number {
    const size = eventWireSize(topic, payload);
    if (this.batch.length > 0 && this.frameOverhead + this.batchSize + size > this.batchBytes) this.seal();
    const seq = ++this.lastSeq;
    this.batch.push({ seq, codec, topic, payload });
    this.batchSize += size;
    this.pendingBytes += size;
    this.lastFramed = seq;
    if (this.frameOverhead + this.batchSize >= this.batchBytes) this.seal();
    return seq;
  }

  /** Moves the frame being filled to the frames waiting to be sent. */
  seal(): void {
    if (this.batch.length === 0) return;
    const coversFrom = this.covered + 1;
    this.covered = this.lastSeq;
    const bytes = encodeEvents(this.node, this.service, coversFrom, coversFrom, this.lastSeq, this.batch);
    this.waiting.push({ coversFrom, coversTo: this.lastSeq, bytes, size: this.batchSize });
    this.batch = [];
    this.batchSize = 0;
  }

  /**
   * Sends frames while the windows have room (see the module's documentation), at `now` (ms):
   * first those to send again, then new ones; when nothing sealed is waiting, the frame being
   * filled goes (so frames grow while a window is full). Returns `[sent, sentAgain, sentPastWindow]`.
   */
  sendWaiting(now: number, send: (frame: Uint8Array) => void): [number, number, number] {
    const pastWindow = this.pastWindowDue(now);
    let sentPastWindow = 0;
    let sent = 0;
    let again = 0;
    while (this.framesOnTheWay() < this.window) {
      let frame: OutFrame | undefined;
      if (this.toResend.size > 0) {
        const lastSeq = Math.min(...this.toResend);
        this.toResend.delete(lastSeq);
        frame = this.inFlight.find((f) => f.coversTo === lastSeq);
        if (!frame) continue;
        setRetainedFrom(frame.bytes, this.retainedFrom());
        send(frame.bytes);
        again++;
      } else {
        const withinWindow = this.inFlight.length < this.window;
        const mayKeepMore = this.inFlight.length < this.window * RETAINED_PER_WINDOW;
        if (!withinWindow && !(pastWindow && mayKeepMore)) break;
        if (this.waiting.length === 0) this.seal();
        frame = this.waiting.shift();
        if (!frame) break;
        setRetainedFrom(frame.bytes, this.inFlight[0]?.coversFrom ?? frame.coversFrom);
        send(frame.bytes);
        this.inFlight.push(frame);
        if (!withinWindow) sentPastWindow++;
      }
      this.onTheWay.push(frame.coversTo);
      sent++;
    }
    if (sentPastWindow > 0) this.fullSince = now;
    return [sent, again, sentPastWindow];
  }

  /** Whether new frames may go past the full window of frames not yet held by every member. */
  private pastWindowDue(now: number): boolean {
    if (!this.hasNewFrames() || this.inFlight.length < this.window) return false;
    this.fullSince ??= now;
    return now - this.fullSince >= PAST_WINDOW_AFTER_MS;
  }

  /** Whether new events wait to go: sealed frames, or the frame being filled. */
  private hasNewFrames(): boolean {
    return this.waiting.length > 0 || this.batch.length > 0;
  }

  /**
   * When (ms) new frames may go past a full window that does not move, if they wait for it
   * (`null`: they do not, or they wait for the hub to take a frame, or for room to keep it).
   */
  pastWindowAt(): number | null {
    const kept = this.inFlight.length;
    const waitsForIt =
      this.hasNewFrames() &&
      this.framesOnTheWay() < this.window &&
      kept >= this.window &&
      kept < this.window * RETAINED_PER_WINDOW;
    return waitsForIt && this.fullSince !== null ? this.fullSince + PAST_WINDOW_AFTER_MS : null;
  }

  /**
   * Queues for sending again every frame in flight whose last sequence number is at least
   * `fromSeq` and below `untilSeq`: those that account for `fromSeq` or later, short of the
   * frames from `untilSeq` on. They go through the window before new frames.
   */
  resend(fromSeq: number, untilSeq: number): void {
    for (const frame of this.inFlight) {
      if (frame.coversTo >= fromSeq && frame.coversTo < untilSeq) this.toResend.add(frame.coversTo);
    }
  }

  /** The hub took `frames` of the frames sent on this connection: room in the window. */
  takenByHub(frames: number): void {
    while (this.takenByHubCount < frames && this.onTheWay.length > 0) {
      this.onTheWay.shift();
      this.takenByHubCount++;
    }
  }

  /**
   * The hub asked for this member's events from `fromSeq` on: the frames on their way that
   * account for them were lost, and leave the window.
   */
  lostOnTheWay(fromSeq: number): void {
    this.onTheWay = this.onTheWay.filter((lastSeq) => lastSeq < fromSeq);
  }

  /** A new connection: nothing is on its way yet, and every frame in flight goes again. */
  newLink(): void {
    this.onTheWay = [];
    this.takenByHubCount = 0;
    this.toResend.clear();
    for (const frame of this.inFlight) this.toResend.add(frame.coversTo);
  }

  /** Frames on their way to the hub; one every member holds has certainly reached it. */
  private framesOnTheWay(): number {
    return this.onTheWay.filter((lastSeq) => lastSeq > this.acked).length;
  }

  /** Forgets the frames every member holds (everything up to `seq`). */
  ack(seq: number): void {
    const lastSent = this.lastSent();
    while (this.inFlight.length > 0 && this.inFlight[0].coversTo <= seq) {
      this.pendingBytes -= this.inFlight.shift()!.size;
      this.fullSince = null;
    }
    for (const lastSeq of [...this.toResend]) if (lastSeq <= seq) this.toResend.delete(lastSeq);
    // The first frames on their way that every member holds were the first the hub took.
    while (this.onTheWay.length > 0 && this.onTheWay[0] <= seq) {
      this.onTheWay.shift();
      this.takenByHubCount++;
    }
    this.acked = Math.max(this.acked, Math.min(seq, lastSent));
  }

  /** The lowest sequence number this member can still send again. */
  retainedFrom(): number {
    return (this.inFlight[0] ?? this.waiting[0])?.coversFrom ?? this.covered + 1;
  }

  /** The latest sequence number accounted for by a frame handed to the connection. */
  lastSent(): number {
    return this.inFlight.at(-1)?.coversTo ?? this.acked;
  }
}
