// The PostgreSQL part of `npm run bench` (bench/run.mjs calls it after the embedded run, with
// the same workflows, upstream and load settings):
//   pg-all      one process, `serve --role all`
//   pg-cluster  2 × `--role ingress` + 2 × `--role worker`; the load is split over both
//               ingress ports (half the connections each), req/s summed, p99 the worse one
// For each: ingest and rr req/s and p99, the ingest queue's drain time with every 202 counted
// against the jobs table, peak RSS of each process, and the job start latency — from a job's
// commit (createdAt) to its first step's start, over sequential fire_and_forget requests to an
// idle cluster (target: p50 ≤ 10 ms).
//
// BENCH_PG_ARRANGEMENTS: a comma list of the arrangements to run (default pg-all,pg-cluster).
// The database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each
// arrangement runs in a fresh schema of random name, dropped at the end. Unreachable: skipped.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The database the bench's PostgreSQL runs use: BENCH_DATABASE_URL, or the local test one. */
export function benchDatabaseUrl() {
  return process.env.BENCH_DATABASE_URL || DEFAULT_URL;
}
const LATENCY_SAMPLES = 40;
const DRAIN_TIMEOUT_MS = 60_000;
const ARRANGEMENTS = {
  'pg-all': [['all']],
  'pg-cluster': [['ingress'], ['ingress'], ['worker'], ['worker']],
};

/**
 * Runs both arrangements; returns their figures, or `{ skipped }` when the database cannot
 * be reached. `ctx`: { root, wfDir, body, headers, connections, duration, warmup, log, track,
 * stopChild, freePort, readProcStatus, round }.
 */
