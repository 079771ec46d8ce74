/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { WorkflowError } from './errors.js';
import { parseWorkflow } from './loader.js';
import type {
  HttpStep,
  ReplyStep,
  SetStep,
  SwitchStep,
  WebhookTrigger,
  Workflow,
} from './types.js';

const hook = (w: Workflow): WebhookTrigger => w.trigger as WebhookTrigger;

// The example of SPEC §2, without `trigger.webhook.reply` (a reply there needs delivery: acknowledge).
const SPEC_EXAMPLE = `name: eventbrite-new-order
enabled: true
trigger:
  webhook:
    method: POST
    path: eventbrite/orders/:event
    format: auto
    delivery: request_response
    timeout: 30s
    example: {"config": {"action": "order.placed"}, "api_url": "https://example.test/o/1"}
    filter: "{{ body.config.action = 'order.placed' }}"
    reject: {status: 202, body: "ignored"}
    dedupe: "{{ body.config.webhook_id }}"
    verify: {github: {secret: "\${env:GH_SECRET}"}}
steps:
  - id: order
    http:
      connection: eventbrite
      method: GET
      url: "{{ trigger.body.api_url }}"
      response: json
      example: {"id": "1", "status": "placed"}
      timeout: 10s
      retry: {attempts: 3, backoff: 1s}
      errors: fail
  - id: route
    switch:
      - when: "{{ steps.order.status = 200 and steps.order.body.status = 'placed' }}"
        then:
          - reply: {status: 200, body: {ok: true, id: "{{ steps.order.body.id }}"}}
      - else:
          - reply: {status: 502, body: {error: "order lookup failed"}}
  - id: totals
    set: {count: "{{ $count(steps.order.body.items) }}"}
`;

const env = { GH_SECRET: 's3cret' };

describe('parseWorkflow reads a valid workflow', () => {
  it('the example of the spec compiles with every field in place', async () => {
    const w = parseWorkflow(SPEC_EXAMPLE, 'eventbrite.yaml', {
      env,
      connections: new Set(['eventbrite']),
    });
    assert.equal(w.name, 'eventbrite-new-order');
    assert.equal(w.enabled, true);
    assert.equal(w.file, 'eventbrite.yaml');
    const t = w.trigger;
    assert.equal(t.type, 'webhook');
    assert.equal(t.method, 'POST');
    assert.equal(t.path, 'eventbrite/orders/:event');
    assert.equal(t.delivery, 'request_response');
    assert.equal(t.timeoutMs, 30_000);
    assert.equal(t.dedupeWindowMs, 7 * 86_400_000);
    assert.deepEqual(t.example, {
      config: { action: 'order.placed' },
      api_url: 'https://example.test/o/1',
    });
    assert.deepEqual(t.verify, { github: { secret: 's3cret' } });
    assert.equal(await t.filter?.render({ body: { config: { action: 'order.placed' } } }), true);
    assert.equal(await t.dedupe?.render({ body: { config: { webhook_id: 'w1' } } }), 'w1');
    assert.equal(await t.reject?.status.render({}), 202);

    const [order, route, totals] = w.steps as [HttpStep, SwitchStep, SetStep];
    assert.equal(order.type, 'http');
    assert.equal(order.line, 16);
    assert.equal(order.connection, 'eventbrite');
    assert.equal(
      await order.url.render({ trigger: { body: { api_url: 'https://x.test' } } }),
      'https://x.test',
    );
    assert.equal(order.response, 'json');
    assert.equal(order.timeoutMs, 10_000);
    assert.deepEqual(order.retry, { attempts: 3, backoffMs: 1000 });
    assert.equal(order.errors, 'fail');
    assert.deepEqual(order.example, { id: '1', status: 'placed' });

    assert.equal(route.type, 'switch');
    assert.equal(route.cases.length, 2);
    assert.equal(route.cases[1]?.when, null);
    const reply = route.cases[0]?.steps[0] as ReplyStep;
    assert.equal(reply.id, 'route_0_0');
    assert.equal(reply.line, 30);
    const scope = { steps: { order: { status: 200, body: { id: '9', status: 'placed' } } } };
    assert.equal(await route.cases[0]?.when?.render(scope), true);
    assert.deepEqual(await reply.reply.body.render(scope), { ok: true, id: '9' });
    assert.equal(route.cases[1]?.steps[0]?.id, 'route_1_0');

    assert.equal(totals.type, 'set');
    assert.deepEqual(
      await totals.values.render({ steps: { order: { body: { items: [1, 2] } } } }),
      { count: 2 },
    );
  });

  it('leaves out what has a default', () => {
    const w = parseWorkflow('name: min\ntrigger:\n  webhook: {}\n', 'min.yaml');
    assert.equal(w.enabled, true);
    assert.deepEqual(w.steps, []);
    assert.equal(hook(w).method, 'POST');
    assert.equal(hook(w).path, null);
    assert.equal(hook(w).format, 'auto');
    assert.equal(hook(w).delivery, 'fire_and_forget');
    assert.equal(hook(w).timeoutMs, 30_000);
    assert.equal(hook(w).dedupeWindowMs, 604_800_000);
    assert.equal(hook(w).maxBodyBytes, undefined);
    assert.equal(hook(w).filter, undefined);
  });

  it('`webhook:` with nothing after it is a webhook with defaults', () => {
    assert.equal(hook(parseWorkflow('name: a\ntrigger:\n  webhook:\n', 'a.yaml')).method, 'POST');
  });

  it('http steps default to GET, json body, auto response, 30s, one attempt, errors fail', () => {
    const w = parseWorkflow(
      'name: a\ntrigger: {webhook: {}}\nsteps:\n  - http: {url: "https://x.test"}\n',
      'a.yaml',
    );
    const s = w.steps[0] as HttpStep;
    assert.equal(s.id, 'step1');
    assert.equal(s.method, 'GET');
    assert.equal(s.bodyType, 'json');
    assert.equal(s.response, 'auto');
    assert.equal(s.timeoutMs, 30_000);
    assert.deepEqual(s.retry, { attempts: 1, backoffMs: 1000 });
    assert.equal(s.errors, 'fail');
  });

  it('normalises method case, path slashes, sizes and durations', () => {
    const w = parseWorkflow(
      'name: a\ntrigger:\n  webhook: {method: put, path: /a/b.c/:id/, max_body: 512kb, timeout: 500ms, dedupe_window: 3d}\n',
      'a.yaml',
    );
    assert.equal(hook(w).method, 'PUT');
    assert.equal(hook(w).path, 'a/b.c/:id');
    assert.equal(hook(w).maxBodyBytes, 512 * 1024);
    assert.equal(hook(w).timeoutMs, 500);
    assert.equal(hook(w).dedupeWindowMs, 3 * 86_400_000);
  });

  it('an acknowledge webhook keeps its reply', async () => {
    const w = parseWorkflow(
      'name: a\ntrigger:\n  webhook:\n    delivery: acknowledge\n    reply: {headers: {Content-Type: application/xml}, body: "<ack>{{ body.id }}</ack>"}\n',
      'a.yaml',
    );
    assert.equal(await hook(w).reply?.body.render({ body: { id: 4 } }), '<ack>4</ack>');
  });

  it('reads JSON', () => {
    const text = JSON.stringify(
      { name: 'j', trigger: { webhook: { path: 'j' } }, steps: [{ set: { a: 1 } }] },
      null,
      '\t',
    );
    const w = parseWorkflow(text, 'j.json');
    assert.equal(hook(w).path, 'j');
    assert.equal(w.steps[0]?.line, 9);
  });

  it('the hash is the sha256 of the text', () => {
    const text = 'name: a\ntrigger: {webhook: {}}\n';
    assert.equal(
      parseWorkflow(text, 'a.yaml').hash,
      createHash('sha256').update(text).digest('hex'),
    );
  });

  it('YAML anchors and aliases may be used', async () => {
    const w = parseWorkflow(
      'name: a\ntrigger: {webhook: {}}\nsteps:\n  - set: &v {x: "{{ 1 + 1 }}"}\n  - set: *v\n',
      'a.yaml',
    );
    assert.deepEqual(await (w.steps[1] as SetStep).values.render({}), { x: 2 });
  });
});

