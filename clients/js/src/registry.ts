/**
 * The listeners of one emitter: which function listens to which topic or pattern, how many
 * more events each wants (`once`, `many`), and the patterns to announce with their counts.
 *
 * Owns: adding, removing and matching listeners. Must not decode payloads or touch the member.
 */

import { LAGGED, matches } from './topic.js';

export interface Entry<L> {
  pattern: string;
  listener: L;
  /** Events this listener still takes; `Infinity` for `on`. */
  remaining: number;
}

export class Registry<L> {
  private entries: Entry<L>[] = [];

  add(pattern: string, listener: L, remaining: number): void {
    this.entries.push({ pattern, listener, remaining });
  }

  /** Removes the most recently added instance of `listener` on `pattern`; whether one was. */
  remove(pattern: string, listener: L): boolean {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry.pattern === pattern && entry.listener === listener) {
        this.entries.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Removes every listener on `pattern`, or every listener. */
  removeAll(pattern?: string): void {
    this.entries = pattern === undefined ? [] : this.entries.filter((e) => e.pattern !== pattern);
  }

  /**
   * The listeners an event on `topic` goes to, in the order they were added, counting it
   * against `once` and `many` (those done are removed). A `$lagged` notice goes to every
   * listener, each once. Returns `changed` when listeners were removed.
   */
  take(topic: string): { listeners: L[]; changed: boolean } {
    const listeners: L[] = [];
    let changed = false;
    const lagged = topic === LAGGED;
    const seen = lagged ? new Set<L>() : null;
    for (const entry of this.entries) {
      if (lagged ? seen!.has(entry.listener) : !matches(entry.pattern, topic)) continue;
      seen?.add(entry.listener);
      listeners.push(entry.listener);
      if (entry.remaining !== Infinity && --entry.remaining <= 0) changed = true;
    }
    if (changed) this.entries = this.entries.filter((e) => e.remaining > 0);
    return { listeners, changed };
  }

  /** Listeners on exactly this pattern, or on every pattern. */
  count(pattern?: string): number {
    return pattern === undefined ? this.entries.length : this.entries.filter((e) => e.pattern === pattern).length;
  }

  /** Every pattern with its number of listeners, in the order first added. */
  patterns(): { pattern: string; listeners: number }[] {
    const counts = new Map<string, number>();
    for (const entry of this.entries) counts.set(entry.pattern, (counts.get(entry.pattern) ?? 0) + 1);
    return [...counts].map(([pattern, listeners]) => ({ pattern, listeners }));
  }
}