export async function benchPostgres(ctx) {
  const databaseUrl = benchDatabaseUrl();
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await admin.query('SELECT 1');
  } catch (err) {
    await admin.end().catch(() => {});
    return { skipped: `PostgreSQL not reachable at BENCH_DATABASE_URL (${err.message})` };
  }
  const out = { databaseUrl: databaseUrl.replace(/:[^:@/]*@/, ':***@'), arrangements: {} };
  const schemas = [];
  try {
    const only = (process.env.BENCH_PG_ARRANGEMENTS || Object.keys(ARRANGEMENTS).join(','))
      .split(',')
      .map((n) => n.trim());
    for (const [name, roles] of Object.entries(ARRANGEMENTS)) {
      if (!only.includes(name)) continue;
      const schema = `hookflow_bench_${randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      ctx.log(`· ${name}: ${roles.map((r) => r[0]).join(' + ')} on PostgreSQL (schema ${schema})`);
      out.arrangements[name] = await arrangement(ctx, { databaseUrl, schema, roles, admin });
    }
  } finally {
    for (const s of schemas)
      await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => {});
    await admin.end().catch(() => {});
  }
  return out;
}

async function arrangement(ctx, { databaseUrl, schema, roles, admin }) {
  const env = {
    ...process.env,
    HOOKFLOW_DATABASE_URL: databaseUrl,
    HOOKFLOW_DATABASE_SCHEMA: schema,
    HOOKFLOW_LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn',
    HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1',
  };
  // The first process migrates the schema; the others start once it answers.
  const procs = [];
  for (const [i, [role]] of roles.entries()) {
    procs.push(await startProcess(ctx, role, i, env));
  }
  const peaks = procs.map(() => 0);
  const sampler = setInterval(() => {
    procs.forEach((p, i) => {
      peaks[i] = Math.max(peaks[i], ctx.readProcStatus(p.child.pid)?.rssKb ?? 0);
    });
  }, 100);
  const ingress = procs.filter((p) => p.role !== 'worker');
  const q = (text, params) => admin.query(text.replaceAll('$schema', schema), params);
  try {
    const pids = procs.map((p) => p.child.pid);
    const ingest = await load(ctx, ingress, '/hooks/bench/ingest', 202, pids);
    const loadEnded = Date.now();
    const drain = await drainAndCount(q, ingest.accepted, loadEnded);
    // CPU per event from the start of the measured load until its queue drained: the
    // event's accept and its job, in Hookflow's processes and in PostgreSQL's.
    ingest.cpu = cpuPerRequest(ingest.cpuStart, cpuSample(pids), ingest.measured);
    const rr = await load(ctx, ingress, '/hooks/bench/rr', 200, pids);
    rr.cpu = cpuPerRequest(rr.cpuStart, rr.cpuEnd, rr.measured);
    for (const w of [ingest, rr]) {
      delete w.cpuStart;
      delete w.cpuEnd;
    }
    const jobStart = await jobStartLatency(ingress[0], q);
    return {
      ingest,
      drain,
      rr,
      jobStart,
      processes: procs.map((p, i) => ({
        role: p.role,
        peakRssMb: ctx.round(
          Math.max(peaks[i], ctx.readProcStatus(p.child.pid)?.hwmKb ?? 0) / 1024,
          1,
        ),
      })),
    };
  } finally {
    clearInterval(sampler);
    await Promise.all(procs.map((p) => ctx.stopChild(p.child, 10_000)));
  }
}

async function startProcess(ctx, role, i, env) {
  const port = await ctx.freePort();
  const child = ctx.track(
    spawn(
      process.execPath,
      [
        path.join(ctx.root, 'bin', 'hookflow.js'),
        'serve',
        '--role',
        role,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--workflows',
        ctx.wfDir,
      ],
      { cwd: ctx.root, env, stdio: ['ignore', 'ignore', 'pipe'] },
    ),
    `hookflow-${role}-${i}`,
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`--role ${role} exited at start-up: ${stderr}`);
    const ok = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) })
      .then(async (r) => (await r.arrayBuffer(), r.status === 200))
      .catch(() => false);
    if (ok) return { role, child, base };
    if (Date.now() > deadline) throw new Error(`--role ${role} did not answer /healthz: ${stderr}`);
    await sleep(100);
  }
}

// Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ: 100 on Linux).
const TICK_US = 10_000;

/** CPU ticks used so far by Hookflow's processes (`pids`) and by every PostgreSQL process. */
export function cpuSample(pids) {
  const ticks = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), t: +f[11] + +f[12] };
    } catch {
      return null;
    }
  };
  let hookflow = 0;
  for (const pid of pids) hookflow += ticks(pid)?.t ?? 0;
  let postgres = 0;
  let seen = false;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = ticks(name);
    if (s?.comm === 'postgres') {
      postgres += s.t;
      seen = true;
    }
  }
  return { hookflow, postgres: seen ? postgres : null };
}

/** µs of CPU per request between two samples (null where PostgreSQL is not on this machine). */
export function cpuPerRequest(start, end, requests) {
  if (!start || !end || !(requests > 0)) return null;
  const per = (a, b) =>
    a === null || b === null ? null : Math.round(((b - a) * TICK_US) / requests);
  return {
    hookflowUs: per(start.hookflow, end.hookflow),
    postgresUs: per(start.postgres, end.postgres),
  };
}

/** autocannon on every ingress at once, the connections split between them. */
async function load(ctx, ingress, route, expectStatus, pids = []) {
  const each = Math.max(1, Math.floor(ctx.connections / ingress.length));
  const fire = (duration) =>
    Promise.all(
      ingress.map((p) =>
        autocannon({
          url: `${p.base}${route}`,
          method: 'POST',
          headers: ctx.headers,
          body: ctx.body,
          connections: each,
          duration,
        }),
      ),
    );
  const warm = ctx.warmup > 0 ? await fire(ctx.warmup) : [];
  const cpuStart = cpuSample(pids);
  const runs = await fire(ctx.duration);
  const cpuEnd = cpuSample(pids);
  const count = (r) => r.statusCodeStats?.[expectStatus]?.count ?? 0;
  const answered = runs.reduce((n, r) => n + count(r), 0);
  const errors = runs.reduce((n, r) => n + r.non2xx + r.errors + (r['2xx'] - count(r)), 0);
  return {
    reqPerSec: ctx.round(
      runs.reduce((n, r) => n + r.requests.mean, 0),
      1,
    ),
    p99Ms: Math.max(...runs.map((r) => r.latency.p99)),
    p50Ms: Math.max(...runs.map((r) => r.latency.p50)),
    errors,
    statusCodes: runs.map((r) =>
      Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
    ),
    accepted: answered + warm.reduce((n, r) => n + count(r), 0),
    measured: answered,
    cpuStart,
    cpuEnd,
  };
}

/** Waits until no ingest job is queued or running; then every 202 must have its job. */
async function drainAndCount(q, accepted, loadEnded) {
  for (;;) {
    const { rows } = await q(
      `SELECT count(*) FILTER (WHERE status IN ('queued', 'running'))::int AS open,
              count(*)::int AS total
       FROM $schema.jobs WHERE workflow = 'bench-ingest'`,
    );
    const { open, total } = rows[0];
    if (open === 0) {
      return {
        drainMs: Date.now() - loadEnded,
        accepted,
        jobs: total,
        missing: Math.max(0, accepted - total),
      };
    }
    if (Date.now() - loadEnded > DRAIN_TIMEOUT_MS) {
      return { drainMs: null, accepted, jobs: total, open, note: 'queue not drained in 60 s' };
    }
    await sleep(100);
  }
}

/** Commit → first step start of jobs sent one at a time to an idle cluster. */
async function jobStartLatency(ingress, q) {
  await sleep(500); // idle: the rr workload's jobs are done
  const delays = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const res = await fetch(`${ingress.base}/hooks/bench/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":1}',
    });
    const { id } = await res.json();
    for (let tries = 0; tries < 200; tries++) {
      const { rows } = await q(
        `SELECT s.started_at - j.created_at AS ms FROM $schema.jobs j
         JOIN $schema.steps s ON s.job_id = j.id AND s.seq = 0 WHERE j.id = $1`,
        [id],
      );
      if (rows[0]) {
        delays.push(Number(rows[0].ms));
        break;
      }
      await sleep(10);
    }
    await sleep(20);
  }
  delays.sort((a, b) => a - b);
  const at = (p) => delays[Math.min(delays.length - 1, Math.floor(delays.length * p))] ?? null;
  return { samples: delays.length, p50Ms: at(0.5), p90Ms: at(0.9), maxMs: delays.at(-1) ?? null };
}

