/**
 * The web UI's first-hour tools in a real browser against a real server on loopback: "Listen
 * for test event" and "Use as example" on a workflow's page, "Use this payload as the example"
 * in the job inspector, and the Import cURL page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { useChromium } from './helpers/browser.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { builtUiDir } from './helpers/ui-build.js';

const chromium = useChromium();

const SIGNUPS = `
name: signups
trigger:
  webhook: {path: signups}
steps:
  - id: greet
    set: {hi: "{{ trigger.body.user.name }}"}
`;
const INVOICES = `# pushed over the API
name: invoices
trigger:
  webhook:
    path: invoices
steps: []
`;

async function send(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('web UI: test events, examples, cURL import', { skip: chromium.skip }, () => {
  let srv: TestServer;
  let context: BrowserContext;
  before(async () => {
    srv = await startServer([SIGNUPS], { uiDir: builtUiDir() });
    const put = await fetch(`${srv.url}/api/workflows/invoices`, {
      method: 'PUT',
      headers: { 'content-type': 'application/yaml' },
      body: INVOICES,
    });
    assert.equal(put.status, 201);
    context = await chromium.context();
  });
  after(async () => {
    await context?.close();
    await srv?.close();
  });

  async function open(path: string): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${srv.url}/${path}`);
    return page;
  }

  /** Clicks "Listen for test event" and answers the URL the page says to send to. */
  async function listen(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Listen for test event' }).click();
    const waiting = page.getByTestId('listen-waiting');
    await waiting.waitFor();
    const url = /(http:\/\/\S+\/hooks\/\S+)/.exec((await waiting.textContent()) ?? '')?.[1];
    assert.ok(url, 'the page shows the webhook URL');
    return url;
  }

  test('Listen shows the captured request; no job runs; Use as example gives the file text to paste', async () => {
    const page = await open('#/workflows/signups');
    const url = await listen(page);
    assert.equal(url, `${srv.url}/hooks/signups`);
    const sent = await send(url, { user: { name: 'Ada', plan: 'pro' } });
    assert.equal(sent.json.captured, true);

    const captured = page.getByTestId('captured');
    await captured.getByText('"Ada"').waitFor();
    await captured.getByText('captured; its sender got 202, no job ran').waitFor();
    assert.equal((await srv.jobsOf('signups')).length, 0);

    await captured.getByRole('button', { name: 'Use as example' }).click();
    const paste = page.getByTestId('example-paste');
    await paste.getByText('inline-0.yaml').waitFor();
    const text = (await paste.locator('pre').textContent()) ?? '';
    assert.match(text, /example:\n\s+user:\n\s+name: Ada\n\s+plan: pro/);
    await page.close();
  });

  test('on a pushed workflow, Use as example saves it and the datatree shows its fields', async () => {
    const page = await open('#/workflows/invoices');
    const url = await listen(page);
    await send(url, { invoice: { number: 'INV-7', total: 12.5 } });
    await page.getByTestId('captured').getByRole('button', { name: 'Use as example' }).click();
    await page.getByTestId('example-saved').getByRole('link', { name: 'See its datatree' }).click();
    await page.getByTestId('datatree').getByText('trigger.body.invoice.number').waitFor();
    await page.close();
  });

  test('Stop ends the capture on the server: the next request runs as usual', async () => {
    const page = await open('#/workflows/signups');
    await listen(page);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('button', { name: 'Listen for test event' }).waitFor();
    let sent: { status: number; json: any } | null = null;
    for (let i = 0; i < 50 && !sent?.json.id; i++) {
      sent = await send(`${srv.url}/hooks/signups`, { user: { name: 'Grace' } });
      if (sent.json.captured) sent = null; // the DELETE has not landed yet
    }
    assert.equal(sent?.status, 202);
    assert.equal((await srv.finishedJob(sent!.json.id)).status, 'succeeded');
    await page.close();
  });

  test('the job inspector uses a job’s payload as the example', async () => {
    const { json } = await send(`${srv.url}/hooks/invoices`, {
      invoice: { number: 'INV-8', customer: { email: 'a@b.c' } },
    });
    await srv.finishedJob(json.id);
    const page = await open(`#/jobs/${json.id}`);
    await page.getByRole('button', { name: 'Use this payload as the example' }).click();
    await page.getByTestId('example-saved').getByRole('link', { name: 'See its datatree' }).click();
    await page.getByTestId('datatree').getByText('trigger.body.invoice.customer.email').waitFor();
    await page.close();
  });

  test('Import cURL turns a pasted command into a step and a connection without the secret', async () => {
    const page = await open('#/import');
    await page
      .getByLabel('cURL command')
      .fill(
        `curl -X POST 'https://api.acme.io/v1/orders?expand=items' \\\n  -H 'Authorization: Bearer sk_live_SECRET' \\\n  --data-raw '{"sku": "A-1", "qty": 2}'`,
      );
    const connection = page.getByTestId('curl-connection');
    await connection.getByText('connections/acme.yaml').waitFor();
    assert.match(
      (await connection.locator('pre').textContent()) ?? '',
      /type: header\nbase_url: https:\/\/api\.acme\.io\nheaders:\n {2}Authorization: Bearer \$\{env:ACME_TOKEN\}/,
    );
    await page.getByTestId('curl-env').getByText('ACME_TOKEN').waitFor();
    const step = (await page.getByTestId('curl-step').locator('pre').textContent()) ?? '';
    assert.match(step, /connection: acme\n\s+method: POST\n\s+url: \/v1\/orders\n/);
    assert.match(step, /body:\n\s+sku: A-1\n\s+qty: 2/);
    const shown = `${await connection.textContent()}${await page.getByTestId('curl-step').textContent()}`;
    assert.ok(!shown.includes('sk_live_SECRET'), 'the secret is in neither document');

    await page.getByLabel('cURL command').fill('wget https://x.io');
    await page
      .getByRole('alert')
      .getByText(/starting with curl, got 'wget'/)
      .waitFor();
    await page.close();
  });
});
