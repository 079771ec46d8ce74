import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from './index.js';

const load = (flags: { role?: string }, env: Record<string, string> = {}) =>
  loadConfig(flags, env, '/tmp');

void describe('config: roles and the database', () => {
  test('with nothing set, one process runs every role on SQLite', () => {
    const c = load({});
    assert.equal(c.role, 'all');
    assert.equal(c.databaseUrl, null);
  });

  test('--role ingress or worker on SQLite is refused with one line saying what to set', () => {
    for (const role of ['ingress', 'worker']) {
      assert.throws(
        () => load({ role }),
        new RegExp(
          `^ConfigError: invalid configuration: --role: '${role}' runs beside other processes over one PostgreSQL database; set HOOKFLOW_DATABASE_URL=postgres://…, or run --role all \\(the default\\) on SQLite$`,
        ),
      );
    }
  });

  test('HOOKFLOW_DATABASE_URL selects PostgreSQL, and then every role may run', () => {
    const url = 'postgres://hookflow@db.internal:5432/hookflow';
    for (const role of ['all', 'ingress', 'worker']) {
      const c = load({ role }, { HOOKFLOW_DATABASE_URL: url });
      assert.equal(c.role, role);
      assert.equal(c.databaseUrl, url);
    }
  });

  test('the PostgreSQL schema is HOOKFLOW_DATABASE_SCHEMA, public when unset', () => {
    const url = 'postgres://hookflow@db.internal:5432/hookflow';
    assert.equal(load({}, { HOOKFLOW_DATABASE_URL: url }).databaseSchema, 'public');
    const c = load({}, { HOOKFLOW_DATABASE_URL: url, HOOKFLOW_DATABASE_SCHEMA: 'hookflow' });
    assert.equal(c.databaseSchema, 'hookflow');
    assert.throws(
      () => load({}, { HOOKFLOW_DATABASE_URL: url, HOOKFLOW_DATABASE_SCHEMA: 'Hook-flow' }),
      /^ConfigError: invalid configuration: HOOKFLOW_DATABASE_SCHEMA: expected a lowercase SQL name/,
    );
  });

  test('a HOOKFLOW_DATABASE_URL that is not postgres:// is refused, not ignored', () => {
    assert.throws(
      () => load({}, { HOOKFLOW_DATABASE_URL: 'mysql://db/hookflow' }),
      /^ConfigError: invalid configuration: HOOKFLOW_DATABASE_URL: expected a postgres:\/\/ URL/,
    );
    assert.throws(
      () => load({}, { HOOKFLOW_DATABASE_URL: 'hookflow.db' }),
      /HOOKFLOW_DATABASE_URL: expected a PostgreSQL URL/,
    );
  });

  test('an unknown role is refused', () => {
    assert.throws(() => load({ role: 'both' }), /--role: expected all, ingress or worker/);
  });
});
