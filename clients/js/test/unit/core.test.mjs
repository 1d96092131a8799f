// The member's protocol as a state machine (src/core.ts), driven with plain frames and times:
// inputs carry `now`, actions come out of pollAction, timers out of pollTimeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemberCore } from '../../dist/core.js';
import { decode, encode } from '../../dist/wire.js';
import { utf8 } from '../../dist/bytes.js';

const ME = '0000000000000001';
/** This member's key. */
const KEY = new Uint8Array(16).fill(7);
const HUB = '00000000000000aa';
const PEER = '00000000000000bb';
const SETTINGS = {
  service: 'js',
  livenessMs: 1000,
  window: 8,
  batchBytes: 1024,
  maxFrameSize: 1 << 20,
  maxPendingBytes: 1 << 16,
  localEcho: true,
};

/** The actions decided so far, sent frames decoded. */
function actions(core) {
  const out = [];
  for (let action; (action = core.pollAction()); ) {
    out.push(action.kind === 'send' ? { kind: 'send', frame: decode(action.frame) } : action);
  }
  return out;
}

const sent = (list) => list.filter((a) => a.kind === 'send').map((a) => a.frame);
const delivered = (list) => list.filter((a) => a.kind === 'deliver').map((a) => a.event);
/** A frame as it arrives: encoded and decoded again. */
const wire = (frame) => decode(encode(frame));

function hubHello(fields = {}) {
  return wire({
    kind: 'hello', node: HUB, epoch: 1, role: 'hub', joining: 'no', service: 'hub',
    lastSeq: 0, retainedFrom: 1, received: [], members: [], owed: [], proof: null, ...fields,
  });
}

function events(node, coversFrom, coversTo, retainedFrom = 1) {
  const list = [];
  for (let seq = coversFrom; seq <= coversTo; seq++) list.push({ seq, codec: 'json', topic: 't', payload: utf8(String(seq)) });
  return wire({ kind: 'events', node, retainedFrom, coversFrom, coversTo, service: 'peer', events: list });
}

/** A core linked at `now` to a hub whose hello arrived; the actions so far are taken. */
function linked(now = 0, settings = SETTINGS) {
  const core = new MemberCore(ME, KEY, settings);
  core.linkUp(now);
  core.receive(hubHello(), now);
  core.caughtUp(now);
  actions(core);
  return core;
}

test('a link starts with a joining hello, fresh at first and again after a lost link', () => {
  const core = new MemberCore(ME, KEY, SETTINGS);
  assert.equal(core.pollTimeout(), null, 'nothing to wait for before a link');
  core.linkUp(1000);
  const first = actions(core);
  assert.deepEqual(first.map((a) => a.kind), ['send'], 'no announcement yet: the first subscriptions may follow');
  assert.equal(first[0].frame.kind, 'hello');
  assert.equal(first[0].frame.joining, 'fresh');
  assert.equal(first[0].frame.role, 'client');
  assert.equal(core.pollTimeout(), 2000, 'the beat, a liveness interval after the link came up');
  assert.equal(core.setPatterns([{ pattern: 'stock.*', listeners: 1 }]), true);
  assert.equal(core.setPatterns([{ pattern: 'stock.*', listeners: 1 }]), false, 'the same patterns change nothing');
  core.caughtUp(1010);
  assert.deepEqual(sent(actions(core)), [{ kind: 'interest', node: ME, version: 1, patterns: [{ pattern: 'stock.*', listeners: 1 }] }]);
  core.linkDown(1020, 'the connection closed');
  assert.deepEqual(actions(core), [{ kind: 'dropLink', reason: 'the connection closed' }]);
  assert.equal(core.pollTimeout(), null, 'no beat while the link is down');
  core.linkUp(1030);
  const again = sent(actions(core));
  assert.deepEqual(again.map((f) => [f.kind, f.joining ?? f.version]), [['hello', 'again'], ['interest', 2]], 'announced again on the new link');
  assert.equal(core.stats.links, 2);
});

test('events are admitted exactly once, in order, and acknowledged once caught up', () => {
  const core = linked();
  core.receive(events(PEER, 1, 2), 10);
  assert.deepEqual(delivered(actions(core)).map((e) => [e.node, e.seq, e.service]), [[PEER, 1, 'peer'], [PEER, 2, 'peer']]);
  core.caughtUp(10);
  assert.deepEqual(sent(actions(core)), [{ kind: 'ack', node: ME, epoch: 1, acks: [{ sender: PEER, seq: 2 }] }]);
  core.receive(events(PEER, 1, 2), 20);
  core.caughtUp(20);
  assert.deepEqual(actions(core), [], 'a frame again: nothing delivered, nothing new to acknowledge');
  core.receive(events(PEER, 2, 3), 30);
  assert.deepEqual(delivered(actions(core)).map((e) => e.seq), [3], 'only what was not admitted yet');
  assert.equal(core.stats.received, 3);
  assert.equal(core.stats.duplicates, 3);
});

