import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openBundleCache, uncachedBundles } from './bundle-cache.js';

const root = mkdtempSync(join(tmpdir(), 'hookflow-bundle-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('the connector bundle cache', () => {
  test('a bundle is used while its inputs keep their size and modification time', () => {
    const cache = openBundleCache(join(root, 'a'), 'build 1')!;
    const source = join(root, 'a.ts');
    const shared = join(root, 'shared.ts');
    writeFileSync(source, 'export const a = 1;');
    writeFileSync(shared, 'export const s = 1;');
    assert.equal(cache.get(source), null);
    const file = cache.put(source, '// bundle 1', [source, shared]);
    assert.equal(cache.get(source), file);

    // Shared code the bundle read changed: the bundle is stale.
    utimesSync(shared, new Date(), new Date(Date.now() + 5000));
    assert.equal(cache.get(source), null);
    const second = cache.put(source, '// bundle 2', [source, shared]);
    assert.notEqual(second, file, 'a new bundle is a new file (and module URL)');
    assert.ok(!existsSync(file), 'the stale bundle is removed');
    assert.equal(cache.get(source), second);

    writeFileSync(source, 'export const a = 22;');
    assert.equal(cache.get(source), null);
  });

  test('another build id (another SDK, other options) does not see the bundle', () => {
    const source = join(root, 'b.ts');
    writeFileSync(source, 'export const b = 1;');
    openBundleCache(join(root, 'b'), 'build 1')!.put(source, '// b', [source]);
    assert.equal(openBundleCache(join(root, 'b'), 'build 2')!.get(source), null);
  });

  test('entries of removed connector files are dropped when a bundle is built', () => {
    const dir = join(root, 'c');
    const cache = openBundleCache(dir, 'build 1')!;
    const gone = join(root, 'gone.ts');
    const kept = join(root, 'kept.ts');
    writeFileSync(gone, 'export {};');
    writeFileSync(kept, 'export {};');
    const goneFile = cache.put(gone, '// gone', [gone]);
    rmSync(gone);
    cache.put(kept, '// kept', [kept]);
    assert.ok(!existsSync(goneFile));
    assert.equal(cache.get(gone), null);
    assert.notEqual(cache.get(kept), null);
  });

  test('an entry naming a file outside the cache is ignored, never imported or removed', () => {
    const dir = join(root, 'd');
    const cache = openBundleCache(dir, 'build 1')!;
    const source = join(root, 'd.ts');
    const victim = join(root, 'victim.mjs');
    writeFileSync(source, 'export {};');
    writeFileSync(victim, '// not the cache');
    cache.put(source, '// d', [source]);
    const entryName = readdirSync(dir).find((n) => n.endsWith('.json'))!;
    const entry = JSON.parse(readFileSync(join(dir, entryName), 'utf8')) as { bundle: string };
    entry.bundle = '../victim.mjs';
    writeFileSync(join(dir, entryName), JSON.stringify(entry));
    assert.equal(cache.get(source), null);
    rmSync(source);
    cache.put(join(root, 'victim.mjs'), '// other', [victim]);
    assert.ok(existsSync(victim), 'the file outside the cache is still there');
  });

  test('without a cache, each source gets its own file in the load directory, never found again', () => {
    const dir = mkdtempSync(join(root, 'load-'));
    const bundles = uncachedBundles(dir);
    const a = join(root, 'one', 'acme.ts');
    const b = join(root, 'two', 'acme.ts');
    const fileA = bundles.put(a, '// a', [a]);
    assert.equal(fileA, bundles.outfile(a));
    assert.notEqual(bundles.put(b, '// b', [b]), fileA, 'files whose names end alike');
    assert.equal(readFileSync(fileA, 'utf8'), '// a');
    assert.equal(bundles.get(a), null);
  });

  test('a directory that cannot be made means no cache', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    assert.equal(openBundleCache(join(file, 'cache'), 'build 1'), null);
  });
});
