// LossClaims: a sender cannot claim to have lost more of its own events than it can have sent,
// as in the Rust core (crates/nanomitter-protocol/src/claims.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LossClaims, MAX_EVENTS_AT_ONCE, MAX_EVENTS_PER_SECOND } from '../../dist/claims.js';

test('a sender can claim no more than it could have sent', () => {
  const claims = new LossClaims();
  const sender = '0000000000000007';
  claims.heard(sender, 0);
  assert.ok(claims.fits(sender, MAX_EVENTS_AT_ONCE, 0), 'a whole window at once');
  assert.ok(!claims.fits(sender, 1, 0), 'not one more right away');
  assert.ok(!claims.fits(sender, 2 * MAX_EVENTS_PER_SECOND + 1, 2000));
  assert.ok(claims.fits(sender, 2 * MAX_EVENTS_PER_SECOND, 2000), "two seconds' worth");
  claims.forget(sender);
  assert.ok(claims.fits(sender, 10, 2000), 'a sender heard anew starts anew');
});
