/**
 * This member's own events (docs/wire.md §7.2): sequence numbers, the frame being filled, frames
 * waiting for room in the window, and frames sent but not yet held by every member.
 *
 * Owns: which frame goes out next and which may be forgotten. Must not touch the connection:
 * callers pass a `send` function.
 */

import type { NodeId } from './bytes.js';
import { type BatchEvent, type CodecName, encodeEvents, eventWireSize, setRetainedFrom } from './wire.js';

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
  private batchSize = 0;
  private readonly waiting: OutFrame[] = [];
  private readonly inFlight: OutFrame[] = [];
  /** The latest sequence number every member acknowledged. */
  acked = 0;
  /** Wire bytes of events not yet acknowledged by every member. */
  pendingBytes = 0;

  constructor(
    private readonly node: NodeId,
    private readonly service: string,
    private readonly batchBytes: number,
    private readonly window: number,
  ) {}

  /** Assigns the next sequence number and appends the event to the frame being filled. */
  push(codec: CodecName, topic: Uint8Array, payload: Uint8Array): number {
    const size = eventWireSize(topic, payload);
    if (this.batch.length > 0 && this.batchSize + size > this.batchBytes) this.seal();
    const seq = ++this.lastSeq;
    this.batch.push({ seq, codec, topic, payload });
    this.batchSize += size;
    this.pendingBytes += size;
    this.lastFramed = seq;
    if (this.batchSize >= this.batchBytes) this.seal();
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
   * Sends frames while the window has room; when nothing sealed is waiting, the frame being
   * filled goes (so frames grow while the window is full). Returns the number sent.
   */
  sendWaiting(send: (frame: Uint8Array) => void): number {
    let sent = 0;
    while (this.inFlight.length < this.window) {
      if (this.waiting.length === 0) this.seal();
      const frame = this.waiting.shift();
      if (!frame) break;
      setRetainedFrom(frame.bytes, this.inFlight[0]?.coversFrom ?? frame.coversFrom);
      send(frame.bytes);
      this.inFlight.push(frame);
      sent++;
    }
    return sent;
  }

  /**
   * Sends again every frame in flight whose last sequence number is at least `fromSeq` and
   * below `untilSeq`: those that account for `fromSeq` or later, short of the frames from
   * `untilSeq` on.
   */
  resend(fromSeq: number, untilSeq: number, send: (frame: Uint8Array) => void): number {
    const retainedFrom = this.retainedFrom();
    let sent = 0;
    for (const frame of this.inFlight) {
      if (frame.coversTo < fromSeq || frame.coversTo >= untilSeq) continue;
      setRetainedFrom(frame.bytes, retainedFrom);
      send(frame.bytes);
      sent++;
    }
    return sent;
  }

  /** Forgets the frames every member holds (everything up to `seq`). */
  ack(seq: number): void {
    const lastSent = this.lastSent();
    while (this.inFlight.length > 0 && this.inFlight[0].coversTo <= seq) {
      this.pendingBytes -= this.inFlight.shift()!.size;
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
