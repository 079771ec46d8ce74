#!/usr/bin/env node
// Hookflow benchmark: `npm run bench` (builds, then runs this file).
//
// Workloads, one at a time, each with autocannon (50 connections, BENCH_DURATION seconds,
// default 10, after a BENCH_WARMUP-second warm-up that is not counted, default 2):
//   ceiling  POST to a bare node:http server that JSON.parses the body (bench/ceiling.mjs)
//   floor    the durable floor (bench/floor.mjs): node:http, JSON.parse and a group commit
//            before each 202 — on SQLite, then SQLite with each event's job (claim, step,
//            finish), then PostgreSQL, then PostgreSQL with jobs: what any durable receiver
//            can do on this machine, to read Hookflow's ratios against (PostgreSQL rows are
//            skipped when BENCH_DATABASE_URL cannot be reached)
//   ingest   POST /hooks/bench/ingest   fire_and_forget workflow, expects 202
//   ingest+rl  the same ingest on a workflow with a rate_limit far above the offered load
//            (nothing refused): the cost of counting each event, as a share of ingest
//   rr       POST /hooks/bench/rr       request_response workflow calling a local upstream
//            (bench/upstream.mjs) and replying with its body, expects 200
// Also: peak RSS of the Hookflow process, and a durability check after ingest (every
// 202 has a job; time for the queue to drain).
//   startup  time from spawning `hookflow serve` with the arguments of `npm start` (the
//            examples, with and without their connectors) to its first 200 from /healthz,
//            BENCH_STARTUP_RUNS starts each on a fresh data dir: min/median/max
//   million  a store seeded with BENCH_MILLION_JOBS jobs by a bulk insert of the bench's own
//            (bench/million.mjs): the jobs listing's latency, and ingest on it as a share of
//            ingest on the empty store
//   postgres the same ingest and rr on PostgreSQL: one `--role all` process, then 2 ingress +
//            2 worker processes (bench/postgres.mjs), with each process's peak RSS and the
//            job start latency
//
// Prints a table and pass/fail against the targets, writes bench/results/latest.json.
// Exit code 0 even when a target is missed; non-zero only when the run itself broke.
//
// Environment:
//   BENCH_DURATION   seconds per measured workload (default 10)
//   BENCH_WARMUP     seconds of warm-up per workload (default 2; 0 to skip)
//   BENCH_WORKLOADS  comma list of ceiling,floor,ingest,ingest+rl,rr,startup,million,postgres
//                    (default all eight)
//   BENCH_STARTUP_RUNS   starts per arrangement of the startup workload (default 5)
//   BENCH_MILLION_JOBS   jobs seeded for the million workload (default 1000000)
//   BENCH_DATABASE_URL  the PostgreSQL run's database (default postgres://postgres@127.0.0.1:5432/test;
//                    a fresh schema per arrangement, dropped after; unreachable: skipped)
//   BENCH_PG_ARRANGEMENTS  comma list of pg-all,pg-cluster (default both)
//   BENCH_CPU_PROF   directory: start Hookflow with --cpu-prof --cpu-prof-dir=<dir>
//                    (summarise with `node bench/profile-summary.mjs <dir>`)
//   BENCH_KEEP_TMP   1: keep the temp dir (data, workflows, Hookflow's log)
//   BENCH_STOP_GRACE seconds Hookflow gets to exit after SIGTERM before SIGKILL (default 10)
//   BENCH_LOG_LEVEL  Hookflow's HOOKFLOW_LOG_LEVEL (default warn; its log goes to the temp dir)
//   BENCH_TRACES     0: skip the tracing-on runs. By default ingest and rr run a second time
//                    on a new Hookflow with OpenTelemetry traces exported over OTLP/HTTP to a
//                    loopback sink (bench/otlp-sink.mjs): workloads ingest+tr and rr+tr.
// Network: loopback only (127.0.0.1). Every wait is bounded.

