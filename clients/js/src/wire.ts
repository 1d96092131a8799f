/**
 * The wire format, version 3 (docs/wire.md §6): encoding and decoding of frames.
 *
 * Owns: frames as bytes and as values. Must not touch connections, listeners or the protocol's
 * state; a frame that does not parse throws a {@link FrameError} and nothing else.
 */

import {
  type NodeId,
  fromUtf8,
  getNodeId,
  getU64,
  isNodeId,
  putNodeId,
  putU64,
  utf8,
} from './bytes.js';
import { NanomitterError } from './errors.js';
import { interestError, topicError } from './topic.js';

export const MAGIC = utf8('NMTR');
export const VERSION = 3;
/** The highest sequence number a frame may carry (2^62; this client stops at 2^53 - 1). */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;
const HEADER_LEN = 6;
/** Where an events frame's `retained_from` is. */
const RETAINED_FROM_AT = HEADER_LEN + 8;
/** Bytes one event adds to an events frame besides its topic and payload. */
export const EVENT_OVERHEAD = 8 + 1 + 2 + 4;
/** The most entries each list of a hello (`received`, `members`, `owed`) may hold. */
export const MAX_LISTED = 4096;

/** A hello's list, refused past MAX_LISTED entries (no honest node sends more). */
function listed<T>(list: T[]): T[] {
  if (list.length > MAX_LISTED) throw new FrameError('invalid', 'hello list longer than 4,096 entries');
  return list;
}

/** At most MAX_LISTED entries of a list this member says in a hello, the rest left out. */
export function capListed<T>(list: T[]): T[] {
  return list.length > MAX_LISTED ? list.slice(0, MAX_LISTED) : list;
}

export type CodecName = 'bincode' | 'json' | 'msgpack';
const CODEC_IDS: Record<CodecName, number> = { bincode: 1, json: 2, msgpack: 3 };
const CODEC_NAMES: (CodecName | undefined)[] = [undefined, 'bincode', 'json', 'msgpack'];

export type Joining = 'no' | 'fresh' | 'again';
const JOINING: Joining[] = ['no', 'fresh', 'again'];
export type LeftReason = 'closed' | 'evicted' | 'silent';
const REASONS: (LeftReason | undefined)[] = [undefined, 'closed', 'evicted', 'silent'];

export interface WireEvent {
  seq: number;
  codec: CodecName;
  topic: string;
  payload: Uint8Array;
}

export interface EventsFrame {
  kind: 'events';
  node: NodeId;
  retainedFrom: number;
  coversFrom: number;
  coversTo: number;
  service: string;
  events: WireEvent[];
}

export interface SenderSeq {
  sender: NodeId;
  seq: number;
}

export interface AckFrame {
  kind: 'ack';
  node: NodeId;
  epoch: number;
  acks: SenderSeq[];
}

export interface HelloFrame {
  kind: 'hello';
  node: NodeId;
  epoch: number;
  role: 'hub' | 'client';
  joining: Joining;
  service: string;
  lastSeq: number;
  retainedFrom: number;
  received: SenderSeq[];
  /** From the hub, its clients with the hash of the key each id is bound to; from a member, 0s. */
  members: { node: NodeId; keyHash: NodeId }[];
  owed: { node: NodeId; held: number }[];
  /** What proves the node's right to its id (docs/wire.md §6.3). */
  proof: HelloProof;
}

/**
 * A member's key in its first hello on each connection (it binds the id at the hub), the key's
 * hash in that hello as the hub relays it, or nothing (beats, the hub's hellos).
 */
export type HelloProof = { key: Uint8Array } | { keyHash: NodeId } | null;

/** The bytes of a member's key. */
export const KEY_LEN = 16;

export interface NackFrame {
  kind: 'nack';
  node: NodeId;
  sender: NodeId;
  fromSeq: number;
}

export interface LeftFrame {
  kind: 'left';
  epoch: number;
  node: NodeId;
  reason: LeftReason;
}

export interface InterestFrame {
  kind: 'interest';
  node: NodeId;
  version: number;
  patterns: { pattern: string; listeners: number }[];
}

/** From the hub: how many events frames it took from this member's connection so far. */
export interface RelayedFrame {
  kind: 'relayed';
  node: NodeId;
  epoch: number;
  frames: number;
}

