/**
 * Running jobs never delay an answer: while a job's step holds the worker's event loop (a
 * connector action busy for 1.5 s, as CPU-heavy expressions over a large payload do), small
 * webhooks are committed and answered 202 by the ingress at once — over real HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const BUSY_MS = 1500;

const CONNECTOR = `
import { defineAction, defineConnector, z } from 'hookflow';

export default defineConnector({
  name: 'cpu',
  actions: {
    burn: defineAction({
      params: z.object({ ms: z.number() }),
      async run({ params }) {
        const end = Date.now() + params.ms;
        let n = 0;
        while (Date.now() < end) n++;
        return { loops: n };
      },
    }),
  },
});
`;

const HEAVY = `
name: heavy
trigger:
  webhook: {path: heavy}
steps:
  - id: burn
    cpu.burn: {ms: ${BUSY_MS}}
`;

const SMALL = `
name: small
trigger:
  webhook: {path: small}
steps:
  - id: note
    set: {n: "{{ trigger.body.n }}"}
`;

const dir = mkdtempSync(join(tmpdir(), 'hookflow-busy-'));
let srv: TestServer;
before(async () => {
  writeFileSync(join(dir, 'cpu.ts'), CONNECTOR);
  srv = await startServer([HEAVY, SMALL], { connectorsDir: dir });
});
after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('small webhooks are answered 202 in well under a running step’s time', async () => {
  const heavy = await fetch(`${srv.url}/hooks/heavy`, { method: 'POST' });
  assert.equal(heavy.status, 202);
  const { id: heavyId } = (await heavy.json()) as { id: string };
  await until(async () => (await srv.app.store.getJob(heavyId))?.status === 'running');

  const times: number[] = [];
  for (let n = 0; n < 10; n++) {
    const started = performance.now();
    const res = await fetch(`${srv.url}/hooks/small`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n }),
    });
    times.push(performance.now() - started);
    assert.equal(res.status, 202);
    await res.arrayBuffer();
  }
  // Every answer came while the step was still running…
  assert.equal((await srv.app.store.getJob(heavyId))?.status, 'running');
  // …and none waited for it.
  for (const ms of times) assert.ok(ms < 300, `a 202 took ${Math.round(ms)} ms: ${times}`);

  assert.equal((await srv.finishedJob(heavyId, 10_000)).status, 'succeeded');
  await until(async () => (await srv.jobsOf('small')).every((j) => j.status === 'succeeded'));
});
