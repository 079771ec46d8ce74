/**
 * @module store/contract/search
 * The contract of `listJobs` with `match` (search by payload): the same answers whether the
 * path is declared in the workflow's `search:` (the index) or not (a scan of the workflow).
 *
 * @example
 *   describe('my store', () => searchContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import { parseMatchPath, parseMatches, searchTerms } from '../../search/index.js';
import type { JobFilter, Store, TriggerData } from '../types.js';
import type { CurrentStore } from './fixtures.js';
import { CLAIM, OWNER, newEvent, triggerData } from './fixtures.js';

const DECLARED = ['body.order.id', 'headers.x-shop', 'body.items.sku'].map(parseMatchPath);

const PATHS = DECLARED.map((p) => p.text);

export function searchContract(currentStore: CurrentStore): void {
  for (const indexed of [false, true]) {
    const how = indexed ? 'declared in search:' : 'not declared';
    void describe(`listJobs with match, path ${how}`, () => {
      /** The store under test, the paths declared when the index is the subject. */
      const current = async (): Promise<Store> => {
        const store = currentStore();
        if (indexed) await store.declareSearchPaths('orders', PATHS);
        return store;
      };
      /** Accepts an event of `workflow` whose trigger data has `overrides`; returns its id. */
      async function accept(
        store: Store,
        overrides: Partial<TriggerData>,
        workflow = 'orders',
      ): Promise<string> {
        const event = newEvent(workflow);
        event.trigger = { ...triggerData({ id: event.id }), ...overrides };
        if (indexed) event.search = searchTerms(event.trigger, DECLARED);
        await store.acceptEvent(event);
        return event.id;
      }
      const find = async (store: Store, match: string[], extra: Partial<JobFilter> = {}) =>
        (
          await store.listJobs({
            workflow: 'orders',
            limit: 50,
            match: parseMatches(match),
            ...(indexed ? { indexedPaths: PATHS } : {}),
            ...extra,
          })
        ).jobs.map((j) => j.id);

      void it('a match finds the one job among many whose value is at that path', async () => {
        const store = await current();
        const others = [];
        for (let i = 0; i < 30; i++)
          others.push(await accept(store, { body: { order: { id: i } } }));
        const id = await accept(store, { body: { order: { id: 123 } } });
        await accept(store, { body: { order: { id: 123 } } }, 'refunds');
        await accept(store, { body: { order: { id: 1234, note: 123 } } });
        assert.deepEqual(await find(store, ['body.order.id:123']), [id]);
        assert.deepEqual(await find(store, ['body.order.id:5']), [others[5]]);
      });

      void it('a bare value matches the number and the string; a quoted one the string only', async () => {
        const store = await current();
        const num = await accept(store, { body: { order: { id: 7 } } });
        const str = await accept(store, { body: { order: { id: '7' } } });
        await accept(store, { body: { order: { id: true } } });
        assert.deepEqual(await find(store, ['body.order.id:7']), [str, num]);
        assert.deepEqual(await find(store, ['body.order.id:7.0']), [num]);
        assert.deepEqual(await find(store, ['body.order.id:"7"']), [str]);
        assert.equal((await find(store, ['body.order.id:true'])).length, 1);
      });

      void it('several matches are ANDed, across body, headers, query and params', async () => {
        const store = await current();
        const both = await accept(store, {
          body: { order: { id: 9 } },
          headers: { 'x-shop': 'acme' },
        });
        await accept(store, { body: { order: { id: 9 } }, headers: { 'x-shop': 'other' } });
        await accept(store, { body: { order: { id: 8 } }, headers: { 'x-shop': 'acme' } });
        assert.deepEqual(await find(store, ['body.order.id:9', 'headers.X-Shop:acme']), [both]);
        assert.deepEqual(
          await find(store, ['headers.x-shop:acme', 'query.page:1', 'params.shop:acme']),
          [(await find(store, ['body.order.id:8']))[0], both],
        );
      });

      void it('an array on the path is searched element by element, or by its index', async () => {
        const store = await current();
        const id = await accept(store, { body: { items: [{ sku: 'A-1' }, { sku: 'B-2' }] } });
        await accept(store, { body: { items: [{ sku: 'C-3' }] } });
        assert.deepEqual(await find(store, ['body.items.sku:B-2']), [id]);
        assert.deepEqual(await find(store, ['body.items.1.sku:B-2']), [id]);
        assert.deepEqual(await find(store, ['body.items.0.sku:B-2']), []);
      });

      void it('a match pages newest first with the status filter and a cursor', async () => {
        const store = await current();
        const ids = [];
        for (let i = 0; i < 5; i++) ids.push(await accept(store, { body: { order: { id: 'x' } } }));
        await store.claimJob(ids[1]!, CLAIM);
        await store.finishJob(ids[1]!, OWNER, 'failed', 'boom');
        const first = await store.listJobs({
          workflow: 'orders',
          limit: 2,
          match: parseMatches(['body.order.id:x']),
        });
        assert.deepEqual(
          first.jobs.map((j) => j.id),
          [ids[4], ids[3]],
        );
        assert.ok(first.nextCursor);
        assert.deepEqual(await find(store, ['body.order.id:x'], { cursor: first.nextCursor }), [
          ids[2],
          ids[1],
          ids[0],
        ]);
        assert.deepEqual(await find(store, ['body.order.id:x'], { status: 'failed' }), [ids[1]]);
      });

      void it('a match without a workflow is refused with invalid_match', async () => {
        await assert.rejects(
          (await current()).listJobs({ limit: 10, match: parseMatches(['body.a:1']) }),
          (e: unknown) => e instanceof HookflowError && e.code === 'invalid_match',
        );
      });
    });
  }

  void describe('search: declared on a workflow with history', () => {
    const find = async (store: Store, match: string) =>
      (
        await store.listJobs({
          workflow: 'orders',
          limit: 50,
          match: parseMatches([match]),
          indexedPaths: PATHS,
        })
      ).jobs.map((j) => j.id);
    async function accept(store: Store, id: number, terms: boolean): Promise<string> {
      const event = newEvent('orders');
      event.trigger = { ...triggerData({ id: event.id }), body: { order: { id } } };
      if (terms) event.search = searchTerms(event.trigger, DECLARED);
      await store.acceptEvent(event);
      return event.id;
    }

    void it('jobs stored before the path was declared are found by scanning, the later ones through the index', async () => {
      const store = currentStore();
      const before = await accept(store, 5, false);
      await store.declareSearchPaths('orders', PATHS);
      const after = await accept(store, 5, true);
      assert.deepEqual(await find(store, 'body.order.id:5'), [after, before]);
    });

    void it('a path left out and declared again is indexed from then on', async () => {
      const store = currentStore();
      await store.declareSearchPaths('orders', PATHS);
      const first = await accept(store, 6, true);
      await store.declareSearchPaths('orders', []);
      const meanwhile = await accept(store, 6, false);
      await store.declareSearchPaths('orders', PATHS);
      const last = await accept(store, 6, true);
      assert.deepEqual(await find(store, 'body.order.id:6'), [last, meanwhile, first]);
    });

    void it('declaring the same paths again changes nothing', async () => {
      const store = currentStore();
      await store.declareSearchPaths('orders', PATHS);
      const id = await accept(store, 7, true);
      await store.declareSearchPaths('orders', PATHS);
      assert.deepEqual(await find(store, 'body.order.id:7'), [id]);
    });
  });
}
