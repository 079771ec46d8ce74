/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEAD, onlyProblem, problemsOf, yaml } from './validation-helpers.js';

describe('steps', () => {
  it('a reply step needs delivery request_response', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - reply: {status: 200}'),
      6,
      "a reply step needs delivery: request_response (this workflow's trigger delivery is fire_and_forget)",
    );
  });
  it('a reply step nested in a switch is checked too', () => {
    onlyProblem(
      yaml(
        ...HEAD,
        '    delivery: acknowledge',
        'steps:',
        '  - switch:',
        '      - else:',
        '          - reply: {}',
      ),
      9,
      "a reply step needs delivery: request_response (this workflow's trigger delivery is acknowledge)",
    );
  });
  it('a reference to an unknown step names the place and the known ids', () => {
    onlyProblem(
      yaml(
        'name: w',
        'trigger:',
        '  webhook: {delivery: request_response}',
        'steps:',
        '  - id: order',
        '    http: {url: https://x.test}',
        '  - id: route',
        '    switch:',
        '      - else: [{reply: {body: "{{ steps.order.body }}"}}]',
        '  - set:',
        '      count: "{{ $count(steps.ordr.body.items) }}"',
      ),
      11,
      "unknown step 'ordr' referenced in steps[2].set.count (known: order, route, route_0_0, step3)",
    );
  });
  it('a hyphenated id must be quoted with backticks', () => {
    onlyProblem(
      yaml(
        ...HEAD,
        'steps:',
        '  - id: get-order',
        '    http: {url: https://x.test}',
        '  - set: {a: "{{ steps.get-order.id }}"}',
      ),
      8,
      'steps.get-order in steps[1].set.a reads as steps.get minus …; write steps.`get-order`',
    );
  });
  it('an unknown connection is reported when connections are known', () => {
    const text = yaml(
      ...HEAD,
      'steps:',
      '  - http:',
      '      connection: jria',
      '      url: /rest/api/2/myself',
    );
    onlyProblem(
      text,
      7,
      "unknown connection 'jria' in steps[0].http.connection (known: jira, slack)",
      'w.yaml',
      {
        connections: new Set(['slack', 'jira']),
      },
    );
    assert.deepEqual(problemsOf(text), []);
  });
  it('a duplicate step id is reported on the second', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - id: a', '    set: {x: 1}', '  - id: a', '    set: {x: 2}'),
      8,
      "duplicate step id 'a' (already used on line 6)",
    );
  });
  it('a default id taken by an explicit one', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - id: step2', '    set: {x: 1}', '  - set: {x: 2}'),
      8,
      "steps[1] gets the default id 'step2', already used on line 6; give it its own id",
    );
  });
  it('a step id must be a name', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - id: 2nd step', '    set: {x: 1}'),
      6,
      "steps[0].id must match [A-Za-z_][A-Za-z0-9_-]* (got '2nd step')",
    );
  });
  it('a step needs one type', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - id: a'),
      6,
      'steps[0] needs exactly one of http, switch, reply, set, or a connector action (<connector>.<action>)',
    );
  });
  it('a step does one thing', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - set: {x: 1}', '    http: {url: https://x.test}'),
      7,
      "steps[0] has both 'set' and 'http'; a step does one thing, split it into two steps",
    );
  });
  it('an unknown key in a step lists the step types', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - htp: {url: https://x.test}'),
      6,
      /^unknown key 'htp' in steps\[0\] \(allowed: id, http, switch, reply, set\); did you mean 'http'\?$/,
    );
  });
  it('else must be the last case of a switch', () => {
    onlyProblem(
      yaml(
        ...HEAD,
        'steps:',
        '  - switch:',
        '      - else: []',
        '      - when: "{{ true }}"',
        '        then: []',
      ),
      7,
      'steps[0].switch[0]: the else case must be the last case',
    );
  });
  it('a case needs when and then', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - switch:', '      - when: "{{ true }}"'),
      7,
      "missing required key 'then' in steps[0].switch[0]",
    );
  });
  it('an empty switch', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - switch: []'),
      6,
      /^steps\[0\]\.switch must be a list of cases/,
    );
  });
  it('steps must be a list', () => {
    onlyProblem(yaml(...HEAD, 'steps: {a: 1}'), 5, 'steps must be a list of steps (got a mapping)');
  });
});

describe('expressions', () => {
  it('a syntax error is reported at the line of the string holding it', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - set:', '      a: ok', '      b:', '        - "{{ 1 + }}"'),
      9,
      /^steps\[0\]\.set\.b\[0\]: expression `\{\{ 1 \+ \}\}` is not valid: .*\(JSONata S0207/,
    );
  });
  it('an unclosed {{ is reported', () => {
    onlyProblem(
      yaml(...HEAD, 'steps:', '  - set: {a: "x {{ y"}'),
      6,
      /^steps\[0\]\.set\.a: expression `x \{\{ y` is not valid: '\{\{' at character 3 has no matching '\}\}'/,
    );
  });
});

describe('every problem of a file is reported at once, in line order', () => {
  it('collects them all', () => {
    const problems = problemsOf(
      yaml(
        'name: Bad',
        'trigger:',
        '  webhook:',
        '    methd: POST',
        '    delivery: sometimes',
        'steps:',
        '  - http: {method: GET}',
        '  - reply: {}',
        '  - set: {a: "{{ steps.nope }}", b: "${env:MISSING}"}',
      ),
    );
    assert.deepEqual(
      problems.map((p) => p.line),
      [1, 4, 5, 7, 8, 9, 9],
    );
  });
});
