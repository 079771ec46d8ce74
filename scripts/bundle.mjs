// Bundles the command line, the worker thread and the connector SDK into dist/bundle (esbuild,
// code split so that the three entries share one copy of each module). A server loads a few
// files instead of about a thousand: module loading was most of its start-up
// (docs/benchmarks.md, "Start-up"). `tsc` still builds dist/ for the package's library entry
// and its types; the bundle is what `bin/hookflow.js` runs.
//
//   node scripts/bundle.mjs [OUTDIR]   (default dist/bundle; keep it two levels under the
//                                      package root: the code finds package.json, dist/ui and
//                                      node_modules at ../../ from its own files)
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(root, process.argv[2] ?? 'dist/bundle');
// Chunks are named by their content's hash: those of an earlier build would stay behind.
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'src/cli/index.ts',
    'worker-thread-entry': 'src/roles/embedded/worker-thread-entry.ts',
    sdk: 'src/sdk.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Loaded from node_modules as they are: native code (better-sqlite3, esbuild's binary),
  // what only some installations load, on first use (pg, pino-pretty), and OpenTelemetry,
  // whose API keeps one global registry that the SDK and instrumentations must share.
  external: ['better-sqlite3', 'esbuild', 'pg', 'pino-pretty', '@opentelemetry/*'],
  // Connectors import `hookflow` as the bundle's own SDK entry (connectors/load-connectors.ts).
  define: { HOOKFLOW_BUNDLED: 'true' },
  // CommonJS dependencies bundled into ES modules still call require() for Node's modules.
  banner: {
    js: "import { createRequire as __hookflowRequire } from 'node:module'; const require = __hookflowRequire(import.meta.url);",
  },
});
