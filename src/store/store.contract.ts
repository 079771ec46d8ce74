/**
 * @module store/store.contract
 * One test suite for every Store backend: each backend's test file calls `runStoreContract`
 * with a factory of fresh, empty stores. The suite calls `init()` before each test and
 * `close()` after it, then the factory's `cleanup`.
 *
 * @example
 *   runStoreContract('sqlite', async () => {
 *     const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookflow-'));
 *     const store = createSqliteStore({ file: path.join(dir, 'hookflow.db') });
 *     return { store, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
 *   });
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ingestContract } from './contract/ingest.contract.js';
import { jobsContract } from './contract/jobs.contract.js';
import { leasesContract } from './contract/leases.contract.js';
import { lifecycleContract } from './contract/lifecycle.contract.js';
import { listingContract } from './contract/listing.contract.js';
import { traceContract } from './contract/trace.contract.js';
import { transferContract } from './contract/transfer.contract.js';
import { triggersContract } from './contract/triggers.contract.js';
import { connectionsContract } from './contract/connections.contract.js';
import { workflowsContract } from './contract/workflows.contract.js';
import { locksContract } from './contract/locks.contract.js';
import { flowControlContract } from './contract/flow-control.contract.js';
import { retentionContract } from './contract/retention.contract.js';
import { replaysContract } from './contract/replays.contract.js';
import { debounceContract } from './contract/debounce.contract.js';
import { throttlesContract } from './contract/throttles.contract.js';
import type { Store } from './types.js';

export interface StoreUnderTest {
  /** A new, empty store, not yet initialised. */
  store: Store;
  /** Removes what the factory created (files, schemas); runs after `close()`. */
  cleanup: () => Promise<void>;
}

export interface ContractOptions {
  /** A reason to skip the whole suite (a backend that is not available here). */
  skip?: string | false;
}

export function runStoreContract(
  name: string,
  make: () => Promise<StoreUnderTest>,
  opts: ContractOptions = {},
): void {
  void describe(`Store contract: ${name}`, { skip: opts.skip ?? false }, () => {
    let underTest: StoreUnderTest | null = null;
    const current = (): Store => {
      assert.ok(underTest, 'the store is created in beforeEach');
      return underTest.store;
    };

    beforeEach(async () => {
      underTest = await make();
      await underTest.store.init();
    });
    afterEach(async () => {
      const done = underTest;
      underTest = null;
      if (done === null) return;
      try {
        await done.store.close();
      } finally {
        await done.cleanup();
      }
    });

    void it('init is idempotent', async () => {
      await current().init();
      assert.equal(await current().getMeta('anything'), null);
    });

    ingestContract(current);
    jobsContract(current);
    leasesContract(current);
    listingContract(current);
    lifecycleContract(current);
    triggersContract(current);
    connectionsContract(current);
    workflowsContract(current);
    traceContract(current);
    transferContract(current);
    locksContract(current);
    flowControlContract(current);
    retentionContract(current);
    replaysContract(current);
    debounceContract(current);
    throttlesContract(current);
  });
}
