/**
 * The built web UI for tests: `dist/ui` when it is newer than every file of `src/ui` (as after
 * `npm ci` or `npm run build`), else a fresh Vite build into a temporary directory, so a test
 * never runs against a stale UI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE = join(ROOT, 'src', 'ui');
const BUILT = join(ROOT, 'dist', 'ui');

let cached: string | null = null;

export function builtUiDir(): string {
  if (cached) return cached;
  const index = join(BUILT, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(SOURCE)) return (cached = BUILT);
  const out = mkdtempSync(join(tmpdir(), 'hookflow-ui-'));
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const res = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(SOURCE, 'vite.config.ts'), '--outDir', out, '--emptyOutDir'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`the UI does not build:\n${res.stdout}\n${res.stderr}`);
  return (cached = out);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}
