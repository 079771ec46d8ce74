/**
 * Helpers for the connection tests: fire a workflow's webhook and wait for its job, and look
 * for secrets in the bytes of the data directory (the database file and its WAL).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobDetail } from '../../src/store/types.js';
import type { TestServer } from './server.js';

/** POSTs `body` to /hooks/<path> (the workflow's name by default) and waits for the job. */
export async function fire(
  srv: TestServer,
  path: string,
  body: unknown = {},
  timeoutMs = 15_000,
): Promise<JobDetail> {
  const res = await fetch(`${srv.url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { id?: string };
  if (res.status !== 202 || !json.id)
    throw new Error(`POST /hooks/${path}: ${res.status} ${JSON.stringify(json)}`);
  return srv.finishedJob(json.id, timeoutMs);
}

/** Each `[file, secret]` where a secret's bytes appear in a file of the directory. */
export function grepDataDir(dir: string, secrets: readonly string[]): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, name));
    for (const secret of secrets) {
      if (bytes.includes(Buffer.from(secret))) found.push([name, secret]);
    }
  }
  return found;
}
