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
  const limits = { patience: 1000, every: 50 };
  assert.deepEqual(r.behind(A, 1, 1, 2000, limits), { lost: null, nackFrom: null }, 'not behind');
  assert.deepEqual(r.behind(A, 9, 5, 3000, limits), { lost: { from: 2, to: 4 }, nackFrom: null });
  assert.deepEqual(r.behind(A, 9, 10, 4000, limits), { lost: { from: 5, to: 9 }, nackFrom: null });
  assert.deepEqual(r.frame(A, 20, 20, 20), { lost: { from: 10, to: 19 }, after: 19 });
  r.startAfter('00000000000000bb', 20);
  assert.deepEqual(r.frame('00000000000000bb', 15, 15, 20), { lost: null, after: 20 }, "the hub's word counts");
});

// A hello is relayed at once while events may wait in the hub's queue: what a hello claims is
// asked for only if it is still missing a liveness interval later (asking at once made every
// producer send its whole window again, over and over).
test('what a hello claims is asked for only once it is overdue', () => {
  const r = new Receiver();
  const patience = 1000;
  const limits = { patience, every: 50 };
  const t = 10_000;
  r.frame(A, 1, 1, 1);
  assert.deepEqual(r.behind(A, 9, 1, t, limits), { lost: null, nackFrom: null }, '9 may be on its way');
  assert.deepEqual(r.behind(A, 12, 1, t + patience / 2, limits), { lost: null, nackFrom: null });
  assert.deepEqual(r.frame(A, 1, 2, 9), { lost: null, after: 1 });
  assert.deepEqual(r.behind(A, 12, 1, t + patience, limits), { lost: null, nackFrom: null }, 'the first claim was met: 12 is a new one');
  assert.deepEqual(r.behind(A, 14, 1, t + 2 * patience, limits), { lost: null, nackFrom: 10 }, '12, claimed a while ago, never came');
  assert.deepEqual(
    r.behind(A, 14, 12, t + 3 * patience, limits),
    { lost: { from: 10, to: 11 }, nackFrom: 12 },
    'the sender holds 12 on: 10..=11 are lost, 12 is asked for',
  );
  assert.deepEqual(
    r.behind(A, 14, 15, t + 4 * patience, limits),
    { lost: { from: 12, to: 14 }, nackFrom: null },
    'the sender holds nothing more: everything lacking is lost',
  );
});

// A member back after going silent that heard a sender only since (its first frame there came
// after the sender forgot what the member was owed) is told what it missed, once.
test('a returning member that started past what it was owed is told it missed it', () => {
  const r = new Receiver();
  const [one, two, three, four] = ['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004'];
  assert.deepEqual(r.frame(one, 119, 119, 119), { lost: null, after: 118 });
  assert.deepEqual(r.owed(one, 0), { from: 1, to: 118 });
  assert.equal(r.owed(one, 0), null, 'told once');
  // Nothing delivered yet since it started: it starts over after what it held.
  r.startAfter(two, 50);
  assert.equal(r.owed(two, 10), null);
  assert.deepEqual(r.frame(two, 1, 11, 11), { lost: null, after: 10 });
  // Heard from the start: owed nothing it does not hold.
  r.frame(three, 1, 1, 5);
  assert.equal(r.owed(three, 2), null);
  // Joined after the hub relayed a sender's events up to 50, and delivered some since: it was
  // never owed those up to 50, whatever the sender knows it held.
  r.startAfter(four, 50);
  assert.deepEqual(r.frame(four, 1, 51, 51), { lost: null, after: 50 });
  assert.equal(r.owed(four, 10), null);
});