/** The PostgreSQL lines of the report, beside the ceiling and the embedded figures. */
export function printPostgres(pgReport, report, log) {
  log();
  if (pgReport.skipped) {
    log(`PostgreSQL: skipped — ${pgReport.skipped}`);
    return;
  }
  const ceiling = report.ceilingReqPerSec;
  const ratio = (n) => (ceiling ? (n / ceiling).toFixed(2) : '—');
  const e = report.workloads;
  log(`PostgreSQL (${pgReport.databaseUrl}), beside the ceiling and the embedded run:`);
  log(
    `${'run'.padEnd(12)}${'ingest/s'.padStart(10)}${'× ceil'.padStart(8)}${'p99'.padStart(6)}${'rr/s'.padStart(9)}${'× ceil'.padStart(8)}${'p99'.padStart(6)}${'drain s'.padStart(9)}${'start p50/p90 ms'.padStart(18)}   peak RSS MB`,
  );
  if (ceiling) log(`${'ceiling'.padEnd(12)}${String(ceiling).padStart(10)}`);
  if (e.ingest || e.rr) {
    log(
      `${'embedded'.padEnd(12)}${String(e.ingest?.reqPerSecMean ?? '—').padStart(10)}${ratio(e.ingest?.reqPerSecMean ?? 0).padStart(8)}${String(e.ingest?.latencyMs.p99 ?? '—').padStart(6)}${String(e.rr?.reqPerSecMean ?? '—').padStart(9)}${ratio(e.rr?.reqPerSecMean ?? 0).padStart(8)}${String(e.rr?.latencyMs.p99 ?? '—').padStart(6)}${String(report.ingestDurability ? (report.ingestDurability.drainMs / 1000).toFixed(2) : '—').padStart(9)}${''.padStart(18)}   ${report.hookflow.peakRssMb ?? '—'}`,
    );
  }
  for (const [name, a] of Object.entries(pgReport.arrangements)) {
    const rss = a.processes.map((p) => `${p.role} ${p.peakRssMb}`).join(', ');
    log(
      `${name.padEnd(12)}${String(a.ingest.reqPerSec).padStart(10)}${ratio(a.ingest.reqPerSec).padStart(8)}${String(a.ingest.p99Ms).padStart(6)}${String(a.rr.reqPerSec).padStart(9)}${ratio(a.rr.reqPerSec).padStart(8)}${String(a.rr.p99Ms).padStart(6)}${String(a.drain.drainMs === null ? 'no' : (a.drain.drainMs / 1000).toFixed(2)).padStart(9)}${`${a.jobStart.p50Ms}/${a.jobStart.p90Ms}`.padStart(18)}   ${rss}`,
    );
    const cpu = (c) =>
      c ? `Hookflow ${c.hookflowUs} µs + PostgreSQL ${c.postgresUs ?? '—'} µs` : '—';
    log(`${''.padEnd(12)}CPU per request: ingest ${cpu(a.ingest.cpu)}; rr ${cpu(a.rr.cpu)}`);
    const problems = [];
    if (a.ingest.errors)
      problems.push(`ingest errors ${a.ingest.errors} ${JSON.stringify(a.ingest.statusCodes)}`);
    if (a.rr.errors) problems.push(`rr errors ${a.rr.errors} ${JSON.stringify(a.rr.statusCodes)}`);
    if (a.drain.missing) problems.push(`${a.drain.missing} accepted events without a job`);
    if (a.drain.note) problems.push(a.drain.note);
    if (problems.length) log(`  ! ${name}: ${problems.join('; ')}`);
  }
}

