/**
 * What a sender may claim it lost of its own events, as in the Rust core
 * (`crates/nanomitter-protocol/src/claims.rs`): only the sender can say which of its events it no longer holds, so a
 * member could claim any number lost; it cannot have sent more than so many a second.
 *
 * Owns: per sender, since when this member has heard it and how many of its events were reported
 * lost here, and whether one more loss fits what the sender could have sent. Must not admit
 * events nor tell listeners: the member asks it before it reports a loss.
 */

import type { NodeId } from './bytes.js';

/** The most events a sender can have emitted a second. */
export const MAX_EVENTS_PER_SECOND = 100_000_000;
/** The most events a sender can say it lost right after this member first heard it (2^27). */
export const MAX_EVENTS_AT_ONCE = 2 ** 27;

export class LossClaims {
  private readonly senders = new Map<NodeId, { firstHeard: number; reported: number }>();

  /** Something of `sender` arrived at `now` (ms): its time starts then if it was never heard. */
  heard(sender: NodeId, now: number): void {
    if (!this.senders.has(sender)) this.senders.set(sender, { firstHeard: now, reported: 0 });
  }

  /** Whether `missed` more events of `sender` can have been lost; if so, they count as reported. */
  fits(sender: NodeId, missed: number, now: number): boolean {
    this.heard(sender, now);
    const claimed = this.senders.get(sender)!;
    const could = MAX_EVENTS_AT_ONCE + (Math.max(now - claimed.firstHeard, 0) / 1000) * MAX_EVENTS_PER_SECOND;
    if (claimed.reported + missed > could) return false;
    claimed.reported += missed;
    return true;
  }

  /** Forgets a sender that left for good. */
  forget(sender: NodeId): void {
    this.senders.delete(sender);
  }
}
