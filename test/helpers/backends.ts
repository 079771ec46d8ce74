/**
 * The store backends integration tests run on: SQLite always, PostgreSQL when
 * HOOKFLOW_TEST_DATABASE_URL is set (each server on a schema of its own, random name, dropped
 * when it closes). Loop a test file over them rather than copying its tests:
 *
 * @example
 *   for (const backend of BACKENDS) {
 *     describe(`webhooks on ${backend.name}`, { skip: backend.skip }, () => {
 *       before(async () => (srv = await startServer(WORKFLOWS, { backend: backend.name })));
 *     });
 *   }
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTcpProxy } from './tcp-proxy.js';
import type { TcpProxy } from './tcp-proxy.js';

export type BackendName = 'sqlite' | 'postgres';

export const TEST_DATABASE_URL = process.env['HOOKFLOW_TEST_DATABASE_URL'];

/** Why PostgreSQL tests do not run here, or false when they do. */
export const POSTGRES_SKIP: string | false = TEST_DATABASE_URL
  ? false
  : 'PostgreSQL skipped: set HOOKFLOW_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run these tests on it';

export const BACKENDS: ReadonlyArray<{ name: BackendName; skip: string | false }> = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: POSTGRES_SKIP },
];

/** A schema name no other test uses. */
export function randomSchema(): string {
  return `hookflow_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  if (!TEST_DATABASE_URL) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The settings that put a server on PostgreSQL in `schema`. */
export function postgresEnv(
  schema: string,
  databaseUrl = TEST_DATABASE_URL,
): Record<string, string> {
  if (!databaseUrl) throw new Error(POSTGRES_SKIP || 'no test database');
  return { HOOKFLOW_DATABASE_URL: databaseUrl, HOOKFLOW_DATABASE_SCHEMA: schema };
}

/**
 * A loopback proxy in front of the test database (tcp-proxy.ts), and the database URL that
 * goes through it: `proxy.cut()` makes the database out of reach for whoever uses `url`.
 */
export async function startDatabaseProxy(): Promise<{ proxy: TcpProxy; url: string }> {
  if (!TEST_DATABASE_URL) throw new Error(POSTGRES_SKIP || 'no test database');
  const target = new URL(TEST_DATABASE_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  target.port = String(proxy.port);
  return { proxy, url: target.toString() };
}
