/**
 * §7 Connector triggers' init/destroy, against a loopback fake of a third party's hooks API,
 * with the example connector (examples/connectors/mailchimp.ts) loaded as a user connector:
 * create on enable, delete on disable, one delete + one create on change, nothing on restart,
 * retried while the third party answers 500. Then its webhook and its action, end to end.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parseWorkflow } from '../src/workflow/index.js';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const CONNECTORS = fileURLToPath(new URL('../examples/connectors', import.meta.url));
// A fixed public URL: with port 0 each restart would otherwise be a new URL, hence a change.
const PUBLIC = 'https://hooks.example.test';
const ENV = {
  HOOKFLOW_LIFECYCLE_BACKOFF: '20ms',
  HOOKFLOW_LIFECYCLE_ATTEMPTS: '5',
  HOOKFLOW_PUBLIC_URL: PUBLIC,
};

interface Call {
  method: string;
  url: string;
  body: any;
  auth: string | undefined;
}
let calls: Call[] = [];
let failNext = 0;
let nextId = 1;
let api: { url: string; close(): Promise<void> };

before(async () => {
  api = await startUpstream((req, body, res) => {
    const call = {
      method: req.method!,
      url: req.url!,
      body: body.length ? JSON.parse(body.toString()) : null,
      auth: req.headers.authorization,
    };
    calls.push(call);
    if (failNext > 0) {
      failNext--;
      res.writeHead(500).end('{"title":"Internal Server Error"}');
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST') res.end(JSON.stringify({ id: `wh_${nextId++}` }));
    else if (req.method === 'DELETE') res.writeHead(204).end();
    else res.end(JSON.stringify({ id: 'member-1', status: call.body?.status_if_new }));
  });
});
after(() => api.close());
beforeEach(() => {
  calls = [];
  failNext = 0;
});

/** The `mailchimp` connection: the fake's base URL and an API key header. */
const connections = (): string[] => [
  `name: mailchimp
type: header
base_url: ${api.url}/3.0
headers: {Authorization: "apikey mc-secret-key"}
allow_private: true
`,
];

const workflow = (list: string, enabled = true) => `
name: subs
enabled: ${enabled}
trigger:
  mailchimp.subscribe: {connection: mailchimp, list_id: ${list}, events: [subscribe], path: mc/subs}
steps:
  - id: copy
    mailchimp.add_member: {connection: mailchimp, list_id: copies, email: "{{ trigger.email }}"}
`;

const creates = () => calls.filter((c) => c.method === 'POST');
const deletes = () => calls.filter((c) => c.method === 'DELETE');

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function lifecycleOf(srv: TestServer) {
  const res = await fetch(`${srv.url}/api/workflows/subs`);
  return ((await res.json()) as any).trigger.lifecycle;
}

async function serve(list = 'l1', dataDir?: string) {
  return startServer([workflow(list)], {
    env: ENV,
    connectorsDir: CONNECTORS,
    connections: connections(),
    ...(dataDir ? { dataDir } : {}),
  });
}

function reparse(srv: TestServer, text: string) {
  return parseWorkflow(text, 'subs.yaml', { connectors: srv.app.connectors });
}

