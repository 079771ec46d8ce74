import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { HookflowError } from '../errors.js';
import { createSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/types.js';
import { WorkflowCatalog, WorkflowRegistry } from './index.js';

const doc = (name: string, path: string, extra = '') =>
  `name: ${name}\ntrigger:\n  webhook: {path: ${path}}\n${extra}`;

describe('WorkflowCatalog', () => {
  let dir: string;
  let store: Store;
  let registry: WorkflowRegistry;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookflow-catalog-'));
    store = createSqliteStore({ file: join(dir, 'hookflow.db') });
    await store.init();
    registry = new WorkflowRegistry(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with known connections, a pushed workflow naming another one is invalid', async () => {
    const catalog = new WorkflowCatalog(registry, store, pino({ level: 'silent' }), {
      connections: () => new Set(['crm']),
    });
    await catalog.load([]);
    const steps = 'steps:\n  - id: call\n    http: {connection: jira, url: /x}\n';
    await assert.rejects(
      catalog.put('orders', doc('orders', 'orders', steps), 'yaml'),
      (e: unknown) => e instanceof HookflowError && e.code === 'invalid_workflow',
    );
    const ok = steps.replace('jira', 'crm');
    assert.equal((await catalog.put('orders', doc('orders', 'orders', ok), 'yaml')).created, true);
  });

  it('concurrent changes run one at a time: of two pushes to one route, one wins and one is refused', async () => {
    const catalog = new WorkflowCatalog(registry, store, pino({ level: 'silent' }));
    await catalog.load([]);
    const results = await Promise.allSettled([
      catalog.put('first', doc('first', 'shared'), 'yaml'),
      catalog.put('second', doc('second', 'shared'), 'yaml'),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected'],
    );
    const refused = (results[1] as PromiseRejectedResult).reason as HookflowError;
    assert.equal(refused.code, 'route_conflict');
    assert.deepEqual(
      (await store.listStoredWorkflows()).map((w) => w.name),
      ['first'],
    );
    assert.equal(catalog.origin('first'), 'api');
    assert.equal(catalog.origin('second'), undefined);
  });
});
