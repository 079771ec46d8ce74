/**
 * @module connectors/load-connectors
 * Loads the user's connectors: every `.ts`, `.mts`, `.js` or `.mjs` file directly in the
 * connectors directory is one connector (shared code goes in sub-directories). No build step:
 * each file is bundled by esbuild at start-up and imported. `import … from 'hookflow'` means
 * the Hookflow that is running, whether or not the directory has it installed; other packages
 * resolve from the directory, then from Hookflow's own dependencies.
 *
 * A broken connector is a problem `file:line: reason` (a syntax or type-stripping error, an
 * exception at import, an export that is not a connector, a bad definition), never a stack.
 *
 * @example
 *   const { catalog, problems } = await loadConnectors('connectors/');
 *   for (const p of problems) console.error(formatProblem(p));
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Message } from 'esbuild';
import { errorMessage, HookflowError } from '../errors.js';
import type { Problem } from '../workflow/errors.js';
import { formatProblem } from '../workflow/errors.js';
import { BUILTIN_CONNECTORS } from './builtins/index.js';
import { openBundleCache, uncachedBundles } from './bundle-cache.js';
import type { BundleCache } from './bundle-cache.js';
import { ConnectorCatalog } from './catalog.js';
import { isConnector } from './sdk/define-connector.js';
import type { Connector } from './sdk/define-connector.js';

export const CONNECTOR_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** True in the bundle that `hookflow serve` runs (scripts/bundle.mjs defines it). */
declare const HOOKFLOW_BUNDLED: boolean | undefined;

/**
 * The module connectors get for `hookflow`: this running copy's connector SDK — in the bundle,
 * its own SDK entry beside this code, so that connectors share its modules (one HookflowError).
 */
const SELF = new URL(
  typeof HOOKFLOW_BUNDLED !== 'undefined'
    ? './sdk.js'
    : import.meta.url.endsWith('.ts')
      ? '../sdk.ts'
      : '../sdk.js',
  import.meta.url,
).href;
const OWN_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const CACHE_DIR = join(OWN_MODULES, '.cache', 'hookflow-connectors');
/** What a bundle depends on besides its inputs: the SDK it imports, the options below. */
const BUILD_ID = `${SELF} 1`;
/** Each load imports its own module instances, as a process that starts anew would. */
let loads = 0;

/** Connectors that could not be loaded; `problems` holds one per file at fault. */
export class ConnectorError extends HookflowError {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    super('invalid_connector', problems.map(formatProblem).join('\n'), { problems });
    this.name = 'ConnectorError';
    this.problems = problems;
  }
}

/** The built-ins plus every connector of `dir` that loads; `dir` null → the built-ins only. */
export async function loadConnectors(
  dir: string | null,
): Promise<{ catalog: ConnectorCatalog; problems: Problem[] }> {
  const catalog = new ConnectorCatalog(BUILTIN_CONNECTORS, dir);
  const problems: Problem[] = [];
  if (dir === null) return { catalog, problems };
  const files = listConnectorFiles(dir, problems);
  if (files.length === 0) return { catalog, problems };
  // Stack traces of connector code then name the connector's own file and line.
  process.setSourceMapsEnabled(true);
  // Without a cache, bundles go to a directory of this load's, removed once imported.
  const cache = openBundleCache(CACHE_DIR, BUILD_ID);
  const out = cache ? null : mkdtempSync(join(tmpdir(), 'hookflow-connectors-'));
  const bundles = cache ?? uncachedBundles(out!);
  const load = ++loads;
  try {
    for (const file of files) {
      const loaded = await loadOne(file, bundles, load);
      if ('problem' in loaded) {
        problems.push(loaded.problem);
        continue;
      }
      try {
        catalog.add(loaded.connector, file);
      } catch (e) {
        problems.push({ file, line: 1, message: errorMessage(e) });
      }
    }
  } finally {
    if (out) rmSync(out, { recursive: true, force: true });
  }
  return { catalog, problems };
}

