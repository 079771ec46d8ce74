/**
 * §8 web UI in a real browser (playwright-core driving Debian's chromium, headless), against a
 * real server on loopback: workflows, a webhook's job appearing live, the job inspector, Re-run,
 * the enabled toggle, large payloads, the token login, connections and the datatree.
 *
 * Skipped, saying so, when /usr/bin/chromium is missing (`apt-get install chromium`; CI
 * installs it). HOOKFLOW_UPDATE_SCREENSHOTS=1 writes docs/ui-job-inspector.png and
 * docs/ui-jobs-search.png.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { useChromium } from './helpers/browser.js';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { builtUiDir } from './helpers/ui-build.js';

// One headless chromium for the file (a fresh temporary profile), one context per suite.
const chromium = useChromium();
const skip = chromium.skip;
const newContext = () => chromium.context();

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const example = (name: string) => readFileSync(join(ROOT, 'examples', `${name}.yaml`), 'utf8');

const LOOKUP = (upstream: string) => `
name: order-lookup
trigger:
  webhook:
    method: POST
    path: shop/orders/:id
    delivery: request_response
steps:
  - id: order
    http:
      method: GET
      url: "${upstream}/orders/{{ trigger.params.id }}"
      headers: {Accept: application/json}
      response: json
  - id: totals
    set:
      total: "{{ $sum(steps.order.body.items.(price * qty)) }}"
      items: "{{ $count(steps.order.body.items) }}"
  - id: answer
    reply:
      status: 200
      body: {order: "{{ steps.order.body.id }}", total: "{{ steps.totals.total }}"}
`;
const FAILS = `
name: refund-check
trigger:
  webhook: {path: refunds}
steps:
  - id: amount
    set: {cents: "{{ trigger.body.amount * 100 }}"}
  - id: verify
    set: {ok: "{{ $error('refund over the limit: ' & trigger.body.amount) }}"}
`;
const BULK = `
name: bulk
trigger:
  webhook: {path: bulk}
steps:
  - id: copy
    set: {items: "{{ trigger.body.items }}", count: "{{ $count(trigger.body.items) }}"}
`;

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe('web UI in a browser', { skip }, () => {
  let context: BrowserContext;
  let shots: string;
  let upstream: { url: string; close(): Promise<void> };
  let srv: TestServer;

  before(async () => {
    upstream = await startUpstream((req, _body, res) => {
      const id = /\/orders\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '?';
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          status: 'placed',
          items: [
            { sku: 'TEE-BLK-M', price: 19.5, qty: 2 },
            { sku: 'MUG-WHT', price: 9, qty: 1 },
          ],
        }),
      );
    });
    srv = await startServer(
      [example('hello'), example('echo'), LOOKUP(upstream.url), FAILS, BULK],
      { uiDir: builtUiDir(), env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' } },
    );
    shots = mkdtempSync(join(tmpdir(), 'hookflow-shots-'));
    context = await newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  });
  after(async () => {
    await context?.close();
    await srv?.close();
    await upstream?.close();
    if (shots) rmSync(shots, { recursive: true, force: true });
  });

  async function open(path: string): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${srv.url}/${path}`);
    return page;
  }

  test('a webhook’s job appears live, opens in the inspector, and Re-run makes a new job', async () => {
    const page = await open('');
    const row = page.locator('tr[data-workflow="hello"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(`${srv.url}/hooks/hello`));

    await row.getByRole('link', { name: 'hello' }).click();
    await page.getByText('No jobs yet.').waitFor();

    const sent = await post(`${srv.url}/hooks/hello`, { name: 'Ada' });
    assert.equal(sent.status, 202);
    const jobRow = page.locator(`tr[data-job="${sent.json.id}"]`);
    await jobRow.waitFor(); // live refresh, no reload
    await jobRow.locator('.badge-succeeded').waitFor();

    await jobRow.getByRole('link', { name: sent.json.id }).click();
    const step = page.locator('[data-step="greeting"]');
    await step.locator('[data-testid="step-output"]').getByText('Hello, Ada!').waitFor();
    assert.equal(
      await page.locator('[data-testid="job"]').getAttribute('data-status'),
      'succeeded',
    );

    await page.getByRole('button', { name: 'Re-run' }).click();
    await page.waitForURL((url) => !url.hash.endsWith(sent.json.id));
    const rerunId = decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);
    assert.notEqual(rerunId, sent.json.id);
    await page.getByText(`re-run of ${sent.json.id}`).waitFor();
    await page.locator('[data-testid="job"][data-status="succeeded"]').waitFor();
    await page.locator('[data-step="greeting"]').getByText('Hello, Ada!').waitFor();

    await page.getByRole('link', { name: 'hello' }).click();
    await page.locator(`tr[data-job="${rerunId}"]`).waitFor();
    assert.equal(await page.locator('[data-testid="jobs"] tbody tr').count(), 2);
    await page.close();
  });

  test('the inspector shows each step’s input and output side by side and the reply sent', async () => {
    const res = await post(`${srv.url}/hooks/shop/orders/A-1001`, { note: 'gift wrap' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { order: 'A-1001', total: 48 });
    const [job] = await srv.jobsOf('order-lookup');
    const page = await open(`#/jobs/${job!.id}`);
    const http = page.locator('[data-step="order"]');
    await http
      .locator('[data-testid="step-input"]')
      .getByText(`"${upstream.url}/orders/A-1001"`)
      .waitFor();
    await http.locator('[data-testid="step-output"]').getByText('"placed"').waitFor();
    await page
      .locator('[data-step="totals"] [data-testid="step-output"]')
      .getByText('48')
      .waitFor();
    await page.locator('[data-testid="reply"]').getByText('HTTP 200').waitFor();
    await page
      .locator('[data-testid="trigger"]')
      .getByText('"gift wrap"', { exact: true })
      .waitFor();

    const shot = process.env.HOOKFLOW_UPDATE_SCREENSHOTS
      ? join(ROOT, 'docs', 'ui-job-inspector.png')
      : join(shots, 'ui-job-inspector.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'a real screenshot');
    await page.close();
  });

  test('a failed job shows its error and highlights the step that failed', async () => {
    const res = await post(`${srv.url}/hooks/refunds`, { amount: 900 });
    const job = await srv.finishedJob(res.json.id);
    assert.equal(job.status, 'failed');
    const page = await open(`#/jobs/${job.id}`);
    await page
      .locator('[data-testid="job-error"]')
      .getByText(/refund over the limit: 900/)
      .waitFor();
    const failed = page.locator('[data-step="verify"]');
    assert.match((await failed.getAttribute('class')) ?? '', /step-failed/);
    await failed
      .getByRole('alert')
      .getByText(/refund over the limit/)
      .waitFor();
    assert.match(
      (await page.locator('[data-step="amount"]').getAttribute('class')) ?? '',
      /step-succeeded/,
    );
    await page.close();
  });

  test('the jobs page filters by status and by workflow', async () => {
    const page = await open('#/jobs');
    await page.locator('[data-testid="jobs"]').waitFor();
    await page.getByLabel('status filter').selectOption('failed');
    await page.waitForFunction(() => {
      const rows: any[] = [
        ...(globalThis as any).document.querySelectorAll('[data-testid="jobs"] tbody tr'),
      ];
      return rows.length > 0 && rows.every((r) => r.querySelector('.badge-failed'));
    });
    assert.ok(await page.locator('tr').filter({ hasText: 'refund-check' }).count());
    await page.getByLabel('status filter').selectOption('');
    await page.getByLabel('workflow filter').selectOption('hello');
    await page.waitForFunction(() => {
      const rows: any[] = [
        ...(globalThis as any).document.querySelectorAll('[data-testid="jobs"] tbody tr'),
      ];
      return rows.length > 0 && rows.every((r) => r.textContent.includes('hello'));
    });
    await page.close();
  });

  test('the jobs page finds a job by a value in its trigger data', async () => {
    const ids: string[] = [];
    for (const amount of [31, 37, 41]) {
      ids.push((await post(`${srv.url}/hooks/refunds`, { amount, note: 'search me' })).json.id);
    }
    const page = await open('#/jobs');
    await page.locator('[data-testid="jobs"]').waitFor();
    assert.equal(await page.getByLabel('search by payload').isDisabled(), true);
    await page.getByLabel('workflow filter').selectOption('refund-check');
    await page.getByLabel('search by payload').fill('body.amount:37 body.note:"search me"');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction((id) => {
      const rows: any[] = [
        ...(globalThis as any).document.querySelectorAll('[data-testid="jobs"] tbody tr'),
      ];
      return rows.length === 1 && rows[0].getAttribute('data-job') === id;
    }, ids[1]);
    const shot = process.env.HOOKFLOW_UPDATE_SCREENSHOTS
      ? join(ROOT, 'docs', 'ui-jobs-search.png')
      : join(shots, 'ui-jobs-search.png');
    await page.screenshot({ path: shot });
    await page.getByLabel('search by payload').fill('body.amount');
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByText(/invalid_match|no ":" between the path and the value/)
      .first()
      .waitFor();
    await page.close();
  });

  test('the enabled toggle disables and enables the workflow', async () => {
    const page = await open('');
    const toggle = page.getByRole('switch', { name: 'echo enabled' });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true);
    await toggle.click({ force: true });
    await page.waitForFunction(
      async (url) => !((await (await fetch(url)).json()) as { enabled: boolean }).enabled,
      `${srv.url}/api/workflows/echo`,
    );
    assert.equal((await post(`${srv.url}/hooks/echo/x`, {})).status, 404);
    await toggle.click({ force: true });
    await page.waitForFunction(
      async (url) => ((await (await fetch(url)).json()) as { enabled: boolean }).enabled,
      `${srv.url}/api/workflows/echo`,
    );
    assert.equal(await toggle.isChecked(), true);
    await page.close();
  });

  test('the copy button puts the webhook URL on the clipboard', async () => {
    const page = await open('');
    const row = page.locator('tr[data-workflow="hello"]');
    await row.getByRole('button', { name: 'Copy' }).click();
    await row.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(
      await page.evaluate(() => (globalThis as any).navigator.clipboard.readText()),
      `${srv.url}/hooks/hello`,
    );
    await page.close();
  });

  test('a job of several megabytes renders at once and keeps the page responsive', async () => {
    const items = Array.from({ length: 12_000 }, (_, i) => ({
      sku: `SKU-${i}`,
      title: `Item number ${i} with a longer description to weigh more`,
      price: i % 100,
      tags: ['a', 'b', 'c'],
    }));
    const res = await post(`${srv.url}/hooks/bulk`, { items });
    const job = await srv.finishedJob(res.json.id);
    const size = JSON.stringify(job).length;
    assert.ok(size > 3_000_000, `the job is ${size} bytes`);

    const page = await open('');
    const started = Date.now();
    await page.goto(`${srv.url}/#/jobs/${job.id}`);
    const output = page.locator('[data-step="copy"] [data-testid="step-output"]');
    await output.getByText('12,000 items').first().waitFor();
    const shownIn = Date.now() - started;
    assert.ok(shownIn < 10_000, `shown after ${shownIn} ms`);

    // Nothing past the first level is built until asked; long strings are cut.
    const nodes = await page.evaluate(
      () => (globalThis as any).document.querySelectorAll('*').length,
    );
    assert.ok(nodes < 3000, `${nodes} DOM nodes`);
    await page
      .locator('[data-testid="trigger"]')
      .getByText(/show all \(\d\.\d MB\)/)
      .waitFor();

    // Opening the big list shows 100 items and a "show more", not 12,000.
    await output
      .getByRole('button', { name: /items \]/ })
      .first()
      .click();
    await output.getByRole('button', { name: /show 100 more \(11,900 hidden\)/ }).waitFor();
    const t0 = Date.now();
    assert.equal(await page.evaluate(() => 1 + 1), 2);
    assert.ok(Date.now() - t0 < 1000, 'the page answers at once');
    await page.close();
  });

  test('with no connections the page says none are configured; without an example the datatree still lists the request’s own fields', async () => {
    const page = await open('#/connections');
    await page.getByTestId('no-connections').getByText('No connections configured.').waitFor();
    await page.goto(`${srv.url}/#/workflows/bulk/datatree`);
    const tree = page.getByTestId('datatree');
    await tree.getByText('trigger.receivedAt').waitFor();
    await tree.getByText('"/hooks/bulk"').waitFor();
    await page.close();
  });

  test('the definition tab shows the workflow as written', async () => {
    const page = await open('#/workflows/echo/definition');
    const def = page.getByTestId('definition');
    await def.getByText(/path: echo\/:name/).waitFor();
    await page.close();
  });
});

describe('web UI with an API token', { skip }, () => {
  let context: BrowserContext;
  let srv: TestServer;
  before(async () => {
    srv = await startServer([example('hello')], {
      uiDir: builtUiDir(),
      env: { HOOKFLOW_API_TOKEN: 'browser-token-1' },
    });
    context = await newContext();
  });
  after(async () => {
    await context?.close();
    await srv?.close();
  });

  test('asks for the token, refuses a wrong one, keeps the right one for the tab, signs out', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${srv.url}/`);
    const field = page.getByLabel('API token');
    await field.fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was refused.').waitFor();

    await field.fill('browser-token-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('tr[data-workflow="hello"]').waitFor();
    assert.equal(
      await page.evaluate(() => (globalThis as any).sessionStorage.getItem('hookflow.token')),
      'browser-token-1',
    );
    await page.reload();
    await page.locator('tr[data-workflow="hello"]').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    await page.close();
  });
});

describe('web UI with connections and a datatree', { skip }, () => {
  let context: BrowserContext;
  let srv: TestServer;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const seen: string[] = [];
  before(async () => {
    // One loopback server plays the API behind a basic-auth connection and an OAuth2 provider.
    upstream = await startUpstream((req, _body, res) => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      seen.push(`${req.method} ${url.pathname} ${req.headers.authorization ?? '-'}`);
      if (url.pathname === '/rest/api/2/myself') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"ada"}');
      } else if (url.pathname === '/provider/authorize') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Provider sign-in</h1>');
      } else res.writeHead(404).end();
    });
    const jira = [
      'name: jira',
      'type: basic',
      'user: ada',
      'password: s3cret',
      `base_url: ${upstream.url}`,
      'allow_private: true',
      'test: { method: GET, url: /rest/api/2/myself }',
    ].join('\n');
    const crm = [
      'name: crm',
      'type: oauth2',
      'grant: authorization_code',
      `authorization_url: ${upstream.url}/provider/authorize`,
      `token_url: ${upstream.url}/provider/token`,
      'client_id: hookflow-ui',
      `base_url: ${upstream.url}/api`,
      'allow_private: true',
    ].join('\n');
    srv = await startServer([example('hello')], {
      uiDir: builtUiDir(),
      connections: [jira, crm],
      env: { HOOKFLOW_SECRET_KEY: 'k'.repeat(32) },
    });
    context = await newContext();
  });
  after(async () => {
    await context?.close();
    await srv?.close();
    await upstream?.close();
  });

  test('lists connections; Test calls the API with the credentials; Connect goes to the provider', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${srv.url}/#/connections`);
    const jira = page.locator('tr[data-connection="jira"]');
    await jira.getByText('ready').waitFor();
    assert.equal(await jira.getByRole('button', { name: 'Connect' }).count(), 0);
    await jira.getByRole('button', { name: 'Test' }).click();
    await jira
      .getByTestId('test-result')
      .getByText(/OK · 200 · GET \/rest\/api\/2\/myself/)
      .waitFor();
    const basic = `Basic ${Buffer.from('ada:s3cret').toString('base64')}`;
    assert.deepEqual(seen, [`GET /rest/api/2/myself ${basic}`]);
    assert.doesNotMatch(await page.content(), /s3cret/);

    const crm = page.locator('tr[data-connection="crm"]');
    await crm.getByText('needs authorization').first().waitFor();
    await crm.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(/\/provider\/authorize\?/);
    const asked = new URL(page.url());
    assert.equal(asked.searchParams.get('client_id'), 'hookflow-ui');
    assert.equal(asked.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(asked.searchParams.get('redirect_uri'), `${srv.url}/oauth/callback`);
    await page.getByText('Provider sign-in').waitFor();
    await page.close();
  });

  test('the datatree tab lists each source’s pills', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${srv.url}/#/workflows/hello/datatree`);
    const tree = page.getByTestId('datatree');
    await tree.getByText('trigger.body.name').waitFor();
    await tree.getByText('"Ada"').waitFor();
    await page.close();
  });
});
