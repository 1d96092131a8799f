// Every refusal is a NanomitterError with a code and a message naming what was wrong: bad
// settings, bad arguments, data a codec cannot carry, bytes that do not parse. None needs a hub:
// all of them are refused before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter, NanomitterError, msgpack, wire } from '../../dist/index.js';

/** Asserts that `call` throws, or returns a promise that rejects, a NanomitterError `code` matching `message`. */
async function refuses(call, code, message) {
  let outcome;
  try {
    outcome = { value: await call() };
  } catch (error) {
    outcome = { error };
  }
  assert.ok('error' in outcome, `${call} was not refused`);
  const { error } = outcome;
  assert.ok(error instanceof NanomitterError, `${call}: ${error?.name}: ${error?.message}`);
  assert.equal(error.code, code, `${call}: ${error.message}`);
  assert.match(error.message, message, String(call));
}

test('bad settings are refused at construction or connect (InvalidSetting)', async () => {
  await refuses(() => new Emitter({ secret: 'short' }), 'InvalidSetting', /fewer than the 16 required/);
  await refuses(() => new Emitter({ secret: 1234 }), 'InvalidSetting', /a string or a Uint8Array, not 1234/);
  await refuses(() => new Emitter({ codec: 'xml' }), 'InvalidSetting', /codec must be one of "json", "msgpack", not "xml"/);
  await refuses(() => new Emitter({ codec: Symbol('json') }), 'InvalidSetting', /not Symbol\(json\)/);
  await refuses(() => new Emitter({ service: 'x'.repeat(256) }), 'InvalidSetting', /at most 255 bytes/);
  await refuses(() => new Emitter({ service: 7 }), 'InvalidSetting', /service must be a string/);
  await refuses(() => new Emitter({ localEcho: 'no' }), 'InvalidSetting', /localEcho must be true or false/);
  await refuses(() => new Emitter({ onListenerError: 'log' }), 'InvalidSetting', /onListenerError must be a function/);
  await refuses(() => new Emitter({ window: -1 }).connect('ws://127.0.0.1:1/nm'), 'InvalidSetting', /window must be a positive number, not -1/);
  await refuses(() => new Emitter().connect('udp://127.0.0.1:1'), 'InvalidSetting', /not an address a member can dial/);
  await refuses(() => new Emitter().connect([]), 'InvalidSetting', /no candidate/);
  await refuses(() => new Emitter().connect(null), 'InvalidSetting', /an address or a list of them, not null/);
  await refuses(() => new Emitter().connect([5]), 'InvalidSetting', /an address is a string, not 5/);
});

test('bad arguments to calls are refused (InvalidArgument, InvalidTopic, InvalidSetting)', async () => {
  const emitter = new Emitter();
  await refuses(() => emitter.on('t', 'not a function'), 'InvalidArgument', /a listener must be a function, not "not a function"/);
  await refuses(() => emitter.once('t'), 'InvalidArgument', /a listener must be a function, not undefined/);
  await refuses(() => emitter.many('t', 0, () => {}), 'InvalidArgument', /count must be a positive integer, not 0/);
  await refuses(() => emitter.waitFor('t', 'soon'), 'InvalidArgument', /timeoutMs must be a number/);
  await refuses(() => emitter.on('a..b', () => {}), 'InvalidTopic', /empty segment/);
  await refuses(() => emitter.emit('$lagged', 1), 'InvalidTopic', /reserved/);
  await refuses(() => emitter.emit('a.*', 1), 'InvalidTopic', /wildcards/);
  await refuses(() => emitter.emit(5n, 1), 'InvalidTopic', /invalid topic 5n: not a string/);
  await refuses(() => emitter.emit('t', 1, { codec: 'xml' }), 'InvalidSetting', /one of "json", "msgpack", "bincode", not "xml"/);
  // One value per event: a second one is refused, never dropped.
  await refuses(() => emitter.emit('t', 'a', 'b'), 'InvalidArgument', /options as \{ codec \}, not "b": to emit several values/);
  await refuses(() => emitter.emit('t', 'a', { price: 2 }), 'InvalidArgument', /not an object with "price"/);
  await refuses(() => emitter.emit('t', 'a', []), 'InvalidArgument', /not an array/);
  await refuses(() => emitter.emit('t', 'a', new Date()), 'InvalidArgument', /not a Date/);
  await refuses(() => emitter.emit('t', 'a', {}, 'b'), 'InvalidArgument', /not 4 arguments/);
  await refuses(() => emitter.emit('t', 'a'), 'Closed', /connect first/);
});

test('data a codec cannot carry is refused (Encode), bytes that do not parse too (Malformed)', async () => {
  const emitter = new Emitter();
  await refuses(() => emitter.emit('t', { big: 1n }), 'Encode', /JSON cannot carry this value: .*BigInt/);
  await refuses(() => emitter.emit('t', undefined), 'Encode', /JSON cannot carry undefined/);
  await refuses(() => emitter.emit('t', () => 1, { codec: 'msgpack' }), 'Encode', /cannot encode a function/);
  await refuses(() => emitter.emit('t', 'text', { codec: 'bincode' }), 'Encode', /bincode payload is emitted as the bytes/);
  await refuses(() => msgpack.decode(Uint8Array.of(0xc1)), 'Malformed', /not a MessagePack type/);
  await refuses(() => wire.decode(Uint8Array.of(1, 2, 3)), 'Malformed', /malformed frame/);
});

test('a closed emitter says so (Closed)', async () => {
  const emitter = new Emitter();
  await emitter.close();
  await refuses(() => emitter.connect('ws://127.0.0.1:1/nm'), 'Closed', /closed/);
});
