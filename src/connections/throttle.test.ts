import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConnectionThrottleStore, ConnectionTurn } from '../store/index.js';
import { ConnectionError } from './errors.js';
import { ConnectionThrottle, MAX_PAUSE_WAIT_MS } from './throttle.js';

/** A store whose answers the test scripts, recording each ask. */
function scripted(turns: ConnectionTurn[]) {
  const asked: string[] = [];
  const paused: Array<[string, number]> = [];
  const store: ConnectionThrottleStore = {
    async takeConnectionSlot(name) {
      asked.push(name);
      return turns.shift() ?? { granted: true };
    },
    async pauseConnection(name, forMs) {
      paused.push([name, forMs]);
      return forMs;
    },
  };
  return { store, asked, paused };
}

const RATE = { limit: 1, perMs: 1_000 };

void describe('ConnectionThrottle', () => {
  test('a turn granted at the first ask waited 0 ms; a refused one asks again after waitMs', async () => {
    const { store, asked } = scripted([{ granted: false, reason: 'rate', waitMs: 30 }]);
    const waits: number[] = [];
    const throttle = new ConnectionThrottle(store, { waited: (_c, ms) => waits.push(ms) });
    const waited = await throttle.awaitTurn('crm', RATE);
    assert.equal(asked.length, 2);
    assert.ok(waited >= 25, `waited ${waited}`);
    assert.equal(await throttle.awaitTurn('crm', RATE), 0);
    assert.deepEqual(waits.slice(1), [0]);
  });

  test("this worker's requests of one connection ask the store one at a time, in arrival order", async () => {
    const { store } = scripted([]);
    let asking = 0;
    let most = 0;
    const take = store.takeConnectionSlot.bind(store);
    store.takeConnectionSlot = async (name, rate) => {
      most = Math.max(most, ++asking);
      await new Promise((r) => setTimeout(r, 5));
      asking--;
      return take(name, rate);
    };
    const throttle = new ConnectionThrottle(store);
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((i) => throttle.awaitTurn('crm', RATE).then(() => order.push(i))),
    );
    assert.equal(most, 1);
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  test('a pause ending beyond the longest wait fails at once with connection_paused', async () => {
    const waitMs = MAX_PAUSE_WAIT_MS + 5_000;
    const { store } = scripted([{ granted: false, reason: 'paused', waitMs }]);
    const throttle = new ConnectionThrottle(store);
    await assert.rejects(throttle.awaitTurn('crm', null), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.code, 'connection_paused');
      assert.match(e.message, /65 s more/);
      return true;
    });
    // The next request is not held by the one that failed.
    assert.equal(await throttle.awaitTurn('crm', null), 0);
  });

  test('a cancelled wait rejects with the signal’s reason', async () => {
    const { store } = scripted([{ granted: false, reason: 'rate', waitMs: 60_000 }]);
    const throttle = new ConnectionThrottle(store);
    const ac = new AbortController();
    const turn = throttle.awaitTurn('crm', RATE, ac.signal);
    setTimeout(() => ac.abort(new Error('job cancelled')), 10);
    await assert.rejects(turn, /job cancelled/);
  });

  test('pauses are capped at an hour and told to the observer', async () => {
    const { store, paused } = scripted([]);
    const seen: Array<[string, number, number]> = [];
    const throttle = new ConnectionThrottle(store, {
      paused: (c, ms, status) => seen.push([c, ms, status]),
    });
    await throttle.pause('crm', 2_000, 429);
    await throttle.pause('crm', 10 * 3_600_000, 503);
    assert.deepEqual(paused, [
      ['crm', 2_000],
      ['crm', 3_600_000],
    ]);
    assert.deepEqual(seen, [
      ['crm', 2_000, 429],
      ['crm', 3_600_000, 503],
    ]);
  });
});
