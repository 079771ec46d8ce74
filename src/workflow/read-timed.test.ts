/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkflow } from './loader.js';
import type { PollTrigger, ScheduleTrigger } from './types.js';
import { onlyProblem, problemsOf, yaml } from './validation-helpers.js';

/** name, trigger, poll: the next line is line 4. */
const POLL = ['name: w', 'trigger:', '  poll:'];
const REQUEST = '    request: {url: "https://api.example/orders"}';
const ID = '    id: "{{ id }}"';

function poll(...lines: string[]): PollTrigger {
  return parseWorkflow(yaml(...POLL, ...lines), 'w.yaml', { env: {} }).trigger as PollTrigger;
}
function schedule(value: string): ScheduleTrigger {
  return parseWorkflow(yaml('name: w', 'trigger:', `  schedule: ${value}`), 'w.yaml', { env: {} })
    .trigger as ScheduleTrigger;
}

describe('trigger.schedule', () => {
  it('every is a duration', () => {
    assert.deepEqual(schedule('{every: 30s}').timing, { kind: 'every', ms: 30_000, text: '30s' });
  });
  it('cron has the time zone given, or UTC', () => {
    assert.deepEqual(schedule("{cron: '0 9 * * 1-5', timezone: Europe/Berlin}").timing, {
      kind: 'cron',
      pattern: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
    });
    assert.deepEqual(schedule("{cron: '*/5 * * * *'}").timing, {
      kind: 'cron',
      pattern: '*/5 * * * *',
      timezone: 'UTC',
    });
  });
  it('needs every or cron', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  schedule: {}'),
      3,
      'trigger.schedule needs every (a duration such as 5m) or cron (a pattern such as "*/5 * * * *")',
    );
  });
  it('takes every or cron, not both', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  schedule:', '    every: 1m', "    cron: '* * * * *'"),
      5,
      'trigger.schedule takes every or cron, not both',
    );
  });
  it('every is at least one second', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  schedule:', '    every: 500ms'),
      4,
      /^trigger\.schedule\.every must be a duration like .*, of at least 1s \(got '500ms'\)$/,
    );
  });
  it('an invalid cron pattern is reported with croner’s reason', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  schedule:', "    cron: '61 * * * *'"),
      4,
      'trigger.schedule.cron is not a valid cron pattern: Invalid value for minute: 61',
    );
  });
  it('a cron pattern that matches no date is reported', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  schedule:', "    cron: '0 0 30 2 *'"),
      4,
      "trigger.schedule.cron never fires ('0 0 30 2 *' matches no date)",
    );
  });
  it('an unknown time zone is reported', () => {
    onlyProblem(
      yaml(
        'name: w',
        'trigger:',
        '  schedule:',
        "    cron: '0 9 * * *'",
        '    timezone: Mars/Base',
      ),
      5,
      "trigger.schedule.timezone must be an IANA time zone such as Europe/Berlin or UTC (got 'Mars/Base')",
    );
  });
  it('a time zone goes with cron only', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  schedule:', '    every: 1h', '    timezone: UTC'),
      5,
      'trigger.schedule.timezone applies to cron only; every counts from the Unix epoch',
    );
  });
  it('a reply step cannot answer a schedule', () => {
    const problems = problemsOf(
      yaml('name: w', 'trigger:', '  schedule: {every: 1m}', 'steps:', '  - reply: {status: 200}'),
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /^a reply step needs delivery: request_response/);
  });
});

