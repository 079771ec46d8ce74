/**
 * @module store/contract/workflows
 * The contract of what the management API keeps about workflows: the ones pushed over the API
 * and the enable/disable overrides.
 *
 * @example
 *   describe('my store', () => workflowsContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CurrentStore } from './fixtures.js';

const ORDERS = 'name: orders\ntrigger:\n  webhook: {path: orders}\n';

export function workflowsContract(current: CurrentStore): void {
  void describe('stored workflows', () => {
    void it('listStoredWorkflows on an empty store is empty', async () => {
      assert.deepEqual(await current().listStoredWorkflows(), []);
    });

    void it('putStoredWorkflow keeps the text and format, listed in name order', async () => {
      const store = current();
      await store.putStoredWorkflow({ name: 'orders', text: ORDERS, format: 'yaml' });
      await store.putStoredWorkflow({ name: 'alpha', text: '{"name":"alpha"}', format: 'json' });
      const listed = await store.listStoredWorkflows();
      assert.deepEqual(
        listed.map(({ name, text, format }) => ({ name, text, format })),
        [
          { name: 'alpha', text: '{"name":"alpha"}', format: 'json' },
          { name: 'orders', text: ORDERS, format: 'yaml' },
        ],
      );
      assert.ok(listed.every((w) => !Number.isNaN(Date.parse(w.updatedAt))));
    });

    void it('a second putStoredWorkflow of a name replaces the first', async () => {
      const store = current();
      await store.putStoredWorkflow({ name: 'orders', text: ORDERS, format: 'yaml' });
      await store.putStoredWorkflow({ name: 'orders', text: '{}', format: 'json' });
      const listed = await store.listStoredWorkflows();
      assert.equal(listed.length, 1);
      assert.equal(listed[0]?.text, '{}');
      assert.equal(listed[0]?.format, 'json');
    });

    void it('deleteStoredWorkflow removes it, and is false for a name never stored', async () => {
      const store = current();
      await store.putStoredWorkflow({ name: 'orders', text: ORDERS, format: 'yaml' });
      assert.equal(await store.deleteStoredWorkflow('orders'), true);
      assert.equal(await store.deleteStoredWorkflow('orders'), false);
      assert.deepEqual(await store.listStoredWorkflows(), []);
    });
  });

  void describe('workflow overrides', () => {
    void it('setWorkflowOverride keeps enabled and hash; null removes it', async () => {
      const store = current();
      await store.setWorkflowOverride('orders', { enabled: false, hash: 'h1' });
      await store.setWorkflowOverride('billing', { enabled: true, hash: 'h2' });
      assert.deepEqual(await store.listWorkflowOverrides(), [
        { name: 'billing', enabled: true, hash: 'h2' },
        { name: 'orders', enabled: false, hash: 'h1' },
      ]);
      await store.setWorkflowOverride('orders', { enabled: true, hash: 'h3' });
      await store.setWorkflowOverride('billing', null);
      assert.deepEqual(await store.listWorkflowOverrides(), [
        { name: 'orders', enabled: true, hash: 'h3' },
      ]);
    });
  });
}
