/**
 * The topic grammar (docs/wire.md §8): what a topic and a pattern are, which topics are reserved,
 * and whether a pattern matches a topic.
 *
 * Owns: the checks, with the reason a topic is refused, and matching. Must not hold listeners.
 */

import { utf8 } from './bytes.js';

/** The pattern that matches every topic but the reserved `$` ones. */
export const ANY_TOPIC = '*';
export const MAX_TOPIC_LEN = 65535;
export const MAX_PATTERNS = 4096;
export const MAX_PATTERN_SEGMENTS = 32;

export const PEER_JOINED = '$peer.joined';
export const PEER_LEFT = '$peer.left';
export const HUB_CHANGED = '$hub.changed';
export const LAGGED = '$lagged';

/** Whether a topic (or a pattern's first segment) is reserved for a member's own notices. */
export function isReserved(topic: string): boolean {
  return topic.startsWith('$');
}

/**
 * Why `topic` is not a valid pattern to listen to (`listening`) or topic to emit on, or `null`
 * when it is valid.
 */
export function topicError(topic: string, listening: boolean): string | null {
  if (typeof topic !== 'string') return 'not a string';
  if (topic.length === 0) return 'empty';
  if (topic.length * 3 > MAX_TOPIC_LEN && utf8(topic).length > MAX_TOPIC_LEN) {
    return 'longer than 65535 bytes';
  }
  if (topic === ANY_TOPIC) return listening ? null : '`*` is a pattern, not a topic';
  const segments = topic.split('.');
  if (listening && segments.length > MAX_PATTERN_SEGMENTS) {
    return 'a pattern may have at most 32 segments';
  }
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '') return 'empty segment (a leading, trailing or double `.`)';
    if ((segment === '*' || segment === '>') && !listening) {
      return 'wildcards (`*`, `>`) are for listening; emit on a plain topic';
    }
    if (segment === '>' && i + 1 < segments.length) return '`>` may only be the last segment';
    if (segment.length > 1 && (segment.includes('*') || segment.includes('>'))) {
      return '`*` and `>` must be whole segments, as in `stock.*` or `stock.>`';
    }
  }
  if (!listening && isReserved(topic)) {
    return "topics starting with `$` are reserved for the emitter's own notices";
  }
  return null;
}

/** Whether a (valid) pattern matches `topic`. */
export function matches(pattern: string, topic: string): boolean {
  const reserved = isReserved(topic);
  if (pattern === ANY_TOPIC) return !reserved;
  if (pattern === topic) return true;
  const patternSegments = pattern.split('.');
  const topicSegments = topic.split('.');
  for (let i = 0; i < patternSegments.length; i++) {
    const segment = patternSegments[i];
    const actual = topicSegments[i];
    if (actual === undefined) return false;
    const wildcardAllowed = !(reserved && i === 0);
    if (segment === '>') return wildcardAllowed;
    if (segment === '*') {
      if (!wildcardAllowed) return false;
    } else if (segment !== actual) {
      return false;
    }
  }
  return patternSegments.length === topicSegments.length;
}
