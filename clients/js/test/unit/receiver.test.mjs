// The receiving side's rules (docs/wire.md §7.3), as the Rust receiver's tests state them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Receiver } from '../../dist/receiver.js';

const A = '00000000000000aa';

test('the first frame sets the start, then frames must continue the sequence', () => {
  const r = new Receiver();
  assert.deepEqual(r.frame(A, 5, 6, 8), { lost: null, after: null }, '5 is still held: wait for it');
  assert.deepEqual(r.frame(A, 5, 5, 8), { lost: null, after: 4 });
  assert.deepEqual(r.frame(A, 5, 5, 8), { lost: null, after: 8 }, 'everything a duplicate');
  assert.deepEqual(r.frame(A, 5, 9, 9), { lost: null, after: 8 });
  assert.deepEqual(r.takeNewAcks(), [{ sender: A, seq: 9 }]);
  assert.deepEqual(r.takeNewAcks(), []);
  assert.deepEqual(r.frame(A, 5, 10, 15), { lost: null, after: 9 }, 'a range without events still moves');
  assert.deepEqual(r.delivered(), [{ sender: A, seq: 15 }]);
});

test('gaps are asked for again at most once per interval; what the sender dropped is lost', () => {
  const r = new Receiver();
  r.frame(A, 1, 1, 1);
  assert.equal(r.frame(A, 1, 3, 3).after, null);
  assert.equal(r.nackDue(A, 1000, 50), 2);
  assert.equal(r.nackDue(A, 1025, 50), null);
  assert.equal(r.nackDue(A, 1050, 50), 2);
  assert.deepEqual(r.behind(A, 1, 1, 2000, 50), { lost: null, nackFrom: null }, 'not behind');
  assert.deepEqual(r.behind(A, 9, 5, 3000, 50), { lost: { from: 2, to: 4 }, nackFrom: 5 });
  assert.deepEqual(r.behind(A, 9, 10, 4000, 50), { lost: { from: 5, to: 9 }, nackFrom: null });
  assert.deepEqual(r.frame(A, 20, 20, 20), { lost: { from: 10, to: 19 }, after: 19 });
  r.startAfter('00000000000000bb', 20);
  assert.deepEqual(r.frame('00000000000000bb', 15, 15, 20), { lost: null, after: 20 }, "the hub's word counts");
});