import { fork, spawn } from 'node:child_process';
import {
  mkdtempSync,
  writeFileSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { benchMillion, millionChecks, printMillion } from './million.mjs';
import {
  benchDatabaseUrl,
  benchPostgres,
  cpuPerRequest,
  cpuSample,
  postgresChecks,
  printPostgres,
} from './postgres.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const RESULTS_FILE = path.join(BENCH_DIR, 'results', 'latest.json');

const DURATION = positiveNumber('BENCH_DURATION', 10);
const WARMUP = nonNegativeNumber('BENCH_WARMUP', 2);
const CONNECTIONS = 50;
const ALL_WORKLOADS = [
  'ceiling',
  'floor',
  'ingest',
  'ingest+rl',
  'rr',
  'startup',
  'million',
  'postgres',
];
const WORKLOADS = (process.env.BENCH_WORKLOADS ?? ALL_WORKLOADS.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF || '';
const KEEP_TMP = process.env.BENCH_KEEP_TMP === '1';
const TRACES = process.env.BENCH_TRACES !== '0';
const STARTUP_RUNS = positiveInteger('BENCH_STARTUP_RUNS', 5);
const MILLION_JOBS = positiveInteger('BENCH_MILLION_JOBS', 1_000_000);

const HEALTH_TIMEOUT_MS = 30_000;
const HEALTH_POLL_MS = 100;
// Start-up is timed to the first 200 from /healthz: polled this often, that is its precision.
const STARTUP_POLL_MS = 10;
const DRAIN_TIMEOUT_MS = 60_000;
const COUNT_TIMEOUT_MS = 60_000;
const RSS_SAMPLE_MS = 100;
const STOP_GRACE_MS = positiveNumber('BENCH_STOP_GRACE', 10) * 1000;

const TARGETS = {
  ingest: { minRatio: 0.5, maxP99Ms: 20 },
  rr: { minRatio: 0.15, maxP99Ms: 50 },
  peakRssMb: 150,
  startupMedianMs: 500,
  million: { minIngestRatio: 0.9, listMaxP99Ms: 50 },
};

const BODY = JSON.stringify({ n: 1, name: 'bench', items: [1, 2, 3] });
const HEADERS = { 'content-type': 'application/json' };

for (const w of WORKLOADS) {
  if (!ALL_WORKLOADS.includes(w)) fail(`BENCH_WORKLOADS: unknown workload "${w}"`);
}

// ---------------------------------------------------------------------------------------
// Children: tracked so that they are always stopped (normal end, SIGINT, uncaught error).

const children = new Set();
let tmpDir = '';
// Temp dirs of earlier Hookflow runs (the tracing-on run starts another).
const tmpDirs = [];
// When the Hookflow child was spawned; phase windows are reported relative to it so that a
// --cpu-prof profile (which starts with the process) can be cut to one workload.
let spawnedAt = 0;
const phases = {};
const sinceSpawn = () => round((Date.now() - spawnedAt) / 1000, 2);

function track(child, name) {
  child.benchName = name;
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function isRunning(child) {
  return child.exitCode === null && child.signalCode === null;
}

async function stopChild(child, graceMs = 5000) {
  if (!isRunning(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done && isRunning(child)) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
}

async function stopAll() {
  await Promise.all([...children].map((c) => stopChild(c)));
}

function killAllNow() {
  for (const c of children) {
    if (isRunning(c)) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

function cleanupTmp() {
  if (KEEP_TMP) return;
  for (const dir of [...tmpDirs, tmpDir]) {
    if (!dir) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

let exiting = false;
async function abort(code, message) {
  if (exiting) return;
  exiting = true;
  if (message) process.stderr.write(`bench: ${message}\n`);
  stopSampler();
  await Promise.race([stopAll(), sleep(8000)]);
  killAllNow();
  cleanupTmp();
  process.exit(code);
}

process.on('SIGINT', () => void abort(130, 'interrupted; stopping children'));
process.on('SIGTERM', () => void abort(143, 'terminated; stopping children'));
process.on('uncaughtException', (err) => void abort(1, `uncaught error: ${err?.stack ?? err}`));
process.on(
  'unhandledRejection',
  (err) => void abort(1, `unhandled rejection: ${err?.stack ?? err}`),
);
process.on('exit', killAllNow);

// ---------------------------------------------------------------------------------------
// Helpers.

function positiveNumber(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    fail(`${name} must be a positive number of seconds, got "${raw}"`);
  return n;
}

function nonNegativeNumber(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a number of seconds ≥ 0, got "${raw}"`);
  return n;
}

function positiveInteger(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) fail(`${name} must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Fork a helper server (ceiling/upstream) that reports {port} over IPC. */
async function startHelper(script, name, args = [], env = undefined) {
  const child = track(
    fork(path.join(BENCH_DIR, script), args, {
      execArgv: [],
      ...(env ? { env: { ...process.env, ...env } } : {}),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    }),
    name,
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name}: no port reported within 10 s`)),
      10_000,
    );
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early (code ${code}, signal ${signal}): ${stderr.trim()}`));
    });
  });
  return { child, port, url: `http://127.0.0.1:${port}` };
}

function apiHeaders() {
  const h = {};
  if (process.env.HOOKFLOW_API_TOKEN) h.authorization = `Bearer ${process.env.HOOKFLOW_API_TOKEN}`;
  return h;
}

async function getJson(url, timeoutMs = 10_000) {
  const res = await fetch(url, { headers: apiHeaders(), signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

function readProcStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) : null;
    };
    return {
      rssKb: kb('VmRSS'),
      hwmKb: kb('VmHWM'),
      anonKb: kb('RssAnon'),
      fileKb: kb('RssFile'),
      shmemKb: kb('RssShmem'),
    };
  } catch {
    return null;
  }
}

function dataFileSizes(dir) {
  const out = {};
  try {
    for (const f of readdirSync(dir))
      out[f] = round(statSync(path.join(dir, f)).size / 1024 / 1024, 1);
  } catch {
    /* gone */
  }
  return out;
}

// CPU accounting per workload, from /proc: how many cores the server (ceiling or Hookflow), the
// bench process (autocannon) and everything else on the machine used. "others" above ~0.2
// cores means the figures were taken on a busy machine and are low.
function cpuTotals() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait, steal };
  } catch {
    return null;
  }
}

// /proc/<pid>/stat counts CPU time in clock ticks: USER_HZ, 100 on Linux.
const CLK_TCK_US = 10_000;

function procTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
}

// The server's main thread (its tid is the pid) serves HTTP; everything else of the process
// (the engine thread, libuv's pool, V8's helpers) is "other threads".
function mainThreadTicks(pid) {
  return procTicks(`${pid}/task/${pid}`);
}

function cpuSnapshot(pids) {
  const ticks = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procTicks(pid)]));
  return { at: cpuTotals(), ticks, serverMain: pids.server ? mainThreadTicks(pids.server) : 0 };
}

function cpuUse(a, b) {
  if (!a.at || !b.at) return null;
  const dt = b.at.total - a.at.total;
  if (dt <= 0) return null;
  const cores = os.cpus().length;
  const share = (ticks) => round((ticks / dt) * cores, 2);
  const out = {};
  let ours = 0;
  for (const k of Object.keys(a.ticks)) {
    const d = b.ticks[k] - a.ticks[k];
    ours += d;
    out[k] = share(d);
  }
  if (a.ticks.server !== undefined) out.serverMain = share(b.serverMain - a.serverMain);
  out.others = share(Math.max(0, b.at.busy - a.at.busy - ours));
  out.steal = share(b.at.steal - a.at.steal);
  return out;
}

