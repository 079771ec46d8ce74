/**
 * @module store/postgres/driver
 * node-postgres, loaded the first time a PostgreSQL store or listener needs it: an embedded
 * (SQLite) installation never loads it, which is ~30 files off each thread's start-up.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';

const require = createRequire(import.meta.url);
let loaded: typeof pg | undefined;

export function pgDriver(): typeof pg {
  return (loaded ??= require('pg') as typeof pg);
}
