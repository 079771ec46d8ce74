/**
 * @module store/sqlite
 * The SQLite backend of the store. Use `createStore` from `store/index.ts` unless you need
 * this backend's own options.
 *
 * @example
 *   const store = createSqliteStore({ file: '.hookflow/hookflow.db' });
 */
export { createSqliteStore } from './sqlite-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
