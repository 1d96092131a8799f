import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, topicError, ANY_TOPIC, PEER_JOINED, LAGGED } from '../../dist/topic.js';

test('the grammar accepts and refuses with reasons, as the Rust side does', () => {
  for (const good of ['a', 'a.b', 'stock.*', 'stock.>', '*.b', '*', '>', '$peer.*', '<3', 'a.*.c']) {
    assert.equal(topicError(good, true), null, good);
  }
  for (const [bad, reason] of [['', 'empty'], ['a..b', 'empty segment'], ['.a', 'empty segment'], ['a.', 'empty segment'], ['a.>.b', '`>` may only be the last'], ['st*ck', 'whole segments'], ['a.b>', 'whole segments']]) {
    assert.match(topicError(bad, true), new RegExp(reason.replace(/[.*>`]/g, '\\$&')), bad);
  }
  assert.notEqual(topicError('a.*', false), null);
  assert.notEqual(topicError('*', false), null);
  assert.match(topicError('$lagged', false), /reserved/);
  assert.equal(topicError('a.b', false), null);
  assert.notEqual(topicError(new Array(33).fill('a').join('.'), true), null);
  assert.equal(topicError(new Array(33).fill('a').join('.'), false), null);
  assert.notEqual(topicError('a'.repeat(65536), true), null);
});

test('patterns match topics; wildcards never match reserved topics', () => {
  assert.ok(matches('stock.*', 'stock.aapl'));
  assert.ok(!matches('stock.*', 'stock.aapl.bid'));
  assert.ok(!matches('stock.*', 'stock'));
  assert.ok(matches('stock.>', 'stock.aapl.bid'));
  assert.ok(!matches('stock.>', 'stock'));
  assert.ok(matches('*.b', 'a.b'));
  assert.ok(matches(ANY_TOPIC, 'a.b.c'));
  assert.ok(!matches(ANY_TOPIC, PEER_JOINED));
  assert.ok(!matches('>', LAGGED));
  assert.ok(!matches('*.joined', PEER_JOINED));
  assert.ok(matches('$peer.*', PEER_JOINED));
});
