/**
 * The web UI says why a queued job waits, in a real browser (playwright-core driving Debian's
 * chromium, headless) against a real server on loopback: a debounced job shows the time it is
 * debounced until, a job held by its concurrency key names the key and its limit — in the job
 * inspector and in the workflow's jobs list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { useChromium } from './helpers/browser.js';
import { startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { builtUiDir } from './helpers/ui-build.js';

const chromium = useChromium();

const DIGEST = `
name: digest
debounce: {key: "{{ trigger.body.user }}", wait: 1h}
trigger: {webhook: {path: digest}}
steps: []
`;

const SERIAL = (upstream: string) => `
name: serial
concurrency: {limit: 1, key: "{{ trigger.body.user }}"}
trigger: {webhook: {path: serial}}
steps:
  - id: slow
    http: {method: GET, url: "${upstream}/slow"}
`;

async function post(srv: TestServer, path: string, body: unknown): Promise<string> {
  const res = await fetch(`${srv.url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 202);
  return ((await res.json()) as { id: string }).id;
}

describe('web UI: why a job waits', { skip: chromium.skip }, () => {
  let srv: TestServer;
  let context: BrowserContext;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  // The upstream answers only when told to, so the first job of a key stays running.
  const pending: Array<() => void> = [];

  before(async () => {
    upstream = await startUpstream((_req, _body, res) => {
      pending.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    srv = await startServer([DIGEST, SERIAL(upstream.url)], {
      uiDir: builtUiDir(),
      env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' },
    });
    context = await chromium.context();
  });
  after(async () => {
    for (const answer of pending.splice(0)) answer();
    await context?.close();
    await srv?.close();
    await upstream?.close();
  });

  test('a debounced job shows that it waits and until when, with its count', async () => {
    await post(srv, 'digest', { user: 'u1', n: 1 });
    const id = await post(srv, 'digest', { user: 'u1', n: 2 });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${srv.url}/#/jobs/${id}`);
    const note = page.locator('[data-testid="job"] [data-testid="waiting"]');
    await note.waitFor();
    assert.equal(await note.getAttribute('data-reason'), 'debounce');
    assert.match(
      (await note.textContent()) ?? '',
      /^debounced until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(2 events so far\)$/,
    );

    await page.goto(`${srv.url}/#/workflows/digest`);
    const row = page.locator(`tr[data-job="${id}"] [data-testid="waiting"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /^debounced until /);
    await page.close();
  });

  test('a job held by its concurrency key names the key and the limit', async () => {
    const first = await post(srv, 'serial', { user: 'cus_42' });
    const second = await post(srv, 'serial', { user: 'cus_42' });
    await until(async () => (await srv.app.store.getJob(first))?.status === 'running');
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${srv.url}/#/jobs/${second}`);
    const note = page.locator('[data-testid="job"] [data-testid="waiting"]');
    await note.waitFor();
    assert.equal(await note.textContent(), 'held by its concurrency key cus_42 (limit 1)');

    await page.goto(`${srv.url}/#/workflows/serial`);
    const row = page.locator(`tr[data-job="${second}"] [data-testid="waiting"]`);
    await row.waitFor();
    assert.equal(await row.textContent(), 'held by its concurrency key cus_42 (limit 1)');
    await page.close();
  });
});
