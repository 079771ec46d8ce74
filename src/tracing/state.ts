/**
 * @module tracing/state
 * Whether this thread traces. Set by `startTracing` once the SDK is registered; the span
 * helpers check it first, so with tracing off they cost a boolean test and nothing else.
 */
let on = false;

export function tracingOn(): boolean {
  return on;
}

export function setTracingOn(value: boolean): void {
  on = value;
}
