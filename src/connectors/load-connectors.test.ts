import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { loadConnectors } from './load-connectors.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-connectors-test-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const GOOD_TS = `import { defineConnector, defineTrigger, z } from 'hookflow';
export default defineConnector({
  name: 'acme',
  triggers: { order: defineTrigger({ params: z.object({ shop: z.string() }) }) },
});
`;

const BOOM = "const ok = 1;\n\nthrow new Error('no API key');\n";
const LOADER = fileURLToPath(new URL('./load-connectors.ts', import.meta.url));

describe('loading user connectors', () => {
  test('a TypeScript file importing hookflow loads without a build step', async () => {
    const { catalog, problems } = await loadConnectors(dirWith({ 'acme.ts': GOOD_TS }));
    assert.deepEqual(problems, []);
    const found = catalog.resolveTrigger('acme.order');
    assert.ok(!('problem' in found));
    assert.ok(catalog.has('github'), 'the built-ins are there too');
  });

  test('a JavaScript file loads too', async () => {
    const js = `import { defineConnector } from 'hookflow';
export default defineConnector({ name: 'plain', actions: { ping: { run: () => ({ pong: true }) } } });
`;
    const { catalog, problems } = await loadConnectors(dirWith({ 'plain.mjs': js }));
    assert.deepEqual(problems, []);
    assert.ok(catalog.has('plain'));
  });

  test('a syntax error is reported as file:line: reason', async () => {
    const dir = dirWith({ 'broken.ts': "import { z } from 'hookflow';\nconst x: number = ;\n" });
    const { problems } = await loadConnectors(dir);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.file, join(dir, 'broken.ts'));
    assert.equal(problems[0]!.line, 2);
    assert.match(problems[0]!.message, /Unexpected ";"/);
  });

  test('an exception while loading names the line that threw', async () => {
    const { problems } = await loadConnectors(dirWith({ 'boom.ts': BOOM }));
    assert.equal(problems[0]!.line, 3);
    assert.equal(problems[0]!.message, 'fails when loaded: no API key');
  });

  test('a connectors directory under the working directory names the line that threw', () => {
    // `hookflow serve --connectors connectors` from the project: a fresh esbuild (its working
    // directory is fixed when it is first imported) in a process started there.
    const project = dirWith({});
    mkdirSync(join(project, 'connectors'));
    writeFileSync(join(project, 'connectors', 'boom.ts'), BOOM);
    const script = `import { loadConnectors } from ${JSON.stringify(pathToFileURL(LOADER).href)};
      const { problems } = await loadConnectors('connectors');
      console.log(JSON.stringify(problems));`;
    const run = spawnSync(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
      { cwd: project, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const problems = JSON.parse(run.stdout) as { line: number }[];
    assert.equal(problems[0]!.line, 3);
  });

  test('two connectors whose file names end alike both load', async () => {
    const named = (name: string) => GOOD_TS.replace("'acme'", `'${name}'`);
    const { catalog, problems } = await loadConnectors(
      dirWith({
        'stripe-orders-connector.ts': named('one'),
        'shopx-orders-connector.ts': named('two'),
      }),
    );
    assert.deepEqual(problems, []);
    assert.ok(catalog.has('one') && catalog.has('two'));
  });

  test('a missing import is reported with its file and line', async () => {
    const dir = dirWith({
      'dep.ts': "\nimport left from 'left-pad-not-installed';\nexport default left;\n",
    });
    const { problems } = await loadConnectors(dir);
    assert.equal(problems[0]!.line, 2);
    assert.match(problems[0]!.message, /Could not resolve "left-pad-not-installed"/);
  });

  test('a file that exports no connector says what to write', async () => {
    const { problems } = await loadConnectors(dirWith({ 'none.ts': 'export const x = 1;\n' }));
    assert.match(
      problems[0]!.message,
      /exports no connector; write `export default defineConnector/,
    );
  });

  test('a bad definition is refused with the reason', async () => {
    const bad = `import { defineConnector } from 'hookflow';
export default defineConnector({ name: 'webhook', triggers: { t: { delivery: 'later' } } } as never);
`;
    const { problems } = await loadConnectors(dirWith({ 'bad.ts': bad }));
    assert.match(problems[0]!.message, /the name 'webhook' is reserved/);
    assert.match(problems[0]!.message, /delivery must be one or a list of/);
  });

  test('a connector changed since the last start is bundled again; each load gets its own module', async () => {
    const version = (n: number) => `import { defineConnector } from 'hookflow';
let calls = 0;
export default defineConnector({ name: 'versioned', actions: { which: { run: () => ({ n: ${n}, calls: ++calls }) } } });
`;
    const dir = dirWith({ 'versioned.ts': version(1) });
    const run = async () => {
      const { catalog, problems } = await loadConnectors(dir);
      assert.deepEqual(problems, []);
      const found = catalog.resolveAction('versioned.which');
      assert.ok(!('problem' in found));
      return (found.definition.run as () => unknown)();
    };
    assert.deepEqual(await run(), { n: 1, calls: 1 });
    // The same file again (from the bundle cache): a fresh module, as in a new process.
    assert.deepEqual(await run(), { n: 1, calls: 1 });
    writeFileSync(join(dir, 'versioned.ts'), version(2));
    assert.deepEqual(await run(), { n: 2, calls: 1 });
  });

  test('a second connector of the same name is refused', async () => {
    const dup = GOOD_TS.replace("'acme'", "'github'");
    const { problems } = await loadConnectors(dirWith({ 'gh.ts': dup }));
    assert.match(problems[0]!.message, /the name 'github' is already used by a built-in connector/);
  });
});
