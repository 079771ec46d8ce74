/**
 * @module store/postgres
 * The PostgreSQL backend of the store. Use `createStore` from `store/index.ts` unless you need
 * this backend's own options.
 *
 * @example
 *   const store = createPostgresStore({ databaseUrl: process.env.HOOKFLOW_DATABASE_URL });
 */
export { createPostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export { JOBS_CHANNEL } from './statements.js';
export { createPgListener } from './listener.js';
export type { NotificationHandler, PgListener, PgListenerOptions } from './listener.js';
