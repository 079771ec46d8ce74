export type { Queue, JobHandler } from './types.js';
export { createLocalQueue } from './local/local-queue.js';
export { createIntake, searchIndexed, withVersions } from './intake.js';
export type { Intake, JobNotifier } from './intake.js';
export { createClaimLoop } from './postgres/index.js';
export type { ClaimLoop, ClaimLoopOptions } from './postgres/index.js';
