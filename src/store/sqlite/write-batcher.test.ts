import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { HookflowError } from '../../errors.js';
import type { WriteBatcher } from './write-batcher.js';
import { createWriteBatcher } from './write-batcher.js';

void describe('write batcher', () => {
  let dir: string;
  let db: BetterSqlite3.Database;
  let batcher: WriteBatcher;
  const insert = (value: string) => () => {
    db.prepare('INSERT INTO t (v) VALUES (?)').run(value);
    return value;
  };
  const stored = (): string[] => db.prepare<[], string>('SELECT v FROM t ORDER BY v').pluck().all();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookflow-batcher-'));
    db = new Database(path.join(dir, 'b.db'));
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE t (v TEXT PRIMARY KEY);
      CREATE TABLE child (p TEXT REFERENCES t (v) DEFERRABLE INITIALLY DEFERRED);`);
    db.pragma('foreign_keys = ON');
    batcher = createWriteBatcher(db);
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  void it('writes queued in one turn share one transaction', async () => {
    const values = Array.from({ length: 100 }, (_, i) => `v${String(i).padStart(3, '0')}`);
    const results = await Promise.all(values.map((v) => batcher.write('insert', insert(v))));
    assert.deepEqual(results, values);
    assert.equal(batcher.commits, 1);
    assert.deepEqual(stored(), values);
  });

  void it('a write resolves only once another connection can read it', async () => {
    const other = new Database(path.join(dir, 'b.db'), { readonly: true });
    try {
      const pending = batcher.write('insert', insert('x'));
      assert.equal(other.prepare('SELECT count(*) FROM t').pluck().get(), 0);
      await pending;
      assert.equal(other.prepare('SELECT count(*) FROM t').pluck().get(), 1);
    } finally {
      other.close();
    }
  });

  void it('a failing write rolls back alone and rejects only its caller', async () => {
    const failing = () => {
      insert('half-done')();
      throw new Error('boom');
    };
    const results = await Promise.allSettled([
      batcher.write('insert', insert('a')),
      batcher.write('failing', failing),
      batcher.write('insert', insert('b')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const reason: unknown = results[1]?.status === 'rejected' ? results[1].reason : null;
    assert.ok(reason instanceof HookflowError);
    assert.equal(reason.code, 'store_write_failed');
    assert.match(reason.message, /^failing was not stored: boom/);
    assert.deepEqual(stored(), ['a', 'b']);
  });

  void it('when the commit itself fails, every write of the batch is rejected and none is kept', async () => {
    const orphan = () => db.prepare("INSERT INTO child (p) VALUES ('missing')").run();
    const results = await Promise.allSettled([
      batcher.write('insert', insert('a')),
      batcher.write('orphan', orphan),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.deepEqual(stored(), []);
    assert.equal(db.inTransaction, false);
    assert.equal(await batcher.write('insert', insert('c')), 'c');
  });

  void it('close commits queued writes and rejects later ones with store_closed', async () => {
    const queued = batcher.write('insert', insert('q'));
    await batcher.close();
    assert.equal(await queued, 'q');
    await assert.rejects(
      batcher.write('insert', insert('late')),
      (e: unknown) => e instanceof HookflowError && e.code === 'store_closed',
    );
    assert.deepEqual(stored(), ['q']);
  });

  void describe('with walFile: the WAL is synced off the event loop', () => {
    let walBatcher: WriteBatcher;
    beforeEach(() => {
      db.pragma('synchronous = NORMAL');
      walBatcher = createWriteBatcher(db, { walFile: path.join(dir, 'b.db-wal') });
    });

    void it('a write resolves only after an fsync that began after its commit', async () => {
      const pending = walBatcher.write('insert', insert('x'));
      let resolved = false;
      void pending.then(() => (resolved = true));
      await new Promise((r) => setImmediate(r));
      // Committed (visible on this connection), but the fsync has not come back yet.
      assert.equal(walBatcher.commits, 1);
      assert.deepEqual(stored(), ['x']);
      assert.equal(resolved, false);
      await pending;
      assert.equal(walBatcher.syncs, 1);
    });

    void it('a write marked durable: false settles at its commit, before the fsync', async () => {
      const durable = walBatcher.write('insert', insert('d'));
      const claim = walBatcher.write('insert', insert('c'), { durable: false });
      assert.equal(await claim, 'c');
      assert.equal(walBatcher.syncs, 0);
      assert.equal(await durable, 'd');
      assert.equal(walBatcher.syncs, 1);
    });

    void it('writes of the turns during an fsync commit at once and share the next one', async () => {
      const first = walBatcher.write('insert', insert('a'));
      await new Promise((r) => setImmediate(r));
      assert.equal(walBatcher.commits, 1);
      const later: Promise<string>[] = [];
      for (let turn = 0; turn < 5; turn++) {
        later.push(walBatcher.write('insert', insert(`b${turn}`)));
        await new Promise((r) => setImmediate(r));
      }
      // Each turn committed without waiting for the disk…
      assert.equal(walBatcher.commits, 6);
      assert.deepEqual(stored(), ['a', 'b0', 'b1', 'b2', 'b3', 'b4']);
      await Promise.all([first, ...later]);
      // …and the commits made while a sync ran were covered together by the next one.
      assert.ok(walBatcher.syncs < 6, `${walBatcher.syncs} syncs for 6 commits`);
    });

    void it('a failed fsync rejects the writes it covered and every later one', async () => {
      const broken = createWriteBatcher(db, { walFile: path.join(dir, 'missing', 'b.db-wal') });
      await assert.rejects(
        broken.write('insert', insert('y')),
        (e: unknown) => e instanceof HookflowError && e.code === 'store_write_failed',
      );
      await assert.rejects(
        broken.write('insert', insert('z')),
        (e: unknown) => e instanceof HookflowError && /could not be synced/.test(e.message),
      );
    });

    void it('close waits for the running fsync', async () => {
      const queued = walBatcher.write('insert', insert('q'));
      await walBatcher.close();
      assert.equal(walBatcher.syncs, 1);
      assert.equal(await queued, 'q');
    });
  });
});
