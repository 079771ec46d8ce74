#!/usr/bin/env node
// Summarise V8 .cpuprofile files (from `BENCH_CPU_PROF=/tmp/prof npm run bench`, i.e.
// Hookflow started with --cpu-prof): top functions by self time, and self time grouped
// by where the code lives (Hookflow's dist/, each npm package, Node internals, GC, idle).
//
//   node bench/profile-summary.mjs DIR|FILE [--top N] [--callers FUNCTION_NAME]
//   (--callers: the call paths that lead to FUNCTION_NAME's self time, heaviest first)
//   --window FROM,TO   only samples FROM..TO seconds after the profile started
//   --phase NAME       the window of a workload (ingest, rr, drain) from bench/results/latest.json
//   --stages N         busy time by stage of the request path (HTTP, webhook handling, the
//                      store's statements and commits, thread messages, jobs, outbound HTTP,
//                      GC, …), as µs per request for N requests in the window; frames of the
//                      bundle are mapped to their source by its source maps
//   (the profile starts when the process does, the phase windows when it was spawned: they
//   agree to within tens of milliseconds)

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const topIdx = args.indexOf('--top');
const TOP = topIdx >= 0 ? Number(args.splice(topIdx, 2)[1]) : 30;
const callersIdx = args.indexOf('--callers');
const CALLERS = callersIdx >= 0 ? args.splice(callersIdx, 2)[1] : null;
const phaseIdx = args.indexOf('--phase');
const PHASE = phaseIdx >= 0 ? args.splice(phaseIdx, 2)[1] : null;
const windowIdx = args.indexOf('--window');
let WINDOW = windowIdx >= 0 ? args.splice(windowIdx, 2)[1].split(',').map(Number) : null;
if (PHASE) {
  // Phase windows (seconds since Hookflow was spawned) come from the bench's results file.
  const results = JSON.parse(
    readFileSync(new URL('./results/latest.json', import.meta.url), 'utf8'),
  );
  WINDOW = results.hookflow?.phasesSinceSpawnS?.[PHASE] ?? null;
  if (!WINDOW) {
    process.stderr.write(`no phase "${PHASE}" in bench/results/latest.json\n`);
    process.exit(2);
  }
}
const stagesIdx = args.indexOf('--stages');
const STAGES_PER = stagesIdx >= 0 ? Number(args.splice(stagesIdx, 2)[1]) : null;
const target = args[0];
if (!target) {
  process.stderr.write('usage: node bench/profile-summary.mjs DIR|FILE [--top N]\n');
  process.exit(2);
}

const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(target, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  : [target];
if (files.length === 0) {
  process.stderr.write(`no .cpuprofile in ${target}\n`);
  process.exit(1);
}

function where(url) {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (u.startsWith('node:')) return 'node internals';
  const dist = u.indexOf('/dist/');
  if (dist >= 0) return `hookflow ${u.slice(dist + 1)}`;
  return path.basename(u);
}

function category(frame) {
  const fn = frame.functionName;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return '(program: native/V8)';
  if (fn === '(root)') return '(root)';
  const w = where(frame.url);
  if (!w) return '(native/builtin)';
  if (w.startsWith('hookflow ')) return 'hookflow dist/';
  return w;
}

function summarise(file) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = prof.timeDeltas ?? [];
  let t = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    t += deltas[i] ?? 0;
    if (WINDOW && (t < WINDOW[0] * 1e6 || t > WINDOW[1] * 1e6)) continue;
    const id = prof.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fnAgg = new Map();
  const catAgg = new Map();
  for (const [id, us] of selfUs) {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    fnAgg.set(key, (fnAgg.get(key) ?? 0) + us);
    const c = category(f);
    catAgg.set(c, (catAgg.get(c) ?? 0) + us);
  }
  const idle = catAgg.get('idle') ?? 0;
  const busy = total - idle;
  const pct = (us, of) => `${((100 * us) / of).toFixed(1)}%`.padStart(6);
  const ms = (us) => `${(us / 1000).toFixed(0)} ms`.padStart(9);

  console.log(
    `\n${file}${WINDOW ? ` — window ${WINDOW[0]}..${WINDOW[1]} s${PHASE ? ` (${PHASE})` : ''}` : ''}`,
  );
  console.log(
    `  profiled ${(total / 1e6).toFixed(2)} s: busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s`,
  );
  console.log('\n  self time by location (share of busy time)');
  for (const [c, us] of [...catAgg]
    .filter(([c]) => c !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)) {
    console.log(`  ${ms(us)} ${pct(us, busy)}  ${c}`);
  }
  if (CALLERS) {
    const parent = new Map();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const paths = new Map();
    for (const [id, us] of selfUs) {
      if (byId.get(id).callFrame.functionName !== CALLERS) continue;
      const chain = [];
      for (let p = parent.get(id); p !== undefined && chain.length < 8; p = parent.get(p)) {
        const f = byId.get(p).callFrame;
        if (f.functionName === '(root)') break;
        chain.push(`${f.functionName || '(anonymous)'}@${where(f.url)}:${f.lineNumber + 1}`);
      }
      const key = chain.join(' < ');
      paths.set(key, (paths.get(key) ?? 0) + us);
    }
    console.log(`\n  callers of ${CALLERS}`);
    for (const [k, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 10))
      console.log(`  ${ms(us)}  ${k}`);
  }
  if (STAGES_PER) printStages(prof, byId, selfUs, busy, STAGES_PER);
  console.log(`\n  top ${TOP} functions by self time (share of busy time)`);
  for (const [k, us] of [...fnAgg]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)) {
    console.log(`  ${ms(us)} ${pct(us, busy)}  ${k}`);
  }
}

