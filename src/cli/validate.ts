import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConnections } from '../connections/index.js';
import { loadWorkflows } from '../workflow/index.js';
import type { Problem } from '../workflow/index.js';
import { usageError } from './usage.js';

/**
 * `hookflow validate FILE|DIR [--connections DIR]`: one `file:line: message` per problem,
 * exit 1; else exit 0. The connections directory (`--connections`, HOOKFLOW_CONNECTIONS, or
 * `./connections` when it exists) is validated too, and steps naming a connection it does not
 * hold are problems; without one, connection names are not checked.
 */
export async function validateCommand(args: string[]): Promise<number> {
  let positionals: string[];
  let values: { connections?: string };
  try {
    ({ positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { connections: { type: 'string' } },
    }));
  } catch (e) {
    throw usageError(e);
  }
  if (positionals.length === 0) throw usageError('validate needs a FILE or DIR');
  const problems: Problem[] = [];
  const dir = connectionsDir(values.connections);
  let names: Set<string> | undefined;
  let connectionCount = 0;
  if (dir) {
    const loaded = loadConnections(dir);
    problems.push(...loaded.problems);
    names = new Set(loaded.connections.map((c) => c.name));
    connectionCount = loaded.connections.length;
  }
  let count = 0;
  for (const target of positionals) {
    const loaded = loadWorkflows(target, names ? { connections: names } : {});
    count += loaded.workflows.length;
    problems.push(...loaded.problems);
  }
  for (const p of problems) process.stdout.write(`${p.file}:${p.line}: ${p.message}\n`);
  if (problems.length === 0) {
    const more = dir ? `, ${connectionCount} connection${connectionCount === 1 ? '' : 's'}` : '';
    process.stdout.write(`ok: ${count} workflow${count === 1 ? '' : 's'}${more} valid\n`);
  }
  return problems.length > 0 ? 1 : 0;
}

function connectionsDir(flag: string | undefined): string | null {
  const given = flag ?? (process.env.HOOKFLOW_CONNECTIONS || undefined);
  if (given !== undefined) {
    const p = resolve(given);
    if (!existsSync(p)) throw usageError(`--connections: ${p} does not exist`);
    return p;
  }
  const fallback = resolve('connections');
  return existsSync(fallback) ? fallback : null;
}