/** Like {@link loadConnectors}, throwing a ConnectorError when any file has a problem. */
export async function loadConnectorsOrThrow(dir: string | null): Promise<ConnectorCatalog> {
  const { catalog, problems } = await loadConnectors(dir);
  if (problems.length > 0) throw new ConnectorError(problems);
  return catalog;
}

function listConnectorFiles(dir: string, problems: Problem[]): string[] {
  try {
    if (!statSync(dir).isDirectory()) return [dir];
    return readdirSync(dir, { withFileTypes: true })
      .filter(
        (e) =>
          e.isFile() &&
          !e.name.startsWith('.') &&
          !e.name.endsWith('.d.ts') &&
          !/\.test\.[mc]?[jt]s$/.test(e.name) &&
          CONNECTOR_EXTENSIONS.includes(extname(e.name).toLowerCase()),
      )
      .map((e) => join(dir, e.name))
      .sort();
  } catch (e) {
    problems.push({ file: dir, line: 1, message: `cannot read: ${errorMessage(e)}` });
    return [];
  }
}

async function loadOne(
  file: string,
  bundles: BundleCache,
  load: number,
): Promise<{ connector: Connector } | { problem: Problem }> {
  const absolute = resolve(file);
  let bundled = bundles.get(absolute);
  if (bundled === null) {
    const built = await bundle(file, absolute, bundles.outfile(absolute));
    if ('problem' in built) return built;
    bundled = bundles.put(absolute, built.code, built.inputs);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(`${pathToFileURL(bundled).href}?load=${load}`)) as Record<string, unknown>;
  } catch (e) {
    return {
      problem: {
        file,
        line: lineIn(e, absolute),
        message: `fails when loaded: ${errorMessage(e)}`,
      },
    };
  }
  const connector = isConnector(mod.default) ? mod.default : Object.values(mod).find(isConnector);
  if (!connector) {
    return {
      problem: {
        file,
        line: 1,
        message:
          'exports no connector; write `export default defineConnector({ name, triggers, actions })`',
      },
    };
  }
  return { connector };
}

/** The connector's code with what it imports (but `hookflow`), and the files esbuild read. */
async function bundle(
  file: string,
  absolute: string,
  outfile: string,
): Promise<{ code: string; inputs: string[] } | { problem: Problem }> {
  try {
    // Loaded only when there is a connector file to bundle.
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [absolute],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      // The map's sources are relative to the output file; without one esbuild makes them
      // relative to the working directory, and Node resolves them against the bundle's
      // directory instead — stacks then name a path that does not exist.
      outfile,
      logLevel: 'silent',
      metafile: true,
      nodePaths: [OWN_MODULES],
      // CommonJS dependencies bundled into ESM still call require() for Node's modules.
      banner: {
        js: `import { createRequire as __hookflowRequire } from 'node:module'; const require = __hookflowRequire(${JSON.stringify(pathToFileURL(absolute).href)});`,
      },
      plugins: [
        {
          name: 'hookflow-self',
          setup(b) {
            b.onResolve({ filter: /^hookflow$/ }, () => ({ path: SELF, external: true }));
          },
        },
      ],
    });
    return {
      code: result.outputFiles[0]?.text ?? '',
      // Relative to the working directory; plugins' virtual paths are not files.
      inputs: Object.keys(result.metafile.inputs)
        .map((p) => resolve(p))
        .filter((p) => existsSync(p)),
    };
  } catch (e) {
    const first = (e as { errors?: Message[] }).errors?.[0];
    const loc = first?.location;
    const where = loc?.file ? resolve(loc.file) : absolute;
    return {
      problem: {
        file: where === absolute ? file : where,
        line: loc?.line ?? 1,
        message: first ? first.text : errorMessage(e),
      },
    };
  }
}

/** The line in `file` where an error was thrown, from its (source-mapped) stack. */
function lineIn(e: unknown, file: string): number {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):\\d+`).exec(stack);
  return m ? Number(m[1]) : 1;
}
