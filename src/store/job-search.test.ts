import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMatches } from '../search/index.js';
import { decodeJobCursor } from './job-cursor.js';
import type { SearchBackend, SearchChunk, SearchRow } from './job-search.js';
import { SCAN_WINDOW, searchJobs } from './job-search.js';

/** A workflow of `n` jobs (seq 1…n), job `hit` holding order 7; scans obey the window. */
function backend(n: number, hit: number, seen: SearchChunk[]): SearchBackend {
  const row = (seq: number): SearchRow => ({
    seq,
    id: `j${seq}`,
    workflow: 'orders',
    status: 'succeeded',
    created_at: seq,
    finished_at: seq,
    trigger: JSON.stringify({ body: { order: seq === hit ? 7 : 0 } }),
    run_after: null,
    concurrency_key: null,
    concurrency_limit: null,
    debounce_count: null,
    debounce_last_at: null,
    held: null,
  });
  return {
    async chunk(q) {
      seen.push({ ...q });
      const out: SearchRow[] = [];
      for (let s = Math.min(q.beforeSeq - 1, n); s >= (q.fromSeq ?? 1) && out.length < q.limit; s--)
        if (s === hit) out.push(row(s));
      return out;
    },
    indexedSince: async () => undefined,
    async nthSeq(_w, beforeSeq, k) {
      const s = Math.min(beforeSeq - 1, n) - (k - 1);
      return s >= 1 ? s : undefined;
    },
  };
}

describe('searchJobs', () => {
  const filter = { workflow: 'orders', limit: 10, match: parseMatches(['body.order:7']) };

  it('a scan reads the workflow window by window until it finds the job', async () => {
    const seen: SearchChunk[] = [];
    const page = await searchJobs(filter, backend(3 * SCAN_WINDOW + 5, 3, seen));
    assert.deepEqual(page, {
      jobs: [
        {
          id: 'j3',
          workflow: 'orders',
          status: 'succeeded',
          createdAt: new Date(3).toISOString(),
          finishedAt: new Date(3).toISOString(),
          durationMs: 0,
          waiting: null,
        },
      ],
      nextCursor: null,
    });
    assert.deepEqual(
      seen.map((q) => q.fromSeq),
      [2 * SCAN_WINDOW + 6, SCAN_WINDOW + 6, 6, undefined],
    );
  });

  it('out of time, a scan answers what it found and a cursor where it stopped', async () => {
    const seen: SearchChunk[] = [];
    const page = await searchJobs(filter, backend(3 * SCAN_WINDOW, 3, seen), 0);
    assert.deepEqual(page.jobs, []);
    assert.ok(page.nextCursor);
    assert.equal(decodeJobCursor(page.nextCursor), 2 * SCAN_WINDOW + 1);
    const rest = await searchJobs(
      { ...filter, cursor: page.nextCursor },
      backend(3 * SCAN_WINDOW, 3, []),
    );
    assert.deepEqual(
      rest.jobs.map((j) => j.id),
      ['j3'],
    );
  });
});
