/**
 * Search by payload over real HTTP, on each backend: webhooks posted to a workflow that
 * declares `search: [body.order.id]` (the index) and to one that does not (a scan), then
 * `GET /api/jobs?workflow=…&match=…`; bad syntax answers 400 invalid_match.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from './helpers/backends.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const workflow = (name: string, extra: string) => `name: ${name}
${extra}trigger:
  webhook: {path: ${name}}
steps:
  - id: s
    set: {ok: true}
`;
const INDEXED = workflow('indexed', 'search: [body.order.id, headers.x-shop]\n');
const SCANNED = workflow('scanned', '');
const JSON_H = { 'content-type': 'application/json' };

for (const backend of BACKENDS) {
  describe(`search by payload on ${backend.name}`, { skip: backend.skip }, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startServer([INDEXED, SCANNED], { backend: backend.name });
    });
    after(() => srv.close());

    async function post(name: string, body: unknown, shop = 'acme'): Promise<string> {
      const r = await fetch(`${srv.url}/hooks/${name}`, {
        method: 'POST',
        headers: { ...JSON_H, 'x-shop': shop },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 202);
      return ((await r.json()) as { id: string }).id;
    }
    async function search(query: string): Promise<{ status: number; body: any }> {
      const r = await fetch(`${srv.url}/api/jobs?${query}`);
      return { status: r.status, body: await r.json() };
    }

    for (const name of ['indexed', 'scanned']) {
      test(`the one job among many is found by match (${name})`, async () => {
        const ids: string[] = [];
        for (let i = 0; i < 40; i++) ids.push(await post(name, { order: { id: 1000 + i } }));
        const { status, body } = await search(`workflow=${name}&match=body.order.id:1017`);
        assert.equal(status, 200);
        assert.deepEqual(
          body.jobs.map((j: { id: string }) => j.id),
          [ids[17]],
        );
      });
    }

    test('several match parameters are ANDed', async () => {
      const acme = await post('indexed', { order: { id: 'A-1' } }, 'acme');
      await post('indexed', { order: { id: 'A-1' } }, 'other');
      const { body } = await search(
        `workflow=indexed&match=${encodeURIComponent('body.order.id:"A-1"')}&match=headers.x-shop:acme`,
      );
      assert.deepEqual(
        body.jobs.map((j: { id: string }) => j.id),
        [acme],
      );
    });

    test('bad match syntax, or a match without workflow, answers 400 invalid_match', async () => {
      for (const q of [
        'workflow=indexed&match=body.order.id',
        'workflow=indexed&match=trigger.x:1',
        `workflow=indexed&match=${encodeURIComponent('body."open:1')}`,
        'match=body.order.id:1',
      ]) {
        const { status, body } = await search(q);
        assert.equal(status, 400, q);
        assert.equal(body.error.code, 'invalid_match', q);
      }
    });
  });
}
