/**
 * nanomitter for JavaScript: a member of a nanomitter cluster in browsers and Node.js.
 *
 * Owns: the package's public surface. Must not implement anything itself.
 */

export { Emitter, connect } from './emitter.js';
export type { EmitterOptions, Listener, NanomitterEvent } from './emitter.js';
export { NanomitterError } from './member.js';
export type { MemberStats } from './member.js';
export type { RefusalReason } from './refusal.js';
export type { CodecName } from './codec.js';
export type { NodeId } from './bytes.js';
export { ANY_TOPIC, HUB_CHANGED, LAGGED, PEER_JOINED, PEER_LEFT, topicError } from './topic.js';
export * as msgpack from './msgpack.js';
export * as wire from './wire.js';