describe('connector trigger lifecycle', () => {
  test('enabling creates the webhook once, with the public URL and through the connection', async () => {
    const srv = await serve();
    try {
      await until('ready', async () => (await lifecycleOf(srv))?.state === 'ready');
      assert.equal(creates().length, 1);
      const [create] = creates();
      assert.equal(create!.url, '/3.0/lists/l1/webhooks');
      assert.equal(create!.auth, 'apikey mc-secret-key');
      assert.match(create!.body.url, new RegExp(`^${PUBLIC}/hooks/mc/subs\\?secret=[0-9a-f]{48}$`));
      assert.deepEqual(await lifecycleOf(srv), { state: 'ready', error: null, attempts: 1 });
    } finally {
      await srv.close();
    }
  });

  test('a restart with the same workflow calls neither init nor destroy', async () => {
    const first = await serve();
    await until('ready', async () => (await lifecycleOf(first))?.state === 'ready');
    await first.close({ keepData: true });
    calls = [];
    const second = await serve('l1', first.dataDir);
    try {
      await until('ready', async () => (await lifecycleOf(second))?.state === 'ready');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(calls, []);
    } finally {
      await second.close();
    }
  });

  test('disabling deletes the webhook init created', async () => {
    const srv = await serve();
    try {
      await until('ready', async () => (await lifecycleOf(srv))?.state === 'ready');
      const id = `wh_${nextId - 1}`;
      await srv.app.registry.setEnabled('subs', false);
      await until('a delete', () => deletes().length === 1);
      assert.equal(deletes()[0]!.url, `/3.0/lists/l1/webhooks/${id}`);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(creates().length, 1);
    } finally {
      await srv.close();
    }
  });

  test('a change of params deletes the old webhook, then creates the new one, once each', async () => {
    const srv = await serve();
    try {
      await until('ready', async () => (await lifecycleOf(srv))?.state === 'ready');
      calls = [];
      await srv.app.registry.put(reparse(srv, workflow('l2')));
      await until('a create for l2', () => creates().length === 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        calls.map((c) => `${c.method} ${c.url.replace(/wh_\d+/, 'wh_N')}`),
        ['DELETE /3.0/lists/l1/webhooks/wh_N', 'POST /3.0/lists/l2/webhooks'],
      );
    } finally {
      await srv.close();
    }
  });

  test('a change to the steps only keeps the subscription', async () => {
    const srv = await serve();
    try {
      await until('ready', async () => (await lifecycleOf(srv))?.state === 'ready');
      calls = [];
      await srv.app.registry.put(
        reparse(srv, workflow('l1').replace('list_id: copies', 'list_id: other')),
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(calls, []);
    } finally {
      await srv.close();
    }
  });

  test('a 500 from the third party is retried with backoff until init succeeds', async () => {
    failNext = 2;
    const srv = await serve();
    try {
      await until('ready', async () => (await lifecycleOf(srv))?.state === 'ready');
      assert.equal(creates().length, 3);
      assert.deepEqual(await lifecycleOf(srv), { state: 'ready', error: null, attempts: 3 });
    } finally {
      await srv.close();
    }
  });

  test('while it fails the API shows pending with the last error; then failed once it gives up', async () => {
    failNext = 100;
    const srv = await startServer([workflow('l1')], {
      env: { ...ENV, HOOKFLOW_LIFECYCLE_ATTEMPTS: '2' },
      connectorsDir: CONNECTORS,
      connections: connections(),
    });
    try {
      await until('failed', async () => (await lifecycleOf(srv))?.state === 'failed');
      const status = await lifecycleOf(srv);
      assert.equal(status.attempts, 2);
      assert.match(status.error, /answered 500/);
      assert.doesNotMatch(status.error, /mc-secret-key/);
    } finally {
      await srv.close();
    }
  });
});

describe('the example connector end to end', () => {
  let srv: TestServer;
  let secret: string;
  before(async () => {
    calls = [];
    failNext = 0;
    srv = await serve();
    await until('ready', async () => (await lifecycleOf(srv))?.state === 'ready');
    secret = new URL(creates()[0]!.body.url).searchParams.get('secret')!;
  });
  after(() => srv.close());

  const form = (email: string) =>
    new URLSearchParams({
      type: 'subscribe',
      fired_at: '2026-03-26 21:35:57',
      'data[email]': email,
      'data[list_id]': 'l1',
      'data[merges][FNAME]': 'Ada',
    }).toString();
  const post = (query: string, body: string) =>
    fetch(`${srv.url}/hooks/mc/subs${query}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  test('a delivery with the secret is acknowledged and its job runs the action', async () => {
    const res = await post(`?secret=${secret}`, form('ada@example.com'));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
    await until('the action call', () => calls.some((c) => c.method === 'PUT'));
    const [job] = await srv.jobsOf('subs');
    const done = await srv.finishedJob(job!.id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal((done.trigger as any).email, 'ada@example.com');
    assert.deepEqual((done.trigger as any).merges, { FNAME: 'Ada' });
    assert.deepEqual(done.steps[0]!.output, { id: 'member-1', status: 'subscribed' });
    const put = calls.find((c) => c.method === 'PUT')!;
    assert.match(put.url, /^\/3\.0\/lists\/copies\/members\/[0-9a-f]{32}$/);
  });

  test('a delivery without the secret gets 401 and no job', async () => {
    const before = (await srv.jobsOf('subs')).length;
    const res = await post('?secret=guess', form('eve@example.com'));
    assert.equal(res.status, 401);
    assert.equal((await srv.jobsOf('subs')).length, before);
  });

  test('the same delivery again (a retry) makes no second job', async () => {
    const body = form('bob@example.com');
    await post(`?secret=${secret}`, body);
    await post(`?secret=${secret}`, body);
    const bobs = (await srv.jobsOf('subs')).filter(
      (j) => (j.trigger as any).email === 'bob@example.com',
    );
    assert.equal(bobs.length, 1);
  });
});