const mb = (kb) => (kb === null || kb === undefined ? null : Math.round((kb / 1024) * 10) / 10);
const round = (n, d = 1) =>
  n === null || n === undefined || Number.isNaN(n) ? null : Math.round(n * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------------------------------
// RSS sampler for the Hookflow process.

const rss = {
  pid: 0,
  timer: null,
  peakKb: 0,
  peakSample: null,
  samples: 0,
  startKb: null,
  phasePeakKb: {},
  phase: 'startup',
};

function startSampler(pid) {
  rss.pid = pid;
  rss.timer = setInterval(() => {
    const s = readProcStatus(pid);
    if (!s || s.rssKb === null) return;
    rss.samples++;
    if (rss.startKb === null) rss.startKb = s.rssKb;
    if (s.rssKb > rss.peakKb) {
      rss.peakKb = s.rssKb;
      rss.peakSample = { ...s, phase: rss.phase };
    }
    rss.phasePeakKb[rss.phase] = Math.max(rss.phasePeakKb[rss.phase] ?? 0, s.rssKb);
  }, RSS_SAMPLE_MS);
}

function stopSampler() {
  if (rss.timer) clearInterval(rss.timer);
  rss.timer = null;
}

// ---------------------------------------------------------------------------------------
// Hookflow.

function writeWorkflows(dir, upstreamUrl) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'ingest.yaml'),
    [
      'name: bench-ingest',
      'trigger:',
      '  webhook:',
      '    method: POST',
      '    path: bench/ingest',
      'steps:',
      '  - id: s',
      '    set: {n: "{{ trigger.body.n }}"}',
      '',
    ].join('\n'),
  );
  // The ingest workflow with a rate limit no run can reach: every event is counted, none refused.
  writeFileSync(
    path.join(dir, 'ingest-rl.yaml'),
    [
      'name: bench-ingest-rl',
      'trigger:',
      '  webhook:',
      '    method: POST',
      '    path: bench/ingest-rl',
      '    rate_limit: {limit: 100000000, per: 1s}',
      'steps:',
      '  - id: s',
      '    set: {n: "{{ trigger.body.n }}"}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'rr.yaml'),
    [
      'name: bench-rr',
      'trigger:',
      '  webhook:',
      '    method: POST',
      '    path: bench/rr',
      '    delivery: request_response',
      'steps:',
      '  - id: up',
      `    http: {method: GET, url: "${upstreamUrl}/order", response: json}`,
      '  - reply: {status: 200, body: "{{ steps.up.body }}"}',
      '',
    ].join('\n'),
  );
}

/**
 * Spawns `node bin/hookflow.js serve <serveArgs>` (with the parent watch preloaded, and
 * --cpu-prof under BENCH_CPU_PROF), its output appended to `logFile`. `startedAt` is
 * performance.now() just before the spawn.
 */
function spawnHookflow(serveArgs, logFile, env = {}) {
  const nodeArgs = ['--import', pathToFileURL(path.join(BENCH_DIR, 'parent-watch.mjs')).href];
  if (CPU_PROF_DIR) {
    mkdirSync(CPU_PROF_DIR, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`);
  }
  const args = [...nodeArgs, path.join(ROOT, 'bin', 'hookflow.js'), 'serve', ...serveArgs];
  // Its output goes to a file in the temp dir: the child stays quiet and the bench
  // process spends no time reading it.
  const fd = openSync(logFile, 'a');
  const startedAt = performance.now();
  const child = track(
    spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, HOOKFLOW_LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn', ...env },
      stdio: ['ignore', fd, fd],
    }),
    'hookflow',
  );
  closeSync(fd);
  const logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  };
  return { child, startedAt, logTail };
}

/**
 * Polls GET /healthz every `pollMs` until it answers 200; returns the ms from `startedAt` (a
 * performance.now()) to that answer. Throws when the child exits or HEALTH_TIMEOUT_MS passes.
 */
async function waitHealthy({ child, startedAt, logTail }, base, pollMs = HEALTH_POLL_MS) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (!isRunning(child)) {
      throw new Error(
        `Hookflow exited during start-up (code ${child.exitCode}, signal ${child.signalCode}):\n${logTail()}`,
      );
    }
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - startedAt;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline)
      throw new Error(
        `Hookflow did not answer /healthz within ${HEALTH_TIMEOUT_MS / 1000} s:\n${logTail()}`,
      );
    await sleep(pollMs);
  }
}

/**
 * Hookflow on the bench's workflows, in a new temp dir (data, workflows, log) or, with
 * `opts.dir`, again in the one an earlier start made. `healthyMs`: spawn → first 200 from
 * /healthz, polled every `opts.pollMs`.
 */
async function startHookflow(upstreamUrl, extraEnv = {}, opts = {}) {
  let dir = opts.dir;
  if (dir === undefined) {
    if (tmpDir) tmpDirs.push(tmpDir);
    tmpDir = mkdtempSync(path.join(os.tmpdir(), 'hookflow-bench-'));
    dir = tmpDir;
  }
  const dataDir = path.join(dir, 'data');
  const wfDir = path.join(dir, 'workflows');
  if (opts.dir === undefined) {
    mkdirSync(dataDir, { recursive: true });
    writeWorkflows(wfDir, upstreamUrl);
  }
  const logFile = path.join(dir, 'hookflow.log');
  const port = await freePort();
  const args = ['--port', String(port), '--host', '127.0.0.1', '--data', dataDir];
  spawnedAt = Date.now();
  const spawned = spawnHookflow([...args, '--workflows', wfDir], logFile, {
    HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1',
    ...extraEnv,
  });
  const base = `http://127.0.0.1:${port}`;
  const healthyMs = await waitHealthy(spawned, base, opts.pollMs);
  const { child, logTail } = spawned;
  return { child, port, base, logFile, logTail, dataDir, dir, healthyMs };
}

// ---------------------------------------------------------------------------------------
// Start-up.

/**
 * The arguments `npm start` gives `hookflow serve` (package.json's start script), and the
 * same without --connectors.
 */
function startupArrangements() {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const words = pkg.scripts.start.trim().split(/\s+/);
  const at = words.indexOf('serve');
  if (words[0] !== 'node' || words[1] !== 'bin/hookflow.js' || at !== 2)
    throw new Error(`package.json's start script is not "node bin/hookflow.js serve …": ${words}`);
  const start = words.slice(at + 1);
  const c = start.indexOf('--connectors');
  const without = c === -1 ? start : [...start.slice(0, c), ...start.slice(c + 2)];
  return { 'npm start': start, 'without --connectors': without };
}

/**
 * Start-up time as `npm start` has it: spawn → the first 200 from /healthz (polled every
 * STARTUP_POLL_MS), STARTUP_RUNS starts per arrangement, alternating between them, each on a
 * fresh data dir and stopped (SIGTERM) before the next. Nothing else runs meanwhile.
 */
async function measureStartup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookflow-bench-startup-'));
  tmpDirs.push(dir);
  const arrangements = startupArrangements();
  const ms = Object.fromEntries(Object.keys(arrangements).map((name) => [name, []]));
  log(
    `· startup: ${STARTUP_RUNS} starts each of ${Object.entries(arrangements)
      .map(([name, args]) => `${name} (${args.join(' ')})`)
      .join(' and ')}`,
  );
  for (let i = 0; i < STARTUP_RUNS; i++) {
    for (const [name, args] of Object.entries(arrangements)) {
      const dataDir = path.join(dir, `data-${Object.keys(ms).indexOf(name)}-${i}`);
      mkdirSync(dataDir);
      const port = await freePort();
      const serveArgs = [...args, '--host', '127.0.0.1', '--port', String(port), '--data', dataDir];
      const spawned = spawnHookflow(serveArgs, path.join(dir, 'hookflow.log'));
      ms[name].push(await waitHealthy(spawned, `http://127.0.0.1:${port}`, STARTUP_POLL_MS));
      await stopChild(spawned.child, STOP_GRACE_MS);
    }
  }
  const out = { runs: STARTUP_RUNS, pollMs: STARTUP_POLL_MS, arrangements: {} };
  for (const [name, args] of Object.entries(arrangements)) {
    const runs = ms[name];
    out.arrangements[name] = {
      args: args.join(' '),
      runsMs: runs.map((n) => round(n, 0)),
      minMs: round(Math.min(...runs), 0),
      medianMs: round(median(runs), 0),
      maxMs: round(Math.max(...runs), 0),
    };
    const a = out.arrangements[name];
    log(`  ${name}: min ${a.minMs} ms, median ${a.medianMs} ms, max ${a.maxMs} ms`);
  }
  return out;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------------------------------
// Load.

/** autocannon: by default the webhook POST with 50 connections; `opts` overrides any of it. */
async function cannon(url, duration, opts = {}) {
  return autocannon({
    url,
    method: 'POST',
    headers: HEADERS,
    body: BODY,
    connections: CONNECTIONS,
    duration,
    ...opts,
  });
}

function statusCount(result, status) {
  return result.statusCodeStats?.[status]?.count ?? 0;
}

function summarise(name, result, expectStatus, warm) {
  const expected = statusCount(result, expectStatus);
  const completed = result.latency.totalCount ?? result.requests.total;
  // 2xx answers with another status than the expected one (e.g. 200 instead of 202).
  const wrong2xx = Math.max(0, result['2xx'] - expected);
  const errors = result.non2xx + result.errors + wrong2xx; // autocannon's errors include timeouts
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]),
  );
  return {
    workload: name,
    url: result.url,
    expectStatus,
    durationS: result.duration,
    connections: result.connections,
    reqPerSecMean: round(result.requests.mean, 1),
    reqPerSecStddev: round(result.requests.stddev, 1),
    reqPerSecFromTotal: round(completed / result.duration, 1),
    latencyMs: {
      mean: round(result.latency.mean, 2),
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    completed,
    expected,
    statusCodes,
    non2xx: result.non2xx,
    wrong2xx,
    socketErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    errors,
    warmup: warm
      ? {
          durationS: warm.duration,
          completed: warm.latency.totalCount,
          expected: statusCount(warm, expectStatus),
          errors: warm.non2xx + warm.errors,
        }
      : null,
  };
}

