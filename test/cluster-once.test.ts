/**
 * Issue 17, "cluster-wide, once": several Hookflow servers over one PostgreSQL schema (apps in
 * this test process) behave as one — a schedule tick, a poll, a connector trigger's init run
 * in one of them, and so does an OAuth2 refresh; a workflow pushed or disabled over one
 * server's API is served by all.
 * Runs only when HOOKFLOW_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { POSTGRES_SKIP, dropSchema, randomSchema } from './helpers/backends.js';
import { fire } from './helpers/connections.js';
import { authorizeAs, CLIENT_ID, CLIENT_SECRET, startAuthServer } from './helpers/oidc.js';
import { sleep, startServer, startUpstream, until } from './helpers/server.js';
import type { StartOptions, TestServer } from './helpers/server.js';

const CONNECTORS = fileURLToPath(new URL('../examples/connectors', import.meta.url));

const schemas: string[] = [];
after(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

/** `n` servers on one new schema, each running the workflows. */
async function cluster(n: number, workflows: string[], opts: StartOptions = {}) {
  const schema = randomSchema();
  schemas.push(schema);
  const servers: TestServer[] = [];
  for (let i = 0; i < n; i++) {
    servers.push(await startServer(workflows, { ...opts, backend: 'postgres', schema }));
  }
  return {
    servers,
    close: () => Promise.all(servers.map((s) => s.close())),
  };
}

