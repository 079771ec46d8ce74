/**
 * @module store/contract/connections
 * The contract of what connections keep in the store: API-created connection documents,
 * sealed OAuth2 tokens and pending authorizations (single use, with an expiry).
 *
 * @example
 *   describe('my store', () => connectionsContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredConnection } from '../types.js';
import type { CurrentStore } from './fixtures.js';
import { inAnHour } from './fixtures.js';

function stored(name: string, overrides: Partial<StoredConnection> = {}): StoredConnection {
  return {
    name,
    document: `name: ${name}\ntype: none\n`,
    sealed: false,
    updatedAt: '2025-01-02T03:04:05.000Z',
    ...overrides,
  };
}

export function connectionsContract(current: CurrentStore): void {
  void describe('connections', () => {
    void it('put connections are listed by name with their document and sealed flag', async () => {
      const store = current();
      await store.putConnection(stored('zeta'));
      await store.putConnection(stored('alpha', { document: 'v1:abc', sealed: true }));
      assert.deepEqual(await store.listConnections(), [
        stored('alpha', { document: 'v1:abc', sealed: true }),
        stored('zeta'),
      ]);
    });

    void it('putting a connection again replaces it', async () => {
      const store = current();
      await store.putConnection(stored('crm'));
      await store.putConnection(stored('crm', { document: 'name: crm\ntype: basic\n' }));
      const all = await store.listConnections();
      assert.equal(all.length, 1);
      assert.equal(all[0]!.document, 'name: crm\ntype: basic\n');
    });

    void it('deleting a connection removes it and its tokens; false when there was none', async () => {
      const store = current();
      await store.putConnection(stored('crm'));
      await store.setConnectionTokens('crm', 'v1:tokens');
      assert.equal(await store.deleteConnection('crm'), true);
      assert.deepEqual(await store.listConnections(), []);
      assert.equal(await store.getConnectionTokens('crm'), null);
      assert.equal(await store.deleteConnection('crm'), false);
    });

    void it('tokens are stored, replaced and deleted per connection', async () => {
      const store = current();
      assert.equal(await store.getConnectionTokens('crm'), null);
      await store.setConnectionTokens('crm', 'v1:a');
      await store.setConnectionTokens('crm', 'v1:b');
      await store.setConnectionTokens('other', 'v1:c');
      assert.equal(await store.getConnectionTokens('crm'), 'v1:b');
      await store.setConnectionTokens('crm', null);
      assert.equal(await store.getConnectionTokens('crm'), null);
      assert.equal(await store.getConnectionTokens('other'), 'v1:c');
    });

    void it('tokens set with an expected value are written only while that value is stored', async () => {
      const store = current();
      assert.equal(await store.setConnectionTokens('crm', 'v1:a', null), true);
      assert.equal(await store.setConnectionTokens('crm', 'v1:x', null), false);
      assert.equal(await store.setConnectionTokens('crm', 'v1:b', 'v1:a'), true);
      assert.equal(await store.setConnectionTokens('crm', 'v1:y', 'v1:a'), false);
      assert.equal(await store.getConnectionTokens('crm'), 'v1:b');
      assert.equal(await store.setConnectionTokens('crm', null, 'v1:a'), false);
      assert.equal(await store.setConnectionTokens('crm', null, 'v1:b'), true);
      assert.equal(await store.getConnectionTokens('crm'), null);
    });

    void it('of two refreshes of one token racing, exactly one is stored', async () => {
      const store = current();
      await store.setConnectionTokens('crm', 'v1:old');
      const wins = await Promise.all([
        store.setConnectionTokens('crm', 'v1:first', 'v1:old'),
        store.setConnectionTokens('crm', 'v1:second', 'v1:old'),
      ]);
      assert.equal(wins.filter(Boolean).length, 1);
      assert.equal(await store.getConnectionTokens('crm'), wins[0] ? 'v1:first' : 'v1:second');
    });

    void it('a pending authorization is taken once', async () => {
      const store = current();
      const state = { state: 's1', connection: 'crm', data: 'v1:x', expiresAt: inAnHour() };
      await store.saveOAuthState(state);
      assert.deepEqual(await store.takeOAuthState('s1', Date.now()), state);
      assert.equal(await store.takeOAuthState('s1', Date.now()), null);
    });

    void it('an expired pending authorization is not taken, and expired ones are dropped', async () => {
      const store = current();
      const now = Date.now();
      await store.saveOAuthState({
        state: 'old',
        connection: 'crm',
        data: 'd',
        expiresAt: now - 1,
      });
      await store.saveOAuthState({
        state: 'old2',
        connection: 'crm',
        data: 'd',
        expiresAt: now + 10,
      });
      assert.equal(await store.takeOAuthState('old', now), null);
      assert.equal(await store.takeOAuthState('old2', now + 20), null);
    });
  });
}
