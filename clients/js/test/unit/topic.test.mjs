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
  assert.equal(topicError('<3', false), null, 'the heartbeat topic (HEARTBEAT_TOPIC in Rust)');
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

test('a node listens within the budget of its interest, as the Rust side counts it', async () => {
  const { interestError, interestSize, MAX_INTEREST_BYTES, MAX_INTEREST_SEGMENTS, MAX_PATTERNS } = await import('../../dist/topic.js');
  assert.deepEqual(interestSize(['a.b.*', '*', 'stock.>']), { patterns: 3, bytes: 13, segments: 6 });
  for (const text of ['café', '€.𝄞', '\ud800.a', 'a\udc00', '\ud83d']) {
    assert.equal(interestSize([text]).bytes, new TextEncoder().encode(text).length, `bytes of UTF-8 in ${JSON.stringify(text)}`);
  }
  const within = { patterns: MAX_PATTERNS, bytes: MAX_INTEREST_BYTES, segments: MAX_INTEREST_SEGMENTS };
  assert.equal(interestError(within), null);
  assert.match(interestError({ ...within, patterns: MAX_PATTERNS + 1 }), /^more patterns/);
  assert.match(interestError({ ...within, bytes: MAX_INTEREST_BYTES + 1 }), /^more bytes/);
  assert.match(interestError({ ...within, segments: MAX_INTEREST_SEGMENTS + 1 }), /^more segments/);
});

test('an interest frame past the budget is malformed', async () => {
  const { decode, encode } = await import('../../dist/wire.js');
  const { MAX_INTEREST_BYTES, MAX_INTEREST_SEGMENTS, MAX_PATTERNS } = await import('../../dist/topic.js');
  const frame = (patterns) =>
    encode({ kind: 'interest', node: '0000000000000001', version: 1, patterns: patterns.map((pattern) => ({ pattern, listeners: 1 })) });
  const numbered = (n, of) => Array.from({ length: n }, (_, i) => of(i));
  const long = (i) => String(i).padStart(64, '0');
  const deep = (i) => `${i}.a.b.c.d.e.f.g`;
  assert.equal(decode(frame(numbered(MAX_PATTERNS, (i) => `p${i}`))).patterns.length, MAX_PATTERNS);
  assert.equal(decode(frame(numbered(MAX_INTEREST_BYTES / 64, long))).patterns.length, MAX_INTEREST_BYTES / 64);
  assert.equal(decode(frame(numbered(MAX_INTEREST_SEGMENTS / 8, deep))).patterns.length, MAX_INTEREST_SEGMENTS / 8);
  for (const [patterns, reason] of [
    [numbered(MAX_PATTERNS + 1, (i) => `p${i}`), /more patterns/],
    [[`${long(0)}0`, ...numbered(MAX_INTEREST_BYTES / 64 - 1, (i) => long(i + 1))], /more bytes/],
    [[`${deep(0)}.h`, ...numbered(MAX_INTEREST_SEGMENTS / 8 - 1, (i) => deep(i + 1))], /more segments/],
  ]) {
    assert.throws(() => decode(frame(patterns)), (e) => e.name === 'FrameError' && e.reason === 'invalid' && reason.test(e.message));
  }
});

test('a new pattern past the budget is refused and changes nothing', async () => {
  const { Emitter } = await import('../../dist/emitter.js');
  const { MAX_INTEREST_BYTES, MAX_INTEREST_SEGMENTS } = await import('../../dist/topic.js');
  const listener = () => {};
  const budgets = [
    [(i) => `${i}${'.s'.repeat(15)}`, MAX_INTEREST_SEGMENTS / 16, /more segments/],
    [(i) => String(i).padStart(128, '0'), MAX_INTEREST_BYTES / 128, /more bytes/],
  ];
  for (const [pattern, most, reason] of budgets) {
    const emitter = new Emitter();
    for (let i = 0; i < most; i++) emitter.on(pattern(i), listener);
    assert.throws(() => emitter.on(pattern(most), listener), (e) => e.code === 'InvalidTopic' && reason.test(e.message));
    assert.equal(emitter.eventNames().length, most, 'nothing was added');
    emitter.on(pattern(0), listener); // another listener of a pattern listened to: no larger announcement
    assert.equal(emitter.listenerCount(pattern(0)), 2);
  }
});
