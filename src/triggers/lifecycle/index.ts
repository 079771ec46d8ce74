/**
 * @module triggers/lifecycle
 * init/destroy of connector triggers as workflows come and go. See trigger-lifecycle.ts.
 */
export { TriggerLifecycle } from './trigger-lifecycle.js';
export type { LifecycleDeps, LifecycleStatus } from './trigger-lifecycle.js';
export { backoffDelay, dueRecords, nextWake, planReconcile } from './plan.js';
export type { DesiredTrigger, LifecycleSpec, Plan } from './plan.js';
