import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { loadConnections } from '../connections/index.js';
import { loadConnectors } from '../connectors/index.js';
import { buildDatatree, unknownFields } from '../datatree/index.js';
import { formatProblem, loadWorkflows } from '../workflow/index.js';
import type { Problem } from '../workflow/index.js';
import { usageError } from './usage.js';

/**
 * `hookflow validate [--strict] FILE|DIR [--connectors DIR] [--connections DIR]`: one
 * `file:line: message` per problem (the connectors' and connections' first, then the
 * workflows'), exit 1. Then one line per warning, an expression field that the example of its
 * source does not hold (`file:line: unknown field steps.order.body.stauts (…)`): exit 0, or 1
 * with `--strict`.
 *
 * The connections directory (`--connections`, HOOKFLOW_CONNECTIONS, or `./connections` when it
 * exists) is validated too, and steps naming a connection it does not hold are problems;
 * without one, connection names are not checked.
 */
export async function validateCommand(args: string[]): Promise<number> {
  let positionals: string[];
  let values: { strict?: boolean; connectors?: string; connections?: string };
  try {
    ({ positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        strict: { type: 'boolean', default: false },
        connectors: { type: 'string' },
        connections: { type: 'string' },
      },
    }));
  } catch (e) {
    throw usageError(e);
  }
  if (positionals.length === 0) throw usageError('validate needs a FILE or DIR');
  const problems: Problem[] = [];
  const { connectorsDir } = loadConfig(values.connectors ? { connectors: values.connectors } : {});
  const { catalog, problems: connectorProblems } = await loadConnectors(connectorsDir);
  problems.push(...connectorProblems);
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
  const warnings: Problem[] = [];
  for (const target of positionals) {
    const loaded = loadWorkflows(target, {
      connectors: catalog,
      ...(names ? { connections: names } : {}),
    });
    count += loaded.workflows.length;
    problems.push(...loaded.problems);
    for (const wf of loaded.workflows) warnings.push(...unknownFields(wf, await buildDatatree(wf)));
  }
  for (const p of [...problems, ...warnings]) process.stdout.write(`${formatProblem(p)}\n`);
  if (problems.length === 0) {
    const more = dir ? `, ${connectionCount} connection${connectionCount === 1 ? '' : 's'}` : '';
    const warned =
      warnings.length === 0
        ? ''
        : `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
    process.stdout.write(`ok: ${count} workflow${count === 1 ? '' : 's'}${more} valid${warned}\n`);
  }
  return problems.length > 0 || (values.strict === true && warnings.length > 0) ? 1 : 0;
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
