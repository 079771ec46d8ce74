// Search by payload and retention at scale, on both backends (docs/benchmarks.md "Search by
// payload" and "Retention at scale"). Not part of `npm run bench`: it seeds large databases.
//
//   node --import tsx bench/search.mjs [--jobs 1000000] [--retention-jobs 200000]
//        [--backends sqlite,postgres] [--skip search|retention|alternatives]
//
// Search: seeds --jobs finished jobs of one workflow ('orders') by bulk insert straight into a
// fresh database (SQLite: a temp file; PostgreSQL: a fresh schema of BENCH_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/test, dropped afterwards), with the search index
// rows of the declared path body.order.id; then times listJobs with match through the store:
// a declared path (the index) and undeclared ones (a scan of the workflow), p50/p99; one match
// over HTTP (the real server on the seeded database); what the index costs per accepted event;
// and, on PostgreSQL, the alternatives measured against it: a GIN (jsonb_path_ops) and a btree
// expression index over the trigger text cast to jsonb, and count(*) against the
// pg_class estimate that /metrics uses.
// Retention: seeds --retention-jobs finished jobs spread over 20 days, keeps 7 days, and times
// one pass while an event is accepted every 5 ms (its worst wait tells whether ingest stalled),
// with the database size before and after.
import { mkdtempSync, rmSync, statSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { createStore, newJobId } from '../src/store/index.js';
import { parseMatches, parseMatchPath, searchTerms } from '../src/search/index.js';
import { startRetention } from '../src/retention/index.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { benchDatabaseUrl } from './postgres.mjs';
import { parseWorkflow } from '../src/workflow/index.js';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000000' },
    'retention-jobs': { type: 'string', default: '200000' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    skip: { type: 'string', multiple: true, default: [] },
  },
});
const JOBS = Number(args.jobs);
const RETENTION_JOBS = Number(args['retention-jobs']);
const BACKENDS = args.backends.split(',');
const SKIP = new Set(args.skip);
const DATABASE_URL = benchDatabaseUrl();
const DECLARED = parseMatchPath('body.order.id');
const DAY = 86_400_000;
const log = (...a) => console.error(...a);

/** The trigger data of job i: a shop order webhook, about 900 bytes stored. */
function trigger(i, id) {
  const body = {
    id: `evt_${i}`,
    type: 'order.created',
    order: {
      id: 100000 + i,
      customer: { email: `c${i % 5000}@example.com`, name: `Customer ${i % 5000}` },
      total: (i % 997) * 1.5,
      currency: 'EUR',
      items: [
        { sku: `SKU-${i % 300}`, qty: 1 + (i % 3), price: 9.99 },
        { sku: `SKU-${i % 71}`, qty: 2, price: 4.5 },
      ],
    },
  };
  const rawBody = JSON.stringify(body);
  return {
    id,
    method: 'POST',
    path: 'orders',
    params: {},
    query: { source: i % 2 ? 'web' : 'pos' },
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Shopify-Captain-Hook',
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': `wh-${i}`,
      'content-length': String(rawBody.length),
    },
    body,
    rawBody,
    receivedAt: new Date().toISOString(),
  };
}

/** Rows of a chunk of seeded jobs: id, trigger JSON, created_at, the index term. */
function rows(from, to, createdAt) {
  const out = [];
  for (let i = from; i < to; i++) {
    const id = `seed${String(i).padStart(10, '0')}`;
    const t = trigger(i, id);
    out.push({
      id,
      trigger: JSON.stringify(t),
      createdAt: createdAt(i),
      term: searchTerms(t, [DECLARED])[0].term,
    });
  }
  return out;
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x) => Math.round(x * 10) / 10;
async function timed(fn) {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}
async function series(n, fn) {
  const times = [];
  let last;
  for (let k = 0; k < n; k++) {
    const [t, r] = await timed(() => fn(k));
    times.push(t);
    last = r;
  }
  return { p50: ms(quantile(times, 0.5)), p99: ms(quantile(times, 0.99)), runs: n, found: last };
}