/**
 * One autocannon workload: warm-up, then measured. `load` may set `warmup` and `duration`
 * (seconds) and anything of autocannon's options (method, headers, body, connections).
 */
async function workload(name, url, expectStatus, serverPids, load = {}) {
  const { warmup = WARMUP, duration = DURATION, ...opts } = load;
  const connections = opts.connections ?? CONNECTIONS;
  log(
    `· ${name}: ${warmup > 0 ? `${warmup} s warm-up, ` : ''}${duration} s measured, ${connections} connections → ${opts.method ?? 'POST'} ${url}`,
  );
  let warm = null;
  const loadBefore = round(os.loadavg()[0], 2);
  if (warmup > 0) warm = await cannon(url, warmup, opts);
  const start = sinceSpawn();
  const pids = { ...serverPids, bench: process.pid };
  const before = cpuSnapshot(pids);
  const result = await cannon(url, duration, opts);
  const cpu = cpuUse(before, cpuSnapshot(pids));
  if (spawnedAt) phases[name] = [start, sinceSpawn()];
  const s = summarise(name, result, expectStatus, warm);
  // 1-minute load average before the workload: > ~0.5 means something else was using the CPUs.
  s.loadAvg1mBefore = loadBefore;
  // Cores used during the measured part: server (ceiling or Hookflow), bench, everything else.
  s.cpuCores = cpu;
  // Server CPU time per answered request: it moves less than req/s when other work shares
  // the machine (contention still inflates it, up to 2-3× on a saturated machine).
  s.serverCpuUsPerReq =
    cpu && s.completed > 0 ? Math.round((cpu.server * s.durationS * 1e6) / s.completed) : null;
  // The same for the server's main thread alone: what bounds a single-threaded server.
  s.serverMainCpuUsPerReq =
    cpu && s.completed > 0 ? Math.round((cpu.serverMain * s.durationS * 1e6) / s.completed) : null;
  log(
    `  ${s.reqPerSecMean} req/s, p99 ${s.latencyMs.p99} ms, errors ${s.errors} (status ${JSON.stringify(s.statusCodes)})`,
  );
  if (cpu) {
    log(
      `  cores used: server ${cpu.server} (main thread ${cpu.serverMain}), bench ${cpu.bench}${cpu.upstream !== undefined ? `, upstream ${cpu.upstream}` : ''}, others ${cpu.others}, steal ${cpu.steal}; server CPU ${s.serverCpuUsPerReq} µs/request (main thread ${s.serverMainCpuUsPerReq})`,
    );
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Durability check after ingest.

/** Waits (≤ timeoutMs after `since`) until no job of `wf` is queued or running. */
async function waitDrained(base, wf, since, timeoutMs) {
  const out = { drained: false, drainMs: null, polls: 0 };
  for (;;) {
    out.polls++;
    const [q, r] = await Promise.all([
      getJson(`${base}/api/jobs?workflow=${wf}&status=queued&limit=1`, 30_000),
      getJson(`${base}/api/jobs?workflow=${wf}&status=running&limit=1`, 30_000),
    ]);
    out.drainMs = Date.now() - since;
    if (q.jobs.length === 0 && r.jobs.length === 0) {
      out.drained = true;
      return out;
    }
    if (Date.now() > since + timeoutMs) return out;
    await sleep(250);
  }
}

async function checkIngestJobs(base, acceptedTotal, loadEndedAt, pid) {
  const wf = 'bench-ingest';
  const out = {
    accepted202: acceptedTotal,
    jobsExist: false,
    drained: false,
    drainMs: null,
    drainPolls: 0,
    jobsCounted: null,
    jobsByStatus: {},
    countComplete: false,
    countMs: null,
    countPages: 0,
    missing: null,
    extra: null,
    note: '',
  };
  const first = await getJson(`${base}/api/jobs?workflow=${wf}&limit=1`);
  out.jobsExist = Array.isArray(first.jobs) && first.jobs.length > 0;

  const drain = await waitDrained(base, wf, loadEndedAt, DRAIN_TIMEOUT_MS);
  out.drainPolls = drain.polls;
  out.drained = drain.drained;
  out.drainMs = drain.drainMs;
  if (drain.drained) out.drainedTicks = procTicks(pid);
  else out.note += `queue not drained after ${DRAIN_TIMEOUT_MS / 1000} s. `;

  // Count every job of the workflow, page by page (bounded in time).
  rss.phase = 'count';
  const t0 = Date.now();
  let cursor = null;
  let count = 0;
  for (;;) {
    const q = `${base}/api/jobs?workflow=${wf}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await getJson(q, 30_000);
    out.countPages++;
    for (const j of page.jobs) {
      count++;
      out.jobsByStatus[j.status] = (out.jobsByStatus[j.status] ?? 0) + 1;
    }
    cursor = page.next_cursor;
    if (!cursor || page.jobs.length === 0) {
      out.countComplete = true;
      break;
    }
    if (Date.now() - t0 > COUNT_TIMEOUT_MS) {
      out.note += `counting stopped after ${COUNT_TIMEOUT_MS / 1000} s (${out.countPages} pages): paging /api/jobs is too slow for a full count. `;
      break;
    }
  }
  out.countMs = Date.now() - t0;
  out.jobsCounted = count;
  if (out.countComplete) {
    out.missing = Math.max(0, acceptedTotal - count);
    // Requests in flight when autocannon stopped may be stored without their 202 being counted.
    out.extra = Math.max(0, count - acceptedTotal);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Report.

function pad(s, n, right = false) {
  s = String(s ?? '—');
  return right ? s.padStart(n) : s.padEnd(n);
}

function printReport(report) {
  const { workloads, ceilingReqPerSec } = report;
  log();
  log(
    `Hookflow bench — ${report.date} — ${report.machine.cpus} CPUs, Node ${report.machine.node}, ${CONNECTIONS} connections, ${DURATION} s per workload`,
  );
  log();
  log(
    `${pad('workload', 19)}${pad('req/s', 11, true)}${pad('p99 ms', 9, true)}${pad('errors', 9, true)}${pad('× ceiling', 11, true)}${pad('µs CPU/req', 12, true)}${pad('main µs', 9, true)}   cores: server (main) / bench / others`,
  );
  log('-'.repeat(119));
  for (const w of Object.values(workloads)) {
    const ratio = ceilingReqPerSec ? (w.reqPerSecMean / ceilingReqPerSec).toFixed(2) : null;
    const c = w.cpuCores;
    const cores = c ? `${c.server} (${c.serverMain}) / ${c.bench} / ${c.others}` : '—';
    log(
      `${pad(w.workload, 19)}${pad(w.reqPerSecMean, 11, true)}${pad(w.latencyMs.p99, 9, true)}${pad(w.errors, 9, true)}${pad(ratio, 11, true)}${pad(w.serverCpuUsPerReq, 12, true)}${pad(w.serverMainCpuUsPerReq, 9, true)}   ${cores}`,
    );
  }
  if (report.hookflow.peakRssMb !== null) {
    log();
    log(
      `Hookflow peak RSS: ${report.hookflow.peakRssMb} MB (VmRSS sampled every ${RSS_SAMPLE_MS} ms: ${report.hookflow.sampledPeakRssMb} MB; VmHWM: ${report.hookflow.vmHwmMb} MB; at start ${report.hookflow.startRssMb} MB)`,
    );
    const p = report.hookflow.peakSampleMb;
    if (p)
      log(
        `  highest sample in phase "${p.phase}": anon ${p.anon} MB, file ${p.file} MB, shmem ${p.shmem} MB; peak by phase ${JSON.stringify(report.hookflow.rssByPhaseMb)}`,
      );
    log(`  data files at the end (MB): ${JSON.stringify(report.hookflow.dataFilesMb)}`);
  }
  const d = report.ingestDurability;
  if (d) {
    log(
      `Ingest durability: ${d.accepted202} answered 202 (warm-up included), ${d.jobsCounted ?? '?'} jobs${d.countComplete ? '' : ' (count incomplete)'} ${JSON.stringify(d.jobsByStatus)}; ` +
        `drain ${d.drained ? `${round(d.drainMs / 1000, 2)} s after load stopped` : 'NOT finished'}; counted in ${round(d.countMs / 1000, 2)} s (${d.countPages} pages)`,
    );
    if (d.hookflowCpuUsPerEventWithJob !== null && d.hookflowCpuUsPerEventWithJob !== undefined) {
      log(
        `  Hookflow CPU per ingested event, its job included: ${d.hookflowCpuUsPerEventWithJob} µs`,
      );
    }
    if (d.note) log(`  note: ${d.note.trim()}`);
  }
  if (report.upstream) log(`Upstream GETs served: ${report.upstream.served}`);
  const rl = report.rateLimitCost;
  if (rl) {
    log(
      `Ingest with a rate_limit (under the limit): ${rl.reqPerSec} req/s, ${rl.shareOfIngest === null ? '?' : `${Math.round(rl.shareOfIngest * 100)}%`} of plain ingest in this run`,
    );
  }
  const t = report.tracing;
  if (t) {
    const share = Object.entries(t.reqPerSecVsOff)
      .map(([w, r]) => `${w} ${r === null ? '?' : `${Math.round(r * 100)}%`}`)
      .join(', ');
    log(
      `Tracing on (OTLP/HTTP ${t.protocol} to a loopback sink): req/s as a share of tracing off: ${share}; ` +
        `${t.sink.requests ?? '?'} export requests, ${t.sink.bytes === null ? '?' : Math.round(t.sink.bytes / 1024)} KB`,
    );
  }
  if (report.startup) printStartup(report.startup);
  if (report.million) printMillion(report.million, log);
  if (report.postgres) printPostgres(report.postgres, report, log);
  const la = Object.values(workloads).map((w) => `${w.workload} ${w.loadAvg1mBefore}`);
  log(`1-min load average before each workload: ${la.join(', ')}`);
  const disturbed = Object.values(workloads).filter((w) => (w.cpuCores?.others ?? 0) > 0.2);
  if (disturbed.length > 0) {
    const which = disturbed.map((w) => `${w.workload} (${w.cpuCores.others} cores)`).join(', ');
    log(
      `! other processes used CPU during ${which}: those figures are low and ratios unreliable; rerun on a quiet machine`,
    );
  }
  log();
  for (const c of report.checks)
    log(`${c.pass === null ? 'SKIP' : c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  log();
  log(`Results written to ${path.relative(ROOT, RESULTS_FILE)} (not committed).`);
}

function printStartup(startup) {
  log();
  log(
    `Start-up: spawn → first 200 from GET /healthz (polled every ${startup.pollMs} ms), ${startup.runs} starts each on a fresh data dir:`,
  );
  log(
    `  ${pad('arguments', 72)}${pad('min', 7, true)}${pad('median', 8, true)}${pad('max', 7, true)}   target`,
  );
  for (const [name, a] of Object.entries(startup.arrangements)) {
    log(
      `  ${pad(`${name}: ${a.args}`, 72)}${pad(a.minMs, 7, true)}${pad(a.medianMs, 8, true)}${pad(a.maxMs, 7, true)}   median ≤ ${TARGETS.startupMedianMs} ms`,
    );
  }
}

function buildChecks(report) {
  const checks = [];
  const c = report.ceilingReqPerSec;
  for (const name of ['ingest', 'rr']) {
    const w = report.workloads[name];
    const t = TARGETS[name];
    if (!w) continue;
    const ratio = c ? w.reqPerSecMean / c : null;
    checks.push({
      name: `${name} throughput ≥ ${t.minRatio}× ceiling`,
      pass: ratio === null ? null : ratio >= t.minRatio,
      detail:
        ratio === null
          ? 'no ceiling measured'
          : `${round(ratio, 2)}× (${w.reqPerSecMean} / ${c} req/s)`,
    });
    checks.push({
      name: `${name} p99 ≤ ${t.maxP99Ms} ms`,
      pass: w.latencyMs.p99 <= t.maxP99Ms,
      detail: `${w.latencyMs.p99} ms`,
    });
    checks.push({
      name: `${name} without errors`,
      pass: w.errors === 0,
      detail: `${w.errors} errors, status ${JSON.stringify(w.statusCodes)}`,
    });
  }
  for (const [name, a] of Object.entries(report.startup?.arrangements ?? {})) {
    checks.push({
      name: `start-up (${name}) ≤ ${TARGETS.startupMedianMs} ms median`,
      pass: a.medianMs <= TARGETS.startupMedianMs,
      detail: `median ${a.medianMs} ms (min ${a.minMs}, max ${a.maxMs}; ${a.runsMs.join(', ')})`,
    });
  }
  if (report.million) checks.push(...millionChecks(report.million));
  if (report.postgres) checks.push(...postgresChecks(report.postgres, c));
  if (report.hookflow.peakRssMb !== null) {
    checks.push({
      name: `peak RSS ≤ ${TARGETS.peakRssMb} MB`,
      pass: report.hookflow.peakRssMb <= TARGETS.peakRssMb,
      detail: `${report.hookflow.peakRssMb} MB`,
    });
  }
  const d = report.ingestDurability;
  if (d) {
    checks.push({
      name: 'every 202 has a job',
      pass: d.countComplete ? d.missing === 0 : null,
      detail: d.countComplete
        ? `${d.accepted202} accepted, ${d.jobsCounted} jobs (${d.missing} missing, ${d.extra} extra)`
        : 'count incomplete',
    });
    checks.push({
      name: `ingest queue drained within ${DRAIN_TIMEOUT_MS / 1000} s`,
      pass: d.drained,
      detail: `${round(d.drainMs / 1000, 2)} s`,
    });
  }
  return checks;
}

// ---------------------------------------------------------------------------------------
// Main.

async function main() {
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAvgAtStart: os.loadavg().map((n) => round(n, 2)),
    },
    settings: {
      connections: CONNECTIONS,
      durationS: DURATION,
      warmupS: WARMUP,
      body: BODY,
      workloads: WORKLOADS,
      cpuProf: CPU_PROF_DIR || null,
      startupRuns: STARTUP_RUNS,
      millionJobs: MILLION_JOBS,
    },
    targets: TARGETS,
    workloads: {},
    ceilingReqPerSec: null,
    hookflow: {
      peakRssMb: null,
      sampledPeakRssMb: null,
      vmHwmMb: null,
      startRssMb: null,
      rssByPhaseMb: {},
      rssSamples: 0,
    },
    ingestDurability: null,
    upstream: null,
    startup: null,
    million: null,
    postgres: null,
    checks: [],
  };

  // First, on a machine where no other server of the bench runs yet.
  if (WORKLOADS.includes('startup')) report.startup = await measureStartup();

  if (WORKLOADS.includes('ceiling')) {
    const ceiling = await startHelper('ceiling.mjs', 'ceiling');
    report.workloads.ceiling = await workload('ceiling', `${ceiling.url}/`, 200, {
      server: ceiling.child.pid,
    });
    report.ceilingReqPerSec = report.workloads.ceiling.reqPerSecMean;
    await stopChild(ceiling.child);
  }

  if (WORKLOADS.includes('floor')) report.floor = await measureFloor(report);

  // The upstream of the rr workloads, embedded and PostgreSQL (idle during million).
  const upstream = WORKLOADS.some((w) => w === 'rr' || w === 'postgres')
    ? await startHelper('upstream.mjs', 'upstream')
    : null;
  if (WORKLOADS.some((w) => w === 'ingest' || w === 'ingest+rl' || w === 'rr')) {
    const hf = await startHookflow(upstream?.url ?? 'http://127.0.0.1:9');
    log(`· Hookflow up at ${hf.base} (pid ${hf.child.pid}, data in ${tmpDir})`);
    startSampler(hf.child.pid);

    if (WORKLOADS.includes('ingest')) {
      rss.phase = 'ingest';
      const ticksBefore = procTicks(hf.child.pid);
      const s = await workload('ingest', `${hf.base}/hooks/bench/ingest`, 202, {
        server: hf.child.pid,
      });
      report.workloads.ingest = s;
      const loadEndedAt = Date.now();
      rss.phase = 'drain';
      const accepted = s.expected + (s.warmup?.expected ?? 0);
      log(`· checking ingest jobs (${accepted} answered 202, warm-up included)`);
      const drainStart = sinceSpawn();
      report.ingestDurability = await checkIngestJobs(hf.base, accepted, loadEndedAt, hf.child.pid);
      // Hookflow's CPU per event from the first warm-up request until its job queue was empty:
      // accepting the event and running its job.
      const d = report.ingestDurability;
      d.hookflowCpuUsPerEventWithJob =
        d.drained && accepted > 0
          ? Math.round(((d.drainedTicks - ticksBefore) * CLK_TCK_US) / accepted)
          : null;
      phases.drain = [drainStart, round(drainStart + report.ingestDurability.drainMs / 1000, 2)];
      phases.count = [phases.drain[1], sinceSpawn()];
    }
    if (WORKLOADS.includes('ingest+rl')) {
      rss.phase = 'ingest+rl';
      const s = await workload('ingest+rl', `${hf.base}/hooks/bench/ingest-rl`, 202, {
        server: hf.child.pid,
      });
      report.workloads['ingest+rl'] = s;
      const plain = report.workloads.ingest?.reqPerSecMean;
      report.rateLimitCost = {
        reqPerSec: s.reqPerSecMean,
        shareOfIngest: plain ? round(s.reqPerSecMean / plain, 3) : null,
      };
    }
    if (WORKLOADS.includes('rr')) {
      rss.phase = 'rr';
      report.workloads.rr = await workload('rr', `${hf.base}/hooks/bench/rr`, 200, {
        server: hf.child.pid,
        upstream: upstream.child.pid,
      });
      upstream.child.send('stats');
      report.upstream = await Promise.race([
        new Promise((resolve) => upstream.child.once('message', resolve)),
        sleep(2000).then(() => ({ served: null })),
      ]);
    }

    stopSampler();
    const end = readProcStatus(hf.child.pid);
    const sampledPeak = rss.peakKb || null;
    const hwm = end?.hwmKb ?? null;
    report.hookflow = {
      pid: hf.child.pid,
      peakRssMb: mb(Math.max(sampledPeak ?? 0, hwm ?? 0) || null),
      sampledPeakRssMb: mb(sampledPeak),
      vmHwmMb: mb(hwm),
      startRssMb: mb(rss.startKb),
      endRssMb: mb(end?.rssKb ?? null),
      rssByPhaseMb: Object.fromEntries(Object.entries(rss.phasePeakKb).map(([k, v]) => [k, mb(v)])),
      rssSamples: rss.samples,
      // What the highest sample was made of: anonymous memory (JS heap, SQLite page cache,
      // buffers) vs mapped files (code, the WAL index).
      peakSampleMb: rss.peakSample
        ? {
            phase: rss.peakSample.phase,
            rss: mb(rss.peakSample.rssKb),
            anon: mb(rss.peakSample.anonKb),
            file: mb(rss.peakSample.fileKb),
            shmem: mb(rss.peakSample.shmemKb),
          }
        : null,
      dataFilesMb: dataFileSizes(hf.dataDir),
      // Seconds since the Hookflow process was spawned, per measured phase (for profiles).
      phasesSinceSpawnS: phases,
    };
    const stillUp = isRunning(hf.child);
    if (!stillUp) throw new Error(`Hookflow exited during the run:\n${hf.logTail()}`);
    // Graceful stop (SIGTERM); a --cpu-prof profile is only written on a clean exit.
    const stopAt = Date.now();
    await stopChild(hf.child, STOP_GRACE_MS);
    report.hookflow.shutdown = {
      ms: Date.now() - stopAt,
      exitCode: hf.child.exitCode,
      signal: hf.child.signalCode,
      clean: hf.child.exitCode === 0,
    };
    if (!report.hookflow.shutdown.clean) {
      log(
        `! Hookflow did not exit cleanly on SIGTERM within ${STOP_GRACE_MS / 1000} s (exit ${hf.child.exitCode}, signal ${hf.child.signalCode})${CPU_PROF_DIR ? ': no CPU profile written' : ''}`,
      );
    }
    const tail = hf.logTail();
    if (tail) report.hookflow.logTail = tail.split('\n').slice(-10);
  }

  if (WORKLOADS.includes('million')) {
    report.million = await benchMillion({
      root: ROOT,
      jobs: MILLION_JOBS,
      upstreamUrl: upstream?.url ?? 'http://127.0.0.1:9',
      body: BODY,
      headers: HEADERS,
      emptyIngest: report.workloads.ingest,
      record: (name, summary) => (report.workloads[name] = summary),
      listDuration: Math.min(DURATION, 5),
      startupPollMs: STARTUP_POLL_MS,
      startHookflow,
      isRunning,
      stopChild,
      stopGraceMs: STOP_GRACE_MS,
      workload,
      waitDrained,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      apiHeaders,
      getJson,
      readProcStatus,
      dataFileSizes,
      mb,
      log,
      round,
    });
    report.million.targets = TARGETS.million;
  }

  if (WORKLOADS.includes('postgres')) {
    if (!tmpDir) tmpDir = mkdtempSync(path.join(os.tmpdir(), 'hookflow-bench-'));
    const wfDir = path.join(tmpDir, 'workflows');
    writeWorkflows(wfDir, upstream.url);
    report.postgres = await benchPostgres({
      root: ROOT,
      wfDir,
      body: BODY,
      headers: HEADERS,
      connections: CONNECTIONS,
      duration: DURATION,
      warmup: WARMUP,
      log,
      track,
      stopChild,
      freePort,
      readProcStatus,
      round,
    });
  }

  if (TRACES && (WORKLOADS.includes('ingest') || WORKLOADS.includes('rr'))) {
    report.tracing = await tracedRuns(report, upstream?.url ?? 'http://127.0.0.1:9');
  }

  await stopAll();
  report.checks = buildChecks(report);
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  printReport(report);
  if (report.hookflow.logTail) {
    log();
    log('Hookflow log (warnings and errors, last lines):');
    for (const l of report.hookflow.logTail) log(`  ${l.slice(0, 300)}`);
  }
  if (CPU_PROF_DIR) {
    log(`CPU profile written to ${CPU_PROF_DIR} — summarise one workload with:`);
    log(
      `  node bench/profile-summary.mjs ${CPU_PROF_DIR} --phase ingest   (or rr, drain; windows from ${path.relative(ROOT, RESULTS_FILE)})`,
    );
  }
}

/**
 * The durable floor (bench/floor.mjs) in each mode: its workloads join the table as
 * `floor:MODE`; for the modes with jobs, how long the jobs took to catch up after the load.
 */
async function measureFloor(report) {
  const out = { modes: {} };
  const databaseUrl = benchDatabaseUrl();
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: databaseUrl });
  let pgReachable = true;
  try {
    await admin.connect();
  } catch (err) {
    pgReachable = false;
    out.pgSkipped = `PostgreSQL not reachable at BENCH_DATABASE_URL (${err.message})`;
    log(`· floor: ${out.pgSkipped}; its PostgreSQL modes are skipped`);
  }
  const schema = `hookflow_floor_${process.pid}`;
  try {
    for (const mode of ['sqlite', 'sqlite+jobs', 'pg', 'pg+jobs']) {
      const onPg = mode.startsWith('pg');
      const withJobs = mode.endsWith('+jobs');
      if (onPg && !pgReachable) continue;
      if (onPg) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'hookflow-floor-'));
      const floor = await startHelper('floor.mjs', `floor ${mode}`, [mode], {
        FLOOR_DIR: dir,
        FLOOR_DATABASE_URL: databaseUrl,
        FLOOR_SCHEMA: schema,
      });
      const name = `floor:${mode}`;
      const cpuBefore = cpuSample([floor.child.pid]);
      const w = await workload(name, `${floor.url}/`, 202, { server: floor.child.pid });
      report.workloads[name] = w;
      const ended = Date.now();
      // With jobs: the jobs still waiting when the load stopped, until none is left (≤ 30 s).
      let queued = null;
      let drainMs = null;
      while (withJobs && Date.now() - ended < 30_000) {
        floor.child.send('stats');
        queued = await Promise.race([
          new Promise((resolve) => floor.child.once('message', (m) => resolve(m.queued))),
          sleep(5000).then(() => null),
        ]);
        if (queued === 0) {
          drainMs = Date.now() - ended;
          break;
        }
        await sleep(100);
      }
      // From the first warm-up request until the last job finished: each event and its job.
      const cpu = cpuPerRequest(
        cpuBefore,
        cpuSample([floor.child.pid]),
        w.expected + (w.warmup?.expected ?? 0),
      );
      out.modes[mode] = {
        reqPerSec: w.reqPerSecMean,
        jobsLeft: withJobs ? queued : null,
        drainMs,
        cpuUsPerEvent: cpu && { server: cpu.hookflowUs, postgres: onPg ? cpu.postgresUs : null },
      };
      log(
        `  CPU per event${withJobs ? ', its job included' : ''}: server ${cpu?.hookflowUs ?? '?'} µs${onPg ? ` + PostgreSQL ${cpu?.postgresUs ?? '?'} µs` : ''}` +
          (withJobs
            ? `; jobs ${drainMs !== null ? `all finished ${round(drainMs / 1000, 2)} s after the load` : `${queued ?? '?'} not finished 30 s after the load`}`
            : ''),
      );
      await stopChild(floor.child);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    if (pgReachable) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await admin.end().catch(() => {});
    }
  }
  return out;
}

