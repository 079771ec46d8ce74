/**
 * @module workflow/read-retention
 * The retention syntax, shared by `HOOKFLOW_RETENTION` and a workflow's `retention:`: an age,
 * a count, or both, comma-separated — `30d`, `100000 jobs`, `30d, 100000 jobs` — or `forever`.
 * With both, a finished job goes when it is older than the age OR past the newest `count`.
 *
 * @example
 *   parseRetention('7d, 5000 jobs'); // { maxAgeMs: 604800000, maxJobs: 5000 }
 */
import { HookflowError } from '../errors.js';
import { parseDuration } from './units.js';

/** What is kept of a workflow's finished jobs; neither field: everything (`forever`). */
export interface Retention {
  maxAgeMs?: number;
  maxJobs?: number;
}

const COUNT = /^(\d+)\s*jobs?$/;
const HINT =
  "an age (30d, 12h), a count (100000 jobs), both comma-separated ('30d, 100000 jobs'), or forever";

/** Throws HookflowError `invalid_retention` naming what was wrong. */
export function parseRetention(value: unknown): Retention {
  const text = typeof value === 'number' ? `${value}` : value;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new HookflowError('invalid_retention', `${JSON.stringify(value)} is not ${HINT}`);
  }
  if (text.trim() === 'forever') return {};
  const retention: Retention = {};
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const count = COUNT.exec(part);
    if (count) {
      if (retention.maxJobs !== undefined) throw twice(text, 'count');
      retention.maxJobs = Number(count[1]);
      if (!Number.isSafeInteger(retention.maxJobs) || retention.maxJobs < 1) {
        throw new HookflowError('invalid_retention', `'${part}': keep at least 1 job`);
      }
      continue;
    }
    if (retention.maxAgeMs !== undefined) throw twice(text, 'age');
    try {
      retention.maxAgeMs = parseDuration(part);
    } catch {
      throw new HookflowError('invalid_retention', `'${part}' in '${text}' is not ${HINT}`);
    }
    if (retention.maxAgeMs <= 0) {
      throw new HookflowError('invalid_retention', `'${part}': an age must be more than 0`);
    }
  }
  return retention;
}

function twice(text: string, what: string): HookflowError {
  return new HookflowError('invalid_retention', `'${text}' gives the ${what} twice; give it once`);
}
