/**
 * nanomitter for JavaScript: a member of a nanomitter cluster in browsers and Node.js.
 *
 * Owns: the package's public surface. Must not implement anything itself.
 */

export { DEFAULT_ADDRESS, Emitter, connect, defaultCandidates } from './emitter.js';
export type { EmitOptions, EmitterOptions, Listener, NanomitterEvent, OutgoingEvent } from './emitter.js';
export { DistributedEventEmitter, HEARTBEAT_TOPIC } from './distributed.js';
export type { DistributedEvent, EventListener } from './distributed.js';
export type { TlsOptions } from './transport.js';
export { NanomitterError } from './errors.js';
export type { NanomitterErrorCode } from './errors.js';
export type { RefusalReason } from './refusal.js';
export type { Scope } from './credential.js';
export type { MemberStats } from './member.js';
export type { CodecName } from './codec.js';
export type { NodeId } from './bytes.js';
export { ANY_TOPIC, HUB_CHANGED, LAGGED, PEER_JOINED, PEER_LEFT, topicError } from './topic.js';
export * as msgpack from './msgpack.js';
export * as wire from './wire.js';
