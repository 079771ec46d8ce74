/**
 * Retention over real HTTP, on each backend: a few hundred finished jobs seeded through the
 * store, one pruning pass, and what the API and /metrics show after it; on SQLite, the file
 * stays bounded across repeated fill/prune cycles (incremental vacuum).
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../src/store/index.js';
import { newJobId } from '../src/store/index.js';
import { BACKENDS } from './helpers/backends.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const KEPT = `name: kept
retention: 50 jobs
trigger:
  webhook: {path: kept}
steps:
  - id: s
    set: {ok: true}
`;

/** Finished jobs of `workflow`, created through the store (fast: no HTTP, no steps run). */
async function seed(
  store: Store,
  workflow: string,
  count: number,
  bodyBytes = 64,
): Promise<string[]> {
  const ids: string[] = [];
  const body = 'x'.repeat(bodyBytes);
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = newJobId();
      ids[i] = id;
      await store.acceptEvent({
        id,
        workflow,
        trigger: {
          id,
          method: 'POST',
          path: workflow,
          params: {},
          query: {},
          headers: {},
          body,
          rawBody: body,
          receivedAt: new Date().toISOString(),
        },
      });
    }),
  );
  for (const id of ids) {
    await store.claimJob(id, { owner: 'seed', leaseMs: 60_000 });
    await store.finishJob(id, 'seed', 'succeeded', null);
  }
  return ids;
}

async function metric(srv: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in /metrics`);
  return Number(line.split(' ')[1]);
}

for (const backend of BACKENDS) {
  describe(`retention on ${backend.name}`, { skip: backend.skip }, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startServer([KEPT], {
        backend: backend.name,
        env: { HOOKFLOW_RETENTION: '1h, 100 jobs' },
      });
    });
    after(() => srv.close());

    test('a pass keeps the newest jobs of each workflow and prunes the rest', async () => {
      const kept = await seed(srv.app.store, 'kept', 300);
      const other = await seed(srv.app.store, 'other', 250);
      const pruned = await srv.app.retention.runOnce();
      assert.equal(pruned, 250 + 150);
      const list = async (wf: string) =>
        (
          (await (await fetch(`${srv.url}/api/jobs?workflow=${wf}&limit=500`)).json()) as any
        ).jobs.map((j: { id: string }) => j.id);
      assert.deepEqual(await list('kept'), kept.slice(-50).reverse());
      assert.deepEqual(await list('other'), other.slice(-100).reverse());
      assert.equal(await metric(srv, 'hookflow_jobs_pruned_total'), 400);
      assert.equal(await metric(srv, 'hookflow_jobs_stored'), 150);
      assert.ok((await metric(srv, 'hookflow_database_bytes')) > 0);
    });

    test('a second pass finds nothing more to prune', async () => {
      assert.equal(await srv.app.retention.runOnce(), 0);
    });
  });
}

describe('retention on sqlite: the file stays bounded', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([KEPT], { env: { HOOKFLOW_RETENTION: '100 jobs' } });
  });
  after(() => srv.close());

  test('repeated fill/prune cycles do not grow the database file', async () => {
    const file = join(srv.dataDir, 'hookflow.db');
    const sizes: number[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      await seed(srv.app.store, 'bulk', 2000, 2048);
      await srv.app.retention.runOnce();
      sizes.push(statSync(file).size + statSync(`${file}-wal`).size);
    }
    console.log(
      `retention: database file + WAL after each fill (2000 x 2 KiB) and prune: ${sizes.join(', ')} bytes`,
    );
    assert.ok(sizes.at(-1)! <= sizes[0]! * 1.25, `file grew: ${sizes.join(', ')}`);
  });
});