test('a gap is asked for again at most once per 50 ms', () => {
  const core = linked();
  core.receive(events(PEER, 1, 1), 100);
  actions(core);
  const nack = { kind: 'nack', node: ME, sender: PEER, fromSeq: 2 };
  core.receive(events(PEER, 3, 3), 100);
  assert.deepEqual(actions(core), [{ kind: 'send', frame: nack }], 'the frame is dropped and the rest asked for');
  core.receive(events(PEER, 4, 4), 149);
  assert.deepEqual(actions(core), [], 'asked less than 50 ms ago');
  core.receive(events(PEER, 4, 4), 150);
  assert.deepEqual(actions(core), [{ kind: 'send', frame: nack }]);
  assert.equal(core.stats.nacks, 2);
  core.receive(events(PEER, 2, 4), 160);
  assert.deepEqual(delivered(actions(core)).map((e) => e.seq), [2, 3, 4]);
});

test('a busy member repeats its acknowledgements every 50 ms while busy', () => {
  const core = linked();
  core.receive(events(PEER, 1, 1), 100);
  core.caughtUp(100);
  actions(core);
  assert.equal(core.pollTimeout(), 150, 'the refresh comes before the beat');
  core.handleTimeout(150);
  assert.deepEqual(sent(actions(core)), [{ kind: 'ack', node: ME, epoch: 1, acks: [{ sender: PEER, seq: 1 }] }], 'nothing moved: all of them');
  assert.equal(core.pollTimeout(), 200);
  // Busy for two seconds after the last events frame; the beats go on meanwhile.
  for (let now = 200; now <= 2100; now += 50) {
    core.handleTimeout(now);
    actions(core);
  }
  assert.equal(core.pollTimeout(), 2150);
  core.handleTimeout(2150);
  assert.deepEqual(sent(actions(core)), [], 'no longer busy: the refresh stops');
  assert.equal(core.pollTimeout(), 3000, 'only the beat is left');
});

test('the beat sends a hello each liveness interval; three silent beats drop the hub', () => {
  const core = new MemberCore(ME, KEY, SETTINGS);
  core.linkUp(0);
  core.receive(hubHello(), 0);
  const notices = delivered(actions(core)).map((e) => [e.topic, e.data.node]);
  assert.deepEqual(notices, [['$peer.joined', HUB], ['$hub.changed', HUB]]);
  assert.equal(core.hubNode(), HUB);
  core.handleTimeout(999);
  assert.deepEqual(actions(core), [], 'not due yet');
  core.handleTimeout(1000);
  const beat = sent(actions(core));
  assert.deepEqual(beat.map((f) => [f.kind, f.joining]), [['hello', 'no'], ['interest', undefined]], 'nothing subscribed after a beat: announced empty');
  assert.equal(core.pollTimeout(), 2000);
  core.handleTimeout(2000);
  assert.deepEqual(sent(actions(core)).map((f) => f.kind), ['hello']);
  core.handleTimeout(3000);
  const dropped = actions(core);
  assert.deepEqual(dropped.map((a) => a.kind), ['send', 'dropLink', 'deliver'], 'the beat, then the drop, then the notice');
  assert.deepEqual(dropped[1], { kind: 'dropLink', reason: 'the hub went silent' });
  assert.equal(dropped[2].event.topic, '$peer.left');
  assert.deepEqual(dropped[2].event.data, { node: HUB, service: 'hub', reason: 'closed' });
  assert.equal(core.hubNode(), null);
  assert.equal(core.pollTimeout(), null);
});

test('a member that did not run for a while does not blame the hub for its own silence', () => {
  const core = linked();
  core.handleTimeout(5000);
  assert.deepEqual(sent(actions(core)).map((f) => f.kind), ['hello', 'interest'], 'a late beat: no drop');
  assert.equal(core.pollTimeout(), 6000);
  core.handleTimeout(6000);
  core.handleTimeout(7000);
  assert.deepEqual(actions(core).map((a) => a.kind), ['send', 'send']);
  core.handleTimeout(8000);
  assert.deepEqual(actions(core).map((a) => a.kind), ['send', 'dropLink', 'deliver'], 'three beats since the hub was heard');
});

