// The sending side (docs/wire.md §7.2): batches, the window, retained_from, re-sends, acks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sender } from '../../dist/sender.js';
import { decode } from '../../dist/wire.js';
import { utf8 } from '../../dist/bytes.js';

const NODE = '0000000000000001';
const push = (s, n) => Array.from({ length: n }, () => s.push('json', utf8('t'), utf8('1')));
const sendAll = (s, now = 0) => {
  const sent = [];
  s.sendWaiting(now, (f) => sent.push(decode(f)));
  return sent;
};

test('frames cover consecutive ranges, at most a window on the way to the hub, kept until acknowledged', () => {
  const sender = new Sender(NODE, 'svc', 97, 2);
  assert.deepEqual(push(sender, 6), [1, 2, 3, 4, 5, 6]);
  const sent = sendAll(sender);
  assert.equal(sent.length, 2, 'the window');
  // 17 bytes per event and 46 of the frame's own: three fill a batch of 97 bytes.
  assert.deepEqual(sent.map((f) => [f.coversFrom, f.coversTo, f.retainedFrom]), [[1, 3, 1], [4, 6, 1]]);
  assert.deepEqual(sent.map((f) => f.events.map((e) => e.seq)), [[1, 2, 3], [4, 5, 6]]);
  sender.resend(5, Infinity);
  assert.equal(sendAll(sender).length, 0, 're-sends wait for room in the window too');
  sender.takenByHub(2);
  assert.deepEqual(sendAll(sender).map((f) => f.coversFrom), [4], 'only what covers the request');
  sender.takenByHub(3);
  sender.resend(1, 6);
  assert.deepEqual(sendAll(sender).map((f) => f.coversFrom), [1], 'short of the frames a re-send covered');
  push(sender, 1);
  assert.equal(sendAll(sender, 0).length, 0, 'nobody acknowledged the window yet');
  assert.equal(sender.pastWindowAt(), 100);
  assert.equal(sendAll(sender, 99).length, 0);
  assert.equal(sendAll(sender, 100).length, 1, 'it did not move for 100 ms: past it, kept for the members');
  sender.ack(3);
  assert.equal(sender.acked, 3);
  assert.equal(sender.retainedFrom(), 4);
  sender.takenByHub(5);
  push(sender, 1);
  assert.equal(sendAll(sender, 150).length, 0, 'the window moved: it waits again');
  const more = sendAll(sender, 250);
  assert.deepEqual(more.map((f) => [f.coversFrom, f.coversTo, f.retainedFrom]), [[8, 8, 4]], 'retained_from: the oldest frame kept');
  sender.ack(8);
  assert.equal(sender.pendingBytes, 0);
  assert.equal(sender.lastSent(), 8);
});

test('frames lost on the way leave the window when the hub asks again; a new connection sends everything again', () => {
  const sender = new Sender(NODE, 'svc', 64, 1);
  push(sender, 1);
  assert.equal(sendAll(sender).length, 1);
  push(sender, 1);
  assert.equal(sendAll(sender).length, 0, 'the window is full, and nothing comes');
  sender.lostOnTheWay(1);
  sender.resend(1, Infinity);
  assert.deepEqual(sendAll(sender).map((f) => f.coversFrom), [1], 'sent again first, then the window is full');
  sender.takenByHub(1);
  assert.deepEqual(sendAll(sender, 100).map((f) => f.coversFrom), [2]);
  sender.newLink();
  assert.deepEqual(sendAll(sender).map((f) => f.coversFrom), [1], 'one at a time');
  sender.takenByHub(1);
  assert.deepEqual(sendAll(sender).map((f) => f.coversFrom), [2]);
});

test('a hub that does not say what it took frees the window by its acknowledgements', () => {
  const sender = new Sender(NODE, 'svc', 64, 1);
  push(sender, 1);
  sendAll(sender);
  push(sender, 1);
  assert.equal(sendAll(sender).length, 0);
  sender.ack(1);
  assert.deepEqual(sendAll(sender).map((f) => f.coversFrom), [2]);
});
