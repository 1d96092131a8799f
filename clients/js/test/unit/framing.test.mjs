import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deframer, StreamError, lengthPrefix } from '../../dist/framing.js';
import { concat } from '../../dist/bytes.js';

test('messages come out whole however the stream is split', () => {
  const frames = [Uint8Array.of(1, 2, 3), new Uint8Array(0), new Uint8Array(70_000).fill(7), Uint8Array.of(4)];
  const tag = new Uint8Array(16).fill(9);
  for (const tagLen of [0, 16]) {
    const stream = concat(frames.flatMap((f) => (tagLen ? [lengthPrefix(f), f, tag] : [lengthPrefix(f), f])));
    for (const chunk of [1, 3, 4, 7, 100, 65_536, 1 << 20]) {
      const deframer = new Deframer(1 << 20);
      const got = [];
      for (let at = 0; at < stream.length; at += chunk) {
        deframer.push(stream.subarray(at, at + chunk));
        let message;
        while ((message = deframer.next(tagLen)) !== null) got.push(message);
      }
      assert.deepEqual(got.map((m) => [...m.frame].length), frames.map((f) => f.length), `chunks of ${chunk}`);
      assert.deepEqual(got[2].frame, frames[2]);
      if (tagLen) assert.deepEqual(got[0].tag, tag);
    }
  }
});

test('a length past the limit is refused before anything is buffered', () => {
  const deframer = new Deframer(1024);
  deframer.push(Uint8Array.of(0, 0, 0, 0x80));
  assert.throws(() => deframer.next(0), (e) => e instanceof StreamError && e.code === 'Malformed');
});
