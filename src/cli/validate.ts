import { parseArgs } from 'node:util';
import { buildDatatree, unknownFields } from '../datatree/index.js';
import { formatProblem, loadWorkflows } from '../workflow/index.js';
import { usageError } from './usage.js';

/**
 * `hookflow validate [--strict] FILE|DIR`: one `file:line: message` per problem, exit 1. Then
 * one line per warning, an expression field that the example of its source does not hold
 * (`file:line: unknown field steps.order.body.stauts (…)`): exit 0, or 1 with `--strict`.
 */
export async function validateCommand(args: string[]): Promise<number> {
  let positionals: string[];
  let strict: boolean;
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { strict: { type: 'boolean', default: false } },
    });
    positionals = parsed.positionals;
    strict = parsed.values.strict === true;
  } catch (e) {
    throw usageError(e);
  }
  if (positionals.length === 0) throw usageError('validate needs a FILE or DIR');
  let failed = false;
  let count = 0;
  let warnings = 0;
  for (const target of positionals) {
    const { workflows, problems } = loadWorkflows(target);
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
