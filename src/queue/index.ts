export type { Queue, JobHandler } from './types.js';
export { createLocalQueue } from './local/local-queue.js';
