// The durable floor: the least a webhook receiver can do on this machine and still keep every
// event it answers — read the body, JSON.parse it, store it, and answer 202 only once the
// store says it is on disk. No routing, no verification, no framework: node:http and the
// database driver. With `+jobs`, the same process also runs each event's job the least a job
// can be run: claim it, finish it and store one step record (three row versions and a step,
// as a Hookflow job of one `set` step writes), so the figures show what jobs cost the store.
//
//   node bench/floor.mjs sqlite|sqlite+jobs|pg|pg+jobs   (forked by bench/run.mjs over IPC)
//
// sqlite: better-sqlite3 in WAL mode, each event-loop turn's events in one transaction, the
//   WAL synced with fdatasync off the loop and pipelined (commits go on while a sync runs;
//   the next sync covers them) — as Hookflow's store does, on one thread.
// pg: a pool of 10, each turn's events in one multi-row INSERT (synchronous_commit on), the
//   reply after it returns (the design of the PostgreSQL target's reference figure, without
//   Fastify). Jobs are claimed with FOR UPDATE SKIP LOCKED on a connection of their own, as
//   Hookflow's workers do.
// Env: FLOOR_DIR (sqlite: the data directory), FLOOR_DATABASE_URL and FLOOR_SCHEMA (pg).
// It reports its port over IPC; the message 'stats' answers with the jobs still queued.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

const mode = process.argv[2] ?? 'sqlite';
const withJobs = mode.endsWith('+jobs');
const ACCEPTED = Buffer.from('{"accepted":true}');
const BAD = Buffer.from('{"error":"bad_json"}');
const CLAIM_LIMIT = 500;

const store = mode.startsWith('pg') ? await pgStore() : await sqliteStore();

let batch = [];
let scheduled = null;

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json', 'content-length': BAD.length });
      res.end(BAD);
      return;
    }
    batch.push({ id: randomUUID(), trigger: JSON.stringify({ body, rawBody: raw }), res });
    scheduled ??= setImmediate(flush);
  });
});

function flush() {
  scheduled = null;
  const events = batch;
  batch = [];
  store.accept(events).then(
    () => {
      for (const e of events) {
        e.res.writeHead(202, {
          'content-type': 'application/json',
          'content-length': ACCEPTED.length,
        });
        e.res.end(ACCEPTED);
      }
      if (withJobs) store.runJobs();
    },
    (err) => {
      for (const e of events) {
        e.res.writeHead(503);
        e.res.end(String(err.message));
      }
    },
  );
}

