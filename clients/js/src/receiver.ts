/**
 * Events from other members (docs/wire.md §7.3), as plain data: per sender, what was admitted,
 * what arrives twice, what is missing, and what was acknowledged.
 *
 * Owns: exactly-once, in-order admission per sender and the bookkeeping behind acknowledgements
 * and re-send requests. Must not deliver or send anything: it answers, the member acts.
 * Listeners here take events as they are delivered, so what is admitted is what is held.
 */

import type { NodeId } from './bytes.js';

interface FromSender {
  /** The latest sequence number admitted. */
  delivered: number;
  /** The latest sequence number acknowledged so far. */
  ackedUpTo: number;
  /** When this member last asked the sender again (requests are rate-limited). */
  lastNack: number | null;
}

/** Sequence numbers lost for good: the sender no longer holds them. */
export interface Lost {
  from: number;
  to: number;
}

export class Receiver {
  private readonly senders = new Map<NodeId, FromSender>();

  private state(sender: NodeId, start: number): FromSender {
    let state = this.senders.get(sender);
    if (!state) {
      state = { delivered: start, ackedUpTo: start, lastNack: null };
      this.senders.set(sender, state);
    }
    return state;
  }

  /**
   * Admits a frame of `sender` accounting for `coversFrom..=coversTo`. Returns the events lost
   * for good, and either the sequence number after which to deliver the frame's events, or
   * `null` for a gap (earlier events are missing: the frame is dropped).
   */
  frame(sender: NodeId, retainedFrom: number, coversFrom: number, coversTo: number): { lost: Lost | null; after: number | null } {
    const state = this.state(sender, Math.max(retainedFrom - 1, 0));
    const lost = skipLost(state, retainedFrom);
    if (coversFrom > state.delivered + 1) return { lost, after: null };
    const after = state.delivered;
    if (coversTo > state.delivered) {
      state.delivered = coversTo;
      state.lastNack = null;
    }
    return { lost, after };
  }

  /** This member is not owed `sender`'s events up to `seq`; ignored for senders already heard. */
  startAfter(sender: NodeId, seq: number): void {
    this.state(sender, seq);
  }

  /** After a gap: the sequence number to ask for again, unless this member asked less than `every` ms ago. */
  nackDue(sender: NodeId, now: number, every: number): number | null {
    const state = this.senders.get(sender);
    if (!state) return null;
    if (state.lastNack !== null && now - state.lastNack < every) return null;
    state.lastNack = now;
    return state.delivered + 1;
  }

  /**
   * A sender's hello says its latest sequence number and the oldest it can still send again:
   * the events this member lacks that are lost for good, and the sequence number to ask for.
   */
  behind(sender: NodeId, lastSeq: number, retainedFrom: number, now: number, every: number): { lost: Lost | null; nackFrom: number | null } {
    const state = this.senders.get(sender);
    if (!state || lastSeq <= state.delivered) return { lost: null, nackFrom: null };
    const lost = skipLost(state, Math.min(retainedFrom, lastSeq + 1));
    if (lastSeq <= state.delivered) return { lost, nackFrom: null };
    return { lost, nackFrom: this.nackDue(sender, now, every) };
  }

  /** Senders whose admitted sequence moved since the last call, with that sequence. */
  takeNewAcks(): { sender: NodeId; seq: number }[] {
    const acks = [];
    for (const [sender, state] of this.senders) {
      if (state.delivered > state.ackedUpTo) {
        state.ackedUpTo = state.delivered;
        acks.push({ sender, seq: state.delivered });
      }
    }
    return acks;
  }

  /** Everything admitted, per sender: repeated acknowledgements, and a joining hello's list. */
  delivered(): { sender: NodeId; seq: number }[] {
    return [...this.senders].map(([sender, state]) => ({ sender, seq: state.delivered }));
  }

  /** Forgets a sender that left for good. */
  forget(sender: NodeId): void {
    this.senders.delete(sender);
  }
}

/** The sender holds nothing before `retainedFrom`: what is lacking before it is lost for good. */
function skipLost(state: FromSender, retainedFrom: number): Lost | null {
  const firstLacking = state.delivered + 1;
  if (retainedFrom <= firstLacking) return null;
  state.delivered = retainedFrom - 1;
  state.lastNack = null;
  return { from: firstLacking, to: retainedFrom - 1 };
}