describe('trigger.poll', () => {
  it('reads the request as an http step, items, id, updated, since and the window', async () => {
    const t = poll(
      '    every: 5m',
      '    request:',
      '      url: "https://api.example/orders"',
      '      query: {updated_since: "{{ since }}"}',
      '      retry: {attempts: 3}',
      '    items: "{{ body.orders }}"',
      ID,
      '    updated: "{{ updated_at }}"',
      '    since: 2025-01-31T00:00:00Z',
      '    seen_window: 7d',
    );
    assert.deepEqual(t.timing, { kind: 'every', ms: 300_000, text: '5m' });
    assert.equal(t.request.type, 'http');
    assert.equal(t.request.method, 'GET');
    assert.equal(t.request.retry.attempts, 3);
    assert.deepEqual(await t.request.query?.render({ since: 'S' }), { updated_since: 'S' });
    assert.deepEqual(await t.items.render({ body: { orders: [1, 2] } }), [1, 2]);
    assert.equal(await t.id.render({ id: 7 }), 7);
    assert.equal(await t.updated?.render({ updated_at: 'u' }), 'u');
    assert.deepEqual(t.since, new Date('2025-01-31T00:00:00Z'));
    assert.equal(t.seenWindowMs, 7 * 86_400_000);
  });
  it('defaults: items are the body, since is now, ids are remembered 30 days', async () => {
    const t = poll('    every: 1m', REQUEST, ID);
    assert.deepEqual(await t.items.render({ body: [1] }), [1]);
    assert.equal(t.since, 'now');
    assert.equal(t.seenWindowMs, 30 * 86_400_000);
    assert.equal(t.updated, undefined);
  });
  it('needs request and id', () => {
    const problems = problemsOf(yaml(...POLL, '    every: 1m'));
    assert.deepEqual(
      problems.map((p) => [p.line, p.message]),
      [
        [4, "missing required key 'request' in trigger.poll"],
        [4, "missing required key 'id' in trigger.poll"],
      ],
    );
  });
  it('the request is checked like an http step', () => {
    onlyProblem(
      yaml(...POLL, '    every: 1m', '    request: {url: "https://a.example", methd: GET}', ID),
      5,
      /^unknown key 'methd' in trigger\.poll\.request .*did you mean 'method'\?$/,
    );
  });
  it('the request names a known connection', () => {
    onlyProblem(
      yaml(...POLL, '    every: 1m', '    request: {connection: crm, url: /orders}', ID),
      5,
      "unknown connection 'crm' in trigger.poll.request.connection (known: shop)",
      'w.yaml',
      { connections: new Set(['shop']) },
    );
  });
  it('the request cannot read the trigger or steps: it runs before any job', () => {
    onlyProblem(
      yaml(
        ...POLL,
        '    every: 1m',
        '    request:',
        '      url: "https://a.example/{{ trigger.body.id }}"',
        ID,
      ),
      6,
      "trigger.poll.request.url reads trigger, which a poll's request cannot see (it runs before any job); it sees since, now, env",
    );
  });
  it('id must be an expression', () => {
    onlyProblem(
      yaml(...POLL, '    every: 1m', REQUEST, '    id: id'),
      6,
      /^trigger\.poll\.id must be an expression like/,
    );
  });
  it('since is now or an ISO-8601 date', () => {
    onlyProblem(
      yaml(...POLL, '    every: 1m', REQUEST, ID, '    updated: "{{ u }}"', '    since: yesterday'),
      8,
      "trigger.poll.since must be now or an ISO-8601 date such as 2025-01-31T00:00:00Z (got 'yesterday')",
    );
  });
  it('a since date needs updated, the date each item is compared with', () => {
    onlyProblem(
      yaml(...POLL, '    every: 1m', REQUEST, ID, '    since: 2025-01-01'),
      7,
      "trigger.poll.since needs trigger.poll.updated: the first poll compares each item's updated date with since",
    );
  });
  it('a poll on cron reads the time zone', () => {
    const t = poll("    cron: '0 * * * *'", '    timezone: Asia/Tokyo', REQUEST, ID);
    assert.deepEqual(t.timing, { kind: 'cron', pattern: '0 * * * *', timezone: 'Asia/Tokyo' });
  });
  it('the example is one item', () => {
    const t = poll('    every: 1m', REQUEST, ID, '    example: {id: 1, status: paid}');
    assert.deepEqual(t.example, { id: 1, status: 'paid' });
  });
});
