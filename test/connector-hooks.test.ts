/**
 * §7 what a connector trigger's request hooks get and may answer, over real HTTP: `before`
 * calls the third party with `ctx.http` (through the trigger's connection, within the
 * trigger's timeout), hooks read the event id the sender is answered with (`ctx.id`), and
 * tray.io's `#no_trigger` forms answer the sender without a job.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const CONNECTOR = `
import { defineConnector, defineTrigger } from 'hookflow';

export default defineConnector({
  name: 'tray',
  triggers: {
    lookup: defineTrigger({
      delivery: 'acknowledge',
      async before(_params, http, ctx) {
        const user = await ctx.http.get('/users/' + http.body.user);
        return { user: user.body, eventId: ctx.id };
      },
      reply: (_params, _http, _output, ctx) => ({ status: 200, body: { uniqueWebhookID: ctx.id } }),
    }),
    string_form: defineTrigger({
      filter: () => Promise.reject('#no_trigger'),
    }),
    object_form: defineTrigger({
      before() {
        throw {
          code: '#no_trigger',
          http: { status_code: 409, headers: { 'x-why': 'duplicate' }, body: { reason: 'dup' } },
        };
      },
    }),
    reply_form: defineTrigger({
      delivery: 'acknowledge',
      reply: () => Promise.reject({ code: '#no_trigger', http: { status_code: 202, body: 'later' } }),
    }),
  },
});
`;

const workflow = (name: string, trigger: string, extra = '') => `
name: ${name}
trigger:
  tray.${trigger}: {path: tray/${name}${extra}}
steps: []
`;

const dir = mkdtempSync(join(tmpdir(), 'hookflow-tray-'));
let srv: TestServer;
let api: { url: string; close(): Promise<void> };
const calls: Array<{ url: string; key: string | undefined }> = [];

before(async () => {
  api = await startUpstream((req, _body, res) => {
    calls.push({ url: req.url!, key: req.headers['x-api-key'] as string | undefined });
    if (req.url === '/v1/users/slow') return; // never answers
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: req.url!.split('/').pop(), name: 'Ada' }));
  });
  writeFileSync(join(dir, 'tray.ts'), CONNECTOR);
  srv = await startServer(
    [
      workflow('lookup', 'lookup', ', connection: api'),
      workflow('slow', 'lookup', ', connection: api, timeout: 300ms'),
      workflow('string-form', 'string_form'),
      workflow('object-form', 'object_form'),
      workflow('reply-form', 'reply_form'),
    ],
    {
      connectorsDir: dir,
      connections: [
        `name: api\ntype: header\nbase_url: ${api.url}/v1\nallow_private: true\nheaders: {X-Api-Key: k-12345678}\n`,
      ],
    },
  );
});
after(async () => {
  await srv?.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown = {}) =>
  fetch(`${srv.url}/hooks/tray/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('connector hooks: ctx.http in before', () => {
  test('before calls the third party through the trigger connection; its output is the trigger data', async () => {
    const res = await post('lookup', { user: 'u7' });
    assert.equal(res.status, 200);
    const { uniqueWebhookID } = (await res.json()) as { uniqueWebhookID: string };
    assert.deepEqual(calls.at(-1), { url: '/v1/users/u7', key: 'k-12345678' });
    const job = await srv.finishedJob(uniqueWebhookID);
    assert.deepEqual(job.trigger.user, { id: 'u7', name: 'Ada' });
  });

  test('a call in before that outlasts the trigger timeout is aborted: 500 connector_failed, no job', async () => {
    const started = Date.now();
    const res = await post('slow', { user: 'slow' });
    assert.equal(res.status, 500);
    assert.equal(((await res.json()) as any).error.code, 'connector_failed');
    assert.ok(Date.now() - started < 5000, 'answered within the timeout, not the 30 s default');
    assert.equal((await srv.jobsOf('slow')).length, 0);
  });
});

describe('connector hooks: the event id', () => {
  test('ctx.id is the id of the job, in before and in reply', async () => {
    const res = await post('lookup', { user: 'u8' });
    const { uniqueWebhookID } = (await res.json()) as { uniqueWebhookID: string };
    const job = await srv.finishedJob(uniqueWebhookID);
    assert.equal(job.id, uniqueWebhookID);
    assert.equal(job.trigger.eventId, uniqueWebhookID);
  });
});

describe("connector hooks: tray's #no_trigger forms", () => {
  test("the string '#no_trigger' (a rejected promise from filter): 200, no body, no job", async () => {
    const res = await post('string-form');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    assert.equal((await srv.jobsOf('string-form')).length, 0);
  });

  test('{code, http} thrown by before: the given status, headers and body, no job', async () => {
    const res = await post('object-form');
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('x-why'), 'duplicate');
    assert.deepEqual(await res.json(), { reason: 'dup' });
    assert.equal((await srv.jobsOf('object-form')).length, 0);
  });

  test('{code, http} rejected by reply: the given answer, no job', async () => {
    const res = await post('reply-form');
    assert.equal(res.status, 202);
    assert.equal(await res.text(), 'later');
    assert.equal((await srv.jobsOf('reply-form')).length, 0);
  });
});