test('a lost hub is remembered: the next link joins again, listing it and owing it word', () => {
  const core = linked(0);
  core.receive(wire({ kind: 'hello', node: PEER, epoch: 1, role: 'client', joining: 'fresh', service: 'peer', lastSeq: 0, retainedFrom: 1, received: [], members: [], owed: [], proof: null }), 10);
  actions(core);
  core.linkDown(20, 'the connection closed');
  const down = actions(core);
  assert.deepEqual(down.map((a) => a.kind), ['dropLink', 'deliver']);
  assert.deepEqual(down[1].event.data, { node: HUB, service: 'hub', reason: 'closed' });
  assert.deepEqual(core.knownPeers(), [{ node: PEER, service: 'peer', role: 'client' }]);
  core.linkUp(30);
  const [hello] = sent(actions(core));
  assert.equal(hello.joining, 'again');
  assert.deepEqual(hello.members.map((m) => m.node), [HUB, PEER].sort());
  assert.deepEqual(hello.proof, { key: KEY }, 'a joining hello proves the id');
  assert.deepEqual(hello.owed, [{ node: HUB, held: 0 }]);
});

test('a hub of an older election is stale: the link is dropped', () => {
  const core = new MemberCore(ME, KEY, SETTINGS);
  core.linkUp(0);
  core.receive(hubHello({ epoch: 3 }), 0);
  core.linkDown(10, 'the connection closed');
  core.linkUp(20);
  actions(core);
  core.receive(hubHello({ node: PEER, epoch: 2 }), 30);
  assert.deepEqual(actions(core), [{ kind: 'dropLink', reason: 'the hub is of an older election (stale)' }]);
});

test('emitted events are echoed, sent once caught up, and a flush ticket is settled by the ack', () => {
  const core = linked(0);
  assert.equal(core.flush(0), null, 'nothing emitted: every member holds it all');
  assert.equal(core.emit('t.a', 'json', utf8('1'), 10), 1);
  assert.equal(core.emit('t.b', 'json', utf8('2'), 10), 2);
  const echoed = actions(core);
  assert.deepEqual(echoed.map((a) => [a.kind, a.event.topic, a.event.seq, a.event.node]), [['deliver', 't.a', 1, ME], ['deliver', 't.b', 2, ME]]);
  const ticket = core.flush(20);
  assert.equal(typeof ticket, 'number');
  const frames = sent(actions(core));
  assert.deepEqual(frames.map((f) => [f.kind, f.coversFrom, f.coversTo]), [['events', 1, 2]]);
  assert.ok(core.pendingBytes() > 0);
  core.receive(wire({ kind: 'ack', node: HUB, epoch: 1, acks: [{ sender: ME, seq: 1 }] }), 30);
  assert.deepEqual(actions(core), [], 'not everything yet');
  core.receive(wire({ kind: 'ack', node: HUB, epoch: 1, acks: [{ sender: ME, seq: 2 }] }), 40);
  assert.deepEqual(actions(core), [{ kind: 'flushed', ticket }]);
  assert.equal(core.pendingBytes(), 0);
});

test('new frames wait 100 ms for a full window that does not move, then the timer sends them past it', () => {
  const core = linked(0, { ...SETTINGS, window: 1 });
  core.emit('t', 'json', utf8('1'), 0);
  core.caughtUp(0);
  assert.deepEqual(sent(actions(core)).map((f) => [f.kind, f.coversFrom]), [['events', 1]]);
  core.receive(wire({ kind: 'relayed', node: HUB, epoch: 1, frames: 1 }), 10);
  core.emit('t', 'json', utf8('2'), 20);
  core.caughtUp(20);
  assert.deepEqual(sent(actions(core)), [], 'nobody acknowledged the window');
  assert.equal(core.pollTimeout(), 120);
  core.handleTimeout(119);
  assert.deepEqual(sent(actions(core)), []);
  core.handleTimeout(120);
  assert.deepEqual(sent(actions(core)).map((f) => [f.kind, f.coversFrom, f.retainedFrom]), [['events', 2, 1]]);
  assert.equal(core.stats.pastWindow, 1);
});

test('closing says goodbye, fails the flushes still waiting, and refuses events', () => {
  const core = linked(0);
  core.emit('t', 'json', utf8('1'), 0);
  const ticket = core.flush(0);
  actions(core);
  core.close(10);
  assert.deepEqual(actions(core), [
    { kind: 'send', frame: { kind: 'left', epoch: 1, node: ME, reason: 'closed' } },
    { kind: 'flushFailed', ticket },
  ]);
  assert.equal(core.closed, true);
  assert.equal(core.pollTimeout(), null);
  assert.throws(() => core.emit('t', 'json', utf8('1'), 20), { code: 'Closed' });
  assert.throws(() => core.flush(20), { code: 'Closed' });
});

test('events too large for a frame, or past the pending bytes, are refused', () => {
  const core = linked(0, { ...SETTINGS, maxFrameSize: 1024, maxPendingBytes: 600, batchBytes: 64 });
  assert.throws(() => core.emit('t', 'json', new Uint8Array(1024), 0), { code: 'EventTooLarge' });
  core.emit('t', 'json', new Uint8Array(500), 0);
  assert.throws(() => core.emit('t', 'json', new Uint8Array(100), 0), { code: 'Overflow' });
  assert.equal(core.stats.overflows, 1);
});