export type Frame = EventsFrame | AckFrame | HelloFrame | NackFrame | LeftFrame | InterestFrame | RelayedFrame;

/** Why a frame was refused, by category (as the golden vectors name them). */
export type FrameErrorReason = 'not_a_frame' | 'version' | 'kind' | 'truncated' | 'invalid';

/** A frame that does not parse (code `Malformed`), with the category of its fault. */
export class FrameError extends NanomitterError {
  constructor(
    readonly reason: FrameErrorReason,
    detail: string,
  ) {
    super('Malformed', `malformed frame (${reason}): ${detail}`);
    this.name = 'FrameError';
  }
}

/** Bytes an event with this topic and payload adds to an events frame. */
export function eventWireSize(topic: Uint8Array, payload: Uint8Array): number {
  return EVENT_OVERHEAD + topic.length + payload.length;
}

/** Grows a frame as fields are appended. */
class Writer {
  private buffer: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(capacity, 64));
    this.view = new DataView(this.buffer.buffer);
  }

  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  header(kind: number): this {
    this.bytes(MAGIC);
    return this.u8(VERSION).u8(kind);
  }

  u8(value: number): this {
    this.room(1);
    this.buffer[this.length++] = value;
    return this;
  }

  u16(value: number): this {
    this.room(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
    return this;
  }

  u32(value: number): this {
    this.room(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
    return this;
  }

  u64(value: number): this {
    this.room(8);
    putU64(this.view, this.length, value);
    this.length += 8;
    return this;
  }

  node(node: NodeId): this {
    if (!isNodeId(node)) throw new NanomitterError('Encode', `not a node id (16 hex digits): ${node}`);
    this.room(8);
    putNodeId(this.view, this.length, node);
    this.length += 8;
    return this;
  }

  bytes(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** A string of at most 255 bytes, cut at a character boundary if longer. */
  shortString(text: string): this {
    let bytes = utf8(text);
    if (bytes.length > 255) {
      let end = 255;
      while ((bytes[end] & 0xc0) === 0x80) end--;
      bytes = bytes.subarray(0, end);
    }
    return this.u8(bytes.length).bytes(bytes);
  }

  pairs<T>(list: readonly T[], write: (item: T) => void): this {
    this.u32(list.length);
    for (const item of list) write(item);
    return this;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** One event of a batch being filled: its topic already as bytes. */
export interface BatchEvent {
  seq: number;
  codec: CodecName;
  topic: Uint8Array;
  payload: Uint8Array;
}

/** The bytes of an events frame of `service` besides its events: header, fields and count. */
export function eventsFrameOverhead(service: string): number {
  return HEADER_LEN + 8 * 4 + 1 + utf8(service).length + 4;
}

/**
 * Encodes an events frame (its `retained_from` may be rewritten later with
 * {@link setRetainedFrom}).
 */
export function encodeEvents(
  node: NodeId,
  service: string,
  retainedFrom: number,
  coversFrom: number,
  coversTo: number,
  events: readonly BatchEvent[],
): Uint8Array {
  let size = HEADER_LEN + 8 * 4 + 1 + 255 + 4;
  for (const event of events) size += eventWireSize(event.topic, event.payload);
  const writer = new Writer(size).header(1).node(node);
  writer.u64(retainedFrom).u64(coversFrom).u64(coversTo).shortString(service);
  writer.u32(events.length);
  for (const event of events) {
    writer.u64(event.seq).u8(CODEC_IDS[event.codec]).u16(event.topic.length).bytes(event.topic);
    writer.u32(event.payload.length).bytes(event.payload);
  }
  return writer.finish();
}

/** Rewrites the `retained_from` field of an encoded events frame (it changes between sends). */
export function setRetainedFrom(frame: Uint8Array, retainedFrom: number): void {
  putU64(new DataView(frame.buffer, frame.byteOffset, frame.byteLength), RETAINED_FROM_AT, retainedFrom);
}

/** Encodes any frame. */
export function encode(frame: Frame): Uint8Array {
  if (frame.kind !== 'events') return encodeControl(frame);
  const events = frame.events.map((e) => ({ ...e, topic: utf8(e.topic) }));
  const { node, service, retainedFrom, coversFrom, coversTo } = frame;
  return encodeEvents(node, service, retainedFrom, coversFrom, coversTo, events);
}

function encodeControl(frame: Exclude<Frame, EventsFrame>): Uint8Array {
  const w = new Writer(128);
  switch (frame.kind) {
    case 'ack':
      w.header(2).node(frame.node).u64(frame.epoch);
      w.pairs(frame.acks, (a) => w.node(a.sender).u64(a.seq));
      break;
    case 'hello':
      w.header(3).node(frame.node).u64(frame.epoch);
      w.u8(frame.role === 'hub' ? 1 : 2).u8(JOINING.indexOf(frame.joining));
      w.shortString(frame.service).u64(frame.lastSeq).u64(frame.retainedFrom);
      w.pairs(frame.received, (r) => w.node(r.sender).u64(r.seq));
      w.pairs(frame.members, (m) => w.node(m.node).node(m.keyHash));
      w.pairs(frame.owed, (o) => w.node(o.node).u64(o.held));
      if (frame.proof === null) w.u8(0);
      else if ('key' in frame.proof) w.u8(1).bytes(frame.proof.key);
      else w.u8(2).node(frame.proof.keyHash);
      break;
    case 'nack':
      w.header(4).node(frame.node).node(frame.sender).u64(frame.fromSeq);
      break;
    case 'left':
      w.header(5).u64(frame.epoch).node(frame.node).u8(REASONS.indexOf(frame.reason));
      break;
    case 'interest':
      w.header(6).node(frame.node).u64(frame.version);
      w.pairs(frame.patterns, (p) => {
        const pattern = utf8(p.pattern);
        w.u32(p.listeners).u16(pattern.length).bytes(pattern);
      });
      break;
    case 'relayed':
      w.header(7).node(frame.node).u64(frame.epoch).u64(frame.frames);
      break;
  }
  return w.finish();
}

/** Reads a frame's fields in order, refusing anything past its end or out of range. */
class Reader {
  at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  remaining(): number {
    return this.bytes.length - this.at;
  }

  private need(n: number): number {
    if (n > this.remaining()) throw new FrameError('truncated', 'a field past the end');
    const at = this.at;
    this.at += n;
    return at;
  }

  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  u8(): number {
    return this.bytes[this.need(1)];
  }

  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  node(): NodeId {
    return getNodeId(this.view, this.need(8));
  }

  /** A u64 this client can hold: a sequence number, an epoch or a version. */
  number(what: string): number {
    const value = getU64(this.view, this.need(8));
    if (value === null) throw new FrameError('invalid', `${what} out of range`);
    return value;
  }

  seq(): number {
    return this.number('sequence number');
  }

  epoch(): number {
    return this.number('epoch');
  }

  utf8(length: number, what: string): string {
    const bytes = this.take(length);
    try {
      return fromUtf8(bytes);
    } catch {
      throw new FrameError('invalid', `${what} is not UTF-8`);
    }
  }

  /** A count of items of at least `itemSize` bytes each, checked against what is left. */
  count(itemSize: number): number {
    const count = this.u32();
    if (count > Math.floor(this.remaining() / itemSize)) {
      throw new FrameError('truncated', 'a count past the end');
    }
    return count;
  }

  list<T>(itemSize: number, read: () => T): T[] {
    const count = this.count(itemSize);
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = read();
    return out;
  }
}

/** Decodes one frame. Payloads are views into `bytes`, not copies. */
export function decode(bytes: Uint8Array): Frame {
  const reader = new Reader(bytes);
  if (bytes.length < 4 || MAGIC.some((b, i) => bytes[i] !== b)) {
    if (bytes.length < 4 && MAGIC.subarray(0, bytes.length).every((b, i) => bytes[i] === b)) {
      throw new FrameError('truncated', 'shorter than a header');
    }
    throw new FrameError('not_a_frame', 'no NMTR magic');
  }
  reader.take(4);
  const version = reader.u8();
  if (version !== VERSION) {
    throw new FrameError('version', `version ${version}, this client speaks ${VERSION}`);
  }
  const kind = reader.u8();
  let frame: Frame;
  switch (kind) {
    case 1:
      frame = decodeEvents(reader);
      break;
    case 2:
      frame = {
        kind: 'ack',
        node: reader.node(),
        epoch: reader.epoch(),
        acks: reader.list(16, () => ({ sender: reader.node(), seq: reader.seq() })),
      };
      break;
    case 3:
      frame = decodeHello(reader);
      break;
    case 4:
      frame = { kind: 'nack', node: reader.node(), sender: reader.node(), fromSeq: reader.seq() };
      break;
    case 5: {
      const epoch = reader.epoch();
      const node = reader.node();
      const reason = REASONS[reader.u8()];
      if (!reason) throw new FrameError('invalid', 'reason');
      frame = { kind: 'left', epoch, node, reason };
      break;
    }
    case 6:
      frame = decodeInterest(reader);
      break;
    case 7:
      frame = { kind: 'relayed', node: reader.node(), epoch: reader.epoch(), frames: reader.number('frame count') };
      break;
    default:
      throw new FrameError('kind', `unknown frame kind ${kind}`);
  }
  if (reader.remaining() !== 0) throw new FrameError('truncated', 'bytes after the frame');
  return frame;
}

function decodeHello(reader: Reader): HelloFrame {
  const node = reader.node();
  const epoch = reader.epoch();
  const roleByte = reader.u8();
  if (roleByte !== 1 && roleByte !== 2) throw new FrameError('invalid', 'role');
  const joining = JOINING[reader.u8()];
  if (!joining) throw new FrameError('invalid', 'joining');
  const service = reader.utf8(reader.u8(), 'service name');
  return {
    kind: 'hello',
    node,
    epoch,
    role: roleByte === 1 ? 'hub' : 'client',
    joining,
    service,
    lastSeq: reader.seq(),
    retainedFrom: reader.seq(),
    received: listed(reader.list(16, () => ({ sender: reader.node(), seq: reader.seq() }))),
    members: listed(reader.list(16, () => ({ node: reader.node(), keyHash: reader.node() }))),
    owed: listed(reader.list(16, () => ({ node: reader.node(), held: reader.seq() }))),
    proof: decodeProof(reader),
  };
}

function decodeProof(reader: Reader): HelloProof {
  switch (reader.u8()) {
    case 0:
      return null;
    case 1:
      return { key: reader.take(KEY_LEN).slice() };
    case 2:
      return { keyHash: reader.node() };
    default:
      throw new FrameError('invalid', 'proof');
  }
}

function decodeInterest(reader: Reader): InterestFrame {
  const node = reader.node();
  const version = reader.number('version');
  const count = reader.count(7);
  const declared = interestError({ patterns: count, bytes: 0, segments: 0 });
  if (declared !== null) throw new FrameError('invalid', declared);
  // The patterns so far, refused as soon as they are past the budget of a node's interest.
  const size = { patterns: 0, bytes: 0, segments: 0 };
  const patterns = [];
  for (let i = 0; i < count; i++) {
    const listeners = reader.u32();
    const length = reader.u16();
    const pattern = reader.utf8(length, 'pattern');
    if (topicError(pattern, true) !== null) throw new FrameError('invalid', 'pattern');
    size.patterns++;
    size.bytes += length;
    size.segments += pattern.split('.').length;
    const past = interestError(size);
    if (past !== null) throw new FrameError('invalid', past);
    patterns.push({ pattern, listeners });
  }
  return { kind: 'interest', node, version, patterns };
}

function decodeEvents(reader: Reader): EventsFrame {
  const node = reader.node();
  const retainedFrom = reader.seq();
  const coversFrom = reader.seq();
  const coversTo = reader.seq();
  if (retainedFrom === 0 || retainedFrom > coversFrom || coversFrom > coversTo) {
    throw new FrameError('invalid', 'covered range');
  }
  const service = reader.utf8(reader.u8(), 'service name');
  const count = reader.count(EVENT_OVERHEAD + 1);
  const events: WireEvent[] = new Array(count);
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const seq = reader.seq();
    const codec = CODEC_NAMES[reader.u8()];
    if (!codec) throw new FrameError('invalid', 'codec');
    const topic = reader.utf8(reader.u16(), 'topic');
    if (topicError(topic, false) !== null) throw new FrameError('invalid', 'topic');
    const payload = reader.take(reader.u32());
    if (seq < coversFrom || seq > coversTo || seq <= previous) {
      throw new FrameError('invalid', 'sequence number outside the covered range or out of order');
    }
    previous = seq;
    events[i] = { seq, codec, topic, payload };
  }
  return { kind: 'events', node, retainedFrom, coversFrom, coversTo, service, events };
}