// ---------- backends: a fresh database, bulk seeding, raw SQL ----------

function sqliteBackend() {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-bench-search-'));
  const file = join(dir, 'hookflow.db');
  const size = () =>
    [file, `${file}-wal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
  return {
    name: 'sqlite',
    dir,
    storeOptions: { sqliteFile: file },
    env: {},
    async seed(n, createdAt, workflow = 'orders') {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      const job = db.prepare(
        `INSERT INTO jobs (id, workflow, status, attempt, trigger, created_at, started_at, finished_at)
         VALUES (?, ?, 'succeeded', 1, ?, ?, ?, ?)`,
      );
      const term = db.prepare(
        'INSERT INTO job_search (workflow, path, term, seq) VALUES (?, ?, ?, ?)',
      );
      // Declared before the first job: every seeded job is in the index.
      db.prepare(
        'INSERT OR IGNORE INTO search_paths (workflow, path, since_seq) VALUES (?, ?, 1)',
      ).run(workflow, DECLARED.text);
      const chunk = db.transaction((rs) => {
        for (const r of rs) {
          const { lastInsertRowid } = job.run(
            r.id,
            workflow,
            r.trigger,
            r.createdAt,
            r.createdAt,
            r.createdAt + 5,
          );
          term.run(workflow, DECLARED.text, r.term, lastInsertRowid);
        }
      });
      for (let i = 0; i < n; i += 10_000) chunk(rows(i, Math.min(n, i + 10_000), createdAt));
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
    size,
    async searchIndexBytes() {
      const db = new Database(file, { readonly: true });
      try {
        return db
          .prepare(
            `SELECT sum(pgsize) FROM dbstat WHERE name IN ('job_search', 'job_search_by_seq')`,
          )
          .pluck()
          .get();
      } catch {
        return NaN; // dbstat not compiled in
      } finally {
        db.close();
      }
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(admin) {
  const schema = `hookflow_bench_${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-bench-search-'));
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: 2,
    options: `-c search_path=${schema}`,
  });
  return {
    name: 'postgres',
    dir,
    schema,
    pool,
    storeOptions: { databaseUrl: DATABASE_URL, schema },
    env: { HOOKFLOW_DATABASE_URL: DATABASE_URL, HOOKFLOW_DATABASE_SCHEMA: schema },
    async seed(n, createdAt, workflow = 'orders') {
      await pool.query(
        'INSERT INTO search_paths (workflow, path, since_seq) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING',
        [workflow, DECLARED.text],
      );
      for (let i = 0; i < n; i += 5_000) {
        const rs = rows(i, Math.min(n, i + 5_000), createdAt);
        await pool.query(
          `WITH j AS (
             INSERT INTO jobs (id, workflow, status, attempt, trigger, created_at, started_at, finished_at)
             SELECT id, $1, 'succeeded', 1, t, c, c, c + 5 FROM unnest($2::text[], $3::text[], $4::bigint[]) AS x (id, t, c)
             RETURNING seq, id)
           INSERT INTO job_search (workflow, path, term, seq)
           SELECT $1, $5, x.term, j.seq FROM unnest($2::text[], $6::text[]) AS x (id, term) JOIN j ON j.id = x.id`,
          [
            workflow,
            rs.map((r) => r.id),
            rs.map((r) => r.trigger),
            rs.map((r) => r.createdAt),
            DECLARED.text,
            rs.map((r) => r.term),
          ],
        );
      }
      await pool.query('VACUUM ANALYZE jobs');
      await pool.query('VACUUM ANALYZE job_search');
    },
    async size() {
      const { rows: r } = await pool.query(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS b FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      return Number(r[0].b);
    },
    async searchIndexBytes() {
      const { rows: r } = await pool.query(`SELECT pg_total_relation_size('job_search') AS b`);
      return Number(r[0].b);
    },
    async close() {
      await pool.end();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openStore(backend) {
  const store = createStore(backend.storeOptions);
  await store.init();
  return store;
}

// ---------- search ----------

async function benchSearch(backend) {
  const out = { jobs: JOBS };
  await (await openStore(backend)).close(); // migrations
  const now = Date.now();
  const [seedMs] = await timed(() => backend.seed(JOBS, (i) => now - (JOBS - i) * 10));
  out.seedSeconds = ms(seedMs / 1000);
  out.databaseMB = Math.round((await backend.size()) / 1e6);
  out.indexMB = Math.round((await backend.searchIndexBytes()) / 1e6);
  log(`  ${backend.name}: seeded ${JOBS} jobs in ${out.seedSeconds} s (${out.databaseMB} MB)`);

  const store = await openStore(backend);
  const list = (match, indexed) =>
    store.listJobs({
      workflow: 'orders',
      limit: 50,
      match: parseMatches(match),
      ...(indexed ? { indexedPaths: [DECLARED.text] } : {}),
    });
  const pick = (k) => Math.floor((((k * 7919) % 97) / 97) * JOBS);
  // Jobs found, and "+cursor" when the search ran out of time and answered where it stopped.
  const count = async (p) => {
    const page = await p;
    return `${page.jobs.length}${page.nextCursor && page.jobs.length < 50 ? '+cursor' : ''}`;
  };
  out.queries = {
    declaredOne: await series(20, (k) => count(list([`body.order.id:${100000 + pick(k)}`], true))),
    declaredNone: await series(20, () => count(list(['body.order.id:-1'], true))),
    declaredAndScanned: await series(20, (k) =>
      count(
        list([`body.order.id:${100000 + pick(k)}`, 'headers.x-shopify-topic:orders/create'], true),
      ),
    ),
    undeclaredCommon: await series(20, () => count(list(['body.order.currency:EUR'], false))),
    undeclaredOne: await series(3, (k) => count(list([`body.id:evt_${pick(k)}`], false))),
  };
  for (const [name, q] of Object.entries(out.queries))
    log(`  ${backend.name} ${name}: ${JSON.stringify(q)}`);

  out.ingestCostPerEvent = await ingestCost(store);
  log(`  ${backend.name} ingest: ${JSON.stringify(out.ingestCostPerEvent)}`);
  await store.close();

  out.http = await overHttp(backend);
  log(`  ${backend.name} over HTTP: ${JSON.stringify(out.http)}`);
  if (backend.name === 'postgres' && !SKIP.has('alternatives')) {
    out.alternatives = await postgresAlternatives(backend);
    log(`  postgres alternatives: ${JSON.stringify(out.alternatives)}`);
  }
  return out;
}

/** µs per accepted event through the store, without and with one declared path's term. */
async function ingestCost(store) {
  const N = 20_000;
  const run = async (indexed) => {
    const [t] = await timed(async () => {
      for (let i = 0; i < N; i += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, k) => {
            const id = newJobId();
            const t = trigger(JOBS + i + k, id);
            return store.acceptEvent({
              id,
              workflow: 'ingest',
              trigger: t,
              ...(indexed ? { search: searchTerms(t, [DECLARED]) } : {}),
            });
          }),
        );
      }
    });
    return (t * 1000) / N;
  };
  const plain = [];
  const indexed = [];
  for (let r = 0; r < 5; r++) {
    plain.push(await run(false));
    indexed.push(await run(true));
  }
  const p = quantile(plain, 0.5);
  const x = quantile(indexed, 0.5);
  return { plainUs: ms(p), indexedUs: ms(x), costUs: ms(x - p), runs: 5, events: N };
}

/** One match over HTTP: the real server on the seeded database, the workflow declaring the path. */
async function overHttp(backend) {
  const text = `name: orders\nsearch: [body.order.id]\ntrigger:\n  webhook: {path: orders}\nsteps:\n  - id: s\n    set: {ok: true}\n`;
  const config = loadConfig({ port: '0', host: '127.0.0.1', data: backend.dir }, backend.env);
  const app = await createApp(config, {
    workflows: [parseWorkflow(text, 'orders.yaml')],
    logger: pino({ level: 'silent' }),
  });
  const url = await app.listen();
  try {
    const get = async (q) => {
      const [t, r] = await timed(() =>
        fetch(`${url}/api/jobs?workflow=orders&${q}`).then((x) => x.json()),
      );
      return { ms: ms(t), jobs: r.jobs.length };
    };
    return {
      declared: await get(`match=body.order.id:${100000 + Math.floor(JOBS / 3)}`),
      undeclaredOne: await get(`match=body.id:evt_${Math.floor(JOBS / 3)}`),
    };
  } finally {
    await app.close();
  }
}

/** PostgreSQL: GIN jsonb_path_ops and a btree expression index, built over the same jobs. */
async function postgresAlternatives(backend) {
  const { pool } = backend;
  const out = {};
  const value = 100000 + Math.floor(JOBS / 2);
  const query = async (sql, params) =>
    series(10, () => pool.query(sql, params).then((r) => r.rowCount));
  const size = async (name) =>
    Number((await pool.query(`SELECT pg_relation_size($1::regclass) AS b`, [name])).rows[0].b);
  // Payloads are text (exact bytes kept); the cast skips what jsonb refuses (\u0000, lone
  // surrogates), which would otherwise fail the index build and every later insert.
  await pool.query(`CREATE FUNCTION bench_doc(t text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN t ~ '\\\\u(0000|d[89a-f])' THEN NULL ELSE t::jsonb - 'rawBody' END $$`);

  let [t] = await timed(() =>
    pool.query(`CREATE INDEX bench_gin ON jobs USING gin (bench_doc(trigger) jsonb_path_ops)`),
  );
  out.gin = { buildSeconds: ms(t / 1000), indexMB: Math.round((await size('bench_gin')) / 1e6) };
  out.gin.query = await query(
    `SELECT seq FROM jobs WHERE workflow = 'orders' AND bench_doc(trigger) @> $1::jsonb ORDER BY seq DESC LIMIT 51`,
    [JSON.stringify({ body: { order: { id: value } } })],
  );
  // The planner walks (workflow, seq) newest first hoping to meet 51 matches early, and casts
  // every trigger on the way; a MATERIALIZED CTE makes it take the GIN bitmap first.
  out.gin.queryViaBitmap = await query(
    `WITH m AS MATERIALIZED (SELECT seq FROM jobs WHERE workflow = 'orders' AND bench_doc(trigger) @> $1::jsonb)
     SELECT seq FROM m ORDER BY seq DESC LIMIT 51`,
    [JSON.stringify({ body: { order: { id: value } } })],
  );
  out.gin.insertUs = await insertCost(pool);
  await pool.query('DROP INDEX bench_gin');

  [t] = await timed(() =>
    pool.query(
      `CREATE INDEX bench_expr ON jobs (workflow, (bench_doc(trigger) #>> '{body,order,id}'), seq)`,
    ),
  );
  out.expression = {
    buildSeconds: ms(t / 1000),
    indexMB: Math.round((await size('bench_expr')) / 1e6),
  };
  out.expression.query = await query(
    `SELECT seq FROM jobs WHERE workflow = 'orders' AND bench_doc(trigger) #>> '{body,order,id}' = $1 ORDER BY seq DESC LIMIT 51`,
    [String(value)],
  );
  out.expression.insertUs = await insertCost(pool);
  await pool.query('DROP INDEX bench_expr');
  out.noExtraIndex = { insertUs: await insertCost(pool) };

  [t, out.countStar] = await timed(() =>
    pool.query('SELECT count(*) FROM jobs').then((r) => Number(r.rows[0].count)),
  );
  out.countStarMs = ms(t);
  [t, out.estimate] = await timed(() =>
    pool
      .query(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'jobs'::regclass`)
      .then((r) => Number(r.rows[0].n)),
  );
  out.estimateMs = ms(t);
  return out;
}

/** µs per job inserted 500 at a time (20,000 jobs), with whatever indexes exist now; median of 3. */
async function insertCost(pool) {
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(await insertCostOnce(pool));
  return quantile(runs, 0.5);
}

async function insertCostOnce(pool) {
  const N = 20_000;
  const [t] = await timed(async () => {
    for (let i = 0; i < N; i += 500) {
      const rs = rows(JOBS + i, JOBS + i + 500, () => Date.now()).map((r) => ({
        ...r,
        id: newJobId(),
      }));
      await pool.query(
        `INSERT INTO jobs (id, workflow, status, trigger, created_at)
         SELECT id, 'ingest', 'queued', t, c FROM unnest($1::text[], $2::text[], $3::bigint[]) AS x (id, t, c)`,
        [rs.map((r) => r.id), rs.map((r) => r.trigger), rs.map((r) => r.createdAt)],
      );
    }
  });
  await pool.query(`DELETE FROM jobs WHERE workflow = 'ingest'`);
  return ms((t * 1000) / N);
}

// ---------- retention ----------

async function benchRetention(backend) {
  const out = { jobs: RETENTION_JOBS, keep: '7d' };
  await (await openStore(backend)).close();
  const now = Date.now();
  const [seedMs] = await timed(() =>
    backend.seed(RETENTION_JOBS, (i) => now - 20 * DAY + (i / RETENTION_JOBS) * 20 * DAY),
  );
  out.seedSeconds = ms(seedMs / 1000);
  out.sizeBeforeMB = Math.round((await backend.size()) / 1e6);
  const store = await openStore(backend);
  const retention = startRetention({
    store,
    defaults: { maxAgeMs: 7 * DAY },
    retentionOf: () => undefined,
    log: pino({ level: 'silent' }),
    intervalMs: 3_600_000,
  });
  // An event every 5 ms meanwhile: its worst wait shows whether ingest stalled.
  const waits = [];
  let pruning = true;
  const ingest = (async () => {
    for (let i = 0; pruning; i++) {
      const id = newJobId();
      const [t] = await timed(() =>
        store.acceptEvent({ id, workflow: 'live', trigger: trigger(i, id) }),
      );
      waits.push(t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const [pruneMs, pruned] = await timed(() => retention.runOnce());
  pruning = false;
  await ingest;
  retention.stop();
  out.pruned = pruned;
  out.pruneSeconds = ms(pruneMs / 1000);
  out.kept = (await store.countJobs()) - waits.length;
  out.ingestDuringPrune = {
    events: waits.length,
    p50Ms: ms(quantile(waits, 0.5)),
    p99Ms: ms(quantile(waits, 0.99)),
    maxMs: ms(Math.max(...waits)),
  };
  await store.close();
  if (backend.name === 'sqlite') {
    const db = new Database(backend.storeOptions.sqliteFile);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  } else {
    await backend.pool.query('VACUUM jobs');
  }
  out.sizeAfterMB = Math.round((await backend.size()) / 1e6);
  return out;
}

// ---------- main ----------

const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
const results = {
  date: new Date().toISOString(),
  jobs: JOBS,
  retentionJobs: RETENTION_JOBS,
  backends: {},
};
try {
  for (const name of BACKENDS) {
    const r = (results.backends[name] = {});
    if (!SKIP.has('search')) {
      const backend = name === 'sqlite' ? sqliteBackend() : postgresBackend(admin);
      log(`search on ${name}`);
      try {
        r.search = await benchSearch(backend);
      } finally {
        await backend.close();
      }
    }
    if (!SKIP.has('retention')) {
      const backend = name === 'sqlite' ? sqliteBackend() : postgresBackend(admin);
      log(`retention on ${name}`);
      try {
        r.retention = await benchRetention(backend);
        log(`  ${name} retention: ${JSON.stringify(r.retention)}`);
      } finally {
        await backend.close();
      }
    }
  }
} finally {
  await admin.end();
}
console.log(JSON.stringify(results, null, 2));
