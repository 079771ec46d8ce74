import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedRead } from './storage.js';

describe('cachedRead (hookflow_jobs_stored)', () => {
  it('the first read waits; later ones within the age answer the last value without reading', async () => {
    let reads = 0;
    const count = cachedRead(async () => ++reads, 60_000);
    assert.equal(await count(), 1);
    assert.equal(await count(), 1);
    assert.equal(reads, 1);
  });

  it('past the age a read answers the last value at once and refreshes it in the background', async () => {
    let reads = 0;
    const count = cachedRead(async () => ++reads, 0);
    assert.equal(await count(), 1);
    assert.equal(await count(), 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(await count(), 2);
  });

  it('a failed first read rejects, and the next call reads again', async () => {
    let fail = true;
    const count = cachedRead(async () => {
      if (fail) throw new Error('down');
      return 7;
    }, 60_000);
    await assert.rejects(count(), /down/);
    fail = false;
    assert.equal(await count(), 7);
  });
});
