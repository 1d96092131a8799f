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
/**
 * Most bytes (UTF-8) the patterns of one node may add up to: the hub and every member keep a copy
 * of each node's patterns (docs/wire.md §6.6). 4,096 patterns of 64 bytes on average.
 */
export const MAX_INTEREST_BYTES = 256 * 1024;
/**
 * Most segments the patterns of one node may add up to: the hub and every member keep a trie node
 * per segment of each node's patterns (docs/wire.md §6.6). 4,096 patterns of 8 segments on average.
 */
export const MAX_INTEREST_SEGMENTS = 32 * 1024;

/** The size of a node's interest by the measures of its budget. */
export interface InterestSize {
  patterns: number;
  /** Their lengths in UTF-8 bytes, added up. */
  bytes: number;
  /** Their numbers of segments, added up. */
  segments: number;
}

/**
 * The size of these (valid) patterns, in one pass over their characters that allocates nothing:
 * the emitter counts its patterns on every new one.
 */
export function interestSize(patterns: Iterable<string>): InterestSize {
  const size = { patterns: 0, bytes: 0, segments: 0 };
  for (const pattern of patterns) {
    size.patterns++;
    size.segments++;
    for (let i = 0; i < pattern.length; i++) {
      const unit = pattern.charCodeAt(i);
      if (unit === 0x2e) size.segments++;
      if (unit < 0x80) size.bytes += 1;
      else if (unit < 0x800) size.bytes += 2;
      else if (isSurrogatePair(pattern, i)) {
        size.bytes += 4;
        i++;
      } else size.bytes += 3; // a lone surrogate is encoded as U+FFFD
    }
  }
  return size;
}

/** Whether the UTF-16 code units of `text` at `i` and after it are one character. */
function isSurrogatePair(text: string, i: number): boolean {
  return (text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
}

/**
 * Which limit of a node's interest `size` is past, as the reason an announcement or a new
 * listener is refused; `null` within all of them.
 */
export function interestError(size: InterestSize): string | null {
  if (size.patterns > MAX_PATTERNS) return 'more patterns than a node may listen to (4096)';
  if (size.bytes > MAX_INTEREST_BYTES) return 'more bytes of patterns than a node may listen to (262144 in all)';
  if (size.segments > MAX_INTEREST_SEGMENTS) {
    return 'more segments of patterns than a node may listen to (32768 in all)';
  }
  return null;
}

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
