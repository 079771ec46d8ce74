// The 1M-jobs phase of `npm run bench` (bench/run.mjs calls it after the embedded workloads,
// with the same workflows, body and load settings):
//   seed       Hookflow starts once on a fresh data dir (schema, workflow versions), takes one
//              real bench-ingest event and runs its job, and stops; the bench then copies that
//              job (and its steps) BENCH_MILLION_JOBS times into the SQLite file itself, by one
//              INSERT … SELECT over a recursive CTE per table in one transaction: ULID-shaped
//              ids, created times spread evenly over the last 7 days, 1 job in 100 failed.
//   listing    Hookflow starts on the seeded file; GET /api/jobs as the UI asks it first (newest
//              first, the default page of 50), by workflow, by status and by both: each page is
//              checked against the file (the seeded jobs, newest first), then timed over
//              200 sequential requests (p50/p99) and under autocannon with 4 connections.
//   ingest@1M  the ingest workload on the seeded store; req/s as a share of the empty store's
//              ingest in the same run.
// Also: the seed time, the file's size, the start-up time on the full file, and the plans
// SQLite picks for Hookflow's listing statements on it (EXPLAIN QUERY PLAN).
import { closeSync, fsyncSync, openSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';

const WORKFLOW = 'bench-ingest';
/** The API's default page, the size of the UI's first page. */
const PAGE = 50;
const SEQUENTIAL_REQUESTS = 200;
const LIST_CONNECTIONS = 4;
const SPAN_MS = 7 * 24 * 3600 * 1000;
const FAIL_EVERY = 100;
const FAILURE = 'seeded by the bench: a failed job';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The random part of a seeded job's ULID starts with this (then its number): easy to tell. */
const SEED_MARK = 'BENCH';

/** The listings measured: the API's query, and the filter of the check's own SQL. */
const LISTINGS = [
  { name: 'newest', query: '', where: '', params: [] },
  { name: 'workflow', query: `workflow=${WORKFLOW}`, where: 'workflow = ?', params: [WORKFLOW] },
  { name: 'failed', query: 'status=failed', where: "status = 'failed'", params: [] },
  {
    name: 'workflow+failed',
    query: `workflow=${WORKFLOW}&status=failed`,
    where: "workflow = ? AND status = 'failed'",
    params: [WORKFLOW],
  },
];

/** "1M", "100k", "2500": how a number of jobs is shown in workload names. */
export function jobsLabel(n) {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

/**
 * Seeds, then measures the listing and ingest on the seeded store. `ctx`: { root, jobs,
 * upstreamUrl, body, headers, emptyIngest (the empty store's ingest summary, or undefined),
 * record (takes the ingest workload's summary for the report's table), listDuration,
 * startupPollMs, startHookflow, isRunning, stopChild, stopGraceMs, workload, waitDrained,
 * drainTimeoutMs, apiHeaders, getJson, readProcStatus, dataFileSizes, mb, log, round }.
 */
export async function benchMillion(ctx) {
  const { log, round } = ctx;
  const label = jobsLabel(ctx.jobs);
  const out = { jobs: ctx.jobs, label, seed: null, startupMs: null, listing: {}, plans: {} };

  log(`· ${label} jobs: Hookflow once on a fresh data dir for its schema and a real job`);
  const first = await ctx.startHookflow(ctx.upstreamUrl);
  const template = await oneRealJob(ctx, first.base);
  await ctx.stopChild(first.child, ctx.stopGraceMs);
  if (first.child.exitCode !== 0)
    throw new Error(`Hookflow did not exit cleanly before seeding:\n${first.logTail()}`);

  const file = path.join(first.dataDir, 'hookflow.db');
  log(`· seeding ${ctx.jobs} ${WORKFLOW} jobs into ${file}`);
  const seeded = await seed(ctx, file, template);
  out.seed = seeded.seed;
  out.plans = seeded.plans;
  out.fileMb = ctx.dataFileSizes(first.dataDir);
  log(
    `  ${ctx.jobs} jobs in ${round(out.seed.ms / 1000, 2)} s (insert ${round(out.seed.insertMs / 1000, 2)} s, of which jobs ${round(out.seed.jobsMs / 1000, 2)} s; sync ${round(out.seed.syncMs / 1000, 2)} s); files (MB) ${JSON.stringify(out.fileMb)}`,
  );

  const hf = await ctx.startHookflow(
    ctx.upstreamUrl,
    {},
    {
      dir: first.dir,
      pollMs: ctx.startupPollMs,
    },
  );
  out.startupMs = round(hf.healthyMs, 0);
  log(`· Hookflow on ${label} jobs up at ${hf.base} in ${out.startupMs} ms (pid ${hf.child.pid})`);
  try {
    for (const l of LISTINGS) {
      out.listing[l.name] = await listing(ctx, hf, l, seeded.expected[l.name]);
    }

    const name = `ingest@${label}`;
    const s = await ctx.workload(name, `${hf.base}/hooks/bench/ingest`, 202, {
      server: hf.child.pid,
    });
    const loadEndedAt = Date.now();
    ctx.record(name, s);
    const empty = ctx.emptyIngest?.reqPerSecMean;
    out.ingest = {
      workload: name,
      reqPerSec: s.reqPerSecMean,
      p99Ms: s.latencyMs.p99,
      errors: s.errors,
      statusCodes: s.statusCodes,
      emptyReqPerSec: empty ?? null,
      emptyP99Ms: ctx.emptyIngest?.latencyMs.p99 ?? null,
      ratioToEmpty: empty ? round(s.reqPerSecMean / empty, 3) : null,
    };
    const drain = await ctx.waitDrained(hf.base, WORKFLOW, loadEndedAt, ctx.drainTimeoutMs);
    out.ingest.drained = drain.drained;
    out.ingest.drainMs = drain.drainMs;
    out.ingest.drainPolls = drain.polls;
    out.vmHwmMb = ctx.mb(ctx.readProcStatus(hf.child.pid)?.hwmKb ?? null);
    out.dataFilesMbAtEnd = ctx.dataFileSizes(hf.dataDir);
    if (!ctx.isRunning(hf.child))
      throw new Error(`Hookflow exited during the run:\n${hf.logTail()}`);
  } finally {
    await ctx.stopChild(hf.child, ctx.stopGraceMs);
  }
  out.shutdown = { exitCode: hf.child.exitCode, signal: hf.child.signalCode };
  return out;
}

/** One bench-ingest event through the running Hookflow; its job once it succeeded. */
async function oneRealJob(ctx, base) {
  const res = await fetch(`${base}/hooks/bench/ingest`, {
    method: 'POST',
    headers: ctx.headers,
    body: ctx.body,
    signal: AbortSignal.timeout(10_000),
  });
  const answer = await res.json();
  if (res.status !== 202)
    throw new Error(`template event: ${res.status} ${JSON.stringify(answer)}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const job = await ctx.getJson(`${base}/api/jobs/${answer.id}`);
    if (job.status === 'succeeded') return job.id;
    if (job.status === 'failed' || Date.now() > deadline)
      throw new Error(`template job ${job.id} did not succeed: ${JSON.stringify(job)}`);
    await sleep(20);
  }
}

/**
 * better-sqlite3 binds every JS number as REAL: integers go as BigInt, so that the seed's
 * arithmetic stays in integers (a STRICT INTEGER column refuses 604.8).
 */
function sqlValue(v) {
  return Number.isInteger(v) ? BigInt(v) : v;
}

function sqlValues(params) {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, sqlValue(v)]));
}

/** SQL of a non-negative integer `expr` in Crockford base32 over `chars` characters (ULID). */
function base32Sql(expr, chars) {
  return Array.from(
    { length: chars },
    (_, k) => `substr('${CROCKFORD}', (((${expr}) >> ${5 * (chars - 1 - k)}) & 31) + 1, 1)`,
  ).join(' || ');
}

/**
 * Copies the template job `jobs` times, in one transaction: column values the template's
 * except the id, times, status and error, and the template's id and receivedAt replaced in its
 * trigger data. The template itself is deleted, so the store holds exactly the seeded jobs.
 * Then: the pages the listing must answer, and the plans of Hookflow's listing statements.
 */
async function seed(ctx, file, templateId) {
  const t0 = performance.now();
  const db = new Database(file);
  let insertMs;
  let jobsMs;
  const expected = {};
  let plans = {};
  try {
    // A bulk load: no WAL (every page would be written twice), no syncs until the end, the
    // indexes' pages in memory. Hookflow is stopped: the file is the bench's alone.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    db.pragma('temp_store = MEMORY');
    // No job is deleted but the template, whose steps go first: no cascade to look for.
    db.pragma('foreign_keys = OFF');
    const job = db.prepare('SELECT * FROM jobs WHERE id = ?').get(templateId);
    const steps = db.prepare('SELECT * FROM steps WHERE job_id = ? ORDER BY seq').all(templateId);
    if (!job || steps.length === 0)
      throw new Error(`template job ${templateId} not found with its steps in ${file}`);
    const receivedAt = JSON.parse(job.trigger).receivedAt;
    const end = Date.now() - 60_000;

    const columns = (table) => db.pragma(`table_info(${table})`).map((c) => c.name);
    // Per column: its SQL, or (absent) the template's value as a parameter.
    const jobSql = {
      seq: null,
      id: 'id',
      status: `CASE WHEN failed THEN 'failed' ELSE 'succeeded' END`,
      error: `CASE WHEN failed THEN @failure END`,
      trigger: `replace(replace(@trigger, @templateId, id), @receivedAt,
        strftime('%Y-%m-%dT%H:%M:%fZ', (at - @receivedBefore) / 1000.0, 'unixepoch'))`,
      created_at: 'at',
      started_at: 'at + @startedAfter',
      finished_at: 'at + @finishedAfter',
    };
    const jobCols = columns('jobs').filter((c) => jobSql[c] !== null);
    const jobParams = sqlValues({
      jobs: ctx.jobs,
      end,
      span: SPAN_MS,
      failEvery: FAIL_EVERY,
      failure: `step '${steps.at(-1).id}' failed: ${FAILURE}`,
      trigger: job.trigger,
      templateId,
      receivedAt,
      receivedBefore: job.created_at - Date.parse(receivedAt),
      startedAfter: job.started_at - job.created_at,
      finishedAfter: job.finished_at - job.created_at,
    });
    for (const c of jobCols) if (jobSql[c] === undefined) jobParams[`t_${c}`] = sqlValue(job[c]);
    // The recursive CTE yields i in order, so seq follows created_at (an ORDER BY i would sort
    // every row in a temporary b-tree first). The listing check sees any disorder.
    const insertJobs = db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @jobs),
         s AS (SELECT i, @end - ((@jobs - i) * @span) / @jobs AS at FROM n),
         t AS (SELECT i, at, ${base32Sql('at', 10)} || '${SEED_MARK}' || ${base32Sql('i', 11)} AS id,
                 i % @failEvery = 0 AS failed FROM s)
       INSERT INTO jobs (${jobCols.join(', ')})
       SELECT ${jobCols.map((c) => jobSql[c] ?? `@t_${c}`).join(', ')} FROM t`,
    );
    // Each step of the template for every seeded job; a failed job's last step failed.
    const stepCols = columns('steps');
    const insertSteps = steps.map((step, k) => {
      const last = k === steps.length - 1;
      const stepSql = {
        job_id: 'j.id',
        started_at: 'j.created_at + @offset',
        ...(last
          ? {
              status: `CASE WHEN j.status = 'failed' THEN 'failed' ELSE @t_status END`,
              output: `CASE WHEN j.status = 'failed' THEN NULL ELSE @t_output END`,
              error: `CASE WHEN j.status = 'failed' THEN @failure ELSE @t_error END`,
            }
          : {}),
      };
      const params = sqlValues({
        after: job.seq,
        offset: step.started_at - job.created_at,
        failure: FAILURE,
      });
      for (const c of stepCols) params[`t_${c}`] = sqlValue(step[c]);
      const statement = db.prepare(
        `INSERT INTO steps (${stepCols.join(', ')})
         SELECT ${stepCols.map((c) => stepSql[c] ?? `@t_${c}`).join(', ')}
         FROM jobs j WHERE j.seq > @after ORDER BY j.seq`,
      );
      return () => statement.run(params);
    });
    db.transaction(() => {
      insertJobs.run(jobParams);
      jobsMs = performance.now() - t0;
      for (const run of insertSteps) run();
      db.prepare('DELETE FROM steps WHERE job_id = ?').run(templateId);
      db.prepare('DELETE FROM jobs WHERE id = ?').run(templateId);
    })();
    insertMs = performance.now() - t0;

    // One more than a page: whether a next page must be offered.
    for (const l of LISTINGS) {
      expected[l.name] = db
        .prepare(
          `SELECT id FROM jobs ${l.where ? `WHERE ${l.where}` : ''} ORDER BY seq DESC LIMIT ${PAGE + 1}`,
        )
        .pluck()
        .all(...l.params);
    }
    plans = await listingPlans(ctx, db);
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  // Written, not yet on disk: sync now, so that the write-back does not run during the load.
  const t1 = performance.now();
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const syncMs = performance.now() - t1;
  const { round } = ctx;
  return {
    seed: {
      ms: round(performance.now() - t0, 0),
      insertMs: round(insertMs, 0),
      // Of which the jobs table (the rest: their steps).
      jobsMs: round(jobsMs, 0),
      syncMs: round(syncMs, 0),
      jobsPerSec: round(ctx.jobs / (insertMs / 1000), 0),
      failed: Math.floor(ctx.jobs / FAIL_EVERY),
      spanDays: SPAN_MS / 86_400_000,
    },
    expected,
    plans,
  };
}

/**
 * The plans of Hookflow's own listing statements on the seeded file (its prepared SQL, from
 * dist/), timed in SQLite alone (median of 20, the file's pages cached by then).
 */
async function listingPlans(ctx, db) {
  const { prepareStatements } = await import(
    pathToFileURL(path.join(ctx.root, 'dist', 'store', 'sqlite', 'statements.js')).href
  );
  const sql = prepareStatements(db);
  const base = { beforeSeq: Number.MAX_SAFE_INTEGER, limit: PAGE + 1, nowMs: Date.now() };
  const cases = {
    newest: [sql.listJobs.all, base],
    workflow: [sql.listJobs.byWorkflow, { ...base, workflow: WORKFLOW }],
    failed: [sql.listJobs.byStatus, { ...base, status: 'failed' }],
    'workflow+failed': [
      sql.listJobs.byWorkflowAndStatus,
      { ...base, workflow: WORKFLOW, status: 'failed' },
    ],
    // The drain wait's probe (none queued: the whole index range is walked if it is the wrong one).
    'workflow+queued': [
      sql.listJobs.byWorkflowAndStatus,
      { ...base, workflow: WORKFLOW, status: 'queued' },
    ],
  };
  const out = {};
  for (const [name, [statement, params]] of Object.entries(cases)) {
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${statement.source}`)
      .all(params)
      .map((r) => r.detail);
    const times = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      statement.all(params);
      times.push(performance.now() - t);
    }
    out[name] = { plan: plan.join('; '), sqlMs: ctx.round(percentile(times, 0.5), 2) };
  }
  return out;
}

/** The nearest-rank percentile `p` (0–1) of `values`. */
function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
}

/** One listing: its first page checked against the file, then timed alone and under load. */
async function listing(ctx, hf, l, expected) {
  const { round } = ctx;
  const url = `${hf.base}/api/jobs${l.query ? `?${l.query}` : ''}`;
  const page = await ctx.getJson(url);
  const ids = page.jobs.map((j) => j.id);
  const expectedIds = expected.slice(0, PAGE);
  const problems = [];
  if (ids.length !== expectedIds.length)
    problems.push(`${ids.length} jobs, not ${expectedIds.length}`);
  else if (ids.some((id, i) => id !== expectedIds[i]))
    problems.push(`not the newest seeded jobs (first ${ids[0]}, expected ${expectedIds[0]})`);
  const times = page.jobs.map((j) => Date.parse(j.createdAt));
  if (times.some((t, i) => i > 0 && t > times[i - 1])) problems.push('not newest first');
  if (l.query.includes('status=failed') && page.jobs.some((j) => j.status !== 'failed'))
    problems.push('a job that is not failed');
  if ((page.next_cursor !== null) !== expected.length > PAGE)
    problems.push(page.next_cursor === null ? 'no next page' : 'a next page past the last job');
  // A seeded job as the UI opens it: its detail with its steps.
  const detail = ids[0] ? await ctx.getJson(`${hf.base}/api/jobs/${ids[0]}`) : null;
  if (detail && (detail.steps.length === 0 || detail.trigger?.id !== detail.id))
    problems.push(`job ${detail.id}'s detail lacks its steps or its trigger data`);

  const latencies = [];
  let errors = 0;
  const headers = ctx.apiHeaders();
  for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    latencies.push(performance.now() - t);
    if (res.status !== 200) errors++;
  }
  const sequential = {
    requests: SEQUENTIAL_REQUESTS,
    errors,
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    maxMs: round(Math.max(...latencies), 2),
  };
  const load = await ctx.workload(
    `GET ${l.name}@${jobsLabel(ctx.jobs)}`,
    url,
    200,
    { server: hf.child.pid },
    {
      method: 'GET',
      headers,
      body: undefined,
      connections: LIST_CONNECTIONS,
      warmup: 0,
      duration: ctx.listDuration,
    },
  );
  ctx.log(
    `  sequential: p50 ${sequential.p50Ms} ms, p99 ${sequential.p99Ms} ms${problems.length ? `; ! ${problems.join('; ')}` : ''}`,
  );
  return {
    path: url.slice(hf.base.length),
    correct: problems.length === 0,
    problems,
    sequential,
    load: {
      connections: LIST_CONNECTIONS,
      reqPerSec: load.reqPerSecMean,
      p50Ms: load.latencyMs.p50,
      p99Ms: load.latencyMs.p99,
      errors: load.errors,
      serverCpuUsPerReq: load.serverCpuUsPerReq,
    },
  };
}

/** The lines of the report for this phase. */
export function printMillion(m, log) {
  log();
  const s = m.seed;
  const size = Object.entries(m.fileMb)
    .map(([f, n]) => `${f} ${n} MB`)
    .join(', ');
  log(
    `${m.jobs} stored jobs (${WORKFLOW}, ${s.failed} failed, created over the last ${s.spanDays} days): seeded in ${(s.ms / 1000).toFixed(2)} s (${s.jobsPerSec} jobs/s by bulk insert, then ${(s.syncMs / 1000).toFixed(2)} s fsync); ${size}; start-up on it ${m.startupMs} ms`,
  );
  const i = m.ingest;
  if (i) {
    log(
      `  ${i.workload}: ${i.reqPerSec} req/s, p99 ${i.p99Ms} ms, errors ${i.errors}; ${i.ratioToEmpty === null ? 'no empty-store ingest in this run' : `empty store ${i.emptyReqPerSec} req/s, p99 ${i.emptyP99Ms} ms → ${i.ratioToEmpty}×`} (target ≥ ${m.targets.minIngestRatio}×); drain ${i.drained ? `${(i.drainMs / 1000).toFixed(2)} s` : 'NOT finished'}`,
    );
  }
  log(
    `  ${'GET'.padEnd(48)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${`${LIST_CONNECTIONS} conn req/s`.padStart(14)}${'p99 ms'.padStart(8)}${'SQL ms'.padStart(8)}   target p99 ≤ ${m.targets.listMaxP99Ms} ms`,
  );
  for (const [name, l] of Object.entries(m.listing)) {
    log(
      `  ${l.path.padEnd(48)}${String(l.sequential.p50Ms).padStart(8)}${String(l.sequential.p99Ms).padStart(8)}${String(l.load.reqPerSec).padStart(14)}${String(l.load.p99Ms).padStart(8)}${String(m.plans[name]?.sqlMs ?? '—').padStart(8)}${l.correct ? '' : `   ! ${l.problems.join('; ')}`}`,
    );
  }
  // The access path of the listing's jobs (the rest are the subqueries of queued jobs' `held`).
  const plans = Object.entries(m.plans).map(([name, p]) => `${name}: ${p.plan.split('; ')[0]}`);
  log(`  plans: ${plans.join(' | ')}`);
}

/** Pass/fail lines for this phase's targets. */
export function millionChecks(m) {
  const t = m.targets;
  const checks = [];
  const i = m.ingest;
  if (i) {
    checks.push({
      name: `${i.workload} ≥ ${t.minIngestRatio}× ingest on an empty store`,
      pass: i.ratioToEmpty === null ? null : i.ratioToEmpty >= t.minIngestRatio,
      detail:
        i.ratioToEmpty === null
          ? 'no empty-store ingest in this run'
          : `${i.ratioToEmpty}× (${i.reqPerSec} / ${i.emptyReqPerSec} req/s), p99 ${i.p99Ms} ms (empty ${i.emptyP99Ms} ms)`,
    });
    checks.push({
      name: `${i.workload} without errors`,
      pass: i.errors === 0,
      detail: `${i.errors} errors, status ${JSON.stringify(i.statusCodes)}`,
    });
  }
  for (const l of Object.values(m.listing)) {
    const worst = Math.max(l.sequential.p99Ms, l.load.p99Ms);
    checks.push({
      name: `GET ${l.path} on ${m.label} jobs: p99 ≤ ${t.listMaxP99Ms} ms`,
      pass: worst <= t.listMaxP99Ms && l.sequential.errors === 0 && l.load.errors === 0,
      detail: `sequential ${l.sequential.p99Ms} ms, ${l.load.connections} connections ${l.load.p99Ms} ms; errors ${l.sequential.errors + l.load.errors}`,
    });
  }
  const wrong = Object.values(m.listing).filter((l) => !l.correct);
  checks.push({
    name: `the jobs listing answers the seeded jobs, newest first`,
    pass: wrong.length === 0,
    detail:
      wrong.length === 0
        ? `${Object.keys(m.listing).length} listings checked against the file`
        : wrong.map((l) => `${l.path}: ${l.problems.join('; ')}`).join(' | '),
  });
  return checks;
}