/** Pass/fail lines for the PostgreSQL targets (issue 17). */
export function postgresChecks(pgReport, ceiling) {
  const all = pgReport.arrangements?.['pg-all'];
  const checks = [];
  if (all) {
    checks.push(
      {
        name: 'pg-all ingest ≥ 0.25× ceiling',
        pass: ceiling ? all.ingest.reqPerSec / ceiling >= 0.25 : null,
        detail: ceiling ? `${(all.ingest.reqPerSec / ceiling).toFixed(2)}×` : 'no ceiling measured',
      },
      {
        name: 'pg-all ingest p99 ≤ 25 ms',
        pass: all.ingest.p99Ms <= 25,
        detail: `${all.ingest.p99Ms} ms`,
      },
    );
  }
  for (const [name, a] of Object.entries(pgReport.arrangements ?? {})) {
    checks.push({
      name: `${name}: a committed job starts on an idle worker in ≤ 10 ms p50`,
      pass: a.jobStart.p50Ms !== null && a.jobStart.p50Ms <= 10,
      detail: `p50 ${a.jobStart.p50Ms} ms, p90 ${a.jobStart.p90Ms} ms (${a.jobStart.samples} jobs)`,
    });
    checks.push({
      name: `${name}: every 202 has a job, queue drained`,
      pass: a.drain.missing === 0 && a.drain.drainMs !== null,
      detail: `${a.drain.accepted} accepted, ${a.drain.jobs} jobs, drain ${a.drain.drainMs} ms`,
    });
  }
  return checks;
}
