// The sending side (docs/wire.md §7.2): batches, the window, retained_from, re-sends, acks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sender } from '../../dist/sender.js';
import { decode } from '../../dist/wire.js';
import { utf8 } from '../../dist/bytes.js';

const NODE = '0000000000000001';
const push = (s, n) => Array.from({ length: n }, () => s.push('json', utf8('t'), utf8('1')));

test('frames cover consecutive ranges, at most a window in flight, kept until acknowledged', () => {
  const sender = new Sender(NODE, 'svc', 64, 2);
  assert.deepEqual(push(sender, 6), [1, 2, 3, 4, 5, 6]);
  const sent = [];
  sender.sendWaiting((f) => sent.push(decode(f)));
  assert.equal(sent.length, 2, 'the window');
  // 17 bytes per event: three fit a batch of 64 bytes.
  assert.deepEqual(sent.map((f) => [f.coversFrom, f.coversTo, f.retainedFrom]), [[1, 3, 1], [4, 6, 1]]);
  assert.deepEqual(sent.map((f) => f.events.map((e) => e.seq)), [[1, 2, 3], [4, 5, 6]]);
  const resent = [];
  sender.resend(5, Infinity, (f) => resent.push(decode(f)));
  assert.deepEqual(resent.map((f) => f.coversFrom), [4], 'only what covers the request');
  const before = [];
  sender.resend(1, 6, (f) => before.push(decode(f)));
  assert.deepEqual(before.map((f) => f.coversFrom), [1], 'short of the frames a re-send covered');
  push(sender, 1);
  const blocked = [];
  sender.sendWaiting((f) => blocked.push(f));
  assert.equal(blocked.length, 0, 'the window is full');
  sender.ack(3);
  assert.equal(sender.acked, 3);
  assert.equal(sender.retainedFrom(), 4);
  const more = [];
  sender.sendWaiting((f) => more.push(decode(f)));
  assert.deepEqual(more.map((f) => [f.coversFrom, f.coversTo, f.retainedFrom]), [[7, 7, 4]], 'retained_from: the oldest frame kept');
  sender.ack(7);
  assert.equal(sender.pendingBytes, 0);
  assert.equal(sender.lastSent(), 7);
});
