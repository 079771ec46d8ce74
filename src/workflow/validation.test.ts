/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEAD, onlyProblem, problemsOf, yaml } from './validation-helpers.js';

describe('keys', () => {
  it('an unknown key is reported at its own line, with the allowed keys', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  webhook:', '    path: w', '    methd: POST'),
      5,
      "unknown key 'methd' in trigger.webhook (allowed: method, path, format, delivery, timeout, example, filter, reject, dedupe, dedupe_window, verify, reply, max_body, rate_limit); did you mean 'method'?",
    );
  });
  it('an unknown top-level key', () => {
    onlyProblem(
      yaml(...HEAD, 'stepz: []'),
      5,
      "unknown key 'stepz' in the workflow (allowed: name, enabled, trigger, steps, concurrency, debounce, on_failure, retention, search); did you mean 'steps'?",
    );
  });
  it('a missing required key is reported at the line of its parent mapping', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - http:', '      method: GET'),
      7,
      "missing required key 'url' in steps[0].http",
    );
  });
  it('a missing name or trigger is reported at the top mapping', () => {
    const problems = problemsOf(yaml('# a comment', 'enabled: true'));
    assert.deepEqual(
      problems.map((p) => [p.line, p.message]),
      [
        [2, "missing required key 'name' in the workflow"],
        [2, "missing required key 'trigger' in the workflow"],
      ],
    );
  });
  it('a key written twice is a YAML error at the second', () => {
    onlyProblem(
      yaml('name: w', 'name: v', 'trigger: {webhook: {}}'),
      2,
      /^invalid YAML: Map keys must be unique/,
    );
  });
});

describe('values', () => {
  it('name must match [a-z0-9-]+', () => {
    onlyProblem(
      yaml('name: New_Order', 'trigger: {webhook: {}}'),
      1,
      /^name must match \[a-z0-9-\]\+ .*got 'New_Order'/,
    );
  });
  it('enabled must be a boolean', () => {
    onlyProblem(
      yaml('name: w', 'enabled: "no"', 'trigger: {webhook: {}}'),
      2,
      "enabled must be true or false (got 'no')",
    );
  });
  it('delivery must be one of the three modes', () => {
    onlyProblem(
      yaml(...HEAD, '    delivery: fire-and-forget'),
      5,
      "trigger.webhook.delivery must be one of fire_and_forget, acknowledge, request_response (got 'fire-and-forget')",
    );
  });
  it('method must be an HTTP method', () => {
    onlyProblem(
      yaml(...HEAD, '    method: FETCH'),
      5,
      /^trigger\.webhook\.method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS/,
    );
  });
  it('format must be a known format', () => {
    onlyProblem(
      yaml(...HEAD, '    format: yaml'),
      5,
      /^trigger\.webhook\.format must be one of auto, json, xml, form, text, raw/,
    );
  });
  it('a path segment must be plain characters or a :param', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  webhook:', '    path: orders/{id}'),
      4,
      /^trigger\.webhook\.path has an invalid segment '\{id\}'/,
    );
  });
  it('a path may not have an empty segment', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  webhook:', '    path: a//b'),
      4,
      "trigger.webhook.path has an empty segment ('//')",
    );
  });
  it('a duration must be readable', () => {
    onlyProblem(
      yaml(...HEAD, '    timeout: 30 seconds'),
      5,
      "trigger.webhook.timeout must be a duration like 500ms, 30s, 5m, 2h, 7d or a number of milliseconds (more than zero) (got '30 seconds')",
    );
  });
  it('a size must be readable', () => {
    onlyProblem(
      yaml(...HEAD, '    max_body: lots'),
      5,
      /^trigger\.webhook\.max_body must be a size like 512kb, 10mb, 1gb or a number of bytes/,
    );
  });
  it('filter and dedupe must be expressions', () => {
    onlyProblem(
      yaml(...HEAD, '    filter: "true"'),
      5,
      /^trigger\.webhook\.filter must be an expression like "\{\{ body\.type = 'order' \}\}"/,
    );
  });
  it('retry attempts must be at least 1', () => {
    onlyProblem(
      yaml(
        ...HEAD,
        'steps:',
        '  - http:',
        '      url: https://x.test',
        '      retry: {attempts: 0}',
      ),
      8,
      'steps[0].http.retry.attempts must be a whole number ≥ 1 (got 0)',
    );
  });
  it('a static URL without a connection must be absolute', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - http: {url: /me}'),
      6,
      /^steps\[0\]\.http\.url must be an absolute http\(s\) URL/,
    );
  });
  it('a static reply status must be an HTTP status', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  webhook:', '    reject: {status: 999}'),
      4,
      'trigger.webhook.reject.status must be an HTTP status 100-599',
    );
  });
});