// ---------------------------------------------------------------------------------------
// Stages: each sample goes to the stage of the innermost frame that names one, walking from
// the sampled function to its callers. Frames of Node itself and native code name none
// (a socket write belongs to whoever wrote: the HTTP server, undici, a thread port), except
// the few by name below.

const BY_NAME = new Map([
  ['(garbage collector)', 'GC'],
  ['(program)', 'V8 and native, unattributed'],
  ['fdatasync', 'store: WAL sync (its hand-off to the thread pool)'],
  ['sqliteTransaction', 'store: SQLite BEGIN/COMMIT (WAL page writes)'],
  ['postMessage', 'thread messages'],
]);

const BY_SOURCE = [
  [/src\/store\/sqlite\/|better-sqlite3/, 'store: SQLite statements and the store'],
  [/src\/store\/postgres\/|node_modules\/pg/, 'store: PostgreSQL client and the store'],
  [/src\/store\//, 'store: shared code'],
  [/src\/roles\/embedded\/(pipe|forwarded-writes)|src\/roles\/embedded\//, 'thread messages'],
  [/src\/metrics\/|prom-client/, 'metrics'],
  [/src\/logger|pino/, 'logging'],
  [/src\/tracing\/|@opentelemetry/, 'tracing'],
  [
    /node_modules\/undici|src\/steps\/http\/|src\/connections\//,
    'outbound HTTP (undici, connections)',
  ],
  [
    /src\/engine\/|src\/steps\/|src\/expressions\/|jsonata|src\/queue\/|src\/roles\/worker\//,
    'jobs: engine, steps, expressions, queue',
  ],
  [
    /src\/ingress\/|src\/roles\/ingress\/|src\/workflow\/|src\/triggers\/|src\/connectors\//,
    'webhook handling (route, body, trigger data, reply)',
  ],
  [
    /fastify|find-my-way|avvio|light-my-request|content-type|secure-json-parse|@fastify/,
    'HTTP server: Fastify',
  ],
];

const maps = new Map();
function sourceMapOf(url) {
  if (!maps.has(url)) {
    const file = url.replace(/^file:\/\//, '');
    maps.set(
      url,
      existsSync(`${file}.map`)
        ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')))
        : null,
    );
  }
  return maps.get(url);
}

/** The frame's source file and line, through the bundle's source map; null for Node's own. */
function sourceOf(frame) {
  if (!frame.url || frame.url.startsWith('node:')) return null;
  const map = sourceMapOf(frame.url);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (!entry?.originalSource) return { file: frame.url, line: frame.lineNumber + 1 };
  return { file: entry.originalSource, line: entry.originalLine + 1 };
}

function printStages(prof, byId, selfUs, busy, requests) {
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOfNode = new Map();
  // [stage, the frame that decided it]
  const stageOf = (id) => {
    if (stageOfNode.has(id)) return stageOfNode.get(id);
    let found = null;
    const leaf = byId.get(id).callFrame.functionName;
    if (BY_NAME.has(leaf)) found = [BY_NAME.get(leaf), leaf];
    for (let p = id; found === null && p !== undefined; p = parent.get(p)) {
      const f = byId.get(p).callFrame;
      const src = sourceOf(f);
      if (src === null) continue;
      const file = src.file.replace(/^(\.\.\/)+/, '').replace(/^.*node_modules\//, '');
      const stage = BY_SOURCE.find(([re]) => re.test(src.file))?.[1] ?? `other: ${file}`;
      found = [stage, `${f.functionName || '(anonymous)'} ${file}:${src.line}`];
    }
    found ??= ['Node: HTTP parser, streams, timers, ports', leaf];
    stageOfNode.set(id, found);
    return found;
  };
  const agg = new Map();
  for (const [id, us] of selfUs) {
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    const [s, frame] = stageOf(id);
    const a = agg.get(s) ?? { us: 0, frames: new Map() };
    a.us += us;
    a.frames.set(frame, (a.frames.get(frame) ?? 0) + us);
    agg.set(s, a);
  }
  const per = (us) => `${(us / requests).toFixed(1).padStart(7)} µs`;
  console.log(`\n  busy time by stage, µs per request (${requests} requests in the window)`);
  for (const [s, a] of [...agg].sort((x, y) => y[1].us - x[1].us)) {
    if (a.us / busy < 0.005) continue;
    console.log(`  ${per(a.us)} ${`${((100 * a.us) / busy).toFixed(1)}%`.padStart(6)}  ${s}`);
    for (const [frame, us] of [...a.frames].sort((x, y) => y[1] - x[1]).slice(0, 3)) {
      if (us / busy >= 0.01) console.log(`  ${per(us)}           ${frame}`);
    }
  }
  console.log(`  ${(busy / requests).toFixed(1).padStart(7)} µs   busy in all`);
}

for (const file of files) summarise(file);