async function sqliteStore() {
  const { default: Database } = await import('better-sqlite3');
  const dir = process.env.FLOOR_DIR;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'floor.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS jobs (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
      workflow TEXT NOT NULL, status TEXT NOT NULL, trigger TEXT NOT NULL,
      created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER);
    CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, seq);
    CREATE INDEX IF NOT EXISTS jobs_by_workflow ON jobs (workflow, seq);
    CREATE TABLE IF NOT EXISTS steps (job_id TEXT NOT NULL, seq INTEGER NOT NULL,
      output TEXT, PRIMARY KEY (job_id, seq));`);
  const insert = db.prepare(
    `INSERT INTO jobs (id, workflow, status, trigger, created_at) VALUES (?, 'floor', 'queued', ?, ?)`,
  );
  const claim = db.prepare(`UPDATE jobs SET status = 'running', started_at = ?
    WHERE seq IN (SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT ${CLAIM_LIMIT})
    RETURNING id`);
  const finish = db.prepare(`UPDATE jobs SET status = 'succeeded', finished_at = ? WHERE id = ?`);
  const step = db.prepare(`INSERT INTO steps (job_id, seq, output) VALUES (?, 0, '{"n":1}')`);
  const acceptAll = db.transaction((events) => {
    const now = Date.now();
    for (const e of events) insert.run(e.id, e.trigger, now);
  });
  // Claimed in one pass, finished (with their step) in the next: a job's three writes.
  let claimed = [];
  const jobPass = db.transaction(() => {
    const now = Date.now();
    for (const id of claimed) {
      step.run(id);
      finish.run(now, id);
    }
    claimed = claim.all(now).map((r) => r.id);
  });
  const countQueued = db.prepare(`SELECT count(*) AS n FROM jobs WHERE status != 'succeeded'`);

  const wal = fs.openSync(`${file}-wal`, 'r+');
  let syncing = false;
  let waiting = [];
  const sync = () => {
    syncing = true;
    const covered = waiting;
    waiting = [];
    fs.fdatasync(wal, (err) => {
      syncing = false;
      for (const w of covered) err ? w.reject(err) : w.resolve();
      if (waiting.length > 0) sync();
    });
  };
  let jobsScheduled = null;
  const runJobsNow = () => {
    jobsScheduled = null;
    jobPass();
    if (claimed.length > 0) jobsScheduled = setImmediate(runJobsNow);
  };
  return {
    accept(events) {
      acceptAll(events);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        if (!syncing) sync();
      });
    },
    runJobs() {
      jobsScheduled ??= setImmediate(runJobsNow);
    },
    queued: async () => countQueued.get().n,
  };
}

async function pgStore() {
  const { default: pg } = await import('pg');
  const schema = process.env.FLOOR_SCHEMA;
  const options = `-c search_path=${schema}`;
  const pool = new pg.Pool({
    connectionString: process.env.FLOOR_DATABASE_URL,
    max: 10,
    options,
  });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await pool.query(`
    CREATE TABLE IF NOT EXISTS jobs (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id text NOT NULL UNIQUE, workflow text NOT NULL, status text NOT NULL,
      trigger text NOT NULL, created_at bigint NOT NULL, started_at bigint, finished_at bigint);
    CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, seq);
    CREATE INDEX IF NOT EXISTS jobs_by_workflow ON jobs (workflow, seq);
    CREATE TABLE IF NOT EXISTS steps (job_id text NOT NULL, seq integer NOT NULL,
      output text, PRIMARY KEY (job_id, seq));`);
  // Claims and finishes: a connection of their own, whose commits need no flush (a lost
  // claim or finish is redone), as Hookflow's claim connections run.
  const jobs = new pg.Client({ connectionString: process.env.FLOOR_DATABASE_URL, options });
  await jobs.connect();
  await jobs.query('SET synchronous_commit = off');
  let running = false;
  let again = false;
  let claimed = [];
  async function jobLoop() {
    running = true;
    do {
      again = false;
      const now = Date.now();
      if (claimed.length > 0) {
        await jobs.query(
          `WITH f AS (UPDATE jobs SET status = 'succeeded', finished_at = $2
             WHERE id = ANY($1::text[]) RETURNING id)
           INSERT INTO steps (job_id, seq, output) SELECT id, 0, '{"n":1}' FROM f`,
          [claimed, now],
        );
      }
      const { rows } = await jobs.query(
        `UPDATE jobs SET status = 'running', started_at = $1
         WHERE seq IN (SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq
           LIMIT ${CLAIM_LIMIT} FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [now],
      );
      claimed = rows.map((r) => r.id);
      if (claimed.length > 0) again = true;
    } while (again);
    running = false;
  }
  return {
    async accept(events) {
      await pool.query(
        `INSERT INTO jobs (id, workflow, status, trigger, created_at)
         SELECT id, 'floor', 'queued', trigger, $3 FROM unnest($1::text[], $2::text[]) AS e (id, trigger)`,
        [events.map((e) => e.id), events.map((e) => e.trigger), Date.now()],
      );
    },
    runJobs() {
      if (running) again = true;
      else jobLoop().catch((err) => process.stderr.write(`job loop: ${err.message}\n`));
    },
    queued: async () =>
      (await pool.query(`SELECT count(*)::int AS n FROM jobs WHERE status != 'succeeded'`)).rows[0]
        .n,
  };
}

server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'stats') {
    store.queued().then(
      (queued) => process.send?.({ queued }),
      (err) => process.send?.({ queued: null, error: err.message }),
    );
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