describe('once across servers on one PostgreSQL schema', { skip: POSTGRES_SKIP }, () => {
  test('a schedule `every: 1s` over 3 servers starts one job per second', async () => {
    const tick = [
      'name: tick',
      'trigger: {schedule: {every: 1s}}',
      'steps:',
      '  - id: at',
      '    set: {at: "{{ trigger.scheduledAt }}"}',
    ].join('\n');
    const c = await cluster(3, [tick]);
    try {
      await sleep(3_500);
      const jobs = await c.servers[0]!.jobsOf('tick');
      const perTick = new Map<string, number>();
      for (const j of jobs) {
        const at = (j.trigger as unknown as { scheduledAt: string }).scheduledAt;
        perTick.set(at, (perTick.get(at) ?? 0) + 1);
      }
      assert.ok(perTick.size >= 3, `ticks: ${[...perTick.keys()].join(', ')}`);
      assert.deepEqual([...new Set(perTick.values())], [1]);
    } finally {
      await c.close();
    }
  });

  test('a poll over 2 servers asks the source once per interval and starts one job per new item', async () => {
    const orders: Array<{ id: number }> = [];
    let requests = 0;
    const api = await startUpstream((_req, _body, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: orders }));
    });
    const poll = [
      'name: orders',
      'trigger:',
      '  poll:',
      '    every: 1s',
      `    request: {url: "${api.url}/orders"}`,
      '    items: "{{ body.data }}"',
      '    id: "{{ id }}"',
      'steps:',
      '  - id: note',
      '    set: {order: "{{ trigger.body.id }}"}',
    ].join('\n');
    const c = await cluster(2, [poll], { env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' } });
    try {
      await until(() => requests >= 1);
      // Starting the second server takes a while: more polls may have come by now.
      const before = requests;
      const started = Date.now();
      orders.push({ id: 1 }, { id: 2 });
      await sleep(1_500);
      orders.push({ id: 3 });
      await sleep(2_000);
      // On a busy machine a poll may come late: wait for the third job, then count the polls.
      const jobs = () => c.servers[1]!.jobsOf('orders');
      await until(async () => (await jobs()).length >= 3, 10_000).catch(() => {});
      const seconds = (Date.now() - started) / 1000;
      const polls = requests - before;
      // One poll a second between both servers, not two: polls of the cluster start at least
      // 0.9 s apart (the interval less its tenth of slack), plus one in flight at `started`.
      assert.ok(polls <= Math.ceil(seconds / 0.9) + 1, `${polls} polls in ${seconds} s`);
      const ids = (await jobs()).map((j) => (j.trigger.body as { id: number }).id);
      assert.deepEqual(ids.sort(), [1, 2, 3]);
    } finally {
      await c.close();
      await api.close();
    }
  });

  test('a connector trigger’s init runs once however many servers start it', async () => {
    const calls: string[] = [];
    const api = await startUpstream((req, _body, res) => {
      calls.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST') res.end(JSON.stringify({ id: 'wh_1' }));
      else res.writeHead(204).end();
    });
    const subs = `
name: subs
trigger:
  mailchimp.subscribe: {connection: mailchimp, list_id: l1, events: [subscribe], path: mc/subs}
steps:
  - id: note
    set: {email: "{{ trigger.email }}"}
`;
    const c = await cluster(2, [subs], {
      env: { HOOKFLOW_PUBLIC_URL: 'https://hooks.example.test' },
      connectorsDir: CONNECTORS,
      connections: [
        `name: mailchimp\ntype: header\nbase_url: ${api.url}/3.0\nheaders: {Authorization: "apikey k"}\nallow_private: true\n`,
      ],
    });
    const lifecycle = async (srv: TestServer) =>
      ((await (await fetch(`${srv.url}/api/workflows/subs`)).json()) as any).trigger.lifecycle;
    try {
      for (const srv of c.servers) {
        await until(async () => (await lifecycle(srv))?.state === 'ready', 10_000);
      }
      assert.deepEqual(calls, ['POST /3.0/lists/l1/webhooks']);
    } finally {
      await c.close();
      await api.close();
    }
  });

  test('a workflow pushed on one server is served by the other within a second; a disable too', async () => {
    const c = await cluster(2, []);
    const [a, b] = c.servers as [TestServer, TestServer];
    const hook = () => fetch(`${b.url}/hooks/pushed`, { method: 'POST', body: '{}' });
    try {
      assert.equal((await hook()).status, 404);
      const put = await fetch(`${a.url}/api/workflows/pushed`, {
        method: 'PUT',
        headers: { 'content-type': 'application/yaml' },
        body: 'name: pushed\ntrigger: {webhook: {path: pushed}}\nsteps: []\n',
      });
      assert.equal(put.status, 201);
      const pushedAt = Date.now();
      await until(async () => (await hook()).status === 202, 1_000);
      assert.ok(Date.now() - pushedAt < 1_000);

      const off = await fetch(`${a.url}/api/workflows/pushed/disable`, { method: 'POST' });
      assert.equal(off.status, 200);
      await until(async () => (await hook()).status === 404, 1_000);
    } finally {
      await c.close();
    }
  });

  test('an expired OAuth2 token is refreshed once when two servers run jobs with it at once', async () => {
    const as = await startAuthServer();
    const call =
      'name: call\ntrigger: {webhook: {path: call}}\nsteps:\n  - id: me\n    http: {connection: crm, url: /me}\n';
    const c = await cluster(2, [call], {
      env: { HOOKFLOW_SECRET_KEY: 'cluster-test-key-0123456789-0123456789' },
      connections: [
        `name: crm
type: oauth2
grant: authorization_code
authorization_url: ${as.issuer}/auth
token_url: ${as.issuer}/token
client_id: ${CLIENT_ID}
client_secret: ${CLIENT_SECRET}
scopes: [api:read]
base_url: ${as.resourceUrl}
allow_private: true
`,
      ],
    });
    const [a, b] = c.servers as [TestServer, TestServer];
    try {
      const callback = `${a.url}/oauth/callback`;
      as.configure({ redirectUri: callback });
      // Issued for 60 s: inside the refresh margin, so expired for every server at once.
      as.setAccessTokenTtl(60);
      const res = await fetch(`${a.url}/api/connections/crm/authorize`, {
        headers: { accept: 'application/json' },
      });
      const { url } = (await res.json()) as { url: string };
      const page = await fetch(await authorizeAs('ada', url, callback));
      assert.equal(page.status, 200, await page.clone().text());
      as.setAccessTokenTtl(3600);

      const before = as.tokenRequests();
      const jobs = await Promise.all([a, b, a, b, a, b].map((srv) => fire(srv, 'call')));
      for (const job of jobs) assert.equal(job.status, 'succeeded', job.error ?? '');
      assert.equal(as.tokenRequests(), before + 1);
    } finally {
      await c.close();
      await as.close();
    }
  });
});
