import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newJobId } from './job-id.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

void describe('job ids', () => {
  void it('are 26-character ULIDs that sort in creation order, even within a millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newJobId());
    for (const id of ids) assert.match(id, ULID);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  void it('draw their random part anew for each millisecond', async () => {
    const a = newJobId();
    await new Promise((r) => setTimeout(r, 3));
    const b = newJobId();
    assert.notEqual(a.slice(10), b.slice(10));
  });
});
