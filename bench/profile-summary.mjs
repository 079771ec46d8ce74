#!/usr/bin/env node
// Summarise V8 .cpuprofile files (from `BENCH_CPU_PROF=/tmp/prof npm run bench`, i.e.
// Hookflow started with --cpu-prof): top functions by self time, and self time grouped
// by where the code lives (Hookflow's dist/, each npm package, Node internals, GC, idle).
//
//   node bench/profile-summary.mjs DIR|FILE [--top N] [--callers FUNCTION_NAME]
//   (--callers: the call paths that lead to FUNCTION_NAME's self time, heaviest first)
//   --window FROM,TO   only samples FROM..TO seconds after the profile started
//   --phase NAME       the window of a workload (ingest, rr, drain) from bench/results/latest.json
//   (the profile starts when the process does, the phase windows when it was spawned: they
//   agree to within tens of milliseconds)

import { readdirSync, readFileSync, statSync } from 'node:fs';
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

for (const file of files) summarise(file);

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
  console.log(`\n  top ${TOP} functions by self time (share of busy time)`);
  for (const [k, us] of [...fnAgg]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)) {
    console.log(`  ${ms(us)} ${pct(us, busy)}  ${k}`);
  }
}