/**
 * ingest and rr again, on a new Hookflow whose traces go to a loopback OTLP sink: the cost of
 * tracing on, beside the runs above with it off (the default).
 */
async function tracedRuns(report, upstreamUrl) {
  const sink = await startHelper('otlp-sink.mjs', 'otlp-sink');
  const protocol = 'http/protobuf';
  const hf = await startHookflow(upstreamUrl, {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  });
  log(`· Hookflow with traces up at ${hf.base} (pid ${hf.child.pid})`);
  const vsOff = {};
  for (const [name, status] of [
    ['ingest', 202],
    ['rr', 200],
  ]) {
    if (!WORKLOADS.includes(name)) continue;
    const traced = await workload(`${name}+tr`, `${hf.base}/hooks/bench/${name}`, status, {
      server: hf.child.pid,
    });
    report.workloads[`${name}+tr`] = traced;
    const off = report.workloads[name]?.reqPerSecMean;
    vsOff[name] = off ? round(traced.reqPerSecMean / off, 3) : null;
  }
  await stopChild(hf.child, STOP_GRACE_MS);
  sink.child.send('stats');
  const stats = await Promise.race([
    new Promise((resolve) => sink.child.once('message', resolve)),
    sleep(2000).then(() => ({ requests: null, bytes: null })),
  ]);
  await stopChild(sink.child);
  return { protocol, reqPerSecVsOff: vsOff, sink: stats };
}

main().then(
  () => {
    cleanupTmp();
    process.exit(0);
  },
  (err) => void abort(1, `run failed: ${err?.stack ?? err}`),
);
