/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderReply } from './reply.js';
import { loadWorkflows } from './loader.js';
import type { ReplyStep, SetStep, WebhookTrigger } from './types.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

describe('loadWorkflows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-workflows-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.yaml'), 'name: orders\ntrigger: {webhook: {path: orders}}\n');
  writeFileSync(join(dir, 'b.json'), '{\n  "name": "refunds",\n  "trigger": {"webhook": {}}\n}\n');
  writeFileSync(
    join(dir, 'c.yml'),
    '# copy of a\nname: orders\ntrigger: {webhook: {path: orders2}}\n',
  );
  writeFileSync(join(dir, 'd.yaml'), 'name: broken\ntrigger: {webhok: {}}\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a workflow');
  writeFileSync(join(dir, '.hidden.yaml'), 'garbage: [');
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', 'e.yaml'), 'garbage: [');

  const { workflows, problems } = loadWorkflows(dir);

  it('loads .yaml, .yml and .json files directly in the directory, in name order', () => {
    assert.deepEqual(
      workflows.map((w) => [w.name, w.file]),
      [
        ['orders', join(dir, 'a.yaml')],
        ['refunds', join(dir, 'b.json')],
      ],
    );
  });
  it('reports a name already used by an earlier file on the later one', () => {
    assert.deepEqual(problems[0], {
      file: join(dir, 'c.yml'),
      line: 2,
      message: `duplicate workflow name 'orders' (already used by ${join(dir, 'a.yaml')}:1)`,
    });
  });
  it("reports other files' problems and leaves those files out", () => {
    assert.deepEqual(problems.slice(1), [
      {
        file: join(dir, 'd.yaml'),
        line: 2,
        message:
          "trigger 'webhok' is not supported by this version (supported: webhook, poll, schedule)",
      },
    ]);
  });
  it('loads a single file', () => {
    const one = loadWorkflows(join(dir, 'b.json'));
    assert.deepEqual(one.problems, []);
    assert.equal(one.workflows[0]?.name, 'refunds');
  });
  it('a missing path is a problem, not a crash', () => {
    const none = loadWorkflows(join(dir, 'missing'));
    assert.equal(none.workflows.length, 0);
    assert.equal(none.problems[0]?.line, 1);
    assert.match(none.problems[0]?.message ?? '', /^cannot read: .*ENOENT/);
  });
});

describe('the examples', () => {
  const { workflows, problems } = loadWorkflows(EXAMPLES, { env: {} });

  it('load without problems', () => {
    assert.deepEqual(problems, []);
    assert.ok(workflows.some((w) => w.name === 'hello'));
    assert.ok(workflows.some((w) => w.name === 'echo'));
  });
  it('hello is a fire-and-forget POST at /hooks/hello with a set step', async () => {
    const hello = workflows.find((w) => w.name === 'hello');
    const trigger = hello?.trigger as WebhookTrigger;
    assert.equal(trigger.method, 'POST');
    assert.equal(trigger.path, 'hello');
    assert.equal(trigger.delivery, 'fire_and_forget');
    const set = hello?.steps[0] as SetStep;
    assert.equal(set.type, 'set');
    const out = (await set.values.render({ trigger: { body: { name: 'Ada' } } })) as {
      message: string;
    };
    assert.equal(out.message, 'Hello, Ada!');
  });
  it('echo replies with the path parameter and the body', async () => {
    const echo = workflows.find((w) => w.name === 'echo');
    const trigger = echo?.trigger as WebhookTrigger;
    assert.equal(trigger.path, 'echo/:name');
    assert.equal(trigger.delivery, 'request_response');
    const reply = echo?.steps.find((s) => s.type === 'reply') as ReplyStep;
    const scope = { trigger: { params: { name: 'ada' }, body: { x: 1 } } };
    assert.deepEqual(await renderReply(reply.reply, scope), {
      status: 200,
      headers: {},
      body: { hello: 'ada', body: { x: 1 } },
    });
  });
});
