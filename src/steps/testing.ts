/**
 * @module steps/testing
 * Test helpers for step executors: a stand-in for compiled templates (the real compiler lives
 * in workflow/), so steps can be tested on their own.
 *
 * @example
 *   const url = fakeTemplate('https://example.test/x');
 *   const total = fakeTemplate((scope) => (scope.trigger as { n: number }).n + 1);
 */
import type { Scope, Template } from '../workflow/types.js';

/** A Template that renders to `value`, or to `value(scope)` when it is a function. */
export function fakeTemplate(value: unknown, where = 'test'): Template {
  const isFn = typeof value === 'function';
  return {
    isStatic: !isFn,
    where,
    render: (scope: Scope) =>
      Promise.resolve(isFn ? (value as (scope: Scope) => unknown)(scope) : value),
  };
}
