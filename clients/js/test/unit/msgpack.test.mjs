import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, MsgpackError } from '../../dist/msgpack.js';
import { fromHex, toHex } from '../../dist/bytes.js';
import { NanomitterError } from '../../dist/index.js';

test('values round-trip, integers in their smallest form and floats as float 64', () => {
  const cases = [
    [0, '00'], [127, '7f'], [128, 'cc80'], [65535, 'cdffff'], [65536, 'ce00010000'],
    [2 ** 40, 'cf0000010000000000'], [-1, 'ff'], [-32, 'e0'], [-33, 'd0df'], [-129, 'd1ff7f'],
    [-40000, 'd2ffff63c0'], [1.5, 'cb3ff8000000000000'], [null, 'c0'], [true, 'c3'], [false, 'c2'],
    ['', 'a0'], ['abc', 'a3616263'], [[1, 2], '920102'], [{ a: 1 }, '81a16101'],
  ];
  for (const [value, hex] of cases) {
    assert.equal(toHex(encode(value)), hex, JSON.stringify(value));
    assert.deepEqual(decode(fromHex(hex)), value, hex);
  }
  const nested = { list: [1, 'two', { three: [3.25, null] }], bytes: new Uint8Array([1, 2, 3]), big: 2 ** 53 + 2 };
  const back = decode(encode({ ...nested, big: BigInt(2 ** 53 + 2) }));
  assert.deepEqual(back.list, nested.list);
  assert.deepEqual([...back.bytes], [1, 2, 3]);
  assert.equal(back.big, BigInt(2 ** 53 + 2), 'a 64-bit integer past 2^53 stays exact as a bigint');
  assert.equal(decode(encode('x'.repeat(40))), 'x'.repeat(40));
  assert.equal(decode(encode('é'.repeat(200))), 'é'.repeat(200));
  assert.equal(decode(encode(new Array(20).fill(7))).length, 20);
});

test('bad input is an error, never a hang or a huge allocation', () => {
  for (const hex of ['', 'a36162', 'dc', 'ddffffffff', 'dfffffffff', 'c1', 'c4ff00', '0000']) {
    assert.throws(() => decode(fromHex(hex)), (e) => e instanceof MsgpackError && e instanceof NanomitterError && e.code === 'Malformed', hex);
  }
  assert.throws(() => decode(new Uint8Array(1000).fill(0x91)), /nested too deeply|truncated/);
  const encodeError = (e) => e instanceof NanomitterError && e.code === 'Encode';
  assert.throws(() => encode(() => 1), encodeError);
  assert.throws(() => encode(1n << 64n), encodeError);
  const cycle = {};
  cycle.self = cycle;
  assert.throws(() => encode(cycle), encodeError);
});

test('map keys that would be special properties are plain data', () => {
  const value = decode(fromHex('81' + 'a95f5f70726f746f5f5f' + '01'));
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.equal(Object.keys(value)[0], '__proto__');
});
