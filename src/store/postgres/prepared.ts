/**
 * @module store/postgres/prepared
 * The hot statements run as named prepared statements: PostgreSQL parses and plans them once
 * per connection instead of on every call (the accept batch, the job writes and the claims are
 * large CTEs whose planning cost more than their execution on small batches). PostgreSQL
 * plans them anew when their tables' statistics change (statistics.ts keeps them current).
 *
 * @example
 *   export const CLAIM = prepared('hookflow_claim', 'UPDATE jobs …');
 *   await client.query(queryOf(CLAIM, [limit]));
 */
import type pg from 'pg';

const names = new Map<string, string>();

/** Registers `text` under `name` (unique per process); returns the text. */
export function prepared(name: string, text: string): string {
  names.set(text, name);
  return text;
}

/** The query to send: named when the text was registered. */
export function queryOf(text: string, values?: unknown[]): pg.QueryConfig {
  const name = names.get(text);
  return name === undefined ? { text, values: values ?? [] } : { name, text, values: values ?? [] };
}
