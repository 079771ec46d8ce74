/**
 * @module connectors/bundle-cache
 * Connector bundles kept between starts. Bundling a connector means loading esbuild and
 * running it, about a tenth of a second on each thread that loads connectors; a restart with
 * the same files needs none of it. An entry is used while the connector file has the same
 * text and every other file esbuild read for it (its shared code, the packages it bundled) the
 * size and modification time it had when the bundle was built — the test `make` uses.
 *
 * The cache lives under Hookflow's own `node_modules/.cache` (where build tools keep theirs):
 * whoever can write there can change Hookflow's code anyway. When it cannot be written (a
 * read-only install), there is no cache and every start bundles.
 *
 * @example
 *   const cache = openBundleCache(join(ownModules, '.cache', 'hookflow-connectors'), buildId);
 *   const file = cache?.get(source) ?? cache?.put(source, await bundle(cache.outfile(source)), inputs);
 */
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';

/** Where connector bundles are kept: the cache (`openBundleCache`), or one load's directory. */
export interface BundleCache {
  /** The bundle built earlier from the same inputs, or null. */
  get(source: string): string | null;
  /** Where `source` is bundled to: its source map's paths are relative to this file. */
  outfile(source: string): string;
  /** Keeps `code` as the bundle of `source`, built from `inputs` (absolute paths). */
  put(source: string, code: string, inputs: readonly string[]): string;
}

interface Entry {
  /** The connector file, and the hash of its text (edited within a clock tick, same size). */
  source: string;
  sourceHash: string;
  /** Each input's size and modification time when the bundle was built. */
  inputs: Record<string, [number, number]>;
  /** The bundle's file name in the cache directory. */
  bundle: string;
}

/** A cache in `dir`, or null when `dir` cannot be written. `buildId`: what else a bundle depends on. */
export function openBundleCache(dir: string, buildId: string): BundleCache | null {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch {
    return null;
  }
  const keyOf = (source: string) => sha256(`${buildId}\0${source}`).slice(0, 24);
  const entryFile = (source: string) => join(dir, `${keyOf(source)}.json`);

  function readEntry(source: string): Entry | null {
    return parseEntry(entryFile(source));
  }

  return {
    get(source) {
      const entry = readEntry(source);
      if (!entry) return null;
      try {
        if (sha256(readFileSync(source, 'utf8')) !== entry.sourceHash) return null;
        for (const [file, [size, mtimeMs]] of Object.entries(entry.inputs)) {
          const now = statSync(file);
          if (now.size !== size || now.mtimeMs !== mtimeMs) return null;
        }
        const bundle = join(dir, entry.bundle);
        statSync(bundle);
        return bundle;
      } catch {
        return null;
      }
    },
    outfile(source) {
      return join(dir, `${keyOf(source)}.mjs`);
    },
    put(source, code, inputs) {
      const previous = readEntry(source);
      // Named by its content: a changed connector is a new module URL, never an old one's.
      const name = `${keyOf(source)}-${sha256(code).slice(0, 12)}.mjs`;
      const entry: Entry = {
        source,
        sourceHash: sha256(readFileSync(source, 'utf8')),
        inputs: Object.fromEntries(
          inputs.map((file) => {
            const s = statSync(file);
            return [file, [s.size, s.mtimeMs]];
          }),
        ),
        bundle: name,
      };
      writeAtomically(join(dir, name), code);
      writeAtomically(entryFile(source), JSON.stringify(entry));
      if (previous && previous.bundle !== name) rmSync(join(dir, previous.bundle), { force: true });
      forgetRemoved();
      return join(dir, name);
    },
  };

  /** Entries of connector files that no longer exist go (checked when something is built). */
  function forgetRemoved(): void {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      const entry = parseEntry(join(dir, name));
      if (entry && existsSync(entry.source)) continue;
      if (entry) rmSync(join(dir, entry.bundle), { force: true });
      rmSync(join(dir, name), { force: true });
    }
  }
}

/**
 * Without a cache: bundles go to `dir`, a directory of one load's, never found again
 * (`get` is always null).
 */
export function uncachedBundles(dir: string): BundleCache {
  const fileOf = (source: string) =>
    join(dir, `${sha256(source).slice(0, 12)}-${basename(source)}.mjs`);
  return {
    get: () => null,
    outfile: fileOf,
    put(source, code) {
      writeFileSync(fileOf(source), code);
      return fileOf(source);
    },
  };
}

/** Bundle file names as `put` makes them: nothing else in the directory is ever imported or removed. */
const BUNDLE_NAME = /^[0-9a-f]{24}-[0-9a-f]{12}\.mjs$/;

/** An entry as `put` wrote it, or null (missing, unreadable, or not of that shape). */
function parseEntry(file: string): Entry | null {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Partial<Entry>;
    if (
      typeof entry.source !== 'string' ||
      typeof entry.sourceHash !== 'string' ||
      typeof entry.bundle !== 'string' ||
      !BUNDLE_NAME.test(entry.bundle) ||
      typeof entry.inputs !== 'object' ||
      entry.inputs === null
    )
      return null;
    return entry as Entry;
  } catch {
    return null;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Two processes starting at once each write whole files; a reader never sees half of one. */
function writeAtomically(file: string, content: string): void {
  const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}
