import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConnection } from './load-connections.js';
import { readConnection } from './read-connection.js';

const doc = (...rate: string[]) =>
  ['name: crm', 'type: none', 'base_url: https://api.crm.test', ...rate].join('\n') + '\n';

function problems(text: string): string[] {
  return readConnection(text, 'c.yaml').problems.map((p) => `${p.line}: ${p.message}`);
}

void describe('connection files: rate', () => {
  test('rate {limit, per} compiles to a limit per window in milliseconds', () => {
    assert.deepEqual(parseConnection(doc('rate: {limit: 10, per: 1s}'), 'c.yaml').rate, {
      limit: 10,
      perMs: 1_000,
    });
    assert.deepEqual(parseConnection(doc('rate:', '  limit: 600', '  per: 1m'), 'c.yaml').rate, {
      limit: 600,
      perMs: 60_000,
    });
  });

  test('a connection without rate has no limit of its own', () => {
    assert.equal(parseConnection(doc(), 'c.yaml').rate, null);
  });

  test('a limit that is not a whole number ≥ 1 is reported at its line', () => {
    assert.deepEqual(problems(doc('rate:', '  limit: 0', '  per: 1s')), [
      '5: rate.limit must be a whole number ≥ 1 (got 0)',
    ]);
    assert.deepEqual(problems(doc('rate: {limit: 2.5, per: 1s}')), [
      '4: rate.limit must be a whole number ≥ 1 (got 2.5)',
    ]);
  });

  test('per must be a duration above zero, at most a day', () => {
    assert.match(problems(doc('rate: {limit: 5, per: soon}'))[0] ?? '', /^4: rate\.per must be /);
    assert.match(problems(doc('rate: {limit: 5, per: 0s}'))[0] ?? '', /more than zero/);
    assert.match(problems(doc('rate: {limit: 5, per: 2d}'))[0] ?? '', /at most 24h/);
  });

  test('both keys are required, and no other is allowed', () => {
    assert.deepEqual(problems(doc('rate: {limit: 5}')), ["4: missing required key 'per' in rate"]);
    assert.match(problems(doc('rate: {limit: 5, per: 1s, burst: 2}'))[0] ?? '', /burst/);
  });

  test('a limit above 10000 is refused', () => {
    assert.deepEqual(problems(doc('rate: {limit: 20000, per: 1h}')), [
      '4: rate.limit must be at most 10000 (got 20000)',
    ]);
  });
});
