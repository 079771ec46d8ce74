import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWorkflow } from './loader.js';
import type { HttpStep } from './types.js';
import { HEAD, onlyProblem, yaml } from './validation-helpers.js';

const http = (...lines: string[]) =>
  yaml(
    ...HEAD,
    'steps:',
    '  - id: list',
    '    http:',
    '      url: https://api.x.test/items',
    ...lines,
  );

function step(text: string): HttpStep {
  return parseWorkflow(text, 'w.yaml', { env: {} }).steps[0] as HttpStep;
}

void describe('http step: paginate and max_redirects in workflow files', () => {
  test('paginate with next reads as a next-URL pagination with 100 pages at most', () => {
    const s = step(http('      paginate:', '        next: "{{ links.next }}"'));
    assert.equal(s.paginate?.next.kind, 'url');
    assert.equal(s.paginate?.maxPages, 100);
  });

  test('paginate with param and value reads as a parameter pagination', () => {
    const s = step(
      http(
        '      paginate:',
        '        items: "{{ body.data }}"',
        '        param: cursor',
        '        value: "{{ body.next_cursor }}"',
        '        while: "{{ body.has_more }}"',
        '        max_pages: 5',
      ),
    );
    assert.equal(s.paginate?.next.kind, 'param');
    assert.equal(s.paginate?.next.kind === 'param' && s.paginate.next.param, 'cursor');
    assert.equal(s.paginate?.maxPages, 5);
    assert.ok(s.paginate?.items && s.paginate.while);
  });

  test('both next and param is a problem at the paginate line', () => {
    onlyProblem(
      http(
        '      paginate:',
        '        next: "{{ body.next }}"',
        '        param: page',
        '        value: "{{ 2 }}"',
      ),
      10,
      /needs either next .* or param and value .*, not both/,
    );
  });

  test('neither next nor param is a problem', () => {
    onlyProblem(http('      paginate:', '        max_pages: 3'), 10, /not neither/);
  });

  test('param without value is a problem', () => {
    onlyProblem(
      http('      paginate: {param: page}'),
      9,
      "missing required key 'value' in steps[0].http.paginate",
    );
  });

  test('next must be an expression', () => {
    onlyProblem(
      http('      paginate: {next: https://api.x.test/page2}'),
      9,
      /steps\[0\]\.http\.paginate\.next must be an expression/,
    );
  });

  test('an unknown key in paginate names the allowed ones', () => {
    onlyProblem(
      http('      paginate: {next: "{{ body.next }}", limit: 10}'),
      9,
      /unknown key 'limit' .*allowed: items, next/,
    );
  });

  test('max_pages below 1 is a problem', () => {
    onlyProblem(
      http('      paginate: {next: "{{ body.next }}", max_pages: 0}'),
      9,
      /max_pages must be a whole number ≥ 1/,
    );
  });

  test('a paginate expression naming an unknown step is a problem', () => {
    onlyProblem(http('      paginate: {next: "{{ steps.nope.body }}"}'), 9, /unknown step 'nope'/);
  });

  test('max_redirects 0 turns following off; it must be a whole number', () => {
    assert.equal(step(http('      max_redirects: 0')).maxRedirects, 0);
    assert.equal(step(http()).maxRedirects, undefined);
    onlyProblem(http('      max_redirects: many'), 9, /max_redirects must be a whole number ≥ 0/);
  });
});
