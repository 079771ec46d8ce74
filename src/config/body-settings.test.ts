import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from './index.js';

const load = (env: Record<string, string>) => loadConfig({}, env, '/tmp');

void describe('config: body settings', () => {
  test('HOOKFLOW_MAX_DEPTH is 100 by default', () => {
    assert.equal(load({}).maxDepth, 100);
  });

  test('HOOKFLOW_MAX_DEPTH takes a whole number from 1 to 1000', () => {
    assert.equal(load({ HOOKFLOW_MAX_DEPTH: '1' }).maxDepth, 1);
    assert.equal(load({ HOOKFLOW_MAX_DEPTH: '1000' }).maxDepth, 1000);
  });

  test('a bad HOOKFLOW_MAX_DEPTH is one line naming the setting and the range', () => {
    for (const [value, why] of [
      ['0', 'expected 1 to 1000, got 0'],
      ['5000', 'expected 1 to 1000, got 5000'],
      ['deep', "expected a whole number, got 'deep'"],
    ]) {
      assert.throws(
        () => load({ HOOKFLOW_MAX_DEPTH: value! }),
        new RegExp(`^ConfigError: invalid configuration: HOOKFLOW_MAX_DEPTH: ${why}$`),
      );
    }
  });
});
