import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { loadConnectors } from '../connectors/index.js';
import { formatProblem, loadWorkflows } from '../workflow/index.js';
import { usageError } from './usage.js';

/**
 * `hookflow validate FILE|DIR [--connectors DIR]`: one `file:line: message` per problem (the
 * connectors' first, then the workflows'), exit 1; else exit 0.
 */
export async function validateCommand(args: string[]): Promise<number> {
  let positionals: string[];
  let connectorsFlag: string | undefined;
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { connectors: { type: 'string' } },
    });
    positionals = parsed.positionals;
    connectorsFlag = parsed.values.connectors;
  } catch (e) {
    throw usageError(e);
  }
  if (positionals.length === 0) throw usageError('validate needs a FILE or DIR');
  const { connectorsDir } = loadConfig(connectorsFlag ? { connectors: connectorsFlag } : {});
  const { catalog, problems: connectorProblems } = await loadConnectors(connectorsDir);
  for (const p of connectorProblems) process.stdout.write(`${formatProblem(p)}\n`);
  let failed = connectorProblems.length > 0;
  let count = 0;
  for (const target of positionals) {
    const { workflows, problems } = loadWorkflows(target, { connectors: catalog });
    count += workflows.length;
    for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    if (problems.length > 0) failed = true;
  }
  if (!failed) process.stdout.write(`ok: ${count} workflow${count === 1 ? '' : 's'} valid\n`);
  return failed ? 1 : 0;
}
