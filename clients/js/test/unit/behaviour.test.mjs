// The behaviour vectors of docs/vectors/behaviour.json, recorded from the Rust core
// (tests/promises/vectors/behaviour.rs), replayed through the TypeScript member's state machine:
// the same inputs at the same times must make the same frames, deliveries, notices and flush
// resolutions, in the same order. The file's header comment in Rust says what a step is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemberCore } from '../../dist/core.js';
import { decode, encode } from '../../dist/wire.js';
import { fromHex, toHex } from '../../dist/bytes.js';
import { describe, fromDescription, loadVectors } from './frames_json.mjs';

const vectors = loadVectors('behaviour.json');

/** Runs a member's state machine the way its shell does, recording what comes out. */
class Replay {
  constructor(settings) {
    this.core = new MemberCore(settings.node, fromHex(settings.key), {
      service: settings.service,
      livenessMs: settings.liveness_ms,
      window: settings.window,
      batchBytes: settings.batch_bytes,
      maxFrameSize: settings.max_frame_size,
      maxPendingBytes: settings.max_pending_bytes,
      localEcho: settings.local_echo,
    });
    /** The label of each flush ticket handed out. */
    this.labels = new Map();
    /** Whether the next dropped link is the one a `link: down` input lost. */
    this.linkLost = false;
  }

  /** One step: the timers due up to its time, then its input. Returns what came out. */
  step(step) {
    const out = [];
    for (;;) {
      const due = this.core.pollTimeout();
      if (due === null || due > step.at) break;
      this.core.handleTimeout(due);
      this.settle(due, out);
    }
    const now = step.at;
    if ('listen' in step) {
      this.core.setPatterns(step.listen.map(({ pattern, listeners }) => ({ pattern, listeners })));
    } else if (step.link === 'up') {
      this.core.linkUp(now);
    } else if (step.link === 'down') {
      // The link's loss is the input: the drop it makes is not an output (nor is the Rust
      // member's crash in the recording).
      this.core.linkDown(now, 'the connection closed');
      this.linkLost = true;
    } else if ('receive' in step) {
      for (const frame of step.receive) this.core.receive(decode(encode(fromDescription(frame))), now);
    } else if ('emit' in step) {
      this.core.emit(step.emit.topic, step.emit.codec, fromHex(step.emit.payload), now);
    } else if ('flush' in step) {
      const ticket = this.core.flush(now);
      if (ticket === null) out.push({ at: now, flushed: step.flush });
      else this.labels.set(ticket, step.flush);
    } else {
      assert.ok(step.idle, `an unknown step ${JSON.stringify(step)}`);
    }
    this.settle(now, out);
    return out;
  }

  /** The member catches up (its listeners took every delivery), until nothing more comes out. */
  settle(now, out) {
    for (;;) {
      this.core.caughtUp(now);
      let any = false;
      for (let action = this.core.pollAction(); action; action = this.core.pollAction()) {
        any = true;
        switch (action.kind) {
          case 'send':
            out.push({ at: now, send: describe(decode(action.frame)) });
            break;
          case 'deliver': {
            const e = action.event;
            out.push({
              at: now,
              deliver: e.topic.startsWith('$')
                ? { topic: e.topic, data: e.data }
                : { topic: e.topic, node: e.node, seq: e.seq, payload: toHex(e.payload) },
            });
            break;
          }
          case 'flushed':
            out.push({ at: now, flushed: this.labels.get(action.ticket) });
            this.labels.delete(action.ticket);
            break;
          case 'dropLink':
            if (this.linkLost) this.linkLost = false;
            else out.push({ at: now, drop_link: true });
            break;
          default:
            break;
        }
      }
      if (!any) return;
    }
  }
}

/** Objects compared by value: the file's keys are sorted, the replay's need not be. */
const normal = (value) => JSON.parse(JSON.stringify(value, (_, v) =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

for (const scenario of vectors.scenarios) {
  test(`behaviour vector: ${scenario.name}`, () => {
    const replay = new Replay(vectors.settings);
    for (const step of scenario.steps) {
      const { expect, ...input } = step;
      assert.deepEqual(normal(replay.step(input)), normal(expect), `${scenario.name}, the step ${JSON.stringify(input)}`);
    }
  });
}