describe('${env:NAME} is replaced at load time', () => {
  const text =
    'name: a\ntrigger:\n  webhook:\n    verify: {header: {name: X-Token, value: "Bearer ${env:TOKEN}"}}\n';

  it('from opts.env', () => {
    const w = parseWorkflow(text, 'a.yaml', { env: { TOKEN: 't0k' } });
    assert.deepEqual(hook(w).verify, { header: { name: 'X-Token', value: 'Bearer t0k' } });
  });
  it('the source keeps the reference, not the secret', () => {
    const w = parseWorkflow(text, 'a.yaml', { env: { TOKEN: 't0k' } });
    assert.equal(JSON.stringify(w.source).includes('t0k'), false);
    assert.deepEqual((w.source as { trigger: unknown }).trigger, {
      webhook: { verify: { header: { name: 'X-Token', value: 'Bearer ${env:TOKEN}' } } },
    });
  });
  it('from process.env when no env is given', () => {
    process.env.HOOKFLOW_TEST_TOKEN = 'from-process';
    try {
      const w = parseWorkflow(text.replace('TOKEN', 'HOOKFLOW_TEST_TOKEN'), 'a.yaml');
      assert.deepEqual(hook(w).verify, {
        header: { name: 'X-Token', value: 'Bearer from-process' },
      });
    } finally {
      delete process.env.HOOKFLOW_TEST_TOKEN;
    }
  });
  it('an unset variable is a problem at its line', () => {
    assert.throws(
      () => parseWorkflow(text, 'a.yaml', { env: {} }),
      (e: unknown) => {
        assert.ok(e instanceof WorkflowError);
        assert.deepEqual(e.problems, [
          { file: 'a.yaml', line: 4, message: 'environment variable TOKEN is not set' },
        ]);
        assert.equal(e.message, 'a.yaml:4: environment variable TOKEN is not set');
        assert.equal(e.code, 'invalid_workflow');
        return true;
      },
    );
  });
  it('works in expressions and URLs too', async () => {
    const w = parseWorkflow(
      'name: a\ntrigger: {webhook: {}}\nsteps:\n  - http: {url: "${env:BASE}/x/{{ trigger.body.id }}"}\n',
      'a.yaml',
      { env: { BASE: 'https://api.test' } },
    );
    assert.equal(
      await (w.steps[0] as HttpStep).url.render({ trigger: { body: { id: 5 } } }),
      'https://api.test/x/5',
    );
  });
});
