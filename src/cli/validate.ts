import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { loadConnectors } from '../connectors/index.js';
import { buildDatatree, unknownFields } from '../datatree/index.js';
import { formatProblem, loadWorkflows } from '../workflow/index.js';
import { usageError } from './usage.js';

/**
 * `hookflow validate [--strict] FILE|DIR [--connectors DIR]`: one `file:line: message` per
 * problem (the connectors' first, then the workflows'), exit 1. Then one line per warning, an
 * expression field that the example of its source does not hold (`file:line: unknown field
 * steps.order.body.stauts (…)`): exit 0, or 1 with `--strict`.
 */
export async function validateCommand(args: string[]): Promise<number> {
  let positionals: string[];
  let strict: boolean;
  let connectorsFlag: string | undefined;
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        strict: { type: 'boolean', default: false },
        connectors: { type: 'string' },
      },
    });
    positionals = parsed.positionals;
    strict = parsed.values.strict === true;
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
  let warnings = 0;
  for (const target of positionals) {
    const { workflows, problems } = loadWorkflows(target, { connectors: catalog });
    count += workflows.length;
    for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    if (problems.length > 0) failed = true;
    for (const wf of workflows) {
      for (const w of unknownFields(wf, await buildDatatree(wf))) {
        process.stdout.write(`${formatProblem(w)}\n`);
        warnings++;
      }
    }
  }
  const warned = warnings === 0 ? '' : `, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  if (!failed)
    process.stdout.write(`ok: ${count} workflow${count === 1 ? '' : 's'} valid${warned}\n`);
  return failed || (strict && warnings > 0) ? 1 : 0;
}
