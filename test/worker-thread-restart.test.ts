/**
 * The worker thread dying (here: a connector's action ends it with `process.exit`, as a bug in
 * user code might): webhooks are still accepted — the ingress commits them itself — a new
 * worker thread starts, and the job it was running is resumed and finishes — over real HTTP.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'hookflow-restart-'));
const marker = join(dir, 'crashed-once');

// The action ends its thread the first time it runs, and succeeds afterwards.
const CONNECTOR = `
import { existsSync, writeFileSync } from 'node:fs';
import { defineAction, defineConnector, z } from 'hookflow';

export default defineConnector({
  name: 'crashy',
  actions: {
    once: defineAction({
      params: z.object({ marker: z.string() }),
      async run({ params }) {
        if (!existsSync(params.marker)) {
          writeFileSync(params.marker, 'x');
          process.exit(1);
        }
        return { ran: true };
      },
    }),
  },
});
`;

const WORKFLOW = `
name: crashes-once
trigger:
  webhook: {path: crashes-once}
steps:
  - id: once
    crashy.once: {marker: ${JSON.stringify(marker)}}
`;

let srv: TestServer;
before(async () => {
  writeFileSync(join(dir, 'crashy.ts'), CONNECTOR);
  srv = await startServer([WORKFLOW], { connectorsDir: dir });
});
after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a dead worker thread is replaced and its job resumed; webhooks are accepted throughout', async () => {
  const first = await fetch(`${srv.url}/hooks/crashes-once`, { method: 'POST' });
  assert.equal(first.status, 202);
  const { id } = (await first.json()) as { id: string };
  await until(() => existsSync(marker), 10_000);

  // While the thread is down and while the new one starts: accepting never needed it.
  const during: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${srv.url}/hooks/crashes-once`, { method: 'POST' });
    assert.equal(res.status, 202);
    during.push(((await res.json()) as { id: string }).id);
  }

  const job = await srv.finishedJob(id, 15_000);
  assert.equal(job.status, 'succeeded');
  assert.equal(job.attempt, 2, 'started once by each thread');
  assert.deepEqual(
    job.steps.map((s) => [s.id, s.status]),
    [['once', 'succeeded']],
  );
  for (const later of during) assert.equal((await srv.finishedJob(later)).status, 'succeeded');
});
