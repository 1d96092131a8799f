// The frames of docs/vectors/ in their JSON shape (snake_case fields, node ids and payloads as
// hex) and the TypeScript frame type, both ways; shared by the golden and behaviour vector tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '../../dist/bytes.js';

/** One file of docs/vectors/, parsed. */
export const loadVectors = (name) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../../docs/vectors/${name}`, import.meta.url)), 'utf8'));

/** A vector's description as the TypeScript frame type. */
export function fromDescription(d) {
  switch (d.kind) {
    case 'events':
      return {
        kind: 'events', node: d.node, retainedFrom: d.retained_from, coversFrom: d.covers_from,
        coversTo: d.covers_to, service: d.service,
        events: d.events.map((e) => ({ seq: e.seq, codec: e.codec, topic: e.topic, payload: fromHex(e.payload) })),
      };
    case 'ack':
      return { kind: 'ack', node: d.node, epoch: d.epoch, acks: d.acks };
    case 'hello':
      return {
        kind: 'hello', node: d.node, epoch: d.epoch, role: d.role, joining: d.joining, service: d.service,
        lastSeq: d.last_seq, retainedFrom: d.retained_from, received: d.received,
        members: d.members.map((m) => ({ node: m.node, keyHash: m.key_hash })), owed: d.owed,
        proof: d.proof === null ? null : d.proof.key ? { key: fromHex(d.proof.key) } : { keyHash: d.proof.key_hash },
      };
    case 'nack':
      return { kind: 'nack', node: d.node, sender: d.sender, fromSeq: d.from_seq };
    case 'left':
      return { kind: 'left', epoch: d.epoch, node: d.node, reason: d.reason };
    case 'interest':
      return { kind: 'interest', node: d.node, version: d.version, patterns: d.patterns };
    case 'relayed':
      return { kind: 'relayed', node: d.node, epoch: d.epoch, frames: d.frames };
    default:
      throw new Error(`unknown kind ${d.kind}`);
  }
}

/** A decoded frame in the vectors' shape (payloads as hex, without their decoded data). */
export function describe(f) {
  switch (f.kind) {
    case 'events':
      return {
        kind: 'events', node: f.node, retained_from: f.retainedFrom, covers_from: f.coversFrom,
        covers_to: f.coversTo, service: f.service,
        events: f.events.map((e) => ({ seq: e.seq, codec: e.codec, topic: e.topic, payload: toHex(e.payload) })),
      };
    case 'hello':
      return {
        kind: 'hello', node: f.node, epoch: f.epoch, role: f.role, joining: f.joining, service: f.service,
        last_seq: f.lastSeq, retained_from: f.retainedFrom, received: f.received,
        members: f.members.map((m) => ({ node: m.node, key_hash: m.keyHash })), owed: f.owed,
        proof: f.proof === null ? null : f.proof.key ? { key: toHex(f.proof.key) } : { key_hash: f.proof.keyHash },
      };
    case 'nack':
      return { kind: 'nack', node: f.node, sender: f.sender, from_seq: f.fromSeq };
    default:
      return { ...f };
  }
}

