/**
 * A webhook trigger's `rate_limit` over real HTTP, on every backend: above the limit the
 * sender gets 429 with Retry-After and nothing is stored; the next window accepts again; a
 * key counts each of its values apart; on PostgreSQL two servers share one count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, POSTGRES_SKIP } from './helpers/backends.js';
import { sleep, startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const LIMITED = `
name: limited
trigger:
  webhook:
    path: limited
    rate_limit: {limit: 3, per: 1s}
steps:
  - id: s
    set: {ok: true}
`;
const BY_SHOP = `
name: by-shop
trigger:
  webhook:
    path: by-shop
    rate_limit: {limit: 2, per: 1s, key: "{{ headers.'x-shop' }}"}
steps:
  - id: s
    set: {ok: true}
`;
const OPEN = `
name: open
trigger: {webhook: {path: open}}
steps:
  - id: s
    set: {ok: true}
`;

const post = (srv: TestServer, path: string, headers: Record<string, string> = {}) =>
  fetch(`${srv.url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });

/** Waits for the start of a fresh one-second window, so a burst falls in one window. */
async function windowStart(): Promise<void> {
  await sleep(1_000 - (Date.now() % 1_000) + 20);
}

async function statuses(responses: Promise<Response>[]): Promise<number[]> {
  const all = await Promise.all(responses);
  await Promise.all(all.map((r) => r.arrayBuffer()));
  return all.map((r) => r.status).sort();
}

for (const backend of BACKENDS) {
  describe(`rate_limit on ${backend.name}`, { skip: backend.skip }, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startServer([LIMITED, BY_SHOP, OPEN], { backend: backend.name });
    });
    after(async () => srv.close());

    test('events above the limit get 429 with Retry-After and a rate_limited error', async () => {
      await windowStart();
      const codes = await statuses([1, 2, 3, 4, 5].map(() => post(srv, 'limited')));
      assert.deepEqual(codes, [202, 202, 202, 429, 429]);
      const refused = await post(srv, 'limited');
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.equal(retryAfter, 1);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'rate_limited');
      assert.match(body.error.message, /3 events per 1000 ms/);
    });

    test('a refused event is not stored: no job for a 429', async () => {
      await windowStart();
      const before = (await srv.jobsOf('limited')).length;
      await statuses([1, 2, 3, 4, 5, 6].map(() => post(srv, 'limited')));
      assert.equal((await srv.jobsOf('limited')).length, before + 3);
    });

    test('the next window accepts again', async () => {
      await windowStart();
      await statuses([1, 2, 3, 4].map(() => post(srv, 'limited')));
      assert.equal((await post(srv, 'limited')).status, 429);
      await windowStart();
      assert.equal((await post(srv, 'limited')).status, 202);
    });

    test('a key counts each of its values apart', async () => {
      await windowStart();
      const shop = (s: string) => post(srv, 'by-shop', { 'x-shop': s });
      const codes = await statuses([shop('a'), shop('a'), shop('a'), shop('b'), shop('b')]);
      assert.deepEqual(codes, [202, 202, 202, 202, 429]);
      assert.equal((await shop('b')).status, 429);
      assert.equal((await shop('c')).status, 202);
    });

    test('a workflow without rate_limit is not limited', async () => {
      await windowStart();
      const codes = await statuses(Array.from({ length: 20 }, () => post(srv, 'open')));
      assert.ok(codes.every((c) => c === 202));
    });
  });
}

describe('rate_limit across two servers on PostgreSQL', { skip: POSTGRES_SKIP }, () => {
  let one: TestServer;
  let two: TestServer;
  before(async () => {
    one = await startServer([LIMITED], { backend: 'postgres' });
    two = await startServer([LIMITED], { backend: 'postgres', schema: one.schema as string });
  });
  after(async () => {
    await two.close();
    await one.close();
  });

  test('two servers on one schema share the limit', async () => {
    await windowStart();
    const codes = await statuses([
      post(one, 'limited'),
      post(two, 'limited'),
      post(one, 'limited'),
      post(two, 'limited'),
      post(one, 'limited'),
    ]);
    assert.deepEqual(codes, [202, 202, 202, 429, 429]);
    assert.equal((await one.jobsOf('limited')).length, 3);
  });
});