describe('trigger', () => {
  it('an unknown trigger is not supported', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  mqtt: {topic: orders}'),
      3,
      "trigger 'mqtt' is not supported by this version (supported: webhook, poll, schedule)",
    );
  });
  it('a trigger has exactly one key', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  webhook: {}', '  schedule: {every: 30s}'),
      4,
      "trigger must have exactly one key; found 'webhook' and 'schedule'",
    );
  });
  it('an empty trigger', () => {
    onlyProblem(
      yaml('name: w', 'trigger: {}'),
      2,
      'trigger needs exactly one key: webhook, poll, schedule',
    );
  });
  it('a trigger reply needs delivery acknowledge', () => {
    onlyProblem(
      yaml(...HEAD, '    reply: {status: 200}'),
      5,
      "trigger.webhook.reply needs delivery: acknowledge (this workflow's trigger delivery is fire_and_forget)",
    );
  });
});

describe('file-level problems', () => {
  it('a YAML syntax error gives its line', () => {
    const problems = problemsOf(
      yaml('name: w', 'trigger:', '  webhook: {path: [a, b}', 'steps: []'),
    );
    assert.ok(problems.length >= 1);
    assert.equal(problems[0]?.line, 3);
    assert.match(problems[0]?.message ?? '', /^invalid YAML: /);
  });
  it('an empty file', () => {
    onlyProblem(
      '# nothing yet\n',
      1,
      'the file is empty: a workflow needs at least name and trigger',
    );
  });
  it('a file that is not a mapping', () => {
    onlyProblem('- a\n- b\n', 1, 'a workflow must be a mapping (got a list)');
  });
});

describe('JSON input gives the same messages with JSON lines', () => {
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  // {                                   1
  //   "name": "w",                      2
  //   "trigger": {                      3
  //     "webhook": {                    4
  //       "methd": "POST"               5
  //     }                               6
  //   },                                7
  //   "steps": [                        8
  //     {                               9
  //       "http": {                     10
  //         "method": "GET"             11
  //       }                             12
  //     },                              13
  //     {                               14
  //       "set": {                      15
  //         "n": "{{ steps.ordr.x }}"   16
  const text = json({
    name: 'w',
    trigger: { webhook: { methd: 'POST' } },
    steps: [{ http: { method: 'GET' } }, { set: { n: '{{ steps.ordr.x }}' } }],
  });

  it('reports unknown keys, missing keys and unknown steps at their lines', () => {
    assert.deepEqual(
      problemsOf(text, 'w.json').map((p) => [p.line, p.message.split(' (')[0]]),
      [
        [5, "unknown key 'methd' in trigger.webhook"],
        [10, "missing required key 'url' in steps[0].http"],
        [16, "unknown step 'ordr' referenced in steps[1].set.n"],
      ],
    );
  });
  it('invalid JSON is reported as such with its line', () => {
    onlyProblem(
      '{\n  "name": "w",\n  "name": "v"\n}\n',
      3,
      /^invalid JSON: Map keys must be unique/,
      'w.json',
    );
  });
});
