import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { StoreError } from '../../store/index.js';
import type { ClaimedJob } from '../../store/index.js';
import { createClaimLoop } from './claim-loop.js';

const claim = { owner: 'w1', leaseMs: 30_000 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const job = (id: string) => ({ id }) as ClaimedJob;

/** A store whose queue is `ids`; `down` makes every claim fail as an outage would. */
function fakeStore(ids: string[]) {
  const state = { down: false, claims: 0, asked: [] as number[], released: [] as string[] };
  return {
    state,
    queue: ids,
    async claimNextJobs(_claim: unknown, limit: number) {
      state.claims++;
      state.asked.push(limit);
      if (state.down) throw new StoreError('store_unavailable', 'the database is out of reach');
      return ids.splice(0, limit).map(job);
    },
    async releaseJob(id: string) {
      state.released.push(id);
      return true;
    },
  };
}

/** A logger whose lines are kept, by level. */
function recordingLog() {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  return { log, lines };
}

void describe('claim loop', () => {
  void it('claims no more jobs than it has free slots, and more as slots free up', async () => {
    const store = fakeStore(['a', 'b', 'c', 'd', 'e']);
    const gates = new Map<string, () => void>();
    const loop = createClaimLoop({
      store,
      claim,
      concurrency: 2,
      log: recordingLog().log,
      run: (j) => new Promise<void>((resolve) => gates.set(j.id, resolve)),
    });
    loop.start();
    await sleep(20);
    assert.deepEqual([...gates.keys()], ['a', 'b']);
    assert.equal(loop.running(), 2);
    gates.get('a')!();
    await sleep(20);
    assert.deepEqual([...gates.keys()], ['a', 'b', 'c']);
    assert.ok(store.state.asked.every((n) => n <= 2));
    for (const open of gates.values()) open();
    await loop.stop(1_000, async () => {});
  });

  void it('while the database is out of reach it backs off, logs once, and resumes when it is back', async () => {
    const store = fakeStore([]);
    store.state.down = true;
    const { log, lines } = recordingLog();
    const ran: string[] = [];
    const loop = createClaimLoop({
      store,
      claim,
      concurrency: 4,
      log,
      minBackoffMs: 10,
      maxBackoffMs: 80,
      pollMs: 5,
      run: async (j) => void ran.push(j.id),
    });
    loop.start();
    await sleep(400);
    assert.equal(loop.available, false);
    // Backing off to 80 ms: a handful of attempts in 400 ms, not one per 5 ms poll.
    assert.ok(store.state.claims <= 12, `${store.state.claims} claims in 400 ms`);
    assert.equal(lines.filter((l) => l.level >= 40).length, 1, 'one warning per outage');

    store.state.down = false;
    store.queue.push('x');
    await sleep(200);
    assert.deepEqual(ran, ['x']);
    assert.equal(loop.available, true);
    assert.ok(lines.some((l) => /back/.test(l.msg)));
    await loop.stop(1_000, async () => {});
  });

  void it('on stop, jobs still running after the grace are abandoned (given back)', async () => {
    const store = fakeStore(['slow']);
    let abandoned = false;
    let finish!: () => void;
    const loop = createClaimLoop({
      store,
      claim,
      concurrency: 1,
      log: recordingLog().log,
      run: () => new Promise<void>((resolve) => (finish = resolve)),
    });
    loop.start();
    await sleep(20);
    await loop.stop(50, async () => {
      abandoned = true;
      finish();
    });
    assert.equal(abandoned, true);
  });

  void it('on stop, jobs that finish within the grace are not abandoned', async () => {
    const store = fakeStore(['quick']);
    let abandoned = false;
    const loop = createClaimLoop({
      store,
      claim,
      concurrency: 1,
      log: recordingLog().log,
      run: () => sleep(30),
    });
    loop.start();
    await sleep(5);
    await loop.stop(1_000, async () => void (abandoned = true));
    assert.equal(abandoned, false);
  });
});
