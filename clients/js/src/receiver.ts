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
  /**
   * The latest sequence number the sender's hello claimed while this member was behind it, and
   * when: those events may still be on their way (a hello is relayed at once, events may wait
   * in the hub's queue), so only a claim that old and still unmet is asked for.
   */
  claimed: { seq: number; at: number } | null;
  /**
   * Where this member started with the sender: nothing up to here was delivered here. A member
   * back after going silent may have started at the sender's next frame, past events it was
   * owed (see {@link Receiver.owed}).
   */
  startedAfter: number;
  /**
   * Whether the hub said this member was not owed anything up to `startedAfter` (it joined
   * after those were relayed): then nothing before it is ever lost here.
   */
  owedNothingBefore: boolean;
}

/** A sender whose events up to `seq` this member is not owed. */
function startingAfter(seq: number): FromSender {
  return { delivered: seq, ackedUpTo: seq, lastNack: null, claimed: null, startedAfter: seq, owedNothingBefore: false };
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
      state = startingAfter(start);
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

  /**
   * The hub says this member is not owed `sender`'s events up to `seq` (they were relayed before
   * it connected). Ignored for senders already heard.
   */
  startAfter(sender: NodeId, seq: number): void {
    if (!this.senders.has(sender)) this.senders.set(sender, { ...startingAfter(seq), owedNothingBefore: true });
  }

  /**
   * `sender` says this member went away without a goodbye holding its events up to `held`. If
   * this member started with the sender only since, past them: with nothing delivered since, it
   * starts again after `held` (what the sender still holds is then asked for); else the events
   * between are lost for good (its first frame here said the sender no longer held them),
   * returned once. A sender not heard yet starts after `held`.
   */
  owed(sender: NodeId, held: number): Lost | null {
    const state = this.state(sender, held);
    if (held >= state.startedAfter) return null;
    if (state.delivered === state.startedAfter) {
      this.senders.set(sender, startingAfter(held));
      return null;
    }
    // The sender knows only that this member held its events up to `held` when it went away;
    // the hub's word says it was never owed those up to `startedAfter`.
    if (state.owedNothingBefore) return null;
    const lost = { from: held + 1, to: state.startedAfter };
    state.startedAfter = held;
    return lost;
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
   * the events this member lacks that are lost for good (it moves past them), and the sequence
   * number to ask for if a claim at least `patience` ms old is still unmet (rate-limited like
   * {@link nackDue}): until then the events may be on their way. Senders never heard are not
   * owed.
   */
  behind(
    sender: NodeId,
    lastSeq: number,
    retainedFrom: number,
    now: number,
    { patience, every }: { patience: number; every: number },
  ): { lost: Lost | null; nackFrom: number | null } {
    const state = this.senders.get(sender);
    if (!state) return { lost: null, nackFrom: null };
    const lost = lastSeq > state.delivered ? skipLost(state, Math.min(retainedFrom, lastSeq + 1)) : null;
    if (lastSeq <= state.delivered) {
      state.claimed = null;
      return { lost, nackFrom: null };
    }
    const claim = state.claimed;
    if (claim !== null && claim.seq > state.delivered) {
      if (now - claim.at < patience) return { lost, nackFrom: null };
      state.claimed = { seq: lastSeq, at: now };
      return { lost, nackFrom: this.nackDue(sender, now, every) };
    }
    state.claimed = { seq: lastSeq, at: now };
    return { lost, nackFrom: null };
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
