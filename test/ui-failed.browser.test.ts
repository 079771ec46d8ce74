/**
 * The Failed view in a real browser (playwright-core driving Debian's chromium, headless),
 * against a real server on loopback: failed jobs of every workflow newest first with their
 * error, filters, "Replay selected" and "Replay all matching" with the replay's progress.
 *
 * Skipped, saying so, when /usr/bin/chromium is missing. HOOKFLOW_UPDATE_SCREENSHOTS=1 writes
 * docs/ui-failed.png.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { useChromium } from './helpers/browser.js';
import { startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { builtUiDir } from './helpers/ui-build.js';

const chromium = useChromium();
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const workflow = (name: string, upstream: string) => `
name: ${name}
trigger:
  webhook: {path: ${name}}
steps:
  - id: deliver
    http: {method: POST, url: "${upstream}/${name}", body: {n: "{{ trigger.body.n }}"}}
`;

describe('the Failed view', { skip: chromium.skip }, () => {
  let srv: TestServer;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let context: BrowserContext;
  let shots: string;
  let down = true;
  const orders: string[] = [];
  const invoices: string[] = [];

  async function fail(name: string, count: number, into: string[]) {
    for (let n = 0; n < count; n++) {
      const res = await fetch(`${srv.url}/hooks/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n }),
      });
      const id = ((await res.json()) as { id: string }).id;
      assert.equal((await srv.finishedJob(id)).status, 'failed');
      into.push(id);
    }
  }

  before(async () => {
    upstream = await startUpstream((req, _body, res) => {
      res.statusCode = down ? (req.url === '/orders' ? 503 : 422) : 200;
      res.end(down ? '{"error":"unavailable"}' : '{}');
    });
    srv = await startServer(
      [workflow('orders', upstream.url), workflow('invoices', upstream.url)],
      {
        uiDir: builtUiDir(),
        env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', HOOKFLOW_REPLAY_RATE: '50' },
      },
    );
    await fail('orders', 12, orders);
    await fail('invoices', 3, invoices);
    shots = mkdtempSync(join(tmpdir(), 'hookflow-shots-'));
    context = await chromium.context();
  });
  after(async () => {
    await context?.close();
    await srv?.close();
    await upstream?.close();
    if (shots) rmSync(shots, { recursive: true, force: true });
  });

  async function open(): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${srv.url}/#/failed`);
    return page;
  }

  const rows = (page: Page) => page.locator('[data-testid="failed-jobs"] tbody tr');

  test('lists failed jobs of every workflow, newest first, with workflow and error', async () => {
    const page = await open();
    await page.getByText('15 failed jobs match').waitFor();
    assert.equal(await rows(page).count(), 15);
    const first = rows(page).first();
    assert.equal(await first.getAttribute('data-job'), invoices.at(-1));
    assert.match((await first.textContent()) ?? '', /invoices.*answered 422/);
    assert.equal(await rows(page).last().getAttribute('data-job'), orders[0]);

    await page.getByLabel('workflow filter').selectOption('orders');
    await page.getByText('12 failed jobs match').waitFor();
    await page.getByLabel('error filter').fill('422');
    await page.getByText('No failed jobs match.').waitFor();
    await page.close();
  });

  test('"Replay selected" replays the chosen jobs and shows its progress', async () => {
    const page = await open();
    await page.getByText('15 failed jobs match').waitFor();
    down = false;
    await page.getByLabel(`select ${orders[0]}`).check();
    await page.getByLabel(`select ${orders[1]}`).check();
    await page.getByRole('button', { name: 'Replay selected (2)' }).click();
    const replay = page.locator('[data-replay]').first();
    await replay.getByText('2 of 2 replayed').waitFor();
    await replay.getByText('new jobs: 2 succeeded, 0 failed').waitFor();
    await replay.locator('.badge-done').waitFor();
    const id = await replay.getAttribute('data-replay');
    const stored = await srv.app.store.getReplay(id!);
    assert.deepEqual(stored?.filter.ids?.slice().sort(), [orders[0], orders[1]].sort());
    const [made] = (
      await srv.app.store.listJobs({ workflow: 'orders', status: 'succeeded', limit: 1 })
    ).jobs;
    const inspector = await context.newPage();
    await inspector.goto(`${srv.url}/#/jobs/${made!.id}`);
    await inspector.getByText(`replay ${id}`).waitFor();
    await inspector.close();
    // Replayed jobs leave the inbox, unless asked for.
    await page.getByText('13 failed jobs match').waitFor();
    await page.getByLabel('Hide jobs already replayed').uncheck();
    await page.getByText('15 failed jobs match').waitFor();
    await page.close();
  });

  test('"Replay all matching" replays what the filter counts, with the version chosen', async () => {
    down = true;
    const page = await open();
    await page.getByLabel('workflow filter').selectOption('orders');
    await page.getByText('10 failed jobs match').waitFor();
    down = false;
    await page.getByLabel('replay version').selectOption('original');
    await page.getByRole('button', { name: 'Replay all matching (10)' }).click();
    const replay = page.locator('[data-replay]').first();
    await replay.getByText('10 of 10 replayed').waitFor();
    await replay.getByText(/new jobs: 10 succeeded/).waitFor();
    const [latest] = await srv.app.store.listReplays(1);
    assert.equal(latest?.version, 'original');
    assert.deepEqual(latest?.filter, { status: 'failed', workflow: 'orders', replayed: false });
    await until(async () => (await srv.app.store.getReplay(latest!.id))?.jobs.succeeded === 10);
    await page.getByText('No failed jobs match.').waitFor();

    await page.getByLabel('workflow filter').selectOption('');
    await page.getByText('3 failed jobs match').waitFor();
    await page.getByLabel('Hide jobs already replayed').uncheck();
    await page.getByText('15 failed jobs match').waitFor();
    await replay.locator('.badge-done').waitFor();
    const shot = process.env.HOOKFLOW_UPDATE_SCREENSHOTS
      ? join(ROOT, 'docs', 'ui-failed.png')
      : join(shots, 'ui-failed.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'a real screenshot');
    await page.close();
  });
});
