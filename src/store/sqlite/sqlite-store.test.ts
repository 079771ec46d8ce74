import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { HookflowError } from '../../errors.js';
import { newEvent, withKey } from '../contract/fixtures.js';
import { runStoreContract } from '../store.contract.js';
import { MIGRATIONS } from './migrations.js';
import { createSqliteStore } from './sqlite-store.js';

const LATEST = MIGRATIONS.at(-1)?.version;

const tempDirs: string[] = [];
function tempFile(name = 'hookflow.db'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookflow-store-'));
  tempDirs.push(dir);
  return path.join(dir, name);
}
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

runStoreContract('sqlite', async () => {
  const file = tempFile();
  return {
    store: createSqliteStore({ file }),
    cleanup: async () => fs.rmSync(path.dirname(file), { recursive: true, force: true }),
  };
});

const hasCode = (code: string) => (e: unknown) => e instanceof HookflowError && e.code === code;

void describe('SQLite store', () => {
  void it('init creates the database file and its missing parent directories', async () => {
    const file = path.join(path.dirname(tempFile()), 'a', 'b', 'hookflow.db');
    const store = createSqliteStore({ file });
    await store.init();
    await store.close();
    assert.ok(fs.existsSync(file));
  });

  void it('the file is in WAL mode at the latest schema version', async () => {
    const file = tempFile();
    const store = createSqliteStore({ file });
    await store.init();
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('user_version', { simple: true }), LATEST);
    } finally {
      db.close();
      await store.close();
    }
  });

  void it('jobs, dedupe keys and settings survive close and reopen', async () => {
    const file = tempFile();
    const first = createSqliteStore({ file });
    await first.init();
    const event = newEvent('orders', withKey('k'));
    await first.acceptEvent(event);
    await first.setMeta('token', 'abc');
    await first.close();

    const second = createSqliteStore({ file });
    await second.init();
    try {
      assert.deepEqual((await second.getJob(event.id))?.trigger, event.trigger);
      assert.equal((await second.acceptEvent(newEvent('orders', withKey('k')))).kind, 'duplicate');
      assert.equal(await second.getMeta('token'), 'abc');
    } finally {
      await second.close();
    }
  });

  void it('a lease left by a previous run of the process is expired at init: its job resumes at once', async () => {
    const file = tempFile();
    const first = createSqliteStore({ file });
    await first.init();
    const event = newEvent('orders');
    await first.acceptEvent(event);
    await first.claimJob(event.id, { owner: 'before-restart', leaseMs: 3_600_000 });
    await first.close();

    const second = createSqliteStore({ file });
    await second.init();
    try {
      const resumed = await second.claimJob(event.id, { owner: 'after-restart', leaseMs: 30_000 });
      assert.equal(resumed?.attempt, 2);
    } finally {
      await second.close();
    }
  });

  void it('close commits the writes queued in the same turn', async () => {
    const file = tempFile();
    const store = createSqliteStore({ file });
    await store.init();
    const event = newEvent('orders');
    const accepted = store.acceptEvent(event);
    await store.close();
    assert.equal((await accepted).kind, 'accepted');

    const reopened = createSqliteStore({ file });
    await reopened.init();
    assert.ok(await reopened.getJob(event.id));
    await reopened.close();
  });

  void it('calls before init are rejected with store_not_ready, after close with store_closed', async () => {
    const store = createSqliteStore({ file: tempFile() });
    await assert.rejects(store.acceptEvent(newEvent()), hasCode('store_not_ready'));
    await assert.rejects(store.getJob('x'), hasCode('store_not_ready'));
    await store.init();
    await store.close();
    await assert.rejects(store.acceptEvent(newEvent()), hasCode('store_closed'));
    await assert.rejects(store.listJobs({ limit: 1 }), hasCode('store_closed'));
  });

  void it('a database from a newer Hookflow is refused with both versions in the message', async () => {
    const file = tempFile();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    const store = createSqliteStore({ file });
    await assert.rejects(store.init(), (e: unknown) => {
      assert.ok(hasCode('store_schema_too_new')(e));
      assert.match((e as Error).message, new RegExp(`schema version 99 .* up to ${LATEST}`));
      return true;
    });
  });

  void it('a step with a startedAt that is not a timestamp is rejected naming the step', async () => {
    const store = createSqliteStore({ file: tempFile() });
    await store.init();
    const event = newEvent();
    await store.acceptEvent(event);
    const step = { seq: 0, id: 'fetch', type: 'http', status: 'succeeded' as const };
    const bad = { ...step, input: null, output: null, error: null, attempts: 1, durationMs: 1 };
    await assert.rejects(
      store.saveStep(event.id, { ...bad, startedAt: 'yesterday' }, 'worker-a'),
      (e: unknown) => hasCode('store_invalid_value')(e) && /'fetch'/.test((e as Error).message),
    );
    await store.close();
  });

  void it('every event acknowledged before a kill -9 is in the file afterwards', async () => {
    const file = tempFile();
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const script = fileURLToPath(new URL('./fixtures/accept-until-killed.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => {
      child.on('close', (_code, signal) => resolve(signal));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.length > 27 * 3000 && !child.killed) child.kill('SIGKILL');
    });
    assert.equal(await exited, 'SIGKILL');

    // Only complete lines count: a torn last line was being written when the kill came.
    const ids = output.split('\n').slice(0, -1);
    assert.ok(ids.length >= 3000, `only ${ids.length} ids were printed`);
    const store = createSqliteStore({ file });
    await store.init();
    try {
      const stored = new Set(await store.unfinishedJobs());
      const missing = ids.filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${ids.length} acknowledged ids are lost`);
    } finally {
      await store.close();
    }
  });
});
