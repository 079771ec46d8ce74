import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Scope, SetStep } from '../../workflow/types.js';
import { fakeTemplate } from '../testing.js';
import { executeSetStep } from './set-step.js';

void describe('set step', () => {
  void test('the output is the rendered values; the input is null; one attempt', async () => {
    const step: SetStep = {
      type: 'set',
      id: 'totals',
      line: 3,
      values: fakeTemplate((scope: Scope) => {
        const items = (scope.steps as { order: { body: { items: unknown[] } } }).order.body.items;
        return { count: items.length, label: 'total' };
      }),
    };
    const outcome = await executeSetStep(step, {
      scope: { steps: { order: { body: { items: [1, 2, 3] } } } },
      jobId: 'job-1',
      workflow: 'wf',
    });
    assert.deepEqual(outcome, { input: null, output: { count: 3, label: 'total' }, attempts: 1 });
  });

  void test('an expression failure propagates unchanged', async () => {
    const failure = new Error('steps.totals.set: $count(x) failed');
    const step: SetStep = {
      type: 'set',
      id: 'totals',
      line: 3,
      values: { isStatic: false, where: 'steps.totals.set', render: () => Promise.reject(failure) },
    };
    await assert.rejects(executeSetStep(step, { scope: {}, jobId: 'j', workflow: 'wf' }), failure);
  });
});
