/**
 * The bundle that `hookflow serve` runs (`scripts/bundle.mjs`; `npm run build` writes it to
 * dist/bundle, `bin/hookflow.js` imports it). Built fresh here, it must serve like the
 * source: the examples, a connector of the user's whose action runs on the worker thread with
 * the bundle's own SDK, Fastify's schemas (compiled on first use), the API document and the UI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { spawnServe } from './helpers/child.js';
import type { Child } from './helpers/child.js';
import { until } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Two levels under the package root, like dist/bundle: the code finds package.json, dist/ui
// and node_modules from there.
const OUT = join(ROOT, 'dist', `.bundle-test-${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'hookflow-bundle-'));

const CONNECTOR = `
import { defineAction, defineConnector, HookflowError, z } from 'hookflow';

export default defineConnector({
  name: 'shout',
  actions: {
    upper: defineAction({
      params: z.object({ text: z.string() }),
      async run({ params }) {
        if (!(new HookflowError('x', 'y') instanceof Error)) throw new Error('no HookflowError');
        return { upper: params.text.toUpperCase() };
      },
    }),
  },
});
`;

const WORKFLOW = `
name: shouting
trigger:
  webhook: {path: shout, delivery: request_response}
steps:
  - id: loud
    shout.upper: {text: "{{ trigger.body.text }}"}
  - reply: {status: 200, body: "{{ steps.loud }}"}
`;

let server: Child;
before(async () => {
  const built = spawnSync(process.execPath, ['scripts/bundle.mjs', OUT], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, built.stderr);
  const run = join(OUT, 'run.mjs');
  writeFileSync(
    run,
    "import { main } from './cli.js';\nprocess.exitCode = await main(process.argv.slice(2));\n",
  );
  const workflows = join(dir, 'workflows');
  const connectors = join(dir, 'connectors');
  mkdirSync(workflows);
  mkdirSync(connectors);
  for (const f of ['hello.yaml', 'echo.yaml'])
    copyFileSync(join(ROOT, 'examples', f), join(workflows, f));
  writeFileSync(join(workflows, 'shouting.yaml'), WORKFLOW);
  writeFileSync(join(connectors, 'shout.ts'), CONNECTOR);
  server = await spawnServe(
    ['--data', join(dir, 'data'), '--workflows', workflows, '--connectors', connectors],
    {},
    [run],
  );
});

after(async () => {
  await server?.kill('SIGTERM');
  rmSync(OUT, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

test('the bundle commits a webhook and runs its job', async () => {
  const res = await postJson('/hooks/hello', { name: 'bundle' });
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  let status = '';
  await until(async () => {
    const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { status: string };
    status = job.status;
    return status === 'succeeded' || status === 'failed';
  });
  assert.equal(status, 'succeeded');
});

test("a user's connector runs on the bundle's SDK and answers a request_response", async () => {
  const res = await postJson('/hooks/shout', { text: 'quiet' });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { upper: 'QUIET' });
});

test('request schemas refuse a bad body on first use; the API document and the UI are served', async () => {
  const bad = await postJson('/api/jobs/replay', { rate: 'fast' });
  assert.equal(bad.status, 400);
  const refused = (await bad.json()) as { error: { code: string; message: string } };
  assert.equal(refused.error.code, 'invalid_request');
  assert.match(refused.error.message, /^rate must be/);

  const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
    openapi: string;
    info: { version: string };
  };
  assert.equal(doc.openapi, '3.1.0');
  assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
  assert.notEqual(doc.info.version, '0.0.0', 'package.json is found from the bundle');

  const ui = await fetch(`${server.url}/`);
  await ui.arrayBuffer();
  // dist/ui exists once `npm run build` ran (CI's npm ci does); without it the server says so.
  assert.equal(ui.status, existsSync(join(ROOT, 'dist', 'ui', 'index.html')) ? 200 : 503);
});
