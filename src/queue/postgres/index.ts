/**
 * @module queue/postgres
 * Jobs claimed from PostgreSQL by any number of workers (SKIP LOCKED + lease), woken by
 * LISTEN/NOTIFY and a safety poll.
 */
export { createClaimLoop } from './claim-loop.js';
export type { ClaimLoop, ClaimLoopOptions } from './claim-loop.js';
